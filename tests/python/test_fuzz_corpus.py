"""The fuzz corpus and hostile inputs through the Python binding's public API.

Every input of tests/vectors/ (the fuzz targets' seeds), every crash regression of
tests/vectors/fuzz/regressions.json, and a set of hostile values (huge numbers, 10 000 levels of
nesting, invalid UTF-8, NUL bytes, lone surrogates, sizes of 2**53 and 2**64) go through
validate, the typed parsers, digests, verification, layouts and pack. Each call must end in a
normal result or an ``OciError`` with a stable code: never a ``PanicException`` (a Rust panic
crossing pyo3), a ``RecursionError``, or another foreign exception.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ocikit
from ocikit import OciError

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CODE = re.compile(r"[A-Z][A-Z0-9_]*")
KINDS = [None, "manifest", "index", "descriptor", "config", "layout"]
SHA256_EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"


def outcome(call: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """Runs ``call``: ``("ok", result)`` or ``("error", code)``; anything else fails the test."""
    try:
        return "ok", call(*args, **kwargs)
    except OciError as error:
        assert isinstance(error.code, str) and CODE.fullmatch(error.code), repr(error)
        return "error", error.code
    except BaseException as error:  # pyo3's PanicException derives from BaseException
        name = f"{type(error).__module__}.{type(error).__qualname__}"
        shown = ", ".join(repr(a)[:120] for a in args)
        pytest.fail(f"{getattr(call, '__qualname__', call)}({shown}) raised {name}: {error!s:.300}")


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _case_bytes(case: dict[str, Any]) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    if "text" in case:
        return case["text"].encode()
    return _compact(case["document"])


def corpus_documents() -> Iterator[bytes]:
    """The documents of tests/vectors/ (validate's and the typed parsers' seeds)."""
    for path in sorted((VECTORS / "manifests").glob("*.json")):
        for case in json.loads(path.read_text())["cases"]:
            yield _case_bytes(case)
    for path in sorted((VECTORS / "pack").glob("*.json")):
        manifest = json.loads(path.read_text()).get("manifest")
        if isinstance(manifest, str):
            yield manifest.encode()


def corpus_texts() -> Iterator[str]:
    """The strings of tests/vectors/: digests, media types, references."""
    digests = json.loads((VECTORS / "digests.json").read_text())
    for case in digests.get("parse", []) + digests.get("verify", []):
        for key in ("input", "digest", "expected"):
            if isinstance(case.get(key), str):
                yield case[key]
    for name in ("media-types.json", "references.json"):
        for case in json.loads((VECTORS / name).read_text())["cases"]:
            yield case["input"]


def regressions() -> list[dict[str, Any]]:
    return json.loads((VECTORS / "fuzz" / "regressions.json").read_text())["cases"]


def nested(depth: int) -> list[bytes]:
    return [
        b"[" * depth + b"]" * depth,
        b'{"a":' * depth + b"1" + b"}" * depth,
        # Deep inside a manifest's annotations and an index's extra field.
        b'{"schemaVersion":2,"mediaType":"' + MANIFEST_TYPE.encode() + b'","annotations":'
        + b'{"a":' * depth + b'"x"' + b"}" * depth + b"}",
        b'{"schemaVersion":2,"manifests":[],"x":' + b"[" * depth + b"]" * depth + b"}",
    ]


HOSTILE_DOCUMENTS: list[bytes] = [
    *nested(10_000),
    *nested(129),
    b"",
    b"\x00",
    b"\xff\xfe\xfd",
    b'{"mediaType":"\xff"}',
    b'{"schemaVersion":2,"mediaType":"' + MANIFEST_TYPE.encode() + b'\x00"}',
    b'{"a":"\\u0000"}',
    b'{"a":"\\ud800"}',
    b'{"a":"\\udc00\\ud800"}',
    b'{"schemaVersion":1e400}',
    b'{"schemaVersion":18446744073709551616}',
    b'{"schemaVersion":-9223372036854775809}',
    b'{"schemaVersion":2.0000000000000000000000001}',
    b'{"mediaType":"application/vnd.example","digest":"' + SHA256_EMPTY.encode() + b'","size":18446744073709551616}',
    b'{"mediaType":"application/vnd.example","digest":"' + SHA256_EMPTY.encode() + b'","size":9007199254740993}',
    b'{"mediaType":"application/vnd.example","digest":"' + SHA256_EMPTY.encode() + b'","size":-1}',
    b'{"mediaType":"application/vnd.example","digest":"' + SHA256_EMPTY.encode() + b'","size":1e308}',
    b'{"a":1,"a":2}',
    b" " * 100_000 + b"{}",
    b'"' + b"x" * 1_000_000 + b'"',
]

HOSTILE_TEXTS: list[str] = [
    "",
    "\x00",
    "sha256:\x00" + "a" * 63,
    "sha256:" + "a" * 64 + "\x00",
    "a" * 100_000,
    "sha256:" + "a" * 100_000,
    "x" * 10_000 + "/" + "y" * 10_000,
    "[::1]:5000/" + "a/" * 5_000 + "b",
    "application/" + "a" * 100_000,
    "é" * 1000,
    "\u2028\u2029\ufeff",
    "💥:" + "0" * 64,
]

# str values that are not Unicode text: pyo3 cannot hand them to Rust as UTF-8.
SURROGATE_TEXTS: list[str] = [
    "\ud800",
    "sha256:\udc00",
    "application/vnd.\ud800+json",
    "registry.example/repo:\ud800",
    '{"schemaVersion":2,"mediaType":"\udcff"}',
]

SIZES: list[int] = [0, 1, 2**31, 2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**200, -1, -(2**63)]


def _documents() -> list[bytes]:
    found = list(corpus_documents()) + HOSTILE_DOCUMENTS
    found += [base64.b64decode(case["base64"]) for case in regressions()]
    return found


def _texts() -> list[str]:
    found = list(corpus_texts()) + HOSTILE_TEXTS
    for case in regressions():
        if case["target"] in ("digest", "media_type", "reference", "www_authenticate", "link"):
            found.append(base64.b64decode(case["base64"]).decode("utf-8", "surrogateescape"))
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_validate_takes_every_document(kind: str | None) -> None:
    for document in _documents():
        result = outcome(ocikit.validate, document, kind)
        assert result[0] == "ok", "validate reports findings, it does not raise"
        report = result[1]
        assert report.valid == (not any(f.severity == "error" for f in report.findings))
        for finding in report.findings:
            assert CODE.fullmatch(finding.code)


def test_typed_parsers_take_every_document() -> None:
    for document in _documents():
        for parse in (
            ocikit.Manifest.from_json,
            ocikit.Index.from_json,
            ocikit.Descriptor.from_json,
            ocikit.Platform.from_json,
            ocikit.ArtifactTypeDefinition.from_json,
            ocikit.Layout.from_index_json,
        ):
            kind, value = outcome(parse, document)
            if kind == "ok" and hasattr(value, "to_json"):
                again = outcome(parse, value.to_json())
                assert again == ("ok", value), f"{parse.__qualname__} round trip of {document[:80]!r}"


def test_documents_as_text_too() -> None:
    # The same documents as str (the API takes str or bytes), where they are UTF-8.
    for document in _documents():
        try:
            text = document.decode()
        except UnicodeDecodeError:
            continue  # as str these hold lone surrogates: test_lone_surrogates_are_coded_errors
        assert outcome(ocikit.validate, text)[0] == "ok"
        outcome(ocikit.Manifest.from_json, text)
        outcome(ocikit.Descriptor.from_json, text)


def test_lone_surrogates_are_coded_errors() -> None:
    texts = SURROGATE_TEXTS + [
        d.decode("utf-8", "surrogateescape") for d in _documents() if not _is_utf8(d)
    ]
    for text in texts:
        for call, args in [
            (ocikit.validate, (text,)),
            (ocikit.Manifest.from_json, (text,)),
            (ocikit.Digest.parse, (text,)),
            (ocikit.MediaType.parse, (text,)),
            (ocikit.Reference.parse, (text,)),
            (ocikit.digest, (b"x", text)),
            (ocikit.check_title, (text,)),
        ]:
            assert outcome(call, *args) == ("error", "TEXT_INVALID"), (call, text[:80])
        assert outcome(
            ocikit.pack, [ocikit.File(text, b"x")], artifact_type="application/vnd.example.x.config.v1+json"
        ) == ("error", "TEXT_INVALID")


def _text_calls(bad: str) -> list[tuple[str, Callable[[], Any]]]:
    """One call per module of bindings-python, with ``bad`` as one of its text arguments."""
    from ocikit import _ocikit as native

    digest = ocikit.digest(b"x")
    config = ocikit.Descriptor(media_type="application/vnd.oci.empty.v1+json", digest=SHA256_EMPTY, size=0)
    manifest_type = ocikit.MediaType.parse(MANIFEST_TYPE)
    reference = "127.0.0.1:5000/repo:v1"
    session = native.RegistrySession("127.0.0.1:5000", plain_http=True)
    request = native.GetManifest(session, reference).next(session, None, 0).request
    assert request is not None
    return [
        # digest.rs
        ("Digest.parse", lambda: ocikit.Digest.parse(bad)),
        ("digest(algorithm)", lambda: ocikit.digest(b"x", bad)),
        ("Digester(algorithm)", lambda: native.Digester(bad)),
        ("verify(digest)", lambda: ocikit.verify(b"x", bad)),
        # media_type.rs
        ("MediaType.parse", lambda: ocikit.MediaType.parse(bad)),
        ("MediaType.lint(role)", lambda: manifest_type.lint(bad)),
        # reference.rs
        ("Reference.parse", lambda: ocikit.Reference.parse(bad)),
        ("Reference.parse_relative(registry)", lambda: ocikit.Reference.parse_relative("repo", bad)),
        # validate.rs, buffer.rs
        ("validate(document)", lambda: ocikit.validate(bad)),
        ("validate(kind)", lambda: ocikit.validate(b"{}", bad)),
        ("Platform.from_json", lambda: ocikit.Platform.from_json(bad)),
        # descriptor.rs, manifest.rs: media types, urls, platforms, annotations
        ("Descriptor(media_type)", lambda: ocikit.Descriptor(media_type=bad, digest=digest, size=1)),
        ("Descriptor(urls)", lambda: ocikit.Descriptor(media_type=MANIFEST_TYPE, digest=digest, size=1, urls=[bad])),
        ("Descriptor(annotations key)", lambda: ocikit.Descriptor(media_type=MANIFEST_TYPE, digest=digest, size=1, annotations={bad: "v"})),
        ("Descriptor(annotations value)", lambda: ocikit.Descriptor(media_type=MANIFEST_TYPE, digest=digest, size=1, annotations={"k": bad})),
        ("Platform(os)", lambda: ocikit.Platform(architecture="amd64", os=bad)),
        ("Platform(os_features)", lambda: ocikit.Platform(architecture="amd64", os="linux", os_features=[bad])),
        ("Manifest(artifact_type)", lambda: ocikit.Manifest(config=config, layers=[], artifact_type=bad)),
        ("Manifest(annotations)", lambda: ocikit.Manifest(config=config, layers=[], annotations={"k": bad})),
        ("Index(media_type)", lambda: ocikit.Index(manifests=[], media_type=bad)),
        # pack.rs
        ("pack(file name)", lambda: ocikit.pack([ocikit.File(bad, b"x")], artifact_type=MANIFEST_TYPE)),
        ("pack(annotations)", lambda: ocikit.pack([ocikit.File("a", b"x")], artifact_type=MANIFEST_TYPE, annotations={"k": bad})),
        ("pack(created)", lambda: ocikit.pack([ocikit.File("a", b"x")], artifact_type=MANIFEST_TYPE, created=bad)),
        ("_pack(image_spec)", lambda: native._pack([], artifact_type=MANIFEST_TYPE, image_spec=bad)),
        ("_pack_index(artifact_type)", lambda: native._pack_index([], artifact_type=bad)),
        ("check_title", lambda: ocikit.check_title(bad)),
        # artifact_type.rs
        ("check_logo", lambda: ocikit.check_logo(bad)),
        # layout.rs
        ("Layout.add(tag)", lambda: native.Layout().add(ocikit.Descriptor(media_type=MANIFEST_TYPE, digest=digest, size=1), bad)),
        ("Layout.resolve", lambda: native.Layout().resolve(bad)),
        # registry.rs: session, request, response, failure, retry policy, operations
        ("RegistrySession(registry)", lambda: native.RegistrySession(bad)),
        ("RegistrySession(credentials)", lambda: native.RegistrySession("r.example", credentials=("u", bad))),
        ("RegistrySession(credentials dict)", lambda: native.RegistrySession("r.example", credentials={"access_token": bad})),
        ("Request.header", lambda: request.header(bad)),
        ("Response(headers)", lambda: native.Response(200, {"Content-Type": bad})),
        ("Response(header pairs)", lambda: native.Response(200, [(bad, "v")])),
        ("Failure(message)", lambda: native.Failure("network", bad)),
        ("Failure(kind)", lambda: native.Failure(bad, "m")),
        ("RetryPolicy.delay_ms", lambda: native.RetryPolicy().delay_ms(503, 1, bad)),
        ("GetManifest(reference)", lambda: native.GetManifest(session, bad)),
        ("PutManifest(media_type)", lambda: native.PutManifest(session, reference, bad, b"{}")),
        ("PushBlob(mount_from)", lambda: native.PushBlob(session, reference, config, mount_from=bad)),
        ("PushBlob.resume(upload_url)", lambda: native.PushBlob.resume(session, reference, config, bad, 1)),
        ("ListReferrers(artifact_type)", lambda: native.ListReferrers(session, reference, digest, artifact_type=bad)),
        # walk.rs
        ("GraphWalk.from_fetched(served)", lambda: native.GraphWalk.from_fetched(bad, digest, b"x")),
        ("is_index_type", lambda: native.is_index_type(bad)),
        ("is_manifest_type", lambda: native.is_manifest_type(bad)),
        # operation.rs
        ("Push(media_type)", lambda: native.Push(reference, bad, b"{}")),
        ("Push(tags)", lambda: native.Push(reference, MANIFEST_TYPE, b"{}", tags=[bad])),
        ("Push(mount_from)", lambda: native.Push(reference, MANIFEST_TYPE, b"{}", mount_from=bad)),
        ("Discover(artifact_type)", lambda: native.Discover(reference, artifact_type=bad)),
        ("CopyArtifact(tags)", lambda: native.CopyArtifact(reference, "127.0.0.1:5000/other", tags=[bad])),
    ]


def test_a_text_argument_error_names_the_argument() -> None:
    with pytest.raises(ocikit.ValidationError) as caught:
        ocikit.Reference.parse_relative("repo", "registry\udcff")
    assert caught.value.code == "TEXT_INVALID"
    assert caught.value.details == {
        "value": "registry\\udcff",
        "reason": "a lone surrogate is not Unicode text",
        "surrogate": "\\udcff",
        "index": 8,
    }
    assert "while processing 'registry'" in getattr(caught.value, "__notes__", [])


@pytest.mark.parametrize("bad", ["\udcff", "sha256:\ud800", "a\udc80b"])
def test_every_text_argument_refuses_lone_surrogates(bad: str) -> None:
    # Each text parameter of the extension takes a str that must be Unicode text: a lone
    # surrogate is ValidationError TEXT_INVALID (pyo3 notes the argument), never pyo3's bare
    # UnicodeEncodeError.
    for name, call in _text_calls(bad):
        try:
            call()
        except OciError as error:
            assert isinstance(error, ocikit.ValidationError), name
            assert error.code == "TEXT_INVALID", (name, error.code, str(error))
            assert error.details["surrogate"] == next(
                f"\\u{ord(c):04x}" for c in bad if 0xD800 <= ord(c) <= 0xDFFF
            ), name
            assert "\\u" in error.details["value"], name
            json.dumps(error.details)  # printable and serialisable, unlike the argument
        except BaseException as error:  # noqa: BLE001 - any other exception is the defect
            pytest.fail(f"{name} raised {type(error).__module__}.{type(error).__qualname__}: {error!s:.200}")
        else:
            pytest.fail(f"{name} accepted a str with a lone surrogate")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


def test_text_parsers_take_every_string() -> None:
    for text in _texts():
        kind, parsed = outcome(ocikit.Digest.parse, text)
        if kind == "ok":
            assert str(parsed) == text
        kind, parsed = outcome(ocikit.MediaType.parse, text)
        if kind == "ok":
            for role in (None, "config", "layer"):
                assert outcome(parsed.lint, role)[0] == "ok"
            assert parsed.artifact is None or parsed.artifact.role in ("config", "layer")
        kind, parsed = outcome(ocikit.Reference.parse, text)
        if kind == "ok":
            assert outcome(ocikit.Reference.parse, str(parsed)) == ("ok", parsed)
        outcome(ocikit.digest, b"x", text)
        outcome(ocikit.Digester, text)
        outcome(ocikit.verify, b"", text)
        outcome(ocikit.check_title, text)
        outcome(ocikit.Layout.blob_path, text)
        outcome(ocikit.check_logo, text)
        outcome(ocikit.Layout().add, ocikit.Descriptor.from_json(_descriptor(0)), text)


def _descriptor(size: int | str) -> bytes:
    return b'{"mediaType":"application/vnd.example","digest":"%s","size":%s}' % (
        SHA256_EMPTY.encode(),
        str(size).encode(),
    )


@pytest.mark.parametrize("size", SIZES)
def test_sizes_at_and_past_the_limits(size: int) -> None:
    outcome(ocikit.verify, b"", SHA256_EMPTY, size)
    digester = ocikit.Digester()
    outcome(digester.verify, SHA256_EMPTY, size)
    outcome(ocikit.Descriptor, media_type="application/vnd.example", digest=SHA256_EMPTY, size=size)
    outcome(ocikit.Descriptor.from_json, _descriptor(size))
    outcome(ocikit.validate, _descriptor(size), "descriptor")
    outcome(ocikit.File.from_digest, "a.txt", SHA256_EMPTY, size)
    files = outcome(ocikit.File.from_digest, "a.txt", SHA256_EMPTY, size)
    if files[0] == "ok":
        outcome(ocikit.pack, [files[1]], artifact_type="application/vnd.example.x.config.v1+json")
    outcome(
        ocikit.pack,
        [ocikit.File("a.txt", b"x")],
        artifact_type="application/vnd.example.x.config.v1+json",
        embed_data_up_to=size,
    )


def test_pack_takes_hostile_names_types_and_annotations() -> None:
    artifact_type = "application/vnd.example.x.config.v1+json"
    for text in HOSTILE_TEXTS + ["a.md", ".git/config", "../x", "CON", "a\\b"]:
        outcome(ocikit.pack, [ocikit.File(text, b"x")], artifact_type=artifact_type)
        outcome(ocikit.pack, [ocikit.File("a.md", b"x", media_type=text)], artifact_type=artifact_type)
        outcome(ocikit.pack, [ocikit.File("a.md", b"x")], artifact_type=text)
        outcome(ocikit.pack, [ocikit.File("a.md", b"x", annotations={text: text})], artifact_type=artifact_type)
        outcome(ocikit.pack, [], artifact_type=artifact_type, annotations={text: "x", "k": text})
        outcome(ocikit.pack, [], artifact_type=artifact_type, created=text)
        outcome(ocikit.pack, [], artifact_type=artifact_type, config_annotations={text: text})
        outcome(ocikit.pack, [], image_spec=text)
    # Every packed manifest validates (the fuzz target `pack` checks the same in Rust).
    packed = ocikit.pack(
        [ocikit.File("a.md", b"x", annotations={"org.opencontainers.image.created": "2024-01-01T00:00:00Z"})],
        artifact_type=artifact_type,
    )
    assert ocikit.validate(packed.manifest.to_json()).valid
    kind, code = outcome(
        ocikit.pack,
        [ocikit.File("a.md", b"x", annotations={"org.opencontainers.image.created": "\x01yesterday"})],
        artifact_type=artifact_type,
    )
    assert (kind, code) == ("error", "ANNOTATION_INVALID"), "a pack fuzz regression"
    empty = "application/vnd.oci.empty.v1+json"
    kind, code = outcome(ocikit.pack, [], artifact_type=empty, image_spec="v1.0")
    assert (kind, code) == ("error", "ARTIFACT_TYPE_REQUIRED"), "a pack fuzz regression"


def test_digests_of_hostile_bytes() -> None:
    for data in HOSTILE_DOCUMENTS:
        for algorithm in ("sha256", "sha512", "blake3"):
            kind, value = outcome(ocikit.digest, data, algorithm)
            if kind == "ok":
                digester = ocikit.Digester(algorithm)
                digester.update(data[: len(data) // 2])
                digester.update(data[len(data) // 2 :])
                assert digester.finalize() == value
                assert outcome(ocikit.verify, data, value, len(data)) == ("ok", None)


def test_layouts_of_hostile_files() -> None:
    marker = b'{"imageLayoutVersion":"1.0.0"}'
    for document in _documents()[:400] + HOSTILE_DOCUMENTS:
        files = {"oci-layout": marker, "index.json": document}
        for blob in (b"{}", document):
            files[ocikit.Layout.blob_path(ocikit.digest(blob))] = blob

        def digest(path: str, algorithm: str, files: dict[str, bytes] = files) -> tuple[str, int] | None:
            data = files.get(path)
            return None if data is None else (ocikit.digest(data, algorithm), len(data))

        kind, report = outcome(ocikit.verify_layout, files.get, digest)
        assert kind == "ok", "a layout's problems are findings"
        assert report.valid == (not any(f.severity == "error" for f in report.findings))
