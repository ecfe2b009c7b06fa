"""spectralcore_keras: Keras 3 layers for the spectral operators of ``spectralcore``, in 1-D, 2-D and 3-D.

* :class:`SpectralPooling1D` / :class:`SpectralPooling2D` / :class:`SpectralPooling3D`: spectral pooling to a size
  or by a factor, with built-in frequency dropout;
* :class:`FrequencyDropout1D` / :class:`FrequencyDropout2D` / :class:`FrequencyDropout3D`: frequency dropout alone
  (a random low-pass band in training, identity otherwise);
* :class:`SpectralConv1D` / :class:`SpectralConv2D` / :class:`SpectralConv3D`: a ``ConvND`` whose trainable
  weights are exactly ``prod(kernel_size)`` real spectral coefficients per filter, with exact conversions from and
  to ``keras.layers.ConvND``;
* :class:`LearnableSpectralPooling1D` / :class:`LearnableSpectralPooling2D` / :class:`LearnableSpectralPooling3D`:
  smooth spectral pooling whose stride is a trainable weight (the exact DiffStride), with the
  :class:`LearnableSizeUpdate` callback that moves their output sizes in ``fit`` (and :class:`StrideAtLeastOne`,
  the constraint of their stride weight).

The layers apply the core's exact real operator matrices (per input size, in the periodic or the cosine basis)
with ``keras.ops`` only, so they run on the TensorFlow, JAX and PyTorch backends of Keras, inside ``tf.function``
(also with ``jit_compile=True``), in both data formats. They are registered for serialization under the package
name ``"spectralcore"``.
"""

try:
    import keras as _keras  # noqa: F401  (checked first, for a message that says how to install it)
except ImportError as _exc:  # pragma: no cover - exercised by tests/test_imports.py in a subprocess
    raise ImportError(
        "spectralcore_keras needs Keras 3 with a backend (TensorFlow, JAX or PyTorch), which is not installed: "
        "pip install 'spectralcore[tensorflow]'"
    ) from _exc

from ._conv import SpectralConv1D, SpectralConv2D, SpectralConv3D
from ._dropout import FrequencyDropout1D, FrequencyDropout2D, FrequencyDropout3D
from ._learnable import (
    LearnableSizeUpdate,
    LearnableSpectralPooling1D,
    LearnableSpectralPooling2D,
    LearnableSpectralPooling3D,
    StrideAtLeastOne,
)
from ._pooling import SpectralPooling1D, SpectralPooling2D, SpectralPooling3D

__all__ = [
    "FrequencyDropout1D",
    "FrequencyDropout2D",
    "FrequencyDropout3D",
    "LearnableSizeUpdate",
    "LearnableSpectralPooling1D",
    "LearnableSpectralPooling2D",
    "LearnableSpectralPooling3D",
    "SpectralConv1D",
    "SpectralConv2D",
    "SpectralConv3D",
    "SpectralPooling1D",
    "SpectralPooling2D",
    "SpectralPooling3D",
    "StrideAtLeastOne",
]
