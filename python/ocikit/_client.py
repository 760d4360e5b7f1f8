"""The registry client: the host of the sans-IO engine in ``ocikit._ocikit``.

Every registry conversation (authentication, retries, redirects, upload plans, pagination,
the referrers fallback, digest checks) is decided by the engine; this module performs the
requests it describes with a transport (``http.client`` by default), sleeps when it asks, moves
blob bytes between files and sockets in bounded memory, and runs blob transfers in parallel.
"""

from __future__ import annotations

import contextvars
import functools
import http.client
import io
import json
import os
import socket
import ssl
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
from ocikit._http import (
    _DEADLINE,
    STALL_TIMEOUT,
    BlobSink,
    BlobSource,
    StdlibTransport,
    Transport,
    transport_error,
)
from ocikit._ocikit import (
    AddReferrer,
    BlobExists,
    CheckAuth,
    CopyPlan,
    DeleteManifest,
    Descriptor,
    Digest,
    Failure,
    FetchedManifest,
    GetBlob,
    GetManifest,
    GraphWalk,
    Index,
    Limits,
    ListReferrers,
    ListTags,
    Manifest,
    PlannedDocument,
    PushBlob,
    PutManifest,
    Reference,
    Referrer,
    ReferrerWalk,
    RegistrySession,
    ResolveManifest,
    RetryPolicy,
    WalkLimits,
    WalkStep,
    check_title,
)
from ocikit._pack import Packed
from ocikit.errors import (
    NetworkError,
    OciError,
    OperationTimeoutError,
    PolicyError,
    UploadInterruptedError,
    ValidationError,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    from ocikit._layout import LayoutDocument

__all__ = ["Client", "ProgressCallback", "Pulled", "Referrer", "login", "logout"]

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
_INDEX_TYPES = {OCI_INDEX, "application/vnd.docker.distribution.manifest.list.v2+json"}

# Chunk size for resuming an upload that was started monolithically.
_RESUME_CHUNK = 8 << 20

# The default deadline of one call (an operation and everything it takes: resumed transfers,
# every blob of a pull or a copy), in seconds: the core's Limits.deadline_ms.
DEADLINE = 3600.0

# "Not given": the value comes from `limits` (or its default).
_UNSET: Any = object()

# The engine's Failure kind of each transport error code.
_FAILURE_KINDS = {"NETWORK_ERROR": "network", "TLS_ERROR": "tls", "TIMEOUT": "timeout"}

# What a transport other than ocikit's may raise for a network failure (ocikit's own raise
# coded errors already).
_FOREIGN_NETWORK_ERRORS = (
    http.client.HTTPException,
    ssl.SSLError,
    socket.gaierror,
    ConnectionError,
    TimeoutError,
)

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


C = TypeVar("C", bound=Callable[..., Any])


def _timed(method: C) -> C:
    """Gives a call of ``method`` the client's deadline (``Client.timeout`` from now), unless
    the call runs inside another call that has one already."""

    @functools.wraps(method)
    def timed(self: Client, *args: Any, **kwargs: Any) -> Any:
        if _DEADLINE.get() is not None or self.timeout is None:
            return method(self, *args, **kwargs)
        token = _DEADLINE.set(time.monotonic() + self.timeout)
        try:
            return method(self, *args, **kwargs)
        finally:
            _DEADLINE.reset(token)

    return timed  # type: ignore[return-value]


def _final(error: BaseException) -> bool:
    """Whether a transfer that failed with ``error`` must not be resumed: a TLS failure (a
    certificate does not fix itself), or any timeout but a stall (a deadline passed, or a wait
    the registry asked for would pass it)."""
    if isinstance(error, NetworkError):
        return error.code == "TLS_ERROR"
    if isinstance(error, OperationTimeoutError):
        return error.details.get("limit") != "stall_timeout"
    return False


def _sleep(seconds: float, host: str, why: str) -> None:
    """Sleeps ``seconds``, unless that would end after the call's deadline: then ``TIMEOUT``
    at once (waiting only to fail would be pointless)."""
    ends = _DEADLINE.get()
    if ends is not None and time.monotonic() + seconds >= ends:
        raise OperationTimeoutError(
            f"{host}: {why} would take {seconds:g} s, past the operation's deadline (raise it "
            "with --timeout, or Client(timeout=...))",
            code="TIMEOUT",
            details={"host": host, "limit": "deadline", "seconds": seconds},
        )
    time.sleep(seconds)


def _document_types(data: bytes, media_type: str | None) -> tuple[str, Optional[Descriptor]]:
    """The media type to PUT a document with, and its subject, read from its bytes."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as error:
        reason = "nested too deeply" if isinstance(error, RecursionError) else str(error)
        raise ValidationError(
            f"the manifest is not JSON: {reason}",
            code="JSON_INVALID",
            details={"reason": reason},
        ) from None
    if not isinstance(document, dict):
        raise ValidationError("the manifest is not a JSON object", code="JSON_INVALID")
    media_type = media_type or document.get("mediaType")
    if not media_type:
        raise ValidationError(
            "the manifest has no mediaType; pass media_type", code="FIELD_MISSING",
            details={"field": "mediaType"},
        )  # fmt: skip
    subject = document.get("subject")
    if subject is None:
        return media_type, None
    try:
        return media_type, Descriptor.from_json(json.dumps(subject))
    except RecursionError:
        raise ValidationError(
            "the manifest's subject is nested too deeply",
            code="JSON_INVALID",
            details={"reason": "nested too deeply"},
        ) from None


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


def _sequential(tasks: Sequence[Callable[[], T]]) -> list[T]:
    return [task() for task in tasks]


def _referrer_tree(
    referrers: Callable[[str], list[Descriptor]],
    root: str,
    depth: int | None,
    *,
    parallel: Callable[[Sequence[Callable[[], list[Descriptor]]]], list[list[Descriptor]]] = (
        _sequential
    ),
    limits: WalkLimits | None = None,
) -> list[Referrer]:
    """The tree of what refers to ``root``, ``depth`` levels down (all when ``None``), from
    ``referrers(digest)``, the direct referrers of one manifest: the core's ``ReferrerWalk``
    decides (each digest once, bounded by ``limits``), this lists each batch it asks for."""
    if depth is not None and depth < 0:
        raise ValueError("depth must be a non-negative integer")
    walk = ReferrerWalk(root, depth=depth, limits=limits)
    while batch := walk.next_batch():
        found = parallel([lambda digest=digest: referrers(digest) for digest in batch])
        for digest, listed in zip(batch, found):
            walk.provide(digest, listed)
    return list(walk.finish())


def _copy_graph(
    root: FetchedManifest | LayoutDocument,
    fetch: Callable[[str], bytes],
    referrers: Callable[[str], list[Descriptor]] | None,
    copy_blob: Callable[[Descriptor], object],
    put: Callable[[PlannedDocument, bool], Descriptor],
    *,
    parallel: Callable[[Sequence[Callable[[], Any]]], list[Any]] = _sequential,
    write_parallel: Callable[[Sequence[Callable[[], Any]]], list[Any]] = _sequential,
    limits: WalkLimits | None = None,
) -> Descriptor:
    """Copies the fetched ``root`` and its graph on the core's plan (``GraphWalk``: each digest
    once, bounded by ``limits``, with the referrers of every document when ``referrers`` lists
    them). This host fetches each batch it asks for ``parallel`` at a time, then copies the
    blobs and puts the documents wave by wave (``put(document, is_root)``), ``write_parallel``
    at a time; it returns what the root's ``put`` returned."""
    walk = GraphWalk.from_fetched(
        root.media_type, root.digest, root.data, referrers=referrers is not None, limits=limits
    )

    def perform(step: WalkStep) -> Any:
        digest = step.descriptor.digest
        if step.kind == "referrers":
            assert referrers is not None  # asked only when given
            return referrers(digest)
        return fetch(digest)

    while batch := walk.next_batch():
        results = parallel([lambda step=step: perform(step) for step in batch])
        for step, result in zip(batch, results):
            if step.kind == "fetch":
                walk.provide_document(step.descriptor.digest, result)
            else:
                walk.provide_referrers(step.descriptor.digest, result)
    plan = walk.finish()
    write_parallel([lambda blob=blob: copy_blob(blob) for blob in plan.blobs])
    written: dict[str, Descriptor] = {}
    for wave in plan.manifests:
        tasks = [lambda d=d: put(d, d.descriptor.digest == root.digest) for d in wave]
        written.update(zip((d.descriptor.digest for d in wave), write_parallel(tasks)))
    return written[root.digest]


def _pull_plan(
    manifest: Manifest,
    output_dir: StrPath,
    *,
    allow_git: bool = False,
    keep_old_files: bool = False,
) -> list[tuple[Descriptor, Path]]:
    """Where :meth:`Client.pull` writes each titled layer of ``manifest`` (creating
    ``output_dir``); every title is checked before anything is written.

    Raises:
        ValidationError: ``ANNOTATION_INVALID`` for a title that is refused.
        PolicyError: ``PATH_UNSAFE`` for a ``.git`` component (unless ``allow_git``), or
            with ``keep_old_files`` for a file that exists.
    """
    output = Path(output_dir)
    plan: list[tuple[Descriptor, Path]] = []
    titled = []
    for layer in manifest.layers:
        title = layer.annotations.get(annotations.TITLE)
        if title is not None:
            # Relative, no `..`, portable, no `.git` component: before anything is made.
            check_title(title, allow_git=allow_git)
            titled.append((layer, title))
    _make_directories(output)
    root = output.resolve()
    seen: set[Path] = set()
    for layer, title in titled:
        too_long = _too_long(root, root / title)
        if too_long:
            raise PolicyError(
                f"{title[:200]!r} is {too_long}; it cannot be written, so nothing was pulled",
                code="PATH_UNSAFE",
                details={"path": title, "reason": too_long},
            )
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
        if keep_old_files and os.path.lexists(destination):
            raise PolicyError(
                f"{destination} exists; --keep-old-files (keep_old_files=True) keeps it, so "
                "nothing was pulled",
                code="PATH_UNSAFE",
                details={"path": str(destination), "reason": "exists (keep_old_files)"},
            )
        seen.add(destination)
        plan.append((layer, destination))
    return plan


# What a pull adds to a file's name for its temporary file (`.{name}.{24 hex}.part`).
_TEMPORARY_EXTRA = 32


def _too_long(directory: Path, path: Path) -> str | None:
    """Why the filesystem of ``directory`` cannot hold ``path`` (with the temporary name a
    pull writes first): a name over ``NAME_MAX`` or a path over ``PATH_MAX``; ``None`` when it
    can."""
    try:
        name_max = os.pathconf(directory, "PC_NAME_MAX")
        path_max = os.pathconf(directory, "PC_PATH_MAX")
    except (AttributeError, OSError, ValueError):  # Windows: no pathconf
        name_max, path_max = 255, 32767
    names = [len(os.fsencode(part)) for part in path.parts[1:]] or [0]
    if max(names[:-1], default=0) > name_max or names[-1] + _TEMPORARY_EXTRA > name_max:
        return f"a path with a name longer than {name_max} bytes"
    if len(os.fsencode(path)) + _TEMPORARY_EXTRA >= path_max:
        return f"a path longer than {path_max} bytes"
    return None


def _make_directories(path: Path) -> None:
    """``path`` and its missing parents, made one by one (``mkdir(parents=True)`` recurses
    once per level, and a title may have thousands)."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        if path.parent == path:
            break
        path = path.parent
    for directory in reversed(missing):
        try:
            directory.mkdir()
        except FileExistsError:
            if not directory.is_dir():
                raise


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

    Time is bounded twice. ``stall_timeout`` (seconds, default 30) is how long the default
    transport waits for any byte to move (connect, send, receive) before ``TIMEOUT``;
    ``timeout`` (seconds, default 3600; ``None`` for none) is the deadline of each call — a
    :meth:`pull` or :meth:`copy` with all its blobs, a :meth:`fetch_blob` with its resumed
    attempts: when it passes, the request under way stops (however slowly a server trickles
    bytes) and the call raises ``TIMEOUT``. A ``Retry-After`` or retry wait that would end
    after the deadline fails at once instead of sleeping. ``limits`` (an
    :class:`ocikit.Limits`) sets the other bounds of the engine: the time limit of a captured
    body (``request_timeout_ms``, 60 s), the longest ``Retry-After`` waited for
    (``retry_after_max_ms``, 60 s; a longer one fails at once with ``TOOMANYREQUESTS``), and
    the entries and bytes of one tag or referrer listing (``list_entries_max``, 100,000;
    ``list_bytes_max``, 32 MiB; ``LIMIT_EXCEEDED`` past them); its ``stall_timeout_ms`` and
    ``deadline_ms`` are used when ``stall_timeout`` and ``timeout`` are not given.
    :attr:`limits` is what the client's sessions use.

    The client is thread-safe and keeps connections alive; close it (or use it as a context
    manager) to close them. Every error is an :class:`ocikit.OciError` with a code:
    :class:`ocikit.RegistryError` (``AuthenticationError`` for 401/403),
    :class:`ocikit.DigestMismatchError`, :class:`ocikit.ValidationError`,
    :class:`ocikit.NetworkError` (``NETWORK_ERROR``, ``TLS_ERROR``; a ``ConnectionError``),
    :class:`ocikit.OperationTimeoutError` (``TIMEOUT``; a ``TimeoutError``),
    :class:`ocikit.LimitExceededError` and :class:`ocikit.PolicyError`; only failures of local
    files stay plain ``OSError``.
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
        limits: Limits | None = None,
        timeout: float | None = _UNSET,
        stall_timeout: float = _UNSET,
    ) -> None:
        limits = limits if limits is not None else Limits()
        if timeout is _UNSET:
            timeout = limits.deadline_ms / 1000 or None
        if stall_timeout is _UNSET:
            stall_timeout = limits.stall_timeout_ms / 1000 or STALL_TIMEOUT
        if timeout is not None and not timeout > 0:
            raise ValueError("timeout must be positive seconds, or None for no deadline")
        if not stall_timeout > 0:
            raise ValueError("stall_timeout must be positive seconds")
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
        self.timeout = timeout
        self.stall_timeout = stall_timeout
        self.limits = Limits(
            stall_timeout_ms=max(1, round(stall_timeout * 1000)),
            request_timeout_ms=limits.request_timeout_ms,
            deadline_ms=0 if timeout is None else max(1, round(timeout * 1000)),
            retry_after_max_ms=limits.retry_after_max_ms,
            list_entries_max=limits.list_entries_max,
            list_bytes_max=limits.list_bytes_max,
        )
        self._credentials = credentials
        self._transport: Transport = (
            transport if transport is not None else StdlibTransport(timeout=stall_timeout)
        )
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
                    limits=self.limits,
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
        if _DEADLINE.get() is None and self.timeout is not None:
            token = _DEADLINE.set(time.monotonic() + self.timeout)
            try:
                return self._run(reference, make, source=source, sink=sink)
            finally:
                _DEADLINE.reset(token)
        session = self._session(self.registry if reference is None else reference.registry)
        operation = make(session)
        return self._drive(session, operation.next, source=source, sink=sink)

    def _drive(
        self,
        session: RegistrySession,
        step: Callable[[RegistrySession, Any, int], Any],
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Any:
        """Drives an operation's ``step`` (its ``next``, or ``next_page``) until it is done:
        sends what it asks, feeds back the response or the transport's failure (the engine
        decides whether to retry), sleeps when it asks."""
        event = step(session, None, _now_ms())
        while event.kind != "done":
            if event.kind == "wait":
                _sleep(event.ms / 1000, session.registry, "the wait the engine asked for")
                event = step(session, "resume", _now_ms())
                continue
            request = event.request
            try:
                response = self._transport.send(request, source=source, sink=sink)
            except (NetworkError, OperationTimeoutError) as error:
                kind = _FAILURE_KINDS.get(error.code)
                if kind is None:
                    raise
                reason = str(error.details.get("reason") or error)
                try:
                    event = step(session, Failure(kind, reason), _now_ms())
                except OciError as answer:
                    # The engine's error for this failure: keep which limit ended it (a stall
                    # may be resumed, a deadline not).
                    if "limit" in error.details:
                        answer.details.setdefault("limit", error.details["limit"])
                    raise
                continue
            except OciError:
                raise
            except _FOREIGN_NETWORK_ERRORS as error:
                # A transport of the caller's that raised the standard library's errors.
                coded = transport_error(error, request.method, request.url)
                kind = _FAILURE_KINDS[coded.code]
                event = step(session, Failure(kind, str(coded.details["reason"])), _now_ms())
                continue
            event = step(session, response, _now_ms())
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
            # Each task runs in a copy of this thread's context: the call's deadline holds there.
            futures: list[Future[T]] = [
                pool.submit(contextvars.copy_context().run, task) for task in tasks
            ]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
            return [future.result() for future in futures]

    # Manifests ----------------------------------------------------------------------------

    @_timed
    def check_auth(self) -> None:
        """Checks the credentials against the registry the way ``docker login`` does
        (``GET /v2/``, answering its Basic or Bearer challenge).

        Raises:
            AuthenticationError: ``UNAUTHORIZED`` when the registry rejects them.
        """
        self._run(None, CheckAuth)

    @_timed
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

    @_timed
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

    @_timed
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

    @_timed
    def tag(self, ref: Ref, tag: str) -> Descriptor:
        """Tags the manifest ``ref`` names with ``tag`` in the same repository (its exact bytes
        are uploaded again under the tag, as registries have no other way)."""
        reference = _reference(ref)
        fetched = self.fetch(reference)
        target = _tagged(reference, tag)
        media_type = fetched.media_type or _document_types(fetched.data, None)[0]
        digest = self._run(target, lambda s: PutManifest(s, target, media_type, fetched.data))
        return Descriptor(media_type=media_type, digest=digest, size=len(fetched.data))

    @_timed
    def delete_manifest(self, ref: Ref) -> None:
        """Deletes the manifest ``ref`` names (a tag is resolved to its digest first).

        Raises:
            RegistryError: ``UNSUPPORTED`` when the registry does not allow deletes.
        """
        reference = _reference(ref)
        digest = reference.digest or self.resolve(reference).digest
        self._run(reference, lambda s: DeleteManifest(s, reference, digest))

    @_timed
    def list_tags(self, ref: Ref) -> list[str]:
        """Every tag of ``ref``'s repository."""
        reference = _reference(ref)
        return list(self._run(reference, lambda s: ListTags(s, reference)))

    def iter_tags(self, ref: Ref, *, page_size: int | None = None) -> Iterator[str]:
        """The tags of ``ref``'s repository, one at a time, fetched a page at a time as the
        caller asks for more (``page_size`` per page, else the registry's choice): only one
        page is held, so a registry UI or ``ocikit repo tags`` can page through any
        repository. The listing as a whole stays within the client's ``limits``
        (``list_entries_max``, ``list_bytes_max``); each page gets the client's ``timeout``.

        Raises:
            LimitExceededError: ``LIMIT_EXCEEDED`` past the listing limits.
        """
        reference = _reference(ref)
        session = self._session(reference.registry)
        operation = ListTags(session, reference, page_size=page_size)
        while True:
            page = self._page(session, operation)
            yield from page.items
            if page.last:
                return

    def _page(self, session: RegistrySession, operation: Any) -> Any:
        """The next page of a listing, within a deadline of its own (set here, not across
        the ``yield`` of the generator that asks for it)."""
        if self.timeout is None:
            return self._drive(session, operation.next_page)
        token = _DEADLINE.set(time.monotonic() + self.timeout)
        try:
            return self._drive(session, operation.next_page)
        finally:
            _DEADLINE.reset(token)

    # Blobs ---------------------------------------------------------------------------------

    @_timed
    def blob_size(self, ref: Ref, digest: str | Digest) -> int | None:
        """The size of the blob ``digest`` in ``ref``'s repository, or ``None`` when the
        repository does not have it."""
        reference = _reference(ref)
        size: int | None = self._run(reference, lambda s: BlobExists(s, reference, digest))
        return size

    def blob_exists(self, ref: Ref, digest: str | Digest) -> bool:
        """Whether ``ref``'s repository has the blob ``digest``."""
        return self.blob_size(ref, digest) is not None

    @_timed
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
            NetworkError: the registry cannot be reached (before an upload session began).
            OSError: the file cannot be read.
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
            except (NetworkError, OperationTimeoutError) as error:
                # The network failed (a local file failure ends the upload as it is).
                url = holder[-1].upload_url if holder else upload_url
                if not url:
                    raise  # no upload session yet: nothing to resume
                if attempt > attempts or _final(error):
                    name = f"{reference.registry}/{reference.repository}"
                    raise UploadInterruptedError(
                        f"the upload of {descriptor.digest} to {name} was interrupted "
                        f"({error}); resume it with its upload URL {url}",
                        reference=name,
                        descriptor=descriptor,
                        upload_url=url,
                    ) from error
                _sleep(self._resume_delay(attempt), reference.registry, "resuming the upload")
                make = resume
                continue
            if progress is not None:
                progress.finish()
            return sent
        raise AssertionError("unreachable")

    @_timed
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

        size = descriptor.size

        def sink(file: IO[bytes], empty: bool = False) -> BlobSink:
            if progress is None:
                return BlobSink(file, algorithm, empty=empty, size_max=size)
            return _ReportingSink(file, algorithm, progress, empty=empty, size_max=size)

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
        """Downloads into ``sink``, resuming (``Range``) a body the network cut after some of
        it arrived, up to the retry policy's ``max_retries`` times. A server that sent nothing
        (the engine already retried the request as its policy says), a TLS failure, a passed
        deadline and a local file failure end the download at once."""
        attempts = self.retry_policy.max_retries
        for attempt in range(1, attempts + 2):
            have = sink.size
            received = sink.received
            try:
                self._run(
                    reference,
                    lambda s: GetBlob(s, reference, descriptor, have=have),
                    sink=sink,
                )
                return
            except (NetworkError, OperationTimeoutError) as error:
                if attempt > attempts or _final(error) or sink.received == received:
                    raise
                _sleep(self._resume_delay(attempt), reference.registry, "resuming the download")

    # Artifacts -----------------------------------------------------------------------------

    @_timed
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

    @_timed
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

    @_timed
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

    @_timed
    def discover(
        self,
        ref: Ref,
        artifact_type: str | None = None,
        depth: int | None = None,
        *,
        limits: WalkLimits | None = None,
    ) -> list[Referrer]:
        """The tree of referrers of ``ref``: what refers to it, what refers to those, and so
        on, ``depth`` levels down (all when ``None``), each level filtered by
        ``artifact_type`` when given.

        The core walks the tree (:class:`ocikit.ReferrerWalk`): each digest once, the listings
        of a level ``concurrency`` at a time, within ``limits`` (:class:`ocikit.WalkLimits`;
        ``LIMIT_EXCEEDED`` past its depth or nodes, also when a registry makes referrers up)."""
        reference = _reference(ref)
        root = reference.digest or self.resolve(reference).digest
        return _referrer_tree(
            lambda digest: self.referrers(_at(reference, digest), artifact_type),
            root,
            depth,
            parallel=self._parallel,
            limits=limits,
        )

    @_timed
    def pull(
        self,
        ref: Ref,
        output_dir: StrPath,
        *,
        keep_old_files: bool = False,
        allow_git: bool = False,
    ) -> Pulled:
        """Writes the files of the artifact ``ref`` names into ``output_dir``, named by their
        titles (``org.opencontainers.image.title``; layers without one are skipped).

        Every title is checked before anything is written: absolute paths, ``..``, paths that
        would lead out of ``output_dir`` through a link, and (unless ``allow_git``) paths with
        a ``.git`` component, where git would run what a pulled ``.git/config`` says, are
        refused. With ``keep_old_files`` (ORAS's ``--keep-old-files``), a file that exists is
        an error, before anything is written; without it, files are replaced. Each file is
        downloaded to a temporary file, verified (never more than its size is read), then
        renamed into place, ``concurrency`` at a time, in bounded memory whatever its size.

        Raises:
            ValidationError: ``ANNOTATION_INVALID`` for a title that is refused.
            PolicyError: ``PATH_UNSAFE`` for a ``.git`` component, or an existing file with
                ``keep_old_files``.
        """
        reference = _reference(ref)
        manifest = self.fetch_manifest(reference)
        plan = _pull_plan(
            manifest, output_dir, allow_git=allow_git, keep_old_files=keep_old_files
        )

        made = {Path(output_dir).resolve()}  # directories known to exist

        def fetch(layer: Descriptor, destination: Path) -> Path:
            parent = destination.parent
            if parent not in made:
                _make_directories(parent)
                made.add(parent)
            self._fetch_blob(reference, layer, destination, self._progress(layer, announced=True))
            return destination

        self._announce(layer for layer, _ in plan)
        files = self._parallel(
            [lambda layer=layer, path=path: fetch(layer, path) for layer, path in plan]
        )
        return Pulled(manifest, tuple(files))

    @_timed
    def copy(
        self,
        src_ref: Ref,
        dst_ref: Ref,
        *,
        referrers: bool = False,
        destination: Client | None = None,
        limits: WalkLimits | None = None,
    ) -> Descriptor:
        """Copies the manifest or index ``src_ref`` names, and everything it references, to
        ``dst_ref`` (tagged with its tag, else the source's tag, else by digest). Within one
        registry blobs are mounted instead of copied. ``destination`` is the client for the
        destination registry (default: this one). With ``referrers``, the artifacts that refer
        to the copied manifests and indexes are copied too, recursively.

        The core walks the graph (:class:`ocikit.GraphWalk`): each digest is fetched once,
        ``concurrency`` at a time, within ``limits`` (:class:`ocikit.WalkLimits`: depth, nodes
        and bytes; ``LIMIT_EXCEEDED`` past one). Then the blobs are copied, then the manifests,
        children first (an index after its manifests, a referrer after its subject).
        Blobs between registries pass through temporary files (bounded memory).
        """
        source = _reference(src_ref)
        target = _reference(dst_ref)
        to = destination or self
        tag = target.tag or (None if target.digest else source.tag)

        def put(document: PlannedDocument, is_root: bool) -> Descriptor:
            digest = document.descriptor.digest
            at = _tagged(target, tag) if tag and is_root else _at(target, digest)
            media_type = document.descriptor.media_type
            return to._put_manifest(at, document.data, media_type, document.subject)

        return _copy_graph(
            self.fetch(source),
            lambda digest: self.fetch(_at(source, digest)).data,
            (lambda digest: self.referrers(_at(source, digest))) if referrers else None,
            lambda blob: self._copy_blob(source, target, to, blob),
            put,
            parallel=self._parallel,
            write_parallel=to._parallel,
            limits=limits,
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
    ``timeout`` is the stall timeout in seconds (no byte may take longer).

    Raises:
        AuthenticationError: ``UNAUTHORIZED`` when the registry rejects them.
        NetworkError: ``NETWORK_ERROR`` or ``TLS_ERROR``: the registry cannot be reached.
        OperationTimeoutError: ``TIMEOUT``.
        OSError: the config cannot be written.
    """
    with Client(
        registry,
        plain_http=plain_http,
        credentials=(username, password),
        transport=StdlibTransport(timeout=timeout),
        stall_timeout=timeout,
    ) as client:
        client.check_auth()
    if store:
        store_credentials(registry, username, password)


def logout(registry: str) -> bool:
    """Removes the stored credentials of ``registry``; whether there were any."""
    return erase_credentials(registry)
