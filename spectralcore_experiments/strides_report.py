"""Report section of the learned-strides experiment (the measurement is :mod:`spectralcore_experiments.strides`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spectralcore_experiments.statistics import describe_difference
from spectralcore_experiments.strides import POOL_TITLES

CLAIM = (
    "DiffStride (Riad et al., ICLR 2022) reports for a ResNet-18 on CIFAR-10 that learned strides started from poor "
    "strides reach the accuracy of good ones (94.19 % against 94.20 %), and that fixed spectral pooling beats "
    "strided convolutions. Their layer is inexact (one side of the Nyquist row, even sizes only, a scale that "
    "does not keep the mean, not flip-equivariant); this one is exact."
)


def figures(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """No figure: the table says it all."""
    return {}


def _pct(entry: dict[str, Any]) -> str:
    text = f"{100 * entry['mean']:.2f}"
    return text + (f" ± {100 * entry['sd']:.2f} %" if entry["sd"] is not None else " %")


def _count(entry: dict[str, Any]) -> str:
    text = f"{entry['mean']:.0f}"
    return text + (f" ± {entry['sd']:.0f}" if entry["sd"] is not None else "")


def _strides(row: dict[str, Any]) -> str:
    if "strides" not in row:
        return f"{row['start_stride']:g} (fixed)"
    parts = []
    for layer in row["strides"]:
        sd = f" ± {layer['sd']:.2f}" if layer["sd"] is not None else ""
        parts.append(f"{layer['mean']:.2f}{sd}")
    return ", ".join(parts)


def verdict(result: dict[str, Any]) -> str:
    """DiffStride's claim, by the verdict rules of the main report: it holds when learned strides from 3 are not
    significantly worse than from 2 *and* significantly better than fixed stride 3."""
    found = {(c["a"], c["b"]): c["difference"] for c in result["comparisons"]}
    same = found.get(("learnable-poor", "learnable-good"))
    recover = found.get(("learnable-poor", "fixed-poor"))
    if same is None or recover is None:
        return "**not tested** (the learnable and fixed configurations did not both run)"
    if same["significant"] is None:
        return "**not tested** (one seed: no interval)"
    as_good = not (same["significant"] and same["mean"] > 0)
    recovers = bool(recover["significant"]) and recover["mean"] < 0
    if as_good and recovers:
        return "**reproduced**: from poor strides as good as from good ones, and better than the fixed poor stride"
    if as_good or (recover["mean"] < 0):
        return "**partly**: " + (
            "as good as from good strides, but not significantly better than the fixed poor stride"
            if as_good
            else "better than the fixed poor stride, but significantly worse than from good strides"
        )
    return "**not**: learned strides from 3 are worse than from 2 and no better than a fixed stride 3"


def markdown(result: dict[str, Any], report_dir: Path) -> str:
    """The report section: error, strides and cost per configuration, the paired comparisons and a verdict."""
    cfg = result["settings"]
    data = result["data"]
    lines = [
        "## Learned strides (not in the paper; DiffStride's robustness claim on the exact layer)",
        "",
        CLAIM,
        "",
        f"Fashion-MNIST, {data['train_examples']} training and {data['test_examples']} test images; a small net "
        f"(two 3×3 convs with {cfg['width']} and {2 * cfg['width']} filters, each followed by a pooling, then a 1×1 "
        f"conv and a global average), Adam 2e-3, {cfg['epochs']} epochs, {cfg['seeds']} seed(s); only the pooling "
        "and its start stride differ (good: 2, poor: 3). The learnable layers train their strides at "
        f"{cfg['stride_lr_scale']:g}× the learning rate, with a compute penalty of weight {cfg['cost_weight']:g} on "
        "their pooled activations relative to the start. Cost = activations per image after the two poolings "
        "(what the later convolutions pay for), at the end. Mean ± sd over seeds.",
        "",
        "| pooling | start stride | test error | strides at the end (per layer) | pooled sides | cost |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["summary"]:
        sides = sorted({tuple(s) for s in row["sides"]})
        lines.append(
            f"| {POOL_TITLES[row['pool']]} | {row['start_stride']:g} | {_pct(row['test_error'])} | {_strides(row)} | "
            f"{'; '.join('→'.join(map(str, s)) for s in sides)} | {_count(row['activations'])} |"
        )
    lines += ["", "| comparison | error difference a − b [95 % CI] |", "|---|---|"]
    for c in result["comparisons"]:
        lines.append(f"| {c['what']} ({c['a']} − {c['b']}) | {describe_difference(c['difference'])} |")
    lines += ["", f"Verdict on DiffStride's claim at this scale: {verdict(result)}.", ""]
    return "\n".join(lines)
