"""``LearnableSpectralPool1d/2d/3d``: the exact learnable-size pooling, against fixed pooling, the core's matrices,
finite differences and the size policy under ``torch.compile``."""

from __future__ import annotations

import io
import math
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sct = pytest.importorskip("spectralcore_torch")

from torch import nn  # noqa: E402

import spectralcore as sc  # noqa: E402

LAYERS = {1: sct.LearnableSpectralPool1d, 2: sct.LearnableSpectralPool2d, 3: sct.LearnableSpectralPool3d}
FIXED = {1: sct.SpectralPool1d, 2: sct.SpectralPool2d, 3: sct.SpectralPool3d}
SHAPES = {1: (13,), 2: (16, 11), 3: (8, 9, 10)}


def oracle(x: np.ndarray, strides: tuple[float, ...], ramp: float, norm: str = "amplitude") -> np.ndarray:
    """The core's float64 NumPy matrices, one per trailing axis (an independent path: no torch)."""
    rank = len(strides)
    for axis, s in enumerate(strides):
        n = x.shape[axis - rank]
        P = sc.smooth_pool_matrix(n, s, ramp=ramp, norm=norm, xp=np)
        x = np.moveaxis(np.tensordot(x, P, axes=([x.ndim - rank + axis], [1])), -1, x.ndim - rank + axis)
    return x


@pytest.mark.parametrize("rank", [1, 2, 3])
def test_equals_fixed_pooling_at_integer_targets_for_every_parity(rank: int) -> None:
    shape = SHAPES[rank]
    x = torch.randn(2, 3, *shape, dtype=torch.float64)
    for delta in range(0, 4):
        sizes = tuple(max(1, n - 2 * delta - a) for a, n in enumerate(shape))  # odd and even sizes
        strides = tuple(n / m for n, m in zip(shape, sizes, strict=True))
        layer = LAYERS[rank](stride=strides, ramp=1.0)
        expected = FIXED[rank](size=sizes)(x)
        # A float32 stride holds n/m to 6e-8, so the mask's edge is off by as much...
        torch.testing.assert_close(layer(x.float()), expected.float(), rtol=1e-5, atol=1e-5)
        layer.double()  # ...and a float64 one (set after the cast) gives fixed pooling to rounding.
        with torch.no_grad():
            layer.stride.copy_(torch.tensor(strides, dtype=torch.float64))
        out = layer(x)
        assert out.shape == expected.shape == (2, 3, *sizes)
        torch.testing.assert_close(out, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("norm", ["amplitude", "ortho"])
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_matches_the_core_matrices_at_real_strides(rank: int, norm: str) -> None:
    shape = SHAPES[rank]
    strides = (1.7, 2.35, 3.1)[:rank]
    x = np.random.default_rng(rank).standard_normal((2, 3, *shape))
    layer = LAYERS[rank](stride=strides, ramp=2.5, norm=norm).double()
    out = layer(torch.as_tensor(x))
    torch.testing.assert_close(out, torch.as_tensor(oracle(x, strides, 2.5, norm)), rtol=1e-6, atol=1e-6)
    assert out.shape[2:] == tuple(sc.smooth_pool_size(n, s, ramp=2.5) for n, s in zip(shape, strides, strict=True))


def test_shared_stride_is_one_parameter_for_every_axis() -> None:
    layer = sct.LearnableSpectralPool2d(stride=2.6, shared_stride=True).double()
    assert tuple(layer.stride.shape) == (1,)
    x = np.random.default_rng(0).standard_normal((1, 2, 20, 15))
    torch.testing.assert_close(layer(torch.as_tensor(x)), torch.as_tensor(oracle(x, (2.6, 2.6), sc.DEFAULT_RAMP)))


def test_real_flip_equivariant_mean_keeping_dtype_and_layout() -> None:
    layer = sct.LearnableSpectralPool2d(stride=(2.3, 1.6))
    x = torch.randn(3, 4, 17, 12)

    def flip(t: torch.Tensor) -> torch.Tensor:  # circular flip x[j] -> x[-j mod n] on both axes
        return torch.roll(torch.flip(t, dims=(-2, -1)), shifts=(1, 1), dims=(-2, -1))

    out = layer(x)
    assert out.dtype == torch.float32
    assert not out.is_complex()
    torch.testing.assert_close(layer(flip(x)), flip(out), rtol=1e-5, atol=1e-5)
    constant = torch.full((1, 1, 17, 12), 2.5)
    torch.testing.assert_close(layer(constant), torch.full_like(layer(constant), 2.5))
    torch.testing.assert_close(layer(x).mean(dim=(-2, -1)), x.mean(dim=(-2, -1)), rtol=1e-4, atol=1e-5)


def test_gradient_in_the_stride_matches_finite_differences() -> None:
    torch.manual_seed(0)
    x = torch.randn(2, 3, 24, 20, dtype=torch.float64)
    layer = sct.LearnableSpectralPool2d(stride=(2.3, 1.9), size_update_interval=None).double()
    g = torch.randn_like(layer(x))
    (layer(x) * g).sum().backward()
    grad = layer.stride.grad.clone()
    assert bool((grad.abs() > 1e-6).all())
    eps = 1e-6
    for axis in range(2):
        values = []
        for sign in (1, -1):
            with torch.no_grad():
                layer.stride.copy_(torch.tensor([2.3, 1.9]))
                layer.stride[axis] += sign * eps
            values.append(float((layer(x) * g).sum()))  # size frozen: same output shape
        assert math.isclose(float(grad[axis]), (values[0] - values[1]) / (2 * eps), rel_tol=1e-4, abs_tol=1e-7)


def test_eager_training_updates_the_size_and_eval_keeps_it() -> None:
    layer = sct.LearnableSpectralPool2d(stride=2.0)
    x = torch.randn(1, 1, 32, 32)
    assert layer(x).shape[-2:] == (18, 18)
    with torch.no_grad():
        layer.stride.fill_(4.0)
    layer.eval()
    assert layer(x).shape[-2:] == (18, 18)  # eval mode: no update
    layer.train()
    assert layer(x).shape[-2:] == (10, 10)  # ceil(8 + 3) - 1
    torch.testing.assert_close(layer.size_stride, torch.tensor([4.0, 4.0]))


def test_stride_below_one_acts_as_one_and_above_n_as_n() -> None:
    layer = sct.LearnableSpectralPool1d(stride=1.0)
    with torch.no_grad():
        layer.stride.fill_(0.5)
    x = torch.randn(2, 3, 12)
    assert layer(x).shape[-1] == 12
    with torch.no_grad():
        layer.stride.fill_(1e6)
    out = layer(x)
    assert out.shape[-1] == sc.smooth_pool_size(12, 12.0) == 3


def test_compiled_training_loop_recompiles_once_per_size_not_per_step() -> None:
    from torch._dynamo.testing import CompileCounter

    torch._dynamo.reset()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), sct.LearnableSpectralPool2d(stride=2.0), nn.Flatten(2))
    head = nn.Linear(4, 1)
    counter = CompileCounter()
    compiled = torch.compile(model, backend=counter)
    params = [*model.parameters(), *head.parameters()]
    optimizer = torch.optim.SGD(params, lr=0.5)
    x = torch.randn(8, 1, 32, 32)
    sizes = set()
    steps = 12
    for step in range(steps):
        out = compiled(x)
        sizes.add(tuple(out.shape))
        loss = head(out.mean(-1)).pow(2).mean() + 1e-3 * sct.pooling_cost(model)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 4 == 3:
            sct.update_pool_sizes(model)
    stride = model[1].stride.detach()
    assert not torch.allclose(stride, torch.tensor([2.0, 2.0]))  # it learned
    assert len(sizes) >= 2  # the size moved at an update...
    # ...and compiled once per size (plus once when the first size update fills the size table and once when
    # the core's namespace cache warms up), not once per step
    assert counter.frame_count <= len(sizes) + 2 < steps
    compiled(x)  # the size of the last update compiles once
    compiles = counter.frame_count
    for group in optimizer.param_groups:
        group["lr"] = 1e-6
    for _ in range(4):  # updates that move the stride but keep the size compile nothing
        out = compiled(x)
        head(out.mean(-1)).pow(2).mean().backward()
        optimizer.step()
        sct.update_pool_sizes(model)
    assert counter.frame_count == compiles


def test_cost_penalty_pushes_the_stride_up_and_is_differentiable() -> None:
    layer = sct.LearnableSpectralPool2d(stride=(2.0, 3.0))
    layer(torch.randn(1, 5, 30, 24))
    cost = layer.cost()
    torch.testing.assert_close(cost, torch.tensor(5 * 15.0 * 8.0))
    cost.backward()
    assert bool((layer.stride.grad < 0).all())  # a larger stride costs less
    torch.testing.assert_close(sct.pooling_cost(nn.Sequential(layer)), cost.detach())


def test_state_dict_round_trip_is_exact() -> None:
    layer = sct.LearnableSpectralPool2d(stride=(2.2, 3.4), ramp=2.5)
    with torch.no_grad():
        layer.stride.copy_(torch.tensor([2.7, 1.3]))
    layer.update_size()
    buffer = io.BytesIO()
    torch.save(layer.state_dict(), buffer)
    buffer.seek(0)
    fresh = sct.LearnableSpectralPool2d(stride=2.0, ramp=2.5)
    fresh.load_state_dict(torch.load(buffer))
    fresh.eval()
    layer.eval()
    x = torch.randn(2, 3, 20, 20)
    torch.testing.assert_close(fresh.stride, layer.stride, rtol=0, atol=0)
    torch.testing.assert_close(fresh(x), layer(x), rtol=0, atol=0)
    assert fresh(x).shape[-2:] == (sc.smooth_pool_size(20, 2.7, ramp=2.5), sc.smooth_pool_size(20, 1.3, ramp=2.5))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"stride": 0.5}, ValueError, r"argument `stride` expected a real number >= 1"),
        ({"stride": float("nan")}, ValueError, r"argument `stride`"),
        ({"stride": (2.0, 2.0, 2.0)}, ValueError, r"argument `stride` expected .* tuple of 2"),
        ({"stride": "2"}, TypeError, r"argument `stride`"),
        ({"stride": (2.0, 3.0), "shared_stride": True}, ValueError, r"argument `stride` expected one value"),
        ({"ramp": 0.0}, ValueError, r"argument `ramp` expected a real number > 0"),
        ({"ramp": -2.0}, ValueError, r"argument `ramp`"),
        ({"norm": "backward"}, ValueError, r"argument `norm`"),
        ({"size_update_interval": 0}, ValueError, r"argument `size_update_interval`"),
    ],
)
def test_bad_construction_names_the_argument(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        sct.LearnableSpectralPool2d(**kwargs)


def test_nan_stride_after_a_bad_step_raises_instead_of_a_nan_shape() -> None:
    layer = sct.LearnableSpectralPool2d(stride=2.0)
    with torch.no_grad():
        layer.stride.fill_(float("nan"))
    with pytest.raises(ValueError, match=r"parameter `stride` expected finite values.*diverged"):
        layer(torch.randn(1, 1, 8, 8))
    with pytest.raises(ValueError, match=r"parameter `stride`"):
        sct.update_pool_sizes(nn.Sequential(layer))


def test_bad_input_names_the_argument() -> None:
    layer = sct.LearnableSpectralPool2d()
    with pytest.raises(TypeError, match=r"argument `input` expected a torch.Tensor"):
        layer(np.zeros((1, 1, 8, 8)))
    with pytest.raises(TypeError, match=r"argument `input` expected a real floating tensor"):
        layer(torch.zeros(1, 1, 8, 8, dtype=torch.complex64))
    with pytest.raises(ValueError, match=r"argument `input` expected a channels-first tensor"):
        layer(torch.zeros(8, 8))
    with pytest.raises(TypeError, match=r"argument `model`"):
        sct.update_pool_sizes("model")  # type: ignore[arg-type]


def test_spectralize_turns_strided_downsampling_into_learnable_pooling() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Identity(),
        nn.AvgPool2d(3, stride=1),  # not a plain subsampling: left alone, with a warning
        nn.AdaptiveAvgPool2d(1),
    )
    conv_weight = model[0].weight.detach().clone()
    with pytest.warns(UserWarning, match=r"left 1 pooling\(s\) unconverted: 4 \(AvgPool2d\): kernel \(3, 3\) differs"):
        sct.spectralize(model, pools="learnable")
    first, pool = model[0], model[2]
    assert isinstance(first, nn.Sequential)
    assert isinstance(first[0], sct.SpectralConv2d)
    assert first[0].stride == (1, 1)
    assert isinstance(first[1], sct.LearnableSpectralPool2d)
    torch.testing.assert_close(first[1].stride.detach(), torch.tensor([2.0, 2.0]))
    torch.testing.assert_close(first[0].weight, conv_weight, rtol=1e-5, atol=1e-6)  # same filters, spectral now
    assert isinstance(pool, sct.LearnableSpectralPool2d)
    assert isinstance(model[4], nn.AvgPool2d)
    out = model(torch.randn(2, 3, 32, 32))
    assert out.shape == (2, 8, 1, 1)
    # 32 -> conv (stride 1) 32 -> learnable stride 2: 18 -> learnable stride 2: ceil(9 + 3) - 1 = 11
    assert pool.output_size((18, 18)) == (11, 11)


def test_spectralize_pools_option_is_checked() -> None:
    with pytest.raises(ValueError, match=r"spectralize: argument `pools` expected one of 'learnable'"):
        sct.spectralize(nn.Sequential(nn.MaxPool2d(2)), pools="fixed")
