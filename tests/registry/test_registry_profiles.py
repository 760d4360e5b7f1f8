"""Registry profiles in the CLI against Debian's docker-registry: push, attach and copy stop
before sending what the profile says the registry refuses (unless --force), and print the
profile's warnings with their sources."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry, chdir

ARTIFACT = "application/vnd.example.notes.v1+json"


def status_of(url: str) -> int:
    """The status of a HEAD with an OCI Accept (distribution 2.8 needs one even by digest)."""
    request = urllib.request.Request(url, method="HEAD")
    request.add_header(
        "Accept",
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.fixture
def files(tmp_path: Path) -> Any:
    """Two files, in the working directory (titles are relative paths)."""
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.txt").write_bytes(b"some notes\n")
    with chdir(tmp_path):
        yield tmp_path


def test_push_stops_before_any_request_on_a_lint_error_unless_forced(
    ocikit: Any, registries: dict[str, Registry], files: Path
) -> None:
    registry = registries["open"]
    ref = f"{registry.address}/profiles/zero:v1"
    args = ["push", "--plain-http", "--registry-profile", "harbor", ref, "--artifact-type", ARTIFACT]
    refused = ocikit(*args, "empty.txt", check=False)
    assert refused.status == 2
    assert "error[RQ001] /layers/0:" in refused.err  # the finding, then the stop
    assert refused.err.rstrip().splitlines()[-1].startswith("error[RQ001]: ")
    assert "[S35] goharbor/harbor #21018" in refused.err and "--force" in refused.err
    # Nothing reached the registry: no manifest, not even the 2-byte empty config blob.
    base = f"http://{registry.address}/v2/profiles/zero"
    assert status_of(f"{base}/manifests/v1") == 404
    empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
    assert status_of(f"{base}/blobs/{empty}") == 404

    forced = ocikit(*args, "--force", "empty.txt")
    assert "error[RQ001] /layers/0:" in forced.err and "Pushed [registry]" in forced.out
    assert status_of(f"{base}/manifests/v1") == 200


def test_a_clean_push_prints_nothing_of_the_lint(
    ocikit: Any, registries: dict[str, Registry], files: Path
) -> None:
    registry = registries["open"]
    ref = f"{registry.address}/profiles/clean:v1"
    run = ocikit(
        "push", "--plain-http", "--registry-profile", "distribution", ref,
        "--artifact-type", ARTIFACT, "notes.txt",
    )  # fmt: skip
    assert "RQ0" not in run.err and "Pushed [registry]" in run.out


def test_attach_warns_where_the_registry_has_no_referrers_api(
    ocikit: Any, registries: dict[str, Registry], files: Path
) -> None:
    registry = registries["open"]
    ref = f"{registry.address}/profiles/subject:v1"
    ocikit("push", "--plain-http", ref, "--artifact-type", ARTIFACT, "notes.txt")
    attached = ocikit(
        "attach", "--plain-http", "--registry-profile", "distribution", ref,
        "--artifact-type", "application/vnd.example.review.v1+json", "notes.txt",
    )  # fmt: skip
    assert "warning[RQ005] /subject:" in attached.err
    assert "[S42] distribution/distribution" in attached.err
    assert "Attached to [registry]" in attached.out
    # The dry run shows the same finding in its JSON plan and sends nothing.
    planned = ocikit(
        "attach", "--plain-http", "--dry-run", "--format", "json", "--registry-profile",
        "distribution", ref, "--artifact-type", "application/vnd.example.other.v1+json",
        "notes.txt",
    )  # fmt: skip
    plan = json.loads(planned.out)
    assert [f["code"] for f in plan["registryLint"]["findings"]] == ["RQ005"]
    assert plan["registryLint"]["profile"] == "distribution" and plan["requests"]


def test_copy_lints_the_root_manifest_against_the_destination(
    ocikit: Any, registries: dict[str, Registry], files: Path
) -> None:
    registry = registries["open"]
    source = f"{registry.address}/profiles/source:v1"
    ocikit("push", "--plain-http", source, "--artifact-type", ARTIFACT, "empty.txt")
    destination = f"{registry.address}/profiles/copied:v1"
    args = ["copy", "--plain-http", "--registry-profile", "harbor", source, destination]
    refused = ocikit(*args, check=False)
    assert refused.status == 2 and "error[RQ001]" in refused.err
    assert status_of(f"http://{registry.address}/v2/profiles/copied/manifests/v1") == 404
    ocikit(*args, "--force")
    assert status_of(f"http://{registry.address}/v2/profiles/copied/manifests/v1") == 200
