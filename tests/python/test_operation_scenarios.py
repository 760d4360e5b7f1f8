"""Replays the whole-operation scenarios of tests/vectors/registry/scenarios/ through the Python
binding of the engine (``Push``, ``Pull``, ``Discover``, ``Delete``, ``TagsOf``,
``CopyArtifact``), by the replay rule of that directory's README: the same requests in the same
order as core/tests/scenarios.rs, and the same outcome."""

from __future__ import annotations

import asyncio
import json
import queue
import threading
from collections import deque
from typing import Any

import pytest

from conftest import VECTORS
from ocikit import OciError
from ocikit._ocikit import (
    CopyArtifact,
    Delete,
    Discover,
    Failure,
    Limits,
    Pull,
    Push,
    RegistrySession,
    Response,
    TagsOf,
    WalkLimits,
    plan_files,
)

SCENARIOS = sorted((VECTORS / "registry" / "scenarios").glob("*.json"))


def _sessions(specs: list[dict[str, Any]]) -> list[RegistrySession]:
    sessions = []
    for spec in specs:
        limits = spec.get("limits", {})
        sessions.append(
            RegistrySession(
                spec["registry"],
                plain_http=spec.get("plainHttp", False),
                limits=Limits(
                    deadline_ms=limits.get("deadlineMs"),
                    list_entries_max=limits.get("listEntriesMax"),
                ),
                profile=spec.get("profile"),
            )
        )
    return sessions


def _walk_limits(spec: dict[str, Any]) -> WalkLimits | None:
    limits = spec.get("limits")
    if limits is None:
        return None
    return WalkLimits(
        max_depth=limits.get("maxDepth"),
        max_nodes=limits.get("maxNodes"),
        max_bytes=limits.get("maxBytes"),
    )


def _operation(spec: dict[str, Any]) -> Any:
    op = spec["op"]
    if op == "push":
        return Push(
            spec["reference"],
            spec["mediaType"],
            spec["manifest"].encode(),
            tags=spec.get("tags"),
            mount_from=spec.get("mountFrom"),
            chunk_size=spec.get("chunkSize"),
            dry_run=spec.get("dryRun", False),
        )
    if op == "pull":
        return Pull(spec["reference"], allow_git=spec.get("allowGit", False))
    if op == "discover":
        return Discover(
            spec["reference"],
            artifact_type=spec.get("artifactType"),
            depth=spec.get("depth"),
            limits=_walk_limits(spec),
        )
    if op == "delete":
        return Delete(spec["reference"])
    if op == "tagsOf":
        return TagsOf(spec["reference"], spec["digest"], max=spec.get("max", 1000))
    assert op == "copy", op
    return CopyArtifact(
        spec["source"],
        spec["destination"],
        referrers=spec.get("referrers", False),
        limits=_walk_limits(spec),
        tags=spec.get("tags"),
        chunk_size=spec.get("chunkSize"),
        dry_run=spec.get("dryRun", False),
    )


def _request(action: Any) -> dict[str, Any]:
    request = action.request
    out: dict[str, Any] = {
        "method": request.method,
        "url": request.url,
        "headers": dict(request.headers),
    }
    body = request.body
    if isinstance(body, bytes):
        out["body"] = body.decode()
    elif body is not None:
        out["bodyBlob"] = {"offset": body[0], "length": body[1]}
    if request.stream:
        out["responseBody"] = {"stream": request.stream_max}
    if action.blob is not None:
        out["blob"] = action.blob.digest
    return out


def _answer(exchange: dict[str, Any]) -> Response | Failure:
    if "failure" in exchange:
        failure = exchange["failure"]
        return Failure(failure["kind"], failure["message"], received=failure.get("received"))
    r = exchange["response"]
    streamed = r.get("streamed")
    return Response(
        r["status"],
        headers=r["headers"],
        body=r["body"].encode(),
        streamed=(streamed["digest"], streamed["size"]) if streamed else None,
    )


def _tag(tag: tuple[str, str | None] | None) -> Any:
    return None if tag is None else [tag[0], tag[1]]


def _planned(planned: Any) -> list[list[str]]:
    return [[p.method, p.url] for p in planned]


def _blobs(blobs: Any) -> list[list[str]]:
    return [[b.descriptor.digest, b.status] for b in blobs]


def _outcome(op: str, o: Any) -> dict[str, Any]:
    """The outcome as core/tests/scenarios.rs writes it."""
    if op == "push":
        return {
            "digest": o.descriptor.digest,
            "artifactType": o.descriptor.artifact_type,
            "tags": list(o.tags),
            "blobs": _blobs(o.blobs),
            "referrersTag": _tag(o.referrers_tag),
            "planned": _planned(o.planned),
        }
    if op == "pull":
        return {
            "digest": o.descriptor.digest,
            "files": [[f.path, f.descriptor.digest] for f in o.files],
            "downloads": [d.digest for d in o.downloads],
        }
    if op == "discover":
        tree: list[list[Any]] = []
        level = deque((node, None, 1) for node in o.referrers)
        while level:  # the core's order: level by level, each parent's referrers in order
            node, parent, depth = level.popleft()
            tree.append([node.descriptor.digest, parent, depth])
            level.extend((child, len(tree) - 1, depth + 1) for child in node.referrers)
        return {"subject": o.subject.digest, "tree": tree}
    if op == "delete":
        return {
            "digest": o.descriptor.digest,
            "subject": o.subject.digest if o.subject else None,
            "referrersTag": _tag(o.referrers_tag),
        }
    if op == "tagsOf":
        return {"tags": list(o.tags), "unchecked": o.unchecked}
    return {
        "digest": o.descriptor.digest,
        "tags": list(o.tags),
        "blobs": _blobs(o.blobs),
        "manifests": [d.digest for d in o.manifests],
        "referrersTags": [_tag(t) for t in o.referrers_tags],
        "planned": _planned(o.planned),
    }


def _replay(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    """The replay rule: poll until pending; answer the oldest action; poll again. The
    operations ``before`` run first on the same sessions (what they teach the sessions changes
    the plan), each checked against its own transcript."""
    sessions = _sessions(doc["sessions"])
    for at, step in enumerate(doc.get("before", [])):
        exchanges, outcome = _replay_one(doc["name"], step, sessions)
        assert exchanges == step["exchanges"], f"{doc['name']}: before {at}: the requests differ"
        assert outcome == ("result", step["result"]), f"{doc['name']}: before {at}"
    return _replay_one(doc["name"], doc, sessions)


def _replay_one(
    name: str, doc: dict[str, Any], sessions: list[RegistrySession]
) -> tuple[list[dict[str, Any]], Any]:
    spec = doc["operation"]
    try:
        op = _operation(spec)
    except OciError as err:
        return [], ("error", err.code)
    recorded = doc["exchanges"]
    now = doc.get("now", 0)
    exchanges: list[dict[str, Any]] = []
    outstanding: deque[tuple[int, int]] = deque()  # (task, index of its exchange)
    try:
        while True:
            action = op.poll(sessions, now)
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
                assert at < len(recorded), f"{name}: more requests than recorded"
                for key in ("response", "failure"):
                    if key in recorded[at]:
                        exchanges[at][key] = recorded[at][key]
                op.provide(task, _answer(recorded[at]))
            else:
                assert action.kind == "done"
                return exchanges, ("result", _outcome(spec["op"], action.value))
    except OciError as err:
        return exchanges, ("error", err.code)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_scenario_replays(path: Any) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    exchanges, (kind, value) = _replay(doc)
    assert exchanges == doc["exchanges"], f"{doc['name']}: the requests differ"
    if kind == "error":
        assert doc.get("error") == value, doc["name"]
    else:
        assert "error" not in doc, f"{doc['name']}: expected {doc.get('error')}"
        assert value == doc["result"], doc["name"]


def test_there_are_at_least_30_scenarios() -> None:
    assert len(SCENARIOS) >= 30


def test_misuse_is_its_own_error_and_errors_are_sticky() -> None:
    doc = json.loads((VECTORS / "registry/scenarios/push-new-blobs.json").read_text())
    op = _operation(doc["operation"])
    sessions = _sessions(doc["sessions"])
    action = op.poll(sessions, 0)
    assert action.kind == "send"
    with pytest.raises(OciError) as misuse:
        op.provide(action.task, "resume")  # it waits for a response
    assert misuse.value.code == "OPERATION_MISUSE"
    with pytest.raises(OciError) as again:
        op.poll(sessions, 0)
    assert again.value.code == "OPERATION_MISUSE"
    with pytest.raises(TypeError):
        Pull("127.0.0.1:5000/docs:v1").poll("127.0.0.1:5000", 0)


def test_threads_provide_while_another_polls() -> None:
    """The host loop of a thread pool: workers send and provide, the main thread polls and
    blocks on ``pending`` until a worker reports that it provided an answer."""
    doc = json.loads((VECTORS / "registry/scenarios/pull-files.json").read_text())
    op = _operation(doc["operation"])
    sessions = _sessions(doc["sessions"])
    answers = {
        (e["request"]["method"], e["request"]["url"]): e for e in doc["exchanges"] if "request" in e
    }
    provided: queue.Queue[int] = queue.Queue()

    def work(task: int, method: str, url: str) -> None:
        op.provide(task, _answer(answers[(method, url)]))  # the host's HTTP call goes here
        provided.put(task)

    while True:
        action = op.poll(sessions, 0)
        if action.kind == "send":
            request = action.request
            threading.Thread(target=work, args=(action.task, request.method, request.url)).start()
        elif action.kind == "pending":
            provided.get(timeout=10)
        else:
            assert action.kind == "done"
            break
    assert [f.path for f in action.value.files] == ["a.md", "b.md"]


def test_plan_files_is_the_push_and_pull_rule() -> None:
    from ocikit import Descriptor

    def layer(title: str) -> Descriptor:
        return Descriptor(
            media_type="text/plain",
            digest="sha256:" + "a" * 64,
            size=1,
            annotations={"org.opencontainers.image.title": title},
        )

    assert [f.path for f in plan_files([layer("a.md"), layer("b/c.md")])] == ["a.md", "b/c.md"]
    for titles in (["a.md", "a.md"], ["A.md", "a.md"], ["a", "a/b"]):
        with pytest.raises(OciError) as refused:
            plan_files([layer(t) for t in titles])
        assert refused.value.code == "ANNOTATION_INVALID"
    with pytest.raises(OciError) as git:
        plan_files([layer(".git/config")])
    assert git.value.code == "PATH_UNSAFE"
    assert plan_files([layer(".git/config")], allow_git=True)[0].path == ".git/config"
    # One blob under many titles is written once per title: at most 250 times the distinct
    # blobs' bytes, or 64 MiB (2 MiB under 500 titles would write 1000 MiB).
    def big(title: str) -> Descriptor:
        return Descriptor(
            media_type="text/plain",
            digest="sha256:" + "a" * 64,
            size=2 << 20,
            annotations={"org.opencontainers.image.title": title},
        )

    assert len(plan_files([big(f"f{i}") for i in range(32)])) == 32
    with pytest.raises(OciError) as bomb:
        plan_files([big(f"f{i}") for i in range(500)])
    assert bomb.value.code == "LIMIT_EXCEEDED" and bomb.value.details["value"] == 500 * (2 << 20)


async def _drive_async(op: Any, sessions: Any, send: Any) -> Any:
    """The host loop of an asyncio client: each request a task, answers in any order."""
    in_flight: set[asyncio.Task[None]] = set()
    while True:
        action = op.poll(sessions, 0)
        if action.kind == "send":

            async def go(task: int = action.task, request: Any = action.request) -> None:
                op.provide(task, await send(request))

            in_flight.add(asyncio.create_task(go()))
        elif action.kind == "wait":

            async def resume(task: int = action.task, ms: int = action.ms) -> None:
                await asyncio.sleep(ms / 1000)
                op.provide(task, "resume")

            in_flight.add(asyncio.create_task(resume()))
        elif action.kind == "pending":
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                finished.result()  # a provide that raised raises here
        else:
            return action.value


@pytest.mark.parametrize("name", ["pull-files", "tags-of-digest", "discover-tree-api"])
def test_asyncio_host_answers_in_any_order(name: str) -> None:
    doc = json.loads((VECTORS / f"registry/scenarios/{name}.json").read_text())
    answers: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for e in doc["exchanges"]:
        if "request" in e:
            answers.setdefault((e["request"]["method"], e["request"]["url"]), []).append(e)
    turn = 0

    async def send(request: Any) -> Response | Failure:
        nonlocal turn
        turn += 1
        await asyncio.sleep(0.005 if turn % 2 else 0)  # a later request may finish first
        recorded = answers[(request.method, request.url)].pop(0)
        return _answer(recorded)

    value = asyncio.run(_drive_async(_operation(doc["operation"]), _sessions(doc["sessions"]), send))
    got = _outcome(doc["operation"]["op"], value)
    if name == "discover-tree-api":  # the tree's order follows the answers' order
        assert {n[0] for n in got["tree"]} == {n[0] for n in doc["result"]["tree"]}
    else:
        assert got == doc["result"]
