"""Artifact type definitions, the process-wide catalog, describe() and logo checks."""

from __future__ import annotations

import json
import pickle
import threading

import pytest

import ocikit

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">{}</svg>'
EMPTY = ocikit.Descriptor(
    media_type="application/vnd.oci.empty.v1+json",
    digest="sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    size=2,
    data=b"{}",
)


def _definition(artifact_type: str, **extra: object) -> ocikit.ArtifactTypeDefinition:
    document = {
        "artifactType": artifact_type,
        "displayName": "Test type",
        "description": "A type for the tests.",
        "layerMediaTypes": ["application/vnd.example.test.layer.v1+txt"],
        "logo": SVG.format('<rect width="8" height="8"/>'),
        **extra,
    }
    return ocikit.ArtifactTypeDefinition.from_json(json.dumps(document))


def test_catalog_has_the_well_known_types() -> None:
    catalog = ocikit.artifact_types()
    assert len(catalog) >= 12
    names = {definition.display_name for definition in catalog}
    assert {"Helm chart", "CNAB bundle", "Singularity image"} <= names
    types = {definition.artifact_type for definition in catalog}
    assert "application/vnd.unknown.artifact.v1" in types
    for definition in catalog:
        assert definition.logo is not None
        ocikit.check_logo(definition.logo)  # every logo passes the checks
        assert ocikit.ArtifactTypeDefinition.from_json(definition.to_json()) == definition
        assert pickle.loads(pickle.dumps(definition)) == definition
        assert definition.display_name and definition.description


def test_definition_fields() -> None:
    definition = _definition(
        "application/vnd.example.test.config.v1+json",
        aliases=["application/vnd.example.test.old.config.v1+json"],
        url="https://example.com/test",
    )
    assert definition.aliases == ("application/vnd.example.test.old.config.v1+json",)
    assert definition.layer_media_types == ("application/vnd.example.test.layer.v1+txt",)
    assert definition.url == "https://example.com/test"
    assert repr(definition) == (
        "ArtifactTypeDefinition(artifact_type='application/vnd.example.test.config.v1+json', "
        "display_name='Test type')"
    )


def test_register_and_describe() -> None:
    artifact_type = "application/vnd.example.registered.config.v1+json"
    manifest = ocikit.Manifest(config=EMPTY, layers=[EMPTY], artifact_type=artifact_type)
    before = ocikit.describe(manifest)
    assert (before.artifact_type, before.source, before.definition) == (
        artifact_type,
        "artifactType",
        None,
    )
    definition = _definition(artifact_type)
    ocikit.register_artifact_type(definition)
    assert ocikit.artifact_types()[-1] == definition
    assert ocikit.describe(manifest).definition == definition
    # Registering the same type again replaces it.
    renamed = _definition(artifact_type, displayName="Renamed")
    ocikit.register_artifact_type(renamed)
    matching = [d for d in ocikit.artifact_types() if d.artifact_type == artifact_type]
    assert matching == [renamed]


def test_describe_falls_back_to_the_config_type() -> None:
    config = ocikit.Descriptor(
        media_type="application/vnd.cncf.helm.config.v1+json",
        digest="sha256:" + "3" * 64,
        size=10,
    )
    description = ocikit.describe(ocikit.Manifest(config=config, layers=[]))
    assert description.source == "config.mediaType"
    assert description.definition is not None
    assert description.definition.display_name == "Helm chart"
    assert "Description(artifact_type='application/vnd.cncf.helm.config.v1+json'" in repr(
        description
    )


def test_registration_is_thread_safe() -> None:
    def register(i: int) -> None:
        ocikit.register_artifact_type(
            _definition(f"application/vnd.example.thread{i}.config.v1+json")
        )
        ocikit.artifact_types()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    types = {d.artifact_type for d in ocikit.artifact_types()}
    assert {f"application/vnd.example.thread{i}.config.v1+json" for i in range(16)} <= types


@pytest.mark.parametrize(
    ("logo", "code"),
    [
        (SVG.format("<script>alert(1)</script>"), "LOGO_UNSAFE"),
        (SVG.format('<rect onclick="alert(1)" width="1" height="1"/>'), "LOGO_UNSAFE"),
        (SVG.format('<image href="https://evil.example/x.png"/>'), "LOGO_UNSAFE"),
        (SVG.format('<use href="https://evil.example/s.svg#x"/>'), "LOGO_UNSAFE"),
        (SVG.format("<foreignObject/>"), "LOGO_UNSAFE"),
        (SVG.format("<style>@import url(https://evil.example/x.css);</style>"), "LOGO_UNSAFE"),
        (SVG.format('<rect fill="url(https://evil.example/p)" width="1" height="1"/>'), "LOGO_UNSAFE"),
        (SVG.format('<animate attributeName="x" values="0;1"/>'), "LOGO_UNSAFE"),
        ('<svg viewBox="0 0 1 1"/>', "LOGO_INVALID"),
        ('<svg xmlns="http://www.w3.org/2000/svg"/>', "LOGO_INVALID"),
        ("not xml", "LOGO_INVALID"),
        (SVG.format("<g/>" * 5000), "LOGO_TOO_LARGE"),
    ],
)
def test_unsafe_logos(logo: str, code: str) -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.check_logo(logo)
    assert raised.value.code == code
    with pytest.raises(ocikit.ValidationError) as raised:
        _definition("application/vnd.example.bad.config.v1+json", logo=logo)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"displayName": ""}, "DISPLAY_NAME_INVALID"),
        ({"displayName": "x" * 65}, "DISPLAY_NAME_INVALID"),
        ({"artifactType": "not a type"}, "MEDIA_TYPE_INVALID"),
        ({"layerMediaTypes": "a/b"}, "JSON_INVALID"),
    ],
)
def test_invalid_definitions(change: dict[str, object], code: str) -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        _definition("application/vnd.example.bad.config.v1+json", **change)
    assert raised.value.code == code


def test_definition_needs_its_fields() -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.ArtifactTypeDefinition.from_json(b'{"displayName":"x"}')
    assert raised.value.code == "FIELD_MISSING"


# tests/vectors/artifact-types.json: the same cases the Rust and JS suites read.
_VECTORS = json.loads(
    (__import__("pathlib").Path(__file__).parent.parent / "vectors" / "artifact-types.json").read_text(
        encoding="utf-8"
    )
)


@pytest.mark.parametrize("case", _VECTORS["lookup"], ids=lambda c: c["mediaType"] or "empty")
def test_lookup_artifact_type_vectors(case: dict) -> None:
    found = ocikit.lookup_artifact_type(case["mediaType"])
    assert (found.artifact_type if found else None) == case["artifactType"]
    assert (found.display_name if found else None) == case["displayName"]


@pytest.mark.parametrize("case", _VECTORS["describe"], ids=lambda c: c["name"])
def test_describe_vectors(case: dict) -> None:
    manifest = ocikit.Manifest.from_json(json.dumps(case["manifest"]))
    description = ocikit.describe(manifest)
    assert description.artifact_type == case["artifactType"]
    assert description.source == case["source"]
    name = description.definition.display_name if description.definition else None
    assert name == case["displayName"]


@pytest.mark.parametrize("case", _VECTORS["tags"], ids=lambda c: c["tag"])
def test_classify_tag_vectors(case: dict) -> None:
    assert ocikit.classify_tag(case["tag"]) == (case["kind"], case["subject"])


@pytest.mark.parametrize("case", _VECTORS["pullCommands"], ids=lambda c: c["reference"])
def test_pull_commands_vectors(case: dict) -> None:
    assert ocikit.pull_commands(case["reference"], case["artifactType"]) == tuple(case["commands"])


def test_pull_commands_refuses_a_bad_reference() -> None:
    with pytest.raises(ocikit.ValidationError) as caught:
        ocikit.pull_commands("no-registry")
    assert caught.value.code == "REFERENCE_INVALID"


def test_builtin_definitions_have_dark_logos_and_pull_commands() -> None:
    helm = ocikit.lookup_artifact_type("application/vnd.cncf.helm.config.v1+json")
    assert helm is not None
    assert helm.dark_logo is not None and helm.dark_logo != helm.logo
    ocikit.check_logo(helm.dark_logo)
    assert helm.pull_commands == ("helm pull oci://{registry}/{repository} --version {tag}",)
    assert ocikit.ArtifactTypeDefinition.from_json(helm.to_json()) == helm


@pytest.mark.parametrize("case", _VECTORS["pullCommandTemplates"], ids=lambda c: c["name"])
def test_pull_command_templates_vectors(case: dict) -> None:
    """A bad template is PULL_COMMAND_INVALID (it was JSON_INVALID, the code of a document that
    is not JSON), with the template's JSON pointer; a template that is not a string stays
    JSON_INVALID."""
    definition = json.dumps(
        {
            "artifactType": "application/vnd.example.templates.v1+json",
            "displayName": "Templates",
            "pullCommands": case["pullCommands"],
        }
    )
    if case["code"] is None:
        read = ocikit.ArtifactTypeDefinition.from_json(definition)
        assert list(read.pull_commands) == case["pullCommands"]
        return
    with pytest.raises(ocikit.ValidationError) as caught:
        ocikit.ArtifactTypeDefinition.from_json(definition)
    assert caught.value.code == case["code"]
    assert caught.value.details.get("path") == case["path"]
