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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    from ocikit._target import Target  # Target: a Repository or an OciLayout

__all__ = ["BackedUp", "Restored", "backup", "create_index", "restore", "update_index"]


_KEEP = object()


def _child(target: Target, source: str) -> tuple[str, bytes, bytes | None]:
    """A source fetched as the core takes it: its media type, exact bytes, and the config the
    core names for its platform (read only then)."""
    fetched = target.fetch(source)
    config = _index_platform_config(fetched.media_type, fetched.data)
    data = target.fetch_blob(config) if config is not None else None
    return fetched.media_type, fetched.data, data


def _document(target: Target, source: str) -> tuple[str, bytes, None]:
    """A document fetched as it is (an index to merge)."""
    fetched = target.fetch(source)
    return fetched.media_type, fetched.data, None


def _push(target: Target, index: Index, tag: str | None, tags: Iterable[str]) -> Descriptor:
    pushed = target.push_manifest(index, tag)
    for extra in tags:
        target.push_manifest(index, extra)
    return pushed


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
    digest: :attr:`Index.digest`).

    Raises:
        OciError: ``MEDIA_TYPE_MISMATCH`` for a source that is not a manifest or an index,
            ``MANIFEST_UNKNOWN`` for one the target lacks, ``MEDIA_TYPE_INVALID`` for a bad
            ``artifact_type``, ``ANNOTATION_INVALID`` for a ``created`` that is not RFC 3339.
    """
    children = [_child(target, source) for source in sources]
    index = _index_create(
        children, artifact_type=artifact_type, annotations=dict(annotations or {})
    )
    if push:
        _push(target, index, tag, tags)
    return index


def update_index(
    target: Target,
    reference: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    merge: Sequence[str] = (),
    artifact_type: str | None | object = _KEEP,
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

    Raises:
        OciError: ``MEDIA_TYPE_MISMATCH`` when ``reference`` or a merged source is not an
            index or an added source is not a manifest or an index, ``DIGEST_INVALID`` for a
            removed digest the index does not list (or that is not a digest),
            ``MANIFEST_UNKNOWN``.
    """
    fetched = target.fetch(reference)
    index = _index_update(
        fetched.media_type,
        fetched.data,
        add=[_child(target, source) for source in add],
        remove=list(remove),
        merge=[_document(target, source) for source in merge],
        artifact_type=None if artifact_type is _KEEP else artifact_type,  # type: ignore[arg-type]
        set_artifact_type=artifact_type is not _KEEP,
        annotations=dict(annotations or {}),
    )
    if push:
        tag = None if ":" in reference else reference
        _push(target, index, tag, tags)
    return index


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

    Raises:
        OciError: ``REFERENCE_INVALID`` for a digest, an empty tag after a comma or a bad
            tag (before anything is copied), ``MANIFEST_UNKNOWN`` for a tag the repository
            lacks or a repository with no tag to back up, ``NOT_FOUND`` / ``NAME_UNKNOWN``
            for a repository the registry does not know, and the copy's errors. The tags
            chosen are the core's (``ocikit_core::registry::whole::backup``).
    """
    from ocikit._layout import OciLayout
    from ocikit._target import copy

    # The core chooses the tags; it asks for the registry's list only when none is named.
    repository, tags = _backup_tags(ref)
    if tags is None:
        repository, tags = _backup_tags(ref, client.list_tags(repository))
    layout = OciLayout(output)
    done = []
    for tag in tags or ():  # given a listing, the core answers with tags (or raises)
        root = copy(client, f"{repository}:{tag}", layout, tag, referrers=referrers)
        done.append((tag, root))
    return BackedUp(tuple(done), str(output))


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
    destination and checked to name the layout's digest.

    Raises:
        OciError: ``DIGEST_MISMATCH`` / ``SIZE_MISMATCH`` / ``BLOB_MISSING`` / … for a damaged
            layout (its verification's first error finding's code, ``details["path"]`` where
            it is), ``MANIFEST_UNKNOWN`` for a tag the layout lacks, ``DIGEST_MISMATCH`` when
            the destination does not serve what was restored (``details``: ``expected``,
            ``actual``), and the copy's errors. Both checks are the core's
            (``ocikit_core::registry::whole::backup::restorable`` and ``restored``).
        FileNotFoundError: there is no layout at ``input``.
    """
    from ocikit._layout import OciLayout
    from ocikit._target import copy

    layout = OciLayout(input, create=False)
    _restorable(layout.verify(), str(input))  # nothing is pushed from a damaged layout
    repository, tags = _backup_tags(ref, list(layout.list_tags()), layout=str(input))
    done = []
    for tag in tags or ():  # given a listing, the core answers with tags (or raises)
        root = copy(layout, tag, client, f"{repository}:{tag}", referrers=referrers)
        served = client.resolve(f"{repository}:{tag}")
        _restored(f"{repository}:{tag}", root.digest, served.digest)
        done.append((tag, root))
    return Restored(tuple(done), repository)
