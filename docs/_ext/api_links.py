"""References between the API pages that :mod:`api_pages` writes.

* ``.. api-table::`` lists objects with their one-line summaries, like autosummary, but parses each summary in the
  namespace of the module that defines the object. A summary is written in that module, so a name in it (say
  ``:class:`Experiment``` in the registry's docstring) means what it means there, not on the listing page. Each
  content line is ``<full name it is documented under> <name to display>``.
* A reference that Sphinx cannot resolve is looked up the way Python would read it: in the namespace of the module
  the docstring belongs to (the page's module, then the module defining the documented object). If the name is
  bound there to a documented object (``load_cifar`` inside ``datasets.cifar``, documented as
  ``spectralcore_experiments.datasets.load_cifar``), the reference goes to that object's page. Nothing else is
  guessed: a private helper, a misspelt name or a name that is not in scope stays unresolved, and nitpicky mode
  reports it with the page and the docstring.
* The warning for a reference that stays unresolved names the page as well as the docstring.
* Base classes with a private name (``_PaperNet``) have no page, so "Bases:" shows their nearest public ancestors.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import api_pages
from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


def import_object(full_name: str) -> Any:
    """The object a dotted name denotes: the longest importable module prefix, then attributes."""
    parts = full_name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            value: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for attr in parts[split:]:
                value = getattr(value, attr)
        except AttributeError:
            return None
        return value
    return None


def _namespace_of(value: Any, documented_as: str) -> str:
    if inspect.ismodule(value):
        return value.__name__
    module = getattr(value, "__module__", None)
    if isinstance(module, str) and api_pages.kind_of(value) in api_pages.OBJECT_KINDS:
        return module
    return documented_as.rpartition(".")[0]


def summary(value: Any, documented_as: str, package: str) -> str:
    """The first paragraph of the docstring (numpydoc's one-line summary), or a constant's comment."""
    if api_pages.kind_of(value) == "data":
        module, _, name = documented_as.rpartition(".")
        return api_pages.comment_to_rst(" ".join(api_pages.constant_description(package, name, module).split()))
    else:
        text = inspect.getdoc(value) or ""
    return " ".join(text.strip().split("\n\n")[0].split())


class ApiTable(SphinxDirective):
    has_content = True

    def run(self) -> list[nodes.Node]:
        table = nodes.table("", classes=["autosummary", "longtable"])
        group = nodes.tgroup("", cols=2)
        table.append(group)
        group += [nodes.colspec("", colwidth=10), nodes.colspec("", colwidth=90)]
        body = nodes.tbody("")
        group.append(body)
        context = self.env.ref_context
        saved = context.get("py:module")
        try:
            for line in self.content:
                documented_as, display = line.split()
                value = import_object(documented_as)
                if value is None:
                    logger.warning("api-table: cannot import %s", documented_as, location=self.get_location())
                    continue
                package = documented_as.split(".")[0]
                row = nodes.row("")
                context["py:module"] = saved
                row += self._cell(f":py:obj:`{display} <{documented_as}>`")
                # The summary is read where it was written; the listing module is the fallback (a name the package
                # re-exports, which the defining module never imported).
                context["py:module"] = _namespace_of(value, documented_as)
                cell = self._cell(summary(value, documented_as, package))
                for reference in cell.findall(addnodes.pending_xref):
                    reference["api_namespaces"] = [saved] if saved else []
                row += cell
                body.append(row)
        finally:
            if saved is None:
                context.pop("py:module", None)
            else:
                context["py:module"] = saved
        return [table]

    def _cell(self, text: str) -> nodes.entry:
        container = nodes.container()
        source, line = self.get_source_info()
        self.state.nested_parse(StringList([text], f"{source}:{line}:<api-table>"), self.content_offset, container)
        paragraph = container.children[0] if container.children else nodes.paragraph("")
        return nodes.entry("", paragraph)


def resolve_in_namespace(
    app: Sphinx, env: BuildEnvironment, node: addnodes.pending_xref, contnode: nodes.Element
) -> nodes.reference | None:
    if node.get("refdomain") != "py":
        return None
    index: api_pages.ApiIndex | None = getattr(app, "api_index", None)
    if index is None:
        return None
    target = node["reftarget"].lstrip(".~")
    namespaces = [
        node.get("py:module"),
        index.page_namespace.get(node.get("refdoc", "")),
        *node.get("api_namespaces", []),
    ]
    # The docstring's namespaces first; then the target as an absolute name ("" namespace).
    for namespace in [*dict.fromkeys(n for n in namespaces if n), ""]:
        value = import_object(f"{namespace}.{target}" if namespace else target)
        if value is None:
            continue
        kind = api_pages.kind_of(value)
        package = (namespace or target).split(".")[0]
        name = target.rpartition(".")[2]
        documented_as = index.canonical.get(api_pages.identity(value, kind, package, name))
        if documented_as is None:
            return None
        return env.domains["py"].resolve_xref(env, node["refdoc"], app.builder, "obj", documented_as, node, contnode)
    return None


def warn_with_page(app: Sphinx, domain: Any, node: addnodes.pending_xref) -> bool:
    """Sphinx's warning for an unresolved reference names the docstring; add the page it appears on."""
    dtype = f"{domain.name}:{node['reftype']}" if domain else node["reftype"]
    logger.warning(
        "page %s: %s reference target not found: %s",
        node.get("refdoc", "?"),
        dtype,
        node["reftarget"],
        location=node,
        type="ref",
        subtype=node["reftype"],
    )
    return True


def skip_framework_members(app: Sphinx, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Members a class inherits from PyTorch, Keras, Flax, ... are theirs to document, not ours.

    The class pages use ``:inherited-members:``, so that what a public class inherits from a private base of ours
    (``_SpectralConvNd.from_conv``) is documented on it; this keeps out everything inherited from elsewhere.
    """
    if what not in ("class", "exception"):
        return None
    function = getattr(obj, "fget", None) or getattr(obj, "__func__", None) or obj
    module = getattr(function, "__module__", None)
    index: api_pages.ApiIndex | None = getattr(app, "api_index", None)
    if not isinstance(module, str) or index is None:
        return None
    return True if module.split(".")[0] not in index.packages else None


def public_bases(app: Sphinx, name: str, obj: Any, options: Any, bases: list[type]) -> None:
    """Replace each private base class by its nearest public ancestors, in place."""

    def is_private(cls: type) -> bool:
        return any(part.startswith("_") for part in [*cls.__module__.split("."), cls.__qualname__])

    def public(cls: type) -> list[type]:
        if not is_private(cls) or cls is object:
            return [cls]
        return [base for parent in cls.__bases__ for base in public(parent)]

    replaced = list(dict.fromkeys(base for cls in bases for base in public(cls)))
    bases[:] = replaced


def add_defining_ids(app: Sphinx, doctree: nodes.document) -> None:
    """Give each object's entry the id of its defining path too (``spectralcore._pooling.lowpass``).

    Sphinx 9 records that path (``:canonical:``) for classes only, and as a name, not as an anchor; the source
    pages of ``sphinx.ext.viewcode`` link back to it, and references may use it.
    """
    domain = app.env.domains["py"]
    for signature in doctree.findall(addnodes.desc_signature):
        module, fullname = signature.get("module"), signature.get("fullname")
        if not module or not fullname:
            continue
        top, _, rest = fullname.partition(".")
        owner = import_object(f"{module}.{top}")
        defining = getattr(owner, "__module__", None)
        if not isinstance(defining, str) or defining == module:
            continue
        alias = f"{defining}.{getattr(owner, '__qualname__', top)}" + (f".{rest}" if rest else "")
        if alias not in signature["ids"]:
            signature["ids"].append(alias)
        if alias not in domain.objects:
            domain.note_object(alias, signature.parent.get("objtype", "obj"), alias, aliased=True, location=signature)


def viewcode_back_to_defining_ids(app: Sphinx, env: BuildEnvironment) -> None:
    """Make viewcode's "[docs]" links use each object's defining path, which :func:`add_defining_ids` anchors.

    viewcode keeps one module prefix per source file, the module of the first object it saw from that file; when
    a file's objects are documented under different modules (re-exports), its other links would miss.
    """
    modules = getattr(env, "_viewcode_modules", {})
    for name, entry in modules.items():
        if isinstance(entry, tuple):
            modules[name] = (*entry[:3], name)


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("api-table", ApiTable)
    app.connect("doctree-read", add_defining_ids)
    app.connect("env-updated", viewcode_back_to_defining_ids)
    app.connect("missing-reference", resolve_in_namespace)
    app.connect("warn-missing-reference", warn_with_page)
    app.connect("autodoc-process-bases", public_bases)
    app.connect("autodoc-skip-member", skip_framework_members)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
