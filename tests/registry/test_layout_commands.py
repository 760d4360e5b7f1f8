"""OCI image layouts next to real registries: ``copy`` between a layout and a registry
(``--from-oci-layout``/``--to-oci-layout``, with referrers), ``ocikit.copy`` with a ``Client``
on one side, and the ORAS CLI reading what ``ocikit attach --oci-layout`` wrote and the reverse.
The layout commands on their own are in tests/python/test_layout_cli.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

import ocikit as oci
from conftest import Registry, chdir, tool

DOCS = "application/vnd.example.docs.config.v1+json"
SIGNATURE = "application/vnd.example.signature.config.v1+json"
SBOM = "application/vnd.example.sbom.config.v1+json"


@pytest.fixture
def work(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "readme.md").write_text("# hello\n")
    (work / "data.bin").write_bytes(bytes(range(256)) * 9000)  # 2.2 MiB
    (work / "sig.txt").write_text("signed\n")
    return work


def _digest(out: str) -> str:
    last = out.strip().splitlines()[-1]
    assert last.startswith("Digest: "), out
    return last.removeprefix("Digest: ")


def _blobs(path: Path) -> dict[str, bytes]:
    return {
        str(file.relative_to(path)): file.read_bytes()
        for file in sorted((path / "blobs").rglob("*"))
        if file.is_file()
    }


def test_copy_layout_to_registry_to_layout_with_referrers(
    ocikit: Any, registry: Registry, work: Path
) -> None:
    remote = ("--plain-http", *registry.auth)
    with chdir(work):
        root = _digest(
            ocikit("push", "--oci-layout", "source:v1", "readme.md:text/markdown", "data.bin",
                   "--artifact-type", DOCS).out  # fmt: skip
        )
        signature = _digest(
            ocikit("attach", "--oci-layout", "source:v1", "sig.txt", "--artifact-type",
                   SIGNATURE).out  # fmt: skip
        )
        nested = _digest(
            ocikit("attach", "--oci-layout", f"source@{signature}", "sig.txt", "--artifact-type",
                   SBOM).out  # fmt: skip
        )
        repository = f"{registry.address}/layouts/round-trip"
        up = ocikit("copy", "--from-oci-layout", "source:v1", f"{repository}:v1", "-r", *remote)
        assert up.out.splitlines() == [
            f"Copied [oci-layout] source:v1 => [registry] {repository}:v1",
            f"Digest: {root}",
        ]
        # In the registry, the referrers are found through its referrers tag schema.
        found = json.loads(
            ocikit("discover", f"{repository}:v1", "--format", "json", *remote).out
        )
        assert [n["digest"] for n in found["referrers"]] == [signature]
        assert [n["digest"] for n in found["referrers"][0]["referrers"]] == [nested]

        down = ocikit("copy", f"{repository}:v1", "--to-oci-layout", "back:stable", "-r", *remote)
        assert down.out.splitlines() == [
            f"Copied [registry] {repository}:v1 => [oci-layout] back:stable",
            f"Digest: {root}",
        ]
    # Every blob (manifests, configs, layers) is back byte for byte; nothing else came along
    # (no referrers tag index: a layout does not need one).
    assert _blobs(work / "back") == _blobs(work / "source")
    back = oci.OciLayout(work / "back")
    assert back.list_tags() == ["stable"]
    assert back.verify().valid
    assert [r.digest for r in back.referrers("stable")] == [signature]
    assert [r.digest for r in back.referrers(signature)] == [nested]


def test_copy_api_between_a_client_and_a_layout(registry: Registry, tmp_path: Path) -> None:
    layout = oci.OciLayout(tmp_path / "layout")
    packed = oci.pack(
        [oci.File("notes.txt", b"notes\n", media_type="text/plain")], artifact_type=DOCS
    )
    layout.write(packed, "v1")
    signature = oci.pack(
        [oci.File("sig", b"sig")], artifact_type=SIGNATURE, subject=packed.manifest.descriptor
    )
    layout.attach(signature)
    name = f"{registry.address}/layouts/api"
    with oci.Client(
        registry.address, plain_http=True, credentials=registry.credentials
    ) as client:
        up = oci.copy(layout, "v1", client, f"{name}:v1", referrers=True)
        assert up.digest == packed.digest
        repository = oci.Repository(client, name)
        assert repository.resolve("v1").digest == packed.digest
        assert [r.digest for r in repository.referrers("v1")] == [signature.digest]
        assert repository.fetch(packed.digest).data == packed.manifest.to_json()

        copy = oci.OciLayout(tmp_path / "copy")
        down = oci.copy(client, f"{name}@{packed.digest}", copy, referrers=True)
        assert down.digest == packed.digest
    assert copy.list_tags() == []  # copied by digest: untagged
    assert copy.fetch(packed.digest).data == packed.manifest.to_json()
    assert [r.digest for r in copy.referrers(packed.digest)] == [signature.digest]
    with pytest.raises(ValueError, match="dst_ref"):
        oci.copy(layout, "v1", client)


def test_copy_from_a_layout_with_a_missing_blob_is_blob_unknown(
    ocikit: Any, registries: dict[str, Registry], work: Path
) -> None:
    registry = registries["open"]
    with chdir(work):
        ocikit("push", "--oci-layout", "broken:v1", "data.bin", "--artifact-type", DOCS)
    layer = oci.OciLayout(work / "broken").fetch_manifest("v1").layers[0]
    (work / "broken" / oci.Layout.blob_path(layer.digest)).unlink()
    failed = ocikit(
        "copy", "--from-oci-layout", str(work / "broken:v1"),
        f"{registry.address}/layouts/broken:v1", "--plain-http", check=False,
    )  # fmt: skip
    assert failed.status == 2 and failed.err.startswith("error[BLOB_UNKNOWN]: ")


def _oras(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        [tool("oras"), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"oras {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_oras_discovers_what_ocikit_attached_in_a_layout_and_the_reverse(
    ocikit: Any, work: Path
) -> None:
    with chdir(work):
        root = _digest(
            ocikit("push", "--oci-layout", "layout:v1", "readme.md", "--artifact-type",
                   DOCS).out  # fmt: skip
        )
        ours = _digest(
            ocikit("attach", "--oci-layout", "layout:v1", "sig.txt", "--artifact-type",
                   SIGNATURE).out  # fmt: skip
        )
    seen = json.loads(_oras("discover", "--oci-layout", "layout:v1", "--format", "json", cwd=work))
    assert seen["digest"] == root
    assert [(n["digest"], n["artifactType"]) for n in seen["referrers"]] == [(ours, SIGNATURE)]

    _oras("attach", "--oci-layout", "layout:v1", "sig.txt", "--artifact-type", SBOM, cwd=work)
    found = json.loads(
        ocikit("discover", "--oci-layout", str(work / "layout:v1"), "--format", "json").out
    )
    types = {n["artifactType"]: n["digest"] for n in found["referrers"]}
    assert set(types) == {SIGNATURE, SBOM} and types[SIGNATURE] == ours
    only_oras = ocikit(
        "discover", "--oci-layout", str(work / "layout:v1"), "--artifact-type", SBOM,
        "--format", "json",
    )  # fmt: skip
    oras_digest = types[SBOM]
    assert [n["digest"] for n in json.loads(only_oras.out)["referrers"]] == [oras_digest]
    # And ORAS reads back the tags ocikit wrote, and fetches what ORAS attached the same way.
    assert _oras("repo", "tags", "--oci-layout", "layout", cwd=work).split() == ["v1"]
    fetched = ocikit("manifest", "fetch", "--oci-layout", str(work / f"layout@{oras_digest}"))
    assert fetched.out == _oras(
        "manifest", "fetch", "--oci-layout", f"layout@{oras_digest}", cwd=work
    )
    assert oci.OciLayout(work / "layout").verify().valid
