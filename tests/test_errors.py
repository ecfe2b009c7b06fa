"""Bad arguments raise TypeError (wrong kind) or ValueError (bad value) naming the argument."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import spectralcore as sc

X = np.random.default_rng(0).standard_normal((2, 3, 8, 7))
W = np.random.default_rng(1).standard_normal((4, 3, 3, 3))

POOL_LIKE: dict[str, Callable[..., Any]] = {
    "spectral_pool": sc.spectral_pool,
    "spectral_upsample": sc.spectral_upsample,
    "spectral_resize": sc.spectral_resize,
    "lowpass": sc.lowpass,
}
SIZE_NAME = {"spectral_pool": "size", "spectral_upsample": "size", "spectral_resize": "size", "lowpass": "keep"}
VALID_SIZE = {"spectral_pool": (4, 4), "spectral_upsample": (9, 9), "spectral_resize": (4, 9), "lowpass": (4, 4)}
FILTER_FUNCS: dict[str, Callable[..., Any]] = {
    "spatial_to_spectral": sc.spatial_to_spectral,
    "spectral_to_spatial": sc.spectral_to_spatial,
    "spectral_to_complex": sc.spectral_to_complex,
}
X_NAME = r"\bx\b"


# ---------------------------------------------------------------------------------------------
# x: kind
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_integer_and_bool_input_is_rejected(name: str, dtype: type) -> None:
    with pytest.raises(TypeError, match=X_NAME):
        POOL_LIKE[name](X.astype(dtype), VALID_SIZE[name])


def test_filter_maps_reject_non_floating_and_complex_to_complex() -> None:
    with pytest.raises(TypeError, match=r"\bw\b"):
        sc.spatial_to_spectral(W.astype(np.int64))
    with pytest.raises(TypeError, match="theta"):
        sc.spectral_to_spatial(W.astype(np.int64))
    # complex kernels are mapped part by part, but a complex theta has no Hermitian spectrum to view
    with pytest.raises(TypeError, match="`theta` expected a real floating array"):
        sc.spectral_to_complex(W.astype(np.complex128))


def test_torch_integer_tensors_are_rejected() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=X_NAME):
        sc.lowpass(torch.zeros((4, 4), dtype=torch.int64), 2)
    with pytest.raises(TypeError, match=X_NAME):
        sc.spectral_resize(torch.zeros((4, 4), dtype=torch.bool), 2)


# ---------------------------------------------------------------------------------------------
# size / keep
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [0, -1, (4, 0), (-3, 4)])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_size_below_one(name: str, bad: Any) -> None:
    with pytest.raises(ValueError, match=SIZE_NAME[name]):
        POOL_LIKE[name](X, bad)


@pytest.mark.parametrize("bad", [True, False, (True, 3), 2.0, (4, 2.5), "4", None])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_size_of_wrong_kind(name: str, bad: Any) -> None:
    with pytest.raises(TypeError, match=SIZE_NAME[name]):
        POOL_LIKE[name](X, bad)


@pytest.mark.parametrize("bad", [(4,), (4, 4, 4)])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_size_tuple_of_wrong_length(name: str, bad: Any) -> None:
    with pytest.raises(ValueError, match=SIZE_NAME[name]):
        POOL_LIKE[name](X, bad)


@pytest.mark.parametrize("bad", [9, (4, 8), (9, 4)])
def test_pool_to_larger_than_input(bad: Any) -> None:
    with pytest.raises(ValueError, match="size"):
        sc.spectral_pool(X, bad)  # X is 8 x 7


@pytest.mark.parametrize("bad", [7, (9, 6), (8, 6)])
def test_upsample_to_smaller_than_input(bad: Any) -> None:
    with pytest.raises(ValueError, match="size"):
        sc.spectral_upsample(X, bad)


@pytest.mark.parametrize("bad", [9, (4, 8), (9, 1)])
def test_keep_above_length(bad: Any) -> None:
    with pytest.raises(ValueError, match="keep"):
        sc.lowpass(X, bad)


@pytest.mark.parametrize(
    "keep",
    [
        np.array([[1, 2, 3], [4, 0, 5]]),  # a zero
        np.array([[1, 2, 3], [4, 8, 5]]),  # 8 > 7 on the last axis
        np.array([[-1, 2, 3], [4, 2, 5]]),
    ],
)
def test_keep_array_outside_range(keep: np.ndarray) -> None:
    with pytest.raises(ValueError, match="keep"):
        sc.lowpass(X, keep)


def test_keep_array_outside_range_inside_tuple() -> None:
    keep = np.array([[1, 2, 3], [4, 9, 5]])
    with pytest.raises(ValueError, match="keep"):
        sc.lowpass(X, (keep, 3))  # 9 > 8 on the first axis
    sc.lowpass(X, (keep - 1 + (keep == 1), 3))  # the same array, in range, is fine


def test_check_keep_must_be_a_bool_and_only_skips_the_value_check() -> None:
    with pytest.raises(TypeError, match="check_keep"):
        sc.lowpass(X, 3, check_keep=1)
    keep = np.array([[1, 2, 3], [4, 7, 5]])
    # In range: skipping the check changes nothing.
    np.testing.assert_array_equal(sc.lowpass(X, keep, check_keep=False), sc.lowpass(X, keep))
    # The shape and dtype of the array are still checked without the value check.
    with pytest.raises(TypeError, match="keep"):
        sc.lowpass(X, keep.astype(np.float64), check_keep=False)


def test_keep_array_of_wrong_kind() -> None:
    with pytest.raises(TypeError, match="keep"):
        sc.lowpass(X, np.full((2, 3), 2.0))


def test_keep_array_not_broadcastable_to_batch_shape() -> None:
    with pytest.raises(ValueError, match="keep"):
        sc.lowpass(X, np.full((4,), 2))  # batch shape is (2, 3)


# ---------------------------------------------------------------------------------------------
# axes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("axes", [(0, 4), (-5, 1), (4,), (1, 1), (-1, 3), (0, 1, -4)])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_bad_axes(name: str, axes: tuple[int, ...]) -> None:
    size = 2 if name != "spectral_upsample" else 9
    with pytest.raises(ValueError, match="axes"):
        POOL_LIKE[name](X, size, axes=axes)


@pytest.mark.parametrize("axes", [(0, 4), (2, 2), (-1, 3)])
@pytest.mark.parametrize("name", list(FILTER_FUNCS))
def test_filter_bad_axes(name: str, axes: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="axes"):
        FILTER_FUNCS[name](W, axes=axes)


# ---------------------------------------------------------------------------------------------
# option strings
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["backward", "Ortho", "", None])
def test_unknown_pool_norm(bad: Any) -> None:
    with pytest.raises(ValueError, match="norm"):
        sc.spectral_pool(X, 4, norm=bad)
    with pytest.raises(ValueError, match="norm"):
        sc.spectral_upsample(X, 9, norm=bad)
    with pytest.raises(ValueError, match="norm"):
        sc.pool_matrix(8, 4, norm=bad, xp=np)


@pytest.mark.parametrize("bad", ["amplitude", "ORTHO", "unitary"])
@pytest.mark.parametrize("name", list(FILTER_FUNCS))
def test_unknown_filter_norm(name: str, bad: str) -> None:
    with pytest.raises(ValueError, match="norm"):
        FILTER_FUNCS[name](W, norm=bad)


@pytest.mark.parametrize("bad", ["mean", "avg", "Sum", ""])
def test_unknown_nyquist(bad: str) -> None:
    with pytest.raises(ValueError, match="nyquist"):
        sc.spectral_pool(X, 4, nyquist=bad)
    with pytest.raises(ValueError, match="nyquist"):
        sc.lowpass(X, 4, nyquist=bad)
    with pytest.raises(ValueError, match="nyquist"):
        sc.lowpass_matrix(8, 4, nyquist=bad, xp=np)


@pytest.mark.parametrize("bad", ["rfft", "FFT", "direct", ""])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_unknown_method(name: str, bad: str) -> None:
    with pytest.raises(ValueError, match="method"):
        POOL_LIKE[name](X, VALID_SIZE[name], method=bad)


@pytest.mark.parametrize("bad", ["rfft", "FFT", "direct", ""])
@pytest.mark.parametrize("name", ["spatial_to_spectral", "spectral_to_spatial"])
def test_unknown_filter_method(name: str, bad: str) -> None:
    with pytest.raises(ValueError, match="method"):
        FILTER_FUNCS[name](W, method=bad)


# ---------------------------------------------------------------------------------------------
# matrix builders
# ---------------------------------------------------------------------------------------------
def test_matrix_builder_sizes() -> None:
    with pytest.raises(ValueError, match=r"\bm\b"):
        sc.pool_matrix(4, 5, xp=np)
    with pytest.raises(ValueError, match=r"\bm\b"):
        sc.pool_matrix(4, 0, xp=np)
    with pytest.raises(ValueError, match=r"\bn\b"):
        sc.pool_matrix(0, 1, xp=np)
    with pytest.raises(ValueError, match=r"\bm\b"):
        sc.upsample_matrix(5, 4, xp=np)
    with pytest.raises(ValueError, match="keep"):
        sc.lowpass_matrix(5, 6, xp=np)
    with pytest.raises(ValueError, match="keep"):
        sc.lowpass_matrix(5, 0, xp=np)
    with pytest.raises(TypeError, match=r"\bn\b"):
        sc.real_fourier_basis(True, xp=np)
    with pytest.raises(TypeError, match=r"\bm\b"):
        sc.pool_matrix(4, 2.0, xp=np)
    with pytest.raises(ValueError, match=r"\bkh\b"):
        sc.filter_basis_matrix(0, 3, xp=np)


def test_matrix_builders_require_xp() -> None:
    with pytest.raises(TypeError, match="xp"):
        sc.pool_matrix(4, 2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="xp"):
        sc.pool_matrix(4, 2, xp=None)


# ---------------------------------------------------------------------------------------------
# messages say what was expected and what was received
# ---------------------------------------------------------------------------------------------
def test_messages_name_the_argument_the_expectation_and_the_value() -> None:
    with pytest.raises(ValueError, match="size") as info:
        sc.spectral_pool(X, 123)
    assert "123" in str(info.value)
    with pytest.raises(ValueError, match="nyquist") as info:
        sc.spectral_pool(X, 4, nyquist="bogus")
    assert "bogus" in str(info.value)
    assert "sum" in str(info.value)
    assert "average" in str(info.value)
    with pytest.raises(TypeError, match=X_NAME) as info:
        sc.spectral_pool(X.astype(np.int16), 4)
    assert "int16" in str(info.value)


# ---------------------------------------------------------------------------------------------
# boundary
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["mirror", "Symmetric", "reflect", None])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_unknown_boundary(name: str, bad: Any) -> None:
    with pytest.raises(ValueError, match="`boundary` expected one of 'periodic', 'symmetric'"):
        POOL_LIKE[name](X, VALID_SIZE[name], boundary=bad)


BUILDERS: dict[str, Callable[..., Any]] = {
    "pool_matrix": lambda **kw: sc.pool_matrix(8, 4, xp=np, **kw),
    "upsample_matrix": lambda **kw: sc.upsample_matrix(4, 8, xp=np, **kw),
    "resize_matrix": lambda **kw: sc.resize_matrix(4, 8, xp=np, **kw),
    "lowpass_matrix": lambda **kw: sc.lowpass_matrix(8, 4, xp=np, **kw),
    "real_fourier_basis": lambda **kw: sc.real_fourier_basis(8, xp=np, **kw),
    "lowpass_mask_table": lambda **kw: sc.lowpass_mask_table(8, xp=np, **kw),
    "pool_dropout_table": lambda **kw: sc.pool_dropout_table(8, 4, xp=np, **kw),
}


@pytest.mark.parametrize("name", list(BUILDERS))
def test_builders_check_the_boundary(name: str) -> None:
    with pytest.raises(ValueError, match="`boundary`"):
        BUILDERS[name](boundary="circular")


@pytest.mark.parametrize("name", ["spectral_pool", "spectral_resize", "lowpass"])
def test_the_cosine_basis_has_no_nyquist_rule(name: str) -> None:
    with pytest.raises(ValueError, match=r"`nyquist` expected 'sum' .* with boundary='symmetric', received 'average'"):
        POOL_LIKE[name](X, VALID_SIZE[name], nyquist="average", boundary="symmetric")


@pytest.mark.parametrize("name", ["pool_matrix", "resize_matrix", "lowpass_matrix", "lowpass_mask_table"])
def test_builders_refuse_a_nyquist_rule_for_the_cosine_basis(name: str) -> None:
    with pytest.raises(ValueError, match="`nyquist` expected 'sum'"):
        BUILDERS[name](nyquist="average", boundary="symmetric")


# ---------------------------------------------------------------------------------------------
# huge sizes fail at once, naming the argument and the memory needed
# ---------------------------------------------------------------------------------------------
def test_pool_matrix_of_a_billion_columns_fails_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"pool_matrix: argument `n` .*MAX_MATRIX_ELEMENTS.* 14.9 GiB") as info:
        sc.pool_matrix(10**9, 2, xp=np)
    assert time.perf_counter() - start < 1.0
    assert "n=1000000000 and m=2" in str(info.value)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda: sc.upsample_matrix(2, 10**8, xp=np), "m"),
        (lambda: sc.real_fourier_basis(10**5, xp=np), "n"),
        (lambda: sc.pool_dropout_table(1000, 1000, xp=np), "n"),
        (lambda: sc.filter_basis_matrix(100, 100, xp=np), "kw"),
    ],
)
def test_every_builder_bounds_its_matrix(build: Callable[[], Any], name: str) -> None:
    with pytest.raises(ValueError, match=rf"argument `{name}` expected sizes whose matrices have at most"):
        build()


@pytest.mark.parametrize("size", [2**70, (10**9, 10**9)])
def test_absurd_upsampling_fails_fast_with_the_memory_it_would_need(size: Any) -> None:
    start = time.perf_counter()
    x = np.zeros((1, 1, 4, 4), dtype=np.float32)
    with pytest.raises(ValueError, match=r"spectral_upsample: argument `size` expected an output of at most 256 TiB"):
        sc.spectral_upsample(x, size)
    assert time.perf_counter() - start < 1.0


def test_matmul_refuses_matrices_beyond_the_limit_and_names_the_way_out() -> None:
    x = np.zeros((1, 5000), dtype=np.float32)
    with pytest.raises(ValueError, match=r"`size` .* 4999 x 5000 matrix .* 95.3 MiB; method='fft'"):
        sc.spectral_resize(x, 4999, axes=-1, method="matmul")  # 5000 x 5000 > 2**24 entries
    assert sc.spectral_resize(x, 4999, axes=-1).shape == (1, 4999)  # "auto" takes the FFT there


# ---------------------------------------------------------------------------------------------
# plans
# ---------------------------------------------------------------------------------------------
def test_plan_arguments_are_checked_when_planning() -> None:
    with pytest.raises(TypeError, match="`xp` is required"):
        sc.plan_spectral_pool((4, 4), 2)
    with pytest.raises(TypeError, match="`shape` expected a tuple of ints"):
        sc.plan_spectral_pool(16, 2, xp=np)
    with pytest.raises(TypeError, match="`dtype` expected a floating dtype"):
        sc.plan_spectral_pool((4, 4), 2, xp=np, dtype=np.int64)
    with pytest.raises(ValueError, match="`size` expected an output length <= the input length 4"):
        sc.plan_spectral_pool((4, 4), 5, xp=np)
    with pytest.raises(ValueError, match="`norm`"):
        sc.plan_spectral_pool((4, 4), 2, xp=np, norm="unitary")


def test_a_plan_refuses_an_input_of_another_shape_or_dtype() -> None:
    plan = sc.plan_spectral_pool((2, 8, 8), 4, xp=np, dtype=np.float64)
    with pytest.raises(ValueError, match=r"shape \(2, 8, 8\) and dtype float64 \(the planned ones\)"):
        plan(np.zeros((3, 8, 8)))
    with pytest.raises(ValueError, match="the planned ones"):
        plan(np.zeros((2, 8, 8), dtype=np.float32))
