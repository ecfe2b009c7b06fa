"""Shared pieces of ``benchmarks/suite.py``: cells, interleaved timing, float64 oracles and machine description.

Only the standard library is imported at module level; NumPy (and SciPy, when present) are imported inside the
functions, after ``suite.py`` has set the thread-count environment variables.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import importlib.metadata
import importlib.util
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench_pool import REL_TOL, check_error, cpu_model, cpu_simd_flags

MiB = 1 << 20


# --------------------------------------------------------------------------------------
# Cells and timing
# --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Cell:
    """One timed contender: an operation, a variant of it, and a mode (``fwd`` or ``fb``).

    ``fn`` performs one call and returns what ``sync`` must wait for (a GPU result, a JAX array). ``check``
    receives the first call's result and returns a check record (see :func:`check_error`), or ``None`` when the
    cell is a baseline that is not spectral (those are still checked where an oracle is cheap).
    """

    op: str  # "pool", "lowpass", "conv" or "floor"
    variant: str
    mode: str  # "fwd" or "fb"
    fn: Callable[[], Any] | None
    sync: Callable[[Any], None]
    check: Callable[[Any], dict[str, Any]] | None = None
    role: str = "ours"  # "ours", "baseline", "max_pool2d", "floor", "naive", "resample", "conv2d"
    note: str = ""
    alias_of: str | None = None  # an "auto" cell that resolves to a method timed anyway is not timed twice
    memory: Callable[[Callable[[], Any]], dict[str, Any] | None] | None = None
    record: dict[str, Any] = dataclasses.field(default_factory=dict)
    number: int = 1
    samples: list[float] = dataclasses.field(default_factory=list)


def summarize_times(samples_s: list[float], number: int) -> dict[str, Any]:
    """Median, quartiles, IQR, min and max (ms per call) of the timed samples."""
    ms = sorted(t * 1e3 for t in samples_s)
    if len(ms) >= 2:
        q1, _, q3 = statistics.quantiles(ms, n=4, method="inclusive")
    else:
        q1 = q3 = ms[0]
    return {
        "median_ms": statistics.median(ms),
        "q1_ms": q1,
        "q3_ms": q3,
        "iqr_ms": q3 - q1,
        "min_ms": ms[0],
        "max_ms": ms[-1],
        "n_samples": len(ms),
        "calls_per_sample": number,
        "times_ms": [round(t, 5) for t in ms],
    }


def _one_sample(cell: Cell) -> float:
    """Seconds per call, averaged over ``cell.number`` back-to-back calls and one final sync."""
    assert cell.fn is not None
    out = None
    t0 = time.perf_counter()
    for _ in range(cell.number):
        out = cell.fn()
    cell.sync(out)
    return (time.perf_counter() - t0) / cell.number


def time_interleaved(cells: list[Cell], *, repeats: int, min_sample_s: float) -> None:
    """Time ``cells`` against each other: one warm-up pass, then ``repeats`` passes over all of them.

    Interleaving means a slow phase of a noisy machine hits every contender of a group, not one of them; the
    order is rotated every pass so no cell always follows the same neighbour. A cell faster than
    ``min_sample_s`` is called several times per sample (``number``, fixed from the warm-up) so that clock
    resolution, Python dispatch and sync latency do not dominate. Results go to each ``cell.record``.
    """
    live = [c for c in cells if c.fn is not None and c.alias_of is None and "error" not in c.record]
    for c in live:  # warm-up pass (the check call before it already compiled / built caches)
        try:
            t = _one_sample(c)
        except Exception as exc:  # record and go on: one broken contender must not hide the rest
            c.record["error"] = f"{type(exc).__name__}: {exc}"
            continue
        c.number = max(1, min(10_000, math.ceil(min_sample_s / max(t, 1e-9))))
    live = [c for c in live if "error" not in c.record]
    for r in range(repeats):
        k = r % len(live) if live else 0
        for c in live[k:] + live[:k]:
            if "error" in c.record:
                continue
            try:
                c.samples.append(_one_sample(c))
            except Exception as exc:
                c.record["error"] = f"{type(exc).__name__}: {exc}"
    for c in live:
        if c.samples and "error" not in c.record:
            c.record.update(summarize_times(c.samples, c.number))


def run_checks(cells: list[Cell]) -> None:
    """First call of every cell (compiles ``jit``/``tf.function``), checked against the oracle."""
    for c in cells:
        if c.fn is None or c.alias_of is not None:  # an alias's output is its method's: checked there
            continue
        try:
            t0 = time.perf_counter()
            out = c.fn()
            c.sync(out)
            c.record["first_call_s"] = round(time.perf_counter() - t0, 4)  # includes jit / tf.function compile
            if c.check is not None:
                c.record["check"] = c.check(out)
            del out
        except Exception as exc:
            c.record["error"] = f"{type(exc).__name__}: {exc}"
            c.record["check"] = {"ok": False, "why": c.record["error"]}
        if c.memory is not None and "error" not in c.record:
            try:
                c.record["peak_memory"] = c.memory(c.fn)
            except Exception as exc:  # memory statistics are informative only
                c.record["peak_memory"] = {"error": f"{type(exc).__name__}: {exc}"}


# --------------------------------------------------------------------------------------
# Float64 oracles (NumPy; scipy.signal.resample when available)
# --------------------------------------------------------------------------------------


def resample_matrix(n: int, m: int):
    """``(m, n)`` float64 matrix of ``scipy.signal.resample`` from length ``n`` to ``m`` (any ``m``).

    Uses SciPy when installed (the project's oracle, as in ``bench_pool.py``); otherwise the same rule written
    out with ``numpy.fft``: keep the lowest frequencies, and for an even output the Nyquist bin of a downsample
    gets ``X[m/2] + X[-m/2]`` while an upsample splits the input's Nyquist bin in two halves.
    """
    import numpy as np

    if importlib.util.find_spec("scipy") is not None:
        from scipy.signal import resample

        return resample(np.eye(n), m, axis=0)
    spec = np.fft.fft(np.eye(n), axis=0)
    out = np.zeros((m, n), dtype=complex)
    lo = min(n, m)
    out[: (lo + 1) // 2] = spec[: (lo + 1) // 2]  # bins 0 .. ceil(lo/2)-1
    neg = lo // 2 - 1 if lo % 2 == 0 else lo // 2  # bins -neg .. -1
    if neg > 0:
        out[m - neg :] = spec[n - neg :]
    if lo % 2 == 0:
        k = lo // 2
        if m < n:  # downsample: the output's Nyquist bin sums both sides
            out[k] = spec[k] + spec[n - k]
        elif m > n:  # upsample: the input's Nyquist bin is split in two halves
            out[k] = out[m - k] = spec[k] / 2
        else:
            out[k] = spec[k]
    return np.real(np.fft.ifft(out, axis=0)) * (m / n)


def lowpass_axis_matrix(n: int, keep: int):
    """``(n, n)`` float64 low-pass matrix: resample to ``keep`` then back to ``n`` (the core's sum rule)."""
    return resample_matrix(keep, n) @ resample_matrix(n, keep)


def apply_separable(x64, a_h, a_w):
    """``a_h @ x @ a_w.T`` on the last two axes."""
    return a_h @ x64 @ a_w.T


def window_pool_np(x64, kernel: int, stride: int, kind: str):
    """Reference max or average pooling (VALID, square window) in float64."""
    import numpy as np

    win = np.lib.stride_tricks.sliding_window_view(x64, (kernel, kernel), axis=(-2, -1))[..., ::stride, ::stride, :, :]
    return win.max(axis=(-2, -1)) if kind == "max" else win.mean(axis=(-2, -1))


def conv_patch_np(x64, w64, patch: int):
    """Float64 'same' 2-D cross-correlation (stride 1), only the top-left ``patch x patch`` outputs.

    ``x64`` is ``(B, C, H, W)`` and ``w64`` ``(O, C, kh, kw)`` with odd kernel sizes; the border rows and columns
    of the patch are the zero-padded ones, so padding is checked too.
    """
    import numpy as np

    kh, kw = w64.shape[-2:]
    ph, pw = kh // 2, kw // 2
    ho, wo = min(patch, x64.shape[-2]), min(patch, x64.shape[-1])
    xp = np.pad(x64, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    y = np.zeros((x64.shape[0], w64.shape[0], ho, wo))
    for i in range(kh):
        for j in range(kw):
            y += np.einsum("bchw,oc->bohw", xp[:, :, i : i + ho, j : j + wo], w64[:, :, i, j])
    return y


def checked(got64, ref64, what: str, dtype: str | None = None) -> dict[str, Any]:
    """:func:`bench_pool.check_error` plus what was compared and the output dtype (float32 must stay float32)."""
    rec = check_error(got64, ref64)
    rec["what"] = what
    if dtype is not None:
        rec["out_dtype"] = dtype
        if not dtype.endswith("float32"):
            rec["ok"] = False
            rec["why"] = f"output dtype {dtype}, expected float32"
    return rec


# --------------------------------------------------------------------------------------
# Reference window for max/avg pooling
# --------------------------------------------------------------------------------------


def window_for(in_hw: tuple[int, int], out: tuple[int, int]) -> tuple[int, int, str]:
    """The max/avg pooling window matching a spectral reduction: ``(kernel, stride, note)``.

    The stride is the nearest integer to the reduction factor ``H / h`` (at least 1) and the kernel equals the
    stride (at least 2). For a non-integer reduction such as 32 -> 25 this gives kernel 2, stride 1 (31 x 31 out):
    the note says so.
    """
    factor = in_hw[0] / out[0]
    stride = max(1, round(factor))
    kernel = max(2, stride)
    note = ""
    if abs(factor - round(factor)) > 1e-9 or in_hw[0] / out[0] != in_hw[1] / out[1]:
        ho = (in_hw[0] - kernel) // stride + 1
        wo = (in_hw[1] - kernel) // stride + 1
        note = (
            f"non-integer reduction {in_hw[0]}/{out[0]}={factor:.3g}: window {kernel}x{kernel}, nearest integer "
            f"stride {stride} ({ho}x{wo} out)"
        )
    return kernel, stride, note


# --------------------------------------------------------------------------------------
# Machine description
# --------------------------------------------------------------------------------------

ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "MALLOC_MMAP_MAX_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_TOP_PAD_",
    "MALLOC_ARENA_MAX",
    "LD_PRELOAD",
    "SCIPY_ARRAY_API",
    "KERAS_BACKEND",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "TF_ENABLE_ONEDNN_OPTS",
    "XLA_FLAGS",
    "XLA_PYTHON_CLIENT_PREALLOCATE",
    "XLA_PYTHON_CLIENT_MEM_FRACTION",
    "JAX_PLATFORMS",
    "CUDA_VISIBLE_DEVICES",
    "CUPY_ACCELERATORS",
)

DISTRIBUTIONS = (
    "numpy",
    "scipy",
    "torch",
    "jax",
    "jaxlib",
    "tensorflow",
    "tensorflow-cpu",
    "keras",
    "cupy-cuda12x",
    "cupy-cuda13x",
    "matplotlib",
    "array-api-compat",
    "spectralcore",
)


def _gpu_names() -> list[str]:
    """GPU names from ``nvidia-smi`` (no framework import needed); empty when there is none."""
    try:
        res = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in res.stdout.splitlines() if line.strip()] if res.returncode == 0 else []


def machine_info() -> dict[str, Any]:
    """CPU, GPU, versions (from package metadata: nothing is imported for it), threads and environment."""
    versions: dict[str, str | None] = {}
    for dist in DISTRIBUTIONS:
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    info: dict[str, Any] = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "cpu_model": cpu_model(),
        "cpu_simd_flags": cpu_simd_flags(),
        "cpu_count": os.cpu_count(),
        "affinity_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "gpus": _gpu_names(),
        "versions": versions,
        "env": {k: os.environ.get(k) for k in ENV_VARS if os.environ.get(k) is not None},
        "argv": sys.argv,
    }
    try:
        import numpy as np

        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["numpy_blas"] = f"{blas.get('name')} {blas.get('version')}"
    except Exception:  # show_config's layout is not a stable API
        info["numpy_blas"] = None
    try:
        info["mem_total_gib"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / (1 << 30), 1)
    except (ValueError, OSError, AttributeError):
        info["mem_total_gib"] = None
    return info


def thread_info() -> dict[str, Any]:
    """Thread counts of the frameworks already imported (checked via ``sys.modules``: nothing new is imported)."""
    out: dict[str, Any] = {}
    torch = sys.modules.get("torch")
    if torch is not None:
        out["torch_num_threads"] = torch.get_num_threads()
        out["torch_num_interop_threads"] = torch.get_num_interop_threads()
        if torch.cuda.is_available():
            out["torch_cuda_device"] = torch.cuda.get_device_name(0)
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        out["tf_intra_op_threads"] = tf.config.threading.get_intra_op_parallelism_threads()
        out["tf_inter_op_threads"] = tf.config.threading.get_inter_op_parallelism_threads()
    jax = sys.modules.get("jax")
    if jax is not None:
        with contextlib.suppress(RuntimeError):
            out["jax_devices"] = [str(d) for d in jax.devices()]
    return out


__all__ = [
    "REL_TOL",
    "Cell",
    "MiB",
    "apply_separable",
    "checked",
    "conv_patch_np",
    "lowpass_axis_matrix",
    "machine_info",
    "resample_matrix",
    "run_checks",
    "summarize_times",
    "thread_info",
    "time_interleaved",
    "window_for",
    "window_pool_np",
]
