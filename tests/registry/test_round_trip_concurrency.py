"""The engine's rule for large transfers at once, as the Python hosts follow it against a real
registry: 4 on a short path, 8 once the shortest round trip measured on the registry is 50 ms
or more (``ocikit_core::registry::Concurrency::for_round_trip``). The path is made long by a
transport that holds each request for a while before sending it, as a distant registry would;
it counts the large uploads in flight at once."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry
from ocikit import Client, File, Reference, StdlibTransport, digest, pack
from ocikit._ocikit import Request, Response
from ocikit.cli._packing import EarlyUploads

TYPE = "application/vnd.example.test.config.v1+json"
LARGE = 4 << 20  # the engine's LARGE_TRANSFER


class Distant(StdlibTransport):
    """The standard transport, each request held ``delay_s`` before it goes (a longer round
    trip), and an upload of ``LARGE`` bytes or more 0.3 s more (the bandwidth of one
    connection: about 14 MB/s); the most of those uploads it had in flight at once."""

    def __init__(self, delay_s: float) -> None:
        super().__init__()
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._large = 0
        self.most_large = 0

    def send(self, request: Request, **kwargs: Any) -> Response:
        body = request.body
        large = isinstance(body, tuple) and body[1] >= LARGE
        if large:
            with self._lock:
                self._large += 1
                self.most_large = max(self.most_large, self._large)
        try:
            time.sleep(self.delay_s + (0.3 if large else 0.0))
            return super().send(request, **kwargs)
        finally:
            if large:
                with self._lock:
                    self._large -= 1


def _files(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = tmp_path / f"f{i}.bin"
        path.write_bytes(os.urandom(LARGE))
        paths.append(path)
    return paths


@pytest.mark.parametrize(("delay_s", "at_once"), [(0.0, 4), (0.06, 8)])
def test_client_push_runs_more_large_uploads_at_once_on_a_long_path(
    registries: dict[str, Registry], tmp_path: Path, delay_s: float, at_once: int
) -> None:
    registry = registries["open"]
    transport = Distant(delay_s)
    packed = pack([File.from_path(p) for p in _files(tmp_path, 10)], artifact_type=TYPE)
    ref = f"{registry.address}/rtt/client-{at_once}:v1"
    with Client(registry.address, plain_http=True, transport=transport) as client:
        assert client.push(ref, packed).descriptor.digest == packed.digest
        measured = client._session(registry.address).round_trip_ms
    assert measured is not None and (measured >= 50) == (at_once == 8), measured
    assert transport.most_large == at_once


@pytest.mark.parametrize(("delay_s", "at_once"), [(0.0, 4), (0.06, 8)])
def test_cli_early_uploads_follow_the_measured_round_trip(
    registries: dict[str, Registry],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    delay_s: float,
    at_once: int,
) -> None:
    registry = registries["open"]
    monkeypatch.setattr(EarlyUploads, "MIN_SIZE", LARGE)
    transport = Distant(delay_s)
    reference = Reference.parse(f"{registry.address}/rtt/early-{at_once}:v1")
    paths = _files(tmp_path, 10)
    with Client(registry.address, plain_http=True, transport=transport) as client:
        with EarlyUploads(client, reference) as early:
            for path in paths:
                early.add(File.from_path(path))
        for path in paths:
            assert client.blob_exists(reference, digest(path.read_bytes()))
    assert transport.most_large == at_once
