"""Offline datasets for the paper-reproduction harness.

Nothing here downloads anything, and nothing is cached on disk. Three sources:

* **CIFAR-10 / CIFAR-100** from a local copy the user already has (:func:`load_cifar`): the official "python
  version" or "binary version", as the ``.tar.gz`` archive or the folder it extracts to (or a parent folder holding
  exactly one of them). The python version is a set of Python 2 pickles; they are read with a restricted unpickler
  that admits only what numpy array reconstruction needs, so a tampered file cannot run code.
* **Fashion-MNIST** from IDX files (:func:`load_fashion_mnist`), by default the Debian/Ubuntu package
  ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist``).
* **Natural colour photos** bundled in the scikit-image, scikit-learn and matplotlib wheels (:func:`load_photos`),
  and uniform random crops of them (:func:`random_crops`), for the information-preservation experiment.

Every dataset problem raises :class:`DatasetError`, whose message says what is missing or wrong and how to fix it;
bad arguments raise :class:`ValueError`.

Examples
--------
>>> from experiments.data import load_dataset, num_classes
>>> num_classes("cifar100", "coarse")
20
>>> images, labels = load_dataset("fashion-mnist", subset="test")
>>> images.shape, images.dtype, labels.dtype
((10000, 28, 28, 1), dtype('uint8'), dtype('int64'))
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import importlib
import io
import os
import pickle
import struct
import tarfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, Literal, overload

import numpy as np

__all__ = [
    "CIFAR_URL",
    "DEFAULT_FASHION_MNIST_DIR",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_ENV",
    "DatasetError",
    "cifar_label_names",
    "load_cifar",
    "load_dataset",
    "load_fashion_mnist",
    "load_photos",
    "num_classes",
    "random_crops",
]


class DatasetError(RuntimeError):
    """A dataset is missing, incomplete, corrupt, not the expected one, or fails its checksum."""


CIFAR_URL = "https://www.cs.toronto.edu/~kriz/cifar.html"
_INSTALL_EXTRAS = "pip install 'spectralcore[experiments]'"
_SUBSETS = ("train", "test")
_LABELS = ("fine", "coarse")
_DATASETS = ("fashion-mnist", "cifar10", "cifar100")
_TITLES = {"fashion-mnist": "Fashion-MNIST", "cifar10": "CIFAR-10", "cifar100": "CIFAR-100"}
_NUM_CLASSES = {
    ("fashion-mnist", "fine"): 10,
    ("cifar10", "fine"): 10,
    ("cifar100", "fine"): 100,
    ("cifar100", "coarse"): 20,
}


# ---------------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------------
def _check_choice(argument: str, value: object, choices: Sequence[str]) -> None:
    if not isinstance(value, str) or value not in choices:
        expected = " or ".join(repr(choice) for choice in choices)
        raise ValueError(f"{argument} must be {expected}, got {value!r}")


def num_classes(name: str, label: str = "fine") -> int:
    """Number of classes of dataset ``name`` ("fashion-mnist", "cifar10", "cifar100") under labelling ``label``.

    ``label`` is "fine" (the default, and the only labelling of CIFAR-10 and Fashion-MNIST) or "coarse" (CIFAR-100's
    20 superclasses).

    Examples
    --------
    >>> num_classes("cifar10"), num_classes("cifar100"), num_classes("cifar100", "coarse")
    (10, 100, 20)
    """
    _check_choice("name", name, _DATASETS)
    _check_choice("label", label, _LABELS)
    if (name, label) not in _NUM_CLASSES:
        raise ValueError(f"label={label!r} applies to CIFAR-100 only; {_TITLES[name]} has only label='fine'")
    return _NUM_CLASSES[(name, label)]


def _md5(data: bytes) -> str:
    # usedforsecurity=False: MD5 is only an integrity check here, and FIPS-mode Pythons refuse it otherwise.
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _md5_file(path: Path, chunk: int = 1 << 20) -> str:
    """MD5 of a file read in chunks (archives are ~170 MB; never hold them in memory just to hash them)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _mismatch(where: str, expected: str, actual: str, source: str) -> DatasetError:
    return DatasetError(
        f"MD5 checksum mismatch for {where}: expected {expected}, got {actual}. The file is "
        f"corrupt, truncated or not the official release: get it again from {source}; if it is a deliberately "
        "re-packed copy, pass verify=False (CLI --no-verify) to skip the checksum."
    )


# ---------------------------------------------------------------------------------------------
# Restricted unpickling (CIFAR python version)
# ---------------------------------------------------------------------------------------------
try:  # numpy >= 2 (and the 1.26 forward-compatibility shim)
    from numpy._core.multiarray import _reconstruct as _np_reconstruct
    from numpy._core.multiarray import scalar as _np_scalar
except ImportError:  # pragma: no cover - numpy 1.x without numpy._core
    from numpy.core.multiarray import _reconstruct as _np_reconstruct  # type: ignore[no-redef]
    from numpy.core.multiarray import scalar as _np_scalar  # type: ignore[no-redef]


class _Refused(pickle.UnpicklingError):
    """A pickle asked for something a CIFAR file never holds; reported as a refusal, not as corruption."""


def _safe_reconstruct(subtype: Any, shape: Any, dtype: Any) -> Any:
    # numpy's _reconstruct would instantiate any ndarray subclass; only the base class is legitimate here.
    if subtype is not np.ndarray:
        raise _Refused(f"_reconstruct of {subtype!r}: only numpy.ndarray is allowed")
    return _np_reconstruct(subtype, shape, dtype)


def _safe_dtype(spec: Any, align: bool = False, copy: bool = False) -> np.dtype[Any]:
    dtype = np.dtype(spec, align, copy)
    # Object arrays would make numpy unpickle arbitrary element objects; CIFAR arrays are plain uint8.
    if dtype.hasobject:
        raise _Refused(f"dtype {dtype} holds Python objects; CIFAR arrays are plain numbers")
    return dtype


def _safe_scalar(dtype: Any, *args: Any) -> Any:
    # For an object dtype, numpy's scalar() would return whatever object the pickle put in its second argument.
    if not isinstance(dtype, np.dtype) or dtype.hasobject:
        raise _Refused(f"numpy scalar of dtype {dtype!r} is not a plain number")
    return _np_scalar(dtype, *args)


def _latin1_encode(text: Any, encoding: Any = "utf-8", errors: Any = "strict") -> bytes:
    # Python 3 pickles bytes at protocol 2 as _codecs.encode(str, "latin1"); any other codec (zlib, rot13, ...)
    # has no business in a CIFAR file.
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "latin_1") or errors != "strict":
        raise _Refused(f"_codecs.encode with encoding {encoding!r}: only latin1 text is allowed")
    return text.encode("latin1")


# Python 2 numpy names numpy.core.multiarray; numpy >= 2 pickles numpy._core.multiarray. Both map to the guarded
# replacements above (importing numpy.core itself would warn on numpy 2).
_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("numpy.core.multiarray", "_reconstruct"): _safe_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _safe_reconstruct,
    ("numpy.core.multiarray", "scalar"): _safe_scalar,
    ("numpy._core.multiarray", "scalar"): _safe_scalar,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _safe_dtype,
    ("_codecs", "encode"): _latin1_encode,
}


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals numpy array reconstruction needs, and refuses everything else.

    Plain containers, numbers and strings need no globals at all, so an official CIFAR pickle loads, while a
    tampered one that references ``os.system``, ``builtins.eval`` or any class is refused before anything runs.
    """

    def __init__(self, file: io.BytesIO, where: str) -> None:
        # latin1 turns Python 2 str into str without failing on non-ASCII bytes; numpy expects exactly this for
        # the raw array data of Python 2 pickles.
        super().__init__(file, encoding="latin1")
        self._where = where

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            pass
        raise DatasetError(
            f"refusing to load {module}.{name} from {self._where}: CIFAR pickles contain only numpy arrays, lists, "
            "numbers and strings, so this file is not an official CIFAR file and may be malicious. Delete it and "
            f"get the dataset again from {CIFAR_URL}."
        )

    def persistent_load(self, pid: Any) -> Any:
        raise DatasetError(f"refusing persistent id {pid!r} in {self._where}: not an official CIFAR pickle")


def _unpickle(data: bytes, where: str) -> Any:
    try:
        return _RestrictedUnpickler(io.BytesIO(data), where).load()
    except DatasetError:
        raise
    except _Refused as exc:
        raise DatasetError(
            f"refusing to load {where}: {exc}. CIFAR pickles contain only numpy arrays, lists, numbers and strings, "
            f"so this file is not an official CIFAR file and may be malicious. Get the dataset again from {CIFAR_URL}."
        ) from exc
    # A truncated or garbled pickle fails in many ways (UnpicklingError, EOFError, ValueError from numpy's
    # __setstate__, TypeError, IndexError, ...); with find_class locked down none of them comes from foreign code.
    except Exception as exc:
        raise DatasetError(
            f"{where} is truncated or corrupt: unpickling failed ({type(exc).__name__}: {exc}). Get the dataset "
            f"again from {CIFAR_URL}."
        ) from exc


def _entry(mapping: Any, key: str, where: str) -> Any:
    """``mapping[key]`` where the key may be str (read as latin1, or written by Python 3) or bytes."""
    if not isinstance(mapping, dict):
        raise DatasetError(f"{where} holds a {type(mapping).__name__}, expected a dict: not a CIFAR file")
    for candidate in (key, key.encode("ascii")):
        if candidate in mapping:
            return mapping[candidate]
    found = sorted(k.decode("latin1") if isinstance(k, bytes) else str(k) for k in mapping)
    raise DatasetError(f"{where} has no {key!r} entry (keys found: {found}): not the expected CIFAR file")


# ---------------------------------------------------------------------------------------------
# CIFAR layouts
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class _Layout:
    dataset: str  # "cifar10" | "cifar100"
    binary: bool
    folder: str  # top folder inside the official archive
    archive: str  # official archive name
    archive_md5: str
    train: tuple[str, ...]
    test: tuple[str, ...]
    meta: Mapping[str, str]  # label kind -> file holding the class names
    md5: Mapping[str, str]  # known checksums of members (binary versions: none known)

    @property
    def title(self) -> str:
        return f"{_TITLES[self.dataset]} ({'binary' if self.binary else 'python'} version)"

    @property
    def files(self) -> tuple[str, ...]:
        return (*self.train, *self.test, *sorted(set(self.meta.values())))


# Checksums: the python-version values are torchvision's (torchvision/datasets/cifar.py: tgz_md5, train_list,
# test_list, meta["md5"]); the four archive values are the ones published on the dataset page (CIFAR_URL).
_CIFAR_LAYOUTS = (
    _Layout(
        dataset="cifar10",
        binary=False,
        folder="cifar-10-batches-py",
        archive="cifar-10-python.tar.gz",
        archive_md5="c58f30108f718f92721af3b95e74349a",
        train=tuple(f"data_batch_{i}" for i in range(1, 6)),
        test=("test_batch",),
        meta={"fine": "batches.meta"},
        md5={
            "data_batch_1": "c99cafc152244af753f735de768cd75f",
            "data_batch_2": "d4bba439e000b95fd0a9bffe97cbabec",
            "data_batch_3": "54ebc095f3ab1f0389bbae665268c751",
            "data_batch_4": "634d18415352ddfa80567beed471001a",
            "data_batch_5": "482c414d41f54cd18b22e5b47cb7c3cb",
            "test_batch": "40351d587109b95175f43aff81a1287e",
            "batches.meta": "5ff9c542aee3614f3951f8cda6e48888",
        },
    ),
    _Layout(
        dataset="cifar100",
        binary=False,
        folder="cifar-100-python",
        archive="cifar-100-python.tar.gz",
        archive_md5="eb9058c3a382ffc7106e4002c42a8d85",
        train=("train",),
        test=("test",),
        meta={"fine": "meta", "coarse": "meta"},
        md5={
            "train": "16019d7e3df5f24257cddd939b257f8d",
            "test": "f0ef6b0ae62326f3e7ffdfab6717acfc",
            "meta": "7973b15100ade9c7d40fb424638fde48",
        },
    ),
    _Layout(
        dataset="cifar10",
        binary=True,
        folder="cifar-10-batches-bin",
        archive="cifar-10-binary.tar.gz",
        archive_md5="c32a1d4ab5d03f1284b67883e8d87530",
        train=tuple(f"data_batch_{i}.bin" for i in range(1, 6)),
        test=("test_batch.bin",),
        meta={"fine": "batches.meta.txt"},
        md5={},
    ),
    _Layout(
        dataset="cifar100",
        binary=True,
        folder="cifar-100-binary",
        archive="cifar-100-binary.tar.gz",
        archive_md5="03b5dce01913d631647c71ecec9e9cb8",
        train=("train.bin",),
        test=("test.bin",),
        meta={"fine": "fine_label_names.txt", "coarse": "coarse_label_names.txt"},
        md5={},
    ),
)
_CIFAR_FILE_NAMES = frozenset(name for layout in _CIFAR_LAYOUTS for name in layout.files)
_CIFAR_ARCHIVES = {layout.archive: layout for layout in _CIFAR_LAYOUTS}
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
_PIXELS = 32 * 32 * 3
_EXPECTED_LAYOUTS = (
    "the CIFAR-10 python version (data_batch_1..5, test_batch, batches.meta), the CIFAR-100 python version "
    "(train, test, meta), the CIFAR-10 binary version (data_batch_1.bin..data_batch_5.bin, test_batch.bin, "
    "batches.meta.txt), the CIFAR-100 binary version (train.bin, test.bin), one of the archives "
    f"{', '.join(_CIFAR_ARCHIVES)}, or a folder holding exactly one of these"
)


def _match_layouts(names: Sequence[str] | frozenset[str] | set[str]) -> list[_Layout]:
    """The layouts whose data files appear among ``names``."""
    present = set(names)
    found = []
    for layout in _CIFAR_LAYOUTS:
        hits = present & set(layout.files)
        if not hits & set(layout.train + layout.test):
            continue
        # CIFAR-100's python files have generic names ("train", "test", "meta"): a lone "test" file in, say, a
        # --data-dir is no evidence of CIFAR-100.
        if layout.dataset == "cifar100" and not layout.binary and len(hits) < 2:
            continue
        found.append(layout)
    return found


def _detect(names: set[str], where: str) -> _Layout:
    layouts = _match_layouts(names)
    if not layouts:
        raise DatasetError(
            f"no CIFAR files in {where}. Expected {_EXPECTED_LAYOUTS}. Download the python version from {CIFAR_URL} "
            "(the archive can be passed as is; nothing needs extracting)."
        )
    if len(layouts) > 1:
        titles = ", ".join(layout.title for layout in layouts)
        raise DatasetError(f"{where} mixes files of several CIFAR copies ({titles}); keep one copy per folder")
    return layouts[0]


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(_ARCHIVE_SUFFIXES)


def _candidate(path: Path) -> tuple[Path, str | None] | None:
    """``(path, dataset or None if unknown)`` when ``path`` is an extracted CIFAR folder or a CIFAR archive."""
    if path.is_dir():
        try:
            layouts = _match_layouts(_file_names(path))
        except DatasetError:  # an unreadable folder beside the data is none of our business
            return None
        if len(layouts) == 1:
            return path, layouts[0].dataset
        return (path, None) if layouts else None
    if path.is_file() and _is_archive(path):
        if path.name in _CIFAR_ARCHIVES:
            return path, _CIFAR_ARCHIVES[path.name].dataset
        if "cifar" in path.name.lower():
            return path, None
    return None


def _file_names(folder: Path) -> set[str]:
    try:
        with os.scandir(folder) as entries:
            return {entry.name for entry in entries if entry.is_file()}
    except OSError as exc:
        raise DatasetError(f"cannot list {folder}: {exc}") from exc


def _locate(path: str | os.PathLike[str], want: str | None) -> Path:
    """Resolve the user's ``path`` to one CIFAR folder or archive (``want``: the dataset the caller expects)."""
    root = Path(path).expanduser()
    if not root.exists():
        raise DatasetError(
            f"CIFAR data not found: {root} does not exist. Download the python version (cifar-10-python.tar.gz or "
            f"cifar-100-python.tar.gz) from {CIFAR_URL} and pass the archive, the folder it extracts to, or the "
            "folder that holds either (CLI --data-dir)."
        )
    if root.is_file():
        if not _is_archive(root):
            raise DatasetError(
                f"{root} is a file but not a .tar.gz archive; pass a CIFAR archive or folder ({_EXPECTED_LAYOUTS})"
            )
        return root
    if _match_layouts(_file_names(root)):
        return root
    # A parent folder (e.g. --data-dir ~/data): look one level down.
    try:
        children = sorted(root.iterdir())
    except OSError as exc:
        raise DatasetError(f"cannot list {root}: {exc}") from exc
    candidates = [found for child in children if (found := _candidate(child)) is not None]
    if want is not None:
        candidates = [(p, dataset) for p, dataset in candidates if dataset in (want, None)]
    if not candidates:
        what = _TITLES[want] if want else "CIFAR"
        raise DatasetError(
            f"no {what} data in {root}. Expected {_EXPECTED_LAYOUTS}. Download it from {CIFAR_URL} (the archive can "
            "be used as is)."
        )
    datasets = {dataset for _, dataset in candidates}
    if len(candidates) > 1 and (None in datasets or len(datasets) > 1):
        listing = ", ".join(p.name for p, _ in candidates)
        raise DatasetError(
            f"{root} holds several CIFAR copies ({listing}); pass the one to use (the folder or archive itself)"
            + ("" if want else ", or name the dataset with load_dataset(name=...)")
        )
    # The same dataset several times (typically an archive and its extracted folder): the folder reads fastest.
    candidates.sort(key=lambda item: (not item[0].is_dir(), item[0].name))
    return candidates[0][0]


def _member_name(name: str) -> str | None:
    """The file name of a tar member at the top level or one folder deep; None for anything else."""
    parts = PurePosixPath(name).parts
    if not parts or parts[0] == "/" or ".." in parts:
        return None
    parts = tuple(part for part in parts if part != ".")
    return parts[-1] if 1 <= len(parts) <= 2 else None


def _read_archive(archive: Path, wanted: frozenset[str]) -> tuple[set[str], dict[str, tuple[str, bytes]]]:
    """One streaming pass over ``archive``: the CIFAR file names it holds, and the contents of those in ``wanted``.

    Members are read straight from the compressed stream: nothing is extracted, no member path is ever used as a
    file system path, and only regular files with known CIFAR names are looked at.
    """
    names: set[str] = set()
    blobs: dict[str, tuple[str, bytes]] = {}
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                name = _member_name(member.name)
                if name not in _CIFAR_FILE_NAMES:
                    continue
                where = f"{archive} (member {member.name})"
                if not member.isreg():
                    raise DatasetError(
                        f"{where} is not a regular file (tar type {member.type!r}); refusing it: official CIFAR "
                        f"archives hold only regular files. Get the archive again from {CIFAR_URL}."
                    )
                if name in names:
                    raise DatasetError(f"{archive} holds {name} twice; keep one CIFAR copy per archive")
                names.add(name)
                if name in wanted:
                    handle = tar.extractfile(member)
                    data = handle.read() if handle is not None else b""
                    if len(data) != member.size:
                        raise DatasetError(
                            f"{where} is truncated: {len(data)} of {member.size} bytes. Get the archive again "
                            f"from {CIFAR_URL}."
                        )
                    blobs[name] = (where, data)
    except DatasetError:
        raise
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise DatasetError(
            f"cannot read the archive {archive}: {type(exc).__name__}: {exc}. It is truncated, corrupt or not a "
            f"tar(.gz) file; get it again from {CIFAR_URL}."
        ) from exc
    return names, blobs


def _gather(
    path: str | os.PathLike[str],
    *,
    want: str | None,
    needed: Callable[[_Layout], tuple[str, ...]],
    check: Callable[[_Layout, str], None],
    verify: bool,
    purpose: str,
) -> tuple[_Layout, dict[str, tuple[str, bytes]]]:
    """Locate a CIFAR copy, detect its layout and return the contents of the ``needed`` files, checked."""
    source = _locate(path, want)

    def expect(layout: _Layout) -> None:
        if want is not None and layout.dataset != want:
            raise DatasetError(
                f"{source} holds {layout.title}, not {_TITLES[want]}: pass the {_TITLES[want]} copy, or ask for "
                f"{layout.dataset!r}"
            )
        check(layout, str(source))

    archive_verified = False
    if source.is_dir():
        names = _file_names(source)
        layout = _detect(names, str(source))
        expect(layout)
        missing = [name for name in needed(layout) if name not in names]
        if missing:
            raise DatasetError(
                f"{layout.title} in {source} is incomplete: missing {', '.join(missing)} (needed for {purpose}). "
                f"Extract {layout.archive} again (it unpacks to {layout.folder}/), or pass the archive itself; it is "
                f"available from {CIFAR_URL}."
            )
        blobs: dict[str, tuple[str, bytes]] = {}
        for name in needed(layout):
            file = source / name
            try:
                blobs[name] = (str(file), file.read_bytes())
            except OSError as exc:
                raise DatasetError(f"cannot read {file}: {exc}") from exc
    else:
        if source.name in _CIFAR_ARCHIVES and want is not None:
            expect(_CIFAR_ARCHIVES[source.name])  # fail before reading 170 MB when the name already tells
        # Only a file bearing an official archive name has a known checksum to compare against.
        if verify and source.name in _CIFAR_ARCHIVES:
            expected = _CIFAR_ARCHIVES[source.name].archive_md5
            actual = _md5_file(source)
            if actual != expected:
                raise _mismatch(str(source), expected, actual, CIFAR_URL)
            archive_verified = True
        wanted = frozenset(name for candidate in _CIFAR_LAYOUTS for name in needed(candidate))
        names, blobs = _read_archive(source, wanted)
        layout = _detect(names, str(source))
        expect(layout)
        missing = [name for name in needed(layout) if name not in blobs]
        if missing:
            raise DatasetError(
                f"{layout.title} archive {source} is incomplete: no member {', '.join(missing)} (needed for "
                f"{purpose}). Get {layout.archive} again from {CIFAR_URL}."
            )
    if verify and not archive_verified:
        for name in needed(layout):
            expected = layout.md5.get(name, "")
            where, data = blobs[name]
            if expected and (actual := _md5(data)) != expected:
                raise _mismatch(where, expected, actual, CIFAR_URL)
    return layout, {name: blobs[name] for name in needed(layout)}


def _labels_array(raw: Any, count: int, classes: int, where: str, key: str) -> np.ndarray:
    labels = np.asarray(raw)
    if labels.size == 0:
        labels = labels.astype(np.int64)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DatasetError(f"{where}: {key!r} must be a list of integers, got {labels.dtype} with shape {labels.shape}")
    if labels.shape[0] != count:
        raise DatasetError(f"{where}: {count} images but {labels.shape[0]} {key!r} (expected one label per image)")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise DatasetError(
            f"{where}: {key!r} values must lie in [0, {classes}), found range [{labels.min()}, {labels.max()}]: "
            "not the expected CIFAR file"
        )
    return labels.astype(np.int64)


def _parse_pickled_batch(layout: _Layout, label: str, where: str, data: bytes) -> tuple[np.ndarray, np.ndarray]:
    batch = _unpickle(data, where)
    pixels = _entry(batch, "data", where)
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.ndim != 2 or pixels.shape[1] != _PIXELS:
        got = f"{pixels.dtype} array of shape {pixels.shape}" if isinstance(pixels, np.ndarray) else type(pixels)
        raise DatasetError(f"{where}: 'data' must be a uint8 array of shape (N, {_PIXELS}), got {got}")
    key = "labels" if layout.dataset == "cifar10" else f"{label}_labels"
    labels = _labels_array(_entry(batch, key, where), pixels.shape[0], num_classes(layout.dataset, label), where, key)
    return pixels, labels


def _parse_binary_batch(layout: _Layout, label: str, where: str, data: bytes) -> tuple[np.ndarray, np.ndarray]:
    # CIFAR-10 records: <label byte><3072 pixels>; CIFAR-100: <coarse byte><fine byte><3072 pixels>.
    header = 1 if layout.dataset == "cifar10" else 2
    record = header + _PIXELS
    if not data or len(data) % record:
        raise DatasetError(
            f"{where}: {len(data)} bytes is not a positive multiple of the {record}-byte record size of "
            f"{layout.title}: the file is truncated or corrupt. Get it again from {CIFAR_URL}."
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, record)
    column = 0 if layout.dataset == "cifar10" or label == "coarse" else 1
    key = "label" if layout.dataset == "cifar10" else f"{label} label"
    labels = _labels_array(records[:, column], records.shape[0], num_classes(layout.dataset, label), where, key)
    return records[:, header:], labels


def _check_label_for(label: str) -> Callable[[_Layout, str], None]:
    def check(layout: _Layout, where: str) -> None:
        if label == "coarse" and layout.dataset == "cifar10":
            raise ValueError(
                f"label='coarse' applies to CIFAR-100 only, but {where} holds {layout.title}, which has one set of "
                "10 labels: pass label='fine'"
            )

    return check


def _load_cifar(
    path: str | os.PathLike[str], *, subset: str, label: str, verify: bool, want: str | None
) -> tuple[np.ndarray, np.ndarray, _Layout]:
    _check_choice("subset", subset, _SUBSETS)
    _check_choice("label", label, _LABELS)
    layout, blobs = _gather(
        path,
        want=want,
        needed=lambda layout: layout.train if subset == "train" else layout.test,
        check=_check_label_for(label),
        verify=verify,
        purpose=f"subset={subset!r}",
    )
    parse = _parse_binary_batch if layout.binary else _parse_pickled_batch
    batches = [parse(layout, label, where, data) for where, data in blobs.values()]
    total = sum(pixels.shape[0] for pixels, _ in batches)
    # Rows are CHW planes (1024 R, 1024 G, 1024 B, each row-major 32x32). Transpose each batch straight into the
    # HWC output: concatenating first and transposing after would make one more full copy of the training set.
    images = np.empty((total, 32, 32, 3), dtype=np.uint8)
    start = 0
    for pixels, _ in batches:
        stop = start + pixels.shape[0]
        images[start:stop] = pixels.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        start = stop
    labels = np.concatenate([labels for _, labels in batches])
    return images, labels, layout


def load_cifar(
    path: str | os.PathLike[str], *, subset: str = "train", label: str = "fine", verify: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Load CIFAR-10 or CIFAR-100 from a local copy; which of the two is detected from the files.

    Parameters
    ----------
    path
        The official archive (``cifar-10-python.tar.gz``, ``cifar-100-python.tar.gz``, ``cifar-10-binary.tar.gz``,
        ``cifar-100-binary.tar.gz``, read in place without extracting), the folder it extracts to
        (``cifar-10-batches-py/``, ``cifar-100-python/``, ``cifar-10-batches-bin/``, ``cifar-100-binary/``), or a
        folder that holds exactly one such copy (an archive next to its own extracted folder counts as one).
    subset
        ``"train"`` (50 000 images; CIFAR-10's five training batches concatenated in order) or ``"test"`` (10 000).
    label
        CIFAR-100 only: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses). CIFAR-10 accepts only ``"fine"``.
    verify
        Compare the MD5 of the official files (the archive when it bears an official name, otherwise the python
        version's batch files) with the published values. Pass False for a re-packed copy.

    Returns
    -------
    images : numpy.ndarray
        uint8, shape ``(N, 32, 32, 3)`` (height, width, RGB).
    labels : numpy.ndarray
        int64, shape ``(N,)``.

    Raises
    ------
    DatasetError
        Missing path or file, unknown layout, truncated or corrupt file, unexpected content, checksum mismatch, or a
        pickle that references anything but numpy array reconstruction (it is refused unexecuted).
    ValueError
        ``subset`` or ``label`` is not one of the values above.

    Examples
    --------
    With a local copy (CIFAR cannot be downloaded on the test machines, so this one is not run)::

        images, labels = load_cifar("~/data/cifar-10-python.tar.gz", subset="test")
        images.shape, labels[:5]  # ((10000, 32, 32, 3), array([3, 8, 8, 0, 6]))
    """
    images, labels, _ = _load_cifar(path, subset=subset, label=label, verify=verify, want=None)
    return images, labels


def cifar_label_names(path: str | os.PathLike[str], *, label: str = "fine", verify: bool = True) -> list[str]:
    """The class names of a local CIFAR copy (same ``path`` forms as :func:`load_cifar`), in label order.

    Read from ``batches.meta`` / ``meta`` (python version, with the same restricted unpickler) or
    ``batches.meta.txt`` / ``*_label_names.txt`` (binary version).

    Examples
    --------
    With a local copy (not run by the tests)::

        cifar_label_names("~/data/cifar-10-batches-py")[:3]  # ['airplane', 'automobile', 'bird']
    """
    _check_choice("label", label, _LABELS)
    layout, blobs = _gather(
        path,
        want=None,
        needed=lambda layout: (layout.meta.get(label, layout.meta["fine"]),),
        check=_check_label_for(label),
        verify=verify,
        purpose=f"the {label} class names",
    )
    ((where, data),) = blobs.values()
    expected = num_classes(layout.dataset, label)
    names: list[Any]
    if layout.binary:
        names = [line.strip() for line in data.decode("latin1").splitlines() if line.strip()]
    else:
        key = "label_names" if layout.dataset == "cifar10" else f"{label}_label_names"
        names = list(_entry(_unpickle(data, where), key, where))
        names = [name.decode("latin1") if isinstance(name, bytes) else name for name in names]
        if not all(isinstance(name, str) for name in names):
            raise DatasetError(f"{where}: {key!r} must be a list of strings")
    if len(names) != expected:
        raise DatasetError(f"{where}: {len(names)} class names, expected {expected} for {layout.title}")
    return names


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST
# ---------------------------------------------------------------------------------------------
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
_FASHION_URL = "https://github.com/zalandoresearch/fashion-mnist"
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
            f"{FASHION_MNIST_ENV}. The files are available from {_FASHION_URL}."
        )
    return folder


def _idx_file(folder: Path, stem: str) -> Path | None:
    for name in (f"{stem}.gz", stem):  # the official files are gzipped; an unpacked copy works too
        if (folder / name).is_file():
            return folder / name
    return None


def _read_idx(file: Path, stem: str, verify: bool) -> bytes:
    """The decompressed bytes of an IDX file, checked against the official checksums when ``verify``."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read {file}: {exc}") from exc
    # The files are small (26 MB at most) and read whole anyway, so they are hashed in memory, not re-read.
    packed = file.suffix == ".gz"
    if packed:
        try:
            data = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; truncation is an EOFError
            raise DatasetError(
                f"{file} is truncated or not a valid gzip file ({type(exc).__name__}: {exc}); get it again from "
                f"{_FASHION_URL} or reinstall dataset-fashion-mnist"
            ) from exc
    else:
        data = raw
    # Accept the official .gz bytes, or any (re)compression whose payload is the official one.
    if verify and not (packed and _md5(raw) == _FASHION_GZ_MD5[stem]):
        actual = _md5(data)
        if actual != _FASHION_RAW_MD5[stem]:
            if packed:
                expected = f"{_FASHION_GZ_MD5[stem]} (official .gz) or decompressed content {_FASHION_RAW_MD5[stem]}"
                actual = f"{_md5(raw)} (decompressed content {actual})"
            else:
                expected = _FASHION_RAW_MD5[stem]
            raise _mismatch(str(file), expected, actual, _FASHION_URL)
    return data


def _parse_idx(data: bytes, where: str, magic: int) -> np.ndarray:
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{where}: {len(data)} bytes, too short for an IDX header: the file is truncated")
    (found,) = struct.unpack(">I", data[:4])  # IDX is big-endian
    if found != magic:
        raise DatasetError(
            f"{where}: IDX magic number 0x{found:08x}, expected 0x{magic:08x} (unsigned bytes, {ndim} dimension"
            f"{'s' if ndim > 1 else ''}): not the expected {'image' if ndim == 3 else 'label'} file"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header])
    if ndim == 3 and dims[1:] != (28, 28):
        raise DatasetError(f"{where}: images are {dims[1]}x{dims[2]}, expected 28x28 for Fashion-MNIST")
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(data) != expected:
        raise DatasetError(
            f"{where}: {len(data)} bytes, but its header {dims} implies {expected}: the file is "
            f"{'truncated' if len(data) < expected else 'followed by unexpected data'}"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


@functools.lru_cache(maxsize=4)
def _load_fashion_cached(
    images_file: Path, labels_file: Path, stamp: tuple[tuple[int, int], ...], verify: bool
) -> tuple[np.ndarray, np.ndarray]:
    del stamp  # only part of the cache key: a replaced file (new size or mtime) is read again
    images_stem, labels_stem = (file.name.removesuffix(".gz") for file in (images_file, labels_file))
    images = _parse_idx(_read_idx(images_file, images_stem, verify), str(images_file), _IDX_IMAGES_MAGIC)
    labels = _parse_idx(_read_idx(labels_file, labels_stem, verify), str(labels_file), _IDX_LABELS_MAGIC)
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
    _check_choice("subset", subset, _SUBSETS)
    folder = _fashion_dir(path)
    stems = _FASHION_FILES[subset]
    files = [_idx_file(folder, stem) for stem in stems]
    missing = [f"{stem}.gz" for stem, file in zip(stems, files, strict=True) if file is None]
    if missing:
        raise DatasetError(
            f"Fashion-MNIST in {folder} is incomplete: missing {', '.join(missing)} (or the same without .gz), needed "
            f"for subset={subset!r}. Reinstall dataset-fashion-mnist or get the files from {_FASHION_URL}."
        )
    images_file, labels_file = (file.resolve() for file in files if file is not None)
    stamp = tuple((stat.st_size, stat.st_mtime_ns) for stat in (images_file.stat(), labels_file.stat()))
    return _load_fashion_cached(images_file, labels_file, stamp, bool(verify))


# ---------------------------------------------------------------------------------------------
# Natural photos
# ---------------------------------------------------------------------------------------------
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
            f"dependencies with `{_INSTALL_EXTRAS}`"
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
            f"and matplotlib with `{_INSTALL_EXTRAS}`"
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


# ---------------------------------------------------------------------------------------------
# Dispatcher
# ---------------------------------------------------------------------------------------------
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
    _check_choice("name", name, _DATASETS)
    _check_choice("subset", subset, _SUBSETS)
    num_classes(name, label)  # validates label for this dataset before any file is touched
    if name == "fashion-mnist":
        images, labels = load_fashion_mnist(data_dir, subset=subset, verify=verify)
        return images[..., None], labels
    if data_dir is None:
        archive = _CIFAR_LAYOUTS[0 if name == "cifar10" else 1].archive
        raise DatasetError(
            f"{_TITLES[name]} is not bundled: download {archive} from {CIFAR_URL} and pass it, or the folder that "
            "holds it, as data_dir (CLI --data-dir)"
        )
    images, labels, _ = _load_cifar(data_dir, subset=subset, label=label, verify=verify, want=name)
    return images, labels
