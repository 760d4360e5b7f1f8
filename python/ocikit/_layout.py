"""OCI image layouts on disk (image-spec ``image-layout.md``), served as registries.

A layout is a target of the same whole operations as a registry: the core's
:class:`ocikit.LayoutServer` answers the requests :class:`ocikit.Client`'s engine makes for the
layout's pseudo host (``layout-<n>.oci-layout.invalid``) by planning file steps — reads, sizes,
atomic writes, verified receipts, removals — and this module carries them out on the directory
(:class:`_LayoutTransport`). So push, attach, pull, discover, referrers, tag, delete and copy
are decided once, in the core, for registries and layouts alike; nothing here walks a graph,
plans a pull or scans for referrers. :func:`ocikit.verify_layout` checks a whole layout.

Every file is written atomically (a temporary file in the same directory, then
``os.replace``), blobs are verified as they arrive, and ``index.json`` is written last, so a
layout never names a blob that is not complete.

A layout may come from anyone (an archive, a shared directory), so reading one trusts nothing:
only regular files are opened (never a FIFO, a device or a directory, and the open never
blocks), a symbolic link is followed only when it stays inside the layout, and no read goes
past what it must: a blob one byte past its descriptor's size, ``index.json`` and
``oci-layout`` past :attr:`OciLayout.MAX_INDEX_BYTES`, a manifest past 4 MiB. Refusals raise
``PATH_UNSAFE``, ``SIZE_MISMATCH`` or ``LIMIT_EXCEEDED``.

A layout may also be one tar archive (``OciLayout("x.tar")``, as ``oras --oci-layout x.tar:v1``
and JS's ``layoutTar`` / ``OciLayout.toTar()``): its members are streamed through the core's
layout tar reader (``_LayoutTarReader``, the rules of ``read_layout_tar``: regular files only;
links, devices, ``..`` and absolute names refused with ``ARCHIVE_UNSAFE``; a corrupt archive
``ARCHIVE_INVALID``; the entry cap ``LIMIT_EXCEEDED``) into a private working directory that
the same steps run on, and streamed back from the core's plan of the archive
(``layout_tar_pieces``, the bytes ``write_layout_tar`` and JS write for the same files)
atomically at the end of every operation that changed the layout. Both ways copy the files
in pieces: memory does not grow with the layout.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import itertools
import json
import os
import stat
import shutil
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, TypeVar, Union, cast

from ocikit._archive import UnpackLimits
from ocikit._client import Client, Pulled, Referrer
from ocikit._files import CHUNK_SIZE, StrPath, read_pieces
from ocikit._http import BlobSink, BlobSource
from ocikit._ocikit import (
    Descriptor,
    Digest,
    Digester,
    Index,
    Layout,
    LayoutServer,
    Manifest,
    Report,
    Request,
    Response,
    WalkLimits,
    digest,
    _LayoutTarReader,
    _layout_reference,
    layout_host,
    layout_tar_pieces,
    verify,
    verify_layout,
)
from ocikit._pack import Packed
from ocikit.errors import (
    DigestMismatchError,
    LimitExceededError,
    OciError,
    PolicyError,
    ValidationError,
)

__all__ = ["LayoutDocument", "OciLayout"]

_OCI_LAYOUT = "oci-layout"
_INDEX = "index.json"

# The repository name the layout's references carry (a layout is one repository: the server
# ignores it).
_REPOSITORY = "layout"

# Each open layout gets its own pseudo host.
_NUMBERS = itertools.count(1)

F = TypeVar("F", bound=Callable[..., Any])

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


def _is_tar(path: Path) -> bool:
    """Whether ``path`` names a layout tar: a name ending in ``.tar``, or an existing file with
    a ustar header (``ustar`` at offset 257, as ``file`` tells a tar)."""
    if path.is_dir():
        return False  # a layout directory, whatever its name
    if path.name.lower().endswith(".tar"):
        return True
    if not path.is_file():
        return False
    with open(path, "rb") as file:
        return file.read(263)[257:262] == b"ustar"


def _writes_back(method: F) -> F:
    """Writes a tar layout back when the method returns (or fails) having changed it."""

    @functools.wraps(method)
    def wrapper(self: OciLayout, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            self.save()

    return cast(F, wrapper)


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
    skopeo, ORAS and containerd read them. Writes within one process are serialized where they
    change ``index.json``; two processes writing at once cannot corrupt a blob, but one's
    ``index.json`` update may replace the other's.

    A layout answers what :class:`ocikit.Client` answers for a repository, with the same
    method names: references are a tag or a digest of the layout instead of
    ``registry/repository[:tag][@digest]`` (:meth:`resolve`, :meth:`fetch`,
    :meth:`fetch_manifest`, :meth:`fetch_index`, :meth:`push_manifest`, :meth:`tag`,
    :meth:`delete_manifest`, :meth:`list_tags`, :meth:`blob_size`, :meth:`blob_exists`,
    :meth:`fetch_blob`, :meth:`push_blob`, :meth:`attach`, :meth:`referrers`,
    :meth:`discover`, :meth:`pull`; :func:`ocikit.copy` copies between layouts and
    registries). They are the client's own operations, run against the layout through the
    core's :class:`ocikit.LayoutServer` (:attr:`client` is that client, on the layout's pseudo
    host :attr:`host`). The layout serves the referrers API: the referrers of a manifest are
    the ``index.json`` entries whose ``subject`` names it (as oras-go's ``oci.Store`` keeps
    them), and an attached artifact is recorded as an untagged entry (no referrers tag is
    written). Tags that a registry URL cannot carry (a ``ref.name`` with ``/`` or ``:``, as
    skopeo writes) are read by the digest of their entry, and cannot be written.

    Reading trusts nothing in the directory: files are opened only when they are regular files
    (``PATH_UNSAFE`` for a FIFO, a device, a directory), a symbolic link is followed only when
    its target is inside the layout (``PATH_UNSAFE`` when it leads out; links inside, as some
    tools make to share blobs, are fine), a blob is read at most one byte past its declared
    size (``SIZE_MISMATCH``), and ``index.json`` and ``oci-layout`` at most
    :attr:`MAX_INDEX_BYTES` (``LIMIT_EXCEEDED``).

    **A tar archive.** A ``path`` ending in ``.tar`` that is not a directory, or an existing tar
    file, is a layout tar, as ORAS's ``--oci-layout x.tar:v1`` takes one. Its members become the
    layout's files, read without trust by the core (the rules of ``read_layout_tar``: regular
    files only — symbolic and hard links, devices, FIFOs, absolute names and ``..`` are
    ``ARCHIVE_UNSAFE``; a corrupt or cut archive ``ARCHIVE_INVALID``; more than
    :attr:`MAX_TAR_ENTRIES` entries, or more than :attr:`MAX_TAR_BYTES` bytes when set,
    ``LIMIT_EXCEEDED``) into a private working directory, where every operation runs as on a
    directory; a refused tar leaves no working directory. **The tar is written back at the
    end of every operation that changed the layout** (each method here, and
    :func:`ocikit.copy` to it), atomically (a temporary file next to it, then a rename; a
    failed write leaves the previous tar), in the core's layout tar: ``oci-layout``,
    ``index.json``, then the blobs by path, fixed headers — the bytes ``write_layout_tar``,
    JS's ``layoutTar`` and ``OciLayout.toTar()`` give for the same files. A tar that does not
    exist is created by the first write (with ``create=False`` it is an error). :meth:`save`
    writes it back now; :meth:`close` (or the end of a ``with`` block) too. Both ways stream:
    the tar is read and written in 1 MiB pieces and each file copied from the working
    directory, so memory does not grow with the layout (the working directory, in the
    system's temporary directory, holds a copy of its files).

    Raises:
        FileExistsError: ``path`` is a non-empty directory without an ``oci-layout`` file.
        NotADirectoryError: ``path`` is a file that is not a tar.
        FileNotFoundError: ``create=False`` and there is no layout at ``path``.
        OciError: ``ARCHIVE_UNSAFE``, ``ARCHIVE_INVALID`` or ``LIMIT_EXCEEDED`` for a tar;
            ``SIZE_MISMATCH`` when a file of the working directory changes size while the tar
            is written back (the previous tar stays).
    """

    MAX_INDEX_BYTES = 4 << 20
    """The largest ``index.json`` (and ``oci-layout``) read, in bytes (4 MiB, the manifest
    limit of registries); assign another value to the class or an instance to change it."""

    MAX_TAR_BYTES: int | None = None
    """The largest layout tar read, in bytes, or ``None`` (the default) for no bound. The tar
    is streamed, so this bounds the disk its working copy takes, not memory; assign a number
    to the class or an instance to refuse larger tars with ``LIMIT_EXCEEDED``."""

    MAX_TAR_ENTRIES = 100_000
    """The most entries a layout tar may have."""

    _tar: Path | None = None
    _dirty = False

    def __init__(self, path: StrPath, *, create: bool = True) -> None:
        self._root = Path(path)
        if _is_tar(self._root):
            self._tar = self._root
            self._root = self._open_tar(self._tar, create)
        root = self._root
        if root.exists() and not root.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(root))
        if not (root / _OCI_LAYOUT).exists():
            if root.is_dir() and any(root.iterdir()):
                raise FileExistsError(
                    errno.EEXIST,
                    "not an OCI image layout (no oci-layout file) and not empty; refusing to "
                    "write into it",
                    str(self.path),
                )
            if not create:
                raise FileNotFoundError(errno.ENOENT, "no OCI image layout here", str(root))
            root.mkdir(parents=True, exist_ok=True)
            _write_atomic(root / _OCI_LAYOUT, Layout.OCI_LAYOUT_CONTENT)
            _write_atomic(root / _INDEX, Layout().index_json())
        self.host = layout_host(next(_NUMBERS))
        """The layout's pseudo registry host (``layout-<n>.oci-layout.invalid``)."""
        self._transport = _LayoutTransport(self)
        self.client = Client(self.host, plain_http=True, transport=self._transport)
        """The client whose operations run against this layout (through its pseudo host)."""
        # The layout serves the referrers API: no referrers tag is ever planned for it.
        self.client._session(self.host).set_referrers_api(True)

    def _open_tar(self, tar: Path, create: bool) -> Path:
        """A private working directory holding the files of the layout tar ``tar`` (none when
        it does not exist yet), removed when this object goes. The tar is read in pieces and
        each file written as its bytes come; a refused tar leaves no working directory."""
        try:
            file = open(tar, "rb", buffering=0)
        except FileNotFoundError:
            if not create:
                raise FileNotFoundError(
                    errno.ENOENT, "no OCI image layout tar here", str(tar)
                ) from None
            file = None
        work = Path(tempfile.mkdtemp(prefix=".ocikit-layout-"))
        try:
            if file is not None:
                with file:
                    self._extract_tar(tar, file, work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        weakref.finalize(self, shutil.rmtree, work, ignore_errors=True)
        if file is None:
            self._dirty = True  # a new layout: the first operation that changes it writes it
        self._save_lock = threading.Lock()
        return work

    def _extract_tar(self, tar: Path, file: io.RawIOBase, work: Path) -> None:
        """Feeds the tar to the core's reader in pieces and writes the files it passes on
        into ``work`` (their paths checked by the core: relative, no ``.`` or ``..``)."""
        bound = self.MAX_TAR_BYTES
        size = os.fstat(file.fileno()).st_size
        reader = _LayoutTarReader(self.MAX_TAR_ENTRIES)
        view = memoryview(bytearray(CHUNK_SIZE))
        read = 0
        target: io.BufferedWriter | None = None
        try:
            while True:
                count = file.readinto(view)
                if not count:
                    break
                read += count
                if bound is not None and max(size, read) > bound:
                    raise LimitExceededError(
                        f"{tar} is larger than {bound} bytes; a layout tar is not read past "
                        "that (OciLayout.MAX_TAR_BYTES)",
                        code="LIMIT_EXCEEDED",
                        details={
                            "limit": "bytes of a layout tar",
                            "max": bound,
                            "value": max(size, read),
                            "setting": "OciLayout.MAX_TAR_BYTES",
                        },
                    )
                for event in reader.feed(view[:count]):
                    if event[0] == "data":
                        assert target is not None
                        target.write(event[1])
                    elif event[0] == "file":
                        path = work / event[1]
                        path.parent.mkdir(parents=True, exist_ok=True)
                        target = open(path, "wb")
                    else:  # file_end
                        assert target is not None
                        target.close()
                        target = None
            reader.finish()
        finally:
            if target is not None:
                target.close()

    def _changed(self) -> None:
        """A file of the layout was written or removed (a tar is written back)."""
        self._dirty = True

    def save(self) -> None:
        """Writes a layout tar back now if it changed since it was read or last written
        (atomically; nothing to do for a directory)."""
        if self._tar is None:
            return
        # One writer at a time; a change made while the files are collected marks the layout
        # changed again, and its own operation's save writes it.
        with self._save_lock:
            if not self._dirty or not (self._root / _INDEX).exists():
                return
            self._dirty = False
            try:
                self._write_tar(self._tar)
            except BaseException:
                self._dirty = True
                raise

    def _write_tar(self, tar: Path) -> None:
        """Writes the working directory's files to ``tar`` atomically, streamed: the core's
        plan of the archive gives the headers and where each file goes, and each file is
        copied from disk in pieces. ``index.json`` and ``oci-layout`` (replaced whole by
        other operations meanwhile) are read once, before the plan; a blob that changes size
        between the plan and its copy fails the write (``SIZE_MISMATCH``) rather than make a
        corrupt tar."""
        files: list[tuple[str, int]] = []
        held: dict[str, bytes] = {}
        for directory, names, filenames in os.walk(self._root):
            names.sort()
            for name in sorted(filenames):
                full = Path(directory) / name
                relative = full.relative_to(self._root).as_posix()
                if name.startswith(".") and name.endswith(".tmp"):
                    continue  # a write under way elsewhere, not a file of the layout
                if relative in (_INDEX, _OCI_LAYOUT):
                    held[relative] = full.read_bytes()
                    files.append((relative, len(held[relative])))
                else:
                    files.append((relative, full.stat().st_size))
        pieces = layout_tar_pieces(files)
        buffer = memoryview(bytearray(CHUNK_SIZE))

        def write(out: io.BufferedWriter) -> None:
            for piece in pieces:
                if isinstance(piece, bytes):
                    out.write(piece)
                elif piece[1] in held:
                    out.write(held[piece[1]])
                else:
                    self._copy_into_tar(piece[1], piece[2], out, buffer)

        _write_atomic_stream(tar, write)

    def _copy_into_tar(
        self, relative: str, size: int, out: io.BufferedWriter, buffer: memoryview
    ) -> None:
        """Copies exactly ``size`` bytes of the working directory's file ``relative`` into the
        tar being written; a file of another size now fails (its header says ``size``)."""
        with open(self._root / relative, "rb", buffering=0) as file:
            copied = -1
            if os.fstat(file.fileno()).st_size == size:
                copied = 0
                for piece in read_pieces(file, size, buffer):
                    out.write(piece)
                    copied += len(piece)
            whole = copied == size and not file.read(1)
            actual = size if whole else os.fstat(file.fileno()).st_size
        if not whole:
            raise DigestMismatchError(
                f"{relative} of the layout changed size while its tar was written ({size} "
                f"bytes planned, {actual} now); the tar was not replaced",
                code="SIZE_MISMATCH",
                details={"path": relative, "expected": size, "actual": actual},
            )

    def close(self) -> None:
        """Writes a changed layout tar back (:meth:`save`); a directory needs nothing."""
        self.save()

    def __enter__(self) -> OciLayout:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def path(self) -> Path:
        """The layout's directory, or its tar archive."""
        return self._tar if self._tar is not None else self._root

    def __repr__(self) -> str:
        return f"OciLayout({str(self.path)!r})"

    def reference(self, reference: str | None = None) -> str:
        """The engine's reference for a tag or digest of the layout:
        ``<host>/layout:<tag>`` or ``<host>/layout@<digest>`` (``<host>/layout`` for ``None``).
        A ``ref.name`` a registry URL cannot carry is reached by the digest of its entry."""
        base = f"{self.host}/{_REPOSITORY}"
        if reference is None:
            return base
        # The core's rule (ocikit_core::layout::layout_reference, as JS's OciLayout.ref): a tag
        # a URL carries, a digest, else the digest of the entry whose ref.name it is (index.json
        # read only then), else the text as a tag, which the reference grammar refuses
        # (REFERENCE_INVALID) before anything is read or written.
        return _layout_reference(base, reference, lambda: self._read_small(_INDEX))

    def _fresh(self) -> Client:
        """The layout's client, its server told to read ``index.json`` again (the directory
        may have changed since the last call)."""
        self._transport.reload()
        return self.client

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

    def _open_file(self, relative: str | os.PathLike[str]) -> io.BufferedReader | None:
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
        """The descriptor of the manifest or index a tag or digest names (the core's resolve,
        :meth:`ocikit.Client.resolve`): its ``index.json`` entry, or for a digest without an
        entry the manifest or index the layout holds under it (a child of an index, as
        oras-go's ``oci.Store`` resolves it).

        Raises:
            OciError: ``MANIFEST_UNKNOWN`` when no entry has that tag or digest, and no
                manifest or index of the layout has that digest.
        """
        found = self._fresh().resolve(self.reference(reference))
        # The entry itself when there is one (with its tag and artifact type): the core's rule,
        # which JS's OciLayout.resolve follows too.
        return self.read_index().resolved(reference, found)

    def open_blob(self, digest: str | Digest) -> IO[bytes]:
        """Opens a blob for reading, unverified (check what you read with a ``Digester``).

        Raises:
            OciError: ``BLOB_UNKNOWN`` when the layout does not have the blob.
            ValidationError: ``DIGEST_INVALID``.
        """
        file = self._open_file(Layout.blob_path(digest))
        if file is None:
            raise OciError(
                f"{digest} is not in the layout {self.path}",
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
            OciError: ``MANIFEST_UNKNOWN``.
            ValidationError: the blob is not a manifest (e.g. ``MEDIA_TYPE_MISMATCH`` for an
                index).
            LimitExceededError: the document is larger than 4 MiB.
            DigestMismatchError: the blob does not match its descriptor.
        """
        return Manifest.from_json(self.fetch(reference).data)

    def image_index(self, reference: str) -> Index:
        """The image index a tag or digest names, with its exact bytes (see :meth:`manifest`)."""
        return Index.from_json(self.fetch(reference).data)

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
            whole = os.fstat(file.fileno()).st_size  # a file growing meanwhile stops here
            left = whole if size is None else min(whole, size + 1)
            for piece in read_pieces(file, left):
                digester.update(piece)
        # A file over its size is read one byte past it; its size is the file's (the finding
        # says "content is 1002 bytes", not 3), as JS's layout reports it.
        over = size is not None and digester.size > size
        return digester.finalize(), whole if over else digester.size

    # Writing -------------------------------------------------------------------------------

    @_writes_back
    def write(self, packed: Writable, tag: str | None = None) -> Descriptor:
        """Writes a packed artifact (its missing blobs, then the manifest), or a bare Manifest
        or Index whose blobs are already in the layout, and records it in ``index.json``,
        tagged ``tag`` if given. Returns the ``index.json`` entry.

        This is the core's ``Push`` against the layout (:meth:`ocikit.Client.push`): blobs
        already present are left alone (their names are their digests); each new blob is
        checked against its descriptor while it is written (bytes are hashed, files given by
        path are copied in 1 MiB pieces while hashing, never read whole).

        Raises:
            ValidationError: ``REFERENCE_INVALID`` for a tag outside the reference grammar
                (checked before anything is written).
            RegistryError: ``DIGEST_INVALID`` (status 400, what a registry answers): a blob's
                bytes or file do not match its descriptor (nothing of that blob is left behind).
            ValueError: a blob made with ``File.from_digest`` is not in the layout yet (write
                it first with :meth:`write_blob`).
            OSError: a file cannot be read or written.
        """
        if isinstance(packed, (Manifest, Index)):
            return self.push_manifest(packed, tag)
        if not isinstance(packed, Packed):
            raise TypeError(
                f"write() takes a Packed, Manifest or Index, not {type(packed).__name__!r}"
            )
        target = self.reference(tag if tag is not None else packed.digest)
        for blob in packed.blobs:
            if (
                blob.data is None
                and blob.path is None
                and self.blob_size(blob.descriptor.digest) is None
            ):
                raise ValueError(
                    f"{blob.descriptor.digest} has no bytes and no path (File.from_digest) "
                    "and is not in the layout; write it with OciLayout.write_blob() first"
                )
        self._fresh().push(target, packed)
        return self._entry(tag if tag is not None else packed.digest)

    def _entry(self, reference: str) -> Descriptor:
        """The ``index.json`` entry a tag or digest names, just written."""
        entry = self.read_index().resolve(reference)
        assert entry is not None, f"{reference} was just written"
        return entry

    @_writes_back
    def write_blob(self, descriptor: Descriptor, source: bytes | StrPath) -> None:
        """Writes one blob unless the layout has it: ``source`` is its bytes (any buffer) or
        the path of a file with its content (copied while hashing, in bounded memory).

        Raises:
            DigestMismatchError: the content does not match ``descriptor``.
            ValidationError: ``DIGEST_UNSUPPORTED``.
            PolicyError: ``PATH_UNSAFE`` for a blob path through a link leading out of the
                layout (a ``blobs/sha256`` linked elsewhere), as every other write refuses it.
            OSError: a file cannot be read or written.
        """
        target = self._blob_file(descriptor.digest)
        # Opened as a read opens it: a link out of the layout is PATH_UNSAFE, whether the
        # blob is there (a file outside is not the layout's) or not (it would be written there).
        existing = self._open_file(Layout.blob_path(descriptor.digest))
        if existing is not None:
            existing.close()
            return
        if isinstance(source, (str, os.PathLike)):
            _copy_verified(Path(source), target, descriptor)
        else:
            verify(source, descriptor.digest, descriptor.size)
            target.parent.mkdir(parents=True, exist_ok=True)
            _write_atomic(target, source)
        self._changed()

    @_writes_back
    def tag(self, reference: str, tag: str) -> Descriptor:
        """Tags the manifest a tag or digest names (moving ``tag`` from any other entry);
        returns the tagged ``index.json`` entry.

        Raises:
            OciError: ``MANIFEST_UNKNOWN``.
            ValidationError: ``REFERENCE_INVALID``.
        """
        self._fresh().tag(self.reference(reference), tag)
        return self._entry(tag)

    def copy_blob(self, descriptor: Descriptor, destination: StrPath) -> None:
        """Copies the blob ``descriptor`` names to the file ``destination`` (replacing it
        atomically), in 1 MiB pieces, checking its digest and size on the way
        (:meth:`fetch_blob` with a path).

        Raises:
            OciError: ``BLOB_UNKNOWN`` when the layout does not have the blob.
            DigestMismatchError: the blob does not match ``descriptor`` (``destination`` is
                left as it was).
            OSError: a file cannot be read or written.
        """
        self.fetch_blob(descriptor, destination)

    # What a Client does with a repository ----------------------------------------------------

    def fetch(self, reference: str) -> LayoutDocument:
        """The manifest or index a tag or digest names: exact bytes, media type, digest.

        Raises:
            OciError: ``MANIFEST_UNKNOWN``.
            DigestMismatchError: the blob does not match its ``index.json`` entry.
        """
        fetched = self._fresh().fetch(self.reference(reference))
        return LayoutDocument(fetched.media_type, fetched.data, fetched.digest)

    def fetch_manifest(self, reference: str) -> Manifest:
        """The image manifest a tag or digest names (:meth:`manifest`, as ``Client`` names
        it)."""
        return self.manifest(reference)

    def fetch_index(self, reference: str) -> Index:
        """The image index a tag or digest names (:meth:`image_index`, as ``Client`` names
        it)."""
        return self.image_index(reference)

    @_writes_back
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
            OciError: ``MANIFEST_BLOB_UNKNOWN`` for a referenced blob the layout lacks,
                ``MANIFEST_INVALID`` for bytes that are not a manifest or index.
            ValidationError: ``tag`` is not a valid tag.
        """
        if isinstance(manifest, (Manifest, Index)):
            name = manifest.digest
        else:
            name = digest(bytes(manifest))
        reference = self.reference(tag if tag is not None else name)
        self._fresh().push_manifest(reference, manifest, media_type)
        return self._entry(tag if tag is not None else name)

    @_writes_back
    def delete_manifest(self, reference: str) -> None:
        """Deletes the manifest a tag or digest names: every ``index.json`` entry of its digest
        (all its tags), then its blob, as ``oras manifest delete --oci-layout`` does (the
        core's ``Delete``). The blobs it references are left (they may be shared).

        Raises:
            OciError: ``MANIFEST_UNKNOWN``.
        """
        self._fresh().delete_manifest(self.reference(reference))

    def list_tags(self) -> list[str]:
        """Every tag of the layout, sorted (as a registry lists them)."""
        return self._fresh().list_tags(self.reference())

    def blob_size(self, digest: str | Digest) -> int | None:
        """The size of the blob ``digest``, or ``None`` when the layout does not have it
        (:meth:`ocikit.Client.blob_size`).

        Raises:
            PolicyError: ``PATH_UNSAFE`` (see :class:`OciLayout`).
        """
        return self._fresh().blob_size(self.reference(), digest)

    def blob_exists(self, digest: str | Digest) -> bool:
        """Whether the layout has the blob ``digest``."""
        return self.blob_size(digest) is not None

    def fetch_blob(self, descriptor: Descriptor, path: StrPath | None = None) -> bytes | None:
        """A blob, checked against ``descriptor``'s digest and size: its bytes, or with
        ``path`` streamed there (atomically, in bounded memory) and ``None``
        (:meth:`ocikit.Client.fetch_blob`).

        Raises:
            OciError: ``BLOB_UNKNOWN``.
            DigestMismatchError: the content does not match (nothing is left at ``path``).
        """
        return self._fresh().fetch_blob(self.reference(), descriptor, path)

    @_writes_back
    def push_blob(self, descriptor: Descriptor, source: bytes | StrPath) -> bool:
        """Stores a blob unless the layout has it; whether it was written
        (:meth:`ocikit.Client.push_blob`: verified as it is written).

        Raises:
            RegistryError: ``DIGEST_INVALID`` (status 400, what a registry answers): the
                content does not match ``descriptor`` (nothing of it is left in the layout).
        """
        return self._fresh().push_blob(self.reference(), descriptor, source)

    @_writes_back
    def attach(self, packed: Packed) -> Descriptor:
        """Writes an artifact that refers to another (``pack(..., subject=...)``) as an
        untagged entry of ``index.json``, where :meth:`referrers` finds it (the core's
        ``Push`` by digest, :meth:`ocikit.Client.attach`). Returns the referrer's ``index.json``
        entry: a layout takes the :class:`ocikit._target.Target` shape (``attach(packed)``),
        not a client's ``attach(ref, packed)`` with its :class:`ocikit.PushOutcome`.

        Raises:
            ValueError: the artifact has no subject.
        """
        self._fresh().attach(self.reference(), packed)  # ValueError without a subject
        return self._entry(packed.digest)

    def referrers(self, reference: str, artifact_type: str | None = None) -> list[Descriptor]:
        """What refers to the manifest a tag or digest names: the ``index.json`` entries whose
        ``subject`` is it (the layout's referrers API), optionally only artifacts of
        ``artifact_type``, each described as a referrers index lists it (with its artifact
        type and annotations)."""
        return self._fresh().referrers(self.reference(reference), artifact_type)

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
        :meth:`referrers`), each digest once, within ``limits`` (:class:`ocikit.WalkLimits`):
        the core's ``Discover`` (:meth:`ocikit.Client.discover`)."""
        return self._fresh().discover(
            self.reference(reference), artifact_type, depth, limits=limits
        )

    def pull(
        self,
        reference: str,
        output_dir: StrPath,
        *,
        keep_old_files: bool = False,
        allow_git: bool = False,
        unpack_limits: UnpackLimits | None = None,
    ) -> Pulled:
        """Writes the files of the artifact a tag or digest names into ``output_dir``, named by
        their titles: the core's ``Pull`` (:meth:`ocikit.Client.pull`, with its checks and
        options: every title checked before anything is written, ``.git`` components refused
        unless ``allow_git``, existing files an error with ``keep_old_files``; each file
        streamed to a temporary file, verified, renamed; directory layers unpacked within
        ``unpack_limits``).

        Raises:
            ValidationError: ``ANNOTATION_INVALID`` for a title that is refused.
            PolicyError: ``PATH_UNSAFE`` (see :meth:`ocikit.Client.pull`).
            LimitExceededError: ``LIMIT_EXCEEDED`` for a directory layer past
                ``unpack_limits``.
            OciError: ``MANIFEST_UNKNOWN``, ``BLOB_UNKNOWN``.
        """
        return self._fresh().pull(
            self.reference(reference),
            output_dir,
            keep_old_files=keep_old_files,
            allow_git=allow_git,
            unpack_limits=unpack_limits,
        )

    # The files, for the layout's server -------------------------------------------------------

    def _read_bounded(self, relative: str, limit: int) -> bytes | None:
        """At most ``limit + 1`` bytes of a file of the layout (``index.json`` within
        :attr:`MAX_INDEX_BYTES`), or ``None`` when it is missing."""
        if relative in (_INDEX, _OCI_LAYOUT):
            return self._read_small(relative)
        file = self._open_file(relative)
        if file is None:
            return None
        with file:
            return file.read(limit + 1)

    def _size(self, relative: str) -> int | None:
        """The size of a file of the layout, or ``None`` when it is missing."""
        file = self._open_file(relative)
        if file is None:
            return None
        with file:
            return os.fstat(file.fileno()).st_size

    def _blob_file(self, digest: str | Digest) -> Path:
        # The path comes from a parsed digest: no '/' or '..' can reach it.
        return self._root / Layout.blob_path(digest)


class _LayoutTransport:
    """The transport of a layout's client: it answers each request with the core's
    :class:`ocikit.LayoutServer`, carrying out its file steps on the directory (with the
    safe reads of :class:`OciLayout`), and returns the :class:`ocikit.Response` a registry
    would send. A streamed blob goes into the sink as :class:`ocikit.StdlibTransport` streams
    a body (hashed, ``Range`` honoured, at most ``stream_max + 1`` bytes).

    Requests that change ``index.json`` (a manifest's PUT or DELETE) run one at a time, so that
    each new index is planned from the last one written; everything else runs concurrently."""

    def __init__(self, layout: OciLayout) -> None:
        self._layout = layout
        self._server = LayoutServer(index_max=layout.MAX_INDEX_BYTES)
        self._index_max = layout.MAX_INDEX_BYTES
        self._lock = threading.Lock()

    def reload(self) -> None:
        """Reads ``index.json`` again at the next request (within the layout's current
        :attr:`OciLayout.MAX_INDEX_BYTES`)."""
        limit = self._layout.MAX_INDEX_BYTES
        with self._lock:  # not amid an update of index.json
            if limit != self._index_max:
                self._server, self._index_max = LayoutServer(index_max=limit), limit
            else:
                self._server.reload()

    def send(
        self,
        request: Request,
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Response:
        """Answers ``request`` from the layout (see :meth:`ocikit._http.Transport.send`).

        Raises:
            OciError: what the server refuses (``LIMIT_EXCEEDED``, ``DIGEST_MISMATCH``, an
                invalid ``index.json``), ``PATH_UNSAFE`` for a file that is not a regular file
                inside the layout. An upload whose content does not match its digest is the
                server's answer (400 ``DIGEST_INVALID``), not an error raised here.
            OSError: a file of the layout cannot be read or written.
        """
        changes_index = request.method in ("PUT", "DELETE") and "/manifests/" in request.url
        with self._lock if changes_index else contextlib.nullcontext():
            return self._answer(request, source, sink)

    def _answer(
        self, request: Request, source: BlobSource | None, sink: BlobSink | None
    ) -> Response:
        layout = self._layout
        root = layout._root
        exchange = self._server.exchange(request)
        step = exchange.start()
        while step.kind != "respond":
            path = step.path
            assert path is not None
            if step.kind == "read":
                assert step.max is not None
                step = exchange.read(layout._read_bounded(path, step.max))
            elif step.kind == "stat":
                step = exchange.stat(layout._size(path))
            elif step.kind == "write":
                assert step.data is not None
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                _write_atomic(root / path, step.data)
                layout._changed()
                step = exchange.written()
            elif step.kind == "remove":
                (root / path).unlink(missing_ok=True)
                layout._changed()
                step = exchange.written()
            else:  # "receive"
                assert step.digest is not None and step.size is not None
                temporary, digest, size = _receive(
                    request, source, root / path, step.digest, step.size
                )
                try:
                    # The core compares what was received with what the upload declared:
                    # the file is kept only when it answers that the blob was stored.
                    step = exchange.received(digest, size)
                    if step.kind == "respond" and step.response and step.response.status == 201:
                        os.replace(temporary, root / path)
                        layout._changed()
                finally:
                    temporary.unlink(missing_ok=True)
        response = step.response
        assert response is not None
        if step.file is None:
            return response
        if sink is None:
            raise ValueError(f"{request.url} streams its body, but no sink was given")
        path, offset, length = step.file
        status = response.status
        sink.start(status == 206)
        room = sink.room(request.stream_max, status == 206)
        left = length if room is None else min(length, room)
        file = layout._open_file(path)
        if file is None:  # gone since the server looked
            raise OciError(
                f"{path} of the layout {root} went away while it was read",
                code="BLOB_UNKNOWN",
                details={"path": path},
            )
        with file:
            file.seek(offset)
            for piece in read_pieces(file, left):
                sink.write(piece)
        return Response(status, response.headers, streamed=sink.result())

    def close(self) -> None:
        """Nothing to close: the layout's files are opened per step."""


def _receive(
    request: Request, source: BlobSource | None, target: Path, digest: str, size: int
) -> tuple[Path, str, int]:
    """Writes the request's blob body into a temporary file next to ``target`` while hashing
    it with ``digest``'s algorithm, reading at most ``size + 1`` bytes (one more tells a body
    that is too long). Returns the temporary file, what its content hashed to and its size:
    the caller reports them to the layout server, whose answer says whether the file becomes
    ``target``; the caller removes the temporary file otherwise.
    """
    body = request.body
    if source is None or not isinstance(body, tuple):
        raise ValueError(f"{request.method} {request.url} needs the blob's content")
    offset, length = body
    digester = Digester(Digest.parse(digest).algorithm)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary, fd = _temporary(target)
    try:
        with contextlib.ExitStack() as stack:
            writer = stack.enter_context(os.fdopen(fd, "wb"))
            left = min(length, size + 1)
            if source.path is not None:
                # A file that changed since it was hashed may be shorter: what it holds is
                # hashed, and the server's check tells (a source's pieces would stop short).
                reader = stack.enter_context(open(source.path, "rb", buffering=0))
                reader.seek(offset)
                for piece in read_pieces(reader, left):
                    digester.update(piece)
                    writer.write(piece)
            else:
                for piece in source.pieces(offset, left):
                    digester.update(piece)
                    writer.write(piece)
            writer.flush()
            os.fsync(writer.fileno())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary, digester.finalize(), digester.size


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


def _write_atomic_stream(target: Path, write: Callable[[io.BufferedWriter], None]) -> None:
    """Writes ``target`` atomically from ``write`` (which writes its bytes in pieces into the
    file it is given), as :func:`_write_atomic` does: a temporary file next to it, fsync'd,
    then renamed; on any failure the temporary file is removed and ``target`` is unchanged."""
    temporary, fd = _temporary(target)
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _copy_verified(source: Path | io.BufferedIOBase, target: Path, descriptor: Descriptor) -> None:
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
            # One byte more tells a blob that is too long.
            for piece in read_pieces(reader, descriptor.size + 1):
                digester.update(piece)
                writer.write(piece)
            writer.flush()
            os.fsync(writer.fileno())
        digester.verify(descriptor.digest, descriptor.size)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
