"""Offline datasets for the paper reproduction: nothing here downloads anything, and nothing is cached on disk.

One module per source:

* :mod:`~spectralcore_experiments.datasets.cifar`: CIFAR-10 / CIFAR-100 from a local copy the user already has
  (python or binary version, archive or folder), the pickles read by the restricted unpickler of
  :mod:`~spectralcore_experiments.datasets.safe_pickle`;
* :mod:`~spectralcore_experiments.datasets.fashion_mnist`: Fashion-MNIST from IDX files, by default the
  Debian/Ubuntu package ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``);
* :mod:`~spectralcore_experiments.datasets.photos`: the natural colour photos bundled in scikit-image, scikit-learn
  and matplotlib, and uniform random crops of them;
* :mod:`~spectralcore_experiments.datasets.catalog`: the one table of names, titles, classes and image shapes.

Every dataset problem raises :class:`DatasetError`, whose message says what is missing or wrong and how to fix it;
bad arguments raise :class:`ValueError`. No file is read beyond the size its format allows (decompression bombs
are refused before they are inflated).

Examples
--------
>>> from spectralcore_experiments.datasets import load_dataset, num_classes
>>> num_classes("cifar100", "coarse")
20
>>> images, labels = load_dataset("fashion-mnist", subset="test")
>>> images.shape, images.dtype, labels.dtype
((10000, 28, 28, 1), dtype('uint8'), dtype('int64'))
"""

from __future__ import annotations

import os

import numpy as np

from spectralcore_experiments.datasets import cifar
from spectralcore_experiments.datasets.catalog import (
    CIFAR_URL,
    IMAGE_SHAPES,
    NAMES,
    SUBSETS,
    TITLES,
    num_classes,
    title,
)
from spectralcore_experiments.datasets.cifar import cifar_label_names, load_cifar
from spectralcore_experiments.datasets.fashion_mnist import (
    DEFAULT_FASHION_MNIST_DIR,
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_ENV,
    load_fashion_mnist,
)
from spectralcore_experiments.datasets.files import DatasetError, check_choice
from spectralcore_experiments.datasets.photos import load_photos, random_crops

__all__ = [
    "CIFAR_URL",
    "DEFAULT_FASHION_MNIST_DIR",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_ENV",
    "IMAGE_SHAPES",
    "NAMES",
    "TITLES",
    "DatasetError",
    "cifar_label_names",
    "load_cifar",
    "load_dataset",
    "load_fashion_mnist",
    "load_photos",
    "num_classes",
    "random_crops",
    "title",
]


def load_dataset(
    name: str,
    *,
    subset: str,
    data_dir: str | os.PathLike[str] | None = None,
    label: str = "fine",
    verify: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load ``name`` ("fashion-mnist", "cifar10" or "cifar100") as ``(images uint8 NHWC, labels int64)``.

    Fashion-MNIST comes back as ``(N, 28, 28, 1)`` (read-only, see :func:`load_fashion_mnist`; ``data_dir`` defaults
    to the installed copy), CIFAR as ``(N, 32, 32, 3)`` from ``data_dir``, which is required and must hold the named
    dataset (see :func:`load_cifar` for the accepted forms; a folder holding both CIFAR-10 and CIFAR-100 works).

    Examples
    --------
    >>> images, labels = load_dataset("fashion-mnist", subset="test")
    >>> images.shape, images.dtype, labels.dtype
    ((10000, 28, 28, 1), dtype('uint8'), dtype('int64'))

    With a local CIFAR-100 copy (not run by the tests)::

        images, labels = load_dataset("cifar100", subset="test", data_dir="~/data", label="coarse")
        images.shape, int(labels.max()) + 1  # ((10000, 32, 32, 3), 20)
    """
    check_choice("name", name, NAMES)
    check_choice("subset", subset, SUBSETS)
    num_classes(name, label)  # validates label for this dataset before any file is touched
    if name == "fashion-mnist":
        images, labels = load_fashion_mnist(data_dir, subset=subset, verify=verify)
        return images[..., None], labels
    return cifar.load_named(name, data_dir, subset=subset, label=label, verify=verify)
