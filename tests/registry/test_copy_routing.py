"""A copy's requests go with the transport of the client whose session the engine says they
are for (``Action.registry``), not by the host their URL names: the destination registry's
token requests (its Bearer token server listens on another port) go with the destination's
transport, whether the source is another registry or an ``OciLayout`` (whose client answers
from the layout). Real registries and the real token server (conftest.py), on 127.0.0.1. The
JS twin: tests/js/host-decisions.test.mjs."""

from __future__ import annotations

import itertools
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import ocikit
from ocikit._ocikit import Request, Response
from ocikit._http import BlobSink, BlobSource

_NAMES = itertools.count(1)


class Recording:
    """A client's real transport, noting the host of each request it sends."""

    def __init__(self) -> None:
        self.inner = ocikit.StdlibTransport(timeout=30)
        self.hosts: list[str] = []
        self._lock = threading.Lock()

    def send(
        self,
        request: Request,
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Response:
        with self._lock:
            self.hosts.append(urlsplit(request.url).netloc)
        return self.inner.send(request, source=source, sink=sink)


def _packed() -> ocikit.Packed:
    return ocikit.pack(
        [ocikit.File("a.txt", f"routed {next(_NAMES)}\n".encode())],
        artifact_type="application/vnd.example.routing.config.v1+json",
    )


def _destination(registries: dict[str, Any]) -> tuple[ocikit.Client, Recording, str]:
    bearer = registries["bearer"]
    recording = Recording()
    client = ocikit.Client(
        bearer.address, plain_http=True, credentials=bearer.credentials, transport=recording
    )
    return client, recording, f"127.0.0.1:{bearer.token_server.port}"


def test_a_copy_between_registries_asks_the_destination_s_tokens_with_its_transport(
    registries: dict[str, Any],
) -> None:
    open_registry = registries["open"]
    source_recording = Recording()
    source = ocikit.Client(open_registry.address, plain_http=True, transport=source_recording)
    packed = _packed()
    source.push(f"{open_registry.address}/routing/src:v1", packed)
    destination, recording, token_host = _destination(registries)
    token_requests = len(registries["bearer"].token_server.requests)
    source_recording.hosts.clear()

    copied = source.copy(
        f"{open_registry.address}/routing/src:v1",
        f"{destination.registry}/routing/dst:v1",
        destination=destination,
    )

    assert copied.descriptor.digest == packed.digest
    # The destination's token requests went to its token server, with its transport (the old
    # host sent a token realm's request, a host neither registry has, with the source's).
    assert len(registries["bearer"].token_server.requests) > token_requests
    assert token_host in recording.hosts
    assert set(recording.hosts) == {destination.registry, token_host}
    assert set(source_recording.hosts) == {open_registry.address}
    assert destination.fetch_manifest(f"{destination.registry}/routing/dst:v1") == packed.manifest


def test_a_copy_from_a_layout_asks_the_destination_s_tokens_with_its_transport(
    registries: dict[str, Any], tmp_path: Path
) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    packed = _packed()
    layout.write(packed, "v1")
    destination, recording, token_host = _destination(registries)

    copied = ocikit.copy(layout, "v1", destination, f"{destination.registry}/routing/layout:v1")

    assert copied.digest == packed.digest
    assert token_host in recording.hosts
    assert set(recording.hosts) == {destination.registry, token_host}
    assert (
        destination.fetch_manifest(f"{destination.registry}/routing/layout:v1") == packed.manifest
    )


def test_a_copy_to_a_layout_asks_the_source_s_tokens_with_its_transport(
    registries: dict[str, Any], tmp_path: Path
) -> None:
    pusher, _, _ = _destination(registries)
    packed = _packed()
    pusher.push(f"{pusher.registry}/routing/to-layout:v1", packed)
    # The Bearer registry as the source, its session yet without a token.
    source, recording, token_host = _destination(registries)
    layout = ocikit.OciLayout(tmp_path / "layout")

    copied = ocikit.copy(source, f"{source.registry}/routing/to-layout:v1", layout, "v1")

    assert copied.digest == packed.digest
    assert token_host in recording.hosts
    assert set(recording.hosts) == {source.registry, token_host}
    assert layout.manifest("v1") == packed.manifest
