"""Which upload an ``UploadInterruptedError`` names is the core's answer
(``Operation.interrupted_upload``): the blob upload the engine gave up on, with its session's
URL. The host once kept "the last upload the network cut" for the rest of the operation: a blob
upload cut once and then finished was blamed, with its stale URL, for a later failure of the
manifest PUT. A real HTTP server on 127.0.0.1 here; the network cut is a connection closed
without an answer."""

from __future__ import annotations

import http.server
import itertools
import json
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

import ocikit

FAST = ocikit.RetryPolicy(max_retries=1, base_delay_ms=1, max_delay_ms=1)


class _Registry(http.server.BaseHTTPRequestHandler):
    """An empty repository ``docs``: blob HEADs 404, every upload session its own URL, an
    upload session's status unknown (404 ``BLOB_UPLOAD_UNKNOWN``: the engine starts over)
    unless the session is in the server's ``known`` (then "nothing received yet"). The
    server's ``cut(method, path)`` says which requests lose their connection (read, then closed
    without an answer); ``blob_puts`` counts the blob PUTs answered, ``sessions`` maps an upload
    session's path to the digest its PUT named."""

    protocol_version = "HTTP/1.1"

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, headers: dict[str, str], body: bytes = b"") -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _cut(self, method: str) -> bool:
        path = urllib.parse.urlsplit(self.path).path
        if not self.server.cut(method, path):  # type: ignore[attr-defined]
            return False
        self.close_connection = True
        return True

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = urllib.parse.urlsplit(self.path).path
        if self.path == "/v2/":
            self._send(200, {})
        elif path in self.server.known:  # type: ignore[attr-defined]
            self._send(204, {"Location": path, "Range": "0-0"})  # nothing received yet
        else:
            body = json.dumps({"errors": [{"code": "BLOB_UPLOAD_UNKNOWN", "message": "gone"}]})
            self._send(404, {"Content-Type": "application/json"}, body.encode())

    def do_HEAD(self) -> None:  # noqa: N802
        self._send(404, {})

    def do_POST(self) -> None:  # noqa: N802
        self._body()
        upload = f"/v2/docs/blobs/uploads/u{next(self.server.ids)}"  # type: ignore[attr-defined]
        self._send(202, {"Location": upload, "Range": "0-0"})

    def do_PUT(self) -> None:  # noqa: N802
        body = self._body()
        parts = urllib.parse.urlsplit(self.path)
        if self._cut("PUT"):
            return
        if "/blobs/uploads/" in parts.path:
            digest = dict(urllib.parse.parse_qsl(parts.query))["digest"]
            self.server.sessions[parts.path] = digest  # type: ignore[attr-defined]
            self.server.blob_puts += 1  # type: ignore[attr-defined]
            self._send(201, {"Docker-Content-Digest": digest})
        else:
            self._send(201, {"Docker-Content-Digest": ocikit.digest(body)})

    def do_PATCH(self) -> None:  # noqa: N802 (a resumed upload goes in chunks)
        received = len(self._body())
        if self._cut("PATCH"):
            return
        path = urllib.parse.urlsplit(self.path).path
        start = int(self.headers.get("Content-Range", "0-0").split("-")[0])
        self._send(202, {"Location": path, "Range": f"0-{start + received - 1}"})

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def registry() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    server.ids = itertools.count(1)  # type: ignore[attr-defined]
    server.sessions = {}  # type: ignore[attr-defined]
    server.known = set()  # type: ignore[attr-defined]
    server.blob_puts = 0  # type: ignore[attr-defined]
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _packed() -> ocikit.Packed:
    return ocikit.pack([ocikit.File("a.txt", b"x" * 100)], artifact_type="application/vnd.test")


def _cut_each_blob_once_and_every_manifest(
    registry: http.server.ThreadingHTTPServer,
) -> dict[str, int]:
    """Sets the registry to cut every manifest PUT, and the first upload session of each of two
    blobs; returns how often each of those sessions was cut."""
    lock = threading.Lock()
    cut_blobs: dict[str, int] = {}

    def cut(method: str, path: str) -> bool:
        if "/manifests/" in path:
            return True  # every manifest PUT
        with lock:
            # Each blob's first upload session: its PUT is cut (twice, so that the engine sees
            # it and not only the transport, which sends a request again once on a new
            # connection when a reused one was closed); the next session is answered.
            if path in cut_blobs or len(cut_blobs) < 2:
                cut_blobs[path] = cut_blobs.get(path, 0) + 1
                return cut_blobs[path] <= 2
        return False

    registry.cut = cut  # type: ignore[attr-defined]
    return cut_blobs


def test_a_finished_upload_is_not_blamed_for_the_manifest(
    registry: http.server.ThreadingHTTPServer,
) -> None:
    host = f"127.0.0.1:{registry.server_address[1]}"
    cut_blobs = _cut_each_blob_once_and_every_manifest(registry)
    with ocikit.Client(host, plain_http=True, retry_policy=FAST) as client:
        with pytest.raises(ocikit.OciError) as raised:
            client.push(f"{host}/docs:v1", _packed())
    error = raised.value
    assert not isinstance(error, ocikit.UploadInterruptedError), error
    assert isinstance(error, ocikit.NetworkError) and error.code == "NETWORK_ERROR"
    assert "/manifests/v1" in str(error)
    assert registry.blob_puts == 2  # type: ignore[attr-defined]  # both blobs were stored
    assert len(cut_blobs) == 2 and set(cut_blobs.values()) == {2}  # each cut, then resent


def test_an_upload_given_up_on_is_named_with_its_url(
    registry: http.server.ThreadingHTTPServer,
) -> None:
    host = f"127.0.0.1:{registry.server_address[1]}"
    registry.cut = lambda method, path: "/blobs/uploads/" in path  # type: ignore[attr-defined]
    packed = _packed()
    with ocikit.Client(host, plain_http=True, retry_policy=FAST) as client:
        with pytest.raises(ocikit.UploadInterruptedError) as raised:
            client.push(f"{host}/docs:v1", packed)
        error = raised.value
        assert error.code == "NETWORK_ERROR"
        digests = {str(blob.descriptor.digest) for blob in packed.blobs}
        assert str(error.descriptor.digest) in digests
        prefix = f"http://{host}/v2/docs/blobs/uploads/u"
        assert error.upload_url is not None and error.upload_url.startswith(prefix)
        assert "digest=" not in error.upload_url  # the session's URL, not the PUT's
        # The URL resumes that upload once the network is back.
        session = urllib.parse.urlsplit(error.upload_url).path
        registry.known.add(session)  # type: ignore[attr-defined]
        registry.sessions.clear()  # type: ignore[attr-defined]
        registry.cut = lambda method, path: False  # type: ignore[attr-defined]
        blob = next(b for b in packed.blobs if b.descriptor.digest == error.descriptor.digest)
        content = blob.data
        assert content is not None
        assert client.push_blob(
            f"{host}/docs", error.descriptor, content, upload_url=error.upload_url
        )
    assert registry.sessions == {session: error.descriptor.digest}  # type: ignore[attr-defined]


def _async_push(host: str, packed: ocikit.Packed) -> BaseException:
    """What ``AsyncClient.push`` raises (the same core answer, on asyncio)."""
    import asyncio

    async def run() -> BaseException:
        async with ocikit.AsyncClient(host, plain_http=True, retry_policy=FAST) as client:
            try:
                await client.push(f"{host}/docs:v1", packed)
            except ocikit.OciError as error:
                return error
        raise AssertionError("the push succeeded")

    return asyncio.run(run())


def test_async_a_finished_upload_is_not_blamed_for_the_manifest(
    registry: http.server.ThreadingHTTPServer,
) -> None:
    pytest.importorskip("httpx")
    host = f"127.0.0.1:{registry.server_address[1]}"
    _cut_each_blob_once_and_every_manifest(registry)
    error = _async_push(host, _packed())
    assert not isinstance(error, ocikit.UploadInterruptedError), error
    assert isinstance(error, ocikit.NetworkError) and error.code == "NETWORK_ERROR"
    assert "/manifests/v1" in str(error)
    assert registry.blob_puts == 2  # type: ignore[attr-defined]


def test_async_an_upload_given_up_on_is_named_with_its_url(
    registry: http.server.ThreadingHTTPServer,
) -> None:
    pytest.importorskip("httpx")
    host = f"127.0.0.1:{registry.server_address[1]}"
    registry.cut = lambda method, path: "/blobs/uploads/" in path  # type: ignore[attr-defined]
    packed = _packed()
    error = _async_push(host, packed)
    assert isinstance(error, ocikit.UploadInterruptedError), error
    assert error.code == "NETWORK_ERROR"
    assert str(error.descriptor.digest) in {str(b.descriptor.digest) for b in packed.blobs}
    assert error.upload_url is not None
    assert error.upload_url.startswith(f"http://{host}/v2/docs/blobs/uploads/u")
    assert "digest=" not in error.upload_url
