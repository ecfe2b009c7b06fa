"""JAX (CPU, CUDA): every contender under ``jax.jit``; forward+backward is ``jit(value_and_grad(...))``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from contenders import FWD, Backend, Row, Skip, core_pool_rows, crossover_rows, roofline_rows

import spectralcore as sc


class JaxBackend(Backend):
    """``jax:cpu`` or ``jax:cuda``; on a GPU every contender runs at ``default_matmul_precision("highest")``."""

    name = "jax"
    differentiable = True

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        try:
            import jax
        except ImportError:
            raise Skip(f"jax:{device}: jax not installed") from None
        super().__init__(device)
        self.jax, self.xp = jax, jax.numpy
        try:
            self.dev = jax.devices({"cpu": "cpu", "cuda": "gpu"}[device])[0]
        except (KeyError, RuntimeError) as exc:
            raise Skip(f"jax:{device}: no such JAX device ({str(exc).splitlines()[0]})") from None
        if device != "cpu":
            self.notes.append("jax:cuda: matmul precision 'highest' (no TF32)")

    def put(self, a: Any) -> Any:
        """NumPy -> committed JAX array on the device."""
        return self.jax.device_put(a, self.dev)

    def view64(self, y: Any) -> Any:
        """``y[:2, :2]`` as float64 NumPy."""
        return np.asarray(y[:2, :2], dtype=np.float64)

    def sync(self, out: Any) -> None:
        """JAX dispatch is asynchronous on every device."""
        if out is not None:
            self.jax.block_until_ready(out)

    def _run(self, f: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        jax = self.jax

        def run() -> Any:
            # Constants built inside jit land on this device; full float32 (JAX's GPU default is TF32, whose ~1e-3
            # errors fail the oracle check and would flatter the timings).
            with jax.default_device(self.dev), jax.default_matmul_precision("highest"):
                return f(*args)

        return run

    def forward(self, row: Row, x: Any) -> Callable[[], Any]:
        """``jit(f)(x)``."""
        return self._run(self.jax.jit(row.f), x)

    def fwd_bwd(self, row: Row, x: Any, g: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
        """``jit(value_and_grad(sum(f(x) * g)))``, the cotangent an argument (a closed-over constant would let XLA
        fold the parts of the backward that depend on it alone)."""
        jnp = self.xp
        vg = self.jax.jit(self.jax.value_and_grad(lambda t, c: jnp.sum(row.f(t) * c)))
        return self._run(vg, x, g), lambda out: out[1]

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:
        """``peak_bytes_in_use`` of the device (process-wide, never reset: not per call)."""
        stats = self.dev.memory_stats()
        if not stats:
            return None
        out = fn()
        self.sync(out)
        return {"peak_bytes": (self.dev.memory_stats() or {}).get("peak_bytes_in_use"), "source": "jax process-wide"}

    def window(self, p: Any, kind: str) -> Row:
        """``lax.reduce_window`` max (the ratios' reference) or mean."""
        lax, jnp = self.jax.lax, self.xp
        dims, strides = (1, 1) + (p.kernel,) * p.rank, (1, 1) + (p.stride,) * p.rank
        if kind == "max":
            f = lambda t: lax.reduce_window(t, -jnp.inf, lax.max, dims, strides, "VALID")  # noqa: E731
            return Row(
                f"max_pool{p.rank}d", f, role="ref", oracle="max", note=f"lax.reduce_window {p.window_note}".strip()
            )
        f = lambda t: lax.reduce_window(t, 0.0, lax.add, dims, strides, "VALID") / p.kernel**p.rank  # noqa: E731
        return Row(f"avg_pool{p.rank}d", f, role="baseline", oracle="avg")

    def table_pool(self, p: Any) -> list[Row]:
        """Floor, ``lax.reduce_window`` max/avg, the naive recipe and the core per method."""
        full = p.params["full"]
        rows = [Row("read_once[x.sum]", self.xp.sum, role="floor", modes=FWD), self.window(p, "max")]
        rows += [self.window(p, "avg")] if full else []
        # Extension point (issue 17): flax:cpu rows live in their own backend file (a subclass of this one).
        return rows + core_pool_rows(self, p)

    table_nd = table_pool  # 1-D and 3-D: reduce_window max against the core along ``axes``

    def table_dropout(self, p: Any) -> list[Row]:
        """``lowpass`` at the input size against max pooling."""
        return [self.window(p, "max"), Row("lowpass[keep]", lambda t: sc.lowpass(t, p.size), oracle="periodic")]

    def table_roofline(self, p: Any) -> list[Row]:
        """This device's GEMM throughput and memory bandwidth."""
        return roofline_rows(self, p)

    def table_crossover(self, p: Any) -> list[Row]:
        """matmul against fft, jitted forward and value_and_grad."""
        return crossover_rows(self, p)
