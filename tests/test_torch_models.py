"""spectralcore_torch.models: the paper's nets, their shapes, sizes, parameter counts, twins, dropout and training.

Kept fast: small widths (0.125), batches of 2 to 8 and small inputs; only the parameter counts build full-width nets.
"""

from __future__ import annotations

import doctest
import importlib
from typing import Any

import pytest
from _support import require_framework

import spectralcore as sc

torch = require_framework("torch", "torch")
sct = importlib.import_module("spectralcore_torch")
models = importlib.import_module("spectralcore_torch.models")
nn = torch.nn

W = 0.125  # the "quick" CPU scale
NETS = ["deep", "generic", "spectral_pool"]
PARAMS = ["spatial", "spectral"]


def _build(name: str, in_channels: int = 3, size: int = 32, seed: int = 0, **kwargs: Any) -> Any:
    """Net ``name`` at width ``W`` for ``size x size`` inputs, built after ``torch.manual_seed(seed)``."""
    kwargs.setdefault("width", W)
    kwargs.setdefault("num_classes", 10)
    if name != "deep":
        kwargs.setdefault("input_size", size)
    torch.manual_seed(seed)
    return models.build_model(name, in_channels=in_channels, **kwargs)


def _x(n: int, channels: int, size: int, seed: int = 1) -> Any:
    return torch.randn(n, channels, size, size, generator=torch.Generator().manual_seed(seed))


def _convs(net: Any) -> list[Any]:
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, sct.SpectralConv2d))]


# ---------------------------------------------------------------------------------------------
# Output shapes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("kernel_size", [3, 5])
@pytest.mark.parametrize(("channels", "size"), [(3, 32), (1, 28)], ids=["cifar", "fashion"])
def test_output_shapes(name: str, kernel_size: int, channels: int, size: int) -> None:
    net = _build(name, channels, size, kernel_size=kernel_size)
    out = net(_x(2, channels, size))
    assert out.shape == (2, 10)
    assert out.dtype == torch.float32
    assert torch.isfinite(out).all()
    assert all(c.kernel_size in ((kernel_size, kernel_size), (1, 1)) for c in _convs(net))


def test_deep_net_works_for_any_input_size() -> None:
    net = _build("deep")
    for size in (8, 13, 40):
        assert net(_x(1, 3, size)).shape == (1, 10)


def test_input_is_checked() -> None:
    with pytest.raises(ValueError, match=r"argument `input` expected a \(N, 3, H, W\)"):
        _build("deep")(_x(1, 1, 32))
    with pytest.raises(ValueError, match=r"argument `input` expected spatial size \(32, 32\)"):
        _build("generic")(_x(1, 3, 28))
    with pytest.raises(ValueError, match="argument `input`"):
        _build("spectral_pool")(torch.randn(3, 32, 32))


# ---------------------------------------------------------------------------------------------
# Spectral parameterization: same function at initialisation, k * k reals per filter
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("kernel_size", [3, 5])
def test_spectral_equals_spatial_at_init(name: str, kernel_size: int) -> None:
    spatial = _build(name, seed=7, kernel_size=kernel_size).eval()
    spectral = _build(name, seed=7, kernel_size=kernel_size, parameterization="spectral").eval()
    assert (spatial.parameterization, spectral.parameterization) == ("spatial", "spectral")
    x = _x(2, 3, 32)
    expected = spatial(x)
    torch.testing.assert_close(spectral(x), expected, rtol=1e-5, atol=1e-5)

    before = {k: v.clone() for k, v in spatial.state_dict().items()}
    twin = models.with_parameterization(spatial, "spectral")
    assert twin.parameterization == "spectral"
    assert spatial.parameterization == "spatial"  # the original is left alone
    assert all(torch.equal(v, before[k]) for k, v in spatial.state_dict().items())
    torch.testing.assert_close(twin(x), expected, rtol=1e-5, atol=1e-5)
    back = models.with_parameterization(twin, "spatial")
    assert back.parameterization == "spatial"
    torch.testing.assert_close(back(x), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("kernel_size", [3, 5])
def test_spectral_nets_hold_spectral_convs(name: str, kernel_size: int) -> None:
    spatial = _build(name, kernel_size=kernel_size)
    spectral = _build(name, kernel_size=kernel_size, parameterization="spectral")
    # SpectralConv2d is an nn.Conv2d subclass (a parametrized one): no stock nn.Conv2d is left
    assert not any(isinstance(m, nn.Conv2d) and not isinstance(m, sct.SpectralConv2d) for m in spectral.modules())
    convs = _convs(spectral)
    assert len(convs) == len(_convs(spatial)) > 0
    assert all(isinstance(c, sct.SpectralConv2d) for c in convs)
    for conv, twin in zip(convs, _convs(spatial), strict=True):
        kh, kw = conv.kernel_size
        # exactly kh * kw reals per filter (no 2 k^2 real/imaginary storage)
        assert conv.spectral_weight.shape == (conv.out_channels, conv.in_channels, kh, kw) == twin.weight.shape
        assert not conv.spectral_weight.is_complex()
    # fully connected layers stay nn.Linear
    assert [type(m) for m in spectral.modules() if isinstance(m, nn.Linear)] == [
        type(m) for m in spatial.modules() if isinstance(m, nn.Linear)
    ]
    assert models.count_parameters(spectral) == models.count_parameters(spatial)
    linear = {n for n, m in spectral.named_modules() if isinstance(m, nn.Linear)}
    for pname, _ in spectral.named_parameters():
        owner, leaf = pname.rsplit(".", 1)
        spectral_coefficients = owner.endswith("parametrizations.weight") and leaf == "original"
        assert spectral_coefficients or leaf == "bias" or (owner in linear and leaf == "weight"), pname


# ---------------------------------------------------------------------------------------------
# Architecture: parameter counts, stage sizes, filter counts, dropout schedule
# ---------------------------------------------------------------------------------------------
def _conv_count(cin: int, cout: int, k: int) -> int:
    return cin * cout * k * k + cout


@pytest.mark.parametrize("k", [3, 5])
def test_full_width_parameter_counts(k: int) -> None:
    deep = (
        _conv_count(3, 96, k)
        + _conv_count(96, 96, k)
        + _conv_count(96, 192, k)
        + _conv_count(192, 192, k) * 2
        + _conv_count(192, 192, 1)
        + _conv_count(192, 10, 1)
    )
    assert models.count_parameters(models.DeepNet(3, 10, kernel_size=k)) == deep
    if k == 3:
        by_hand = 3 * 96 * 9 + 96 + 96 * 96 * 9 + 96 + 96 * 192 * 9 + 192 + 2 * (192 * 192 * 9 + 192)
        assert deep == by_hand + 192 * 192 + 192 + 192 * 10 + 10 == 954_730
    generic = _conv_count(3, 96, k) + _conv_count(96, 192, k) + (192 * 8 * 8 * 1024 + 1024) + (1024 * 512 + 512) + 5130
    assert models.count_parameters(models.GenericNet(3, 10, input_size=32, kernel_size=k)) == generic
    spool = (
        _conv_count(3, 128, k)
        + _conv_count(128, 160, k)
        + _conv_count(160, 192, k)
        + _conv_count(192, 192, 1)
        + _conv_count(192, 10, 1)
    )
    net = models.SpectralPoolNet(3, 10, input_size=32, kernel_size=k, parameterization="spectral")
    assert models.count_parameters(net) == spool


def test_spectral_pool_net_sizes_filters_and_schedule() -> None:
    net = models.SpectralPoolNet(3, 10, input_size=32, width=1.0)
    assert net.stage_sizes == [(27, 27), (22, 22), (18, 18)]
    assert net.filter_counts == [128, 160, 192]
    assert [c.out_channels for c in _convs(net)] == [128, 160, 192, 192, 10]
    assert net.dropout_min_fractions == pytest.approx([0.25, 0.20, 0.15])
    pools = [m for m in net.modules() if isinstance(m, sct.SpectralPool2d)]
    assert [p.scale for p in pools] == [(0.85, 0.85)] * 3
    assert [p.dropout_min_fraction for p in pools] == net.dropout_min_fractions
    assert not any(p.dropout_per_sample for p in pools)  # one draw per minibatch, as the paper

    deep = models.SpectralPoolNet(3, 10, input_size=32, num_stages=8, alpha=0.3, beta=0.1)
    assert deep.filter_counts == [128, 160, 192, 224, 256, 288, 288, 288]  # capped at 288 for m >= 6
    assert [h for h, _ in deep.stage_sizes] == [27, 22, 18, 15, 12, 10, 8, 6]
    expected = [0.3 + (m / 8) * (0.1 - 0.3) for m in range(1, 9)]
    assert deep.dropout_min_fractions == pytest.approx(expected, abs=1e-15)
    assert models.SpectralPoolNet(3, 10, input_size=32, num_stages=8, width=W).filter_counts[-1] == 36

    rect = models.SpectralPoolNet(1, 10, input_size=(28, 20), width=W)
    assert rect.stage_sizes == [(23, 17), (19, 14), (16, 11)]
    assert rect(torch.randn(2, 1, 28, 20)).shape == (2, 10)
    assert models.SpectralPoolNet(3, 10, input_size=32, frequency_dropout=False).dropout_min_fractions == []


def test_dropout_schedule_is_exact_decimal() -> None:
    # In binary, 0.05 + (2/3)(0.2 - 0.05) is 0.15000000000000002, which the core reads as written: on a 20-pixel map
    # its band would start at ceil(3.0000000000000004) = 4 instead of ceil(0.15 * 20) = 3.
    naive = 0.05 + (2 / 3) * (0.2 - 0.05)
    assert sc.dropout_keep_range(20, min_fraction=naive) == (4, 20)
    net = models.SpectralPoolNet(3, 10, input_size=20, gamma=1.0, alpha=0.05, beta=0.2, width=W)
    assert net.dropout_min_fractions[1] == 0.15
    pool = net.layers.pool2
    assert sc.dropout_keep_range(net.stage_sizes[1][0], min_fraction=pool.dropout_min_fraction) == (3, 20)


@pytest.mark.parametrize("frequency_dropout", [True, False])
def test_max_variant_has_the_same_feature_map_sizes(frequency_dropout: bool) -> None:
    shapes: dict[str, list[tuple[int, ...]]] = {}
    for pool in ("spectral", "max"):
        net = _build("spectral_pool", pool=pool, frequency_dropout=frequency_dropout, num_stages=4).train()
        seen: list[tuple[int, ...]] = []
        for m in net.modules():
            if isinstance(m, (sct.SpectralPool2d, nn.AdaptiveMaxPool2d, nn.Conv2d)):
                m.register_forward_hook(lambda _m, _i, out, seen=seen: seen.append(tuple(out.shape)))
        net(_x(2, 3, 32))
        shapes[pool] = seen
        kinds = {type(m) for m in net.modules()}
        assert (sct.FrequencyDropout2d in kinds) == (pool == "max" and frequency_dropout)
        assert (sct.SpectralPool2d in kinds) == (pool == "spectral")
    assert shapes["spectral"] == shapes["max"]
    pooled = [s[-2:] for s in shapes["max"] if len(s) == 4][1::2][:4]  # every conv is followed by a pool
    assert pooled == [(27, 27), (22, 22), (18, 18), (15, 15)]


# ---------------------------------------------------------------------------------------------
# Training: gradients and a few Adam steps
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("parameterization", PARAMS)
def test_gradients_flow_to_every_parameter(name: str, parameterization: str) -> None:
    net = _build(name, 1, 16, parameterization=parameterization, seed=3).train()
    loss = nn.functional.cross_entropy(net(_x(4, 1, 16)), torch.arange(4))
    loss.backward()
    for pname, p in net.named_parameters():
        assert p.grad is not None, pname
        assert torch.isfinite(p.grad).all(), pname
        assert p.grad.abs().sum() > 0, pname


@pytest.mark.parametrize("name", NETS)
@pytest.mark.parametrize("parameterization", PARAMS)
def test_adam_reduces_the_loss(name: str, parameterization: str) -> None:
    net = _build(name, 3, 16, parameterization=parameterization, seed=4)
    x, y = _x(8, 3, 16, seed=5), torch.arange(8) % 10
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    with torch.no_grad():
        before = nn.functional.cross_entropy(net.eval()(x), y).item()
    net.train()
    for _ in range(30):
        opt.zero_grad()
        nn.functional.cross_entropy(net(x), y).backward()
        opt.step()
    with torch.no_grad():
        after = nn.functional.cross_entropy(net.eval()(x), y).item()
    assert after < 0.8 * before, (before, after)


# ---------------------------------------------------------------------------------------------
# Dropout: train/eval behaviour and reproducibility
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("pool", ["spectral", "max"])
def test_frequency_dropout_only_in_train_mode(pool: str) -> None:
    gen = torch.Generator().manual_seed(0)
    net = _build("spectral_pool", pool=pool, generator=gen)
    plain = _build("spectral_pool", pool=pool, frequency_dropout=False)  # same seed, same weights
    x = _x(2, 3, 32)
    with torch.no_grad():
        net.eval()
        reference = plain.eval()(x)
        assert torch.equal(net(x), net(x))
        torch.testing.assert_close(net(x), reference)
        net.train()
        outs = [net(x) for _ in range(4)]
        assert not all(torch.equal(outs[0], o) for o in outs[1:])
        assert not any(torch.allclose(o, reference) for o in outs)
        torch.testing.assert_close(plain.train()(x), reference)  # nothing random without frequency dropout


@pytest.mark.parametrize("pool", ["spectral", "max"])
def test_generator_reproducibility(pool: str) -> None:
    x = _x(2, 3, 32)
    a = _build("spectral_pool", pool=pool, generator=torch.Generator().manual_seed(11)).train()
    b = _build("spectral_pool", pool=pool, generator=torch.Generator().manual_seed(11)).train()
    with torch.no_grad():
        for _ in range(3):
            assert torch.equal(a(x), b(x))
        # the generator's state is the checkpoint of the dropout stream
        state = a.generator.get_state()
        first = a(x)
        a.generator.set_state(state)
        assert torch.equal(a(x), first)
        # the twin's generators are copies in the same state: same draws, same outputs
        a.generator.set_state(state)
        twin = models.with_parameterization(a, "spectral")
        assert twin.generator is not a.generator
        torch.testing.assert_close(twin(x), first, rtol=1e-5, atol=1e-5)
        pools = [m for m in twin.modules() if isinstance(m, (sct.SpectralPool2d, sct.FrequencyDropout2d))]
        assert all(p.generator is twin.generator for p in pools)  # still one shared stream in the copy


@pytest.mark.parametrize("name", ["deep", "generic"])
def test_plain_dropout(name: str) -> None:
    net = _build(name, dropout=0.5)
    drops = [n for n, m in net.layers.named_children() if isinstance(m, nn.Dropout)]
    assert drops == (["drop1", "drop2"] if name == "deep" else ["drop1", "drop2", "drop3", "drop4"])
    order = list(net.layers._modules)
    for d in drops[:2]:  # right after a max pool
        assert order[order.index(d) - 1].startswith("pool")
    assert not any(isinstance(m, nn.Dropout) for m in _build(name).modules())
    x = _x(2, 3, 32)
    with torch.no_grad():
        assert torch.equal(net.eval()(x), net(x))
        torch.manual_seed(0)
        assert not torch.equal(net.train()(x), net(x))
    # the dropout layers hold no parameters, so the parameter names do not depend on it
    assert [n for n, _ in net.named_parameters()] == [n for n, _ in _build(name).named_parameters()]


# ---------------------------------------------------------------------------------------------
# Errors, helpers, doctests
# ---------------------------------------------------------------------------------------------
BAD: list[tuple[str, dict[str, Any], str]] = [
    ("deep", {"parameterization": "fourier"}, "parameterization"),
    ("generic", {"parameterization": "Spectral"}, "parameterization"),
    ("spectral_pool", {"pool": "avg"}, "pool"),
    ("deep", {"kernel_size": 0}, "kernel_size"),
    ("deep", {"kernel_size": 4}, "kernel_size"),
    ("spectral_pool", {"kernel_size": 2}, "kernel_size"),
    ("spectral_pool", {"gamma": 0.0}, "gamma"),
    ("spectral_pool", {"gamma": 1.5}, "gamma"),
    ("spectral_pool", {"alpha": 0.0}, "alpha"),
    ("spectral_pool", {"beta": 1.2}, "beta"),
    ("spectral_pool", {"num_stages": 14}, "num_stages"),
    ("spectral_pool", {"num_stages": 0}, "num_stages"),
    ("spectral_pool", {"input_size": 0}, "input_size"),
    ("spectral_pool", {"pool_norm": "backward"}, "pool_norm"),
    ("spectral_pool", {"nyquist": "drop"}, "nyquist"),
    ("generic", {"input_size": (32, 0)}, "input_size"),
    ("deep", {"width": 0}, "width"),
    ("generic", {"width": -1.0}, "width"),
    ("deep", {"dropout": 1.0}, "dropout"),
    ("generic", {"dropout": -0.1}, "dropout"),
    ("deep", {"num_classes": 0}, "num_classes"),
]


@pytest.mark.parametrize(("name", "kwargs", "arg"), BAD)
def test_bad_arguments(name: str, kwargs: dict[str, Any], arg: str) -> None:
    with pytest.raises(ValueError, match=f"argument.* `{arg}`") as info:
        _build(name, **kwargs)
    assert "received" in str(info.value)


def test_too_many_stages_message() -> None:
    with pytest.raises(ValueError, match=r"`num_stages`, `gamma` and `input_size`.*at most 13 stages fit"):
        models.SpectralPoolNet(3, 10, input_size=32, num_stages=14)
    # 32 -> 27 22 18 15 12 10 8 6 5 4 3 2 1: thirteen stages
    net = models.SpectralPoolNet(3, 10, input_size=32, num_stages=13, width=W)
    assert [h for h, _ in net.stage_sizes] == [27, 22, 18, 15, 12, 10, 8, 6, 5, 4, 3, 2, 1]
    assert net(_x(1, 3, 32)).shape == (1, 10)
    with pytest.raises(ValueError, match="num_stages"):
        models.SpectralPoolNet(1, 10, input_size=(28, 2), gamma=0.5, num_stages=2)


def test_bad_types() -> None:
    with pytest.raises(TypeError, match="`kernel_size`"):
        models.DeepNet(3, 10, kernel_size=3.0)
    with pytest.raises(TypeError, match="`generator`"):
        models.SpectralPoolNet(3, 10, input_size=32, generator=0)
    with pytest.raises(TypeError, match="input_size"):
        models.GenericNet(3, 10, input_size="32")
    with pytest.raises(TypeError, match="input_size"):
        models.GenericNet(3, 10)  # required, keyword-only


def test_build_model_and_helpers() -> None:
    with pytest.raises(ValueError, match="argument `name` expected one of 'deep', 'generic', 'spectral_pool'"):
        models.build_model("resnet", in_channels=3, num_classes=10)
    for name, cls in zip(NETS, (models.DeepNet, models.GenericNet, models.SpectralPoolNet), strict=True):
        assert type(_build(name)) is cls
    with pytest.raises(ValueError, match="argument `parameterization`"):
        models.with_parameterization(_build("deep"), "fourier")
    conv = nn.Conv2d(3, 96, 3)
    assert models.count_parameters(conv) == 3 * 96 * 9 + 96
    conv.bias.requires_grad_(False)
    assert models.count_parameters(conv, trainable_only=True) == 3 * 96 * 9
    shared = nn.Linear(4, 4)
    assert models.count_parameters(nn.Sequential(shared, shared)) == 20  # shared parameters once
    assert "spectral_pool" in models.MODEL_NAMES
    assert "models" in sct.__all__
    assert sct.models is models


def test_doctests() -> None:
    result = doctest.testmod(models, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0, result


# ---------------------------------------------------------------------------------------------
# Initialisation
# ---------------------------------------------------------------------------------------------
def test_he_init_has_the_relu_gain() -> None:
    torch.manual_seed(0)
    net = models.DeepNet(3, 10, kernel_size=5, width=1.0)
    for module in net.modules():
        if isinstance(module, nn.Conv2d):
            fan_in = module.in_channels * module.kernel_size[0] * module.kernel_size[1]
            std = float(module.weight.detach().std())
            assert std == pytest.approx((2.0 / fan_in) ** 0.5, rel=0.08)
            assert torch.count_nonzero(module.bias) == 0


def test_torch_init_is_pytorchs_own() -> None:
    torch.manual_seed(5)
    net = models.GenericNet(1, 10, input_size=28, width=0.125, init="torch")
    torch.manual_seed(5)
    first = nn.Conv2d(1, net.layers.conv1.out_channels, 3, padding="same")
    torch.testing.assert_close(net.layers.conv1.weight, first.weight, rtol=0, atol=0)


def test_he_init_keeps_the_signal_alive() -> None:
    """PyTorch's default init shrinks activations at every ReLU layer; He init keeps their scale (9 convs)."""
    x = torch.randn(8, 1, 28, 28)
    scales = {}
    for init in ("he", "torch"):
        torch.manual_seed(0)
        net = models.SpectralPoolNet(1, 10, input_size=28, num_stages=6, width=0.5, frequency_dropout=False, init=init)
        with torch.no_grad():
            scales[init] = float(net(x).std())
    assert scales["he"] > 10 * scales["torch"]


def test_unknown_init_is_rejected() -> None:
    with pytest.raises(ValueError, match="init"):
        models.DeepNet(3, 10, init="xavier")
