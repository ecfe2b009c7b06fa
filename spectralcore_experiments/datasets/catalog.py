"""The one table of the datasets the experiments train on: names, titles, classes, image shapes.

Examples
--------
>>> TITLES["cifar100"], IMAGE_SHAPES["fashion-mnist"], num_classes("cifar100", "coarse")
('CIFAR-100', (28, 28, 1), 20)
"""

from __future__ import annotations

from spectralcore_experiments.datasets.files import check_choice

NAMES = ("fashion-mnist", "cifar10", "cifar100")
TITLES = {"fashion-mnist": "Fashion-MNIST", "cifar10": "CIFAR-10", "cifar100": "CIFAR-100"}
# (height, width, channels) of every image.
IMAGE_SHAPES = {"fashion-mnist": (28, 28, 1), "cifar10": (32, 32, 3), "cifar100": (32, 32, 3)}
SUBSETS = ("train", "test")
LABELS = ("fine", "coarse")
_NUM_CLASSES = {
    ("fashion-mnist", "fine"): 10,
    ("cifar10", "fine"): 10,
    ("cifar100", "fine"): 100,
    ("cifar100", "coarse"): 20,
}
INSTALL_EXTRAS = "pip install 'spectralcore[experiments]'"
# Where each dataset can be had (nothing here downloads anything; the messages point there).
CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar.html"
FASHION_MNIST_URL = "https://github.com/zalandoresearch/fashion-mnist"


def title(name: str) -> str:
    """The dataset's name as the report writes it (unknown names are returned as they are)."""
    return TITLES.get(name, name)


def num_classes(name: str, label: str = "fine") -> int:
    """Number of classes of dataset ``name`` ("fashion-mnist", "cifar10", "cifar100") under labelling ``label``.

    ``label`` is "fine" (the default, and the only labelling of CIFAR-10 and Fashion-MNIST) or "coarse" (CIFAR-100's
    20 superclasses).

    Examples
    --------
    >>> num_classes("cifar10"), num_classes("cifar100"), num_classes("cifar100", "coarse")
    (10, 100, 20)
    """
    check_choice("name", name, NAMES)
    check_choice("label", label, LABELS)
    if (name, label) not in _NUM_CLASSES:
        raise ValueError(f"label={label!r} applies to CIFAR-100 only; {TITLES[name]} has only label='fine'")
    return _NUM_CLASSES[(name, label)]
