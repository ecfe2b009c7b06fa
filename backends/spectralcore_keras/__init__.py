"""spectralcore_keras: Keras 3 layers for the spectral operators of ``spectralcore``.

* :class:`SpectralPooling2D`: spectral pooling to a size or by a factor, with built-in frequency dropout;
* :class:`FrequencyDropout2D`: frequency dropout alone (a random low-pass band in training, identity otherwise);
* :class:`SpectralConv2D`: a ``Conv2D`` whose trainable weights are exactly ``kh * kw`` real spectral coefficients
  per filter, with exact conversions from and to ``keras.layers.Conv2D``.

The layers apply the core's exact real operator matrices with ``keras.ops`` only, so they run on the TensorFlow,
JAX and PyTorch backends of Keras, inside ``tf.function`` (also with ``jit_compile=True``). They are registered for
serialization under the package name ``"spectralcore"``.
"""

from ._conv import SpectralConv2D
from ._pooling import FrequencyDropout2D, SpectralPooling2D

__all__ = ["FrequencyDropout2D", "SpectralConv2D", "SpectralPooling2D"]
