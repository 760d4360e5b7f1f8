"""A hostile OCI registry and an attacker's listener, in the Python standard library only.

The registry (plain HTTP on 127.0.0.1, and the same behaviours over HTTPS on another port)
chooses its behaviour by the repository name in the request path: ``/v2/endless-blob/...``
streams a blob without end, ``/v2/realm-file/...`` challenges with a ``file:`` token realm, and
so on (see :data:`BEHAVIOURS`). Repositories without a behaviour of their own are an ordinary
in-memory registry behind Basic auth (``USER``/``PASSWORD``), so the clients hold registry
credentials in every case — what a leak would carry.

The attacker listens on other origins (127.0.0.1 and 127.0.0.2, plain and TLS, and [::1] when
the machine has IPv6) and records every request it receives, headers (``Authorization``
included) and bodies: a case passes only if no secret of the registry ever reaches it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.server
import json
import re
import select
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

USER = "hostile-user"
PASSWORD = "hostile-pa55-Zq81"
REGISTRY_TOKEN = "registry-token-7f3a9c"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
# Every string that must never reach the attacker.
SECRETS = (PASSWORD, BASIC, REGISTRY_TOKEN)

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
EMPTY_CONFIG = {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2,
    "data": "e30=",
}
ARTIFACT_TYPE = "application/vnd.hostile.test.config.v1+json"
LAYER_TYPE = "application/vnd.hostile.test.layer.v1+txt"
LAYER = b"hello hostile\n"
# The size a hostile blob's descriptor declares; the registry then sends more.
DECLARED = 1024
SENT_CAP = 1 << 30  # an endless body stops here at the latest (a client that reads it all)
TITLE = "org.opencontainers.image.title"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def encode(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def descriptor(media_type: str, data: bytes, **extra: Any) -> dict[str, Any]:
    return {"mediaType": media_type, "digest": sha256(data), "size": len(data), **extra}


def manifest(
    layers: list[dict[str, Any]],
    subject: dict[str, Any] | None = None,
    annotations: dict[str, str] | None = None,
) -> bytes:
    document: dict[str, Any] = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": EMPTY_CONFIG,
        "layers": layers,
    }
    if subject is not None:
        document["subject"] = subject
    if annotations:
        document["annotations"] = annotations
    return encode(document)


def index(children: list[dict[str, Any]]) -> bytes:
    return encode({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children})


def layer_descriptor(data: bytes, title: str | None = "hello.txt", size: int | None = None):
    annotations = {TITLE: title} if title is not None else None
    d = descriptor(LAYER_TYPE, data, **({"annotations": annotations} if annotations else {}))
    if size is not None:
        d["size"] = size
    return d


# Records -------------------------------------------------------------------------------------


@dataclass
class Record:
    """One request a listener received."""

    listener: str
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes  # the first MiB of the request's body
    received: int = 0  # bytes of request body received in all
    status: int = 0  # the status answered (0: none, or not HTTP)
    sent: int = 0  # bytes of body the server wrote back (endless and oversized bodies)

    def text(self) -> str:
        head = "\n".join(f"{k}: {v}" for k, v in self.headers)
        return f"{self.method} {self.path}\n{head}\n\n" + self.body.decode("latin-1")

    def repository(self) -> str | None:
        parts = self.path.split("?")[0].split("/")
        return parts[2] if len(parts) > 2 and parts[1] == "v2" and parts[2] else None


@dataclass
class Journal:
    """Every request of every listener since the last :meth:`reset`."""

    records: list[Record] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, record: Record) -> Record:
        with self.lock:
            self.records.append(record)
        return record

    def reset(self) -> None:
        with self.lock:
            self.records = []

    def of(self, listener_prefix: str) -> list[Record]:
        with self.lock:
            return [r for r in self.records if r.listener.startswith(listener_prefix)]


# The documents of the ordinary repositories ---------------------------------------------------


class Content:
    """Manifests (by tag and digest) and blobs of the in-memory registry, shared by every
    repository (a blob pushed to ``sink`` is found there by digest)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.blobs: dict[str, bytes] = {sha256(b"{}"): b"{}", sha256(LAYER): LAYER}
        self.manifests: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.uploads: dict[str, bytearray] = {}

    def put_manifest(self, repo: str, tag: str | None, data: bytes, media_type: str) -> str:
        digest = sha256(data)
        with self.lock:
            self.manifests[(repo, digest)] = (data, media_type)
            if tag is not None:
                self.manifests[(repo, tag)] = (data, media_type)
        return digest

    def manifest(self, repo: str, ref: str) -> tuple[bytes, str] | None:
        with self.lock:
            found = self.manifests.get((repo, ref))
            if found is None and ref.startswith("sha256:"):
                # documents of generated graphs are found by digest in any repository
                found = next((v for (_, r), v in self.manifests.items() if r == ref), None)
            return found


# Handler -------------------------------------------------------------------------------------


class Request:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.method = handler.command
        split = urllib.parse.urlsplit(handler.path)
        self.path = split.path
        self.query = urllib.parse.parse_qs(split.query)
        parts = self.path.split("/")
        # /v2/<repo>/<kind>/<rest...>
        self.repo = parts[2] if len(parts) > 3 and parts[1] == "v2" else None
        self.kind = parts[3] if len(parts) > 3 else None
        self.rest = "/".join(parts[4:]) if len(parts) > 4 else ""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Listener
    record: Record

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.settimeout(10)
            try:
                self.request.do_handshake()
            except (OSError, ssl.SSLError):
                self.request.close()
                raise
            self.request.settimeout(None)
        super().setup()

    def _read_body(self) -> tuple[bytes, int]:
        """The request body's first MiB and its whole length (a client that sends gigabytes
        where it should not costs the test runner no memory)."""
        kept = bytearray()
        total = 0
        # The GHCR-like registry stores blobs pushed in chunks of up to 4 MiB: it keeps more.
        keep = 8 << 20 if self.path.startswith("/v2/ghcr-like") else 1 << 20

        def take(count: int) -> None:
            nonlocal total
            while count > 0:
                piece = self.rfile.read(min(count, 1 << 20))
                if not piece:
                    return
                count -= len(piece)
                total += len(piece)
                if len(kept) < keep:
                    kept.extend(piece[: keep - len(kept)])

        length = self.headers.get("Content-Length")
        if length is not None and length.isdigit():
            take(int(length))
        elif "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                take(size)
                self.rfile.readline(4)
        return bytes(kept), total

    def _dispatch(self) -> None:
        body, received = self._read_body()
        self.record = self.server.journal.add(
            Record(
                self.server.name,
                self.command,
                self.path,
                list(self.headers.items()),
                body,
                received,
            )
        )
        self.body = body
        try:
            self.server.serve(self, Request(self))
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _dispatch  # noqa: N815

    # Replies ---------------------------------------------------------------------------------

    def reply(
        self,
        status: int,
        body: bytes = b"",
        headers: list[tuple[str, str]] | None = None,
        content_type: str | None = None,
    ) -> None:
        self.record.status = status
        self.send_response(status)
        for name, value in headers or []:
            self.send_header(name, value)
        if content_type is not None:
            self.send_header("Content-Type", content_type)
        if not any(name.lower() == "content-length" for name, _ in headers or []):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and body:
            self.wfile.write(body)
            self.record.sent += len(body)

    def error_reply(
        self,
        status: int,
        code: str,
        message: str,
        detail: Any = None,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        entry: dict[str, Any] = {"code": code, "message": message}
        if detail is not None:
            entry["detail"] = detail
        self.reply(status, encode({"errors": [entry]}), headers, "application/json")

    def raw(self, data: bytes) -> None:
        """Bytes straight to the socket (framing no HTTP library would write), then close."""
        self.close_connection = True
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            pass

    def wait_for_close(self, limit: float = 300.0) -> None:
        """Answers nothing: waits until the client hangs up (or ``limit`` seconds)."""
        self.close_connection = True
        sock = self.connection
        end = time.monotonic() + limit
        while time.monotonic() < end and not self.server.stopping.is_set():
            ready, _, _ = select.select([sock], [], [], 0.2)
            if ready:
                try:
                    if not sock.recv(65536):
                        return
                except (OSError, ssl.SSLError):
                    return

    def stream(
        self,
        status: int,
        total: int | None,
        declared: int | None,
        pace: float = 0.0,
        piece: int = 1 << 16,
        headers: list[tuple[str, str]] | None = None,
    ) -> None:
        """A body of ``total`` bytes (None: endless, chunked) sent ``piece`` bytes at a time,
        ``pace`` seconds apart; ``declared`` is the Content-Length sent (None: chunked)."""
        self.close_connection = True
        self.record.status = status
        self.send_response(status)
        for name, value in headers or []:
            self.send_header(name, value)
        self.send_header("Content-Type", "application/octet-stream")
        if declared is None:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.flush()
        if self.command == "HEAD":
            return
        data = b"\0" * piece
        sent = 0
        cap = SENT_CAP if total is None else total
        try:
            while sent < cap and not self.server.stopping.is_set():
                n = min(piece, cap - sent)
                chunk = data[:n]
                if declared is None:
                    self.wfile.write(b"%x\r\n%s\r\n" % (n, chunk))
                else:
                    self.wfile.write(chunk)
                self.wfile.flush()
                sent += n
                self.record.sent = sent
                if pace:
                    time.sleep(pace)
        except OSError:
            return


# Listeners -----------------------------------------------------------------------------------


class Listener(http.server.ThreadingHTTPServer):
    """One listening socket (plain or TLS) with the behaviour ``serve``."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(
        self,
        name: str,
        host: str,
        serve: Callable[[Handler, Request], None],
        journal: Journal,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), Handler)
        self.name = name
        self.serve = serve
        self.journal = journal
        self.tls = tls
        self.stopping = threading.Event()
        self.host = host
        self.port = self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}"

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = self.socket.accept()
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away, a TLS handshake that failed: part of the game

    def start(self) -> Listener:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


# The attacker --------------------------------------------------------------------------------


def attacker_serve(handler: Handler, request: Request) -> None:
    """What the attacker answers: a token to anyone who asks, a Bearer challenge of its own to
    redirected requests (so that a client that honours it sends credentials), 201 to uploads."""
    server = handler.server
    path = request.path
    if path.startswith("/token"):
        handler.reply(
            200,
            encode({"token": "attacker-token", "access_token": "attacker-token"}),
            content_type="application/json",
        )
    elif path.startswith("/serve/"):
        # storage on another origin (a CDN): serves the blob to anyone, no credentials needed
        handler.reply(200, LAYER, [], "application/octet-stream")
    elif path.startswith("/redirected-basic/"):
        handler.reply(401, b"", [("WWW-Authenticate", 'Basic realm="attacker"')])
    elif path.startswith("/redirected/"):
        realm = f"{server.origin}/token"
        handler.reply(
            401, b"", [("WWW-Authenticate", f'Bearer realm="{realm}",service="attacker"')]
        )
    elif path.startswith("/upload"):
        handler.reply(
            202 if request.method != "PUT" else 201,
            b"",
            [("Location", f"{server.origin}/upload/next")],
        )
    elif path.startswith("/v2/"):
        # a tag list page on the attacker's origin (a Link there): a page without a next link
        handler.reply(
            200, encode({"name": "x", "tags": ["attacker"]}), content_type="application/json"
        )
    else:
        handler.reply(404, b"")


# The registry --------------------------------------------------------------------------------


class HostileRegistry:
    """The registry's listeners (plain and TLS), the attacker's, one journal, the content."""

    def __init__(self, tls: ssl.SSLContext) -> None:
        self.journal = Journal()
        self.content = Content()
        self.generated: dict[str, tuple[bytes, str]] = {}  # digest -> document (walk graphs)
        self.lock = threading.Lock()
        self.cache: dict[str, Any] = {}
        self.plain = Listener("registry", "127.0.0.1", self.serve, self.journal)
        self.secure = Listener("registry-tls", "127.0.0.1", self.serve, self.journal, tls)
        self.attackers = {
            "local": Listener("attacker-127.0.0.1", "127.0.0.1", attacker_serve, self.journal),
            "other": Listener("attacker-127.0.0.2", "127.0.0.2", attacker_serve, self.journal),
            "other-tls": Listener(
                "attacker-tls-127.0.0.2", "127.0.0.2", attacker_serve, self.journal, tls
            ),
        }
        # Without IPv6 loopback nothing can connect to [::1] either: no listener needed.
        with contextlib.suppress(OSError):
            self.attackers["v6-tls"] = Listener(
                "attacker-tls-::1", "::1", attacker_serve, self.journal, tls
            )
        self.listeners = [self.plain, self.secure, *self.attackers.values()]
        self._build_normal()

    def start(self) -> HostileRegistry:
        for listener in self.listeners:
            listener.start()
        return self

    def stop(self) -> None:
        for listener in self.listeners:
            listener.stop()

    # Content -----------------------------------------------------------------------------

    def _build_normal(self) -> None:
        self.hello = manifest([layer_descriptor(LAYER)])
        self.hello_digest = sha256(self.hello)

    def generate(self, data: bytes, media_type: str = OCI_MANIFEST) -> dict[str, Any]:
        """Registers a generated document (found by digest in any repository)."""
        digest = sha256(data)
        with self.lock:
            self.generated[digest] = (data, media_type)
        return {"mediaType": media_type, "digest": digest, "size": len(data)}

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        with self.lock:
            if key in self.cache:
                return self.cache[key]
        value = make()
        with self.lock:
            self.cache.setdefault(key, value)
            return self.cache[key]

    # Dispatch ----------------------------------------------------------------------------

    def serve(self, handler: Handler, request: Request) -> None:
        if request.path == "/token":
            return self._token(handler, request)
        if request.path in ("/v2/", "/v2"):
            if not self._authorized(handler):
                return self._challenge(handler)
            return handler.reply(200, b"{}", content_type="application/json")
        name = request.repo or ""
        behaviour = None
        for prefix, function in BEHAVIOURS:
            if name == prefix or name.startswith(prefix + "-"):
                behaviour = function
                break
        if behaviour is not None and behaviour(self, handler, request) is not False:
            return
        if not self._authorized(handler):
            return self._challenge(handler)
        self.ordinary(handler, request)

    def _authorized(self, handler: Handler) -> bool:
        value = handler.headers.get("Authorization", "")
        return value in (f"Basic {BASIC}", f"Bearer {REGISTRY_TOKEN}")

    def _challenge(self, handler: Handler) -> None:
        handler.error_reply(
            401,
            "UNAUTHORIZED",
            "authentication required",
            headers=[("WWW-Authenticate", 'Basic realm="hostile-registry"')],
        )

    def _token(self, handler: Handler, request: Request) -> None:
        """The registry's own token service (a realm on its own origin): the token only for
        the registry's credentials; ``?kind=`` selects a broken token."""
        if handler.headers.get("Authorization", "") != f"Basic {BASIC}":
            return handler.reply(401, b"", [("WWW-Authenticate", 'Basic realm="token"')])
        kind = (request.query.get("kind") or [""])[0]
        token = {
            "": REGISTRY_TOKEN,
            "crlf": REGISTRY_TOKEN + "\r\nX-Injected: yes",
            "nonascii": "t\u00f6k\u00e9n-\u2603",
            "nul": "tok\x00en",
            "notjson": None,
            "nested": None,
        }.get(kind, REGISTRY_TOKEN)
        if kind == "nested":
            body = b'{"token":' + b"[" * 3000 + b"]" * 3000 + b"}"
            return handler.reply(200, body, content_type="application/json")
        if token is None:
            return handler.reply(200, b"<html>not a token</html>", content_type="text/html")
        handler.reply(200, encode({"token": token}), content_type="application/json")

    # The ordinary registry ---------------------------------------------------------------

    def ordinary(self, handler: Handler, request: Request) -> None:
        content = self.content
        repo, kind, rest, method = request.repo, request.kind, request.rest, request.method
        if kind == "manifests":
            if method in ("GET", "HEAD"):
                found = self.generated.get(rest) or content.manifest(repo or "", rest)
                if found is None and rest in ("latest", self.hello_digest):
                    found = (self.hello, OCI_MANIFEST)
                if found is None:
                    return handler.error_reply(404, "MANIFEST_UNKNOWN", "manifest unknown")
                data, media_type = found
                return handler.reply(
                    200, data, [("Docker-Content-Digest", sha256(data))], media_type
                )
            if method == "PUT":
                media_type = handler.headers.get("Content-Type", OCI_MANIFEST)
                tag = None if rest.startswith("sha256:") else rest
                digest = content.put_manifest(repo or "", tag, handler.body, media_type)
                location = f"/v2/{repo}/manifests/{digest}"
                return handler.reply(
                    201, b"", [("Location", location), ("Docker-Content-Digest", digest)]
                )
        if kind == "blobs":
            if rest.startswith("uploads"):
                return self._upload(handler, request)
            if method in ("GET", "HEAD"):
                data = content.blobs.get(rest)
                if data is None:
                    return handler.error_reply(404, "BLOB_UNKNOWN", "blob unknown")
                return handler.reply(
                    200, data, [("Docker-Content-Digest", rest)], "application/octet-stream"
                )
        if kind == "tags":
            tags = sorted(
                {r for (n, r), _ in content.manifests.items() if n == repo and ":" not in r}
            )
            return handler.reply(
                200,
                encode({"name": repo, "tags": tags or ["latest"]}),
                content_type="application/json",
            )
        if kind == "referrers":
            return handler.reply(200, index([]), content_type=OCI_INDEX)
        handler.error_reply(404, "NOT_FOUND", "not found")

    def _upload(self, handler: Handler, request: Request, location: str | None = None) -> None:
        content = self.content
        repo, method = request.repo, request.method
        parts = request.rest.split("/")
        if method == "POST":
            mount = request.query.get("mount")
            if mount and mount[0] in content.blobs:
                return handler.reply(201, b"", [("Location", f"/v2/{repo}/blobs/{mount[0]}")])
            upload_id = f"u{len(content.uploads)}-{time.monotonic_ns()}"
            content.uploads[upload_id] = bytearray()
            target = location or f"/v2/{repo}/blobs/uploads/{upload_id}"
            return handler.reply(
                202,
                b"",
                [("Location", target), ("Range", "0-0"), ("Docker-Upload-UUID", upload_id)],
            )
        upload_id = parts[1] if len(parts) > 1 else ""
        buffer = content.uploads.get(upload_id)
        if buffer is None:
            return handler.error_reply(404, "BLOB_UPLOAD_UNKNOWN", "upload unknown")
        buffer += handler.body
        if method == "PATCH":
            target = location or f"/v2/{repo}/blobs/uploads/{upload_id}"
            return handler.reply(
                202, b"", [("Location", target), ("Range", f"0-{len(buffer) - 1}")]
            )
        if method == "PUT":
            digest = (request.query.get("digest") or [""])[0]
            if sha256(bytes(buffer)) != digest:
                return handler.error_reply(400, "DIGEST_INVALID", "digest mismatch")
            content.blobs[digest] = bytes(buffer)
            return handler.reply(
                201,
                b"",
                [("Location", f"/v2/{repo}/blobs/{digest}"), ("Docker-Content-Digest", digest)],
            )
        handler.error_reply(405, "UNSUPPORTED", "method")


# Behaviours ----------------------------------------------------------------------------------
# Each takes (registry, handler, request) and answers, or returns False to let the ordinary
# registry answer. Names are matched as the repository name or its prefix before "-<n>".

Behaviour = Callable[[HostileRegistry, Handler, Request], bool | None]


def _realm(realm_of: Callable[[HostileRegistry, Handler], str]) -> Behaviour:
    """Every request is answered with a Bearer challenge naming a hostile realm."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> None:
        realm = realm_of(registry, handler)
        scope = f"repository:{request.repo}:pull"
        handler.error_reply(
            401,
            "UNAUTHORIZED",
            "authentication required",
            headers=[
                ("WWW-Authenticate", f'Bearer realm="{realm}",service="hostile",scope="{scope}"')
            ],
        )

    return behaviour


def _own_realm(kind: str) -> Behaviour:
    """A realm on the registry's own origin (allowed); ``kind`` selects what its token is."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if handler.headers.get("Authorization", "") == f"Bearer {REGISTRY_TOKEN}":
            return False
        realm = f"{handler.server.origin}/token" + (f"?kind={kind}" if kind else "")
        handler.error_reply(
            401,
            "UNAUTHORIZED",
            "authentication required",
            headers=[
                (
                    "WWW-Authenticate",
                    f'Bearer realm="{realm}",service="hostile",'
                    f'scope="repository:{request.repo}:pull"',
                )
            ],
        )
        return None

    return behaviour


def _authorized_only(function: Behaviour) -> Behaviour:
    """Runs ``function`` for requests with the registry's credentials; challenges the rest."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if not registry._authorized(handler):
            registry._challenge(handler)
            return None
        return function(registry, handler, request)

    return behaviour


def _redirect_blob(target: Callable[[HostileRegistry, Handler, Request], str]) -> Behaviour:
    """Blob GETs answered with a 307 to ``target``; the rest is ordinary."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind == "blobs" and not request.rest.startswith("uploads"):
            if request.method == "HEAD":  # what `blob fetch` asks first: the declared size
                handler.reply(200, b"", [("Content-Length", str(DECLARED))])
            else:
                handler.reply(307, b"", [("Location", target(registry, handler, request))])
            return None
        return False

    return _authorized_only(behaviour)


def _redirect_manifest(
    registry: HostileRegistry, handler: Handler, request: Request
) -> bool | None:
    if request.kind == "manifests" and request.method in ("GET", "HEAD"):
        other = registry.attackers["other"].origin
        handler.reply(307, b"", [("Location", f"{other}/redirected/manifest/{request.rest}")])
        return None
    return False


def _redirect_loop(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    if request.kind == "manifests":
        n = int((request.query.get("n") or ["0"])[0])
        handler.reply(307, b"", [("Location", f"{request.path}?n={n + 1}")])
        return None
    return False


def _upload_location(
    location: Callable[[HostileRegistry, Handler, Request], str], on: str = "POST"
) -> Behaviour:
    """Uploads whose ``Location`` (from the POST, or from the first PATCH) is ``location``."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind == "blobs" and request.method == "HEAD":
            handler.error_reply(404, "BLOB_UNKNOWN", "blob unknown")  # so that it is uploaded
            return None
        if request.kind == "blobs" and request.rest.startswith("uploads"):
            if request.method == on:
                registry._upload(handler, request, location(registry, handler, request))
            else:
                registry._upload(handler, request)
            return None
        return False

    return _authorized_only(behaviour)


def _ansi(field_name: str) -> Behaviour:
    evil = "\x1b[31mRED\x1b[0m\x1b]0;pwned-title\x07\x1b[2J\x9b31m\rOVERWRITE\x08\x7f"

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind != "manifests":
            return False
        if field_name == "message":
            handler.error_reply(404, "MANIFEST_UNKNOWN", f"manifest {evil} unknown", {"why": evil})
        elif field_name == "code":
            handler.error_reply(400, f"{evil}EVIL", f"bad {evil}")
        elif field_name == "text":
            handler.reply(400, f"plain text {evil}\n".encode(), content_type="text/plain")
        elif field_name == "header":
            escapes = "\x1b[31mRED\x1b[0m\x1b]0;pwned-title\x07\x1b[2J"
            handler.reply(
                401,
                b"",
                [("WWW-Authenticate", f'Bearer realm="{handler.server.origin}/tok{escapes}en"')],
            )
        return None

    return _authorized_only(behaviour)


def _ansi_tags(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    if request.kind == "tags":
        # ... and a right-to-left override (a tag a terminal would show as another).
        evil = ["ok", "\x1b[2Jcleared", "bell\x07", "cr\roverwrite", "v1\u202e2v"]
        handler.reply(
            200, encode({"name": request.repo, "tags": evil}), content_type="application/json"
        )
        return None
    return False


def _hostile_blob(mode: str) -> Behaviour:
    """A manifest whose layer declares ``DECLARED`` bytes; its GET sends something else."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        data = b"\0" * DECLARED
        if request.kind == "manifests":
            doc = manifest([layer_descriptor(data, "blob.bin")])
            handler.reply(200, doc, [("Docker-Content-Digest", sha256(doc))], OCI_MANIFEST)
            return None
        if request.kind == "blobs":
            if request.method == "HEAD":
                handler.reply(200, b"", [("Content-Length", str(DECLARED))])
                return None
            if mode == "endless":
                handler.stream(200, None, None)
            elif mode == "oversized":
                handler.stream(200, 512 << 20, 512 << 20)
            elif mode == "slow":
                handler.stream(200, DECLARED, DECLARED, pace=1.0, piece=1)
            elif mode == "stall":
                handler.stream(200, 0, DECLARED)
                handler.wait_for_close(120)
            elif mode == "never":
                handler.wait_for_close(300)
            return None
        return False

    return _authorized_only(behaviour)


def _one_blob(layers: Callable[[bytes], list[dict[str, Any]]], data: bytes) -> Behaviour:
    """A manifest of ``layers(data)``, and ``data`` for any blob asked."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind == "manifests":
            doc = manifest(layers(data))
            handler.reply(200, doc, [("Docker-Content-Digest", sha256(doc))], OCI_MANIFEST)
            return None
        if request.kind == "blobs":
            handler.reply(200, data, [], "application/octet-stream")
            return None
        return False

    return _authorized_only(behaviour)


# A layer declaring 2 TiB (2^41 bytes): a client must not allocate or trust it.
_huge_declared = _one_blob(
    lambda data: [layer_descriptor(data, "huge.bin", size=1 << 41)], b"\0" * 16
)

# One 2 MiB blob under 500 titles: a pull writes each title as a file of its own (1000 MiB on
# disk from a 2 MiB download) unless the plan bounds it.
_many_titles = _one_blob(
    lambda data: [layer_descriptor(data, f"copy-{i:03}.bin") for i in range(500)], b"z" * (2 << 20)
)


def _wide_collection(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    """An index of 27,000 children (4 MiB, under the manifest limit): the pull's plan compared
    each child with every earlier one before the children limit was looked at (19 s in Python,
    56 s in JS, the event loop blocked)."""
    if request.kind != "manifests":
        return False
    doc = registry.cached(
        "wide-collection",
        lambda: index(
            [
                {"mediaType": OCI_MANIFEST, "digest": f"sha256:{i:064x}", "size": 1}
                for i in range(27_000)
            ]
        ),
    )
    handler.reply(200, doc, [("Docker-Content-Digest", sha256(doc))], OCI_INDEX)
    return None


def _slow_manifest(mode: str) -> Behaviour:
    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind != "manifests":
            return False
        if mode == "slow":
            handler.stream(
                200, 4000, 4000, pace=1.0, piece=1, headers=[("Content-Type", OCI_MANIFEST)]
            )
        elif mode == "never":
            handler.wait_for_close(300)
        elif mode == "headers-then-stall":
            handler.stream(200, 0, 4000)
            handler.wait_for_close(300)
        return None

    return _authorized_only(behaviour)


def _retry_after(value: str, status: int = 429) -> Behaviour:
    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind != "manifests":
            return False
        handler.error_reply(
            status, "TOOMANYREQUESTS", "slow down", headers=[("Retry-After", value)]
        )
        return None

    return _authorized_only(behaviour)


def _tags(mode: str) -> Behaviour:
    def make_page(count: int, start: int = 0) -> bytes:
        return encode({"name": "t", "tags": [f"tag-{i:010d}" for i in range(start, start + count)]})

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind != "tags":
            return False
        json_type = "application/json"
        if mode == "huge-page":  # one page of 16 MiB (about a million tags)
            body = registry.cached("tags-16mib", lambda: make_page(1_050_000))
            return handler.reply(200, body, content_type=json_type)
        if mode == "padded":  # 40 MiB of whitespace inside one page of three tags
            body = registry.cached(
                "tags-padded", lambda: b'{"name":"t","tags":["a",' + b" " * (40 << 20) + b'"b"]}'
            )
            return handler.reply(200, body, content_type=json_type)
        page = int((request.query.get("page") or ["0"])[0])
        body = make_page(1000, page * 1000)
        if mode == "many-pages":
            link = f'</v2/{request.repo}/tags/list?n=1000&page={page + 1}>; rel="next"'
        elif mode == "link-loop":
            link = f'</v2/{request.repo}/tags/list?n=1000&page=0>; rel="next"'
        elif mode == "link-backslash":  # another origin for Node's and browsers' parsers
            own = handler.server.origin.split("://", 1)[1]
            other = registry.attackers["other"].address
            link = f'<http://{other}\\@{own}/v2/{request.repo}/tags/list?page=1>; rel="next"'
        else:  # link-other-origin
            other = registry.attackers["other"].origin
            link = f'<{other}/v2/{request.repo}/tags/list?page=1>; rel="next"'
        return handler.reply(200, body, [("Link", link)], json_type)

    return _authorized_only(behaviour)


def _referrers(mode: str) -> Behaviour:
    """Referrers listings: too large, padded, or invented without end (every digest has new
    referrers, each with referrers of its own)."""

    def invented(registry: HostileRegistry, subject_digest: str, width: int) -> bytes:
        children = []
        subject = {"mediaType": OCI_MANIFEST, "digest": subject_digest, "size": 2}
        for i in range(width):
            doc = manifest([], subject=subject, annotations={"n": f"{subject_digest}-{i}"})
            children.append({**registry.generate(doc), "artifactType": ARTIFACT_TYPE})
        return index(children)

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind != "referrers":
            return False
        if mode == "too-large":

            def make() -> bytes:
                entry = {"mediaType": OCI_MANIFEST, "size": 500, "artifactType": ARTIFACT_TYPE}
                return index([{**entry, "digest": "sha256:" + f"{i:064x}"} for i in range(150_000)])

            handler.reply(200, registry.cached("referrers-150k", make), content_type=OCI_INDEX)
        elif mode == "padded":
            body = registry.cached(
                "referrers-padded", lambda: index([])[:-1] + b" " * (40 << 20) + b"}"
            )
            handler.reply(200, body, content_type=OCI_INDEX)
        else:
            width = 1 if mode == "endless" else 8
            handler.reply(200, invented(registry, request.rest, width), content_type=OCI_INDEX)
        return None

    return _authorized_only(behaviour)


def _graph(mode: str) -> Behaviour:
    """Index graphs for copy: ``dup-index-<depth>`` (each index lists its child twice) and
    ``index-chain-<depth>`` (one child each), over one small manifest."""

    def build(registry: HostileRegistry, depth: int, twice: bool) -> bytes:
        child = registry.generate(registry.hello)
        top = b""
        for _ in range(depth):
            top = index([child, child] if twice else [child])
            child = registry.generate(top, OCI_INDEX)
        return top

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind == "manifests" and request.rest == "latest":
            depth = int((request.repo or "0").rsplit("-", 1)[1])
            top = registry.cached(request.repo or "", lambda: build(registry, depth, mode == "dup"))
            handler.reply(200, top, [("Docker-Content-Digest", sha256(top))], OCI_INDEX)
            return None
        return False

    return _authorized_only(behaviour)


def _nested_json(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    if request.kind == "manifests":
        body = (
            b'{"schemaVersion":2,"mediaType":"'
            + OCI_MANIFEST.encode()
            + b'","x":'
            + b"[" * 3000
            + b"]" * 3000
            + b"}"
        )
        handler.reply(200, body, [("Docker-Content-Digest", sha256(body))], OCI_MANIFEST)
        return None
    return False


def _malformed(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    """A manifest whose fields have the wrong JSON types (layers an object, size a string)."""
    if request.kind == "manifests":
        body = encode(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": "oops",
                "layers": {"digest": 7},
                "annotations": [1, 2],
            }
        )
        handler.reply(200, body, [("Docker-Content-Digest", sha256(body))], OCI_MANIFEST)
        return None
    return False


def _titled(title: str) -> Behaviour:
    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if request.kind == "manifests":
            doc = manifest([layer_descriptor(LAYER, title)])
            handler.reply(200, doc, [("Docker-Content-Digest", sha256(doc))], OCI_MANIFEST)
            return None
        return False

    return _authorized_only(behaviour)


def _framing(mode: str) -> Behaviour:
    """Responses no HTTP library should accept."""

    def behaviour(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
        if mode == "long-header":
            handler.raw(
                b"HTTP/1.1 200 OK\r\nX-Long: "
                + b"a" * (80 << 10)
                + b"\r\nContent-Length: 0\r\n\r\n"
            )
        elif mode == "many-headers":
            lines = b"".join(b"X-H%d: v\r\n" % i for i in range(150))
            handler.raw(b"HTTP/1.1 200 OK\r\n" + lines + b"Content-Length: 0\r\n\r\n")
        elif mode == "bad-status":
            handler.raw(b"HTTP/1.1 abc Whatever\r\nContent-Length: 0\r\n\r\n")
        elif mode == "garbage":
            handler.raw(b"SSH-2.0-OpenSSH_9.2\r\n\x00\xff\xfe garbage")
        elif mode == "empty":
            handler.raw(b"")
        elif mode == "reset":
            handler.close_connection = True
            sock = handler.connection
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            sock.close()
        return None

    return behaviour


def _location_space(registry: HostileRegistry, handler: Handler, request: Request) -> str:
    return f"/v2/{request.repo}/blobs/uploads/a b c"


def _location_nonascii(registry: HostileRegistry, handler: Handler, request: Request) -> str:
    return f"/v2/{request.repo}/blobs/uploads/\u00fcpl\u00f6ad"


def _location_scheme_relative(registry: HostileRegistry, handler: Handler, request: Request) -> str:
    return f"//{registry.attackers['other'].address}/upload/"


def _backslash(path: str) -> Callable[[HostileRegistry, Handler, Request], str]:
    """``http://<attacker>\\@<registry>/…``: on the registry after the last ``@`` as a naive
    parser (and Python's urllib) reads it, on the attacker for a WHATWG parser (browsers,
    Node's fetch), which ends the host at the backslash."""
    return lambda registry, handler, request: (
        f"http://{registry.attackers['other'].address}\\@"
        f"{handler.server.origin.split('://', 1)[1]}{path}{request.rest}"
    )


def _userinfo(path: str) -> Callable[[HostileRegistry, Handler, Request], str]:
    """``http://<registry>@<attacker>/…``: the registry's name as userinfo before the
    attacker's host."""
    return lambda registry, handler, request: (
        f"http://{handler.server.origin.split('://', 1)[1]}@"
        f"{registry.attackers['other'].address}{path}{request.rest}"
    )


def _nested_error(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    if request.kind == "manifests":
        body = b'{"errors":' + b"[" * 3000 + b"]" * 3000 + b"}"
        handler.reply(404, body, content_type="application/json")
        return None
    return False


def _attacker(key: str, path: str) -> Callable[[HostileRegistry, Handler, Request], str]:
    return lambda registry, handler, request: (
        f"{registry.attackers[key].origin}{path}{request.rest}"
    )


def _v6_realm(registry: HostileRegistry, handler: Handler) -> str:
    """A realm on [::1] (the attacker listens there when the machine has IPv6)."""
    listener = registry.attackers.get("v6-tls")
    return f"https://[::1]:{listener.port if listener else 1}/token"


# Registries as registry-quirks.md says they behave (issue 15: tests without the internet) ----
# Each is the ordinary registry (Basic auth, in-memory content) but for the quirk it names.

# GHCR refuses a chunked PATCH body over 4 MiB with 416 [S23].
GHCR_CHUNK_MAX = 4 * 1024 * 1024


def _referrers_listing(registry: HostileRegistry, repo: str, subject: str) -> bytes:
    """The referrers of ``subject`` in ``repo``, as the referrers API lists them."""
    listed = []
    with registry.content.lock:
        documents = [
            (r, data, mt) for (n, r), (data, mt) in registry.content.manifests.items() if n == repo
        ]
    for ref, data, media_type in documents:
        if not ref.startswith("sha256:"):
            continue
        try:
            document = json.loads(data)
        except ValueError:
            continue
        if not isinstance(document, dict):
            continue
        if (document.get("subject") or {}).get("digest") != subject:
            continue
        entry: dict[str, Any] = {"mediaType": media_type, "digest": ref, "size": len(data)}
        kind = document.get("artifactType") or (document.get("config") or {}).get("mediaType")
        if kind:
            entry["artifactType"] = kind
        if document.get("annotations"):
            entry["annotations"] = document["annotations"]
        listed.append(entry)
    return index(listed)


def _quay_like(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    """Quay: the referrers API lists what refers to a subject, but a manifest PUT never says
    ``OCI-Subject`` [S28,S29] (the ordinary PUT sends no such header)."""
    if request.kind == "referrers" and request.method == "GET":
        body = _referrers_listing(registry, request.repo or "", request.rest)
        handler.reply(200, body, content_type=OCI_INDEX)
        return None
    return False


def _gitlab_media_types() -> frozenset[str]:
    """GitLab's list of about 103 media types [S37, docs/supported-media-types.md], read from
    the table the core's profile keeps (core/src/profiles/gitlab.rs), not from its lint."""
    source = Path(__file__).resolve().parents[2] / "core" / "src" / "profiles" / "gitlab.rs"
    table = source.read_text().split("&[", 1)[1].split("];", 1)[0]
    return frozenset(re.findall(r'^\s*"([^"]*)",', table, re.MULTILINE))


GITLAB_MEDIA_TYPES = _gitlab_media_types()


def _gitlab_like(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    """GitLab: no referrers API (404), a ``sha256-<hex>`` tag read as the manifest
    ``sha256:<hex>`` [S39], a media type off its list refused with 400 MANIFEST_INVALID
    "unknown media type" [S37,S38], and a manifest whose ``subject`` is not in the repository
    refused with 400 MANIFEST_BLOB_UNKNOWN [S37,S40]."""
    repo, kind, rest = request.repo or "", request.kind, request.rest
    if kind == "referrers":
        handler.error_reply(404, "NOT_FOUND", "404 page not found")
        return None
    if kind == "manifests" and request.method in ("GET", "HEAD") and rest.startswith("sha256-"):
        if registry.content.manifest(repo, rest) is None:
            found = registry.content.manifest(repo, "sha256:" + rest[len("sha256-") :])
            if found is not None:
                data, media_type = found
                body = data if request.method == "GET" else b""
                handler.reply(200, body, [("Docker-Content-Digest", sha256(data))], media_type)
                return None
    if kind == "manifests" and request.method == "PUT":
        try:
            document = json.loads(handler.body)
            subject = (document.get("subject") or {}).get("digest")
            types = [
                document.get("mediaType"),
                (document.get("config") or {}).get("mediaType"),
                document.get("artifactType"),
            ]
        except (ValueError, AttributeError):
            document, subject, types = {}, None, []
        # The manifest's mediaType, config.mediaType and artifactType must be on the list (an
        # index's config is none, its artifactType not checked: only its mediaType).
        if document.get("manifests") is not None:
            types = types[:1]
        if any(t is not None and t not in GITLAB_MEDIA_TYPES for t in types):
            handler.error_reply(400, "MANIFEST_INVALID", "unknown media type")
            return None
        if subject and registry.content.manifests.get((repo, subject)) is None:
            handler.error_reply(400, "MANIFEST_BLOB_UNKNOWN", "subject unknown")
            return None
    return False


def _ghcr_like(registry: HostileRegistry, handler: Handler, request: Request) -> bool | None:
    """GHCR: a chunked PATCH body over 4 MiB is answered 416 [S23]."""
    if request.method == "PATCH" and handler.record.received > GHCR_CHUNK_MAX:
        handler.error_reply(416, "BLOB_UPLOAD_INVALID", "chunk over 4 MiB")
        return None
    return False


def _http_same_host(registry: HostileRegistry, handler: Handler) -> str:
    return f"{registry.attackers['local'].origin}/token"


BEHAVIOURS: list[tuple[str, Behaviour]] = [
    # 0. registries with the quirks registry-quirks.md describes (the engine adapts to them)
    ("quay-like", _authorized_only(_quay_like)),
    ("gitlab-like", _authorized_only(_gitlab_like)),
    ("ghcr-like", _authorized_only(_ghcr_like)),
    # 1. token realms that may not receive credentials
    ("realm-plain-http", _realm(_http_same_host)),
    ("realm-loopback-other", _realm(lambda r, h: f"{r.attackers['other-tls'].origin}/token")),
    ("realm-ipv6-loopback", _realm(_v6_realm)),
    ("realm-link-local", _realm(lambda r, h: "https://169.254.169.254/latest/meta-data/token")),
    ("realm-private-10", _realm(lambda r, h: "https://10.0.0.1/token")),
    ("realm-private-192", _realm(lambda r, h: "https://192.168.1.1:8443/token")),
    ("realm-file", _realm(lambda r, h: "file:///etc/passwd")),
    ("realm-ftp", _realm(lambda r, h: f"ftp://{r.attackers['local'].address}/token")),
    ("realm-gopher", _realm(lambda r, h: f"gopher://{r.attackers['local'].address}/_token")),
    (
        "realm-hex-loopback",
        _realm(lambda r, h: f"https://0x7f000002:{r.attackers['other-tls'].port}/token"),
    ),
    (
        "realm-short-loopback",
        _realm(lambda r, h: f"https://127.2:{r.attackers['other-tls'].port}/token"),
    ),
    (
        "realm-v4-mapped",
        _realm(lambda r, h: f"https://[::ffff:127.0.0.2]:{r.attackers['other-tls'].port}/token"),
    ),
    (
        "realm-localhost",
        _realm(lambda r, h: f"https://localhost:{r.attackers['other-tls'].port}/token"),
    ),
    (
        "realm-userinfo",
        _realm(lambda r, h: f"https://{USER}@{r.attackers['other-tls'].address}/token"),
    ),
    ("realm-shared-nat", _realm(lambda r, h: "https://100.64.0.1/token")),
    ("realm-space", _realm(lambda r, h: f"{h.server.origin}/to ken x")),
    ("realm-obsfold", _realm(lambda r, h: f"{h.server.origin}/tok\r\n en")),
    ("realm-own-origin", _own_realm("")),
    # 2. redirects
    ("redirect-401-realm", _redirect_blob(_attacker("other", "/redirected/blob/"))),
    ("redirect-401-basic", _redirect_blob(_attacker("other", "/redirected-basic/blob/"))),
    ("redirect-401-tls-realm", _redirect_blob(_attacker("other-tls", "/redirected/blob/"))),
    ("redirect-cross-origin-ok", _redirect_blob(_attacker("other", "/serve/"))),
    ("redirect-file-scheme", _redirect_blob(lambda r, h, q: "file:///etc/passwd")),
    ("redirect-location-space", _redirect_blob(lambda r, h, q: f"/v2/{q.repo}/blobs/a b")),
    ("redirect-backslash", _redirect_blob(_backslash("/redirected/blob/"))),
    ("redirect-userinfo", _redirect_blob(_userinfo("/serve/"))),
    ("redirect-downgrade", _redirect_blob(_attacker("local", "/redirected/blob/"))),
    ("redirect-manifest-401", _authorized_only(_redirect_manifest)),
    ("redirect-loop", _authorized_only(_redirect_loop)),
    # 3. upload Locations
    ("upload-other-origin", _upload_location(_attacker("other", "/upload/"))),
    ("upload-other-port", _upload_location(_attacker("local", "/upload/"))),
    ("upload-patch-other-origin", _upload_location(_attacker("other", "/upload/"), on="PATCH")),
    ("upload-location-space", _upload_location(_location_space)),
    ("upload-location-nonascii", _upload_location(_location_nonascii)),
    ("upload-scheme-relative", _upload_location(_location_scheme_relative)),
    ("upload-backslash", _upload_location(_backslash("/upload/"))),
    # 4. control characters
    ("ansi-message", _ansi("message")),
    ("ansi-code", _ansi("code")),
    ("ansi-text-body", _ansi("text")),
    ("ansi-realm", _ansi("header")),
    ("ansi-tags", _authorized_only(_ansi_tags)),
    # 5. blob bodies
    ("endless-blob", _hostile_blob("endless")),
    ("oversized-blob", _hostile_blob("oversized")),
    ("huge-declared-size", _huge_declared),
    ("wide-collection", _authorized_only(_wide_collection)),
    ("many-titles", _many_titles),
    # 6. listings
    ("tags-huge-page", _tags("huge-page")),
    ("tags-padded-page", _tags("padded")),
    ("tags-many-pages", _tags("many-pages")),
    ("tags-link-loop", _tags("link-loop")),
    ("tags-link-other-origin", _tags("link-other-origin")),
    ("tags-link-backslash", _tags("link-backslash")),
    ("referrers-too-large", _referrers("too-large")),
    ("referrers-padded", _referrers("padded")),
    # 7. copy graphs
    ("dup-index", _graph("dup")),
    ("index-chain", _graph("chain")),
    # 8. invented referrers
    ("referrers-endless", _referrers("endless")),
    ("referrers-wide", _referrers("wide")),
    # 9. time
    ("slow-manifest", _slow_manifest("slow")),
    ("never-manifest", _slow_manifest("never")),
    ("stall-manifest", _slow_manifest("headers-then-stall")),
    ("slow-blob", _hostile_blob("slow")),
    ("never-blob", _hostile_blob("never")),
    ("stall-blob", _hostile_blob("stall")),
    ("retry-after-huge", _retry_after("100000")),
    ("retry-after-date", _retry_after("Wed, 21 Oct 2099 07:28:00 GMT")),
    ("retry-after-503", _retry_after("100000", 503)),
    # 11. titles
    ("title-git-config", _titled(".git/config")),
    ("title-git-nested", _titled("docs/.git/hooks/pre-commit")),
    ("title-dotdot", _titled("../escaped.txt")),
    ("title-absolute", _titled("/tmp/ocikit-hostile-absolute.txt")),
    ("title-deep", _titled("/".join(["d"] * 2000) + "/f.txt")),
    ("title-plain", _titled("kept.txt")),
    # 12. foreign exceptions
    ("token-crlf", _own_realm("crlf")),
    ("token-nonascii", _own_realm("nonascii")),
    ("token-nul", _own_realm("nul")),
    ("token-not-json", _own_realm("notjson")),
    ("token-nested", _own_realm("nested")),
    ("nested-error-body", _authorized_only(_nested_error)),
    ("long-header", _framing("long-header")),
    ("many-headers", _framing("many-headers")),
    ("bad-status-line", _framing("bad-status")),
    ("garbage-response", _framing("garbage")),
    ("empty-response", _framing("empty")),
    ("reset-connection", _framing("reset")),
    ("nested-json", _authorized_only(_nested_json)),
    ("malformed-manifest", _authorized_only(_malformed)),
]
