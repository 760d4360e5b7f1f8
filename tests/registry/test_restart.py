"""An upload interrupted by stopping the registry, resumed once it is back (same storage, same
port), and the artifact pulled back byte for byte.

The registry is killed just before a chunk goes out, the moment the client's transport is
asked to send the third PATCH (an event the test waits on, not a delay). distribution 2.8.2
keeps a stopped upload under its URL when its `http.secret` is fixed (conftest sets one) and
its stored size is the offset in that URL — so the interruption is between chunks: a chunk
cut mid-way makes distribution drop the upload, and the client then starts the blob over
(test_faults.py covers that).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import Registry, _start
from ocikit import (
    Client,
    File,
    RetryPolicy,
    StdlibTransport,
    UploadInterruptedError,
    pack,
)
from ocikit._ocikit import Request, Response

TYPE = "application/vnd.example.restart.config.v1+json"
CHUNK = 1 << 20


class Hooked(StdlibTransport):
    """The standard transport, logging every request sent, that runs ``before(request)`` once
    just before sending the request ``when(request)`` first picks."""

    def __init__(self, when: Callable[[Request], bool], before: Callable[[], None]) -> None:
        super().__init__()
        self.log: list[tuple[str, str, dict[str, str], int | None]] = []
        self._when = when
        self._before: Callable[[], None] | None = before

    def send(self, request: Request, **kwargs: Any) -> Response:
        if self._before is not None and self._when(request):
            before, self._before = self._before, None
            before()
        headers = {name.lower(): value for name, value in request.headers}
        try:
            response = super().send(request, **kwargs)
        except OSError:
            self.log.append((request.method, request.url, headers, None))
            raise
        self.log.append((request.method, request.url, headers, response.status))
        return response


def _nth_patch(n: int) -> Callable[[Request], bool]:
    seen = [0]

    def when(request: Request) -> bool:
        if request.method == "PATCH":
            seen[0] += 1
        return request.method == "PATCH" and seen[0] == n

    return when


@pytest.fixture
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A registry of its own, for this test to stop and start."""
    started = _start("open", tmp_path_factory.mktemp("registry-restart"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(5 * CHUNK + 777))
    return path


def test_upload_resumed_with_its_url_after_a_restart(
    registry: Registry, big: Path, tmp_path: Path
) -> None:
    packed = pack([File.from_path(big)], artifact_type=TYPE)
    ref = f"{registry.address}/restart/by-url:v1"
    # The config goes first (concurrency 1), in one PATCH; big.bin's third chunk is the 4th.
    transport = Hooked(_nth_patch(4), registry.kill)
    client = Client(
        registry.address, plain_http=True, chunk_size=CHUNK, concurrency=1,
        transport=transport, retry_policy=RetryPolicy(max_retries=2, base_delay_ms=10),
    )  # fmt: skip
    with client:
        with pytest.raises(UploadInterruptedError) as caught:
            client.push(ref, packed)
        error = caught.value
        assert error.descriptor.digest == packed.manifest.layers[0].digest
        assert error.reference == f"{registry.address}/restart/by-url"
        assert isinstance(error.__cause__, ConnectionError)

        registry.start()
        sent = len(transport.log)
        assert client.push_blob(error.reference, error.descriptor, big, upload_url=error.upload_url)
        resumed = transport.log[sent:]
        # Where is the upload? Two chunks in. Then only the rest, in the same session.
        assert resumed[0][0] == "GET" and resumed[0][1] == error.upload_url
        assert resumed[0][3] == 204
        size = big.stat().st_size
        assert [h["content-range"] for m, _, h, _ in resumed if m == "PATCH"] == [
            f"{start}-{min(start + CHUNK, size) - 1}" for start in range(2 * CHUNK, size, CHUNK)
        ]
        assert not [m for m, *_ in resumed if m == "POST"]

        client.push(ref, packed)  # the manifest; every blob is there now
        client.pull(ref, tmp_path / "out")
    assert (tmp_path / "out" / "big.bin").read_bytes() == big.read_bytes()


def test_upload_resumes_by_itself_when_the_registry_comes_back(
    registry: Registry, big: Path, tmp_path: Path
) -> None:
    packed = pack([File.from_path(big)], artifact_type=TYPE)
    ref = f"{registry.address}/restart/automatic:v1"

    def restart() -> None:
        registry.kill()
        registry.start()

    transport = Hooked(_nth_patch(4), restart)
    with Client(
        registry.address, plain_http=True, chunk_size=CHUNK, concurrency=1,
        transport=transport, retry_policy=RetryPolicy(max_retries=2, base_delay_ms=10),
    ) as client:  # fmt: skip
        client.push(ref, packed)
        client.pull(ref, tmp_path / "out")
    assert (tmp_path / "out" / "big.bin").read_bytes() == big.read_bytes()
    patches = [h["content-range"] for m, _, h, _ in transport.log if m == "PATCH"]
    # The config in one PATCH, then every chunk of big.bin once, in one upload session: the
    # chunk the restart met went to the registry that came back, which had the first two.
    size = big.stat().st_size
    assert patches == ["0-1"] + [f"{s}-{min(s + CHUNK, size) - 1}" for s in range(0, size, CHUNK)]
    assert len([m for m, *_ in transport.log if m == "POST"]) == 2  # the config, big.bin
