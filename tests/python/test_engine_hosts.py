"""The scenarios of tests/vectors/registry/scenarios/ through the real host loops of
``Client`` (threads) and ``AsyncClient`` (asyncio tasks), one request at a time
(``concurrency=1``): both send exactly the requests of the recording, in its order, and end
with its result or error code. Scenarios with a wait are left to test_operation_scenarios.py
(these hosts sleep on the real clock), as are those with operations before (these hosts run
one operation on fresh sessions). After an error a host sends nothing more: requests the
engine handed out after the failing one are dropped."""

from __future__ import annotations

import asyncio
import io
import json
from typing import Any

import pytest

from ocikit import Client, NetworkError, OciError, OperationTimeoutError
from ocikit._http import BlobSink, BlobSource
from ocikit._ocikit import Digest, Failure, Request
from test_operation_scenarios import (
    SCENARIOS,
    _answer,
    _operation,
    _outcome,
    _request,
    _sessions,
)

def _replayed(doc: dict[str, Any]) -> bool:
    # Scenarios with operations before (what the session learns from them) are replayed by
    # test_operation_scenarios.py: these hosts run one operation on fresh sessions.
    return "before" not in doc and not any("wait" in e for e in doc["exchanges"])


REPLAYED = [path for path in SCENARIOS if _replayed(json.loads(path.read_text(encoding="utf-8")))]

_CODES = {"network": "NETWORK_ERROR", "tls": "TLS_ERROR"}


class _Recording:
    """Answers each request with the next exchange of the recording, checking it is the one
    recorded (method, URL, headers, body or blob range, stream bound, blob)."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self._exchanges = list(doc["exchanges"])
        self.sent: list[dict[str, Any]] = []

    def next(self, request: Request, blob: Any) -> dict[str, Any]:
        class Sent:  # what _request reads from an action
            pass

        action = Sent()
        action.request = request  # type: ignore[attr-defined]
        action.blob = blob  # type: ignore[attr-defined]
        self.sent.append(_request(action))
        assert self._exchanges, "more requests than recorded"
        return self._exchanges.pop(0)


def _sources(descriptor: Any) -> BlobSource:
    return BlobSource(bytes(descriptor.size))


def _sinks(descriptor: Any) -> BlobSink:
    return BlobSink(io.BytesIO(), Digest.parse(descriptor.digest).algorithm)


def _result(doc: dict[str, Any], run: Any) -> tuple[str, Any]:
    try:
        operation = _operation(doc["operation"])
    except OciError as error:
        return "error", error.code
    try:
        return "result", _outcome(doc["operation"]["op"], run(operation))
    except OciError as error:
        return "error", error.code


def _check(doc: dict[str, Any], recording: _Recording, result: tuple[str, Any]) -> None:
    expected = [e["request"] for e in doc["exchanges"]]
    kind, value = result
    if kind == "error":
        # The first error stops the host: requests handed out after the failing one are
        # dropped, never sent.
        expected = expected[: len(recording.sent)]
    assert recording.sent == expected, f"{doc['name']}: the requests differ"
    if kind == "error":
        assert doc.get("error") == value, doc["name"]
    else:
        assert "error" not in doc, f"{doc['name']}: expected {doc.get('error')}"
        assert value == doc["result"], doc["name"]


@pytest.mark.parametrize("path", REPLAYED, ids=lambda p: p.stem)
def test_the_thread_pool_host_replays(path: Any) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    recording = _Recording(doc)

    class Transport:
        def send(self, request: Request, *, source: Any = None, sink: Any = None) -> Any:
            blob = None
            if sink is not None or source is not None:
                blob = _current[0]
            exchange = recording.next(request, blob)
            if "failure" in exchange:
                failure = exchange["failure"]
                if failure["kind"] == "timeout":
                    raise OperationTimeoutError(failure["message"], code="TIMEOUT")
                raise NetworkError(
                    failure["message"],
                    code=_CODES[failure["kind"]],
                    details={"reason": failure["message"]},
                )
            return _answer(exchange)

        def close(self) -> None:
            pass

    _current: list[Any] = [None]

    def sources(descriptor: Any) -> BlobSource:
        _current[0] = descriptor
        return _sources(descriptor)

    def sinks(descriptor: Any) -> BlobSink:
        _current[0] = descriptor
        return _sinks(descriptor)

    with Client("127.0.0.1:5000", concurrency=1, transport=Transport(), timeout=None) as client:
        result = _result(
            doc,
            lambda op: client._drive(op, _sessions(doc["sessions"]), sources=sources, sinks=sinks),
        )
    _check(doc, recording, result)


@pytest.mark.parametrize("path", REPLAYED, ids=lambda p: p.stem)
def test_the_asyncio_host_replays(path: Any) -> None:
    pytest.importorskip("httpx")
    from ocikit import AsyncClient

    doc = json.loads(path.read_text(encoding="utf-8"))
    recording = _Recording(doc)
    _current: list[Any] = [None]

    async def send(request: Request, source: Any, sink: Any) -> Any:
        await asyncio.sleep(0)
        exchange = recording.next(request, _current[0] if source or sink else None)
        if "failure" in exchange:
            return Failure(exchange["failure"]["kind"], exchange["failure"]["message"])
        return _answer(exchange)

    def sources(descriptor: Any) -> BlobSource:
        _current[0] = descriptor
        return _sources(descriptor)

    def sinks(descriptor: Any) -> BlobSink:
        _current[0] = descriptor
        return _sinks(descriptor)

    async def run(operation: Any) -> Any:
        async with AsyncClient("127.0.0.1:5000", concurrency=1, timeout=None) as client:
            client._send = send  # type: ignore[method-assign]
            return await client._drive(
                operation, _sessions(doc["sessions"]), sources=sources, sinks=sinks
            )

    result = _result(doc, lambda op: asyncio.run(run(op)))
    _check(doc, recording, result)


def test_most_scenarios_are_replayed_by_the_hosts() -> None:
    assert len(REPLAYED) >= 30
