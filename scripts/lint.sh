#!/usr/bin/env bash
# The Python and JS half of `make lint` (the Rust half is fmt, clippy and doc), locally and in
# CI, every finding an error:
#   - ruff check, ruff format --check and mypy --strict over python/ (settings in
#     pyproject.toml), with the pinned tools in their own venv, .cache/lint-venv (httpx too:
#     mypy reads its types for AsyncClient and HttpxTransport); installed only when the pins
#     change;
#   - tsc with checkJs over the npm package's sources (tests/js/tsconfig.npm.json), as make wasm
#     leaves them in bindings-wasm/pkg with the wasm-bindgen glue they import.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

LINT_VENV=.cache/lint-venv
# Pinned linters; bump them here (httpx as in scripts/build-python.sh).
LINT_DEPS=(ruff==0.14.8 mypy==1.19.0 httpx==0.28.1)

command -v python3 >/dev/null || die "python3 is required"
if [ ! -x "$LINT_VENV/bin/python" ]; then
    say "creating $LINT_VENV"
    python3 -m venv "$LINT_VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi
stamp="$LINT_VENV/.ocikit-lint-deps"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "${LINT_DEPS[*]}" ]; then
    say "installing ${LINT_DEPS[*]}"
    "$LINT_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${LINT_DEPS[@]}"
    printf '%s' "${LINT_DEPS[*]}" >"$stamp"
fi

say "ruff check and ruff format --check python/"
"$LINT_VENV/bin/ruff" check --no-cache python/
"$LINT_VENV/bin/ruff" format --check --no-cache python/
say "mypy --strict python/ocikit"
"$LINT_VENV/bin/mypy" --no-incremental

[ -f bindings-wasm/pkg/package.json ] || die "bindings-wasm/pkg is not built; run make wasm"
command -v node >/dev/null || die "node (20 or newer) is required"
cd tests/js
# typescript and @types/node, pinned by tests/js's lock (test-js runs npm ci there anyway).
if [ ! -x node_modules/.bin/tsc ] || [ ! -d node_modules/@types/node ]; then
    say "installing typescript into tests/js"
    npm ci --no-audit --no-fund --loglevel=error
fi
say "tsc --checkJs over the npm sources (bindings-wasm/pkg)"
./node_modules/.bin/tsc -p tsconfig.npm.json
