"""``LearnableSpectralPooling1D/2D/3D``: spectral pooling whose stride is a weight, learned by backpropagation.

The Keras counterpart of ``spectralcore_torch.LearnableSpectralPool2d``: the exact DiffStride (Riad et al., ICLR
2022) on the core's smooth pooling operator (:func:`spectralcore.smooth_pool_factors`). The stride ``S`` of each
axis sets a smooth low-pass mask symmetric in ``+-k``, and the output is the masked map sampled at
``m = min(n, ceil(n / S + ramp) - 1)`` points (:func:`spectralcore.smooth_pool_size`). The core gives the Fourier
factors in float64 NumPy; this module only evaluates ``(left * w(S)) @ right`` with ``keras.ops``, so the stride
gets its gradient from the backend's own autodiff, and owns the size policy (:class:`LearnableSizeUpdate`).
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import Any

import keras
import numpy as np
from keras import ops

import spectralcore as sc
from spectralcore import _validation as v

from ._common import KERAS, as_constant, check_data_format, input_dtype_kind, spatial_axes
from ._spectral import SpectralMapLayer, _multiply_along

__all__ = [
    "LearnableSizeUpdate",
    "LearnableSpectralPooling1D",
    "LearnableSpectralPooling2D",
    "LearnableSpectralPooling3D",
    "StrideAtLeastOne",
]

# The core's bound on a ramp (spectralcore._smooth._MAX_RAMP): a wider mask than any map the library bounds.
_MAX_RAMP = 1e6
# Different input sizes remembered per layer (for the sizes LearnableSizeUpdate compares); more is a misuse.
_MAX_SEEN = 64


# ---------------------------------------------------------------------------------------------------------------
# Checks, in Keras' wording
# ---------------------------------------------------------------------------------------------------------------
def _check_strides(stride: object, count: int, shared: bool) -> tuple[float, ...]:
    """One float per axis (``count``), each finite and ``>= 1``; one float in all when ``shared``."""
    expected = f"a real number >= 1 or a tuple of {count} of them (one per spatial axis), finite"
    if shared:
        expected += ", all equal with shared_stride=True"
    items = tuple(stride) if isinstance(stride, (tuple, list)) else (stride,) * count
    if len(items) != count and not (shared and len(items) == 1):
        raise v.value_error(KERAS, "stride", expected, repr(stride))
    values: list[float] = []
    for item in items:
        if isinstance(item, bool):
            raise v.type_error(KERAS, "stride", expected, repr(stride))
        if not isinstance(item, numbers.Real):
            raise v.type_error(KERAS, "stride", expected, repr(stride))
        value = float(item)
        if not math.isfinite(value) or value < 1.0:
            raise v.value_error(KERAS, "stride", expected, repr(stride))
        values.append(value)
    if shared:
        if len(set(values)) > 1:
            raise v.value_error(KERAS, "stride", expected, repr(stride))
        return (values[0],)
    return tuple(values)


def _check_ramp(ramp: object) -> float:
    expected = f"a real number in (0, {_MAX_RAMP:g}]"
    if isinstance(ramp, bool) or not isinstance(ramp, numbers.Real):
        raise v.type_error(KERAS, "ramp", expected, repr(ramp))
    if not 0.0 < float(ramp) <= _MAX_RAMP:  # also refuses NaN
        raise v.value_error(KERAS, "ramp", expected, repr(ramp))
    return float(ramp)


def _check_cost_weight(value: object) -> float:
    expected = "a finite real number >= 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise v.type_error(KERAS, "cost_weight", expected, repr(value))
    if not (math.isfinite(float(value)) and float(value) >= 0.0):
        raise v.value_error(KERAS, "cost_weight", expected, repr(value))
    return float(value)


def _rounded(values: tuple[float, ...], dtype: str) -> tuple[float, ...]:
    """``values`` as a variable of ``dtype`` holds them (bfloat16 has no NumPy dtype: float32)."""
    numpy_dtype = dtype if dtype in ("float16", "float32", "float64") else "float32"
    return tuple(float(s) for s in np.asarray(values, dtype=numpy_dtype))


# ---------------------------------------------------------------------------------------------------------------
# The core's factors, per configuration
# ---------------------------------------------------------------------------------------------------------------
class _Factors:
    """``(left, offsets, right)`` of :func:`spectralcore.smooth_pool_factors` in float64, and per-dtype copies."""

    def __init__(self, n: int, m: int, ramp: float, norm: str) -> None:
        left, offsets, right = sc.smooth_pool_factors(n, m, ramp=ramp, norm=norm, xp=np)
        self.float64 = (np.asarray(left), np.asarray(offsets), np.asarray(right))
        self._by_dtype: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def arrays(self, dtype: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        hit = self._by_dtype.get(dtype)
        if hit is None:
            numpy_dtype = dtype if dtype in ("float16", "float32", "float64") else "float32"
            left, offsets, right = (a.astype(numpy_dtype) for a in self.float64)
            hit = self._by_dtype[dtype] = (left, offsets, right)
        return hit


@functools.lru_cache(maxsize=256)
def _factors(n: int, m: int, ramp: float, norm: str) -> _Factors:
    return _Factors(n, m, ramp, norm)


# ---------------------------------------------------------------------------------------------------------------
# The constraint and the layer
# ---------------------------------------------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package="spectralcore")
class StrideAtLeastOne(keras.constraints.Constraint):
    """Keeps a stride weight ``>= 1`` after each optimizer step (``maximum(w, 1)``; a NaN stays NaN)."""

    def __call__(self, w: Any) -> Any:
        return ops.maximum(w, ops.cast(1.0, w.dtype))

    def get_config(self) -> dict[str, Any]:
        return {}


class _LearnableSpectralPooling(SpectralMapLayer):
    """Learnable-size spectral pooling of ``rank``-D maps; see :class:`LearnableSpectralPooling2D`."""

    def __init__(
        self,
        stride: float | tuple[float, ...] = 2.0,
        shared_stride: bool = False,
        ramp: float = sc.DEFAULT_RAMP,
        norm: str = "amplitude",
        data_format: str | None = None,
        cost_weight: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.shared_stride = v.boolean(KERAS, "shared_stride", shared_stride)
        values = _check_strides(stride, self.rank, self.shared_stride)
        # The stride keeps the form it was given in, for get_config (the trained values are the weights).
        self.initial_stride: float | tuple[float, ...] = (
            tuple(float(s) for s in stride) if isinstance(stride, (tuple, list)) else values[0]
        )
        self.ramp = _check_ramp(ramp)
        self.norm = v.choice(KERAS, "norm", norm, v.NORMS_POOL)
        self.data_format = check_data_format(data_format)
        self.cost_weight = _check_cost_weight(cost_weight)
        self.input_spec = keras.layers.InputSpec(ndim=self.rank + 2)
        self._initial_values = values
        # The Python copy of `size_stride`, as its variable holds it: call() reads the output sizes from here and
        # never reads a variable's value (it may be tracing).
        self._size_values: tuple[float, ...] = _rounded(values, self.variable_dtype)
        self._last_input: tuple[int | None, tuple[int, ...]] | None = None  # (channels, spatial) of the last call
        self._seen: list[tuple[int, ...]] = []  # the spatial sizes called on, for LearnableSizeUpdate
        self._dropout, self._per_sample, self.seed_generator = False, False, None

    # -- weights ---------------------------------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        self._check_rank(shape)
        values = self._initial_values

        def initial(shape: Any, dtype: Any = None) -> Any:
            return ops.convert_to_tensor(np.asarray(values, dtype="float64"), dtype=dtype)

        count = len(values)
        self.stride = self.add_weight(
            name="stride",
            shape=(count,),
            initializer=initial,
            constraint=StrideAtLeastOne(),
            trainable=True,
            autocast=False,  # the mask is computed in the variable dtype (float32 under mixed precision)
        )
        self.size_stride = self.add_weight(
            name="size_stride", shape=(count,), initializer=initial, trainable=False, autocast=False
        )
        # As the variable holds them, without reading it (build may run inside a trace).
        self._size_values = _rounded(values, keras.backend.standardize_dtype(self.size_stride.dtype))

    def _read_size_stride(self) -> tuple[float, ...]:
        return tuple(float(s) for s in np.asarray(ops.convert_to_numpy(self.size_stride)).reshape(-1))

    def load_own_variables(self, store: Any) -> None:
        super().load_own_variables(store)
        self._size_values = self._read_size_stride()

    def set_weights(self, weights: Any) -> None:
        super().set_weights(weights)
        self._size_values = self._read_size_stride()

    # -- the size policy -------------------------------------------------------------------------------------
    @property
    def size_strides(self) -> tuple[float, ...]:
        """The strides the output sizes are computed from (one per spatial axis), as Python floats."""
        return self._size_values * self.rank if self.shared_stride else self._size_values

    def output_sizes(self, spatial: tuple[int | None, ...]) -> tuple[int | None, ...]:
        """The output size of each spatial axis at the current ``size_stride`` (an unknown size stays unknown)."""
        return tuple(
            None if n is None else sc.smooth_pool_size(int(n), max(1.0, s), ramp=self.ramp)
            for n, s in zip(spatial, self.size_strides, strict=True)
        )

    def _seen_sizes(self) -> list[tuple[int | None, ...]]:
        return [self.output_sizes(spatial) for spatial in self._seen]

    def update_size(self) -> tuple[float, ...]:
        """Copy the trained ``stride`` into ``size_stride`` (a host read); return the new size strides.

        Call it outside a traced function (:class:`LearnableSizeUpdate` does, in ``fit``); a function traced
        before keeps the sizes it was traced with until it is traced again.

        Raises
        ------
        ValueError
            A NaN or infinite ``stride`` (a diverged training step): no such size is ever used.
        """
        if not self.built:
            return self.size_strides
        values = tuple(float(s) for s in np.asarray(ops.convert_to_numpy(self.stride)).reshape(-1))
        if not all(math.isfinite(s) for s in values):
            raise v.value_error(
                KERAS,
                "stride",
                f"finite values >= 1 in the weight of layer '{self.name}' ({type(self).__name__}) (a NaN or "
                "infinite stride means a diverged training step: lower the learning rate or clip the gradients)",
                repr(values),
            )
        self.size_stride.assign(ops.convert_to_tensor(np.asarray(values, dtype="float64"), self.size_stride.dtype))
        self._size_values = self._read_size_stride()
        return self.size_strides

    # -- the layer -------------------------------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        if input_dtype_kind(inputs.dtype) != "float":
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}) expects a real floating input. "
                f"Received: inputs.dtype={keras.backend.standardize_dtype(inputs.dtype)}"
            )
        spatial = self._static_spatial(tuple(inputs.shape))
        shape = tuple(inputs.shape)
        channels = shape[-1] if self.data_format == "channels_last" else shape[1]
        self._last_input = (None if channels is None else int(channels), spatial)
        if spatial not in self._seen and len(self._seen) < _MAX_SEEN:
            self._seen.append(spatial)
        sizes = self.output_sizes(spatial)
        dtype = keras.backend.standardize_dtype(self.stride.dtype)
        strides = self._strides()
        out = inputs
        for a, (axis, n, m) in enumerate(zip(spatial_axes(self.rank, self.data_format), spatial, sizes, strict=True)):
            assert m is not None  # static input sizes give static output sizes
            left, offsets, right = _factors(n, m, self.ramp, self.norm).arrays(dtype)
            target = float(n) / ops.clip(strides[a], 1.0, float(n))
            weights = ops.clip(target / self.ramp + as_constant(offsets, dtype), 0.0, 1.0)
            matrix = ops.matmul(as_constant(left, dtype) * weights, as_constant(right, dtype))  # (m, n)
            out = _multiply_along(out, ops.cast(matrix, inputs.dtype), axis, per_sample=False)
        if self.cost_weight > 0.0:
            # The fraction of the input activation kept, prod_a 1 / clip(S_a, 1, n_a): no input size in it.
            kept = ops.cast(1.0, dtype)
            for a, n in enumerate(spatial):
                kept = kept / ops.clip(strides[a], 1.0, float(n))
            self.add_loss(self.cost_weight * kept)
        return out

    def _strides(self) -> list[Any]:
        """The stride weight of each spatial axis, as tensors (the shared one repeated)."""
        if self.shared_stride:
            return [self.stride[0]] * self.rank
        return [self.stride[a] for a in range(self.rank)]

    def cost(self, spatial: tuple[int, ...] | None = None, channels: int | None = None) -> Any:
        """``channels * prod_a(n_a / clip(S_a, 1, n_a))``: the continuous output size per sample, differentiable.

        ``spatial`` and ``channels`` default to those of the last input. A scalar tensor in the stride's dtype.
        """
        if spatial is None or channels is None:
            if self._last_input is None:
                raise RuntimeError(
                    f"Layer '{self.name}' ({type(self).__name__}).cost(): no input seen yet; pass `spatial` and "
                    "`channels`"
                )
            channels = self._last_input[0] if channels is None else channels
            spatial = self._last_input[1] if spatial is None else spatial
        if not self.built:
            raise RuntimeError(f"Layer '{self.name}' ({type(self).__name__}) must be built before cost()")
        if channels is None:
            raise RuntimeError(f"Layer '{self.name}' ({type(self).__name__}).cost(): unknown channels; pass `channels`")
        total = ops.cast(float(channels), self.stride.dtype)
        for a, n in enumerate(spatial):
            total = total * (float(n) / ops.clip(self._strides()[a], 1.0, float(n)))
        return total

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        self._check_rank(tuple(shape))
        axes = spatial_axes(self.rank, self.data_format)
        for axis, m in zip(axes, self.output_sizes(tuple(shape[a] for a in axes)), strict=True):
            shape[axis] = m
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "stride": self.initial_stride,
                "shared_stride": self.shared_stride,
                "ramp": self.ramp,
                "norm": self.norm,
                "data_format": self.data_format,
                "cost_weight": self.cost_weight,
            }
        )
        return config


# ---------------------------------------------------------------------------------------------------------------
# The callback
# ---------------------------------------------------------------------------------------------------------------
def learnable_pooling_layers(model: Any) -> list[_LearnableSpectralPooling]:
    """Every learnable spectral pooling layer of ``model``, nested models included."""
    return [layer for layer in model._flatten_layers(include_self=True) if isinstance(layer, _LearnableSpectralPooling)]


@keras.saving.register_keras_serializable(package="spectralcore")
class LearnableSizeUpdate(keras.callbacks.Callback):
    """Moves the output sizes of a model's learnable spectral pooling layers to their trained strides, in ``fit``.

    At each epoch end (``every_n_batches=None``, the default) or every ``every_n_batches`` training batches, it
    calls ``update_size()`` on every :class:`LearnableSpectralPooling2D` (any rank) of the model. When an output
    size changes for an input size a layer was called on, it rebuilds the model's train, test and predict
    functions, so the next step is traced again with the new static shapes: each distinct size traces once, and
    a size that stays the same costs nothing. Layers after the pooling must accept the new size (a global pooling
    does; a ``Flatten`` then ``Dense`` does not).

    Parameters
    ----------
    every_n_batches : int, optional
        Update every this many training batches instead of at each epoch end.
    """

    def __init__(self, every_n_batches: int | None = None) -> None:
        super().__init__()
        self.every_n_batches = (
            None if every_n_batches is None else v.positive_int(KERAS, "every_n_batches", every_n_batches)
        )
        self.updates = 0  # size updates that changed an output size (each one re-traces)

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        if self.every_n_batches is not None and (batch + 1) % self.every_n_batches == 0:
            self._update()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        if self.every_n_batches is None:
            self._update()

    def _update(self) -> None:
        model = self.model
        sync = getattr(model, "jax_state_sync", None)
        if callable(sync):  # JAX: the trained values live in the train loop's state until synced
            sync()
        changed = False
        for layer in learnable_pooling_layers(model):
            before = layer._seen_sizes()
            layer.update_size()
            changed = changed or layer._seen_sizes() != before
        if changed:
            self.updates += 1
            model.make_train_function(force=True)
            model.test_function = None  # rebuilt (traced again) at the next evaluate / predict
            model.predict_function = None

    def get_config(self) -> dict[str, Any]:
        return {"every_n_batches": self.every_n_batches}


# ---------------------------------------------------------------------------------------------------------------
# The public classes
# ---------------------------------------------------------------------------------------------------------------
_DOC = """Spectral pooling of {what} with a learnable stride per axis (or one shared stride).

    The stride ``S`` of an axis of length ``n`` sets a smooth low-pass mask, symmetric in ``+-k``, with the weight
    ``clip((n / S + ramp - 2|k|) / ramp, 0, 1)`` at frequency ``k``; the output is the masked map sampled at

        ``m = min(n, ceil(n / S + ramp) - 1)``

    points (:func:`spectralcore.smooth_pool_size`), the smallest size that holds every frequency the mask keeps.
    It is exact: real in, real out; equivariant under the circular flip ``x[j] -> x[-j mod n]``; any output
    parity; the mean is kept (``norm="amplitude"``); and with ``ramp <= 1`` at a stride with ``n / S`` an integer
    it equals :class:`{fixed}` of that size. The loss's gradient with respect to the ``stride`` weight flows
    through the mask (with a ramp above 2 some frequency is always on the ramp, so it is never zero for lack of
    one).

    Size policy (shapes are static in a traced train step): the output size follows the non-trainable weight
    ``size_stride``, the stride as it was at the last size update, never the live ``stride``, and ``call`` reads it
    from a Python copy (refreshed when the layer is built, loaded, given weights, or updated), never from a
    variable. :meth:`update_size` copies ``stride`` into ``size_stride``; in ``fit``, the
    :class:`LearnableSizeUpdate` callback does it at each epoch end (or every few batches) and re-traces the train
    function when a size changes. Between updates the mask of the live stride is cropped to the frozen size: a
    stride that grew keeps the larger output (the extra frequencies are masked to zero), one that shrank is cut
    at the frozen size. A stride below 1 acts as 1 (the weight's constraint keeps it ``>= 1`` after each step); one
    above ``n`` acts as ``n`` (one output pixel, never none).

    Cost: :meth:`cost` is ``channels * prod(n / S)`` of the last input, the continuous output size per sample,
    differentiable in the stride. With ``cost_weight > 0`` the layer adds ``cost_weight * prod(1 / S)`` (the
    fraction of the input activation kept) to the model's losses, to trade accuracy for compute.

    Parameters
    ----------
    stride : float or tuple of {rank} floats
        Initial stride per spatial axis, each ``>= 1`` and finite (``n / S`` need not be an integer).
    shared_stride : bool
        One stride weight for all axes (``stride`` is then one value).
    ramp : float
        Width of the mask's ramp, in output pixels, ``> 0`` (default :data:`spectralcore.DEFAULT_RAMP`, 3.0).
    norm : {{"amplitude", "ortho"}}
        As :class:`{fixed}`.
    data_format : {{"channels_last", "channels_first"}}, optional
        Default ``keras.config.image_data_format()``.
    cost_weight : float
        ``>= 0``; weight of the relative cost added to the losses (default 0: none).
    **kwargs
        Base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Attributes
    ----------
    stride : keras.Variable
        ``({rank},)``, or ``(1,)`` with ``shared_stride``, in the variable dtype (float32 by default); trainable,
        constrained to ``>= 1``.
    size_stride : keras.Variable
        Same shape, not trainable: the stride the output sizes are computed from. Saved, so a loaded model has the
        same sizes.

    Input real floating, of static spatial size; output the same dtype. The factors come from
    :func:`spectralcore.smooth_pool_factors` (float64, rounded once to the stride's dtype and cached per size);
    the operator of each axis is ``(left * w) @ right`` in ``keras.ops``, so it runs on the TensorFlow, JAX and
    PyTorch backends.

    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import {name}
    >>> x = np.random.default_rng(0).standard_normal({example_in}).astype("float32")
    >>> tuple({name}(stride=2.0)(x).shape)
    {example_out}
    """


@keras.saving.register_keras_serializable(package="spectralcore")
class LearnableSpectralPooling1D(_LearnableSpectralPooling):
    __doc__ = _DOC.format(
        what="1-D sequences ``(batch, steps, channels)``",
        fixed="SpectralPooling1D",
        rank=1,
        name="LearnableSpectralPooling1D",
        example_in="(2, 32, 3)",
        example_out="(2, 18, 3)",
    )
    rank = 1


@keras.saving.register_keras_serializable(package="spectralcore")
class LearnableSpectralPooling2D(_LearnableSpectralPooling):
    __doc__ = _DOC.format(
        what="2-D feature maps ``(batch, height, width, channels)``",
        fixed="SpectralPooling2D",
        rank=2,
        name="LearnableSpectralPooling2D",
        example_in="(2, 32, 28, 3)",
        example_out="(2, 18, 16, 3)",
    )
    rank = 2


@keras.saving.register_keras_serializable(package="spectralcore")
class LearnableSpectralPooling3D(_LearnableSpectralPooling):
    __doc__ = _DOC.format(
        what="3-D volumes ``(batch, d1, d2, d3, channels)``",
        fixed="SpectralPooling3D",
        rank=3,
        name="LearnableSpectralPooling3D",
        example_in="(2, 8, 16, 16, 1)",
        example_out="(2, 6, 10, 10, 1)",
    )
    rank = 3
