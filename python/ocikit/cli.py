"""The ``ocikit`` command.

Each subcommand is a function ``_cmd_<name>(args) -> int`` registered in ``_COMMANDS`` with
the function that adds its arguments; adding one is adding a pair there. Exit status: 0 when
everything succeeded, 1 when a file could not be read, 2 when an input was rejected (printed as
``error[CODE]: message``) or the command line was wrong.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, Callable, cast

from ocikit import MediaType, OciError, __version__
from ocikit._files import _digest_path, _feed
from ocikit._ocikit import Digester

EXIT_OK = 0
EXIT_IO = 1
EXIT_INVALID = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        status: int = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`ocikit … | head`): send the rest of the output nowhere, as the
        # Python documentation recommends, so that the interpreter does not fail at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_IO
    except KeyboardInterrupt:
        return 130
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocikit",
        description="Author OCI registry artifacts: digests, media types, manifests.",
    )
    parser.add_argument("--version", action="version", version=f"ocikit {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, help_text, add_arguments, run in _COMMANDS:
        command = commands.add_parser(name, help=help_text, description=help_text)
        add_arguments(command)
        command.set_defaults(run=run)
    return parser


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )


def _report(error: OciError) -> int:
    print(f"error[{error.code}]: {error}", file=sys.stderr)
    return EXIT_INVALID


def _print_json(value: Any) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


# ocikit digest ------------------------------------------------------------------------------


def _add_digest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="files to hash; - is stdin")
    parser.add_argument(
        "--algorithm",
        choices=("sha256", "sha512"),
        default="sha256",
        help="digest algorithm (default: sha256)",
    )
    _add_format(parser)


def _cmd_digest(args: argparse.Namespace) -> int:
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
            status = max(status, _report(error))
            continue
        result = {"path": path, "digest": digester.finalize(), "size": digester.size}
        if args.format == "json":
            results.append(result)
        else:
            print(f"{result['digest']}  {result['size']}  {path}")
    if args.format == "json":
        _print_json(results)
    return status


def _digest_stdin(algorithm: str) -> Digester:
    digester = Digester(algorithm)
    # Typed as BinaryIO, but at run time a BufferedReader, which has readinto().
    _feed(digester, cast(io.BufferedReader, sys.stdin.buffer))
    return digester


# ocikit media-type --------------------------------------------------------------------------


def _add_media_type_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("media_types", nargs="+", metavar="TYPE", help="media type names")
    parser.add_argument(
        "--role",
        choices=("config", "layer"),
        help="where the types are used (default: read from the name)",
    )
    _add_format(parser)


def _cmd_media_type(args: argparse.Namespace) -> int:
    status = EXIT_OK
    results = []
    printed = False
    for text in args.media_types:
        try:
            media_type = MediaType.parse(text)
        except OciError as error:
            status = max(status, _report(error))
            continue
        findings = media_type.lint(args.role)
        if args.format == "json":
            results.append(_media_type_json(media_type, findings))
        else:
            if printed:
                print()
            _print_media_type(media_type, findings)
            printed = True
    if args.format == "json":
        _print_json(results)
    return status


def _media_type_json(media_type: MediaType, findings: list[Any]) -> dict[str, Any]:
    artifact = media_type.artifact
    return {
        "mediaType": str(media_type),
        "type": media_type.type,
        "subtype": media_type.subtype,
        "tree": media_type.tree,
        "suffix": media_type.suffix,
        "specDefined": media_type.is_spec_defined,
        "artifact": artifact.to_dict() if artifact else None,
        "findings": [finding.to_dict() for finding in findings],
    }


def _print_media_type(media_type: MediaType, findings: list[Any]) -> None:
    rows = [
        ("tree", media_type.tree or "(standards)"),
        ("suffix", media_type.suffix or "-"),
    ]
    if media_type.is_spec_defined:
        rows.append(("defined by", "the OCI or Docker specification"))
    artifact = media_type.artifact
    if artifact is not None:
        rows += [
            ("org", artifact.org),
            ("objectType", artifact.object_type),
            ("subTypes", ", ".join(artifact.sub_types) or "-"),
            ("role", artifact.role),
            ("version", artifact.version or "-"),
            ("format", artifact.format or "-"),
        ]
    print(media_type)
    for label, value in rows:
        print(f"  {label + ':':<12}{value}")
    for finding in findings:
        print(f"  {finding.severity}[{finding.code}]: {finding.message}")


_Command = tuple[
    str,
    str,
    Callable[[argparse.ArgumentParser], None],
    Callable[[argparse.Namespace], int],
]

_COMMANDS: list[_Command] = [
    ("digest", "print the digest and size of files", _add_digest_arguments, _cmd_digest),
    (
        "media-type",
        "parse and lint media type names against RFC 6838 and the artifact naming convention",
        _add_media_type_arguments,
        _cmd_media_type,
    ),
]


if __name__ == "__main__":
    sys.exit(main())
