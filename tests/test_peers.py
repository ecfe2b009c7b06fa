"""The properties a peer library (complextorch's ``SpectralPool1d/2d/3d``) checks, on 1, 2 and 3 pooled axes.

Identity at equal size, the mean kept for every parity of input and output, and pure tones: DC stays DC, a cosine
below the output's Nyquist frequency is resampled unchanged, and the output's Nyquist cosine keeps its amplitude
under the sum rule (half of it under the paper's average rule), for both boundaries where they apply.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

RANKS = [1, 2, 3]
METHODS = ["matmul", "fft"]
BOUNDARIES = ["periodic", "symmetric"]


def _axes(rank: int) -> tuple[int, ...]:
    return tuple(range(-rank, 0))


@st.composite
def sizes(draw: st.DrawFn, rank: int, grow: bool = False) -> tuple[tuple[int, ...], tuple[int, ...]]:
    cap = {1: 33, 2: 17, 3: 9}[rank]
    n = tuple(draw(st.integers(1, cap)) for _ in range(rank))
    m = tuple(draw(st.integers(k, 2 * k + 2) if grow else st.integers(1, k)) for k in n)
    return n, m


def _grid(shape: tuple[int, ...]) -> list[np.ndarray]:
    return list(np.meshgrid(*(np.arange(k) for k in shape), indexing="ij"))


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rank", RANKS)
@given(data=st.data())
def test_identity_at_equal_size(rank: int, method: str, boundary: str, data: st.DataObject) -> None:
    n, _ = data.draw(sizes(rank))
    x = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).standard_normal((2, *n))
    kw: dict[str, Any] = dict(axes=_axes(rank), method=method, boundary=boundary)
    for norm in ("amplitude", "ortho"):
        np.testing.assert_array_equal(sc.spectral_pool(x, n, norm=norm, **kw), x)
        np.testing.assert_array_equal(sc.spectral_upsample(x, n, norm=norm, **kw), x)
    np.testing.assert_allclose(sc.lowpass(x, n, **kw), x, atol=1e-12)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rank", RANKS)
@given(data=st.data())
def test_the_mean_is_kept_for_every_parity(rank: int, method: str, boundary: str, data: st.DataObject) -> None:
    grow = data.draw(st.booleans())
    n, m = data.draw(sizes(rank, grow=grow))
    x = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).standard_normal((3, *n))
    axes = _axes(rank)
    fn = sc.spectral_upsample if grow else sc.spectral_pool
    rules = ["sum", "average"] if boundary == "periodic" and not grow else ["sum"]
    for rule in rules:
        extra = {} if grow else {"nyquist": rule}
        out = fn(x, m, axes=axes, method=method, boundary=boundary, **extra)
        np.testing.assert_allclose(out.mean(axis=axes), x.mean(axis=axes), atol=1e-12)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("rank", RANKS)
@given(data=st.data())
def test_dc_stays_dc(rank: int, boundary: str, data: st.DataObject) -> None:
    n, m = data.draw(sizes(rank, grow=data.draw(st.booleans())))
    out = sc.spectral_resize(np.full(n, 0.75), m, axes=_axes(rank), boundary=boundary)
    np.testing.assert_allclose(out, np.full(m, 0.75), atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rank", RANKS)
@given(data=st.data())
def test_a_tone_below_the_output_nyquist_is_resampled_unchanged(rank: int, method: str, data: st.DataObject) -> None:
    n, m = data.draw(sizes(rank))
    f = tuple(data.draw(st.integers(0, max(0, (k - 1) // 2))) for k in m)  # |f| < m/2 on every axis
    phase = data.draw(st.floats(0, 2 * np.pi))
    tone = np.cos(sum(2 * np.pi * fi * g / k for fi, g, k in zip(f, _grid(n), n, strict=True)) + phase)
    expected = np.cos(sum(2 * np.pi * fi * g / k for fi, g, k in zip(f, _grid(m), m, strict=True)) + phase)
    np.testing.assert_allclose(sc.spectral_pool(tone, m, axes=_axes(rank), method=method), expected, atol=1e-11)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rank", RANKS)
@given(data=st.data())
def test_the_output_nyquist_cosine_keeps_its_amplitude_under_the_sum_rule(
    rank: int, method: str, data: st.DataObject
) -> None:
    """cos(pi m j / n) pooled to an even m samples as (-1)^i: amplitude 1 (sum) or 1/2 (average); a sine is lost."""
    cap = {1: 33, 2: 17, 3: 9}[rank]
    n = tuple(data.draw(st.integers(3, cap)) for _ in range(rank))
    m = tuple(2 * data.draw(st.integers(1, (k - 1) // 2)) for k in n)  # even, below n
    grid, out_grid = _grid(n), _grid(m)
    cosine = np.prod([np.cos(np.pi * k * g / big) for k, g, big in zip(m, grid, n, strict=True)], axis=0)
    alternating = np.prod([(-1.0) ** g for g in out_grid], axis=0)
    axes = _axes(rank)
    for rule, gain in (("sum", 1.0), ("average", 0.5)):
        out = sc.spectral_pool(cosine, m, axes=axes, nyquist=rule, method=method)
        np.testing.assert_allclose(out, gain**rank * alternating, atol=1e-11)
    sine = np.sin(np.pi * m[-1] * grid[-1] / n[-1])
    np.testing.assert_allclose(sc.spectral_pool(sine, m, axes=axes, method=method), 0.0, atol=1e-11)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("rank", RANKS)
@given(data=st.data())
def test_cosine_modes_of_the_dct_pass_or_vanish(rank: int, method: str, data: st.DataObject) -> None:
    """The DCT-II mode k, cos(pi k (2j + 1) / 2n), pools to the same mode at length m if k < m, else to 0."""
    n, m = data.draw(sizes(rank))
    k = tuple(data.draw(st.integers(0, size - 1)) for size in n)

    def mode(shape: tuple[int, ...]) -> np.ndarray:
        return np.prod(
            [np.cos(np.pi * ki * (2 * g + 1) / (2 * s)) for ki, g, s in zip(k, _grid(shape), shape, strict=True)],
            axis=0,
        )

    out = sc.spectral_pool(mode(n), m, axes=_axes(rank), boundary="symmetric", method=method)
    passes = all(ki < mi for ki, mi in zip(k, m, strict=True))
    np.testing.assert_allclose(out, mode(m) if passes else 0.0, atol=1e-11)


@pytest.mark.parametrize("rank", RANKS)
def test_every_parity_combination_pools_a_constant_exactly(rank: int) -> None:
    for n in itertools.product((6, 7), repeat=rank):
        for m in itertools.product((2, 3), repeat=rank):
            for boundary in BOUNDARIES:
                out = sc.spectral_pool(np.full(n, 2.0), m, axes=_axes(rank), boundary=boundary)
                np.testing.assert_allclose(out, 2.0, atol=1e-12)
