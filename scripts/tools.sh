#!/usr/bin/env bash
# Installs the peer tools the interoperability tests and benchmarks run against (never shipped):
# the ORAS CLI and a referrers-API registry built from the Go module proxy at pinned versions,
# and Debian's skopeo and docker-registry (CNCF distribution 2.8.2), with htpasswd
# (apache2-utils) and openssl for the registries the tests start with authentication.
# Binaries built here go to .cache/tools/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ORAS_VERSION=v1.3.6
bin=$PWD/.cache/tools/bin
mkdir -p "$bin"

go_tool() { # name module version
    local name=$1 module=$2 version=$3 stamp="$bin/.$1.version"
    if [ -x "$bin/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
        return 0
    fi
    command -v go >/dev/null || die "go is required to build $name for the interop tests"
    say "building $name $version with go install (test-only peer tool)"
    GOBIN="$bin" GOFLAGS=-mod=mod CGO_ENABLED=0 go install "$module@$version"
    echo "$version" >"$stamp"
}

go_tool oras oras.land/oras/cmd/oras "$ORAS_VERSION"

# toxiproxy, with `scripts/tools.sh --bench` only (scripts/bench-registry.sh; the tests do not
# need it): bench/registry_transfer.py's network profiles put latency and a bandwidth cap
# between each client and the registry (the kernel here has no netem). Its server command
# installs as "server", so it is built aside and renamed.
TOXIPROXY_VERSION=v2.5.0
if [ "${1:-}" = --bench ] && { [ ! -x "$bin/toxiproxy-server" ] || [ "$(cat "$bin/.toxiproxy-server.version" 2>/dev/null)" != "$TOXIPROXY_VERSION" ]; }; then
    command -v go >/dev/null || die "go is required to build toxiproxy for the benchmarks"
    say "building toxiproxy-server $TOXIPROXY_VERSION with go install (benchmark-only tool)"
    aside=$(mktemp -d)
    GOBIN="$aside" GOFLAGS=-mod=mod CGO_ENABLED=0 go install "github.com/Shopify/toxiproxy/v2/cmd/server@$TOXIPROXY_VERSION"
    mv "$aside/server" "$bin/toxiproxy-server"
    rmdir "$aside"
    echo "$TOXIPROXY_VERSION" >"$bin/.toxiproxy-server.version"
fi

# A registry with the referrers API (go-containerregistry's, pinned in its go.mod): see
# tests/tools/referrers-registry/main.go for why it is built here rather than taken from crane.
source_stamp=$(cat tests/tools/referrers-registry/go.mod tests/tools/referrers-registry/go.sum tests/tools/referrers-registry/main.go | sha256sum | cut -c1-16)
if [ "$(cat "$bin/.referrers-registry.version" 2>/dev/null)" != "$source_stamp" ]; then
    say "building referrers-registry (test-only, go-containerregistry with the referrers API)"
    (cd tests/tools/referrers-registry && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$bin/referrers-registry" .)
    echo "$source_stamp" >"$bin/.referrers-registry.version"
fi
apt_install skopeo docker-registry apache2-utils openssl
"$bin/oras" version | sed -n 1p >&2
