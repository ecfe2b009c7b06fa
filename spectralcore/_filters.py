"""Spectral parameterization of convolution filters: a real kernel <-> exactly ``kh * kw`` real DFT parameters.

The paper learns each ``k x k`` filter as its DFT coefficients under the Hermitian constraint. Public code often
stores ``2 k^2`` reals (real and imaginary parts of every bin) and throws the non-Hermitian half away with
``.real``; here the parameters are exactly the independent real numbers, packed in an array of the kernel's shape,
and the maps both ways are exact real matrices (:func:`spectralcore.filter_basis_matrix`).
"""

from __future__ import annotations

import functools
import math
from types import ModuleType
from typing import Any

from . import _matrices as mats
from . import _validation as v
from ._compat import array_namespace, device_of
from ._methods import AUTO_FILTER_MATMUL_MAX_SIZE

Array = Any

__all__ = ["AUTO_FILTER_MATMUL_MAX_SIZE", "spatial_to_spectral", "spectral_to_complex", "spectral_to_spatial"]


def _map(func: str, x: Array, axes: object, norm: str, inverse: bool, method: str, xp: ModuleType | None) -> Array:
    xp = array_namespace(x, xp=xp)
    v.real_float_array(func, "w" if inverse else "theta", x, xp)
    v.choice(func, "norm", norm, v.NORMS_FILTER)
    v.choice(func, "method", method, v.METHODS)
    axes_ = _kernel_axes(func, axes, x)
    kh, kw = (x.shape[a] for a in axes_)
    if method == "auto":
        half = x.dtype not in (xp.float32, xp.float64)  # no portable half-precision FFT
        method = "matmul" if half or kh * kw <= AUTO_FILTER_MATMUL_MAX_SIZE else "fft"
    if math.prod(x.shape) == 0:
        # Nothing to transform, and some FFT backends fail on zero-size arrays. `x * 0` keeps the autograd graph.
        return x * 0
    moved = xp.moveaxis(x, axes_, (-2, -1))
    batch = tuple(moved.shape[:-2])
    device = device_of(x)
    if method == "matmul":
        # The transpose of the matrix is built directly, so the product is one GEMM over a (..., kh*kw) view.
        matrix_t = mats.cached("filter", (kh, kw, norm, inverse), xp, x.dtype, device, transpose=True)
        out = xp.reshape(xp.reshape(moved, (*batch, kh * kw)) @ matrix_t, (*batch, kh, kw))
    elif inverse:  # w -> theta: gather the independent parts of the DFT
        # Every canonical and self-conjugate bin lies in the rfft half-plane (columns 0..kw//2).
        half = xp.fft.rfftn(moved, axes=(-2, -1), norm=norm)
        spectrum = xp.reshape(half, (*batch, kh * (kw // 2 + 1)))
        plan = _analysis_plan(kh, kw, norm)
        out = xp.reshape(_gather_pair(xp.real(spectrum), xp.imag(spectrum), plan, xp, x.dtype, device), moved.shape)
    else:  # theta -> w: the exactly Hermitian half-plane, inverted by a real FFT with explicit lengths
        spectrum = _complex_from_moved(moved, kh, kw, norm, xp, device)
        out = xp.fft.irfftn(spectrum[..., : kw // 2 + 1], s=(kh, kw), axes=(-2, -1), norm=norm)
    return xp.moveaxis(out, (-2, -1), axes_)


def _kernel_axes(func: str, axes: object, x: Array) -> tuple[int, ...]:
    axes_ = v.normalize_axes(func, axes, x.ndim)
    if len(axes_) != 2:
        raise ValueError(f"{func}: argument `axes` expected two axes (kernel rows, columns), received {axes!r}")
    kh, kw = (x.shape[a] for a in axes_)
    if kh == 0 or kw == 0:
        raise ValueError(f"{func}: expected a kernel of at least 1 x 1 along axes {axes_}, received {kh} x {kw}")
    return axes_


def spatial_to_spectral(
    w: Array,
    /,
    *,
    axes: tuple[int, int] = (-2, -1),
    norm: str = "ortho",
    method: str = "auto",
    xp: ModuleType | None = None,
) -> Array:
    """Spectral parameters ``theta`` of real kernels ``w``: same shape, exactly ``kh * kw`` reals per kernel.

    ``theta`` holds the independent real and imaginary parts of ``C = fftn(w, axes=axes, norm=norm)``: the rfft
    half-plane minus what Hermitian symmetry duplicates. The real part of each canonical bin ``(u, v)`` (columns
    ``0 < v < kw/2``; rows ``0 < u < kh/2`` of column 0 and, for even ``kw``, of the Nyquist column) sits at
    ``theta[u, v]`` and its imaginary part at the mirror position ``theta[-u, -v]``; self-conjugate bins (DC and,
    on even axes, the Nyquist rows/columns at ``0`` or ``k/2``) are real and sit in place.

    Parameters
    ----------
    w : array
        Real floating kernels, e.g. ``(out_channels, in_channels, kh, kw)``.
    axes : tuple of two ints, optional
        Kernel axes, default the last two.
    norm : {"ortho", "backward", "forward"}, optional
        ``"ortho"`` (default): unitary DFT and paired bins scaled by ``sqrt(2)``, so the map is orthogonal:
        ``||theta|| == ||w||`` (weight decay is the same in both parameterizations) and plain SGD follows the same
        trajectory in both; only adaptive optimizers such as Adam differ, which is the paper's point.
        ``"backward"``/``"forward"``: ``theta`` holds the raw real and imaginary parts of
        ``numpy.fft.fftn(w, norm=...)`` (no ``sqrt(2)``), which is not orthogonal.
    method : {"auto", "matmul", "fft"}, optional
        ``"matmul"`` applies the exact ``(kh*kw, kh*kw)`` basis matrix (:func:`spectralcore.filter_basis_matrix`);
        ``"fft"`` gathers from an FFT. ``"auto"`` uses matmul up to ``AUTO_FILTER_MATMUL_MAX_SIZE`` kernel entries.
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
    """
    return _map("spatial_to_spectral", w, axes, norm, True, method, xp)


def spectral_to_spatial(
    theta: Array,
    /,
    *,
    axes: tuple[int, int] = (-2, -1),
    norm: str = "ortho",
    method: str = "auto",
    xp: ModuleType | None = None,
) -> Array:
    """Real kernels from spectral parameters: the inverse of :func:`spatial_to_spectral`.

    Every real ``theta`` of the kernel's shape is valid (the map is a bijection of ``R^(kh*kw)``), so an optimizer
    can update ``theta`` freely and the kernel stays real without any projection.

    Parameters
    ----------
    theta : array
        Real floating parameters, e.g. ``(out_channels, in_channels, kh, kw)``.
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
    axes: tuple[int, int] = (-2, -1),
    norm: str = "ortho",
    xp: ModuleType | None = None,
) -> Array:
    """View spectral parameters as the full complex DFT ``C = fftn(spectral_to_spatial(theta), axes, norm)``.

    Built by gathering, not by an FFT, so ``C`` is exactly Hermitian: ``C[u, v] == conj(C[-u, -v])`` bit for
    bit, with exactly real self-conjugate bins. Useful to inspect the frequency content (sparsity) of filters.

    Parameters
    ----------
    theta : array
        Real floating parameters.
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
    kh, kw = (theta.shape[a] for a in axes_)
    moved = xp.moveaxis(theta, axes_, (-2, -1))
    c = _complex_from_moved(moved, kh, kw, norm, xp, device_of(theta))
    return xp.moveaxis(c, (-2, -1), axes_)


def _complex_from_moved(moved: Array, kh: int, kw: int, norm: str, xp: ModuleType, device: Any) -> Array:
    """Full complex DFT from parameters whose kernel axes are last; exactly Hermitian by construction."""
    batch = tuple(moved.shape[:-2])
    flat = xp.reshape(moved, (*batch, kh * kw))
    real_plan, imag_plan = _synthesis_plans(kh, kw, norm)
    real = _gather_pair(flat, flat, real_plan, xp, moved.dtype, device)
    imag = _gather_pair(flat, flat, imag_plan, xp, moved.dtype, device)
    complex_dtype = xp.complex64 if moved.dtype == xp.float32 else xp.complex128
    unit = xp.asarray(1j, dtype=complex_dtype, device=device)
    c = xp.astype(real, complex_dtype) + xp.astype(imag, complex_dtype) * unit
    return xp.reshape(c, (*batch, kh, kw))


# A gather plan: (sources of a, factors on a, sources of b, factors on b), so that
# out[p] = a[src_a[p]] * fa[p] + b[src_b[p]] * fb[p] along the last axis.
Plan = tuple[tuple[int, ...], tuple[float, ...], tuple[int, ...], tuple[float, ...]]


def _gather_pair(a: Array, b: Array, plan: Plan, xp: ModuleType, dtype: Any, device: Any) -> Array:
    src_a, fa, src_b, fb = plan
    count = len(src_a)
    key = (plan,)  # plans are small tuples of ints and floats: hashable, and a cache key on their own
    index_a = mats.index_array(("a", *key), src_a, xp, device)
    index_b = mats.index_array(("b", *key), src_b, xp, device)
    factor_a = mats.to_array(("fa", *key), lambda: (fa, (count,)), xp, dtype, device)
    factor_b = mats.to_array(("fb", *key), lambda: (fb, (count,)), xp, dtype, device)
    return xp.take(a, index_a, axis=-1) * factor_a + xp.take(b, index_b, axis=-1) * factor_b


@functools.lru_cache(maxsize=128)
def _synthesis_plans(kh: int, kw: int, norm: str) -> tuple[Plan, Plan]:
    """Where each bin's real and imaginary parts come from in ``theta``, and with which factor."""
    layout = mats._filter_layout(kh, kw)
    _, s = mats._filter_scales(norm, kh * kw)
    real: list[tuple[int, float, int, float]] = []
    imag: list[tuple[int, float, int, float]] = []
    for p, (kind, u, col) in enumerate(layout):
        canonical = u * kw + col
        mirror = ((-u) % kh) * kw + (-col) % kw
        if kind == "self":
            real.append((p, 1.0, p, 0.0))
            imag.append((p, 0.0, p, 0.0))
        elif kind == "re":
            real.append((p, 1.0 / s, p, 0.0))
            imag.append((mirror, 1.0 / s, p, 0.0))
        else:  # p is the mirror of `canonical`: C[p] = conj(C[canonical])
            real.append((canonical, 1.0 / s, p, 0.0))
            imag.append((p, -1.0 / s, p, 0.0))
    return _as_plan(real), _as_plan(imag)


@functools.lru_cache(maxsize=128)
def _analysis_plan(kh: int, kw: int, norm: str) -> Plan:
    """``theta[p]`` from the real (``a``) and imaginary (``b``) parts of the flattened rfft half-plane."""
    layout = mats._filter_layout(kh, kw)
    _, s = mats._filter_scales(norm, kh * kw)
    width = kw // 2 + 1
    rows: list[tuple[int, float, int, float]] = []
    for kind, u, col in layout:
        canonical = u * width + col
        if kind == "self":
            rows.append((canonical, 1.0, canonical, 0.0))
        elif kind == "re":
            rows.append((canonical, s, canonical, 0.0))
        else:
            rows.append((canonical, 0.0, canonical, s))
    return _as_plan(rows)


def _as_plan(rows: list[tuple[int, float, int, float]]) -> Plan:
    src_a, fa, src_b, fb = zip(*rows, strict=True)
    return tuple(src_a), tuple(fa), tuple(src_b), tuple(fb)
