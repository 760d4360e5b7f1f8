"""``OciLayout.reference``: the core's ``layout::layout_reference`` (through the binding's
``_layout_reference``, as JS's ``OciLayout.ref`` calls it through wasm ``layoutReference``), not a
copy of its rule in Python: a tag a registry URL carries, a digest, else the digest of the
``index.json`` entry whose ``ref.name`` is the text (skopeo's ``example.com/app:1.0``), else the
text as a tag, which the reference grammar refuses. The cases are the core's unit test's
(core/src/layout/mod.rs)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ocikit
from ocikit._ocikit import _layout_reference

BASE = "layout-1.oci-layout.invalid/layout"
DIGEST = f"sha256:{'b' * 64}"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _index_json() -> bytes:
    layout = ocikit.Layout()
    descriptor = ocikit.Descriptor(media_type=MANIFEST, digest=DIGEST, size=2)
    layout.add(descriptor, "example.com/app:1.0")  # a ref.name image-layout.md allows
    return layout.index_json()


def test_the_core_s_cases() -> None:
    index = _index_json()
    reads = []

    def with_index() -> bytes:
        reads.append(1)
        return index

    def of(text: str) -> str:
        return _layout_reference(BASE, text, with_index)

    # A tag and a digest, without reading index.json.
    assert of("v1.0") == f"{BASE}:v1.0"
    assert of(DIGEST) == f"{BASE}@{DIGEST}"
    assert not reads
    # A skopeo-style ref.name is reached by its entry's digest.
    assert of("example.com/app:1.0") == f"{BASE}@{DIGEST}"
    # Neither, and no entry: the text as a tag, which the reference grammar refuses.
    assert of("other.com/app:2") == f"{BASE}:other.com/app:2"
    with pytest.raises(ocikit.ValidationError) as refused:
        ocikit.Reference.parse(of("other.com/app:2"))
    assert refused.value.code == "REFERENCE_INVALID"
    assert len(reads) == 3
    # No index.json, and a damaged one (the core's coded error).
    assert _layout_reference(BASE, "a/b:c", lambda: None) == f"{BASE}:a/b:c"
    with pytest.raises(ocikit.ValidationError) as damaged:
        _layout_reference(BASE, "a/b:c", lambda: b"{")
    assert damaged.value.code == "JSON_INVALID"


def test_the_tag_grammar_is_the_core_s() -> None:
    def never() -> bytes:
        raise AssertionError("index.json is read only for a text that is neither")

    # 128 characters is a tag, 129 is not (then index.json is asked for).
    assert _layout_reference(BASE, "a" * 128, never) == f"{BASE}:{'a' * 128}"
    assert _layout_reference(BASE, "_x", never) == f"{BASE}:_x"
    for text in ("a" * 129, "-x", ".x", "", "sha256:abc"):
        assert _layout_reference(BASE, text, lambda: None) == f"{BASE}:{text}"
    # An unregistered algorithm of the digest grammar is a digest.
    assert _layout_reference(BASE, "foo:bar", never) == f"{BASE}@foo:bar"


def test_the_reader_s_exception_goes_through() -> None:
    class Unreadable(Exception):
        pass

    def unreadable() -> bytes:
        raise Unreadable

    with pytest.raises(Unreadable):
        _layout_reference(BASE, "example.com/app:1.0", unreadable)
    with pytest.raises(TypeError):
        _layout_reference(BASE, "example.com/app:1.0", lambda: 5)  # type: ignore[arg-type,return-value]


def _layout_with_ref_name(tmp_path: Path) -> tuple[ocikit.OciLayout, str]:
    path = tmp_path / "layout"
    layout = ocikit.OciLayout(path)
    packed = ocikit.pack([ocikit.File("a.txt", b"hi")], artifact_type="application/vnd.test+type")
    digest = str(layout.write(packed, "v1").digest)
    index = json.loads((path / "index.json").read_bytes())
    index["manifests"][0]["annotations"][ocikit.annotations.REF_NAME] = "example.com/app:1.0"
    (path / "index.json").write_text(json.dumps(index))
    return ocikit.OciLayout(path), digest


def test_oci_layout_reference(tmp_path: Path) -> None:
    layout, digest = _layout_with_ref_name(tmp_path)
    base = f"{layout.host}/layout"
    assert layout.reference() == base
    assert layout.reference("v2") == f"{base}:v2"
    assert layout.reference(digest) == f"{base}@{digest}"
    assert layout.reference("example.com/app:1.0") == f"{base}@{digest}"
    assert layout.resolve("example.com/app:1.0").digest == digest
    assert layout.manifest("example.com/app:1.0").artifact_type == "application/vnd.test+type"
    # Not an entry: refused by the reference grammar before anything is read or written.
    with pytest.raises(ocikit.ValidationError) as refused:
        layout.manifest("other.com/app:2")
    assert refused.value.code == "REFERENCE_INVALID"


def test_oci_layout_reads_index_json_only_for_a_ref_name(tmp_path: Path) -> None:
    layout, digest = _layout_with_ref_name(tmp_path)
    (layout.path / "index.json").write_bytes(b"{")
    base = f"{layout.host}/layout"
    assert layout.reference("v1") == f"{base}:v1"
    assert layout.reference(digest) == f"{base}@{digest}"
    with pytest.raises(ocikit.ValidationError) as damaged:
        layout.reference("example.com/app:1.0")
    assert damaged.value.code == "JSON_INVALID"
    # A link out of the layout is not followed (the host's reader's coded error).
    (layout.path / "index.json").unlink()
    outside = tmp_path / "outside.json"
    outside.write_text("{}")
    (layout.path / "index.json").symlink_to(outside)
    with pytest.raises(ocikit.PolicyError) as unsafe:
        layout.reference("example.com/app:1.0")
    assert unsafe.value.code == "PATH_UNSAFE"
