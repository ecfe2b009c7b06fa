"""Figures and report section of the hyper-parameter search.

The search itself is in :mod:`spectralcore_experiments.tuning`; this module only reads its result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from spectralcore_experiments import atomic
from spectralcore_experiments.formatting import fmt, pct, relative
from spectralcore_experiments.plotting import pyplot
from spectralcore_experiments.tuning import paper_comparison, states_of


def figures(result: dict[str, Any], out_dir: Path) -> dict[str, str]:
    """Draw ``tune_history.png`` (and ``tune_importances.png`` when there are importances); return their names.

    The history shows every complete trial's validation error and the best so far, as Optuna's
    ``plot_optimization_history`` does.
    """
    plt = pyplot()
    names: dict[str, str] = {}
    done = [t for t in result["trials"] if t["state"] == "COMPLETE"]
    fig, ax = plt.subplots(figsize=(6.0, 3.8))
    numbers = np.array([t["number"] for t in done])
    values = np.array([t["value"] for t in done], dtype=float)
    ax.scatter(numbers, 100 * values, s=14, color="tab:blue", label="complete trial")
    if len(values):
        ax.step(numbers, 100 * np.minimum.accumulate(values), where="post", color="tab:red", label="best so far")
    pruned = [t for t in result["trials"] if t["state"] == "PRUNED" and t["validation_error"]]
    if pruned:
        ax.scatter(
            [t["number"] for t in pruned],
            [100 * t["validation_error"][-1] for t in pruned],
            s=10,
            marker="x",
            color="tab:gray",
            label="pruned (last reported)",
        )
    ax.set_xlabel("trial")
    ax.set_ylabel("validation error (%)")
    ax.set_title(f"Optimisation history: {result['study']}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path = out_dir / "tune_history.png"
    atomic.save_figure(fig, path, dpi=110)
    plt.close(fig)
    names["history"] = path.name
    if result["importances"]:
        items = sorted(result["importances"].items(), key=lambda item: item[1])
        fig, ax = plt.subplots(figsize=(5.5, 0.35 * len(items) + 1.2))
        ax.barh([name for name, _ in items], [value for _, value in items], color="tab:green")
        ax.set_xlabel("importance (fANOVA, share of the variance)")
        ax.set_title("Hyper-parameter importances", fontsize=10)
        fig.tight_layout()
        path = out_dir / "tune_importances.png"
        atomic.save_figure(fig, path, dpi=110)
        plt.close(fig)
        names["importances"] = path.name
    return names


def markdown(result: dict[str, Any], report_dir: Path) -> str:
    """The report section of the search (the storage is already masked in the result)."""
    out = Path(report_dir) / "tune"
    cfg = result["settings"]
    counts = ", ".join(f"{count} {state.lower()}" for state, count in sorted(states_of(result).items()))
    best = result["best"]
    lines = [
        "## Hyper-parameter search (paper §5.1, on Optuna)",
        "",
        f"Study `{result['study']}` in {result['storage']}: {len(result['trials'])} trials ({counts}), sampler "
        f"`{cfg['sampler']}`, median pruner on the per-epoch validation error, {cfg['epochs']} epochs per trial, "
        f"width {cfg['width']:g}, {result['data']['train_examples']} training examples of which "
        f"{cfg['val_fraction']:g} held out for validation. Rerunning the same command continues the study.",
        "",
        f"Best trial {best['number']}: validation error {pct(best['validation_error'])}. Retrained on the whole "
        f"training set: **test error {pct(result['retrain']['test_error'])}** (the only use of the test set).",
        "",
        "| parameter | found | paper |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {fmt(found)} | {fmt(paper)} |" for name, found, paper in paper_comparison(best)]
    lines.append("")
    for key, caption in (("history", "Optimisation history"), ("importances", "Parameter importances")):
        if key in result.get("figures", {}):
            lines += [f"![{caption}]({relative(out / result['figures'][key], report_dir)})", ""]
    if not result["importances"]:
        lines += [f"Parameter importances: not computed ({result['importances_note']}).", ""]
    return "\n".join(lines)
