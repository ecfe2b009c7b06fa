"""CIFAR-10 / CIFAR-100 from a local copy the user already has; nothing is downloaded or extracted.

The official "python version" or "binary version", as the ``.tar.gz`` archive or the folder it extracts to (or a
parent folder holding exactly one of them). The python version's pickles are read with the restricted unpickler
of :mod:`spectralcore_experiments.datasets.safe_pickle`. Archive members are streamed, never extracted, and no file
or member is read beyond the size its format allows (its records plus a margin), so a decompression bomb is
refused before it is inflated.
"""

from __future__ import annotations

import dataclasses
import os
import tarfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from spectralcore_experiments.datasets.catalog import CIFAR_URL, LABELS, SUBSETS, TITLES, num_classes
from spectralcore_experiments.datasets.files import (
    DatasetError,
    check_choice,
    checksum_mismatch,
    md5,
    md5_file,
    read_file,
    too_large,
)
from spectralcore_experiments.datasets.safe_pickle import entry, unpickle

__all__ = ["cifar_label_names", "load_cifar", "load_named"]


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
    train_images: int  # images per training file: CIFAR-10 has five batches of 10 000, CIFAR-100 one of 50 000

    @property
    def title(self) -> str:
        return f"{TITLES[self.dataset]} ({'binary' if self.binary else 'python'} version)"

    @property
    def files(self) -> tuple[str, ...]:
        return (*self.train, *self.test, *sorted(set(self.meta.values())))

    def max_bytes(self, name: str) -> int:
        """The most bytes file ``name`` of this copy can hold: its images' records plus a margin."""
        if name not in self.train + self.test:
            return _MAX_META_BYTES
        images = self.train_images if name in self.train else TEST_IMAGES
        if self.binary:  # fixed-size records: <label byte(s)><3072 pixels>
            return images * (_PIXELS + (1 if self.dataset == "cifar10" else 2))
        # A pickle holds the pixels plus, per image, its labels and a file name (about 30 bytes in the official
        # files); the margin is generous, the bound still far below what a bomb would take.
        return images * (_PIXELS + _PICKLE_BYTES_PER_IMAGE) + _MAX_META_BYTES


_PIXELS = 32 * 32 * 3
TEST_IMAGES = 10_000  # every CIFAR test file
_PICKLE_BYTES_PER_IMAGE = 256
_MAX_META_BYTES = 64 * 1024  # class-name files: 61 bytes to 1.5 kB in the official copies
# The largest official archive inflates to about 190 MB; a stream that goes on much longer is not CIFAR.
MAX_ARCHIVE_BYTES = 256 * 1024 * 1024

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
        train_images=10_000,
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
        train_images=50_000,
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
        train_images=10_000,
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
        train_images=50_000,
    ),
)
_CIFAR_FILE_NAMES = frozenset(name for layout in _CIFAR_LAYOUTS for name in layout.files)
_CIFAR_ARCHIVES = {layout.archive: layout for layout in _CIFAR_LAYOUTS}
# The most bytes a file of each name may hold, in any layout (the names of different layouts do not collide).
_MAX_BYTES = {name: layout.max_bytes(name) for layout in _CIFAR_LAYOUTS for name in layout.files}
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")
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
        # --cifar-dir is no evidence of CIFAR-100.
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
            "folder that holds either (CLI --cifar-dir)."
        )
    if root.is_file():
        if not _is_archive(root):
            raise DatasetError(
                f"{root} is a file but not a .tar.gz archive; pass a CIFAR archive or folder ({_EXPECTED_LAYOUTS})"
            )
        return root
    if _match_layouts(_file_names(root)):
        return root
    # A parent folder (e.g. --cifar-dir ~/data): look one level down.
    try:
        children = sorted(root.iterdir())
    except OSError as exc:
        raise DatasetError(f"cannot list {root}: {exc}") from exc
    candidates = [found for child in children if (found := _candidate(child)) is not None]
    if want is not None:
        candidates = [(p, dataset) for p, dataset in candidates if dataset in (want, None)]
    if not candidates:
        what = TITLES[want] if want else "CIFAR"
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
                # Sizes are checked on each member's header, before its data is inflated (even to be skipped).
                name = _member_name(member.name)
                known = name is not None and name in _CIFAR_FILE_NAMES
                where = f"{archive} (member {member.name})"
                if known and member.size > _MAX_BYTES[str(name)]:
                    raise too_large(where, member.size, _MAX_BYTES[str(name)], f"a CIFAR file named {name}")
                if member.offset_data + member.size > MAX_ARCHIVE_BYTES:
                    raise too_large(
                        f"{archive} (inflated, up to member {member.name})",
                        member.offset_data + member.size,
                        MAX_ARCHIVE_BYTES,
                        "a CIFAR archive",
                    )
                if name is None or not known:
                    continue
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
                f"{source} holds {layout.title}, not {TITLES[want]}: pass the {TITLES[want]} copy, or ask for "
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
            blobs[name] = (str(file), read_file(file, limit=layout.max_bytes(name), what=f"a {layout.title} {name}"))
    else:
        if source.name in _CIFAR_ARCHIVES and want is not None:
            expect(_CIFAR_ARCHIVES[source.name])  # fail before reading 170 MB when the name already tells
        # Only a file bearing an official archive name has a known checksum to compare against.
        if verify and source.name in _CIFAR_ARCHIVES:
            expected = _CIFAR_ARCHIVES[source.name].archive_md5
            actual = md5_file(source)
            if actual != expected:
                raise checksum_mismatch(str(source), expected, actual, CIFAR_URL)
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
            if expected and (actual := md5(data)) != expected:
                raise checksum_mismatch(where, expected, actual, CIFAR_URL)
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
    batch = unpickle(data, where)
    pixels = entry(batch, "data", where)
    if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint8 or pixels.ndim != 2 or pixels.shape[1] != _PIXELS:
        got = f"{pixels.dtype} array of shape {pixels.shape}" if isinstance(pixels, np.ndarray) else type(pixels)
        raise DatasetError(f"{where}: 'data' must be a uint8 array of shape (N, {_PIXELS}), got {got}")
    key = "labels" if layout.dataset == "cifar10" else f"{label}_labels"
    labels = _labels_array(entry(batch, key, where), pixels.shape[0], num_classes(layout.dataset, label), where, key)
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


class LabelMismatch(DatasetError, ValueError):
    """``label='coarse'`` asked of a CIFAR-10 copy: a bad argument (``ValueError``) that only the data reveals."""


def _check_label_for(label: str) -> Callable[[_Layout, str], None]:
    def check(layout: _Layout, where: str) -> None:
        if label == "coarse" and layout.dataset == "cifar10":
            raise LabelMismatch(
                f"label='coarse' applies to CIFAR-100 only, but {where} holds {layout.title}, which has one set of "
                "10 labels: pass label='fine' (CLI --cifar-label fine)"
            )

    return check


def _load_cifar(
    path: str | os.PathLike[str], *, subset: str, label: str, verify: bool, want: str | None
) -> tuple[np.ndarray, np.ndarray, _Layout]:
    check_choice("subset", subset, SUBSETS)
    check_choice("label", label, LABELS)
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
    check_choice("label", label, LABELS)
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
        names = list(entry(unpickle(data, where), key, where))
        names = [name.decode("latin1") if isinstance(name, bytes) else name for name in names]
        if not all(isinstance(name, str) for name in names):
            raise DatasetError(f"{where}: {key!r} must be a list of strings")
    if len(names) != expected:
        raise DatasetError(f"{where}: {len(names)} class names, expected {expected} for {layout.title}")
    return names


def load_named(
    name: str, path: str | os.PathLike[str] | None, *, subset: str, label: str, verify: bool
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`load_cifar` for a caller that knows which of the two datasets it wants (``"cifar10"``, ``"cifar100"``).

    ``path`` may then also be a folder holding both copies. ``None`` raises a :class:`DatasetError` that says where
    to get the archive.
    """
    if path is None:
        archive = _CIFAR_LAYOUTS[0 if name == "cifar10" else 1].archive
        raise DatasetError(
            f"{TITLES[name]} is not bundled: download {archive} from {CIFAR_URL} and pass it, or the folder that "
            "holds it, as data_dir (CLI --cifar-dir)"
        )
    images, labels, _ = _load_cifar(path, subset=subset, label=label, verify=verify, want=name)
    return images, labels
