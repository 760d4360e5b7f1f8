"""The standard transport's HTTP/1.1 framing, against a raw socket server with canned answers:
Content-Length, chunked and close-delimited bodies, 1xx answers, bodies cut short, and
connections reused or dropped as the answers say; and its upload path for file sources: spans
of the file handed to ``sendfile``, exactly the range asked for, and a clear error when the file
is shorter than the blob it should hold."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ocikit import Client, Descriptor, RegistryError, RetryPolicy, digest
from ocikit._http import BlobSource, _send_spans

BLOB = bytes(range(256)) * 40 + b"tail"
DESCRIPTOR = Descriptor(media_type="application/octet-stream", digest=digest(BLOB), size=len(BLOB))


class Canned:
    """Serves one canned answer per request, in order, on 127.0.0.1; an answer ending with
    ``None`` closes the connection after it."""

    def __init__(self, answers: list[tuple[bytes, bool]]) -> None:
        self.answers = list(answers)
        self.requests: list[bytes] = []
        self.connections = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            pending = b""
            while self.answers:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                head, _, pending = pending.partition(b"\r\n\r\n")
                self.requests.append(head)
                answer, close = self.answers.pop(0)
                conn.sendall(answer)
                if close:
                    return

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def canned() -> Iterator[list[Canned]]:
    servers: list[Canned] = []
    yield servers
    for server in servers:
        server.close()


def _serve(servers: list[Canned], answers: list[tuple[bytes, bool]]) -> Canned:
    server = Canned(answers)
    servers.append(server)
    return server


def _chunked(data: bytes, size: int) -> bytes:
    out = b""
    for start in range(0, len(data), size):
        piece = data[start : start + size]
        out += b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n"
    return out + b"0\r\nTrailer: x\r\n\r\n"


def _fetch(server: Canned, retries: int = 0) -> bytes | None:
    policy = RetryPolicy(max_retries=retries, base_delay_ms=1)
    with Client(server.address, plain_http=True, retry_policy=policy) as client:
        return client.fetch_blob(f"{server.address}/repo/blob:v1", DESCRIPTOR)


def test_content_length_body_and_reuse(canned: list[Canned]) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BLOB) + BLOB
    server = _serve(canned, [(answer, False), (answer, False)])
    policy = RetryPolicy(max_retries=0)
    with Client(server.address, plain_http=True, retry_policy=policy) as client:
        ref = f"{server.address}/repo/blob:v1"
        assert client.fetch_blob(ref, DESCRIPTOR) == BLOB
        assert client.fetch_blob(ref, DESCRIPTOR) == BLOB
    assert server.connections == 1  # kept alive
    assert server.requests[0].startswith(b"GET /v2/repo/blob/blobs/sha256:")
    assert f"\r\nHost: {server.address}".encode() in server.requests[0]


def test_chunked_body_with_a_continue_first(canned: list[Canned]) -> None:
    answer = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + _chunked(BLOB, 1000)
    )
    server = _serve(canned, [(answer, False)])
    assert _fetch(server) == BLOB


def test_close_delimited_body(canned: list[Canned]) -> None:
    answer = b"HTTP/1.0 200 OK\r\n\r\n" + BLOB
    server = _serve(canned, [(answer, True)])
    assert _fetch(server) == BLOB


def test_body_cut_short_is_resumed_with_range(canned: list[Canned], tmp_path: Path) -> None:
    cut = 3000
    first = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BLOB) + BLOB[:cut]
    rest = (
        b"HTTP/1.1 206 Partial Content\r\nContent-Length: %d\r\n"
        b"Content-Range: bytes %d-%d/%d\r\n\r\n"
        % (len(BLOB) - cut, cut, len(BLOB) - 1, len(BLOB))
        + BLOB[cut:]
    )
    server = _serve(canned, [(first, True), (rest, False)])
    policy = RetryPolicy(max_retries=2, base_delay_ms=1)
    path = tmp_path / "blob"
    with Client(server.address, plain_http=True, retry_policy=policy) as client:
        client.fetch_blob(f"{server.address}/repo/blob:v1", DESCRIPTOR, path)
    assert path.read_bytes() == BLOB
    assert b"\r\nRange: bytes=3000-" in server.requests[1]
    assert [p.name for p in tmp_path.iterdir()] == ["blob"]  # no temporary file left


def test_body_cut_short_raises_without_retries(canned: list[Canned], tmp_path: Path) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BLOB) + BLOB[:100]
    server = _serve(canned, [(answer, True)])
    policy = RetryPolicy(max_retries=0)
    with Client(server.address, plain_http=True, retry_policy=policy) as client:
        with pytest.raises(ConnectionError, match="before the end of the body"):
            client.fetch_blob(f"{server.address}/repo/blob:v1", DESCRIPTOR, tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


def test_chunked_error_body(canned: list[Canned]) -> None:
    body = b'{"errors":[{"code":"BLOB_UNKNOWN","message":"not here"}]}'
    answer = (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + _chunked(body, 7)
    )
    server = _serve(canned, [(answer, False)])
    with pytest.raises(RegistryError, match="BLOB_UNKNOWN"):
        _fetch(server)


def test_idle_connection_closed_by_the_server_is_replaced(canned: list[Canned]) -> None:
    answer = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BLOB) + BLOB
    # The first connection is closed after its answer without saying so.
    server = _serve(canned, [(answer, True), (answer, False)])
    policy = RetryPolicy(max_retries=0)
    with Client(server.address, plain_http=True, retry_policy=policy) as client:
        ref = f"{server.address}/repo/blob:v1"
        assert client.fetch_blob(ref, DESCRIPTOR) == BLOB
        assert client.fetch_blob(ref, DESCRIPTOR) == BLOB
    assert server.connections == 2


MiB = 1 << 20


def _received(length: int, send: Callable[[socket.socket], None]) -> bytes:
    """What ``send`` writes to one end of a connected pair, read from the other."""
    ours, theirs = socket.socketpair()
    chunks: list[bytes] = []

    def read() -> None:
        while sum(map(len, chunks)) < length:
            chunk = theirs.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        ours.settimeout(10)
        send(ours)
    finally:
        ours.close()  # the reader sees the end of what was sent
        reader.join(10)
        theirs.close()
    return b"".join(chunks)


def test_spans_cover_exactly_the_range(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    content = os.urandom(3 * MiB + 5)
    path.write_bytes(content)
    source = BlobSource(path)
    assert source.path == str(path)
    spans = [(start, count) for _, start, count in source.spans(100, 2 * MiB + 7)]
    assert spans == [(100, MiB), (100 + MiB, MiB), (100 + 2 * MiB, 7)]
    assert list(source.spans(0, 0)) == []
    assert BlobSource(b"in memory").path is None


@pytest.mark.parametrize(("offset", "length"), [(0, 3 * MiB + 5), (MiB + 3, 2 * MiB), (7, 1)])
def test_send_spans_sends_the_range(tmp_path: Path, offset: int, length: int) -> None:
    path = tmp_path / "blob.bin"
    content = os.urandom(3 * MiB + 5)
    path.write_bytes(content)
    sent = _received(length, lambda sock: _send_spans(sock, BlobSource(path), offset, length))
    assert sent == content[offset : offset + length]


def test_send_spans_refuses_a_file_shorter_than_the_blob(tmp_path: Path) -> None:
    path = tmp_path / "blob.bin"
    path.write_bytes(os.urandom(MiB + 10))
    with pytest.raises(OSError, match="ended before the blob's size"):
        _received(2 * MiB, lambda sock: _send_spans(sock, BlobSource(path), 0, 2 * MiB))
