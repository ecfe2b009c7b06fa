"""spectralcore_torch pooling and frequency dropout: equal to the NumPy core, differentiable, reproducible, checked.

The conv layer and model conversion are in ``test_torch_conv.py``.
"""

from __future__ import annotations

import doctest
import importlib
import io
import warnings
from typing import Any

import numpy as np
import pytest
from _support import assert_close, require_framework, to_numpy
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

torch = require_framework("torch", "torch")
sct = importlib.import_module("spectralcore_torch")
F = importlib.import_module("spectralcore_torch.functional")

TOL64 = {"rtol": 1e-12, "atol": 1e-12}


def _x(shape: tuple[int, ...], seed: int = 0, dtype: Any = None) -> Any:
    return torch.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype or torch.float64)


def _expected_keeps(seed: int, shape: tuple[int, ...], ranges: Any) -> list[Any]:
    """The documented rule: one float32 u from a fresh generator, mapped to each axis by the core's rule."""
    u = torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)
    return [to_numpy(sc.keep_from_uniform(u, low, high)) for low, high in ranges]


# ---------------------------------------------------------------------------------------------
# Outputs equal the NumPy core's
# ---------------------------------------------------------------------------------------------
@st.composite
def pool_cases(draw: Any) -> tuple[int, int, int, int]:
    h_in, w_in = draw(st.integers(1, 13)), draw(st.integers(1, 13))
    return h_in, w_in, draw(st.integers(1, h_in)), draw(st.integers(1, w_in))


@given(
    case=pool_cases(),
    norm=st.sampled_from(["amplitude", "ortho"]),
    nyquist=st.sampled_from(["sum", "average"]),
    method=st.sampled_from(["auto", "matmul", "fft"]),
)
def test_pool_equals_numpy_core(case: tuple[int, int, int, int], norm: str, nyquist: str, method: str) -> None:
    h_in, w_in, h, w = case
    x = _x((2, 3, h_in, w_in))
    expected = sc.spectral_pool(to_numpy(x), (h, w), norm=norm, nyquist=nyquist)
    layer = sct.SpectralPool2d((h, w), norm=norm, nyquist=nyquist, method=method)
    assert_close(layer(x), expected, **TOL64, xp=torch)
    out = sct.spectral_pool2d(x, (h, w), norm=norm, nyquist=nyquist, method=method)
    assert_close(out, expected, **TOL64, xp=torch)


@given(
    shape=st.tuples(st.integers(1, 40), st.integers(1, 40)),
    scale=st.tuples(st.sampled_from([0.1, 0.29, 0.3, 0.5, 0.85, 1.0]), st.sampled_from([0.25, 0.7, 1.0])),
)
def test_pool_scale_uses_the_shared_rule(shape: tuple[int, int], scale: tuple[float, float]) -> None:
    x = _x((1, 2, *shape))
    size = (sc.scaled_size(shape[0], scale[0]), sc.scaled_size(shape[1], scale[1]))
    expected = sc.spectral_pool(to_numpy(x), size)
    assert_close(sct.SpectralPool2d(scale=scale)(x), expected, **TOL64, xp=torch)
    if scale[0] == scale[1]:  # a single float applies to both axes
        assert_close(sct.spectral_pool2d(x, scale=scale[0]), expected, **TOL64, xp=torch)


@given(case=pool_cases(), norm=st.sampled_from(["amplitude", "ortho"]), method=st.sampled_from(["matmul", "fft"]))
def test_upsample_equals_numpy_core(case: tuple[int, int, int, int], norm: str, method: str) -> None:
    big_h, big_w, h, w = case
    y = _x((2, 1, h, w))
    expected = sc.spectral_upsample(to_numpy(y), (big_h, big_w), norm=norm)
    assert_close(sct.spectral_upsample2d(y, (big_h, big_w), norm=norm, method=method), expected, **TOL64, xp=torch)


@pytest.mark.parametrize("shape", [(3, 9, 8), (2, 3, 9, 8), (2, 2, 3, 9, 8)])
def test_unbatched_and_extra_leading_dims(shape: tuple[int, ...]) -> None:
    x = _x(shape)
    assert_close(sct.SpectralPool2d((4, 5))(x), sc.spectral_pool(to_numpy(x), (4, 5)), **TOL64, xp=torch)
    gen = torch.Generator().manual_seed(3)
    pool = sct.SpectralPool2d(6, dropout_bounds=(2, 5), dropout_per_sample=True, generator=gen)
    (keep,) = _expected_keeps(3, (*shape[:-3], 1), [(2, 5)])
    expected = sc.lowpass(sc.spectral_pool(to_numpy(x), 6), keep)
    assert_close(pool(x), expected, **TOL64, xp=torch)


# ---------------------------------------------------------------------------------------------
# Frequency dropout follows the shared rule
# ---------------------------------------------------------------------------------------------
@given(
    case=pool_cases(),
    fraction=st.sampled_from([0.1, 0.3, 0.5, 0.85, 1.0]),
    per_sample=st.booleans(),
    nyquist=st.sampled_from(["sum", "average"]),
    method=st.sampled_from(["auto", "matmul", "fft"]),
    seed=st.integers(0, 2**31),
)
def test_pool_dropout_band_follows_the_rule(
    case: tuple[int, int, int, int], fraction: float, per_sample: bool, nyquist: str, method: str, seed: int
) -> None:
    """Output == lowpass(pool(x), (Kh, Kw)), K from the same u on both axes, ranges on the pooled size."""
    h_in, w_in, h, w = case
    x = _x((3, 2, h_in, w_in))
    pool = sct.SpectralPool2d(
        (h, w),
        norm="ortho",
        nyquist=nyquist,
        method=method,
        dropout_min_fraction=fraction,
        dropout_per_sample=per_sample,
        generator=torch.Generator().manual_seed(seed),
    )
    ranges = [sc.dropout_keep_range(n, min_fraction=fraction) for n in (h, w)]
    keeps = _expected_keeps(seed, (3, 1) if per_sample else (), ranges)
    pooled = sc.spectral_pool(to_numpy(x), (h, w), norm="ortho", nyquist=nyquist)
    expected = sc.lowpass(pooled, tuple(keeps), nyquist=nyquist)
    assert_close(pool(x), expected, **TOL64, xp=torch)


@given(
    shape=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    per_sample=st.booleans(),
    method=st.sampled_from(["matmul", "fft"]),
    seed=st.integers(0, 2**31),
)
def test_frequency_dropout_follows_the_rule(shape: tuple[int, int], per_sample: bool, method: str, seed: int) -> None:
    x = _x((4, 3, *shape))
    bounds = (1, min(shape))
    ranges = [sc.dropout_keep_range(n, bounds=bounds) for n in shape]
    keeps = _expected_keeps(seed, (4, 1) if per_sample else (), ranges)
    expected = sc.lowpass(to_numpy(x), tuple(keeps))
    layer = sct.FrequencyDropout2d(bounds=bounds, per_sample=per_sample, method=method)
    layer.generator = torch.Generator().manual_seed(seed)
    assert_close(layer(x), expected, **TOL64, xp=torch)
    gen = torch.Generator().manual_seed(seed)
    out = sct.frequency_dropout2d(x, bounds=bounds, per_sample=per_sample, method=method, generator=gen)
    assert_close(out, expected, **TOL64, xp=torch)


def test_dropout_is_identity_in_eval_and_draws_nothing() -> None:
    x = _x((2, 3, 12, 12))
    gen = torch.Generator().manual_seed(0)
    state = gen.get_state()
    pool = sct.SpectralPool2d(8, dropout_min_fraction=0.1, generator=gen).eval()
    assert torch.equal(pool(x), sct.SpectralPool2d(8)(x))
    drop = sct.FrequencyDropout2d(min_fraction=0.1, generator=gen).eval()
    assert drop(x) is x
    assert sct.frequency_dropout2d(x, min_fraction=0.1, training=False, generator=gen) is x
    assert torch.equal(gen.get_state(), state), "eval mode must not consume random numbers"
    pool.train()
    assert not torch.allclose(pool(x), sct.SpectralPool2d(8)(x)), "train mode with c=0.1 should drop something"


def _identify_keeps(x: np.ndarray, out: np.ndarray, candidates: range) -> np.ndarray:
    """Per sample (leading axis), the k in ``candidates`` with ``out == lowpass(x, k)``; fails if none fits."""
    errors = np.stack(
        [np.abs(out - sc.lowpass(x, k)).reshape(len(x), -1).max(axis=1) for k in candidates], axis=1
    )  # (samples, candidates)
    best = errors.argmin(axis=1)
    assert (errors[np.arange(len(x)), best] < 1e-10).all(), "some sample is no low-pass of the input"
    return np.asarray(candidates)[best]


def test_per_sample_draws_cover_the_range_uniformly() -> None:
    """c = 0.3 on 8 x 8 gives R in {3, ..., 8}: every value appears, none outside, frequencies uniform (chi^2)."""
    scipy_stats = pytest.importorskip("scipy.stats")
    n_samples = 1200
    x = _x((n_samples, 2, 8, 8), seed=1)
    drop = sct.FrequencyDropout2d(min_fraction=0.3, per_sample=True, generator=torch.Generator().manual_seed(5))
    keeps = _identify_keeps(to_numpy(x), to_numpy(drop(x)), range(1, 9))
    values, counts = np.unique(keeps, return_counts=True)
    assert values.tolist() == [3, 4, 5, 6, 7, 8]
    assert scipy_stats.chisquare(counts).pvalue > 1e-3, counts


def test_channels_of_a_sample_share_their_band() -> None:
    x = _x((16, 3, 8, 8), seed=2)
    drop = sct.FrequencyDropout2d(bounds=(1, 8), per_sample=True, generator=torch.Generator().manual_seed(0))
    out = to_numpy(drop(x))
    per_channel = [_identify_keeps(to_numpy(x)[:, c], out[:, c], range(1, 9)) for c in range(3)]
    assert (per_channel[0] == per_channel[1]).all()
    assert (per_channel[0] == per_channel[2]).all()
    assert len(set(per_channel[0].tolist())) > 3, "per-sample draws should differ between samples"


def test_per_call_draws_cover_the_range_and_share_one_band() -> None:
    x = _x((3, 2, 6, 6), seed=3)
    drop = sct.FrequencyDropout2d(bounds=(2, 5), generator=torch.Generator().manual_seed(1))
    seen = []
    for _ in range(200):
        keeps = _identify_keeps(to_numpy(x), to_numpy(drop(x)), range(1, 7))
        assert len(set(keeps.tolist())) == 1, "a per-call draw is shared by the whole batch"
        seen.append(int(keeps[0]))
    values, counts = np.unique(seen, return_counts=True)
    assert values.tolist() == [2, 3, 4, 5]
    assert counts.min() >= 30, counts


def test_same_seed_reproduces_and_other_seed_differs() -> None:
    x = _x((4, 3, 16, 16))

    def run(seed: int) -> Any:
        pool = sct.SpectralPool2d(scale=0.75, dropout_bounds=(1, 12), dropout_per_sample=True)
        pool.generator = torch.Generator().manual_seed(seed)
        return torch.stack([pool(x) for _ in range(3)])

    assert torch.equal(run(7), run(7))
    assert not torch.equal(run(7), run(8))


def test_global_rng_without_generator_is_seedable() -> None:
    x = _x((2, 3, 10, 10))
    pool = sct.SpectralPool2d(8, dropout_min_fraction=0.2)
    torch.manual_seed(11)
    first = pool(x)
    torch.manual_seed(11)
    assert torch.equal(pool(x), first)


# ---------------------------------------------------------------------------------------------
# Gradients (float64 gradcheck): dropout off and on, the generator re-seeded per call so the mask is fixed
# ---------------------------------------------------------------------------------------------
def _seeded(fn: Any, gen: Any, seed: int = 0) -> Any:
    def wrapped(x: Any) -> Any:
        gen.manual_seed(seed)
        return fn(x)

    return wrapped


@pytest.mark.parametrize("method", ["matmul", "fft"])
@pytest.mark.parametrize("per_sample", [None, False, True])
def test_gradcheck_pool_layer(method: str, per_sample: bool | None) -> None:
    x = _x((2, 2, 7, 6)).requires_grad_()
    gen = torch.Generator()
    if per_sample is None:
        layer = sct.SpectralPool2d((4, 3), norm="ortho", nyquist="average", method=method)
    else:
        layer = sct.SpectralPool2d(
            (5, 4), method=method, dropout_bounds=(1, 3), dropout_per_sample=per_sample, generator=gen
        )
    assert torch.autograd.gradcheck(_seeded(layer, gen), (x,))
    assert torch.autograd.gradgradcheck(_seeded(layer, gen), (x,))


@pytest.mark.parametrize("method", ["matmul", "fft"])
def test_gradcheck_functions_and_dropout_layer(method: str) -> None:
    x = _x((2, 2, 6, 7)).requires_grad_()
    gen = torch.Generator()
    checks = {
        "spectral_pool2d": lambda a: sct.spectral_pool2d(a, scale=0.5, method=method),
        "spectral_upsample2d": lambda a: sct.spectral_upsample2d(a, (9, 8), norm="ortho", method=method),
        "frequency_dropout2d": _seeded(
            lambda a: sct.frequency_dropout2d(a, min_fraction=0.2, per_sample=True, method=method, generator=gen), gen
        ),
        "FrequencyDropout2d": _seeded(sct.FrequencyDropout2d(bounds=(1, 4), method=method, generator=gen), gen),
    }
    for name, fn in checks.items():
        assert torch.autograd.gradcheck(fn, (x,)), name


def test_dropout_gradient_is_the_masked_adjoint() -> None:
    """Backward of pool + dropout is (L_K D)^T per axis: the band is applied to the gradient too."""
    gen = torch.Generator()
    pool = sct.SpectralPool2d((4, 5), dropout_bounds=(2, 3), generator=gen)
    x = _x((1, 1, 7, 8)).requires_grad_()
    g = _x((1, 1, 4, 5), seed=1)
    gen.manual_seed(4)
    (pool(x) * g).sum().backward()
    kh, kw = _expected_keeps(4, (), [(2, 3), (2, 3)])
    a_h = to_numpy(sc.lowpass_matrix(4, int(kh), xp=np)) @ to_numpy(sc.pool_matrix(7, 4, xp=np))
    a_w = to_numpy(sc.lowpass_matrix(5, int(kw), xp=np)) @ to_numpy(sc.pool_matrix(8, 5, xp=np))
    assert_close(x.grad, a_h.T @ to_numpy(g) @ a_w, **TOL64, xp=torch)


# ---------------------------------------------------------------------------------------------
# Dtypes, state, compile
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("dtype", "tol"), [("float16", 1e-2), ("bfloat16", 6e-2), ("float32", 1e-5)])
def test_reduced_precision_keeps_dtype(dtype: str, tol: float) -> None:
    tdtype = getattr(torch, dtype)
    x = _x((2, 3, 12, 10)).to(tdtype)
    x64 = to_numpy(x).astype(np.float64)
    pool = sct.SpectralPool2d((6, 5), dropout_bounds=(2, 4), dropout_per_sample=True, generator=torch.Generator())
    pool.generator.manual_seed(2)
    keeps = _expected_keeps(2, (2, 1), [(2, 4), (2, 4)])
    cases = [
        (pool(x), sc.lowpass(sc.spectral_pool(x64, (6, 5)), tuple(keeps))),
        (sct.spectral_upsample2d(x, 16), sc.spectral_upsample(x64, 16)),
        (sct.frequency_dropout2d(x, bounds=(3, 3)), sc.lowpass(x64, 3)),
    ]
    for out, ref in cases:
        assert_close(out, ref, rtol=tol, atol=tol, xp=torch, dtype=tdtype)


def test_pool_layer_state_dict_and_pickle() -> None:
    """The pooling layers hold no tensors: their state_dict is empty, and the whole module round-trips."""
    pool = sct.SpectralPool2d(scale=0.5, dropout_min_fraction=0.3, generator=torch.Generator().manual_seed(0))
    assert pool.state_dict() == {}
    buffer = io.BytesIO()
    torch.save(pool, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    x = _x((2, 3, 16, 16))
    assert torch.equal(loaded(x), pool(x)), "the generator state travels with the module"
    assert repr(loaded) == "SpectralPool2d(scale=(0.5, 0.5), dropout_min_fraction=0.3)"


def _compile_quietly(module: Any, backend: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dynamo's notes about lru_cache-wrapped helpers in array-api-compat
        return torch.compile(module, fullgraph=True, backend=backend)


@pytest.mark.parametrize("per_sample", [False, True])
def test_compile_fullgraph_pool_with_dropout(per_sample: bool) -> None:
    """No graph break, forward and backward (aot_eager traces the backward too), same numbers as eager.

    With ``generator=`` PyTorch graph-breaks on ``torch.rand`` (documented), so this uses the global RNG.
    """
    torch._dynamo.reset()
    pool = sct.SpectralPool2d(scale=0.6, dropout_min_fraction=0.3, dropout_per_sample=per_sample)
    compiled = _compile_quietly(pool, "aot_eager")
    x = _x((3, 2, 11, 10)).requires_grad_()
    x_ref = x.detach().clone().requires_grad_()
    g = _x((3, 2, 6, 6), seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.manual_seed(0)
        y = compiled(x)
    (y * g).sum().backward()
    torch.manual_seed(0)
    y_ref = pool(x_ref)
    (y_ref * g).sum().backward()
    assert_close(y, to_numpy(y_ref), **TOL64, xp=torch)
    assert_close(x.grad, to_numpy(x_ref.grad), **TOL64, xp=torch)


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
CONSTRUCTION_ERRORS = [
    (lambda: sct.SpectralPool2d(), ValueError, "exactly one of arguments `size` and `scale`"),
    (lambda: sct.SpectralPool2d(4, scale=0.5), ValueError, "exactly one of arguments `size` and `scale`"),
    (lambda: sct.SpectralPool2d(0), ValueError, r"SpectralPool2d: argument `size` expected an int >= 1.*received 0"),
    (lambda: sct.SpectralPool2d((4, 2, 1)), ValueError, r"argument `size` expected .*2 ints.*received \(4, 2, 1\)"),
    (lambda: sct.SpectralPool2d(2.5), TypeError, r"argument `size` expected .*received 2.5"),
    (lambda: sct.SpectralPool2d(scale=1.5), ValueError, r"argument `scale` expected a float in \(0, 1\]"),
    (lambda: sct.SpectralPool2d(scale=0.0), ValueError, r"argument `scale` expected a float in \(0, 1\]"),
    (lambda: sct.SpectralPool2d(4, norm="unitary"), ValueError, "argument `norm` expected one of"),
    (lambda: sct.SpectralPool2d(4, method="fast"), ValueError, "argument `method` expected one of"),
    (
        lambda: sct.SpectralPool2d(4, dropout_min_fraction=0.3, dropout_bounds=(1, 2)),
        ValueError,
        "exactly one of arguments `dropout_min_fraction` and `dropout_bounds`",
    ),
    (lambda: sct.SpectralPool2d(4, dropout_min_fraction=0), ValueError, "argument `dropout_min_fraction` expected"),
    (lambda: sct.SpectralPool2d(4, dropout_bounds=(3, 2)), ValueError, r"`dropout_bounds` expected 1 <= low <= high"),
    (lambda: sct.SpectralPool2d(4, dropout_bounds=(0, 2)), ValueError, "argument `dropout_bounds` expected"),
    (lambda: sct.SpectralPool2d(4, dropout_bounds=3), TypeError, "argument `dropout_bounds` expected a pair"),
    (lambda: sct.FrequencyDropout2d(), ValueError, "FrequencyDropout2d: expected exactly one of arguments"),
    (lambda: sct.FrequencyDropout2d(min_fraction=2.0), ValueError, "argument `min_fraction` expected a float"),
]


@pytest.mark.parametrize(("make", "kind", "match"), CONSTRUCTION_ERRORS)
def test_construction_errors(make: Any, kind: type, match: str) -> None:
    with pytest.raises(kind, match=match):
        make()


def test_first_call_errors() -> None:
    x = _x((2, 3, 8, 8))
    with pytest.raises(ValueError, match=r"SpectralPool2d: argument `input` expected .*rank >= 3.*received shape"):
        sct.SpectralPool2d(4)(x[0, 0])
    with pytest.raises(ValueError, match=r"argument `size` expected at most the input size \(8, 8\).*\(9, 4\)"):
        sct.SpectralPool2d((9, 4))(x)
    with pytest.raises(ValueError, match=r"argument `dropout_bounds` expected 1 <= low <= high <= 4 .*\(2, 6\)"):
        sct.SpectralPool2d(4, dropout_bounds=(2, 6))(x)
    with pytest.raises(ValueError, match=r"FrequencyDropout2d: argument `bounds` expected .* <= 8 .*\(1, 9\)"):
        sct.FrequencyDropout2d(bounds=(1, 9))(x)
    with pytest.raises(TypeError, match="argument `input` expected a real or complex floating tensor"):
        sct.SpectralPool2d(4)(torch.ones((1, 8, 8), dtype=torch.int64))
    with pytest.raises(TypeError, match=r"argument `input` expected a torch\.Tensor"):
        sct.SpectralPool2d(4)(to_numpy(x))
    with pytest.raises(ValueError, match="spectral_upsample2d: argument `size` expected at least the input size"):
        sct.spectral_upsample2d(x, 6)
    with pytest.raises(ValueError, match=r"spectral_pool2d: argument `size` expected at most the input size"):
        sct.spectral_pool2d(x, 9)
    with pytest.raises(ValueError, match="frequency_dropout2d: expected exactly one of arguments"):
        sct.frequency_dropout2d(x)
    with pytest.raises(ValueError, match=r"argument `generator` expected a torch\.Generator on the input's device"):
        sct.frequency_dropout2d(torch.empty(x.shape, device="meta"), min_fraction=0.5, generator=torch.Generator())


# ---------------------------------------------------------------------------------------------
# CUDA (skipped without a device)
# ---------------------------------------------------------------------------------------------
def _cuda() -> Any:
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    return torch.device("cuda", 0)


@pytest.mark.gpu
@pytest.mark.parametrize("method", ["matmul", "fft"])
@pytest.mark.parametrize("per_sample", [False, True])
def test_cuda_equals_cpu_without_host_sync(method: str, per_sample: bool) -> None:
    cuda = _cuda()
    x_cpu = _x((4, 3, 20, 18))
    gen = torch.Generator(device=cuda)
    pool = sct.SpectralPool2d(scale=0.5, method=method, dropout_min_fraction=0.3, dropout_per_sample=per_sample)
    pool.generator = gen
    x = x_cpu.to(cuda).requires_grad_()
    gen.manual_seed(0)
    warm = pool(x)  # builds and caches the matrices (a host-to-device copy) outside the sync check
    warm.sum().backward()
    x.grad = None
    gen.manual_seed(0)
    torch.cuda.set_sync_debug_mode("error")
    try:
        y = pool(x)
        y.square().sum().backward()
    finally:
        torch.cuda.set_sync_debug_mode("default")
    assert y.device == x.device
    assert y.dtype == torch.float64
    # The same band on the CPU: the CUDA draw, read back, fixes K.
    gen.manual_seed(0)
    u = torch.rand((4, 1) if per_sample else (), generator=gen, device=cuda, dtype=torch.float32).cpu()
    ranges = [sc.dropout_keep_range(n, min_fraction=0.3) for n in (10, 9)]
    keeps = tuple(sc.keep_from_uniform(u, low, high) for low, high in ranges)
    x_ref = x_cpu.clone().requires_grad_()
    expected = sc.lowpass(sc.spectral_pool(x_ref, (10, 9)), keeps)
    expected.square().sum().backward()
    assert_close(y, to_numpy(expected), **TOL64, xp=torch, device=cuda)
    assert_close(x.grad, to_numpy(x_ref.grad), **TOL64, xp=torch, device=cuda)


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
def test_cuda_keeps_dtype(dtype: str) -> None:
    cuda = _cuda()
    tdtype = getattr(torch, dtype)
    x = _x((2, 3, 16, 16)).to(cuda, tdtype)
    for layer in (sct.SpectralPool2d(8, dropout_min_fraction=0.5), sct.FrequencyDropout2d(bounds=(2, 9))):
        out = layer(x)
        assert out.dtype == tdtype
        assert out.device == x.device


# ---------------------------------------------------------------------------------------------
# The docstring examples run (scripts/test.sh collects doctests from spectralcore/ only)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("module", ["spectralcore_torch", "spectralcore_torch.functional", "spectralcore_torch._pool"])
def test_docstring_examples(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0, result
