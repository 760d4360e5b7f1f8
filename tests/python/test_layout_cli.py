"""Every registry command of the ``ocikit`` CLI against an OCI image layout directory
(``--oci-layout``, and ``--from-oci-layout``/``--to-oci-layout`` for ``copy``), and the
``OciLayout`` methods behind them. The same commands against real registries, and copies
between layouts and registries, are in tests/registry/."""

from __future__ import annotations

import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

import ocikit
from ocikit import cli

DOCS = "application/vnd.example.docs.config.v1+json"
SIGNATURE = "application/vnd.example.signature.config.v1+json"
SBOM = "application/vnd.example.sbom.config.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@dataclass
class Run:
    status: int
    out: str
    err: str


Ocikit = Callable[..., Run]


@pytest.fixture
def ocikit_run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Ocikit:
    """Runs ``ocikit`` in this process: ``ocikit_run(*argv, stdin=None, check=True)``."""

    def run(*argv: str, stdin: bytes | None = None, check: bool = True) -> Run:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        status = cli.main(list(argv))
        captured = capsys.readouterr()
        if check and status != 0:
            pytest.fail(f"ocikit {' '.join(argv)} exited {status}\n{captured.out}{captured.err}")
        return Run(status, captured.out, captured.err)

    return run


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working directory with two files to pack."""
    (tmp_path / "readme.md").write_text("# hello\n")
    (tmp_path / "data.bin").write_bytes(os.urandom(3000))
    (tmp_path / "sig.txt").write_text("signed\n")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _digest(run: Run) -> str:
    last = run.out.strip().splitlines()[-1]
    assert last.startswith("Digest: "), run.out
    return last.removeprefix("Digest: ")


def _push(ocikit_run: Ocikit, ref: str = "layout:v1") -> str:
    return _digest(
        ocikit_run(
            "push", "--oci-layout", ref, "readme.md:text/markdown", "data.bin",
            "--artifact-type", DOCS,
        )  # fmt: skip
    )


def _attach(ocikit_run: Ocikit, subject: str, artifact_type: str, *extra: str) -> str:
    return _digest(
        ocikit_run("attach", "--oci-layout", subject, "sig.txt", "--artifact-type", artifact_type,
                   *extra)  # fmt: skip
    )


def _index(path: Path) -> dict[str, Any]:
    return json.loads((path / "index.json").read_bytes())


def _blobs(path: Path) -> dict[str, bytes]:
    return {
        str(file.relative_to(path)): file.read_bytes()
        for file in sorted((path / "blobs").rglob("*"))
        if file.is_file()
    }


# attach / discover ---------------------------------------------------------------------------


def test_attach_and_discover_in_a_layout(ocikit_run: Ocikit, work: Path) -> None:
    root = _push(ocikit_run)
    attached = ocikit_run(
        "attach", "--oci-layout", "layout:v1", "sig.txt", "--artifact-type", SIGNATURE,
        "-a", "org.example.signer=alice",
    )  # fmt: skip
    signature = _digest(attached)
    assert attached.out.splitlines() == [
        f"Attached to [oci-layout] layout@{root}",
        f"Digest: {signature}",
    ]
    sbom = _attach(ocikit_run, f"layout@{root}", SBOM)
    # A referrer of a referrer.
    nested = _attach(ocikit_run, f"layout@{signature}", SIGNATURE)

    # Referrers are untagged entries of index.json; no referrers tag (`sha256-…`) is written.
    entries = _index(work / "layout")["manifests"]
    assert [e["digest"] for e in entries] == [root, signature, sbom, nested]
    assert [e.get("annotations", {}).get("org.opencontainers.image.ref.name") for e in entries] == [
        "v1", None, None, None,
    ]  # fmt: skip
    assert ocikit_run("repo", "tags", "--oci-layout", "layout").out == "v1\n"
    assert ocikit.OciLayout("layout").verify().valid

    tree = ocikit_run("discover", "--oci-layout", "layout:v1").out
    assert tree.splitlines() == [
        f"layout@{root}",
        f"├── {SIGNATURE}",
        f"│   └── {signature}",
        f"│       └── {SIGNATURE}",
        f"│           └── {nested}",
        f"└── {SBOM}",
        f"    └── {sbom}",
    ]
    found = json.loads(ocikit_run("discover", "--oci-layout", "layout:v1", "--format", "json").out)
    assert found["reference"] == f"layout@{root}"
    assert found["digest"] == root
    first, second = found["referrers"]
    assert first["reference"] == f"layout@{signature}"
    assert first["artifactType"] == SIGNATURE
    assert first["annotations"] == {"org.example.signer": "alice"}
    assert [n["digest"] for n in first["referrers"]] == [nested]
    assert (second["digest"], second["artifactType"], second["referrers"]) == (sbom, SBOM, [])

    only_sbom = ocikit_run(
        "discover", "--oci-layout", f"layout@{root}", "--artifact-type", SBOM, "--format", "json"
    )
    assert [n["digest"] for n in json.loads(only_sbom.out)["referrers"]] == [sbom]
    shallow = ocikit_run("discover", "--oci-layout", "layout:v1", "--depth", "1", "--format",
                         "table")  # fmt: skip
    rows = [line.split() for line in shallow.out.splitlines()]
    assert rows == [
        ["Digest", "Artifact", "Type", "Subject"],
        [signature, SIGNATURE, root],
        [sbom, SBOM, root],
    ]
    # Discovering a referrer finds what refers to it.
    below = ocikit_run("discover", "--oci-layout", f"layout@{signature}", "--format", "json")
    assert [n["digest"] for n in json.loads(below.out)["referrers"]] == [nested]


def test_attach_json_output_and_missing_subject(ocikit_run: Ocikit, work: Path) -> None:
    root = _push(ocikit_run)
    result = ocikit_run(
        "attach", "--oci-layout", "layout:v1", "sig.txt", "--artifact-type", SIGNATURE,
        "--format", "json", "--export-manifest", "exported.json",
    )  # fmt: skip
    shown = json.loads(result.out)
    manifest = ocikit.Manifest.from_json((work / "exported.json").read_bytes())
    assert shown["reference"] == f"layout@{manifest.digest}"
    assert shown["subject"]["digest"] == root
    # The subject is media type, digest and size, not the tagged index.json entry.
    assert manifest.subject is not None
    assert json.loads(manifest.subject.to_json()) == {
        "mediaType": MANIFEST, "digest": root, "size": shown["subject"]["size"],
    }  # fmt: skip
    assert shown["subject"] == json.loads(manifest.subject.to_json())

    missing = ocikit_run("attach", "--oci-layout", "layout:nope", "sig.txt", "--artifact-type",
                         SIGNATURE, check=False)  # fmt: skip
    assert missing.status == 2 and missing.err.startswith("error[MANIFEST_UNKNOWN]: ")
    no_layout = ocikit_run("attach", "--oci-layout", "absent:v1", "sig.txt", "--artifact-type",
                           SIGNATURE, check=False)  # fmt: skip
    assert no_layout.status == 1 and "no OCI image layout here" in no_layout.err
    assert not (work / "absent").exists()  # attach does not create a layout


# tag / resolve / repo tags -------------------------------------------------------------------


def test_tag_resolve_and_repo_tags(ocikit_run: Ocikit, work: Path) -> None:
    digest = _push(ocikit_run)
    tagged = ocikit_run("tag", "--oci-layout", "layout:v1", "stable", "latest")
    assert tagged.out.splitlines() == ["Tagged stable", "Tagged latest"]
    assert ocikit_run("resolve", "--oci-layout", "layout:stable").out == f"{digest}\n"
    assert ocikit_run("resolve", "--oci-layout", f"layout@{digest}").out == f"{digest}\n"
    full = ocikit_run("resolve", "--oci-layout", "layout:latest", "--full-reference")
    assert full.out == f"layout@{digest}\n"
    assert ocikit_run("repo", "tags", "--oci-layout", "layout").out.split() == [
        "latest", "stable", "v1",
    ]  # fmt: skip
    # Tags are `ref.name` annotations of index.json entries, which skopeo and ORAS read.
    names = [
        e["annotations"]["org.opencontainers.image.ref.name"]
        for e in _index(work / "layout")["manifests"]
    ]
    assert names == ["v1", "stable", "latest"]

    # A tag moves: tagging another manifest with `stable` takes it from the first.
    other = _push(ocikit_run, "layout:v2")
    ocikit_run("tag", "--oci-layout", "layout:v2", "stable")
    assert ocikit_run("resolve", "--oci-layout", "layout:stable").out == f"{other}\n"

    unknown = ocikit_run("resolve", "--oci-layout", "layout:nope", check=False)
    assert unknown.status == 2 and unknown.err.startswith("error[MANIFEST_UNKNOWN]: ")
    no_tag = ocikit_run("resolve", "--oci-layout", "layout", check=False)
    assert no_tag.status == 2 and "names no tag or digest" in no_tag.err
    bad_tag = ocikit_run("tag", "--oci-layout", "layout:v1", "bad tag", check=False)
    assert bad_tag.status == 2 and bad_tag.err.startswith("error[REFERENCE_INVALID]: ")


# manifest fetch / push / delete --------------------------------------------------------------


def test_manifest_commands(ocikit_run: Ocikit, work: Path) -> None:
    digest = _push(ocikit_run)
    blob = work / "layout" / "blobs" / "sha256" / digest.removeprefix("sha256:")
    assert ocikit_run("manifest", "fetch", "--oci-layout", "layout:v1").out.encode() == (
        blob.read_bytes()
    )
    ocikit_run("manifest", "fetch", "--oci-layout", f"layout@{digest}", "-o", "saved.json")
    assert (work / "saved.json").read_bytes() == blob.read_bytes()
    descriptor = ocikit_run("manifest", "fetch", "--oci-layout", "layout:v1", "--descriptor")
    assert json.loads(descriptor.out) == {
        "mediaType": MANIFEST, "digest": digest, "size": blob.stat().st_size,
    }  # fmt: skip

    # Changed bytes, same blobs: a new manifest under a new tag.
    document = json.loads(blob.read_bytes())
    document["annotations"] = {"org.example.k": "changed"}
    (work / "changed.json").write_bytes(json.dumps(document).encode())
    changed = ocikit.digest_file(work / "changed.json")
    pushed = ocikit_run("manifest", "push", "--oci-layout", "layout:changed", "changed.json")
    assert pushed.out.splitlines() == ["Pushed [oci-layout] layout:changed", f"Digest: {changed}"]
    assert ocikit_run("resolve", "--oci-layout", "layout:changed").out == f"{changed}\n"
    # From stdin, by digest: recorded untagged.
    by_digest = ocikit_run(
        "manifest", "push", "--oci-layout", f"layout@{changed}", "-", stdin=b"" + (
            work / "changed.json").read_bytes()
    )  # fmt: skip
    assert _digest(by_digest) == changed
    wrong = ocikit_run("manifest", "push", "--oci-layout", f"layout@{digest}", "changed.json",
                       check=False)  # fmt: skip
    assert wrong.status == 2 and wrong.err.startswith("error[DIGEST_MISMATCH]: ")
    # As a registry does, a layout refuses a manifest whose blobs it lacks.
    document["layers"][0]["digest"] = "sha256:" + "0" * 64
    (work / "dangling.json").write_bytes(json.dumps(document).encode())
    dangling = ocikit_run("manifest", "push", "--oci-layout", "layout:x", "dangling.json",
                          check=False)  # fmt: skip
    assert dangling.status == 2 and dangling.err.startswith("error[MANIFEST_BLOB_UNKNOWN]: ")
    (work / "not-json.json").write_bytes(b"nope")
    invalid = ocikit_run("manifest", "push", "--oci-layout", "layout:x", "not-json.json",
                         check=False)  # fmt: skip
    assert invalid.status == 2 and invalid.err.startswith("error[JSON_INVALID]: ")

    deleted = ocikit_run("manifest", "delete", "--oci-layout", "layout:changed")
    assert deleted.out == "Deleted [oci-layout] layout:changed\n"
    gone = ocikit_run("manifest", "fetch", "--oci-layout", f"layout@{changed}", check=False)
    assert gone.status == 2 and gone.err.startswith("error[MANIFEST_UNKNOWN]: ")
    assert changed not in json.dumps(_index(work / "layout"))
    assert ocikit_run("resolve", "--oci-layout", "layout:v1").out == f"{digest}\n"
    assert ocikit.OciLayout("layout").verify().valid
    again = ocikit_run("manifest", "delete", "--oci-layout", "layout:changed", check=False)
    assert again.status == 2 and again.err.startswith("error[MANIFEST_UNKNOWN]: ")


# blob fetch / push ---------------------------------------------------------------------------


def test_blob_commands(ocikit_run: Ocikit, work: Path) -> None:
    digest = ocikit.digest_file(work / "data.bin")
    pushed = ocikit_run("blob", "push", "--oci-layout", "blobs-only", "data.bin")
    assert pushed.out.splitlines() == [
        f"Pushed [oci-layout] blobs-only@{digest}",
        f"Digest: {digest}",
    ]
    assert (work / "blobs-only" / "oci-layout").is_file()  # created
    again = ocikit_run(
        "blob", "push", "--oci-layout", f"blobs-only@{digest}", "data.bin", "--descriptor",
        "--media-type", "application/x-data",
    )  # fmt: skip
    assert json.loads(again.out) == {
        "mediaType": "application/x-data", "digest": digest, "size": 3000,
    }  # fmt: skip
    wrong = ocikit_run("blob", "push", "--oci-layout", f"blobs-only@{digest}", "readme.md",
                       check=False)  # fmt: skip
    assert wrong.status == 2 and wrong.err.startswith("error[DIGEST_MISMATCH]: ")
    resume = ocikit_run("blob", "push", "--oci-layout", "blobs-only", "data.bin",
                        "--upload-url", "http://x/", check=False)  # fmt: skip
    assert resume.status == 2 and "--upload-url" in resume.err

    ocikit_run("blob", "fetch", "--oci-layout", f"blobs-only@{digest}", "-o", "fetched.bin")
    assert (work / "fetched.bin").read_bytes() == (work / "data.bin").read_bytes()
    small = ocikit.digest_file(work / "readme.md")
    ocikit_run("blob", "push", "--oci-layout", "blobs-only", "readme.md")
    out = ocikit_run("blob", "fetch", "--oci-layout", f"blobs-only@{small}", "-o", "-").out
    assert out == "# hello\n"
    unknown = "sha256:" + "0" * 64
    missing = ocikit_run("blob", "fetch", "--oci-layout", f"blobs-only@{unknown}", "-o",
                         "fetched.bin", check=False)  # fmt: skip
    assert missing.status == 2 and missing.err.startswith("error[BLOB_UNKNOWN]: ")
    assert (work / "fetched.bin").read_bytes() == (work / "data.bin").read_bytes()  # left alone
    no_digest = ocikit_run("blob", "fetch", "--oci-layout", "blobs-only:v1", "-o", "x",
                           check=False)  # fmt: skip
    assert no_digest.status == 2 and "names no blob" in no_digest.err
    # A blob whose file was corrupted is refused, and nothing is written.
    (work / "blobs-only" / "blobs" / "sha256" / small.removeprefix("sha256:")).write_text("bad\n")
    corrupt = ocikit_run("blob", "fetch", "--oci-layout", f"blobs-only@{small}", "-o",
                         "corrupt.txt", check=False)  # fmt: skip
    assert corrupt.status == 2 and corrupt.err.startswith("error[DIGEST_MISMATCH]: ")
    assert not (work / "corrupt.txt").exists()


# copy ----------------------------------------------------------------------------------------


def test_copy_between_layouts_with_referrers(ocikit_run: Ocikit, work: Path) -> None:
    root = _push(ocikit_run)
    signature = _attach(ocikit_run, "layout:v1", SIGNATURE)
    nested = _attach(ocikit_run, f"layout@{signature}", SBOM)

    copied = ocikit_run("copy", "--from-oci-layout", "--to-oci-layout", "layout:v1",
                        "copy:stable", "-r")  # fmt: skip
    assert copied.out.splitlines() == [
        "Copied [oci-layout] layout:v1 => [oci-layout] copy:stable",
        f"Digest: {root}",
    ]
    assert _blobs(work / "copy") == _blobs(work / "layout")  # byte for byte
    assert ocikit_run("resolve", "--oci-layout", "copy:stable").out == f"{root}\n"
    found = json.loads(ocikit_run("discover", "--oci-layout", "copy:stable", "--format",
                                  "json").out)  # fmt: skip
    assert [n["digest"] for n in found["referrers"]] == [signature]
    assert [n["digest"] for n in found["referrers"][0]["referrers"]] == [nested]
    assert ocikit.OciLayout("copy").verify().valid

    # Without -r only the artifact goes; without a tag the source's tag is kept.
    ocikit_run("copy", "--from-oci-layout", "--to-oci-layout", "layout:v1", "plain")
    assert ocikit_run("repo", "tags", "--oci-layout", "plain").out == "v1\n"
    assert ocikit_run("discover", "--oci-layout", "plain:v1").out == f"plain@{root}\n"
    # By digest: recorded untagged.
    ocikit_run("copy", "--from-oci-layout", "--to-oci-layout", f"layout@{root}", "by-digest")
    assert ocikit_run("repo", "tags", "--oci-layout", "by-digest").out == ""
    assert ocikit_run("resolve", "--oci-layout", f"by-digest@{root}").out == f"{root}\n"

    missing = ocikit_run("copy", "--from-oci-layout", "--to-oci-layout", "layout:nope", "x",
                         check=False)  # fmt: skip
    assert missing.status == 2 and missing.err.startswith("error[MANIFEST_UNKNOWN]: ")
    no_tag = ocikit_run("copy", "--from-oci-layout", "--to-oci-layout", "layout", "x",
                        check=False)  # fmt: skip
    assert no_tag.status == 2 and "names no tag or digest" in no_tag.err


def test_copy_of_an_index_copies_its_manifests(work: Path) -> None:
    source = ocikit.OciLayout(work / "source")
    children = [
        source.write(ocikit.pack([ocikit.File(f"{n}.txt", n.encode())], artifact_type=DOCS))
        for n in ("a", "b")
    ]
    index = ocikit.pack_index(children, artifact_type=DOCS)
    source.write(index, "multi")
    destination = ocikit.OciLayout(work / "destination")
    copied = ocikit.copy(source, "multi", destination)
    assert copied.digest == index.digest
    assert _blobs(work / "destination") == _blobs(work / "source")
    assert destination.fetch_index("multi").to_json() == index.to_json()
    assert destination.verify().valid


# pull ----------------------------------------------------------------------------------------


def test_pull_from_a_layout_by_digest(ocikit_run: Ocikit, work: Path) -> None:
    digest = _push(ocikit_run)
    pulled = ocikit_run("pull", "--oci-layout", f"layout@{digest}", "-o", "out")
    assert pulled.out.splitlines() == [
        "Pulled readme.md",
        "Pulled data.bin",
        f"Pulled [oci-layout] layout@{digest}",
        f"Digest: {digest}",
    ]
    assert (work / "out" / "data.bin").read_bytes() == (work / "data.bin").read_bytes()


# The Python API ------------------------------------------------------------------------------


def test_oci_layout_has_the_client_methods(work: Path) -> None:
    layout = ocikit.OciLayout(work / "api")
    packed = ocikit.pack([ocikit.File("a.txt", b"a\n")], artifact_type=DOCS)
    entry = layout.write(packed, "v1")
    assert layout.resolve("v1") == entry
    fetched = layout.fetch("v1")
    assert (fetched.media_type, fetched.digest) == (MANIFEST, packed.digest)
    assert fetched.data == packed.manifest.to_json()
    assert layout.fetch_manifest("v1").to_json() == packed.manifest.to_json()

    subject = packed.manifest.descriptor
    signature = ocikit.pack(
        [ocikit.File("sig", b"sig")], artifact_type=SIGNATURE, subject=subject,
        annotations={"org.example.k": "v"},
    )  # fmt: skip
    sbom = ocikit.pack([ocikit.File("sbom", b"sbom")], artifact_type=SBOM, subject=subject)
    attached = layout.attach(signature)
    layout.attach(sbom)
    assert attached.digest == signature.digest
    with pytest.raises(ValueError, match="subject"):
        layout.attach(packed)
    referrers = layout.referrers("v1")
    assert [r.digest for r in referrers] == [signature.digest, sbom.digest]
    assert referrers[0].artifact_type == SIGNATURE
    assert referrers[0].annotations == {"org.example.k": "v"}
    assert [r.digest for r in layout.referrers(entry.digest, SBOM)] == [sbom.digest]
    assert layout.referrers(signature.digest) == []
    tree = layout.discover("v1", depth=1)
    assert [node.descriptor.digest for node in tree] == [signature.digest, sbom.digest]
    assert all(node.referrers == () for node in tree)

    assert layout.list_tags() == ["v1"]
    layout.tag("v1", "a-first")
    assert layout.list_tags() == ["a-first", "v1"]
    assert layout.tags == ("v1", "a-first")  # index order

    config = packed.manifest.config
    assert layout.blob_exists(config.digest) and layout.blob_size(config.digest) == config.size
    assert layout.fetch_blob(config) == b"{}"
    assert layout.blob_size("sha256:" + "0" * 64) is None
    blob = b"new blob"
    descriptor = ocikit.Descriptor(
        media_type="application/octet-stream", digest=ocikit.digest(blob), size=len(blob)
    )
    assert layout.push_blob(descriptor, blob) is True
    assert layout.push_blob(descriptor, blob) is False
    layout.fetch_blob(descriptor, work / "copied.bin")
    assert (work / "copied.bin").read_bytes() == blob

    pushed = layout.push_manifest(packed.manifest, "again")
    assert pushed.digest == packed.digest
    assert layout.resolve("again").digest == packed.digest
    layout.delete_manifest("again")  # every tag of that digest goes, and its blob
    with pytest.raises(ocikit.OciError) as error:
        layout.resolve("v1")
    assert error.value.code == "MANIFEST_UNKNOWN"
    assert not layout.blob_exists(packed.digest)
    assert layout.list_tags() == []


def test_oci_layout_pull(work: Path) -> None:
    layout = ocikit.OciLayout(work / "api")
    packed = ocikit.pack(
        [ocikit.File("dir/a.txt", b"a\n"), ocikit.File("b.txt", b"b\n")], artifact_type=DOCS
    )
    layout.write(packed, "v1")
    pulled = layout.pull("v1", work / "out")
    assert pulled.manifest.digest == packed.digest
    assert [p.relative_to((work / "out").resolve()).as_posix() for p in pulled.files] == [
        "dir/a.txt", "b.txt",
    ]  # fmt: skip
    assert (work / "out" / "dir" / "a.txt").read_bytes() == b"a\n"
