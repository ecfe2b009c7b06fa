"""Flax NNX (CPU, CUDA): ``spectralcore_flax.SpectralPool`` against ``flax.linen.max_pool``, inside ``nnx.jit``.

Channels-last, Flax's layout: :meth:`FlaxBackend.put` gives every contender ``(N, *spatial, C)`` arrays (the
transpose happens once, outside the timed region) and :meth:`FlaxBackend.view64` reads results back in the
``(N, C, *spatial)`` order of the oracles. Every contender, the reference included, is an ``nnx.jit``-ed function
(forward+backward: ``nnx.jit(jax.value_and_grad(...))`` with the cotangent an argument), as for ``jax:*``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np
from backend_jax import JaxBackend
from contenders import FWD, Row, Skip, auto_method


class FlaxBackend(JaxBackend):
    """``flax:cpu`` or ``flax:cuda``: the Flax adapter's modules, on the JAX device of the same name."""

    name = "flax"

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        try:
            from flax import linen, nnx

            # By name: the adapter's import-sort section depends on the ruff config (first party or not).
            spectralcore_flax = importlib.import_module("spectralcore_flax")
        except ImportError as exc:
            raise Skip(f"flax:{device}: flax or spectralcore_flax not importable ({exc})") from None
        super().__init__(device, threads)
        self.nnx, self.linen, self.scf = nnx, linen, spectralcore_flax
        self.notes.append(f"flax:{device}: channels-last input, every contender under nnx.jit")

    def put(self, a: Any) -> Any:
        """NumPy ``(N, C, *spatial)`` -> committed channels-last JAX array ``(N, *spatial, C)``."""
        return self.jax.device_put(np.ascontiguousarray(np.moveaxis(a, 1, -1)), self.dev)

    def view64(self, y: Any) -> Any:
        """``y[:2, ..., :2]`` moved back to ``(N, C, *spatial)`` order, as float64 NumPy."""
        return np.moveaxis(np.asarray(y[:2, ..., :2], dtype=np.float64), -1, 1)

    def forward(self, row: Row, x: Any) -> Callable[[], Any]:
        """``nnx.jit(f)(x)``."""
        return self._run(self.nnx.jit(row.f), x)

    def fwd_bwd(self, row: Row, x: Any, g: Any) -> tuple[Callable[[], Any], Callable[[Any], Any]]:
        """``nnx.jit(value_and_grad(sum(f(x) * g)))``, the cotangent an argument."""
        jnp = self.xp
        vg = self.nnx.jit(self.jax.value_and_grad(lambda t, c: jnp.sum(row.f(t) * c)))
        return self._run(vg, x, g), lambda out: out[1]

    def window(self, p: Any, kind: str) -> Row:
        """``flax.linen.max_pool`` (the ratios' reference) or ``avg_pool``, channels-last, VALID."""
        window, strides = (p.kernel,) * p.rank, (p.stride,) * p.rank
        if kind == "max":
            f = lambda t: self.linen.max_pool(t, window, strides, "VALID")  # noqa: E731
            return Row(
                f"max_pool{p.rank}d", f, role="ref", oracle="max", note=f"flax.linen.max_pool {p.window_note}".strip()
            )
        f = lambda t: self.linen.avg_pool(t, window, strides, "VALID")  # noqa: E731
        return Row(f"avg_pool{p.rank}d", f, role="baseline", oracle="avg", note="flax.linen.avg_pool")

    def table_pool(self, p: Any) -> list[Row]:
        """Floor, linen max/avg pooling and the adapter's ``SpectralPool`` per method."""
        full = p.params["full"]
        rows = [Row("read_once[x.sum]", self.xp.sum, role="floor", modes=FWD), self.window(p, "max")]
        rows += [self.window(p, "avg")] if full else []
        meta = {"auto_picks": auto_method(self, p)}
        for method in ("matmul", "fft", "auto") if full else ("auto",):
            pool = self.scf.SpectralPool(tuple(p.size), method=method)
            rows.append(Row(f"SpectralPool[{method}]", pool, oracle="periodic", meta=meta))
        sym = self.scf.SpectralPool(tuple(p.size), boundary="symmetric")
        rows.append(Row("SpectralPool[auto,symmetric]", sym, oracle="symmetric", meta=meta))
        return rows

    table_nd = table_pool  # 1-D and 3-D: the tuple size fixes the rank

    def table_dropout(self, p: Any) -> list[Row]:
        """``FrequencyDropout`` (a fixed band, so the oracle applies) against max pooling."""
        if len(set(p.size)) != 1:
            raise Skip(f"flax: FrequencyDropout draws one band for every axis, the problem keeps {p.size}")
        keep = p.size[0]
        band = self.scf.FrequencyDropout(bounds=(keep, keep))
        key = self.jax.random.key(0)  # a call-time key: no stream state is mutated inside the jitted function
        return [self.window(p, "max"), Row("FrequencyDropout[keep]", lambda t: band(t, rngs=key), oracle="periodic")]

    def table_roofline(self, p: Any) -> list[Row]:
        raise Skip("flax: the roofline is the jax backend's (same XLA)")

    def table_crossover(self, p: Any) -> list[Row]:
        raise Skip("flax: the crossover is the jax backend's (same XLA)")
