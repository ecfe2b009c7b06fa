"""``SpectralConv``: an ``nnx.Conv`` whose parameters are the spectral coefficients of its kernels.

A subclass of ``nnx.Conv``: the configuration, the initialisation draw and the forward pass are Flax's own; only
the stored parameter differs. ``kernel`` becomes a property, the spatial kernel computed from ``spectral_kernel`` by
the core's filter map (:func:`spectralcore.spectral_to_spatial`); assigning a kernel (as ``nnx.Conv.__init__``
does) stores its spectral image (:func:`spectralcore.spatial_to_spectral`).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from flax import nnx

import spectralcore as sc
from spectralcore import _validation as v

__all__ = ["SpectralConv"]

# nnx.Conv's configuration attributes, carried over by from_conv / to_conv (the kernel and bias are mapped).
_CONFIG = (
    "strides",
    "padding",
    "input_dilation",
    "kernel_dilation",
    "feature_group_count",
    "use_bias",
    "mask",
    "dtype",
    "param_dtype",
    "precision",
    "conv_general_dilated",
    "promote_dtype",
    "preferred_element_type",
)


class SpectralConv(nnx.Conv):
    """``nnx.Conv`` learned in the frequency domain (Rippel et al. 2015): 1-D to 3-D, channels-last.

    Same constructor, forward pass and outputs as :class:`flax.nnx.Conv` (it is one). The parameter
    ``spectral_kernel``, of the kernel's shape ``(*kernel_size, in_features / groups, out_features)``, holds exactly
    ``prod(kernel_size)`` reals per filter: the core's filter map over the kernel axes. Every real value is a
    valid real kernel, so an optimizer updates it freely. ``kernel`` is the spatial kernel, computed from it
    (differentiable); assigning a spatial kernel to ``kernel`` stores its spectral image.

    Under ``norm="ortho"`` (default) the map is orthogonal: ``||spectral_kernel|| == ||kernel||``, so weight decay
    acts identically and plain SGD follows the same trajectory in both parameterizations; adaptive optimizers
    (Adam) differ, which is the paper's point.

    Parameters
    ----------
    in_features, out_features, kernel_size, strides, padding, input_dilation, kernel_dilation, \
feature_group_count, use_bias, mask, dtype, param_dtype, precision, kernel_init, bias_init, rngs, **kwargs
        As in :class:`flax.nnx.Conv`. The kernel is drawn by ``kernel_init`` exactly as ``nnx.Conv`` draws it
        (same ``rngs``, same spatial kernel up to rounding) and stored as its spectral image.
    norm : {"ortho", "backward", "forward"}
        DFT normalization of the spectral parameters (keyword only).

    Examples
    --------
    >>> import jax, jax.numpy as jnp
    >>> from flax import nnx
    >>> from spectralcore_flax import SpectralConv
    >>> conv = nnx.Conv(3, 8, (3, 3), rngs=nnx.Rngs(0))
    >>> spectral = SpectralConv.from_conv(conv)
    >>> x = jax.random.normal(jax.random.key(1), (2, 16, 16, 3))
    >>> bool(jnp.allclose(spectral(x), conv(x), atol=1e-5))
    True
    >>> spectral.spectral_kernel.shape  # 3 * 3 reals per filter
    (3, 3, 3, 8)
    >>> bool(jnp.allclose(jnp.linalg.norm(spectral.spectral_kernel[...]), jnp.linalg.norm(conv.kernel[...])))
    True
    """

    def __init__(self, *args: Any, norm: str = "ortho", **kwargs: Any) -> None:
        # Set before nnx.Conv.__init__, whose `self.kernel = Param(...)` goes through the setter below.
        self.norm = v.choice(type(self).__name__, "norm", norm, v.NORMS_FILTER)
        super().__init__(*args, **kwargs)

    def _axes(self, ndim: int) -> tuple[int, ...]:
        return tuple(range(ndim - 2))  # the kernel axes: (*kernel_size, in / groups, out)

    @property  # type: ignore[override]  # a computed array where nnx.Conv stores a Param
    def kernel(self) -> jax.Array:
        """The spatial kernel ``(*kernel_size, in_features / groups, out_features)``, from ``spectral_kernel``."""
        theta = self.spectral_kernel[...]
        return sc.spectral_to_spatial(theta, axes=self._axes(theta.ndim), norm=self.norm)

    @kernel.setter
    def kernel(self, value: Any) -> None:
        w = jnp.asarray(value[...] if isinstance(value, nnx.Variable) else value)
        shape = getattr(self, "kernel_shape", None)
        if w.ndim < 3 or (shape is not None and tuple(w.shape) != tuple(shape)):
            raise v.value_error(type(self).__name__, "kernel", f"an array of shape {shape}", f"shape {w.shape}")
        # Mapped in at least float32, so a half-precision parameter rounds once, when stored.
        work = w.astype(jnp.promote_types(w.dtype, jnp.float32))
        theta = sc.spatial_to_spectral(work, axes=self._axes(w.ndim), norm=self.norm).astype(w.dtype)
        metadata = value.get_metadata() if isinstance(value, nnx.Variable) else {}
        self.spectral_kernel = nnx.Param(theta, **metadata)

    @classmethod
    def from_conv(cls, conv: nnx.Conv, *, norm: str = "ortho") -> SpectralConv:
        """The exact spectral image of ``conv``: same configuration, dtype, bias and outputs.

        Consumes none of the caller's random numbers (the throw-away draw uses its own key).

        Examples
        --------
        >>> import jax, jax.numpy as jnp
        >>> from flax import nnx
        >>> from spectralcore_flax import SpectralConv
        >>> conv = nnx.Conv(4, 6, (3, 5), feature_group_count=2, padding="CIRCULAR", rngs=nnx.Rngs(0))
        >>> back = SpectralConv.from_conv(conv).to_conv()
        >>> bool(jnp.allclose(back.kernel[...], conv.kernel[...], atol=1e-6))
        True
        """
        if not isinstance(conv, nnx.Conv):
            raise v.type_error(f"{cls.__name__}.from_conv", "conv", "an nnx.Conv", type(conv).__name__)
        options = {name: getattr(conv, name) for name in _CONFIG}
        layer = cls(conv.in_features, conv.out_features, conv.kernel_size, norm=norm, rngs=nnx.Rngs(0), **options)
        layer.kernel = conv.kernel
        if conv.bias is not None:
            layer.bias = nnx.Param(conv.bias[...])
        return layer

    def to_conv(self) -> nnx.Conv:
        """A plain ``nnx.Conv`` with the spatial kernel, same configuration, bias and outputs.

        Examples
        --------
        >>> import jax.numpy as jnp
        >>> from flax import nnx
        >>> from spectralcore_flax import SpectralConv
        >>> layer = SpectralConv(2, 3, (3,), rngs=nnx.Rngs(0))  # 1-D
        >>> x = jnp.ones((1, 10, 2))
        >>> bool(jnp.allclose(layer.to_conv()(x), layer(x), atol=1e-6))
        True
        """
        options = {name: getattr(self, name) for name in _CONFIG}
        conv = nnx.Conv(self.in_features, self.out_features, self.kernel_size, rngs=nnx.Rngs(0), **options)
        conv.kernel = nnx.Param(self.kernel, **self.spectral_kernel.get_metadata())
        if self.bias is not None:
            conv.bias = nnx.Param(self.bias[...])
        return conv
