"""spectralcore_flax.SpectralConv: a drop-in nnx.Conv; twins, training, state and checkpoints of the adapter."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest
from _support import require_framework

import spectralcore as sc

flax = require_framework("flax", "flax")
jax = importlib.import_module("jax")
jnp = importlib.import_module("jax.numpy")
nnx = importlib.import_module("flax.nnx")
optax = require_framework("optax", "flax")
scf = importlib.import_module("spectralcore_flax")
jax_test_util = importlib.import_module("jax.test_util")

TOL64 = {"rtol": 1e-10, "atol": 1e-10}


def _x(shape: tuple[int, ...], seed: int = 0, dtype: Any = jnp.float64) -> Any:
    return jnp.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


def _photo_patches(count: int, size: int) -> Any:
    """Real data: ``count`` patches of scikit-image's camera photo, (count, size, size, 1) in [0, 1]."""
    skimage_data = require_framework("skimage.data", "skimage")
    photo = np.asarray(skimage_data.camera(), dtype=np.float64) / 255.0
    starts = np.linspace(0, photo.shape[0] - size, count).astype(int)
    return jnp.asarray(np.stack([photo[s : s + size, s : s + size] for s in starts])[..., None])


CONV_CASES = [
    ((2, 11, 3), {"in_features": 3, "out_features": 4, "kernel_size": (3,)}),
    ((2, 10, 9, 4), {"in_features": 4, "out_features": 6, "kernel_size": (3, 2), "feature_group_count": 2}),
    ((2, 10, 9, 3), {"in_features": 3, "out_features": 2, "kernel_size": (4, 4), "strides": 2, "padding": "VALID"}),
    ((1, 9, 8, 2), {"in_features": 2, "out_features": 3, "kernel_size": (3, 3), "padding": "CIRCULAR"}),
    ((2, 9, 8, 2), {"in_features": 2, "out_features": 3, "kernel_size": (5, 3), "kernel_dilation": 2}),
    ((1, 6, 7, 5, 2), {"in_features": 2, "out_features": 3, "kernel_size": (3, 2, 3), "use_bias": False}),
]


@pytest.mark.parametrize(("shape", "config"), CONV_CASES)
def test_spectral_conv_is_nnx_conv_with_prod_k_spectral_parameters(shape: tuple[int, ...], config: dict) -> None:
    conv = nnx.Conv(**config, param_dtype=jnp.float64, rngs=nnx.Rngs(0))
    same_seed = scf.SpectralConv(**config, param_dtype=jnp.float64, rngs=nnx.Rngs(0))
    assert isinstance(same_seed, nnx.Conv)
    # The same draw as nnx.Conv, stored as its spectral image: exactly the kernel's shape, prod(k) reals per filter.
    assert same_seed.spectral_kernel.shape == conv.kernel.shape
    np.testing.assert_allclose(np.asarray(same_seed.kernel), np.asarray(conv.kernel[...]), **TOL64)
    rank = len(config["kernel_size"])
    theta = sc.spatial_to_spectral(np.asarray(conv.kernel[...]), axes=tuple(range(rank)))
    np.testing.assert_allclose(np.asarray(same_seed.spectral_kernel[...]), theta, **TOL64)
    params = nnx.state(same_seed, nnx.Param)
    assert sum(p.size for p in jax.tree.leaves(params)) == sum(p.size for p in jax.tree.leaves(nnx.state(conv)))
    x = _x(shape)
    spectral = scf.SpectralConv.from_conv(conv)
    np.testing.assert_allclose(np.asarray(spectral(x)), np.asarray(conv(x)), **TOL64)
    back = spectral.to_conv()
    assert type(back) is nnx.Conv
    np.testing.assert_allclose(np.asarray(back.kernel[...]), np.asarray(conv.kernel[...]), **TOL64)
    np.testing.assert_allclose(np.asarray(back(x)), np.asarray(conv(x)), **TOL64)


@pytest.mark.parametrize("norm", ["ortho", "backward", "forward"])
def test_norms_and_orthogonality(norm: str) -> None:
    conv = nnx.Conv(3, 4, (4, 3), param_dtype=jnp.float64, rngs=nnx.Rngs(1))
    layer = scf.SpectralConv.from_conv(conv, norm=norm)
    theta = sc.spatial_to_spectral(np.asarray(conv.kernel[...]), axes=(0, 1), norm=norm)
    np.testing.assert_allclose(np.asarray(layer.spectral_kernel[...]), theta, **TOL64)
    x = _x((1, 8, 8, 3))
    np.testing.assert_allclose(np.asarray(layer(x)), np.asarray(conv(x)), **TOL64)
    same_norm = np.isclose(np.linalg.norm(theta), np.linalg.norm(np.asarray(conv.kernel[...])), rtol=1e-12)
    assert same_norm == (norm == "ortho")


def test_equals_the_torch_adapter_in_transposed_layout() -> None:
    torch = require_framework("torch", "torch")
    sct = importlib.import_module("spectralcore_torch")
    conv = nnx.Conv(3, 5, (3, 4), padding=((1, 1), (2, 1)), param_dtype=jnp.float64, rngs=nnx.Rngs(2))
    tconv = torch.nn.Conv2d(3, 5, (3, 4), padding=0, dtype=torch.float64)
    with torch.no_grad():
        tconv.weight.copy_(torch.asarray(np.asarray(conv.kernel[...]).transpose(3, 2, 0, 1).copy()))
        tconv.bias.copy_(torch.asarray(np.array(conv.bias[...])))
    theirs = sct.SpectralConv2d.from_conv(tconv)
    ours = scf.SpectralConv.from_conv(conv)
    # The filter map acts on the kernel axes only: the same parameters, in the other layout.
    np.testing.assert_allclose(
        np.asarray(ours.spectral_kernel[...]), theirs.spectral_weight.detach().numpy().transpose(2, 3, 1, 0), **TOL64
    )
    x = _x((2, 9, 10, 3))
    padded = torch.nn.functional.pad(torch.asarray(np.asarray(x).transpose(0, 3, 1, 2).copy()), (2, 1, 1, 1))
    np.testing.assert_allclose(np.asarray(ours(x)), theirs(padded).detach().numpy().transpose(0, 2, 3, 1), **TOL64)


def test_dtypes_are_preserved() -> None:
    for dtype in (jnp.float32, jnp.float64, jnp.bfloat16):
        layer = scf.SpectralConv(2, 3, (3, 3), param_dtype=dtype, dtype=dtype, rngs=nnx.Rngs(0))
        assert layer.spectral_kernel.dtype == dtype
        assert layer.kernel.dtype == dtype
        y = layer(jnp.ones((1, 6, 6, 2), dtype))
        assert y.dtype == dtype
        assert scf.SpectralPool(3)(y).dtype == dtype
        assert scf.FrequencyDropout(0.5, rngs=nnx.Rngs(dropout=0))(y).dtype == dtype
    # bfloat16: nnx.Conv's own bfloat16 draw, rounded once more (to bfloat16) on the way through the map.
    bf = scf.SpectralConv(2, 3, (3, 3), param_dtype=jnp.bfloat16, rngs=nnx.Rngs(0))
    ref = nnx.Conv(2, 3, (3, 3), param_dtype=jnp.bfloat16, rngs=nnx.Rngs(0))
    np.testing.assert_allclose(
        np.asarray(bf.kernel.astype(jnp.float32)), np.asarray(ref.kernel[...].astype(jnp.float32)), atol=2e-2
    )


def test_finite_difference_gradients_of_the_spectral_parameters() -> None:
    layer = scf.SpectralConv(2, 2, (3, 2), param_dtype=jnp.float64, rngs=nnx.Rngs(0))
    graphdef, params = nnx.split(layer)
    x = _x((1, 6, 5, 2))

    def f(theta: Any) -> Any:
        state = jax.tree.map(lambda p: p, params)
        state["spectral_kernel"] = state["spectral_kernel"].replace(theta)
        return nnx.merge(graphdef, state)(x)

    jax_test_util.check_grads(f, (params["spectral_kernel"][...],), order=1, modes=("fwd", "rev"))


def test_jit_value_and_grad_vmap() -> None:
    layer = scf.SpectralConv(2, 3, (3, 3), param_dtype=jnp.float64, rngs=nnx.Rngs(0))
    x = _x((4, 8, 8, 2))
    loss = lambda m, x: jnp.mean(m(x) ** 2)  # noqa: E731
    value, grads = nnx.jit(nnx.value_and_grad(loss))(layer, x)
    eager_value, eager_grads = nnx.value_and_grad(loss)(layer, x)
    assert float(value) == pytest.approx(float(eager_value), rel=1e-12)
    np.testing.assert_allclose(
        np.asarray(grads["spectral_kernel"][...]), np.asarray(eager_grads["spectral_kernel"][...]), **TOL64
    )
    # The chain rule through the core's orthogonal filter map: grad_theta = spatial_to_spectral(grad_w).
    conv = layer.to_conv()
    spatial_grads = nnx.grad(loss)(conv, x)
    np.testing.assert_allclose(
        np.asarray(grads["spectral_kernel"][...]),
        sc.spatial_to_spectral(np.asarray(spatial_grads["kernel"][...]), axes=(0, 1)),
        **TOL64,
    )
    mapped = nnx.vmap(lambda m, xi: m(xi), in_axes=(None, 0))(layer, x)
    np.testing.assert_allclose(np.asarray(mapped), np.asarray(layer(x)), **TOL64)


# ---------------------------------------------------------------------------------------------
# Training on real data; the spectral and spatial twins
# ---------------------------------------------------------------------------------------------
class _Net(nnx.Module):
    def __init__(self, conv: Any, dropout: bool = False) -> None:
        self.conv = conv
        self.pool = scf.SpectralPool(8, dropout_min_fraction=0.5 if dropout else None, rngs=nnx.Rngs(dropout=0))

    def __call__(self, x: Any) -> Any:
        return self.pool(self.conv(x))


def _task() -> tuple[Any, Any]:
    """Learn a fixed 3 x 3 filter followed by spectral pooling, on standardized patches of a real photo."""
    x = _photo_patches(6, 16)
    x = (x - x.mean()) / x.std()
    edge = jnp.asarray([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])[:, :, None, None] / 4
    target = scf.SpectralPool(8)(
        jax.lax.conv_general_dilated(x, edge, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
    )
    return x, target


def _train(model: Any, tx: Any, x: Any, y: Any, steps: int) -> tuple[list[float], list[np.ndarray]]:
    optimizer = nnx.Optimizer(model, tx, wrt=nnx.Param)

    @nnx.jit
    def step(model: Any, optimizer: Any, x: Any, y: Any) -> Any:
        loss, grads = nnx.value_and_grad(lambda m: jnp.mean((m(x) - y) ** 2))(model)
        optimizer.update(model, grads)
        return loss

    losses, kernels = [], []
    for _ in range(steps):
        losses.append(float(step(model, optimizer, x, y)))
        kernels.append(np.asarray(model.conv.kernel[...]))
    return losses, kernels


def test_optax_sgd_lowers_the_loss_on_a_real_photo() -> None:
    x, y = _task()
    model = _Net(scf.SpectralConv(1, 1, (3, 3), param_dtype=jnp.float64, rngs=nnx.Rngs(0)), dropout=True)
    # Trained with frequency dropout on, evaluated without it.
    evaluate = lambda: float(jnp.mean((nnx.view(model, deterministic=True)(x) - y) ** 2))  # noqa: E731
    before = evaluate()
    _train(model, optax.sgd(0.05), x, y, 20)
    assert evaluate() < 0.6 * before


def test_sgd_trajectories_are_identical_in_both_parameterizations_and_adam_differs() -> None:
    x, y = _task()
    conv = nnx.Conv(1, 2, (3, 3), param_dtype=jnp.float64, rngs=nnx.Rngs(3))
    head = lambda c: _Net(c)  # noqa: E731
    for tx, same in ((optax.sgd(0.05), True), (optax.adam(0.05), False)):
        spatial = head(nnx.clone(conv))
        spectral = head(scf.SpectralConv.from_conv(nnx.clone(conv)))
        loss_a, kernels_a = _train(spatial, tx, x, y, 5)
        loss_b, kernels_b = _train(spectral, tx, x, y, 5)
        gap = max(float(np.max(np.abs(a - b))) for a, b in zip(kernels_a, kernels_b, strict=True))
        if same:
            assert gap < 1e-10, gap
            np.testing.assert_allclose(loss_a, loss_b, rtol=1e-10)
        else:
            assert gap > 1e-3, gap


# ---------------------------------------------------------------------------------------------
# State: split / merge, Orbax checkpoints
# ---------------------------------------------------------------------------------------------
def test_split_merge_and_orbax_round_trip(tmp_path: Any) -> None:
    ocp = require_framework("orbax.checkpoint", "flax")
    model = _Net(scf.SpectralConv(1, 2, (3, 3), rngs=nnx.Rngs(5)), dropout=True)
    x = _photo_patches(2, 16).astype(jnp.float32)
    expected = nnx.clone(model)(x)  # the stream's count is state too: a merged copy draws the same band
    graphdef, state = nnx.split(model)
    assert "spectral_kernel" in state["conv"]
    merged = nnx.merge(graphdef, jax.tree.map(jnp.copy, state))
    np.testing.assert_array_equal(np.asarray(merged(x)), np.asarray(expected))

    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "state", nnx.state(model, nnx.Param))
    checkpointer.wait_until_finished()
    fresh = _Net(scf.SpectralConv(1, 2, (3, 3), rngs=nnx.Rngs(99)), dropout=True)
    abstract = nnx.state(fresh, nnx.Param)
    restored = checkpointer.restore(tmp_path / "state", jax.tree.map(ocp.utils.to_shape_dtype_struct, abstract))
    nnx.update(fresh, restored)
    np.testing.assert_array_equal(
        np.asarray(fresh.conv.spectral_kernel[...]), np.asarray(model.conv.spectral_kernel[...])
    )
    np.testing.assert_array_equal(np.asarray(fresh.conv(x)), np.asarray(model.conv(x)))


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"SpectralConv: argument `norm` expected one of 'ortho', 'backward'"):
        scf.SpectralConv(2, 3, (3, 3), norm="unitary", rngs=nnx.Rngs(0))
    with pytest.raises(TypeError, match=r"SpectralConv.from_conv: argument `conv` expected an nnx.Conv"):
        scf.SpectralConv.from_conv(nnx.Linear(2, 3, rngs=nnx.Rngs(0)))
    layer = scf.SpectralConv(2, 3, (3, 3), rngs=nnx.Rngs(0))
    with pytest.raises(ValueError, match=r"SpectralConv: argument `kernel` expected an array of shape \(3, 3, 2, 3\)"):
        layer.kernel = jnp.ones((3, 3, 2, 4))
    layer.kernel = jnp.ones((3, 3, 2, 3))  # a right-shaped kernel is stored as its spectral image
    np.testing.assert_allclose(np.asarray(layer.kernel), 1.0, atol=1e-6)
