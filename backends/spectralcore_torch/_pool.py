"""``SpectralPool1d/2d/3d`` and ``FrequencyDropout1d/2d/3d``: validated state, a per-shape plan, the draws.

One rank-generic implementation per kind (:class:`_SpectralPoolNd`, :class:`_FrequencyDropoutNd`); the public
classes fix the rank and the docstring. Every static argument is checked once, at construction. What a call
resolves from its input (the output size, the keep ranges, the core's :class:`spectralcore.SpectralPoolPlan`) is
cached per (shape, dtype, device) in a small dict on the module, which is not part of its ``state_dict``.
"""

from __future__ import annotations

import math
import struct
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
# The fused band tables of the 2-D dropout fast path: float dtypes with native GEMMs, and at most the core's own
# size for such a table (an (m, m, n) table of 2**21 elements per axis, 8 MiB in float32).
_BAND_DTYPES = (torch.float32, torch.float64)
_BAND_TABLE_MAX_ELEMENTS = 1 << 21


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


def is_channels_last(x: torch.Tensor, rank: int) -> bool:
    """Whether ``x`` is an ``(N, C, *spatial)`` map stored channels_last (or channels_last_3d), and not also plain
    contiguous (as a map with one channel or one pixel is)."""
    memory_format = _MEMORY_FORMATS.get(x.ndim) if x.ndim == rank + 2 else None
    return memory_format is not None and not x.is_contiguous() and x.is_contiguous(memory_format=memory_format)


def in_layout(x: torch.Tensor, rank: int, pool: Any) -> torch.Tensor:
    """``pool(x, axes)`` over the ``rank`` spatial axes, in the layout of ``x``: channels_last in, channels_last out.

    A channels_last map is pooled as its channels-last view ``x.movedim(1, -1)``, which is contiguous, so the
    core's products run on it directly (its "fold" kernel) with no layout round trip: 2.5x faster forward+backward
    at (128, 96, 32, 32) -> 16 than letting the products copy the strided NCHW view. Moving the axis back gives a
    channels_last result.
    """
    if is_channels_last(x, rank):
        return channels_last_out(pool(x.movedim(1, -1), tuple(range(-rank - 1, -1))))
    return pool(x, tuple(range(-rank, 0)))


def channels_last_out(view: torch.Tensor) -> torch.Tensor:
    """The channels-last result ``view`` (channels on the last axis) as a channels_last map. It is one already,
    unless the core's last product ran as a tensordot (fewer than 8 channels), whose result is strided."""
    out = view.movedim(-1, 1)
    return out.contiguous(memory_format=_MEMORY_FORMATS[out.ndim])


class _BandTables:
    """2-D pooling fused with a random band, as two gathers and two products per call (the eager fast path).

    Per axis, the slices ``low - 1 .. high - 1`` of :func:`spectralcore.pool_dropout_table` (slice ``k - 1`` is
    ``lowpass_matrix(m, k) @ pool_matrix(n, m)``), so that a draw indexes them directly: index ``j`` is
    ``keep = low + j`` with ``j = floor(u * width)``, :func:`spectralcore.keep_from_uniform`'s rule for ``u`` in
    ``[0, 1)``. Its one exception, a float32 product ``u * width`` rounded up to ``width``, maps to ``high``: the
    table repeats its last slice at index ``width`` for it, which saves a clamp per call. The rows table is
    ``(width + 1, m, n)`` (``A @ x``); the columns table holds the transposed slices (``x @ A^T``), so that every
    operand is contiguous.
    """

    __slots__ = (
        "cols",
        "cols_list",
        "rows",
        "rows_list",
        "same",
        "shape_cols",
        "shape_rows",
        "width_cols",
        "width_rows",
    )

    def __init__(self, plan: sc.SpectralPoolPlan, ranges: tuple[tuple[int, int], ...], x: torch.Tensor) -> None:
        tables = []
        for n, m, (low, high) in zip(plan.lengths, plan.sizes, ranges, strict=True):
            options = {"norm": plan.norm, "nyquist": plan.nyquist, "boundary": plan.boundary}
            table = sc.pool_dropout_table(n, m, **options, xp=torch, dtype=x.dtype, device=x.device)
            tables.append(torch.cat([table[low - 1 : high], table[high - 1 : high]]))
        self.rows = tables[0].contiguous()
        self.cols = tables[1].transpose(1, 2).contiguous()
        self.shape_rows, self.shape_cols = tuple(self.rows.shape[1:]), tuple(self.cols.shape[1:])
        # The same slices as separate tensors, for the CPU path: a list lookup instead of a tensor index per call.
        self.rows_list = [t.clone() for t in self.rows.unbind(0)]
        self.cols_list = [t.clone() for t in self.cols.unbind(0)]
        self.width_rows, self.width_cols = ranges[0][1] - ranges[0][0] + 1, ranges[1][1] - ranges[1][0] + 1
        self.same = self.width_rows == self.width_cols  # the same u gives the same index on both axes

    @staticmethod
    def fits(plan: sc.SpectralPoolPlan, x: torch.Tensor) -> bool:
        last_two = plan.axes == (x.ndim - 2, x.ndim - 1)  # rows @ x @ cols (not a channels-last view)
        if not last_two or plan.method != "matmul" or x.dtype not in _BAND_DTYPES:
            return False
        return all((m + 1) * m * n <= _BAND_TABLE_MAX_ELEMENTS for n, m in zip(plan.lengths, plan.sizes, strict=True))

    def __call__(self, x: torch.Tensor, u: torch.Tensor, per_sample: bool) -> torch.Tensor:
        if not per_sample and u.device.type == "cpu":
            # On the CPU reading u back costs no sync, and Python-int indices are views: no gather kernels.
            value = u.item()
            rows = host_index(value, self.width_rows)
            cols = rows if self.same else host_index(value, self.width_cols)
            return self.rows_list[rows] @ x @ self.cols_list[cols]
        # Truncation is floor here (u >= 0). The index has one element per draw (never 0-d, which PyTorch would
        # read back to the host), so the gather stays on the device.
        rows_t = (u * self.width_rows).long()
        cols_t = rows_t if self.same else (u * self.width_cols).long()
        if not per_sample:
            a = torch.index_select(self.rows, 0, rows_t).view(self.shape_rows)
            b = torch.index_select(self.cols, 0, cols_t).view(self.shape_cols)
            return a @ x @ b
        return self.rows[rows_t] @ x @ self.cols[cols_t]


def host_index(u: float, width: int) -> int:
    """``floor(u * width)`` with the float32 product of the device rule, for a float32 ``u`` read back as a float.

    ``u`` has 24 significant bits and ``width < 2**24``, so the double product is exact; packing it as float32
    rounds it as the float32 multiplication does (to nearest, ties to even).
    """
    return math.floor(struct.unpack("f", struct.pack("f", u * width))[0])


class _Resolved:
    """What one (shape, dtype, device, layout) resolves to: the plan (of the channels-last view of a channels_last
    map, see :func:`in_layout`), and the keep range per axis when dropout is on."""

    __slots__ = ("bands", "moved", "plan", "ranges", "sample_shape")

    def __init__(
        self,
        module: _PlannedModule,
        x: torch.Tensor,
        sizes: tuple[int, ...],
        options: dict[str, Any],
        ranges: tuple[tuple[int, int], ...] | None,
    ) -> None:
        rank = module.rank
        self.moved = is_channels_last(x, rank)
        shape = tuple(x.movedim(1, -1).shape) if self.moved else tuple(x.shape)
        axes = tuple(range(-rank - 1, -1)) if self.moved else tuple(range(-rank, 0))
        plan = sc.plan_spectral_pool(shape, sizes, axes=axes, xp=torch, dtype=x.dtype, device=x.device, **options)
        self.plan, self.ranges = plan, ranges
        self.sample_shape = (*x.shape[: -rank - 1], 1)  # the batch dims, which both layouts have in front
        self.bands = _BandTables(plan, ranges, x) if ranges is not None and _BandTables.fits(plan, x) else None

    def pool(self, x: torch.Tensor) -> torch.Tensor:
        if self.moved:
            return channels_last_out(self.plan.run(x.movedim(1, -1), None))
        return self.plan.run(x, None)

    def dropout(self, module: _PlannedModule, x: torch.Tensor, per_sample: bool) -> torch.Tensor:
        """The plan with a random band: the fused tables where they apply, else the plan with drawn keeps."""
        assert self.ranges is not None
        bands = self.bands
        if bands is not None:
            u = module._draw(x, self.sample_shape if per_sample else (1,))
            return bands(x, u, per_sample)
        u = module._draw(x, self.sample_shape if per_sample else ())
        keeps = keeps_from_uniform(u, self.ranges)
        if self.moved:
            return channels_last_out(self.plan.run(x.movedim(1, -1), keeps))
        return self.plan.run(x, keeps)


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

    def _draw(self, x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
        """``u ~ U[0, 1)`` of ``shape``: one per call (``()``, or ``(1,)``: the same draw), or one per sample
        (shared by its channels). Always float32, so that a seed gives the same band whatever ``x``'s dtype."""
        generator = self._generator
        if generator is not None and generator.device.type != x.device.type:
            ck.generator_device(type(self).__name__, generator, x)
        return torch.rand(shape, generator=generator, device=x.device, dtype=torch.float32)

    def _resolve(self, x: torch.Tensor) -> _Resolved:
        if not isinstance(x, torch.Tensor):  # before the key: a NumPy < 2 array has no .device
            ck.signal_map(type(self).__name__, x, self.rank)
        key = (x.shape, x.dtype, x.device, x.stride())  # the strides tell a channels_last map from a plain one
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
        options = {"norm": self.norm, "nyquist": self.nyquist, "boundary": self.boundary, "method": self.method}
        return _Resolved(self, x, out, options, ranges)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        drop = self.training and self._dropout is not None
        if torch.compiler.is_compiling():
            return self._traced(x, drop)
        resolved = self._resolve(x)
        if not drop:
            return resolved.pool(x)
        return resolved.dropout(self, x, self.dropout_per_sample)

    def _traced(self, x: torch.Tensor, drop: bool) -> torch.Tensor:
        """The same call while torch.compile traces: no cache (a traced plan must not outlive its trace)."""
        func = type(self).__name__
        ck.signal_map(func, x, self.rank)
        out = pooled_sizes(func, tuple(x.shape[-self.rank :]), self.size, self.scale)
        options: dict[str, Any] = {"norm": self.norm, "nyquist": self.nyquist, "boundary": self.boundary}
        options.update(method=self.method)
        if not drop:
            return in_layout(x, self.rank, lambda t, axes: sc.spectral_pool(t, out, axes=axes, **options))
        assert self._dropout is not None
        ranges = ck.keep_ranges_nd(func, self._dropout, out, "dropout_bounds")
        u = self._draw(x, (*x.shape[: -self.rank - 1], 1) if self.dropout_per_sample else ())
        options.update(keep=keeps_from_uniform(u, ranges), check_keep=False)
        return in_layout(x, self.rank, lambda t, axes: sc.spectral_pool(t, out, axes=axes, **options))

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
        options = {"nyquist": self.nyquist, "boundary": self.boundary, "method": self.method}
        return _Resolved(self, x, lengths, options, ranges)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        func = type(self).__name__
        if torch.compiler.is_compiling():
            ck.signal_map(func, x, self.rank)
            lengths = tuple(x.shape[-self.rank :])
            ranges = ck.keep_ranges_nd(func, self._dropout, lengths, "bounds")  # in eval mode too
            if not self.training:
                return x
            u = self._draw(x, (*x.shape[: -self.rank - 1], 1) if self.per_sample else ())
            options: dict[str, Any] = {"nyquist": self.nyquist, "boundary": self.boundary, "method": self.method}
            options.update(keep=keeps_from_uniform(u, ranges), check_keep=False)
            return in_layout(x, self.rank, lambda t, axes: sc.spectral_pool(t, lengths, axes=axes, **options))
        resolved = self._resolve(x)  # checks the input and the bounds against it, in eval mode too
        if not self.training:
            return x
        return resolved.dropout(self, x, self.per_sample)

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
