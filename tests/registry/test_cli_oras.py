"""The ``ocikit`` CLI as an ORAS 1.3 user finds it (issue 13): ORAS's commands, aliases, the
flags every registry command shares and the per-command flags, each against docker-registry
for what it does, not only that it parses."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import PASSWORD, PASSWORD_WARNING, REFRESH_TOKEN, USER, Registry, chdir
from fault_proxy import FaultProxy
from ocikit import __version__, digest

ARTIFACT_TYPE = "application/vnd.example.docs.config.v1+json"
WARNING = "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"
assert WARNING == PASSWORD_WARNING


@pytest.fixture
def open_registry(registries: dict[str, Registry]) -> Registry:
    return registries["open"]


def _push(ocikit: Any, registry: Registry, tmp_path: Path, ref: str, *extra: str) -> str:
    (tmp_path / "a.txt").write_text("a\n")
    with chdir(tmp_path):
        result = ocikit(
            "push", ref, "a.txt:text/plain", "--artifact-type", ARTIFACT_TYPE,
            "--plain-http", *registry.auth, *extra,
        )  # fmt: skip
    return str(result.out.strip().splitlines()[-1].removeprefix("Digest: "))


# Common flags ------------------------------------------------------------------------------


def test_header_is_sent_with_every_request(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    with FaultProxy(open_registry.address) as proxy:
        ref = f"{proxy.address}/oras/header:v1"
        _push(ocikit, open_registry, tmp_path, ref, "-H", "X-Trace: abc 1", "--header", "X-Two:2")
        pushed = len(proxy.log)
        ocikit("resolve", ref, "--plain-http", "-H", "X-Trace: abc 2")
        sent = [(e.headers.get("x-trace"), e.headers.get("x-two")) for e in proxy.log]
    assert pushed >= 3  # HEADs, blob uploads, the manifest PUT
    assert sent[:pushed] == [("abc 1", "2")] * pushed
    assert sent[pushed:] == [("abc 2", None)]


def test_bad_header_is_a_usage_error(ocikit: Any, open_registry: Registry) -> None:
    run = ocikit(
        "resolve", f"{open_registry.address}/oras/x:v1", "--plain-http", "-H", "no colon",
        check=False,
    )  # fmt: skip
    assert (run.status, run.err) == (2, "error: -H 'no colon' is not 'NAME: VALUE'\n")


def test_resolve_connects_a_host_name_to_an_address(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    port = open_registry.address.rsplit(":", 1)[1]
    # registry.invalid cannot resolve (RFC 6761): every connection goes where --resolve says,
    # the upload Location the registry writes (naming registry.invalid:5000) included.
    ref = "registry.invalid:5000/oras/resolve:v1"
    resolve = ["--resolve", f"registry.invalid:5000:127.0.0.1:{port}"]
    pushed = _push(ocikit, open_registry, tmp_path, ref, *resolve)
    found = ocikit("resolve", ref, "--plain-http", *resolve)
    assert found.out.strip() == pushed
    direct = ocikit("resolve", f"{open_registry.address}/oras/resolve:v1", "--plain-http")
    assert direct.out.strip() == pushed
    bad = ocikit("resolve", ref, "--plain-http", "--resolve", "registry.invalid", check=False)
    assert bad.status == 2
    assert bad.err == (
        "error: --resolve 'registry.invalid' is not HOST:PORT:ADDRESS[:PORT]\n"
    )


def test_debug_shows_exchanges_with_secrets_redacted(
    ocikit: Any, registries: dict[str, Registry], tmp_path: Path
) -> None:
    for mode in ("basic", "bearer"):
        registry = registries[mode]
        ref = f"{registry.address}/oras/debug-{mode}:v1"
        _push(ocikit, registry, tmp_path, ref)
        run = ocikit("resolve", ref, "--plain-http", "-d", *registry.auth)
        assert run.out.strip().startswith("sha256:")
        assert f"debug: > #0 HEAD http://{registry.address}/v2/oras/debug-{mode}/manifests/v1" in (
            run.err
        )
        assert "debug: < #0 401" in run.err
        assert "Authorization: *****" in run.err
        basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        assert PASSWORD not in run.err.replace(WARNING, "") and basic not in run.err
        assert "Docker-Content-Digest: sha256:" in run.err
        if mode == "bearer":
            # The token server's answer is shown without the token.
            assert '"token": "*****"' in run.err or '"access_token": "*****"' in run.err
            assert "eyJ" not in run.err  # no JWT


def test_verbose_prints_one_line_per_request(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    ref = f"{open_registry.address}/oras/verbose:v1"
    pushed = _push(ocikit, open_registry, tmp_path, ref)
    run = ocikit("resolve", ref, "--plain-http", "-v")
    assert run.out == f"{pushed}\n"
    assert run.err == f"HEAD http://{open_registry.address}/v2/oras/verbose/manifests/v1 -> 200\n"


def test_password_on_the_command_line_is_warned_about(
    ocikit: Any, registries: dict[str, Registry], tmp_path: Path
) -> None:
    registry = registries["basic"]
    ref = f"{registry.address}/oras/warn:v1"
    _push(ocikit, registry, tmp_path, ref)
    run = ocikit("resolve", ref, "--plain-http", "-u", USER, "-p", PASSWORD, password_warning=True)
    assert run.err == WARNING
    quiet = ocikit(
        "resolve", ref, "--plain-http", "-u", USER, "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert quiet.err == "" and quiet.out == run.out


def test_identity_token(ocikit: Any, registries: dict[str, Registry], tmp_path: Path) -> None:
    registry = registries["bearer"]
    ref = f"{registry.address}/oras/identity:v1"
    (tmp_path / "a.txt").write_text("a\n")
    with chdir(tmp_path):
        pushed = ocikit(
            "push", ref, "a.txt", "--artifact-type", ARTIFACT_TYPE, "--plain-http",
            "--identity-token", REFRESH_TOKEN,
        )  # fmt: skip
    digest_line = pushed.out.splitlines()[-1]
    found = ocikit(
        "resolve", ref, "--plain-http", "--identity-token-stdin", stdin=REFRESH_TOKEN + "\n"
    )
    assert f"Digest: {found.out.strip()}" == digest_line
    refused = ocikit(
        "resolve", ref, "--plain-http", "--identity-token", "not-a-token", check=False
    )
    assert refused.status == 2 and refused.err.startswith("error[UNAUTHORIZED]")


def test_registry_config_is_the_credentials_file(
    ocikit: Any, registries: dict[str, Registry], tmp_path: Path, docker_config: Path
) -> None:
    registry = registries["basic"]
    ref = f"{registry.address}/oras/config:v1"
    _push(ocikit, registry, tmp_path, ref)
    config = tmp_path / "auth" / "creds.json"
    config.parent.mkdir()
    ocikit(
        "login", registry.address, "--plain-http", "-u", USER, "--password-stdin",
        "--registry-config", str(config), stdin=PASSWORD + "\n",
    )  # fmt: skip
    auths = json.loads(config.read_text())["auths"]
    assert list(auths) == [registry.address]
    assert not (docker_config / "config.json").exists()
    found = ocikit("resolve", ref, "--plain-http", "--registry-config", str(config))
    assert found.out.startswith("sha256:")
    without = ocikit("resolve", ref, "--plain-http", check=False)
    assert without.status == 2 and without.err.startswith("error[UNAUTHORIZED]")
    out = ocikit("logout", registry.address, "--registry-config", str(config))
    assert out.out == f"Removed login credentials for {registry.address}\n"
    assert json.loads(config.read_text()).get("auths", {}) == {}


# Commands and aliases -----------------------------------------------------------------------


def test_version(ocikit: Any) -> None:
    run = ocikit("version")
    lines = run.out.splitlines()
    assert lines[0] == f"Version:        {__version__}"
    assert lines[1].startswith("Python version: ") and lines[2].startswith("OS/Arch:        ")


def test_aliases_are_the_same_commands(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    ref = f"{open_registry.address}/oras/alias:v1"
    pushed = _push(ocikit, open_registry, tmp_path, ref)
    copied = ocikit("cp", ref, f"{open_registry.address}/oras/alias-copy:v1", "--plain-http")
    assert copied.out.splitlines()[-1] == f"Digest: {pushed}"
    got = ocikit("manifest", "get", f"{open_registry.address}/oras/alias-copy:v1", "--plain-http")
    assert digest(got.out.encode()) == pushed
    tags = ocikit("repo", "show-tags", f"{open_registry.address}/oras/alias", "--plain-http")
    assert tags.out == "v1\n"
    removed = ocikit(
        "manifest", "rm", f"{open_registry.address}/oras/alias-copy:v1", "--plain-http", "-f"
    )
    assert removed.out == f"Deleted [registry] {open_registry.address}/oras/alias-copy:v1\n"
    gone = ocikit(
        "resolve", f"{open_registry.address}/oras/alias-copy:v1", "--plain-http", check=False
    )
    assert gone.status == 2 and "MANIFEST_UNKNOWN" in gone.err


# Per-command flags ------------------------------------------------------------------------------


def test_manifest_fetch_flags_and_fetch_config(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    (tmp_path / "config.json").write_text('{"b":1,"a":[2]}')
    ref = f"{open_registry.address}/oras/fetch:v1"
    pushed = _push(ocikit, open_registry, tmp_path, ref, "--config", "config.json:application/vnd.example.c+json")
    exact = ocikit("manifest", "fetch", ref, "--plain-http").out
    assert digest(exact.encode()) == pushed
    pretty = ocikit("manifest", "fetch", ref, "--plain-http", "--pretty").out
    assert pretty == json.dumps(json.loads(exact), indent=2, ensure_ascii=False) + "\n"
    ok = ocikit(
        "manifest", "fetch", ref, "--plain-http", "--media-type",
        "application/vnd.oci.image.index.v1+json", "--media-type",
        "application/vnd.oci.image.manifest.v1+json",
    )  # fmt: skip
    assert ok.out == exact
    refused = ocikit(
        "manifest", "fetch", ref, "--plain-http", "--media-type",
        "application/vnd.oci.image.index.v1+json", check=False,
    )  # fmt: skip
    assert refused.status == 2
    assert refused.err == (
        f"error[MEDIA_TYPE_MISMATCH]: {ref} is a application/vnd.oci.image.manifest.v1+json, "
        "not application/vnd.oci.image.index.v1+json\n"
    )
    config = ocikit("manifest", "fetch-config", ref, "--plain-http")
    assert config.out == '{"b":1,"a":[2]}'
    pretty_config = ocikit("manifest", "fetch-config", ref, "--plain-http", "--pretty")
    assert json.loads(pretty_config.out) == {"b": 1, "a": [2]} and "\n  " in pretty_config.out
    described = json.loads(
        ocikit("manifest", "fetch-config", ref, "--plain-http", "--descriptor").out
    )
    assert described == {
        "mediaType": "application/vnd.example.c+json",
        "digest": digest(b'{"b":1,"a":[2]}'),
        "size": 15,
    }
    out = tmp_path / "config-out.json"
    ocikit("manifest", "fetch-config", ref, "--plain-http", "-o", str(out))
    assert out.read_bytes() == b'{"b":1,"a":[2]}'


def test_manifest_push_and_copy_to_several_tags(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    repo = f"{open_registry.address}/oras/tags"
    pushed = _push(ocikit, open_registry, tmp_path, f"{repo}:v1")
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(ocikit("manifest", "fetch", f"{repo}:v1", "--plain-http").out.encode())
    again = ocikit("manifest", "push", f"{repo}:t1,t2,t3", str(manifest), "--plain-http")
    assert again.out.splitlines() == [
        f"Pushed [registry] {repo}:t1", "Tagged t2", "Tagged t3", f"Digest: {pushed}"
    ]
    copied = ocikit("copy", f"{repo}:v1", f"{repo}-copy:c1,c2", "--plain-http")
    assert copied.out.splitlines() == [
        f"Copied [registry] {repo}:v1 => [registry] {repo}-copy:c1",
        "Tagged c2",
        f"Digest: {pushed}",
    ]
    for name, tags in ((repo, ["t1", "t2", "t3", "v1"]), (f"{repo}-copy", ["c1", "c2"])):
        assert sorted(ocikit("repo", "tags", name, "--plain-http").out.split()) == tags
        for tag in tags:
            assert ocikit("resolve", f"{name}:{tag}", "--plain-http").out.strip() == pushed
    full = ocikit("resolve", f"{repo}-copy:c2", "--plain-http", "-l")
    assert full.out == f"{repo}-copy@{pushed}\n"


def test_manifest_delete_descriptor(ocikit: Any, open_registry: Registry, tmp_path: Path) -> None:
    ref = f"{open_registry.address}/oras/delete:v1"
    pushed = _push(ocikit, open_registry, tmp_path, ref)
    size = len(ocikit("manifest", "fetch", ref, "--plain-http").out.encode())
    deleted = ocikit("manifest", "delete", ref, "--plain-http", "-f", "--descriptor")
    assert json.loads(deleted.out) == {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": pushed,
        "size": size,
    }
    gone = ocikit("resolve", ref, "--plain-http", check=False)
    assert gone.status == 2 and gone.err.startswith("error[MANIFEST_UNKNOWN]")


def test_blob_push_from_stdin_and_fetch_descriptor_and_stdout(
    ocikit: Any, open_registry: Registry
) -> None:
    repo = f"{open_registry.address}/oras/blobs"
    data = "blob from stdin\n"
    expected = digest(data.encode())
    pushed = ocikit(
        "blob", "push", repo, "-", "--size", str(len(data)), "--plain-http", stdin=data
    )
    assert pushed.out.splitlines() == [f"Pushed [registry] {repo}@{expected}", f"Digest: {expected}"]
    unsized = ocikit("blob", "push", repo, "-", "--plain-http", stdin=data, check=False)
    assert (unsized.status, unsized.err) == (
        2, "error: blob push - reads the blob from stdin: give its --size too\n"
    )
    wrong = ocikit("blob", "push", repo, "-", "--size", "3", "--plain-http", stdin=data, check=False)
    assert wrong.status == 2
    assert wrong.err == f"error[SIZE_MISMATCH]: - has {len(data)} bytes, not the 3 of --size\n"
    described = ocikit("blob", "fetch", f"{repo}@{expected}", "--plain-http", "--descriptor")
    assert json.loads(described.out) == {
        "mediaType": "application/octet-stream", "digest": expected, "size": len(data)
    }
    fetched = ocikit("blob", "fetch", f"{repo}@{expected}", "--plain-http", "-o", "-")
    assert fetched.out == data
    neither = ocikit("blob", "fetch", f"{repo}@{expected}", "--plain-http", check=False)
    assert neither.err == (
        "error: blob fetch needs -o/--output FILE (- for stdout) or --descriptor\n"
    )


def test_repo_tags_last_and_exclude_digest_tags(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    repo = f"{open_registry.address}/oras/listing"
    pushed = _push(ocikit, open_registry, tmp_path, f"{repo}:a,b,c,d")
    digest_tag = pushed.replace(":", "-")
    ocikit("tag", f"{repo}:a", digest_tag, f"{digest_tag}.sig", "--plain-http")
    # docker-registry lists tags in its storage's order, not sorted.
    every = sorted(ocikit("repo", "tags", repo, "--plain-http").out.split())
    assert every == sorted(["a", "b", "c", "d", digest_tag, f"{digest_tag}.sig"])
    after = ocikit("repo", "tags", repo, "--plain-http", "--last", "b").out.split()
    assert sorted(after) == ["c", "d", digest_tag, f"{digest_tag}.sig"]
    plain = ocikit("repo", "tags", repo, "--plain-http", "--exclude-digest-tags").out.split()
    assert sorted(plain) == ["a", "b", "c", "d"]


def test_pull_include_subject(ocikit: Any, open_registry: Registry, tmp_path: Path) -> None:
    ref = f"{open_registry.address}/oras/subject:v1"
    base = _push(ocikit, open_registry, tmp_path, ref)
    (tmp_path / "sig.txt").write_text("signature\n")
    with chdir(tmp_path):
        attached = ocikit(
            "attach", ref, "sig.txt", "--artifact-type", "application/vnd.example.sig.v1+json",
            "--plain-http",
        )  # fmt: skip
    referrer = attached.out.splitlines()[-1].removeprefix("Digest: ")
    only = tmp_path / "only"
    ocikit("pull", f"{open_registry.address}/oras/subject@{referrer}", "-o", str(only), "--plain-http")
    assert sorted(p.name for p in only.iterdir()) == ["sig.txt"]
    both = tmp_path / "both"
    run = ocikit(
        "pull", f"{open_registry.address}/oras/subject@{referrer}", "-o", str(both),
        "--plain-http", "--include-subject",
    )  # fmt: skip
    assert sorted(p.name for p in both.iterdir()) == ["a.txt", "sig.txt"]
    assert run.out.splitlines() == [
        "Pulled sig.txt",
        f"Pulled subject {base}",
        "Pulled a.txt",
        f"Pulled [registry] {open_registry.address}/oras/subject@{referrer}",
        f"Digest: {referrer}",
    ]


# Messages --------------------------------------------------------------------------------------


def test_messages_say_what_to_do(ocikit: Any, registries: dict[str, Registry]) -> None:
    registry = registries["basic"]
    ref = f"{registry.address}/oras/messages:v1"
    tls = ocikit("resolve", ref, check=False)
    assert tls.status == 1
    assert tls.err == (
        f"error[TLS_ERROR]: {registry.address} answered in plain HTTP, not HTTPS "
        f"(HEAD https://{registry.address}/v2/oras/messages/manifests/v1)\n"
        "hint: a registry without TLS (on this machine, a test registry) needs --plain-http\n"
    )
    denied = ocikit("resolve", ref, "--plain-http", check=False)
    assert denied.status == 2
    assert denied.err.endswith(
        f"hint: the registry wants credentials: log in with `ocikit login {registry.address}`, "
        "or pass -u USER --password-stdin (or --identity-token)\n"
    )
    assert denied.err.startswith("error[UNAUTHORIZED]: ")
    refused = ocikit("resolve", "127.0.0.1:9/oras/x:v1", "--plain-http", check=False)
    assert (refused.status, refused.err) == (
        1,
        "error[NETWORK_ERROR]: network error with 127.0.0.1:9: HEAD "
        "http://127.0.0.1:9/v2/oras/x/manifests/v1 failed: Connection refused\n",
    )


def test_distribution_spec_chooses_how_referrers_are_kept(
    ocikit: Any,
    referrers_registry: Any,
    open_registry: Registry,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    """On a registry with the referrers API, attach uses the API unless told the tag schema
    (then it also keeps the sha256-<digest> tag); discover reads whichever it is told. (Told
    v1.1-referrers-api on a registry without it, discover still falls back to the tag on the
    API's 404, as the engine always does.)"""
    # A proxy of this test's own: the shared one's log is read by test_referrers_api.py.
    proxy = FaultProxy(referrers_registry.proxy.upstream, oci_subject=True)
    request.addfinalizer(proxy.close)
    ref = f"{proxy.address}/oras/spec:v1"
    subject = _push(ocikit, open_registry, tmp_path, ref)
    (tmp_path / "sig.txt").write_text("sig\n")
    (tmp_path / "sig.json").write_text("{}")
    sig_type = "application/vnd.example.signature.config.v1+json"

    def attach(*flags: str) -> str:
        (tmp_path / "sig.txt").write_text(f"sig {flags}\n")  # a manifest of its own each time
        with chdir(tmp_path):
            out = ocikit(
                "attach", ref, "sig.txt", "--artifact-type", sig_type,
                "--config", f"sig.json:{sig_type}", "--plain-http", "--format", "json", *flags,
            ).out  # fmt: skip
        return str(json.loads(out)["digest"])

    def discovered(*flags: str) -> list[str]:
        out = ocikit("discover", ref, "--plain-http", "--format", "json", *flags).out
        return [r["digest"] for r in json.loads(out)["referrers"]]

    tag_path = f"/v2/oras/spec/manifests/{subject.replace(':', '-')}"
    by_api = attach()
    assert not [e for e in proxy.log if e.path == tag_path and e.method == "PUT"]
    by_tag = attach("--distribution-spec", "v1.1-referrers-tag")
    assert [e.method for e in proxy.log if e.path == tag_path][-1] == "PUT"
    assert discovered("--distribution-spec", "v1.1-referrers-tag") == [by_tag]
    assert sorted(discovered("--distribution-spec", "v1.1-referrers-api")) == sorted(
        [by_api, by_tag]
    )

    # docker-registry 2.8 has no referrers API: attach keeps the tag schema.
    plain = f"{open_registry.address}/oras/spec:v1"
    _push(ocikit, open_registry, tmp_path, plain)
    with chdir(tmp_path):
        ocikit("attach", plain, "sig.txt", "--artifact-type", sig_type, "--plain-http")
    tagged = ocikit("discover", plain, "--plain-http", "--format", "json",
                    "--distribution-spec", "v1.1-referrers-tag").out  # fmt: skip
    assert len(json.loads(tagged)["referrers"]) == 1


def test_progress_line_counts_every_blob_from_the_start(
    open_registry: Registry, tmp_path: Path
) -> None:
    from test_progress import _ocikit as on_a_terminal

    (tmp_path / "big.bin").write_bytes(os.urandom(3 << 20))
    ref = f"{open_registry.address}/oras/progress:v1"
    status, _, err = on_a_terminal(
        ["push", ref, "big.bin", "--artifact-type", ARTIFACT_TYPE, "--plain-http",
         "--chunk-size", str(1 << 20)], tmp_path, tty=True,
    )  # fmt: skip
    assert status == 0, err
    counts = [frame.split(" blobs")[0] for frame in err.split("\r") if frame.strip()]
    # The layer and the config, counted from the first drawing (was: 0/1, then 2/2).
    assert counts[0] == "Uploading 0/2" and counts[-1] == "Uploading 2/2"
    assert all(count.endswith("/2") for count in counts)


def test_blob_delete(ocikit: Any, registry: Registry) -> None:
    repo = f"{registry.address}/oras/blob-delete"
    data = f"delete me ({registry.mode})\n"
    expected = digest(data.encode())
    ocikit(
        "blob", "push", repo, "-", "--size", str(len(data)), "--plain-http", *registry.auth,
        stdin=data,
    )  # fmt: skip
    target = f"{repo}@{expected}"
    refused = ocikit("blob", "delete", target, "--plain-http", *registry.auth, check=False)
    assert (refused.status, refused.err) == (
        2,
        "error[OPTIONS_INVALID]: blob delete asks for confirmation and stdin is not a "
        "terminal: pass -f/--force to delete without it\n",
    )
    deleted = ocikit(
        "blob", "rm", target, "--plain-http", "-f", "--descriptor", *registry.auth
    )
    assert json.loads(deleted.out) == {
        "mediaType": "application/octet-stream", "digest": expected, "size": len(data)
    }
    gone = ocikit("blob", "fetch", target, "--plain-http", "--descriptor", *registry.auth,
                  check=False)  # fmt: skip
    assert gone.status == 2 and gone.err.startswith("error[BLOB_UNKNOWN]")
    again = ocikit("blob", "delete", target, "--plain-http", "-f", *registry.auth, check=False)
    assert again.status == 2 and again.err.startswith("error[BLOB_UNKNOWN]")


def test_repo_ls(ocikit: Any, registry: Registry, tmp_path: Path) -> None:
    for name in ("catalog/one", "catalog/two", "catalog/deep/three"):
        _push(ocikit, registry, tmp_path, f"{registry.address}/{name}:v1")
    listed = ocikit("repo", "ls", registry.address, "--plain-http", *registry.auth).out.split()
    assert {"catalog/one", "catalog/two", "catalog/deep/three"} <= set(listed)
    under = ocikit("repo", "list", f"{registry.address}/catalog", "--plain-http", *registry.auth)
    assert sorted(under.out.split()) == ["deep/three", "one", "two"]
    after = ocikit(
        "repo", "ls", f"{registry.address}/catalog", "--last", "one", "--plain-http",
        *registry.auth,
    )  # fmt: skip
    assert after.out.split() == ["two"]


def test_disable_path_validation(ocikit: Any, open_registry: Registry, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("outside\n")
    work = tmp_path / "work"
    work.mkdir()
    ref = f"{open_registry.address}/oras/paths:v1"
    with chdir(work):
        refused = ocikit(
            "push", ref, str(outside), "../outside.txt", "--plain-http", check=False
        )
        assert refused.status == 2
        assert refused.err == (
            'error[ANNOTATION_INVALID]: invalid annotation "org.opencontainers.image.title": '
            f'"{outside}" is an absolute path; file titles must be relative\n'
        )
        pushed = ocikit(
            "push", ref, str(outside), "../outside.txt:text/plain", "--plain-http",
            "--disable-path-validation",
        )  # fmt: skip
        digest_line = pushed.out.splitlines()[-1]
        ocikit(
            "attach", ref, "/dev/null", "--artifact-type", "application/vnd.example.sig.v1+json",
            "--plain-http", "--disable-path-validation",
        )  # fmt: skip
    manifest = json.loads(ocikit("manifest", "fetch", ref, "--plain-http").out)
    titles = [layer["annotations"]["org.opencontainers.image.title"] for layer in manifest["layers"]]
    assert titles == [str(outside), "../outside.txt"]
    assert digest_line == f"Digest: {ocikit('resolve', ref, '--plain-http').out.strip()}"
    # Such titles are what a pull refuses to write.
    pull = ocikit("pull", ref, "-o", str(tmp_path / "out"), "--plain-http", check=False)
    assert pull.status == 2 and pull.err.startswith("error[ANNOTATION_INVALID]")
    referrers = json.loads(
        ocikit("discover", ref, "--plain-http", "--format", "json").out
    )["referrers"]
    assert len(referrers) == 1


def test_login_asks_on_a_terminal(registries: dict[str, Registry], tmp_path: Path) -> None:
    """Without -u/-p, on a terminal, login asks for both (the password not echoed), as ORAS
    does; without a terminal it says what it needs."""
    import pty
    import subprocess
    import sys

    registry = registries["basic"]
    env = {**os.environ, "DOCKER_CONFIG": str(tmp_path)}
    command = [sys.executable, "-m", "ocikit.cli", "login", registry.address, "--plain-http"]
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        command, stdin=terminal, stdout=terminal, stderr=terminal, env=env,
        preexec_fn=lambda: os.login_tty(terminal),  # the terminal getpass reads
    )  # fmt: skip
    os.close(terminal)
    seen = bytearray()

    def until(text: bytes) -> None:
        while text not in seen:
            piece = os.read(controller, 4096)
            assert piece, seen
            seen.extend(piece)

    try:
        until(b"Username: ")
        os.write(controller, f"{USER}\n".encode())
        until(b"Password: ")
        os.write(controller, f"{PASSWORD}\n".encode())
        until(b"Login Succeeded")
        assert process.wait(timeout=30) == 0
    finally:
        os.close(controller)
        if process.poll() is None:
            process.kill()
    assert PASSWORD.encode() not in seen  # not echoed
    assert list(json.loads((tmp_path / "config.json").read_text())["auths"]) == [registry.address]
    piped = subprocess.run(command, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL)
    assert (piped.returncode, piped.stderr) == (
        2,
        "error: login needs -u/--username and -p/--password or --password-stdin (or a "
        "terminal to ask for them)\n",
    )


def test_async_client_delete_blob_and_iter_repositories(registry: Registry) -> None:
    import asyncio

    from ocikit import AsyncClient, Descriptor

    data = f"async blob ({registry.mode})\n".encode()
    blob = Descriptor(media_type="application/octet-stream", digest=digest(data), size=len(data))
    repo = f"{registry.address}/oras/async-api"

    async def run() -> tuple[list[str], int | None]:
        async with AsyncClient(
            registry.address, plain_http=True, credentials=registry.credentials
        ) as client:
            await client.push_blob(repo, blob, data)
            names = [name async for name in client.iter_repositories()]
            await client.delete_blob(repo, blob.digest)
            return names, await client.blob_size(repo, blob.digest)

    names, size = asyncio.run(run())
    assert "oras/async-api" in names and size is None
