#!/usr/bin/env bash
# validate and pack against the alternatives, with the official image-spec schemas
# (../shared/oci-schemas): Python ocikit.validate against jsonschema and ocikit.pack against
# oras-py's manifest path (bench/validate_pack.py), then the npm package's validate against ajv
# (bench/node/validate.mjs). Prints tables and PASS/MISS per goal (bench/README.md).
# `make bench-validate`; extra arguments (--quick, --strict) go to both.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

[ -f bindings-wasm/pkg/package.json ] || die "bindings-wasm/pkg is not built; run make wasm"
[ -d ../shared/oci-schemas ] || die "the official schemas are not in ../shared/oci-schemas"
PY=.venv/bin/python
# jsonschema and oras (oras-py) are development dependencies (scripts/build-python.sh).
"$PY" -c 'import jsonschema, oras' 2>/dev/null || die "jsonschema and oras are missing from .venv: run make python"
status=0
"$PY" bench/validate_pack.py "$@" || status=$?
echo
cd bench/node
say "installing ocikit and ajv (versions pinned in package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error
node validate.mjs "$@" || status=$?
exit $status
