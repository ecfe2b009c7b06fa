"""The size and frequency-dropout rules shared by every framework adapter.

Both adapters (PyTorch and Keras) call these, so a layer configured the same way pools to the same size and draws
its random band from the same range, whatever the framework. Fractions are read as the decimal the user wrote
(``0.29`` is 29/100, not the binary float 0.28999999999999998): ``floor(0.29 * 100)`` in floating point is 28,
which would silently shrink a layer by one row.
"""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from types import ModuleType
from typing import Any

from . import _validation as v
from ._compat import array_namespace, index_dtype, is_lazy

Array = Any

__all__ = ["dropout_keep_range", "keep_from_uniform", "scaled_size"]


def _as_fraction(func: str, name: str, value: object) -> Fraction:
    """``value`` in (0, 1] as an exact fraction of its shortest decimal representation."""
    return _decimal_fraction(v.fraction(func, name, value))


@functools.lru_cache(maxsize=1024)
def _decimal_fraction(value: float) -> Fraction:
    # Cached: adapters call the rules on every forward pass, and building a Fraction costs microseconds that
    # matter when a GPU step takes a millisecond.
    return Fraction(repr(value))


def scaled_size(n: int, scale: float, /) -> int:
    """Pooled length for a scale factor: ``max(1, floor(scale * n))``, with ``scale`` read as a decimal.

    Parameters
    ----------
    n : int
        Input length (>= 1).
    scale : float
        Factor gamma in ``(0, 1]``.

    Returns
    -------
    int
        The output length, in ``[1, n]``.

    Examples
    --------
    >>> from spectralcore import scaled_size
    >>> scaled_size(32, 0.5), scaled_size(100, 0.29), scaled_size(3, 0.1)
    (16, 29, 1)
    """
    func = "scaled_size"
    n = v.positive_int(func, "n", n)
    gamma = _as_fraction(func, "scale", scale)
    return max(1, math.floor(gamma * n))


def dropout_keep_range(
    n: int, /, *, min_fraction: float | None = None, bounds: tuple[int, int] | None = None
) -> tuple[int, int]:
    """Inclusive range ``(low, high)`` of the number of frequencies frequency dropout keeps on an axis of length n.

    With ``min_fraction=c`` it is ``(ceil(c * n), n)``, the paper's ``R ~ U[c n, n]`` with integer draws;
    with ``bounds=(low, high)`` it is that range, checked against ``n``. Exactly one of the two must be given.

    Parameters
    ----------
    n : int
        Axis length (the pooled size, for a pooling layer).
    min_fraction : float, optional
        ``c`` in ``(0, 1]``, read as the decimal written: ``c = 1`` disables dropout (R = n always).
    bounds : tuple of two ints, optional
        Explicit ``1 <= low <= high <= n``.

    Returns
    -------
    tuple of int
        ``(low, high)`` with ``1 <= low <= high <= n``.

    Examples
    --------
    >>> from spectralcore import dropout_keep_range
    >>> dropout_keep_range(50, min_fraction=0.14)  # in binary, 0.14 * 50 = 7.000000000000001, whose ceil is 8
    (7, 50)
    >>> dropout_keep_range(16, bounds=(4, 12))
    (4, 12)
    """
    func = "dropout_keep_range"
    n = v.positive_int(func, "n", n)
    v.exactly_one(func, ("min_fraction", "bounds"), (min_fraction, bounds))
    if min_fraction is not None:
        c = _as_fraction(func, "min_fraction", min_fraction)
        return max(1, math.ceil(c * n)), n
    return v.int_range(func, "bounds", bounds, high=n, high_is="the axis length")


def keep_from_uniform(u: Array, low: int, high: int, /, *, check: bool = True, xp: ModuleType | None = None) -> Array:
    """Map uniform variates ``u`` in ``[0, 1)`` to integers uniform on ``[low, high]``.

    The adapters draw one ``u`` per call (or per sample) and map it to every axis with that axis's range, so a
    square map gets the paper's square ``R x R`` band. The result never exceeds ``high``, even where the float32
    product ``u * (high - low + 1)`` rounds up to ``high - low + 1``, and ``u == 1`` exactly (what a draw just below
    1 becomes when it is rounded to a lower precision) maps to ``high``.

    Parameters
    ----------
    u : array
        Real floating array of variates in ``[0, 1)``.
    low, high : int
        The inclusive range, from :func:`dropout_keep_range`.
    check : bool, optional
        Check that every value of ``u`` lies in ``[0, 1]`` (NaN fails), which reads the values: a device-to-host
        synchronisation on a GPU, skipped automatically for lazy arrays (JAX tracers). Adapters that draw ``u``
        themselves from ``[0, 1)`` pass ``False``. Unchecked values outside ``[0, 1]`` give undefined results.
    xp : namespace, optional
        Array namespace of ``u``.

    Returns
    -------
    array
        Integer array of ``u``'s shape and device, of the namespace's default indexing dtype (int64; int32 for
        JAX without x64).

    Raises
    ------
    ValueError
        ``low > high``, or (with ``check``) a value of ``u`` outside ``[0, 1]`` or NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore import keep_from_uniform
    >>> keep_from_uniform(np.array([0.0, 0.49, 0.5, 0.999999]), 3, 4)
    array([3, 3, 4, 4])
    >>> keep_from_uniform(np.array([2.0, np.nan]), 8, 27)
    Traceback (most recent call last):
    ...
    ValueError: keep_from_uniform: argument `u` expected values in [0, 1], received values in [2.0, 2.0] and NaN
    """
    func = "keep_from_uniform"
    xp = array_namespace(u, xp=xp)
    v.real_float_array(func, "u", u, xp)
    low = v.positive_int(func, "low", low)
    high = v.positive_int(func, "high", high)
    v.boolean(func, "check", check)
    if low > high:
        raise ValueError(f"{func}: expected low <= high, received low={low} and high={high}")
    if check and not is_lazy(u) and math.prod(u.shape) != 0:
        inside = (u >= 0) & (u <= 1)  # False for NaN
        if not bool(xp.all(inside)):
            raise v.value_error(func, "u", "values in [0, 1]", _describe_values(u, xp))
    width = high - low + 1
    steps = xp.astype(xp.floor(u * width), index_dtype(xp))
    # u < 1 gives steps <= width - 1, except when u * width rounds up to width: step that case back by one.
    # (Arithmetic rather than clip: array-api-compat's generic clip uses boolean-mask assignment, a device sync
    # on CuPy.)
    return steps - xp.astype(steps >= width, steps.dtype) + low


def _describe_values(u: Array, xp: ModuleType) -> str:
    """``"values in [lo, hi]"`` of the non-NaN entries, plus ``" and NaN"`` when there are NaNs (for messages)."""
    nan = xp.isnan(u)
    has_nan = bool(xp.any(nan))
    finite = xp.where(nan, xp.zeros_like(u), u)
    if has_nan and bool(xp.all(nan)):
        return "only NaN"
    low = float(xp.min(xp.where(nan, xp.full_like(u, math.inf), finite)))
    high = float(xp.max(xp.where(nan, xp.full_like(u, -math.inf), finite)))
    return f"values in [{low}, {high}]" + (" and NaN" if has_nan else "")
