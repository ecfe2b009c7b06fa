"""Statistics over seeds, for the experiments' summaries and figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def mean_std(curves: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise mean and sample standard deviation (0 for one curve) of equal-length curves.

    Examples
    --------
    >>> mean, std = mean_std([[1.0, 2.0], [3.0, 2.0]])
    >>> mean.tolist(), std.round(4).tolist()
    ([2.0, 2.0], [1.4142, 0.0])
    """
    array = np.asarray(curves, dtype=np.float64)
    std = array.std(axis=0, ddof=1) if array.shape[0] > 1 else np.zeros(array.shape[1])
    return array.mean(axis=0), std


# Confidence level of every interval in the report.
CONFIDENCE = 0.95


def mean_sd(values: Sequence[float]) -> tuple[float, float | None]:
    """Mean and sample standard deviation (``None`` for a single value) of per-seed numbers.

    Examples
    --------
    >>> mean_sd([0.1, 0.3])
    (0.2, 0.1414...)
    >>> mean_sd([0.5])
    (0.5, None)
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"mean_sd: argument `values` expected a non-empty sequence of numbers, received {values!r}")
    return float(array.mean()), (float(array.std(ddof=1)) if array.size > 1 else None)


def paired_difference(
    a: Sequence[float], b: Sequence[float], *, confidence: float = CONFIDENCE
) -> dict[str, float | int | bool | None]:
    """Paired t interval of the mean difference ``a - b`` over seeds (seed ``i`` of ``a`` pairs with seed ``i`` of b).

    The interval is ``mean(d) ± t_{1-(1-confidence)/2, n-1} · sd(d) / sqrt(n)`` with ``d = a - b`` (Student's t,
    from :data:`scipy.stats.t`); ``p`` is the two-sided p-value of the same test (equal to
    :func:`scipy.stats.ttest_rel`'s). With one seed there is no interval: ``low``, ``high`` and ``p`` are ``None``
    and ``significant`` is ``None`` ("n/a"). With ``n > 1`` seeds and all differences equal, the interval is the
    single point ``mean(d)``.

    Returns
    -------
    dict
        ``n``, ``mean`` (of ``d``), ``sd`` (of ``d``, ``None`` for one seed), ``low``, ``high``, ``p``,
        ``confidence``, ``significant`` (the interval excludes zero).

    Examples
    --------
    >>> r = paired_difference([0.10, 0.12, 0.11], [0.13, 0.14, 0.15])
    >>> round(r["mean"], 4), round(r["low"], 4), round(r["high"], 4), r["significant"]
    (-0.03, -0.0548, -0.0052, True)
    >>> paired_difference([0.1], [0.2])["significant"] is None
    True
    """
    from scipy import stats

    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(
            f"paired_difference: arguments `a` and `b` expected equal-length non-empty sequences (one number per "
            f"seed), received lengths {x.size} and {y.size}"
        )
    if not 0 < confidence < 1:
        raise ValueError(f"paired_difference: argument `confidence` expected a number in (0, 1), received {confidence}")
    d = x - y
    n = int(d.size)
    mean = float(d.mean())
    result: dict[str, float | int | bool | None] = {
        "n": n,
        "mean": mean,
        "sd": None,
        "low": None,
        "high": None,
        "p": None,
        "confidence": confidence,
        "significant": None,
    }
    if n < 2:
        return result
    sd = float(d.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * sd / float(np.sqrt(n))
    # All differences equal: the t statistic is infinite (or 0/0 when they are all zero).
    exact = 1.0 if mean == 0.0 else 0.0
    p = exact if sd == 0.0 else float(2 * stats.t.sf(abs(mean) / (sd / np.sqrt(n)), n - 1))
    low, high = mean - half, mean + half
    result.update({"sd": sd, "low": low, "high": high, "p": p, "significant": bool(low > 0 or high < 0)})
    return result


def describe_difference(diff: dict[str, Any], *, scale: float = 100.0, unit: str = " pp") -> str:
    """A paired difference for a Markdown table: ``"-3.00 pp [-5.48, -0.52]"``, then the verdict of the interval.

    ``scale`` multiplies the numbers (100: error rates as percentage points); "n/a (1 seed)" without an interval.

    Examples
    --------
    >>> describe_difference(paired_difference([0.10, 0.12, 0.11], [0.13, 0.14, 0.15]))
    '-3.00 pp [-5.48, -0.52] (95 % CI), p = 0.035'
    >>> describe_difference(paired_difference([0.10, 0.12], [0.11, 0.12]))
    '-0.50 pp [-6.85, 5.85] (95 % CI), p = 0.5, not significant'
    >>> describe_difference(paired_difference([0.1], [0.2]))
    '-10.00 pp, n/a (1 seed: no interval)'
    """
    mean = scale * float(diff["mean"])
    if diff["low"] is None:
        return f"{mean:.2f}{unit}, n/a (1 seed: no interval)"
    text = (
        f"{mean:.2f}{unit} [{scale * float(diff['low']):.2f}, {scale * float(diff['high']):.2f}] "
        f"({100 * float(diff['confidence']):.0f} % CI), p = {float(diff['p']):.2g}"
    )
    return text if diff["significant"] else text + ", not significant"
