"""The thread host loop of whole operations (``Client._drive``) with an operation of the test's
own: who answers, how many requests run at once, waits, the first error, no thread left
behind; and the deadline watchdog of the standard transport."""

from __future__ import annotations

import http.client
import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest

from ocikit import Client, OciError
from ocikit._http import _Watchdog
from ocikit._ocikit import Response


def _send(task: int) -> Any:
    request = SimpleNamespace(method="GET", url=f"http://127.0.0.1:9/v2/r/blobs/{task}", body=None)
    return SimpleNamespace(kind="send", task=task, request=request, blob=None)


class _Operation:
    """Hands out ``count`` requests, ``batch`` at a time (each batch once the previous one is
    answered), optionally a wait first; done when every answer is in. Records the thread of
    every ``provide`` and checks that ``poll`` and ``provide`` never overlap."""

    def __init__(self, count: int, batch: int, wait_ms: int | None = None) -> None:
        self.count = count
        self.batch = batch
        self.wait_ms = wait_ms
        self.handed = 0
        self.answered: list[int] = []
        self.provided_on: list[str] = []
        self.resumed_at: float | None = None
        self.failed_at: float | None = None
        self.waiting = wait_ms is not None
        self._busy = threading.Lock()

    def poll(self, sessions: Any, now_ms: int) -> Any:
        assert self._busy.acquire(blocking=False), "poll overlaps another call"
        try:
            if self.waiting and self.resumed_at is None:
                if self.handed == 0:
                    self.handed = -1
                    return SimpleNamespace(kind="wait", task=10_000, ms=self.wait_ms)
                return SimpleNamespace(kind="pending")
            self.handed = max(self.handed, 0)
            if len(self.answered) == self.count:
                return SimpleNamespace(kind="done", value=sorted(self.answered))
            if self.handed < self.count and self.handed - len(self.answered) < self.batch:
                self.handed += 1
                return _send(self.handed)
            return SimpleNamespace(kind="pending")
        finally:
            self._busy.release()

    def provide(self, task: int, answer: Any) -> None:
        assert self._busy.acquire(blocking=False), "provide overlaps another call"
        try:
            self.provided_on.append(threading.current_thread().name)
            if answer == "resume":
                self.resumed_at = time.monotonic()
                return
            assert isinstance(answer, Response)
            if answer.status != 200:
                self.failed_at = time.monotonic()
                raise OciError(f"task {task} failed", code="BLOB_UNKNOWN")
            self.answered.append(task)
        finally:
            self._busy.release()


class _Transport:
    """Answers 200 (404 for the requests in ``failing``) after ``delay`` seconds, counting
    the requests in flight."""

    def __init__(self, delay: float = 0.0, failing: tuple[int, ...] = ()) -> None:
        self.delay = delay
        self.failing = failing
        self.sent: list[int] = []
        self.started: list[float] = []
        self._lock = threading.Lock()
        self.now = self.most = 0

    def send(self, request: Any, *, source: Any = None, sink: Any = None) -> Response:
        task = int(request.url.rsplit("/", 1)[1])
        with self._lock:
            self.sent.append(task)
            self.started.append(time.monotonic())
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(self.delay)
            return Response(404 if task in self.failing else 200, [])
        finally:
            with self._lock:
                self.now -= 1

    def close(self) -> None:
        pass


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t is not threading.current_thread() and t.is_alive()
            and t.name != "ocikit-deadlines"]  # fmt: skip


def test_answers_are_provided_by_the_threads_that_sent_them() -> None:
    operation = _Operation(count=40, batch=8)
    transport = _Transport()
    with Client("127.0.0.1:9", concurrency=4, transport=transport) as client:
        assert client._drive(operation, []) == list(range(1, 41))
    # Before: every answer went back through the caller's thread, a thread switch each way
    # per request.
    assert threading.current_thread().name not in operation.provided_on
    assert transport.most <= 4


@pytest.mark.parametrize("concurrency", [1, 3])
def test_requests_in_flight_never_exceed_concurrency(concurrency: int) -> None:
    operation = _Operation(count=30, batch=10)
    transport = _Transport(delay=0.005)
    before = len(_workers())
    with Client("127.0.0.1:9", concurrency=concurrency, transport=transport) as client:
        assert client._drive(operation, []) == list(range(1, 31))
    assert transport.most == concurrency
    assert len(_workers()) == before


def test_the_first_error_stops_the_loop_and_leaves_no_thread() -> None:
    operation = _Operation(count=200, batch=8)
    transport = _Transport(delay=0.002, failing=(5,))
    before = len(_workers())
    with Client("127.0.0.1:9", concurrency=4, transport=transport) as client:
        with pytest.raises(OciError, match="task 5 failed"):
            client._drive(operation, [])
    # No request started once the error was raised; most were never sent.
    assert operation.failed_at is not None
    assert max(transport.started) <= operation.failed_at
    assert len(transport.sent) < 50
    assert len(_workers()) == before


def test_a_local_failure_stops_the_loop() -> None:
    class Broken(_Transport):
        def send(self, request: Any, **kwargs: Any) -> Response:
            if request.url.endswith("/3"):
                raise OSError("the blob's file cannot be read")
            return super().send(request, **kwargs)

    operation = _Operation(count=50, batch=4)
    before = len(_workers())
    with Client("127.0.0.1:9", concurrency=2, transport=Broken()) as client:
        with pytest.raises(OSError, match="cannot be read"):
            client._drive(operation, [])
    assert len(_workers()) == before


def test_a_wait_is_slept_before_the_operation_goes_on() -> None:
    operation = _Operation(count=3, batch=3, wait_ms=150)
    started = time.monotonic()
    with Client("127.0.0.1:9", concurrency=2, transport=_Transport()) as client:
        assert client._drive(operation, []) == [1, 2, 3]
    assert operation.resumed_at is not None
    assert operation.resumed_at - started >= 0.15


def test_an_operation_waiting_for_nothing_is_a_misuse() -> None:
    # OPERATION_MISUSE, a code of tests/vectors/error-codes.json, with JS's client's words
    # (INTERNAL_ERROR is no listed code).
    class Stuck:
        def poll(self, sessions: Any, now_ms: int) -> Any:
            return SimpleNamespace(kind="pending")

        def provide(self, task: int, answer: Any) -> None:
            raise AssertionError("nothing was asked")

    with Client("127.0.0.1:9", transport=_Transport()) as client:
        with pytest.raises(OciError) as raised:
            client._drive(Stuck(), [])
    assert raised.value.code == "OPERATION_MISUSE"
    assert str(raised.value) == "the operation waits for an answer, but nothing is in flight"


def test_the_watchdog_is_woken_only_for_a_new_earliest_deadline() -> None:
    watchdog = _Watchdog()
    notified: list[int] = []
    condition = watchdog._lock
    original = condition.notify

    def notify(n: int = 1) -> None:
        notified.append(n)
        original(n)

    condition.notify = notify  # type: ignore[method-assign]
    connection = http.client.HTTPConnection("127.0.0.1", 9)
    now = time.monotonic()
    with watchdog.watching(connection, now + 100):  # starts the thread
        with watchdog.watching(connection, now + 200), watchdog.watching(connection, now + 300):
            # Before: each request woke the watchdog thread.
            assert notified == []
        with watchdog.watching(connection, now + 50):
            assert notified == [1]


def test_the_watchdog_still_fires_at_an_earlier_deadline() -> None:
    watchdog = _Watchdog()

    class Connection:
        sock = None

    now = time.monotonic()
    with watchdog.watching(Connection(), now + 60) as late:  # type: ignore[arg-type]
        with watchdog.watching(Connection(), now + 0.1) as early:  # type: ignore[arg-type]
            time.sleep(0.4)
            assert early is not None and early.fired
        assert late is not None and not late.fired
