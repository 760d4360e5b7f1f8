"""``ocikit.validate`` on the shared validation vectors of tests/vectors/manifests/ (as
core/tests/validate.rs and the Node tests read them), and the Report API."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

import ocikit
from conftest import VECTORS

KINDS = ("manifest", "index", "descriptor", "config", "layout")


def _cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted((VECTORS / "manifests").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            cases.append((path.stem, case))
    return cases


CASES = _cases()


def _input(case: dict[str, Any]) -> bytes:
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    if "text" in case:
        return str(case["text"]).encode("utf-8")
    return json.dumps(case["document"], separators=(",", ":"), ensure_ascii=False).encode()


def test_vectors_are_substantial() -> None:
    assert len(CASES) >= 200
    assert {group for group, _ in CASES} == {"config", "descriptor", "index", "layout", "manifest"}


@pytest.mark.parametrize(
    ("group", "case"), CASES, ids=[f"{group}:{case['name']}" for group, case in CASES]
)
def test_vector(group: str, case: dict[str, Any]) -> None:
    data = _input(case)
    report = ocikit.validate(data, case["kind"])
    found = sorted([f.code, f.severity, f.path] for f in report.findings)
    assert (report.valid, report.kind, found) == (
        case["valid"],
        case["expectKind"],
        sorted(case["findings"]),
    )
    assert report.valid == all(f.severity == "warning" for f in report.findings)
    # str, bytes and other buffers are the same document.
    if "hex" not in case:
        assert ocikit.validate(data.decode("utf-8"), case["kind"]) == report
    assert ocikit.validate(bytearray(data), case["kind"]) == report
    assert ocikit.validate(memoryview(data), kind=case["kind"]) == report


def test_report_api() -> None:
    report = ocikit.validate(b'{"schemaVersion":2,"config":{},"layers":[]}')
    assert report.kind == "manifest"
    assert report.valid is False
    finding = report.findings[0]
    assert isinstance(finding, ocikit.Finding)
    assert report.to_dict() == {
        "valid": False,
        "kind": "manifest",
        "findings": [f.to_dict() for f in report.findings],
    }
    assert set(report.to_dict()["findings"][0]) == {"code", "severity", "path", "message", "rule"}
    assert repr(report).startswith("Report(valid=False, kind='manifest', findings=(Finding(")
    with pytest.raises(AttributeError):
        report.valid = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        ocikit.Report()  # type: ignore[call-arg]


def test_not_json_has_no_kind() -> None:
    report = ocikit.validate("nope")
    assert (report.valid, report.kind, [f.code for f in report.findings]) == (
        False,
        None,
        ["JSON_INVALID"],
    )


@pytest.mark.parametrize("kind", ["Manifest", "image", ""])
def test_unknown_kind_is_a_value_error(kind: str) -> None:
    with pytest.raises(ValueError, match="kind must be"):
        ocikit.validate(b"{}", kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("document", [None, 42, ["{}"], {"a": 1}])
def test_documents_are_str_or_buffers(document: object) -> None:
    with pytest.raises(TypeError, match="bytes, str or a buffer"):
        ocikit.validate(document)  # type: ignore[arg-type]


def test_lone_surrogates_are_value_errors() -> None:
    with pytest.raises(ValueError):
        ocikit.validate('{"a":"\ud800"}')


def test_kinds_round_trip() -> None:
    for kind in KINDS:
        assert ocikit.validate(b"{}", kind).kind == kind


def test_a_4_mib_manifest_validates_quickly() -> None:
    layer = (
        '{"mediaType":"application/vnd.example.docs.layer.v1+md","digest":"sha256:'
        + "a" * 64
        + '","size":11,"annotations":{"org.opencontainers.image.title":"overview.md"}}'
    )
    count = 4 * 1024 * 1024 // (len(layer) + 1)
    document = (
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",'
        '"artifactType":"application/vnd.example.docs.config.v1+json","config":'
        '{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:'
        '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,'
        '"data":"e30="},"layers":[' + ",".join([layer] * count) + "]}"
    ).encode()
    assert len(document) >= 4 * 1024 * 1024 - 200
    start = time.perf_counter()
    report = ocikit.validate(document)
    elapsed = time.perf_counter() - start
    assert report.valid and report.kind == "manifest" and not report.findings
    assert elapsed < 1.0, f"{elapsed:.3f} s"  # a loose guard; it takes a few tens of ms
