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


# ---------------------------------------------------------------------------------------------------------------
# The verdict table, on synthetic results
# ---------------------------------------------------------------------------------------------------------------
def classify_result(spectral_fd: list[float], max_pool: list[float], cifar: bool = False) -> dict:
    from spectralcore_experiments import classification

    dataset = "cifar10" if cifar else "fashion-mnist"
    runs = [
        {"dataset": dataset, "config": config, "seed_index": i, "test_error": [0.5, error], "train_error": [0.5, 0.1]}
        for config, errors in (("spectral+fd", spectral_fd), ("max", max_pool))
        for i, error in enumerate(errors)
    ]
    for run in runs:
        run["parameters"] = 1
    cfg = {"configs": ["spectral+fd", "max"]}
    return {
        "summary": classification.summarize(runs, cfg, [dataset]),
        "comparisons": classification.compare(runs, cfg, [dataset]),
    }


def pooling_verdict(result: dict) -> str:
    from spectralcore_experiments import verdicts

    return verdicts.table({"classify": result})[2]["verdict"]


def test_verdict_reproduced_when_the_interval_excludes_zero_in_the_papers_direction() -> None:
    assert pooling_verdict(classify_result([0.08, 0.085, 0.082], [0.10, 0.104, 0.101])) == "reproduced"


def test_verdict_partly_when_the_direction_holds_but_not_significantly() -> None:
    assert pooling_verdict(classify_result([0.08, 0.11, 0.09], [0.10, 0.10, 0.10])) == "partly"
    assert pooling_verdict(classify_result([0.08], [0.10])) == "partly"  # one seed: n/a, direction only


def test_verdict_not_when_the_direction_is_reversed() -> None:
    assert pooling_verdict(classify_result([0.12, 0.125, 0.121], [0.10, 0.104, 0.101])) == "not"


def test_verdict_not_tested_without_the_experiment() -> None:
    from spectralcore_experiments import verdicts

    rows = verdicts.table({})
    assert [r["verdict"] for r in rows] == ["not tested"] * len(rows)
    assert "| **not tested** |" in verdicts.markdown(rows, "quick")


def test_cifar_error_verdict_follows_the_distance_to_the_paper() -> None:
    from spectralcore_experiments import verdicts

    def verdict(error: float) -> str:
        return verdicts.table({"classify": classify_result([error, error], [0.2, 0.2], cifar=True)})[-1]["verdict"]

    assert (verdict(0.09), verdict(0.12), verdict(0.2)) == ("reproduced", "partly", "not")


def test_convergence_verdict_per_case() -> None:
    from spectralcore_experiments import verdicts

    def summary_row(speedups: list[float] | None) -> dict:
        versus_one = None if speedups is None else statistics.paired_difference(speedups, [1.0] * len(speedups))
        mean = None if speedups is None else float(np.mean(speedups))
        return {"net": "deep", "kernel": 3, "test_error": {"speedup_vs_one": versus_one, "speedup_mean": mean}}

    def verdict(*cases: list[float] | None) -> str:
        return verdicts.convergence_claim({"summary": [summary_row(c) for c in cases]})["verdict"]

    assert verdict([2.0, 2.2, 2.1], [3.0, 3.1, 3.3]) == "reproduced"
    assert verdict([2.0, 2.2, 2.1], [0.9, 0.8, 0.85]) == "partly"
    assert verdict([0.9, 0.8, 0.85], None) == "not"


def test_information_verdict() -> None:
    from spectralcore_experiments import verdicts

    def entry(ratio: float, below: float) -> dict:
        vs_max = {"median_of_ratios": ratio, "fraction_of_images_below": below}
        return {"title": "x", "comparison": [{"stride": 2, "sum_vs_max": vs_max}]}

    def verdict(*entries: dict) -> str:
        return verdicts.information_claim({"datasets": dict(enumerate(entries))})["verdict"]

    assert verdict(entry(0.5, 0.99), entry(0.7, 0.9)) == "reproduced"
    assert verdict(entry(0.5, 0.99), entry(1.2, 0.1)) == "partly"
    assert verdict(entry(1.2, 0.1)) == "not"
