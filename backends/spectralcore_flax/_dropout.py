"""``FrequencyDropout``: a random low-pass band of each map, the identity when ``deterministic``.

The band is drawn as in :class:`~spectralcore_flax.SpectralPool` and applied by ``spectralcore.lowpass``.
"""

from __future__ import annotations

import jax
from flax import nnx

import spectralcore as sc
from spectralcore import _validation as v

from . import _checks as ck
from ._pooling import draw_band

__all__ = ["FrequencyDropout"]


class FrequencyDropout(nnx.Module):
    """Frequency dropout (Rippel et al. 2015) of channels-last maps, 1-D to 3-D, at the same size.

    When not ``deterministic``, keep only the ``R`` lowest frequencies per spatial axis: one ``u ~ U[0, 1)`` per
    call (or per sample) from the ``dropout`` stream of ``rngs``, mapped to each axis of length ``n`` by
    :func:`spectralcore.keep_from_uniform` on :func:`spectralcore.dropout_keep_range` (``[ceil(c n), n]`` or
    ``bounds``), then :func:`spectralcore.lowpass`. The identity when ``deterministic`` is True, as
    ``nnx.Dropout``.

    Parameters
    ----------
    min_fraction : float, optional
        ``c`` in ``(0, 1]``. Exactly one of ``min_fraction`` and ``bounds``.
    bounds : tuple of two ints, optional
        Inclusive ``(low, high)``, at most the smallest spatial side (checked at the call).
    per_sample : bool
        One draw per sample (shared by its channels) instead of one per call.
    rank : {1, 2, 3}, optional
        Number of spatial axes; default every axis between the first (batch) and the last (channels).
    nyquist : {"sum", "average"}
        Even keeps: keep the cosine at ``keep / 2`` (sum, an orthogonal projection) or half of it (the paper).
    boundary : {"periodic", "symmetric"}
        The band in the DFT or in the DCT-II basis.
    method : {"auto", "matmul", "fft"}
        As in :func:`spectralcore.lowpass`.
    deterministic : bool, optional
        True: the identity. The call's ``deterministic`` wins; ``nnx.view`` sets it.
    rng_collection : str
        Name of the stream (default ``"dropout"``).
    rngs : nnx.Rngs or nnx.RngStream, optional
        Source of the draws (or give them at the call).

    Examples
    --------
    >>> import jax.numpy as jnp
    >>> from flax import nnx
    >>> from spectralcore_flax import FrequencyDropout
    >>> x = jnp.arange(2 * 8 * 8 * 1, dtype=jnp.float32).reshape(2, 8, 8, 1)
    >>> drop = FrequencyDropout(bounds=(1, 1), rngs=nnx.Rngs(dropout=0))  # keep only the mean of each map
    >>> bool(jnp.allclose(drop(x), x.mean(axis=(1, 2), keepdims=True) * jnp.ones_like(x), atol=1e-4))
    True
    >>> drop(x, deterministic=True) is x
    True
    """

    def __init__(
        self,
        min_fraction: float | None = None,
        bounds: tuple[int, int] | None = None,
        *,
        per_sample: bool = False,
        rank: int | None = None,
        nyquist: str = "sum",
        boundary: str = "periodic",
        method: str = "auto",
        deterministic: bool | None = False,
        rng_collection: str = "dropout",
        rngs: nnx.Rngs | nnx.RngStream | None = None,
    ) -> None:
        func = type(self).__name__
        spec = ck.dropout_spec(func, min_fraction, bounds, ("min_fraction", "bounds"), required=True)
        assert spec is not None  # required
        self.dropout: ck.Spec = spec
        self.per_sample = v.boolean(func, "per_sample", per_sample)
        self.rank = ck.rank_or_none(func, rank)
        self.nyquist = v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
        self.boundary = v.choice(func, "boundary", boundary, v.BOUNDARIES)
        if self.boundary == "symmetric" and self.nyquist != "sum":
            raise v.value_error(
                func, "nyquist", '"sum" with boundary="symmetric" (the cosine basis has no Nyquist bin)', repr(nyquist)
            )
        self.method = v.choice(func, "method", method, v.METHODS)
        self.deterministic = ck.optional_bool(func, "deterministic", deterministic)
        self.rng_collection = ck.stream_name(func, rng_collection)
        self.rngs = nnx.data(ck.rng_stream(func, rngs, self.rng_collection))

    def __call__(
        self,
        inputs: jax.Array,
        *,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | nnx.RngStream | jax.Array | None = None,
    ) -> jax.Array:
        """The band-limited ``inputs`` ``(*batch, *spatial, channels)``, or ``inputs`` itself when deterministic."""
        func = type(self).__name__
        x, rank = ck.feature_map(func, inputs, self.rank)
        if ck.is_deterministic(func, deterministic, self.deterministic):
            return inputs
        axes = tuple(range(x.ndim - rank - 1, x.ndim - 1))
        spatial = tuple(x.shape[a] for a in axes)
        key = ck.call_key(func, rngs, self.rngs, self.rng_collection)
        keeps = draw_band(func, x, rank, spatial, self.dropout, self.per_sample, key, "bounds")
        return sc.lowpass(
            x, keeps, axes=axes, nyquist=self.nyquist, boundary=self.boundary, method=self.method, check_keep=False
        )

    def set_view(self, deterministic: bool | None = None) -> None:
        """What ``nnx.view(model, deterministic=...)`` calls, as for ``nnx.Dropout``."""
        if deterministic is not None:
            self.deterministic = deterministic
