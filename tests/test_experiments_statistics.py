"""The statistics of the report (paired intervals over seeds) and its verdict rules, on synthetic results.

Oracles: scipy.stats.ttest_rel (the p-value), a hand-computed t interval, and each verdict of the documented rules.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from spectralcore_experiments import statistics


def test_interval_by_hand() -> None:
    # d = a - b = (-0.03, -0.02, -0.04): mean -0.03, sd 0.01, t(0.975, 2) = 4.302652729911275.
    result = statistics.paired_difference([0.10, 0.12, 0.11], [0.13, 0.14, 0.15])
    half = 4.302652729911275 * 0.01 / math.sqrt(3)
    assert result["n"] == 3
    assert result["mean"] == pytest.approx(-0.03)
    assert result["sd"] == pytest.approx(0.01)
    assert result["low"] == pytest.approx(-0.03 - half, abs=1e-12)
    assert result["high"] == pytest.approx(-0.03 + half, abs=1e-12)
    assert result["significant"] is True


@pytest.mark.parametrize("seed", range(6))
def test_p_value_and_interval_agree_with_ttest_rel(seed: int) -> None:
    from scipy import stats

    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 9))
    a = rng.normal(0.1, 0.02, n)
    b = a + rng.normal(0.01 * (seed - 3), 0.01, n)
    result = statistics.paired_difference(a, b)
    reference = stats.ttest_rel(a, b)
    assert result["p"] == pytest.approx(float(reference.pvalue), rel=1e-9)
    # The 95 % interval excludes zero exactly when the two-sided test rejects at 5 %.
    assert result["significant"] == (float(reference.pvalue) < 0.05)
    low, high = reference.confidence_interval(0.95)
    assert (result["low"], result["high"]) == pytest.approx((float(low), float(high)), rel=1e-9)


def test_interval_containing_zero_is_not_significant() -> None:
    result = statistics.paired_difference([0.10, 0.12], [0.11, 0.12])
    assert result["low"] < 0 < result["high"]
    assert result["significant"] is False
    assert statistics.describe_difference(result).endswith("not significant")


def test_one_seed_has_no_interval() -> None:
    result = statistics.paired_difference([0.1], [0.2])
    assert (result["low"], result["high"], result["p"], result["significant"]) == (None, None, None, None)
    assert "n/a" in statistics.describe_difference(result)


def test_constant_differences_are_a_point_interval() -> None:
    result = statistics.paired_difference([0.5, 0.75, 1.0], [0.25, 0.5, 0.75])
    assert result["low"] == result["high"] == 0.25
    assert result["significant"] is True
    assert result["p"] == 0.0


def test_mismatched_seeds_name_the_arguments() -> None:
    with pytest.raises(ValueError, match=r"`a` and `b`.*lengths 2 and 3"):
        statistics.paired_difference([0.1, 0.2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="`confidence`"):
        statistics.paired_difference([0.1, 0.2], [0.1, 0.2], confidence=1.5)


def test_mean_sd() -> None:
    assert statistics.mean_sd([1.0, 3.0]) == (2.0, pytest.approx(math.sqrt(2)))
    assert statistics.mean_sd([4.0]) == (4.0, None)
