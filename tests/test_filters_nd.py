"""The filter parameterization for kernels of 1, 2 and 3 axes: exactly prod(k) reals, Hermitian layout, orthogonal."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest
from _support import assert_close, hermitian_pairs, xp_asarray
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

NORMS = ["ortho", "backward", "forward"]
METHODS = ["matmul", "fft"]
TOL = 1e-11


@dataclasses.dataclass(frozen=True)
class Kernels:
    w: np.ndarray
    axes: tuple[int, ...]  # as passed
    norm_axes: tuple[int, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.w.shape[a] for a in self.norm_axes)


@st.composite
def kernels(draw: st.DrawFn) -> Kernels:
    """A stack of kernels of 1, 2 or 3 axes (sizes 1..6), with 0..2 batch dims, the kernel axes anywhere."""
    count = draw(st.integers(1, 3))
    n_batch = draw(st.integers(0, 2))
    ndim = n_batch + count
    positions = tuple(draw(st.permutations(range(ndim)))[:count])
    shape = [draw(st.integers(1, 3)) for _ in range(ndim)]
    for p in positions:
        shape[p] = draw(st.integers(1, 6 if count < 3 else 4))
    axes = tuple(p - ndim if draw(st.booleans()) else p for p in positions)
    w = np.random.default_rng(draw(st.integers(0, 2**32 - 1))).standard_normal(shape)
    return Kernels(w, axes, positions)


def expected_theta(w: np.ndarray, norm: str) -> np.ndarray:
    """The documented layout, from ``numpy.fft.fftn`` of one kernel (all axes are kernel axes).

    A bin is stored in place when it is its own mirror; else the canonical bin of the pair (the first axis from
    the end whose index is not self-conjugate has it in its lower half) stores its real part at its position and
    its imaginary part at the mirror position. Under "ortho" paired entries carry sqrt(2).
    """
    c = np.fft.fftn(w, norm=norm)
    scale = math.sqrt(2) if norm == "ortho" else 1.0
    theta = np.zeros(w.shape)
    for index in np.ndindex(*w.shape):
        mirror = tuple((-i) % k for i, k in zip(index, w.shape, strict=True))
        if mirror == index:
            theta[index] = c[index].real
            continue
        canonical = next(0 < 2 * i < k for i, k in zip(reversed(index), reversed(w.shape), strict=True) if 2 * i % k)
        if canonical:
            theta[index] = scale * c[index].real
            theta[mirror] = scale * c[index].imag
    return theta


@pytest.mark.parametrize("norm", NORMS)
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), seed=st.integers(0, 2**32 - 1))
def test_theta_is_the_documented_layout(shape: list[int], seed: int, norm: str) -> None:
    w = np.random.default_rng(seed).standard_normal(shape)
    axes = tuple(range(len(shape)))
    for method in METHODS:
        theta = sc.spatial_to_spectral(w, axes=axes, norm=norm, method=method)
        np.testing.assert_allclose(theta, expected_theta(w, norm), atol=1e-12 * max(1, w.size))


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("method", METHODS)
@given(k=kernels())
def test_round_trip_is_exact_with_exactly_prod_k_reals(k: Kernels, norm: str, method: str) -> None:
    kw: dict[str, Any] = dict(axes=k.axes, norm=norm, method=method)
    theta = sc.spatial_to_spectral(k.w, **kw)
    assert_close(theta, k.w, rtol=0, atol=0, check_values=False)  # same shape: prod(k) reals per kernel
    self_conjugate, pairs = hermitian_pairs(k.shape)
    assert self_conjugate + 2 * pairs == math.prod(k.shape)
    assert_close(sc.spectral_to_spatial(theta, **kw), k.w, rtol=TOL, atol=TOL)
    theta2 = np.random.default_rng(1).standard_normal(k.w.shape)  # every theta is valid: a bijection
    assert_close(sc.spatial_to_spectral(sc.spectral_to_spatial(theta2, **kw), **kw), theta2, rtol=TOL, atol=TOL)


@given(k=kernels())
def test_ortho_preserves_every_kernel_norm(k: Kernels) -> None:
    theta = sc.spatial_to_spectral(k.w, axes=k.axes)
    np.testing.assert_allclose(
        np.sqrt(np.sum(theta**2, axis=k.norm_axes)), np.sqrt(np.sum(k.w**2, axis=k.norm_axes)), rtol=1e-12
    )


@pytest.mark.parametrize("norm", NORMS)
@given(k=kernels())
def test_spectral_to_complex_is_the_exactly_hermitian_fft(k: Kernels, norm: str) -> None:
    theta = np.random.default_rng(2).standard_normal(k.w.shape)
    c = np.asarray(sc.spectral_to_complex(theta, axes=k.axes, norm=norm))
    w = np.asarray(sc.spectral_to_spatial(theta, axes=k.axes, norm=norm))
    np.testing.assert_allclose(c, np.fft.fftn(w, axes=k.norm_axes, norm=norm), atol=TOL)
    mirrored = c
    for ax in k.norm_axes:
        mirrored = np.roll(np.flip(mirrored, axis=ax), 1, axis=ax)
    assert np.array_equal(c, np.conj(mirrored))  # bit for bit


@pytest.mark.parametrize("norm", NORMS)
@given(k=kernels())
def test_fft_equals_matmul(k: Kernels, norm: str) -> None:
    scale = math.prod(k.shape) if norm == "backward" else 1.0
    for fn in (sc.spatial_to_spectral, sc.spectral_to_spatial):
        a = fn(k.w, axes=k.axes, norm=norm, method="fft")
        b = fn(k.w, axes=k.axes, norm=norm, method="matmul")
        assert_close(a, np.asarray(b), rtol=TOL, atol=TOL * scale)


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("shape", [(5,), (4,), (1,), (3, 3), (2, 5), (3, 3, 3), (2, 4, 3), (4, 4, 4)])
def test_filter_basis_matrix_of_one_two_and_three_sizes(shape: tuple[int, ...], norm: str) -> None:
    count = math.prod(shape)
    b = np.asarray(sc.filter_basis_matrix(*shape, norm=norm, xp=np))
    b_inv = np.asarray(sc.filter_basis_matrix(*shape, norm=norm, inverse=True, xp=np))
    assert b.shape == (count, count)
    np.testing.assert_allclose(b_inv @ b, np.eye(count), atol=1e-12)
    eye = np.eye(count).reshape(count, *shape)  # the matrix is the map applied to the standard basis
    axes = tuple(range(1, len(shape) + 1))
    np.testing.assert_allclose(
        b, np.asarray(sc.spectral_to_spatial(eye, axes=axes, norm=norm)).reshape(count, -1).T, atol=1e-12
    )
    if norm == "ortho":
        np.testing.assert_allclose(b.T @ b, np.eye(count), atol=1e-12)


def test_two_axes_keep_the_first_release_layout() -> None:
    """The 2-D parameters of the first release, written out for 4 x 4 (so saved spectral weights keep their meaning).

    Self-conjugate (0,0), (0,2), (2,0), (2,2) in place; columns 0 < v < 2 (v = 1) canonical; in the edge columns
    0 and 2, row 1 is canonical and row 3 holds its imaginary part.
    """
    w = np.random.default_rng(3).standard_normal((4, 4))
    c = np.fft.fft2(w, norm="ortho")
    s = math.sqrt(2)
    theta = np.asarray(sc.spatial_to_spectral(w))
    for u, v in [(0, 0), (0, 2), (2, 0), (2, 2)]:
        assert theta[u, v] == pytest.approx(c[u, v].real)
    for u in range(4):
        assert theta[u, 1] == pytest.approx(s * c[u, 1].real)
        assert theta[(-u) % 4, 3] == pytest.approx(s * c[u, 1].imag)
    for v in (0, 2):
        assert theta[1, v] == pytest.approx(s * c[1, v].real)
        assert theta[3, v] == pytest.approx(s * c[1, v].imag)


@pytest.mark.parametrize("method", ["matmul", "fft", "auto"])
def test_one_and_three_axes_on_every_backend(xp: Any, device: Any, method: str) -> None:
    rng = np.random.default_rng(4)
    for shape, axes in (((6, 2, 5), -1), ((2, 3, 3, 4, 3), (2, 3, 4))):
        w_np = rng.standard_normal(shape)
        w = xp_asarray(w_np, xp, device, dtype=xp.float64)
        theta = sc.spatial_to_spectral(w, axes=axes, method=method)
        assert_close(
            theta,
            np.asarray(sc.spatial_to_spectral(w_np, axes=axes, method="matmul")),
            rtol=TOL,
            atol=TOL,
            xp=xp,
            device=device,
        )
        assert_close(
            sc.spectral_to_spatial(theta, axes=axes, method=method), w_np, rtol=TOL, atol=TOL, xp=xp, device=device
        )


def test_kernel_axes_are_one_to_three() -> None:
    w = np.zeros((2, 2, 2, 2))
    with pytest.raises(ValueError, match="1, 2 or 3 kernel axes"):
        sc.spatial_to_spectral(w, axes=(0, 1, 2, 3))
    with pytest.raises(ValueError, match="1, 2 or 3 kernel sizes"):
        sc.filter_basis_matrix(2, 2, 2, 2, xp=np)
    with pytest.raises(ValueError, match=r"\bkd\b"):
        sc.filter_basis_matrix(0, 3, 3, xp=np)
