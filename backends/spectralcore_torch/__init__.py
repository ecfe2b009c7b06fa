"""spectralcore_torch: PyTorch layers for the spectral representations of Rippel, Snoek & Adams (NeurIPS 2015).

Thin ``torch.nn`` layers over :mod:`spectralcore`, which does all the Fourier work on torch tensors directly:

* :class:`SpectralPool2d` (and :class:`SpectralPool1d`, :class:`SpectralPool3d`): spectral pooling to a size or by
  a factor, with optional frequency dropout, in the DFT or the cosine (``boundary="symmetric"``) basis, on real or
  complex input;
* :class:`FrequencyDropout2d` (and :class:`FrequencyDropout1d`, :class:`FrequencyDropout3d`): frequency dropout
  without resizing;
* :class:`SpectralConv2d` (and :class:`SpectralConv1d`, :class:`SpectralConv3d`): a stock ``nn.Conv2d`` whose
  weight is the :class:`SpectralWeight` parametrization of ``kh * kw`` real spectral coefficients per filter, with
  :func:`spectralize` / :func:`despectralize` to convert whole models;
* :class:`LearnableSpectralPool2d` (and ``1d``, ``3d``): spectral pooling whose stride is learned by
  backpropagation (the exact counterpart of DiffStride), with :func:`update_pool_sizes` and :func:`pooling_cost`;
* the functional forms :func:`spectral_pool2d`, :func:`spectral_upsample2d`, :func:`frequency_dropout2d` (each
  also ``1d`` and ``3d``) and :func:`spectral_conv2d` (also in :mod:`spectralcore_torch.functional`).

Layout is channels-first: ``(N, C, H, W)``, unbatched ``(C, H, W)``, or more leading dims for the pooling layers.

Examples
--------
>>> import torch
>>> from torch import nn
>>> import spectralcore_torch as sct
>>> net = nn.Sequential(
...     sct.SpectralConv2d(3, 16, 3, padding=1),
...     nn.ReLU(),
...     sct.SpectralPool2d(scale=0.5, dropout_min_fraction=0.3),
... )
>>> net(torch.randn(4, 3, 32, 32)).shape
torch.Size([4, 16, 16, 16])
"""

try:
    import torch as _torch  # noqa: F401  (checked first, for a message that says how to install it)
except ImportError as _exc:  # pragma: no cover - exercised by tests/test_imports.py in a subprocess
    raise ImportError(
        "spectralcore_torch needs PyTorch, which is not installed: pip install 'spectralcore[torch]'"
    ) from _exc

from . import functional, models
from ._conv import SpectralConv1d, SpectralConv2d, SpectralConv3d, SpectralWeight
from ._learnable import (
    LearnableSpectralPool1d,
    LearnableSpectralPool2d,
    LearnableSpectralPool3d,
    pooling_cost,
    update_pool_sizes,
)
from ._pool import (
    FrequencyDropout1d,
    FrequencyDropout2d,
    FrequencyDropout3d,
    SpectralPool1d,
    SpectralPool2d,
    SpectralPool3d,
)
from ._spectralize import despectralize, spectralize
from .functional import (
    frequency_dropout1d,
    frequency_dropout2d,
    frequency_dropout3d,
    spectral_conv2d,
    spectral_pool1d,
    spectral_pool2d,
    spectral_pool3d,
    spectral_upsample1d,
    spectral_upsample2d,
    spectral_upsample3d,
)

__all__ = [
    "FrequencyDropout1d",
    "FrequencyDropout2d",
    "FrequencyDropout3d",
    "LearnableSpectralPool1d",
    "LearnableSpectralPool2d",
    "LearnableSpectralPool3d",
    "SpectralConv1d",
    "SpectralConv2d",
    "SpectralConv3d",
    "SpectralPool1d",
    "SpectralPool2d",
    "SpectralPool3d",
    "SpectralWeight",
    "despectralize",
    "frequency_dropout1d",
    "frequency_dropout2d",
    "frequency_dropout3d",
    "functional",
    "models",
    "pooling_cost",
    "spectral_conv2d",
    "spectral_pool1d",
    "spectral_pool2d",
    "spectral_pool3d",
    "spectral_upsample1d",
    "spectral_upsample2d",
    "spectral_upsample3d",
    "spectralize",
    "update_pool_sizes",
]
