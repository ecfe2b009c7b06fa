"""Speed of ``spectralcore_keras.SpectralPooling2D`` on TensorFlow against in-run baselines (issue 4).

At NHWC ``(128, 32, 32, 96) -> (16, 16)``, float32, every variant runs inside a ``tf.function`` that is traced and
warmed up before timing:

* ``spectral``: ``SpectralPooling2D(16)``; ``spectral_dropout``: with ``dropout_min_fraction=0.5`` in training
  mode; ``spectral_xla``: ``spectral`` under ``jit_compile=True``;
* ``max_pool``: ``tf.nn.max_pool2d(x, 2, 2, "VALID")`` (NHWC), the reference of the first goal;
* ``naive_fft``: the public recipe, channels moved to the front for ``tf.signal.fft2d``, then
  ``fftshift -> centre crop -> ifftshift -> ifft2d -> real`` and channels moved back.

Each is timed forward and forward+backward (``GradientTape``, ``loss = sum(y * g)`` with a fixed ``g``, gradient to
``x``). Reps are interleaved (every variant once per round) and the medians are compared. Before timing, every
output and gradient is checked against a float64 NumPy oracle on a slice (``spectralcore`` for ours, ``numpy.fft``
for the recipe), so a fast wrong answer cannot pass: the script exits with status 1 if a check fails.

Goals: ``spectral`` forward+backward <= 3x ``max_pool``; ``naive_fft`` forward+backward >= 20x ``spectral``.
The JSON goes to ``benchmarks/results/bench_keras_layers.json`` (written atomically). ``--quick`` is a smoke run
(batch 16, 3 rounds) whose ratios are only indicative.

    .venv/bin/python benchmarks/bench_keras_layers.py            # full run
    .venv/bin/python benchmarks/bench_keras_layers.py --quick    # smoke run, does not overwrite the results
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
DEFAULT_OUT = REPO_ROOT / "benchmarks" / "results" / "bench_keras_layers.json"
GOAL_MAX_POOL = 3.0  # spectral fwd+bwd <= 3x max_pool fwd+bwd
GOAL_NAIVE = 20.0  # naive fwd+bwd >= 20x spectral fwd+bwd
REL_TOL = 1e-4  # float32 against a float64 oracle, relative to the oracle's largest entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: batch 16, 3 rounds, no JSON unless --out")
    parser.add_argument("--batch", type=int, default=None, help="batch size (default 128, 16 with --quick)")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved timing rounds (default 7; quick 3)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed calls per variant after tracing")
    parser.add_argument("--threads", type=int, default=None, help="TensorFlow intra-op threads (default: TF's)")
    parser.add_argument("--out", type=Path, default=None, help=f"JSON path (default {DEFAULT_OUT}, not with --quick)")
    args = parser.parse_args(argv)
    batch = args.batch or (16 if args.quick else 128)
    rounds = args.rounds or (3 if args.quick else 7)
    out_path = args.out or (None if args.quick else DEFAULT_OUT)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "backends")]  # run from a checkout without an install, too
    import keras
    import numpy as np
    import tensorflow as tf

    import spectralcore as sc
    from spectralcore_keras import SpectralPooling2D

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)

    n, m, channels = 32, 16, 96
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((batch, n, n, channels)).astype(np.float32)
    g_np = rng.standard_normal((batch, m, m, channels)).astype(np.float32)
    x, g = tf.constant(x_np), tf.constant(g_np)

    def naive_fft(t: Any) -> Any:
        """The recipe people write: fft2 over (H, W) with channels in front, shift, crop, unshift, ifft2, real."""
        spec = tf.signal.fftshift(tf.signal.fft2d(tf.cast(tf.transpose(t, (0, 3, 1, 2)), tf.complex64)), (2, 3))
        start = n // 2 - m // 2
        crop = tf.signal.ifftshift(spec[:, :, start : start + m, start : start + m], (2, 3))
        return tf.transpose(tf.math.real(tf.signal.ifft2d(crop)), (0, 2, 3, 1)) * (m * m / (n * n))

    plain = SpectralPooling2D(m)
    dropout = SpectralPooling2D(m, dropout_min_fraction=0.5, seed=0)
    forwards: dict[str, Callable[[Any], Any]] = {
        "spectral": lambda t: plain(t),
        "spectral_dropout": lambda t: dropout(t, training=True),
        "spectral_xla": lambda t: plain(t),
        "max_pool": lambda t: tf.nn.max_pool2d(t, 2, 2, "VALID"),
        "naive_fft": naive_fft,
    }

    def compile_pair(name: str, fn: Callable[[Any], Any]) -> dict[str, Any]:
        jit = name.endswith("_xla")

        @tf.function(jit_compile=jit)
        def forward(t: Any) -> Any:
            return fn(t)

        @tf.function(jit_compile=jit)
        def forward_backward(t: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch(t)
                loss = tf.reduce_sum(fn(t) * g)
            return tape.gradient(loss, t)

        return {"fwd": forward, "fwd+bwd": forward_backward}

    compiled = {name: compile_pair(name, fn) for name, fn in forwards.items()}

    # Correctness on a slice, before any timing: ours against the core in float64, the recipe against numpy.fft.
    sl = (slice(0, 2), slice(None), slice(None), slice(0, 4))
    x64 = x_np[sl].astype(np.float64)
    g64 = g_np[sl].astype(np.float64)
    pool64 = sc.spectral_pool(x64, m, axes=(1, 2))
    grad64 = np.einsum("ih,jw,bijc->bhwc", *(sc.pool_matrix(n, m, xp=np),) * 2, g64)  # D^T g per axis
    lo, hi = n // 2 - m // 2, n // 2 + m // 2
    spec = np.fft.fftshift(np.fft.fft2(x64, axes=(1, 2)), axes=(1, 2))[:, lo:hi, lo:hi]
    naive64 = np.fft.ifft2(np.fft.ifftshift(spec, axes=(1, 2)), axes=(1, 2)).real * (m * m / (n * n))
    failures = []
    for name in ("spectral", "spectral_xla", "naive_fft", "max_pool"):
        y = np.asarray(compiled[name]["fwd"](x))[sl]
        want = {"naive_fft": naive64, "max_pool": x64.reshape(2, m, 2, m, 2, 4).max(axis=(2, 4))}.get(name, pool64)
        err = float(np.abs(y - want).max() / np.abs(want).max())
        if err > REL_TOL:
            failures.append(f"{name} forward: relative error {err:.2e}")
        if name.startswith("spectral"):
            grad = np.asarray(compiled[name]["fwd+bwd"](x))[sl]
            err = float(np.abs(grad - grad64).max() / np.abs(grad64).max())
            if err > REL_TOL:
                failures.append(f"{name} gradient: relative error {err:.2e}")
    if failures:
        print("CHECK FAILED:\n  " + "\n  ".join(failures))
        return 1

    for pair in compiled.values():  # trace and warm up
        for fn in pair.values():
            for _ in range(max(1, args.warmup)):
                np.asarray(fn(x)).sum()

    times: dict[str, dict[str, list[float]]] = {name: {"fwd": [], "fwd+bwd": []} for name in compiled}
    for _ in range(rounds):
        for name, pair in compiled.items():
            for mode, fn in pair.items():
                start = time.perf_counter()
                fn(x).numpy()  # the result on the host: the work is done
                times[name][mode].append(time.perf_counter() - start)

    med = {name: {mode: statistics.median(ts) * 1e3 for mode, ts in modes.items()} for name, modes in times.items()}
    ratio_max = med["spectral"]["fwd+bwd"] / med["max_pool"]["fwd+bwd"]
    ratio_naive = med["naive_fft"]["fwd+bwd"] / med["spectral"]["fwd+bwd"]
    goals = [
        {
            "goal": f"spectral fwd+bwd <= {GOAL_MAX_POOL:g}x tf.nn.max_pool2d fwd+bwd",
            "measured": round(ratio_max, 3),
            "met": ratio_max <= GOAL_MAX_POOL,
        },
        {
            "goal": f"naive fft2 recipe fwd+bwd >= {GOAL_NAIVE:g}x spectral fwd+bwd",
            "measured": round(ratio_naive, 3),
            "met": ratio_naive >= GOAL_NAIVE,
        },
    ]

    shape = f"({batch},{n},{n},{channels})->({m},{m})"
    print(f"SpectralPooling2D benchmark, NHWC {shape} float32, median of {rounds} interleaved rounds (ms)")
    print(f"{'variant':<18}{'fwd':>10}{'fwd+bwd':>10}{'f+b / max':>11}")
    for name, modes in med.items():
        rel = modes["fwd+bwd"] / med["max_pool"]["fwd+bwd"]
        print(f"{name:<18}{modes['fwd']:>10.2f}{modes['fwd+bwd']:>10.2f}{rel:>10.2f}x")
    for goal in goals:
        print(f"{'MET' if goal['met'] else 'MISSED'}: {goal['goal']} (measured {goal['measured']:.2f}x)")
    if args.quick:
        print("(--quick: small batch and few rounds; the ratios are indicative only)")

    if out_path is not None:
        payload = {
            "benchmark": "bench_keras_layers",
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": " ".join([Path(sys.argv[0]).name, *(argv if argv is not None else sys.argv[1:])]),
            "quick": args.quick,
            "machine": {"cpu": cpu_model(), "cores": os.cpu_count(), "platform": platform.platform()},
            "software": {
                "python": platform.python_version(),
                "tensorflow": tf.__version__,
                "keras": keras.__version__,
                "numpy": np.__version__,
                "keras_backend": keras.backend.backend(),
            },
            "threads": args.threads,
            "shape": shape,
            "dtype": "float32",
            "rounds": rounds,
            "warmup": args.warmup,
            "median_ms": {name: {k: round(v, 4) for k, v in modes.items()} for name, modes in med.items()},
            "all_ms": {
                name: {k: [round(t * 1e3, 4) for t in v] for k, v in modes.items()} for name, modes in times.items()
            },
            "goals": goals,
        }
        write_json_atomic(out_path, payload)
        print(f"wrote {out_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
