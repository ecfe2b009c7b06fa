"""NumPy (CPU) and CuPy (CUDA): forward only, through the core, against strided-slice window pools and resample."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

import numpy as np
from contenders import FWD, Backend, Row, Skip, core_pool_rows, crossover_rows, roofline_rows
from problems import window_pool

import spectralcore as sc


class NumpyBackend(Backend):
    """NumPy on the CPU (``scipy.signal.resample`` on every axis is the extra baseline); CuPy subclasses it."""

    name = "numpy"

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        if device != "cpu":
            raise Skip(f"numpy:{device}: numpy runs on the CPU only")
        super().__init__(device)
        from array_api_compat import numpy as xp  # the array-API spelling the naive recipe needs (concat)

        self.xp = xp
        from scipy.signal import resample

        self.resample: Callable[..., Any] | None = resample
        self.resample_name = "scipy_resample"

    def put(self, a: Any) -> Any:
        """NumPy in, NumPy (or CuPy) out."""
        return self.xp.asarray(a)

    def view64(self, y: Any) -> Any:
        """``y[:2, :2]`` on the host, float64."""
        y = y[:2, :2]
        return np.asarray(y.get() if hasattr(y, "get") else y, dtype=np.float64)

    def window(self, p: Any, kind: str) -> Row:
        """Max/avg pooling from strided slices: these libraries have no pooling op."""
        note = f"max of {p.kernel}^{p.rank} strided slices. {p.window_note}".strip()
        f = lambda t: window_pool(t, p.kernel, p.stride, kind, p.rank, self.xp)  # noqa: E731
        role = "ref" if kind == "max" else "baseline"
        return Row(f"{kind}_pool{p.rank}d[slices]", f, role=role, oracle=kind, modes=FWD, note=note)

    def table_pool(self, p: Any) -> list[Row]:
        """Floor, window pools, naive recipe, resample, and the core's methods."""
        full = p.params["full"]
        rows = [Row("read_once[x.sum]", lambda t: t.sum(), role="floor", modes=FWD), self.window(p, "max")]
        if full:
            rows.append(self.window(p, "avg"))
        rows += core_pool_rows(self, p, FWD)
        if full and self.resample is not None:
            rs = self.resample

            def resample_all(t: Any) -> Any:
                for ax, m in zip(range(-p.rank, 0), p.size, strict=True):
                    t = rs(t, m, axis=ax)
                return t

            rows.append(Row(f"{self.resample_name}", resample_all, role="resample", oracle="periodic", modes=FWD))
        return rows

    table_nd = table_pool  # 1-D and 3-D: strided-slice max pooling against the core along ``axes``

    def table_dropout(self, p: Any) -> list[Row]:
        """``lowpass`` at the input size against the window max pool."""
        lowpass = lambda t: sc.lowpass(t, p.size)  # noqa: E731
        return [self.window(p, "max"), Row("lowpass[keep]", lowpass, oracle="periodic", modes=FWD)]

    def table_roofline(self, p: Any) -> list[Row]:
        """This device's GEMM throughput and memory bandwidth."""
        return roofline_rows(self, p)

    def table_crossover(self, p: Any) -> list[Row]:
        """matmul against fft."""
        return crossover_rows(self, p, FWD)


class CupyBackend(NumpyBackend):
    """CuPy on the current CUDA device; ``cupyx.scipy.signal.resample`` when present."""

    name = "cupy"

    def __init__(self, device: str = "cuda", threads: int = 0) -> None:
        if device != "cuda":
            raise Skip(f"cupy:{device}: CuPy runs on CUDA devices only")
        if importlib.util.find_spec("cupy") is None:
            raise Skip("cupy:cuda: cupy not installed")
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise Skip("cupy:cuda: no CUDA device")
        except Skip:
            raise
        except Exception as exc:
            raise Skip(f"cupy:cuda: no usable CUDA device ({type(exc).__name__}: {exc})") from None
        Backend.__init__(self, device)
        from array_api_compat import cupy as xp

        self.xp, self.cupy = xp, cupy
        try:
            from cupyx.scipy.signal import resample

            self.resample, self.resample_name = resample, "cupyx_resample"
        except Exception:
            self.resample = None
            self.notes.append("cupy:cuda: cupyx.scipy.signal.resample unavailable, skipped")

    def sync(self, out: Any) -> None:
        """Wait for the current stream."""
        self.cupy.cuda.get_current_stream().synchronize()

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:
        """CuPy's pool has no peak counter: empty it, make one call, read the bytes the pool then holds (~ peak)."""
        pool = self.cupy.get_default_memory_pool()
        self.sync(None)
        live = pool.used_bytes()
        pool.free_all_blocks()
        out = fn()
        self.sync(out)
        total = pool.total_bytes()
        del out
        return {"extra_bytes": int(total - live), "source": "cupy pool total_bytes after one call from an emptied pool"}

    def close(self) -> None:
        """Give the pool's cached blocks back (other backends share the GPU)."""
        self.cupy.get_default_memory_pool().free_all_blocks()
