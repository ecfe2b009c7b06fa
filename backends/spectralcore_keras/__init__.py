"""spectralcore_keras: Keras 3 layers for the spectral operators of ``spectralcore``.

* :class:`SpectralPooling2D`: spectral pooling to a size or by a factor, with built-in frequency dropout;
* :class:`FrequencyDropout2D`: frequency dropout alone (a random low-pass band in training, identity otherwise);
* :class:`SpectralConv2D`: a ``Conv2D`` whose trainable weights are exactly ``kh * kw`` real spectral coefficients
  per filter, with exact conversions from and to ``keras.layers.Conv2D``.

The layers apply the core's exact real operator matrices with ``keras.ops`` only, so they run on the TensorFlow,
JAX and PyTorch backends of Keras, inside ``tf.function`` (also with ``jit_compile=True``). They are registered for
serialization under the package name ``"spectralcore"``.
"""

try:
    import keras as _keras  # noqa: F401  (checked first, for a message that says how to install it)
except ImportError as _exc:  # pragma: no cover - exercised by tests/test_imports.py in a subprocess
    raise ImportError(
        "spectralcore_keras needs Keras 3 with a backend (TensorFlow, JAX or PyTorch), which is not installed: "
        "pip install 'spectralcore[tensorflow]'"
    ) from _exc

from ._conv import SpectralConv2D
from ._dropout import FrequencyDropout1D, FrequencyDropout2D, FrequencyDropout3D
from ._pooling import SpectralPooling1D, SpectralPooling2D, SpectralPooling3D

__all__ = [
    "FrequencyDropout1D",
    "FrequencyDropout2D",
    "FrequencyDropout3D",
    "SpectralConv2D",
    "SpectralPooling1D",
    "SpectralPooling2D",
    "SpectralPooling3D",
]
