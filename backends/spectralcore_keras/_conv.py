"""``SpectralConv1D/2D/3D``: ``ConvND`` whose trainable kernel is the core's exactly ``prod(kernel_size)`` real
spectral parameters per (input channel, filter) pair.

The weight ``spectral_kernel`` has the Keras kernel layout ``(*kernel_size, in_channels // groups, filters)``; for
each (input, filter) pair its slice over the kernel axes holds ``spectralcore.spatial_to_spectral`` of the spatial
filter. The spatial kernel is one product with the core's basis matrix (``spectralcore.filter_basis_matrix``), and
the convolution itself is the ordinary ``keras.ops.conv``: the model is unchanged, only the optimisation geometry
is. One rank-generic implementation (:class:`_SpectralConv`); the public classes fix the rank.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import keras
import numpy as np
from keras import activations, constraints, initializers, ops, regularizers

import spectralcore as sc
from spectralcore import _validation as v

from ._common import KERAS, as_constant, check_data_format, input_dtype_kind, spatial_axes

__all__ = ["SpectralConv1D", "SpectralConv2D", "SpectralConv3D"]

# The ConvND config entries a spectral convolution shares (its own get_config has these plus `norm`).
_CONV_ARGS = (
    "dtype",
    "trainable",
    "filters",
    "kernel_size",
    "strides",
    "padding",
    "data_format",
    "dilation_rate",
    "groups",
    "activation",
    "use_bias",
    "kernel_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "bias_constraint",
)


class _FilterMap:
    """The core's exact float64 filter basis ``B`` (``w = B @ theta`` over the flattened kernel axes) and ``B^-1``.

    Kept as NumPy (not weights), so saved files hold only the spectral coefficients and loading rebuilds these.
    """

    def __init__(self, kernel_size: tuple[int, ...], norm: str) -> None:
        self.kernel_size = kernel_size
        self.synthesis = np.asarray(sc.filter_basis_matrix(*kernel_size, norm=norm, xp=np))
        self.analysis = np.asarray(sc.filter_basis_matrix(*kernel_size, norm=norm, inverse=True, xp=np))
        self._rounded: dict[tuple[bool, str], np.ndarray] = {}

    def apply(self, kernel: Any, *, inverse: bool) -> Any:
        """``B @ kernel`` (or ``B^-1 @ kernel``) over the flattened kernel axes of a backend tensor, in its dtype."""
        kernel = ops.convert_to_tensor(kernel)
        dtype = keras.backend.standardize_dtype(kernel.dtype)
        matrix = self._rounded.get((inverse, dtype))
        if matrix is None:
            source = self.analysis if inverse else self.synthesis
            matrix = source.astype(dtype if dtype in ("float16", "float32", "float64") else "float32")
            self._rounded[(inverse, dtype)] = matrix
        shape = tuple(kernel.shape)
        flat = ops.reshape(kernel, (math.prod(self.kernel_size), -1))
        return ops.reshape(ops.matmul(as_constant(matrix, dtype), flat), shape)

    def apply_numpy(self, kernel: np.ndarray, *, inverse: bool) -> np.ndarray:
        """The same in float64 NumPy: the exact conversions."""
        flat = np.asarray(kernel, np.float64).reshape(math.prod(self.kernel_size), -1)
        return ((self.analysis if inverse else self.synthesis) @ flat).reshape(np.shape(kernel))


class _SpectralImage:
    """Initializer: draw a spatial kernel with ``initializer``, return its spectral parameters.

    So the spatial kernel of a new spectral convolution has exactly the distribution of ``ConvND``'s (same shape,
    hence same fans), which is how the paper compares the two parameterizations from the same start.
    """

    def __init__(self, initializer: Any, filter_map: _FilterMap) -> None:
        self.initializer = initializer
        self.filter_map = filter_map

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> Any:
        return self.filter_map.apply(self.initializer(shape, dtype=dtype), inverse=True)


class _SpectralConv(keras.layers.Layer):
    """Rank-generic spectral convolution; see :class:`SpectralConv2D` for the parameters."""

    rank: ClassVar[int]
    conv_class: ClassVar[str]  # name of the keras.layers class this one replaces

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, ...],
        strides: int | tuple[int, ...] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | tuple[int, ...] = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        lora_rank: int | None = None,
        lora_alpha: float | None = None,
        norm: str = "ortho",
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        name = type(self).__name__
        if lora_rank is not None or lora_alpha is not None:
            raise ValueError(
                f"Invalid value received for argument `lora_rank`. {name} does not support LoRA: its trainable "
                f"weights are spectral coefficients, not a spatial kernel a low-rank delta could be added to. "
                f"Convert with `to_conv()` and enable LoRA on the {self.conv_class}. "
                f"Received: lora_rank={lora_rank!r}, lora_alpha={lora_alpha!r}"
            )
        self.filters = v.positive_int(KERAS, "filters", filters)
        self.groups = v.positive_int(KERAS, "groups", groups)
        if self.filters % self.groups:
            raise v.value_error(KERAS, "groups", f"a positive int that divides filters={filters}", repr(groups))
        self.kernel_size = v.per_axis_sizes(KERAS, "kernel_size", kernel_size, self.rank)
        self.strides = v.per_axis_sizes(KERAS, "strides", strides, self.rank)
        self.dilation_rate = v.per_axis_sizes(KERAS, "dilation_rate", dilation_rate, self.rank)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Invalid values received for arguments `strides` and `dilation_rate`. Expected at most one of them "
                f"> 1, as in {self.conv_class}. Received: strides={strides!r}, dilation_rate={dilation_rate!r}"
            )
        paddings = ("valid", "same", "causal") if self.rank == 1 else ("valid", "same")
        self.padding = v.choice(KERAS, "padding", padding.lower() if isinstance(padding, str) else padding, paddings)
        self.data_format = check_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = v.boolean(KERAS, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.norm = v.choice(KERAS, "norm", norm, v.NORMS_FILTER)
        self.input_spec = keras.layers.InputSpec(ndim=self.rank + 2)
        self._filter_map = _FilterMap(self.kernel_size, self.norm)

    # -------------------------------------------------------------------------------------------------------------
    # Weights
    # -------------------------------------------------------------------------------------------------------------
    def _channel_axis(self) -> int:
        return -1 if self.data_format == "channels_last" else 1

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        channels = shape[self._channel_axis()] if len(shape) == self.rank + 2 else None
        if channels is None or channels % self.groups:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) needs a known number of input channels (axis "
                f"{self._channel_axis()} for data_format='{self.data_format}') divisible by groups={self.groups}. "
                f"Received: input_shape={shape}"
            )
        self.compute_output_shape(shape)  # a kernel that does not fit a known size fails here, clearly
        # Wrong channel counts at call time then get Keras' own "incompatible with the layer" message.
        self.input_spec = keras.layers.InputSpec(ndim=self.rank + 2, axes={self._channel_axis(): channels})
        self.spectral_kernel = self.add_weight(
            name="spectral_kernel",
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=_SpectralImage(self.kernel_initializer, self._filter_map),
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                trainable=True,
            )

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise ValueError(f"Layer '{self.name}' ({type(self).__name__}) must be built before {what}.")

    @property
    def kernel(self) -> Any:
        """The spatial kernel ``(*kernel_size, in_channels // groups, filters)`` defined by ``spectral_kernel``.

        Read-only (it is computed); set it with :meth:`assign_kernel` or :meth:`set_weights`.
        """
        if not self.built:
            raise AttributeError(
                f"Layer '{self.name}' ({type(self).__name__}) must be built before accessing `kernel`."
            )
        theta = ops.convert_to_tensor(self.spectral_kernel)  # autocast to the compute dtype inside call
        return self._filter_map.apply(theta, inverse=False)

    @kernel.setter
    def kernel(self, value: Any) -> None:
        raise AttributeError(
            f"`kernel` of layer '{self.name}' ({type(self).__name__}) is computed from `spectral_kernel` and cannot "
            "be assigned. Use `layer.assign_kernel(spatial_kernel)` or `layer.set_weights([kernel, bias])`."
        )

    def assign_kernel(self, value: Any) -> None:
        """Set ``spectral_kernel`` to the exact float64 spectral image of the spatial kernel ``value``.

        Afterwards :attr:`kernel` equals ``value`` up to one rounding to the variable's dtype.
        """
        self._require_built("`assign_kernel()`")
        value = np.asarray(keras.ops.convert_to_numpy(value))
        expected = tuple(self.spectral_kernel.shape)
        if value.shape != expected:
            raise v.value_error(
                KERAS, "value", f"a spatial kernel of shape {expected}", f"an array of shape {value.shape}"
            )
        theta = self._filter_map.apply_numpy(value, inverse=True)
        self.spectral_kernel.assign(theta.astype(self.spectral_kernel.dtype))

    def get_weights(self) -> list[np.ndarray]:
        """``[kernel, bias]`` as ``ConvND.get_weights()`` returns them: the *spatial* kernel (exact float64 image,
        rounded once), so weights move between ``ConvND`` and this layer with ``set_weights(get_weights())``.

        ``layer.weights`` (and ``model.get_weights()``, which reads the variables) hold the spectral coefficients.
        """
        if not self.built:
            return []
        theta = np.asarray(self.spectral_kernel.numpy(), np.float64)
        kernel = self._filter_map.apply_numpy(theta, inverse=False).astype(self.spectral_kernel.dtype)
        return [kernel] + ([] if self.bias is None else [self.bias.numpy()])

    def set_weights(self, weights: Any) -> None:
        """Set ``[kernel, bias]`` from spatial weights, as ``ConvND.set_weights`` (e.g. ``conv.get_weights()``)."""
        self._require_built("`set_weights()`")
        expected = 1 + (self.bias is not None)
        if len(weights) != expected:
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list of length "
                f"{len(weights)}, but the layer was expecting {expected} weights ([kernel, bias] in "
                f"{self.conv_class}'s layout, the kernel spatial)."
            )
        if self.bias is not None and tuple(np.shape(weights[1])) != tuple(self.bias.shape):
            raise ValueError(
                f"Layer {self.name} weight shape {tuple(self.bias.shape)} is not compatible with provided weight "
                f"shape {tuple(np.shape(weights[1]))}."
            )
        self.assign_kernel(weights[0])
        if self.bias is not None:
            self.bias.assign(weights[1])

    # -------------------------------------------------------------------------------------------------------------
    # Forward
    # -------------------------------------------------------------------------------------------------------------
    def call(self, inputs: Any) -> Any:
        kind = input_dtype_kind(inputs.dtype)
        if kind != "float":
            why = "Keras convolutions (keras.ops.conv) are real-only" if kind == "complex" else "expects floats"
            raise TypeError(
                f"Layer '{self.name}' ({type(self).__name__}) expects a real floating input: {why}. "
                f"Received: inputs.dtype={keras.backend.standardize_dtype(inputs.dtype)}"
            )
        x = inputs
        padding = self.padding
        if padding == "causal":  # as Conv1D: pad the past, then a valid convolution
            pad = [[0, 0]] * 3
            history = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            pad[1 if self.data_format == "channels_last" else 2] = [history, 0]
            x, padding = ops.pad(x, pad), "valid"
        conv_format = self.data_format
        # TensorFlow has no channels-first convolution on CPU: run it channels-last there (ConvND would fail).
        transpose = conv_format == "channels_first" and keras.backend.backend() == "tensorflow"
        if transpose:
            x, conv_format = ops.transpose(x, (0, *range(2, self.rank + 2), 1)), "channels_last"
        out = ops.conv(
            x,
            self.kernel,
            strides=self.strides,
            padding=padding,
            data_format=conv_format,
            dilation_rate=self.dilation_rate,
        )
        if self.use_bias:
            # Along the channels of the layout the convolution ran in (channels-first on JAX and PyTorch).
            bias_shape = (
                (1,) * (self.rank + 1) + (-1,) if conv_format == "channels_last" else (1, -1) + (1,) * self.rank
            )
            out = out + ops.reshape(ops.cast(self.bias, out.dtype), bias_shape)
        if transpose:
            out = ops.transpose(out, (0, self.rank + 1, *range(1, self.rank + 1)))
        if self.activation is not None:
            out = self.activation(out)
        return out

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        if len(shape) != self.rank + 2:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects {self.rank + 2}-D input for "
                f"data_format='{self.data_format}'. Received: input_shape={tuple(shape)}"
            )
        axes = spatial_axes(self.rank, self.data_format)
        for axis, k, s, d in zip(axes, self.kernel_size, self.strides, self.dilation_rate, strict=True):
            n = shape[axis]
            if n is None:
                continue
            if self.padding == "valid":
                n = (n - d * (k - 1) - 1) // s + 1
                if n < 1:
                    raise ValueError(
                        f"Layer '{self.name}' ({type(self).__name__}): with padding='valid' the kernel "
                        f"kernel_size={self.kernel_size} (dilation_rate={self.dilation_rate}) does not fit the input; "
                        f"the output size would be zero or negative. Received: input_shape={tuple(input_shape)}"
                    )
                shape[axis] = n
            else:
                shape[axis] = math.ceil(n / s)
        shape[self._channel_axis()] = self.filters
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "groups": self.groups,
                "activation": activations.serialize(self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": initializers.serialize(self.kernel_initializer),
                "bias_initializer": initializers.serialize(self.bias_initializer),
                "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
                "bias_regularizer": regularizers.serialize(self.bias_regularizer),
                "activity_regularizer": regularizers.serialize(self.activity_regularizer),
                "kernel_constraint": constraints.serialize(self.kernel_constraint),
                "bias_constraint": constraints.serialize(self.bias_constraint),
                "norm": self.norm,
            }
        )
        return config

    # -------------------------------------------------------------------------------------------------------------
    # Exact conversions, computed in float64 with the core's basis matrix.
    # -------------------------------------------------------------------------------------------------------------
    @classmethod
    def from_conv(cls, conv: Any, *, norm: str = "ortho") -> Any:
        """A built spectral layer with the same configuration and outputs as the built ``ConvND`` ``conv``.

        The spectral weights are the float64 image of ``conv.kernel``, rounded once to the layer's dtype.
        """
        conv_type = getattr(keras.layers, cls.conv_class)
        if not isinstance(conv, conv_type):
            raise v.type_error(KERAS, "conv", f"a built keras.layers.{cls.conv_class}", repr(conv))
        if not conv.built:
            raise v.value_error(KERAS, "conv", f"a built keras.layers.{cls.conv_class}", repr(conv))
        config = conv.get_config()
        if config.get("lora_rank"):
            raise v.value_error(KERAS, "conv", f"a {cls.conv_class} without LoRA (merge it first)", repr(conv))
        layer = cls(**{k: config[k] for k in _CONV_ARGS if k in config}, norm=norm)
        kernel = np.asarray(conv.kernel.numpy())
        layer.build(_channels_only_shape(cls.rank, kernel.shape[-2] * layer.groups, layer.data_format))
        layer.set_weights([kernel] + ([conv.bias.numpy()] if layer.use_bias else []))
        return layer

    def to_conv(self) -> Any:
        """A built ``keras.layers.ConvND`` with the same configuration and outputs (the exact spatial kernel)."""
        self._require_built("`to_conv()`")
        config = self.get_config()
        conv = getattr(keras.layers, self.conv_class)(**{k: config[k] for k in _CONV_ARGS})
        conv.build(_channels_only_shape(self.rank, self.spectral_kernel.shape[-2] * self.groups, self.data_format))
        conv.set_weights(self.get_weights())
        return conv


def _channels_only_shape(rank: int, channels: int, data_format: str) -> tuple[int | None, ...]:
    """An input shape with only the channels known: all a convolution needs to build."""
    spatial = (None,) * rank
    return (None, *spatial, channels) if data_format == "channels_last" else (None, channels, *spatial)


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralConv1D(_SpectralConv):
    """1-D convolution learned in the spectral domain: a drop-in for ``keras.layers.Conv1D``.

    As :class:`SpectralConv2D` with one kernel axis: ``spectral_kernel`` ``(k, in_channels // groups, filters)``
    holds exactly ``k`` real spectral coefficients per (input channel, filter) pair. ``padding="causal"`` works as
    in ``Conv1D``.

    Parameters
    ----------
    filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation, use_bias
        As in ``keras.layers.Conv1D``.
    kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer
        As in ``keras.layers.Conv1D``; the kernel ones act as in :class:`SpectralConv2D`.
    kernel_constraint, bias_constraint
        As in ``keras.layers.Conv1D``; the kernel constraint applies to ``spectral_kernel``.
    lora_rank, lora_alpha : None
        Accepted for ``Conv1D``'s signature; anything but ``None`` is refused.
    norm : {"ortho", "backward", "forward"}
        DFT normalisation of the filter map (``spectralcore.spatial_to_spectral``).
    **kwargs
        Base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Examples
    --------
    >>> import numpy as np, keras
    >>> from spectralcore_keras import SpectralConv1D
    >>> x = np.random.default_rng(0).standard_normal((2, 16, 3)).astype("float32")
    >>> conv = keras.layers.Conv1D(4, 5, padding="causal")
    >>> y = conv(x)
    >>> spectral = SpectralConv1D.from_conv(conv)
    >>> tuple(spectral.spectral_kernel.shape)
    (5, 3, 4)
    >>> bool(np.allclose(spectral(x), y, atol=1e-5))
    True
    """

    rank = 1
    conv_class = "Conv1D"


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralConv2D(_SpectralConv):
    """2-D convolution learned in the spectral domain: a drop-in for ``keras.layers.Conv2D``.

    Same arguments, configuration keys and outputs as ``Conv2D``. The trainable weight ``spectral_kernel`` holds
    exactly ``kh * kw`` real spectral coefficients per (input channel, filter) pair, in the Keras kernel layout
    ``(kh, kw, in_channels // groups, filters)``; :attr:`kernel` is the spatial kernel they define.

    ``kernel_initializer`` draws a *spatial* kernel, whose spectral image becomes the initial weight, so the
    spatial kernel has ``Conv2D``'s initial distribution. ``kernel_regularizer`` and ``kernel_constraint`` act on
    the spectral weights. Under ``norm="ortho"`` (default) the map is orthogonal, so an L2 regularizer (and a
    per-filter norm constraint such as ``max_norm`` over axes ``(0, 1, 2)``) gives exactly the same value as on the
    spatial kernel, and plain SGD follows the same trajectory; adaptive optimizers such as Adam differ, which is
    the paper's point. L1 and sign constraints (``NonNeg``) mean something else on spectral coefficients.

    Weights in ``Conv2D``'s terms: ``get_weights()`` / ``set_weights()`` speak the *spatial* ``[kernel, bias]``, so
    ``layer.set_weights(conv.get_weights())`` loads a ``Conv2D``'s weights (and back); :meth:`assign_kernel` sets
    the spatial kernel alone; :meth:`from_conv2d` / :meth:`to_conv2d` convert whole layers. The variables
    (``layer.weights``, what ``model.get_weights()`` and saved files hold) are the spectral coefficients. So
    ``model.set_weights`` and the legacy positional ``.h5`` loader, which write variables by position, cannot tell
    a ``Conv2D``'s kernel from spectral coefficients: move ``Conv2D`` weights with the layer's ``set_weights`` or
    ``from_conv2d``. (A ``.keras`` / ``.weights.h5`` file of a ``Conv2D`` model refuses to load into this layer.)

    Not supported, with a clear error: complex input (Keras convolutions are real-only), LoRA (``lora_rank``).

    Parameters
    ----------
    filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation, use_bias
        As in ``keras.layers.Conv2D``.
    kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer
        As in ``keras.layers.Conv2D`` (see above for the kernel ones).
    kernel_constraint, bias_constraint
        As in ``keras.layers.Conv2D``; the kernel constraint applies to ``spectral_kernel``.
    lora_rank, lora_alpha : None
        Accepted for ``Conv2D``'s signature; anything but ``None`` is refused.
    norm : {"ortho", "backward", "forward"}
        DFT normalisation of the filter map (``spectralcore.spatial_to_spectral``).
    **kwargs
        Base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Examples
    --------
    >>> import numpy as np, keras
    >>> from spectralcore_keras import SpectralConv2D
    >>> x = np.random.default_rng(0).standard_normal((2, 8, 8, 3)).astype("float32")
    >>> conv = keras.layers.Conv2D(4, 3, padding="same")
    >>> y = conv(x)
    >>> spectral = SpectralConv2D.from_conv2d(conv)
    >>> tuple(spectral.spectral_kernel.shape)
    (3, 3, 3, 4)
    >>> bool(np.allclose(spectral(x), y, atol=1e-5))
    True
    """

    rank = 2
    conv_class = "Conv2D"

    @classmethod
    def from_conv2d(cls, conv: keras.layers.Conv2D, *, norm: str = "ortho") -> SpectralConv2D:
        """Alias of :meth:`from_conv`."""
        return cls.from_conv(conv, norm=norm)

    def to_conv2d(self) -> keras.layers.Conv2D:
        """Alias of :meth:`to_conv`."""
        return self.to_conv()


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralConv3D(_SpectralConv):
    """3-D convolution learned in the spectral domain: a drop-in for ``keras.layers.Conv3D``.

    As :class:`SpectralConv2D` with three kernel axes: ``spectral_kernel`` ``(k1, k2, k3, in_channels // groups,
    filters)`` holds exactly ``k1 * k2 * k3`` real spectral coefficients per (input channel, filter) pair.

    Parameters
    ----------
    filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation, use_bias
        As in ``keras.layers.Conv3D``.
    kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer
        As in ``keras.layers.Conv3D``; the kernel ones act as in :class:`SpectralConv2D`.
    kernel_constraint, bias_constraint
        As in ``keras.layers.Conv3D``; the kernel constraint applies to ``spectral_kernel``.
    lora_rank, lora_alpha : None
        Accepted for ``Conv3D``'s signature; anything but ``None`` is refused.
    norm : {"ortho", "backward", "forward"}
        DFT normalisation of the filter map (``spectralcore.spatial_to_spectral``).
    **kwargs
        Base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import SpectralConv3D
    >>> x = np.random.default_rng(0).standard_normal((1, 6, 6, 6, 2)).astype("float32")
    >>> conv = SpectralConv3D(3, (3, 2, 3), padding="same")
    >>> tuple(conv(x).shape), tuple(conv.spectral_kernel.shape)
    ((1, 6, 6, 6, 3), (3, 2, 3, 2, 3))
    """

    rank = 3
    conv_class = "Conv3D"
