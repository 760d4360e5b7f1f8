#!/usr/bin/env bash
# Registry transfers: ocikit (CLI, Python API, AsyncClient) against oras-py and the ORAS CLI,
# pushing and pulling 500 × 4 KiB, 1 GiB and 256 MiB through toxiproxy's network profiles
# ("region", "far") in front of docker-registry and an in-memory registry, with requests per
# artifact; or on loopback with the curl and http.client ceilings (--network loopback). Prints
# tables and PASS/MISS per goal (see bench/README.md). Extra arguments go to
# bench/registry_transfer.py (--strict, --quick, --network loopback|region|far, --rounds N,
# --small-rounds N, --network-rounds N, --registry distribution|memory, --data large|small,
# --contender NAME, --concurrency N). The network profiles take about 10 minutes on 2 cores
# (--quick about 3), loopback about 6; about 3 GiB free in /tmp (or --workdir DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
source scripts/lib.sh

ORAS_PY_VERSION=0.2.43 # PyPI `oras` (oras-py), the peer Python client

make --no-print-directory python # .venv with ocikit (release build)
scripts/tools.sh --bench          # ORAS CLI, referrers-registry, toxiproxy, Debian's docker-registry
apt_install time curl            # GNU time measures each client's peak RSS and CPU time

PY=.venv/bin/python
if [ "$("$PY" -c 'import importlib.metadata as m; print(m.version("oras"))' 2>/dev/null)" != "$ORAS_PY_VERSION" ]; then
    say "installing oras==$ORAS_PY_VERSION (oras-py) into .venv"
    "$PY" -m pip install --quiet --disable-pip-version-check "oras==$ORAS_PY_VERSION"
fi
# A wheel installed by pip comes with compiled bytecode (pip compiles at install time); the
# in-place development install does not, and with PYTHONDONTWRITEBYTECODE=1 (set on these
# machines) every `ocikit` start would compile the package's modules again (~30 ms). Compile
# them as an installed wheel has them, so the CLI starts as it does for users.
"$PY" -m compileall -q python/ocikit
exec "$PY" bench/registry_transfer.py "$@"
