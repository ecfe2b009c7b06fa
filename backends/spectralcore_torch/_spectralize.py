"""``spectralize`` / ``despectralize``: convert every convolution of a model to or from its spectral twin."""

from __future__ import annotations

import copy
import warnings
from typing import Any

from torch import nn
from torch.nn.utils import parametrize

from . import _checks as ck
from ._conv import SpectralConv1d, SpectralConv2d, SpectralConv3d, _SpectralConvNd
from ._learnable import LearnableSpectralPool1d, LearnableSpectralPool2d, LearnableSpectralPool3d

__all__ = ["despectralize", "spectralize"]

_SPECTRAL: dict[type[nn.Module], Any] = {
    nn.Conv1d: SpectralConv1d,
    nn.Conv2d: SpectralConv2d,
    nn.Conv3d: SpectralConv3d,
}


# ---------------------------------------------------------------------------------------------------------------
# Whole models
# ---------------------------------------------------------------------------------------------------------------
def _skip_reason(module: nn.Module) -> str | None:
    """Why a stock-derived convolution is not converted (None: it is converted, or it is not a stock one)."""
    from torch.nn.utils.spectral_norm import SpectralNorm
    from torch.nn.utils.weight_norm import WeightNorm

    if isinstance(module, _SpectralConvNd):
        return None
    stock = next((s for s in _SPECTRAL if isinstance(module, s)), None)
    if stock is None:
        return None
    if parametrize.is_parametrized(module):
        container: Any = module._modules["parametrizations"]
        plists = container.values()
        names = ", ".join(sorted({type(p).__name__ for plist in plists for p in plist}))
        return f"parametrized ({names}): converting would drop the parametrization"
    hooks = [h for h in module._forward_pre_hooks.values() if isinstance(h, (WeightNorm, SpectralNorm))]
    if hooks:
        return f"{type(hooks[0]).__name__} hook (torch.nn.utils.{type(hooks[0]).__name__.lower()[:-4]}_norm)"
    return None


def spectralize(model: nn.Module, *, norm: str = "ortho", pools: str | None = None) -> nn.Module:
    """Replace every stock ``nn.Conv1d``/``nn.Conv2d``/``nn.Conv3d`` in ``model`` (recursively, in place) by its
    exact spectral convolution (:class:`SpectralConv1d`, :class:`SpectralConv2d`, :class:`SpectralConv3d`).

    With ``pools="learnable"`` the downsampling becomes learnable spectral pooling first
    (:class:`LearnableSpectralPool2d` and its 1-D/3-D twins, starting at the same stride): every stock max or
    average pooling whose stride equals its kernel (no padding, no dilation) is replaced, and every strided stock
    convolution becomes ``nn.Sequential(the same convolution with stride 1, LearnableSpectralPoolNd(stride))``.
    Output sizes then follow the learnable layers' rule, so the model must accept any map size after them (a
    global pooling head does). Other poolings are left alone and listed in a ``UserWarning``.

    Outputs are unchanged (to rounding). Other subclasses of the stock convolutions are left alone, since their
    forward may differ; weight-normalised or otherwise parametrized convolutions (``weight_norm``, ``spectral_norm``
    in either the parametrization or the old hook form) are left alone too, because converting would drop the
    normalization, and they are listed in a ``UserWarning`` with the reason. A convolution shared by several parents
    stays shared. Create the optimizer *after* converting.

    Parameters
    ----------
    model : nn.Module
        The model; if it is itself a stock convolution, its replacement is returned.
    norm : {"ortho", "backward", "forward"}
        As in :class:`SpectralConv2d`.
    pools : {None, "learnable"}
        ``"learnable"``: also turn strided convolutions and max/average poolings into learnable spectral pooling.

    Returns
    -------
    nn.Module
        ``model`` (converted in place), or the new layer when ``model`` is a stock convolution.

    Raises
    ------
    TypeError
        ``model`` is not an ``nn.Module``.
    ValueError
        ``model`` holds a lazy convolution (``nn.LazyConv2d`` ...) that has not materialized yet; run one forward
        pass first (it then becomes a stock convolution and is converted). Nothing is converted in that case.

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
    _check_model("spectralize", model)
    ck.choice("spectralize", "norm", norm, ck.FILTER_NORMS)
    if pools is not None:
        ck.choice("spectralize", "pools", pools, ("learnable",))
    lazy = [
        f"{name or '<model>'} ({type(m).__name__})"
        for name, m in model.named_modules()
        if isinstance(m, nn.modules.lazy.LazyModuleMixin) and isinstance(m, tuple(_SPECTRAL))
    ]
    if lazy:
        raise ValueError(
            f"spectralize: argument `model` holds lazy convolutions that have not materialized: {', '.join(lazy)}; "
            "run one forward pass first (lazy convolutions then become stock ones and are converted)"
        )
    skipped = [(name or "<model>", r) for name, m in model.named_modules() if (r := _skip_reason(m)) is not None]
    if skipped:
        listed = "; ".join(f"{name}: {reason}" for name, reason in skipped)
        warnings.warn(f"spectralize: left {len(skipped)} convolution(s) unconverted: {listed}", stacklevel=2)
    convertible = lambda m: type(m) in _SPECTRAL and _skip_reason(m) is None  # noqa: E731
    if pools == "learnable":
        model = _learnable_pools(model)
    return _convert(model, convertible, lambda m: _SPECTRAL[type(m)].from_conv(m, norm=norm), {})


_POOLS: dict[type[nn.Module], int] = {
    nn.MaxPool1d: 1,
    nn.MaxPool2d: 2,
    nn.MaxPool3d: 3,
    nn.AvgPool1d: 1,
    nn.AvgPool2d: 2,
    nn.AvgPool3d: 3,
}
_LEARNABLE = {1: LearnableSpectralPool1d, 2: LearnableSpectralPool2d, 3: LearnableSpectralPool3d}


def _per_axis(value: Any, rank: int) -> tuple[int, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * rank


def _pool_stride(module: nn.Module, rank: int) -> tuple[int, ...] | str:
    """The stride of a pooling that is a plain subsampling by it, or why it is not converted."""
    kernel = _per_axis(module.kernel_size, rank)
    stride = _per_axis(module.stride if module.stride is not None else module.kernel_size, rank)
    if kernel != stride:
        return f"kernel {kernel} differs from stride {stride}"
    if any(p != 0 for p in _per_axis(module.padding, rank)):
        return "padded"
    if any(d != 1 for d in _per_axis(getattr(module, "dilation", 1), rank)):
        return "dilated"
    return stride


def _learnable_pools(model: nn.Module) -> nn.Module:
    skipped = []
    for name, m in model.named_modules():
        rank = _POOLS.get(type(m))
        if rank is not None and isinstance(reason := _pool_stride(m, rank), str):
            skipped.append(f"{name or '<model>'} ({type(m).__name__}): {reason}")
    if skipped:
        warnings.warn(f"spectralize: left {len(skipped)} pooling(s) unconverted: {'; '.join(skipped)}", stacklevel=3)

    def is_pool(m: nn.Module) -> bool:
        rank = _POOLS.get(type(m))
        return rank is not None and not isinstance(_pool_stride(m, rank), str)

    def is_strided_conv(m: nn.Module) -> bool:
        return (
            isinstance(m, nn.modules.conv._ConvNd)
            and type(m) in _SPECTRAL
            and _skip_reason(m) is None
            and any(s > 1 for s in m.stride)
        )

    def make(m: nn.Module) -> nn.Module:
        if is_pool(m):
            rank = _POOLS[type(m)]
            stride = _pool_stride(m, rank)
            assert not isinstance(stride, str)
            return _LEARNABLE[rank](stride=tuple(float(s) for s in stride))
        conv = copy.deepcopy(m)
        assert isinstance(conv, nn.modules.conv._ConvNd)
        stride = tuple(conv.stride)
        conv.stride = (1,) * len(stride)
        return nn.Sequential(conv, _LEARNABLE[len(stride)](stride=tuple(float(s) for s in stride)))

    return _convert(model, lambda m: is_pool(m) or is_strided_conv(m), make, {})


def despectralize(model: nn.Module) -> nn.Module:
    """Replace every spectral convolution in ``model`` (recursively, in place) by its stock convolution.

    The inverse of :func:`spectralize`; see its example.

    Parameters
    ----------
    model : nn.Module
        The model; if it is itself a spectral convolution, its replacement is returned.

    Returns
    -------
    nn.Module
        ``model`` (converted in place), or the new layer.
    """
    _check_model("despectralize", model)
    return _convert(model, lambda m: isinstance(m, _SpectralConvNd), lambda m: m.to_conv(), {})


def _check_model(func: str, model: object) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{func}: argument `model` expected a torch.nn.Module, received {type(model).__name__}")


def _convert(module: nn.Module, match: Any, make: Any, done: dict[int, nn.Module]) -> nn.Module:
    if match(module):
        if id(module) not in done:
            done[id(module)] = make(module)
        return done[id(module)]
    # Not named_children(): it lists a module registered under two names only once, and both must be replaced.
    for name, child in list(module._modules.items()):
        if child is None:
            continue
        new = _convert(child, match, make, done)
        if new is not child:
            setattr(module, name, new)
    return module
