"""Spectral pooling with a smooth, learnable cut-off (the exact counterpart of DiffStride), along one axis.

A stride ``S >= 1`` sets a continuous target length ``t = n / S``. The layer keeps frequency ``f`` (in cycles per
signal, ``0 <= f <= n/2``) with the weight

    ``w(f) = clip((t + ramp - 2 f) / ramp, 0, 1)``

(a ramp of width ``ramp`` in output pixels, which is ``ramp / 2`` frequency bins, above the cut-off ``2 f = t``),
then samples the low-passed signal at

    ``m = min(n, ceil(t + ramp) - 1)``

equispaced points. ``m`` is the smallest length whose spectrum holds every frequency with ``w(f) > 0`` (they all
satisfy ``2 f < t + ramp``, hence ``2 f <= m``), so the crop drops nothing the mask kept. What makes it exact:

* the weights depend on ``|k|`` only, so a real map stays real by construction and the operator commutes with the
  circular flip ``x[j] -> x[-j mod n]`` (and with the shifts ``x[j] -> x[j - s]`` by multiples of ``n/m``);
* ``w(0) = 1`` and the samples are those of the low-passed signal itself (``norm="amplitude"``), so a constant map
  stays the same constant and the mean is kept; ``"ortho"`` multiplies by ``sqrt(n / m)`` as for fixed pooling;
* an output Nyquist bin (``2 f = m``) is the sampled sum ``w(f) (X[f] + X[-f])``: with ``w = 1`` that is the
  ``nyquist="sum"`` rule of :func:`spectral_pool`. So when ``t`` is an integer and ``ramp <= 1``, ``m == t`` and the
  operator equals ``pool_matrix(n, t)``, for every parity;
* the output length ``m`` is a function of ``(n, S, ramp)`` only, never of the data.

As a matrix, ``P[l, j] = sum_f (e_f w(f) / n) cos(2 pi f (l / m - j / n))`` with ``e_f = 1`` for ``f = 0`` and the
input Nyquist ``f = n/2``, else ``2``: it is linear in the weights, and the weights are affine in ``t`` between
clips, so ``dP/dS`` exists (and is non-zero whenever a frequency lies strictly on the ramp, which a ramp wider than
2 guarantees) everywhere except where ``m`` jumps. :func:`smooth_pool_factors` returns that factorisation, so that an
adapter can differentiate through it with its own framework's autodiff.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from . import _methods
from . import _validation as v
from ._cache import Flat, cached, values_array
from ._compat import array_namespace, device_of, itemsize, namespace_from_module
from ._trig import cos_pi_frac, sin_pi_frac

Array = Any

__all__ = ["DEFAULT_RAMP", "smooth_pool_factors", "smooth_pool_matrix", "smooth_pool_size"]

# Default ramp width of smooth spectral pooling, in output pixels: above 2, so that at least one frequency is always
# on the ramp (a non-zero gradient for the stride); it makes the output ceil(n / S) + 2 pixels long.
DEFAULT_RAMP = 3.0
_SIZE_TOLERANCE = 1e-6
# Beyond it a ramp is a mistake: the mask would be wider than any map this library bounds.
_MAX_RAMP = 1e6


def _ramp(func: str, ramp: object) -> float:
    if isinstance(ramp, bool) or not isinstance(ramp, (int, float)):
        raise TypeError(f"{func}: argument `ramp` expected a real number > 0, received {ramp!r}")
    value = float(ramp)
    if not (0.0 < value <= _MAX_RAMP):  # also refuses NaN
        raise ValueError(f"{func}: argument `ramp` expected a real number in (0, {_MAX_RAMP:g}], received {ramp!r}")
    return value


def _stride(func: str, stride: object) -> float:
    if isinstance(stride, bool) or not isinstance(stride, (int, float)):
        raise TypeError(f"{func}: argument `stride` expected a real number >= 1, received {stride!r}")
    value = float(stride)
    if math.isnan(value):
        raise ValueError(
            f"{func}: argument `stride` expected a real number >= 1, received nan (a diverged training step?)"
        )
    if value < 1.0:
        raise ValueError(f"{func}: argument `stride` expected a real number >= 1, received {stride!r}")
    return value


def _size(n: int, stride: float, ramp: float) -> int:
    # A stride above n acts as n: the target is at least one pixel, so the output is never empty.
    target = n / min(stride, float(n))
    # Within a relative _SIZE_TOLERANCE of an integer counts as that integer: a stride n/m stored as a float32
    # parameter (or computed in float64) must give m, not m + 1. What the crop drops then weighs below 1e-6.
    end = target + ramp
    return min(n, math.ceil(end - _SIZE_TOLERANCE * end) - 1)


def smooth_pool_size(n: int, stride: float, /, *, ramp: float = DEFAULT_RAMP) -> int:
    """Output length of smooth spectral pooling of a length-``n`` axis with stride ``stride``.

    ``min(n, ceil(n / S + ramp) - 1)`` with ``S = min(stride, n)``: the smallest length that holds every frequency
    the mask keeps. A stride above ``n`` acts as ``n`` (an output of at least one pixel, never an empty one).

    Parameters
    ----------
    n : int
        Input length, ``>= 1``.
    stride : float
        ``>= 1``; any real value (``n / stride`` need not be an integer).
    ramp : float
        Width of the mask's ramp in output pixels, ``> 0`` (default :data:`DEFAULT_RAMP`).

    Raises
    ------
    ValueError
        ``stride < 1`` or NaN, ``ramp <= 0``.

    Examples
    --------
    >>> import spectralcore as sc
    >>> sc.smooth_pool_size(32, 2.0)  # ceil(16 + 3) - 1
    18
    >>> sc.smooth_pool_size(32, 3.0, ramp=1.0)  # ceil(32 / 3): any parity
    11
    """
    func = "smooth_pool_size"
    n = v.positive_int(func, "n", n)
    return _size(n, _stride(func, stride), _ramp(func, ramp))


def _bins(n: int, m: int) -> int:
    """Frequencies ``f = 0 .. F - 1`` that both lengths hold (the output's at most m/2, the input's at most n/2)."""
    return min(m // 2, n // 2) + 1


def _factors_flat(n: int, m: int, norm: str) -> tuple[Flat, Flat]:
    """``(left, right)`` in float64: ``left[l, c]`` (m, 2F - 1) and ``right[c, j]`` (2F - 1, n), columns ``c`` the
    cosines of ``f = 0 .. F-1`` then the sines of ``f = 1 .. F-1``, scaled so that ``left @ diag(w_c) @ right`` is
    the operator of the module docstring."""
    count = _bins(n, m)
    scale = 1.0 / n if norm == "amplitude" else 1.0 / math.sqrt(n * m)
    columns = [(f, "cos") for f in range(count)] + [(f, "sin") for f in range(1, count)]
    left: list[float] = []
    for row in range(m):
        for f, kind in columns:
            # cos/sin(2 pi f row / m), with exact integer reduction of the angle
            left.append(cos_pi_frac(2 * f * row, m) if kind == "cos" else sin_pi_frac(2 * f * row, m))
    right: list[float] = []
    for f, kind in columns:
        weight = scale * (1.0 if f == 0 or 2 * f == n else 2.0)
        for col in range(n):
            value = cos_pi_frac(2 * f * col, n) if kind == "cos" else sin_pi_frac(2 * f * col, n)
            right.append(weight * value)
    width = len(columns)
    return (tuple(left), (m, width)), (tuple(right), (width, n))


def _factor_flat(n: int, m: int, norm: str, side: str) -> Flat:
    """One factor (``side`` "left" or "right"): one builder, so that the cache tells them apart by argument."""
    return _factors_flat(n, m, norm)[0 if side == "left" else 1]


def smooth_pool_factors(
    n: int,
    m: int,
    /,
    *,
    ramp: float = DEFAULT_RAMP,
    norm: str = "amplitude",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> tuple[Array, Array, Array]:
    """``(left, offsets, right)`` with ``P(t) = left @ diag(clip(t / ramp + offsets, 0, 1)) @ right``.

    ``P(t)`` is the ``(m, n)`` smooth pooling operator for the target length ``t = n / S`` (the matrix of
    :func:`smooth_pool_matrix`), cropped to ``m``. A framework differentiates it with respect to ``t`` (hence to the
    stride) by evaluating this expression with its own operations: the Fourier content is all in the three arrays.

    Parameters
    ----------
    n, m : int
        Input and output lengths, ``1 <= m <= n``; ``m`` is usually :func:`smooth_pool_size`, but any ``m`` crops the
        mask to the frequencies it holds (``2 f <= m``).
    ramp : float
        The ramp width, ``> 0``.
    norm : {"amplitude", "ortho"}
        As :func:`pool_matrix`.
    xp, dtype, device
        Namespace (required), dtype (default float64) and device of the returned arrays.

    Returns
    -------
    left : array, shape (m, 2F - 1)
    offsets : array, shape (2F - 1,)
        ``1 - 2 f / ramp`` per column.
    right : array, shape (2F - 1, n)

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> left, offsets, right = sc.smooth_pool_factors(8, 4, ramp=1.0, xp=np)
    >>> P = left @ np.diag(np.clip(4 / 1.0 + offsets, 0, 1)) @ right  # t = 4: stride 2
    >>> bool(np.allclose(P, sc.pool_matrix(8, 4, xp=np)))
    True
    """
    func = "smooth_pool_factors"
    n, m = v.positive_int(func, "n", n), v.positive_int(func, "m", m)
    if m > n:
        raise ValueError(f"{func}: argument `m` expected an output length <= n={n}, received {m}")
    ramp = _ramp(func, ramp)
    v.choice(func, "norm", norm, v.NORMS_POOL)
    if xp is None:
        raise TypeError(f"{func}: argument `xp` is required (an array namespace such as numpy or torch)")
    ns = namespace_from_module(xp)
    dtype = ns.float64 if dtype is None else dtype
    width = 2 * _bins(n, m) - 1
    _methods.check_matrix(func, "n", (max(m, n), width), itemsize(ns, dtype), f"n={n} and m={m}")
    left = cached(_factor_flat, (n, m, norm, "left"), ns, dtype, device)
    right = cached(_factor_flat, (n, m, norm, "right"), ns, dtype, device)
    count = _bins(n, m)
    frequencies = list(range(count)) + list(range(1, count))
    offsets = values_array(tuple(1.0 - 2.0 * f / ramp for f in frequencies), ns, dtype, device)
    return left, offsets, right


def smooth_pool_matrix(
    n: int,
    stride: Any,
    /,
    *,
    ramp: float = DEFAULT_RAMP,
    size: int | None = None,
    norm: str = "amplitude",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """The real ``(m, n)`` matrix of smooth spectral pooling, differentiable in ``stride`` when it is an array.

    Parameters
    ----------
    n : int
        Input length.
    stride : float or 0-d array
        ``S``; an array (e.g. a ``torch`` parameter) keeps the result differentiable with respect to it, and gives
        the result its namespace, dtype and device. It is clipped to ``[1, n]`` (an array cannot be checked without
        reading it back; a float is checked: ``>= 1``, not NaN). A clipped stride has no gradient.
    ramp : float
        The ramp width in output pixels, ``> 0``.
    size : int, optional
        Output length ``m``; default :func:`smooth_pool_size` (required when ``stride`` is an array, whose value is
        not read).
    norm : {"amplitude", "ortho"}
        As :func:`pool_matrix`.
    xp, dtype, device
        For a float ``stride``: namespace (required), dtype (default float64), device.

    Returns
    -------
    array
        ``P`` with ``y = P @ x`` along the axis; real, with ``P @ ones = ones`` (``"amplitude"``).

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> P = sc.smooth_pool_matrix(32, 2.5, xp=np)  # 32 / 2.5 = 12.8 -> ceil(15.8) - 1 = 15 outputs
    >>> P.shape
    (15, 32)
    >>> bool(np.allclose(P @ np.ones(32), 1.0))
    True
    >>> bool(np.allclose(sc.smooth_pool_matrix(12, 3.0, ramp=1.0, xp=np), sc.pool_matrix(12, 4, xp=np)))
    True
    """
    func = "smooth_pool_matrix"
    n = v.positive_int(func, "n", n)
    ramp = _ramp(func, ramp)
    if isinstance(stride, (int, float)) and not isinstance(stride, bool):
        value = _stride(func, stride)
        if xp is None:
            raise TypeError(f"{func}: argument `xp` is required with a float `stride`")
        m = _size(n, value, ramp) if size is None else v.positive_int(func, "size", size)
        left, offsets, right = smooth_pool_factors(n, m, ramp=ramp, norm=norm, xp=xp, dtype=dtype, device=device)
        ns = namespace_from_module(xp)
        weights = ns.clip(n / min(value, float(n)) / ramp + offsets, 0.0, 1.0)
        return (left * weights) @ right
    ns = array_namespace(stride)
    if size is None:
        raise TypeError(f"{func}: argument `size` is required when `stride` is an array (its value is not read)")
    m = v.positive_int(func, "size", size)
    if m > n:
        raise ValueError(f"{func}: argument `size` expected an output length <= n={n}, received {m}")
    left, offsets, right = smooth_pool_factors(
        n, m, ramp=ramp, norm=norm, xp=ns, dtype=stride.dtype, device=device_of(stride)
    )
    target = n / ns.clip(stride, 1.0, float(n))
    weights = ns.clip(target / ramp + offsets, 0.0, 1.0)
    return (left * weights) @ right
