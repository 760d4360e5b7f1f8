"""The round trips the core's push plan spares and the requests the engine keeps in flight,
counted at a proxy in front of Debian's docker-registry (distribution 2.8.2): a new artifact's
small layers go without a HEAD, a client's second push of the same blobs sends none of them, a
push to another repository mounts what the client saw elsewhere, and the Python client runs
as many requests at once as the engine hands out (32; a given ``concurrency`` caps it)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

from fault_proxy import FaultProxy
from ocikit import Client, File, pack
from ocikit._http import StdlibTransport
from ocikit._ocikit import Request

TYPE = "application/vnd.example.round-trips.v1"
UPLOAD = r"/blobs/uploads/[^?]+\?"


def _files(tag: str, count: int, size: int = 4096) -> list[File]:
    return [
        File(f"f{i:03}.txt", (f"{tag} {i}\n".encode() * size)[:size])
        for i in range(count)
    ]


def _count(proxy: FaultProxy, method: str, path: str = "") -> int:
    return len(proxy.requests(method, path))


def test_a_new_artifact_of_small_files_skips_most_checks(proxy: FaultProxy) -> None:
    """40 files of 4 KiB into an empty repository: the config and the first 8 layers are
    checked, none is there, and the other 32 go up without a HEAD (ORAS: 3 requests a blob)."""
    artifact = pack(_files("new", 40), artifact_type=TYPE)
    with Client(proxy.address, plain_http=True) as client:
        outcome = client.push(f"{proxy.address}/trips/new:v1", artifact)
    assert {b.status for b in outcome.blobs} == {"uploaded"}
    assert _count(proxy, "HEAD", "/blobs/") == 1 + 8
    assert _count(proxy, "POST", "/blobs/uploads/") == 41
    assert _count(proxy, "PUT", UPLOAD) == 41
    assert [(e.method, e.status) for e in proxy.requests("PUT", "/manifests/")] == [("PUT", 201)]
    # Nothing else (named, should a run ever send more): 92 requests, where 3 a blob makes 124.
    planned = [("HEAD", "/blobs/sha256:"), ("POST", "/blobs/uploads/"), ("PUT", UPLOAD)]
    planned.append(("PUT", "/manifests/"))
    unplanned = [
        (e.method, e.path, e.status)
        for e in proxy.log
        if not any(e.method == m and re.search(p, e.path) for m, p in planned)
    ]
    assert unplanned == []
    assert len(proxy.log) == 9 + 2 * 41 + 1
    # Another client (a fresh session) finds the first layers there: every layer is checked,
    # none uploaded again.
    before = len(proxy.log)
    with Client(proxy.address, plain_http=True) as client:
        again = client.push(f"{proxy.address}/trips/new:v1", artifact)
    assert {b.status for b in again.blobs} == {"existed"}
    assert [e.method for e in proxy.log[before:]].count("HEAD") == 41
    assert len(proxy.log) - before == 41 + 1


def test_a_second_push_on_the_client_sends_only_the_manifest(proxy: FaultProxy) -> None:
    artifact = pack(_files("twice", 3), artifact_type=TYPE)
    with Client(proxy.address, plain_http=True) as client:
        client.push(f"{proxy.address}/trips/twice:v1", artifact)
        before = len(proxy.log)
        outcome = client.push(f"{proxy.address}/trips/twice:v2", artifact)
    sent = [(e.method, e.path, e.status) for e in proxy.log[before:]]
    assert sent == [("PUT", "/v2/trips/twice/manifests/v2", 201)]
    assert {b.status for b in outcome.blobs} == {"existed"}


def test_a_push_to_another_repository_mounts_what_the_client_saw(proxy: FaultProxy) -> None:
    artifact = pack(_files("mount", 3), artifact_type=TYPE)
    with Client(proxy.address, plain_http=True) as client:
        client.push(f"{proxy.address}/trips/first:v1", artifact)
        before = len(proxy.log)
        outcome = client.push(f"{proxy.address}/trips/second:v1", artifact)
    sent = proxy.log[before:]
    assert [e.method for e in sent].count("HEAD") == 0
    mounts = [e for e in sent if e.method == "POST" and "mount=" in e.path]
    assert len(mounts) == 4 and {e.status for e in mounts} == {201}
    assert all("from=trips%2Ffirst" in e.path or "from=trips/first" in e.path for e in mounts)
    assert {b.status for b in outcome.blobs} == {"mounted"}


class _Counting:
    """A transport that counts the requests in flight at once (each held 20 ms, as a network
    round trip would hold it)."""

    def __init__(self) -> None:
        self._inner = StdlibTransport()
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0

    def send(self, request: Request, *, source: Any = None, sink: Any = None) -> Any:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.02)
            return self._inner.send(request, source=source, sink=sink)
        finally:
            with self._lock:
                self.now -= 1

    def close(self) -> None:
        self._inner.close()


def test_the_client_runs_what_the_engine_hands_out_and_a_cap_holds(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    artifact = pack(_files("wide", 40), artifact_type=TYPE)
    counting = _Counting()
    with Client(proxy.address, plain_http=True, transport=counting) as client:
        client.push(f"{proxy.address}/trips/wide:v1", artifact)
        assert counting.most == 32  # the engine's number for small blobs
        counting.most = 0
        client.pull(f"{proxy.address}/trips/wide:v1", tmp_path / "out")
        assert counting.most == 32
    capped = _Counting()
    with Client(proxy.address, plain_http=True, transport=capped, concurrency=3) as client:
        client.push(f"{proxy.address}/trips/capped:v1", pack(_files("cap", 12), artifact_type=TYPE))
    assert capped.most == 3
