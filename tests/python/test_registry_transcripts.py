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
    GetBlob,
    GetManifest,
    ListReferrers,
    ListTags,
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
    return RegistrySession(
        spec["registry"], plain_http=spec.get("plainHttp", False), credentials=credentials
    )


def _blob(spec: dict[str, Any]) -> Descriptor:
    return Descriptor(
        media_type="application/octet-stream", digest=spec["digest"], size=spec["size"]
    )


def _operation(session: RegistrySession, spec: dict[str, Any]) -> Any:
    op = spec["op"]
    if op == "checkAuth":
        return CheckAuth(session)
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


def _result(op: Any, value: Any) -> Any:
    """The done value in the transcripts' JSON shape (as core/tests/registry.rs builds it)."""
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
    if "bodyBlob" in expected:
        blob = expected["bodyBlob"]
        assert request.body == (blob["offset"], blob["length"]), f"{name}: blob body"


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
    }  # fmt: skip


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript_replays(path: Any) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    name = doc["name"]
    session = _session(doc["session"])
    for step in doc["steps"]:
        now = step.get("now", 0)
        op = _operation(session, step["operation"])
        feed: Any = None
        for exchange in step["exchanges"]:
            event = op.next(session, feed, now)
            if "wait" in exchange:
                assert (event.kind, event.ms) == ("wait", exchange["wait"]), name
                feed = "resume"
                continue
            assert event.kind == "send", f"{name}: expected a request, got {event!r}"
            _check_request(name, event.request, exchange["request"])
            feed = _response(exchange["response"])
        if "error" in step:
            with pytest.raises(OciError) as caught:
                op.next(session, feed, now)
            assert caught.value.code == step["error"], name
            assert caught.value.code in LISTED, f"{name}: {caught.value.code} is not listed"
        else:
            event = op.next(session, feed, now)
            assert event.kind == "done", f"{name}: expected the end, got {event!r}"
            assert _result(op, event.value) == step["result"], name
