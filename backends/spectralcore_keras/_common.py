"""Helpers shared by the Keras layers: Keras-style argument checks, layouts, and NumPy constants as tensors."""

from __future__ import annotations

import numbers
from typing import Any

import keras
import numpy as np
from keras import ops

from spectralcore import _validation as v

__all__ = [
    "CHANNEL_FORMATS",
    "KERAS",
    "as_constant",
    "check_data_format",
    "check_dropout",
    "check_seed",
    "complex_from_parts",
    "input_dtype_kind",
    "keep_from_uniform",
    "spatial_axes",
]

CHANNEL_FORMATS = ("channels_last", "channels_first")


def _keras_wording(name: str, expected: str, received: str) -> str:
    """Keras' wording for the core's checks (``spectralcore._validation``): "Invalid value received for ..."."""
    if "` and `" in name:  # exactly_one names both arguments and gives both values
        return f"Invalid values received for arguments `{name}`. Expected {expected}. Received: {received}"
    return f"Invalid value received for argument `{name}`. Expected {expected}. Received: {name}={received}"


KERAS: v.Wording = _keras_wording
"""The ``func`` the layers pass to every check of ``spectralcore._validation``."""


def check_seed(value: object) -> int | None:
    """``None`` or an int of any sign, as ``keras.random.SeedGenerator`` takes."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise v.type_error(KERAS, "seed", "an int or None", repr(value))
    return int(value)


def check_data_format(value: object) -> str:
    """``None`` means ``keras.config.image_data_format()``, as in every Keras layer."""
    if value is None:
        return keras.config.image_data_format()
    return v.choice(KERAS, "data_format", value.lower() if isinstance(value, str) else value, CHANNEL_FORMATS)


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
    names = (f"{prefix}min_fraction", f"{prefix}bounds")
    if required:
        v.exactly_one(KERAS, names, (min_fraction, bounds))
    elif min_fraction is not None and bounds is not None:
        raise ValueError(
            _keras_wording(
                f"{names[0]}` and `{names[1]}",
                "at most one of them",
                f"{names[0]}={min_fraction!r}, {names[1]}={bounds!r}",
            )
        )
    fraction = None if min_fraction is None else v.fraction(KERAS, names[0], min_fraction)
    pair = None if bounds is None else v.int_range(KERAS, names[1], bounds)
    return fraction, pair
