"""OCI image layouts on disk: OciLayout, Layout (index.json) and verify_layout."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import ocikit

DOCS = "application/vnd.example.docs.config.v1+json"


def _packed(tmp_path: Path) -> tuple[ocikit.Packed, Path]:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2 * 1024 * 1024 + 3))
    packed = ocikit.pack(
        [ocikit.File("a.md", b"# A\n"), ocikit.File.from_path(big)], artifact_type=DOCS
    )
    return packed, big


def _blob(layout: ocikit.OciLayout, digest: str) -> Path:
    return layout.path / ocikit.Layout.blob_path(digest)


def test_write_then_verify(tmp_path: Path) -> None:
    packed, big = _packed(tmp_path)
    layout = ocikit.OciLayout(tmp_path / "layout")
    assert (layout.path / "oci-layout").read_bytes() == ocikit.Layout.OCI_LAYOUT_CONTENT
    entry = layout.write(packed, "v1")
    assert entry.digest == packed.digest and entry.annotations == {ocikit.annotations.REF_NAME: "v1"}
    assert layout.tags == ("v1",)
    assert layout.resolve("v1").digest == packed.digest
    assert layout.resolve(packed.digest).digest == packed.digest
    assert layout.manifest("v1") == packed.manifest
    assert layout.read_blob(packed.manifest.layers[1].digest) == big.read_bytes()
    with layout.open_blob(packed.manifest.layers[0].digest) as file:
        assert file.read() == b"# A\n"
    report = layout.verify()
    assert (report.valid, report.kind, report.findings) == (True, "layout", ())
    # No temporary files are left behind.
    assert not [p for p in layout.path.rglob(".*") if p.is_file()]
    # Writing again, and reopening, changes nothing.
    index = (layout.path / "index.json").read_bytes()
    layout.write(packed, "v1")
    assert ocikit.OciLayout(layout.path).tags == ("v1",)
    assert (layout.path / "index.json").read_bytes() == index


def test_corruption_is_found(tmp_path: Path) -> None:
    packed, _ = _packed(tmp_path)
    layout = ocikit.OciLayout(tmp_path / "layout")
    layout.write(packed, "v1")
    small, large = packed.manifest.layers
    _blob(layout, large.digest).write_bytes(b"x" * large.size)  # same size, other content
    report = layout.verify()
    assert not report.valid
    assert [(f.code, f.path) for f in report.findings] == [
        ("DIGEST_MISMATCH", f"{ocikit.Layout.blob_path(large.digest)}#")
    ]
    _blob(layout, small.digest).unlink()
    codes = sorted(f.code for f in layout.verify().findings)
    assert codes == ["BLOB_MISSING", "DIGEST_MISMATCH"]
    with pytest.raises(ocikit.DigestMismatchError):
        layout.read_blob(large.digest)
    with pytest.raises(ocikit.OciError) as raised:
        layout.read_blob(small.digest)
    assert raised.value.code == "BLOB_UNKNOWN"


def test_write_verifies_blobs(tmp_path: Path) -> None:
    packed, big = _packed(tmp_path)
    big.write_bytes(b"changed since it was hashed")
    layout = ocikit.OciLayout(tmp_path / "layout")
    # The layout answers as a registry does: 400 DIGEST_INVALID (as JS's layout does).
    with pytest.raises(ocikit.RegistryError) as raised:
        layout.write(packed, "v1")
    assert raised.value.code == "DIGEST_INVALID" and raised.value.status == 400
    large = packed.manifest.layers[1]
    assert not _blob(layout, large.digest).exists()
    assert layout.tags == ()  # index.json is written last
    assert not [p for p in layout.path.rglob(".*") if p.is_file()]


def test_from_digest_blobs_must_be_written_first(tmp_path: Path) -> None:
    content = b"uploaded by the caller"
    file = ocikit.File.from_digest("x.bin", ocikit.digest(content), len(content))
    packed = ocikit.pack([file], artifact_type=DOCS)
    layout = ocikit.OciLayout(tmp_path / "layout")
    with pytest.raises(ValueError, match="write_blob"):
        layout.write(packed)
    layer = packed.manifest.layers[0]
    with pytest.raises(ocikit.DigestMismatchError):
        layout.write_blob(layer, b"something else")
    layout.write_blob(layer, content)
    entry = layout.write(packed)
    assert layout.tags == () and entry.digest == packed.digest
    assert layout.verify().valid


def test_tags_move_and_bad_tags_are_refused(tmp_path: Path) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    first = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS)
    second = ocikit.pack([ocikit.File("b", b"b")], artifact_type=DOCS)
    layout.write(first, "latest")
    layout.write(second, "latest")
    assert layout.resolve("latest").digest == second.digest
    assert layout.tags == ("latest",)
    layout.tag("latest", "v2")
    layout.tag(second.digest, "stable")
    assert layout.tags == ("latest", "v2", "stable")
    layout.write(first, "v1")
    assert layout.resolve("v1").digest == first.digest
    with pytest.raises(ocikit.ValidationError) as raised:
        layout.write(first, "bad tag")
    assert raised.value.code == "REFERENCE_INVALID"
    with pytest.raises(ocikit.OciError) as raised:
        layout.resolve("missing")
    assert raised.value.code == "MANIFEST_UNKNOWN"
    # An index of the two, written on its own (its manifests are already there).
    index = ocikit.pack_index([first, second], artifact_type="application/vnd.example.set.v1")
    layout.write(index, "set")
    assert layout.image_index("set") == index
    assert layout.verify().valid


def test_refuses_what_is_not_a_layout(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not an OCI image layout"):
        ocikit.OciLayout(tmp_path)
    with pytest.raises(NotADirectoryError):
        ocikit.OciLayout(tmp_path / "notes.txt")
    with pytest.raises(FileNotFoundError):
        ocikit.OciLayout(tmp_path / "missing", create=False)
    assert not (tmp_path / "missing").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert ocikit.OciLayout(empty).tags == ()


def test_layout_index_model() -> None:
    descriptor = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS).descriptor
    plan = ocikit.Layout()
    plan.add(descriptor)
    plan.add(descriptor)
    assert len(plan.manifests) == 1 and plan.tags == ()
    plan.add(descriptor, "v1")
    assert plan.tags == ("v1",) and len(plan.manifests) == 1
    assert ocikit.Layout.from_index_json(plan.index_json()).tags == ("v1",)
    assert plan.resolve("nope") is None
    assert repr(plan) == "<Layout entries=1 tags=('v1',)>"
    assert ocikit.Layout.blob_path(descriptor.digest) == "blobs/sha256/" + descriptor.digest[7:]


def test_verify_layout_through_callables() -> None:
    packed = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS)
    plan = ocikit.Layout()
    plan.add(packed.descriptor, "v1")
    files = {
        "oci-layout": ocikit.Layout.OCI_LAYOUT_CONTENT,
        "index.json": plan.index_json(),
        ocikit.Layout.blob_path(packed.digest): packed.manifest.to_json(),
    }
    for blob in packed.blobs:
        assert blob.data is not None
        files[ocikit.Layout.blob_path(blob.descriptor.digest)] = blob.data

    def digest(path: str, algorithm: str) -> tuple[str, int] | None:
        data = files.get(path)
        return None if data is None else (ocikit.digest(data, algorithm), len(data))

    assert ocikit.verify_layout(files.get, digest).valid
    del files["oci-layout"]
    report = ocikit.verify_layout(files.get, digest)
    assert [(f.code, f.path) for f in report.findings] == [("BLOB_MISSING", "oci-layout#")]

    def broken(path: str) -> bytes:
        raise PermissionError(path)

    with pytest.raises(PermissionError):
        ocikit.verify_layout(broken, digest)
    with pytest.raises(TypeError):
        ocikit.verify_layout(files.get, lambda path, algorithm: "sha256:x")


def test_index_json_is_canonical(tmp_path: Path) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    packed = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS)
    layout.write(packed, "v1")
    index = (layout.path / "index.json").read_bytes()
    assert ocikit.validate(index, "index").valid
    assert json.loads(index)["manifests"][0]["artifactType"] == DOCS


def test_concurrent_writes_to_one_layout_keep_every_entry(tmp_path: Path) -> None:
    # Each write is the core's Push against the layout's server; its updates of index.json are
    # planned one after the other, so none is lost (the old host read, changed and wrote
    # index.json in each thread, and the last writer won).
    import threading

    layout = ocikit.OciLayout(tmp_path / "layout")
    artifacts = [
        ocikit.pack([ocikit.File(f"f{i}", str(i).encode())], artifact_type=DOCS) for i in range(24)
    ]
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            layout.write(artifacts[i], f"v{i}")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(len(artifacts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(layout.tags) == sorted(f"v{i}" for i in range(len(artifacts)))
    assert layout.verify().valid


def test_a_layout_is_a_registry_for_the_clients_operations(tmp_path: Path) -> None:
    # The layout's pseudo host takes the client's whole operations unchanged: a referrer
    # attached (the server indexes its subject: no sha256-… referrers tag), a delete of it
    # (gone from discover), the tags of a digest.
    layout = ocikit.OciLayout(tmp_path / "layout")
    assert layout.host.endswith(".oci-layout.invalid") and ocikit.is_layout_host(layout.host)
    client = layout.client
    packed = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS)
    client.push(layout.reference("v1"), packed)
    signature = ocikit.pack(
        [ocikit.File("sig", b"sig")], artifact_type="application/vnd.example.sig",
        subject=packed.manifest.descriptor,
    )  # fmt: skip
    outcome = client.attach(layout.reference("v1"), signature)
    assert outcome.referrers_tag is None
    assert all(not tag.startswith("sha256-") for tag in layout.list_tags())
    assert [n.descriptor.digest for n in layout.discover("v1")] == [signature.digest]
    client.tag(layout.reference("v1"), "stable")
    assert list(client.tags_of(layout.reference("v1")).tags) == ["stable", "v1"]
    deleted = client.delete_manifest(layout.reference(signature.digest))
    assert deleted.referrers_tag is None
    assert layout.discover("v1") == []
    assert not layout.blob_exists(signature.digest)


def test_layout_server_steps_through_the_binding() -> None:
    from ocikit._ocikit import ListTags

    host = ocikit.layout_host(5)
    session = ocikit.RegistrySession(host)
    event = ListTags(session, ocikit.Reference.parse(f"{host}/x")).next(session, None, 0)
    request = event.request
    server = ocikit.LayoutServer(index_max=8)
    exchange = server.exchange(request)
    step = exchange.start()
    assert (step.kind, step.path, step.max) == ("read", "index.json", 8)
    with pytest.raises(ocikit.OciError) as raised:
        exchange.written()
    assert raised.value.code == "OPERATION_MISUSE"
    exchange = server.exchange(request)
    exchange.start()
    with pytest.raises(ocikit.LimitExceededError):
        exchange.read(b" " * 9)
    index = ocikit.Layout()
    index.add(ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS).descriptor, "v1")
    big = ocikit.LayoutServer()
    exchange = big.exchange(request)
    exchange.start()
    answer = exchange.read(index.index_json())
    assert answer.kind == "respond" and answer.file is None
    assert answer.response.status == 200
    assert json.loads(answer.response.body)["tags"] == ["v1"]
