"""Helpers of the Keras adapter tests: layouts of every rank and a float64 finite-difference gradient check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

FORMATS = ["channels_last", "channels_first"]


def to_layout(x_first: np.ndarray, data_format: str) -> np.ndarray:
    """A channels-first ``(batch, channels, *spatial)`` array in ``data_format``."""
    return np.ascontiguousarray(np.moveaxis(x_first, 1, -1)) if data_format == "channels_last" else x_first


def from_layout(y: Any, data_format: str) -> np.ndarray:
    """A layer output in ``data_format`` back to channels-first, as a NumPy array."""
    y = np.asarray(y)
    return np.moveaxis(y, -1, 1) if data_format == "channels_last" else y


def spatial(rank: int) -> tuple[int, ...]:
    """The spatial axes of a channels-first array of this rank."""
    return tuple(range(2, rank + 2))


def check_gradient(tf: Any, fn: Callable[[], Any], variables: list[Any], seed: int = 0, tol: float = 1e-7) -> None:
    """Tape gradient of ``sum(g * fn())`` against central differences along three random directions (float64)."""
    rng = np.random.default_rng(seed)
    g = tf.constant(rng.standard_normal(tuple(fn().shape)))

    def loss() -> Any:
        return tf.reduce_sum(g * fn())

    with tf.GradientTape() as tape:
        value = loss()
    grads = [np.asarray(gr) for gr in tape.gradient(value, variables)]
    eps = 1e-6
    for _ in range(3):
        directions = [rng.standard_normal(tuple(v.shape)) for v in variables]
        base = [v.numpy() for v in variables]
        values = []
        for sign in (1.0, -1.0):
            for v, b, d in zip(variables, base, directions, strict=True):
                v.assign(b + sign * eps * d)
            values.append(float(loss()))
        for v, b in zip(variables, base, strict=True):
            v.assign(b)
        numeric = (values[0] - values[1]) / (2 * eps)
        analytic = sum(float(np.sum(gr * d)) for gr, d in zip(grads, directions, strict=True))
        assert abs(numeric - analytic) <= tol * max(1.0, abs(analytic)), (numeric, analytic)
