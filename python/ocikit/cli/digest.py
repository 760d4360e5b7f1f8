"""``ocikit digest``: the digest and size of files."""

from __future__ import annotations

import argparse
import io
import sys
from typing import cast

from ocikit import OciError
from ocikit._files import _digest_path, _feed
from ocikit._ocikit import Digester
from ocikit.cli._common import EXIT_IO, EXIT_OK, add_format, print_error, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to hash; - is stdin")
    parser.add_argument(
        "--algorithm",
        choices=("sha256", "sha512", "blake3"),
        default="sha256",
        help="digest algorithm (default: sha256)",
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    status = EXIT_OK
    results = []
    for path in args.files:
        try:
            digester = (
                _digest_stdin(args.algorithm) if path == "-" else _digest_path(path, args.algorithm)
            )
        except OSError as error:
            print(f"error: {path}: {error.strerror or error}", file=sys.stderr)
            status = max(status, EXIT_IO)
            continue
        except OciError as error:
            status = max(status, print_error(error))
            continue
        result = {"path": path, "digest": digester.finalize(), "size": digester.size}
        if args.format == "json":
            results.append(result)
        else:
            print(f"{result['digest']}  {result['size']}  {path}")
    if args.format == "json":
        print_json(results)
    return status


def _digest_stdin(algorithm: str) -> Digester:
    digester = Digester(algorithm)
    # Typed as BinaryIO, but at run time a BufferedReader, which has readinto().
    _feed(digester, cast(io.BufferedReader, sys.stdin.buffer))
    return digester
