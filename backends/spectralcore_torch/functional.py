"""Functional forms of the spectral layers: thin calls into :mod:`spectralcore` on torch tensors.

Channels-first layout: the last two axes are (H, W), the one before is channels, anything before that is batch.
Every function keeps the input's dtype and device and is differentiable through ordinary autograd.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

import spectralcore as sc

from . import _checks as ck

__all__ = ["frequency_dropout2d", "spectral_conv2d", "spectral_pool2d", "spectral_upsample2d"]


def spectral_pool2d(
    x: torch.Tensor,
    size: int | tuple[int, int] | None = None,
    *,
    scale: float | tuple[float, float] | None = None,
    norm: str = "amplitude",
    nyquist: str = "sum",
    method: str = "auto",
) -> torch.Tensor:
    """Spectral pooling of the last two axes to ``size``, or to ``floor(scale * (H, W))`` (at least 1).

    Parameters
    ----------
    x : torch.Tensor
        Real floating tensor ``(..., C, H, W)`` of rank >= 3.
    size : int or tuple of two ints, optional
        Output ``(h, w)``, each at most the input's. Exactly one of ``size`` and ``scale``.
    scale : float or tuple of two floats, optional
        Factor ``gamma`` in ``(0, 1]`` per axis; the output is :func:`spectralcore.scaled_size` of each side.
    norm, nyquist, method : str
        As in :func:`spectralcore.spectral_pool`.

    Returns
    -------
    torch.Tensor
        ``(..., C, h, w)``, same dtype and device.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import spectral_pool2d
    >>> spectral_pool2d(torch.randn(2, 3, 32, 30), scale=0.5).shape
    torch.Size([2, 3, 16, 15])
    """
    func = "spectral_pool2d"
    ck.feature_map(func, x)
    out = _pooled_size(func, (x.shape[-2], x.shape[-1]), *ck.size_or_scale(func, size, scale))
    _check_options(func, norm, nyquist, method)
    return sc.spectral_pool(x, out, norm=norm, nyquist=nyquist, method=method)


def spectral_upsample2d(
    x: torch.Tensor, size: int | tuple[int, int], *, norm: str = "amplitude", method: str = "auto"
) -> torch.Tensor:
    """Spectral upsampling (zero-padding of the spectrum) of the last two axes to ``size``.

    Parameters
    ----------
    x : torch.Tensor
        Real floating tensor ``(..., C, H, W)`` of rank >= 3.
    size : int or tuple of two ints
        Output ``(h, w)``, each at least the input's.
    norm, method : str
        As in :func:`spectralcore.spectral_upsample`.

    Returns
    -------
    torch.Tensor
        ``(..., C, h, w)``, same dtype and device.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import spectral_pool2d, spectral_upsample2d
    >>> y = torch.randn(1, 2, 5, 6, dtype=torch.float64)
    >>> torch.allclose(spectral_pool2d(spectral_upsample2d(y, 12), (5, 6)), y)
    True
    """
    func = "spectral_upsample2d"
    ck.feature_map(func, x)
    out = ck.int_pair(func, "size", size)
    hw = tuple(x.shape[-2:])
    if out[0] < hw[0] or out[1] < hw[1]:
        raise ValueError(f"{func}: argument `size` expected at least the input size {hw}, received {size!r}")
    _check_options(func, norm, "sum", method)
    return sc.spectral_upsample(x, out, norm=norm, method=method)


def frequency_dropout2d(
    x: torch.Tensor,
    *,
    min_fraction: float | None = None,
    bounds: tuple[int, int] | None = None,
    per_sample: bool = False,
    training: bool = True,
    nyquist: str = "sum",
    method: str = "auto",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Frequency dropout: keep a random number ``R`` of the lowest frequencies per axis, at the same size.

    ``R`` is uniform on the integers of :func:`spectralcore.dropout_keep_range` (``[ceil(c n), n]`` or
    ``bounds``), drawn from one ``u ~ U[0, 1)`` mapped to both axes (:func:`spectralcore.keep_from_uniform`), so a
    square map gets the paper's ``R x R`` band. One draw per call, or one per sample (shared by its channels) with
    ``per_sample=True``. Identity when ``training`` is False.

    Parameters
    ----------
    x : torch.Tensor
        Real floating tensor ``(..., C, H, W)`` of rank >= 3.
    min_fraction : float, optional
        ``c`` in ``(0, 1]``. Exactly one of ``min_fraction`` and ``bounds``.
    bounds : tuple of two ints, optional
        Inclusive ``(low, high)`` with ``high <= min(H, W)``.
    per_sample : bool
        One draw per sample (every leading index of ``x.shape[:-3]``) instead of one per call.
    training : bool
        Apply the dropout; ``False`` returns ``x``.
    nyquist, method : str
        As in :func:`spectralcore.lowpass`.
    generator : torch.Generator, optional
        Source of ``u``, on ``x``'s device. ``torch.compile(fullgraph=True)`` cannot trace a generator argument
        (PyTorch graph-breaks on it); leave it ``None`` there and seed with ``torch.manual_seed``.

    Returns
    -------
    torch.Tensor
        Same shape, dtype and device as ``x``.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import frequency_dropout2d
    >>> x = torch.randn(4, 3, 8, 8)
    >>> g = torch.Generator().manual_seed(0)
    >>> frequency_dropout2d(x, bounds=(2, 6), generator=g).shape
    torch.Size([4, 3, 8, 8])
    >>> frequency_dropout2d(x, min_fraction=0.5, training=False) is x
    True
    """
    func = "frequency_dropout2d"
    ck.feature_map(func, x)
    spec = ck.dropout_spec(func, min_fraction, bounds, ("min_fraction", "bounds"), required=True)
    _check_options(func, "amplitude", nyquist, method)
    if not training:
        return x
    hw = (x.shape[-2], x.shape[-1])
    ranges = ck.keep_ranges(func, spec, hw, "bounds")
    u = draw_uniform(func, x, per_sample, generator)
    return pool_and_mask(x, hw, u, ranges, norm="amplitude", nyquist=nyquist, method=method)


def spectral_conv2d(
    x: torch.Tensor,
    spectral_weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
    *,
    norm: str = "ortho",
) -> torch.Tensor:
    """``F.conv2d`` with the kernel given by its spectral parameters (:func:`spectralcore.spectral_to_spatial`).

    Parameters
    ----------
    x : torch.Tensor
        ``(N, C_in, H, W)`` or unbatched ``(C_in, H, W)``.
    spectral_weight : torch.Tensor
        ``(C_out, C_in / groups, kh, kw)``: exactly ``kh * kw`` real spectral parameters per filter.
    bias, stride, padding, dilation, groups
        As in :func:`torch.nn.functional.conv2d` (``padding`` may be ``"same"`` or ``"valid"``).
    norm : {"ortho", "backward", "forward"}
        DFT normalization of the parameters; ``"ortho"`` makes the map orthogonal.

    Returns
    -------
    torch.Tensor
        ``F.conv2d(x, spectral_to_spatial(spectral_weight), bias, ...)``.

    Examples
    --------
    >>> import torch, torch.nn.functional as F, spectralcore as sc
    >>> from spectralcore_torch import spectral_conv2d
    >>> x, w = torch.randn(1, 3, 8, 8, dtype=torch.float64), torch.randn(4, 3, 3, 3, dtype=torch.float64)
    >>> torch.allclose(spectral_conv2d(x, sc.spatial_to_spectral(w), padding=1), F.conv2d(x, w, padding=1))
    True
    """
    func = "spectral_conv2d"
    if not isinstance(spectral_weight, torch.Tensor) or spectral_weight.ndim != 4:
        shape = tuple(spectral_weight.shape) if isinstance(spectral_weight, torch.Tensor) else type(spectral_weight)
        raise ValueError(
            f"{func}: argument `spectral_weight` expected a 4-D tensor (out, in / groups, kh, kw), received {shape}"
        )
    ck.choice(func, "norm", norm, ck.FILTER_NORMS)
    weight = sc.spectral_to_spatial(spectral_weight, norm=norm)
    return F.conv2d(x, weight, bias, stride, padding, dilation, groups)


# ---------------------------------------------------------------------------------------------------------------
# Shared with the layers.
# ---------------------------------------------------------------------------------------------------------------
def _check_options(func: str, norm: str, nyquist: str, method: str) -> None:
    ck.choice(func, "norm", norm, ck.POOL_NORMS)
    ck.choice(func, "nyquist", nyquist, ck.NYQUIST_RULES)
    ck.choice(func, "method", method, ck.METHODS)


@torch.compiler.assume_constant_result
def _pooled_size(
    func: str, hw: tuple[int, int], size: tuple[int, int] | None, scale: tuple[float, float] | None
) -> tuple[int, int]:
    """The output size. A pure function of Python values, evaluated once at trace time under torch.compile
    (Dynamo cannot trace the exact ``Fraction`` arithmetic of the core's rules)."""
    if scale is not None:
        return sc.scaled_size(hw[0], scale[0]), sc.scaled_size(hw[1], scale[1])
    assert size is not None
    if size[0] > hw[0] or size[1] > hw[1]:
        raise ValueError(
            f"{func}: argument `size` expected at most the input size {hw} (spectral pooling cannot enlarge; use "
            f"spectral_upsample2d), received {size}"
        )
    return size


def draw_uniform(func: str, x: torch.Tensor, per_sample: bool, generator: torch.Generator | None) -> torch.Tensor:
    """One ``u ~ U[0, 1)`` per call (shape ``()``), or per sample (``x.shape[:-3] + (1,)``, shared by channels).

    Always float32, whatever ``x``'s dtype, so a seed gives the same band for float16, float32 and float64 inputs.
    """
    ck.generator_device(func, generator, x)
    shape = (*x.shape[:-3], 1) if per_sample else ()
    return torch.rand(shape, generator=generator, device=x.device, dtype=torch.float32)


def pool_and_mask(
    x: torch.Tensor,
    out: tuple[int, int],
    u: torch.Tensor | None,
    ranges: tuple[tuple[int, int], tuple[int, int]] | None,
    *,
    norm: str,
    nyquist: str,
    method: str,
) -> torch.Tensor:
    """Pool ``x`` to ``out`` (possibly its own size), then keep the band ``K = keep_from_uniform(u, *range)``.

    Equal to ``sc.lowpass(sc.spectral_pool(x, out), (Kh, Kw))``; the core fuses the two (``keep=``): on its matmul
    path each axis multiplies by one precomputed matrix per band (per sample), so dropout costs what pooling
    costs. ``check_keep=False`` because ``K`` is drawn inside its valid range, and reading it back would be a
    device-to-host sync that ``torch.compile`` cannot trace.
    """
    if u is None or ranges is None:
        return sc.spectral_pool(x, out, norm=norm, nyquist=nyquist, method=method)
    keeps = tuple(sc.keep_from_uniform(u, low, high) for low, high in ranges)
    return sc.spectral_pool(x, out, keep=keeps, norm=norm, nyquist=nyquist, method=method, check_keep=False)
