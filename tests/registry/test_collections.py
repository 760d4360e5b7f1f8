"""Collections and backups against docker-registry (issue 11, items 6 and 7), read back with the
ORAS CLI: ``ocikit manifest index create|update`` (ORAS 1.3's), ``pull`` of an index writing
each child's files in a folder of its own, ``ocikit backup`` / ``ocikit restore`` through a
layout directory and a layout tar, and the Python API for the same, with the refusals' codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from collections.abc import Callable
from typing import Any

import pytest

import ocikit as oci
from conftest import Registry, tool
from ocikit._ocikit import Request, Response, _restored

DOCS = "application/vnd.example.docs.v1"
BUNDLE = "application/vnd.cnab.manifest.v1"
SBOM = "application/vnd.example.sbom.v1"
IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json"


@pytest.fixture
def open_registry(registries: dict[str, Registry]) -> Registry:
    return registries["open"]


def _oras(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [tool("oras"), *args, "--plain-http"], capture_output=True, text=True, cwd=cwd
    )
    assert result.returncode == 0, f"oras {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _fetch(ref: str) -> dict[str, Any]:
    return json.loads(_oras("manifest", "fetch", ref))  # type: ignore[no-any-return]


def _artifact(client: oci.Client, ref: str, name: str, text: str) -> oci.Descriptor:
    packed = oci.pack([oci.File(name, text.encode())], artifact_type=DOCS)
    return client.push(ref, packed).descriptor


def _image(client: oci.Client, ref: str) -> oci.Descriptor:
    """An image manifest whose config says linux/arm64/v8."""
    config = json.dumps(
        {"architecture": "arm64", "os": "linux", "variant": "v8", "rootfs": {"type": "layers"}}
    ).encode()
    packed = oci.pack(
        [oci.File("layer.tar", b"not really a tar")],
        config=oci.Config(IMAGE_CONFIG, config),
    )
    return client.push(ref, packed).descriptor


def test_index_create_and_update_read_back_with_oras(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    repo = f"{open_registry.address}/collections/cli"
    with ocikit_client(open_registry) as client:
        docs = _artifact(client, f"{repo}:docs", "readme.md", "# docs\n")
        notes = _artifact(client, f"{repo}:notes", "notes.md", "# notes\n")
        image = _image(client, f"{repo}:arm64")
    run = ocikit(
        "manifest", "index", "create", f"{repo}:v1,stable", "docs", notes.digest, "arm64",
        "--artifact-type", BUNDLE, "--annotation", "org.example.bundle=demo", "--plain-http",
    )  # fmt: skip
    digest = run.out.strip().splitlines()[-1].removeprefix("Digest: ")
    assert "Tagged stable" in run.out
    index = _fetch(f"{repo}:v1")
    assert index["mediaType"] == "application/vnd.oci.image.index.v1+json"
    assert index["artifactType"] == BUNDLE
    assert index["annotations"] == {"org.example.bundle": "demo"}
    entries = index["manifests"]
    assert [e["digest"] for e in entries] == [docs.digest, notes.digest, image.digest]
    assert [e.get("artifactType") for e in entries] == [DOCS, DOCS, None]
    assert "platform" not in entries[0]
    assert entries[2]["platform"] == {"architecture": "arm64", "os": "linux", "variant": "v8"}
    assert _oras("resolve", f"{repo}:stable").strip() == digest
    # ORAS reads the children through the index: a child pulled by its digest.
    out = tmp_path / "oras-out"
    _oras("pull", f"{repo}@{entries[1]['digest']}", "-o", str(out))
    assert (out / "notes.md").read_text() == "# notes\n"

    # Update: one removed by digest, one added by tag, the order kept; the tag moves.
    ocikit(
        "manifest", "index", "update", f"{repo}:v1", "--remove", docs.digest, "--add", "docs",
        "--annotation", "org.example.more=1", "--tag", "v2", "--plain-http",
    )  # fmt: skip
    updated = _fetch(f"{repo}:v1")
    assert [e["digest"] for e in updated["manifests"]] == [notes.digest, image.digest, docs.digest]
    assert updated["artifactType"] == BUNDLE
    assert updated["annotations"] == {"org.example.bundle": "demo", "org.example.more": "1"}
    assert _fetch(f"{repo}:v2") == updated
    assert _fetch(f"{repo}:stable") == index  # the other tag keeps the old index
    # The artifact type can be removed; --output writes the index without pushing it.
    written = tmp_path / "index.json"
    ocikit(
        "manifest", "index", "update", f"{repo}:v1", "--artifact-type", "", "-o", str(written),
        "--plain-http",
    )  # fmt: skip
    assert "artifactType" not in json.loads(written.read_bytes())
    assert _fetch(f"{repo}:v1") == updated
    # --merge appends another index's entries as they are (ORAS's).
    ocikit("manifest", "index", "create", f"{repo}:extra", "docs", "--plain-http")
    ocikit("manifest", "index", "update", f"{repo}:v2", "--merge", "extra", "--plain-http")
    merged = _fetch(f"{repo}:v2")["manifests"]
    assert [e["digest"] for e in merged] == [notes.digest, image.digest, docs.digest, docs.digest]
    run = ocikit(
        "manifest", "index", "update", f"{repo}:v2", "--merge", "docs", "--plain-http",
        check=False,
    )  # fmt: skip
    assert run.status == 2 and "error[MEDIA_TYPE_MISMATCH]" in run.err, run.err


def test_index_refusals_have_stable_codes(ocikit: Any, open_registry: Registry) -> None:
    repo = f"{open_registry.address}/collections/refused"
    with ocikit_client(open_registry) as client:
        docs = _artifact(client, f"{repo}:docs", "readme.md", "# docs\n")
        other = _artifact(client, f"{repo}:other", "other.md", "# other\n")
    ocikit("manifest", "index", "create", f"{repo}:v1", "docs", "--plain-http")
    cases = [
        # A source the repository lacks: nothing is pushed.
        (("create", f"{repo}:v9", "missing"), "MANIFEST_UNKNOWN"),
        # A blob is not a manifest: the registry does not serve it as one.
        (("create", f"{repo}:v9", "sha256:" + "0" * 64), "MANIFEST_UNKNOWN"),
        # Only an index can be updated.
        (("update", f"{repo}:docs", "--add", "other"), "MEDIA_TYPE_MISMATCH"),
        # A digest the index does not list, or something that is not a digest.
        (("update", f"{repo}:v1", "--remove", other.digest), "DIGEST_INVALID"),
        (("update", f"{repo}:v1", "--remove", "docs"), "DIGEST_INVALID"),
        (("create", f"{repo}:v9", "docs", "--artifact-type", "not a type"), "MEDIA_TYPE_INVALID"),
    ]
    for argv, code in cases:
        run = ocikit("manifest", "index", *argv, "--plain-http", check=False)
        assert run.status == 2, (argv, run.out, run.err)
        assert f"error[{code}]" in run.err, (argv, run.err)
    assert sorted(_oras("repo", "tags", repo).split()) == ["docs", "other", "v1"]
    assert [e["digest"] for e in _fetch(f"{repo}:v1")["manifests"]] == [docs.digest]


def test_pull_of_an_index_writes_each_child_in_a_folder(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    repo = f"{open_registry.address}/collections/pull"
    with ocikit_client(open_registry) as client:
        docs = _artifact(client, f"{repo}:docs", "readme.md", "# docs\n")
        notes = _artifact(client, f"{repo}:notes", "readme.md", "# notes\n")
        entry = ocikit_descriptor(docs, title="docs")
        collection = oci.pack_index([entry, notes], artifact_type=BUNDLE)
        client.push_manifest(f"{repo}:v1", collection)
    out = tmp_path / "out"
    run = ocikit("pull", f"{repo}:v1", "-o", str(out), "--plain-http")
    folder = f"sha256-{notes.digest.split(':')[1]}"
    assert (out / "docs" / "readme.md").read_text() == "# docs\n"
    assert (out / folder / "readme.md").read_text() == "# notes\n"
    assert "Pulled docs/readme.md" in run.out
    assert f"Digest: {collection.digest}" in run.out
    # The Python API says the same, with the folders.
    with ocikit_client(open_registry) as client:
        pulled = client.pull(f"{repo}:v1", tmp_path / "api")
    assert isinstance(pulled.manifest, oci.Index)
    assert [p.relative_to((tmp_path / "api").resolve()).as_posix() for p in pulled.children] == [
        "docs",
        folder,
    ]
    assert len(pulled.files) == 2
    # A child's folder is checked as a title is: refused before anything is written.
    with ocikit_client(open_registry) as client:
        bad = oci.pack_index([ocikit_descriptor(docs, title="../escape")])
        client.push_manifest(f"{repo}:bad", bad)
    run = ocikit("pull", f"{repo}:bad", "-o", str(tmp_path / "bad"), "--plain-http", check=False)
    assert run.status == 2 and "error[ANNOTATION_INVALID]" in run.err, run.err
    assert not (tmp_path / "escape").exists()
    assert not any((tmp_path / "bad").glob("**/*.md"))


def test_python_api_creates_and_updates_an_index(open_registry: Registry) -> None:
    repo = f"{open_registry.address}/collections/api"
    with ocikit_client(open_registry) as client:
        target = oci.Repository(client, repo)
        a = _artifact(client, f"{repo}:a", "a.txt", "a")
        b = _artifact(client, f"{repo}:b", "b.txt", "b")
        made = oci.create_index(target, "v1", ["a", "b"], artifact_type=BUNDLE)
        assert client.resolve(f"{repo}:v1").digest == made.digest
        assert [m.digest for m in made.manifests] == [a.digest, b.digest]
        dry = oci.update_index(target, "v1", remove=[a.digest], push=False)
        assert [m.digest for m in dry.manifests] == [b.digest]
        assert client.resolve(f"{repo}:v1").digest == made.digest  # nothing pushed
        with pytest.raises(oci.OciError) as refused:
            oci.update_index(target, "a", add=["b"])
        assert refused.value.code == "MEDIA_TYPE_MISMATCH"


def test_client_methods_create_and_update_an_index_as_the_target_functions_do(
    open_registry: Registry, tmp_path: Path
) -> None:
    """``Client.create_index`` / ``update_index`` and ``AsyncClient``'s (JS's ``createIndex`` /
    ``updateIndex``) run the steps ``ocikit.create_index`` runs on a target: the same index,
    byte for byte, read back with the ORAS CLI; a platform from an image's config, a merge,
    extra tags, a dry run, and the refusals' codes."""
    asyncio = pytest.importorskip("asyncio")
    pytest.importorskip("httpx")
    repo = f"{open_registry.address}/collections/methods"
    with ocikit_client(open_registry) as client:
        a = _artifact(client, f"{repo}:a", "a.txt", "a")
        b = _artifact(client, f"{repo}:b", "b.txt", "b")
        image = _image(client, f"{repo}:arm64")
        expected = oci.create_index(
            oci.Repository(client, repo), None, ["a", image.digest],
            artifact_type=BUNDLE, annotations={"org.example.k": "v"}, push=False,
        )  # fmt: skip
        made = client.create_index(
            f"{repo}:sync", ["a", image.digest], artifact_type=BUNDLE,
            annotations={"org.example.k": "v"}, tags=["sync-2"],
        )  # fmt: skip
        assert made.to_json() == expected.to_json()
        assert made.manifests[1].platform is not None
        assert made.manifests[1].platform.architecture == "arm64"
        updated = client.update_index(f"{repo}:sync", add=["b"], remove=[a.digest])
        assert [m.digest for m in updated.manifests] == [image.digest, b.digest]
        assert updated.artifact_type == BUNDLE  # kept when not given
        # By digest, the update is pushed by its own digest; the tag stays where it was.
        cleared = client.update_index(f"{repo}@{updated.digest}", artifact_type=None)
        assert cleared.artifact_type is None
        assert client.resolve(f"{repo}:sync").digest == updated.digest
        assert client.resolve(f"{repo}@{cleared.digest}").size == len(cleared.to_json())
        dry = client.create_index(f"{repo}:dry", ["b"], push=False)
        with pytest.raises(oci.OciError) as unknown:
            client.resolve(f"{repo}:dry")
        assert unknown.value.code == "MANIFEST_UNKNOWN" and len(dry.manifests) == 1
        with pytest.raises(TypeError, match="sources must be a list"):
            client.create_index(f"{repo}:x", "a")
        with pytest.raises(oci.OciError) as refused:
            client.update_index(f"{repo}:a", add=["b"])
        assert refused.value.code == "MEDIA_TYPE_MISMATCH"

    async def asynchronous() -> tuple[oci.Index, oci.Index, str]:
        async with oci.AsyncClient(open_registry.address, plain_http=True) as client:
            made = await client.create_index(
                "collections/methods:async", ["a", image.digest], artifact_type=BUNDLE,
                annotations={"org.example.k": "v"}, tags=["async-2"],
            )  # fmt: skip
            merged = await client.update_index(
                "collections/methods:async", merge=["sync"], remove=[image.digest]
            )
            with pytest.raises(oci.OciError) as refused:
                await client.update_index("collections/methods:async", remove=[b.digest + "0"])
            return made, merged, refused.value.code

    made_async, merged, code = asyncio.run(asynchronous())
    assert made_async.to_json() == made.to_json()
    assert [m.digest for m in merged.manifests] == [a.digest, image.digest, b.digest]
    assert code == "DIGEST_INVALID"
    # What the registry serves, read by a peer client.
    assert _fetch(f"{repo}:sync-2") == json.loads(made.to_json())
    assert _fetch(f"{repo}:async-2") == json.loads(made.to_json())
    assert _fetch(f"{repo}:async") == json.loads(merged.to_json())
    assert _fetch(f"{repo}:sync") == json.loads(updated.to_json())


@pytest.mark.parametrize("form", ["dir", "tar"])
def test_backup_and_restore_round_trip_with_referrers_and_children(
    ocikit: Any, registries: dict[str, Registry], tmp_path: Path, form: str
) -> None:
    source = registries["open"]
    repo = f"{source.address}/collections/backup-{form}"
    with ocikit_client(source) as client:
        docs = _artifact(client, f"{repo}:docs", "readme.md", "# docs\n")
        signature = oci.pack(
            [oci.File("sig.txt", b"signed")], artifact_type=SBOM, subject=docs
        )
        referrer = client.attach(repo, signature).descriptor
        notes = _artifact(client, f"{repo}:tmp", "n.md", "n")
        collection = oci.pack_index([docs, notes], artifact_type=BUNDLE)
        client.push_manifest(f"{repo}:bundle", collection)
    output = tmp_path / ("backup.tar" if form == "tar" else "backup")
    run = ocikit("backup", f"{repo}:docs,bundle", "-o", str(output), "--plain-http")
    assert "Backed up 2 tag(s)" in run.out
    layout = oci.OciLayout(output, create=False)
    assert sorted(layout.list_tags()) == ["bundle", "docs"]
    assert layout.verify().valid

    # Restored to another registry (the basic-auth one), every tag of the layout.
    destination = registries["basic"]
    dst = f"{destination.address}/restored/{form}"
    run = ocikit("restore", str(output), dst, "--plain-http", *destination.auth)
    assert "Restored 2 tag(s)" in run.out
    auth = ["-u", destination.auth[1], "-p", destination.auth[3]]
    assert json.loads(_oras("manifest", "fetch", f"{dst}:bundle", *auth)) == json.loads(
        collection.to_json()
    )
    discovered = json.loads(_oras("discover", f"{dst}:docs", "--format", "json", *auth))
    assert [r["digest"] for r in discovered["referrers"]] == [referrer.digest]
    out = tmp_path / "child"
    _oras("pull", f"{dst}@{notes.digest}", "-o", str(out), *auth)
    assert (out / "n.md").read_text() == "n"


@pytest.mark.parametrize("form", ["dir", "tar"])
def test_async_client_backs_up_restores_and_copies_across_registries_and_layouts(
    registries: dict[str, Registry], tmp_path: Path, form: str
) -> None:
    """``AsyncClient.backup`` / ``restore`` run the steps ``ocikit.backup`` / ``restore`` run
    (a layout's files on worker threads), and ``AsyncClient.copy`` goes to another
    ``AsyncClient`` (its own credentials) or to a layout, as the sync client does."""
    pytest.importorskip("httpx")
    import asyncio

    source, destination = registries["open"], registries["basic"]
    repo = f"{source.address}/collections/async-{form}"
    with ocikit_client(source) as client:
        docs = _artifact(client, f"{repo}:docs", "readme.md", "# docs\n")
        signature = oci.pack([oci.File("sig.txt", b"signed")], artifact_type=SBOM, subject=docs)
        referrer = client.attach(repo, signature).descriptor
        notes = _artifact(client, f"{repo}:tmp", "n.md", "n")
        collection = oci.pack_index([docs, notes], artifact_type=BUNDLE)
        client.push_manifest(f"{repo}:bundle", collection)
    output = tmp_path / ("backup.tar" if form == "tar" else "backup")
    damaged = tmp_path / "damaged"
    dst = f"{destination.address}/async-restored/{form}"

    async def scenario() -> tuple[oci.BackedUp, oci.Restored, str, oci.CopyOutcome]:
        async with (
            oci.AsyncClient(source.address, plain_http=True) as reader,
            oci.AsyncClient(
                destination.address, plain_http=True, credentials=destination.credentials
            ) as writer,
        ):
            backed = await reader.backup(f"{repo}:docs,bundle", output)
            restored = await writer.restore(output, dst)
            # A damaged layout: refused before anything is pushed.
            await reader.backup(f"{repo}:docs", damaged, referrers=False)
            blob = damaged / "blobs" / "sha256" / docs.digest.split(":")[1]
            blob.write_bytes(blob.read_bytes().replace(b"{", b" ", 1))
            with pytest.raises(oci.OciError) as refused:
                await writer.restore(damaged, f"{destination.address}/async-restored/damaged")
            # Between two registries, each reached with its own client's credentials.
            between = await reader.copy(
                f"{repo}:bundle", f"{dst}:copied", destination=writer, referrers=True
            )
            return backed, restored, refused.value.code, between

    backed, restored, code, between = asyncio.run(scenario())
    assert [tag for tag, _ in backed.tags] == ["docs", "bundle"]
    assert dict(backed.tags)["bundle"].digest == collection.digest
    layout = oci.OciLayout(output, create=False)
    assert sorted(layout.list_tags()) == ["bundle", "docs"] and layout.verify().valid
    assert restored.destination == dst
    assert dict(restored.tags)["docs"].digest == docs.digest
    assert code == "DIGEST_MISMATCH"
    assert between.descriptor.digest == collection.digest and between.tags == ("copied",)
    # What the basic-auth registry serves, read by a peer client.
    auth = ["-u", destination.auth[1], "-p", destination.auth[3]]
    assert json.loads(_oras("manifest", "fetch", f"{dst}:bundle", *auth)) == json.loads(
        collection.to_json()
    )
    discovered = json.loads(_oras("discover", f"{dst}:docs", "--format", "json", *auth))
    assert [r["digest"] for r in discovered["referrers"]] == [referrer.digest]
    result = subprocess.run(
        [tool("oras"), "repo", "tags", f"{destination.address}/async-restored/damaged",
         "--plain-http", *auth],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.stdout.split() == []

    # AsyncClient.copy into a layout (and the sync client's copy, which takes one too).
    async def into_layout() -> oci.CopyOutcome:
        async with oci.AsyncClient(source.address, plain_http=True) as reader:
            return await reader.copy(
                f"{repo}:docs", "v1", destination=oci.OciLayout(tmp_path / f"copy.{form}")
            )

    copied = asyncio.run(into_layout())
    target = oci.OciLayout(tmp_path / f"copy.{form}", create=False)
    assert copied.descriptor.digest == docs.digest
    assert target.resolve("v1").digest == docs.digest and target.verify().valid
    with ocikit_client(source) as client:
        again = client.copy(f"{repo}:bundle", "b", destination=target)
    assert again.descriptor.digest == collection.digest
    assert sorted(oci.OciLayout(tmp_path / f"copy.{form}").list_tags()) == ["b", "v1"]


def test_restore_refuses_a_damaged_layout_before_pushing(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    repo = f"{open_registry.address}/collections/damaged"
    with ocikit_client(open_registry) as client:
        docs = _artifact(client, f"{repo}:docs", "readme.md", "# docs\n")
    output = tmp_path / "layout"
    ocikit("backup", f"{repo}:docs", "-o", str(output), "--plain-http")
    manifest = oci.OciLayout(output).manifest("docs")
    blob = output / "blobs" / "sha256" / manifest.layers[0].digest.split(":")[1]
    blob.write_text("# dacs\n")  # the same size, other bytes
    dst = f"{open_registry.address}/collections/damaged-restored"
    run = ocikit("restore", str(output), dst, "--plain-http", check=False)
    assert run.status == 2, run.err
    assert "error[DIGEST_MISMATCH]" in run.err, run.err
    result = subprocess.run(
        [tool("oras"), "repo", "tags", dst, "--plain-http"], capture_output=True, text=True
    )
    assert result.stdout.split() == []
    assert docs.digest  # pushed at the source only


class _TagMovedAfterPut(oci.StdlibTransport):
    """The standard transport; right after the first successful PUT of a manifest to
    ``path`` (``/v2/<repository>/manifests/<tag>``), ``move`` runs: another writer pushes
    something else under that tag, between the restore's copy and its check."""

    def __init__(self, path: str, move: Callable[[], None]) -> None:
        super().__init__()
        self._path = path
        self._move: Callable[[], None] | None = move

    def send(self, request: Request, **kwargs: Any) -> Response:
        response = super().send(request, **kwargs)
        put = request.method == "PUT" and request.url.endswith(self._path)
        if put and 200 <= response.status < 300 and self._move is not None:
            move, self._move = self._move, None
            move()
        return response


def test_restore_checks_each_tag_at_the_destination(
    open_registry: Registry, tmp_path: Path
) -> None:
    """A tag the destination names another digest for right after the restore pushed it is
    the core's DIGEST_MISMATCH (``registry::whole::backup::restored``), with the core's text —
    the one tests/js/backup-restore.test.mjs asserts for JS."""
    repo = f"{open_registry.address}/collections/moved"
    with ocikit_client(open_registry) as client:
        docs = _artifact(client, f"{repo}:docs", "readme.md", "# docs\n")
    output = tmp_path / "backup.tar"
    with ocikit_client(open_registry) as client:
        oci.backup(client, f"{repo}:docs", output)
    dst = f"{open_registry.address}/collections/moved-restored"
    other = oci.pack([oci.File("other.md", b"other")], artifact_type=DOCS)

    def move() -> None:
        with ocikit_client(open_registry) as writer:
            writer.push(f"{dst}:docs", other)

    racing = _TagMovedAfterPut("/v2/collections/moved-restored/manifests/docs", move)
    with oci.Client(open_registry.address, plain_http=True, transport=racing) as client:
        with pytest.raises(oci.DigestMismatchError) as raised:
            oci.restore(output, client, dst)
    err = raised.value
    assert err.code == "DIGEST_MISMATCH"
    assert str(err) == (
        f"{dst}:docs names {other.digest} after the restore, not the layout's {docs.digest}"
    )
    assert err.details == {"expected": docs.digest, "actual": other.digest}
    # The core's one text, through the binding.
    with pytest.raises(oci.DigestMismatchError) as core:
        _restored(f"{dst}:docs", docs.digest, other.digest)
    assert (str(core.value), core.value.details) == (str(err), err.details)
    # Without the other writer, the same restore passes its check.
    with ocikit_client(open_registry) as client:
        restored = oci.restore(output, client, dst)
    assert [(tag, root.digest) for tag, root in restored.tags] == [("docs", docs.digest)]


# Helpers ------------------------------------------------------------------------------------


def ocikit_client(registry: Registry) -> oci.Client:
    return oci.Client(
        registry.address, plain_http=True, credentials=registry.credentials
    )


def ocikit_descriptor(descriptor: oci.Descriptor, *, title: str) -> oci.Descriptor:
    """``descriptor`` with an ``org.opencontainers.image.title`` annotation."""
    return oci.Descriptor(
        media_type=descriptor.media_type,
        digest=descriptor.digest,
        size=descriptor.size,
        artifact_type=descriptor.artifact_type,
        annotations={"org.opencontainers.image.title": title},
    )


def test_index_commands_on_a_layout_tar(ocikit: Any, tmp_path: Path) -> None:
    """``--oci-layout``: the sources are tags or digests of the layout (a tar here, written
    back after each change), and a pull of the index writes each child's folder."""
    tar = tmp_path / "bundle.tar"
    layout = oci.OciLayout(tar)
    a = layout.write(oci.pack([oci.File("a.txt", b"a")], artifact_type=DOCS), tag="a")
    b = layout.write(oci.pack([oci.File("b.txt", b"b")], artifact_type=DOCS), tag="b")
    layout.close()
    ocikit("manifest", "index", "create", f"{tar}:v1", "a", b.digest, "--oci-layout",
           "--artifact-type", BUNDLE)  # fmt: skip
    ocikit("manifest", "index", "update", f"{tar}:v1", "--remove", a.digest, "--oci-layout")
    out = tmp_path / "out"
    ocikit("pull", f"{tar}:v1", "-o", str(out), "--oci-layout")
    assert (out / f"sha256-{b.digest.split(':')[1]}" / "b.txt").read_text() == "b"
    assert not list(out.glob("*/a.txt"))
    entries = oci.OciLayout(tar).image_index("v1").manifests
    assert [e.digest for e in entries] == [b.digest]
    # ORAS reads the tar's index too.
    fetched = json.loads(_oras_local("manifest", "fetch", "--oci-layout", f"{tar}:v1"))
    assert fetched["artifactType"] == BUNDLE


def _oras_local(*args: str) -> str:
    result = subprocess.run([tool("oras"), *args], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_backup_of_every_tag_and_restore_without_referrers(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    repo = f"{open_registry.address}/collections/all-tags"
    with ocikit_client(open_registry) as client:
        one = _artifact(client, f"{repo}:one", "one.md", "1")
        two = _artifact(client, f"{repo}:two", "two.md", "2")
        signature = oci.pack([oci.File("sig.txt", b"s")], artifact_type=SBOM, subject=one)
        client.attach(repo, signature)
    output = tmp_path / "all"
    run = ocikit("backup", repo, "-o", str(output), "--plain-http")  # no tag: every tag
    assert "Backed up 2 tag(s)" in run.out
    layout = oci.OciLayout(output)
    assert sorted(layout.list_tags()) == ["one", "two"]
    assert len(layout.read_index().manifests) == 3  # the referrer too, untagged
    dst = f"{open_registry.address}/collections/all-tags-restored"
    ocikit("restore", "--input", str(output), f"{dst}:two", "--exclude-referrers", "--plain-http")
    assert _oras("repo", "tags", dst).split() == ["two"]
    assert _fetch(f"{dst}:two")["layers"][0]["digest"] == _fetch(f"{repo}:two")["layers"][0]["digest"]
    assert two.digest == _oras("resolve", f"{dst}:two").strip()
    # Without referrers: the restored one has none (the tag schema's tag was not written).
    ocikit("restore", str(output), f"{dst}:one", "--exclude-referrers", "--plain-http")
    discovered = json.loads(_oras("discover", f"{dst}:one", "--format", "json"))
    assert discovered.get("referrers", []) == []
    # A backup by digest is refused: the layout records tags.
    run = ocikit("backup", f"{repo}@{one.digest}", "-o", str(tmp_path / "x"), "--plain-http",
                 check=False)  # fmt: skip
    assert run.status == 2 and "error[REFERENCE_INVALID]" in run.err, run.err
