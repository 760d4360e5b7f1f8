"""What Client and AsyncClient share (``ocikit._calls``), against a registry of the test's own
(answers from memory, every request recorded): a pull checks its files against the filesystem
before any download, the deadline is the core's alone, and both hosts report progress."""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

import ocikit
from ocikit import Client, File, OciError, PolicyError, pack
from ocikit._ocikit import Response

ARTIFACT = "application/vnd.test.calls"


class _Registry:
    """One artifact in memory under ``repo:v1``: the manifest, its config and its blobs."""

    def __init__(self, files: list[File]) -> None:
        self.packed = pack(files, artifact_type=ARTIFACT)
        self.manifest = self.packed.manifest.to_json()
        self.blobs = {b.descriptor.digest: b.data for b in self.packed.blobs}
        self.requests: list[tuple[str, str]] = []

    def answer(self, method: str, url: str) -> tuple[int, list[tuple[str, str]], bytes]:
        self.requests.append((method, url))
        path = url.split("://", 1)[1].split("/", 1)[1]
        if method == "POST" and "/blobs/uploads/?digest=" in path:
            # A single-request upload, taken (as go-containerregistry's registry does).
            digest = urllib.parse.unquote(path.split("digest=", 1)[1])
            return 201, [("Docker-Content-Digest", digest)], b""
        if method == "POST" and path.endswith("/blobs/uploads/"):
            return 202, [("Location", f"/{path}session-1")], b""
        if method == "PUT" and "/blobs/uploads/" in path:
            digest = urllib.parse.unquote(path.split("digest=", 1)[1])
            return 201, [("Docker-Content-Digest", digest)], b""
        if method == "PUT":
            return 201, [("Docker-Content-Digest", self.packed.digest)], b""
        if method == "HEAD" and "/blobs/" in path:
            return 404, [], b""
        if "/manifests/" in path:
            return 200, [
                ("Content-Type", self.packed.manifest.media_type),
                ("Docker-Content-Digest", self.packed.digest),
            ], self.manifest  # fmt: skip
        if "/blobs/" in path:
            data = self.blobs.get(path.rsplit("/", 1)[1])
            if data is not None:
                return 200, [("Content-Length", str(len(data)))], data
        return 404, [], b""

    def downloads(self) -> list[str]:
        return [url for method, url in self.requests if "/blobs/" in url and method == "GET"]


class _Transport:
    def __init__(self, registry: _Registry) -> None:
        self.registry = registry
        self.deadlines: list[Any] = []

    def send(self, request: Any, *, source: Any = None, sink: Any = None) -> Response:
        self.deadlines.append((ocikit._http.deadline(), request.deadline_ms))
        status, headers, body = self.registry.answer(request.method, request.url)
        if request.stream and 200 <= status < 300:
            sink.start(False)
            sink.write(memoryview(body))
            return Response(status, headers, streamed=sink.result())
        return Response(status, headers, body)

    def close(self) -> None:
        pass


def _client(registry: _Registry, **options: Any) -> Client:
    return Client("127.0.0.1:5000", transport=_Transport(registry), **options)


def _async_client(registry: _Registry, **options: Any) -> Any:
    httpx = pytest.importorskip("httpx")

    def handler(request: Any) -> Any:
        status, headers, body = registry.answer(request.method, str(request.url))
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ocikit.AsyncClient("127.0.0.1:5000", http=http, **options)


def _pull(kind: str, registry: _Registry, out: Path, **options: Any) -> Any:
    if kind == "sync":
        with _client(registry) as client:
            return client.pull("repo:v1", out, **options)

    async def run() -> Any:
        async with _async_client(registry) as client:
            return await client.pull("repo:v1", out, **options)

    return asyncio.run(run())


HOSTS = ["sync", "async"]


@pytest.mark.parametrize("kind", HOSTS)
def test_keep_old_files_refuses_before_any_download(kind: str, tmp_path: Path) -> None:
    registry = _Registry([File("a.txt", b"new a"), File("b.txt", b"new b")])
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.txt").write_bytes(b"mine")
    with pytest.raises(PolicyError) as raised:
        _pull(kind, registry, out, keep_old_files=True)
    assert raised.value.code == "PATH_UNSAFE" and "b.txt" in str(raised.value)
    # Before: both blobs were downloaded (into temporary files) and then thrown away.
    assert registry.downloads() == []
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]
    assert (out / "b.txt").read_bytes() == b"mine"


@pytest.mark.parametrize("kind", HOSTS)
def test_a_name_too_long_for_the_filesystem_refuses_before_any_download(
    kind: str, tmp_path: Path
) -> None:
    registry = _Registry([File("a.txt", b"a"), File("n" * 250 + ".txt", b"long")])
    out = tmp_path / "out"
    with pytest.raises(PolicyError) as raised:
        _pull(kind, registry, out)
    assert raised.value.code == "PATH_UNSAFE"
    assert "longer than" in str(raised.value)
    assert registry.downloads() == []
    # Nothing written: not even the output directory.
    assert not out.exists()


@pytest.mark.parametrize("kind", HOSTS)
def test_a_pull_that_passes_the_checks_downloads_each_blob_once(kind: str, tmp_path: Path) -> None:
    registry = _Registry([File("a.txt", b"a"), File("d/b.txt", b"b")])
    pulled = _pull(kind, registry, tmp_path / "out")
    assert [p.relative_to(tmp_path / "out").as_posix() for p in pulled.files] == ["a.txt", "d/b.txt"]
    assert (tmp_path / "out" / "d" / "b.txt").read_bytes() == b"b"
    assert len(registry.downloads()) == 2
    assert not [p for p in (tmp_path / "out").rglob("*") if p.name.endswith(".part")]


def test_the_deadline_is_the_cores_alone(tmp_path: Path) -> None:
    registry = _Registry([File("a.txt", b"a")])
    client = _client(registry, timeout=7)
    transport = client._transport
    started = time.time() * 1000
    with client:
        client.resolve("repo:v1")
        client.pull("repo:v1", tmp_path / "out")
    assert transport.deadlines  # type: ignore[attr-defined]
    for host_deadline, deadline_ms in transport.deadlines:  # type: ignore[attr-defined]
        # Before: the client also set a deadline of its own for each call.
        assert host_deadline is None
        assert started + 6_000 < deadline_ms <= time.time() * 1000 + 7_000


def test_a_wait_past_the_deadline_is_refused_by_the_core() -> None:
    class Busy:
        def send(self, request: Any, **kwargs: Any) -> Response:
            return Response(503, [("Retry-After", "30")], b"")

        def close(self) -> None:
            pass

    started = time.monotonic()
    client = Client(
        "127.0.0.1:5000",
        transport=Busy(),
        timeout=2,
        retry_policy=ocikit.RetryPolicy(max_delay_ms=60_000),
        limits=ocikit.Limits(retry_after_max_ms=60_000),
    )
    with client, pytest.raises(OciError) as raised:
        client.resolve("repo:v1")
    assert raised.value.code == "TIMEOUT"
    assert "Limits.deadline_ms" in str(raised.value)
    assert time.monotonic() - started < 1.5


def test_the_async_deadline_ends_a_request_that_hangs() -> None:
    httpx = pytest.importorskip("httpx")

    async def handler(request: Any) -> Any:
        await asyncio.sleep(30)
        return httpx.Response(200)

    async def run() -> None:
        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with ocikit.AsyncClient(
            "127.0.0.1:5000", http=http, timeout=0.5, retry_policy=ocikit.RetryPolicy(max_retries=0)
        ) as client:
            await client.resolve("repo:v1")

    started = time.monotonic()
    with pytest.raises(OciError) as raised:
        asyncio.run(run())
    assert raised.value.code == "TIMEOUT"
    assert time.monotonic() - started < 3


def test_the_async_client_reports_progress_as_the_sync_one(tmp_path: Path) -> None:
    registry = _Registry([File("a.txt", b"a" * 100), File("b.txt", b"b" * 50)])
    reports: dict[str, list[Any]] = {"sync": [], "async": []}

    def report(kind: str) -> Any:
        return lambda d, done, total: reports[kind].append((d.digest, done, total))

    with _client(registry, on_progress=report("sync")) as client:
        client.push("repo:v1", registry.packed)

    async def run() -> None:
        async with _async_client(registry, on_progress=report("async")) as client:
            await client.push("repo:v1", registry.packed)

    asyncio.run(run())
    # Before: the async client's push reported nothing.
    assert sorted(reports["async"]) == sorted(reports["sync"])
    assert {(done, total) for _, done, total in reports["sync"]} >= {(100, 100), (50, 50)}
