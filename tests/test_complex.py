"""Complex input: the operators are real, so complex-linear; against ``scipy.signal.resample`` of each part and,
with SciPy >= 1.16, on the complex arrays themselves."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _support import assert_close, dct_resize_axes, scipy_resample_complex_axes, to_numpy, xp_asarray
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, cases

import spectralcore as sc

METHODS = ["matmul", "fft"]
TOL = 1e-12


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("pool", max_n=24, dtype=np.complex128))
def test_complex_pool_matches_scipy_resample(case: Case, method: str) -> None:
    out = sc.spectral_pool(case.x, case.size_arg, method=method, **case.kwargs)
    assert_close(out, scipy_resample_complex_axes(case.x, case.sizes, case.norm_axes), rtol=TOL, atol=TOL)


def _scipy_version() -> tuple[int, int]:
    import scipy

    major, minor = scipy.__version__.split(".")[:2]
    return int(major), int(minor)


# Before 1.16, scipy.signal.resample kept one side of an even output's Nyquist bin on complex input.
@pytest.mark.skipif(_scipy_version() < (1, 16), reason="scipy < 1.16: complex resample keeps one Nyquist side")
@pytest.mark.parametrize("method", METHODS)
@given(case=cases("resize", max_n=16, dtype=np.complex128, max_axes=3))
def test_complex_resize_matches_scipy_complex_path(case: Case, method: str) -> None:
    from scipy import signal

    out = sc.spectral_resize(case.x, case.size_arg, method=method, **case.kwargs)
    expected = np.asarray(case.x, dtype=np.complex128)
    for ax, m in zip(case.norm_axes, case.sizes, strict=True):
        expected = signal.resample(expected, m, axis=ax)
    assert_close(out, expected, rtol=TOL, atol=TOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("upsample", max_n=16, dtype=np.complex128))
def test_complex_upsample_matches_scipy_resample(case: Case, method: str) -> None:
    out = sc.spectral_upsample(case.x, case.size_arg, method=method, **case.kwargs)
    assert_close(out, scipy_resample_complex_axes(case.x, case.sizes, case.norm_axes), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("resize", max_n=16, dtype=np.complex128, max_axes=4))
def test_complex_resize_matches_scipy_resample(case: Case, method: str) -> None:
    out = sc.spectral_resize(case.x, case.size_arg, method=method, **case.kwargs)
    assert_close(out, scipy_resample_complex_axes(case.x, case.sizes, case.norm_axes), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("boundary", ["periodic", "symmetric"])
@pytest.mark.parametrize("method", METHODS)
@given(case=cases("keep", max_n=20, dtype=np.complex128), data=st.data())
def test_every_operator_acts_on_real_and_imaginary_parts_alike(
    case: Case, data: st.DataObject, method: str, boundary: str
) -> None:
    """op(a + ib) == op(a) + i op(b), for pooling (with and without dropout), upsampling and low-pass."""
    nyquist = data.draw(st.sampled_from(["sum", "average"])) if boundary == "periodic" else "sum"
    norm = data.draw(st.sampled_from(["amplitude", "ortho"]))
    kw: dict[str, Any] = dict(method=method, boundary=boundary, **case.kwargs)
    real, imag = case.x.real.copy(), case.x.imag.copy()
    keep = tuple(data.draw(st.integers(1, m)) for m in case.sizes)
    big = tuple(n + m for n, m in zip(case.in_sizes, case.sizes, strict=True))
    operators = [
        lambda a: sc.spectral_pool(a, case.sizes, norm=norm, nyquist=nyquist, **kw),
        lambda a: sc.spectral_pool(a, case.sizes, keep=keep, norm=norm, nyquist=nyquist, **kw),
        lambda a: sc.spectral_upsample(a, big, norm=norm, **kw),
        lambda a: sc.lowpass(a, case.sizes, nyquist=nyquist, **kw),
    ]
    for op in operators:
        out = op(case.x)
        assert out.dtype == np.complex128
        np.testing.assert_allclose(out, np.asarray(op(real)) + 1j * np.asarray(op(imag)), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("method", METHODS)
def test_complex_symmetric_pool_matches_the_dct_oracle(method: str) -> None:
    rng = np.random.default_rng(5)
    z = rng.standard_normal((3, 9, 8)) + 1j * rng.standard_normal((3, 9, 8))
    out = sc.spectral_pool(z, (4, 5), boundary="symmetric", method=method)
    np.testing.assert_allclose(out, dct_resize_axes(z, (4, 5), (1, 2)), atol=TOL)


def test_a_per_sample_band_on_complex_input() -> None:
    rng = np.random.default_rng(6)
    z = rng.standard_normal((4, 2, 10, 10)) + 1j * rng.standard_normal((4, 2, 10, 10))
    keep = np.array([[1], [3], [5], [2]])
    out = sc.spectral_pool(z, 5, keep=keep)
    for b in range(4):
        alone = sc.lowpass(sc.spectral_pool(z[b], 5), int(keep[b, 0]))
        np.testing.assert_allclose(out[b], alone, atol=TOL)


@pytest.mark.parametrize(("dtype", "cdtype", "tol"), [("float32", "complex64", 2e-5), ("float64", "complex128", 1e-12)])
@pytest.mark.parametrize("method", ["matmul", "fft", "auto"])
def test_complex_on_every_backend_keeps_its_dtype(
    xp: Any, device: Any, method: str, dtype: str, cdtype: str, tol: float
) -> None:
    rng = np.random.default_rng(7)
    z_np = rng.standard_normal((2, 3, 9, 8)) + 1j * rng.standard_normal((2, 3, 9, 8))
    z = xp_asarray(z_np, xp, device, dtype=getattr(xp, cdtype))
    rounded = to_numpy(z).astype(np.complex128)
    for out, expected in [
        (sc.spectral_pool(z, (4, 5), method=method), scipy_resample_complex_axes(rounded, (4, 5), (2, 3))),
        (sc.spectral_upsample(z, (10, 12), method=method), scipy_resample_complex_axes(rounded, (10, 12), (2, 3))),
        (sc.spectral_resize(z, (12, 3), method=method), scipy_resample_complex_axes(rounded, (12, 3), (2, 3))),
    ]:
        assert_close(out, expected, rtol=tol, atol=tol, xp=xp, device=device, dtype=getattr(xp, cdtype))


def test_complex_gradients_in_torch_are_the_adjoint() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    z = torch.asarray(rng.standard_normal((2, 7, 6)) + 1j * rng.standard_normal((2, 7, 6)), requires_grad=True)
    g = torch.asarray(rng.standard_normal((2, 3, 4)) + 1j * rng.standard_normal((2, 3, 4)))
    y = sc.spectral_pool(z, (3, 4))
    (grad,) = torch.autograd.grad(y, z, g)
    d1 = sc.pool_matrix(7, 3, xp=np)
    d2 = sc.pool_matrix(6, 4, xp=np)
    # A real linear map's complex gradient (PyTorch's conjugate Wirtinger convention) is its transpose applied to g.
    np.testing.assert_allclose(grad.numpy(), np.einsum("ai,...ab,bj->...ij", d1, g.numpy(), d2), atol=TOL)


def test_complex_filter_maps_are_part_by_part_and_unitary() -> None:
    rng = np.random.default_rng(9)
    w = rng.standard_normal((4, 3, 5)) + 1j * rng.standard_normal((4, 3, 5))
    for method in METHODS:
        theta = sc.spatial_to_spectral(w, method=method)
        assert theta.dtype == np.complex128
        expected = sc.spatial_to_spectral(w.real) + 1j * sc.spatial_to_spectral(w.imag)
        np.testing.assert_allclose(theta, expected, atol=TOL)
        np.testing.assert_allclose(sc.spectral_to_spatial(theta, method=method), w, atol=TOL)
        np.testing.assert_allclose(np.linalg.norm(theta, axis=(1, 2)), np.linalg.norm(w, axis=(1, 2)), rtol=TOL)
