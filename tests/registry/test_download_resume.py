"""A download cut mid-body goes on with ``Range`` from what the host's sink holds, decided by the
core engine (``Failure(..., received=)``), in every Python host: ``Client.pull``,
``Client.fetch_blob``, ``Client.copy`` (its spool) and ``AsyncClient.pull`` — against
docker-registry behind the fault proxy. Before the engine resumed downloads, the async host
failed with ``NETWORK_ERROR`` and the whole operations started the blob over from byte 0."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

from conftest import Registry
from fault_proxy import Fault, FaultProxy
from ocikit import Client, File, RetryPolicy, pack

TYPE = "application/vnd.example.resume.config.v1+json"
FAST = RetryPolicy(max_retries=3, base_delay_ms=5, max_delay_ms=2000)
BLOB = r"/blobs/sha256:"
SIZE = 3 * (1 << 20) + 4321
CUT = (1 << 20) + 12345


@pytest.fixture
def pushed(registries: dict[str, Registry], tmp_path: Path) -> tuple[str, bytes]:
    """A repository name with one big file pushed to the open registry, and the file's bytes."""
    content = os.urandom(SIZE)
    path = tmp_path / "big.bin"
    path.write_bytes(content)
    direct = registries["open"].address
    name = f"resume/{tmp_path.name.lower().replace('_', '-')}"
    with Client(direct, plain_http=True) as client:
        client.push(f"{direct}/{name}:v1", pack([File.from_path(path)], artifact_type=TYPE))
    return name, content


def _ranges(proxy: FaultProxy, content: bytes) -> list[str | None]:
    """The ``Range`` of each GET of the blob of ``content``, in order."""
    blob = f"/blobs/sha256:{hashlib.sha256(content).hexdigest()}"
    return [r.headers.get("range") for r in proxy.requests("GET", blob)]


def test_sync_pull_cut_twice_continues_from_everything_held(
    proxy: FaultProxy, pushed: tuple[str, bytes], tmp_path: Path
) -> None:
    name, content = pushed
    proxy.inject(Fault("GET", BLOB, cut_response_after=CUT))
    proxy.inject(Fault("GET", BLOB, cut_response_after=1000))  # the next GET
    with Client(proxy.address, plain_http=True, retry_policy=FAST) as client:
        client.pull(f"{proxy.address}/{name}:v1", tmp_path / "out")
    assert (tmp_path / "out" / "big.bin").read_bytes() == content
    assert _ranges(proxy, content) == [None, f"bytes={CUT}-", f"bytes={CUT + 1000}-"]


def test_fetch_blob_cut_continues_with_range(
    proxy: FaultProxy, pushed: tuple[str, bytes], tmp_path: Path
) -> None:
    name, content = pushed
    with Client(proxy.address, plain_http=True, retry_policy=FAST) as client:
        layer = client.fetch_manifest(f"{proxy.address}/{name}:v1").layers[0]
        proxy.inject(Fault("GET", BLOB, cut_response_after=CUT))
        out = tmp_path / "blob.bin"
        client.fetch_blob(f"{proxy.address}/{name}", layer, out)
    assert out.read_bytes() == content
    assert _ranges(proxy, content) == [None, f"bytes={CUT}-"]


def test_copy_spool_cut_continues_with_range(
    proxy: FaultProxy, pushed: tuple[str, bytes], registries: dict[str, Registry]
) -> None:
    """A copy from the proxy to the registry itself (two registry addresses: the blob goes
    through the host's spool) whose download is cut."""
    name, content = pushed
    direct = registries["open"].address
    # The big blob's GET only: a copy downloads the config too, maybe first.
    big = f"/blobs/sha256:{hashlib.sha256(content).hexdigest()}"
    proxy.inject(Fault("GET", big, cut_response_after=CUT))
    with Client(proxy.address, plain_http=True, retry_policy=FAST) as client, Client(
        direct, plain_http=True
    ) as destination:
        client.copy(
            f"{proxy.address}/{name}:v1", f"{direct}/{name}-copy:v1", destination=destination
        )
        layer = destination.fetch_manifest(f"{direct}/{name}-copy:v1").layers[0]
        assert destination.fetch_blob(f"{direct}/{name}-copy", layer) == content
    assert _ranges(proxy, content) == [None, f"bytes={CUT}-"]


def test_async_pull_cut_continues_with_range(
    proxy: FaultProxy, pushed: tuple[str, bytes], tmp_path: Path
) -> None:
    pytest.importorskip("httpx")
    from ocikit import AsyncClient

    name, content = pushed
    proxy.inject(Fault("GET", BLOB, cut_response_after=CUT))

    async def pull() -> None:
        async with AsyncClient(proxy.address, plain_http=True, retry_policy=FAST) as client:
            await client.pull(f"{proxy.address}/{name}:v1", tmp_path / "out")

    asyncio.run(pull())
    assert (tmp_path / "out" / "big.bin").read_bytes() == content
    first, second = _ranges(proxy, content)
    # What the sink held: httpx hands the body over in pieces, so up to the cut.
    assert first is None and second is not None
    held = int(second.removeprefix("bytes=").removesuffix("-"))
    assert 0 < held <= CUT
