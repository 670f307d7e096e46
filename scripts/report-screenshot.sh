#!/usr/bin/env bash
# Screenshots a bench report.html in headless Chromium, e.g. to check that its charts render.
# Usage: scripts/report-screenshot.sh REPORT.html [OUT.png]   (needs: apt-get install -y chromium)
set -euo pipefail
[ $# -ge 1 ] && [ -f "$1" ] || { echo "usage: $0 REPORT.html [OUT.png]" >&2; exit 2; }
report=$(readlink -f "$1")
out=$(readlink -f "${2:-${report%.html}.png}")
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "$0: chromium not found (apt-get install -y chromium)" >&2; exit 1; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars --enable-logging=stderr --v=0 \
  --screenshot="$out" --window-size=1200,1600 "file://$report" >"$profile/chromium.log" 2>&1 || {
  cat "$profile/chromium.log" >&2; exit 1; }
# the report has no script, so any console message (an uncaught error, a refused resource) is a fault
if grep -E ":CONSOLE[:(]" "$profile/chromium.log" >&2; then echo "$0: the page logged errors" >&2; exit 1; fi
[ -s "$out" ] || { echo "$0: no screenshot written" >&2; cat "$profile/chromium.log" >&2; exit 1; }
echo "$out"
