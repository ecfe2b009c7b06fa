"""Spectral pooling, upsampling, resizing and low-pass filtering as functions of arrays.

Two exact methods compute the same linear maps (they agree to rounding):

* ``"matmul"`` applies the cached real per-axis matrices (one matmul per axis);
* ``"fft"`` runs real FFTs per axis (of the mirror extension, for the cosine basis), keeps or reweights their bins
  and inverts them with an explicit length.

Each call looks its plan up (:mod:`spectralcore._plans`): the arguments are validated, the method resolved and the
matrices fetched once per input shape, dtype, device and options. Real input gives real output by construction;
complex input is transformed part by part (the operators are real, hence complex-linear).
"""

from __future__ import annotations

import math
import numbers
from types import ModuleType
from typing import Any

from . import _validation as v
from ._compat import array_namespace, device_of, index_dtype, is_lazy
from ._methods import (  # noqa: F401 (re-exported for the benchmarks, which read them from here)
    AUTO_MATMUL_MAX_LENGTH,
    AUTO_MATMUL_MAX_LENGTH_GPU,
    AUTO_MATMUL_MAX_LENGTH_NUMPY,
    POOL_MASK_TABLE_MAX_ELEMENTS,
)
from ._methods import _resolve as _resolve_method  # noqa: F401 (the benchmarks' name for resolve_method)
from ._plans import cached_plan

Array = Any

__all__ = ["lowpass", "spectral_pool", "spectral_resize", "spectral_upsample"]


def _plan_for(func: str, kind: str, x: Array, xp: ModuleType | None, size: object, **options: object) -> Any:
    xp = array_namespace(x, xp=xp)
    return xp, cached_plan(
        func,
        kind,
        x,
        xp,
        device_of(x),
        size,
        options["axes"],
        options.get("norm", "amplitude"),
        options.get("nyquist", "sum"),
        options["boundary"],
        options["method"],
    )


def spectral_pool(
    x: Array,
    size: int | tuple[int, ...],
    /,
    *,
    keep: Any = None,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "amplitude",
    nyquist: str = "sum",
    boundary: str = "periodic",
    method: str = "auto",
    check_keep: bool = True,
    xp: ModuleType | None = None,
) -> Array:
    """Spectral pooling: keep the lowest frequencies of ``x`` along ``axes`` and resample to ``size``.

    Per axis of length ``n`` pooled to ``m <= n``, the frequencies ``|k| < m/2`` are kept. For an even ``m < n``
    the output's Nyquist bin combines the input's ``+m/2`` and ``-m/2`` bins, by the rule ``nyquist``. The output
    is real by construction for real input, for every odd/even and square/non-square size.

    Parameters
    ----------
    x : array
        Real or complex floating array (float16, bfloat16, float32, float64, complex64 or complex128) with any
        leading batch dimensions. Complex input is pooled part by part: the same rules act on the real and
        imaginary parts alike.
    size : int or tuple of int
        Output length on every axis of ``axes`` (an int), or one per axis (a tuple). ``1 <= size <= n``.
    keep : int, tuple, or integer array, optional
        Frequency dropout fused into the pooling: the result is ``lowpass(spectral_pool(x, size), keep)``, with
        ``keep`` as in :func:`lowpass` (values in ``[1, size]``, per-sample arrays allowed). On the matmul path
        an array ``keep`` selects one precomputed ``(m, n)`` matrix per axis (per sample,
        :func:`pool_dropout_table`), so a random band costs what pooling costs, and an int ``keep`` well below
        ``size`` is applied as two thin products (the band has rank ``keep``); axes whose table would exceed
        ``POOL_MASK_TABLE_MAX_ELEMENTS``, and the FFT path, compose the two operators.
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
    boundary : {"periodic", "symmetric"}, optional
        ``"periodic"`` (default): the DFT, which treats the map as periodic (a jump at the edges costs high
        frequencies). ``"symmetric"``: the cosine basis (DCT-II) of the map extended by mirror symmetry (NumPy's pad
        mode ``"symmetric"``), which has no jump at the edges: pooling keeps the lowest ``m`` DCT-II coefficients
        (:func:`scipy.fft.dct`, type 2, ``norm="ortho"``, cropped). There is no Nyquist case there (each coefficient
        is a real cosine of its own), so ``nyquist`` must stay ``"sum"``; ``"amplitude"`` keeps constants and under
        ``"ortho"`` the rows are orthonormal (pooling then upsampling is the orthogonal projection, upsampling then
        pooling the identity).
    method : {"auto", "matmul", "fft"}, optional
        ``"matmul"`` applies cached real matrices, ``"fft"`` real FFTs; they agree to rounding. ``"auto"`` picks
        by :func:`resolve_method`: matmul up to length ``AUTO_MATMUL_MAX_LENGTH`` on a CPU
        (``AUTO_MATMUL_MAX_LENGTH_GPU`` on a GPU), as measured in ``benchmarks/``. Half precision is computed in
        float32 (and rounded back) on the FFT path and wherever there are no fast half GEMMs (every CPU).
    check_keep : bool, optional
        As in :func:`lowpass`: adapters that draw ``keep`` from a valid range pass ``False``.
    xp : namespace, optional
        Array namespace; inferred from ``x`` by default.

    Returns
    -------
    array
        Same namespace, dtype and device as ``x``; shape of ``x`` with ``axes`` resized. When every size equals the
        input's and ``keep`` is None, ``x`` itself is returned (pooling to the same size is the identity under
        both rules, norms and boundaries).

    Raises
    ------
    TypeError
        ``x`` is not floating, or ``size``/``axes`` are not ints.
    ValueError
        A size is < 1 or larger than the input, ``axes`` are out of range or repeated, an option is unknown,
        ``nyquist="average"`` is combined with ``boundary="symmetric"``, the output would exceed
        ``MAX_OUTPUT_BYTES``, or (matmul) an operator matrix would exceed ``MAX_MATRIX_ELEMENTS``.

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
    >>> np.round(sc.spectral_pool(x, 2, boundary="symmetric"), 4)  # the lowest 2 x 2 DCT-II coefficients
    array([[ 1.9239,  4.1543],
           [10.8457, 13.0761]])
    """
    func = "spectral_pool"
    xp, plan = _plan_for(
        func, "pool", x, xp, size, axes=axes, norm=norm, nyquist=nyquist, boundary=boundary, method=method
    )
    if keep is None:
        return plan.run(x, None)
    v.boolean(func, "check_keep", check_keep)
    # Checked against the pooled sizes: the band is a number of the output's frequencies.
    keeps = _normalize_keep(func, keep, plan.axes, plan.sizes, plan.input_shape, xp, check_keep)
    return plan.run(x, keeps)


def spectral_upsample(
    x: Array,
    size: int | tuple[int, ...],
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "amplitude",
    boundary: str = "periodic",
    method: str = "auto",
    xp: ModuleType | None = None,
) -> Array:
    """Spectral upsampling: zero-pad the spectrum of ``x`` along ``axes`` to ``size`` (band-limited interpolation).

    For an even input length ``n`` the Nyquist bin ``X[n/2]`` is split in halves between ``+n/2`` and ``-n/2``,
    so a real map gives the samples of its real trigonometric interpolant. This equals
    :func:`scipy.signal.resample` and is the right inverse of :func:`spectral_pool` (``nyquist="sum"``):
    ``spectral_pool(spectral_upsample(y, n), m) == y``. With ``boundary="symmetric"`` the DCT-II coefficients are
    zero-padded instead (no Nyquist case; the right inverse of symmetric pooling, and its transpose under
    ``"ortho"``).

    Parameters
    ----------
    x : array
        Real or complex floating array.
    size : int or tuple of int
        Output length per axis, ``>= n``.
    axes, norm, boundary, method, xp
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
    _, plan = _plan_for(func, "upsample", x, xp, size, axes=axes, norm=norm, boundary=boundary, method=method)
    return plan.run(x, None)


def spectral_resize(
    x: Array,
    size: int | tuple[int, ...],
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "amplitude",
    nyquist: str = "sum",
    boundary: str = "periodic",
    method: str = "auto",
    xp: ModuleType | None = None,
) -> Array:
    """Spectral resizing: each axis of ``axes`` to its own length, smaller, equal or larger, in one call.

    Per axis, :func:`spectral_pool` where ``size < n`` (with the rule ``nyquist``), :func:`spectral_upsample` where
    ``size > n``, nothing where they are equal. Periodic with ``norm="amplitude"`` this is
    :func:`scipy.signal.resample` applied axis by axis. Its matrix is :func:`resize_matrix`.

    Parameters
    ----------
    x : array
        Real or complex floating array.
    size : int or tuple of int
        Output length per axis, any ``>= 1``.
    axes, norm, nyquist, boundary, method, xp
        As in :func:`spectral_pool`.

    Returns
    -------
    array
        Same namespace, dtype and device as ``x``; shape of ``x`` with ``axes`` resized.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> x = np.random.default_rng(0).standard_normal((6, 4))
    >>> sc.spectral_resize(x, (3, 8)).shape
    (3, 8)
    >>> bool(np.allclose(sc.spectral_resize(x, (3, 8)), sc.spectral_upsample(sc.spectral_pool(x, (3, 4)), (3, 8))))
    True
    """
    func = "spectral_resize"
    _, plan = _plan_for(
        func, "resize", x, xp, size, axes=axes, norm=norm, nyquist=nyquist, boundary=boundary, method=method
    )
    return plan.run(x, None)


def lowpass(
    x: Array,
    keep: Any,
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    nyquist: str = "sum",
    boundary: str = "periodic",
    method: str = "auto",
    check_keep: bool = True,
    xp: ModuleType | None = None,
) -> Array:
    """Low-pass filter ``x``: keep its ``keep`` lowest frequencies per axis, at the same size.

    Exactly ``spectral_upsample(spectral_pool(x, keep, nyquist=nyquist), n)`` (any ``norm``: the scales cancel).
    Under ``nyquist="sum"`` (and always for ``boundary="symmetric"``) it is the orthogonal projection onto maps
    band-limited to ``keep`` (symmetric and idempotent), and ``keep = 1, 2, ..., n`` are nested. It is the building
    block of frequency dropout; drawing ``keep`` at random belongs to the framework adapters, since the array API
    has no random numbers.

    Parameters
    ----------
    x : array
        Real or complex floating array.
    keep : int, tuple, or integer array
        Number of frequencies kept, in ``[1, n]``: an int for every axis, a tuple with one entry per axis, or an
        integer array (alone, or as a tuple entry) broadcastable to the batch shape, i.e. ``x.shape`` with ``axes``
        removed, for per-sample dropout: ``lowpass(x, K)[b] == lowpass(x[b], int(K[b]))``.
    axes, nyquist, boundary, method, xp
        As in :func:`spectral_pool`. An int ``keep`` well below ``n`` is applied as two thin products on the matmul
        path; an array ``keep`` gathers one matrix per sample (:func:`pool_dropout_table` with ``m == n``), or uses
        the basis and a mask (:func:`real_fourier_basis`, :func:`lowpass_mask_table`) for large axes; with
        ``"fft"`` a weighted spectrum.
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
    xp, plan = _plan_for(func, "lowpass", x, xp, None, axes=axes, nyquist=nyquist, boundary=boundary, method=method)
    v.boolean(func, "check_keep", check_keep)
    keeps = _normalize_keep(func, keep, plan.axes, plan.lengths, plan.input_shape, xp, check_keep)
    return plan.run(x, keeps)


# ---------------------------------------------------------------------------------------------------------------
# The `keep` argument.
# ---------------------------------------------------------------------------------------------------------------
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
    if array_namespace(k) is not xp:
        raise TypeError(f"{func}: argument `keep` expected an array of the same library as `x`, received {type(k)}")
    if not xp.isdtype(k.dtype, "integral"):
        raise TypeError(f"{func}: argument `keep` expected an integer array, received dtype {k.dtype}")
    broadcastable = k.ndim <= len(batch_shape) and all(
        ks in (1, bs) for ks, bs in zip(reversed(tuple(k.shape)), reversed(batch_shape), strict=False)
    )
    if not broadcastable:
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
