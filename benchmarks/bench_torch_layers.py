"""Speed of the PyTorch layers against the PyTorch layers they replace, measured in the same run (issue 3).

Two comparisons, float32 on the CPU (or ``--device cuda``), every ratio a ratio of medians:

(a) ``SpectralPool2d(16)`` on ``(128, 96, 32, 32)``, forward + backward, against ``F.max_pool2d(x, 2)`` forward +
    backward; and the same pooling with frequency dropout on (``dropout_min_fraction=0.3``, one draw per call, the
    paper's rule), whose cost over plain spectral pooling is the dropout overhead. Per-sample dropout is timed too,
    for information (no goal).
(b) One training step (forward, backward, ``Adam.step()``, ``zero_grad``) of ``SpectralConv2d(96, 192, 3,
    padding=1)`` against ``nn.Conv2d`` of the same shape, on ``(128, 96, 16, 16)``.

Goals (issue 3): (a) <= 0.3x max_pool2d, dropout overhead <= 15 %; (b) <= 1.10x nn.Conv2d. The script prints MET or
MISSED for each, as measured, and writes ``benchmarks/results/bench_torch_layers.json`` atomically.

Timing: warm-up calls first, then ``--repeats`` rounds; each round times every contender once, in a rotating order,
so that slow phases of a noisy shared machine hit all contenders alike. Each timed output is checked against a
reference (spectral conv against nn.Conv2d, pooling against the float64 core), so a fast wrong answer fails.

Run ``python benchmarks/bench_torch_layers.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Shared with the other benchmark scripts (this folder is on sys.path when a script in it runs).
from bench_pool import cpu_model, write_json_atomic

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results" / "bench_torch_layers.json"
GOALS = {"pool_vs_max": 0.30, "dropout_overhead": 0.15, "conv_step_ratio": 1.10}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeats", type=int, default=15, help="timed rounds per comparison (>= 5; default 15)")
    p.add_argument("--warmup", type=int, default=3, help="untimed calls of each contender first (default 3)")
    p.add_argument("--batch", type=int, default=128, help="batch size of both comparisons (default 128)")
    p.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's default)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--quick", action="store_true", help="smoke run: batch 8, 5 rounds, 1 warm-up call")
    p.add_argument(
        "--compile",
        action="store_true",
        help="wrap every contender (the baselines too) in torch.compile(fullgraph=True): on a GPU at these sizes\n"
        "the eager per-call Python work, not the kernels, decides the time",
    )
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"JSON results (default {DEFAULT_OUT})")
    args = p.parse_args(argv)
    if args.quick:
        args.batch, args.repeats, args.warmup = 8, 5, 1
    if args.repeats < 5:
        p.error("--repeats must be >= 5")
    return args


def ensure_importable() -> None:
    """Let a plain checkout run this script: fall back to the repo root and backends/ if not installed."""
    import importlib.util

    for name, path in (("spectralcore", REPO_ROOT), ("spectralcore_torch", REPO_ROOT / "backends")):
        if importlib.util.find_spec(name) is None:
            sys.path.insert(0, str(path))


def time_interleaved(
    contenders: dict[str, Callable[[], Any]], sync: Callable[[], None], *, repeats: int, warmup: int
) -> dict[str, dict[str, Any]]:
    """Median (and spread) in ms of each contender, timed in rotating order, one call each per round."""
    names = list(contenders)
    for name in names:
        for _ in range(warmup):
            contenders[name]()
            sync()
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t0 = time.perf_counter()
            contenders[name]()
            sync()
            times[name].append((time.perf_counter() - t0) * 1e3)
    result = {}
    for name, ms in times.items():
        q1, _, q3 = statistics.quantiles(ms, n=4, method="inclusive")
        result[name] = {"median_ms": statistics.median(ms), "iqr_ms": q3 - q1, "times_ms": [round(t, 4) for t in ms]}
    return result


def bench_pool(torch: Any, device: Any, args: argparse.Namespace, sync: Callable[[], None]) -> dict[str, Any]:
    import torch.nn.functional as F

    import spectralcore as sc
    from spectralcore_torch import SpectralPool2d

    gen = torch.Generator(device=device).manual_seed(0)
    x = torch.randn(args.batch, 96, 32, 32, device=device, generator=gen, requires_grad=True)
    g = torch.randn(args.batch, 96, 16, 16, device=device, generator=gen)
    layers = {
        "spectral_pool": SpectralPool2d(16),
        "spectral_pool+dropout": SpectralPool2d(16, dropout_min_fraction=0.3),
        "spectral_pool+dropout_per_sample": SpectralPool2d(16, dropout_min_fraction=0.3, dropout_per_sample=True),
    }

    def fwd_bwd(fn: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            x.grad = None
            (fn(x) * g).sum().backward()

        return run

    def maybe_compiled(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return torch.compile(fn, fullgraph=True) if args.compile else fn

    contenders = {"max_pool2d": fwd_bwd(maybe_compiled(lambda a: F.max_pool2d(a, 2)))}
    contenders.update({name: fwd_bwd(maybe_compiled(layer)) for name, layer in layers.items()})

    # Correctness: plain pooling against the float64 core, and dropout against lowpass(pool) with the drawn band.
    sample = x.detach()[:2].double().cpu()
    expected = sc.spectral_pool(sample, 16)
    got = layers["spectral_pool"](x.detach()[:2]).double().cpu()
    errors = {"spectral_pool": float((got - expected).abs().max() / expected.abs().max())}
    torch.manual_seed(1)
    got = layers["spectral_pool+dropout"](x.detach()[:2]).double().cpu()
    torch.manual_seed(1)
    u = torch.rand((), device=device, dtype=torch.float32).cpu()
    keep = sc.keep_from_uniform(u, *sc.dropout_keep_range(16, min_fraction=0.3))
    errors["spectral_pool+dropout"] = float((got - sc.lowpass(expected, keep)).abs().max() / expected.abs().max())

    timings = time_interleaved(contenders, sync, repeats=args.repeats, warmup=args.warmup)
    base = timings["max_pool2d"]["median_ms"]
    pool = timings["spectral_pool"]["median_ms"]
    return {
        "input": [args.batch, 96, 32, 32],
        "output": [16, 16],
        "timings": timings,
        "ratio_vs_max_pool2d": {name: t["median_ms"] / base for name, t in timings.items()},
        "dropout_overhead": timings["spectral_pool+dropout"]["median_ms"] / pool - 1,
        "dropout_per_sample_overhead": timings["spectral_pool+dropout_per_sample"]["median_ms"] / pool - 1,
        "max_relative_error": errors,
    }


def bench_conv(torch: Any, device: Any, args: argparse.Namespace, sync: Callable[[], None]) -> dict[str, Any]:
    from spectralcore_torch import SpectralConv2d

    torch.manual_seed(0)
    conv = torch.nn.Conv2d(96, 192, 3, padding=1, device=device)
    spectral = SpectralConv2d.from_conv(conv)
    gen = torch.Generator(device=device).manual_seed(0)
    x = torch.randn(args.batch, 96, 16, 16, device=device, generator=gen)
    with torch.no_grad():
        reference = conv(x)
        error = float((spectral(x) - reference).abs().max() / reference.abs().max())

    def step(module: Any) -> Callable[[], None]:
        optimizer = torch.optim.Adam(module.parameters(), lr=1e-3)
        forward = torch.compile(module, fullgraph=True) if args.compile else module

        def run() -> None:
            loss = forward(x).square().mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

        return run

    timings = time_interleaved(
        {"nn.Conv2d": step(conv), "SpectralConv2d": step(spectral)}, sync, repeats=args.repeats, warmup=args.warmup
    )
    return {
        "input": [args.batch, 96, 16, 16],
        "layer": "96 -> 192, 3x3, padding=1, Adam",
        "timings": timings,
        "step_ratio": timings["SpectralConv2d"]["median_ms"] / timings["nn.Conv2d"]["median_ms"],
        "max_relative_error_before_training": error,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    ensure_importable()
    import torch

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    pool = bench_pool(torch, device, args, sync)
    conv = bench_conv(torch, device, args, sync)
    checks_ok = max(*pool["max_relative_error"].values(), conv["max_relative_error_before_training"]) < 1e-4
    measured = {
        "pool_vs_max": pool["ratio_vs_max_pool2d"]["spectral_pool"],
        "dropout_overhead": pool["dropout_overhead"],
        "conv_step_ratio": conv["step_ratio"],
    }
    goals = {k: {"goal": GOALS[k], "measured": v, "met": v <= GOALS[k]} for k, v in measured.items()}
    payload = {
        "benchmark": "bench_torch_layers",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": args.quick,
        "compile": args.compile,
        "machine": {"platform": platform.platform(), "processor": cpu_model(), "cpu_count": os.cpu_count()},
        "torch": torch.__version__,
        "device": str(device) if device.type != "cuda" else torch.cuda.get_device_name(device),
        "threads": torch.get_num_threads(),
        "dtype": "float32",
        "repeats": args.repeats,
        "warmup": args.warmup,
        "pool": pool,
        "conv": conv,
        "goals": goals,
        "checks_ok": checks_ok,
    }
    write_json_atomic(args.out, payload)

    print(
        f"torch {torch.__version__}, {payload['device']}, {payload['threads']} threads, float32, "
        f"median of {args.repeats} interleaved rounds{' (QUICK: batch 8)' if args.quick else ''}"
    )
    print(f"\n(a) pooling {tuple(pool['input'])} -> (16, 16), forward + backward")
    for name, t in pool["timings"].items():
        ratio = pool["ratio_vs_max_pool2d"][name]
        print(f"  {name:34s} {t['median_ms']:9.3f} ms +- {t['iqr_ms']:.3f} (IQR)   {ratio:5.2f}x max_pool2d")
    print(
        f"  dropout overhead over spectral_pool: per call {pool['dropout_overhead']:+.1%}, "
        f"per sample {pool['dropout_per_sample_overhead']:+.1%} (no goal)"
    )
    print(f"\n(b) training step on {tuple(conv['input'])}: {conv['layer']}")
    for name, t in conv["timings"].items():
        print(f"  {name:34s} {t['median_ms']:9.3f} ms +- {t['iqr_ms']:.3f} (IQR)")
    print(f"  ratio {conv['step_ratio']:.3f}x")
    print("\nGoals (issue 3):")
    labels = {
        "pool_vs_max": "SpectralPool2d f+b <= 0.30x max_pool2d f+b",
        "dropout_overhead": "frequency dropout adds <= 15 %",
        "conv_step_ratio": "SpectralConv2d training step <= 1.10x nn.Conv2d",
    }
    for key, goal in goals.items():
        value = f"{goal['measured']:+.1%}" if key == "dropout_overhead" else f"{goal['measured']:.3f}x"
        print(f"  {'MET   ' if goal['met'] else 'MISSED'} {labels[key]:50s} measured {value}")
    print(f"\ncorrectness checks: {'ok' if checks_ok else 'FAILED'}; results in {args.out}")
    return 0 if checks_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
