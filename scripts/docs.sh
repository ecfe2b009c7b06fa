#!/usr/bin/env bash
# Build the documentation site and check it, offline. Warnings are errors.
#
#   bash scripts/docs.sh                                 # with .venv/bin/python; the site is build/docs/html/
#   PYTHON=/path/to/python bash scripts/docs.sh          # another interpreter (it needs the [docs] extra)
#   SPECTRALCORE_DOCS_OUT=/tmp/site bash scripts/docs.sh # another output folder
#
# Three steps; all of them run, and the script fails (exit 1) if any failed:
#   1. html     sphinx -b html -n -W --keep-going: every warning is an error, every cross-reference must resolve
#               (nitpicky); the gallery scripts run and draw their figures; the API pages are written from the
#               packages' __all__ (docs/_ext/api_pages.py), and a public name without a page is an error.
#   2. doctest  sphinx -b doctest: every example of every page, the docstrings in the API reference and the
#               user guide's examples, is run; a failure names the document and the object.
#   3. links    docs/tools/check_links.py: every link and anchor between the built pages resolves (no network:
#               external links are counted, not fetched).
# The doctrees and the gallery's outputs are kept between runs, so a rerun only redoes what changed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="${SPECTRALCORE_DOCS_OUT:-$ROOT/build/docs}"
# This checkout first, ahead of any installed copy (the adapters live under backends/).
export PYTHONPATH="$ROOT:$ROOT/backends${PYTHONPATH:+:$PYTHONPATH}"
export MPLBACKEND=Agg KERAS_BACKEND="${KERAS_BACKEND:-tensorflow}" TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

if ! "$PY" -c 'import sphinx, numpydoc, pydata_sphinx_theme, sphinx_gallery, myst_parser' 2>/dev/null; then
    echo "[docs] $PY lacks the documentation tools: pip install -e '.[docs]' (Sphinx 9 needs Python >= 3.11)" >&2
    exit 2
fi

failed=()
step() {
    local name="$1"
    shift
    printf '\n[docs] %s: %s\n' "$name" "$*"
    local start=$SECONDS
    if "$@"; then
        printf '[docs] %s: ok (%d s)\n' "$name" $((SECONDS - start))
    else
        printf '[docs] %s: FAILED (%d s)\n' "$name" $((SECONDS - start))
        failed+=("$name")
    fi
}

# A page that no longer exists must not survive from an earlier build (the link check would read it).
rm -rf "$OUT/html" "$OUT/doctest"
sphinx=("$PY" -m sphinx -n -W --keep-going -q -d "$OUT/doctrees")
# -E: read every source again, so that every warning is reported on every run, not only those of changed pages.
# (The gallery keeps its own cache: an unchanged example is not run again.)
step html "${sphinx[@]}" -E -b html docs "$OUT/html"
step doctest "${sphinx[@]}" -b doctest docs "$OUT/doctest"
if [[ " ${failed[*]} " == *" doctest "* ]] && [ -f "$OUT/doctest/output.txt" ]; then
    # Sphinx prints the failed examples without their page: list the pages (one per object in the API reference).
    echo "[docs] doctest: pages with failing examples (details in $OUT/doctest/output.txt):"
    awk '/^Document: /{page=$2} /^Failed example:/{if (!(page in seen)) {print "[docs]   " page; seen[page]=1}}' \
        "$OUT/doctest/output.txt"
fi
step links "$PY" docs/tools/check_links.py "$OUT/html"

echo
if [ "${#failed[@]}" -gt 0 ]; then
    echo "[docs] FAILED: ${failed[*]}"
    exit 1
fi
echo "[docs] the site is in $OUT/html (open $OUT/html/index.html)"
