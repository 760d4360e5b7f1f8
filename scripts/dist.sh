#!/usr/bin/env bash
# Builds what a release publishes into dist/ (what `make dist` runs, locally and in CI):
#
#   ocikit-VERSION.tar.gz                      the Python sdist: pyproject.toml, the workspace's
#                                              Cargo.toml and Cargo.lock, core/, bindings-python/
#                                              and python/ocikit (maturin rewrites the workspace
#                                              to the crates the extension needs), so that
#                                              `pip install` of it compiles the extension
#   ocikit-VERSION-cp311-abi3-PLATFORM.whl     one stable-ABI wheel for CPython 3.11 and later
#   ocikit-VERSION-cp39|cp310-…-PLATFORM.whl   per-version wheels for CPython 3.9 and 3.10 (the
#                                              buffer protocol joined the stable ABI in 3.11),
#                                              built for each of python3.9 / python3.10 found
#                                              on PATH (OCIKIT_DIST_PYTHONS overrides the list;
#                                              empty builds none)
#   ocikit-VERSION.tgz                         the npm package, `npm pack` of bindings-wasm/pkg
#
# and fills .cache/dist-wheels with the wheels a clean install needs besides ocikit (maturin
# to build the sdist, httpx for ocikit[async]), so that tests/dist installs with --no-index.
# Needs make python (maturin in .venv) and make wasm (bindings-wasm/pkg).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

MATURIN=.venv/bin/maturin
# What a clean install of the sdist or of ocikit[async] pulls in; keep in step with
# pyproject.toml ([build-system] and the async extra) and scripts/build-python.sh's pins.
WHEEL_CACHE_DEPS=(maturin==1.16.0 httpx==0.28.1 sniffio==1.3.1)

[ -x "$MATURIN" ] || die "maturin is not in .venv; run make python"
[ -f bindings-wasm/pkg/package.json ] || die "bindings-wasm/pkg is not built; run make wasm"
command -v npm >/dev/null || die "npm is required"

rm -rf dist
mkdir -p dist

say "Python sdist"
"$MATURIN" sdist --out dist

say "abi3 wheel for CPython 3.11+ (release build)"
# Any CPython 3.11+ builds it (the stable ABI of 3.11); .venv's is one.
"$MATURIN" build --release --features abi3 --interpreter "$PWD/.venv/bin/python" --out dist

# An interpreter by name: on PATH, else one pyenv installed (its shims answer only for the
# pyenv version selected).
find_python() {
    if command -v "$1" >/dev/null && "$1" -c "" 2>/dev/null; then
        command -v "$1"
        return
    fi
    local root candidate
    root=$(pyenv root 2>/dev/null) || return 0
    for candidate in "$root"/versions/"${1#python}".*/bin/"$1"; do
        [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
}
pythons=(.venv/bin/python)
for name in ${OCIKIT_DIST_PYTHONS-python3.9 python3.10}; do
    python=$(find_python "$name")
    if [ -n "$python" ]; then
        say "per-version wheel for $name ($python; release build)"
        "$MATURIN" build --release --interpreter "$python" --out dist
        pythons+=("$python")
    else
        warn "$name is not installed: no per-version wheel for it"
    fi
done

say "npm tarball (npm pack bindings-wasm/pkg)"
(cd bindings-wasm/pkg && npm pack --pack-destination ../../dist --loglevel=error >/dev/null)

# Each interpreter's pip downloads them, so that the environment markers are its own
# (httpx needs exceptiongroup before 3.11, which `pip download --python-version` misses).
stamp=.cache/dist-wheels/.ocikit-deps
wanted="${WHEEL_CACHE_DEPS[*]} for ${pythons[*]}"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
    mkdir -p .cache/dist-wheels
    for python in "${pythons[@]}"; do
        say "downloading ${WHEEL_CACHE_DEPS[*]} for $python into .cache/dist-wheels (installs use --no-index)"
        "$python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
            -d .cache/dist-wheels "${WHEEL_CACHE_DEPS[@]}"
    done
    printf '%s' "$wanted" >"$stamp"
fi

say "dist/:"
ls -l dist >&2
