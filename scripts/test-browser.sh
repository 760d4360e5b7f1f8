#!/usr/bin/env bash
# The web demo and the package's browser entry in headless Chromium: Debian's chromium (installed
# when missing; playwright-core never downloads a browser), web-demo/serve.py on a free loopback
# port, and tests/browser with Node's test runner. The end-to-end tests start Debian's
# docker-registry with CORS headers themselves, and use the Python CLI (.venv, `make python`) and
# the ORAS CLI (.cache/tools/bin, `make tools`). Screenshots go to tests/browser/screenshots/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

[ -f bindings-wasm/pkg/browser.js ] || die "bindings-wasm/pkg is not built; run make wasm"
[ -x /usr/bin/chromium ] || apt_install chromium
command -v python3 >/dev/null || apt_install python3
apt_install docker-registry apache2-utils
[ -x .venv/bin/ocikit ] || die ".venv/bin/ocikit is missing: run make python first"
[ -x .cache/tools/bin/oras ] || die ".cache/tools/bin/oras is missing: run make tools first"

cd tests/browser
say "installing playwright-core (pinned in package-lock.json)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error

log=$(mktemp)
python3 "$root/web-demo/serve.py" --port 0 >"$log" 2>"$log.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$log" "$log.err"' EXIT
for _ in $(seq 100); do
    grep -q '^serving ' "$log" && break
    kill -0 "$server" 2>/dev/null || { cat "$log.err" >&2; die "web-demo/serve.py exited"; }
    sleep 0.1
done
url=$(awk '/^serving / { print $2; exit }' "$log")
[ -n "$url" ] || die "web-demo/serve.py did not report its URL"
say "web demo at $url"

OCIKIT_DEMO_URL=$url node --test --test-reporter=spec ./*.test.mjs
