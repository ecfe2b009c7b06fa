"""The per-axis kernels the plans run: a matrix along an axis, and the FFT forms of the same operators.

Everything here works on real arrays of the compute dtype, with checked arguments; the plans
(:mod:`spectralcore._plans`) choose the kernel and hold its operators. The DC and Nyquist bins handed to ``irfft``
are built as ``c (X + conj X)``, real by construction, so no backend ever sees a spectrum whose self-conjugate bins
have imaginary parts (PyTorch issue 154496). Nothing takes ``.real`` or ``abs()`` to hide an imaginary part: the
outputs are real because the operators are.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from ._methods import MIN_TRAILING_FOR_BATCHED

Array = Any

__all__ = [
    "apply_matrix",
    "dct_resize_axis",
    "fft_lowpass_axis",
    "fft_resize_axis",
    "length_scale",
    "matrix_mode",
    "per_sample_rows",
]


def matrix_mode(shape: tuple[int, ...], axis: int) -> str:
    """How to multiply a matrix along ``axis`` of an array of ``shape``: ``"right"``, ``"left"``, ``"fold"`` or
    ``"tensordot"``."""
    last = len(shape) - 1
    if axis == last:
        return "right"  # x @ M^T: the batch folds into the rows of one GEMM
    trailing = math.prod(shape[axis + 1 :])
    if trailing < MIN_TRAILING_FOR_BATCHED:
        # E.g. H of an HWC image, where `M @ x` would be thousands of tiny products: tensordot folds everything else
        # into one GEMM, 8.7x faster for a (512, 512, 3) image pooled on axes (0, 1).
        return "tensordot"
    if axis == last - 1:
        return "left"  # M @ x: measured fastest for the H axis of NCHW maps (shared/perf-baseline.md)
    # An inner axis with a long contiguous tail (H of an NHWC map, D of NCDHW): fold the tail into the columns,
    # M @ x.reshape(..., n, -1), which needs no transposed copy of x (tensordot's moveaxis makes one).
    return "fold"


def apply_matrix(x: Array, matrix: Array, matrix_t: Array, axis: int, mode: str, xp: ModuleType) -> Array:
    """Apply ``matrix`` (shape ``(m, n)``) along ``axis`` of ``x``; ``matrix_t`` is its transpose, precomputed."""
    if mode == "right":
        return x @ matrix_t
    if mode == "left":
        return matrix @ x
    if mode == "fold":
        shape = tuple(x.shape)
        folded = matrix @ xp.reshape(x, (*shape[:axis], shape[axis], -1))
        return xp.reshape(folded, (*shape[:axis], matrix.shape[0], *shape[axis + 1 :]))
    return xp.moveaxis(xp.tensordot(x, matrix_t, axes=([axis], [0])), -1, axis)


def length_scale(norm: str, n: int, m: int) -> float:
    """Per-axis factor on top of the inverse FFT's 1/m: out/in for "amplitude", sqrt(out/in) for "ortho"."""
    return m / n if norm == "amplitude" else math.sqrt(m / n)


def _take(array: Array, axis: int, start: int, stop: int) -> Array:
    """``array[..., start:stop, ...]`` along ``axis`` (the trailing ellipsis keeps array-api-strict happy)."""
    index: tuple[Any, ...] = (slice(None),) * axis + (slice(start, stop), Ellipsis)
    return array[index]


def _real_bin(spectrum: Array, axis: int, index: int, factor: float, xp: ModuleType) -> Array:
    """``factor * (X[k] + conj(X[k]))`` at one bin: a self-conjugate output bin, real by construction."""
    bin_ = _take(spectrum, axis, index, index + 1)
    return (bin_ + xp.conj(bin_)) * factor


def fft_resize_axis(x: Array, axis: int, n: int, m: int, nyquist_factor: float, scale: float, xp: ModuleType) -> Array:
    """Resize one axis n -> m through a real FFT: keep the bins ``|k| < min(n, m)/2`` and invert with length m.

    For an even ``k = min(n, m)`` the bin ``k/2`` is rebuilt as ``nyquist_factor * (X + conj X)``: pooling folds
    ``X[k/2] + X[-k/2]`` (factor 1, or 1/2 for the average rule); upsampling keeps half of the real ``X[n/2]`` at
    ``+n/2`` (factor 1/4), irfft's implied mirror putting the other half at ``-n/2``; irfft zero-pads the rest.
    Only the edge bins are rebuilt and the interior is a slice, so the one full-size complex temporary is the
    concatenation (the weighted form ``a X + b conj(X)`` costs three more).
    """
    spectrum = xp.fft.rfft(x, axis=axis)
    kept_length = min(n, m)
    parts = [_real_bin(spectrum, axis, 0, 0.5, xp)]  # DC: its real part, whose imaginary part is exactly zero
    interior = (kept_length - 1) // 2
    if interior:
        parts.append(_take(spectrum, axis, 1, interior + 1))
    if kept_length % 2 == 0:
        parts.append(_real_bin(spectrum, axis, kept_length // 2, nyquist_factor, xp))
    kept = xp.concat(parts, axis=axis) if len(parts) > 1 else parts[0]
    return xp.fft.irfft(kept, n=m, axis=axis) * scale


def fft_lowpass_axis(x: Array, axis: int, n: int, a: Array, b: Array, xp: ModuleType) -> Array:
    """``irfft(a X + b conj(X), n)`` along ``axis`` with ``X = rfft(x)``: per-bin weights on the cosine part
    (``a + b``) and the sine part (``a - b``), which is how a low-pass keeps half of a Nyquist pair."""
    spectrum = xp.fft.rfft(x, axis=axis)
    return xp.fft.irfft(a * spectrum + b * xp.conj(spectrum), n=n, axis=axis)


def dct_resize_axis(
    x: Array, axis: int, m: int, phase_in: Array, phase_out: Array, weights: Array | None, xp: ModuleType
) -> Array:
    """The cosine-basis (DCT-II) resize of one axis through real FFTs of the mirror extensions.

    ``rfft([x, x[::-1]])`` times ``phase_in`` (``exp(-i pi k / 2n)``, ``K`` bins) gives twice the DCT sums
    ``sum_j x_j cos(pi k (2j + 1) / 2n)``, which are real; optional per-coefficient ``weights`` (frequency dropout)
    multiply them; ``phase_out`` (``scale * exp(i pi k / 2m)``) makes them the spectrum whose inverse real FFT of
    length ``2m`` starts with the inverse DCT of length ``m``. The DC bin is ``scale * real``, so no imaginary part
    reaches a self-conjugate bin.
    """
    extended = xp.concat([x, xp.flip(x, axis=axis)], axis=axis)
    count = phase_in.shape[0]
    spectrum = _take(xp.fft.rfft(extended, axis=axis), axis, 0, count)
    shape = tuple(count if d == axis else 1 for d in range(x.ndim))
    coefficients = xp.real(spectrum * xp.reshape(phase_in, shape))
    if weights is not None:
        coefficients = coefficients * weights
    resized = xp.fft.irfft(coefficients * xp.reshape(phase_out, shape), n=2 * m, axis=axis)
    return _take(resized, axis, 0, m)


def per_sample_rows(
    rows: Array, index: Array, shape: tuple[int, ...], axes: tuple[int, ...], axis: int, xp: ModuleType
) -> Array:
    """Gather ``rows[index]`` (one row per sample, flattened batch order) and lay each row along ``axis``.

    The result has the batch dimensions of ``shape`` in place, the row along ``axis`` and singletons on the other
    transformed axes, so that it broadcasts against an array of ``shape`` (or its spectrum along ``axis``).
    """
    width = rows.shape[1]
    batch_shape = tuple(s for d, s in enumerate(shape) if d not in axes)
    picked = xp.reshape(xp.take(rows, index, axis=0), (*batch_shape, width))
    position = sum(1 for d in range(axis) if d not in axes)  # where `axis` falls among the batch dims
    target = tuple(width if d == axis else (1 if d in axes else s) for d, s in enumerate(shape))
    return xp.reshape(xp.moveaxis(picked, -1, position), target)
