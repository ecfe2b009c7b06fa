"""The README's Python examples run and their assertions hold (so the documentation cannot rot)."""

from __future__ import annotations

import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_has_examples() -> None:
    assert BLOCKS, "README.md lost its ```python examples"


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index: int) -> None:
    pytest.importorskip("scipy")
    exec(compile(BLOCKS[index], f"README.md[python block {index}]", "exec"), {})
