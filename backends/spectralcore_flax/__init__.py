"""spectralcore_flax: Flax NNX modules for the spectral representations of Rippel, Snoek & Adams (NeurIPS 2015).

Thin ``flax.nnx`` modules over :mod:`spectralcore`, which does all the Fourier work on JAX arrays directly:

* :class:`SpectralPool`: spectral pooling to a size or by a factor, 1-D to 3-D, with optional frequency dropout;
* :class:`FrequencyDropout`: frequency dropout without resizing (randomness from an ``nnx.Rngs`` ``dropout``
  stream, off when ``deterministic``, as ``nnx.Dropout``);
* :class:`SpectralConv`: a drop-in ``nnx.Conv`` (1-D to 3-D) whose parameters are exactly ``prod(kernel_size)``
  real spectral coefficients per filter, with :meth:`SpectralConv.from_conv` and :meth:`SpectralConv.to_conv`.

Layout is channels-last, Flax's convention: ``(batch, *spatial, channels)``. The modules work under ``nnx.jit``,
``nnx.grad`` / ``nnx.value_and_grad`` and ``nnx.vmap``, and their state splits, merges and checkpoints as any
NNX state.

Examples
--------
>>> import jax
>>> from flax import nnx
>>> import spectralcore_flax as scf
>>> class Net(nnx.Module):
...     def __init__(self, rngs):
...         self.conv = scf.SpectralConv(3, 16, (3, 3), rngs=rngs)
...         self.pool = scf.SpectralPool(scale=0.5, dropout_min_fraction=0.3, rngs=rngs)
...
...     def __call__(self, x):
...         return self.pool(nnx.relu(self.conv(x)))
>>> net = Net(nnx.Rngs(params=0, dropout=1))
>>> net(jax.numpy.ones((4, 32, 32, 3))).shape
(4, 16, 16, 16)
"""

try:
    import flax.nnx as _nnx  # noqa: F401  (checked first, for a message that says how to install it)
except ImportError as _exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "spectralcore_flax needs Flax (NNX), which is not installed: pip install 'spectralcore[flax]'"
    ) from _exc

from ._conv import SpectralConv
from ._dropout import FrequencyDropout
from ._pooling import SpectralPool

__all__ = ["FrequencyDropout", "SpectralConv", "SpectralPool"]
