"""Smoke tests of ``benchmarks/run.py``: every section runs end to end on tiny problems, its oracle checks catch a
wrong contender, and the JSON, text and PNG outputs are written. Timings are never asserted (machines are noisy).

Each run is a subprocess: the benchmark's thread settings and imports must not leak into the test session.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"

pytest.importorskip("torch")
pytest.importorskip("scipy")

SECTIONS = ("pool", "dropout", "nd", "steps", "overhead", "roofline", "conv", "crossover")


def _run(args: list[str], code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "backends")])}
    cmd = [sys.executable, "-c", code, *args] if code else [sys.executable, str(RUN), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT, check=False)


@pytest.fixture(scope="module")
def quick_suite(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """Every section of the suite preset, --quick, on NumPy and PyTorch."""
    stem = tmp_path_factory.mktemp("bench") / "suite"
    args = ["--preset", "suite", "--quick", "--backends", "numpy:cpu,torch:cpu", "--threads", "1", "--out", str(stem)]
    proc = _run(args)
    assert proc.returncode == 0, f"run.py failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return json.loads(stem.with_suffix(".json").read_text()), stem


def test_outputs_written(quick_suite: tuple[dict[str, Any], Path]) -> None:
    payload, stem = quick_suite
    assert payload["complete"] is True
    assert payload["checks_passed"] is True
    assert payload["failures"] == []
    assert payload["settings"]["backends"] == ["numpy:cpu", "torch:cpu"]
    for key in ("cpu_model", "cpu_count", "python", "versions", "env", "threads", "gpus"):
        assert key in payload["machine"]
    text = stem.with_suffix(".txt").read_text()
    assert "== Goals" in text
    assert "all checks passed" in text
    if importlib.util.find_spec("matplotlib") is not None:
        png = stem.with_suffix(".png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 1000
        assert payload["plot"] == "suite.png"


def test_every_section_timed_and_checked(quick_suite: tuple[dict[str, Any], Path]) -> None:
    payload, _ = quick_suite
    results = payload["results"]
    assert {r["section"] for r in results} == set(SECTIONS)
    seen = {(r["section"], r["backend"], r["variant"], r["mode"]) for r in results}
    for section, variant, mode in [
        ("pool", "spectral_pool[matmul]", "f+b"),
        ("pool", "SpectralPool2d+dropout", "f+b"),
        ("pool", "SpectralPool2d[channels_last]", "f+b"),
        ("dropout", "FrequencyDropout2d", "f+b"),
        ("nd", "max_pool1d", "f+b"),
        ("nd", "max_pool3d", "f+b"),
        ("steps", "max+FrequencyDropout2d", "step"),
        ("overhead", "SpectralPool2d+dropout", "call"),
        ("conv", "SpectralConv2d", "step"),
        ("crossover", "spectral_pool[fft]", "f+b"),
    ]:
        assert (section, "torch:cpu", variant, mode) in seen, (section, variant, mode)
    assert ("pool", "numpy:cpu", "scipy_resample", "fwd") in seen
    autos = [r for r in results if r["section"] == "pool" and r["variant"] == "spectral_pool[auto]"]
    assert {r["alias_of"] for r in autos} == {"spectral_pool[matmul]"}  # timed once, as the method it resolves to
    assert all(r["median_ms"] > 0 for r in autos)
    for r in results:
        assert "error" not in r, r
        assert r["n_samples"] >= 5, r
        assert r["q1_ms"] <= r["median_ms"] <= r["q3_ms"], r
        assert 0 < r["ratios"]["vs_ref"] < math.inf, r
        if r["role"] == "ours" and r["mode"] != "f+b":  # every output of ours met a float64 oracle
            assert r["check"]["ok"] is True, r
            assert r["check"]["max_abs_err"] is not None, r
        if r["variant"].startswith("spectral_pool[") and r["mode"] == "f+b":  # and so did every core gradient
            assert r["check"] == {**r["check"], "what": "grad_x", "ok": True}, r
    roofline = [r["ratios"] for r in results if r["section"] == "roofline"]
    rates = [ratios.get("gflop_per_s") or ratios.get("gb_per_s") for ratios in roofline]
    assert len(rates) == 6
    assert all(0 < v < math.inf for v in rates)
    peaks = [r["peak_memory"]["extra_bytes"] for r in results if r["section"] == "steps"]
    assert peaks
    assert all(p > 0 for p in peaks)


def test_goals_and_crossover(quick_suite: tuple[dict[str, Any], Path]) -> None:
    payload, _ = quick_suite
    goals = payload["goals"]
    assert {g["status"] for g in goals} <= {"MET", "MISSED", "info"}
    assert {"steps", "overhead", "dropout", "conv"} <= {g["group"].split()[0] for g in goals}
    for g in goals:
        assert math.isfinite(g["value"]), g
        if g["limit"] is not None:
            assert g["status"] == ("MET" if g["value"] <= g["limit"] else "MISSED"), g
    cross = {(c["backend"], c["mode"]): c for c in payload["crossover"]}
    assert set(cross) == {("numpy:cpu", "fwd"), ("torch:cpu", "fwd"), ("torch:cpu", "f+b")}
    for c in cross.values():
        assert set(map(int, c["fft_over_matmul"])) == {16, 32}  # JSON keys are strings
        assert c["suggested_matmul_max"] in (16, 32) or c["fft_faster_from"] == 16
        assert "auto's matmul limit" in c["text"]
        assert set(c["auto_picks"].values()) == {"matmul"}  # spectralcore.resolve_method at n = 16, 32


INJECT = """
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import backend_numpy, backend_torch, run
from contenders import FWD, Row
import spectralcore as sc

def with_wrong_rows(table):
    def patched(self, p):
        pool = lambda t: sc.spectral_pool(t, p.size)
        rows = table(self, p)
        if self.name == "numpy":
            rows.append(Row("wrong[values]", lambda t: pool(t) * 1.001, oracle="periodic", modes=FWD))
            rows.append(Row("wrong[dtype]", lambda t: pool(t.astype(np.float64)), oracle="periodic", modes=FWD))
        else:  # the right forward with a gradient 1 % too large
            rows.append(Row("wrong[grad]", lambda t: pool(t.detach() + 1.01 * (t - t.detach())), oracle="periodic"))
        return rows
    return patched

backend_numpy.NumpyBackend.table_pool = with_wrong_rows(backend_numpy.NumpyBackend.table_pool)
backend_torch.TorchBackend.table_pool = with_wrong_rows(backend_torch.TorchBackend.table_pool)
sys.exit(run.main(sys.argv[2:]))
"""


def test_oracle_catches_a_wrong_contender(tmp_path: Path) -> None:
    stem = tmp_path / "wrong"
    args = [str(ROOT / "benchmarks"), "--quick", "--sections", "pool", "--shapes", "2x3x16x16:8"]
    args += ["--backends", "numpy:cpu,torch:cpu", "--threads", "1", "--out", str(stem)]
    proc = _run(args, code=textwrap.dedent(INJECT))
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    payload = json.loads(stem.with_suffix(".json").read_text())
    failed = {(r["variant"], r["mode"]) for r in payload["results"] if (r.get("check") or {}).get("ok") is False}
    assert failed == {("wrong[values]", "fwd"), ("wrong[dtype]", "fwd"), ("wrong[grad]", "f+b")}
    assert payload["checks_passed"] is False
    assert len(payload["failures"]) == 3
    grad = next(r for r in payload["results"] if r["variant"] == "wrong[grad]" and r["mode"] == "fwd")
    assert grad["check"]["ok"] is True  # its forward is right: only the gradient oracle can catch it
    assert "FAIL: checks failed" in stem.with_suffix(".txt").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax:cpu", "tensorflow:cpu"])
def test_jit_backends(tmp_path: Path, backend: str) -> None:
    """The jitted backends on one tiny pool problem (their tracing costs seconds per contender)."""
    pytest.importorskip(backend.split(":")[0])
    stem = tmp_path / "jit"
    args = ["--quick", "--sections", "pool", "--shapes", "2x3x16x16:8", "--backends", backend]
    proc = _run([*args, "--threads", "1", "--out", str(stem)])
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    payload = json.loads(stem.with_suffix(".json").read_text())
    ours = [r for r in payload["results"] if r["role"] == "ours" and r["mode"] == "fwd"]
    assert ours
    assert all(r["check"]["ok"] for r in ours)
    assert {r["section"] for r in payload["results"]} == {"pool"}


def test_bad_arguments_exit_2() -> None:
    proc = _run(["--sections", "nosuch"])
    assert proc.returncode == 2
    assert "--sections" in proc.stderr
    proc = _run(["--shapes", "2x3x16x16:32"])
    assert proc.returncode == 2
    assert "1 <= m <= n" in proc.stderr
