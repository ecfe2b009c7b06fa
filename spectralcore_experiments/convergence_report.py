"""Figures and report section of experiment 2 (convergence speed of the spectral parameterization).

The training itself is in :mod:`spectralcore_experiments.convergence`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from spectralcore_experiments import atomic
from spectralcore_experiments.convergence import NET_TITLES, group
from spectralcore_experiments.datasets import title as title_of
from spectralcore_experiments.formatting import fmt, pct, pct_sd, relative
from spectralcore_experiments.plotting import pyplot
from spectralcore_experiments.statistics import describe_difference, mean_sd, mean_std


def figures(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """Draw ``convergence_test_error.png`` and ``convergence_train_error.png``; return their names.

    Error curves (mean ± one standard deviation over seeds), one panel per (kernel, net); test and train.
    """
    plt = pyplot()
    cfg = result["settings"]
    names = {}
    for metric in ("test_error", "train_error"):
        rows, cols = len(cfg["kernels"]), len(cfg["nets"])
        fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False, sharex=True)
        for i, kernel in enumerate(cfg["kernels"]):
            for j, net in enumerate(cfg["nets"]):
                ax = axes[i][j]
                for parameterization, color in (("spatial", "tab:blue"), ("spectral", "tab:red")):
                    curves = [r[metric] for r in group(result["runs"], net, kernel, parameterization)]
                    mean, std = mean_std(curves)
                    epochs = np.arange(1, len(mean) + 1)
                    ax.plot(epochs, 100 * mean, color=color, label=f"{parameterization} (n={len(curves)})")
                    ax.fill_between(epochs, 100 * (mean - std), 100 * (mean + std), color=color, alpha=0.2)
                summary = next(s for s in result["summary"] if (s["net"], s["kernel"]) == (net, kernel))
                mean_speedup = summary[metric]["speedup_mean"]
                note = f"speed-up {mean_speedup:.2f}×" if mean_speedup is not None else "speed-up: not reached"
                ax.set_title(f"{NET_TITLES[net]}, {kernel}×{kernel}: {note}", fontsize=10)
                ax.set_xlabel("epoch")
                ax.set_ylabel(f"{metric.replace('_', ' ')} (%)")
                ax.grid(alpha=0.3)
                ax.legend(fontsize=8)
        title = result["data"]["dataset"]
        fig.suptitle(
            f"Experiment 2: spatial vs spectral parameterization, Adam, {title_of(title)} "
            f"({metric.replace('_', ' ')}, mean ± sd over seeds)",
            fontsize=11,
        )
        fig.tight_layout()
        path = out_dir / f"convergence_{metric}.png"
        atomic.save_figure(fig, path, dpi=110)
        plt.close(fig)
        names[metric] = path.name
    return names


def markdown(result: dict[str, Any], report_dir: Path) -> str:
    """The report section of experiment 2."""
    cfg = result["settings"]
    data = result["data"]
    out = Path(report_dir) / "convergence"
    title = title_of(data["dataset"])
    lines = [
        "## Experiment 2: convergence speed of the spectral parameterization",
        "",
        f"{title}, {data['train_examples']} of {data['train_available']} training images, "
        f"{data['test_examples']} of {data['test_available']} test images; {cfg['epochs']} epochs, batch "
        f"{cfg['batch']}, Adam (lr {cfg['lr']:g}), width ×{cfg['width']:g} of the paper's filter counts, "
        f"augmentation {'on (±2 px translations, horizontal flips)' if cfg['augment'] else 'off'}, "
        f"{cfg['seeds']} seeds. Each spectral net starts from the spectral coefficients of its spatial twin's "
        "initial filters, so both compute the same function at epoch 0 and see the same minibatches.",
        "",
        f"![test error curves]({relative(out / result['figures']['test_error'], report_dir)})",
        "",
        f"![train error curves]({relative(out / result['figures']['train_error'], report_dir)})",
        "",
        "Speed-up = epochs the spatial net needs to reach its best test error ÷ epochs the spectral net needs to "
        "reach that error. Per seed, then mean ± sd over the seeds where the spectral net got there; 'of mean "
        "curves' applies the definition to the seed-averaged curves.",
        "",
        "| net | kernel | spatial best test error (mean curve) | spatial epoch | spectral epoch | speed-up, mean of "
        "seeds | speed-up, of mean curves | speed-up on train error | paper (CIFAR-10) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["summary"]:
        test = row["test_error"]
        curves = test["of_mean_curves"]
        mean_speedup = fmt(test["speedup_mean"], 3)
        if test["speedup_std"] is not None:
            mean_speedup += f" ± {fmt(test['speedup_std'], 2)}"
        if test["not_reached"]:
            mean_speedup += f" ({test['not_reached']} seed(s) not reached)"
        lines.append(
            f"| {NET_TITLES[row['net']]} | {row['kernel']}×{row['kernel']} | {pct(curves['best_error'])} | "
            f"{curves['spatial_epoch']} | {curves['spectral_epoch'] or 'never'} | {mean_speedup} | "
            f"{fmt(curves['speedup'], 3)} | {fmt(row['train_error']['speedup_mean'], 3)} | "
            f"{fmt(row['paper_speedup'], 2)} |"
        )
    lines += [
        "",
        "**Spectral against spatial parameterization, paired over seeds** (95 % paired t intervals; 'not "
        "significant' where the interval contains zero, 'n/a' with one seed). Final test error: spectral − "
        "spatial, in percentage points. Speed-up: its mean − 1 over the seeds where the spectral net reached the "
        "spatial net's best error (> 0: faster).",
        "",
        "| net | kernel | final test error, spatial | final test error, spectral | difference [95 % CI] | "
        "speed-up − 1 [95 % CI] |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["summary"]:
        test = row["test_error"]
        spatial = [r["test_error"][-1] for r in group(result["runs"], row["net"], row["kernel"], "spatial")]
        spectral = [r["test_error"][-1] for r in group(result["runs"], row["net"], row["kernel"], "spectral")]
        versus_one = test.get("speedup_vs_one")
        speed = describe_difference(versus_one, scale=1.0, unit="") if versus_one is not None else "never reached"
        lines.append(
            f"| {NET_TITLES[row['net']]} | {row['kernel']}×{row['kernel']} | {pct_sd(*mean_sd(spatial))} | "
            f"{pct_sd(*mean_sd(spectral))} | {describe_difference(test['final_difference'])} | {speed} |"
        )
    lines += [
        "",
        "**What the paper reported.** On CIFAR-10 with Adam and augmentation, the spectral parameterization "
        "reached the spatial net's best error 2.2× (deep, 3×3), 4.8× (deep, 5×5), 2.2× / 5.1× (generic) and "
        "2.4× / 4.8× (spectral-pooling net) sooner, with larger gains for larger kernels. It attributes the gain to "
        "Adam's per-coordinate step sizes acting on a sparser, better conditioned set of coordinates.",
        "",
        "**Choices the paper leaves open, and ours.** Learning rate, batch size, epochs and the dropout rate are "
        "not given: see the settings above (`convergence.json` has all of them). He-normal initialisation; 'same' "
        "padding; max pooling "
        "3×3 stride 2; global average before the classifier of the deep and spectral-pooling nets; the "
        "spectral-pooling net uses M = 3 stages with its frequency dropout on. HSV jitter is not applied "
        "(Fashion-MNIST is grey). The quick scale uses a small subset and narrow nets, so its speed-ups are "
        "indicative only: the paper's numbers are for full-width nets trained to convergence on all of CIFAR-10 "
        "(`--scale paper --device cuda --cifar-dir ...`).",
        "",
    ]
    return "\n".join(lines)
