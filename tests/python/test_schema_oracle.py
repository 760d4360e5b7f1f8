"""The official image-spec JSON schemas as an independent oracle for ``ocikit.validate``.

Every validation vector the schemas can judge (the input is a JSON text and its kind has a
schema) must get the same verdict from ocikit and from the schemas (v1.1.1, draft-04, run by
``jsonschema``), except where ocikit follows the spec prose and DESIGN.md's decisions instead;
each such case is listed in ``PROSE`` below with the reason. The list is exact: a case that
disagrees without being listed fails, and so does a listed case that agrees.

The schemas are test data only (../shared/oci-schemas next to the repository, where CI has
them); ``$ref``s between the files resolve locally, by file name, never over the network.
Their ``format`` keywords (``uri``, ``date-time``) are annotations, not assertions, as draft-04
allows and as ``jsonschema`` runs them without a format checker: those rules are ocikit's alone
and their cases are listed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

import ocikit
from conftest import REPO, VECTORS

SCHEMAS = REPO.parent / "shared" / "oci-schemas"
SCHEMA_OF_KIND = {
    "manifest": "image-manifest-schema.json",
    "index": "image-index-schema.json",
    "descriptor": "content-descriptor.json",
    "config": "config-schema.json",
    "layout": "image-layout-schema.json",
}

# Why ocikit's verdict differs from the schemas', by rule.
SHA_HEX = (
    "descriptor.md#registered-algorithms: sha256/sha512 encoded parts are exactly 64/128 "
    "lowercase hex characters; the schema's digest pattern allows any length and case"
)
SIZE_RANGE = (
    "descriptor.md: size counts bytes, so it is never negative, and it is an int64; the schema "
    "allows negatives, and its int64 maximum (9223372036854776000, a float) admits 2**63"
)
URL_FORMAT = (
    "descriptor.md: urls entries MUST conform to RFC 3986; the schema's format: uri is an "
    "annotation only"
)
DATA_CONTENT = (
    "descriptor.md#embedded-content: data is padded standard base64 (RFC 4648 §4) of exactly "
    "the content digest and size name; the schema only asks for a string"
)
CREATED_FORMAT = (
    "annotations.md / config.md: created is an RFC 3339 date-time; the schema's format: "
    "date-time is an annotation only"
)
DESCRIPTOR_PLATFORM = (
    "descriptor.md and image-index.md: a descriptor's platform has architecture and os "
    "(strings) and os.features (an array of strings); content-descriptor.json has no platform "
    "property, so it accepts any value there"
)
MEDIA_TYPE_MATCH = (
    "manifest.md / image-index.md: mediaType, when present, MUST be the kind's own type; the "
    "schemas only check the media type grammar"
)
BLAKE3_HEX = (
    "descriptor.md#registered-algorithms (image-spec main): blake3 encoded parts are exactly 64 "
    "lowercase hex characters; the schema's digest pattern allows any length and case"
)
NULL_OPTIONAL = (
    "DESIGN.md and config.md ('Any OPTIONAL field MAY also be set to null'): null is accepted for "
    "optional image-config fields, because Go's encoder writes nil slices, maps and pointers as "
    "null; the schema wants strings, arrays and objects"
)
RESERVED_TYPED = (
    "config.md types the execution parameters it reserves for compatibility: Memory, MemorySwap "
    "and CpuShares are integers (Go int64), Healthcheck an object; config-schema.json v1.1.1 no "
    "longer lists them, so any value passes"
)
DUPLICATE_KEYS = (
    "RFC 8259 §4 leaves duplicate names undefined and two parsers may read different "
    "documents from the same bytes (same digest): ocikit rejects them; Python's json keeps the "
    "last value and the schema judges that"
)

PROSE: dict[tuple[str, str], str] = {
    # config.json
    ("config", "null optional fields (Go writes them)"): NULL_OPTIONAL,
    ("config", "execution parameters null (Go writes them)"): NULL_OPTIONAL,
    ("config", "history fields null"): NULL_OPTIONAL,
    ("config", 'config.Memory "2g" (must be an integer)'): RESERVED_TYPED,
    ("config", "config.Memory 1.5 (must be an integer)"): RESERVED_TYPED,
    ("config", "config.MemorySwap true (must be an integer)"): RESERVED_TYPED,
    ("config", "config.CpuShares 9223372036854775808 (must be an integer)"): RESERVED_TYPED,
    ("config", 'config.Healthcheck "CMD true" (must be an object)'): RESERVED_TYPED,
    ("config", "config.Labels created not RFC 3339"): CREATED_FORMAT,
    ("config", "config.Labels duplicate key"): DUPLICATE_KEYS,
    ("config", "rootfs.diff_ids uppercase sha256"): SHA_HEX,
    ("config", "rootfs.diff_ids bad digest"): (
        "config.md: diff_ids are layer digests; config-schema.json types them as plain strings"
    ),
    ("config", "created not RFC 3339"): CREATED_FORMAT,
    ("config", "history entry created bad"): CREATED_FORMAT,
    # descriptor.json
    ("descriptor", "digest sha256 uppercase"): SHA_HEX,
    ("descriptor", "digest sha256 63 chars"): SHA_HEX,
    ("descriptor", "digest sha256 65 chars"): SHA_HEX,
    ("descriptor", "digest sha512 short"): SHA_HEX,
    ("descriptor", "digest non-hex"): SHA_HEX,
    ("descriptor", "digest blake3 uppercase"): BLAKE3_HEX,
    ("descriptor", "digest blake3 63 chars"): BLAKE3_HEX,
    ("descriptor", "digest blake3 with a sha512 length"): BLAKE3_HEX,
    ("descriptor", "data not matching its blake3 digest"): DATA_CONTENT,
    ("descriptor", "data and bad digest: digest reported"): SHA_HEX,
    ("descriptor", "config descriptor errors carry the /config prefix"): SHA_HEX,
    ("descriptor", "size negative"): SIZE_RANGE,
    ("descriptor", "size above int64"): SIZE_RANGE,
    ("descriptor", "urls relative"): URL_FORMAT,
    ("descriptor", "urls space"): URL_FORMAT,
    ("descriptor", "urls bad percent"): URL_FORMAT,
    ("descriptor", "urls second bad"): URL_FORMAT,
    ("descriptor", "urls empty string"): URL_FORMAT,
    ("descriptor", "data wrong content"): DATA_CONTENT,
    ("descriptor", "data wrong size"): DATA_CONTENT,
    ("descriptor", "data unpadded"): DATA_CONTENT,
    ("descriptor", "data base64url alphabet"): DATA_CONTENT,
    ("descriptor", "data with whitespace"): DATA_CONTENT,
    ("descriptor", "data non-canonical trailing bits"): DATA_CONTENT,
    ("descriptor", "platform missing os"): DESCRIPTOR_PLATFORM,
    ("descriptor", "platform missing both"): DESCRIPTOR_PLATFORM,
    ("descriptor", "platform os.features not an array"): DESCRIPTOR_PLATFORM,
    ("descriptor", "platform variant a number"): DESCRIPTOR_PLATFORM,
    ("descriptor", "platform a string"): DESCRIPTOR_PLATFORM,
    ("descriptor", "descriptor annotations created bad"): CREATED_FORMAT,
    # index.json
    ("index", "mediaType of a manifest"): MEDIA_TYPE_MATCH,
    ("index", "Docker manifest list type"): MEDIA_TYPE_MATCH,
    ("index", "entry digest invalid"): SHA_HEX,
    ("index", "entry size negative"): SIZE_RANGE,
    ("index", "entry artifactType invalid"): (
        "image-index.md: an entry's artifactType is a media type (RFC 6838); the schema's "
        "manifest entries do not define artifactType, so any value passes"
    ),
    # manifest.json
    ("manifest", "mediaType of an index"): MEDIA_TYPE_MATCH,
    ("manifest", "Docker mediaType"): MEDIA_TYPE_MATCH,
    ("descriptor", "empty config data wrong"): DATA_CONTENT,
    ("manifest", "artifactType missing with the empty config"): (
        "manifest.md#guidelines-for-artifact-usage: artifactType MUST be set when the config "
        "is the empty descriptor; the schema cannot relate the two fields"
    ),
    ("manifest", "layers empty (prose: warning; schema: allowed)"): (
        "DESIGN.md: an empty layers array is a warning (LAYERS_EMPTY), as the prose only "
        "discourages it (SHOULD have at least one layer); the schema's minItems: 1 rejects it"
    ),
    ("manifest", "second layer broken"): SIZE_RANGE,
    ("manifest", "created not RFC 3339"): CREATED_FORMAT,
    ("manifest", "created an impossible date"): CREATED_FORMAT,
    ("manifest", "duplicate key inside a layer"): DUPLICATE_KEYS,
    ("manifest", "duplicate annotation key"): DUPLICATE_KEYS,
}


@lru_cache(maxsize=None)
def _validators() -> dict[str, Draft4Validator]:
    if not SCHEMAS.is_dir():
        pytest.fail(f"the official schemas are missing: expected them in {SCHEMAS}")

    def retrieve(uri: str) -> Resource[Any]:
        # The files name each other under several base URIs; the file name identifies them.
        path = SCHEMAS / uri.rsplit("/", 1)[-1]
        if not path.is_file():
            raise NoSuchResource(ref=uri)
        contents = json.loads(path.read_text(encoding="utf-8"))
        return Resource.from_contents(contents, default_specification=DRAFT4)

    registry: Registry[Any] = Registry(retrieve=retrieve)  # type: ignore[call-arg]
    validators = {}
    for kind, name in SCHEMA_OF_KIND.items():
        schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        Draft4Validator.check_schema(schema)
        validators[kind] = Draft4Validator(schema, registry=registry)
    return validators


def _input(case: dict[str, Any]) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    if "text" in case:
        return str(case["text"]).encode("utf-8")
    return json.dumps(case["document"], separators=(",", ":"), ensure_ascii=False).encode()


def _not_json(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def _json_value(data: bytes) -> tuple[bool, Any]:
    """The JSON value of ``data``, if it is a JSON text (strict UTF-8, no BOM, no NaN)."""
    try:
        return True, json.loads(data.decode("utf-8"), parse_constant=_not_json)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return False, None


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted((VECTORS / "manifests").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            cases.append((path.stem, case))
    return cases


CASES = _cases()
# Judgeable: a JSON text, and a kind (given or detected) that has a schema.
JUDGEABLE = [
    (group, case)
    for group, case in CASES
    if case["expectKind"] in SCHEMA_OF_KIND and _json_value(_input(case))[0]
]


def test_most_vectors_are_judged() -> None:
    assert len(JUDGEABLE) >= 190, len(JUDGEABLE)
    assert {case["expectKind"] for _, case in JUDGEABLE} == set(SCHEMA_OF_KIND)


def test_every_listed_case_exists_and_is_judged() -> None:
    judged = {(group, case["name"]) for group, case in JUDGEABLE}
    assert set(PROSE) <= judged, sorted(set(PROSE) - judged)


@pytest.mark.parametrize(
    ("group", "case"), JUDGEABLE, ids=[f"{group}:{case['name']}" for group, case in JUDGEABLE]
)
def test_ocikit_agrees_with_the_schemas(group: str, case: dict[str, Any]) -> None:
    data = _input(case)
    _, document = _json_value(data)
    validator = _validators()[case["expectKind"]]
    schema_valid = validator.is_valid(document)
    report = ocikit.validate(data, case["kind"])
    assert report.kind == case["expectKind"]
    reason = PROSE.get((group, case["name"]))
    if reason is None:
        schema_errors = [error.message for error in validator.iter_errors(document)]
        assert report.valid == schema_valid, (
            f"ocikit says valid={report.valid} {[f.code for f in report.findings]}, the schema "
            f"says valid={schema_valid} {schema_errors}: fix one, or list the case in PROSE "
            "with the rule ocikit follows"
        )
    else:
        assert report.valid != schema_valid, f"listed in PROSE but ocikit agrees: {reason}"


# Every field config-schema.json types, given a value of another JSON type: the schema and
# ocikit must both reject it, ocikit with JSON_INVALID at that field's pointer. This walks the
# schema itself, so a field it types that ocikit does not check fails here.
_CONFIG = {
    "architecture": "amd64",
    "os": "linux",
    "config": {},
    "rootfs": {"type": "layers", "diff_ids": []},
    "history": [{}],
}
_WRONG_VALUE = {"string": 7, "array": "x", "object": ["x"], "boolean": "true", "integer": "x"}


def _resolved(schema: dict[str, Any]) -> dict[str, Any]:
    """The one non-null option of a property schema, ``$ref`` and ``oneOf`` followed."""
    if "$ref" in schema:
        name, _, pointer = schema["$ref"].partition("#")
        target: Any = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
        for part in pointer.strip("/").split("/"):
            target = target[part]
        return _resolved(target)
    if "oneOf" in schema:
        (option,) = [o for o in schema["oneOf"] if o.get("type") != "null"]
        return _resolved(option)
    return schema


def _typed_config_fields() -> list[tuple[list[str | int], str, Any]]:
    schema = json.loads((SCHEMAS / "config-schema.json").read_text(encoding="utf-8"))
    fields: list[tuple[list[str | int], str, Any]] = []

    def field(sub: dict[str, Any], at: list[str | int]) -> None:
        sub = _resolved(sub)
        kind = sub["type"]
        fields.append((at, kind, _WRONG_VALUE[kind]))
        if kind == "array" and "items" in sub:
            field(sub["items"], [*at, 0])
        for member in sub.get("patternProperties", {}).values():  # maps: a value of each
            field(member, [*at, "com.example.key"])
        for key, member in sub.get("properties", {}).items():
            if at == ["history", 0] or kind == "object":
                field(member, [*at, key])

    for key, sub in schema["properties"].items():
        if key != "history":
            field(sub, [key])
    fields.append((["history"], "array", "x"))
    for key, sub in schema["properties"]["history"]["items"]["properties"].items():
        field(sub, ["history", 0, key])
    return fields


TYPED_CONFIG_FIELDS = _typed_config_fields()


def test_the_schema_types_every_execution_parameter() -> None:
    paths = {"/".join(map(str, path)) for path, _, _ in TYPED_CONFIG_FIELDS}
    keys = ["User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels"]
    expected = {"config/" + key for key in [*keys, "StopSignal", "ArgsEscaped"]}
    assert expected <= paths, sorted(expected - paths)
    assert len(TYPED_CONFIG_FIELDS) >= 30, len(TYPED_CONFIG_FIELDS)


@pytest.mark.parametrize(
    ("path", "kind", "wrong"),
    TYPED_CONFIG_FIELDS,
    ids=["/".join(map(str, path)) for path, _, _ in TYPED_CONFIG_FIELDS],
)
def test_every_config_field_the_schema_types_is_type_checked(
    path: list[str | int], kind: str, wrong: Any
) -> None:
    document = json.loads(json.dumps(_CONFIG))
    target = document
    for part, following in zip(path, path[1:]):
        if isinstance(part, str) and part not in target:  # a container on the way: make it
            target[part] = [] if isinstance(following, int) else {}
        target = target[part]
    if isinstance(target, list):
        target[path[-1] :] = [wrong]
    else:
        target[path[-1]] = wrong
    assert not _validators()["config"].is_valid(document), "the schema accepts it"
    report = ocikit.validate(json.dumps(document).encode(), "config")
    pointer = "/" + "/".join(str(part) for part in path)
    assert not report.valid, f"ocikit accepts {kind} field {pointer} = {wrong!r}"
    assert ("JSON_INVALID", pointer) in {(f.code, f.path) for f in report.findings}, report.findings
