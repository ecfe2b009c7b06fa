"""The per-axis operators as exact real matrices, in the caller's namespace, dtype and device (public builders).

The entries come from :mod:`spectralcore._operators` (closed forms in float64, pure Python) through the cache of
:mod:`spectralcore._cache`, so a matrix is built once per size, options, namespace, dtype and device. Each builder
refuses more than ``MAX_MATRIX_ELEMENTS`` entries (2**24), saying how much memory the matrix would take.

``boundary="periodic"`` (the default) gives the DFT operators; ``boundary="symmetric"`` the cosine-basis (DCT-II)
operators of a mirror-extended signal, which have no Nyquist bin: there ``nyquist`` must stay ``"sum"``.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from . import _methods
from . import _operators as ops
from . import _validation as v
from ._cache import Builder, cached
from ._compat import itemsize, namespace_from_module

Array = Any

__all__ = [
    "lowpass_mask_table",
    "lowpass_matrix",
    "pool_dropout_table",
    "pool_matrix",
    "real_fourier_basis",
    "resize_matrix",
    "upsample_matrix",
]


def check_boundary(func: str, nyquist: object, boundary: object) -> None:
    """Check ``boundary``, and that the cosine basis is not given a Nyquist rule it has no use for."""
    v.choice(func, "boundary", boundary, v.BOUNDARIES)
    v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
    if boundary == "symmetric" and nyquist != "sum":
        raise ValueError(
            f"{func}: argument `nyquist` expected 'sum' (its default) with boundary='symmetric', received "
            f"{nyquist!r}: the cosine basis has no Nyquist bin to fold, so there is no rule to choose"
        )


def _build(
    func: str,
    builder: Builder,
    args: tuple[Any, ...],
    shape: tuple[int, ...],
    xp: ModuleType | None,
    dtype: Any,
    device: Any,
    name: str,
    received: str,
) -> Array:
    """Resolve ``xp``/``dtype``, refuse an oversized matrix (blaming ``name``), and return the cached operator."""
    if xp is None:
        raise TypeError(f"{func}: argument `xp` is required (an array namespace such as numpy or torch)")
    ns = namespace_from_module(xp)
    dtype = ns.float64 if dtype is None else dtype
    _methods.check_matrix(func, name, shape, itemsize(ns, dtype), received)
    return cached(builder, args, ns, dtype, device)


def _blame(n: int, m: int) -> tuple[str, str]:
    """The argument to name when an (m, n) operator is too large (the larger length), and what was received."""
    return ("n" if n >= m else "m"), f"n={n} and m={m}"


def _lengths(func: str, n: object, m: object, m_name: str = "m") -> tuple[int, int]:
    return v.positive_int(func, "n", n), v.positive_int(func, m_name, m)


def pool_matrix(
    n: int,
    m: int,
    /,
    *,
    norm: str = "amplitude",
    nyquist: str = "sum",
    boundary: str = "periodic",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(m, n)`` matrix of spectral pooling along one axis of length ``n`` to length ``m``.

    Parameters
    ----------
    n, m : int
        Input and output lengths, ``1 <= m <= n``.
    norm : {"amplitude", "ortho"}
        ``"amplitude"`` keeps constants constant (scale ``m/n``, as :func:`scipy.signal.resample`); ``"ortho"`` is
        the unitary transform (``amplitude * sqrt(n/m)``).
    nyquist : {"sum", "average"}
        Rule for the output's Nyquist bin when ``m`` is even (periodic boundary): ``X[m/2] + X[-m/2]`` (default,
        resample) or their mean (the paper's TreatCornerCases). Odd ``m`` is unaffected.
    boundary : {"periodic", "symmetric"}
        ``"periodic"``: the DFT. ``"symmetric"``: the DCT-II (keep the lowest ``m`` cosine coefficients of the
        mirror-extended signal); it has no Nyquist case, so ``nyquist`` must be ``"sum"``.
    xp : namespace
        Array namespace or module (``numpy``, ``torch``, ``jax.numpy``, ``array_api_strict``, ``cupy``). Required.
    dtype, device : optional
        Of the returned array; default float64 on the namespace's default device.

    Returns
    -------
    array
        ``D`` such that ``spectral_pool(x, m, axes=-1) == x @ D.T``.

    Raises
    ------
    ValueError
        ``m > n``, an unknown option, or more than ``MAX_MATRIX_ELEMENTS`` entries.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> D = sc.pool_matrix(4, 2, xp=np)
    >>> np.round(4 * D, 12)
    array([[ 3.,  1., -1.,  1.],
           [-1.,  1.,  3.,  1.]])
    >>> C = sc.pool_matrix(4, 2, norm="ortho", boundary="symmetric", xp=np)
    >>> bool(np.allclose(C @ C.T, np.eye(2)))  # orthonormal rows
    True
    """
    func = "pool_matrix"
    n, m = _lengths(func, n, m)
    if m > n:
        raise ValueError(f"{func}: argument `m` expected an output length <= n={n}, received {m}")
    v.choice(func, "norm", norm, v.NORMS_POOL)
    check_boundary(func, nyquist, boundary)
    args = (n, m, norm, nyquist, boundary)
    return _build(func, ops.resize_flat, args, (m, n), xp, dtype, device, *_blame(n, m))


def upsample_matrix(
    n: int,
    m: int,
    /,
    *,
    norm: str = "amplitude",
    boundary: str = "periodic",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(m, n)`` matrix of spectral (zero-padding) upsampling from length ``n`` to ``m >= n``.

    Periodic: an even ``n`` has its Nyquist bin split in halves over ``+-n/2``, so the result samples the real
    band-limited interpolant; it is the right inverse of :func:`pool_matrix` with ``nyquist="sum"``, and under
    ``norm="ortho"`` its transpose is the pooling matrix with ``nyquist="average"``. Symmetric: the cosine
    coefficients are zero-padded (no Nyquist case); under ``"ortho"`` its transpose is the pooling matrix.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> U = sc.upsample_matrix(2, 4, xp=np)
    >>> np.allclose(sc.pool_matrix(4, 2, xp=np) @ U, np.eye(2))
    True
    """
    func = "upsample_matrix"
    n, m = _lengths(func, n, m)
    if m < n:
        raise ValueError(f"{func}: argument `m` expected an output length >= n={n}, received {m}")
    v.choice(func, "norm", norm, v.NORMS_POOL)
    check_boundary(func, "sum", boundary)
    args = (n, m, norm, "sum", boundary)
    return _build(func, ops.resize_flat, args, (m, n), xp, dtype, device, *_blame(n, m))


def resize_matrix(
    n: int,
    m: int,
    /,
    *,
    norm: str = "amplitude",
    nyquist: str = "sum",
    boundary: str = "periodic",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(m, n)`` matrix of :func:`spectral_resize` along one axis: pooling if ``m < n``, upsampling if
    ``m > n``, the identity if ``m == n`` (``nyquist`` applies to pooling only).

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> bool(np.array_equal(sc.resize_matrix(6, 4, xp=np), sc.pool_matrix(6, 4, xp=np)))
    True
    >>> bool(np.array_equal(sc.resize_matrix(4, 6, xp=np), sc.upsample_matrix(4, 6, xp=np)))
    True
    """
    func = "resize_matrix"
    n, m = _lengths(func, n, m)
    v.choice(func, "norm", norm, v.NORMS_POOL)
    check_boundary(func, nyquist, boundary)
    args = (n, m, norm, nyquist, boundary)
    return _build(func, ops.resize_flat, args, (m, n), xp, dtype, device, *_blame(n, m))


def lowpass_matrix(
    n: int,
    keep: int,
    /,
    *,
    nyquist: str = "sum",
    boundary: str = "periodic",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(n, n)`` low-pass matrix keeping the ``keep`` lowest frequencies: ``upsample(pool(x, keep), n)``.

    Under ``nyquist="sum"`` (and always for ``boundary="symmetric"``) it is the orthogonal projection onto the maps
    band-limited to ``keep`` (symmetric and idempotent); the ``"average"`` rule halves the cosine at frequency
    ``keep/2`` when ``keep`` is even.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> L = sc.lowpass_matrix(6, 3, xp=np)
    >>> bool(np.allclose(L @ L, L) and np.allclose(L, L.T))
    True
    """
    func = "lowpass_matrix"
    n, keep = _lengths(func, n, keep, "keep")
    if keep > n:
        raise ValueError(f"{func}: argument `keep` expected an int in [1, {n}], received {keep}")
    check_boundary(func, nyquist, boundary)
    return _build(func, ops.lowpass_flat, (n, keep, nyquist, boundary), (n, n), xp, dtype, device, "n", f"n={n}")


def real_fourier_basis(
    n: int,
    /,
    *,
    boundary: str = "periodic",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Orthogonal ``(n, n)`` real basis ``Q`` of the boundary's transform, columns ordered by frequency.

    Periodic: column 0 is the constant ``1/sqrt(n)``; then ``sqrt(2/n) cos(2 pi f j / n)`` and
    ``sqrt(2/n) sin(2 pi f j/n)`` for ``f = 1, 2, ...`` below ``n/2``; for even ``n`` the last column is the Nyquist
    ``(-1)^j / sqrt(n)``. Symmetric: column ``k`` is the DCT-II vector ``s_k cos(pi k (2j + 1) / 2n)``
    (``s_0 = sqrt(1/n)``, else ``sqrt(2/n)``). With this order, low-pass filtering to ``keep`` is the projection
    onto the first ``keep`` columns (nested dropout in the frequency domain), which is how per-sample frequency
    dropout is computed with matrices.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> Q = sc.real_fourier_basis(5, xp=np)
    >>> bool(np.allclose(Q.T @ Q, np.eye(5)))
    True
    """
    func = "real_fourier_basis"
    n = v.positive_int(func, "n", n)
    check_boundary(func, "sum", boundary)
    return _build(func, ops.basis_flat, (n, boundary), (n, n), xp, dtype, device, "n", f"n={n}")


def lowpass_mask_table(
    n: int,
    /,
    *,
    nyquist: str = "sum",
    boundary: str = "periodic",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """``(n, n)`` table whose row ``k - 1`` weights the columns of :func:`real_fourier_basis` for ``keep = k``.

    ``lowpass_matrix(n, k) == Q @ diag(T[k - 1]) @ Q.T`` (same ``boundary``). Gathering rows of this table with a
    random ``keep`` gives per-sample frequency-dropout masks in any framework without re-deriving the Nyquist rule.
    For the cosine basis row ``k - 1`` is ``k`` ones then zeros.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> sc.lowpass_mask_table(4, nyquist="average", xp=np)[1]
    array([1. , 0.5, 0. , 0. ])
    """
    func = "lowpass_mask_table"
    n = v.positive_int(func, "n", n)
    check_boundary(func, nyquist, boundary)
    return _build(func, ops.mask_table_flat, (n, nyquist, boundary), (n, n), xp, dtype, device, "n", f"n={n}")


def pool_dropout_table(
    n: int,
    m: int,
    /,
    *,
    norm: str = "amplitude",
    nyquist: str = "sum",
    boundary: str = "periodic",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """``(m, m, n)`` table whose slice ``k - 1`` is ``lowpass_matrix(m, k) @ pool_matrix(n, m)``.

    Pooling ``n -> m`` fused with frequency dropout keeping ``k`` frequencies: gathering slices with a random
    ``keep`` (one per call, or per sample) gives the whole layer as one matrix per axis. ``m == n`` gives the
    low-pass matrices themselves (standalone frequency dropout). Same options as :func:`pool_matrix`.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> T = sc.pool_dropout_table(8, 4, xp=np)
    >>> T.shape
    (4, 4, 8)
    >>> bool(np.allclose(T[1], sc.lowpass_matrix(4, 2, xp=np) @ sc.pool_matrix(8, 4, xp=np)))
    True
    """
    func = "pool_dropout_table"
    n, m = _lengths(func, n, m)
    if m > n:
        raise ValueError(f"{func}: argument `m` expected an output length <= n={n}, received {m}")
    v.choice(func, "norm", norm, v.NORMS_POOL)
    check_boundary(func, nyquist, boundary)
    args = (n, m, norm, nyquist, boundary)
    return _build(func, ops.pool_mask_table_flat, args, (m, m, n), xp, dtype, device, *_blame(n, m))
