"""The size and frequency-dropout rules every adapter shares (``spectralcore._rules``)."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from _support import assert_close, to_numpy, xp_asarray
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

# Fractions a user would type: a few decimals, in (0, 1].
decimal_fractions = st.integers(1, 1000).map(lambda k: k / 1000)


@given(n=st.integers(1, 4096), scale=decimal_fractions)
def test_scaled_size_is_the_exact_floor_of_the_written_decimal(n: int, scale: float) -> None:
    exact = Fraction(round(scale * 1000), 1000) * n  # the decimal the user wrote, in exact arithmetic
    assert sc.scaled_size(n, scale) == max(1, math.floor(exact))


@given(n=st.integers(1, 4096), c=decimal_fractions)
def test_dropout_range_is_the_exact_ceiling_of_the_written_decimal(n: int, c: float) -> None:
    exact = Fraction(round(c * 1000), 1000) * n
    assert sc.dropout_keep_range(n, min_fraction=c) == (max(1, math.ceil(exact)), n)


def test_binary_rounding_does_not_leak_into_sizes() -> None:
    # In binary floating point 0.29 * 100 = 28.999999999999996 and 0.14 * 50 = 7.000000000000001.
    assert math.floor(0.29 * 100) == 28
    assert sc.scaled_size(100, 0.29) == 29
    assert math.ceil(0.14 * 50) == 8
    assert sc.dropout_keep_range(50, min_fraction=0.14) == (7, 50)
    # The paper's gamma and alpha at CIFAR sizes.
    assert sc.scaled_size(32, 0.85) == 27
    assert sc.dropout_keep_range(27, min_fraction=0.30) == (9, 27)


def test_full_fraction_means_no_dropout() -> None:
    assert sc.dropout_keep_range(7, min_fraction=1.0) == (7, 7)
    assert sc.dropout_keep_range(7, bounds=(2, 7)) == (2, 7)


def test_keep_from_uniform_covers_the_range_uniformly() -> None:
    low, high = 3, 9
    u = np.random.default_rng(0).random(70_000)
    keep = sc.keep_from_uniform(u, low, high)
    assert keep.dtype == np.int64
    counts = np.bincount(keep, minlength=high + 1)[low:]
    assert counts.sum() == u.size
    assert keep.min() == low
    assert keep.max() == high
    # Chi-square against the uniform law on 7 values (6 d.o.f.): 22.5 is its 0.999 quantile.
    expected = u.size / (high - low + 1)
    assert ((counts - expected) ** 2 / expected).sum() < 22.5


def test_keep_from_uniform_maps_interval_edges() -> None:
    u = np.array([0.0, 1 / 3 - 1e-12, 1 / 3, 2 / 3, 1 - 1e-16, np.nextafter(1.0, 0.0)])
    np.testing.assert_array_equal(sc.keep_from_uniform(u, 4, 6), [4, 4, 5, 6, 6, 6])
    # A variate rounded up to exactly 1.0 (a float32 cast of a float64 draw can do that) still maps into range.
    assert sc.keep_from_uniform(np.ones(1, dtype=np.float32), 4, 6)[0] == 6


def test_keep_from_uniform_on_every_backend(xp: Any, device: Any) -> None:
    u_np = np.linspace(0.0, 0.999, 11)
    u = xp_asarray(u_np, xp, device, dtype=xp.float32)
    keep = sc.keep_from_uniform(u, 2, 5)
    expected = 2 + np.floor(u_np.astype(np.float32) * 4).astype(np.int64)
    assert_close(keep, expected, xp=xp, dtype=xp.int64, device=device, rtol=0, atol=0)
    assert to_numpy(keep).min() >= 2


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ValueError, "exactly one of `min_fraction` and `bounds`"),
        ({"min_fraction": 0.5, "bounds": (1, 2)}, ValueError, "exactly one"),
        ({"min_fraction": 0.0}, ValueError, r"`min_fraction` expected a float in \(0, 1\], received 0.0"),
        ({"min_fraction": 1.5}, ValueError, "`min_fraction`"),
        ({"min_fraction": float("nan")}, ValueError, "`min_fraction`"),
        ({"min_fraction": "0.5"}, TypeError, "`min_fraction`"),
        ({"min_fraction": True}, TypeError, "`min_fraction`"),
        ({"bounds": (0, 4)}, ValueError, r"`bounds\[0\]`"),
        ({"bounds": (5, 4)}, ValueError, r"1 <= low <= high <= 8 .*received \(5, 4\)"),
        ({"bounds": (2, 9)}, ValueError, "high <= 8"),
        ({"bounds": 3}, TypeError, "pair of ints"),
        ({"bounds": (1.5, 3)}, TypeError, r"`bounds\[0\]` expected an int"),
    ],
)
def test_dropout_range_errors(kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        sc.dropout_keep_range(8, **kwargs)


@pytest.mark.parametrize("scale", [0.0, -0.5, 1.01, float("inf"), "half", None])
def test_scaled_size_errors(scale: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="`scale`"):
        sc.scaled_size(8, scale)


def test_keep_from_uniform_errors() -> None:
    with pytest.raises(ValueError, match="low <= high"):
        sc.keep_from_uniform(np.zeros(2), 5, 4)
    with pytest.raises(TypeError, match="`u`"):
        sc.keep_from_uniform(np.zeros(2, dtype=np.int64), 1, 4)


@pytest.mark.parametrize("bad", [[2.0, np.nan], [-0.5], [np.nan], [0.2, 1.0000001]])
def test_keep_from_uniform_rejects_values_outside_the_unit_interval(bad: list[float]) -> None:
    with pytest.raises(ValueError, match=r"`u` expected values in \[0, 1\], received"):
        sc.keep_from_uniform(np.array(bad), 8, 27)


def test_keep_from_uniform_check_false_never_reads_the_values() -> None:
    # The adapters draw u in [0, 1) themselves: no check, no device sync; the result is then the caller's concern.
    out = sc.keep_from_uniform(np.array([0.5]), 8, 27, check=False)
    np.testing.assert_array_equal(out, [18])
    with pytest.raises(TypeError, match="`check` expected a bool"):
        sc.keep_from_uniform(np.array([0.5]), 8, 27, check=1)


def test_keep_from_uniform_check_is_skipped_under_jax_jit() -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    fn = jax.jit(lambda u: sc.keep_from_uniform(u, 1, 4))  # a tracer cannot be read: the check is skipped
    np.testing.assert_array_equal(np.asarray(fn(jnp.asarray([0.0, 0.3, 0.99]))), [1, 2, 4])
