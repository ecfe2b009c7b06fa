"""Fashion-MNIST from its four IDX files, by default the Debian/Ubuntu package ``dataset-fashion-mnist``.

The IDX header states the size of the data, so a file is read to that size and not beyond (see ``_read_idx``).
"""

from __future__ import annotations

import functools
import gzip
import io
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from spectralcore_experiments.datasets.catalog import FASHION_MNIST_URL, SUBSETS
from spectralcore_experiments.datasets.files import (
    DatasetError,
    check_choice,
    checksum_mismatch,
    md5,
    read_at_most,
    read_file,
)

__all__ = ["DEFAULT_FASHION_MNIST_DIR", "FASHION_MNIST_CLASSES", "FASHION_MNIST_ENV", "load_fashion_mnist"]

FASHION_MNIST_ENV = "SPECTRALCORE_FASHION_MNIST"
DEFAULT_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
_FASHION_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
# MD5 of the official .gz files, as published in Zalando's README (also torchvision's FashionMNIST.resources).
_FASHION_GZ_MD5 = {
    "train-images-idx3-ubyte": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    "train-labels-idx1-ubyte": "25c81989df183df01b3e8a0aad5dffbe",
    "t10k-images-idx3-ubyte": "bef4ecab320f06d8554ea6380940ec79",
    "t10k-labels-idx1-ubyte": "bb300cfdad3c16e7a12a480ee83cd310",
}
# MD5 of the decompressed IDX payloads of those official files. The Debian package re-compresses the files (the
# gzip headers carry its 2020-06-05 build time), so its .gz checksums differ, but the decompressed bytes match these
# values, which several independent projects list for the uncompressed official files.
_FASHION_RAW_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}
_IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions
_IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension
_SIDE = 28
MAX_ITEMS = 60_000  # the training set; the test set has 10 000


def _fashion_dir(path: str | os.PathLike[str] | None) -> Path:
    if path is not None:
        folder, origin = Path(path).expanduser(), "the given path"
    elif os.environ.get(FASHION_MNIST_ENV):
        folder, origin = Path(os.environ[FASHION_MNIST_ENV]).expanduser(), f"${FASHION_MNIST_ENV}"
    else:
        folder, origin = DEFAULT_FASHION_MNIST_DIR, "the default location"
    if not folder.is_dir():
        raise DatasetError(
            f"Fashion-MNIST not found: {folder} ({origin}) is not a directory. Install it with "
            "`sudo apt-get install dataset-fashion-mnist` (Debian/Ubuntu; files in "
            f"{DEFAULT_FASHION_MNIST_DIR}), or pass a directory holding the four IDX files "
            f"({', '.join(f'{name}.gz' for name in _FASHION_GZ_MD5)}; CLI --fashion-mnist-dir), or set "
            f"{FASHION_MNIST_ENV}. The files are available from {FASHION_MNIST_URL}."
        )
    return folder


def _idx_file(folder: Path, stem: str) -> Path | None:
    for name in (f"{stem}.gz", stem):  # the official files are gzipped; an unpacked copy works too
        if (folder / name).is_file():
            return folder / name
    return None


def _read_idx(file: Path, stem: str, magic: int, verify: bool) -> np.ndarray:
    """The array of an IDX file (gzipped or not), checked against the official checksums when ``verify``.

    Nothing is read beyond the size the header states (plus one byte, to notice trailing data), and the header may
    not state more than Fashion-MNIST's 60 000 items: a decompression bomb is refused before it is inflated.
    """
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    largest = header_size + MAX_ITEMS * (_SIDE * _SIDE if ndim == 3 else 1)
    packed = file.suffix == ".gz"
    # gzip stores incompressible data in blocks with a few bytes of overhead each: 1 % and 4 kB cover it.
    raw = read_file(file, limit=largest + largest // 100 + 4096 if packed else largest, what="a Fashion-MNIST IDX file")
    if packed:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
                head = read_at_most(stream, header_size)
                dims = _idx_dims(head, str(file), magic)
                # One byte more than the header states: present only when more data follows.
                data = head + read_at_most(stream, _idx_size(dims, header_size) - header_size + 1)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; truncation is an EOFError
            raise DatasetError(
                f"{file} is truncated or not a valid gzip file ({type(exc).__name__}: {exc}); get it again from "
                f"{FASHION_MNIST_URL} or reinstall dataset-fashion-mnist"
            ) from exc
    else:
        data = raw
        dims = _idx_dims(data[:header_size], str(file), magic)
    expected = _idx_size(dims, header_size)
    if len(data) < expected:
        raise DatasetError(
            f"{file}: {len(data)} bytes, but its header {dims} implies {expected}: the file is truncated"
        )
    if len(data) > expected:
        raise DatasetError(
            f"{file}: more than the {expected} bytes its header {dims} implies: the file is followed by unexpected "
            "data (a damaged file or a decompression bomb); refusing to read further"
        )
    # Accept the official .gz bytes, or any (re)compression whose payload is the official one. The files are small
    # (26 MB at most) and read whole anyway, so they are hashed in memory, not re-read.
    if verify and not (packed and md5(raw) == _FASHION_GZ_MD5[stem]):
        actual = md5(data)
        if actual != _FASHION_RAW_MD5[stem]:
            if packed:
                wanted = f"{_FASHION_GZ_MD5[stem]} (official .gz) or decompressed content {_FASHION_RAW_MD5[stem]}"
                actual = f"{md5(raw)} (decompressed content {actual})"
            else:
                wanted = _FASHION_RAW_MD5[stem]
            raise checksum_mismatch(str(file), wanted, actual, FASHION_MNIST_URL)
    return np.frombuffer(data, dtype=np.uint8, offset=header_size).reshape(dims)


def _idx_dims(head: bytes, where: str, magic: int) -> tuple[int, ...]:
    """The dimensions in an IDX header, checked: the magic number, 28x28 images, at most ``MAX_ITEMS`` of them."""
    ndim = magic & 0xFF
    if len(head) < 4 + 4 * ndim:
        raise DatasetError(f"{where}: {len(head)} bytes, too short for an IDX header: the file is truncated")
    (found,) = struct.unpack(">I", head[:4])  # IDX is big-endian
    if found != magic:
        raise DatasetError(
            f"{where}: IDX magic number 0x{found:08x}, expected 0x{magic:08x} (unsigned bytes, {ndim} dimension"
            f"{'s' if ndim > 1 else ''}): not the expected {'image' if ndim == 3 else 'label'} file"
        )
    dims = struct.unpack(f">{ndim}I", head[4 : 4 + 4 * ndim])
    if ndim == 3 and dims[1:] != (_SIDE, _SIDE):
        raise DatasetError(f"{where}: images are {dims[1]}x{dims[2]}, expected 28x28 for Fashion-MNIST")
    if dims[0] > MAX_ITEMS:
        raise DatasetError(
            f"{where}: its header claims {dims[0]} {'images' if ndim == 3 else 'labels'}, more than the {MAX_ITEMS} "
            "of Fashion-MNIST's training set: not a Fashion-MNIST file; refusing to read it"
        )
    return tuple(int(d) for d in dims)


def _idx_size(dims: tuple[int, ...], header_size: int) -> int:
    return header_size + math.prod(dims)


@functools.lru_cache(maxsize=4)
def _load_fashion_cached(
    images_file: Path, labels_file: Path, stamp: tuple[tuple[int, int], ...], verify: bool
) -> tuple[np.ndarray, np.ndarray]:
    del stamp  # only part of the cache key: a replaced file (new size or mtime) is read again
    images_stem, labels_stem = (file.name.removesuffix(".gz") for file in (images_file, labels_file))
    images = _read_idx(images_file, images_stem, _IDX_IMAGES_MAGIC, verify)
    labels = _read_idx(labels_file, labels_stem, _IDX_LABELS_MAGIC, verify)
    if images.shape[0] != labels.shape[0]:
        raise DatasetError(
            f"{images_file} holds {images.shape[0]} images but {labels_file} holds {labels.shape[0]} labels; the two "
            "files do not belong together"
        )
    if labels.size and labels.max() >= len(FASHION_MNIST_CLASSES):
        raise DatasetError(f"{labels_file}: label {labels.max()} out of range [0, {len(FASHION_MNIST_CLASSES)})")
    labels = labels.astype(np.int64)
    # The cache hands the same arrays to every caller: freeze them so that no caller can corrupt the others' data.
    images.setflags(write=False)
    labels.setflags(write=False)
    return images, labels


def load_fashion_mnist(
    path: str | os.PathLike[str] | None = None, *, subset: str = "train", verify: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load Fashion-MNIST from its four IDX files (gzipped as distributed, or unpacked).

    Parameters
    ----------
    path
        Folder with ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
        ``t10k-labels-idx1-ubyte.gz`` (or the same names without ``.gz``). Default: ``$SPECTRALCORE_FASHION_MNIST`` if
        set, else ``/usr/share/datasets/fashion-mnist`` (Debian/Ubuntu package ``dataset-fashion-mnist``).
    subset
        ``"train"`` (60 000 images) or ``"test"`` (10 000).
    verify
        Check the files against the official MD5 checksums. A re-compressed copy (such as Debian's) passes when its
        decompressed content is the official one.

    Returns
    -------
    images : numpy.ndarray
        uint8, shape ``(N, 28, 28)``, **read-only**.
    labels : numpy.ndarray
        int64, shape ``(N,)`` with values in 0..9 (see :data:`FASHION_MNIST_CLASSES`), **read-only**.

    Notes
    -----
    Results are memoised in-process (keyed on the files, their size and mtime, and ``verify``), which is why the
    arrays are read-only; copy them (``images.astype(np.float32)`` does) before modifying them.

    Examples
    --------
    >>> images, labels = load_fashion_mnist(subset="test")
    >>> images.shape, FASHION_MNIST_CLASSES[labels[0]]
    ((10000, 28, 28), 'Ankle boot')
    """
    check_choice("subset", subset, SUBSETS)
    folder = _fashion_dir(path)
    stems = _FASHION_FILES[subset]
    files = [_idx_file(folder, stem) for stem in stems]
    missing = [f"{stem}.gz" for stem, file in zip(stems, files, strict=True) if file is None]
    if missing:
        raise DatasetError(
            f"Fashion-MNIST in {folder} is incomplete: missing {', '.join(missing)} (or the same without .gz), needed "
            f"for subset={subset!r}. Reinstall dataset-fashion-mnist or get the files from {FASHION_MNIST_URL}."
        )
    images_file, labels_file = (file.resolve() for file in files if file is not None)
    stamp = tuple((stat.st_size, stat.st_mtime_ns) for stat in (images_file.stat(), labels_file.stat()))
    return _load_fashion_cached(images_file, labels_file, stamp, bool(verify))
