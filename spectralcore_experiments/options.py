"""Checks of the command line's options, all made before any experiment starts.

Every check raises :class:`OptionError` with a message that names the option, what it expects and what it got;
the CLI prints it and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

import torch

# Bounds of the common options (the experiments bound their own).
MAX_SEED = 2**63 - 1
MAX_THREADS = 1024
DEVICE_TYPES = ("cpu", "cuda", "mps")


class OptionError(ValueError):
    """A command-line option is out of range or does not fit the machine; the message names the option."""


def require(option: str, value: object, ok: bool, expected: str) -> None:
    """Raise an :class:`OptionError` ``"<option>: expected <expected>, got <value>"`` unless ``ok``."""
    if not ok:
        raise OptionError(f"{option}: expected {expected}, got {value!r}")


def finite(value: float) -> bool:
    """Whether ``value`` is a finite number (NaN and ±inf parse as floats, and compare False to everything)."""
    return math.isfinite(value)


def training_device(text: str) -> torch.device:
    """The torch device named by ``--device``, checked to be one that trains and that this machine has.

    Examples
    --------
    >>> training_device("cpu")
    device(type='cpu')
    >>> try:
    ...     training_device("meta")
    ... except OptionError as exc:
    ...     print(exc)
    --device meta: expected cpu, cuda, cuda:N or mps (a device that holds data), got a meta device
    """
    try:
        device = torch.device(text)
    except (RuntimeError, ValueError, TypeError) as exc:
        raise OptionError(f"--device: expected a torch device such as cpu, cuda or cuda:1, got {text!r}") from exc
    if device.type not in DEVICE_TYPES:
        raise OptionError(
            f"--device {text}: expected cpu, cuda, cuda:N or mps (a device that holds data), got a {device.type} device"
        )
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise OptionError(
                f"--device {text}: this torch build ({torch.__version__}) sees no CUDA device; use --device cpu, or "
                "install a CUDA build of torch on a machine with a GPU"
            )
        count = torch.cuda.device_count()
        if device.index is not None and device.index >= count:
            raise OptionError(f"--device {text}: this machine has {count} CUDA device(s), numbered 0 to {count - 1}")
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise OptionError(f"--device {text}: MPS (Apple GPU) is not available on this machine; use --device cpu")
    return device


def check_common(args: argparse.Namespace) -> None:
    """The options every experiment shares, except ``--out`` (see :func:`prepare_out`)."""
    require("--seed", args.seed, 0 <= args.seed <= MAX_SEED, "an integer in [0, 2**63 - 1]")
    if args.threads is not None:
        require("--threads", args.threads, 1 <= args.threads <= MAX_THREADS, f"an integer in [1, {MAX_THREADS}]")
    training_device(args.device)
    if args.fashion_mnist_dir is not None and not Path(args.fashion_mnist_dir).expanduser().is_dir():
        raise OptionError(
            f"--fashion-mnist-dir: expected a folder holding the four Fashion-MNIST IDX files, got "
            f"{str(args.fashion_mnist_dir)!r}, which is not a folder"
        )
    if args.cifar_dir is not None and not Path(args.cifar_dir).expanduser().exists():
        raise OptionError(
            f"--cifar-dir: expected a local CIFAR-10/100 copy (a .tar.gz archive or a folder), got "
            f"{str(args.cifar_dir)!r}, which does not exist. Nothing is downloaded: get the python version from "
            "https://www.cs.toronto.edu/~kriz/cifar.html"
        )


def prepare_out(out: Path) -> None:
    """Create the report folder ``--out`` and check that files can be written in it."""
    if out.exists() and not out.is_dir():
        raise OptionError(f"--out: expected a report folder, got {str(out)!r}, which is a file")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise OptionError(
            f"--out: cannot write a report folder at {str(out)!r} ({exc.strerror or type(exc).__name__})"
        ) from exc
