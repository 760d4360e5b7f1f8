"""``ocikit validate --registry`` and the registry lint of ``push --dry-run`` (no registry
needed: a dry run of push opens no connection)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ocikit import cli

EMPTY = {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2,
}
MANIFEST = {
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "artifactType": "application/vnd.example.docs.v1+json",
    "config": EMPTY,
    "layers": [
        {
            "mediaType": "application/vnd.example.docs.layer.v1+tar",
            "digest": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "size": 0,
        }
    ],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(MANIFEST))
    return path


def test_validate_with_a_registry_gives_its_verdict(
    capsys: pytest.CaptureFixture[str], manifest: Path
) -> None:
    # Valid OCI, but Harbor answers 500 to a zero-byte blob: invalid for Harbor (status 1).
    status, out, _ = run(capsys, "validate", str(manifest), "--registry", "harbor.example:8443",
                         "--registry-profile", "harbor")  # fmt: skip
    assert status == 1
    assert "error[RQ001] /layers/0:" in out and "[S35] goharbor/harbor #21018" in out
    assert "harbor.example:8443: the registry will refuse it (1 error, 0 warning, 0 info)" in out
    # Elsewhere it only warns: valid (status 0), the finding in the JSON.
    status, out, _ = run(capsys, "validate", str(manifest), "--registry", "ghcr.io/o/docs:v1",
                         "--format", "json")  # fmt: skip
    assert status == 0
    lint: dict[str, Any] = json.loads(out)["registryLint"]
    assert lint["profile"] == "ghcr" and lint["ok"] is True
    assert [(f["code"], f["severity"]) for f in lint["findings"]] == [("RQ001", "warning")]
    assert {s["tag"] for s in lint["sources"]} == {"S30", "S35", "S36"}
    # Without --registry there is no registry lint.
    status, out, _ = run(capsys, "validate", str(manifest), "--format", "json")
    assert status == 0 and "registryLint" not in json.loads(out)


def test_validate_registry_usage(capsys: pytest.CaptureFixture[str], manifest: Path) -> None:
    status, _, err = run(capsys, "validate", str(manifest), "--registry-profile", "harbor")
    assert status == 2 and "--registry-profile needs --registry" in err
    status, _, err = run(capsys, "validate", str(manifest), "--registry", "Not A Host")
    assert status == 2 and "error[REFERENCE_INVALID]" in err
    config = manifest.with_name("config.json")
    config.write_text('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}')
    status, out, _ = run(capsys, "validate", str(config), "--kind", "config", "--registry", "ghcr.io")
    assert status == 0 and "no registry lint" in out


def test_push_dry_run_shows_the_lint_and_stops_as_the_push_would(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("notes.txt").write_text("notes\n")
    ref = "registry.gitlab.com/group/project/notes:v1"
    argv = ["push", "--dry-run", ref, "--artifact-type", "application/vnd.example.notes.v1+json",
            "notes.txt"]  # fmt: skip
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out.startswith("Dry run: nothing was sent.")
    assert "Registry lint: registry.gitlab.com (profile gitlab.com)" in out
    assert "error[RQ003] /artifactType:" in out and err.startswith("error[RQ003]: ")
    status, out, err = run(capsys, *argv, "--force", "--format", "json")
    assert status == 0 and err == ""
    plan = json.loads(out)
    assert [f["code"] for f in plan["registryLint"]["findings"]] == ["RQ003"]
    assert plan["manifests"] and plan["requests"]
    # The reference alone is checked before packing: Docker Hub names are namespace/repo.
    status, _, err = run(capsys, "push", "docker.io/a/b/c:v1", "notes.txt")
    assert status == 2 and "error[RQ013]" in err
