"""Issue 10 on the Python side, against docker-registry (distribution 2.8.2, no referrers API)
in every auth mode: the Client as a host of the core's whole operations. References relative
to the client's registry, duplicate titles refused before any request, dry runs that send
nothing (push: no connection at all), the referrers tag kept for an index subject and cleaned
when a referrer is deleted, a pull that writes nothing when a blob fails, threads bounded by
``concurrency``, errors that name what they concern, and ``manifest delete`` asking first."""

from __future__ import annotations

import io
import socket
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import ocikit
from conftest import Registry, chdir
from ocikit import Client, File, OciError, StdlibTransport

TYPE = "application/vnd.example.engine-host.v1"


def _client(registry: Registry, **options: Any) -> Client:
    return Client(registry.address, plain_http=True, credentials=registry.credentials, **options)


def _refused_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, never listening)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_references_relative_to_the_client_registry(registry: Registry) -> None:
    packed = ocikit.pack([File("a.txt", b"relative\n")], artifact_type=TYPE)
    with _client(registry) as client:
        pushed = client.push("py/app:v1", packed).descriptor  # before: "py" was taken for the host
        assert client.resolve("py/app:v1").digest == pushed.digest
        assert client.resolve(f"{registry.address}/py/app:v1").digest == pushed.digest
        assert client.list_tags("py/app") == ["v1"]
        assert client.fetch_manifest("py/app@" + pushed.digest).digest == pushed.digest


def test_push_refuses_duplicate_titles_before_any_request(
    ocikit_cli: Any, tmp_path: Path
) -> None:
    packed = ocikit.pack([File("a.txt", b"1"), File("a.txt", b"2")], artifact_type=TYPE)
    # Nothing listens there: the refusal comes before any connection (before: NETWORK_ERROR
    # after uploading, or success and a pull that fails).
    address = f"127.0.0.1:{_refused_port()}"
    with Client(address, plain_http=True) as client:
        with pytest.raises(OciError) as refused:
            client.push("dup/app:v1", packed)
    assert refused.value.code == "ANNOTATION_INVALID"
    (tmp_path / "a.txt").write_bytes(b"a\n")
    with chdir(tmp_path):
        run = ocikit_cli(
            "push", f"{address}/dup/app:v1", "a.txt", "a.txt", "--artifact-type", TYPE,
            "--plain-http", check=False,
        )  # fmt: skip
    assert run.status == 2 and run.err.startswith("error[ANNOTATION_INVALID]: "), run.err
    assert "duplicate title" in run.err


@pytest.fixture
def ocikit_cli(ocikit: Any) -> Any:
    return ocikit


def test_dry_run_push_opens_no_connection(ocikit: Any, tmp_path: Path) -> None:
    address = f"127.0.0.1:{_refused_port()}"
    packed = ocikit_module_pack([File("a.txt", b"a\n"), File("b.txt", b"b\n")])
    with Client(address, plain_http=True) as client:
        plan = client.push("dry/app:v1", packed, dry_run=True)
    assert plan.descriptor.digest == packed.digest
    assert plan.tags == ("v1",)
    assert {b.descriptor.digest for b in plan.blobs} == {b.descriptor.digest for b in packed.blobs}
    assert {b.status for b in plan.blobs} == {"planned"}
    methods = [(r.method, r.url.split("/v2/")[1].split("/")[2]) for r in plan.planned]
    assert ("PUT", "manifests") in methods and ("HEAD", "blobs") in methods

    (tmp_path / "a.txt").write_bytes(b"a\n")
    with chdir(tmp_path):
        run = ocikit(
            "push", f"{address}/dry/app:v1", "a.txt", "--artifact-type", TYPE,
            "--plain-http", "--dry-run",
        )  # fmt: skip
    lines = run.out.splitlines()
    assert lines[0] == "Dry run: nothing was sent."
    assert any(line.startswith("Manifest sha256:") and "tags: v1" in line for line in lines)
    assert any(line.startswith("Blob sha256:") and "(planned)" in line for line in lines)
    assert any(line.strip().startswith(f"PUT http://{address}/v2/dry/app/manifests/v1") for line in lines)


def ocikit_module_pack(files: list[File], subject: Any = None) -> ocikit.Packed:
    return ocikit.pack(files, artifact_type=TYPE, subject=subject)


def test_dry_run_attach_and_copy_read_only(ocikit: Any, registry: Registry, tmp_path: Path) -> None:
    subject_ref = f"{registry.address}/dry/subject:v1"
    with _client(registry) as client:
        pack_s = ocikit_module_pack([File("s.txt", b"subject\n")])
        subject = client.push(subject_ref, pack_s).descriptor
        signature = ocikit_module_pack([File("sig.txt", b"sig\n")], subject=subject)
        plan = client.attach(subject_ref, signature, dry_run=True)
        assert plan.descriptor.digest == signature.digest and plan.tags == ()
        assert client.referrers(subject_ref) == []  # nothing was attached

        copy_plan = client.copy(subject_ref, "dry/copied:v1", dry_run=True)
        assert copy_plan.descriptor.digest == subject.digest
        assert [d.digest for d in copy_plan.manifests] == [subject.digest]
        assert copy_plan.planned  # the requests it would make at the destination
        with pytest.raises(OciError):
            client.resolve("dry/copied:v1")  # nothing was written
    (tmp_path / "sig.txt").write_bytes(b"sig\n")
    with chdir(tmp_path):
        attach = ocikit(
            "attach", subject_ref, "sig.txt", "--artifact-type", TYPE, "--dry-run",
            "--plain-http", *registry.auth,
        )  # fmt: skip
    assert attach.out.startswith("Dry run: nothing was sent.\n")
    assert "/v2/dry/subject/manifests/sha256:" in attach.out
    with _client(registry) as client:
        assert client.referrers(subject_ref) == []
    run = ocikit(
        "copy", subject_ref, f"{registry.address}/dry/copied:v1", "--dry-run", "--plain-http",
        *registry.auth,
    )  # fmt: skip
    assert run.out.startswith("Dry run: nothing was sent.\n")
    assert f"Manifest {subject.digest}" in run.out
    with _client(registry) as client, pytest.raises(OciError):
        client.resolve("dry/copied:v1")


def test_push_manifest_of_an_index_with_a_subject_keeps_the_referrers_tag(
    registry: Registry,
) -> None:
    with _client(registry) as client:
        subject = client.push("idx/app:v1", ocikit_module_pack([File("a.txt", b"a\n")])).descriptor
        pack_m = ocikit_module_pack([File("m.txt", b"m\n")])
        member = client.push("idx/app:member", pack_m).descriptor
        index = ocikit.pack_index([member], artifact_type=TYPE, subject=subject)
        pushed = client.push_manifest("idx/app:index", index)
        assert [d.digest for d in client.referrers("idx/app:v1")] == [pushed.digest]


def test_push_manifest_uploads_a_document_pull_refuses_with_the_referrers_tag(
    registry: Registry,
) -> None:
    with _client(registry) as client:
        subject = client.push("dupm/app:v1", ocikit_module_pack([File("a.txt", b"a\n")]))
        # Two layers with one title: push and pull refuse it, push_manifest uploads it as it
        # is (as `oras manifest push`). Before, the client fell back to a plain PUT and the
        # subject's referrers tag was not kept: referrers() listed nothing.
        dup = ocikit_module_pack(
            [File("a.txt", b"1\n"), File("a.txt", b"2\n")], subject=subject.descriptor
        )
        with pytest.raises(OciError) as refused:
            client.push("dupm/app:dup", dup)
        assert refused.value.code == "ANNOTATION_INVALID"
        for blob in dup.blobs:
            client.push_blob("dupm/app", blob.descriptor, blob.data)
        pushed = client.push_manifest(f"dupm/app@{dup.digest}", dup.manifest)
        assert pushed.digest == dup.digest
        assert [d.digest for d in client.referrers("dupm/app:v1")] == [dup.digest]


def test_deleting_a_referrer_removes_it_from_the_referrers_index(registry: Registry) -> None:
    with _client(registry) as client:
        subject = client.push("del/app:v1", ocikit_module_pack([File("a.txt", b"a\n")])).descriptor
        signature = ocikit_module_pack([File("sig.txt", b"signed\n")], subject=subject)
        attached = client.attach("del/app:v1", signature).descriptor
        assert [r.descriptor.digest for r in client.discover("del/app:v1")] == [attached.digest]
        outcome = client.delete_manifest(f"del/app@{attached.digest}")
        assert outcome.referrers_tag is not None
        # Before: the tag index kept listing a manifest that was gone.
        assert client.discover("del/app:v1") == []


def test_pull_writes_nothing_when_a_blob_fails(registry: Registry, tmp_path: Path) -> None:
    if registry.mode != "open":
        pytest.skip("the blob is removed with a plain DELETE")
    packed = ocikit_module_pack([File("a.txt", b"first\n"), File("b.txt", b"second\n")])
    with _client(registry, concurrency=1) as client:
        client.push("half/app:v1", packed)
    gone = packed.manifest.layers[1].digest
    request = urllib.request.Request(
        f"http://{registry.address}/v2/half/app/blobs/{gone}", method="DELETE"
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 202
    out = tmp_path / "out"
    with _client(registry, concurrency=1) as client, pytest.raises(OciError):
        client.pull("half/app:v1", out)
    # Before: a.txt was in place before b.txt failed.
    assert list(out.iterdir()) == []


class _Counting:
    """A transport that counts the requests in flight at once."""

    def __init__(self) -> None:
        self._inner = StdlibTransport()
        self._lock = threading.Lock()
        self.now = self.most = 0

    def send(self, request: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            return self._inner.send(request, **kwargs)
        finally:
            with self._lock:
                self.now -= 1

    def close(self) -> None:
        self._inner.close()


def test_requests_in_flight_never_exceed_concurrency(registry: Registry, tmp_path: Path) -> None:
    files = [File(f"f{i}.txt", f"file {i}\n".encode()) for i in range(8)]
    transport = _Counting()
    with _client(registry, concurrency=3, transport=transport) as client:
        client.push("many/app:v1", ocikit_module_pack(files))
        client.pull("many/app:v1", tmp_path / "out")
    assert 1 < transport.most <= 3
    assert len(list((tmp_path / "out").iterdir())) == 8


def test_errors_name_the_reference(ocikit: Any, registry: Registry) -> None:
    with _client(registry) as client:
        client.push("named/app:v1", ocikit_module_pack([File("a.txt", b"a\n")]))
    base = f"{registry.address}/named/app"
    for argv in (
        ["tag", f"{base}:nope", "v2"],
        ["discover", f"{base}:nope"],
        ["copy", f"{base}:nope", f"{base}-copy:v1"],
    ):
        run = ocikit(*argv, "--plain-http", *registry.auth, check=False)
        assert run.status == 2, run.err
        assert run.err.startswith("error[MANIFEST_UNKNOWN]: "), run.err
        assert "/v2/named/app/manifests/nope" in run.err, run.err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_manifest_delete_asks_on_a_terminal(
    ocikit: Any, registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _client(registry) as client:
        pushed = client.push("ask/app:v1", ocikit_module_pack([File("a.txt", b"a\n")])).descriptor
        client.tag("ask/app:v1", "latest")
        client.tag("ask/app:v1", "stable")
    ref = f"{registry.address}/ask/app:v1"
    remote = ["--plain-http", *registry.auth]

    # Not a terminal, no -f: refused, nothing deleted (before: deleted under every tag).
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    run = ocikit("manifest", "delete", ref, *remote, check=False)
    assert run.status == 2 and run.err.startswith("error[OPTIONS_INVALID]: "), run.err
    assert "-f/--force" in run.err

    # A terminal answering no: the other tags are named, nothing deleted.
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    run = ocikit("manifest", "delete", ref, *remote, check=False)
    assert run.status == 2
    assert "latest, stable" in run.err and "Are you sure" in run.err
    with _client(registry) as client:
        assert client.resolve("ask/app:latest").digest == pushed.digest

    # Yes: deleted.
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    ocikit("manifest", "delete", ref, *remote)
    with _client(registry) as client, pytest.raises(OciError):
        client.resolve("ask/app:stable")


def test_manifest_delete_with_force_does_not_ask(ocikit: Any, registry: Registry) -> None:
    with _client(registry) as client:
        client.push("force/app:v1", ocikit_module_pack([File("a.txt", b"a\n")]))
    ocikit("manifest", "delete", f"{registry.address}/force/app:v1", "-f", "--plain-http",
           *registry.auth)  # fmt: skip
    with _client(registry) as client, pytest.raises(OciError):
        client.resolve("force/app:v1")


def test_a_401_says_whether_credentials_were_sent(registry: Registry, tmp_path: Path) -> None:
    if registry.mode == "open":
        pytest.skip("an open registry answers no 401")
    with _client(registry) as client:
        client.push("auth/app:v1", ocikit_module_pack([File("a.txt", b"a\n")]))
    # With Bearer, the token server refuses the bad credentials (they were sent, to the token
    # realm: before, the 401 said "no credentials were sent"), and an anonymous token granting
    # nothing is no credentials (before: "credentials were sent").
    cases = [(("bad", "worse"), "credentials were sent"), (None, "no credentials were sent")]
    for credentials, said in cases:
        with Client(registry.address, plain_http=True, credentials=credentials) as client:
            for call in (
                lambda: client.resolve("auth/app:v1"),
                lambda: client.discover("auth/app:v1"),
                lambda: client.pull("auth/app:v1", tmp_path / "out"),
            ):
                with pytest.raises(ocikit.AuthenticationError) as refused:
                    call()
                message = str(refused.value)
                assert said in message and "/v2/auth/app/manifests/v1" in message, message
                if credentials:
                    assert "no credentials" not in message
