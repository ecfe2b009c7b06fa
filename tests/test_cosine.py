"""The cosine basis (``boundary="symmetric"``, DCT-II) against ``scipy.fft.dct``/``idct`` and its algebra.

Notation (one axis): C = pool_matrix(n, m, boundary="symmetric") (m x n), U = upsample_matrix(m, n, ...) (n x m).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _support import assert_close, dct_lowpass_axes, dct_resize_axes, xp_asarray
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, cases

import spectralcore as sc

SYM: dict[str, Any] = {"boundary": "symmetric"}
NORMS = ["amplitude", "ortho"]
METHODS = ["matmul", "fft"]
TOL = 1e-12


@st.composite
def n_and_m(draw: st.DrawFn, max_n: int = 24) -> tuple[int, int]:
    n = draw(st.integers(1, max_n))
    return n, draw(st.integers(1, n))


def C(n: int, m: int, norm: str = "amplitude") -> np.ndarray:
    return np.asarray(sc.pool_matrix(n, m, norm=norm, xp=np, **SYM))


def U(m: int, n: int, norm: str = "amplitude") -> np.ndarray:
    return np.asarray(sc.upsample_matrix(m, n, norm=norm, xp=np, **SYM))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("method", METHODS)
@given(case=cases("pool", max_n=24))
def test_pool_matches_the_dct_oracle(case: Case, method: str, norm: str) -> None:
    out = sc.spectral_pool(case.x, case.size_arg, norm=norm, method=method, **SYM, **case.kwargs)
    assert_close(out, dct_resize_axes(case.x, case.sizes, case.norm_axes, norm), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("method", METHODS)
@given(case=cases("upsample", max_n=16))
def test_upsample_matches_the_dct_oracle(case: Case, method: str, norm: str) -> None:
    out = sc.spectral_upsample(case.x, case.size_arg, norm=norm, method=method, **SYM, **case.kwargs)
    assert_close(out, dct_resize_axes(case.x, case.sizes, case.norm_axes, norm), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("resize", max_n=12, max_axes=4))
def test_resize_matches_the_dct_oracle(case: Case, method: str) -> None:
    out = sc.spectral_resize(case.x, case.size_arg, method=method, **SYM, **case.kwargs)
    assert_close(out, dct_resize_axes(case.x, case.sizes, case.norm_axes), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("keep", max_n=20))
def test_lowpass_keeps_the_first_coefficients(case: Case, method: str) -> None:
    out = sc.lowpass(case.x, case.size_arg, method=method, **SYM, **case.kwargs)
    assert_close(out, dct_lowpass_axes(case.x, case.sizes, case.norm_axes), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("norm", NORMS)
@given(nm=n_and_m())
def test_pool_after_upsample_is_the_identity_and_the_reverse_a_projection(nm: tuple[int, int], norm: str) -> None:
    n, m = nm
    c, u = C(n, m, norm), U(m, n, norm)
    np.testing.assert_allclose(c @ u, np.eye(m), atol=TOL)  # D U = I
    p = u @ c
    np.testing.assert_allclose(p, np.asarray(sc.lowpass_matrix(n, m, xp=np, **SYM)), atol=TOL)
    np.testing.assert_allclose(p, p.T, atol=TOL)  # orthogonal projection: symmetric ...
    np.testing.assert_allclose(p @ p, p, atol=TOL)  # ... and idempotent
    np.testing.assert_allclose(np.trace(p), m, atol=1e-10)  # of rank m


@given(nm=n_and_m())
def test_ortho_rows_are_orthonormal_and_pooling_is_the_adjoint(nm: tuple[int, int]) -> None:
    n, m = nm
    c = C(n, m, "ortho")
    np.testing.assert_allclose(c @ c.T, np.eye(m), atol=TOL)  # no Nyquist gain, whatever the parity
    np.testing.assert_allclose(c, U(m, n, "ortho").T, atol=1e-14)
    np.testing.assert_allclose(C(n, m), c * math.sqrt(m / n), atol=1e-14)  # amplitude = ortho * sqrt(out/in)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("resize", max_n=16))
def test_amplitude_keeps_the_mean_and_constants(case: Case, method: str) -> None:
    axes = case.norm_axes
    out = np.asarray(sc.spectral_resize(case.x, case.size_arg, method=method, **SYM, **case.kwargs))
    np.testing.assert_allclose(out.mean(axis=axes), case.x.mean(axis=axes), atol=1e-12)
    const = np.full_like(case.x, -1.5)
    kept = sc.spectral_resize(const, case.size_arg, method=method, **SYM, **case.kwargs)
    assert_close(kept, np.full(out.shape, -1.5), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_real_map_stays_real_in_its_dtype(method: str, dtype: type) -> None:
    x = np.random.default_rng(0).standard_normal((2, 11, 10)).astype(dtype)
    for out in [
        sc.spectral_pool(x, (5, 6), method=method, **SYM),
        sc.spectral_upsample(x, (13, 16), method=method, **SYM),
        sc.lowpass(x, 3, method=method, **SYM),
        sc.spectral_pool(x, 4, keep=np.array([2, 3]), method=method, **SYM),
    ]:
        assert out.dtype == dtype
        assert np.isrealobj(out)


@pytest.mark.parametrize("n", list(range(1, 14)))
def test_the_cosine_basis_diagonalises_the_lowpass(n: int) -> None:
    from scipy import fft

    q = np.asarray(sc.real_fourier_basis(n, xp=np, **SYM))
    np.testing.assert_allclose(q.T @ q, np.eye(n), atol=TOL)
    np.testing.assert_allclose(q, fft.idct(np.eye(n), type=2, norm="ortho", axis=0), atol=TOL)  # columns: DCT modes
    table = np.asarray(sc.lowpass_mask_table(n, xp=np, **SYM))
    np.testing.assert_array_equal(table, np.tril(np.ones((n, n))))  # keep k: the first k coefficients
    for k in range(1, n + 1):
        lk = np.asarray(sc.lowpass_matrix(n, k, xp=np, **SYM))
        np.testing.assert_allclose(lk, q @ np.diag(table[k - 1]) @ q.T, atol=TOL)


@given(n=st.integers(1, 16), data=st.data())
def test_the_fused_table_is_lowpass_times_pool(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(1, n))
    norm = data.draw(st.sampled_from(NORMS))
    table = np.asarray(sc.pool_dropout_table(n, m, norm=norm, xp=np, **SYM))
    for k in range(1, m + 1):
        expected = np.asarray(sc.lowpass_matrix(m, k, xp=np, **SYM)) @ C(n, m, norm)
        np.testing.assert_allclose(table[k - 1], expected, atol=1e-13)


@pytest.mark.parametrize("method", ["matmul", "fft", "auto"])
@given(case=cases("pool", max_n=20), data=st.data())
def test_frequency_dropout_in_the_cosine_basis(case: Case, data: st.DataObject, method: str) -> None:
    batch = tuple(s for d, s in enumerate(case.x.shape) if d not in case.norm_axes)
    seed = data.draw(st.integers(0, 2**32 - 1))
    keep = np.random.default_rng(seed).integers(1, min(case.sizes) + 1, size=batch)
    out = sc.spectral_pool(case.x, case.size_arg, keep=keep, method=method, **SYM, **case.kwargs)
    pooled = dct_resize_axes(case.x, case.sizes, case.norm_axes)
    moved = np.moveaxis(pooled, case.norm_axes, range(-len(case.norm_axes), 0))
    expected = np.empty_like(moved)
    for index in np.ndindex(*batch):
        expected[index] = dct_lowpass_axes(
            moved[index], (int(keep[index]),) * len(case.norm_axes), range(moved[index].ndim)
        )
    expected = np.moveaxis(expected, range(-len(case.norm_axes), 0), case.norm_axes)
    assert_close(out, expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("method", METHODS)
def test_cosine_basis_on_every_backend(xp: Any, device: Any, method: str) -> None:
    x_np = np.random.default_rng(1).standard_normal((2, 3, 9, 8))
    x = xp_asarray(x_np, xp, device, dtype=xp.float64)
    keep_np = np.array([[1, 4, 2], [3, 3, 4]])
    cases_ = [
        (sc.spectral_pool(x, (5, 4), method=method, **SYM), dct_resize_axes(x_np, (5, 4), (2, 3))),
        (
            sc.spectral_upsample(x, (11, 12), norm="ortho", method=method, **SYM),
            dct_resize_axes(x_np, (11, 12), (2, 3), "ortho"),
        ),
        (
            sc.spectral_pool(x, 4, keep=xp_asarray(keep_np, xp, device), method=method, check_keep=False, **SYM),
            sc.spectral_pool(x_np, 4, keep=keep_np, **SYM),
        ),
    ]
    for out, expected in cases_:
        assert_close(out, expected, rtol=TOL, atol=TOL, xp=xp, device=device)


def test_cosine_pooling_gradient_is_the_transpose() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(2, 9, 8, dtype=torch.float64, requires_grad=True)
    g = torch.randn(2, 4, 5, dtype=torch.float64)
    for method in METHODS:
        (grad,) = torch.autograd.grad(sc.spectral_pool(x, (4, 5), method=method, **SYM), x, g)
        np.testing.assert_allclose(grad.numpy(), np.einsum("ai,...ab,bj->...ij", C(9, 4), g.numpy(), C(8, 5)), atol=TOL)
