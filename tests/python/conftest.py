"""Shared fixtures: the cross-language vectors of tests/vectors/, the installed CLI, a
self-signed certificate for TLS servers on 127.0.0.1, and a raw TCP server for answers a
well-behaved HTTP server never gives."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"


def load_vectors(name: str) -> Any:
    """One file of tests/vectors/, parsed."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def input_bytes(spec: dict[str, Any]) -> bytes:
    """The bytes a vector's ``input`` describes: ``{text}``, ``{hex}`` or ``{repeat}``."""
    if "text" in spec:
        return spec["text"].encode("utf-8")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    repeat = spec["repeat"]
    return bytes.fromhex(repeat["hex"]) * repeat["count"]


def case_id(case: dict[str, Any]) -> str:
    return str(case["name"])


@pytest.fixture(scope="session")
def ocikit_cli() -> Path:
    """The ``ocikit`` console script installed next to the interpreter running the tests."""
    path = Path(sys.executable).parent / "ocikit"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make python` to install ocikit into .venv")
    return path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for 127.0.0.1 (``cert.pem``, ``key.pem``)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    return directory


class RawServer:
    """A TCP server on 127.0.0.1 running ``handle(connection)`` on each accepted connection in a
    thread (for what a well-behaved HTTP server never does)."""

    def __init__(self, handle: Any, receive_buffer: int | None = None) -> None:
        self.socket = socket.socket()
        if receive_buffer is not None:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.connections: list[socket.socket] = []
        self._handle = handle
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return  # closed
            self.connections.append(connection)
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.socket.getsockname()[1]}"

    def close(self) -> None:
        self.socket.close()
        for connection in self.connections:
            connection.close()


def answering(*answers: bytes | tuple[bytes, ...]) -> Callable[[socket.socket], None]:
    """A :class:`RawServer` handler answering each request head it reads, on any connection,
    with the next of ``answers`` (the parts of a tuple sent 50 ms apart); a connection is
    closed once the answers run out, or after an answer ending in ``Connection: close``'s (or
    HTTP/1.0's) body. A client that resets a connection ends its handler."""
    queue = list(answers)
    lock = threading.Lock()

    def handle(connection: socket.socket) -> None:
        received = b""
        try:
            while True:
                while b"\r\n\r\n" not in received:
                    data = connection.recv(65536)
                    if not data:
                        return
                    received += data
                received = received.split(b"\r\n\r\n", 1)[1]
                with lock:
                    answer = queue.pop(0) if queue else None
                if answer is None:
                    connection.close()
                    return
                parts = answer if isinstance(answer, tuple) else (answer,)
                for index, part in enumerate(parts):
                    if index:
                        time.sleep(0.05)
                    connection.sendall(part)
                if b"onnection: close" in parts[0] or b"HTTP/1.0" in parts[0]:
                    connection.close()
                    return
        except OSError:
            return  # the client closed a connection it had not read to the end: a reset

    return handle
