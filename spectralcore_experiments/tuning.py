"""The paper's hyper-parameter search (§5.1), on Optuna: ``python -m spectralcore_experiments tune``.

The paper's optimum came out of a Bayesian search (Spearmint) over the §5.1 net's M, γ, α, β, learning rate,
momentum and weight decay. This module repeats it with Optuna's ``GPSampler`` (the closest modern analogue) or TPE,
a median pruner on the per-epoch validation error, and a study kept in a storage so that a search can be resumed
and shared:

- default: a ``JournalStorage`` file next to the results (``<out>/tune/study.journal``), safe for several processes
  on one machine or a shared filesystem (Optuna advises against SQLite for parallel runs);
- ``--storage postgresql://user@host/db`` (or ``$SPECTRALCORE_OPTUNA_STORAGE``, which keeps a password off the
  command line; a ``~/.pgpass`` file works too): ``RDBStorage`` for many machines. Passwords are masked in every
  message, report and JSON file.

The objective is the validation error on a held-out part of the *training* set; the test set is used once, by the
best trial retrained on the whole training set. ``--tune-workers N`` runs N worker processes against one study; the
same command on several machines sharing one database runs them together. A worker that dies in the middle of a
trial leaves that trial RUNNING: it is marked failed (by Optuna's heartbeat on a database, by the dead process id on
this machine for any storage) and the other workers go on. The figures and report section are
:mod:`spectralcore_experiments.tuning_report`'s.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import torch

from spectralcore_experiments import atomic, splits, training
from spectralcore_experiments.datasets import DatasetError
from spectralcore_experiments.formatting import pct
from spectralcore_experiments.options import OptionError, finite, require, training_device
from spectralcore_experiments.training import ImageSet

STORAGE_ENV = "SPECTRALCORE_OPTUNA_STORAGE"
JOURNAL = "study.journal"
# Paper, §5.1: the optimum of the paper's Bayesian optimisation (weight decay and M are not reported).
PAPER_HYPERPARAMETERS = {"gamma": 0.85, "alpha": 0.30, "beta": 0.15, "momentum": 0.95, "lr": 0.0088}
# The search space (name -> (low, high, log scale)); M's upper end is the scale's (or --tune-max-stages).
SPACE: dict[str, tuple[float, float, bool]] = {
    "gamma": (0.5, 0.95, False),
    "alpha": (0.05, 0.95, False),
    "beta": (0.05, 0.95, False),
    "lr": (1e-4, 0.1, True),
    "momentum": (0.8, 0.99, False),
    "weight_decay": (1e-6, 1e-2, True),
}
MIN_STAGES = 1
SCALES: dict[str, dict[str, Any]] = {
    "tiny": {"width": 1 / 16, "max_stages": 2, "train": 384, "test": 128, "epochs": 2, "batch": 32, "trials": 4},
    "quick": {"width": 1 / 8, "max_stages": 6, "train": 10000, "test": 0, "epochs": 3, "batch": 32, "trials": 20},
    "paper": {"width": 1.0, "max_stages": 6, "train": 0, "test": 0, "epochs": 40, "batch": 128, "trials": 60},
}
MAX_TRIALS = 100_000
MAX_WORKERS = 256
MAX_EPOCHS = 10_000
MAX_WIDTH = 4.0
# Trials that count towards --tune-trials: a failed one (a killed worker's) is replaced.
COUNTED_STATES = ("COMPLETE", "PRUNED", "RUNNING")


class StorageError(OptionError):
    """The study's storage cannot be opened (unreachable database, damaged journal); the URL is masked."""


def add_arguments(group: argparse._ArgumentGroup) -> None:
    """Options of the search (``--tune-*`` and ``--storage``); unset ones take the ``--scale`` preset."""
    space = ", ".join(
        f"{name} in [{low:g}, {high:g}]{' (log)' if log else ''}" for name, (low, high, log) in SPACE.items()
    )
    group.add_argument(
        "--tune-trials",
        type=int,
        default=None,
        help=f"trials in the study in all, over every worker and rerun (tiny 4, quick 20, paper 60). Search space: "
        f"M (stages) in [{MIN_STAGES}, --tune-max-stages], {space}",
    )
    group.add_argument(
        "--tune-sampler",
        choices=("gp", "tpe"),
        default="gp",
        help="gp: Optuna's GPSampler, Gaussian-process Bayesian optimisation as Spearmint (default); tpe: TPE",
    )
    group.add_argument(
        "--tune-workers", type=int, default=1, help="worker processes on this machine sharing the study (default 1)"
    )
    group.add_argument(
        "--storage",
        default=None,
        metavar="URL",
        help=f"study storage, e.g. postgresql://user@host/db (default: ${STORAGE_ENV}, else a journal file "
        f"<out>/tune/{JOURNAL}). Prefer the variable or ~/.pgpass to a password on the command line",
    )
    group.add_argument("--tune-study", default=None, help="study name (default spectralcore-<dataset>-<scale>)")
    group.add_argument(
        "--tune-dataset",
        choices=("fashion-mnist", "cifar"),
        default="fashion-mnist",
        help="data (default fashion-mnist)",
    )
    group.add_argument("--tune-epochs", type=int, default=None, help="epochs per trial and retraining (quick: 3)")
    group.add_argument("--tune-width", type=float, default=None, help="width multiplier (quick: 1/8, paper: 1)")
    group.add_argument("--tune-max-stages", type=int, default=None, help="largest M searched (quick, paper: 6)")
    group.add_argument("--tune-train-size", type=int, default=None, help="training examples, 0 = all (quick: 10000)")
    group.add_argument("--tune-test-size", type=int, default=None, help="test examples, 0 = all (default all)")
    group.add_argument(
        "--tune-val-fraction",
        type=float,
        default=0.2,
        help="fraction of the training examples held out for validation during the search (default 0.2)",
    )
    group.add_argument(
        "--tune-heartbeat",
        type=int,
        default=60,
        help="seconds between a trial's heartbeats in a database; a trial silent for twice as long is failed "
        "(default 60)",
    )


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The scale preset with the command line's overrides applied and checked (nothing is opened yet).

    Raises
    ------
    OptionError
        An option is out of range (the message names it).
    """
    cfg = dict(SCALES[args.scale])
    overrides = {
        "trials": args.tune_trials,
        "epochs": args.tune_epochs,
        "width": args.tune_width,
        "max_stages": args.tune_max_stages,
        "train": args.tune_train_size,
        "test": args.tune_test_size,
    }
    cfg.update({key: value for key, value in overrides.items() if value is not None})
    cfg.update(
        {
            "sampler": args.tune_sampler,
            "workers": args.tune_workers,
            "val_fraction": args.tune_val_fraction,
            "heartbeat": args.tune_heartbeat,
            "space": {name: list(bounds) for name, bounds in SPACE.items()},
        }
    )
    require("--tune-trials", cfg["trials"], 1 <= cfg["trials"] <= MAX_TRIALS, f"an integer in [1, {MAX_TRIALS}]")
    require("--tune-workers", cfg["workers"], 1 <= cfg["workers"] <= MAX_WORKERS, f"an integer in [1, {MAX_WORKERS}]")
    require("--tune-epochs", cfg["epochs"], 1 <= cfg["epochs"] <= MAX_EPOCHS, f"an integer in [1, {MAX_EPOCHS}]")
    require(
        "--tune-width",
        cfg["width"],
        finite(cfg["width"]) and 0 < cfg["width"] <= MAX_WIDTH,
        f"a width multiplier in (0, {MAX_WIDTH:g}]",
    )
    require("--tune-max-stages", cfg["max_stages"], cfg["max_stages"] >= MIN_STAGES, "a positive integer")
    require("--tune-train-size", cfg["train"], cfg["train"] >= 0, "a count >= 0 (0 = all)")
    require("--tune-test-size", cfg["test"], cfg["test"] >= 0, "a count >= 0 (0 = all)")
    require(
        "--tune-val-fraction",
        cfg["val_fraction"],
        finite(cfg["val_fraction"]) and 0 < cfg["val_fraction"] < 1,
        "a fraction in (0, 1)",
    )
    require("--tune-heartbeat", cfg["heartbeat"], 1 <= cfg["heartbeat"] <= 3600, "seconds in [1, 3600]")
    splits.dataset_choices(args, args.tune_dataset)
    return cfg


# --- storage -------------------------------------------------------------------------------------------------------


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, fit for any message, log or file.

    Examples
    --------
    >>> mask_url("postgresql://alice:s3cret@db.example.org:5432/optuna")
    'postgresql://alice:***@db.example.org:5432/optuna'
    >>> mask_url("postgresql://alice@localhost/optuna")
    'postgresql://alice@localhost/optuna'
    """
    # Greedy up to the last "@": a password with an unescaped "@" is masked whole (more, never less).
    return re.sub(r"(://[^:/@]*):.*@", r"\1:***@", url)


def _scrub(text: str, url: str) -> str:
    """``text`` (an error from a driver) with the URL and any password in it masked."""
    text = text.replace(url, mask_url(url))
    match = re.search(r"://[^:/@]*:(.*)@", url)
    if match and match.group(1):
        text = text.replace(match.group(1), "***")
    return text


def storage_url(args: argparse.Namespace) -> str | None:
    """The database URL from ``--storage`` or ``$SPECTRALCORE_OPTUNA_STORAGE``; None: the journal file."""
    return args.storage or os.environ.get(STORAGE_ENV) or None


def journal_path(args: argparse.Namespace) -> Path:
    """The default storage: a journal file in the search's own folder of the report folder."""
    return Path(args.out) / "tune" / JOURNAL


def describe_storage(args: argparse.Namespace) -> str:
    """Where the study lives, password masked (for messages, the report and the JSON)."""
    url = storage_url(args)
    return mask_url(url) if url else f"journal file {journal_path(args)}"


def open_storage(args: argparse.Namespace, heartbeat: int) -> Any:
    """The Optuna storage of the study: ``RDBStorage`` for a URL, else ``JournalStorage`` on a file.

    Raises
    ------
    StorageError
        The database cannot be reached or the journal cannot be read (the URL is masked in the message).
    """
    import optuna
    from optuna.storages.journal import JournalFileBackend

    url = storage_url(args)
    if url is None:
        path = journal_path(args)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise StorageError(_damaged(path, exc)) from exc
    if "://" not in url:
        raise OptionError(
            f"--storage: expected a database URL such as postgresql://user@host/db, got {mask_url(url)!r}"
        )
    try:
        with warnings.catch_warnings():  # the heartbeat is "experimental" in Optuna, and has been since 2.x
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                _with_driver(url),
                engine_kwargs={"pool_pre_ping": True},
                heartbeat_interval=heartbeat,
                grace_period=2 * heartbeat,
            )
    except Exception as exc:  # any driver error: connection refused, bad credentials, missing driver
        first = _scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, url)
        raise StorageError(
            f"--storage {mask_url(url)}: cannot open the study database ({first}). Is PostgreSQL running and "
            "reachable? Start one with e.g. `sudo apt-get install postgresql && sudo service postgresql start`, "
            "create the database with `sudo -u postgres createdb optuna`, or run without --storage (and without "
            f"${STORAGE_ENV}) to keep the study in a journal file next to the results"
        ) from None


def _with_driver(url: str) -> str:
    """A plain ``postgresql://`` URL with the driver that is installed (SQLAlchemy 2.1 defaults to psycopg 3).

    Examples
    --------
    >>> _with_driver("postgresql+psycopg2://u@h/db")
    'postgresql+psycopg2://u@h/db'
    """
    import importlib.util

    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        for module, driver in (("psycopg", "psycopg"), ("psycopg2", "psycopg2")):
            if importlib.util.find_spec(module) is not None:
                return f"postgresql+{driver}{sep}{rest}"
    return url


def _damaged(path: Path, exc: Exception) -> str:
    return (
        f"the study journal {path} is damaged and cannot be replayed ({type(exc).__name__}: {exc}); move it away "
        "to start a new study, or restore it from a copy"
    )


def study_name(args: argparse.Namespace) -> str:
    """``--tune-study``, else one name per dataset and scale (so that scales do not mix in one study)."""
    return args.tune_study or f"spectralcore-{args.tune_dataset}-{args.scale}"


def make_sampler(name: str, seed: int, trials: int) -> Any:
    """Optuna's ``GPSampler`` (``"gp"``) or ``TPESampler`` (``"tpe"``), seeded; random for the first trials."""
    import optuna

    seed32 = seed % 2**32
    # Random points first (Optuna's 10, fewer in a small study, so that the model gets to choose some).
    startup = min(10, max(2, trials // 2))
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed32, n_startup_trials=startup)
    return optuna.samplers.TPESampler(seed=seed32, n_startup_trials=startup, multivariate=True)


def load_study(args: argparse.Namespace, cfg: dict[str, Any], *, seed_offset: int = 0) -> Any:
    """Create the study, or load it if it exists (a rerun continues it)."""
    import optuna

    storage = open_storage(args, cfg["heartbeat"])
    # Two trials before the pruner judges, and never in a trial's first epoch (its error is mostly noise).
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1 if cfg["epochs"] > 1 else 0)
    try:
        return optuna.create_study(
            study_name=study_name(args),
            storage=storage,
            sampler=make_sampler(cfg["sampler"], args.seed + seed_offset, cfg["trials"]),
            pruner=pruner,
            direction="minimize",
            load_if_exists=True,
        )
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        url = storage_url(args)
        if url is None:
            raise StorageError(_damaged(journal_path(args), exc)) from exc
        raise StorageError(
            f"--storage {describe_storage(args)}: cannot load study {study_name(args)!r} ({exc})"
        ) from exc


# --- the objective ---------------------------------------------------------------------------------------------------


def worker_id() -> str:
    """``host:pid`` of this process, stored with each of its trials (to fail them if it dies)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    # A killed worker stays a zombie until its parent reaps it, and signal 0 still reaches a zombie: without this
    # check a sibling would count the dead worker's trial as running and stop one trial short.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # no /proc (not Linux), or the process is gone by now
        return not Path("/proc").is_dir()
    return stat.rpartition(")")[2].split()[0] != "Z"


def fail_dead_trials(study: Any, *, only: set[str] | None = None) -> list[int]:
    """Mark failed the RUNNING trials of workers on this machine whose process is gone; return their numbers.

    A database's heartbeat does this across machines; this check also covers the journal file, which has none.
    ``only`` restricts it to the given worker ids (a parent whose child died knows which).
    """
    import optuna

    host = socket.gethostname()
    failed = []
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        worker = str(trial.user_attrs.get("worker", ""))
        name, _, pid = worker.rpartition(":")
        dead = worker in only if only is not None else (name == host and pid.isdigit() and not _alive(int(pid)))
        if dead:
            study._storage.set_trial_user_attr(trial._trial_id, "failure", f"worker {worker} died")
            study._storage.set_trial_state_values(trial._trial_id, optuna.trial.TrialState.FAIL)
            failed.append(trial.number)
    return failed


def split_train(train: ImageSet, fraction: float, seed: int) -> tuple[ImageSet, ImageSet]:
    """A seeded (fit, validation) partition of a training set; ``fraction`` of it is held out."""
    count = len(train)
    held = max(1, min(count - 1, round(fraction * count)))
    val_idx = torch.from_numpy(splits.subset_indices(count, held, seed)).to(train.labels.device)
    mask = torch.ones(count, dtype=torch.bool, device=train.labels.device)
    mask[val_idx] = False

    def part(index: torch.Tensor) -> ImageSet:
        return ImageSet(train.images[index], train.labels[index], name=train.name, classes=train.classes)

    return part(mask.nonzero().squeeze(1)), part(val_idx)


def suggest(trial: Any, cfg: dict[str, Any]) -> dict[str, Any]:
    """The trial's point of the search space (:data:`SPACE` and M)."""
    params: dict[str, Any] = {"stages": trial.suggest_int("stages", MIN_STAGES, cfg["max_stages"])}
    for name, (low, high, log) in SPACE.items():
        params[name] = trial.suggest_float(name, low, high, log=log)
    return params


def build_net(split: splits.Split, params: dict[str, Any], cfg: dict[str, Any], device: torch.device) -> Any:
    """The §5.1 net (spectral pooling + frequency dropout) at ``params``; ValueError if it does not fit."""
    from spectralcore_torch import models

    return models.SpectralPoolNet(
        split.channels,
        split.classes,
        input_size=split.size,
        num_stages=params["stages"],
        gamma=params["gamma"],
        alpha=params["alpha"],
        beta=params["beta"],
        pool="spectral",
        frequency_dropout=True,
        width=cfg["width"],
        generator=torch.Generator(device=device),
    ).to(device)


def train_config(params: dict[str, Any], cfg: dict[str, Any], seed: int) -> training.TrainConfig:
    return training.TrainConfig(
        epochs=cfg["epochs"],
        batch_size=cfg["batch"],
        optimizer="sgd",
        lr=params["lr"],
        momentum=params["momentum"],
        weight_decay=params["weight_decay"],
        schedule="cosine",
        augment=False,
        seed=seed,
    )


def objective_for(
    args: argparse.Namespace, cfg: dict[str, Any], split: splits.Split, out_dir: Path, device: torch.device
) -> Any:
    """The objective: train a trial on the fit part, return its final validation error, prune on the median."""
    import optuna

    fit, val = split_train(split.train, cfg["val_fraction"], args.seed + 2)

    def objective(trial: optuna.Trial) -> float:
        trial.set_user_attr("worker", worker_id())
        params = suggest(trial, cfg)
        seed = training.run_seed(args.seed, "tune", split.name, trial.number)
        torch.manual_seed(seed)
        try:
            model = build_net(split, params, cfg, device)
        except ValueError as exc:  # M stages of pooling by γ leave nothing of the image: not a point of the space
            trial.set_user_attr("infeasible", str(exc))
            raise optuna.TrialPruned(f"the net does not fit the images: {exc}") from exc

        def report(epoch: int, row: dict[str, float]) -> None:
            trial.report(row["test_error"], epoch)
            if trial.should_prune():
                raise optuna.TrialPruned(f"validation error {pct(row['test_error'])} after epoch {epoch}")

        try:
            history = training.train(
                model,
                fit,
                val,
                train_config(params, cfg, seed),
                out_dir / "trials" / f"trial-{trial.number:05d}",
                progress=not args.no_progress,
                description=f"tune trial {trial.number}",
                extra={"experiment": "tune", "trial": trial.number, **params},
                on_epoch=report,
            )
        except FloatingPointError:
            # A diverging learning rate is a (bad) point of the space, not a broken trial.
            trial.set_user_attr("diverged", True)
            return 1.0
        return float(history.rows[-1]["test_error"])

    return objective


def load_data(args: argparse.Namespace, cfg: dict[str, Any], device: torch.device) -> splits.Split:
    name = splits.datasets_to_run(args, args.tune_dataset)[0]
    return splits.load_split(args, name, train_count=cfg["train"], test_count=cfg["test"], device=device)


def work(args: argparse.Namespace, cfg: dict[str, Any], out_dir: Path, *, seed_offset: int = 0) -> int:
    """Run trials until the study holds ``cfg["trials"]`` counted ones; returns how many this process ran."""
    import optuna

    device = training_device(args.device)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = load_study(args, cfg, seed_offset=seed_offset)
    split = load_data(args, cfg, device)
    objective = objective_for(args, cfg, split, out_dir, device)
    states = tuple(getattr(optuna.trial.TrialState, state) for state in COUNTED_STATES)
    ran = 0
    while True:
        fail_dead_trials(study)
        if len(study.get_trials(deepcopy=False, states=states)) >= cfg["trials"]:
            return ran
        # catch=(): a trial that raises is a bug to see, not a point of the space.
        study.optimize(objective, n_trials=1, catch=())
        ran += 1


# --- worker processes ------------------------------------------------------------------------------------------------

_PATH_OPTIONS = ("out", "fashion_mnist_dir", "cifar_dir")


def _write_spec(args: argparse.Namespace, out_dir: Path) -> Path:
    """The worker's arguments, without the storage URL (that goes through the environment, never a file)."""
    spec = {key: (os.fspath(value) if isinstance(value, Path) else value) for key, value in vars(args).items()}
    spec["storage"] = None
    return atomic.write_json(out_dir / "worker-args.json", spec)


def _read_spec(path: Path) -> argparse.Namespace:
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    for key in _PATH_OPTIONS:
        if spec.get(key) is not None:
            spec[key] = Path(spec[key])
    return argparse.Namespace(**spec)


def run_workers(args: argparse.Namespace, cfg: dict[str, Any], out_dir: Path) -> list[int]:
    """Start ``cfg["workers"]`` worker processes on the study and wait for them; return their exit statuses.

    A worker that dies (killed, crashed) has its RUNNING trial marked failed; the others go on and run the trials
    it leaves. Interrupting this process stops every worker.
    """
    spec = _write_spec(args, out_dir)
    env = dict(os.environ)
    url = storage_url(args)
    if url is not None:
        env[STORAGE_ENV] = url
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "spectralcore_experiments.tuning", "--worker", os.fspath(spec), str(index)],
            env=env,
        )
        for index in range(cfg["workers"])
    ]
    try:
        codes = [proc.wait() for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    dead = {f"{socket.gethostname()}:{proc.pid}" for proc, code in zip(procs, codes, strict=True) if code != 0}
    if dead:
        study = load_study(args, cfg)
        failed = fail_dead_trials(study, only=dead)
        print(
            f"[tune] {len(dead)} worker(s) exited with an error (statuses {codes}); trials marked failed: {failed}",
            file=sys.stderr,
            flush=True,
        )
    return codes


def worker_main(argv: list[str]) -> int:
    """Entry point of a worker process: ``python -m spectralcore_experiments.tuning --worker SPEC INDEX``."""
    args = _read_spec(Path(argv[1]))
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    cfg = settings(args)
    try:
        work(args, cfg, Path(args.out) / "tune", seed_offset=1 + int(argv[2]))
    except (OptionError, DatasetError) as exc:
        print(f"[tune worker {argv[2]}] error: {exc}", file=sys.stderr)
        return 2
    return 0


# --- the experiment --------------------------------------------------------------------------------------------------


def _trial_record(trial: Any) -> dict[str, Any]:
    return {
        "number": trial.number,
        "state": trial.state.name,
        "value": trial.value,
        "params": dict(trial.params),
        "validation_error": [trial.intermediate_values[k] for k in sorted(trial.intermediate_values)],
        "worker": trial.user_attrs.get("worker"),
        "seconds": trial.duration.total_seconds() if trial.duration is not None else None,
        **{key: trial.user_attrs[key] for key in ("diverged", "infeasible", "failure") if key in trial.user_attrs},
    }


def importances(study: Any) -> tuple[dict[str, float] | None, str]:
    """Optuna's parameter importances (fANOVA), or None and why (fewer than 2 complete trials, or it failed)."""
    import optuna

    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 2:
        return None, f"needs at least 2 complete trials, the study has {len(complete)}"
    try:
        values = optuna.importance.get_param_importances(study)
    except (ValueError, RuntimeError) as exc:  # e.g. every complete trial at the same point
        return None, f"Optuna could not compute them: {exc}"
    return {name: float(value) for name, value in values.items()}, ""


def run(args: argparse.Namespace, out_dir: Path) -> dict[str, Any]:
    """Search, then retrain the best trial on the whole training set and test it once; return the record."""
    import optuna

    start = time.perf_counter()
    cfg = settings(args)
    device = training_device(args.device)
    out_dir.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = load_study(args, cfg)  # opens (and checks) the storage before any worker starts
    done = len(study.trials)
    print(
        f"[tune] study {study.study_name!r} in {describe_storage(args)}: {done} trial(s) so far, {cfg['trials']} "
        f"wanted, {cfg['workers']} worker(s), sampler {cfg['sampler']}",
        flush=True,
    )
    if cfg["workers"] == 1:
        work(args, cfg, out_dir)
        codes = [0]
    else:
        codes = run_workers(args, cfg, out_dir)
    study = load_study(args, cfg)
    trials = [_trial_record(trial) for trial in study.get_trials(deepcopy=False)]
    complete = [t for t in trials if t["state"] == "COMPLETE"]
    if not complete:
        raise OptionError(
            f"tune: no trial of study {study.study_name!r} completed ({len(trials)} trials, worker exit statuses "
            f"{codes}); see the messages above"
        )
    best = study.best_trial
    importance, importance_note = importances(study)
    split = load_data(args, cfg, device)
    params = dict(best.params)
    seed = training.run_seed(args.seed, "tune-best", split.name, best.number)
    torch.manual_seed(seed)
    model = build_net(split, params, cfg, device)
    print(f"[tune] best trial {best.number}: validation error {pct(best.value)}; retraining on all training data")
    # The "test" set of the training loop is the training set itself: the test set is evaluated once, below.
    history = training.train(
        model,
        split.train,
        split.train,
        train_config(params, cfg, seed),
        out_dir / "best" / f"trial-{best.number:05d}",
        resume=args.resume,
        progress=not args.no_progress,
        description="tune best",
        extra={"experiment": "tune-best", "trial": best.number, **params},
    )
    test_loss, test_error = training.evaluate(model, split.test)
    print(f"[tune] best trial retrained: test error {pct(test_error)}", flush=True)
    return {
        "experiment": "tune",
        "settings": {**cfg, "base_seed": args.seed, "device": str(device), "dataset": split.name},
        "study": study.study_name,
        "storage": describe_storage(args),
        "storage_kind": "rdb" if storage_url(args) else "journal",
        "data": split.describe(),
        "trials": trials,
        "worker_exit_codes": codes,
        "best": {"number": best.number, "validation_error": best.value, "params": params},
        "importances": importance,
        "importances_note": importance_note,
        "retrain": {
            "train_error": history.column("train_error"),
            "train_loss": history.column("train_loss"),
            "test_error": test_error,
            "test_loss": test_loss,
            "seconds": sum(history.column("seconds")),
            "stage_sizes": [list(size) for size in model.stage_sizes],
        },
        "paper_hyperparameters": PAPER_HYPERPARAMETERS,
        "elapsed_seconds": time.perf_counter() - start,
    }


def states_of(result: dict[str, Any]) -> dict[str, int]:
    """How many trials of the result are in each state."""
    counts: dict[str, int] = {}
    for trial in result["trials"]:
        counts[trial["state"]] = counts.get(trial["state"], 0) + 1
    return counts


def paper_comparison(best: dict[str, Any]) -> list[tuple[str, float | None, float | None]]:
    """(name, found, paper) for every searched parameter, the paper's value None where it gives none."""
    return [(name, best["params"].get(name), PAPER_HYPERPARAMETERS.get(name)) for name in ("stages", *SPACE)]


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        sys.exit(worker_main(sys.argv[1:]))
    sys.exit("usage: python -m spectralcore_experiments.tuning --worker SPEC INDEX (started by the tune experiment)")
