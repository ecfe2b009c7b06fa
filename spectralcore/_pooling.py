"""Spectral pooling, spectral upsampling and low-pass filtering as functions of arrays.

Two exact methods compute the same real-linear maps:

* ``"matmul"`` applies the cached real per-axis matrices of :mod:`spectralcore._matrices` (one matmul per axis).
* ``"fft"`` runs a real FFT per axis, keeps or reweights its bins and inverts it with an explicit length. The DC
  and Nyquist bins handed to ``irfft`` are built as ``c (X + conj X)``, real by construction, so no backend ever
  sees a spectrum whose self-conjugate bins have imaginary parts (PyTorch issue 154496).

Neither method takes ``.real`` or ``abs()`` of anything: the output is real because the operators are.
"""

from __future__ import annotations

import math
import numbers
from types import ModuleType
from typing import Any

from . import _matrices as mats
from . import _methods
from . import _validation as v
from ._compat import array_namespace, device_of, index_dtype, is_lazy
from ._methods import (
    AUTO_MATMUL_MAX_LENGTH,
    AUTO_MATMUL_MAX_LENGTH_GPU,
    AUTO_MATMUL_MAX_LENGTH_NUMPY,
    MIN_TRAILING_FOR_BATCHED,
    POOL_MASK_TABLE_MAX_ELEMENTS,
)

Array = Any

__all__ = [
    "AUTO_MATMUL_MAX_LENGTH",
    "AUTO_MATMUL_MAX_LENGTH_GPU",
    "AUTO_MATMUL_MAX_LENGTH_NUMPY",
    "POOL_MASK_TABLE_MAX_ELEMENTS",
    "lowpass",
    "spectral_pool",
    "spectral_upsample",
]


# ---------------------------------------------------------------------------------------------------------------
# Shared plumbing.
# ---------------------------------------------------------------------------------------------------------------
def _prepare(
    func: str, x: Array, axes: object, xp: ModuleType | None, method: str
) -> tuple[ModuleType, tuple[int, ...], str]:
    xp = array_namespace(x, xp=xp)
    v.real_float_array(func, "x", x, xp)
    v.choice(func, "method", method, v.METHODS)
    return xp, v.normalize_axes(func, axes, x.ndim), method


def _resolve_method(method: str, xp: ModuleType, x: Array, lengths: tuple[int, ...]) -> str:
    # Kept for the benchmarks of the previous release; the public form is `spectralcore.resolve_method`.
    return _methods._resolve(method, xp, x, lengths)


def _apply_matrix(x: Array, matrix: Array, matrix_t: Array, axis: int, xp: ModuleType) -> Array:
    """Apply ``matrix`` (shape ``(m, n)``) along ``axis`` of ``x``; ``matrix_t`` is its transpose, precomputed."""
    last = x.ndim - 1
    if axis == last:
        return x @ matrix_t  # the batch folds into the rows of one GEMM
    if axis == last - 1 and x.shape[last] >= MIN_TRAILING_FOR_BATCHED:
        return matrix @ x  # measured fastest for the H axis of NCHW maps (shared/perf-baseline.md)
    # Otherwise (e.g. H of an HWC image, where `matrix @ x` would be thousands of tiny products), tensordot
    # folds everything else into one GEMM: 8.7x faster for a (512, 512, 3) image pooled on axes (0, 1).
    return xp.moveaxis(xp.tensordot(x, matrix_t, axes=([axis], [0])), -1, axis)


def _broadcast_shape(ndim: int, axis: int, length: int) -> tuple[int, ...]:
    return tuple(length if d == axis else 1 for d in range(ndim))


def _fft_lowpass_axis(x: Array, axis: int, n: int, a: Array, b: Array, xp: ModuleType) -> Array:
    """``irfft(a X + b conj(X), n)`` along ``axis`` with ``X = rfft(x)``: per-bin weights on the cosine part
    (``a + b``) and the sine part (``a - b``), which is how a low-pass keeps half of a Nyquist pair."""
    spectrum = xp.fft.rfft(x, axis=axis)
    return xp.fft.irfft(a * spectrum + b * xp.conj(spectrum), n=n, axis=axis)


def _take_bins(spectrum: Array, axis: int, start: int, stop: int) -> Array:
    """``spectrum[..., start:stop, ...]`` along ``axis`` (the trailing ellipsis keeps array-api-strict happy)."""
    index: tuple[Any, ...] = (slice(None),) * axis + (slice(start, stop), Ellipsis)
    return spectrum[index]


def _real_bin(spectrum: Array, axis: int, index: int, factor: float, xp: ModuleType) -> Array:
    """``factor * (X[k] + conj(X[k]))`` at one bin: a self-conjugate output bin, real by construction."""
    bin_ = _take_bins(spectrum, axis, index, index + 1)
    return (bin_ + xp.conj(bin_)) * factor


def _fft_resize_axis(x: Array, axis: int, n: int, m: int, nyquist_factor: float, scale: float, xp: ModuleType) -> Array:
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
        parts.append(_take_bins(spectrum, axis, 1, interior + 1))
    if kept_length % 2 == 0:
        parts.append(_real_bin(spectrum, axis, kept_length // 2, nyquist_factor, xp))
    kept = xp.concat(parts, axis=axis) if len(parts) > 1 else parts[0]
    return xp.fft.irfft(kept, n=m, axis=axis) * scale


def _length_scale(norm: str, n: int, m: int) -> float:
    """Per-axis factor on top of the inverse FFT's 1/m: out/in for "amplitude", sqrt(out/in) for "ortho"."""
    return m / n if norm == "amplitude" else math.sqrt(m / n)


# ---------------------------------------------------------------------------------------------------------------
# Public functions.
# ---------------------------------------------------------------------------------------------------------------
def spectral_pool(
    x: Array,
    size: int | tuple[int, ...],
    /,
    *,
    keep: Any = None,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "amplitude",
    nyquist: str = "sum",
    method: str = "auto",
    check_keep: bool = True,
    xp: ModuleType | None = None,
) -> Array:
    """Spectral pooling: keep the lowest DFT frequencies of ``x`` along ``axes`` and resample to ``size``.

    Per axis of length ``n`` pooled to ``m <= n``, the frequencies ``|k| < m/2`` are kept. For an even ``m < n``
    the output's Nyquist bin combines the input's ``+m/2`` and ``-m/2`` bins, by the rule ``nyquist``. The output
    is real by construction, for every odd/even and square/non-square size.

    Parameters
    ----------
    x : array
        Real floating array (float16, bfloat16, float32 or float64) with any leading batch dimensions.
    size : int or tuple of int
        Output length on every axis of ``axes`` (an int), or one per axis (a tuple). ``1 <= size <= n``.
    keep : int, tuple, or integer array, optional
        Frequency dropout fused into the pooling: the result is ``lowpass(spectral_pool(x, size), keep)``, with
        ``keep`` as in :func:`lowpass` (values in ``[1, size]``, per-sample arrays allowed). On the matmul path
        an array ``keep`` selects one precomputed ``(m, n)`` matrix per axis (per sample), so a random band costs
        what pooling costs; the FFT path, and shapes whose table would exceed ``POOL_MASK_TABLE_MAX_ELEMENTS``,
        compose the two functions.
    axes : int or tuple of int, optional
        Axes to pool, default the last two.
    norm : {"amplitude", "ortho"}, optional
        ``"amplitude"`` (default) keeps constants constant, like ``avg_pool``: a scale of ``m/n`` per axis, as
        :func:`scipy.signal.resample`. ``"ortho"`` is the paper's unitary DFT: ``amplitude * sqrt(n/m)`` per axis.
    nyquist : {"sum", "average"}, optional
        ``"sum"`` (default) is the :func:`scipy.signal.resample` rule, ``X[m/2] + X[-m/2]``. With it, pooling then
        upsampling (:func:`spectral_upsample`) is the orthogonal projection onto band-limited maps, i.e. the least
        reconstruction error possible, and upsampling then pooling is the identity: pooling is the pseudo-inverse
        of upsampling. ``"average"`` is the paper's Algorithm 1 ("TreatCornerCases" plus a real part), which, like
        most public code (a centred ``fftshift`` crop keeps only the ``-m/2`` side), takes
        ``(X[m/2] + X[-m/2]) / 2``. Under ``norm="ortho"`` it is exactly the adjoint of upsampling, which is the
        backward pass the paper describes. The two rules differ only for even ``m < n``. Both rules act per axis
        (separably). The literal 2-D recipe (``fftshift(fft2)`` crop then ``.real``) equals ``"average"`` unless
        two pooled axes both have an even output size smaller than the input: then its corner bin
        ``(m1/2, m2/2)`` takes ``(X[+, +] + X[-, -]) / 2`` instead of the mean of the four bins ``X[+-m1/2, +-m2/2]``,
        which is not separable and not the adjoint of upsampling.
    method : {"auto", "matmul", "fft"}, optional
        ``"matmul"`` applies cached real matrices, ``"fft"`` real FFTs; they agree to rounding. ``"auto"`` picks
        matmul up to length ``AUTO_MATMUL_MAX_LENGTH`` (``AUTO_MATMUL_MAX_LENGTH_GPU`` on a GPU, and always for
        half precision), as measured in ``benchmarks/``.
    check_keep : bool, optional
        As in :func:`lowpass`: adapters that draw ``keep`` from a valid range pass ``False``.
    xp : namespace, optional
        Array namespace; inferred from ``x`` by default.

    Returns
    -------
    array
        Same namespace, dtype and device as ``x``; shape of ``x`` with ``axes`` resized. When every size equals the
        input's and ``keep`` is None, ``x`` itself is returned (pooling to the same size is the identity under
        both rules and norms).

    Raises
    ------
    TypeError
        ``x`` is not real floating, or ``size``/``axes`` are not ints.
    ValueError
        A size is < 1 or larger than the input, ``axes`` are out of range or repeated, or an option is unknown.

    Notes
    -----
    Facts that hold per axis (tested): with ``D`` pooling and ``U`` upsampling back, ``D U = I`` and ``U D`` is
    symmetric and idempotent (``nyquist="sum"``). Under ``norm="ortho"`` the rows of ``D`` are orthonormal for odd
    ``m``; for even ``m < n`` the sum rule gives the Nyquist direction a gain of ``sqrt(2)``, so the energy of the
    pooled map can exceed the input's (a cosine at frequency ``m/2`` sampled at its peaks), whereas the
    ``"average"`` rule never increases energy. Pooling ``a -> b -> c`` equals pooling ``a -> c``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> sc.spectral_pool(x, 2)
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> float(sc.spectral_pool(x, 2).mean()) == float(x.mean())
    True
    >>> sc.spectral_pool(x, 2, keep=np.array(1))  # keep only the mean (an array keep may be per sample)
    array([[7.5, 7.5],
           [7.5, 7.5]])
    """
    func = "spectral_pool"
    xp, axes_, method = _prepare(func, x, axes, xp, method)
    v.choice(func, "norm", norm, v.NORMS_POOL)
    v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
    sizes = v.per_axis_sizes(func, "size", size, len(axes_))
    lengths = tuple(x.shape[a] for a in axes_)
    for axis, n, m in zip(axes_, lengths, sizes, strict=True):
        if m > n:
            raise ValueError(
                f"{func}: argument `size` expected an output length <= the input length {n} on axis {axis}, "
                f"received {m}; use spectral_upsample to enlarge"
            )
    method = _resolve_method(method, xp, x, lengths)
    if keep is not None:
        if not isinstance(check_keep, bool):
            raise TypeError(f"{func}: argument `check_keep` expected a bool, received {check_keep!r}")
        # Checked against the pooled sizes: the band is a number of the output's frequencies.
        pooled_shape = tuple(sizes[axes_.index(d)] if d in axes_ else s for d, s in enumerate(x.shape))
        keeps = _normalize_keep(func, keep, axes_, sizes, pooled_shape, xp, check_keep)
        fused = _fused_pool_lowpass(x, axes_, lengths, sizes, keeps, norm, nyquist, method, xp)
        if fused is not None:
            return fused
        pooled = spectral_pool(x, sizes, axes=axes_, norm=norm, nyquist=nyquist, method=method, xp=xp)
        return lowpass(pooled, keeps, axes=axes_, nyquist=nyquist, method=method, check_keep=False, xp=xp)
    device = device_of(x)
    plan = list(zip(axes_, lengths, sizes, strict=True))
    if method == "fft":
        plan.sort(reverse=True)  # shrink along the contiguous last axis first: the strided FFTs then see less data
    for axis, n, m in plan:
        if m == n:
            continue
        if method == "matmul":
            args = (n, m, norm, nyquist)
            mat = mats.cached("pool", args, xp, x.dtype, device)
            mat_t = mats.cached("pool", args, xp, x.dtype, device, transpose=True)
            x = _apply_matrix(x, mat, mat_t, axis, xp)
        else:
            fold = 1.0 if nyquist == "sum" else 0.5  # X[m/2] + X[-m/2], or their mean
            x = _fft_resize_axis(x, axis, n, m, fold, _length_scale(norm, n, m), xp)
    return x


def spectral_upsample(
    x: Array,
    size: int | tuple[int, ...],
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "amplitude",
    method: str = "auto",
    xp: ModuleType | None = None,
) -> Array:
    """Spectral upsampling: zero-pad the DFT of ``x`` along ``axes`` to ``size`` (band-limited interpolation).

    For an even input length ``n`` the Nyquist bin ``X[n/2]`` is split in halves between ``+n/2`` and ``-n/2``,
    so a real map gives the samples of its real trigonometric interpolant. This equals
    :func:`scipy.signal.resample` and is the right inverse of :func:`spectral_pool` (``nyquist="sum"``):
    ``spectral_pool(spectral_upsample(y, n), m) == y``.

    Parameters
    ----------
    x : array
        Real floating array.
    size : int or tuple of int
        Output length per axis, ``>= n``.
    axes, norm, method, xp
        As in :func:`spectral_pool`. ``norm="ortho"`` is ``amplitude * sqrt(n/size)`` per axis, the unitary DFT;
        under it, upsampling is the transpose of ``spectral_pool(..., norm="ortho", nyquist="average")``.

    Returns
    -------
    array
        Same namespace, dtype and device as ``x``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> sc.spectral_upsample(np.array([1.0, -1.0]), 4, axes=-1)
    array([ 1.,  0., -1.,  0.])
    """
    func = "spectral_upsample"
    xp, axes_, method = _prepare(func, x, axes, xp, method)
    v.choice(func, "norm", norm, v.NORMS_POOL)
    sizes = v.per_axis_sizes(func, "size", size, len(axes_))
    lengths = tuple(x.shape[a] for a in axes_)
    for axis, n, m in zip(axes_, lengths, sizes, strict=True):
        if m < n:
            raise ValueError(
                f"{func}: argument `size` expected an output length >= the input length {n} on axis {axis}, "
                f"received {m}; use spectral_pool to shrink"
            )
        if n == 0:
            raise ValueError(f"{func}: argument `x` expected a non-empty axis {axis} to upsample, received length 0")
    method = _resolve_method(method, xp, x, sizes)
    device = device_of(x)
    plan = list(zip(axes_, lengths, sizes, strict=True))
    if method == "fft":
        plan.sort()  # grow along the contiguous last axis last, so the strided FFTs see the smaller data
    for axis, n, m in plan:
        if m == n:
            continue
        if method == "matmul":
            args = (n, m, norm)
            mat = mats.cached("upsample", args, xp, x.dtype, device)
            mat_t = mats.cached("upsample", args, xp, x.dtype, device, transpose=True)
            x = _apply_matrix(x, mat, mat_t, axis, xp)
        else:
            x = _fft_resize_axis(x, axis, n, m, 0.25, _length_scale(norm, n, m), xp)
    return x


def lowpass(
    x: Array,
    keep: Any,
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    nyquist: str = "sum",
    method: str = "auto",
    check_keep: bool = True,
    xp: ModuleType | None = None,
) -> Array:
    """Low-pass filter ``x``: keep its ``keep`` lowest frequencies per axis, at the same size.

    Exactly ``spectral_upsample(spectral_pool(x, keep, nyquist=nyquist), n)`` (any ``norm``: the scales cancel).
    Under ``nyquist="sum"`` it is the orthogonal projection onto maps band-limited to ``keep`` (symmetric and
    idempotent), and ``keep = 1, 2, ..., n`` are nested. It is the building block of frequency dropout; drawing
    ``keep`` at random belongs to the framework adapters, since the array API has no random numbers.

    Parameters
    ----------
    x : array
        Real floating array.
    keep : int, tuple, or integer array
        Number of frequencies kept, in ``[1, n]``: an int for every axis, a tuple with one entry per axis, or an
        integer array (alone, or as a tuple entry) broadcastable to the batch shape, i.e. ``x.shape`` with ``axes``
        removed, for per-sample dropout: ``lowpass(x, K)[b] == lowpass(x[b], int(K[b]))``.
    axes, nyquist, method, xp
        As in :func:`spectral_pool`. Per-sample ``keep`` with ``"matmul"`` uses the real Fourier basis and a 0/1
        mask (:func:`real_fourier_basis`, :func:`lowpass_mask_table`); with ``"fft"`` a weighted real spectrum.
    check_keep : bool, optional
        Check that the values of an array ``keep`` lie in ``[1, n]`` (default). Reading them is a device-to-host
        synchronisation on a GPU and cannot be traced by ``torch.compile`` or ``jax.jit``; callers that draw
        ``keep`` themselves from a valid range (the framework adapters) pass ``False``. The check is skipped
        automatically for lazy arrays (JAX tracers). Unchecked out-of-range values give undefined results.

    Returns
    -------
    array
        Same shape, namespace, dtype and device as ``x``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> x = np.array([[1.0, 0.0, -1.0, 0.0], [1.0, -1.0, 1.0, -1.0]])
    >>> sc.lowpass(x, 2, axes=-1)
    array([[ 1.,  0., -1.,  0.],
           [ 0.,  0.,  0.,  0.]])
    >>> sc.lowpass(x, np.array([1, 4]), axes=-1)  # per-sample keep: one per row
    array([[ 0.,  0.,  0.,  0.],
           [ 1., -1.,  1., -1.]])
    """
    func = "lowpass"
    xp, axes_, method = _prepare(func, x, axes, xp, method)
    v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
    lengths = tuple(x.shape[a] for a in axes_)
    if not isinstance(check_keep, bool):
        raise TypeError(f"{func}: argument `check_keep` expected a bool, received {check_keep!r}")
    keeps = _normalize_keep(func, keep, axes_, lengths, tuple(x.shape), xp, check_keep)
    method = _resolve_method(method, xp, x, lengths)
    device = device_of(x)
    batch_shape = tuple(s for d, s in enumerate(x.shape) if d not in axes_)
    for axis, n, k in zip(axes_, lengths, keeps, strict=True):
        if isinstance(k, int):
            if k == n:
                continue
            if method == "matmul":
                args = (n, k, nyquist)
                mat = mats.cached("lowpass", args, xp, x.dtype, device)
                mat_t = mats.cached("lowpass", args, xp, x.dtype, device, transpose=True)
                x = _apply_matrix(x, mat, mat_t, axis, xp)
            else:
                table = mats.cached("rfftw", (n, nyquist), xp, x.dtype, device)
                shape = _broadcast_shape(x.ndim, axis, n // 2 + 1)
                a = xp.reshape(table[0, k - 1, :], shape)
                b = xp.reshape(table[1, k - 1, :], shape)
                x = _fft_lowpass_axis(x, axis, n, a, b, xp)
            continue
        # Per-sample keep: one row of weights per sample, laid out to broadcast against x (or its spectrum).
        index = xp.reshape(xp.broadcast_to(k, batch_shape), (-1,)) - 1
        if method == "matmul":
            basis = mats.cached("basis", (n,), xp, x.dtype, device)
            basis_t = mats.cached("basis", (n,), xp, x.dtype, device, transpose=True)
            table = mats.cached("masktable", (n, nyquist), xp, x.dtype, device)
            weights = _per_sample_rows(table, index, x.shape, axes_, axis, xp)
            coefficients = _apply_matrix(x, basis_t, basis, axis, xp)  # analysis: Q^T x
            x = _apply_matrix(coefficients * weights, basis, basis_t, axis, xp)  # synthesis: Q (mask * c)
        else:
            table = mats.cached("rfftw", (n, nyquist), xp, x.dtype, device)
            a = _per_sample_rows(table[0, ...], index, x.shape, axes_, axis, xp)
            b = _per_sample_rows(table[1, ...], index, x.shape, axes_, axis, xp)
            x = _fft_lowpass_axis(x, axis, n, a, b, xp)
    return x


# ---------------------------------------------------------------------------------------------------------------
# Helpers of the public functions.
# ---------------------------------------------------------------------------------------------------------------
def _fused_pool_lowpass(
    x: Array,
    axes: tuple[int, ...],
    lengths: tuple[int, ...],
    sizes: tuple[int, ...],
    keeps: tuple[Any, ...],
    norm: str,
    nyquist: str,
    method: str,
    xp: ModuleType,
) -> Array | None:
    """``lowpass(spectral_pool(x, sizes), keeps)`` as one matrix per axis, or None where that does not apply.

    Each axis multiplies by slice ``keep - 1`` of the cached table ``L_keep D`` (see ``_pool_mask_table_flat``);
    a per-sample ``keep`` gathers one slice per sample and multiplies them as a batch, which needs the pooled
    axes to be the trailing ones (one or two) so that the matrices broadcast against the batch dimensions.
    """
    if method != "matmul" or any(m * m * n > POOL_MASK_TABLE_MAX_ELEMENTS for n, m in zip(lengths, sizes, strict=True)):
        return None
    per_sample = any(not isinstance(k, int) and k.ndim > 0 for k in keeps)
    trailing = tuple(range(x.ndim - len(axes), x.ndim))
    if per_sample and (len(axes) > 2 or tuple(sorted(axes)) != trailing):
        return None
    device = device_of(x)
    for axis, n, m, k in zip(axes, lengths, sizes, keeps, strict=True):
        if isinstance(k, int) and k == m == n:
            continue
        table = mats.cached("poolmask", (n, m, norm, nyquist), xp, x.dtype, device)
        if isinstance(k, int):
            matrix = table[k - 1, ...]
        else:
            picked = xp.take(table, xp.reshape(k, (-1,)) - 1, axis=0)
            matrix = xp.reshape(picked, (*k.shape, m, n))
        if matrix.ndim == 2:
            x = _apply_matrix(x, matrix, xp.permute_dims(matrix, (1, 0)), axis, xp)
        elif axis == x.ndim - 1 and len(axes) == 2:
            x = xp.matmul(x, xp.matrix_transpose(matrix))  # (..., h, n) @ (k..., n, m)
        elif axis == x.ndim - 1:
            x = xp.matmul(x[..., None, :], xp.matrix_transpose(matrix))[..., 0, :]  # a row vector per sample
        else:
            x = xp.matmul(matrix, x)  # (k..., m, n) @ (..., n, w)
    return x


def _per_sample_rows(
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


def _normalize_keep(
    func: str,
    keep: Any,
    axes: tuple[int, ...],
    lengths: tuple[int, ...],
    shape: tuple[int, ...],
    xp: ModuleType,
    check: bool,
) -> tuple[Any, ...]:
    """One entry per axis: a Python int, or an integer array broadcastable to the batch shape."""
    if isinstance(keep, (tuple, list)):
        if len(keep) != len(axes):
            raise ValueError(
                f"{func}: argument `keep` expected an int, an integer array, or a tuple of {len(axes)} of them "
                f"(one per axis), received a sequence of length {len(keep)}"
            )
        entries = tuple(keep)
    else:
        entries = (keep,) * len(axes)
    batch_shape = tuple(s for d, s in enumerate(shape) if d not in axes)
    result: list[Any] = []
    for axis, n, k in zip(axes, lengths, entries, strict=True):
        if not isinstance(k, numbers.Integral) and hasattr(k, "shape") and hasattr(k, "dtype"):
            result.append(_check_keep_array(func, k, axis, n, batch_shape, xp, check))
            continue
        value = v.positive_int(func, "keep", k)
        if value > n:
            raise ValueError(f"{func}: argument `keep` expected an int in [1, {n}] on axis {axis}, received {value}")
        result.append(value)
    return tuple(result)


def _check_keep_array(
    func: str, k: Array, axis: int, n: int, batch_shape: tuple[int, ...], xp: ModuleType, check: bool
) -> Array:
    k_xp = array_namespace(k)
    if k_xp is not xp:
        raise TypeError(f"{func}: argument `keep` expected an array of the same library as `x`, received {type(k)}")
    if not xp.isdtype(k.dtype, "integral"):
        raise TypeError(f"{func}: argument `keep` expected an integer array, received dtype {k.dtype}")
    if k.ndim > len(batch_shape):
        raise ValueError(
            f"{func}: argument `keep` expected an array broadcastable to the batch shape {batch_shape} "
            f"(x.shape without axes), received shape {tuple(k.shape)}"
        )
    for ks, bs in zip(reversed(tuple(k.shape)), reversed(batch_shape), strict=False):
        if ks not in (1, bs):
            raise ValueError(
                f"{func}: argument `keep` expected an array broadcastable to the batch shape {batch_shape} "
                f"(x.shape without axes), received shape {tuple(k.shape)}"
            )
    if check and not is_lazy(k) and math.prod(k.shape) != 0 and bool(xp.any((k < 1) | (k > n))):
        low, high = int(xp.min(k)), int(xp.max(k))
        raise ValueError(
            f"{func}: argument `keep` expected values in [1, {n}] on axis {axis}, received values in [{low}, {high}]"
        )
    wanted = index_dtype(xp)  # what `take` accepts everywhere (torch rejects uint8 and int16 indices)
    return xp.astype(k, wanted) if k.dtype != wanted else k
