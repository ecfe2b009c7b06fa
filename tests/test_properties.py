"""Algebraic facts about the per-axis operators, in matrix form and in function form (NumPy, float64).

Notation (one axis): D = pool_matrix(n, m) (m x n), U = upsample_matrix(m, n) (n x m, same norm),
L = lowpass_matrix(n, m) (n x n).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _support import assert_close, expected_mask_row
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, apply_along, cases

import spectralcore as sc

RTOL = 1e-12
ATOL = 1e-12
NORMS = ["amplitude", "ortho"]
RULES = ["sum", "average"]
METHODS = ["matmul", "fft"]


@st.composite
def n_and_m(draw: st.DrawFn, max_n: int = 24) -> tuple[int, int]:
    n = draw(st.integers(1, max_n))
    return n, draw(st.integers(1, n))


def D(n: int, m: int, norm: str = "amplitude", nyquist: str = "sum") -> np.ndarray:
    out = sc.pool_matrix(n, m, norm=norm, nyquist=nyquist, xp=np)
    assert_close(out, np.zeros((m, n)), rtol=0, atol=0, check_values=False)
    return np.asarray(out)


def U(m: int, n: int, norm: str = "amplitude") -> np.ndarray:
    """Upsampling m -> n: an (n, m) matrix."""
    out = sc.upsample_matrix(m, n, norm=norm, xp=np)
    assert_close(out, np.zeros((n, m)), rtol=0, atol=0, check_values=False)
    return np.asarray(out)


def L(n: int, keep: int, nyquist: str = "sum") -> np.ndarray:
    return np.asarray(sc.lowpass_matrix(n, keep, nyquist=nyquist, xp=np))


def _sep(x: np.ndarray, mats: list[np.ndarray], axes: tuple[int, ...]) -> np.ndarray:
    for mat, ax in zip(mats, axes, strict=True):
        x = apply_along(x, mat, ax)
    return x


# ---------------------------------------------------------------------------------------------
# Sum rule: D U = I, U D = L (orthogonal projection), D = pinv(U)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm", NORMS)
@given(nm=n_and_m())
def test_pool_after_upsample_is_identity(nm: tuple[int, int], norm: str) -> None:
    n, m = nm
    np.testing.assert_allclose(D(n, m, norm) @ U(m, n, norm), np.eye(m), atol=ATOL)


@pytest.mark.parametrize("norm", NORMS)
@given(nm=n_and_m())
def test_upsample_after_pool_is_the_lowpass_projection(nm: tuple[int, int], norm: str) -> None:
    n, m = nm
    p = U(m, n, norm) @ D(n, m, norm)
    np.testing.assert_allclose(p, L(n, m), atol=ATOL)
    np.testing.assert_allclose(p, p.T, atol=ATOL)  # symmetric
    np.testing.assert_allclose(p @ p, p, atol=ATOL)  # idempotent
    # rank m: the projection keeps exactly m real degrees of freedom
    np.testing.assert_allclose(np.trace(p), m, atol=1e-10)


@pytest.mark.parametrize("norm", NORMS)
@given(nm=n_and_m())
def test_sum_rule_pool_is_pseudo_inverse_of_upsample(nm: tuple[int, int], norm: str) -> None:
    n, m = nm
    np.testing.assert_allclose(D(n, m, norm), np.linalg.pinv(U(m, n, norm)), atol=1e-10)


@given(nm=n_and_m())
def test_sum_rule_pool_is_proportional_to_upsample_transpose_only_for_odd_m(
    nm: tuple[int, int],
) -> None:
    n, m = nm
    d, ut = D(n, m), U(m, n).T
    c = np.sum(d * ut) / np.sum(ut * ut)  # least-squares scale
    residual = np.abs(d - c * ut).max()
    if m % 2 == 1 or m == n:
        np.testing.assert_allclose(c, m / n, rtol=1e-12)  # amplitude: D = (m/n) U^T
        assert residual < 1e-12
    else:
        assert residual > 1e-3, f"D_sum({n}->{m}) unexpectedly proportional to U^T"


# ---------------------------------------------------------------------------------------------
# Function forms of the same facts
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("norm", NORMS)
@given(case=cases("keep", max_n=20))
def test_pool_of_upsample_is_identity_function_form(case: Case, norm: str, method: str) -> None:
    # Treat case.x as the small map and upsample it to (its size + delta) first.
    n_small = case.in_sizes
    big = tuple(n + d for n, d in zip(n_small, case.sizes, strict=True))
    up = sc.spectral_upsample(case.x, big, norm=norm, method=method, **case.kwargs)
    back = sc.spectral_pool(up, n_small, norm=norm, method=method, **case.kwargs)
    assert_close(back, case.x, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nyquist", RULES)
@given(case=cases("keep", max_n=20))
def test_lowpass_is_upsample_of_pool(case: Case, nyquist: str, method: str) -> None:
    low = sc.lowpass(case.x, case.size_arg, nyquist=nyquist, method=method, **case.kwargs)
    pooled = sc.spectral_pool(case.x, case.size_arg, nyquist=nyquist, method=method, **case.kwargs)
    back = sc.spectral_upsample(pooled, case.in_sizes, method=method, **case.kwargs)
    assert_close(low, back, rtol=RTOL, atol=ATOL)
    mats = [L(n, k, nyquist) for n, k in zip(case.in_sizes, case.sizes, strict=True)]
    assert_close(low, _sep(case.x, mats, case.norm_axes), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("keep", max_n=20))
def test_lowpass_is_a_projection(case: Case, method: str) -> None:
    once = sc.lowpass(case.x, case.size_arg, method=method, **case.kwargs)
    twice = sc.lowpass(once, case.size_arg, method=method, **case.kwargs)
    assert_close(twice, once, rtol=1e-11, atol=1e-11)
    # orthogonal projection: the residual is orthogonal to the kept part
    resid = case.x - np.asarray(once)
    axes = case.norm_axes
    assert np.abs(np.sum(resid * np.asarray(once), axis=axes)).max() < 1e-10 * max(1.0, float(np.sum(case.x**2)))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("nyquist", RULES)
@given(case=cases("keep", max_n=20))
def test_same_size_is_identity(case: Case, nyquist: str, norm: str, method: str) -> None:
    same = case.in_sizes
    kw = dict(method=method, **case.kwargs)
    assert_close(sc.spectral_pool(case.x, same, norm=norm, nyquist=nyquist, **kw), case.x, rtol=RTOL, atol=ATOL)
    assert_close(sc.spectral_upsample(case.x, same, norm=norm, **kw), case.x, rtol=RTOL, atol=ATOL)
    assert_close(sc.lowpass(case.x, same, nyquist=nyquist, **kw), case.x, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("nyquist", RULES)
@given(case=cases("keep", max_n=24), data=st.data())
def test_pool_composition(case: Case, nyquist: str, norm: str, method: str, data: st.DataObject) -> None:
    """pool a -> b -> c == pool a -> c, for every b between c and a."""
    mid = tuple(data.draw(st.integers(c, a)) for a, c in zip(case.in_sizes, case.sizes, strict=True))
    kw = dict(norm=norm, nyquist=nyquist, method=method, **case.kwargs)
    two_step = sc.spectral_pool(sc.spectral_pool(case.x, mid, **kw), case.sizes, **kw)
    direct = sc.spectral_pool(case.x, case.sizes, **kw)
    assert_close(two_step, direct, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nyquist", RULES)
@given(case=cases("pool", max_n=24))
def test_amplitude_preserves_the_mean(case: Case, nyquist: str, method: str) -> None:
    axes = case.norm_axes
    pooled = np.asarray(sc.spectral_pool(case.x, case.size_arg, nyquist=nyquist, method=method, **case.kwargs))
    np.testing.assert_allclose(pooled.mean(axis=axes), case.x.mean(axis=axes), atol=1e-12)
    up = np.asarray(sc.spectral_upsample(pooled, case.in_sizes, method=method, **case.kwargs))
    np.testing.assert_allclose(up.mean(axis=axes), case.x.mean(axis=axes), atol=1e-12)
    # and a constant map stays the same constant
    const = np.full_like(case.x, 2.5)
    assert_close(
        sc.spectral_pool(const, case.size_arg, nyquist=nyquist, method=method, **case.kwargs),
        np.full(pooled.shape, 2.5),
        rtol=RTOL,
        atol=ATOL,
    )


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(case=cases("pool", max_n=16))
def test_real_in_same_dtype_out(case: Case, dtype: type, method: str) -> None:
    x = case.x.astype(dtype)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    ref = sc.spectral_pool(case.x, case.size_arg, method=method, **case.kwargs)
    out = sc.spectral_pool(x, case.size_arg, method=method, **case.kwargs)
    assert_close(out, np.asarray(ref).astype(dtype), rtol=tol, atol=tol)
    up_ref = sc.spectral_upsample(case.x, case.in_sizes, method=method, **case.kwargs)
    up = sc.spectral_upsample(x, case.in_sizes, method=method, **case.kwargs)
    assert_close(up, np.asarray(up_ref).astype(dtype), rtol=tol, atol=tol)
    low = sc.lowpass(x, case.size_arg, method=method, **case.kwargs)
    low_ref = sc.lowpass(case.x, case.size_arg, method=method, **case.kwargs)
    assert_close(low, np.asarray(low_ref).astype(dtype), rtol=tol, atol=tol)


# ---------------------------------------------------------------------------------------------
# Ortho facts
# ---------------------------------------------------------------------------------------------
@given(n=st.integers(1, 24), data=st.data())
def test_ortho_odd_m_has_orthonormal_rows(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(0, (n - 1) // 2)) * 2 + 1
    for rule in RULES:
        d = D(n, m, "ortho", rule)
        np.testing.assert_allclose(d @ d.T, np.eye(m), atol=ATOL)


@given(nm=n_and_m())
def test_ortho_average_pool_is_exactly_upsample_transpose(nm: tuple[int, int]) -> None:
    n, m = nm
    np.testing.assert_allclose(D(n, m, "ortho", "average"), U(m, n, "ortho").T, rtol=0, atol=1e-14)


@given(n=st.integers(1, 24), data=st.data())
def test_ortho_upsample_is_an_isometry_for_odd_input(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(0, (n - 1) // 2)) * 2 + 1  # odd input length m <= n
    u = U(m, n, "ortho")
    np.testing.assert_allclose(u.T @ u, np.eye(m), atol=ATOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("pool", max_n=24))
def test_ortho_energy_never_increases_for_average_rule_or_odd_sizes(case: Case, method: str) -> None:
    energy = float(np.sum(case.x**2))
    avg = np.asarray(
        sc.spectral_pool(case.x, case.size_arg, norm="ortho", nyquist="average", method=method, **case.kwargs)
    )
    assert float(np.sum(avg**2)) <= energy * (1 + 1e-12) + 1e-12
    odd = tuple(m - 1 if m % 2 == 0 else m for m in case.sizes)
    odd = tuple(max(o, 1) for o in odd)
    out = np.asarray(sc.spectral_pool(case.x, odd, norm="ortho", nyquist="sum", method=method, **case.kwargs))
    assert float(np.sum(out**2)) <= energy * (1 + 1e-12) + 1e-12


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("pool", max_n=24))
def test_ortho_sum_rule_energy_bound(case: Case, method: str) -> None:
    """||D x|| <= sqrt(2)^(number of axes with even m < n) ||x|| for the sum rule."""
    k = sum(1 for n, m in zip(case.in_sizes, case.sizes, strict=True) if m % 2 == 0 and m < n)
    out = np.asarray(sc.spectral_pool(case.x, case.sizes, norm="ortho", method=method, **case.kwargs))
    axes = case.norm_axes
    ratio = np.sum(out**2, axis=axes) / np.maximum(np.sum(case.x**2, axis=axes), 1e-300)
    assert ratio.max() <= 2.0**k * (1 + 1e-12)


@pytest.mark.parametrize("method", METHODS)
@given(n1=st.integers(3, 24), n2=st.integers(3, 24), data=st.data())
def test_ortho_sum_rule_energy_bound_is_attained_by_nyquist_cosine(
    n1: int, n2: int, data: st.DataObject, method: str
) -> None:
    """The issue's "energy never increases" only holds for odd sizes: a cosine at frequency m/2 gains 2x.

    1-D: x_j = cos(pi m j / n) with even m < n has ||x||^2 = n/2 and pools to a map of energy n.
    2-D: the outer product of two such cosines gains 2 * 2.
    """
    m1 = data.draw(st.integers(1, (n1 - 1) // 2)) * 2
    m2 = data.draw(st.integers(1, (n2 - 1) // 2)) * 2
    c1 = np.cos(np.pi * m1 * np.arange(n1) / n1)
    c2 = np.cos(np.pi * m2 * np.arange(n2) / n2)
    out1 = np.asarray(sc.spectral_pool(c1, m1, axes=(-1,), norm="ortho", method=method))
    np.testing.assert_allclose(np.sum(out1**2), 2 * np.sum(c1**2), rtol=1e-12)
    x2 = np.outer(c1, c2)
    out2 = np.asarray(sc.spectral_pool(x2, (m1, m2), norm="ortho", method=method))
    np.testing.assert_allclose(np.sum(out2**2), 4 * np.sum(x2**2), rtol=1e-12)
    # the matrix view: the largest singular value of D_sum (ortho) is exactly sqrt(2)
    np.testing.assert_allclose(np.linalg.norm(D(n1, m1, "ortho"), 2), math.sqrt(2), rtol=1e-12)
    # ... while the average rule never amplifies
    assert np.linalg.norm(D(n1, m1, "ortho", "average"), 2) <= 1 + 1e-12


# ---------------------------------------------------------------------------------------------
# fft == matmul, matrices == functions on the identity
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("nyquist", RULES)
@given(case=cases("pool", max_n=32))
def test_fft_equals_matmul(case: Case, nyquist: str, norm: str) -> None:
    kw = dict(**case.kwargs)
    for fn, args in [
        (sc.spectral_pool, dict(norm=norm, nyquist=nyquist)),
        (sc.lowpass, dict(nyquist=nyquist)),
    ]:
        a = fn(case.x, case.size_arg, method="fft", **args, **kw)
        b = fn(case.x, case.size_arg, method="matmul", **args, **kw)
        assert_close(a, np.asarray(b), rtol=1e-11, atol=1e-11)
        c = fn(case.x, case.size_arg, method="auto", **args, **kw)
        assert_close(c, np.asarray(b), rtol=1e-11, atol=1e-11)
    big = tuple(n + m for n, m in zip(case.in_sizes, case.sizes, strict=True))
    a = sc.spectral_upsample(case.x, big, norm=norm, method="fft", **kw)
    b = sc.spectral_upsample(case.x, big, norm=norm, method="matmul", **kw)
    assert_close(a, np.asarray(b), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("method", METHODS)
@given(nm=n_and_m(), extra=st.integers(0, 6))
def test_matrices_are_the_functions_applied_to_the_identity(nm: tuple[int, int], extra: int, method: str) -> None:
    n, m = nm
    eye = np.eye(n)
    for norm in NORMS:
        for rule in RULES:
            out = sc.spectral_pool(eye, m, axes=(0,), norm=norm, nyquist=rule, method=method)
            assert_close(out, D(n, m, norm, rule), rtol=RTOL, atol=ATOL)
        big = n + extra
        out = sc.spectral_upsample(eye, big, axes=(0,), norm=norm, method=method)
        assert_close(out, U(n, big, norm), rtol=RTOL, atol=ATOL)
    for rule in RULES:
        out = sc.lowpass(eye, m, axes=(0,), nyquist=rule, method=method)
        assert_close(out, L(n, m, rule), rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------------------------------------
# The real Fourier basis and the mask table
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", list(range(1, 18)))
def test_real_fourier_basis_is_orthogonal_with_documented_columns(n: int) -> None:
    q = np.asarray(sc.real_fourier_basis(n, xp=np))
    assert_close(sc.real_fourier_basis(n, xp=np), q, rtol=0, atol=0)  # namespace/dtype
    np.testing.assert_allclose(q.T @ q, np.eye(n), atol=ATOL)
    np.testing.assert_allclose(q @ q.T, np.eye(n), atol=ATOL)
    j = np.arange(n)
    np.testing.assert_allclose(q[:, 0], np.full(n, 1 / math.sqrt(n)), atol=ATOL)
    for f in range(1, (n - 1) // 2 + 1):
        cos = math.sqrt(2 / n) * np.cos(2 * np.pi * f * j / n)
        sin = math.sqrt(2 / n) * np.sin(2 * np.pi * f * j / n)
        np.testing.assert_allclose(q[:, 2 * f - 1], cos, atol=ATOL)
        # the sign of the sine column is a convention; its direction is not
        sign = np.sign(q[:, 2 * f] @ sin)
        np.testing.assert_allclose(q[:, 2 * f], sign * sin, atol=ATOL)
    if n % 2 == 0:
        np.testing.assert_allclose(q[:, n - 1], (-1.0) ** j / math.sqrt(n), atol=ATOL)


@pytest.mark.parametrize("nyquist", RULES)
@pytest.mark.parametrize("n", list(range(1, 15)))
def test_lowpass_matrix_is_diagonal_in_the_real_fourier_basis(n: int, nyquist: str) -> None:
    q = np.asarray(sc.real_fourier_basis(n, xp=np))
    table = np.asarray(sc.lowpass_mask_table(n, nyquist=nyquist, xp=np))
    assert table.shape == (n, n)
    for k in range(1, n + 1):
        row = expected_mask_row(n, k, nyquist)
        np.testing.assert_allclose(table[k - 1], row, atol=ATOL)
        lk = L(n, k, nyquist)
        np.testing.assert_allclose(lk, q @ np.diag(table[k - 1]) @ q.T, atol=ATOL)
        np.testing.assert_allclose(lk, lk.T, atol=ATOL)
        idempotent = np.allclose(lk @ lk, lk, atol=1e-12)
        # the average rule halves the Nyquist cosine: not a projection for even keep < n
        assert idempotent == (nyquist == "sum" or k % 2 == 1 or k == n)


# ---------------------------------------------------------------------------------------------
# Per-sample keep arrays
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nyquist", RULES)
@given(
    b=st.integers(1, 4),
    c=st.integers(1, 3),
    h=st.integers(1, 12),
    w=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
    per_axis=st.booleans(),
)
def test_per_sample_keep(b: int, c: int, h: int, w: int, seed: int, per_axis: bool, nyquist: str, method: str) -> None:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((b, c, h, w))
    if per_axis:
        kh = rng.integers(1, h + 1, size=(b, 1))  # broadcast over channels
        kw_int = int(rng.integers(1, w + 1))
        keep = (kh, kw_int)
        out = np.asarray(sc.lowpass(x, keep, nyquist=nyquist, method=method))
        for i in range(b):
            for j in range(c):
                ref = sc.lowpass(x[i, j], (int(kh[i, 0]), kw_int), nyquist=nyquist, method=method)
                np.testing.assert_allclose(out[i, j], np.asarray(ref), rtol=1e-12, atol=1e-12)
    else:
        lo = max(1, min(h, w) // 2)
        kk = rng.integers(lo, min(h, w) + 1, size=(b, c))
        out = sc.lowpass(x, kk, nyquist=nyquist, method=method)
        assert_close(out, x, rtol=0, atol=0, check_values=False)  # namespace, dtype, shape
        out = np.asarray(out)
        for i in range(b):
            for j in range(c):
                ref = sc.lowpass(x[i, j], int(kk[i, j]), nyquist=nyquist, method=method)
                np.testing.assert_allclose(out[i, j], np.asarray(ref), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_per_sample_keep_non_trailing_axes(method: str) -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 3, 6, 2))  # pooled axes 0 and 2; batch shape (3, 2)
    keep = np.array([[1, 5], [6, 2], [4, 4]])
    out = np.asarray(sc.lowpass(x, keep, axes=(0, 2), method=method))
    for i in range(3):
        for j in range(2):
            ref = sc.lowpass(x[:, i, :, j], int(keep[i, j]), axes=(0, 1), method=method)
            np.testing.assert_allclose(out[:, i, :, j], np.asarray(ref), rtol=1e-12, atol=1e-12)
