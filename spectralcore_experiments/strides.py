"""Learned strides: DiffStride's robustness claim (Riad et al., ICLR 2022) on the exact learnable spectral pooling.

DiffStride reports that a net whose spectral pooling layers learn their strides reaches the same accuracy when it
starts from poor strides (3) as from good ones (2). Here the same small classifier,
``conv3x3 - ReLU - pool - conv3x3 - ReLU - pool - conv1x1 - global average``, is trained with three poolings, each
from stride 2 ("good") and stride 3 ("poor"):

* ``max``: ``nn.MaxPool2d(S, ceil_mode=True)``;
* ``fixed``: :class:`spectralcore_torch.SpectralPool2d` to ``ceil(n / S)`` per side;
* ``learnable``: :class:`spectralcore_torch.LearnableSpectralPool2d` starting at ``S`` (default ramp 3, so
  ``ceil(n / S) + 2`` per side at the start), trained with a compute penalty ``cost_weight * cost / cost_at_start``
  (``cost`` = the pooled activations per image that its strides imply, :func:`spectralcore_torch.pooling_cost`)
  and a learning rate ``stride_lr_scale`` times the net's for the strides.

Reported per configuration, mean ± sd over seeds: the test error, the strides at the end (learnable) and the cost,
i.e. the activations per image after the two poolings, which is what the second and third convolutions pay for.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

from spectralcore_experiments import splits, statistics, training
from spectralcore_experiments.options import require, training_device

POOLS = ("max", "fixed", "learnable")
POOL_TITLES = {
    "max": "max pooling",
    "fixed": "spectral pooling, fixed size",
    "learnable": "spectral pooling, learned stride",
}
STARTS = {"good": 2.0, "poor": 3.0}
# Where the two poolings sit in build_net's Sequential.
POOL_INDICES = (2, 5)
# The paired comparisons of the report: (a, b, what it tests); the difference is error(a) - error(b), per seed.
COMPARISONS: tuple[tuple[str, str, str], ...] = (
    ("learnable-poor", "learnable-good", "DiffStride's claim: from poor strides as good as from good ones"),
    ("learnable-poor", "fixed-poor", "learning the stride recovers from poor strides"),
    ("learnable-good", "fixed-good", "learned against fixed stride, from good strides"),
    ("fixed-good", "max-good", "fixed spectral against max pooling, stride 2"),
    ("fixed-poor", "max-poor", "fixed spectral against max pooling, stride 3"),
)
SCALES: dict[str, dict[str, Any]] = {
    "tiny": {"width": 8, "train": 512, "test": 256, "epochs": 2, "seeds": 1},
    "quick": {"width": 12, "train": 1500, "test": 1000, "epochs": 3, "seeds": 3},
    "standard": {"width": 12, "train": 5000, "test": 0, "epochs": 5, "seeds": 3},
    "paper": {"width": 64, "train": 0, "test": 0, "epochs": 20, "seeds": 3},
}
MAX_SEEDS = 1000
MAX_EPOCHS = 10_000
MAX_WIDTH = 1024


def configurations(pools: list[str]) -> list[tuple[str, str, float]]:
    """``(name, pool, start stride)`` for every pooling and start, in report order."""
    return [(f"{pool}-{start}", pool, stride) for pool in pools for start, stride in STARTS.items()]


def make_pool(pool: str, stride: float, n: int) -> nn.Module:
    """The pooling ``pool`` of an ``n x n`` map, starting at stride ``stride``."""
    import spectralcore_torch as sct

    if pool == "max":
        return nn.MaxPool2d(int(stride), ceil_mode=True)
    if pool == "fixed":
        return sct.SpectralPool2d(math.ceil(n / stride))
    if pool == "learnable":
        return sct.LearnableSpectralPool2d(stride=stride)
    raise ValueError(f"make_pool: argument `pool` expected one of {POOLS}, received {pool!r}")


def pooled_size(pool: nn.Module, n: int) -> int:
    """Side of the map that ``pool`` makes of an ``n x n`` map (at its current size strides)."""
    with torch.no_grad():
        return int(pool.eval()(torch.zeros(1, 1, n, n)).shape[-1])


def build_net(pool: str, stride: float, channels: int, classes: int, size: int, width: int) -> nn.Sequential:
    """The classifier with pooling ``pool`` from stride ``stride``, for ``size x size`` inputs."""
    first = make_pool(pool, stride, size)
    second = make_pool(pool, stride, pooled_size(first, size))
    return nn.Sequential(
        nn.Conv2d(channels, width, 3, padding=1),
        nn.ReLU(),
        first,
        nn.Conv2d(width, 2 * width, 3, padding=1),
        nn.ReLU(),
        second,
        nn.Conv2d(2 * width, classes, 1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    )


def activations(model: nn.Sequential, channels: int, size: int) -> dict[str, Any]:
    """The pooled map sizes and activations per image (after each pooling) of ``model`` in eval mode."""
    sides = []
    total = 0
    was_training = model.training
    model.eval()
    with torch.no_grad():
        x = torch.zeros(1, channels, size, size, device=next(model.parameters()).device)
        for index, layer in enumerate(model):
            x = layer(x)
            if index in POOL_INDICES:
                sides.append(int(x.shape[-1]))
                total += int(x[0].numel())
    model.train(was_training)
    return {"sides": sides, "activations": total}


def learned_strides(model: nn.Module) -> list[list[float]]:
    """The stride parameters of the learnable layers, per layer (empty for the other poolings)."""
    from spectralcore_torch import LearnableSpectralPool2d

    return [
        [float(s) for s in m.stride.detach().cpu().tolist()]
        for m in model.modules()
        if isinstance(m, LearnableSpectralPool2d)
    ]


def add_arguments(group: argparse._ArgumentGroup) -> None:
    """Options of the learned-strides experiment (``--strides-*``); unset ones take the ``--scale`` preset."""
    group.add_argument("--strides-pools", nargs="+", choices=POOLS, default=list(POOLS), help="poolings (default all)")
    group.add_argument("--strides-epochs", type=int, default=None, help="epochs (tiny: 2, quick: 3, standard: 5)")
    group.add_argument("--strides-seeds", type=int, default=None, help="seeds per configuration (tiny: 1, quick: 3)")
    group.add_argument("--strides-train-size", type=int, default=None, help="training images, 0 = all (quick: 1500)")
    group.add_argument("--strides-test-size", type=int, default=None, help="test images, 0 = all (quick: 1000)")
    group.add_argument("--strides-width", type=int, default=None, help="filters of the first conv (quick: 12)")
    group.add_argument(
        "--strides-cost-weight",
        type=float,
        default=0.05,
        help="weight of the compute penalty cost/cost_at_start of the learnable nets (default 0.05; 0 = none)",
    )
    group.add_argument(
        "--strides-lr-scale",
        type=float,
        default=25.0,
        help="learning rate of the strides, as a multiple of the net's Adam rate 2e-3 (default 25)",
    )


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The scale preset with the command line's overrides applied and checked (raises ``OptionError``)."""
    cfg = dict(SCALES[args.scale])
    overrides = {
        "epochs": args.strides_epochs,
        "seeds": args.strides_seeds,
        "train": args.strides_train_size,
        "test": args.strides_test_size,
        "width": args.strides_width,
    }
    cfg.update({key: value for key, value in overrides.items() if value is not None})
    require("--strides-epochs", cfg["epochs"], 1 <= cfg["epochs"] <= MAX_EPOCHS, f"an integer in [1, {MAX_EPOCHS}]")
    require("--strides-seeds", cfg["seeds"], 1 <= cfg["seeds"] <= MAX_SEEDS, f"an integer in [1, {MAX_SEEDS}]")
    require("--strides-train-size", cfg["train"], cfg["train"] >= 0, "a count >= 0 (0 = all)")
    require("--strides-test-size", cfg["test"], cfg["test"] >= 0, "a count >= 0 (0 = all)")
    require("--strides-width", cfg["width"], 1 <= cfg["width"] <= MAX_WIDTH, f"an integer in [1, {MAX_WIDTH}]")
    weight, scale = args.strides_cost_weight, args.strides_lr_scale
    require("--strides-cost-weight", weight, math.isfinite(weight) and weight >= 0, "a finite number >= 0")
    require("--strides-lr-scale", scale, math.isfinite(scale) and 0 < scale <= 1e4, "a number in (0, 10000]")
    cfg["cost_weight"], cfg["stride_lr_scale"] = float(weight), float(scale)
    cfg["pools"] = list(dict.fromkeys(args.strides_pools))
    return cfg


def run(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Train every configuration on Fashion-MNIST for every seed; record error, strides and cost."""
    import spectralcore_torch as sct

    start = time.perf_counter()
    cfg = settings(args)
    device = training_device(args.device)
    split = splits.load_split(args, "fashion-mnist", train_count=cfg["train"], test_count=cfg["test"], device=device)
    runs = []
    for seed_index in range(cfg["seeds"]):
        seed = training.run_seed(args.seed, "strides", seed_index)
        for name, pool, stride in configurations(cfg["pools"]):
            torch.manual_seed(seed)
            model = build_net(pool, stride, split.channels, split.classes, split.size, cfg["width"]).to(device)
            before = activations(model, split.channels, split.size)
            regularizer = None
            if pool == "learnable" and cfg["cost_weight"] > 0:
                model(split.train.images[:1])  # each layer sees an input, so it knows its cost
                reference = float(sct.pooling_cost(model).detach())
                regularizer = _penalty(model, cfg["cost_weight"] / reference)
            config = training.TrainConfig(epochs=cfg["epochs"], batch_size=64, optimizer="adam", lr=2e-3, seed=seed)
            run_name = f"{name}-s{seed_index}"
            extra = {
                "experiment": "strides",
                "config": name,
                "pool": pool,
                "start_stride": stride,
                "seed_index": seed_index,
                "width": cfg["width"],
                "cost_weight": cfg["cost_weight"] if pool == "learnable" else 0.0,
            }
            record = training.train_run(
                model,
                split.train,
                split.test,
                config,
                out_dir / "runs" / run_name,
                name=run_name,
                extra={**extra, **split.describe()},
                resume=args.resume,
                progress=not args.no_progress,
                regularizer=regularizer,
                lr_scales={"stride": cfg["stride_lr_scale"]} if pool == "learnable" else None,
            )
            after = activations(model, split.channels, split.size)
            record.update(strides=learned_strides(model), start=before, end=after)
            print(
                f"[strides] {run_name}: test error {record['test_error'][-1]:.4f}, pooled sides "
                f"{before['sides']} -> {after['sides']}, strides {record['strides']}",
                flush=True,
            )
            runs.append(record)
    return {
        "experiment": "strides",
        "settings": {**cfg, "base_seed": args.seed, "device": str(device), "starts": STARTS},
        "data": split.describe(),
        "runs": runs,
        "summary": summarize(runs, [name for name, _, _ in configurations(cfg["pools"])]),
        "comparisons": compare(runs),
        "elapsed_seconds": time.perf_counter() - start,
    }


def _penalty(model: nn.Module, weight: float) -> Any:
    import spectralcore_torch as sct

    def penalty() -> torch.Tensor:
        return weight * sct.pooling_cost(model)

    return penalty


def _by_config(runs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return sorted((r for r in runs if r["config"] == name), key=lambda r: r["seed_index"])


def summarize(runs: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """Per configuration: mean and sd over seeds of the test error, the activations and the strides."""
    rows = []
    for name in names:
        chosen = _by_config(runs, name)
        if not chosen:
            continue
        errors = [r["test_error"][-1] for r in chosen]
        cost = [float(r["end"]["activations"]) for r in chosen]
        row: dict[str, Any] = {"config": name, "pool": chosen[0]["pool"], "start_stride": chosen[0]["start_stride"]}
        row["seeds"] = len(chosen)
        for key, values in (("test_error", errors), ("activations", cost)):
            mean, sd = statistics.mean_sd(values)
            row[key] = {"per_seed": values, "mean": mean, "sd": sd}
        row["sides"] = [r["end"]["sides"] for r in chosen]
        strides = [r["strides"] for r in chosen]
        if strides and strides[0]:
            # per layer, the mean over seeds of the mean over its axes
            per_layer = [[sum(s[layer]) / len(s[layer]) for s in strides] for layer in range(len(strides[0]))]
            row["strides"] = [{"mean": statistics.mean_sd(v)[0], "sd": statistics.mean_sd(v)[1]} for v in per_layer]
        rows.append(row)
    return rows


def compare(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paired differences of test error of :data:`COMPARISONS` that both sides ran for (same seeds)."""
    out = []
    for a, b, what in COMPARISONS:
        ra, rb = _by_config(runs, a), _by_config(runs, b)
        if not ra or len(ra) != len(rb):
            continue
        diff = statistics.paired_difference([r["test_error"][-1] for r in ra], [r["test_error"][-1] for r in rb])
        out.append({"a": a, "b": b, "what": what, "difference": diff})
    return out
