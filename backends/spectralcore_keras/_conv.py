"""``SpectralConv2D``: a ``Conv2D`` whose trainable kernel is the core's exactly ``kh * kw`` real spectral parameters.

The weight ``spectral_kernel`` has the Keras kernel layout ``(kh, kw, in_channels // groups, filters)``; for each
(input, filter) pair its ``kh x kw`` slice holds ``spectralcore.spatial_to_spectral`` of the spatial filter. The
spatial kernel is one product with the core's basis matrix (``spectralcore.filter_basis_matrix``), and the
convolution itself is the ordinary ``keras.ops.conv``: the model is unchanged, only the optimisation geometry is.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
from keras import activations, constraints, initializers, ops, regularizers

import spectralcore as sc

from ._common import as_constant, check_choice, check_data_format, check_int_pair, invalid

__all__ = ["SpectralConv2D"]

# The Conv2D config entries SpectralConv2D shares (its own get_config has these plus `norm`).
_CONV2D_ARGS = (
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


class _SpectralImage:
    """Initializer: draw a spatial kernel with ``initializer``, return its spectral parameters.

    So the spatial kernel of a new ``SpectralConv2D`` has exactly the distribution of ``Conv2D``'s (same shape,
    hence same fans), which is how the paper compares the two parameterizations from the same start.
    """

    def __init__(self, initializer: Any, inverse_basis: np.ndarray) -> None:
        self.initializer = initializer
        self.inverse_basis = inverse_basis

    def __call__(self, shape: tuple[int, ...], dtype: Any = None) -> Any:
        spatial = self.initializer(shape, dtype=dtype)
        return _map_kernel(spatial, self.inverse_basis)


def _to_numpy(variable: keras.Variable) -> np.ndarray:
    return np.asarray(variable.numpy(), dtype=np.float64)


def _map_kernel(kernel: Any, basis: np.ndarray) -> Any:
    """``basis @ kernel`` over the flattened (kh, kw) axes of a ``(kh, kw, in, out)`` tensor, in its dtype."""
    kernel = ops.convert_to_tensor(kernel)
    shape = tuple(kernel.shape)
    flat = ops.reshape(kernel, (shape[0] * shape[1], -1))
    return ops.reshape(ops.matmul(as_constant(basis, keras.backend.standardize_dtype(kernel.dtype)), flat), shape)


def _input_shape(channels: int, data_format: str) -> tuple[int | None, ...]:
    """A 4-D input shape with only the channels known: all a convolution needs to build."""
    return (None, None, None, channels) if data_format == "channels_last" else (None, channels, None, None)


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralConv2D(keras.layers.Layer):
    """2-D convolution learned in the spectral domain: a drop-in for ``keras.layers.Conv2D``.

    Same arguments and outputs as ``Conv2D``. The trainable weight ``spectral_kernel`` holds exactly ``kh * kw``
    real spectral coefficients per (input channel, filter) pair, in the Keras kernel layout
    ``(kh, kw, in_channels // groups, filters)``; :attr:`kernel` is the spatial kernel they define.

    ``kernel_initializer`` draws a *spatial* kernel, whose spectral image becomes the initial weight, so the
    spatial kernel has ``Conv2D``'s initial distribution. ``kernel_regularizer`` and ``kernel_constraint`` act on
    the spectral weights. Under ``norm="ortho"`` (default) the map is orthogonal, so an L2 regularizer (and a
    per-filter norm constraint such as ``max_norm`` over axes ``(0, 1, 2)``) gives exactly the same value as on the
    spatial kernel, and plain SGD follows the same trajectory; adaptive optimizers such as Adam differ, which is
    the paper's point.

    Parameters
    ----------
    filters, kernel_size, strides, padding, data_format, dilation_rate, groups, activation, use_bias
        As in ``keras.layers.Conv2D``.
    kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer
        As in ``keras.layers.Conv2D`` (see above for the kernel ones).
    kernel_constraint, bias_constraint
        As in ``keras.layers.Conv2D``; the kernel constraint applies to ``spectral_kernel``.
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

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: int | tuple[int, int] = 1,
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
        norm: str = "ortho",
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
            raise invalid("filters", "a positive int", filters)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or filters % groups:
            raise invalid("groups", f"a positive int that divides filters={filters}", groups)
        self.filters = filters
        self.groups = groups
        self.kernel_size = check_int_pair("kernel_size", kernel_size)
        self.strides = check_int_pair("strides", strides)
        self.dilation_rate = check_int_pair("dilation_rate", dilation_rate)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "Invalid values received for arguments `strides` and `dilation_rate`. Expected at most one of them "
                f"> 1, as in Conv2D. Received: strides={strides!r}, dilation_rate={dilation_rate!r}"
            )
        self.padding = check_choice(
            "padding", padding.lower() if isinstance(padding, str) else padding, ("valid", "same")
        )
        self.data_format = check_data_format(data_format)
        self.activation = activations.get(activation)
        if not isinstance(use_bias, bool):
            raise invalid("use_bias", "a bool", use_bias)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.norm = check_choice("norm", norm, ("ortho", "backward", "forward"))
        kh, kw = self.kernel_size
        # The core's exact float64 basis and its inverse; kept as NumPy (not weights) so saved files hold only
        # the spectral coefficients and loading rebuilds these.
        self._basis = np.asarray(sc.filter_basis_matrix(kh, kw, norm=self.norm, xp=np))
        self._inverse_basis = np.asarray(sc.filter_basis_matrix(kh, kw, norm=self.norm, inverse=True, xp=np))

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        if len(shape) != 4:
            raise ValueError(
                f"Layer '{self.name}' (SpectralConv2D) expects 4-D input for data_format='{self.data_format}'. "
                f"Received: input_shape={shape}"
            )
        channels = shape[-1] if self.data_format == "channels_last" else shape[1]
        if channels is None or channels % self.groups:
            raise ValueError(
                f"Layer '{self.name}' (SpectralConv2D) needs a known number of input channels divisible by "
                f"groups={self.groups}. Received: input_shape={shape}"
            )
        self.spectral_kernel = self.add_weight(
            name="spectral_kernel",
            shape=(*self.kernel_size, channels // self.groups, self.filters),
            initializer=_SpectralImage(self.kernel_initializer, self._inverse_basis),
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

    @property
    def kernel(self) -> Any:
        """The spatial kernel ``(kh, kw, in_channels // groups, filters)`` defined by ``spectral_kernel``."""
        if not self.built:
            raise AttributeError(f"Layer '{self.name}' (SpectralConv2D) must be built before accessing `kernel`.")
        theta = ops.convert_to_tensor(self.spectral_kernel)  # autocast to the compute dtype inside call
        return _map_kernel(theta, self._basis)

    def call(self, inputs: Any) -> Any:
        kernel = self.kernel
        conv_format = self.data_format
        x = inputs
        # TensorFlow has no NCHW convolution on CPU: run channels_first as NHWC there (Conv2D would fail).
        transpose = conv_format == "channels_first" and keras.backend.backend() == "tensorflow"
        if transpose:
            x, conv_format = ops.transpose(x, (0, 2, 3, 1)), "channels_last"
        out = ops.conv(
            x,
            kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=conv_format,
            dilation_rate=self.dilation_rate,
        )
        if self.use_bias:
            out = out + ops.cast(self.bias, out.dtype)
        if transpose:
            out = ops.transpose(out, (0, 3, 1, 2))
        if self.activation is not None:
            out = self.activation(out)
        return out

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        spatial = (1, 2) if self.data_format == "channels_last" else (2, 3)
        for axis, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate, strict=True):
            n = shape[axis]
            if n is not None:
                shape[axis] = math.ceil(n / s) if self.padding == "same" else (n - d * (k - 1) - 1) // s + 1
        shape[-1 if self.data_format == "channels_last" else 1] = self.filters
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

    # -----------------------------------------------------------------------------------------------------------
    # Exact conversions, computed in float64 by the core's NumPy filter map.
    # -----------------------------------------------------------------------------------------------------------
    @classmethod
    def from_conv2d(cls, conv: keras.layers.Conv2D, *, norm: str = "ortho") -> SpectralConv2D:
        """A built ``SpectralConv2D`` with the same configuration and outputs as the built ``Conv2D`` ``conv``.

        The spectral weights are the float64 image of ``conv.kernel``, rounded once to the layer's dtype.
        """
        if not isinstance(conv, keras.layers.Conv2D) or not conv.built:
            raise invalid("conv", "a built keras.layers.Conv2D", conv)
        config = conv.get_config()
        layer = cls(**{k: config[k] for k in _CONV2D_ARGS if k in config}, norm=norm)
        kernel = _to_numpy(conv.kernel)
        channels = kernel.shape[2] * layer.groups
        layer.build(
            (None, None, None, channels) if layer.data_format == "channels_last" else (None, channels, None, None)
        )
        theta = sc.spatial_to_spectral(kernel, axes=(0, 1), norm=norm, method="matmul")
        layer.spectral_kernel.assign(theta.astype(layer.spectral_kernel.dtype))
        if layer.use_bias:
            assert layer.bias is not None  # built above, with use_bias
            layer.bias.assign(_to_numpy(conv.bias))
        return layer

    def to_conv2d(self) -> keras.layers.Conv2D:
        """A built ``keras.layers.Conv2D`` with the same configuration and outputs (the exact spatial kernel)."""
        if not self.built:
            raise ValueError(f"Layer '{self.name}' (SpectralConv2D) must be built before `to_conv2d()`.")
        config = self.get_config()
        conv = keras.layers.Conv2D(**{k: config[k] for k in _CONV2D_ARGS})
        theta = _to_numpy(self.spectral_kernel)
        channels = theta.shape[2] * self.groups
        conv.build(
            (None, None, None, channels) if self.data_format == "channels_last" else (None, channels, None, None)
        )
        kernel = sc.spectral_to_spatial(theta, axes=(0, 1), norm=self.norm, method="matmul")
        conv.kernel.assign(kernel.astype(conv.kernel.dtype))
        if self.use_bias:
            conv.bias.assign(_to_numpy(self.bias))
        return conv
