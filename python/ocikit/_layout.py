"""OCI image layouts on disk (image-spec ``image-layout.md``).

The core plans ``index.json`` (:class:`ocikit.Layout`) and checks a whole layout
(:func:`ocikit.verify_layout`); this module moves the bytes: it reads and writes the files.
Every file is written atomically (a temporary file in the same directory, then
``os.replace``), and ``index.json`` last, so a layout never names a blob that is not complete.

A layout may come from anyone (an archive, a shared directory), so reading one trusts nothing:
only regular files are opened (never a FIFO, a device or a directory, and the open never
blocks), a symbolic link is followed only when it stays inside the layout, and no read goes
past what it must: a blob one byte past its descriptor's size, ``index.json`` and
``oci-layout`` past :attr:`OciLayout.MAX_INDEX_BYTES`. Refusals raise ``PATH_UNSAFE``,
``SIZE_MISMATCH`` or ``LIMIT_EXCEEDED``.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Union

from ocikit._client import (
    OCI_INDEX,
    OCI_MANIFEST,
    Pulled,
    Referrer,
    _destinations,
    _make_directories,
    _media_type,
)
from ocikit._files import CHUNK_SIZE, StrPath
from ocikit._ocikit import (
    Descriptor,
    Digest,
    Digester,
    GraphWalk,
    Index,
    Layout,
    Manifest,
    ReferrerWalk,
    Report,
    WalkLimits,
    is_index_type,
    is_manifest_type,
    plan_files,
    verify,
    verify_layout,
)
from ocikit._pack import Blob, Packed
from ocikit.errors import (
    DigestMismatchError,
    LimitExceededError,
    OciError,
    PolicyError,
    ValidationError,
)

__all__ = ["LayoutDocument", "OciLayout"]

# The walk of a whole layout (every artifact index.json lists, not one): bounded by depth as any
# walk, and by ten times the nodes of one copy.
_LAYOUT_WALK = WalkLimits(max_nodes=100_000)

_OCI_LAYOUT = "oci-layout"
_INDEX = "index.json"

# Opening a file of a layout: never through a final symbolic link (the path is resolved and
# checked first), never blocking (a FIFO would wait for a writer forever).
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

Writable = Union[Packed, Manifest, Index]


@dataclass(frozen=True)
class LayoutDocument:
    """A manifest or index read from a layout by :meth:`OciLayout.fetch`: its exact bytes, the
    media type of its ``index.json`` entry (else its own ``mediaType``), and its digest — the
    attributes of the :class:`ocikit.FetchedManifest` that :meth:`ocikit.Client.fetch` returns."""

    media_type: str
    data: bytes
    digest: str


class OciLayout:
    """An OCI image layout directory: ``oci-layout``, ``index.json`` and ``blobs/<alg>/<hex>``.

    ``OciLayout(path)`` opens the layout at ``path``, creating it when ``path`` is missing or an
    empty directory (with ``create=False``, a missing layout is an error instead). A directory
    that has files but no ``oci-layout`` file is refused, so ocikit never writes into a
    directory that is not a layout.

    Tags are ``org.opencontainers.image.ref.name`` annotations of ``index.json`` entries, as
    skopeo, ORAS and containerd read them. One process writing at a time is supported: two
    concurrent writers cannot corrupt a blob, but one's ``index.json`` update may replace the
    other's.

    A layout answers what :class:`ocikit.Client` answers for a repository, with the same
    method names: references are a tag or a digest of the layout instead of
    ``registry/repository[:tag][@digest]`` (:meth:`resolve`, :meth:`fetch`,
    :meth:`fetch_manifest`, :meth:`fetch_index`, :meth:`push_manifest`, :meth:`tag`,
    :meth:`delete_manifest`, :meth:`list_tags`, :meth:`blob_size`, :meth:`blob_exists`,
    :meth:`fetch_blob`, :meth:`push_blob`, :meth:`attach`, :meth:`referrers`,
    :meth:`discover`, :meth:`pull`; :func:`ocikit.copy` copies between layouts and
    registries). A layout has no referrers API: as in ORAS (oras-go's ``oci.Store``), the
    referrers of a manifest are the manifests and indexes reachable from ``index.json`` whose
    ``subject`` names it, and an attached artifact is recorded as an untagged entry of
    ``index.json`` (no referrers tag is written).

    Reading trusts nothing in the directory: files are opened only when they are regular files
    (``PATH_UNSAFE`` for a FIFO, a device, a directory), a symbolic link is followed only when
    its target is inside the layout (``PATH_UNSAFE`` when it leads out; links inside, as some
    tools make to share blobs, are fine), a blob is read at most one byte past its declared
    size (``SIZE_MISMATCH``), and ``index.json`` and ``oci-layout`` at most
    :attr:`MAX_INDEX_BYTES` (``LIMIT_EXCEEDED``).

    Raises:
        FileExistsError: ``path`` is a non-empty directory without an ``oci-layout`` file.
        NotADirectoryError: ``path`` is a file.
        FileNotFoundError: ``create=False`` and there is no layout at ``path``.
    """

    MAX_INDEX_BYTES = 4 << 20
    """The largest ``index.json`` (and ``oci-layout``) read, in bytes (4 MiB, the manifest
    limit of registries); assign another value to the class or an instance to change it."""

    def __init__(self, path: StrPath, *, create: bool = True) -> None:
        self._root = Path(path)
        root = self._root
        if root.exists() and not root.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(root))
        if (root / _OCI_LAYOUT).exists():
            return
        if root.is_dir() and any(root.iterdir()):
            raise FileExistsError(
                errno.EEXIST,
                "not an OCI image layout (no oci-layout file) and not empty; refusing to write "
                "into it",
                str(root),
            )
        if not create:
            raise FileNotFoundError(errno.ENOENT, "no OCI image layout here", str(root))
        root.mkdir(parents=True, exist_ok=True)
        _write_atomic(root / _OCI_LAYOUT, Layout.OCI_LAYOUT_CONTENT)
        _write_atomic(root / _INDEX, Layout().index_json())

    @property
    def path(self) -> Path:
        """The layout's directory."""
        return self._root

    def __repr__(self) -> str:
        return f"OciLayout({str(self._root)!r})"

    # Reading -------------------------------------------------------------------------------

    def read_index(self) -> Layout:
        """The layout's ``index.json``, read now (empty when the file is missing).

        Raises:
            ValidationError: ``index.json`` is not a valid image index.
        """
        data = self._read_small(_INDEX)
        if data is None:
            return Layout()
        return Layout.from_index_json(data)

    def _read_small(self, relative: str, limit: int | None = None) -> bytes | None:
        """A small file of the layout (``index.json``, ``oci-layout``, a document), or
        ``None`` when missing.

        Raises:
            LimitExceededError: the file is larger than ``limit`` (default
                :attr:`MAX_INDEX_BYTES`).
            PolicyError: ``PATH_UNSAFE``.
        """
        limit = self.MAX_INDEX_BYTES if limit is None else limit
        file = self._open_file(relative)
        if file is None:
            return None
        with file:
            data = file.read(limit + 1)
        if len(data) > limit:
            raise LimitExceededError(
                f"{self._root / relative} is larger than {limit} bytes; a layout's "
                f"{relative} is not read past that (OciLayout.MAX_INDEX_BYTES)",
                code="LIMIT_EXCEEDED",
                details={
                    "limit": f"bytes of {relative}",
                    "max": limit,
                    "value": len(data),
                    "setting": "OciLayout.MAX_INDEX_BYTES",
                },
            )
        return data

    def _open_file(self, relative: str | os.PathLike[str]) -> IO[bytes] | None:
        """Opens a file of the layout for reading, or ``None`` when it is missing: a regular
        file, reached through no symbolic link that leads out of the layout.

        Raises:
            PolicyError: ``PATH_UNSAFE`` for a link leading out of the layout, or a path that
                is not a regular file.
        """
        path = self._root / relative
        root = os.path.realpath(self._root)
        real = os.path.realpath(path)
        if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
            raise PolicyError(
                f"{path} is a link that leads out of the layout (to {real}); it is not read",
                code="PATH_UNSAFE",
                details={"path": str(path), "reason": "a link leading out of the layout"},
            )
        try:
            fd = os.open(real, _OPEN_FLAGS)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            if error.errno not in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
                raise
            fd = -1  # a link swapped in after the check, a directory, a socket
        mode = os.fstat(fd).st_mode if fd >= 0 else 0
        if not stat.S_ISREG(mode):
            if fd >= 0:
                os.close(fd)
            raise PolicyError(
                f"{path} is not a regular file; a layout's files are read only when they are",
                code="PATH_UNSAFE",
                details={"path": str(path), "reason": "not a regular file"},
            )
        return os.fdopen(fd, "rb")

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags of ``index.json``, in index order."""
        return self.read_index().tags

    def resolve(self, reference: str) -> Descriptor:
        """The ``index.json`` entry a tag or a digest names; for a digest without an entry,
        the manifest or index the layout holds under it (a child of an index, as oras-go's
        ``oci.Store`` resolves it), described by its own ``mediaType``.

        Raises:
            OciError: ``MANIFEST_UNKNOWN`` when no entry has that tag or digest, and no
                manifest or index of the layout has that digest.
        """
        descriptor = self.read_index().resolve(reference)
        if descriptor is None and ":" in reference:
            descriptor = self._stored_document(reference)
        if descriptor is None:
            raise OciError(
                f"{reference!r} is not a tag or digest of an entry of {self._root / _INDEX}",
                code="MANIFEST_UNKNOWN",
                details={"reference": reference},
            )
        return descriptor

    def _stored_document(self, digest: str) -> Descriptor | None:
        """The descriptor of the manifest or index stored as the blob ``digest`` (read up to
        ``Layout.MAX_DOCUMENT_BYTES`` and verified), or ``None``."""
        try:
            relative = Layout.blob_path(digest)
        except ValidationError:
            return None  # not a digest
        file = self._open_file(relative)
        if file is None:
            return None
        with file:
            data = file.read(Layout.MAX_DOCUMENT_BYTES + 1)
        if len(data) > Layout.MAX_DOCUMENT_BYTES:
            return None
        verify(data, digest)
        try:
            media_type = json.loads(data).get("mediaType")
        except (ValueError, RecursionError, AttributeError):
            return None
        if not isinstance(media_type, str) or not is_manifest_type(media_type):
            return None
        return Descriptor(media_type=media_type, digest=digest, size=len(data))

    def open_blob(self, digest: str | Digest) -> IO[bytes]:
        """Opens a blob for reading, unverified (check what you read with a ``Digester``).

        Raises:
            OciError: ``BLOB_UNKNOWN`` when the layout does not have the blob.
            ValidationError: ``DIGEST_INVALID``.
        """
        file = self._open_file(Layout.blob_path(digest))
        if file is None:
            raise OciError(
                f"{digest} is not in the layout {self._root}",
                code="BLOB_UNKNOWN",
                details={"digest": str(digest)},
            )
        return file

    def read_blob(self, digest: str | Digest) -> bytes:
        """A blob's bytes, checked against ``digest``.

        Raises:
            OciError: ``BLOB_UNKNOWN`` when the layout does not have the blob.
            DigestMismatchError: the blob's content does not match its name.
            ValidationError: ``DIGEST_INVALID``, ``DIGEST_UNSUPPORTED``.
        """
        with self.open_blob(digest) as file:
            data = file.read()
        verify(data, digest)
        return data

    def manifest(self, reference: str) -> Manifest:
        """The manifest a tag or digest names, with its exact bytes.

        Raises:
            OciError: ``MANIFEST_UNKNOWN`` or ``BLOB_UNKNOWN``.
            ValidationError: the blob is not a manifest (e.g. ``MEDIA_TYPE_MISMATCH`` for an
                index) or is larger than ``Layout.MAX_DOCUMENT_BYTES``.
            DigestMismatchError: the blob does not match its descriptor.
        """
        return Manifest.from_json(self._document(reference))

    def image_index(self, reference: str) -> Index:
        """The image index a tag or digest names, with its exact bytes (see :meth:`manifest`)."""
        return Index.from_json(self._document(reference))

    def _document(self, reference: str) -> bytes:
        descriptor = self.resolve(reference)
        if descriptor.size > Layout.MAX_DOCUMENT_BYTES:
            raise OciError(
                f"{descriptor.digest} is {descriptor.size} bytes; documents over "
                f"{Layout.MAX_DOCUMENT_BYTES} bytes are not read",
                code="SIZE_INVALID",
                details={"value": str(descriptor.size)},
            )
        with self.open_blob(descriptor.digest) as file:
            data = file.read(descriptor.size + 1)
        verify(data, descriptor.digest, descriptor.size)
        return data

    def verify(self) -> Report:
        """Checks the whole layout: ``oci-layout``, ``index.json``, and every blob reachable
        from it — present, of the right size and digest, and (manifests and indexes) valid.

        Blobs are hashed in 1 MiB pieces, so memory stays bounded whatever their size, and no
        blob is read past one byte more than the size its descriptor declares (a 2 GiB file
        declared as 6 bytes costs 7 bytes of reading and ``SIZE_MISMATCH``); documents and
        ``index.json`` are read up to their limits (4 MiB) only. Finding paths are
        ``file#json-pointer``, e.g. ``blobs/sha256/ab…#/layers/0/digest``.

        Raises:
            PolicyError: ``PATH_UNSAFE`` for a link leading out of the layout or a file that
                is not a regular file.
            LimitExceededError: ``index.json`` or ``oci-layout`` is over
                :attr:`MAX_INDEX_BYTES`.
            OSError: a file exists but cannot be read.
        """
        # The core reads each document before it asks for the blobs the document lists, so
        # the sizes they declare are known by the time a blob is hashed.
        declared: dict[str, int] = {}

        def read(relative: str) -> bytes | None:
            data = self._read_optional(relative)
            if data is not None:
                _declared_sizes(data, declared)
            return data

        def digest_bounded(relative: str, algorithm: str) -> tuple[str, int] | None:
            return self._digest_optional(relative, algorithm, declared.get(relative))

        return verify_layout(read, digest_bounded)

    def _read_optional(self, relative: str) -> bytes | None:
        if relative in (_INDEX, _OCI_LAYOUT):
            return self._read_small(relative)
        # A manifest or index: the core reads only those of at most MAX_DOCUMENT_BYTES, so
        # one byte more says the file is larger than its descriptor (SIZE_MISMATCH).
        file = self._open_file(relative)
        if file is None:
            return None
        with file:
            return file.read(Layout.MAX_DOCUMENT_BYTES + 1)

    def _digest_optional(
        self, relative: str, algorithm: str, size: int | None = None
    ) -> tuple[str, int] | None:
        """The digest and size of a blob, read up to one byte past ``size`` (its declared
        size) when known, and never past the size the file had when opened."""
        file = self._open_file(relative)
        if file is None:
            return None
        digester = Digester(algorithm)
        with file:
            left = os.fstat(file.fileno()).st_size  # a file growing meanwhile stops here
            if size is not None:
                left = min(left, size + 1)
            view = memoryview(bytearray(min(CHUNK_SIZE, left + 1)))
            while left > 0:
                count = file.readinto(view[: min(left, len(view))])
                if not count:
                    break
                digester.update(view[:count])
                left -= count
        return digester.finalize(), digester.size

    # Writing -------------------------------------------------------------------------------

    def write(self, packed: Writable, tag: str | None = None) -> Descriptor:
        """Writes a packed artifact (its missing blobs, then the manifest), or a bare Manifest
        or Index whose blobs are already in the layout, and records it in ``index.json``,
        tagged ``tag`` if given. Returns the ``index.json`` entry.

        Blobs already present are left alone (their names are their digests). Each new blob is
        checked against its descriptor while it is written: bytes are hashed, files given by
        path are copied in 1 MiB pieces while hashing, never read whole.

        Raises:
            ValidationError: ``REFERENCE_INVALID`` for a tag outside the ``ref.name`` grammar
                (checked before anything is written).
            DigestMismatchError: a blob's bytes or file do not match its descriptor (nothing
                of that blob is left behind).
            ValueError: a blob made with ``File.from_digest`` is not in the layout yet (write
                it first with :meth:`write_blob`).
            OSError: a file cannot be read or written.
        """
        if isinstance(packed, Packed):
            document: Manifest | Index = packed.manifest
            blobs: tuple[Blob, ...] = packed.blobs
        elif isinstance(packed, (Manifest, Index)):
            document, blobs = packed, ()
        else:
            raise TypeError(
                f"write() takes a Packed, Manifest or Index, not {type(packed).__name__!r}"
            )
        layout = self.read_index()
        layout.add(document.descriptor, tag)
        for blob in blobs:
            if blob.data is None and blob.path is None:
                if not self._blob_file(blob.descriptor.digest).exists():
                    raise ValueError(
                        f"{blob.descriptor.digest} has no bytes and no path (File.from_digest) "
                        "and is not in the layout; write it with OciLayout.write_blob() first"
                    )
        for blob in blobs:
            if blob.data is not None:
                self.write_blob(blob.descriptor, blob.data)
            elif blob.path is not None:
                self.write_blob(blob.descriptor, Path(blob.path))
        self._put(document.digest, document.to_json())
        _write_atomic(self._root / _INDEX, layout.index_json())
        entry = layout.resolve(tag) if tag is not None else layout.resolve(document.digest)
        assert entry is not None  # just added
        return entry

    def write_blob(self, descriptor: Descriptor, source: bytes | StrPath) -> None:
        """Writes one blob unless the layout has it: ``source`` is its bytes (any buffer) or
        the path of a file with its content (copied while hashing, in bounded memory).

        Raises:
            DigestMismatchError: the content does not match ``descriptor``.
            ValidationError: ``DIGEST_UNSUPPORTED``.
            OSError: a file cannot be read or written.
        """
        target = self._blob_file(descriptor.digest)
        if target.exists():
            return
        if isinstance(source, (str, os.PathLike)):
            _copy_verified(Path(source), target, descriptor)
        else:
            verify(source, descriptor.digest, descriptor.size)
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, source)

    def tag(self, reference: str, tag: str) -> Descriptor:
        """Tags the entry a tag or digest names (moving ``tag`` from any other entry).

        Raises:
            OciError: ``MANIFEST_UNKNOWN``.
            ValidationError: ``REFERENCE_INVALID``.
        """
        layout = self.read_index()
        descriptor = self.resolve(reference)
        layout.add(descriptor, tag)
        _write_atomic(self._root / _INDEX, layout.index_json())
        entry = layout.resolve(tag)
        assert entry is not None  # just added
        return entry

    def copy_blob(self, descriptor: Descriptor, destination: StrPath) -> None:
        """Copies the blob ``descriptor`` names to the file ``destination`` (replacing it
        atomically), in 1 MiB pieces, checking its digest and size on the way.

        Raises:
            OciError: ``BLOB_UNKNOWN`` when the layout does not have the blob.
            DigestMismatchError: the blob does not match ``descriptor`` (``destination`` is
                left as it was).
            OSError: a file cannot be read or written.
        """
        with self.open_blob(descriptor.digest) as source:
            _copy_verified(source, Path(destination), descriptor)

    # What a Client does with a repository ----------------------------------------------------

    def fetch(self, reference: str) -> LayoutDocument:
        """The manifest or index a tag or digest names: exact bytes, media type, digest.

        Raises:
            OciError: ``MANIFEST_UNKNOWN`` or ``BLOB_UNKNOWN``.
            DigestMismatchError: the blob does not match its ``index.json`` entry.
        """
        descriptor = self.resolve(reference)
        return LayoutDocument(descriptor.media_type, self._document(reference), descriptor.digest)

    def fetch_manifest(self, reference: str) -> Manifest:
        """The image manifest a tag or digest names (:meth:`manifest`, as ``Client`` names
        it)."""
        return self.manifest(reference)

    def fetch_index(self, reference: str) -> Index:
        """The image index a tag or digest names (:meth:`image_index`, as ``Client`` names
        it)."""
        return self.image_index(reference)

    def push_manifest(
        self,
        manifest: Manifest | Index | bytes,
        tag: str | None = None,
        media_type: str | None = None,
    ) -> Descriptor:
        """Stores a manifest or index (its exact bytes) and records it in ``index.json``, tagged
        ``tag`` if given, else untagged (the layout's way to keep it, as ORAS does). Returns the
        ``index.json`` entry.

        ``media_type`` defaults to the document's ``mediaType``. As a registry does, the layout
        must already have what the document references (its config and layers, or the
        manifests of an index); its subject may be missing.

        Raises:
            OciError: ``MANIFEST_BLOB_UNKNOWN`` for a referenced blob the layout lacks.
            ValidationError: the bytes are not a valid manifest or index, or ``tag`` is not a
                valid ``ref.name``.
        """
        if isinstance(manifest, (Manifest, Index)):
            data = manifest.to_json()
            media_type = (
                media_type
                or manifest.media_type
                or (OCI_MANIFEST if isinstance(manifest, Manifest) else OCI_INDEX)
            )
        else:
            data = bytes(manifest)
            media_type = _media_type(data, media_type)
        document: Manifest | Index = (
            Index.from_json(data) if is_index_type(media_type) else Manifest.from_json(data)
        )
        children = (
            document.manifests
            if isinstance(document, Index)
            else (document.config, *document.layers)
        )
        for child in children:
            if child.data is None and not self._blob_file(child.digest).is_file():
                raise OciError(
                    f"{child.digest}, referenced by the manifest, is not in the layout "
                    f"{self._root}",
                    code="MANIFEST_BLOB_UNKNOWN",
                    details={"digest": child.digest},
                )
        entry = document.descriptor
        if entry.media_type != media_type:
            entry = Descriptor(
                media_type=media_type,
                digest=entry.digest,
                size=entry.size,
                annotations=dict(entry.annotations) or None,
                artifact_type=entry.artifact_type,
            )
        layout = self.read_index()
        layout.add(entry, tag)
        self._put(entry.digest, data)
        _write_atomic(self._root / _INDEX, layout.index_json())
        recorded = layout.resolve(tag if tag is not None else entry.digest)
        assert recorded is not None  # just added
        return recorded

    def delete_manifest(self, reference: str) -> None:
        """Deletes the manifest a tag or digest names: every ``index.json`` entry of its digest
        (all its tags), then its blob, as ``oras manifest delete --oci-layout`` does. The blobs
        it references are left (they may be shared).

        Raises:
            OciError: ``MANIFEST_UNKNOWN``.
        """
        digest = self.resolve(reference).digest
        index = json.loads(self._read_small(_INDEX) or b"{}")
        index["manifests"] = [
            entry for entry in index.get("manifests") or [] if entry.get("digest") != digest
        ]
        # Through the core, so that index.json keeps its canonical bytes.
        layout = Layout.from_index_json(json.dumps(index).encode())
        _write_atomic(self._root / _INDEX, layout.index_json())
        self._blob_file(digest).unlink(missing_ok=True)

    def list_tags(self) -> list[str]:
        """Every tag of the layout, sorted (as a registry lists them)."""
        return sorted(self.tags)

    def blob_size(self, digest: str | Digest) -> int | None:
        """The size of the blob ``digest``, or ``None`` when the layout does not have it.

        Raises:
            PolicyError: ``PATH_UNSAFE`` (see :class:`OciLayout`).
        """
        file = self._open_file(Layout.blob_path(digest))
        if file is None:
            return None
        with file:
            return os.fstat(file.fileno()).st_size

    def blob_exists(self, digest: str | Digest) -> bool:
        """Whether the layout has the blob ``digest``."""
        return self.blob_size(digest) is not None

    def fetch_blob(self, descriptor: Descriptor, path: StrPath | None = None) -> bytes | None:
        """A blob, checked against ``descriptor``'s digest and size: its bytes, or with
        ``path`` copied there (atomically, in bounded memory) and ``None``.

        Raises:
            OciError: ``BLOB_UNKNOWN``.
            DigestMismatchError: the content does not match (nothing is left at ``path``).
        """
        if path is not None:
            self.copy_blob(descriptor, path)
            return None
        with self.open_blob(descriptor.digest) as file:
            data = file.read(descriptor.size + 1)
        verify(data, descriptor.digest, descriptor.size)
        return data

    def push_blob(self, descriptor: Descriptor, source: bytes | StrPath) -> bool:
        """Stores a blob unless the layout has it (:meth:`write_blob`); whether it was
        written."""
        if self.blob_exists(descriptor.digest):
            return False
        self.write_blob(descriptor, source)
        return True

    def attach(self, packed: Packed) -> Descriptor:
        """Writes an artifact that refers to another (``pack(..., subject=...)``) as an
        untagged entry of ``index.json``, where :meth:`referrers` finds it. Returns the
        referrer's descriptor: a layout takes the :class:`ocikit._target.Target` shape
        (``attach(packed)``), not a client's ``attach(ref, packed)`` with its
        :class:`ocikit.PushOutcome` of the registry's requests (a layout write has no blobs
        checked, no referrers tag, no requests).

        Raises:
            ValueError: the artifact has no subject.
        """
        if packed.manifest.subject is None:
            raise ValueError("attach() needs an artifact packed with a subject")
        return self.write(packed)

    def referrers(self, reference: str, artifact_type: str | None = None) -> list[Descriptor]:
        """What refers to the manifest a tag or digest names: the manifests and indexes of the
        layout whose ``subject`` is it, optionally only artifacts of ``artifact_type``, each
        described as a referrers index lists it (with its artifact type and annotations)."""
        digest = self.resolve(reference).digest
        return _filtered(self._referrers_by_subject().get(digest, []), artifact_type)

    def discover(
        self,
        reference: str,
        artifact_type: str | None = None,
        depth: int | None = None,
        *,
        limits: WalkLimits | None = None,
    ) -> list[Referrer]:
        """The tree of referrers of the manifest a tag or digest names, ``depth`` levels down
        (all when ``None``), each level filtered by ``artifact_type`` when given (see
        :meth:`referrers`), each digest once, within ``limits`` (:class:`ocikit.WalkLimits`)."""
        root = self.resolve(reference).digest
        by_subject = self._referrers_by_subject()
        return _referrer_tree(
            lambda digest: _filtered(by_subject.get(digest, []), artifact_type),
            root,
            depth,
            limits=limits,
        )

    def pull(
        self,
        reference: str,
        output_dir: StrPath,
        *,
        keep_old_files: bool = False,
        allow_git: bool = False,
    ) -> Pulled:
        """Writes the files of the artifact a tag or digest names into ``output_dir``, named by
        their titles, with the checks and options of :meth:`ocikit.Client.pull` (every title
        checked before anything is written, ``.git`` components refused unless ``allow_git``,
        existing files an error with ``keep_old_files``; each file copied to a temporary
        file, verified, renamed).

        Raises:
            ValidationError: ``ANNOTATION_INVALID`` for a title that is refused.
            PolicyError: ``PATH_UNSAFE`` (see :meth:`ocikit.Client.pull`).
            OciError: ``MANIFEST_UNKNOWN``, ``BLOB_UNKNOWN``.
        """
        manifest = self.manifest(reference)
        # The core's pull plan (every title checked), then what the filesystem tells.
        files = plan_files(manifest.layers, allow_git=allow_git)
        _make_directories(Path(output_dir))
        destinations = _destinations(output_dir, files, keep_old_files=keep_old_files)
        for file, destination in zip(files, destinations):
            _make_directories(destination.parent)
            self.copy_blob(file.descriptor, destination)
        return Pulled(manifest, tuple(destinations))

    def _referrers_by_subject(self) -> dict[str, list[Descriptor]]:
        """Every manifest and index reachable from ``index.json`` that has a subject, by the
        subject's digest, in the order reached (oras-go's ``oci.Store.Predecessors``). The
        core walks the graph (:class:`ocikit.GraphWalk`: each digest once, bounded); documents
        the layout lacks are left out: a layout may hold only part of a graph."""
        walk = GraphWalk(self.read_index().manifests, limits=_LAYOUT_WALK)
        reached: list[str] = []
        while batch := walk.next_batch():
            for step in batch:  # only fetches: the referrers are what this finds
                digest = step.descriptor.digest
                data = self._read_document(step.descriptor)
                if data is None:
                    walk.provide_missing(digest)
                else:
                    walk.provide_document(digest, data)
                    reached.append(digest)
        planned = {d.descriptor.digest: d for wave in walk.finish().manifests for d in wave}
        found: dict[str, list[Descriptor]] = {}
        for digest in reached:
            document = planned[digest]
            if document.subject is not None:
                listed = document.referrer_descriptor
                found.setdefault(document.subject.digest, []).append(listed)
        return found

    def _read_document(self, descriptor: Descriptor) -> bytes | None:
        """The bytes of a manifest or index the layout holds (at most the document limit), or
        ``None`` when it lacks it or it is not a document."""
        if not is_manifest_type(descriptor.media_type):
            return None  # an entry that is not a manifest (a blob tagged in index.json)
        if descriptor.size > Layout.MAX_DOCUMENT_BYTES:
            return None
        try:
            with self.open_blob(descriptor.digest) as file:
                return file.read(descriptor.size + 1)
        except OciError:
            return None

    def _put(self, digest: str, data: bytes) -> None:
        target = self._blob_file(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, data)

    def _blob_target(self, digest: str | Digest) -> Path:
        """Where the blob ``digest`` goes, its directory created."""
        target = self._blob_file(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def _upload_path(self, descriptor: Descriptor) -> Path:
        """The file to upload the blob ``descriptor`` names from (a copy to a registry): a
        regular file inside the layout (``PATH_UNSAFE`` otherwise) of exactly the declared
        size (``SIZE_MISMATCH`` otherwise, before anything is sent); the registry checks the
        digest of what it receives.

        Raises:
            OciError: ``BLOB_UNKNOWN``.
        """
        relative = Layout.blob_path(descriptor.digest)
        file = self._open_file(relative)
        if file is None:
            raise OciError(
                f"{descriptor.digest} is not in the layout {self._root}",
                code="BLOB_UNKNOWN",
                details={"digest": descriptor.digest},
            )
        with file:
            size = os.fstat(file.fileno()).st_size
        if size != descriptor.size:
            raise DigestMismatchError(
                f"{self._root / relative} is {size} bytes but its descriptor says "
                f"{descriptor.size}; it is not sent",
                code="SIZE_MISMATCH",
                details={"expected": descriptor.size, "actual": size},
            )
        return Path(os.path.realpath(self._root / relative))

    def _blob_file(self, digest: str | Digest) -> Path:
        # The path comes from a parsed digest: no '/' or '..' can reach it.
        return self._root / Layout.blob_path(digest)


def _declared_sizes(document: bytes, declared: dict[str, int]) -> None:
    """Records, by blob path, the largest size ``document`` (``index.json``, a manifest or an
    index) declares for each descriptor it lists; anything else is ignored (the core reports
    what is wrong with it)."""
    try:
        parsed = json.loads(document)
    except (ValueError, RecursionError):
        return
    if not isinstance(parsed, dict):
        return
    entries = [parsed.get("config"), parsed.get("subject")]
    for key in ("manifests", "layers"):
        listed = parsed.get(key)
        if isinstance(listed, list):
            entries += listed
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        digest, size = entry.get("digest"), entry.get("size")
        if not isinstance(digest, str) or type(size) is not int or size < 0:
            continue
        try:
            path = Layout.blob_path(digest)
        except ValidationError:
            continue
        declared[path] = max(size, declared.get(path, 0))


def _referrer_tree(
    referrers: Callable[[str], list[Descriptor]],
    root: str,
    depth: int | None,
    *,
    limits: WalkLimits | None = None,
) -> list[Referrer]:
    """The tree of what refers to ``root`` in a layout, ``depth`` levels down (all when
    ``None``), from ``referrers(digest)``: the core's ``ReferrerWalk`` decides (each digest
    once, bounded by ``limits``); this answers each batch it asks for."""
    if depth is not None and depth < 0:
        raise ValueError("depth must be a non-negative integer")
    walk = ReferrerWalk(root, depth=depth, limits=limits)
    while batch := walk.next_batch():
        for digest in batch:
            walk.provide(digest, referrers(digest))
    return list(walk.finish())


def _filtered(descriptors: list[Descriptor], artifact_type: str | None) -> list[Descriptor]:
    if artifact_type is None:
        return list(descriptors)
    return [d for d in descriptors if d.artifact_type == artifact_type]


def _temporary(target: Path) -> tuple[Path, int]:
    """A new file next to ``target`` (same filesystem, so ``os.replace`` is atomic), created
    with the default permissions (0o666 less the umask), as any other written file."""
    temporary = target.with_name(f".{target.name}.{os.urandom(16).hex()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(temporary, flags, 0o666)
    return temporary, fd


def _write_atomic(target: Path, data: bytes) -> None:
    """Writes ``data`` to ``target`` atomically."""
    temporary, fd = _temporary(target)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _copy_verified(source: Path | IO[bytes], target: Path, descriptor: Descriptor) -> None:
    """Copies ``source`` (a path, or a file open for reading) to ``target`` in pieces while
    hashing, never more than one byte past ``descriptor``'s size; the copy only becomes
    ``target`` if it matches ``descriptor``."""
    digester = Digester(Digest.parse(descriptor.digest).algorithm)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary, fd = _temporary(target)
    try:
        with contextlib.ExitStack() as stack:
            reader = (
                stack.enter_context(open(source, "rb", buffering=0))
                if isinstance(source, (str, os.PathLike))
                else source
            )
            writer = stack.enter_context(os.fdopen(fd, "wb"))
            view = memoryview(bytearray(min(CHUNK_SIZE, descriptor.size + 1)))
            left = descriptor.size + 1  # one byte more tells a blob that is too long
            while left > 0:
                count = reader.readinto(view[: min(left, len(view))])
                if not count:
                    break
                chunk = view[:count]
                digester.update(chunk)
                writer.write(chunk)
                left -= count
            writer.flush()
            os.fsync(writer.fileno())
        digester.verify(descriptor.digest, descriptor.size)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
