#!/usr/bin/env bash
# SHA-256 throughput of the npm package (Node entry and wasm path) against hash-wasm,
# @noble/hashes and node:crypto, then BLAKE3 next to it; prints tables and PASS/MISS per goal.
# `make bench-node`.
# Extra arguments go to bench/node/digest.mjs (--quick for a shorter run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

[ -f bindings-wasm/pkg/package.json ] || die "bindings-wasm/pkg is not built; run make wasm"
cd bench/node
say "installing ocikit, hash-wasm and @noble/hashes (versions pinned in package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error
node digest.mjs "$@"
