"""Directories as layers: the host side of the core's archive module.

The core (``ocikit._ocikit._DirectoryPacker`` / ``_Unpacker``) decides everything about the
archive — entry order, owners, modes, times, the tar and gzip bytes, which entries are safe to
create; this module only lists directories, reads and writes files, and moves a finished
directory into place.
"""

from __future__ import annotations

# shutil and tempfile (with bz2, lzma and random: about 3 ms) are imported where a directory
# needs them: a script that pulls files does without them.
import atexit
import operator
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any, Optional, Union

from ocikit._files import CHUNK_SIZE, StrPath
from ocikit._ocikit import (
    _DIRECTORY_MEDIA_TYPE,
    Descriptor,
    _DirectoryPacker,
    _Unpacker,
    should_unpack,
)
from ocikit.errors import PolicyError, ValidationError

__all__ = [
    "DIRECTORY_MEDIA_TYPE",
    "Mtime",
    "UnpackLimits",
    "pack_directory",
    "should_unpack",
    "unpack_directory",
]

DIRECTORY_MEDIA_TYPE: str = _DIRECTORY_MEDIA_TYPE
"""``application/vnd.oci.image.layer.v1.tar+gzip``: the media type of a directory layer."""

TITLE = "org.opencontainers.image.title"

Mtime = Union[int, str, None]
"""The modification times an archive records: whole seconds since the Unix epoch for every
entry, ``"real"`` for each entry's own, or ``None``: ``SOURCE_DATE_EPOCH`` when it is set,
else 0."""

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


class UnpackLimits:
    """Bounds on unpacking one directory layer (the core's defaults when ``None``): the
    uncompressed tar's bytes (8 GiB), its entries (100,000) and the compression ratio (250,
    checked past 16 MiB: a gzip bomb). Going over one raises ``LIMIT_EXCEEDED``. Taken by
    :meth:`ocikit.Client.pull` (``unpack_limits=``) and ``ocikit pull --unpack-max-*``.

    Raises:
        ValidationError: ``OPTIONS_INVALID`` for a bound that is not a whole number from 0
            to 2**64 - 1 (the core's ``u64``).
    """

    __slots__ = {
        "max_entries": "The most entries (files, directories, links; the top directory "
        "counts) the archive may have, or ``None``: 100,000.",
        "max_ratio": "The largest ratio of uncompressed to compressed bytes, checked once "
        "the tar is past 16 MiB, or ``None``: 250.",
        "max_size": "The most bytes the uncompressed tar may have, or ``None``: 8 GiB.",
    }

    def __init__(
        self,
        *,
        max_size: int | None = None,
        max_entries: int | None = None,
        max_ratio: int | None = None,
    ) -> None:
        self.max_size = _bound("max_size", max_size)
        self.max_entries = _bound("max_entries", max_entries)
        self.max_ratio = _bound("max_ratio", max_ratio)

    def __repr__(self) -> str:
        return (
            f"UnpackLimits(max_size={self.max_size!r}, max_entries={self.max_entries!r}, "
            f"max_ratio={self.max_ratio!r})"
        )

    def _kwargs(self) -> dict[str, int | None]:
        return {
            "max_size": self.max_size,
            "max_entries": self.max_entries,
            "max_ratio": self.max_ratio,
        }


def _bound(name: str, value: object) -> int | None:
    """One bound of ``UnpackLimits`` as a plain ``int`` (``None`` kept), taken as the core's
    other limits take theirs: any integer (``__index__``: numpy's too), not a ``bool``, from 0
    to 2**64 - 1. Checked when the limits are made, not when a pull unpacks: a bad bound would
    be found only after the layer was downloaded (and pyo3 would raise ``OverflowError``, not a
    coded error)."""
    if value is None:
        return None
    if not isinstance(value, bool):
        try:
            whole = operator.index(value)  # type: ignore[arg-type]
        except TypeError:
            pass
        else:
            if 0 <= whole < 2**64:
                return whole
    reason = f"UnpackLimits.{name} must be a whole number from 0 to 2**64 - 1"
    raise ValidationError(
        f"{reason}, not {value!r}", code="OPTIONS_INVALID", details={"reason": reason}
    )


def _fixed_mtime(mtime: Mtime) -> int | None:
    """The fixed time the core takes (``None``: each entry's own)."""
    if mtime == "real":
        return None
    if mtime is None:
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if not epoch:
            return 0
        if not epoch.isdigit():
            reason = f"SOURCE_DATE_EPOCH must be whole seconds, not {epoch!r}"
            raise ValidationError(reason, code="OPTIONS_INVALID", details={"reason": reason})
        return int(epoch)
    if isinstance(mtime, bool) or not isinstance(mtime, int) or mtime < 0:
        reason = f"mtime must be whole seconds, 'real' or None, not {mtime!r}"
        raise ValidationError(reason, code="OPTIONS_INVALID", details={"reason": reason})
    return mtime


def _list(root: Path) -> list[tuple[str, str, int, int, Any]]:
    """The entries under ``root`` as the core takes them (``root`` itself as ``""``): files,
    directories and symbolic links (never followed). Anything else is refused."""
    entries: list[tuple[str, str, int, int, Any]] = []
    info = os.stat(root)
    entries.append(("", "directory", stat.S_IMODE(info.st_mode), max(0, int(info.st_mtime)), None))
    pending = [""]
    while pending:
        relative = pending.pop()
        with os.scandir(root / relative if relative else root) as listing:
            for item in listing:
                path = f"{relative}/{item.name}" if relative else item.name
                info = item.stat(follow_symlinks=False)
                mode, mtime = stat.S_IMODE(info.st_mode), max(0, int(info.st_mtime))
                if stat.S_ISDIR(info.st_mode):
                    entries.append((path, "directory", mode, mtime, None))
                    pending.append(path)
                elif stat.S_ISREG(info.st_mode):
                    entries.append((path, "file", mode, mtime, info.st_size))
                elif stat.S_ISLNK(info.st_mode):
                    entries.append((path, "symlink", mode, mtime, os.readlink(item.path)))
                else:
                    reason = "is not a file, directory or symbolic link (a FIFO, socket or device)"
                    raise PolicyError(
                        f"{item.path} {reason}; it cannot be packed",
                        code="ARCHIVE_UNSAFE",
                        details={"path": path, "reason": reason},
                    )
    return entries


def pack_directory(
    path: StrPath,
    out: IO[bytes],
    *,
    name: str | None = None,
    keep_modes: bool = False,
    mtime: Mtime = None,
) -> Descriptor:
    """Writes the directory at ``path`` to ``out`` as a reproducible tar+gzip layer and returns
    the layer's descriptor (``application/vnd.oci.image.layer.v1.tar+gzip``, titled ``name``
    — default: the directory's name — with ``io.deis.oras.content.digest`` and
    ``io.deis.oras.content.unpack: "true"``).

    The same tree gives the same bytes everywhere (the rules: the README, "Directories").
    ``keep_modes`` keeps permission bits instead of normalising them to 0644 / 0755;
    ``mtime`` is :data:`Mtime`. Symbolic links are kept as links and must stay inside the
    directory; hard-linked files are archived as regular files.

    Raises:
        PolicyError: ``ARCHIVE_UNSAFE`` for a link leading out or a special file.
        ValidationError: ``ARCHIVE_INVALID`` for a name that is not a portable relative
            path; ``OPTIONS_INVALID`` for a bad ``mtime`` or ``SOURCE_DATE_EPOCH``.
        DigestMismatchError: ``SIZE_MISMATCH`` when a file changes size while it is read.
        OSError: the directory cannot be read.
    """
    root = Path(path)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    if name is None:
        name = root.resolve().name
    packer = _DirectoryPacker(name, _list(root), mtime=_fixed_mtime(mtime), keep_modes=keep_modes)
    buffer = memoryview(bytearray(CHUNK_SIZE))
    while (file := packer.next_file()) is not None:
        relative, _size = file
        descriptor = os.open(root / relative, os.O_RDONLY | _O_NOFOLLOW | _O_BINARY)
        with open(descriptor, "rb", buffering=0) as reader:
            while count := reader.readinto(buffer):
                packer.write(buffer[:count])
                out.write(packer.take_output())
    last, layer, _content_digest, _content_size = packer.finish()
    out.write(last)
    return layer


_SPOOLED: list[str] = []


def _remove_spooled() -> None:
    for name in _SPOOLED:
        try:
            os.unlink(name)
        except OSError:
            pass


def pack_directory_to_file(
    path: StrPath,
    *,
    name: str | None = None,
    keep_modes: bool = False,
    mtime: Mtime = None,
) -> tuple[Descriptor, str]:
    """:func:`pack_directory` into a temporary file (removed when the interpreter exits):
    the layer's descriptor and the file's path."""
    import tempfile

    handle, spool = tempfile.mkstemp(prefix="ocikit-directory-", suffix=".tar.gz")
    if not _SPOOLED:
        atexit.register(_remove_spooled)
    _SPOOLED.append(spool)
    try:
        with open(handle, "wb") as out:
            layer = pack_directory(path, out, name=name, keep_modes=keep_modes, mtime=mtime)
    except BaseException:
        os.unlink(spool)
        _SPOOLED.remove(spool)
        raise
    return layer, spool


def unpack_directory(
    chunks: Iterable[bytes | memoryview] | IO[bytes],
    descriptor: Descriptor,
    destination: StrPath,
    *,
    limits: UnpackLimits | None = None,
    allow_git: bool = False,
) -> Path:
    """Unpacks a directory layer (its bytes as ``chunks``, or a binary file) to
    ``destination``, the directory its title names under the output directory.

    The core checks every entry (see :class:`ocikit.errors.PolicyError`); this writes them
    under a temporary directory beside ``destination`` and, only when the archive was whole
    and its ``io.deis.oras.content.digest`` verified, moves it into place, replacing what was
    there. An error leaves nothing behind. Unless ``allow_git``, an entry with a ``.git``
    component is refused (``PATH_UNSAFE``), as a pulled title is.

    Raises:
        PolicyError: ``ARCHIVE_UNSAFE``; ``PATH_UNSAFE`` for a ``.git`` component.
        ValidationError: ``ARCHIVE_INVALID``.
        LimitExceededError: ``LIMIT_EXCEEDED``.
        DigestMismatchError: ``DIGEST_MISMATCH``.
    """
    staged = stage_directory(chunks, descriptor, destination, limits=limits, allow_git=allow_git)
    try:
        return staged.commit()
    finally:
        staged.discard()


class StagedDirectory:
    """A directory layer unpacked and checked beside its destination, not yet in place
    (:func:`stage_directory`): a pull stages every directory before it puts any file in place,
    so that a refused one leaves none of its files."""

    def __init__(self, work: Path, destination: Path) -> None:
        self.work = work
        self.destination = destination

    def commit(self) -> Path:
        """Moves the directory into place, replacing what was there."""
        if os.path.lexists(self.destination):
            os.replace(self.destination, self.work / "old")
        os.replace(self.work / "directory", self.destination)
        return self.destination

    def discard(self) -> None:
        """Removes what is left beside the destination (all of it, unless committed)."""
        import shutil

        shutil.rmtree(self.work, ignore_errors=True)


def stage_directory(
    chunks: Iterable[bytes | memoryview] | IO[bytes],
    descriptor: Descriptor,
    destination: StrPath,
    *,
    limits: UnpackLimits | None = None,
    allow_git: bool = False,
) -> StagedDirectory:
    """The first half of :func:`unpack_directory`: the layer unpacked, checked and verified
    under a temporary directory beside ``destination``; nothing is left on an error."""
    destination = Path(destination)
    unpacker = _Unpacker.for_layer(
        descriptor, allow_git=allow_git, **(limits or UnpackLimits())._kwargs()
    )
    title = descriptor.annotations[TITLE].rstrip("/")
    import shutil
    import tempfile

    destination.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".ocikit-unpack-", dir=destination.parent))
    try:
        staging = work / "directory"
        writer = _Writer(staging, title)
        if hasattr(chunks, "read"):
            reader: Any = chunks
            while chunk := reader.read(CHUNK_SIZE):
                writer.apply(unpacker.feed(chunk))
        else:
            for chunk in chunks:
                writer.apply(unpacker.feed(chunk))
        writer.apply(unpacker.finish())
        writer.close()
        if not staging.exists():
            staging.mkdir()
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return StagedDirectory(work, destination)


class _Writer:
    """Creates what the unpacker's events say under ``staging`` (the title's directory)."""

    def __init__(self, staging: Path, title: str) -> None:
        self.staging = staging
        self.title = title
        self.current: Optional[IO[bytes]] = None
        self.directories: list[tuple[Path, int]] = []

    def path(self, entry: str) -> Path:
        # The core gave a checked path under the title; only the part below it is ours.
        relative = entry[len(self.title) :].lstrip("/")
        return self.staging / relative if relative else self.staging

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None
        # Directory modes last, deepest first, so that writing inside them never fails.
        for path, mode in sorted(
            self.directories, key=lambda item: len(item[0].parts), reverse=True
        ):
            os.chmod(path, mode)

    def apply(self, events: list[tuple[Any, ...]]) -> None:
        for event in events:
            kind = event[0]
            if kind == "data":
                assert self.current is not None
                self.current.write(event[1])
                continue
            if self.current is not None:
                self.current.close()
                self.current = None
            if kind == "end":
                continue
            path = self.path(event[1])
            if kind == "directory":
                path.mkdir(parents=True, exist_ok=True)
                self.directories.append((path, event[2]))
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "file":
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | _O_BINARY
                handle = os.open(path, flags, 0o600)
                if hasattr(os, "fchmod"):
                    os.fchmod(handle, event[2])
                self.current = open(handle, "wb")
            elif kind == "hardlink":
                source = self.path(event[2])
                try:
                    os.link(source, path, follow_symlinks=False)
                except OSError:
                    import shutil

                    shutil.copy2(source, path, follow_symlinks=False)
            elif kind == "symlink":
                os.symlink(event[2], path)
