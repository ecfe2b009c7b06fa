"""Hypothesis strategies shared by the test modules."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
from hypothesis import strategies as st


@dataclasses.dataclass(frozen=True)
class Case:
    """An input array, the pooled axes (as the user wrote them) and the per-axis sizes."""

    x: np.ndarray
    axes: tuple[int, ...]  # as passed (may be negative, any order)
    norm_axes: tuple[int, ...]  # the same axes, non-negative
    sizes: tuple[int, ...]  # target size per axis (aligned with axes)
    size_arg: Any  # what is passed as ``size``/``keep`` (an int when all sizes agree, else a tuple)
    kwargs: dict[str, Any]  # {"axes": axes} or {} when the default (-2, -1) is meant

    @property
    def in_sizes(self) -> tuple[int, ...]:
        return tuple(self.x.shape[a] for a in self.norm_axes)


@st.composite
def cases(draw: st.DrawFn, kind: str = "pool", max_n: int = 40, dtype: Any = np.float64, max_axes: int = 3) -> Case:
    """Random array with 1..3 batch dims and 1..``max_axes`` transformed axes anywhere, plus target sizes.

    ``kind`` is "pool" (1 <= m <= n), "upsample" (m >= n), "keep" (1 <= m <= n) or "resize" (any m >= 1, so
    axes shrink, stay or grow independently). Complex ``dtype`` gives independent real and imaginary parts.
    """
    n_batch = draw(st.integers(1, 3))
    n_axes = draw(st.integers(1, max_axes))
    ndim = n_batch + n_axes
    positions = draw(st.permutations(range(ndim)))[:n_axes]
    cap = max_n if n_axes <= 2 else min(max_n, 12 if n_axes == 3 else 6)
    shape = [draw(st.integers(1, 3)) for _ in range(ndim)]
    for p in positions:
        shape[p] = draw(st.integers(1, cap))
    axes = tuple(p - ndim if draw(st.booleans()) else p for p in positions)
    sizes = []
    for p in positions:
        n = shape[p]
        if kind == "upsample":
            sizes.append(draw(st.integers(n, min(2 * n + 3, 48))))
        elif kind == "resize":
            sizes.append(draw(st.integers(1, min(2 * n + 3, 48 if n_axes <= 2 else 2 * cap))))
        else:
            sizes.append(draw(st.integers(1, n)))
    sizes_t = tuple(sizes)
    size_arg: Any = sizes_t
    if len(set(sizes_t)) == 1 and draw(st.booleans()):
        size_arg = sizes_t[0]
    kwargs: dict[str, Any] = {"axes": axes}
    if tuple(positions) == (ndim - 2, ndim - 1) and draw(st.booleans()):
        kwargs = {}
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    x = x.astype(dtype)
    return Case(x, axes, tuple(positions), sizes_t, size_arg, kwargs)


def apply_along(x: np.ndarray, matrix: np.ndarray, axis: int) -> np.ndarray:
    """``matrix @ x`` along ``axis`` (the separable application of a per-axis operator)."""
    return np.moveaxis(np.tensordot(matrix, x, axes=(1, axis)), 0, axis)
