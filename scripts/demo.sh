#!/usr/bin/env bash
# The main job (`make demo`): analyses the example artifact of the authoring guide, then serves
# the browser demo on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ocikit=.venv/bin/ocikit
ex=examples/docsinmarkdown
config_type=application/vnd.stevelasker.docsinmarkdown.config.v1+json
overview_type=application/vnd.stevelasker.docsinmarkdown.overview.layer.v1+md
description_type=application/vnd.stevelasker.docsinmarkdown.description.layer.v1+md

say "Digests of the docs-in-markdown example files ($ex)"
"$ocikit" digest "$ex/overview.md" "$ex/description.md"
"$ocikit" digest --algorithm sha512 "$ex/overview.md"

say "The artifact type (config media type)"
"$ocikit" media-type --role config "$config_type"

say "The layer types"
"$ocikit" media-type --role layer "$overview_type" "$description_type"

say "What the linter says about names that break the convention"
"$ocikit" media-type --role layer text/markdown
"$ocikit" media-type --role config application/vnd.oci.image.config.v1+json application/vnd.acme.docs.config+yaml

say "Serving the browser demo (Ctrl-C stops it)"
exec .venv/bin/python web-demo/serve.py --port "${OCIKIT_DEMO_PORT:-8080}"
