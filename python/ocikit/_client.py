"""The registry client: the host of the sans-IO engine in ``ocikit._ocikit``, on threads.

Every registry conversation (authentication, retries, redirects, upload plans, pagination,
the referrers fallback, digest checks) is decided by the engine, and what each call does with
it is written once for this client and :class:`ocikit.AsyncClient` (``ocikit._calls``); this
module performs the requests it describes with a transport (``http.client`` by default), sleeps
when it asks, and runs whole operations' requests on worker threads as the engine hands them out
(it decides how many at once; an explicit ``concurrency`` caps them).
"""

from __future__ import annotations

import contextvars
import functools
import http.client
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, Literal, TypeVar

from ocikit import _calls as calls
from ocikit._archive import UnpackLimits
from ocikit._calls import (  # noqa: F401 - the names other modules import from here
    KEEP,
    OCI_INDEX,
    OCI_MANIFEST,
    ProgressCallback,
    Pulled,
    Ref,
    TagsPage,
    _destinations,
    _make_directories,
    _media_type,
    failure,
)
from ocikit._credentials import (
    Credentials,
    docker_credentials,
    erase_credentials,
    store_credentials,
)
from ocikit._files import StrPath
from ocikit._http import (
    BlobSink,
    BlobSource,
    StdlibTransport,
    Transport,
    transport_error,
)
from ocikit._ocikit import (
    Action,
    CopyOutcome,
    DeleteOutcome,
    Descriptor,
    Digest,
    Failure,
    FetchedManifest,
    Index,
    Limits,
    ListRepositories,
    ListTags,
    Manifest,
    PushOutcome,
    Reference,
    Referrer,
    RegistrySession,
    Request,
    Response,
    RetryPolicy,
    TagsOfOutcome,
    WalkLimits,
)
from ocikit.errors import NetworkError, OciError, OperationTimeoutError

if TYPE_CHECKING:
    from ocikit._layout import OciLayout
    from ocikit._pack import Packed

__all__ = ["Client", "ProgressCallback", "Pulled", "Referrer", "TagsPage", "login", "logout"]

# The default deadline of one operation (a call's whole operation: every request, resumed
# transfer and wait of a push, a pull or a copy), in seconds: the core's Limits.deadline_ms.
DEADLINE = 3600.0

# "Not given": the value comes from `limits` (or its default).
_UNSET: Any = object()

# The engine's Failure kind of each transport error code.
_FAILURE_KINDS: dict[str, Literal["network", "tls", "timeout"]] = {
    "NETWORK_ERROR": "network",
    "TLS_ERROR": "tls",
    "TIMEOUT": "timeout",
}

# What a transport other than ocikit's may raise for a network failure (ocikit's own raise
# coded errors already).
_FOREIGN_NETWORK_ERRORS = (
    http.client.HTTPException,
    ssl.SSLError,
    socket.gaierror,
    ConnectionError,
    TimeoutError,
)

T = TypeVar("T")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _sequential(tasks: Sequence[Callable[[], T]]) -> list[T]:
    return [task() for task in tasks]


class Client:
    """A client of one registry (and of others a copy reaches), built on the sans-IO engine.

    ``registry`` is ``host[:port]``; references passed to the methods name their registry, and
    ``credentials`` apply to this one: ``(username, password)``, a dict with ``refresh_token``
    or ``access_token``, ``"docker"`` for what Docker's ``config.json`` holds (for every
    registry), or ``None`` for anonymous access. ``plain_http`` reaches registries over plain
    HTTP (a loopback test registry). The engine decides how many requests of an operation run
    at once from what they move and the round trip it measures (up to 32, of which at most 4
    move 4 MiB or more, or 8 once the shortest round trip to the registry is 50 ms or more:
    ``ocikit_core::registry::Concurrency``); ``concurrency``, when given, caps them at that
    many. Uploads go in chunks of ``chunk_size`` bytes when given, else in one request each.

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

    ``headers`` (``(name, value)`` pairs; ``ocikit -H``, ORAS's ``-H``) go with every request
    to the registry's origin and to the token realm it names, after the engine's own; never to
    another origin (a storage backend a blob download is redirected to) nor to another
    registry a reference names: like credentials, they may carry secrets. A name that is not an
    HTTP token, a value that is not printable ASCII, or one of the exchange's own headers
    (``Host``, ``Content-Length``, ``Transfer-Encoding``, ``Connection``) raises
    ``ValidationError`` (``OPTIONS_INVALID``).

    ``ssl_context`` is the default transport's TLS context: a private authority's certificate
    (``ssl.create_default_context(cafile=...)``), a client certificate for mTLS
    (``context.load_cert_chain(cert, key)``), or no verification for a test registry.

    Time is bounded twice. ``stall_timeout`` (seconds, default 30; ``None`` for none) is how
    long the default transport waits for any byte to move (connect, send, receive) before
    ``TIMEOUT``;
    ``timeout`` (seconds, default 3600; ``None`` for none) is the deadline of each call — a
    :meth:`pull` or :meth:`copy` with all its blobs, a :meth:`fetch_blob` with its resumed
    attempts: when it passes, the request under way stops (however slowly a server trickles
    bytes) and the call raises ``TIMEOUT``. A ``Retry-After`` or retry wait that would end
    after the deadline fails at once instead of sleeping. It is the core's deadline of an
    operation (``Limits.deadline_ms``, carried by each request as ``deadline_ms``); the few
    calls made of two operations (:meth:`tag`: a fetch, then a PUT; :meth:`referrers` and
    :meth:`tags_of` of a tag: a resolve first) give each its own. ``limits`` (an
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
        concurrency: int | None = None,
        chunk_size: int | None = None,
        transport: Transport | None = None,
        retry_policy: RetryPolicy | None = None,
        on_progress: ProgressCallback | None = None,
        durable: bool = False,
        limits: Limits | None = None,
        timeout: float | None = _UNSET,
        stall_timeout: float | None = _UNSET,
        ssl_context: ssl.SSLContext | None = None,
        registry_profile: str | None = None,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        limits = limits if limits is not None else Limits()
        if timeout is _UNSET:
            timeout = limits.deadline_ms / 1000 or None
        if stall_timeout is _UNSET:
            stall_timeout = limits.stall_timeout_ms / 1000 or None
        if timeout is not None and not timeout > 0:
            raise ValueError("timeout must be positive seconds, or None for no deadline")
        if stall_timeout is not None and not stall_timeout > 0:
            raise ValueError("stall_timeout must be positive seconds, or None for none")
        if concurrency is not None and concurrency < 1:
            raise ValueError("concurrency must be at least 1, or None for the engine's choice")
        if chunk_size is not None and chunk_size < 1:
            raise ValueError("chunk_size must be positive")
        if isinstance(credentials, str) and credentials != "docker":
            raise ValueError('credentials must be a tuple, a dict, "docker" or None')
        self.registry = registry
        self.plain_http = plain_http
        # The profile the engine adapts to on ``registry`` (chunk sizes, one PUT where chunking
        # is broken, the tag page size); without one the core picks it by host (ghcr.io, …).
        self.registry_profile = registry_profile
        # A cap on the requests in flight at once; None: as many as the engine hands out.
        self.concurrency = concurrency
        self.chunk_size = chunk_size
        self.retry_policy = retry_policy if retry_policy is not None else RetryPolicy()
        self.on_progress = on_progress
        self.durable = durable
        self.timeout = timeout
        self.stall_timeout = stall_timeout
        self.limits = Limits(
            stall_timeout_ms=0 if stall_timeout is None else max(1, round(stall_timeout * 1000)),
            request_timeout_ms=limits.request_timeout_ms,
            deadline_ms=0 if timeout is None else max(1, round(timeout * 1000)),
            retry_after_max_ms=limits.retry_after_max_ms,
            list_entries_max=limits.list_entries_max,
            list_bytes_max=limits.list_bytes_max,
        )
        self._credentials = credentials
        self.headers = tuple(headers)
        if self.headers:
            # The core checks them now (OPTIONS_INVALID), not at the first request.
            RegistrySession(registry, plain_http=plain_http, headers=self.headers)
        self._transport: Transport = (
            transport
            if transport is not None
            else StdlibTransport(timeout=stall_timeout, ssl_context=ssl_context)
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
                    profile=self.registry_profile if registry == self.registry else None,
                    headers=self.headers if registry == self.registry else None,
                )
                self._sessions[registry] = session
            return session

    # The host loops -----------------------------------------------------------------------

    def _call(self, steps: calls.Call[T]) -> T:
        """Runs a call of ``ocikit._calls``: each operation it yields, on this thread (a single
        request) or on worker threads (a whole operation); its value is sent back, its error
        thrown in."""
        try:
            step = next(steps)
            while True:
                try:
                    if isinstance(step, calls.One):
                        value = self._run(
                            step.reference, step.make, source=step.source, sink=step.sink
                        )
                    elif isinstance(step, calls.Local):
                        value = step.work()
                    else:
                        value = self._drive(
                            step.operation, step.sessions, sources=step.sources,
                            sinks=step.sinks, transport=step.transport,
                        )  # fmt: skip
                except BaseException as error:
                    step = steps.throw(error)
                else:
                    step = steps.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            steps.close()

    def _run(
        self,
        reference: Reference | None,
        make: Callable[[RegistrySession], Any],
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Any:
        """Drives one single-request operation to its end: sends what it asks, sleeps when it
        asks. Without a reference, the operation is on the client's own registry."""
        session = self._session(self.registry if reference is None else reference.registry)
        operation = make(session)
        return self._steps(session, operation.next, source=source, sink=sink)

    def _steps(
        self,
        session: RegistrySession,
        step: Callable[[RegistrySession, Any, int], Any],
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Any:
        """Drives an operation's ``step`` (its ``next``, or ``next_page``) until it is done:
        sends what it asks, feeds back the response or the transport's failure (the engine
        decides whether to retry), sleeps when it asks (the engine asks for no wait that would
        pass its deadline)."""
        event = step(session, None, _now_ms())
        while event.kind != "done":
            if event.kind == "wait":
                time.sleep(event.ms / 1000)
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
                    event = step(session, failure(kind, reason, request, sink), _now_ms())
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

    def _reference(self, ref: Ref) -> Reference:
        """``ref`` read as this client reads references: relative to its registry
        (``"py/app:v1"`` is ``<registry>/py/app:v1``) unless its first component is a host (the
        core's ``Reference.parse_relative``)."""
        if isinstance(ref, Reference):
            return ref
        if not isinstance(ref, str):
            raise TypeError(f"a reference is a str or a Reference, not {type(ref).__name__!r}")
        return Reference.parse_relative(ref, self.registry)

    def _drive(
        self,
        operation: Any,
        sessions: RegistrySession | Sequence[RegistrySession],
        *,
        sources: Callable[[Descriptor], BlobSource] | None = None,
        sinks: Callable[[Descriptor], BlobSink] | None = None,
        transport: Callable[[str], Transport] | None = None,
    ) -> Any:
        """The host loop of a whole operation (``Push``, ``Pull``, ``Discover``, ``Delete``,
        ``TagsOf``, ``CopyArtifact``), see :class:`_HostLoop`: requests go as the engine hands
        them out (capped at ``concurrency`` when given) on worker threads (a blob's body from ``sources(blob)``, a streamed answer into
        ``sinks(blob)``), each answer goes back to the engine as it arrives (a transport's
        failure as a ``Failure``: the engine resumes downloads with ``Range`` and cut uploads
        as its policy says), the waits it asks for are slept. The first error (the engine's,
        or a local one) stops the loop; requests not yet started are dropped. An upload the
        engine gave up on raises :class:`UploadInterruptedError` with its upload URL."""
        loop = _HostLoop(
            operation, sessions, self.concurrency,
            functools.partial(self._exchange, sources=sources, sinks=sinks, transport=transport),
        )  # fmt: skip
        try:
            return loop.run()
        except OciError as error:
            # The engine's error for a failure: keep which limit ended it (a stall may be
            # resumed, a deadline not).
            if loop.limit is not None and error.code == "TIMEOUT":
                error.details.setdefault("limit", loop.limit)
            # The core names the upload its error is about, if it gave up on one (resumed as
            # often as its policy allows): the caller may go on later from its URL.
            interrupted = getattr(operation, "interrupted_upload", None)
            upload = interrupted() if interrupted is not None else None
            if upload is not None:
                raise calls.interrupted(error, *upload) from error
            raise

    def _exchange(
        self,
        action: Action,
        *,
        sources: Callable[[Descriptor], BlobSource] | None,
        sinks: Callable[[Descriptor], BlobSink] | None,
        transport: Callable[[str], Transport] | None,
    ) -> tuple[Response | Failure, str | None]:
        """Sends one request of a whole operation: the answer to provide, and the limit that
        ended it when it is a timeout."""
        request = action.request
        assert request is not None
        blob = action.blob
        source = sink = None
        if blob is not None and isinstance(request.body, tuple):
            assert sources is not None, "the operation uploads, and no source was given"
            source = sources(blob)
        if blob is not None and request.stream:
            assert sinks is not None, "the operation downloads, and no sink was given"
            sink = sinks(blob)
        if transport is None:
            sender = self._transport
        else:
            # The transport of the session's registry the engine names, whatever the URL's host.
            assert action.registry is not None
            sender = transport(action.registry)
        return self._answer(sender, request, source, sink)

    def _answer(
        self,
        sender: Transport,
        request: Request,
        source: BlobSource | None,
        sink: BlobSink | None,
    ) -> tuple[Response | Failure, str | None]:
        """``request`` sent by ``sender``: the answer to provide (a failure the engine decides
        on, for the network's errors), and the limit that ended it when it is a timeout."""
        try:
            return sender.send(request, source=source, sink=sink), None
        except (NetworkError, OperationTimeoutError) as error:
            kind = _FAILURE_KINDS.get(error.code)
            if kind is None:
                raise
            reason = str(error.details.get("reason") or error)
            return failure(kind, reason, request, sink), error.details.get("limit")
        except OciError:
            raise
        except _FOREIGN_NETWORK_ERRORS as error:
            # A transport of the caller's that raised the standard library's errors.
            coded = transport_error(error, request.method, request.url)
            return Failure(_FAILURE_KINDS[coded.code], str(coded.details["reason"])), None

    # Manifests ----------------------------------------------------------------------------

    def check_auth(self) -> None:
        """Checks the credentials against the registry the way ``docker login`` does
        (``GET /v2/``, answering its Basic or Bearer challenge).

        Raises:
            AuthenticationError: ``UNAUTHORIZED`` when the registry rejects them.
        """
        self._call(calls.check_auth(self))

    def resolve(self, ref: Ref) -> Descriptor:
        """The descriptor (media type, digest, size) of the manifest ``ref`` names.

        Raises:
            RegistryError: ``MANIFEST_UNKNOWN`` and the like.
        """
        return self._call(calls.resolve(self, ref))

    def fetch(self, ref: Ref) -> FetchedManifest:
        """The manifest or index ``ref`` names, as served: exact bytes, digest, media type
        (checked against a digest in ``ref`` and ``Docker-Content-Digest``)."""
        return self._call(calls.fetch(self, ref))

    def fetch_manifest(self, ref: Ref) -> Manifest:
        """The image manifest ``ref`` names, with its exact bytes.

        Raises:
            ValidationError: the document is not a manifest (``MEDIA_TYPE_MISMATCH`` for an
                index).
        """
        return self._call(calls.fetch_manifest(self, ref))

    def fetch_index(self, ref: Ref) -> Index:
        """The image index ``ref`` names, with its exact bytes."""
        return self._call(calls.fetch_index(self, ref))

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
        return self._call(calls.push_manifest(self, ref, manifest, media_type))

    def tag(self, ref: Ref, tag: str) -> Descriptor:
        """Tags the manifest ``ref`` names with ``tag`` in the same repository (its exact bytes
        are uploaded again under the tag, as registries have no other way)."""
        return self._call(calls.tag(self, ref, tag))

    def delete_manifest(self, ref: Ref) -> DeleteOutcome:
        """Deletes the manifest ``ref`` names (a tag is resolved to its digest first: the
        manifest goes under every tag that points at it, see :meth:`tags_of`). A referrer is
        also removed from its subject's referrers tag on a registry without the referrers API
        (the core's ``Delete``, as oras-go does).

        Raises:
            RegistryError: ``UNSUPPORTED`` when the registry does not allow deletes.
        """
        return self._call(calls.delete_manifest(self, ref))

    def tags_of(self, ref: Ref, digest: str | Digest | None = None) -> TagsOfOutcome:
        """The tags of ``ref``'s repository that point at ``digest`` (default: what ``ref``
        names), each resolved (the core's ``TagsOf``: at most 1,000; ``unchecked`` counts the
        rest)."""
        return self._call(calls.tags_of(self, ref, digest))

    def list_tags(self, ref: Ref) -> list[str]:
        """Every tag of ``ref``'s repository."""
        return self._call(calls.list_tags(self, ref))

    def iter_tags(self, ref: Ref, *, page_size: int | None = None) -> Iterator[str]:
        """The tags of ``ref``'s repository, one at a time, fetched a page at a time as the
        caller asks for more (``page_size`` per page, else the registry's choice): only one
        page is held, so a registry UI or ``ocikit repo tags`` can page through any
        repository. The listing as a whole stays within the client's ``limits``
        (``list_entries_max``, ``list_bytes_max``); each page gets the client's ``timeout``.

        Raises:
            LimitExceededError: ``LIMIT_EXCEEDED`` past the listing limits.
            ValidationError: ``OPTIONS_INVALID`` for a ``page_size`` not from 1 to 2^32 - 1.
        """
        reference = self._reference(ref)
        session = self._session(reference.registry)
        operation = ListTags(session, reference, page_size=calls.page_size(page_size, "page_size"))
        while True:
            page = self._steps(session, operation.next_page)
            yield from page.items
            if page.last:
                return

    def list_tags_page(
        self, ref: Ref, *, n: int | None = None, last: str | None = None
    ) -> TagsPage:
        """One page of ``ref``'s repository's tags, for a tag browser (the JS client's
        ``listTagsPage``): ``n`` asks for that many, ``last`` starts after that tag. The
        result's ``next`` is the ``last`` of the following page, or ``None`` after the last page
        (a page of ``n`` tags without a ``Link`` counts as not the last).

        Raises:
            ValidationError: ``OPTIONS_INVALID`` for an ``n`` that is not from 1 to 2^32 - 1;
                ``REFERENCE_INVALID`` for a ``last`` that is not a tag.
        """
        reference = self._reference(ref)
        session = self._session(reference.registry)
        operation = calls.tags_page_operation(session, reference, n, last)
        return calls.tags_page(self._steps(session, operation.next_page))

    def set_referrers_api(self, supported: bool, registry: str | None = None) -> None:
        """Tells the client whether ``registry`` (default: the client's) serves the referrers
        API, instead of it finding out by asking (ORAS's ``--distribution-spec
        v1.1-referrers-api`` or ``v1.1-referrers-tag``): with ``False``, attach and discover
        use the referrers tag schema at once."""
        self._session(registry or self.registry).set_referrers_api(supported)

    def probe_registry(
        self, ref: Ref | None = None, *, profile: str | None = None
    ) -> dict[str, Any]:
        """The registry doctor (reads only; the JS client's ``probeRegistry``, ``ocikit
        doctor``): ``GET /v2/`` (status, challenge, API version) and the credentials; with
        ``ref`` (a manifest that exists) the referrers API asked about its digest and the tag
        list's pagination. The core decides what each answer proves. Returns ``registry``,
        ``profile`` (``profile`` when named, else this client's ``registry_profile`` on its
        registry, else the host's, else ``generic``), ``probes`` (``v2``, ``referrers_api``,
        ``tag_list``, ``delete``, ``chunked_upload``) and the profile's dated ``facts``.

        Raises:
            ValidationError: ``OPTIONS_INVALID`` for an unknown ``profile``.
            NetworkError: the registry cannot be reached (a refused login is in the report).
        """
        return self._call(calls.probe_registry(self, ref, profile))

    def doctor(self, ref: Ref | None = None, *, profile: str | None = None) -> dict[str, Any]:
        """:meth:`probe_registry`, by ``ocikit doctor``'s name (the JS client's ``doctor``)."""
        return self.probe_registry(ref, profile=profile)

    def iter_repositories(self, *, page_size: int | None = None) -> Iterator[str]:
        """The repositories of the client's registry (``GET /v2/_catalog``; ``oras repo
        ls``), a page at a time as :meth:`iter_tags` pages through tags. Registries that do not
        serve the catalog answer ``UNSUPPORTED``, ``NOT_FOUND`` or ``DENIED``.

        Raises:
            LimitExceededError: ``LIMIT_EXCEEDED`` past the listing limits.
            ValidationError: ``OPTIONS_INVALID`` for a ``page_size`` not from 1 to 2^32 - 1.
        """
        session = self._session(self.registry)
        operation = ListRepositories(session, page_size=calls.page_size(page_size, "page_size"))
        while True:
            page = self._steps(session, operation.next_page)
            yield from page.items
            if page.last:
                return

    # Blobs ---------------------------------------------------------------------------------

    def delete_blob(self, ref: Ref, digest: str | Digest) -> None:
        """Deletes the blob ``digest`` from ``ref``'s repository (``oras blob delete``); a
        manifest that still names it is left broken, so delete manifests first.

        Raises:
            RegistryError: ``BLOB_UNKNOWN``; ``UNSUPPORTED`` when the registry does not allow
                deletes.
        """
        self._call(calls.delete_blob(self, ref, digest))

    def blob_size(self, ref: Ref, digest: str | Digest) -> int | None:
        """The size of the blob ``digest`` in ``ref``'s repository, or ``None`` when the
        repository does not have it."""
        return self._call(calls.blob_size(self, ref, digest))

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
            RegistryError: ``DIGEST_INVALID`` (status 400): the registry (or a layout)
                computed another digest or size.
            UploadInterruptedError: the registry went away mid-upload and did not come back
                in time (see the retry policy).
            NetworkError: the registry cannot be reached (before an upload session began).
            OSError: the file cannot be read.
        """
        return self._call(
            calls.push_blob(self, ref, descriptor, source, mount_from, upload_url or None)
        )

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
        return self._call(calls.fetch_blob(self, ref, descriptor, path))

    # Artifacts -----------------------------------------------------------------------------

    def push(self, ref: Ref, packed: Packed, *, dry_run: bool = False) -> PushOutcome:
        """Pushes a packed artifact (the core's ``Push``): each distinct blob is checked and
        uploaded when missing (see the core's push plan: blobs the client's session saw in the
        repository are skipped, blobs it saw in another repository are mounted, the small
        layers of a new artifact are uploaded without a HEAD), then the manifest goes under
        ``ref``'s tag (or its digest). With a subject on a registry without the referrers API,
        the subject's referrers tag is updated. Titles ``pull`` would refuse (two layers with
        one title, ``..``, …) are refused before any request.

        Returns the core's :class:`ocikit.PushOutcome` (as the JS client's ``push``):
        ``descriptor`` (the pushed manifest's), ``tags``, ``blobs`` (each with its status:
        uploaded, existed, mounted), ``referrers_tag`` (the subject's tag kept on a registry
        without the referrers API) and ``planned``. With ``dry_run``, nothing is sent (no
        connection is opened): the same outcome is the plan — every blob, the manifest, and
        the requests a push would make (``planned``).

        Blobs made with ``File.from_digest`` must already be in the repository.

        Raises:
            RegistryError: ``BLOB_UNKNOWN`` for a ``from_digest`` blob the repository lacks.
            ValidationError: ``ANNOTATION_INVALID`` for a refused title.
        """
        return self._call(calls.push(self, ref, packed, dry_run))

    def attach(self, ref: Ref, packed: Packed, *, dry_run: bool = False) -> PushOutcome:
        """Pushes an artifact that refers to another (``pack(..., subject=...)``) into the
        repository of ``ref`` (the subject's reference), by digest, and records it as a
        referrer of its subject. Returns the :class:`ocikit.PushOutcome` (see :meth:`push`,
        also for ``dry_run``): ``outcome.descriptor`` is the referrer's.

        Raises:
            ValueError: the artifact has no subject.
        """
        return self._call(calls.attach(self, ref, packed, dry_run))

    def referrers(self, ref: Ref, artifact_type: str | None = None) -> list[Descriptor]:
        """What refers to the manifest ``ref`` names (the referrers API, or the referrers tag
        schema), optionally only artifacts of ``artifact_type``."""
        return self._call(calls.referrers(self, ref, artifact_type))

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

        The core's ``Discover`` walks the tree: each digest once, the listings of a level
        ``concurrency`` at a time, within ``limits`` (:class:`ocikit.WalkLimits`;
        ``LIMIT_EXCEEDED`` past its depth or nodes, also when a registry makes referrers up).

        Raises:
            ValidationError: ``OPTIONS_INVALID`` for a ``depth`` that is not a whole number
                from 0 to 2^32 - 1, before any request (JS's client's words).
        """
        return self._call(calls.discover(self, ref, artifact_type, depth, limits))

    def pull(
        self,
        ref: Ref,
        output_dir: StrPath,
        *,
        keep_old_files: bool = False,
        allow_git: bool = False,
        unpack_limits: UnpackLimits | None = None,
    ) -> Pulled:
        """Writes the files of the artifact ``ref`` names into ``output_dir``, named by their
        titles (``org.opencontainers.image.title``; layers without one are skipped).

        The core's ``Pull`` checks every title (absolute paths, ``..``, two layers for one
        file, and unless ``allow_git`` a ``.git`` component, where git would run what a pulled
        ``.git/config`` says) and downloads each digest once, ``concurrency`` at a time, into
        temporary files in ``output_dir``, verified (never more than its size is read). Then
        this host refuses paths that would lead out of ``output_dir`` through a link, are too
        long for the filesystem, or (``keep_old_files``, ORAS's ``--keep-old-files``) exist,
        and only then renames the files into place: a failed pull writes none.

        A directory layer (ORAS's ``io.deis.oras.content.unpack`` annotation, as
        :meth:`ocikit.File.from_directory` pushes one) is unpacked into the directory its
        title names: the core checks every entry, and the archive against ``unpack_limits``
        (:class:`ocikit.UnpackLimits`: uncompressed bytes, entries and compression ratio;
        ``None``: the core's defaults, 8 GiB, 100,000 entries and 250). Raise them to pull a
        larger directory, lower them to refuse one sooner. Directories are unpacked and
        checked beside their destinations before any file goes into place, so a layer past a
        bound (``LIMIT_EXCEEDED``) or refused otherwise puts no file of the pull in place.

        Raises:
            ValidationError: ``ANNOTATION_INVALID`` for a title that is refused;
                ``ARCHIVE_INVALID`` for a directory layer that is not a tar+gzip archive.
            PolicyError: ``PATH_UNSAFE`` for a ``.git`` component, or an existing file with
                ``keep_old_files``; ``ARCHIVE_UNSAFE`` for an unsafe entry of a directory
                layer.
            LimitExceededError: ``LIMIT_EXCEEDED`` for a directory layer past
                ``unpack_limits``.
            TypeError: ``unpack_limits`` is not an :class:`ocikit.UnpackLimits` or ``None``.
        """
        return self._call(
            calls.pull(self, ref, output_dir, keep_old_files, allow_git, unpack_limits)
        )

    def copy(
        self,
        src_ref: Ref,
        dst_ref: Ref,
        *,
        referrers: bool = False,
        destination: Client | OciLayout | None = None,
        limits: WalkLimits | None = None,
        dry_run: bool = False,
    ) -> CopyOutcome:
        """Copies the manifest or index ``src_ref`` names, and everything it references, to
        ``dst_ref`` (tagged with its tag, else the source's tag, else by digest). Within one
        registry blobs are mounted instead of copied. ``destination`` is the client for the
        destination registry (default: this one). With ``referrers``, the artifacts that refer
        to the copied manifests and indexes are copied too, recursively. ``destination`` may
        also be an :class:`ocikit.OciLayout`, ``dst_ref`` a tag or digest of it (as
        :func:`ocikit.copy` to a layout; JS's ``copy`` with ``{ to: layout }``).

        The core's ``CopyArtifact`` walks the graph: each digest is fetched once,
        ``concurrency`` at a time, within ``limits`` (:class:`ocikit.WalkLimits`: depth, nodes
        and bytes; ``LIMIT_EXCEEDED`` past one); then the blobs the destination lacks are
        copied, then the manifests, children first (an index after its manifests, a referrer
        after its subject, with the referrers-tag upkeep). Blobs between registries pass
        through temporary files (bounded memory).

        Returns the core's :class:`ocikit.CopyOutcome` (as the JS client's ``copy``):
        ``descriptor`` (the copied root's), ``tags``, ``blobs``, ``manifests``,
        ``referrers_tags`` and ``planned``. With ``dry_run``, only the source is read: the
        outcome is the plan (``planned``: the requests the copy would make).
        """
        from ocikit._target import copy_steps

        return self._call(
            copy_steps(self, src_ref, destination, dst_ref, referrers, limits, dry_run)
        )

    # Collections ---------------------------------------------------------------------------

    def create_index(
        self,
        ref: Ref,
        sources: Sequence[str],
        *,
        artifact_type: str | None = None,
        annotations: Mapping[str, str] | None = None,
        tags: Iterable[str] = (),
        push: bool = True,
    ) -> Index:
        """Creates an index over ``sources`` (tags or digests of manifests or indexes in
        ``ref``'s repository), in their order, and pushes it under ``ref``'s tag (by digest
        without one) and ``tags`` — ``oras manifest index create``, JS's ``createIndex``:
        :func:`ocikit.create_index` on a registry. With ``push=False`` nothing is written.

        Raises:
            OciError: ``MEDIA_TYPE_MISMATCH`` for a source that is not a manifest or an index,
                ``MANIFEST_UNKNOWN`` for one the repository lacks, ``MEDIA_TYPE_INVALID`` for
                a bad ``artifact_type``.
        """
        return self._call(
            calls.create_index(self, ref, sources, artifact_type, annotations, tags, push)
        )

    def update_index(
        self,
        ref: Ref,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        merge: Sequence[str] = (),
        artifact_type: str | None | object = KEEP,
        annotations: Mapping[str, str] | None = None,
        tags: Iterable[str] = (),
        push: bool = True,
    ) -> Index:
        """Updates the index ``ref`` names — ``oras manifest index update``, JS's
        ``updateIndex``: :func:`ocikit.update_index` on a registry (``remove`` by digest,
        ``add`` and ``merge`` by tag or digest, ``artifact_type`` replaced when given, ``None``
        or ``""`` removing it). Pushed under ``ref``'s tag (by digest when ``ref`` is a digest)
        and ``tags``; with ``push=False`` nothing is written.

        Raises:
            OciError: ``MEDIA_TYPE_MISMATCH`` when ``ref`` is not an index,
                ``DIGEST_INVALID`` for a removed digest the index does not list.
        """
        return self._call(
            calls.update_index(
                self, ref, add, remove, merge, artifact_type, annotations, tags, push
            )
        )


class _HostLoop:
    """The thread host of a whole operation: the operation, its queue of requests ready to
    go, its timers, and a worker thread for each request the engine has in flight (at most
    ``concurrency`` when it is given: the others wait in the queue).

    A worker that ends a request provides the answer itself, polls the operation for what
    that made ready and goes on with the next request at once, waking (or starting) other
    workers only for the requests beyond the one it takes: no request goes through the
    caller's thread (a round trip between threads per request cost more than a small blob's
    transfer on loopback). ``poll`` and ``provide`` are called under one lock, so they are
    serialized and see the queue they fill; requests run outside it. The caller's thread
    sleeps until the operation is done or fails, or its earliest timer (``Action::Wait``) is
    due: then it provides ``"resume"`` and polls. The first error (the engine's, a local
    file's, a progress callback's) ends the loop: no request starts after it, and ``run``
    returns once every worker has ended (a request under way is finished, not abandoned).
    """

    def __init__(
        self,
        operation: Any,
        sessions: Any,
        concurrency: int | None,
        exchange: Callable[[Action], tuple[Response | Failure, str | None]],
    ) -> None:
        import heapq
        from collections import deque

        self._heapq = heapq
        self._operation = operation
        self._sessions = sessions
        # The engine bounds what it hands out (ocikit_core::registry::Concurrency); a cap of the
        # caller's bounds the workers below that.
        self._concurrency = concurrency if concurrency is not None else sys.maxsize
        self._exchange = exchange
        self._lock = threading.Lock()
        self._work = threading.Condition(self._lock)  # idle workers wait here
        self._main = threading.Condition(self._lock)  # the caller's thread waits here
        self._ready: deque[Action] = deque()
        self._timers: list[tuple[float, int]] = []  # (time.monotonic() due, task)
        self._running = 0  # requests under way
        self._idle = 0  # workers waiting for work and not yet woken
        self._workers: list[threading.Thread] = []
        self._over = False
        self._value: Any = None
        self._error: BaseException | None = None
        # Each worker runs in a copy of the caller's context (a deadline set there holds).
        self._context = contextvars.copy_context()
        self.limit: str | None = None  # the limit that ended the last request fed as a failure

    def run(self) -> Any:
        """Drives the operation to its end: its value, or its first error raised."""
        heappop = self._heapq.heappop
        try:
            with self._lock:
                self._advance()
                self._dispatch(0)
                while not self._over:
                    if not self._timers:
                        self._main.wait()
                        continue
                    delay = self._timers[0][0] - time.monotonic()
                    if delay > 0:
                        self._main.wait(delay)
                        continue
                    try:
                        self._operation.provide(heappop(self._timers)[1], "resume")
                    except BaseException as error:
                        self._end(error)
                        break
                    self._advance()
                    self._dispatch(0)
        except BaseException as error:  # KeyboardInterrupt while waiting
            with self._lock:
                self._end(error)
        finally:
            with self._lock:
                self._over = True
                self._work.notify_all()
                workers = list(self._workers)
            for worker in workers:
                worker.join()
        if self._error is not None:
            raise self._error
        return self._value

    def _end(self, error: BaseException | None = None, value: Any = None) -> None:
        """(Lock held.) The operation is done (``value``) or failed (its first ``error``):
        every thread stops."""
        if self._over:
            return
        self._over = True
        self._error = error
        self._value = value
        self._main.notify()
        self._work.notify_all()

    def _advance(self) -> None:
        """(Lock held.) Polls until the operation has nothing more to hand out: requests go to
        the queue, waits to the timers (the caller's thread is woken when one is the new
        earliest), the outcome or error ends the loop."""
        operation = self._operation
        try:
            while not self._over:
                action = operation.poll(self._sessions, _now_ms())
                kind = action.kind
                if kind == "send":
                    self._ready.append(action)
                elif kind == "wait":
                    due = (time.monotonic() + action.ms / 1000, action.task)
                    self._heapq.heappush(self._timers, due)
                    if self._timers[0] is due:
                        self._main.notify()
                elif kind == "done":
                    self._end(value=action.value)
                else:  # pending: something under way must end first
                    if not (self._ready or self._running or self._timers):
                        # The driver lost a task (a listed code, as JS's client says it).
                        raise OciError(
                            "the operation waits for an answer, but nothing is in flight",
                            code="OPERATION_MISUSE",
                        )
                    return
        except BaseException as error:
            self._end(error)

    def _dispatch(self, keep: int) -> None:
        """(Lock held.) Hands the queued requests beyond the ``keep`` the calling worker takes
        itself to idle workers, and starts workers for the rest (up to ``concurrency``)."""
        extra = len(self._ready) - keep
        if extra <= 0 or self._over:
            return
        woken = min(extra, self._idle)
        if woken:
            self._idle -= woken
            self._work.notify(woken)
            extra -= woken
        while extra > 0 and len(self._workers) < self._concurrency:
            worker = threading.Thread(
                target=self._context.copy().run, args=(self._serve,),
                name="ocikit-transfer", daemon=True,
            )  # fmt: skip
            try:
                worker.start()
            except BaseException as error:  # no thread can be started
                self._end(error)
                return
            self._workers.append(worker)
            extra -= 1

    def _serve(self) -> None:
        """A worker: takes the next request, sends it, provides the answer and polls, until
        the loop ends."""
        lock = self._lock
        exchange = self._exchange
        operation = self._operation
        lock.acquire()
        try:
            while not self._over:
                if not self._ready:
                    self._idle += 1
                    self._work.wait()
                    continue
                action = self._ready.popleft()
                self._running += 1
                lock.release()
                try:
                    answer, limit = exchange(action)
                except BaseException as error:  # a local failure: the loop ends
                    lock.acquire()
                    self._running -= 1
                    self._end(error)
                    return
                lock.acquire()
                self._running -= 1
                if self._over:
                    return
                self.limit = limit if isinstance(answer, Failure) else None
                try:
                    operation.provide(action.task, answer)
                except BaseException as error:
                    self._end(error)
                    return
                self._advance()
                self._dispatch(1)
        finally:
            lock.release()


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
