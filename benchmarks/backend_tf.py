"""TensorFlow (CPU) with Keras 3: the ``spectralcore_keras`` layers against ``tf.nn`` pooling, all channels-last.

Every contender is a ``tf.function`` traced by its first (checked) call; TF's CPU pooling takes NHWC only, so the
input is channels-last throughout (transposed once, outside the timed region). f+b graphs return ``(loss, grads)``:
returning only the gradient lets grappler prune the forward (the gradient of a linear map does not depend on x).
"""

from __future__ import annotations

import math
import os
import types
from collections.abc import Callable
from typing import Any

import numpy as np
from contenders import FWD, Backend, Row, Skip, naive_pool
from problems import conv_patch
from timing import check_close


class TensorflowBackend(Backend):
    """``tensorflow:cpu``; the Keras layers run channels_last, as Keras users run them."""

    name = "tensorflow"
    differentiable = True

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        if device != "cpu":
            raise Skip(f"tensorflow:{device}: this suite runs TensorFlow on the CPU only")
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        try:
            import tensorflow as tf
        except ImportError:
            raise Skip("tensorflow:cpu: tensorflow not installed") from None
        super().__init__(device)
        if threads:
            try:  # only possible before TF's runtime starts
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(1)
            except RuntimeError:
                pass
        tf.get_logger().setLevel("ERROR")
        self.tf = tf
        # The array-API subset the naive recipe needs, spelled in TensorFlow.
        fft = types.SimpleNamespace(
            fftn=lambda a, axes: _fft2d(tf, tf.signal.fft2d, a, axes),
            ifftn=lambda a, axes: _fft2d(tf, tf.signal.ifft2d, a, axes),
            fftshift=lambda a, axes: tf.signal.fftshift(a, axes=axes),
            ifftshift=lambda a, axes: tf.signal.ifftshift(a, axes=axes),
        )
        self.xp = types.SimpleNamespace(fft=fft, concat=lambda a, axis: tf.concat(a, axis), real=tf.math.real)
        try:
            import spectralcore_keras

            self.sck: Any = spectralcore_keras
        except Exception as exc:
            self.sck = None
            self.notes.append(f"tensorflow:cpu: layer rows skipped (spectralcore_keras: {type(exc).__name__}: {exc})")

    def put(self, a: Any) -> Any:
        """NumPy (N, C, *spatial) -> channels-last tensor."""
        return self.tf.constant(np.moveaxis(a, 1, -1))

    def view64(self, y: Any) -> Any:
        """Channels-last ``y`` -> ``y[:2, :2]`` in (N, C, *spatial) order, float64."""
        return np.moveaxis(np.asarray(y[:2, ..., :2], dtype=np.float64), -1, 1)

    def forward(self, row: Row, x: Any) -> Callable[[], Any]:
        """A traced ``tf.function`` (XLA with ``opts["xla"]``)."""
        fn = self.tf.function(row.f, jit_compile=row.opts.get("xla", False))
        return lambda: fn(x)

    def fwd_bwd(self, row: Row, x: Any, g: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
        """``GradientTape`` of ``sum(f(x) * g)`` to x and the row's variables, returning ``(loss, grads)``."""
        tf = self.tf

        @tf.function(jit_compile=row.opts.get("xla", False))
        def run(t: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(t)
                loss = tf.reduce_sum(row.f(t) * g)
            return loss, tape.gradient(loss, [t, *row.params])

        return lambda: run(x), lambda out: out[1][0]

    def window(self, p: Any, kind: str) -> Row:
        """``tf.nn.max_pool`` (the reference) or ``avg_pool``, channels-last."""
        pool = self.tf.nn.max_pool if kind == "max" else self.tf.nn.avg_pool
        f = lambda t: pool(t, p.kernel, p.stride, "VALID")  # noqa: E731
        role = "ref" if kind == "max" else "baseline"
        return Row(
            f"{kind}_pool{p.rank}d", f, role=role, oracle=kind, note=f"tf.nn, channels-last {p.window_note}".strip()
        )

    def layer(self, stem: str, rank: int, *args: Any, **kwargs: Any) -> Any:
        """A new ``spectralcore_keras.<stem>{rank}D(*args, **kwargs)``, or None where the adapter has none."""
        cls = getattr(self.sck, f"{stem}{rank}D", None) if self.sck is not None else None
        return None if cls is None else cls(*args, **kwargs)

    def table_pool(self, p: Any) -> list[Row]:
        """Floor, max/avg pooling, the naive recipe (channels moved first and back), the Keras layers."""
        tf, full, k = self.tf, p.params["full"], p.rank
        rows = [Row("read_once[x.sum]", tf.reduce_sum, role="floor", modes=FWD), self.window(p, "max")]
        if full:
            first, last = [0, k + 1, *range(1, k + 1)], [0, *range(2, k + 2), 1]

            def naive(t: Any) -> Any:
                return tf.transpose(naive_pool(tf.transpose(t, first), p.size, self.xp), last)

            rows += [self.window(p, "avg"), Row("naive_fft", naive, role="naive", oracle="periodic")]
        plain = self.layer("SpectralPooling", k, p.size)
        if plain is None:
            self.notes.append(f"tensorflow: no SpectralPooling{k}D in spectralcore_keras: its rows are skipped")
            return rows
        rows.append(Row(f"SpectralPooling{k}D", lambda t: plain(t), oracle="periodic"))
        if full and k == 2:
            rows.append(Row("SpectralPooling2D[xla]", lambda t: plain(t), oracle="periodic", opts={"xla": True}))
            drop = self.layer("SpectralPooling", 2, p.size, dropout_min_fraction=0.5, seed=0)
            fixed = self.layer("SpectralPooling", 2, p.size, dropout_bounds=(min(p.size),) * 2, seed=0)
            note = f"training=True, keep from [{math.ceil(min(p.size) / 2)}, {min(p.size)}]; checked with the full band"
            twin = lambda t: fixed(t, training=True)  # noqa: E731
            rows.append(
                Row(
                    "SpectralPooling2D+dropout",
                    lambda t: drop(t, training=True),
                    oracle="periodic",
                    check_with=twin,
                    note=note,
                )
            )
            strides = tuple(n / m for n, m in zip(p.spatial, p.size, strict=True))
            learnable = self.layer("LearnableSpectralPooling", 2, stride=strides, ramp=1.0)
            if learnable is not None:
                learnable.build((None, *p.spatial, p.shape[1]))
                note = f"stride {'x'.join(f'{s:.4g}' for s in strides)}, ramp 1 (output {p.size}); grad to the stride"
                rows.append(
                    Row(
                        "LearnableSpectralPooling2D",
                        lambda t: learnable(t),
                        oracle="periodic",
                        params=[learnable.stride],
                        note=note,
                    )
                )
        return rows

    table_nd = table_pool  # 1-D and 3-D: tf.nn.max_pool against SpectralPooling1D/3D when the adapter has them

    def table_dropout(self, p: Any) -> list[Row]:
        """``FrequencyDropout2D`` (training) at the input size against max pooling."""
        keep = min(p.size)
        rows = [self.window(p, "max")]
        timed = self.layer("FrequencyDropout", 2, bounds=(math.ceil(keep / 2), keep), seed=0)
        fixed = self.layer("FrequencyDropout", 2, bounds=(keep, keep), seed=0)
        if timed is not None:
            note = f"training=True, keep from [{math.ceil(keep / 2)}, {keep}]; checked with keep {keep}"
            twin = lambda t: fixed(t, training=True)  # noqa: E731
            rows.append(
                Row(
                    "FrequencyDropout2D",
                    lambda t: timed(t, training=True),
                    oracle="periodic",
                    check_with=twin,
                    note=note,
                )
            )
        return rows

    def table_conv(self, p: Any) -> list[Row]:
        """``SpectralConv2D`` against the ``keras.layers.Conv2D`` it was converted from: loss and gradients."""
        if self.sck is None:
            raise Skip("conv rows need spectralcore_keras")
        import keras

        tf, prm = self.tf, p.params
        x = tf.constant(
            np.random.default_rng(0).standard_normal((prm["batch"], prm["hw"], prm["hw"], prm["cin"]), dtype=np.float32)
        )
        conv = keras.layers.Conv2D(prm["cout"], 3, padding="same")
        conv.build(x.shape)
        layers = {"keras.Conv2D": conv, "SpectralConv2D": self.sck.SpectralConv2D.from_conv2d(conv)}
        rows = []
        for name, layer in layers.items():

            @tf.function
            def run(layer: Any = layer) -> Any:
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(layer(x)))
                return loss, tape.gradient(loss, layer.trainable_variables)

            def check(_: Any, layer: Any = layer) -> dict[str, Any]:
                y = layer(x[:2])[:, :16, :16, :]
                w64 = np.transpose(np.asarray(layer.kernel, dtype=np.float64), (3, 2, 0, 1))
                ref = conv_patch(np.moveaxis(np.asarray(x[:2], dtype=np.float64), -1, 1), w64, 16)
                ref += np.asarray(layer.bias, dtype=np.float64)[None, :, None, None]
                return check_close(
                    np.moveaxis(np.asarray(y, np.float64), -1, 1), ref, y.dtype.name, "y corner vs float64 conv"
                )

            role = "ref" if name == "keras.Conv2D" else "ours"
            rows.append(
                Row(name, run, role=role, modes=("step",), check=check, note="loss mean(y^2) and its gradients")
            )
        return rows


def _fft2d(tf: Any, transform: Callable[[Any], Any], a: Any, axes: tuple[int, ...]) -> Any:
    """``fftn`` over the trailing two axes (the only ones TF transforms), complex64."""
    if tuple(axes) != (-2, -1):
        raise Skip("the TF naive recipe transforms the last two axes only")
    return transform(tf.cast(a, tf.complex64) if a.dtype.is_floating else a)
