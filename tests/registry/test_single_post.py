"""Single-request uploads (``POST /v2/<name>/blobs/uploads/?digest=`` with the blob as body),
probed once per session and remembered, against real registries: Debian's docker-registry
(distribution 2.8.2) refuses them (it opens an upload session, 202, into which the probed blob
goes on with its PUT), go-containerregistry's registry takes them (201). The requests are
counted at a proxy in front of each (fault_proxy.py); every pushed artifact is pulled back and
compared byte for byte."""

from __future__ import annotations

import hashlib
from pathlib import Path

from conftest import Registry, ReferrersRegistry
from fault_proxy import FaultProxy
from ocikit import Client, Descriptor, File, digest, pack

TYPE = "application/vnd.example.single-post.v1"
UPLOAD = r"/blobs/uploads/[^?]+\?"
SINGLE = r"/blobs/uploads/\?digest="
# The core's SINGLE_POST_PROBE_MAX: the largest blob that probes a registry.
SINGLE_POST_PROBE_MAX = 128 << 10


def _files(tag: str, count: int, size: int = 4096) -> list[File]:
    return [
        File(f"f{i:03}.txt", (f"{tag} {i}\n".encode() * size)[:size])
        for i in range(count)
    ]


def _pulled_back(client: Client, ref: str, files: list[File], out: Path) -> None:
    client.pull(ref, out)
    for file in files:
        assert (out / file.name).read_bytes() == file.data, file.title


def test_docker_registry_refuses_a_single_post_once_and_the_push_round_trips(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    first = _files("refused-a", 10)
    second = _files("refused-b", 10)
    with Client(proxy.address, plain_http=True) as client:
        outcome = client.push(f"{proxy.address}/single/refused:v1", pack(first, artifact_type=TYPE))
        assert {b.status for b in outcome.blobs} == {"uploaded"}
        # One probe, with a small blob, answered 202 by distribution: the blob went on with a
        # PUT into the upload session that answer opened; no other POST for it.
        probes = proxy.requests("POST", SINGLE)
        assert [p.status for p in probes] == [202]
        assert int(probes[0].headers["content-length"]) <= SINGLE_POST_PROBE_MAX
        assert len(proxy.requests("POST", "/blobs/uploads/")) == 11
        assert len(proxy.requests("PUT", UPLOAD)) == 11
        assert len(proxy.log) == 9 + 2 * 11 + 1  # as without the probe: it costs no request
        # Never again in the session: POST then PUT for each of the next push's layers.
        before = len(proxy.log)
        client.push(f"{proxy.address}/single/refused:v2", pack(second, artifact_type=TYPE))
        later = proxy.log[before:]
        assert not [e for e in later if e.method == "POST" and "digest=" in e.path]
        assert [e.method for e in later].count("PUT") == 10 + 1
        _pulled_back(client, f"{proxy.address}/single/refused:v1", first, tmp_path / "v1")
        _pulled_back(client, f"{proxy.address}/single/refused:v2", second, tmp_path / "v2")


def test_docker_registry_answers_a_probe_of_the_largest_size_on_the_same_connection(
    registries: dict[str, Registry],
) -> None:
    """The probe limit keeps the body under what Go's net/http drains of a body its handler
    leaves unread (256 KiB): distribution answers 202 and keeps the connection, no cut."""
    address = registries["open"].address
    data = hashlib.sha256(b"largest probe").digest() * (SINGLE_POST_PROBE_MAX // 32)
    assert len(data) == SINGLE_POST_PROBE_MAX
    descriptor = Descriptor(
        media_type="application/octet-stream", digest=digest(data), size=len(data)
    )
    with Client(address, plain_http=True) as client:
        assert client.push_blob(f"{address}/single/largest", descriptor, data) is True
        assert client.fetch_blob(f"{address}/single/largest", descriptor) == data


def test_a_registry_that_takes_single_posts_gets_one_request_per_blob(
    referrers_registry: ReferrersRegistry, tmp_path: Path
) -> None:
    proxy, address = referrers_registry.proxy, referrers_registry.address
    start = len(proxy.log)
    first = _files("taken-a", 10)
    second = [*_files("taken-b", 9), File("large.bin", b"L" * (5 << 20))]
    with Client(address, plain_http=True) as client:
        outcome = client.push(f"{address}/single/taken:v1", pack(first, artifact_type=TYPE))
        log = proxy.log[start:]
        # (This registry keeps blobs across repositories: the empty config of another test's
        # artifact may be there already.)
        sent = len([b for b in outcome.blobs if b.status == "uploaded"])
        assert sent >= 10
        singles = [e for e in log if e.method == "POST" and "digest=" in e.path]
        # The probe (a small blob), then any upload whose POST was still to go when it was
        # taken: each in one request, no PUT (with distribution: 9 HEAD, 11 POST, 11 PUT, 1).
        assert singles and {e.status for e in singles} == {201}
        assert int(singles[0].headers["content-length"]) <= SINGLE_POST_PROBE_MAX
        assert len([e for e in log if e.method == "POST"]) == sent
        assert len([e for e in log if e.method == "PUT"]) == sent - len(singles) + 1
        assert len(log) == 9 + sent + (sent - len(singles)) + 1
        # Taken: each of the next push's 10 layers (a 5 MiB one too) in one POST, no PUT.
        before = len(proxy.log)
        outcome = client.push(f"{address}/single/taken:v2", pack(second, artifact_type=TYPE))
        later = proxy.log[before:]
        singles = [e for e in later if e.method == "POST" and "digest=" in e.path]
        assert len(singles) == 10 and {e.status for e in singles} == {201}
        assert str(5 << 20) in {e.headers["content-length"] for e in singles}
        assert not [e for e in later if e.method == "PUT" and "/blobs/uploads/" in e.path]
        # 9 HEAD (the new artifact's 8 probes, the large layer), 10 POST, the manifest: 20
        # requests, where POST and PUT make 30.
        assert len(later) == 9 + 10 + 1
        assert {b.status for b in outcome.blobs[1:]} == {"uploaded"}
        _pulled_back(client, f"{address}/single/taken:v1", first, tmp_path / "v1")
        _pulled_back(client, f"{address}/single/taken:v2", second, tmp_path / "v2")
