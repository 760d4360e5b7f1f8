"""The httpx client an ``AsyncClient`` makes for itself: plain HTTP loads no certificates (httpx
loads them when its HTTPS transport is made: 20–30 ms per client), HTTPS still verifies with
httpx's defaults or the given ``ssl_context``, proxies from the environment are httpx's, and the
operation's deadline ends a request the server never answers with ``TIMEOUT``."""

from __future__ import annotations

import asyncio
import http.server
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("httpx")

import ocikit  # noqa: E402
from ocikit import NetworkError, OperationTimeoutError  # noqa: E402


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers every request 200 (an open registry's ``/v2/``), recording its request line."""

    protocol_version = "HTTP/1.1"
    seen: list[str]

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.seen.append(self.requestline)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.seen: list[str] = []
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def servers() -> Iterator[list[_Server]]:
    made: list[_Server] = []
    yield made
    for server in made:
        server.shutdown()
        server.server_close()


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _check_auth(registry: str, **options: Any) -> None:
    async def scenario() -> None:
        async with ocikit.AsyncClient(registry, **options) as client:
            await client.check_auth()

    asyncio.run(scenario())


def test_plain_http_loads_no_certificates(
    servers: list[_Server], no_proxies: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[Any] = []
    original = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    server = _Server()
    servers.append(server)
    _check_auth(server.address, plain_http=True)
    assert server.seen == ["GET /v2/ HTTP/1.1"]
    assert made == []


def test_https_verifies_with_httpx_defaults_or_the_ssl_context(
    servers: list[_Server], certificate: Path, no_proxies: None
) -> None:
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    server = _Server(served)
    servers.append(server)
    # httpx's certificate authorities do not know this certificate.
    with pytest.raises(NetworkError) as refused:
        _check_auth(server.address)
    assert refused.value.code == "TLS_ERROR"
    assert server.seen == []
    trusted = ssl.create_default_context(cafile=str(certificate / "cert.pem"))
    _check_auth(server.address, ssl_context=trusted)
    assert server.seen == ["GET /v2/ HTTP/1.1"]


def test_plain_and_https_registries_on_one_client(
    servers: list[_Server], certificate: Path, no_proxies: None
) -> None:
    """One client, both schemes (a registry and its redirect target, say): each request goes
    on the transport of its scheme."""
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    secure, plain = _Server(served), _Server()
    servers.extend([secure, plain])
    trusted = ssl.create_default_context(cafile=str(certificate / "cert.pem"))

    async def scenario() -> None:
        async with ocikit.AsyncClient(secure.address, ssl_context=trusted) as client:
            await client.check_auth()
            other = ocikit.AsyncClient(plain.address, plain_http=True, http=client._http)
            await other.check_auth()
            await client.check_auth()

    asyncio.run(scenario())
    assert secure.seen == ["GET /v2/ HTTP/1.1"] * 2
    assert plain.seen == ["GET /v2/ HTTP/1.1"]


def test_a_proxy_from_the_environment_is_used(
    servers: list[_Server], no_proxies: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = _Server()  # answers as the registry would, through it
    servers.append(proxy)
    monkeypatch.setenv("HTTP_PROXY", f"http://{proxy.address}")
    # A host that does not resolve: only the proxy can reach it.
    _check_auth("registry.invalid:5000", plain_http=True)
    assert proxy.seen == ["GET http://registry.invalid:5000/v2/ HTTP/1.1"]


def test_no_proxy_from_the_environment_is_honoured(
    servers: list[_Server], no_proxies: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, registry = _Server(), _Server()
    servers.extend([proxy, registry])
    monkeypatch.setenv("HTTP_PROXY", f"http://{proxy.address}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    _check_auth(registry.address, plain_http=True)
    assert (proxy.seen, registry.seen) == ([], ["GET /v2/ HTTP/1.1"])


def test_the_deadline_ends_a_request_never_answered(no_proxies: None) -> None:
    silent = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        try:
            while True:
                accepted.append(silent.accept()[0])  # read nothing, answer nothing
        except OSError:
            return  # closed

    threading.Thread(target=accept, daemon=True).start()
    try:
        started = time.monotonic()
        with pytest.raises(OperationTimeoutError) as ended:
            _check_auth(f"127.0.0.1:{silent.getsockname()[1]}", plain_http=True, timeout=0.5)
        assert ended.value.code == "TIMEOUT"
        assert time.monotonic() - started < 10
    finally:
        silent.close()
        for conn in accepted:
            conn.close()
