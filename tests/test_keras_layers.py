"""Keras adapter: ``SpectralPooling1D/2D/3D`` and ``FrequencyDropout1D/2D/3D`` against the NumPy core.

Also the PyTorch adapter where it has the rank, one layer reused at several sizes (eagerly, in ``tf.function`` and
under XLA), complex input, gradients, and the Keras plumbing: output shapes, configs, mixed precision, a short
``model.fit``, and the argument errors. The ``.keras`` round trip of every layer is in ``test_keras_saving.py``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest
from _keras_support import FORMATS, check_gradient, from_layout, spatial, to_layout
from _support import require_framework, scipy_resample_axes
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = require_framework("tensorflow", "tensorflow")
keras = require_framework("keras", "tensorflow")

import spectralcore_keras as sck  # noqa: E402
from spectralcore_keras import FrequencyDropout2D, SpectralConv2D, SpectralPooling2D  # noqa: E402

POOLING = {1: sck.SpectralPooling1D, 2: sck.SpectralPooling2D, 3: sck.SpectralPooling3D}
DROPOUT = {1: sck.FrequencyDropout1D, 2: sck.FrequencyDropout2D, 3: sck.FrequencyDropout3D}


def _torch_class(name: str) -> Any:
    """A class of ``spectralcore_torch``, or a skip (it is developed in parallel; older ones lack 1-D/3-D)."""
    sct = pytest.importorskip("spectralcore_torch")
    if not hasattr(sct, name):
        pytest.skip(f"spectralcore_torch does not provide {name} yet")
    return getattr(sct, name)


def _replayed_uniforms(seed: int, calls: int, shape: tuple[int, ...] = ()) -> list[np.ndarray]:
    """The variates a layer seeded with ``seed`` draws on its first ``calls`` training calls."""
    generator = keras.random.SeedGenerator(seed)
    return [np.asarray(keras.random.uniform(shape, dtype="float32", seed=generator)) for _ in range(calls)]


# -----------------------------------------------------------------------------------------------------------------
# Values: the NumPy core, every rank and layout
# -----------------------------------------------------------------------------------------------------------------
@st.composite
def pool_cases(draw: st.DrawFn) -> dict[str, Any]:
    rank = draw(st.sampled_from([1, 2, 3]))
    largest = {1: 17, 2: 12, 3: 6}[rank]
    shape = tuple(draw(st.integers(1, largest)) for _ in range(rank))
    size = tuple(draw(st.integers(1, n)) for n in shape)
    x = np.random.default_rng(draw(st.integers(0, 2**31))).standard_normal((2, draw(st.integers(1, 3)), *shape))
    boundary = draw(st.sampled_from(["periodic", "symmetric"]))
    return {
        "rank": rank,
        "x": x,
        "size": size,
        "keep": min(draw(st.integers(1, largest)), *size),
        "norm": draw(st.sampled_from(["amplitude", "ortho"])),
        # the cosine basis has no Nyquist case: only the default rule goes with it
        "nyquist": "sum" if boundary == "symmetric" else draw(st.sampled_from(["sum", "average"])),
        "boundary": boundary,
        "data_format": draw(st.sampled_from(FORMATS)),
    }


@given(case=pool_cases())
def test_pooling_and_a_fixed_band_equal_the_numpy_core(case: dict[str, Any]) -> None:
    rank, x, size, keep, data_format = case["rank"], case["x"], case["size"], case["keep"], case["data_format"]
    options = {"norm": case["norm"], "nyquist": case["nyquist"], "boundary": case["boundary"]}
    layer = POOLING[rank](size, dropout_bounds=(keep, keep), data_format=data_format, dtype="float64", **options)
    axes = spatial(rank)
    pooled = sc.spectral_pool(x, size, axes=axes, **options)
    out = from_layout(layer(to_layout(x, data_format)), data_format)  # inference: pooling only
    np.testing.assert_allclose(out, pooled, rtol=1e-12, atol=1e-12)
    out = from_layout(layer(to_layout(x, data_format), training=True), data_format)
    band = {"nyquist": case["nyquist"], "boundary": case["boundary"]}
    np.testing.assert_allclose(out, sc.lowpass(pooled, keep, axes=axes, **band), rtol=1e-11, atol=1e-11)
    dropout = DROPOUT[rank](bounds=(1, 1), data_format=data_format, dtype="float64", **band)
    out = from_layout(dropout(to_layout(x, data_format), training=True), data_format)
    np.testing.assert_allclose(out, sc.lowpass(x, 1, axes=axes, **band), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("norm", ["amplitude", "ortho"])
def test_the_cosine_basis_equals_the_dct_oracle(norm: str) -> None:
    """``boundary="symmetric"``: keep the lowest DCT-II coefficients (scipy.fft.dct, orthonormal) of each axis."""
    from scipy import fft

    x = np.random.default_rng(16).standard_normal((2, 3, 11, 8, 6))
    size = (5, 8, 3)
    expected = x
    for axis, m in zip((2, 3, 4), size, strict=True):
        n = expected.shape[axis]
        kept = np.take(fft.dct(expected, type=2, norm="ortho", axis=axis), np.arange(m), axis=axis)
        expected = fft.idct(kept, type=2, norm="ortho", axis=axis) * (np.sqrt(m / n) if norm == "amplitude" else 1)
    layer = sck.SpectralPooling3D(size, norm=norm, boundary="symmetric", data_format="channels_first", dtype="float64")
    np.testing.assert_allclose(np.asarray(layer(x)), expected, rtol=1e-12, atol=1e-12)
    # A constant map stays constant under "amplitude" (its DCT is one coefficient).
    constant = np.full((1, 9, 1), 2.5)
    out = np.asarray(sck.SpectralPooling1D(4, boundary="symmetric", dtype="float64")(constant))
    np.testing.assert_allclose(out, np.full((1, 4, 1), 2.5), rtol=1e-13)


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("size", [(16, 11), (7, 10), (5, 1)])
def test_float32_pooling_equals_the_core(data_format: str, size: tuple[int, int]) -> None:
    x = np.random.default_rng(1).standard_normal((3, 4, 16, 11)).astype("float32")
    out = from_layout(SpectralPooling2D(size, data_format=data_format)(to_layout(x, data_format)), data_format)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, sc.spectral_pool(x.astype(np.float64), size), rtol=1e-5, atol=1e-5)


# -----------------------------------------------------------------------------------------------------------------
# One layer, many sizes (the operators are per size): eager, tf.function, XLA
# -----------------------------------------------------------------------------------------------------------------
SIZES_2D = [(8, 8), (16, 16), (12, 10), (5, 7), (9, 31)]


def _reuse_cases() -> list[tuple[str, Any, Any]]:
    """(id, layer factory, float64 oracle of a channels-first input) for layers reused at every size."""
    return [
        ("size", lambda f: SpectralPooling2D(4, data_format=f, dtype="float64"), lambda x: sc.spectral_pool(x, 4)),
        (
            "scale",
            lambda f: SpectralPooling2D(scale=(0.5, 0.75), data_format=f, dtype="float64"),
            lambda x: sc.spectral_pool(x, (sc.scaled_size(x.shape[2], 0.5), sc.scaled_size(x.shape[3], 0.75))),
        ),
        (
            "size+band",
            lambda f: SpectralPooling2D(4, dropout_bounds=(3, 3), data_format=f, dtype="float64"),
            lambda x: sc.lowpass(sc.spectral_pool(x, 4), 3),
        ),
        (
            "dropout",
            lambda f: FrequencyDropout2D(bounds=(2, 2), data_format=f, dtype="float64"),
            lambda x: sc.lowpass(x, 2),
        ),
    ]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("name", "make", "oracle"), _reuse_cases(), ids=[c[0] for c in _reuse_cases()])
def test_a_layer_reused_at_another_size_gives_that_sizes_result(
    name: str, make: Any, oracle: Any, data_format: str
) -> None:
    """Built on 8 x 8, then called on other sizes: each call is exact for its own size (issue 16)."""
    rng = np.random.default_rng(2)
    layer = make(data_format)
    training = name != "size" and name != "scale"
    eager = layer
    traced = tf.function(lambda t: layer(t, training=training))  # one trace per input shape
    compiled = tf.function(lambda t: layer(t, training=training), jit_compile=True)
    for i, hw in enumerate(SIZES_2D):
        x = rng.standard_normal((2, 3, *hw))
        expected = oracle(x)
        inputs = to_layout(x, data_format)
        xla = i < 3 and data_format == "channels_last"  # XLA compiles slowly: three sizes, one layout
        fns = [lambda t: eager(t, training=training), traced] + ([compiled] if xla else [])
        for fn in fns:
            out = from_layout(fn(tf.constant(inputs)), data_format)
            assert out.shape == expected.shape
            np.testing.assert_allclose(out, expected, rtol=1e-11, atol=1e-11)
    # and the sizes in between did not disturb the first one
    x = rng.standard_normal((2, 3, 8, 8))
    np.testing.assert_allclose(
        from_layout(layer(to_layout(x, data_format), training=training), data_format), oracle(x), atol=1e-11
    )


@pytest.mark.parametrize("rank", [1, 3])
def test_1d_and_3d_layers_are_exact_at_every_size(rank: int) -> None:
    rng = np.random.default_rng(3)
    pool = POOLING[rank](scale=0.5, dtype="float64")
    dropout = DROPOUT[rank](bounds=(2, 2), per_sample=True, dtype="float64")
    compiled = tf.function(lambda t: dropout(pool(t), training=True), jit_compile=True)
    for shape in [(9,), (32,), (5,)] if rank == 1 else [(4, 6, 5), (8, 3, 7)]:
        x = rng.standard_normal((2, 2, *shape))
        axes = spatial(rank)
        pooled = sc.spectral_pool(x, tuple(sc.scaled_size(n, 0.5) for n in shape), axes=axes)
        expected = sc.lowpass(pooled, tuple(min(2, n) for n in pooled.shape[2:]), axes=axes)
        if min(pooled.shape[2:]) < 2:  # bounds (2, 2) do not fit a pooled axis of length 1: a clear error
            with pytest.raises(ValueError, match="bounds"):
                dropout(pool(to_layout(x, "channels_last")), training=True)
            continue
        np.testing.assert_allclose(from_layout(compiled(to_layout(x, "channels_last")), "channels_last"), expected)


def test_unknown_spatial_sizes() -> None:
    """Symbolic None sizes build (the output shape is known where it can be); a trace with them is refused."""
    layer = SpectralPooling2D(4)
    assert layer.compute_output_shape((None, None, None, 3)) == (None, 4, 4, 3)
    assert SpectralPooling2D(scale=0.5).compute_output_shape((None, None, 8, 3)) == (None, None, 4, 3)
    inputs = keras.Input((None, None, 3))
    model = keras.Model(inputs, SpectralPooling2D(4)(inputs))
    assert tuple(model.output.shape) == (None, 4, 4, 3)
    for hw in [(8, 8), (12, 10)]:  # eager calls of the model see static sizes
        x = np.random.default_rng(4).standard_normal((2, *hw, 3))
        np.testing.assert_allclose(np.asarray(model(x)), sc.spectral_pool(x, 4, axes=(1, 2)), atol=1e-5)
    fn = tf.function(layer, input_signature=[tf.TensorSpec((None, None, None, 3), tf.float32)])
    with pytest.raises(ValueError, match="needs the static spatial size"):
        fn(tf.zeros((2, 8, 8, 3)))


# -----------------------------------------------------------------------------------------------------------------
# The PyTorch adapter
# -----------------------------------------------------------------------------------------------------------------
TORCH_CASES = [  # (rank, channels-first input shape, size, keep, norm, nyquist)
    (1, (2, 3, 17), (8,), 5, "amplitude", "sum"),
    (1, (2, 1, 10), (10,), 4, "ortho", "average"),
    (2, (2, 3, 9, 12), (6, 7), 4, "amplitude", "average"),
    (2, (2, 2, 13, 8), (13, 5), 5, "ortho", "sum"),
    (3, (2, 2, 6, 5, 7), (4, 5, 3), 3, "amplitude", "sum"),
    (3, (1, 1, 4, 4, 4), (2, 2, 2), 2, "ortho", "average"),
]


@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize(("rank", "shape", "size", "keep", "norm", "nyquist"), TORCH_CASES)
def test_equals_the_pytorch_adapter(
    rank: int, shape: tuple[int, ...], size: tuple[int, ...], keep: int, norm: str, nyquist: str, data_format: str
) -> None:
    pool_class = _torch_class(f"SpectralPool{rank}d")
    dropout_class = _torch_class(f"FrequencyDropout{rank}d")
    import torch

    x = np.random.default_rng(5).standard_normal(shape)
    kwargs = {"norm": norm, "nyquist": nyquist, "dropout_bounds": (keep, keep)}
    ours = POOLING[rank](size, data_format=data_format, dtype="float64", **kwargs)
    theirs = pool_class(size, **kwargs).train()
    out = from_layout(ours(to_layout(x, data_format), training=True), data_format)
    np.testing.assert_allclose(out, theirs(torch.from_numpy(x)).numpy(), rtol=1e-11, atol=1e-11)
    out = from_layout(ours(to_layout(x, data_format)), data_format)  # inference: pooling only
    np.testing.assert_allclose(out, theirs.eval()(torch.from_numpy(x)).numpy(), rtol=1e-11, atol=1e-11)
    ours_dropout = DROPOUT[rank](bounds=(keep, keep), nyquist=nyquist, data_format=data_format, dtype="float64")
    theirs_dropout = dropout_class(bounds=(keep, keep), nyquist=nyquist).train()
    out = from_layout(ours_dropout(to_layout(x, data_format), training=True), data_format)
    np.testing.assert_allclose(out, theirs_dropout(torch.from_numpy(x)).numpy(), rtol=1e-11, atol=1e-11)


# -----------------------------------------------------------------------------------------------------------------
# Frequency dropout: the random band
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("per_sample", [False, True])
def test_dropout_band_follows_the_shared_rule(data_format: str, per_sample: bool) -> None:
    """Every training call keeps ``keep_from_uniform(u)`` frequencies, ``u`` replayed from the same seed."""
    x = np.random.default_rng(6).standard_normal((6, 2, 12, 9))
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
        out = from_layout(layer(to_layout(x, data_format), training=True), data_format)
        np.testing.assert_allclose(out, expected, rtol=1e-11, atol=1e-11)
        seen.update(zip(np.ravel(keep_h).tolist(), np.ravel(keep_w).tolist(), strict=True))
    assert {h for h, _ in seen} == set(range(3, 11))  # every value of the range occurs


def test_per_sample_3d_band_is_cubic_and_follows_the_rule() -> None:
    x = np.random.default_rng(7).standard_normal((5, 2, 6, 6, 6))
    layer = sck.FrequencyDropout3D(bounds=(2, 6), per_sample=True, data_format="channels_first", seed=3)
    (u,) = _replayed_uniforms(3, 1, (5,))
    keep = sc.keep_from_uniform(u.astype(np.float64), 2, 6)
    assert len(set(keep.tolist())) > 1
    expected = sc.lowpass(x, keep[:, None], axes=(2, 3, 4))
    out = np.asarray(layer(x.astype("float32"), training=True))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_frequency_dropout_is_reproducible_and_seeded() -> None:
    x = np.random.default_rng(8).standard_normal((64, 8, 8, 1))
    outputs = []
    for _ in range(2):
        layer = FrequencyDropout2D(bounds=(2, 7), per_sample=True, seed=5, dtype="float64")
        outputs.append(np.asarray(layer(x, training=True)))
    np.testing.assert_array_equal(outputs[0], outputs[1])  # same seed, same bands
    (u,) = _replayed_uniforms(5, 1, (64,))
    keep = sc.keep_from_uniform(u.astype(np.float64), 2, 7)
    assert set(keep.tolist()) == set(range(2, 8))
    np.testing.assert_allclose(outputs[0], sc.lowpass(x, keep[:, None], axes=(1, 2)), rtol=1e-12, atol=1e-12)
    other = FrequencyDropout2D(bounds=(2, 7), per_sample=True, seed=6, dtype="float64")(x, training=True)
    assert not np.allclose(np.asarray(other), outputs[0])  # a different seed draws different bands


@pytest.mark.parametrize(
    "layer_fn",
    [
        lambda: SpectralPooling2D(8, dropout_bounds=(2, 6), seed=0),
        lambda: FrequencyDropout2D(bounds=(2, 6), seed=0),
    ],
)
def test_dropout_is_the_identity_at_inference(layer_fn: Any) -> None:
    x = np.random.default_rng(9).standard_normal((4, 8, 8, 3)).astype("float32")
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
    x = np.random.default_rng(10).standard_normal((4, 2, 12, 12)).astype("float32")
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
# Gradients, complex input
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rank", "shape", "size", "data_format", "per_sample"),
    [
        (1, (3, 2, 11), (6,), "channels_last", True),
        (2, (3, 2, 10, 9), (6, 5), "channels_last", False),
        (2, (3, 2, 10, 9), (6, 5), "channels_first", True),
        (3, (2, 2, 5, 6, 4), (3, 4, 4), "channels_first", False),
    ],
)
def test_gradients_match_finite_differences(
    rank: int, shape: tuple[int, ...], size: tuple[int, ...], data_format: str, per_sample: bool
) -> None:
    x = tf.Variable(to_layout(np.random.default_rng(11).standard_normal(shape), data_format))
    options = {"data_format": data_format, "dtype": "float64"}
    # a fixed band, so that the finite differences see the same operator
    layer = POOLING[rank](size, norm="ortho", dropout_bounds=(3, 3), dropout_per_sample=per_sample, **options)
    check_gradient(tf, lambda: layer(x, training=True), [x])
    dropout = DROPOUT[rank](bounds=(2, 2), nyquist="average", per_sample=per_sample, **options)
    check_gradient(tf, lambda: dropout(x, training=True), [x], seed=1)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_input_is_pooled_as_its_real_and_imaginary_parts(dtype: str) -> None:
    rng = np.random.default_rng(12)
    x = (rng.standard_normal((2, 9, 12, 3)) + 1j * rng.standard_normal((2, 9, 12, 3))).astype(dtype)
    layer = SpectralPooling2D((5, 6))
    parts = (scipy_resample_axes(p.astype(np.float64), (5, 6), (1, 2)) for p in (x.real, x.imag))
    expected = next(parts) + 1j * next(parts)
    tol = 1e-5 if dtype == "complex64" else 1e-12
    for fn in (layer, tf.function(layer, jit_compile=True)):
        out = fn(tf.constant(x))
        assert out.dtype == dtype
        np.testing.assert_allclose(np.asarray(out), expected, rtol=tol, atol=tol)
    symbolic = layer(keras.Input((9, 12, 3), dtype=dtype))
    assert symbolic.dtype == dtype
    assert tuple(symbolic.shape) == (None, 5, 6, 3)
    band = sck.FrequencyDropout1D(bounds=(3, 3), dtype="float64")(x[:, 0], training=True)
    parts = [sc.lowpass(p.astype(np.float64), 3, axes=(1,)) for p in (x.real[:, 0], x.imag[:, 0])]
    np.testing.assert_allclose(np.asarray(band), parts[0] + 1j * parts[1], rtol=tol, atol=tol)


def test_complex_gradient_matches_finite_differences() -> None:
    """TensorFlow's convention for a real loss: the gradient is d/dRe + i d/dIm, checked along both parts."""
    rng = np.random.default_rng(13)
    x = tf.Variable(rng.standard_normal((2, 7, 6, 2)) + 1j * rng.standard_normal((2, 7, 6, 2)))
    layer = SpectralPooling2D((4, 3), dropout_bounds=(2, 2))
    g = tf.constant(rng.standard_normal((2, 4, 3, 2)) + 1j * rng.standard_normal((2, 4, 3, 2)))

    def loss() -> Any:
        return tf.reduce_sum(tf.math.real(tf.math.conj(g) * layer(x, training=True)))

    with tf.GradientTape() as tape:
        value = loss()
    grad = tape.gradient(value, x).numpy()
    base, eps = x.numpy(), 1e-6
    for _ in range(3):
        d = rng.standard_normal(base.shape) + 1j * rng.standard_normal(base.shape)
        values = []
        for sign in (1.0, -1.0):
            x.assign(base + sign * eps * d)
            values.append(float(loss()))
        x.assign(base)
        numeric = (values[0] - values[1]) / (2 * eps)
        analytic = float(np.sum(np.real(np.conj(grad) * d)))
        assert abs(numeric - analytic) <= 1e-7 * max(1.0, abs(analytic))


# -----------------------------------------------------------------------------------------------------------------
# Shapes, configs, dtypes
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


@pytest.mark.parametrize(
    ("layer", "shape", "expected"),
    [
        (sck.SpectralPooling1D(4), (None, 9, 2), (None, 4, 2)),
        (sck.SpectralPooling1D(scale=0.5, data_format="channels_first"), (None, 2, 9), (None, 2, 4)),
        (sck.SpectralPooling3D((2, 3, 4)), (None, 5, 5, 5, 1), (None, 2, 3, 4, 1)),
        (sck.SpectralPooling3D(scale=(0.5, 1.0, 0.25), data_format="channels_first"), (4, 1, 8, 8, 8), (4, 1, 4, 8, 2)),
        (sck.FrequencyDropout3D(bounds=(1, 2)), (None, 5, 5, 5, 1), (None, 5, 5, 5, 1)),
    ],
)
def test_1d_and_3d_output_shapes(layer: Any, shape: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    assert layer.compute_output_shape(shape) == expected
    assert tuple(layer(keras.Input(shape[1:])).shape) == (None, *expected[1:])
    assert tuple(layer(np.zeros((2, *shape[1:]), "float32"), training=True).shape) == (2, *expected[1:])


@pytest.mark.parametrize(
    "layer",
    [
        SpectralPooling2D((5, 4), norm="ortho", nyquist="average", dropout_bounds=(2, 4), data_format="channels_first"),
        SpectralPooling2D(scale=(0.5, 0.75), dropout_min_fraction=0.3, dropout_per_sample=True, seed=4),
        sck.SpectralPooling1D(7, dropout_min_fraction=0.5, seed=1),
        sck.SpectralPooling3D(scale=(0.5, 1.0, 0.25), boundary="symmetric"),
        FrequencyDropout2D(bounds=(1, 3), boundary="symmetric"),
        FrequencyDropout2D(min_fraction=0.5, per_sample=True, nyquist="average", seed=2, name="fd"),
        sck.FrequencyDropout1D(bounds=(2, 3), data_format="channels_first"),
        sck.FrequencyDropout3D(min_fraction=0.25, seed=9),
    ],
)
def test_config_round_trip(layer: Any) -> None:
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer)
    assert restored.get_config() == config


def test_dtypes_float64_and_mixed_precision() -> None:
    x = np.random.default_rng(14).standard_normal((2, 8, 8, 3))
    assert SpectralPooling2D(4, dtype="float64")(x).dtype == tf.float64
    for policy, wanted in (("mixed_float16", tf.float16), ("mixed_bfloat16", tf.bfloat16)):
        layer = SpectralPooling2D(4, dropout_bounds=(4, 4), dtype=policy)
        out = layer(x.astype("float32"), training=True)
        assert out.dtype == wanted
        expected = sc.spectral_pool(x, 4, axes=(1, 2))
        np.testing.assert_allclose(np.asarray(tf.cast(out, tf.float64)), expected, rtol=5e-2, atol=5e-2)


# -----------------------------------------------------------------------------------------------------------------
# Training
# -----------------------------------------------------------------------------------------------------------------
def test_tiny_model_trains_with_fit() -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(15)
    x = rng.standard_normal((64, 8, 8, 3)).astype("float32")
    y = (x[..., 0].mean(axis=(1, 2)) > 0).astype("int32")  # a learnable, low-frequency label
    model = keras.Sequential(
        [
            keras.Input((8, 8, 3)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
            SpectralConv2D(8, 3, padding="same", activation="relu"),
            SpectralPooling2D(4, dropout_min_fraction=0.5, seed=0),
            FrequencyDropout2D(min_fraction=0.5, seed=1),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=loss)
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, batch_size=16, epochs=12, verbose=0, shuffle=False)
    after = model.evaluate(x, y, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert after < 0.75 * before, (before, after)


# -----------------------------------------------------------------------------------------------------------------
# Errors
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: SpectralPooling2D(), ValueError, "arguments `size` and `scale`. Expected exactly one of them"),
        (lambda: SpectralPooling2D(4, scale=0.5), ValueError, "Expected exactly one of them"),
        (lambda: SpectralPooling2D(0), ValueError, r"argument `size`\. Expected an int >= 1\. Received: size=0"),
        (lambda: SpectralPooling2D((4, 4, 4)), ValueError, r"argument `size`\. Expected an int or a sequence of 2"),
        (lambda: sck.SpectralPooling1D((4, 4)), ValueError, r"argument `size`\. Expected an int or a sequence of 1"),
        (lambda: sck.SpectralPooling3D((4, 4)), ValueError, r"argument `size`\. Expected an int or a sequence of 3"),
        (lambda: sck.SpectralPooling3D(scale=(0.5, 0.5)), ValueError, r"argument `scale`\. .*sequence of 3"),
        (lambda: SpectralPooling2D(4.0), TypeError, "argument `size`. Expected an int >= 1. Received: size=4.0"),
        (lambda: SpectralPooling2D(scale=1.5), ValueError, r"argument `scale`\. Expected a float in \(0, 1\]"),
        (lambda: SpectralPooling2D(scale=0.0), ValueError, "Received: scale=0.0"),
        (lambda: SpectralPooling2D(scale="half"), TypeError, "argument `scale`"),
        (lambda: SpectralPooling2D(4, norm="backward"), ValueError, "argument `norm`"),
        (lambda: SpectralPooling2D(4, nyquist="mean"), ValueError, "argument `nyquist`"),
        (lambda: SpectralPooling2D(4, dropout_min_fraction=0), ValueError, "argument `dropout_min_fraction`"),
        (lambda: SpectralPooling2D(4, dropout_bounds=(3, 2)), ValueError, "argument `dropout_bounds`"),
        (lambda: SpectralPooling2D(4, dropout_bounds=5), TypeError, "argument `dropout_bounds`"),
        (
            lambda: SpectralPooling2D(4, dropout_bounds=(1, 2), dropout_min_fraction=0.5),
            ValueError,
            r"Expected at most one of them\. Received: dropout_min_fraction=0\.5, dropout_bounds=\(1, 2\)",
        ),
        (lambda: SpectralPooling2D(4, dropout_per_sample=1), TypeError, "argument `dropout_per_sample`"),
        (lambda: SpectralPooling2D(4, data_format="NHWC"), ValueError, "argument `data_format`"),
        (lambda: SpectralPooling2D(4, seed=1.5), TypeError, "argument `seed`"),
        (lambda: FrequencyDropout2D(), ValueError, "Expected exactly one of them"),
        (lambda: sck.FrequencyDropout3D(min_fraction=1.2), ValueError, "argument `min_fraction`"),
        (lambda: sck.FrequencyDropout1D(bounds=(0, 2)), ValueError, r"argument `bounds\[0\]`"),
        (lambda: FrequencyDropout2D(bounds=(1, 2), per_sample="yes"), TypeError, "argument `per_sample`"),
        (lambda: SpectralPooling2D(4, boundary="reflect"), ValueError, "argument `boundary`. Expected one of"),
        (lambda: sck.FrequencyDropout1D(bounds=(1, 2), boundary=None), ValueError, "argument `boundary`"),
        (
            lambda: sck.SpectralPooling1D(4, nyquist="average", boundary="symmetric"),
            ValueError,
            r"argument `nyquist`\. Expected \"sum\" with boundary=\"symmetric\"",
        ),
    ],
)
def test_bad_arguments_are_rejected_in_init(make: Any, error: type, match: str) -> None:
    """The core's checks in Keras' wording: wrong kinds are TypeErrors, wrong values (and lengths) ValueErrors."""
    with pytest.raises(error, match=match) as info:
        make()
    assert str(info.value).startswith("Invalid value")


@pytest.mark.parametrize(
    ("layer", "inputs", "error", "match"),
    [
        (SpectralPooling2D(4), None, ValueError, "Inputs to a layer should be tensors"),
        (FrequencyDropout2D(bounds=(1, 2)), None, ValueError, "Inputs to a layer should be tensors"),
        (SpectralPooling2D(4), np.zeros((2, 8, 8), "float32"), ValueError, "expected ndim=4, found ndim=3"),
        (sck.SpectralPooling1D(4), np.zeros((2, 8, 8, 1), "float32"), ValueError, "expected ndim=3, found ndim=4"),
        (sck.FrequencyDropout3D(bounds=(1, 2)), np.zeros((8, 8, 1), "float32"), ValueError, "expected ndim=5"),
        (SpectralPooling2D(9), np.zeros((2, 8, 8, 1), "float32"), ValueError, "only shrinks"),
        (SpectralPooling2D((2, 9), data_format="channels_first"), np.zeros((2, 1, 8, 8)), ValueError, "only shrinks"),
        (SpectralPooling2D(4, dropout_bounds=(1, 5)), np.zeros((2, 8, 8, 1), "float32"), ValueError, "bounds"),
        (FrequencyDropout2D(bounds=(1, 9)), np.zeros((2, 8, 8, 1), "float32"), ValueError, "bounds"),
        (SpectralPooling2D(4), np.zeros((2, 8, 8, 1), "int32"), TypeError, "floating or complex input"),
    ],
)
def test_bad_inputs_get_keras_style_errors(layer: Any, inputs: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        layer(inputs, training=True)


def test_a_wrong_size_later_is_rejected_at_that_call() -> None:
    layer = SpectralPooling2D(6, dropout_bounds=(5, 6))
    layer(np.zeros((1, 8, 8, 1), "float32"))
    with pytest.raises(ValueError, match="only shrinks"):
        layer(np.zeros((1, 5, 8, 1), "float32"))
