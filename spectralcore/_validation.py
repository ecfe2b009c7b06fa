"""The one validation vocabulary of the project: option tuples and argument checks.

The core's public functions and the framework adapters check their arguments with these functions, so that every
rule (what a size is, what a fraction is, which options exist) is written once. Each check takes as first argument
``func``, which says how a failure is worded:

* a ``str``, the name of the calling function, for the core's wording
  ``"{func}: argument `{name}` expected {expected}, received {received}"``;
* a :data:`Wording` callable ``(name, expected, received) -> str``, for an adapter's own wording (Keras says
  ``"Invalid value received for argument `name`. Expected ... Received: name=..."``).

``received`` is the ``repr`` of the value (or a short description, for arrays). A value of the wrong kind raises
``TypeError``, a value of the right kind out of range raises ``ValueError``, and nothing is silently corrected: a
wrong value is an error, never clipped or rounded. A per-axis tuple of the wrong length is a ``ValueError``.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

Array = Any

Wording = Callable[[str, str, str], str]
"""``(name, expected, received) -> message``: how an adapter words a failed check."""

Func = str | Wording
"""What every check takes first: the calling function's name (core wording) or a :data:`Wording`."""

NORMS_POOL = ("amplitude", "ortho")
NORMS_FILTER = ("ortho", "backward", "forward")
NYQUIST_RULES = ("sum", "average")
METHODS = ("auto", "matmul", "fft")
BOUNDARIES = ("periodic", "symmetric")

__all__ = [
    "BOUNDARIES",
    "METHODS",
    "NORMS_FILTER",
    "NORMS_POOL",
    "NYQUIST_RULES",
    "Func",
    "Wording",
    "boolean",
    "choice",
    "exactly_one",
    "floating_array",
    "fraction",
    "int_at_least",
    "int_range",
    "message",
    "normalize_axes",
    "per_axis_fractions",
    "per_axis_ints",
    "per_axis_sizes",
    "positive_int",
    "real_float_array",
    "type_error",
    "value_error",
]


# ---------------------------------------------------------------------------------------------------------------
# Wording.
# ---------------------------------------------------------------------------------------------------------------
def message(func: Func, name: str, expected: str, received: str) -> str:
    """The failure message of a check, in the core's wording or in ``func``'s own."""
    if isinstance(func, str):
        return f"{func}: argument `{name}` expected {expected}, received {received}"
    return func(name, expected, received)


def value_error(func: Func, name: str, expected: str, received: str) -> ValueError:
    """A ``ValueError`` for a value of the right kind that is out of range."""
    return ValueError(message(func, name, expected, received))


def type_error(func: Func, name: str, expected: str, received: str) -> TypeError:
    """A ``TypeError`` for a value of the wrong kind."""
    return TypeError(message(func, name, expected, received))


# ---------------------------------------------------------------------------------------------------------------
# Options and scalars.
# ---------------------------------------------------------------------------------------------------------------
def choice(func: Func, name: str, value: object, allowed: Sequence[str]) -> str:
    """Check that ``value`` is one of the ``allowed`` strings (a ``ValueError`` otherwise, whatever its kind).

    Examples
    --------
    >>> from spectralcore import _validation as v
    >>> v.choice("f", "norm", "ortho", v.NORMS_POOL)
    'ortho'
    >>> v.choice("f", "norm", "unitary", v.NORMS_POOL)
    Traceback (most recent call last):
    ...
    ValueError: f: argument `norm` expected one of 'amplitude', 'ortho', received 'unitary'
    """
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise value_error(func, name, f"one of {options}", repr(value))
    return value


def boolean(func: Func, name: str, value: object) -> bool:
    """Check that ``value`` is a bool (``1`` or ``"yes"`` are refused rather than read as true)."""
    if not isinstance(value, bool):
        raise type_error(func, name, "a bool", repr(value))
    return value


def int_at_least(func: Func, name: str, value: object, minimum: int) -> int:
    """Return ``value`` as a Python int ``>= minimum`` (NumPy integers accepted; bools and floats refused)."""
    expected = f"an int >= {minimum}"
    if isinstance(value, bool):
        raise type_error(func, name, expected, repr(value))
    try:
        result = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise type_error(func, name, expected, repr(value)) from None
    if result < minimum:
        raise value_error(func, name, expected, repr(result))
    return int(result)


def positive_int(func: Func, name: str, value: object) -> int:
    """Return ``value`` as a Python int ``>= 1``.

    Examples
    --------
    >>> from spectralcore import _validation as v
    >>> v.positive_int("f", "size", 3)
    3
    >>> v.positive_int("f", "size", 2.0)
    Traceback (most recent call last):
    ...
    TypeError: f: argument `size` expected an int >= 1, received 2.0
    """
    return int_at_least(func, name, value, 1)


def per_axis_ints(func: Func, name: str, value: object, count: int, *, minimum: int = 1) -> tuple[int, ...]:
    """Expand an int, or check a tuple/list of ``count`` ints, into one int ``>= minimum`` per axis.

    A sequence of the wrong length is a ``ValueError``, like any other wrong value of the right kind.
    """
    if isinstance(value, (tuple, list)):
        if len(value) != count:
            axes = "axis" if count == 1 else "axes"
            raise value_error(
                func, name, f"an int or a sequence of {count} ints (one per {axes}), each >= {minimum}", repr(value)
            )
        return tuple(int_at_least(func, name, s, minimum) for s in value)
    return (int_at_least(func, name, value, minimum),) * count


def per_axis_sizes(func: Func, name: str, size: object, count: int) -> tuple[int, ...]:
    """Expand an int, or check a tuple of ``count`` ints, into one positive size per axis.

    Examples
    --------
    >>> from spectralcore import _validation as v
    >>> v.per_axis_sizes("f", "size", 4, 2), v.per_axis_sizes("f", "size", (4, 5), 2)
    ((4, 4), (4, 5))
    """
    return per_axis_ints(func, name, size, count, minimum=1)


def fraction(func: Func, name: str, value: object) -> float:
    """Return ``value`` as a float in ``(0, 1]`` (NaN, infinities, bools and strings refused)."""
    expected = "a float in (0, 1]"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise type_error(func, name, expected, repr(value))
    as_float = float(value)
    if not math.isfinite(as_float) or not 0.0 < as_float <= 1.0:
        raise value_error(func, name, expected, repr(value))
    return as_float


def per_axis_fractions(func: Func, name: str, value: object, count: int) -> tuple[float, ...]:
    """Expand a float, or check a tuple/list of ``count`` floats, into one fraction in ``(0, 1]`` per axis."""
    if isinstance(value, (tuple, list)):
        if len(value) != count:
            raise value_error(func, name, f"a float in (0, 1] or a sequence of {count} of them", repr(value))
        return tuple(fraction(func, name, f) for f in value)
    return (fraction(func, name, value),) * count


def exactly_one(func: Func, names: tuple[str, str], values: tuple[object, object]) -> int:
    """Check that exactly one of two arguments is given (not None); return the index of the given one."""
    given = [value is not None for value in values]
    if given.count(True) != 1:
        received = f"{names[0]}={values[0]!r} and {names[1]}={values[1]!r}"
        if isinstance(func, str):
            raise ValueError(f"{func}: expected exactly one of `{names[0]}` and `{names[1]}`, received {received}")
        raise ValueError(func(f"{names[0]}` and `{names[1]}", "exactly one of them", received))
    return given.index(True)


def int_range(func: Func, name: str, value: object, *, high: int | None = None, high_is: str = "") -> tuple[int, int]:
    """Check an inclusive range ``(low, high)`` of ints with ``1 <= low <= high``, and ``high`` at most ``high``.

    ``high_is`` says what the upper bound is (``"the axis length"``), for the message.
    """
    bound = "" if high is None else f" <= {high}" + (f" ({high_is})" if high_is else "")
    expected = f"a pair of ints (low, high) with 1 <= low <= high{bound}"
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise type_error(func, name, expected, repr(value))
    low = int_at_least(func, f"{name}[0]", value[0], 1)
    top = int_at_least(func, f"{name}[1]", value[1], 1)
    if low > top or (high is not None and top > high):
        raise value_error(func, name, expected, repr(value))
    return low, top


# ---------------------------------------------------------------------------------------------------------------
# Axes and arrays.
# ---------------------------------------------------------------------------------------------------------------
def normalize_axes(func: Func, axes: object, ndim: int) -> tuple[int, ...]:
    """Return ``axes`` (an int or a sequence of ints) as non-negative ints, checking range and uniqueness."""
    raw = (axes,) if not isinstance(axes, (tuple, list)) else tuple(axes)
    if len(raw) == 0:
        raise value_error(func, "axes", "at least one axis", repr(axes))
    result = []
    for axis in raw:
        if isinstance(axis, bool):
            raise type_error(func, "axes", "an int or a tuple of ints", repr(axes))
        try:
            index = operator.index(axis)
        except TypeError:
            raise type_error(func, "axes", "an int or a tuple of ints", repr(axes)) from None
        if not -ndim <= index < ndim:
            raise value_error(func, "axes", f"axes in [-{ndim}, {ndim}) for an input of {ndim} dimensions", repr(axes))
        result.append(index % ndim)
    if len(set(result)) != len(result):
        raise value_error(func, "axes", "distinct axes", repr(axes))
    return tuple(result)


def _kind(x: Array, xp: ModuleType) -> str:
    if xp.isdtype(x.dtype, "complex floating"):
        return "complex"
    if xp.isdtype(x.dtype, "real floating"):
        return "real floating"
    return "non-floating"


def floating_array(func: Func, name: str, x: Array, xp: ModuleType) -> bool:
    """Check that ``x`` has a real or complex floating dtype; return True when it is complex."""
    if xp.isdtype(x.dtype, "real floating"):
        return False
    if xp.isdtype(x.dtype, "complex floating"):
        return True
    raise type_error(
        func,
        name,
        "a floating array (float16, bfloat16, float32, float64, complex64 or complex128)",
        f"a {_kind(x, xp)} array of dtype {x.dtype}",
    )


def real_float_array(func: Func, name: str, x: Array, xp: ModuleType) -> None:
    """Check that ``x`` has a real floating dtype."""
    if not xp.isdtype(x.dtype, "real floating"):
        raise type_error(
            func,
            name,
            "a real floating array (float16, bfloat16, float32 or float64)",
            f"a {_kind(x, xp)} array of dtype {x.dtype}",
        )
