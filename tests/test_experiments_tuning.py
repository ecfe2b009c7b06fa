"""The hyper-parameter search (``tune``): shared studies, resume, masked passwords, damaged storage, dead workers.

Every search here is tiny (a 1/16-width net with one or two stages, 160 training images, 1-2 epochs, a few TPE
trials); the facts checked are about the study, not about the numbers: each trial recorded exactly once by
whichever worker ran it, a rerun continuing the study, a killed worker's trial failed and replaced.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import _postgres
import pytest

from spectralcore_experiments import cli, tuning

optuna = pytest.importorskip("optuna")

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "pw-n0t-for-files"  # the one in _postgres' URL
FASHION_DIR = Path(os.environ.get("SPECTRALCORE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist"))


def require_fashion() -> None:
    """Skip without Fashion-MNIST, unless ``SPECTRALCORE_REQUIRE_DATA`` promised it."""
    if not (FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists():
        if "fashion-mnist" in os.environ.get("SPECTRALCORE_REQUIRE_DATA", ""):
            pytest.fail(f"Fashion-MNIST is required (SPECTRALCORE_REQUIRE_DATA) but missing in {FASHION_DIR}")
        pytest.skip(f"Fashion-MNIST not installed in {FASHION_DIR} (apt-get install dataset-fashion-mnist)")


def tune_argv(out: Path, *extra: str) -> list[str]:
    return [
        "tune",
        "--scale",
        "tiny",
        "--threads",
        "1",
        "--no-progress",
        "--no-verify",
        "--fashion-mnist-dir",
        str(FASHION_DIR),
        "--tune-sampler",
        "tpe",
        "--tune-train-size",
        "160",
        "--tune-test-size",
        "64",
        "--tune-max-stages",
        "2",
        "--out",
        str(out),
        *extra,
    ]


def env(**extra: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != tuning.STORAGE_ENV}
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "backends"), environment.get("PYTHONPATH", "")])
    environment["MPLBACKEND"] = "Agg"
    return {**environment, **extra}


def run_cli(argv: list[str], environment: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process (subprocess.run kills it if the timeout passes)."""
    return subprocess.run(
        [sys.executable, "-m", "spectralcore_experiments", *argv],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def journal_study(out: Path, name: str) -> Any:
    storage = optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(out / "tune" / "study.journal"))
    )
    return optuna.load_study(study_name=name, storage=storage)


def assert_each_trial_once(study: Any, wanted: int, workers: int) -> None:
    """Numbers 0..n-1, each once; as many counted trials as wanted (a race may add one per extra worker)."""
    numbers = [trial.number for trial in study.get_trials(deepcopy=False)]
    assert sorted(numbers) == list(range(len(numbers)))
    ids = [trial._trial_id for trial in study.get_trials(deepcopy=False)]
    assert len(set(ids)) == len(ids)
    counted = [t for t in study.get_trials(deepcopy=False) if t.state.name in ("COMPLETE", "PRUNED")]
    assert wanted <= len(counted) <= wanted + workers - 1
    for trial in counted:
        assert trial.user_attrs["worker"].rpartition(":")[2].isdigit()
        if trial.state.name == "COMPLETE":
            # The objective is the last reported validation error: the value is one of the trial's own reports.
            assert trial.value == trial.intermediate_values[max(trial.intermediate_values)]


def files_under(folder: Path) -> Iterator[Path]:
    return (path for path in folder.rglob("*") if path.is_file())


@pytest.fixture(scope="module")
def journal_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Two worker processes sharing one journal study of 4 trials."""
    require_fashion()
    out = tmp_path_factory.mktemp("tune-journal")
    result = run_cli(tune_argv(out, "--tune-workers", "2", "--tune-trials", "4", "--tune-epochs", "2"), env())
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_two_workers_share_one_journal_study(journal_run: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = journal_run
    study = journal_study(out, "spectralcore-fashion-mnist-tiny")
    assert_each_trial_once(study, wanted=4, workers=2)
    saved = json.loads((out / "tune" / "tune.json").read_text())
    # The result lists exactly the study's trials, and its best is the study's.
    assert [t["number"] for t in saved["trials"]] == [t.number for t in study.trials]
    assert saved["best"]["number"] == study.best_trial.number
    assert saved["best"]["validation_error"] == study.best_value
    assert 0 <= saved["retrain"]["test_error"] <= 1
    assert saved["storage_kind"] == "journal"
    assert (out / "tune" / saved["figures"]["history"]).stat().st_size > 0
    report = (out / "report.md").read_text()
    assert "Hyper-parameter search" in report
    assert "0.0088" in report


def test_rerun_continues_the_study(
    journal_run: tuple[Path, subprocess.CompletedProcess[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = journal_run
    before = {t.number: t.params for t in journal_study(out, "spectralcore-fashion-mnist-tiny").trials}
    status = cli.main(tune_argv(out, "--tune-trials", str(len(before) + 1), "--tune-epochs", "1"))
    assert status == 0, capsys.readouterr().err
    assert f"{len(before)} trial(s) so far" in capsys.readouterr().out
    after = journal_study(out, "spectralcore-fashion-mnist-tiny").trials
    assert len(after) == len(before) + 1
    assert {t.number: t.params for t in after[: len(before)]} == before


def test_unreachable_database_names_the_masked_url(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    port = _postgres.free_port()  # nothing listens there
    url = f"postgresql://alice:{PASSWORD}@127.0.0.1:{port}/optuna"
    os.environ[tuning.STORAGE_ENV] = url
    try:
        status = cli.main(tune_argv(tmp_path))
    finally:
        del os.environ[tuning.STORAGE_ENV]
    captured = capsys.readouterr()
    assert status == cli.EXIT_USAGE
    assert f"postgresql://alice:***@127.0.0.1:{port}/optuna" in captured.err
    assert "PostgreSQL" in captured.err
    assert "Traceback" not in captured.err
    assert PASSWORD not in captured.out + captured.err
    assert not any(PASSWORD.encode() in path.read_bytes() for path in files_under(tmp_path))


def test_damaged_journal_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "tune" / "study.journal"
    journal.parent.mkdir(parents=True)
    journal.write_text('{"op_code": 0, "worker_id": "x"\nnot json at all\n{"op_code": 0}\n')
    status = cli.main(tune_argv(tmp_path))
    err = capsys.readouterr().err
    assert status == cli.EXIT_USAGE
    assert f"the study journal {journal} is damaged" in err
    assert "Traceback" not in err


def test_mask_url_hides_only_the_password() -> None:
    assert tuning.mask_url("postgresql+psycopg2://bob:p@ss:w0rd@db:5432/x") == "postgresql+psycopg2://bob:***@db:5432/x"
    assert tuning._scrub("failed for pw-1 at db", "postgresql://u:pw-1@db/x") == "failed for *** at db"


# --- a real PostgreSQL server ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with _postgres.cluster() as url:
        yield url


def rdb_study(url: str, name: str) -> Any:
    return optuna.load_study(study_name=name, storage=optuna.storages.RDBStorage(tuning._with_driver(url)))


def test_two_workers_share_one_postgres_study(postgres_url: str, tmp_path: Path) -> None:
    require_fashion()
    argv = tune_argv(tmp_path, "--tune-workers", "2", "--tune-trials", "4", "--tune-epochs", "2")
    # On the command line (the least private place): the report quotes the command, masked.
    result = run_cli([*argv, "--tune-study", "shared", "--storage", postgres_url], env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert_each_trial_once(rdb_study(postgres_url, "shared"), wanted=4, workers=2)
    saved = json.loads((tmp_path / "tune" / "tune.json").read_text())
    assert saved["storage"] == tuning.mask_url(postgres_url)
    assert saved["storage_kind"] == "rdb"
    # The password reaches neither the console nor any file (the workers get the URL through the environment).
    assert PASSWORD not in result.stdout + result.stderr
    assert not any(PASSWORD.encode() in path.read_bytes() for path in files_under(tmp_path))
    assert tuning.mask_url(postgres_url) in (tmp_path / "report.md").read_text()


def test_killed_worker_trial_is_failed_and_the_study_goes_on(postgres_url: str, tmp_path: Path) -> None:
    require_fashion()
    environment = env(**{tuning.STORAGE_ENV: postgres_url})
    # Long trials (40 epochs of 120 images), so that the kill lands in the middle of one.
    argv = [*tune_argv(tmp_path, "--tune-trials", "2", "--tune-heartbeat", "1"), "--tune-study", "killed"]
    process = subprocess.Popen(
        [sys.executable, "-m", "spectralcore_experiments", *argv, "--tune-epochs", "40"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    victim = None
    try:
        deadline = time.monotonic() + 180
        while victim is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            try:
                running = rdb_study(postgres_url, "killed").get_trials(states=(optuna.trial.TrialState.RUNNING,))
            except KeyError:  # the study is not created yet
                continue
            victim = next((t.number for t in running if t.intermediate_values), None)
        assert victim is not None, "no trial reached its first epoch"
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    result = run_cli([*argv, "--tune-epochs", "1"], environment)
    assert result.returncode == 0, result.stderr[-3000:]
    study = rdb_study(postgres_url, "killed")
    trials = {t.number: t for t in study.get_trials()}
    assert trials[victim].state == optuna.trial.TrialState.FAIL
    assert sorted(trials) == list(range(len(trials)))
    others = [t for n, t in trials.items() if n != victim]
    assert len(others) == 2
    assert all(t.state.name in ("COMPLETE", "PRUNED") for t in others)


def test_killed_worker_process_loses_no_other_trial(tmp_path: Path) -> None:
    """One of two worker processes on a journal study is killed mid-trial; the run finishes without it."""
    require_fashion()
    argv = tune_argv(tmp_path, "--tune-workers", "2", "--tune-trials", "3", "--tune-epochs", "30")
    # Its own session, so that the finally below can end the CLI and both workers whatever happens.
    process = subprocess.Popen(
        [sys.executable, "-m", "spectralcore_experiments", *argv],
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    victim = None
    try:
        deadline = time.monotonic() + 180
        while victim is None and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
            if not (tmp_path / "tune" / "study.journal").exists():
                continue
            try:
                study = journal_study(tmp_path, "spectralcore-fashion-mnist-tiny")
            except KeyError:  # the study is not created yet
                continue
            running = study.get_trials(states=(optuna.trial.TrialState.RUNNING,))
            victim = next((t for t in running if t.intermediate_values), None)
        assert victim is not None, "no trial reached its first epoch"
        os.kill(int(victim.user_attrs["worker"].rpartition(":")[2]), signal.SIGKILL)
        _, stderr = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == 0, stderr[-3000:]
    assert "1 worker(s) exited with an error" in stderr
    trials = journal_study(tmp_path, "spectralcore-fashion-mnist-tiny").get_trials()
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    assert trials[victim.number].state == optuna.trial.TrialState.FAIL
    counted = [t for t in trials if t.state.name in ("COMPLETE", "PRUNED")]
    assert 3 <= len(counted) <= 4
    assert {t.user_attrs["worker"] for t in counted} != {victim.user_attrs["worker"]}
