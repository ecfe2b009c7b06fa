#!/usr/bin/env bash
# Demonstration on a bundled real photo; results go to results/demo/.
# Extra arguments go to examples/photo_demo.py.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

if [ ! -f examples/photo_demo.py ]; then
    echo "[demo] examples/photo_demo.py not found" >&2
    exit 1
fi
echo "[demo] .venv/bin/python examples/photo_demo.py $*"
exec "$ROOT/.venv/bin/python" examples/photo_demo.py "$@"
