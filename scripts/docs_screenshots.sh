#!/usr/bin/env bash
# Screenshots of the built site in headless Chromium (Debian's `chromium`), to look at its pages as a reader would.
#
#   bash scripts/docs.sh && bash scripts/docs_screenshots.sh [SITE] [OUT]
#
# SITE defaults to build/docs/html, OUT to build/docs/screenshots. One PNG per page below, 1280 px wide. Nothing
# is fetched from the network: the site is opened from files, and the browser's background services are off.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SITE="$(cd "${1:-$ROOT/build/docs/html}" && pwd)"
OUT="${2:-$ROOT/build/docs/screenshots}"
BROWSER="${CHROMIUM:-chromium}"
mkdir -p "$OUT"

if ! command -v "$BROWSER" >/dev/null 2>&1; then
    echo "[screenshots] $BROWSER not found: apt-get install chromium, or set CHROMIUM" >&2
    exit 2
fi

pages=(
    "index.html"
    "api/generated/spectralcore.html"
    "api/generated/spectralcore.spectral_pool.html"
    "api/generated/spectralcore_torch.SpectralPool2d.html"
    "user_guide/pooling.html"
    "auto_examples/index.html"
    "auto_examples/plot_information_preservation.html"
    "auto_examples/plot_fashion_mnist_training.html"
    "report/report.html"
    "benchmarks.html"
)

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
status=0
for page in "${pages[@]}"; do
    if [ ! -f "$SITE/$page" ]; then
        echo "[screenshots] missing page: $SITE/$page" >&2
        status=1
        continue
    fi
    png="$OUT/$(echo "${page%.html}" | tr '/' '_').png"
    "$BROWSER" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
        --disable-sync --no-first-run --user-data-dir="$profile" --hide-scrollbars --virtual-time-budget=3000 \
        --window-size=1280,2000 --screenshot="$png" "file://$SITE/$page" >/dev/null 2>&1
    echo "[screenshots] $page -> $png"
done
exit "$status"
