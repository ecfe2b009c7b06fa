"""Argument checks of the Flax adapter, in the core's wording (``spectralcore._validation``).

``Func: argument `name` expected ..., received ...``. Every check here reads host-side metadata only (Python values,
shapes, dtypes), never array values, so none of them breaks ``nnx.jit`` tracing.
"""

from __future__ import annotations

import numbers
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

import spectralcore as sc
from spectralcore import _validation as v

Spec = tuple[str, Any]
"""A dropout rule: ``("min_fraction", c)`` or ``("bounds", (low, high))``."""


def rank_or_none(func: str, rank: object) -> int | None:
    """The number of spatial axes, 1, 2 or 3, or None (every axis between the batch and the channels)."""
    if rank is None:
        return None
    value = v.positive_int(func, "rank", rank)
    if value > 3:
        raise v.value_error(func, "rank", "1, 2 or 3 (spatial axes) or None", repr(rank))
    return value


def size_or_scale(
    func: str, size: object, scale: object, rank: int | None
) -> tuple[int | None, tuple[int, ...] | int | None, tuple[float, ...] | float | None]:
    """Exactly one of ``size`` and ``scale``; a tuple fixes the rank (and must agree with ``rank``)."""
    v.exactly_one(func, ("size", "scale"), (size, scale))
    name, value = ("size", size) if size is not None else ("scale", scale)
    if isinstance(value, (tuple, list)):
        if rank is not None and len(value) != rank:
            raise v.value_error(func, name, f"one entry per spatial axis ({rank}, the `rank`)", repr(value))
        rank = rank_or_none(func, len(value)) if len(value) else None
        if rank is None:
            raise v.value_error(func, name, "a tuple of 1, 2 or 3 entries (one per spatial axis)", repr(value))
    if size is not None:
        if isinstance(size, (tuple, list)):
            return rank, tuple(v.positive_int(func, "size", s) for s in size), None
        return rank, v.positive_int(func, "size", size), None
    if isinstance(scale, (tuple, list)):
        return rank, None, tuple(v.fraction(func, "scale", s) for s in scale)
    return rank, None, v.fraction(func, "scale", scale)


def dropout_spec(
    func: str, min_fraction: object, bounds: object, names: tuple[str, str], *, required: bool
) -> Spec | None:
    """At most (``required``: exactly) one of a fraction in ``(0, 1]`` and bounds ``1 <= low <= high``."""
    if min_fraction is None and bounds is None and not required:
        return None
    v.exactly_one(func, names, (min_fraction, bounds))
    if min_fraction is not None:
        return "min_fraction", v.fraction(func, names[0], min_fraction)
    return "bounds", v.int_range(func, names[1], bounds)


def keep_ranges(func: str, spec: Spec, sizes: tuple[int, ...], name: str) -> tuple[tuple[int, int], ...]:
    """The inclusive keep range of every axis, by the core's rule (``spectralcore.dropout_keep_range``)."""
    kind, value = spec
    if kind == "bounds" and value[1] > min(sizes):
        raise v.value_error(
            func,
            name,
            f"1 <= low <= high <= {min(sizes)} (the smallest side of the {' x '.join(map(str, sizes))} map it masks)",
            repr(value),
        )
    return tuple(sc.dropout_keep_range(n, **{kind: value}) for n in sizes)


def optional_bool(func: str, name: str, value: object) -> bool | None:
    return None if value is None else v.boolean(func, name, value)


def stream_name(func: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise v.type_error(func, "rng_collection", "a non-empty str (an nnx.Rngs stream name)", repr(value))
    return value


def is_deterministic(func: str, at_call: object, stored: bool | None) -> bool:
    """The call's ``deterministic`` first, else the module's, as in ``nnx.Dropout`` (both None is an error)."""
    value = optional_bool(func, "deterministic", at_call)
    value = stored if value is None else value
    if value is None:
        raise v.value_error(
            func, "deterministic", "a bool, at construction, at the call or through nnx.view", "None in both"
        )
    return value


def rng_stream(func: str, rngs: object, collection: str) -> Any:
    """What ``nnx.Dropout`` keeps: a fork of the ``collection`` stream, or None (keys given at call time)."""
    if isinstance(rngs, nnx.Rngs):
        if collection not in rngs:
            raise v.value_error(func, "rngs", f"an nnx.Rngs with a {collection!r} stream", repr(rngs))
        return rngs[collection].fork()
    if isinstance(rngs, nnx.RngStream):
        return rngs.fork()
    if rngs is None:
        return None
    raise v.type_error(func, "rngs", "an nnx.Rngs, an nnx.RngStream or None", type(rngs).__name__)


def call_key(func: str, rngs: object, stored: Any, collection: str) -> jax.Array:
    """The key of one draw: the call's ``rngs`` (Rngs, RngStream or key) first, else the module's stream."""
    source = stored if rngs is None else rngs
    if source is None:
        raise ValueError(
            f"{func}: argument `rngs` expected an nnx.Rngs with a {collection!r} stream (at construction or at the "
            "call) because `deterministic` is False, received None"
        )
    if isinstance(source, nnx.Rngs):
        return source[collection]()
    if isinstance(source, nnx.RngStream):
        return source()
    if isinstance(source, jax.Array):
        return source
    raise v.type_error(func, "rngs", "an nnx.Rngs, an nnx.RngStream or a jax key", type(source).__name__)


def feature_map(func: str, x: object, rank: int | None) -> tuple[Any, int]:
    """A real or complex floating JAX (or NumPy) array, channels-last, and its number of spatial axes.

    With ``rank`` None the spatial axes are those between the first (batch) and the last (channels) axis, so the
    input needs at least 3 axes; with a rank the input is ``(*batch, *spatial, channels)``, any batch dims.
    """
    if isinstance(x, np.ndarray):  # what jax.test_util and host pipelines pass; JAX ops take it too
        x = jnp.asarray(x)
    if not isinstance(x, jax.Array):
        raise v.type_error(func, "inputs", "a jax.Array (or a NumPy array)", type(x).__name__)
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        raise v.type_error(func, "inputs", "a floating or complex array", f"dtype {x.dtype}")
    if rank is None:
        if x.ndim < 3:
            raise v.value_error(
                func,
                "inputs",
                "a channels-last array (batch, *spatial, channels) with at least 3 axes (or give `rank` for "
                "unbatched input, e.g. under nnx.vmap)",
                f"shape {tuple(x.shape)}",
            )
        return x, x.ndim - 2
    if x.ndim < rank + 1:
        raise v.value_error(
            func, "inputs", f"a channels-last array (*batch, {rank} spatial axes, channels)", f"shape {tuple(x.shape)}"
        )
    return x, rank


def per_axis(value: Any, rank: int) -> tuple[Any, ...]:
    """An int or float broadcast to every spatial axis, or the tuple itself."""
    return tuple(value) if isinstance(value, tuple) else (value,) * rank


def is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
