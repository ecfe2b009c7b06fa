"""Command line of the reproduction harness: ``python -m experiments [all|info|convergence|classify] ...``.

Each experiment module provides three functions, so that this file stays the only place that knows about all of
them:

* ``add_arguments(group)`` adds the experiment's own options (prefixed ``--info-``, ``--conv-``, ``--cls-``);
* ``run(args, out_dir) -> dict`` runs it, writes its figures and JSON into ``out_dir`` and returns a JSON-able dict;
* ``markdown(result, report_dir) -> str`` renders its section of the Markdown report (links relative to
  ``report_dir``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

EXPERIMENTS = {
    "info": "experiments.info",
    "convergence": "experiments.convergence",
    "classify": "experiments.classify",
}
SCALES = ("tiny", "quick", "paper")

DESCRIPTION = """\
Reproduce the three results of Rippel, Snoek & Adams, "Spectral Representations for Convolutional Neural
Networks" (NeurIPS 2015) on data available offline, and write a report folder (PNG figures, report.md, JSON).

  info         experiment 1: information preservation of spectral vs max/average pooling (paper Fig. 2, 4a)
  convergence  experiment 2: convergence speed-up of the spectral filter parameterization (paper Fig. 5)
  classify     experiment 3: spectral pooling + frequency dropout against max pooling (paper §5.1)
  all          the three, then the report (default)

Scales: "quick" (default) finishes in about 10 minutes on a 2-core CPU; "paper" uses the paper's widths and
epochs and is meant for a GPU (--device cuda); "tiny" is a seconds-long smoke run used by the tests.
"""

EPILOG = """\
examples:
  python -m experiments                                  # everything, quick scale, into results/report/
  python -m experiments classify --scale paper --device cuda --cifar-dir ~/data/cifar-10-python.tar.gz
  python -m experiments convergence --resume             # continue an interrupted run where it stopped
"""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (common options plus every experiment's own)."""
    parser = argparse.ArgumentParser(
        prog="python -m experiments",
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
    common.add_argument("--scale", choices=SCALES, default="quick", help="problem size: tiny, quick (default) or paper")
    common.add_argument("--seed", type=int, default=0, help="base random seed; every run derives its own (default 0)")
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
    for name, module in _modules().items():
        module.add_arguments(parser.add_argument_group(f"{name} options"))
    return parser


def _modules() -> dict[str, ModuleType]:
    return {name: importlib.import_module(path) for name, path in EXPERIMENTS.items()}


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, run the chosen experiment(s), write the report; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.threads is not None:
        if args.threads < 1:
            parser.error(f"--threads must be a positive integer, got {args.threads}")
        import torch

        torch.set_num_threads(args.threads)
    from experiments import report
    from experiments.data import DatasetError

    modules = _modules()
    names = list(EXPERIMENTS) if args.experiment == "all" else [args.experiment]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    timings: dict[str, float] = {}
    for name in names:
        print(f"\n=== {name} ({args.scale} scale) -> {out / name}", flush=True)
        start = time.perf_counter()
        try:
            results[name] = modules[name].run(args, out / name)
        except DatasetError as exc:
            # A data problem is the user's to fix, and the message says how: no traceback.
            print(f"python -m experiments {name}: error: {exc}", file=sys.stderr)
            return 2
        timings[name] = time.perf_counter() - start
        print(f"=== {name} done in {timings[name]:.1f} s", flush=True)
    # The report covers every experiment that has a result in the folder, so `python -m experiments info` after a
    # full run refreshes one section and keeps the others.
    path = report.write_report(out, modules, results, timings, args, argv=sys.argv[1:] if argv is None else argv)
    print(f"\nreport: {path}")
    print(f"figures and JSON: {os.fspath(out)}/")
    return 0
