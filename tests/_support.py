"""Test-only helpers: the one ``assert_close``, host conversion, and independent NumPy oracles.

Nothing here imports ``spectralcore``: the oracles are written from the mathematics (and from
``scipy.signal.resample``) so that they can disagree with the core.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from types import ModuleType
from typing import Any

import array_api_compat
import numpy as np
import pytest

__all__ = [
    "assert_close",
    "complex_crop_operator",
    "dct_lowpass_axes",
    "dct_resize_axes",
    "expected_mask_row",
    "hermitian_pairs",
    "paper_recipe",
    "require_framework",
    "scipy_resample_axes",
    "scipy_resample_complex_axes",
    "to_numpy",
    "xp_asarray",
]


# ---------------------------------------------------------------------------------------------
# Optional frameworks: skip where absent, fail where the set-up promised them.
# ---------------------------------------------------------------------------------------------
def require_framework(module: str, backend: str) -> ModuleType:
    """Import ``module`` or skip; fail instead when ``backend`` is in ``SPECTRALCORE_REQUIRE_BACKENDS``.

    ``scripts/test.sh`` lists every framework ``scripts/setup.sh`` installs, so in CI a broken install is a
    failure, never a silent skip. Use at module level: ``tf = require_framework("tensorflow", "tensorflow")``.
    """
    required = set(filter(None, os.environ.get("SPECTRALCORE_REQUIRE_BACKENDS", "").split(",")))
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if backend in required:
            raise ImportError(
                f"{module!r} is required (backend {backend!r} is in SPECTRALCORE_REQUIRE_BACKENDS) but does not "
                f"import: {exc}"
            ) from exc
        pytest.skip(f"{module} is not installed", allow_module_level=True)


# ---------------------------------------------------------------------------------------------
# Moving arrays between the backend under test and NumPy (host) -- test side only.
# ---------------------------------------------------------------------------------------------
def to_numpy(x: Any) -> np.ndarray:
    """Copy ``x`` (any supported backend, any device) to a NumPy array on the host."""
    if isinstance(x, np.ndarray) or np.isscalar(x):
        return np.asarray(x)
    if array_api_compat.is_torch_array(x):
        import torch

        t = x.detach().to("cpu")
        if t.dtype == torch.bfloat16:
            t = t.to(torch.float32)
        return t.resolve_conj().numpy()
    if array_api_compat.is_cupy_array(x):
        return x.get()
    if array_api_compat.is_jax_array(x):
        return np.asarray(x)
    if array_api_compat.is_array_api_strict_namespace(array_api_compat.array_namespace(x)):
        return np.from_dlpack(x)
    return np.asarray(x)


def xp_asarray(a: Any, xp: Any, device: Any = None, dtype: Any = None) -> Any:
    """Put the NumPy array ``a`` on backend ``xp`` (and ``device``), optionally casting to ``dtype``."""
    a = np.asarray(a)
    if xp is np:
        return a if dtype is None else a.astype(dtype)
    # The array-API namespace, not the raw module: raw CuPy's asarray takes no `device` argument.
    compat = _expected_namespace(xp)
    kwargs = {} if device is None else {"device": device}
    out = compat.asarray(a, **kwargs)
    if dtype is not None:
        out = compat.astype(out, dtype)
    return out


def _expected_namespace(xp: Any) -> Any:
    return array_api_compat.array_namespace(xp.asarray(0.0))


def assert_close(
    actual: Any,
    desired: Any,
    *,
    rtol: float,
    atol: float,
    xp: Any = np,
    dtype: Any = None,
    device: Any = None,
    shape: Sequence[int] | None = None,
    check_values: bool = True,
) -> None:
    """Check namespace, dtype, shape and device of ``actual``, then its values against ``desired``.

    ``xp`` is the namespace ``actual`` must come from (raw module or compat namespace).
    ``dtype`` defaults to ``desired``'s dtype looked up by name in ``xp`` (``float32`` ->
    ``xp.float32``); ``device`` defaults to the device ``xp`` puts new arrays on; ``shape``
    defaults to ``desired``'s shape. ``desired`` may be a NumPy array or a backend array.
    ``check_values=False`` stops after the metadata checks (for callers that compare values
    themselves, element by element).
    """
    expected_ns = _expected_namespace(xp)
    actual_ns = array_api_compat.array_namespace(actual)
    assert actual_ns is expected_ns, f"namespace: expected {expected_ns!r}, got {actual_ns!r}"

    desired_np = to_numpy(desired)
    if dtype is None:
        dtype = getattr(xp, desired_np.dtype.name)
    assert actual.dtype == dtype, f"dtype: expected {dtype}, got {actual.dtype}"

    exp_shape = tuple(desired_np.shape) if shape is None else tuple(shape)
    assert tuple(actual.shape) == exp_shape, f"shape: expected {exp_shape}, got {tuple(actual.shape)}"

    if device is None:
        device = array_api_compat.device(xp.asarray(0.0))
    actual_device = array_api_compat.device(actual)
    assert actual_device == device, f"device: expected {device!r}, got {actual_device!r}"

    if not check_values:
        return
    actual_np = to_numpy(actual)
    np.testing.assert_allclose(
        actual_np.astype(np.result_type(actual_np.dtype, np.float64)),
        desired_np,
        rtol=rtol,
        atol=atol,
        equal_nan=True,
    )


# ---------------------------------------------------------------------------------------------
# Independent NumPy oracles
# ---------------------------------------------------------------------------------------------
def scipy_resample_axes(x: np.ndarray, sizes: Sequence[int], axes: Sequence[int]) -> np.ndarray:
    """``scipy.signal.resample`` applied along each axis in turn (separable, so order is irrelevant)."""
    from scipy import signal

    out = np.asarray(x, dtype=np.float64)
    for ax, m in zip(axes, sizes, strict=True):
        out = signal.resample(out, m, axis=ax)
    return np.real_if_close(out)


def paper_recipe(x: np.ndarray, sizes: Sequence[int], axes: Sequence[int]) -> np.ndarray:
    """The paper's Algorithm 1 as people write it: fftshift, centre crop, ifftshift, inverse, ``.real``.

    Unitary DFTs on both sides (``norm="ortho"``); the crop starts at ``n//2 - m//2`` on each axis.
    """
    axes = tuple(axes)
    spec = np.fft.fftshift(np.fft.fftn(x, axes=axes, norm="ortho"), axes=axes)
    index = [slice(None)] * x.ndim
    for ax, m in zip(axes, sizes, strict=True):
        start = x.shape[ax] // 2 - m // 2
        index[ax] = slice(start, start + m)
    cropped = np.fft.ifftshift(spec[tuple(index)], axes=axes)
    return np.fft.ifftn(cropped, axes=axes, norm="ortho").real


def complex_crop_operator(n: int, m: int) -> np.ndarray:
    """The paper recipe along one axis *before* ``.real``: a complex (m, n) matrix C.

    ``Re C`` is the per-axis "average" pooling operator; ``Im C`` is non-zero only for even m < n.
    """
    spec = np.fft.fftshift(np.fft.fft(np.eye(n), axis=0, norm="ortho"), axes=0)
    start = n // 2 - m // 2
    cropped = np.fft.ifftshift(spec[start : start + m], axes=0)
    return np.fft.ifft(cropped, axis=0, norm="ortho")


def expected_mask_row(n: int, keep: int, nyquist: str) -> np.ndarray:
    """Weights of ``lowpass_matrix(n, keep)`` on the real Fourier basis columns (derived by hand).

    Column c of the basis has frequency f = (c + 1) // 2; c = 0 is DC, odd c a cosine, even c > 0 a
    sine and, for even n, the last column (odd index) is the Nyquist cosine. Frequencies with
    2f < keep pass; at 2f == keep (even keep < n) the sum rule keeps the cosine and drops the sine,
    the average rule keeps half the cosine; keep == n is the identity.
    """
    row = np.zeros(n)
    for c in range(n):
        f = (c + 1) // 2
        is_cos = c == 0 or c % 2 == 1
        if keep == n or 2 * f < keep:
            row[c] = 1.0
        elif 2 * f == keep and is_cos:
            row[c] = 1.0 if nyquist == "sum" else 0.5
    return row


def scipy_resample_complex_axes(x: np.ndarray, sizes: Sequence[int], axes: Sequence[int]) -> np.ndarray:
    """``scipy.signal.resample`` along each axis in turn, of the real and the imaginary part (complex-linearity).

    The parts go through scipy's real path separately: on complex input, SciPy before 1.16 kept only one side of
    an even output's Nyquist bin when downsampling, where its real path (and SciPy >= 1.16 on complex input)
    sums both, which is the rule the sum norm follows.
    """
    from scipy import signal

    def resample(part: np.ndarray) -> np.ndarray:
        for ax, m in zip(axes, sizes, strict=True):
            part = signal.resample(part, m, axis=ax)
        return part

    arr = np.asarray(x)
    if not np.iscomplexobj(arr):
        return resample(arr.astype(np.float64))
    arr = arr.astype(np.complex128)
    return resample(arr.real.copy()) + 1j * resample(arr.imag.copy())


def dct_resize_axes(x: np.ndarray, sizes: Sequence[int], axes: Sequence[int], norm: str = "amplitude") -> np.ndarray:
    """The cosine-basis resize: ``idct(dct(x), n=m)`` (type 2, ``norm="ortho"``) per axis, cropped or zero-padded.

    ``scipy.fft.idct`` with ``n`` truncates or zero-pads the coefficients itself. ``norm="amplitude"`` multiplies
    by ``sqrt(m / n)`` per axis (a constant stays the same constant); ``"ortho"`` is the orthonormal map.
    """
    from scipy import fft

    out = np.asarray(x)
    out = out.astype(np.complex128) if np.iscomplexobj(out) else out.astype(np.float64)
    for ax, m in zip(axes, sizes, strict=True):
        n = out.shape[ax]
        out = fft.idct(fft.dct(out, type=2, norm="ortho", axis=ax), type=2, n=m, norm="ortho", axis=ax)
        if norm == "amplitude":
            out = out * np.sqrt(m / n)
    return out


def dct_lowpass_axes(x: np.ndarray, keeps: Sequence[int], axes: Sequence[int]) -> np.ndarray:
    """Keep the first ``keep`` DCT-II coefficients per axis (zero the rest), at the same size."""
    from scipy import fft

    out = np.asarray(x, dtype=np.float64)
    for ax, k in zip(axes, keeps, strict=True):
        c = fft.dct(out, type=2, norm="ortho", axis=ax)
        index = [slice(None)] * out.ndim
        index[ax] = slice(k, None)
        c[tuple(index)] = 0.0
        out = fft.idct(c, type=2, norm="ortho", axis=ax)
    return out


def hermitian_pairs(shape: Sequence[int]) -> tuple[int, int]:
    """``(self-conjugate bins, pairs)`` of the DFT of a real array of ``shape``: ``self + 2 * pairs == prod``."""
    shape = tuple(shape)
    seen: set[tuple[int, ...]] = set()
    self_conjugate = pairs = 0
    for index in np.ndindex(*shape):
        if index in seen:
            continue
        mirror = tuple((-i) % k for i, k in zip(index, shape, strict=True))
        seen.update({index, mirror})
        if mirror == index:
            self_conjugate += 1
        else:
            pairs += 1
    return self_conjugate, pairs
