"""Write the API reference pages from the packages' public names, before Sphinx reads any source.

The packages are the import packages of the wheel (``pyproject.toml``, ``[tool.hatch.build.targets.wheel]``), so a
new adapter appears in the reference as soon as it ships. Within a package, the public modules are those whose
dotted path has no component starting with ``_``. A module's public names are its ``__all__``; a module without
one is read the Python way: every name without a leading underscore that the module defines itself (functions,
classes, and constants assigned in its source). So a new public name gets its page without anyone editing the
documentation, and a build that lost one fails (:func:`check_documented`).

Each object is documented once, on a page of its own, under its shortest public path (``spectralcore.lowpass``,
not ``spectralcore._pooling.lowpass``). Module pages list their names in tables, in groups: for a package that
re-exports its private modules, one group per private module, titled with that module's first docstring line;
otherwise by kind. A constant has no docstring, so its description is the comment block written above its
assignment.

Everything is written into ``api/generated/`` (ignored by git); unchanged files are not rewritten, so incremental
builds stay incremental. Resolving references between these pages is :mod:`api_links`' job.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import tomllib
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.errors import ExtensionError
from sphinx.util import logging, rst

logger = logging.getLogger(__name__)

GENERATED = Path("api") / "generated"
KIND_TITLES = {"class": "Classes", "exception": "Exceptions", "function": "Functions", "data": "Constants"}
OBJECT_KINDS = ("function", "class", "exception")


@dataclass
class Entry:
    """One public name of one module."""

    module: str  # the module that lists the name
    name: str
    kind: str  # "function", "class", "exception", "data" or "module"
    value: Any
    canonical: str = ""  # full dotted name under which it is documented (decided once every module is scanned)

    @property
    def full_name(self) -> str:
        return f"{self.module}.{self.name}"

    @property
    def documented_here(self) -> bool:
        return self.canonical == self.full_name


@dataclass
class ModuleInfo:
    name: str
    module: types.ModuleType
    entries: list[Entry] = field(default_factory=list)
    submodules: list[str] = field(default_factory=list)


@dataclass
class ApiIndex:
    """What the pages document, for resolving references (:mod:`api_links`) and checking completeness."""

    packages: list[str]
    modules: list[ModuleInfo]
    # identity of an object (see `identity`) -> the full name it is documented under
    canonical: dict[tuple[str, ...], str]
    # docname of an object's page -> the module that defines the object (its docstring's namespace)
    page_namespace: dict[str, str]


def wheel_packages(root: Path) -> list[str]:
    """The import packages the wheel ships, in ``pyproject.toml``'s order."""
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    try:
        paths = config["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    except KeyError as exc:
        raise ExtensionError(
            f"api_pages: pyproject.toml has no [tool.hatch.build.targets.wheel] packages ({exc})"
        ) from exc
    return [Path(path).name for path in paths]


def _import(name: str) -> types.ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        # The reference covers every package: a missing framework is an error of the environment, not a page to
        # leave out silently.
        raise ExtensionError(f"api_pages: cannot import {name} to document it: {exc}") from exc


def submodule_names(package: str, *, public: bool) -> list[str]:
    """The submodules of ``package``, depth first; never ``__main__`` (importing it would run a command line)."""
    top = _import(package)
    if not hasattr(top, "__path__"):
        return []
    names = []
    for info in pkgutil.walk_packages(top.__path__, prefix=package + "."):
        parts = info.name.split(".")
        if parts[-1] == "__main__" or (public and any(part.startswith("_") for part in parts)):
            continue
        names.append(info.name)
    return names


def kind_of(value: Any) -> str:
    if inspect.ismodule(value):
        return "module"
    if inspect.isclass(value):
        return "exception" if issubclass(value, BaseException) else "class"
    if inspect.isfunction(value) or inspect.isbuiltin(value) or isinstance(value, types.MethodType):
        return "function"
    return "data"


def _assigned_names(source: str) -> dict[str, ast.stmt]:
    """Top-level assignments of a module's source: name -> the statement."""
    assigned: dict[str, ast.stmt] = {}
    for node in ast.parse(source).body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                assigned.setdefault(target.id, node)
    return assigned


def _source(module: types.ModuleType) -> str:
    try:
        return inspect.getsource(module)
    except (OSError, TypeError):
        return ""


def public_names(module: types.ModuleType) -> list[str]:
    """``__all__``, or else what the module itself defines under a public name."""
    listed = getattr(module, "__all__", None)
    if listed is not None:
        missing = [name for name in listed if not hasattr(module, name)]
        if missing:
            raise ExtensionError(f"api_pages: {module.__name__}.__all__ names {missing}, which it does not define")
        return list(listed)
    assigned = _assigned_names(_source(module))
    names = []
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        kind = kind_of(value)
        defined_here = getattr(value, "__module__", None) == module.__name__
        if (kind in OBJECT_KINDS and defined_here) or (kind == "data" and name in assigned):
            names.append(name)
    return names


def identity(value: Any, kind: str, package: str, name: str) -> tuple[str, ...]:
    """The same object wherever it is re-exported (constants, which may be shared ints, are told apart by name)."""
    if kind in OBJECT_KINDS:
        return (value.__module__, value.__qualname__)
    if kind == "module":
        return ("module", value.__name__)
    return ("data", package, name)


def scan(package: str) -> tuple[list[ModuleInfo], dict[tuple[str, ...], str]]:
    """Every public module of ``package`` with its entries, and where each object is documented."""
    infos = []
    for name in [package, *submodule_names(package, public=True)]:
        module = _import(name)
        info = ModuleInfo(name, module)
        for attr in public_names(module):
            value = getattr(module, attr)
            info.entries.append(Entry(name, attr, kind_of(value), value))
        infos.append(info)
    by_name = {info.name: info for info in infos}
    for info in infos:
        parent = info.name.rpartition(".")[0]
        if parent in by_name:
            by_name[parent].submodules.append(info.name)
    canonical: dict[tuple[str, ...], str] = {}
    for info in sorted(infos, key=lambda i: (i.name.count("."), i.name)):
        for entry in info.entries:
            key = identity(entry.value, entry.kind, package, entry.name)
            if entry.kind == "module":
                entry.canonical = canonical.setdefault(key, entry.value.__name__)
            else:
                entry.canonical = canonical.setdefault(key, entry.full_name)
    return infos, canonical


# -- the description of a constant: the comment block above its assignment ------------------------------------
def _comment_above(source: str, statement: ast.stmt) -> str:
    lines = source.splitlines()
    comment: list[str] = []
    row = statement.lineno - 2
    while row >= 0 and lines[row].lstrip().startswith("#"):
        comment.insert(0, lines[row].lstrip().lstrip("#:").strip())
        row -= 1
    return " ".join(line for line in comment if line)


def constant_description(package: str, name: str, listing_module: str) -> str:
    """The comment above the assignment of ``name``: in the listing module, or in the package's module defining it."""
    for module_name in [listing_module, package, *submodule_names(package, public=False)]:
        source = _source(importlib.import_module(module_name))
        statement = _assigned_names(source).get(name)
        if statement is not None:
            return _comment_above(source, statement)
    return ""


# -- writing ----------------------------------------------------------------------------------------------------
def _heading(text: str, underline: str) -> list[str]:
    return [text, underline * len(text), ""]


def first_docstring_line(module: types.ModuleType) -> str:
    doc = inspect.getdoc(module) or module.__name__
    return doc.strip().splitlines()[0].rstrip(".")


def groups(info: ModuleInfo) -> list[tuple[str, list[Entry]]]:
    """Titled groups of the names a module page documents or links to (submodules are listed apart)."""
    entries = [e for e in info.entries if e.kind != "module"]
    private_sources = {
        e.value.__module__
        for e in entries
        if e.kind in OBJECT_KINDS and e.documented_here and e.value.__module__.startswith(info.name + "._")
    }
    if not private_sources:
        by_kind: dict[str, list[Entry]] = {}
        for entry in entries:
            by_kind.setdefault(entry.kind, []).append(entry)
        return [(KIND_TITLES[kind], by_kind[kind]) for kind in KIND_TITLES if kind in by_kind]
    # A package re-exporting its private modules: one group per module, in the order of each one's first name.
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        source = entry.value.__module__ if entry.kind in OBJECT_KINDS else ""
        grouped.setdefault(source if source in private_sources else f"kind:{entry.kind}", []).append(entry)
    # Groups in the order the package's docstring first names one of their members (the author's order of ideas);
    # groups it never names, then the constants, last.
    doc = inspect.getdoc(info.module) or ""

    def first_mention(item: tuple[str, list[Entry]]) -> tuple[int, int]:
        key, members = item
        if key.startswith("kind:"):
            return (2, 0)
        found = [doc.find(f"{e.name}`") for e in members if doc.find(f"{e.name}`") >= 0]
        return (0, min(found)) if found else (1, 0)

    titled = []
    for key, members in sorted(grouped.items(), key=first_mention):
        title = KIND_TITLES[key[5:]] if key.startswith("kind:") else first_docstring_line(importlib.import_module(key))
        titled.append((title, members))
    return titled


def _data_option(value: Any) -> str:
    """``:value:`` for a short literal, else ``:type:`` (the repr of an object is no help to a reader)."""
    text = " ".join(repr(value).split())
    try:
        ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return f":type: {type(value).__module__}.{type(value).__qualname__}"
    return f":value: {text}" if len(text) <= 160 else f":value: {text[:157]}..."


def comment_to_rst(comment: str) -> str:
    """A source comment as reST: `code` spans become literals, every other markup character is escaped."""
    pieces = comment.split("`")
    out = []
    for i, piece in enumerate(pieces):
        if i % 2 == 1 and i < len(pieces) - 1 and piece:
            out.append(f"``{piece}``")
        else:
            out.append(rst.escape(piece))
    return "".join(out)


def module_page(info: ModuleInfo, package: str) -> tuple[str, list[str]]:
    """The page of one module, and the full names of the objects that get pages of their own."""
    lines = _heading(info.name, "=")
    lines += doctest_namespace(info.name)
    lines += [f".. automodule:: {info.name}", "   :no-members:", ""]
    pages: list[str] = []
    for title, entries in groups(info):
        lines += _heading(title, "-")
        tabled = [e for e in entries if e.kind in OBJECT_KINDS or not e.documented_here]
        if tabled:
            lines += [".. api-table::", ""] + [f"   {e.canonical} {e.name}" for e in tabled] + [""]
            pages += [e.full_name for e in tabled if e.documented_here]
        for entry in entries:
            if entry.kind == "data" and entry.documented_here:
                lines += [f".. py:data:: {entry.name}", f"   {_data_option(entry.value)}", ""]
                description = constant_description(package, entry.name, info.name)
                if description:
                    lines += [f"   {comment_to_rst(description)}", ""]
    submodules = list(info.submodules)
    submodules += [e.canonical for e in info.entries if e.kind == "module" and e.canonical not in submodules]
    if submodules:
        lines += _heading("Modules", "-")
        lines += [".. api-table::", ""]
        lines += [f"   {name} {name.removeprefix(info.name + '.')}" for name in submodules] + [""]
    toctree = [*info.submodules, *pages]
    if toctree:
        lines += [".. toctree::", "   :hidden:", ""] + [f"   {name}" for name in toctree] + [""]
    return "\n".join(lines), pages


def doctest_namespace(module: str) -> list[str]:
    """A hidden ``testsetup`` that runs the page's examples in ``module``'s globals, as pytest's doctests do.

    ``pytest --doctest-modules`` runs a docstring's examples in the namespace of the module that defines it, so an
    example may use the module's names without importing them; ``sphinx -b doctest`` must do the same.
    """
    return [
        ".. testsetup::",
        "",
        "   import importlib as _importlib",
        "",
        f"   _namespace = vars(_importlib.import_module({module!r}))",
        "   globals().update({k: v for k, v in _namespace.items() if not k.startswith('__')})",
        "",
    ]


def object_page(entry: Entry) -> str:
    lines = _heading(entry.full_name, "=")
    lines += [f".. currentmodule:: {entry.module}", ""]
    lines += doctest_namespace(entry.value.__module__)
    if entry.kind == "function":
        lines += [f".. autofunction:: {entry.name}", ""]
    elif entry.kind == "exception":
        lines += [f".. autoexception:: {entry.name}", "   :show-inheritance:", ""]
    else:
        # :inherited-members: for what a class inherits from a private base of ours; api_links keeps out what it
        # inherits from the frameworks.
        lines += [f".. autoclass:: {entry.name}", "   :members:", "   :inherited-members:", "   :show-inheritance:", ""]
    # The gallery examples that use this object, if any (sphinx-gallery's backreferences).
    lines += [f".. minigallery:: {entry.full_name}", "   :add-heading: Examples in the gallery", ""]
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def generate(app: Sphinx) -> None:
    outdir = Path(app.srcdir) / GENERATED
    packages = wheel_packages(Path(app.config.api_pages_root))
    index = ApiIndex(packages, [], {}, {})
    written: set[Path] = set()
    for package in packages:
        infos, canonical = scan(package)
        index.modules += infos
        index.canonical.update(canonical)
        for info in infos:
            text, pages = module_page(info, package)
            _write(outdir / f"{info.name}.rst", text)
            written.add(outdir / f"{info.name}.rst")
            for entry in info.entries:
                if entry.full_name in pages:
                    _write(outdir / f"{entry.full_name}.rst", object_page(entry))
                    written.add(outdir / f"{entry.full_name}.rst")
                    index.page_namespace[f"{GENERATED.as_posix()}/{entry.full_name}"] = entry.value.__module__
    toc = ["..", "   Written by docs/_ext/api_pages.py: one entry per package of the wheel.", ""]
    toc += [".. toctree::", "   :maxdepth: 1", ""] + [f"   generated/{package}" for package in packages] + [""]
    _write(outdir / "packages.inc", "\n".join(toc))
    written.add(outdir / "packages.inc")
    # The page of a name that is gone must not linger: it would document an object that no longer exists.
    for stale in set(outdir.glob("*.rst")) - written:
        stale.unlink()
    app.api_index = index  # type: ignore[attr-defined]


def check_documented(app: Sphinx, env: BuildEnvironment) -> None:
    """Every public name must have become a documented object (a warning otherwise: an error under -W)."""
    objects = env.domains["py"].objects
    index: ApiIndex = app.api_index  # type: ignore[attr-defined]
    for info in index.modules:
        if info.name not in objects:
            logger.warning("api_pages: public module %s is not documented in the API reference", info.name)
        for entry in info.entries:
            if entry.documented_here and entry.full_name not in objects:
                logger.warning("api_pages: public name %s is not documented in the API reference", entry.full_name)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("api_pages_root", "..", "env")
    # Before sphinx-gallery and the reading of sources, which need the pages written here.
    app.connect("builder-inited", generate, priority=100)
    app.connect("env-check-consistency", check_documented)
    app.setup_extension("api_links")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
