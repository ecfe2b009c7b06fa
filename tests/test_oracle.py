"""Spectral pooling / upsampling against independent oracles (float64, tight tolerances).

* norm="amplitude", nyquist="sum"  ==  scipy.signal.resample, axis by axis.
* norm="ortho", nyquist="average"  ==  the paper's fftshift / centre-crop / ifftshift / .real recipe
  (when at most one pooled axis has an even output size below its input size; see the last test
  for the exact relation at the double-Nyquist corner).
* norm="ortho"  ==  norm="amplitude" * prod sqrt(in_len / out_len).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from _support import assert_close, complex_crop_operator, paper_recipe, scipy_resample_axes
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, apply_along, cases

import spectralcore as sc

RTOL = 1e-12
ATOL = 1e-12
METHODS = ["matmul", "fft"]


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("pool"))
def test_pool_matches_scipy_resample(case: Case, method: str) -> None:
    out = sc.spectral_pool(case.x, case.size_arg, method=method, **case.kwargs)
    desired = scipy_resample_axes(case.x, case.sizes, case.norm_axes)
    assert_close(out, desired, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("upsample"))
def test_upsample_matches_scipy_resample(case: Case, method: str) -> None:
    out = sc.spectral_upsample(case.x, case.size_arg, method=method, **case.kwargs)
    desired = scipy_resample_axes(case.x, case.sizes, case.norm_axes)
    assert_close(out, desired, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nyquist", ["sum", "average"])
@given(case=cases("pool"))
def test_pool_ortho_is_amplitude_times_sqrt_ratio(case: Case, nyquist: str, method: str) -> None:
    amp = sc.spectral_pool(case.x, case.size_arg, norm="amplitude", nyquist=nyquist, method=method, **case.kwargs)
    ortho = sc.spectral_pool(case.x, case.size_arg, norm="ortho", nyquist=nyquist, method=method, **case.kwargs)
    factor = math.prod(math.sqrt(n / m) for n, m in zip(case.in_sizes, case.sizes, strict=True))
    assert_close(ortho, np.asarray(amp) * factor, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("upsample"))
def test_upsample_ortho_is_amplitude_times_sqrt_ratio(case: Case, method: str) -> None:
    amp = sc.spectral_upsample(case.x, case.size_arg, norm="amplitude", method=method, **case.kwargs)
    ortho = sc.spectral_upsample(case.x, case.size_arg, norm="ortho", method=method, **case.kwargs)
    factor = math.prod(math.sqrt(n / m) for n, m in zip(case.in_sizes, case.sizes, strict=True))
    assert_close(ortho, np.asarray(amp) * factor, rtol=RTOL, atol=ATOL)


def _at_most_one_even_crop(case: Case) -> Case:
    """Make every even output size below its input size odd, except the first one."""
    sizes = list(case.sizes)
    seen = False
    for i, (n, m) in enumerate(zip(case.in_sizes, sizes, strict=True)):
        if m % 2 == 0 and m < n:
            if seen:
                sizes[i] = m - 1
            seen = True
    return Case(case.x, case.axes, case.norm_axes, tuple(sizes), tuple(sizes), case.kwargs)


@pytest.mark.parametrize("method", METHODS)
@given(case=cases("pool"))
def test_average_ortho_matches_paper_recipe(case: Case, method: str) -> None:
    case = _at_most_one_even_crop(case)
    out = sc.spectral_pool(case.x, case.size_arg, norm="ortho", nyquist="average", method=method, **case.kwargs)
    desired = paper_recipe(case.x, case.sizes, case.norm_axes)
    assert_close(out, desired, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("method", METHODS)
@given(
    n1=st.integers(3, 16),
    n2=st.integers(3, 16),
    data=st.data(),
)
def test_average_rule_is_separable_and_differs_from_paper_recipe_at_double_nyquist(
    n1: int, n2: int, data: st.DataObject, method: str
) -> None:
    """With both output sizes even and below the input, ``.real`` of the 2-D crop is NOT separable.

    Per axis the paper recipe is C = A + iB (A = Re C, the average rule; B = Im C, non-zero only
    for even m < n). In 2-D, Re(C1 X C2^T) = A1 X A2^T - B1 X B2^T: the recipe's corner bin keeps
    (X[+,+] + X[-,-]) / 2 instead of the mean of all four bins. The core is separable (spec: "the
    2-D operator is the Kronecker product"), so it equals A1 X A2^T, and the recipe differs from it
    by exactly -B1 X B2^T -- non-zero, e.g. on sin(pi m1 j / n1) * sin(pi m2 k / n2).
    """
    m1 = data.draw(st.integers(1, (n1 - 1) // 2)) * 2
    m2 = data.draw(st.integers(1, (n2 - 1) // 2)) * 2
    assert m1 < n1
    assert m2 < n2
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal((2, n1, n2))
    c1, c2 = complex_crop_operator(n1, m1), complex_crop_operator(n2, m2)
    out = sc.spectral_pool(x, (m1, m2), norm="ortho", nyquist="average", method=method)
    separable = apply_along(apply_along(x, c1.real, 1), c2.real, 2)
    assert_close(out, separable, rtol=RTOL, atol=ATOL)
    correction = apply_along(apply_along(x, c1.imag, 1), c2.imag, 2)
    np.testing.assert_allclose(paper_recipe(x, (m1, m2), (1, 2)), separable - correction, atol=1e-12)

    # The witness: a sine at the Nyquist frequency of both outputs.
    j = np.arange(n1)[:, None]
    k = np.arange(n2)[None, :]
    s = np.sin(np.pi * m1 * j / n1) * np.sin(np.pi * m2 * k / n2)
    core = np.asarray(sc.spectral_pool(s, (m1, m2), norm="ortho", nyquist="average", method=method))
    np.testing.assert_allclose(core, 0.0, atol=1e-12)
    assert np.abs(paper_recipe(s, (m1, m2), (0, 1))).max() > 0.1


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("n", "m"), [(8, 4), (7, 4), (6, 2), (9, 3), (5, 5), (4, 1)])
def test_average_matches_paper_recipe_per_axis_exhaustively(n: int, m: int, method: str) -> None:
    """Single axis: the basis images of pool(., m) are the paper recipe applied to the identity."""
    eye = np.eye(n)
    out = sc.spectral_pool(eye, m, axes=(0,), norm="ortho", nyquist="average", method=method)
    assert_close(out, paper_recipe(eye, (m,), (0,)), rtol=RTOL, atol=ATOL)
