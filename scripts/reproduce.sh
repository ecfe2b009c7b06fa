#!/usr/bin/env bash
# The main job: reproduce the paper's three results on offline data and write a report folder.
#   bash scripts/reproduce.sh                       # quick scale, about 10 minutes on a 2-core CPU -> results/report/
#   bash scripts/reproduce.sh --scale paper --device cuda --cifar-dir ~/data/cifar-10-python.tar.gz
# Arguments go to `python -m spectralcore_experiments` (see --help).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh

echo "[reproduce] .venv/bin/python -m spectralcore_experiments $*"
exec "$ROOT/.venv/bin/python" -m spectralcore_experiments "$@"
