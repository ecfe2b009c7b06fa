"""Helpers shared by the Keras layers: Keras-style argument checks and NumPy constants turned into tensors."""

from __future__ import annotations

import math
import numbers
from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = [
    "as_constant",
    "check_choice",
    "check_data_format",
    "check_fraction",
    "check_int_pair",
    "invalid",
    "keep_from_uniform",
]


def invalid(name: str, expected: str, value: object) -> ValueError:
    """The Keras wording: "Invalid value received for argument `name`. Expected ... Received: name=value"."""
    return ValueError(f"Invalid value received for argument `{name}`. Expected {expected}. Received: {name}={value!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int_pair(name: str, value: object, *, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each ``>= minimum``, as a pair of Python ints."""
    pair = (value, value) if _is_int(value) else value
    if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(_is_int(p) and p >= minimum for p in pair):
        raise invalid(name, f"an int >= {minimum} or a pair of such ints", value)
    return int(pair[0]), int(pair[1])


def _is_fraction(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(float(value)) and 0.0 < float(value) <= 1.0


def check_fraction(name: str, value: object, *, pair: bool = False) -> Any:
    """A float in (0, 1] (or, with ``pair``, also a pair of them), returned as given (tuples for lists)."""
    if _is_fraction(value):
        return float(value)  # type: ignore[arg-type]
    if pair and isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_fraction(v) for v in value):
        return float(value[0]), float(value[1])
    expected = "a float in (0, 1]" + (" or a pair of such floats" if pair else "")
    raise invalid(name, expected, value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise invalid(name, "one of " + ", ".join(f'"{c}"' for c in choices), value)
    return value


def check_data_format(value: object) -> str:
    """``None`` means ``keras.config.image_data_format()``, as in every Keras layer."""
    if value is None:
        return keras.config.image_data_format()
    return check_choice("data_format", value.lower() if isinstance(value, str) else value, CHANNEL_FORMATS)


CHANNEL_FORMATS = ("channels_last", "channels_first")


def as_constant(array: np.ndarray, dtype: str) -> Any:
    """A float64 NumPy matrix as a backend tensor of ``dtype``, rounded once from float64.

    The layers keep their operator matrices as NumPy arrays and convert them at call time: a tensor made in
    ``build`` could belong to a ``tf.function`` graph (if the first call is traced) and be unusable afterwards.
    Inside a compiled function the conversion is a constant, so it costs nothing per step.
    """
    if dtype in ("float16", "float32", "float64"):
        return ops.convert_to_tensor(array.astype(dtype))
    return ops.cast(ops.convert_to_tensor(array.astype("float32")), dtype)  # bfloat16: no NumPy dtype


def keep_from_uniform(u: Any, low: int, high: int) -> Any:
    """``spectralcore.keep_from_uniform`` in ``keras.ops``: ``low + clip(floor(u * width), 0, width - 1)``, int32.

    The core's version works on array-API arrays only; this is the same one line, so both adapters map a variate
    to the same number of kept frequencies.
    """
    width = high - low + 1
    steps = ops.cast(ops.floor(u * width), "int32")
    return ops.clip(steps, 0, width - 1) + low
