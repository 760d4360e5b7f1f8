"""Interop through a real registry, both ways, with the ORAS CLI, oras-py (PyPI ``oras``) and
skopeo: what ocikit pushes, they pull byte for byte (and ORAS discovers what ocikit attached);
what they push, ocikit pulls (and discovers what ORAS attached)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry, chdir, tool
from ocikit import Manifest

TYPE = "application/vnd.example.interop.config.v1+json"
SIGNATURE = "application/vnd.example.signature.config.v1+json"


def _oras(registry: Registry, *args: str, cwd: Path) -> str:
    auth = ["-u", registry.auth[1], "-p", registry.auth[3]] if registry.auth else []
    result = subprocess.run(
        [tool("oras"), *args, "--plain-http", *auth],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": str(cwd)},  # no stray ORAS credentials
    )  # fmt: skip
    assert result.returncode == 0, f"oras {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(params=["open", "basic"])
def interop_registry(request: pytest.FixtureRequest, registries: dict[str, Registry]) -> Registry:
    return registries[request.param]


def test_ocikit_push_then_oras_pull_and_discover(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "guide.md").write_text("# guide\n")
    (work / "blob.bin").write_bytes(os.urandom(3 << 20))
    ref = f"{registry.address}/interop/from-ocikit:v1"
    remote = ("--plain-http", *registry.auth)
    with chdir(work):
        ocikit("push", ref, "docs/guide.md:text/markdown", "blob.bin", "--artifact-type", TYPE,
               "--chunk-size", str(1 << 20), *remote)  # fmt: skip
        attached = ocikit("attach", ref, "docs/guide.md", "--artifact-type", SIGNATURE, *remote)
    out = tmp_path / "oras-out"
    out.mkdir()
    _oras(registry, "pull", ref, "-o", str(out), cwd=tmp_path)
    assert (out / "docs" / "guide.md").read_bytes() == (work / "docs" / "guide.md").read_bytes()
    assert (out / "blob.bin").read_bytes() == (work / "blob.bin").read_bytes()
    discovered = _oras(registry, "discover", ref, "--format", "tree", cwd=tmp_path)
    assert attached.out.splitlines()[-1].removeprefix("Digest: ") in discovered
    assert SIGNATURE in discovered


def test_oras_push_then_ocikit_pull_and_discover(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("from oras\n")
    (work / "big.bin").write_bytes(os.urandom(2 << 20))
    (work / "sig.txt").write_text("signed by oras\n")
    ref = f"{registry.address}/interop/from-oras:v1"
    _oras(
        registry, "push", ref, "notes.txt:text/plain", "big.bin", "--artifact-type", TYPE, cwd=work
    )
    _oras(registry, "attach", ref, "sig.txt", "--artifact-type", SIGNATURE, cwd=work)
    out = tmp_path / "ocikit-out"
    remote = ("--plain-http", *registry.auth)
    ocikit("pull", ref, "-o", str(out), *remote)
    for name in ("notes.txt", "big.bin"):
        assert (out / name).read_bytes() == (work / name).read_bytes()
    tree = ocikit("discover", ref, *remote).out
    assert f"└── {SIGNATURE}" in tree


# oras-py (PyPI `oras`) and skopeo, both ways -------------------------------------------------


def _oras_py(registry: Registry) -> Any:
    import oras.client

    if registry.credentials is None:
        return oras.client.OrasClient(hostname=registry.address, insecure=True)
    client = oras.client.OrasClient(hostname=registry.address, insecure=True, auth_backend="basic")
    client.auth.set_basic_auth(*registry.credentials)
    return client


def _skopeo(*args: str) -> None:
    result = subprocess.run(
        [tool("skopeo"), "--insecure-policy", "copy", "--preserve-digests", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, f"skopeo copy {' '.join(args)}:\n{result.stderr}"


def _creds(registry: Registry, side: str) -> list[str]:
    flags = [f"--{side}-tls-verify=false"]
    if registry.credentials is not None:
        flags.append(f"--{side}-creds={':'.join(registry.credentials)}")
    return flags


def test_ocikit_push_then_oras_py_pull(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.md").write_text("# from ocikit\n")
    (work / "blob.bin").write_bytes(os.urandom(3 << 20))
    ref = f"{registry.address}/interop/ocikit-to-oras-py:v1"
    with chdir(work):
        ocikit("push", ref, "notes.md:text/markdown", "blob.bin", "--artifact-type", TYPE,
               "--plain-http", "--chunk-size", str(1 << 20), *registry.auth)  # fmt: skip
    out = tmp_path / "oras-py-out"
    pulled = _oras_py(registry).pull(target=ref, outdir=str(out))
    assert sorted(Path(p).name for p in pulled) == ["blob.bin", "notes.md"]
    for name in ("notes.md", "blob.bin"):
        assert (out / name).read_bytes() == (work / name).read_bytes()


def test_oras_py_push_then_ocikit_pull(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    work.mkdir()
    (work / "readme.txt").write_text("from oras-py\n")
    (work / "model.bin").write_bytes(os.urandom(2 << 20))
    ref = f"{registry.address}/interop/oras-py-to-ocikit:v1"
    with chdir(work):
        response = _oras_py(registry).push(
            target=ref, files=["readme.txt:text/plain", "model.bin"], quiet=True
        )
    assert response.status_code == 201
    out = tmp_path / "ocikit-out"
    pulled = ocikit("pull", ref, "-o", str(out), "--plain-http", *registry.auth)
    assert sorted(pulled.out.splitlines()[:2]) == ["Pulled model.bin", "Pulled readme.txt"]
    for name in ("readme.txt", "model.bin"):
        assert (out / name).read_bytes() == (work / name).read_bytes()
    # The manifest ocikit pulled is the one oras-py pushed, byte for byte.
    digest = pulled.out.splitlines()[-1].removeprefix("Digest: ")
    assert digest == response.headers["Docker-Content-Digest"]


def test_ocikit_push_then_skopeo_copy_to_a_layout(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    work.mkdir()
    (work / "a.txt").write_text("to skopeo\n")
    (work / "b.bin").write_bytes(os.urandom(1 << 20))
    ref = f"{registry.address}/interop/ocikit-to-skopeo:v1"
    exported = tmp_path / "manifest.json"
    with chdir(work):
        ocikit("push", ref, "a.txt", "b.bin", "--artifact-type", TYPE, "--plain-http",
               "--export-manifest", str(exported), *registry.auth)  # fmt: skip
    layout = tmp_path / "layout"
    _skopeo(*_creds(registry, "src"), f"docker://{ref}", f"oci:{layout}:v1")
    index = json.loads((layout / "index.json").read_text())
    manifest = Manifest.from_json(exported.read_bytes())
    assert [m["digest"] for m in index["manifests"]] == [manifest.digest]
    blobs = layout / "blobs" / "sha256"
    assert (blobs / manifest.digest.split(":")[1]).read_bytes() == exported.read_bytes()
    for layer in manifest.layers:
        title = layer.annotations["org.opencontainers.image.title"]
        assert (blobs / layer.digest.split(":")[1]).read_bytes() == (work / title).read_bytes()


def test_skopeo_copy_from_a_layout_then_ocikit_pull(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    work.mkdir()
    (work / "doc.md").write_text("# via skopeo\n")
    (work / "data.bin").write_bytes(os.urandom(1 << 20))
    layout = tmp_path / "layout"
    with chdir(work):
        pushed = ocikit("push", "--oci-layout", f"{layout}:v1", "doc.md:text/markdown",
                        "data.bin", "--artifact-type", TYPE)  # fmt: skip
    digest = pushed.out.splitlines()[-1].removeprefix("Digest: ")
    ref = f"{registry.address}/interop/skopeo-to-ocikit:v1"
    _skopeo(*_creds(registry, "dest"), f"oci:{layout}:v1", f"docker://{ref}")
    out = tmp_path / "ocikit-out"
    pulled = ocikit("pull", ref, "-o", str(out), "--plain-http", *registry.auth)
    assert pulled.out.splitlines()[-1] == f"Digest: {digest}"
    for name in ("doc.md", "data.bin"):
        assert (out / name).read_bytes() == (work / name).read_bytes()
