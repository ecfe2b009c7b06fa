"""Per-backend contenders of ``benchmarks/suite.py``: NumPy, PyTorch (CPU/CUDA), JAX (CPU/CUDA), TensorFlow, CuPy.

Each backend class turns one :class:`Problem` (an input shape, its float64 oracles and the fixed random
cotangents, all in NumPy) into a list of :class:`~_suite_common.Cell` objects. A framework is imported only when
its backend object is created, so e.g. a GPU-only run never imports TensorFlow.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import warnings
from collections.abc import Callable
from typing import Any

from _suite_common import (
    Cell,
    apply_separable,
    checked,
    conv_patch_np,
    lowpass_axis_matrix,
    resample_matrix,
    window_for,
    window_pool_np,
)
from bench_pool import naive_pool_torch

OPS = ("pool", "lowpass", "conv")
CONV_KERNEL = 3
CONV_PATCH = 16  # conv outputs checked: top-left 16 x 16 of the first two images and output channels


class SkipBackend(Exception):
    """The backend cannot run here (library or device missing); the message is the one-line note."""


# --------------------------------------------------------------------------------------
# The problem: input, cotangents and oracles of one shape (NumPy, shared by every backend)
# --------------------------------------------------------------------------------------


class Problem:
    """One input shape ``(N, C, H, W) -> (h, w)``: float32 data, random cotangents, and float64 references.

    Oracles are computed on the slice ``x[:2, :2]`` only (``x[:2]`` and a corner patch for convolution), so the
    check costs little even at ImageNet sizes.
    """

    def __init__(self, shape: tuple[int, ...], out: tuple[int, int], *, conv_gflop: float = 0.0, seed: int = 0) -> None:
        import numpy as np

        if len(shape) != 4:
            raise ValueError(f"suite shapes must be NxCxHxW, got {shape}")
        self.shape, self.out = shape, out
        n, c, big_h, big_w = shape
        h, w = out
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal(shape, dtype=np.float32)
        self.sl = (slice(0, 2), slice(0, 2))
        self.x_sl64 = self.x[self.sl].astype(np.float64)
        # Window pooling that matches the reduction (nearest integer stride for a non-integer one).
        self.kernel, self.stride, self.window_note = window_for((big_h, big_w), out)
        self.win_hw = ((big_h - self.kernel) // self.stride + 1, (big_w - self.kernel) // self.stride + 1)
        # Pooling oracle (scipy.signal.resample on both axes) and its adjoint for the gradient.
        self.a_h, self.a_w = resample_matrix(big_h, h), resample_matrix(big_w, w)
        self.g_pool = rng.standard_normal((n, c, h, w), dtype=np.float32)
        # Low-pass at the pooled size (scalar keep) and frequency dropout (one keep per image, same on both axes
        # when square), keep drawn from [ceil(h/2), h] as frequency dropout with min_fraction 0.5 would.
        self.keep = (h, w)
        self.l_h, self.l_w = lowpass_axis_matrix(big_h, h), lowpass_axis_matrix(big_w, w)
        lo = max(1, math.ceil(h / 2))
        self.keep_bounds = (lo, h)
        self.keep_per_sample = rng.integers(lo, h + 1, size=(n, 1)).astype(np.int64)
        if h == w:
            self.keep_per_sample_w = self.keep_per_sample
        else:
            lo_w = max(1, math.ceil(w / 2))
            self.keep_per_sample_w = rng.integers(lo_w, w + 1, size=(n, 1)).astype(np.int64)
        self.g_x = rng.standard_normal(shape, dtype=np.float32)
        self.g_win = rng.standard_normal((n, c, *self.win_hw), dtype=np.float32)
        # Convolution C -> C, 3x3, stride 1, 'same' padding; theta are the spectral parameters.
        self.theta = (rng.standard_normal((c, c, CONV_KERNEL, CONV_KERNEL)) / math.sqrt(c * 9)).astype(np.float32)
        # The conv rows use a smaller batch when a full one would cost more than `conv_gflop` GFLOP per forward
        # call: the filter map's cost does not depend on the batch, so this keeps its overhead visible (a larger
        # batch only dilutes it) while a full CPU run stays within minutes.
        flop_per_image = 2 * c * c * CONV_KERNEL * CONV_KERNEL * big_h * big_w
        self.conv_batch = n
        if conv_gflop > 0:
            self.conv_batch = max(min(n, 2), min(n, int(conv_gflop * 1e9 // flop_per_image)))
        self.conv_note = f"conv batch {self.conv_batch} of {n}" if self.conv_batch < n else ""
        self._conv_w64 = None

    # -- oracles ------------------------------------------------------------------------
    def check_pool(self, y64, dtype: str) -> dict[str, Any]:
        """Forward pooling check on ``y[:2, :2]``."""
        return checked(y64, apply_separable(self.x_sl64, self.a_h, self.a_w), "y", dtype)

    def check_pool_grad(self, gx64) -> dict[str, Any]:
        """Gradient check ``A_H^T g A_W`` on ``grad_x[:2, :2]``."""
        g64 = self.g_pool[self.sl].astype("float64")
        return checked(gx64, self.a_h.T @ g64 @ self.a_w, "grad_x")

    def _lp_mats(self, per_sample: bool, keeps: tuple[int, int] | None = None):
        if not per_sample:
            k = keeps or self.keep
            big_h, big_w = self.shape[-2:]
            if keeps is None:
                return lambda b: (self.l_h, self.l_w)
            l_h, l_w = lowpass_axis_matrix(big_h, k[0]), lowpass_axis_matrix(big_w, k[1])
            return lambda b: (l_h, l_w)
        cache: dict[tuple[int, int], Any] = {}
        big_h, big_w = self.shape[-2:]

        def mats(b: int):
            key = (int(self.keep_per_sample[b, 0]), int(self.keep_per_sample_w[b, 0]))
            if key not in cache:
                cache[key] = (lowpass_axis_matrix(big_h, key[0]), lowpass_axis_matrix(big_w, key[1]))
            return cache[key]

        return mats

    def check_lowpass(self, y64, dtype: str, *, per_sample: bool, keeps: tuple[int, int] | None = None):
        """Forward low-pass check (scalar keep, explicit ``keeps``, or the per-image keeps)."""
        import numpy as np

        mats = self._lp_mats(per_sample, keeps)
        ref = np.stack([apply_separable(self.x_sl64[b], *mats(b)) for b in range(self.x_sl64.shape[0])])
        return checked(y64, ref, "y", dtype)

    def check_lowpass_grad(self, gx64, *, per_sample: bool):
        """Gradient check ``L_H^T g L_W`` (per image for per-sample keeps)."""
        import numpy as np

        mats = self._lp_mats(per_sample)
        g64 = self.g_x[self.sl].astype(np.float64)
        ref = np.stack([m[0].T @ g64[b] @ m[1] for b, m in ((b, mats(b)) for b in range(g64.shape[0]))])
        return checked(gx64, ref, "grad_x")

    def check_window(self, y64, kind: str, dtype: str) -> dict[str, Any]:
        """Max/avg pooling baseline check against the reshape/window reference."""
        return checked(y64, window_pool_np(self.x_sl64, self.kernel, self.stride, kind), "y", dtype)

    def check_naive_grad(self, gx64) -> dict[str, Any]:
        """The naive recipe follows the sum rule, so its gradient has the pooling oracle too."""
        return self.check_pool_grad(gx64)

    @property
    def conv_w64(self):
        """Float64 spatial kernels of ``theta`` from the core's NumPy float64 path (tested against the DFT)."""
        if self._conv_w64 is None:
            import numpy as np

            import spectralcore as sc

            self._conv_w64 = sc.spectral_to_spatial(self.theta.astype(np.float64), method="matmul")
        return self._conv_w64

    def conv_input_patch(self):
        """``x[:2, :, :P+1, :P+1]`` in float64: what the checked corner of the conv output depends on."""
        p = CONV_PATCH + CONV_KERNEL // 2
        return self.x[:2, :, :p, :p].astype("float64")

    def check_conv(self, y64_patch, dtype: str, w64=None) -> dict[str, Any]:
        """Conv check on outputs ``[:2, :2, :16, :16]`` (NCHW), with the given or ``theta``'s float64 kernel."""
        w = self.conv_w64 if w64 is None else w64
        ref = conv_patch_np(self.conv_input_patch(), w[:2], CONV_PATCH)
        ref = ref[:, :, : y64_patch.shape[-2], : y64_patch.shape[-1]]
        return checked(y64_patch, ref, "y", dtype)


# --------------------------------------------------------------------------------------
# Generic helpers for array-API-like namespaces (numpy, cupy, jax.numpy)
# --------------------------------------------------------------------------------------


def naive_pool_xp(xp: Any, x: Any, out: tuple[int, int]) -> Any:
    """The public recipe fft2 -> fftshift -> centre crop (+ Nyquist, sum rule) -> ifftshift -> ifft2 -> real.

    The NumPy-API twin of :func:`bench_pool.naive_pool_torch` (``numpy``, ``cupy``, ``jax.numpy``).
    """
    big_h, big_w = x.shape[-2], x.shape[-1]
    h, w = out
    spec = xp.fft.fftshift(xp.fft.fft2(x), axes=(-2, -1))
    r0, c0 = big_h // 2 - h // 2, big_w // 2 - w // 2
    rows = spec[..., r0 : r0 + h, :]
    if h % 2 == 0 and h < big_h:
        rows = xp.concatenate([rows[..., :1, :] + spec[..., r0 + h : r0 + h + 1, :], rows[..., 1:, :]], axis=-2)
    crop = rows[..., c0 : c0 + w]
    if w % 2 == 0 and w < big_w:
        crop = xp.concatenate([crop[..., :1] + rows[..., c0 + w : c0 + w + 1], crop[..., 1:]], axis=-1)
    y = xp.fft.ifft2(xp.fft.ifftshift(crop, axes=(-2, -1))).real
    return (y * ((h * w) / (big_h * big_w))).astype(x.dtype)


def window_pool_xp(xp: Any, x: Any, kernel: int, stride: int, kind: str) -> Any:
    """Max/avg pooling from ``kernel**2`` strided slices (NumPy and CuPy have no pooling op)."""
    big_h, big_w = x.shape[-2], x.shape[-1]
    ho, wo = (big_h - kernel) // stride + 1, (big_w - kernel) // stride + 1
    acc = None
    for i in range(kernel):
        for j in range(kernel):
            tap = x[..., i : i + stride * (ho - 1) + 1 : stride, j : j + stride * (wo - 1) + 1 : stride]
            if acc is None:
                acc = tap.copy() if kind != "max" else tap
            else:
                acc = xp.maximum(acc, tap) if kind == "max" else acc + tap
    return acc if kind == "max" else acc * (1.0 / (kernel * kernel))


def resolve_auto(x: Any, lengths: tuple[int, ...]) -> str | None:
    """The method ``method="auto"`` picks for ``x`` (private core helper; ``None`` if it changed)."""
    try:
        from array_api_compat import array_namespace

        from spectralcore._pooling import _resolve_method

        return str(_resolve_method("auto", array_namespace(x), x, lengths))
    except Exception:  # a private helper: if its signature changes, time "auto" as its own cell
        return None


def _noop_sync(_: Any) -> None:
    return None


def adapter(module: str, attr: str) -> tuple[Any, str | None]:
    """Import an adapter package; ``(module, None)`` or ``(None, "skipped: ... not available")``."""
    if importlib.util.find_spec(module) is None:
        return None, f"skipped: {module} not available"
    try:
        mod = importlib.import_module(module)
    except Exception as exc:
        return None, f"skipped: {module} not available ({type(exc).__name__}: {exc})"
    if not hasattr(mod, attr):
        return None, f"skipped: {module} not available (no {attr} yet)"
    return mod, None


# --------------------------------------------------------------------------------------
# Backends
# --------------------------------------------------------------------------------------


class Backend:
    """Base class: ``name``/``device``, ``differentiable``, ``cells(problem, ops)``, ``close()``."""

    name = "?"
    device = "cpu"
    differentiable = False
    notes: list[str]

    @property
    def key(self) -> str:
        """``backend:device``."""
        return f"{self.name}:{self.device}"

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:  # CPU: not reported
        """Peak device memory of one call, where the backend reports it (``None`` = n/a)."""
        return None

    def close(self) -> None:
        """Release cached device memory between shapes."""

    def cells(self, p: Problem, ops: tuple[str, ...]) -> list[Cell]:  # pragma: no cover - abstract
        """The contenders at one shape."""
        raise NotImplementedError

    # crossover support -----------------------------------------------------------------
    def crossover_cells(self, n: int, batch: int) -> tuple[list[Cell], Callable[[], float]]:
        """matmul vs fft cells for ``(batch, n, n) -> n // 2`` and a function returning their max difference."""
        raise NotImplementedError


class XpBackend(Backend):
    """NumPy and CuPy: forward only, through the core and the NumPy-style API."""

    def __init__(self, xp: Any, name: str, device: str, sync: Callable[[Any], None]) -> None:
        self.xp, self.name, self.device, self.sync = xp, name, device, sync
        self.notes = []
        self.resample: Callable[[Any, int, int], Any] | None = None

    def put(self, a: Any) -> Any:
        """NumPy array -> backend array."""
        return self.xp.asarray(a)

    def to64(self, a: Any) -> Any:
        """Backend array -> float64 NumPy."""
        import numpy as np

        get = getattr(a, "get", None)
        return np.asarray(get() if get is not None else a, dtype=np.float64)

    def cells(self, p: Problem, ops: tuple[str, ...]) -> list[Cell]:
        """Floor, window pools, naive recipe, resample, spectral_pool methods and lowpass (forward only)."""
        import spectralcore as sc

        xp, sl, sync = self.xp, p.sl, self.sync
        x = self.put(p.x)
        mem = self.memory if self.device != "cpu" else None
        cells = [
            Cell("floor", "read_once[x.sum]", "fwd", lambda: x.sum(), sync, role="floor", memory=mem),
            Cell(
                "pool",
                "max_pool2d[slices]",
                "fwd",
                lambda: window_pool_xp(xp, x, p.kernel, p.stride, "max"),
                sync,
                check=lambda y: p.check_window(self.to64(y[sl]), "max", str(y.dtype)),
                role="max_pool2d",
                note=(f"{self.name} has no pooling op: max of {p.kernel}x{p.kernel} strided slices. " + p.window_note)
                .strip()
                .rstrip("."),
                memory=mem,
            ),
        ]
        if "pool" in ops:
            cells.append(
                Cell(
                    "pool",
                    "avg_pool2d[slices]",
                    "fwd",
                    lambda: window_pool_xp(xp, x, p.kernel, p.stride, "avg"),
                    sync,
                    check=lambda y: p.check_window(self.to64(y[sl]), "avg", str(y.dtype)),
                    role="baseline",
                    memory=mem,
                )
            )
            cells.append(
                Cell(
                    "pool",
                    "naive_fft2",
                    "fwd",
                    lambda: naive_pool_xp(xp, x, p.out),
                    sync,
                    check=lambda y: p.check_pool(self.to64(y[sl]), str(y.dtype)),
                    role="naive",
                    memory=mem,
                )
            )
            if self.resample is not None:
                rs = self.resample
                cells.append(
                    Cell(
                        "pool",
                        f"{self.resample_name}",
                        "fwd",
                        lambda: rs(rs(x, p.out[0], -2), p.out[1], -1),
                        sync,
                        check=lambda y: p.check_pool(self.to64(y[sl]), "float32"),  # resample may upcast; not ours
                        role="resample",
                        memory=mem,
                    )
                )
            auto = resolve_auto(x, p.shape[-2:])
            for m in ("matmul", "fft", "auto"):
                alias = f"spectral_pool[{auto}]" if m == "auto" and auto in ("matmul", "fft") else None
                cells.append(
                    Cell(
                        "pool",
                        f"spectral_pool[{m}]",
                        "fwd",
                        lambda m=m: sc.spectral_pool(x, p.out, method=m),
                        sync,
                        check=lambda y: p.check_pool(self.to64(y[sl]), str(y.dtype)),
                        alias_of=alias,
                        memory=mem,
                    )
                )
        if "lowpass" in ops:
            k_h, k_w = self.put(p.keep_per_sample), self.put(p.keep_per_sample_w)
            keeps = k_h if p.keep_per_sample_w is p.keep_per_sample else (k_h, k_w)
            cells.append(
                Cell(
                    "lowpass",
                    "lowpass[keep]",
                    "fwd",
                    lambda: sc.lowpass(x, p.keep),
                    sync,
                    check=lambda y: p.check_lowpass(self.to64(y[sl]), str(y.dtype), per_sample=False),
                    memory=mem,
                )
            )
            cells.append(
                Cell(
                    "lowpass",
                    "lowpass[per-sample keep]",
                    "fwd",
                    lambda: sc.lowpass(x, keeps, check_keep=False),
                    sync,
                    check=lambda y: p.check_lowpass(self.to64(y[sl]), str(y.dtype), per_sample=True),
                    memory=mem,
                )
            )
        if "conv" in ops:
            self.notes.append(f"{self.key}: conv n/a ({self.name} has no conv2d)")
        return cells

    def crossover_cells(self, n: int, batch: int) -> tuple[list[Cell], Callable[[], float]]:
        """Forward matmul vs fft."""
        import numpy as np

        import spectralcore as sc

        x = self.put(np.random.default_rng(2).standard_normal((batch, n, n), dtype=np.float32))
        cells = [
            Cell("pool", f"spectral_pool[{m}]", "fwd", lambda m=m: sc.spectral_pool(x, n // 2, method=m), self.sync)
            for m in ("matmul", "fft")
        ]

        def diff() -> float:
            a = self.to64(sc.spectral_pool(x, n // 2, method="matmul"))
            b = self.to64(sc.spectral_pool(x, n // 2, method="fft"))
            return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(a)))))

        return cells, diff


class NumpyBackend(XpBackend):
    """NumPy on the CPU; ``scipy.signal.resample`` (both axes) is the extra baseline when SciPy is installed."""

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        import numpy as np

        if device != "cpu":
            raise SkipBackend(f"numpy:{device}: numpy runs on the CPU only")
        super().__init__(np, "numpy", "cpu", _noop_sync)
        if importlib.util.find_spec("scipy") is not None:
            from scipy.signal import resample

            self.resample = lambda a, m, axis: resample(a, m, axis=axis)
            self.resample_name = "scipy_resample"
        else:
            self.notes.append("numpy:cpu: scipy not installed, scipy_resample baseline skipped")


class CupyBackend(XpBackend):
    """CuPy on the current CUDA device; ``cupyx.scipy.signal.resample`` is the extra baseline when present."""

    def __init__(self, device: str = "cuda", threads: int = 0) -> None:
        if device != "cuda":
            raise SkipBackend(f"cupy:{device}: CuPy runs on CUDA devices only")
        if importlib.util.find_spec("cupy") is None:
            raise SkipBackend("cupy:cuda: cupy not installed")
        try:
            import cupy

            if cupy.cuda.runtime.getDeviceCount() < 1:
                raise SkipBackend("cupy:cuda: no CUDA device")
        except SkipBackend:
            raise
        except Exception as exc:
            raise SkipBackend(f"cupy:cuda: no usable CUDA device ({type(exc).__name__}: {exc})") from None
        self.cupy = cupy
        super().__init__(cupy, "cupy", "cuda", lambda _: cupy.cuda.get_current_stream().synchronize())
        try:
            from cupyx.scipy.signal import resample

            self.resample = lambda a, m, axis: resample(a, m, axis=axis)
            self.resample_name = "cupyx_resample"
        except Exception:
            self.notes.append("cupy:cuda: cupyx.scipy.signal.resample unavailable, skipped")

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:
        """CuPy's pool has no peak counter: empty the pool, make one call, read the bytes the pool then holds."""
        pool = self.cupy.get_default_memory_pool()
        self.sync(None)
        live = pool.used_bytes()
        pool.free_all_blocks()
        out = fn()
        self.sync(out)
        total = pool.total_bytes()
        del out
        return {
            "peak_bytes": int(total),
            "extra_bytes": int(total - live),
            "source": "cupy default memory pool total_bytes after one call from an emptied pool (~ peak)",
        }

    def close(self) -> None:
        """Give the pool's cached blocks back."""
        self.cupy.get_default_memory_pool().free_all_blocks()


class TorchBackend(Backend):
    """PyTorch on ``cpu`` or ``cuda``: forward under ``no_grad`` and forward+backward with autograd."""

    name = "torch"
    differentiable = True

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        if importlib.util.find_spec("torch") is None:
            raise SkipBackend(f"torch:{device}: torch not installed")
        import torch

        if device == "cuda" and not torch.cuda.is_available():
            raise SkipBackend("torch:cuda: no CUDA device")
        if device not in ("cpu", "cuda"):
            raise SkipBackend(f"torch:{device}: unsupported device")
        if threads:
            torch.set_num_threads(threads)
        self.torch, self.device, self.dev = torch, device, torch.device(device)
        self.notes = []
        if device == "cuda":
            # cuDNN convolutions default to TF32, whose ~1e-3 errors fail the float32 oracle check (seen on an H100)
            # and would flatter the timings; every backend here computes in full float32.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # newer torch prefers the fp32_precision API; both still work
                torch.backends.cuda.matmul.allow_tf32 = False
                torch.backends.cudnn.allow_tf32 = False
            self.notes.append("torch:cuda: TF32 disabled for matmul and cuDNN (full float32)")
        self.sct, why = adapter("spectralcore_torch", "SpectralPool2d")
        if why:
            self.notes.append(f"torch:{device}: adapter rows {why}")

    def sync(self, _: Any) -> None:
        """CUDA work is asynchronous: wait for it before reading the clock."""
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def put(self, a: Any) -> Any:
        """NumPy -> tensor on the device."""
        return self.torch.from_numpy(a).to(self.dev)

    def to64(self, t: Any) -> Any:
        """Tensor -> float64 NumPy."""
        return t.detach().to("cpu", self.torch.float64).numpy()

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:
        """``torch.cuda.max_memory_allocated`` over one call (CPU: n/a)."""
        if self.device != "cuda":
            return None
        cuda = self.torch.cuda
        cuda.synchronize()
        cuda.reset_peak_memory_stats()
        base = cuda.memory_allocated()
        out = fn()
        cuda.synchronize()
        peak = cuda.max_memory_allocated()
        del out
        return {"peak_bytes": int(peak), "extra_bytes": int(peak - base), "source": "torch.cuda.max_memory_allocated"}

    def close(self) -> None:
        """Return cached CUDA blocks (other backends share the GPU)."""
        if self.device == "cuda":
            self.torch.cuda.empty_cache()

    def _pair(
        self,
        cells: list[Cell],
        op: str,
        variant: str,
        f: Callable[[Any], Any],
        x: Any,
        g: Any,
        *,
        check_y: Callable[[Any], dict[str, Any]] | None,
        check_g: Callable[[Any], dict[str, Any]] | None,
        role: str = "ours",
        note: str = "",
        params: tuple[Any, ...] = (),
        alias_of: str | None = None,
        y_slice: tuple[slice, ...] | None = None,
    ) -> None:
        """A forward cell (``no_grad``) and a forward+backward cell (``loss = sum(f(x) * g)``, grads to x/params)."""
        torch, sync = self.torch, self.sync
        sl = y_slice or (slice(0, 2), slice(0, 2))
        mem = self.memory if self.device == "cuda" else None

        def fwd() -> Any:
            with torch.no_grad():
                return f(x)

        cells.append(
            Cell(
                op,
                variant,
                "fwd",
                fwd,
                sync,
                check=None if check_y is None else (lambda y: check_y(y[sl])),
                role=role,
                note=note,
                alias_of=alias_of,
                memory=mem,
            )
        )
        xg = x.detach().clone().requires_grad_(True)

        def fb() -> Any:
            xg.grad = None
            for prm in params:
                prm.grad = None
            (f(xg) * g).sum().backward()
            return xg.grad

        cells.append(
            Cell(
                op,
                variant,
                "fb",
                fb,
                sync,
                check=None if check_g is None else (lambda gx: check_g(self.to64(gx[:2, :2]))),
                role=role,
                note=note,
                alias_of=alias_of,
                memory=mem,
            )
        )

    def cells(self, p: Problem, ops: tuple[str, ...]) -> list[Cell]:
        """Floor, max/avg pool, naive recipe, spectral_pool methods, lowpass, conv, and the adapter's modules."""
        import torch.nn.functional as F

        import spectralcore as sc

        x = self.put(p.x)
        k, s = p.kernel, p.stride
        to64 = self.to64
        cells: list[Cell] = [
            Cell("floor", "read_once[x.sum]", "fwd", lambda: x.sum(), self.sync, role="floor", memory=self.memory)
        ]
        g_win = self.put(p.g_win)
        self._pair(
            cells,
            "pool",
            "max_pool2d",
            lambda t: F.max_pool2d(t, k, s),
            x,
            g_win,
            check_y=lambda y: p.check_window(to64(y), "max", str(y.dtype)),
            check_g=None,
            role="max_pool2d",
            note=p.window_note,
        )
        if "pool" in ops:
            g_pool = self.put(p.g_pool)
            self._pair(
                cells,
                "pool",
                "avg_pool2d",
                lambda t: F.avg_pool2d(t, k, s),
                x,
                g_win,
                check_y=lambda y: p.check_window(to64(y), "avg", str(y.dtype)),
                check_g=None,
                role="baseline",
            )
            if p.window_note:  # a non-integer reduction: what a user would otherwise pick for it
                self._pair(
                    cells,
                    "pool",
                    "adaptive_avg_pool2d",
                    lambda t: F.adaptive_avg_pool2d(t, p.out),
                    x,
                    g_pool,
                    check_y=None,
                    check_g=None,
                    role="baseline",
                )
            self._pair(
                cells,
                "pool",
                "naive_fft2",
                lambda t: naive_pool_torch(t, p.out),
                x,
                g_pool,
                check_y=lambda y: p.check_pool(to64(y), str(y.dtype)),
                check_g=p.check_naive_grad,
                role="naive",
            )
            auto = resolve_auto(x, p.shape[-2:])
            for m in ("matmul", "fft", "auto"):
                self._pair(
                    cells,
                    "pool",
                    f"spectral_pool[{m}]",
                    lambda t, m=m: sc.spectral_pool(t, p.out, method=m),
                    x,
                    g_pool,
                    check_y=lambda y: p.check_pool(to64(y), str(y.dtype)),
                    check_g=p.check_pool_grad,
                    alias_of=f"spectral_pool[{auto}]" if m == "auto" and auto in ("matmul", "fft") else None,
                )
            if self.sct is not None:
                self._module_pool(cells, p, x, g_pool)
        if "lowpass" in ops:
            g_x = self.put(p.g_x)
            k_h, k_w = self.put(p.keep_per_sample), self.put(p.keep_per_sample_w)
            keeps = k_h if p.keep_per_sample_w is p.keep_per_sample else (k_h, k_w)
            self._pair(
                cells,
                "lowpass",
                "lowpass[keep]",
                lambda t: sc.lowpass(t, p.keep),
                x,
                g_x,
                check_y=lambda y: p.check_lowpass(to64(y), str(y.dtype), per_sample=False),
                check_g=lambda gx: p.check_lowpass_grad(gx, per_sample=False),
            )
            self._pair(
                cells,
                "lowpass",
                "lowpass[per-sample keep]",
                lambda t: sc.lowpass(t, keeps, check_keep=False),
                x,
                g_x,
                check_y=lambda y: p.check_lowpass(to64(y), str(y.dtype), per_sample=True),
                check_g=lambda gx: p.check_lowpass_grad(gx, per_sample=True),
            )
            if self.sct is not None:
                self._module_dropout(cells, p, x, g_x)
        if "conv" in ops:
            self._conv(cells, p, x)
        return cells

    def _module_pool(self, cells: list[Cell], p: Problem, x: Any, g_pool: Any) -> None:
        try:
            mod = self.sct.SpectralPool2d(p.out, norm="amplitude", nyquist="sum", method="auto").to(self.dev)
        except Exception as exc:
            cells.append(self._broken("pool", "SpectralPool2d", exc))
            return
        self._pair(
            cells,
            "pool",
            "SpectralPool2d",
            mod,
            x,
            g_pool,
            check_y=lambda y: p.check_pool(self.to64(y), str(y.dtype)),
            check_g=p.check_pool_grad,
            note="spectralcore_torch module (norm=amplitude, nyquist=sum, method=auto)",
        )

    def _module_dropout(self, cells: list[Cell], p: Problem, x: Any, g_x: Any) -> None:
        sq = min(p.keep)
        for per_sample in (False, True):
            name = "FrequencyDropout2d" + ("[per_sample]" if per_sample else "")
            try:
                timed = self.sct.FrequencyDropout2d(bounds=p.keep_bounds, per_sample=per_sample).to(self.dev).train()
                fixed = self.sct.FrequencyDropout2d(bounds=(sq, sq), per_sample=per_sample).to(self.dev).train()
            except Exception as exc:
                cells.append(self._broken("lowpass", name, exc))
                continue

            def check_fixed(_: Any, fixed: Any = fixed) -> dict[str, Any]:
                with self.torch.no_grad():
                    y = fixed(x)
                return p.check_lowpass(self.to64(y[:2, :2]), str(y.dtype), per_sample=False, keeps=(sq, sq))

            self._pair(
                cells,
                "lowpass",
                name,
                timed,
                x,
                g_x,
                check_y=check_fixed,
                check_g=None,
                note=f"training mode, bounds={p.keep_bounds}; checked with bounds=({sq}, {sq})",
            )

    def _broken(self, op: str, variant: str, exc: Exception) -> Cell:
        cell = Cell(op, variant, "fwd", None, self.sync)
        cell.record["error"] = f"{type(exc).__name__}: {exc}"
        cell.record["check"] = {"ok": False, "why": cell.record["error"]}
        return cell

    def _conv(self, cells: list[Cell], p: Problem, x: Any) -> None:
        import torch.nn.functional as F

        import spectralcore as sc

        pad = CONV_KERNEL // 2
        theta = self.put(p.theta).requires_grad_(True)
        weight = self.put(p.conv_w64.astype("float32")).requires_grad_(True)
        x = x[: p.conv_batch]
        g = self.put(p.g_x[: p.conv_batch])
        patch = (slice(0, 2), slice(0, 2), slice(0, CONV_PATCH), slice(0, CONV_PATCH))

        def check(y: Any) -> dict[str, Any]:
            return p.check_conv(self.to64(y), str(y.dtype))

        self._pair(
            cells,
            "conv",
            "conv2d",
            lambda t: F.conv2d(t, weight, padding=pad),
            x,
            g,
            check_y=check,
            check_g=None,
            role="conv2d",
            params=(weight,),
            y_slice=patch,
        )
        self._pair(
            cells,
            "conv",
            "spectral_to_spatial+conv2d",
            lambda t: F.conv2d(t, sc.spectral_to_spatial(theta), padding=pad),
            x,
            g,
            check_y=check,
            check_g=None,
            params=(theta,),
            y_slice=patch,
        )
        if self.sct is None or not hasattr(self.sct, "SpectralConv2d"):
            return
        c = p.shape[1]
        try:
            try:
                mod = self.sct.SpectralConv2d(c, c, CONV_KERNEL, 1, pad, bias=False)
            except TypeError:
                mod = self.sct.SpectralConv2d(c, c, CONV_KERNEL, 1, pad)
            mod = mod.to(self.dev)
        except Exception as exc:
            cells.append(self._broken("conv", "SpectralConv2d", exc))
            return

        def check_mod(y: Any) -> dict[str, Any]:
            w64 = self.to64(mod.weight)
            got = self.to64(y)
            bias = getattr(mod, "bias", None)
            if bias is not None:
                got = got - self.to64(bias)[:2].reshape(1, -1, 1, 1)
            return p.check_conv(got, str(y.dtype), w64=w64)

        self._pair(
            cells,
            "conv",
            "SpectralConv2d",
            mod,
            x,
            g,
            check_y=check_mod,
            check_g=None,
            params=tuple(mod.parameters()),
            y_slice=patch,
            note="spectralcore_torch module",
        )

    def crossover_cells(self, n: int, batch: int) -> tuple[list[Cell], Callable[[], float]]:
        """matmul vs fft, forward (no_grad) and forward+backward."""
        import numpy as np

        import spectralcore as sc

        torch = self.torch
        rng = np.random.default_rng(2)
        x = self.put(rng.standard_normal((batch, n, n), dtype=np.float32))
        xg = x.detach().clone().requires_grad_(True)
        g = self.put(rng.standard_normal((batch, n // 2, n // 2), dtype=np.float32))
        cells = []
        for m in ("matmul", "fft"):

            def fwd(m: str = m) -> Any:
                with torch.no_grad():
                    return sc.spectral_pool(x, n // 2, method=m)

            def fb(m: str = m) -> Any:
                xg.grad = None
                (sc.spectral_pool(xg, n // 2, method=m) * g).sum().backward()
                return xg.grad

            cells += [Cell("pool", f"spectral_pool[{m}]", "fwd", fwd, self.sync)]
            cells += [Cell("pool", f"spectral_pool[{m}]", "fb", fb, self.sync)]

        def diff() -> float:
            a, b = (self.to64(sc.spectral_pool(x, n // 2, method=m)) for m in ("matmul", "fft"))
            return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(a)))))

        return cells, diff


class JaxBackend(Backend):
    """JAX on ``cpu`` or ``cuda``: every contender under ``jax.jit``; f+b is ``jit(value_and_grad(...))``."""

    name = "jax"
    differentiable = True

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        if importlib.util.find_spec("jax") is None:
            raise SkipBackend(f"jax:{device}: jax not installed")
        import jax

        self.jax = jax
        self.device = device
        self.notes = []
        try:
            if device == "cpu":
                self.dev = jax.devices("cpu")[0]
            elif device in ("cuda", "gpu"):
                self.device = "cuda"
                self.dev = jax.devices("gpu")[0]
            else:
                raise SkipBackend(f"jax:{device}: unsupported device")
        except RuntimeError as exc:
            raise SkipBackend(f"jax:{device}: no such JAX device ({str(exc).splitlines()[0]})") from None
        if self.device == "cuda":
            self.notes.append("jax:cuda: every contender runs under jax.default_matmul_precision('highest') (no TF32)")

    def sync(self, out: Any) -> None:
        """JAX dispatch is asynchronous on every device."""
        if out is not None:
            self.jax.block_until_ready(out)

    def put(self, a: Any) -> Any:
        """NumPy -> committed JAX array on the device."""
        return self.jax.device_put(a, self.dev)

    def to64(self, a: Any) -> Any:
        """JAX array -> float64 NumPy."""
        import numpy as np

        return np.asarray(a, dtype=np.float64)

    def memory(self, fn: Callable[[], Any]) -> dict[str, Any] | None:
        """``device.memory_stats()`` (GPU); ``peak_bytes_in_use`` is process-wide and never reset."""
        stats = self.dev.memory_stats() if self.device != "cpu" else None
        if not stats:
            return None
        before = stats.get("bytes_in_use")
        out = fn()
        self.sync(out)
        after = self.dev.memory_stats() or {}
        del out
        return {
            "peak_bytes": after.get("peak_bytes_in_use"),
            "bytes_in_use_before": before,
            "source": "jax device.memory_stats()['peak_bytes_in_use'] (process-wide high-water mark, not per call)",
        }

    def _call(self, f: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        dev, jax = self.dev, self.jax

        def run() -> Any:
            # Constants the core builds inside jit land on the same device; full float32 matmuls and convolutions
            # (JAX's GPU default is TF32, whose ~1e-3 errors fail the oracle check and would flatter the timings).
            with jax.default_device(dev), jax.default_matmul_precision("highest"):
                return f(*args)

        return run

    def _pair(
        self,
        cells: list[Cell],
        op: str,
        variant: str,
        f: Callable[..., Any],
        args: tuple[Any, ...],
        g: Any,
        *,
        check_y: Callable[[Any], dict[str, Any]] | None,
        check_g: Callable[[Any], dict[str, Any]] | None,
        role: str = "ours",
        note: str = "",
        alias_of: str | None = None,
        y_slice: tuple[slice, ...] | None = None,
        argnums: int | tuple[int, ...] = 0,
    ) -> None:
        jax, jnp = self.jax, self.jax.numpy
        sl = y_slice or (slice(0, 2), slice(0, 2))
        mem = self.memory if self.device != "cpu" else None
        fwd = jax.jit(f)
        # The cotangent g is an argument, not a closed-over constant: XLA would otherwise constant-fold the parts of
        # the backward pass that depend on g alone (the avg-pool transpose, say), which takes seconds to compile
        # and times less work than a training step does.
        vg = jax.jit(jax.value_and_grad(lambda *a: jnp.sum(f(*a[:-1]) * a[-1]), argnums=argnums))
        cells.append(
            Cell(
                op,
                variant,
                "fwd",
                self._call(fwd, *args),
                self.sync,
                check=None if check_y is None else (lambda y: check_y(y[sl])),
                role=role,
                note=note,
                alias_of=alias_of,
                memory=mem,
            )
        )

        def check_fb(out: Any) -> dict[str, Any]:
            grads = out[1]
            gx = grads[0] if isinstance(grads, tuple) else grads
            return check_g(self.to64(gx[:2, :2]))  # type: ignore[misc]

        cells.append(
            Cell(
                op,
                variant,
                "fb",
                self._call(vg, *args, g),
                self.sync,
                check=None if check_g is None else check_fb,
                role=role,
                note=note,
                alias_of=alias_of,
                memory=mem,
            )
        )

    def cells(self, p: Problem, ops: tuple[str, ...]) -> list[Cell]:
        """Floor, reduce_window max/avg, naive recipe, spectral_pool methods, lowpass and conv, all jitted."""
        import spectralcore as sc

        jax, jnp, lax = self.jax, self.jax.numpy, self.jax.lax
        x = self.put(p.x)
        k, s = p.kernel, p.stride
        to64 = self.to64
        dims, strides = (1, 1, k, k), (1, 1, s, s)

        def max_pool(t: Any) -> Any:
            return lax.reduce_window(t, -jnp.inf, lax.max, dims, strides, "VALID")

        def avg_pool(t: Any) -> Any:
            return lax.reduce_window(t, 0.0, lax.add, dims, strides, "VALID") * (1.0 / (k * k))

        cells: list[Cell] = [
            Cell(
                "floor",
                "read_once[x.sum]",
                "fwd",
                self._call(jax.jit(jnp.sum), x),
                self.sync,
                role="floor",
                memory=self.memory if self.device != "cpu" else None,
            )
        ]
        g_win = self.put(p.g_win)
        self._pair(
            cells,
            "pool",
            "max_pool2d",
            max_pool,
            (x,),
            g_win,
            check_y=lambda y: p.check_window(to64(y), "max", str(y.dtype)),
            check_g=None,
            role="max_pool2d",
            note=("lax.reduce_window max. " + p.window_note).strip(),
        )
        if "pool" in ops:
            g_pool = self.put(p.g_pool)
            self._pair(
                cells,
                "pool",
                "avg_pool2d",
                avg_pool,
                (x,),
                g_win,
                check_y=lambda y: p.check_window(to64(y), "avg", str(y.dtype)),
                check_g=None,
                role="baseline",
                note="lax.reduce_window add / k^2",
            )
            self._pair(
                cells,
                "pool",
                "naive_fft2",
                lambda t: naive_pool_xp(jnp, t, p.out),
                (x,),
                g_pool,
                check_y=lambda y: p.check_pool(to64(y), str(y.dtype)),
                check_g=p.check_naive_grad,
                role="naive",
            )
            auto = resolve_auto(x, p.shape[-2:])
            for m in ("matmul", "fft", "auto"):
                self._pair(
                    cells,
                    "pool",
                    f"spectral_pool[{m}]",
                    lambda t, m=m: sc.spectral_pool(t, p.out, method=m),
                    (x,),
                    g_pool,
                    check_y=lambda y: p.check_pool(to64(y), str(y.dtype)),
                    check_g=p.check_pool_grad,
                    alias_of=f"spectral_pool[{auto}]" if m == "auto" and auto in ("matmul", "fft") else None,
                )
        if "lowpass" in ops:
            g_x = self.put(p.g_x)
            k_h, k_w = self.put(p.keep_per_sample), self.put(p.keep_per_sample_w)
            per_w = p.keep_per_sample_w is not p.keep_per_sample
            self._pair(
                cells,
                "lowpass",
                "lowpass[keep]",
                lambda t: sc.lowpass(t, p.keep),
                (x,),
                g_x,
                check_y=lambda y: p.check_lowpass(to64(y), str(y.dtype), per_sample=False),
                check_g=lambda gx: p.check_lowpass_grad(gx, per_sample=False),
            )
            self._pair(
                cells,
                "lowpass",
                "lowpass[per-sample keep]",
                lambda t, kh, kw: sc.lowpass(t, (kh, kw) if per_w else kh, check_keep=False),
                (x, k_h, k_w),
                g_x,
                check_y=lambda y: p.check_lowpass(to64(y), str(y.dtype), per_sample=True),
                check_g=lambda gx: p.check_lowpass_grad(gx, per_sample=True),
            )
        if "conv" in ops:
            pad = CONV_KERNEL // 2
            theta = self.put(p.theta)
            weight = self.put(p.conv_w64.astype("float32"))
            xc = self.put(p.x[: p.conv_batch])
            g = self.put(p.g_x[: p.conv_batch])
            patch = (slice(0, 2), slice(0, 2), slice(0, CONV_PATCH), slice(0, CONV_PATCH))

            def conv(t: Any, w: Any) -> Any:
                return lax.conv_general_dilated(
                    t, w, (1, 1), [(pad, pad), (pad, pad)], dimension_numbers=("NCHW", "OIHW", "NCHW")
                )

            def check(y: Any) -> dict[str, Any]:
                return p.check_conv(to64(y), str(y.dtype))

            self._pair(
                cells,
                "conv",
                "conv2d",
                conv,
                (xc, weight),
                g,
                check_y=check,
                check_g=None,
                role="conv2d",
                y_slice=patch,
                argnums=(0, 1),
                note="lax.conv_general_dilated NCHW/OIHW",
            )
            self._pair(
                cells,
                "conv",
                "spectral_to_spatial+conv2d",
                lambda t, th: conv(t, sc.spectral_to_spatial(th)),
                (xc, theta),
                g,
                check_y=check,
                check_g=None,
                y_slice=patch,
                argnums=(0, 1),
            )
        return cells

    def crossover_cells(self, n: int, batch: int) -> tuple[list[Cell], Callable[[], float]]:
        """matmul vs fft, jitted forward and value_and_grad."""
        import numpy as np

        import spectralcore as sc

        jax, jnp = self.jax, self.jax.numpy
        rng = np.random.default_rng(2)
        x = self.put(rng.standard_normal((batch, n, n), dtype=np.float32))
        g = self.put(rng.standard_normal((batch, n // 2, n // 2), dtype=np.float32))
        cells = []
        for m in ("matmul", "fft"):

            def f(t: Any, m: str = m) -> Any:
                return sc.spectral_pool(t, n // 2, method=m)

            fwd = jax.jit(f)
            vg = jax.jit(jax.value_and_grad(lambda t, c, f=f: jnp.sum(f(t) * c)))  # cotangent c: see _pair
            cells += [Cell("pool", f"spectral_pool[{m}]", "fwd", self._call(fwd, x), self.sync)]
            cells += [Cell("pool", f"spectral_pool[{m}]", "fb", self._call(vg, x, g), self.sync)]

        def diff() -> float:
            a = self.to64(self._call(lambda t: sc.spectral_pool(t, n // 2, method="matmul"), x)())
            b = self.to64(self._call(lambda t: sc.spectral_pool(t, n // 2, method="fft"), x)())
            return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(a)))))

        return cells, diff


class TensorflowBackend(Backend):
    """TensorFlow (Keras 3 on the TF backend), CPU: every contender inside a ``tf.function`` compiled first.

    TF's CPU pooling and convolution kernels take NHWC only, so their inputs are transposed once, outside the
    timed region. The spectral rows use the Keras adapter when it exists, and otherwise (always, as a reference)
    the core's matrices applied with ``tf.matmul``. f+b graphs return ``(loss, grad)``: returning only the grad
    lets grappler prune the forward (the gradient of a linear map does not depend on x).
    """

    name = "tensorflow"
    differentiable = True

    def __init__(self, device: str = "cpu", threads: int = 0) -> None:
        if device != "cpu":
            raise SkipBackend(f"tensorflow:{device}: only tensorflow:cpu is supported by this suite")
        if importlib.util.find_spec("tensorflow") is None:
            raise SkipBackend("tensorflow:cpu: tensorflow not installed")
        import os

        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        if threads:
            try:  # only possible before TF's runtime starts
                tf.config.threading.set_intra_op_parallelism_threads(threads)
                tf.config.threading.set_inter_op_parallelism_threads(1)
            except RuntimeError:
                pass
        tf.get_logger().setLevel("ERROR")  # retracing and complex-cast warnings would drown the table
        self.tf = tf
        self.notes = []
        self.sck, why = adapter("spectralcore_keras", "SpectralPooling2D")
        if why:
            self.notes.append(f"tensorflow:cpu: Keras adapter rows {why}")
        self._device_ctx = tf.device("/CPU:0")

    def sync(self, _: Any) -> None:
        """TF CPU ops return finished tensors."""

    def to64(self, a: Any) -> Any:
        """Tensor -> float64 NumPy."""
        import numpy as np

        return np.asarray(a.numpy() if hasattr(a, "numpy") else a, dtype=np.float64)

    def _pair(
        self,
        cells: list[Cell],
        op: str,
        variant: str,
        f: Callable[[Any], Any],
        x: Any,
        g: Any,
        *,
        check_y: Callable[[Any], dict[str, Any]] | None,
        check_g: Callable[[Any], dict[str, Any]] | None,
        role: str = "ours",
        note: str = "",
        variables: Callable[[], list[Any]] | None = None,
    ) -> None:
        tf = self.tf
        fwd = tf.function(f)

        @tf.function
        def fb(t: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(t)
                loss = tf.reduce_sum(f(t) * g)
            srcs = [t, *(variables() if variables else [])]
            return loss, tape.gradient(loss, srcs)

        cells.append(
            Cell(op, variant, "fwd", lambda: fwd(x), self.sync, check=check_y, role=role, note=note),
        )
        cells.append(
            Cell(
                op,
                variant,
                "fb",
                lambda: fb(x),
                self.sync,
                check=None if check_g is None else (lambda out: check_g(out[1][0])),
                role=role,
                note=note,
            )
        )

    def cells(self, p: Problem, ops: tuple[str, ...]) -> list[Cell]:
        """Floor, NHWC max/avg pool, naive recipe, core-matrix spectral rows, Keras adapter rows, conv."""
        import numpy as np

        import spectralcore as sc

        tf = self.tf
        with self._device_ctx:
            x = tf.constant(p.x)
            x_nhwc = tf.transpose(x, (0, 2, 3, 1))  # once, outside the timed region
        k, s = p.kernel, p.stride
        to64 = self.to64

        def nchw64(y: Any) -> Any:  # NHWC output slice -> NCHW float64 slice
            return np.transpose(to64(y[:2]), (0, 3, 1, 2))[:, :2]

        floor = tf.function(tf.reduce_sum)
        cells: list[Cell] = [Cell("floor", "read_once[x.sum]", "fwd", lambda: floor(x), self.sync, role="floor")]
        g_win = tf.constant(np.transpose(p.g_win, (0, 2, 3, 1)))
        self._pair(
            cells,
            "pool",
            "max_pool2d",
            lambda t: tf.nn.max_pool2d(t, k, s, "VALID"),
            x_nhwc,
            g_win,
            check_y=lambda y: p.check_window(nchw64(y), "max", y.dtype.name),
            check_g=None,
            role="max_pool2d",
            note=("tf.nn.max_pool2d, NHWC (transposed outside the timed region). " + p.window_note).strip(),
        )
        pool_mats = [
            tf.constant(sc.pool_matrix(n, m, xp=np, dtype=np.float32)) for n, m in zip(p.shape[-2:], p.out, strict=True)
        ]
        if "pool" in ops:
            g_pool = tf.constant(p.g_pool)
            self._pair(
                cells,
                "pool",
                "avg_pool2d",
                lambda t: tf.nn.avg_pool2d(t, k, s, "VALID"),
                x_nhwc,
                g_win,
                check_y=lambda y: p.check_window(nchw64(y), "avg", y.dtype.name),
                check_g=None,
                role="baseline",
                note="NHWC",
            )
            self._pair(
                cells,
                "pool",
                "naive_fft2",
                lambda t: naive_pool_tf(tf, t, p.out),
                x,
                g_pool,
                check_y=lambda y: p.check_pool(to64(y[:2, :2]), y.dtype.name),
                check_g=lambda gx: p.check_naive_grad(to64(gx[:2, :2])),
                role="naive",
            )
            a_h, a_w = pool_mats
            self._pair(
                cells,
                "pool",
                "spectral_pool[core matrices]",
                lambda t: tf.matmul(tf.matmul(a_h, t), a_w, transpose_b=True),
                x,
                g_pool,
                check_y=lambda y: p.check_pool(to64(y[:2, :2]), y.dtype.name),
                check_g=lambda gx: p.check_pool_grad(to64(gx[:2, :2])),
                note="sc.pool_matrix + tf.matmul (what the Keras adapter does), NCHW",
            )
            if self.sck is not None:
                self._keras_pool(cells, p, x, g_pool)
        if "lowpass" in ops:
            g_x = tf.constant(p.g_x)
            l_h, l_w = (
                tf.constant(sc.lowpass_matrix(n, kk, xp=np, dtype=np.float32))
                for n, kk in zip(p.shape[-2:], p.keep, strict=True)
            )
            self._pair(
                cells,
                "lowpass",
                "lowpass[core matrices]",
                lambda t: tf.matmul(tf.matmul(l_h, t), l_w, transpose_b=True),
                x,
                g_x,
                check_y=lambda y: p.check_lowpass(to64(y[:2, :2]), y.dtype.name, per_sample=False),
                check_g=lambda gx: p.check_lowpass_grad(to64(gx[:2, :2]), per_sample=False),
                note="sc.lowpass_matrix + tf.matmul, NCHW",
            )
            self._pair(
                cells,
                "lowpass",
                "lowpass[core matrices, per-sample keep]",
                self._per_sample_lowpass(p),
                x,
                g_x,
                check_y=lambda y: p.check_lowpass(to64(y[:2, :2]), y.dtype.name, per_sample=True),
                check_g=lambda gx: p.check_lowpass_grad(to64(gx[:2, :2]), per_sample=True),
                note="real Fourier basis + gathered masks (sc.real_fourier_basis, sc.lowpass_mask_table), NCHW",
            )
            if self.sck is not None:
                self._keras_dropout(cells, p, x, g_x)
        if "conv" in ops:
            self._conv(cells, p, x_nhwc)
        return cells

    def _per_sample_lowpass(self, p: Problem) -> Callable[[Any], Any]:
        import numpy as np

        import spectralcore as sc

        tf = self.tf
        big_h, big_w = p.shape[-2:]
        q_h = tf.constant(sc.real_fourier_basis(big_h, xp=np, dtype=np.float32))
        q_w = tf.constant(sc.real_fourier_basis(big_w, xp=np, dtype=np.float32))
        t_h = tf.constant(sc.lowpass_mask_table(big_h, xp=np, dtype=np.float32))
        t_w = tf.constant(sc.lowpass_mask_table(big_w, xp=np, dtype=np.float32))
        k_h = tf.constant(p.keep_per_sample[:, 0] - 1)
        k_w = tf.constant(p.keep_per_sample_w[:, 0] - 1)

        def f(t: Any) -> Any:
            m_h = tf.gather(t_h, k_h)[:, None, :, None]  # (N, 1, H, 1)
            m_w = tf.gather(t_w, k_w)[:, None, None, :]  # (N, 1, 1, W)
            c = tf.matmul(tf.matmul(q_h, t, transpose_a=True), q_w)  # Q_H^T x Q_W
            return tf.matmul(tf.matmul(q_h, c * m_h * m_w), q_w, transpose_b=True)

        return f

    def _keras_pool(self, cells: list[Cell], p: Problem, x: Any, g_pool: Any) -> None:
        try:
            layer = self.sck.SpectralPooling2D(p.out, norm="amplitude", nyquist="sum", data_format="channels_first")
            layer(x[:1])  # build eagerly, outside any tf.function
        except Exception as exc:
            cells.append(self._broken("pool", "SpectralPooling2D", exc))
            return
        self._pair(
            cells,
            "pool",
            "SpectralPooling2D",
            lambda t: layer(t, training=False),
            x,
            g_pool,
            check_y=lambda y: p.check_pool(self.to64(y[:2, :2]), y.dtype.name),
            check_g=lambda gx: p.check_pool_grad(self.to64(gx[:2, :2])),
            note="spectralcore_keras layer, channels_first (norm=amplitude, nyquist=sum)",
        )

    def _keras_dropout(self, cells: list[Cell], p: Problem, x: Any, g_x: Any) -> None:
        sq = min(p.keep)
        for per_sample in (False, True):
            name = "FrequencyDropout2D" + ("[per_sample]" if per_sample else "")
            try:
                timed = self.sck.FrequencyDropout2D(
                    bounds=p.keep_bounds, per_sample=per_sample, data_format="channels_first", seed=0
                )
                fixed = self.sck.FrequencyDropout2D(
                    bounds=(sq, sq), per_sample=per_sample, data_format="channels_first", seed=0
                )
                timed(x[:1], training=True)
            except Exception as exc:
                cells.append(self._broken("lowpass", name, exc))
                continue

            def check(_: Any, fixed: Any = fixed) -> dict[str, Any]:
                y = fixed(x, training=True)
                return p.check_lowpass(self.to64(y[:2, :2]), y.dtype.name, per_sample=False, keeps=(sq, sq))

            self._pair(
                cells,
                "lowpass",
                name,
                lambda t, layer=timed: layer(t, training=True),
                x,
                g_x,
                check_y=check,
                check_g=None,
                note=f"training=True, bounds={p.keep_bounds}, channels_first; checked with bounds=({sq}, {sq})",
            )

    def _broken(self, op: str, variant: str, exc: Exception) -> Cell:
        cell = Cell(op, variant, "fwd", None, self.sync)
        cell.record["error"] = f"{type(exc).__name__}: {exc}"
        cell.record["check"] = {"ok": False, "why": cell.record["error"]}
        return cell

    def _conv(self, cells: list[Cell], p: Problem, x_nhwc: Any) -> None:
        import numpy as np

        import spectralcore as sc

        tf = self.tf
        c = p.shape[1]
        x_nhwc = x_nhwc[: p.conv_batch]  # once, outside the timed region
        g = tf.constant(np.transpose(p.g_x[: p.conv_batch], (0, 2, 3, 1)))
        w_hwio = tf.Variable(np.transpose(p.conv_w64.astype(np.float32), (2, 3, 1, 0)))
        theta = tf.Variable(p.theta.reshape(c * c, CONV_KERNEL * CONV_KERNEL))
        basis_t = tf.constant(sc.filter_basis_matrix(CONV_KERNEL, CONV_KERNEL, xp=np, dtype=np.float32).T)

        def spectral_w() -> Any:  # theta (O, I, kh, kw) -> spatial kernel, HWIO
            w = tf.reshape(tf.matmul(theta, basis_t), (c, c, CONV_KERNEL, CONV_KERNEL))
            return tf.transpose(w, (2, 3, 1, 0))

        def nchw_patch(y: Any) -> Any:
            return np.transpose(self.to64(y[:2, :CONV_PATCH, :CONV_PATCH, :2]), (0, 3, 1, 2))

        def check(y: Any) -> dict[str, Any]:
            return p.check_conv(nchw_patch(y), y.dtype.name)

        self._pair(
            cells,
            "conv",
            "conv2d",
            lambda t: tf.nn.conv2d(t, w_hwio, 1, "SAME"),
            x_nhwc,
            g,
            check_y=check,
            check_g=None,
            role="conv2d",
            note="tf.nn.conv2d NHWC",
            variables=lambda: [w_hwio],
        )
        self._pair(
            cells,
            "conv",
            "spectral_to_spatial+conv2d",
            lambda t: tf.nn.conv2d(t, spectral_w(), 1, "SAME"),
            x_nhwc,
            g,
            check_y=check,
            check_g=None,
            note="sc.filter_basis_matrix + tf.matmul + tf.nn.conv2d, NHWC",
            variables=lambda: [theta],
        )
        if self.sck is None or not hasattr(self.sck, "SpectralConv2D"):
            return
        import keras

        layers: dict[str, Any] = {}
        try:
            layers["keras.Conv2D"] = keras.layers.Conv2D(c, CONV_KERNEL, padding="same", use_bias=False)
            layers["SpectralConv2D"] = self.sck.SpectralConv2D(c, CONV_KERNEL, padding="same", use_bias=False)
            for layer in layers.values():
                layer(x_nhwc[:1])
        except Exception as exc:
            cells.append(self._broken("conv", "SpectralConv2D", exc))
            return
        for name, layer in layers.items():

            def check_layer(y: Any, layer: Any = layer) -> dict[str, Any]:
                kernel = None
                for attr in ("kernel", "spatial_kernel", "weight"):
                    val = getattr(layer, attr, None)
                    if val is not None and tuple(val.shape) == (CONV_KERNEL, CONV_KERNEL, c, c):
                        kernel = self.to64(keras.ops.convert_to_numpy(val))
                        break
                if kernel is None:
                    return {"ok": None, "why": "no spatial kernel accessor (kernel/spatial_kernel) to check against"}
                return p.check_conv(nchw_patch(y), y.dtype.name, w64=np.transpose(kernel, (3, 2, 0, 1)))

            self._pair(
                cells,
                "conv",
                name,
                lambda t, layer=layer: layer(t),
                x_nhwc,
                g,
                check_y=check_layer,
                check_g=None,
                role="conv2d" if name == "keras.Conv2D" else "ours",
                note="Keras layer, NHWC",
                variables=lambda layer=layer: list(layer.trainable_variables),
            )


def naive_pool_tf(tf: Any, x: Any, out: tuple[int, int]) -> Any:
    """:func:`naive_pool_xp` in TensorFlow (``fft2d`` acts on the two innermost axes)."""
    big_h, big_w = x.shape[-2], x.shape[-1]
    h, w = out
    spec = tf.signal.fftshift(tf.signal.fft2d(tf.cast(x, tf.complex64)), axes=(-2, -1))
    r0, c0 = big_h // 2 - h // 2, big_w // 2 - w // 2
    rows = spec[..., r0 : r0 + h, :]
    if h % 2 == 0 and h < big_h:
        rows = tf.concat([rows[..., :1, :] + spec[..., r0 + h : r0 + h + 1, :], rows[..., 1:, :]], axis=-2)
    crop = rows[..., c0 : c0 + w]
    if w % 2 == 0 and w < big_w:
        crop = tf.concat([crop[..., :1] + rows[..., c0 + w : c0 + w + 1], crop[..., 1:]], axis=-1)
    y = tf.math.real(tf.signal.ifft2d(tf.signal.ifftshift(crop, axes=(-2, -1))))
    return y * ((h * w) / (big_h * big_w))


BACKENDS: dict[str, type[Backend]] = {
    "numpy": NumpyBackend,
    "torch": TorchBackend,
    "jax": JaxBackend,
    "tensorflow": TensorflowBackend,
    "cupy": CupyBackend,
}
ALL_CASES = ("numpy:cpu", "torch:cpu", "jax:cpu", "tensorflow:cpu", "torch:cuda", "cupy:cuda", "jax:cuda")


def make_backend(key: str, threads: int) -> Backend:
    """Instantiate ``backend:device``; raises :class:`SkipBackend` with a one-line note if it cannot run."""
    name, _, device = key.partition(":")
    if name not in BACKENDS:
        raise SystemExit(f"--backends: unknown backend {name!r} (one of {', '.join(BACKENDS)})")
    return BACKENDS[name](device or "cpu", threads)  # type: ignore[call-arg]
