"""The report folder: ``report.md`` (Markdown summary with the figures) and ``summary.json`` (every number)."""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from experiments import _io

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


def _stored_result(out: Path, name: str) -> dict[str, Any] | None:
    path = out / name / f"{name}.json"
    if not path.exists():
        return None
    with open(path, encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


def write_report(
    out: Path,
    modules: Mapping[str, ModuleType],
    results: Mapping[str, dict[str, Any]],
    timings: Mapping[str, float],
    args: argparse.Namespace,
    *,
    argv: Sequence[str],
) -> Path:
    """Write ``out/report.md`` and ``out/summary.json`` from this run's results and any earlier ones in ``out``."""
    sections = []
    every: dict[str, Any] = {}
    for name, module in modules.items():
        result = results.get(name) or _stored_result(out, name)
        if result is None:
            continue
        every[name] = result
        sections.append(module.markdown(result, out))
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    command = " ".join(["python -m experiments", shlex.join(list(argv))]).strip()
    ran = ", ".join(f"{name} {seconds / 60:.1f} min" for name, seconds in timings.items())
    header = [
        "# Reproduction report: Spectral Representations for Convolutional Neural Networks",
        "",
        "Rippel, Snoek & Adams, NeurIPS 2015, reproduced with spectralcore. Written by `experiments/` "
        f"(`{command}`) on {when}, at the **{args.scale}** scale, on {info['cpu']} "
        f"({info['cores']} cores, torch {info['torch']}, {info['torch_threads']} threads, device "
        f"`{args.device}`{', GPU ' + info['gpu'] if 'gpu' in info else ''}). This run: {ran or 'nothing new'}.",
        "",
        "Every number below is in `summary.json` and in each experiment's JSON; per-epoch metrics of every training "
        "run are in `<experiment>/runs/<run>/metrics.csv`.",
        "",
    ]
    _io.write_text(out / REPORT, "\n".join(header + sections))
    _io.write_json(
        out / SUMMARY,
        {
            "written": when,
            "command": command,
            "scale": args.scale,
            "machine": info,
            "seconds": dict(timings),
            "results": every,
        },
    )
    return out / REPORT
