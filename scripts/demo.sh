#!/usr/bin/env bash
# The main job (`make demo`): analyses the example artifact of the authoring guide, packs it into
# an OCI image layout, pushes it to a local registry (Debian's docker-registry on 127.0.0.1), and
# serves the browser demo on 127.0.0.1.
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

say "Starting a local registry (Debian's docker-registry, CNCF distribution 2.8.2)"
apt_install docker-registry
registry_port=$(.venv/bin/python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
registry=127.0.0.1:$registry_port
mkdir -p .cache/demo/registry
cat >.cache/demo/registry/config.yml <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $root/.cache/demo/registry/data
  delete:
    enabled: true
http:
  addr: $registry
  headers:
    Access-Control-Allow-Origin: ["*"]
    Access-Control-Allow-Methods: [GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS]
    Access-Control-Allow-Headers: [Authorization, Accept, Content-Type, Content-Range, Range, If-Match]
    Access-Control-Expose-Headers: [Docker-Content-Digest, Location, Range, Link, WWW-Authenticate, OCI-Subject, OCI-Chunk-Min-Length, Content-Range, ETag]
YAML
docker-registry serve .cache/demo/registry/config.yml >.cache/demo/registry/log 2>&1 &
registry_pid=$!
trap 'kill "$registry_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    .venv/bin/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)" "http://$registry/v2/" 2>/dev/null && break
    kill -0 "$registry_pid" 2>/dev/null || die "docker-registry did not start: $(cat .cache/demo/registry/log)"
    sleep 0.1
done

say "Pushing the example to $registry/docs/markdown:v1"
(cd "$ex" && "$root/$ocikit" push --plain-http "$registry/docs/markdown:v1" \
    --artifact-type "$config_type" \
    --annotation "org.opencontainers.image.description=Docs in Markdown, the authoring guide's example" \
    "overview.md:$overview_type" "description.md:$description_type")
"$ocikit" repo tags --plain-http "$registry/docs/markdown"

cat <<HINT

To pull it back (while this demo runs):
  .venv/bin/ocikit pull --plain-http $registry/docs/markdown:v1 -o pulled
  .venv/bin/ocikit manifest fetch --plain-http $registry/docs/markdown:v1
  oras pull --plain-http $registry/docs/markdown:v1 -o pulled      # the ORAS CLI, if you have it
HINT

say "The artifact type catalog (display names and logos for registry UIs)"
"$ocikit" types

say "Serving the browser demo (Ctrl-C stops it)"
port=${OCIKIT_DEMO_PORT:-8080}
# Port 8080 taken? Let the server pick a free one (it prints the URL either way).
if ! .venv/bin/python -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$port" 2>/dev/null; then
    warn "port $port is in use; picking a free one"
    port=0
fi
echo "The registry at http://$registry/ lets the page browse it (CORS headers are configured)."
# Not exec: the EXIT trap stops the registry when the server stops.
.venv/bin/python web-demo/serve.py --port "$port"
