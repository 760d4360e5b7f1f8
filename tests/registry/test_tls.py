"""TLS and mTLS for real (issue 13): docker-registry on 127.0.0.1 with a certificate of a
private authority made here with openssl, and one that also asks for a client certificate
(``http.tls.clientcas``). The CLI pushes and pulls with ``--ca-file``, with ``--insecure``,
fails with TLS_ERROR and a hint without either, and presents ``--cert-file``/``--key-file``."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import _free_port, chdir, tool

TYPE = "application/vnd.example.tls.config.v1+json"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _authority(directory: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={name}",
        cwd=directory,
    )  # fmt: skip


def _issue(directory: Path, name: str, authority: str, extensions: str) -> None:
    (directory / f"{name}.ext").write_text(extensions)
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}", cwd=directory,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", f"{name}.csr", "-CA", f"{authority}.pem",
        "-CAkey", f"{authority}.key", "-CAcreateserial", "-out", f"{name}.pem", "-days", "2",
        "-extfile", f"{name}.ext", cwd=directory,
    )  # fmt: skip


@dataclass
class TlsRegistry:
    address: str
    directory: Path


def _serve(directory: Path, client_cas: bool) -> Iterator[TlsRegistry]:
    port = _free_port()
    tls = (
        f"  tls:\n    certificate: {directory / 'server.pem'}\n"
        f"    key: {directory / 'server.key'}\n"
    )
    if client_cas:
        tls += f"    clientcas:\n      - {directory / 'client-ca.pem'}\n"
    data = directory / f"data-{port}"
    config = directory / f"config-{port}.yml"
    config.write_text(
        "version: 0.1\nlog:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {data}\n"
        f"http:\n  addr: 127.0.0.1:{port}\n{tls}"
    )
    log = open(directory / f"registry-{port}.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [tool("docker-registry"), "serve", str(config)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/", timeout=1):
                    pass
            except urllib.error.HTTPError:
                break  # an HTTP answer to plain HTTP: it listens
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((directory / f"registry-{port}.log").read_text()) from None
                time.sleep(0.05)
                continue
            break
        yield TlsRegistry(f"127.0.0.1:{port}", directory)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tls")
    _authority(directory, "ca")
    _issue(directory, "server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    _authority(directory, "client-ca")
    _issue(directory, "client", "client-ca", "extendedKeyUsage=clientAuth\n")
    return directory


@pytest.fixture(scope="module")
def tls_registry(certificates: Path) -> Iterator[TlsRegistry]:
    yield from _serve(certificates, client_cas=False)


@pytest.fixture(scope="module")
def mtls_registry(certificates: Path) -> Iterator[TlsRegistry]:
    yield from _serve(certificates, client_cas=True)


def _push(ocikit: Any, ref: str, work: Path, *flags: str, check: bool = True) -> Any:
    (work / "a.txt").write_text("over TLS\n")
    with chdir(work):
        return ocikit("push", ref, "a.txt", "--artifact-type", TYPE, *flags, check=check)


def test_ca_file_insecure_and_neither(
    ocikit: Any, tls_registry: TlsRegistry, tmp_path: Path
) -> None:
    ca = str(tls_registry.directory / "ca.pem")
    ref = f"{tls_registry.address}/tls/app:v1"
    failed = _push(ocikit, ref, tmp_path, check=False)
    assert failed.status == 1
    assert failed.err.startswith(f"error[TLS_ERROR]: TLS error with {tls_registry.address}: ")
    assert "CERTIFICATE_VERIFY_FAILED" in failed.err
    assert failed.err.endswith(
        "hint: trust the registry's certificate authority with --ca-file FILE, or (a test "
        "registry) skip verification with --insecure\n"
    )
    pushed = _push(ocikit, ref, tmp_path, "--ca-file", ca).out.splitlines()[-1]
    out = tmp_path / "out"
    pulled = ocikit("pull", ref, "-o", str(out), "--ca-file", ca)
    assert pulled.out.splitlines()[-1] == pushed
    assert (out / "a.txt").read_text() == "over TLS\n"
    insecure = ocikit("resolve", ref, "--insecure")
    assert f"Digest: {insecure.out.strip()}" == pushed
    again = tmp_path / "again"
    ocikit("pull", ref, "-o", str(again), "--insecure")
    assert (again / "a.txt").read_text() == "over TLS\n"
    bad = ocikit("resolve", ref, "--ca-file", str(tls_registry.directory / "server.ext"),
                 check=False)  # fmt: skip
    assert bad.status == 2 and bad.err.startswith("error: --ca-file ")


def test_client_certificate(ocikit: Any, mtls_registry: TlsRegistry, tmp_path: Path) -> None:
    directory = mtls_registry.directory
    ca = ["--ca-file", str(directory / "ca.pem")]
    client = [
        "--cert-file",
        str(directory / "client.pem"),
        "--key-file",
        str(directory / "client.key"),
    ]
    ref = f"{mtls_registry.address}/mtls/app:v1"
    refused = _push(ocikit, ref, tmp_path, *ca, check=False)
    assert refused.status == 1
    assert refused.err.startswith(f"error[TLS_ERROR]: TLS error with {mtls_registry.address}: ")
    assert refused.err.endswith(
        "hint: the registry asks for a client certificate: give --cert-file FILE and "
        "--key-file FILE\n"
    )
    pushed = _push(ocikit, ref, tmp_path, *ca, *client).out.splitlines()[-1]
    found = ocikit("resolve", ref, *ca, *client)
    assert f"Digest: {found.out.strip()}" == pushed
    half = ocikit("resolve", ref, *ca, "--cert-file", str(directory / "client.pem"), check=False)
    assert (half.status, half.err) == (2, "error: --cert-file and --key-file go together\n")


def test_python_clients_take_an_ssl_context(
    mtls_registry: TlsRegistry, tls_registry: TlsRegistry
) -> None:
    """Client(ssl_context=...) and AsyncClient(ssl_context=...): the CLI's options, in the API."""
    import asyncio
    import ssl

    from ocikit import AsyncClient, Client, File, NetworkError, pack

    directory = mtls_registry.directory
    trusted = ssl.create_default_context(cafile=str(directory / "ca.pem"))
    with_client = ssl.create_default_context(cafile=str(directory / "ca.pem"))
    with_client.load_cert_chain(str(directory / "client.pem"), str(directory / "client.key"))
    packed = pack([File("a.txt", b"api\n")], artifact_type=TYPE)

    with Client(tls_registry.address, ssl_context=trusted) as client:
        pushed = client.push(f"{tls_registry.address}/api/app:v1", packed).descriptor
    with Client(tls_registry.address) as client, pytest.raises(NetworkError) as failed:
        client.resolve(f"{tls_registry.address}/api/app:v1")
    assert failed.value.code == "TLS_ERROR"
    with Client(mtls_registry.address, ssl_context=trusted) as client:
        with pytest.raises(NetworkError) as refused:
            client.push(f"{mtls_registry.address}/api/app:v1", packed)
        assert refused.value.code == "TLS_ERROR"
    with Client(mtls_registry.address, ssl_context=with_client) as client:
        assert client.push(f"{mtls_registry.address}/api/app:v1", packed).descriptor == pushed

    async def through_asyncio() -> str:
        async with AsyncClient(mtls_registry.address, ssl_context=with_client) as client:
            return str((await client.resolve(f"{mtls_registry.address}/api/app:v1")).digest)

    assert asyncio.run(through_asyncio()) == pushed.digest
