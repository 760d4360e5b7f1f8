"""``ocikit.Client`` against a real registry: what the commands cannot show — the requests it
sends (chunked uploads, mounts), refused titles, and every way of giving credentials."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, REFRESH_TOKEN, USER, Registry
from ocikit import (
    AuthenticationError,
    Client,
    Descriptor,
    File,
    StdlibTransport,
    ValidationError,
    digest,
    pack,
)
from ocikit._ocikit import Request, Response

TYPE = "application/vnd.example.test.config.v1+json"
CHUNK = 1 << 20


class Recording(StdlibTransport):
    """The standard transport, keeping ``(method, url, status)`` of every exchange."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[str, str, int]] = []

    def send(self, request: Request, **kwargs: Any) -> Response:
        response = super().send(request, **kwargs)
        self.log.append((request.method, request.url, response.status))
        return response


def _client(registry: Registry, **kwargs: Any) -> Client:
    kwargs.setdefault("credentials", registry.credentials)
    return Client(registry.address, plain_http=True, **kwargs)


def test_chunked_upload_and_parallel_pull(registry: Registry, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(3 * CHUNK + 123))
    packed = pack(
        [File.from_path(big), *(File(f"f{i}.txt", f"file {i}\n".encode()) for i in range(5))],
        artifact_type=TYPE,
    )
    transport = Recording()
    ref = f"{registry.address}/client/chunked:v1"
    with _client(registry, chunk_size=CHUNK, concurrency=3, transport=transport) as client:
        assert client.push(ref, packed).descriptor.digest == packed.digest
        patches = [e for e in transport.log if e[0] == "PATCH"]
        # The big blob in four chunks (the last one short); the small ones in one each.
        assert len([p for p in patches if p[2] == 202]) >= 4 + 5
        pulled = client.pull(ref, tmp_path / "out")
    assert pulled.manifest.digest == packed.digest
    assert (tmp_path / "out" / "big.bin").read_bytes() == big.read_bytes()
    assert sorted(p.name for p in pulled.files) == ["big.bin"] + [f"f{i}.txt" for i in range(5)]
    with _client(registry) as client:
        # A second push sends no blob: the registry has them all.
        recording = Recording()
        again = _client(registry, transport=recording)
        again.push(ref, packed)
        assert not [e for e in recording.log if e[0] in ("PATCH", "POST")]
        assert client.fetch_blob(ref, packed.blobs[-1].descriptor) == b"file 4\n"


def test_copy_within_a_registry_mounts_blobs(registry: Registry) -> None:
    packed = pack([File("a.txt", os.urandom(4096))], artifact_type=TYPE)
    source = f"{registry.address}/client/mount-source:v1"
    target = f"{registry.address}/client/mount-target:v1"
    transport = Recording()
    with _client(registry, transport=transport) as client:
        client.push(source, packed)
        transport.log.clear()
        client.copy(source, target)
        mounts = [e for e in transport.log if e[0] == "POST" and "mount=" in e[1]]
        # (In Bearer mode a 401 comes first: the mount needs a token for both repositories.)
        assert {status for _, _, status in mounts} - {401} == {201}
        assert not [
            e for e in transport.log if e[0] in ("PATCH",) or (e[0] == "PUT" and "/blobs/" in e[1])
        ]
        assert client.fetch_manifest(target).digest == packed.digest


@pytest.mark.parametrize("durable", [False, True])
def test_pulled_files_are_flushed_to_disk_only_when_durable(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    packed = pack([File(f"f{i}.bin", os.urandom(1000 + i)) for i in range(3)], artifact_type=TYPE)
    ref = f"{registry.address}/client/durable:v1"
    flushed: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (flushed.append(fd), real_fsync(fd))[1])
    with _client(registry, durable=durable) as client:
        client.push(ref, packed)
        client.pull(ref, tmp_path / "out")
    for blob in packed.blobs[1:]:
        title = blob.descriptor.annotations["org.opencontainers.image.title"]
        assert (tmp_path / "out" / title).read_bytes() == blob.data
    assert len(flushed) == (3 if durable else 0)


def _manifest_with_title(client: Client, ref: str, title: str) -> None:
    """Pushes a manifest whose one layer has ``title`` (pack() refuses bad titles, so the JSON
    is written here, as a hostile registry could serve it)."""
    content = b"payload"
    layer = Descriptor(
        media_type="text/plain", digest=digest(content), size=len(content),
        annotations={"org.opencontainers.image.title": title},
    )  # fmt: skip
    client.push_blob(ref, layer, content)
    empty = json.loads(pack([], artifact_type=TYPE).manifest.to_json())
    empty["layers"] = [json.loads(layer.to_json())]
    client.push_blob(ref, Descriptor.from_json(json.dumps(empty["config"])), b"{}")
    client.push_manifest(ref, json.dumps(empty).encode())


@pytest.mark.parametrize(
    "title", ["../evil.txt", "/tmp/evil.txt", "a/../../evil.txt", "link/evil.txt"]
)
def test_pull_refuses_titles_that_escape(registry: Registry, tmp_path: Path, title: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    output = tmp_path / "out"
    output.mkdir()
    (output / "link").symlink_to(outside)
    ref = f"{registry.address}/client/hostile:v1"
    with _client(registry) as client:
        _manifest_with_title(client, ref, title)
        with pytest.raises(ValidationError) as caught:
            client.pull(ref, output)
    assert caught.value.code == "ANNOTATION_INVALID"
    assert list(outside.iterdir()) == []
    assert not (tmp_path / "evil.txt").exists()
    assert [p.name for p in output.iterdir()] == ["link"]


def test_bearer_refresh_token(registries: dict[str, Registry]) -> None:
    registry = registries["bearer"]
    packed = pack([File("a.txt", b"refreshed\n")], artifact_type=TYPE)
    ref = f"{registry.address}/client/refresh:v1"
    assert registry.token_server is not None
    with Client(
        registry.address, plain_http=True, credentials={"refresh_token": REFRESH_TOKEN}
    ) as client:
        client.push(ref, packed)
        assert client.resolve(ref).digest == packed.digest
    assert any(r.startswith("POST /token") for r in registry.token_server.requests)
    with Client(
        registry.address, plain_http=True, credentials={"refresh_token": "bogus"}
    ) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.resolve(ref)
    assert caught.value.code == "UNAUTHORIZED" and caught.value.status == 401


def _docker_config(directory: Path, config: dict[str, Any]) -> None:
    (directory / "config.json").write_text(json.dumps(config))


@pytest.mark.parametrize("mode", ["basic", "bearer"])
def test_credentials_from_docker_config(
    mode: str, registries: dict[str, Registry], docker_config: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    registry = registries[mode]
    ref = f"{registry.address}/client/docker-config:v1"
    packed = pack([File("a.txt", b"from config\n")], artifact_type=TYPE)
    auth = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    _docker_config(docker_config, {"auths": {f"http://{registry.address}/v1/": {"auth": auth}}})
    with Client(registry.address, plain_http=True, credentials="docker") as client:
        client.push(ref, packed)

    # A credential helper (credsStore), spoken to on stdin/stdout as Docker does.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-ocikit-test"
    helper.write_text(
        "#!/bin/sh\n"
        f'read host; [ "$1" = get ] && [ "$host" = "{registry.address}" ] && '
        f'echo \'{{"ServerURL":"{registry.address}","Username":"{USER}","Secret":"{PASSWORD}"}}\' '
        '&& exit 0\necho "credentials not found in native keychain"; exit 1\n'
    )
    helper.chmod(helper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    _docker_config(docker_config, {"credsStore": "ocikit-test"})
    with Client(registry.address, plain_http=True, credentials="docker") as client:
        assert client.resolve(ref).digest == packed.digest
    _docker_config(docker_config, {"credHelpers": {"elsewhere.example": "ocikit-test"}})
    with Client(registry.address, plain_http=True, credentials="docker") as client:
        with pytest.raises(AuthenticationError):
            client.resolve(ref)  # no credentials for this registry at all


def test_secrets_stay_out_of_reprs(registries: dict[str, Registry]) -> None:
    registry = registries["basic"]
    client = Client(registry.address, plain_http=True, credentials=(USER, PASSWORD))
    session = client._session(registry.address)
    assert PASSWORD not in repr(client) + repr(session)
    assert (
        repr(session)
        == f"RegistrySession('{registry.address}', plain_http=True, credentials=Basic(\"{USER}\", ***))"
    )


def test_httpx_transport(registry: Registry, tmp_path: Path) -> None:
    """The optional httpx adapter does what the standard transport does (skipped without
    httpx, which ocikit does not require)."""
    pytest.importorskip("httpx")
    from ocikit import HttpxTransport

    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2 * CHUNK + 7))
    packed = pack([File.from_path(big), File("a.txt", b"via httpx\n")], artifact_type=TYPE)
    ref = f"{registry.address}/client/httpx:v1"
    with _client(registry, transport=HttpxTransport(), chunk_size=CHUNK) as client:
        client.push(ref, packed)
        pulled = client.pull(ref, tmp_path / "out")
        assert client.list_tags(ref) == ["v1"]
    assert pulled.manifest.digest == packed.digest
    assert (tmp_path / "out" / "big.bin").read_bytes() == big.read_bytes()
