"""Interleaved timing, statistics and the float64 check rule of ``benchmarks/run.py``.

A *cell* is one contender in one mode of one problem on one backend. The cells of a problem and backend are timed
against each other, interleaved: one pass over all of them per repetition, in a rotated order, so a slow phase of a
noisy machine hits every contender alike. ``torch.utils.benchmark`` (``blocked_autorange``) and ``pyperf`` time
one statement at a time (pyperf even one process per benchmark), so they cannot interleave; this loop is all the
harness needs from them.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# float32 results against a float64 oracle: rounding stays below ~5e-6 at unit-scale inputs (the dense path's error
# grows slowly with the length), so 1e-4 relative to the oracle's largest entry flags real bugs, not rounding.
REL_TOL = 1e-4


@dataclasses.dataclass
class Cell:
    """One timed contender: ``fn`` makes one call and returns what ``sync`` waits for (a GPU or JAX result)."""

    meta: dict[str, Any]  # what the JSON record says about it: section, group, backend, variant, mode, role, ...
    fn: Callable[[], Any]
    sync: Callable[[Any], None]
    check: Callable[[Any], dict[str, Any]] | None = None  # the first call's output -> a check_close record
    memory: Callable[[Callable[[], Any]], dict[str, Any] | None] | None = None
    record: dict[str, Any] = dataclasses.field(default_factory=dict)
    number: int = 1
    samples: list[float] = dataclasses.field(default_factory=list)


def check_close(got64: Any, ref64: Any, dtype: Any = None, what: str = "y") -> dict[str, Any]:
    """Max abs error against the oracle: ok if <= REL_TOL * max(1, max|ref|) and float32 stayed float32."""
    got, ref = np.asarray(got64, dtype=np.float64), np.asarray(ref64, dtype=np.float64)
    if got.shape != ref.shape:
        return {"ok": False, "what": what, "why": f"shape {got.shape}, expected {ref.shape}"}
    err = float(np.max(np.abs(got - ref), initial=0.0))
    tol = REL_TOL * max(1.0, float(np.max(np.abs(ref), initial=0.0)))
    rec: dict[str, Any] = {"ok": err <= tol, "what": what, "max_abs_err": err, "tol": tol}
    if dtype is not None:
        rec["out_dtype"] = name = getattr(dtype, "name", None) or str(dtype)  # tf.float32.name, str(torch.float32)
        if not name.endswith("float32"):
            rec.update(ok=False, why=f"output dtype {name}, expected float32")
    return rec


def first_calls(cells: list[Cell]) -> None:
    """The first call of every cell (it compiles ``jit`` / ``tf.function``), checked; then its peak memory."""
    for c in cells:
        if c.meta.get("alias_of"):  # an alias's output is its method's, checked there
            continue
        try:
            t0 = time.perf_counter()
            out = c.fn()
            c.sync(out)
            c.record["first_call_s"] = round(time.perf_counter() - t0, 4)
            if c.check is not None:
                c.record["check"] = c.check(out)
            del out
        except Exception as exc:  # one broken contender must not hide the others
            c.record["error"] = f"{type(exc).__name__}: {exc}"
            c.record["check"] = {"ok": False, "why": c.record["error"]}
            continue
        try:
            c.record["peak_memory"] = c.memory(c.fn) if c.memory is not None else None
        except Exception as exc:  # memory statistics are informative only
            c.record["peak_memory"] = {"error": f"{type(exc).__name__}: {exc}"}


def _sample(cell: Cell) -> float:
    """Seconds per call: ``cell.number`` calls back to back, then one sync."""
    out = None
    t0 = time.perf_counter()
    for _ in range(cell.number):
        out = cell.fn()
    cell.sync(out)
    return (time.perf_counter() - t0) / cell.number


def time_interleaved(cells: list[Cell], *, repeats: int, min_sample_s: float) -> None:
    """One warm-up pass, then ``repeats`` passes over every live cell, the order rotated by one each pass.

    A cell faster than ``min_sample_s`` is called ``number`` times per sample (fixed at the warm-up), so clock
    resolution, dispatch and sync latency do not dominate. The statistics go to each ``cell.record``.
    """
    live = [c for c in cells if not c.meta.get("alias_of") and "error" not in c.record]
    for phase in range(repeats + 1):
        k = phase % max(1, len(live))
        for c in live[k:] + live[:k]:
            if "error" in c.record:
                continue
            try:
                t = _sample(c)
            except Exception as exc:
                c.record["error"] = f"{type(exc).__name__}: {exc}"
                continue
            if phase == 0:
                c.number = max(1, min(100_000, math.ceil(min_sample_s / max(t, 1e-9))))
            else:
                c.samples.append(t)
    for c in live:
        if c.samples and "error" not in c.record:
            c.record.update(summarize(c.samples, c.number))


def summarize(samples_s: list[float], number: int) -> dict[str, Any]:
    """Median, quartiles, IQR, min and max in ms per call, and the raw samples."""
    ms = sorted(t * 1e3 for t in samples_s)
    q1, _, q3 = statistics.quantiles(ms, n=4, method="inclusive") if len(ms) > 1 else (ms[0],) * 3
    return dict(median_ms=statistics.median(ms), q1_ms=q1, q3_ms=q3, iqr_ms=q3 - q1, min_ms=ms[0], max_ms=ms[-1]) | {
        "n_samples": len(ms),
        "calls_per_sample": number,
        "times_ms": [float(f"{t:.6g}") for t in ms],
    }
