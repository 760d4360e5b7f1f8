"""Layout tars with every command that takes a layout (``--oci-layout PATH.tar:TAG``,
``copy --from-oci-layout/--to-oci-layout``) against docker-registry, read back by the ORAS CLI,
and ``ocikit validate`` of a layout directory or tar."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

import ocikit as oci
from conftest import Registry, chdir, tool

DOCS = "application/vnd.example.docs.config.v1+json"
SIGNATURE = "application/vnd.example.signature.config.v1+json"


def _digest(out: str) -> str:
    last = out.strip().splitlines()[-1]
    assert last.startswith("Digest: "), out
    return last.removeprefix("Digest: ")


@pytest.fixture
def work(tmp_path: Path) -> Any:
    (tmp_path / "readme.md").write_text("# hello\n")
    (tmp_path / "sig.txt").write_text("signed\n")
    with chdir(tmp_path):
        yield tmp_path


def test_every_layout_command_with_a_tar(
    ocikit: Any, registries: dict[str, Registry], work: Path
) -> None:
    registry = registries["open"]
    push = ocikit("push", "--oci-layout", "a.tar:v1", "readme.md", "--artifact-type", DOCS)
    root = _digest(push.out)
    assert tarfile.open(work / "a.tar").getnames()[:2] == ["oci-layout", "index.json"]
    signature = _digest(
        ocikit("attach", "--oci-layout", "a.tar:v1", "sig.txt", "--artifact-type", SIGNATURE).out
    )
    tree = ocikit("discover", "--oci-layout", "a.tar:v1").out.splitlines()
    assert tree == [f"a.tar@{root}", f"└── {SIGNATURE}", f"    └── {signature}"]
    assert ocikit("tag", "--oci-layout", "a.tar:v1", "v2").out == "Tagged v2\n"
    assert ocikit("resolve", "--oci-layout", "a.tar:v2").out == f"{root}\n"
    assert ocikit("repo", "tags", "--oci-layout", "a.tar").out.split() == ["v1", "v2"]
    fetched = ocikit("manifest", "fetch", "--oci-layout", "a.tar:v1").out.encode()
    assert oci.digest(fetched) == root
    ocikit("pull", "--oci-layout", "a.tar:v1", "-o", "pulled")
    assert (work / "pulled" / "readme.md").read_text() == "# hello\n"
    # manifest push / delete and blob push / fetch write the tar back too
    (work / "m.json").write_bytes(fetched)
    ocikit("manifest", "push", "--oci-layout", "a.tar:again", "m.json")
    assert ocikit("resolve", "--oci-layout", "a.tar:again").out == f"{root}\n"
    blob = _digest(ocikit("blob", "push", "--oci-layout", "a.tar", "sig.txt").out)
    ocikit("blob", "fetch", "--oci-layout", f"a.tar@{blob}", "-o", "fetched.txt")
    assert (work / "fetched.txt").read_text() == "signed\n"
    assert oci.OciLayout(work / "a.tar").blob_exists(blob)

    # layout tar -> registry -> another layout tar, with the referrer
    ref = f"{registry.address}/layout-tar/docs:v1"
    ocikit("copy", "-r", "--from-oci-layout", "a.tar:v1", ref, "--plain-http")
    ocikit("copy", "-r", ref, "--to-oci-layout", "b.tar:v1", "--plain-http")
    back = oci.OciLayout(work / "b.tar", create=False)
    assert back.resolve("v1").digest == root
    assert [r.descriptor.digest for r in back.discover("v1")] == [signature]
    # tar -> tar
    ocikit("copy", "-r", "--from-oci-layout", "--to-oci-layout", "b.tar:v1", "c.tar:v3")
    assert ocikit("repo", "tags", "--oci-layout", "c.tar").out == "v3\n"

    # The ORAS CLI reads the tars ocikit writes.
    oras = tool("oras")
    found = subprocess.run(
        [oras, "discover", "--oci-layout", "b.tar:v1", "--format", "json"],
        check=True, capture_output=True, text=True, cwd=work,
    )  # fmt: skip
    assert [m["digest"] for m in json.loads(found.stdout)["referrers"]] == [signature]
    subprocess.run(
        [oras, "pull", "--oci-layout", "c.tar:v3", "-o", "oras-out"],
        check=True, capture_output=True, cwd=work,
    )  # fmt: skip
    assert (work / "oras-out" / "readme.md").read_text() == "# hello\n"
    # … and ocikit reads a layout ORAS wrote, archived by GNU tar ('./' names, directories).
    subprocess.run(
        [oras, "copy", "-r", "--from-plain-http", ref, "--to-oci-layout", "oras-dir:v1"],
        check=True, capture_output=True, cwd=work,
    )  # fmt: skip
    subprocess.run(["tar", "-C", "oras-dir", "-cf", "oras.tar", "."], check=True, cwd=work)
    assert ocikit("resolve", "--oci-layout", "oras.tar:v1").out == f"{root}\n"
    assert ocikit("validate", "oras.tar").status == 0

    # Deleting the manifest by a tag removes it under all its tags (v1, v2, again).
    ocikit("manifest", "delete", "--oci-layout", "a.tar:again", "-f")
    assert oci.OciLayout(work / "a.tar").list_tags() == []


def test_validate_a_layout_directory_or_tar(ocikit: Any, work: Path) -> None:
    ocikit("push", "--oci-layout", "dir:v1", "readme.md", "--artifact-type", DOCS)
    ocikit("push", "--oci-layout", "x.tar:v1", "readme.md", "--artifact-type", DOCS)
    for name in ("dir", "x.tar"):
        valid = ocikit("validate", name)
        assert valid.out.endswith(f"{name}: valid layout (0 errors, 0 warnings)\n"), valid.out
        assert json.loads(ocikit("validate", name, "--format", "json").out)["valid"] is True

    # A blob whose bytes are not its name: the layout's finding, exit 1.
    with tarfile.open(work / "x.tar") as archive:
        members = [(m, archive.extractfile(m).read() if m.isfile() else None) for m in archive]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for member, data in members:
            if member.name.endswith(_blob_of(members)):
                data = b"# HELLO\n"
            archive.addfile(member, io.BytesIO(data) if data is not None else None)
    (work / "bad.tar").write_bytes(out.getvalue())
    invalid = ocikit("validate", "bad.tar", check=False)
    assert invalid.status == 1 and "DIGEST_MISMATCH" in invalid.out, invalid.out

    # A hostile tar: the refusal's code.
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        link = tarfile.TarInfo("index.json")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
    (work / "evil.tar").write_bytes(out.getvalue())
    refused = ocikit("validate", "evil.tar", check=False)
    assert refused.status == 1 and refused.err.startswith("error[ARCHIVE_UNSAFE]: "), refused.err
    pulled = ocikit("pull", "--oci-layout", "evil.tar:v1", "-o", "o", check=False)
    assert pulled.status != 0 and "ARCHIVE_UNSAFE" in pulled.err


def _blob_of(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> str:
    """The name of the readme's blob (the layer: the bytes of readme.md)."""
    for member, data in members:
        if data == b"# hello\n":
            return member.name
    raise AssertionError("no readme blob")
