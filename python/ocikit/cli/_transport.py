"""What ``-d/--debug`` and ``-v/--verbose`` show of a command's HTTP exchanges.

``--debug`` prints each request and response (method, URL, status, headers, and a captured
body that is text of at most 4 KiB) to stderr, as ORAS's ``--debug`` does, with secrets
replaced by ``*****``: the ``Authorization``, ``Proxy-Authorization``, ``Cookie`` and
``Set-Cookie`` headers, a token server's ``token``/``access_token``/``refresh_token`` answers,
and the ``password``/``refresh_token`` fields of a token request's form. ``--verbose`` prints
one line per exchange. Text the registry sent is cleaned of control characters."""

from __future__ import annotations

import json
import re
import threading
from typing import Any, TextIO

from ocikit._http import BlobSink, BlobSource, Transport
from ocikit._ocikit import Request, Response
from ocikit.cli._common import clean

_SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})
_SECRET_FIELDS = frozenset({"token", "access_token", "refresh_token", "password", "identitytoken"})
_FORM_SECRET = re.compile(r"((?:^|&)(?:password|refresh_token|access_token)=)[^&]*")
_BODY_MAX = 4096
REDACTED = "*****"


def _redacted_body(data: bytes) -> str | None:
    """A body as text with its secrets redacted, or ``None`` when it is not shown (binary, or
    longer than 4 KiB once redacted: a token answer is long only by its tokens)."""
    if not data or len(data) > 16 * _BODY_MAX:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        text = _FORM_SECRET.sub(lambda m: m.group(1) + REDACTED, text)
    else:
        if isinstance(document, dict) and _SECRET_FIELDS & document.keys():
            shown = {k: REDACTED if k in _SECRET_FIELDS else v for k, v in document.items()}
            text = json.dumps(shown)
    return text if len(text) <= _BODY_MAX else None


class LoggingTransport:
    """Sends through ``inner`` and writes each exchange to ``stream``: every header and a
    short text body with ``debug``, else one line per exchange."""

    def __init__(self, inner: Transport, stream: TextIO, *, debug: bool) -> None:
        self._inner = inner
        self._stream = stream
        self._debug = debug
        self._lock = threading.Lock()
        self._count = 0

    def send(
        self,
        request: Request,
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Response:
        with self._lock:
            number = self._count
            self._count += 1
            if self._debug:
                self._request(number, request)
        try:
            response = self._inner.send(request, source=source, sink=sink)
        except Exception as error:
            with self._lock:
                self._write(f"debug: #{number} failed: {clean(str(error))}")
            raise
        with self._lock:
            if self._debug:
                self._response(number, response)
            else:
                self._write(
                    f"{request.method} {clean(request.url, newlines=False)} -> {response.status}"
                )
        return response

    def close(self) -> None:
        self._inner.close()

    def _request(self, number: int, request: Request) -> None:
        lines = [f"debug: > #{number} {request.method} {clean(request.url, newlines=False)}"]
        lines += self._headers(">", request.headers)
        body: Any = request.body
        if isinstance(body, bytes):
            shown = _redacted_body(body)
            lines.append(
                f"debug: >   ({len(body)} bytes)" if shown is None else f"debug: >   {shown}"
            )
        elif isinstance(body, tuple):
            lines.append(f"debug: >   (blob bytes {body[0]}-{body[0] + body[1]})")
        self._write("\n".join(lines))

    def _response(self, number: int, response: Response) -> None:
        lines = [f"debug: < #{number} {response.status}"]
        lines += self._headers("<", response.headers)
        if response.streamed is not None:
            digest, size = response.streamed
            lines.append(f"debug: <   (streamed {size} bytes, {digest})")
        elif response.body:
            shown = _redacted_body(response.body)
            lines.append(
                f"debug: <   ({len(response.body)} bytes)"
                if shown is None
                else f"debug: <   {clean(shown, newlines=False)}"
            )
        self._write("\n".join(lines))

    @staticmethod
    def _headers(arrow: str, headers: list[tuple[str, str]]) -> list[str]:
        return [
            f"debug: {arrow}   {clean(name, newlines=False)}: "
            + (REDACTED if name.lower() in _SECRET_HEADERS else clean(value, newlines=False))
            for name, value in headers
        ]

    def _write(self, text: str) -> None:
        self._stream.write(text + "\n")
        self._stream.flush()
