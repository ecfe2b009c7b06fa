"""Experiment 3: classification with spectral pooling and frequency dropout (paper §5.1).

The net (``spectralcore_torch.models.SpectralPoolNet``): for m = 1..M a 3×3 conv with min(96 + 32m, 288) filters
and ReLU, then spectral pooling to ⌊γ·H_m⌋; then a 1×1 conv, a 1×1 conv to the classes and a global average.
Frequency dropout keeps a random low-pass band whose relative size is at least c_m = α + (m/M)(β − α).

It is compared with the same net where max pooling (adaptive, to the same sizes) replaces spectral pooling, each
with and without frequency dropout. Weight decay is the only other regulariser, as in the paper.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from spectralcore_experiments import datasets, splits, statistics, training
from spectralcore_experiments.formatting import pct
from spectralcore_experiments.options import OptionError, finite, require, training_device

# (pooling, frequency dropout) of each compared configuration, in report order.
CONFIGS: dict[str, tuple[str, bool]] = {
    "spectral+fd": ("spectral", True),
    "spectral": ("spectral", False),
    "max+fd": ("max", True),
    "max": ("max", False),
}
CONFIG_TITLES = {
    "spectral+fd": "spectral pooling + frequency dropout",
    "spectral": "spectral pooling",
    "max+fd": "max pooling + frequency dropout",
    "max": "max pooling",
}
# The paired comparisons of the report: (a, b, what it tests); the difference is error(a) - error(b), per seed.
COMPARISONS: tuple[tuple[str, str, str], ...] = (
    ("spectral+fd", "max", "the paper's net against max pooling"),
    ("spectral", "max", "spectral against max pooling, no frequency dropout"),
    ("spectral+fd", "max+fd", "spectral against max pooling, both with frequency dropout"),
    ("spectral+fd", "spectral", "frequency dropout, with spectral pooling"),
    ("max+fd", "max", "frequency dropout, with max pooling"),
)
# Paper, Table 1 (test error, no augmentation), spectral pooling + frequency dropout.
PAPER_ERROR = {"cifar10": 0.086, "cifar100": 0.316}
# Reported optimum of the paper's Bayesian optimisation.
PAPER_HYPERPARAMETERS = {"gamma": 0.85, "alpha": 0.30, "beta": 0.15, "momentum": 0.95, "lr": 0.0088}

# The two configurations the paper's claim is about (spectral pooling + frequency dropout against max pooling).
CLAIM_CONFIGS = ["spectral+fd", "max"]
SCALES: dict[str, dict[str, Any]] = {
    "tiny": {"width": 1 / 8, "stages": 3, "train": 768, "test": 256, "epochs": 3, "batch": 32, "seeds": 1},
    "quick": {"width": 1 / 8, "stages": 6, "train": 5000, "test": 5000, "epochs": 4, "batch": 32, "seeds": 3},
    "standard": {
        "width": 1 / 8,
        "stages": 6,
        "train": 0,
        "test": 0,
        "epochs": 8,
        "batch": 32,
        "seeds": 3,
        "configs": CLAIM_CONFIGS,
    },
    "paper": {"width": 1.0, "stages": 6, "train": 0, "test": 0, "epochs": 120, "batch": 128, "seeds": 1},
}
# Bounds of the options (beyond them a run is a mistake, not an experiment).
MAX_EPOCHS = 10_000
MAX_WIDTH = 4.0
MAX_SEEDS = 1000


def add_arguments(group: argparse._ArgumentGroup) -> None:
    """Options of experiment 3 (``--cls-*``); unset ones take the ``--scale`` preset."""
    group.add_argument(
        "--cls-dataset",
        choices=("auto", "fashion-mnist", "cifar"),
        default="auto",
        help="data (default auto: Fashion-MNIST, plus CIFAR when --cifar-dir is given)",
    )
    group.add_argument(
        "--cls-configs",
        nargs="+",
        choices=list(CONFIGS),
        default=None,
        help="configurations to compare (default: all four; standard scale: spectral+fd and max)",
    )
    group.add_argument(
        "--cls-epochs", type=int, default=None, help="epochs (tiny: 3, quick: 4, standard: 8, paper: 120)"
    )
    group.add_argument("--cls-width", type=float, default=None, help="width multiplier (quick: 1/8, paper: 1)")
    group.add_argument(
        "--cls-stages", type=int, default=None, help="M, the number of conv+pool stages (quick, paper: 6)"
    )
    group.add_argument(
        "--cls-train-size", type=int, default=None, help="training examples, 0 = all (quick: 5000, standard: all)"
    )
    group.add_argument(
        "--cls-test-size", type=int, default=None, help="test examples, 0 = all (quick: 5000, standard: all)"
    )
    group.add_argument(
        "--cls-seeds", type=int, default=None, help="seeds per configuration (tiny, paper: 1; quick, standard: 3)"
    )
    group.add_argument("--cls-gamma", type=float, default=0.85, help="pooling factor γ (paper's optimum 0.85)")
    group.add_argument("--cls-alpha", type=float, default=0.30, help="frequency dropout c_m at m=0 (paper 0.30)")
    group.add_argument("--cls-beta", type=float, default=0.15, help="frequency dropout c_m at m=M (paper 0.15)")
    group.add_argument("--cls-lr", type=float, default=0.0088, help="SGD learning rate (paper 0.0088)")
    group.add_argument("--cls-momentum", type=float, default=0.95, help="SGD momentum (paper 0.95)")
    group.add_argument(
        "--cls-weight-decay", type=float, default=5e-4, help="weight decay (paper: not given; default 5e-4)"
    )
    group.add_argument(
        "--cls-schedule",
        choices=("cosine", "constant"),
        default="cosine",
        help="learning-rate schedule (paper: not given; default cosine)",
    )


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The scale preset with the command line's overrides applied and checked.

    Raises
    ------
    OptionError
        An option is out of range, the net does not fit the images (``--cls-stages`` with ``--cls-gamma``), or
        ``--cls-dataset cifar`` lacks ``--cifar-dir`` (the message names the options).
    """
    cfg = dict(SCALES[args.scale])
    overrides = {
        "epochs": args.cls_epochs,
        "width": args.cls_width,
        "stages": args.cls_stages,
        "train": args.cls_train_size,
        "test": args.cls_test_size,
        "seeds": args.cls_seeds,
    }
    cfg.update({key: value for key, value in overrides.items() if value is not None})
    cfg.update(
        {
            "gamma": args.cls_gamma,
            "alpha": args.cls_alpha,
            "beta": args.cls_beta,
            "lr": args.cls_lr,
            "momentum": args.cls_momentum,
            "weight_decay": args.cls_weight_decay,
            "schedule": args.cls_schedule,
            "configs": list(dict.fromkeys(args.cls_configs or cfg.get("configs", list(CONFIGS)))),
        }
    )
    require("--cls-epochs", cfg["epochs"], 1 <= cfg["epochs"] <= MAX_EPOCHS, f"an integer in [1, {MAX_EPOCHS}]")
    require(
        "--cls-width",
        cfg["width"],
        finite(cfg["width"]) and 0 < cfg["width"] <= MAX_WIDTH,
        f"a width multiplier in (0, {MAX_WIDTH:g}]",
    )
    require("--cls-stages", cfg["stages"], cfg["stages"] >= 1, "a positive integer")
    require("--cls-train-size", cfg["train"], cfg["train"] >= 0, "a count >= 0 (0 = all)")
    require("--cls-test-size", cfg["test"], cfg["test"] >= 0, "a count >= 0 (0 = all)")
    require("--cls-seeds", cfg["seeds"], 1 <= cfg["seeds"] <= MAX_SEEDS, f"an integer in [1, {MAX_SEEDS}]")
    for option, key in (("--cls-gamma", "gamma"), ("--cls-alpha", "alpha"), ("--cls-beta", "beta")):
        require(option, cfg[key], 0 < cfg[key] <= 1, "a number in (0, 1]")
    require("--cls-lr", cfg["lr"], finite(cfg["lr"]) and cfg["lr"] > 0, "a positive finite number")
    require("--cls-momentum", cfg["momentum"], 0 <= cfg["momentum"] < 1, "a number in [0, 1)")
    require(
        "--cls-weight-decay",
        cfg["weight_decay"],
        finite(cfg["weight_decay"]) and cfg["weight_decay"] >= 0,
        "a finite number >= 0",
    )
    for choice in splits.dataset_choices(args, args.cls_dataset):
        _check_net_fits(cfg, "cifar10" if choice == "cifar" else choice)
    return cfg


def _check_net_fits(cfg: dict[str, Any], dataset: str) -> None:
    """Build the net once, at a negligible width, to check that M stages of pooling by γ fit the dataset's images."""
    from spectralcore_torch import models

    height, _, channels = datasets.IMAGE_SHAPES[dataset]
    try:
        models.SpectralPoolNet(
            channels,
            10,
            input_size=height,
            num_stages=cfg["stages"],
            gamma=cfg["gamma"],
            alpha=cfg["alpha"],
            beta=cfg["beta"],
            width=1e-3,
        )
    except ValueError as exc:
        raise OptionError(
            f"--cls-stages {cfg['stages']} with --cls-gamma {cfg['gamma']:g}: the net does not fit the "
            f"{height}×{height} images of {'CIFAR' if dataset == 'cifar10' else datasets.title(dataset)} ({exc})"
        ) from exc


def run(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Train every configuration on every dataset; return the curves and the error table (JSON-able)."""
    from spectralcore_torch import models

    start = time.perf_counter()
    cfg = settings(args)
    device = training_device(args.device)
    results: list[dict[str, Any]] = []
    data_info: dict[str, Any] = {}
    for dataset in splits.datasets_to_run(args, args.cls_dataset):
        split = splits.load_split(args, dataset, train_count=cfg["train"], test_count=cfg["test"], device=device)
        data_info[dataset] = split.describe()
        print(
            f"[classify] {split.title}: {len(split.train)} train / {len(split.test)} test images, "
            f"{cfg['epochs']} epochs, M={cfg['stages']}, width {cfg['width']:g}",
            flush=True,
        )
        for seed_index in range(cfg["seeds"]):
            seed = training.run_seed(args.seed, "classify", dataset, seed_index)
            for config_name in cfg["configs"]:
                pool, frequency_dropout = CONFIGS[config_name]
                # The same seed for every configuration: identical initial conv weights and data order.
                torch.manual_seed(seed)
                model = models.SpectralPoolNet(
                    split.channels,
                    split.classes,
                    input_size=split.size,
                    num_stages=cfg["stages"],
                    gamma=cfg["gamma"],
                    alpha=cfg["alpha"],
                    beta=cfg["beta"],
                    pool=pool,
                    frequency_dropout=frequency_dropout,
                    width=cfg["width"],
                    generator=torch.Generator(device=device),
                ).to(device)
                config = training.TrainConfig(
                    epochs=cfg["epochs"],
                    batch_size=cfg["batch"],
                    optimizer="sgd",
                    lr=cfg["lr"],
                    momentum=cfg["momentum"],
                    weight_decay=cfg["weight_decay"],
                    schedule=cfg["schedule"],
                    augment=False,
                    seed=seed,
                )
                name = f"{dataset}-{config_name}-s{seed_index}"
                extra = {
                    "experiment": "classify",
                    "config": config_name,
                    "pool": pool,
                    "frequency_dropout": frequency_dropout,
                    "seed_index": seed_index,
                    "width": cfg["width"],
                    "stages": cfg["stages"],
                    "gamma": cfg["gamma"],
                    "alpha": cfg["alpha"],
                    "beta": cfg["beta"],
                    **split.describe(),
                }
                record = training.train_run(
                    model,
                    split.train,
                    split.test,
                    config,
                    out_dir / "runs" / name,
                    name=name,
                    extra=extra,
                    resume=args.resume,
                    progress=not args.no_progress,
                )
                record["stage_sizes"] = [list(size) for size in model.stage_sizes]
                record["dropout_min_fractions"] = list(model.dropout_min_fractions)
                results.append(record)
    result: dict[str, Any] = {
        "experiment": "classify",
        "settings": {**cfg, "optimizer": "sgd", "augment": False, "base_seed": args.seed, "device": str(device)},
        "data": data_info,
        "runs": results,
        "summary": summarize(results, cfg, list(data_info)),
        "comparisons": compare(results, cfg, list(data_info)),
        "paper_error": PAPER_ERROR,
        "paper_hyperparameters": PAPER_HYPERPARAMETERS,
    }
    result["elapsed_seconds"] = time.perf_counter() - start
    for row in result["comparisons"]:
        print(
            f"[classify] {row['dataset']:<14} {row['a']} - {row['b']}: "
            f"{statistics.describe_difference(row['final_test_error'])}",
            flush=True,
        )
    for row in result["summary"]:
        print(
            f"[classify] {row['dataset']:<14} {CONFIG_TITLES[row['config']]:<38} final test error "
            f"{pct(row['final_test_error_mean'])} (best epoch {pct(row['best_test_error_mean'])})",
            flush=True,
        )
    return result


def summarize(runs: list[dict[str, Any]], cfg: dict[str, Any], datasets: list[str]) -> list[dict[str, Any]]:
    """Final and best test error per (dataset, configuration), mean and sd over seeds."""
    rows = []
    for dataset in datasets:
        for config_name in cfg["configs"]:
            chosen = [r for r in runs if r["dataset"] == dataset and r["config"] == config_name]
            final = [r["test_error"][-1] for r in chosen]
            best = [min(r["test_error"]) for r in chosen]
            rows.append(
                {
                    "dataset": dataset,
                    "config": config_name,
                    "seeds": len(chosen),
                    "final_test_error_mean": float(np.mean(final)),
                    "final_test_error_std": float(np.std(final, ddof=1)) if len(final) > 1 else None,
                    "best_test_error_mean": float(np.mean(best)),
                    "final_train_error_mean": float(np.mean([r["train_error"][-1] for r in chosen])),
                    "parameters": chosen[0]["parameters"],
                    "paper_error": PAPER_ERROR.get(dataset) if config_name == "spectral+fd" else None,
                }
            )
    return rows


def compare(runs: list[dict[str, Any]], cfg: dict[str, Any], datasets: list[str]) -> list[dict[str, Any]]:
    """The :data:`COMPARISONS` whose two configurations ran: paired differences of the final test error over seeds.

    Seed ``i`` of one configuration pairs with seed ``i`` of the other (same initial weights, same minibatches).
    Each row holds both configurations' per-seed errors, their mean ± sd and
    :func:`~spectralcore_experiments.statistics.paired_difference` of ``a - b`` (negative: ``a`` errs less).
    """
    rows = []
    for dataset in datasets:
        by_config = {
            name: [r for r in runs if r["dataset"] == dataset and r["config"] == name] for name in cfg["configs"]
        }
        for a, b, what in COMPARISONS:
            if a not in by_config or b not in by_config:
                continue
            seeds = sorted({r["seed_index"] for r in by_config[a]} & {r["seed_index"] for r in by_config[b]})
            errors = {
                key: [next(r["test_error"][-1] for r in by_config[key] if r["seed_index"] == i) for i in seeds]
                for key in (a, b)
            }
            mean_a, sd_a = statistics.mean_sd(errors[a])
            mean_b, sd_b = statistics.mean_sd(errors[b])
            rows.append(
                {
                    "dataset": dataset,
                    "a": a,
                    "b": b,
                    "what": what,
                    "seeds": seeds,
                    "errors_a": errors[a],
                    "errors_b": errors[b],
                    "mean_a": mean_a,
                    "sd_a": sd_a,
                    "mean_b": mean_b,
                    "sd_b": sd_b,
                    "final_test_error": statistics.paired_difference(errors[a], errors[b]),
                }
            )
    return rows
