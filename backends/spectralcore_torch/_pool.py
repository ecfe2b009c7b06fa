"""``SpectralPool2d`` and ``FrequencyDropout2d``: validated state plus a call into :mod:`.functional`."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from . import _checks as ck
from . import functional as fn

__all__ = ["FrequencyDropout2d", "SpectralPool2d"]


class SpectralPool2d(nn.Module):
    """Spectral pooling (Rippel et al. 2015) of the last two axes, with optional frequency dropout.

    The output size is an exact ``size`` or a factor ``scale`` (``floor(gamma * H) x floor(gamma * W)``, at
    least 1, by :func:`spectralcore.scaled_size`). In training mode with dropout on, the pooled map then keeps
    only its ``R`` lowest frequencies per axis, ``R`` uniform on the integers of
    :func:`spectralcore.dropout_keep_range` for the *pooled* size; see :func:`frequency_dropout2d`.

    Parameters
    ----------
    size : int or tuple of two ints, optional
        Output ``(h, w)``. Exactly one of ``size`` and ``scale``.
    scale : float or tuple of two floats, optional
        Factor ``gamma`` in ``(0, 1]`` per axis.
    norm : {"amplitude", "ortho"}
        ``"amplitude"`` keeps constants constant; ``"ortho"`` is the paper's unitary DFT.
    nyquist : {"sum", "average"}
        Even-size Nyquist rule: ``"sum"`` (``scipy.signal.resample``) or the paper's ``"average"``.
    method : {"auto", "matmul", "fft"}
        As in :func:`spectralcore.spectral_pool`.
    dropout_min_fraction : float, optional
        ``c`` in ``(0, 1]``: ``R ~ U{ceil(c h), ..., h}`` (and the same ``u`` for ``w``).
    dropout_bounds : tuple of two ints, optional
        Explicit inclusive ``(low, high)``, ``high <= min(h, w)``. Dropout is off when both dropout arguments are
        None (the default); at most one may be given.
    dropout_per_sample : bool
        One draw per sample (shared by its channels) instead of one per forward call (the paper's rule).
    generator : torch.Generator, optional
        Source of the draws, on the input's device, for reproducible runs. ``torch.compile(fullgraph=True)`` cannot
        trace a generator (PyTorch graph-breaks on it): leave it None there and seed with ``torch.manual_seed``.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import SpectralPool2d
    >>> pool = SpectralPool2d(scale=0.5, dropout_min_fraction=0.3, generator=torch.Generator().manual_seed(0))
    >>> x = torch.randn(8, 3, 32, 32)
    >>> pool(x).shape
    torch.Size([8, 3, 16, 16])
    >>> torch.equal(pool.eval()(x), SpectralPool2d(16)(x))  # dropout is off in eval mode
    True
    """

    def __init__(
        self,
        size: int | tuple[int, int] | None = None,
        *,
        scale: float | tuple[float, float] | None = None,
        norm: str = "amplitude",
        nyquist: str = "sum",
        method: str = "auto",
        dropout_min_fraction: float | None = None,
        dropout_bounds: tuple[int, int] | None = None,
        dropout_per_sample: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        func = type(self).__name__
        self.size, self.scale = ck.size_or_scale(func, size, scale)
        fn._check_options(func, norm, nyquist, method)
        self.norm, self.nyquist, self.method = norm, nyquist, method
        names = ("dropout_min_fraction", "dropout_bounds")
        self._dropout = ck.dropout_spec(func, dropout_min_fraction, dropout_bounds, names, required=False)
        self.dropout_min_fraction = dropout_min_fraction
        self.dropout_bounds = None if dropout_bounds is None else tuple(dropout_bounds)
        self.dropout_per_sample = bool(dropout_per_sample)
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        func = type(self).__name__
        ck.feature_map(func, x)
        out = fn._pooled_size(func, (x.shape[-2], x.shape[-1]), self.size, self.scale)
        if not self.training or self._dropout is None:
            return fn.pool_and_mask(x, out, None, None, norm=self.norm, nyquist=self.nyquist, method=self.method)
        ranges = ck.keep_ranges(func, self._dropout, out, "dropout_bounds")
        u = fn.draw_uniform(func, x, self.dropout_per_sample, self.generator)
        return fn.pool_and_mask(x, out, u, ranges, norm=self.norm, nyquist=self.nyquist, method=self.method)

    def extra_repr(self) -> str:
        parts = [f"size={self.size}" if self.size is not None else f"scale={self.scale}"]
        defaults: dict[str, Any] = {"norm": "amplitude", "nyquist": "sum", "method": "auto"}
        parts += [f"{k}={getattr(self, k)!r}" for k, d in defaults.items() if getattr(self, k) != d]
        if self._dropout is not None:
            parts.append(f"dropout_{self._dropout[0]}={self._dropout[1]}")
            if self.dropout_per_sample:
                parts.append("dropout_per_sample=True")
        return ", ".join(parts)


class FrequencyDropout2d(nn.Module):
    """Frequency dropout without resizing: in training mode keep a random low-frequency band per axis.

    ``R`` is uniform on the integers of :func:`spectralcore.dropout_keep_range` of each side (``[ceil(c n), n]``
    or ``bounds``), one draw per call (or per sample) shared by both axes. Identity in ``eval()`` mode. See
    :func:`frequency_dropout2d`.

    Parameters
    ----------
    min_fraction : float, optional
        ``c`` in ``(0, 1]``. Exactly one of ``min_fraction`` and ``bounds``.
    bounds : tuple of two ints, optional
        Inclusive ``(low, high)``, ``high <= min(H, W)`` (checked at the first call).
    per_sample : bool
        One draw per sample instead of one per call.
    nyquist, method : str
        As in :func:`spectralcore.lowpass`.
    generator : torch.Generator, optional
        As in :class:`SpectralPool2d`.

    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import FrequencyDropout2d
    >>> drop = FrequencyDropout2d(bounds=(1, 1))  # keep only the mean of each map
    >>> x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    >>> torch.allclose(drop(x), x.mean(dim=(-2, -1), keepdim=True).expand_as(x))
    True
    """

    def __init__(
        self,
        *,
        min_fraction: float | None = None,
        bounds: tuple[int, int] | None = None,
        per_sample: bool = False,
        nyquist: str = "sum",
        method: str = "auto",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        func = type(self).__name__
        self._dropout = ck.dropout_spec(func, min_fraction, bounds, ("min_fraction", "bounds"), required=True)
        fn._check_options(func, "amplitude", nyquist, method)
        self.min_fraction = min_fraction
        self.bounds = None if bounds is None else tuple(bounds)
        self.per_sample = bool(per_sample)
        self.nyquist, self.method = nyquist, method
        self.generator = generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        func = type(self).__name__
        ck.feature_map(func, x)
        if not self.training:
            return x
        hw = (x.shape[-2], x.shape[-1])
        ranges = ck.keep_ranges(func, self._dropout, hw, "bounds")
        u = fn.draw_uniform(func, x, self.per_sample, self.generator)
        return fn.pool_and_mask(x, hw, u, ranges, norm="amplitude", nyquist=self.nyquist, method=self.method)

    def extra_repr(self) -> str:
        assert self._dropout is not None
        parts = [f"{self._dropout[0]}={self._dropout[1]}"]
        if self.per_sample:
            parts.append("per_sample=True")
        defaults = {"nyquist": "sum", "method": "auto"}
        parts += [f"{k}={getattr(self, k)!r}" for k, d in defaults.items() if getattr(self, k) != d]
        return ", ".join(parts)
