"""Shift consistency: how often a trained net's prediction survives a shift of its input (Zhang, ICML 2019; Chaman &
Dokmanić, CVPR 2021), for spectral pooling against max, average and blur pooling and the cosine basis.

Every net is the same small classifier, ``conv3x3 - ReLU - pool/2 - conv3x3 - ReLU - pool/2 - conv1x1 - global
average``, with circular padding (so that only the pooling decides how a circular shift passes through); only the
pooling differs:

* ``spectral``: :class:`spectralcore_torch.SpectralPool2d` to half the size (DFT basis);
* ``cosine``: :func:`spectralcore.spectral_pool` with ``boundary="symmetric"`` (the DCT-II basis; the torch adapter
  has no ``boundary`` option, so :class:`CosinePool2d` calls the core, which works on torch tensors and autograd);
* ``max`` and ``avg``: ``nn.MaxPool2d(2)`` and ``nn.AvgPool2d(2)``;
* ``blur``: ``kornia.filters.BlurPool2D(3, stride=2)`` (a binomial blur, then subsampling).

Measured on the test images, after training:

* circular consistency: the fraction of images whose predicted class is the same for two independent random
  circular shifts (``torch.roll``, offsets uniform on ``0 .. n-1`` per axis, per image), and for two random shifts by
  multiples of 4 (the total subsampling factor: these commute exactly with spectral pooling);
* crop consistency: the image is padded by ``PAD`` pixels of background on every side and two random windows of the
  original size are cut from it (offsets ``0 .. 2 PAD``), the protocol of antialiased-cnns.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import torch
from torch import nn

from spectralcore_experiments import splits, statistics, training
from spectralcore_experiments.options import require, training_device

POOLS = ("spectral", "cosine", "max", "avg", "blur")
POOL_TITLES = {
    "spectral": "spectral pooling (DFT)",
    "cosine": "spectral pooling, cosine basis (DCT)",
    "max": "max pooling",
    "avg": "average pooling",
    "blur": "BlurPool (kornia)",
}
# Background padding of the crop shifts, in pixels per side.
PAD = 4
# The subsampling factor of the whole net (two poolings by 2): circular shifts by its multiples commute exactly.
FACTOR = 4
SCALES: dict[str, dict[str, Any]] = {
    "tiny": {"width": 8, "train": 512, "test": 256, "epochs": 2, "seeds": 1},
    "quick": {"width": 16, "train": 5000, "test": 2000, "epochs": 3, "seeds": 2},
    "standard": {"width": 32, "train": 20000, "test": 0, "epochs": 8, "seeds": 3},
    "paper": {"width": 64, "train": 0, "test": 0, "epochs": 20, "seeds": 3},
}
MAX_SEEDS = 1000
MAX_EPOCHS = 10_000


class CosinePool2d(nn.Module):
    """Spectral pooling in the cosine basis (``spectralcore.spectral_pool(..., boundary="symmetric")``) to ``size``.

    Examples
    --------
    >>> import torch
    >>> x = torch.ones(1, 2, 8, 8)
    >>> y = CosinePool2d(4)(x)
    >>> y.shape, bool(torch.allclose(y, torch.ones(1, 2, 4, 4)))  # amplitude norm: constants stay constant
    (torch.Size([1, 2, 4, 4]), True)
    """

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = int(size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        import spectralcore

        return spectralcore.spectral_pool(x, (self.size, self.size), boundary="symmetric")


def make_pool(pool: str, size: int) -> nn.Module:
    """The pooling layer ``pool`` from ``2 size`` to ``size`` per side."""
    if pool == "spectral":
        from spectralcore_torch import SpectralPool2d

        return SpectralPool2d(size)
    if pool == "cosine":
        return CosinePool2d(size)
    if pool == "max":
        return nn.MaxPool2d(2)
    if pool == "avg":
        return nn.AvgPool2d(2)
    if pool == "blur":
        from kornia.filters import BlurPool2D

        return BlurPool2D(3, stride=2)
    raise ValueError(f"make_pool: argument `pool` expected one of {POOLS}, received {pool!r}")


def build_net(pool: str, channels: int, classes: int, size: int, width: int) -> nn.Sequential:
    """The small classifier of this experiment with pooling ``pool``, for ``size x size`` inputs (``size % 4 == 0``)."""

    def conv(c_in: int, c_out: int, k: int) -> nn.Conv2d:
        return nn.Conv2d(c_in, c_out, k, padding=k // 2, padding_mode="circular")

    return nn.Sequential(
        conv(channels, width, 3),
        nn.ReLU(),
        make_pool(pool, size // 2),
        conv(width, 2 * width, 3),
        nn.ReLU(),
        make_pool(pool, size // 4),
        conv(2 * width, classes, 1),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
    )


def circular_shift(images: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
    """Each image ``i`` rolled by ``offsets[i] = (dy, dx)`` (``torch.roll`` per image, in one gather).

    Examples
    --------
    >>> x = torch.arange(2 * 1 * 3 * 3.0).reshape(2, 1, 3, 3)
    >>> offsets = torch.tensor([[1, 0], [0, 2]])
    >>> all(
    ...     torch.equal(circular_shift(x, offsets)[i], torch.roll(x[i], tuple(offsets[i].tolist()), (-2, -1)))
    ...     for i in range(2)
    ... )
    True
    """
    n, _, h, w = images.shape
    offsets = offsets.to(images.device)
    rows = (torch.arange(h, device=images.device).view(1, h) - offsets[:, :1]) % h
    cols = (torch.arange(w, device=images.device).view(1, w) - offsets[:, 1:]) % w
    index = torch.arange(n, device=images.device).view(n, 1, 1)
    return images.permute(0, 2, 3, 1)[index, rows.view(n, h, 1), cols.view(n, 1, w)].permute(0, 3, 1, 2)


def crop_shift(images: torch.Tensor, offsets: torch.Tensor, pad: int, background: float) -> torch.Tensor:
    """A window of the original size cut at ``offsets[i]`` (in ``0 .. 2 pad``) from image ``i`` padded by ``pad``."""
    n, _, h, w = images.shape
    padded = nn.functional.pad(images, (pad, pad, pad, pad), value=background)
    offsets = offsets.to(images.device)
    rows = torch.arange(h, device=images.device).view(1, h) + offsets[:, :1]
    cols = torch.arange(w, device=images.device).view(1, w) + offsets[:, 1:]
    index = torch.arange(n, device=images.device).view(n, 1, 1)
    return padded.permute(0, 2, 3, 1)[index, rows.view(n, h, 1), cols.view(n, 1, w)].permute(0, 3, 1, 2)


@torch.no_grad()
def consistency(
    model: nn.Module,
    images: torch.Tensor,
    shift: Any,
    high: int,
    *,
    seed: int,
    step: int = 1,
    batch_size: int = 500,
) -> float:
    """Fraction of ``images`` whose predicted class is the same under two random shifts ``shift(x, offsets)``.

    Offsets are drawn per image and axis, uniformly from ``0, step, 2 step, ... < high``, from ``seed``.
    """
    was_training = model.training
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    agree = 0
    for start in range(0, images.shape[0], batch_size):
        x = images[start : start + batch_size]
        a = torch.randint(0, (high + step - 1) // step, (x.shape[0], 2), generator=generator) * step
        b = torch.randint(0, (high + step - 1) // step, (x.shape[0], 2), generator=generator) * step
        agree += int((model(shift(x, a)).argmax(1) == model(shift(x, b)).argmax(1)).sum())
    model.train(was_training)
    return agree / images.shape[0]


def add_arguments(group: argparse._ArgumentGroup) -> None:
    """Options of the shift experiment (``--shift-*``); unset ones take the ``--scale`` preset."""
    group.add_argument("--shift-pools", nargs="+", choices=POOLS, default=list(POOLS), help="poolings (default all)")
    group.add_argument("--shift-epochs", type=int, default=None, help="epochs (tiny: 2, quick: 3, standard: 8)")
    group.add_argument("--shift-seeds", type=int, default=None, help="seeds per pooling (tiny: 1, quick: 2)")
    group.add_argument("--shift-train-size", type=int, default=None, help="training images, 0 = all (quick: 5000)")
    group.add_argument("--shift-test-size", type=int, default=None, help="test images, 0 = all (quick: 2000)")


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The scale preset with the command line's overrides applied and checked (raises ``OptionError``)."""
    cfg = dict(SCALES[args.scale])
    overrides = {
        "epochs": args.shift_epochs,
        "seeds": args.shift_seeds,
        "train": args.shift_train_size,
        "test": args.shift_test_size,
    }
    cfg.update({key: value for key, value in overrides.items() if value is not None})
    require("--shift-epochs", cfg["epochs"], 1 <= cfg["epochs"] <= MAX_EPOCHS, f"an integer in [1, {MAX_EPOCHS}]")
    require("--shift-seeds", cfg["seeds"], 1 <= cfg["seeds"] <= MAX_SEEDS, f"an integer in [1, {MAX_SEEDS}]")
    require("--shift-train-size", cfg["train"], cfg["train"] >= 0, "a count >= 0 (0 = all)")
    require("--shift-test-size", cfg["test"], cfg["test"] >= 0, "a count >= 0 (0 = all)")
    cfg["pools"] = list(dict.fromkeys(args.shift_pools))
    return cfg


def run(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Train each pooling's net on Fashion-MNIST (28 x 28, a multiple of 4) and measure its shift consistency."""
    start = time.perf_counter()
    cfg = settings(args)
    device = training_device(args.device)
    split = splits.load_split(args, "fashion-mnist", train_count=cfg["train"], test_count=cfg["test"], device=device)
    background = float(split.test.images.min())  # a black pixel, normalised
    images = split.test.images
    runs = []
    for seed_index in range(cfg["seeds"]):
        seed = training.run_seed(args.seed, "shift", seed_index)
        for pool in cfg["pools"]:
            torch.manual_seed(seed)
            model = build_net(pool, split.channels, split.classes, split.size, cfg["width"]).to(device)
            config = training.TrainConfig(epochs=cfg["epochs"], batch_size=64, optimizer="adam", lr=2e-3, seed=seed)
            name = f"{pool}-s{seed_index}"
            extra = {"experiment": "shift", "pool": pool, "seed_index": seed_index, "width": cfg["width"]}
            record = training.train_run(
                model,
                split.train,
                split.test,
                config,
                out_dir / "runs" / name,
                name=name,
                extra={**extra, **split.describe()},
                resume=args.resume,
                progress=not args.no_progress,
            )
            record["circular"] = consistency(model, images, circular_shift, split.size, seed=seed)
            record["circular_exact"] = consistency(model, images, circular_shift, split.size, seed=seed, step=FACTOR)
            record["crop"] = consistency(
                model,
                images,
                lambda x, o: crop_shift(x, o, PAD, background),
                2 * PAD + 1,
                seed=seed,
            )
            print(
                f"[shift] {name}: test error {record['test_error'][-1]:.4f}, circular consistency "
                f"{record['circular']:.4f} (multiples of {FACTOR}: {record['circular_exact']:.4f}), "
                f"crop {record['crop']:.4f}",
                flush=True,
            )
            runs.append(record)
    return {
        "experiment": "shift",
        "settings": {**cfg, "pad": PAD, "factor": FACTOR, "base_seed": args.seed, "device": str(device)},
        "data": split.describe(),
        "runs": runs,
        "summary": summarize(runs, cfg["pools"]),
        "elapsed_seconds": time.perf_counter() - start,
    }


def summarize(runs: list[dict[str, Any]], pools: list[str]) -> list[dict[str, Any]]:
    """Per pooling: mean and sd over seeds of the test accuracy and the three consistencies."""
    rows = []
    for pool in pools:
        chosen = sorted((r for r in runs if r["pool"] == pool), key=lambda r: r["seed_index"])
        row: dict[str, Any] = {"pool": pool, "seeds": len(chosen)}
        values = {
            "accuracy": [1 - r["test_error"][-1] for r in chosen],
            "circular": [r["circular"] for r in chosen],
            "circular_exact": [r["circular_exact"] for r in chosen],
            "crop": [r["crop"] for r in chosen],
        }
        for key, per_seed in values.items():
            mean, sd = statistics.mean_sd(per_seed)
            row[key] = {"per_seed": per_seed, "mean": mean, "sd": sd}
        rows.append(row)
    spectral = next((r for r in runs if r["pool"] == "spectral"), None)
    if spectral is not None:
        for row in rows:
            if row["pool"] == "spectral":
                continue
            a = [r["circular"] for r in sorted(runs, key=lambda r: r["seed_index"]) if r["pool"] == "spectral"]
            b = [r["circular"] for r in sorted(runs, key=lambda r: r["seed_index"]) if r["pool"] == row["pool"]]
            row["spectral_minus_this_circular"] = statistics.paired_difference(a, b) if len(a) == len(b) else None
    return rows
