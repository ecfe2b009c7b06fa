"""The training harness and experiments 2 and 3 at a tiny scale, on the real Fashion-MNIST files.

Facts checked: the CLI documents every option; the loss goes down; a spectral twin under plain SGD follows its
spatial net's trajectory (an orthogonal change of variables) while Adam's differs; a run killed with SIGKILL and
resumed reproduces the uninterrupted run's metrics exactly; checkpoints and result files are never half-written.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from spectralcore_experiments import atomic, cli, convergence, splits, training  # noqa: E402
from spectralcore_experiments.checkpoints import CheckpointError  # noqa: E402
from spectralcore_experiments.datasets import DatasetError  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FASHION_DIR = Path(os.environ.get("SPECTRALCORE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))


@pytest.fixture(scope="module", autouse=True)
def _fashion_mnist_present() -> None:
    """Skip without the data, unless the environment says it must be there (CI does: then a miss fails)."""
    if not (FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists():
        if "fashion-mnist" in os.environ.get("SPECTRALCORE_REQUIRE_DATA", ""):
            pytest.fail(f"Fashion-MNIST is required (SPECTRALCORE_REQUIRE_DATA) but missing in {FASHION_DIR}")
        pytest.skip(f"Fashion-MNIST not installed in {FASHION_DIR} (apt-get install dataset-fashion-mnist)")


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "spectralcore_experiments", *args, "--threads", "1", "--no-progress"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_metrics(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def without_time(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{key: value for key, value in row.items() if key != "seconds"} for row in rows]


def parse(*args: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(list(args))


# ---------------------------------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------------------------------


def test_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    parser = cli.build_parser()
    undocumented = [
        action.option_strings
        for action in parser._actions
        if action.option_strings and action.help in (None, "", argparse.SUPPRESS) and action.dest != "help"
    ]
    assert undocumented == []
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--scale", "--resume", "--device", "--cifar-dir", "--conv-augment", "--cls-gamma", "--info-"):
        assert option in text
    for name in ("info", "convergence", "classify", "all"):
        assert f"  {name} " in text


def test_missing_dataset_is_a_clear_error(tmp_path: Path) -> None:
    args = parse("classify", "--scale", "tiny", "--fashion-mnist-dir", str(tmp_path / "nowhere"))
    with pytest.raises(DatasetError, match="dataset-fashion-mnist"):
        splits.load_split(args, "fashion-mnist", train_count=10, test_count=10, device=torch.device("cpu"))


# ---------------------------------------------------------------------------------------------------------------
# Speed-up definition
# ---------------------------------------------------------------------------------------------------------------


def test_speedup_follows_the_papers_definition() -> None:
    spatial = [0.9, 0.5, 0.4, 0.3, 0.3, 0.35]  # best 0.3, first reached at epoch 4
    spectral = [0.8, 0.3, 0.2, 0.2, 0.2, 0.2]  # reaches 0.3 at epoch 2
    assert convergence.speedup(spatial, spectral) == {
        "best_error": 0.3,
        "spatial_epoch": 4,
        "spectral_epoch": 2,
        "speedup": 2.0,
    }
    never = convergence.speedup(spatial, [0.9] * 6)
    assert never["spectral_epoch"] is None
    assert never["speedup"] is None
    assert convergence.speedup([0.5, 0.4], [0.6, 0.45])["speedup"] is None
    assert convergence.speedup([0.5, 0.4], [0.4, 0.1])["speedup"] == 2.0


# ---------------------------------------------------------------------------------------------------------------
# Training facts on real data
# ---------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def split() -> splits.Split:
    args = parse("convergence", "--scale", "tiny")
    return splits.load_split(args, "fashion-mnist", train_count=256, test_count=256, device=torch.device("cpu"))


def tiny_net(kind: str, split: splits.Split, seed: int) -> torch.nn.Module:
    from spectralcore_torch import models

    torch.manual_seed(seed)
    size = {} if kind == "deep" else {"input_size": 28}
    return models.build_model(kind, in_channels=1, num_classes=10, kernel_size=5, width=1 / 16, **size)


def test_split_is_normalised_with_training_statistics(split: splits.Split) -> None:
    assert split.train.images.shape == (256, 1, 28, 28)
    assert split.train.images.dtype == torch.float32
    assert abs(float(split.train.images.mean())) < 1e-4
    assert float(split.train.images.std()) == pytest.approx(1.0, abs=1e-3)
    assert split.describe()["train_available"] == 60000
    assert set(split.train.labels.tolist()) <= set(range(10))


def test_training_lowers_the_loss(split: splits.Split, tmp_path: Path) -> None:
    model = tiny_net("generic", split, 0)
    config = training.TrainConfig(epochs=3, batch_size=32, optimizer="adam", lr=3e-3, seed=0, train_eval_size=256)
    before, _ = training.evaluate(model, split.train)
    history = training.train(model, split.train, split.test, config, tmp_path, progress=False)
    assert len(history.rows) == 3
    assert history.rows[-1]["train_loss"] < 0.8 * before
    assert history.rows[-1]["train_error"] < 0.6  # chance is 0.9


def test_spectral_twin_follows_sgd_but_not_adam(split: splits.Split, tmp_path: Path) -> None:
    """Under SGD (no momentum, no decay) the spectral map is orthogonal, so both nets stay the same function."""
    from spectralcore_torch import models

    spatial = tiny_net("deep", split, 3)
    spectral = models.with_parameterization(spatial, "spectral")
    x = split.test.images[:64]
    torch.testing.assert_close(spectral(x), spatial(x), rtol=1e-4, atol=1e-5)

    def trained(model: torch.nn.Module, optimizer: str, folder: str) -> training.History:
        config = training.TrainConfig(epochs=2, batch_size=64, optimizer=optimizer, lr=0.05, momentum=0.0, seed=1)
        return training.train(model, split.train, split.test, config, tmp_path / folder, progress=False)

    import copy

    sgd_spatial = trained(copy.deepcopy(spatial), "sgd", "a")
    sgd_spectral = trained(copy.deepcopy(spectral), "sgd", "b")
    np.testing.assert_allclose(sgd_spectral.column("train_loss"), sgd_spatial.column("train_loss"), rtol=1e-4)
    np.testing.assert_allclose(sgd_spectral.column("test_loss"), sgd_spatial.column("test_loss"), rtol=1e-4)
    config = training.TrainConfig(epochs=1, batch_size=64, optimizer="adam", lr=3e-3, seed=1)
    adam_spatial = training.train(
        copy.deepcopy(spatial), split.train, split.test, config, tmp_path / "c", progress=False
    )
    adam_spectral = training.train(
        copy.deepcopy(spectral), split.train, split.test, config, tmp_path / "d", progress=False
    )
    assert abs(adam_spectral.rows[0]["test_loss"] - adam_spatial.rows[0]["test_loss"]) > 1e-4


def test_augmentation_translates_and_flips(split: splits.Split) -> None:
    config = training.TrainConfig(epochs=1, augment=True, translate=2, flip=True)
    x = split.train.images[:32]
    out = training._augment(x, config, torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    # Every augmented image is its original shifted by at most 2 px, possibly mirrored, with zeros shifted in.
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    for i in range(32):
        matches = [
            (dy, dx, flip)
            for dy in range(5)
            for dx in range(5)
            for flip in (False, True)
            if torch.equal(out[i], (lambda w: w.flip(-1) if flip else w)(padded[i, :, dy : dy + 28, dx : dx + 28]))
        ]
        assert matches, f"image {i} is not a shifted/flipped copy"
    again = training._augment(x, config, torch.Generator().manual_seed(0))
    assert torch.equal(out, again)


# ---------------------------------------------------------------------------------------------------------------
# Checkpoints and --resume
# ---------------------------------------------------------------------------------------------------------------

RESUME_ARGS = [
    "classify",
    "--scale",
    "tiny",
    "--cls-configs",
    "spectral+fd",
    "--cls-epochs",
    "5",
    "--cls-train-size",
    "2048",
    "--cls-test-size",
    "500",
]


def test_resume_after_sigkill_reproduces_the_uninterrupted_run(tmp_path: Path) -> None:
    """Kill a real run with SIGKILL part-way (at a random moment of an epoch), resume it, compare every metric."""
    reference = run_cli(*RESUME_ARGS, "--out", str(tmp_path / "reference"))
    assert reference.returncode == 0, reference.stderr
    run_name = "fashion-mnist-spectral+fd-s0"
    expected = read_metrics(tmp_path / "reference" / "classify" / "runs" / run_name / "metrics.csv")
    assert len(expected) == 5
    epoch_seconds = float(np.median([float(row["seconds"]) for row in expected]))

    out = tmp_path / "killed"
    metrics = out / "classify" / "runs" / run_name / "metrics.csv"
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spectralcore_experiments",
            *RESUME_ARGS,
            "--out",
            str(out),
            "--threads",
            "1",
            "--no-progress",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (metrics.exists() and len(read_metrics(metrics)) >= 2):
            assert process.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        # Somewhere inside the third epoch: mid-batch, maybe mid-write of a file.
        time.sleep(float(np.random.default_rng().uniform(0.1, 0.9)) * epoch_seconds)
        assert process.poll() is None, "the run finished before the kill: make it longer"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    done = len(read_metrics(metrics))
    assert 2 <= done < 5
    assert without_time(read_metrics(metrics)) == without_time(expected[:done])
    # Nothing half-written is left behind: only complete files, no temporaries.
    run_dir = metrics.parent
    assert sorted(p.name for p in run_dir.iterdir()) == ["checkpoint.pt", "metrics.csv", "metrics.json"]

    resumed = run_cli(*RESUME_ARGS, "--out", str(out), "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed after epoch {done}" in resumed.stdout
    assert without_time(read_metrics(metrics)) == without_time(expected)
    with open(run_dir / "metrics.json", encoding="utf-8") as handle:
        assert len(json.load(handle)["epochs"]) == 5

    # Resuming a finished run trains nothing and changes nothing.
    again = run_cli(*RESUME_ARGS, "--out", str(out), "--resume")
    assert again.returncode == 0, again.stderr
    assert "epoch 1/5" not in again.stdout
    assert without_time(read_metrics(metrics)) == without_time(expected)


def test_resume_with_other_settings_is_refused(split: splits.Split, tmp_path: Path) -> None:
    model = tiny_net("generic", split, 0)
    config = training.TrainConfig(epochs=1, batch_size=64, lr=1e-3, seed=0)
    training.train(model, split.train, split.test, config, tmp_path, progress=False)
    other = training.TrainConfig(epochs=1, batch_size=64, lr=2e-3, seed=0)
    with pytest.raises(CheckpointError, match=r"different settings.*'lr': \(0\.001, 0\.002\)"):
        training.train(tiny_net("generic", split, 0), split.train, split.test, other, tmp_path, resume=True)


def test_checkpoint_write_is_atomic(tmp_path: Path) -> None:
    target = tmp_path / "result.json"
    atomic.write_json(target, {"complete": True})

    def fail_half_way(handle: object) -> None:
        handle.write(b'{"complete": fal')  # type: ignore[attr-defined]
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic.atomic_write(target, fail_half_way)
    assert json.loads(target.read_text()) == {"complete": True}
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_bad_train_config_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"TrainConfig.optimizer must be 'adam' or 'sgd', got 'rmsprop'"):
        training.TrainConfig(epochs=1, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"TrainConfig\.epochs"):
        training.TrainConfig(epochs=0)


# ---------------------------------------------------------------------------------------------------------------
# The experiments end to end, tiny scale
# ---------------------------------------------------------------------------------------------------------------


def test_all_experiments_write_a_report(tmp_path: Path) -> None:
    result = run_cli(
        "all",
        "--scale",
        "tiny",
        "--out",
        str(tmp_path),
        "--conv-nets",
        "generic",
        "spectral_pool",
        "--conv-kernels",
        "3",
        "--conv-seeds",
        "2",
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = (tmp_path / "report.md").read_text()
    for section in ("Experiment 1", "Experiment 2", "Experiment 3", "What the paper reported", "## Learned strides"):
        assert section in report
    # Every figure the report shows exists.
    import re

    figures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)
    assert len(figures) >= 5
    for figure in figures:
        assert (tmp_path / figure).stat().st_size > 10_000, figure
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary["results"]) == {"info", "convergence", "classify", "strides"}

    conv = summary["results"]["convergence"]
    assert len(conv["runs"]) == 2 * 1 * 2 * 2  # nets x kernels x seeds x parameterizations
    for row in conv["runs"]:
        assert row["train_loss"][-1] < row["train_loss"][0] or row["train_error"][-1] < row["train_error"][0]
    for spatial in (r for r in conv["runs"] if r["parameterization"] == "spatial"):
        twin = next(
            r
            for r in conv["runs"]
            if r["parameterization"] == "spectral"
            and (r["net"], r["kernel"], r["seed_index"]) == (spatial["net"], spatial["kernel"], spatial["seed_index"])
        )
        assert twin["parameters"] == spatial["parameters"]  # exactly k*k reals per filter

    cls = summary["results"]["classify"]
    assert [row["config"] for row in cls["summary"]] == ["spectral+fd", "spectral", "max+fd", "max"]
    for run in cls["runs"]:
        assert len(run["test_error"]) == cls["settings"]["epochs"]
        # Well below chance (0.9) on 256 real test images after 3 short epochs.
        assert 0.0 <= min(run["test_error"]) < 0.8
    assert len({r["parameters"] for r in cls["runs"]}) == 1  # max and spectral nets have the same parameters

    # Rerunning one experiment refreshes its section and keeps the others.
    again = run_cli("info", "--scale", "tiny", "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "Experiment 2" in (tmp_path / "report.md").read_text()


def test_paper_scale_builds_the_full_nets(tmp_path: Path) -> None:
    """The paper preset (meant for a GPU) runs end to end on a few images: full widths, M = 6, all settings kept."""
    result = run_cli(
        "classify",
        "--scale",
        "paper",
        "--out",
        str(tmp_path),
        "--cls-configs",
        "spectral+fd",
        "--cls-epochs",
        "1",
        "--cls-train-size",
        "32",
        "--cls-test-size",
        "32",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    cls = json.loads((tmp_path / "classify" / "classify.json").read_text())
    assert cls["settings"]["width"] == 1.0
    assert cls["settings"]["stages"] == 6
    assert (cls["settings"]["lr"], cls["settings"]["momentum"]) == (0.0088, 0.95)
    (run,) = cls["runs"]
    assert [h for h, _ in run["stage_sizes"]] == [23, 19, 16, 13, 11, 9]  # floor(0.85 * n), from 28
    # Filters 128, 160, ..., 288 (3x3), a 1x1 conv with 288 and a 1x1 classifier, all with biases.
    filters = [128, 160, 192, 224, 256, 288]
    expected = sum(c_in * c_out * 9 + c_out for c_in, c_out in zip([1, *filters[:-1]], filters, strict=True))
    expected += 288 * 288 + 288 + 288 * 10 + 10
    assert run["parameters"] == expected


def test_cifar_copy_flows_through_every_experiment(tmp_path: Path) -> None:
    """A CIFAR-10 "python version" folder, written in the exact format, is used by all three experiments."""
    from test_experiments_datasets import write_cifar10_python

    cifar = tmp_path / "cifar-10-batches-py"
    expected = write_cifar10_python(cifar)
    out = tmp_path / "report"
    result = run_cli(
        "all",
        "--scale",
        "tiny",
        "--out",
        str(out),
        "--cifar-dir",
        str(cifar),
        "--no-verify",  # miniature files cannot match the official checksums
        "--info-images",
        "4",
        "--conv-nets",
        "generic",
        "--conv-kernels",
        "3",
        "--conv-seeds",
        "1",
        "--conv-epochs",
        "2",
        "--cls-dataset",
        "cifar",
        "--cls-configs",
        "spectral+fd",
        "--cls-epochs",
        "1",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert "cifar" in summary["results"]["info"]["datasets"]
    conv = summary["results"]["convergence"]
    assert conv["data"]["dataset"] == "cifar10"  # experiment 2 trains on CIFAR when it is given, as the paper
    assert conv["data"]["image"] == [3, 32, 32]
    assert conv["data"]["train_examples"] == len(expected["train"][1])
    (run,) = summary["results"]["classify"]["runs"]
    assert run["dataset"] == "cifar10"
    assert [h for h, _ in run["stage_sizes"]] == [27, 22, 18]  # floor(0.85 n) from 32
    assert "CIFAR-10" in (out / "report.md").read_text()

    # Without --no-verify the miniature copy fails the checksum, with a message that says what to do.
    refused = run_cli("classify", "--scale", "tiny", "--out", str(out), "--cifar-dir", str(cifar))
    assert refused.returncode != 0
    assert refused.returncode == 2
    assert "error:" in refused.stderr
    assert "MD5" in refused.stderr
    assert "--no-verify" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_diverging_loss_stops_the_run_with_advice(split: splits.Split, tmp_path: Path) -> None:
    config = training.TrainConfig(epochs=2, batch_size=32, optimizer="sgd", lr=1e8, momentum=0.0, seed=0)
    with pytest.raises(FloatingPointError, match="lower the learning rate"):
        training.train(tiny_net("generic", split, 0), split.train, split.test, config, tmp_path, progress=False)
    assert not (tmp_path / "checkpoint.pt").exists()  # nothing is saved from a diverged epoch
