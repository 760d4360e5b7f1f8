"""A reverse proxy on loopback that passes requests to a registry, except those a rule picks,
which it answers with an error status (429 with ``Retry-After``, 5xx), or whose connection it
cuts mid-body — the failures a client meets on real networks, made to order.

    with FaultProxy(registry.address) as proxy:
        proxy.inject(Fault("PATCH", "/blobs/uploads/", status=503, skip=1))
        ...  # point the client at proxy.address
        assert proxy.faults[0].applied == 1

The ``Host`` header is passed through, so the URLs the registry writes (upload ``Location``)
name the proxy and every later request comes through it too. Each exchange is logged
(:attr:`FaultProxy.log`). Requests must have a ``Content-Length`` body (ocikit always sends
one).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Optional

_PIECE = 1 << 16
# Per connection, not end to end: never passed on (RFC 9110 §7.6.1).
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


@dataclass
class Fault:
    """A rule: which requests (``method``, a regular expression ``path`` searched in the path
    and query), and what happens to them.

    - ``status``: answer with it (and ``headers``, ``body``) instead of the registry; with
      ``forward`` the request reaches the registry first, which acts on it, and its answer is
      lost on the way back.
    - ``cut_response_after``: pass the registry's answer on, but close the connection after
      that many bytes of its body.
    - ``cut_request_after``: read that many bytes of the request body, then close the
      connection without an answer; with ``forward`` those bytes reach the registry first
      (whose connection is then cut too).

    The first ``skip`` matching requests pass untouched; then ``times`` of them (every one when
    ``None``) meet the fault. ``matched`` and ``applied`` count what happened.
    """

    method: Optional[str] = None
    path: str = ""
    status: Optional[int] = None
    headers: Sequence[tuple[str, str]] = ()
    body: Optional[bytes] = None
    forward: bool = False
    cut_response_after: Optional[int] = None
    cut_request_after: Optional[int] = None
    skip: int = 0
    times: Optional[int] = 1
    matched: int = 0
    applied: int = 0

    def __post_init__(self) -> None:
        actions = [self.status, self.cut_response_after, self.cut_request_after]
        if sum(action is not None for action in actions) != 1:
            raise ValueError("a Fault needs exactly one of status, cut_response_after, "
                             "cut_request_after")  # fmt: skip

    def _matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and bool(re.search(self.path, path))

    def answer_body(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.status == 429:
            # What distribution sends when it limits the rate.
            errors = [{"code": "TOOMANYREQUESTS", "message": "too many requests"}]
            return json.dumps({"errors": errors}).encode()
        return f"fault injected: HTTP {self.status}\n".encode()


@dataclass
class Exchange:
    """One request through the proxy: what the client sent, what it got (``status`` is
    ``None`` when the connection was cut before an answer), and the fault that met it."""

    method: str
    path: str
    headers: dict[str, str]
    status: Optional[int]
    fault: Optional[Fault] = field(default=None, repr=False)


class FaultProxy:
    """The proxy, serving on ``127.0.0.1`` at :attr:`address` until closed.

    ``oci_subject`` adds ``OCI-Subject`` to the answers of manifest PUTs whose manifest has a
    subject, as a registry that implements the referrers API must (distribution-spec "Pushing
    Manifests with Subject"); go-containerregistry's registry indexes subjects but does not
    say so.
    """

    def __init__(self, upstream: str, *, oci_subject: bool = False) -> None:
        self.upstream = upstream
        self.oci_subject = oci_subject
        self.faults: list[Fault] = []
        self.log: list[Exchange] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self.faults.extend(faults)

    def clear(self) -> None:
        """Removes every rule (the log stays)."""
        with self._lock:
            self.faults.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def requests(self, method: str, path: str = "") -> list[Exchange]:
        """The logged exchanges of ``method`` whose path matches ``path``."""
        with self._lock:
            return [e for e in self.log if e.method == method and re.search(path, e.path)]

    def _fault(self, method: str, path: str) -> Optional[Fault]:
        with self._lock:
            for fault in self.faults:
                if not fault._matches(method, path):
                    continue
                fault.matched += 1
                if fault.matched > fault.skip and (
                    fault.times is None or fault.applied < fault.times
                ):
                    fault.applied += 1
                    return fault
            return None

    def _record(self, exchange: Exchange) -> None:
        with self._lock:
            self.log.append(exchange)


class _Server(ThreadingHTTPServer):
    """The proxy's listener: a backlog for the 32 connections a client opens at once (the
    default of 5 drops the rest's SYNs, and each waits a second for its retry)."""

    daemon_threads = True
    request_queue_size = 64


class _Handler(BaseHTTPRequestHandler):
    proxy: FaultProxy
    protocol_version = "HTTP/1.1"  # keep-alive, as registries do

    def log_message(self, format: str, *args: object) -> None:
        pass  # the proxy's own log is FaultProxy.log

    def do_GET(self) -> None:
        self._handle()

    do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = do_GET

    def _handle(self) -> None:
        method, path = self.command, self.path
        headers = {name.lower(): value for name, value in self.headers.items()}
        length = int(self.headers.get("Content-Length") or 0)
        fault = self.proxy._fault(method, path)

        def record(status: Optional[int]) -> None:
            self.proxy._record(Exchange(method, path, headers, status, fault))

        if fault is not None and fault.cut_request_after is not None and not fault.forward:
            self._read(min(fault.cut_request_after, length))
            record(None)
            self._cut()
            return
        if fault is not None and fault.status is not None and not fault.forward:
            self._read(length)  # the whole request, so that the client reads the answer
            record(fault.status)
            self._answer(fault)
            return

        upstream = http.client.HTTPConnection(self.proxy.upstream, timeout=60)
        try:
            body = self._forward(upstream, method, path, length, fault)
            if body is None:  # the request was cut on its way to the registry
                record(None)
                self._cut()
                return
            try:
                response = upstream.getresponse()
            except OSError:
                record(502)
                self._answer(Fault(status=502, body=b"the registry cannot be reached\n"))
                return
            if fault is not None and fault.status is not None:  # forwarded, answer lost
                response.read()
                record(fault.status)
                self._answer(fault)
                return
            # Logged before the client can see the answer (tests read the log right after).
            record(response.status)
            self._relay(method, path, body, response, fault)
        finally:
            upstream.close()

    def _read(self, length: int) -> bytes:
        data = bytearray()
        while len(data) < length:
            piece = self.rfile.read(min(_PIECE, length - len(data)))
            if not piece:
                break
            data += piece
        return bytes(data)

    def _forward(
        self,
        upstream: http.client.HTTPConnection,
        method: str,
        path: str,
        length: int,
        fault: Optional[Fault],
    ) -> Optional[bytes]:
        """Sends the request on; returns the body when it was small enough to keep (manifests),
        ``b""`` otherwise, ``None`` when a fault cut it."""
        try:
            upstream.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    upstream.putheader(name, value)
            upstream.endheaders()
        except OSError:
            return b""  # getresponse() fails next: answered with 502
        cut = fault.cut_request_after if fault is not None else None
        keep = "/manifests/" in path and length <= 4 << 20
        kept = bytearray()
        left = length if cut is None else min(cut, length)
        while left:
            piece = self.rfile.read(min(_PIECE, left))
            if not piece:
                return None
            left -= len(piece)
            if keep:
                kept += piece
            try:
                upstream.send(piece)
            except OSError:
                pass  # the registry went away: getresponse() tells
        return None if cut is not None else bytes(kept)

    def _answer(self, fault: Fault) -> None:
        assert fault.status is not None
        body = fault.answer_body()
        self.send_response_only(fault.status)
        content_type = "application/json" if body.startswith(b"{") else "text/plain"
        self.send_header("Content-Type", content_type)
        for name, value in fault.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _relay(
        self,
        method: str,
        path: str,
        request_body: bytes,
        response: http.client.HTTPResponse,
        fault: Optional[Fault],
    ) -> None:
        headers = [(n, v) for n, v in response.getheaders() if n.lower() not in _HOP_BY_HOP]
        length = response.getheader("Content-Length")
        body = b""
        if length is None and method != "HEAD":
            # A chunked answer (small JSON): passed on with a length instead.
            body = response.read()
            headers.append(("Content-Length", str(len(body))))
        if self.proxy.oci_subject and method == "PUT" and "/manifests/" in path:
            subject = _subject(request_body)
            if subject is not None and response.status == 201:
                headers.append(("OCI-Subject", subject))
        self.send_response_only(response.status)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if method == "HEAD":
            self.wfile.flush()
            return
        if length is None:
            self.wfile.write(body)
            self.wfile.flush()
            return
        left = int(length)
        if fault is not None and fault.cut_response_after is not None:
            left = min(left, fault.cut_response_after)
        while left:
            piece = response.read(min(_PIECE, left))
            if not piece:
                break
            self.wfile.write(piece)
            left -= len(piece)
        self.wfile.flush()
        if fault is not None and fault.cut_response_after is not None:
            self._cut()

    def _cut(self) -> None:
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _subject(manifest: bytes) -> Optional[str]:
    try:
        subject = json.loads(manifest).get("subject")
    except (ValueError, AttributeError):
        return None
    return subject.get("digest") if isinstance(subject, dict) else None
