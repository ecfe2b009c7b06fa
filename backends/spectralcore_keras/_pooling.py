"""``SpectralPooling2D`` and ``FrequencyDropout2D``: the core's exact real operators applied with ``keras.ops``.

Every Fourier rule (Hermitian symmetry, the Nyquist bin, the dropout band) comes from ``spectralcore`` as a
float64 NumPy matrix built once in ``build``; the layers only multiply. Pooling along an axis of length ``n`` to
``m`` is ``D = pool_matrix(n, m)``. Frequency dropout with ``keep`` frequencies is the core's identity
``lowpass_matrix(m, keep) == Q @ diag(T[keep - 1]) @ Q.T`` (``Q = real_fourier_basis(m)``,
``T = lowpass_mask_table(m)``), so pooling followed by dropout is the single matrix ``Q @ (mask * (Q.T @ D))``:
drawing a band costs a gather and an ``m x m`` product, and the feature map is multiplied once per axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from keras import ops

import spectralcore as sc

from ._common import (
    as_constant,
    check_choice,
    check_data_format,
    check_fraction,
    check_int_pair,
    invalid,
    keep_from_uniform,
)

__all__ = ["FrequencyDropout2D", "SpectralPooling2D"]


@dataclass(frozen=True)
class _AxisPlan:
    """Float64 NumPy operators of one spatial axis, built in ``build``."""

    length: int  # input length n
    size: int  # output length m
    pool: np.ndarray | None  # (m, n) pooling matrix; None when m == n (identity, skipped)
    basis: np.ndarray | None = None  # (m, m) real Fourier basis Q, when dropout is on
    table: np.ndarray | None = None  # (m, m) mask table T
    analysis: np.ndarray | None = None  # (m, n): Q.T @ D (Q.T when there is no pooling)
    low: int = 0  # inclusive range of the random keep
    high: int = 0


def _check_dropout(
    prefix: str, min_fraction: object, bounds: object, *, required: bool
) -> tuple[float | None, tuple[int, int] | None]:
    """At most (or, with ``required``, exactly) one of a fraction in (0, 1] and bounds ``1 <= low <= high``."""
    names = f"`{prefix}min_fraction` and `{prefix}bounds`"
    if min_fraction is not None and bounds is not None:
        raise ValueError(
            f"Invalid values received for arguments {names}. Expected at most one of them. "
            f"Received: {prefix}min_fraction={min_fraction!r}, {prefix}bounds={bounds!r}"
        )
    if required and min_fraction is None and bounds is None:
        raise ValueError(
            f"Invalid values received for arguments {names}. Expected exactly one of them. "
            f"Received: {prefix}min_fraction=None, {prefix}bounds=None"
        )
    fraction = None if min_fraction is None else check_fraction(f"{prefix}min_fraction", min_fraction)
    pair = None
    if bounds is not None:
        if isinstance(bounds, (tuple, list)) and len(bounds) == 2:
            pair = check_int_pair(f"{prefix}bounds", tuple(bounds))
        if pair is None or pair[0] > pair[1]:
            raise invalid(f"{prefix}bounds", "a pair of ints (low, high) with 1 <= low <= high", bounds)
    return fraction, pair


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise invalid(name, "a bool", value)
    return value


def _check_seed(value: object) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise invalid("seed", "an int or None", value)
    return value


def _spatial_axes(data_format: str) -> tuple[int, int]:
    return (1, 2) if data_format == "channels_last" else (2, 3)


def _check_input_shape(layer: keras.layers.Layer, input_shape: Any) -> tuple[int, int]:
    """Static (height, width) of a 4-D input, or a clear error naming the layer and the layout."""
    shape = tuple(input_shape)
    layout = "(batch, height, width, channels)" if layer.data_format == "channels_last" else "(batch, channels, h, w)"
    if len(shape) != 4:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) expects 4-D input {layout} for "
            f"data_format='{layer.data_format}'. Received: input_shape={shape}"
        )
    h, w = (shape[a] for a in _spatial_axes(layer.data_format))
    if h is None or w is None:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) needs a static height and width to build its "
            f"operator matrices. Received: input_shape={shape}"
        )
    return int(h), int(w)


def _keep_range(layer: keras.layers.Layer, m: int, fraction: float | None, bounds: tuple[int, int] | None) -> Any:
    try:
        return sc.dropout_keep_range(m, min_fraction=fraction, bounds=bounds)
    except ValueError as exc:  # bounds larger than the (pooled) map: say which layer and axis length
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}): {exc}") from exc


def _plan(n: int, m: int, norm: str, nyquist: str, keep_range: tuple[int, int] | None) -> _AxisPlan:
    pool = None if m == n else np.asarray(sc.pool_matrix(n, m, norm=norm, nyquist=nyquist, xp=np))
    if keep_range is None:
        return _AxisPlan(n, m, pool)
    basis = np.asarray(sc.real_fourier_basis(m, xp=np))
    table = np.asarray(sc.lowpass_mask_table(m, nyquist=nyquist, xp=np))
    analysis = basis.T if pool is None else basis.T @ pool
    return _AxisPlan(n, m, pool, basis, table, analysis, *keep_range)


class _SpectralLayer(keras.layers.Layer):
    """Shared machinery: per-axis plans, the random band, and the separable product in either layout."""

    data_format: str
    _dropout: bool
    _per_sample: bool

    def _operators(self, inputs: Any, training: Any) -> tuple[Any, Any, bool]:
        """Per-axis operators, ``None`` (identity) or ``(m, n)``, or ``(batch, m, n)`` per sample (flag True)."""
        dtype = self.compute_dtype
        plans = (self._plan_h, self._plan_w)
        if not (self._dropout and training):
            op_h, op_w = (None if p.pool is None else as_constant(p.pool, dtype) for p in plans)
            return op_h, op_w, False
        # One variate per call (or per sample), mapped to each axis with that axis's range: a square map gets the
        # paper's R x R band. float32 whatever the compute dtype, so that float16 layers draw the same bands.
        shape = (ops.shape(inputs)[0],) if self._per_sample else ()
        u = keras.random.uniform(shape, dtype="float32", seed=self.seed_generator)
        out = []
        for p in plans:
            keep = keep_from_uniform(u, p.low, p.high)
            mask = ops.take(as_constant(p.table, dtype), keep - 1, axis=0)  # (..., m): row keep-1 of the table
            weighted = ops.expand_dims(mask, -1) * as_constant(p.analysis, dtype)  # (..., m, n)
            out.append(ops.matmul(as_constant(p.basis, dtype), weighted))
        return out[0], out[1], self._per_sample

    def _apply(self, x: Any, op_h: Any, op_w: Any, batched: bool) -> Any:
        """``x`` multiplied by ``op_h`` along height and ``op_w`` along width, without moving the channels."""
        n_h, n_w = self._plan_h.length, self._plan_w.length
        if self.data_format == "channels_last":  # (B, H, W, C)
            channels = ops.shape(x)[-1]
            if op_h is not None:  # (m, H) @ (B, H, W*C): one broadcast GEMM, no transpose
                y = ops.matmul(op_h, ops.reshape(x, (-1, n_h, n_w * channels)))
                x = ops.reshape(y, (-1, op_h.shape[-2], n_w, channels))
            if op_w is not None:  # (m, W) @ (B, m_h, W, C)
                x = ops.matmul(ops.expand_dims(op_w, 1) if batched else op_w, x)
            return x
        channels = ops.shape(x)[1]  # (B, C, H, W)
        if op_w is not None:
            if batched:
                x = ops.matmul(x, ops.expand_dims(ops.transpose(op_w, (0, 2, 1)), 1))
            else:  # a single (B*C*H, W) @ (W, m) GEMM
                m = op_w.shape[-2]
                x = ops.reshape(ops.matmul(ops.reshape(x, (-1, n_w)), ops.transpose(op_w)), (-1, channels, n_h, m))
        if op_h is not None:
            x = ops.matmul(ops.expand_dims(op_h, 1) if batched else op_h, x)
        return x


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralPooling2D(_SpectralLayer):
    """Spectral pooling (Rippel et al., 2015) of 2-D feature maps, with optional frequency dropout.

    Keeps the lowest frequencies of each map and returns it at the smaller size, exactly as
    ``spectralcore.spectral_pool``. In training, frequency dropout then keeps only a random ``R x R`` low-pass
    band of the pooled map (same size): one uniform variate per call (or per sample) is mapped to an integer keep
    on each axis by ``spectralcore.keep_from_uniform``'s rule, with the range from
    ``spectralcore.dropout_keep_range``. The layer is the identity on the band at inference.

    Parameters
    ----------
    size : int or tuple of two ints, optional
        Output ``(height, width)``. Exactly one of ``size`` and ``scale``.
    scale : float or tuple of two floats, optional
        Factor gamma in ``(0, 1]``: output ``max(1, floor(gamma * n))`` per axis (``spectralcore.scaled_size``).
    norm : {"amplitude", "ortho"}
        ``"amplitude"`` keeps constants constant (``scipy.signal.resample``); ``"ortho"`` is the paper's unitary
        DFT.
    nyquist : {"sum", "average"}
        Rule for even output sizes: the ``resample`` sum (default) or the paper's average.
    dropout_min_fraction : float, optional
        ``c`` in ``(0, 1]``: keep ``R`` uniform in ``[ceil(c * m), m]`` on a pooled axis of length ``m``.
    dropout_bounds : tuple of two ints, optional
        Explicit inclusive range ``(low, high)`` of ``R``, checked against both pooled axes.
    dropout_per_sample : bool
        Draw ``R`` per sample (all channels of a sample share it) instead of once per call.
    data_format : {"channels_last", "channels_first"}, optional
        Default ``keras.config.image_data_format()``.
    seed : int, optional
        Seed of the layer's ``keras.random.SeedGenerator``.
    **kwargs
        Base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import SpectralPooling2D
    >>> x = np.random.default_rng(0).standard_normal((2, 32, 32, 3)).astype("float32")
    >>> layer = SpectralPooling2D(16, dropout_min_fraction=0.5, seed=1)
    >>> tuple(layer(x).shape)  # inference: pooling only
    (2, 16, 16, 3)
    >>> tuple(layer(x, training=True).shape)  # plus a random low-pass band
    (2, 16, 16, 3)
    """

    def __init__(
        self,
        size: int | tuple[int, int] | None = None,
        scale: float | tuple[float, float] | None = None,
        norm: str = "amplitude",
        nyquist: str = "sum",
        dropout_min_fraction: float | None = None,
        dropout_bounds: tuple[int, int] | None = None,
        dropout_per_sample: bool = False,
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if (size is None) == (scale is None):
            raise ValueError(
                "Invalid values received for arguments `size` and `scale`. Expected exactly one of them. "
                f"Received: size={size!r}, scale={scale!r}"
            )
        self.size = None if size is None else check_int_pair("size", size)
        self.scale = None if scale is None else check_fraction("scale", scale, pair=True)
        self.norm = check_choice("norm", norm, ("amplitude", "ortho"))
        self.nyquist = check_choice("nyquist", nyquist, ("sum", "average"))
        self.dropout_min_fraction, self.dropout_bounds = _check_dropout(
            "dropout_", dropout_min_fraction, dropout_bounds, required=False
        )
        self.dropout_per_sample = _check_bool("dropout_per_sample", dropout_per_sample)
        self.data_format = check_data_format(data_format)
        self.seed = _check_seed(seed)
        self._dropout = self.dropout_min_fraction is not None or self.dropout_bounds is not None
        self._per_sample = self.dropout_per_sample
        self.seed_generator = keras.random.SeedGenerator(seed) if self._dropout else None

    def _output_hw(self, h: int | None, w: int | None) -> tuple[int | None, int | None]:
        if self.size is not None:
            return self.size
        scale = self.scale if isinstance(self.scale, tuple) else (self.scale, self.scale)
        return tuple(None if n is None else sc.scaled_size(n, s) for n, s in zip((h, w), scale, strict=True))  # type: ignore[return-value]

    def build(self, input_shape: Any) -> None:
        h, w = _check_input_shape(self, input_shape)
        mh, mw = self._output_hw(h, w)
        # Static h and w (checked above) give static output sizes.
        assert mh is not None
        assert mw is not None
        if self.size is not None and (mh > h or mw > w):
            raise ValueError(
                f"Layer '{self.name}' (SpectralPooling2D) cannot pool a {h} x {w} map to size={self.size}: "
                f"spectral pooling only shrinks. Received: input_shape={tuple(input_shape)}"
            )
        ranges = [None, None]
        if self._dropout:
            ranges = [_keep_range(self, m, self.dropout_min_fraction, self.dropout_bounds) for m in (mh, mw)]
        self._plan_h = _plan(h, mh, self.norm, self.nyquist, ranges[0])
        self._plan_w = _plan(w, mw, self.norm, self.nyquist, ranges[1])

    def call(self, inputs: Any, training: Any = None) -> Any:
        return self._apply(inputs, *self._operators(inputs, training))

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        if len(shape) != 4:
            _check_input_shape(self, input_shape)  # raises the rank error
        a, b = _spatial_axes(self.data_format)
        shape[a], shape[b] = self._output_hw(shape[a], shape[b])
        return tuple(shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "size": self.size,
                "scale": self.scale,
                "norm": self.norm,
                "nyquist": self.nyquist,
                "dropout_min_fraction": self.dropout_min_fraction,
                "dropout_bounds": self.dropout_bounds,
                "dropout_per_sample": self.dropout_per_sample,
                "data_format": self.data_format,
                "seed": self.seed,
            }
        )
        return config


@keras.saving.register_keras_serializable(package="spectralcore")
class FrequencyDropout2D(_SpectralLayer):
    """Frequency dropout on its own: in training, keep a random low-pass band of each map, at the same size.

    The band is drawn as in :class:`SpectralPooling2D` (one variate per call, or per sample, mapped to each axis);
    the layer is the identity when ``training`` is false or unset.

    Parameters
    ----------
    min_fraction : float, optional
        ``c`` in ``(0, 1]``: keep ``R`` uniform in ``[ceil(c * n), n]`` per axis. Exactly one of ``min_fraction``
        and ``bounds``.
    bounds : tuple of two ints, optional
        Explicit inclusive range ``(low, high)`` of ``R``, checked against both axes.
    per_sample : bool
        Draw ``R`` per sample (shared by its channels) instead of once per call.
    nyquist : {"sum", "average"}
        Even keeps: keep the cosine at ``keep/2`` (sum, an orthogonal projection) or half of it (the paper).
    data_format : {"channels_last", "channels_first"}, optional
        Default ``keras.config.image_data_format()``.
    seed : int, optional
        Seed of the layer's ``keras.random.SeedGenerator``.
    **kwargs
        Base ``keras.layers.Layer`` arguments.

    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import FrequencyDropout2D
    >>> x = np.ones((2, 8, 8, 1), "float32")
    >>> layer = FrequencyDropout2D(bounds=(1, 4), seed=0)
    >>> bool(np.array_equal(layer(x), x))  # identity at inference
    True
    >>> bool(np.allclose(layer(x, training=True), x, atol=1e-6))  # a constant is band-limited
    True
    """

    def __init__(
        self,
        min_fraction: float | None = None,
        bounds: tuple[int, int] | None = None,
        per_sample: bool = False,
        nyquist: str = "sum",
        data_format: str | None = None,
        seed: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.min_fraction, self.bounds = _check_dropout("", min_fraction, bounds, required=True)
        self.per_sample = _check_bool("per_sample", per_sample)
        self.nyquist = check_choice("nyquist", nyquist, ("sum", "average"))
        self.data_format = check_data_format(data_format)
        self.seed = _check_seed(seed)
        self._dropout = True
        self._per_sample = self.per_sample
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape: Any) -> None:
        h, w = _check_input_shape(self, input_shape)
        self._plan_h = _plan(h, h, "amplitude", self.nyquist, _keep_range(self, h, self.min_fraction, self.bounds))
        self._plan_w = _plan(w, w, "amplitude", self.nyquist, _keep_range(self, w, self.min_fraction, self.bounds))

    def call(self, inputs: Any, training: Any = None) -> Any:
        if not training:
            return inputs
        return self._apply(inputs, *self._operators(inputs, training))

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "min_fraction": self.min_fraction,
                "bounds": self.bounds,
                "per_sample": self.per_sample,
                "nyquist": self.nyquist,
                "data_format": self.data_format,
                "seed": self.seed,
            }
        )
        return config
