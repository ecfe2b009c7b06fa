"""Keras adapter: ``SpectralPooling2D`` and ``FrequencyDropout2D`` against the NumPy core and the PyTorch adapter.

Also the Keras plumbing every layer needs: output shapes, configs, ``.keras`` round trips, ``tf.function`` with
XLA, mixed precision, a short ``model.fit``, and the argument errors.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from _support import require_framework
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = require_framework("tensorflow", "tensorflow")
keras = require_framework("keras", "tensorflow")

from spectralcore_keras import FrequencyDropout2D, SpectralConv2D, SpectralPooling2D  # noqa: E402

FORMATS = ["channels_last", "channels_first"]


def _to_layout(x_nchw: np.ndarray, data_format: str) -> np.ndarray:
    return np.ascontiguousarray(x_nchw.transpose(0, 2, 3, 1)) if data_format == "channels_last" else x_nchw


def _from_layout(y: Any, data_format: str) -> np.ndarray:
    y = np.asarray(y)
    return y.transpose(0, 3, 1, 2) if data_format == "channels_last" else y


def _torch_adapter() -> Any:
    """``spectralcore_torch`` with the names these tests use, or a skip (it is developed in parallel)."""
    sct = pytest.importorskip("spectralcore_torch")
    if not all(hasattr(sct, name) for name in ("SpectralPool2d", "FrequencyDropout2d")):
        pytest.skip("spectralcore_torch does not provide SpectralPool2d/FrequencyDropout2d yet")
    return sct


def _replayed_uniforms(seed: int, calls: int, shape: tuple[int, ...] = ()) -> list[np.ndarray]:
    """The variates a layer seeded with ``seed`` draws on its first ``calls`` training calls."""
    generator = keras.random.SeedGenerator(seed)
    return [np.asarray(keras.random.uniform(shape, dtype="float32", seed=generator)) for _ in range(calls)]


# -----------------------------------------------------------------------------------------------------------------
# Values: the NumPy core and the PyTorch adapter
# -----------------------------------------------------------------------------------------------------------------
@st.composite
def pool_cases(draw: st.DrawFn) -> tuple[np.ndarray, tuple[int, int], str, str, str]:
    h, w = draw(st.integers(1, 13)), draw(st.integers(1, 13))
    size = (draw(st.integers(1, h)), draw(st.integers(1, w)))
    x = np.random.default_rng(draw(st.integers(0, 2**31))).standard_normal((2, draw(st.integers(1, 3)), h, w))
    norm, nyquist = draw(st.sampled_from(["amplitude", "ortho"])), draw(st.sampled_from(["sum", "average"]))
    return x, size, norm, nyquist, draw(st.sampled_from(FORMATS))


@given(case=pool_cases())
def test_pooling_equals_the_numpy_core(case: tuple[np.ndarray, tuple[int, int], str, str, str]) -> None:
    x, size, norm, nyquist, data_format = case
    layer = SpectralPooling2D(size, norm=norm, nyquist=nyquist, data_format=data_format, dtype="float64")
    out = _from_layout(layer(_to_layout(x, data_format)), data_format)
    np.testing.assert_allclose(out, sc.spectral_pool(x, size, norm=norm, nyquist=nyquist), rtol=1e-12, atol=1e-12)


@given(case=pool_cases(), keep=st.integers(1, 13))
def test_pooling_with_a_fixed_band_equals_pool_then_lowpass(case: Any, keep: int) -> None:
    x, size, norm, nyquist, data_format = case
    keep = min(keep, *size)
    layer = SpectralPooling2D(
        size, norm=norm, nyquist=nyquist, dropout_bounds=(keep, keep), data_format=data_format, dtype="float64"
    )
    out = _from_layout(layer(_to_layout(x, data_format), training=True), data_format)
    pooled = sc.spectral_pool(x, size, norm=norm, nyquist=nyquist)
    np.testing.assert_allclose(out, sc.lowpass(pooled, keep, nyquist=nyquist), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("size", [(16, 16), (7, 10), (5, 1)])
def test_float32_pooling_equals_the_core(data_format: str, size: tuple[int, int]) -> None:
    x = np.random.default_rng(1).standard_normal((3, 4, 16, 11)).astype("float32")
    size = (size[0], min(size[1], 11))
    out = _from_layout(SpectralPooling2D(size, data_format=data_format)(_to_layout(x, data_format)), data_format)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, sc.spectral_pool(x.astype(np.float64), size), rtol=1e-5, atol=1e-5)


@given(case=pool_cases(), keep=st.integers(1, 13))
def test_pooling_equals_the_pytorch_adapter(case: Any, keep: int) -> None:
    sct = _torch_adapter()
    import torch

    x, size, norm, nyquist, data_format = case
    keep = min(keep, *size)
    kwargs = {"norm": norm, "nyquist": nyquist, "dropout_bounds": (keep, keep)}
    ours = SpectralPooling2D(size, data_format=data_format, dtype="float64", **kwargs)
    theirs = sct.SpectralPool2d(size, **kwargs).train()
    out = _from_layout(ours(_to_layout(x, data_format), training=True), data_format)
    np.testing.assert_allclose(out, theirs(torch.from_numpy(x)).numpy(), rtol=1e-11, atol=1e-11)
    out = _from_layout(ours(_to_layout(x, data_format)), data_format)  # inference: pooling only
    np.testing.assert_allclose(out, theirs.eval()(torch.from_numpy(x)).numpy(), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("data_format", FORMATS)
def test_frequency_dropout_equals_the_pytorch_adapter(data_format: str) -> None:
    sct = _torch_adapter()
    import torch

    x = np.random.default_rng(2).standard_normal((2, 3, 9, 12))
    for nyquist in ("sum", "average"):
        ours = FrequencyDropout2D(bounds=(4, 4), nyquist=nyquist, data_format=data_format, dtype="float64")
        theirs = sct.FrequencyDropout2d(bounds=(4, 4), nyquist=nyquist).train()
        out = _from_layout(ours(_to_layout(x, data_format), training=True), data_format)
        np.testing.assert_allclose(out, theirs(torch.from_numpy(x)).numpy(), rtol=1e-12, atol=1e-12)


# -----------------------------------------------------------------------------------------------------------------
# Frequency dropout: the random band
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("per_sample", [False, True])
def test_dropout_band_follows_the_shared_rule(data_format: str, per_sample: bool) -> None:
    """Every training call keeps ``keep_from_uniform(u)`` frequencies, ``u`` replayed from the same seed."""
    x = np.random.default_rng(3).standard_normal((6, 2, 12, 9))
    layer = SpectralPooling2D(
        (10, 7),
        dropout_min_fraction=0.3,
        dropout_per_sample=per_sample,
        data_format=data_format,
        seed=11,
        dtype="float64",
    )
    ranges = [sc.dropout_keep_range(m, min_fraction=0.3) for m in (10, 7)]
    assert ranges == [(3, 10), (3, 7)]
    pooled = sc.spectral_pool(x, (10, 7))
    calls = 12 if per_sample else 60
    seen: set[tuple[int, int]] = set()
    for u in _replayed_uniforms(11, calls, (6,) if per_sample else ()):
        keep_h, keep_w = (sc.keep_from_uniform(u.astype(np.float64), lo, hi) for lo, hi in ranges)
        keeps = tuple(np.broadcast_to(k[..., None], (6, 2)) for k in (keep_h, keep_w))  # over the channels
        expected = sc.lowpass(pooled, keeps)
        out = _from_layout(layer(_to_layout(x, data_format), training=True), data_format)
        np.testing.assert_allclose(out, expected, rtol=1e-11, atol=1e-11)
        seen.update(zip(np.ravel(keep_h).tolist(), np.ravel(keep_w).tolist(), strict=True))
    assert {h for h, _ in seen} == set(range(3, 11))  # every value of the range occurs
    if not per_sample:
        assert len({h for h, _ in seen}) > 1


def test_frequency_dropout_covers_its_range_and_is_reproducible() -> None:
    x = np.random.default_rng(4).standard_normal((64, 8, 8, 1))
    outputs = []
    for _ in range(2):
        layer = FrequencyDropout2D(bounds=(2, 7), per_sample=True, seed=5, dtype="float64")
        outputs.append(np.asarray(layer(x, training=True)))
    np.testing.assert_array_equal(outputs[0], outputs[1])  # same seed, same bands
    (u,) = _replayed_uniforms(5, 1, (64,))
    keep = sc.keep_from_uniform(u.astype(np.float64), 2, 7)
    assert set(keep.tolist()) == set(range(2, 8))
    expected = sc.lowpass(x, keep[:, None], axes=(1, 2))  # keep broadcasts over the channel axis
    np.testing.assert_allclose(outputs[0], expected, rtol=1e-12, atol=1e-12)
    # A different seed draws different bands.
    other = FrequencyDropout2D(bounds=(2, 7), per_sample=True, seed=6, dtype="float64")(x, training=True)
    assert not np.allclose(np.asarray(other), outputs[0])


@pytest.mark.parametrize(
    "layer_fn",
    [
        lambda: SpectralPooling2D(8, dropout_bounds=(2, 6), seed=0),
        lambda: FrequencyDropout2D(bounds=(2, 6), seed=0),
    ],
)
def test_dropout_is_the_identity_at_inference(layer_fn: Any) -> None:
    x = np.random.default_rng(5).standard_normal((4, 8, 8, 3)).astype("float32")
    layer = layer_fn()
    plain = np.asarray(SpectralPooling2D(8)(x)) if isinstance(layer, SpectralPooling2D) else x
    for training in (None, False):
        np.testing.assert_array_equal(np.asarray(layer(x, training=training)), plain)
    model = keras.Sequential([keras.Input((8, 8, 3)), layer])
    np.testing.assert_array_equal(model.predict(x, verbose=0), plain)
    assert not np.allclose(np.asarray(layer(x, training=True)), plain, atol=1e-3)  # and active in training


@pytest.mark.parametrize("per_sample", [False, True])
def test_dropout_runs_under_xla(per_sample: bool) -> None:
    """Inside ``tf.function(jit_compile=True)`` every call is pooling followed by one band of the range."""
    x = np.random.default_rng(6).standard_normal((4, 2, 12, 12)).astype("float32")
    layer = SpectralPooling2D(
        scale=0.5, dropout_bounds=(2, 6), dropout_per_sample=per_sample, data_format="channels_first", seed=3
    )
    step = tf.function(lambda t: layer(t, training=True), jit_compile=True)
    pooled = sc.spectral_pool(x.astype(np.float64), 6)
    bands = {k: sc.lowpass(pooled, k) for k in range(2, 7)}
    found = set()
    for _ in range(12):
        out = np.asarray(step(tf.constant(x)))
        for b in range(4):
            match = [k for k, band in bands.items() if np.allclose(out[b], band[b], atol=1e-4)]
            assert len(match) == 1
            found.add(match[0])
    assert len(found) > 1  # the seed generator advances inside the compiled function


# -----------------------------------------------------------------------------------------------------------------
# Gradients
# -----------------------------------------------------------------------------------------------------------------
def _check_gradient(fn: Any, variables: list[Any], seed: int = 0) -> None:
    """Tape gradient of ``sum(g * fn())`` against central differences along three random directions."""
    rng = np.random.default_rng(seed)
    g = tf.constant(rng.standard_normal(tuple(fn().shape)))

    def loss() -> Any:
        return tf.reduce_sum(g * fn())

    with tf.GradientTape() as tape:
        value = loss()
    grads = tape.gradient(value, variables)
    eps = 1e-6
    for _ in range(3):
        directions = [rng.standard_normal(tuple(v.shape)) for v in variables]
        base = [v.numpy() for v in variables]
        for v, b, d in zip(variables, base, directions, strict=True):
            v.assign(b + eps * d)
        plus = float(loss())
        for v, b, d in zip(variables, base, directions, strict=True):
            v.assign(b - eps * d)
        minus = float(loss())
        for v, b in zip(variables, base, strict=True):
            v.assign(b)
        numeric = (plus - minus) / (2 * eps)
        analytic = sum(float(np.sum(gr.numpy() * d)) for gr, d in zip(grads, directions, strict=True))
        assert abs(numeric - analytic) <= 1e-7 * max(1.0, abs(analytic)), (numeric, analytic)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("per_sample", [False, True])
def test_pooling_gradient_matches_finite_differences(data_format: str, per_sample: bool) -> None:
    x = tf.Variable(_to_layout(np.random.default_rng(7).standard_normal((3, 2, 10, 9)), data_format))
    layer = SpectralPooling2D(
        (6, 5),
        norm="ortho",
        dropout_bounds=(4, 4),
        dropout_per_sample=per_sample,
        data_format=data_format,
        dtype="float64",
    )  # fixed band so that the finite differences see the same operator
    _check_gradient(lambda: layer(x, training=True), [x])
    dropout = FrequencyDropout2D(bounds=(3, 3), nyquist="average", data_format=data_format, dtype="float64")
    _check_gradient(lambda: dropout(x, training=True), [x], seed=1)


# -----------------------------------------------------------------------------------------------------------------
# Shapes, configs, dtypes, saving
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(
    ("kwargs", "hw", "expected"),
    [
        ({"size": 5}, (12, 9), (5, 5)),
        ({"size": (7, 3)}, (12, 9), (7, 3)),
        ({"scale": 0.5}, (12, 9), (6, 4)),
        ({"scale": (0.29, 1.0)}, (100, 9), (29, 9)),  # the decimal rule of spectralcore.scaled_size
        ({"scale": 0.1}, (3, 3), (1, 1)),
    ],
)
def test_output_shapes(
    data_format: str, kwargs: dict[str, Any], hw: tuple[int, int], expected: tuple[int, int]
) -> None:
    layer = SpectralPooling2D(data_format=data_format, **kwargs)
    shape = (None, *hw, 3) if data_format == "channels_last" else (None, 3, *hw)
    out = (None, *expected, 3) if data_format == "channels_last" else (None, 3, *expected)
    assert layer.compute_output_shape(shape) == out
    assert tuple(layer(keras.Input(shape[1:])).shape) == out
    x = np.zeros((2, *shape[1:]), "float32")
    assert tuple(layer(x).shape) == (2, *out[1:])
    assert tuple(FrequencyDropout2D(bounds=(1, 1), data_format=data_format)(keras.Input(shape[1:])).shape) == shape


def test_unknown_spatial_size_keeps_the_static_shape_where_it_can() -> None:
    assert SpectralPooling2D(4).compute_output_shape((None, None, None, 3)) == (None, 4, 4, 3)
    assert SpectralPooling2D(scale=0.5).compute_output_shape((None, None, 8, 3)) == (None, None, 4, 3)


@pytest.mark.parametrize(
    "layer",
    [
        SpectralPooling2D((5, 4), norm="ortho", nyquist="average", dropout_bounds=(2, 4), data_format="channels_first"),
        SpectralPooling2D(scale=(0.5, 0.75), dropout_min_fraction=0.3, dropout_per_sample=True, seed=4),
        FrequencyDropout2D(min_fraction=0.5, per_sample=True, nyquist="average", seed=2, name="fd"),
    ],
)
def test_config_round_trip(layer: Any) -> None:
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer)
    assert restored.get_config() == config


def test_keras_file_round_trip_is_exact(tmp_path: Any) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((12, 12, 3)),
            SpectralConv2D(4, 3, padding="same", activation="relu"),
            SpectralPooling2D(6, norm="ortho", dropout_min_fraction=0.5, seed=1),
            FrequencyDropout2D(bounds=(2, 6), seed=2),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    x = np.random.default_rng(8).standard_normal((5, 12, 12, 3)).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)  # safe_mode=True: the layers are registered, nothing is pickled
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert [type(layer).__name__ for layer in loaded.layers[:3]] == [
        "SpectralConv2D",
        "SpectralPooling2D",
        "FrequencyDropout2D",
    ]
    # Only the spectral coefficients and the bias are weights: the operator matrices are rebuilt, never saved.
    assert [w.path.split("/")[-1] for w in loaded.layers[0].weights] == ["spectral_kernel", "bias"]
    assert all(not layer.weights or layer.weights == layer.non_trainable_weights for layer in loaded.layers[1:3])


def test_dtypes_float64_and_mixed_precision() -> None:
    x = np.random.default_rng(9).standard_normal((2, 8, 8, 3))
    assert SpectralPooling2D(4, dtype="float64")(x).dtype == tf.float64
    layer = SpectralPooling2D(4, dropout_bounds=(4, 4), dtype="mixed_float16")
    out = layer(x.astype("float32"), training=True)
    assert out.dtype == tf.float16
    np.testing.assert_allclose(np.asarray(out, np.float64), sc.spectral_pool(x, 4, axes=(1, 2)), rtol=1e-2, atol=1e-2)


# -----------------------------------------------------------------------------------------------------------------
# Training
# -----------------------------------------------------------------------------------------------------------------
def test_tiny_model_trains_with_fit() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(10)
    x = rng.standard_normal((64, 8, 8, 3)).astype("float32")
    y = (x[..., 0].mean(axis=(1, 2)) > 0).astype("int32")  # a learnable, low-frequency label
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
            SpectralConv2D(8, 3, padding="same", activation="relu"),
            SpectralPooling2D(4, dropout_min_fraction=0.5, seed=0),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=keras.losses.SparseCategoricalCrossentropy(True))
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=16, epochs=12, verbose=0, shuffle=False)
    after = model.evaluate(x, y, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert after < 0.75 * before, (before, after)


# -----------------------------------------------------------------------------------------------------------------
# Errors
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: SpectralPooling2D(), "Expected exactly one of them"),
        (lambda: SpectralPooling2D(4, scale=0.5), "Expected exactly one of them"),
        (lambda: SpectralPooling2D(0), r"Invalid value received for argument `size`\. Expected .* Received: size=0"),
        (lambda: SpectralPooling2D((4, 4, 4)), "argument `size`"),
        (lambda: SpectralPooling2D(4.0), "argument `size`"),
        (lambda: SpectralPooling2D(scale=1.5), r"argument `scale`\. Expected a float in \(0, 1\]"),
        (lambda: SpectralPooling2D(scale=0.0), "Received: scale=0.0"),
        (lambda: SpectralPooling2D(4, norm="backward"), "argument `norm`"),
        (lambda: SpectralPooling2D(4, nyquist="mean"), "argument `nyquist`"),
        (lambda: SpectralPooling2D(4, dropout_min_fraction=0), "argument `dropout_min_fraction`"),
        (lambda: SpectralPooling2D(4, dropout_bounds=(3, 2)), "argument `dropout_bounds`"),
        (lambda: SpectralPooling2D(4, dropout_bounds=(1, 2), dropout_min_fraction=0.5), "at most one of them"),
        (lambda: SpectralPooling2D(4, dropout_per_sample=1), "argument `dropout_per_sample`"),
        (lambda: SpectralPooling2D(4, data_format="NHWC"), "argument `data_format`"),
        (lambda: SpectralPooling2D(4, seed=1.5), "argument `seed`"),
        (lambda: FrequencyDropout2D(), "Expected exactly one of them"),
        (lambda: FrequencyDropout2D(min_fraction=1.2), "argument `min_fraction`"),
        (lambda: FrequencyDropout2D(bounds=(0, 2)), "argument `bounds`"),
    ],
)
def test_bad_arguments_are_rejected_in_init(make: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(
    ("layer", "shape", "match"),
    [
        (SpectralPooling2D(4), (2, 8, 8), "expects 4-D input"),
        (SpectralPooling2D(9), (2, 8, 8, 1), "only shrinks"),
        (SpectralPooling2D((2, 9), data_format="channels_first"), (2, 1, 8, 8), "only shrinks"),
        (SpectralPooling2D(4, dropout_bounds=(1, 5)), (2, 8, 8, 1), "bounds"),
        (FrequencyDropout2D(bounds=(1, 9)), (2, 8, 8, 1), "bounds"),
        (FrequencyDropout2D(bounds=(1, 2)), (2, 8, 8), "expects 4-D input"),
    ],
)
def test_bad_inputs_are_rejected_in_build(layer: Any, shape: tuple[int, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        layer(np.zeros(shape, "float32"))


def test_unknown_spatial_size_is_rejected_in_build() -> None:
    with pytest.raises(ValueError, match="static height and width"):
        SpectralPooling2D(2)(keras.Input((None, None, 3)))
