"""Command line of the reproduction: ``python -m spectralcore_experiments [all|info|convergence|classify] ...``.

The experiments are the entries of :data:`spectralcore_experiments.registry.EXPERIMENTS`. Every option of every
experiment that will run is checked before the first one starts; a user error (a bad option, a missing or damaged
dataset, a checkpoint that cannot be resumed, a diverging run) ends with one message and exit status 2, Ctrl-C
with one line and exit status 130. Nothing is left half-written: every file is written to a temporary file and
renamed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from spectralcore_experiments import distributed, options, report
from spectralcore_experiments.checkpoints import CheckpointError
from spectralcore_experiments.datasets import DatasetError
from spectralcore_experiments.options import OptionError
from spectralcore_experiments.registry import EXPERIMENTS
from spectralcore_experiments.tuning import mask_url

PROG = "python -m spectralcore_experiments"
# What `all` runs (Experiment.in_all): the paper's three experiments and the learned-strides test of DiffStride's
# claim. shift and tune run on their own, to keep quick within its budget.
IN_ALL = tuple(name for name, experiment in EXPERIMENTS.items() if experiment.in_all)
SCALES = ("tiny", "quick", "standard", "paper")
# Wall time of `all` per scale (2-core CPU unless said). quick: info, convergence and classify measured together
# at 8.2 min on 2026-12-02 (docs/report), strides alone after them (35 s). standard: measured on 2026-12-02
# (docs/report/standard; its convergence part shared the machine), strides estimated from the quick run.
DURATIONS = {
    "tiny": "about 30 s of CPU time (--threads 1; the numbers mean nothing)",
    "quick": "about 9 minutes on a 2-core CPU (measured: info 0.3, convergence 3.4, classify 4.5, strides 0.6 min)",
    "standard": "about 1.5 hours on a 2-core CPU (measured: info 0.9, convergence 52, classify 39 min; strides ~7)",
    "paper": "hours on a GPU (--device cuda); not meant for a CPU",
}
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for a command stopped by Ctrl-C

DESCRIPTION_TEMPLATE = f"""\
Reproduce the three results of Rippel, Snoek & Adams, "Spectral Representations for Convolutional Neural
Networks" (NeurIPS 2015) on data available offline, and write a report folder (PNG figures, report.md, JSON).

{chr(10).join(f"  {name:<12} {experiment.summary}" for name, experiment in EXPERIMENTS.items())}
  all          {", ".join(IN_ALL)}, then the report (default)

Scales (--scale; every option below overrides its preset):
{{scales}}
"""


def scale_lines() -> str:
    """The settings of every scale, read from the experiments' presets (so --help cannot drift from them)."""
    from spectralcore_experiments import classification, convergence, information

    lines = []
    for scale in SCALES:
        info = information.SCALES[scale]
        conv = convergence.SCALES[scale]
        cls = classification.SCALES[scale]

        def count(n: int) -> str:
            return "all" if n == 0 else str(n)

        configs = ", ".join(cls.get("configs", list(classification.CONFIGS)))
        lines.append(
            f"  {scale:<9} {DURATIONS[scale]}\n"
            f"            info: {info['crops']} crops per size, {count(info['images'])} test images\n"
            f"            convergence: {count(conv['train'])} train / {count(conv['test'])} test images, "
            f"{conv['epochs']} epochs, "
            f"width {conv['width']:g}, {convergence.SEEDS[scale]} seed(s)\n"
            f"            classify: {count(cls['train'])} train / {count(cls['test'])} test images, {cls['epochs']} "
            f"epochs, width {cls['width']:g}, M={cls['stages']}, {cls['seeds']} seed(s),\n"
            f"            configurations {configs}"
        )
    return "\n".join(lines)


DESCRIPTION = DESCRIPTION_TEMPLATE.replace("{scales}", scale_lines())

EPILOG = f"""\
examples:
  {PROG}                                  # everything, quick scale, into results/report/
  {PROG} --scale standard --out results/standard   # the 2-hour CPU run
  {PROG} classify --scale paper --device cuda --cifar-dir ~/data/cifar-10-python.tar.gz
  {PROG} convergence --resume             # continue an interrupted run where it stopped
  {PROG} tune --tune-workers 4            # hyper-parameter search; rerun to continue the study
  optuna-dashboard --host 127.0.0.1 results/report/tune/study.journal   # watch it live (localhost only)
"""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (common options plus every experiment's own)."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=f"{PROG} [{{all,{','.join(EXPERIMENTS)}}}] [options]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "experiment",
        nargs="?",
        default="all",
        choices=["all", *EXPERIMENTS],
        help="which experiment to run (default: all, then the report)",
    )
    common = parser.add_argument_group("common options")
    common.add_argument(
        "--out",
        type=Path,
        default=Path("results/report"),
        metavar="DIR",
        help="report folder (default: results/report)",
    )
    common.add_argument(
        "--scale",
        choices=SCALES,
        default="quick",
        help="problem size: tiny, quick (default), standard or paper (settings above)",
    )
    common.add_argument(
        "--seed", type=int, default=0, help="base random seed >= 0; every run derives its own (default 0)"
    )
    common.add_argument(
        "--device",
        default="cpu",
        help="torch device for training, e.g. cpu (default), cuda, cuda:1, mps",
    )
    common.add_argument(
        "--threads",
        type=int,
        default=None,
        help="CPU threads for torch (default: torch's own choice, usually the number of cores)",
    )
    common.add_argument(
        "--fashion-mnist-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder with the four Fashion-MNIST IDX files (default: $SPECTRALCORE_FASHION_MNIST, else "
        "/usr/share/datasets/fashion-mnist from the Debian package dataset-fashion-mnist)",
    )
    common.add_argument(
        "--cifar-dir",
        type=Path,
        default=None,
        metavar="PATH",
        help="a local CIFAR-10 or CIFAR-100 copy (python or binary version, folder or .tar.gz). Experiments 1 and 3 "
        "add it to Fashion-MNIST, experiment 2 trains on it instead (as the paper). Nothing is downloaded.",
    )
    common.add_argument(
        "--cifar-label",
        choices=("fine", "coarse"),
        default="fine",
        help="CIFAR-100 label set (default fine: 100 classes)",
    )
    common.add_argument(
        "--no-verify",
        action="store_true",
        help="skip the MD5 checks of the known dataset files (for re-packed copies)",
    )
    common.add_argument(
        "--resume",
        action="store_true",
        help="continue interrupted training runs from their last checkpoint; finished runs are not redone",
    )
    common.add_argument(
        "--no-progress", action="store_true", help="no progress bars (the one-line summary per epoch stays)"
    )
    for name, experiment in EXPERIMENTS.items():
        experiment.add_arguments(parser.add_argument_group(f"{name} options"))
    return parser


def check(args: argparse.Namespace) -> list[str]:
    """Check the common options and the options of every experiment that will run; return their names.

    Raises
    ------
    OptionError
        The first option found out of range (the message names it). Nothing has run or been written yet.
    """
    names = list(IN_ALL) if args.experiment == "all" else [args.experiment]
    options.check_common(args)
    for name in names:
        EXPERIMENTS[name].settings(args)
    return names


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, check it, run the chosen experiment(s), write the report; returns the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Every file is written atomically, so an interrupted run leaves only complete files behind.
        print(
            f"\n{PROG}: interrupted; every file written so far is complete: rerun with --resume to continue",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    finally:
        distributed.shutdown()


def _main(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)
    try:
        names = check(args)
        options.prepare_out(args.out)
    except OptionError as exc:
        return _error(None, exc)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    try:
        # Under torchrun: join the process group (a no-op in a plain run); rank 0 alone writes the report.
        context = distributed.init_from_env(options.training_device(args.device))
    except OptionError as exc:
        return _error(None, exc)
    out: Path = args.out
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    for name in names:
        print(f"\n=== {name} ({args.scale} scale) -> {out / name}", flush=True)
        start = time.perf_counter()
        try:
            results[name] = EXPERIMENTS[name].run_and_save(args, out)
        # A problem the user can fix, and the message says how: no traceback.
        except (DatasetError, CheckpointError, OptionError, FloatingPointError) as exc:
            return _error(name, exc)
        timings[name] = time.perf_counter() - start
        print(f"=== {name} done in {timings[name]:.1f} s", flush=True)
    if not context.writes:
        return 0
    # The report covers every experiment that has a result in the folder, so `... info` after a full run refreshes
    # one section and keeps the others.
    # The report quotes the command: a database password given with --storage must not reach it.
    words = [mask_url(word) for word in (sys.argv[1:] if argv is None else argv)]
    path = report.write_report(out, EXPERIMENTS, results, timings, args, argv=words)
    print(f"\nreport: {path}")
    print(f"figures and JSON: {os.fspath(out)}/")
    return 0


def _error(name: str | None, exc: Exception) -> int:
    print(f"{PROG}{' ' + name if name else ''}: error: {exc}", file=sys.stderr)
    return EXIT_USAGE
