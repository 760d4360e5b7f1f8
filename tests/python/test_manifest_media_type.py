"""A registry that sends no ``Content-Type`` for a manifest: the core gives the media type
(the document's own ``mediaType``, else the type its shape gives; a HEAD answer without one
is followed by a GET), and the host takes it from there, as JS's client does
(tests/vectors/registry/resolve-head-without-content-type.json, manifest-get-*). Python once
guessed the image manifest type for a resolved index, and gave no type for a fetch."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import ocikit

INDEX = "application/vnd.oci.image.index.v1+json"
TYPED = b'{"schemaVersion":2,"mediaType":"' + INDEX.encode() + b'","manifests":[]}'
UNTYPED = b'{"schemaVersion":2,"manifests":[]}'  # mediaType is a SHOULD, not a MUST


class _Untyped(http.server.BaseHTTPRequestHandler):
    """``/v2/`` open; ``/v2/docs/manifests/typed`` and ``…/untyped`` the two indexes above,
    with ``Docker-Content-Digest`` and ``Content-Length`` but no ``Content-Type``, to HEAD and
    GET; a manifest PUT is recorded (path and ``Content-Type``) and answered 201."""

    protocol_version = "HTTP/1.1"

    def _document(self) -> bytes | None:
        name = self.path.rsplit("/", 1)[-1]
        if "/manifests/" not in self.path:
            return b""
        return {"typed": TYPED, "untyped": UNTYPED}.get(name)

    def _answer(self, with_body: bool) -> None:
        document = self._document()
        if document is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        if document:
            self.send_header("Docker-Content-Digest", _digest(document))
        self.send_header("Content-Length", str(len(document)))
        self.end_headers()
        if with_body:
            self.wfile.write(document)

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests.append(("HEAD", self.path))  # type: ignore[attr-defined]
        self._answer(with_body=False)

    def do_GET(self) -> None:  # noqa: N802
        self.server.requests.append(("GET", self.path))  # type: ignore[attr-defined]
        self._answer(with_body=True)

    def do_PUT(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.puts.append((self.path, self.headers.get("Content-Type")))  # type: ignore[attr-defined]
        self.send_response(201)
        self.send_header("Docker-Content-Digest", _digest(body))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.fixture
def registry() -> Iterator[tuple[str, http.server.ThreadingHTTPServer]]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Untyped)
    server.requests = []  # type: ignore[attr-defined]
    server.puts = []  # type: ignore[attr-defined]
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name", ["typed", "untyped"])
def test_resolve_takes_the_type_from_the_document(
    registry: tuple[str, http.server.ThreadingHTTPServer], name: str
) -> None:
    host, server = registry
    document = TYPED if name == "typed" else UNTYPED
    with ocikit.Client(host, plain_http=True) as client:
        resolved = client.resolve(f"{host}/docs:{name}")
    assert (resolved.media_type, str(resolved.digest), resolved.size) == (
        INDEX,
        _digest(document),
        len(document),
    )
    # The HEAD answer has no Content-Type: the core asks for the document.
    path = f"/v2/docs/manifests/{name}"
    assert server.requests[-2:] == [("HEAD", path), ("GET", path)]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["typed", "untyped"])
def test_fetch_and_tag_take_the_type_from_the_document(
    registry: tuple[str, http.server.ThreadingHTTPServer], name: str
) -> None:
    host, server = registry
    with ocikit.Client(host, plain_http=True) as client:
        assert client.fetch(f"{host}/docs:{name}").media_type == INDEX
        tagged = client.tag(f"{host}/docs:{name}", "v2")
    assert tagged.media_type == INDEX
    assert server.puts == [("/v2/docs/manifests/v2", INDEX)]  # type: ignore[attr-defined]
