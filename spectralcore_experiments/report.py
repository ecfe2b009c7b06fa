"""The report folder: ``report.md`` (Markdown summary with the figures) and ``summary.json`` (every number)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from spectralcore_experiments import atomic, verdicts
from spectralcore_experiments.registry import Experiment

REPORT = "report.md"
SUMMARY = "summary.json"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import numpy
    import torch

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:  # not Linux: platform.processor() is the best we have
        pass
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "platform": platform.platform(),
    }
    if torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(0)
    return info


def _stored_result(out: Path, experiment: Experiment) -> dict[str, Any] | None:
    """The result an earlier run left in ``out``, if any (an unreadable one is skipped, with a warning)."""
    path = experiment.result_file(out)
    if not path.exists():
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            loaded = json.load(handle)
    except (OSError, ValueError) as exc:
        print(f"report: skipping {path}: {exc}", file=sys.stderr)
        return None
    return loaded if isinstance(loaded, dict) else None


def write_report(
    out: Path,
    experiments: Mapping[str, Experiment],
    results: Mapping[str, dict[str, Any]],
    timings: Mapping[str, float],
    args: argparse.Namespace,
    *,
    argv: Sequence[str],
) -> Path:
    """Write ``out/report.md`` and ``out/summary.json`` from this run's results and any earlier ones in ``out``."""
    sections = []
    every: dict[str, Any] = {}
    for name, experiment in experiments.items():
        result = results.get(name) or _stored_result(out, experiment)
        if result is None:
            continue
        every[name] = result
        sections.append(experiment.markdown(result, out))
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    command = " ".join(["python -m spectralcore_experiments", shlex.join(list(argv))]).strip()
    ran = ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in timings.items())
    header = [
        "# Reproduction report: Spectral Representations for Convolutional Neural Networks",
        "",
        "Rippel, Snoek & Adams, NeurIPS 2015, reproduced with spectralcore. Written by `spectralcore_experiments` "
        f"(`{command}`) on {when}, at the **{args.scale}** scale, on {info['cpu']} "
        f"({info['cores']} cores, torch {info['torch']}, {info['torch_threads']} threads, device "
        f"`{args.device}`{', GPU ' + info['gpu'] if 'gpu' in info else ''}). This run: {ran or 'nothing new'}.",
        "",
        "Every number below is in `summary.json` and in each experiment's JSON; per-epoch metrics of every training "
        "run are in `<experiment>/runs/<run>/metrics.csv`.",
        "",
    ]
    verdict_rows = verdicts.table(every)
    sections.insert(0, verdicts.markdown(verdict_rows, str(args.scale)))
    atomic.write_text(out / REPORT, "\n".join(header + sections))
    atomic.write_json(
        out / SUMMARY,
        {
            "written": when,
            "command": command,
            "scale": args.scale,
            "machine": info,
            "seconds": dict(timings),
            "verdicts": verdict_rows,
            "results": every,
        },
    )
    return out / REPORT
