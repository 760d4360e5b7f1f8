# ocikit — one Makefile for every language. `make demo` runs the main job, `make test` every suite.
# Both install what they need on a fresh Debian machine (apt, PyPI, npm, crates.io).
SHELL := /bin/bash
.DEFAULT_GOAL := build
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: build python wasm tools demo test lint lint-python-js fmt clippy doc test-rust test-python test-js test-browser test-interop test-registry test-hostile docs test-docs dist test-dist fuzz fuzz-ci bench bench-python bench-cli bench-validate bench-node bench-browser bench-registry clean

build: python wasm

python:
	scripts/build-python.sh

wasm:
	scripts/build-wasm.sh

tools:
	scripts/tools.sh

demo: build
	scripts/demo.sh

test: lint test-rust build test-python test-js test-browser test-interop test-registry test-hostile test-docs test-dist fuzz-ci

lint: fmt clippy doc lint-python-js

# ruff and mypy --strict over python/, tsc --checkJs over the npm sources (scripts/lint.sh).
lint-python-js: wasm
	scripts/lint.sh

fmt:
	source scripts/lib.sh && rustup_components rustfmt
	cargo fmt --all --check

clippy:
	scripts/clippy.sh

doc: # rustdoc: broken or ambiguous links in the docs are errors
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace

# The documentation site into docs/site (scripts/docs.sh: mkdocs --strict, broken links are errors).
docs: python doc
	scripts/docs.sh

# The site's ```python and ```sh samples against a local registry (its ```js ones run in test-js).
test-docs: docs tools
	$(PY) -m pytest tests/docs

# What a release publishes, into dist/ (scripts/dist.sh): the Python sdist, the abi3 wheel for
# CPython 3.11+, per-version wheels for the CPython 3.9/3.10 installed, the npm tarball.
dist: python wasm
	scripts/dist.sh

# Each of dist/ installed into a clean venv or a scratch npm project in a temporary directory
# (no network, no source tree), running the README's examples there (tests/dist).
test-dist: dist tools
	$(PY) -m pytest tests/dist

test-rust:
	cargo test --workspace --exclude ocikit-python

test-python: python
	$(PY) -m pytest tests/python

test-js: wasm tools
	scripts/test-js.sh

test-browser: wasm python tools
	scripts/test-browser.sh

test-interop: python tools
	$(PY) -m pytest tests/interop

test-registry: python tools
	$(PY) -m pytest tests/registry

# The hostile registry and layouts of SECURITY.md, against the CLI, the Python API and the JS
# Client (tests/hostile; needs node and openssl).
test-hostile: python wasm
	$(PY) -m pytest tests/hostile

# Every cargo-fuzz target for FUZZ_SECONDS each (scripts/fuzz.sh); fuzz-ci is the short run of
# make test (under 5 minutes in all, build included).
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

fuzz-ci:
	FUZZ_SECONDS=6 scripts/fuzz.sh

bench: bench-python bench-cli bench-validate bench-node bench-browser bench-registry

bench-python: python
	$(PY) bench/python_digest.py

# `ocikit digest` start-up, with compiled bytecode as a wheel install has it (bench/README.md).
bench-cli: python
	$(PY) -m compileall -q python/ocikit
	$(PY) bench/cli_start.py

# validate and pack against jsonschema, oras-py and ajv with the official schemas.
bench-validate: python wasm
	scripts/bench-validate.sh

bench-node: wasm
	scripts/bench-node.sh

bench-browser: wasm
	scripts/bench-browser.sh

bench-registry: python tools
	scripts/bench-registry.sh

clean:
	rm -rf target $(VENV) bindings-wasm/pkg .cache
