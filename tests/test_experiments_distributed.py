"""Multi-process training under torchrun: 2 gloo processes compute what 1 process computes; rank 0 alone writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from spectralcore_experiments import distributed, training
from spectralcore_experiments.options import OptionError

ROOT = Path(__file__).resolve().parents[1]
FASHION_DIR = Path(os.environ.get("SPECTRALCORE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
# No frequency dropout: its masks are drawn per rank, so only a net without randomness can match exactly.
ARGV = [
    "classify",
    "--scale",
    "tiny",
    "--cls-configs",
    "spectral",
    "--cls-epochs",
    "2",
    "--cls-train-size",
    "96",
    "--cls-test-size",
    "64",
    "--threads",
    "1",
    "--no-verify",
    "--no-progress",
    "--fashion-mnist-dir",
    str(FASHION_DIR),
]
CURVES = ("train_loss", "train_error", "test_loss", "test_error")


def run(prefix: list[str], out: Path) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "backends"), environment.get("PYTHONPATH", "")])
    environment["MPLBACKEND"] = "Agg"
    return subprocess.run(
        [sys.executable, *prefix, "-m", "spectralcore_experiments", *ARGV, "--out", str(out)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def test_two_gloo_processes_match_one_process(tmp_path: Path) -> None:
    if not (FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists():
        pytest.skip(f"Fashion-MNIST not installed in {FASHION_DIR}")
    one = run([], tmp_path / "one")
    assert one.returncode == 0, one.stderr[-3000:]
    torchrun = ["-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"]
    two = run(torchrun, tmp_path / "two")
    assert two.returncode == 0, two.stderr[-3000:]
    # Exactly one report: rank 1 writes nothing and says nothing of it.
    assert two.stdout.count("report: ") == 1
    assert (tmp_path / "two" / "report.md").exists()
    assert not list((tmp_path / "two").rglob("*.tmp"))
    first = json.loads((tmp_path / "one" / "classify" / "classify.json").read_text())["runs"][0]
    second = json.loads((tmp_path / "two" / "classify" / "classify.json").read_text())["runs"][0]
    for key in CURVES:
        assert second[key] == pytest.approx(first[key], rel=1e-5, abs=1e-6), key


def test_world_size_that_does_not_divide_the_batch_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(distributed, "_CONTEXT", distributed.Context(rank=0, world_size=3))
    data = training.ImageSet(torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.int64))
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))
    with pytest.raises(OptionError, match="world size 3 does not divide the batch size 32"):
        training.train(model, data, data, training.TrainConfig(epochs=1, batch_size=32), tmp_path, progress=False)
    assert not (tmp_path / "checkpoint.pt").exists()


def test_one_process_seeds_are_unchanged_and_ranks_differ() -> None:
    # Rank 0 draws what a one-process run always drew (old checkpoints resume exactly); other ranks their own.
    old = int(np.random.SeedSequence([5, 2, 1]).generate_state(1, dtype=np.uint64)[0] >> 1)
    assert training.epoch_seed(5, 2, 1) == training.epoch_seed(5, 2, 1, 0) == old
    assert training.epoch_seed(5, 2, 1, 1) != training.epoch_seed(5, 2, 1, 0)
