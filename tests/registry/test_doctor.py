"""``ocikit doctor`` against local registries: Debian's docker-registry (distribution 2.8: no
referrers API, n ignored) and the referrers-API test registry, each probed with a digest known
to exist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry, chdir


@pytest.fixture
def notes(tmp_path: Path) -> Any:
    (tmp_path / "notes.txt").write_text("notes\n")
    with chdir(tmp_path):
        yield tmp_path


def _push_two_tags(ocikit: Any, address: str, auth: list[str]) -> str:
    ref = f"{address}/doctor/probe:v1"
    ocikit("push", "--plain-http", *auth, ref, "--artifact-type",
           "application/vnd.example.notes.v1+json", "notes.txt")  # fmt: skip
    ocikit("tag", "--plain-http", *auth, ref, "v2")
    return ref


def test_doctor_on_docker_registry(
    ocikit: Any, registries: dict[str, Registry], notes: Path
) -> None:
    registry = registries["open"]
    ref = _push_two_tags(ocikit, registry.address, [])
    report = json.loads(ocikit("doctor", "--plain-http", ref, "--registry-profile",
                               "distribution", "--format", "json").out)  # fmt: skip
    probes = report["probes"]
    assert report["profile"] == "distribution"
    assert probes["v2"] == {"auth": "ok", "status": 200, "challenge": None,
                            "api_version": "registry/2.0"}  # fmt: skip
    assert probes["referrers_api"]["supported"] is False
    assert probes["referrers_api"]["status"] == 404
    # distribution 2.8 ignores n and sends every tag at once.
    assert probes["tag_list"]["n_honoured"] is False and probes["tag_list"]["tags"] == 2
    assert {f["topic"] for f in report["facts"]} >= {"referrers-api", "delete", "tag-list"}
    text = ocikit("doctor", "--plain-http", ref, "--registry-profile", "distribution").out
    assert "Referrers API: no" in text and "n ignored" in text
    assert "[S42 2026-08-18; high]" in text


def test_doctor_on_the_referrers_api_registry(
    ocikit: Any, referrers_registry: Any, notes: Path
) -> None:
    ref = _push_two_tags(ocikit, referrers_registry.address, [])
    report = json.loads(ocikit("doctor", "--plain-http", ref, "--format", "json").out)
    referrers = report["probes"]["referrers_api"]
    assert referrers["supported"] is True and referrers["status"] == 200
    assert referrers["content_type"].startswith("application/vnd.oci.image.index.v1+json")
    tags = report["probes"]["tag_list"]
    assert tags["n_honoured"] is True and tags["tags"] == 2
    # A registry that pages without Link is reported as such.
    assert tags["link"] is False and "first page only" in tags["note"]


def test_doctor_reports_the_challenge_and_refused_credentials(
    ocikit: Any, registries: dict[str, Registry]
) -> None:
    registry = registries["bearer"]
    report = json.loads(ocikit("doctor", "--plain-http", *registry.auth, registry.address,
                               "--format", "json").out)  # fmt: skip
    v2 = report["probes"]["v2"]
    assert v2["status"] == 401 and v2["challenge"].startswith("Bearer realm=")
    assert v2["auth"] == "ok"
    assert report["probes"]["referrers_api"]["supported"] is None  # no reference given
    refused = json.loads(ocikit("doctor", "--plain-http", "-u", "alice", "-p", "wrong",
                                registry.address, "--format", "json").out)  # fmt: skip
    assert refused["probes"]["v2"]["auth"] == "UNAUTHORIZED"


def test_doctor_on_an_unreachable_registry_is_a_network_error(ocikit: Any) -> None:
    run = ocikit("doctor", "--plain-http", "127.0.0.1:9", check=False)
    assert run.status == 1 and run.err.startswith("error[NETWORK_ERROR]")


def test_the_cli_doctor_is_client_probe_registry(
    ocikit: Any, registries: dict[str, Registry], notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One path: ``ocikit doctor`` runs :meth:`Client.probe_registry` (the review found a twin,
    ``ocikit._doctor.probe_registry``, which drove the core's probe on its own)."""
    import importlib.util

    import ocikit as api

    registry = registries["open"]
    ref = _push_two_tags(ocikit, registry.address, [])
    asked: list[tuple[Any, Any]] = []
    probe = api.Client.probe_registry

    def recorded(self: Any, ref: Any = None, *, profile: Any = None) -> Any:
        asked.append((None if ref is None else str(ref), profile))
        return probe(self, ref, profile=profile)

    monkeypatch.setattr(api.Client, "probe_registry", recorded)
    cli = json.loads(ocikit("doctor", "--plain-http", ref, "--registry-profile", "distribution",
                            "--format", "json").out)  # fmt: skip
    bare = json.loads(ocikit("doctor", "--plain-http", registry.address, "--format", "json").out)
    assert asked == [(ref, "distribution"), (None, None)]
    monkeypatch.undo()
    with api.Client(registry.address, plain_http=True) as client:
        assert client.probe_registry(ref, profile="distribution") == cli
        assert client.probe_registry() == bare
    assert cli["probes"]["referrers_api"]["supported"] is False
    assert bare["profile"] == "generic" and "digest" not in bare["probes"]["referrers_api"]
    assert importlib.util.find_spec("ocikit._doctor") is None
    assert not hasattr(api, "probe_registry")
    bad_host = ocikit("doctor", "--plain-http", "bad host!", check=False)
    assert bad_host.status == 2 and bad_host.err.startswith("error[REFERENCE_INVALID]")
