"""Natural colour photos bundled in the scikit-image, scikit-learn and matplotlib wheels, and random crops of them.

They stand in for the ImageNet validation images of the paper's information-preservation experiment; nothing is
downloaded.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from spectralcore_experiments.datasets.catalog import INSTALL_EXTRAS
from spectralcore_experiments.datasets.files import DatasetError

__all__ = ["load_photos", "random_crops"]

_SKIMAGE_PHOTOS = (
    "astronaut",
    "chelsea",
    "coffee",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "stereo_motorcycle",
)


def _import(module: str, package: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DatasetError(
            f"the bundled photos need {package} ({module} could not be imported: {exc}); install the experiment "
            f"dependencies with `{INSTALL_EXTRAS}`"
        ) from exc


def _rgb(name: str, image: Any) -> np.ndarray:
    array = np.asarray(image)
    if array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] not in (3, 4):
        raise DatasetError(
            f"bundled photo {name!r} is a {array.dtype} array of shape {array.shape}, expected RGB uint8"
        )
    array = np.ascontiguousarray(array[:, :, :3])
    array.setflags(write=False)
    return array


@functools.lru_cache(maxsize=1)
def _photos() -> tuple[tuple[str, np.ndarray], ...]:
    skimage_data = _import("skimage.data", "scikit-image")
    sklearn_datasets = _import("sklearn.datasets", "scikit-learn")
    cbook = _import("matplotlib.cbook", "matplotlib")
    mpl_image = _import("matplotlib.image", "matplotlib")
    photos: list[tuple[str, np.ndarray]] = []
    try:
        for name in _SKIMAGE_PHOTOS:
            image = getattr(skimage_data, name)()
            # stereo_motorcycle() is (left, right, disparity); the left view is the photo.
            photos.append((name, _rgb(name, image[0] if name == "stereo_motorcycle" else image)))
        samples = sklearn_datasets.load_sample_images()
        for filename, image in zip(samples.filenames, samples.images, strict=True):
            name = Path(filename).stem
            photos.append((name, _rgb(name, image)))
        hopper = mpl_image.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
        photos.append(("grace_hopper", _rgb("grace_hopper", hopper)))
    except DatasetError:
        raise
    # The files ship inside the wheels, so an error here means a stripped or broken installation (scikit-image
    # would try to fetch a missing file over the network, which fails offline).
    except Exception as exc:
        raise DatasetError(
            f"cannot load the bundled photos ({type(exc).__name__}: {exc}); reinstall scikit-image, scikit-learn "
            f"and matplotlib with `{INSTALL_EXTRAS}`"
        ) from exc
    return tuple(photos)


def load_photos() -> list[tuple[str, np.ndarray]]:
    """The 11 natural colour photos that ship with scikit-image, scikit-learn and matplotlib, as ``(name, image)``.

    scikit-image: astronaut, chelsea, coffee, rocket, hubble_deep_field, immunohistochemistry, retina,
    stereo_motorcycle (left view); scikit-learn: china, flower; matplotlib: grace_hopper. Each image is a read-only
    uint8 array of shape ``(H, W, 3)``, at least 300 pixels on a side. Nothing is downloaded.

    Raises
    ------
    DatasetError
        A package is missing (install ``spectralcore[experiments]``) or a bundled file cannot be read.

    Examples
    --------
    >>> photos = load_photos()
    >>> [name for name, _ in photos][:3]
    ['astronaut', 'chelsea', 'coffee']
    """
    return list(_photos())


@overload
def random_crops(
    photos: Sequence[np.ndarray | tuple[str, np.ndarray]],
    size: int | tuple[int, int],
    count: int,
    *,
    rng: np.random.Generator,
    return_sources: Literal[False] = ...,
) -> np.ndarray: ...


@overload
def random_crops(
    photos: Sequence[np.ndarray | tuple[str, np.ndarray]],
    size: int | tuple[int, int],
    count: int,
    *,
    rng: np.random.Generator,
    return_sources: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...


def random_crops(
    photos: Sequence[np.ndarray | tuple[str, np.ndarray]],
    size: int | tuple[int, int],
    count: int,
    *,
    rng: np.random.Generator,
    return_sources: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """``count`` uniformly random crops of ``photos``, as float64 in [0, 1], shape ``(count, h, w, 3)``.

    Each crop picks a photo uniformly (every photo equally likely, whatever its size), then a uniform top-left
    corner among the positions where the crop fits. The result depends only on ``rng``'s state.

    Parameters
    ----------
    photos
        uint8 ``(H, W, 3)`` images, or ``(name, image)`` pairs as returned by :func:`load_photos`.
    size
        Crop size: ``s`` for ``s x s``, or ``(h, w)``.
    count
        Number of crops (>= 0).
    rng
        The random generator, e.g. ``np.random.default_rng(seed)``.
    return_sources
        Also return an int64 array of shape ``(count, 3)``: the photo index, top row and left column of each crop.

    Examples
    --------
    >>> import numpy as np
    >>> photo = (np.arange(10 * 12 * 3) % 256).astype(np.uint8).reshape(10, 12, 3)
    >>> crops, sources = random_crops([photo], 4, 2, rng=np.random.default_rng(0), return_sources=True)
    >>> crops.shape, crops.dtype
    ((2, 4, 4, 3), dtype('float64'))
    >>> _, top, left = sources[0]
    >>> bool(np.array_equal(crops[0], photo[top : top + 4, left : left + 4] / 255))
    True
    """
    images = [item[1] if isinstance(item, tuple) else item for item in photos]
    labels = [f"photos[{i}]" + (f" ({item[0]!r})" if isinstance(item, tuple) else "") for i, item in enumerate(photos)]
    if not images:
        raise ValueError("photos must hold at least one image, got none")
    pair = (size, size) if isinstance(size, (int, np.integer)) else size
    if (
        not isinstance(pair, (tuple, list))
        or len(pair) != 2
        or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0 for n in pair)
    ):
        raise ValueError(f"size must be a positive int or a pair (h, w) of positive ints, got {size!r}")
    height, width = int(pair[0]), int(pair[1])
    if not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError(f"count must be a non-negative int, got {count!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError(
            f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    for index, image in enumerate(images):
        if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            got = (
                f"{image.dtype} array of shape {image.shape}" if isinstance(image, np.ndarray) else type(image).__name__
            )
            raise ValueError(f"{labels[index]} must be a uint8 array of shape (H, W, 3), got {got}")
        if image.shape[0] < height or image.shape[1] < width:
            raise ValueError(
                f"{labels[index]} is {image.shape[0]}x{image.shape[1]}, smaller than the {height}x{width} crop"
            )
    shapes = np.array([image.shape[:2] for image in images], dtype=np.int64)
    which = rng.integers(len(images), size=count)
    tops = rng.integers(0, shapes[which, 0] - height + 1)
    lefts = rng.integers(0, shapes[which, 1] - width + 1)
    crops = np.empty((count, height, width, 3), dtype=np.float64)
    rows, cols = np.arange(height), np.arange(width)
    # One fancy-indexing gather per photo rather than a Python loop per crop.
    for index, image in enumerate(images):
        chosen = np.flatnonzero(which == index)
        if chosen.size:
            r = (tops[chosen, None] + rows)[:, :, None]
            c = (lefts[chosen, None] + cols)[:, None, :]
            crops[chosen] = image[r, c]
    crops /= 255.0
    if return_sources:
        return crops, np.stack([which, tops, lefts], axis=1).astype(np.int64)
    return crops
