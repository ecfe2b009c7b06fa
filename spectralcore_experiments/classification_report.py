"""Figures and report section of experiment 3 (classification with spectral pooling and frequency dropout).

The training itself is in :mod:`spectralcore_experiments.classification`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from spectralcore_experiments import atomic
from spectralcore_experiments.classification import CONFIG_TITLES
from spectralcore_experiments.datasets import title as title_of
from spectralcore_experiments.formatting import pct, pct_sd, relative
from spectralcore_experiments.plotting import pyplot
from spectralcore_experiments.statistics import describe_difference, mean_std


def figures(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """Draw ``classify_test_error.png`` and return its name.

    Test error per epoch of every configuration (mean ± sd over seeds), one panel per dataset.
    """
    plt = pyplot()
    from matplotlib.ticker import MaxNLocator

    datasets = list(result["data"])
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 3.8), squeeze=False)
    colors = {"spectral+fd": "tab:red", "spectral": "tab:orange", "max+fd": "tab:blue", "max": "tab:cyan"}
    for ax, dataset in zip(axes[0], datasets, strict=True):
        for config_name in result["settings"]["configs"]:
            curves = [r["test_error"] for r in result["runs"] if r["dataset"] == dataset and r["config"] == config_name]
            mean, std = mean_std(curves)
            epochs = np.arange(1, len(mean) + 1)
            ax.plot(epochs, 100 * mean, marker="o", ms=3, color=colors[config_name], label=CONFIG_TITLES[config_name])
            ax.fill_between(epochs, 100 * (mean - std), 100 * (mean + std), color=colors[config_name], alpha=0.2)
        ax.set_title(title_of(dataset))
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("test error (%)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Experiment 3: test error per epoch", fontsize=11)
    fig.tight_layout()
    path = out_dir / "classify_test_error.png"
    atomic.save_figure(fig, path, dpi=110)
    plt.close(fig)
    return {"test_error": path.name}


def markdown(result: dict[str, Any], report_dir: Path) -> str:
    """The report section of experiment 3."""
    cfg = result["settings"]
    out = Path(report_dir) / "classify"
    first = next(iter(result["runs"]), None)
    sizes = " → ".join(f"{h}×{w}" for h, w in first["stage_sizes"]) if first else ""
    fractions = ", ".join(f"{c:.3g}" for c in first["dropout_min_fractions"]) if first else ""
    lines = [
        "## Experiment 3: classification with spectral pooling and frequency dropout",
        "",
        f"M = {cfg['stages']} stages, width ×{cfg['width']:g} of the paper's filter counts, γ = {cfg['gamma']:g} "
        f"(feature maps {sizes}), frequency dropout minimum band fractions c_m = {fractions} "
        f"(α = {cfg['alpha']:g}, β = {cfg['beta']:g}); SGD with momentum {cfg['momentum']:g}, lr "
        f"{cfg['lr']:g} ({cfg['schedule']} schedule), weight decay {cfg['weight_decay']:g}, batch {cfg['batch']}, "
        f"{cfg['epochs']} epochs, no augmentation, {cfg['seeds']} seed(s). Every configuration starts from the "
        "same initial weights and sees the same minibatches.",
        "",
        f"![test error curves]({relative(out / result['figures']['test_error'], report_dir)})",
        "",
        "| dataset | configuration | training images | test error, last epoch | best epoch | train error "
        "(running) | parameters | paper |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in result["summary"]:
        data = result["data"][row["dataset"]]
        error = pct(row["final_test_error_mean"])
        if row["final_test_error_std"] is not None:
            error += f" ± {100 * row['final_test_error_std']:.2f}"
        lines.append(
            f"| {title_of(row['dataset'])} | {CONFIG_TITLES[row['config']]} | "
            f"{data['train_examples']} | {error} | {pct(row['best_test_error_mean'])} | "
            f"{pct(row['final_train_error_mean'])} | {row['parameters']:,} | "
            f"{pct(row['paper_error']) if row['paper_error'] is not None else ''} |"
        )
    lines += [
        "",
        "**Paired comparisons** (final test error; seed i of one configuration against seed i of the other, which "
        "start from the same weights and see the same minibatches). Difference = error of the first − error of the "
        "second, in percentage points, with its 95 % paired t interval over seeds; 'not significant' where the "
        "interval contains zero, 'n/a' with a single seed.",
        "",
        "| dataset | comparison | first, mean ± sd | second, mean ± sd | difference [95 % CI] |",
        "|---|---|---|---|---|",
    ]
    for row in result.get("comparisons", []):
        lines.append(
            f"| {title_of(row['dataset'])} | {CONFIG_TITLES[row['a']]} vs {CONFIG_TITLES[row['b']]} ({row['what']}) | "
            f"{pct_sd(row['mean_a'], row['sd_a'])} | {pct_sd(row['mean_b'], row['sd_b'])} | "
            f"{describe_difference(row['final_test_error'])} |"
        )
    lines += [
        "",
        "**What the paper reported.** With the full net (filters 128 … 288), the hyperparameters above found by "
        "Bayesian optimisation and no augmentation, spectral pooling with frequency dropout reached 8.6 % test "
        "error on CIFAR-10 and 31.6 % on CIFAR-100, against 9.78 / 34.57 % for deeply supervised nets and "
        "10.41 / 35.68 % for network in network. The paper gives no max-pooling ablation and no Fashion-MNIST "
        "number; the best-known public reproduction reached 18.76 / 51.83 %.",
        "",
        "**Choices the paper leaves open, and ours.** Weight decay, batch size, epochs and the schedule are ours "
        "(above), and so are M and He-normal initialisation (with PyTorch's default init this net stays at chance "
        "under SGD at M = 6). 'Same' padding; ReLU after every conv, none after pooling. The band R is drawn once "
        "per minibatch (the same for all samples), uniformly from the integers ⌈c_m·H_m⌉ … H_m, where H_m is the "
        "stage's pooled size (the paper writes ⌊c_m·H_m⌋ and leaves open which size H_m is); "
        "frequency dropout is off at test time. The max-pooling net uses adaptive max pooling to the same "
        "sizes as spectral pooling, so both nets have identical shapes and parameter counts. The quick scale "
        "trains narrow nets for a few epochs on a subset: its errors are far from converged and are not comparable "
        "with the "
        "paper's. The paper's setting is `--scale paper --device cuda --cifar-dir <CIFAR copy>`.",
        "",
    ]
    return "\n".join(lines)
