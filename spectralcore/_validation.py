"""Argument checks shared by the public functions.

Every message names the function, the argument, what was expected and what was received, and nothing is silently
corrected: a wrong value is an error, never clipped or rounded.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from types import ModuleType
from typing import Any

Array = Any

NORMS_POOL = ("amplitude", "ortho")
NORMS_FILTER = ("ortho", "backward", "forward")
NYQUIST_RULES = ("sum", "average")
METHODS = ("auto", "matmul", "fft")


def choice(func: str, name: str, value: object, allowed: Sequence[str]) -> str:
    """Check that ``value`` is one of the ``allowed`` strings."""
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{func}: argument `{name}` expected one of {options}, received {value!r}")
    return value


def real_float_array(func: str, name: str, x: Array, xp: ModuleType) -> None:
    """Check that ``x`` has a real floating dtype (the operators are real-linear maps of real maps)."""
    dtype = x.dtype
    if not xp.isdtype(dtype, "real floating"):
        kind = "complex" if xp.isdtype(dtype, "complex floating") else "non-floating"
        raise TypeError(
            f"{func}: argument `{name}` expected a real floating array (float16, bfloat16, float32 or float64), "
            f"received a {kind} array of dtype {dtype}"
        )


def positive_int(func: str, name: str, value: object) -> int:
    """Return ``value`` as a Python int >= 1 (accepting NumPy integers, rejecting bools and floats)."""
    if isinstance(value, bool):
        raise TypeError(f"{func}: argument `{name}` expected an int, received the bool {value!r}")
    try:
        result = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(
            f"{func}: argument `{name}` expected an int, received {value!r} of type {type(value).__name__}"
        ) from None
    if result < 1:
        raise ValueError(f"{func}: argument `{name}` expected an int >= 1, received {result}")
    return result


def normalize_axes(func: str, axes: object, ndim: int) -> tuple[int, ...]:
    """Return ``axes`` as non-negative ints, checking range and uniqueness."""
    raw = (axes,) if not isinstance(axes, (tuple, list)) else tuple(axes)
    if len(raw) == 0:
        raise ValueError(f"{func}: argument `axes` expected at least one axis, received {axes!r}")
    result = []
    for axis in raw:
        if isinstance(axis, bool):
            raise TypeError(f"{func}: argument `axes` expected ints, received {axes!r}")
        try:
            index = operator.index(axis)
        except TypeError:
            raise TypeError(f"{func}: argument `axes` expected a tuple of ints, received {axes!r}") from None
        if not -ndim <= index < ndim:
            raise ValueError(
                f"{func}: argument `axes` expected axes in [-{ndim}, {ndim}) for an input of {ndim} "
                f"dimensions, received {axes!r}"
            )
        result.append(index % ndim)
    if len(set(result)) != len(result):
        raise ValueError(f"{func}: argument `axes` expected distinct axes, received {axes!r}")
    return tuple(result)


def per_axis_sizes(func: str, name: str, size: object, count: int) -> tuple[int, ...]:
    """Expand an int or a tuple of ints into one positive int per axis."""
    if isinstance(size, (tuple, list)):
        if len(size) != count:
            raise ValueError(
                f"{func}: argument `{name}` expected an int or a tuple of {count} ints (one per axis), "
                f"received {size!r}"
            )
        return tuple(positive_int(func, name, s) for s in size)
    return (positive_int(func, name, size),) * count
