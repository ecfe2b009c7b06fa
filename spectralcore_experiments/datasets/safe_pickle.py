"""A restricted unpickler for the CIFAR "python version" files: it rebuilds numpy arrays and nothing else.

The CIFAR python version is a set of Python 2 pickles. They are read with an unpickler that admits only what numpy
array reconstruction needs, so a tampered file cannot run code: a pickle that references ``os.system``,
``builtins.eval`` or any class is refused before anything runs.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np

from spectralcore_experiments.datasets.catalog import CIFAR_URL
from spectralcore_experiments.datasets.files import DatasetError

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


def unpickle(data: bytes, where: str) -> Any:
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


def entry(mapping: Any, key: str, where: str) -> Any:
    """``mapping[key]`` where the key may be str (read as latin1, or written by Python 3) or bytes."""
    if not isinstance(mapping, dict):
        raise DatasetError(f"{where} holds a {type(mapping).__name__}, expected a dict: not a CIFAR file")
    for candidate in (key, key.encode("ascii")):
        if candidate in mapping:
            return mapping[candidate]
    found = sorted(k.decode("latin1") if isinstance(k, bytes) else str(k) for k in mapping)
    raise DatasetError(f"{where} has no {key!r} entry (keys found: {found}): not the expected CIFAR file")
