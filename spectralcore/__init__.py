"""spectralcore: exact, backend-neutral spectral representations for convolutional networks.

Implements the operators of Rippel, Snoek & Adams, "Spectral Representations for Convolutional Neural Networks"
(NeurIPS 2015) on the Python array API, so the same code runs on NumPy, CuPy, PyTorch, JAX and array-api-strict:

* :func:`spectral_pool` / :func:`spectral_upsample`: Hermitian-aware DFT truncation and zero-padding, real by
  construction for every odd/even, square/non-square size;
* :func:`lowpass`: the low-pass projection behind frequency dropout (per-sample ``keep`` supported);
* :func:`spatial_to_spectral` / :func:`spectral_to_spatial` / :func:`spectral_to_complex`: the filter
  parameterization with exactly ``kh * kw`` real parameters per kernel;
* the same operators as exact real matrices: :func:`pool_matrix`, :func:`upsample_matrix`,
  :func:`lowpass_matrix`, :func:`real_fourier_basis`, :func:`lowpass_mask_table`, :func:`filter_basis_matrix`;
* the rules every adapter shares: :func:`scaled_size` (output size for a factor gamma), and
  :func:`dropout_keep_range` / :func:`keep_from_uniform` (the random band of frequency dropout).

The package imports no array library itself; it uses the namespace of the arrays it is given.
"""

from ._filters import AUTO_FILTER_MATMUL_MAX_SIZE, spatial_to_spectral, spectral_to_complex, spectral_to_spatial
from ._matrices import (
    filter_basis_matrix,
    lowpass_mask_table,
    lowpass_matrix,
    pool_matrix,
    real_fourier_basis,
    upsample_matrix,
)
from ._methods import AUTO_MATMUL_MAX_LENGTH, AUTO_MATMUL_MAX_LENGTH_GPU, resolve_method
from ._pooling import lowpass, spectral_pool, spectral_upsample
from ._rules import dropout_keep_range, keep_from_uniform, scaled_size

__version__ = "0.1.0"

__all__ = [
    "AUTO_FILTER_MATMUL_MAX_SIZE",
    "AUTO_MATMUL_MAX_LENGTH",
    "AUTO_MATMUL_MAX_LENGTH_GPU",
    "dropout_keep_range",
    "filter_basis_matrix",
    "keep_from_uniform",
    "lowpass",
    "lowpass_mask_table",
    "lowpass_matrix",
    "pool_matrix",
    "real_fourier_basis",
    "resolve_method",
    "scaled_size",
    "spatial_to_spectral",
    "spectral_pool",
    "spectral_to_complex",
    "spectral_to_spatial",
    "spectral_upsample",
    "upsample_matrix",
]
