"""What the pooling and dropout layers share: per-size operators from the core and the separable product.

The layers hold no operator state. On every call they read the input's static spatial size and fetch the
operators of that size from a small cache of float64 NumPy matrices built by ``spectralcore`` (pooling:
``pool_matrix``; pooling with frequency dropout: the fused table whose slice ``k - 1`` is
``lowpass_matrix(m, k) @ pool_matrix(n, m)``). So one layer called on several sizes gives each size its own exact
result, eagerly and inside ``tf.function`` / ``jit_compile`` (a traced function sees static shapes and bakes the
matrices of its size in as constants). The layers only gather table slices with a random keep and multiply.
"""

from __future__ import annotations

import functools
import math
from typing import Any, ClassVar

import keras
import numpy as np
from keras import ops

import spectralcore as sc
from spectralcore import _validation as v

from ._common import KERAS, as_constant, complex_from_parts, input_dtype_kind, keep_from_uniform, spatial_axes

__all__ = ["AxisOperator", "SpectralMapLayer", "axis_operator", "check_boundary"]


class AxisOperator:
    """Float64 NumPy operators of one spatial axis from length ``n`` to ``m``, for one layer configuration.

    ``pool`` is the ``(m, n)`` pooling matrix, or ``None`` when ``m == n`` (the identity, skipped). With dropout
    on, ``table`` is the ``(m, m, n)`` fused table (slice ``k - 1`` keeps ``k`` frequencies) and ``low``, ``high``
    the inclusive range of the random keep.
    """

    def __init__(self, n: int, m: int, pool: np.ndarray | None, table: np.ndarray | None, low: int, high: int) -> None:
        self.n, self.m, self.pool, self.table, self.low, self.high = n, m, pool, table, low, high
        self._by_dtype: dict[str, tuple[Any, Any]] = {}

    def arrays(self, dtype: str) -> tuple[Any, Any]:
        """``(pool, table)`` rounded once from float64 to ``dtype`` (NumPy, converted to tensors by the caller)."""
        hit = self._by_dtype.get(dtype)
        if hit is None:
            hit = tuple(None if a is None else _rounded(a, dtype) for a in (self.pool, self.table))  # type: ignore[assignment]
            self._by_dtype[dtype] = hit  # type: ignore[assignment]
        return hit  # type: ignore[return-value]


def _rounded(array: np.ndarray, dtype: str) -> np.ndarray:
    # bfloat16 has no NumPy dtype: keep float32, as_constant casts on the device.
    return array.astype(dtype if dtype in ("float16", "float32", "float64") else "float32")


@functools.lru_cache(maxsize=256)
def axis_operator(
    n: int, m: int, norm: str, nyquist: str, boundary: str, keep_range: tuple[int, int] | None
) -> AxisOperator:
    """The operators of one axis, built once per configuration (shared by every layer with that configuration)."""
    pool = None if m == n else np.asarray(sc.pool_matrix(n, m, norm=norm, nyquist=nyquist, boundary=boundary, xp=np))
    if keep_range is None:
        return AxisOperator(n, m, pool, None, 0, 0)
    # Slice k - 1 is lowpass_matrix(m, k) @ pool_matrix(n, m): pooling fused with the band of k frequencies.
    table = np.asarray(sc.pool_dropout_table(n, m, norm=norm, nyquist=nyquist, boundary=boundary, xp=np))
    return AxisOperator(n, m, pool, table, *keep_range)


def check_boundary(boundary: object, nyquist: str) -> str:
    """A known basis, and no Nyquist rule where the cosine basis has no Nyquist case."""
    boundary = v.choice(KERAS, "boundary", boundary, v.BOUNDARIES)
    if boundary == "symmetric" and nyquist != "sum":
        raise v.value_error(
            KERAS, "nyquist", '"sum" with boundary="symmetric" (the cosine basis has no Nyquist bin)', repr(nyquist)
        )
    return boundary


class SpectralMapLayer(keras.layers.Layer):
    """Base of the pooling and dropout layers of every rank: input checks, the random band, the product."""

    rank: ClassVar[int]
    data_format: str
    _dropout: bool
    _per_sample: bool
    seed_generator: Any

    def _layout(self) -> str:
        names = ("steps",) if self.rank == 1 else ("height", "width") if self.rank == 2 else ("d1", "d2", "d3")
        spatial = ", ".join(names)
        inner = f"{spatial}, channels" if self.data_format == "channels_last" else f"channels, {spatial}"
        return f"(batch, {inner})"

    def _check_rank(self, shape: tuple[Any, ...]) -> None:
        if len(shape) != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects {self.rank + 2}-D input {self._layout()} for "
                f"data_format='{self.data_format}'. Received: input_shape={shape}"
            )

    def _static_spatial(self, shape: tuple[Any, ...]) -> tuple[int, ...]:
        """The static spatial size of an input about to be transformed, or a clear error."""
        self._check_rank(shape)
        sizes = tuple(shape[a] for a in spatial_axes(self.rank, self.data_format))
        if any(s is None for s in sizes):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs the static spatial size of its input to pick "
                f"its exact operators (they are per size). Received: input_shape={shape}. Call it eagerly, or "
                "trace the function with static spatial sizes (a tf.function input_signature without None in "
                "the spatial axes; Keras' predict/fit relax changing shapes to None, so feed one size per model)."
            )
        return tuple(int(s) for s in sizes)

    def _operators(self, spatial: tuple[int, ...]) -> tuple[AxisOperator, ...]:
        raise NotImplementedError

    def build(self, input_shape: Any) -> None:
        # Nothing to create: the operators depend on the size of each call. A known size is checked now, so a
        # misconfigured layer fails where it is placed.
        shape = tuple(input_shape)
        self._check_rank(shape)
        sizes = tuple(shape[a] for a in spatial_axes(self.rank, self.data_format))
        if all(s is not None for s in sizes):
            self._operators(tuple(int(s) for s in sizes))

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        dtype = inputs.dtype if input_dtype_kind(inputs.dtype) == "complex" else self.compute_dtype
        return keras.KerasTensor(self.compute_output_shape(tuple(inputs.shape)), dtype=dtype)

    def _transform(self, inputs: Any, training: Any) -> Any:
        """Pool (and, in training with dropout on, keep a random band) along every spatial axis."""
        kind = input_dtype_kind(inputs.dtype)
        if kind not in ("float", "complex"):
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}) expects a floating or complex input. "
                f"Received: inputs.dtype={keras.backend.standardize_dtype(inputs.dtype)}"
            )
        plans = self._operators(self._static_spatial(tuple(inputs.shape)))
        # Real operators in the input's precision; complex input gets the same real operator on both parts.
        real_dtype = self.compute_dtype if kind == "float" else _real_part_dtype(inputs.dtype)
        drawing = bool(self._dropout and training)
        keeps: list[Any] = [None] * self.rank
        if drawing:
            # One variate per call (or per sample), mapped to each axis with that axis's range: a square map gets
            # the paper's R x R band. float32 whatever the compute dtype, so float16 layers draw the same bands.
            shape = (ops.shape(inputs)[0],) if self._per_sample else ()
            u = keras.random.uniform(shape, dtype="float32", seed=self.seed_generator)
            keeps = [keep_from_uniform(u, p.low, p.high) for p in plans]
        operators = []
        for axis, plan, keep in zip(spatial_axes(self.rank, self.data_format), plans, keeps, strict=True):
            pool, table = plan.arrays(real_dtype)
            if drawing:
                operators.append((axis, ops.take(as_constant(table, real_dtype), keep - 1, axis=0)))  # (batch,) m, n
            elif pool is not None:
                operators.append((axis, as_constant(pool, real_dtype)))

        def apply(x: Any) -> Any:
            for axis, op in operators:
                x = _multiply_along(x, op, axis, per_sample=drawing and self._per_sample)
            return x

        if kind == "float":
            return apply(inputs)
        # Complex-linear: the same real operator on the real and imaginary parts.
        return complex_from_parts(apply(ops.real(inputs)), apply(ops.imag(inputs)))


def _real_part_dtype(dtype: Any) -> str:
    return "float64" if keras.backend.standardize_dtype(dtype) == "complex128" else "float32"


def _multiply_along(x: Any, op: Any, axis: int, *, per_sample: bool) -> Any:
    """``op`` (``(m, n)``, or ``(batch, m, n)`` per sample) applied along ``axis`` of ``x``, layout kept.

    The axes before ``axis`` become a batch of GEMMs and the axes after it their columns, so no transpose is
    needed: ``(m, n) @ (outer, n, inner)``, and on the last axis one ``(outer, n) @ (n, m)`` GEMM.
    """
    shape = list(ops.shape(x))
    n, m = shape[axis], op.shape[-2]
    inner = math.prod(shape[axis + 1 :])  # static but for the channels of a channels_last input
    last = axis == len(shape) - 1
    if per_sample:  # op (batch, m, n): each sample's axes before `axis` share its operator
        middle = math.prod(shape[1:axis])
        if last:
            y = ops.matmul(ops.reshape(x, (-1, middle, n)), ops.transpose(op, (0, 2, 1)))
        else:
            y = ops.matmul(ops.expand_dims(op, 1), ops.reshape(x, (-1, middle, n, inner)))
    elif last:
        y = ops.matmul(ops.reshape(x, (-1, n)), ops.transpose(op))
    else:
        y = ops.matmul(op, ops.reshape(x, (-1, n, inner)))
    return ops.reshape(y, (-1, *shape[1:axis], m, *shape[axis + 1 :]))
