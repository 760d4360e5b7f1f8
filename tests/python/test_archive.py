"""Directory layers in Python: the reproducibility vectors of tests/vectors/archive/trees.json
(the digests Rust and JS get too), a directory on disk giving the same bytes, Python's own
tarfile reading what the core writes, and the hostile archives of hostile.json refused with
their codes and nothing written."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import pathlib
import stat
import tarfile

import pytest

import ocikit
from ocikit._archive import UnpackLimits, pack_directory, unpack_directory
from ocikit._ocikit import _DirectoryPacker, _Unpacker, should_unpack

VECTORS = pathlib.Path(__file__).resolve().parents[1] / "vectors" / "archive"
TREES = json.loads((VECTORS / "trees.json").read_text(encoding="utf-8"))
HOSTILE = json.loads((VECTORS / "hostile.json").read_text(encoding="utf-8"))


def content(entry: dict) -> bytes:
    if "content" in entry:
        return entry["content"].encode()
    return (entry["repeat"]["text"] * entry["repeat"]["times"]).encode()


def mtime_option(case: dict) -> int | None:
    mtimes = case.get("options", {}).get("mtimes", 0)
    return None if mtimes == "real" else mtimes


def pack_case(case: dict, piece: int) -> tuple[bytes, tuple]:
    entries = []
    data = {}
    for e in case["entries"]:
        if e["kind"] == "file":
            data[e["path"]] = content(e)
            extra = len(data[e["path"]])
        else:
            extra = e.get("target")
        entries.append((e["path"], e["kind"], e["mode"], e["mtime"], extra))
    packer = _DirectoryPacker(
        case["directory"],
        entries,
        mtime=mtime_option(case),
        keep_modes=case.get("options", {}).get("keepModes", False),
    )
    out = bytearray()
    while (file := packer.next_file()) is not None:
        body = data[file[0]]
        for start in range(0, len(body), piece):
            packer.write(body[start : start + piece])
            out += packer.take_output()
    result = packer.finish()
    out += result[0]
    return bytes(out), result


@pytest.mark.parametrize("case", TREES["cases"], ids=[c["name"] for c in TREES["cases"]])
def test_trees_give_the_vector_digests(case: dict) -> None:
    layer, (_, descriptor, content_digest, content_size) = pack_case(case, 5)
    assert {"digest": content_digest, "size": content_size} == case["tar"]
    gz = {"digest": "sha256:" + hashlib.sha256(layer).hexdigest(), "size": len(layer)}
    assert gz == case["gzip"]
    assert descriptor.digest == gz["digest"] and descriptor.size == gz["size"]
    assert descriptor.media_type == "application/vnd.oci.image.layer.v1.tar+gzip"
    assert descriptor.annotations == {
        "org.opencontainers.image.title": case["directory"],
        "io.deis.oras.content.digest": content_digest,
        "io.deis.oras.content.unpack": "true",
    }
    assert should_unpack(descriptor)
    # Independent readers: Python's gzip and hashlib agree on the tar and its digest.
    tar = gzip.decompress(layer)
    assert "sha256:" + hashlib.sha256(tar).hexdigest() == content_digest
    assert layer[:10] == bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255])


@pytest.mark.parametrize("case", TREES["refused"], ids=[c["name"] for c in TREES["refused"]])
def test_refused_listings_end_in_their_codes(case: dict) -> None:
    with pytest.raises(ocikit.OciError) as raised:
        pack_case(case, 1024)
    assert raised.value.code == case["code"]


def test_pythons_tarfile_reads_what_the_rules_say() -> None:
    case = TREES["cases"][0]
    layer, _ = pack_case(case, 4096)
    with tarfile.open(fileobj=io.BytesIO(layer), mode="r:gz") as archive:
        members = archive.getmembers()
        names = [m.name for m in members]
        # Directories before their contents, components compared byte-wise.
        keys = [[part.encode() for part in name.split("/")] for name in names]
        assert keys == sorted(keys)
        assert names[0] == "mydir" and members[0].isdir()
        for member in members:
            assert (member.uid, member.gid, member.uname, member.gname) == (0, 0, "", "")
            assert member.mtime == 0
            assert member.name.startswith("mydir")
        by_name = {m.name: m for m in members}
        listed = {f"mydir/{e['path']}": e for e in case["entries"]}
        for name, entry in listed.items():
            member = by_name[name]
            if entry["kind"] == "file":
                assert member.isfile()
                assert archive.extractfile(member).read() == content(entry)
                assert member.mode == (0o755 if entry["mode"] & 0o111 else 0o644)
            elif entry["kind"] == "directory":
                assert member.isdir() and member.mode == 0o755
            else:
                assert member.issym() and member.linkname == entry["target"]
                assert member.mode == 0o777
        # Implied directories are there too.
        assert by_name["mydir/sub/deeper"].isdir()
        # PAX only where needed: the unicode and the long name have PAX headers, the rest none.
        pax = {m.name for m in members if m.pax_headers}
        assert pax == {
            "mydir/ünïcödé",
            "mydir/ünïcödé/日本語.txt",
            "mydir/long/" + "n" * 124 + ".txt",
        }


def make_tree(root: pathlib.Path, case: dict) -> None:
    root.mkdir()
    for entry in case["entries"]:
        path = root / entry["path"] if entry["path"] else root
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry["kind"] == "file":
            path.write_bytes(content(entry))
            path.chmod(entry["mode"])
        elif entry["kind"] == "directory":
            path.mkdir(exist_ok=True)
        else:
            path.symlink_to(entry["target"])
    # Times last, deepest first: creating an entry changes its directory's mtime.
    for entry in sorted(case["entries"], key=lambda e: -e["path"].count("/") - bool(e["path"])):
        if entry["kind"] != "symlink":
            path = root / entry["path"] if entry["path"] else root
            os.utime(path, (entry["mtime"], entry["mtime"]))


def test_a_directory_on_disk_gives_the_vector_bytes(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    case = TREES["cases"][0]
    make_tree(tmp_path / "mydir", case)
    out = io.BytesIO()
    descriptor = pack_directory(tmp_path / "mydir", out)
    assert descriptor.annotations["io.deis.oras.content.digest"] == case["tar"]["digest"]
    assert descriptor.digest == case["gzip"]["digest"]
    # File.from_directory is the same layer, titled by the directory's name.
    file = ocikit.File.from_directory(tmp_path / "mydir")
    assert (file.name, file.digest, file.size) == ("mydir", case["gzip"]["digest"], case["gzip"]["size"])
    assert pathlib.Path(file.path).read_bytes() == out.getvalue()
    packed = ocikit.pack([file], artifact_type="application/vnd.example.dir.v1")
    layer = packed.manifest.layers[0]
    assert layer.annotations == descriptor.annotations
    assert layer.media_type == "application/vnd.oci.image.layer.v1.tar+gzip"


def test_source_date_epoch_fixes_the_mtimes(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = TREES["cases"][2]  # SOURCE_DATE_EPOCH 1700000000
    make_tree(tmp_path / "dist", case)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    descriptor = pack_directory(tmp_path / "dist", io.BytesIO())
    assert descriptor.digest == case["gzip"]["digest"]
    real = TREES["cases"][3]
    descriptor = pack_directory(tmp_path / "dist", io.BytesIO(), mtime="real")
    assert descriptor.digest == real["gzip"]["digest"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(ocikit.ValidationError) as raised:
        pack_directory(tmp_path / "dist", io.BytesIO())
    assert raised.value.code == "OPTIONS_INVALID"


def test_special_files_and_links_out_are_not_packed(tmp_path: pathlib.Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    os.mkfifo(root / "pipe")
    with pytest.raises(ocikit.OciError) as raised:
        pack_directory(root, io.BytesIO())
    assert raised.value.code == "ARCHIVE_UNSAFE"
    (root / "pipe").unlink()
    (root / "out").symlink_to("../../etc/passwd")
    with pytest.raises(ocikit.OciError) as raised:
        ocikit.File.from_directory(root)
    assert raised.value.code == "ARCHIVE_UNSAFE"


def test_a_packed_directory_unpacks_identically(tmp_path: pathlib.Path) -> None:
    case = TREES["cases"][0]
    make_tree(tmp_path / "mydir", case)
    (tmp_path / "mydir" / "bin" / "run.sh").chmod(0o755)
    out = io.BytesIO()
    descriptor = pack_directory(tmp_path / "mydir", out)
    layer = out.getvalue()
    target = tmp_path / "out" / "mydir"
    unpack_directory([layer[i : i + 333] for i in range(0, len(layer), 333)], descriptor, target)
    for entry in case["entries"]:
        path = target / entry["path"]
        if entry["kind"] == "file":
            assert path.read_bytes() == content(entry)
            assert bool(path.stat().st_mode & 0o111) == bool(entry["mode"] & 0o111)
        elif entry["kind"] == "symlink":
            assert os.readlink(path) == entry["target"]
        else:
            assert path.is_dir()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mydir"]
    # Again over an existing directory: replaced, nothing left of the old one.
    (target / "stale.txt").write_text("old\n")
    unpack_directory(io.BytesIO(layer), descriptor, target)
    assert not (target / "stale.txt").exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mydir"]


@pytest.mark.parametrize("case", HOSTILE["cases"], ids=[c["file"] for c in HOSTILE["cases"]])
def test_hostile_archives_end_in_their_codes_and_write_nothing(tmp_path: pathlib.Path, case: dict) -> None:
    layer = (VECTORS / case["file"]).read_bytes()
    annotations = {"org.opencontainers.image.title": case["title"], "io.deis.oras.content.unpack": "true"}
    if "contentDigest" in case:
        annotations["io.deis.oras.content.digest"] = case["contentDigest"]
    descriptor = ocikit.Descriptor(
        media_type="application/vnd.oci.image.layer.v1.tar+gzip",
        digest="sha256:" + hashlib.sha256(layer).hexdigest(),
        size=len(layer),
        annotations=annotations,
    )
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ocikit.OciError) as raised:
        unpack_directory(io.BytesIO(layer), descriptor, out / case["title"])
    assert raised.value.code == case["code"], raised.value
    assert list(out.iterdir()) == [], "nothing half-written in the output directory"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "nothing written beside it"
    assert not pathlib.Path("/tmp/ocikit-hostile-absolute").exists()


def test_limits_are_the_callers(tmp_path: pathlib.Path) -> None:
    case = TREES["cases"][5]
    layer, (_, descriptor, _, _) = pack_case(case, 1 << 20)
    with pytest.raises(ocikit.LimitExceededError):
        unpack_directory([layer], descriptor, tmp_path / "big", limits=UnpackLimits(max_size=100_000))
    assert list(tmp_path.iterdir()) == []
    unpack_directory([layer], descriptor, tmp_path / "big", limits=UnpackLimits(max_entries=10))
    assert (tmp_path / "big" / "z.txt").read_text() == "after the big one\n"


def test_the_unpacker_is_sticky_and_says_end_last() -> None:
    layer, (_, descriptor, digest, size) = pack_case(TREES["cases"][4], 1)
    unpacker = _Unpacker.for_layer(descriptor)
    events = unpacker.feed(layer) + unpacker.finish()
    assert events[-1] == ("end", digest, size, 1)
    with pytest.raises(ocikit.OciError) as raised:
        unpacker.finish()
    assert raised.value.code == "OPERATION_MISUSE"
    unpacker = _Unpacker("nothing")
    with pytest.raises(ocikit.OciError):
        unpacker.feed(b"not gzip at all")
    with pytest.raises(ocikit.OciError) as again:
        unpacker.feed(layer)
    assert again.value.code == "ARCHIVE_INVALID"
    assert stat.S_ISREG(os.stat(__file__).st_mode)


def test_the_cli_pushes_a_directory_as_one_layer_and_pulls_it_back(tmp_path: pathlib.Path, ocikit_cli: pathlib.Path) -> None:
    """`ocikit push … mydir` said "pushing directories is not supported yet"; now the directory
    is one reproducible layer, and `ocikit pull` (here from an OCI layout) unpacks it."""
    import subprocess

    case = TREES["cases"][0]
    make_tree(tmp_path / "mydir", case)
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(ocikit_cli), *args], cwd=tmp_path, capture_output=True, text=True, timeout=60, env=environment)

    pushed = cli("push", "--oci-layout", "layout:v1", "mydir", "--export-manifest", "m.json")
    assert pushed.returncode == 0, pushed.stderr
    layer = json.loads((tmp_path / "m.json").read_text())["layers"][0]
    assert layer["digest"] == case["gzip"]["digest"]
    assert layer["annotations"]["io.deis.oras.content.digest"] == case["tar"]["digest"]
    pulled = cli("pull", "--oci-layout", "layout:v1", "-o", "out")
    assert pulled.returncode == 0, pulled.stderr
    for entry in case["entries"]:
        path = tmp_path / "out" / "mydir" / entry["path"]
        if entry["kind"] == "file":
            assert path.read_bytes() == content(entry)
            assert bool(path.stat().st_mode & 0o111) == bool(entry["mode"] & 0o111)
        elif entry["kind"] == "symlink":
            assert os.readlink(path) == entry["target"]
        else:
            assert path.is_dir()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mydir"]


def _tree(root: pathlib.Path) -> dict[str, tuple]:
    out: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[relative] = ("link", os.readlink(path))
        elif path.is_dir():
            out[relative] = ("dir",)
        else:
            out[relative] = ("file", path.read_bytes(), bool(path.stat().st_mode & 0o111))
    return out


def test_gnu_tar_reads_ocikits_archive_and_ocikit_reads_gnu_tars(tmp_path: pathlib.Path) -> None:
    """A third producer and consumer besides ORAS: GNU tar extracts ocikit's layer to the same
    tree, and a `tar -czf` of the directory (GNU format, real owners and times, its own order)
    unpacks with ocikit to the same tree."""
    import shutil
    import subprocess

    tar = shutil.which("tar")
    if tar is None:
        pytest.fail("GNU tar is not installed")
    case = TREES["cases"][0]
    make_tree(tmp_path / "mydir", case)
    expected = _tree(tmp_path / "mydir")
    layer = tmp_path / "layer.tar.gz"
    with open(layer, "wb") as out:
        descriptor = pack_directory(tmp_path / "mydir", out)
    (tmp_path / "by-gnu").mkdir()
    subprocess.run([tar, "-xzf", str(layer), "-C", str(tmp_path / "by-gnu")], check=True)
    assert _tree(tmp_path / "by-gnu" / "mydir") == expected

    gnu = tmp_path / "gnu.tar.gz"
    subprocess.run([tar, "-czf", str(gnu), "-C", str(tmp_path), "mydir"], check=True)
    data = gnu.read_bytes()
    annotations = {"org.opencontainers.image.title": "mydir", "io.deis.oras.content.unpack": "true"}
    gnu_descriptor = ocikit.Descriptor(
        media_type=descriptor.media_type,
        digest="sha256:" + hashlib.sha256(data).hexdigest(),
        size=len(data),
        annotations=annotations,
    )
    unpack_directory(io.BytesIO(data), gnu_descriptor, tmp_path / "from-gnu" / "mydir")
    assert _tree(tmp_path / "from-gnu" / "mydir") == expected


def test_git_paths_unpack_only_when_allowed(tmp_path: pathlib.Path) -> None:
    layer = (VECTORS / "hostile" / "git-config.tar.gz").read_bytes()
    descriptor = ocikit.Descriptor(
        media_type="application/vnd.oci.image.layer.v1.tar+gzip",
        digest="sha256:" + hashlib.sha256(layer).hexdigest(),
        size=len(layer),
        annotations={"org.opencontainers.image.title": "d", "io.deis.oras.content.unpack": "true"},
    )
    with pytest.raises(ocikit.PolicyError) as raised:
        unpack_directory([layer], descriptor, tmp_path / "d")
    assert raised.value.code == "PATH_UNSAFE"
    unpack_directory([layer], descriptor, tmp_path / "d", allow_git=True)
    assert (tmp_path / "d" / ".git" / "config").is_file()
