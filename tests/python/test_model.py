"""The model classes (Descriptor, Platform, Manifest, Index), references and annotation keys."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

import ocikit
from conftest import case_id, load_vectors
from ocikit import annotations as keys

EMPTY = "application/vnd.oci.empty.v1+json"
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
DOCS = "application/vnd.example.docs.config.v1+json"
LAYER = "application/vnd.example.docs.layer.v1+md"
REFERENCES = load_vectors("references.json")["cases"]


def _empty() -> ocikit.Descriptor:
    return ocikit.Descriptor(media_type=EMPTY, digest=EMPTY_DIGEST, size=2, data=b"{}")


def _layer(**extra: Any) -> ocikit.Descriptor:
    return ocikit.Descriptor(
        media_type=LAYER,
        digest=ocikit.digest(b"# A\n"),
        size=4,
        annotations={keys.TITLE: "a.md"},
        **extra,
    )


def test_descriptor_canonical_bytes() -> None:
    platform = ocikit.Platform(
        architecture="arm64", os="linux", os_version="1", os_features=["f"], variant="v8"
    )
    descriptor = ocikit.Descriptor(
        artifact_type=DOCS,
        platform=platform,
        data=b"{}",
        annotations={"z.b": "<&>", "a.b": "x"},
        urls=["https://example.com/a"],
        size=2,
        digest=ocikit.Digest.parse(EMPTY_DIGEST),
        media_type=EMPTY,
    )
    # Go's field order and escaping, whatever the keyword order.
    assert descriptor.to_json() == (
        b'{"mediaType":"application/vnd.oci.empty.v1+json","digest":"' + EMPTY_DIGEST.encode()
        + b'","size":2,"urls":["https://example.com/a"],"annotations":{"a.b":"x",'
        b'"z.b":"\\u003c\\u0026\\u003e"},"data":"e30=","platform":{"architecture":"arm64",'
        b'"os":"linux","os.version":"1","os.features":["f"],"variant":"v8"},'
        b'"artifactType":"application/vnd.example.docs.config.v1+json"}'
    )
    assert ocikit.Descriptor.from_json(descriptor.to_json()) == descriptor
    assert descriptor.platform == platform
    assert (descriptor.urls, descriptor.data, descriptor.artifact_type) == (
        ("https://example.com/a",),
        b"{}",
        DOCS,
    )
    assert platform.os_features == ("f",) and platform.os_version == "1"
    assert ocikit.Platform.from_json(platform.to_json()) == platform
    assert ocikit.validate(descriptor.to_json(), "descriptor").valid


def test_descriptor_argument_errors() -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.Descriptor(media_type="nope", digest=EMPTY_DIGEST, size=2)
    assert raised.value.code == "MEDIA_TYPE_INVALID"
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.Descriptor(media_type=EMPTY, digest="sha256:AB", size=2)
    assert raised.value.code == "DIGEST_INVALID"
    for size in (-1, 2**63):
        with pytest.raises(ocikit.ValidationError) as raised:
            ocikit.Descriptor(media_type=EMPTY, digest=EMPTY_DIGEST, size=size)
        assert raised.value.code == "SIZE_INVALID"
    with pytest.raises(TypeError):
        ocikit.Descriptor(media_type=EMPTY, digest=EMPTY_DIGEST, size=2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ocikit.Descriptor(EMPTY, EMPTY_DIGEST, 2)  # type: ignore[misc]
    with pytest.raises(TypeError):
        ocikit.Descriptor(media_type=EMPTY, digest=EMPTY_DIGEST, size=2, urls="https://x")  # type: ignore[arg-type]


def test_models_are_frozen_and_compare_by_value() -> None:
    assert _layer() == _layer() and _layer() != _empty()
    with pytest.raises(AttributeError):
        _layer().size = 3  # type: ignore[misc]
    annotations = _layer().annotations
    annotations["x.y"] = "z"  # a copy: the descriptor does not change
    assert "x.y" not in _layer().annotations
    assert repr(_empty()) == (
        f"Descriptor(media_type='{EMPTY}', digest='{EMPTY_DIGEST}', size=2, data=b'{{}}')"
    )
    for value in (_layer(), ocikit.Platform(architecture="amd64", os="linux")):
        assert pickle.loads(pickle.dumps(value)) == value


def test_manifest_built_from_keywords_is_canonical() -> None:
    manifest = ocikit.Manifest(
        annotations={keys.CREATED: "2024-01-01T00:00:00Z"},
        layers=[_layer()],
        config=_empty(),
        artifact_type=DOCS,
    )
    expected = (
        b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        b'"artifactType":"' + DOCS.encode() + b'","config":' + _empty().to_json()
        + b',"layers":[' + _layer().to_json()
        + b'],"annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"}}'
    )
    assert manifest.to_json() == expected
    assert manifest.digest == ocikit.digest(expected)
    assert manifest.size == len(expected)
    assert manifest.descriptor == ocikit.Descriptor(
        media_type="application/vnd.oci.image.manifest.v1+json",
        digest=manifest.digest,
        size=manifest.size,
        artifact_type=DOCS,
    )
    assert (manifest.config, manifest.layers, manifest.subject) == (_empty(), (_layer(),), None)
    assert manifest.media_type == "application/vnd.oci.image.manifest.v1+json"
    assert ocikit.validate(manifest.to_json()).valid
    assert repr(manifest).startswith(f"Manifest(artifact_type='{DOCS}', config=Descriptor(")
    # media_type=None leaves the (optional) field out.
    bare = ocikit.Manifest(config=_empty(), layers=[], media_type=None)
    assert bare.media_type is None and b"mediaType\":\"application/vnd.oci.image" not in bare.to_json()
    assert "media_type=None" in repr(bare)


def test_from_json_keeps_the_exact_bytes() -> None:
    canonical = ocikit.Manifest(config=_empty(), layers=[_layer()], artifact_type=DOCS)
    pretty = json.dumps(json.loads(canonical.to_json()), indent=3).encode()
    for document in (pretty, pretty.decode(), bytearray(pretty), memoryview(pretty)):
        manifest = ocikit.Manifest.from_json(document)
        assert manifest.to_json() == pretty
        assert manifest.digest == ocikit.digest(pretty) != canonical.digest
        assert manifest.size == len(pretty)
        assert manifest.layers == canonical.layers
    # Equal iff the bytes are equal; hashable by digest; pickles as its bytes.
    reread = ocikit.Manifest.from_json(pretty)
    assert reread == ocikit.Manifest.from_json(pretty) and reread != canonical
    assert len({reread, ocikit.Manifest.from_json(pretty), canonical}) == 2
    assert pickle.loads(pickle.dumps(reread)).to_json() == pretty


def test_unknown_fields_are_kept() -> None:
    document = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": DOCS,
        "config": {**json.loads(_empty().to_json()), "x-config": [1, {"a": None}]},
        "layers": [{**json.loads(_layer().to_json()), "x-layer": 1.5, "x-big": 2**64}],
        "x-top": {"nested": True},
    }
    text = json.dumps(document).encode()
    manifest = ocikit.Manifest.from_json(text)
    assert manifest.extra == {"x-top": {"nested": True}}
    assert manifest.config.extra == {"x-config": [1, {"a": None}]}
    assert manifest.layers[0].extra == {"x-layer": 1.5, "x-big": float(2**64)}
    assert manifest.to_json() == text
    # A descriptor writes what it kept after the fields it knows.
    assert manifest.config.to_json().endswith(b'"x-config":[1,{"a":null}]}')
    platform = ocikit.Platform.from_json(b'{"architecture":"amd64","os":"linux","os.x":"y"}')
    assert platform.extra == {"os.x": "y"}


@pytest.mark.parametrize(
    ("document", "code"),
    [
        (b"[]", "JSON_INVALID"),
        (b'{"schemaVersion":2,"schemaVersion":2}', "JSON_INVALID"),
        (b'{"schemaVersion":1,"config":{},"layers":[]}', "SCHEMA_VERSION_INVALID"),
        (b'{"schemaVersion":2,"layers":[]}', "FIELD_MISSING"),
        (
            b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",'
            b'"config":{},"layers":[]}',
            "MEDIA_TYPE_MISMATCH",
        ),
    ],
)
def test_manifest_from_json_errors(document: bytes, code: str) -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.Manifest.from_json(document)
    assert raised.value.code == code


def test_index_model() -> None:
    entry = ocikit.Manifest(config=_empty(), layers=[_layer()], artifact_type=DOCS).descriptor
    index = ocikit.Index(manifests=[entry], annotations={"com.example.k": "v"})
    assert index.manifests == (entry,)
    assert index.media_type == "application/vnd.oci.image.index.v1+json"
    assert index.descriptor.media_type == "application/vnd.oci.image.index.v1+json"
    assert ocikit.Index.from_json(index.to_json()) == index
    assert ocikit.validate(index.to_json(), "index").valid
    assert pickle.loads(pickle.dumps(index)) == index
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.Index.from_json(_empty().to_json())
    assert raised.value.code == "FIELD_MISSING"


def test_annotation_keys_come_from_the_core() -> None:
    from ocikit._ocikit import ANNOTATION_KEYS

    assert sorted(keys.__all__) == sorted(ANNOTATION_KEYS) == keys.__all__
    for name, key in ANNOTATION_KEYS.items():
        assert getattr(keys, name) == key
        assert key.startswith("org.opencontainers.image.")
    assert keys.TITLE == "org.opencontainers.image.title"
    assert ocikit.annotations is keys


@pytest.mark.parametrize("case", REFERENCES, ids=case_id)
def test_reference_vectors(case: dict[str, Any]) -> None:
    code = case.get("error")
    if code:
        with pytest.raises(ocikit.OciError) as raised:
            ocikit.Reference.parse(case["input"])
        assert raised.value.code == code
        return
    reference = ocikit.Reference.parse(case["input"])
    assert (reference.registry, reference.repository, reference.tag, reference.digest) == (
        case["registry"],
        case["repository"],
        case["tag"],
        case["digest"],
    )
    assert str(reference) == case["input"]
    assert repr(reference) == f"Reference('{case['input']}')"
    assert reference == ocikit.Reference.parse(case["input"])
    assert hash(reference) == hash(ocikit.Reference.parse(case["input"]))
    assert pickle.loads(pickle.dumps(reference)) == reference
    assert reference.target == (case["digest"] or case["tag"] or "latest")
