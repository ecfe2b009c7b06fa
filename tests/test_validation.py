"""The shared validation vocabulary (``spectralcore._validation``): kinds of errors, wording, and the adapters' hook."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from spectralcore import _validation as v


def keras_wording(name: str, expected: str, received: str) -> str:
    """What the Keras adapter passes: its own sentence around the same three facts."""
    return f"Invalid value received for argument `{name}`. Expected {expected}. Received: {name}={received}"


def test_core_wording_names_function_argument_expectation_and_value() -> None:
    with pytest.raises(ValueError, match=r"^pool: argument `size` expected an int >= 1, received 0$"):
        v.positive_int("pool", "size", 0)


def test_an_adapter_wording_is_used_verbatim() -> None:
    with pytest.raises(ValueError, match=r"^Invalid value") as info:
        v.choice(keras_wording, "norm", "unitary", v.NORMS_POOL)
    assert str(info.value) == (
        "Invalid value received for argument `norm`. Expected one of 'amplitude', 'ortho'. Received: norm='unitary'"
    )
    with pytest.raises(TypeError, match=r"^Invalid value received for argument `size`\. Expected an int >= 1\."):
        v.per_axis_sizes(keras_wording, "size", (2, 2.5), 2)


@pytest.mark.parametrize("value", [True, 2.0, "3", None, np.float64(2.0)])
def test_wrong_kinds_of_int_are_type_errors(value: Any) -> None:
    with pytest.raises(TypeError, match="`n`"):
        v.positive_int("f", "n", value)


def test_numpy_integers_are_ints() -> None:
    result = v.positive_int("f", "n", np.int64(7))
    assert result == 7
    assert type(result) is int
    assert v.int_at_least("f", "padding", 0, 0) == 0
    with pytest.raises(ValueError, match=r"expected an int >= 0, received -1"):
        v.int_at_least("f", "padding", -1, 0)


@pytest.mark.parametrize("size", [(4,), (4, 4, 4), [], [1, 2, 3]])
def test_a_size_sequence_of_the_wrong_length_is_a_value_error(size: Any) -> None:
    with pytest.raises(ValueError, match=r"`size` expected an int or a sequence of 2 ints"):
        v.per_axis_sizes("f", "size", size, 2)


def test_per_axis_sizes_expands_and_checks_every_entry() -> None:
    assert v.per_axis_sizes("f", "size", 3, 3) == (3, 3, 3)
    assert v.per_axis_sizes("f", "size", [3, 1], 2) == (3, 1)
    with pytest.raises(ValueError, match="received 0"):
        v.per_axis_sizes("f", "size", (3, 0), 2)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (0.0, ValueError),
        (1.5, ValueError),
        (float("nan"), ValueError),
        (float("inf"), ValueError),
        (True, TypeError),
        ("0.5", TypeError),
    ],
)
def test_fraction_is_a_float_in_the_half_open_unit_interval(value: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match=r"`scale` expected a float in \(0, 1\]"):
        v.fraction("f", "scale", value)


def test_fractions_per_axis() -> None:
    assert v.fraction("f", "scale", 1) == 1.0
    assert v.per_axis_fractions("f", "scale", 0.5, 3) == (0.5, 0.5, 0.5)
    assert v.per_axis_fractions("f", "scale", (0.5, 0.25), 2) == (0.5, 0.25)
    with pytest.raises(ValueError, match="sequence of 2"):
        v.per_axis_fractions("f", "scale", (0.5,), 2)


@pytest.mark.parametrize("value", [1, 0, "yes", None, np.bool_(True)])
def test_boolean_refuses_everything_but_a_bool(value: Any) -> None:
    with pytest.raises(TypeError, match="`training` expected a bool"):
        v.boolean("f", "training", value)
    assert v.boolean("f", "training", False) is False


def test_choice_refuses_non_strings_with_a_value_error() -> None:
    with pytest.raises(ValueError, match="'periodic', 'symmetric', received None"):
        v.choice("f", "boundary", None, v.BOUNDARIES)


def test_exactly_one() -> None:
    assert v.exactly_one("f", ("size", "scale"), (None, 0.5)) == 1
    with pytest.raises(ValueError, match=r"exactly one of `size` and `scale`, received size=None and scale=None"):
        v.exactly_one("f", ("size", "scale"), (None, None))
    with pytest.raises(ValueError, match=r"^Invalid value received for argument `size` and `scale`"):
        v.exactly_one(keras_wording, ("size", "scale"), (2, 0.5))


def test_int_range() -> None:
    assert v.int_range("f", "bounds", [2, 5], high=8) == (2, 5)
    with pytest.raises(ValueError, match=r"1 <= low <= high <= 4 \(the axis length\), received \(2, 5\)"):
        v.int_range("f", "bounds", (2, 5), high=4, high_is="the axis length")
    with pytest.raises(ValueError, match=r"received \(5, 2\)"):
        v.int_range("f", "bounds", (5, 2))
    with pytest.raises(TypeError, match="pair of ints"):
        v.int_range("f", "bounds", 3)
    with pytest.raises(TypeError, match=r"`bounds\[1\]`"):
        v.int_range("f", "bounds", (1, 2.5))


def test_normalize_axes() -> None:
    assert v.normalize_axes("f", -1, 3) == (2,)
    assert v.normalize_axes("f", [0, -1], 3) == (0, 2)
    with pytest.raises(ValueError, match="distinct"):
        v.normalize_axes("f", (1, -2), 3)
    with pytest.raises(ValueError, match=r"axes in \[-3, 3\)"):
        v.normalize_axes("f", (3,), 3)
    with pytest.raises(ValueError, match="at least one axis"):
        v.normalize_axes("f", (), 3)
    with pytest.raises(TypeError, match="`axes`"):
        v.normalize_axes("f", (0.0,), 3)


def test_floating_array_kinds() -> None:
    xp = pytest.importorskip("array_api_strict")
    assert v.floating_array("f", "x", xp.zeros(2, dtype=xp.complex64), xp) is True
    assert v.floating_array("f", "x", xp.zeros(2, dtype=xp.float32), xp) is False
    with pytest.raises(TypeError, match=r"`x` expected a floating array .* received a non-floating array of dtype"):
        v.floating_array("f", "x", xp.zeros(2, dtype=xp.int32), xp)
    with pytest.raises(TypeError, match=r"received a complex array of dtype .*complex64"):
        v.real_float_array("f", "x", xp.zeros(2, dtype=xp.complex64), xp)
