"""The training loop of experiments 2 and 3: seeds, progress bar, a checkpoint per epoch, ``--resume``, metrics.

Determinism without saving random-generator states: every source of randomness in an epoch (the order of the
examples, the augmentation, ``nn.Dropout``, frequency dropout) is seeded from ``(seed, epoch)`` at the start of
that epoch. An epoch is therefore a pure function of the weights and optimizer state it starts from, and a run
resumed from the checkpoint of epoch ``e`` computes exactly what the uninterrupted run computed. The run's files
(checkpoint and metrics, all written atomically) are :mod:`spectralcore_experiments.checkpoints`'.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from spectralcore_experiments import checkpoints, distributed

# Batches between two reads of the running loss (each read waits for a GPU to finish its queue).
SYNC_EVERY = 25


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run's numbers (saved in the checkpoint and compared on resume).

    Parameters
    ----------
    epochs : int
        Number of passes over the training set.
    batch_size : int
        Minibatch size; the last, smaller batch of an epoch is kept.
    optimizer : {"adam", "sgd"}
        Adam (experiment 2) or SGD with momentum (experiment 3).
    lr : float
        Initial learning rate.
    momentum : float
        SGD momentum (ignored by Adam).
    weight_decay : float
        L2 penalty added to the gradient (``weight_decay`` of the torch optimizer).
    schedule : {"constant", "cosine"}
        Learning-rate schedule, stepped once per epoch.
    augment : bool
        Random translations by up to ``translate`` pixels (zero padding) and horizontal flips.
    translate : int
        Maximum shift, in pixels, of the translation augmentation.
    flip : bool
        Whether augmentation includes horizontal flips (off for data where mirror images are another class).
    seed : int
        Seed of everything random in the run (initialisation is the caller's, from the same seed).
    train_eval_size : int
        Number of training examples re-evaluated in ``eval()`` mode after each epoch for ``train_loss`` /
        ``train_error`` (0: report the running minibatch averages instead).
    """

    epochs: int
    batch_size: int = 128
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "constant"
    augment: bool = False
    translate: int = 2
    flip: bool = True
    seed: int = 0
    train_eval_size: int = 0

    def __post_init__(self) -> None:
        checks: list[tuple[str, bool, str]] = [
            ("epochs", self.epochs >= 1, "a positive integer"),
            ("batch_size", self.batch_size >= 1, "a positive integer"),
            ("optimizer", self.optimizer in ("adam", "sgd"), "'adam' or 'sgd'"),
            ("lr", self.lr > 0 and math.isfinite(self.lr), "a positive finite number"),
            ("momentum", 0 <= self.momentum < 1, "in [0, 1)"),
            ("weight_decay", self.weight_decay >= 0, "a non-negative number"),
            ("schedule", self.schedule in ("constant", "cosine"), "'constant' or 'cosine'"),
            ("translate", self.translate >= 0, "a non-negative integer"),
            ("train_eval_size", self.train_eval_size >= 0, "a non-negative integer"),
        ]
        for name, ok, expected in checks:
            if not ok:
                raise ValueError(f"TrainConfig.{name} must be {expected}, got {getattr(self, name)!r}")


@dataclass
class ImageSet:
    """Images as a float32 ``(N, C, H, W)`` tensor, normalised, plus int64 labels, on the training device."""

    images: torch.Tensor
    labels: torch.Tensor
    name: str = ""
    classes: int = 10

    def __len__(self) -> int:
        return int(self.labels.shape[0])


@dataclass
class History:
    """Per-epoch metrics of one run (a list of dicts with the keys of ``checkpoints.METRIC_FIELDS``)."""

    rows: list[dict[str, float]] = field(default_factory=list)

    def column(self, name: str) -> list[float]:
        return [row[name] for row in self.rows]


def epoch_seed(seed: int, epoch: int, stream: int, rank: int = 0) -> int:
    """A 63-bit seed for one random stream of one epoch, independent across (seed, epoch, stream, rank).

    Rank 0 (and a one-process run) draws what it always drew; under ``torchrun`` every other rank its own stream.
    """
    words = [seed, epoch, stream] + ([rank] if rank else [])
    return int(np.random.SeedSequence(words).generate_state(1, dtype=np.uint64)[0] >> 1)


def _augment(x: torch.Tensor, config: TrainConfig, generator: torch.Generator) -> torch.Tensor:
    """Random translation (zero padding) and horizontal flip, drawn from ``generator`` (on the CPU)."""
    n, _, h, w = x.shape
    if config.translate > 0:
        t = config.translate
        shifts = torch.randint(-t, t + 1, (n, 2), generator=generator)
        padded = nn.functional.pad(x, (t, t, t, t))
        # One gather builds all crops: row/column indices of each example's shifted window.
        rows = (torch.arange(h).view(1, h) + t + shifts[:, :1]).to(x.device)
        cols = (torch.arange(w).view(1, w) + t + shifts[:, 1:]).to(x.device)
        index = torch.arange(n, device=x.device).view(n, 1, 1)
        x = padded.permute(0, 2, 3, 1)[index, rows.view(n, h, 1), cols.view(n, 1, w)].permute(0, 3, 1, 2)
    if config.flip:
        flip = (torch.rand(n, generator=generator) < 0.5).to(x.device).view(n, 1, 1, 1)
        x = torch.where(flip, x.flip(-1), x)
    return x.contiguous()


def _seed_model_generators(model: nn.Module, seed: int) -> None:
    """Reseed every ``torch.Generator`` a layer owns (frequency dropout), so that an epoch is reproducible."""
    for index, module in enumerate(model.modules()):
        generator = getattr(module, "generator", None)
        if isinstance(generator, torch.Generator):
            generator.manual_seed(epoch_seed(seed, index, 7))


def make_optimizer(
    model: nn.Module, config: TrainConfig, lr_scales: dict[str, float] | None = None
) -> torch.optim.Optimizer:
    """The optimizer of ``config`` over ``model``'s parameters.

    ``lr_scales`` maps a parameter-name suffix (``"stride"``) to a factor on the learning rate of the parameters
    whose name ends with it (their own group, with ``"lr_scale"`` kept in it for the schedule).
    """
    scales = lr_scales or {}
    groups: dict[float, list[nn.Parameter]] = {}
    for name, parameter in model.named_parameters():
        scale = next((f for suffix, f in scales.items() if name.endswith(suffix)), 1.0)
        groups.setdefault(scale, []).append(parameter)
    params = [{"params": ps, "lr": config.lr * f, "lr_scale": f} for f, ps in groups.items()]
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)


def learning_rate(config: TrainConfig, epoch: int) -> float:
    """Learning rate used during ``epoch`` (0-based)."""
    if config.schedule == "cosine":
        return config.lr * 0.5 * (1.0 + math.cos(math.pi * epoch / config.epochs))
    return config.lr


@torch.no_grad()
def evaluate(model: nn.Module, data: ImageSet, *, batch_size: int = 500, limit: int = 0) -> tuple[float, float]:
    """Mean cross-entropy and error rate of ``model`` (in eval mode) on the first ``limit`` (0: all) examples."""
    was_training = model.training
    model.eval()
    count = len(data) if limit <= 0 else min(limit, len(data))
    loss_sum = 0.0
    wrong = 0
    for start in range(0, count, batch_size):
        stop = min(start + batch_size, count)
        logits = model(data.images[start:stop])
        target = data.labels[start:stop]
        loss_sum += float(nn.functional.cross_entropy(logits, target, reduction="sum"))
        wrong += int((logits.argmax(dim=1) != target).sum())
    model.train(was_training)
    return loss_sum / count, wrong / count


def _batches(count: int, batch_size: int, order: torch.Tensor) -> Iterator[torch.Tensor]:
    for start in range(0, count, batch_size):
        yield order[start : start + batch_size]


def train(
    model: nn.Module,
    train_set: ImageSet,
    test_set: ImageSet,
    config: TrainConfig,
    run_dir: Path,
    *,
    resume: bool = False,
    progress: bool = True,
    description: str = "",
    extra: dict[str, Any] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    regularizer: Callable[[], torch.Tensor] | None = None,
    lr_scales: dict[str, float] | None = None,
) -> History:
    """Train ``model`` on ``train_set`` for ``config.epochs`` epochs; evaluate on ``test_set`` after each one.

    Parameters
    ----------
    model : nn.Module
        Already initialised (by the caller, from the run's seed) and on the data's device.
    train_set, test_set : ImageSet
        From :func:`spectralcore_experiments.splits.to_image_set`.
    config : TrainConfig
        The run's settings.
    run_dir : Path
        Folder of the run's checkpoint and metrics.
    resume : bool
        Continue from ``run_dir/checkpoint.pt`` if it exists (a finished run is then returned as is). Without it
        an existing run is started over.
    progress : bool
        A tqdm bar during each epoch with the running loss and error (when stderr is a terminal). A summary line
        is printed after every epoch either way.
    description : str
        Label of the run in progress output.
    extra : dict, optional
        JSON-able description of the run (net, dataset...), saved with the metrics and checked on resume.
    on_epoch : callable, optional
        Called as ``on_epoch(epoch, row)`` after each epoch's checkpoint is written (used by tests to interrupt).
    regularizer : callable, optional
        ``regularizer()`` after each forward pass: a scalar tensor added to the loss (a compute penalty).
    lr_scales : dict, optional
        Per parameter-name suffix, a factor on the learning rate (:func:`make_optimizer`).

    Returns
    -------
    History
        The metrics of every epoch, resumed ones included.

    Raises
    ------
    checkpoints.CheckpointError
        With ``resume``: the checkpoint cannot be continued from (the message names the file and says why).
    FloatingPointError
        The training loss stopped being finite (the epoch's checkpoint is not written).
    """
    extra = dict(extra or {})
    # Under torchrun: every rank trains on its shard of each global batch; only rank 0 writes (see distributed).
    context = distributed.current()
    distributed.check_batch(config.batch_size, context)
    rank = context.rank
    net = distributed.wrap(model)
    files = checkpoints.RunFiles(run_dir)
    files.dir.mkdir(parents=True, exist_ok=True)
    optimizer = make_optimizer(model, config, lr_scales)
    history = History()
    if resume and files.checkpoint.exists():
        history = History(checkpoints.load(files, model, optimizer, config, extra))
        if history.rows:
            print(f"[{description}] resumed after epoch {len(history.rows)} from {files.checkpoint}", flush=True)
    device = train_set.images.device
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(len(history.rows), config.epochs):
        start_time = time.perf_counter()
        lr = learning_rate(config, epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr * group.get("lr_scale", 1.0)
        # Every random stream of the epoch restarts from (seed, epoch): see the module docstring.
        order = torch.from_numpy(np.random.default_rng(epoch_seed(config.seed, epoch, 0)).permutation(len(train_set)))
        augment_generator = torch.Generator().manual_seed(epoch_seed(config.seed, epoch, 1, rank))
        torch.manual_seed(epoch_seed(config.seed, epoch, 2, rank))
        _seed_model_generators(model, epoch_seed(config.seed, epoch, 3, rank))
        model.train()
        # Running sums stay on the device: reading them (a host sync on a GPU) happens only every
        # SYNC_EVERY batches, for the bar and the finite check, and once at the end of the epoch. float64 keeps them
        # equal to summing Python floats in the same order.
        running_loss = torch.zeros((), dtype=torch.float64, device=device)
        running_wrong = torch.zeros((), dtype=torch.int64, device=device)
        seen = 0
        local_seen = 0
        bar = _progress_bar(
            len(train_set), f"{description} ep {epoch + 1}/{config.epochs}", enabled=progress and context.writes
        )
        for step, batch_index in enumerate(_batches(len(train_set), config.batch_size, order.to(device))):
            index = distributed.shard(batch_index, context)
            x = train_set.images[index]
            y = train_set.labels[index]
            if config.augment:
                x = _augment(x, config, augment_generator)
            logits = net(x)
            batch = int(y.shape[0])
            global_batch = int(batch_index.shape[0])
            if context.active:
                # DDP averages the ranks' gradients: scaled so, the average is the global batch's mean gradient.
                loss_sum = nn.functional.cross_entropy(logits, y, reduction="sum")
                loss = loss_sum * (context.world_size / global_batch)
                running_loss += loss_sum.detach().double()
            else:
                loss = loss_fn(logits, y)
                running_loss += loss.detach().double() * batch
            if regularizer is not None:  # not part of the reported loss: that stays the cross-entropy
                loss = loss + regularizer()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            running_wrong += (logits.detach().argmax(dim=1) != y).sum()
            seen += global_batch
            local_seen += batch
            if bar is not None:
                bar.update(global_batch)
            if (step + 1) % SYNC_EVERY == 0 or seen == len(train_set):
                mean_loss = float(running_loss) / max(local_seen, 1)
                if not math.isfinite(mean_loss):
                    raise FloatingPointError(
                        f"[{description}] the training loss became {mean_loss} in epoch {epoch + 1}: lower the "
                        "learning rate"
                    )
                if bar is not None:
                    bar.set_postfix(loss=f"{mean_loss:.3f}", err=f"{int(running_wrong) / seen:.3f}", refresh=False)
        if bar is not None:
            bar.close()
        running_loss, running_wrong = distributed.all_sum(running_loss, running_wrong)
        if config.train_eval_size > 0:
            train_loss, train_error = evaluate(model, train_set, limit=config.train_eval_size)
        else:
            train_loss, train_error = float(running_loss) / seen, int(running_wrong) / seen
        test_loss, test_error = evaluate(model, test_set)
        row = {
            "epoch": epoch + 1,
            "train_loss": train_loss,
            "train_error": train_error,
            "test_loss": test_loss,
            "test_error": test_error,
            "lr": lr,
            "seconds": time.perf_counter() - start_time,
        }
        history.rows.append(row)
        # Metrics first, then the checkpoint: a run killed in between redoes one epoch and rewrites the same rows.
        if context.writes:
            checkpoints.write_metrics(files, history.rows, config, extra)
            checkpoints.save(files, model, optimizer, history.rows, config, extra)
        # One line per epoch that stays on screen (the bar of the epoch, if any, is gone by now).
        if context.writes:
            print(
                f"[{description}] epoch {epoch + 1}/{config.epochs}: train loss {train_loss:.4f} "
                f"err {train_error:.4f} | test loss {test_loss:.4f} err {test_error:.4f} | {row['seconds']:.1f} s",
                flush=True,
            )
        if on_epoch is not None:
            on_epoch(epoch + 1, row)
    return history


def _progress_bar(total: int, description: str, *, enabled: bool) -> Any:
    if not enabled or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # progress bars are a nicety; the per-epoch line still reports everything
        return None
    return tqdm(total=total, desc=description, unit="img", leave=False, dynamic_ncols=True, file=sys.stderr)


def run_seed(base: int, *parts: int | str) -> int:
    """A seed for one run, derived from the base ``--seed`` and the run's identity (stable across Python runs).

    Examples
    --------
    >>> run_seed(0, "classify", "fashion-mnist", 0) == run_seed(0, "classify", "fashion-mnist", 0)
    True
    >>> run_seed(0, "classify", "fashion-mnist", 0) != run_seed(0, "classify", "fashion-mnist", 1)
    True
    """
    words = [base] + [sum((i + 1) * ord(c) for i, c in enumerate(p)) if isinstance(p, str) else p for p in parts]
    return int(np.random.SeedSequence(words).generate_state(1)[0])


def train_run(
    model: nn.Module,
    train_set: ImageSet,
    test_set: ImageSet,
    config: TrainConfig,
    run_dir: Path,
    *,
    name: str,
    extra: dict[str, Any],
    resume: bool,
    progress: bool,
    regularizer: Callable[[], torch.Tensor] | None = None,
    lr_scales: dict[str, float] | None = None,
) -> dict[str, Any]:
    """:func:`train` one run of an experiment and return its record: ``extra``, curves, parameter count, time."""
    from spectralcore_torch import models

    history = train(
        model,
        train_set,
        test_set,
        config,
        run_dir,
        resume=resume,
        progress=progress,
        description=name,
        extra=extra,
        regularizer=regularizer,
        lr_scales=lr_scales,
    )
    curves = {key: history.column(key) for key in ("train_error", "test_error", "train_loss", "test_loss")}
    return {
        **extra,
        "run": name,
        "parameters": models.count_parameters(model),
        **curves,
        "seconds": sum(history.column("seconds")),
    }
