"""``ocikit.AsyncClient`` (asyncio over httpx) against docker-registry in every auth mode: the
same core operations as ``Client`` — push, attach, pull, discover, copy, delete, tags — as
coroutines, with the same results and coded errors."""

from __future__ import annotations

import asyncio
import importlib
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

import ocikit
from conftest import Registry
from ocikit import Client, File, OciError

httpx = pytest.importorskip("httpx")

TYPE = "application/vnd.example.async.v1"


def _async_client(registry: Registry, **options: Any) -> Any:
    return ocikit.AsyncClient(
        registry.address, plain_http=True, credentials=registry.credentials, **options
    )


def _pack(files: list[File], subject: Any = None) -> ocikit.Packed:
    return ocikit.pack(files, artifact_type=TYPE, subject=subject)


def test_push_attach_pull_discover_copy_delete(registry: Registry, tmp_path: Path) -> None:
    packed = _pack([File("a.txt", b"async a\n"), File("dir/b.txt", b"async b\n")])
    signature = None

    async def scenario() -> None:
        nonlocal signature
        async with _async_client(registry, concurrency=2) as client:
            outcome = await client.push("async/app:v1", packed)  # relative to its registry
            pushed = outcome.descriptor
            assert outcome.tags == ("v1",) and len(outcome.blobs) == len(packed.blobs)
            assert pushed.digest == packed.digest
            assert (await client.resolve("async/app:v1")).digest == packed.digest
            assert (await client.fetch_manifest("async/app:v1")).digest == packed.digest
            assert await client.list_tags("async/app") == ["v1"]
            assert [t async for t in client.iter_tags("async/app", page_size=1)] == ["v1"]
            config = packed.manifest.config
            assert await client.blob_size("async/app", config.digest) == config.size

            signature = _pack([File("sig.txt", b"signed\n")], subject=pushed)
            attached = (await client.attach("async/app:v1", signature)).descriptor
            tree = await client.discover("async/app:v1")
            assert [r.descriptor.digest for r in tree] == [attached.digest]

            pulled = await client.pull("async/app:v1", tmp_path / "out")
            assert sorted(p.name for p in pulled.files) == ["a.txt", "b.txt"]

            copied = (await client.copy("async/app:v1", "async/copy:v2", referrers=True)).descriptor
            assert copied.digest == packed.digest
            assert [d.digest for d in await client.referrers("async/copy:v2")] == [
                attached.digest
            ]
            assert (await client.tags_of("async/app:v1")).tags == ("v1",)

            await client.delete_manifest(f"async/app@{attached.digest}")
            assert await client.discover("async/app:v1") == []

    asyncio.run(scenario())
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"async a\n"
    assert (tmp_path / "out" / "dir" / "b.txt").read_bytes() == b"async b\n"
    # What the sync client sees is what the async one did.
    with Client(registry.address, plain_http=True, credentials=registry.credentials) as client:
        assert client.resolve("async/copy:v2").digest == packed.digest


def test_the_same_requests_as_the_sync_client(registry: Registry, tmp_path: Path) -> None:
    """Sync and async hosts of one operation, one request at a time: the same requests in the
    same order (the engine decides them, not the host)."""
    packed = _pack([File("x.txt", b"x\n"), File("y.txt", b"y\n")])
    seen: dict[str, list[tuple[str, str]]] = {"sync": [], "async": []}

    class Recording:
        def __init__(self) -> None:
            self._inner = ocikit.StdlibTransport()

        def send(self, request: Any, **kwargs: Any) -> Any:
            seen["sync"].append((request.method, request.url.replace("same-sync", "same")))
            return self._inner.send(request, **kwargs)

        def close(self) -> None:
            self._inner.close()

    with Client(
        registry.address, plain_http=True, credentials=registry.credentials,
        concurrency=1, transport=Recording(),
    ) as client:  # fmt: skip
        client.push("same-sync/app:v1", packed)
        client.pull("same-sync/app:v1", tmp_path / "sync")

    async def record(request: Any) -> None:
        seen["async"].append((request.method, str(request.url).replace("same-async", "same")))

    async def run() -> None:
        http = httpx.AsyncClient(event_hooks={"request": [record]})
        async with _async_client(registry, concurrency=1, http=http) as client:
            await client.push("same-async/app:v1", packed)
            await client.pull("same-async/app:v1", tmp_path / "async")
        await http.aclose()

    asyncio.run(run())

    def shape(log: list[tuple[str, str]]) -> list[tuple[str, str]]:
        # Upload session URLs carry the registry's random ids.
        return [(m, u.split("/uploads/")[0] + "/uploads/" if "/uploads/" in u else u) for m, u in log]

    assert shape(seen["async"]) == shape(seen["sync"])


def test_dry_run_and_refused_titles_open_no_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"  # nothing listens
    packed = _pack([File("a.txt", b"a\n")])
    duplicate = _pack([File("a.txt", b"1"), File("a.txt", b"2")])

    async def run() -> None:
        async with ocikit.AsyncClient(address, plain_http=True) as client:
            plan = await client.push("dry/app:v1", packed, dry_run=True)
            assert plan.descriptor.digest == packed.digest
            assert {b.status for b in plan.blobs} == {"planned"}
            with pytest.raises(OciError) as refused:
                await client.push("dry/app:v1", duplicate)
            assert refused.value.code == "ANNOTATION_INVALID"
            with pytest.raises(OciError) as failed:
                await client.resolve("dry/app:v1")
            assert failed.value.code == "NETWORK_ERROR"
            assert address in str(failed.value)

    asyncio.run(run())


def test_errors_are_coded_and_name_the_reference(registry: Registry) -> None:
    async def run() -> None:
        async with _async_client(registry) as client:
            with pytest.raises(OciError) as missing:
                await client.discover("async-named/app:nope")
            assert missing.value.code in ("MANIFEST_UNKNOWN", "NAME_UNKNOWN")
            assert "async-named/app" in str(missing.value)

    asyncio.run(run())


def test_the_import_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    monkeypatch.delitem(sys.modules, "ocikit._async", raising=False)
    with pytest.raises(ImportError, match=r"ocikit\[async\]"):
        importlib.import_module("ocikit._async")
    monkeypatch.undo()
    importlib.import_module("ocikit._async")
