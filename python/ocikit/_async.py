"""``AsyncClient``: the third host of the core's operations, on asyncio and ``httpx``.

What each call does is :class:`ocikit.Client`'s, written once for both (``ocikit._calls``);
this module is only the host: a whole operation's ``poll`` hands out what is ready, each
request is an ``httpx.AsyncClient`` exchange on a task of its own (as many at once as the
engine hands out, at most ``concurrency`` when it is given), each wait an ``asyncio.sleep``,
each answer goes back with ``provide`` as it arrives.
Sessions, references and limits are those of a :class:`ocikit.Client` made with the same
options.
"""

from __future__ import annotations

import asyncio
import ssl
import sys
import urllib.request
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from ocikit import _calls as calls
from ocikit._archive import UnpackLimits
from ocikit._calls import Pulled, Ref
from ocikit._client import _FAILURE_KINDS, Client, _now_ms
from ocikit._files import CHUNK_SIZE, StrPath
from ocikit._http import (
    _ACCEPT_IDENTITY,
    BlobSink,
    BlobSource,
    Transport,
    _body_pieces,
    httpx_cause,
    transport_error,
)
from ocikit._ocikit import (
    CopyOutcome,
    DeleteOutcome,
    Descriptor,
    Digest,
    FetchedManifest,
    Index,
    ListRepositories,
    ListTags,
    Manifest,
    PushOutcome,
    Referrer,
    RegistrySession,
    Request,
    Response,
    Failure,
    TagsOfOutcome,
    WalkLimits,
)
from ocikit._pack import Packed
from ocikit.errors import OciError

if TYPE_CHECKING:
    from ocikit._collections import BackedUp, Restored
    from ocikit._layout import OciLayout

try:
    import httpx
except ImportError as error:  # pragma: no cover - the extra is missing
    raise ImportError(
        "ocikit.AsyncClient needs httpx: pip install 'ocikit[async]'", name=error.name
    ) from error

from ocikit._async_net import AsyncioTransport, Exchange, target  # noqa: E402 (needs httpx)

__all__ = ["AsyncClient"]

T = TypeVar("T")

# The httpx timeout of each stall timeout in use (one for all the requests of a client).
_TIMEOUTS: dict[float | None, httpx.Timeout] = {}


def _own_http(
    ssl_context: ssl.SSLContext | None,
) -> tuple[httpx.AsyncClient, _LazyTLSTransport | None]:
    """The httpx client an ``AsyncClient`` makes when given none: ``httpx.AsyncClient(verify=
    ssl_context or True)`` as it would send requests, on asyncio's transports
    (``_LazyTLSTransport``), whose HTTPS side loads the certificates (20–30 ms) only when the
    first HTTPS request is sent; and that transport, which the requests go to directly
    (``exchange``: the client's own layer, its cookies, default headers, auth and redirect
    handling, costs about a fifth of a small request, and the engine does all of it; so do
    httpx's request and response objects). With proxies in the
    environment (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``: what httpx
    reads, ``urllib.request.getproxies()``) the client is httpx's own, transports and proxies
    made as it makes them (httpx reads no proxy from the environment for a client given a
    transport), and requests go through it."""
    verify: ssl.SSLContext | bool = ssl_context if ssl_context is not None else True
    if urllib.request.getproxies():
        return httpx.AsyncClient(verify=verify), None
    transport = _LazyTLSTransport(verify)
    return httpx.AsyncClient(transport=transport), transport


class _LazyTLSTransport(httpx.AsyncBaseTransport):
    """What ``httpx.AsyncClient(verify=...)`` would send through (``httpx.AsyncHTTPTransport``
    with its defaults), on asyncio's own transports (``ocikit._async_net``: HTTP/1.1 with h11
    in a keep-alive pool of ocikit's, without httpcore's per-request locks); the HTTPS one
    made, its TLS context with it (``httpx.create_ssl_context``, as httpx makes it from
    ``verify``: 20–30 ms to load the certificates), on the first HTTPS request. Plain ``http``
    URLs go on a transport whose TLS context has no certificates loaded (and that never starts
    TLS: no proxy, a plain URL)."""

    def __init__(self, verify: ssl.SSLContext | bool) -> None:
        self._verify = verify
        # Verifying, with no authority to trust: it could never accept a certificate.
        self._plain = AsyncioTransport(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
        self._tls: AsyncioTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme == "http":
            return await self._plain.handle_async_request(request)
        if self._tls is None:
            self._tls = AsyncioTransport(httpx.create_ssl_context(verify=self._verify))
        return await self._tls.handle_async_request(request)

    async def exchange(
        self,
        method: str,
        url: str,
        headers: list[tuple[str, str]],
        content: bytes | AsyncIterator[bytes],
        timeout: dict[str, float | None],
    ) -> Exchange:
        """``AsyncioTransport.exchange`` on the transport of the URL's scheme (``url`` read as
        httpx reads it: ``httpx.InvalidURL`` for what it refuses)."""
        parsed = target(url)
        if parsed.scheme == b"http":
            return await self._plain.exchange(method, parsed, headers, content, timeout)
        if self._tls is None:
            self._tls = AsyncioTransport(httpx.create_ssl_context(verify=self._verify))
        return await self._tls.exchange(method, parsed, headers, content, timeout)

    async def aclose(self) -> None:
        await self._plain.aclose()
        if self._tls is not None:
            await self._tls.aclose()


class AsyncClient:
    """A client of one registry for asyncio: the methods of :class:`ocikit.Client`, as
    coroutines, with the same arguments, results, limits, progress reports and coded errors.

    Requests go through ``http`` (an ``httpx.AsyncClient``; one is made and closed with this
    client when not given). The stall timeout is each request's httpx timeout; the deadline
    (``timeout``) is the core's, of each operation, as in the sync client: each request ends
    when it passes and the operation raises ``TIMEOUT``. Other keyword arguments are
    :class:`ocikit.Client`'s; its ``ssl_context`` is also the httpx client's ``verify`` when
    this client makes that one. A download the network cuts is continued by the engine with
    ``Range`` from what its sink holds, as in the sync client.
    """

    def __init__(
        self,
        registry: str,
        *,
        http: httpx.AsyncClient | None = None,
        registry_profile: str | None = None,
        **options: Any,
    ) -> None:
        # sessions, limits, references, files; the profile the engine adapts to, as Client's
        self._sync = Client(registry, registry_profile=registry_profile, **options)
        self._http, self._transport = (
            (http, None) if http is not None else _own_http(options.get("ssl_context"))
        )
        self._own_http = http is None
        self.registry = registry
        self.registry_profile = registry_profile

    def __repr__(self) -> str:
        return f"AsyncClient({self.registry!r}, plain_http={self._sync.plain_http})"

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the httpx client (when this client made it)."""
        if self._own_http:
            await self._http.aclose()

    # The host loops -------------------------------------------------------------------------

    async def _call(self, steps: calls.Call[T], peers: tuple[AsyncClient, ...] = ()) -> T:
        """Runs a call of ``ocikit._calls`` (see ``Client._call``) on this event loop: a whole
        operation's requests for the registry of ``peers`` (other async clients) go with
        theirs, those for a layout (its client's transport) on a worker thread, and so does
        local work (``Local``)."""
        try:
            step = next(steps)
            while True:
                try:
                    if isinstance(step, calls.One):
                        reference = step.reference
                        session = self._sync._session(
                            self.registry if reference is None else reference.registry
                        )
                        operation = step.make(session)
                        value = await self._steps(session, operation.next, step.source, step.sink)
                    elif isinstance(step, calls.Local):
                        value = await asyncio.to_thread(step.work)
                    else:
                        value = await self._drive(
                            step.operation, step.sessions, sources=step.sources,
                            sinks=step.sinks, transport=step.transport, peers=peers,
                        )  # fmt: skip
                except BaseException as error:
                    step = steps.throw(error)
                else:
                    step = steps.send(value)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        finally:
            steps.close()

    async def _drive(
        self,
        operation: Any,
        sessions: Any,
        *,
        sources: Callable[[Descriptor], BlobSource] | None = None,
        sinks: Callable[[Descriptor], BlobSink] | None = None,
        transport: Callable[[str], Transport] | None = None,
        peers: tuple[AsyncClient, ...] = (),
    ) -> Any:
        """The host loop of a whole operation (see ``Client._drive``), on tasks. Each task
        that ends queues itself; the loop takes them from the queue as they come (one
        ``asyncio.wait`` over every task in flight would add and remove a callback on each of
        them for every answer). With ``transport`` (an operation between two stores), a
        request goes with the client of the store the engine names (``Action.registry``)."""
        senders = {id(client._sync._transport): client for client in (self, *peers)}

        def send(action: Any, source: BlobSource | None, sink: BlobSink | None) -> Any:
            if transport is None:
                return self._send(action.request, source, sink)
            sender = transport(action.registry)
            client = senders.get(id(sender))
            if client is not None:
                return client._send(action.request, source, sink)
            return self._send_local(sender, action.request, source, sink)

        ready: deque[Any] = deque()
        tasks: dict[asyncio.Future[Any], Any] = {}
        ended: asyncio.Queue[asyncio.Future[Any]] = asyncio.Queue()
        sending = 0

        def track(future: asyncio.Future[Any], action: Any) -> None:
            tasks[future] = action
            future.add_done_callback(ended.put_nowait)

        try:
            while True:
                action = operation.poll(sessions, _now_ms())
                if action.kind == "done":
                    return action.value
                if action.kind == "send":
                    ready.append(action)
                    continue
                if action.kind == "wait":
                    track(asyncio.ensure_future(asyncio.sleep(action.ms / 1000, "resume")), action)
                    continue
                # The engine bounds what it hands out; the caller's concurrency caps it.
                cap = self._sync.concurrency
                while ready and (cap is None or sending < cap):
                    action = ready.popleft()
                    blob, request = action.blob, action.request
                    source = sources(blob) if sources and isinstance(request.body, tuple) else None
                    sink = sinks(blob) if sinks and blob is not None and request.stream else None
                    track(asyncio.ensure_future(send(action, source, sink)), action)
                    sending += 1
                if not tasks:
                    # The driver lost a task (a listed code, in the sync and JS clients' words).
                    raise OciError(
                        "the operation waits for an answer, but nothing is in flight",
                        code="OPERATION_MISUSE",
                    )
                done = [await ended.get()]
                while not ended.empty():
                    done.append(ended.get_nowait())
                for task in done:
                    action = tasks.pop(task)
                    answer = task.result()
                    if action.kind == "send":
                        sending -= 1
                    operation.provide(action.task, answer)
        except OciError as error:
            # The core names the upload its error is about, if it gave up on one (as the sync
            # client asks it): the caller may go on later from its URL.
            interrupted = getattr(operation, "interrupted_upload", None)
            upload = interrupted() if interrupted is not None else None
            if upload is not None:
                raise calls.interrupted(error, *upload) from error
            raise
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _send_local(
        self, sender: Transport, request: Request, source: BlobSource | None, sink: BlobSink | None
    ) -> Response | Failure:
        """One exchange with a layout's transport (its files read and written), on a worker
        thread: the answer, or the failure the sync client makes of its error."""
        answer, _ = await asyncio.to_thread(self._sync._answer, sender, request, source, sink)
        return answer

    async def _steps(
        self,
        session: RegistrySession,
        step: Callable[[RegistrySession, Any, int], Any],
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Any:
        """Drives a single-request operation's ``step`` (its ``next``, or ``next_page``)."""
        event = step(session, None, _now_ms())
        while event.kind != "done":
            if event.kind == "wait":
                await asyncio.sleep(event.ms / 1000)
                answer: Any = "resume"
            else:
                answer = await self._send(event.request, source, sink)
            event = step(session, answer, _now_ms())
        return event.value

    async def _send(
        self, request: Request, source: BlobSource | None, sink: BlobSink | None
    ) -> Response | Failure:
        """One exchange with httpx: the response, or the transport's failure as a
        ``Failure`` (the engine decides what follows). Bodies are bounded as the request
        says (``stream_max``, ``capture_max``); the exchange ends at the request's deadline
        (``deadline_ms``, the operation's), however slowly bytes come."""
        ends = request.deadline_ms
        passed = False
        try:
            if ends is None:
                return await self._exchange(request, source, sink)
            left = (ends - _now_ms()) / 1000
            if left <= 0:
                raise asyncio.TimeoutError
            if sys.version_info >= (3, 11):
                # On this task (wait_for ran the exchange on a task of its own, one more per
                # request).
                async with asyncio.timeout(left):
                    return await self._exchange(request, source, sink)
            return await asyncio.wait_for(self._exchange(request, source, sink), left)
        except asyncio.TimeoutError:
            error: BaseException = TimeoutError()
            passed = True
        except (httpx.TransportError, httpx.InvalidURL) as failed:
            error = httpx_cause(failed)
            passed = ends is not None and _now_ms() >= ends
        coded = transport_error(error, request.method, request.url, deadline_passed=passed)
        reason = str(coded.details.get("reason") or coded)
        return calls.failure(_FAILURE_KINDS[coded.code], reason, request, sink)

    async def _exchange(
        self, request: Request, source: BlobSource | None, sink: BlobSink | None
    ) -> Response:
        length, body = _body_pieces(request, source)
        headers = list(request.headers)
        if length or request.method in ("PUT", "POST", "PATCH"):
            headers.append(("Content-Length", str(length)))
        headers.append(_ACCEPT_IDENTITY)

        async def pieces() -> AsyncIterator[bytes]:
            for piece in body:
                yield bytes(piece)

        content: Any = body if isinstance(body, bytes) else pieces()
        stall = request.timeout_ms / 1000 if request.timeout_ms else None
        timeout = _TIMEOUTS.get(stall)
        if timeout is None:
            timeout = httpx.Timeout(stall)
            if len(_TIMEOUTS) < 64:
                _TIMEOUTS[stall] = timeout
        response: Exchange | httpx.Response
        received: AsyncIterator[bytes]
        if self._transport is not None:
            # This client's own transport, directly (see _own_http): the request as httpx's
            # client would send it, without the client's cookies and default headers, and
            # without httpx's request and response objects (AsyncioTransport.exchange).
            response = await self._transport.exchange(
                request.method, request.url, headers, content, timeout.as_dict()
            )
            status, pairs = response.status, response.headers
            received = response.raw()  # as read: whole, never copied into bigger pieces
        else:
            outgoing = self._http.build_request(
                request.method, request.url, headers=headers, content=content, timeout=timeout
            )
            response = await self._http.send(outgoing, stream=True, follow_redirects=False)
            status, pairs = response.status_code, list(response.headers.multi_items())
            received = response.aiter_raw(CHUNK_SIZE)
        try:
            if request.method == "HEAD":
                # No body (h11 ends a HEAD's response at its headers, whatever they say), but
                # the response ends only when it is read: closed unread, the pool (ocikit's
                # or httpcore's) closes the connection, and every blob's existence check would
                # cost a new one.
                async for _ in received:
                    pass
                return Response(status, pairs)
            streamed = request.stream and 200 <= status < 300
            if streamed:
                assert sink is not None, "the operation downloads, and no sink was given"
                sink.start(append=status == 206)
                room = sink.room(request.stream_max, status == 206)
            else:
                room = request.capture_max + 1
            captured = bytearray()
            async for piece in received:
                if room is not None:
                    piece = piece[:room]
                    room -= len(piece)
                if streamed:
                    sink.write(memoryview(piece))  # type: ignore[union-attr]
                else:
                    captured += piece
                if room == 0:
                    break  # one byte past the limit: the engine answers, stop reading
            if streamed:
                return Response(status, pairs, streamed=sink.result())  # type: ignore[union-attr]
            return Response(status, pairs, bytes(captured))
        finally:
            await response.aclose()

    # Manifests --------------------------------------------------------------------------------

    async def check_auth(self) -> None:
        """See :meth:`ocikit.Client.check_auth`."""
        await self._call(calls.check_auth(self._sync))

    async def resolve(self, ref: Ref) -> Descriptor:
        """See :meth:`ocikit.Client.resolve`."""
        return await self._call(calls.resolve(self._sync, ref))

    async def fetch(self, ref: Ref) -> FetchedManifest:
        """See :meth:`ocikit.Client.fetch`."""
        return await self._call(calls.fetch(self._sync, ref))

    async def fetch_manifest(self, ref: Ref) -> Manifest:
        """See :meth:`ocikit.Client.fetch_manifest`."""
        return await self._call(calls.fetch_manifest(self._sync, ref))

    async def fetch_index(self, ref: Ref) -> Index:
        """See :meth:`ocikit.Client.fetch_index`."""
        return await self._call(calls.fetch_index(self._sync, ref))

    async def push_manifest(
        self, ref: Ref, manifest: Manifest | Index | bytes, media_type: str | None = None
    ) -> Descriptor:
        """See :meth:`ocikit.Client.push_manifest`."""
        return await self._call(calls.push_manifest(self._sync, ref, manifest, media_type))

    async def tag(self, ref: Ref, tag: str) -> Descriptor:
        """See :meth:`ocikit.Client.tag`."""
        return await self._call(calls.tag(self._sync, ref, tag))

    async def delete_manifest(self, ref: Ref) -> DeleteOutcome:
        """See :meth:`ocikit.Client.delete_manifest`."""
        return await self._call(calls.delete_manifest(self._sync, ref))

    async def tags_of(self, ref: Ref, digest: str | Digest | None = None) -> TagsOfOutcome:
        """See :meth:`ocikit.Client.tags_of`."""
        return await self._call(calls.tags_of(self._sync, ref, digest))

    async def list_tags(self, ref: Ref) -> list[str]:
        """See :meth:`ocikit.Client.list_tags`."""
        return await self._call(calls.list_tags(self._sync, ref))

    async def iter_tags(self, ref: Ref, *, page_size: int | None = None) -> AsyncIterator[str]:
        """See :meth:`ocikit.Client.iter_tags`: an async iterator holding one page."""
        reference = self._sync._reference(ref)
        session = self._sync._session(reference.registry)
        listing = ListTags(session, reference, page_size=calls.page_size(page_size, "page_size"))
        while True:
            page = await self._steps(session, listing.next_page)
            for tag in page.items:
                yield tag
            if page.last:
                return

    async def list_tags_page(
        self, ref: Ref, *, n: int | None = None, last: str | None = None
    ) -> calls.TagsPage:
        """See :meth:`ocikit.Client.list_tags_page`."""
        reference = self._sync._reference(ref)
        session = self._sync._session(reference.registry)
        operation = calls.tags_page_operation(session, reference, n, last)
        return calls.tags_page(await self._steps(session, operation.next_page))

    def set_referrers_api(self, supported: bool, registry: str | None = None) -> None:
        """See :meth:`ocikit.Client.set_referrers_api`."""
        self._sync.set_referrers_api(supported, registry)

    async def probe_registry(
        self, ref: Ref | None = None, *, profile: str | None = None
    ) -> dict[str, Any]:
        """See :meth:`ocikit.Client.probe_registry`."""
        return await self._call(calls.probe_registry(self._sync, ref, profile))

    async def doctor(self, ref: Ref | None = None, *, profile: str | None = None) -> dict[str, Any]:
        """See :meth:`ocikit.Client.doctor`."""
        return await self.probe_registry(ref, profile=profile)

    async def iter_repositories(self, *, page_size: int | None = None) -> AsyncIterator[str]:
        """See :meth:`ocikit.Client.iter_repositories`: an async iterator holding one page."""
        session = self._sync._session(self._sync.registry)
        listing = ListRepositories(session, page_size=calls.page_size(page_size, "page_size"))
        while True:
            page = await self._steps(session, listing.next_page)
            for name in page.items:
                yield name
            if page.last:
                return

    # Blobs ----------------------------------------------------------------------------------

    async def delete_blob(self, ref: Ref, digest: str | Digest) -> None:
        """See :meth:`ocikit.Client.delete_blob`."""
        await self._call(calls.delete_blob(self._sync, ref, digest))

    async def blob_size(self, ref: Ref, digest: str | Digest) -> int | None:
        """See :meth:`ocikit.Client.blob_size`."""
        return await self._call(calls.blob_size(self._sync, ref, digest))

    async def blob_exists(self, ref: Ref, digest: str | Digest) -> bool:
        """See :meth:`ocikit.Client.blob_exists`."""
        return await self.blob_size(ref, digest) is not None

    async def push_blob(
        self,
        ref: Ref,
        descriptor: Descriptor,
        source: bytes | StrPath,
        *,
        mount_from: str | None = None,
        upload_url: str | None = None,
    ) -> bool:
        """See :meth:`ocikit.Client.push_blob`."""
        call = calls.push_blob(self._sync, ref, descriptor, source, mount_from, upload_url or None)
        return await self._call(call)

    async def fetch_blob(
        self, ref: Ref, descriptor: Descriptor, path: StrPath | None = None
    ) -> bytes | None:
        """See :meth:`ocikit.Client.fetch_blob`: the bytes, or written (verified) to ``path``."""
        return await self._call(calls.fetch_blob(self._sync, ref, descriptor, path))

    # Artifacts -------------------------------------------------------------------------------

    async def push(self, ref: Ref, packed: Packed, *, dry_run: bool = False) -> PushOutcome:
        """See :meth:`ocikit.Client.push`."""
        return await self._call(calls.push(self._sync, ref, packed, dry_run))

    async def attach(self, ref: Ref, packed: Packed, *, dry_run: bool = False) -> PushOutcome:
        """See :meth:`ocikit.Client.attach`."""
        return await self._call(calls.attach(self._sync, ref, packed, dry_run))

    async def referrers(self, ref: Ref, artifact_type: str | None = None) -> list[Descriptor]:
        """See :meth:`ocikit.Client.referrers`."""
        return await self._call(calls.referrers(self._sync, ref, artifact_type))

    async def discover(
        self,
        ref: Ref,
        artifact_type: str | None = None,
        depth: int | None = None,
        *,
        limits: WalkLimits | None = None,
    ) -> list[Referrer]:
        """See :meth:`ocikit.Client.discover`."""
        return await self._call(calls.discover(self._sync, ref, artifact_type, depth, limits))

    async def pull(
        self,
        ref: Ref,
        output_dir: StrPath,
        *,
        keep_old_files: bool = False,
        allow_git: bool = False,
        unpack_limits: UnpackLimits | None = None,
    ) -> Pulled:
        """See :meth:`ocikit.Client.pull` (``unpack_limits``: :class:`ocikit.UnpackLimits`
        for its directory layers)."""
        call = calls.pull(self._sync, ref, output_dir, keep_old_files, allow_git, unpack_limits)
        return await self._call(call)

    async def copy(
        self,
        src_ref: Ref,
        dst_ref: Ref,
        *,
        referrers: bool = False,
        destination: AsyncClient | OciLayout | None = None,
        limits: WalkLimits | None = None,
        dry_run: bool = False,
    ) -> CopyOutcome:
        """See :meth:`ocikit.Client.copy`: ``destination`` is another ``AsyncClient`` (the
        destination registry, reached with its own credentials and connections) or an
        :class:`ocikit.OciLayout` (``dst_ref`` a tag or digest of it; its files are read and
        written on worker threads); by default this client's registry."""
        from ocikit._target import copy_steps

        if isinstance(destination, AsyncClient):
            call = copy_steps(
                self._sync, src_ref, destination._sync, dst_ref, referrers, limits, dry_run
            )
            return await self._call(call, peers=(destination,))
        call = copy_steps(self._sync, src_ref, destination, dst_ref, referrers, limits, dry_run)
        return await self._call(call)

    async def backup(self, ref: str, output: StrPath, *, referrers: bool = True) -> BackedUp:
        """See :func:`ocikit.backup` (``oras backup``): the tags of ``ref`` into the layout
        ``output`` (a directory, or a ``.tar``), with their referrers unless
        ``referrers=False``; the layout's files are written on worker threads."""
        from ocikit import _collections

        done = await self._call(_collections.backup_steps(self._sync, ref, output, referrers))
        return _collections.BackedUp(done, str(output))

    async def restore(self, input: StrPath, ref: str, *, referrers: bool = True) -> Restored:
        """See :func:`ocikit.restore` (``oras restore``): the layout ``input`` verified (on a
        worker thread), then its tags pushed to ``ref``'s repository and checked there."""
        from ocikit import _collections

        steps = _collections.restore_steps(input, self._sync, ref, referrers)
        repository, done = await self._call(steps)
        return _collections.Restored(done, repository)

    async def create_index(
        self,
        ref: Ref,
        sources: Sequence[str],
        *,
        artifact_type: str | None = None,
        annotations: Mapping[str, str] | None = None,
        tags: Iterable[str] = (),
        push: bool = True,
    ) -> Index:
        """See :meth:`ocikit.Client.create_index`."""
        call = calls.create_index(self._sync, ref, sources, artifact_type, annotations, tags, push)
        return await self._call(call)

    async def update_index(
        self,
        ref: Ref,
        *,
        add: Sequence[str] = (),
        remove: Sequence[str] = (),
        merge: Sequence[str] = (),
        artifact_type: str | None | object = calls.KEEP,
        annotations: Mapping[str, str] | None = None,
        tags: Iterable[str] = (),
        push: bool = True,
    ) -> Index:
        """See :meth:`ocikit.Client.update_index`."""
        call = calls.update_index(
            self._sync, ref, add, remove, merge, artifact_type, annotations, tags, push
        )
        return await self._call(call)
