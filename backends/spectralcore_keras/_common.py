"""Helpers shared by the Keras layers: Keras-style argument checks, layouts, and NumPy constants as tensors."""

from __future__ import annotations

import math
import numbers
from typing import Any

import keras
import numpy as np
from keras import ops

__all__ = [
    "CHANNEL_FORMATS",
    "as_constant",
    "check_bool",
    "check_choice",
    "check_data_format",
    "check_dropout",
    "check_fraction",
    "check_int_tuple",
    "check_seed",
    "complex_from_parts",
    "input_dtype_kind",
    "invalid",
    "keep_from_uniform",
    "spatial_axes",
]

CHANNEL_FORMATS = ("channels_last", "channels_first")


def invalid(name: str, expected: str, value: object) -> ValueError:
    """The Keras wording: "Invalid value received for argument `name`. Expected ... Received: name=value"."""
    return ValueError(f"Invalid value received for argument `{name}`. Expected {expected}. Received: {name}={value!r}")


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_int_tuple(name: str, value: object, count: int, *, minimum: int = 1) -> tuple[int, ...]:
    """An int or a tuple of ``count`` ints, each ``>= minimum``, as a tuple of Python ints."""
    values = (value,) * count if _is_int(value) else value
    if (
        not isinstance(values, (tuple, list))
        or len(values) != count
        or not all(_is_int(p) and p >= minimum for p in values)
    ):
        kind = "a pair" if count == 2 else f"a tuple of {count}"
        raise invalid(name, f"an int >= {minimum} or {kind} of such ints", value)
    return tuple(int(p) for p in values)


def _is_fraction(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return False
    return math.isfinite(float(value)) and 0.0 < float(value) <= 1.0


def check_fraction(name: str, value: object, *, count: int = 1) -> Any:
    """A float in (0, 1] (or, with ``count > 1``, also a tuple of ``count`` of them), returned as given."""
    if _is_fraction(value):
        return float(value)  # type: ignore[arg-type]
    if count > 1 and isinstance(value, (tuple, list)) and len(value) == count and all(_is_fraction(v) for v in value):
        return tuple(float(v) for v in value)
    expected = "a float in (0, 1]" + (f" or a tuple of {count} such floats" if count > 1 else "")
    raise invalid(name, expected, value)


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise invalid(name, "one of " + ", ".join(f'"{c}"' for c in choices), value)
    return value


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise invalid(name, "a bool", value)
    return value


def check_seed(value: object) -> int | None:
    if value is not None and not _is_int(value):
        raise invalid("seed", "an int or None", value)
    return None if value is None else int(value)  # type: ignore[call-overload]


def check_data_format(value: object) -> str:
    """``None`` means ``keras.config.image_data_format()``, as in every Keras layer."""
    if value is None:
        return keras.config.image_data_format()
    return check_choice("data_format", value.lower() if isinstance(value, str) else value, CHANNEL_FORMATS)


def spatial_axes(rank: int, data_format: str) -> tuple[int, ...]:
    """The spatial axes of a ``rank + 2``-D input: after the batch, before or after the channels."""
    start = 1 if data_format == "channels_last" else 2
    return tuple(range(start, start + rank))


def input_dtype_kind(dtype: Any) -> str:
    """``"float"``, ``"complex"`` or ``"other"`` for a backend or Keras dtype."""
    name = keras.backend.standardize_dtype(dtype)
    if name.startswith("complex"):
        return "complex"
    return "float" if name in ("float16", "bfloat16", "float32", "float64") else "other"


def complex_from_parts(real: Any, imag: Any) -> Any:
    """``real + 1j * imag`` in the matching complex dtype (complex128 from float64).

    Keras' dtype rules cap every complex result at complex64 (``keras.backend.result_type``), so ``keras.ops``
    arithmetic cannot build a complex128 tensor: this uses the backend's own constructor.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.complex(real, imag)
    if backend == "jax":
        import jax

        return jax.lax.complex(real, imag)
    if backend == "torch":
        import torch

        return torch.complex(real, imag)
    if backend == "numpy":
        return np.asarray(real) + 1j * np.asarray(imag)
    raise TypeError(f"spectralcore_keras: complex input is not supported on the Keras backend {backend!r}")


def as_constant(array: np.ndarray, dtype: str) -> Any:
    """A NumPy matrix (already rounded to ``dtype``, or float32 for bfloat16) as a backend tensor of ``dtype``.

    The layers keep their operator matrices as NumPy arrays and convert them at call time: a tensor made once
    could belong to a ``tf.function`` graph (if the first call is traced) and be unusable afterwards. Inside a
    compiled function the conversion is a constant, so it costs nothing per step.
    """
    tensor = ops.convert_to_tensor(array)
    return tensor if array.dtype == dtype else ops.cast(tensor, dtype)


def keep_from_uniform(u: Any, low: int, high: int) -> Any:
    """``spectralcore.keep_from_uniform`` in ``keras.ops``: ``low + clip(floor(u * width), 0, width - 1)``, int32.

    The core's version works on array-API arrays only; this is the same one line, so both adapters map a variate
    to the same number of kept frequencies.
    """
    width = high - low + 1
    steps = ops.cast(ops.floor(u * width), "int32")
    return ops.clip(steps, 0, width - 1) + low


def check_dropout(
    prefix: str, min_fraction: object, bounds: object, *, required: bool
) -> tuple[float | None, tuple[int, int] | None]:
    """At most (or, with ``required``, exactly) one of a fraction in (0, 1] and bounds ``1 <= low <= high``."""
    names = f"`{prefix}min_fraction` and `{prefix}bounds`"
    if min_fraction is not None and bounds is not None:
        raise ValueError(
            f"Invalid values received for arguments {names}. Expected at most one of them. "
            f"Received: {prefix}min_fraction={min_fraction!r}, {prefix}bounds={bounds!r}"
        )
    if required and min_fraction is None and bounds is None:
        raise ValueError(
            f"Invalid values received for arguments {names}. Expected exactly one of them. "
            f"Received: {prefix}min_fraction=None, {prefix}bounds=None"
        )
    fraction = None if min_fraction is None else check_fraction(f"{prefix}min_fraction", min_fraction)
    pair = None
    if bounds is not None:
        expected = "a pair of ints (low, high) with 1 <= low <= high"
        if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
            raise invalid(f"{prefix}bounds", expected, bounds)
        low, high = check_int_tuple(f"{prefix}bounds", tuple(bounds), 2)
        if low > high:
            raise invalid(f"{prefix}bounds", expected, bounds)
        pair = (low, high)
    return fraction, pair
