"""Planned operators (``plan_spectral_pool``): the same results as the functions, traceable, and reused."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _support import assert_close, to_numpy, xp_asarray
from hypothesis import given
from hypothesis import strategies as st
from strategies import Case, cases

import spectralcore as sc
from spectralcore import _plans

METHODS = ["matmul", "fft"]
BOUNDARIES = ["periodic", "symmetric"]


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("method", METHODS)
def test_plan_equals_the_function_on_every_backend(xp: Any, device: Any, method: str, boundary: str) -> None:
    x_np = np.random.default_rng(0).standard_normal((3, 2, 12, 9))
    x = xp_asarray(x_np, xp, device, dtype=xp.float64)
    plan = sc.plan_spectral_pool(
        (3, 2, 12, 9), (7, 4), boundary=boundary, method=method, xp=xp, dtype=xp.float64, device=device
    )
    assert plan.input_shape == (3, 2, 12, 9)
    assert plan.output_shape == (3, 2, 7, 4)
    assert plan.method == method
    assert plan.axes == (2, 3)
    expected = sc.spectral_pool(x_np, (7, 4), boundary=boundary)
    assert_close(plan(x), expected, xp=xp, device=device, rtol=1e-12, atol=1e-12)
    keep_np = np.array([[2], [7], [4]])
    keep = (xp_asarray(keep_np, xp, device), xp_asarray(np.minimum(keep_np, 4), xp, device))
    expected = sc.spectral_pool(x_np, (7, 4), keep=(keep_np, np.minimum(keep_np, 4)), boundary=boundary)
    assert_close(plan(x, keep=keep), expected, xp=xp, device=device, rtol=1e-12, atol=1e-12)


def _keeps(case: Case, data: st.DataObject) -> tuple[Any, ...]:
    """One entry per axis: an int, a 0-d array (one draw per call) or a per-sample array."""
    batch = tuple(s for d, s in enumerate(case.x.shape) if d not in case.norm_axes)
    out: list[Any] = []
    for m in case.sizes:
        kind = data.draw(st.sampled_from(["int", "scalar", "sample"]))
        if kind == "int":
            out.append(data.draw(st.integers(1, m)))
            continue
        shape = () if kind == "scalar" else tuple(data.draw(st.sampled_from([1, s])) for s in batch)
        out.append(np.random.default_rng(data.draw(st.integers(0, 2**32 - 1))).integers(1, m + 1, size=shape))
    return tuple(out)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("method", METHODS)
@given(case=cases("pool", max_n=20), data=st.data())
def test_planned_dropout_equals_pooling_then_lowpass(
    case: Case, data: st.DataObject, method: str, boundary: str
) -> None:
    keeps = _keeps(case, data)
    kw: dict[str, Any] = dict(axes=case.norm_axes, boundary=boundary)
    plan = sc.plan_spectral_pool(case.x.shape, case.sizes, method=method, xp=np, dtype=np.float64, **kw)
    expected = sc.lowpass(sc.spectral_pool(case.x, case.sizes, **kw), keeps, **kw)
    assert_close(plan(case.x, keep=keeps), expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("boundary", BOUNDARIES)
@pytest.mark.parametrize("method", METHODS)
@given(case=cases("keep", max_n=20), data=st.data())
def test_a_plan_at_the_input_size_is_standalone_frequency_dropout(
    case: Case, data: st.DataObject, method: str, boundary: str
) -> None:
    same = case.in_sizes
    keeps = _keeps(Case(case.x, case.axes, case.norm_axes, same, same, case.kwargs), data)
    plan = sc.plan_spectral_pool(
        case.x.shape, same, axes=case.axes, boundary=boundary, method=method, xp=np, dtype=np.float64
    )
    assert plan(case.x) is case.x
    expected = sc.lowpass(case.x, keeps, axes=case.axes, boundary=boundary)
    assert_close(plan(case.x, keep=keeps), expected, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("nyquist", ["sum", "average"])
@pytest.mark.parametrize(("n", "m", "k"), [(200, 200, 4), (200, 200, 45), (256, 192, 3), (193, 193, 1)])
def test_a_small_host_band_is_two_thin_products_and_exact(n: int, m: int, k: int, nyquist: str) -> None:
    from spectralcore._methods import thin_factors_pay

    assert thin_factors_pay(n, m, k)
    assert not thin_factors_pay(64, 64, 4)  # short axes: the thin products do not pay (measured)
    x = np.random.default_rng(1).standard_normal((2, n, n))
    plan = sc.plan_spectral_pool(x.shape, m, nyquist=nyquist, method="matmul", xp=np, dtype=np.float64)
    expected = sc.lowpass(sc.spectral_pool(x, m, nyquist=nyquist, method="fft"), k, nyquist=nyquist, method="fft")
    np.testing.assert_allclose(plan(x, keep=k), expected, atol=1e-12)
    np.testing.assert_allclose(
        sc.lowpass(x, k, nyquist=nyquist, method="matmul"), sc.lowpass(x, k, nyquist=nyquist, method="fft"), atol=1e-12
    )


def test_the_functions_reuse_their_plan() -> None:
    x = np.random.default_rng(2).standard_normal((2, 10, 10))
    sc.spectral_pool(x, 5)
    key_count = len(_plans._PLANS)
    first = _plans.cached_plan(
        "spectral_pool",
        "pool",
        x,
        sc._compat.array_namespace(x),
        "cpu",
        5,
        (-2, -1),
        "amplitude",
        "sum",
        "periodic",
        "auto",
    )
    for _ in range(3):
        sc.spectral_pool(x, 5)
    assert len(_plans._PLANS) == key_count
    again = _plans.cached_plan(
        "spectral_pool",
        "pool",
        x,
        sc._compat.array_namespace(x),
        "cpu",
        5,
        (-2, -1),
        "amplitude",
        "sum",
        "periodic",
        "auto",
    )
    assert again is first
    # An argument of another type is planned (and checked) afresh: 5.0 is no size, though 5.0 == 5.
    with pytest.raises(TypeError, match="`size`"):
        sc.spectral_pool(x, 5.0)
    with pytest.raises(TypeError, match="`size`"):
        sc.spectral_pool(x, (True, 5))


def test_plans_in_half_precision_and_complex() -> None:
    torch = pytest.importorskip("torch")
    x = torch.randn(2, 3, 16, 16)
    for dtype in (torch.float16, torch.bfloat16):
        plan = sc.plan_spectral_pool(tuple(x.shape), 8, xp=torch, dtype=dtype)
        out = plan(x.to(dtype))
        assert out.dtype == dtype
        np.testing.assert_allclose(to_numpy(out), to_numpy(sc.spectral_pool(x.to(dtype).double(), 8)), atol=3e-2)
    z = torch.randn(2, 3, 16, 16, dtype=torch.complex64)
    plan = sc.plan_spectral_pool(tuple(z.shape), 8, xp=torch, dtype=torch.complex64)
    out = plan(z)
    assert out.dtype == torch.complex64
    expected = sc.spectral_pool(z.real, 8) + 1j * sc.spectral_pool(z.imag, 8)
    np.testing.assert_allclose(to_numpy(out), to_numpy(expected), atol=1e-5)


@pytest.mark.parametrize("method", METHODS)
def test_a_plan_traces_into_one_torch_compile_graph(method: str) -> None:
    torch = pytest.importorskip("torch")
    sc._cache.clear()
    plan = sc.plan_spectral_pool(
        (4, 2, 12, 10), (6, 5), nyquist="average", method=method, xp=torch, dtype=torch.float64
    )

    def layer(a: Any, k: Any) -> Any:
        return plan(a, keep=(k, torch.clamp(k, max=5)))

    compiled = torch.compile(layer, fullgraph=True, backend="eager")
    x = torch.randn(4, 2, 12, 10, dtype=torch.float64, requires_grad=True)
    keep = torch.tensor([[1], [6], [3], [4]])
    y = compiled(x, keep)
    y.sum().backward()
    x_ref = x.detach().clone().requires_grad_(True)
    y_ref = sc.spectral_pool(x_ref, (6, 5), keep=(keep, torch.clamp(keep, max=5)), nyquist="average")
    y_ref.sum().backward()
    assert_close(y, to_numpy(y_ref.detach()), rtol=1e-12, atol=1e-12, xp=torch)
    assert_close(x.grad, to_numpy(x_ref.grad), rtol=1e-12, atol=1e-12, xp=torch)


def test_the_functions_with_a_cold_plan_cache_trace_under_torch_compile() -> None:
    torch = pytest.importorskip("torch")
    _plans._PLANS.clear()
    sc._cache.clear()

    def model(a: Any) -> Any:
        return sc.spectral_resize(sc.spectral_pool(a, 6, boundary="symmetric"), (3, 9))

    x = torch.randn(2, 11, 11, dtype=torch.float64)
    out = torch.compile(model, fullgraph=True, backend="eager")(x)
    assert_close(out, to_numpy(model(x)), rtol=1e-12, atol=1e-12, xp=torch)


@pytest.mark.parametrize("method", METHODS)
def test_a_plan_under_jax_jit_takes_traced_bands(method: str) -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    plan = sc.plan_spectral_pool((4, 2, 16, 16), 8, boundary="symmetric", method=method, xp=jnp, dtype=jnp.float64)
    x = np.random.default_rng(0).standard_normal((4, 2, 16, 16))
    f = jax.jit(lambda a, k: plan(a, keep=k))
    for keep in (np.array([[1], [4], [8], [3]]), np.array([[8], [8], [2], [5]])):
        expected = sc.lowpass(sc.spectral_pool(x, 8, boundary="symmetric"), keep, boundary="symmetric")
        np.testing.assert_allclose(np.asarray(f(jnp.asarray(x), jnp.asarray(keep))), expected, atol=1e-12)


# (shape, axes, the matrix modes of the two products in order): every kernel of the matmul path, including the
# channels-last view of an NHWC map ("fold": the tail after the axis folded into the columns of one product).
MODE_CASES = [
    ((2, 3, 10, 9), (2, 3), ("left", "right")),
    ((2, 10, 9, 12), (1, 2), ("fold", "left")),
    ((2, 10, 9, 3), (1, 2), ("fold", "tensordot")),
    ((10, 9, 3), (0, 1), ("fold", "tensordot")),
    ((2, 10, 9, 8, 12), (1, 2, 3), ("fold", "fold", "left")),
]


@pytest.mark.parametrize(("shape", "axes", "modes"), MODE_CASES)
def test_every_matrix_kernel_matches_scipy_resample(
    xp: Any, device: Any, shape: tuple[int, ...], axes: tuple[int, ...], modes: tuple[str, ...]
) -> None:
    from _support import scipy_resample_axes

    from spectralcore._axis import matrix_mode

    sizes = tuple(shape[a] // 2 + 1 for a in axes)
    current = list(shape)
    for axis, size, mode in zip(axes, sizes, modes, strict=True):
        assert matrix_mode(tuple(current), axis) == mode  # the case exercises the kernel it names
        current[axis] = size
    x_np = np.random.default_rng(1).standard_normal(shape)
    x = xp_asarray(x_np, xp, device, dtype=xp.float64)
    plan = sc.plan_spectral_pool(shape, sizes, axes=axes, method="matmul", xp=xp, dtype=xp.float64, device=device)
    expected = scipy_resample_axes(x_np, sizes, axes)
    assert_close(plan(x), expected, xp=xp, device=device, rtol=1e-12, atol=1e-12)
    # The dropout forms on the same kernels: one keep per call (0-d), and one per sample (batch dims in place).
    batch = tuple(1 if d in axes else s for d, s in enumerate(shape))
    keep_call = np.asarray(2)
    keep_sample = np.random.default_rng(2).integers(1, min(sizes) + 1, size=tuple(s for s in batch if s != 1))
    for keep_np in (keep_call, keep_sample):
        keep = xp_asarray(keep_np, xp, device)
        want = sc.lowpass(expected, keep_np, axes=axes)
        assert_close(plan(x, keep=keep), want, xp=xp, device=device, rtol=1e-11, atol=1e-11)
