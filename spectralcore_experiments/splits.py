"""A dataset made ready for training: seeded subsets, normalised with training statistics, tensors on the device."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from spectralcore_experiments import datasets
from spectralcore_experiments.options import OptionError
from spectralcore_experiments.training import ImageSet


@dataclass
class Split:
    """A dataset ready for training: normalised tensors on the device, plus what the report needs to say."""

    name: str
    train: ImageSet
    test: ImageSet
    classes: int
    channels: int
    size: int
    train_total: int
    test_total: int

    @property
    def title(self) -> str:
        return datasets.title(self.name)

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


def to_image_set(
    images: np.ndarray,
    labels: np.ndarray,
    *,
    mean: Sequence[float],
    std: Sequence[float],
    device: torch.device | str = "cpu",
    name: str = "",
    classes: int = 10,
) -> ImageSet:
    """uint8 ``(N, H, W, C)`` images to a normalised float32 NCHW :class:`ImageSet` on ``device``."""
    if images.ndim != 4 or images.dtype != np.uint8:
        raise ValueError(f"images must be uint8 (N, H, W, C), got {images.dtype} {images.shape}")
    if labels.shape != (images.shape[0],):
        raise ValueError(f"labels must have shape ({images.shape[0]},), got {labels.shape}")
    x = torch.from_numpy(np.ascontiguousarray(images)).to(device).permute(0, 3, 1, 2).float().div_(255.0)
    mean_t = torch.tensor(mean, dtype=torch.float32, device=x.device).view(1, -1, 1, 1)
    std_t = torch.tensor(std, dtype=torch.float32, device=x.device).view(1, -1, 1, 1)
    x = ((x - mean_t) / std_t).contiguous()
    y = torch.from_numpy(labels.astype(np.int64)).to(device)
    return ImageSet(x, y, name=name, classes=classes)


def channel_stats(images: np.ndarray) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation of uint8 NHWC images, in [0, 1] units (from the training set)."""
    flat = images.reshape(-1, images.shape[-1]).astype(np.float64) / 255.0
    return flat.mean(axis=0).tolist(), flat.std(axis=0).tolist()


def cifar_name(args: argparse.Namespace) -> str:
    """``cifar10`` or ``cifar100``, read from the copy given by ``--cifar-dir`` (it says which it holds)."""
    labels = datasets.cifar_label_names(args.cifar_dir, label=args.cifar_label, verify=not args.no_verify)
    return "cifar100" if len(labels) > 10 else "cifar10"


def dataset_choices(args: argparse.Namespace, choice: str) -> list[str]:
    """What a ``--*-dataset`` choice asks for, without reading any file: ``"fashion-mnist"`` and/or ``"cifar"``.

    ``auto`` is Fashion-MNIST plus CIFAR when ``--cifar-dir`` is set.

    Raises
    ------
    OptionError
        ``cifar`` without ``--cifar-dir``.
    """
    if choice == "auto":
        return ["fashion-mnist"] + (["cifar"] if args.cifar_dir is not None else [])
    if choice == "cifar" and args.cifar_dir is None:
        raise OptionError("the CIFAR dataset needs --cifar-dir pointing at a local CIFAR-10/100 copy")
    return [choice]


def datasets_to_run(args: argparse.Namespace, choice: str) -> list[str]:
    """Dataset names for a ``--*-dataset`` choice, ``cifar`` resolved to the copy's ``cifar10`` or ``cifar100``."""
    return [cifar_name(args) if name == "cifar" else name for name in dataset_choices(args, choice)]


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
    train_x, train_y = datasets.load_dataset(name, subset="train", **kwargs)
    test_x, test_y = datasets.load_dataset(name, subset="test", **kwargs)
    classes = datasets.num_classes(name, args.cifar_label if name != "fashion-mnist" else "fine")
    train_total, test_total = len(train_y), len(test_y)
    train_idx = subset_indices(len(train_y), train_count, args.seed)
    test_idx = subset_indices(len(test_y), test_count, args.seed + 1)
    train_x, train_y = train_x[train_idx], train_y[train_idx]
    test_x, test_y = test_x[test_idx], test_y[test_idx]
    mean, std = channel_stats(train_x)

    def tensors(images: np.ndarray, labels: np.ndarray) -> ImageSet:
        return to_image_set(images, labels, mean=mean, std=std, device=device, name=name, classes=classes)

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
