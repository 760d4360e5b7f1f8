#!/usr/bin/env bash
# Node tests of the npm package ocikit, run against the package as a user gets it: the built
# bindings-wasm/pkg (make wasm) is installed into tests/js as a packed copy (tests/js/.npmrc sets
# install-links), its TypeScript types are compiled against tests/js/types-check.ts, and the
# suites run with Node's built-in test runner. Same command locally and in CI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

[ -f bindings-wasm/pkg/package.json ] || die "bindings-wasm/pkg is not built; run make wasm"
command -v node >/dev/null || die "node (20 or newer) is required"

cd tests/js
say "installing the ocikit package and typescript into tests/js"
# npm ci starts from scratch, so the freshly built package is always the one under test.
npm ci --no-audit --no-fund --loglevel=error

say "type-checking index.d.ts (tsc --noEmit types-check.ts)"
./node_modules/.bin/tsc -p .

say "type-checking the JS tests and README examples (tsc with checkJs)"
node readme-examples.mjs
./node_modules/.bin/tsc -p tsconfig.checkjs.json

say "node --test tests/js"
node --test --test-reporter=spec ./*.test.mjs
