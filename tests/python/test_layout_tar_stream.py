"""``OciLayout("x.tar")`` streams its tar both ways: read in 1 MiB pieces through the core's
``_LayoutTarReader`` into the working directory, written back from the core's
``layout_tar_pieces`` with each file copied from disk. So memory does not grow with the
artifact (a 512 MiB push, tag and pull through a tar stay far below its size), the bytes are
``write_layout_tar``'s, every refusal of ``read_layout_tar`` still happens (and leaves no
working directory), and a write-back that fails leaves the previous tar whole."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

import ocikit
from ocikit import OciError, OciLayout
from ocikit import _layout
from ocikit._ocikit import _LayoutTarReader, layout_tar_pieces, read_layout_tar, write_layout_tar

ROOT = Path(__file__).resolve().parents[2]
CASES = json.loads((ROOT / "tests" / "vectors" / "layout-tar" / "cases.json").read_text())
DOCS = "application/vnd.example.docs.config.v1+json"


def _files(tar: bytes) -> list[tuple[str, bytes]]:
    """The regular files of a tar as Python's tarfile reads them."""
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        return [
            (member.name, archive.extractfile(member).read())  # type: ignore[union-attr]
            for member in archive.getmembers()
            if member.isfile()
        ]


# The core's plan and streaming reader, as the binding gives them --------------------------


@pytest.mark.parametrize("case", CASES["written"], ids=lambda case: case["name"])
def test_the_plan_joined_with_the_contents_is_the_written_tar(case: dict[str, Any]) -> None:
    files = [(f["path"], base64.b64decode(f["data"])) for f in case["files"]]
    pieces = layout_tar_pieces([(path, len(data)) for path, data in files])
    joined = b"".join(piece if isinstance(piece, bytes) else files[piece[0]][1] for piece in pieces)
    assert joined == write_layout_tar(files)
    assert all(
        files[index][0] == path and len(files[index][1]) == size
        for index, path, size in (p for p in pieces if isinstance(p, tuple))
    )


def _stream(data: bytes, piece: int, entries_max: int = 100_000) -> list[tuple[str, bytes]]:
    reader = _LayoutTarReader(entries_max)
    files: list[tuple[str, bytes]] = []
    current: tuple[str, int, bytearray] | None = None
    for start in range(0, len(data), piece):
        for event in reader.feed(data[start : start + piece]):
            if event[0] == "file":
                current = (event[1], event[2], bytearray())
            elif event[0] == "data":
                assert current is not None
                current[2].extend(event[1])
            else:
                assert event == ("file_end",) and current is not None
                assert len(current[2]) == current[1]
                files.append((current[0], bytes(current[2])))
                current = None
    reader.finish()
    return sorted(files)


@pytest.mark.parametrize("piece", [1, 7, 512, 513, 1 << 20])
def test_the_streaming_reader_reads_what_read_layout_tar_reads(piece: int) -> None:
    for case in CASES["written"]:
        files = [(f["path"], base64.b64decode(f["data"])) for f in case["files"]]
        tar = write_layout_tar(files)
        assert _stream(tar, piece) == sorted(read_layout_tar(tar)) == sorted(files)
    for case in CASES["refused"]:
        data = base64.b64decode(case["tar"])
        entries_max = case.get("entriesMax", 100_000)
        with pytest.raises(OciError) as whole:
            read_layout_tar(data, entries_max)
        with pytest.raises(OciError) as streamed:
            _stream(data, piece, entries_max)
        assert (streamed.value.code, streamed.value.details) == (
            whole.value.code,
            whole.value.details,
        ), case["name"]
        assert streamed.value.code == case["code"]


# Byte identity of OciLayout's streamed write-back -------------------------------------------


def test_a_streamed_tar_is_write_layout_tars_bytes(tmp_path: Path) -> None:
    path = tmp_path / "x.tar"
    sizes = [0, 1, 511, 512, 513, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7]
    with OciLayout(path) as layout:
        packed = ocikit.pack(
            [ocikit.File(f"f{size}.bin", os.urandom(size)) for size in sizes],
            artifact_type=DOCS,
        )
        layout.write(packed, "v1")
    tar = path.read_bytes()
    assert tar == write_layout_tar(_files(tar))
    # Read back (streamed) and written again after a tag: still the core's bytes.
    with OciLayout(path) as again:
        again.tag("v1", "v2")
    retagged = path.read_bytes()
    assert retagged == write_layout_tar(_files(retagged))
    # The same files, only index.json changed.
    old, new = dict(_files(tar)), dict(_files(retagged))
    assert old.keys() == new.keys()
    assert [n for n in old if old[n] != new[n]] == ["index.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tar"]  # no temporaries


# Memory: a large artifact through a tar ------------------------------------------------------

_PEAK = textwrap.dedent(
    """
    import resource, subprocess, sys
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """
)

_CLI = "import sys; from ocikit.cli import main; sys.exit(main(sys.argv[1:]))"


def _peak_kib(cwd: Path, *argv: str) -> int:
    """The peak resident memory (KiB) of ``ocikit argv…`` run in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, sys.executable, "-c", _CLI, *argv],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.split()[-1])


def test_a_large_artifact_through_a_tar_does_not_grow_memory(tmp_path: Path) -> None:
    """Push, retag and pull 512 MiB of random bytes through ``--oci-layout x.tar``: each
    command's peak RSS stays under 200 MiB (reading and writing the whole tar in memory
    needed more than 1 GiB)."""
    size = 512 << 20
    big = tmp_path / "big.bin"
    hasher = hashlib.sha256()
    with open(big, "wb") as file:
        for _ in range(size >> 20):
            chunk = os.urandom(1 << 20)
            hasher.update(chunk)
            file.write(chunk)
    limit_kib = 200 << 10
    push = _peak_kib(
        tmp_path, "push", "--oci-layout", "x.tar:v1", "big.bin", "--artifact-type", DOCS
    )
    big.unlink()  # room on the disk; its digest is kept
    tar = tmp_path / "x.tar"
    assert tar.stat().st_size > size
    tag = _peak_kib(tmp_path, "tag", "--oci-layout", "x.tar:v1", "v2")
    pull = _peak_kib(tmp_path, "pull", "--oci-layout", "x.tar:v2", "-o", "out")
    peaks = {"push": push, "tag": tag, "pull": pull}
    assert all(peak < limit_kib for peak in peaks.values()), peaks
    pulled = tmp_path / "out" / "big.bin"
    assert pulled.stat().st_size == size
    digest = hashlib.sha256()
    with open(pulled, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    assert digest.hexdigest() == hasher.hexdigest()
    with tarfile.open(tar) as archive:
        assert archive.getnames()[:2] == ["oci-layout", "index.json"]
        assert f"blobs/sha256/{hasher.hexdigest()}" in archive.getnames()


# Refusals through the streaming path ----------------------------------------------------------


def _header(name: str, typeflag: bytes, size: int) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = size
    info.type = typeflag
    return info.tobuf(format=tarfile.USTAR_FORMAT)


def _entry(name: str, data: bytes, typeflag: bytes = tarfile.REGTYPE) -> bytes:
    padding = -len(data) % 512
    return _header(name, typeflag, len(data)) + data + b"\0" * padding


_LAYOUT = _entry("oci-layout", b'{"imageLayoutVersion":"1.0.0"}') + _entry(
    "index.json", b'{"schemaVersion":2,"manifests":[]}'
)
_BIG = os.urandom(3 << 20)  # several read pieces: a refusal after files were written


@pytest.mark.parametrize(
    ("name", "tar", "code"),
    [
        ("a symbolic link", _LAYOUT + _entry("blobs/l", b"", tarfile.SYMTYPE), "ARCHIVE_UNSAFE"),
        ("a '..' name", _LAYOUT + _entry("blobs/../../x", b"x"), "ARCHIVE_UNSAFE"),
        (
            "a file twice",
            _LAYOUT + _entry("blobs/a", _BIG) + _entry("./blobs/a", b"2"),
            "ARCHIVE_UNSAFE",
        ),
        (
            "a file above another",
            _LAYOUT + _entry("blobs/a/b", _BIG) + _entry("blobs/a", b"1") + b"\0" * 1024,
            "ARCHIVE_UNSAFE",
        ),
        ("a cut tar", (_LAYOUT + _entry("blobs/a", _BIG))[: -(1 << 20)], "ARCHIVE_INVALID"),
        ("not a tar", b"garbage" * 1000, "ARCHIVE_INVALID"),
    ],
)
def test_refusals_leave_no_working_directory_and_the_tar_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, tar: bytes, code: str
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    path = tmp_path / "bad.tar"
    path.write_bytes(tar)
    before = path.stat()
    with pytest.raises(OciError) as raised:
        OciLayout(path)
    assert raised.value.code == code, name
    with pytest.raises(OciError) as whole:
        read_layout_tar(tar)
    assert (raised.value.code, raised.value.details) == (whole.value.code, whole.value.details)
    assert list(temporary.iterdir()) == []  # the working directory is gone
    assert sorted(os.listdir(tmp_path)) == ["bad.tar", "tmp"]
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert path.read_bytes() == tar


def test_more_entries_than_max_tar_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "x.tar"
    path.write_bytes(_LAYOUT + _entry("blobs/a", b"a") + b"\0" * 1024)
    monkeypatch.setattr(OciLayout, "MAX_TAR_ENTRIES", 2)
    with pytest.raises(OciError) as raised:
        OciLayout(path)
    assert raised.value.code == "LIMIT_EXCEEDED"
    assert raised.value.details["setting"] == "OciLayout.MAX_TAR_ENTRIES"
    monkeypatch.setattr(OciLayout, "MAX_TAR_ENTRIES", 3)
    assert OciLayout(path).tags == ()


def test_max_tar_bytes_bounds_the_tar_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No bound by default (the tar is streamed); a bound set is kept."""
    path = tmp_path / "x.tar"
    with OciLayout(path) as layout:
        layout.write(ocikit.pack([ocikit.File("a.txt", b"a")], artifact_type=DOCS), "v1")
    assert OciLayout.MAX_TAR_BYTES is None
    monkeypatch.setattr(OciLayout, "MAX_TAR_BYTES", path.stat().st_size - 1)
    with pytest.raises(OciError) as raised:
        OciLayout(path)
    assert raised.value.code == "LIMIT_EXCEEDED"
    assert raised.value.details["setting"] == "OciLayout.MAX_TAR_BYTES"
    monkeypatch.setattr(OciLayout, "MAX_TAR_BYTES", path.stat().st_size)
    assert OciLayout(path).tags == ("v1",)


# A failed write-back leaves the previous tar whole ------------------------------------------


def _layout_with_a_blob(tmp_path: Path) -> tuple[OciLayout, Path, bytes, Path]:
    path = tmp_path / "x.tar"
    layout = OciLayout(path)
    layout.write(ocikit.pack([ocikit.File("a.bin", os.urandom(5000))], artifact_type=DOCS), "v1")
    before = path.read_bytes()
    blob = max((p for p in layout._root.rglob("*") if p.is_file()), key=lambda p: p.stat().st_size)
    return layout, path, before, blob


@pytest.mark.parametrize("change", ["grows", "shrinks", "goes"])
def test_a_file_changing_under_the_write_back_leaves_the_old_tar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    layout, path, before, blob = _layout_with_a_blob(tmp_path)
    planned = _layout.layout_tar_pieces

    def plan_then_change(files: list[tuple[str, int]]) -> list[Any]:
        pieces = planned(files)
        if change == "grows":
            with open(blob, "ab") as file:
                file.write(b"more")
        elif change == "shrinks":
            os.truncate(blob, 10)
        else:
            blob.unlink()
        return pieces

    monkeypatch.setattr(_layout, "layout_tar_pieces", plan_then_change)
    expected: type[BaseException] = FileNotFoundError if change == "goes" else OciError
    with pytest.raises(expected) as raised:
        layout.tag("v1", "v2")
    if change != "goes":
        assert isinstance(raised.value, OciError) and raised.value.code == "SIZE_MISMATCH"
        assert "changed size" in str(raised.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tar"]  # no temporary left


def test_a_failed_write_in_the_middle_leaves_the_old_tar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that fails after part of the new tar was written (a full disk) removes the
    temporary file; the previous tar stays."""
    layout, path, before, _blob = _layout_with_a_blob(tmp_path)
    copy = OciLayout._copy_into_tar

    def full(self: OciLayout, relative: str, size: int, out: Any, buffer: memoryview) -> None:
        copy(self, relative, size, out, buffer)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(OciLayout, "_copy_into_tar", full)
    with pytest.raises(OSError, match="No space"):
        layout.tag("v1", "v2")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.tar"]
    layout.save()  # still changed: the next save writes it
    assert OciLayout(path).tags == ("v1", "v2")


def test_the_reader_holds_no_file_content(tmp_path: Path) -> None:
    """The reader returns each piece's bytes at once: fed a file's content in 1 MiB pieces,
    it returns them all as data events (none kept back)."""
    reader = _LayoutTarReader()
    size = 8 << 20
    events = reader.feed(_header("blob", tarfile.REGTYPE, size))
    assert events == [("file", "blob", size)]
    piece = os.urandom(1 << 20)
    for _ in range(8):
        assert reader.feed(piece)[0] == ("data", piece)
    assert reader.feed(b"\0" * 1024) == []
    reader.finish()
