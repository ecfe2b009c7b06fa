"""Smoke test of the benchmark suite (``benchmarks/suite.py --quick``): structure and correctness, never timings.

The suite runs in a subprocess (its thread settings and imports must not leak into the test session) on the
smallest inputs: one shape, a two-size crossover, NumPy and PyTorch on the CPU, plus JAX when installed.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "benchmarks" / "suite.py"

pytest.importorskip("torch")
pytest.importorskip("scipy")


def _positive_finite(value: object) -> bool:
    return isinstance(value, (int, float)) and math.isfinite(value) and value > 0


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, list[str]]:
    out = tmp_path_factory.mktemp("suite")
    backends = ["numpy:cpu", "torch:cpu"] + (["jax:cpu"] if importlib.util.find_spec("jax") else [])
    cmd = [
        sys.executable,
        str(SUITE),
        "--quick",
        "--backends",
        ",".join(backends),
        "--shapes",
        "2x3x16x16:8",
        "--crossover-sizes",
        "16",
        "32",
        "--threads",
        "1",
        "--out",
        str(out),
    ]
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env, cwd=ROOT, check=False)
    assert proc.returncode == 0, f"suite failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return json.loads((out / "suite_quick.json").read_text()), out, backends


def test_json_structure(quick_run: tuple[dict, Path, list[str]]) -> None:
    payload, _, backends = quick_run
    assert payload["schema"] == "spectralcore.suite/1"
    assert payload["complete"] is True
    assert payload["checks_passed"] is True
    assert payload["failures"] == []
    assert payload["settings"]["backends"] == backends
    machine = payload["machine"]
    for key in ("cpu_model", "cpu_count", "python", "versions", "env", "threads"):
        assert key in machine
    assert "numpy" in machine["versions"]


def test_every_cell_timed_and_checked(quick_run: tuple[dict, Path, list[str]]) -> None:
    payload, _, backends = quick_run
    results = payload["results"]
    seen = {(r["backend"], r["variant"], r["mode"]) for r in results}
    for be in backends:
        for variant in ("read_once[x.sum]", "spectral_pool[matmul]", "spectral_pool[fft]", "spectral_pool[auto]"):
            assert (be, variant, "fwd") in seen, (be, variant)
        assert (be, "lowpass[per-sample keep]", "fwd") in seen
    assert ("torch:cpu", "spectral_pool[matmul]", "fb") in seen
    assert ("torch:cpu", "spectral_to_spatial+conv2d", "fb") in seen
    assert ("numpy:cpu", "scipy_resample", "fwd") in seen
    for r in results:
        assert "error" not in r, r
        assert r["n_samples"] >= 5
        assert _positive_finite(r["median_ms"])
        assert r["q1_ms"] <= r["median_ms"] <= r["q3_ms"]
        if r["role"] == "ours" and r["mode"] == "fwd":  # every spectral output was compared with the oracle
            assert r["check"]["ok"] is True, r
            assert r["check"]["max_abs_err"] is not None
        if r["variant"].startswith(("spectral_pool[", "lowpass[")):  # and so was every core gradient
            assert r["check"]["ok"] is True, r
        if r.get("check") is not None:
            assert r["check"]["ok"] is not False, r


def test_ratios_positive_finite(quick_run: tuple[dict, Path, list[str]]) -> None:
    payload, _, _ = quick_run
    for r in payload["results"]:
        ratios = r["ratios"]
        assert _positive_finite(ratios["vs_max_pool2d"]), r
        if r["mode"] == "fwd":
            assert _positive_finite(ratios["vs_read_once"]), r
        if r["role"] == "ours" and r["op"] == "pool":
            assert _positive_finite(ratios["speedup_vs_naive_fft2"]), r
    goals = payload["goals"]
    assert goals, "no goal row for torch:cpu"
    assert {g["status"] for g in goals} <= {"MET", "MISSED"}


def test_crossover_and_plot(quick_run: tuple[dict, Path, list[str]]) -> None:
    payload, out, backends = quick_run
    cross = payload["auto_crossover"]
    assert {r["backend"] for r in cross["rows"]} == set(backends)
    for row in cross["rows"]:
        assert "error" not in row, row
        assert row["auto_picks"] in ("matmul", "fft")
        assert row["faster_fwd"] in ("matmul", "fft")
        assert row["max_rel_diff_matmul_fft"] < 1e-4
    assert cross["conclusions"]
    png = out / "suite_quick.png"
    if importlib.util.find_spec("matplotlib") is not None:
        assert png.exists()
        assert png.stat().st_size > 1000
        assert payload["plot"] == "suite_quick.png"
