"""The progress line the ``ocikit`` command draws on a terminal while blobs move.

It is an ``on_progress`` callback for :class:`ocikit.Client` (see there for when it is called):
one line on stderr, redrawn in place with ``\\r`` at most every ``interval`` seconds, showing
blobs finished, a bar, bytes moved and the rate. Only the standard library is used.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Callable, TextIO

from ocikit._ocikit import Descriptor

__all__ = ["ProgressLine", "format_bytes"]

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def format_bytes(count: float) -> str:
    """``count`` bytes in binary units: ``512 B``, ``1.5 MiB``."""
    for unit in _UNITS:
        if count < 1024 or unit == _UNITS[-1]:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


class ProgressLine:
    """Draws the transfers reported to it as one line on ``stream`` (a terminal).

    ``verb`` starts the line (``Uploading``); ``clock`` is ``time.monotonic`` unless a test
    gives another. Thread-safe: the client calls it from its transfer threads. Call
    :meth:`close` at the end (it draws the final state and ends the line); using it as a
    context manager does that.
    """

    def __init__(
        self,
        stream: TextIO,
        verb: str,
        *,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._verb = verb
        self._interval = interval
        self._clock = clock
        self._blobs: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._started = clock()
        self._drawn_at: float | None = None
        self._drawn_width = 0
        self._expected = 0

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, descriptor: Descriptor, done: int, total: int) -> None:
        with self._lock:
            self._blobs[descriptor.digest] = (done, total)
            now = self._clock()
            if self._drawn_at is None or now - self._drawn_at >= self._interval:
                self._draw(now)

    def expect(self, count: int) -> None:
        """Says that at least ``count`` blobs will be reported, so that the line counts them
        from its first drawing (``0/2 blobs``, not ``0/1`` then ``2/2``) though a transfer
        may start before the others are announced."""
        with self._lock:
            self._expected = count

    def close(self) -> None:
        """Draws the final state and ends the line (nothing when nothing was reported)."""
        with self._lock:
            if self._blobs:
                self._draw(self._clock())
                self._stream.write("\n")
                self._stream.flush()
                self._blobs.clear()

    def render(self, now: float) -> str:
        """The line for the state reported so far, at time ``now``."""
        finished = sum(done >= total for done, total in self._blobs.values())
        done = sum(done for done, _ in self._blobs.values())
        total = sum(total for _, total in self._blobs.values())
        fraction = done / total if total else 1.0
        elapsed = now - self._started
        rate = f"{format_bytes(done / elapsed)}/s" if elapsed > 0 else "-"
        head = f"{self._verb} {finished}/{max(len(self._blobs), self._expected)} blobs "
        tail = f" {fraction * 100:3.0f}%  {format_bytes(done)} / {format_bytes(total)}  {rate}"
        width = max(10, min(40, self._columns() - 1 - len(head) - len(tail) - 2))
        filled = int(width * fraction)
        line = f"{head}[{'#' * filled}{'-' * (width - filled)}]{tail}"
        return line[: self._columns() - 1]

    def _draw(self, now: float) -> None:
        line = self.render(now)
        # Spaces wipe what a longer previous line left.
        self._stream.write("\r" + line.ljust(self._drawn_width))
        self._stream.flush()
        self._drawn_at = now
        self._drawn_width = len(line)

    def _columns(self) -> int:
        try:
            return os.get_terminal_size(self._stream.fileno()).columns or 80
        except (AttributeError, ValueError, OSError):
            return 80
