"""OCI layouts as tar archives: the core's writer and reader (tests/vectors/layout-tar/, the
contract JS checks too), and ``OciLayout("x.tar")`` — read without trust, written back
atomically after each operation that changed it, created by the first write. The same layouts
against a real registry and with the CLI are in tests/registry/test_layout_tar.py."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tarfile
from pathlib import Path
from typing import Any

import pytest

import ocikit
from ocikit import OciError, OciLayout
from ocikit._ocikit import read_layout_tar, write_layout_tar

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "vectors" / "layout-tar" / "cases.json").read_text())
DOCS = "application/vnd.example.docs.config.v1+json"


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("case", CASES["written"], ids=lambda case: case["name"])
def test_written_vectors(case: dict[str, Any]) -> None:
    files = [(f["path"], base64.b64decode(f["data"])) for f in case["files"]]
    tar = write_layout_tar(files)
    assert (_sha256(tar), len(tar)) == (case["digest"], case["size"])
    assert write_layout_tar(files[::-1]) == tar  # the order given does not matter
    assert sorted(read_layout_tar(tar)) == sorted(files)


@pytest.mark.parametrize("case", CASES["artifacts"], ids=lambda case: case["name"])
def test_artifact_vectors(tmp_path: Path, case: dict[str, Any]) -> None:
    """A manifest, its blobs and a tag written into a new layout tar give the bytes JS's
    layoutTar and OciLayout.push give."""
    manifest = ocikit.Manifest.from_json(base64.b64decode(case["manifest"]))
    with OciLayout(tmp_path / "x.tar") as layout:
        for data in map(base64.b64decode, case["blobs"]):
            descriptor = ocikit.Descriptor(
                media_type="application/octet-stream", digest=ocikit.digest(data), size=len(data)
            )
            layout.push_blob(descriptor, data)
        layout.push_manifest(manifest, case["tag"])
    tar = (tmp_path / "x.tar").read_bytes()
    assert (_sha256(tar), len(tar)) == (case["digest"], case["size"])


@pytest.mark.parametrize("case", CASES["refused"], ids=lambda case: case["name"])
def test_refused_vectors(tmp_path: Path, case: dict[str, Any]) -> None:
    data = base64.b64decode(case["tar"])
    with pytest.raises(OciError) as raised:
        read_layout_tar(data, case.get("entriesMax", 100_000))
    assert raised.value.code == case["code"]
    if "entriesMax" in case:
        return
    (tmp_path / "bad.tar").write_bytes(data)
    with pytest.raises(OciError) as raised:
        OciLayout(tmp_path / "bad.tar")
    assert raised.value.code == case["code"]
    assert sorted(os.listdir(tmp_path)) == ["bad.tar"]  # nothing extracted next to it


def test_a_tar_layout_is_created_by_its_first_write_and_written_back_after_each(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.tar"
    layout = OciLayout(path)
    assert layout.path == path and not path.exists()  # opening writes nothing
    assert layout.tags == ()
    packed = ocikit.pack([ocikit.File("a.txt", b"hello")], artifact_type=DOCS)
    descriptor = layout.write(packed, "v1")  # no close(): written back by the operation
    first = path.read_bytes()
    assert tarfile.open(path).getnames()[:2] == ["oci-layout", "index.json"]
    layout.tag("v1", "v2")
    assert path.read_bytes() != first
    again = OciLayout(path, create=False)
    assert again.tags == ("v1", "v2")
    assert again.resolve("v2").digest == descriptor.digest
    assert again.verify().valid
    pulled = again.pull("v1", tmp_path / "out")
    assert (tmp_path / "out" / "a.txt").read_bytes() == b"hello" and len(pulled.files) == 1
    # Reading changes nothing: the file is not rewritten.
    mtime = path.stat().st_mtime_ns
    again.list_tags(), again.discover("v1"), again.close()
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.tar", "out"]  # no temporaries


def test_a_missing_tar_with_create_false(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        OciLayout(tmp_path / "missing.tar", create=False)


def test_copy_between_a_directory_and_a_tar_with_referrers(tmp_path: Path) -> None:
    directory = OciLayout(tmp_path / "dir")
    subject = directory.write(ocikit.pack([ocikit.File("a.txt", b"a")], artifact_type=DOCS), "v1")
    signature = ocikit.pack(
        [ocikit.File("sig", b"s")], artifact_type="application/vnd.example.sig", subject=subject
    )
    directory.attach(signature)
    tar = OciLayout(tmp_path / "copy.tar")
    ocikit.copy(directory, "v1", tar, "v1", referrers=True)
    back = OciLayout(tmp_path / "copy.tar")
    found = [r.descriptor.artifact_type for r in back.discover("v1")]
    assert found == ["application/vnd.example.sig"]
    # and back into another directory, byte for byte the same documents
    other = OciLayout(tmp_path / "dir2")
    ocikit.copy(back, "v1", other, "v1", referrers=True)
    assert other.fetch("v1").data == directory.fetch("v1").data


def test_the_tar_is_replaced_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails leaves the previous tar whole (a temporary file, then a rename)."""
    path = tmp_path / "x.tar"
    layout = OciLayout(path)
    layout.write(ocikit.pack([ocikit.File("a.txt", b"a")], artifact_type=DOCS), "v1")
    before = path.read_bytes()

    def failing(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        layout.tag("v1", "v2")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tar"]


def test_concurrent_writes_all_reach_the_tar(tmp_path: Path) -> None:
    """Each operation's write-back is serialized, and a change made while another is written
    is written by its own operation: no tag is lost from the tar."""
    import concurrent.futures

    layout = OciLayout(tmp_path / "x.tar")
    packs = [
        ocikit.pack([ocikit.File(f"{i}.txt", b"%d" % i)], artifact_type=DOCS) for i in range(8)
    ]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: layout.write(packs[i], f"v{i}"), range(8)))
    assert OciLayout(tmp_path / "x.tar").list_tags() == [f"v{i}" for i in range(8)]


def test_a_tar_with_files_but_no_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.tar"
    path.write_bytes(write_layout_tar([("notes.txt", b"not a layout")]))
    with pytest.raises(FileExistsError) as raised:
        OciLayout(path)
    assert raised.value.filename == str(path)


def test_a_directory_named_like_a_tar_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.tar").mkdir()
    layout = OciLayout(tmp_path / "dir.tar")
    layout.write(ocikit.pack([ocikit.File("a.txt", b"a")], artifact_type=DOCS), "v1")
    assert (tmp_path / "dir.tar" / "index.json").is_file()
    assert OciLayout(tmp_path / "dir.tar").tags == ("v1",)
