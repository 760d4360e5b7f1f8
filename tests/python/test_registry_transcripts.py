"""Replays the registry transcripts of tests/vectors/registry/ through the Python binding of the
sans-IO engine, checked exactly as core/tests/registry.rs checks them (and the JS suite)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conftest import VECTORS, load_vectors
from ocikit import Descriptor, OciError
from ocikit._ocikit import (
    AddReferrer,
    BlobExists,
    CheckAuth,
    DeleteManifest,
    Failure,
    GetBlob,
    GetManifest,
    ListReferrers,
    Limits,
    ListRepositories,
    ListTags,
    Page,
    PushBlob,
    PutManifest,
    RegistrySession,
    Request,
    ResolveManifest,
    Response,
)

TRANSCRIPTS = sorted((VECTORS / "registry").glob("*.json"))
ERROR_CODES = load_vectors("error-codes.json")
LISTED = {entry["code"] for key in ("raised", "registry", "client") for entry in ERROR_CODES[key]}


def _session(spec: dict[str, Any]) -> RegistrySession:
    credentials = spec.get("credentials")
    if credentials is not None:
        if "username" in credentials:
            credentials = (credentials["username"], credentials["password"])
        elif "refreshToken" in credentials:
            credentials = {"refresh_token": credentials["refreshToken"]}
        else:
            credentials = {"access_token": credentials["accessToken"]}
    limits = spec.get("limits", {})
    return RegistrySession(
        spec["registry"],
        plain_http=spec.get("plainHttp", False),
        credentials=credentials,
        limits=Limits(
            stall_timeout_ms=limits.get("stallTimeoutMs"),
            request_timeout_ms=limits.get("requestTimeoutMs"),
            deadline_ms=limits.get("deadlineMs"),
            retry_after_max_ms=limits.get("retryAfterMaxMs"),
            list_entries_max=limits.get("listEntriesMax"),
            list_bytes_max=limits.get("listBytesMax"),
        ),
    )


def _blob(spec: dict[str, Any]) -> Descriptor:
    return Descriptor(
        media_type="application/octet-stream", digest=spec["digest"], size=spec["size"]
    )


def _operation(session: RegistrySession, spec: dict[str, Any]) -> Any:
    op = spec["op"]
    if op == "checkAuth":
        return CheckAuth(session)
    if op == "listRepositories":
        return ListRepositories(session, page_size=spec.get("pageSize"))
    ref = spec["reference"]
    if op == "getManifest":
        return GetManifest(session, ref)
    if op == "putManifest":
        return PutManifest(session, ref, spec["mediaType"], spec["body"].encode())
    if op == "blobExists":
        return BlobExists(session, ref, spec["digest"])
    if op == "pushBlob":
        return PushBlob(
            session,
            ref,
            _blob(spec),
            mount_from=spec.get("mountFrom"),
            chunk_size=spec.get("chunkSize"),
        )
    if op == "resumeBlob":
        return PushBlob.resume(session, ref, _blob(spec), spec["uploadUrl"], spec["chunkSize"])
    if op == "resolveManifest":
        return ResolveManifest(session, ref)
    if op == "deleteManifest":
        return DeleteManifest(session, ref, spec["digest"])
    if op == "listReferrers":
        return ListReferrers(session, ref, spec["subject"], artifact_type=spec.get("artifactType"))
    if op == "addReferrer":
        referrer = Descriptor(
            media_type="application/vnd.oci.image.manifest.v1+json",
            digest=spec["digest"],
            size=spec["size"],
            artifact_type=spec.get("artifactType"),
        )
        return AddReferrer(session, ref, spec["subject"], referrer)
    if op == "getBlob":
        return GetBlob(session, ref, _blob(spec), have=spec.get("have", 0))
    if op == "listTags":
        return ListTags(session, ref, page_size=spec.get("pageSize"))
    raise AssertionError(f"unknown op {op}")


def _page(value: Any) -> Any:
    """A page in the transcripts' JSON shape: tags, or the referrers' digests."""
    assert isinstance(value, Page)
    items = [d if isinstance(d, str) else d.digest for d in value.items]
    return {"items": items, "last": value.last, "next": value.next}


def _result(op: Any, value: Any) -> Any:
    """The done value in the transcripts' JSON shape (as core/tests/registry.rs builds it)."""
    if isinstance(value, Page):
        return _page(value)
    if isinstance(op, GetManifest):
        return {
            "mediaType": value.media_type,
            "digest": value.digest,
            "body": value.data.decode("utf-8", "replace"),
        }
    if isinstance(op, PutManifest):
        return {"digest": value}
    if isinstance(op, BlobExists):
        return {"size": value}
    if isinstance(op, PushBlob):
        return {"uploaded": value}
    if isinstance(op, (GetBlob, DeleteManifest, CheckAuth)):
        assert value is None
        return {}
    if isinstance(op, ListTags):
        return {"tags": value}
    if isinstance(op, ListRepositories):
        return {"repositories": value}
    if isinstance(op, ResolveManifest):
        return {"mediaType": value.media_type, "digest": value.digest, "size": value.size}
    if isinstance(op, ListReferrers):
        assert all(isinstance(d, Descriptor) for d in value)
        return {"referrers": [d.digest for d in value]}
    if isinstance(op, AddReferrer):
        return {"index": value}
    raise AssertionError(type(op))


def _check_request(name: str, request: Request, expected: dict[str, Any]) -> None:
    assert request.method == expected["method"], f"{name}: method of {request.url}"
    assert request.url == expected["url"], f"{name}: url"
    for header, value in expected["headers"].items():
        assert request.header(header) == value, f"{name}: header {header} of {request.url}"
        if value is None:
            assert all(n.lower() != header.lower() for n, _ in request.headers)
    if "body" in expected:
        assert request.body == expected["body"].encode(), f"{name}: body"
    if "timeoutMs" in expected:
        assert request.timeout_ms == expected["timeoutMs"], f"{name}: timeoutMs"
    if "deadlineMs" in expected:
        assert request.deadline_ms == expected["deadlineMs"], f"{name}: deadlineMs"
    if "responseBody" in expected:
        wanted = expected["responseBody"]
        if "stream" in wanted:
            assert (request.stream, request.stream_max) == (True, wanted["stream"]), name
        else:
            assert (request.stream, request.capture_max) == (False, wanted["capture"]), name
    if "bodyBlob" in expected:
        blob = expected["bodyBlob"]
        assert request.body == (blob["offset"], blob["length"]), f"{name}: blob body"


def _input(exchange: dict[str, Any]) -> Response | Failure:
    """What the host feeds back: the recorded response, or its transport failure."""
    failure = exchange.get("failure")
    if failure is not None:
        return Failure(failure["kind"], failure["message"], received=failure.get("received"))
    return _response(exchange["response"])


def _response(spec: dict[str, Any]) -> Response:
    streamed = spec.get("streamed")
    return Response(
        spec["status"],
        spec.get("headers", {}),
        spec.get("body", "").encode(),
        None if streamed is None else (streamed["digest"], streamed["size"]),
    )


def test_there_are_transcripts_of_every_operation() -> None:
    ops = {
        step["operation"]["op"]
        for path in TRANSCRIPTS
        for step in json.loads(path.read_text())["steps"]
    }
    assert len(TRANSCRIPTS) >= 39
    assert ops == {
        "getManifest", "putManifest", "pushBlob", "resumeBlob", "resolveManifest",
        "deleteManifest", "listReferrers", "addReferrer", "getBlob", "listTags", "checkAuth",
        "listRepositories",
    }  # fmt: skip


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript_replays(path: Any) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    name = doc["name"]
    session = _session(doc["session"])
    for step in doc["steps"]:
        now = step.get("now", 0)
        op = _operation(session, step["operation"])
        # A listing driven page by page is stepped with next_page.
        advance = op.next_page if step["operation"].get("paged") else op.next
        feed: Any = None
        for exchange in step["exchanges"]:
            event = advance(session, feed, exchange.get("now", now))
            if "page" in exchange:
                assert event.kind == "done", f"{name}: expected a page, got {event!r}"
                want = {"items": exchange["page"], "last": False, "next": exchange["next"]}
                assert _page(event.value) == want, name
                feed = None
                continue
            if "wait" in exchange:
                assert (event.kind, event.ms) == ("wait", exchange["wait"]), name
                feed = "resume"
                continue
            assert event.kind == "send", f"{name}: expected a request, got {event!r}"
            _check_request(name, event.request, exchange["request"])
            feed = _input(exchange)
        now = step.get("nowEnd", now)
        if "error" in step:
            with pytest.raises(OciError) as caught:
                advance(session, feed, now)
            assert caught.value.code == step["error"], name
            assert caught.value.code in LISTED, f"{name}: {caught.value.code} is not listed"
            for secret in step.get("errorOmits", []):
                assert secret not in str(caught.value), f"{name}: {caught.value} shows {secret}"
                assert secret not in repr(caught.value.details), f"{name}: details show {secret}"
            for mention in step.get("errorMentions", []):
                assert mention in str(caught.value), f"{name}: {caught.value} does not name {mention}"
        else:
            event = advance(session, feed, now)
            assert event.kind == "done", f"{name}: expected the end, got {event!r}"
            assert _result(op, event.value) == step["result"], name
