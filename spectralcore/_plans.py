"""Planned operators: everything static about a call resolved once, so that a call is only its arithmetic.

A plan is built for one input shape, dtype and device and one set of options. Building it validates the options,
resolves ``method="auto"`` and the compute dtype, and fetches the operator matrices; calling it checks the input's
shape and dtype (a tuple comparison) and runs one kernel per axis. The public functions
(:func:`spectralcore.spectral_pool`, ...) look their plan up in a small cache keyed by their raw arguments, and
adapters hold the plans they need (:func:`plan_spectral_pool`).

Complex input runs the real operators on its real and imaginary parts (the operators are real, so complex-linear);
half precision without fast half kernels is computed in float32 and rounded back once.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from . import _methods
from . import _operators as ops
from . import _validation as v
from ._axis import (
    apply_matrix,
    dct_resize_axis,
    fft_lowpass_axis,
    fft_resize_axis,
    length_scale,
    matrix_mode,
    per_sample_rows,
)
from ._cache import Source, values_array
from ._compat import default_float_dtype, device_of, is_compiling, is_lazy, itemsize, namespace_from_module, take_rows
from ._matrices import check_boundary

Array = Any

__all__ = ["SpectralPoolPlan", "build_plan", "cached_plan", "plan_spectral_pool"]


def _complex_of(xp: ModuleType, real_dtype: Any) -> Any:
    return xp.complex64 if real_dtype == xp.float32 else xp.complex128


class _MatmulAxis:
    """One axis on the matmul path: its pooling matrix, and the dropout forms fetched when ``keep`` is given."""

    def __init__(
        self, source: Source, axis: int, n: int, m: int, norm: str, nyquist: str, boundary: str, shape: tuple[int, ...]
    ) -> None:
        self.axis, self.n, self.m = axis, n, m
        self._source, self._xp = source, source.xp
        self._args = (n, m, norm, nyquist, boundary)
        self._nyquist, self._boundary, self._norm = nyquist, boundary, norm
        self._mode = matrix_mode(shape, axis)
        self._matrix = self._matrix_t = None
        if n != m:
            self._matrix = source.get(ops.resize_flat, self._args)
            self._matrix_t = source.get(ops.resize_flat, self._args, transpose=True)
        self._fused = m * m * n <= _methods.POOL_MASK_TABLE_MAX_ELEMENTS

    def apply(self, x: Array) -> Array:
        if self._matrix is None:
            return x
        return apply_matrix(x, self._matrix, self._matrix_t, self.axis, self._mode, self._xp)

    def _pair(self, builder: Any, args: tuple[Any, ...]) -> tuple[Array, Array]:
        return self._source.get(builder, args), self._source.get(builder, args, transpose=True)

    def apply_keep(self, x: Array, k: Any, context: _KeepContext) -> Array:
        xp, n, m = self._xp, self.n, self.m
        if isinstance(k, int):
            if k == m:
                return self.apply(x)
            if _methods.thin_factors_pay(n, m, k):
                # A band of k frequencies has rank k: (k, n) then (m, k) instead of one (m, n) product.
                thin, thin_t = self._pair(ops.thin_pool_flat, (n, m, k, self._norm, self._nyquist, self._boundary))
                up, up_t = self._pair(ops.resize_flat, (k, m, "amplitude", "sum", self._boundary))
                x = apply_matrix(x, thin, thin_t, self.axis, self._mode, xp)
                return apply_matrix(x, up, up_t, self.axis, self._mode, xp)
            if n != m and self._fused:
                table = self._source.get(ops.pool_mask_table_flat, self._args)
                matrix = table[k - 1, ...]
                return apply_matrix(x, matrix, xp.permute_dims(matrix, (1, 0)), self.axis, self._mode, xp)
            low, low_t = self._pair(ops.lowpass_flat, (m, k, self._nyquist, self._boundary))
            return apply_matrix(self.apply(x), low, low_t, self.axis, self._mode, xp)
        if self._fused and (k.ndim == 0 or context.fusable):
            return self._fused_per_sample(x, k, context)
        return self._lowpass_per_sample(self.apply(x), k, context)

    def _fused_per_sample(self, x: Array, k: Array, context: _KeepContext) -> Array:
        """Slice ``keep`` of the table ``L_keep D``, one per sample, multiplied as a batch.

        Products from the right (``x @ M^T``) gather from the table of transposed slices, so that every operand is
        contiguous (a transposed view costs PyTorch a copy per call).
        """
        xp, m, n = self._xp, self.m, self.n
        right = self.axis == x.ndim - 1
        table = self._source.get(ops.keep_table_flat, (*self._args, right))  # slice k is keep = k
        picked = take_rows(xp, table, xp.reshape(k, (-1,)))
        if right:
            matrix_t = xp.reshape(picked, (*k.shape, n, m))
            if context.count == 2 or k.ndim == 0:
                return x @ matrix_t  # (..., h, n) @ (k..., n, m)
            return (x[..., None, :] @ matrix_t)[..., 0, :]  # a row vector per sample
        matrix = xp.reshape(picked, (*k.shape, m, n))
        if k.ndim == 0:  # one matrix for the call, along any axis
            return apply_matrix(x, matrix, xp.permute_dims(matrix, (1, 0)), self.axis, self._mode, xp)
        return matrix @ x  # (k..., m, n) @ (..., n, w): context.fusable, so the axis is second to last

    def _lowpass_per_sample(self, x: Array, k: Array, context: _KeepContext) -> Array:
        """Per-sample low-pass of the pooled axis: analysis in the basis, one mask row per sample, synthesis."""
        xp, m = self._xp, self.m
        basis, basis_t = self._pair(ops.basis_flat, (m, self._boundary))
        table = self._source.get(ops.mask_table_flat, (m, self._nyquist, self._boundary))
        index = xp.reshape(xp.broadcast_to(k, context.batch_shape), (-1,)) - 1
        weights = per_sample_rows(table, index, tuple(x.shape), context.axes, self.axis, xp)
        mode = matrix_mode(tuple(x.shape), self.axis)
        coefficients = apply_matrix(x, basis_t, basis, self.axis, mode, xp)  # Q^T x
        return apply_matrix(coefficients * weights, basis, basis_t, self.axis, mode, xp)  # Q (mask * c)


class _FftAxis:
    """One axis on the FFT path: real FFTs (periodic) or real FFTs of the mirror extension (symmetric)."""

    def __init__(
        self, source: Source, phases: Source, axis: int, n: int, m: int, norm: str, nyquist: str, boundary: str
    ) -> None:
        self.axis, self.n, self.m = axis, n, m
        self._source, self._xp = source, source.xp
        self._nyquist, self._boundary = nyquist, boundary
        self._scale = length_scale(norm, n, m)
        self._fold = 0.25 if m > n else (1.0 if nyquist == "sum" else 0.5)  # see fft_resize_axis
        if boundary == "symmetric":
            kept = min(n, m)
            self._phase_in = phases.get(ops.dct_phase_flat, (n, kept, -1, 1.0))
            self._phase_out = phases.get(ops.dct_phase_flat, (m, kept, 1, self._scale))

    def apply(self, x: Array) -> Array:
        if self.n == self.m:
            return x
        if self._boundary == "symmetric":
            return dct_resize_axis(x, self.axis, self.m, self._phase_in, self._phase_out, None, self._xp)
        return fft_resize_axis(x, self.axis, self.n, self.m, self._fold, self._scale, self._xp)

    def apply_keep(self, x: Array, k: Any, context: _KeepContext) -> Array:
        xp, m = self._xp, self.m
        if isinstance(k, int) and k == m:
            return self.apply(x)
        if self._boundary == "symmetric":  # the band is a weight per DCT coefficient: one fused step
            table = self._source.get(ops.mask_table_flat, (m, "sum", "symmetric"))
            if isinstance(k, int):
                shape = tuple(m if d == self.axis else 1 for d in range(x.ndim))
                weights = xp.reshape(table[k - 1, :], shape)
            else:
                index = xp.reshape(xp.broadcast_to(k, context.batch_shape), (-1,)) - 1
                weights = per_sample_rows(table, index, tuple(x.shape), context.axes, self.axis, xp)
            return dct_resize_axis(x, self.axis, m, self._phase_in, self._phase_out, weights, xp)
        x = self.apply(x)
        table = self._source.get(ops.rfft_bin_weights_flat, (m, self._nyquist))
        if isinstance(k, int):
            shape = tuple(m // 2 + 1 if d == self.axis else 1 for d in range(x.ndim))
            a = xp.reshape(table[0, k - 1, :], shape)
            b = xp.reshape(table[1, k - 1, :], shape)
        else:
            index = xp.reshape(xp.broadcast_to(k, context.batch_shape), (-1,)) - 1
            a = per_sample_rows(table[0, ...], index, tuple(x.shape), context.axes, self.axis, xp)
            b = per_sample_rows(table[1, ...], index, tuple(x.shape), context.axes, self.axis, xp)
        return fft_lowpass_axis(x, self.axis, m, a, b, xp)


class _KeepContext:
    """What the dropout forms need to know about the whole call: the transformed axes and the batch shape."""

    def __init__(self, axes: tuple[int, ...], shape: tuple[int, ...]) -> None:
        self.axes = axes
        self.count = len(axes)
        self.batch_shape = tuple(s for d, s in enumerate(shape) if d not in axes)
        # Per-sample matrices broadcast against the batch dimensions only when the one or two pooled axes are last.
        self.fusable = len(axes) <= 2 and tuple(sorted(axes)) == tuple(range(len(shape) - len(axes), len(shape)))


class SpectralPoolPlan:
    """Spectral pooling (or resizing) planned for one input shape, dtype and device: ``plan(x)`` runs it.

    Made by :func:`plan_spectral_pool`. ``plan(x)`` equals ``spectral_pool(x, size, ...)`` with the options it was
    planned with, and ``plan(x, keep=keeps)`` equals ``spectral_pool(x, size, keep=keeps, check_keep=False, ...)``:
    ``keeps`` is one int or integer array per axis (or one for every axis), which the caller draws inside its valid
    range ``[1, size]`` (nothing is checked: out-of-range values give undefined results). A call checks only that
    ``x`` has the planned shape and dtype, and stays traceable by ``torch.compile(fullgraph=True)`` and ``jax.jit``.

    Attributes
    ----------
    input_shape, output_shape : tuple of int
        The planned input shape and the result's shape.
    method : str
        ``"matmul"`` or ``"fft"``, as resolved when planning.
    dtype : dtype
        The planned input (and output) dtype.
    axes, lengths, sizes : tuple of int
        The transformed axes (non-negative), their input lengths and their output lengths.
    norm, nyquist, boundary : str
        The options planned with.
    """

    def __init__(
        self,
        xp: ModuleType,
        shape: tuple[int, ...],
        dtype: Any,
        device: Any,
        axes: tuple[int, ...],
        sizes: tuple[int, ...],
        norm: str,
        nyquist: str,
        boundary: str,
        method: str,
    ) -> None:
        self.input_shape = shape
        self.dtype = dtype
        self.axes = axes
        self.lengths = tuple(shape[a] for a in axes)
        self.sizes = sizes
        self.output_shape = tuple(sizes[axes.index(d)] if d in axes else s for d, s in enumerate(shape))
        self.norm, self.nyquist, self.boundary, self.method = norm, nyquist, boundary, method
        self._xp = xp
        self._complex = bool(xp.isdtype(dtype, "complex floating"))
        compute = _methods.compute_dtype(xp, dtype, device, method)
        self._compute = compute
        self._cast = not self._complex and compute != dtype
        self._context = _KeepContext(axes, shape)
        source = Source(xp, compute, device)
        steps: list[_MatmulAxis | _FftAxis] = []
        current = list(shape)
        for position in self._order():
            axis, n, m = axes[position], self.lengths[position], sizes[position]
            if method == "matmul":
                steps.append(_MatmulAxis(source, axis, n, m, norm, nyquist, boundary, tuple(current)))
            else:
                phases = Source(xp, _complex_of(xp, compute), device)
                steps.append(_FftAxis(source, phases, axis, n, m, norm, nyquist, boundary))
            current[axis] = m
        self._steps = tuple(steps)
        self._positions = tuple(self._order())
        self._unit = values_array((1j,), xp, dtype, device) if self._complex else None
        self._identity = sizes == self.lengths
        self.cacheable = not any(is_lazy(a) for a in self._arrays())

    def _order(self) -> list[int]:
        """The order of the axes: as given for matmul; for the FFT, shrink the last axes first and grow them last,
        so that the strided FFTs of the other axes see the smaller data."""
        positions = list(range(len(self.axes)))
        if self.method != "fft":
            return positions
        shrink = sorted((p for p in positions if self.sizes[p] <= self.lengths[p]), key=lambda p: -self.axes[p])
        grow = sorted((p for p in positions if self.sizes[p] > self.lengths[p]), key=lambda p: self.axes[p])
        return shrink + grow

    def _arrays(self) -> list[Array]:
        found = [] if self._unit is None else [self._unit]
        for step in self._steps:
            found += [a for a in vars(step).values() if hasattr(a, "shape") and hasattr(a, "dtype")]
        return found

    def __repr__(self) -> str:
        return (
            f"SpectralPoolPlan({self.input_shape} -> {self.output_shape}, axes={self.axes}, norm={self.norm!r}, "
            f"nyquist={self.nyquist!r}, boundary={self.boundary!r}, method={self.method!r}, dtype={self.dtype})"
        )

    def __call__(self, x: Array, keep: Any = None) -> Array:
        """Run the plan on ``x`` (of the planned shape and dtype), with frequency dropout when ``keep`` is given."""
        if tuple(x.shape) != self.input_shape or x.dtype != self.dtype:
            raise ValueError(
                f"SpectralPoolPlan: argument `x` expected an array of shape {self.input_shape} and dtype "
                f"{self.dtype} (the planned ones), received shape {tuple(x.shape)} and dtype {x.dtype}"
            )
        if keep is None:
            return self.run(x, None)
        return self.run(x, tuple(keep) if isinstance(keep, (tuple, list)) else (keep,) * len(self.axes))

    def run(self, x: Array, keeps: tuple[Any, ...] | None) -> Array:
        """The plan on an ``x`` known to match it, ``keeps`` one entry per axis (or None): no check at all."""
        xp = self._xp
        if keeps is None and self._identity:
            return x  # the same size is the identity, whatever the rule, norm or boundary
        if self._complex:
            real = self._run_real(xp.real(x), keeps)
            imag = self._run_real(xp.imag(x), keeps)
            return xp.astype(real, self.dtype) + xp.astype(imag, self.dtype) * self._unit
        if self._cast:
            return xp.astype(self._run_real(xp.astype(x, self._compute), keeps), self.dtype)
        return self._run_real(x, keeps)

    def _run_real(self, x: Array, keeps: tuple[Any, ...] | None) -> Array:
        if keeps is None:
            for step in self._steps:
                x = step.apply(x)
            return x
        for step, position in zip(self._steps, self._positions, strict=True):
            x = step.apply_keep(x, keeps[position], self._context)
        return x


# ---------------------------------------------------------------------------------------------------------------
# Building plans from user arguments.
# ---------------------------------------------------------------------------------------------------------------
_RESIZE_ADVICE = {"pool": "use spectral_upsample to enlarge", "upsample": "use spectral_pool to shrink"}


def build_plan(
    func: str,
    kind: str,
    xp: ModuleType,
    shape: tuple[int, ...],
    dtype: Any,
    device: Any,
    size: object,
    axes: object,
    norm: object,
    nyquist: object,
    boundary: object,
    method: object,
) -> SpectralPoolPlan:
    """Check every argument of a pooling function and plan it. ``kind``: "pool", "upsample", "resize", "lowpass".

    For ``"lowpass"`` the sizes are the input's own (``size`` is ignored; the band is the call's ``keep``).
    """
    axes_ = v.normalize_axes(func, axes, len(shape))
    v.choice(func, "norm", norm, v.NORMS_POOL)
    check_boundary(func, nyquist, boundary)
    v.choice(func, "method", method, v.METHODS)
    lengths = tuple(shape[a] for a in axes_)
    sizes = lengths if kind == "lowpass" else v.per_axis_sizes(func, "size", size, len(axes_))
    for axis, n, m in zip(axes_, lengths, sizes, strict=True):
        if (kind == "pool" and m > n) or (kind == "upsample" and m < n):
            relation = "<=" if kind == "pool" else ">="
            raise ValueError(
                f"{func}: argument `size` expected an output length {relation} the input length {n} on axis {axis}, "
                f"received {m}; {_RESIZE_ADVICE[kind]}"
            )
        if n == 0 and m > n:
            raise ValueError(f"{func}: argument `x` expected a non-empty axis {axis} to resize, received length 0")
    output_shape = tuple(sizes[axes_.index(d)] if d in axes_ else s for d, s in enumerate(shape))
    out_bytes = math.prod(output_shape) * itemsize(xp, dtype)
    if out_bytes > _methods.MAX_OUTPUT_BYTES:
        raise ValueError(
            f"{func}: argument `size` expected an output of at most {_methods._human_bytes(_methods.MAX_OUTPUT_BYTES)} "
            f"(MAX_OUTPUT_BYTES), received {size!r}: an output of shape {output_shape} would need "
            f"{_methods._human_bytes(out_bytes)}"
        )
    transform = tuple(max(n, m) for n, m in zip(lengths, sizes, strict=True))
    resolved = _methods.resolve(str(method), xp, dtype, device, math.prod(shape), transform)
    if resolved == "matmul":
        compute = _methods.compute_dtype(xp, dtype, device, resolved)
        for axis, n, m in zip(axes_, lengths, sizes, strict=True):
            if n != m:
                _methods.check_matrix(
                    func,
                    "size",
                    (m, n),
                    itemsize(xp, compute),
                    f"size {m} on axis {axis} of length {n}",
                    "; method='fft' (or 'auto') needs no matrix",
                )
    return SpectralPoolPlan(xp, shape, dtype, device, axes_, sizes, str(norm), str(nyquist), str(boundary), resolved)


_PLANS: dict[tuple[Any, ...], SpectralPoolPlan] = {}
_PLANS_SIZE = 256


_UNCACHEABLE = ("uncacheable",)  # a key part that no argument produces: such a call is planned afresh


def _argument_key(value: object) -> object:
    """``value`` itself when it is an exact int, a str or None, a tuple for a sequence of exact ints; else a marker.

    Exact types only: ``1``, ``1.0`` and ``True`` are equal keys in a dict, but only ``1`` is a valid size.
    """
    if type(value) is int or type(value) is str or value is None:
        return value
    if type(value) is tuple or type(value) is list:
        for item in value:  # a loop, not a generator: torch.compile traces this
            if type(item) is not int:
                return _UNCACHEABLE
        return ("sequence", tuple(value))
    return _UNCACHEABLE


def cached_plan(
    func: str,
    kind: str,
    x: Array,
    xp: ModuleType,
    device: Any,
    size: object,
    axes: object,
    norm: object,
    nyquist: object,
    boundary: object,
    method: object,
) -> SpectralPoolPlan:
    """The plan of a pooling function's call, from the cache of plans made for the same raw arguments.

    While ``torch.compile`` traces, the plan is built afresh (once per trace, so it costs nothing per step) and not
    cached: a traced object must not outlive its trace, and the cache key would be traced for nothing.
    """
    if is_compiling():
        v.floating_array(func, "x", x, xp)
        return build_plan(func, kind, xp, tuple(x.shape), x.dtype, device, size, axes, norm, nyquist, boundary, method)
    shape = tuple(x.shape)
    arguments = (size, axes, norm, nyquist, boundary, method)
    keys = [_argument_key(a) for a in arguments]
    key = None
    if _UNCACHEABLE not in keys:
        key = (kind, xp.__name__, shape, str(x.dtype), str(device), *keys)
        hit = _PLANS.get(key)
        if hit is not None:
            return hit
    v.floating_array(func, "x", x, xp)
    plan = build_plan(func, kind, xp, shape, x.dtype, device, *arguments)
    if key is not None and plan.cacheable:
        if len(_PLANS) >= _PLANS_SIZE:
            _PLANS.clear()
        _PLANS[key] = plan
    return plan


def plan_spectral_pool(
    shape: tuple[int, ...],
    size: int | tuple[int, ...],
    /,
    *,
    axes: int | tuple[int, ...] = (-2, -1),
    norm: str = "amplitude",
    nyquist: str = "sum",
    boundary: str = "periodic",
    method: str = "auto",
    xp: ModuleType | None = None,
    dtype: Any = None,
    device: Any = None,
) -> SpectralPoolPlan:
    """Plan :func:`spectral_pool` for inputs of one shape, dtype and device: validation, method and matrices once.

    Parameters
    ----------
    shape : tuple of int
        The input shape.
    size : int or tuple of int
        As in :func:`spectral_pool`. Equal to the input lengths on every axis, the plan is standalone frequency
        dropout (``plan(x, keep=keeps)``; ``plan(x)`` is then ``x``).
    axes, norm, nyquist, boundary, method
        As in :func:`spectral_pool`.
    xp : namespace
        Array namespace or module (``numpy``, ``torch``, ``jax.numpy``, ...). Required.
    dtype, device : optional
        Of the inputs: default the namespace's default real floating dtype and default device.

    Returns
    -------
    SpectralPoolPlan
        Call it as ``plan(x)`` or ``plan(x, keep=keeps)``.

    Raises
    ------
    TypeError, ValueError
        As :func:`spectral_pool` for the same arguments.

    Examples
    --------
    >>> import numpy as np, spectralcore as sc
    >>> plan = sc.plan_spectral_pool((8, 3, 32, 32), 16, xp=np, dtype=np.float64)
    >>> plan.output_shape, plan.method
    ((8, 3, 16, 16), 'matmul')
    >>> x = np.random.default_rng(0).standard_normal((8, 3, 32, 32))
    >>> bool(np.array_equal(plan(x), sc.spectral_pool(x, 16)))
    True
    >>> keep = sc.keep_from_uniform(np.random.default_rng(1).random((8, 1)), 5, 16)
    >>> bool(np.allclose(plan(x, keep=keep), sc.spectral_pool(x, 16, keep=keep)))
    True
    """
    func = "plan_spectral_pool"
    if xp is None:
        raise TypeError(f"{func}: argument `xp` is required (an array namespace such as numpy or torch)")
    ns = namespace_from_module(xp)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{func}: argument `shape` expected a tuple of ints, received {shape!r}")
    shape_ = tuple(v.int_at_least(func, "shape", s, 0) for s in shape)
    dtype = default_float_dtype(ns) if dtype is None else dtype
    if not ns.isdtype(dtype, ("real floating", "complex floating")):
        raise TypeError(f"{func}: argument `dtype` expected a floating dtype, received {dtype!r}")
    probe = ns.empty((0,), dtype=dtype, device=device)  # the namespace's own dtype and device objects
    dtype, device = probe.dtype, device_of(probe)
    return build_plan(func, "pool", ns, shape_, dtype, device, size, axes, norm, nyquist, boundary, method)
