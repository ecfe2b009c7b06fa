"""Tables the site reads from the repository when it is built, so that they cannot go stale.

* ``.. extras-table::`` lists the optional dependencies of ``pyproject.toml`` (``pip install 'spectralcore[...]'``).
* ``.. cli-help::`` prints ``python -m spectralcore_experiments --help``, taken from the parser itself.
* ``.. benchmark-machines:: <folder>`` lists every ``*.json`` result in the folder with the machine it came from.
  The benchmark scripts have written their machine description in several layouts over time; each field is looked
  up under every name they used, and one that no layout recorded reads "not recorded". A file that is not valid
  JSON is a warning (an error under ``-W``).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

NOT_RECORDED = "not recorded"


class _TableDirective(SphinxDirective):
    def parse_rst(self, lines: list[str]) -> list[nodes.Node]:
        container = nodes.container()
        self.state.nested_parse(StringList(lines, source=self.get_source_info()[0]), self.content_offset, container)
        return list(container.children)

    @property
    def root(self) -> Path:
        return Path(self.config.api_pages_root)


class ExtrasTable(_TableDirective):
    def run(self) -> list[nodes.Node]:
        pyproject = self.root / "pyproject.toml"
        self.env.note_dependency(str(pyproject))
        extras = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"].get("optional-dependencies", {})
        rows = [".. list-table::", "   :header-rows: 1", "   :widths: 15 85", "", "   * - extra", "     - installs"]
        for name, requirements in extras.items():
            rows += [f"   * - ``[{name}]``", "     - " + ", ".join(f"``{r}``" for r in requirements)]
        return self.parse_rst(rows)


class CliHelp(_TableDirective):
    def run(self) -> list[nodes.Node]:
        from spectralcore_experiments import cli

        # argparse wraps to the terminal's width: fix it, so the page does not depend on who built it.
        previous = os.environ.get("COLUMNS")
        os.environ["COLUMNS"] = "100"
        try:
            text = cli.build_parser().format_help()
        finally:
            if previous is None:
                del os.environ["COLUMNS"]
            else:
                os.environ["COLUMNS"] = previous
        block = nodes.literal_block(text, text, language="text")
        return [block]


def _first(*values: Any) -> Any:
    for value in values:
        if value not in (None, "", [], {}):
            return value
    return None


def describe(data: dict[str, Any]) -> dict[str, str]:
    """Date, command, CPU, GPU and library versions of one result file, from whichever keys it has."""
    machine = data.get("machine") or {}
    versions = machine.get("versions") or {}
    argv = machine.get("argv")
    command = _first(data.get("command"), " ".join(argv) if argv else None)
    date = _first(machine.get("date_utc"), machine.get("date"), data.get("date"))
    cpu = _first(machine.get("cpu_model"), machine.get("processor"), machine.get("cpu"))
    cores = _first(machine.get("cpu_count"), machine.get("cores"))
    gpus = machine.get("gpus")
    gpu = _first(", ".join(g.split(",")[0] for g in gpus) if gpus else None, machine.get("cuda"))
    device = data.get("device")
    if gpu is None and isinstance(device, str) and device not in ("cpu", ""):
        # bench_torch_layers.py records the CUDA device's name (or "cuda") here.
        gpu = device if not device.startswith("cuda") else "a CUDA device (model not recorded)"
    software = data.get("software") or {}
    libraries = []
    for name in ("torch", "jax", "tensorflow-cpu", "tensorflow", "keras", "cupy-cuda13x", "cupy-cuda12x", "numpy"):
        top = data.get(name) if name == "torch" else None
        version = _first(versions.get(name), machine.get(name), software.get(name), top)
        if isinstance(version, str):
            libraries.append(f"{name} {version}")
    return {
        "date": str(date)[:10] if date else NOT_RECORDED,
        "command": f"``{command}``" if command else NOT_RECORDED,
        "cpu": f"{cpu}, {cores} cores" if cpu and cores else str(cpu or NOT_RECORDED),
        "gpu": str(gpu) if gpu else "none",
        "libraries": ", ".join(libraries) if libraries else NOT_RECORDED,
    }


class BenchmarkMachines(_TableDirective):
    required_arguments = 1  # the results folder, relative to the document

    def run(self) -> list[nodes.Node]:
        folder = (Path(self.env.doc2path(self.env.docname)).parent / self.arguments[0]).resolve()
        files = sorted(folder.glob("*.json"))
        if not files:
            logger.warning("benchmark-machines: no JSON results in %s", folder, location=self.get_location())
            return []
        # One entry per file rather than a table: the commands are long, and five columns do not fit a page.
        rows: list[str] = []
        for path in files:
            self.env.note_dependency(str(path))
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                logger.warning("benchmark-machines: cannot read %s: %s", path, exc, location=self.get_location())
                continue
            info = describe(data if isinstance(data, dict) else {})
            rows += [
                f"``{path.name}``",
                f"   {info['date']}; {info['cpu']}; GPU: {info['gpu']}.",
                "",
                f"   - command: {info['command']}",
                f"   - libraries: {info['libraries']}",
                "",
            ]
        return self.parse_rst(rows)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("extras-table", ExtrasTable)
    app.add_directive("cli-help", CliHelp)
    app.add_directive("benchmark-machines", BenchmarkMachines)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
