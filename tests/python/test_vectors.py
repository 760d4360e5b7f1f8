"""The shared vectors of tests/vectors/, as core/tests/vectors.rs and the Node tests read them."""

from __future__ import annotations

from typing import Any

import pytest

import ocikit
from conftest import case_id, input_bytes, load_vectors
from ocikit.errors import _CLASSES

DIGESTS = load_vectors("digests.json")
MEDIA_TYPES = load_vectors("media-types.json")
ERROR_CODES = load_vectors("error-codes.json")

# Uneven pieces, across block boundaries (the same sizes as the Rust suite).
PIECES = [1, 7, 63, 64, 65, 1000, 65536]


def test_vector_files_are_substantial() -> None:
    assert len(DIGESTS["compute"]) >= 15
    assert DIGESTS["parse"] and DIGESTS["verify"] and DIGESTS["algorithms"]
    assert MEDIA_TYPES["cases"]


@pytest.mark.parametrize("case", DIGESTS["compute"], ids=case_id)
@pytest.mark.parametrize("algorithm", ["sha256", "sha512", "blake3"])
def test_compute(case: dict[str, Any], algorithm: str) -> None:
    data = input_bytes(case["input"])
    expected = case[algorithm]
    assert len(data) == case["size"]
    assert ocikit.digest(data, algorithm) == expected
    assert ocikit.digest(data, algorithm=algorithm) == expected
    if algorithm == "sha256":
        assert ocikit.digest(data) == expected
    for piece in PIECES:
        digester = ocikit.Digester(algorithm)
        view = memoryview(data)
        for start in range(0, len(data), piece):
            digester.update(view[start : start + piece])
        assert digester.size == len(data)
        assert digester.finalize() == expected, f"in pieces of {piece}"
        digester.verify(expected, len(data))
        digester.verify(ocikit.Digest.parse(expected), size=len(data))


@pytest.mark.parametrize("case", DIGESTS["parse"], ids=case_id)
def test_parse(case: dict[str, Any]) -> None:
    text = case["input"]
    code = case.get("error")
    if code:
        with pytest.raises(ocikit.OciError) as raised:
            ocikit.Digest.parse(text)
        assert raised.value.code == code
        return
    digest = ocikit.Digest.parse(text)
    assert digest.algorithm == case["algorithm"]
    assert digest.encoded == case["encoded"]
    assert digest.supported is case["supported"]
    assert str(digest) == text


@pytest.mark.parametrize("case", DIGESTS["verify"], ids=case_id)
def test_verify(case: dict[str, Any]) -> None:
    data = input_bytes(case["input"])
    code = case.get("error")
    if code is None:
        assert ocikit.verify(data, case["digest"], case["size"]) is None
        return
    with pytest.raises(ocikit.OciError) as raised:
        ocikit.verify(data, case["digest"], case["size"])
    assert raised.value.code == code


@pytest.mark.parametrize("case", DIGESTS["algorithms"], ids=case_id)
def test_algorithms(case: dict[str, Any]) -> None:
    code = case.get("error")
    if code is None:
        assert ocikit.Digester(case["name"]).algorithm == case["name"]
        return
    with pytest.raises(ocikit.OciError) as raised:
        ocikit.Digester(case["name"])
    assert raised.value.code == code
    with pytest.raises(ocikit.OciError) as raised:
        ocikit.digest(b"", case["name"])
    assert raised.value.code == code


@pytest.mark.parametrize("case", MEDIA_TYPES["cases"], ids=case_id)
def test_media_type(case: dict[str, Any]) -> None:
    text = case["input"]
    code = case.get("error")
    if code:
        with pytest.raises(ocikit.OciError) as raised:
            ocikit.MediaType.parse(text)
        assert raised.value.code == code
        return
    media_type = ocikit.MediaType.parse(text)
    assert str(media_type) == text
    assert media_type.type == case["type"]
    assert media_type.subtype == case["subtype"]
    assert media_type.tree == case["tree"]
    assert media_type.suffix == case["suffix"]
    artifact = media_type.artifact
    assert (artifact.to_dict() if artifact else None) == case["artifact"]
    if artifact is not None:
        assert artifact.sub_types == tuple(case["artifact"]["subTypes"])
    findings = media_type.lint(case.get("role"))
    assert all(finding.severity == "warning" for finding in findings), "lint only warns"
    assert sorted(finding.code for finding in findings) == case["lint"]


def test_every_raised_code_has_a_python_class() -> None:
    raised = {entry["code"] for key in ("raised", "registry") for entry in ERROR_CODES[key]}
    missing = raised - set(_CLASSES)
    assert not missing, f"choose a class for {sorted(missing)} in ocikit/errors.py _CLASSES"
    # The client codes (a host's transport failures) have classes too.
    listed = raised | {entry["code"] for entry in ERROR_CODES["client"]}
    assert set(_CLASSES) <= listed, f"classes for unlisted codes: {set(_CLASSES) - listed}"


def test_every_code_the_vectors_expect_is_listed() -> None:
    listed = {entry["code"] for key in ("raised", "registry", "findings") for entry in ERROR_CODES[key]}
    expected = {case["error"] for case in DIGESTS["parse"] if case.get("error")}
    expected |= {case["error"] for case in DIGESTS["verify"] if case.get("error")}
    expected |= {case["error"] for case in DIGESTS["algorithms"] if case.get("error")}
    for case in MEDIA_TYPES["cases"]:
        expected |= set(case.get("lint", []))
        if case.get("error"):
            expected.add(case["error"])
    assert expected <= listed, f"not in error-codes.json: {expected - listed}"
