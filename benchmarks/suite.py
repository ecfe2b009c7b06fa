"""Cross-backend benchmark suite: spectral pooling, frequency dropout and spectral convolution against the
baselines a user would otherwise pick, on every backend available, in one command (issue 6).

    .venv/bin/python benchmarks/suite.py            # full run, every backend found here
    .venv/bin/python benchmarks/suite.py --quick    # smoke run, tiny shapes
    .venv/bin/python benchmarks/suite.py --help

For each shape and each ``backend:device`` it times, interleaved (one pass over all contenders per repetition),
forward and (where the framework differentiates) forward+backward of

* spectral pooling, ``method="matmul"``, ``"fft"`` and ``"auto"``, plus the adapters' layers when they exist;
* low-pass / frequency dropout: ``spectralcore.lowpass`` with a scalar and a per-sample ``keep``;
* the spectral filter map plus convolution, against plain convolution;
* baselines: max and average pooling, the naive fft2 -> fftshift -> crop -> ifft2 -> real recipe,
  ``scipy.signal.resample`` (NumPy), and the read-once floor ``x.sum()``.

Every spectral result is checked once against a float64 oracle; the exit status is 1 if any check fails. Results
go to a terminal table, a JSON file (written atomically) and a PNG plot. See ``benchmarks/BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # the _suite_* helpers and bench_pool next to this file

from _suite_common import REL_TOL, Cell, MiB, machine_info, run_checks, thread_info, time_interleaved  # noqa: E402
from bench_pool import parse_shape, write_json_atomic  # noqa: E402

DEFAULT_SHAPES = (
    "128x96x32x32:16",  # CIFAR-like, 2x
    "128x192x16x16:8",  # CIFAR-like deeper layer, 2x
    "128x96x32x32:25",  # the non-power-of-two gamma case
    "16x64x224x224:112",  # ImageNet-like
    "32x3x512x512:256",  # large images, few channels
)
QUICK_SHAPES = ("4x8x32x32:16", "4x8x32x32:25", "2x4x64x64:32")
DEFAULT_CROSSOVER_SIZES = (32, 64, 128, 256, 384, 512, 768, 1024)
QUICK_CROSSOVER_SIZES = (16, 32, 64)
ALL_OPS = ("pool", "lowpass", "conv", "crossover")


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show defaults, except the ``None``/``False`` ones whose help text already explains them."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def build_parser() -> argparse.ArgumentParser:
    """The command line (every option is explained by ``--help``)."""
    p = argparse.ArgumentParser(
        description=(
            "Time spectralcore's spectral pooling, low-pass / frequency dropout and spectral convolution against "
            "in-run baselines (max/avg pooling, plain conv2d, the naive fft2 recipe, scipy.signal.resample, the "
            "read-once floor x.sum()) on every available backend; check every spectral result against a float64 "
            "oracle (exit status 1 if one is wrong); write a table, JSON and a PNG plot."
        ),
        formatter_class=_HelpFormatter,
    )
    p.add_argument(
        "--backends",
        default=None,
        metavar="B:DEV,...",
        help="comma-separated backend:device cases among numpy:cpu, torch:cpu, jax:cpu, tensorflow:cpu, torch:cuda, "
        "cupy:cuda, jax:cuda. Default: every one that can run here (absent ones are skipped with a one-line note). "
        "A framework is imported only if it is asked for (or, by default, installed)",
    )
    p.add_argument(
        "--shapes",
        nargs="+",
        default=None,
        metavar="NxCxHxW:h[xw]",
        help=f"float32 input shapes and the pooled size of the last two axes. Default: {' '.join(DEFAULT_SHAPES)} "
        f"(with --quick: {' '.join(QUICK_SHAPES)})",
    )
    p.add_argument(
        "--ops",
        default=",".join(ALL_OPS),
        metavar="OP,...",
        help="which operations: pool (spectral_pool + naive recipe, resample, avg pool), lowpass (scalar and "
        "per-sample keep, dropout layers), conv (spectral filter map + conv vs conv2d), crossover (matmul vs fft "
        "for n -> n/2, to tune method='auto'). max_pool2d and the read-once floor always run: ratios need them",
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="timed repetitions per contender (>= 5); each is one pass over all contenders of a backend and shape",
    )
    p.add_argument(
        "--min-sample-ms",
        type=float,
        default=None,
        help="a contender faster than this is called several times per timed sample (count fixed at warm-up), "
        "so clock and sync overhead do not dominate. Default 5 (1 with --quick)",
    )
    p.add_argument(
        "--conv-gflop",
        type=float,
        default=5.0,
        help="the conv rows use a smaller batch (at least 2) when the plain conv of a full batch would cost more "
        "than this many GFLOP per forward call; the filter map's cost does not depend on the batch. 0 = full batch",
    )
    p.add_argument(
        "--threads",
        type=int,
        default=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
        help="CPU threads: torch.set_num_threads, TF intra-op threads, and OMP/OPENBLAS/MKL_NUM_THREADS when unset",
    )
    p.add_argument(
        "--crossover-sizes",
        nargs="+",
        type=int,
        default=None,
        metavar="N",
        help=f"square sizes n pooled to n // 2 in the crossover section. Default: "
        f"{' '.join(map(str, DEFAULT_CROSSOVER_SIZES))} (with --quick: {' '.join(map(str, QUICK_CROSSOVER_SIZES))})",
    )
    p.add_argument(
        "--crossover-mib",
        type=float,
        default=None,
        help="crossover batch chosen so the float32 input is about this many MiB. Default 16 (0.25 with --quick)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: tiny shapes, --min-sample-ms 1, small crossover; about 1-2 s per backend plus imports "
        "and compilation. Writes suite_quick.json/png instead of suite.json/png",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=HERE / "results",
        metavar="DIR",
        help="folder for suite[_quick].json (atomic write, also after every backend and shape) and suite[_quick].png",
    )
    return p


def prepare_environment(threads: int) -> None:
    """Settings that must precede the first import of NumPy, JAX or TensorFlow."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(threads))
    # JAX would grab 75 % of the GPU at start-up and starve torch/CuPy in the same process; it also makes
    # memory_stats() report what the computations need rather than the preallocation.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if importlib.util.find_spec("spectralcore") is None:  # a plain checkout without the editable install
        sys.path.insert(0, str(REPO_ROOT))
    if importlib.util.find_spec("spectralcore_torch") is None:
        sys.path.insert(0, str(REPO_ROOT / "backends"))


def open_backends(spec: str | None, threads: int, skipped: list[str]) -> list[Any]:
    """Create the requested (or every available) backend; unavailable ones become one-line notes."""
    from _suite_backends import ALL_CASES, SkipBackend, make_backend

    keys = ALL_CASES if spec is None else tuple(s.strip() for s in spec.split(",") if s.strip())
    out = []
    for key in keys:
        if ":" not in key:
            key += ":cpu"
        try:
            out.append(make_backend(key, threads))
        except SkipBackend as exc:
            skipped.append(str(exc))
            print(f"skipped {exc}", flush=True)
    return out


def cell_record(cell: Cell, shape: tuple[int, ...], out: tuple[int, int], backend: str) -> dict[str, Any]:
    """The JSON record of one timed (or failed) contender."""
    rec = {
        "shape": list(shape),
        "out": list(out),
        "backend": backend,
        "op": cell.op,
        "variant": cell.variant,
        "mode": cell.mode,
        "role": cell.role,
        "note": cell.note,
        "alias_of": cell.alias_of,
        "dtype": "float32",
    }
    rec.update(cell.record)
    if "peak_memory" not in rec:
        rec["peak_memory"] = None  # n/a: the backend reports no peak (CPU) or no probe ran
    return rec


# --------------------------------------------------------------------------------------
# auto crossover
# --------------------------------------------------------------------------------------


def auto_limit(backend: str, device: str = "cpu") -> int | None:
    """``method="auto"`` uses matmul up to this length (NumPy-backed arrays and GPU arrays have their own limit)."""
    try:
        from spectralcore import _pooling
    except ImportError:
        return None
    default = getattr(_pooling, "AUTO_MATMUL_MAX_LENGTH", None)
    if backend == "numpy":
        return getattr(_pooling, "AUTO_MATMUL_MAX_LENGTH_NUMPY", default)
    if device != "cpu" or backend == "cupy":
        return getattr(_pooling, "AUTO_MATMUL_MAX_LENGTH_GPU", default)
    return default


def run_crossover(backends: list[Any], sizes: list[int], mib: float, args: argparse.Namespace) -> dict[str, Any]:
    """matmul vs fft on ``(batch, n, n) -> n // 2`` (input about ``mib`` MiB), per backend:device and mode.

    Reports per n which method is faster and which one ``"auto"`` picks, and per backend:device the smallest n
    from which fft wins at every larger tested n (by f+b where the backend differentiates: training needs both
    passes; by fwd otherwise).
    """
    rows: list[dict[str, Any]] = []
    print(f"\n== auto_crossover: (batch, n, n) -> n//2, input ~{mib:g} MiB float32, matmul vs fft", flush=True)
    for be in backends:
        if be.name == "tensorflow":  # the Keras layer has no method switch; TF uses matrices
            continue
        limit = auto_limit(be.name, be.key.split(":")[1])
        for n in sizes:
            batch = max(1, math.ceil(mib * MiB / (n * n * 4)))
            row: dict[str, Any] = {"backend": be.key, "n": n, "m": n // 2, "batch": batch}
            row["input_mib"] = batch * n * n * 4 / MiB
            row["auto_picks"] = None if limit is None else ("matmul" if n <= limit else "fft")
            try:
                cells, diff = be.crossover_cells(n, batch)
                run_checks(cells)
                row["max_rel_diff_matmul_fft"] = diff()
                time_interleaved(cells, repeats=args.repeats, min_sample_s=args.min_sample_ms / 1e3)
                for c in cells:
                    if "error" in c.record:
                        raise RuntimeError(c.record["error"])
                    tag = f"{c.variant[len('spectral_pool[') : -1]}_{c.mode}"
                    row[f"{tag}_ms"] = c.record["median_ms"]
                    row[f"{tag}_iqr_ms"] = c.record["iqr_ms"]
                    row[f"{tag}_min_ms"] = c.record["min_ms"]
                for mode in ("fwd", "fb"):
                    if f"matmul_{mode}_ms" in row:
                        a, b = row[f"matmul_{mode}_ms"], row[f"fft_{mode}_ms"]
                        row[f"faster_{mode}"] = "matmul" if a <= b else "fft"
                        row[f"fft_over_matmul_{mode}"] = b / a
                del cells
            except Exception as exc:
                row["error"] = f"{type(exc).__name__}: {exc}"
            be.close()
            rows.append(row)
            parts = [f"  {be.key:<15} n={n:<5} batch={batch:<6} auto->{row['auto_picks']}"]
            for mode in ("fwd", "fb"):
                if f"faster_{mode}" in row:
                    ok = "" if row[f"faster_{mode}"] == row["auto_picks"] else "  <- auto differs"
                    parts.append(
                        f"{mode}: matmul {row[f'matmul_{mode}_ms']:.3g} / fft {row[f'fft_{mode}_ms']:.3g} ms "
                        f"-> {row[f'faster_{mode}']}{ok}"
                    )
            if "error" in row:
                parts.append("ERROR " + row["error"])
            print(" | ".join(parts), flush=True)
    conclusions = []
    for key in dict.fromkeys(r["backend"] for r in rows):
        sub = sorted((r for r in rows if r["backend"] == key and "error" not in r), key=lambda r: r["n"])
        mode = "fb" if any("faster_fb" in r for r in sub) else "fwd"
        sub = [r for r in sub if f"faster_{mode}" in r]
        if not sub:
            continue
        fft_from = None
        for r in reversed(sub):
            if r[f"faster_{mode}"] != "fft":
                break
            fft_from = r["n"]
        matmul_below = [r["n"] for r in sub if fft_from is None or r["n"] < fft_from]
        agree = [r["n"] for r in sub if r["auto_picks"] == r[f"faster_{mode}"]]
        suggested = max(matmul_below) if matmul_below else None
        text = (
            f"{key} ({mode}): "
            + ("matmul faster at every tested n" if fft_from is None else f"fft faster at every tested n >= {fft_from}")
            + f"; auto agrees at {len(agree)}/{len(sub)} sizes; AUTO limit now {auto_limit(*key.split(':'))}, "
            + f"suggested limit from this run: {'>= ' if fft_from is None else ''}{suggested}"
        )
        conclusions.append(
            {
                "backend": key,
                "mode": mode,
                "fft_faster_from_n": fft_from,
                "auto_agrees_at_n": agree,
                "current_limit": auto_limit(*key.split(":")),
                "suggested_limit": suggested,
                "suggested_is_lower_bound": fft_from is None,
                "text": text,
            }
        )
        print("  => " + text, flush=True)
    return {"sizes": sizes, "target_input_mib": mib, "rows": rows, "conclusions": conclusions}


# --------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the suite; return the exit status (1 if a correctness check failed)."""
    args = build_parser().parse_args(argv)
    if args.repeats < 5:
        raise SystemExit(f"--repeats: expected an int >= 5, got {args.repeats}")
    if args.threads < 1:
        raise SystemExit(f"--threads: expected an int >= 1, got {args.threads}")
    ops = tuple(o.strip() for o in args.ops.split(",") if o.strip())
    bad = [o for o in ops if o not in ALL_OPS]
    if bad or not ops:
        raise SystemExit(f"--ops: expected a comma-separated subset of {','.join(ALL_OPS)}, got {args.ops!r}")
    shapes = [parse_shape(s) for s in (args.shapes or (QUICK_SHAPES if args.quick else DEFAULT_SHAPES))]
    if any(len(s) != 4 for s, _ in shapes):
        raise SystemExit("--shapes: the suite takes NxCxHxW:h[xw] shapes (4-D, pooled on the last two axes)")
    if args.min_sample_ms is None:
        args.min_sample_ms = 1.0 if args.quick else 5.0
    sizes = args.crossover_sizes or list(QUICK_CROSSOVER_SIZES if args.quick else DEFAULT_CROSSOVER_SIZES)
    mib = args.crossover_mib if args.crossover_mib is not None else (0.25 if args.quick else 16.0)
    stem = "suite_quick" if args.quick else "suite"
    json_path, png_path = args.out / f"{stem}.json", args.out / f"{stem}.png"

    prepare_environment(args.threads)
    t_start = time.perf_counter()
    skipped: list[str] = []
    backends = open_backends(args.backends, args.threads, skipped)
    from _suite_backends import Problem
    from _suite_report import compute_ratios, evaluate_goals, print_goals, print_table, resolve_aliases, write_plot

    notes: list[str] = []
    for be in backends:
        notes += be.notes
    for n in dict.fromkeys(notes):
        print(f"note: {n}", flush=True)
    payload: dict[str, Any] = {
        "schema": "spectralcore.suite/1",
        "complete": False,
        "checks_passed": None,
        "machine": machine_info(),
        "settings": {
            "backends": [be.key for be in backends],
            "shapes": [f"{'x'.join(map(str, s))}:{o[0]}x{o[1]}" for s, o in shapes],
            "ops": list(ops),
            "repeats": args.repeats,
            "min_sample_ms": args.min_sample_ms,
            "threads": args.threads,
            "quick": args.quick,
            "dtype": "float32",
            "timing": "per backend and shape: first call checked (compiles jit/tf.function), one warm-up pass, "
            "then `repeats` interleaved passes over all contenders (order rotated each pass); a sample averages "
            "calls_per_sample back-to-back calls and one device sync",
            "check": f"max abs error on x[:2, :2] (conv: a 16x16 corner of 2 images x 2 channels) vs float64 "
            f"oracle, ok if <= {REL_TOL:g} * max(1, max|ref|); float32 in must give float32 out",
        },
        "skipped": skipped,
        "notes": notes,
        "results": [],
        "goals": [],
        "backend_seconds": {},
    }
    payload["machine"]["threads"] = thread_info()
    records: list[dict[str, Any]] = []

    def save() -> None:
        resolve_aliases(records)
        compute_ratios(records)
        payload["results"] = records
        payload["goals"] = evaluate_goals(records)
        write_json_atomic(json_path, payload)

    for shape, out in shapes:
        print(f"\n-- {'x'.join(map(str, shape))} -> {out[0]}x{out[1]}", flush=True)
        problem = Problem(shape, out, conv_gflop=args.conv_gflop)
        for be in backends:
            t0 = time.perf_counter()
            try:
                cells = be.cells(problem, ops)
            except Exception as exc:  # a broken backend must not hide the others
                cells = [Cell("pool", "<backend setup>", "fwd", None, be.sync)]
                cells[0].record.update({"error": f"{type(exc).__name__}: {exc}", "check": {"ok": False}})
            for c in cells:
                if c.op == "conv":
                    c.record["batch"] = problem.conv_batch
                    if problem.conv_note:
                        c.note = f"{c.note}; {problem.conv_note}" if c.note else problem.conv_note
            run_checks(cells)
            time_interleaved(cells, repeats=args.repeats, min_sample_s=args.min_sample_ms / 1e3)
            records.extend(cell_record(c, shape, out, be.key) for c in cells)
            del cells
            be.close()
            dt = time.perf_counter() - t0
            payload["backend_seconds"][be.key] = payload["backend_seconds"].get(be.key, 0.0) + dt
            print(f"  {be.key:<15} {dt:6.1f} s", flush=True)
            save()
        del problem

    save()
    print_table(records)
    print_goals(payload["goals"])
    if "crossover" in ops:
        payload["auto_crossover"] = run_crossover(backends, sizes, mib, args)
    payload["machine"]["threads"] = thread_info()
    title = (
        f"spectralcore suite ({payload['machine']['cpu_model']}; {', '.join(payload['machine']['gpus']) or 'no GPU'})"
    )
    why = write_plot(records, png_path, title)
    payload["plot"] = str(png_path.name) if why is None else None
    if why:
        print(f"\nplot skipped: {why}")

    def bad(r: dict[str, Any]) -> bool:
        return r.get("check") is not None and r["check"].get("ok") is False and "error" not in r

    def line(r: dict[str, Any]) -> str:
        return f"{r['backend']} {r['variant']} {r['mode']} {r['shape']}->{r['out']}: {r.get('error') or r.get('check')}"

    # Our results (and any crash) fail the run; a baseline that disagrees with the oracle is reported, not fatal.
    failed = [line(r) for r in records if "error" in r or (bad(r) and r["role"] == "ours")]
    mismatched = [line(r) for r in records if bad(r) and r["role"] != "ours"]
    for row in payload.get("auto_crossover", {}).get("rows", []):
        if "error" in row or row.get("max_rel_diff_matmul_fft", 0.0) > REL_TOL:
            failed.append(f"auto_crossover {row['backend']} n={row['n']}: {row.get('error') or 'matmul != fft'}")
    unchecked = [
        f"{r['backend']} {r['variant']} {r['mode']}" for r in records if (r.get("check") or {}).get("ok", 0) is None
    ]
    payload["checks_passed"] = not failed
    payload["failures"] = failed
    payload["baseline_mismatches"] = mismatched
    payload["unchecked"] = unchecked
    payload["wall_s"] = time.perf_counter() - t_start
    payload["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    payload["complete"] = True
    write_json_atomic(json_path, payload)
    print(f"\nwall time {payload['wall_s']:.1f} s, max RSS {payload['max_rss_mib']:.0f} MiB")
    print(f"wrote {json_path}" + ("" if why else f" and {png_path}"))
    for u in unchecked:
        print(f"unchecked (no oracle accessor): {u}")
    for m in mismatched:
        print(f"WARNING: a baseline disagrees with the oracle (not ours, not fatal): {m}")
    if failed:
        print("\nFAIL: correctness checks failed:")
        for f in failed:
            print("  " + f)
        return 1
    print("all correctness checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
