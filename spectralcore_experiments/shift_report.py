"""Report section of the shift-consistency experiment (the measurement is :mod:`spectralcore_experiments.shift`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spectralcore_experiments.shift import POOL_TITLES
from spectralcore_experiments.statistics import describe_difference

THEORY = (
    "**Which shifts commute with spectral pooling.** Pooling an n-point periodic signal to m points keeps its m "
    "lowest DFT coefficients. A circular shift by s multiplies coefficient k by exp(−2πi ks/n); on the pooled grid "
    "that is a shift by s·m/n, which is a whole number of pooled pixels exactly when s is a multiple of n/m: then "
    "pooling commutes with the shift, and with circular convolutions and a global average the prediction is "
    "exactly invariant (up to rounding). Any other shift becomes a phase ramp on the kept band, i.e. a sub-pixel "
    "(band-limited, sinc-interpolated) shift of the pooled map, so the prediction changes only through the "
    "nonlinearities that follow, and smoothly. Max pooling commutes only with shifts by multiples of its stride "
    "and aliases everything in between (it is not shift-invariant); average and blur pooling are linear but "
    "their filters leak aliases, less for the blur "
    "(kornia's BlurPool pads with zeros rather than circularly, so for it even shifts by multiples of 4 are not "
    "exact). The cosine basis is not circular at all: it treats the image "
    "as mirrored at its edges, so a circular shift moves the wrap-around seam inside the image, and only the "
    "crop test is a fair test for it. A crop shift moves content against a padded border, which no pooling "
    "commutes with exactly."
)


def figures(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """No figure: the table says it all."""
    return {}


def _pct(entry: dict[str, Any]) -> str:
    text = f"{100 * entry['mean']:.2f}"
    return text + (f" ± {100 * entry['sd']:.2f} %" if entry["sd"] is not None else " %")


def markdown(result: dict[str, Any], report_dir: Path) -> str:
    """The report section: accuracy and the three consistencies per pooling, and the theory."""
    cfg = result["settings"]
    data = result["data"]
    lines = [
        "## Shift consistency (not in the paper; the field's standard test of pooling)",
        "",
        f"Fashion-MNIST, {data['train_examples']} training and {data['test_examples']} test images; a small net "
        f"(two 3×3 convs with {cfg['width']} and {2 * cfg['width']} filters, circular padding, each followed by "
        f"pooling by 2, then a 1×1 conv and a global average), Adam, {cfg['epochs']} epochs, {cfg['seeds']} "
        "seed(s); only the pooling differs. Consistency = fraction of test images whose predicted class is the "
        "same for two random shifts: circular (`torch.roll`, any offset; and offsets that are multiples of "
        f"{cfg['factor']}, the net's subsampling factor) and crop (two windows of a {cfg['pad']}-pixel "
        "background-padded image). Mean ± sd over seeds.",
        "",
        f"| pooling | test accuracy | circular | circular, multiples of {cfg['factor']} | crop | spectral − this, "
        "circular [95 % CI] |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["summary"]:
        diff = row.get("spectral_minus_this_circular")
        lines.append(
            f"| {POOL_TITLES[row['pool']]} | {_pct(row['accuracy'])} | {_pct(row['circular'])} | "
            f"{_pct(row['circular_exact'])} | {_pct(row['crop'])} | "
            f"{describe_difference(diff) if diff else ''} |"
        )
    lines += ["", THEORY, ""]
    return "\n".join(lines)
