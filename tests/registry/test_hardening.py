"""Issue 9 against a real registry (CNCF distribution): pulls that refuse ``.git`` paths and
keep existing files (``-k``), ``repo tags`` and ``Client.iter_tags`` paging through a
repository with the registry's own ``Link`` headers, listing limits, and the CLI's timeout
flags reaching the client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import ocikit
from conftest import Registry
from ocikit import Client, File, Limits, LimitExceededError, PolicyError

ARTIFACT_TYPE = "application/vnd.example.hardening.v1"


def _push(registry: Registry, ref: str, files: list[File]) -> None:
    packed = ocikit.pack(files, artifact_type=ARTIFACT_TYPE)
    with Client(registry.address, plain_http=True, credentials=registry.credentials) as client:
        client.push(ref, packed)


def test_pull_refuses_git_paths_unless_allowed(
    ocikit: Any, registry: Registry, tmp_path: Path
) -> None:
    ref = f"{registry.address}/hardening/git:v1"
    _push(registry, ref, [File("readme.md", b"hi\n"), File(".git/config", b"[core]\n")])
    out = tmp_path / "out"
    run = ocikit("pull", ref, "-o", str(out), "--plain-http", *registry.auth, check=False)
    assert run.status == 2
    assert run.err.startswith("error[PATH_UNSAFE]: ") and ".git/config" in run.err
    assert not out.exists() or list(out.rglob("*")) == []
    ocikit("pull", ref, "-o", str(out), "--plain-http", "--allow-git-paths", *registry.auth)
    assert (out / ".git" / "config").read_bytes() == b"[core]\n"


def test_pull_keep_old_files(ocikit: Any, registry: Registry, tmp_path: Path) -> None:
    ref = f"{registry.address}/hardening/keep:v1"
    _push(registry, ref, [File("a.txt", b"new a"), File("b.txt", b"new b")])
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.txt").write_bytes(b"mine")
    run = ocikit("pull", ref, "-o", str(out), "-k", "--plain-http", *registry.auth, check=False)
    assert run.err.startswith("error[PATH_UNSAFE]: ") and "a.txt" in run.err
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
    assert (out / "a.txt").read_bytes() == b"mine"
    with Client(registry.address, plain_http=True, credentials=registry.credentials) as client:
        try:
            client.pull(ref, out, keep_old_files=True)
        except PolicyError as error:
            assert error.code == "PATH_UNSAFE"
        else:
            raise AssertionError("keep_old_files replaced a file")
        client.pull(ref, out)
    assert (out / "a.txt").read_bytes() == b"new a"


def test_tags_page_by_page(ocikit: Any, registry: Registry) -> None:
    repository = f"{registry.address}/hardening/tags"
    packed = ocikit_pack()
    tags = [f"t{i:02}" for i in range(7)]
    with Client(registry.address, plain_http=True, credentials=registry.credentials) as client:
        client.push(f"{repository}:{tags[0]}", packed)
        for tag in tags[1:]:
            client.tag(f"{repository}:{tags[0]}", tag)
        pages = client.iter_tags(repository, page_size=3)
        first = [next(pages) for _ in range(3)]
        # distribution 2.8 pages in its storage's order, not sorted: compare the whole.
        assert sorted(first + list(pages)) == tags
        assert sorted(client.list_tags(repository)) == tags
    limited = Client(
        registry.address,
        plain_http=True,
        credentials=registry.credentials,
        limits=Limits(list_entries_max=5),
    )
    with limited:
        try:
            list(limited.iter_tags(repository, page_size=3))
        except LimitExceededError as error:
            assert error.code == "LIMIT_EXCEEDED" and error.details["max"] == 5
        else:
            raise AssertionError("the listing limit did not hold")
    run = ocikit("repo", "tags", repository, "--plain-http", *registry.auth)
    assert sorted(run.out.split()) == tags


def test_timeout_flags_reach_the_client(ocikit: Any, registry: Registry) -> None:
    ref = f"{registry.address}/hardening/flags:v1"
    _push(registry, ref, [File("a.txt", b"a")])
    run = ocikit(
        "resolve", ref, "--plain-http", "--timeout", "30", "--stall-timeout", "5", *registry.auth
    )
    assert run.out.startswith("sha256:")
    with pytest.raises(SystemExit) as usage:  # argparse: a usage error, status 2
        ocikit("resolve", ref, "--plain-http", "--timeout", "-1", *registry.auth, check=False)
    assert usage.value.code == 2


def ocikit_pack() -> Any:
    return ocikit.pack([File("a.txt", b"tagged")], artifact_type=ARTIFACT_TYPE)


def test_copy_from_a_hostile_layout_sends_nothing_wrong(registry: Registry, tmp_path: Path) -> None:
    import time

    from ocikit import DigestMismatchError, OciLayout, digest

    layout = OciLayout(tmp_path / "layout")
    layout.write(ocikit.pack([File("a.txt", b"hello!")], artifact_type=ARTIFACT_TYPE), "v1")
    blob = layout.path / "blobs" / "sha256" / digest(b"hello!").split(":")[1]
    target = f"{registry.address}/hardening/from-layout:v1"
    with Client(registry.address, plain_http=True, credentials=registry.credentials) as client:
        with open(blob, "r+b") as file:
            file.truncate(2 << 30)  # a 6-byte layer that is a 2 GiB (sparse) file
        started = time.monotonic()
        with pytest.raises(DigestMismatchError) as raised:
            ocikit.copy(layout, "v1", client, target)
        assert raised.value.code == "SIZE_MISMATCH" and time.monotonic() - started < 5
        blob.unlink()
        blob.symlink_to("/dev/zero")  # a link leading out of the layout
        with pytest.raises(PolicyError) as refused:
            ocikit.copy(layout, "v1", client, target)
        assert refused.value.code == "PATH_UNSAFE"
        assert client.blob_size(target, digest(b"hello!")) is None  # nothing was sent
