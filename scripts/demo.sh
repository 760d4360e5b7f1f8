#!/usr/bin/env bash
# The main job (`make demo`): analyses the example artifact of the authoring guide, then serves
# the browser demo on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
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

layout=.cache/demo/layout
rm -rf .cache/demo && mkdir -p .cache/demo
say "Packing the example into an OCI image layout ($layout:v1), as \`oras push --oci-layout\` would"
# From inside the example directory, so that the titles are the bare file names.
(cd "$ex" && "$root/$ocikit" push --oci-layout "$root/$layout:v1" \
    --artifact-type "$config_type" \
    --annotation "org.opencontainers.image.description=Docs in Markdown, the authoring guide's example" \
    --export-manifest "$root/.cache/demo/manifest.json" \
    "overview.md:$overview_type" "description.md:$description_type")

say "The manifest, byte for byte what ORAS writes for the same inputs"
cat .cache/demo/manifest.json; echo

say "Validating it"
"$ocikit" validate .cache/demo/manifest.json

say "Pulling it back out of the layout"
"$ocikit" pull --oci-layout "$layout:v1" -o .cache/demo/pulled
find .cache/demo/pulled -type f | sort

say "The artifact type catalog (display names and logos for registry UIs)"
"$ocikit" types

say "Serving the browser demo (Ctrl-C stops it)"
port=${OCIKIT_DEMO_PORT:-8080}
# Port 8080 taken? Let the server pick a free one (it prints the URL either way).
if ! .venv/bin/python -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$port" 2>/dev/null; then
    warn "port $port is in use; picking a free one"
    port=0
fi
exec .venv/bin/python web-demo/serve.py --port "$port"
