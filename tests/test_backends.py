"""Every backend agrees with NumPy, keeps dtype and device, and behaves on edge inputs.

The ``xp``/``device`` fixtures (conftest.py) run each test on NumPy, array-api-strict, PyTorch CPU,
PyTorch CUDA, JAX CPU and CuPy, skipping the ones that are not installed or have no device.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from _support import assert_close, to_numpy, xp_asarray

import spectralcore as sc

SHAPE = (2, 3, 9, 8)
TOLS = {"float32": (2e-5, 2e-5), "float64": (1e-12, 1e-12)}
METHODS = ["matmul", "fft", "auto"]

KEEP = np.array([[1, 8, 4], [7, 2, 6]])  # per-sample keep, batch shape (2, 3), valid for both axes (<= 8)

# name -> (function of (x, method, xp, device), input shape); each returns a backend array.
Fn = Callable[[Any, str, Any, Any], Any]
FUNCS: dict[str, tuple[Fn, tuple[int, ...]]] = {
    "pool": (lambda x, m, xp, d: sc.spectral_pool(x, (4, 5), method=m), SHAPE),
    "pool_ortho_average": (
        lambda x, m, xp, d: sc.spectral_pool(x, (4, 6), norm="ortho", nyquist="average", method=m),
        SHAPE,
    ),
    "pool_axes_1_3": (lambda x, m, xp, d: sc.spectral_pool(x, 3, axes=(3, 1), method=m), (2, 9, 3, 8)),
    "pool_one_axis": (lambda x, m, xp, d: sc.spectral_pool(x, 6, axes=(-2,), method=m), SHAPE),
    "upsample": (lambda x, m, xp, d: sc.spectral_upsample(x, (11, 12), method=m), SHAPE),
    "upsample_ortho": (lambda x, m, xp, d: sc.spectral_upsample(x, (10, 9), norm="ortho", method=m), SHAPE),
    "lowpass": (lambda x, m, xp, d: sc.lowpass(x, (5, 4), method=m), SHAPE),
    "lowpass_average": (lambda x, m, xp, d: sc.lowpass(x, 4, nyquist="average", method=m), SHAPE),
    "lowpass_per_sample": (
        lambda x, m, xp, d: sc.lowpass(x, xp_asarray(KEEP, xp, d), method=m),
        SHAPE,
    ),
    "lowpass_per_sample_tuple": (
        lambda x, m, xp, d: sc.lowpass(x, (xp_asarray(KEEP, xp, d), 3), method=m),
        SHAPE,
    ),
}

FILTER_FUNCS: dict[str, Callable[[Any, str, str], Any]] = {
    "spatial_to_spectral": lambda w, n, m: sc.spatial_to_spectral(w, norm=n, method=m),
    "spectral_to_spatial": lambda w, n, m: sc.spectral_to_spatial(w, norm=n, method=m),
    "spatial_to_spectral_axes": lambda w, n, m: sc.spatial_to_spectral(w, axes=(0, 2), norm=n, method=m),
}
FILTER_SHAPE = (4, 3, 5, 4)


def _input(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(FUNCS))
def test_pooling_functions_agree_with_numpy(xp: Any, device: Any, name: str, method: str, dtype: str) -> None:
    fn, shape = FUNCS[name]
    x_np = _input(shape)
    desired = to_numpy(fn(x_np, "matmul", np, None))
    x = xp_asarray(x_np, xp, device, dtype=getattr(xp, dtype))
    out = fn(x, method, xp, device)
    rtol, atol = TOLS[dtype]
    assert_close(out, desired.astype(dtype), rtol=rtol, atol=atol, xp=xp, device=device)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("norm", ["ortho", "backward", "forward"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(FILTER_FUNCS))
def test_filter_functions_agree_with_numpy(xp: Any, device: Any, name: str, method: str, norm: str, dtype: str) -> None:
    fn = FILTER_FUNCS[name]
    w_np = _input(FILTER_SHAPE)
    desired = to_numpy(fn(w_np, norm, "matmul"))
    w = xp_asarray(w_np, xp, device, dtype=getattr(xp, dtype))
    rtol, atol = TOLS[dtype]
    scale = 20.0 if norm == "backward" else 1.0  # unnormalised spectra are ~kh*kw larger
    assert_close(fn(w, norm, method), desired.astype(dtype), rtol=rtol, atol=atol * scale, xp=xp, device=device)


@pytest.mark.parametrize(("dtype", "cdtype"), [("float32", "complex64"), ("float64", "complex128")])
@pytest.mark.parametrize("norm", ["ortho", "backward", "forward"])
def test_spectral_to_complex_agrees_with_numpy(xp: Any, device: Any, norm: str, dtype: str, cdtype: str) -> None:
    theta_np = _input(FILTER_SHAPE)
    desired = np.fft.fft2(np.asarray(sc.spectral_to_spatial(theta_np, norm=norm)), norm=norm)
    theta = xp_asarray(theta_np, xp, device, dtype=getattr(xp, dtype))
    out = sc.spectral_to_complex(theta, norm=norm)
    rtol, atol = TOLS[dtype]
    scale = 20.0 if norm == "backward" else 1.0
    assert_close(out, desired, rtol=rtol, atol=atol * scale, xp=xp, device=device, dtype=getattr(xp, cdtype))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matrix_builders_agree_with_numpy(xp: Any, device: Any, dtype: str) -> None:
    rtol, atol = TOLS[dtype]
    kw = dict(xp=xp, dtype=getattr(xp, dtype), device=device)
    cases = [
        (
            sc.pool_matrix(9, 4, norm="ortho", nyquist="average", **kw),
            sc.pool_matrix(9, 4, norm="ortho", nyquist="average", xp=np),
        ),
        (sc.upsample_matrix(5, 8, **kw), sc.upsample_matrix(5, 8, xp=np)),
        (sc.lowpass_matrix(8, 4, **kw), sc.lowpass_matrix(8, 4, xp=np)),
        (sc.real_fourier_basis(6, **kw), sc.real_fourier_basis(6, xp=np)),
        (sc.lowpass_mask_table(6, nyquist="average", **kw), sc.lowpass_mask_table(6, nyquist="average", xp=np)),
        (sc.filter_basis_matrix(3, 4, inverse=True, **kw), sc.filter_basis_matrix(3, 4, inverse=True, xp=np)),
    ]
    for out, ref in cases:
        assert_close(out, np.asarray(ref).astype(dtype), rtol=rtol, atol=atol, xp=xp, device=device)
    # default dtype is float64
    out = sc.pool_matrix(7, 3, xp=xp, device=device)
    assert_close(out, np.asarray(sc.pool_matrix(7, 3, xp=np)), rtol=1e-12, atol=1e-12, xp=xp, device=device)


def test_explicit_xp_argument(xp: Any, device: Any) -> None:
    x_np = _input(SHAPE)
    x = xp_asarray(x_np, xp, device)
    out = sc.spectral_pool(x, 3, xp=xp)
    assert_close(out, np.asarray(sc.spectral_pool(x_np, 3)), rtol=1e-12, atol=1e-12, xp=xp, device=device)


EMPTY_CASES: dict[str, tuple[Callable[[Any, str], Any], tuple[int, ...], str]] = {
    "pool": (lambda x, m: sc.spectral_pool(x, (4, 5), method=m), (0, 3, 4, 5), "float32"),
    "upsample": (lambda x, m: sc.spectral_upsample(x, (10, 9), method=m), (0, 3, 10, 9), "float32"),
    "lowpass": (lambda x, m: sc.lowpass(x, (4, 5), method=m), (0, 3, 9, 8), "float32"),
    "spatial_to_spectral": (lambda x, m: sc.spatial_to_spectral(x, method=m), (0, 3, 9, 8), "float32"),
    "spectral_to_spatial": (lambda x, m: sc.spectral_to_spatial(x, method=m), (0, 3, 9, 8), "float32"),
    "spectral_to_complex": (lambda x, m: sc.spectral_to_complex(x), (0, 3, 9, 8), "complex64"),
}


@pytest.mark.parametrize("method", ["matmul", "fft"])
@pytest.mark.parametrize("name", list(EMPTY_CASES))
def test_empty_batch(xp: Any, device: Any, name: str, method: str) -> None:
    fn, shape, dtype = EMPTY_CASES[name]
    x = xp_asarray(np.zeros((0, 3, 9, 8), dtype=np.float32), xp, device)
    out = fn(x, method)
    assert_close(out, np.zeros(shape), rtol=0, atol=0, xp=xp, device=device, dtype=getattr(xp, dtype))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("method", ["matmul", "fft"])
def test_non_finite_values_propagate(xp: Any, device: Any, method: str, bad: float) -> None:
    """A non-finite entry poisons its own map (every pooled output of it) and nothing else."""
    x_np = _input(SHAPE)
    x_np[0, 1, 2, 3] = bad
    x = xp_asarray(x_np, xp, device)
    for out in [
        sc.spectral_pool(x, (4, 5), method=method),
        sc.spectral_upsample(x, (10, 9), method=method),
        sc.lowpass(x, 5, method=method),
    ]:
        o = to_numpy(out)
        assert not np.isfinite(o[0, 1]).any(), "the poisoned map should be entirely non-finite"
        mask = np.ones(o.shape[:2], bool)
        mask[0, 1] = False
        assert np.isfinite(o[mask]).all(), "other maps must not be affected"


# ---------------------------------------------------------------------------------------------
# Reduced precision on PyTorch (matmul path)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("torch_device", ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
@pytest.mark.parametrize(("dtype", "tol"), [("float16", 1e-2), ("bfloat16", 6e-2)])
def test_torch_half_precision_matmul(torch_device: str, dtype: str, tol: float) -> None:
    torch = pytest.importorskip("torch")
    if torch_device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    x_np = _input(SHAPE)
    tdtype = getattr(torch, dtype)
    x = torch.asarray(x_np, device=torch_device).to(tdtype)
    x_rounded = to_numpy(x).astype(np.float64)  # compare against the rounded input
    for out, ref in [
        (sc.spectral_pool(x, (4, 5), method="matmul"), sc.spectral_pool(x_rounded, (4, 5))),
        (sc.spectral_upsample(x, (10, 9), method="matmul"), sc.spectral_upsample(x_rounded, (10, 9))),
        (sc.lowpass(x, 5, method="matmul"), sc.lowpass(x_rounded, 5)),
    ]:
        assert_close(out, np.asarray(ref), rtol=tol, atol=tol, xp=torch, dtype=tdtype, device=x.device)


# ---------------------------------------------------------------------------------------------
# JAX: jit (static shapes only)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["matmul", "fft", "auto"])
def test_jax_jit(method: str) -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    x_np = _input(SHAPE)
    x = jnp.asarray(x_np)
    cases = [
        (lambda a: sc.spectral_pool(a, (4, 5), method=method), sc.spectral_pool(x_np, (4, 5))),
        (lambda a: sc.spectral_upsample(a, (10, 9), method=method), sc.spectral_upsample(x_np, (10, 9))),
        (
            lambda a: sc.lowpass(a, (5, 4), nyquist="average", method=method),
            sc.lowpass(x_np, (5, 4), nyquist="average"),
        ),
        (lambda a: sc.spatial_to_spectral(a), sc.spatial_to_spectral(x_np)),
        (lambda a: sc.spectral_to_spatial(a), sc.spectral_to_spatial(x_np)),
    ]
    for fn, ref in cases:
        out = jax.jit(fn)(x)
        assert_close(out, np.asarray(ref), rtol=1e-12, atol=1e-12, xp=jnp)


@pytest.mark.parametrize("method", ["matmul", "fft"])
def test_jax_jit_per_sample_keep_is_traced(method: str) -> None:
    """The keep array is a traced argument: one compiled function serves every draw of R."""
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    x_np = _input(SHAPE)
    f = jax.jit(lambda a, k: sc.lowpass(a, k, method=method))
    for keep in (KEEP, KEEP[::-1] // 2 + 1):
        out = f(jnp.asarray(x_np), jnp.asarray(keep))
        assert_close(out, np.asarray(sc.lowpass(x_np, keep)), rtol=1e-12, atol=1e-12, xp=jnp)


def test_jax_grad_is_the_adjoint() -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    x = jnp.asarray(_input((7, 6)))
    g = _input((3, 4), seed=1)
    grad = jax.grad(lambda a: jnp.sum(jnp.asarray(g) * sc.spectral_pool(a, (3, 4), nyquist="average")))(x)
    d1 = np.asarray(sc.pool_matrix(7, 3, nyquist="average", xp=np))
    d2 = np.asarray(sc.pool_matrix(6, 4, nyquist="average", xp=np))
    assert_close(grad, d1.T @ g @ d2, rtol=1e-12, atol=1e-12, xp=jnp)


# ---------------------------------------------------------------------------------------------
# PyTorch autograd: the backward pass is the adjoint
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["matmul", "fft"])
@pytest.mark.parametrize("norm", ["amplitude", "ortho"])
@pytest.mark.parametrize("nyquist", ["sum", "average"])
def test_torch_autograd_pool_is_the_adjoint(method: str, norm: str, nyquist: str) -> None:
    torch = pytest.importorskip("torch")
    x = torch.asarray(_input((2, 3, 9, 8)), requires_grad=True)
    g_np = _input((2, 3, 4, 6), seed=1)
    y = sc.spectral_pool(x, (4, 6), norm=norm, nyquist=nyquist, method=method)
    (y * torch.asarray(g_np)).sum().backward()
    d1 = np.asarray(sc.pool_matrix(9, 4, norm=norm, nyquist=nyquist, xp=np))
    d2 = np.asarray(sc.pool_matrix(8, 6, norm=norm, nyquist=nyquist, xp=np))
    expected = np.einsum("ai,...ab,bj->...ij", d1, g_np, d2)  # D1^T g D2
    assert_close(x.grad, expected, rtol=1e-12, atol=1e-12, xp=torch)


@pytest.mark.parametrize("method", ["matmul", "fft"])
def test_torch_autograd_upsample_and_lowpass_are_adjoints(method: str) -> None:
    torch = pytest.importorskip("torch")
    x = torch.asarray(_input((2, 5, 4)), requires_grad=True)
    g_np = _input((2, 8, 7), seed=1)
    (sc.spectral_upsample(x, (8, 7), method=method) * torch.asarray(g_np)).sum().backward()
    u1 = np.asarray(sc.upsample_matrix(5, 8, xp=np))
    u2 = np.asarray(sc.upsample_matrix(4, 7, xp=np))
    assert_close(x.grad, np.einsum("ai,...ab,bj->...ij", u1, g_np, u2), rtol=1e-12, atol=1e-12, xp=torch)

    z = torch.asarray(_input((2, 8, 7)), requires_grad=True)
    (sc.lowpass(z, (4, 3), nyquist="average", method=method) * torch.asarray(g_np)).sum().backward()
    l1 = np.asarray(sc.lowpass_matrix(8, 4, nyquist="average", xp=np))
    l2 = np.asarray(sc.lowpass_matrix(7, 3, nyquist="average", xp=np))
    assert_close(z.grad, np.einsum("ai,...ab,bj->...ij", l1, g_np, l2), rtol=1e-12, atol=1e-12, xp=torch)


@pytest.mark.parametrize("method", ["matmul", "fft"])
@pytest.mark.parametrize("norm", ["ortho", "backward", "forward"])
def test_torch_autograd_filter_maps_are_the_transposes(norm: str, method: str) -> None:
    torch = pytest.importorskip("torch")
    g_np = _input((3, 4, 5), seed=1)
    b = np.asarray(sc.filter_basis_matrix(4, 5, norm=norm, xp=np))
    b_inv = np.asarray(sc.filter_basis_matrix(4, 5, norm=norm, inverse=True, xp=np))

    theta = torch.asarray(_input((3, 4, 5)), requires_grad=True)
    (sc.spectral_to_spatial(theta, norm=norm, method=method) * torch.asarray(g_np)).sum().backward()
    expected = (g_np.reshape(3, -1) @ b).reshape(3, 4, 5)  # B^T g, per kernel
    assert_close(theta.grad, expected, rtol=1e-12, atol=1e-12, xp=torch)

    w = torch.asarray(_input((3, 4, 5), seed=2), requires_grad=True)
    (sc.spatial_to_spectral(w, norm=norm, method=method) * torch.asarray(g_np)).sum().backward()
    expected = (g_np.reshape(3, -1) @ b_inv).reshape(3, 4, 5)  # B^-T g, per kernel
    assert_close(w.grad, expected, rtol=1e-12, atol=1e-12, xp=torch)


def test_torch_compile_fullgraph() -> None:
    """The core traces into one torch.compile graph (no graph break), forward and backward, with a cold cache."""
    torch = pytest.importorskip("torch")
    sc._matrices._cache.clear()  # the compiled trace itself must be able to build the matrices

    def model(a: Any, k: Any) -> Any:
        # check_keep=False: reading the values of `k` would be a data-dependent branch (and a GPU sync)
        pooled = sc.spectral_pool(sc.lowpass(a, (k, 5), check_keep=False), (6, 5), nyquist="average")
        return sc.spectral_to_spatial(pooled[..., :3, :3])

    x_np = _input((2, 3, 11, 10))
    keep_np = np.array([[2], [7]])  # per-sample keep, broadcast over channels
    compiled = torch.compile(model, fullgraph=True, backend="eager")
    x = torch.asarray(x_np, requires_grad=True)
    y = compiled(x, torch.asarray(keep_np))
    y.sum().backward()

    x_ref = torch.asarray(x_np, requires_grad=True)
    y_ref = model(x_ref, torch.asarray(keep_np))
    y_ref.sum().backward()
    assert_close(y, to_numpy(y_ref.detach()), rtol=1e-12, atol=1e-12, xp=torch)
    assert_close(x.grad, to_numpy(x_ref.grad), rtol=1e-12, atol=1e-12, xp=torch)


# ---------------------------------------------------------------------------------------------
# "auto" picks by device: the GPU threshold applies to GPU arrays only
# ---------------------------------------------------------------------------------------------
def test_auto_threshold_follows_the_device(xp: Any, device: Any, backend_name: str) -> None:
    from spectralcore._compat import is_gpu

    x = xp_asarray(np.zeros((1, 1, 1, 1024)), xp, device, dtype=xp.float32)
    on_gpu = backend_name in ("torch_cuda", "cupy")
    assert is_gpu(x) is on_gpu
    method = sc.resolve_method(x, (1024,))
    if on_gpu:
        assert method == "matmul"  # 1024 <= AUTO_MATMUL_MAX_LENGTH_GPU
    elif backend_name in ("numpy", "array_api_strict"):
        assert method == "matmul"  # 1024 <= AUTO_MATMUL_MAX_LENGTH_NUMPY
    else:
        assert method == "fft"  # 1024 > AUTO_MATMUL_MAX_LENGTH on a CPU
    assert sc.resolve_method(x, 1024, method="matmul") == "matmul"  # an explicit method is kept
    assert sc.resolve_method(x, (8, 8)) == "matmul"
    empty = xp_asarray(np.zeros((0, 4096)), xp, device, dtype=xp.float32)
    assert sc.resolve_method(empty, 4096, method="fft") == "matmul"  # FFT backends may fail on empty arrays


def test_resolve_method_checks_its_arguments() -> None:
    with pytest.raises(ValueError, match="`method`"):
        sc.resolve_method(np.zeros(4), 4, method="dft")
    with pytest.raises(ValueError, match="`lengths`"):
        sc.resolve_method(np.zeros(4), (4, 0))
    with pytest.raises(TypeError, match="`lengths`"):
        sc.resolve_method(np.zeros(4), 4.0)
