"""``spectralize`` / ``despectralize``: convert every convolution of a model to or from its spectral twin."""

from __future__ import annotations

import warnings
from typing import Any

from torch import nn
from torch.nn.utils import parametrize

from . import _checks as ck
from ._conv import SpectralConv1d, SpectralConv2d, SpectralConv3d, _SpectralConvNd

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


def spectralize(model: nn.Module, *, norm: str = "ortho") -> nn.Module:
    """Replace every stock ``nn.Conv1d``/``nn.Conv2d``/``nn.Conv3d`` in ``model`` (recursively, in place) by its
    exact spectral convolution (:class:`SpectralConv1d`, :class:`SpectralConv2d`, :class:`SpectralConv3d`).

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
    return _convert(model, convertible, lambda m: _SPECTRAL[type(m)].from_conv(m, norm=norm), {})


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
