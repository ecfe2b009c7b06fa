"""Spectral convolutions: stock ``nn.Conv1d``/``nn.Conv2d``/``nn.Conv3d`` whose weight is a parametrization.

The learned parameters are the ``prod(kernel_size)`` real spectral coefficients of each filter (Rippel et al.
2015), mapped to the spatial kernel by the core's exact filter maps through :mod:`torch.nn.utils.parametrize`
(:class:`SpectralWeight`). Whole models are converted in :mod:`._spectralize`.
"""

from __future__ import annotations

import numbers
import operator
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.nn.utils import parametrize

import spectralcore as sc

from . import _checks as ck

__all__ = ["SpectralConv1d", "SpectralConv2d", "SpectralConv3d", "SpectralWeight"]

_ORIGINAL = "parametrizations.weight.original"
# The `.data` property of tensors, as __torch_function__ sees its accessors.
_DATA_GET: Any = torch.Tensor.data.__get__  # type: ignore[attr-defined]
_DATA_SET: Any = torch.Tensor.data.__set__  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------------------------
# The parametrization
# ---------------------------------------------------------------------------------------------------------------
class SpectralWeight(nn.Module):
    """A :mod:`torch.nn.utils.parametrize` parametrization: spectral coefficients to spatial convolution kernels.

    ``forward`` is :func:`spectralcore.spectral_to_spatial` over the last ``ndim`` axes (exactly ``prod(k)`` reals
    per filter, every real value a valid real kernel), ``right_inverse`` is :func:`spectralcore.spatial_to_spectral`,
    so assigning a spatial kernel stores its coefficients. Register it on any stock convolution, or use
    :class:`SpectralConv2d` (and its 1-D and 3-D siblings), which does so.

    Parameters
    ----------
    ndim : {1, 2, 3}
        Number of kernel axes (the last ones of the weight).
    norm : {"ortho", "backward", "forward"}
        DFT normalization of the coefficients; ``"ortho"`` makes the map orthogonal.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from torch.nn.utils import parametrize
    >>> from spectralcore_torch import SpectralWeight
    >>> conv = nn.Conv2d(2, 3, 3, dtype=torch.float64)
    >>> w = conv.weight.detach().clone()
    >>> _ = parametrize.register_parametrization(conv, "weight", SpectralWeight(2))
    >>> torch.allclose(conv.weight, w)  # the function is unchanged; only the stored parameters are spectral
    True
    >>> tuple(conv.parametrizations.weight.original.shape)  # kh * kw reals per filter
    (3, 2, 3, 3)
    """

    ndim: int
    norm: str
    axes: tuple[int, ...]

    def __init__(self, ndim: int = 2, norm: str = "ortho") -> None:
        super().__init__()
        func = "SpectralWeight"
        if isinstance(ndim, bool) or not isinstance(ndim, numbers.Integral) or not 1 <= int(ndim) <= 3:
            raise ValueError(f"{func}: argument `ndim` expected 1, 2 or 3, received {ndim!r}")
        self.ndim = int(ndim)
        self.norm = ck.choice(func, "norm", norm, ck.FILTER_NORMS)
        self.axes = tuple(range(-self.ndim, 0))

    def spatial(self, theta: torch.Tensor) -> torch.Tensor:
        """The spatial kernels of ``theta`` (a plain tensor, differentiable)."""
        return sc.spectral_to_spatial(theta, axes=self.axes, norm=self.norm)

    def forward(self, theta: torch.Tensor) -> torch.Tensor:
        weight = self.spatial(theta)
        # In eager mode the kernel handed out by ``conv.weight`` writes in-place edits back (nn.init, copy_).
        if _eager(theta):
            weight = _SpatialWeight._wrap(weight, theta, self, weight)
        return weight

    def right_inverse(self, weight: torch.Tensor) -> torch.Tensor:
        """The spectral coefficients of spatial kernels ``weight`` (same shape and dtype)."""
        if not isinstance(weight, torch.Tensor) or not weight.dtype.is_floating_point:
            got = f"dtype {weight.dtype}" if isinstance(weight, torch.Tensor) else type(weight).__name__
            raise TypeError(f"SpectralWeight: argument `weight` expected a real floating tensor, received {got}")
        if weight.ndim < self.ndim:
            raise ValueError(
                f"SpectralWeight: argument `weight` expected at least {self.ndim} kernel axes, "
                f"received shape {tuple(weight.shape)}"
            )
        weight = weight.detach().as_subclass(torch.Tensor)
        # Mapped in at least float32, so a half-precision kernel rounds once, when storing.
        work = weight.to(torch.promote_types(weight.dtype, torch.float32))
        theta = sc.spatial_to_spectral(work, axes=self.axes, norm=self.norm).to(weight.dtype)
        return theta.clone(memory_format=torch.contiguous_format)  # never an alias of the caller's tensor

    def extra_repr(self) -> str:
        return f"ndim={self.ndim}, norm={self.norm}"


# torch.compiler.is_compiling is public from torch 2.3; older versions have the Dynamo one.
_is_compiling: Any = getattr(torch.compiler, "is_compiling", None) or torch._dynamo.is_compiling


def _eager(theta: torch.Tensor) -> bool:
    """Whether ``theta`` is the stored coefficient itself, read in plain eager mode (not traced or compiled)."""
    return (
        type(theta) is nn.Parameter
        and theta.device.type != "meta"
        and not _is_compiling()
        and not torch.jit.is_tracing()
        and not torch.jit.is_scripting()
    )


# In-place methods that change what a tensor is rather than its values: cannot be forwarded to the coefficients.
_METADATA_INPLACE = frozenset(
    {"detach_", "resize_", "resize_as_", "set_", "share_memory_", "as_strided_", "squeeze_", "unsqueeze_", "t_"}
    | {"transpose_", "swapdims_", "swapaxes_", "retain_grad", "requires_grad_"}
)
_INPLACE_DUNDERS = frozenset(
    f"__i{op}__" for op in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "matmul")
) | {"__setitem__", "__ilshift__", "__irshift__"}


class _SpatialWeight(torch.Tensor):
    """The computed spatial kernel as ``conv.weight`` hands it out in eager mode.

    Value writes on it or on its views (``copy_``, ``nn.init.*_``, ``w[...] = v``, ``w.data``) are carried back to
    the spectral coefficients through ``right_inverse``; writes that cannot be carried raise. Any other operation
    sees a plain tensor and returns plain tensors.
    """

    _sc_theta: torch.Tensor
    _sc_map: SpectralWeight
    _sc_root: torch.Tensor

    @staticmethod
    def _wrap(t: torch.Tensor, theta: torch.Tensor, mapping: SpectralWeight, root: torch.Tensor) -> _SpatialWeight:
        out = t.as_subclass(_SpatialWeight)
        out._sc_theta, out._sc_map, out._sc_root = theta, mapping, root.as_subclass(torch.Tensor)
        return out

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        kwargs = {} if kwargs is None else kwargs
        name = getattr(func, "__name__", "")
        target = args[0] if args else kwargs.get("tensor")
        if not isinstance(target, _SpatialWeight):
            target = None
        out = kwargs.get("out")
        if isinstance(out, _SpatialWeight):
            target, name = out, "out="
        is_data = func in (_DATA_GET, _DATA_SET)
        if target is not None and (name in _METADATA_INPLACE or name in _INPLACE_DUNDERS or is_data):
            pass
        elif target is not None and not (name.endswith("_") and not name.startswith("__")) and name != "out=":
            target = None
        if target is None:
            with torch._C.DisableTorchFunctionSubclass():
                result = func(*args, **kwargs)
            return _rewrap_views(result, args, kwargs)
        return target._sc_write(func, name, args, kwargs)

    def _sc_write(self, func: Any, name: str, args: Any, kwargs: Any) -> Any:
        theta, mapping = self._sc_theta, self._sc_map
        if func == _DATA_GET:
            with torch._C.DisableTorchFunctionSubclass():
                data = func(*args, **kwargs)
            return _SpatialWeight._wrap(data, theta, mapping, self._sc_root)
        if name == "requires_grad_":
            theta.requires_grad_(*args[1:], **kwargs)
            return self
        if name in _METADATA_INPLACE:
            raise RuntimeError(
                f"weight.{name}(): the weight of a spectral convolution is computed from its spectral coefficients "
                "(`parametrizations.weight.original`); apply it to those instead"
            )
        # nn.init writes under no_grad, and `.data = w` is allowed on any tensor.
        is_init = getattr(func, "__module__", "") == "torch.nn.init" or func == _DATA_SET
        # As on a stock weight: no in-place write to a tensor that requires grad, except through .data/detach().
        with torch._C.DisableTorchFunctionSubclass():
            tracked = self.requires_grad
        if not is_init and torch.is_grad_enabled() and tracked:
            raise RuntimeError(
                f"weight.{name}: an in-place write to the weight of a spectral convolution while its coefficients "
                "require grad; write under torch.no_grad() (it is then stored through right_inverse), or assign "
                "`conv.weight = w`"
            )
        if func == _DATA_SET:
            value = args[1]
            if tuple(value.shape) != tuple(self._sc_root.shape):
                raise ValueError(
                    f"weight.data: expected a tensor of shape {tuple(self._sc_root.shape)}, "
                    f"received {tuple(value.shape)}"
                )
            with torch.no_grad(), torch._C.DisableTorchFunctionSubclass():
                self._sc_root.copy_(value)
            result = None
        else:
            with torch._C.DisableTorchFunctionSubclass():
                result = func(*args, **kwargs)
        with torch.no_grad():
            theta.copy_(mapping.right_inverse(self._sc_root))
        return self if isinstance(result, torch.Tensor) and _aliases(result, self._sc_root) else result


def _aliases(t: torch.Tensor, root: torch.Tensor) -> bool:
    if t.layout != torch.strided or t.device.type == "meta":
        return False
    return bool(t.untyped_storage().data_ptr() == root.untyped_storage().data_ptr())


def _rewrap_views(result: Any, args: Any, kwargs: Any) -> Any:
    """Views of the kernel (``w[0]``, ``w.view(...)``, ``w.detach()``) stay write-back kernels."""
    if not isinstance(result, torch.Tensor) or isinstance(result, _SpatialWeight):
        return result
    source = next((a for a in (*args, *kwargs.values()) if isinstance(a, _SpatialWeight)), None)
    if source is not None and _aliases(result, source._sc_root):
        return _SpatialWeight._wrap(result, source._sc_theta, source._sc_map, source._sc_root)
    return result


# ---------------------------------------------------------------------------------------------------------------
# The convolutions
# ---------------------------------------------------------------------------------------------------------------
_LAYOUTS = {1: "(N, C, L) or (C, L)", 2: "(N, C, H, W) or (C, H, W)", 3: "(N, C, D, H, W) or (C, D, H, W)"}
_TUPLE_NAMES = {1: "a 1-tuple", 2: "a pair", 3: "a triple"}


def _int_tuple(func: str, name: str, value: object, n: int, *, minimum: int = 1) -> tuple[int, ...]:
    if n == 2:
        return ck.int_pair(func, name, value, minimum=minimum)
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,) * n
    expected = f"an int >= {minimum} or {_TUPLE_NAMES[n]} of them"
    if len(items) != n or any(isinstance(i, bool) or not isinstance(i, numbers.Integral) for i in items):
        raise TypeError(f"{func}: argument `{name}` expected {expected}, received {value!r}")
    ints = tuple(operator.index(i) for i in items)  # type: ignore[arg-type]
    if any(i < minimum for i in ints):
        raise ValueError(f"{func}: argument `{name}` expected {expected}, received {value!r}")
    return ints


if TYPE_CHECKING:
    _Base = nn.modules.conv._ConvNd
else:
    _Base = object


class _SpectralConvNd(_Base):
    """What the spectral convolutions share; mixed in before the stock ``nn.ConvNd``."""

    _n: int
    _stock: Any
    norm: str

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        *,
        norm: str = "ortho",
    ) -> None:
        n, func = self._n, type(self).__name__
        # Checked here, for the core's message style, before nn.ConvNd sees them.
        in_channels = ck.positive_int(func, "in_channels", in_channels)
        out_channels = ck.positive_int(func, "out_channels", out_channels)
        groups = ck.positive_int(func, "groups", groups)
        for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
            if channels % groups:
                raise ValueError(
                    f"{func}: argument `groups` expected a divisor of {name}={channels}, received {groups!r}"
                )
        kernel_size = _int_tuple(func, "kernel_size", kernel_size, n)
        stride = _int_tuple(func, "stride", stride, n)
        dilation = _int_tuple(func, "dilation", dilation, n)
        ck.choice(func, "padding_mode", padding_mode, ck.PADDING_MODES)
        norm = ck.choice(func, "norm", norm, ck.FILTER_NORMS)
        if isinstance(padding, str):
            ck.choice(func, "padding", padding, ("same", "valid"))
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError(f"{func}: argument `padding` 'same' expected stride 1, received stride={stride!r}")
        else:
            padding = _int_tuple(func, "padding", padding, n, minimum=0)
        self._stock.__init__(
            self,
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device=device,
            dtype=dtype,
        )
        self.norm = norm
        parametrize.register_parametrization(self, "weight", SpectralWeight(n, norm))
        self._register_load_state_dict_pre_hook(_load_spatial_weight, with_module=True)

    def _plist(self) -> Any:
        """The ``ParametrizationList`` of ``weight``."""
        return self._modules["parametrizations"]["weight"]  # type: ignore[index]

    def reset_parameters(self) -> None:
        """Draw the spatial kernel and bias exactly as the stock convolution does, and store the coefficients."""
        if self.__dict__.get("_sc_skip_reset"):  # from_conv: the values come from the source, no random numbers
            return
        self._stock.reset_parameters(self)

    @property
    def spectral_weight(self) -> torch.Tensor:
        """The learned coefficients ``(out, in / groups, *kernel_size)``, i.e. ``parametrizations.weight.original``."""
        return self._plist().original

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("weight", "spectral_weight") and "parametrizations" in self.__dict__.get("_modules", {}):
            original = self._plist().original
            if not isinstance(value, torch.Tensor) or tuple(value.shape) != tuple(original.shape):
                got = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
                expected = tuple(original.shape)
                func = type(self).__name__
                raise ValueError(f"{func}: `{name}` expected a tensor of shape {expected}, received {got}")
            with torch.no_grad():
                if name == "weight":  # through right_inverse, as parametrize does (also for an nn.Parameter)
                    self._plist().right_inverse(value)
                else:
                    original.copy_(value)
            return
        super().__setattr__(name, value)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        n, func = self._n, type(self).__name__
        if not isinstance(input, torch.Tensor) or input.ndim not in (n + 1, n + 2):
            got = tuple(input.shape) if isinstance(input, torch.Tensor) else type(input).__name__
            raise ValueError(f"{func}: argument `input` expected a {_LAYOUTS[n]} tensor, received {got}")
        if input.shape[-n - 1] != self.in_channels:
            raise ValueError(
                f"{func}: argument `input` expected {self.in_channels} channels (dim {input.ndim - n - 1}), "
                f"received shape {tuple(input.shape)}"
            )
        plist = self._plist()
        if len(plist) == 1 and not parametrize._cache_enabled:
            weight = plist[0].spatial(plist.original)  # the plain kernel, without the write-back wrapper
        else:  # further parametrizations stacked on top, or inside parametrize.cached()
            weight = self.weight
            if isinstance(weight, _SpatialWeight):
                weight = weight.as_subclass(torch.Tensor)
        return self._conv_forward(input, weight, self.bias)

    def _get_name(self) -> str:
        return type(self).__mro__[1].__name__ if type(self).__name__.startswith("Parametrized") else type(self).__name__

    def __repr__(self) -> str:
        return f"{self._get_name()}({self.extra_repr()})"

    def extra_repr(self) -> str:
        s = self._stock.extra_repr(self)
        return s if self.norm == "ortho" else f"{s}, norm={self.norm}"

    @classmethod
    def from_conv(cls, conv: nn.Module, *, norm: str = "ortho") -> Any:
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
        stock: Any = cls._stock
        if not isinstance(conv, stock):
            raise TypeError(
                f"{cls.__name__}.from_conv: argument `conv` expected an nn.{stock.__name__}, received {conv!r}"
            )
        weight = conv.weight
        layer = cls.__new__(cls)
        object.__setattr__(layer, "_sc_skip_reset", True)
        cls.__init__(
            layer,
            conv.in_channels,
            conv.out_channels,
            conv.kernel_size,
            conv.stride,
            conv.padding,
            conv.dilation,
            conv.groups,
            conv.bias is not None,
            conv.padding_mode,
            device=weight.device,
            dtype=weight.dtype,
            norm=norm,
        )
        del layer.__dict__["_sc_skip_reset"]
        with torch.no_grad():
            layer.spectral_weight.copy_(layer._plist()[0].right_inverse(weight))
            if conv.bias is not None and layer.bias is not None:
                layer.bias.copy_(conv.bias)
        _carry_over(conv, layer, weight.requires_grad)
        return layer

    def to_conv(self) -> Any:
        """The equivalent stock convolution (exact spatial kernel, same bias, device, dtype and outputs).

        Examples
        --------
        >>> from spectralcore_torch import SpectralConv2d
        >>> SpectralConv2d(3, 8, 5, stride=2, bias=False).to_conv()
        Conv2d(3, 8, kernel_size=(5, 5), stride=(2, 2), bias=False)
        """
        theta = self.spectral_weight
        conv = torch.nn.utils.skip_init(
            self._stock,
            self.in_channels,
            self.out_channels,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.groups,
            self.bias is not None,
            self.padding_mode,
            device=theta.device,
            dtype=theta.dtype,
        )
        with torch.no_grad():
            conv.weight.copy_(self._plist()[0].spatial(theta))
            if self.bias is not None:
                conv.bias.copy_(self.bias)
        _carry_over(self, conv, theta.requires_grad)
        return conv


def _load_spatial_weight(module: Any, state_dict: Any, prefix: str, *args: Any) -> None:
    """A stock convolution's ``weight`` (or an old ``spectral_weight``) loads into the coefficients."""
    target = prefix + _ORIGINAL
    if target in state_dict:
        return
    if prefix + "spectral_weight" in state_dict:
        state_dict[target] = state_dict.pop(prefix + "spectral_weight")
    elif prefix + "weight" in state_dict:
        weight = state_dict.pop(prefix + "weight")
        expected = tuple(module.spectral_weight.shape)
        if isinstance(weight, torch.Tensor) and tuple(weight.shape) == expected:
            weight = module.parametrizations.weight[0].right_inverse(weight)
        state_dict[target] = weight  # a wrong shape is reported by load_state_dict, under the stored key


def _carry_over(source: nn.Module, target: nn.Module, weight_requires_grad: bool) -> None:
    target.train(source.training)
    for name, param in target.named_parameters():
        param.requires_grad_(weight_requires_grad if name in ("weight", _ORIGINAL) else True)
    bias = getattr(source, "bias", None)
    if bias is not None:
        target.bias.requires_grad_(bias.requires_grad)


class SpectralConv2d(_SpectralConvNd, nn.Conv2d):
    """``nn.Conv2d`` whose learned parameters are the spectral coefficients of its kernels (Rippel et al. 2015).

    A subclass of :class:`torch.nn.Conv2d` (``isinstance(conv, nn.Conv2d)`` holds): same constructor arguments,
    forward and outputs. ``weight`` is a :mod:`torch.nn.utils.parametrize` parametrization (:class:`SpectralWeight`)
    of the stored coefficients ``parametrizations.weight.original`` (alias ``spectral_weight``), exactly
    ``kh * kw`` reals per filter: every real value is a valid, real kernel, so optimizers update it freely.

    Writing the spatial kernel works as on ``nn.Conv2d``: ``conv.weight = w`` (a tensor or an ``nn.Parameter``),
    ``conv.weight.copy_(w)`` under ``torch.no_grad()``, ``nn.init.*_(conv.weight)``, ``conv.weight[...] = v`` and
    ``conv.weight.data`` store the coefficients of the written kernel (``right_inverse``); writes that cannot be
    carried over (``resize_``, or an in-place write with grad enabled) raise. A ``nn.Conv2d`` ``state_dict`` (keys
    ``weight``, ``bias``) loads directly; :meth:`to_conv` gives the stock layer back. ``torch.compile``,
    ``torch.export`` and ONNX export work; ``torch.jit.script`` does not (parametrizations are not scriptable, and
    TorchScript is deprecated upstream). Whole-module pickling (``torch.save(model)``) is not supported for
    parametrized modules; save the ``state_dict``.

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
    >>> isinstance(spectral, nn.Conv2d)
    True
    >>> x = torch.randn(2, 3, 16, 16, dtype=torch.float64)
    >>> torch.allclose(spectral(x), conv(x))
    True
    >>> bool(torch.isclose(spectral.spectral_weight.norm(), conv.weight.norm()))  # weight decay is the same
    True
    >>> _ = spectral.load_state_dict(nn.Conv2d(3, 8, 3, dtype=torch.float64).state_dict())  # spatial checkpoints
    """

    _n = 2
    _stock = nn.Conv2d


class SpectralConv1d(_SpectralConvNd, nn.Conv1d):
    """``nn.Conv1d`` learned in the frequency domain: :class:`SpectralConv2d` for 1-D kernels (``k`` reals each).

    Parameters
    ----------
    in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype
        As in :class:`torch.nn.Conv1d`.
    norm : {"ortho", "backward", "forward"}
        DFT normalization of the spectral parameters.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from spectralcore_torch import SpectralConv1d
    >>> conv = nn.Conv1d(2, 4, 5, padding=2, dtype=torch.float64)
    >>> x = torch.randn(3, 2, 16, dtype=torch.float64)
    >>> torch.allclose(SpectralConv1d.from_conv(conv)(x), conv(x))
    True
    """

    _n = 1
    _stock = nn.Conv1d


class SpectralConv3d(_SpectralConvNd, nn.Conv3d):
    """``nn.Conv3d`` learned in the frequency domain: :class:`SpectralConv2d` for 3-D kernels (``kd * kh * kw`` reals).

    Parameters
    ----------
    in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, device, dtype
        As in :class:`torch.nn.Conv3d`.
    norm : {"ortho", "backward", "forward"}
        DFT normalization of the spectral parameters.

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from spectralcore_torch import SpectralConv3d
    >>> conv = nn.Conv3d(2, 3, (3, 1, 3), padding="same", dtype=torch.float64)
    >>> x = torch.randn(1, 2, 6, 5, 7, dtype=torch.float64)
    >>> torch.allclose(SpectralConv3d.from_conv(conv)(x), conv(x))
    True
    """

    _n = 3
    _stock = nn.Conv3d
