"""The spectral filter parameterization: theta (kh*kw reals) <-> spatial kernel w (NumPy, float64)."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from _support import assert_close
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

NORMS = ["ortho", "backward", "forward"]
METHODS = ["matmul", "fft"]
TOL = 1e-12


@dataclasses.dataclass(frozen=True)
class Kernels:
    w: np.ndarray
    axes: tuple[int, ...]  # as passed
    norm_axes: tuple[int, ...]
    kwargs: dict[str, Any]

    @property
    def kh(self) -> int:
        return self.w.shape[self.norm_axes[0]]

    @property
    def kw(self) -> int:
        return self.w.shape[self.norm_axes[1]]


@st.composite
def kernels(draw: st.DrawFn) -> Kernels:
    """A stack of kh x kw kernels (kh, kw in 1..7) with 0..2 batch dims, the kernel axes anywhere."""
    n_batch = draw(st.integers(0, 2))
    ndim = n_batch + 2
    kh, kw = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    positions = draw(st.permutations(range(ndim)))[:2]
    shape = [draw(st.integers(1, 3)) for _ in range(ndim)]
    shape[positions[0]], shape[positions[1]] = kh, kw
    axes = tuple(p - ndim if draw(st.booleans()) else p for p in positions)
    kwargs: dict[str, Any] = {"axes": axes}
    if tuple(positions) == (ndim - 2, ndim - 1) and draw(st.booleans()):
        kwargs = {}
    w = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).standard_normal(shape)
    return Kernels(w, axes, tuple(positions), kwargs)


def _per_kernel(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """Reshape to (batch, kh * kw) with the kernel axes last, in the given order."""
    moved = np.moveaxis(a, axes, (-2, -1))
    return moved.reshape(-1, moved.shape[-2] * moved.shape[-1])


def _neg_freq(c: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """c evaluated at (-u, -v): flip then roll by one along each kernel axis."""
    for ax in axes:
        c = np.roll(np.flip(c, axis=ax), 1, axis=ax)
    return c


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("norm", NORMS)
@given(k=kernels())
def test_round_trip_is_exact(k: Kernels, norm: str, method: str) -> None:
    kw = dict(norm=norm, method=method, **k.kwargs)
    theta = sc.spatial_to_spectral(k.w, **kw)
    assert_close(theta, k.w, rtol=0, atol=0, check_values=False)  # kh*kw reals per kernel, same shape
    back = sc.spectral_to_spatial(theta, **kw)
    assert_close(back, k.w, rtol=TOL, atol=TOL)
    # and the other way round: every theta is a valid parameter (the map is a bijection of R^(kh kw))
    theta2 = np.random.default_rng(1).standard_normal(k.w.shape)
    again = sc.spatial_to_spectral(sc.spectral_to_spatial(theta2, **kw), **kw)
    assert_close(again, theta2, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("norm", NORMS)
@given(k=kernels())
def test_fft_equals_matmul(k: Kernels, norm: str) -> None:
    for fn in (sc.spatial_to_spectral, sc.spectral_to_spatial):
        a = fn(k.w, norm=norm, method="fft", **k.kwargs)
        b = fn(k.w, norm=norm, method="matmul", **k.kwargs)
        c = fn(k.w, norm=norm, method="auto", **k.kwargs)
        scale = k.kh * k.kw if norm == "backward" else 1.0
        assert_close(a, np.asarray(b), rtol=1e-11, atol=1e-11 * scale)
        assert_close(c, np.asarray(b), rtol=1e-11, atol=1e-11 * scale)


@given(k=kernels())
def test_ortho_preserves_the_norm_of_every_kernel(k: Kernels) -> None:
    """||theta|| == ||w|| per kernel: weight decay on theta is weight decay on w."""
    theta = np.asarray(sc.spatial_to_spectral(k.w, norm="ortho", **k.kwargs))
    np.testing.assert_allclose(
        np.linalg.norm(_per_kernel(theta, k.norm_axes), axis=1),
        np.linalg.norm(_per_kernel(k.w, k.norm_axes), axis=1),
        rtol=1e-12,
    )


@pytest.mark.parametrize("norm", NORMS)
@given(k=kernels())
def test_spectral_to_complex_is_the_fft_and_exactly_hermitian(k: Kernels, norm: str) -> None:
    theta = sc.spatial_to_spectral(k.w, norm=norm, **k.kwargs)
    c = sc.spectral_to_complex(theta, norm=norm, **k.kwargs)
    ref = np.fft.fftn(k.w, axes=k.norm_axes, norm=norm)
    assert_close(c, ref, rtol=1e-11, atol=1e-11)
    c = np.asarray(c)
    # bit-for-bit: c[u, v] == conj(c[-u, -v]); in particular the self-conjugate bins are real
    assert np.array_equal(c, np.conj(_neg_freq(c, k.norm_axes)))
    # and an arbitrary theta also gives a Hermitian spectrum, the FFT of its spatial kernel
    theta2 = np.random.default_rng(2).standard_normal(k.w.shape)
    c2 = np.asarray(sc.spectral_to_complex(theta2, norm=norm, **k.kwargs))
    assert np.array_equal(c2, np.conj(_neg_freq(c2, k.norm_axes)))
    w2 = np.asarray(sc.spectral_to_spatial(theta2, norm=norm, **k.kwargs))
    np.testing.assert_allclose(c2, np.fft.fftn(w2, axes=k.norm_axes, norm=norm), atol=1e-11)


@pytest.mark.parametrize("norm", NORMS)
@given(kh=st.integers(1, 7), kw=st.integers(1, 7), seed=st.integers(0, 2**32 - 1))
def test_theta_holds_the_real_and_imaginary_parts_of_half_the_spectrum(kh: int, kw: int, seed: int, norm: str) -> None:
    """Exactly kh*kw numbers: Re of each self-conjugate bin, Re and Im of one bin of every pair.

    Raw parts for "backward"/"forward"; under "ortho" the paired entries carry sqrt(2). (Which bin
    of a pair is stored, hence the sign of its imaginary part, is a layout choice: compare |.|.)
    """
    w = np.random.default_rng(seed).standard_normal((kh, kw))
    theta = np.asarray(sc.spatial_to_spectral(w, norm=norm))
    c = np.fft.fft2(w, norm=norm)
    scale = math.sqrt(2) if norm == "ortho" else 1.0
    expected = []
    for u in range(kh):
        for v in range(kw):
            pu, pv = (-u) % kh, (-v) % kw
            if (pu, pv) == (u, v):
                expected.append(abs(c[u, v].real))
            elif (u, v) < (pu, pv):
                expected += [scale * abs(c[u, v].real), scale * abs(c[u, v].imag)]
    assert len(expected) == kh * kw
    np.testing.assert_allclose(np.sort(np.abs(theta).ravel()), np.sort(expected), atol=1e-12)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize(("kh", "kw"), [(1, 1), (1, 4), (3, 3), (4, 4), (2, 5), (6, 3), (7, 7)])
def test_filter_basis_matrix(kh: int, kw: int, norm: str) -> None:
    b = sc.filter_basis_matrix(kh, kw, norm=norm, xp=np)
    assert_close(b, np.zeros((kh * kw, kh * kw)), rtol=0, atol=0, check_values=False)
    b = np.asarray(b)
    b_inv = np.asarray(sc.filter_basis_matrix(kh, kw, norm=norm, inverse=True, xp=np))
    np.testing.assert_allclose(b_inv @ b, np.eye(kh * kw), atol=1e-12)
    assert np.linalg.matrix_rank(b) == kh * kw  # kh*kw free real parameters, no redundancy
    theta = np.random.default_rng(3).standard_normal((5, kh, kw))
    w = np.asarray(sc.spectral_to_spatial(theta, norm=norm))
    np.testing.assert_allclose(w.reshape(5, -1), theta.reshape(5, -1) @ b.T, atol=1e-12)
    np.testing.assert_allclose(
        np.asarray(sc.spatial_to_spectral(w, norm=norm)).reshape(5, -1), w.reshape(5, -1) @ b_inv.T, atol=1e-12
    )
    # the matrix is the map applied to the standard basis
    eye = np.eye(kh * kw).reshape(kh * kw, kh, kw)
    cols = np.asarray(sc.spectral_to_spatial(eye, norm=norm)).reshape(kh * kw, -1).T
    np.testing.assert_allclose(b, cols, atol=1e-12)
    if norm == "ortho":
        np.testing.assert_allclose(b.T @ b, np.eye(kh * kw), atol=1e-12)
        np.testing.assert_allclose(b_inv, b.T, atol=1e-12)


def _loss_and_grad(w: np.ndarray, a: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """L(w) = 0.5 ||A w - y||^2 on the flattened kernel stack, and dL/dw."""
    r = a @ w.ravel() - y
    return 0.5 * float(r @ r), (a.T @ r).reshape(w.shape)


@pytest.mark.parametrize(("kh", "kw"), [(3, 3), (4, 4), (2, 5), (5, 2)])
def test_plain_sgd_in_theta_is_sgd_in_w_under_ortho_only(kh: int, kw: int) -> None:
    """theta <- theta - lr * dL/dtheta maps to w <- w - lr * dL/dw exactly when B is orthogonal.

    dL/dtheta is measured by central finite differences of the quadratic loss through
    spectral_to_spatial (exact for a quadratic up to rounding), independently of the core's inverse.
    """
    rng = np.random.default_rng(4)
    shape = (2, kh, kw)
    size = int(np.prod(shape))
    a = rng.standard_normal((size + 3, size))
    y = rng.standard_normal(size + 3)
    w0 = rng.standard_normal(shape)
    lr = 0.05
    for norm in NORMS:
        theta0 = np.asarray(sc.spatial_to_spectral(w0, norm=norm))

        def loss_theta(t: np.ndarray, norm: str = norm) -> float:
            return _loss_and_grad(np.asarray(sc.spectral_to_spatial(t, norm=norm)), a, y)[0]

        g_theta = np.zeros(shape)
        h = 1e-3
        for i in np.ndindex(*shape):
            e = np.zeros(shape)
            e[i] = h
            g_theta[i] = (loss_theta(theta0 + e) - loss_theta(theta0 - e)) / (2 * h)
        _, g_w = _loss_and_grad(w0, a, y)
        w_theta_step = np.asarray(sc.spectral_to_spatial(theta0 - lr * g_theta, norm=norm))
        w_step = w0 - lr * g_w
        if norm == "ortho":
            # the gradient transforms like theta itself (B^T = B^-1) ...
            np.testing.assert_allclose(g_theta, np.asarray(sc.spatial_to_spectral(g_w, norm="ortho")), atol=1e-7)
            # ... so the two SGD trajectories coincide
            np.testing.assert_allclose(w_theta_step, w_step, atol=1e-8)
        else:
            assert np.abs(w_theta_step - w_step).max() > 1e-3
