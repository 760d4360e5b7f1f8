"""The core's whole operations (Push, Pull, Discover, Delete, TagsOf, CopyArtifact) against a
real registry — Debian's docker-registry (distribution 2.8.2, no referrers API) in every auth
mode, and a registry with the referrers API — driven by the smallest host there is: urllib,
one request at a time, answering actions in the order they are handed out (the replay rule of
tests/vectors/registry/scenarios/). It proves the scenarios' fake registry answers as the real
one does for what they show: duplicate titles refused at push, the referrers tag kept for a
pushed referrer and for a deleted one, one download per digest, mounts within a registry."""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

import ocikit
from ocikit import OciError
from ocikit._ocikit import (
    CopyArtifact,
    Delete,
    Discover,
    Failure,
    Pull,
    Push,
    RegistrySession,
    Response,
    TagsOf,
)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:  # the engine follows redirects itself
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


class Host:
    """Sources and sinks of blobs by digest, and urllib for the requests."""

    def __init__(self, blobs: dict[str, bytes] | None = None) -> None:
        self.blobs = dict(blobs or {})  # sources; downloads land here too (the sinks)
        self.requests: list[tuple[str, str]] = []

    def send(self, action: Any) -> Response | Failure:
        request = action.request
        self.requests.append((request.method, request.url))
        body = request.body
        if isinstance(body, tuple):  # (offset, length) of the blob's bytes
            offset, length = body
            body = self.blobs[action.blob.digest][offset : offset + length]
        sent = urllib.request.Request(request.url, data=body, method=request.method)
        for name, value in request.headers:
            sent.add_header(name, value)
        try:
            with _OPENER.open(sent, timeout=30) as answer:
                return self._response(action, answer.status, answer.headers, answer)
        except urllib.error.HTTPError as error:
            with error:
                return self._response(action, error.code, error.headers, error, failed=True)
        except OSError as error:
            return Failure("network", str(error))

    def _response(
        self, action: Any, status: int, headers: Any, stream: Any, failed: bool = False
    ) -> Response:
        pairs = list(headers.items())
        if action.request.stream and not failed and 200 <= status < 300:
            data = stream.read(action.request.stream_max + 1)
            self.blobs[action.blob.digest] = data  # the sink: starts over each time
            streamed = ("sha256:" + hashlib.sha256(data).hexdigest(), len(data))
            return Response(status, headers=pairs, streamed=streamed)
        return Response(status, headers=pairs, body=stream.read(action.request.capture_max + 1))

    def run(self, op: Any, sessions: Any) -> Any:
        """The host loop, one request at a time, oldest action first."""
        waiting: list[Any] = []
        while True:
            action = op.poll(sessions, int(time.time() * 1000))
            if action.kind in ("send", "wait"):
                waiting.append(action)
            elif action.kind == "pending":
                action = waiting.pop(0)
                if action.kind == "wait":
                    time.sleep(action.ms / 1000)
                    op.provide(action.task, "resume")
                else:
                    op.provide(action.task, self.send(action))
            else:
                return action.value


def _session(registry: Any) -> RegistrySession:
    return RegistrySession(registry.address, plain_http=True, credentials=registry.credentials)


def _artifact(files: dict[str, bytes], subject: Any = None) -> tuple[bytes, dict[str, bytes]]:
    packed = ocikit.pack(
        [ocikit.File(name, data, media_type="text/markdown") for name, data in files.items()],
        artifact_type="application/vnd.example.docs.config.v1+json",
        subject=subject,
    )
    blobs = {b.descriptor.digest: b.data for b in packed.blobs if b.data is not None}
    return packed.manifest.to_json(), blobs


OCI = "application/vnd.oci.image.manifest.v1+json"


def test_push_pull_attach_discover_delete(registry: Any) -> None:
    repo = f"{registry.address}/whole-{registry.mode}"
    session = _session(registry)
    manifest, blobs = _artifact({"a.md": b"# A\n", "b.md": b"# B\n", "copy/a.md": b"# A\n"})
    host = Host(blobs)
    pushed = host.run(Push(f"{repo}:v1", OCI, manifest, tags=["latest"]), session)
    assert {b.status for b in pushed.blobs} == {"uploaded"}
    assert len(pushed.blobs) == 3  # the config, "# A\n" once, "# B\n"
    assert pushed.tags == ("v1", "latest")

    # Pushed again: every blob is there.
    again = Host(blobs).run(Push(f"{repo}:v1", OCI, manifest), session)
    assert {b.status for b in again.blobs} == {"existed"}

    # Pull: the plan, one download per digest.
    sink = Host()
    pulled = sink.run(Pull(f"{repo}:v1"), session)
    assert [f.path for f in pulled.files] == ["a.md", "b.md", "copy/a.md"]
    assert [d.digest for d in pulled.downloads] == [pulled.files[0].descriptor.digest, pulled.files[1].descriptor.digest]
    assert sink.blobs[pulled.files[0].descriptor.digest] == b"# A\n"

    # Attach: distribution 2.8.2 has no referrers API, so the subject's referrers tag is kept.
    subject = pushed.descriptor
    signature, sig_blobs = _artifact({"sig.txt": b"signed\n"}, subject=subject)
    attached = Host(sig_blobs).run(Push(repo, OCI, signature), session)
    assert attached.referrers_tag is not None
    assert attached.referrers_tag[0] == "sha256-" + subject.digest.split(":")[1]
    tree = Host().run(Discover(f"{repo}:v1"), session)
    assert [r.descriptor.digest for r in tree.referrers] == [attached.descriptor.digest]

    # The tags pointing at the manifest, then a delete of the signature: the tag index no
    # longer lists it (before, discover kept listing a manifest that was gone).
    tags = Host().run(TagsOf(repo, subject.digest), session)
    assert set(tags.tags) == {"v1", "latest"}
    deleted = Host().run(Delete(f"{repo}@{attached.descriptor.digest}"), session)
    assert deleted.referrers_tag is not None and deleted.referrers_tag[1] is not None
    assert Host().run(Discover(f"{repo}:v1"), session).referrers == []


def test_push_refuses_duplicate_titles_before_any_request(registry: Any) -> None:
    packed = ocikit.pack(
        [ocikit.File("a.md", b"1"), ocikit.File("a.md", b"2")],
        artifact_type="application/vnd.example.docs.config.v1+json",
    )
    duplicate = packed.manifest.to_json()
    with pytest.raises(OciError) as refused:
        Push(f"{registry.address}/dup:v1", OCI, duplicate)
    assert refused.value.code == "ANNOTATION_INVALID"


def test_copy_within_a_registry_mounts(registry: Any) -> None:
    session = _session(registry)
    manifest, blobs = _artifact({"m.md": b"mounted\n"})
    Host(blobs).run(Push(f"{registry.address}/copy-src:v1", OCI, manifest), session)
    host = Host()
    copied = host.run(
        CopyArtifact(f"{registry.address}/copy-src:v1", f"{registry.address}/copy-dst:v1"),
        session,
    )
    assert {b.status for b in copied.blobs} == {"mounted"}
    assert not any(method == "GET" and "/blobs/" in url for method, url in host.requests)
    pulled = Host().run(Pull(f"{registry.address}/copy-dst:v1"), session)
    assert pulled.descriptor.digest == copied.descriptor.digest


def test_attach_with_the_referrers_api_keeps_no_tag(referrers_registry: Any) -> None:
    session = RegistrySession(referrers_registry.address, plain_http=True)
    manifest, blobs = _artifact({"a.md": b"api\n"})
    pushed = Host(blobs).run(Push(f"{referrers_registry.address}/api:v1", OCI, manifest), session)
    signature, sig_blobs = _artifact({"sig.txt": b"api signed\n"}, subject=pushed.descriptor)
    attached = Host(sig_blobs).run(Push(f"{referrers_registry.address}/api", OCI, signature), session)
    assert attached.referrers_tag is None  # the registry indexed it (OCI-Subject)
    tree = Host().run(Discover(f"{referrers_registry.address}/api:v1"), session)
    assert [r.descriptor.digest for r in tree.referrers] == [attached.descriptor.digest]
