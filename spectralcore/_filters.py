"""Spectral parameterization of convolution filters: a real kernel <-> exactly ``prod(k)`` real DFT parameters.

The paper learns each ``k x k`` filter as its DFT coefficients under the Hermitian constraint. Public code often
stores ``2 k^2`` reals (real and imaginary parts of every bin) and throws the non-Hermitian half away with
``.real``; here the parameters are exactly the independent real numbers, packed in an array of the kernel's shape,
for kernels of 1, 2 or 3 axes, and the maps both ways are exact real matrices (:func:`filter_basis_matrix`). The
layout is described in ``spectralcore._filter_layout``.

Complex kernels (complex-valued networks) are accepted by :func:`spatial_to_spectral` and
:func:`spectral_to_spatial`: the maps are real-linear, so they act on the real and imaginary parts alike (the
complex-linear extension, unitary under ``"ortho"``; the parameters are then complex, ``prod(k)`` of them).
:func:`spectral_to_complex` is for real parameters only: its point is the exactly Hermitian spectrum of a real
kernel, and a complex kernel's spectrum is just ``fftn`` of it.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from . import _methods
from . import _validation as v
from ._cache import cached, index_array, values_array
from ._compat import array_namespace, device_of, has_fast_half, is_compiling, itemsize, namespace_from_module
from ._filter_layout import Plan, analysis_plan, filter_basis_flat, synthesis_plans
from ._plans import _UNCACHEABLE, _argument_key

Array = Any

__all__ = ["filter_basis_matrix", "spatial_to_spectral", "spectral_to_complex", "spectral_to_spatial"]

_AXIS_NAMES = {1: ("k",), 2: ("kh", "kw"), 3: ("kd", "kh", "kw")}


def _kernel_axes(func: str, axes: object, x: Array) -> tuple[int, ...]:
    axes_ = v.normalize_axes(func, axes, x.ndim)
    if not 1 <= len(axes_) <= 3:
        raise ValueError(f"{func}: argument `axes` expected 1, 2 or 3 kernel axes, received {axes!r}")
    sizes = tuple(x.shape[a] for a in axes_)
    if 0 in sizes:
        raise ValueError(f"{func}: expected a kernel of at least 1 along each of the axes {axes_}, received {sizes}")
    return axes_


def _filter_method(method: str, xp: ModuleType, x: Array, count: int) -> str:
    """``"auto"`` for the filter maps: the dense basis up to ``AUTO_FILTER_MATMUL_MAX_SIZE`` kernel entries."""
    if method != "auto":
        return method
    if not _methods.is_full_precision(xp, x.dtype) and has_fast_half(xp, device_of(x), x.dtype):
        return "matmul"
    return "matmul" if count <= _methods.AUTO_FILTER_MATMUL_MAX_SIZE else "fft"


_PREPARED: dict[tuple[Any, ...], tuple[tuple[int, ...], tuple[int, ...], str]] = {}
_PREPARED_SIZE = 256


def _prepared(
    func: str, x: Array, xp: ModuleType, device: Any, axes: object, norm: object, inverse: bool, method: object
) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """``(axes, kernel shape, method)`` of a call, checked once per input shape, dtype, device and options.

    The adapters map their kernels on every forward pass, so the checks (a few microseconds of ``isdtype`` and
    friends) are paid once, like the pooling functions' plans; while ``torch.compile`` traces, nothing is cached.
    """
    keys = (_argument_key(axes), _argument_key(norm), _argument_key(method))
    key = None
    if _UNCACHEABLE not in keys and not is_compiling():
        key = (func, xp.__name__, tuple(x.shape), str(x.dtype), str(device), *keys)
        hit = _PREPARED.get(key)
        if hit is not None:
            return hit
    v.floating_array(func, "w" if inverse else "theta", x, xp)
    v.choice(func, "norm", norm, v.NORMS_FILTER)
    v.choice(func, "method", method, v.METHODS)
    axes_ = _kernel_axes(func, axes, x)
    shape = tuple(x.shape[a] for a in axes_)
    prepared = axes_, shape, _filter_method(str(method), xp, x, math.prod(shape))
    if key is not None:
        if len(_PREPARED) >= _PREPARED_SIZE:
            _PREPARED.clear()
        _PREPARED[key] = prepared
    return prepared


def _map(func: str, x: Array, axes: object, norm: str, inverse: bool, method: str, xp: ModuleType | None) -> Array:
    xp = array_namespace(x, xp=xp)
    device = device_of(x)
    axes_, shape, method = _prepared(func, x, xp, device, axes, norm, inverse, method)
    is_complex = x.dtype in (xp.complex64, xp.complex128)
    if math.prod(x.shape) == 0:
        # Nothing to transform, and some FFT backends fail on zero-size arrays. `x * 0` keeps the autograd graph.
        return x * 0
    if is_complex:
        real_dtype = xp.float32 if x.dtype == xp.complex64 else xp.float64
        real = _real_map(xp.real(x), axes_, shape, norm, inverse, method, xp, real_dtype, device)
        imag = _real_map(xp.imag(x), axes_, shape, norm, inverse, method, xp, real_dtype, device)
        unit = values_array((1j,), xp, x.dtype, device)
        return xp.astype(real, x.dtype) + xp.astype(imag, x.dtype) * unit
    compute = _methods.compute_dtype(xp, x.dtype, device, method)
    if compute != x.dtype:  # half precision without fast half kernels: computed in float32, rounded once
        return xp.astype(
            _real_map(xp.astype(x, compute), axes_, shape, norm, inverse, method, xp, compute, device), x.dtype
        )
    return _real_map(x, axes_, shape, norm, inverse, method, xp, x.dtype, device)


def _real_map(
    x: Array,
    axes: tuple[int, ...],
    shape: tuple[int, ...],
    norm: str,
    inverse: bool,
    method: str,
    xp: ModuleType,
    dtype: Any,
    device: Any,
) -> Array:
    """The map on a real array of the compute dtype: kernel axes moved last, one GEMM or an FFT, moved back."""
    count = len(shape)
    last = tuple(range(-count, 0))
    in_place = axes == tuple(range(x.ndim - count, x.ndim))  # kernel axes already last (the usual layout)
    moved = x if in_place else xp.moveaxis(x, axes, last)
    batch = tuple(moved.shape[:-count])
    size = math.prod(shape)
    if method == "matmul":
        # The transpose of the matrix is built directly, so the product is one GEMM over a (..., prod(k)) view.
        matrix_t = cached(filter_basis_flat, (shape, norm, inverse), xp, dtype, device, transpose=True)
        out = xp.reshape(xp.reshape(moved, (*batch, size)) @ matrix_t, (*batch, *shape))
    elif inverse:  # w -> theta: gather the independent parts of the DFT from the rfftn half-space
        half = xp.fft.rfftn(moved, axes=last, norm=norm)
        spectrum = xp.reshape(half, (*batch, size // shape[-1] * (shape[-1] // 2 + 1)))
        plan = analysis_plan(shape, norm)
        out = xp.reshape(_gather_pair(xp.real(spectrum), xp.imag(spectrum), plan, xp, dtype, device), moved.shape)
    else:  # theta -> w: the exactly Hermitian half-space, inverted by a real FFT with explicit lengths
        spectrum = _complex_from_moved(moved, shape, norm, xp, device)
        out = xp.fft.irfftn(spectrum[..., : shape[-1] // 2 + 1], s=shape, axes=last, norm=norm)
    return out if in_place else xp.moveaxis(out, last, axes)


def spatial_to_spectral(
    w: Array,
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "ortho",
    method: str = "auto",
    xp: ModuleType | None = None,
) -> Array:
    """Spectral parameters ``theta`` of kernels ``w``: same shape, exactly ``prod(k)`` reals per real kernel.

    ``theta`` holds the independent real and imaginary parts of ``C = fftn(w, axes=axes, norm=norm)``: the rfftn
    half-space minus what Hermitian symmetry duplicates. The real part of each canonical bin ``u`` sits at
    ``theta[u]`` and its imaginary part at the mirror position ``theta[-u]``; self-conjugate bins (every index 0
    or ``k/2``) are real and sit in place. For two axes the canonical bins are the columns ``0 < v < kw/2`` and
    the rows ``0 < u < kh/2`` of column 0 and, for even ``kw``, of the Nyquist column; for 1 and 3 axes the same
    rule is applied from the last axis backwards (see ``spectralcore._filter_layout``).

    Parameters
    ----------
    w : array
        Floating kernels, e.g. ``(out_channels, in_channels, kh, kw)``. Complex kernels are mapped part by part
        (the complex-linear extension of the real map).
    axes : int or tuple of 1, 2 or 3 ints, optional
        Kernel axes, default the last two (``-1`` for 1-D kernels, ``(-3, -2, -1)`` for 3-D ones).
    norm : {"ortho", "backward", "forward"}, optional
        ``"ortho"`` (default): unitary DFT and paired bins scaled by ``sqrt(2)``, so the map is orthogonal:
        ``||theta|| == ||w||`` (weight decay is the same in both parameterizations) and plain SGD follows the same
        trajectory in both; only adaptive optimizers such as Adam differ, which is the paper's point.
        ``"backward"``/``"forward"``: ``theta`` holds the raw real and imaginary parts of
        ``numpy.fft.fftn(w, norm=...)`` (no ``sqrt(2)``), which is not orthogonal.
    method : {"auto", "matmul", "fft"}, optional
        ``"matmul"`` applies the exact ``(prod(k), prod(k))`` basis matrix (:func:`filter_basis_matrix`); ``"fft"``
        gathers from an FFT. ``"auto"`` uses matmul up to ``AUTO_FILTER_MATMUL_MAX_SIZE`` kernel entries.
    xp : namespace, optional
        Array namespace; inferred from ``w`` by default.

    Returns
    -------
    array
        ``theta``, same shape, namespace, dtype and device as ``w``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> w = np.arange(9.0).reshape(3, 3)
    >>> theta = sc.spatial_to_spectral(w)
    >>> bool(np.allclose(sc.spectral_to_spatial(theta), w))
    True
    >>> bool(np.isclose(np.linalg.norm(theta), np.linalg.norm(w)))
    True
    >>> w3 = np.random.default_rng(0).standard_normal((4, 3, 3, 3))  # 3-D kernels: 27 reals each
    >>> bool(np.allclose(sc.spectral_to_spatial(sc.spatial_to_spectral(w3, axes=(1, 2, 3)), axes=(1, 2, 3)), w3))
    True
    """
    return _map("spatial_to_spectral", w, axes, norm, True, method, xp)


def spectral_to_spatial(
    theta: Array,
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "ortho",
    method: str = "auto",
    xp: ModuleType | None = None,
) -> Array:
    """Kernels from spectral parameters: the inverse of :func:`spatial_to_spectral`.

    Every real ``theta`` of the kernel's shape is valid (the map is a bijection of ``R^prod(k)``), so an optimizer
    can update ``theta`` freely and the kernel stays real without any projection.

    Parameters
    ----------
    theta : array
        Floating parameters, e.g. ``(out_channels, in_channels, kh, kw)`` (complex ones give complex kernels).
    axes, norm, method, xp
        As in :func:`spatial_to_spectral`.

    Returns
    -------
    array
        The spatial kernels ``w``, same shape, namespace, dtype and device as ``theta``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> theta = np.zeros((3, 3))
    >>> theta[0, 0] = 3.0  # only the DC coefficient (unitary DFT)
    >>> sc.spectral_to_spatial(theta)
    array([[1., 1., 1.],
           [1., 1., 1.],
           [1., 1., 1.]])
    """
    return _map("spectral_to_spatial", theta, axes, norm, False, method, xp)


def spectral_to_complex(
    theta: Array,
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "ortho",
    xp: ModuleType | None = None,
) -> Array:
    """View real spectral parameters as the full complex DFT ``C = fftn(spectral_to_spatial(theta), axes, norm)``.

    Built by gathering, not by an FFT, so ``C`` is exactly Hermitian: ``C[u] == conj(C[-u])`` bit for bit on every
    kernel axis, with exactly real self-conjugate bins. Useful to inspect the frequency content (sparsity) of
    filters.

    Parameters
    ----------
    theta : array
        Real floating parameters (float32 or float64).
    axes, norm, xp
        As in :func:`spatial_to_spectral`.

    Returns
    -------
    array
        Complex array (complex64 for float32, complex128 for float64) of ``theta``'s shape.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> w = np.random.default_rng(0).normal(size=(4, 5))
    >>> C = sc.spectral_to_complex(sc.spatial_to_spectral(w))
    >>> bool(np.allclose(C, np.fft.fft2(w, norm="ortho")))
    True
    """
    func = "spectral_to_complex"
    xp = array_namespace(theta, xp=xp)
    v.real_float_array(func, "theta", theta, xp)
    v.choice(func, "norm", norm, v.NORMS_FILTER)
    if theta.dtype not in (xp.float32, xp.float64):
        raise TypeError(f"{func}: argument `theta` expected float32 or float64, received dtype {theta.dtype}")
    axes_ = _kernel_axes(func, axes, theta)
    shape = tuple(theta.shape[a] for a in axes_)
    last = tuple(range(-len(shape), 0))
    moved = xp.moveaxis(theta, axes_, last)
    c = _complex_from_moved(moved, shape, norm, xp, device_of(theta))
    return xp.moveaxis(c, last, axes_)


def _complex_from_moved(moved: Array, shape: tuple[int, ...], norm: str, xp: ModuleType, device: Any) -> Array:
    """Full complex DFT from parameters whose kernel axes are last; exactly Hermitian by construction."""
    batch = tuple(moved.shape[: moved.ndim - len(shape)])
    flat = xp.reshape(moved, (*batch, math.prod(shape)))
    real_plan, imag_plan = synthesis_plans(shape, norm)
    real = _gather_pair(flat, flat, real_plan, xp, moved.dtype, device)
    imag = _gather_pair(flat, flat, imag_plan, xp, moved.dtype, device)
    complex_dtype = xp.complex64 if moved.dtype == xp.float32 else xp.complex128
    unit = values_array((1j,), xp, complex_dtype, device)
    c = xp.astype(real, complex_dtype) + xp.astype(imag, complex_dtype) * unit
    return xp.reshape(c, (*batch, *shape))


def _gather_pair(a: Array, b: Array, plan: Plan, xp: ModuleType, dtype: Any, device: Any) -> Array:
    src_a, fa, src_b, fb = plan
    index_a = index_array(src_a, xp, device)
    index_b = index_array(src_b, xp, device)
    factor_a = values_array(fa, xp, dtype, device)
    factor_b = values_array(fb, xp, dtype, device)
    return xp.take(a, index_a, axis=-1) * factor_a + xp.take(b, index_b, axis=-1) * factor_b


def filter_basis_matrix(
    *kernel_shape: int,
    norm: str = "ortho",
    inverse: bool = False,
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(K, K)`` matrix ``B`` of the spectral filter parameterization, ``K = prod(kernel_shape)``.

    ``w.ravel() = B @ theta.ravel()`` for one kernel of shape ``kernel_shape`` (1, 2 or 3 sizes), where ``theta``
    packs the independent real and imaginary parts of ``fftn(w, norm=norm)`` in an array of the kernel's own shape
    (see :func:`spatial_to_spectral`). Under ``norm="ortho"`` paired bins carry a ``sqrt(2)`` and ``B`` is
    orthogonal. ``inverse=True`` returns ``B^{-1}`` (``theta.ravel() = B^{-1} w.ravel()``).

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> B = sc.filter_basis_matrix(3, 3, xp=np)
    >>> bool(np.allclose(B.T @ B, np.eye(9)))
    True
    >>> sc.filter_basis_matrix(3, 3, 3, xp=np).shape  # a 3-D kernel
    (27, 27)
    """
    func = "filter_basis_matrix"
    if not 1 <= len(kernel_shape) <= 3:
        raise ValueError(f"{func}: expected 1, 2 or 3 kernel sizes, received {kernel_shape!r}")
    names = _AXIS_NAMES[len(kernel_shape)]
    shape = tuple(v.positive_int(func, name, k) for name, k in zip(names, kernel_shape, strict=True))
    v.choice(func, "norm", norm, v.NORMS_FILTER)
    v.boolean(func, "inverse", inverse)
    if xp is None:
        raise TypeError(f"{func}: argument `xp` is required (an array namespace such as numpy or torch)")
    ns = namespace_from_module(xp)
    dtype = ns.float64 if dtype is None else dtype
    count = math.prod(shape)
    received = ", ".join(f"{name}={k}" for name, k in zip(names, shape, strict=True))
    _methods.check_matrix(func, names[-1], (count, count), itemsize(ns, dtype), received)
    return cached(filter_basis_flat, (shape, norm, inverse), ns, dtype, device)
