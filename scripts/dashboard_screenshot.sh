#!/usr/bin/env bash
# Check the live view of a search once, in a headless browser: run a tiny `tune` study, serve it with
# optuna-dashboard on localhost, and screenshot its study page with Debian's chromium.
#
#   bash scripts/dashboard_screenshot.sh [OUT_DIR]     # default: build/dashboard; writes study.png there
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="${1:-build/dashboard}"
PORT="${SPECTRALCORE_DASHBOARD_PORT:-8089}"
BIN="$ROOT/.venv/bin"
mkdir -p "$OUT"

"$BIN/python" -m spectralcore_experiments tune --scale tiny --threads 1 --no-progress --tune-trials 3 \
    --tune-epochs 2 --tune-train-size 256 --tune-test-size 128 --out "$OUT/run"
# localhost only: the dashboard has no authentication.
"$BIN/optuna-dashboard" --host 127.0.0.1 --port "$PORT" "$OUT/run/tune/study.journal" >"$OUT/dashboard.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 30); do
    if curl -fs "http://127.0.0.1:$PORT/api/studies" >/dev/null; then break; fi
    sleep 1
done
curl -fs "http://127.0.0.1:$PORT/api/studies"
echo
chromium --headless --no-sandbox --disable-gpu --window-size=1300,1000 --virtual-time-budget=10000 \
    --screenshot="$OUT/study.png" "http://127.0.0.1:$PORT/dashboard/studies/0" 2>/dev/null
echo "screenshot: $OUT/study.png"
