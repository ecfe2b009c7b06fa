"""Experiment 1: information preservation of spectral pooling against max and average pooling (paper Fig. 2, 4a).

Every image ``x`` is pooled to fewer parameters, brought back to its full size, and compared with itself by the
relative approximation loss ``||x - x_hat|| / ||x||`` (per image, over all its pixels and channels), plotted
against the fraction of parameters kept, ``h' w' / (h w)``:

* spectral pooling to every square size ``m = 1 .. n`` (``spectralcore.spectral_pool``), then spectral upsampling
  back (``spectralcore.spectral_upsample``), with both Nyquist rules: ``"sum"`` (ours, the
  ``scipy.signal.resample`` rule) and ``"average"`` (the paper's Algorithm 1);
* max pooling and average pooling over non-overlapping ``s x s`` windows for every stride ``s >= 2`` that divides
  the side ``n``, brought back by nearest-neighbour upsampling (fraction kept ``1 / s**2``).

The measurements (pooling, bringing back, the losses and their checks) are in
:mod:`spectralcore_experiments.reconstruction`; the figures and the report section in
:mod:`spectralcore_experiments.information_report`.

Data (all offline, see :mod:`spectralcore_experiments.datasets`): random square crops of the bundled colour
photos (32x32 and 64x64 by default; the paper used ImageNet validation images), the Fashion-MNIST test images
(28x28, grey) and, with ``--cifar-dir``, the CIFAR test images (32x32x3). Pixel values are scaled to ``[0, 1]``;
images with ``||x|| = 0`` are skipped (their relative loss is undefined) and counted.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from spectralcore_experiments import datasets
from spectralcore_experiments.formatting import fmt
from spectralcore_experiments.options import OptionError, require
from spectralcore_experiments.reconstruction import (
    METHOD,
    PERCENTILES,
    RULES,
    WINDOWS,
    measure,
    nearest_side,
    nyquist_pairing_check,
    relative_loss,
    spectral_reconstruct,
    window_reconstruct,
)

DEFAULT_CROP_SIZES = (32, 64)
DEFAULT_BATCH = 128
# Bounds of the options: crops fit in every bundled photo (the smallest is 300 pixels high), and the crops of one size
# (float64) fit in memory.
MAX_CROP_SIZE = 256
MAX_CROPS = 100_000
MAX_BATCH = 65_536
MAX_CROP_BYTES = 4 * 2**30
# Per scale: random photo crops per crop size, and test images per dataset (0 = the whole test set).
SCALES: dict[str, dict[str, int]] = {
    "tiny": {"crops": 16, "images": 16},
    "quick": {"crops": 512, "images": 1000},
    "standard": {"crops": 2048, "images": 0},
    "paper": {"crops": 4096, "images": 0},
}
# Fractions of parameters kept in the report's tables: max pooling's 2x2, 4x4 and 8x8 levels.
TABLE_FRACTIONS = (1 / 4, 1 / 16, 1 / 64)
# The qualitative grid (paper Fig. 2): a fixed 128x128 crop of the astronaut's face, reduced by these strides.
GRID_PHOTO = "astronaut"
GRID_BOX = (26, 192, 128)  # top, left, side, in the 512x512 photo
GRID_STRIDES = (2, 4, 8, 16)
# Derived seeds: SeedSequence([--seed, SEED_TAG, stream]) with stream = crop size, or a dataset tag below, so that
# changing one dataset's options never changes another dataset's images.
SEED_TAG = 1
STREAM_FASHION = 1000
STREAM_CIFAR = 1001


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------
def add_arguments(group: argparse._ArgumentGroup) -> None:
    """Options of experiment 1 (``--info-*``); unset ones take the ``--scale`` preset."""
    group.add_argument(
        "--info-crops",
        type=int,
        default=None,
        help="random photo crops per crop size (tiny: 16, quick: 512, standard: 2048, paper: 4096)",
    )
    group.add_argument(
        "--info-sizes",
        type=int,
        nargs="+",
        default=None,
        help="sides of the square photo crops (default 32 64)",
    )
    group.add_argument(
        "--info-images",
        type=int,
        default=None,
        help="Fashion-MNIST / CIFAR test images, a seeded subset; 0 = all (tiny: 16, quick: 1000, standard and "
        "paper: all)",
    )
    group.add_argument(
        "--info-batch",
        type=int,
        default=DEFAULT_BATCH,
        help=f"images pooled at once; bounds the memory, not the results (default {DEFAULT_BATCH})",
    )


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The scale preset with the ``--info-*`` overrides applied and checked.

    Raises
    ------
    OptionError
        An option is out of range (the message names it).
    """
    require("--scale", args.scale, args.scale in SCALES, f"one of {', '.join(SCALES)}")
    preset = SCALES[args.scale]
    crops = preset["crops"] if getattr(args, "info_crops", None) is None else int(args.info_crops)
    images = preset["images"] if getattr(args, "info_images", None) is None else int(args.info_images)
    sizes = list(DEFAULT_CROP_SIZES) if getattr(args, "info_sizes", None) is None else list(args.info_sizes)
    batch = DEFAULT_BATCH if getattr(args, "info_batch", None) is None else int(args.info_batch)
    require("--info-crops", crops, 1 <= crops <= MAX_CROPS, f"a number of crops in [1, {MAX_CROPS}]")
    require("--info-images", images, images >= 0, "a count >= 0 (0 = all)")
    require("--info-batch", batch, 1 <= batch <= MAX_BATCH, f"a batch size in [1, {MAX_BATCH}]")
    require(
        "--info-sizes",
        sizes,
        bool(sizes) and all(2 <= s <= MAX_CROP_SIZE for s in sizes),
        f"crop sides in [2, {MAX_CROP_SIZE}] (the bundled photos are at least 300 pixels on a side)",
    )
    needed = crops * max(sizes) ** 2 * 3 * 8
    if needed > MAX_CROP_BYTES:
        raise OptionError(
            f"--info-crops {crops} with --info-sizes {max(sizes)}: the crops would take {needed / 2**30:.1f} GiB "
            f"(float64), more than the {MAX_CROP_BYTES // 2**30} GiB allowed; use fewer or smaller crops"
        )
    return {
        "scale": args.scale,
        "seed": int(args.seed),
        "crops": crops,
        "crop_sizes": list(dict.fromkeys(int(s) for s in sizes)),
        "images": images,
        "batch": batch,
        "verify": not args.no_verify,
        "cifar_label": args.cifar_label,
    }


# ---------------------------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------------------------
def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, SEED_TAG, stream]))


def _to_nchw(images: np.ndarray) -> np.ndarray:
    """(N, h, w) or (N, h, w, C) pixels -> contiguous float64 (N, C, h, w) in [0, 1] (uint8 is divided by 255)."""
    if images.dtype == np.uint8:
        x = images.astype(np.float64)
        x /= 255.0
    else:
        x = np.asarray(images, dtype=np.float64)  # no copy for the float64 crops (a paper-scale set is 400 MB)
    x = x[:, None] if x.ndim == 3 else x.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(x)


def _subset(total: int, count: int, rng: np.random.Generator) -> np.ndarray:
    if count == 0 or count >= total:
        return np.arange(total)
    return np.sort(rng.choice(total, size=count, replace=False))


def _datasets(args: argparse.Namespace, cfg: dict[str, Any]) -> Iterator[tuple[str, str, np.ndarray, dict[str, Any]]]:
    """Yield ``(key, title, images (N, C, n, n), source)`` per dataset.

    The test sets are read (as compact uint8) before anything is measured, so that a missing or corrupt file stops
    the run at once, not after the photo crops; the float64 copies are made one dataset at a time.
    """
    # Missing files raise datasets.DatasetError naming the paths tried: not hidden, the run stops.
    fashion, _ = datasets.load_fashion_mnist(args.fashion_mnist_dir, subset="test", verify=cfg["verify"])
    cifar = None
    if getattr(args, "cifar_dir", None) is not None:
        cifar = datasets.load_cifar(args.cifar_dir, subset="test", label=cfg["cifar_label"], verify=cfg["verify"])
    photos = datasets.load_photos()

    for size in cfg["crop_sizes"]:
        crops = _to_nchw(datasets.random_crops(photos, size, cfg["crops"], rng=_rng(cfg["seed"], size)))
        source = {"photos": [name for name, _ in photos], "crops": cfg["crops"], "seed_stream": size}
        yield f"photos{size}", f"photo crops {size}×{size}", crops, source
        del crops  # before the next size's crops are drawn

    idx = _subset(len(fashion), cfg["images"], _rng(cfg["seed"], STREAM_FASHION))
    source = {"subset": "test", "available": len(fashion), "used": len(idx), "seed_stream": STREAM_FASHION}
    yield "fashion-mnist", f"{datasets.title('fashion-mnist')} test images", _to_nchw(fashion[idx]), source

    if cifar is not None:
        images, labels = cifar
        idx = _subset(len(images), cfg["images"], _rng(cfg["seed"], STREAM_CIFAR))
        name = datasets.title("cifar100" if len(labels) and int(labels.max()) >= 10 else "cifar10")
        source = {"name": name, "subset": "test", "available": len(images), "used": len(idx)}
        yield "cifar", f"{name} test images", _to_nchw(images[idx]), {**source, "seed_stream": STREAM_CIFAR}


def grid_photo() -> tuple[str, np.ndarray, list[int]]:
    """The grid's photo: the fixed 128x128 crop of the astronaut's face, float64 ``(3, 128, 128)`` in [0, 1].

    Raises
    ------
    ValueError
        The bundled photos have no astronaut, or it is too small for the crop.
    """
    photos = dict(datasets.load_photos())
    name = next((key for key in photos if GRID_PHOTO in key.lower()), None)
    if name is None:
        raise ValueError(f"no photo named like {GRID_PHOTO!r} among the bundled photos {sorted(photos)}")
    top, left, side = GRID_BOX
    img = photos[name]
    if img.shape[0] < top + side or img.shape[1] < left + side:
        raise ValueError(f"photo {name!r} of shape {img.shape} is too small for the grid crop {GRID_BOX}")
    crop = img[top : top + side, left : left + side]
    return name, _to_nchw(crop[None])[0], [top, left, side]


@dataclasses.dataclass
class Grid:
    """The qualitative grid (paper Fig. 2): a photo and its reconstructions after spectral and max pooling."""

    photo_name: str
    photo: np.ndarray  # (3, side, side)
    box: list[int]  # top, left, side in the photo
    reconstructions: dict[str, list[np.ndarray]]  # "spectral" (sum rule) / "max" -> one image per stride
    losses: dict[str, list[float]]

    def describe(self) -> dict[str, Any]:
        return {
            "photo": self.photo_name,
            "box_top_left_side": self.box,
            "strides": list(GRID_STRIDES),
            "fractions": [1 / (s * s) for s in GRID_STRIDES],
            "spectral_sum_loss": self.losses["spectral"],
            "max_loss": self.losses["max"],
        }


def grid() -> Grid:
    """The grid photo reduced by every stride of ``GRID_STRIDES``, both ways, and brought back."""
    name, photo, box = grid_photo()
    recon: dict[str, list[np.ndarray]] = {"spectral": [], "max": []}
    losses: dict[str, list[float]] = {"spectral": [], "max": []}
    side = photo.shape[-1]
    for stride in GRID_STRIDES:
        recon["spectral"].append(spectral_reconstruct(photo, side // stride))
        recon["max"].append(window_reconstruct(photo, stride, "max"))
        for key in recon:
            losses[key].append(float(relative_loss(photo[None], recon[key][-1][None])[0]))
    return Grid(name, photo, box, recon, losses)


# ---------------------------------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------------------------------
def at_fraction(entry: dict[str, Any], fraction: float) -> dict[str, Any]:
    """Median losses at ``fraction``: spectral at the nearest side, windows only where the stride fits exactly."""
    n = entry["n"]
    m = nearest_side(n, fraction)
    row: dict[str, Any] = {"fraction": fraction, "m": m, "spectral_fraction": m * m / (n * n)}
    for rule in RULES:
        row[rule] = entry["spectral"][rule]["median"][m - 1]
    stride = round(1 / math.sqrt(fraction))
    for kind in WINDOWS:
        pts = entry["window"][kind]
        row[kind] = pts["median"][pts["stride"].index(stride)] if stride in pts["stride"] else None
    return row


def fraction_label(fraction: float) -> str:
    """``1/4`` for a quarter."""
    return f"1/{round(1 / fraction)}"


def run(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Measure every dataset and the grid; return the JSON-able result (figures: :mod:`.information_report`).

    Parameters
    ----------
    args : argparse.Namespace
        The common options (``scale``, ``seed``, ``fashion_mnist_dir``, ``cifar_dir``, ``cifar_label``,
        ``no_verify``) and the ``--info-*`` ones.
    out_dir : Path
        Output folder (created if needed); the figures and ``info.json`` go there.

    Returns
    -------
    dict
        ``experiment``, ``settings``, ``choices``, ``nyquist_pairing``, ``datasets`` (key -> title, source and the
        statistics of :func:`measure`), ``grid``, ``out_dir``, ``timings_s`` and ``elapsed_s``.

    Raises
    ------
    spectralcore_experiments.datasets.DatasetError
        Fashion-MNIST (or the CIFAR copy given) is missing or corrupt.
    """
    start = time.perf_counter()
    cfg = settings(args)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    measured: dict[str, dict[str, Any]] = {}
    timings: dict[str, float] = {}
    pairing: dict[str, dict[str, float]] = {}
    for key, title, images, source in _datasets(args, cfg):
        tic = time.perf_counter()
        entry = {"title": title, "source": source, **measure(images, batch=cfg["batch"])}
        n = entry["n"]
        if str(n) not in pairing:
            pairing[str(n)] = nyquist_pairing_check(n)
        measured[key] = entry
        timings[key] = time.perf_counter() - tic
        quarter = at_fraction(entry, 1 / 4)
        skipped = f", {entry['skipped_zero_norm']} all-zero skipped" if entry["skipped_zero_norm"] else ""
        print(
            f"[info] {title}: {entry['count']} images {entry['channels']}×{n}×{n}{skipped}; median loss at 1/4: "
            f"spectral {fmt(quarter['sum'])}, max {fmt(quarter['max'])} ({timings[key]:.1f} s)",
            flush=True,
        )
    result: dict[str, Any] = {
        "experiment": "info",
        "settings": {**cfg, "method": METHOD, "norm": "amplitude", "percentiles": list(PERCENTILES)},
        "choices": {
            "loss": "per image ||x - x_hat||_2 / ||x||_2 over all pixels and channels, unclipped, pixels in [0, 1]",
            "sizes": "square pooled sizes m x m; spectral: every m = 1..n; windows: every stride s >= 2 dividing n",
            "spectral_upsampling": "spectral_upsample (zero-padding, Nyquist bin split in halves) for both rules; "
            "under norm='ortho' it is the transpose of the average-rule pooling (the paper's backward pass)",
            "window_upsampling": "nearest neighbour (each pooled value repeated over its s x s window)",
            "window_pooling": "non-overlapping s x s windows, stride s",
            "data": "random crops of the bundled photos instead of ImageNet validation images; Fashion-MNIST "
            "and CIFAR test images (seeded subsets)",
            "zero_images": "images with ||x|| = 0 are skipped (relative loss undefined) and counted",
            "seeds": "numpy SeedSequence([seed, 1, stream]); stream = crop side, 1000 Fashion-MNIST, 1001 CIFAR",
        },
        "nyquist_pairing": pairing,
        "datasets": measured,
        "grid": grid().describe(),
        "out_dir": os.fspath(out_dir.resolve()),
        "timings_s": timings,
        "elapsed_s": time.perf_counter() - start,
    }
    _print_table(result)
    return result


def _print_table(result: dict[str, Any]) -> None:
    print("[info] median relative loss (spectral at the nearest square size):", flush=True)
    print(f"  {'dataset':<28} {'kept':>6} {'m':>4} {'sum':>8} {'average':>8} {'max':>8} {'avg':>8}")
    for entry in result["datasets"].values():
        for fraction in TABLE_FRACTIONS:
            row = at_fraction(entry, fraction)
            cells = " ".join(f"{fmt(row[k]):>8}" for k in ("sum", "average", "max", "avg"))
            print(f"  {entry['title']:<28} {fraction_label(fraction):>6} {row['m']:>4} {cells}")
    print(f"[info] {result['elapsed_s']:.1f} s", flush=True)
