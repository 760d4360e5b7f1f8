"""``ocikit media-type``: parse and lint media type names."""

from __future__ import annotations

import argparse
from typing import Any

from ocikit import MediaType, OciError
from ocikit.cli._common import EXIT_OK, add_format, print_error, print_json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("media_types", nargs="+", metavar="TYPE", help="media type names")
    parser.add_argument(
        "--role",
        choices=("config", "layer"),
        help="where the types are used (default: read from the name)",
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    status = EXIT_OK
    results = []
    printed = False
    for text in args.media_types:
        try:
            media_type = MediaType.parse(text)
        except OciError as error:
            status = max(status, print_error(error))
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
        print_json(results)
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
