"""Progress: the ``on_progress`` callback of ``ocikit.Client`` during real transfers, and the
progress line of the ``ocikit`` command — drawn when stderr is a terminal (run here under a
pseudo-terminal), never otherwise."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import Registry
from fault_proxy import Fault, FaultProxy
from ocikit import Client, Descriptor, File, RetryPolicy, digest_file, pack

TYPE = "application/vnd.example.progress.config.v1+json"
CHUNK = 1 << 20


class Calls:
    """Every ``(done, total)`` reported, by digest, in order; thread-safe."""

    def __init__(self) -> None:
        self.by_digest: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.order: list[tuple[str, int]] = []
        self._lock = threading.Lock()

    def __call__(self, descriptor: Descriptor, done: int, total: int) -> None:
        with self._lock:
            self.by_digest[descriptor.digest].append((done, total))
            self.order.append((descriptor.digest, done))


def _increasing(reports: list[tuple[int, int]]) -> bool:
    return all(a[0] < b[0] for a, b in zip(reports, reports[1:]))


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(3 * CHUNK + 99))
    return path


def test_on_progress_reports_every_blob_of_push_and_pull(
    registries: dict[str, Registry], big: Path, tmp_path: Path
) -> None:
    registry = registries["open"]
    packed = pack([File.from_path(big), File("small.txt", b"small\n")], artifact_type=TYPE)
    ref = f"{registry.address}/progress/push-pull:v1"
    size = big.stat().st_size
    pushed = Calls()
    with Client(registry.address, plain_http=True, chunk_size=CHUNK, on_progress=pushed) as client:
        client.push(ref, packed)
    assert set(pushed.by_digest) == {blob.descriptor.digest for blob in packed.blobs}
    # Announced first, every blob at 0, before any byte moved.
    assert {digest for digest, _ in pushed.order[: len(packed.blobs)]} == set(pushed.by_digest)
    assert all(done == 0 for _, done in pushed.order[: len(packed.blobs)])
    for blob in packed.blobs:
        reports = pushed.by_digest[blob.descriptor.digest]
        assert all(total == blob.descriptor.size for _, total in reports)
        assert reports[-1] == (blob.descriptor.size, blob.descriptor.size)
        assert _increasing(reports)
    # The big blob: 1 MiB pieces, each chunk's start and end included.
    big_reports = [done for done, _ in pushed.by_digest[packed.manifest.layers[0].digest]]
    assert big_reports == [0, CHUNK, 2 * CHUNK, 3 * CHUNK, size]

    pulled = Calls()
    with Client(registry.address, plain_http=True, on_progress=pulled) as client:
        client.pull(ref, tmp_path / "out")
        layers = packed.manifest.layers
        assert set(pulled.by_digest) == {layer.digest for layer in layers}
        for layer in layers:
            assert pulled.by_digest[layer.digest][0] == (0, layer.size)
            assert pulled.by_digest[layer.digest][-1] == (layer.size, layer.size)
            assert _increasing(pulled.by_digest[layer.digest])

        # Blobs the repository has are reported done at once.
        again = Calls()
        client.on_progress = again
        client.push(ref, packed)
        assert all(
            reports == [(0, d.size), (d.size, d.size)]
            for d, reports in ((b.descriptor, again.by_digest[b.descriptor.digest])
                               for b in packed.blobs)
        )  # fmt: skip

        # blob fetch and push report too, in memory or to a file.
        single = Calls()
        client.on_progress = single
        data = client.fetch_blob(ref, layers[0])
        assert data == big.read_bytes()
        assert single.by_digest[layers[0].digest][-1] == (size, size)
        other = tmp_path / "other.bin"
        other.write_bytes(os.urandom(CHUNK + 5))
        descriptor = Descriptor(
            media_type="application/octet-stream", digest=digest_file(other), size=CHUNK + 5
        )
        client.push_blob(ref, descriptor, other)
        assert single.by_digest[descriptor.digest][-1] == (CHUNK + 5, CHUNK + 5)


def test_on_progress_goes_back_when_a_download_starts_over(
    proxy: FaultProxy, registries: dict[str, Registry], big: Path, tmp_path: Path
) -> None:
    """A download cut mid-way resumes where it stopped: ``done`` never goes back then."""
    direct = registries["open"].address
    packed = pack([File.from_path(big)], artifact_type=TYPE)
    with Client(direct, plain_http=True) as client:
        client.push(f"{direct}/progress/cut:v1", packed)
    proxy.inject(Fault("GET", r"/blobs/sha256:", cut_response_after=CHUNK + 10))
    calls = Calls()
    with Client(
        proxy.address, plain_http=True, on_progress=calls,
        retry_policy=RetryPolicy(base_delay_ms=5),
    ) as client:  # fmt: skip
        client.fetch_blob(f"{proxy.address}/progress/cut:v1", packed.manifest.layers[0])
    reports = [done for done, _ in calls.by_digest[packed.manifest.layers[0].digest]]
    assert CHUNK + 10 in reports  # where the cut left it
    assert reports == sorted(reports) and reports[-1] == big.stat().st_size


def _ocikit(args: list[str], cwd: Path, *, tty: bool) -> tuple[int, str, str]:
    """Runs the ``ocikit`` command in a new process, its stderr a pseudo-terminal when
    ``tty``; returns the status, stdout and stderr."""
    command = [sys.executable, "-m", "ocikit.cli", *args]
    env = {**os.environ, "COLUMNS": "100"}
    if not tty:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
        return result.returncode, result.stdout, result.stderr
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.PIPE, stderr=terminal, env=env
        )
        os.close(terminal)
        terminal = -1
        received = bytearray()
        while True:
            try:
                piece = os.read(controller, 65536)
            except OSError:  # EIO: the process closed the terminal (it exited)
                break
            if not piece:
                break
            received += piece
        assert process.stdout is not None
        out = process.stdout.read().decode()
        process.stdout.close()
        return process.wait(), out, received.decode()
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)


def test_cli_draws_progress_only_on_a_terminal(
    registries: dict[str, Registry], big: Path, tmp_path: Path
) -> None:
    registry = registries["open"]
    ref = f"{registry.address}/progress/cli:v1"
    push = ["push", ref, f"{big.name}", "--artifact-type", TYPE, "--plain-http",
            "--chunk-size", str(CHUNK)]  # fmt: skip
    status, out, err = _ocikit(push, big.parent, tty=True)
    assert status == 0, err
    assert out.splitlines()[0] == f"Pushed [registry] {ref}"
    assert err.startswith("\rUploading ")
    final = err.rstrip("\r\n").split("\r")[-1].rstrip()
    assert final.startswith("Uploading 2/2 blobs [########")
    assert " 100%" in final and "3.0 MiB / 3.0 MiB" in final
    assert err.endswith("\n")  # the line is ended before the program exits

    status, out, err = _ocikit(
        ["pull", ref, "-o", str(tmp_path / "out"), "--plain-http"], tmp_path, tty=True
    )
    assert status == 0, err
    assert err.rstrip().split("\r")[-1].startswith("Downloading 1/1 blobs [")
    assert (tmp_path / "out" / big.name).read_bytes() == big.read_bytes()

    # Not a terminal, or --no-progress: nothing at all on stderr.
    status, out, err = _ocikit(push, big.parent, tty=False)
    assert (status, err) == (0, "")
    assert out.splitlines()[-1].startswith("Digest: sha256:")
    status, out, err = _ocikit([*push, "--no-progress"], big.parent, tty=True)
    assert (status, err) == (0, "")
    blob = f"{registry.address}/progress/cli@{digest_file(big)}"
    status, out, err = _ocikit(
        ["blob", "fetch", blob, "-o", str(tmp_path / "blob.bin"), "--plain-http"],
        tmp_path, tty=True,
    )  # fmt: skip
    assert status == 0
    assert err.rstrip().split("\r")[-1].startswith("Downloading 1/1 blobs [")
