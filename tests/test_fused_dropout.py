"""``spectral_pool(x, size, keep=K)``: pooling with frequency dropout fused in, equal to the two-step composition."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from _support import assert_close, to_numpy, xp_asarray
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, cases

import spectralcore as sc
from spectralcore import _cache
from spectralcore import _operators as ops

NYQUIST = ["sum", "average"]
METHODS = ["matmul", "fft", "auto"]


@given(n=st.integers(1, 24), data=st.data())
@pytest.mark.parametrize("nyquist", NYQUIST)
@pytest.mark.parametrize("norm", ["amplitude", "ortho"])
def test_table_slices_are_lowpass_times_pool(n: int, data: st.DataObject, nyquist: str, norm: str) -> None:
    m = data.draw(st.integers(1, n))
    table = sc.pool_dropout_table(n, m, norm=norm, nyquist=nyquist, xp=np)
    assert_close(table, np.zeros((m, m, n)), rtol=0, atol=0, check_values=False)
    pool = sc.pool_matrix(n, m, norm=norm, nyquist=nyquist, xp=np)
    for k in range(1, m + 1):
        np.testing.assert_allclose(table[k - 1], sc.lowpass_matrix(m, k, nyquist=nyquist, xp=np) @ pool, atol=1e-13)
    # m == n: the low-pass matrices themselves (standalone frequency dropout)
    same = sc.pool_dropout_table(m, m, nyquist=nyquist, xp=np)
    for k in range(1, m + 1):
        np.testing.assert_allclose(same[k - 1], sc.lowpass_matrix(m, k, nyquist=nyquist, xp=np), atol=1e-13)


def _random_keep(case: Case, data: st.DataObject, as_array: bool) -> Any:
    """An int/tuple keep, or an integer array broadcastable to the batch shape (possibly 0-d)."""
    if not as_array:
        per_axis = tuple(data.draw(st.integers(1, m)) for m in case.sizes)
        return per_axis[0] if len(set(per_axis)) == 1 else per_axis
    batch = tuple(s for d, s in enumerate(case.x.shape) if d not in case.norm_axes)
    ndim = data.draw(st.integers(0, len(batch)))
    shape = tuple(data.draw(st.sampled_from([1, s])) for s in batch[len(batch) - ndim :])
    seed = data.draw(st.integers(0, 2**32 - 1))
    return np.random.default_rng(seed).integers(1, min(case.sizes) + 1, size=shape)


@given(case=cases("pool", max_n=24), as_array=st.booleans(), data=st.data())
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("nyquist", NYQUIST)
def test_fused_equals_pool_then_lowpass(
    case: Case, as_array: bool, data: st.DataObject, method: str, nyquist: str
) -> None:
    keep = _random_keep(case, data, as_array)
    kw = dict(case.kwargs, nyquist=nyquist)
    expected = sc.lowpass(sc.spectral_pool(case.x, case.size_arg, **kw), keep, **kw)
    actual = sc.spectral_pool(case.x, case.size_arg, keep=keep, method=method, **kw)
    assert_close(actual, expected, xp=np, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("method", ["matmul", "fft"])
def test_fused_per_sample_on_every_backend(xp: Any, device: Any, method: str) -> None:
    rng = np.random.default_rng(3)
    x_np = rng.standard_normal((5, 3, 12, 10))
    keep_np = rng.integers(1, 6, size=(5, 1))
    expected = sc.lowpass(sc.spectral_pool(x_np, (7, 6)), keep_np)
    x = xp_asarray(x_np, xp, device, dtype=xp.float64)
    keep = xp_asarray(keep_np, xp, device)
    actual = sc.spectral_pool(x, (7, 6), keep=keep, method=method, check_keep=False)
    assert_close(actual, expected, xp=xp, device=device, rtol=1e-12, atol=1e-12)
    # Each sample's band is its own: sample b equals pooling it alone with its int keep.
    for b in range(5):
        alone = sc.lowpass(sc.spectral_pool(x_np[b], (7, 6)), int(keep_np[b, 0]))
        np.testing.assert_allclose(to_numpy(actual)[b], alone, atol=1e-12)


def test_fused_gradient_is_the_transpose_in_torch() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(2, 1, 9, 8, dtype=torch.float64, requires_grad=True)
    keep = torch.tensor([[3], [5]])
    y = sc.spectral_pool(x, (6, 5), keep=keep, method="matmul")
    g = torch.randn_like(y)
    (grad,) = torch.autograd.grad(y, x, g)
    for b, k in enumerate((3, 5)):
        a_h = sc.lowpass_matrix(6, k, xp=np) @ sc.pool_matrix(9, 6, xp=np)
        a_w = sc.lowpass_matrix(5, k, xp=np) @ sc.pool_matrix(8, 5, xp=np)
        np.testing.assert_allclose(grad[b, 0].numpy(), a_h.T @ g[b, 0].numpy() @ a_w, atol=1e-12)


def test_fused_under_jax_jit() -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    x = np.random.default_rng(0).standard_normal((4, 2, 16, 16))
    keep = np.array([[1], [4], [8], [3]])
    fn = jax.jit(lambda a, k: sc.spectral_pool(a, 8, keep=k, method="matmul"))
    expected = sc.lowpass(sc.spectral_pool(x, 8), keep)
    np.testing.assert_allclose(np.asarray(fn(jnp.asarray(x), jnp.asarray(keep))), expected, atol=1e-12)


def test_large_axes_compose_instead_of_building_a_table() -> None:
    # 160 -> 150 would need a 150 * 150 * 160 table, above the limit: the composition is used (and is exact).
    from spectralcore._methods import POOL_MASK_TABLE_MAX_ELEMENTS

    assert POOL_MASK_TABLE_MAX_ELEMENTS < 150 * 150 * 160
    x = np.random.default_rng(1).standard_normal((2, 160, 160))
    keep = np.array([70, 150])
    actual = sc.spectral_pool(x, 150, keep=keep, method="matmul")
    np.testing.assert_allclose(actual, sc.lowpass(sc.spectral_pool(x, 150), keep), atol=1e-12)
    tables = (ops.pool_mask_table_flat, ops.keep_table_flat)
    names = {f"{t.__module__}.{t.__qualname__}" for t in tables}
    assert not any(key[0] in names and key[1][:2] == (160, 150) for key in _cache._cache)


@pytest.mark.parametrize(
    ("keep", "error", "match"),
    [
        (5, ValueError, r"`keep` expected an int in \[1, 4\]"),
        (0, ValueError, "`keep` expected an int >= 1"),
        ((2, 2, 2), ValueError, "tuple of 2"),
        (np.array([[9]]), ValueError, r"values in \[1, 4\]"),
        (np.array([1.5]), TypeError, "integer array"),
        (np.ones((3, 1), dtype=int), ValueError, "broadcastable to the batch shape"),
    ],
)
def test_fused_keep_is_checked_against_the_pooled_size(keep: Any, error: type[Exception], match: str) -> None:
    x = np.zeros((2, 1, 8, 8))
    with pytest.raises(error, match=match):
        sc.spectral_pool(x, 4, keep=keep)


def test_check_keep_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="`check_keep` expected a bool"):
        sc.spectral_pool(np.zeros((4, 4)), 2, keep=1, check_keep="no")


def test_jax_without_x64_gets_no_int64_warnings() -> None:
    """32-bit JAX (its default) has no int64: index arrays use the namespace's indexing dtype, silently."""
    pytest.importorskip("jax")
    code = """
import warnings
warnings.simplefilter("error")  # JAX warns when asked for int64 without x64
import jax.numpy as jnp
import spectralcore as sc
x = jnp.ones((4, 2, 8, 8), dtype=jnp.float32)
keep = sc.keep_from_uniform(jnp.array([[0.1], [0.5], [0.7], [0.99]], dtype=jnp.float32), 1, 4)
assert keep.dtype == jnp.int32, keep.dtype
sc.lowpass(x, keep, check_keep=False)
sc.spectral_pool(x, 4, keep=keep, check_keep=False)
sc.spectral_to_complex(sc.spatial_to_spectral(jnp.ones((2, 3, 3))))
"""
    env = {k: v for k, v in os.environ.items() if k != "JAX_ENABLE_X64"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
