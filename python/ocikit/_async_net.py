"""The network under ``AsyncClient``'s own client: HTTP/1.1 with h11 on asyncio's transports,
in a keep-alive pool of ocikit's.

``AsyncClient`` sent its requests through httpx → httpcore's connection pool → a network
backend. Per small request that cost about 0.6 ms of the event loop here: httpcore's locks,
cancel scopes and events (anyio's, per request and per connection), its pool's scan of every
connection when a request starts or ends, and, on its default backend, a ``poll`` of each idle
socket. A 500-file pull of 4 KiB files spent more time there than in everything else. So:

- :class:`AsyncioBackend` and :class:`AsyncioStream` are connections on
  ``loop.create_connection`` and ``loop.start_tls`` (httpcore's public ``AsyncNetworkBackend``
  / ``AsyncNetworkStream`` shapes and error classes: ``ConnectError``, ``ReadTimeout``, ...):
  an :class:`asyncio.Protocol` per connection keeps what arrives, so "has the server closed
  this idle connection?" is the state asyncio already delivered.
- :class:`_HTTP11` is one connection's exchange, as httpcore's HTTP/1.1 connection makes it
  with the same h11 and bound on a response's head (100 KiB), without its locks and traces,
  reading what asyncio received whole. :class:`_Pool` keeps connections by origin with httpx's default limits.
- :class:`AsyncioTransport` is the ``httpx.AsyncBaseTransport`` over that pool: what
  ``httpx.AsyncHTTPTransport`` does without a proxy (HTTP/1.1, keep-alive, httpx's limits, no
  retries, the ``timeout`` extension for connect, read, write and pool), errors raised as
  httpx's; and :meth:`AsyncioTransport.exchange`, the same bytes on the wire without httpx's
  request and response objects, which ``AsyncClient`` calls.

A ``http=`` client and proxies stay httpx's own, as before.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import ssl
from collections import deque
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from typing import Any, NamedTuple, NoReturn, Optional, Union

import h11
import httpcore
import httpx

__all__ = ["AsyncioBackend", "AsyncioStream", "AsyncioTransport", "Exchange", "Target", "target"]

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

    def close(self) -> None:
        """:meth:`aclose`, which does not wait."""
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


Origin = tuple[bytes, bytes, int]  # scheme, host, port


class Target(NamedTuple):
    """Where a request goes, as httpx reads its URL: ``scheme`` and ``host`` (lowercase),
    ``port`` (``None`` for the scheme's default), ``netloc`` (the ``Host`` header) and
    ``path`` (the request target: path and query)."""

    scheme: bytes
    host: bytes
    port: Optional[int]
    netloc: bytes
    path: bytes


# A URL httpx would take as it is written (an http(s) URL with a plain name or IPv4 address,
# no user info, no fragment, only characters it leaves as they are and well-formed percent
# escapes): read by this pattern instead of httpx's parser (about 40 µs of every request).
_PLAIN_URL = re.compile(
    r"(https?)://([A-Za-z0-9.-]+)(?::([0-9]{1,5}))?"
    r"((?:/(?:[A-Za-z0-9._~!$&'()*+,;=:@/-]|%[0-9A-Fa-f]{2})*)?"
    r"(?:\?(?:[A-Za-z0-9._~!$&'()*+,;=:@/?-]|%[0-9A-Fa-f]{2})*)?)"
)
_DEFAULT_PORTS = {b"http": 80, b"https": 443}


def target(url: str | httpx.URL) -> Target:
    """``url`` read as ``httpx.URL(url)`` reads it (``httpx.InvalidURL`` for what it
    refuses)."""
    if isinstance(url, str):
        plain = _PLAIN_URL.fullmatch(url)
        if plain is not None:
            scheme, host, port, path = plain.groups()
            number = int(port) if port else None
            if number is None or number <= 65535:
                host = host.lower()
                if number == _DEFAULT_PORTS[scheme.encode()]:
                    number = None
                netloc = host if number is None else f"{host}:{number}"
                if not path or path[0] == "?":
                    path = "/" + path
                return Target(
                    scheme.encode(), host.encode(), number, netloc.encode(), path.encode()
                )
        url = httpx.URL(url)
    return Target(url.raw_scheme, url.raw_host, url.port, url.netloc, url.raw_path)


# The most a read takes: what asyncio received, whole (its selector transports receive at most
# 256 KiB at a time), rather than cut into httpcore's 64 KiB reads, each cut a copy of the
# rest. A request whose body is at most _SMALL_BODY goes in one write with its head.
_READ_SIZE = 1024 * 1024
_SMALL_BODY = 64 * 1024
# httpcore's bound on a response's head (h11's max_incomplete_event_size): a longer head is a
# RemoteProtocolError.
_HEAD_MAX = 100 * 1024


def _content_length(method: bytes, response: h11.Response) -> int | None:
    """The length of a response's body when its Content-Length frames it (h11 checked the
    header when it read the head); ``None`` when h11 frames it: chunked, to the end of the
    stream, or no body at all (a HEAD's, a 204's, a 304's), as h11's ``_body_framing``."""
    if method == b"HEAD" or response.status_code in (204, 304):
        return None
    length = None
    for name, value in response.headers:
        name = name.lower()
        if name == b"transfer-encoding":
            return None
        if name == b"content-length":
            length = int(value)
    return length


def _closes(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether ``Connection`` says ``close`` (as h11's keep-alive reads it)."""
    return any(
        token.strip().lower() == b"close"
        for name, value in headers
        if name.lower() == b"connection"
        for token in value.split(b",")
    )


def _client_state() -> h11.Connection:
    """h11's client side of a connection for its next exchange, with httpcore's bound on a
    response's head."""
    return h11.Connection(h11.CLIENT, max_incomplete_event_size=_HEAD_MAX)


def _name(event: Any) -> str:
    """An h11 event's name (its sentinels are classes)."""
    return event.__name__ if isinstance(event, type) else type(event).__name__


class _HTTP11:
    """One HTTP/1.1 connection: h11's state of it over an :class:`AsyncioStream`, one request
    at a time (as httpcore's ``AsyncHTTP11Connection`` sends them, without its locks and
    traces)."""

    __slots__ = ("origin", "stream", "state", "expires", "left", "keep_alive")

    def __init__(self, origin: Origin, stream: AsyncioStream) -> None:
        self.origin = origin
        self.stream = stream
        self.state = _client_state()
        self.expires = 0.0  # when idle: the loop time it is closed at
        # The bytes of the response's body left to read past h11 (see body()), or None when
        # h11 frames the body; whether both sides keep the connection open after it.
        self.left: int | None = None
        self.keep_alive = False

    async def request(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        content: bytes | AsyncIterable[bytes],
        timeout: dict[str, float | None],
    ) -> h11.Response:
        """Sends the request and reads the response's head. A write error while sending is
        not raised (as httpcore does): a server may answer before the whole body and close,
        and its answer is read next; if none comes, the read fails."""
        state = self.state
        write = timeout.get("write")
        self.left = None
        try:
            head = state.send(h11.Request(method=method, target=target, headers=headers))
            if isinstance(content, bytes):
                if len(content) <= _SMALL_BODY:
                    # One write, one segment, for a request with a small body or none.
                    if content:
                        head += state.send(h11.Data(data=content))
                    await self.stream.write(head + state.send(h11.EndOfMessage()), write)
                else:
                    await self.stream.write(head, write)
                    for piece in state.send_with_data_passthrough(h11.Data(data=content)) or ():
                        await self.stream.write(piece, write)
                    await self.stream.write(state.send(h11.EndOfMessage()), write)
            else:
                await self.stream.write(head, write)
                async for chunk in content:
                    for piece in state.send_with_data_passthrough(h11.Data(data=chunk)) or ():
                        await self.stream.write(piece, write)
                await self.stream.write(state.send(h11.EndOfMessage()), write)
        except h11.LocalProtocolError as error:
            raise httpcore.LocalProtocolError(str(error)) from error
        except httpcore.WriteError:
            pass
        read = timeout.get("read")
        while True:
            event = await self.event(read)
            if isinstance(event, h11.Response):
                self.left = _content_length(method, event)
                if self.left is not None:
                    self.keep_alive = event.http_version >= b"1.1" and not (
                        _closes(headers) or _closes(event.headers)
                    )
                return event
            if not isinstance(event, h11.InformationalResponse):
                raise httpcore.RemoteProtocolError(f"{_name(event)} instead of a response")
            # 1xx (100 Continue, 103 Early Hints): the final answer follows.

    async def event(self, timeout: float | None) -> Any:
        """h11's next event, reading the socket (``timeout`` seconds at most for each read)
        while it needs data."""
        state = self.state
        while True:
            try:
                event = state.next_event()
            except h11.RemoteProtocolError as error:
                raise httpcore.RemoteProtocolError(str(error)) from error
            if event is not h11.NEED_DATA:
                return event
            data = await self.stream.read(_READ_SIZE, timeout)
            if not data and state.their_state is h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError(
                    "Server disconnected without sending a response."
                )
            state.receive_data(data)

    async def body(self, timeout: float | None) -> AsyncIterator[bytes]:
        """The body of a response its Content-Length frames (``left`` bytes), read past h11:
        what asyncio received, as it was received. h11 would copy every byte into its receive
        buffer and out of it (about 0.4 s of CPU for 1 GiB here, a sixth of a pull on the
        loop), and make two events for every piece. h11 has read and checked the head
        (Content-Length is digits, one value) and what came with it is its trailing data."""
        left = self.left
        assert left is not None
        expected = left
        data, _ = self.state.trailing_data
        if len(data) > left:
            self.keep_alive = False  # bytes after the body, which no request asked for
            data = data[:left]
        while True:
            if data:
                left -= len(data)
                self.left = left
                yield data
            if not left:
                return
            data = await self.stream.read(min(left, _READ_SIZE), timeout)
            if not data:
                raise httpcore.RemoteProtocolError(
                    "peer closed connection without sending complete message body: "
                    f"received {expected - left} bytes, expected {expected}"
                )

    def reusable(self) -> bool:
        """Whether the exchange ended cleanly with the connection kept open (then it is made
        ready for the next one)."""
        state = self.state
        if self.left is not None:
            # The body was read past h11 (body()): a fresh h11 state for the next exchange
            # once it was read whole and the request sent whole, as h11's start_next_cycle.
            if self.left or not self.keep_alive or state.our_state is not h11.DONE:
                return False
            self.state = _client_state()
            self.left = None
            return True
        # Bytes after the response, which no request asked for, would be read as the next
        # request's response: the connection is not used again.
        if (
            state.our_state is h11.DONE
            and state.their_state is h11.DONE
            and not state.trailing_data[0]
        ):
            state.start_next_cycle()
            return True
        return False


class _Pool:
    """Keep-alive connections by origin, with httpx's default limits: at most
    ``MAX_CONNECTIONS`` open (a request past it waits up to the ``pool`` timeout,
    ``httpcore.PoolTimeout``), ``MAX_KEEPALIVE_CONNECTIONS`` of them idle, each closed once idle
    for ``KEEPALIVE_EXPIRY`` seconds. An idle connection the server sent anything on (the end
    of the stream, most often) is closed rather than used. The newest idle connection is taken
    first, so a burst of requests leaves the older ones to expire."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        ssl_context.set_alpn_protocols(["http/1.1"])  # as httpcore's HTTP/1.1-only connect
        self._ssl_context = ssl_context
        self._backend = AsyncioBackend()
        self._idle: list[_HTTP11] = []  # oldest first
        self._open: set[_HTTP11] = set()
        self._connecting = 0
        self._waiters: deque[asyncio.Future[bool]] = deque()
        self._closed = False

    @property
    def connections(self) -> list[_HTTP11]:
        """The open connections, idle or in use."""
        return list(self._open)

    @property
    def idle(self) -> list[_HTTP11]:
        """The idle connections, oldest first."""
        return list(self._idle)

    async def connection(self, origin: Origin, timeout: dict[str, float | None]) -> _HTTP11:
        """A connection to ``origin`` for one request: an idle one, else a new one."""
        loop = asyncio.get_running_loop()
        while True:
            found = self._take_idle(origin, loop.time())
            if found is not None:
                return found
            if self._closed:
                raise httpcore.ConnectError("the client is closed")
            if len(self._open) + self._connecting < MAX_CONNECTIONS:
                break
            if self._idle:  # to another origin: closed to make room
                self._close(self._idle.pop(0))
                continue
            waiter = loop.create_future()
            self._waiters.append(waiter)
            pool_timeout = timeout.get("pool")
            try:
                woken = await _wait(waiter, pool_timeout)
            except BaseException:
                # Cancelled once woken: the turn goes to the next request waiting.
                if waiter.done() and not waiter.cancelled() and waiter.result():
                    self._wake()
                raise
            if not woken:
                raise httpcore.PoolTimeout(f"no connection free within {pool_timeout:g} s")
        self._connecting += 1
        try:
            stream = await self._connect(origin, timeout.get("connect"))
        finally:
            self._connecting -= 1
            self._wake()
        connection = _HTTP11(origin, stream)
        self._open.add(connection)
        return connection

    def _take_idle(self, origin: Origin, now: float) -> _HTTP11 | None:
        idle = self._idle
        found = None
        for index in range(len(idle) - 1, -1, -1):
            connection = idle[index]
            if connection.expires <= now or connection.stream.get_extra_info("is_readable"):
                del idle[index]
                self._close(connection)
            elif found is None and connection.origin == origin:
                del idle[index]
                found = connection
        return found

    async def _connect(self, origin: Origin, timeout: float | None) -> AsyncioStream:
        scheme, host, port = origin
        name = host.decode("ascii")
        stream = await self._backend.connect_tcp(name, port, timeout=timeout)
        if scheme == b"https":
            stream = await stream.start_tls(
                self._ssl_context, server_hostname=name, timeout=timeout
            )
        return stream

    def release(self, connection: _HTTP11, reusable: bool) -> None:
        """Takes a connection back after its exchange: kept idle when ``reusable`` and there
        is room, else closed."""
        if reusable and not self._closed and not connection.stream.get_extra_info("is_readable"):
            connection.expires = asyncio.get_running_loop().time() + KEEPALIVE_EXPIRY
            self._idle.append(connection)
            if len(self._idle) > MAX_KEEPALIVE_CONNECTIONS:
                self._close(self._idle.pop(0))
        else:
            self._close(connection)
        self._wake()

    def _close(self, connection: _HTTP11) -> None:
        self._open.discard(connection)
        connection.stream.close()

    def _wake(self) -> None:
        """Lets the first request waiting for a connection try again."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return

    def close(self) -> None:
        """Closes the idle connections, and each connection in use once its exchange ends."""
        self._closed = True
        for connection in self._idle:
            self._close(connection)
        self._idle.clear()
        while self._waiters:
            _wake(self._waiters.popleft())


def _decoded(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Response headers as ``httpx.Headers.multi_items()`` gives them: names lowercased, all
    decoded as ASCII, else UTF-8, else ISO-8859-1 (the first that reads every one)."""
    raw = list(raw)
    for encoding in ("ascii", "utf-8"):
        try:
            return [(name.lower().decode(encoding), value.decode(encoding)) for name, value in raw]
        except UnicodeDecodeError:
            continue
    return [(name.lower().decode("iso-8859-1"), value.decode("iso-8859-1")) for name, value in raw]


class Exchange:
    """A response of :meth:`AsyncioTransport.exchange`: ``status``, ``headers`` (as
    ``httpx.Response.headers.multi_items()``), the body from :meth:`raw`, and
    :meth:`aclose`, which gives the connection back to the pool (or closes it, when the body
    was not read to its end)."""

    def __init__(
        self, pool: _Pool, connection: _HTTP11, response: h11.Response, read: float | None
    ) -> None:
        self.status: int = response.status_code
        self.headers = _decoded(response.headers)
        self.response = response  # h11's
        self._pool = pool
        self._connection: _HTTP11 | None = connection
        self._read = read

    async def raw(self) -> AsyncIterator[bytes]:
        """The body as it is read (no content decoding), httpcore's errors raised as
        httpx's."""
        connection = self._connection
        if connection is None:
            return
        try:
            if connection.left is not None:
                async for piece in connection.body(self._read):
                    yield piece
                return
            while True:
                event = await connection.event(self._read)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    return
                else:
                    raise httpcore.RemoteProtocolError(f"{_name(event)} in a response body")
        except Exception as error:
            _raise_as_httpx(error)

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._pool.release(connection, connection.reusable())


class _ResponseBody(httpx.AsyncByteStream):
    """An exchange's body, for an ``httpx.Response``."""

    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for piece in self._exchange.raw():
            yield piece

    async def aclose(self) -> None:
        await self._exchange.aclose()


class AsyncioTransport(httpx.AsyncBaseTransport):
    """An httpx transport on a keep-alive pool (:class:`_Pool`) of HTTP/1.1 connections (h11
    over :class:`AsyncioStream`): what ``httpx.AsyncHTTPTransport(verify=...)`` makes without
    a proxy (HTTP/1.1, keep-alive, httpx's default limits, no retries, the request's
    ``timeout`` extension for connect, read, write and pool), with the TLS context given (used
    only for ``https`` URLs)."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._pool = _Pool(ssl_context)

    @property
    def pool(self) -> _Pool:
        """The connection pool (its ``connections`` show what is open)."""
        return self._pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        exchange = await self._send(
            request.method.encode("ascii"),
            target(request.url),
            request.headers.raw,
            request.stream,
            request.extensions.get("timeout", {}),
        )
        response = exchange.response
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers.raw_items(),
            stream=_ResponseBody(exchange),
            extensions={
                "http_version": b"HTTP/" + response.http_version,
                "reason_phrase": response.reason,
            },
        )

    async def exchange(
        self,
        method: str,
        url: str | httpx.URL | Target,
        headers: list[tuple[str, str]],
        content: bytes | AsyncIterator[bytes],
        timeout: dict[str, float | None],
    ) -> Exchange:
        """The request :meth:`handle_async_request` sends for ``httpx.Request(method, url,
        headers=headers, content=content, extensions={"timeout": timeout})`` (the same bytes:
        ``Host`` first, unless given; ``Content-Length`` for a body of bytes, or
        ``Transfer-Encoding: chunked`` for a stream, unless given; ``Content-Length: 0`` for a
        bodiless ``POST``, ``PUT`` or ``PATCH``), sent without httpx's request and response
        objects, whose making and streams cost about a fifth of a small request's CPU here.
        Errors are httpx's, as :meth:`handle_async_request` raises them."""
        method = method.upper()
        where = url if isinstance(url, Target) else target(url)
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
        if b"host" not in names and where.host:
            first.append((b"Host", where.netloc))
        if (
            b"content-length" not in names
            and b"transfer-encoding" not in names
            and method in ("POST", "PUT", "PATCH")
        ):
            first.append((b"Content-Length", b"0"))
        return await self._send(
            method.encode("ascii"), where, first + raw if first else raw, content, timeout
        )

    async def _send(
        self,
        method: bytes,
        url: Target,
        headers: list[tuple[bytes, bytes]],
        content: bytes | AsyncIterable[bytes],
        timeout: dict[str, float | None],
    ) -> Exchange:
        """The response to the request, its connection held until the exchange is closed;
        httpcore's errors raised as httpx's."""
        try:
            scheme = url.scheme
            if scheme not in _DEFAULT_PORTS:
                raise httpcore.UnsupportedProtocol(
                    f"Request URL has an unsupported scheme {scheme!r}."
                )
            if not url.host:
                raise httpcore.UnsupportedProtocol("Request URL is missing a host.")
            port = url.port or _DEFAULT_PORTS[scheme]
            pool = self._pool
            connection = await pool.connection((scheme, url.host, port), timeout)
            try:
                response = await connection.request(method, url.path, headers, content, timeout)
            except BaseException:
                pool.release(connection, reusable=False)
                raise
        except Exception as error:
            _raise_as_httpx(error)
        return Exchange(pool, connection, response, timeout.get("read"))

    async def aclose(self) -> None:
        self._pool.close()
