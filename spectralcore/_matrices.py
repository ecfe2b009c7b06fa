"""Exact real matrices of the per-axis operators, built in float64 by pure Python and cached.

Why pure Python: the core must import no array library of its own, and JAX without ``jax_enable_x64`` cannot even
hold float64. So every entry is computed from a closed form with Python floats (IEEE float64), with exact integer
reduction of every angle, and only then handed to the caller's namespace in the caller's dtype and device.

Notation for one axis of length ``n`` (DFT ``X[k] = sum_j x[j] exp(-2 pi i k j / n)``):

* Pooling ``n -> m`` keeps the bins ``|k| < m/2``. For an even ``m < n`` the output's Nyquist bin gets
  ``w * (X[m/2] + X[-m/2])`` with ``w = 1`` (``nyquist="sum"``, the :func:`scipy.signal.resample` rule) or
  ``w = 1/2`` (``nyquist="average"``, the paper's TreatCornerCases).
* Upsampling ``n -> N`` zero-pads the spectrum and, for an even ``n``, splits ``X[n/2]`` in halves between the bins
  ``+n/2`` and ``-n/2`` (so that a real map stays real and its band-limited interpolant is sampled).
* ``norm="amplitude"`` scales by ``out/in`` (a constant map stays the same constant); ``norm="ortho"`` uses the
  unitary DFT, i.e. ``amplitude * sqrt(in/out)``.

With ``D`` pooling and ``U`` upsampling back: ``D_sum @ U == I``, ``U @ D_sum`` is the orthogonal projection onto the
band-limited maps (``lowpass_matrix``), ``D_sum`` is the pseudo-inverse of ``U``, and under ``"ortho"``
``D_average == U.T`` (the paper's backward pass is this adjoint).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

from . import _validation as v
from ._compat import index_dtype, is_lazy, namespace_from_module

Array = Any
Flat = tuple[tuple[float, ...], tuple[int, ...]]  # row-major entries and shape

__all__ = [
    "filter_basis_matrix",
    "lowpass_mask_table",
    "lowpass_matrix",
    "pool_matrix",
    "real_fourier_basis",
    "upsample_matrix",
]


# ---------------------------------------------------------------------------------------------------------------
# Trigonometry with exact argument reduction: angles are pi * p / q with integers p, q, reduced with integer
# arithmetic before the float call, so entries are accurate to float64 rounding even for large n.
# ---------------------------------------------------------------------------------------------------------------
def _sin_pi_frac(p: int, q: int) -> float:
    """Return ``sin(pi * p / q)`` for integers ``p`` and ``q > 0``."""
    r = p % (2 * q)  # sin has period 2 pi
    sign = 1.0
    if r >= q:  # sin(pi + a) = -sin(a)
        r -= q
        sign = -1.0
    if 2 * r > q:  # sin(pi - a) = sin(a): keep the argument in [0, pi/2] where sin is well conditioned
        r = q - r
    if r == 0:
        return 0.0
    if 2 * r == q:
        return sign
    return sign * math.sin(math.pi * r / q)


def _cos_pi_frac(p: int, q: int) -> float:
    """Return ``cos(pi * p / q)`` (as ``sin(pi (2p + q) / 2q)``)."""
    return _sin_pi_frac(2 * p + q, 2 * q)


def _dirichlet(half_width: int, p: int, q: int) -> float:
    """Return ``sum_{|k| <= half_width} cos(2 pi k p / q)``, the closed form of the kept low band."""
    if p % q == 0:
        return float(2 * half_width + 1)
    return _sin_pi_frac((2 * half_width + 1) * p, q) / _sin_pi_frac(p, q)


def _scale(norm: str, n_in: int, n_out: int) -> float:
    """Factor in front of the kernel sums: 1/n_in for "amplitude", 1/sqrt(n_in n_out) for "ortho"."""
    return 1.0 / n_in if norm == "amplitude" else 1.0 / math.sqrt(n_in * n_out)


def transposed(flat: Flat) -> Flat:
    """Transpose of a row-major matrix (precomputed so that the hot path multiplies contiguous arrays)."""
    entries, (rows, cols) = flat
    return tuple(entries[r * cols + c] for c in range(cols) for r in range(rows)), (cols, rows)


def _identity(n: int) -> Flat:
    return tuple(1.0 if i == j else 0.0 for i in range(n) for j in range(n)), (n, n)


# ---------------------------------------------------------------------------------------------------------------
# Pure-Python builders (cached on their integer/str arguments).
# ---------------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def _pool_flat(n: int, m: int, norm: str, nyquist: str) -> Flat:
    if m == n:
        return _identity(n)
    c = _scale(norm, n, m)
    half = (m - 1) // 2  # kept bins |k| <= half, Nyquist excluded
    weight = 1.0 if nyquist == "sum" else 0.5
    # The Nyquist term factorises: (-1)^i on the output times 2 cos(pi m j / n) on the input.
    nyq_in = [2.0 * weight * _cos_pi_frac(m * j, n) for j in range(n)] if m % 2 == 0 else None
    memo: dict[int, float] = {}  # the low-band sum depends on i n - j m only
    entries = []
    for i in range(m):
        sign = -1.0 if i % 2 else 1.0
        for j in range(n):
            p = i * n - j * m
            d = memo.get(p)
            if d is None:
                d = memo[p] = _dirichlet(half, p, m * n)
            if nyq_in is not None:
                d += sign * nyq_in[j]
            entries.append(c * d)
    return tuple(entries), (m, n)


@functools.lru_cache(maxsize=256)
def _upsample_flat(n: int, big: int, norm: str) -> Flat:
    if big == n:
        return _identity(n)
    c = _scale(norm, n, big)
    half = (n - 1) // 2
    # Even n: X[n/2] is split in halves over +-n/2, giving cos(pi n i / N) (-1)^j.
    nyq_out = [_cos_pi_frac(n * i, big) for i in range(big)] if n % 2 == 0 else None
    memo: dict[int, float] = {}
    entries = []
    for i in range(big):
        for j in range(n):
            p = i * n - j * big
            d = memo.get(p)
            if d is None:
                d = memo[p] = _dirichlet(half, p, big * n)
            if nyq_out is not None:
                d += nyq_out[i] * (-1.0 if j % 2 else 1.0)
            entries.append(c * d)
    return tuple(entries), (big, n)


@functools.lru_cache(maxsize=256)
def _lowpass_flat(n: int, keep: int, nyquist: str) -> Flat:
    if keep == n:
        return _identity(n)
    half = (keep - 1) // 2
    weight = 1.0 if nyquist == "sum" else 0.5
    # Even keep: the pair of bins +-keep/2 keeps (sum) or halves (average) its cosine part only.
    cos_k = [_cos_pi_frac(keep * j, n) for j in range(n)] if keep % 2 == 0 else None
    low = [_dirichlet(half, p, n) for p in range(n)]  # depends on (i - j) mod n only
    entries = []
    for i in range(n):
        for j in range(n):
            d = low[(i - j) % n]
            if cos_k is not None:
                d += 2.0 * weight * cos_k[i] * cos_k[j]
            entries.append(d / n)
    return tuple(entries), (n, n)


def _basis_column(n: int, c: int) -> tuple[str, int]:
    """Kind ("dc", "cos", "sin", "nyquist") and frequency of column ``c`` of the real Fourier basis."""
    if c == 0:
        return "dc", 0
    if n % 2 == 0 and c == n - 1:
        return "nyquist", n // 2
    f = (c + 1) // 2
    return ("cos" if c % 2 == 1 else "sin"), f


@functools.lru_cache(maxsize=256)
def _real_basis_flat(n: int) -> Flat:
    cols = [_basis_column(n, c) for c in range(n)]
    root = math.sqrt(2.0 / n)
    inv = 1.0 / math.sqrt(n)
    entries = []
    for j in range(n):
        for kind, f in cols:
            if kind == "dc":
                entries.append(inv)
            elif kind == "nyquist":
                entries.append(-inv if j % 2 else inv)
            elif kind == "cos":
                entries.append(root * _cos_pi_frac(2 * f * j, n))
            else:
                entries.append(root * _sin_pi_frac(2 * f * j, n))
    return tuple(entries), (n, n)


@functools.lru_cache(maxsize=256)
def _mask_table_flat(n: int, nyquist: str) -> Flat:
    # Nested low-pass: keep=k is the projection onto the first k basis columns; the paper's average rule halves
    # the k-th column (the cosine at frequency k/2) when k is even and smaller than n.
    entries = []
    for k in range(1, n + 1):
        for c in range(n):
            w = 1.0 if c < k else 0.0
            if nyquist == "average" and c == k - 1 and k % 2 == 0 and k < n:
                w = 0.5
            entries.append(w)
    return tuple(entries), (n, n)


@functools.lru_cache(maxsize=64)
def _pool_mask_table_flat(n: int, m: int, norm: str, nyquist: str) -> Flat:
    """``(m, m, n)``: slice ``k - 1`` is ``lowpass_matrix(m, k) @ pool_matrix(n, m)``, pooling fused with dropout.

    With ``Q`` the real Fourier basis of length ``m``, ``P = Q^T D`` and ``T`` the mask table, slice ``k - 1`` is
    ``Q diag(T[k - 1]) P``. Consecutive masks differ in one or two columns, so each slice is the previous one plus
    rank-one terms: ``O(m^2 n)`` work in all, the size of the table itself.
    """
    basis, _ = _real_basis_flat(m)
    masks, _ = _mask_table_flat(m, nyquist)
    pool, _ = _pool_flat(n, m, norm, nyquist)
    # P = Q^T D, one row per basis column c. Plain loops (no generator expressions): torch.compile traces this
    # builder when the first call happens inside a compiled function, and Dynamo cannot trace generators.
    analysis: list[list[float]] = []
    for c in range(m):
        row = [0.0] * n
        for r in range(m):
            q = basis[r * m + c]
            offset = r * n
            for j in range(n):
                row[j] += q * pool[offset + j]
        analysis.append(row)
    current = [0.0] * (m * n)
    previous_mask = [0.0] * m
    entries: list[float] = []
    for k in range(m):
        mask = masks[k * m : (k + 1) * m]
        for c in range(m):
            delta = mask[c] - previous_mask[c]
            if delta == 0.0:
                continue
            row = analysis[c]
            for i in range(m):
                coefficient = delta * basis[i * m + c]
                offset = i * n
                for j in range(n):
                    current[offset + j] += coefficient * row[j]
        previous_mask = list(mask)
        entries.extend(current)
    return tuple(entries), (m, m, n)


@functools.lru_cache(maxsize=256)
def _rfft_bin_weights_flat(n: int, nyquist: str) -> Flat:
    """Per-keep weights ``(a, b)`` on the ``n//2 + 1`` rfft bins, so that the low-pass is ``a X + b conj(X)``.

    A bin ``X = C - i S`` carries the cosine part ``C`` and the sine part ``S``; keeping them with weights
    ``wc`` and ``ws`` is ``a X + b conj(X)`` with ``a = (wc + ws)/2`` and ``b = (wc - ws)/2``. Shape
    ``(2, n, n//2 + 1)``: ``[0]`` holds ``a`` and ``[1]`` holds ``b``, one row per keep.
    """
    table, _ = _mask_table_flat(n, nyquist)
    bins = n // 2 + 1
    a_rows: list[float] = []
    b_rows: list[float] = []
    for k in range(n):
        row = table[k * n : (k + 1) * n]
        for f in range(bins):
            if f == 0:
                wc, ws = row[0], 0.0
            elif n % 2 == 0 and f == n // 2:
                wc, ws = row[n - 1], 0.0
            else:
                wc, ws = row[2 * f - 1], row[2 * f]
            a_rows.append((wc + ws) / 2.0)
            b_rows.append((wc - ws) / 2.0)
    return tuple(a_rows + b_rows), (2, n, bins)


def _filter_layout(kh: int, kw: int) -> list[tuple[str, int, int]]:
    """For each kernel position (row-major): its kind ("self", "re", "im") and its canonical DFT bin.

    The canonical bins are the rfft half-plane minus what Hermitian symmetry duplicates: the columns
    ``0 < v < kw/2``, plus the rows ``0 < u < kh/2`` of column 0 and (even ``kw``) of the Nyquist column. The real
    part of a canonical bin is stored at its own position and the imaginary part at its mirror ``(-u, -v)``;
    self-conjugate bins are real and stored in place. That is exactly ``kh * kw`` real numbers.
    """
    layout = []
    for u in range(kh):
        for col in range(kw):
            mu, mv = (-u) % kh, (-col) % kw
            if (mu, mv) == (u, col):
                layout.append(("self", u, col))
                continue
            edge_column = col == 0 or 2 * col == kw
            canonical = (0 < 2 * col < kw) or (edge_column and 0 < 2 * u < kh)
            layout.append(("re", u, col) if canonical else ("im", mu, mv))
    return layout


def _filter_scales(norm: str, count: int) -> tuple[float, float]:
    """Return ``(beta, s)``: the inverse-DFT factor of ``norm`` and the extra factor on paired bins."""
    beta = {"backward": 1.0 / count, "ortho": 1.0 / math.sqrt(count), "forward": 1.0}[norm]
    return beta, (math.sqrt(2.0) if norm == "ortho" else 1.0)


@functools.lru_cache(maxsize=128)
def _filter_basis_flat(kh: int, kw: int, norm: str, inverse: bool) -> Flat:
    count = kh * kw
    layout = _filter_layout(kh, kw)
    beta, s = _filter_scales(norm, count)

    def pattern(kind: str, u: int, v: int, y: int, x: int) -> float:
        # Phase 2 pi (u y / kh + v x / kw) = pi * p / q with integers.
        p, q = 2 * (u * y * kw + v * x * kh), count
        if kind == "self":
            return beta * _cos_pi_frac(p, q)
        if kind == "re":
            return 2.0 * beta / s * _cos_pi_frac(p, q)
        return -2.0 * beta / s * _sin_pi_frac(p, q)

    # columns[p][pixel] = kernel produced by a unit parameter at position p
    columns = [[pattern(kind, u, v, y, x) for y in range(kh) for x in range(kw)] for kind, u, v in layout]
    if not inverse:
        return tuple(columns[p][pix] for pix in range(count) for p in range(count)), (count, count)
    # The columns are mutually orthogonal (distinct real Fourier modes), so the inverse is the transpose with
    # each row divided by its column's squared norm; under "ortho" those norms are all 1.
    norms2 = [math.fsum(e * e for e in col) for col in columns]
    return tuple(columns[p][pix] / norms2[p] for p in range(count) for pix in range(count)), (
        count,
        count,
    )


_BUILDERS_BY_KIND = {
    "pool": _pool_flat,
    "upsample": _upsample_flat,
    "lowpass": _lowpass_flat,
    "basis": _real_basis_flat,
    "masktable": _mask_table_flat,
    "rfftw": _rfft_bin_weights_flat,
    "poolmask": _pool_mask_table_flat,
    "filter": _filter_basis_flat,
}


# ---------------------------------------------------------------------------------------------------------------
# Conversion to the caller's namespace, dtype and device, cached.
# ---------------------------------------------------------------------------------------------------------------
_CACHE_SIZE = 512
# A plain dict, no lock: single dict operations are atomic in CPython, a race at worst builds an entry twice, and
# torch.compile (Dynamo) can trace dict look-ups but not a lock. When full it is cleared rather than evicted in LRU
# order, which keeps every operation a single atomic step.
_cache: dict[tuple[Any, ...], Array] = {}


def to_array(key: tuple[Any, ...], build: Callable[[], Flat], xp: ModuleType, dtype: Any, device: Any) -> Array:
    """Return the cached array for ``key`` in ``xp`` with ``dtype`` on ``device``, building it once."""
    full_key = (key, xp.__name__, str(dtype), str(device))
    hit = _cache.get(full_key)
    if hit is not None:
        return hit
    entries, shape = build()
    array = xp.reshape(xp.asarray(list(entries), dtype=dtype, device=device), shape)
    if not is_lazy(array):  # never keep a tracer alive beyond the trace that made it
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[full_key] = array
    return array


_BUILDERS: Mapping[str, Callable[..., Flat]] = _BUILDERS_BY_KIND


def cached(
    kind: str,
    args: tuple[Any, ...],
    xp: ModuleType,
    dtype: Any,
    device: Any,
    *,
    transpose: bool = False,
) -> Array:
    """The operator ``kind`` built from ``args`` (or its transpose), in ``xp``/``dtype``/``device``, cached.

    This is the hot path of the function forms: the namespace is already resolved and the arguments checked.
    """
    build = _BUILDERS[kind]
    if transpose:
        return to_array((kind, *args, "T"), lambda: transposed(build(*args)), xp, dtype, device)
    return to_array((kind, *args), lambda: build(*args), xp, dtype, device)


def index_array(key: tuple[Any, ...], values: tuple[int, ...], xp: ModuleType, device: Any) -> Array:
    """Return a cached index vector (of the namespace's default indexing dtype)."""
    return to_array(("index", *key), lambda: (tuple(values), (len(values),)), xp, index_dtype(xp), device)


def _resolve(func: str, xp: ModuleType | None, dtype: Any) -> tuple[ModuleType, Any]:
    if xp is None:
        raise TypeError(f"{func}: argument `xp` is required (an array namespace such as numpy or torch)")
    ns = namespace_from_module(xp)
    return ns, (ns.float64 if dtype is None else dtype)


# ---------------------------------------------------------------------------------------------------------------
# Public builders.
# ---------------------------------------------------------------------------------------------------------------
def pool_matrix(
    n: int,
    m: int,
    /,
    *,
    norm: str = "amplitude",
    nyquist: str = "sum",
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
        the paper's unitary DFT (``amplitude * sqrt(n/m)``).
    nyquist : {"sum", "average"}
        Rule for the output's Nyquist bin when ``m`` is even: ``X[m/2] + X[-m/2]`` (default, resample) or their
        mean (the paper's TreatCornerCases). Odd ``m`` is unaffected.
    xp : namespace
        Array namespace or module (``numpy``, ``torch``, ``jax.numpy``, ``array_api_strict``, ``cupy``). Required.
    dtype, device : optional
        Of the returned array; default float64 on the namespace's default device.

    Returns
    -------
    array
        ``D`` such that ``spectral_pool(x, m, axes=-1) == x @ D.T``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> D = sc.pool_matrix(4, 2, xp=np)
    >>> np.round(4 * D, 12)
    array([[ 3.,  1., -1.,  1.],
           [-1.,  1.,  3.,  1.]])
    """
    func = "pool_matrix"
    n = v.positive_int(func, "n", n)
    m = v.positive_int(func, "m", m)
    if m > n:
        raise ValueError(f"{func}: argument `m` expected an output length <= n={n}, received {m}")
    v.choice(func, "norm", norm, v.NORMS_POOL)
    v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
    ns, dtype = _resolve(func, xp, dtype)
    return cached("pool", (n, m, norm, nyquist), ns, dtype, device)


def upsample_matrix(
    n: int,
    m: int,
    /,
    *,
    norm: str = "amplitude",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(m, n)`` matrix of spectral (zero-padding) upsampling from length ``n`` to ``m >= n``.

    An even ``n`` has its Nyquist bin split in halves over ``+-n/2``, so the result samples the real band-limited
    interpolant. It is the right inverse of :func:`pool_matrix` with ``nyquist="sum"``; under ``norm="ortho"`` its
    transpose is the pooling matrix with ``nyquist="average"``.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> U = sc.upsample_matrix(2, 4, xp=np)
    >>> np.allclose(sc.pool_matrix(4, 2, xp=np) @ U, np.eye(2))
    True
    """
    func = "upsample_matrix"
    n = v.positive_int(func, "n", n)
    m = v.positive_int(func, "m", m)
    if m < n:
        raise ValueError(f"{func}: argument `m` expected an output length >= n={n}, received {m}")
    v.choice(func, "norm", norm, v.NORMS_POOL)
    ns, dtype = _resolve(func, xp, dtype)
    return cached("upsample", (n, m, norm), ns, dtype, device)


def lowpass_matrix(
    n: int,
    keep: int,
    /,
    *,
    nyquist: str = "sum",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(n, n)`` low-pass matrix keeping the ``keep`` lowest frequencies: ``upsample(pool(x, keep), n)``.

    Under ``nyquist="sum"`` it is the orthogonal projection onto the maps band-limited to ``keep`` (symmetric and
    idempotent); the ``"average"`` rule halves the cosine at frequency ``keep/2`` when ``keep`` is even.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> L = sc.lowpass_matrix(6, 3, xp=np)
    >>> bool(np.allclose(L @ L, L) and np.allclose(L, L.T))
    True
    """
    func = "lowpass_matrix"
    n = v.positive_int(func, "n", n)
    keep = v.positive_int(func, "keep", keep)
    if keep > n:
        raise ValueError(f"{func}: argument `keep` expected an int in [1, {n}], received {keep}")
    v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
    ns, dtype = _resolve(func, xp, dtype)
    return cached("lowpass", (n, keep, nyquist), ns, dtype, device)


def real_fourier_basis(n: int, /, *, xp: ModuleType | None = None, dtype: Any = None, device: Any = None) -> Array:
    """Orthogonal ``(n, n)`` real Fourier basis ``Q``, columns ordered by frequency.

    Column 0 is the constant ``1/sqrt(n)``; then ``sqrt(2/n) cos(2 pi f j / n)`` and ``sqrt(2/n) sin(2 pi f j/n)``
    for ``f = 1, 2, ...`` below ``n/2``; for even ``n`` the last column is the Nyquist ``(-1)^j / sqrt(n)``. With
    this order, low-pass filtering to ``keep`` is the projection onto the first ``keep`` columns (nested dropout in
    the frequency domain), which is how per-sample frequency dropout is computed with matrices.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> Q = sc.real_fourier_basis(5, xp=np)
    >>> bool(np.allclose(Q.T @ Q, np.eye(5)))
    True
    """
    func = "real_fourier_basis"
    n = v.positive_int(func, "n", n)
    ns, dtype = _resolve(func, xp, dtype)
    return cached("basis", (n,), ns, dtype, device)


def lowpass_mask_table(
    n: int,
    /,
    *,
    nyquist: str = "sum",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """``(n, n)`` table whose row ``k - 1`` weights the columns of :func:`real_fourier_basis` for ``keep = k``.

    ``lowpass_matrix(n, k) == Q @ diag(T[k - 1]) @ Q.T``. Gathering rows of this table with a random ``keep`` gives
    per-sample frequency-dropout masks in any framework without re-deriving the Nyquist rule.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> sc.lowpass_mask_table(4, nyquist="average", xp=np)[1]
    array([1. , 0.5, 0. , 0. ])
    """
    func = "lowpass_mask_table"
    n = v.positive_int(func, "n", n)
    v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
    ns, dtype = _resolve(func, xp, dtype)
    return cached("masktable", (n, nyquist), ns, dtype, device)


def filter_basis_matrix(
    kh: int,
    kw: int,
    /,
    *,
    norm: str = "ortho",
    inverse: bool = False,
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> Array:
    """Real ``(kh*kw, kh*kw)`` matrix ``B`` of the spectral filter parameterization: ``w.ravel() = B @ theta.ravel()``.

    ``theta`` packs the independent real and imaginary parts of ``fft2(w, norm=norm)`` in an array of the kernel's
    own shape (see :func:`spectralcore.spatial_to_spectral`). Under ``norm="ortho"`` paired bins carry a
    ``sqrt(2)`` and ``B`` is orthogonal. ``inverse=True`` returns ``B^{-1}`` (``theta.ravel() = B^{-1} w.ravel()``).

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> B = sc.filter_basis_matrix(3, 3, xp=np)
    >>> bool(np.allclose(B.T @ B, np.eye(9)))
    True
    """
    func = "filter_basis_matrix"
    kh = v.positive_int(func, "kh", kh)
    kw = v.positive_int(func, "kw", kw)
    v.choice(func, "norm", norm, v.NORMS_FILTER)
    if not isinstance(inverse, bool):
        raise TypeError(f"{func}: argument `inverse` expected a bool, received {inverse!r}")
    ns, dtype = _resolve(func, xp, dtype)
    return cached("filter", (kh, kw, norm, inverse), ns, dtype, device)
