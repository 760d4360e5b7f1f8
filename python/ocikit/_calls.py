"""What each call of :class:`ocikit.Client` and :class:`ocikit.AsyncClient` does, written once for
both: the shaping of a call's arguments into the core's operations, and of their outcomes into
its result, with the files a call reads and writes (the pull's temporary files, the progress
reports).

A call is a generator: it yields each operation to run — :class:`One` (a single-request
operation driven by ``next``) or :class:`Whole` (a whole operation driven by ``poll`` and
``provide``) — and is sent back its value, or has its error thrown in; its return value is the
call's result. ``Client`` runs the steps on threads, ``AsyncClient`` on asyncio tasks; neither
decides anything else.
"""

from __future__ import annotations

import io
import json
import os
import threading
import urllib.parse
from collections.abc import Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Literal, NamedTuple, Optional, TypeVar, Union

from ocikit import _archive
from ocikit._files import StrPath
from ocikit._http import BlobSink, BlobSource, Transport
from ocikit._ocikit import (
    BlobExists,
    CheckAuth,
    CopyArtifact,
    CopyOutcome,
    Delete,
    DeleteBlob,
    DeleteOutcome,
    Descriptor,
    Digest,
    Discover,
    Failure,
    FetchedManifest,
    GetBlob,
    GetManifest,
    Index,
    ListReferrers,
    ListTags,
    Manifest,
    Page,
    Pull,
    ProbeRegistry,
    PulledFile,
    Push,
    PushBlob,
    PushOutcome,
    PutManifest,
    Reference,
    Referrer,
    RegistrySession,
    Request,
    ResolveManifest,
    TagsOf,
    TagsOfOutcome,
    WalkLimits,
    is_index_type,
    registry_profile,
)
from ocikit.errors import (
    NetworkError,
    OciError,
    OperationTimeoutError,
    PolicyError,
    UploadInterruptedError,
    ValidationError,
)

if TYPE_CHECKING:
    from ocikit._client import Client
    from ocikit._pack import Packed  # push() imports it: a pull starts without dataclasses

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"

KEEP: Any = object()
"""``update_index``'s ``artifact_type`` when none is given: the index keeps its own."""

# Chunk size for resuming an upload that was started monolithically.
_RESUME_CHUNK = 8 << 20

Ref = Union[str, Reference]
T = TypeVar("T")

ProgressCallback = Callable[[Descriptor, int, int], None]
"""``on_progress(descriptor, done, total)``: see :class:`Client`."""


# The steps a call yields --------------------------------------------------------------------


class One:
    """Run the single-request operation ``make(session)`` on the session of ``reference``'s
    registry (the client's own when ``None``): sending what it asks (a body from ``source``,
    a streamed answer into ``sink``), sleeping its waits; its value is sent back."""

    __slots__ = ("reference", "make", "source", "sink")

    def __init__(
        self,
        reference: Reference | None,
        make: Callable[[RegistrySession], Any],
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> None:
        self.reference = reference
        self.make = make
        self.source = source
        self.sink = sink


class Whole:
    """Run the whole operation ``operation`` on ``sessions`` (see ``Client._drive``): blobs'
    bodies from ``sources(blob)``, streamed answers into ``sinks(blob)``; ``transport`` gives
    the sync client's transport for the registry of the session a request is for
    (``Action.registry``: a copy between two clients). Its outcome is sent back."""

    __slots__ = ("operation", "sessions", "sources", "sinks", "transport")

    def __init__(
        self,
        operation: Any,
        sessions: RegistrySession | Sequence[RegistrySession],
        *,
        sources: Callable[[Descriptor], BlobSource] | None = None,
        sinks: Callable[[Descriptor], BlobSink] | None = None,
        transport: Callable[[str], Transport] | None = None,
    ) -> None:
        self.operation = operation
        self.sessions = sessions
        self.sources = sources
        self.sinks = sinks
        self.transport = transport


class Local:
    """Run ``work()``, blocking work on local files (a layout opened, verified, its tags read,
    its tar written back): the sync client runs it on the caller's thread, ``AsyncClient`` on
    a worker thread, so that its event loop goes on; its value is sent back."""

    __slots__ = ("work",)

    def __init__(self, work: Callable[[], Any]) -> None:
        self.work = work


Call = Generator[Union[One, Whole, Local], Any, T]


# Progress -----------------------------------------------------------------------------------


class _Progress:
    """One blob's transfer, reported to the client's ``on_progress`` (each change once)."""

    __slots__ = ("_callback", "_descriptor", "_done")

    def __init__(self, callback: ProgressCallback, descriptor: Descriptor, done: int = -1) -> None:
        self._callback = callback
        self._descriptor = descriptor
        self._done = done  # what was reported last

    def __call__(self, done: int) -> None:
        if done != self._done:
            self._done = done
            self._callback(self._descriptor, done, self._descriptor.size)

    def finish(self) -> None:
        self(self._descriptor.size)


class _ReportingSource(BlobSource):
    """A blob source that reports the bytes sent so far (the offset of the request's range,
    then after each piece, once the transport has sent it)."""

    def __init__(self, source: BlobSource, progress: _Progress) -> None:
        # No super().__init__(): every read goes to `source`.
        self._source = source
        self._progress = progress

    @property
    def path(self) -> Optional[str]:
        return self._source.path

    def pieces(self, offset: int, length: int) -> Any:
        done = offset
        self._progress(done)
        for piece in self._source.pieces(offset, length):
            yield piece
            done += len(piece)
            self._progress(done)

    def spans(self, offset: int, length: int) -> Any:
        self._progress(offset)
        for span in self._source.spans(offset, length):
            yield span
            self._progress(span[1] + span[2])


class _ReportingSink(BlobSink):
    """A blob sink that reports the bytes written so far (back to 0, or to where a ranged
    answer continues, when a body starts)."""

    def __init__(
        self,
        file: IO[bytes],
        algorithm: str,
        progress: _Progress,
        *,
        empty: bool = False,
        size_max: int | None = None,
    ) -> None:
        super().__init__(file, algorithm, empty=empty, size_max=size_max)
        self._progress = progress

    def start(self, append: bool) -> None:
        super().start(append)
        self._progress(self.size)

    def write(self, piece: memoryview) -> None:
        super().write(piece)
        self._progress(self.size)


def _progress(client: Client, descriptor: Descriptor, announced: bool = False) -> _Progress | None:
    """The reporter of a blob's transfer; ``announced`` when ``done=0`` was reported."""
    callback = client.on_progress
    return None if callback is None else _Progress(callback, descriptor, 0 if announced else -1)


def _reporters(client: Client, announced: bool) -> Callable[[Descriptor], _Progress | None]:
    """The reporter of each blob of an operation, one per digest."""
    return _once(lambda descriptor: _progress(client, descriptor, announced))


def _announce(client: Client, descriptors: Iterable[Descriptor]) -> None:
    """Reports the blobs about to be transferred with ``done=0``, before any of them moves."""
    callback = client.on_progress
    if callback is not None:
        for descriptor in descriptors:
            callback(descriptor, 0, descriptor.size)


def _finish(
    reporters: Callable[[Descriptor], _Progress | None], descriptors: Iterable[Descriptor]
) -> None:
    """Reports the blobs of an operation that is done as whole (also those that existed, or
    were mounted), each change once."""
    for descriptor in descriptors:
        progress = reporters(descriptor)
        if progress is not None:
            progress.finish()


# Small shapes -------------------------------------------------------------------------------


# Named tuples, not dataclasses: dataclasses imports inspect, a few ms of every pull's start.


class Pulled(NamedTuple):
    """What :meth:`Client.pull` wrote: the manifest, and the files by title. For a collection
    (an index): the index, each child's files under the child's folder (its title in the
    index, else ``<algorithm>-<hex>`` of its digest), and ``children``, those folders."""

    manifest: Union[Manifest, Index]
    files: tuple[Path, ...]
    children: tuple[Path, ...] = ()


class TagsPage(NamedTuple):
    """One page of a repository's tags (:meth:`Client.list_tags_page`, JS ``listTagsPage``):
    ``tags``, and ``next``, the ``last`` that asks for the following page (this page's last
    tag), or ``None`` after the last page."""

    tags: list[str]
    next: Optional[str]


def tags_page_operation(
    session: RegistrySession, reference: Reference, n: int | None, last: str | None
) -> ListTags:
    """The core's ``ListTags`` for one page of ``n`` tags after ``last``."""
    return ListTags(session, reference, page_size=page_size(n, "n"), last=last)


def page_size(value: Any, name: str) -> int | None:
    """``value``, a listing's page size (``None``: the registry's choice), or
    ``OPTIONS_INVALID`` when it is not a whole number from 1 to 2^32 - 1 (a ``bool`` is not
    one), with JS's client's words: a page of 0 would list nothing."""
    if value is None or (
        isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**32
    ):
        return value
    shown = json.dumps(value) if isinstance(value, (str, bool)) else repr(value)
    reason = f"{name} must be from 1 to 2^32 - 1, not {shown}"
    raise ValidationError(reason, code="OPTIONS_INVALID", details={"reason": reason})


def tags_page(page: Page) -> TagsPage:
    """The core decides whether a page is the last (``ListTags.next_page``): not after a
    ``Link`` to another, nor after a full page of ``n`` from a registry that sends no ``Link``;
    a page of more than ``n`` is the whole list from a registry that ignores ``n``; and the
    ``last`` that asks for the following page (``Page.next``)."""
    return TagsPage(tags=[str(tag) for tag in page.items], next=page.next)


def _at(reference: Reference, digest: str) -> Reference:
    """The same repository, at ``digest``."""
    return Reference.parse(f"{reference.registry}/{reference.repository}@{digest}")


def _tagged(reference: Reference, tag: str) -> Reference:
    return Reference.parse(f"{reference.registry}/{reference.repository}:{tag}")


def _media_type(data: bytes, media_type: str | None) -> str:
    """The media type to PUT a document with: ``media_type``, else its ``mediaType``."""
    if media_type:
        return media_type
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ValidationError(
            f"the manifest is not JSON: {reason}",
            code="JSON_INVALID",
            details={"reason": reason},
        ) from None
    found = document.get("mediaType") if isinstance(document, dict) else None
    if not isinstance(found, str) or not found:
        raise ValidationError(
            "the manifest has no mediaType; pass media_type", code="FIELD_MISSING",
            details={"field": "mediaType"},
        )  # fmt: skip
    return found


def _plain(descriptor: Descriptor) -> Descriptor:
    """A descriptor of media type, digest and size only (what push_manifest returns)."""
    return Descriptor(
        media_type=descriptor.media_type, digest=descriptor.digest, size=descriptor.size
    )


def _once(make: Callable[[Descriptor], T]) -> Callable[[Descriptor], T]:
    """``make`` called once per digest; later calls get the same object."""
    made: dict[str, T] = {}
    lock = threading.Lock()

    def get(descriptor: Descriptor) -> T:
        with lock:
            found = made.get(descriptor.digest)
            if found is None:
                found = made[descriptor.digest] = make(descriptor)
            return found

    return get


def _packed_source(
    blobs: Mapping[str, Any], descriptor: Descriptor, reference: Reference
) -> BlobSource:
    """The content of a packed blob the engine asks to upload; ``BLOB_UNKNOWN`` for one packed
    by digest alone (``File.from_digest``), which the repository turned out not to have."""
    blob = blobs[descriptor.digest]
    if blob.data is None and blob.path is None:
        raise OciError(
            f"{descriptor.digest} has no content to upload (File.from_digest) "
            f"and is not in {reference.registry}/{reference.repository}",
            code="BLOB_UNKNOWN",
            details={"digest": descriptor.digest},
        )
    return BlobSource(blob.data if blob.data is not None else blob.path)


def failure(
    kind: Literal["network", "tls", "timeout"],
    reason: str,
    request: Request,
    sink: BlobSink | None,
) -> Failure:
    """A transport failure as the engine's input; for a download, with what the sink holds
    from the blob's first byte (the engine asks for the rest with ``Range``)."""
    held = sink.size if sink is not None and request.stream else 0
    return Failure(kind, reason, received=held or None)


def interrupted(error: OciError, descriptor: Descriptor, url: str) -> UploadInterruptedError:
    """The error of an upload the network cut and the engine gave up resuming: the caller
    may go on later from its URL."""
    parts = urllib.parse.urlsplit(url)
    name = parts.netloc + parts.path[3:].split("/blobs/uploads/")[0]
    return UploadInterruptedError(
        f"the upload of {descriptor.digest} to {name} was interrupted "
        f"({error}); resume it with its upload URL {url}",
        reference=name,
        descriptor=descriptor,
        upload_url=url,
    )


# Files of a pull ----------------------------------------------------------------------------


def _destinations(
    output_dir: StrPath, files: Sequence[PulledFile], *, keep_old_files: bool = False
) -> list[Path]:
    """Where a pull writes each file of the core's pull plan in ``output_dir``. The core
    decided about the titles (relative, portable, no ``..``, no ``.git`` unless allowed, no
    two for one file); this checks, for every file before any is written, what only the
    filesystem can tell: a name or path too long for it, a link inside ``output_dir``
    leading out, and with ``keep_old_files`` a file that exists.

    Raises:
        ValidationError: ``ANNOTATION_INVALID`` for a path that leads out of ``output_dir``.
        PolicyError: ``PATH_UNSAFE`` for a path too long, or an existing file with
            ``keep_old_files``.
    """
    root = Path(output_dir).resolve()
    name_max, path_max = _name_limits(root)
    destinations: list[Path] = []
    # What each directory of the titles resolves to, whether that is inside ``root``, its
    # longest name and its encoded length: most titles share a few directories, and resolving
    # every path whole cost a system call per component of each.
    folders: dict[str, tuple[Path, bool, int, int]] = {}
    for file in files:
        title = file.path
        folder_title, _, name = title.rpartition("/")
        folder = folders.get(folder_title)
        if folder is None and os.sep == "/" and name not in ("", ".", ".."):
            unresolved = root / folder_title if folder_title else root
            resolved = unresolved.resolve()
            text = os.fsencode(unresolved)
            folder = folders[folder_title] = (
                resolved,
                resolved == root or root in resolved.parents,
                max((len(os.fsencode(part)) for part in unresolved.parts[1:]), default=0),
                len(text) + (not text.endswith(b"/")),
            )
        if folder is None or name in ("", ".", ".."):
            destination = _destination(root, title, name_max, path_max)
        else:
            resolved, inside, longest, length = folder
            named = len(os.fsencode(name))
            too_long = _too_long_sizes(longest, named, length + named, name_max, path_max)
            if too_long:
                raise _too_long_error(title, too_long)
            destination = resolved / name
            if os.path.islink(destination):
                # The name itself is a link: where it leads decides.
                destination = _destination(root, title, name_max, path_max)
            elif not inside:
                raise _outside_error(root, title)
        if keep_old_files and os.path.lexists(destination):
            raise PolicyError(
                f"{destination} exists; --keep-old-files (keep_old_files=True) keeps it, so "
                "nothing was pulled",
                code="PATH_UNSAFE",
                details={"path": str(destination), "reason": "exists (keep_old_files)"},
            )
        destinations.append(destination)
    return destinations


def _destination(root: Path, title: str, name_max: int, path_max: int) -> Path:
    """Where ``title`` is written in ``root`` (resolved whole), checked as
    :func:`_destinations` says."""
    too_long = _too_long(root / title, name_max, path_max)
    if too_long:
        raise _too_long_error(title, too_long)
    destination = (root / title).resolve()
    # A link already inside the output directory could still lead out of it.
    if root not in destination.parents:
        raise _outside_error(root, title)
    return destination


def _too_long_error(title: str, too_long: str) -> PolicyError:
    return PolicyError(
        f"{title[:200]!r} is {too_long}; it cannot be written, so nothing was pulled",
        code="PATH_UNSAFE",
        details={"path": title, "reason": too_long},
    )


def _outside_error(root: Path, title: str) -> ValidationError:
    return ValidationError(
        f"{title!r} would be written outside {root}",
        code="ANNOTATION_INVALID",
        details={"value": title, "reason": "the path leads out of the output directory"},
    )


# What a pull adds to a file's name for its temporary file (`.{name}.{24 hex}.part`).
_TEMPORARY_EXTRA = 32


def _name_limits(directory: Path) -> tuple[int, int]:
    """``NAME_MAX`` and ``PATH_MAX`` of the filesystem of ``directory`` (or of its nearest
    existing parent)."""
    while not directory.exists() and directory.parent != directory:
        directory = directory.parent
    try:
        return os.pathconf(directory, "PC_NAME_MAX"), os.pathconf(directory, "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):  # Windows: no pathconf
        return 255, 32767


def _too_long(path: Path, name_max: int, path_max: int) -> str | None:
    """Why a filesystem of these limits cannot hold ``path`` (with the temporary name a pull
    writes first): a name over ``NAME_MAX`` or a path over ``PATH_MAX``; ``None`` when it
    can."""
    names = [len(os.fsencode(part)) for part in path.parts[1:]] or [0]
    return _too_long_sizes(
        max(names[:-1], default=0), names[-1], len(os.fsencode(path)), name_max, path_max
    )


def _too_long_sizes(
    longest_folder: int, name: int, path: int, name_max: int, path_max: int
) -> str | None:
    """:func:`_too_long` from the encoded lengths: the longest directory name, the file's name
    and the whole path."""
    if longest_folder > name_max or name + _TEMPORARY_EXTRA > name_max:
        return f"a path with a name longer than {name_max} bytes"
    if path + _TEMPORARY_EXTRA >= path_max:
        return f"a path longer than {path_max} bytes"
    return None


def _make_directories(path: Path) -> list[Path]:
    """``path`` and its missing parents, made one by one (``mkdir(parents=True)`` recurses
    once per level, and a title may have thousands); returns those it made, outermost first."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    made = []
    for directory in reversed(missing):
        try:
            directory.mkdir()
            made.append(directory)
        except FileExistsError:
            if not directory.is_dir():
                raise
    return made


def _remove_empty(directories: list[Path]) -> None:
    """Removes ``directories`` (made by :func:`_make_directories`, outermost first) that are
    still empty, innermost first: a failed pull leaves no folder it made for nothing."""
    for directory in reversed(directories):
        try:
            directory.rmdir()
        except OSError:
            pass  # not empty (a file was placed there), or gone


class _Spool:
    """The temporary files of an operation's downloads, one per digest: the sink a download
    writes (hashed as it goes, never past the blob's size), then the source of its upload (a
    copy) or the file renamed into place (a pull). What is not placed is removed on close."""

    def __init__(self, directory: Path | None, client: Client, report: bool = True) -> None:
        self._directory = directory
        self._client = client
        self._report = report
        self.reporters = _reporters(client, announced=False)
        self._lock = threading.Lock()
        self._files: dict[str, tuple[str, IO[bytes], BlobSink]] = {}

    def sink(self, descriptor: Descriptor) -> BlobSink:
        digest = descriptor.digest
        with self._lock:
            found = self._files.get(digest)
        if found is not None:
            return found[2]
        # The file is made outside the lock (the other transfer threads ask for theirs at
        # the same time); a digest is downloaded by one task at a time, so no other thread
        # makes one for the same digest, but one that did would win and this file goes.
        if self._directory is None:
            import tempfile

            fd, name = tempfile.mkstemp(prefix="ocikit-", suffix=".blob")
        else:
            name = os.path.join(self._directory, f".ocikit-{os.urandom(12).hex()}.part")
            fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
        file = os.fdopen(fd, "wb", buffering=0)
        with self._lock:
            found = self._files.get(digest)
            if found is None:
                algorithm = digest.partition(":")[0]  # a descriptor's digest: parsed
                progress = self.reporters(descriptor) if self._report else None
                sink: BlobSink
                if progress is None:
                    sink = BlobSink(file, algorithm, empty=True, size_max=descriptor.size)
                else:
                    progress(0)
                    sink = _ReportingSink(
                        file, algorithm, progress, empty=True, size_max=descriptor.size
                    )
                self._files[digest] = (name, file, sink)
                return sink
        file.close()
        os.unlink(name)
        return found[2]

    def source(self, descriptor: Descriptor) -> BlobSource:
        with self._lock:
            name, file, _ = self._files[descriptor.digest]
        file.flush()
        return BlobSource(name)

    def place(self, digest: str, destination: Path) -> None:
        """Puts the download of ``digest`` at ``destination``: renamed, or copied when it
        was placed already (two titles, one digest)."""
        name, file, _ = self._files[digest]
        if not file.closed:
            if self._client.durable:
                os.fsync(file.fileno())
            file.close()
            os.replace(name, destination)
            self._files[digest] = (str(destination), file, self._files[digest][2])
            return
        import shutil

        temporary = destination.with_name(f".{destination.name}.{os.urandom(12).hex()}.part")
        try:
            shutil.copyfile(name, temporary)
            os.replace(temporary, destination)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def close(self) -> None:
        for name, file, _ in self._files.values():
            if not file.closed:
                file.close()
                Path(name).unlink(missing_ok=True)


# The calls ----------------------------------------------------------------------------------


def check_auth(client: Client) -> Call[None]:
    yield One(None, CheckAuth)


def resolve(client: Client, ref: Ref) -> Call[Descriptor]:
    reference = client._reference(ref)
    # The core's media type: Content-Type, else (a HEAD without one is followed by a GET)
    # the document's own mediaType.
    found = yield One(reference, lambda s: ResolveManifest(s, reference))
    return Descriptor(media_type=found.media_type, digest=found.digest, size=found.size)


def fetch(client: Client, ref: Ref) -> Call[FetchedManifest]:
    reference = client._reference(ref)
    fetched: FetchedManifest = yield One(reference, lambda s: GetManifest(s, reference))
    return fetched


def fetch_manifest(client: Client, ref: Ref) -> Call[Manifest]:
    return Manifest.from_json((yield from fetch(client, ref)).data)


def fetch_index(client: Client, ref: Ref) -> Call[Index]:
    return Index.from_json((yield from fetch(client, ref)).data)


def push_manifest(
    client: Client, ref: Ref, manifest: Manifest | Index | bytes, media_type: str | None
) -> Call[Descriptor]:
    """The core's ``Push`` of the manifest alone, as it is (no title rule: a document pull
    would refuse goes up too, as ``oras manifest push``): the PUT, and the subject's referrers
    tag kept on a registry without the referrers API."""
    reference = client._reference(ref)
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
    push = Push(reference, media_type, data, manifest_only=True)
    outcome: PushOutcome = yield Whole(push, client._session(reference.registry))
    return _plain(outcome.descriptor)


def tag(client: Client, ref: Ref, tag: str) -> Call[Descriptor]:
    reference = client._reference(ref)
    fetched = yield from fetch(client, reference)
    target = _tagged(reference, tag)
    media_type = fetched.media_type  # the core's: Content-Type, else the document's mediaType
    digest = yield One(target, lambda s: PutManifest(s, target, media_type, fetched.data))
    return Descriptor(media_type=media_type, digest=digest, size=len(fetched.data))


def delete_manifest(client: Client, ref: Ref) -> Call[DeleteOutcome]:
    reference = client._reference(ref)
    outcome: DeleteOutcome = yield Whole(Delete(reference), client._session(reference.registry))
    return outcome


def tags_of(client: Client, ref: Ref, digest: str | Digest | None) -> Call[TagsOfOutcome]:
    reference = client._reference(ref)
    if digest is None:
        digest = reference.digest or (yield from resolve(client, reference)).digest
    operation = TagsOf(reference, digest)
    outcome: TagsOfOutcome = yield Whole(operation, client._session(reference.registry))
    return outcome


def list_tags(client: Client, ref: Ref) -> Call[list[str]]:
    reference = client._reference(ref)
    return list((yield One(reference, lambda s: ListTags(s, reference))))


def delete_blob(client: Client, ref: Ref, digest: str | Digest) -> Call[None]:
    reference = client._reference(ref)
    yield One(reference, lambda s: DeleteBlob(s, reference, digest))


def blob_size(client: Client, ref: Ref, digest: str | Digest) -> Call[Optional[int]]:
    reference = client._reference(ref)
    size: int | None = yield One(reference, lambda s: BlobExists(s, reference, digest))
    return size


def push_blob(
    client: Client,
    ref: Ref,
    descriptor: Descriptor,
    content: bytes | StrPath | BlobSource,
    mount_from: str | None = None,
    upload_url: str | None = None,
    announced: bool = False,
) -> Call[bool]:
    """A blob's upload (the core's ``PushBlob``, or ``PushBlob.resume`` from ``upload_url``);
    an upload the network cut and the engine gave up on raises ``UploadInterruptedError``."""
    reference = client._reference(ref)
    source = content if isinstance(content, BlobSource) else BlobSource(content)
    size = source.size()  # the core refuses content of another size than the descriptor's
    progress = _progress(client, descriptor, announced)
    if progress is not None:
        source = _ReportingSource(source, progress)
    holder: list[PushBlob] = []
    chunk = client.chunk_size or _RESUME_CHUNK

    def start(session: RegistrySession) -> PushBlob:
        push = PushBlob(
            session,
            reference,
            descriptor,
            mount_from=mount_from,
            chunk_size=client.chunk_size,
            content_size=size,
        )
        holder.append(push)
        return push

    def resume(session: RegistrySession) -> PushBlob:
        assert upload_url
        holder.append(
            PushBlob.resume(session, reference, descriptor, upload_url, chunk, content_size=size)
        )
        return holder[-1]

    try:
        # The engine resumes a cut upload as its retry policy says.
        sent = bool((yield One(reference, start if upload_url is None else resume, source=source)))
    except (NetworkError, OperationTimeoutError) as error:
        # The network failed (a local file failure ends the upload as it is).
        url = holder[-1].upload_url if holder else upload_url
        if not url:
            raise  # no upload session yet: nothing to resume
        raise interrupted(error, descriptor, url) from error
    if progress is not None:
        progress.finish()
    return sent


def fetch_blob(
    client: Client, ref: Ref, descriptor: Descriptor, path: StrPath | None
) -> Call[Optional[bytes]]:
    """A blob's download (the core's ``GetBlob``, continued with ``Range`` after a cut):
    verified, into memory or a temporary file renamed to ``path``."""
    reference = client._reference(ref)
    progress = _progress(client, descriptor)
    algorithm = Digest.parse(descriptor.digest).algorithm

    def download(file: IO[bytes], empty: bool = False) -> One:
        size = descriptor.size
        sink: BlobSink
        if progress is None:
            sink = BlobSink(file, algorithm, empty=empty, size_max=size)
        else:
            sink = _ReportingSink(file, algorithm, progress, empty=empty, size_max=size)
        return One(reference, lambda s: GetBlob(s, reference, descriptor), sink=sink)

    if path is None:
        buffer = io.BytesIO()
        yield download(buffer)
        if progress is not None:
            progress.finish()
        return buffer.getvalue()
    target = os.fspath(path)
    head, name = os.path.split(target)
    temporary = os.path.join(head, f".{name}.{os.urandom(12).hex()}.part")
    try:
        # Unbuffered: each piece goes from the receive buffer to the file in one write.
        with open(temporary, "xb", buffering=0) as file:
            yield download(file, empty=True)
            if client.durable:
                os.fsync(file.fileno())
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    if progress is not None:
        progress.finish()
    return None


def push(client: Client, ref: Ref, packed: Packed, dry_run: bool) -> Call[PushOutcome]:
    from ocikit._pack import Packed

    if not isinstance(packed, Packed):
        raise TypeError(f"push() takes a Packed artifact, not {type(packed).__name__!r}")
    return (yield from _push(client, client._reference(ref), packed, dry_run))


def attach(client: Client, ref: Ref, packed: Packed, dry_run: bool) -> Call[PushOutcome]:
    reference = client._reference(ref)
    if packed.manifest.subject is None:
        raise ValueError("attach() needs an artifact packed with a subject")
    return (yield from _push(client, _at(reference, packed.digest), packed, dry_run))


def _push(client: Client, reference: Reference, packed: Packed, dry_run: bool) -> Call[PushOutcome]:
    manifest = packed.manifest
    operation = Push(
        reference,
        manifest.media_type or OCI_MANIFEST,
        manifest.to_json(),
        chunk_size=client.chunk_size,
        dry_run=dry_run,
    )
    session = client._session(reference.registry)
    if dry_run:
        planned: PushOutcome = yield Whole(operation, session)
        return planned
    blobs = {blob.descriptor.digest: blob for blob in packed.blobs}
    _announce(client, (blob.descriptor for blob in blobs.values()))
    reporters = _reporters(client, announced=True)

    def source(descriptor: Descriptor) -> BlobSource:
        found = _packed_source(blobs, descriptor, reference)
        progress = reporters(descriptor)
        return found if progress is None else _ReportingSource(found, progress)

    outcome: PushOutcome = yield Whole(operation, session, sources=_once(source))
    _finish(reporters, (blob.descriptor for blob in outcome.blobs))
    return outcome


def create_index(
    client: Client,
    ref: Ref,
    sources: Sequence[str],
    artifact_type: str | None,
    annotations: Mapping[str, str] | None,
    tags: Iterable[str],
    push: bool,
) -> Call[Index]:
    """:func:`ocikit.create_index`'s steps (``_collections``) on ``ref``'s repository: pushed
    under its tag, else by digest."""
    from ocikit import _collections

    reference = client._reference(ref)
    steps = _collections.create_steps(
        reference.tag, sources, artifact_type, annotations, tags, push
    )
    return (yield from _collections.on_client(client, reference, steps))


def update_index(
    client: Client,
    ref: Ref,
    add: Sequence[str],
    remove: Sequence[str],
    merge: Sequence[str],
    artifact_type: str | None | object,
    annotations: Mapping[str, str] | None,
    tags: Iterable[str],
    push: bool,
) -> Call[Index]:
    """:func:`ocikit.update_index`'s steps (``_collections``) on the index ``ref`` names:
    pushed under its tag, by digest when ``ref`` is a digest."""
    from ocikit import _collections

    reference = client._reference(ref)
    steps = _collections.update_steps(
        reference.target,
        None if reference.digest else reference.tag,
        add,
        remove,
        merge,
        artifact_type,
        annotations,
        tags,
        push,
    )
    return (yield from _collections.on_client(client, reference, steps))


def referrers(client: Client, ref: Ref, artifact_type: str | None) -> Call[list[Descriptor]]:
    reference = client._reference(ref)
    digest = reference.digest or (yield from resolve(client, reference)).digest
    return list(
        (
            yield One(
                reference,
                lambda s: ListReferrers(s, reference, digest, artifact_type=artifact_type),
            )
        )
    )


def check_depth(depth: object) -> None:
    """Nothing, or ``OPTIONS_INVALID`` for a ``depth`` of ``discover`` that is not a whole
    number from 0 to 2^32 - 1 (a ``bool`` is not one), with JS's client's words."""
    if depth is None or (isinstance(depth, int) and not isinstance(depth, bool) and depth >= 0):
        if depth is None or depth < 2**32:
            return
        reason = f"depth must be at most 2^32 - 1, not {depth!r}"
    else:
        # JS's text: the value as String() shows a number, as JSON a string or a bool.
        shown = json.dumps(depth) if isinstance(depth, (str, bool)) else repr(depth)
        reason = f"depth must be a non-negative integer, not {shown}"
    raise ValidationError(reason, code="OPTIONS_INVALID", details={"reason": reason})


def discover(
    client: Client,
    ref: Ref,
    artifact_type: str | None,
    depth: int | None,
    limits: WalkLimits | None,
) -> Call[list[Referrer]]:
    check_depth(depth)
    reference = client._reference(ref)
    operation = Discover(reference, artifact_type=artifact_type, depth=depth, limits=limits)
    return list((yield Whole(operation, client._session(reference.registry))).referrers)


def probe_registry(client: Client, ref: Ref | None, profile: str | None) -> Call[dict[str, Any]]:
    """The core's ``ProbeRegistry`` (reads only) on the registry of ``ref`` (the client's when
    ``None``: ``/v2/`` and the credentials only); the report completed with the profile's
    facts. ``profile`` defaults to the client's ``registry_profile`` on its own registry."""
    reference = None if ref is None else client._reference(ref)
    host = client.registry if reference is None else reference.registry
    if profile is None and host == client.registry:
        profile = client.registry_profile
    operation = ProbeRegistry(host, reference, profile=profile)
    report: dict[str, Any] = yield Whole(operation, client._session(host))
    report["facts"] = registry_profile(report["profile"])["facts"]
    return report


def pull(
    client: Client,
    ref: Ref,
    output_dir: StrPath,
    keep_old_files: bool,
    allow_git: bool,
    unpack_limits: _archive.UnpackLimits | None,
) -> Call[Pulled]:
    """The core's ``Pull``: its plan (every title checked there) is checked against the
    filesystem (:func:`_destinations`) once the manifest is read and before any blob is asked
    for, so a refused pull downloads and writes nothing; the files are renamed into place
    only when every one is downloaded and verified, and every directory layer unpacked by the
    core's unpacker (within ``unpack_limits``; ``None``: the core's defaults) and checked."""
    if unpack_limits is not None and not isinstance(unpack_limits, _archive.UnpackLimits):
        kind = type(unpack_limits).__name__
        raise TypeError(f"unpack_limits is an ocikit.UnpackLimits or None, not {kind!r}")
    reference = client._reference(ref)
    output = Path(output_dir)
    operation = Pull(reference, allow_git=allow_git)
    spool = _Spool(output.resolve(), client)
    lock = threading.Lock()
    checked: list[Any] = []  # the destinations, or the error that refused them
    staged: dict[Path, _archive.StagedDirectory] = {}  # directory layers unpacked, not placed
    created: list[Path] = []  # the folders the pull made, removed again if it fails

    def destinations(files: Sequence[PulledFile]) -> list[Path]:
        with lock:
            if not checked:
                try:
                    checked.append(_destinations(output, files, keep_old_files=keep_old_files))
                    _make_directories(output)
                except BaseException as error:
                    checked.append(error)
            found = checked[0]
        if isinstance(found, BaseException):
            raise found
        paths: list[Path] = found
        return paths

    def sink(descriptor: Descriptor) -> BlobSink:
        # The first download asks: the plan is known, nothing is downloaded yet.
        destinations(operation.files or () if not checked else ())
        return spool.sink(descriptor)

    try:
        outcome = yield Whole(operation, client._session(reference.registry), sinks=sink)
        files = outcome.files
        placed = destinations(files)
        made: set[Path] = set()

        def make_parent(destination: Path) -> None:
            if destination.parent not in made:
                created.extend(_make_directories(destination.parent))
                made.add(destination.parent)

        # Directory layers (ORAS's unpack annotation) first: the core can refuse one (an
        # unsafe entry, a bound of unpack_limits), and then no file of the pull is in place.
        for file, destination in zip(files, placed):
            if _archive.should_unpack(file.descriptor):
                make_parent(destination)
                pieces = spool.source(file.descriptor).pieces(0, file.descriptor.size)
                staged[destination] = _archive.stage_directory(
                    pieces,
                    file.descriptor,
                    destination,
                    limits=unpack_limits,
                    allow_git=allow_git,
                )
        for file, destination in zip(files, placed):
            make_parent(destination)
            directory = staged.get(destination)
            if directory is not None:
                directory.commit()
            else:
                spool.place(file.descriptor.digest, destination)
    except BaseException:
        _remove_empty(created)
        raise
    finally:
        for directory in staged.values():
            directory.discard()
        spool.close()
    _finish(spool.reporters, outcome.downloads)
    if is_index_type(outcome.descriptor.media_type):
        folders = tuple(output.resolve() / child.path for child in outcome.children)
        return Pulled(Index.from_json(outcome.manifest), tuple(placed), folders)
    return Pulled(Manifest.from_json(outcome.manifest), tuple(placed))


def copy(
    client: Client,
    src_ref: Ref,
    dst_ref: Ref,
    referrers: bool,
    destination: Client | None,
    limits: WalkLimits | None,
    dry_run: bool,
) -> Call[CopyOutcome]:
    """The core's ``CopyArtifact``; blobs between registries pass through temporary files.
    ``destination`` is the client of the destination registry (default: ``client``)."""
    source = client._reference(src_ref)
    to = destination or client
    target = to._reference(dst_ref)
    operation = CopyArtifact(
        source,
        target,
        referrers=referrers,
        limits=limits,
        chunk_size=to.chunk_size,
        dry_run=dry_run,
    )
    sessions = [client._session(source.registry)]
    if to is not client or target.registry != source.registry:
        sessions.append(to._session(target.registry))
    # Each request goes with the transport of the client whose session the engine says it is
    # for (Action.registry), also when its URL names another host (a token realm, a
    # redirect's target): a layout's client answers from its layout. One registry on both
    # sides is one session, the source's (the binding keeps the first of a name).
    transports = {target.registry: to._transport, source.registry: client._transport}
    transport = transports.__getitem__

    if dry_run:
        planned: CopyOutcome = yield Whole(operation, sessions, transport=transport)
        return planned
    spool = _Spool(None, to, report=False)
    # Between registries a blob's upload is reported (from the spool), not its download.
    sources: Callable[[Descriptor], BlobSource] = spool.source
    if to.on_progress is not None:

        def sources(descriptor: Descriptor) -> BlobSource:
            progress = spool.reporters(descriptor)
            assert progress is not None
            return _ReportingSource(spool.source(descriptor), progress)

    try:
        outcome: CopyOutcome = yield Whole(
            operation, sessions, sources=sources, sinks=spool.sink, transport=transport
        )
    finally:
        spool.close()
    _finish(spool.reporters, (blob.descriptor for blob in outcome.blobs))
    return outcome
