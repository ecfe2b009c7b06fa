"""Exact real matrices of the per-axis operators, built in float64 by pure Python (cached).

Why pure Python: the core must import no array library of its own, and JAX without ``jax_enable_x64`` cannot even
hold float64. So every entry is computed from a closed form with Python floats (IEEE float64), with exact integer
reduction of every angle (:mod:`spectralcore._trig`), and only then handed to the caller's namespace in the
caller's dtype and device (:mod:`spectralcore._cache`).

Periodic boundary (the DFT, ``X[k] = sum_j x[j] exp(-2 pi i k j / n)``) on one axis of length ``n``:

* Pooling ``n -> m`` keeps the bins ``|k| < m/2``. For an even ``m < n`` the output's Nyquist bin gets
  ``w * (X[m/2] + X[-m/2])`` with ``w = 1`` (``nyquist="sum"``, the :func:`scipy.signal.resample` rule) or
  ``w = 1/2`` (``nyquist="average"``, the paper's TreatCornerCases).
* Upsampling ``n -> N`` zero-pads the spectrum and, for an even ``n``, splits ``X[n/2]`` in halves between the bins
  ``+n/2`` and ``-n/2`` (so that a real map stays real and its band-limited interpolant is sampled).

Symmetric boundary (the orthonormal DCT-II ``C``, ``C[k, j] = s_k cos(pi k (2j + 1) / 2n)``): resizing ``n -> m``
is ``C_m^T`` applied to the first ``min(n, m)`` coefficients of ``C_n x`` (cropped or zero-padded). There is no
Nyquist case: every coefficient is a real cosine of its own.

Both: ``norm="amplitude"`` scales by ``out/in`` (a constant map stays the same constant); ``norm="ortho"`` uses the
unitary transform, i.e. ``amplitude * sqrt(in/out)``. With ``D`` pooling and ``U`` upsampling back,
``D_sum @ U == I``, ``U @ D_sum`` is the orthogonal projection onto the band-limited maps (``lowpass``),
``D_sum`` is the pseudo-inverse of ``U``, and under ``"ortho"`` ``D_average == U.T`` (periodic) and ``D == U.T``
(symmetric).
"""

from __future__ import annotations

import functools
import math

from ._cache import Flat
from ._trig import cos_pi_frac, dirichlet, sin_pi_frac

__all__ = [
    "basis_flat",
    "dct_phase_flat",
    "keep_table_flat",
    "lowpass_flat",
    "mask_table_flat",
    "pool_mask_table_flat",
    "resize_flat",
    "rfft_bin_weights_flat",
    "thin_pool_flat",
]


def _scale(norm: str, n_in: int, n_out: int) -> float:
    """Factor in front of the kernel sums: 1/n_in for "amplitude", 1/sqrt(n_in n_out) for "ortho"."""
    return 1.0 / n_in if norm == "amplitude" else 1.0 / math.sqrt(n_in * n_out)


def _identity(n: int) -> Flat:
    return tuple(1.0 if i == j else 0.0 for i in range(n) for j in range(n)), (n, n)


# ---------------------------------------------------------------------------------------------------------------
# Resizing n -> m (pooling when m < n, upsampling when m > n).
# ---------------------------------------------------------------------------------------------------------------
def _periodic_pool(n: int, m: int, norm: str, nyquist: str) -> Flat:
    c = _scale(norm, n, m)
    half = (m - 1) // 2  # kept bins |k| <= half, Nyquist excluded
    weight = 1.0 if nyquist == "sum" else 0.5
    # The Nyquist term factorises: (-1)^i on the output times 2 cos(pi m j / n) on the input.
    nyq_in = [2.0 * weight * cos_pi_frac(m * j, n) for j in range(n)] if m % 2 == 0 else None
    memo: dict[int, float] = {}  # the low-band sum depends on i n - j m only
    entries = []
    for i in range(m):
        sign = -1.0 if i % 2 else 1.0
        for j in range(n):
            p = i * n - j * m
            d = memo.get(p)
            if d is None:
                d = memo[p] = dirichlet(half, p, m * n)
            if nyq_in is not None:
                d += sign * nyq_in[j]
            entries.append(c * d)
    return tuple(entries), (m, n)


def _periodic_upsample(n: int, big: int, norm: str) -> Flat:
    c = _scale(norm, n, big)
    half = (n - 1) // 2
    # Even n: X[n/2] is split in halves over +-n/2, giving cos(pi n i / N) (-1)^j.
    nyq_out = [cos_pi_frac(n * i, big) for i in range(big)] if n % 2 == 0 else None
    memo: dict[int, float] = {}
    entries = []
    for i in range(big):
        for j in range(n):
            p = i * n - j * big
            d = memo.get(p)
            if d is None:
                d = memo[p] = dirichlet(half, p, big * n)
            if nyq_out is not None:
                d += nyq_out[i] * (-1.0 if j % 2 else 1.0)
            entries.append(c * d)
    return tuple(entries), (big, n)


def _symmetric_resize(n: int, m: int, norm: str) -> Flat:
    """``C_m^T P C_n`` with ``P`` the crop or zero-pad to ``K = min(n, m)`` coefficients, in closed form.

    ``sum_{k < K} s_k^(m) s_k^(n) cos(k a) cos(k b) = (D(a - b) + D(a + b)) / (2 sqrt(m n))`` with the Dirichlet
    sum ``D(t) = sum_{|k| < K} cos(k t)``, ``a = pi (2i + 1) / 2m`` and ``b = pi (2j + 1) / 2n``; in units of
    ``2 pi / 4mn`` the two angles are the integers ``(2i + 1) n -+ (2j + 1) m``.
    """
    c = _scale(norm, n, m) / 2.0
    half = min(n, m) - 1
    q = 4 * m * n
    entries = []
    for i in range(m):
        for j in range(n):
            a, b = (2 * i + 1) * n, (2 * j + 1) * m
            entries.append(c * (dirichlet(half, a - b, q) + dirichlet(half, a + b, q)))
    return tuple(entries), (m, n)


@functools.lru_cache(maxsize=256)
def resize_flat(n: int, m: int, norm: str, nyquist: str, boundary: str) -> Flat:
    """The ``(m, n)`` matrix resizing one axis from ``n`` to ``m`` (``nyquist`` matters for periodic pooling only)."""
    if m == n:
        return _identity(n)
    if boundary == "symmetric":
        return _symmetric_resize(n, m, norm)
    return _periodic_pool(n, m, norm, nyquist) if m < n else _periodic_upsample(n, m, norm)


@functools.lru_cache(maxsize=256)
def thin_pool_flat(n: int, m: int, keep: int, norm: str, nyquist: str, boundary: str) -> Flat:
    """``(keep, n)``: the right factor of ``lowpass(m, keep) @ pool(n, m) = upsample(keep, m) @ thin``.

    Pooling composes (``pool(m, k) @ pool(n, m) == pool(n, k)`` in amplitude norm, both rules and boundaries), so the
    band of ``keep`` frequencies of a map pooled to ``m`` is ``upsample_amplitude(keep, m) @ pool_amplitude(n, keep)``
    times the norm's factor of ``n -> m`` (``sqrt(n/m)`` for "ortho"): two thin products instead of one ``(m, n)``.
    """
    entries, shape = resize_flat(n, keep, "amplitude", nyquist, boundary)
    factor = 1.0 if norm == "amplitude" else math.sqrt(n / m)
    return tuple(e * factor for e in entries), shape


# ---------------------------------------------------------------------------------------------------------------
# Low-pass (frequency dropout at the same size) and the bases it is diagonal in.
# ---------------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def lowpass_flat(n: int, keep: int, nyquist: str, boundary: str) -> Flat:
    """``(n, n)``: keep the ``keep`` lowest frequencies, ``upsample(pool(x, keep), n)`` (norm-free)."""
    if keep == n:
        return _identity(n)
    entries = []
    if boundary == "symmetric":
        # C^T diag(1_keep) C: the symmetric resize closed form with m = n and K = keep.
        q = 4 * n
        for i in range(n):
            for j in range(n):
                a, b = 2 * i + 1, 2 * j + 1
                entries.append((dirichlet(keep - 1, a - b, q) + dirichlet(keep - 1, a + b, q)) / (2 * n))
        return tuple(entries), (n, n)
    half = (keep - 1) // 2
    weight = 1.0 if nyquist == "sum" else 0.5
    # Even keep: the pair of bins +-keep/2 keeps (sum) or halves (average) its cosine part only.
    cos_k = [cos_pi_frac(keep * j, n) for j in range(n)] if keep % 2 == 0 else None
    low = [dirichlet(half, p, n) for p in range(n)]  # depends on (i - j) mod n only
    for i in range(n):
        for j in range(n):
            d = low[(i - j) % n]
            if cos_k is not None:
                d += 2.0 * weight * cos_k[i] * cos_k[j]
            entries.append(d / n)
    return tuple(entries), (n, n)


def _periodic_column(n: int, c: int) -> tuple[str, int]:
    """Kind ("dc", "cos", "sin", "nyquist") and frequency of column ``c`` of the real Fourier basis."""
    if c == 0:
        return "dc", 0
    if n % 2 == 0 and c == n - 1:
        return "nyquist", n // 2
    f = (c + 1) // 2
    return ("cos" if c % 2 == 1 else "sin"), f


@functools.lru_cache(maxsize=256)
def basis_flat(n: int, boundary: str) -> Flat:
    """Orthogonal ``(n, n)`` basis, columns ordered by frequency: real Fourier (periodic) or DCT-II (symmetric)."""
    entries = []
    if boundary == "symmetric":
        scales = [math.sqrt(1.0 / n)] + [math.sqrt(2.0 / n)] * (n - 1)
        for j in range(n):
            for k in range(n):
                entries.append(scales[k] * cos_pi_frac(k * (2 * j + 1), 2 * n))
        return tuple(entries), (n, n)
    cols = [_periodic_column(n, c) for c in range(n)]
    root = math.sqrt(2.0 / n)
    inv = 1.0 / math.sqrt(n)
    for j in range(n):
        for kind, f in cols:
            if kind == "dc":
                entries.append(inv)
            elif kind == "nyquist":
                entries.append(-inv if j % 2 else inv)
            elif kind == "cos":
                entries.append(root * cos_pi_frac(2 * f * j, n))
            else:
                entries.append(root * sin_pi_frac(2 * f * j, n))
    return tuple(entries), (n, n)


@functools.lru_cache(maxsize=256)
def mask_table_flat(n: int, nyquist: str, boundary: str) -> Flat:
    """``(n, n)``: row ``k - 1`` weights the basis columns for ``keep = k`` (nested dropout in frequency)."""
    # Keep=k is the projection onto the first k basis columns; the paper's average rule halves the k-th column (the
    # cosine at frequency k/2) when k is even and smaller than n. The cosine basis has no such column.
    entries = []
    for k in range(1, n + 1):
        for c in range(n):
            w = 1.0 if c < k else 0.0
            if boundary == "periodic" and nyquist == "average" and c == k - 1 and k % 2 == 0 and k < n:
                w = 0.5
            entries.append(w)
    return tuple(entries), (n, n)


@functools.lru_cache(maxsize=64)
def pool_mask_table_flat(n: int, m: int, norm: str, nyquist: str, boundary: str) -> Flat:
    """``(m, m, n)``: slice ``k - 1`` is ``lowpass(m, k) @ resize(n, m)``, pooling fused with frequency dropout.

    With ``Q`` the basis of length ``m``, ``P = Q^T D`` and ``T`` the mask table, slice ``k - 1`` is
    ``Q diag(T[k - 1]) P``. Consecutive masks differ in one or two columns, so each slice is the previous one plus
    rank-one terms: ``O(m^2 n)`` work in all, the size of the table itself.
    """
    basis, _ = basis_flat(m, boundary)
    masks, _ = mask_table_flat(m, nyquist, boundary)
    pool, _ = resize_flat(n, m, norm, nyquist, boundary)
    # P = Q^T D, one row per basis column c. Plain loops (no generator expressions): torch.compile traces this
    # builder when the first call happens inside a compiled function.
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


@functools.lru_cache(maxsize=64)
def keep_table_flat(n: int, m: int, norm: str, nyquist: str, boundary: str, transpose: bool) -> Flat:
    """``(m + 1, m, n)``: slice ``k`` is ``lowpass(m, k) @ resize(n, m)`` (slice 0 is zero), or its transpose.

    The table of :func:`pool_mask_table_flat` indexed by ``keep`` itself, so that a random band is one gather with
    no ``keep - 1`` kernel; the transposed slices (``(m + 1, n, m)``) serve products ``x @ slice.T`` with
    contiguous operands.
    """
    entries, _ = pool_mask_table_flat(n, m, norm, nyquist, boundary)
    out: list[float] = [0.0] * (m * n)
    for k in range(m):
        offset = k * m * n
        if not transpose:
            out.extend(entries[offset : offset + m * n])
            continue
        for j in range(n):
            for i in range(m):
                out.append(entries[offset + i * n + j])
    return tuple(out), ((m + 1, n, m) if transpose else (m + 1, m, n))


# ---------------------------------------------------------------------------------------------------------------
# Tables of the FFT path.
# ---------------------------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=256)
def rfft_bin_weights_flat(n: int, nyquist: str) -> Flat:
    """Per-keep weights ``(a, b)`` on the ``n//2 + 1`` rfft bins, so that the low-pass is ``a X + b conj(X)``.

    A bin ``X = C - i S`` carries the cosine part ``C`` and the sine part ``S``; keeping them with weights
    ``wc`` and ``ws`` is ``a X + b conj(X)`` with ``a = (wc + ws)/2`` and ``b = (wc - ws)/2``. Shape
    ``(2, n, n//2 + 1)``: ``[0]`` holds ``a`` and ``[1]`` holds ``b``, one row per keep.
    """
    table, _ = mask_table_flat(n, nyquist, "periodic")
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


@functools.lru_cache(maxsize=256)
def dct_phase_flat(length: int, count: int, sign: int, factor: float) -> Flat:
    """``factor * exp(sign i pi k / 2 length)`` for ``k < count``: the twiddles of a DCT-II through a real FFT.

    The rfft of the mirror extension ``[x, x[::-1]]`` (length ``2n``) is ``2 exp(i pi k / 2n) sum_j x_j
    cos(pi k (2j + 1) / 2n)``, so ``exp(-i pi k / 2n)`` turns it into a DCT; ``exp(+i pi k / 2m)`` turns
    coefficients into the spectrum whose irfft (length ``2m``) starts with their inverse DCT.
    """
    entries = tuple(
        complex(factor * cos_pi_frac(k, 2 * length), sign * factor * sin_pi_frac(k, 2 * length)) for k in range(count)
    )
    return entries, (count,)
