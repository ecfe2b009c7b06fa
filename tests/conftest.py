"""Shared fixtures: the backend matrix (``xp`` / ``device``) and the Hypothesis profiles.

Modelled on SciPy's array-API test layer: one ``Backend`` per array library, a parametrised ``xp``
fixture that skips cleanly when a library (or its device) is missing, and a ``device`` fixture
that always belongs to the same backend as ``xp``.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# JAX defaults to float32 only; the float64 oracle comparisons need x64. This has to happen before
# any JAX array is created, hence at conftest import.
try:
    import jax

    jax.config.update("jax_enable_x64", True)
except ImportError:  # pragma: no cover - JAX is optional
    pass

# ---------------------------------------------------------------------------------------------
# Hypothesis profiles
# ---------------------------------------------------------------------------------------------
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=40,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=25,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


# ---------------------------------------------------------------------------------------------
# Backends
# ---------------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Backend:
    """One array library on one device.

    ``load`` imports the library (raising ``pytest.skip`` when it, or the device, is missing) and
    returns ``(xp, device)``: the raw namespace a user would pass around and the device object the
    arrays are expected to live on (compared with ``array_api_compat.device``).
    """

    name: str
    load: Callable[[], tuple[ModuleType, Any]]
    marks: tuple[Any, ...] = ()


def _numpy() -> tuple[ModuleType, Any]:
    np = pytest.importorskip("numpy")
    return np, "cpu"


def _array_api_strict() -> tuple[ModuleType, Any]:
    xp = pytest.importorskip("array_api_strict")
    return xp, xp.Device("CPU_DEVICE")


def _torch_cpu() -> tuple[ModuleType, Any]:
    torch = pytest.importorskip("torch")
    return torch, torch.device("cpu")


def _torch_cuda() -> tuple[ModuleType, Any]:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("torch: no CUDA device")
    return torch, torch.device("cuda", 0)


def _jax_cpu() -> tuple[ModuleType, Any]:
    jax = pytest.importorskip("jax")
    jnp = importlib.import_module("jax.numpy")
    return jnp, jax.devices("cpu")[0]


def _cupy() -> tuple[ModuleType, Any]:
    cp = pytest.importorskip("cupy")
    try:
        count = cp.cuda.runtime.getDeviceCount()
    except Exception:  # CUDA driver missing or broken
        count = 0
    if count < 1:
        pytest.skip("cupy: no CUDA device")
    return cp, cp.cuda.Device(0)


# Comma-separated backend names that must load (scripts/test.sh sets it to the CPU backends it installs).
REQUIRED_BACKENDS = frozenset(filter(None, os.environ.get("SPECTRALCORE_REQUIRE_BACKENDS", "").split(",")))

BACKENDS: list[Backend] = [
    Backend("numpy", _numpy),
    Backend("array_api_strict", _array_api_strict),
    Backend("torch", _torch_cpu),
    Backend("torch_cuda", _torch_cuda, marks=(pytest.mark.gpu,)),
    Backend("jax", _jax_cpu),
    Backend("cupy", _cupy, marks=(pytest.mark.gpu,)),
]


@pytest.fixture(
    scope="session",
    params=[pytest.param(b, id=b.name, marks=b.marks) for b in BACKENDS],
)
def backend(request: pytest.FixtureRequest) -> tuple[str, ModuleType, Any]:
    b: Backend = request.param
    try:
        xp, device = b.load()
    except pytest.skip.Exception as exc:
        # CI names the backends its set-up installs: a missing one there is a broken set-up, not a skip.
        if b.name in REQUIRED_BACKENDS:
            pytest.fail(f"backend {b.name!r} is listed in SPECTRALCORE_REQUIRE_BACKENDS but unavailable: {exc}")
        raise
    return b.name, xp, device


@pytest.fixture(scope="session")
def xp(backend: tuple[str, ModuleType, Any]) -> ModuleType:
    """The raw array namespace under test (numpy, array_api_strict, torch, jax.numpy, cupy)."""
    return backend[1]


@pytest.fixture(scope="session")
def device(backend: tuple[str, ModuleType, Any]) -> Any:
    """The device the ``xp`` fixture's arrays live on."""
    return backend[2]


@pytest.fixture(scope="session")
def backend_name(backend: tuple[str, ModuleType, Any]) -> str:
    return backend[0]
