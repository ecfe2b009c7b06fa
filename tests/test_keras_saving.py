"""Keras adapter: every layer survives a ``.keras`` save and a safe-mode load, exactly, in one functional model."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from _support import require_framework

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = require_framework("keras", "tensorflow")

import spectralcore_keras as sck  # noqa: E402


def _model() -> Any:
    """One branch per rank, each with every layer of that rank; channels_first on the 1-D branch."""
    seq = keras.Input((2, 24), name="sequence")  # channels_first
    image = keras.Input((12, 12, 3), name="image")
    volume = keras.Input((6, 8, 8, 1), name="volume")
    a = sck.SpectralConv1D(2, 3, padding="causal", data_format="channels_first")(seq)
    a = sck.SpectralPooling1D(12, dropout_min_fraction=0.5, seed=1, data_format="channels_first")(a)
    a = sck.FrequencyDropout1D(bounds=(3, 12), per_sample=True, seed=2, data_format="channels_first")(a)
    b = sck.SpectralConv2D(4, 3, padding="same", activation="relu")(image)
    b = sck.SpectralPooling2D(6, norm="ortho", dropout_min_fraction=0.5, seed=3)(b)
    b = sck.FrequencyDropout2D(bounds=(2, 6), seed=4)(b)
    c = sck.SpectralConv3D(2, (3, 2, 3), padding="same", norm="forward")(volume)
    c = sck.SpectralPooling3D(scale=0.5, nyquist="average", dropout_bounds=(2, 3), seed=5)(c)
    c = sck.FrequencyDropout3D(min_fraction=0.5, seed=6, boundary="symmetric")(c)
    features = keras.layers.Concatenate()(
        [
            keras.layers.GlobalAveragePooling1D(data_format="channels_first")(a),
            keras.layers.GlobalAveragePooling2D()(b),
            keras.layers.GlobalAveragePooling3D()(c),
        ]
    )
    return keras.Model([seq, image, volume], keras.layers.Dense(2)(features))


def test_keras_file_round_trip_is_exact_in_safe_mode(tmp_path: Any) -> None:
    keras.utils.set_random_seed(0)
    model = _model()
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal((5, *shape)).astype("float32") for shape in ((2, 24), (12, 12, 3), (6, 8, 8, 1))]
    model(inputs, training=True)  # advance the seed states past their initial values
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)  # the layers are registered, nothing is pickled
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    ours = [layer for layer in loaded.layers if type(layer).__module__.startswith("spectralcore_keras")]
    originals = [layer for layer in model.layers if type(layer).__module__.startswith("spectralcore_keras")]
    assert [type(layer).__name__ for layer in ours] == [type(layer).__name__ for layer in originals]
    assert len(ours) == 9
    for restored, original in zip(ours, originals, strict=True):
        assert restored.get_config() == original.get_config()
        for w_restored, w_original in zip(restored.weights, original.weights, strict=True):
            np.testing.assert_array_equal(np.asarray(w_restored), np.asarray(w_original))
    # Only spectral coefficients, biases and seed states are weights: the operator matrices are rebuilt, never saved.
    names = {w.path.split("/")[-1] for layer in ours for w in layer.weights}
    assert names <= {"spectral_kernel", "bias", "seed_generator_state"}, names
    # The next training-time bands are the same: the advanced seed states were saved (a fresh layer would replay
    # the first call's bands instead).
    again, fresh = (np.asarray(m(inputs, training=True)) for m in (loaded, model))
    np.testing.assert_allclose(again, fresh, rtol=1e-5, atol=1e-6)
