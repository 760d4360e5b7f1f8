"""Random and hostile input never crashes the extension: it parses or raises a Python error."""

from __future__ import annotations

import random

import pytest

import ocikit

# Characters the grammars care about, plus some they reject, plus non-ASCII.
ALPHABET = "abcdefxyzABCXYZ0123456789:/+._-=;!#$&^ \t\n\x00\x7fé߀💥\u2028\ufeff"
VALID_SEEDS = [
    "sha256:" + "a" * 64,
    "sha512:" + "0" * 128,
    "multihash+base58:QmRZ",
    "application/vnd.cncf.helm.chart.config.v1+json",
    "application/vnd.acme.x.layer.v1.tar+gzip",
]


def _random_strings(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    strings = []
    for _ in range(count):
        if rng.random() < 0.5:
            # Mutate a valid value: the interesting inputs are near the grammar.
            chars = list(rng.choice(VALID_SEEDS))
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(len(chars) + 1)
                operation = rng.randrange(3)
                if operation == 0 and chars and at < len(chars):
                    del chars[at]
                elif operation == 1 and at < len(chars):
                    chars[at] = rng.choice(ALPHABET)
                else:
                    chars.insert(at, rng.choice(ALPHABET))
            strings.append("".join(chars))
        else:
            length = rng.choice([0, 1, 2, 5, 20, 64, 200])
            strings.append("".join(rng.choice(ALPHABET) for _ in range(length)))
    return strings


def _check(text: str) -> None:
    try:
        digest = ocikit.Digest.parse(text)
    except ocikit.ValidationError as error:
        assert error.code == "DIGEST_INVALID", text
    else:
        assert str(digest) == text
    try:
        media_type = ocikit.MediaType.parse(text)
    except ocikit.ValidationError as error:
        assert error.code == "MEDIA_TYPE_INVALID", text
    else:
        assert str(media_type) == text
        for role in (None, "config", "layer"):
            assert all(f.severity == "warning" for f in media_type.lint(role)), text
        media_type.artifact  # noqa: B018 - must not fail
    try:
        ocikit.verify(text.encode("utf-8"), text)
    except ocikit.OciError:
        pass
    try:
        ocikit.digest(text.encode("utf-8"), text)
    except ocikit.ValidationError as error:
        assert error.code in {"DIGEST_INVALID", "DIGEST_UNSUPPORTED"}, text


def test_random_strings() -> None:
    # One test over many inputs (a fixed seed keeps failures reproducible).
    for text in _random_strings(5000, seed=20240611):
        _check(text)


def test_random_bytes() -> None:
    rng = random.Random(7)
    digester = ocikit.Digester()
    total = b""
    for _ in range(200):
        chunk = rng.randbytes(rng.choice([0, 1, 63, 64, 65, 4096, 70_000]))
        digester.update(chunk)
        total += chunk
    assert digester.finalize() == ocikit.digest(total)


@pytest.mark.parametrize("text", ["\ud800", "sha256:\udfff", "application/\ud83d"])
def test_lone_surrogates_are_value_errors(text: str) -> None:
    with pytest.raises(ValueError):
        ocikit.Digest.parse(text)
    with pytest.raises(ValueError):
        ocikit.MediaType.parse(text)


def test_very_long_inputs() -> None:
    for text in ("a" * 1_000_000, "sha256:" + "a" * 1_000_000, "a/" + "b" * 1_000_000):
        with pytest.raises(ocikit.ValidationError):
            ocikit.Digest.parse(text)
        with pytest.raises(ocikit.ValidationError):
            ocikit.MediaType.parse(text)


MANIFEST = (
    b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
    b'"artifactType":"application/vnd.example.docs.config.v1+json","config":{"mediaType":'
    b'"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb'
    b'4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},"layers":[{"mediaType":'
    b'"text/plain","digest":"sha256:' + b"a" * 64 + b'","size":11,"urls":["https://x.example/"],'
    b'"platform":{"architecture":"amd64","os":"linux"},"annotations":{"org.opencontainers.'
    b'image.created":"2024-01-01T00:00:00Z"}}],"subject":{"mediaType":"a/b","digest":"sha256:'
    + b"b" * 64 + b'","size":1},"annotations":{"k.x":"v"}}'
)
JSON_BYTES = b'{}[]",:0123456789.-+eE\\u00 tfnrul\xff\xc3\xa9'


def _mutations(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    documents = []
    for _ in range(count):
        data = bytearray(MANIFEST)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data) + 1)
            operation = rng.randrange(4)
            if operation == 0 and at < len(data):
                del data[at : at + rng.randint(1, 8)]
            elif operation == 1 and at < len(data):
                data[at] = rng.choice(JSON_BYTES)
            elif operation == 2:
                data[at:at] = bytes([rng.choice(JSON_BYTES)])
            else:  # splice in another piece of the document
                start = rng.randrange(len(MANIFEST))
                data[at:at] = MANIFEST[start : start + rng.randint(1, 40)]
        documents.append(bytes(data))
    return documents


def test_random_documents_never_crash() -> None:
    # validate reports, from_json raises an OciError; nothing else escapes (fixed seed).
    valid = 0
    for document in _mutations(3000, seed=20240612):
        for kind in (None, "manifest", "index", "descriptor", "config", "layout"):
            report = ocikit.validate(document, kind)
            assert report.valid == all(f.severity == "warning" for f in report.findings)
        valid += report.valid
        for model in (ocikit.Manifest, ocikit.Index, ocikit.Descriptor, ocikit.Platform):
            try:
                parsed = model.from_json(document)
            except ocikit.OciError as error:
                assert isinstance(error, ValueError), error.code
            else:
                parsed.to_json()
                repr(parsed)
        try:
            ocikit.ArtifactTypeDefinition.from_json(document)
        except ocikit.OciError:
            pass
    assert valid < 3000


def test_random_python_values_are_type_or_value_errors() -> None:
    rng = random.Random(11)
    values: list[object] = [None, 0, -1, 2**70, 1.5, "", "x", b"", [], {}, (), object()]
    constructors = [
        lambda v: ocikit.Descriptor(media_type=v, digest="sha256:" + "0" * 64, size=1),
        lambda v: ocikit.Descriptor(media_type="a/b", digest=v, size=1),
        lambda v: ocikit.Descriptor(media_type="a/b", digest="sha256:" + "0" * 64, size=v),
        lambda v: ocikit.Descriptor(media_type="a/b", digest="sha256:" + "0" * 64, size=1, data=v),
        lambda v: ocikit.Manifest(config=v, layers=[]),
        lambda v: ocikit.Index(manifests=v),
        lambda v: ocikit.validate(v),
        lambda v: ocikit.Manifest.from_json(v),
        lambda v: ocikit.Reference.parse(v),
        lambda v: ocikit.check_logo(v),
    ]
    for _ in range(500):
        value = rng.choice(values)
        try:
            rng.choice(constructors)(value)
        except (TypeError, ValueError):  # OciErrors of bad values are ValidationErrors
            pass
