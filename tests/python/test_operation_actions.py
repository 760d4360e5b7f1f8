"""What ``poll`` hands out, as cheaply as it can: one shared ``"pending"`` action (a host polls
until it gets one after each answer it provides), interned ``kind`` strings, and the sessions
of a step swapped into the core without building a stand-in each time — which must never mix
up two sessions: operations on different sessions (of one registry, or of two), polled in turn
on one thread, each replay their own transcript."""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterator
from typing import Any

from conftest import VECTORS
from ocikit import OciError
from test_operation_scenarios import (
    SCENARIOS,
    _answer,
    _operation,
    _outcome,
    _request,
    _sessions,
)


def _doc(name: str) -> dict[str, Any]:
    text = (VECTORS / f"registry/scenarios/{name}.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_pending_is_one_shared_action() -> None:
    doc = _doc("pull-files")
    op = _operation(doc["operation"])
    sessions = _sessions(doc["sessions"])
    first = op.poll(sessions, 0)
    assert first.kind == "send"
    pending = [op.poll(sessions, 0) for _ in range(3)]
    assert all(action is pending[0] for action in pending)
    assert pending[0].kind == "pending"
    assert (pending[0].task, pending[0].request, pending[0].blob, pending[0].ms) == (
        None, None, None, None,
    )  # fmt: skip
    assert pending[0].value is None
    assert repr(pending[0]) == "<Action pending>"
    # Another operation's pending is the same object: it holds nothing of either.
    other = _operation(doc["operation"])
    other_sessions = _sessions(doc["sessions"])
    assert other.poll(other_sessions, 0).kind == "send"
    assert other.poll(other_sessions, 0) is pending[0]


def test_kinds_are_interned_strings() -> None:
    doc = _doc("pull-files")
    op = _operation(doc["operation"])
    sessions = _sessions(doc["sessions"])
    kinds = [op.poll(sessions, 0).kind, op.poll(sessions, 0).kind]
    assert kinds == ["send", "pending"]
    assert all(type(kind) is str and sys.intern(kind) is kind for kind in kinds)


def _stepwise(doc: dict[str, Any], sessions: Any) -> Iterator[None]:
    """The replay of ``test_operation_scenarios`` (poll until pending, answer the oldest),
    pausing after each poll; its requests and outcome checked against the transcript."""
    spec = doc["operation"]
    try:
        op = _operation(spec)
    except OciError as err:
        assert doc.get("error") == err.code, doc["name"]
        return
    recorded = doc["exchanges"]
    now = doc.get("now", 0)
    exchanges: list[dict[str, Any]] = []
    outstanding: deque[tuple[int, int]] = deque()
    try:
        while True:
            action = op.poll(sessions, now)
            yield
            if action.kind == "send":
                exchanges.append({"task": action.task, "request": _request(action)})
                outstanding.append((action.task, len(exchanges) - 1))
            elif action.kind == "wait":
                exchanges.append({"task": action.task, "wait": action.ms})
                outstanding.append((action.task, len(exchanges) - 1))
            elif action.kind == "pending":
                task, at = outstanding.popleft()
                if "wait" in exchanges[at]:
                    now += exchanges[at]["wait"]
                    op.provide(task, "resume")
                    continue
                for key in ("response", "failure"):
                    if key in recorded[at]:
                        exchanges[at][key] = recorded[at][key]
                op.provide(task, _answer(recorded[at]))
            else:
                assert exchanges == recorded, f"{doc['name']}: the requests differ"
                assert "error" not in doc, doc["name"]
                assert _outcome(spec["op"], action.value) == doc["result"], doc["name"]
                return
    except OciError as err:
        assert exchanges == recorded, f"{doc['name']}: the requests differ"
        assert doc.get("error") == err.code, doc["name"]


def _prepared(doc: dict[str, Any]) -> Iterator[None]:
    """The scenario's sessions, taught by its ``before`` operations (run whole), then its
    own replay, step by step."""
    sessions = _sessions(doc["sessions"])
    for step in doc.get("before", []):
        for _ in _stepwise({**step, "name": doc["name"]}, sessions):
            pass
    return _stepwise(doc, sessions)


def test_operations_on_other_sessions_polled_in_turn_replay_their_own_transcripts() -> None:
    docs = [json.loads(path.read_text(encoding="utf-8")) for path in SCENARIOS]
    # Each scenario with itself (its own sessions, of the same registries) and with the next.
    pairs = [(doc, doc) for doc in docs] + list(zip(docs, docs[1:] + docs[:1]))
    for left, right in pairs:
        running = deque([_prepared(left), _prepared(right)])
        while running:
            replay = running.popleft()
            try:
                next(replay)
            except StopIteration:
                continue
            running.append(replay)
