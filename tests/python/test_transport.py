"""The standard-library transport's upload path for file sources: spans of the file handed to
``sendfile`` (plain connections), exactly the range asked for, and a clear error when the file
is shorter than the blob it should hold."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from ocikit._http import BlobSource, _send_spans

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
