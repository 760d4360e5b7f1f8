#!/usr/bin/env bash
# SHA-256 of a 256 MiB File in headless Chromium (Debian's; playwright-core never downloads a
# browser): ocikit in a Web Worker and on the main thread against hash-wasm and
# crypto.subtle.digest, with the longest wait between frames. Prints a table and PASS/MISS per
# goal. Extra arguments go to bench/browser/digest.mjs (--rounds N, --size-mib N, --strict).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

[ -f bindings-wasm/pkg/browser.js ] || die "bindings-wasm/pkg is not built; run make wasm"
[ -x /usr/bin/chromium ] || apt_install chromium
cd bench/browser
say "installing hash-wasm and playwright-core (versions pinned in package-lock.json)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
node digest.mjs "$@"
