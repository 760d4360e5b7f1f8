"""The user's own headers (``Client(headers=…)``, ``ocikit -H``): sent with every request to
the registry's origin and to the token realm it names, never to another origin — a storage
backend a blob download is redirected to — nor to another registry a reference names, since
they may carry credentials. Before, the transport added ``-H`` headers to every request it
sent, redirects included: an ``Authorization`` given with ``-H`` reached the storage host."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ocikit
from ocikit import cli
from ocikit.errors import ValidationError

BLOB = b"hello"
DESCRIPTOR = ocikit.Descriptor(
    media_type="application/octet-stream", digest=ocikit.digest(BLOB), size=len(BLOB)
)
SECRET = ("Authorization", "Bearer user-secret-from-H")
TRACE = ("X-Trace", "abc 1")


class Servers:
    """A registry on 127.0.0.1 that asks for a token from its own realm, then redirects blob
    downloads to a storage server on ``localhost`` (another origin); both record the headers
    of each request they get."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, list[str]]]] = []
        seen = self.seen

        def record(role: str, handler: http.server.BaseHTTPRequestHandler) -> None:
            headers: dict[str, list[str]] = {}
            for name, value in handler.headers.items():
                headers.setdefault(name.lower(), []).append(value)
            seen.append((role, handler.path, headers))

        class Storage(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                record("storage", self)
                self.send_response(200)
                self.send_header("Content-Length", str(len(BLOB)))
                self.end_headers()
                self.wfile.write(BLOB)

        self.storage = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Storage)
        storage_port = self.storage.server_port

        class Registry(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self) -> None:
                record("registry", self)
                port = self.server.server_address[1]
                if self.path.startswith("/token"):
                    self._answer(200, {"Content-Type": "application/json"}, b'{"token":"t0k"}')
                elif self.headers.get("Authorization") != "Bearer t0k":
                    realm = f'Bearer realm="http://127.0.0.1:{port}/token",service="test"'
                    self._answer(401, {"WWW-Authenticate": realm})
                elif "/blobs/" in self.path:
                    where = f"http://localhost:{storage_port}/blob?sig=1"
                    self._answer(307, {"Location": where})
                else:
                    self._answer(404, {"Content-Type": "application/json"}, b"{}")

            def do_HEAD(self) -> None:
                record("registry", self)
                if self.headers.get("Authorization") != "Bearer t0k":
                    port = self.server.server_address[1]
                    realm = f'Bearer realm="http://127.0.0.1:{port}/token",service="test"'
                    self._answer(401, {"WWW-Authenticate": realm})
                else:  # a blob's size (the CLI asks before it downloads)
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(BLOB)))
                    self.send_header("Docker-Content-Digest", str(DESCRIPTOR.digest))
                    self.end_headers()

        self.registry = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
        self.host = f"127.0.0.1:{self.registry.server_port}"
        for server in (self.storage, self.registry):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def close(self) -> None:
        for server in (self.storage, self.registry):
            server.shutdown()
            server.server_close()

    def headers_of(self, role: str) -> list[dict[str, list[str]]]:
        return [headers for who, _, headers in self.seen if who == role]


@pytest.fixture
def servers() -> Iterator[Servers]:
    running = Servers()
    yield running
    running.close()


def _check(servers: Servers) -> None:
    registry = servers.headers_of("registry")
    storage = servers.headers_of("storage")
    assert registry and storage, servers.seen
    # Every request to the registry's origin (the token request to its realm included)
    # carried them, after the engine's own Authorization where it sent one.
    for headers in registry:
        assert headers["x-trace"] == ["abc 1"]
        assert headers["authorization"][-1] == "Bearer user-secret-from-H"
    assert any(path.startswith("/token") for who, path, _ in servers.seen if who == "registry")
    # The storage origin got none of them, and no credentials either.
    for headers in storage:
        assert "x-trace" not in headers
        assert "authorization" not in headers


def test_client_headers_go_to_the_registry_and_realm_not_to_a_redirect(
    servers: Servers,
) -> None:
    with ocikit.Client(servers.host, plain_http=True, headers=[TRACE, SECRET]) as client:
        assert client.fetch_blob(f"{servers.host}/app", DESCRIPTOR) == BLOB
    _check(servers)


def test_cli_h_goes_to_the_registry_not_to_a_redirect(
    servers: Servers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "blob"
    argv = ["blob", "fetch", f"{servers.host}/app@{DESCRIPTOR.digest}", "--plain-http"]
    argv += ["-H", "X-Trace: abc 1", "-H", "Authorization: Bearer user-secret-from-H"]
    argv += ["--output", str(out)]
    assert cli.main(argv) == 0, capsys.readouterr().err
    assert out.read_bytes() == BLOB
    _check(servers)


def test_headers_are_not_sent_to_another_registry(servers: Servers) -> None:
    # A client of one registry given a reference to another: an anonymous session there, with
    # neither the credentials nor the headers of the client's own registry.
    with ocikit.Client("registry.invalid", plain_http=True, headers=[SECRET]) as client:
        assert client.fetch_blob(f"{servers.host}/app", DESCRIPTOR) == BLOB
    for headers in servers.headers_of("registry") + servers.headers_of("storage"):
        assert "Bearer user-secret-from-H" not in headers.get("authorization", [])


@pytest.mark.parametrize(
    "headers",
    [
        [("Bad Name", "v")],
        [("", "v")],
        [("X-Trace", "a\r\nInjected: yes")],
        [("X-Trace", "caf\u00e9")],
        [("Content-Length", "5")],
        [("Host", "elsewhere.example")],
    ],
)
def test_headers_that_would_break_the_exchange_are_refused_when_the_client_is_made(
    headers: list[tuple[str, str]],
) -> None:
    with pytest.raises(ValidationError) as raised:
        ocikit.Client("registry.example", headers=headers)
    assert raised.value.code == "OPTIONS_INVALID"


def test_headers_of_another_shape_are_a_type_error() -> None:
    for shape in ([("X-A",)], [("X-A", 1)], [b"X-A: 1"]):
        with pytest.raises(TypeError, match=r"headers must be a sequence of \(name, value\)"):
            ocikit.Client("registry.example", headers=shape)  # type: ignore[arg-type]


def test_async_client_headers_go_to_the_registry_and_realm_not_to_a_redirect(
    servers: Servers,
) -> None:
    pytest.importorskip("httpx")
    import asyncio

    async def fetch() -> bytes | None:
        async with ocikit.AsyncClient(servers.host, plain_http=True, headers=[TRACE, SECRET]) as c:
            return await c.fetch_blob(f"{servers.host}/app", DESCRIPTOR)

    assert asyncio.run(fetch()) == BLOB
    _check(servers)
