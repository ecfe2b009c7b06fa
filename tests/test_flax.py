"""spectralcore_flax pooling and frequency dropout: equal to the NumPy core and the torch adapter, NNX-native.

The conv layer, training, checkpoints and the spectral/spatial twins are in ``test_flax_conv.py``.
"""

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
scf = importlib.import_module("spectralcore_flax")
jax_test_util = importlib.import_module("jax.test_util")

TOL64 = {"rtol": 1e-12, "atol": 1e-12}


def _x(shape: tuple[int, ...], seed: int = 0, dtype: Any = jnp.float64) -> Any:
    return jnp.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


def _stream_key(seed: int, draws: int = 1) -> Any:
    """The key of the ``draws``-th call of a module built with ``rngs=nnx.Rngs(dropout=seed)`` (it forks the
    stream at construction, as ``nnx.Dropout`` does)."""
    stream = nnx.Rngs(dropout=seed)["dropout"].fork()
    for _ in range(draws - 1):
        stream()
    return stream()


def _spatial(x: Any, rank: int) -> tuple[int, ...]:
    return tuple(range(x.ndim - rank - 1, x.ndim - 1))


# ---------------------------------------------------------------------------------------------
# Equal to the NumPy core on the same (channels-last) input
# ---------------------------------------------------------------------------------------------
POOL_CASES = [
    ((3, 17, 2), (6,), {}),
    ((2, 12, 9, 3), (5, 4), {}),
    ((2, 12, 9, 3), (6, 4), {"norm": "ortho", "nyquist": "average"}),
    ((2, 10, 11, 1), (4, 7), {"boundary": "symmetric"}),
    ((1, 6, 7, 8, 2), (3, 4, 5), {"norm": "ortho"}),
    ((2, 8, 8, 2), (4, 4), {"method": "fft"}),
]


@pytest.mark.parametrize(("shape", "size", "options"), POOL_CASES)
def test_pool_equals_numpy_core(shape: tuple[int, ...], size: tuple[int, ...], options: dict[str, Any]) -> None:
    x = _x(shape)
    got = scf.SpectralPool(size, **options)(x)
    expected = sc.spectral_pool(np.asarray(x), size, axes=_spatial(x, len(size)), **options)
    assert got.shape == expected.shape
    assert got.dtype == jnp.float64
    np.testing.assert_allclose(np.asarray(got), expected, **TOL64)


def test_int_size_and_scale_cover_every_spatial_axis() -> None:
    x = _x((2, 15, 12, 3))
    np.testing.assert_allclose(
        np.asarray(scf.SpectralPool(5)(x)), sc.spectral_pool(np.asarray(x), 5, axes=(1, 2)), **TOL64
    )
    out = scf.SpectralPool(scale=0.5)(x)
    assert out.shape == (2, sc.scaled_size(15, 0.5), sc.scaled_size(12, 0.5), 3) == (2, 7, 6, 3)
    volume = _x((1, 8, 6, 10, 2))
    assert scf.SpectralPool(scale=(0.5, 1.0, 0.3))(volume).shape == (1, 4, 6, 3, 2)
    # Several batch dims with an explicit rank; the same numbers as the flat batch.
    many = _x((2, 3, 12, 9, 4))
    got = scf.SpectralPool(4, rank=2)(many)
    np.testing.assert_allclose(np.asarray(got), sc.spectral_pool(np.asarray(many), 4, axes=(2, 3)), **TOL64)


def test_complex_input_is_pooled_part_by_part() -> None:
    x = _x((2, 10, 10, 1)) + 1j * _x((2, 10, 10, 1), seed=1)
    got = scf.SpectralPool(4)(x)
    assert got.dtype == jnp.complex128
    real = scf.SpectralPool(4)(jnp.real(x)) + 1j * scf.SpectralPool(4)(jnp.imag(x))
    np.testing.assert_allclose(np.asarray(got), np.asarray(real), **TOL64)


def test_frequency_dropout_with_one_possible_band_equals_the_core_lowpass() -> None:
    x = _x((2, 12, 10, 3))
    drop = scf.FrequencyDropout(bounds=(3, 3), rngs=nnx.Rngs(dropout=0))
    expected = sc.lowpass(np.asarray(x), 3, axes=(1, 2))
    np.testing.assert_allclose(np.asarray(drop(x)), expected, **TOL64)
    # Fused into pooling: pool, then the band, as the core's keep=.
    pool = scf.SpectralPool(8, dropout_bounds=(2, 2), rngs=nnx.Rngs(dropout=0))
    expected = sc.lowpass(sc.spectral_pool(np.asarray(x), 8, axes=(1, 2)), 2, axes=(1, 2))
    np.testing.assert_allclose(np.asarray(pool(x)), expected, **TOL64)


# ---------------------------------------------------------------------------------------------
# The dropout band of a seed is what the shared rule predicts
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 3, 11])
def test_seed_gives_the_band_of_the_core_rule(seed: int) -> None:
    x = _x((2, 20, 14, 2), seed=seed)
    pool = scf.SpectralPool((10, 7), dropout_min_fraction=0.2, rngs=nnx.Rngs(dropout=seed))
    first, second = pool(x), pool(x)
    for draws, got in ((1, first), (2, second)):
        u = np.asarray(jax.random.uniform(_stream_key(seed, draws), (), dtype=jnp.float32))
        assert u.dtype == np.float32
        keeps = [int(sc.keep_from_uniform(u, *sc.dropout_keep_range(m, min_fraction=0.2))) for m in (10, 7)]
        expected = sc.spectral_pool(np.asarray(x), (10, 7), keep=tuple(keeps), axes=(1, 2))
        np.testing.assert_allclose(np.asarray(got), expected, **TOL64)


def test_per_sample_bands_follow_the_rule_per_sample_and_are_shared_by_channels() -> None:
    x = _x((16, 12, 12, 3))
    drop = scf.FrequencyDropout(bounds=(1, 12), per_sample=True, rngs=nnx.Rngs(dropout=5))
    got = np.asarray(drop(x))
    u = np.asarray(jax.random.uniform(_stream_key(5), (16, 1), dtype=jnp.float32))
    keeps = sc.keep_from_uniform(u, 1, 12)[:, 0]
    assert len(set(keeps.tolist())) > 1  # really per sample
    for b, k in enumerate(keeps):
        np.testing.assert_allclose(got[b], sc.lowpass(np.asarray(x[b]), int(k), axes=(0, 1)), **TOL64)


def test_deterministic_turns_dropout_off_as_nnx_dropout() -> None:
    x = _x((2, 16, 16, 1))
    drop = scf.FrequencyDropout(min_fraction=0.1, rngs=nnx.Rngs(dropout=0))
    assert drop(x, deterministic=True) is x
    assert not np.allclose(np.asarray(drop(x)), np.asarray(x))
    off = scf.FrequencyDropout(min_fraction=0.1, deterministic=True)  # no rngs needed when off
    assert off(x) is x
    assert off(x, deterministic=False, rngs=nnx.Rngs(dropout=0)).shape == x.shape  # the call wins
    pool = scf.SpectralPool(8, dropout_min_fraction=0.1, rngs=nnx.Rngs(dropout=0))
    view = nnx.view(pool, deterministic=True)
    np.testing.assert_array_equal(np.asarray(view(x)), np.asarray(scf.SpectralPool(8)(x)))
    # A call-time key replaces the stream; the same key gives the same band.
    key = jax.random.key(42)
    np.testing.assert_array_equal(np.asarray(drop(x, rngs=key)), np.asarray(drop(x, rngs=key)))


def test_same_band_for_every_dtype() -> None:
    x = _x((2, 16, 16, 1))
    outs = {}
    for dtype in (jnp.float32, jnp.float64, jnp.bfloat16):
        drop = scf.FrequencyDropout(min_fraction=0.1, rngs=nnx.Rngs(dropout=7))
        pool = scf.SpectralPool(8, dropout_min_fraction=0.3, rngs=nnx.Rngs(dropout=7))
        y, z = drop(x.astype(dtype)), pool(x.astype(dtype))
        assert y.dtype == dtype
        assert z.dtype == dtype
        outs[dtype] = np.asarray(y.astype(jnp.float64)), np.asarray(z.astype(jnp.float64))
    for dtype, tol in ((jnp.float32, 1e-5), (jnp.bfloat16, 5e-2)):
        for got, ref in zip(outs[dtype], outs[jnp.float64], strict=True):
            np.testing.assert_allclose(got, ref, atol=tol * 10, rtol=tol)


# ---------------------------------------------------------------------------------------------
# Equal to the torch adapter (channels-first) on the same input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("options", [{}, {"norm": "ortho", "nyquist": "average"}])
def test_pool_and_dropout_equal_the_torch_adapter(options: dict[str, Any]) -> None:
    torch = require_framework("torch", "torch")
    sct = importlib.import_module("spectralcore_torch")
    x = _x((2, 13, 10, 3))
    to_torch = torch.asarray(np.asarray(x).transpose(0, 3, 1, 2).copy())
    ours = np.asarray(scf.SpectralPool((6, 5), **options)(x))
    theirs = sct.SpectralPool2d((6, 5), **options)(to_torch).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(ours, theirs, **TOL64)
    ours = np.asarray(scf.FrequencyDropout(bounds=(4, 4), rngs=nnx.Rngs(dropout=0))(x))
    theirs = sct.FrequencyDropout2d(bounds=(4, 4))(to_torch).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(ours, theirs, **TOL64)
    # The same u gives the same band: torch's rule applied to our draw.
    pool = scf.SpectralPool(8, dropout_min_fraction=0.25, rngs=nnx.Rngs(dropout=2))
    u = float(jax.random.uniform(_stream_key(2), (), dtype=jnp.float32))
    low, high = sc.dropout_keep_range(8, min_fraction=0.25)
    keep = int(sc.keep_from_uniform(torch.tensor(u, dtype=torch.float32), low, high))
    theirs = sc.spectral_pool(to_torch, 8, keep=keep).numpy().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(np.asarray(pool(x)), theirs, **TOL64)


# ---------------------------------------------------------------------------------------------
# JAX habits: jit, grad, vmap, finite differences
# ---------------------------------------------------------------------------------------------
def test_jit_matches_eager_and_advances_the_stream() -> None:
    x = _x((4, 16, 16, 2))
    eager = scf.SpectralPool(8, dropout_min_fraction=0.2, rngs=nnx.Rngs(dropout=1))
    jitted = nnx.clone(eager)
    step = nnx.jit(lambda m, x: m(x))
    for _ in range(3):
        np.testing.assert_allclose(np.asarray(step(jitted, x)), np.asarray(eager(x)), **TOL64)


def test_vmap_over_unbatched_maps_equals_the_batched_call() -> None:
    x = _x((5, 12, 12, 3))
    pool = scf.SpectralPool(6, rank=2)
    mapped = nnx.vmap(lambda m, xi: m(xi), in_axes=(None, 0))(pool, x)
    np.testing.assert_allclose(np.asarray(mapped), np.asarray(pool(x)), **TOL64)
    with pytest.raises(ValueError, match=r"SpectralPool: argument `inputs`.*rank"):
        scf.SpectralPool(6)(x[0, :, :, 0])  # unbatched without a rank is ambiguous, and says so


def test_finite_difference_gradients() -> None:
    x = _x((2, 9, 8, 2))
    key = jax.random.key(3)
    pool = scf.SpectralPool((5, 4), norm="ortho", dropout_min_fraction=0.3, dropout_per_sample=True)
    drop = scf.FrequencyDropout(min_fraction=0.4, boundary="symmetric")
    jax_test_util.check_grads(lambda x: pool(x, rngs=key), (x,), order=2, modes=("fwd", "rev"))
    jax_test_util.check_grads(lambda x: drop(x, rngs=key), (x,), order=1, modes=("rev",))
    # value_and_grad of a loss through the module: the gradient of sum(pool(x)**2) / 2 is P^T P x per axis, with
    # the core's exact pooling matrices.
    value, grad = nnx.value_and_grad(lambda m, x: 0.5 * jnp.sum(m(x) ** 2), argnums=1)(scf.SpectralPool((5, 4)), x)
    ph, pw = sc.pool_matrix(9, 5, xp=np), sc.pool_matrix(8, 4, xp=np)
    y = np.einsum("ij,bjkc,lk->bilc", ph, np.asarray(x), pw)
    np.testing.assert_allclose(np.asarray(grad), np.einsum("ij,bilc,lk->bjkc", ph, y, pw), **TOL64)
    assert float(value) == pytest.approx(0.5 * float(np.sum(y**2)), rel=1e-12)


# ---------------------------------------------------------------------------------------------
# Bad input: clear errors naming the argument, at construction
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: scf.SpectralPool(), ValueError, r"SpectralPool: expected exactly one of `size` and `scale`"),
        (lambda: scf.SpectralPool(4, scale=0.5), ValueError, "exactly one of `size` and `scale`"),
        (lambda: scf.SpectralPool(0), ValueError, r"argument `size` expected an int >= 1, received 0"),
        (lambda: scf.SpectralPool(2.5), TypeError, r"argument `size` expected an int >= 1"),
        (lambda: scf.SpectralPool((2, 3, 4, 5)), ValueError, r"argument `rank` expected 1, 2 or 3"),
        (lambda: scf.SpectralPool((2, 3), rank=3), ValueError, r"argument `size` expected one entry per spatial"),
        (lambda: scf.SpectralPool(scale=1.5), ValueError, r"argument `scale` expected a float in \(0, 1\]"),
        (lambda: scf.SpectralPool(4, norm="unitary"), ValueError, r"argument `norm` expected one of 'amplitude'"),
        (lambda: scf.SpectralPool(4, nyquist="x"), ValueError, "argument `nyquist`"),
        (lambda: scf.SpectralPool(4, boundary="reflect"), ValueError, "argument `boundary`"),
        (lambda: scf.SpectralPool(4, boundary="symmetric", nyquist="average"), ValueError, "argument `nyquist`"),
        (lambda: scf.SpectralPool(4, method="dft"), ValueError, "argument `method`"),
        (
            lambda: scf.SpectralPool(4, dropout_min_fraction=0.5, dropout_bounds=(1, 2)),
            ValueError,
            "exactly one of `dropout_min_fraction` and `dropout_bounds`",
        ),
        (lambda: scf.SpectralPool(4, dropout_min_fraction=0), ValueError, "argument `dropout_min_fraction`"),
        (lambda: scf.SpectralPool((4, 4), dropout_bounds=(1, 5)), ValueError, r"argument `dropout_bounds` expected"),
        (lambda: scf.SpectralPool(4, dropout_bounds=(3, 2)), ValueError, "argument `dropout_bounds` expected"),
        (lambda: scf.SpectralPool(4, dropout_per_sample=1), TypeError, "argument `dropout_per_sample` expected a bool"),
        (lambda: scf.SpectralPool(4, dropout_bounds=(1, 2), rngs=3), TypeError, "argument `rngs` expected an nnx.Rngs"),
        (
            lambda: scf.SpectralPool(4, dropout_bounds=(1, 2), rngs=nnx.Rngs(params=0)),
            ValueError,
            "argument `rngs` expected an nnx.Rngs with a 'dropout' stream",
        ),
        (lambda: scf.FrequencyDropout(), ValueError, "exactly one of `min_fraction` and `bounds`"),
        (lambda: scf.FrequencyDropout(bounds=5), TypeError, "argument `bounds` expected a pair of ints"),
        (lambda: scf.FrequencyDropout(0.5, rank=4), ValueError, "argument `rank` expected 1, 2 or 3"),
        (lambda: scf.FrequencyDropout(0.5, deterministic="yes"), TypeError, "argument `deterministic` expected a bool"),
        (lambda: scf.FrequencyDropout(0.5, rng_collection=""), TypeError, "argument `rng_collection`"),
    ],
)
def test_bad_arguments_fail_at_construction(make: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_bad_inputs_fail_at_the_call() -> None:
    x = _x((2, 8, 8, 1))
    with pytest.raises(ValueError, match=r"SpectralPool: argument `size` expected at most the input's spatial"):
        scf.SpectralPool(9)(x)
    with pytest.raises(
        TypeError, match=r"SpectralPool: argument `inputs` expected a jax.Array \(or a NumPy array\), received list"
    ):
        scf.SpectralPool(4)(np.asarray(x).tolist())
    np.testing.assert_array_equal(np.asarray(scf.SpectralPool(4)(np.asarray(x))), np.asarray(scf.SpectralPool(4)(x)))
    with pytest.raises(TypeError, match=r"argument `inputs` expected a floating or complex array"):
        scf.SpectralPool(4)(jnp.ones((2, 8, 8, 1), jnp.int32))
    with pytest.raises(ValueError, match=r"FrequencyDropout: argument `bounds` expected 1 <= low <= high <= 8"):
        scf.FrequencyDropout(bounds=(1, 9), rngs=nnx.Rngs(dropout=0))(x)
    with pytest.raises(ValueError, match=r"FrequencyDropout: argument `rngs` expected an nnx.Rngs"):
        scf.FrequencyDropout(0.5)(x)  # on, and no randomness anywhere
    with pytest.raises(ValueError, match=r"argument `deterministic` expected a bool"):
        scf.FrequencyDropout(0.5, deterministic=None)(x)
    with pytest.raises(ValueError, match=r"argument `inputs` expected a channels-last array \(\*batch, 3 spatial"):
        scf.SpectralPool((2, 2, 2))(jnp.ones((4, 4, 4)))


def test_import_without_flax_says_how_to_install_it() -> None:
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = (
        "import sys\n"
        "sys.modules['flax'] = None  # makes `import flax...` fail as if it were not installed\n"
        f"sys.path[:0] = [{str(root)!r}, {str(root / 'backends')!r}]\n"
        "try:\n"
        "    import spectralcore_flax\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "else:\n"
        "    raise SystemExit('imported without flax')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "spectralcore_flax needs Flax" in proc.stdout
    assert "spectralcore[flax]" in proc.stdout
