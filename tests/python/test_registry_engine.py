"""The Python face of the registry engine beyond the transcripts: argument conversion, reprs
that never show secrets, and one session shared by operations on several threads."""

from __future__ import annotations

import threading

import pytest

import ocikit
from ocikit._ocikit import (
    BlobExists,
    GetManifest,
    ListReferrers,
    PushBlob,
    RegistrySession,
    Response,
    referrers_tag,
)

REGISTRY = "127.0.0.1:5000"
DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("credentials", "shown"),
    [
        (None, "None"),
        (("alice", "pw"), 'Basic("alice", ***)'),
        ({"username": "alice", "password": "pw"}, 'Basic("alice", ***)'),
        ({"refresh_token": "pw"}, "RefreshToken(***)"),
        ({"access_token": "pw"}, "AccessToken(***)"),
    ],
)
def test_credentials_shapes_and_repr(credentials: object, shown: str) -> None:
    session = RegistrySession(REGISTRY, plain_http=True, credentials=credentials)
    assert repr(session) == f"RegistrySession('{REGISTRY}', plain_http=True, credentials={shown})"
    assert "pw" not in repr(session)
    assert session.base == f"http://{REGISTRY}"
    assert session.registry == REGISTRY and session.plain_http


@pytest.mark.parametrize(
    ("credentials", "error"),
    [
        ({"username": "alice"}, ValueError),
        ({"username": "a", "password": "b", "access_token": "c"}, ValueError),
        ({"token": "x"}, ValueError),
        ("alice:pw", TypeError),
    ],
)
def test_bad_credentials(credentials: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        RegistrySession(REGISTRY, credentials=credentials)


def test_requests_and_events() -> None:
    session = RegistrySession(REGISTRY, plain_http=True)
    op = GetManifest(session, ocikit.Reference.parse(f"{REGISTRY}/docs:v1"), max_size=10)
    event = op.next(session, None, 0)
    assert event.kind == "send" and event.ms is None and event.value is None
    request = event.request
    assert (request.method, request.url) == ("GET", f"http://{REGISTRY}/v2/docs/manifests/v1")
    assert request.header("accept").startswith("application/vnd.oci.image.manifest.v1+json")
    assert request.body is None and not request.stream and request.capture_max == 10
    assert repr(request) == f"<Request GET http://{REGISTRY}/v2/docs/manifests/v1>"
    # Over the size limit the engine refuses the body the host captured.
    with pytest.raises(ocikit.ValidationError) as caught:
        op.next(session, Response(200, {"Content-Type": "x/y"}, b"{}" * 6), 0)
    assert caught.value.code == "SIZE_INVALID"


def test_the_session_remembers_whether_the_referrers_api_exists() -> None:
    session = RegistrySession(REGISTRY, plain_http=True)
    reference = f"{REGISTRY}/docs"
    assert session.referrers_api is None
    op = ListReferrers(session, reference, DIGEST)
    assert "/referrers/" in op.next(session, None, 0).request.url
    fallback = op.next(session, Response(404), 0).request.url
    assert fallback.endswith(f"/manifests/{referrers_tag(DIGEST)}")
    assert op.next(session, Response(404), 0).value == []
    assert session.referrers_api is False
    # Known to be missing: a new list goes to the referrers tag at once.
    again = ListReferrers(session, reference, DIGEST)
    assert again.next(session, None, 0).request.url == fallback
    session.set_referrers_api(True)
    assert session.referrers_api is True
    assert "/referrers/" in ListReferrers(session, reference, DIGEST).next(session, None, 0).request.url


def test_blob_bodies_are_ranges() -> None:
    session = RegistrySession(REGISTRY)
    blob = ocikit.Descriptor(media_type="application/octet-stream", digest=DIGEST, size=10)
    op = PushBlob(session, f"{REGISTRY}/docs", blob, chunk_size=4)
    assert op.next(session, None, 0).request.method == "HEAD"
    post = op.next(session, Response(404), 0).request
    assert post.method == "POST"
    patch = op.next(session, Response(202, [("Location", "/v2/docs/blobs/uploads/u1")]), 0).request
    assert patch.method == "PATCH" and patch.body == (0, 4)
    assert op.upload_url == f"https://{REGISTRY}/v2/docs/blobs/uploads/u1"
    with pytest.raises(ValueError):
        PushBlob.resume(session, f"{REGISTRY}/docs", blob, op.upload_url, 0)


def test_bad_inputs() -> None:
    session = RegistrySession(REGISTRY)
    op = BlobExists(session, f"{REGISTRY}/docs", DIGEST)
    with pytest.raises(TypeError, match="input must be"):
        op.next(session, "start", 0)
    with pytest.raises(TypeError, match="reference must be"):
        BlobExists(session, 42, DIGEST)  # type: ignore[arg-type]
    with pytest.raises(ocikit.ValidationError):
        BlobExists(session, "no-repository", DIGEST)
    assert referrers_tag(DIGEST) == "sha256-" + "a" * 64


def test_one_session_on_many_threads() -> None:
    session = RegistrySession(REGISTRY, credentials=("alice", "pw"))
    sizes: list[int | None] = []

    def worker() -> None:
        for _ in range(200):
            op = BlobExists(session, f"{REGISTRY}/docs", DIGEST)
            op.next(session, None, 0)
            sizes.append(op.next(session, Response(200, {"Content-Length": "7"}), 0).value)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sizes == [7] * 800


def test_limits_defaults_keywords_and_requests() -> None:
    from ocikit._ocikit import Limits

    default = Limits()
    assert (default.stall_timeout_ms, default.request_timeout_ms, default.deadline_ms) == (
        30_000,
        60_000,
        3_600_000,
    )
    assert (default.retry_after_max_ms, default.list_entries_max, default.list_bytes_max) == (
        60_000,
        100_000,
        32 << 20,
    )
    limits = Limits(deadline_ms=5000, stall_timeout_ms=1000)
    assert limits == Limits(stall_timeout_ms=1000, deadline_ms=5000) != default
    assert "deadline_ms=5000" in repr(limits)
    session = RegistrySession(REGISTRY, plain_http=True, limits=limits)
    assert session.limits == limits
    assert RegistrySession(REGISTRY).limits == default
    request = GetManifest(session, f"{REGISTRY}/docs:v1").next(session, None, 1_000).request
    assert (request.timeout_ms, request.deadline_ms, request.stream_max) == (1000, 6_000, None)
    blob = ocikit.Descriptor(media_type="application/octet-stream", digest=DIGEST, size=10)
    from ocikit._ocikit import GetBlob

    get = GetBlob(session, f"{REGISTRY}/docs", blob, have=4).next(session, None, 0).request
    assert get.stream and get.stream_max == 6 and get.deadline_ms == 5000


def test_failures_are_inputs() -> None:
    from ocikit._ocikit import Failure

    failure = Failure("network", "reset\r\n")
    assert (failure.kind, failure.message) == ("network", "reset\r\n")
    assert repr(failure) == "Failure('network', 'reset\\r\\n')"
    with pytest.raises(ValueError, match="kind must be"):
        Failure("dns", "x")  # type: ignore[arg-type]
    session = RegistrySession(REGISTRY, plain_http=True)
    op = GetManifest(session, f"{REGISTRY}/docs:v1")
    op.next(session, None, 0)
    with pytest.raises(ocikit.OciError) as caught:
        op.next(session, Failure("tls", "CERTIFICATE_VERIFY_FAILED"), 0)
    assert caught.value.code == "TLS_ERROR"
    assert caught.value.details["host"] == REGISTRY
    # A network failure of a GET is retried; a timeout is the answer, its message naming the
    # host and carrying no control character of the host's text.
    op = GetManifest(session, f"{REGISTRY}/docs:v1")
    op.next(session, None, 0)
    assert op.next(session, Failure("network", "reset"), 0).kind == "wait"
    assert op.next(session, "resume", 0).kind == "send"
    with pytest.raises(TimeoutError) as timed_out:
        op.next(session, Failure("timeout", "stalled\x1b[2J"), 0)
    assert isinstance(timed_out.value, ocikit.OciError) and timed_out.value.code == "TIMEOUT"
    assert REGISTRY in str(timed_out.value) and "\x1b" not in str(timed_out.value)


def test_listings_page_by_page() -> None:
    from ocikit._ocikit import ListTags, Page

    session = RegistrySession(REGISTRY, plain_http=True)
    op = ListTags(session, f"{REGISTRY}/docs", page_size=1)
    op.next_page(session, None, 0)
    link = {"Link": '</v2/docs/tags/list?last=a&n=1>; rel="next"'}
    first = op.next_page(session, Response(200, link, b'{"tags":["a"]}'), 0).value
    assert isinstance(first, Page) and (first.items, first.last, first.next) == (["a"], False, "a")
    assert repr(first) == "Page(items=<1 entries>, last=False, next='a')"
    assert op.next_page(session, None, 0).request.url.endswith("?last=a&n=1")
    second = op.next_page(session, Response(200, {}, b'{"tags":["b"]}'), 0).value
    assert (second.items, second.last, second.next) == (["b"], True, None)


@pytest.mark.parametrize("registry", ["http://127.0.0.1:5000", "reg istry:5000", "host:5000/x", ""])
def test_a_registry_that_is_not_host_port_is_refused(registry: str) -> None:
    with pytest.raises(ocikit.ValidationError) as caught:
        RegistrySession(registry)
    assert caught.value.code == "REFERENCE_INVALID"
