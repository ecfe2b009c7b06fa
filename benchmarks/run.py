"""One benchmark command for spectralcore: a preset is a list of sections, each a list of problems, timed on backends.

    python benchmarks/run.py --preset suite            # the full CPU suite: every section, every CPU backend
    python benchmarks/run.py --preset layers --quick   # a smoke run of one preset
    python benchmarks/run.py --help

For every problem and backend, the contenders of the backend's table are timed interleaved (one pass over all of
them per repetition, the order rotated), every timed output is checked once against a float64 oracle (exit
status 1 if one of ours is wrong or a contender crashed, 2 on bad arguments), and the results go to a table,
``<out>.json``, ``<out>.txt`` and ``<out>.png``, each written atomically. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "backends")]  # this folder, the core, the adapters

# backend name -> "module:class". A new backend is one file and one line here.
BACKENDS = {
    "numpy": "backend_numpy:NumpyBackend",
    "cupy": "backend_numpy:CupyBackend",
    "torch": "backend_torch:TorchBackend",
    "jax": "backend_jax:JaxBackend",
    "tensorflow": "backend_tf:TensorflowBackend",
    "flax": "backend_flax:FlaxBackend",
}
CPU = ("numpy:cpu", "torch:cpu", "jax:cpu", "tensorflow:cpu", "flax:cpu")
GPU = ("torch:cuda", "cupy:cuda", "jax:cuda", "flax:cuda")
CROSS = ("32", "64", "128", "256", "384", "512", "768", "1024")
STEPS = ("SpectralPoolNet:32", "SpectralPoolNet:128", "DeepNet:32", "DeepNet:128")
POOL = ("128x96x32x32:16", "128x192x16x16:8", "128x96x32x32:25", "16x64x224x224:112", "32x3x512x512:256")
# section -> (problem kind, specs, --quick specs); see problems.Problem for the spec of each kind.
SECTIONS = {
    "pool": ("pool", POOL, ("2x3x16x16:8", "2x3x16x16:5")),
    "dropout": ("dropout", POOL[:1], ("2x3x16x16:8",)),
    "nd": ("nd", ("128x96x256:128", "8x16x32x32x32:16"), ("2x3x32:16", "2x2x8x8x8:4")),
    "steps": ("steps", STEPS, ("SpectralPoolNet:2", "DeepNet:2")),
    "overhead": ("overhead", ("1x1x8x8:4",), ("1x1x8x8:4",)),
    "roofline": ("roofline", ("2048:256",), ("128:4",)),
    "conv": ("conv", ("128x96x16x16:192",), ("2x4x16x16:8",)),
    "crossover": ("crossover", CROSS, ("16", "32")),
}
# preset -> (backends, sections, the sections' specs where they differ from SECTIONS')
PRESETS: dict[str, tuple[tuple[str, ...], tuple[str, ...], dict[str, tuple[str, ...]]]] = {
    "suite": (CPU + GPU, tuple(SECTIONS), {}),  # the GPU backends skip themselves, with the reason, where there is none
    "layers": (("torch:cpu", "tensorflow:cpu"), ("pool", "dropout", "conv"), {"pool": POOL[:1]}),
    "steps": (("torch:cpu",), ("steps",), {}),
    "overhead": (("torch:cpu",), ("overhead",), {}),
    "crossover": (CPU, ("crossover",), {}),
    "gpu": (
        GPU,
        ("roofline", "pool", "dropout", "nd", "steps", "overhead", "crossover"),
        {"pool": POOL[:3], "steps": (STEPS[1], STEPS[3]), "crossover": (*CROSS, "2048")},
    ),
}


def build_parser() -> argparse.ArgumentParser:
    """The command line; ``--help`` explains every option."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = p.add_argument
    add("--preset", choices=PRESETS, default="suite", help="which sections on which backends (default suite)")
    add("--quick", action="store_true", help="tiny problems and short samples: a smoke run of the preset")
    add("--backends", metavar="B:DEV,...", help=f"instead of the preset's (names: {', '.join(BACKENDS)})")
    add("--sections", metavar="S,...", help=f"only these of the preset's sections ({', '.join(SECTIONS)})")
    add("--shapes", nargs="+", metavar="NxCx...:m", help="instead of the pool section's problems")
    add("--crossover-sizes", nargs="+", type=int, metavar="N", help="instead of the crossover's sizes n (n -> n/2)")
    add("--crossover-mib", type=float, default=None, help="crossover input size in MiB (default 16; quick 0.25)")
    add("--width", type=float, default=0.125, help="width multiplier of the nets of the steps section (default 0.125)")
    add("--compile", action="store_true", help="also time torch.compile'd training steps on the CPU (always on CUDA)")
    add("--repeats", type=int, default=7, help="timed passes over the contenders of a problem, >= 5 (default 7)")
    add(
        "--min-sample-ms",
        type=float,
        default=None,
        help="faster contenders are called several times per sample (default 5; quick 0.5)",
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    add(
        "--threads",
        type=int,
        default=cores,
        help="CPU threads of every framework and BLAS (default: the cores this process may use)",
    )
    add("--out", type=Path, default=None, help="output stem (default benchmarks/results/<preset>[_quick])")
    return p


def make_problems(args: argparse.Namespace, sections: list[str]) -> list[Any]:
    """The problems of the chosen sections, in order."""
    from problems import Problem

    mib = args.crossover_mib or (0.25 if args.quick else 16.0)
    out = []
    for section in sections:
        kind, full, quick = SECTIONS[section]
        specs: Sequence[str] = quick if args.quick else PRESETS[args.preset][2].get(section, full)
        if section == "pool" and args.shapes:
            specs = args.shapes
        if section == "crossover" and args.crossover_sizes:
            specs = [str(n) for n in args.crossover_sizes]
        out += [Problem(section, kind, s, mib=mib, width=args.width, compile=args.compile) for s in specs]
    return out


def main(argv: list[str] | None = None) -> int:
    """Run a preset and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    keys = args.backends.split(",") if args.backends else list(PRESETS[args.preset][0])
    sections = args.sections.split(",") if args.sections else list(PRESETS[args.preset][1])
    if unknown := [s for s in sections if s not in SECTIONS] + [k for k in keys if k.split(":")[0] not in BACKENDS]:
        parser.error(
            f"arguments --sections/--backends expected names among {[*SECTIONS, *BACKENDS]}, received {unknown}"
        )
    if args.repeats < 5 or args.threads < 1:
        parser.error(f"arguments --repeats/--threads expected >= 5 and >= 1, received {args.repeats}, {args.threads}")
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))  # before NumPy, torch, JAX or TF start their thread pools
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # JAX must not take the GPU from torch and CuPy
    import report
    import timing
    from contenders import Skip

    try:
        problems = make_problems(args, sections)
    except ValueError as exc:
        parser.error(f"a problem spec {exc}")
    min_sample_ms = args.min_sample_ms or (0.5 if args.quick else 5.0)
    stem = args.out or HERE / "results" / (args.preset + ("_quick" if args.quick else ""))
    t_start, records, backends = time.perf_counter(), list[dict[str, Any]](), list[Any]()
    payload: dict[str, Any] = dict(schema="spectralcore.bench/2", preset=args.preset, quick=args.quick, skipped=[])
    for key in keys:
        module, cls = BACKENDS[key.split(":")[0]].split(":")
        try:
            backends.append(getattr(importlib.import_module(module), cls)(key.partition(":")[2] or "cpu", args.threads))
        except Skip as exc:
            payload["skipped"].append(str(exc))
            print(f"skipped {exc}", flush=True)
    payload["machine"] = report.machine_info()
    payload["settings"] = dict(backends=[b.key for b in backends], sections=sections, repeats=args.repeats)
    payload["settings"].update(min_sample_ms=min_sample_ms, threads=args.threads, check_rel_tol=timing.REL_TOL)

    def save(complete: bool = False) -> None:
        report.add_ratios(records)
        payload.update(results=records, goals=report.evaluate_goals(records), crossover=report.crossover(records))
        payload.update(notes=sorted({n for b in backends for n in b.notes}), complete=complete)
        payload["machine"]["threads"] = report.thread_info()
        payload["wall_s"] = time.perf_counter() - t_start
        payload["max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report.write_json(stem.with_suffix(".json"), payload)

    for p in problems:
        print(f"\n-- {p.label}", flush=True)
        for be in backends:
            t0 = time.perf_counter()
            try:
                cells = be.cells(p)
            except Skip as exc:
                be.notes.append(str(exc))
                continue
            except Exception as exc:  # a broken table must not hide the other backends
                error = f"{type(exc).__name__}: {exc}"
                records.append(dict(section=p.section, group=p.label, backend=be.key, variant="<table>", error=error))
                records[-1].update(mode="-", role="ours")
                continue
            timing.first_calls(cells)
            timing.time_interleaved(cells, repeats=args.repeats, min_sample_s=min_sample_ms / 1e3)
            records.extend({**c.meta, **c.record} for c in cells)
            del cells
            be.close()
            print(f"  {be.key:<16}{time.perf_counter() - t0:7.1f} s", flush=True)
            save()
    save()
    text = report.finish(payload, stem)
    save(complete=True)
    print(text, flush=True)
    return 0 if payload["checks_passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
