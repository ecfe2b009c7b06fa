"""``SpectralPooling1D/2D/3D``: the core's exact spectral pooling, with built-in frequency dropout, in ``keras.ops``.

One rank-generic implementation (:class:`_SpectralPooling`); the public classes only fix the rank and the
docstring. Every Fourier rule comes from ``spectralcore`` per input size (see ``_spectral.py``).
"""

from __future__ import annotations

from typing import Any

import keras

import spectralcore as sc
from spectralcore import _validation as v

from ._common import KERAS, check_data_format, check_dropout, check_seed, spatial_axes
from ._spectral import AxisOperator, SpectralMapLayer, axis_operator, check_boundary

__all__ = ["SpectralPooling1D", "SpectralPooling2D", "SpectralPooling3D"]


def keep_range(layer: keras.layers.Layer, m: int, fraction: float | None, bounds: tuple[int, int] | None) -> Any:
    try:
        return sc.dropout_keep_range(m, min_fraction=fraction, bounds=bounds)
    except ValueError as exc:  # bounds larger than the (pooled) map: say which layer and axis length
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}): {exc}") from exc


class _SpectralPooling(SpectralMapLayer):
    """Spectral pooling of ``rank``-D maps; see :class:`SpectralPooling2D` for the parameters."""

    def __init__(
        self,
        size: int | tuple[int, ...] | None = None,
        scale: float | tuple[float, ...] | None = None,
        norm: str = "amplitude",
        nyquist: str = "sum",
        dropout_min_fraction: float | None = None,
        dropout_bounds: tuple[int, int] | None = None,
        dropout_per_sample: bool = False,
        data_format: str | None = None,
        seed: int | None = None,
        boundary: str = "periodic",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        v.exactly_one(KERAS, ("size", "scale"), (size, scale))
        self.size = None if size is None else v.per_axis_sizes(KERAS, "size", size, self.rank)
        # A scale keeps the form it was given in (one float, or one per axis), for get_config.
        self.scale: float | tuple[float, ...] | None = scale
        if isinstance(scale, (tuple, list)):
            self.scale = v.per_axis_fractions(KERAS, "scale", scale, self.rank)
        elif scale is not None:
            self.scale = v.fraction(KERAS, "scale", scale)
        self.norm = v.choice(KERAS, "norm", norm, v.NORMS_POOL)
        self.nyquist = v.choice(KERAS, "nyquist", nyquist, v.NYQUIST_RULES)
        self.boundary = check_boundary(boundary, self.nyquist)
        self.dropout_min_fraction, self.dropout_bounds = check_dropout(
            "dropout_", dropout_min_fraction, dropout_bounds, required=False
        )
        self.dropout_per_sample = v.boolean(KERAS, "dropout_per_sample", dropout_per_sample)
        self.data_format = check_data_format(data_format)
        self.seed = check_seed(seed)
        self.input_spec = keras.layers.InputSpec(ndim=self.rank + 2)
        self._dropout = self.dropout_min_fraction is not None or self.dropout_bounds is not None
        self._per_sample = self.dropout_per_sample
        self.seed_generator = keras.random.SeedGenerator(seed) if self._dropout else None

    def _output_sizes(self, spatial: tuple[int | None, ...]) -> tuple[int | None, ...]:
        if self.size is not None:
            return self.size
        assert self.scale is not None  # exactly one of size and scale
        scale = self.scale if isinstance(self.scale, tuple) else (self.scale,) * self.rank
        return tuple(None if n is None else sc.scaled_size(n, s) for n, s in zip(spatial, scale, strict=True))

    def _operators(self, spatial: tuple[int, ...]) -> tuple[AxisOperator, ...]:
        sizes = self._output_sizes(spatial)
        if any(m > n for m, n in zip(sizes, spatial, strict=True)):  # type: ignore[operator]
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) cannot pool a {' x '.join(map(str, spatial))} map "
                f"to size={self.size}: spectral pooling only shrinks."
            )
        plans = []
        for n, m in zip(spatial, sizes, strict=True):
            assert m is not None  # static input sizes give static output sizes
            band = keep_range(self, m, self.dropout_min_fraction, self.dropout_bounds) if self._dropout else None
            plans.append(axis_operator(n, m, self.norm, self.nyquist, self.boundary, band))
        return tuple(plans)

    def call(self, inputs: Any, training: Any = None) -> Any:
        return self._transform(inputs, training)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        shape = list(input_shape)
        self._check_rank(tuple(shape))
        axes = spatial_axes(self.rank, self.data_format)
        for axis, m in zip(axes, self._output_sizes(tuple(shape[a] for a in axes)), strict=True):
            shape[axis] = m
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
                "boundary": self.boundary,
            }
        )
        return config


_PARAMETERS = """
    Parameters
    ----------
    size : int or tuple of {rank} ints, optional
        Output size of each spatial axis. Exactly one of ``size`` and ``scale``.
    scale : float or tuple of {rank} floats, optional
        Factor gamma in ``(0, 1]``: output ``max(1, floor(gamma * n))`` per axis (``spectralcore.scaled_size``).
    norm : {{"amplitude", "ortho"}}
        ``"amplitude"`` keeps constants constant (``scipy.signal.resample``); ``"ortho"`` is the paper's unitary
        DFT.
    nyquist : {{"sum", "average"}}
        Rule for even output sizes: the ``resample`` sum (default) or the paper's average. Periodic basis only.
    dropout_min_fraction : float, optional
        ``c`` in ``(0, 1]``: keep ``R`` uniform in ``[ceil(c * m), m]`` on a pooled axis of length ``m``.
    dropout_bounds : tuple of two ints, optional
        Explicit inclusive range ``(low, high)`` of ``R``, checked against every pooled axis.
    dropout_per_sample : bool
        Draw ``R`` per sample (all channels of a sample share it) instead of once per call.
    data_format : {{"channels_last", "channels_first"}}, optional
        Default ``keras.config.image_data_format()``.
    seed : int, optional
        Seed of the layer's ``keras.random.SeedGenerator``.
    boundary : {{"periodic", "symmetric"}}
        ``"periodic"`` (default): the DFT, for periodic signals. ``"symmetric"``: the DCT-II (mirror extension, no
        jump at the borders of a non-periodic crop); it keeps the lowest DCT coefficients and has no Nyquist case.
    **kwargs
        Base ``keras.layers.Layer`` arguments (``name``, ``dtype``, ...).

    Notes
    -----
    Any input size: the exact operators are per size, so they are looked up (and cached) for the static spatial
    size of each call, eagerly and inside ``tf.function`` / ``jit_compile``. A function traced with an unknown
    (``None``) spatial size raises a ``ValueError``. Complex input (complex64, complex128) is pooled as its real
    and imaginary parts alike and keeps its dtype.
"""


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralPooling1D(_SpectralPooling):
    __doc__ = (
        """Spectral pooling of 1-D sequences ``(batch, steps, channels)``, with optional frequency dropout.

    As :class:`SpectralPooling2D`, along the one spatial axis (audio, time series).
    """
        + _PARAMETERS.format(rank=1)
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import SpectralPooling1D
    >>> x = np.random.default_rng(0).standard_normal((2, 100, 3)).astype("float32")
    >>> tuple(SpectralPooling1D(25)(x).shape)
    (2, 25, 3)
    """
    )
    rank = 1


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralPooling2D(_SpectralPooling):
    __doc__ = (
        """Spectral pooling (Rippel et al., 2015) of 2-D feature maps, with optional frequency dropout.

    Keeps the lowest frequencies of each map and returns it at the smaller size, exactly as
    ``spectralcore.spectral_pool``. In training, frequency dropout then keeps only a random ``R x R`` low-pass
    band of the pooled map (same size): one uniform variate per call (or per sample) is mapped to an integer keep
    on each axis by ``spectralcore.keep_from_uniform``'s rule, with the range from
    ``spectralcore.dropout_keep_range``. The layer is the identity on the band at inference.
    """
        + _PARAMETERS.format(rank=2)
        + """
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
    >>> tuple(layer(np.zeros((2, 48, 40, 3), "float32")).shape)  # another size: that size's own operators
    (2, 16, 16, 3)
    """
    )
    rank = 2


@keras.saving.register_keras_serializable(package="spectralcore")
class SpectralPooling3D(_SpectralPooling):
    __doc__ = (
        """Spectral pooling of 3-D volumes ``(batch, d1, d2, d3, channels)``, with optional frequency dropout.

    As :class:`SpectralPooling2D`, along three spatial axes (video, volumes); the random band is ``R x R x R`` on
    a cube.
    """
        + _PARAMETERS.format(rank=3)
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import SpectralPooling3D
    >>> x = np.random.default_rng(0).standard_normal((2, 8, 8, 8, 1)).astype("float32")
    >>> tuple(SpectralPooling3D(scale=0.5)(x).shape)
    (2, 4, 4, 4, 1)
    """
    )
    rank = 3
