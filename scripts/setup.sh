#!/usr/bin/env bash
# Create (or refresh) the project virtualenv at ./.venv. Idempotent and cheap to re-run:
# the installs are skipped while pyproject.toml and this script are unchanged (hash stamp in .venv).
#
#   PYTHON=python3.11 bash scripts/setup.sh    # pick the interpreter used to create .venv
#   SPECTRALCORE_TORCH_SPEC='torch==2.14.1'     # override the pinned torch (default: torch==2.13.0)
#   SPECTRALCORE_TF_SPEC='tensorflow-cpu==2.20.0'   # override the pinned TensorFlow (default: tensorflow-cpu==2.21.0)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PY="${PYTHON:-python3}"
VENV="$ROOT/.venv"
VPY="$VENV/bin/python"
STAMP="$VENV/.spectralcore-setup.sha256"
# Pinned CPU build of PyTorch: on our machines `pip install torch==2.13.0` takes a local CPU wheel,
# any other spec would download a multi-GB CUDA build. It is installed FIRST so that nothing else
# pulls in a different torch.
TORCH_SPEC="${SPECTRALCORE_TORCH_SPEC:-torch==2.13.0}"
# The CPU-only TensorFlow wheel (it brings Keras 3) for the Keras adapter's tests. Installed explicitly rather than
# through the `tensorflow` extra, which names the generic `tensorflow` package that users with a GPU want.
TF_SPEC="${SPECTRALCORE_TF_SPEC:-tensorflow-cpu==2.21.0}"
EXTRAS="test,bench,jax,flax,experiments,docs"

log() { printf '[setup] %s\n' "$*"; }

# pip, minus the harmless "Location 'file:///...' is ignored" noise of this machine's pip config.
# The exit status is pip's (pipefail; the filter never fails).
pip_install() {
    { "$VPY" -m pip install --quiet --progress-bar off "$@" 2>&1; } \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}

# 0. Debian packages, each skipped when what it provides is already here:
#    - dataset-fashion-mnist: Fashion-MNIST as IDX .gz files in /usr/share/datasets/fashion-mnist, for the
#      experiments and their tests ($SPECTRALCORE_FASHION_MNIST may name another copy instead);
#    - postgresql: the server the tests of `tune` start as a throwaway cluster (tests/_postgres.py).
as_root=()
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n); fi
apt_install() {  # apt_install <package> <why>
    if ! command -v apt-get >/dev/null 2>&1; then
        log "WARNING: no apt-get here: install the Debian package $1 ($2) by other means"
    elif [ "$(id -u)" != 0 ] && [ "${#as_root[@]}" -eq 0 ]; then
        log "WARNING: $1 is missing and installing it needs root: sudo apt-get install $1 ($2)"
    else
        log "installing the Debian package $1 ($2)"
        # The package lists may be stale or absent on a fresh machine: update them once if the install fails.
        if ! ${as_root[@]+"${as_root[@]}"} apt-get install -y -q "$1" >/dev/null 2>&1; then
            ${as_root[@]+"${as_root[@]}"} apt-get update -q >/dev/null 2>&1 || true
            ${as_root[@]+"${as_root[@]}"} apt-get install -y -q "$1" >/dev/null \
                || log "WARNING: apt-get install $1 failed ($2)"
        fi
    fi
}
FMNIST_DIR=/usr/share/datasets/fashion-mnist
if [ -z "${SPECTRALCORE_FASHION_MNIST:-}" ] && [ ! -f "$FMNIST_DIR/t10k-labels-idx1-ubyte.gz" ]; then
    apt_install dataset-fashion-mnist "Fashion-MNIST, 30 MB, for the experiments; or set SPECTRALCORE_FASHION_MNIST"
fi
if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    apt_install postgresql "the PostgreSQL server for the tests of the hyper-parameter search"
fi

# 1. The virtualenv.
if ! "$VPY" -c 'import sys' >/dev/null 2>&1; then
    clear=()
    if [ -e "$VENV" ]; then
        log ".venv exists but its python does not run: recreating it"
        clear=(--clear)
    fi
    log "creating .venv with $("$PY" --version 2>&1) ($(command -v "$PY"))"
    "$PY" -m venv ${clear[@]+"${clear[@]}"} "$VENV"
fi

# 2. Skip the installs when nothing that decides them has changed.
want="$("$VPY" - "$ROOT" "$TORCH_SPEC" "$TF_SPEC" "$EXTRAS" <<'PYEOF'
import hashlib, pathlib, sys
root = pathlib.Path(sys.argv[1])
h = hashlib.sha256()
for name in ("pyproject.toml", "scripts/setup.sh"):
    h.update((root / name).read_bytes())
for arg in sys.argv[1:]:
    h.update(arg.encode() + b"\0")
print(h.hexdigest())
PYEOF
)"
have="$(cat "$STAMP" 2>/dev/null || true)"
if [ "$want" = "$have" ] \
    && "$VPY" -c 'import importlib.metadata as m; m.version("spectralcore")' >/dev/null 2>&1; then
    log ".venv is up to date (pyproject.toml and setup.sh unchanged): skipping installs"
    exit 0
fi

# 3. Installs.
rm -f "$STAMP"
log "installing $TORCH_SPEC"
pip_install "$TORCH_SPEC"
log "installing $TF_SPEC"
pip_install "$TF_SPEC"
log "installing spectralcore (editable) with extras [$EXTRAS]"
pip_install -e ".[$EXTRAS]"
echo "$want" > "$STAMP"

log "done: $("$VPY" - <<'PYEOF'
import importlib.metadata as m, sys
v = lambda d: m.version(d)
print(f"python {sys.version.split()[0]}, torch {v('torch')}, tensorflow-cpu {v('tensorflow-cpu')}, "
      f"keras {v('keras')}, numpy {v('numpy')}, jax {v('jax')}")
PYEOF
)"
