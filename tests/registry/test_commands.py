"""Every registry command of the ``ocikit`` CLI against a real registry, in each auth mode
(open, htpasswd Basic, Bearer tokens): the ``registry`` fixture runs each test once per mode."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, PASSWORD_WARNING, USER, Registry, chdir
from ocikit import Manifest, digest_file

ARTIFACT_TYPE = "application/vnd.example.docs.config.v1+json"
SIGNATURE = "application/vnd.example.signature.config.v1+json"
SBOM = "application/vnd.example.sbom.config.v1+json"
CHUNK = 1 << 20


@pytest.fixture
def files(tmp_path: Path) -> Path:
    """A small text file and a 2.5 MiB file (larger than the chunk size, not a multiple of it)."""
    work = tmp_path / "work"
    work.mkdir()
    (work / "readme.md").write_text("# hello\n")
    (work / "data.bin").write_bytes(os.urandom(5 * CHUNK // 2))
    return work


def _push(ocikit: Any, registry: Registry, files: Path, ref: str, *extra: str) -> str:
    with chdir(files):
        result = ocikit(
            "push", ref, "readme.md:text/markdown", "data.bin",
            "--artifact-type", ARTIFACT_TYPE, "-a", "org.example.k=v",
            "--plain-http", "--chunk-size", str(CHUNK), "--concurrency", "2",
            *registry.auth, *extra,
        )  # fmt: skip
    digest = result.out.strip().splitlines()[-1].removeprefix("Digest: ")
    return digest


def test_push_pull_round_trip(ocikit: Any, registry: Registry, files: Path, tmp_path: Path) -> None:
    ref = f"{registry.address}/docs/round-trip:v1"
    exported = tmp_path / "manifest.json"
    with chdir(files):
        pushed = ocikit(
            "push", f"{ref},latest,stable", "readme.md:text/markdown", "data.bin",
            "--artifact-type", ARTIFACT_TYPE, "-a", "org.example.k=v",
            "--plain-http", "--chunk-size", str(CHUNK), "--concurrency", "2",
            "--export-manifest", str(exported), *registry.auth,
        )  # fmt: skip
    manifest = Manifest.from_json(exported.read_bytes())
    assert pushed.out.splitlines() == [
        f"Pushed [registry] {ref}",
        "Tagged latest",
        "Tagged stable",
        f"ArtifactType: {ARTIFACT_TYPE}",
        f"Digest: {manifest.digest}",
    ]
    out = tmp_path / "out"
    pulled = ocikit("pull", ref, "-o", str(out), "--plain-http", *registry.auth)
    assert sorted(pulled.out.splitlines()[:2]) == ["Pulled data.bin", "Pulled readme.md"]
    assert pulled.out.splitlines()[-1] == f"Digest: {manifest.digest}"
    for name in ("readme.md", "data.bin"):
        assert (out / name).read_bytes() == (files / name).read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["data.bin", "readme.md"]  # no temp files
    assert manifest.annotations["org.example.k"] == "v"

    resolved = ocikit("resolve", ref, "--plain-http", *registry.auth)
    assert resolved.out.strip() == manifest.digest
    tags = ocikit(
        "repo", "tags", f"{registry.address}/docs/round-trip", "--plain-http", *registry.auth
    )
    assert sorted(tags.out.split()) == ["latest", "stable", "v1"]


def test_attach_and_discover_through_the_tag_schema(
    ocikit: Any, registry: Registry, files: Path
) -> None:
    name = f"{registry.address}/docs/attach"
    remote = ("--plain-http", *registry.auth)
    with chdir(files):
        subject = ocikit(
            "push", f"{name}:v1", "readme.md", "--artifact-type", ARTIFACT_TYPE, *remote
        )
        subject_digest = subject.out.splitlines()[-1].removeprefix("Digest: ")
        (files / "sig.txt").write_text("signature")
        (files / "sbom.json").write_text("{}")
        signed = ocikit("attach", f"{name}:v1", "sig.txt", "--artifact-type", SIGNATURE, *remote)
        sbom = ocikit("attach", f"{name}:v1", "sbom.json", "--artifact-type", SBOM, *remote)
        signature_digest = signed.out.splitlines()[-1].removeprefix("Digest: ")
        sbom_digest = sbom.out.splitlines()[-1].removeprefix("Digest: ")
        # A signature of the SBOM: the second level of the tree.
        nested = ocikit(
            "attach", f"{name}@{sbom_digest}", "sig.txt", "--artifact-type", SIGNATURE, *remote
        )
        nested_digest = nested.out.splitlines()[-1].removeprefix("Digest: ")
    assert signed.out.splitlines()[0] == f"Attached to [registry] {name}@{subject_digest}"

    # distribution 2.8.2 has no referrers API: the fallback tag holds the index.
    algorithm, encoded = subject_digest.split(":")
    tags = ocikit("repo", "tags", name, *remote).out.split()
    assert f"{algorithm}-{encoded}" in tags

    tree = ocikit("discover", f"{name}:v1", *remote).out.splitlines()
    assert tree[0] == f"{name}@{subject_digest}"
    assert f"├── {SIGNATURE}" in tree and f"└── {SBOM}" in tree
    assert f"│   └── {signature_digest}" in tree
    assert f"    └── {sbom_digest}" in tree
    assert f"            └── {nested_digest}" in tree

    document = json.loads(ocikit("discover", f"{name}:v1", "--format", "json", *remote).out)
    assert document["digest"] == subject_digest
    found = {node["digest"]: node for node in document["referrers"]}
    assert set(found) == {signature_digest, sbom_digest}
    assert found[sbom_digest]["artifactType"] == SBOM
    assert [n["digest"] for n in found[sbom_digest]["referrers"]] == [nested_digest]

    table = ocikit("discover", f"{name}:v1", "--format", "table", *remote).out.splitlines()
    assert table[0].split() == ["Digest", "Artifact", "Type", "Subject"]
    assert any(line.split() == [nested_digest, SIGNATURE, sbom_digest] for line in table)

    only = json.loads(
        ocikit(
            "discover",
            f"{name}:v1",
            "--artifact-type",
            SBOM,
            "--depth",
            "1",
            "--format",
            "json",
            *remote,
        ).out  # fmt: skip
    )
    assert [(n["digest"], n["referrers"]) for n in only["referrers"]] == [(sbom_digest, [])]


def test_tag_and_resolve(ocikit: Any, registry: Registry, files: Path) -> None:
    name = f"{registry.address}/docs/tags"
    remote = ("--plain-http", *registry.auth)
    digest = _push(ocikit, registry, files, f"{name}:v1")
    tagged = ocikit("tag", f"{name}:v1", "v2", "v3", *remote)
    assert tagged.out.splitlines() == ["Tagged v2", "Tagged v3"]
    for tag in ("v2", "v3"):
        assert ocikit("resolve", f"{name}:{tag}", *remote).out.strip() == digest
    full = ocikit("resolve", f"{name}@{digest}", "--full-reference", *remote)
    assert full.out.strip() == f"{name}@{digest}"
    # resolve is a HEAD, whose 404 has no body: a GET then gets the registry's own code.
    missing = ocikit("resolve", f"{name}:nope", *remote, check=False)
    assert missing.status == 2 and missing.err.startswith("error[MANIFEST_UNKNOWN]: ")


def test_copy_with_referrers(ocikit: Any, registry: Registry, files: Path, tmp_path: Path) -> None:
    source = f"{registry.address}/docs/copy-source"
    target = f"{registry.address}/docs/copy-target"
    remote = ("--plain-http", *registry.auth)
    digest = _push(ocikit, registry, files, f"{source}:v1")
    with chdir(files):
        signature = ocikit(
            "attach", f"{source}:v1", "readme.md", "--artifact-type", SIGNATURE, *remote
        )
    signature_digest = signature.out.splitlines()[-1].removeprefix("Digest: ")
    copied = ocikit("copy", f"{source}:v1", f"{target}:copied", "-r", *remote)
    assert copied.out.splitlines() == [
        f"Copied [registry] {source}:v1 => [registry] {target}:copied",
        f"Digest: {digest}",
    ]
    assert ocikit("resolve", f"{target}:copied", *remote).out.strip() == digest
    found = json.loads(ocikit("discover", f"{target}:copied", "--format", "json", *remote).out)
    assert [n["digest"] for n in found["referrers"]] == [signature_digest]
    out = tmp_path / "out"
    ocikit("pull", f"{target}:copied", "-o", str(out), *remote)
    assert (out / "data.bin").read_bytes() == (files / "data.bin").read_bytes()


def test_manifest_commands(ocikit: Any, registry: Registry, files: Path, tmp_path: Path) -> None:
    name = f"{registry.address}/docs/manifests"
    remote = ("--plain-http", *registry.auth)
    digest = _push(ocikit, registry, files, f"{name}:v1")
    saved = tmp_path / "m.json"
    ocikit("manifest", "fetch", f"{name}:v1", "-o", str(saved), *remote)
    manifest = Manifest.from_json(saved.read_bytes())
    assert manifest.digest == digest
    descriptor = json.loads(ocikit("manifest", "fetch", f"{name}:v1", "--descriptor", *remote).out)
    assert descriptor == {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": digest,
        "size": saved.stat().st_size,
    }
    # Changed bytes, same blobs: a new manifest under a new tag.
    document = json.loads(saved.read_bytes())
    document["annotations"]["org.example.k"] = "changed"
    changed = tmp_path / "changed.json"
    changed.write_bytes(json.dumps(document).encode())
    pushed = ocikit("manifest", "push", f"{name}:changed", str(changed), *remote)
    new_digest = digest_file(changed)
    assert pushed.out.splitlines() == [f"Pushed [registry] {name}:changed", f"Digest: {new_digest}"]
    assert ocikit("resolve", f"{name}:changed", *remote).out.strip() == new_digest

    deleted = ocikit("manifest", "delete", f"{name}:changed", "-f", *remote)
    assert deleted.out.strip() == f"Deleted [registry] {name}:changed"
    gone = ocikit("manifest", "fetch", f"{name}@{new_digest}", *remote, check=False)
    assert gone.status == 2 and gone.err.startswith("error[MANIFEST_UNKNOWN]: ")
    assert ocikit("resolve", f"{name}:v1", *remote).out.strip() == digest


def test_blob_commands(ocikit: Any, registry: Registry, files: Path, tmp_path: Path) -> None:
    name = f"{registry.address}/docs/blobs"
    remote = ("--plain-http", *registry.auth)
    blob = files / "data.bin"
    digest = digest_file(blob)
    pushed = ocikit("blob", "push", name, str(blob), "--chunk-size", str(CHUNK), *remote)
    assert pushed.out.splitlines() == [f"Pushed [registry] {name}@{digest}", f"Digest: {digest}"]
    again = ocikit("blob", "push", f"{name}@{digest}", str(blob), "--descriptor", *remote)
    assert json.loads(again.out) == {
        "mediaType": "application/octet-stream", "digest": digest, "size": blob.stat().st_size,
    }  # fmt: skip
    wrong = ocikit(
        "blob", "push", f"{name}@{digest}", str(files / "readme.md"), *remote, check=False
    )
    assert wrong.status == 2 and wrong.err.startswith("error[DIGEST_MISMATCH]: ")

    target = tmp_path / "fetched.bin"
    ocikit("blob", "fetch", f"{name}@{digest}", "-o", str(target), *remote)
    assert target.read_bytes() == blob.read_bytes()
    small = digest_file(files / "readme.md")
    ocikit("blob", "push", name, str(files / "readme.md"), *remote)
    assert ocikit("blob", "fetch", f"{name}@{small}", "-o", "-", *remote).out == "# hello\n"
    unknown = "sha256:" + "0" * 64
    missing = ocikit("blob", "fetch", f"{name}@{unknown}", "-o", str(target), *remote, check=False)
    assert missing.status == 2 and missing.err.startswith("error[BLOB_UNKNOWN]: ")
    assert target.read_bytes() == blob.read_bytes()  # left alone


def _cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed ``ocikit`` command, in a process of its own (real exit codes)."""
    command = Path(sys.executable).parent / "ocikit"
    return subprocess.run(
        [str(command), *args], capture_output=True, text=True, timeout=60, cwd=cwd, input=stdin
    )


@pytest.mark.parametrize("mode", ["basic", "bearer"])
def test_wrong_or_missing_credentials_are_unauthorized(
    mode: str, registries: dict[str, Registry], files: Path
) -> None:
    registry = registries[mode]
    ref = f"{registry.address}/docs/denied:v1"
    wrong = _cli("push", ref, "readme.md", "--plain-http", "-u", USER, "-p", "wrong", cwd=files)
    assert wrong.returncode == 2
    assert wrong.stderr.startswith(PASSWORD_WARNING + "error[UNAUTHORIZED]: "), wrong.stderr
    assert PASSWORD not in wrong.stderr + wrong.stdout
    anonymous = _cli("resolve", ref, "--plain-http")
    assert anonymous.returncode == 2
    assert anonymous.stderr.startswith("error[UNAUTHORIZED]: "), anonymous.stderr
    login = _cli(
        "login", registry.address, "--plain-http", "-u", USER, "--password-stdin", stdin="nope\n"
    )
    assert login.returncode == 2 and login.stderr.startswith("error[UNAUTHORIZED]: ")


@pytest.mark.parametrize("mode", ["basic", "bearer"])
def test_login_stores_docker_credentials_and_logout_forgets_them(
    mode: str, registries: dict[str, Registry], files: Path, docker_config: Path, ocikit: Any
) -> None:
    registry = registries[mode]
    ref = f"{registry.address}/docs/login:v1"
    logged = ocikit(
        "login",
        registry.address,
        "--plain-http",
        "-u",
        USER,
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert logged.out.strip() == "Login Succeeded"
    config = json.loads((docker_config / "config.json").read_text())
    assert list(config["auths"]) == [registry.address]
    assert (docker_config / "config.json").stat().st_mode & 0o077 == 0
    # No -u/-p: the credentials come from config.json.
    with chdir(files):
        ocikit("push", ref, "readme.md", "--plain-http")
    assert ocikit("repo", "tags", ref.rsplit(":", 1)[0], "--plain-http").out.split() == ["v1"]
    assert (
        ocikit("logout", registry.address).out.strip()
        == f"Removed login credentials for {registry.address}"
    )
    assert ocikit("logout", registry.address).out.strip() == f"Not logged in to {registry.address}"
    denied = ocikit("resolve", ref, "--plain-http", check=False)
    assert denied.status == 2 and denied.err.startswith("error[UNAUTHORIZED]: ")


def test_usage_errors(ocikit: Any, registries: dict[str, Registry]) -> None:
    address = registries["open"].address
    no_password = ocikit("resolve", f"{address}/a:v1", "-u", USER, check=False)
    assert no_password.status == 2 and "needs -p/--password" in no_password.err
    bad_ref = ocikit("resolve", "no-repository", check=False)
    assert bad_ref.status == 2 and bad_ref.err.startswith("error[REFERENCE_INVALID]: ")
    no_digest = ocikit("blob", "fetch", f"{address}/a:v1", "-o", "x", "--plain-http", check=False)
    assert no_digest.status == 2 and "names no blob" in no_digest.err
