"""The registry doctor and registry profiles through the Python API (issue 15): the JS client's
``probeRegistry``/``doctor`` as ``Client.probe_registry``/``Client.doctor`` (sync and async),
the same report as ``ocikit doctor --format json``; and ``AsyncClient(registry_profile=)``, as
``Client``'s, adapting the engine's plan (GHCR's 4 MiB chunk cap) against docker-registry."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from conftest import ReferrersRegistry, Registry
from fault_proxy import FaultProxy
from ocikit import AsyncClient, Client, Descriptor, File, ValidationError, digest, pack

TYPE = "application/vnd.example.notes.v1+json"
MIB = 1 << 20


def _notes() -> Any:
    return pack([File("notes.txt", b"notes\n", media_type="text/plain")], artifact_type=TYPE)


def test_client_doctor_on_docker_registry(registries: dict[str, Registry], ocikit: Any) -> None:
    address = registries["open"].address
    client = Client(address, plain_http=True)
    packed = _notes()
    client.push("doctor/api:v1", packed)
    client.push("doctor/api:v2", packed)
    report = client.doctor("doctor/api:v1", profile="distribution")
    assert report["registry"] == address and report["profile"] == "distribution"
    probes = report["probes"]
    assert probes["v2"]["status"] == 200 and probes["v2"]["auth"] == "ok"
    assert probes["referrers_api"]["digest"] == packed.digest
    assert (
        probes["referrers_api"]["supported"] is False and probes["referrers_api"]["status"] == 404
    )
    assert probes["tag_list"]["tags"] == 2 and probes["tag_list"]["n_honoured"] is False
    assert {f["topic"] for f in report["facts"]} >= {"referrers-api", "delete", "tag-list"}
    # The same report as the CLI's JSON.
    cli = json.loads(ocikit("doctor", "--plain-http", f"{address}/doctor/api:v1",
                            "--registry-profile", "distribution", "--format", "json").out)  # fmt: skip
    assert cli == report
    # Without a reference: /v2/ only, the host's profile (none: generic).
    bare = client.probe_registry()
    assert bare["profile"] == "generic" and "not probed" in bare["probes"]["tag_list"]["note"]
    assert bare["probes"]["referrers_api"]["supported"] is None
    # The client's registry_profile is the report's when none is named.
    named = Client(address, plain_http=True, registry_profile="harbor").doctor()
    assert named["profile"] == "harbor"
    with pytest.raises(ValidationError) as refused:
        client.doctor(profile="nope")
    assert refused.value.code == "OPTIONS_INVALID"


def test_async_client_doctor_on_the_referrers_api_registry(
    referrers_registry: ReferrersRegistry,
) -> None:
    address = referrers_registry.address

    async def run() -> dict[str, Any]:
        async with AsyncClient(address, plain_http=True) as client:
            await client.push("doctor/async:v1", _notes())
            await client.push("doctor/async:v2", _notes())  # one tag cannot tell n's fate
            bare = await client.doctor()
            assert bare["probes"]["v2"]["status"] == 200
            return await client.probe_registry("doctor/async:v1")

    report = asyncio.run(run())
    referrers = report["probes"]["referrers_api"]
    assert referrers["supported"] is True and referrers["status"] == 200
    assert report["probes"]["tag_list"]["n_honoured"] is True
    assert report["probes"]["tag_list"]["tags"] == 2


def _patches(proxy: FaultProxy, repo: str) -> list[int]:
    return [
        int(e.headers.get("content-length") or e.headers.get("Content-Length") or 0)
        for e in proxy.requests("PATCH", f"/v2/{repo}/blobs/uploads/")
    ]


def test_async_client_registry_profile_adapts_the_chunks(proxy: FaultProxy) -> None:
    def big(seed: int) -> bytes:  # a little over 9 MiB, new to the registry for each seed
        return bytes([seed]) + bytes(range(256)) * (9 * MIB // 256 + 3)

    async def push(repo: str, data: bytes, profile: str | None) -> None:
        packed = pack([File("big.bin", data)], artifact_type=TYPE)
        async with AsyncClient(
            proxy.address, plain_http=True, chunk_size=8 * MIB, registry_profile=profile
        ) as client:
            assert client.registry_profile == profile
            await client.push(f"{repo}:v1", packed)

    # Without a profile: 8 MiB chunks (docker-registry takes them); the config's {} is 2 bytes.
    asyncio.run(push("profiles/async-generic", big(1), None))
    plain = _patches(proxy, "profiles/async-generic")
    assert max(plain) == 8 * MIB and sum(plain) == len(big(1)) + 2
    # As GHCR (which refuses PATCH bodies over 4 MiB): within 4 MiB, the same bytes in the end.
    asyncio.run(push("profiles/async-ghcr", big(2), "ghcr"))
    ghcr = _patches(proxy, "profiles/async-ghcr")
    assert max(ghcr) <= 4 * MIB and sum(ghcr) == len(big(2)) + 2
    layer = Descriptor(
        media_type="application/octet-stream", digest=digest(big(2)), size=len(big(2))
    )
    with Client(proxy.address, plain_http=True) as client:
        assert client.fetch_blob("profiles/async-ghcr:v1", layer) == big(2)
