"""spectralcore_torch pooling and frequency dropout of every rank (1-D, 2-D, 3-D), both boundaries, complex input.

Oracles: the NumPy core (``spectralcore.spectral_pool`` / ``lowpass`` on numpy arrays) and the documented draw rule
(one float32 ``u`` from the generator, mapped to each axis by ``spectralcore.keep_from_uniform``). Also: the
arguments checked at construction, the per-shape cache, channels_last in and out.
"""

from __future__ import annotations

import importlib
import io
import pickle
from typing import Any

import numpy as np
import pytest
from _support import assert_close, require_framework, to_numpy
from hypothesis import given
from hypothesis import strategies as st

import spectralcore as sc

torch = require_framework("torch", "torch")
sct = importlib.import_module("spectralcore_torch")

TOL64 = {"rtol": 1e-11, "atol": 1e-11}
POOLS = {1: "SpectralPool1d", 2: "SpectralPool2d", 3: "SpectralPool3d"}
DROPOUTS = {1: "FrequencyDropout1d", 2: "FrequencyDropout2d", 3: "FrequencyDropout3d"}
POOL_FUNCTIONS = {1: "spectral_pool1d", 2: "spectral_pool2d", 3: "spectral_pool3d"}
DROPOUT_FUNCTIONS = {1: "frequency_dropout1d", 2: "frequency_dropout2d", 3: "frequency_dropout3d"}


def _x(shape: tuple[int, ...], seed: int = 0, complex_: bool = False) -> Any:
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if complex_:
        a = a + 1j * rng.standard_normal(shape)
    return torch.asarray(a)


def _axes(rank: int) -> tuple[int, ...]:
    return tuple(range(-rank, 0))


def _expected_keeps(seed: int, shape: tuple[int, ...], ranges: Any) -> tuple[Any, ...]:
    u = torch.rand(shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float32)
    return tuple(to_numpy(sc.keep_from_uniform(u, low, high)) for low, high in ranges)


@st.composite
def nd_cases(draw: Any) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
    rank = draw(st.integers(1, 3))
    top = {1: 14, 2: 9, 3: 6}[rank]
    lengths = tuple(draw(st.integers(1, top)) for _ in range(rank))
    sizes = tuple(draw(st.integers(1, n)) for n in lengths)
    return rank, lengths, sizes


# ---------------------------------------------------------------------------------------------
# Arguments checked at construction (issue 16)
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*POOLS.values(), *DROPOUTS.values()])
def test_generator_is_checked_at_construction_and_assignment(name: str) -> None:
    cls = getattr(sct, name)
    kwargs = {"size": 2} if name.startswith("Spectral") else {"min_fraction": 0.5}
    with pytest.raises(TypeError, match=rf"{name}: argument `generator` expected a torch\.Generator .*'seed'"):
        cls(**kwargs, generator="seed")
    layer = cls(**kwargs, generator=torch.Generator())
    with pytest.raises(TypeError, match=r"argument `generator` expected a torch\.Generator or None, received 3"):
        layer.generator = 3
    layer.generator = None  # the global RNG
    assert layer.generator is None
    with pytest.raises(TypeError, match=r"frequency_dropout2d: argument `generator` expected a torch\.Generator"):
        sct.frequency_dropout2d(_x((1, 1, 4, 4)), min_fraction=0.5, generator="seed")


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_per_sample_must_be_a_bool(rank: int) -> None:
    with pytest.raises(TypeError, match=r"argument `dropout_per_sample` expected a bool, received 'yes'"):
        getattr(sct, POOLS[rank])(2, dropout_min_fraction=0.5, dropout_per_sample="yes")
    with pytest.raises(TypeError, match=r"argument `per_sample` expected a bool, received 1"):
        getattr(sct, DROPOUTS[rank])(min_fraction=0.5, per_sample=1)
    with pytest.raises(TypeError, match=r"argument `per_sample` expected a bool, received 'yes'"):
        getattr(sct, DROPOUT_FUNCTIONS[rank])(_x((1, 1) + (4,) * rank), min_fraction=0.5, per_sample="yes")


def test_dropout_bounds_are_checked_in_eval_mode_too() -> None:
    x = _x((2, 3, 8, 8))
    layer = sct.FrequencyDropout2d(bounds=(1, 99)).eval()
    for _ in range(2):  # and at every call, not only the first one (the cache holds only valid shapes)
        with pytest.raises(ValueError, match=r"FrequencyDropout2d: argument `bounds` expected .* <= 8 .*\(1, 99\)"):
            layer(x)
    with pytest.raises(ValueError, match=r"frequency_dropout2d: argument `bounds` expected .* <= 8"):
        sct.frequency_dropout2d(x, bounds=(1, 99), training=False)
    fits = sct.FrequencyDropout2d(bounds=(1, 8)).eval()
    assert fits(x) is x
    with pytest.raises(ValueError, match=r"argument `bounds` expected .* <= 4 .*\(1, 8\)"):
        fits(x[..., :4])  # a smaller input, a new check


@pytest.mark.parametrize(
    ("make", "kind", "match"),
    [
        (lambda: sct.SpectralPool1d(2, boundary="mirror"), ValueError, "argument `boundary` expected one of"),
        (lambda: sct.SpectralPool3d(2, boundary="symmetric", nyquist="average"), ValueError, "argument `nyquist`"),
        (lambda: sct.FrequencyDropout1d(min_fraction=0.5, boundary=None), ValueError, "argument `boundary`"),
        (lambda: sct.SpectralPool3d((2, 2)), ValueError, r"argument `size` expected .*3 ints.*received \(2, 2\)"),
        (lambda: sct.SpectralPool1d(scale=(0.5, 0.5)), ValueError, r"argument `scale` expected .*received \(0\.5"),
        (lambda: sct.SpectralPool1d(2, method="fast"), ValueError, "argument `method` expected one of"),
    ],
)
def test_construction_errors_nd(make: Any, kind: type, match: str) -> None:
    with pytest.raises(kind, match=match):
        make()


def test_input_rank_errors_name_the_layout() -> None:
    with pytest.raises(ValueError, match=r"SpectralPool3d: argument `input` expected .*rank >= 4 \(\(C, D, H, W\)"):
        sct.SpectralPool3d(2)(_x((3, 8, 8)))
    with pytest.raises(ValueError, match=r"FrequencyDropout1d: argument `input` expected .*rank >= 2 \(\(C, L\)"):
        sct.FrequencyDropout1d(min_fraction=0.5)(_x((8,)))
    with pytest.raises(ValueError, match=r"spectral_upsample3d: argument `size` expected at least the input size"):
        sct.spectral_upsample3d(_x((1, 1, 4, 4, 4)), (8, 8, 2))


# ---------------------------------------------------------------------------------------------
# Equal to the NumPy core, every rank, both boundaries, real and complex
# ---------------------------------------------------------------------------------------------
@given(
    case=nd_cases(),
    boundary=st.sampled_from(["periodic", "symmetric"]),
    norm=st.sampled_from(["amplitude", "ortho"]),
    method=st.sampled_from(["auto", "matmul", "fft"]),
    complex_=st.booleans(),
)
def test_pool_nd_equals_numpy_core(
    case: tuple[int, tuple[int, ...], tuple[int, ...]], boundary: str, norm: str, method: str, complex_: bool
) -> None:
    rank, lengths, sizes = case
    x = _x((2, 3, *lengths), complex_=complex_)
    expected = sc.spectral_pool(to_numpy(x), sizes, axes=_axes(rank), norm=norm, boundary=boundary)
    layer = getattr(sct, POOLS[rank])(sizes, norm=norm, method=method, boundary=boundary)
    for _ in range(2):  # the second call runs the cached plan
        assert_close(layer(x), expected, **TOL64, xp=torch)
    out = getattr(sct, POOL_FUNCTIONS[rank])(x, sizes, norm=norm, method=method, boundary=boundary)
    assert_close(out, expected, **TOL64, xp=torch)


@pytest.mark.parametrize("rank", [1, 2, 3])
@pytest.mark.parametrize("boundary", ["periodic", "symmetric"])
def test_upsample_nd_equals_numpy_core(rank: int, boundary: str) -> None:
    x = _x((2, 1, *(3, 4, 5)[:rank]), complex_=rank == 2)
    size = (7, 8, 9)[:rank]
    expected = sc.spectral_upsample(to_numpy(x), size, axes=_axes(rank), boundary=boundary)
    out = getattr(sct, f"spectral_upsample{rank}d")(x, size, boundary=boundary)
    assert_close(out, expected, **TOL64, xp=torch)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_in_same_complex_dtype_out(dtype: str) -> None:
    x = _x((2, 3, 10, 9), complex_=True).to(getattr(torch, dtype))
    pool = sct.SpectralPool2d((5, 4), dropout_bounds=(2, 4), generator=torch.Generator().manual_seed(3))
    out = pool(x)
    assert out.dtype == x.dtype
    pool.generator.manual_seed(3)
    real, imag = pool(x.real.contiguous()), None
    pool.generator.manual_seed(3)
    imag = pool(x.imag.contiguous())
    tol = 1e-5 if dtype == "complex64" else 1e-12
    assert torch.allclose(out, torch.complex(real, imag), rtol=tol, atol=tol), "complex-linear, part by part"


# ---------------------------------------------------------------------------------------------
# The dropout band follows the core's rule
# ---------------------------------------------------------------------------------------------
@given(
    case=nd_cases(),
    boundary=st.sampled_from(["periodic", "symmetric"]),
    per_sample=st.booleans(),
    fraction=st.sampled_from([0.1, 0.4, 0.75, 1.0]),
    seed=st.integers(0, 2**31),
)
def test_pool_dropout_nd_follows_the_rule(
    case: tuple[int, tuple[int, ...], tuple[int, ...]], boundary: str, per_sample: bool, fraction: float, seed: int
) -> None:
    rank, lengths, sizes = case
    x = _x((3, 2, *lengths))
    pool = getattr(sct, POOLS[rank])(
        sizes,
        boundary=boundary,
        dropout_min_fraction=fraction,
        dropout_per_sample=per_sample,
        generator=torch.Generator().manual_seed(seed),
    )
    ranges = [sc.dropout_keep_range(m, min_fraction=fraction) for m in sizes]
    keeps = _expected_keeps(seed, (3, 1) if per_sample else (), ranges)
    pooled = sc.spectral_pool(to_numpy(x), sizes, axes=_axes(rank), boundary=boundary)
    expected = sc.lowpass(pooled, keeps, axes=_axes(rank), boundary=boundary)
    assert_close(pool(x), expected, **TOL64, xp=torch)


@given(
    rank=st.integers(1, 3),
    boundary=st.sampled_from(["periodic", "symmetric"]),
    per_sample=st.booleans(),
    seed=st.integers(0, 2**31),
)
def test_frequency_dropout_nd_follows_the_rule(rank: int, boundary: str, per_sample: bool, seed: int) -> None:
    lengths = (9, 6, 7)[:rank]
    x = _x((4, 2, *lengths))
    bounds = (1, min(lengths))
    ranges = [sc.dropout_keep_range(n, bounds=bounds) for n in lengths]
    keeps = _expected_keeps(seed, (4, 1) if per_sample else (), ranges)
    expected = sc.lowpass(to_numpy(x), keeps, axes=_axes(rank), boundary=boundary)
    layer = getattr(sct, DROPOUTS[rank])(bounds=bounds, per_sample=per_sample, boundary=boundary)
    layer.generator = torch.Generator().manual_seed(seed)
    assert_close(layer(x), expected, **TOL64, xp=torch)
    gen = torch.Generator().manual_seed(seed)
    fn = getattr(sct, DROPOUT_FUNCTIONS[rank])
    out = fn(x, bounds=bounds, per_sample=per_sample, boundary=boundary, generator=gen)
    assert_close(out, expected, **TOL64, xp=torch)


# ---------------------------------------------------------------------------------------------
# Gradients (float64 gradcheck), the generator re-seeded per call so the band is fixed
# ---------------------------------------------------------------------------------------------
def _seeded(fn: Any, gen: Any, seed: int = 1) -> Any:
    def wrapped(x: Any) -> Any:
        gen.manual_seed(seed)
        return fn(x)

    return wrapped


@pytest.mark.parametrize("rank", [1, 3])
@pytest.mark.parametrize("boundary", ["periodic", "symmetric"])
def test_gradcheck_nd(rank: int, boundary: str) -> None:
    lengths, sizes = (7, 6, 5)[:rank], (4, 3, 3)[:rank]
    x = _x((2, 1, *lengths)).requires_grad_()
    gen = torch.Generator()
    pool = getattr(sct, POOLS[rank])(
        sizes, boundary=boundary, dropout_bounds=(1, 3), dropout_per_sample=True, generator=gen
    )
    drop = getattr(sct, DROPOUTS[rank])(bounds=(2, 4), boundary=boundary, generator=gen)
    assert torch.autograd.gradcheck(_seeded(pool, gen), (x,))
    assert torch.autograd.gradcheck(_seeded(drop, gen), (x,))


def test_gradcheck_complex() -> None:
    x = _x((1, 2, 6, 5), complex_=True).requires_grad_()
    gen = torch.Generator()
    pool = sct.SpectralPool2d((4, 3), boundary="symmetric", dropout_bounds=(1, 3), generator=gen)
    assert torch.autograd.gradcheck(_seeded(pool, gen), (x,))


# ---------------------------------------------------------------------------------------------
# Layout, cache, state
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dropout", [False, True])
def test_channels_last_in_channels_last_out(dropout: bool) -> None:
    x = _x((2, 3, 10, 8))
    x_cl = x.contiguous(memory_format=torch.channels_last)
    kwargs: dict[str, Any] = {"dropout_bounds": (2, 4)} if dropout else {}
    pool = sct.SpectralPool2d((5, 4), generator=torch.Generator(), **kwargs)
    pool.generator.manual_seed(0)
    ref = pool(x)
    pool.generator.manual_seed(0)
    out = pool(x_cl)
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert_close(out, to_numpy(ref), **TOL64, xp=torch)
    assert pool(x).is_contiguous(), "a contiguous input keeps its format"
    drop = sct.FrequencyDropout2d(bounds=(2, 4))
    assert drop(x_cl).is_contiguous(memory_format=torch.channels_last)
    assert sct.spectral_pool2d(x_cl, 4).is_contiguous(memory_format=torch.channels_last)
    v_cl = _x((1, 2, 6, 6, 6)).contiguous(memory_format=torch.channels_last_3d)
    assert sct.SpectralPool3d(3)(v_cl).is_contiguous(memory_format=torch.channels_last_3d)


CHANNELS_LAST = {2: torch.channels_last, 3: torch.channels_last_3d}


@pytest.mark.parametrize("channels", [3, 12])  # fewer than 8: the last product is a tensordot; else all "fold"
@pytest.mark.parametrize("dropout", [None, "call", "sample"])
@pytest.mark.parametrize("rank", [2, 3])
def test_channels_last_fast_path_equals_the_contiguous_map(rank: int, dropout: str | None, channels: int) -> None:
    """A channels_last map is pooled as its channels-last view: the same values and gradients as the contiguous
    map, and a channels_last output."""
    shape = (2, channels, 7, 6, 5)[: rank + 2]
    x = _x(shape, seed=3)
    x_cl = x.contiguous(memory_format=CHANNELS_LAST[rank])
    kwargs: dict[str, Any] = {} if dropout is None else {"dropout_bounds": (1, 3)}
    kwargs["dropout_per_sample"] = dropout == "sample"
    pool = getattr(sct, POOLS[rank])((4, 3, 3)[:rank], generator=torch.Generator(), **kwargs)
    results = []
    for t in (x, x_cl):
        t = t.detach().requires_grad_(True)
        pool.generator.manual_seed(7)
        out = pool(t)
        out.backward(torch.arange(out.numel(), dtype=out.dtype).reshape(out.shape).cos())
        results.append((out.detach(), t.grad))
    (ref, ref_grad), (out, grad) = results
    assert out.is_contiguous(memory_format=CHANNELS_LAST[rank])
    assert_close(out, to_numpy(ref), **TOL64, xp=torch)
    assert_close(grad, to_numpy(ref_grad), **TOL64, xp=torch)
    resolved = next(r for key, r in pool._plans.items() if key[3] == x_cl.stride())
    assert resolved.moved
    assert resolved.plan.axes == tuple(range(1, rank + 1))
    drop = getattr(sct, DROPOUTS[rank])(bounds=(1, 3), generator=torch.Generator())
    drop.generator.manual_seed(1)
    ref = drop(x)
    drop.generator.manual_seed(1)
    out = drop(x_cl)
    assert out.is_contiguous(memory_format=CHANNELS_LAST[rank])
    assert_close(out, to_numpy(ref), **TOL64, xp=torch)


def test_channels_last_traces_under_torch_compile() -> None:
    x_cl = _x((2, 9, 8, 8)).float().contiguous(memory_format=torch.channels_last)
    pool = sct.SpectralPool2d(5, dropout_bounds=(5, 5)).train()  # a band of the full size: deterministic
    compiled = torch.compile(pool, fullgraph=True, backend="eager")
    out = compiled(x_cl)
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert_close(out, to_numpy(pool.eval()(x_cl.contiguous())), rtol=1e-5, atol=1e-5, xp=torch)


def test_cache_is_per_shape_dtype_and_outside_the_state_dict() -> None:
    pool = sct.SpectralPool2d(scale=0.5, dropout_min_fraction=0.3, generator=torch.Generator().manual_seed(0))
    for shape in [(2, 3, 16, 16), (1, 3, 12, 10), (2, 3, 16, 16)]:
        x = _x(shape)
        pool.generator.manual_seed(5)
        out = pool(x)
        sizes = tuple(sc.scaled_size(n, 0.5) for n in shape[-2:])
        ranges = [sc.dropout_keep_range(m, min_fraction=0.3) for m in sizes]
        expected = sc.lowpass(sc.spectral_pool(to_numpy(x), sizes), _expected_keeps(5, (), ranges))
        assert_close(out, expected, **TOL64, xp=torch)
    out32 = pool.eval()(_x((2, 3, 16, 16)).float())
    assert out32.dtype == torch.float32
    assert len(pool._plans) == 3
    assert pool.state_dict() == {}
    clone = pickle.loads(pickle.dumps(pool))  # the cached plans are dropped, and rebuilt on the next call
    assert clone._plans == {}
    x = _x((2, 3, 16, 16))
    assert torch.equal(clone(x), pool(x))
    buffer = io.BytesIO()
    torch.save(pool, buffer)
    buffer.seek(0)
    assert repr(torch.load(buffer, weights_only=False)) == repr(pool)


def test_repr_names_non_default_options() -> None:
    assert repr(sct.SpectralPool3d(2, boundary="symmetric")) == "SpectralPool3d(size=(2, 2, 2), boundary='symmetric')"
    drop = sct.FrequencyDropout1d(bounds=(1, 3), per_sample=True, boundary="symmetric")
    assert repr(drop) == "FrequencyDropout1d(bounds=(1, 3), per_sample=True, boundary='symmetric')"


def test_band_index_rules_equal_keep_from_uniform() -> None:
    """The fast path's two index rules (host float, device tensor) are the core's rule, edge values included."""
    pool_module = importlib.import_module("spectralcore_torch._pool")
    below_one = np.nextafter(np.float32(1), np.float32(0))
    edges = [0.0, below_one, np.float32(0.5), np.nextafter(np.float32(0.5), np.float32(0))]
    values = np.concatenate([np.asarray(edges, np.float32), np.random.default_rng(0).random(500, np.float32)])
    for width in [1, 2, 3, 7, 16, 27, 40, 113]:
        near = np.float32(np.arange(1, width) / width)  # products that land on (or next to) an integer
        cases = np.concatenate([values, near, np.nextafter(near, np.float32(0)), np.nextafter(near, np.float32(1))])
        u = torch.asarray(cases)
        expected = to_numpy(sc.keep_from_uniform(u, 5, 4 + width)) - 5
        host = [min(pool_module.host_index(float(a), width), width - 1) for a in cases]
        assert host == expected.tolist()
        device = to_numpy(torch.clamp_max((u * width).long(), width - 1))
        assert device.tolist() == expected.tolist()
