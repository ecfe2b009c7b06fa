"""The one place that talks to ``array-api-compat``.

Every other module asks this one for a namespace, a device, a laziness test or a property of the backend (NumPy
underneath, a GPU, fast half precision), so that a change of compatibility layer (or a missing feature in an old
version of it) is handled here only.

The namespace and the device of an array are looked up once per array type: ``array_api_compat`` spends a few
microseconds on each question, which is most of a small call's cost.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import array_api_compat

__all__ = [
    "array_namespace",
    "default_float_dtype",
    "device_kind",
    "device_of",
    "has_fast_half",
    "index_dtype",
    "is_compiling",
    "is_gpu",
    "is_lazy",
    "is_numpy_backed",
    "itemsize",
    "namespace_from_module",
    "take_rows",
]

Array = Any

# Namespace of each array type seen (an array's namespace depends on its type only). Plain dicts: a race at worst
# computes an entry twice, and torch.compile traces dict look-ups.
_NAMESPACE_OF_TYPE: dict[type, ModuleType] = {}
_NAMESPACE_OF_MODULE: dict[str, ModuleType] = {}
# Array types whose `.device` attribute is the array-API device (for the rest, array_api_compat knows).
_DEVICE_ATTRIBUTE_TYPES: dict[type, bool] = {}


def array_namespace(*arrays: Array, xp: ModuleType | None = None) -> ModuleType:
    """Return the array-API namespace of ``arrays`` (or of ``xp`` itself when given).

    Raises
    ------
    TypeError
        If the arrays are not array-API arrays or come from different libraries.
    """
    if xp is not None:
        return namespace_from_module(xp)
    if len(arrays) == 1:
        known = _NAMESPACE_OF_TYPE.get(type(arrays[0]))
        if known is not None:
            return known
    try:
        if len(arrays) == 1:
            return _namespace_of_one(arrays[0])
        return array_api_compat.array_namespace(*arrays)
    except TypeError as exc:
        kinds = ", ".join(type(a).__name__ for a in arrays)
        raise TypeError(
            f"expected array-API arrays of one library (NumPy, CuPy, PyTorch, JAX, array-api-strict, ...), "
            f"received {kinds}: {exc}"
        ) from exc


def _namespace_of_one(x: Array) -> ModuleType:
    namespace = array_api_compat.array_namespace(x)
    _NAMESPACE_OF_TYPE[type(x)] = namespace
    return namespace


def namespace_from_module(xp: ModuleType) -> ModuleType:
    """Turn a raw module (``numpy``, ``torch``, ``jax.numpy``, ...) into its array-API namespace.

    A compliant namespace is returned as it is. For the rest, the namespace of an empty array made by the module is
    the reliable answer, because ``array-api-compat`` keys its wrappers on array types, not on modules.
    """
    name = getattr(xp, "__name__", None)
    known = _NAMESPACE_OF_MODULE.get(name) if isinstance(name, str) else None
    if known is not None:
        return known
    empty = getattr(xp, "empty", None)
    if empty is None:
        raise TypeError(
            f"argument `xp` expected an array namespace or array module (numpy, torch, jax.numpy, cupy, "
            f"array_api_strict), received {xp!r}"
        )
    namespace = array_api_compat.array_namespace(empty((0,)))
    if isinstance(name, str):
        _NAMESPACE_OF_MODULE[name] = namespace
    return namespace


def device_of(x: Array) -> Any:
    """Device of ``x`` in the array-API sense (``x.device`` for libraries that lack the attribute)."""
    fast = _DEVICE_ATTRIBUTE_TYPES.get(type(x))
    if fast is None:
        # NumPy < 2 arrays have no ``.device``: they take array-api-compat's path (found by the oldest-versions run).
        fast = _DEVICE_ATTRIBUTE_TYPES[type(x)] = bool(
            array_api_compat.is_torch_array(x) or (array_api_compat.is_numpy_array(x) and hasattr(x, "device"))
        )
    return x.device if fast else array_api_compat.device(x)


def is_numpy_backed(xp: ModuleType) -> bool:
    """True for namespaces that compute with NumPy: NumPy itself (raw or wrapped) and array-api-strict."""
    return xp.__name__ in ("array_api_compat.numpy", "numpy", "array_api_strict")


def is_lazy(x: Array) -> bool:
    """True when the values of ``x`` cannot be read now (a JAX tracer under ``jit``, a Dask array, ...)."""
    return bool(array_api_compat.is_lazy_array(x))


def device_kind(xp: ModuleType, device: Any) -> str:
    """``"gpu"``, ``"tpu"`` or ``"cpu"``: the kind of ``device`` (an array-API device of namespace ``xp``)."""
    if array_api_compat.is_cupy_namespace(xp):
        return "gpu"
    if array_api_compat.is_torch_namespace(xp):
        return "gpu" if getattr(device, "type", "cpu") == "cuda" else "cpu"  # ROCm builds report "cuda" too
    if array_api_compat.is_jax_namespace(xp):
        platform = getattr(device, "platform", None)
        if platform is None:  # a tracer under jax.jit has no device: the computation runs on the default backend
            jax = sys.modules.get("jax")
            platform = jax.default_backend() if jax is not None else "cpu"
        return "gpu" if platform in ("gpu", "cuda", "rocm") else ("tpu" if platform == "tpu" else "cpu")
    return "cpu"


def is_gpu(x: Array) -> bool:
    """True when ``x`` lives on a GPU: a CuPy array, a CUDA/ROCm torch tensor, or a JAX array on a GPU."""
    return device_kind(array_namespace(x), device_of(x)) == "gpu"


def has_fast_half(xp: ModuleType, device: Any, dtype: Any) -> bool:
    """True where the half-precision ``dtype`` (float16/bfloat16) has fast matrix products.

    GPUs and TPUs do. CPUs mostly do not: PyTorch's CPU float16 GEMM was measured 2500x slower than float32
    ((1, 1, 4096, 4096) -> 1000: 628 s against 0.17 s), and its bfloat16 GEMM 23x slower on a CPU without bfloat16
    instructions. The one exception measured is bfloat16 in PyTorch on a CPU with AVX512-BF16 or AMX, where the
    native product took 0.45x the time of float32 plus the two casts. Everywhere else a CPU computes half precision
    in float32 and rounds the result back once.
    """
    kind = device_kind(xp, device)
    if kind != "cpu":
        return True
    if not array_api_compat.is_torch_namespace(xp) or str(dtype) != "torch.bfloat16":
        return False
    return _torch_cpu_has_bf16_gemm()


def _torch_cpu_has_bf16_gemm() -> bool:
    torch = sys.modules.get("torch")
    cpu = getattr(torch, "cpu", None)
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # PyTorch's own CPU feature probes
    try:
        return any(bool(getattr(cpu, name)()) for name in probes if hasattr(cpu, name))
    except (RuntimeError, TypeError):  # a build without the probes: assume the common case, no bf16 GEMM
        return False


def is_compiling() -> bool:
    """True while ``torch.compile`` (Dynamo) traces the caller (then no cache may be filled with traced objects)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return False
    compiler = getattr(torch, "compiler", None)
    return bool(compiler is not None and compiler.is_compiling())


def default_float_dtype(xp: ModuleType) -> Any:
    """The namespace's default real floating dtype (float32 for PyTorch and 32-bit JAX, float64 for NumPy)."""
    info = getattr(xp, "__array_namespace_info__", None)
    if info is not None:
        try:
            return info().default_dtypes()["real floating"]
        except (AttributeError, KeyError, TypeError):  # an older namespace without the inspection API
            pass
    return xp.float64


def itemsize(xp: ModuleType, dtype: Any) -> int:
    """Bytes per element of a floating ``dtype`` (complex dtypes hold two reals)."""
    bits = int(xp.finfo(dtype).bits)
    return (2 if xp.isdtype(dtype, "complex floating") else 1) * bits // 8


def take_rows(xp: ModuleType, table: Array, index: Array) -> Array:
    """``table[index]`` along axis 0 for a 1-D index array of valid, non-negative indices.

    PyTorch's ``index_select`` directly: array-api-compat's ``take`` first rewrites negative indices, which costs
    two extra kernels per call on every dropout draw.
    """
    if array_api_compat.is_torch_namespace(xp):
        return table.index_select(0, index)
    return xp.take(table, index, axis=0)


def index_dtype(xp: ModuleType) -> Any:
    """The namespace's default indexing dtype: int64, or int32 for JAX without x64 (asking it for int64 warns)."""
    info = getattr(xp, "__array_namespace_info__", None)
    if info is not None:
        try:
            return info().default_dtypes()["indexing"]
        except (AttributeError, KeyError, TypeError):  # an older namespace without the inspection API
            pass
    return xp.int64
