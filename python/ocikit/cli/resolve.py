"""``ocikit resolve``: the digest of a tag."""

from __future__ import annotations

import argparse

from ocikit.cli._common import EXIT_OK, handled
from ocikit.cli._places import add_layout_flag, add_remote_arguments, open_place


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="REF", help="the tag or digest to resolve")
    parser.add_argument(
        "-l",
        "--full-reference",
        action="store_true",
        help="print REGISTRY/REPOSITORY@DIGEST (DIR@DIGEST for a layout)",
    )
    add_layout_flag(parser, "resolve in")
    add_remote_arguments(parser)


@handled
def run(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        descriptor = place.target.resolve(place.need(args.target))
    if args.full_reference:
        print(f"{place.name}@{descriptor.digest}")
    else:
        print(descriptor.digest)
    return EXIT_OK
