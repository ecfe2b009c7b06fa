"""The command line fails fast and clearly: every user error ends in one message and exit status 2, Ctrl-C in one
line and exit status 130, and nothing has run (or been written) when an option is wrong.

Most cases call ``cli.main`` in-process (an exception escaping it would be the traceback a user sees); a few run
``python -m spectralcore_experiments`` for real, to check the exit status and stderr end to end.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from spectralcore_experiments import cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FASHION_DIR = Path(os.environ.get("SPECTRALCORE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))
PROG = "python -m spectralcore_experiments"
# A classification run that takes a second or two: one configuration, a few images, one epoch.
SMALL_RUN = [
    "classify",
    "--scale",
    "tiny",
    "--cls-configs",
    "spectral+fd",
    "--cls-train-size",
    "64",
    "--cls-test-size",
    "64",
    "--cls-epochs",
    "1",
    "--no-progress",
]
RUN_NAME = "fashion-mnist-spectral+fd-s0"


def require_fashion() -> None:
    """Skip without the data, unless the environment says it must be there (CI does: then a miss fails)."""
    if not (FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists():
        if "fashion-mnist" in os.environ.get("SPECTRALCORE_REQUIRE_DATA", ""):
            pytest.fail(f"Fashion-MNIST is required (SPECTRALCORE_REQUIRE_DATA) but missing in {FASHION_DIR}")
        pytest.skip(f"Fashion-MNIST not installed in {FASHION_DIR} (apt-get install dataset-fashion-mnist)")


def main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """``cli.main(argv)``: its exit status and its stderr."""
    status = cli.main(list(argv))
    return status, capsys.readouterr().err


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


# ---------------------------------------------------------------------------------------------------------------
# Options: checked before anything runs
# ---------------------------------------------------------------------------------------------------------------
BAD_OPTIONS = [
    (["all", "--cls-gamma", "1.5"], "--cls-gamma: expected a number in (0, 1], got 1.5"),
    (["all", "--cls-gamma", "0.01"], "--cls-stages 3 with --cls-gamma 0.01: the net does not fit the 28×28 images"),
    (["classify", "--cls-stages", "60"], "--cls-stages 60 with --cls-gamma 0.85: the net does not fit"),
    (["classify", "--cls-lr", "inf"], "--cls-lr: expected a positive finite number, got inf"),
    (["classify", "--cls-lr", "nan"], "--cls-lr: expected a positive finite number, got nan"),
    (["classify", "--cls-weight-decay", "inf"], "--cls-weight-decay: expected a finite number >= 0"),
    (["classify", "--cls-momentum", "1"], "--cls-momentum: expected a number in [0, 1)"),
    (["classify", "--cls-width", "0"], "--cls-width"),
    (["classify", "--cls-dataset", "cifar"], "needs --cifar-dir"),
    (["convergence", "--conv-width", "inf"], "--conv-width: expected a width multiplier in (0, 4], got inf"),
    (["convergence", "--conv-kernels", "4"], "--conv-kernels: expected odd sizes"),
    (["convergence", "--conv-kernels", "99"], "--conv-kernels: expected odd sizes in [1, 15], got 99"),
    (["convergence", "--conv-epochs", "1"], "--conv-epochs: expected an integer in [2, 10000], got 1"),
    (["convergence", "--conv-lr", "-1"], "--conv-lr"),
    (["convergence", "--conv-dataset", "cifar"], "needs --cifar-dir"),
    (["info", "--info-crops", "0"], "--info-crops"),
    (["all", "--device", "meta"], "--device meta: expected cpu, cuda, cuda:N or mps"),
    (["all", "--device", "nonsense"], "--device: expected a torch device"),
    (["all", "--seed", "-1"], "--seed: expected an integer in [0, 2**63 - 1], got -1"),
    (["all", "--threads", "0"], "--threads: expected an integer in [1, 1024], got 0"),
    (["all", "--cifar-dir", "/no/such/cifar"], "--cifar-dir: expected a local CIFAR-10/100 copy"),
    (["all", "--fashion-mnist-dir", "/no/such/folder"], "--fashion-mnist-dir: expected a folder"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_OPTIONS, ids=[" ".join(argv) for argv, _ in BAD_OPTIONS])
def test_bad_option_fails_before_anything_runs(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    status, stderr = main(capsys, *argv, "--scale", "tiny", "--out", str(out))
    assert status == 2
    line = one_error_line(stderr)
    assert line.startswith(f"{PROG}: error: ")
    assert message in line
    assert not out.exists()  # nothing ran: not even the report folder was made


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_cuda_without_a_gpu_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, stderr = main(capsys, "classify", "--device", "cuda", "--out", str(tmp_path / "report"))
    assert status == 2
    assert "--device cuda: this torch build" in one_error_line(stderr)
    assert "sees no CUDA device" in stderr


def test_out_must_be_a_writable_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "hostname"
    a_file.write_text("not a folder\n")
    status, stderr = main(capsys, "info", "--scale", "tiny", "--out", str(a_file))
    assert (status, a_file.read_text()) == (2, "not a folder\n")
    assert f"--out: expected a report folder, got '{a_file}', which is a file" in one_error_line(stderr)
    status, stderr = main(capsys, "info", "--scale", "tiny", "--out", str(a_file / "below"))
    assert status == 2
    assert "--out: cannot write a report folder at" in one_error_line(stderr)
    if Path("/proc/self").is_dir():  # procfs refuses new folders, even to root
        status, stderr = main(capsys, "info", "--scale", "tiny", "--out", "/proc/x")
        assert status == 2
        assert "--out: cannot write a report folder at '/proc/x'" in one_error_line(stderr)


def test_bad_option_end_to_end_has_no_traceback(tmp_path: Path) -> None:
    """The real command: ``all --cls-gamma 1.5`` stops at once, before experiments 1 and 2, with exit status 2."""
    out = tmp_path / "report"
    result = subprocess.run(
        [sys.executable, "-m", "spectralcore_experiments", "all", "--cls-gamma", "1.5", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert one_error_line(result.stderr) == f"{PROG}: error: --cls-gamma: expected a number in (0, 1], got 1.5"
    assert result.stdout == ""
    assert not out.exists()


# ---------------------------------------------------------------------------------------------------------------
# --resume: every damaged checkpoint is named, with what is wrong
# ---------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report folder of one finished small classification run (real checkpoint)."""
    require_fashion()
    out = tmp_path_factory.mktemp("finished")
    assert cli.main([*SMALL_RUN, "--out", str(out)]) == 0
    return out


class _Payload:
    """Pickles as a call to ``func(*args)``: what a malicious checkpoint would contain."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, ...]:
        return self.func, self.args


def _damage(kind: str, checkpoint: Path, marker: Path) -> None:
    if kind == "truncated":
        checkpoint.write_bytes(checkpoint.read_bytes()[: checkpoint.stat().st_size // 2])
    elif kind == "random":
        checkpoint.write_bytes(os.urandom(4096))
    elif kind == "tensor":
        torch.save(torch.zeros(3), checkpoint)
    elif kind == "code":  # weights_only loading refuses to call anything
        checkpoint.write_bytes(pickle.dumps({"model": _Payload(os.system, f"touch {marker}")}, protocol=2))
    else:
        state = torch.load(checkpoint, weights_only=True)
        if kind == "no-model":
            del state["model"]
        elif kind == "long-history":
            row = state["history"][0]
            state["history"] = [{**row, "epoch": epoch} for epoch in range(1, 121)]
            state["epoch"] = 120
        elif kind == "other-weights":
            state["model"] = {"conv1.weight": torch.zeros(1)}
        torch.save(state, checkpoint)


RESUME_FAILURES = [
    ("truncated", "it is not a readable checkpoint"),
    ("random", "it is not a readable checkpoint"),
    ("tensor", "it holds a Tensor, not the dict of a training run"),
    ("code", "it is not a readable checkpoint"),
    ("no-model", "it has no 'model' entry"),
    ("long-history", "its history holds 120 epochs, more than the 1 of this run"),
    ("other-weights", "its weights do not fit the model"),
]


@pytest.mark.parametrize(("kind", "problem"), RESUME_FAILURES, ids=[kind for kind, _ in RESUME_FAILURES])
def test_resume_from_a_damaged_checkpoint_names_the_file(
    kind: str, problem: str, finished_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    out = tmp_path / "report"
    shutil.copytree(finished_run, out)
    checkpoint = out / "classify" / "runs" / RUN_NAME / "checkpoint.pt"
    marker = tmp_path / "pwned"
    _damage(kind, checkpoint, marker)
    status, stderr = main(capsys, *SMALL_RUN, "--out", str(out), "--resume")
    assert status == 2
    line = one_error_line(stderr)
    assert line.startswith(f"{PROG} classify: error: --resume: cannot continue from checkpoint {checkpoint}: ")
    assert problem in line
    assert "Delete it" in line
    assert not marker.exists()
    assert not [p.name for p in checkpoint.parent.iterdir() if p.name.startswith(".")]  # no temporaries left


def test_resume_of_a_finished_run_is_a_no_op(finished_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    metrics = finished_run / "classify" / "runs" / RUN_NAME / "metrics.csv"
    before = metrics.read_text()
    status, _ = main(capsys, *SMALL_RUN, "--out", str(finished_run), "--resume")
    assert status == 0
    assert metrics.read_text() == before


def test_diverging_run_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_fashion()
    status, stderr = main(capsys, *SMALL_RUN, "--cls-lr", "1e12", "--out", str(tmp_path))
    assert status == 2
    assert "lower the learning rate" in one_error_line(stderr)


# ---------------------------------------------------------------------------------------------------------------
# Ctrl-C
# ---------------------------------------------------------------------------------------------------------------
def test_ctrl_c_ends_with_one_line_and_status_130(tmp_path: Path) -> None:
    require_fashion()
    out = tmp_path / "report"
    run_dir = out / "classify" / "runs" / RUN_NAME
    argv = [*SMALL_RUN, "--cls-epochs", "200", "--out", str(out), "--threads", "1"]
    process = subprocess.Popen(
        [sys.executable, "-m", "spectralcore_experiments", *argv],
        cwd=ROOT,
        env={**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (run_dir / "checkpoint.pt").exists():
            assert process.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    line = one_error_line(stderr)
    assert line.startswith(f"{PROG}: interrupted")
    assert "--resume" in line
    # Nothing half-written: only complete files, no temporaries.
    assert sorted(p.name for p in run_dir.iterdir()) == ["checkpoint.pt", "metrics.csv", "metrics.json"]


def test_missing_extra_is_a_message_not_a_traceback() -> None:
    """Without torch (the [experiments] extra not installed), the command says what to install."""
    code = (
        "import runpy, sys; sys.modules['torch'] = None; "  # None in sys.modules makes `import torch` fail
        "runpy.run_module('spectralcore_experiments', run_name='__main__')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert line == (
        f"{PROG}: error: torch is not installed; the reproduction needs the [experiments] extra: "
        "pip install 'spectralcore[experiments]'"
    )


def test_cifar_label_that_the_copy_lacks_is_a_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from test_experiments_datasets import write_cifar10_python

    cifar = tmp_path / "cifar-10-batches-py"
    write_cifar10_python(cifar)
    argv = ["classify", "--cls-dataset", "cifar", "--cifar-dir", str(cifar), "--cifar-label", "coarse"]
    status, stderr = main(capsys, *argv, "--no-verify", "--out", str(tmp_path / "report"))
    assert status == 2
    line = one_error_line(stderr)
    assert "label='coarse' applies to CIFAR-100 only" in line
    assert "--cifar-label fine" in line
