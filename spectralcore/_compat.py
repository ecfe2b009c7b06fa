"""The one place that talks to ``array-api-compat``.

Every other module asks this one for a namespace, a device or a laziness test, so that a change of compatibility
layer (or a missing feature in an old version of it) is handled here only.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat

__all__ = ["array_namespace", "device_of", "index_dtype", "is_gpu", "is_lazy", "namespace_from_module"]

Array = Any


def array_namespace(*arrays: Array, xp: ModuleType | None = None) -> ModuleType:
    """Return the array-API namespace of ``arrays`` (or ``xp`` itself when given).

    Raises
    ------
    TypeError
        If the arrays are not array-API arrays or come from different libraries.
    """
    if xp is not None:
        return namespace_from_module(xp)
    try:
        return array_api_compat.array_namespace(*arrays)
    except TypeError as exc:
        kinds = ", ".join(type(a).__name__ for a in arrays)
        raise TypeError(
            f"expected array-API arrays of one library (NumPy, CuPy, PyTorch, JAX, array-api-strict, ...), "
            f"received {kinds}: {exc}"
        ) from exc


def namespace_from_module(xp: ModuleType) -> ModuleType:
    """Turn a raw module (``numpy``, ``torch``, ``jax.numpy``, ...) into its array-API namespace.

    A compliant namespace is returned as it is. For the rest, the namespace of an empty array made by the module is
    the reliable answer, because ``array-api-compat`` keys its wrappers on array types, not on modules.
    """
    empty = getattr(xp, "empty", None)
    if empty is None:
        raise TypeError(
            f"argument `xp` expected an array namespace or array module (numpy, torch, jax.numpy, cupy, "
            f"array_api_strict), received {xp!r}"
        )
    return array_api_compat.array_namespace(empty((0,)))


def device_of(x: Array) -> Any:
    """Device of ``x`` in the array-API sense (``x.device`` for libraries that lack the attribute)."""
    return array_api_compat.device(x)


def is_lazy(x: Array) -> bool:
    """True when the values of ``x`` cannot be read now (a JAX tracer under ``jit``, a Dask array, ...)."""
    return bool(array_api_compat.is_lazy_array(x))


def is_gpu(x: Array) -> bool:
    """True when ``x`` lives on a GPU: a CuPy array, a CUDA/ROCm torch tensor, or a JAX array on a GPU."""
    if array_api_compat.is_cupy_array(x):
        return True
    device = array_api_compat.device(x)
    if array_api_compat.is_torch_array(x):
        return getattr(device, "type", "cpu") == "cuda"  # ROCm builds report "cuda" too
    if array_api_compat.is_jax_array(x):
        return getattr(device, "platform", "cpu") in ("gpu", "cuda", "rocm")
    return False


def index_dtype(xp: ModuleType) -> Any:
    """The namespace's default indexing dtype: int64, or int32 for JAX without x64 (asking it for int64 warns)."""
    info = getattr(xp, "__array_namespace_info__", None)
    if info is not None:
        try:
            return info().default_dtypes()["indexing"]
        except (AttributeError, KeyError, TypeError):  # an older namespace without the inspection API
            pass
    return xp.int64
