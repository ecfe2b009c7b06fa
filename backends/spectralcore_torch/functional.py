"""Functional forms of the spectral layers: thin calls into :mod:`spectralcore` on torch tensors.

Channels-first layout: the last one, two or three axes are spatial, the one before is channels, anything before that
is batch. Every function keeps the input's dtype (real or complex) and device and is differentiable through
ordinary autograd.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

import spectralcore as sc

from . import _checks as ck
from ._pool import in_layout, keeps_from_uniform, pooled_sizes

__all__ = [
    "frequency_dropout1d",
    "frequency_dropout2d",
    "frequency_dropout3d",
    "spectral_conv2d",
    "spectral_pool1d",
    "spectral_pool2d",
    "spectral_pool3d",
    "spectral_upsample1d",
    "spectral_upsample2d",
    "spectral_upsample3d",
]


# ---------------------------------------------------------------------------------------------------------------
# One rank-generic implementation of each; the public functions fix the rank.
# ---------------------------------------------------------------------------------------------------------------
def _pool(
    func: str, rank: int, x: Any, size: Any, scale: Any, norm: Any, nyquist: Any, method: Any, boundary: Any
) -> torch.Tensor:
    ck.signal_map(func, x, rank)
    sizes, scales = ck.sizes_or_scales(func, size, scale, rank)
    out = pooled_sizes(func, tuple(x.shape[-rank:]), sizes, scales)
    options = _options(func, norm, nyquist, method, boundary)
    return in_layout(x, rank, lambda t, axes: sc.spectral_pool(t, out, axes=axes, **options))


def _upsample(func: str, rank: int, x: Any, size: Any, norm: Any, method: Any, boundary: Any) -> torch.Tensor:
    ck.signal_map(func, x, rank)
    out = ck.sizes_or_scales(func, size, None, rank)[0]
    assert out is not None
    lengths = tuple(x.shape[-rank:])
    if any(m < n for m, n in zip(out, lengths, strict=True)):
        raise ValueError(f"{func}: argument `size` expected at least the input size {lengths}, received {size!r}")
    options = _options(func, norm, "sum", method, boundary)
    del options["nyquist"]  # upsampling has no Nyquist rule to choose
    return in_layout(x, rank, lambda t, axes: sc.spectral_upsample(t, out, axes=axes, **options))


def _dropout(
    func: str,
    rank: int,
    x: Any,
    min_fraction: Any,
    bounds: Any,
    per_sample: Any,
    training: Any,
    nyquist: Any,
    method: Any,
    boundary: Any,
    generator: Any,
) -> torch.Tensor:
    ck.signal_map(func, x, rank)
    spec = ck.dropout_spec(func, min_fraction, bounds, ("min_fraction", "bounds"), required=True)
    assert spec is not None
    per_sample = ck.boolean(func, "per_sample", per_sample)
    training = ck.boolean(func, "training", training)
    ck.generator(func, generator)
    options = _options(func, "amplitude", nyquist, method, boundary)
    lengths = tuple(x.shape[-rank:])
    ranges = ck.keep_ranges_nd(func, spec, lengths, "bounds")  # the bounds fit the input, in eval mode too
    if not training:
        return x
    ck.generator_device(func, generator, x)
    shape = (*x.shape[: -rank - 1], 1) if per_sample else ()
    u = torch.rand(shape, generator=generator, device=x.device, dtype=torch.float32)
    options.update(keep=keeps_from_uniform(u, ranges), check_keep=False)
    return in_layout(x, rank, lambda t, axes: sc.spectral_pool(t, lengths, axes=axes, **options))


def _options(func: str, norm: Any, nyquist: Any, method: Any, boundary: Any) -> dict[str, Any]:
    ck.choice(func, "norm", norm, ck.POOL_NORMS)
    ck.choice(func, "nyquist", nyquist, ck.NYQUIST_RULES)
    ck.choice(func, "method", method, ck.METHODS)
    ck.boundary(func, boundary, nyquist)
    return {"norm": norm, "nyquist": nyquist, "method": method, "boundary": boundary}


# ---------------------------------------------------------------------------------------------------------------
# Spectral pooling.
# ---------------------------------------------------------------------------------------------------------------
def spectral_pool1d(
    x: torch.Tensor,
    size: int | tuple[int] | None = None,
    *,
    scale: float | tuple[float] | None = None,
    norm: str = "amplitude",
    nyquist: str = "sum",
    method: str = "auto",
    boundary: str = "periodic",
) -> torch.Tensor:
    """Spectral pooling of the last axis (``(..., C, L)``); otherwise as :func:`spectral_pool2d`.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import spectral_pool1d
    >>> spectral_pool1d(torch.randn(2, 3, 100), scale=0.25).shape
    torch.Size([2, 3, 25])
    """
    return _pool("spectral_pool1d", 1, x, size, scale, norm, nyquist, method, boundary)


def spectral_pool2d(
    x: torch.Tensor,
    size: int | tuple[int, int] | None = None,
    *,
    scale: float | tuple[float, float] | None = None,
    norm: str = "amplitude",
    nyquist: str = "sum",
    method: str = "auto",
    boundary: str = "periodic",
) -> torch.Tensor:
    """Spectral pooling of the last two axes to ``size``, or to ``floor(scale * (H, W))`` (at least 1).

    Parameters
    ----------
    x : torch.Tensor
        Real or complex floating tensor ``(..., C, H, W)`` of rank >= 3.
    size : int or tuple of two ints, optional
        Output ``(h, w)``, each at most the input's. Exactly one of ``size`` and ``scale``.
    scale : float or tuple of two floats, optional
        Factor ``gamma`` in ``(0, 1]`` per axis; the output is :func:`spectralcore.scaled_size` of each side.
    norm, nyquist, method : str
        As in :func:`spectralcore.spectral_pool`.
    boundary : {"periodic", "symmetric"}
        The DFT (default) or the DCT-II of the mirror-extended map (no Nyquist case).

    Returns
    -------
    torch.Tensor
        ``(..., C, h, w)``, same dtype and device (channels_last in, channels_last out).

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import spectral_pool2d
    >>> spectral_pool2d(torch.randn(2, 3, 32, 30), scale=0.5).shape
    torch.Size([2, 3, 16, 15])
    """
    return _pool("spectral_pool2d", 2, x, size, scale, norm, nyquist, method, boundary)


def spectral_pool3d(
    x: torch.Tensor,
    size: int | tuple[int, int, int] | None = None,
    *,
    scale: float | tuple[float, float, float] | None = None,
    norm: str = "amplitude",
    nyquist: str = "sum",
    method: str = "auto",
    boundary: str = "periodic",
) -> torch.Tensor:
    """Spectral pooling of the last three axes (``(..., C, D, H, W)``); otherwise as :func:`spectral_pool2d`.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import spectral_pool3d
    >>> spectral_pool3d(torch.randn(1, 2, 8, 8, 8), 4, boundary="symmetric").shape
    torch.Size([1, 2, 4, 4, 4])
    """
    return _pool("spectral_pool3d", 3, x, size, scale, norm, nyquist, method, boundary)


# ---------------------------------------------------------------------------------------------------------------
# Spectral upsampling.
# ---------------------------------------------------------------------------------------------------------------
def spectral_upsample1d(
    x: torch.Tensor,
    size: int | tuple[int],
    *,
    norm: str = "amplitude",
    method: str = "auto",
    boundary: str = "periodic",
) -> torch.Tensor:
    """Spectral upsampling of the last axis to ``size``; otherwise as :func:`spectral_upsample2d`.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import spectral_upsample1d
    >>> spectral_upsample1d(torch.randn(2, 3, 10), 25).shape
    torch.Size([2, 3, 25])
    """
    return _upsample("spectral_upsample1d", 1, x, size, norm, method, boundary)


def spectral_upsample2d(
    x: torch.Tensor,
    size: int | tuple[int, int],
    *,
    norm: str = "amplitude",
    method: str = "auto",
    boundary: str = "periodic",
) -> torch.Tensor:
    """Spectral upsampling (zero-padding of the spectrum) of the last two axes to ``size``.

    Parameters
    ----------
    x : torch.Tensor
        Real or complex floating tensor ``(..., C, H, W)`` of rank >= 3.
    size : int or tuple of two ints
        Output ``(h, w)``, each at least the input's.
    norm, method : str
        As in :func:`spectralcore.spectral_upsample`.
    boundary : {"periodic", "symmetric"}
        The DFT (default) or the DCT-II of the mirror-extended map.

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
    return _upsample("spectral_upsample2d", 2, x, size, norm, method, boundary)


def spectral_upsample3d(
    x: torch.Tensor,
    size: int | tuple[int, int, int],
    *,
    norm: str = "amplitude",
    method: str = "auto",
    boundary: str = "periodic",
) -> torch.Tensor:
    """Spectral upsampling of the last three axes to ``size``; otherwise as :func:`spectral_upsample2d`.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import spectral_upsample3d
    >>> spectral_upsample3d(torch.randn(1, 2, 4, 4, 3), 8).shape
    torch.Size([1, 2, 8, 8, 8])
    """
    return _upsample("spectral_upsample3d", 3, x, size, norm, method, boundary)


# ---------------------------------------------------------------------------------------------------------------
# Frequency dropout.
# ---------------------------------------------------------------------------------------------------------------
def frequency_dropout1d(
    x: torch.Tensor,
    *,
    min_fraction: float | None = None,
    bounds: tuple[int, int] | None = None,
    per_sample: bool = False,
    training: bool = True,
    nyquist: str = "sum",
    method: str = "auto",
    boundary: str = "periodic",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Frequency dropout of the last axis (``(..., C, L)``); otherwise as :func:`frequency_dropout2d`.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import frequency_dropout1d
    >>> x = torch.ones(2, 3, 16, dtype=torch.float64)
    >>> torch.allclose(frequency_dropout1d(x, bounds=(1, 3)), x)  # a constant is band-limited
    True
    """
    args = (min_fraction, bounds, per_sample, training, nyquist, method, boundary, generator)
    return _dropout("frequency_dropout1d", 1, x, *args)


def frequency_dropout2d(
    x: torch.Tensor,
    *,
    min_fraction: float | None = None,
    bounds: tuple[int, int] | None = None,
    per_sample: bool = False,
    training: bool = True,
    nyquist: str = "sum",
    method: str = "auto",
    boundary: str = "periodic",
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
        Real or complex floating tensor ``(..., C, H, W)`` of rank >= 3.
    min_fraction : float, optional
        ``c`` in ``(0, 1]``. Exactly one of ``min_fraction`` and ``bounds``.
    bounds : tuple of two ints, optional
        Inclusive ``(low, high)`` with ``high <= min(H, W)``.
    per_sample : bool
        One draw per sample (every leading index of ``x.shape[:-3]``) instead of one per call.
    training : bool
        Apply the dropout; ``False`` returns ``x`` (``bounds`` is still checked against it).
    nyquist, method : str
        As in :func:`spectralcore.lowpass`.
    boundary : {"periodic", "symmetric"}
        The band in the DFT basis (default) or in the DCT-II basis (no Nyquist case).
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
    args = (min_fraction, bounds, per_sample, training, nyquist, method, boundary, generator)
    return _dropout("frequency_dropout2d", 2, x, *args)


def frequency_dropout3d(
    x: torch.Tensor,
    *,
    min_fraction: float | None = None,
    bounds: tuple[int, int] | None = None,
    per_sample: bool = False,
    training: bool = True,
    nyquist: str = "sum",
    method: str = "auto",
    boundary: str = "periodic",
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Frequency dropout of the last three axes (``(..., C, D, H, W)``); otherwise as :func:`frequency_dropout2d`.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import frequency_dropout3d
    >>> frequency_dropout3d(torch.randn(1, 2, 4, 6, 5), min_fraction=0.5, boundary="symmetric").shape
    torch.Size([1, 2, 4, 6, 5])
    """
    args = (min_fraction, bounds, per_sample, training, nyquist, method, boundary, generator)
    return _dropout("frequency_dropout3d", 3, x, *args)


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
