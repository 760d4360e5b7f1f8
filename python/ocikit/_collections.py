"""Collections and backups, as ORAS 1.3 has them: :func:`create_index` and :func:`update_index`
(``oras manifest index create|update``: an image index whose children are artifacts, the
authoring guide's CNAB-style collection), :func:`backup` and :func:`restore` (``oras backup`` /
``oras restore``: artifacts with their referrers and their collections' children into an OCI
image layout, a directory or a tar, and back).

The host only fetches and pushes: which config says a child's platform, what a child's entry
holds, what may be a child, and how an update removes and adds are the core's
(``ocikit_core::registry::whole::index``); backup and restore are the core's ``CopyArtifact``
between a registry and a layout (:func:`ocikit.copy`); which tags they copy, and a restore's
refusal of a damaged layout and its check of each tag at the destination, are the core's
(``ocikit_core::registry::whole::backup``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from ocikit import _calls as calls
from ocikit._calls import KEEP, Call
from ocikit._files import StrPath
from ocikit._ocikit import (
    Descriptor,
    Index,
    _backup_tags,
    _index_create,
    _index_platform_config,
    _index_update,
    _restorable,
    _restored,
)

if TYPE_CHECKING:
    from ocikit._client import Client
    from ocikit._layout import OciLayout
    from ocikit._ocikit import Reference
    from ocikit._target import Target  # Target: a Repository or an OciLayout

__all__ = ["BackedUp", "Restored", "backup", "create_index", "restore", "update_index"]


# The steps of an index's creation or update, written once ------------------------------------
#
# What is fetched, in which order, which config is read for a child's platform and where the
# index goes are decided here once; the steps name what they need (a document, a blob, a push)
# and a driver answers: a Target's methods (`create_index` on a layout or a `Repository`), or
# the client's calls (`Client.create_index` and `AsyncClient.create_index`, the same calls
# their other methods make).


class _Fetch(NamedTuple):
    """The manifest or index a tag or digest names, as served (``Fetched``)."""

    source: str


class _FetchBlob(NamedTuple):
    """A blob of ``source``'s repository, in memory (``bytes``)."""

    source: str
    descriptor: Descriptor


class _PushIndex(NamedTuple):
    """The index ``made`` under ``tag``, else by its digest (``Descriptor``)."""

    made: Index
    tag: str | None


Steps = Generator[Union[_Fetch, _FetchBlob, _PushIndex], Any, Index]


def _child(source: str) -> Generator[Any, Any, tuple[str, bytes, bytes | None]]:
    """A source fetched as the core takes it: its media type, exact bytes, and the config the
    core names for its platform (read only then)."""
    fetched = yield _Fetch(source)
    config = _index_platform_config(fetched.media_type, fetched.data)
    data = (yield _FetchBlob(source, config)) if config is not None else None
    return fetched.media_type, fetched.data, data


def _push(index: Index, tag: str | None, tags: list[str], push: bool) -> Steps:
    if push:
        yield _PushIndex(index, tag)
        for extra in tags:
            yield _PushIndex(index, extra)
    return index


def _strings(values: Iterable[str], name: str) -> list[str]:
    """Tags or digests given as a list: a lone ``str`` is refused (it would be read as its
    characters, each a tag)."""
    listed = None if isinstance(values, (str, bytes)) else list(values)
    if listed is None or not all(isinstance(value, str) for value in listed):
        raise TypeError(f"{name} must be a list of tags or digests, not {values!r}")
    return listed


def create_steps(
    tag: str | None,
    sources: Sequence[str],
    artifact_type: str | None,
    annotations: Mapping[str, str] | None,
    tags: Iterable[str],
    push: bool,
) -> Steps:
    """:func:`create_index`'s steps."""
    sources, tags = _strings(sources, "sources"), _strings(tags, "tags")
    children = []
    for source in sources:
        children.append((yield from _child(source)))
    index = _index_create(
        children, artifact_type=artifact_type, annotations=dict(annotations or {})
    )
    return (yield from _push(index, tag, tags, push))


def update_steps(
    reference: str,
    tag: str | None,
    add: Sequence[str],
    remove: Sequence[str],
    merge: Sequence[str],
    artifact_type: str | None | object,
    annotations: Mapping[str, str] | None,
    tags: Iterable[str],
    push: bool,
) -> Steps:
    """:func:`update_index`'s steps: ``reference`` is read, the result goes under ``tag``."""
    add, remove, merge = _strings(add, "add"), _strings(remove, "remove"), _strings(merge, "merge")
    tags = _strings(tags, "tags")
    fetched = yield _Fetch(reference)
    added = []
    for source in add:
        added.append((yield from _child(source)))
    merged = []
    for source in merge:
        document = yield _Fetch(source)  # an index to merge, as it is
        merged.append((document.media_type, document.data, None))
    index = _index_update(
        fetched.media_type,
        fetched.data,
        add=added,
        remove=remove,
        merge=merged,
        artifact_type=None if artifact_type is KEEP else artifact_type,  # type: ignore[arg-type]
        set_artifact_type=artifact_type is not KEEP,
        annotations=dict(annotations or {}),
    )
    return (yield from _push(index, tag, tags, push))


def _on_target(target: Target, steps: Steps) -> Index:
    """``steps`` answered by ``target``'s methods."""
    answer: Any = None
    while True:
        try:
            need = steps.send(answer)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        if isinstance(need, _Fetch):
            answer = target.fetch(need.source)
        elif isinstance(need, _FetchBlob):
            answer = target.fetch_blob(need.descriptor)
        else:
            answer = target.push_manifest(need.made, need.tag)


def on_client(client: Client, repository: Reference, steps: Steps) -> Call[Index]:
    """``steps`` answered by the client's calls, a tag or digest meaning one of
    ``repository`` (the driver of ``Client.create_index`` and ``AsyncClient.create_index``)."""

    def at(reference: str) -> Reference:
        # A tag cannot have a colon (the reference grammar); a digest always has one.
        if ":" in reference:
            return calls._at(repository, reference)
        return calls._tagged(repository, reference)

    answer: Any = None
    while True:
        try:
            need = steps.send(answer)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        if isinstance(need, _Fetch):
            answer = yield from calls.fetch(client, at(need.source))
        elif isinstance(need, _FetchBlob):
            answer = yield from calls.fetch_blob(client, at(need.source), need.descriptor, None)
        else:
            to = at(need.tag if need.tag is not None else need.made.digest)
            answer = yield from calls.push_manifest(client, to, need.made, None)


def create_index(
    target: Target,
    tag: str | None,
    sources: Sequence[str],
    *,
    artifact_type: str | None = None,
    annotations: Mapping[str, str] | None = None,
    tags: Iterable[str] = (),
    push: bool = True,
) -> Index:
    """Creates an index over ``sources`` (tags or digests of manifests or indexes in
    ``target``), in their order, and pushes it under ``tag`` (else by digest) and ``tags`` —
    ``oras manifest index create``. Each child's entry is plain (media type, digest, size)
    with its ``artifactType`` and, for an image manifest whose config says one, its
    ``platform``. With ``push=False`` nothing is written. Returns the index (its bytes and
    digest: :attr:`Index.digest`). ``Client.create_index`` and ``AsyncClient.create_index``
    do the same on a registry, given ``registry/repository[:tag]``.

    Raises:
        OciError: ``MEDIA_TYPE_MISMATCH`` for a source that is not a manifest or an index,
            ``MANIFEST_UNKNOWN`` for one the target lacks, ``MEDIA_TYPE_INVALID`` for a bad
            ``artifact_type``, ``ANNOTATION_INVALID`` for a ``created`` that is not RFC 3339.
    """
    steps = create_steps(tag, sources, artifact_type, annotations, tags, push)
    return _on_target(target, steps)


def update_index(
    target: Target,
    reference: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    merge: Sequence[str] = (),
    artifact_type: str | None | object = KEEP,
    annotations: Mapping[str, str] | None = None,
    tags: Iterable[str] = (),
    push: bool = True,
) -> Index:
    """Updates the index ``reference`` names (a tag or digest of ``target``) — ``oras manifest
    index update``: the entries of each digest in ``remove`` go (a digest the index does not
    list is an error), the others keep their order and fields, the manifests ``add`` names
    (tags or digests) are appended as :func:`create_index` lists them, then the entries of
    each index ``merge`` names (tags or digests), as they are (ORAS's ``--merge``); the
    artifact type is replaced when ``artifact_type`` is given (``None`` or ``""`` removes it),
    ``annotations`` are set. The new index is pushed under ``reference`` when it is a tag (by
    digest otherwise) and under ``tags``; with ``push=False`` nothing is written.
    ``Client.update_index`` and ``AsyncClient.update_index`` do the same on a registry.

    Raises:
        OciError: ``MEDIA_TYPE_MISMATCH`` when ``reference`` or a merged source is not an
            index or an added source is not a manifest or an index, ``DIGEST_INVALID`` for a
            removed digest the index does not list (or that is not a digest),
            ``MANIFEST_UNKNOWN``.
    """
    tag = None if ":" in reference else reference
    steps = update_steps(reference, tag, add, remove, merge, artifact_type, annotations, tags, push)
    return _on_target(target, steps)


# Backup and restore --------------------------------------------------------------------------


@dataclass(frozen=True)
class BackedUp:
    """What :func:`backup` wrote: each tag with the root's descriptor, and the layout."""

    tags: tuple[tuple[str, Descriptor], ...]
    output: str


@dataclass(frozen=True)
class Restored:
    """What :func:`restore` pushed: each tag with the root's descriptor, checked at the
    destination."""

    tags: tuple[tuple[str, Descriptor], ...]
    destination: str


def backup_steps(
    client: Client, ref: str, output: StrPath, referrers: bool
) -> Call[tuple[tuple[str, Descriptor], ...]]:
    """:func:`backup`'s steps, for ``Client`` and ``AsyncClient`` (whose own ``backup`` runs
    them): the tags, then the layout made and each tag copied into it."""
    from ocikit._layout import OciLayout
    from ocikit._target import copy_steps

    # The core chooses the tags; it asks for the registry's list only when none is named.
    repository, tags = _backup_tags(ref)
    if tags is None:
        listed = yield from calls.list_tags(client, repository)
        repository, tags = _backup_tags(ref, listed)
    layout: OciLayout = yield calls.Local(lambda: OciLayout(output))
    done = []
    for tag in tags or ():  # given a listing, the core answers with tags (or raises)
        copied = yield from copy_steps(client, f"{repository}:{tag}", layout, tag, referrers)
        done.append((tag, copied.descriptor))
    return tuple(done)


def restore_steps(
    input: StrPath, client: Client, ref: str, referrers: bool
) -> Call[tuple[str, tuple[tuple[str, Descriptor], ...]]]:
    """:func:`restore`'s steps, for ``Client`` and ``AsyncClient`` (whose own ``restore``
    runs them): the layout verified and its tags read, then each tag copied and checked;
    the repository restored to, and each tag with its root."""
    from ocikit._layout import OciLayout
    from ocikit._target import copy_steps

    layout: OciLayout = yield calls.Local(lambda: OciLayout(input, create=False))
    report = yield calls.Local(layout.verify)
    _restorable(report, str(input))  # nothing is pushed from a damaged layout
    listed = yield calls.Local(lambda: list(layout.list_tags()))
    repository, tags = _backup_tags(ref, listed, layout=str(input))
    done = []
    for tag in tags or ():  # given a listing, the core answers with tags (or raises)
        root = (
            yield from copy_steps(layout, tag, client, f"{repository}:{tag}", referrers)
        ).descriptor
        served = yield from calls.resolve(client, f"{repository}:{tag}")
        _restored(f"{repository}:{tag}", root.digest, served.digest)
        done.append((tag, root))
    return repository, tuple(done)


def backup(
    client: Client,
    ref: str,
    output: StrPath,
    *,
    referrers: bool = True,
) -> BackedUp:
    """Backs up artifacts of a registry into an OCI image layout — ``oras backup``: ``ref`` is
    ``registry/repository:tag[,tag…]`` (every tag of the repository when it names none, but
    the referrers tags of registries without the referrers API), and
    ``output`` a directory or, ending in ``.tar``, a layout tar. Each tag's manifest or index
    is copied with everything it references (a collection's children too) and, unless
    ``referrers=False``, with what refers to them, recursively (ORAS's
    ``--include-referrers``, on by default here); the layout records each under its tag.
    ``AsyncClient.backup(ref, output)`` does the same.

    Raises:
        OciError: ``REFERENCE_INVALID`` for a digest, an empty tag after a comma or a bad
            tag (before anything is copied), ``MANIFEST_UNKNOWN`` for a tag the repository
            lacks or a repository with no tag to back up, ``NOT_FOUND`` / ``NAME_UNKNOWN``
            for a repository the registry does not know, and the copy's errors. The tags
            chosen are the core's (``ocikit_core::registry::whole::backup``).
    """
    done = client._call(backup_steps(client, ref, output, referrers))
    return BackedUp(done, str(output))


def restore(
    input: StrPath,
    client: Client,
    ref: str,
    *,
    referrers: bool = True,
) -> Restored:
    """Restores artifacts from an OCI image layout (a directory or a layout tar) to a registry
    — ``oras restore``: ``ref`` is ``registry/repository[:tag[,tag…]]`` (every tag of the
    layout when it names none). The layout is verified first (every blob and document
    against its digest: nothing is pushed from a damaged layout); each tag's manifest or
    index is copied with everything it references and, unless ``referrers=False`` (ORAS's
    ``--exclude-referrers``), what refers to them; then each tag is resolved at the
    destination and checked to name the layout's digest. ``AsyncClient.restore(input, ref)``
    does the same.

    Raises:
        OciError: ``DIGEST_MISMATCH`` / ``SIZE_MISMATCH`` / ``BLOB_MISSING`` / … for a damaged
            layout (its verification's first error finding's code, ``details["path"]`` where
            it is), ``MANIFEST_UNKNOWN`` for a tag the layout lacks, ``DIGEST_MISMATCH`` when
            the destination does not serve what was restored (``details``: ``expected``,
            ``actual``), and the copy's errors. Both checks are the core's
            (``ocikit_core::registry::whole::backup::restorable`` and ``restored``).
        FileNotFoundError: there is no layout at ``input``.
    """
    repository, done = client._call(restore_steps(input, client, ref, referrers))
    return Restored(done, repository)
