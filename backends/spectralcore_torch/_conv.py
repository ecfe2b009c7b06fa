"""``SpectralConv2d`` (a drop-in ``nn.Conv2d`` learned in the frequency domain) and whole-model conversion."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

import spectralcore as sc

from . import _checks as ck
from .functional import spectral_conv2d

__all__ = ["SpectralConv2d", "despectralize", "spectralize"]


class SpectralConv2d(nn.Module):
    """``nn.Conv2d`` whose learned parameters are the spectral coefficients of its kernels (Rippel et al. 2015).

    Same constructor arguments, forward and outputs as :class:`torch.nn.Conv2d`. The parameter
    ``spectral_weight`` ``(out, in / groups, kh, kw)`` holds exactly ``kh * kw`` reals per filter, the core's
    filter map (:func:`spectralcore.spatial_to_spectral`): every real value is a valid, real kernel, so optimizers
    update it freely. ``weight`` is the spatial kernel, recomputed from it (read-only, differentiable).

    The model is unchanged; only the optimisation geometry is. Under ``norm="ortho"`` (default) the map is
    orthogonal: ``spectral_weight.norm() == weight.norm()``, so L2 weight decay acts identically in both
    parameterizations and plain SGD follows the same trajectory. Adam's per-coordinate scaling is what differs,
    which is the paper's point.

    Parameters
    ----------
    in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype
        As in :class:`torch.nn.Conv2d`.
    norm : {"ortho", "backward", "forward"}
        DFT normalization of the spectral parameters.

    Notes
    -----
    Initialization draws the spatial kernel and bias exactly as ``nn.Conv2d.reset_parameters`` does (Kaiming
    uniform with ``a = sqrt(5)``) and stores the kernel's spectral image, so after the same ``torch.manual_seed``
    the spatial kernel equals ``nn.Conv2d``'s up to rounding. Use :meth:`from_conv` for the exact image of a given
    convolution.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from spectralcore_torch import SpectralConv2d
    >>> conv = nn.Conv2d(3, 8, 3, padding="same", dtype=torch.float64)
    >>> spectral = SpectralConv2d.from_conv(conv)
    >>> spectral
    SpectralConv2d(3, 8, kernel_size=(3, 3), stride=(1, 1), padding=same)
    >>> x = torch.randn(2, 3, 16, 16, dtype=torch.float64)
    >>> torch.allclose(spectral(x), conv(x))
    True
    >>> bool(torch.isclose(spectral.spectral_weight.norm(), conv.weight.norm()))  # weight decay is the same
    True
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: str | int | tuple[int, int] = 0,
        dilation: int | tuple[int, int] = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        norm: str = "ortho",
    ) -> None:
        super().__init__()
        func = type(self).__name__
        self.in_channels = ck.positive_int(func, "in_channels", in_channels)
        self.out_channels = ck.positive_int(func, "out_channels", out_channels)
        self.groups = ck.positive_int(func, "groups", groups)
        for name, channels in (("in_channels", self.in_channels), ("out_channels", self.out_channels)):
            if channels % self.groups:
                raise ValueError(
                    f"{func}: argument `groups` expected a divisor of {name}={channels}, received {groups!r}"
                )
        self.kernel_size = ck.int_pair(func, "kernel_size", kernel_size)
        self.stride = ck.int_pair(func, "stride", stride)
        self.dilation = ck.int_pair(func, "dilation", dilation)
        self.padding_mode = ck.choice(func, "padding_mode", padding_mode, ck.PADDING_MODES)
        self.norm = ck.choice(func, "norm", norm, ck.FILTER_NORMS)
        self.padding: str | tuple[int, int]
        if isinstance(padding, str):
            self.padding = ck.choice(func, "padding", padding, ("same", "valid"))
            if padding == "same" and self.stride != (1, 1):
                raise ValueError(f"{func}: argument `padding` 'same' expected stride 1, received stride={stride!r}")
        else:
            self.padding = ck.int_pair(func, "padding", padding, minimum=0)
        # What F.pad needs for the non-zero padding modes, computed as nn.Conv2d does ("same" pads the extra
        # row/column of an even total on the bottom/right).
        self._pad = _explicit_padding(self.padding, self.kernel_size, self.dilation)

        shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        factory: dict[str, Any] = {"device": device, "dtype": dtype}
        self.spectral_weight = nn.Parameter(torch.empty(shape, **factory))
        self.bias = nn.Parameter(torch.empty(self.out_channels, **factory)) if bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the spatial kernel and bias as ``nn.Conv2d`` does and store the kernel's spectral image."""
        if self.spectral_weight.is_meta:  # nothing to draw (torch.nn.utils.skip_init, from_conv)
            return
        with torch.no_grad():
            weight = torch.empty_like(self.spectral_weight)
            nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
            # Mapped in at least float32, so a half-precision layer rounds once, when storing.
            work = weight.to(torch.promote_types(weight.dtype, torch.float32))
            self.spectral_weight.copy_(sc.spatial_to_spectral(work, norm=self.norm))
            if self.bias is not None:
                fan_in = weight.shape[1] * weight.shape[2] * weight.shape[3]
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                nn.init.uniform_(self.bias, -bound, bound)

    @property
    def weight(self) -> torch.Tensor:
        """The spatial kernel ``(out, in / groups, kh, kw)``, computed from ``spectral_weight`` (differentiable)."""
        return sc.spectral_to_spatial(self.spectral_weight, norm=self.norm)

    @weight.setter
    def weight(self, value: Any) -> None:
        raise AttributeError(
            f"{type(self).__name__}: `weight` is computed from `spectral_weight`; assign "
            "`spectral_weight = spectralcore.spatial_to_spectral(w, norm=layer.norm)` or use from_conv"
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        func = type(self).__name__
        if not isinstance(x, torch.Tensor) or x.ndim not in (3, 4):
            got = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"{func}: argument `input` expected a (N, C, H, W) or (C, H, W) tensor, received {got}")
        if x.shape[-3] != self.in_channels:
            raise ValueError(
                f"{func}: argument `input` expected {self.in_channels} channels (dim {x.ndim - 3}), "
                f"received shape {tuple(x.shape)}"
            )
        padding = self.padding
        if self.padding_mode != "zeros":
            x, padding = F.pad(x, self._pad, mode=self.padding_mode), (0, 0)
        return spectral_conv2d(
            x, self.spectral_weight, self.bias, self.stride, padding, self.dilation, self.groups, norm=self.norm
        )

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        if self.norm != "ortho":
            s += f", norm={self.norm}"
        return s

    @classmethod
    def from_conv(cls, conv: nn.Conv2d, *, norm: str = "ortho") -> SpectralConv2d:
        """The exact spectral image of ``conv``: same configuration, device, dtype, bias and outputs.

        Consumes no random numbers. ``requires_grad`` and the training mode are carried over; hooks are not.

        Examples
        --------
        >>> import torch
        >>> from torch import nn
        >>> from spectralcore_torch import SpectralConv2d
        >>> conv = nn.Conv2d(4, 6, (3, 5), padding=(1, 2), groups=2, padding_mode="circular", dtype=torch.float64)
        >>> torch.allclose(SpectralConv2d.from_conv(conv).to_conv().weight, conv.weight, rtol=0, atol=1e-12)
        True
        """
        if not isinstance(conv, nn.Conv2d):
            raise TypeError(f"{cls.__name__}.from_conv: argument `conv` expected an nn.Conv2d, received {conv!r}")
        layer = torch.nn.utils.skip_init(
            cls,
            conv.in_channels,
            conv.out_channels,
            conv.kernel_size,
            conv.stride,
            conv.padding,
            conv.dilation,
            conv.groups,
            conv.bias is not None,
            conv.padding_mode,
            device=conv.weight.device,
            dtype=conv.weight.dtype,
            norm=norm,
        )
        with torch.no_grad():
            layer.spectral_weight.copy_(sc.spatial_to_spectral(conv.weight, norm=norm))
            if conv.bias is not None:
                layer.bias.copy_(conv.bias)
        _carry_over(conv, layer, conv.weight)
        return layer

    def to_conv(self) -> nn.Conv2d:
        """The equivalent ``nn.Conv2d`` (exact spatial kernel, same bias, device, dtype and outputs).

        Examples
        --------
        >>> from spectralcore_torch import SpectralConv2d
        >>> SpectralConv2d(3, 8, 5, stride=2, bias=False).to_conv()
        Conv2d(3, 8, kernel_size=(5, 5), stride=(2, 2), bias=False)
        """
        conv = torch.nn.utils.skip_init(
            nn.Conv2d,
            self.in_channels,
            self.out_channels,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            self.bias is not None,
            self.padding_mode,
            device=self.spectral_weight.device,
            dtype=self.spectral_weight.dtype,
        )
        with torch.no_grad():
            conv.weight.copy_(self.weight)
            if self.bias is not None:
                conv.bias.copy_(self.bias)
        _carry_over(self, conv, self.spectral_weight)
        return conv


def _explicit_padding(padding: str | tuple[int, int], kernel: tuple[int, int], dilation: tuple[int, int]) -> list[int]:
    """``F.pad`` amounts (left, right, top, bottom), as ``nn.Conv2d._reversed_padding_repeated_twice``."""
    if padding == "valid":
        return [0, 0, 0, 0]
    if padding == "same":
        pads = []
        for d, k in zip(reversed(dilation), reversed(kernel), strict=True):
            total = d * (k - 1)
            pads += [total // 2, total - total // 2]
        return pads
    assert isinstance(padding, tuple)
    return [padding[1], padding[1], padding[0], padding[0]]


def _carry_over(source: nn.Module, target: nn.Module, source_weight: torch.Tensor) -> None:
    target.train(source.training)
    for name, param in target.named_parameters(recurse=False):
        param.requires_grad_(source_weight.requires_grad if name in ("weight", "spectral_weight") else True)
    bias = getattr(source, "bias", None)
    if bias is not None:
        target.bias.requires_grad_(bias.requires_grad)


def spectralize(model: nn.Module, *, norm: str = "ortho") -> nn.Module:
    """Replace every ``nn.Conv2d`` in ``model`` (recursively, in place) by its exact :class:`SpectralConv2d`.

    Outputs are unchanged (to rounding). Subclasses of ``nn.Conv2d`` are left alone, since their forward may
    differ; a convolution shared by several parents stays shared. Create the optimizer *after* converting.

    Parameters
    ----------
    model : nn.Module
        The model; if it is itself an ``nn.Conv2d``, its replacement is returned.
    norm : {"ortho", "backward", "forward"}
        As in :class:`SpectralConv2d`.

    Returns
    -------
    nn.Module
        ``model`` (converted in place), or the new layer when ``model`` is an ``nn.Conv2d``.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from spectralcore_torch import despectralize, spectralize
    >>> net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 4, 1)).double()
    >>> x = torch.randn(1, 3, 12, 12, dtype=torch.float64)
    >>> before = net(x)
    >>> spectralize(net)
    Sequential(
      (0): SpectralConv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))
      (1): ReLU()
      (2): SpectralConv2d(8, 4, kernel_size=(1, 1), stride=(1, 1))
    )
    >>> torch.allclose(net(x), before) and torch.allclose(despectralize(net)(x), before)
    True
    """
    ck.choice("spectralize", "norm", norm, ck.FILTER_NORMS)
    return _convert(model, nn.Conv2d, lambda m: SpectralConv2d.from_conv(m, norm=norm), {})


def despectralize(model: nn.Module) -> nn.Module:
    """Replace every :class:`SpectralConv2d` in ``model`` (recursively, in place) by its ``nn.Conv2d``.

    The inverse of :func:`spectralize`; see its example.

    Parameters
    ----------
    model : nn.Module
        The model; if it is itself a ``SpectralConv2d``, its replacement is returned.

    Returns
    -------
    nn.Module
        ``model`` (converted in place), or the new layer.
    """
    return _convert(model, SpectralConv2d, lambda m: m.to_conv(), {})


def _convert(module: nn.Module, kind: type, make: Any, done: dict[int, nn.Module]) -> nn.Module:
    if type(module) is kind:
        if id(module) not in done:
            done[id(module)] = make(module)
        return done[id(module)]
    # Not named_children(): it lists a module registered under two names only once, and both must be replaced.
    for name, child in list(module._modules.items()):
        if child is None:
            continue
        new = _convert(child, kind, make, done)
        if new is not child:
            setattr(module, name, new)
    return module
