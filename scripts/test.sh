#!/usr/bin/env bash
# Whole check suite: lint, format check, type check, tests. Same command CI runs (.ci/run).
# Extra arguments go to pytest, e.g.  bash scripts/test.sh -k pool -x
# All four steps run; the script fails (exit 1) if any of them failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

BIN="$ROOT/.venv/bin"
export HYPOTHESIS_PROFILE=ci
# setup.sh installs these, so here they must run: a missing one fails instead of silently skipping.
export SPECTRALCORE_REQUIRE_BACKENDS="${SPECTRALCORE_REQUIRE_BACKENDS-numpy,array_api_strict,torch,jax,tensorflow,flax}"
# Real datasets the tests read; setup.sh installs them, so a missing one fails instead of skipping.
export SPECTRALCORE_REQUIRE_DATA="${SPECTRALCORE_REQUIRE_DATA-fashion-mnist}"
# Services the tests start themselves (a throwaway PostgreSQL cluster); setup.sh installs the server.
export SPECTRALCORE_REQUIRE_SERVICES="${SPECTRALCORE_REQUIRE_SERVICES-postgresql}"
export MPLBACKEND="${MPLBACKEND:-Agg}"

# Run the whole `tests` directory unless an argument names a test path itself.
targets=(tests spectralcore backends spectralcore_experiments)
for arg in "$@"; do
    case "$arg" in -*) continue ;; esac
    if [ -e "${arg%%::*}" ]; then targets=(); break; fi
done

failed=()
step() {
    printf '\n[test] %s\n' "$*"
    if "$@"; then :; else failed+=("$*"); fi
}

step "$BIN/ruff" check .
step "$BIN/ruff" format --check .
step "$BIN/mypy"
step "$BIN/python" -m pytest -n 2 --doctest-modules ${targets[@]+"${targets[@]}"} "$@"
# Whole-suite runs only: the documentation site (warnings are errors, every example runs, internal links checked)
# and the core and adapter tests at the oldest versions that pyproject.toml allows (a second virtualenv).
if [ "$#" -eq 0 ]; then
    step env PYTHON="$BIN/python" bash scripts/docs.sh
    step bash scripts/test_oldest.sh
fi

echo
if [ "${#failed[@]}" -gt 0 ]; then
    echo "[test] FAILED:"
    printf '[test]   %s\n' "${failed[@]}"
    exit 1
fi
echo "[test] all checks passed"
