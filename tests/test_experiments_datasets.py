"""Tests of experiments/data.py: the offline CIFAR, Fashion-MNIST and bundled-photo loaders.

The CIFAR tests write small files in the exact official formats (Python-2 pickles, binary records, tar.gz archives
with the official top folders) into tmp_path; the one Fashion-MNIST test on real data reads the Debian package.
"""

from __future__ import annotations

import doctest
import gzip
import hashlib
import os
import pickle
import re
import struct
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from spectralcore_experiments import datasets as data
from spectralcore_experiments.datasets import (
    FASHION_MNIST_CLASSES,
    DatasetError,
    catalog,
    cifar,
    cifar_label_names,
    fashion_mnist,
    files,
    load_cifar,
    load_dataset,
    load_fashion_mnist,
    load_photos,
    num_classes,
    random_crops,
    safe_pickle,
)
from spectralcore_experiments.datasets import photos as photos_module

DATASET_MODULES = (data, catalog, cifar, fashion_mnist, files, photos_module, safe_pickle)
PY2, BYTES, STR = "py2", "bytes", "str"
TRAIN_SIZES = (3, 2, 4, 1, 2)  # images per CIFAR-10 training batch: uneven, so concatenation order is visible
TEST_SIZE = 5


# ---------------------------------------------------------------------------------------------
# Writers for the official formats
# ---------------------------------------------------------------------------------------------
def _value(i: Any, c: Any, r: Any, k: Any, seed: int) -> Any:
    """The test pixel of image i, channel c, row r, column k: distinct across channels, rows and columns."""
    return (i * 31 + c * 101 + r * 7 + k * 3 + seed * 17) % 256


def _rows(n: int, seed: int) -> np.ndarray:
    """(n, 3072) uint8 rows in CIFAR order: 1024 red, 1024 green, 1024 blue values, each plane row-major 32x32."""
    i, c, r, k = np.indices((n, 3, 32, 32))
    return _value(i, c, r, k, seed).astype(np.uint8).reshape(n, 3072)


def _hwc(n: int, seed: int) -> np.ndarray:
    """What the loader must return for ``_rows(n, seed)``, computed independently of any transpose."""
    i, r, k, c = np.indices((n, 32, 32, 3))
    return _value(i, c, r, k, seed).astype(np.uint8)


def _py2_pickle(obj: Any) -> bytes:
    """Serialise ``obj`` byte for byte as Python 2's cPickle (protocol 2) with numpy 1.x does.

    str becomes BINSTRING (read back as str under encoding="latin1"), and uint8 arrays go through
    ``numpy.core.multiarray._reconstruct`` with the raw data as a BINSTRING, as in the official CIFAR files.
    """
    out = bytearray(b"\x80\x02")

    def string(raw: bytes) -> None:
        out.extend(b"U" + bytes([len(raw)]) + raw if len(raw) < 256 else b"T" + struct.pack("<I", len(raw)) + raw)

    def integer(value: int) -> None:
        if 0 <= value < 256:
            out.extend(b"K" + bytes([value]))
        elif 0 <= value < 65536:
            out.extend(b"M" + struct.pack("<H", value))
        else:
            out.extend(b"J" + struct.pack("<i", value))

    def emit(item: Any) -> None:
        if isinstance(item, int):
            integer(item)
        elif isinstance(item, str):
            string(item.encode("latin1"))
        elif isinstance(item, list):
            out.extend(b"](")
            for element in item:
                emit(element)
            out.extend(b"e")
        elif isinstance(item, dict):
            out.extend(b"}(")
            for key, value in item.items():
                emit(key)
                emit(value)
            out.extend(b"u")
        elif isinstance(item, np.ndarray):
            assert item.dtype == np.uint8
            out.extend(b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n")
            integer(0)
            out.extend(b"\x85")
            string(b"b")
            out.extend(b"\x87R(")  # _reconstruct(ndarray, (0,), 'b'), then the state tuple
            integer(1)
            out.extend(b"(")
            for dim in item.shape:
                integer(dim)
            out.extend(b"tcnumpy\ndtype\n")
            string(b"u1")
            integer(0)
            integer(1)
            out.extend(b"\x87R(")  # dtype('u1', 0, 1), then its state (3, '|', None, None, None, -1, -1, 0)
            integer(3)
            string(b"|")
            out.extend(b"NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xff")
            integer(0)
            out.extend(b"tb\x89")  # BUILD the dtype; is_fortran False
            string(item.tobytes())
            out.extend(b"tb")  # BUILD the array
        else:
            raise TypeError(type(item))

    emit(obj)
    out.extend(b".")
    return bytes(out)


def _pickled(batch: dict[str, Any], keys: str) -> bytes:
    if keys == PY2:
        return _py2_pickle(batch)
    if keys == BYTES:  # Python 3 writing bytes keys: they travel as _codecs.encode(..., "latin1")
        return pickle.dumps({key.encode(): value for key, value in batch.items()}, protocol=2)
    return pickle.dumps(batch, protocol=2)


def _labels10(batch: int, n: int) -> list[int]:
    return [(batch * 3 + j * 7) % 10 for j in range(n)]


def write_cifar10_python(folder: Path, keys: str = PY2) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A miniature cifar-10-batches-py folder; returns the expected (images, labels) per subset."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, list[tuple[np.ndarray, list[int]]]] = {"train": [], "test": []}
    for b, n in enumerate((*TRAIN_SIZES, TEST_SIZE), start=1):
        name, subset = (f"data_batch_{b}", "train") if b <= 5 else ("test_batch", "test")
        labels = _labels10(b, n)
        batch = {
            "batch_label": f"batch {b} of 5",
            "labels": labels,
            "data": _rows(n, seed=b),
            "filenames": [f"img_{b}_{j}.png" for j in range(n)],
        }
        (folder / name).write_bytes(_pickled(batch, keys))
        expected[subset].append((_hwc(n, seed=b), labels))
    meta = {"num_cases_per_batch": 10000, "label_names": [f"class{j}" for j in range(10)], "num_vis": 3072}
    (folder / "batches.meta").write_bytes(_pickled(meta, keys))
    return {
        subset: (np.concatenate([x for x, _ in parts]), np.array([y for _, ys in parts for y in ys]))
        for subset, parts in expected.items()
    }


def write_cifar100_python(folder: Path, keys: str = PY2) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A miniature cifar-100-python folder; returns the expected (images, fine, coarse) per subset."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, n, seed in (("train", 6, 1), ("test", 4, 2)):
        fine = [(j * 37 + seed * 11) % 100 for j in range(n)]
        coarse = [(j * 7 + seed) % 20 for j in range(n)]
        batch = {
            "filenames": [f"{name}_{j}.png" for j in range(n)],
            "batch_label": f"{name}ing batch 1 of 1",
            "fine_labels": fine,
            "coarse_labels": coarse,
            "data": _rows(n, seed=seed),
        }
        (folder / name).write_bytes(_pickled(batch, keys))
        expected[name] = (_hwc(n, seed=seed), np.array(fine), np.array(coarse))
    meta = {
        "fine_label_names": [f"fine{j}" for j in range(100)],
        "coarse_label_names": [f"coarse{j}" for j in range(20)],
    }
    (folder / "meta").write_bytes(_pickled(meta, keys))
    return expected


def write_cifar10_binary(folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A miniature cifar-10-batches-bin folder: records of <label byte><3072 pixel bytes>."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, list[tuple[np.ndarray, list[int]]]] = {"train": [], "test": []}
    for b, n in enumerate((*TRAIN_SIZES, TEST_SIZE), start=1):
        name, subset = (f"data_batch_{b}.bin", "train") if b <= 5 else ("test_batch.bin", "test")
        labels = _labels10(b, n)
        records = np.concatenate([np.array(labels, dtype=np.uint8)[:, None], _rows(n, seed=b)], axis=1)
        (folder / name).write_bytes(records.tobytes())
        expected[subset].append((_hwc(n, seed=b), labels))
    (folder / "batches.meta.txt").write_text("".join(f"class{j}\n" for j in range(10)) + "\n\n")
    return {
        subset: (np.concatenate([x for x, _ in parts]), np.array([y for _, ys in parts for y in ys]))
        for subset, parts in expected.items()
    }


def write_cifar100_binary(folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """A miniature cifar-100-binary folder: records of <coarse byte><fine byte><3072 pixel bytes>."""
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, n, seed in (("train", 6, 1), ("test", 4, 2)):
        fine = np.array([(j * 37 + seed * 11) % 100 for j in range(n)])
        coarse = np.array([(j * 7 + seed) % 20 for j in range(n)])
        records = np.concatenate([coarse[:, None], fine[:, None], _rows(n, seed=seed)], axis=1).astype(np.uint8)
        (folder / f"{name}.bin").write_bytes(records.tobytes())
        expected[name] = (_hwc(n, seed=seed), fine, coarse)
    (folder / "fine_label_names.txt").write_text("".join(f"fine{j}\n" for j in range(100)))
    (folder / "coarse_label_names.txt").write_text("".join(f"coarse{j}\n" for j in range(20)))
    return expected


def make_archive(folder: Path, archive: Path) -> Path:
    """Pack ``folder`` as the official archives are packed: every file under the folder's name (the top folder)."""
    with tarfile.open(archive, "w:gz") as tar:
        for file in sorted(folder.iterdir()):
            tar.add(file, arcname=f"{folder.name}/{file.name}")
    return archive


def _check_cifar(got: tuple[np.ndarray, np.ndarray], images: np.ndarray, labels: np.ndarray) -> None:
    got_images, got_labels = got
    assert got_images.dtype == np.uint8
    assert got_images.shape == images.shape
    assert got_labels.dtype == np.int64
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


# ---------------------------------------------------------------------------------------------
# CIFAR: formats
# ---------------------------------------------------------------------------------------------
def test_py2_pickle_writer_matches_python2_layout() -> None:
    """The helper really emits Python-2 style opcodes (BINSTRING keys, numpy.core global) that plain pickle reads."""
    payload = _py2_pickle({"data": _rows(2, 0), "labels": [1, 2]})
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in payload
    assert b"U\x04data" in payload
    loaded = pickle.loads(payload, encoding="latin1")  # trusted here: we just wrote it
    np.testing.assert_array_equal(loaded["data"], _rows(2, 0))
    assert loaded["labels"] == [1, 2]


@pytest.mark.parametrize("keys", [PY2, BYTES, STR])
def test_cifar10_python_folder(tmp_path: Path, keys: str) -> None:
    expected = write_cifar10_python(tmp_path / "cifar-10-batches-py", keys)
    for subset in ("train", "test"):
        got = load_cifar(tmp_path / "cifar-10-batches-py", subset=subset, verify=False)
        _check_cifar(got, *expected[subset])
    assert load_cifar(tmp_path / "cifar-10-batches-py", verify=False)[0].shape == (sum(TRAIN_SIZES), 32, 32, 3)
    assert cifar_label_names(tmp_path / "cifar-10-batches-py", verify=False) == [f"class{j}" for j in range(10)]


def test_cifar_pixel_layout_is_hwc(tmp_path: Path) -> None:
    """Rows are 1024 R, 1024 G, 1024 B values, each plane row-major: check single pixels by hand."""
    write_cifar10_python(tmp_path)
    images, _ = load_cifar(tmp_path, subset="test", verify=False)
    row = _rows(TEST_SIZE, seed=6)[2]
    for r, k in ((0, 0), (0, 31), (1, 2), (31, 0), (17, 29)):
        assert list(images[2, r, k]) == [row[r * 32 + k], row[1024 + r * 32 + k], row[2048 + r * 32 + k]]
    assert images.flags.c_contiguous


def test_cifar10_python_archive_and_parent_folder(tmp_path: Path) -> None:
    expected = write_cifar10_python(tmp_path / "src" / "cifar-10-batches-py")
    parent = tmp_path / "data"
    parent.mkdir()
    archive = make_archive(tmp_path / "src" / "cifar-10-batches-py", parent / "cifar-10-python.tar.gz")
    for path in (archive, parent):  # the archive itself, and a --data-dir holding only the archive
        for subset in ("train", "test"):
            _check_cifar(load_cifar(path, subset=subset, verify=False), *expected[subset])
    assert cifar_label_names(archive, verify=False)[9] == "class9"
    # A parent folder holding the archive and its extracted folder: one dataset, read from the folder.
    (tmp_path / "src" / "cifar-10-batches-py").rename(parent / "cifar-10-batches-py")
    _check_cifar(load_cifar(parent, subset="test", verify=False), *expected["test"])


def test_parent_folder_with_unrelated_files(tmp_path: Path) -> None:
    """Files that merely share CIFAR-100's generic names ("test") do not make a folder a CIFAR-100 copy."""
    expected = write_cifar10_python(tmp_path / "cifar-10-batches-py")
    (tmp_path / "test").write_text("not a dataset")
    (tmp_path / "other").mkdir()
    _check_cifar(load_cifar(tmp_path, subset="test", verify=False), *expected["test"])


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "tar.gz"])
@pytest.mark.parametrize("keys", [PY2, STR])
def test_cifar100_python(tmp_path: Path, packed: bool, keys: str) -> None:
    folder = tmp_path / "cifar-100-python"
    expected = write_cifar100_python(folder, keys)
    path = make_archive(folder, tmp_path / "cifar-100-python.tar.gz") if packed else folder
    for subset in ("train", "test"):
        images, fine, coarse = expected[subset]
        _check_cifar(load_cifar(path, subset=subset, verify=False), images, fine)
        _check_cifar(load_cifar(path, subset=subset, label="coarse", verify=False), images, coarse)
    assert cifar_label_names(path, verify=False) == [f"fine{j}" for j in range(100)]
    assert cifar_label_names(path, label="coarse", verify=False) == [f"coarse{j}" for j in range(20)]


@pytest.mark.parametrize("packed", [False, True], ids=["folder", "tar.gz"])
def test_cifar10_binary(tmp_path: Path, packed: bool) -> None:
    folder = tmp_path / "cifar-10-batches-bin"
    expected = write_cifar10_binary(folder)
    path = make_archive(folder, tmp_path / "cifar-10-binary.tar.gz") if packed else folder
    for subset in ("train", "test"):
        _check_cifar(load_cifar(path, subset=subset, verify=False), *expected[subset])
    assert cifar_label_names(path, verify=False) == [f"class{j}" for j in range(10)]


def test_cifar100_binary(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-100-binary"
    expected = write_cifar100_binary(folder)
    archive = make_archive(folder, tmp_path / "copy.tar.gz")
    for path in (folder, archive):
        images, fine, coarse = expected["train"]
        _check_cifar(load_cifar(path, verify=False), images, fine)
        _check_cifar(load_cifar(path, label="coarse", verify=False), images, coarse)
    assert cifar_label_names(folder, label="coarse")[19] == "coarse19"  # no known checksums for these files


def test_load_dataset_dispatch_and_parent_with_both(tmp_path: Path) -> None:
    expected10 = write_cifar10_python(tmp_path / "cifar-10-batches-py")
    expected100 = write_cifar100_python(tmp_path / "cifar-100-python")
    _check_cifar(load_dataset("cifar10", subset="test", data_dir=tmp_path, verify=False), *expected10["test"])
    images, _, coarse = expected100["test"]
    got = load_dataset("cifar100", subset="test", data_dir=tmp_path, label="coarse", verify=False)
    _check_cifar(got, images, coarse)
    with pytest.raises(DatasetError, match="several CIFAR copies"):
        load_cifar(tmp_path, verify=False)  # which one? the caller must say
    with pytest.raises(DatasetError, match=r"holds CIFAR-10 .*not CIFAR-100"):
        load_dataset("cifar100", subset="test", data_dir=tmp_path / "cifar-10-batches-py", verify=False)
    with pytest.raises(DatasetError, match=r"data_dir \(CLI --cifar-dir\)"):
        load_dataset("cifar10", subset="test")
    with pytest.raises(ValueError, match=r"name must be .*'imagenet'"):
        load_dataset("imagenet", subset="test", data_dir=tmp_path)
    with pytest.raises(ValueError, match="label='coarse' applies to CIFAR-100 only"):
        load_dataset("cifar10", subset="test", data_dir=tmp_path, label="coarse")


def test_num_classes() -> None:
    assert [num_classes("fashion-mnist"), num_classes("cifar10"), num_classes("cifar100")] == [10, 10, 100]
    assert num_classes("cifar100", "coarse") == 20
    with pytest.raises(ValueError, match="CIFAR-100 only"):
        num_classes("fashion-mnist", "coarse")
    with pytest.raises(ValueError, match="name must be"):
        num_classes("cifar-10")


# ---------------------------------------------------------------------------------------------
# CIFAR: argument errors
# ---------------------------------------------------------------------------------------------
def test_cifar_argument_errors(tmp_path: Path) -> None:
    write_cifar10_python(tmp_path)
    with pytest.raises(ValueError, match=r"label='coarse' applies to CIFAR-100 only.*CIFAR-10"):
        load_cifar(tmp_path, label="coarse", verify=False)
    with pytest.raises(ValueError, match=r"subset must be 'train' or 'test', got 'val'"):
        load_cifar(tmp_path, subset="val", verify=False)
    with pytest.raises(ValueError, match=r"label must be 'fine' or 'coarse', got 'medium'"):
        load_cifar(tmp_path, label="medium", verify=False)
    with pytest.raises(ValueError, match=r"subset must be .*got 'validation'"):
        load_fashion_mnist(tmp_path, subset="validation")


# ---------------------------------------------------------------------------------------------
# CIFAR: security
# ---------------------------------------------------------------------------------------------
class _Payload:
    """Pickles as a call to ``func(*args)``: what a malicious CIFAR file would contain."""

    def __init__(self, func: Callable[..., Any], *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, ...]:
        return self.func, self.args


def _codecs_rot13() -> bytes:
    # _codecs.encode is allowed for latin1 only; any other codec is refused.
    return b"\x80\x02}(X\x04\x00\x00\x00datac_codecs\nencode\nX\x01\x00\x00\x00xX\x05\x00\x00\x00rot13\x86Ru."


@pytest.mark.parametrize("attack", ["os.system", "eval", "masked_array", "codecs"])
def test_malicious_pickle_is_refused_unexecuted(tmp_path: Path, attack: str) -> None:
    write_cifar10_python(tmp_path)
    marker = tmp_path / "pwned"
    payloads = {
        "os.system": (lambda: pickle.dumps({b"data": _Payload(os.system, f"touch {marker}")}, protocol=2), "system"),
        "eval": (
            lambda: pickle.dumps({"data": _Payload(eval, f"open({str(marker)!r}, 'w').close()")}, protocol=2),
            "eval",
        ),
        # An ndarray subclass: legitimate numpy, but not what CIFAR holds.
        "masked_array": (lambda: pickle.dumps({"data": np.ma.masked_array([1, 2])}, protocol=2), "_mareconstruct"),
        "codecs": (_codecs_rot13, "rot13"),
    }
    make, refused = payloads[attack]
    (tmp_path / "data_batch_1").write_bytes(make())
    with pytest.raises(DatasetError) as info:
        load_cifar(tmp_path, verify=False)
    message = str(info.value)
    assert refused in message
    assert "data_batch_1" in message
    assert message.startswith("refusing to load")
    assert "numpy arrays" in message
    assert not marker.exists()


def test_archive_refuses_links_and_ignores_escaping_paths(tmp_path: Path) -> None:
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar10_python(folder)
    link = tmp_path / "link.tar.gz"
    with tarfile.open(link, "w:gz") as tar:
        info = tarfile.TarInfo("cifar-10-batches-py/test_batch")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(DatasetError, match="not a regular file"):
        load_cifar(link, subset="test", verify=False)
    escaping = tmp_path / "escape.tar.gz"
    with tarfile.open(escaping, "w:gz") as tar:
        for file in sorted(folder.iterdir()):
            name = "../test_batch" if file.name == "test_batch" else f"cifar-10-batches-py/{file.name}"
            tar.add(file, arcname=name)
    with pytest.raises(DatasetError, match="no member test_batch"):
        load_cifar(escaping, subset="test", verify=False)
    assert load_cifar(escaping, subset="train", verify=False)[0].shape[0] == sum(TRAIN_SIZES)


# ---------------------------------------------------------------------------------------------
# CIFAR: missing, truncated and wrong files
# ---------------------------------------------------------------------------------------------
def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(
        DatasetError, match=r"does-not-exist does not exist.*cifar-10-python\.tar\.gz.*cifar\.html"
    ) as info:
        load_cifar(tmp_path / "does-not-exist")
    assert "(CLI --cifar-dir)" in str(info.value)  # the option that exists, not a --data-dir


def test_no_message_names_an_option_that_does_not_exist() -> None:
    from spectralcore_experiments import cli

    known = {option for action in cli.build_parser()._actions for option in action.option_strings}
    named = {
        (module.__name__, option)
        for module in DATASET_MODULES
        for option in re.findall(r"CLI (--[a-z-]+)", Path(str(module.__file__)).read_text())
    }
    assert {option for _, option in named} >= {"--cifar-dir", "--fashion-mnist-dir", "--no-verify", "--cifar-label"}
    assert {(where, option) for where, option in named if option not in known} == set()


def test_folder_without_cifar_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match=r"no CIFAR (files|data) in .*data_batch_1"):
        load_cifar(tmp_path)


def test_missing_batch_file(tmp_path: Path) -> None:
    write_cifar10_python(tmp_path)
    (tmp_path / "data_batch_3").unlink()
    (tmp_path / "data_batch_5").unlink()
    with pytest.raises(DatasetError, match=r"missing data_batch_3, data_batch_5 \(needed for subset='train'\)") as info:
        load_cifar(tmp_path, verify=False)
    assert str(tmp_path) in str(info.value)
    assert load_cifar(tmp_path, subset="test", verify=False)[0].shape[0] == TEST_SIZE


def test_truncated_pickle(tmp_path: Path) -> None:
    write_cifar10_python(tmp_path)
    batch = tmp_path / "data_batch_2"
    batch.write_bytes(batch.read_bytes()[: batch.stat().st_size // 2])
    with pytest.raises(DatasetError, match=r"data_batch_2 is truncated or corrupt: unpickling failed"):
        load_cifar(tmp_path, verify=False)


def test_truncated_binary_file(tmp_path: Path) -> None:
    write_cifar10_binary(tmp_path)
    batch = tmp_path / "test_batch.bin"
    batch.write_bytes(batch.read_bytes()[:-100])
    with pytest.raises(DatasetError, match=r"test_batch\.bin: 15265 bytes is not a positive multiple of the 3073-byte"):
        load_cifar(tmp_path, subset="test", verify=False)


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_truncated_or_corrupt_archive(tmp_path: Path, damage: str) -> None:
    archive = make_archive(write_cifar10_python_dir(tmp_path), tmp_path / "cifar-10-python.tar.gz")
    blob = archive.read_bytes()
    archive.write_bytes(blob[: len(blob) * 2 // 3] if damage == "truncated" else b"\x1f\x8b" + os.urandom(2000))
    with pytest.raises(DatasetError, match=r"cannot read the archive .*cifar-10-python\.tar\.gz"):
        load_cifar(archive, verify=False)
    with pytest.raises(DatasetError, match="MD5"):  # with verify, the checksum speaks first
        load_cifar(archive)


def write_cifar10_python_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "cifar-10-batches-py"
    write_cifar10_python(folder)
    return folder


@pytest.mark.parametrize(
    ("batch", "match"),
    [
        ({"data": _rows(3, 0)[:, :3000], "labels": [0, 1, 2]}, r"'data' must be a uint8 array of shape \(N, 3072\)"),
        ({"data": _rows(3, 0).astype(np.float32), "labels": [0, 1, 2]}, r"got float32 array of shape \(3, 3072\)"),
        ({"data": _rows(3, 0), "labels": [0, 10, 2]}, r"'labels' values must lie in \[0, 10\), found range \[0, 10\]"),
        ({"data": _rows(3, 0), "labels": [0, 1]}, r"3 images but 2 'labels'"),
        ({"data": _rows(3, 0), "labels": ["a", "b", "c"]}, r"'labels' must be a list of integers"),
        ({"data": _rows(3, 0)}, r"no 'labels' entry \(keys found: \['data'\]\)"),
        ([1, 2, 3], r"holds a list, expected a dict"),
    ],
    ids=["shape", "dtype", "label-range", "label-count", "label-type", "no-labels", "not-a-dict"],
)
def test_wrong_content(tmp_path: Path, batch: Any, match: str) -> None:
    write_cifar10_python(tmp_path)
    (tmp_path / "test_batch").write_bytes(pickle.dumps(batch, protocol=2))
    with pytest.raises(DatasetError, match=match):
        load_cifar(tmp_path, subset="test", verify=False)


def test_cifar100_coarse_label_out_of_range(tmp_path: Path) -> None:
    write_cifar100_binary(tmp_path)
    records = bytearray((tmp_path / "test.bin").read_bytes())
    records[0] = 20  # the coarse label of the first record
    (tmp_path / "test.bin").write_bytes(bytes(records))
    with pytest.raises(DatasetError, match=r"'coarse label' values must lie in \[0, 20\)"):
        load_cifar(tmp_path, subset="test", label="coarse", verify=False)


# ---------------------------------------------------------------------------------------------
# CIFAR: checksums
# ---------------------------------------------------------------------------------------------
def test_checksum_mismatch_folder(tmp_path: Path) -> None:
    write_cifar10_python(tmp_path)
    actual = hashlib.md5((tmp_path / "data_batch_1").read_bytes()).hexdigest()
    with pytest.raises(DatasetError) as info:
        load_cifar(tmp_path)
    message = str(info.value)
    assert "MD5 checksum mismatch" in message
    assert "data_batch_1" in message
    assert "c99cafc152244af753f735de768cd75f" in message
    assert actual in message
    assert "verify=False" in message
    assert "--no-verify" in message
    with pytest.raises(DatasetError, match=r"test_batch: expected 40351d587109b95175f43aff81a1287e"):
        load_cifar(tmp_path, subset="test")
    with pytest.raises(DatasetError, match=r"batches\.meta: expected 5ff9c542aee3614f3951f8cda6e48888"):
        cifar_label_names(tmp_path)
    assert load_cifar(tmp_path, verify=False)[0].shape[0] == sum(TRAIN_SIZES)


def test_checksum_mismatch_archive(tmp_path: Path) -> None:
    folder = write_cifar10_python_dir(tmp_path)
    archive = make_archive(folder, tmp_path / "cifar-10-python.tar.gz")
    with pytest.raises(
        DatasetError, match=r"cifar-10-python\.tar\.gz: expected c58f30108f718f92721af3b95e74349a.*verify=False"
    ):
        load_cifar(archive)
    # A re-packed archive under another name: its official member names still carry checksums.
    repacked = archive.rename(tmp_path / "mine.tar.gz")
    with pytest.raises(DatasetError, match=r"member cifar-10-batches-py/test_batch\): expected 40351d58"):
        load_cifar(repacked, subset="test")
    assert load_cifar(repacked, subset="test", verify=False)[0].shape[0] == TEST_SIZE


# ---------------------------------------------------------------------------------------------
# Fashion-MNIST
# ---------------------------------------------------------------------------------------------
def _idx(array: np.ndarray, magic: int | None = None) -> bytes:
    magic = (0x0800 | array.ndim) if magic is None else magic
    return struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.astype(np.uint8).tobytes()


def write_fashion(folder: Path, *, packed: bool = True, n_train: int = 7, n_test: int = 3) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for prefix, subset, n in (("train", "train", n_train), ("t10k", "test", n_test)):
        i, r, k = np.indices((n, 28, 28))
        images = ((i * 13 + r * 5 + k * 9 + n) % 256).astype(np.uint8)
        labels = (np.arange(n) * 3 + n) % 10
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            name, payload = f"{prefix}-{kind}-ubyte", _idx(array)
            if packed:
                (folder / f"{name}.gz").write_bytes(gzip.compress(payload))
            else:
                (folder / name).write_bytes(payload)
        expected[subset] = (images, labels)
    return expected


@pytest.mark.parametrize("packed", [True, False], ids=["gz", "raw"])
def test_fashion_mnist_round_trip(tmp_path: Path, packed: bool) -> None:
    expected = write_fashion(tmp_path, packed=packed)
    for subset in ("train", "test"):
        images, labels = load_fashion_mnist(tmp_path, subset=subset, verify=False)
        assert images.dtype == np.uint8
        assert labels.dtype == np.int64
        np.testing.assert_array_equal(images, expected[subset][0])
        np.testing.assert_array_equal(labels, expected[subset][1])
        assert not images.flags.writeable
        assert not labels.flags.writeable  # memoised: callers must not write
    nhwc, labels = load_dataset("fashion-mnist", subset="test", data_dir=tmp_path, verify=False)
    assert nhwc.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(nhwc[..., 0], expected["test"][0])


def test_fashion_mnist_cache_sees_replaced_files(tmp_path: Path) -> None:
    write_fashion(tmp_path, n_train=7)
    first = load_fashion_mnist(tmp_path, verify=False)
    assert load_fashion_mnist(tmp_path, verify=False)[0] is first[0]  # memoised
    write_fashion(tmp_path, n_train=9)
    assert load_fashion_mnist(tmp_path, verify=False)[0].shape == (9, 28, 28)


def test_fashion_mnist_env_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_fashion(tmp_path)
    monkeypatch.setenv(data.FASHION_MNIST_ENV, str(tmp_path))
    assert load_fashion_mnist(subset="test", verify=False)[0].shape == (3, 28, 28)
    monkeypatch.setenv(data.FASHION_MNIST_ENV, str(tmp_path / "absent"))
    with pytest.raises(DatasetError, match=r"absent \(\$SPECTRALCORE_FASHION_MNIST\) is not a directory"):
        load_fashion_mnist(subset="test")


def test_fashion_mnist_missing_directory_and_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError) as info:
        load_fashion_mnist(tmp_path / "nowhere")
    message = str(info.value)
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert "--fashion-mnist-dir" in message
    assert "SPECTRALCORE_FASHION_MNIST" in message
    write_fashion(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError, match=r"missing t10k-labels-idx1-ubyte\.gz .*subset='test'"):
        load_fashion_mnist(tmp_path, subset="test", verify=False)


def _rewrite(file: Path, transform: Callable[[bytes], bytes]) -> None:
    file.write_bytes(gzip.compress(transform(gzip.decompress(file.read_bytes()))))


@pytest.mark.parametrize(
    ("damage", "match"),
    [
        (
            lambda d: _rewrite(d / "t10k-images-idx3-ubyte.gz", lambda b: struct.pack(">I", 0x0801) + b[4:]),
            r"t10k-images-idx3-ubyte\.gz: IDX magic number 0x00000801, expected 0x00000803",
        ),
        (
            lambda d: (d / "t10k-images-idx3-ubyte.gz").write_bytes(
                (d / "t10k-images-idx3-ubyte.gz").read_bytes()[:-20]
            ),
            r"t10k-images-idx3-ubyte\.gz is truncated or not a valid gzip file",
        ),
        (
            lambda d: (d / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all"),
            r"t10k-labels-idx1-ubyte\.gz is truncated or not a valid gzip file \(BadGzipFile",
        ),
        (
            lambda d: _rewrite(d / "t10k-labels-idx1-ubyte.gz", lambda b: _idx(np.zeros(2, np.uint8))),
            r"holds 3 images but .*t10k-labels-idx1-ubyte\.gz holds 2 labels",
        ),
        (
            lambda d: _rewrite(d / "t10k-images-idx3-ubyte.gz", lambda b: _idx(np.zeros((3, 27, 28), np.uint8))),
            r"images are 27x28, expected 28x28",
        ),
        (
            lambda d: _rewrite(d / "t10k-images-idx3-ubyte.gz", lambda b: b[:-5]),
            r"header \(3, 28, 28\) implies 2368: the file is truncated",
        ),
        (
            lambda d: _rewrite(d / "t10k-labels-idx1-ubyte.gz", lambda b: _idx(np.array([0, 10, 1]))),
            r"label 10 out of range \[0, 10\)",
        ),
    ],
    ids=["magic", "truncated-gz", "not-gz", "count-mismatch", "dims", "truncated-payload", "label-range"],
)
def test_fashion_mnist_bad_files(tmp_path: Path, damage: Callable[[Path], None], match: str) -> None:
    write_fashion(tmp_path)
    damage(tmp_path)
    with pytest.raises(DatasetError, match=match):
        load_fashion_mnist(tmp_path, subset="test", verify=False)


def test_fashion_mnist_checksum_mismatch(tmp_path: Path) -> None:
    write_fashion(tmp_path)
    with pytest.raises(DatasetError) as info:
        load_fashion_mnist(tmp_path, subset="test")
    message = str(info.value)
    assert "MD5 checksum mismatch" in message
    assert "t10k-images-idx3-ubyte.gz" in message
    assert "bef4ecab320f06d8554ea6380940ec79" in message
    assert "8181f5470baa50b63fa0f6fddb340f0a" in message
    assert "verify=False" in message


def test_fashion_mnist_real_files() -> None:
    """The installed dataset: sizes, balanced labels and the official checksums (which must not be skipped in CI)."""
    folder = Path(os.environ.get(data.FASHION_MNIST_ENV) or data.DEFAULT_FASHION_MNIST_DIR)
    if not folder.is_dir():
        if "fashion-mnist" in os.environ.get("SPECTRALCORE_REQUIRE_DATA", ""):
            pytest.fail(f"SPECTRALCORE_REQUIRE_DATA names fashion-mnist but {folder} is absent")
        pytest.skip(f"{folder} absent (sudo apt-get install dataset-fashion-mnist)")
    for subset, n in (("train", 60000), ("test", 10000)):
        images, labels = load_fashion_mnist(subset=subset, verify=True)
        assert images.shape == (n, 28, 28)
        assert images.dtype == np.uint8
        assert labels.shape == (n,)
        assert labels.dtype == np.int64
        np.testing.assert_array_equal(np.bincount(labels, minlength=10), [n // 10] * 10)
        assert images.min() == 0
        assert images.max() == 255
    assert load_dataset("fashion-mnist", subset="test")[0].shape == (10000, 28, 28, 1)
    assert len(FASHION_MNIST_CLASSES) == 10
    assert FASHION_MNIST_CLASSES[9] == "Ankle boot"


# ---------------------------------------------------------------------------------------------
# Photos and random crops
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def photos() -> list[tuple[str, np.ndarray]]:
    return load_photos()


def test_load_photos(photos: list[tuple[str, np.ndarray]]) -> None:
    names = [name for name, _ in photos]
    assert names == [
        "astronaut",
        "chelsea",
        "coffee",
        "rocket",
        "hubble_deep_field",
        "immunohistochemistry",
        "retina",
        "stereo_motorcycle",
        "china",
        "flower",
        "grace_hopper",
    ]
    digests = set()
    for name, image in photos:
        assert image.dtype == np.uint8, name
        assert image.ndim == 3, name
        assert image.shape[2] == 3, name
        assert min(image.shape[:2]) >= 256, name
        assert image.std() > 10, name  # a real photo, not a blank
        digests.add(hashlib.md5(image.tobytes()).hexdigest())
    assert len(digests) == len(photos)


def test_load_photos_names_the_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(DatasetError, match=r"need scikit-learn .*pip install 'spectralcore\[experiments\]'"):
        photos_module._photos.__wrapped__()  # bypass the in-process cache


def test_random_crops_of_photos(photos: list[tuple[str, np.ndarray]]) -> None:
    crops, sources = random_crops(photos, 32, 200, rng=np.random.default_rng(7), return_sources=True)
    assert crops.shape == (200, 32, 32, 3)
    assert crops.dtype == np.float64
    assert crops.min() >= 0.0
    assert crops.max() <= 1.0
    again = random_crops(photos, 32, 200, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(crops, again)
    assert not np.array_equal(crops, random_crops(photos, 32, 200, rng=np.random.default_rng(8)))
    for crop, (index, top, left) in zip(crops, sources, strict=True):
        window = photos[index][1][top : top + 32, left : left + 32]
        np.testing.assert_array_equal(crop, window / 255.0)
    assert set(sources[:, 0]) == set(range(len(photos)))


def test_random_crops_brute_force_and_uniform_photo_choice() -> None:
    rng = np.random.default_rng(0)
    small = rng.integers(0, 256, size=(12, 20, 3), dtype=np.uint8)
    large = rng.integers(0, 256, size=(60, 90, 3), dtype=np.uint8)
    crops = random_crops([small, large], (5, 7), 4000, rng=np.random.default_rng(1))
    assert crops.shape == (4000, 5, 7, 3)
    # Find a few crops by exhaustive search over every window of both photos.
    for crop in crops[:4]:
        hits = [
            (p, top, left)
            for p, photo in enumerate((small, large))
            for top in range(photo.shape[0] - 4)
            for left in range(photo.shape[1] - 6)
            if np.array_equal(photo[top : top + 5, left : left + 7] / 255.0, crop)
        ]
        assert len(hits) == 1
    # Equal weight per photo, whatever its size: ~2000 each (binomial sd ~32).
    _, sources = random_crops([small, large], (5, 7), 4000, rng=np.random.default_rng(1), return_sources=True)
    assert abs(np.count_nonzero(sources[:, 0] == 0) - 2000) < 200
    on_small = sources[sources[:, 0] == 0]
    assert on_small[:, 1].max() == 12 - 5  # the last fitting row and column are reached, and none beyond
    assert on_small[:, 2].max() == 20 - 7
    assert on_small[:, 1].min() == 0
    assert on_small[:, 2].min() == 0


def test_random_crops_errors() -> None:
    photo = np.zeros((10, 12, 3), np.uint8)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"photos\[1\] is 10x12, smaller than the 11x4 crop"):
        random_crops([np.zeros((20, 20, 3), np.uint8), photo], (11, 4), 3, rng=rng)
    with pytest.raises(ValueError, match=r"photos\[0\] \('tiny'\) is 10x12, smaller than the 11x11 crop"):
        random_crops([("tiny", photo)], 11, 3, rng=rng)
    with pytest.raises(ValueError, match="size must be"):
        random_crops([photo], 0, 3, rng=rng)
    with pytest.raises(ValueError, match=r"photos\[0\] must be a uint8 array of shape \(H, W, 3\)"):
        random_crops([photo.astype(float)], 4, 3, rng=rng)
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        random_crops([photo], 4, 3, rng=0)  # type: ignore[call-overload]
    assert random_crops([photo], 4, 0, rng=rng).shape == (0, 4, 4, 3)


@pytest.mark.parametrize("module", DATASET_MODULES, ids=lambda module: module.__name__.rsplit(".", 1)[-1])
def test_docstring_examples(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_archive_members_are_never_extracted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading an archive writes nothing to disk (the loader streams members; it never calls extract*)."""
    archive = make_archive(write_cifar10_python_dir(tmp_path / "src"), tmp_path / "cifar-10-python.tar.gz")
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for method in ("extract", "extractall"):
        monkeypatch.setattr(tarfile.TarFile, method, lambda *a, **k: pytest.fail("extracted"))
    load_cifar(archive, verify=False)
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cifar-10-python.tar.gz", "cwd", "src"]


def test_package_has_no_download_code() -> None:
    files = sorted(Path(data.__file__).parent.glob("*.py"))
    assert len(files) >= 6
    for file in files:
        source = file.read_text()
        for banned in ("urllib", "requests", "urlopen", "pooch", "socket", "http.client"):
            assert banned not in source, (file.name, banned)


# ---------------------------------------------------------------------------------------------
# Bounded reads: decompression bombs and oversized files are refused before they are inflated
# ---------------------------------------------------------------------------------------------
def _peak_bytes(load: Callable[[], object]) -> int:
    """The peak of Python-tracked allocations (bytes objects, numpy arrays) while ``load()`` runs."""
    import tracemalloc

    tracemalloc.start()
    try:
        load()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


def _refused_peak(load: Callable[[], object], match: str) -> int:
    def attempt() -> None:
        with pytest.raises(DatasetError, match=match):
            load()

    return _peak_bytes(attempt)


BOMB_BYTES = 48 * 2**20  # what the bombs inflate to; refusing them must take far less than this
LITTLE = 8 * 2**20


def test_gzip_bomb_behind_a_small_idx_header_is_not_inflated(tmp_path: Path) -> None:
    """A .gz whose IDX header says 3 images but which inflates to 48 MiB: read to the header's size, then refused."""
    write_fashion(tmp_path)
    bomb = tmp_path / "t10k-images-idx3-ubyte.gz"
    header = struct.pack(">IIII", 0x0803, 3, 28, 28)
    with gzip.GzipFile(bomb, "wb", compresslevel=1) as out:  # streamed: the test never holds 48 MiB either
        out.write(header)
        for _ in range(BOMB_BYTES // 2**20):
            out.write(bytes(2**20))
    assert bomb.stat().st_size < 2**20  # small on disk: only the inflation is large
    peak = _refused_peak(
        lambda: load_fashion_mnist(tmp_path, subset="test", verify=False),
        r"t10k-images-idx3-ubyte\.gz: more than the 2368 bytes its header \(3, 28, 28\) implies.*decompression bomb",
    )
    assert peak < LITTLE


def test_idx_header_claiming_too_many_images_is_refused(tmp_path: Path) -> None:
    write_fashion(tmp_path)
    header = struct.pack(">IIII", 0x0803, 10**9, 28, 28)  # 784 GB of images, says the header
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(header + bytes(100)))
    with pytest.raises(DatasetError, match=r"t10k-images-idx3-ubyte\.gz: its header claims 1000000000 images, more"):
        load_fashion_mnist(tmp_path, subset="test", verify=False)


def test_oversized_idx_file_is_refused_unread(tmp_path: Path) -> None:
    write_fashion(tmp_path, packed=False)
    big = tmp_path / "t10k-images-idx3-ubyte"
    with open(big, "r+b") as handle:  # sparse: no disk used, and reading it would take 3 GiB
        handle.truncate(3 * 2**30)
    peak = _refused_peak(
        lambda: load_fashion_mnist(tmp_path, subset="test", verify=False),
        r"t10k-images-idx3-ubyte is 3221225472 bytes, more than the 47040016 bytes a Fashion-MNIST IDX file can take",
    )
    assert peak < LITTLE


@pytest.mark.parametrize(
    ("writer", "name"), [(write_cifar10_python, "test_batch"), (write_cifar10_binary, "test_batch.bin")]
)
def test_oversized_cifar_file_in_a_folder_is_refused_unread(
    tmp_path: Path, writer: Callable[[Path], object], name: str
) -> None:
    writer(tmp_path)
    with open(tmp_path / name, "r+b") as handle:  # sparse, 3 GiB
        handle.truncate(3 * 2**30)
    peak = _refused_peak(
        lambda: load_cifar(tmp_path, subset="test", verify=False),
        rf"{name} is 3221225472 bytes, more than the \d+ bytes a CIFAR-10 \((python|binary) version\) {name} can take",
    )
    assert peak < LITTLE


def _tar_member(tar: tarfile.TarFile, name: str, size: int) -> None:
    """Add a member of ``size`` zero bytes, streamed from a reader that never holds them."""

    class Zeros:
        def __init__(self) -> None:
            self.left = size

        def read(self, count: int = -1) -> bytes:
            count = self.left if count < 0 else min(count, self.left)
            self.left -= count
            return bytes(count)

    info = tarfile.TarInfo(name)
    info.size = size
    tar.addfile(info, Zeros())  # type: ignore[arg-type]


def test_oversized_cifar_member_in_an_archive_is_not_inflated(tmp_path: Path) -> None:
    """A tar.gz whose test_batch member inflates to 48 MiB (more than any CIFAR batch): refused from its header."""
    folder = write_cifar10_python_dir(tmp_path / "src")
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        for file in sorted(folder.iterdir()):
            if file.name != "test_batch":
                tar.add(file, arcname=f"cifar-10-batches-py/{file.name}")
        _tar_member(tar, "cifar-10-batches-py/test_batch", BOMB_BYTES)
    assert archive.stat().st_size < 2**20
    peak = _refused_peak(
        lambda: load_cifar(archive, subset="test", verify=False),
        r"cifar-10-python\.tar\.gz \(member cifar-10-batches-py/test_batch\) is 50331648 bytes, more than the "
        r"\d+ bytes a CIFAR file named test_batch can take",
    )
    assert peak < LITTLE
    # A member that merely claims 3 GiB in its header (the data is not even there) is refused just the same.
    liar = tmp_path / "liar.tar.gz"
    header = tarfile.TarInfo("cifar-10-batches-py/test_batch")
    header.size = 3 * 2**30
    liar.write_bytes(gzip.compress(header.tobuf()))
    with pytest.raises(DatasetError, match=r"test_batch\) is 3221225472 bytes, more than"):
        load_cifar(liar, subset="test", verify=False)


def test_archive_that_inflates_beyond_any_cifar_copy_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Junk members are skipped, but not forever: the inflated stream is bounded (here lowered to 64 kB)."""
    folder = write_cifar10_python_dir(tmp_path / "src")
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        _tar_member(tar, "padding/junk", 96 * 1024)
        for file in sorted(folder.iterdir()):
            tar.add(file, arcname=f"cifar-10-batches-py/{file.name}")
    assert load_cifar(archive, subset="test", verify=False)[0].shape[0] == TEST_SIZE
    monkeypatch.setattr(cifar, "MAX_ARCHIVE_BYTES", 64 * 1024)
    with pytest.raises(DatasetError, match=r"cifar-10-python\.tar\.gz \(inflated, up to member padding/junk\) is"):
        load_cifar(archive, subset="test", verify=False)


def test_official_sizes_are_within_the_bounds() -> None:
    """The bounds leave room for the real files (sizes of the official releases)."""
    official = {
        "data_batch_1": 31_035_704,
        "test_batch": 31_035_526,
        "batches.meta": 158,
        "train": 157_738_000,  # CIFAR-100 python, rounded up
        "test": 31_548_000,
        "meta": 1_600,
        "data_batch_1.bin": 30_730_000,
        "test_batch.bin": 30_730_000,
        "train.bin": 153_700_000,
        "test.bin": 30_740_000,
    }
    for name, size in official.items():
        assert cifar._MAX_BYTES[name] >= size, name
    assert cifar._MAX_BYTES["data_batch_1"] < 40_000_000  # and still a bound
    assert fashion_mnist.MAX_ITEMS * 28 * 28 + 16 == 47_040_016  # the training images file, exactly
