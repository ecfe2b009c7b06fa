"""``SpectralPool``: the core's spectral pooling of channels-last maps, with built-in frequency dropout.

The module holds only configuration and, with dropout, a forked ``nnx.Rngs`` stream; every Fourier rule is
``spectralcore.spectral_pool`` (with ``keep=`` for the fused random band), called on the JAX arrays directly.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

import spectralcore as sc
from spectralcore import _validation as v

from . import _checks as ck

__all__ = ["SpectralPool"]


def draw_band(
    func: str,
    x: jax.Array,
    rank: int,
    sizes: tuple[int, ...],
    spec: ck.Spec,
    per_sample: bool,
    key: jax.Array,
    bounds_name: str,
) -> tuple[jax.Array, ...]:
    """One ``u ~ U[0, 1)`` per call (or per sample), mapped to every axis by the core's rule.

    ``u`` is float32 whatever the input's dtype, so a key gives the same band for bfloat16, float32 and float64.
    Per sample, ``u`` has the batch dims and a 1 for the channels: all channels of a sample share its band.
    """
    ranges = ck.keep_ranges(func, spec, sizes, bounds_name)
    shape = (*x.shape[: x.ndim - rank - 1], 1) if per_sample else ()
    u = jax.random.uniform(key, shape, dtype=jnp.float32)
    return tuple(sc.keep_from_uniform(u, low, high, check=False) for low, high in ranges)


class SpectralPool(nnx.Module):
    """Spectral pooling (Rippel et al. 2015) of channels-last maps, 1-D to 3-D, with optional frequency dropout.

    Keeps the lowest frequencies of each map and returns it at the smaller size, exactly as
    :func:`spectralcore.spectral_pool` on the spatial axes of ``(*batch, *spatial, channels)``. With dropout on and
    ``deterministic`` False, the pooled map then keeps only a random low-pass band: one ``u ~ U[0, 1)`` per call
    (or per sample) drawn from the ``dropout`` stream of ``rngs``, mapped to each axis of pooled length ``m`` by
    :func:`spectralcore.keep_from_uniform` on the range :func:`spectralcore.dropout_keep_range` (the rule the
    torch and Keras adapters share), and fused into the pooling (``spectral_pool(..., keep=...)``).

    Parameters
    ----------
    size : int or tuple of ints, optional
        Output size of each spatial axis; a tuple of 1, 2 or 3 sizes also fixes the number of spatial axes. Exactly
        one of ``size`` and ``scale``.
    scale : float or tuple of floats, optional
        Factor ``gamma`` in ``(0, 1]``: output :func:`spectralcore.scaled_size` of each axis.
    rank : {1, 2, 3}, optional
        Number of spatial axes, for an int ``size`` or a float ``scale``. Default: every axis between the first
        (batch) and the last (channels); give it for unbatched input (under ``nnx.vmap``) or several batch dims.
    norm : {"amplitude", "ortho"}
        ``"amplitude"`` keeps constants constant; ``"ortho"`` is the paper's unitary DFT.
    nyquist : {"sum", "average"}
        Even-size Nyquist rule (periodic basis): the ``scipy.signal.resample`` sum or the paper's average.
    boundary : {"periodic", "symmetric"}
        The DFT (default) or the DCT-II basis of the mirror-extended map (``nyquist`` must stay ``"sum"``).
    method : {"auto", "matmul", "fft"}
        As in :func:`spectralcore.spectral_pool`.
    dropout_min_fraction : float, optional
        ``c`` in ``(0, 1]``: keep ``R`` uniform on ``[ceil(c m), m]`` per pooled axis of length ``m``.
    dropout_bounds : tuple of two ints, optional
        Inclusive ``(low, high)`` of ``R``, at most the smallest pooled side. At most one of the two dropout
        arguments; dropout is off when both are None (the default).
    dropout_per_sample : bool
        One draw per sample (shared by its channels) instead of one per call.
    deterministic : bool, optional
        As in ``nnx.Dropout``: True turns the dropout off (inference); the call's ``deterministic`` wins.
    rng_collection : str
        Name of the stream the draws come from (default ``"dropout"``).
    rngs : nnx.Rngs or nnx.RngStream, optional
        Source of the draws (needed only with dropout on, here or at the call).

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> from flax import nnx
    >>> from spectralcore_flax import SpectralPool
    >>> x = jax.random.normal(jax.random.key(0), (8, 32, 32, 3))
    >>> SpectralPool(16)(x).shape
    (8, 16, 16, 3)
    >>> pool = SpectralPool(scale=0.5, dropout_min_fraction=0.3, rngs=nnx.Rngs(dropout=0))
    >>> pool(x).shape  # a random low-pass band of the 16 x 16 map
    (8, 16, 16, 3)
    >>> bool(jnp.array_equal(pool(x, deterministic=True), SpectralPool(16)(x)))  # off at inference
    True
    >>> SpectralPool((10,))(jnp.ones((4, 40, 2))).shape  # 1-D: the tuple fixes the rank
    (4, 10, 2)
    """

    def __init__(
        self,
        size: int | tuple[int, ...] | None = None,
        *,
        scale: float | tuple[float, ...] | None = None,
        rank: int | None = None,
        norm: str = "amplitude",
        nyquist: str = "sum",
        boundary: str = "periodic",
        method: str = "auto",
        dropout_min_fraction: float | None = None,
        dropout_bounds: tuple[int, int] | None = None,
        dropout_per_sample: bool = False,
        deterministic: bool | None = False,
        rng_collection: str = "dropout",
        rngs: nnx.Rngs | nnx.RngStream | None = None,
    ) -> None:
        func = type(self).__name__
        self.rank, self.size, self.scale = ck.size_or_scale(func, size, scale, ck.rank_or_none(func, rank))
        self.norm = v.choice(func, "norm", norm, v.NORMS_POOL)
        self.nyquist = v.choice(func, "nyquist", nyquist, v.NYQUIST_RULES)
        self.boundary = v.choice(func, "boundary", boundary, v.BOUNDARIES)
        if self.boundary == "symmetric" and self.nyquist != "sum":
            raise v.value_error(
                func, "nyquist", '"sum" with boundary="symmetric" (the cosine basis has no Nyquist bin)', repr(nyquist)
            )
        self.method = v.choice(func, "method", method, v.METHODS)
        names = ("dropout_min_fraction", "dropout_bounds")
        self.dropout = ck.dropout_spec(func, dropout_min_fraction, dropout_bounds, names, required=False)
        if self.dropout is not None and self.dropout[0] == "bounds" and isinstance(self.size, tuple):
            ck.keep_ranges(func, self.dropout, self.size, "dropout_bounds")  # a known size fails here, not later
        self.dropout_per_sample = v.boolean(func, "dropout_per_sample", dropout_per_sample)
        self.deterministic = ck.optional_bool(func, "deterministic", deterministic)
        self.rng_collection = ck.stream_name(func, rng_collection)
        self.rngs = nnx.data(ck.rng_stream(func, rngs, self.rng_collection)) if self.dropout else nnx.data(None)

    def output_size(self, spatial: tuple[int, ...]) -> tuple[int, ...]:
        """The pooled size of a map of spatial size ``spatial`` (checked: pooling only shrinks).

        Examples
        --------
        >>> from spectralcore_flax import SpectralPool
        >>> SpectralPool(scale=0.5).output_size((32, 15))
        (16, 7)
        """
        func = type(self).__name__
        if self.scale is not None:
            return tuple(
                sc.scaled_size(n, s) for n, s in zip(spatial, ck.per_axis(self.scale, len(spatial)), strict=True)
            )
        sizes = ck.per_axis(self.size, len(spatial))
        if any(m > n for m, n in zip(sizes, spatial, strict=True)):
            raise v.value_error(
                func,
                "size",
                f"at most the input's spatial size {spatial} (spectral pooling only shrinks)",
                repr(self.size),
            )
        return sizes

    def __call__(
        self,
        inputs: jax.Array,
        *,
        deterministic: bool | None = None,
        rngs: nnx.Rngs | nnx.RngStream | jax.Array | None = None,
    ) -> jax.Array:
        """Pool ``inputs`` ``(*batch, *spatial, channels)``; a random band too when dropout is on and not
        ``deterministic``. ``rngs`` (an ``nnx.Rngs``, a stream or a key) overrides the module's stream."""
        func = type(self).__name__
        x, rank = ck.feature_map(func, inputs, self.rank)
        axes = tuple(range(x.ndim - rank - 1, x.ndim - 1))
        spatial = tuple(x.shape[a] for a in axes)
        out = self.output_size(spatial)
        options: dict[str, Any] = {
            "axes": axes,
            "norm": self.norm,
            "nyquist": self.nyquist,
            "boundary": self.boundary,
            "method": self.method,
        }
        if self.dropout is None or ck.is_deterministic(func, deterministic, self.deterministic):
            return sc.spectral_pool(x, out, **options)
        key = ck.call_key(func, rngs, self.rngs, self.rng_collection)
        keeps = draw_band(func, x, rank, out, self.dropout, self.dropout_per_sample, key, "dropout_bounds")
        # check_keep=False: the keeps are drawn inside their ranges, and reading them back cannot be traced.
        return sc.spectral_pool(x, out, keep=keeps, check_keep=False, **options)

    def set_view(self, deterministic: bool | None = None) -> None:
        """What ``nnx.view(model, deterministic=...)`` calls, as for ``nnx.Dropout``."""
        if deterministic is not None:
            self.deterministic = deterministic
