"""The core imports without any array library, and runs on PyTorch without NumPy."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import spectralcore

PACKAGE_DIR = Path(spectralcore.__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent

BLOCKER = textwrap.dedent(
    """
    import sys
    import importlib.abc

    BLOCKED = {blocked!r}

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"blocked import of {{name}} (test_imports)")
            return None

    sys.meta_path.insert(0, Blocker())
    """
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=str(REPO_ROOT),
        env=env,
        timeout=300,
        check=False,
    )


def test_import_needs_no_array_library() -> None:
    code = BLOCKER.format(blocked=("numpy", "torch", "jax", "jaxlib", "cupy")) + textwrap.dedent(
        """
        import spectralcore
        loaded = sorted(m for m in ("numpy", "torch", "jax", "cupy") if m in sys.modules)
        assert not loaded, f"importing spectralcore loaded {loaded}"
        assert callable(spectralcore.spectral_pool)
        print("OK")
        """
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("OK")


def test_torch_works_without_numpy() -> None:
    pytest.importorskip("torch")
    code = BLOCKER.format(blocked=("numpy", "jax", "jaxlib")) + textwrap.dedent(
        """
        import warnings
        warnings.simplefilter("ignore")  # torch warns that NumPy is unavailable
        import spectralcore as sc
        import torch
        assert "numpy" not in sys.modules
        x = torch.arange(2 * 8 * 6, dtype=torch.float64).reshape(2, 8, 6).sin()
        for method in ("matmul", "fft"):
            y = sc.spectral_pool(x, (3, 4), method=method)
            assert isinstance(y, torch.Tensor) and y.shape == (2, 3, 4) and y.dtype == torch.float64
            # a real fact, not just a shape: the mean over the pooled axes is kept
            assert torch.allclose(y.mean(dim=(-2, -1)), x.mean(dim=(-2, -1)), atol=1e-12)
            # and pooling after upsampling is the identity
            z = sc.spectral_pool(sc.spectral_upsample(x, (11, 9), method=method), (8, 6), method=method)
            assert torch.allclose(z, x, atol=1e-12)
        k = torch.tensor([2, 5])
        lp = sc.lowpass(x, k)
        assert torch.allclose(lp[1], sc.lowpass(x[1], 5), atol=1e-12)
        theta = sc.spatial_to_spectral(x[:, :3, :3])
        assert torch.allclose(sc.spectral_to_spatial(theta), x[:, :3, :3], atol=1e-12)
        assert "numpy" not in sys.modules
        print("OK")
        """
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().endswith("OK")


def _imports_array_api_compat(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
            a.name == "array_api_compat" or a.name.startswith("array_api_compat.") for a in node.names
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module is not None
            and (node.module == "array_api_compat" or node.module.startswith("array_api_compat."))
        ):
            return True
    return False


def test_array_api_compat_is_imported_in_exactly_one_module() -> None:
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    assert sources, f"no sources under {PACKAGE_DIR}"
    importers = [p.relative_to(PACKAGE_DIR).as_posix() for p in sources if _imports_array_api_compat(p)]
    assert importers == ["_compat.py"], importers


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(tree: ast.Module) -> list[str]:
    """Imports executed when the module is imported (not inside functions, classes or TYPE_CHECKING)."""
    names: list[str] = []
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if _is_type_checking_block(node):
            stack.extend(node.orelse)  # type: ignore[attr-defined]
            continue
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
        stack.extend(ast.iter_child_nodes(node))
    return names


def test_no_array_library_is_imported_at_module_level() -> None:
    """Only function-local (lazy) imports of numpy/torch/jax/cupy/scipy are allowed in the core."""
    offenders = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _module_level_imports(tree):
            if name.split(".")[0] in {"numpy", "torch", "jax", "cupy", "scipy"}:
                offenders.append(f"{path.relative_to(PACKAGE_DIR).as_posix()}: {name}")
    assert not offenders, offenders


@pytest.mark.parametrize(
    ("package", "blocked", "hint"),
    [
        ("spectralcore_torch", ("torch",), "spectralcore[torch]"),
        ("spectralcore_keras", ("keras",), "spectralcore[tensorflow]"),
    ],
)
def test_adapters_say_how_to_install_their_framework(package: str, blocked: tuple[str, ...], hint: str) -> None:
    code = BLOCKER.format(blocked=blocked) + textwrap.dedent(
        f"""
        sys.path.insert(0, {str(REPO_ROOT / "backends")!r})
        try:
            import {package}
        except ImportError as exc:
            print(exc)
        else:
            raise SystemExit("imported without its framework")
        """
    )
    proc = _run(code)
    assert proc.returncode == 0, proc.stderr
    assert f"{package} needs" in proc.stdout
    assert hint in proc.stdout
