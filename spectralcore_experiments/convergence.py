"""Experiment 2: convergence speed of the spectral filter parameterization (paper §4, Fig. 5).

Each net (deep, generic, spectral-pooling) is trained twice from the *same* spatial initialisation: once with its
filters as spatial weights, once with the same filters re-parameterized by their real spectral coefficients
(``spectralcore_torch.SpectralConv2d``, exactly ``k*k`` reals per filter). Both use Adam, the same data order and
the same augmentation. Under plain SGD the two would follow identical trajectories (an orthogonal change of
variables); Adam's per-coordinate scaling is what differs.

Speed-up (the paper's definition): the number of epochs the spatial net needs to reach its best test error,
divided by the number of epochs the spectral net needs to reach that same error.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from spectralcore_experiments import splits, statistics, training
from spectralcore_experiments.formatting import fmt, pct
from spectralcore_experiments.options import finite, require, training_device

NETS = ("deep", "generic", "spectral_pool")
NET_TITLES = {"deep": "deep", "generic": "generic", "spectral_pool": "spectral-pooling"}
PARAMETERIZATIONS = ("spatial", "spectral")
# Paper, Fig. 5 / §4.2 (CIFAR-10): speed-up of the spectral parameterization.
PAPER_SPEEDUP = {("deep", 3): 2.2, ("deep", 5): 4.8, ("generic", 3): 2.2, ("generic", 5): 5.1}
PAPER_SPEEDUP.update({("spectral_pool", 3): 2.4, ("spectral_pool", 5): 4.8})

# Per scale: net width multiplier, training/test examples (0: all), epochs, batch, Adam learning rate, dropout, seeds.
SCALES: dict[str, dict[str, Any]] = {
    "tiny": {"width": 1 / 16, "train": 128, "test": 128, "epochs": 2, "batch": 64, "lr": 2e-3, "dropout": 0.0},
    "quick": {"width": 1 / 8, "train": 1024, "test": 1000, "epochs": 8, "batch": 64, "lr": 2e-3, "dropout": 0.0},
    "standard": {"width": 1 / 8, "train": 10000, "test": 2000, "epochs": 12, "batch": 64, "lr": 2e-3, "dropout": 0.0},
    "paper": {"width": 1.0, "train": 0, "test": 0, "epochs": 40, "batch": 128, "lr": 3e-4, "dropout": 0.5},
}
SEEDS = {"tiny": 1, "quick": 3, "standard": 3, "paper": 3}
# Bounds of the options (beyond them a run is a mistake, not an experiment).
MAX_EPOCHS = 10_000
MAX_WIDTH = 4.0
MAX_SEEDS = 1000
MAX_KERNEL = 15


def add_arguments(group: argparse._ArgumentGroup) -> None:
    """Options of experiment 2 (``--conv-*``); unset ones take the ``--scale`` preset."""
    group.add_argument(
        "--conv-dataset",
        choices=("auto", "fashion-mnist", "cifar"),
        default="auto",
        help="training data (default auto: CIFAR when --cifar-dir is given, as in the paper, else Fashion-MNIST)",
    )
    group.add_argument("--conv-nets", nargs="+", choices=NETS, default=list(NETS), help="nets to train (default all)")
    group.add_argument(
        "--conv-kernels",
        nargs="+",
        type=int,
        default=[3, 5],
        help=f"conv kernel sizes, odd, at most {MAX_KERNEL} (default 3 5)",
    )
    group.add_argument(
        "--conv-seeds", type=int, default=None, help="seeds per configuration (tiny: 1, quick, standard and paper: 3)"
    )
    group.add_argument(
        "--conv-epochs",
        type=int,
        default=None,
        help="epochs per run, at least 2 (tiny: 2, quick: 8, standard: 12, paper: 40)",
    )
    group.add_argument("--conv-width", type=float, default=None, help="width multiplier (quick: 1/8, paper: 1)")
    group.add_argument(
        "--conv-train-size",
        type=int,
        default=None,
        help="training examples, 0 = all (quick: 1024, standard: 10000, paper: all)",
    )
    group.add_argument(
        "--conv-test-size", type=int, default=None, help="test examples, 0 = all (quick: 1000, standard: 2000)"
    )
    group.add_argument("--conv-lr", type=float, default=None, help="Adam learning rate (quick: 2e-3, paper: 3e-4)")
    group.add_argument(
        "--conv-augment",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="random translations (±2 px) and horizontal flips, as in the paper (default on)",
    )


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The scale preset with the command line's overrides applied and checked.

    Raises
    ------
    OptionError
        An option is out of range, or ``--conv-dataset cifar`` lacks ``--cifar-dir`` (the message names it).
    """
    preset = dict(SCALES[args.scale])
    overrides = {
        "epochs": args.conv_epochs,
        "width": args.conv_width,
        "train": args.conv_train_size,
        "test": args.conv_test_size,
        "lr": args.conv_lr,
    }
    preset.update({key: value for key, value in overrides.items() if value is not None})
    seeds = SEEDS[args.scale] if args.conv_seeds is None else args.conv_seeds
    require("--conv-epochs", preset["epochs"], 2 <= preset["epochs"] <= MAX_EPOCHS, f"an integer in [2, {MAX_EPOCHS}]")
    require(
        "--conv-width",
        preset["width"],
        finite(preset["width"]) and 0 < preset["width"] <= MAX_WIDTH,
        f"a width multiplier in (0, {MAX_WIDTH:g}]",
    )
    require("--conv-seeds", seeds, 1 <= seeds <= MAX_SEEDS, f"an integer in [1, {MAX_SEEDS}]")
    require("--conv-train-size", preset["train"], preset["train"] >= 0, "a count >= 0 (0 = all)")
    require("--conv-test-size", preset["test"], preset["test"] >= 0, "a count >= 0 (0 = all)")
    require("--conv-lr", preset["lr"], finite(preset["lr"]) and preset["lr"] > 0, "a positive finite number")
    for k in args.conv_kernels:
        require("--conv-kernels", k, 1 <= k <= MAX_KERNEL and k % 2 == 1, f"odd sizes in [1, {MAX_KERNEL}]")
    splits.dataset_choices(args, _dataset_choice(args))
    preset["augment"] = bool(args.conv_augment)
    preset["seeds"] = int(seeds)
    preset["nets"] = list(dict.fromkeys(args.conv_nets))
    preset["kernels"] = list(dict.fromkeys(args.conv_kernels))
    return preset


def _dataset_choice(args: argparse.Namespace) -> str:
    """``--conv-dataset``, with ``auto`` resolved: CIFAR when ``--cifar-dir`` is given (as the paper), else
    Fashion-MNIST."""
    if args.conv_dataset == "auto":
        return "cifar" if args.cifar_dir is not None else "fashion-mnist"
    return str(args.conv_dataset)


def speedup(spatial: list[float], spectral: list[float]) -> dict[str, Any]:
    """The paper's speed-up from two error curves (index ``i`` = error after epoch ``i + 1``).

    Returns the spatial net's best error, the epoch it first reaches it, the epoch the spectral net first reaches
    that error (``None`` if never), and their ratio (``None`` if never reached).
    """
    best = min(spatial)
    spatial_epoch = spatial.index(best) + 1
    reached = [i + 1 for i, value in enumerate(spectral) if value <= best]
    spectral_epoch = reached[0] if reached else None
    ratio = spatial_epoch / spectral_epoch if spectral_epoch else None
    return {"best_error": best, "spatial_epoch": spatial_epoch, "spectral_epoch": spectral_epoch, "speedup": ratio}


def build_net(name: str, split: splits.Split, kernel: int, cfg: dict[str, Any]) -> torch.nn.Module:
    """The spatial net ``name`` for ``split``'s images, initialised from torch's current seed."""
    from spectralcore_torch import models

    kwargs: dict[str, Any] = {
        "in_channels": split.channels,
        "num_classes": split.classes,
        "kernel_size": kernel,
        "width": cfg["width"],
        "parameterization": "spatial",
    }
    if name in ("deep", "generic"):
        kwargs["dropout"] = cfg["dropout"]
    if name in ("generic", "spectral_pool"):
        kwargs["input_size"] = split.size
    if name == "spectral_pool":
        kwargs["generator"] = torch.Generator(device=split.train.images.device)
    return models.build_model(name, **kwargs)


def run(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Train every (net, kernel, seed) in both parameterizations; return the curves and speed-ups (JSON-able)."""
    from spectralcore_torch import models

    start = time.perf_counter()
    cfg = settings(args)
    device = training_device(args.device)
    (dataset,) = splits.datasets_to_run(args, _dataset_choice(args))
    split = splits.load_split(args, dataset, train_count=cfg["train"], test_count=cfg["test"], device=device)
    print(
        f"[convergence] {split.title}: {len(split.train)} train / {len(split.test)} test images, "
        f"{cfg['epochs']} epochs, width {cfg['width']:g}, Adam lr {cfg['lr']:g}, augment {cfg['augment']}",
        flush=True,
    )
    runs: list[dict[str, Any]] = []
    for net in cfg["nets"]:
        for kernel in cfg["kernels"]:
            for seed_index in range(cfg["seeds"]):
                seed = training.run_seed(args.seed, "convergence", net, kernel, seed_index)
                torch.manual_seed(seed)
                spatial_net = build_net(net, split, kernel, cfg).to(device)
                twins = {
                    "spatial": spatial_net,
                    "spectral": models.with_parameterization(spatial_net, "spectral"),
                }
                config = training.TrainConfig(
                    epochs=cfg["epochs"],
                    batch_size=cfg["batch"],
                    optimizer="adam",
                    lr=cfg["lr"],
                    augment=cfg["augment"],
                    translate=2,
                    flip=True,
                    seed=seed,
                    train_eval_size=min(len(split.train), 2000),
                )
                for parameterization, model in twins.items():
                    name = f"{net}-k{kernel}-{parameterization}-s{seed_index}"
                    extra = {
                        "experiment": "convergence",
                        "net": net,
                        "kernel": kernel,
                        "parameterization": parameterization,
                        "seed_index": seed_index,
                        "width": cfg["width"],
                        "dropout": cfg["dropout"],
                        **split.describe(),
                    }
                    run_dir = out_dir / "runs" / name
                    record = training.train_run(
                        model,
                        split.train,
                        split.test,
                        config,
                        run_dir,
                        name=name,
                        extra=extra,
                        resume=args.resume,
                        progress=not args.no_progress,
                    )
                    runs.append(record)
    result: dict[str, Any] = {
        "experiment": "convergence",
        "settings": {**cfg, "optimizer": "adam", "base_seed": args.seed, "device": str(device)},
        "data": split.describe(),
        "runs": runs,
        "summary": summarize(runs, cfg),
    }
    result["elapsed_seconds"] = time.perf_counter() - start
    print_table(result)
    return result


def group(runs: list[dict[str, Any]], net: str, kernel: int, parameterization: str) -> list[dict[str, Any]]:
    """The runs of one (net, kernel, parameterization), in seed order."""
    chosen = [r for r in runs if (r["net"], r["kernel"], r["parameterization"]) == (net, kernel, parameterization)]
    return sorted(chosen, key=lambda r: r["seed_index"])


def summarize(runs: list[dict[str, Any]], cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """Per (net, kernel): speed-ups per seed and of the seed-averaged curves, on test and on train error."""
    rows = []
    for net in cfg["nets"]:
        for kernel in cfg["kernels"]:
            spatial = group(runs, net, kernel, "spatial")
            spectral = group(runs, net, kernel, "spectral")
            row: dict[str, Any] = {"net": net, "kernel": kernel, "paper_speedup": PAPER_SPEEDUP.get((net, kernel))}
            for metric in ("test_error", "train_error"):
                per_seed = [speedup(a[metric], b[metric]) for a, b in zip(spatial, spectral, strict=True)]
                mean_spatial, _ = statistics.mean_std([r[metric] for r in spatial])
                mean_spectral, _ = statistics.mean_std([r[metric] for r in spectral])
                values = [s["speedup"] for s in per_seed if s["speedup"] is not None]
                # Spectral against spatial, seed by seed: the final error (negative: spectral lower), and the
                # speed-up against 1 (no speed-up), over the seeds where the spectral net reached the target.
                final_difference = statistics.paired_difference(
                    [r[metric][-1] for r in spectral], [r[metric][-1] for r in spatial]
                )
                speedup_vs_one = statistics.paired_difference(values, [1.0] * len(values)) if values else None
                row[metric] = {
                    "final_difference": final_difference,
                    "speedup_vs_one": speedup_vs_one,
                    "per_seed": per_seed,
                    "speedup_mean": float(np.mean(values)) if values else None,
                    "speedup_std": float(np.std(values, ddof=1)) if len(values) > 1 else None,
                    "not_reached": sum(s["speedup"] is None for s in per_seed),
                    "of_mean_curves": speedup(mean_spatial.tolist(), mean_spectral.tolist()),
                    "final_spatial": float(mean_spatial[-1]),
                    "final_spectral": float(mean_spectral[-1]),
                }
            rows.append(row)
    return rows


def print_table(result: dict[str, Any]) -> None:
    """Compact console summary."""
    print("[convergence] net            k  best spatial test err  speed-up (mean of seeds)  paper", flush=True)
    for row in result["summary"]:
        test = row["test_error"]
        best = test["of_mean_curves"]["best_error"]
        value = fmt(test["speedup_mean"], 3)
        print(
            f"[convergence] {NET_TITLES[row['net']]:<16} {row['kernel']}  {pct(best):>21}  "
            f"{value:>24}  {fmt(row['paper_speedup'], 2)}",
            flush=True,
        )
