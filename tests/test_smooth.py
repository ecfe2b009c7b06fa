"""Smooth (learnable-size) spectral pooling in the core: ``smooth_pool_size`` / ``smooth_pool_factors`` /
``smooth_pool_matrix``, against an independent oracle (sampling the FFT-masked signal), fixed pooling and the
symmetries that make it exact."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from _support import assert_close, to_numpy, xp_asarray
from hypothesis import assume, given
from hypothesis import strategies as st

import spectralcore as sc


def sampled_lowpass(x: np.ndarray, stride: float, ramp: float, m: int) -> np.ndarray:
    """Oracle: mask the DFT of ``x`` with ``clip((t + ramp - 2|k|) / ramp, 0, 1)``, ``t = n / min(stride, n)``, and
    evaluate the real trigonometric interpolant of the result at ``l * n / m`` (a sum over every bin: nothing is
    cropped or folded by hand)."""
    n = x.shape[-1]
    spectrum = np.fft.fft(x)
    k = np.fft.fftfreq(n, 1 / n)
    weights = np.clip((n / min(stride, n) + ramp - 2 * np.abs(k)) / ramp, 0, 1)
    positions = np.arange(m) * n / m
    out = np.zeros(m)
    for kk, value, w in zip(k, spectrum, weights, strict=True):
        if n % 2 == 0 and abs(kk) == n / 2:  # the input Nyquist bin interpolates as a cosine
            out += (w * value * np.cos(np.pi * positions)).real / n
        else:
            out += (w * value * np.exp(2j * np.pi * kk * positions / n)).real / n
    return out


def circular_flip(x: np.ndarray) -> np.ndarray:
    return np.roll(x[..., ::-1], 1, axis=-1)


@given(
    n=st.integers(1, 40),
    stride=st.floats(1.0, 50.0),
    ramp=st.floats(0.05, 8.0),
    seed=st.integers(0, 2**16),
)
def test_matrix_samples_the_masked_signal(n: int, stride: float, ramp: float, seed: int) -> None:
    end = n / min(stride, n) + ramp
    # Just above an integer, the size rule's tolerance (for float32 strides) drops a bin of weight below 1e-6.
    assume(end == math.floor(end) or end - math.floor(end) > 1e-5 * end)
    m = sc.smooth_pool_size(n, stride, ramp=ramp)
    assert 1 <= m <= n
    x = np.random.default_rng(seed).standard_normal(n)
    P = sc.smooth_pool_matrix(n, stride, ramp=ramp, xp=np)
    assert P.shape == (m, n)
    np.testing.assert_allclose(P @ x, sampled_lowpass(x, stride, ramp, m), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("ramp", [1.0, 0.5, 0.01])
@pytest.mark.parametrize("n", [1, 2, 5, 8, 15, 16, 28, 33])
def test_integer_target_equals_fixed_pooling_for_every_parity(n: int, ramp: float) -> None:
    for m in range(1, n + 1):
        stride = n / m
        assert sc.smooth_pool_size(n, stride, ramp=ramp) == m
        P = sc.smooth_pool_matrix(n, stride, ramp=ramp, xp=np)
        np.testing.assert_allclose(P, sc.pool_matrix(n, m, xp=np), rtol=0, atol=1e-12)
        ortho = sc.smooth_pool_matrix(n, stride, ramp=ramp, norm="ortho", xp=np)
        np.testing.assert_allclose(ortho, sc.pool_matrix(n, m, norm="ortho", xp=np), rtol=0, atol=1e-12)


def test_float32_stride_of_an_integer_target_gives_that_size() -> None:
    for n in range(2, 65):
        for m in range(1, n + 1):
            stride = float(np.float32(n / m))
            assert sc.smooth_pool_size(n, stride, ramp=1.0) == m, (n, m)


@given(n=st.integers(2, 40), stride=st.floats(1.0, 10.0), ramp=st.floats(0.1, 6.0))
def test_real_flip_equivariant_and_mean_keeping(n: int, stride: float, ramp: float) -> None:
    P = sc.smooth_pool_matrix(n, stride, ramp=ramp, xp=np)
    x = np.random.default_rng(n).standard_normal((3, n))
    np.testing.assert_allclose(circular_flip(x) @ P.T, circular_flip(x @ P.T), atol=1e-12)
    np.testing.assert_allclose(P @ np.ones(n), np.ones(P.shape[0]), atol=1e-12)  # constants stay constants
    assert np.isrealobj(P)


def test_size_rule_examples() -> None:
    assert sc.smooth_pool_size(32, 2.0) == 18  # ceil(16 + 3) - 1, the default ramp 3 adds 2
    assert sc.smooth_pool_size(32, 2.0, ramp=1.0) == 16
    assert sc.smooth_pool_size(32, 3.0, ramp=1.0) == 11  # ceil(10.67): odd
    assert sc.smooth_pool_size(32, 1.0) == 32  # never larger than the input
    assert sc.smooth_pool_size(7, 1e9, ramp=0.5) == 1  # a stride above n acts as n: one pixel, never none


@given(n=st.integers(2, 30), ramp=st.floats(0.1, 6.0))
def test_size_never_shrinks_as_the_stride_falls(n: int, ramp: float) -> None:
    strides = np.linspace(1.0, 2.0 * n, 97)[::-1]
    sizes = [sc.smooth_pool_size(n, float(s), ramp=ramp) for s in strides]
    assert sizes == sorted(sizes)


def test_factors_reproduce_the_matrix() -> None:
    n, stride, ramp = 20, 2.7, 3.0
    m = sc.smooth_pool_size(n, stride, ramp=ramp)
    left, offsets, right = sc.smooth_pool_factors(n, m, ramp=ramp, xp=np)
    weights = np.clip(n / stride / ramp + offsets, 0, 1)
    np.testing.assert_allclose(left @ np.diag(weights) @ right, sc.smooth_pool_matrix(n, stride, ramp=ramp, xp=np))


def test_array_stride_in_every_namespace(xp: Any, device: Any) -> None:
    n, stride, ramp = 24, 2.5, 3.0
    m = sc.smooth_pool_size(n, stride, ramp=ramp)
    s = xp_asarray(np.asarray(stride), xp, device=device)
    P = sc.smooth_pool_matrix(n, s, ramp=ramp, size=m)
    assert_close(P, sc.smooth_pool_matrix(n, stride, ramp=ramp, xp=np), rtol=1e-12, atol=1e-12, xp=xp, device=device)
    s32 = xp_asarray(np.asarray(stride), xp, device=device, dtype=xp.float32)
    P32 = sc.smooth_pool_matrix(n, s32, ramp=ramp, size=m)
    assert P32.dtype == xp.float32


def test_gradient_in_the_stride_matches_finite_differences() -> None:
    torch = pytest.importorskip("torch")
    n, ramp = 32, 3.0
    x = torch.randn(5, n, dtype=torch.float64)
    g = torch.randn(5, sc.smooth_pool_size(n, 2.3, ramp=ramp), dtype=torch.float64)
    for value in (2.3, 2.9, 1.7):  # sizes 16 / 13 / 20 stay put within +-1e-6
        m = sc.smooth_pool_size(n, value, ramp=ramp)
        g = torch.randn(5, m, dtype=torch.float64)
        stride = torch.tensor(value, dtype=torch.float64, requires_grad=True)
        loss = (x @ sc.smooth_pool_matrix(n, stride, ramp=ramp, size=m).T * g).sum()
        (grad,) = torch.autograd.grad(loss, stride)
        eps = 1e-6
        plus = (x @ torch.as_tensor(sc.smooth_pool_matrix(n, value + eps, ramp=ramp, xp=np)).T * g).sum()
        minus = (x @ torch.as_tensor(sc.smooth_pool_matrix(n, value - eps, ramp=ramp, xp=np)).T * g).sum()
        assert abs(float(grad)) > 1e-6
        assert math.isclose(float(grad), float(plus - minus) / (2 * eps), rel_tol=1e-5, abs_tol=1e-8)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: sc.smooth_pool_size(8, 0.5), r"argument `stride` expected a real number >= 1, received 0.5"),
        (lambda: sc.smooth_pool_size(8, float("nan")), r"`stride`.*received nan"),
        (lambda: sc.smooth_pool_size(8, 2.0, ramp=0.0), r"argument `ramp` expected a real number in \(0"),
        (lambda: sc.smooth_pool_size(8, 2.0, ramp=-1.0), r"argument `ramp`"),
        (lambda: sc.smooth_pool_size(0, 2.0), r"argument `n`"),
        (lambda: sc.smooth_pool_factors(4, 5, xp=np), r"argument `m` expected an output length <= n=4, received 5"),
        (lambda: sc.smooth_pool_matrix(8, 2.0, size=9, xp=np), r"argument `size`|argument `m`"),
    ],
)
def test_bad_arguments_name_themselves(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_array_stride_needs_a_size_and_a_float_stride_needs_xp() -> None:
    with pytest.raises(TypeError, match="argument `size` is required"):
        sc.smooth_pool_matrix(8, np.asarray(2.0))
    with pytest.raises(TypeError, match="argument `xp` is required"):
        sc.smooth_pool_matrix(8, 2.0)
    with pytest.raises(TypeError, match="argument `stride` expected a real number"):
        sc.smooth_pool_size(8, "2")  # type: ignore[arg-type]


def test_numpy_result_is_exact_against_float64_oracle_in_float32() -> None:
    P32 = sc.smooth_pool_matrix(16, 1.6, xp=np, dtype=np.float32)
    assert P32.dtype == np.float32
    np.testing.assert_allclose(P32, to_numpy(sc.smooth_pool_matrix(16, 1.6, xp=np)), rtol=1e-6, atol=1e-6)
