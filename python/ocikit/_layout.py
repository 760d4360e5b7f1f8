"""OCI image layouts on disk (image-spec ``image-layout.md``).

The core plans ``index.json`` (:class:`ocikit.Layout`) and checks a whole layout
(:func:`ocikit.verify_layout`); this module moves the bytes: it reads and writes the files.
Every file is written atomically (a temporary file in the same directory, then
``os.replace``), and ``index.json`` last, so a layout never names a blob that is not complete.
"""

from __future__ import annotations

import errno
import os
import uuid
from pathlib import Path
from typing import IO, Union

from ocikit._files import CHUNK_SIZE, StrPath, _digest_path
from ocikit._ocikit import (
    Descriptor,
    Digest,
    Digester,
    Index,
    Layout,
    Manifest,
    Report,
    verify,
    verify_layout,
)
from ocikit._pack import Blob, Packed
from ocikit.errors import OciError

__all__ = ["OciLayout"]

_OCI_LAYOUT = "oci-layout"
_INDEX = "index.json"

Writable = Union[Packed, Manifest, Index]


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

    Raises:
        FileExistsError: ``path`` is a non-empty directory without an ``oci-layout`` file.
        NotADirectoryError: ``path`` is a file.
        FileNotFoundError: ``create=False`` and there is no layout at ``path``.
    """

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
        try:
            data = (self._root / _INDEX).read_bytes()
        except FileNotFoundError:
            return Layout()
        return Layout.from_index_json(data)

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags of ``index.json``, in index order."""
        return self.read_index().tags

    def resolve(self, reference: str) -> Descriptor:
        """The ``index.json`` entry a tag or a digest names.

        Raises:
            OciError: ``MANIFEST_UNKNOWN`` when no entry has that tag or digest.
        """
        descriptor = self.read_index().resolve(reference)
        if descriptor is None:
            raise OciError(
                f"{reference!r} is not a tag or digest of an entry of {self._root / _INDEX}",
                code="MANIFEST_UNKNOWN",
                details={"reference": reference},
            )
        return descriptor

    def open_blob(self, digest: str | Digest) -> IO[bytes]:
        """Opens a blob for reading, unverified (check what you read with a ``Digester``).

        Raises:
            OciError: ``BLOB_UNKNOWN`` when the layout does not have the blob.
            ValidationError: ``DIGEST_INVALID``.
        """
        path = self._blob_file(digest)
        try:
            return open(path, "rb")  # noqa: SIM115 - the caller closes it
        except FileNotFoundError as error:
            raise OciError(
                f"{digest} is not in the layout {self._root}",
                code="BLOB_UNKNOWN",
                details={"digest": str(digest)},
            ) from error

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

        Blobs are hashed in 1 MiB pieces, so memory stays bounded whatever their size. Finding
        paths are ``file#json-pointer``, e.g. ``blobs/sha256/ab…#/layers/0/digest``.

        Raises:
            OSError: a file exists but cannot be read.
        """
        return verify_layout(self._read_optional, self._digest_optional)

    def _read_optional(self, relative: str) -> bytes | None:
        try:
            return (self._root / relative).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    def _digest_optional(self, relative: str, algorithm: str) -> tuple[str, int] | None:
        try:
            digester = _digest_path(self._root / relative, algorithm)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None
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
        source = self._blob_file(descriptor.digest)
        if not source.is_file():
            raise OciError(
                f"{descriptor.digest} is not in the layout {self._root}",
                code="BLOB_UNKNOWN",
                details={"digest": descriptor.digest},
            )
        _copy_verified(source, Path(destination), descriptor)

    def _put(self, digest: str, data: bytes) -> None:
        target = self._blob_file(digest)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, data)

    def _blob_file(self, digest: str | Digest) -> Path:
        # The path comes from a parsed digest: no '/' or '..' can reach it.
        return self._root / Layout.blob_path(digest)


def _temporary(target: Path) -> tuple[Path, int]:
    """A new file next to ``target`` (same filesystem, so ``os.replace`` is atomic), created
    with the default permissions (0o666 less the umask), as any other written file."""
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
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


def _copy_verified(source: Path, target: Path, descriptor: Descriptor) -> None:
    """Copies ``source`` to ``target`` in pieces while hashing; the copy only becomes
    ``target`` if it matches ``descriptor``."""
    digester = Digester(Digest.parse(descriptor.digest).algorithm)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary, fd = _temporary(target)
    try:
        with open(source, "rb", buffering=0) as reader, os.fdopen(fd, "wb") as writer:
            view = memoryview(bytearray(CHUNK_SIZE))
            while True:
                count = reader.readinto(view)
                if not count:
                    break
                chunk = view[:count]
                digester.update(chunk)
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
        digester.verify(descriptor.digest, descriptor.size)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
