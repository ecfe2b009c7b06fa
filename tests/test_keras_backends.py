"""Keras adapter on Keras's JAX and PyTorch backends (a subprocess each: the backend is fixed at import)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from _support import require_framework

require_framework("keras", "tensorflow")

SCRIPT = textwrap.dedent(
    """
    import numpy as np, keras, spectralcore as sc
    from keras import ops
    from spectralcore_keras import (
        FrequencyDropout2D, FrequencyDropout3D, SpectralConv1D, SpectralConv2D, SpectralPooling1D, SpectralPooling2D,
    )

    def host(t):
        return np.asarray(ops.convert_to_numpy(t))

    x = np.random.default_rng(0).standard_normal((3, 10, 9, 2)).astype("float32")
    x64 = x.astype("float64")
    pooled = sc.spectral_pool(x64, (6, 5), axes=(1, 2))
    np.testing.assert_allclose(host(SpectralPooling2D((6, 5))(x)), pooled, atol=1e-5)
    layer = SpectralPooling2D((6, 5), dropout_bounds=(3, 3), dropout_per_sample=True, seed=1)
    np.testing.assert_allclose(host(layer(x, training=True)), sc.lowpass(pooled, 3, axes=(1, 2)), atol=1e-5)
    first = FrequencyDropout2D(bounds=(4, 4), data_format="channels_first")
    x_nchw = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
    np.testing.assert_allclose(host(first(x_nchw, training=True)), sc.lowpass(x_nchw.astype("float64"), 4), atol=1e-5)
    # 1-D and 3-D, and one layer called at a second size
    seq = np.random.default_rng(1).standard_normal((2, 3, 17)).astype("float32")
    pool1 = SpectralPooling1D(6, data_format="channels_first")
    for s in (seq, seq[..., :11]):
        np.testing.assert_allclose(host(pool1(s)), sc.spectral_pool(s.astype("float64"), 6, axes=(2,)), atol=1e-5)
    vol = np.random.default_rng(2).standard_normal((2, 5, 6, 4, 1)).astype("float32")
    band = host(FrequencyDropout3D(bounds=(2, 2), per_sample=True, seed=3)(vol, training=True))
    np.testing.assert_allclose(band, sc.lowpass(vol.astype("float64"), 2, axes=(1, 2, 3)), atol=1e-5)
    z = (x[:, :, :, 0] + 1j * x[:, :, :, 1]).astype("complex64")[..., None]
    out = host(SpectralPooling2D((6, 5))(z))
    np.testing.assert_allclose(out, pooled[..., :1] + 1j * pooled[..., 1:], atol=1e-5)
    conv = SpectralConv2D(4, 3, padding="same", groups=2)
    model = keras.Sequential([
        keras.Input((10, 9, 2)),
        conv,
        SpectralPooling2D(scale=0.5, dropout_min_fraction=0.5, dropout_per_sample=True, seed=2),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(1),
    ])
    model.compile("adam", "mse")
    model.fit(x, np.ones((3, 1)), epochs=2, verbose=0)  # compiled train step (jax.jit on JAX)
    np.testing.assert_allclose(host(conv(x)), host(conv.to_conv2d()(x)), atol=1e-5)
    conv1 = SpectralConv1D(2, 4, padding="causal", data_format="channels_first")
    np.testing.assert_allclose(host(conv1(seq)), host(conv1.to_conv()(seq)), atol=1e-5)
    print("OK", keras.backend.backend())
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_layers_run_on_other_keras_backends(backend: str) -> None:
    pytest.importorskip(backend)
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith(f"OK {backend}")
