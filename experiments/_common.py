"""What experiments 2 and 3 share: loading a dataset onto the training device, subsets, run folders, plots."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from experiments import data, harness

DATASET_TITLES = {"fashion-mnist": "Fashion-MNIST", "cifar10": "CIFAR-10", "cifar100": "CIFAR-100"}


@dataclass
class Split:
    """A dataset ready for training: normalised tensors on the device, plus what the report needs to say."""

    name: str
    train: harness.Dataset
    test: harness.Dataset
    classes: int
    channels: int
    size: int
    train_total: int
    test_total: int

    @property
    def title(self) -> str:
        return DATASET_TITLES.get(self.name, self.name)

    def describe(self) -> dict[str, Any]:
        return {
            "dataset": self.name,
            "train_examples": len(self.train),
            "train_available": self.train_total,
            "test_examples": len(self.test),
            "test_available": self.test_total,
            "classes": self.classes,
            "image": [self.channels, self.size, self.size],
        }


def device_of(args: argparse.Namespace) -> torch.device:
    """The training device named by ``--device``, with a clear error when it is not available."""
    try:
        device = torch.device(args.device)
    except RuntimeError as exc:
        raise SystemExit(f"--device: expected a torch device such as cpu or cuda, got {args.device!r} ({exc})") from exc
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"--device {args.device}: this torch build ({torch.__version__}) sees no CUDA device")
    return device


def cifar_name(args: argparse.Namespace) -> str:
    """``cifar10`` or ``cifar100``, read from the copy given by ``--cifar-dir`` (it says which it holds)."""
    labels = data.cifar_label_names(args.cifar_dir, label=args.cifar_label, verify=not args.no_verify)
    return "cifar100" if len(labels) > 10 else "cifar10"


def datasets_to_run(args: argparse.Namespace, choice: str) -> list[str]:
    """Dataset names for a ``--*-dataset`` choice: ``auto`` is Fashion-MNIST plus CIFAR when ``--cifar-dir`` is set."""
    if choice == "auto":
        return ["fashion-mnist"] + ([cifar_name(args)] if args.cifar_dir is not None else [])
    if choice == "cifar":
        if args.cifar_dir is None:
            raise SystemExit("the CIFAR dataset needs --cifar-dir pointing at a local CIFAR-10/100 copy")
        return [cifar_name(args)]
    return [choice]


def subset_indices(total: int, count: int, seed: int) -> np.ndarray:
    """``count`` distinct indices of ``range(total)`` (all of them, in order, when ``count`` is 0 or too large)."""
    if count <= 0 or count >= total:
        return np.arange(total)
    return np.sort(np.random.default_rng(seed).choice(total, size=count, replace=False))


def load_split(
    args: argparse.Namespace, name: str, *, train_count: int, test_count: int, device: torch.device
) -> Split:
    """Load dataset ``name``, take seeded subsets of the given sizes (0: all) and normalise with train statistics."""
    kwargs: dict[str, Any] = {"verify": not args.no_verify}
    if name == "fashion-mnist":
        kwargs["data_dir"] = args.fashion_mnist_dir
    else:
        kwargs["data_dir"] = args.cifar_dir
        kwargs["label"] = args.cifar_label
    train_x, train_y = data.load_dataset(name, subset="train", **kwargs)
    test_x, test_y = data.load_dataset(name, subset="test", **kwargs)
    classes = data.num_classes(name, args.cifar_label)
    train_total, test_total = len(train_y), len(test_y)
    train_idx = subset_indices(len(train_y), train_count, args.seed)
    test_idx = subset_indices(len(test_y), test_count, args.seed + 1)
    train_x, train_y = train_x[train_idx], train_y[train_idx]
    test_x, test_y = test_x[test_idx], test_y[test_idx]
    mean, std = harness.channel_stats(train_x)

    def tensors(images: np.ndarray, labels: np.ndarray) -> harness.Dataset:
        return harness.to_dataset(images, labels, mean=mean, std=std, device=device, name=name, classes=classes)

    return Split(
        name=name,
        train=tensors(train_x, train_y),
        test=tensors(test_x, test_y),
        classes=classes,
        channels=int(train_x.shape[-1]),
        size=int(train_x.shape[1]),
        train_total=train_total,
        test_total=test_total,
    )


def train_run(
    args: argparse.Namespace,
    model: torch.nn.Module,
    split: Split,
    config: harness.TrainConfig,
    run_dir: Path,
    *,
    name: str,
    extra: dict[str, Any],
) -> dict[str, Any]:
    """Train one run (resuming it with ``--resume``) and return its record: ``extra``, curves, parameter count."""
    from spectralcore_torch import models

    history = harness.train(
        model,
        split.train,
        split.test,
        config,
        run_dir,
        resume=args.resume,
        progress=not args.no_progress,
        description=name,
        extra=extra,
    )
    curves = {key: history.column(key) for key in ("train_error", "test_error", "train_loss", "test_loss")}
    return {
        **extra,
        "run": name,
        "parameters": models.count_parameters(model),
        **curves,
        "seconds": sum(history.column("seconds")),
    }


def run_seed(base: int, *parts: int | str) -> int:
    """A seed for one run, derived from the base ``--seed`` and the run's identity (stable across Python runs)."""
    words = [base] + [sum((i + 1) * ord(c) for i, c in enumerate(p)) if isinstance(p, str) else p for p in parts]
    return int(np.random.SeedSequence(words).generate_state(1)[0])


def mean_std(curves: Sequence[Sequence[float]]) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise mean and sample standard deviation (0 for one curve) of equal-length curves."""
    array = np.asarray(curves, dtype=np.float64)
    std = array.std(axis=0, ddof=1) if array.shape[0] > 1 else np.zeros(array.shape[1])
    return array.mean(axis=0), std


def fmt(value: float | None, digits: int = 4) -> str:
    """A number for a Markdown table: 4 significant digits; '–' for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:.{digits}g}"


def pct(value: float | None) -> str:
    """An error rate as a percentage with two decimals."""
    if value is None:
        return "–"
    return f"{100.0 * value:.2f} %"


def relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with forward slashes, for Markdown links."""
    return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
