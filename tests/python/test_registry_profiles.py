"""Registry profiles and ``ocikit.lint_for_registry``, against the shared vectors of
tests/vectors/profiles/ (core/tests/profiles.rs and tests/js/profiles.test.mjs read them too)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import ocikit
from conftest import load_vectors

VECTORS = load_vectors("profiles/lint.json")


def document(case: dict[str, Any]) -> bytes | None:
    """The case's document: the named one with its top-level keys patched, compact, padded
    with spaces to ``size``; ``None`` (the target alone) for a null one."""
    if case.get("document") is None and "document_text" not in case:
        return None
    if "document_text" in case:
        return case["document_text"].encode()
    doc = dict(VECTORS["documents"][case["document"]])
    for key, value in case.get("patch", {}).items():
        if value is None:
            doc.pop(key, None)
        else:
            doc[key] = value
    data = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
    size = case.get("size")
    return data.ljust(size, b" ") if size else data


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_lint_vectors(case: dict[str, Any]) -> None:
    lint = ocikit.lint_for_registry(document(case), case["target"], case.get("profile"))
    assert [[f.code, f.severity, f.path] for f in lint.findings] == case["findings"]
    assert lint.ok is not any(f[1] == "error" for f in case["findings"])
    cited = {s["tag"] for s in lint.sources}
    rules = {r["code"]: r for r in ocikit.registry_rules()}
    for finding in lint.findings:
        tags = [s["tag"] for s in rules[finding.code]["sources"]]
        assert finding.rule == f"{finding.code} {rules[finding.code]['name']} [{','.join(tags)}]"
        assert finding.message.endswith(f"[{', '.join(tags)}]")
        assert set(tags) <= cited
    # The dict is the JSON shape every language shares.
    as_dict = lint.to_dict()
    assert as_dict["ok"] == lint.ok and as_dict["profile"] == lint.profile
    assert [f["code"] for f in as_dict["findings"]] == [f.code for f in lint.findings]


@pytest.mark.parametrize("case", VECTORS["errors"], ids=lambda c: c["name"])
def test_bad_inputs_raise_coded_errors(case: dict[str, Any]) -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.lint_for_registry(document(case), case["target"], case.get("profile"))
    assert raised.value.code == case["error"]


@pytest.mark.parametrize("case", VECTORS["profiles"], ids=lambda c: c["host"])
def test_hosts_select_their_profiles(case: dict[str, str]) -> None:
    assert ocikit.registry_profile(case["host"])["name"] == case["profile"]


def test_every_static_rule_has_a_triggering_and_a_clean_case() -> None:
    static = [r["code"] for r in ocikit.registry_rules() if r["static"]]
    assert static == VECTORS["static_rules"]
    for code in static:
        cases = [c for c in VECTORS["cases"] if c["rule"] == code]
        assert any(any(f[0] == code for f in c["findings"]) for c in cases), code
        assert any(not c["findings"] for c in cases), code


def test_a_packed_artifact_manifest_and_str_lint_alike() -> None:
    packed = ocikit.pack(
        [ocikit.File("empty.txt", b"")], artifact_type="application/vnd.example.docs.v1+json"
    )
    by_bytes = ocikit.lint_for_registry(packed.manifest.to_json(), "harbor.example.com", "harbor")
    for given in (packed, packed.manifest, packed.manifest.to_json().decode()):
        assert ocikit.lint_for_registry(given, "harbor.example.com", "harbor") == by_bytes
    assert [f.code for f in by_bytes.findings] == ["RQ001"]
    assert not by_bytes.ok


def test_profiles_cite_dated_sources() -> None:
    names = ocikit.registry_profile()
    assert {"harbor", "zot", "distribution", "quay", "gitlab"} <= set(names)
    for name in names:
        profile = ocikit.registry_profile(name)
        assert profile["name"] == name and profile["facts"], name
        for fact in profile["facts"]:
            assert fact["as_of"] and fact["confidence"] in {"high", "medium", "low"}
            assert all(s["date"] and s["cite"] for s in fact["sources"]), fact


def test_a_document_of_the_wrong_type_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        ocikit.lint_for_registry(42, "ghcr.io")  # type: ignore[arg-type]


def test_the_readme_lists_every_static_rule_with_its_sources() -> None:
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Registry profiles: a lint before push", 1)[1].split("\n## ", 1)[0]
    rows = {line.split(" | ")[0].strip("| "): line for line in section.splitlines() if line.startswith("| RQ")}
    for rule in ocikit.registry_rules():
        tags = [s["tag"] for s in rule["sources"]]
        if rule["static"]:
            assert rows[rule["code"]].endswith(f"| {', '.join(tags)} |"), rule["code"]
        else:
            assert f"{rule['code']} {rule['name']}" in " ".join(section.split()), rule["code"]
        for tag in tags:
            assert f"- **{tag}** " in section, tag
