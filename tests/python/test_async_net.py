"""``ocikit._async_net``: the network under ``AsyncClient``'s own httpx transport (httpcore's
pool on asyncio's transports), against real servers on 127.0.0.1: keep-alive reuses one TCP
connection; an idle connection the server closed is noticed from asyncio's state (no socket
poll) and replaced without an error; a reset, a refused connection and each timeout give the
httpx errors ``AsyncClient`` maps, and through it the same coded errors as before, with the OS's
own words; TLS with a given context; big bodies both ways."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import socket
import ssl
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

httpx = pytest.importorskip("httpx")
httpcore = pytest.importorskip("httpcore")
h11 = pytest.importorskip("h11")

import ocikit  # noqa: E402
from ocikit import NetworkError, OperationTimeoutError  # noqa: E402
from ocikit._async_net import (  # noqa: E402
    KEEPALIVE_EXPIRY,
    MAX_CONNECTIONS,
    MAX_KEEPALIVE_CONNECTIONS,
    AsyncioBackend,
    AsyncioStream,
    AsyncioTransport,
    httpx_error,
)
from conftest import RawServer, answering  # noqa: E402

BIG = bytes(range(256)) * (8 * 1024 * 4)  # 8 MiB
T = TypeVar("T")


class _Handler(http.server.BaseHTTPRequestHandler):
    """``GET /``: 200 with a small body; ``GET /big``: 8 MiB; ``GET /close``: 200, and when
    the test sets ``close_now`` the server closes the connection (a keep-alive response: no
    ``Connection: close``); ``HEAD``: 200, ``Content-Length: 5``; ``PUT``: the body's
    SHA-256."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.requests += 1
        body = BIG if self.path == "/big" else b"hello"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if self.path == "/close":
            self.server.close_now.wait(10)  # the test says when: its pool holds it idle
            self.connection.shutdown(socket.SHUT_WR)  # the FIN, now
            self.close_connection = True
            self.server.closed.set()

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.requests += 1
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()

    def do_PUT(self) -> None:  # noqa: N802
        self.server.requests += 1
        length = int(self.headers["Content-Length"])
        digest = hashlib.sha256()
        while length:
            piece = self.rfile.read(min(length, 65536))
            digest.update(piece)
            length -= len(piece)
        body = digest.hexdigest().encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    """A real HTTP/1.1 server on 127.0.0.1 that counts the connections it accepts."""

    daemon_threads = True

    def __init__(self, context: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.accepted = 0
        self.requests = 0
        self.close_now = threading.Event()
        self.closed = threading.Event()
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def process_request(self, request: Any, client_address: Any) -> None:
        self.accepted += 1
        super().process_request(request, client_address)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    made = _Server()
    yield made
    made.shutdown()
    made.server_close()


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _timeout(seconds: float | None) -> dict[str, Any]:
    return {"timeout": httpx.Timeout(seconds).as_dict()}


async def _get(
    transport: AsyncioTransport, url: str, timeout: float | None = 10
) -> tuple[int, bytes]:
    request = httpx.Request("GET", url, extensions=_timeout(timeout))
    response = await transport.handle_async_request(request)
    try:
        body = b"".join([piece async for piece in response.aiter_raw()])
    finally:
        await response.aclose()
    return response.status_code, body


def _plain() -> AsyncioTransport:
    return AsyncioTransport(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))


def test_the_limits_are_httpx_defaults() -> None:
    from httpx._config import DEFAULT_LIMITS  # what httpx.AsyncHTTPTransport() would use

    assert (MAX_CONNECTIONS, MAX_KEEPALIVE_CONNECTIONS, KEEPALIVE_EXPIRY) == (
        DEFAULT_LIMITS.max_connections,
        DEFAULT_LIMITS.max_keepalive_connections,
        DEFAULT_LIMITS.keepalive_expiry,
    )


def test_sequential_requests_share_one_connection(server: _Server) -> None:
    async def scenario() -> list[tuple[int, bytes]]:
        transport = _plain()
        try:
            return [await _get(transport, f"http://{server.address}/") for _ in range(5)]
        finally:
            await transport.aclose()

    assert asyncio.run(scenario()) == [(200, b"hello")] * 5
    assert (server.accepted, server.requests) == (1, 5)


def test_a_name_connects_through_its_addresses(server: _Server) -> None:
    """``localhost`` (a name: its addresses raced as anyio races them, ``::1`` refused where it
    resolves, the server listens on 127.0.0.1 only)."""

    async def scenario() -> list[tuple[int, bytes]]:
        transport = _plain()
        port = server.server_address[1]
        try:
            return [await _get(transport, f"http://localhost:{port}/") for _ in range(2)]
        finally:
            await transport.aclose()

    assert asyncio.run(scenario()) == [(200, b"hello")] * 2
    assert server.accepted == 1


def test_async_client_reuses_its_connection(server: _Server, no_proxies: None) -> None:
    async def scenario() -> None:
        async with ocikit.AsyncClient(server.address, plain_http=True) as client:
            for _ in range(4):
                await client.check_auth()

    asyncio.run(scenario())
    assert (server.accepted, server.requests) == (1, 4)


def test_async_client_keeps_the_connection_of_a_head(server: _Server, no_proxies: None) -> None:
    """A HEAD's response has no body, but httpcore closes a connection whose response was not
    read to its end: AsyncClient reads it (nothing), so existence checks (one per blob of a
    push) share one connection instead of opening one each."""
    digest = "sha256:" + hashlib.sha256(b"hello").hexdigest()

    async def scenario() -> list[int | None]:
        async with ocikit.AsyncClient(server.address, plain_http=True) as client:
            return [await client.blob_size(f"{server.address}/repo", digest) for _ in range(4)]

    assert asyncio.run(scenario()) == [5] * 4
    assert (server.accepted, server.requests) == (1, 4)


def test_an_idle_connection_the_server_closed_is_replaced(server: _Server) -> None:
    """The server closes the connection after a keep-alive response: the pool sees it closed
    (``is_readable``) and the next request goes on a new connection, without an error."""

    async def scenario() -> list[tuple[int, bytes]]:
        transport = _plain()
        try:
            first = await _get(transport, f"http://{server.address}/close")
            server.close_now.set()
            await asyncio.get_running_loop().run_in_executor(None, server.closed.wait, 10)
            await asyncio.sleep(0.05)  # the loop sees the end of the stream
            [connection] = transport.pool.connections
            assert transport.pool.idle == [connection]
            assert connection.stream.get_extra_info("is_readable")  # the end: not used again
            second = await _get(transport, f"http://{server.address}/")
            return [first, second]
        finally:
            await transport.aclose()

    assert asyncio.run(scenario()) == [(200, b"hello")] * 2
    assert (server.accepted, server.requests) == (2, 2)


def test_is_readable_is_the_streams_state(server: _Server) -> None:
    """Nothing waiting on an open idle connection: not readable; bytes waiting, or the end of
    the stream: readable."""

    async def scenario() -> list[bool]:
        backend = AsyncioBackend()
        host, port = server.server_address[:2]
        stream = await backend.connect_tcp(str(host), int(port), timeout=5)
        assert isinstance(stream, AsyncioStream)
        seen = [stream.get_extra_info("is_readable")]
        server.close_now.set()
        request = f"GET /close HTTP/1.1\r\nHost: {server.address}\r\n\r\n".encode()
        await stream.write(request, timeout=5)
        await asyncio.get_running_loop().run_in_executor(None, server.closed.wait, 10)
        await asyncio.sleep(0.05)
        seen.append(stream.get_extra_info("is_readable"))  # the response, then the end
        received = b""
        while True:
            piece = await stream.read(65536, timeout=5)
            if not piece:
                break
            received += piece
        assert received.startswith(b"HTTP/1.1 200") and received.endswith(b"hello")
        seen.append(stream.get_extra_info("is_readable"))  # the end, still
        await stream.aclose()
        return seen

    assert asyncio.run(scenario()) == [False, True, True]


def test_the_pool_asks_no_socket_poll(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the backend is for: httpcore's anyio backend polls the socket each time the pool
    asks whether an idle connection is readable (every request's start and end, for every idle
    connection); this one answers from asyncio's state."""
    import httpcore._backends.anyio as anyio_backend

    polls: list[object] = []
    real = anyio_backend.is_socket_readable

    def counted(sock: Any) -> bool:
        polls.append(sock)
        return real(sock)

    monkeypatch.setattr(anyio_backend, "is_socket_readable", counted)

    async def scenario() -> None:
        transport = _plain()
        try:

            async def three() -> None:
                for _ in range(3):
                    assert await _get(transport, f"http://{server.address}/") == (200, b"hello")

            await asyncio.gather(three(), three(), three())
        finally:
            await transport.aclose()

    asyncio.run(scenario())
    assert server.requests == 9
    assert polls == []


def test_big_bodies_both_ways(server: _Server) -> None:
    """8 MiB down, read slowly (the connection stops and starts reading its socket), and 8 MiB
    up, intact."""

    async def scenario() -> tuple[bytes, bytes]:
        transport = _plain()
        try:
            request = httpx.Request("GET", f"http://{server.address}/big", extensions=_timeout(10))
            response = await transport.handle_async_request(request)
            received = bytearray()
            async for piece in response.aiter_raw():
                received += piece
                if len(received) < 2 * 1024 * 1024:
                    await asyncio.sleep(0.001)  # let more than the high mark arrive meanwhile
            await response.aclose()
            request = httpx.Request(
                "PUT", f"http://{server.address}/up", content=BIG, extensions=_timeout(10)
            )
            response = await transport.handle_async_request(request)
            answer = await response.aread()
            await response.aclose()
            return bytes(received), answer
        finally:
            await transport.aclose()

    received, answer = asyncio.run(scenario())
    assert hashlib.sha256(received).digest() == hashlib.sha256(BIG).digest()
    assert answer == hashlib.sha256(BIG).hexdigest().encode()
    assert server.accepted == 1


def _reset_after_headers(connection: socket.socket) -> None:
    connection.recv(65536)
    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100)
    time.sleep(0.1)
    # SO_LINGER with a zero timeout: close() sends a RST, not a FIN.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


def _read_forever(connection: socket.socket) -> None:
    try:
        while connection.recv(65536):
            pass
    except OSError:
        return


def test_a_reset_mid_response_is_a_read_error() -> None:
    raw = RawServer(_reset_after_headers)

    async def scenario() -> None:
        transport = _plain()
        try:
            with pytest.raises(httpx.ReadError, match="Connection reset by peer"):
                await _get(transport, f"http://{raw.address}/")
        finally:
            await transport.aclose()

    try:
        asyncio.run(scenario())
    finally:
        raw.close()


def _fetch_manifest(registry: str, **options: Any) -> None:
    async def scenario() -> None:
        async with ocikit.AsyncClient(
            registry, plain_http=True, retry_policy=ocikit.RetryPolicy(max_retries=0), **options
        ) as client:
            await client.fetch_manifest(f"{registry}/repo:tag")

    asyncio.run(scenario())


def test_async_client_codes_a_reset_a_refusal_and_a_stall(no_proxies: None) -> None:
    """The coded errors AsyncClient gave with httpx's own transport, worded by the OS as the
    sync client words them (anyio's words were "ReadError" for a reset and "All connection
    attempts failed" for a refusal)."""
    reset = RawServer(_reset_after_headers)
    try:
        with pytest.raises(NetworkError) as failed:
            _fetch_manifest(reset.address)
        assert failed.value.code == "NETWORK_ERROR"
        assert failed.value.details["reason"].endswith(" failed: Connection reset by peer")
    finally:
        reset.close()

    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))  # bound, not listening: connecting is refused
    try:
        with pytest.raises(NetworkError) as refused:
            _fetch_manifest(f"127.0.0.1:{unused.getsockname()[1]}")
        assert refused.value.code == "NETWORK_ERROR"
        assert refused.value.details["reason"].endswith(" failed: Connection refused")
    finally:
        unused.close()

    silent = RawServer(_read_forever)
    try:
        with pytest.raises(OperationTimeoutError) as stalled:
            _fetch_manifest(silent.address, stall_timeout=0.3)
        assert stalled.value.code == "TIMEOUT"
        assert "the stall timeout" in stalled.value.details["reason"]
    finally:
        silent.close()


def test_a_read_timeout() -> None:
    silent = RawServer(_read_forever)

    async def scenario() -> float:
        transport = _plain()
        started = time.monotonic()
        try:
            with pytest.raises(httpx.ReadTimeout):
                await _get(transport, f"http://{silent.address}/", timeout=0.2)
            return time.monotonic() - started
        finally:
            await transport.aclose()

    try:
        assert 0.15 < asyncio.run(scenario()) < 5
    finally:
        silent.close()


def test_a_write_timeout() -> None:
    """A server that reads nothing: the send buffers fill, and the write waits no longer than
    its timeout."""
    deaf = RawServer(lambda connection: time.sleep(30), receive_buffer=4096)

    async def scenario() -> None:
        transport = _plain()
        try:
            request = httpx.Request(
                "PUT", f"http://{deaf.address}/", content=BIG * 2, extensions=_timeout(0.3)
            )
            with pytest.raises(httpx.WriteTimeout):
                await transport.handle_async_request(request)
        finally:
            await transport.aclose()

    try:
        asyncio.run(scenario())
    finally:
        deaf.close()


def test_a_refused_connection_is_a_connect_error() -> None:
    unused = socket.socket()
    unused.bind(("127.0.0.1", 0))

    async def scenario() -> None:
        transport = _plain()
        try:
            with pytest.raises(httpx.ConnectError, match="^Connection refused$"):
                await _get(transport, f"http://127.0.0.1:{unused.getsockname()[1]}/")
        finally:
            await transport.aclose()

    try:
        asyncio.run(scenario())
    finally:
        unused.close()


def test_tls_with_the_given_context(certificate: Path) -> None:
    """HTTPS verified by the given context, on one connection for sequential requests; a
    context that does not trust the certificate fails the handshake with the ``SSLError`` in
    the error's context (what ``AsyncClient`` codes ``TLS_ERROR``)."""
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    secure = _Server(served)
    trusted = ssl.create_default_context(cafile=str(certificate / "cert.pem"))

    async def scenario() -> list[tuple[int, bytes]]:
        transport = AsyncioTransport(trusted)
        try:
            got = [await _get(transport, f"https://{secure.address}/") for _ in range(3)]
            [connection] = transport.pool.connections
            assert connection.stream.get_extra_info("ssl_object").selected_alpn_protocol() in (
                None,  # the server chose none
                "http/1.1",
            )
            got.append(await _get(transport, f"https://{secure.address}/big"))
            return got
        finally:
            await transport.aclose()

    async def untrusted() -> None:
        transport = AsyncioTransport(ssl.create_default_context())
        try:
            with pytest.raises(httpx.ConnectError) as refused:
                await _get(transport, f"https://{secure.address}/")
            cause: BaseException | None = refused.value
            while cause is not None and not isinstance(cause, ssl.SSLError):
                cause = cause.__context__
            assert isinstance(cause, ssl.SSLCertVerificationError)
        finally:
            await transport.aclose()

    try:
        assert asyncio.run(scenario()) == [(200, b"hello")] * 3 + [(200, BIG)]
        assert secure.accepted == 1
        asyncio.run(untrusted())
    finally:
        secure.shutdown()
        secure.server_close()


def test_a_tls_handshake_never_answered_times_out(no_proxies: None) -> None:
    """A server that takes the connection and never speaks TLS: the connect timeout ends the
    handshake (``httpx.ConnectTimeout``; ``AsyncClient``: ``TIMEOUT``)."""
    mute = RawServer(_read_forever)

    async def scenario() -> None:
        transport = AsyncioTransport(ssl.create_default_context())
        try:
            with pytest.raises(httpx.ConnectTimeout):
                await _get(transport, f"https://{mute.address}/", timeout=0.3)
        finally:
            await transport.aclose()

    async def client() -> None:
        async with ocikit.AsyncClient(mute.address, stall_timeout=0.3) as made:
            await made.check_auth()

    try:
        asyncio.run(scenario())
        with pytest.raises(OperationTimeoutError) as ended:
            asyncio.run(client())
        assert ended.value.code == "TIMEOUT"
    finally:
        mute.close()


def test_httpcore_errors_become_the_most_specific_httpx_error() -> None:
    pairs = [
        (httpcore.ConnectError("x"), httpx.ConnectError),
        (httpcore.ConnectTimeout("x"), httpx.ConnectTimeout),
        (httpcore.ReadTimeout("x"), httpx.ReadTimeout),
        (httpcore.WriteTimeout("x"), httpx.WriteTimeout),
        (httpcore.PoolTimeout("x"), httpx.PoolTimeout),
        (httpcore.ReadError("x"), httpx.ReadError),
        (httpcore.WriteError("x"), httpx.WriteError),
        (httpcore.RemoteProtocolError("x"), httpx.RemoteProtocolError),
        (httpcore.LocalProtocolError("x"), httpx.LocalProtocolError),
        (httpcore.UnsupportedProtocol("x"), httpx.UnsupportedProtocol),
        (httpcore.ProxyError("x"), httpx.ProxyError),
    ]
    for error, expected in pairs:
        mapped = httpx_error(error)
        assert type(mapped) is expected and str(mapped) == "x"
    assert httpx_error(ValueError("x")) is None


def test_the_client_made_for_async_client_is_on_asyncio_transports(no_proxies: None) -> None:
    """Without a proxy in the environment, AsyncClient's own requests go through this module's
    transport (plain now, HTTPS made on the first HTTPS request)."""
    client = ocikit.AsyncClient("127.0.0.1:5000", plain_http=True)
    transport = client._transport
    assert transport is not None
    assert isinstance(transport._plain, AsyncioTransport)
    assert transport._tls is None
    asyncio.run(client.aclose())


class _Recorder:
    """An HTTP/1.1 server on 127.0.0.1 (h11 reads the requests) that records each request's
    bytes as they came and answers 200 with headers in mixed case, one in ISO-8859-1."""

    ANSWER = [
        (b"Content-Length", b"2"),
        (b"Docker-Content-Digest", b"sha256:00"),
        (b"X-Mixed-Case", b"cr\xe8me"),
    ]

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.raw = RawServer(self._serve)

    def _serve(self, connection: socket.socket) -> None:
        import h11

        peer = h11.Connection(h11.SERVER)
        received = bytearray()
        method = b""
        while True:
            event = peer.next_event()
            if isinstance(event, h11.Request):
                method = event.method
            elif event is h11.NEED_DATA:
                data = connection.recv(65536)
                received += data
                peer.receive_data(data)
                if not data:
                    return
            elif isinstance(event, h11.EndOfMessage):
                # What this request took of the bytes: all but what h11 still holds.
                held = len(peer.trailing_data[0])
                self.requests.append(bytes(received[: len(received) - held]))
                del received[: len(received) - held]
                answer = h11.Response(status_code=200, headers=self.ANSWER)
                connection.sendall(peer.send(answer))
                if method != b"HEAD":
                    connection.sendall(peer.send(h11.Data(data=b"ok")))
                connection.sendall(peer.send(h11.EndOfMessage()))
                peer.start_next_cycle()
            elif isinstance(event, h11.ConnectionClosed):
                return


async def _pieces(*pieces: bytes) -> Any:
    for piece in pieces:
        yield piece


def test_exchange_sends_what_httpx_requests_send() -> None:
    """``AsyncioTransport.exchange`` (the path AsyncClient takes, without httpx's request and
    response objects) and its ``handle_async_request`` put the same bytes on the wire as
    httpx's own transport (``httpx.AsyncHTTPTransport``, on httpcore) sending the
    ``httpx.Request`` made of the same arguments, and read the response headers as
    ``httpx.Response.headers.multi_items()`` does."""
    recorder = _Recorder()
    url = f"http://{recorder.raw.address}/v2/r/blobs/uploads/x?_state=a%3D%3D&n=1"
    cases: list[tuple[str, list[tuple[str, str]], Any]] = [
        ("GET", [("Accept", "application/json"), ("Accept-Encoding", "identity")], lambda: b""),
        ("HEAD", [], lambda: b""),
        ("PUT", [("Content-Length", "3")], lambda: b"abc"),
        ("PUT", [("Content-Type", "application/octet-stream")], lambda: b"abc"),
        ("POST", [], lambda: b""),
        ("PATCH", [], lambda: _pieces(b"ab", b"c")),
        ("PATCH", [("Content-Length", "3")], lambda: _pieces(b"ab", b"c")),
        ("GET", [("Host", "registry.example")], lambda: b""),
    ]

    async def scenario() -> list[tuple[Any, ...]]:
        transport = _plain()
        reference = httpx.AsyncHTTPTransport()
        seen = []
        try:
            for method, headers, content in cases:
                answers = []
                for sender in (reference, transport):
                    request = httpx.Request(
                        method, url, headers=headers, content=content(), extensions=_timeout(5)
                    )
                    response = await sender.handle_async_request(request)
                    body = await response.aread()
                    await response.aclose()
                    answers.append((response.headers.multi_items(), body))
                for where in (url, httpx.URL(url)):
                    exchange = await transport.exchange(
                        method, where, headers, content(), _timeout(5)["timeout"]
                    )
                    pieces = [piece async for piece in exchange.raw()]
                    await exchange.aclose()
                    answers.append((exchange.headers, b"".join(pieces)))
                seen.append(tuple(answers))
        finally:
            await transport.aclose()
            await reference.aclose()
        return seen

    try:
        seen = asyncio.run(scenario())
    finally:
        recorder.raw.close()
    assert len(recorder.requests) == 4 * len(cases)
    for index in range(len(cases)):
        sent = recorder.requests[4 * index : 4 * index + 4]
        assert sent == [sent[0]] * 4, cases[index]
    expected = [
        ("content-length", "2"),
        ("docker-content-digest", "sha256:00"),
        ("x-mixed-case", "cr\xe8me"),
    ]
    for answers in seen:
        assert list(answers) == [answers[0]] * 4
        assert answers[0][0] == expected
    assert recorder.requests[0].startswith(b"GET /v2/r/blobs/uploads/x?_state=a%3D%3D&n=1 HTTP/1.1")
    # One connection for httpx's transport, one for all the requests through ocikit's pool.
    assert len(recorder.raw.connections) == 2


def test_a_big_body_comes_whole_in_the_pieces_received(server: _Server) -> None:
    """A big body comes whole, in the pieces asyncio received (none empty, none bigger than its
    selector transports receive at once), read straight from the socket's buffer into
    AsyncClient's sinks: no piece is cut or copied into a bigger one."""

    async def scenario() -> list[bytes]:
        transport = _plain()
        try:
            exchange = await transport.exchange(
                "GET", httpx.URL(f"http://{server.address}/big"), [], b"", _timeout(5)["timeout"]
            )
            pieces = [piece async for piece in exchange.raw()]
            await exchange.aclose()
            return pieces
        finally:
            await transport.aclose()

    pieces = asyncio.run(scenario())
    assert b"".join(pieces) == BIG
    assert all(0 < len(piece) <= 256 * 1024 for piece in pieces)


def test_a_connection_lost_to_an_error_keeps_it_as_the_context_on_read_and_write() -> None:
    """Reads and writes on a connection lost to an error raise httpcore's error with that
    error as its context, which ``httpx_cause`` walks to find an ``ssl.SSLError``
    (``TLS_ERROR``); writes once raised it without (``NETWORK_ERROR`` for a TLS failure)."""
    from ocikit._async_net import _Connection, _raise_as_httpx
    from ocikit._http import httpx_cause

    class Closing:
        def is_closing(self) -> bool:
            return True

    lost = ssl.SSLError(1, "[SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] bad record mac")
    connection = _Connection()
    connection.connection_lost(lost)
    stream = AsyncioStream(Closing(), connection)  # type: ignore[arg-type]
    for attempt, kind in ((stream.read(1024), httpcore.ReadError),
                          (stream.write(b"x"), httpcore.WriteError)):  # fmt: skip
        with pytest.raises(kind) as raised:
            asyncio.run(attempt)
        assert raised.value.__context__ is lost
        # As AsyncioTransport maps it (within its except block): TLS_ERROR's cause is found.
        try:
            raise raised.value
        except httpcore.NetworkError as error:
            with pytest.raises(httpx.TransportError) as mapped:
                _raise_as_httpx(error)
        assert httpx_cause(mapped.value) is lost


# The pool ---------------------------------------------------------------------------------


def test_a_request_past_the_connection_limit_waits_for_a_free_one(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At ``MAX_CONNECTIONS`` open, a request waits until one is free (here: the one
    connection, given back when the first exchange closes), then goes on it."""
    monkeypatch.setattr("ocikit._async_net.MAX_CONNECTIONS", 1)

    async def scenario() -> list[tuple[int, bytes]]:
        transport = _plain()
        try:
            first = await transport.exchange("GET", f"http://{server.address}/", [], b"", {})
            waiting = asyncio.ensure_future(_get(transport, f"http://{server.address}/"))
            await asyncio.sleep(0.1)
            assert not waiting.done()  # no second connection is opened
            body = b"".join([piece async for piece in first.raw()])
            await first.aclose()
            return [(first.status, body), await waiting]
        finally:
            await transport.aclose()

    assert asyncio.run(scenario()) == [(200, b"hello")] * 2
    assert (server.accepted, server.requests) == (1, 2)


def test_the_pool_timeout(server: _Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ocikit._async_net.MAX_CONNECTIONS", 1)

    async def scenario() -> None:
        transport = _plain()
        try:
            held = await transport.exchange("GET", f"http://{server.address}/", [], b"", {})
            started = time.monotonic()
            with pytest.raises(httpx.PoolTimeout, match="no connection free within 0.2 s"):
                await transport.exchange("GET", f"http://{server.address}/", [], b"", {"pool": 0.2})
            assert 0.15 < time.monotonic() - started < 5
            await held.aclose()  # unread: the connection is closed, not kept
            assert transport.pool.connections == []
        finally:
            await transport.aclose()

    asyncio.run(scenario())


def test_a_waiting_request_cancelled_once_woken_passes_its_turn_on(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pool full: a connection given back wakes the first request waiting; cancelled
    before it runs, that request lets the next one have the connection (which would otherwise
    wait for another to be given back)."""
    monkeypatch.setattr("ocikit._async_net.MAX_CONNECTIONS", 1)

    async def scenario() -> tuple[int, bytes]:
        transport = _plain()
        url = f"http://{server.address}/"
        try:
            held = await transport.exchange("GET", url, [], b"", {})
            first = asyncio.ensure_future(transport.exchange("GET", url, [], b"", {}))
            second = asyncio.ensure_future(_get(transport, url, timeout=2))
            await asyncio.sleep(0.1)  # both wait
            await held.aclose()  # wakes the first
            first.cancel()  # before it runs
            with pytest.raises(asyncio.CancelledError):
                await first
            return await second
        finally:
            await transport.aclose()

    assert asyncio.run(scenario()) == (200, b"hello")


def test_idle_connections_expire_and_are_bounded(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most ``MAX_KEEPALIVE_CONNECTIONS`` are kept idle (the oldest closed first); one idle
    for ``KEEPALIVE_EXPIRY`` seconds is closed instead of used."""
    monkeypatch.setattr("ocikit._async_net.MAX_KEEPALIVE_CONNECTIONS", 2)
    monkeypatch.setattr("ocikit._async_net.KEEPALIVE_EXPIRY", 0.2)

    async def scenario() -> None:
        transport = _plain()
        url = f"http://{server.address}/"
        try:
            held = [await transport.exchange("GET", url, [], b"", {}) for _ in range(3)]
            for exchange in held:
                assert [piece async for piece in exchange.raw()] == [b"hello"]
                await exchange.aclose()
            assert len(transport.pool.connections) == len(transport.pool.idle) == 2
            await _get(transport, url)  # on the newest idle one
            assert server.accepted == 3
            await asyncio.sleep(0.3)
            await _get(transport, url)  # both expired: closed, and a new one
            assert server.accepted == 4
            assert len(transport.pool.connections) == 1
        finally:
            await transport.aclose()

    asyncio.run(scenario())


def test_a_closed_transport_closes_what_it_gives_back(server: _Server) -> None:
    async def scenario() -> None:
        transport = _plain()
        exchange = await transport.exchange("GET", f"http://{server.address}/", [], b"", {})
        assert [piece async for piece in exchange.raw()] == [b"hello"]
        await transport.aclose()
        await exchange.aclose()
        assert transport.pool.connections == []
        with pytest.raises(httpx.ConnectError, match="closed"):
            await _get(transport, f"http://{server.address}/")

    asyncio.run(scenario())


def _against_raw(
    handle: Callable[[socket.socket], None],
    scenario: Callable[[AsyncioTransport, str], Awaitable[T]],
    receive_buffer: int | None = None,
) -> T:
    """``scenario(transport, address)`` with a transport of its own, against a :class:`RawServer`
    server running ``handle``; both closed after."""
    raw = RawServer(handle, receive_buffer)

    async def run() -> T:
        transport = _plain()
        try:
            return await scenario(transport, raw.address)
        finally:
            await transport.aclose()

    try:
        return asyncio.run(run())
    finally:
        raw.close()


def test_an_answer_before_the_whole_body_is_read() -> None:
    """A server that answers an upload at once (401) and closes without reading the body:
    the write error is not raised, the answer is (as httpcore does)."""

    def answer_at_once(connection: socket.socket) -> None:
        connection.recv(1024)
        connection.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 4\r\n\r\nnope")
        connection.close()

    async def scenario(transport: AsyncioTransport, address: str) -> tuple[int, bytes]:
        url = f"http://{address}/v2/r/blobs/uploads/x"
        exchange = await transport.exchange("PUT", url, [], BIG, {})
        body = b"".join([piece async for piece in exchange.raw()])
        await exchange.aclose()
        return exchange.status, body

    assert _against_raw(answer_at_once, scenario, receive_buffer=4096) == (401, b"nope")


def test_a_server_that_closes_without_answering() -> None:
    def close_at_once(connection: socket.socket) -> None:
        connection.recv(1024)
        connection.close()

    async def scenario(transport: AsyncioTransport, address: str) -> None:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await transport.exchange("GET", f"http://{address}/", [], b"", {})
        assert transport.pool.connections == []

    _against_raw(close_at_once, scenario)


def test_a_response_head_over_the_bound_is_a_protocol_error() -> None:
    """httpcore's bound on a response's head (h11's ``max_incomplete_event_size``, 100 KiB)."""

    def endless_header(connection: socket.socket) -> None:
        connection.recv(1024)
        try:
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Pad: " + b"a" * (200 * 1024))
        except OSError:
            pass

    async def scenario(transport: AsyncioTransport, address: str) -> None:
        with pytest.raises(httpx.RemoteProtocolError):
            await transport.exchange("GET", f"http://{address}/", [], b"", {"read": 5})

    _against_raw(endless_header, scenario)


def test_header_injection_is_refused_before_anything_is_sent(server: _Server) -> None:
    async def scenario() -> None:
        transport = _plain()
        try:
            with pytest.raises(httpx.LocalProtocolError):
                await transport.exchange(
                    "GET", f"http://{server.address}/", [("X-A", "1\r\nX-B: 2")], b"", {}
                )
        finally:
            await transport.aclose()

    asyncio.run(scenario())
    assert server.requests == 0


URLS = [
    "http://a/",
    "http://A.Example:80/x?y=1",
    "https://h:443",
    "https://h:8443/v2/",
    "http://h:5000/v2/r/blobs/uploads/abc?_state=a%2Fb&digest=sha256%3A00",
    "http://127.0.0.1:5999/v2/bench/small/blobs/sha256:00",
    "http://h?x=1",
    "http://h:0/",
    "http://h:99999/",
    "http://h/a b",
    "http://u:p@h/",
    "http://[::1]:5/x",
    "http://h/%zz",
    "http://h/x|y{z}",
    "http://h/~a;b,c!*'()",
    "http://h/x#frag",
    "HTTP://h/",
    "http://h/\u00e9",
    "http://xn--caf-dma.example/",
    "ftp://h/",
]


@pytest.mark.parametrize("url", URLS)
def test_a_url_is_read_as_httpx_reads_it(url: str) -> None:
    from ocikit._async_net import Target, target

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        with pytest.raises(httpx.InvalidURL):
            target(url)
        return
    expected = Target(
        parsed.raw_scheme, parsed.raw_host, parsed.port, parsed.netloc, parsed.raw_path
    )
    assert target(url) == expected
    assert target(parsed) == expected


# A body its Content-Length frames is read past h11 (_HTTP11.body): what h11 would decide for the
# connection after it, decided the same way.


def _two_gets(*answers: bytes | tuple[bytes, ...]) -> tuple[list[tuple[int, bytes]], int]:
    """Two GETs one after the other: their status and bodies, and the connections they took."""
    raw = RawServer(answering(*answers))

    async def run() -> list[tuple[int, bytes]]:
        transport = _plain()
        try:
            return [await _get(transport, f"http://{raw.address}/{n}") for n in (1, 2)]
        finally:
            await transport.aclose()

    try:
        got = asyncio.run(run())
        return got, len(raw.connections)
    finally:
        raw.close()


HELLO = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"


@pytest.mark.parametrize(
    ("first", "connections"),
    [
        (HELLO, 1),
        # The body in pieces, one of them with the head: h11's trailing data, then the socket.
        ((b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe", b"l", b"lo"), 1),
        (b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", 1),
        (b"HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 5\r\n\r\nhello", 2),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello", 2),
        # Bytes after the body, which no request asked for: the body is its 5 bytes, and the
        # connection is not used again (before, the next request read them as its response).
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK", 2),
        # Chunked: h11 frames it, as before; bytes after it close the connection too (they
        # were read as the next request's response before).
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 1),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nHTTP/1.1 2", 2),
    ],
)
def test_a_content_length_body_and_the_connection_after_it(
    first: bytes | tuple[bytes, ...], connections: int
) -> None:
    got, made = _two_gets(first, HELLO)
    assert got == [(200, b"hello"), (200, b"hello")]
    assert made == connections


def test_a_content_length_body_cut_short_is_a_protocol_error() -> None:
    """The server closes after 3 of 5 bytes: h11's words, with the count."""

    def cut(connection: socket.socket) -> None:
        connection.recv(65536)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel")
        connection.close()

    async def scenario(transport: AsyncioTransport, address: str) -> None:
        with pytest.raises(httpx.RemoteProtocolError, match="received 3 bytes, expected 5"):
            await _get(transport, f"http://{address}/")
        assert transport.pool.connections == []

    _against_raw(cut, scenario)


def test_a_body_left_unread_closes_the_connection() -> None:
    """An exchange closed before its body is read whole gives its connection up (the next
    request takes a new one), as with h11's framing."""
    raw = RawServer(answering(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", HELLO))

    async def run() -> tuple[int, bytes]:
        transport = _plain()
        try:
            exchange = await transport.exchange("GET", f"http://{raw.address}/1", [], b"", {})
            async for _ in exchange.raw():
                break
            await exchange.aclose()
            return await _get(transport, f"http://{raw.address}/2")
        finally:
            await transport.aclose()

    try:
        assert asyncio.run(run()) == (200, b"hello")
        assert len(raw.connections) == 2
    finally:
        raw.close()


def test_a_content_length_body_is_read_past_h11(
    server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """h11 reads the head and no piece of the body (each would be copied into its buffer and
    out again, and cost two events)."""
    events = 0
    next_event = h11.Connection.next_event

    def counted(self: h11.Connection) -> Any:
        nonlocal events
        events += 1
        return next_event(self)

    monkeypatch.setattr(h11.Connection, "next_event", counted)

    async def scenario() -> tuple[int, bytes]:
        transport = _plain()
        try:
            return await _get(transport, f"http://{server.address}/big")
        finally:
            await transport.aclose()

    assert asyncio.run(scenario()) == (200, BIG)
    assert events <= 3  # the head (NEED_DATA until it is whole), never the 8 MiB after it
