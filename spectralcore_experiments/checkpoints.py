"""The files of one training run: its checkpoint and its metrics, written atomically and checked when read back.

Files of a run folder (each written to a temporary file, then renamed, so none is ever half-written):

* ``checkpoint.pt``: weights, optimizer state, metrics so far, and the config that made them;
* ``metrics.csv`` and ``metrics.json``: one row per finished epoch.

A checkpoint is read back with ``torch.load(weights_only=True)`` (no pickled code runs), and everything in it is
checked before the run continues from it: anything unexpected raises a :class:`CheckpointError` that names the file
and what is wrong with it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch
from torch import nn

from spectralcore_experiments import atomic

CHECKPOINT = "checkpoint.pt"
METRICS_CSV = "metrics.csv"
METRICS_JSON = "metrics.json"
FORMAT = 1
METRIC_FIELDS = ("epoch", "train_loss", "train_error", "test_loss", "test_error", "lr", "seconds")
_KEYS = ("format", "config", "extra", "epoch", "model", "optimizer", "history")


class CheckpointError(RuntimeError):
    """A checkpoint cannot be resumed from: unreadable, not one of ours, damaged, or made with other settings."""


class RunFiles:
    """Paths of one run's files inside ``run_dir``."""

    def __init__(self, run_dir: Path) -> None:
        self.dir = Path(run_dir)
        self.checkpoint = self.dir / CHECKPOINT
        self.csv = self.dir / METRICS_CSV
        self.json = self.dir / METRICS_JSON


def write_metrics(files: RunFiles, rows: list[dict[str, float]], config: Any, extra: dict[str, Any]) -> None:
    """``metrics.csv`` and ``metrics.json`` of the epochs in ``rows`` (``config``: the run's dataclass config)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(METRIC_FIELDS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: repr(value) if isinstance(value, float) else value for key, value in row.items()})
    atomic.write_text(files.csv, buffer.getvalue())
    atomic.write_json(files.json, {"config": dataclasses.asdict(config), **extra, "epochs": rows})


def save(
    files: RunFiles,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    rows: list[dict[str, float]],
    config: Any,
    extra: dict[str, Any],
) -> None:
    """Write the checkpoint after epoch ``len(rows)``."""
    state = {
        "format": FORMAT,
        "config": dataclasses.asdict(config),
        "extra": extra,
        "epoch": len(rows),
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "history": rows,
    }
    atomic.atomic_write(files.checkpoint, lambda handle: torch.save(state, handle))


def load(
    files: RunFiles, model: nn.Module, optimizer: torch.optim.Optimizer, config: Any, extra: dict[str, Any]
) -> list[dict[str, float]]:
    """Restore ``model`` and ``optimizer`` from the checkpoint and return the metrics of its finished epochs.

    Raises
    ------
    CheckpointError
        The file cannot be read, is not a checkpoint of this harness, was made with other settings (the message
        lists them), holds more epochs than the run has, or its weights do not fit ``model``.
    """
    path = files.checkpoint

    def fail(problem: str) -> CheckpointError:
        return CheckpointError(
            f"--resume: cannot continue from checkpoint {path}: {problem}. Delete it (or its run folder "
            f"{files.dir}) to start that run over, or rerun without --resume."
        )

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # a checkpoint is written atomically, so this is a foreign or damaged file
        raise fail(f"it is not a readable checkpoint ({type(exc).__name__}: {_first_line(exc)})") from exc
    if not isinstance(state, dict):
        raise fail(f"it holds a {type(state).__name__}, not the dict of a training run")
    missing = [key for key in _KEYS if key not in state]
    if missing:
        raise fail(f"it has no {', '.join(repr(key) for key in missing)} entr{'y' if len(missing) == 1 else 'ies'}")
    if state["format"] != FORMAT:
        raise fail(f"its format is {state['format']!r}, this harness reads format {FORMAT}")
    wanted = dataclasses.asdict(config)
    if state["config"] != wanted or state["extra"] != extra:
        now = {**wanted, **extra}
        had = {**_as_dict(state["config"]), **_as_dict(state["extra"])}
        diff = {key: (had.get(key), now.get(key)) for key in sorted(set(now) | set(had))}
        diff = {key: pair for key, pair in diff.items() if pair[0] != pair[1]}
        raise CheckpointError(
            f"--resume: checkpoint {path} was made with different settings "
            f"(setting: (checkpoint, now)) {diff}. Rerun with the same options, or without --resume to start over."
        )
    rows = _history(state["history"], state["epoch"], config.epochs, fail)
    try:
        model.load_state_dict(state["model"])
    except (RuntimeError, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise fail(f"its weights do not fit the model ({type(exc).__name__}: {_first_line(exc)})") from exc
    try:
        optimizer.load_state_dict(state["optimizer"])
    except (RuntimeError, TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise fail(f"its optimizer state does not fit the model ({type(exc).__name__}: {_first_line(exc)})") from exc
    return rows


def _history(history: object, epoch: object, epochs: int, fail: Any) -> list[dict[str, float]]:
    """The checkpoint's per-epoch metrics, checked: rows 1..n with every field a number, n <= ``epochs``."""
    if not isinstance(history, list):
        raise fail(f"its history is a {type(history).__name__}, not a list of epochs")
    if len(history) > epochs:
        raise fail(f"its history holds {len(history)} epochs, more than the {epochs} of this run")
    if epoch != len(history):
        raise fail(f"it says epoch {epoch!r} but its history holds {len(history)} epochs")
    rows = []
    for index, row in enumerate(history, start=1):
        if not isinstance(row, Mapping) or set(row) != set(METRIC_FIELDS):
            raise fail(f"epoch {index} of its history is not a row of {', '.join(METRIC_FIELDS)}")
        if row["epoch"] != index:
            raise fail(f"row {index} of its history is numbered epoch {row['epoch']!r}")
        bad = [key for key in METRIC_FIELDS if not _is_number(row[key])]
        if bad:
            raise fail(f"epoch {index} of its history has non-numeric {', '.join(bad)}")
        rows.append(dict(row))
    return rows


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_dict(value: object) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no details"
