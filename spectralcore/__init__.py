"""spectralcore: exact, backend-neutral spectral representations for convolutional networks.

Implements the operators of Rippel, Snoek & Adams, "Spectral Representations for Convolutional Neural Networks"
(NeurIPS 2015) on the Python array API, so the same code runs on NumPy, CuPy, PyTorch, JAX and array-api-strict:

* :func:`spectral_pool` / :func:`spectral_upsample` / :func:`spectral_resize`: Hermitian-aware truncation and
  zero-padding of the spectrum along 1 to N axes, real by construction for every odd/even, square/non-square size,
  on real or complex input, with the DFT (``boundary="periodic"``) or the cosine basis of the mirror-extended map
  (``boundary="symmetric"``, DCT-II, no jump at the edges);
* :func:`lowpass`: the low-pass projection behind frequency dropout (per-sample ``keep`` supported), also fused into
  pooling (``spectral_pool(..., keep=...)``);
* :func:`plan_spectral_pool`: the same operators planned once per shape, dtype and device (:class:`SpectralPoolPlan`),
  for a low per-call overhead;
* :func:`spatial_to_spectral` / :func:`spectral_to_spatial` / :func:`spectral_to_complex`: the filter
  parameterization of 1-, 2- and 3-D kernels with exactly ``prod(k)`` real parameters per kernel;
* the same operators as exact real matrices: :func:`pool_matrix`, :func:`upsample_matrix`, :func:`resize_matrix`,
  :func:`lowpass_matrix`, :func:`real_fourier_basis`, :func:`lowpass_mask_table`, :func:`pool_dropout_table`,
  :func:`filter_basis_matrix`;
* :func:`smooth_pool_matrix` / :func:`smooth_pool_factors` / :func:`smooth_pool_size`: spectral pooling with a
  smooth cut-off set by a real stride, differentiable in the stride (learnable-size pooling, the exact counterpart of
  DiffStride);
* the rules every adapter shares: :func:`scaled_size` (output size for a factor gamma),
  :func:`dropout_keep_range` / :func:`keep_from_uniform` (the random band of frequency dropout) and
  :func:`resolve_method` (what ``method="auto"`` computes with).

The package imports no array library itself; it uses the namespace of the arrays it is given.
"""

from ._filters import filter_basis_matrix, spatial_to_spectral, spectral_to_complex, spectral_to_spatial
from ._matrices import (
    lowpass_mask_table,
    lowpass_matrix,
    pool_dropout_table,
    pool_matrix,
    real_fourier_basis,
    resize_matrix,
    upsample_matrix,
)
from ._methods import (
    AUTO_FILTER_MATMUL_MAX_SIZE,
    AUTO_MATMUL_MAX_LENGTH,
    AUTO_MATMUL_MAX_LENGTH_GPU,
    MAX_MATRIX_ELEMENTS,
    MAX_OUTPUT_BYTES,
    resolve_method,
)
from ._plans import SpectralPoolPlan, plan_spectral_pool
from ._pooling import lowpass, spectral_pool, spectral_resize, spectral_upsample
from ._rules import dropout_keep_range, keep_from_uniform, scaled_size
from ._smooth import DEFAULT_RAMP, smooth_pool_factors, smooth_pool_matrix, smooth_pool_size

__version__ = "0.1.0"

__all__ = [
    "AUTO_FILTER_MATMUL_MAX_SIZE",
    "AUTO_MATMUL_MAX_LENGTH",
    "AUTO_MATMUL_MAX_LENGTH_GPU",
    "DEFAULT_RAMP",
    "MAX_MATRIX_ELEMENTS",
    "MAX_OUTPUT_BYTES",
    "SpectralPoolPlan",
    "dropout_keep_range",
    "filter_basis_matrix",
    "keep_from_uniform",
    "lowpass",
    "lowpass_mask_table",
    "lowpass_matrix",
    "plan_spectral_pool",
    "pool_dropout_table",
    "pool_matrix",
    "real_fourier_basis",
    "resize_matrix",
    "resolve_method",
    "scaled_size",
    "smooth_pool_factors",
    "smooth_pool_matrix",
    "smooth_pool_size",
    "spatial_to_spectral",
    "spectral_pool",
    "spectral_resize",
    "spectral_to_complex",
    "spectral_to_spatial",
    "spectral_upsample",
    "upsample_matrix",
]
