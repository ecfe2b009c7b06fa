"""Keras adapter: ``SpectralConv2D`` is ``Conv2D`` with spectral weights (conversions, init, gradients, errors)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from _support import require_framework

import spectralcore as sc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = require_framework("tensorflow", "tensorflow")
keras = require_framework("keras", "tensorflow")

from spectralcore_keras import SpectralConv2D  # noqa: E402

# Conv2D configurations: (kwargs, input channels, kernel size), covering groups, strides, dilation and "same".
CONFIGS = {
    "3x3_valid": ({"filters": 4, "kernel_size": 3}, 3),
    "5x4_same": ({"filters": 6, "kernel_size": (5, 4), "padding": "same"}, 2),
    "groups": ({"filters": 6, "kernel_size": 3, "groups": 3, "padding": "same"}, 6),
    "strides": ({"filters": 5, "kernel_size": (2, 3), "strides": (2, 3), "padding": "same"}, 4),
    "dilation": ({"filters": 3, "kernel_size": 3, "dilation_rate": (2, 1), "use_bias": False}, 2),
    "1x1_relu": ({"filters": 2, "kernel_size": 1, "activation": "relu"}, 5),
}
TOLS = {"float64": 1e-12, "float32": 2e-6}


def _nhwc(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x.transpose(0, 2, 3, 1))


def _nchw(x: Any) -> np.ndarray:
    return np.asarray(x).transpose(0, 3, 1, 2)


def _reference_conv(kwargs: dict[str, Any], channels: int, dtype: str, seed: int = 0) -> Any:
    """A built channels-last ``Conv2D`` with a random kernel and bias."""
    conv = keras.layers.Conv2D(**kwargs, dtype=dtype)
    conv.build((None, 11, 10, channels))
    rng = np.random.default_rng(seed)
    conv.kernel.assign(rng.standard_normal(tuple(conv.kernel.shape)).astype(dtype))
    if conv.use_bias:
        conv.bias.assign(rng.standard_normal(tuple(conv.bias.shape)).astype(dtype))
    return conv


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("norm", ["ortho", "backward"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_conversions_are_exact(name: str, norm: str, dtype: str) -> None:
    kwargs, channels = CONFIGS[name]
    conv = _reference_conv(kwargs, channels, dtype)
    x = np.random.default_rng(1).standard_normal((2, 11, 10, channels)).astype(dtype)
    expected = np.asarray(conv(x))
    spectral = SpectralConv2D.from_conv2d(conv, norm=norm)
    tol = TOLS[dtype] * (10 if norm == "backward" else 1)  # "backward" is not orthogonal: larger rounding
    assert spectral.spectral_kernel.dtype == dtype
    kernel = conv.kernel.numpy().astype(np.float64)
    theta = sc.spatial_to_spectral(kernel, axes=(0, 1), norm=norm)
    np.testing.assert_allclose(spectral.spectral_kernel.numpy(), theta, rtol=tol, atol=tol)
    np.testing.assert_allclose(np.asarray(spectral.kernel), kernel, rtol=tol, atol=tol)
    out = np.asarray(spectral(x))
    assert out.dtype == dtype
    np.testing.assert_allclose(out, expected, rtol=tol * 10, atol=tol * 10)
    back = spectral.to_conv2d()
    assert type(back) is keras.layers.Conv2D
    np.testing.assert_allclose(back.kernel.numpy(), kernel, rtol=tol, atol=tol)
    np.testing.assert_allclose(np.asarray(back(x)), expected, rtol=tol * 10, atol=tol * 10)
    config = {k: v for k, v in back.get_config().items() if k != "name"}
    assert config == {k: v for k, v in conv.get_config().items() if k != "name"}


@pytest.mark.parametrize("name", ["groups", "strides", "dilation"])
def test_channels_first_equals_channels_last(name: str) -> None:
    """TensorFlow has no NCHW convolution on CPU; the layer still gives Conv2D's channels-first result."""
    kwargs, channels = CONFIGS[name]
    conv = _reference_conv(kwargs, channels, "float64")
    x = np.random.default_rng(2).standard_normal((2, channels, 11, 10))
    first = SpectralConv2D(**kwargs, data_format="channels_first", dtype="float64")
    first.build(x.shape)
    first.spectral_kernel.assign(SpectralConv2D.from_conv2d(conv).spectral_kernel.numpy())
    if first.use_bias:
        first.bias.assign(conv.bias.numpy())
    out = first(x)
    assert tuple(out.shape) == first.compute_output_shape(x.shape)
    np.testing.assert_allclose(np.asarray(out), _nchw(conv(_nhwc(x))), rtol=1e-12, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("name", ["3x3_valid", "5x4_same", "groups", "dilation"])
def test_equals_the_pytorch_adapter(name: str) -> None:
    sct = pytest.importorskip("spectralcore_torch")
    if not hasattr(sct, "SpectralConv2d"):
        pytest.skip("spectralcore_torch does not provide SpectralConv2d yet")
    import torch

    kwargs, channels = CONFIGS[name]
    ours = SpectralConv2D(**kwargs, dtype="float64")
    x = np.random.default_rng(3).standard_normal((2, channels, 11, 10))
    ours.build((None, 11, 10, channels))
    theirs = sct.SpectralConv2d(
        channels,
        kwargs["filters"],
        kwargs["kernel_size"],
        padding=kwargs.get("padding", "valid"),
        dilation=kwargs.get("dilation_rate", 1),
        groups=kwargs.get("groups", 1),
        bias=kwargs.get("use_bias", True),
        dtype=torch.float64,
    )
    with torch.no_grad():  # same spectral weights: (kh, kw, in, out) -> (out, in, kh, kw)
        theirs.spectral_weight.copy_(torch.from_numpy(ours.spectral_kernel.numpy().transpose(3, 2, 0, 1)))
        if theirs.bias is not None:
            ours.bias.assign(np.linspace(-1.0, 1.0, kwargs["filters"]))
            theirs.bias.copy_(torch.from_numpy(ours.bias.numpy()))
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(
        np.asarray(ours.kernel).transpose(3, 2, 0, 1), theirs.weight.detach().numpy(), atol=1e-13
    )
    np.testing.assert_allclose(_nchw(ours(_nhwc(x))), expected, rtol=1e-12, atol=1e-12)


def test_initial_spatial_kernel_is_the_conv2d_draw() -> None:
    """Same initializer and seed: the spatial kernel is Conv2D's, so both start from the same point."""
    init = {"kernel_initializer": keras.initializers.GlorotUniform(seed=3)}
    conv = keras.layers.Conv2D(8, 3, **init)
    spectral = SpectralConv2D(8, 3, **init)
    conv.build((None, 9, 9, 4))
    spectral.build((None, 9, 9, 4))
    np.testing.assert_allclose(np.asarray(spectral.kernel), conv.kernel.numpy(), rtol=1e-6, atol=1e-6)
    # Default init: glorot_uniform's bound and variance, on the spatial kernel.
    big = SpectralConv2D(64, 3)
    big.build((None, 9, 9, 32))
    kernel = np.asarray(big.kernel)
    limit = np.sqrt(6.0 / (9 * 32 + 9 * 64))
    assert np.abs(kernel).max() <= limit * (1 + 1e-5)
    assert abs(kernel.std() / (limit / np.sqrt(3.0)) - 1.0) < 0.02


def test_l2_regularizer_under_ortho_is_the_spatial_weight_decay() -> None:
    layer = SpectralConv2D(6, (3, 4), kernel_regularizer=keras.regularizers.L2(0.01), dtype="float64")
    layer(np.zeros((1, 8, 8, 5)))
    (penalty,) = layer.losses
    spatial = np.sum(np.asarray(layer.kernel) ** 2)
    spectral = np.sum(layer.spectral_kernel.numpy() ** 2)
    np.testing.assert_allclose(spectral, spatial, rtol=1e-12)  # the map is orthogonal
    np.testing.assert_allclose(float(penalty), 0.01 * spatial, rtol=1e-6)  # Keras keeps the factor in float32


def test_mixed_precision_keeps_float32_weights() -> None:
    x = np.random.default_rng(6).standard_normal((2, 8, 8, 3)).astype("float32")
    layer = SpectralConv2D(4, 3, padding="same", dtype="mixed_float16")
    out = layer(x)
    assert out.dtype == tf.float16
    assert layer.spectral_kernel.dtype == "float32"
    reference = keras.ops.conv(x, np.asarray(layer.kernel), padding="same") + layer.bias.numpy()
    np.testing.assert_allclose(np.asarray(out, np.float32), np.asarray(reference), rtol=1e-2, atol=1e-2)


def test_gradient_matches_finite_differences() -> None:
    rng = np.random.default_rng(4)
    layer = SpectralConv2D(4, (3, 2), padding="same", groups=2, dtype="float64")
    x = tf.Variable(rng.standard_normal((2, 7, 6, 4)))
    layer(x)
    g = tf.constant(rng.standard_normal((2, 7, 6, 4)))
    variables = [x, layer.spectral_kernel, layer.bias]

    def loss() -> Any:
        return tf.reduce_sum(g * layer(x))

    with tf.GradientTape() as tape:
        value = loss()
    grads = [np.asarray(gr) for gr in tape.gradient(value, variables)]
    eps = 1e-6
    for _ in range(3):
        directions = [rng.standard_normal(tuple(v.shape)) for v in variables]
        base = [v.numpy() for v in variables]
        values = []
        for sign in (1.0, -1.0):
            for v, b, d in zip(variables, base, directions, strict=True):
                v.assign(b + sign * eps * d)
            values.append(float(loss()))
        for v, b in zip(variables, base, strict=True):
            v.assign(b)
        numeric = (values[0] - values[1]) / (2 * eps)
        analytic = sum(float(np.sum(gr * d)) for gr, d in zip(grads, directions, strict=True))
        assert abs(numeric - analytic) <= 1e-7 * max(1.0, abs(analytic))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("name", list(CONFIGS))
def test_output_shapes_and_xla(name: str, data_format: str) -> None:
    kwargs, channels = CONFIGS[name]
    layer = SpectralConv2D(**kwargs, data_format=data_format)
    shape = (11, 10, channels) if data_format == "channels_last" else (channels, 11, 10)
    symbolic = layer(keras.Input(shape))
    assert tuple(symbolic.shape) == layer.compute_output_shape((None, *shape))
    x = np.random.default_rng(5).standard_normal((2, *shape)).astype("float32")
    eager = np.asarray(layer(x))
    assert eager.shape == (2, *symbolic.shape[1:])
    compiled = tf.function(layer, jit_compile=True)
    np.testing.assert_allclose(np.asarray(compiled(tf.constant(x))), eager, rtol=1e-5, atol=1e-5)


def test_config_round_trip() -> None:
    layer = SpectralConv2D(
        6,
        (3, 5),
        strides=2,
        padding="SAME",
        groups=2,
        activation="relu",
        kernel_initializer="he_normal",
        kernel_regularizer=keras.regularizers.L2(1e-4),
        kernel_constraint=keras.constraints.MaxNorm(2.0, axis=(0, 1, 2)),
        norm="forward",
    )
    config = layer.get_config()
    assert config["padding"] == "same"
    assert SpectralConv2D.from_config(config).get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert restored.get_config() == config


# -----------------------------------------------------------------------------------------------------------------
# The drop-in review against keras.layers.Conv2D
# -----------------------------------------------------------------------------------------------------------------
def test_config_keys_are_conv2ds_plus_norm_and_a_conv2d_config_builds_one() -> None:
    conv = keras.layers.Conv2D(6, (3, 5), strides=2, padding="same", groups=2, activation="relu", name="c")
    config = conv.get_config()
    spectral = SpectralConv2D.from_config(config)  # a Conv2D config is a valid SpectralConv2D config
    assert set(spectral.get_config()) == set(config) | {"norm"}
    assert {k: v for k, v in spectral.get_config().items() if k != "norm"} == config


def test_get_and_set_weights_speak_conv2d() -> None:
    """``set_weights(conv.get_weights())`` loads a Conv2D (spatial kernel), and back: no silent reinterpretation."""
    conv = _reference_conv({"filters": 4, "kernel_size": 3, "padding": "same"}, 3, "float32")
    x = np.random.default_rng(7).standard_normal((2, 11, 10, 3)).astype("float32")
    spectral = SpectralConv2D(4, 3, padding="same")
    spectral.build((None, 11, 10, 3))
    spectral.set_weights(conv.get_weights())
    np.testing.assert_allclose(np.asarray(spectral(x)), np.asarray(conv(x)), rtol=1e-5, atol=1e-5)
    kernel, bias = spectral.get_weights()
    np.testing.assert_allclose(kernel, conv.kernel.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(bias, conv.bias.numpy())
    theta = sc.spatial_to_spectral(conv.kernel.numpy().astype(np.float64), axes=(0, 1))
    np.testing.assert_allclose(spectral.spectral_kernel.numpy(), theta, rtol=1e-6, atol=1e-6)  # variables: spectral
    back = keras.layers.Conv2D(4, 3, padding="same")
    back.build((None, 11, 10, 3))
    back.set_weights(spectral.get_weights())
    np.testing.assert_allclose(np.asarray(back(x)), np.asarray(conv(x)), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="expecting 2 weights"):
        spectral.set_weights([kernel])
    with pytest.raises(ValueError, match=r"argument `value`\. Expected a spatial kernel of shape \(3, 3, 3, 4\)"):
        spectral.set_weights([kernel[:2], bias])
    with pytest.raises(ValueError, match="not compatible"):
        spectral.set_weights([kernel, bias[:2]])
    with pytest.raises(ValueError, match="must be built"):
        SpectralConv2D(4, 3).set_weights([kernel, bias])
    assert SpectralConv2D(4, 3).get_weights() == []


def test_kernel_is_read_only_and_assign_kernel_sets_it() -> None:
    layer = SpectralConv2D(2, (2, 3), use_bias=False, dtype="float64")
    layer.build((None, 6, 6, 3))
    w = np.random.default_rng(8).standard_normal((2, 3, 3, 2))
    layer.assign_kernel(w)
    np.testing.assert_allclose(np.asarray(layer.kernel), w, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(layer.spectral_kernel.numpy(), sc.spatial_to_spectral(w, axes=(0, 1)), atol=1e-13)
    with pytest.raises(AttributeError, match="assign_kernel"):
        layer.kernel = w
    with pytest.raises(AttributeError, match="must be built"):
        _ = SpectralConv2D(2, 3).kernel


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filters": 4, "kernel_size": 3},
        {"filters": 4, "kernel_size": (5, 2), "strides": (2, 3), "padding": "same"},
        {"filters": 2, "kernel_size": 3, "dilation_rate": (3, 1)},
        {"filters": 2, "kernel_size": 3, "strides": 3, "padding": "valid", "data_format": "channels_first"},
    ],
)
def test_output_shape_is_conv2ds(kwargs: dict[str, Any]) -> None:
    ours, theirs = SpectralConv2D(**kwargs), keras.layers.Conv2D(**kwargs)
    for shape in [(None, 11, 10, 4), (3, None, 10, 4), (None, 7, None, 4)]:
        if kwargs.get("data_format") == "channels_first":
            shape = (shape[0], shape[3], shape[1], shape[2])
        assert ours.compute_output_shape(shape) == theirs.compute_output_shape(shape)


def test_lora_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="does not support LoRA"):
        SpectralConv2D(4, 3, lora_rank=2)
    conv = keras.layers.Conv2D(4, 3, lora_rank=2)
    conv.build((None, 8, 8, 3))
    with pytest.raises(ValueError, match="without LoRA"):
        SpectralConv2D.from_conv2d(conv)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"filters": 0, "kernel_size": 3}, ValueError, r"`filters`\. Expected an int >= 1\. Received: filters=0"),
        ({"filters": "4", "kernel_size": 3}, TypeError, "argument `filters`"),
        ({"filters": 4, "kernel_size": 0}, ValueError, "argument `kernel_size`"),
        ({"filters": 4, "kernel_size": (3, 3, 3)}, ValueError, r"`kernel_size`\. Expected an int or a sequence of 2"),
        ({"filters": 4, "kernel_size": 3.0}, TypeError, "argument `kernel_size`"),
        ({"filters": 4, "kernel_size": 3, "groups": 3}, ValueError, "argument `groups`"),
        ({"filters": 4, "kernel_size": 3, "strides": 0}, ValueError, "argument `strides`"),
        ({"filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}, ValueError, "`strides` and `dilation"),
        ({"filters": 4, "kernel_size": 3, "padding": "causal"}, ValueError, "argument `padding`"),
        ({"filters": 4, "kernel_size": 3, "norm": "amplitude"}, ValueError, "argument `norm`"),
        ({"filters": 4, "kernel_size": 3, "use_bias": "yes"}, TypeError, "argument `use_bias`"),
        ({"filters": 4, "kernel_size": 3, "data_format": "NCHW"}, ValueError, "argument `data_format`"),
    ],
)
def test_bad_arguments_are_rejected_in_init(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        SpectralConv2D(**kwargs)


def test_bad_inputs_get_keras_style_errors() -> None:
    with pytest.raises(ValueError, match="divisible by groups=2"):
        SpectralConv2D(4, 3, groups=2)(np.zeros((1, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        SpectralConv2D(4, 3)(np.zeros((8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="Inputs to a layer should be tensors"):
        SpectralConv2D(4, 3)(None)
    with pytest.raises(ValueError, match="needs a known number of input channels"):
        SpectralConv2D(4, 3)(keras.Input((8, 8, None)))
    with pytest.raises(ValueError, match="output size would be zero or negative"):
        SpectralConv2D(4, 5)(np.zeros((1, 3, 8, 2), "float32"))
    layer = SpectralConv2D(4, 3)
    layer(np.zeros((1, 8, 8, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 3"):
        layer(np.zeros((1, 8, 8, 5), "float32"))  # a wrong channel count after the build
    with pytest.raises(TypeError, match=r"real floating input: Keras convolutions .* are real-only"):
        layer(np.zeros((1, 8, 8, 3), "complex64"))
    with pytest.raises(TypeError, match="real floating input"):
        layer(np.zeros((1, 8, 8, 3), "int32"))
    with pytest.raises(ValueError, match="argument `conv`"):
        SpectralConv2D.from_conv2d(keras.layers.Conv2D(4, 3))  # not built
    with pytest.raises(TypeError, match="argument `conv`"):
        SpectralConv2D.from_conv2d(keras.layers.Conv1D(4, 3))
