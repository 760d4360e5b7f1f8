"""``ocikit tag``: tag a manifest."""

from __future__ import annotations

import argparse

from ocikit.cli._common import EXIT_OK, handled
from ocikit.cli._places import add_layout_flag, add_remote_arguments, open_place


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="REF", help="the manifest to tag")
    parser.add_argument("tags", nargs="+", metavar="TAG", help="the new tags")
    add_layout_flag(parser, "tag in")
    add_remote_arguments(parser)


@handled
def run(args: argparse.Namespace) -> int:
    with open_place(args, args.source, layout=args.oci_layout) as place:
        reference = place.need(args.source)
        for tag in args.tags:
            place.target.tag(reference, tag)
            print(f"Tagged {tag}")
    return EXIT_OK
