"""One interface over the two places artifacts live: a repository of a registry and an OCI
image layout directory.

:class:`ocikit.OciLayout` has the methods of :class:`ocikit.Client` with references that are a
tag or a digest of the layout; :class:`Repository` gives a client the same shape for one
repository. Code written against :class:`Target` (the CLI, :func:`copy`) runs unchanged against
either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, Union

from ocikit import _calls as calls
from ocikit._archive import UnpackLimits
from ocikit._calls import Call, Ref
from ocikit._client import Client, Pulled, Referrer
from ocikit._files import StrPath
from ocikit._ocikit import (
    CopyOutcome,
    Descriptor,
    Digest,
    Index,
    Manifest,
    Reference,
    WalkLimits,
    digest,
)

if TYPE_CHECKING:
    # Imported by copy(): a layout and packing (dataclasses) would cost a pull's start.
    from ocikit._layout import OciLayout
    from ocikit._pack import Packed

__all__ = ["Repository", "Target", "copy"]


class Fetched(Protocol):
    """A manifest or index as fetched (``FetchedManifest`` or ``LayoutDocument``)."""

    @property
    def media_type(self) -> str: ...
    @property
    def data(self) -> bytes: ...
    @property
    def digest(self) -> str: ...


class Target(Protocol):
    """Where manifests and blobs live; ``reference`` is a tag or a digest there."""

    def resolve(self, reference: str) -> Descriptor: ...
    def fetch(self, reference: str) -> Fetched: ...
    def fetch_manifest(self, reference: str) -> Manifest: ...
    def push_manifest(
        self,
        manifest: Manifest | Index | bytes,
        tag: str | None = None,
        media_type: str | None = None,
    ) -> Descriptor: ...
    def tag(self, reference: str, tag: str) -> Descriptor: ...
    def delete_manifest(self, reference: str) -> None: ...
    def list_tags(self) -> list[str]: ...
    def blob_size(self, digest: str | Digest) -> int | None: ...
    def fetch_blob(self, descriptor: Descriptor, path: StrPath | None = None) -> bytes | None: ...
    def push_blob(self, descriptor: Descriptor, source: bytes | StrPath) -> bool: ...
    def attach(self, packed: Packed) -> Descriptor: ...
    def referrers(self, reference: str, artifact_type: str | None = None) -> list[Descriptor]: ...
    def discover(
        self, reference: str, artifact_type: str | None = None, depth: int | None = None
    ) -> list[Referrer]: ...
    def pull(
        self,
        reference: str,
        output_dir: StrPath,
        *,
        keep_old_files: bool = False,
        allow_git: bool = False,
        unpack_limits: UnpackLimits | None = None,
    ) -> Pulled: ...


def _is_digest(reference: str) -> bool:
    # A tag cannot have a colon (the reference grammar); a digest always has one.
    return ":" in reference


class Repository:
    """One repository of a registry through ``client``, with the methods of
    :class:`ocikit.OciLayout`: references are a tag or a digest of the repository.

    ``name`` is ``registry/repository``.
    """

    def __init__(self, client: Client, name: str | Reference) -> None:
        reference = name if isinstance(name, Reference) else Reference.parse(name)
        self.client = client
        self.name = f"{reference.registry}/{reference.repository}"

    def __repr__(self) -> str:
        return f"Repository({self.client!r}, {self.name!r})"

    def reference(self, reference: str) -> Reference:
        """``registry/repository:tag`` or ``registry/repository@digest``."""
        separator = "@" if _is_digest(reference) else ":"
        return Reference.parse(f"{self.name}{separator}{reference}")

    def resolve(self, reference: str) -> Descriptor:
        """The descriptor of the manifest a tag or digest names (:meth:`Client.resolve`)."""
        return self.client.resolve(self.reference(reference))

    def fetch(self, reference: str) -> Fetched:
        """The manifest or index a tag or digest names, as served (:meth:`Client.fetch`)."""
        return self.client.fetch(self.reference(reference))

    def fetch_manifest(self, reference: str) -> Manifest:
        """The image manifest a tag or digest names (:meth:`Client.fetch_manifest`)."""
        return self.client.fetch_manifest(self.reference(reference))

    def push_manifest(
        self,
        manifest: Manifest | Index | bytes,
        tag: str | None = None,
        media_type: str | None = None,
    ) -> Descriptor:
        """Uploads a manifest or index under ``tag``, else by its digest
        (:meth:`Client.push_manifest`)."""
        if tag is None:
            tag = (
                manifest.digest
                if isinstance(manifest, (Manifest, Index))
                else digest(bytes(manifest))
            )
        return self.client.push_manifest(self.reference(tag), manifest, media_type)

    def tag(self, reference: str, tag: str) -> Descriptor:
        """Tags the manifest a tag or digest names (:meth:`Client.tag`)."""
        return self.client.tag(self.reference(reference), tag)

    def delete_manifest(self, reference: str) -> None:
        """Deletes the manifest a tag or digest names (:meth:`Client.delete_manifest`)."""
        self.client.delete_manifest(self.reference(reference))

    def list_tags(self) -> list[str]:
        """Every tag of the repository (:meth:`Client.list_tags`)."""
        return self.client.list_tags(self.name)

    def blob_size(self, digest: str | Digest) -> int | None:
        """The size of a blob, or ``None`` when the repository lacks it
        (:meth:`Client.blob_size`)."""
        return self.client.blob_size(self.name, digest)

    def fetch_blob(self, descriptor: Descriptor, path: StrPath | None = None) -> bytes | None:
        """Downloads a blob, to ``path`` if given (:meth:`Client.fetch_blob`)."""
        return self.client.fetch_blob(self.name, descriptor, path)

    def push_blob(self, descriptor: Descriptor, source: bytes | StrPath) -> bool:
        """Uploads a blob unless the repository has it (:meth:`Client.push_blob`)."""
        return self.client.push_blob(self.name, descriptor, source)

    def attach(self, packed: Packed) -> Descriptor:
        """Pushes an artifact packed with a subject, by digest, as a referrer of its subject
        (:meth:`Client.attach`). Returns the referrer's descriptor, as a layout's ``attach``
        does (a target's methods have one shape for both stores; the registry's whole
        outcome is :meth:`Client.attach`'s)."""
        subject = packed.manifest.subject
        if subject is None:
            raise ValueError("attach() needs an artifact packed with a subject")
        return self.client.attach(self.reference(subject.digest), packed).descriptor

    def referrers(self, reference: str, artifact_type: str | None = None) -> list[Descriptor]:
        """What refers to the manifest a tag or digest names (:meth:`Client.referrers`)."""
        return self.client.referrers(self.reference(reference), artifact_type)

    def discover(
        self, reference: str, artifact_type: str | None = None, depth: int | None = None
    ) -> list[Referrer]:
        """The tree of referrers of the manifest a tag or digest names (:meth:`Client.discover`)."""
        return self.client.discover(self.reference(reference), artifact_type, depth)

    def pull(
        self,
        reference: str,
        output_dir: StrPath,
        *,
        keep_old_files: bool = False,
        allow_git: bool = False,
        unpack_limits: UnpackLimits | None = None,
    ) -> Pulled:
        """Writes the files of the artifact a tag or digest names (:meth:`Client.pull`)."""
        return self.client.pull(
            self.reference(reference),
            output_dir,
            keep_old_files=keep_old_files,
            allow_git=allow_git,
            unpack_limits=unpack_limits,
        )


Store = Union[Client, "OciLayout"]


def copy(
    source: Store,
    src_ref: str,
    destination: Store,
    dst_ref: str | None = None,
    *,
    referrers: bool = False,
    limits: WalkLimits | None = None,
) -> Descriptor:
    """Copies the manifest or index ``src_ref`` names, and everything it references, from a
    registry or a layout to a registry or a layout — ``oras copy`` with ``--from-oci-layout``
    and ``--to-oci-layout``. Returns the copied root's descriptor (media type, digest, size),
    whatever the stores; the core's whole :class:`ocikit.CopyOutcome` is
    :meth:`Client.copy`'s, which this is: a layout takes part through its own client
    (:attr:`OciLayout.client`, on the layout's pseudo host, answered by the core's
    :class:`ocikit.LayoutServer`).

    For a :class:`Client`, a reference is ``registry/repository[:tag][@digest]``; for an
    :class:`OciLayout`, a tag or a digest of the layout (``dst_ref`` may be ``None``). The copy
    is tagged with ``dst_ref``'s tag, else the source's tag, else recorded by digest. With
    ``referrers``, the artifacts that refer to the copied manifests are copied too,
    recursively (in a layout they are the ``index.json`` entries whose ``subject`` names them,
    and they are recorded as untagged entries). Manifests keep their exact bytes; blobs are
    verified on the way and streamed through files, in bounded memory.

    The core's ``CopyArtifact`` decides everything: the walk (each digest once, within
    ``limits``, :class:`ocikit.WalkLimits`), which blobs the destination lacks, children
    written first, referrers after their subject.

    Raises:
        ValueError: a registry destination without ``dst_ref``.
        OciError: ``MANIFEST_UNKNOWN``, ``BLOB_UNKNOWN``, ``LIMIT_EXCEEDED`` and the like.
    """
    from ocikit._layout import OciLayout

    driver = source.client if isinstance(source, OciLayout) else source
    copied = driver._call(copy_steps(source, src_ref, destination, dst_ref, referrers, limits))
    return copied.descriptor


def copy_steps(
    source: Store,
    src_ref: Ref,
    destination: Store | None,
    dst_ref: Ref | None,
    referrers: bool,
    limits: WalkLimits | None = None,
    dry_run: bool = False,
) -> Call[CopyOutcome]:
    """The core's ``CopyArtifact`` between two stores as a call's steps, which any client runs
    (:func:`copy`, ``Client.copy``, ``AsyncClient.copy``, backup and restore): a layout takes
    part through its own client, and a layout tar is written back after the copy.
    ``destination`` ``None`` is the source's own registry."""
    from ocikit._layout import OciLayout

    to_ref: Ref
    to_client: Client | None
    if isinstance(destination, OciLayout):
        to_ref = destination.reference(None if dst_ref is None else str(dst_ref))
        to_client = destination._fresh()
    elif dst_ref is None:
        raise ValueError("copying to a registry needs dst_ref")
    else:
        to_client, to_ref = destination, dst_ref
    from_ref: Ref
    if isinstance(source, OciLayout):
        from_client, from_ref = source._fresh(), source.reference(str(src_ref))
    else:
        from_client, from_ref = source, src_ref
    outcome: CopyOutcome = yield from calls.copy(
        from_client, from_ref, to_ref, referrers, to_client, limits, dry_run
    )
    if isinstance(destination, OciLayout) and not dry_run:
        yield calls.Local(destination.save)  # a layout tar is written back
    return outcome
