"""``AsyncClient``: the third host of the core's operations, on asyncio and ``httpx``.

It drives the same machines as :class:`ocikit.Client` — the whole operations (``Push``,
``Pull``, ``Discover``, ``Delete``, ``TagsOf``, ``CopyArtifact``) and the single requests —
with asyncio tasks instead of threads: ``poll`` hands out what is ready, each request is an
``httpx.AsyncClient`` exchange (at most ``concurrency`` at once), each wait an
``asyncio.sleep``, each answer goes back with ``provide`` as it arrives. Sessions, references,
limits, the pull's temporary files and the progress reports are the sync client's.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, Callable

from ocikit._client import (
    _FAILURE_KINDS,
    OCI_INDEX,
    OCI_MANIFEST,
    Client,
    Pulled,
    Ref,
    _at,
    _destinations,
    _make_directories,
    _media_type,
    _now_ms,
    _packed_source,
    _plain,
    _Spool,
    _tagged,
)
from ocikit._files import StrPath
from ocikit._http import (
    CHUNK_SIZE,
    BlobSink,
    BlobSource,
    _body_pieces,
    httpx_cause,
    transport_error,
)
from ocikit._ocikit import (
    BlobExists,
    CheckAuth,
    CopyArtifact,
    CopyOutcome,
    Delete,
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
    Pull,
    Push,
    PushBlob,
    PushOutcome,
    PutManifest,
    Referrer,
    RegistrySession,
    Request,
    ResolveManifest,
    Response,
    TagsOf,
    WalkLimits,
)
from ocikit._pack import Packed
from ocikit.errors import OciError, OperationTimeoutError

try:
    import httpx
except ImportError as error:  # pragma: no cover - the extra is missing
    raise ImportError(
        "ocikit.AsyncClient needs httpx: pip install 'ocikit[async]'", name=error.name
    ) from error

__all__ = ["AsyncClient"]


class AsyncClient:
    """A client of one registry for asyncio: the methods of :class:`ocikit.Client`, as
    coroutines, with the same arguments, results, limits and coded errors.

    Requests go through ``http`` (an ``httpx.AsyncClient``; one is made and closed with this
    client when not given). The stall timeout is each request's httpx timeout; the deadline
    (``timeout``) bounds each call as a whole (``asyncio.wait_for``) and ends with ``TIMEOUT``.
    Other keyword arguments are :class:`ocikit.Client`'s. A download the network cuts is
    continued by the engine with ``Range`` from what its sink holds, as in the sync client.
    """

    def __init__(
        self, registry: str, *, http: httpx.AsyncClient | None = None, **options: Any
    ) -> None:
        self._sync = Client(registry, **options)  # sessions, limits, references, files
        self._http = http if http is not None else httpx.AsyncClient()
        self._own_http = http is None
        self.registry = registry

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

    def _session(self, reference: Any = None) -> RegistrySession:
        return self._sync._session(self.registry if reference is None else reference.registry)

    async def _timed(self, work: Any) -> Any:
        """``work`` within the client's deadline: ``TIMEOUT`` naming the registry past it."""
        timeout = self._sync.timeout
        if timeout is None:
            return await work
        try:
            return await asyncio.wait_for(work, timeout)
        except asyncio.TimeoutError:
            raise OperationTimeoutError(
                f"{self.registry}: the operation's deadline ({timeout:g} s) passed (raise it "
                "with AsyncClient(timeout=...))",
                code="TIMEOUT",
                details={"host": self.registry, "limit": "deadline", "seconds": timeout},
            ) from None

    async def _drive(
        self,
        operation: Any,
        sessions: Any,
        *,
        sources: Callable[[Descriptor], BlobSource] | None = None,
        sinks: Callable[[Descriptor], BlobSink] | None = None,
    ) -> Any:
        """The host loop of a whole operation (see :meth:`ocikit.Client._drive`), on tasks."""
        ready: deque[Any] = deque()
        tasks: dict[asyncio.Task[Any], Any] = {}
        sending = 0
        try:
            while True:
                action = operation.poll(sessions, _now_ms())
                if action.kind == "done":
                    return action.value
                if action.kind == "send":
                    ready.append(action)
                    continue
                if action.kind == "wait":
                    tasks[asyncio.ensure_future(asyncio.sleep(action.ms / 1000, "resume"))] = (
                        action
                    )
                    continue
                while ready and sending < self._sync.concurrency:
                    action = ready.popleft()
                    blob = action.blob
                    source = sources(blob) if sources and isinstance(action.request.body, tuple) else None
                    sink = sinks(blob) if sinks and blob is not None and action.request.stream else None
                    tasks[asyncio.ensure_future(self._send(action.request, source, sink))] = action
                    sending += 1
                if not tasks:
                    raise OciError("the operation waits for nothing in flight", code="INTERNAL_ERROR")
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    action = tasks.pop(task)
                    if action.kind == "send":
                        sending -= 1
                    operation.provide(action.task, task.result())
        finally:
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, reference: Any, operation: Any, *, source: Any = None, sink: Any = None) -> Any:
        """Drives a single-request operation (its ``next``) to its end."""
        session = self._session(reference)
        event = operation.next(session, None, _now_ms())
        while event.kind != "done":
            if event.kind == "wait":
                await asyncio.sleep(event.ms / 1000)
                answer: Any = "resume"
            else:
                answer = await self._send(event.request, source, sink)
            event = operation.next(session, answer, _now_ms())
        return event.value

    async def _send(
        self, request: Request, source: BlobSource | None, sink: BlobSink | None
    ) -> Response | Failure:
        """One exchange with httpx: the response, or the transport's failure as a
        ``Failure`` (the engine decides what follows). Bodies are bounded as the request
        says (``stream_max``, ``capture_max``); its deadline is checked between pieces."""
        ends = request.deadline_ms
        length, body = _body_pieces(request, source)
        headers = list(request.headers)
        if length or request.method in ("PUT", "POST", "PATCH"):
            headers.append(("Content-Length", str(length)))

        async def pieces() -> AsyncIterator[bytes]:
            for piece in body:
                yield bytes(piece)

        content: Any = body if isinstance(body, bytes) else pieces()
        stall = request.timeout_ms / 1000 if request.timeout_ms else None
        outgoing = self._http.build_request(
            request.method, request.url, headers=headers, content=content,
            timeout=httpx.Timeout(stall),
        )  # fmt: skip
        try:
            response = await self._http.send(outgoing, stream=True, follow_redirects=False)
            try:
                pairs = list(response.headers.multi_items())
                status = response.status_code
                if request.method == "HEAD":
                    return Response(status, pairs)
                streamed = request.stream and 200 <= status < 300
                room = None
                if streamed:
                    assert sink is not None, "the operation downloads, and no sink was given"
                    sink.start(append=status == 206)
                    room = sink.room(request.stream_max, status == 206)
                else:
                    room = request.capture_max + 1
                captured = bytearray()
                async for piece in response.aiter_raw(CHUNK_SIZE):
                    if ends is not None and _now_ms() >= ends:
                        raise httpx.ReadTimeout("the request's deadline passed")
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
        except (httpx.TransportError, httpx.InvalidURL) as error:
            passed = ends is not None and _now_ms() >= ends
            coded = transport_error(
                httpx_cause(error), request.method, request.url, deadline_passed=passed
            )
            kind = _FAILURE_KINDS[coded.code]
            reason = str(coded.details.get("reason") or coded)
            # A cut download: what the sink holds, from the blob's first byte (the engine asks
            # for the rest with Range).
            held = sink.size if sink is not None and request.stream else 0
            return Failure(kind, reason, received=held or None)

    # Manifests --------------------------------------------------------------------------------

    async def check_auth(self) -> None:
        """See :meth:`ocikit.Client.check_auth`."""
        await self._timed(self._run(None, CheckAuth(self._session())))

    async def resolve(self, ref: Ref) -> Descriptor:
        """See :meth:`ocikit.Client.resolve`."""
        reference = self._sync._reference(ref)
        found = await self._timed(self._run(reference, ResolveManifest(self._session(reference), reference)))
        return Descriptor(media_type=found.media_type or OCI_MANIFEST, digest=found.digest, size=found.size)

    async def fetch(self, ref: Ref) -> FetchedManifest:
        """See :meth:`ocikit.Client.fetch`."""
        reference = self._sync._reference(ref)
        return await self._timed(self._run(reference, GetManifest(self._session(reference), reference)))

    async def fetch_manifest(self, ref: Ref) -> Manifest:
        """See :meth:`ocikit.Client.fetch_manifest`."""
        return Manifest.from_json((await self.fetch(ref)).data)

    async def fetch_index(self, ref: Ref) -> Index:
        """See :meth:`ocikit.Client.fetch_index`."""
        return Index.from_json((await self.fetch(ref)).data)

    async def push_manifest(
        self, ref: Ref, manifest: Manifest | Index | bytes, media_type: str | None = None
    ) -> Descriptor:
        """See :meth:`ocikit.Client.push_manifest` (the core's ``Push``, manifest only)."""
        reference = self._sync._reference(ref)
        if isinstance(manifest, (Manifest, Index)):
            data = manifest.to_json()
            media_type = media_type or manifest.media_type or (
                OCI_MANIFEST if isinstance(manifest, Manifest) else OCI_INDEX
            )
        else:
            data = bytes(manifest)
            media_type = _media_type(data, media_type)
        push = Push(reference, media_type, data, manifest_only=True)
        outcome = await self._timed(self._drive(push, self._session(reference)))
        return _plain(outcome.descriptor)

    async def tag(self, ref: Ref, tag: str) -> Descriptor:
        """See :meth:`ocikit.Client.tag`."""
        reference = self._sync._reference(ref)
        fetched = await self.fetch(reference)
        target = _tagged(reference, tag)
        media_type = fetched.media_type or _media_type(fetched.data, None)
        put = PutManifest(self._session(target), target, media_type, fetched.data)
        digest = await self._timed(self._run(target, put))
        return Descriptor(media_type=media_type, digest=digest, size=len(fetched.data))

    async def delete_manifest(self, ref: Ref) -> Any:
        """See :meth:`ocikit.Client.delete_manifest` (the core's ``Delete``)."""
        reference = self._sync._reference(ref)
        return await self._timed(self._drive(Delete(reference), self._session(reference)))

    async def tags_of(self, ref: Ref, digest: str | Digest | None = None) -> Any:
        """See :meth:`ocikit.Client.tags_of` (the core's ``TagsOf``)."""
        reference = self._sync._reference(ref)
        if digest is None:
            digest = reference.digest or (await self.resolve(reference)).digest
        return await self._timed(self._drive(TagsOf(reference, digest), self._session(reference)))

    async def list_tags(self, ref: Ref) -> list[str]:
        """See :meth:`ocikit.Client.list_tags`."""
        reference = self._sync._reference(ref)
        return list(await self._timed(self._run(reference, ListTags(self._session(reference), reference))))

    async def iter_tags(self, ref: Ref, *, page_size: int | None = None) -> AsyncIterator[str]:
        """See :meth:`ocikit.Client.iter_tags`: an async iterator holding one page."""
        reference = self._sync._reference(ref)
        session = self._session(reference)
        listing = ListTags(session, reference, page_size=page_size)

        async def page() -> Any:
            event = listing.next_page(session, None, _now_ms())
            while event.kind != "done":
                if event.kind == "wait":
                    await asyncio.sleep(event.ms / 1000)
                    answer: Any = "resume"
                else:
                    answer = await self._send(event.request, None, None)
                event = listing.next_page(session, answer, _now_ms())
            return event.value

        while True:
            found = await self._timed(page())
            for tag in found.items:
                yield tag
            if found.last:
                return

    # Blobs ----------------------------------------------------------------------------------

    async def blob_size(self, ref: Ref, digest: str | Digest) -> int | None:
        """See :meth:`ocikit.Client.blob_size`."""
        reference = self._sync._reference(ref)
        return await self._timed(self._run(reference, BlobExists(self._session(reference), reference, digest)))

    async def blob_exists(self, ref: Ref, digest: str | Digest) -> bool:
        """See :meth:`ocikit.Client.blob_exists`."""
        return await self.blob_size(ref, digest) is not None

    async def push_blob(
        self, ref: Ref, descriptor: Descriptor, source: bytes | StrPath, *, mount_from: str | None = None
    ) -> bool:
        """See :meth:`ocikit.Client.push_blob` (without ``upload_url``)."""
        reference = self._sync._reference(ref)
        push = PushBlob(
            self._session(reference), reference, descriptor,
            mount_from=mount_from, chunk_size=self._sync.chunk_size,
        )  # fmt: skip
        return bool(await self._timed(self._run(reference, push, source=BlobSource(source))))

    async def fetch_blob(self, ref: Ref, descriptor: Descriptor, path: StrPath | None = None) -> bytes | None:
        """See :meth:`ocikit.Client.fetch_blob`: the bytes, or written (verified) to ``path``."""
        reference = self._sync._reference(ref)
        spool = _Spool(None, self._sync)
        try:
            get = GetBlob(self._session(reference), reference, descriptor)
            await self._timed(self._run(reference, get, sink=spool.sink(descriptor)))
            if path is not None:
                spool.place(descriptor.digest, Path(path))
                return None
            with open(spool.source(descriptor).path or "", "rb") as file:
                return file.read()
        finally:
            spool.close()

    # Artifacts -------------------------------------------------------------------------------

    async def push(self, ref: Ref, packed: Packed, *, dry_run: bool = False) -> PushOutcome:
        """See :meth:`ocikit.Client.push` (the core's ``Push``; returns its
        :class:`ocikit.PushOutcome`, dry run or not)."""
        return await self._push(self._sync._reference(ref), packed, dry_run)

    async def attach(self, ref: Ref, packed: Packed, *, dry_run: bool = False) -> PushOutcome:
        """See :meth:`ocikit.Client.attach` (returns the :class:`ocikit.PushOutcome`)."""
        if packed.manifest.subject is None:
            raise ValueError("attach() needs an artifact packed with a subject")
        return await self._push(_at(self._sync._reference(ref), packed.digest), packed, dry_run)

    async def _push(self, reference: Any, packed: Packed, dry_run: bool) -> PushOutcome:
        if not isinstance(packed, Packed):
            raise TypeError(f"push() takes a Packed artifact, not {type(packed).__name__!r}")
        manifest = packed.manifest
        push = Push(
            reference, manifest.media_type or OCI_MANIFEST, manifest.to_json(),
            chunk_size=self._sync.chunk_size, dry_run=dry_run,
        )  # fmt: skip
        blobs = {blob.descriptor.digest: blob for blob in packed.blobs}

        def source(descriptor: Descriptor) -> BlobSource:
            return _packed_source(blobs, descriptor, reference)

        outcome: PushOutcome = await self._timed(
            self._drive(push, self._session(reference), sources=source)
        )
        return outcome

    async def referrers(self, ref: Ref, artifact_type: str | None = None) -> list[Descriptor]:
        """See :meth:`ocikit.Client.referrers`."""
        reference = self._sync._reference(ref)
        digest = reference.digest or (await self.resolve(reference)).digest
        listing = ListReferrers(self._session(reference), reference, digest, artifact_type=artifact_type)
        return list(await self._timed(self._run(reference, listing)))

    async def discover(
        self,
        ref: Ref,
        artifact_type: str | None = None,
        depth: int | None = None,
        *,
        limits: WalkLimits | None = None,
    ) -> list[Referrer]:
        """See :meth:`ocikit.Client.discover` (the core's ``Discover``)."""
        if depth is not None and depth < 0:
            raise ValueError("depth must be a non-negative integer")
        reference = self._sync._reference(ref)
        discover = Discover(reference, artifact_type=artifact_type, depth=depth, limits=limits)
        return list((await self._timed(self._drive(discover, self._session(reference)))).referrers)

    async def pull(
        self, ref: Ref, output_dir: StrPath, *, keep_old_files: bool = False, allow_git: bool = False
    ) -> Pulled:
        """See :meth:`ocikit.Client.pull` (the core's ``Pull``; files renamed into place only
        when every one is downloaded and checked)."""
        reference = self._sync._reference(ref)
        output = Path(output_dir)
        _make_directories(output)
        spool = _Spool(output.resolve(), self._sync)
        try:
            pull = Pull(reference, allow_git=allow_git)
            outcome = await self._timed(self._drive(pull, self._session(reference), sinks=spool.sink))
            destinations = _destinations(output, outcome.files, keep_old_files=keep_old_files)
            for file, destination in zip(outcome.files, destinations):
                _make_directories(destination.parent)
                spool.place(file.descriptor.digest, destination)
        finally:
            spool.close()
        return Pulled(Manifest.from_json(outcome.manifest), tuple(destinations))

    async def copy(
        self,
        src_ref: Ref,
        dst_ref: Ref,
        *,
        referrers: bool = False,
        limits: WalkLimits | None = None,
        dry_run: bool = False,
    ) -> CopyOutcome:
        """See :meth:`ocikit.Client.copy` (the core's ``CopyArtifact``; registry to registry,
        both reached with this client's credentials for its registry; returns its
        :class:`ocikit.CopyOutcome`, dry run or not)."""
        source = self._sync._reference(src_ref)
        target = self._sync._reference(dst_ref)
        copy = CopyArtifact(
            source, target, referrers=referrers, limits=limits,
            chunk_size=self._sync.chunk_size, dry_run=dry_run,
        )  # fmt: skip
        sessions = [self._session(source)]
        if target.registry != source.registry:
            sessions.append(self._session(target))
        spool = _Spool(None, self._sync, report=False)
        try:
            outcome: CopyOutcome = await self._timed(
                self._drive(copy, sessions, sources=spool.source, sinks=spool.sink)
            )
        finally:
            spool.close()
        return outcome

