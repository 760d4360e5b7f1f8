"""Every Python transport asks for bodies unencoded (``Accept-Encoding: identity``): the engine
checks digests and sizes of the bytes as the registry stores them. Without the header a server
may pick any coding (RFC 9110, 12.5.3), and an httpx client asks for gzip by default while
ocikit reads bodies raw; a proxy or CDN in front of a registry that compresses then gave gzip
bytes for a manifest (``DIGEST_MISMATCH``). The server here compresses every manifest unless
the request says ``identity``."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import ocikit

MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.docs.config.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.empty.v1+json",
            "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            "size": 2,
        },
        "layers": [],
    }
).encode()
DIGEST = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()


class _Compressing(http.server.BaseHTTPRequestHandler):
    """``/v2/`` open; any ``/v2/…/manifests/…`` the manifest, gzip-encoded unless the request's
    ``Accept-Encoding`` is ``identity``; each request's ``Accept-Encoding`` recorded."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.seen.append(self.headers.get("Accept-Encoding"))  # type: ignore[attr-defined]
        body = MANIFEST if "/manifests/" in self.path else b""
        self.send_response(200)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if body:
            self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
            self.send_header("Docker-Content-Digest", DIGEST)
            if self.headers.get("Accept-Encoding") != "identity":
                body = gzip.compress(body)
                self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[http.server.ThreadingHTTPServer]:
    made = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Compressing)
    made.seen = []  # type: ignore[attr-defined]
    made.daemon_threads = True
    threading.Thread(target=made.serve_forever, daemon=True).start()
    yield made
    made.shutdown()
    made.server_close()


def _sync(transport: Callable[[], Any] | None) -> Callable[[str], str]:
    def fetch(registry: str) -> str:
        options = {} if transport is None else {"transport": transport()}
        with ocikit.Client(registry, plain_http=True, **options) as client:
            return str(client.fetch_manifest(f"{registry}/docs:v1").digest)

    return fetch


def _async(given: bool) -> Callable[[str], str]:
    def fetch(registry: str) -> str:
        import httpx

        async def scenario() -> str:
            http = httpx.AsyncClient() if given else None
            try:
                async with ocikit.AsyncClient(registry, plain_http=True, http=http) as client:
                    return str((await client.fetch_manifest(f"{registry}/docs:v1")).digest)
            finally:
                if http is not None:
                    await http.aclose()

        return asyncio.run(scenario())

    return fetch


def _httpx_transport() -> Any:
    return ocikit.HttpxTransport()


CLIENTS = {
    "Client (http.client)": lambda: _sync(None),
    "Client (HttpxTransport)": lambda: _sync(_httpx_transport),
    "AsyncClient (its own httpx client)": lambda: _async(False),
    "AsyncClient (a given httpx client)": lambda: _async(True),
}


@pytest.mark.parametrize("name", list(CLIENTS))
def test_every_transport_asks_for_identity_and_gets_the_stored_bytes(
    server: http.server.ThreadingHTTPServer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "httpx" in name.lower():
        pytest.importorskip("httpx")
    for proxy in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(proxy, raising=False)
        monkeypatch.delenv(proxy.upper(), raising=False)
    registry = f"127.0.0.1:{server.server_address[1]}"
    assert CLIENTS[name]()(registry) == DIGEST
    assert server.seen and all(seen == "identity" for seen in server.seen)  # type: ignore[attr-defined]
