"""Argument checks of the PyTorch adapter.

Messages follow the core's style: ``Func: argument `name` expected ..., received ...``. Everything checked here is
host-side metadata (Python values, shapes, dtypes), never tensor values, so no check syncs a GPU or breaks a
``torch.compile`` graph.
"""

from __future__ import annotations

import math
import numbers
import operator
from typing import Any

import torch

import spectralcore as sc
from spectralcore import _validation as v

POOL_NORMS = ("amplitude", "ortho")
BOUNDARIES = v.BOUNDARIES
FILTER_NORMS = ("ortho", "backward", "forward")
NYQUIST_RULES = ("sum", "average")
METHODS = ("auto", "matmul", "fft")
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def choice(func: str, name: str, value: object, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{func}: argument `{name}` expected one of {options}, received {value!r}")
    return value


def positive_int(func: str, name: str, value: object) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{func}: argument `{name}` expected an int >= 1, received {value!r}")
    try:
        result = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{func}: argument `{name}` expected an int >= 1, received {value!r}") from None
    if result < 1:
        raise ValueError(f"{func}: argument `{name}` expected an int >= 1, received {value!r}")
    return result


def int_pair(func: str, name: str, value: object, *, minimum: int = 1) -> tuple[int, int]:
    """An int or a pair of ints, each >= ``minimum``, as a pair (the ``nn.Conv2d`` convention)."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    expected = f"an int >= {minimum} or a pair of them"
    if len(items) != 2 or any(isinstance(i, bool) or not isinstance(i, numbers.Integral) for i in items):
        raise TypeError(f"{func}: argument `{name}` expected {expected}, received {value!r}")
    if any(int(i) < minimum for i in items):
        raise ValueError(f"{func}: argument `{name}` expected {expected}, received {value!r}")
    return int(items[0]), int(items[1])


def fraction(func: str, name: str, value: object) -> float:
    """A real number in (0, 1]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: argument `{name}` expected a float in (0, 1], received {value!r}")
    if not math.isfinite(float(value)) or not 0.0 < float(value) <= 1.0:
        raise ValueError(f"{func}: argument `{name}` expected a float in (0, 1], received {value!r}")
    return float(value)


def fraction_pair(func: str, name: str, value: object) -> tuple[float, float]:
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{func}: argument `{name}` expected a float in (0, 1] or a pair, received {value!r}")
        return fraction(func, name, value[0]), fraction(func, name, value[1])
    f = fraction(func, name, value)
    return f, f


def size_or_scale(func: str, size: object, scale: object) -> tuple[tuple[int, int] | None, tuple[float, float] | None]:
    """Exactly one of ``size`` (int or (h, w)) and ``scale`` (float or (gh, gw))."""
    if (size is None) == (scale is None):
        raise ValueError(
            f"{func}: expected exactly one of arguments `size` and `scale`, received size={size!r} and scale={scale!r}"
        )
    if size is not None:
        return int_pair(func, "size", size), None
    return None, fraction_pair(func, "scale", scale)


def dropout_spec(
    func: str, min_fraction: object, bounds: object, names: tuple[str, str], *, required: bool
) -> tuple[str, Any] | None:
    """``("min_fraction", c)``, ``("bounds", (low, high))``, or None (no dropout; only when not ``required``)."""
    if min_fraction is None and bounds is None and not required:
        return None
    if (min_fraction is None) == (bounds is None):
        raise ValueError(
            f"{func}: expected exactly one of arguments `{names[0]}` and `{names[1]}`, received "
            f"{names[0]}={min_fraction!r} and {names[1]}={bounds!r}"
        )
    if min_fraction is not None:
        return "min_fraction", fraction(func, names[0], min_fraction)
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise TypeError(f"{func}: argument `{names[1]}` expected a pair of ints (low, high), received {bounds!r}")
    low, high = int_pair(func, names[1], tuple(bounds))
    if low > high:
        raise ValueError(f"{func}: argument `{names[1]}` expected 1 <= low <= high, received {bounds!r}")
    return "bounds", (low, high)


@torch.compiler.assume_constant_result
def keep_ranges(
    func: str, spec: tuple[str, Any], hw: tuple[int, int], name: str
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The inclusive keep range on each axis of an (H, W) map, by the core's shared rule.

    A pure function of Python values: under torch.compile it is evaluated once at trace time, because Dynamo cannot
    trace the exact ``Fraction`` arithmetic of :func:`spectralcore.dropout_keep_range`.
    """
    kind, value = spec
    if kind == "bounds" and value[1] > min(hw):
        raise ValueError(
            f"{func}: argument `{name}` expected 1 <= low <= high <= {min(hw)} (the smaller side of the "
            f"{hw[0]} x {hw[1]} map it masks), received {value!r}"
        )
    return (sc.dropout_keep_range(hw[0], **{kind: value}), sc.dropout_keep_range(hw[1], **{kind: value}))


def feature_map(func: str, x: object, name: str = "input") -> torch.Tensor:
    """A real floating tensor of rank >= 3, channels-first: (C, H, W), (N, C, H, W) or more leading dims."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{func}: argument `{name}` expected a torch.Tensor, received {type(x).__name__}")
    if not x.dtype.is_floating_point:
        raise TypeError(f"{func}: argument `{name}` expected a real floating tensor, received dtype {x.dtype}")
    if x.ndim < 3:
        raise ValueError(
            f"{func}: argument `{name}` expected a channels-first tensor of rank >= 3 ((C, H, W) or (N, C, H, W)), "
            f"received shape {tuple(x.shape)}"
        )
    return x


def generator_device(func: str, generator: torch.Generator | None, x: torch.Tensor) -> None:
    if generator is not None and generator.device.type != x.device.type:
        raise ValueError(
            f"{func}: argument `generator` expected a torch.Generator on the input's device ({x.device.type}), "
            f"received one on {generator.device}"
        )


# ---------------------------------------------------------------------------------------------------------------
# The rank-generic pooling and dropout layers (SpectralPool1d/2d/3d, FrequencyDropout1d/2d/3d).
# ---------------------------------------------------------------------------------------------------------------
def sizes_or_scales(
    func: str, size: object, scale: object, rank: int
) -> tuple[tuple[int, ...] | None, tuple[float, ...] | None]:
    """Exactly one of ``size`` (an int or ``rank`` ints) and ``scale`` (a float or ``rank`` floats), per axis.

    A tuple of the wrong length is a ValueError, as in the core and the Keras layers.
    """
    if (size is None) == (scale is None):
        raise ValueError(
            f"{func}: expected exactly one of arguments `size` and `scale`, received size={size!r} and scale={scale!r}"
        )
    if size is not None:
        return v.per_axis_sizes(func, "size", size, rank), None
    return None, v.per_axis_fractions(func, "scale", scale, rank)


def boolean(func: str, name: str, value: object) -> bool:
    """A bool: ``"yes"`` or ``1`` are refused rather than read as true."""
    return v.boolean(func, name, value)


def generator(func: str, value: object) -> torch.Generator | None:
    """None or a ``torch.Generator``, checked when it is given rather than at the first draw."""
    if value is not None and not isinstance(value, torch.Generator):
        raise TypeError(f"{func}: argument `generator` expected a torch.Generator or None, received {value!r}")
    return value


def boundary(func: str, value: object, nyquist: str) -> str:
    """``"periodic"`` or ``"symmetric"``; the cosine basis has no Nyquist case, so it takes only the default rule."""
    choice(func, "boundary", value, BOUNDARIES)
    if value == "symmetric" and nyquist != "sum":
        raise ValueError(
            f"{func}: argument `nyquist` expected 'sum' (the default) with boundary='symmetric' (the cosine basis "
            f"has no Nyquist bin), received {nyquist!r}"
        )
    return str(value)


@torch.compiler.assume_constant_result
def keep_ranges_nd(
    func: str, spec: tuple[str, Any], lengths: tuple[int, ...], name: str
) -> tuple[tuple[int, int], ...]:
    """The inclusive keep range on each axis of a map of ``lengths``, by the core's shared rule.

    A pure function of Python values, evaluated once at trace time under torch.compile (Dynamo cannot trace the
    exact ``Fraction`` arithmetic of :func:`spectralcore.dropout_keep_range`).
    """
    kind, value = spec
    if kind == "bounds" and value[1] > min(lengths):
        side = "smaller side" if len(lengths) == 2 else ("length" if len(lengths) == 1 else "smallest side")
        raise ValueError(
            f"{func}: argument `{name}` expected 1 <= low <= high <= {min(lengths)} (the {side} of the "
            f"{' x '.join(map(str, lengths))} map it masks), received {value!r}"
        )
    return tuple(sc.dropout_keep_range(n, **{kind: value}) for n in lengths)


def signal_map(func: str, x: object, rank: int, name: str = "input") -> torch.Tensor:
    """A real or complex floating tensor, channels-first, with ``rank`` spatial axes after a channel axis."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{func}: argument `{name}` expected a torch.Tensor, received {type(x).__name__}")
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise TypeError(
            f"{func}: argument `{name}` expected a real or complex floating tensor, received dtype {x.dtype}"
        )
    if x.ndim < rank + 1:
        spatial = ("L",) if rank == 1 else (("H", "W") if rank == 2 else ("D", "H", "W"))
        layout = ", ".join(spatial)
        raise ValueError(
            f"{func}: argument `{name}` expected a channels-first tensor of rank >= {rank + 1} ((C, {layout}) or "
            f"(N, C, {layout})), received shape {tuple(x.shape)}"
        )
    return x
