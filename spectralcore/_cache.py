"""The cache of operator arrays: pure-Python entries turned into the caller's namespace, dtype and device once.

A builder is a pure-Python function of ints and strings that returns ``(entries, shape)``, row-major entries in
float64 (or complex). The cache is keyed by the builder (its qualified name) and its arguments, plus the namespace,
dtype and device of the array asked for: one conversion per combination, then a dictionary look-up per call. There
is no registry of builders: any such function can be cached.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

from ._compat import index_dtype, is_compiling, is_lazy

Array = Any
Flat = tuple[tuple[Any, ...], tuple[int, ...]]  # row-major entries (Python floats or complex) and shape
Builder = Callable[..., Flat]

__all__ = ["Flat", "Source", "cached", "clear", "index_array", "transposed", "values_array"]

_CACHE_SIZE = 512
# A plain dict, no lock: single dict operations are atomic in CPython, a race at worst builds an entry twice, and
# torch.compile (Dynamo) can trace dict look-ups but not a lock. When full it is cleared rather than evicted in LRU
# order, which keeps every operation a single atomic step.
_cache: dict[tuple[Any, ...], Array] = {}


def clear() -> None:
    """Forget every cached array (the pure-Python builders keep their own small LRU caches)."""
    _cache.clear()


def transposed(flat: Flat) -> Flat:
    """Transpose of a row-major matrix (precomputed so that the hot path multiplies contiguous arrays)."""
    entries, (rows, cols) = flat
    return tuple(entries[r * cols + c] for c in range(cols) for r in range(rows)), (cols, rows)


def _name(builder: Builder) -> str:
    # The builder's name, not the function object: torch.compile cannot compare functions as dict keys (and an
    # lru_cache wrapper is one), but it can compare strings. `__name__`, not `__qualname__`: under torch 2.13 Dynamo
    # reads a function's `__qualname__` as the same placeholder string for every function, so two builders with
    # equal arguments shared one key inside a traced call. Builders are module-level functions, so the module and
    # the name identify them.
    return f"{builder.__module__}.{builder.__name__}"


def _store(key: tuple[Any, ...], flat: Callable[[], Flat], xp: ModuleType, dtype: Any, device: Any) -> Array:
    entries, shape = flat()
    array = xp.reshape(xp.asarray(list(entries), dtype=dtype, device=device), shape)
    # Never keep a tracer alive beyond the trace that made it (a torch.compile fake tensor is not "lazy" to
    # array-api-compat, hence the second test).
    if not is_lazy(array) and not is_compiling():
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = array
    return array


class Source:
    """Where a plan's arrays come from: one namespace, dtype and device, with their cache-key parts precomputed.

    ``get`` is the hot path of a call that needs an operator only sometimes (a dropout table): one tuple and one
    dictionary look-up.
    """

    def __init__(self, xp: ModuleType, dtype: Any, device: Any) -> None:
        self.xp = xp
        self.dtype = dtype
        self.device = device
        self._suffix = (xp.__name__, str(dtype), str(device))

    def get(self, builder: Builder, args: tuple[Any, ...], *, transpose: bool = False) -> Array:
        """The operator ``builder(*args)`` (or its transpose) as an array of this source, built once."""
        key = (_name(builder), args, transpose, *self._suffix)
        hit = _cache.get(key)
        if hit is not None:
            return hit
        if transpose:
            return _store(key, lambda: transposed(builder(*args)), self.xp, self.dtype, self.device)
        return _store(key, lambda: builder(*args), self.xp, self.dtype, self.device)


def cached(
    builder: Builder,
    args: tuple[Any, ...],
    xp: ModuleType,
    dtype: Any,
    device: Any,
    *,
    transpose: bool = False,
) -> Array:
    """The operator ``builder(*args)`` (or its transpose) in ``xp``/``dtype``/``device``, built once."""
    return Source(xp, dtype, device).get(builder, args, transpose=transpose)


def values_array(values: tuple[Any, ...], xp: ModuleType, dtype: Any, device: Any) -> Array:
    """A cached 1-D array of the given Python numbers (small tables: gather factors, phases)."""
    key = ("values", values, xp.__name__, str(dtype), str(device))
    hit = _cache.get(key)
    if hit is not None:
        return hit
    return _store(key, lambda: (values, (len(values),)), xp, dtype, device)


def index_array(values: tuple[int, ...], xp: ModuleType, device: Any) -> Array:
    """A cached index vector, of the namespace's default indexing dtype."""
    return values_array(values, xp, index_dtype(xp), device)
