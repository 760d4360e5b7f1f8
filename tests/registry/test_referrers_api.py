"""attach and discover on a registry with the OCI referrers API (go-containerregistry's, see
tests/tools/referrers-registry): the API is used, no ``sha256-…`` referrers tag is written,
and ``--artifact-type`` filters.

Two quirks of go-containerregistry v0.22.1 shape these tests. Its PUT answer lacks
``OCI-Subject``, which a registry with the referrers API must send and without which a client
must fall back to the referrers tag (distribution-spec "Pushing Manifests with Subject"):
the proxy in front of it adds the header (``FaultProxy(oci_subject=True)``); the last test
shows the fallback ocikit then follows. And it lists a referrer's ``artifactType`` as its
``config.mediaType`` and ignores the ``artifactType`` filter: the referrers here are attached
with a config of their type (``--config FILE:TYPE``), so that what it lists is right, and the
filter is applied by ocikit (no ``OCI-Filters-Applied``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import ReferrersRegistry, chdir
from fault_proxy import FaultProxy
from ocikit import Client, Config, File, pack

TYPE = "application/vnd.example.docs.config.v1+json"
SIGNATURE = "application/vnd.example.signature.config.v1+json"
SBOM = "application/vnd.example.sbom.config.v1+json"


def _attach(ocikit: Any, ref: str, work: Path, artifact_type: str, name: str) -> str:
    (work / name).write_text(f"{name}\n")
    (work / f"{name}.json").write_text("{}")
    with chdir(work):
        out = ocikit(
            "attach", ref, name, "--artifact-type", artifact_type,
            "--config", f"{name}.json:{artifact_type}", "--plain-http", "--format", "json",
        ).out  # fmt: skip
    return str(json.loads(out)["digest"])


def _referrer_tags(proxy: FaultProxy) -> list[str]:
    return [e.path for e in proxy.log if "/manifests/sha256-" in e.path]


def test_attach_and_discover_use_the_referrers_api(
    ocikit: Any, referrers_registry: ReferrersRegistry, tmp_path: Path
) -> None:
    address, proxy = referrers_registry.address, referrers_registry.proxy
    ref = f"{address}/referrers/api:v1"
    (tmp_path / "readme.md").write_text("# subject\n")
    with chdir(tmp_path):
        ocikit("push", ref, "readme.md", "--artifact-type", TYPE, "--plain-http")
    subject = ocikit("resolve", ref, "--plain-http").out.strip()
    signature = _attach(ocikit, ref, tmp_path, SIGNATURE, "sig.txt")
    sbom = _attach(ocikit, ref, tmp_path, SBOM, "sbom.txt")
    # A referrer of the signature: discover follows the tree down.
    countersignature = _attach(
        ocikit, f"{address}/referrers/api@{signature}", tmp_path, SIGNATURE, "counter.txt"
    )

    found = json.loads(ocikit("discover", ref, "--plain-http", "--format", "json").out)
    assert found["digest"] == subject
    by_digest = {r["digest"]: r for r in found["referrers"]}
    assert set(by_digest) == {signature, sbom}
    assert by_digest[signature]["artifactType"] == SIGNATURE
    assert by_digest[sbom]["artifactType"] == SBOM
    assert [r["digest"] for r in by_digest[signature]["referrers"]] == [countersignature]

    tree = ocikit("discover", ref, "--plain-http").out.splitlines()
    assert tree[0] == f"{address}/referrers/api@{subject}"
    assert f"── {SBOM}" in "\n".join(tree) and f"── {SIGNATURE}" in "\n".join(tree)
    assert sum(countersignature in line for line in tree) == 1

    only = json.loads(
        ocikit("discover", ref, "--plain-http", "--format", "json", "--artifact-type", SBOM).out
    )
    assert [r["digest"] for r in only["referrers"]] == [sbom]

    # The referrers API answered every listing; no referrers tag was read or written.
    api = proxy.requests("GET", r"/v2/referrers/api/referrers/sha256:")
    assert api and {e.status for e in api} == {200}
    assert any("artifactType=" in e.path for e in api)
    assert not _referrer_tags(proxy)
    assert ocikit("repo", "tags", f"{address}/referrers/api", "--plain-http").out.split() == ["v1"]


def test_client_filters_referrers_the_registry_did_not_filter(
    referrers_registry: ReferrersRegistry,
) -> None:
    address = referrers_registry.address
    ref = f"{address}/referrers/filter:v1"
    with Client(address, plain_http=True) as client:
        subject = client.push(ref, pack([File("a.txt", b"a\n")], artifact_type=TYPE)).descriptor
        attached = {}
        for artifact_type in (SIGNATURE, SBOM, SBOM):
            packed = pack(
                [File(f"{len(attached)}.txt", f"{len(attached)}\n".encode())],
                artifact_type=artifact_type,
                config=Config(artifact_type, b"{}"),
                subject=subject,
            )
            attached[client.attach(ref, packed).descriptor.digest] = artifact_type
        everything = client.referrers(ref)
        sboms = client.referrers(ref, artifact_type=SBOM)
        none = client.referrers(ref, artifact_type="application/vnd.example.none.v1+json")
    assert {d.digest: d.artifact_type for d in everything} == attached
    assert sorted(d.digest for d in sboms) == sorted(d for d, t in attached.items() if t == SBOM)
    assert none == []
    filtered = referrers_registry.proxy.requests("GET", r"/referrers/sha256:.*artifactType=")
    # Asked with the filter; the answer did not say it was applied.
    assert filtered and all(e.status == 200 for e in filtered)


def test_without_oci_subject_the_referrers_api_is_probed_and_no_tag_written(
    ocikit: Any, referrers_registry: ReferrersRegistry, tmp_path: Path
) -> None:
    """Straight to go-containerregistry (no proxy): its PUT answer does not say the subject
    was indexed (as Quay's never does), so ocikit asks the referrers API about the subject
    once (issue 15): its 200 with an index proves the API, and no fallback tag is written;
    discover reads the referrers API, and lists the referrer once."""
    upstream = referrers_registry.proxy.upstream
    ref = f"{upstream}/referrers/no-subject-header:v1"
    (tmp_path / "readme.md").write_text("# subject\n")
    with chdir(tmp_path):
        ocikit("push", ref, "readme.md", "--artifact-type", TYPE, "--plain-http")
    subject = ocikit("resolve", ref, "--plain-http").out.strip()
    signature = _attach(ocikit, ref, tmp_path, SIGNATURE, "sig.txt")
    tags = ocikit("repo", "tags", f"{upstream}/referrers/no-subject-header", "--plain-http")
    assert tags.out.split() == ["v1"], subject
    found = json.loads(ocikit("discover", ref, "--plain-http", "--format", "json").out)
    assert [r["digest"] for r in found["referrers"]] == [signature]
