"""``ocikit.pack`` and ``ocikit.pack_index``: the golden cases of tests/vectors/pack/ (whose
expected bytes the real ORAS CLI wrote, see tests/vectors/tools/make_pack_vectors.py), through
the library and through ``ocikit push --oci-layout`` with the same arguments ORAS was given."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

import ocikit
from conftest import VECTORS
from ocikit import annotations as keys

PACK_CASES = [
    json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((VECTORS / "pack").glob("*.json"))
]
DOCS = "application/vnd.example.docs.config.v1+json"
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [case["name"] for case in cases]


def test_pack_vectors_are_substantial() -> None:
    assert len(PACK_CASES) >= 10


def _pack_case(case: dict[str, Any]) -> ocikit.Packed:
    config = case.get("config")
    return ocikit._pack._pack_files(
        [
            ocikit.File(
                f["name"],
                f["text"].encode(),
                media_type=f.get("mediaType"),
                annotations=f.get("annotations"),
            )
            for f in case["files"]
        ],
        artifact_type=case.get("artifactType"),
        config=ocikit.Config(config["mediaType"], config["text"].encode()) if config else None,
        config_annotations=case.get("configAnnotations"),
        annotations=case["annotations"],
        image_spec=case.get("spec", "v1.1"),
        created=case["created"],
        cli_defaults=True,
    )


@pytest.mark.parametrize("case", PACK_CASES, ids=_ids(PACK_CASES))
def test_pack_matches_oras(case: dict[str, Any]) -> None:
    packed = _pack_case(case)
    assert packed.manifest.to_json() == case["manifest"].encode()
    assert (packed.digest, packed.size) == (case["digest"], case["size"])
    assert packed.descriptor.digest == case["digest"]
    assert packed.descriptor.artifact_type == packed.manifest.artifact_type
    # Every blob the manifest names is listed once, with bytes that match its descriptor.
    manifest = packed.manifest
    digests = [blob.descriptor.digest for blob in packed.blobs]
    assert len(set(digests)) == len(digests)
    for descriptor in (manifest.config, *manifest.layers):
        [blob] = [b for b in packed.blobs if b.descriptor.digest == descriptor.digest]
        assert blob.data is not None and blob.path is None
        ocikit.verify(blob.data, descriptor.digest, descriptor.size)
    assert packed.blobs[0].descriptor == manifest.config
    assert ocikit.validate(manifest.to_json()).valid


def test_library_pack_without_a_type_asks_for_one() -> None:
    # Only the CLI falls back to ORAS's application/vnd.unknown.artifact.v1.
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack([ocikit.File("a.txt", b"a")])
    assert raised.value.code == "ARTIFACT_TYPE_REQUIRED"


def test_pack_is_deterministic_without_created() -> None:
    files = [ocikit.File("a.txt", b"a", media_type="text/plain")]
    first = ocikit.pack(files, artifact_type=DOCS)
    assert first == ocikit.pack(files, artifact_type=DOCS)
    assert keys.CREATED not in first.manifest.annotations


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        ("2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
        (1_700_000_000, "2023-11-14T22:13:20Z"),
        (0, "1970-01-01T00:00:00Z"),
        ("2024-01-01T00:00:00.5+01:00", "2024-01-01T00:00:00.5+01:00"),  # text: as given
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "2024-01-02T03:04:05Z"),
        # A datetime is an instant: UTC, whole seconds (rounded down), as ORAS and JS's Date.
        (datetime(2024, 1, 2, 3, 4, 5, 999999, tzinfo=timezone.utc), "2024-01-02T03:04:05Z"),
        (
            datetime(2024, 1, 2, 8, 34, 5, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2024-01-02T03:04:05Z",
        ),
        (datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc), "1969-12-31T23:59:59Z"),
    ],
)
def test_created(created: Any, expected: str) -> None:
    packed = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS, created=created)
    assert packed.manifest.annotations[keys.CREATED] == expected
    assert ocikit.validate(packed.manifest.to_json()).valid


def test_created_errors() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ocikit.pack([], artifact_type=DOCS, created=datetime(2024, 1, 1))
    with pytest.raises(TypeError):
        ocikit.pack([], artifact_type=DOCS, created=True)
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack([], artifact_type=DOCS, created="yesterday")
    assert raised.value.code == "ANNOTATION_INVALID"


def test_from_digest_and_from_path(tmp_path: Path) -> None:
    big = tmp_path / "model.bin"
    big.write_bytes(os.urandom(3 * 1024 * 1024 + 7))
    on_disk = ocikit.File.from_path(big, media_type="application/vnd.example.model.layer.v1")
    assert (on_disk.name, on_disk.path, on_disk.size) == ("model.bin", str(big), big.stat().st_size)
    assert on_disk.digest == ocikit.digest_file(big) and on_disk.data is None
    elsewhere = ocikit.File.from_digest("remote.bin", "sha256:" + "1" * 64, 5)
    packed = ocikit.pack([on_disk, elsewhere], artifact_type=DOCS)
    by_digest = {blob.descriptor.digest: blob for blob in packed.blobs}
    assert by_digest[on_disk.digest].path == str(big) and by_digest[on_disk.digest].data is None
    assert by_digest[elsewhere.digest].path is None and by_digest[elsewhere.digest].data is None
    layers = packed.manifest.layers
    assert [layer.annotations[keys.TITLE] for layer in layers] == ["model.bin", "remote.bin"]
    assert layers[1].size == 5
    renamed = ocikit.File.from_path(big, name="models/m.bin")
    assert renamed.name == "models/m.bin"


@pytest.mark.parametrize("concurrency", [None, 1, 3])
def test_from_paths_hashes_several_files_in_order(tmp_path: Path, concurrency: int | None) -> None:
    paths = []
    for i, size in enumerate([2 * 1024 * 1024 + 1, 0, 17, 1024 * 1024, 5]):
        path = tmp_path / f"part-{i}.bin"
        path.write_bytes(os.urandom(size))
        paths.append(path)
    layer = "application/vnd.example.model.layer.v1"
    files = ocikit.File.from_paths(reversed(paths), layer, concurrency=concurrency)
    assert files == [ocikit.File.from_path(p, media_type=layer) for p in reversed(paths)]
    assert [f.digest for f in files] == [ocikit.digest_file(p) for p in reversed(paths)]
    assert ocikit.File.from_paths([]) == []


def test_from_paths_raises_for_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "here.bin").write_bytes(b"x")
    with pytest.raises(FileNotFoundError, match="gone.bin"):
        ocikit.File.from_paths([tmp_path / "here.bin", tmp_path / "gone.bin"])


def test_file_objects_are_frozen_values() -> None:
    file = ocikit.File("a", bytearray(b"xy"), annotations={"k.x": "v"})
    assert file.data == b"xy" and isinstance(file.data, bytes)
    assert file == ocikit.File("a", b"xy", annotations={"k.x": "v"})
    with pytest.raises(TypeError):
        file.annotations["k.y"] = "w"  # type: ignore[index]
    with pytest.raises(AttributeError):
        file.name = "b"  # type: ignore[misc]
    with pytest.raises(ValueError):
        ocikit.File("a", None)
    with pytest.raises(ValueError):
        ocikit.File("a", b"x", digest="sha256:" + "0" * 64, size=1)
    with pytest.raises(TypeError, match="ocikit.File"):
        ocikit.pack(["a.txt"], artifact_type=DOCS)  # type: ignore[list-item]


@pytest.mark.parametrize(
    "title",
    ["/etc/passwd", "../up.txt", "a/../../b", "C:\\x", "a:b", "CON", "trailing.", "", "a\x01b"],
)
def test_unportable_titles_are_refused(title: str) -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack([ocikit.File(title, b"x")], artifact_type=DOCS)
    assert raised.value.code == "ANNOTATION_INVALID"
    with pytest.raises(ocikit.ValidationError):
        ocikit.check_title(title)


def test_embed_data_and_subject() -> None:
    subject = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS)
    packed = ocikit.pack(
        [ocikit.File("small", b"tiny"), ocikit.File("large", b"x" * 100)],
        artifact_type="application/vnd.example.signature.config.v1+json",
        subject=subject,
        embed_data_up_to=10,
    )
    small, large = packed.manifest.layers
    assert small.data == b"tiny" and large.data is None
    assert packed.manifest.subject == subject.descriptor
    assert ocikit.validate(packed.manifest.to_json()).valid
    with pytest.raises(ValueError):
        ocikit.pack([], artifact_type=DOCS, embed_data_up_to=-1)


def test_option_errors() -> None:
    subject = ocikit.pack([ocikit.File("a", b"a")], artifact_type=DOCS)
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack([], artifact_type=DOCS, image_spec="v1.0", subject=subject)
    assert raised.value.code == "OPTIONS_INVALID"
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack(
            [], artifact_type=DOCS, image_spec="v1.0", config=ocikit.Config("a/b+json", b"{}")
        )
    assert raised.value.code == "OPTIONS_INVALID"
    with pytest.raises(ValueError, match="image_spec"):
        ocikit.pack([], artifact_type=DOCS, image_spec="v2")
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack([ocikit.File("a", b"a", media_type="not a type")], artifact_type=DOCS)
    assert raised.value.code == "MEDIA_TYPE_INVALID"
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack([ocikit.File.from_digest("a", "sha256:abc", 1)], artifact_type=DOCS)
    assert raised.value.code == "DIGEST_INVALID"
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack([ocikit.File.from_digest("a", "sha256:" + "0" * 64, -1)], artifact_type=DOCS)
    assert raised.value.code == "SIZE_INVALID"


def test_pack_index_collection() -> None:
    parts = [
        ocikit.pack([ocikit.File(f"{name}.json", b"{}")], artifact_type=DOCS)
        for name in ("bundle", "invocation")
    ]
    platform = ocikit.Platform(architecture="amd64", os="linux")
    image = ocikit.Descriptor(
        media_type="application/vnd.oci.image.manifest.v1+json",
        digest="sha256:" + "2" * 64,
        size=10,
        platform=platform,
    )
    index = ocikit.pack_index(
        [parts[0], parts[1].manifest, image],
        artifact_type="application/vnd.cnab.config.v1+json",
        annotations={keys.CREATED: "2024-01-01T00:00:00Z"},
    )
    assert [m.digest for m in index.manifests] == [parts[0].digest, parts[1].digest, image.digest]
    assert index.manifests[0].artifact_type == DOCS
    assert index.manifests[2].platform == platform
    assert index.artifact_type == "application/vnd.cnab.config.v1+json"
    assert ocikit.validate(index.to_json()).valid
    assert ocikit.Index.from_json(index.to_json()) == index
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.pack_index([], annotations={keys.CREATED: "soon"})
    assert raised.value.code == "ANNOTATION_INVALID"
    with pytest.raises(TypeError):
        ocikit.pack_index(["sha256:abc"])  # type: ignore[list-item]


# The same cases through `ocikit push`, with the arguments ORAS got -------------------------


def _push_args(case: dict[str, Any], work: Path) -> list[str]:
    """Writes the case's inputs under ``work`` and returns the ``ocikit push`` arguments that
    tests/vectors/tools/make_pack_vectors.py gave ``oras push``."""
    for f in case["files"]:
        path = work / f["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f["text"].encode())
    args = ["push", "--oci-layout", "layout:t", "--export-manifest", "manifest.json"]
    if case.get("spec"):
        args += ["--image-spec", case["spec"]]
    if case.get("artifactType"):
        args += ["--artifact-type", case["artifactType"]]
    if case.get("config"):
        (work / "config.json").write_bytes(case["config"]["text"].encode())
        args += ["--config", f"config.json:{case['config']['mediaType']}"]
    sections: dict[str, dict[str, str]] = {
        "$manifest": {**case["annotations"], keys.CREATED: case["created"]}
    }
    if case.get("configAnnotations"):
        sections["$config"] = case["configAnnotations"]
    for f in case["files"]:
        if f.get("annotations"):
            sections[f["name"]] = f["annotations"]
    (work / "annotations.json").write_text(json.dumps(sections))
    args += ["--annotation-file", "annotations.json"]
    args += [f["name"] + (":" + f["mediaType"] if f.get("mediaType") else "") for f in case["files"]]
    return args


@pytest.mark.parametrize("case", PACK_CASES, ids=_ids(PACK_CASES))
def test_cli_push_matches_oras(case: dict[str, Any], ocikit_cli: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(
        [str(ocikit_cli), *_push_args(case, tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "manifest.json").read_bytes() == case["manifest"].encode()
    assert result.stdout.splitlines()[0] == "Pushed [oci-layout] layout:t"
    assert result.stdout.splitlines()[-1] == f"Digest: {case['digest']}"
    layout = ocikit.OciLayout(tmp_path / "layout", create=False)
    assert layout.resolve("t").digest == case["digest"]
    report = layout.verify()
    assert report.valid, report.findings
