#!/usr/bin/env bash
# The lower bounds of pyproject.toml, tested: a second, lighter virtualenv (.venv-oldest) with the oldest versions
# of the array libraries and frameworks that install here, running the core and adapter tests (not the
# reproduction, the docs or the benchmarks, whose extras are not part of these bounds). scripts/test.sh calls it.
# Raise a bound in pyproject.toml and the pin below together.
#
#   bash scripts/test_oldest.sh            # build or refresh .venv-oldest, then run the tests
#   bash scripts/test_oldest.sh -k pool    # extra arguments go to pytest
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="${PYTHON:-python3}"
VENV="$ROOT/.venv-oldest"
VPY="$VENV/bin/python"
STAMP="$VENV/.spectralcore-oldest.sha256"
# One pin per lower bound in pyproject.toml (torch: the only CPU build that installs here).
PINS=(
    "numpy==1.26.*" "scipy==1.11.*" "array-api-compat==1.11.*" "array-api-strict==2.1.*"
    "jax==0.4.31" "jaxlib==0.4.31" "torch==2.13.0" "tensorflow-cpu==2.16.*" "keras==3.6.*"
    "hypothesis==6.100.*" "pytest==8.0.*" "pytest-xdist==3.5.*"
)
# The core and the three adapters' tests; these need nothing beyond the pins.
TESTS=(
    tests/test_backends.py tests/test_complex.py tests/test_cosine.py tests/test_errors.py tests/test_filters.py
    tests/test_filters_nd.py tests/test_fused_dropout.py tests/test_oracle.py tests/test_peers.py
    tests/test_plans.py tests/test_properties.py tests/test_resize.py tests/test_rules.py tests/test_validation.py
    tests/test_torch_conv.py tests/test_torch_layers.py tests/test_keras_layers.py tests/test_keras_conv.py
    tests/test_keras_conv_nd.py
)

log() { printf '[oldest] %s\n' "$*"; }
pip_install() {
    { "$VPY" -m pip install --quiet --progress-bar off "$@" 2>&1; } \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}

if ! "$VPY" -c 'import sys' >/dev/null 2>&1; then
    log "creating .venv-oldest with $("$PY" --version 2>&1)"
    "$PY" -m venv --clear "$VENV"
fi
want="$(printf '%s\n' "${PINS[@]}" | cat - pyproject.toml "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)"
if [ "$want" != "$(cat "$STAMP" 2>/dev/null || true)" ]; then
    rm -f "$STAMP"
    # torch first, alone, so that nothing else resolves to a CUDA build.
    log "installing torch==2.13.0"
    pip_install "torch==2.13.0"
    log "installing ${PINS[*]}"
    pip_install "${PINS[@]}"
    # The package itself without its extras: the pins above are its dependencies here.
    pip_install --no-deps -e .
    echo "$want" > "$STAMP"
fi
log "$("$VPY" - <<'PYEOF'
import importlib.metadata as m
names = ("numpy", "scipy", "array-api-compat", "array-api-strict", "jax", "torch", "tensorflow-cpu", "keras")
print("testing with " + ", ".join(f"{n} {m.version(n)}" for n in names))
PYEOF
)"
export HYPOTHESIS_PROFILE=ci
# Every backend these pins provide must run (the Flax adapter needs a newer jax, so it is not tested here).
export SPECTRALCORE_REQUIRE_BACKENDS=numpy,array_api_strict,torch,jax,tensorflow
exec "$VPY" -m pytest -q -n 2 -p no:cacheprovider "${TESTS[@]}" "$@"
