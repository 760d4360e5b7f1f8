"""Transfers through the failures of real networks, injected by a proxy (fault_proxy.py) in
front of the open registry: 429 with ``Retry-After`` and 5xx answers are retried with backoff,
a download cut mid-body goes on with ``Range``, a failed chunk upload is resumed, and retries
stop: a registry that keeps failing fails the command with a clear error."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry, chdir
from fault_proxy import Fault, FaultProxy
from ocikit import Client, File, RegistryError, RetryPolicy, pack
from ocikit import digest_file as ocikit_digest

TYPE = "application/vnd.example.faults.config.v1+json"
CHUNK = 1 << 20
# Short waits: the backoff is the engine's (tested by transcripts); here only that it is used.
FAST = RetryPolicy(max_retries=3, base_delay_ms=5, max_delay_ms=2000)
BLOB = r"/blobs/sha256:"
UPLOAD = r"/blobs/uploads/[^?]+"


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(3 * CHUNK + 4321))
    return path


def _client(proxy: FaultProxy, **kwargs: Any) -> Client:
    kwargs.setdefault("retry_policy", FAST)
    return Client(proxy.address, plain_http=True, **kwargs)


def _statuses(proxy: FaultProxy, method: str, path: str) -> list[int | None]:
    return [e.status for e in proxy.requests(method, path)]


def test_push_and_pull_are_retried_through_429_and_5xx(
    proxy: FaultProxy, big: Path, tmp_path: Path
) -> None:
    packed = pack([File.from_path(big), File("a.txt", b"retried\n")], artifact_type=TYPE)
    ref = f"{proxy.address}/faults/retried:v1"
    proxy.inject(
        Fault("HEAD", BLOB, status=503),
        Fault("PUT", UPLOAD, status=500),  # the closing PUT of an upload
        Fault("PUT", "/manifests/v1", status=429, headers=[("Retry-After", "1")]),
        Fault("GET", "/manifests/v1", status=502),
        Fault("GET", BLOB, status=429, headers=[("Retry-After", "0")], times=2),
    )
    started = time.monotonic()
    with _client(proxy, chunk_size=CHUNK) as client:
        assert client.push(ref, packed).descriptor.digest == packed.digest
        pushed = time.monotonic()
        client.pull(ref, tmp_path / "out")
    assert [fault.applied for fault in proxy.faults] == [1, 1, 1, 1, 2]
    # Retry-After: 1 was honoured (the policy's own backoff is 5 ms).
    assert pushed - started >= 1.0
    assert _statuses(proxy, "PUT", "/manifests/v1") == [429, 201]
    assert _statuses(proxy, "GET", "/manifests/v1") == [502, 200]
    assert (tmp_path / "out" / "big.bin").read_bytes() == big.read_bytes()
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"retried\n"


def test_download_cut_mid_body_resumes_with_range(
    proxy: FaultProxy, registries: dict[str, Registry], big: Path, tmp_path: Path
) -> None:
    packed = pack([File.from_path(big)], artifact_type=TYPE)
    direct = registries["open"].address
    with Client(direct, plain_http=True) as client:
        client.push(f"{direct}/faults/cut-download:v1", packed)
    cut = CHUNK + 12345
    proxy.inject(Fault("GET", BLOB, cut_response_after=cut))
    with _client(proxy) as client:
        pulled = client.pull(f"{proxy.address}/faults/cut-download:v1", tmp_path / "out")
    assert (tmp_path / "out" / "big.bin").read_bytes() == big.read_bytes()
    assert pulled.files == (tmp_path / "out" / "big.bin",)
    first, second = proxy.requests("GET", BLOB)
    assert first.fault is not None and "range" not in first.headers
    # The rest, from the first byte that did not arrive.
    assert second.headers["range"] == f"bytes={cut}-"
    assert second.status == 206
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["big.bin"]  # no temp file


@pytest.mark.parametrize(
    "fault",
    [
        # The registry never saw the chunk: asked where the upload is, the client goes on.
        Fault("PATCH", UPLOAD, status=500, skip=1),
        Fault("PATCH", UPLOAD, status=503, skip=1, headers=[("Retry-After", "0")]),
        # The connection is cut mid-chunk, before the registry saw any of it.
        Fault("PATCH", UPLOAD, cut_request_after=CHUNK // 4, skip=1),
        # The registry got the chunk, the answer was lost: distribution then finds its upload
        # longer than the offset in the upload URL and drops it; the blob goes again whole.
        Fault("PATCH", UPLOAD, status=502, forward=True, skip=1),
        # Part of the chunk reached the registry before the cut.
        Fault("PATCH", UPLOAD, cut_request_after=CHUNK // 4, forward=True, skip=1),
    ],
    ids=["500", "503", "cut", "answer-lost", "cut-after-some"],
)
def test_failed_chunk_upload_is_resumed(
    proxy: FaultProxy, big: Path, tmp_path: Path, fault: Fault
) -> None:
    packed = pack([File.from_path(big)], artifact_type=TYPE)
    name = f"chunk-{fault.status or 'cut'}{'-forwarded' * fault.forward}"
    ref = f"{proxy.address}/faults/{name}:v1"
    proxy.inject(fault)
    with _client(proxy, chunk_size=CHUNK, concurrency=1) as client:
        client.push(ref, packed)
        client.pull(ref, tmp_path / "out")
    assert fault.applied == 1
    assert (tmp_path / "out" / "big.bin").read_bytes() == big.read_bytes()
    patches = proxy.requests("PATCH", UPLOAD)
    faulted = next(e for e in patches if e.fault is fault)
    # The second PATCH is the first chunk of big.bin (the config went first, in one).
    assert faulted.headers["content-range"] == f"0-{CHUNK - 1}"
    if not fault.forward:
        # Resumed in the same upload session: the failed chunk again, then the rest.
        session = [e for e in patches if _session(e.path) == _session(faulted.path)]
        ranges = [e.headers["content-range"] for e in session]
        assert ranges == [f"0-{CHUNK - 1}"] + [
            f"{start}-{min(start + CHUNK, big.stat().st_size) - 1}"
            for start in range(0, big.stat().st_size, CHUNK)
        ]
        assert len(proxy.requests("POST", "/blobs/uploads/")) == 2  # the config and big.bin
    else:
        # When the registry kept what reached it, its upload is longer than the offset in the
        # upload URL: at the next request to it (where is it? or the chunk sent again),
        # distribution drops it (404), and the blob goes again in a new session. When it
        # kept nothing (a cut body may be discarded), the upload goes on in the same session.
        posts = len(proxy.requests("POST", "/blobs/uploads/"))
        dropped = [e for e in proxy.log if re.search(UPLOAD, e.path) and e.status == 404]
        assert (posts, len(dropped)) in {(2, 0), (3, 1)}
        if fault.status is not None:  # the whole chunk reached it
            assert (posts, len(dropped)) == (3, 1)


def _session(path: str) -> str:
    return path.split("/blobs/uploads/")[1].split("?")[0]


def test_retries_are_bounded(proxy: FaultProxy) -> None:
    proxy.inject(Fault(None, "", status=503, times=None))
    ref = f"{proxy.address}/faults/down:v1"
    with _client(proxy) as client:
        with pytest.raises(RegistryError) as caught:
            client.resolve(ref)
    assert caught.value.status == 503
    assert "503" in str(caught.value)
    # The first attempt and max_retries more, then the error.
    assert len(proxy.log) == 1 + FAST.max_retries


def test_cli_reports_a_registry_that_keeps_failing(
    proxy: FaultProxy, ocikit: Any, tmp_path: Path
) -> None:
    proxy.inject(Fault(None, "", status=503, times=None))
    (tmp_path / "a.txt").write_text("never arrives\n")
    with chdir(tmp_path):
        result = ocikit(
            "push", f"{proxy.address}/faults/down:v1", "a.txt", "--artifact-type", TYPE,
            "--plain-http", check=False,
        )  # fmt: skip
    assert result.status == 2
    assert re.match(r"error\[\w+\]: .*503", result.err), result.err
    # Each request was tried at most 1 + 4 times (the default policy), not forever; the first
    # that gave up ended the push (the blob checks in flight with it stop where they are).
    tries = [
        len(proxy.requests(m, re.escape(p))) for m, p in {(e.method, e.path) for e in proxy.log}
    ]
    assert max(tries) == 5 and all(count <= 5 for count in tries), tries


def test_cli_push_uploads_large_files_as_soon_as_they_are_hashed(
    proxy: FaultProxy, ocikit: Any, tmp_path: Path
) -> None:
    """Files of 16 MiB and more go up while the others are still being hashed; the push then
    knows them (the client's session saw them uploaded) and sends no request for them. Every
    blob is checked and uploaded exactly once, and the artifact pulls back whole."""
    sizes = {"large-1.bin": (16 << 20) + 1, "large-2.bin": 17 << 20, "small.txt": 12}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(os.urandom(size))
    ref = f"{proxy.address}/faults/early:v1"
    with chdir(tmp_path):
        ocikit("push", ref, *sizes, "--artifact-type", TYPE, "--plain-http")
    digests = {name: ocikit_digest(tmp_path / name) for name in sizes}
    # Three files and the empty config: one upload session and one closing PUT each.
    assert len(proxy.requests("POST", r"/blobs/uploads/")) == 4
    assert len(proxy.requests("PUT", UPLOAD)) == 4
    for name in ("large-1.bin", "large-2.bin"):
        heads = _statuses(proxy, "HEAD", re.escape(f"/blobs/{digests[name]}"))
        assert heads == [404], (name, heads)  # before the upload; the push knows the rest
    # Each blob HEAD, POST, PUT, and the manifest: as the ORAS CLI.
    assert len(proxy.log) == 4 * 3 + 1, [(e.method, e.path) for e in proxy.log]
    out = tmp_path / "out"
    ocikit("pull", ref, "-o", str(out), "--plain-http")
    for name in sizes:
        assert (out / name).read_bytes() == (tmp_path / name).read_bytes()


def test_cli_push_checks_its_arguments_before_uploading_anything(
    proxy: FaultProxy, ocikit: Any, tmp_path: Path
) -> None:
    """A mistake found while packing (here an invalid layer media type) fails the push before
    any large file leaves, although large files are uploaded as soon as they are hashed."""
    (tmp_path / "large.bin").write_bytes(os.urandom((16 << 20) + 1))
    (tmp_path / "small.txt").write_bytes(b"x")
    ref = f"{proxy.address}/faults/refused:v1"
    with chdir(tmp_path):
        failed = ocikit(
            "push", ref, "large.bin", "small.txt:not a media type", "--artifact-type", TYPE,
            "--plain-http", check=False,
        )  # fmt: skip
    assert failed.status != 0 and "MEDIA_TYPE_INVALID" in failed.err, failed.err
    assert [e for e in proxy.log if e.method in ("POST", "PATCH", "PUT")] == []


def test_cli_interrupted_upload_tells_how_to_resume(
    proxy: FaultProxy, ocikit: Any, big: Path, tmp_path: Path
) -> None:
    """Every chunk of big.bin after its first is cut: the client resumes as often as its
    policy allows, then says how to go on; the printed command sends only the rest."""
    # One blob at a time: the config's PATCH, then big.bin's first chunk pass.
    proxy.inject(Fault("PATCH", UPLOAD, cut_request_after=1000, skip=2, times=None))
    ref = f"{proxy.address}/faults/interrupted:v1"
    out = tmp_path / "out"
    with chdir(big.parent):
        failed = ocikit(
            "push", ref, big.name, "--artifact-type", TYPE, "--plain-http",
            "--chunk-size", str(CHUNK), "--concurrency", "1", check=False,
        )  # fmt: skip
        assert failed.status == 1, failed.err
        assert "error[NETWORK_ERROR]: the upload of sha256:" in failed.err
        hint = failed.err.splitlines()[-2].strip()
        assert hint.startswith(f"ocikit blob push {proxy.address}/faults/interrupted@sha256:")
        assert f" {big.name} --upload-url " in hint and hint.endswith(" --plain-http")
        proxy.clear()
        resumed_from = len(proxy.log)
        argv = hint.split()[1:]
        argv[argv.index("--upload-url") + 1] = argv[argv.index("--upload-url") + 1].strip("'")
        ocikit(*argv)
        # Only what the registry did not have was sent: from the end of the first chunk, in
        # the same upload session.
        patches = [e for e in proxy.log[resumed_from:] if e.method == "PATCH"]
        assert patches[0].headers["content-range"] == f"{CHUNK}-{big.stat().st_size - 1}"
        assert not [e for e in proxy.log[resumed_from:] if e.method == "POST"]
        ocikit("push", ref, big.name, "--artifact-type", TYPE, "--plain-http")
    ocikit("pull", ref, "-o", str(out), "--plain-http")
    assert (out / big.name).read_bytes() == big.read_bytes()
