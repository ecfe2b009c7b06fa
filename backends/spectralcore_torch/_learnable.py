"""``LearnableSpectralPool1d/2d/3d``: spectral pooling whose stride is a parameter, learned by backpropagation.

The exact counterpart of DiffStride (Riad et al., ICLR 2022) on the core's smooth pooling operator
(:func:`spectralcore.smooth_pool_matrix`): the stride sets a smooth, symmetric low-pass mask, and the output is
the low-passed map sampled at ``m = min(n, ceil(n / S + ramp) - 1)`` points per axis. The module owns the stride
parameter and the size policy; every Fourier rule is the core's.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch
from torch import nn

import spectralcore as sc

from . import _checks as ck

__all__ = [
    "LearnableSpectralPool1d",
    "LearnableSpectralPool2d",
    "LearnableSpectralPool3d",
    "pooling_cost",
    "update_pool_sizes",
]

_TABLE_SIZE = 16  # distinct input sizes remembered per module before the table starts afresh


def _strides(func: str, stride: object, count: int) -> tuple[float, ...]:
    items = tuple(stride) if isinstance(stride, (tuple, list)) else (stride,) * count
    expected = f"a real number >= 1 or a tuple of {count}"
    if len(items) != count:
        raise ValueError(f"{func}: argument `stride` expected {expected}, received {stride!r}")
    values = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"{func}: argument `stride` expected {expected}, received {stride!r}")
        value = float(item)
        if not math.isfinite(value) or value < 1.0:
            raise ValueError(f"{func}: argument `stride` expected {expected} (finite), received {stride!r}")
        values.append(value)
    return tuple(values)


def _ramp(func: str, ramp: object) -> float:
    if isinstance(ramp, bool) or not isinstance(ramp, numbers.Real):
        raise TypeError(f"{func}: argument `ramp` expected a real number > 0, received {ramp!r}")
    if not math.isfinite(float(ramp)) or float(ramp) <= 0.0:
        raise ValueError(f"{func}: argument `ramp` expected a real number > 0 (finite), received {ramp!r}")
    return float(ramp)


def _interval(func: str, value: object) -> int | None:
    if value is None:
        return None
    return ck.positive_int(func, "size_update_interval", value)


class _LearnableSpectralPoolNd(nn.Module):
    """Learnable-size spectral pooling of ``rank``-D maps; see :class:`LearnableSpectralPool2d`."""

    rank = 2

    def __init__(
        self,
        stride: float | tuple[float, ...] = 2.0,
        *,
        ramp: float = sc.DEFAULT_RAMP,
        shared_stride: bool = False,
        norm: str = "amplitude",
        size_update_interval: int | None = 1,
    ) -> None:
        super().__init__()
        func = type(self).__name__
        self.shared_stride = ck.boolean(func, "shared_stride", shared_stride)
        values = _strides(func, stride, self.rank)
        if self.shared_stride and len(set(values)) > 1:
            raise ValueError(
                f"{func}: argument `stride` expected one value with shared_stride=True, received {stride!r}"
            )
        values = values[:1] if self.shared_stride else values
        self.ramp = _ramp(func, ramp)
        sc.smooth_pool_size(1, 1.0, ramp=self.ramp)  # the core's own bound on the ramp
        self.norm = ck.choice(func, "norm", norm, ck.POOL_NORMS)
        self.size_update_interval = _interval(func, size_update_interval)
        self.stride = nn.Parameter(torch.tensor(values, dtype=torch.float32))
        # The stride the output size was last derived from: a buffer, so that a reload gives the same sizes.
        self.size_stride: torch.Tensor
        self.register_buffer("size_stride", torch.tensor(values, dtype=torch.float32))
        # Its Python copy: forward reads sizes from here, never from a tensor (no sync, no graph break).
        self._size_values: tuple[float, ...] = values
        # Output size per input size, at the current size strides. A compiled forward reads its entry, so Dynamo
        # guards on the integer sizes, not on the float strides: an update that keeps the sizes compiles nothing.
        self._size_table: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._calls = 0
        self._last_input: tuple[int, ...] | None = None
        self.register_load_state_dict_post_hook(_sync_after_load)

    # -- the size policy -------------------------------------------------------------------------------------
    def update_size(self) -> tuple[float, ...]:
        """Derive the output size from the current stride (a host read of the parameter); return the strides.

        Raises
        ------
        ValueError
            The stride parameter is NaN or infinite (a diverged optimizer step): no NaN size is ever used.
        """
        values = tuple(float(s) for s in self.stride.detach().cpu().tolist())
        if not all(math.isfinite(s) for s in values):
            raise ValueError(
                f"{type(self).__name__}: parameter `stride` expected finite values, received {values} after an "
                "optimizer step (a diverged step: lower the learning rate, or clip gradients)"
            )
        with torch.no_grad():
            self.size_stride.copy_(self.stride.detach())
        self._set_size_values(values)
        return values

    def _set_size_values(self, values: tuple[float, ...]) -> None:
        self._size_values = values
        if self._last_input is not None:  # seen by a compiled forward, which cannot fill the table itself
            self._size_table.setdefault(self._last_input[1:], ())
        for lengths in self._size_table:  # in place, same keys: guards on the entries see only the sizes
            self._size_table[lengths] = self.output_size(lengths)

    def _sizes_for(self, lengths: tuple[int, ...]) -> tuple[int, ...]:
        sizes = self._size_table.get(lengths)
        if sizes is None:
            sizes = self.output_size(lengths)
            if not torch.compiler.is_compiling():
                if len(self._size_table) >= _TABLE_SIZE:
                    self._size_table.clear()
                self._size_table[lengths] = sizes
        return sizes

    def output_size(self, lengths: tuple[int, ...]) -> tuple[int, ...]:
        """The output size for spatial ``lengths`` at the current size strides (stride below 1 acts as 1)."""
        strides = self._size_values * self.rank if self.shared_stride else self._size_values
        return tuple(sc.smooth_pool_size(n, max(1.0, s), ramp=self.ramp) for n, s in zip(lengths, strides, strict=True))

    # -- the layer -------------------------------------------------------------------------------------------
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        func = type(self).__name__
        ck.signal_map(func, x, self.rank)
        if x.dtype.is_complex:
            raise TypeError(f"{func}: argument `input` expected a real floating tensor, received dtype {x.dtype}")
        if not torch.compiler.is_compiling():
            # Eager only: a compiled graph must not read the parameter back; there update_pool_sizes(model) (or
            # update_size()) moves the size, and each new size compiles once.
            interval = self.size_update_interval
            if self.training and interval is not None and self._calls % interval == 0:
                self.update_size()
            self._calls += 1
        self._last_input = tuple(x.shape[-self.rank - 1 :])  # for cost(); written, never read, here
        lengths = tuple(x.shape[-self.rank :])
        sizes = self._sizes_for(lengths)
        strides = self.stride.to(x.dtype)
        out = x
        # The last axis first: its product folds the whole batch into one GEMM, and the later axes then work on
        # a map already shrunk along it.
        for axis in reversed(range(self.rank)):
            n, m = lengths[axis], sizes[axis]
            s = strides[0] if self.shared_stride else strides[axis]
            matrix = sc.smooth_pool_matrix(n, s, ramp=self.ramp, size=m, norm=self.norm)
            out = _along(out, matrix, axis - self.rank)
        return out

    def cost(self, lengths: tuple[int, ...] | None = None, channels: int | None = None) -> torch.Tensor:
        """The continuous output size per sample, ``channels * prod(n / S)``: differentiable in the stride.

        Add ``weight * cost`` (or :func:`pooling_cost`) to the loss to trade accuracy for compute. ``lengths`` and
        ``channels`` default to the last input's.
        """
        if lengths is None or channels is None:
            if self._last_input is None:
                raise RuntimeError(f"{type(self).__name__}.cost: no input seen yet; pass `lengths` and `channels`")
            channels = self._last_input[0] if channels is None else channels
            lengths = self._last_input[1:] if lengths is None else lengths
        strides = self.stride.expand(self.rank) if self.shared_stride else self.stride
        total = torch.ones((), dtype=self.stride.dtype, device=self.stride.device) * channels
        for a, n in enumerate(lengths):
            total = total * (n / strides[a].clamp(1.0, float(n)))
        return total

    def extra_repr(self) -> str:
        strides = ", ".join(f"{s:.4g}" for s in self.stride.detach().cpu().tolist())
        parts = [f"stride=({strides})", f"ramp={self.ramp:g}"]
        if self.shared_stride:
            parts.append("shared_stride=True")
        if self.norm != "amplitude":
            parts.append(f"norm={self.norm!r}")
        if self.size_update_interval != 1:
            parts.append(f"size_update_interval={self.size_update_interval}")
        return ", ".join(parts)


def _sync_after_load(module: nn.Module, incompatible: Any) -> None:
    assert isinstance(module, _LearnableSpectralPoolNd)
    module._set_size_values(tuple(float(s) for s in module.size_stride.detach().cpu().tolist()))


def _along(x: torch.Tensor, matrix: torch.Tensor, axis: int) -> torch.Tensor:
    """Apply the ``(m, n)`` matrix along ``axis`` (negative) of ``x``, always as ``(..., n) @ (n, m)``.

    A right product folds every other axis into the rows of one GEMM, forward and backward, so the gradient of the
    (learned) matrix is one GEMM too; ``matrix @ x`` would broadcast the matrix over the batch and sum one
    gradient per map.
    """
    if axis == -1:
        return x @ matrix.T
    return torch.movedim(torch.movedim(x, axis, -1) @ matrix.T, -1, axis)


def update_pool_sizes(model: nn.Module) -> dict[str, tuple[float, ...]]:
    """Call ``update_size()`` on every learnable spectral pooling layer of ``model``; return their strides by name.

    The size policy for compiled models: call it every ``k`` steps or at epoch ends, outside the compiled
    function; each distinct size then compiles once.
    """
    if not isinstance(model, nn.Module):
        received = type(model).__name__
        raise TypeError(f"update_pool_sizes: argument `model` expected a torch.nn.Module, received {received}")
    return {name: m.update_size() for name, m in model.named_modules() if isinstance(m, _LearnableSpectralPoolNd)}


def pooling_cost(model: nn.Module) -> torch.Tensor:
    """Sum of :meth:`LearnableSpectralPool2d.cost` over ``model``'s learnable pooling layers (0 if none).

    Each layer must have seen an input. Divide by your own reference (for example the sum at the initial strides)
    to get a relative cost.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"pooling_cost: argument `model` expected a torch.nn.Module, received {type(model).__name__}")
    layers = [m for m in model.modules() if isinstance(m, _LearnableSpectralPoolNd)]
    if not layers:
        return torch.zeros(())
    costs = [m.cost() for m in layers]
    return torch.stack([c.to(costs[0].device) for c in costs]).sum()


_DOC = """Spectral pooling of {what} maps with a learnable stride per axis (or one shared stride).

    The stride ``S`` sets a smooth low-pass mask symmetric in ``+-k``, with weight
    ``clip((n / S + ramp - 2|k|) / ramp, 0, 1)`` at frequency ``k``, and the output is the masked map sampled at

        ``m = min(n, ceil(n / S + ramp) - 1)``

    points per axis (:func:`spectralcore.smooth_pool_size`): the smallest size that holds every frequency the mask
    keeps. It is exact where DiffStride is not: real in, real out, by construction; equivariant under the circular
    flip ``x[j] -> x[-j mod n]``; any output parity; the mean is kept (``norm="amplitude"``); and with
    ``ramp <= 1`` at a stride with ``n / S`` an integer it equals :class:`{fixed}` at that size, exactly. The loss's
    gradient with respect to the stride flows through the mask; with a ramp above 2 some frequency is always on the
    ramp, so it is never zero for lack of one.

    Size policy (output shapes must not depend on data): the size follows ``size_stride``, the stride as it was at
    the last size update, not the live parameter. In eager training mode the layer updates it every
    ``size_update_interval`` calls (default 1: every call, one host read of the stride per call); ``None`` turns
    that off. Under ``torch.compile`` the layer never reads the parameter back: call :func:`update_pool_sizes`
    (or :meth:`update_size`) every few steps or at epoch ends, outside the compiled function, and each new size
    compiles once. Between updates the mask is additionally cut at the frozen size. A stride below 1 after an
    optimizer step acts as 1 (and gets no gradient); a stride above ``n`` acts as ``n`` (one output pixel, never
    none). A NaN or infinite stride raises ``ValueError`` at the next size update.

    Parameters
    ----------
    stride : float or tuple of {rank} floats
        Initial stride per axis, each ``>= 1`` and finite (``n / S`` need not be an integer).
    ramp : float
        Width of the mask's ramp, in output pixels (default :data:`spectralcore.DEFAULT_RAMP`, 3.0).
    shared_stride : bool
        One stride parameter for all axes.
    norm : {{"amplitude", "ortho"}}
        As :class:`{fixed}`.
    size_update_interval : int or None
        Eager training calls between size updates (default 1).

    Attributes
    ----------
    stride : nn.Parameter
        ``({rank},)`` float32, or ``(1,)`` with ``shared_stride``; in the ``state_dict``.
    size_stride : buffer
        The stride of the current output size; in the ``state_dict``, so a reload gives the same sizes.

    Input ``(N, C, {dims})`` or any leading dims, real floating; output ``(N, C, {out})`` of the same dtype and
    device. :meth:`cost` is the continuous output size ``C * prod(n / S)``, a differentiable compute penalty.

    Examples
    --------
    >>> import torch
    >>> import spectralcore_torch as sct
    >>> pool = sct.{name}(stride=2.0)
    >>> pool(torch.randn(4, 8, {example_in})).shape
    torch.Size([4, 8, {example_out}])
    """


class LearnableSpectralPool1d(_LearnableSpectralPoolNd):
    rank = 1
    __doc__ = _DOC.format(
        what="1-D",
        fixed="SpectralPool1d",
        rank=1,
        dims="L",
        out="m",
        name="LearnableSpectralPool1d",
        example_in="32",
        example_out="18",
    )


class LearnableSpectralPool2d(_LearnableSpectralPoolNd):
    rank = 2
    __doc__ = _DOC.format(
        what="2-D",
        fixed="SpectralPool2d",
        rank=2,
        dims="H, W",
        out="mh, mw",
        name="LearnableSpectralPool2d",
        example_in="32, 28",
        example_out="18, 16",
    )


class LearnableSpectralPool3d(_LearnableSpectralPoolNd):
    rank = 3
    __doc__ = _DOC.format(
        what="3-D",
        fixed="SpectralPool3d",
        rank=3,
        dims="D, H, W",
        out="md, mh, mw",
        name="LearnableSpectralPool3d",
        example_in="8, 16, 16",
        example_out="6, 10, 10",
    )
