"""The verdict table that opens the report: each claim of the paper, what it said, what we measured, and a verdict.

The verdicts follow fixed rules, applied to the experiments' JSON results (nothing is judged by hand):

* A claim that one thing beats another is tested on a paired difference over seeds (see
  :func:`spectralcore_experiments.statistics.paired_difference`). One *case* (a dataset, or a net and kernel)
  **holds** when the mean difference has the paper's sign and the 95 % interval excludes zero, **leans** when the
  sign is the paper's but the interval contains zero (or there is one seed, so no interval), and **fails**
  otherwise.
* The claim is **reproduced** when every case holds, **partly** when at least one case holds or leans (but not all
  hold), **not** when every case fails, and **not tested** when the experiment (or the dataset) did not run.
* Information preservation is deterministic given the images (no seeds): a dataset holds when the spectral (sum
  rule) loss at 2×2's fraction of parameters is below max pooling's for at least half of the images and in the
  median of per-image ratios, leans when only one of the two is true, fails otherwise.
* The absolute CIFAR-10 error: reproduced when the mean over seeds is at most the paper's + 1 percentage point,
  partly within + 5 points, not beyond; not tested without CIFAR-10.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spectralcore_experiments.statistics import describe_difference

REPRODUCED, PARTLY, NOT, NOT_TESTED = "reproduced", "partly", "not", "not tested"
HOLDS, LEANS, FAILS = "holds", "leans", "fails"


def case(diff: Mapping[str, Any] | None, sign: int) -> str:
    """One case of a directional claim: the paper says ``sign * difference > 0``.

    Examples
    --------
    >>> case({"mean": -0.02, "low": -0.03, "high": -0.01, "significant": True}, -1)
    'holds'
    >>> case({"mean": -0.02, "low": -0.05, "high": 0.01, "significant": False}, -1)
    'leans'
    >>> case({"mean": 0.02, "low": 0.01, "high": 0.03, "significant": True}, -1)
    'fails'
    """
    if diff is None or sign * float(diff["mean"]) <= 0:
        return FAILS
    return HOLDS if diff["significant"] else LEANS


def combine(cases: list[str]) -> str:
    """The claim's verdict from its cases (see the module docstring).

    Examples
    --------
    >>> combine(["holds", "holds"]), combine(["holds", "fails"]), combine(["leans"]), combine(["fails"]), combine([])
    ('reproduced', 'partly', 'partly', 'not', 'not tested')
    """
    if not cases:
        return NOT_TESTED
    if all(c == HOLDS for c in cases):
        return REPRODUCED
    if any(c in (HOLDS, LEANS) for c in cases):
        return PARTLY
    return NOT


def _row(claim: str, paper: str, here: str, verdict: str) -> dict[str, str]:
    return {"claim": claim, "paper": paper, "here": here, "verdict": verdict}


def information_claim(result: Mapping[str, Any] | None) -> dict[str, str]:
    """Fig. 4a: spectral pooling keeps more information than max pooling for the same number of parameters."""
    claim = "spectral pooling keeps more information than max pooling (Fig. 4a)"
    paper = "lower approximation loss at every fraction of parameters kept (ImageNet)"
    if not result:
        return _row(claim, paper, "–", NOT_TESTED)
    cases, notes = [], []
    for entry in result["datasets"].values():
        two = next((r for r in entry["comparison"] if r["stride"] == 2), None)
        if two is None:
            continue
        vs_max = two["sum_vs_max"]
        below = float(vs_max["fraction_of_images_below"]) >= 0.5
        ratio = float(vs_max["median_of_ratios"]) < 1
        cases.append(HOLDS if below and ratio else LEANS if below or ratio else FAILS)
        notes.append(
            f"{entry['title']}: loss ratio {float(vs_max['median_of_ratios']):.2f}× max pooling's at 2×2, below it "
            f"for {100 * float(vs_max['fraction_of_images_below']):.0f} % of images"
        )
    return _row(claim, paper, "; ".join(notes) or "–", combine(cases))


def convergence_claim(result: Mapping[str, Any] | None) -> dict[str, str]:
    """Fig. 5: the spectral parameterization reaches the spatial net's best error sooner (speed-up > 1)."""
    claim = "spectral parameterization converges faster (Fig. 5)"
    paper = "speed-up 2.2–5.1× (CIFAR-10, Adam)"
    if not result:
        return _row(claim, paper, "–", NOT_TESTED)
    cases, notes = [], []
    for row in result["summary"]:
        versus_one = row["test_error"].get("speedup_vs_one")
        cases.append(case(versus_one, +1))
        mean = row["test_error"]["speedup_mean"]
        text = "never reached" if versus_one is None else f"{mean:.2f}×"
        if versus_one is not None and versus_one["low"] is not None:
            text += f" [{1 + versus_one['low']:.2f}, {1 + versus_one['high']:.2f}]"
        notes.append(f"{row['net']} {row['kernel']}×{row['kernel']}: {text}")
    return _row(claim, paper, "; ".join(notes), combine(cases))


def _comparison_claim(result: Mapping[str, Any] | None, a: str, b: str, claim: str, paper: str) -> dict[str, str]:
    if not result:
        return _row(claim, paper, "–", NOT_TESTED)
    rows = [r for r in result.get("comparisons", []) if (r["a"], r["b"]) == (a, b)]
    cases = [case(r["final_test_error"], -1) for r in rows]
    notes = [f"{r['dataset']}: {describe_difference(r['final_test_error'])}" for r in rows]
    return _row(claim, paper, "; ".join(notes) or "–", combine(cases))


def classification_claims(result: Mapping[str, Any] | None) -> list[dict[str, str]]:
    """§5.1: the spectral-pooling net with frequency dropout errs less than max pooling; the CIFAR-10 error."""
    rows = [
        _comparison_claim(
            result,
            "spectral+fd",
            "max",
            "spectral pooling + frequency dropout errs less than max pooling (§5.1)",
            "implied (no max-pooling ablation; beats max-pooling nets of the literature)",
        ),
        _comparison_claim(
            result,
            "spectral+fd",
            "spectral",
            "frequency dropout lowers the error of spectral pooling (§3.2, §5.1)",
            "presented as a regulariser; no ablation given",
        ),
    ]
    claim = "CIFAR-10 test error of spectral pooling + frequency dropout (Table 1)"
    paper = "8.6 % (no augmentation)"
    chosen = [
        r for r in (result or {}).get("summary", []) if r["dataset"] == "cifar10" and r["config"] == "spectral+fd"
    ]
    if not chosen:
        rows.append(_row(claim, paper, "no CIFAR-10 run", NOT_TESTED))
    else:
        error = float(chosen[0]["final_test_error_mean"])
        gap = error - 0.086
        verdict = REPRODUCED if gap <= 0.01 else PARTLY if gap <= 0.05 else NOT
        rows.append(_row(claim, paper, f"{100 * error:.2f} % ({chosen[0]['seeds']} seed(s))", verdict))
    return rows


def table(results: Mapping[str, Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every claim's row, from the results by experiment name (``info``, ``convergence``, ``classify``)."""
    return [
        information_claim(results.get("info")),
        convergence_claim(results.get("convergence")),
        *classification_claims(results.get("classify")),
    ]


def markdown(rows: list[dict[str, str]], scale: str) -> str:
    """The verdict table as Markdown, with the rules in one paragraph under it."""
    lines = [
        "## Verdicts",
        "",
        f"| claim | paper | here ({scale} scale) | verdict |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['claim']} | {r['paper']} | {r['here']} | **{r['verdict']}** |" for r in rows]
    lines += [
        "",
        "Rules (fixed in `spectralcore_experiments/verdicts.py`): a comparison over seeds *holds* when the mean "
        "difference has the paper's sign and its 95 % paired t interval excludes zero, *leans* when the sign is "
        "right but the interval contains zero or there is only one seed. A claim is **reproduced** when every case "
        "(dataset, or net and kernel) holds, **partly** when some hold or lean, **not** when none does, and **not "
        "tested** when it did not run. Information: a dataset holds when spectral pooling's loss at 2×2's fraction "
        "is below max pooling's both in the median per-image ratio and for at least half of the images. The "
        "CIFAR-10 error: reproduced within 1 percentage point of the paper's, partly within 5. A small scale "
        "tests the direction of a claim, not its size.",
        "",
    ]
    return "\n".join(lines)
