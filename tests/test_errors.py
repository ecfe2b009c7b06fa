"""Bad arguments raise TypeError (wrong kind) or ValueError (bad value) naming the argument."""

from __future__ import annotations

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
    "lowpass": sc.lowpass,
}
SIZE_NAME = {"spectral_pool": "size", "spectral_upsample": "size", "lowpass": "keep"}
VALID_SIZE = {"spectral_pool": (4, 4), "spectral_upsample": (9, 9), "lowpass": (4, 4)}
FILTER_FUNCS: dict[str, Callable[..., Any]] = {
    "spatial_to_spectral": sc.spatial_to_spectral,
    "spectral_to_spatial": sc.spectral_to_spatial,
    "spectral_to_complex": sc.spectral_to_complex,
}
X_NAME = r"\bx\b"


# ---------------------------------------------------------------------------------------------
# x: kind
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_complex_input_is_rejected(name: str, dtype: type) -> None:
    with pytest.raises(TypeError, match=X_NAME):
        POOL_LIKE[name](X.astype(dtype), VALID_SIZE[name])


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.bool_])
@pytest.mark.parametrize("name", list(POOL_LIKE))
def test_integer_and_bool_input_is_rejected(name: str, dtype: type) -> None:
    with pytest.raises(TypeError, match=X_NAME):
        POOL_LIKE[name](X.astype(dtype), VALID_SIZE[name])


@pytest.mark.parametrize("dtype", [np.complex128, np.int64])
def test_filter_maps_reject_non_real_float(dtype: type) -> None:
    with pytest.raises(TypeError, match=r"\bw\b"):
        sc.spatial_to_spectral(W.astype(dtype))
    with pytest.raises(TypeError, match="theta"):
        sc.spectral_to_spatial(W.astype(dtype))
    with pytest.raises(TypeError, match="theta"):
        sc.spectral_to_complex(W.astype(dtype))


def test_torch_complex_and_integer_tensors_are_rejected() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=X_NAME):
        sc.spectral_pool(torch.zeros((4, 4), dtype=torch.complex64), 2)
    with pytest.raises(TypeError, match=X_NAME):
        sc.lowpass(torch.zeros((4, 4), dtype=torch.int64), 2)


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
        sc.spectral_pool(X.astype(np.complex64), 4)
    assert "complex64" in str(info.value)
