"""The experiments the command line knows, each behind one small interface (:class:`Experiment`).

To add one (a search, a new measurement), write its measurement module and its report module, and add an
:class:`Experiment` to :data:`EXPERIMENTS`: the CLI, the option checks and the report pick it up from there.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spectralcore_experiments import (
    atomic,
    classification,
    classification_report,
    convergence,
    convergence_report,
    distributed,
    information,
    information_report,
    shift,
    shift_report,
    strides,
    strides_report,
    tuning,
    tuning_report,
)


@dataclass(frozen=True)
class Experiment:
    """One experiment: its options, their check, the measurement, and its figures and report section.

    Attributes
    ----------
    name : str
        The command-line name; also the name of its folder and JSON file in the report folder.
    summary : str
        One line for ``--help``.
    add_arguments : callable
        ``add_arguments(group)`` adds the experiment's own options (each prefixed, e.g. ``--cls-``).
    settings : callable
        ``settings(args) -> dict``: the options applied to the ``--scale`` preset and checked; raises
        :class:`~spectralcore_experiments.options.OptionError`. Called for every experiment before any starts.
    run : callable
        ``run(args, out_dir) -> dict``: measures (or trains), writes its run files into ``out_dir`` and returns a
        JSON-able result.
    figures : callable
        ``figures(result, out_dir) -> dict``: draws the figures into ``out_dir`` and returns their file names.
    markdown : callable
        ``markdown(result, report_dir) -> str``: the experiment's section of ``report.md`` (links relative to
        ``report_dir``).
    in_all : bool
        Whether ``all`` runs it (a search is run on purpose, not as part of the reproduction).
    """

    name: str
    summary: str
    add_arguments: Callable[[argparse._ArgumentGroup], None]
    settings: Callable[[argparse.Namespace], dict[str, Any]]
    run: Callable[[argparse.Namespace, Path], dict[str, Any]]
    figures: Callable[[dict[str, Any], Path], dict[str, str]]
    markdown: Callable[[dict[str, Any], Path], str]
    in_all: bool = True

    def result_file(self, out: Path) -> Path:
        """Where the result JSON of this experiment lives in the report folder ``out``."""
        return Path(out) / self.name / f"{self.name}.json"

    def run_and_save(self, args: argparse.Namespace, out: Path) -> dict[str, Any]:
        """Run into ``out/<name>/``, draw the figures there, and write ``<name>.json`` (atomically) last."""
        out_dir = Path(out) / self.name
        result = self.run(args, out_dir)
        if distributed.current().writes:  # under torchrun, rank 0 alone
            result["figures"] = self.figures(result, out_dir)
            atomic.write_json(self.result_file(out), result)
        return result


# CLI names stay short (they prefix the options: --info-*, --conv-*, --cls-*); the modules say what they are.
EXPERIMENTS: dict[str, Experiment] = {
    experiment.name: experiment
    for experiment in (
        Experiment(
            name="info",
            summary="experiment 1: information preservation of spectral vs max/average pooling (paper Fig. 2, 4a)",
            add_arguments=information.add_arguments,
            settings=information.settings,
            run=information.run,
            figures=information_report.figures,
            markdown=information_report.markdown,
        ),
        Experiment(
            name="convergence",
            summary="experiment 2: convergence speed-up of the spectral filter parameterization (paper Fig. 5)",
            add_arguments=convergence.add_arguments,
            settings=convergence.settings,
            run=convergence.run,
            figures=convergence_report.figures,
            markdown=convergence_report.markdown,
        ),
        Experiment(
            name="classify",
            summary="experiment 3: spectral pooling + frequency dropout against max pooling (paper §5.1)",
            add_arguments=classification.add_arguments,
            settings=classification.settings,
            run=classification.run,
            figures=classification_report.figures,
            markdown=classification_report.markdown,
        ),
        Experiment(
            name="strides",
            summary="learned strides of spectral pooling from good (2) and poor (3) starts (DiffStride's claim)",
            add_arguments=strides.add_arguments,
            settings=strides.settings,
            run=strides.run,
            figures=strides_report.figures,
            markdown=strides_report.markdown,
        ),
        Experiment(
            name="shift",
            summary="shift consistency of spectral, cosine, max, average and blur pooling (not part of all)",
            add_arguments=shift.add_arguments,
            settings=shift.settings,
            run=shift.run,
            figures=shift_report.figures,
            markdown=shift_report.markdown,
            in_all=False,
        ),
        Experiment(
            name="tune",
            summary="the paper's hyper-parameter search of the §5.1 net on Optuna (not part of all)",
            add_arguments=tuning.add_arguments,
            settings=tuning.settings,
            run=tuning.run,
            figures=tuning_report.figures,
            markdown=tuning_report.markdown,
            in_all=False,
        ),
    )
}
