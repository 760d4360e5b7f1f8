"""Hashing files: the host side of digesting, where Python moves the bytes to the core."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol, Union

from ocikit._ocikit import Digester

if TYPE_CHECKING:
    from collections.abc import Iterator

# Bytes read per step. 1 MiB stays in the L2 cache between the read and the hash, amortises the
# per-call cost to nothing, and bounds memory whatever the file size.
CHUNK_SIZE = 1 << 20

StrPath = Union[str, "os.PathLike[str]"]


def buffer_size(size_hint: int | None) -> int:
    """The read buffer for content of ``size_hint`` bytes: the content plus one byte (so that
    the read which finds the end needs no second buffer), at most ``CHUNK_SIZE``."""
    if size_hint is None or size_hint < 0:
        return CHUNK_SIZE
    return min(CHUNK_SIZE, size_hint + 1)


class _Reader(Protocol):
    def readinto(self, buffer: memoryview, /) -> int | None: ...


def read_pieces(
    reader: _Reader, limit: int, buffer: memoryview | None = None
) -> Iterator[memoryview]:
    """The reader's next ``limit`` bytes at most, in pieces read into one reused buffer
    (``buffer``, else one no larger than ``limit`` needs, at most ``CHUNK_SIZE``); ends early
    at the end of the reader. Each piece is valid until the next one is asked for."""
    if buffer is None:
        buffer = memoryview(bytearray(min(CHUNK_SIZE, max(limit, 1))))
    left = limit
    while left > 0:
        count = reader.readinto(buffer[: min(left, len(buffer))])
        if not count:
            return
        yield buffer[:count]
        left -= count


def digest_file(path: StrPath, algorithm: str = "sha256") -> str:
    """The digest of the file at ``path`` as ``"<algorithm>:<hex>"``.

    The file is read in 1 MiB pieces into one reused buffer, so memory stays bounded for files
    of any size, and each piece is hashed with the GIL released.

    Raises:
        ValidationError: ``algorithm`` is not a digest algorithm ocikit can compute.
        OSError: the file cannot be opened or read.
    """
    return _digest_path(path, algorithm).finalize()


def _digest_path(path: StrPath, algorithm: str) -> Digester:
    """A digester fed the whole file at ``path`` (for callers that also want its size)."""
    digester = Digester(algorithm)  # reject a bad algorithm before touching the file
    # Unbuffered: readinto() then reads straight into our buffer, with no second copy.
    with open(path, "rb", buffering=0) as file:
        _feed(digester, file, os.fstat(file.fileno()).st_size)
    return digester


def _feed(digester: Digester, reader: _Reader, size_hint: int | None = None) -> None:
    """Feeds everything ``reader`` yields, through one reused buffer (no larger than the content
    when its size is known: small files then cost no 1 MiB allocation)."""
    view = memoryview(bytearray(buffer_size(size_hint)))
    while True:
        count = reader.readinto(view)
        if not count:
            break
        digester.update(view[:count])
