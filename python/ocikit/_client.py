"""The registry client: the host of the sans-IO engine in ``ocikit._ocikit``.

Every registry conversation (authentication, retries, redirects, upload plans, pagination,
the referrers fallback, digest checks) is decided by the engine; this module performs the
requests it describes with a transport (``http.client`` by default), sleeps when it asks, moves
blob bytes between files and sockets in bounded memory, and runs blob transfers in parallel.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union

from ocikit import annotations
from ocikit._credentials import (
    Credentials,
    docker_credentials,
    erase_credentials,
    store_credentials,
)
from ocikit._files import StrPath
from ocikit._http import BlobSink, BlobSource, StdlibTransport, Transport
from ocikit._ocikit import (
    AddReferrer,
    BlobExists,
    CheckAuth,
    DeleteManifest,
    Descriptor,
    Digest,
    FetchedManifest,
    GetBlob,
    GetManifest,
    Index,
    ListReferrers,
    ListTags,
    Manifest,
    PushBlob,
    PutManifest,
    Reference,
    RegistrySession,
    ResolveManifest,
    RetryPolicy,
    check_title,
)
from ocikit._pack import Packed
from ocikit.errors import OciError, UploadInterruptedError, ValidationError

if TYPE_CHECKING:
    from concurrent.futures import Future

__all__ = ["Client", "ProgressCallback", "Pulled", "Referrer", "login", "logout"]

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
_INDEX_TYPES = {OCI_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json"}

# Chunk size for resuming an upload that was started monolithically.
_RESUME_CHUNK = 8 << 20

Ref = Union[str, Reference]
T = TypeVar("T")

ProgressCallback = Callable[[Descriptor, int, int], None]
"""``on_progress(descriptor, done, total)``: see :class:`Client`."""


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

    def pieces(self, offset: int, length: int) -> Iterator[memoryview]:
        done = offset
        self._progress(done)
        for piece in self._source.pieces(offset, length):
            yield piece
            done += len(piece)
            self._progress(done)

    def spans(self, offset: int, length: int) -> Iterator[tuple[IO[bytes], int, int]]:
        self._progress(offset)
        for span in self._source.spans(offset, length):
            yield span
            self._progress(span[1] + span[2])


class _ReportingSink(BlobSink):
    """A blob sink that reports the bytes written so far (back to 0, or to where a ranged
    answer continues, when a body starts)."""

    def __init__(
        self, file: IO[bytes], algorithm: str, progress: _Progress, *, empty: bool = False
    ) -> None:
        super().__init__(file, algorithm, empty=empty)
        self._progress = progress

    def start(self, append: bool) -> None:
        super().start(append)
        self._progress(self.size)

    def write(self, piece: memoryview) -> None:
        super().write(piece)
        self._progress(self.size)


@dataclass(frozen=True)
class Referrer:
    """One node of a :meth:`Client.discover` tree: an artifact that refers to its parent, and
    what refers to it in turn."""

    descriptor: Descriptor
    referrers: tuple[Referrer, ...] = ()


@dataclass(frozen=True)
class Pulled:
    """What :meth:`Client.pull` wrote: the manifest, and the files by title."""

    manifest: Manifest
    files: tuple[Path, ...]


def _reference(ref: Ref) -> Reference:
    return ref if isinstance(ref, Reference) else Reference.parse(ref)


def _at(reference: Reference, digest: str) -> Reference:
    """The same repository, at ``digest``."""
    return Reference.parse(f"{reference.registry}/{reference.repository}@{digest}")


def _tagged(reference: Reference, tag: str) -> Reference:
    return Reference.parse(f"{reference.registry}/{reference.repository}:{tag}")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _document_types(data: bytes, media_type: str | None) -> tuple[str, Optional[Descriptor]]:
    """The media type to PUT a document with, and its subject, read from its bytes."""
    try:
        document = json.loads(data)
    except ValueError as error:
        raise ValidationError(
            f"the manifest is not JSON: {error}",
            code="JSON_INVALID",
            details={"reason": str(error)},
        ) from error
    if not isinstance(document, dict):
        raise ValidationError("the manifest is not a JSON object", code="JSON_INVALID")
    media_type = media_type or document.get("mediaType")
    if not media_type:
        raise ValidationError(
            "the manifest has no mediaType; pass media_type", code="FIELD_MISSING",
            details={"field": "mediaType"},
        )  # fmt: skip
    subject = document.get("subject")
    return media_type, None if subject is None else Descriptor.from_json(json.dumps(subject))


def _referrer_descriptor(descriptor: Descriptor, document: Manifest | Index) -> Descriptor:
    """A document's entry in a referrers index, with the media type it was pushed as."""
    if isinstance(document, Manifest):
        listed = document.referrer_descriptor
        annotations, artifact_type = listed.annotations, listed.artifact_type
    else:
        annotations, artifact_type = document.annotations, document.artifact_type
    return Descriptor(
        media_type=descriptor.media_type,
        digest=descriptor.digest,
        size=descriptor.size,
        annotations=dict(annotations) or None,
        artifact_type=artifact_type,
    )


def _referrer_tree(
    referrers: Callable[[str], list[Descriptor]], root: str, depth: int | None
) -> list[Referrer]:
    """The tree of what refers to ``root``, ``depth`` levels down (all when ``None``), from
    ``referrers(digest)``, the direct referrers of one manifest."""
    seen = {root}

    def level(digest: str, remaining: int | None) -> list[Referrer]:
        if remaining == 0:
            return []
        nodes = []
        for descriptor in referrers(digest):
            if descriptor.digest in seen:
                continue  # a cycle cannot be built with digests, but a registry can lie
            seen.add(descriptor.digest)
            below = level(descriptor.digest, None if remaining is None else remaining - 1)
            nodes.append(Referrer(descriptor, tuple(below)))
        return nodes

    return level(root, depth)


def _pull_plan(manifest: Manifest, output_dir: StrPath) -> list[tuple[Descriptor, Path]]:
    """Where :meth:`Client.pull` writes each titled layer of ``manifest`` (creating
    ``output_dir``); every title is checked before anything is written.

    Raises:
        ValidationError: ``ANNOTATION_INVALID`` for a title that is refused.
    """
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    root = output.resolve()
    plan: list[tuple[Descriptor, Path]] = []
    seen: set[Path] = set()
    for layer in manifest.layers:
        title = layer.annotations.get(annotations.TITLE)
        if title is None:
            continue
        check_title(title)  # relative, no `..`, portable
        destination = (root / title).resolve()
        # A link already inside the output directory could still lead out of it.
        if root not in destination.parents:
            raise ValidationError(
                f"{title!r} would be written outside {root}",
                code="ANNOTATION_INVALID",
                details={
                    "value": title,
                    "reason": "the path leads out of the output directory",
                },
            )
        if destination in seen:
            raise ValidationError(
                f"two layers have the title {title!r}",
                code="ANNOTATION_INVALID",
                details={"value": title, "reason": "duplicate title"},
            )
        seen.add(destination)
        plan.append((layer, destination))
    return plan


class Client:
    """A client of one registry (and of others a copy reaches), built on the sans-IO engine.

    ``registry`` is ``host[:port]``; references passed to the methods name their registry, and
    ``credentials`` apply to this one: ``(username, password)``, a dict with ``refresh_token``
    or ``access_token``, ``"docker"`` for what Docker's ``config.json`` holds (for every
    registry), or ``None`` for anonymous access. ``plain_http`` reaches registries over plain
    HTTP (a loopback test registry). Blob transfers run ``concurrency`` at a time; uploads go in
    chunks of ``chunk_size`` bytes when given, else in one request each.

    ``retry_policy`` (an :class:`ocikit.RetryPolicy`) says how often requests answered with
    408, 429 or 5xx are sent again and how long to wait in between (``Retry-After`` is
    honoured up to its ``max_delay_ms``); it also paces the resumption of blob transfers cut
    off by the network, which are resumed from where they stopped (downloads with ``Range``,
    uploads from the offset the registry reports) up to ``max_retries`` times. An upload that
    still cannot go on raises :class:`ocikit.UploadInterruptedError`, which carries the
    upload's URL for :meth:`push_blob` to resume it later.

    ``on_progress(descriptor, done, total)`` is called as blob bytes move, by
    :meth:`push`, :meth:`attach`, :meth:`pull`, :meth:`copy`, :meth:`push_blob` and
    :meth:`fetch_blob`: ``done`` of the blob's ``total`` bytes are transferred. :meth:`push`
    and :meth:`pull` first report each blob they will transfer with ``done=0``, so that a
    caller can add up the totals; every blob ends with ``done == total``, also when the
    repository already had it or it was mounted. ``done`` goes back when a transfer restarts
    from an earlier offset (a resumed upload, a download the registry sent again whole). The
    callback runs on the transfer threads, possibly on several at once, between pieces of at
    most 1 MiB: keep it short and thread-safe. An exception it raises aborts the transfer.
    :meth:`copy` between registries reports the upload of each blob, not its download.

    Downloaded files are written to a temporary file, verified, and renamed into place, so a
    file never holds unverified bytes. With ``durable``, each is also flushed to disk
    (``fsync``) before the rename, so that a crash cannot leave an empty file behind; it costs
    a disk flush per file, which ORAS, oras-py and skopeo do not pay either, so it is off by
    default.

    The client is thread-safe and keeps connections alive; close it (or use it as a context
    manager) to close them. Errors are :class:`ocikit.RegistryError` (``AuthenticationError``
    for 401/403), :class:`ocikit.DigestMismatchError`, :class:`ocikit.ValidationError`, and
    ``OSError`` for network and file failures.
    """

    def __init__(
        self,
        registry: str,
        *,
        plain_http: bool = False,
        credentials: Credentials | str | None = None,
        concurrency: int = 4,
        chunk_size: int | None = None,
        transport: Transport | None = None,
        retry_policy: RetryPolicy | None = None,
        on_progress: ProgressCallback | None = None,
        durable: bool = False,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if chunk_size is not None and chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        if isinstance(credentials, str) and credentials != "docker":
            raise ValueError('credentials must be a tuple, a dict, "docker" or None')
        self.registry = registry
        self.plain_http = plain_http
        self.concurrency = concurrency
        self.chunk_size = chunk_size
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        self.on_progress = on_progress
        self.durable = durable
        self._credentials = credentials
        self._transport: Transport = transport if transport is not None else StdlibTransport()
        self._sessions: dict[str, RegistrySession] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Client({self.registry!r}, plain_http={self.plain_http})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the transport's connections."""
        self._transport.close()

    # The engine loop ----------------------------------------------------------------------

    def _session(self, registry: str) -> RegistrySession:
        with self._lock:
            session = self._sessions.get(registry)
            if session is None:
                credentials: Any = None
                if self._credentials == "docker":
                    credentials = docker_credentials(registry)
                elif registry == self.registry:
                    credentials = self._credentials
                session = RegistrySession(
                    registry,
                    plain_http=self.plain_http,
                    credentials=credentials,
                    retry_policy=self.retry_policy,
                )
                self._sessions[registry] = session
            return session

    def _run(
        self,
        reference: Reference | None,
        make: Callable[[RegistrySession], Any],
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Any:
        """Drives one operation to its end: sends what it asks, sleeps when it asks. Without a
        reference, the operation is on the client's own registry."""
        session = self._session(self.registry if reference is None else reference.registry)
        operation = make(session)
        event = operation.next(session, None, _now_ms())
        while event.kind != "done":
            if event.kind == "wait":
                time.sleep(event.ms / 1000)
                event = operation.next(session, "resume", _now_ms())
            else:
                response = self._transport.send(event.request, source=source, sink=sink)
                event = operation.next(session, response, _now_ms())
        return event.value

    def _resume_delay(self, attempt: int) -> float:
        """Seconds to wait before resuming a transfer for the ``attempt``-th time (1-based):
        the retry policy's backoff."""
        policy = self.retry_policy
        return min(policy.base_delay_ms << (attempt - 1), policy.max_delay_ms) / 1000

    def _progress(self, descriptor: Descriptor, announced: bool = False) -> _Progress | None:
        """The reporter of a blob's transfer; ``announced`` when ``done=0`` was reported."""
        callback = self.on_progress
        return None if callback is None else _Progress(callback, descriptor, 0 if announced else -1)

    def _parallel(self, tasks: Sequence[Callable[[], T]]) -> list[T]:
        """Runs ``tasks`` ``concurrency`` at a time; the first failure cancels the rest and
        is raised."""
        if len(tasks) <= 1 or self.concurrency == 1:
            return [task() for task in tasks]
        # Imported here: concurrent.futures (and the logging it loads) costs start-up time.
        from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(tasks))) as pool:
            futures: list[Future[T]] = [pool.submit(task) for task in tasks]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
            return [future.result() for future in futures]

    # Manifests ----------------------------------------------------------------------------

    def check_auth(self) -> None:
        """Checks the credentials against the registry the way ``docker login`` does
        (``GET /v2/``, answering its Basic or Bearer challenge).

        Raises:
            AuthenticationError: ``UNAUTHORIZED`` when the registry rejects them.
        """
        self._run(None, CheckAuth)

    def resolve(self, ref: Ref) -> Descriptor:
        """The descriptor (media type, digest, size) of the manifest ``ref`` names.

        Raises:
            RegistryError: ``MANIFEST_UNKNOWN`` and the like.
        """
        reference = _reference(ref)
        resolved = self._run(reference, lambda s: ResolveManifest(s, reference))
        return Descriptor(
            media_type=resolved.media_type or OCI_MANIFEST,
            digest=resolved.digest,
            size=resolved.size,
        )

    def fetch(self, ref: Ref) -> FetchedManifest:
        """The manifest or index ``ref`` names, as served: exact bytes, digest, media type
        (checked against a digest in ``ref`` and ``Docker-Content-Digest``)."""
        reference = _reference(ref)
        return self._run(reference, lambda s: GetManifest(s, reference))

    def fetch_manifest(self, ref: Ref) -> Manifest:
        """The image manifest ``ref`` names, with its exact bytes.

        Raises:
            ValidationError: the document is not a manifest (``MEDIA_TYPE_MISMATCH`` for an
                index).
        """
        return Manifest.from_json(self.fetch(ref).data)

    def fetch_index(self, ref: Ref) -> Index:
        """The image index ``ref`` names, with its exact bytes."""
        return Index.from_json(self.fetch(ref).data)

    def push_manifest(
        self,
        ref: Ref,
        manifest: Manifest | Index | bytes,
        media_type: str | None = None,
    ) -> Descriptor:
        """Uploads a manifest or index (its exact bytes) under ``ref``'s tag, or its digest.

        ``media_type`` defaults to the document's ``mediaType``. When the document has a
        subject and the registry did not index it for the referrers API, the subject's
        referrers tag is updated (the distribution spec's fallback).
        """
        reference = _reference(ref)
        if isinstance(manifest, (Manifest, Index)):
            data = manifest.to_json()
            media_type = (
                media_type
                or manifest.media_type
                or (OCI_MANIFEST if isinstance(manifest, Manifest) else OCI_INDEX)
            )
            subject = manifest.subject
        else:
            data = bytes(manifest)
            media_type, subject = _document_types(data, media_type)
        return self._put_manifest(reference, data, media_type, subject)

    def _put_manifest(
        self,
        reference: Reference,
        data: bytes,
        media_type: str,
        subject: Descriptor | None,
    ) -> Descriptor:
        put: list[PutManifest] = []

        def make(session: RegistrySession) -> PutManifest:
            put.append(PutManifest(session, reference, media_type, data))
            return put[0]

        digest = self._run(reference, make)
        descriptor = Descriptor(media_type=media_type, digest=digest, size=len(data))
        if subject is not None and not put[0].subject_processed:
            document: Manifest | Index = (
                Index.from_json(data) if media_type in _INDEX_TYPES else Manifest.from_json(data)
            )
            referrer = _referrer_descriptor(descriptor, document)
            self._run(reference, lambda s: AddReferrer(s, reference, subject.digest, referrer))
        return descriptor

    def tag(self, ref: Ref, tag: str) -> Descriptor:
        """Tags the manifest ``ref`` names with ``tag`` in the same repository (its exact bytes
        are uploaded again under the tag, as registries have no other way)."""
        reference = _reference(ref)
        fetched = self.fetch(reference)
        target = _tagged(reference, tag)
        media_type = fetched.media_type or _document_types(fetched.data, None)[0]
        digest = self._run(target, lambda s: PutManifest(s, target, media_type, fetched.data))
        return Descriptor(media_type=media_type, digest=digest, size=len(fetched.data))

    def delete_manifest(self, ref: Ref) -> None:
        """Deletes the manifest ``ref`` names (a tag is resolved to its digest first).

        Raises:
            RegistryError: ``UNSUPPORTED`` when the registry does not allow deletes.
        """
        reference = _reference(ref)
        digest = reference.digest or self.resolve(reference).digest
        self._run(reference, lambda s: DeleteManifest(s, reference, digest))

    def list_tags(self, ref: Ref) -> list[str]:
        """Every tag of ``ref``'s repository."""
        reference = _reference(ref)
        return list(self._run(reference, lambda s: ListTags(s, reference)))

    # Blobs ---------------------------------------------------------------------------------

    def blob_size(self, ref: Ref, digest: str | Digest) -> int | None:
        """The size of the blob ``digest`` in ``ref``'s repository, or ``None`` when the
        repository does not have it."""
        reference = _reference(ref)
        size: int | None = self._run(reference, lambda s: BlobExists(s, reference, digest))
        return size

    def blob_exists(self, ref: Ref, digest: str | Digest) -> bool:
        """Whether ``ref``'s repository has the blob ``digest``."""
        return self.blob_size(ref, digest) is not None

    def push_blob(
        self,
        ref: Ref,
        descriptor: Descriptor,
        source: bytes | StrPath,
        *,
        mount_from: str | None = None,
        upload_url: str | None = None,
    ) -> bool:
        """Uploads a blob unless ``ref``'s repository has it; whether it was sent (or mounted).

        ``source`` is its bytes (any buffer) or the path of a file with them, read in pieces.
        ``mount_from`` names a repository of the same registry to mount the blob from first.
        An upload cut off mid-way is resumed from where the registry got to.

        ``upload_url`` resumes an earlier upload instead of starting one: the
        :attr:`~ocikit.UploadInterruptedError.upload_url` of the error that upload raised. The
        registry is asked how much it has, and only the rest is sent. When the registry no
        longer knows that upload (it expired, or the registry dropped it: distribution does
        when the interruption cut a chunk mid-way), the blob is sent again from the start.

        Raises:
            DigestMismatchError: the registry computed another digest.
            UploadInterruptedError: the registry went away mid-upload and did not come back
                in time (see the retry policy).
            OSError: the file cannot be read, or the registry cannot be reached.
        """
        reference = _reference(ref)
        return self._push_blob(
            reference, descriptor, BlobSource(source), mount_from, upload_url or None
        )

    def _push_blob(
        self,
        reference: Reference,
        descriptor: Descriptor,
        source: BlobSource,
        mount_from: str | None = None,
        upload_url: str | None = None,
        announced: bool = False,
    ) -> bool:
        progress = self._progress(descriptor, announced)
        if progress is not None:
            source = _ReportingSource(source, progress)
        holder: list[PushBlob] = []
        chunk = self.chunk_size or _RESUME_CHUNK

        def start(session: RegistrySession) -> PushBlob:
            holder.append(
                PushBlob(
                    session,
                    reference,
                    descriptor,
                    mount_from=mount_from,
                    chunk_size=self.chunk_size,
                )  # fmt: skip
            )
            return holder[-1]

        def resume(session: RegistrySession) -> PushBlob:
            url = holder[-1].upload_url if holder else upload_url
            assert url
            holder.append(PushBlob.resume(session, reference, descriptor, url, chunk))
            return holder[-1]

        make: Callable[[RegistrySession], PushBlob] = start if upload_url is None else resume
        attempts = self.retry_policy.max_retries
        for attempt in range(1, attempts + 2):
            try:
                sent = bool(self._run(reference, make, source=source))
            except OSError as error:
                url = holder[-1].upload_url if holder else upload_url
                if not url:
                    raise  # no upload session yet: nothing to resume
                if attempt > attempts:
                    name = f"{reference.registry}/{reference.repository}"
                    raise UploadInterruptedError(
                        f"the upload of {descriptor.digest} to {name} was interrupted "
                        f"({error}); resume it with its upload URL {url}",
                        reference=name,
                        descriptor=descriptor,
                        upload_url=url,
                    ) from error
                time.sleep(self._resume_delay(attempt))
                make = resume
                continue
            if progress is not None:
                progress.finish()
            return sent
        raise AssertionError("unreachable")

    def fetch_blob(
        self, ref: Ref, descriptor: Descriptor, path: StrPath | None = None
    ) -> bytes | None:
        """Downloads a blob, checked against ``descriptor``'s digest and size.

        Without ``path`` it returns the bytes. With ``path`` it streams them to a temporary
        file next to it (bounded memory, resumed with ``Range`` when the connection drops) and
        renames that to ``path`` only once verified, returning ``None``.

        Raises:
            DigestMismatchError: the content does not match (nothing is left at ``path``).
            RegistryError: ``BLOB_UNKNOWN`` and the like.
        """
        return self._fetch_blob(_reference(ref), descriptor, path, self._progress(descriptor))

    def _fetch_blob(
        self,
        reference: Reference,
        descriptor: Descriptor,
        path: StrPath | None,
        progress: _Progress | None,
    ) -> bytes | None:
        algorithm = Digest.parse(descriptor.digest).algorithm

        def sink(file: IO[bytes], empty: bool = False) -> BlobSink:
            if progress is None:
                return BlobSink(file, algorithm, empty=empty)
            return _ReportingSink(file, algorithm, progress, empty=empty)

        if path is None:
            buffer = io.BytesIO()
            self._download(reference, descriptor, sink(buffer))
            if progress is not None:
                progress.finish()
            return buffer.getvalue()
        target = os.fspath(path)
        head, name = os.path.split(target)
        temporary = os.path.join(head, f".{name}.{os.urandom(12).hex()}.part")
        try:
            # Unbuffered: each piece goes from the receive buffer to the file in one write.
            with open(temporary, "xb", buffering=0) as file:
                self._download(reference, descriptor, sink(file, empty=True))
                if self.durable:
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

    def _download(self, reference: Reference, descriptor: Descriptor, sink: BlobSink) -> None:
        attempts = self.retry_policy.max_retries
        for attempt in range(1, attempts + 2):
            have = sink.size
            try:
                self._run(
                    reference,
                    lambda s: GetBlob(s, reference, descriptor, have=have),
                    sink=sink,
                )
                return
            except OSError:
                if attempt > attempts:
                    raise
                time.sleep(self._resume_delay(attempt))

    # Artifacts -----------------------------------------------------------------------------

    def push(self, ref: Ref, packed: Packed) -> Descriptor:
        """Pushes a packed artifact: its blobs (``concurrency`` at a time; those the repository
        has are skipped), then the manifest under ``ref``'s tag (or its digest). With a subject
        on a registry without the referrers API, the subject's referrers tag is updated.

        Blobs made with ``File.from_digest`` must already be in the repository.

        Raises:
            RegistryError: ``BLOB_UNKNOWN`` for a ``from_digest`` blob the repository lacks.
        """
        reference = _reference(ref)
        if not isinstance(packed, Packed):
            raise TypeError(f"push() takes a Packed artifact, not {type(packed).__name__!r}")

        def upload(blob: Any) -> bool:
            if blob.data is None and blob.path is None:
                if not self.blob_exists(reference, blob.descriptor.digest):
                    raise OciError(
                        f"{blob.descriptor.digest} has no content to upload (File.from_digest) "
                        f"and is not in {reference.registry}/{reference.repository}",
                        code="BLOB_UNKNOWN",
                        details={"digest": blob.descriptor.digest},
                    )
                progress = self._progress(blob.descriptor, announced=True)
                if progress is not None:
                    progress.finish()
                return False
            source = BlobSource(blob.data if blob.data is not None else blob.path)
            return self._push_blob(reference, blob.descriptor, source, announced=True)

        self._announce(blob.descriptor for blob in packed.blobs)
        self._parallel([lambda blob=blob: upload(blob) for blob in packed.blobs])
        manifest = packed.manifest
        return self._put_manifest(
            reference,
            manifest.to_json(),
            manifest.media_type or OCI_MANIFEST,
            manifest.subject,
        )

    def _announce(self, descriptors: Iterable[Descriptor]) -> None:
        """Reports the blobs about to be transferred with ``done=0``, before any of them moves."""
        callback = self.on_progress
        if callback is not None:
            for descriptor in descriptors:
                callback(descriptor, 0, descriptor.size)

    def attach(self, ref: Ref, packed: Packed) -> Descriptor:
        """Pushes an artifact that refers to another (``pack(..., subject=...)``) into the
        repository of ``ref`` (the subject's reference), by digest, and records it as a
        referrer of its subject.

        Raises:
            ValueError: the artifact has no subject.
        """
        reference = _reference(ref)
        subject = packed.manifest.subject
        if subject is None:
            raise ValueError("attach() needs an artifact packed with a subject")
        return self.push(_at(reference, packed.digest), packed)

    def referrers(self, ref: Ref, artifact_type: str | None = None) -> list[Descriptor]:
        """What refers to the manifest ``ref`` names (the referrers API, or the referrers tag
        schema), optionally only artifacts of ``artifact_type``."""
        reference = _reference(ref)
        digest = reference.digest or self.resolve(reference).digest
        return list(
            self._run(
                reference,
                lambda s: ListReferrers(s, reference, digest, artifact_type=artifact_type),
            )
        )

    def discover(
        self, ref: Ref, artifact_type: str | None = None, depth: int | None = None
    ) -> list[Referrer]:
        """The tree of referrers of ``ref``: what refers to it, what refers to those, and so
        on, ``depth`` levels down (all when ``None``), each level filtered by
        ``artifact_type`` when given."""
        reference = _reference(ref)
        root = reference.digest or self.resolve(reference).digest
        return _referrer_tree(
            lambda digest: self.referrers(_at(reference, digest), artifact_type), root, depth
        )

    def pull(self, ref: Ref, output_dir: StrPath) -> Pulled:
        """Writes the files of the artifact ``ref`` names into ``output_dir``, named by their
        titles (``org.opencontainers.image.title``; layers without one are skipped).

        Every title is checked before anything is written: absolute paths, ``..`` and paths
        that would lead out of ``output_dir`` through a link are refused. Each file is
        downloaded to a temporary file, verified, then renamed into place, ``concurrency`` at a
        time, in bounded memory whatever its size.

        Raises:
            ValidationError: ``ANNOTATION_INVALID`` for a title that is refused.
        """
        reference = _reference(ref)
        manifest = self.fetch_manifest(reference)
        plan = _pull_plan(manifest, output_dir)

        made = {Path(output_dir).resolve()}  # directories known to exist

        def fetch(layer: Descriptor, destination: Path) -> Path:
            parent = destination.parent
            if parent not in made:
                parent.mkdir(parents=True, exist_ok=True)
                made.add(parent)
            self._fetch_blob(reference, layer, destination, self._progress(layer, announced=True))
            return destination

        self._announce(layer for layer, _ in plan)
        files = self._parallel(
            [lambda layer=layer, path=path: fetch(layer, path) for layer, path in plan]
        )
        return Pulled(manifest, tuple(files))

    def copy(
        self,
        src_ref: Ref,
        dst_ref: Ref,
        *,
        referrers: bool = False,
        destination: Client | None = None,
    ) -> Descriptor:
        """Copies the manifest or index ``src_ref`` names, and everything it references, to
        ``dst_ref`` (tagged with its tag, else the source's tag, else by digest). Within one
        registry blobs are mounted instead of copied. ``destination`` is the client for the
        destination registry (default: this one). With ``referrers``, the artifacts that refer
        to the copied manifests are copied too, recursively.

        Blobs between registries pass through temporary files (bounded memory).
        """
        source = _reference(src_ref)
        target = _reference(dst_ref)
        to = destination or self
        tag = target.tag or (None if target.digest else source.tag)
        root = self._copy_document(source, source.target, target, to, tag)
        if referrers:
            self._copy_referrers(source, root.digest, target, to, {root.digest})
        return root

    def _copy_document(
        self,
        source: Reference,
        name: str,
        target: Reference,
        to: Client,
        tag: str | None = None,
    ) -> Descriptor:
        """Copies the manifest or index ``name`` (a tag or digest) of ``source``'s repository,
        children first, to ``target``'s repository under ``tag`` (else by digest)."""
        # A digest has a colon; a tag cannot (the reference grammar).
        fetched = self.fetch(_at(source, name) if ":" in name else _tagged(source, name))
        media_type = fetched.media_type or _document_types(fetched.data, None)[0]
        document = json.loads(fetched.data)
        if media_type in _INDEX_TYPES:
            children = [Descriptor.from_json(json.dumps(d)) for d in document.get("manifests", [])]
            self._parallel(
                [
                    lambda child=child: self._copy_document(source, child.digest, target, to)
                    for child in children
                ]
            )
        else:
            blobs = [document.get("config"), *(document.get("layers") or [])]
            unique = {
                d.digest: d for d in (Descriptor.from_json(json.dumps(b)) for b in blobs if b)
            }
            self._parallel(
                [lambda d=d: self._copy_blob(source, target, to, d) for d in unique.values()]
            )
        destination = _tagged(target, tag) if tag else _at(target, fetched.digest)
        subject = document.get("subject")
        return to._put_manifest(
            destination,
            fetched.data,
            media_type,
            None if subject is None else Descriptor.from_json(json.dumps(subject)),
        )

    def _copy_blob(
        self, source: Reference, target: Reference, to: Client, descriptor: Descriptor
    ) -> None:
        if to.blob_exists(target, descriptor.digest):
            progress = to._progress(descriptor)
            if progress is not None:
                progress.finish()
            return
        same_registry = to is self and source.registry == target.registry
        mount_from = (
            source.repository if same_registry and source.repository != target.repository else None
        )
        spool = _Spool(self, source, descriptor)
        try:
            to._push_blob(target, descriptor, spool, mount_from)
        finally:
            spool.close()

    def _copy_referrers(
        self,
        source: Reference,
        subject: str,
        target: Reference,
        to: Client,
        seen: set[str],
    ) -> None:
        for referrer in self.referrers(_at(source, subject)):
            if referrer.digest in seen:
                continue
            seen.add(referrer.digest)
            self._copy_document(source, referrer.digest, target, to)
            self._copy_referrers(source, referrer.digest, target, to, seen)


class _Spool(BlobSource):
    """A blob source that downloads the blob from another repository into a temporary file the
    first time its bytes are needed (a mount that succeeds never needs them)."""

    def __init__(self, client: Client, reference: Reference, descriptor: Descriptor) -> None:
        self._client = client
        self._reference = reference
        self._descriptor = descriptor
        self._file: Optional[str] = None
        self._data = None
        self._path = None
        self._fetch_lock = threading.Lock()

    def pieces(self, offset: int, length: int) -> Iterable[memoryview]:  # type: ignore[override]
        with self._fetch_lock:
            if self._path is None:
                import tempfile

                fd, name = tempfile.mkstemp(prefix="ocikit-", suffix=".blob")
                os.close(fd)
                self._file = name
                # Not reported: the copy reports the upload of the blob.
                self._client._fetch_blob(self._reference, self._descriptor, name, None)
                self._path = name
        return super().pieces(offset, length)

    def close(self) -> None:
        if self._file is not None:
            Path(self._file).unlink(missing_ok=True)


def login(
    registry: str,
    username: str,
    password: str,
    *,
    store: bool = True,
    plain_http: bool = False,
    timeout: float = 30.0,
) -> None:
    """Checks ``username`` and ``password`` against ``registry`` (``host[:port]``) and, with
    ``store``, saves them in Docker's ``config.json`` (or its credential helper), where
    ``Client(..., credentials="docker")``, the Docker CLI, ORAS and skopeo find them.

    Raises:
        AuthenticationError: ``UNAUTHORIZED`` when the registry rejects them.
        OSError: the registry cannot be reached, or the config cannot be written.
    """
    with Client(
        registry,
        plain_http=plain_http,
        credentials=(username, password),
        transport=StdlibTransport(timeout=timeout),
    ) as client:
        client.check_auth()
    if store:
        store_credentials(registry, username, password)


def logout(registry: str) -> bool:
    """Removes the stored credentials of ``registry``; whether there were any."""
    return erase_credentials(registry)
