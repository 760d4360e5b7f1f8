"""``Client.push_blob`` with content of another size than the descriptor's: refused by the core
(``PushBlob``'s ``content_size``) with ``SIZE_MISMATCH`` before any request, as the JS client
refuses it. Before, Python sent the descriptor's size of a longer content (its first bytes)
and ended a shorter one with a bare ``OSError`` after the upload session was opened."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ocikit
from ocikit import DigestMismatchError

BLOB = b"hello"
DESCRIPTOR = ocikit.Descriptor(
    media_type="application/octet-stream", digest=ocikit.digest(BLOB), size=len(BLOB)
)


class Registry:
    """Takes monolithic uploads (HEAD 404, POST 202, PUT 201) and records each request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, bytes]] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, headers: dict[str, str]) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                requests.append((self.command, self.path, self.rfile.read(length)))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_HEAD(self) -> None:
                self._answer(404, {})

            def do_POST(self) -> None:
                self._answer(202, {"Location": "/v2/app/blobs/uploads/u1"})

            def do_PUT(self) -> None:
                self._answer(201, {"Docker-Content-Digest": str(DESCRIPTOR.digest)})

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def registry() -> Iterator[Registry]:
    running = Registry()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.mark.parametrize("content", [b"hello world", b"hell", b""])
def test_content_of_another_size_is_refused_before_any_request(
    registry: Registry, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "blob"
    path.write_bytes(content)
    with ocikit.Client(registry.host, plain_http=True) as client:
        for source in (content, path):
            with pytest.raises(DigestMismatchError) as raised:
                client.push_blob(f"{registry.host}/app", DESCRIPTOR, source)
            error = raised.value
            assert error.code == "SIZE_MISMATCH"
            assert error.details == {"expected": 5, "actual": len(content)}
            assert str(error) == f"content is {len(content)} bytes but 5 bytes were expected"
    assert registry.requests == []


def test_content_of_the_descriptors_size_is_uploaded(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(BLOB)
    with ocikit.Client(registry.host, plain_http=True) as client:
        assert client.push_blob(f"{registry.host}/app", DESCRIPTOR, BLOB) is True
        assert client.push_blob(f"{registry.host}/app2", DESCRIPTOR, path) is True
    bodies = [body for method, _, body in registry.requests if method in ("PUT", "POST")]
    assert BLOB in bodies


def test_a_missing_file_is_file_not_found(registry: Registry, tmp_path: Path) -> None:
    with ocikit.Client(registry.host, plain_http=True) as client:
        with pytest.raises(FileNotFoundError):
            client.push_blob(f"{registry.host}/app", DESCRIPTOR, tmp_path / "missing")
    assert registry.requests == []
