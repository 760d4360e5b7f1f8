#!/usr/bin/env python3
"""Serves the web demo on loopback: web-demo/ at / and the built npm package at /ocikit/.

    python3 web-demo/serve.py [--port 8000]     # --port 0 picks a free port

Prints one line, `serving http://127.0.0.1:PORT/`, once the socket is listening. Python standard
library only; build the package first (make wasm).
"""

from __future__ import annotations

import argparse
import http.server
import posixpath
import sys
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "web-demo"
PACKAGE = ROOT / "bindings-wasm" / "pkg"
PACKAGE_PREFIX = "/ocikit/"


class DemoHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from two roots, with the MIME types ES modules and wasm streaming need."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".html": "text/html; charset=utf-8",
        ".json": "application/json",
        ".ts": "text/plain; charset=utf-8",
        ".md": "text/markdown; charset=utf-8",
    }

    def translate_path(self, path: str) -> str:
        path = urllib.parse.unquote(urllib.parse.urlsplit(path).path)
        if path.startswith(PACKAGE_PREFIX):
            base, rest = PACKAGE, path[len(PACKAGE_PREFIX) :]
        else:
            base, rest = DEMO, path
        # normpath resolves "..", and only plain path parts are joined: nothing escapes the base.
        parts = [p for p in posixpath.normpath("/" + rest).split("/") if p not in ("", ".", "..")]
        return str(base.joinpath(*parts))

    def end_headers(self) -> None:
        # A demo under development: always serve the package that was just built.
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="TCP port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args()
    if not (PACKAGE / "browser.js").is_file():
        sys.exit(f"{PACKAGE} has no browser.js: build the package first (make wasm)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), DemoHandler)
    host, port = server.server_address[:2]
    print(f"serving http://{host}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
