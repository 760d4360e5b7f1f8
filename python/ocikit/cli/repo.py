"""``ocikit repo tags``."""

from __future__ import annotations

import argparse
import re

from ocikit import Repository
from ocikit.cli._common import EXIT_OK, clean, run_subcommand
from ocikit.cli._places import (
    add_layout_flag,
    add_remote_arguments,
    open_place,
    registry_client,
)

# Runs the subcommand chosen (fetch, push…), set by add_arguments.
run = run_subcommand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    tags = commands.add_parser(
        "tags", aliases=["show-tags"], help="list a repository's (or a layout's) tags"
    )
    tags.add_argument("target", metavar="REGISTRY/REPOSITORY", help="or with --oci-layout DIR")
    tags.add_argument(
        "--last",
        metavar="TAG",
        help="list only the tags after TAG in lexical order (the registry's order, "
        "distribution-spec's ?last=)",
    )
    tags.add_argument(
        "--exclude-digest-tags",
        action="store_true",
        help="leave out tags that are digests (sha256-<hex>: the referrers tag schema's, cosign's)",
    )
    add_layout_flag(tags, "list the tags of")
    add_remote_arguments(tags)
    tags.set_defaults(subcommand=_tags)
    ls = commands.add_parser(
        "ls", aliases=["list"], help="list a registry's repositories (its catalog)"
    )
    ls.add_argument(
        "target",
        metavar="REGISTRY[/NAMESPACE]",
        help="the registry, or a namespace in it: then the repositories under it, named "
        "relative to it (as ORAS)",
    )
    ls.add_argument(
        "--last", metavar="NAME", help="list only the repositories after NAME (lexically)"
    )
    add_remote_arguments(ls)
    ls.set_defaults(subcommand=_ls)


# A tag that names a digest, ALGORITHM-HEX (what ORAS's --exclude-digest-tags leaves out).
_DIGEST_TAG = re.compile(r"(?:sha256-[a-f0-9]{64}|sha512-[a-f0-9]{128}|blake3-[a-f0-9]{64})")


def _tags(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        target = place.target
        # A registry's tags page by page (Client.iter_tags), printed as they come.
        tags = (
            target.client.iter_tags(target.name)
            if isinstance(target, Repository)
            else target.list_tags()
        )
        for tag in tags:
            if args.last is not None and tag <= args.last:
                continue
            if args.exclude_digest_tags and _DIGEST_TAG.fullmatch(tag.split(".", 1)[0]):
                continue
            print(clean(tag, newlines=False))
    return EXIT_OK


def _ls(args: argparse.Namespace) -> int:
    registry, _, namespace = args.target.partition("/")
    prefix = f"{namespace.strip('/')}/" if namespace.strip("/") else ""
    with registry_client(args, registry) as client:
        for name in client.iter_repositories():
            if not name.startswith(prefix):
                continue
            shown = name[len(prefix) :]
            if args.last is not None and shown <= args.last:
                continue
            print(clean(shown, newlines=False))
    return EXIT_OK
