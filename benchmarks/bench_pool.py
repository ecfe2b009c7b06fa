"""Speed benchmark for ``spectralcore.spectral_pool`` against in-run baselines.

For each input shape and each ``backend:device`` case this script times

* ``spectral_pool`` with ``method="matmul"``, ``"fft"`` and ``"auto"``;
* PyTorch only: ``F.max_pool2d(x, 2)`` and ``F.avg_pool2d(x, 2)`` (the references the
  ratios are taken against) and the naive public recipe "fftshift(fft2) -> centre crop ->
  add Nyquist -> ifft2 -> real", implemented here as :func:`naive_pool_torch`;
* NumPy only: ``scipy.signal.resample`` applied on both axes (the oracle), forward only.

PyTorch cases are timed forward and forward+backward (``loss = (y * g).sum()`` with a fixed
random ``g``, backward to ``x``). Every timed output (and gradient) is also checked against a
float64 oracle on a small slice, so a fast wrong answer cannot pass: the script exits with
status 1 if any check fails. An ``auto_crossover`` section times matmul against fft on square
inputs n -> n // 2 to locate where ``method="auto"`` should switch.

Run ``python benchmarks/bench_pool.py --help`` for the options; see ``benchmarks/README.md``.
Heavy modules (numpy, torch, scipy) are imported only after the thread-count environment
variables are set, so ``--threads`` also reaches OpenBLAS/OpenMP.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_SHAPES = (
    "128x96x32x32:16",
    "128x192x16x16:8",
    "128x96x32x32:25",
    "16x64x224x224:112",
    "32x3x512x512:256",
)
DEFAULT_CROSSOVER_SIZES = (16, 32, 64, 128, 224, 256, 384, 512, 768, 1024)
OURS = ("matmul", "fft", "auto")
MiB = 1 << 20
REPO_ROOT = Path(__file__).resolve().parents[1]
# float32 results against a float64 oracle: the baseline doc saw <= 5e-6 abs at unit-scale
# inputs, so 1e-4 relative to the oracle's largest entry flags real bugs and not rounding.
REL_TOL = 1e-4


# --------------------------------------------------------------------------------------
# Small utilities
# --------------------------------------------------------------------------------------


def _umask() -> int:
    """The process umask (reading it requires setting it; restore at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def ensure_importable() -> None:
    """Let a plain checkout run this script: fall back to the repo root if not installed."""
    if importlib.util.find_spec("spectralcore") is None:
        sys.path.insert(0, str(REPO_ROOT))


def parse_shape(spec: str) -> tuple[tuple[int, ...], tuple[int, int]]:
    """Parse ``"NxCxHxW:h"`` or ``"NxCxHxW:hxw"`` into ``(shape, (h, w))``.

    Parameters
    ----------
    spec : str
        Input shape (at least two dimensions, ``x``-separated), a colon, and the output size
        of the last two axes (one int for both, or ``hxw``).

    Returns
    -------
    shape : tuple of int
        The input shape.
    out : tuple of int
        The pooled size ``(h, w)`` of the last two axes.
    """
    try:
        left, right = spec.split(":")
        shape = tuple(int(v) for v in left.lower().split("x"))
        out = tuple(int(v) for v in right.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--shapes: expected 'NxCxHxW:h' or 'NxCxHxW:hxw', got {spec!r}") from None
    if len(out) == 1:
        out = (out[0], out[0])
    if len(shape) < 2 or len(out) != 2 or min(shape) < 1 or min(out) < 1:
        raise argparse.ArgumentTypeError(f"--shapes: bad shape spec {spec!r}")
    if out[0] > shape[-2] or out[1] > shape[-1]:
        raise argparse.ArgumentTypeError(f"--shapes: output larger than input in {spec!r}")
    return shape, (out[0], out[1])


def shape_str(shape: tuple[int, ...], out: tuple[int, int]) -> str:
    """Format a case as ``(N,C,H,W)->(h,w)``."""
    return "(" + ",".join(map(str, shape)) + f")->({out[0]},{out[1]})"


def time_calls(
    fn: Callable[[], Any],
    sync: Callable[[], None],
    *,
    repeats: int,
    min_time: float,
    warmup: int = 2,
) -> dict[str, Any]:
    """Time ``fn`` with warm-up and report robust statistics in milliseconds.

    Parameters
    ----------
    fn : callable
        The work to time; its result is discarded.
    sync : callable
        Called after each ``fn`` before the clock is read (e.g. ``torch.cuda.synchronize``).
    repeats : int
        Minimum number of timed calls.
    min_time : float
        Keep calling until the timed calls add up to at least this many seconds, capped at
        ``max(25, repeats)`` calls.
    warmup : int, optional
        Untimed calls first (caches, allocator, lazily built matrices).

    Returns
    -------
    dict
        ``median_ms``, ``min_ms``, ``q1_ms``, ``q3_ms``, ``iqr_ms``, ``n_calls``, ``times_ms``.
    """
    for _ in range(warmup):
        fn()
        sync()
    max_calls = max(25, repeats)
    times: list[float] = []
    while len(times) < repeats or (sum(times) < min_time and len(times) < max_calls):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    ms = sorted(t * 1e3 for t in times)
    q1, _, q3 = statistics.quantiles(ms, n=4, method="inclusive")
    return {
        "median_ms": statistics.median(ms),
        "min_ms": ms[0],
        "q1_ms": q1,
        "q3_ms": q3,
        "iqr_ms": q3 - q1,
        "n_calls": len(ms),
        "times_ms": [round(t, 4) for t in ms],
    }


def write_json_atomic(path: Path, payload: dict[str, Any]) -> None:
    """Write ``payload`` as JSON so readers never see a half-written file.

    The data go to a temporary file in the same directory (same filesystem), which then
    replaces ``path`` with :func:`os.replace`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        with os.fdopen(fd, "w") as fh:
            json.dump(payload, fh, indent=1, sort_keys=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cpu_model() -> str:
    """Return the CPU model name from ``/proc/cpuinfo`` (or :mod:`platform` as a fallback)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def cpu_simd_flags() -> list[str]:
    """The SIMD flags that matter for GEMM/FFT speed (the baseline doc's VM had AVX-512)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                have = set(line.split(":", 1)[1].split())
                return [f for f in ("avx", "avx2", "fma", "avx512f", "avx512_bf16") if f in have]
    except OSError:
        pass
    return []


def fmt_ms(stats: dict[str, Any] | None) -> str:
    """Format a median with its IQR, e.g. ``12.3±0.4``."""
    if stats is None:
        return "-"
    med, iqr = stats["median_ms"], stats["iqr_ms"]
    digits = 2 if med < 10 else 1 if med < 100 else 0
    return f"{med:.{digits}f}±{iqr:.{digits}f}"


def fmt_ratio(r: float | None) -> str:
    """Format a ratio such as ``0.076x``."""
    if r is None:
        return "-"
    return f"{r:.3g}x"


# --------------------------------------------------------------------------------------
# Oracles (float64, scipy.signal.resample convention == spectral_pool defaults)
# --------------------------------------------------------------------------------------


def resample_matrix(n: int, m: int):
    """Dense ``(m, n)`` float64 matrix of ``scipy.signal.resample`` from length n to m."""
    import numpy as np
    from scipy.signal import resample

    return resample(np.eye(n), m, axis=0)


def oracle_forward(x64, out: tuple[int, int]):
    """``scipy.signal.resample`` on the last two axes, in float64."""
    from scipy.signal import resample

    return resample(resample(x64, out[0], axis=-2), out[1], axis=-1)


def oracle_grad(g64, in_hw: tuple[int, int], out: tuple[int, int]):
    """Adjoint of the pooling map applied to ``g``: ``A_H.T @ g @ A_W``."""
    a_h = resample_matrix(in_hw[0], out[0])
    a_w = resample_matrix(in_hw[1], out[1])
    return a_h.T @ g64 @ a_w


def oracle_window_pool(x64, kind: str):
    """Reference 2x2 max or average pooling (floor mode) via reshape."""
    h, w = x64.shape[-2] // 2, x64.shape[-1] // 2
    blocks = x64[..., : 2 * h, : 2 * w].reshape(*x64.shape[:-2], h, 2, w, 2)
    return blocks.max(axis=(-3, -1)) if kind == "max" else blocks.mean(axis=(-3, -1))


def check_error(got64, ref64) -> dict[str, Any]:
    """Max abs error, the oracle's scale, and pass/fail at ``REL_TOL``."""
    import numpy as np

    if got64.shape != ref64.shape:
        return {"max_abs_err": None, "ref_scale": None, "ok": False, "why": "shape mismatch"}
    err = float(np.max(np.abs(got64 - ref64))) if got64.size else 0.0
    scale = float(np.max(np.abs(ref64))) if ref64.size else 0.0
    ok = bool(np.isfinite(err) and err <= REL_TOL * max(scale, 1.0))
    return {"max_abs_err": err, "ref_scale": scale, "ok": ok}


def check_slice(ndim: int) -> tuple[slice, ...]:
    """The small slice checked against the oracle: the first two of each leading axis."""
    return tuple(slice(0, 2) for _ in range(ndim - 2))


# --------------------------------------------------------------------------------------
# The naive public recipe (a), as the comparison baseline
# --------------------------------------------------------------------------------------


def naive_pool_torch(x, out: tuple[int, int]):
    """Naive spectral pooling: ``fftshift(fft2)`` -> centre crop -> add Nyquist -> ``ifft2``.

    This is recipe (a) of ``../shared/perf-baseline.md``, the pattern most public
    implementations use; it matches ``scipy.signal.resample`` (sum rule for the even Nyquist
    bin). It is here only as a speed baseline.

    Parameters
    ----------
    x : torch.Tensor
        Real input, pooled on the last two axes.
    out : tuple of int
        Output size ``(h, w)``.

    Returns
    -------
    torch.Tensor
        Real tensor of shape ``x.shape[:-2] + out``.
    """
    import torch

    big_h, big_w = x.shape[-2], x.shape[-1]
    h, w = out
    spec = torch.fft.fftshift(torch.fft.fft2(x), dim=(-2, -1))
    r0, c0 = big_h // 2 - h // 2, big_w // 2 - w // 2
    # Rows first over all columns, then columns, so the corner gets all four +/- bins.
    rows = spec[..., r0 : r0 + h, :]
    if h % 2 == 0 and h < big_h:
        # Crop row 0 is frequency -h/2; its partner +h/2 sits just past the crop.
        rows = torch.cat([rows[..., :1, :] + spec[..., r0 + h : r0 + h + 1, :], rows[..., 1:, :]], -2)
    crop = rows[..., c0 : c0 + w]
    if w % 2 == 0 and w < big_w:
        crop = torch.cat([crop[..., :1] + rows[..., c0 + w : c0 + w + 1], crop[..., 1:]], -1)
    y = torch.fft.ifft2(torch.fft.ifftshift(crop, dim=(-2, -1))).real
    return y * ((h * w) / (big_h * big_w))


# --------------------------------------------------------------------------------------
# Backends
# --------------------------------------------------------------------------------------


def expand_backends(names: list[str]) -> list[tuple[str, str]]:
    """Turn ``--backends`` entries into ``(backend, device)`` cases.

    ``torch`` means ``torch:cpu`` plus ``torch:cuda`` when CUDA is available; ``numpy`` and
    ``jax`` mean their CPU case. ``backend:device`` entries are taken as given.
    """
    cases: list[tuple[str, str]] = []
    for name in names:
        backend, _, device = name.partition(":")
        if backend not in ("torch", "numpy", "jax"):
            raise SystemExit(f"--backends: unknown backend {backend!r} (torch, numpy, jax)")
        if device:
            devices = [device]
        elif backend == "torch":
            import torch

            devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        else:
            devices = ["cpu"]
        for dev in devices:
            if (backend, dev) not in cases:
                cases.append((backend, dev))
    return cases


class TorchCase:
    """Variants, timing and checks for ``torch`` on one device."""

    def __init__(self, device: str) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        if self.device.type == "cuda":
            self.sync: Callable[[], None] = torch.cuda.synchronize
        else:
            self.sync = lambda: None

    def variants(self, out: tuple[int, int]) -> dict[str, Callable[[Any], Any]]:
        """The callables timed for this case, keyed by variant name."""
        import torch.nn.functional as F

        import spectralcore as sc

        v: dict[str, Callable[[Any], Any]] = {
            f"spectral_pool[{m}]": (lambda x, m=m: sc.spectral_pool(x, out, method=m)) for m in OURS
        }
        v["max_pool2d"] = lambda x: F.max_pool2d(x, 2)
        v["avg_pool2d"] = lambda x: F.avg_pool2d(x, 2)
        v["naive_fft2"] = lambda x: naive_pool_torch(x, out)
        return v

    def make_input(self, shape: tuple[int, ...], seed: int):
        """Standard-normal float32 input on the device."""
        gen = self.torch.Generator().manual_seed(seed)
        return self.torch.randn(shape, generator=gen, dtype=self.torch.float32).to(self.device)

    def to_numpy64(self, t):
        """Detach, move to CPU, and convert to a float64 NumPy array."""
        return t.detach().to("cpu", self.torch.float64).numpy()


class NumpyCase:
    """Variants, timing and checks for NumPy (CPU)."""

    device = "cpu"

    def __init__(self) -> None:
        self.sync: Callable[[], None] = lambda: None

    def variants(self, out: tuple[int, int]) -> dict[str, Callable[[Any], Any]]:
        """The callables timed for this case, keyed by variant name."""
        import spectralcore as sc

        v: dict[str, Callable[[Any], Any]] = {
            f"spectral_pool[{m}]": (lambda x, m=m: sc.spectral_pool(x, out, method=m)) for m in OURS
        }
        v["scipy_resample"] = lambda x: oracle_forward(x, out)
        return v

    def make_input(self, shape: tuple[int, ...], seed: int):
        """Standard-normal float32 input."""
        import numpy as np

        return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)

    def to_numpy64(self, a):
        """Convert to float64."""
        import numpy as np

        return np.asarray(a, dtype=np.float64)


class JaxCase:
    """Eager (un-jitted) JAX forward on CPU; optional, not in the default run."""

    device = "cpu"

    def __init__(self) -> None:
        import jax

        jax.config.update("jax_platforms", "cpu")
        self.sync = lambda: None

    def variants(self, out: tuple[int, int]) -> dict[str, Callable[[Any], Any]]:
        """The callables timed for this case; each blocks until the result is ready."""
        import spectralcore as sc

        return {
            f"spectral_pool[{m}]": (lambda x, m=m: sc.spectral_pool(x, out, method=m).block_until_ready()) for m in OURS
        }

    def make_input(self, shape: tuple[int, ...], seed: int):
        """Standard-normal float32 input as a JAX array."""
        import jax.numpy as jnp
        import numpy as np

        return jnp.asarray(np.random.default_rng(seed).standard_normal(shape, dtype=np.float32))

    def to_numpy64(self, a):
        """Convert to float64 NumPy."""
        import numpy as np

        return np.asarray(a, dtype=np.float64)


def make_case(backend: str, device: str):
    """Build the case object for ``backend:device``."""
    if backend == "torch":
        return TorchCase(device)
    if backend == "numpy":
        return NumpyCase()
    return JaxCase()


# --------------------------------------------------------------------------------------
# Main benchmark
# --------------------------------------------------------------------------------------


def bench_shape(
    case,
    backend: str,
    device: str,
    shape: tuple[int, ...],
    out: tuple[int, int],
    args: argparse.Namespace,
) -> list[dict[str, Any]]:
    """Check, then time, every variant of one backend at one shape.

    Each (variant, mode) cell is first run once and checked against the float64 oracle on a
    small slice; it is then timed ``args.rounds`` times (one pass over all cells per round,
    so a burst of machine noise hits one round of a cell, not all of them) and the round with
    the lowest median is kept.

    Returns
    -------
    list of dict
        One record per (variant, mode) with timing statistics and the oracle check.
    """
    x = case.make_input(shape, seed=0)
    sl = check_slice(len(shape))
    x_sl64 = case.to_numpy64(x[sl])
    y_ref = oracle_forward(x_sl64, out)
    modes = ("fwd", "fb") if backend == "torch" else ("fwd",)
    # One leaf shared by every f+b cell: its .grad is reset before each call.
    xg = x.detach().clone().requires_grad_(True) if backend == "torch" else None
    g_cache: dict[tuple[int, ...], Any] = {}
    cells: list[tuple[dict[str, Any], Callable[[], Any] | None]] = []

    for name, fn in case.variants(out).items():
        window = name in ("max_pool2d", "avg_pool2d")
        ref = oracle_window_pool(x_sl64, name[:3]) if window else y_ref
        for mode in modes:
            rec: dict[str, Any] = {
                "shape": list(shape),
                "out": list(out),
                "backend": backend,
                "device": device,
                "variant": name,
                "mode": mode,
                "dtype": "float32",
            }
            timed: Callable[[], Any] | None = None
            try:
                if mode == "fwd":
                    y = fn(x)
                    case.sync()
                    rec["check"] = check_error(case.to_numpy64(y[sl]), ref)
                    rec["check"]["what"] = "y"
                    # float32 in must give float32 out (a silent float64 upcast is a bug too).
                    rec["check"]["out_dtype"] = str(y.dtype)
                    if not str(y.dtype).endswith("float32"):
                        rec["check"]["ok"] = False
                    del y
                    timed = lambda fn=fn: fn(x)  # noqa: E731
                else:
                    torch = case.torch
                    xg.grad = None
                    y0 = fn(xg)
                    key = tuple(y0.shape)
                    if key not in g_cache:
                        gen = torch.Generator().manual_seed(1)
                        g_cache[key] = torch.randn(key, generator=gen).to(x.device)
                    g = g_cache[key]
                    (y0 * g).sum().backward()
                    case.sync()
                    del y0
                    if not window:  # window pools are references; their forward is checked
                        grad_ref = oracle_grad(case.to_numpy64(g[sl]), shape[-2:], out)
                        rec["check"] = check_error(case.to_numpy64(xg.grad[sl]), grad_ref)
                        rec["check"]["what"] = "grad_x"
                    xg.grad = None

                    def timed(fn=fn, g=g) -> None:
                        xg.grad = None
                        (fn(xg) * g).sum().backward()

            except Exception as exc:  # record and go on: one broken variant must not hide the rest
                rec["error"] = f"{type(exc).__name__}: {exc}"
                rec["check"] = {"ok": False, "why": rec["error"]}
                timed = None
            cells.append((rec, timed))

    for rnd in range(args.rounds):
        for rec, timed in cells:
            if timed is None:
                continue
            try:
                stats = time_calls(timed, case.sync, repeats=args.repeats, min_time=args.min_time)
            except Exception as exc:
                rec["error"] = f"{type(exc).__name__}: {exc}"
                rec["check"] = {"ok": False, "why": rec["error"]}
                continue
            rec.setdefault("round_medians_ms", []).append(stats["median_ms"])
            if "median_ms" not in rec or stats["median_ms"] < rec["median_ms"]:
                rec.update(stats)
            print(
                f"  [{rnd + 1}/{args.rounds}] {backend}:{device:<5} {rec['variant']:<22} "
                f"{rec['mode']:<3} {stats['median_ms']:10.3f} ms",
                flush=True,
            )
    for rec, _ in cells:
        if "error" in rec:
            print(
                f"  {backend}:{device:<5} {rec['variant']:<22} {rec['mode']:<3} ERROR {rec['error']}",
                flush=True,
            )
        if xg is not None:
            xg.grad = None
    return [rec for rec, _ in cells]


def summarize(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Compute the ratios asked for, per (shape, backend, device, variant).

    * ``fwd_vs_max_pool2d`` / ``fb_vs_max_pool2d``: ours / ``F.max_pool2d(x, 2)`` (same
      backend and device; for NumPy, torch CPU's max_pool2d of the same shape if it ran).
    * ``base_over_ours_fwd`` / ``base_over_ours_fb``: the slow public baseline / ours, where
      the baseline is the naive fft2 recipe (torch) or ``scipy.signal.resample`` (NumPy).
    """
    by_key: dict[tuple, dict[str, Any]] = {}
    for r in records:
        key = (tuple(r["shape"]), tuple(r["out"]), r["backend"], r["device"], r["variant"])
        by_key.setdefault(key, {})[r["mode"]] = r.get("median_ms")

    def med(shape, out, backend, device, variant, mode):
        return by_key.get((shape, out, backend, device, variant), {}).get(mode)

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    rows = []
    for (shape, out, backend, device, variant), modes in by_key.items():
        if backend == "torch":
            max_key = (backend, device)
            base = "naive_fft2"
        else:
            max_key = ("torch", "cpu")
            base = "scipy_resample"
        row = {
            "shape": list(shape),
            "out": list(out),
            "backend": backend,
            "device": device,
            "variant": variant,
            "fwd_ms": modes.get("fwd"),
            "fb_ms": modes.get("fb"),
            "fwd_vs_max_pool2d": ratio(modes.get("fwd"), med(shape, out, *max_key, "max_pool2d", "fwd")),
            "fb_vs_max_pool2d": ratio(modes.get("fb"), med(shape, out, *max_key, "max_pool2d", "fb")),
            "max_pool2d_ref": f"{max_key[0]}:{max_key[1]}",
            "baseline": base,
            "base_over_ours_fwd": None,
            "base_over_ours_fb": None,
        }
        if variant.startswith("spectral_pool"):
            row["base_over_ours_fwd"] = ratio(med(shape, out, backend, device, base, "fwd"), modes.get("fwd"))
            row["base_over_ours_fb"] = ratio(med(shape, out, backend, device, base, "fb"), modes.get("fb"))
        rows.append(row)
    return rows


def print_table(records: list[dict[str, Any]], summary: list[dict[str, Any]]) -> None:
    """Print one readable table per shape."""
    checks: dict[tuple, list[str]] = {}
    stats: dict[tuple, dict[str, Any]] = {}
    for r in records:
        key = (tuple(r["shape"]), tuple(r["out"]), r["backend"], r["device"], r["variant"])
        c = r.get("check")
        if c is not None:
            err = c.get("max_abs_err")
            mark = "" if c.get("ok") else " FAIL"
            checks.setdefault(key, []).append(("-" if err is None else f"{err:.1e}") + mark)
        stats[(*key, r["mode"])] = r if "median_ms" in r else None

    header = (
        f"{'case':<11} {'variant':<22} {'fwd ms':>13} {'f+b ms':>13} {'fwd/max':>9} "
        f"{'f+b/max':>9} {'base/ours':>10} {'b/o f+b':>9}  err y / grad"
    )
    shapes_seen: list[tuple] = []
    for row in summary:
        sk = (tuple(row["shape"]), tuple(row["out"]))
        if sk not in shapes_seen:
            shapes_seen.append(sk)
    for sk in shapes_seen:
        print()
        print(
            f"== {shape_str(*sk)}  (median±IQR; ratios of medians; base = naive fft2 "
            "recipe for torch, scipy.signal.resample for numpy)"
        )
        print(header)
        for row in summary:
            if (tuple(row["shape"]), tuple(row["out"])) != sk:
                continue
            key = (*sk, row["backend"], row["device"], row["variant"])
            print(
                f"{row['backend'] + ':' + row['device']:<11} {row['variant']:<22} "
                f"{fmt_ms(stats.get((*key, 'fwd'))):>13} {fmt_ms(stats.get((*key, 'fb'))):>13} "
                f"{fmt_ratio(row['fwd_vs_max_pool2d']):>9} {fmt_ratio(row['fb_vs_max_pool2d']):>9} "
                f"{fmt_ratio(row['base_over_ours_fwd']):>10} "
                f"{fmt_ratio(row['base_over_ours_fb']):>9}  " + " / ".join(checks.get(key, ["-"]))
            )


def bench_crossover(args: argparse.Namespace, backends: list[tuple[str, str]]) -> dict[str, Any]:
    """Time ``method="matmul"`` against ``method="fft"`` on square ``n -> n // 2`` inputs.

    The batch is chosen so the float32 input is about ``--crossover-mib`` MiB (at least one
    image), i.e. roughly constant work per call, the regime the default shapes live in.

    Returns
    -------
    dict
        Per-size timings (``rows``) and, per (backend, device, mode), the winner at each size
        and the smallest n from which fft wins at every larger tested size.
    """
    import numpy as np

    import spectralcore as sc

    target = args.crossover_mib * MiB
    auto_max = getattr(sc, "AUTO_MATMUL_MAX_LENGTH", None)
    rows: list[dict[str, Any]] = []
    print(f"\n== auto_crossover: n -> n//2, input ~{args.crossover_mib:g} MiB float32", flush=True)
    for backend, device in backends:
        if backend == "jax":
            continue
        case = make_case(backend, device)
        modes = ("fwd", "fb") if backend == "torch" else ("fwd",)
        for n in args.crossover_sizes:
            m = n // 2
            batch = max(1, math.ceil(target / (n * n * 4)))
            shape = (batch, n, n)
            x = case.make_input(shape, seed=2)
            row: dict[str, Any] = {
                "backend": backend,
                "device": device,
                "n": n,
                "m": m,
                "batch": batch,
                "input_mib": batch * n * n * 4 / MiB,
            }
            try:
                y_mm = case.to_numpy64(sc.spectral_pool(x, m, method="matmul"))
                y_ff = case.to_numpy64(sc.spectral_pool(x, m, method="fft"))
                row["max_abs_diff_matmul_fft"] = float(np.max(np.abs(y_mm - y_ff)))
                del y_mm, y_ff
                fns: dict[tuple[str, str], Callable[[], Any]] = {}
                for meth in ("matmul", "fft"):
                    for mode in modes:
                        if mode == "fwd":
                            fns[meth, mode] = lambda x=x, m=m, meth=meth: sc.spectral_pool(x, m, method=meth)
                        else:
                            xg = x.detach().clone().requires_grad_(True)
                            gen = case.torch.Generator().manual_seed(3)
                            g = case.torch.randn((batch, m, m), generator=gen).to(x.device)

                            def fb(xg=xg, g=g, m=m, meth=meth) -> None:
                                xg.grad = None
                                (sc.spectral_pool(xg, m, method=meth) * g).sum().backward()

                            fns[meth, mode] = fb
                # Alternate the two methods round by round so slow phases of a noisy
                # machine hit both; keep each cell's best-median round.
                for _ in range(args.rounds):
                    for (meth, mode), fn in fns.items():
                        st = time_calls(fn, case.sync, repeats=args.repeats, min_time=args.min_time)
                        key = f"{meth}_{mode}"
                        if f"{key}_ms" not in row or st["median_ms"] < row[f"{key}_ms"]:
                            row[f"{key}_ms"] = st["median_ms"]
                            row[f"{key}_iqr_ms"] = st["iqr_ms"]
                        row[f"{key}_min_ms"] = min(row.get(f"{key}_min_ms", math.inf), st["min_ms"])
                del fns
                for mode in modes:
                    a, b = row[f"matmul_{mode}_ms"], row[f"fft_{mode}_ms"]
                    row[f"winner_{mode}"] = "matmul" if a <= b else "fft"
                    row[f"fft_over_matmul_{mode}"] = b / a
                    a, b = row[f"matmul_{mode}_min_ms"], row[f"fft_{mode}_min_ms"]
                    row[f"winner_min_{mode}"] = "matmul" if a <= b else "fft"
                    row[f"fft_over_matmul_min_{mode}"] = b / a
                if auto_max is not None:
                    row["auto_picks"] = "matmul" if n <= auto_max else "fft"
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {exc}"
            rows.append(row)
            del x
            parts = [f"{backend}:{device} n={n:<5} batch={batch:<5}"]
            for mode in modes:
                if f"winner_{mode}" in row:
                    parts.append(
                        f"{mode}: matmul {row[f'matmul_{mode}_ms']:8.2f} fft "
                        f"{row[f'fft_{mode}_ms']:8.2f} ms (min {row[f'matmul_{mode}_min_ms']:.2f}"
                        f" / {row[f'fft_{mode}_min_ms']:.2f}) -> {row[f'winner_{mode}']}"
                        f"/{row[f'winner_min_{mode}']}"
                    )
            if "error" in row:
                parts.append("ERROR " + row["error"])
            print("  " + " | ".join(parts), flush=True)

    print(f"  (winner by median / by min; auto currently picks matmul for n <= {auto_max})")
    conclusions = []
    for backend, device in backends:
        for mode in ("fwd", "fb"):
            for stat in ("median", "min"):
                wkey = f"winner_{mode}" if stat == "median" else f"winner_min_{mode}"
                sub = [r for r in rows if r["backend"] == backend and r["device"] == device and wkey in r]
                if not sub:
                    continue
                fft_from = None
                for r in sorted(sub, key=lambda r: r["n"], reverse=True):
                    if r[wkey] != "fft":
                        break
                    fft_from = r["n"]
                head = f"{backend}:{device} {mode} (by {stat}): "
                text = head + (
                    "matmul wins at every tested n" if fft_from is None else f"fft wins at every tested n >= {fft_from}"
                )
                below = fft_from if fft_from is not None else math.inf
                others = [r["n"] for r in sub if r[wkey] == "fft" and r["n"] < below]
                if others:
                    text += f"; fft also won at n = {others}"
                conclusions.append(
                    {
                        "backend": backend,
                        "device": device,
                        "mode": mode,
                        "statistic": stat,
                        "fft_wins_from_n": fft_from,
                        "winners": {str(r["n"]): r[wkey] for r in sub},
                        "text": text,
                    }
                )
                print("  => " + text)
    return {
        "sizes": list(args.crossover_sizes),
        "target_input_mib": args.crossover_mib,
        "auto_matmul_max_length": auto_max,
        "rows": rows,
        "conclusions": conclusions,
    }


def machine_info(args: argparse.Namespace) -> dict[str, Any]:
    """Versions, CPU, thread settings and date for the JSON."""
    import numpy as np
    import scipy

    info: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cpu_simd_flags": cpu_simd_flags(),
        "cpu_count": os.cpu_count(),
        "affinity_cores": (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "argv": sys.argv,
        "env": {
            k: os.environ.get(k)
            for k in (
                "OMP_NUM_THREADS",
                "OPENBLAS_NUM_THREADS",
                "MKL_NUM_THREADS",
                "MALLOC_MMAP_MAX_",
                "MALLOC_TRIM_THRESHOLD_",
                "MALLOC_TOP_PAD_",
                "SCIPY_ARRAY_API",
            )
        },
    }
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # show_config's layout is not a stable API
        info["numpy_blas"] = None
    try:
        import spectralcore

        info["spectralcore"] = getattr(spectralcore, "__version__", "unknown")
    except ImportError:
        info["spectralcore"] = None
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_num_threads"] = torch.get_num_threads()
        info["torch_num_interop_threads"] = torch.get_num_interop_threads()
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        info["torch"] = None
    return info


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = argparse.ArgumentParser(
        description=(
            "Time spectralcore.spectral_pool (method matmul/fft/auto) against in-run baselines "
            "(torch max_pool2d/avg_pool2d and the naive fftshift(fft2) recipe; scipy.signal."
            "resample for numpy), check every result against a float64 oracle, and time "
            "matmul vs fft across sizes (auto_crossover). Exit status 1 if any check fails."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--shapes",
        nargs="+",
        default=list(DEFAULT_SHAPES),
        metavar="NxCxHxW:h[xw]",
        help="input shapes and pooled sizes of the last two axes, float32",
    )
    p.add_argument(
        "--backends",
        nargs="+",
        default=["torch", "numpy"],
        metavar="BACKEND[:DEVICE]",
        help="torch (cpu, plus cuda when available), numpy, jax (forward only, eager), or "
        "explicit backend:device such as torch:cpu",
    )
    p.add_argument("--repeats", type=int, default=5, help="minimum timed calls per cell (>= 5)")
    p.add_argument(
        "--min-time",
        type=float,
        default=0.5,
        help="keep timing a cell until its calls add up to this many seconds (at most max(25, --repeats) calls)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="time every cell this many times (one pass over all cells per round) and keep "
        "the round with the lowest median; >1 damps bursts of machine noise",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=2,
        help="torch.set_num_threads and the OMP/OpenBLAS/MKL thread env vars (if unset)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: leading (batch) dimension divided by 16, --min-time 0.05, crossover inputs ~2 MiB",
    )
    p.add_argument(
        "--crossover-sizes",
        nargs="+",
        type=int,
        default=list(DEFAULT_CROSSOVER_SIZES),
        metavar="N",
        help="square input sizes n for auto_crossover (pooled to n // 2)",
    )
    p.add_argument(
        "--crossover-mib",
        type=float,
        default=16.0,
        help="auto_crossover batch is chosen so the float32 input is about this many MiB",
    )
    p.add_argument("--no-crossover", action="store_true", help="skip the auto_crossover section")
    p.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "results" / "bench_pool.json",
        help="JSON results path (written atomically, also after every shape)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the process exit status."""
    args = build_parser().parse_args(argv)
    if args.repeats < 5:
        raise SystemExit(f"--repeats: expected an int >= 5, got {args.repeats}")
    if args.rounds < 1:
        raise SystemExit(f"--rounds: expected an int >= 1, got {args.rounds}")
    if args.threads < 1:
        raise SystemExit(f"--threads: expected an int >= 1, got {args.threads}")
    shapes = [parse_shape(s) for s in args.shapes]
    if args.quick:
        shapes = [((max(1, s[0] // 16), *s[1:]), o) for s, o in shapes]
        args.min_time = min(args.min_time, 0.05)
        args.crossover_mib = min(args.crossover_mib, 2.0)

    ensure_importable()
    # Must precede the first numpy/torch import to reach OpenBLAS/OpenMP.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    import numpy  # noqa: F401  (loads OpenBLAS with the settings above)

    try:
        import spectralcore  # noqa: F401
    except ImportError as exc:
        raise SystemExit(f"cannot import spectralcore ({exc}); run from the repo root") from None

    backends = expand_backends(args.backends)
    if any(b == "torch" for b, _ in backends):
        import torch

        torch.set_num_threads(args.threads)

    t_start = time.perf_counter()
    payload: dict[str, Any] = {
        "schema": "spectralcore.bench_pool/1",
        "machine": machine_info(args),
        "settings": {
            "shapes": [shape_str(s, o) for s, o in shapes],
            "backends": [f"{b}:{d}" for b, d in backends],
            "repeats": args.repeats,
            "rounds": args.rounds,
            "min_time_s": args.min_time,
            "max_calls": max(25, args.repeats),
            "warmup_calls": 2,
            "threads": args.threads,
            "quick": args.quick,
            "dtype": "float32",
            "check": f"max abs err on x[:2, :2] vs float64 scipy.signal.resample oracle, "
            f"ok if <= {REL_TOL:g} * max(1, max|ref|)",
        },
        "cases": [],
        "summary": [],
        "complete": False,
    }
    print(
        f"bench_pool: {len(shapes)} shapes x {[f'{b}:{d}' for b, d in backends]}, "
        f"threads={args.threads}, quick={args.quick}",
        flush=True,
    )

    records: list[dict[str, Any]] = []
    for shape, out in shapes:
        print(f"\n-- {shape_str(shape, out)}", flush=True)
        for backend, device in backends:
            case = make_case(backend, device)
            records.extend(bench_shape(case, backend, device, shape, out, args))
        payload["cases"] = records
        payload["summary"] = summarize(records)
        write_json_atomic(args.out, payload)  # keep partial results of long runs

    summary = summarize(records)
    print_table(records, summary)
    payload["summary"] = summary
    if not args.no_crossover:
        payload["auto_crossover"] = bench_crossover(args, backends)
    payload["wall_s"] = time.perf_counter() - t_start
    payload["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    failed = [
        f"{r['backend']}:{r['device']} {shape_str(tuple(r['shape']), tuple(r['out']))} "
        f"{r['variant']} {r['mode']}: {r.get('check')}"
        for r in records
        if r.get("check") is not None and not r["check"].get("ok")
    ]
    for row in payload.get("auto_crossover", {}).get("rows", []):
        if "error" in row or row.get("max_abs_diff_matmul_fft", 0.0) > 1e-3:
            failed.append(f"auto_crossover {row}")
    payload["checks_passed"] = not failed
    payload["complete"] = True
    write_json_atomic(args.out, payload)
    print(f"\nwall time {payload['wall_s']:.1f} s, max RSS {payload['max_rss_mib']:.0f} MiB")
    print(f"wrote {args.out}")
    if failed:
        print("\nFAIL: correctness checks failed:")
        for f in failed:
            print("  " + f)
        return 1
    print("all correctness checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
