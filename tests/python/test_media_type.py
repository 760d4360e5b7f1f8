"""Python-side behaviour of MediaType, ArtifactMediaType and Finding."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

import ocikit

HELM = "application/vnd.cncf.helm.chart.config.v1+json"


def test_properties() -> None:
    media_type = ocikit.MediaType.parse(HELM)
    assert media_type.type == "application"
    assert media_type.subtype == "vnd.cncf.helm.chart.config.v1+json"
    assert media_type.tree == "vnd"
    assert media_type.suffix == "json"
    assert media_type.is_spec_defined is False
    assert ocikit.MediaType.parse("application/vnd.oci.image.manifest.v1+json").is_spec_defined
    assert ocikit.MediaType.parse("text/plain").suffix is None


def test_artifact_parts() -> None:
    artifact = ocikit.MediaType.parse(HELM).artifact
    assert artifact is not None
    assert (artifact.org, artifact.object_type, artifact.sub_types) == ("cncf", "helm", ("chart",))
    assert (artifact.role, artifact.version, artifact.format) == ("config", "v1", "json")
    assert artifact.to_dict() == {
        "org": "cncf",
        "objectType": "helm",
        "subTypes": ["chart"],
        "role": "config",
        "version": "v1",
        "format": "json",
    }
    assert repr(artifact) == (
        "ArtifactMediaType(org='cncf', object_type='helm', sub_types=('chart',), "
        "role='config', version='v1', format='json')"
    )
    assert artifact == ocikit.MediaType.parse(HELM).artifact
    assert ocikit.MediaType.parse("text/plain").artifact is None


def test_artifact_repr_without_optional_parts() -> None:
    artifact = ocikit.MediaType.parse("application/vnd.acme.thing.a.b.layer").artifact
    assert artifact is not None
    assert repr(artifact) == (
        "ArtifactMediaType(org='acme', object_type='thing', sub_types=('a', 'b'), "
        "role='layer', version=None, format=None)"
    )
    assert eval(repr(artifact.sub_types)) == artifact.sub_types  # noqa: S307 - a literal


def test_value_semantics() -> None:
    a = ocikit.MediaType.parse(HELM)
    b = ocikit.MediaType.parse(HELM)
    c = ocikit.MediaType.parse("text/plain")
    assert a == b and a != c and hash(a) == hash(b)
    assert a != HELM  # not equal to its string
    assert str(a) == HELM and repr(a) == f"MediaType('{HELM}')"
    assert pickle.loads(pickle.dumps(a)) == a
    assert copy.copy(a) == a
    with pytest.raises(AttributeError):
        a.subtype = "x"  # type: ignore[misc]


def test_lint_findings() -> None:
    media_type = ocikit.MediaType.parse("application/vnd.acme.thing.config")
    findings = media_type.lint()
    assert sorted(f.code for f in findings) == [
        "MEDIA_TYPE_CONFIG_NOT_JSON",
        "MEDIA_TYPE_NO_VERSION",
    ]
    finding = findings[0]
    assert finding.severity == "warning"
    assert finding.path == ""
    assert finding.rule == "artifact media type convention"
    assert finding.message
    assert finding.to_dict() == {
        "code": finding.code,
        "severity": "warning",
        "path": "",
        "message": finding.message,
        "rule": finding.rule,
    }
    assert repr(finding).startswith(f"Finding(code='{finding.code}', severity='warning', path=''")
    assert eval(repr(finding.message)) == finding.message  # noqa: S307 - the repr is exact
    assert findings == media_type.lint(None)


def test_lint_role() -> None:
    media_type = ocikit.MediaType.parse(HELM)
    assert media_type.lint() == []
    assert media_type.lint(role="config") == []
    assert [f.code for f in media_type.lint(role="layer")] == ["MEDIA_TYPE_ROLE_MISMATCH"]


@pytest.mark.parametrize("role", ["Config", "manifest", ""])
def test_lint_rejects_unknown_roles(role: str) -> None:
    with pytest.raises(ValueError, match="role must be 'config', 'layer' or None"):
        ocikit.MediaType.parse(HELM).lint(role)  # type: ignore[arg-type]


def test_lint_role_must_be_a_str() -> None:
    with pytest.raises(TypeError):
        ocikit.MediaType.parse(HELM).lint(1)  # type: ignore[arg-type]


def test_invalid_media_type_error() -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.MediaType.parse("text/plain; charset=utf-8")
    error = raised.value
    assert error.code == "MEDIA_TYPE_INVALID"
    assert error.details == {
        "value": "text/plain; charset=utf-8",
        "reason": "parameters are not allowed in a media type name",
    }
    assert isinstance(error, ValueError)


@pytest.mark.parametrize("value", [None, 42, b"text/plain"])
def test_parse_requires_a_str(value: Any) -> None:
    with pytest.raises(TypeError):
        ocikit.MediaType.parse(value)
    with pytest.raises(TypeError):
        ocikit.Digest.parse(value)
