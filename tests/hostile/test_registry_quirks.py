"""The engine adapts to registries as registry-quirks.md says they behave (issue 15): the hostile
server's ``quay-like``, ``gitlab-like`` and ``ghcr-like`` repositories emulate each quirk, and
the Python Client and the CLI (``--registry-profile``) are shown to adapt — without the
internet.

- Quay serves the referrers API but never sends ``OCI-Subject``: the engine probes the API once
  and writes no ``sha256-…`` fallback tag.
- GitLab resolves a ``sha256-<hex>`` tag to the digest: the fallback read returns the subject
  itself, which is ignored (nothing lists it; the referrers index is written fresh).
- GHCR answers 416 to a PATCH body over 4 MiB: with the ``ghcr`` profile the chunks stay within
  4 MiB (without it the same push fails).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import ocikit
from drivers import CLI
from hostile_server import PASSWORD, USER, HostileRegistry, sha256
from ocikit import Client, File, OciError

TYPE = "application/vnd.example.quirk.v1"
MIB = 1024 * 1024


def _client(hostile: HostileRegistry, **options: object) -> Client:
    return Client(
        hostile.plain.address, plain_http=True, credentials=(USER, PASSWORD), **options
    )


def _requests(hostile: HostileRegistry, repo: str) -> list[tuple[str, str, int]]:
    return [
        (r.method, r.path, r.received)
        for r in hostile.journal.of("registry")
        if r.repository() == repo
    ]


# Types on GitLab's media-type list (the gitlab-like registry refuses others).
SBOM = "application/vnd.cyclonedx+json"
SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json"


def _attach(hostile: HostileRegistry, repo: str) -> tuple[ocikit.PushOutcome, str]:
    """Pushes a subject to ``repo`` and attaches a signature to it."""
    ref = f"{hostile.plain.address}/{repo}:v1"
    with _client(hostile) as client:
        subject = client.push(ref, ocikit.pack([File("s.txt", b"subject\n")], artifact_type=SBOM))
        signature = ocikit.pack(
            [File("sig.txt", b"signed\n")], artifact_type=SIGNATURE, subject=subject.descriptor
        )
        hostile.journal.reset()
        return client.attach(ref, signature), str(subject.descriptor.digest)


def test_quay_like_referrers_api_is_probed_and_no_fallback_tag_is_written(
    hostile: HostileRegistry,
) -> None:
    attached, subject = _attach(hostile, "quay-like-1")
    assert attached.referrers_tag is None
    sent = _requests(hostile, "quay-like-1")
    assert [p for m, p, _ in sent if m == "GET" and "/referrers/" in p] == [
        f"/v2/quay-like-1/referrers/{subject}"
    ]
    assert not [p for _, p, _ in sent if "/manifests/sha256-" in p], sent
    with _client(hostile) as client:
        listed = client.referrers(f"{hostile.plain.address}/quay-like-1:v1")
    assert [d.digest for d in listed] == [attached.descriptor.digest]


def test_gitlab_like_fallback_read_of_the_subject_is_ignored(hostile: HostileRegistry) -> None:
    ref = f"{hostile.plain.address}/gitlab-like-1:v1"
    with _client(hostile) as client:
        client.push(ref, ocikit.pack([File("s.txt", b"subject\n")], artifact_type=SBOM))
        # sha256-<hex> reads as the subject: it lists nothing (it is no referrers index).
        assert client.referrers(ref) == []
    attached, subject = _attach(hostile, "gitlab-like-1")
    tag = "sha256-" + subject.split(":", 1)[1]
    assert attached.referrers_tag is not None and attached.referrers_tag[0] == tag
    puts = [
        r for r in hostile.journal.of("registry") if r.method == "PUT" and r.path.endswith(tag)
    ]
    assert len(puts) == 1
    assert not any(k.lower() == "if-match" for k, _ in puts[0].headers)
    with _client(hostile) as client:
        assert [d.digest for d in client.referrers(ref)] == [attached.descriptor.digest]


def _big(tmp_path: Path, seed: int = 0) -> Path:
    """A little over 9 MiB; a blob of another ``seed`` is new to the registry (which finds
    blobs by digest in any repository)."""
    path = tmp_path / "big.bin"
    path.write_bytes(bytes([seed]) + bytes(range(256)) * (9 * MIB // 256 + 3))
    return path


def test_ghcr_like_chunks_stay_within_4_mib_with_the_profile(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    big = _big(tmp_path)
    packed = ocikit.pack([File("big.bin", big.read_bytes())], artifact_type=TYPE)
    ref = f"{hostile.plain.address}/ghcr-like-1:v1"
    hostile.journal.reset()
    with _client(hostile, chunk_size=8 * MIB) as client, pytest.raises(OciError):
        client.push(ref, packed)  # without the profile: an 8 MiB PATCH, refused
    refused = [r for r in hostile.journal.of("registry") if r.method == "PATCH"]
    assert refused and refused[0].status == 416 and refused[0].received > 4 * MIB
    hostile.journal.reset()
    with _client(hostile, chunk_size=8 * MIB, registry_profile="ghcr") as client:
        client.push(ref, packed)
    assert hostile.content.blobs[sha256(big.read_bytes())] == big.read_bytes()
    patches = [n for m, _, n in _requests(hostile, "ghcr-like-1") if m == "PATCH"]
    assert patches and max(patches) <= 4 * MIB and sum(patches) == big.stat().st_size


def _cli_push(hostile: HostileRegistry, tmp_path: Path, repo: str, *flags: str) -> int:
    return subprocess.run(
        [
            str(CLI), "push", "--plain-http", "-u", USER, "-p", PASSWORD, "--no-progress",
            "--chunk-size", str(8 * MIB), "--artifact-type", TYPE, *flags,
            f"{hostile.plain.address}/{repo}:v1", "big.bin",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    ).returncode  # fmt: skip


def test_cli_registry_profile_adapts_the_push(hostile: HostileRegistry, tmp_path: Path) -> None:
    _big(tmp_path, 1)
    hostile.journal.reset()
    _cli_push(hostile, tmp_path, "ghcr-like-2")  # without the profile: an 8 MiB PATCH
    assert any(
        r.method == "PATCH" and r.status == 416 and r.received > 4 * MIB
        for r in hostile.journal.of("registry")
    )
    _big(tmp_path, 2)
    hostile.journal.reset()
    assert _cli_push(hostile, tmp_path, "ghcr-like-3", "--registry-profile", "ghcr") == 0
    assert not [r for r in hostile.journal.of("registry") if r.status == 416]
    patches = [n for m, _, n in _requests(hostile, "ghcr-like-3") if m == "PATCH"]
    assert patches and max(patches) <= 4 * MIB


def test_cli_attach_on_quay_like_writes_no_fallback_tag(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    ref = f"{hostile.plain.address}/quay-like-2:v1"
    with _client(hostile) as client:
        client.push(ref, ocikit.pack([File("s.txt", b"subject\n")], artifact_type=TYPE))
    (tmp_path / "sig.txt").write_bytes(b"signed\n")
    hostile.journal.reset()
    run = subprocess.run(
        [
            str(CLI), "attach", "--plain-http", "-u", USER, "-p", PASSWORD,
            "--artifact-type", TYPE + ".sig", "--registry-profile", "quay", ref, "sig.txt",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    sent = _requests(hostile, "quay-like-2")
    assert sum(1 for m, p, _ in sent if m == "GET" and "/referrers/" in p) == 1
    assert not [p for _, p, _ in sent if "/manifests/sha256-" in p], sent


def test_gitlab_like_media_type_refused_by_the_registry_or_before_by_the_profile(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_bytes(b"notes\n")

    def push(repo: str, *flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                str(CLI), "push", "--plain-http", "-u", USER, "-p", PASSWORD, "--no-progress",
                "--artifact-type", TYPE, *flags, f"{hostile.plain.address}/{repo}:v1", "notes.txt",
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    hostile.journal.reset()
    run = push("gitlab-like-2")  # the registry's 400, after the upload
    assert run.returncode != 0 and "unknown media type" in run.stdout + run.stderr
    assert any(r.method == "PUT" and "/manifests/" in r.path and r.status == 400
               for r in hostile.journal.of("registry"))  # fmt: skip
    hostile.journal.reset()
    run = push("gitlab-like-3", "--registry-profile", "gitlab")  # the lint, before the PUT
    assert run.returncode != 0 and "RQ003" in run.stdout + run.stderr
    assert not [r for r in hostile.journal.of("registry") if "/manifests/" in r.path]


def test_copy_with_referrers_to_gitlab_like_writes_the_subject_first(
    hostile: HostileRegistry,
) -> None:
    # GitLab refuses a manifest whose subject is not in the repository yet: the copy writes
    # each referrer after its subject (and keeps the referrers tag: no referrers API there).
    # Source and destination are both gitlab-like: a session knows one registry's referrers
    # API, and the emulated registries share a host.
    attached, subject = _attach(hostile, "gitlab-like-5")
    source = f"{hostile.plain.address}/gitlab-like-5:v1"
    hostile.journal.reset()
    with _client(hostile) as client:
        copied = client.copy(source, "gitlab-like-4:v1", referrers=True)
    puts = [
        r.path.rsplit("/", 1)[1]
        for r in hostile.journal.of("registry")
        if r.method == "PUT" and r.repository() == "gitlab-like-4" and "/manifests/" in r.path
    ]
    signature = str(attached.descriptor.digest)
    assert puts.index("v1") < puts.index(signature), puts
    assert {str(d.digest) for d in copied.manifests} >= {subject, signature}
    with _client(hostile) as client:
        listed = client.referrers(f"{hostile.plain.address}/gitlab-like-4:v1")
    assert [str(d.digest) for d in listed] == [signature]
