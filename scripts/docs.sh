#!/usr/bin/env bash
# Builds the documentation site into docs/site (what `make docs` runs, locally and in CI).
#
#   1. installs the pinned generators: mkdocs-material and mkdocstrings (PyPI) into
#      .cache/docs-venv, typedoc (npm) into docs/node_modules — only when the pins change;
#   2. stages docs/src into .cache/docs/src with the generated references: the JS reference
#      (typedoc over bindings-wasm/npm/index.d.ts, as Markdown), the CLI reference
#      (docs/cli_reference.py, from the `ocikit` argument parser) and the Rust crate docs
#      (`cargo doc` output, target/doc, copied in as rust/);
#   3. runs `mkdocs build --strict`: a broken link or anchor, a page left out of the nav, or a
#      docstring mkdocstrings cannot read is an error.
#
# Needs the Python package built (make python: the CLI reference imports its parser) and
# target/doc (make doc). The code samples of the pages run in tests/docs (make test-docs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

DOCS_VENV=.cache/docs-venv
# Pinned generators; bump them here (griffe is mkdocstrings-python's reader of the sources).
DOCS_DEPS=(mkdocs==1.6.1 mkdocs-material==9.8.1 mkdocstrings==1.0.8 mkdocstrings-python==2.0.11 griffe==2.4.1)
STAGE=.cache/docs/src

command -v node >/dev/null || die "node (20 or newer) is required"
[ -x .venv/bin/python ] || die ".venv is not built; run make python"
[ -d target/doc/ocikit_core ] || die "target/doc is not built; run make doc"

if [ ! -x "$DOCS_VENV/bin/python" ]; then
    say "creating $DOCS_VENV"
    python3 -m venv "$DOCS_VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi
stamp="$DOCS_VENV/.ocikit-docs-deps"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "${DOCS_DEPS[*]}" ]; then
    say "installing ${DOCS_DEPS[*]}"
    "$DOCS_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${DOCS_DEPS[@]}"
    printf '%s' "${DOCS_DEPS[*]}" >"$stamp"
fi
# npm ci only when package-lock.json changed since the last install.
if ! cmp -s docs/package-lock.json docs/node_modules/.ocikit-package-lock.json 2>/dev/null; then
    say "installing typedoc into docs/node_modules"
    (cd docs && npm ci --no-audit --no-fund --loglevel=error)
    cp docs/package-lock.json docs/node_modules/.ocikit-package-lock.json
fi

say "staging docs/src with the generated references in $STAGE"
rm -rf "$STAGE"
mkdir -p "$(dirname "$STAGE")"
cp -r docs/src "$STAGE"
(cd docs && ./node_modules/.bin/typedoc --logLevel Warn --out "../$STAGE/reference/javascript")
# typedoc writes array types as `[Type](#type)[]`, which Markdown reads as a reference link.
sed -i -E ':a; s/([^\\])\[\]/\1\\[\\]/g; ta' "$STAGE/reference/javascript/index.md"
.venv/bin/python docs/cli_reference.py >"$STAGE/reference/cli.md"
cp -r target/doc "$STAGE/rust"

say "mkdocs build --strict into docs/site"
# Not --quiet: it hides the warnings that --strict turns into errors.
log=.cache/docs/mkdocs.log
status=0
NO_MKDOCS_2_WARNING=1 "$DOCS_VENV/bin/mkdocs" build --strict -f docs/mkdocs.yml >"$log" 2>&1 || status=$?
grep -v '^INFO ' "$log" >&2 || true
[ "$status" -eq 0 ] || die "mkdocs build --strict failed (broken links are errors)"
say "built docs/site/index.html (python3 -m http.server -d docs/site to browse it)"
