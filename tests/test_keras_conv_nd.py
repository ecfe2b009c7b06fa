"""Keras adapter: ``SpectralConv1D`` and ``SpectralConv3D`` are ``Conv1D`` / ``Conv3D`` with spectral weights.

The 2-D layer has the full drop-in review in ``test_keras_conv.py``; the three share one implementation, so here
each rank gets the facts that depend on it: the exact conversions (the core's N-d filter map), channels-first on
TensorFlow, causal padding, XLA, float64 gradients, the PyTorch adapter, and the rank-specific errors.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from _keras_support import check_gradient, from_layout, to_layout
from _support import require_framework

import spectralcore as sc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = require_framework("tensorflow", "tensorflow")
keras = require_framework("keras", "tensorflow")

from spectralcore_keras import SpectralConv1D, SpectralConv3D  # noqa: E402

SPECTRAL = {1: SpectralConv1D, 3: SpectralConv3D}
CONV = {1: "Conv1D", 3: "Conv3D"}
SPATIAL = {1: (13,), 3: (7, 6, 5)}
CASES = [  # (rank, kwargs, input channels)
    (1, {"filters": 4, "kernel_size": 5}, 3),
    (1, {"filters": 4, "kernel_size": 4, "padding": "causal", "dilation_rate": 2}, 2),
    (1, {"filters": 6, "kernel_size": 3, "groups": 3, "padding": "same", "strides": 2}, 3),
    (3, {"filters": 3, "kernel_size": (3, 2, 3)}, 2),
    (3, {"filters": 4, "kernel_size": 2, "strides": (2, 1, 2), "padding": "same", "groups": 2, "use_bias": False}, 4),
    (3, {"filters": 2, "kernel_size": (1, 3, 2), "dilation_rate": (1, 2, 1), "activation": "relu"}, 1),
]
IDS = [f"{rank}d-{i}" for i, (rank, _, _) in enumerate(CASES)]


def _reference_conv(rank: int, kwargs: dict[str, Any], channels: int, seed: int = 0) -> Any:
    conv = getattr(keras.layers, CONV[rank])(**kwargs, dtype="float64")
    conv.build((None, *SPATIAL[rank], channels))
    rng = np.random.default_rng(seed)
    conv.set_weights([rng.standard_normal(tuple(w.shape)) for w in conv.weights])
    return conv


@pytest.mark.parametrize("norm", ["ortho", "forward"])
@pytest.mark.parametrize(("rank", "kwargs", "channels"), CASES, ids=IDS)
def test_conversions_are_exact(rank: int, kwargs: dict[str, Any], channels: int, norm: str) -> None:
    conv = _reference_conv(rank, kwargs, channels)
    x = np.random.default_rng(1).standard_normal((2, *SPATIAL[rank], channels))
    expected = np.asarray(conv(x))
    spectral = SPECTRAL[rank].from_conv(conv, norm=norm)
    kernel = conv.kernel.numpy()
    theta = sc.spatial_to_spectral(kernel, axes=tuple(range(rank)), norm=norm)
    np.testing.assert_allclose(spectral.spectral_kernel.numpy(), theta, rtol=1e-12, atol=1e-12)
    assert theta.shape == kernel.shape  # exactly prod(kernel_size) reals per (input, filter) pair
    np.testing.assert_allclose(np.asarray(spectral.kernel), kernel, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(spectral(x)), expected, rtol=1e-11, atol=1e-11)
    back = spectral.to_conv()
    assert type(back) is type(conv)
    assert {k: v for k, v in back.get_config().items() if k != "name"} == {
        k: v for k, v in conv.get_config().items() if k != "name"
    }
    np.testing.assert_allclose(np.asarray(back(x)), expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize(("rank", "kwargs", "channels"), [CASES[1], CASES[4]], ids=[IDS[1], IDS[4]])
def test_channels_first_and_xla(rank: int, kwargs: dict[str, Any], channels: int) -> None:
    """TensorFlow has no channels-first convolution on CPU; the layer still gives ConvND's channels-first result."""
    conv = _reference_conv(rank, kwargs, channels)
    x_first = np.random.default_rng(2).standard_normal((2, channels, *SPATIAL[rank]))
    first = SPECTRAL[rank](**kwargs, data_format="channels_first", dtype="float64")
    first.build(x_first.shape)
    first.set_weights(conv.get_weights())
    expected = from_layout(conv(to_layout(x_first, "channels_last")), "channels_last")
    out = first(x_first)
    assert tuple(out.shape) == first.compute_output_shape(x_first.shape)
    np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-11, atol=1e-11)
    compiled = tf.function(first, jit_compile=True)
    np.testing.assert_allclose(np.asarray(compiled(tf.constant(x_first))), expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize(("rank", "kwargs", "channels"), [CASES[2], CASES[3]], ids=[IDS[2], IDS[3]])
def test_gradient_matches_finite_differences(rank: int, kwargs: dict[str, Any], channels: int) -> None:
    layer = SPECTRAL[rank](**kwargs, dtype="float64")
    x = tf.Variable(np.random.default_rng(3).standard_normal((2, *SPATIAL[rank], channels)))
    layer(x)
    variables = [x, layer.spectral_kernel] + ([layer.bias] if layer.use_bias else [])
    check_gradient(tf, lambda: layer(x), variables)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize(("rank", "kwargs", "channels"), [CASES[0], CASES[3]], ids=[IDS[0], IDS[3]])
def test_equals_the_pytorch_adapter(rank: int, kwargs: dict[str, Any], channels: int) -> None:
    sct = pytest.importorskip("spectralcore_torch")
    if not hasattr(sct, f"SpectralConv{rank}d"):
        pytest.skip(f"spectralcore_torch does not provide SpectralConv{rank}d yet")
    import torch

    ours = SPECTRAL[rank](**kwargs, dtype="float64")
    ours.build((None, *SPATIAL[rank], channels))
    theirs = getattr(sct, f"SpectralConv{rank}d")(
        channels, kwargs["filters"], kwargs["kernel_size"], bias=kwargs.get("use_bias", True), dtype=torch.float64
    )
    if not hasattr(theirs, "spectral_weight"):
        pytest.skip(f"spectralcore_torch's SpectralConv{rank}d has no `spectral_weight` to copy")
    # The same spectral weights: (*k, in, out) -> (out, in, *k).
    order = (rank + 1, rank, *range(rank))
    with torch.no_grad():
        theirs.spectral_weight.copy_(torch.from_numpy(ours.spectral_kernel.numpy().transpose(order)))
        if theirs.bias is not None:
            theirs.bias.copy_(torch.from_numpy(ours.bias.numpy()))
        x = np.random.default_rng(4).standard_normal((2, channels, *SPATIAL[rank]))
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(np.asarray(ours.kernel).transpose(order), theirs.weight.detach().numpy(), atol=1e-13)
    out = from_layout(ours(to_layout(x, "channels_last")), "channels_last")
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SpectralConv1D(4, (3, 3)), r"argument `kernel_size`\. Expected an int or a sequence of 1"),
        (lambda: SpectralConv3D(4, (3, 3)), r"argument `kernel_size`\. Expected an int or a sequence of 3"),
        (lambda: SpectralConv3D(4, 3, strides=(1, 2)), "argument `strides`"),
        (lambda: SpectralConv3D(4, 3, padding="causal"), "argument `padding`"),
        (lambda: SpectralConv1D(4, 3, lora_rank=1), "does not support LoRA"),
    ],
)
def test_bad_arguments_are_rejected_in_init(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_get_keras_style_errors() -> None:
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=4"):
        SpectralConv1D(2, 3)(np.zeros((1, 8, 8, 2), "float32"))
    with pytest.raises(ValueError, match="expected ndim=5, found ndim=4"):
        SpectralConv3D(2, 3)(np.zeros((1, 8, 8, 2), "float32"))
    layer = SpectralConv3D(2, 3)
    layer(np.zeros((1, 4, 4, 4, 2), "float32"))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 2"):
        layer(np.zeros((1, 4, 4, 4, 3), "float32"))
    with pytest.raises(TypeError, match="real-only"):
        SpectralConv1D(2, 3)(np.zeros((1, 8, 2), "complex64"))
    with pytest.raises(TypeError, match="argument `conv`"):
        SpectralConv3D.from_conv(_reference_conv(1, {"filters": 2, "kernel_size": 3}, 2))
