"""Issue 9 on the Python surfaces: hostile servers (raw sockets on 127.0.0.1) and hostile OCI
layouts against the Client, OciLayout and the ``ocikit`` command.

Each test names the item it proves. Every failure must be an ``OciError`` with a code (network
faults also ``ConnectionError``/``TimeoutError``), within a time bound, reading no more than a
blob's size plus one byte, writing nothing outside the output directory, and the CLI never
prints a traceback or a registry's control characters.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import ocikit
from ocikit import (
    Client,
    Descriptor,
    DigestMismatchError,
    File,
    Limits,
    LimitExceededError,
    NetworkError,
    OciError,
    OciLayout,
    OperationTimeoutError,
    PolicyError,
    RetryPolicy,
    ValidationError,
    digest,
)
from ocikit import cli

from conftest import RawServer, answering, load_vectors

BLOB = b"0123456789"
DESCRIPTOR = Descriptor(media_type="application/octet-stream", digest=digest(BLOB), size=len(BLOB))
NO_RETRIES = RetryPolicy(max_retries=0, base_delay_ms=1)
MiB = 1 << 20

Handler = Callable[[socket.socket, bytes], None]


class Hostile:
    """An HTTP/1.1 server on 127.0.0.1 that reads each request's head and lets ``handler``
    answer on the raw socket (one request per connection); it counts what it sent."""

    def __init__(self, handler: Handler, *, eager: bool = False) -> None:
        self.handler = handler
        self.eager = eager  # answer at the first bytes (a TLS hello has no blank line)
        self.requests: list[bytes] = []
        self.sent = 0
        self._server = socket.create_server(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self._server.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            head = b""
            try:
                while b"\r\n\r\n" not in head:
                    data = conn.recv(65536)
                    if not data:
                        return
                    head += data
                    if self.eager:
                        break
                self.requests.append(head)
                self.handler(conn, head)
            except OSError:
                return  # the client went away: what hostile servers see all the time

    def send(self, conn: socket.socket, data: bytes) -> None:
        conn.sendall(data)
        self.sent += len(data)

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def hostile() -> Iterator[Callable[[Handler], Hostile]]:
    servers: list[Hostile] = []

    def start(handler: Handler, eager: bool = False) -> Hostile:
        server = Hostile(handler, eager=eager)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def _answer(data: bytes) -> Handler:
    def handler(conn: socket.socket, head: bytes) -> None:
        conn.sendall(data)

    return handler


def _client(server: Hostile, **options: Any) -> Client:
    options.setdefault("retry_policy", NO_RETRIES)
    return Client(server.address, plain_http=True, **options)


def _blob_ref(server: Hostile) -> str:
    return f"{server.address}/repo/blob:v1"


def _raises(call: Callable[[], Any], cls: type[BaseException], code: str) -> OciError:
    with pytest.raises(cls) as raised:
        call()
    error = raised.value
    assert isinstance(error, OciError), repr(error)
    assert error.code == code, repr(error)
    return error


# Item 12: every network fault is a coded OciError naming the host ----------------------------


def test_connection_refused_is_network_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    with Client(address, plain_http=True, retry_policy=NO_RETRIES) as client:
        error = _raises(
            lambda: client.fetch_blob(f"{address}/repo/blob:v1", DESCRIPTOR),
            ConnectionError,
            "NETWORK_ERROR",
        )
    assert isinstance(error, NetworkError)
    assert address in str(error)


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(120)) + b"\r\n",
        b"HTTP/9.9 banana\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"",
    ],
    ids=["header-over-64KiB", "over-100-headers", "bad-status-line", "bad-chunk", "no-answer"],
)
def test_broken_http_framing_is_network_error(hostile: Any, answer: bytes) -> None:
    server = hostile(_answer(answer))
    with _client(server) as client:
        error = _raises(
            lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR), NetworkError, "NETWORK_ERROR"
        )
    assert server.address in str(error)


def test_tls_to_a_plain_http_server_is_tls_error_with_a_hint(hostile: Any) -> None:
    server = hostile(_answer(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"), True)
    with Client(server.address, retry_policy=NO_RETRIES) as client:  # https
        error = _raises(
            lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR), ConnectionError, "TLS_ERROR"
        )
    assert "--plain-http" in str(error) and "--ca-file" in str(error)
    assert server.address in str(error)


def test_non_ascii_redirect_is_coded(hostile: Any) -> None:
    def handler(conn: socket.socket, head: bytes) -> None:
        port = conn.getsockname()[1]
        conn.sendall(
            b"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:%d/caf\xc3\xa9 x\r\n"
            b"Content-Length: 0\r\nConnection: close\r\n\r\n" % port
        )

    server = hostile(handler)
    with _client(server) as client, pytest.raises(OciError):
        client.fetch_blob(_blob_ref(server), DESCRIPTOR)


def test_crlf_in_a_token_is_coded(hostile: Any) -> None:
    def handler(conn: socket.socket, head: bytes) -> None:
        if head.startswith(b"GET /token"):
            body = b'{"token": "abc\\r\\nX-Injected: 1"}'
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                b"Connection: close\r\n\r\n%s" % (len(body), body)
            )
            return
        port = conn.getsockname()[1]
        conn.sendall(
            b'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="http://127.0.0.1:%d'
            b'/token",service="x"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' % port
        )

    server = hostile(handler)
    with _client(server) as client, pytest.raises(OciError):
        client.fetch_blob(_blob_ref(server), DESCRIPTOR)
    assert not any(b"X-Injected" in request for request in server.requests)


def test_deeply_nested_manifest_bytes_are_json_invalid() -> None:
    nested = b'{"mediaType": "application/vnd.oci.image.manifest.v1+json", "subject": '
    nested += b"[" * 100_000 + b"]" * 100_000 + b"}"
    with Client("127.0.0.1:9", plain_http=True) as client:
        error = _raises(
            lambda: client.push_manifest("127.0.0.1:9/repo:v1", nested),
            ValidationError,
            "JSON_INVALID",
        )
    assert "deeply" in str(error)


# Item 9: stall timeout, deadline, Retry-After -------------------------------------------------


def test_a_server_that_never_answers_ends_at_the_stall_timeout(hostile: Any) -> None:
    server = hostile(lambda conn, head: time.sleep(30))
    started = time.monotonic()
    with _client(server, stall_timeout=0.5) as client:
        error = _raises(
            lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR), TimeoutError, "TIMEOUT"
        )
    assert time.monotonic() - started < 5
    assert isinstance(error, OperationTimeoutError) and server.address in str(error)


def test_no_stall_timeout_waits_for_a_late_body(hostile: Any) -> None:
    """``stall_timeout=None``, or ``Limits(stall_timeout_ms=0)`` ("0 = never", as JS's client
    reads it), waits however long no byte moves; the deadline still bounds the call."""

    def late(conn: socket.socket, head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
        time.sleep(1.2)
        conn.sendall(BLOB)

    server = hostile(late)
    with _client(server, stall_timeout=0.5) as client:  # the pause is longer than a stall
        _raises(lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR), TimeoutError, "TIMEOUT")
    with _client(server, stall_timeout=None, timeout=10) as client:
        assert client.limits.stall_timeout_ms == 0
        assert client.fetch_blob(_blob_ref(server), DESCRIPTOR) == BLOB
    with _client(server, limits=Limits(stall_timeout_ms=0)) as client:
        assert client.stall_timeout is None and client.limits.stall_timeout_ms == 0
        assert client.fetch_blob(_blob_ref(server), DESCRIPTOR) == BLOB

    async def in_async() -> bytes:
        async with ocikit.AsyncClient(
            server.address, plain_http=True, limits=Limits(stall_timeout_ms=0)
        ) as client:
            return await client.fetch_blob(_blob_ref(server), DESCRIPTOR)

    assert asyncio.run(in_async()) == BLOB
    with pytest.raises(ValueError, match="or None for none"):
        Client("127.0.0.1:9", stall_timeout=0)


def test_a_cut_at_a_presigned_redirect_keeps_its_signature_out_of_the_error(hostile: Any) -> None:
    """A download cut short at storage names the URL without its query, which holds the
    presigned URL's signature (the message and details end up in logs)."""
    storage = hostile(_answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n012"))
    presigned = f"http://{storage.address}/b?X-Amz-Signature=s3cr3t&X-Amz-Credential=AKIA"
    registry = hostile(
        _answer(
            f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {presigned}\r\n"
            "Content-Length: 0\r\n\r\n".encode()
        )
    )
    with _client(registry) as client:
        error = _raises(
            lambda: client.fetch_blob(_blob_ref(registry), DESCRIPTOR),
            ocikit.NetworkError,
            "NETWORK_ERROR",
        )
    assert len(storage.requests) == 1 and f"{storage.address}/b" in str(error)
    # The core's details name the request (as JS's do), its URL without the query.
    assert error.details["method"] == "GET"
    assert error.details["url"] == f"http://{storage.address}/b"
    assert "s3cr3t" not in f"{error} {error.details}" and "AKIA" not in f"{error} {error.details}"


def test_a_byte_per_interval_ends_at_the_deadline(hostile: Any) -> None:
    def trickle(conn: socket.socket, head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
        for byte in BLOB:
            conn.sendall(bytes([byte]))
            time.sleep(0.4)  # every byte well within the stall timeout

    server = hostile(trickle)
    started = time.monotonic()
    with _client(server, timeout=1.5, stall_timeout=5) as client:
        _raises(lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR), TimeoutError, "TIMEOUT")
    assert 1.3 < time.monotonic() - started < 3.5


def test_slow_headers_end_at_the_deadline(hostile: Any) -> None:
    def trickle(conn: socket.socket, head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for i in range(100):
            conn.sendall(b"X-%d: v\r\n" % i)
            time.sleep(0.2)

    server = hostile(trickle)
    started = time.monotonic()
    with _client(server, timeout=1.0, stall_timeout=5) as client:
        _raises(lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR), TimeoutError, "TIMEOUT")
    assert time.monotonic() - started < 3


def test_retry_after_over_its_cap_fails_at_once(hostile: Any) -> None:
    server = hostile(
        _answer(
            b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 100000\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n"
        )
    )
    started = time.monotonic()
    with _client(server, retry_policy=RetryPolicy()) as client:
        _raises(
            lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR),
            ocikit.RegistryError,
            "TOOMANYREQUESTS",
        )
    assert time.monotonic() - started < 2
    assert len(server.requests) == 1


def test_a_retry_wait_past_the_deadline_fails_at_once(hostile: Any) -> None:
    server = hostile(
        _answer(
            b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 20\r\nContent-Length: 0\r\n"
            b"Connection: close\r\n\r\n"
        )
    )
    started = time.monotonic()
    limits = Limits(retry_after_max_ms=60_000)
    policy = RetryPolicy(max_delay_ms=60_000)
    with _client(server, retry_policy=policy, limits=limits, timeout=5) as client:
        _raises(lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR), TimeoutError, "TIMEOUT")
    assert time.monotonic() - started < 2


def test_client_limits_reach_every_request(hostile: Any) -> None:
    client = Client("127.0.0.1:9", plain_http=True, timeout=12, stall_timeout=3)
    assert client.limits.deadline_ms == 12_000 and client.limits.stall_timeout_ms == 3_000
    client = Client("127.0.0.1:9", limits=Limits(deadline_ms=0, stall_timeout_ms=7_000))
    assert client.timeout is None and client.stall_timeout == 7
    with pytest.raises(ValueError):
        Client("127.0.0.1:9", timeout=0)


# Item 5: blob bodies stop one byte past their size --------------------------------------------


@pytest.mark.parametrize("framing", ["content-length", "chunked", "close-delimited"])
def test_an_endless_blob_body_stops_one_byte_past_its_size(
    hostile: Any, framing: str, tmp_path: Path
) -> None:
    holder: list[Hostile] = []

    def endless(conn: socket.socket, head: bytes) -> None:
        server = holder[0]
        if framing == "content-length":
            server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (512 * MiB))
        elif framing == "chunked":
            server.send(conn, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        else:
            server.send(conn, b"HTTP/1.0 200 OK\r\n\r\n")
        piece = b"x" * 65536
        if framing == "chunked":
            piece = b"%x\r\n%s\r\n" % (len(piece), piece)
        while server.sent < 512 * MiB:
            server.send(conn, piece)

    server = hostile(endless)
    holder.append(server)
    target = tmp_path / "out" / "blob"
    target.parent.mkdir()
    with _client(server, retry_policy=RetryPolicy(max_retries=4, base_delay_ms=1)) as client:
        error = _raises(
            lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR, target),
            DigestMismatchError,
            "SIZE_MISMATCH",
        )
        assert error.details["expected"] == len(BLOB)
        _raises(
            lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR),
            DigestMismatchError,
            "SIZE_MISMATCH",
        )
    time.sleep(0.2)
    assert len(server.requests) == 2  # never asked again
    assert server.sent < 16 * MiB  # what the socket buffers held, not 512 MiB
    assert list(target.parent.iterdir()) == []  # no partial file left


# Item 6: tags page by page, listings bounded --------------------------------------------------


def _tag_pages(pages: list[list[str]]) -> Handler:
    def handler(conn: socket.socket, head: bytes) -> None:
        line = head.split(b"\r\n", 1)[0].decode()
        last = line.split("last=t", 1)[1].split("&")[0].split(" ")[0] if "last=" in line else "0"
        index = int(last)
        page_number = next(i for i, page in enumerate(pages) if f"t{index}" in page or index == 0)
        if index:
            page_number += 1
        tags = pages[page_number]
        body = ('{"name":"repo","tags":[%s]}' % ",".join(f'"{t}"' for t in tags)).encode()
        link = b""
        if page_number + 1 < len(pages):
            link = b'Link: </v2/repo/tags/list?last=%s&n=2>; rel="next"\r\n' % tags[-1].encode()
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (link, len(body), body)
        )

    return handler


def test_iter_tags_fetches_a_page_when_asked(hostile: Any) -> None:
    pages = [["t1", "t2"], ["t3", "t4"], ["t5"]]
    server = hostile(_tag_pages(pages))
    with _client(server) as client:
        tags = client.iter_tags(f"{server.address}/repo", page_size=2)
        assert next(tags) == "t1" and next(tags) == "t2"
        assert len(server.requests) == 1  # one page held, the next not yet asked for
        assert list(tags) == ["t3", "t4", "t5"]
    assert len(server.requests) == 3


def test_tag_listing_over_its_entry_limit(hostile: Any) -> None:
    server = hostile(_tag_pages([["t1", "t2"], ["t3", "t4"], ["t5"]]))
    with _client(server, limits=Limits(list_entries_max=3)) as client:
        error = _raises(
            lambda: client.list_tags(f"{server.address}/repo"), LimitExceededError, "LIMIT_EXCEEDED"
        )
    assert error.details["max"] == 3


# Item 11: .git titles, --keep-old-files, deep titles ------------------------------------------


def _layout_with(tmp_path: Path, files: list[File]) -> OciLayout:
    layout = OciLayout(tmp_path / "layout")
    layout.write(ocikit.pack(files, artifact_type="application/vnd.example.test"), "v1")
    return layout


@pytest.mark.parametrize("title", [".git/config", "sub/.GIT/hooks/post-checkout", "a/git~1/x"])
def test_pulled_git_paths_are_refused(tmp_path: Path, title: str) -> None:
    layout = _layout_with(tmp_path, [File("ok.txt", b"ok"), File(title, b"[core]\n")])
    out = tmp_path / "out"
    error = _raises(lambda: layout.pull("v1", out), PolicyError, "PATH_UNSAFE")
    assert title in str(error)
    assert not out.exists() or list(out.rglob("*")) == []  # refused before anything is written
    pulled = layout.pull("v1", out, allow_git=True)
    assert (out / title).read_bytes() == b"[core]\n" and len(pulled.files) == 2


def test_check_title_refuses_git_unless_allowed() -> None:
    _raises(lambda: ocikit.check_title(".git/config"), PolicyError, "PATH_UNSAFE")
    ocikit.check_title(".git/config", allow_git=True)
    ocikit.check_title(".github/workflows/x.yml")  # not .git
    ocikit.check_title("dir/.gitignore")


def test_keep_old_files_refuses_before_writing(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"new a"), File("b.txt", b"new b")])
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.txt").write_bytes(b"mine")
    error = _raises(lambda: layout.pull("v1", out, keep_old_files=True), PolicyError, "PATH_UNSAFE")
    assert "b.txt" in str(error)
    assert sorted(p.name for p in out.iterdir()) == ["b.txt"]  # a.txt not written either
    assert (out / "b.txt").read_bytes() == b"mine"
    layout.pull("v1", out)  # without it, files are replaced
    assert (out / "b.txt").read_bytes() == b"new b"


def test_a_title_thousands_of_levels_deep(tmp_path: Path) -> None:
    title = "d/" * 1500 + "f"
    layout = _layout_with(tmp_path, [File(title, b"deep")])
    out = tmp_path / "o"
    try:
        pulled = layout.pull("v1", out)
        assert pulled.files[0].read_bytes() == b"deep"
    finally:
        _remove_deep(out)  # pytest's own clean-up recurses once per level


@pytest.mark.parametrize("title", ["d/" * 2100 + "f", "n" * 250, "d/" + "n" * 300 + "/f"])
def test_a_title_longer_than_the_filesystem_allows(tmp_path: Path, title: str) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"a"), File(title, b"x")])
    out = tmp_path / "out"
    _raises(lambda: layout.pull("v1", out), PolicyError, "PATH_UNSAFE")
    assert not out.exists() or list(out.iterdir()) == []  # nothing written, not even a.txt


def _remove_deep(top: Path) -> None:
    """Removes a directory tree however deep, one level at a time (``shutil.rmtree`` recurses
    once per level)."""
    if not top.exists():
        return
    previous = os.getcwd()
    try:
        os.chdir(top)
        depth = 0
        while True:
            entries = os.listdir(".")
            directories = [e for e in entries if os.path.isdir(e) and not os.path.islink(e)]
            for entry in set(entries) - set(directories):
                os.unlink(entry)
            if directories:
                os.chdir(directories[0])
                depth += 1
                continue
            if depth == 0:
                break
            name = os.path.basename(os.getcwd())
            os.chdir("..")
            os.rmdir(name)
            depth -= 1
    finally:
        os.chdir(previous)
    top.rmdir()


# Item 10: untrusted layouts -------------------------------------------------------------------


def _finishes(call: Callable[[], Any], seconds: float = 10) -> Any:
    """Runs ``call`` in a thread: its result or exception, failing the test if it hangs."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def test_index_json_linked_out_of_the_layout(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"a")])
    outside = tmp_path / "elsewhere.json"
    outside.write_bytes((layout.path / "index.json").read_bytes())
    (layout.path / "index.json").unlink()
    (layout.path / "index.json").symlink_to(outside)
    _raises(lambda: layout.tags, PolicyError, "PATH_UNSAFE")
    _raises(lambda: _finishes(layout.verify), PolicyError, "PATH_UNSAFE")


def test_index_json_fifo_does_not_hang(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"a")])
    (layout.path / "index.json").unlink()
    os.mkfifo(layout.path / "index.json")
    _raises(lambda: _finishes(lambda: layout.tags), PolicyError, "PATH_UNSAFE")
    _raises(lambda: _finishes(layout.verify), PolicyError, "PATH_UNSAFE")


def test_index_json_over_its_limit(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"a")])
    layout.MAX_INDEX_BYTES = 100
    error = _raises(lambda: layout.tags, LimitExceededError, "LIMIT_EXCEEDED")
    assert error.details["setting"] == "OciLayout.MAX_INDEX_BYTES"
    assert OciLayout.MAX_INDEX_BYTES == 4 * MiB


def test_blob_linked_to_a_device_is_refused(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"hello!")])
    blob = layout.path / "blobs" / "sha256" / digest(b"hello!").split(":")[1]
    blob.unlink()
    blob.symlink_to("/dev/zero")
    descriptor = Descriptor(media_type="text/plain", digest=digest(b"hello!"), size=6)
    _raises(lambda: _finishes(layout.verify), PolicyError, "PATH_UNSAFE")
    _raises(lambda: _finishes(lambda: layout.fetch_blob(descriptor)), PolicyError, "PATH_UNSAFE")
    _raises(
        lambda: _finishes(lambda: layout.pull("v1", tmp_path / "out")), PolicyError, "PATH_UNSAFE"
    )


def test_a_refused_directory_layer_leaves_no_folder_the_pull_made(tmp_path: Path) -> None:
    """A directory layer titled ``x/y/z`` holding a link to ``/etc/passwd`` is refused
    (``ARCHIVE_UNSAFE``), and the folders ``x`` and ``x/y`` made for it are gone again: a
    refused layer leaves nothing behind."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folder = tarfile.TarInfo("x/y/z")
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)
        link = tarfile.TarInfo("x/y/z/l")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(link)
    layer = gzip.compress(raw.getvalue(), mtime=0)
    annotations = {
        "io.deis.oras.content.unpack": "true",
        "io.deis.oras.content.digest": digest(raw.getvalue()),
    }
    files = [
        File("x/y/z", layer, media_type="application/vnd.oci.image.layer.v1.tar+gzip",
             annotations=annotations),
    ]  # fmt: skip
    layout = _layout_with(tmp_path, files)
    out = tmp_path / "out"
    out.mkdir()
    _raises(lambda: layout.pull("v1", out), ocikit.OciError, "ARCHIVE_UNSAFE")
    assert list(out.iterdir()) == []


def test_write_blob_through_a_link_out_of_the_layout_is_refused(tmp_path: Path) -> None:
    """``write_blob`` checks its path as every other write (copy, push into a layout) does: a
    ``blobs/sha256`` linked out of the layout is ``PATH_UNSAFE``, nothing is written there, and
    a file outside is not taken for the layout's blob."""
    layout = _layout_with(tmp_path, [File("a.txt", b"a")])
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(layout.path / "blobs" / "sha256")
    (layout.path / "blobs" / "sha256").symlink_to(outside)
    data = b"zzz"
    descriptor = Descriptor(media_type="application/octet-stream", digest=digest(data), size=3)
    _raises(lambda: layout.write_blob(descriptor, data), PolicyError, "PATH_UNSAFE")
    source = tmp_path / "zzz"
    source.write_bytes(data)
    _raises(lambda: layout.write_blob(descriptor, source), PolicyError, "PATH_UNSAFE")
    assert list(outside.iterdir()) == []
    (outside / digest(data).split(":")[1]).write_bytes(data)  # there, but not the layout's
    _raises(lambda: layout.write_blob(descriptor, data), PolicyError, "PATH_UNSAFE")


def test_a_link_inside_the_layout_is_followed(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"hello!")])
    blob = layout.path / "blobs" / "sha256" / digest(b"hello!").split(":")[1]
    shared = layout.path / "blobs" / "shared"
    blob.rename(shared)
    blob.symlink_to(Path("..") / "shared")
    assert layout.verify().valid
    assert layout.pull("v1", tmp_path / "out").files[0].read_bytes() == b"hello!"


def test_a_huge_blob_declared_small_stops_at_once(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"hello!")])
    blob = layout.path / "blobs" / "sha256" / digest(b"hello!").split(":")[1]
    with open(blob, "r+b") as file:
        file.truncate(2 << 30)  # 2 GiB, sparse
    started = time.monotonic()
    out = tmp_path / "out"
    error = _raises(lambda: layout.pull("v1", out), DigestMismatchError, "SIZE_MISMATCH")
    assert error.details == {"expected": 6, "actual": 7}
    assert time.monotonic() - started < 1
    assert [p for p in out.rglob("*") if p.is_file()] == []


# Items 4 and 12 through the command line ------------------------------------------------------


def _ocikit(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ocikit.cli", *argv]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def _assert_clean_error(run: subprocess.CompletedProcess[str], code: str) -> None:
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith(f"error[{code}]: "), run.stderr
    assert not any(ord(c) < 32 and c not in "\n\t" or 0x7F <= ord(c) <= 0x9F for c in run.stderr)


def test_cli_registry_error_text_is_stripped_of_control_characters(hostile: Any) -> None:
    body = (
        b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"gone\\u001b[2J\\u001b]0;pwned\\u0007'
        b'\\u009b31m\\r\\nerror[OK]: fine","detail":null}]}'
    )
    server = hostile(
        _answer(
            b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (len(body), body)
        )
    )
    run = _ocikit("manifest", "fetch", f"{server.address}/repo:v1", "--plain-http")
    _assert_clean_error(run, "MANIFEST_UNKNOWN")
    assert "gone" in run.stderr and "pwned" not in run.stderr


def test_cli_tags_are_stripped_of_control_characters(hostile: Any) -> None:
    """Escape sequences and control characters go; bidirectional overrides and isolates (a
    tag shown as another, "Trojan Source") are shown as ``\\uXXXX``, in text and in JSON."""
    body = (
        b'{"name":"repo","tags":["v1","v2\\u001b]0;pwned\\u0007x","\\u009b2Jv3",'
        b'"v4\\u202e1v","\\u2066v5\\u2069\\u200f"]}'
    )
    server = hostile(
        _answer(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"Connection: close\r\n\r\n%s" % (len(body), body)
        )
    )
    run = _ocikit("repo", "tags", f"{server.address}/repo", "--plain-http")
    assert "Traceback" not in run.stderr
    assert "\x1b" not in run.stdout and "\x9b" not in run.stdout and "\x07" not in run.stdout
    assert "v4\\u202e1v\n\\u2066v5\\u2069\\u200f\n" in run.stdout
    assert not re.search("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]", run.stdout)


def test_cli_json_escapes_bidirectional_formatting(capsys: pytest.CaptureFixture[str]) -> None:
    from ocikit.cli._common import print_json

    print_json({"title": "report\u202excod.pdf", "c1": "\x9b2J", "plain": "caf\u00e9"})
    shown = capsys.readouterr().out
    assert "\\u202e" in shown and "\\u009b" in shown and "caf\u00e9" in shown
    assert "\u202e" not in shown and "\x9b" not in shown
    assert json.loads(shown)["title"] == "report\u202excod.pdf"  # the same text to a reader


BIDI_VECTOR = load_vectors("bidi-controls.json")


@pytest.mark.parametrize("case", BIDI_VECTOR["cases"], ids=lambda case: case["name"])
def test_cli_shows_names_as_the_shared_vector_says(
    case: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """tests/vectors/bidi-controls.json: the CLI shows a name as the browser elements do
    (tests/js/bidi-controls.test.mjs reads the same cases), in text and in JSON, where the
    escape is JSON's own: a reader of the JSON gets the name as sent."""
    from ocikit.cli._common import clean, print_json

    assert clean(case["text"], newlines=False) == case["shown"]
    print_json(case["text"])
    shown = capsys.readouterr().out
    assert shown == f'"{case["shown"]}"\n'
    assert json.loads(shown) == case["text"]


def test_the_bidi_vector_covers_every_bidi_control() -> None:
    """Every character the CLI escapes has a case, and every explicit directional formatting
    character of Unicode (UAX #9: embeddings, overrides, isolates and their pops) is one."""
    import unicodedata

    from ocikit.cli._common import BIDI_CONTROLS

    escaped = {c for c in map(chr, range(0x110000)) if re.fullmatch(f"[{BIDI_CONTROLS}]", c)}
    explicit = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
    formatting = {chr(c) for c in range(0x110000) if unicodedata.bidirectional(chr(c)) in explicit}
    marks = {"\u061c", "\u200e", "\u200f"}  # ALM, LRM, RLM: the rest of Bidi_Control
    assert escaped == formatting | marks
    covered = {c for case in BIDI_VECTOR["cases"] for c in case["text"] if c in escaped}
    assert covered == escaped


@pytest.mark.parametrize(
    ("answer", "code", "flags"),
    [
        (b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", "NETWORK_ERROR", []),
        (b"HTTP/1.1 200 OK\r\n" + b"X: v\r\n" * 120 + b"\r\n", "NETWORK_ERROR", []),
        (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "TLS_ERROR", ["https"]),
        (None, "TIMEOUT", ["--stall-timeout", "0.5"]),
    ],
    ids=["header-over-64KiB", "over-100-headers", "tls-to-plain-http", "stall"],
)
def test_cli_network_faults_are_coded_lines(
    hostile: Any, answer: bytes | None, code: str, flags: list[str]
) -> None:
    server = hostile(
        _answer(answer) if answer is not None else lambda c, h: time.sleep(20), "https" in flags
    )
    plain = [] if "https" in flags else ["--plain-http"]
    extra = [flag for flag in flags if flag != "https"]
    started = time.monotonic()
    run = _ocikit("resolve", f"{server.address}/repo:v1", *plain, *extra)
    _assert_clean_error(run, code)
    assert server.address in run.stderr
    assert run.returncode == 1
    assert time.monotonic() - started < 20


def test_cli_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    run = _ocikit("resolve", f"{address}/repo:v1", "--plain-http")
    _assert_clean_error(run, "NETWORK_ERROR")


def test_cli_timeout_flag_ends_a_trickle(hostile: Any) -> None:
    def trickle(conn: socket.socket, head: bytes) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
        while True:
            conn.sendall(b"{")
            time.sleep(0.3)

    server = hostile(trickle)
    started = time.monotonic()
    ref = f"{server.address}/repo:v1"
    run = _ocikit("manifest", "fetch", ref, "--plain-http", "--timeout", "1")
    _assert_clean_error(run, "TIMEOUT")
    assert time.monotonic() - started < 8


def test_cli_blob_fetch_to_stdout_stops_at_the_size(hostile: Any) -> None:
    holder: list[Hostile] = []

    def handler(conn: socket.socket, head: bytes) -> None:
        if head.startswith(b"HEAD"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n")
            return
        holder[0].send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (512 * MiB))
        while holder[0].sent < 512 * MiB:
            holder[0].send(conn, b"x" * 65536)

    server = hostile(handler)
    holder.append(server)
    run = _ocikit(
        "blob", "fetch", f"{server.address}/repo@{DESCRIPTOR.digest}", "-o", "-", "--plain-http"
    )
    _assert_clean_error(run, "SIZE_MISMATCH")
    assert run.stdout == ""
    assert server.sent < 16 * MiB


def test_cli_unforeseen_failure_is_one_coded_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(text: str) -> Any:
        raise KeyError("surprise\x1b[2J")

    from ocikit.cli import _places

    monkeypatch.setattr(_places, "remote_reference", broken)
    status = cli.main(["resolve", "127.0.0.1:9/repo:v1", "--plain-http"])
    captured = capsys.readouterr()
    assert status == cli.EXIT_IO
    assert captured.err.startswith("error[INTERNAL_ERROR]: ") and "\x1b" not in captured.err
    assert "Traceback" not in captured.err


def test_cli_pull_flags_are_documented() -> None:
    run = _ocikit("pull", "--help")
    for flag in ("-k, --keep-old-files", "--allow-git-paths", "--timeout", "--stall-timeout"):
        assert flag in run.stdout


def test_cli_pull_keep_old_files_and_git_paths(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"a"), File(".git/config", b"[core]")])
    out = tmp_path / "out"
    run = _ocikit("pull", "--oci-layout", f"{layout.path}:v1", "-o", str(out))
    _assert_clean_error(run, "PATH_UNSAFE")
    run = _ocikit("pull", "--oci-layout", f"{layout.path}:v1", "-o", str(out), "--allow-git-paths")
    assert run.returncode == 0, run.stderr
    run = _ocikit(
        "pull", "--oci-layout", f"{layout.path}:v1", "-o", str(out), "--allow-git-paths", "-k"
    )
    _assert_clean_error(run, "PATH_UNSAFE")


# Item 12: Docker's config.json and credential helpers -----------------------------------------


@pytest.mark.parametrize(
    "config",
    [
        b'{"auths": []}',
        b'{"credHelpers": ["x"]}',
        b'{"auths": {"127.0.0.1:9": {"auth": 5}}}',
        b'{"auths": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    ],
    ids=["auths-list", "helpers-list", "auth-number", "nested"],
)
def test_a_broken_docker_config_is_coded_or_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: bytes
) -> None:
    from ocikit._credentials import docker_credentials

    (tmp_path / "config.json").write_bytes(config)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    try:
        assert docker_credentials("127.0.0.1:9") is None
    except OciError as error:
        assert error.code in ("JSON_INVALID", "AUTH_INVALID")


def test_a_credential_helper_that_is_not_executable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ocikit._credentials import docker_credentials

    helper = tmp_path / "docker-credential-broken"
    helper.write_text("#!/bin/sh\necho\n")
    helper.chmod(0o644)  # found on PATH, not executable
    (tmp_path / "config.json").write_text('{"credsStore": "broken"}')
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    _raises(lambda: docker_credentials("127.0.0.1:9"), OciError, "AUTH_INVALID")


# Item 12: copying malformed or endless graphs to a layout -------------------------------------

_EMPTY = Descriptor(media_type="application/vnd.oci.empty.v1+json", digest=digest(b"{}"), size=2)
_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_INDEX = "application/vnd.oci.image.index.v1+json"


def _store(layout: OciLayout, document: Any, tag: str | None = None) -> Descriptor:
    """Stores ``document`` (JSON-able, or bytes) as a blob of ``layout``, bypassing every
    check, and tags it in ``index.json`` when ``tag`` is given."""
    import json

    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    descriptor = Descriptor(media_type=_MANIFEST, digest=digest(data), size=len(data))
    path = layout.path / "blobs" / "sha256" / descriptor.digest.split(":")[1]
    path.write_bytes(data)
    if tag is not None:
        media_type = _MANIFEST
        if isinstance(document, dict):
            media_type = document.get("mediaType", _MANIFEST)
        index = json.loads((layout.path / "index.json").read_bytes())
        index["manifests"].append(
            {
                "mediaType": media_type,
                "digest": descriptor.digest,
                "size": len(data),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }
        )
        (layout.path / "index.json").write_text(json.dumps(index))
    return descriptor


@pytest.mark.parametrize(
    "document",
    [
        {"schemaVersion": 2, "mediaType": _MANIFEST, "config": [1], "layers": []},
        {"schemaVersion": 2, "mediaType": _MANIFEST, "config": {}, "layers": "abc"},
        {"schemaVersion": 2, "mediaType": _MANIFEST, "layers": [5]},
        {"schemaVersion": 2, "mediaType": _INDEX, "manifests": "x"},
        {"schemaVersion": 2, "mediaType": _INDEX, "manifests": [{"mediaType": _MANIFEST}]},
        {"schemaVersion": 2, "mediaType": _MANIFEST, "layers": [], "subject": "x"},
        b'{"schemaVersion": 2, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    ],
    ids=["config-list", "layers-string", "layer-number", "manifests-string", "entry-no-digest",
         "subject-string", "nested"],
)  # fmt: skip
def test_copying_a_malformed_document_to_a_layout_is_coded(tmp_path: Path, document: Any) -> None:
    source = OciLayout(tmp_path / "source")
    source.write_blob(_EMPTY, b"{}")
    _store(source, document, "bad")
    with pytest.raises(OciError):
        ocikit.copy(source, "bad", OciLayout(tmp_path / "destination"), None)


def test_copying_a_3000_level_index_chain_is_bounded(tmp_path: Path) -> None:
    source = OciLayout(tmp_path / "source")
    source.write_blob(_EMPTY, b"{}")
    child = _store(
        source,
        {"schemaVersion": 2, "mediaType": _MANIFEST, "artifactType": "application/vnd.x",
         "config": {"mediaType": _EMPTY.media_type, "digest": _EMPTY.digest, "size": 2},
         "layers": []},
    )  # fmt: skip
    media_type = _MANIFEST
    for level in range(3000):
        index = {
            "schemaVersion": 2,
            "mediaType": _INDEX,
            "manifests": [{"mediaType": media_type, "digest": child.digest, "size": child.size}],
        }
        child = _store(source, index, "top" if level == 2999 else None)
        media_type = _INDEX
        if level == 1500:
            middle = child
    # A child of an index is found by its digest though index.json does not list it.
    assert source.resolve(middle.digest) == middle.__class__(
        media_type=_INDEX, digest=middle.digest, size=middle.size
    )
    _raises(
        lambda: _finishes(
            lambda: ocikit.copy(source, "top", OciLayout(tmp_path / "destination"), None)
        ),
        LimitExceededError,
        "LIMIT_EXCEEDED",
    )


# The httpx transport maps its failures and bounds bodies the same way ---------------------------


def test_httpx_transport_faults_are_coded(hostile: Any) -> None:
    pytest.importorskip("httpx")
    from ocikit import HttpxTransport

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        refused = f"127.0.0.1:{s.getsockname()[1]}"
    transport = HttpxTransport()
    with Client(refused, plain_http=True, retry_policy=NO_RETRIES, transport=transport) as c:
        _raises(
            lambda: c.fetch_blob(f"{refused}/repo/blob:v1", DESCRIPTOR),
            NetworkError,
            "NETWORK_ERROR",
        )
    holder: list[Hostile] = []

    def endless(conn: socket.socket, head: bytes) -> None:
        holder[0].send(conn, b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (512 * MiB))
        while holder[0].sent < 512 * MiB:
            holder[0].send(conn, b"x" * 65536)

    server = hostile(endless)
    holder.append(server)
    with _client(server, transport=HttpxTransport()) as client:
        _raises(
            lambda: client.fetch_blob(_blob_ref(server), DESCRIPTOR),
            DigestMismatchError,
            "SIZE_MISMATCH",
        )
    assert server.sent < 16 * MiB


def test_verify_reads_a_huge_blob_declared_small_no_further_than_its_size(tmp_path: Path) -> None:
    layout = _layout_with(tmp_path, [File("a.txt", b"hello!")])
    blob = layout.path / "blobs" / "sha256" / digest(b"hello!").split(":")[1]
    with open(blob, "r+b") as file:
        file.truncate(8 << 30)  # 8 GiB, sparse: hashing it whole would take many seconds
    started = time.monotonic()
    report = layout.verify()
    assert time.monotonic() - started < 1
    assert not report.valid
    assert [f.code for f in report.findings if f.severity == "error"] == ["SIZE_MISMATCH"]
    # Read to one byte past its size, but reported at the file's size (as JS's layout says).
    assert f"content is {8 << 30} bytes but 6 bytes were expected" in report.findings[0].message


def test_cli_manifest_fetch_to_a_terminal_escapes_control_characters(hostile: Any) -> None:
    import pty

    body = b'{"schemaVersion":2,"x":"\x1b]0;pwned\x07\xc2\x9b2J\r","y":"a\xe2\x80\xaeb"}'
    server = hostile(
        _answer(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
        )
    )
    ref = f"{server.address}/repo:v1"
    piped = subprocess.run(
        [sys.executable, "-m", "ocikit.cli", "manifest", "fetch", ref, "--plain-http"],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert piped.stdout == body  # a pipe gets the exact bytes
    leader, follower = pty.openpty()
    with subprocess.Popen(
        [sys.executable, "-m", "ocikit.cli", "manifest", "fetch", ref, "--plain-http"],
        stdout=follower, stderr=subprocess.PIPE,
    ) as process:  # fmt: skip
        os.close(follower)
        shown = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other side closed
                break
            if not data:
                break
            shown += data
        process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    assert b"\x1b" not in shown and b"\xc2\x9b" not in shown and b"\x07" not in shown
    assert b"\\u001b]0;pwned\\u0007\\u009b2J" in shown
    assert b"\xe2\x80\xae" not in shown and b"a\\u202eb" in shown  # RIGHT-TO-LEFT OVERRIDE


def _tags_answer(*tags: str) -> bytes:
    body = json.dumps({"name": "r", "tags": list(tags)}).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )


@pytest.mark.parametrize("surface", ["Client", "AsyncClient"])
def test_bytes_sent_after_an_answer_are_not_the_next_answer(surface: str) -> None:
    """A server that sends more after an answer (here a second answer nobody asked for, once
    the first was read): the connection is not used again, so the next request gets its own
    answer. Before, the sync client's next request on that connection read the extra bytes
    as its answer."""
    server = RawServer(
        answering((_tags_answer("first"), _tags_answer("unasked")), _tags_answer("second"))
    )
    registry = server.address
    try:
        if surface == "Client":
            with ocikit.Client(registry, plain_http=True) as client:
                first = client.list_tags(f"{registry}/r")
                time.sleep(0.1)  # the unasked answer has come
                second = client.list_tags(f"{registry}/r")
        else:

            async def both() -> tuple[list[str], list[str]]:
                async with ocikit.AsyncClient(registry, plain_http=True) as client:
                    first = await client.list_tags(f"{registry}/r")
                    await asyncio.sleep(0.1)
                    return first, await client.list_tags(f"{registry}/r")

            first, second = asyncio.run(both())
    finally:
        server.close()
    assert (first, second) == (["first"], ["second"])
    assert len(server.connections) == 2
