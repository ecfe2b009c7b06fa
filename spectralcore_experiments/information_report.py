"""Figures and report section of experiment 1 (information preservation).

The measurements themselves are in :mod:`spectralcore_experiments.information`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

from spectralcore_experiments import atomic
from spectralcore_experiments.formatting import fmt
from spectralcore_experiments.information import GRID_STRIDES, TABLE_FRACTIONS, Grid, at_fraction, fraction_label, grid
from spectralcore_experiments.plotting import pyplot
from spectralcore_experiments.reconstruction import RULES, WINDOWS

FIGURES = {"curves": "info_curves.png", "grid": "info_grid.png"}

STYLE = {
    "sum": ("C0", "-", "spectral pooling, sum rule (ours)"),
    "average": ("C1", "--", "spectral pooling, average rule (paper)"),
    "max": ("C3", "s", "max pooling + nearest"),
    "avg": ("C2", "^", "average pooling + nearest"),
}


def curves_figure(datasets: dict[str, dict[str, Any]]) -> Any:
    """Loss against fraction kept: one panel per dataset, medians with their 25-75 % band or bars."""
    plt = pyplot()
    count = len(datasets)
    cols = count if count <= 3 else 2
    rows = math.ceil(count / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.4 * rows), squeeze=False, layout="constrained")
    for ax, entry in zip(axes.ravel(), datasets.values(), strict=False):
        for rule in RULES:
            color, line, label = STYLE[rule]
            curve = entry["spectral"][rule]
            ax.plot(curve["fraction"], curve["median"], line, color=color, label=f"{label}, median")
            if rule == "sum":
                ax.fill_between(curve["fraction"], curve["p25"], curve["p75"], color=color, alpha=0.25, lw=0)
            else:
                # The two rules' bands nearly coincide: outline the second one so that the first stays visible.
                for key in ("p25", "p75"):
                    ax.plot(curve["fraction"], curve[key], ":", color=color, lw=1)
        for kind in WINDOWS:
            color, marker, label = STYLE[kind]
            pts = entry["window"][kind]
            med = np.asarray(pts["median"])
            bars = np.stack([med - np.asarray(pts["p25"]), np.asarray(pts["p75"]) - med])
            ax.errorbar(
                pts["fraction"], med, yerr=bars, fmt=marker, color=color, ms=6, capsize=3, label=f"{label}, median"
            )
        ax.axvline(0.25, color="0.5", lw=0.8)
        ax.set_xscale("log")
        ax.set_ylim(bottom=0)
        ax.set_xlabel("fraction of parameters kept  h'w' / (hw)")
        ax.set_ylabel(r"relative loss  $\|x-\hat{x}\|\,/\,\|x\|$")
        ax.set_title(f"{entry['title']}  (N = {entry['count']})", fontsize=11)
        ax.grid(True, which="both", alpha=0.3)
    for ax in axes.ravel()[count:]:
        ax.set_visible(False)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=2, fontsize=9)
    fig.suptitle(
        "Information preservation: spectral vs max / average pooling "
        "(band, dotted lines and bars: 25–75 % of images; grey: 2×2, max pooling's largest fraction)",
        fontsize=11,
    )
    return fig


def grid_figure(reduced: Grid) -> Any:
    """The original and its reconstructions: spectral pooling (top row) and max pooling + nearest (bottom row)."""
    plt = pyplot()
    photo, name, recon, losses = reduced.photo, reduced.photo_name, reduced.reconstructions, reduced.losses
    cols = len(GRID_STRIDES) + 1
    fig, axes = plt.subplots(2, cols, figsize=(2.6 * cols, 5.9), squeeze=False, layout="constrained")
    rows = (("spectral", "spectral pooling (sum rule)"), ("max", "max pooling + nearest"))
    side = photo.shape[-1]
    for i, (key, label) in enumerate(rows):
        axes[i, 0].imshow(photo.transpose(1, 2, 0))
        axes[i, 0].set_title("original", fontsize=10)
        axes[i, 0].set_ylabel(label, fontsize=10)
        for j, stride in enumerate(GRID_STRIDES, start=1):
            # Clipped for display only: the losses are of the unclipped reconstructions.
            axes[i, j].imshow(np.clip(recon[key][j - 1], 0.0, 1.0).transpose(1, 2, 0))
            axes[i, j].set_title(
                f"{side // stride}×{side // stride}: 1/{stride * stride} kept\nloss {losses[key][j - 1]:.4g}",
                fontsize=10,
            )
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(f"{name}, {side}×{side} crop, pooled and brought back to full size", fontsize=11)
    return fig


def figures(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """Draw ``info_curves.png`` (from ``result``) and ``info_grid.png`` (recomputed: it shows images); return names."""
    plt = pyplot()
    for name, fig in (("curves", curves_figure(result["datasets"])), ("grid", grid_figure(grid()))):
        atomic.save_figure(fig, Path(out_dir) / FIGURES[name], dpi=120)
        plt.close(fig)
    return dict(FIGURES)


def _figure_link(result: dict[str, Any], name: str, report_dir: Path) -> str:
    """``name`` relative to ``report_dir``: ``info/<name>`` where it is there, else from the recorded out_dir."""
    report_dir = Path(report_dir)
    if (report_dir / "info" / name).exists() or "out_dir" not in result:
        return f"info/{name}"
    return Path(os.path.relpath(Path(result["out_dir"]) / name, report_dir.resolve())).as_posix()


def _ordering_sentence(result: dict[str, Any]) -> str:
    """Whether our medians show the paper's ordering (spectral below max pooling at every max-pooling size)."""
    agree: list[str] = []
    disagree: list[str] = []
    for entry in result["datasets"].values():
        rows = entry["comparison"]
        ok = all(r["median"][rule] < r["median"]["max"] for r in rows for rule in RULES)
        (agree if ok else disagree).append(entry["title"])
    if not disagree:
        return (
            "Here, too, the median loss of spectral pooling (both rules) is below max pooling's at every size where "
            "both exist, on every dataset."
        )
    return (
        "Here the median loss of spectral pooling (both rules) is below max pooling's at every common size for: "
        f"{', '.join(agree) or 'none'}; not for: {', '.join(disagree)}."
    )


def markdown(result: dict[str, Any], report_dir: Path) -> str:
    """The report section of experiment 1 (figure links relative to ``report_dir``)."""
    cfg = result["settings"]
    figs = result.get("figures", FIGURES)
    described = []
    for entry in result["datasets"].values():
        skipped = f", {entry['skipped_zero_norm']} all-zero skipped" if entry["skipped_zero_norm"] else ""
        described.append(f"{entry['title']} ({entry['count']} images{skipped})")
    lines = [
        "## Experiment 1: information preservation",
        "",
        "Each image x is pooled to fewer parameters, brought back to full size and compared with itself: relative "
        "loss ‖x − x̂‖ / ‖x‖ per image (over all its channels), against the fraction of parameters kept h′w′/(hw). "
        "Spectral pooling to every square size m = 1..n with `spectralcore.spectral_pool`, back with "
        "`spectral_upsample`, under both Nyquist rules: *sum* (ours, the `scipy.signal.resample` rule; "
        "upsample∘pool is then the orthogonal projection onto band-limited images, so the least loss) and "
        "*average* (the paper's Algorithm 1). Max and average pooling over non-overlapping s×s windows for every "
        "stride s ≥ 2 dividing n, back by nearest-neighbour upsampling (fraction 1/s²). "
        f"Data ({cfg['scale']} scale, seed {cfg['seed']}): " + "; ".join(described) + ".",
        "",
        f"![relative loss against fraction of parameters kept]({_figure_link(result, figs['curves'], report_dir)})",
        "",
        f"![spectral vs max pooling on a photo]({_figure_link(result, figs['grid'], report_dir)})",
        "",
    ]
    for entry in result["datasets"].values():
        lines += [
            f"**{entry['title']}** (n = {entry['n']}): median relative loss. Spectral columns at the square size m "
            "whose fraction is nearest; '–': no s×s window tiles the image.",
            "",
            "| kept | spectral m×m (kept) | spectral, sum | spectral, average | max pool | avg pool |",
            "|---|---|---|---|---|---|",
        ]
        for fraction in TABLE_FRACTIONS:
            row = at_fraction(entry, fraction)
            lines.append(
                f"| {fraction_label(fraction)} | {row['m']}×{row['m']} ({fmt(row['spectral_fraction'])}) | "
                f"{fmt(row['sum'])} | {fmt(row['average'])} | {fmt(row['max'])} | {fmt(row['avg'])} |"
            )
        lines.append("")
        two = next((r for r in entry["comparison"] if r["stride"] == 2), None)
        notes = []
        if two is not None:
            vs_max, vs_avg = two["sum_vs_max"], two["sum_vs_avg"]
            notes.append(
                f"At 2×2 the sum rule's loss is {fmt(vs_max['median_of_ratios'])}× max pooling's and "
                f"{fmt(vs_avg['median_of_ratios'])}× average pooling's (median of per-image ratios); it is below "
                f"max pooling's for {fmt(100 * vs_max['fraction_of_images_below'])} % of the images and below "
                f"average pooling's for {fmt(100 * vs_avg['fraction_of_images_below'])} %. (Average pooling + "
                "nearest is itself an orthogonal projection, onto block-constant images of the same dimension, so "
                "it can beat spectral pooling on individual images; max pooling is not a projection.)"
            )
        match = entry["match_max_2x2"]
        if match is not None:
            notes.append(
                f"Spectral pooling reaches max pooling's 2×2 median loss ({fmt(match['max_2x2_median'])}) already "
                f"at {match['m']}×{match['m']}, keeping {fmt(100 * match['fraction'])} % of the parameters "
                f"instead of 25 % ({fmt(match['parameter_ratio'])}× fewer)."
            )
        checks = entry["checks"]
        notes.append(
            f"Checks: sum − average loss ≤ {fmt(checks['sum_minus_average_max'])} over all images and sizes "
            f"(the sum rule never loses more); largest change of the sum-rule loss from m to m+1: "
            f"{fmt(checks['sum_max_increase_in_m'])} (nested projections: it never grows); norm='ortho' against "
            "'amplitude' on "
            f"{checks['norm_invariance_images']} images: losses differ by ≤ "
            f"{fmt(checks['norm_invariance_max_abs_diff'])}."
        )
        lines += [" ".join(notes), ""]
    pairing = result["nyquist_pairing"]
    worst_t = max(p["upsample_minus_avg_pool_transpose"] for p in pairing.values())
    worst_lit = max(p["upsample_minus_literal_zero_pad"] for p in pairing.values())
    lines += [
        "**Which upsampling goes with the paper's rule.** `spectral_upsample` has one rule: it zero-pads the "
        "spectrum and splits an even-length Nyquist bin into equal halves at ±m/2. That is the real part of the "
        "literal centred zero-padding (max deviation "
        f"{fmt(worst_lit)}), and under `norm='ortho'` it is the transpose of the average-rule pooling (max "
        f"deviation {fmt(worst_t)}), i.e. exactly the backward pass the paper describes. So both rules are "
        "paired with the same `spectral_upsample`; with the sum rule the pair is the orthogonal projection, with "
        "the average rule the Nyquist cosine of every even size is kept at half amplitude (per axis), which costs a "
        "little loss at even m (the curves coincide at odd m).",
        "",
        "**What the paper reported.** Fig. 4a (ImageNet validation images) shows spectral pooling reaching a given "
        "approximation loss with far fewer parameters than max pooling; max pooling can only remove ≥ 75 % of the "
        "parameters (2×2 is its smallest step), so it appears as a single level. Fig. 2 is a qualitative grid of "
        "an image reduced by both. " + _ordering_sentence(result),
        "",
        "**Choices the paper leaves open, and ours.** Max and average pooled maps are brought back to full size "
        "by nearest-neighbour upsampling (as in public reproductions); pooled sizes are square; the loss is per "
        "image over all channels, unclipped, with pixels in [0, 1] (the display in the grid is clipped); random "
        "crops of bundled photos, Fashion-MNIST and CIFAR test images stand in for ImageNet; the Nyquist bin of "
        "even sizes follows both rules (sum is the project's default). `info/info.json` has every statistic "
        "(mean, median, 10/25/75/90th percentiles per size).",
        "",
    ]
    return "\n".join(lines)
