"""HTTP transports for the registry client: they send the requests the engine describes, exactly
as described, and hand back what came back.

A transport never follows redirects (the engine does, so that credentials never reach another
origin), streams request bodies from a blob's source (bytes or a file range; the standard
transport hands a file range on a plain connection to the kernel with ``sendfile``) and
streams 2xx responses of blob downloads to a sink while hashing them, so memory stays bounded
whatever the blob size. The default transport is the standard library's ``http.client`` with
one pool of keep-alive connections per origin; :class:`HttpxTransport` uses an
``httpx.Client`` instead.

Every failure of a transport is an :class:`ocikit.OciError` naming the host:
``NETWORK_ERROR`` (refused, reset, unreachable, a response that breaks HTTP/1.1 framing, a
header over 64 KiB or more than 100 headers, a URL or header that cannot be sent) and
``TLS_ERROR`` raise :class:`ocikit.NetworkError` (a :class:`ConnectionError`), ``TIMEOUT``
raises :class:`ocikit.OperationTimeoutError` (a :class:`TimeoutError`).

Time is bounded twice: no byte may take longer than the stall timeout (the socket's timeout),
and a request ends when its operation's deadline passes, however slowly bytes trickle in (one
watchdog thread shuts the socket down at the deadline). Bodies of blob downloads are read up to
one byte past the size they must have, never further: a body that is too long stops being read
at once and ends in ``SIZE_MISMATCH``.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import http.client
import itertools
import os
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from typing import IO, Any, Optional, Protocol, Union
from urllib.parse import urlsplit

from ocikit._files import CHUNK_SIZE, StrPath, buffer_size, read_pieces
from ocikit._ocikit import Digester, Request, Response
from ocikit.errors import NetworkError, OciError, OperationTimeoutError

__all__ = ["BlobSink", "BlobSource", "HttpxTransport", "StdlibTransport", "Transport"]

# The default stall timeout: no byte may take longer than this to move.
STALL_TIMEOUT = 30.0

# A deadline (time.monotonic() seconds) over all the registry work of the current context, on
# top of each request's own (``deadline_ms``, the core's per operation): set by the CLI for a
# whole command (``--timeout``), never by the clients; read by the standard transport.
_DEADLINE: contextvars.ContextVar[Optional[float]] = contextvars.ContextVar(
    "ocikit_deadline", default=None
)

# A response body bigger than this is never read into memory when it was not asked for.
_DRAIN_MAX = 1 << 20


class BlobSource:
    """Where the bytes of a blob being uploaded come from: a buffer, or a file read in pieces
    from any offset (so a chunk can be sent again after a failure)."""

    def __init__(self, source: Union[bytes, bytearray, memoryview, StrPath]) -> None:
        if isinstance(source, (str, os.PathLike)):
            self._path: Optional[str] = os.fspath(source)
            self._data: Optional[memoryview] = None
        else:
            self._path = None
            self._data = memoryview(source).cast("B")

    @property
    def path(self) -> Optional[str]:
        """The file the bytes are read from; ``None`` when they are in memory."""
        return self._path

    def size(self) -> int:
        """How many bytes there are: the buffer's length, or the file's size now.

        Raises:
            OSError: the file cannot be found.
        """
        if self._data is not None:
            return len(self._data)
        assert self._path is not None
        return os.stat(self._path).st_size

    def spans(self, offset: int, length: int) -> Iterator[tuple[IO[bytes], int, int]]:
        """``length`` bytes from ``offset`` of the file (:attr:`path`) as ``(file, offset,
        count)`` spans of at most 1 MiB, for a transport that hands them to the kernel
        (``sendfile``) instead of reading them (:meth:`pieces`). Each span is yielded once the
        previous one was sent."""
        assert self._path is not None, "spans() is for sources read from a file"
        with open(self._path, "rb", buffering=0) as file:
            for start in range(offset, offset + length, CHUNK_SIZE):
                yield file, start, min(CHUNK_SIZE, offset + length - start)

    def pieces(self, offset: int, length: int) -> Iterator[memoryview]:
        """``length`` bytes from ``offset``, in pieces of at most 1 MiB.

        Raises:
            OSError: the file cannot be read, or is shorter than the range.
        """
        if self._data is not None:
            end = offset + length
            if end > len(self._data):
                raise OSError(f"the blob has {len(self._data)} bytes, not {end}")
            for start in range(offset, end, CHUNK_SIZE):
                yield self._data[start : min(end, start + CHUNK_SIZE)]
            return
        assert self._path is not None
        with open(self._path, "rb", buffering=0) as file:
            file.seek(offset)
            left = length
            for piece in read_pieces(file, length):
                left -= len(piece)
                yield piece
            if left:
                raise OSError(f"{self._path} ended {left} bytes before the blob's size")


class BlobSink:
    """Where a downloaded blob goes: a file (or memory), hashed as it is written.

    ``start(append)`` is called when a 2xx body begins: with ``append`` (a 206 answer to a
    ``Range`` request) the bytes continue what was written; otherwise everything starts over.
    ``size_max`` is the size the blob must have: a transport stops reading a body one byte
    past it (:attr:`room`).
    """

    def __init__(
        self,
        file: IO[bytes],
        algorithm: str,
        *,
        empty: bool = False,
        size_max: int | None = None,
    ) -> None:
        self._file = file
        self._algorithm = algorithm
        self.size_max = size_max
        self.received = 0  # bytes written over every body, restarts included
        self._digester = Digester(algorithm)
        # Whether the file is known to be empty and at its start (nothing to truncate).
        self._empty = empty

    @property
    def size(self) -> int:
        """Bytes written (and hashed) so far."""
        return self._digester.size

    def room(self, stream_max: int | None = None, append: bool = True) -> int | None:
        """How many bytes of the body that just began (:meth:`start`) a transport may read
        into this sink: one past what the body may have, so that a body that is too long is
        seen, and stopped, at once; ``None`` when unbounded. ``stream_max`` is what the
        request says the body may have (the engine's ``Stream { max }``: the rest of the blob
        after a ``Range``); a body that starts over (not ``append``) may have the whole blob,
        :attr:`size_max`."""
        if stream_max is not None and (append or self.size_max is None):
            return stream_max + 1
        if self.size_max is not None:
            return max(0, self.size_max - self.size) + 1
        return None

    def start(self, append: bool) -> None:
        """A 2xx body begins: continue what was written (``append``) or start over."""
        if not append:
            if not self._empty:
                self._file.seek(0)
                self._file.truncate()
                self._empty = True
            if self._digester.size:
                self._digester = Digester(self._algorithm)

    def write(self, piece: memoryview) -> None:
        """Writes and hashes the next piece."""
        self._empty = False
        self.received += len(piece)
        write = self._file.write
        written = write(piece)
        rest = piece
        # A raw (unbuffered) file may write less than asked.
        while written is not None and written < len(rest):
            rest = rest[written:]
            written = write(rest)
        self._digester.update(piece)

    def result(self) -> tuple[str, int]:
        """The digest and size of everything written."""
        self._file.flush()
        return self._digester.finalize(), self._digester.size


class Transport(Protocol):
    """Sends one request the engine described and returns the response to feed back.

    A transport keeps the bounds the request carries: ``timeout_ms``, the stall timeout (no
    byte may take longer); ``deadline_ms``, the Unix time in milliseconds by which the request
    must be over, however slowly bytes arrive (the core's deadline of the request's
    operation; also :func:`deadline`, when a caller set one over several operations); and for
    a streamed body ``stream_max``: it reads at most
    ``stream_max + 1`` bytes of a 2xx body (see :meth:`BlobSink.room`), then stops and reports
    what it saw.
    """

    def send(
        self,
        request: Request,
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Response:
        """Sends ``request``: its body from ``source`` when it is an ``(offset, length)``
        range; a 2xx body of a streamed request into ``sink``.

        Raises:
            NetworkError: ``NETWORK_ERROR`` or ``TLS_ERROR`` (see :func:`transport_error`);
                the client feeds it to the engine, which retries or resumes where possible.
            OperationTimeoutError: ``TIMEOUT``, the stall timeout or the deadline.
            OSError: the blob's own file (``source``, ``sink``) failed. A transport that
                raises the standard library's network exceptions (``ConnectionError``,
                ``TimeoutError``, ``ssl.SSLError``, ``http.client.HTTPException``) has them
                mapped by the client.
        """
        ...

    def close(self) -> None:
        """Closes every connection."""
        ...


# Sent with every request by each of ocikit's transports (this module's and AsyncClient's):
# the bytes as the registry stores them, which digests and sizes are checked on. Bodies are read
# raw (httpx's ``iter_raw``), an httpx client asks for gzip by default, and with no
# Accept-Encoding a server may use any coding (RFC 9110, 12.5.3).
_ACCEPT_IDENTITY = ("Accept-Encoding", "identity")


def _body_pieces(request: Request, source: BlobSource | None) -> tuple[int, Any]:
    """The body's length, and bytes or an iterator of pieces."""
    body = request.body
    if body is None:
        return 0, b""
    if isinstance(body, bytes):
        return len(body), body
    offset, length = body
    if source is None:
        raise ValueError(f"{request.method} {request.url} needs the blob's content")
    return length, source.pieces(offset, length)


class _LocalFailure(Exception):
    """A failure of the local side of a transfer (the file a blob is read from or written
    to), carried through the transport's network error handling and raised as it was."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


class _ShortSource(OSError):
    """The file a blob is sent from is shorter than the blob."""


def _local(pieces: Iterator[Any]) -> Iterator[Any]:
    """``pieces``, with an ``OSError`` of their file marked as local."""
    try:
        yield from pieces
    except OSError as error:
        raise _LocalFailure(error) from error


class _Watch:
    """One request watched for its deadline."""

    __slots__ = ("connection", "deadline", "fired", "done")

    def __init__(self, connection: http.client.HTTPConnection, deadline: float) -> None:
        self.connection: http.client.HTTPConnection | None = connection
        self.deadline = deadline
        self.fired = False
        self.done = False


class _Watchdog:
    """One daemon thread that shuts down the socket of each request whose deadline passes, so
    that a server trickling a byte at a time (which no socket timeout notices) cannot hold a
    request past its operation's deadline. The request then fails with ``TIMEOUT``.

    Watches are kept in a heap of ``(deadline, sequence, watch)``: compared in C (a watch's
    own ``__lt__`` in Python cost a call per comparison, a dozen per request)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._watches: list[tuple[float, int, _Watch]] = []
        self._finished = 0  # watches done but still in the heap
        self._thread: threading.Thread | None = None
        self._sequence = itertools.count()

    @contextlib.contextmanager
    def watching(
        self, connection: http.client.HTTPConnection, deadline: float | None
    ) -> Iterator[_Watch | None]:
        watch = self.add(connection, deadline)
        try:
            yield watch
        finally:
            self.done(watch)

    def add(self, connection: http.client.HTTPConnection, deadline: float | None) -> _Watch | None:
        """Watches ``connection`` until :meth:`done`; ``None`` without a deadline."""
        if deadline is None:
            return None
        watch = _Watch(connection, deadline)
        entry = (deadline, next(self._sequence), watch)
        with self._lock:
            heapq.heappush(self._watches, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="ocikit-deadlines", daemon=True
                )
                self._thread.start()
            elif self._watches[0] is entry:
                # Only a new earliest deadline changes when the thread must wake up (every
                # request has a deadline: waking it for each cost a thread switch apiece).
                self._lock.notify()
        return watch

    def done(self, watch: _Watch | None) -> None:
        """The request of ``watch`` is over."""
        if watch is None:
            return
        with self._lock:
            watch.done = True
            watch.connection = None
            self._finished += 1
            if self._finished > 1024 and self._finished * 2 > len(self._watches):
                # Requests end long before their deadlines: drop them in one pass.
                self._watches = [w for w in self._watches if not w[2].done]
                heapq.heapify(self._watches)
                self._finished = 0

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._watches and self._watches[0][2].done:
                    heapq.heappop(self._watches)
                    self._finished -= 1
                if not self._watches:
                    self._lock.wait()
                    continue
                first = self._watches[0][2]
                wait = first.deadline - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._watches)
                first.fired = True
                sock = first.connection.sock if first.connection is not None else None
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()


def deadline() -> float | None:
    """The deadline (``time.monotonic()`` seconds) a caller set over all the registry work of
    this context (the CLI's ``--timeout``), or ``None``: a transport ends its request by it
    too."""
    return _DEADLINE.get()


def _request_deadline(request: Request) -> float | None:
    """The earlier of :func:`deadline` and the one the request carries (``deadline_ms``,
    Unix milliseconds), on the monotonic clock."""
    ends = _DEADLINE.get()
    absolute = getattr(request, "deadline_ms", None)
    if absolute:
        at = time.monotonic() + (absolute / 1000 - time.time())
        ends = at if ends is None else min(ends, at)
    return ends


def _request_stall(request: Request, default: float | None) -> float | None:
    """The stall timeout of ``request`` (``timeout_ms``), else the transport's."""
    stall_ms = getattr(request, "timeout_ms", None)
    return stall_ms / 1000 if stall_ms else default


def _shown_url(url: str) -> str:
    """A URL as an error message shows it: without its query (a presigned URL's signature)."""
    return url.split("?", 1)[0]


def _reason(error: BaseException) -> str:
    """What went wrong, in a line of at most 200 characters."""
    if isinstance(error, http.client.LineTooLong):
        text = f"a header line over the limit ({error})"
    elif isinstance(error, http.client.BadStatusLine) and not isinstance(
        error, http.client.RemoteDisconnected
    ):
        text = f"a malformed status line {str(error)[:80]!r}"
    elif isinstance(error, http.client.IncompleteRead):
        text = f"the body ended early ({len(error.partial)} bytes read)"
    elif isinstance(error, http.client.HTTPException) and "more than 100 headers" in str(error):
        text = "more than 100 headers"
    elif isinstance(error, OSError) and error.strerror:
        text = error.strerror
    else:
        text = str(error) or type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def transport_error(
    error: BaseException,
    method: str,
    url: str,
    *,
    stall: float | None = None,
    deadline_passed: bool = False,
) -> OciError:
    """The coded error for a transport failure of ``method url``: ``TIMEOUT``
    (:class:`ocikit.OperationTimeoutError`), ``TLS_ERROR`` or ``NETWORK_ERROR``
    (:class:`ocikit.NetworkError`), each naming the host and worded as the engine words them;
    ``details["reason"]`` is what a client feeds the engine as the ``Failure``'s message. An
    :class:`ocikit.OciError` is returned as it is."""
    if isinstance(error, OciError):
        return error
    host = urlsplit(url).netloc or url
    failed = f"{method} {_shown_url(url)} failed"
    if deadline_passed:
        reason = "the operation's deadline passed (raise it with --timeout, or Client(timeout=...))"
        return OperationTimeoutError(
            f"{host} timed out: {failed}: {reason}",
            code="TIMEOUT",
            details={"host": host, "reason": reason, "limit": "deadline"},
        )
    if isinstance(error, (TimeoutError, socket.timeout)):
        seconds = f" for {stall:g} s" if stall else ""
        reason = (
            f"no byte{seconds} (the stall timeout: raise it with --stall-timeout, or "
            "Client(stall_timeout=...))"
        )
        return OperationTimeoutError(
            f"{host} timed out: {failed}: {reason}",
            code="TIMEOUT",
            details={"host": host, "reason": reason, "limit": "stall_timeout"},
        )
    cause = _reason(error)
    if isinstance(error, (ssl.SSLError, ssl.CertificateError)):
        hint = (
            "; a registry on this machine without TLS needs --plain-http (plain_http=True)"
            if _is_loopback(urlsplit(url).hostname)
            else ""
        )
        reason = f"{cause}{hint}; a private certificate authority needs --ca-file"
        return NetworkError(
            f"TLS error with {host}: {failed}: {reason}",
            code="TLS_ERROR",
            details={"host": host, "reason": reason},
        )
    return NetworkError(
        f"network error with {host}: {failed}: {cause}",
        code="NETWORK_ERROR",
        details={"host": host, "reason": cause},
    )


def _is_loopback(host: str | None) -> bool:
    return host in ("localhost", "::1") or (host or "").startswith("127.")


# What a transport failure can look like: the socket, TLS, http.client's framing checks, and
# a URL or header value http.client refuses to send (a space, a CR/LF, a non-Latin-1 text).
_TRANSPORT_ERRORS = (OSError, http.client.HTTPException, ValueError)


def _has_input(connection: http.client.HTTPConnection) -> bool:
    """Whether an idle connection has anything to read: the server closed it, or sent what no
    request asked for, which the next request would read as its answer. Either way it is not
    used again (as urllib3 and httpcore check their idle connections)."""
    sock = connection.sock
    if sock is None:
        return False  # closed: http.client connects again
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        return bool(select.select([sock], [], [], 0)[0])
    except (OSError, ValueError):
        return True


class StdlibTransport:
    """The standard library's ``http.client``: keep-alive connections pooled per origin (safe
    to use from several threads), HTTPS verified with the system's certificates (or
    ``ssl_context``).

    ``timeout`` is the stall timeout in seconds (default 30; ``None`` for none): no connect,
    send or read may wait longer for a byte. A request also ends at its operation's deadline (see
    :class:`ocikit.Client`'s ``timeout``).

    ``connect_to`` maps ``(host, port)`` to the ``(address, port)`` to connect to instead, as
    curl's and ORAS's ``--resolve``: the URL, the ``Host`` header and the TLS server name stay
    the registry's.
    """

    def __init__(
        self,
        *,
        timeout: float | None = STALL_TIMEOUT,
        ssl_context: ssl.SSLContext | None = None,
        connect_to: Mapping[tuple[str, int], tuple[str, int]] | None = None,
    ):
        self._timeout = timeout
        self._ssl = ssl_context
        self._connect_to = dict(connect_to or {})
        self._idle: dict[tuple[str, str], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()

    def _connection(
        self, scheme: str, netloc: str, stall: float | None
    ) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            idle = self._idle.get((scheme, netloc))
            while idle:
                connection = idle.pop()
                if _has_input(connection):
                    connection.close()
                    continue
                if connection.timeout != stall:
                    connection.timeout = stall
                    if connection.sock is not None:
                        connection.sock.settimeout(stall)
                return connection, True
        if scheme == "https":
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
            connection = http.client.HTTPSConnection(netloc, timeout=stall, context=self._ssl)
        elif scheme == "http":
            connection = http.client.HTTPConnection(netloc, timeout=stall)
        else:
            raise OSError(f"unsupported URL scheme {scheme!r}")
        address = self._connect_to.get((connection.host, connection.port))
        if address is not None:
            # http.client connects through this attribute; TLS then wraps the socket with the
            # URL's host as the server name.
            connection._create_connection = (  # type: ignore[attr-defined]
                lambda _, timeout, source: socket.create_connection(address, timeout, source)
            )
        return connection, False

    def _release(self, key: tuple[str, str], connection: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.setdefault(key, []).append(connection)

    def send(
        self,
        request: Request,
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Response:
        """Sends ``request`` on a pooled connection (see :meth:`Transport.send`).

        Raises:
            NetworkError: ``NETWORK_ERROR`` or ``TLS_ERROR``, naming the host.
            OperationTimeoutError: ``TIMEOUT`` (the stall timeout or the deadline).
            OSError: the blob's file (``source`` or ``sink``) cannot be read or written.
        """
        stall = _request_stall(request, self._timeout)
        ends = _request_deadline(request)
        try:
            key, target = _origin_and_target(request.url)
        except ValueError as error:  # a port that is not a number, a bad IPv6 literal
            raise transport_error(error, request.method, request.url) from None
        while True:
            if ends is not None and time.monotonic() >= ends:
                raise transport_error(
                    TimeoutError(), request.method, request.url, deadline_passed=True
                )
            connection: http.client.HTTPConnection | None = None
            watch: _Watch | None = None
            try:
                connection, reused = self._connection(*key, stall)
                watch = _WATCHDOG.add(connection, ends)
                try:
                    try:
                        response = self._exchange(connection, request, target, source)
                    except (
                        http.client.RemoteDisconnected,
                        BrokenPipeError,
                        ConnectionResetError,
                    ):
                        if not reused or (watch is not None and watch.fired):
                            raise
                        connection.close()
                        continue  # the server closed an idle connection: try a fresh one
                    result, reusable = self._read(request, response, sink, ends)
                finally:
                    _WATCHDOG.done(watch)
            except _LocalFailure as failure:
                if connection is not None:
                    connection.close()
                raise failure.error from None
            except _TRANSPORT_ERRORS as error:
                if connection is not None:
                    connection.close()
                passed = (watch is not None and watch.fired) or (
                    ends is not None and time.monotonic() >= ends
                )
                raise transport_error(
                    error, request.method, request.url, stall=stall, deadline_passed=passed
                ) from error
            except BaseException:
                if connection is not None:
                    connection.close()
                raise
            if reusable and not (watch is not None and watch.fired):
                self._release(key, connection)
            else:
                connection.close()
            return result

    def _exchange(
        self,
        connection: http.client.HTTPConnection,
        request: Request,
        target: str,
        source: BlobSource | None,
    ) -> http.client.HTTPResponse:
        length, body = _body_pieces(request, source)
        connection.putrequest(request.method, target, skip_accept_encoding=True)
        connection.putheader(*_ACCEPT_IDENTITY)
        has_length = False
        for name, value in request.headers:
            has_length = has_length or name.lower() == "content-length"
            connection.putheader(name, value)
        if not has_length and (length or request.method in ("PUT", "POST", "PATCH")):
            connection.putheader("Content-Length", str(length))
        connection.endheaders()
        if isinstance(body, bytes):
            if body:
                connection.send(body)
        elif _sendfile_possible(connection, source):
            assert source is not None and isinstance(request.body, tuple)
            try:
                _send_spans(connection.sock, source, *request.body)
            except _ShortSource as error:
                raise _LocalFailure(error) from error
        else:
            for piece in _local(body):
                connection.send(piece)
        return connection.getresponse()

    def _read(
        self,
        request: Request,
        response: http.client.HTTPResponse,
        sink: BlobSink | None,
        ends: float | None,
    ) -> tuple[Response, bool]:
        headers = response.getheaders()
        status = response.status
        if request.method == "HEAD":
            response.read()  # nothing, but it frees the connection for the next request
            return Response(status, headers), not response.will_close
        if request.stream and 200 <= status < 300:
            if sink is None:
                raise ValueError(f"{request.url} streams its body, but no sink was given")
            _local_call(sink.start, status == 206)
            room = sink.room(_stream_max(request), status == 206)
            # http.client's reading of Content-Length (None when absent, not a number, or the
            # body is chunked): a hint for the buffer's size.
            hint = response.length
            if room is not None:
                hint = room if hint is None else min(hint, room)
            buffer = memoryview(bytearray(buffer_size(hint)))
            while room is None or room > 0:
                if ends is not None and time.monotonic() >= ends:
                    raise TimeoutError("deadline")  # mapped by send(): the watchdog fired
                view = buffer if room is None or room >= len(buffer) else buffer[:room]
                count = response.readinto(view)
                if not count:
                    break
                _local_call(sink.write, buffer[:count])
                if room is not None:
                    room -= count
                if response.isclosed():
                    break  # the body's Content-Length is read: no call to see it end
            if room == 0:
                # One byte more than the blob's size: stop reading (the engine answers
                # SIZE_MISMATCH, and a body that was too long is not asked for again).
                return Response(status, headers, streamed=sink.result()), False
            _check_complete(request, response)
            return Response(status, headers, streamed=sink.result()), not response.will_close
        limit = request.capture_max
        body = response.read(limit + 1)
        if len(body) <= limit:
            _check_complete(request, response)
        # Unread rest (an oversized answer): drain a little, else drop the connection.
        rest = response.read(_DRAIN_MAX) if not response.isclosed() else b""
        reusable = not response.will_close and response.isclosed() and len(rest) < _DRAIN_MAX
        return Response(status, headers, body), reusable

    def close(self) -> None:
        """Closes the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()


def _origin_and_target(url: str) -> tuple[tuple[str, str], str]:
    """``((scheme, netloc), target)`` of an absolute URL as ``urlsplit`` reads it: the pool's
    key and what the request line names (path and query). A plain ``http``/``https`` URL
    (printable ASCII, no space, fragment or IPv6 literal: every URL the engine builds) is
    split by hand, about 8 µs less per request than ``urlsplit``, which reads anything else.

    Raises:
        ValueError: ``urlsplit`` refuses the URL (a bad IPv6 literal).
    """
    scheme, separator, rest = url.partition("://")
    if (
        separator
        and (scheme == "http" or scheme == "https")
        and url.isascii()
        and url.isprintable()
        and not any(c in url for c in " #[]")
    ):
        slash, question = rest.find("/"), rest.find("?")
        end = min(i for i in (slash, question, len(rest)) if i >= 0)
        path, _, query = rest[end:].partition("?")
        return (scheme, rest[:end]), (path or "/") + (f"?{query}" if query else "")
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (parts.scheme, parts.netloc), target


def _stream_max(request: Request) -> int | None:
    """The most bytes a streamed body may have (``Stream { max }`` of the engine), if the
    request says."""
    value = getattr(request, "stream_max", None)
    return value if isinstance(value, int) else None


def _local_call(function: Any, *args: Any) -> Any:
    """Calls ``function`` (a sink's), marking an ``OSError`` as the local file's."""
    try:
        return function(*args)
    except OSError as error:
        raise _LocalFailure(error) from error


def _sendfile_possible(connection: http.client.HTTPConnection, source: BlobSource | None) -> bool:
    """Whether a body from ``source`` can go from the file to the socket in the kernel: a file
    source on a plain (not TLS) connection, where ``os.sendfile`` exists."""
    return (
        source is not None
        and source.path is not None
        and hasattr(os, "sendfile")
        and not isinstance(connection.sock, ssl.SSLSocket)
    )


def _send_spans(sock: Any, source: BlobSource, offset: int, length: int) -> None:
    """Sends ``length`` bytes of ``source``'s file from ``offset`` with ``sendfile``: no copy
    through Python, about a fifth less CPU for an upload than reading and sending pieces.

    Raises:
        OSError: the file is shorter than the range, or the connection failed.
    """
    for file, start, count in _local(source.spans(offset, length)):
        sent = sock.sendfile(file, start, count)
        if sent != count:
            raise _ShortSource(f"{source.path} ended before the blob's size ({start + sent} bytes)")


def _check_complete(request: Request, response: http.client.HTTPResponse) -> None:
    """Raises when the body ended before its ``Content-Length`` (http.client only notices that
    for chunked bodies): the connection was cut, which the client can resume from."""
    if response.length:
        # Without the URL: the engine's message names the request (without its query, where a
        # presigned storage URL holds its signature).
        raise ConnectionError(
            f"the connection closed {response.length} bytes before the end of the body"
        )


def httpx_cause(error: BaseException) -> BaseException:
    """What an httpx transport error stands for, as :func:`transport_error` reads causes: the
    ``ssl.SSLError`` it wraps (TLS_ERROR), a ``TimeoutError`` for its timeouts, else itself.
    Shared by :class:`HttpxTransport` and the asyncio client."""
    import httpx

    cause: BaseException = error
    while cause.__context__ is not None and not isinstance(cause, ssl.SSLError):
        cause = cause.__context__
    if isinstance(error, httpx.TimeoutException):
        return TimeoutError(str(error))
    return cause if isinstance(cause, ssl.SSLError) else error


class HttpxTransport:
    """An ``httpx.Client`` as the transport (HTTP/2, proxies and certificates as configured on
    it). Redirects are never followed, whatever the client's setting. Its failures are mapped
    to ``NETWORK_ERROR``, ``TLS_ERROR`` and ``TIMEOUT`` as the standard transport's are; each
    request's stall timeout is the one the request carries (the client's ``stall_timeout``),
    and the operation's deadline is checked between pieces of a body."""

    def __init__(self, client: Any = None) -> None:
        import httpx  # optional dependency

        self._client = client if client is not None else httpx.Client(timeout=STALL_TIMEOUT)

    def send(
        self,
        request: Request,
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Response:
        """Sends ``request`` with the httpx client (see :meth:`Transport.send`)."""
        import httpx

        ends = _request_deadline(request)

        def failure(error: BaseException) -> OciError:
            passed = ends is not None and time.monotonic() >= ends
            return transport_error(
                httpx_cause(error), request.method, request.url, deadline_passed=passed
            )

        length, body = _body_pieces(request, source)
        headers = list(request.headers)
        if not any(n.lower() == "content-length" for n, _ in headers) and (
            length or request.method in ("PUT", "POST", "PATCH")
        ):
            headers.append(("Content-Length", str(length)))
        headers.append(_ACCEPT_IDENTITY)
        content = body if isinstance(body, bytes) else (bytes(piece) for piece in body)
        try:
            stall_ms = getattr(request, "timeout_ms", None)
            outgoing = self._client.build_request(
                request.method,
                request.url,
                headers=headers,
                content=content,
                # The request's stall timeout (the client's Limits), else the httpx client's.
                timeout=httpx.Timeout(stall_ms / 1000) if stall_ms else httpx.USE_CLIENT_DEFAULT,
            )
            response = self._client.send(outgoing, stream=True, follow_redirects=False)
        except (httpx.TransportError, httpx.InvalidURL, ValueError) as error:
            raise failure(error) from error
        try:
            headers_out = list(response.headers.multi_items())
            if request.method == "HEAD":
                return Response(response.status_code, headers_out)
            if request.stream and 200 <= response.status_code < 300:
                if sink is None:
                    raise ValueError(f"{request.url} streams its body, but no sink was given")
                sink.start(append=response.status_code == 206)
                room = sink.room(_stream_max(request), response.status_code == 206)
                for piece in response.iter_raw(CHUNK_SIZE):
                    if ends is not None and time.monotonic() >= ends:
                        raise httpx.ReadTimeout("deadline")
                    if room is not None:
                        piece = piece[:room]
                        room -= len(piece)
                    sink.write(memoryview(piece))
                    if room == 0:
                        break  # one byte past the blob's size: SIZE_MISMATCH, stop reading
                return Response(response.status_code, headers_out, streamed=sink.result())
            captured = bytearray()
            for piece in response.iter_raw():
                if ends is not None and time.monotonic() >= ends:
                    raise httpx.ReadTimeout("deadline")
                captured += piece
                if len(captured) > request.capture_max:
                    break
            return Response(response.status_code, headers_out, bytes(captured))
        except httpx.TransportError as error:
            raise failure(error) from error
        finally:
            response.close()

    def close(self) -> None:
        """Closes the httpx client."""
        self._client.close()
