"""The reproduction ships as it promises: ``spectralcore_experiments`` in the wheel, its imports in the
``[experiments]`` extra, and in the sdist everything its tests need (the sdist's own tests were run from an
unpacked sdist when this was written; these checks keep ``pyproject.toml`` from drifting)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "spectralcore_experiments"
# Import name -> distribution, for what the reproduction imports outside the standard library.
DISTRIBUTIONS = {
    "numpy": "numpy",
    "torch": "torch",
    "matplotlib": "matplotlib",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "tqdm": "tqdm",
    "scipy": "scipy",  # statistics.py: Student's t intervals
    "kornia": "kornia",  # shift.py: BlurPool2D
    "optuna": "optuna",  # tuning.py: the hyper-parameter search
}
FIRST_PARTY = {"spectralcore", "spectralcore_torch", "spectralcore_experiments"}


@pytest.fixture(scope="module")
def pyproject() -> dict[str, object]:
    with open(ROOT / "pyproject.toml", "rb") as handle:
        loaded: dict[str, object] = tomllib.load(handle)
    return loaded


def _imported_roots() -> set[str]:
    roots = set()
    for file in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots.add(node.module.split(".")[0])
    return roots


def test_the_wheel_holds_the_package(pyproject: dict[str, object]) -> None:
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]  # type: ignore[index]
    assert "spectralcore_experiments" in wheel["packages"]
    for package in wheel["packages"]:
        assert (ROOT / package / "__init__.py").is_file(), package
        assert (ROOT / package / "py.typed").is_file(), package
    assert (PACKAGE / "__main__.py").is_file()  # python -m spectralcore_experiments
    assert (PACKAGE / "datasets" / "__init__.py").is_file()  # subpackages ship with their package


def test_the_experiments_extra_brings_every_import(pyproject: dict[str, object]) -> None:
    extra = pyproject["project"]["optional-dependencies"]["experiments"]  # type: ignore[index]
    named = {requirement.split(">")[0].split("=")[0].split("[")[0].strip() for requirement in extra}
    third_party = _imported_roots() - FIRST_PARTY - set(sys.stdlib_module_names) - {"__future__"}
    assert third_party <= set(DISTRIBUTIONS), (
        f"imports without a known distribution: {third_party - set(DISTRIBUTIONS)}"
    )
    assert {DISTRIBUTIONS[name] for name in third_party} <= named
    assert "torch" in third_party  # the scan sees the imports at all


def test_the_sdist_holds_what_the_tests_need(pyproject: dict[str, object]) -> None:
    sdist = pyproject["tool"]["hatch"]["build"]["targets"]["sdist"]  # type: ignore[index]
    include = set(sdist["include"])
    wheel = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]  # type: ignore[index]
    tops = {"/" + package.split("/")[0] for package in wheel["packages"]}
    # The packages, the tests, and the benchmark suite that tests/test_benchmarks.py runs.
    assert tops | {"/tests", "/benchmarks", "/README.md", "/pyproject.toml"} <= include
    assert "/experiments" not in include  # the old name is gone, for good
