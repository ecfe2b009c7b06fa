"""Multi-process training on ``torch.distributed``: ``torchrun --nproc-per-node N -m spectralcore_experiments ...``.

Under ``torchrun`` (its ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` variables) :func:`init_from_env` joins the
process group, gloo on the CPU and NCCL on CUDA, and the training loop wraps the net in ``DistributedDataParallel``.
Each global minibatch (the same order on every rank, drawn from ``(seed, epoch)``) is sharded by rank, each rank's
loss is scaled so that the averaged gradient is exactly the global batch's, and the epoch's metrics are summed over
the ranks: a run on N processes computes what one process computes with the same global batch, up to float
rounding, except the random streams of augmentation and dropout, which are drawn per rank from
``(seed, run, epoch, rank)``. Only rank 0 writes (metrics, checkpoints, JSON, figures, report); without
``torchrun`` nothing changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from spectralcore_experiments.options import OptionError


@dataclass(frozen=True)
class Context:
    """Where this process stands in the job: its rank, the number of processes, and whether it writes."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def active(self) -> bool:
        """Whether there are other processes to talk to."""
        return self.world_size > 1

    @property
    def writes(self) -> bool:
        """Only rank 0 writes files (and prints per-epoch lines)."""
        return self.rank == 0


_CONTEXT = Context()


def current() -> Context:
    """The context set by :func:`init_from_env` (one process, rank 0, until then).

    Examples
    --------
    >>> current().world_size, current().writes
    (1, True)
    """
    return _CONTEXT


def init_from_env(device: torch.device) -> Context:
    """Join the process group that ``torchrun`` set up (no-op without it); return and remember the context.

    Raises
    ------
    OptionError
        The variables are malformed, or ``device`` is a CUDA device while there are fewer GPUs than local ranks.
    """
    global _CONTEXT
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return _CONTEXT
    try:
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        local = int(os.environ.get("LOCAL_RANK", rank))
    except ValueError as exc:
        raise OptionError(f"torchrun: RANK, WORLD_SIZE and LOCAL_RANK must be integers ({exc})") from exc
    if world <= 1:
        return _CONTEXT
    import torch.distributed as dist

    backend = "gloo"
    if device.type == "cuda":
        if local >= torch.cuda.device_count():
            raise OptionError(
                f"--device {device}: local rank {local} has no GPU (this machine has {torch.cuda.device_count()}); "
                "start at most one process per GPU (--nproc-per-node)"
            )
        torch.cuda.set_device(local)
        backend = "nccl"
    if not dist.is_initialized():
        dist.init_process_group(backend=backend)
    _CONTEXT = Context(rank=rank, world_size=world, local_rank=local)
    return _CONTEXT


def check_batch(batch_size: int, context: Context) -> None:
    """Raise an :class:`OptionError` unless the world size divides the global batch.

    Examples
    --------
    >>> check_batch(32, Context(rank=0, world_size=2))
    >>> try:
    ...     check_batch(30, Context(rank=0, world_size=4))
    ... except OptionError as exc:
    ...     print(exc)
    torchrun: the world size 4 does not divide the batch size 30; use a number of processes that divides it
    """
    if batch_size % context.world_size:
        raise OptionError(
            f"torchrun: the world size {context.world_size} does not divide the batch size {batch_size}; use a "
            "number of processes that divides it"
        )


def shard(index: torch.Tensor, context: Context) -> torch.Tensor:
    """This rank's part of a global minibatch of example indices (every world-th one, from its rank)."""
    return index[context.rank :: context.world_size] if context.active else index


def all_sum(*values: torch.Tensor) -> list[torch.Tensor]:
    """Every value summed over the ranks (the values themselves with one process)."""
    if not current().active:
        return list(values)
    import torch.distributed as dist

    summed = []
    for value in values:
        value = value.clone()
        dist.all_reduce(value, op=dist.ReduceOp.SUM)
        summed.append(value)
    return summed


def wrap(model: torch.nn.Module) -> torch.nn.Module:
    """The net wrapped in ``DistributedDataParallel`` (the net itself with one process)."""
    if not current().active:
        return model
    from torch.nn.parallel import DistributedDataParallel

    device = next(model.parameters()).device
    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def barrier() -> None:
    """Wait for every rank (so that no rank reads a file rank 0 is about to write)."""
    if current().active:
        import torch.distributed as dist

        dist.barrier()


def shutdown() -> None:
    """Leave the process group (at the end of a ``torchrun`` job; a no-op otherwise)."""
    global _CONTEXT
    if current().active:
        import torch.distributed as dist

        if dist.is_initialized():
            dist.destroy_process_group()
        _CONTEXT = Context()
