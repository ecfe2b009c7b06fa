"""``SpectralPool1d/2d/3d`` and ``FrequencyDropout1d/2d/3d``: validated state, a per-shape plan, the draws.

One rank-generic implementation per kind (:class:`_SpectralPoolNd`, :class:`_FrequencyDropoutNd`); the public
classes fix the rank and the docstring. Every static argument is checked once, at construction. What a call
resolves from its input (the output size, the keep ranges, the core's :class:`spectralcore.SpectralPoolPlan`) is
cached per (shape, dtype, device) in a small dict on the module, which is not part of its ``state_dict``.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

import spectralcore as sc

from . import _checks as ck

__all__ = [
    "FrequencyDropout1d",
    "FrequencyDropout2d",
    "FrequencyDropout3d",
    "SpectralPool1d",
    "SpectralPool2d",
    "SpectralPool3d",
]

_CACHE_SIZE = 16  # distinct (shape, dtype, device) per module before the cache starts afresh
_MEMORY_FORMATS = {4: torch.channels_last, 5: torch.channels_last_3d}


@torch.compiler.assume_constant_result
def pooled_sizes(
    func: str, lengths: tuple[int, ...], size: tuple[int, ...] | None, scale: tuple[float, ...] | None
) -> tuple[int, ...]:
    """The output size. A pure function of Python values, evaluated once at trace time under torch.compile
    (Dynamo cannot trace the exact ``Fraction`` arithmetic of the core's rules)."""
    if scale is not None:
        return tuple(sc.scaled_size(n, s) for n, s in zip(lengths, scale, strict=True))
    assert size is not None
    if any(m > n for m, n in zip(size, lengths, strict=True)):
        raise ValueError(
            f"{func}: argument `size` expected at most the input size {lengths} (spectral pooling cannot enlarge; "
            f"use spectral upsampling), received {size}"
        )
    return size


def keeps_from_uniform(u: torch.Tensor, ranges: tuple[tuple[int, int], ...]) -> tuple[torch.Tensor, ...]:
    """One keep per axis from the same ``u`` (:func:`spectralcore.keep_from_uniform`, unchecked: ``u`` is drawn
    in ``[0, 1)`` here, and reading it back would sync a GPU and break a ``torch.compile`` graph)."""
    return tuple(sc.keep_from_uniform(u, low, high, check=False, xp=torch) for low, high in ranges)


def keep_layout(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """A channels_last (or channels_last_3d) input gives an output in the same memory format."""
    memory_format = _MEMORY_FORMATS.get(x.ndim)
    if memory_format is None or x.is_contiguous() or not x.is_contiguous(memory_format=memory_format):
        return out
    return out.contiguous(memory_format=memory_format)


class _Resolved:
    """What one (shape, dtype, device) resolves to: the plan, and the keep range per axis when dropout is on."""

    __slots__ = ("plan", "ranges", "sample_shape")

    def __init__(self, plan: sc.SpectralPoolPlan, ranges: tuple[tuple[int, int], ...] | None, shape: Any) -> None:
        self.plan, self.ranges, self.sample_shape = plan, ranges, shape


class _PlannedModule(nn.Module):
    """Shared by the pooling and dropout layers: the generator, the draws and the per-shape cache."""

    rank = 2

    def __init__(self, generator: torch.Generator | None) -> None:
        super().__init__()
        self._plans: dict[tuple[Any, ...], _Resolved] = {}
        self.generator = generator

    @property
    def generator(self) -> torch.Generator | None:
        """The source of the draws: a ``torch.Generator`` on the input's device, or None for the global RNG."""
        return self._generator

    @generator.setter
    def generator(self, value: torch.Generator | None) -> None:
        self._generator = ck.generator(type(self).__name__, value)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_plans"] = {}  # plans hold namespaces and device matrices: rebuilt on the first call
        return state

    def _draw(self, func: str, x: torch.Tensor, shape: tuple[int, ...], per_sample: bool) -> torch.Tensor:
        """One ``u ~ U[0, 1)`` per call (shape ``()``), or per sample (shared by its channels); always float32,
        so that a seed gives the same band whatever ``x``'s dtype."""
        generator = self._generator
        if generator is not None and generator.device.type != x.device.type:
            ck.generator_device(func, generator, x)
        return torch.rand(shape if per_sample else (), generator=generator, device=x.device, dtype=torch.float32)

    def _resolve(self, x: torch.Tensor) -> _Resolved:
        key = (x.shape, x.dtype, x.device)
        hit = self._plans.get(key)
        if hit is not None:
            return hit
        func = type(self).__name__
        ck.signal_map(func, x, self.rank)
        resolved = self._build(func, x)
        if len(self._plans) >= _CACHE_SIZE:
            self._plans.clear()
        self._plans[key] = resolved
        return resolved

    def _build(self, func: str, x: torch.Tensor) -> _Resolved:  # pragma: no cover - each subclass has its own
        raise NotImplementedError

    def _axes(self) -> tuple[int, ...]:
        return tuple(range(-self.rank, 0))


class _SpectralPoolNd(_PlannedModule):
    """Spectral pooling of ``rank``-D maps; see :class:`SpectralPool2d` for the parameters."""

    def __init__(
        self,
        size: int | tuple[int, ...] | None = None,
        *,
        scale: float | tuple[float, ...] | None = None,
        norm: str = "amplitude",
        nyquist: str = "sum",
        method: str = "auto",
        boundary: str = "periodic",
        dropout_min_fraction: float | None = None,
        dropout_bounds: tuple[int, int] | None = None,
        dropout_per_sample: bool = False,
        generator: torch.Generator | None = None,
    ) -> None:
        func = type(self).__name__
        super().__init__(generator)
        self.size, self.scale = ck.sizes_or_scales(func, size, scale, self.rank)
        self.norm = ck.choice(func, "norm", norm, ck.POOL_NORMS)
        self.nyquist = ck.choice(func, "nyquist", nyquist, ck.NYQUIST_RULES)
        self.method = ck.choice(func, "method", method, ck.METHODS)
        self.boundary = ck.boundary(func, boundary, self.nyquist)
        names = ("dropout_min_fraction", "dropout_bounds")
        self._dropout = ck.dropout_spec(func, dropout_min_fraction, dropout_bounds, names, required=False)
        self.dropout_min_fraction = dropout_min_fraction
        self.dropout_bounds = None if dropout_bounds is None else tuple(dropout_bounds)
        self.dropout_per_sample = ck.boolean(func, "dropout_per_sample", dropout_per_sample)

    def _build(self, func: str, x: torch.Tensor) -> _Resolved:
        lengths = tuple(x.shape[-self.rank :])
        out = pooled_sizes(func, lengths, self.size, self.scale)
        ranges = None
        if self._dropout is not None:
            ranges = ck.keep_ranges_nd(func, self._dropout, out, "dropout_bounds")
        plan = sc.plan_spectral_pool(
            tuple(x.shape),
            out,
            axes=self._axes(),
            norm=self.norm,
            nyquist=self.nyquist,
            boundary=self.boundary,
            method=self.method,
            xp=torch,
            dtype=x.dtype,
            device=x.device,
        )
        return _Resolved(plan, ranges, (*x.shape[: -self.rank - 1], 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        drop = self.training and self._dropout is not None
        if torch.compiler.is_compiling():
            return keep_layout(x, self._traced(x, drop))
        resolved = self._resolve(x)
        if not drop:
            return keep_layout(x, resolved.plan.run(x, None))
        assert resolved.ranges is not None
        u = self._draw(type(self).__name__, x, resolved.sample_shape, self.dropout_per_sample)
        return keep_layout(x, resolved.plan.run(x, keeps_from_uniform(u, resolved.ranges)))

    def _traced(self, x: torch.Tensor, drop: bool) -> torch.Tensor:
        """The same call while torch.compile traces: no cache (a traced plan must not outlive its trace)."""
        func = type(self).__name__
        ck.signal_map(func, x, self.rank)
        out = pooled_sizes(func, tuple(x.shape[-self.rank :]), self.size, self.scale)
        options: dict[str, Any] = {"norm": self.norm, "nyquist": self.nyquist, "boundary": self.boundary}
        options.update(method=self.method, axes=self._axes())
        if not drop:
            return sc.spectral_pool(x, out, **options)
        assert self._dropout is not None
        ranges = ck.keep_ranges_nd(func, self._dropout, out, "dropout_bounds")
        u = self._draw(func, x, (*x.shape[: -self.rank - 1], 1), self.dropout_per_sample)
        return sc.spectral_pool(x, out, keep=keeps_from_uniform(u, ranges), check_keep=False, **options)

    def extra_repr(self) -> str:
        parts = [f"size={self.size}" if self.size is not None else f"scale={self.scale}"]
        defaults: dict[str, Any] = {"norm": "amplitude", "nyquist": "sum", "method": "auto", "boundary": "periodic"}
        parts += [f"{k}={getattr(self, k)!r}" for k, d in defaults.items() if getattr(self, k) != d]
        if self._dropout is not None:
            parts.append(f"dropout_{self._dropout[0]}={self._dropout[1]}")
            if self.dropout_per_sample:
                parts.append("dropout_per_sample=True")
        return ", ".join(parts)


class _FrequencyDropoutNd(_PlannedModule):
    """Frequency dropout of ``rank``-D maps; see :class:`FrequencyDropout2d` for the parameters."""

    def __init__(
        self,
        *,
        min_fraction: float | None = None,
        bounds: tuple[int, int] | None = None,
        per_sample: bool = False,
        nyquist: str = "sum",
        method: str = "auto",
        boundary: str = "periodic",
        generator: torch.Generator | None = None,
    ) -> None:
        func = type(self).__name__
        super().__init__(generator)
        spec = ck.dropout_spec(func, min_fraction, bounds, ("min_fraction", "bounds"), required=True)
        assert spec is not None
        self._dropout: tuple[str, Any] = spec
        self.min_fraction = min_fraction
        self.bounds = None if bounds is None else tuple(bounds)
        self.per_sample = ck.boolean(func, "per_sample", per_sample)
        self.nyquist = ck.choice(func, "nyquist", nyquist, ck.NYQUIST_RULES)
        self.method = ck.choice(func, "method", method, ck.METHODS)
        self.boundary = ck.boundary(func, boundary, self.nyquist)

    def _build(self, func: str, x: torch.Tensor) -> _Resolved:
        lengths = tuple(x.shape[-self.rank :])
        ranges = ck.keep_ranges_nd(func, self._dropout, lengths, "bounds")
        plan = sc.plan_spectral_pool(
            tuple(x.shape),
            lengths,
            axes=self._axes(),
            nyquist=self.nyquist,
            boundary=self.boundary,
            method=self.method,
            xp=torch,
            dtype=x.dtype,
            device=x.device,
        )
        return _Resolved(plan, ranges, (*x.shape[: -self.rank - 1], 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        func = type(self).__name__
        if torch.compiler.is_compiling():
            ck.signal_map(func, x, self.rank)
            lengths = tuple(x.shape[-self.rank :])
            ranges = ck.keep_ranges_nd(func, self._dropout, lengths, "bounds")  # in eval mode too
            if not self.training:
                return x
            u = self._draw(func, x, (*x.shape[: -self.rank - 1], 1), self.per_sample)
            options: dict[str, Any] = {"nyquist": self.nyquist, "boundary": self.boundary, "method": self.method}
            keeps = keeps_from_uniform(u, ranges)
            out = sc.spectral_pool(x, lengths, keep=keeps, check_keep=False, axes=self._axes(), **options)
            return keep_layout(x, out)
        resolved = self._resolve(x)  # checks the input and the bounds against it, in eval mode too
        if not self.training:
            return x
        assert resolved.ranges is not None
        u = self._draw(func, x, resolved.sample_shape, self.per_sample)
        return keep_layout(x, resolved.plan.run(x, keeps_from_uniform(u, resolved.ranges)))

    def extra_repr(self) -> str:
        parts = [f"{self._dropout[0]}={self._dropout[1]}"]
        if self.per_sample:
            parts.append("per_sample=True")
        defaults = {"nyquist": "sum", "method": "auto", "boundary": "periodic"}
        parts += [f"{k}={getattr(self, k)!r}" for k, d in defaults.items() if getattr(self, k) != d]
        return ", ".join(parts)


_POOL_PARAMETERS = """
    Parameters
    ----------
    size : int or tuple of {rank} ints, optional
        Output size of each spatial axis. Exactly one of ``size`` and ``scale``.
    scale : float or tuple of {rank} floats, optional
        Factor ``gamma`` in ``(0, 1]`` per axis: ``floor(gamma * n)``, at least 1 (:func:`spectralcore.scaled_size`).
    norm : {{"amplitude", "ortho"}}
        ``"amplitude"`` keeps constants constant; ``"ortho"`` is the paper's unitary DFT.
    nyquist : {{"sum", "average"}}
        Even-size Nyquist rule: ``"sum"`` (``scipy.signal.resample``) or the paper's ``"average"``. Periodic basis
        only.
    method : {{"auto", "matmul", "fft"}}
        As in :func:`spectralcore.spectral_pool`.
    boundary : {{"periodic", "symmetric"}}
        ``"periodic"`` (default): the DFT. ``"symmetric"``: the DCT-II of the mirror-extended map (no jump at the
        borders of a non-periodic crop); it keeps the lowest cosine coefficients and has no Nyquist case.
    dropout_min_fraction : float, optional
        ``c`` in ``(0, 1]``: ``R ~ U{{ceil(c m), ..., m}}`` on each pooled axis of length ``m`` (the same ``u`` for
        every axis).
    dropout_bounds : tuple of two ints, optional
        Explicit inclusive ``(low, high)``, ``high`` at most the smallest pooled side. Dropout is off when both
        dropout arguments are None (the default); at most one may be given.
    dropout_per_sample : bool
        One draw per sample (shared by its channels) instead of one per forward call (the paper's rule).
    generator : torch.Generator, optional
        Source of the draws, on the input's device, for reproducible runs. ``torch.compile(fullgraph=True)`` cannot
        trace a generator (PyTorch graph-breaks on it): leave it None there and seed with ``torch.manual_seed``.

    Notes
    -----
    Input ``(C, *spatial)``, ``(N, C, *spatial)`` or more leading dims, real or complex (complex64, complex128:
    pooled as its real and imaginary parts alike, same dtype out). A channels_last input gives a channels_last
    output. The output size, keep ranges and the core's plan are resolved once per input shape, dtype and device.
"""

_DROPOUT_PARAMETERS = """
    Parameters
    ----------
    min_fraction : float, optional
        ``c`` in ``(0, 1]``. Exactly one of ``min_fraction`` and ``bounds``.
    bounds : tuple of two ints, optional
        Inclusive ``(low, high)``, ``high`` at most the smallest side of the input (checked at every call, in eval
        mode too).
    per_sample : bool
        One draw per sample instead of one per call.
    nyquist, method : str
        As in :func:`spectralcore.lowpass`.
    boundary : {"periodic", "symmetric"}
        The band in the DFT basis (default) or in the DCT-II basis (mirror extension, no Nyquist case).
    generator : torch.Generator, optional
        As in :class:`SpectralPool2d`.
"""


class SpectralPool1d(_SpectralPoolNd):
    __doc__ = (
        """Spectral pooling of 1-D signals ``(N, C, L)`` (audio, time series), with optional frequency dropout.

    As :class:`SpectralPool2d`, along the last axis.
    """
        + _POOL_PARAMETERS.format(rank=1)
        + """
    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import SpectralPool1d
    >>> SpectralPool1d(25)(torch.randn(2, 3, 100)).shape
    torch.Size([2, 3, 25])
    """
    )
    rank = 1


class SpectralPool2d(_SpectralPoolNd):
    __doc__ = (
        """Spectral pooling (Rippel et al. 2015) of the last two axes, with optional frequency dropout.

    The output size is an exact ``size`` or a factor ``scale`` (``floor(gamma * H) x floor(gamma * W)``, at
    least 1, by :func:`spectralcore.scaled_size`). In training mode with dropout on, the pooled map then keeps
    only its ``R`` lowest frequencies per axis, ``R`` uniform on the integers of
    :func:`spectralcore.dropout_keep_range` for the *pooled* size; see :func:`frequency_dropout2d`.
    """
        + _POOL_PARAMETERS.format(rank=2)
        + """
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
    )
    rank = 2


class SpectralPool3d(_SpectralPoolNd):
    __doc__ = (
        """Spectral pooling of 3-D volumes ``(N, C, D, H, W)`` (video, volumes), with optional frequency dropout.

    As :class:`SpectralPool2d`, along the last three axes; the random band is ``R x R x R`` on a cube.
    """
        + _POOL_PARAMETERS.format(rank=3)
        + """
    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import SpectralPool3d
    >>> SpectralPool3d(scale=0.5, boundary="symmetric")(torch.randn(2, 1, 8, 8, 6)).shape
    torch.Size([2, 1, 4, 4, 3])
    """
    )
    rank = 3


class FrequencyDropout1d(_FrequencyDropoutNd):
    __doc__ = (
        """Frequency dropout of 1-D signals ``(N, C, L)`` without resizing; identity in ``eval()`` mode.

    As :class:`FrequencyDropout2d`, along the last axis.
    """
        + _DROPOUT_PARAMETERS
        + """
    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import FrequencyDropout1d
    >>> x = torch.ones(2, 3, 16, dtype=torch.float64)
    >>> torch.allclose(FrequencyDropout1d(bounds=(1, 4))(x), x)  # a constant is band-limited
    True
    """
    )
    rank = 1


class FrequencyDropout2d(_FrequencyDropoutNd):
    __doc__ = (
        """Frequency dropout without resizing: in training mode keep a random low-frequency band per axis.

    ``R`` is uniform on the integers of :func:`spectralcore.dropout_keep_range` of each side (``[ceil(c n), n]``
    or ``bounds``), one draw per call (or per sample) shared by both axes. Identity in ``eval()`` mode. See
    :func:`frequency_dropout2d`.
    """
        + _DROPOUT_PARAMETERS
        + """
    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import FrequencyDropout2d
    >>> drop = FrequencyDropout2d(bounds=(1, 1))  # keep only the mean of each map
    >>> x = torch.randn(2, 3, 8, 8, dtype=torch.float64)
    >>> torch.allclose(drop(x), x.mean(dim=(-2, -1), keepdim=True).expand_as(x))
    True
    """
    )
    rank = 2


class FrequencyDropout3d(_FrequencyDropoutNd):
    __doc__ = (
        """Frequency dropout of 3-D volumes ``(N, C, D, H, W)`` without resizing; identity in ``eval()`` mode.

    As :class:`FrequencyDropout2d`, along the last three axes.
    """
        + _DROPOUT_PARAMETERS
        + """
    Examples
    --------
    >>> import torch
    >>> from spectralcore_torch import FrequencyDropout3d
    >>> x = torch.randn(1, 2, 4, 6, 5)
    >>> FrequencyDropout3d(min_fraction=0.5, boundary="symmetric")(x).shape
    torch.Size([1, 2, 4, 6, 5])
    """
    )
    rank = 3
