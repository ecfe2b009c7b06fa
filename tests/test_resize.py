"""``spectral_resize``: every axis to its own length in one call, equal to ``scipy.signal.resample`` axis by axis."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _support import assert_close, scipy_resample_axes, xp_asarray
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, cases

import spectralcore as sc

METHODS = ["matmul", "fft", "auto"]
TOL = 1e-12


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("resize", max_n=20, max_axes=4))
def test_resize_matches_scipy_resample_on_one_to_four_axes(case: Case, method: str) -> None:
    out = sc.spectral_resize(case.x, case.size_arg, method=method, **case.kwargs)
    assert_close(out, scipy_resample_axes(case.x, case.sizes, case.norm_axes), rtol=TOL, atol=TOL)


@pytest.mark.parametrize("nyquist", ["sum", "average"])
@pytest.mark.parametrize("norm", ["amplitude", "ortho"])
@given(case=cases("resize", max_n=16))
def test_resize_is_pooling_then_upsampling_axis_by_axis(case: Case, norm: str, nyquist: str) -> None:
    shrunk = tuple(min(n, m) for n, m in zip(case.in_sizes, case.sizes, strict=True))
    two_step = sc.spectral_upsample(
        sc.spectral_pool(case.x, shrunk, norm=norm, nyquist=nyquist, **case.kwargs),
        case.sizes,
        norm=norm,
        **case.kwargs,
    )
    out = sc.spectral_resize(case.x, case.size_arg, norm=norm, nyquist=nyquist, **case.kwargs)
    assert_close(out, np.asarray(two_step), rtol=1e-11, atol=1e-11)
    factor = math.prod(math.sqrt(n / m) for n, m in zip(case.in_sizes, case.sizes, strict=True))
    amplitude = sc.spectral_resize(case.x, case.size_arg, nyquist=nyquist, **case.kwargs)
    if norm == "ortho":
        np.testing.assert_allclose(out, np.asarray(amplitude) * factor, atol=1e-11)


@pytest.mark.parametrize("boundary", ["periodic", "symmetric"])
@given(n=st.integers(1, 20), m=st.integers(1, 20))
def test_resize_matrix_is_the_function_on_the_identity(n: int, m: int, boundary: str) -> None:
    matrix = sc.resize_matrix(n, m, boundary=boundary, xp=np)
    assert_close(matrix, np.zeros((m, n)), rtol=0, atol=0, check_values=False)
    for method in ("matmul", "fft"):
        out = sc.spectral_resize(np.eye(n), m, axes=0, boundary=boundary, method=method)
        np.testing.assert_allclose(out, matrix, atol=TOL)
    expected = (
        sc.pool_matrix(n, m, boundary=boundary, xp=np) if m <= n else sc.upsample_matrix(n, m, boundary=boundary, xp=np)
    )
    np.testing.assert_array_equal(matrix, expected)


def test_equal_sizes_return_the_input_itself() -> None:
    x = np.random.default_rng(0).standard_normal((2, 5, 6))
    assert sc.spectral_resize(x, (5, 6)) is x


@pytest.mark.parametrize("method", ["matmul", "fft"])
def test_resize_on_every_backend(xp: Any, device: Any, method: str) -> None:
    x_np = np.random.default_rng(1).standard_normal((2, 3, 9, 8))
    for dtype, tol in (("float32", 2e-5), ("float64", TOL)):
        x = xp_asarray(x_np, xp, device, dtype=getattr(xp, dtype))
        out = sc.spectral_resize(x, (4, 13), method=method)
        expected = scipy_resample_axes(x_np, (4, 13), (2, 3)).astype(dtype)
        assert_close(out, expected, rtol=tol, atol=tol, xp=xp, device=device)


def test_resize_gradient_in_torch_is_the_transpose() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(2, 9, 6, dtype=torch.float64, requires_grad=True)
    g = torch.randn(2, 4, 11, dtype=torch.float64)
    for method in ("matmul", "fft"):
        (grad,) = torch.autograd.grad(sc.spectral_resize(x, (4, 11), method=method), x, g)
        r1, r2 = sc.resize_matrix(9, 4, xp=np), sc.resize_matrix(6, 11, xp=np)
        np.testing.assert_allclose(grad.numpy(), np.einsum("ai,...ab,bj->...ij", r1, g.numpy(), r2), atol=TOL)
