"""``Action.registry``: each request a whole operation hands out names the session it is for, so
that a host sends it with that registry's transport without comparing host names (a copy's
token realm and redirect requests name neither registry). Replays a copy between two registries
(tests/vectors/registry/scenarios/copy-cross-registry.json) and checks every send action."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

from conftest import VECTORS
from test_operation_scenarios import _answer, _operation, _sessions


def test_a_copy_s_requests_name_their_session() -> None:
    doc = json.loads(
        (VECTORS / "registry/scenarios/copy-cross-registry.json").read_text(encoding="utf-8")
    )
    registries = {spec["registry"] for spec in doc["sessions"]}
    assert len(registries) == 2
    sessions = _sessions(doc["sessions"])
    op = _operation(doc["operation"])
    recorded = doc["exchanges"]
    outstanding: deque[tuple[int, int]] = deque()
    seen: list[tuple[str, str]] = []
    while True:
        action = op.poll(sessions, doc.get("now", 0))
        if action.kind == "send":
            host = action.request.url.split("/")[2]
            assert action.registry in registries
            seen.append((host, action.registry))
            outstanding.append((action.task, len(seen) - 1))
        elif action.kind == "pending":
            task, at = outstanding.popleft()
            op.provide(task, _answer(recorded[at]))
        else:
            assert action.kind == "done"
            break
    # Both registries' requests, each named by its own session.
    assert {registry for _, registry in seen} == registries
    assert all(host == registry for host, registry in seen), seen


def test_only_a_send_names_a_registry() -> None:
    doc = json.loads(
        (VECTORS / "registry/scenarios/copy-cross-registry.json").read_text(encoding="utf-8")
    )
    sessions = _sessions(doc["sessions"])
    op = _operation(doc["operation"])
    assert op.poll(sessions, 0).registry is not None
    pending: Any = op.poll(sessions, 0)
    assert pending.kind == "pending" and pending.registry is None
