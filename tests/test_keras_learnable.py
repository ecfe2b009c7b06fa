"""Keras adapter: ``LearnableSpectralPooling1D/2D/3D`` and ``LearnableSizeUpdate`` against the NumPy core.

Values against :class:`SpectralPooling2D` (integer targets, ``ramp <= 1``) and against the core's oracle
``spectralcore.smooth_pool_matrix`` per axis (any stride); the exact properties (real, circular-flip equivariant,
mean-keeping); the stride's gradient against central differences; the size policy inside ``model.fit`` (sizes
follow the trained stride at the updates only, and each new size traces once); the config and ``.keras`` round
trips; the argument errors; and one training run on the JAX and PyTorch Keras backends in a subprocess.
"""

from __future__ import annotations

import doctest
import importlib
import itertools
import math
import os
import subprocess
import sys
import textwrap
from typing import Any

import numpy as np
import pytest
from _keras_support import FORMATS, check_gradient, from_layout, spatial, to_layout
from _support import require_framework

import spectralcore as sc

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
tf = require_framework("tensorflow", "tensorflow")
keras = require_framework("keras", "tensorflow")

import spectralcore_keras as sck  # noqa: E402
from spectralcore_keras import LearnableSizeUpdate, LearnableSpectralPooling2D, SpectralPooling2D  # noqa: E402

LEARNABLE = {1: sck.LearnableSpectralPooling1D, 2: sck.LearnableSpectralPooling2D, 3: sck.LearnableSpectralPooling3D}


def _oracle(x_first: np.ndarray, strides: tuple[float, ...], ramp: float, norm: str = "amplitude") -> np.ndarray:
    """The core's smooth pooling matrix applied along each spatial axis of a channels-first float64 array."""
    out = x_first
    for axis, s in zip(spatial(len(strides)), strides, strict=True):
        matrix = np.asarray(sc.smooth_pool_matrix(out.shape[axis], s, ramp=ramp, norm=norm, xp=np))
        out = np.moveaxis(np.tensordot(matrix, out, axes=([1], [axis])), 0, axis)
    return out


def _flip(x_first: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
    """``x[j] -> x[-j mod n]`` along each of ``axes``."""
    for axis in axes:
        x_first = np.roll(np.flip(x_first, axis), 1, axis)
    return x_first


# -----------------------------------------------------------------------------------------------------------------
# Values
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("ramp", [1.0, 0.5])
@pytest.mark.parametrize("norm", ["amplitude", "ortho"])
@pytest.mark.parametrize(("shape", "size"), [((12, 9), (6, 5)), ((12, 9), (4, 3)), ((10, 11), (5, 11))])
def test_integer_targets_with_a_narrow_ramp_equal_fixed_pooling(
    data_format: str, ramp: float, norm: str, shape: tuple[int, int], size: tuple[int, int]
) -> None:
    # Even and odd inputs to even and odd outputs; n / S = m exactly, a stride of 1 (m = n) included.
    x = np.random.default_rng(0).standard_normal((2, 3, *shape))
    strides = tuple(n / m for n, m in zip(shape, size, strict=True))
    layer = LearnableSpectralPooling2D(strides, ramp=ramp, norm=norm, data_format=data_format, dtype="float64")
    fixed = SpectralPooling2D(size, norm=norm, data_format=data_format, dtype="float64")
    y = from_layout(layer(to_layout(x, data_format)), data_format)
    assert y.shape == (2, 3, *size)
    np.testing.assert_allclose(y, from_layout(fixed(to_layout(x, data_format)), data_format), atol=1e-12)


@pytest.mark.parametrize(
    ("rank", "shape", "strides"),
    [(1, (23,), (2.7,)), (2, (13, 10), (2.7, 1.6)), (2, (16, 16), (3.3, 1.0)), (3, (7, 9, 6), (1.9, 3.1, 1.25))],
)
@pytest.mark.parametrize("ramp", [sc.DEFAULT_RAMP, 2.0, 0.75])
@pytest.mark.parametrize("data_format", FORMATS)
def test_any_stride_equals_the_core_oracle_per_axis(
    rank: int, shape: tuple[int, ...], strides: tuple[float, ...], ramp: float, data_format: str
) -> None:
    x = np.random.default_rng(1).standard_normal((2, 3, *shape))
    for norm in ("amplitude", "ortho"):
        layer = LEARNABLE[rank](strides, ramp=ramp, norm=norm, data_format=data_format, dtype="float64")
        y = from_layout(layer(to_layout(x, data_format)), data_format)
        expected = _oracle(x, strides, ramp, norm)
        sizes = tuple(sc.smooth_pool_size(n, s, ramp=ramp) for n, s in zip(shape, strides, strict=True))
        assert y.shape == expected.shape == (2, 3, *sizes)
        np.testing.assert_allclose(y, expected, atol=1e-12)


def test_float32_layer_matches_the_oracle_and_a_shared_stride_is_one_weight() -> None:
    x = np.random.default_rng(2).standard_normal((2, 14, 11, 3)).astype("float32")
    layer = LearnableSpectralPooling2D(2.4)
    y = layer(x)
    assert y.dtype == "float32"
    expected = _oracle(np.moveaxis(x.astype("float64"), -1, 1), (2.4, 2.4), sc.DEFAULT_RAMP)
    np.testing.assert_allclose(np.moveaxis(np.asarray(y), -1, 1), expected, atol=2e-5)
    shared = LearnableSpectralPooling2D((2.4, 2.4), shared_stride=True)
    np.testing.assert_allclose(np.asarray(shared(x)), np.asarray(y), atol=1e-6)
    assert tuple(shared.stride.shape) == (1,)
    assert tuple(layer.stride.shape) == (2,)
    assert shared.size_strides == layer.size_strides
    # One weight for both axes: its gradient is the sum of the two per-axis gradients.
    with tf.GradientTape(persistent=True) as tape:
        a, b = tf.reduce_sum(layer(x) ** 2), tf.reduce_sum(shared(x) ** 2)
    per_axis, one = np.asarray(tape.gradient(a, layer.stride)), np.asarray(tape.gradient(b, shared.stride))
    np.testing.assert_allclose(one, [per_axis.sum()], rtol=1e-4)


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_real_flip_equivariant_and_mean_keeping(rank: int) -> None:
    shape = {1: (19,), 2: (12, 9), 3: (6, 7, 8)}[rank]
    strides = {1: (2.3,), 2: (1.7, 2.2), 3: (1.5, 2.5, 1.2)}[rank]
    x = np.random.default_rng(3).standard_normal((2, 2, *shape))
    layer = LEARNABLE[rank](strides, data_format="channels_first", dtype="float64")
    y = np.asarray(layer(x))
    assert np.isrealobj(y)
    assert y.dtype == np.float64
    axes = spatial(rank)
    np.testing.assert_allclose(np.asarray(layer(_flip(x, axes))), _flip(y, axes), atol=1e-12)
    np.testing.assert_allclose(y.mean(axis=axes), x.mean(axis=axes), atol=1e-12)
    constant = np.full((1, 1, *shape), 2.5)
    np.testing.assert_allclose(np.asarray(layer(constant)), 2.5, atol=1e-12)


# -----------------------------------------------------------------------------------------------------------------
# Gradients and cost
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data_format", FORMATS)
@pytest.mark.parametrize("shared", [False, True])
def test_stride_gradient_is_nonzero_and_matches_central_differences(data_format: str, shared: bool) -> None:
    x = tf.constant(to_layout(np.random.default_rng(4).standard_normal((2, 3, 13, 10)), data_format))
    strides = (2.7, 2.7) if shared else (2.7, 1.6)
    layer = LearnableSpectralPooling2D(strides, shared_stride=shared, data_format=data_format, dtype="float64")
    layer(x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x) ** 2)
    grad = np.asarray(tape.gradient(loss, layer.stride))
    assert np.all(np.abs(grad) > 1e-6), grad
    check_gradient(tf, lambda: layer(x), [layer.stride], tol=1e-6)


def test_cost_is_the_continuous_output_size_and_its_loss_the_kept_fraction() -> None:
    x = np.random.default_rng(5).standard_normal((2, 3, 16, 12))
    layer = LearnableSpectralPooling2D((2.5, 1.5), data_format="channels_first", dtype="float64", cost_weight=0.1)
    with pytest.raises(RuntimeError, match="no input seen"):
        layer.cost()
    layer(x)
    with tf.GradientTape() as tape:
        cost = layer.cost()
    assert float(cost) == pytest.approx(3 * (16 / 2.5) * (12 / 1.5), rel=1e-12)
    np.testing.assert_allclose(np.asarray(tape.gradient(cost, layer.stride)), -float(cost) / np.array([2.5, 1.5]))
    assert float(layer.cost(spatial=(8, 8), channels=1)) == pytest.approx(8 / 2.5 * 8 / 1.5)
    assert len(layer.losses) == 1
    assert float(layer.losses[0]) == pytest.approx(0.1 / (2.5 * 1.5), rel=1e-12)
    assert LearnableSpectralPooling2D(2.0).losses == []  # cost_weight=0: no loss
    # A stride beyond n acts as n: one output pixel, a cost of one pixel per channel.
    big = LearnableSpectralPooling2D((40.0, 1.0), data_format="channels_first", dtype="float64")
    assert tuple(big(x).shape) == (2, 3, sc.smooth_pool_size(16, 40.0), 12)
    assert float(big.cost()) == pytest.approx(3 * 1 * 12)


def test_the_constraint_keeps_the_stride_at_least_one_after_a_step() -> None:
    layer = LearnableSpectralPooling2D((1.05, 3.0))
    layer(np.zeros((1, 8, 8, 1), "float32"))
    optimizer = keras.optimizers.SGD(1.0)
    optimizer.apply([tf.constant([10.0, -0.5])], [layer.stride])
    np.testing.assert_allclose(layer.stride.numpy(), [1.0, 3.5])
    assert isinstance(layer.stride.constraint, sck.StrideAtLeastOne)
    assert layer.size_strides == (1.0499999523162842, 3.0)  # the size moves at update_size() only
    assert layer.update_size() == (1.0, 3.5)
    np.testing.assert_array_equal(layer.size_stride.numpy(), [1.0, 3.5])


# -----------------------------------------------------------------------------------------------------------------
# The size policy inside fit
# -----------------------------------------------------------------------------------------------------------------
class _ShapeProbe(keras.layers.Layer):
    """Records the static shape it sees on every (traced) call: one entry per trace of a compiled step."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: list[tuple[Any, ...]] = []

    def call(self, x: Any) -> Any:
        self.seen.append(tuple(x.shape))
        return x


class _Recorder(keras.callbacks.Callback):
    def __init__(self, layer: Any) -> None:
        super().__init__()
        self.layer = layer
        self.batches: list[tuple[float, ...]] = []  # size strides during each batch
        self.epochs: list[tuple[tuple[float, ...], tuple[float, ...]]] = []  # (stride, size stride) at epoch ends

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        self.batches.append(self.layer.size_strides)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        stride = tuple(float(s) for s in self.layer.stride.numpy())
        self.epochs.append((stride, self.layer.size_strides))


def _fit_model(cost_weight: float = 1.0) -> tuple[Any, Any, Any]:
    pool = LearnableSpectralPooling2D(2.0, cost_weight=cost_weight)
    probe = _ShapeProbe()
    model = keras.Sequential(
        [keras.Input((16, 16, 2)), pool, probe, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(0.2), "mse")
    return model, pool, probe


def test_fit_with_the_callback_moves_sizes_at_epoch_ends_and_traces_each_size_once() -> None:
    keras.utils.set_random_seed(0)
    model, pool, probe = _fit_model()
    x = np.random.default_rng(6).standard_normal((8, 16, 16, 2)).astype("float32")
    y = np.ones((8, 1), "float32")
    update, recorder = LearnableSizeUpdate(), _Recorder(pool)
    # The recorder runs after the update: at an epoch end it sees the new size strides.
    history = model.fit(x, y, epochs=4, batch_size=4, verbose=0, callbacks=[update, recorder])
    assert all(math.isfinite(loss) for loss in history.history["loss"])
    strides = [stride for stride, _ in recorder.epochs]
    assert strides[-1][0] > 2.5, strides  # the cost pushed the strides up
    for stride, size_stride in recorder.epochs:
        assert size_stride == stride  # size_stride follows at each epoch end
    # Within an epoch (2 batches) the size stride is frozen, at the previous epoch end's stride.
    frozen = [(2.0, 2.0), *strides[:-1]]
    assert recorder.batches == [s for s in frozen for _ in range(2)]
    # Each training trace used the sizes of its epoch's size strides; there were several, and a few traces.
    traced = [shape[1:3] for shape in probe.seen if shape[0] == 4]
    expected = [tuple(sc.smooth_pool_size(16, s, ramp=sc.DEFAULT_RAMP) for s in f) for f in frozen]
    assert sorted(set(traced)) == sorted(set(expected)), (traced, expected)
    assert len(set(expected)) >= 3, expected
    assert [s for i, s in enumerate(traced) if i == 0 or s != traced[i - 1]] == [
        s for i, s in enumerate(expected) if i == 0 or s != expected[i - 1]
    ]
    # An update re-traces only when a size changed: after each of the 4 epochs, the last one included.
    sizes = [*expected, pool.output_sizes((16, 16))]
    assert update.updates == sum(a != b for a, b in itertools.pairwise(sizes)) >= 2
    assert len(traced) <= 2 * (update.updates + 1)  # bounded: at most two traces per distinct size
    # predict uses the final size (its function was rebuilt), and the output shape follows.
    final = pool.output_sizes((16, 16))
    assert model.predict(x, verbose=0).shape == (8, 1)
    assert probe.seen[-1][1:3] == final
    assert tuple(pool(x).shape) == (8, *final, 2)
    assert pool.compute_output_shape((None, 16, 16, 2)) == (None, *final, 2)


def test_without_the_callback_the_size_stays_frozen_and_every_n_batches_updates_inside_an_epoch() -> None:
    keras.utils.set_random_seed(1)
    x = np.random.default_rng(7).standard_normal((8, 16, 16, 2)).astype("float32")
    y = np.ones((8, 1), "float32")
    model, pool, probe = _fit_model()
    model.fit(x, y, epochs=2, batch_size=2, verbose=0)
    assert float(pool.stride.numpy()[0]) > 2.2
    assert pool.size_strides == (2.0, 2.0)
    np.testing.assert_array_equal(pool.size_stride.numpy(), [2.0, 2.0])
    assert {shape[1:3] for shape in probe.seen} == {(10, 10)}

    model, pool, probe = _fit_model()
    recorder = _Recorder(pool)
    model.fit(x, y, epochs=1, batch_size=2, verbose=0, callbacks=[LearnableSizeUpdate(every_n_batches=2), recorder])
    # The recorder runs after the update: batches 0 and 2 ran at the size strides of the previous update.
    assert recorder.batches[0] == (2.0, 2.0)
    assert recorder.batches[1] == recorder.batches[2] != (2.0, 2.0)
    assert recorder.batches[3] != recorder.batches[2]


def test_update_size_rejects_a_nan_stride() -> None:
    layer = LearnableSpectralPooling2D(2.0)
    layer(np.zeros((1, 8, 8, 1), "float32"))
    layer.stride.assign([float("nan"), 2.0])
    with pytest.raises(ValueError, match=r"`stride`.*diverged training step"):
        layer.update_size()
    assert layer.size_strides == (2.0, 2.0)  # nothing changed
    layer.stride.assign([2.0, float("inf")])
    with pytest.raises(ValueError, match="`stride`"):
        layer.update_size()


# -----------------------------------------------------------------------------------------------------------------
# Config and saving
# -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_config_round_trip(rank: int) -> None:
    layer = LEARNABLE[rank](
        (1.5,) * rank if rank > 1 else 2.5,
        shared_stride=rank == 3,
        ramp=2.0,
        norm="ortho",
        data_format="channels_first",
        cost_weight=0.5,
        name="learnable",
    )
    config = layer.get_config()
    assert config["stride"] == ((1.5,) * rank if rank > 1 else 2.5)
    again = LEARNABLE[rank].from_config(config)
    assert again.get_config() == config
    assert again.size_strides == layer.size_strides
    assert keras.layers.deserialize(keras.layers.serialize(layer)).get_config() == config
    assert sck.LearnableSizeUpdate(every_n_batches=3).get_config() == {"every_n_batches": 3}


def test_keras_file_round_trip_keeps_stride_and_size_stride_exactly(tmp_path: Any) -> None:
    keras.utils.set_random_seed(2)
    inputs = keras.Input((2, 20, 18))
    a = sck.LearnableSpectralPooling2D((1.7, 2.3), data_format="channels_first", cost_weight=0.1)(inputs)
    b = keras.layers.Reshape((2, -1))(keras.layers.GlobalAveragePooling2D(data_format="channels_first")(inputs))
    c = sck.LearnableSpectralPooling1D(1.5, ramp=2.0, norm="ortho", data_format="channels_first")(b)
    outputs = keras.layers.Concatenate()(
        [keras.layers.GlobalAveragePooling2D(data_format="channels_first")(a), keras.layers.Flatten()(c)]
    )
    model = keras.Model(inputs, keras.layers.Dense(1)(outputs))
    model.compile(keras.optimizers.Adam(0.1), "mse")
    x = np.random.default_rng(8).standard_normal((4, 2, 20, 18)).astype("float32")
    model.fit(x, np.ones((4, 1)), epochs=2, verbose=0)
    pools = [layer for layer in model.layers if isinstance(layer, sck.LearnableSpectralPooling2D)]
    pools[0].update_size()
    pools[0].stride.assign(pools[0].stride + 0.05)  # stride and size_stride now differ
    path = tmp_path / "learnable.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    ours = [layer for layer in loaded.layers if type(layer).__module__.startswith("spectralcore_keras")]
    originals = [layer for layer in model.layers if type(layer).__module__.startswith("spectralcore_keras")]
    assert len(ours) == len(originals) == 2
    for restored, original in zip(ours, originals, strict=True):
        assert restored.get_config() == original.get_config()
        np.testing.assert_array_equal(restored.stride.numpy(), original.stride.numpy())
        np.testing.assert_array_equal(restored.size_stride.numpy(), original.size_stride.numpy())
        assert restored.size_strides == original.size_strides
        assert {w.path.split("/")[-1] for w in restored.weights} == {"stride", "size_stride"}
    assert ours[0].size_strides != tuple(float(s) for s in ours[0].stride.numpy())


# -----------------------------------------------------------------------------------------------------------------
# Shapes, dtypes and errors
# -----------------------------------------------------------------------------------------------------------------
def test_output_shapes_dtypes_and_traced_calls() -> None:
    layer = LearnableSpectralPooling2D((2.0, 3.0))
    assert layer.compute_output_shape((None, 32, None, 4)) == (None, 18, None, 4)
    model = keras.Sequential([keras.Input((32, 30, 4)), layer])
    assert model.output_shape == (None, 18, 12, 4)
    x = np.random.default_rng(9).standard_normal((2, 32, 30, 4)).astype("float32")
    eager = np.asarray(layer(x))
    traced = tf.function(lambda t: layer(t), jit_compile=True)(tf.constant(x))
    np.testing.assert_allclose(np.asarray(traced), eager, atol=1e-5)
    mixed = LearnableSpectralPooling2D(2.0, dtype="mixed_float16")
    out = mixed(x)
    assert out.dtype == "float16"
    assert mixed.stride.dtype == "float32"
    np.testing.assert_allclose(
        np.asarray(out, dtype="float32"), np.asarray(LearnableSpectralPooling2D(2.0)(x)), atol=2e-2
    )
    with pytest.raises(TypeError, match="real floating"):
        layer(tf.complex(x, x))
    with pytest.raises(ValueError, match="static spatial size"):
        tf.function(lambda t: layer(t), input_signature=[tf.TensorSpec((None, None, 30, 4))]).get_concrete_function()


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"stride": 0.5}, ValueError, "stride"),
        ({"stride": (2.0, 0.9)}, ValueError, "stride"),
        ({"stride": (2.0,)}, ValueError, "stride"),
        ({"stride": (2.0, 2.0, 2.0)}, ValueError, "stride"),
        ({"stride": float("nan")}, ValueError, "stride"),
        ({"stride": "2"}, TypeError, "stride"),
        ({"stride": (2.0, 3.0), "shared_stride": True}, ValueError, "stride"),
        ({"shared_stride": 1}, TypeError, "shared_stride"),
        ({"ramp": 0.0}, ValueError, "ramp"),
        ({"ramp": -1.0}, ValueError, "ramp"),
        ({"ramp": float("nan")}, ValueError, "ramp"),
        ({"ramp": True}, TypeError, "ramp"),
        ({"cost_weight": -0.1}, ValueError, "cost_weight"),
        ({"cost_weight": float("inf")}, ValueError, "cost_weight"),
        ({"norm": "unitary"}, ValueError, "norm"),
        ({"data_format": "channels_middle"}, ValueError, "data_format"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict[str, Any], error: type[Exception], name: str) -> None:
    with pytest.raises(error, match=f"argument `{name}`"):
        LearnableSpectralPooling2D(**kwargs)


def test_bad_callback_argument_and_wrong_rank() -> None:
    with pytest.raises(ValueError, match="argument `every_n_batches`"):
        LearnableSizeUpdate(every_n_batches=0)
    with pytest.raises(ValueError, match="expected ndim=4"):
        LearnableSpectralPooling2D(2.0)(np.zeros((2, 8, 3), "float32"))
    shared = LearnableSpectralPooling2D((2.0,), shared_stride=True)
    assert shared.size_strides == (2.0, 2.0)


def test_doctests() -> None:
    result = doctest.testmod(importlib.import_module("spectralcore_keras._learnable"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted >= 3


# -----------------------------------------------------------------------------------------------------------------
# Other Keras backends
# -----------------------------------------------------------------------------------------------------------------
SCRIPT = textwrap.dedent(
    """
    import numpy as np, keras, spectralcore as sc
    from keras import ops
    from spectralcore_keras import LearnableSizeUpdate, LearnableSpectralPooling2D

    x = np.random.default_rng(0).standard_normal((4, 13, 10, 2)).astype("float32")
    layer = LearnableSpectralPooling2D((2.7, 1.6))
    y = np.asarray(ops.convert_to_numpy(layer(x)))
    expected = x.astype("float64")
    for axis, (n, s) in zip((1, 2), ((13, 2.7), (10, 1.6))):
        matrix = sc.smooth_pool_matrix(n, float(np.float32(s)), xp=np)
        expected = np.moveaxis(np.tensordot(matrix, expected, axes=([1], [axis])), 0, axis)
    np.testing.assert_allclose(y, expected, atol=2e-5)
    pool = LearnableSpectralPooling2D(2.0, cost_weight=1.0)
    model = keras.Sequential([keras.Input((16, 16, 2)), pool, keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1)])
    model.compile(keras.optimizers.Adam(0.2), "mse")
    data = np.random.default_rng(1).standard_normal((8, 16, 16, 2)).astype("float32")
    update = LearnableSizeUpdate()
    model.fit(data, np.ones((8, 1)), epochs=3, batch_size=4, verbose=0, callbacks=[update])
    stride = np.asarray(ops.convert_to_numpy(pool.stride))
    assert stride[0] > 2.5, stride
    assert pool.size_strides == tuple(float(s) for s in stride), (pool.size_strides, stride)
    assert update.updates >= 1
    final = pool.output_sizes((16, 16))
    assert final != (10, 10) and tuple(pool(data).shape) == (8, *final, 2)
    assert model.predict(data, verbose=0).shape == (8, 1)
    print("OK", keras.backend.backend())
    """
)


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_layer_trains_on_other_keras_backends(backend: str) -> None:
    pytest.importorskip(backend)
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith(f"OK {backend}")
