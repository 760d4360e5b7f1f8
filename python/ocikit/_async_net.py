"""The network under ``AsyncClient``'s own httpx transport: httpcore's connection pool on
asyncio's transports, without anyio's socket streams.

``AsyncClient`` sends a request through httpx → httpcore → a network backend. httpx's
``AsyncHTTPTransport`` gives httpcore its default backend, anyio's, whose answer to the pool's
question "has the server closed this idle connection?" (``get_extra_info("is_readable")``) is a
``poll`` of the socket, built through anyio's typed attributes each time; the pool asks it of
every idle connection whenever a request starts or ends (about 18,000 times for one pull of 500
small files, ~40% of it under a profiler). Here each connection is an :class:`asyncio.Protocol`
that keeps what arrives, so the answer is the state asyncio already delivered: bytes waiting, or
the end of the stream.

- :class:`AsyncioBackend` and :class:`AsyncioStream` implement httpcore's public
  ``AsyncNetworkBackend`` / ``AsyncNetworkStream`` on ``loop.create_connection`` and
  ``loop.start_tls``, with its error classes (``ConnectError``, ``ReadTimeout``, ...).
- :class:`AsyncioTransport` is the ``httpx.AsyncBaseTransport`` over an
  ``httpcore.AsyncConnectionPool`` given that backend: what ``httpx.AsyncHTTPTransport`` does
  without a proxy (its defaults: HTTP/1.1, httpx's connection limits, no retries), httpcore's
  errors raised as httpx's.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Any, NoReturn, Optional, Union

import httpcore
import httpx

__all__ = ["AsyncioBackend", "AsyncioStream", "AsyncioTransport", "Exchange"]

# httpx's default limits (httpx._config.DEFAULT_LIMITS: what AsyncHTTPTransport uses when given
# none): at most 100 connections, 20 of them kept idle, each idle one closed after 5 s.
MAX_CONNECTIONS = 100
MAX_KEEPALIVE_CONNECTIONS = 20
KEEPALIVE_EXPIRY = 5.0

# A connection stops reading from its socket while this much is received and not yet read
# (the kernel's buffer then holds the sender back), and starts again once reads bring it under
# the low mark.
_HIGH_WATER = 512 * 1024
_LOW_WATER = 128 * 1024

# What anyio's connect_tcp waits before trying the next address of a name (RFC 8305's
# "Connection Attempt Delay"), so a host with an unreachable IPv6 address connects as soon.
_HAPPY_EYEBALLS_DELAY = 0.25

SocketOption = Union[
    tuple[int, int, int],
    tuple[int, int, Union[bytes, bytearray]],
    tuple[int, int, None, int],
]


def _wake(waiter: Optional[asyncio.Future[bool]]) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(True)


def _expire(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)


async def _wait(waiter: asyncio.Future[bool], timeout: float | None) -> bool:
    """Waits for ``waiter``: True when it was woken, False when ``timeout`` passed first."""
    if timeout is None:
        return await waiter
    timer = asyncio.get_running_loop().call_later(max(timeout, 0), _expire, waiter)
    try:
        return await waiter
    finally:
        timer.cancel()


class _Connection(asyncio.Protocol):
    """One connection's state as asyncio delivers it: the bytes received and not yet read, the
    end of the stream (and the error that ended it), whether the send buffer is full. A reader
    or a writer waiting for it is woken by the event it waits for."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.chunks: deque[bytes] = deque()
        self.size = 0  # bytes in chunks
        self.ended = False  # no more bytes will come: EOF, or the connection is lost
        self.lost = False  # the transport is closed
        self.error: BaseException | None = None  # what ended the connection, if not EOF
        self.reading_paused = False
        self.writing_paused = False
        self.reader: asyncio.Future[bool] | None = None
        self.writer: asyncio.Future[bool] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size > _HIGH_WATER and not self.reading_paused and self.transport is not None:
            self.reading_paused = True
            self.transport.pause_reading()
        _wake(self.reader)

    def eof_received(self) -> None:
        # None: the transport closes itself (HTTP/1.1 sends nothing after the server's EOF).
        self.ended = True
        _wake(self.reader)

    def connection_lost(self, exc: Exception | None) -> None:
        self.ended = self.lost = True
        self.error = exc
        _wake(self.reader)
        _wake(self.writer)

    def pause_writing(self) -> None:
        self.writing_paused = True

    def resume_writing(self) -> None:
        self.writing_paused = False
        _wake(self.writer)

    def take(self, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of what was received (there is some)."""
        chunk = self.chunks[0]
        if len(chunk) <= max_bytes:
            self.chunks.popleft()
        else:
            self.chunks[0] = chunk[max_bytes:]
            chunk = chunk[:max_bytes]
        self.size -= len(chunk)
        if self.reading_paused and self.size <= _LOW_WATER and self.transport is not None:
            self.reading_paused = False
            self.transport.resume_reading()
        return chunk


def _reason(error: BaseException) -> str:
    """What went wrong, as ocikit's other transports word it: an OS error's own words
    (``Connection refused``, not asyncio's ``Connect call failed (...)``), a name's resolver
    error, anything else as it prints."""
    if isinstance(error, socket.gaierror) and error.strerror:
        return error.strerror
    if isinstance(error, OSError) and not isinstance(error, ssl.SSLError) and error.errno:
        return os.strerror(error.errno)
    return str(error) or type(error).__name__


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One TCP (or TLS) connection for httpcore, on an asyncio transport. Reads return what
    asyncio has received (waiting only when nothing has); writes wait only while asyncio's
    send buffer is over its high mark; ``is_readable`` is that bytes or the end are waiting."""

    def __init__(self, transport: asyncio.Transport, connection: _Connection) -> None:
        self._transport = transport
        self._connection = connection

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to ``max_bytes``; ``b""`` at the end of the stream. ``httpcore.ReadTimeout``
        when nothing comes within ``timeout`` seconds, ``httpcore.ReadError`` when the
        connection was lost to an error (a reset) with nothing left to read."""
        connection = self._connection
        if not connection.chunks and not connection.ended:
            loop = asyncio.get_running_loop()
            connection.reader = loop.create_future()
            try:
                woken = await _wait(connection.reader, timeout)
            finally:
                connection.reader = None
            if not woken:
                raise httpcore.ReadTimeout(f"no byte received for {timeout:g} s")
        if connection.chunks:
            return connection.take(max_bytes)
        if connection.error is not None:
            self._raise_lost(httpcore.ReadError)
        return b""

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Hands ``buffer`` to asyncio; waits, at most ``timeout`` seconds
        (``httpcore.WriteTimeout``), while its send buffer is full. ``httpcore.WriteError``
        on a connection already lost."""
        if not buffer:
            return
        connection = self._connection
        if connection.lost or self._transport.is_closing():
            self._raise_lost(httpcore.WriteError)
        self._transport.write(buffer)
        while connection.writing_paused and not connection.lost:
            connection.writer = asyncio.get_running_loop().create_future()
            try:
                woken = await _wait(connection.writer, timeout)
            finally:
                connection.writer = None
            if not woken:
                raise httpcore.WriteTimeout(f"no byte sent for {timeout:g} s")
        if connection.lost and connection.error is not None:
            self._raise_lost(httpcore.WriteError)

    def _raise_lost(self, kind: type[httpcore.NetworkError]) -> NoReturn:
        """Raises httpcore's ``kind`` for the error the connection was lost to, that error its
        cause and context (``httpx_cause`` walks ``__context__`` to find an ``ssl.SSLError``:
        ``TLS_ERROR``); a connection closed without one is "the connection is closed"."""
        error = self._connection.error
        if error is None:
            raise kind("the connection is closed")
        try:
            raise error
        except Exception as lost:
            raise kind(_reason(lost)) from lost

    async def aclose(self) -> None:
        """Closes the connection (asyncio sends what is buffered first; a TLS connection says
        close_notify); does not wait for the peer."""
        self._transport.close()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> AsyncioStream:
        """This connection with TLS on it (``loop.start_tls``; the certificate checked by
        ``ssl_context`` for ``server_hostname``). ``httpcore.ConnectError`` wrapping the
        ``ssl.SSLError`` (or OS error) when the handshake fails, ``httpcore.ConnectTimeout``
        when it takes longer than ``timeout``; the connection is closed then."""
        loop = asyncio.get_running_loop()
        try:
            started = loop.start_tls(
                self._transport, self._connection, ssl_context, server_hostname=server_hostname
            )
            transport = await asyncio.wait_for(started, timeout)
        except asyncio.TimeoutError as error:
            self._transport.close()
            raise httpcore.ConnectTimeout(f"no TLS handshake within {timeout:g} s") from error
        except (OSError, EOFError) as error:  # ssl.SSLError is an OSError
            self._transport.close()
            raise httpcore.ConnectError(_reason(error)) from error
        if transport is None:  # the connection was lost while the handshake began
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        assert isinstance(transport, asyncio.Transport)
        self._connection.transport = transport
        return AsyncioStream(transport, self._connection)

    def get_extra_info(self, info: str) -> Any:
        """httpcore's questions: ``is_readable`` (the pool asks it of idle connections: bytes or
        the end waiting mean the server closed it), ``ssl_object``, ``client_addr``,
        ``server_addr``, ``socket``."""
        if info == "is_readable":
            connection = self._connection
            return connection.ended or bool(connection.chunks)
        if info == "ssl_object":
            return self._transport.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._transport.get_extra_info("sockname")
        if info == "server_addr":
            return self._transport.get_extra_info("peername")
        if info == "socket":
            return self._transport.get_extra_info("socket")
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on the running asyncio loop's own transports."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncioStream:
        """A TCP connection to ``host:port`` (every address of a name tried, the next 250 ms
        after the last as anyio does; asyncio sets ``TCP_NODELAY``), then the given socket
        options. ``httpcore.ConnectError`` (a refused connection, a name that does not
        resolve), ``httpcore.ConnectTimeout`` after ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        connection = _Connection()
        local = (local_address, 0) if local_address else None
        options: dict[str, Any] = {"local_addr": local}
        # An address has nothing to race (asyncio would still start the race's tasks); other
        # loops (uvloop) take no happy_eyeballs_delay.
        if isinstance(loop, asyncio.BaseEventLoop) and not _is_address(host):
            options["happy_eyeballs_delay"] = _HAPPY_EYEBALLS_DELAY
        try:
            made = loop.create_connection(lambda: connection, host, port, **options)
            transport, _ = await asyncio.wait_for(made, timeout)
        except asyncio.TimeoutError as error:
            raise httpcore.ConnectTimeout(f"no connection within {timeout:g} s") from error
        except OSError as error:
            raise httpcore.ConnectError(_reason(error)) from error
        return _with_options(transport, connection, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> AsyncioStream:
        """A connection to the Unix socket at ``path`` (errors as :meth:`connect_tcp`'s)."""
        loop = asyncio.get_running_loop()
        connection = _Connection()
        try:
            made = loop.create_unix_connection(lambda: connection, path)
            transport, _ = await asyncio.wait_for(made, timeout)
        except asyncio.TimeoutError as error:
            raise httpcore.ConnectTimeout(f"no connection within {timeout:g} s") from error
        except OSError as error:
            raise httpcore.ConnectError(_reason(error)) from error
        return _with_options(transport, connection, socket_options)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def _is_address(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address rather than a name."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return True
    return False


def _with_options(
    transport: asyncio.BaseTransport,
    connection: _Connection,
    socket_options: Iterable[SocketOption] | None,
) -> AsyncioStream:
    assert isinstance(transport, asyncio.Transport)
    if socket_options:
        sock: socket.socket = transport.get_extra_info("socket")
        try:
            for option in socket_options:
                sock.setsockopt(*option)
        except OSError as error:
            transport.close()
            raise httpcore.ConnectError(_reason(error)) from error
    return AsyncioStream(transport, connection)


# httpcore's errors as httpx raises them (what httpx's AsyncHTTPTransport maps, for the same
# callers: AsyncClient._send catches httpx.TransportError). The most specific class wins:
# the error's own class first, then its bases.
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.ProxyError: httpx.ProxyError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
}


def httpx_error(error: Exception) -> httpx.TransportError | None:
    """httpx's error for an httpcore error (the same message), or None for anything else."""
    for kind in type(error).__mro__:
        mapped = _HTTPX_ERRORS.get(kind)
        if mapped is not None:
            return mapped(str(error))
    return None


def _raise_as_httpx(error: Exception) -> NoReturn:
    """Raises httpx's error for an httpcore error (``error`` its cause), else ``error``."""
    mapped = httpx_error(error)
    if mapped is None:
        raise error
    raise mapped from error


class _ResponseBody(httpx.AsyncByteStream):
    """A response body from httpcore, its errors raised as httpx's."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for piece in self._stream:
                yield piece
        except Exception as error:
            _raise_as_httpx(error)

    async def aclose(self) -> None:
        await self._stream.aclose()


def _decoded(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Response headers as ``httpx.Headers.multi_items()`` gives them: names lowercased, all
    decoded as ASCII, else UTF-8, else ISO-8859-1 (the first that reads every one)."""
    for encoding in ("ascii", "utf-8"):
        try:
            return [(name.lower().decode(encoding), value.decode(encoding)) for name, value in raw]
        except UnicodeDecodeError:
            continue
    return [(name.lower().decode("iso-8859-1"), value.decode("iso-8859-1")) for name, value in raw]


class Exchange:
    """A response of :meth:`AsyncioTransport.exchange`: ``status``, ``headers`` (as
    ``httpx.Response.headers.multi_items()``), the body from :meth:`pieces`, and
    :meth:`aclose`, which gives the connection back to the pool (or closes it, when the body
    was not read to its end)."""

    def __init__(self, response: httpcore.Response) -> None:
        self.status = response.status
        self.headers = _decoded(response.headers)
        self._stream: Any = response.stream

    async def pieces(self, size: int) -> AsyncIterator[bytes]:
        """The raw body (no content decoding), in pieces of at least ``size`` bytes but the last
        (as ``httpx.Response.aiter_raw(size)`` reads it, without cutting pieces to that size);
        httpcore's errors raised as httpx's."""
        buffer = bytearray()
        try:
            async for piece in self._stream:
                if not buffer and len(piece) >= size:
                    yield piece
                    continue
                buffer += piece
                if len(buffer) >= size:
                    yield bytes(buffer)
                    buffer.clear()
        except Exception as error:
            _raise_as_httpx(error)
        if buffer:
            yield bytes(buffer)

    async def aclose(self) -> None:
        await self._stream.aclose()


class AsyncioTransport(httpx.AsyncBaseTransport):
    """An httpx transport on httpcore's connection pool and :class:`AsyncioBackend`: what
    ``httpx.AsyncHTTPTransport(verify=...)`` makes without a proxy (HTTP/1.1, keep-alive,
    httpx's default limits, no retries, the request's ``timeout`` extension for connect, read,
    write and pool), with the TLS context given (used only for ``https`` URLs)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=MAX_CONNECTIONS,
            max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS,
            keepalive_expiry=KEEPALIVE_EXPIRY,
            http1=True,
            http2=False,
            network_backend=AsyncioBackend(),
        )

    @property
    def pool(self) -> httpcore.AsyncConnectionPool:
        """The connection pool (its ``connections`` show what is open)."""
        return self._pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        outgoing = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        response = await self._send(outgoing)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseBody(response.stream),
            extensions=response.extensions,
        )

    async def exchange(
        self,
        method: str,
        url: httpx.URL,
        headers: list[tuple[str, str]],
        content: bytes | AsyncIterator[bytes],
        timeout: dict[str, float | None],
    ) -> Exchange:
        """The request :meth:`handle_async_request` sends for ``httpx.Request(method, url,
        headers=headers, content=content, extensions={"timeout": timeout})`` (the same bytes:
        ``Host`` first, unless given; ``Content-Length`` for a body of bytes, or
        ``Transfer-Encoding: chunked`` for a stream, unless given; ``Content-Length: 0`` for a
        bodiless ``POST``, ``PUT`` or ``PATCH``), sent to the pool without httpx's request and
        response objects, whose making and streams cost about a fifth of a small request's CPU
        here. Errors are httpx's, as :meth:`handle_async_request` raises them."""
        method = method.upper()
        raw = [(name.encode("ascii"), value.encode("ascii")) for name, value in headers]
        names = {name.lower() for name, _ in raw}
        # httpx.Request's order: Host, a bodiless POST's Content-Length, the given headers,
        # then what the content implies.
        if b"content-length" not in names:
            if isinstance(content, bytes):
                if content:
                    raw.append((b"Content-Length", str(len(content)).encode("ascii")))
                    names.add(b"content-length")
            elif b"transfer-encoding" not in names:
                raw.append((b"Transfer-Encoding", b"chunked"))
                names.add(b"transfer-encoding")
        first: list[tuple[bytes, bytes]] = []
        if b"host" not in names and url.host:
            first.append((b"Host", url.netloc))
        if (
            b"content-length" not in names
            and b"transfer-encoding" not in names
            and method in ("POST", "PUT", "PATCH")
        ):
            first.append((b"Content-Length", b"0"))
        outgoing = httpcore.Request(
            method=method.encode("ascii"),
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=first + raw if first else raw,
            content=content,
            extensions={"timeout": timeout},
        )
        return Exchange(await self._send(outgoing))

    async def _send(self, request: httpcore.Request) -> httpcore.Response:
        """The pool's response to ``request``, httpcore's errors raised as httpx's."""
        try:
            return await self._pool.handle_async_request(request)
        except Exception as error:
            _raise_as_httpx(error)

    async def aclose(self) -> None:
        await self._pool.aclose()
