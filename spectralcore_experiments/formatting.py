"""How numbers and links are written in the Markdown report and on the console."""

from __future__ import annotations

import math
from pathlib import Path


def fmt(value: float | None, digits: int = 4) -> str:
    """A number for a Markdown table: 4 significant digits; '–' for missing values.

    Examples
    --------
    >>> fmt(3.14159), fmt(None), fmt(float("nan")), fmt(2.5, 2)
    ('3.142', '–', '–', '2.5')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}g}"


def pct(value: float | None) -> str:
    """An error rate as a percentage with two decimals.

    Examples
    --------
    >>> pct(0.0864), pct(None)
    ('8.64 %', '–')
    """
    if value is None:
        return "–"
    return f"{100.0 * value:.2f} %"


def pct_sd(mean: float, sd: float | None) -> str:
    """A mean error rate ± its sd over seeds, in percent (the sd left out for one seed).

    Examples
    --------
    >>> pct_sd(0.0864, 0.0012), pct_sd(0.0864, None)
    ('8.64 ± 0.12 %', '8.64 % (1 seed)')
    """
    if sd is None:
        return f"{100.0 * mean:.2f} % (1 seed)"
    return f"{100.0 * mean:.2f} ± {100.0 * sd:.2f} %"


def relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with forward slashes, for Markdown links."""
    return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
