"""Sphinx configuration of the spectralcore documentation site.

Build it with ``bash scripts/docs.sh`` (HTML with warnings as errors, then every example on every page, then an
offline check of the links between pages). Choices, and why:

* **numpydoc**, not napoleon: the docstrings are written to the numpydoc standard, and numpydoc is what NumPy,
  SciPy and scikit-image render theirs with. It parses the sections strictly (a malformed section is a warning,
  so an error here) and renders "See Also" as cross-references that nitpicky mode then checks.
* **pydata-sphinx-theme**, not furo: it is the theme of NumPy, SciPy, pandas, scikit-image and Matplotlib, so
  the site reads like the rest of the ecosystem; it ships its icons and fonts, so the built site works offline.
* **sphinx-gallery** runs every example script at build time and keeps the figures it draws; **myst-parser**
  renders the committed Markdown (the reproduction report, the benchmark notes) as it is.
* **No intersphinx**: the build has no network, and no inventory of NumPy, PyTorch, Keras or Python is installed
  here. References to third-party objects are therefore listed in ``nitpick_ignore_regex`` (by package name, and
  the Python builtins and standard library by their exact names); every reference to spectralcore's own objects
  is checked.
* **Type hints stay out of the signatures** (``autodoc_typehints = "none"``): the numpydoc "Parameters" sections
  state the types in words, and the annotations name private aliases that have no page.
"""

from __future__ import annotations

import builtins
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
# The worktree's packages first, ahead of any installed copy (the adapters live under backends/).
for path in (ROOT / "backends", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import spectralcore  # noqa: E402

project = "spectralcore"
author = "the spectralcore developers"
copyright = "2026, the spectralcore developers"
release = spectralcore.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
    "api_pages",
    "site_tables",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
# examples/ holds the gallery's sources, which sphinx-gallery turns into auto_examples/; *.inc files are included.
exclude_patterns = ["_build", "examples", "**/*.inc"]

# -- every reference must resolve -------------------------------------------------------------------------------
nitpicky = True
_THIRD_PARTY = (
    "torch|keras|tensorflow|tf|jax|jaxlib|flax|nnx|optax|orbax|numpy|np|scipy|matplotlib|skimage|sklearn|optuna"
    "|array_api_compat|array_api_strict|cupy|tqdm|PIL"
)
_STDLIB = "|".join(sorted(sys.stdlib_module_names))
_BUILTINS = "|".join(name for name in dir(builtins) if not name.startswith("_"))
nitpick_ignore_regex = [
    (r"py:.*", rf"({_THIRD_PARTY})(\..+)?"),
    (r"py:.*", rf"({_STDLIB})\..+"),
    (r"py:.*", rf"({_BUILTINS})"),
]

# -- API reference ----------------------------------------------------------------------------------------------
api_pages_root = str(ROOT)
autodoc_typehints = "none"
autodoc_inherit_docstrings = False  # a Keras or torch method we override must not show the framework's docstring
autodoc_member_order = "bysource"
autodoc_default_options = {"exclude-members": "__init__, __new__"}
add_module_names = False
numpydoc_show_class_members = False  # autoclass :members: lists the members once, with their own entries
numpydoc_xref_param_type = False  # parameter types are prose ("int or tuple of int"), not references
numpydoc_validation_checks: set[str] = set()

# -- examples run at build time ---------------------------------------------------------------------------------
# `sphinx-build -b doctest` runs every >>> example of every page: the docstrings shown in the API reference and
# the user guide. A failure names the document and the object (see scripts/docs.sh).
doctest_global_setup = "import numpy as np"
doctest_test_doctest_blocks = "default"

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "doc_module": tuple(p for p in ("spectralcore", "spectralcore_torch", "spectralcore_keras", "spectralcore_flax")),
    "backreferences_dir": "gen_modules/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "show_memory": False,
    "write_computation_times": True,
    # A failing example fails the build (after all examples ran, each failure listed with its traceback).
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 100)]

# -- Markdown ---------------------------------------------------------------------------------------------------
myst_heading_anchors = 3

# -- HTML -------------------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"spectralcore {release}"
html_static_path = ["_static"]
html_css_files = ["spectralcore.css"]
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 7,
    "navbar_end": ["theme-switcher"],
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
