"""``ocikit types``: the artifact type catalog, or a definition checked."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ocikit import ArtifactTypeDefinition, MediaType, OciError, artifact_types
from ocikit.cli._common import (
    EXIT_NOT_VALID,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_VALID,
    add_format,
    os_error,
    print_json,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check",
        metavar="DEFINITION",
        help="check an artifact type definition file instead of listing the catalog "
        "(exit status 0 valid, 1 invalid, 2 unreadable)",
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
    if args.check is not None:
        return _check_definition(args)
    definitions = artifact_types()
    if args.format == "json":
        print_json([json.loads(definition.to_json()) for definition in definitions])
        return EXIT_OK
    width = max(len(definition.display_name) for definition in definitions)
    for definition in definitions:
        print(f"{definition.display_name:<{width}}  {definition.artifact_type}")
        for layer_type in definition.layer_media_types:
            print(f"{'':<{width}}    layer {layer_type}")
    return EXIT_OK


def _check_definition(args: argparse.Namespace) -> int:
    try:
        data = Path(args.check).read_bytes()
    except OSError as error:
        print(f"error: {os_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        definition = ArtifactTypeDefinition.from_json(data)
    except OciError as error:
        if args.format == "json":
            print_json(
                {
                    "file": args.check,
                    "valid": False,
                    "error": {"code": error.code, "message": error.message},
                    "findings": [],
                }
            )
        else:
            print(f"error[{error.code}]: {error}")
            print(f"{args.check}: invalid artifact type definition")
        return EXIT_NOT_VALID
    # The definition is valid; the naming convention's lints are advice on top.
    findings = MediaType.parse(definition.artifact_type).lint("config") + [
        finding
        for layer_type in definition.layer_media_types
        for finding in MediaType.parse(layer_type).lint("layer")
    ]
    if args.format == "json":
        print_json(
            {
                "file": args.check,
                "valid": True,
                "error": None,
                "findings": [finding.to_dict() for finding in findings],
            }
        )
    else:
        for finding in findings:
            print(f"{finding.severity}[{finding.code}]: {finding.message}")
        print(
            f"{args.check}: valid artifact type definition of {definition.artifact_type} "
            f"({definition.display_name})"
        )
    return EXIT_VALID
