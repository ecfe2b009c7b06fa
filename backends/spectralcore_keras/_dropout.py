"""``FrequencyDropout1D/2D/3D``: a random low-pass band in training, the identity otherwise, at the same size.

One rank-generic implementation; the band is drawn as in the pooling layers (``_spectral.py``), with the core's
low-pass matrices (the fused table at equal sizes).
"""

from __future__ import annotations

from typing import Any

import keras

from spectralcore import _validation as v

from ._common import KERAS, check_data_format, check_dropout, check_seed
from ._pooling import keep_range
from ._spectral import AxisOperator, SpectralMapLayer, axis_operator, check_boundary

__all__ = ["FrequencyDropout1D", "FrequencyDropout2D", "FrequencyDropout3D"]


class _FrequencyDropout(SpectralMapLayer):
    """Frequency dropout of ``rank``-D maps; see :class:`FrequencyDropout2D` for the parameters."""

    def __init__(
        self,
        min_fraction: float | None = None,
        bounds: tuple[int, int] | None = None,
        per_sample: bool = False,
        nyquist: str = "sum",
        data_format: str | None = None,
        seed: int | None = None,
        boundary: str = "periodic",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.min_fraction, self.bounds = check_dropout("", min_fraction, bounds, required=True)
        self.per_sample = v.boolean(KERAS, "per_sample", per_sample)
        self.nyquist = v.choice(KERAS, "nyquist", nyquist, v.NYQUIST_RULES)
        self.boundary = check_boundary(boundary, self.nyquist)
        self.data_format = check_data_format(data_format)
        self.seed = check_seed(seed)
        self.input_spec = keras.layers.InputSpec(ndim=self.rank + 2)
        self._dropout = True
        self._per_sample = self.per_sample
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _operators(self, spatial: tuple[int, ...]) -> tuple[AxisOperator, ...]:
        return tuple(
            axis_operator(
                n, n, "amplitude", self.nyquist, self.boundary, keep_range(self, n, self.min_fraction, self.bounds)
            )
            for n in spatial
        )

    def call(self, inputs: Any, training: Any = None) -> Any:
        if not training:
            return inputs
        return self._transform(inputs, training)

    def compute_output_shape(self, input_shape: Any) -> tuple[Any, ...]:
        self._check_rank(tuple(input_shape))
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
                "boundary": self.boundary,
            }
        )
        return config


_PARAMETERS = """
    Parameters
    ----------
    min_fraction : float, optional
        ``c`` in ``(0, 1]``: keep ``R`` uniform in ``[ceil(c * n), n]`` per axis. Exactly one of ``min_fraction``
        and ``bounds``.
    bounds : tuple of two ints, optional
        Explicit inclusive range ``(low, high)`` of ``R``, checked against every spatial axis.
    per_sample : bool
        Draw ``R`` per sample (shared by its channels) instead of once per call.
    nyquist : {"sum", "average"}
        Even keeps: keep the cosine at ``keep/2`` (sum, an orthogonal projection) or half of it (the paper).
        Periodic basis only.
    data_format : {"channels_last", "channels_first"}, optional
        Default ``keras.config.image_data_format()``.
    seed : int, optional
        Seed of the layer's ``keras.random.SeedGenerator``.
    boundary : {"periodic", "symmetric"}
        The band in the DFT basis (default) or in the DCT-II basis (mirror extension, no Nyquist case).
    **kwargs
        Base ``keras.layers.Layer`` arguments.

    Notes
    -----
    Any input size, complex input included, as for the pooling layers. In training the layer applies, per axis of
    length ``n``, a slice of the core's ``(n, n, n)`` low-pass table: 4 n^3 bytes in float32 (130 kB at
    n = 32, 45 MB at n = 224).
"""


@keras.saving.register_keras_serializable(package="spectralcore")
class FrequencyDropout1D(_FrequencyDropout):
    __doc__ = (
        """Frequency dropout of 1-D sequences ``(batch, steps, channels)``: a random low-pass band in training.

    As :class:`FrequencyDropout2D`, along the one spatial axis.
    """
        + _PARAMETERS
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import FrequencyDropout1D
    >>> x = np.ones((2, 16, 1), "float32")
    >>> bool(np.allclose(FrequencyDropout1D(bounds=(1, 4), seed=0)(x, training=True), x, atol=1e-6))
    True
    """
    )
    rank = 1


@keras.saving.register_keras_serializable(package="spectralcore")
class FrequencyDropout2D(_FrequencyDropout):
    __doc__ = (
        """Frequency dropout on its own: in training, keep a random low-pass band of each map, at the same size.

    The band is drawn as in :class:`SpectralPooling2D` (one variate per call, or per sample, mapped to each axis);
    the layer is the identity when ``training`` is false or unset.
    """
        + _PARAMETERS
        + """
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
    )
    rank = 2


@keras.saving.register_keras_serializable(package="spectralcore")
class FrequencyDropout3D(_FrequencyDropout):
    __doc__ = (
        """Frequency dropout of 3-D volumes ``(batch, d1, d2, d3, channels)``: a random low-pass band in training.

    As :class:`FrequencyDropout2D`, along three spatial axes.
    """
        + _PARAMETERS
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from spectralcore_keras import FrequencyDropout3D
    >>> x = np.ones((1, 4, 6, 5, 2), "float32")
    >>> bool(np.allclose(FrequencyDropout3D(min_fraction=0.5, seed=0)(x, training=True), x, atol=1e-6))
    True
    """
    )
    rank = 3
