#!/usr/bin/env bash
# Builds the Python package into .venv (what `make python` runs, locally and in CI).
#
# Creates .venv if it is missing, installs the pinned development tools, then builds the
# extension in release mode and installs ocikit from the source tree (`maturin develop`: the
# pure-Python files are used in place, so edits under python/ take effect at once; cargo
# rebuilds the extension when Rust sources change). Safe to run again; a run with nothing to
# do takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

VENV=.venv
PY="$VENV/bin/python"
# Pinned development tools; bump them here.
# oras (oras-py) is a peer client for the registry interop tests only.
DEV_DEPS=(maturin==1.16.0 pytest==9.2.0 jsonschema==4.26.0 httpx==0.28.1 sniffio==1.3.1 oras==0.2.43)

command -v python3 >/dev/null || die "python3 is required"
command -v cargo >/dev/null || die "cargo is required (https://rustup.rs)"

if [ ! -x "$PY" ]; then
    say "creating $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi

# Reinstall the tools only when the pins change.
stamp="$VENV/.ocikit-dev-deps"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "${DEV_DEPS[*]}" ]; then
    say "installing ${DEV_DEPS[*]}"
    "$PY" -m pip install --quiet --disable-pip-version-check "${DEV_DEPS[@]}"
    printf '%s' "${DEV_DEPS[*]}" >"$stamp"
fi

say "building ocikit (release) into $VENV"
VIRTUAL_ENV="$PWD/$VENV" "$VENV/bin/maturin" develop --release --quiet

"$PY" -c "import ocikit" || die "ocikit does not import after the build"
