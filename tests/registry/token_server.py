"""A Docker token server for the Bearer-mode test registry (stdlib only, loopback only).

It implements what distribution 2.8.2's ``auth.token`` verifies: RS256 JWTs whose ``x5c``
header holds the certificate of the signing key, a certificate the registry trusts through its
``rootcertbundle``; ``iss``, ``aud`` (the service), ``exp``/``nbf`` and the ``access`` claim
granting repository actions. The RSA key and certificate are made with ``openssl`` at test time;
signing is RSASSA-PKCS1-v1_5 with SHA-256 done with Python integers (no third-party package).

Users: ``GET /token?service=…&scope=…`` with Basic credentials (the Docker token protocol), or
``POST /token`` with ``grant_type=refresh_token`` (OAuth2, what identity tokens use). Valid users
get every action they ask for; anonymous requests get a token granting nothing; wrong
credentials get 401.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ISSUER = "ocikit-test-issuer"
SERVICE = "ocikit-test-registry"
# SHA-256's DigestInfo prefix (RFC 8017 §9.2, note 1).
_SHA256_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _openssl_hex(text: str, field: str) -> int:
    """An integer field of ``openssl rsa -text`` output (hex bytes split over lines)."""
    match = re.search(rf"^{field}:\s*\n((?:\s+[0-9a-f:]+\n)+)", text, re.M)
    assert match, f"no {field} in openssl output"
    return int(re.sub(r"[\s:]", "", match.group(1)), 16)


class SigningKey:
    """An RSA key and a self-signed certificate for it, made with openssl in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.key = directory / "token.key"
        self.cert = directory / "token.crt"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=ocikit test token issuer",
                "-keyout", str(self.key), "-out", str(self.cert),
            ],
            check=True, capture_output=True,
        )  # fmt: skip
        text = subprocess.run(
            ["openssl", "rsa", "-in", str(self.key), "-noout", "-text"],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        self._n = _openssl_hex(text, "modulus")
        self._d = _openssl_hex(text, "privateExponent")
        der = subprocess.run(
            ["openssl", "x509", "-in", str(self.cert), "-outform", "DER"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
        self.x5c = base64.b64encode(der).decode("ascii")

    def sign(self, message: bytes) -> bytes:
        size = (self._n.bit_length() + 7) // 8
        info = _SHA256_INFO + hashlib.sha256(message).digest()
        padded = b"\x00\x01" + b"\xff" * (size - len(info) - 3) + b"\x00" + info
        return pow(int.from_bytes(padded, "big"), self._d, self._n).to_bytes(size, "big")

    def token(self, subject: str, access: list[dict[str, object]], seconds: int) -> str:
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {
            "iss": ISSUER, "sub": subject, "aud": SERVICE,
            "exp": now + seconds, "nbf": now - 10, "iat": now,
            "jti": secrets.token_hex(8), "access": access,
        }  # fmt: skip
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
        ).encode("ascii")
        return f"{signing_input.decode()}.{_b64url(self.sign(signing_input))}"


def _access(scopes: list[str]) -> list[dict[str, object]]:
    """``repository:name:pull,push`` scopes as the ``access`` claim."""
    granted = []
    for scope in scopes:
        for item in scope.split(" "):
            kind, _, rest = item.partition(":")
            name, _, actions = rest.rpartition(":")
            if kind and name:
                granted.append({"type": kind, "name": name, "actions": actions.split(",")})
    return granted


class TokenServer:
    """The token endpoint, on a free loopback port, in a thread."""

    def __init__(self, key: SigningKey, users: dict[str, str], refresh_tokens: dict[str, str]):
        self.key = key
        self.users = users
        self.refresh_tokens = refresh_tokens
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _answer(self, status: int, body: dict[str, object]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                query = parse_qs(urlsplit(self.path).query)
                server.requests.append(f"GET {self.path}")
                subject = "anonymous"
                authorization = self.headers.get("Authorization", "")
                if authorization.startswith("Basic "):
                    user, _, password = base64.b64decode(authorization[6:]).decode().partition(":")
                    if server.users.get(user) != password:
                        self._answer(
                            401,
                            {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                        )
                        return
                    subject = user
                if query.get("service") != [SERVICE]:
                    self._answer(
                        400, {"errors": [{"code": "DENIED", "message": "unknown service"}]}
                    )
                    return
                access = _access(query.get("scope", [])) if subject != "anonymous" else []
                token = server.key.token(subject, access, 300)
                self._answer(200, {"token": token, "access_token": token, "expires_in": 300})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode())
                server.requests.append(f"POST {self.path} {sorted(form)}")
                subject = server.refresh_tokens.get(form.get("refresh_token", [""])[0])
                if form.get("grant_type") != ["refresh_token"] or subject is None:
                    self._answer(401, {"error": "invalid_grant"})
                    return
                token = server.key.token(subject, _access(form.get("scope", [])), 300)
                self._answer(200, {"access_token": token, "expires_in": 300})

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._http.server_address[1]
        self.realm = f"http://127.0.0.1:{self.port}/token"
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
