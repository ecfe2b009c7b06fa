"""How a call is computed: the ``method="auto"`` rule, the compute dtype, and every size threshold in one place.

The thresholds were measured by the benchmarks (``benchmarks/``, see ``benchmarks/BENCHMARKS.md``); they are
re-derived there, per backend and device, and changed here only.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from . import _validation as v
from ._compat import array_namespace, device_kind, device_of, has_fast_half, is_numpy_backed

Array = Any

__all__ = [
    "AUTO_FILTER_MATMUL_MAX_SIZE",
    "AUTO_MATMUL_MAX_LENGTH",
    "AUTO_MATMUL_MAX_LENGTH_GPU",
    "AUTO_MATMUL_MAX_LENGTH_NUMPY",
    "MAX_MATRIX_ELEMENTS",
    "MAX_OUTPUT_BYTES",
    "POOL_MASK_TABLE_MAX_ELEMENTS",
    "compute_dtype",
    "resolve_method",
]

# "auto" uses the dense matrices up to this length per axis, and real FFTs above it. Measured by
# `benchmarks/bench_pool.py` (section "auto_crossover", n -> n/2, ~16 MiB float32 inputs, 2-core CPU, see
# README "Speed"): in PyTorch matmul wins forward+backward up to n = 512 and FFT from 768 (the forward alone
# favours FFT from 384, but training needs both passes); with NumPy (single-threaded numpy.fft) matmul wins up to
# 768 and ties at 1024.
AUTO_MATMUL_MAX_LENGTH = 512
AUTO_MATMUL_MAX_LENGTH_NUMPY = 1024
# On a GPU the dense matrices win everywhere we measured: on a lent H100 (`benchmarks/bench_pool.py` and
# `benchmarks/suite.py`, see benchmarks/BENCHMARKS.md) matmul beat the per-axis FFT, forward and forward+backward,
# at every n up to 2048 in PyTorch and up to 1024 in CuPy. Above that, the matrices' memory (n^2 / 2 entries
# each) starts to matter more than speed.
AUTO_MATMUL_MAX_LENGTH_GPU = 2048

# The filter maps use the dense (prod(k), prod(k)) basis matrix up to this many kernel entries (16 x 16), and FFTs
# above it: the matrix costs prod(k)^2 to build and to apply per kernel, which stops paying off for large kernels.
AUTO_FILTER_MATMUL_MAX_SIZE = 256

# Largest (m, m, n) pooling-plus-dropout table kept per axis (8 MiB in float32); it takes ~0.6 s of pure Python to
# build at the limit, once. Larger axes compose pooling and low-pass instead.
POOL_MASK_TABLE_MAX_ELEMENTS = 1 << 21

# Largest per-axis matrix the core builds (an (m, n) operator or a basis): 2**24 entries, 128 MiB in float64 and
# tens of seconds of pure Python to build. Beyond it, the matmul path refuses with the memory it would need (the FFT
# path needs no matrix).
MAX_MATRIX_ELEMENTS = 1 << 24

# Largest result the pooling functions agree to compute, 2**48 bytes (256 TiB): more than any machine holds, so a
# size beyond it is a mistake, reported at once instead of ending in the allocator (or an integer overflow).
MAX_OUTPUT_BYTES = 1 << 48

# Below this trailing size, a batched `matrix @ x` along the second-to-last axis runs too many tiny products.
MIN_TRAILING_FOR_BATCHED = 8

# A band of k frequencies of an axis pooled n -> m is a rank-k operator: as two thin products, (k, n) then (m, k), it
# costs k (n + m) multiply-adds per column instead of m n. The thin form is used (for a host int k) when it costs
# at most this fraction of the full one.
THIN_FACTORS_MAX_COST = 0.5


def thin_factors_pay(n: int, m: int, k: int) -> bool:
    """True when the band ``k`` of an axis pooled ``n -> m`` is cheaper as two thin products than as one."""
    return k * (n + m) <= THIN_FACTORS_MAX_COST * m * n


def _human_bytes(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"):
        if count < 1024 or unit == "EiB":
            return f"{int(count)} bytes" if unit == "bytes" else f"{count:.3g} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def check_matrix(
    func: str, name: str, shape: tuple[int, ...], item_bytes: int, received: str, advice: str = ""
) -> None:
    """Refuse a matrix of more than ``MAX_MATRIX_ELEMENTS`` entries, saying what it would take in memory."""
    entries = math.prod(shape)
    if entries > MAX_MATRIX_ELEMENTS:
        raise ValueError(
            f"{func}: argument `{name}` expected sizes whose matrices have at most {MAX_MATRIX_ELEMENTS} entries "
            f"(MAX_MATRIX_ELEMENTS), received {received}: the {' x '.join(map(str, shape))} matrix would have "
            f"{entries} entries, {_human_bytes(entries * item_bytes)}{advice}"
        )


def is_full_precision(xp: ModuleType, dtype: Any) -> bool:
    """float32/float64 or complex64/complex128, as opposed to float16/bfloat16."""
    return dtype in (xp.float32, xp.float64, xp.complex64, xp.complex128)


def compute_dtype(xp: ModuleType, dtype: Any, device: Any, method: str) -> Any:
    """The real dtype a call computes in: the input's (its real part's, for complex input), or float32 for half
    precision on the FFT path (no portable half-precision FFT; CPU PyTorch has none at all) and on devices without
    fast half GEMMs (every CPU). Half-precision results are rounded back to the input's dtype once, at the end.
    """
    if dtype == xp.complex64:
        return xp.float32
    if dtype == xp.complex128:
        return xp.float64
    if is_full_precision(xp, dtype) or (method == "matmul" and has_fast_half(xp, device)):
        return dtype
    return xp.float32


def resolve(method: str, xp: ModuleType, dtype: Any, device: Any, elements: int, lengths: tuple[int, ...]) -> str:
    """:func:`resolve_method` on checked arguments, for ``elements`` entries of ``dtype`` on ``device``."""
    # Some FFT backends (PyTorch's MKL path) fail on zero-size arrays; a matmul of an empty batch just works.
    if method != "matmul" and elements == 0:
        return "matmul"
    if method != "auto":
        return method
    if not is_full_precision(xp, dtype):
        return "matmul"  # half precision has no portable FFT, but matmul works everywhere
    kind = device_kind(xp, device)
    if is_numpy_backed(xp):
        limit = AUTO_MATMUL_MAX_LENGTH_NUMPY
    elif kind == "gpu":
        limit = AUTO_MATMUL_MAX_LENGTH_GPU
    else:
        limit = AUTO_MATMUL_MAX_LENGTH
    return "matmul" if max(lengths, default=0) <= limit else "fft"


def _resolve(method: str, xp: ModuleType, x: Array, lengths: tuple[int, ...]) -> str:
    return resolve(method, xp, x.dtype, device_of(x), math.prod(x.shape), lengths)


def resolve_method(
    x: Array, lengths: int | tuple[int, ...], /, *, method: str = "auto", xp: ModuleType | None = None
) -> str:
    """What ``method="auto"`` computes with, for the array ``x`` and per-axis transform lengths ``lengths``.

    ``"matmul"`` (dense real matrices) up to ``AUTO_MATMUL_MAX_LENGTH`` per axis on a CPU
    (``AUTO_MATMUL_MAX_LENGTH_NUMPY`` for NumPy-backed namespaces, ``AUTO_MATMUL_MAX_LENGTH_GPU`` on a GPU),
    ``"fft"`` above. Half precision always takes ``"matmul"`` (there is no portable half-precision FFT). A
    zero-size ``x`` takes ``"matmul"`` (some FFT backends fail on empty arrays). An explicit ``"matmul"`` or
    ``"fft"`` is returned as it is, except for the zero-size case.

    Parameters
    ----------
    x : array
        The input (only its namespace, dtype, device and size are read, never its values).
    lengths : int or tuple of int
        Length of each transform: the input length of a pooled axis, the output length of an upsampled one (the
        larger of the two).
    method : {"auto", "matmul", "fft"}, optional
        The method asked for.
    xp : namespace, optional
        Array namespace of ``x``.

    Returns
    -------
    str
        ``"matmul"`` or ``"fft"``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> sc.resolve_method(np.zeros((8, 32, 32)), (32, 32))
    'matmul'
    >>> sc.resolve_method(np.zeros((1, 4096)), 4096)
    'fft'
    """
    func = "resolve_method"
    xp = array_namespace(x, xp=xp)
    v.choice(func, "method", method, v.METHODS)
    count = len(lengths) if isinstance(lengths, (tuple, list)) else 1
    return _resolve(method, xp, x, v.per_axis_sizes(func, "lengths", lengths, count))
