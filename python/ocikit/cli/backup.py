"""``ocikit backup`` and ``ocikit restore`` (ORAS 1.3's): artifacts of a repository, with their
referrers and their collections' children, into an OCI image layout (a directory, or a tar when
the path ends in ``.tar``) and back, to the same or another registry. The work is
:func:`ocikit.backup` / :func:`ocikit.restore` (the core's CopyArtifact between the registry and
the layout); this reads the command line and prints."""

from __future__ import annotations

import argparse
import os

from ocikit._collections import backup, restore
from ocikit.cli._common import EXIT_OK, UsageError, clean, handled
from ocikit.cli._places import add_remote_arguments, registry_client, remote_reference


def add_backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="REF",
        help="REGISTRY/REPOSITORY[:TAG[,TAG…]] (every tag of the repository without one)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="PATH",
        help="the OCI image layout to write: a directory, or a tar archive when PATH ends in .tar",
    )
    referrers = parser.add_mutually_exclusive_group()
    referrers.add_argument(
        "--include-referrers",
        action="store_true",
        help="back up what refers to each artifact too, recursively (the default here; "
        "ORAS's flag, accepted)",
    )
    referrers.add_argument(
        "--exclude-referrers",
        action="store_true",
        help="back up the artifacts without their referrers",
    )
    add_remote_arguments(parser)


@handled
def run_backup(args: argparse.Namespace) -> int:
    output = args.output
    if output.lower().endswith(".tar") and os.path.isdir(output):
        raise UsageError(f"{output} is a directory: give another name for the tar archive")
    reference = remote_reference(args.source.split(",")[0])
    with registry_client(args, reference.registry) as client:
        done = backup(client, args.source, output, referrers=not args.exclude_referrers)
    for tag, root in done.tags:
        print(f"Backed up {clean(tag)}: {root.digest}")
    name = f"{reference.registry}/{reference.repository}"
    print(f"Backed up {len(done.tags)} tag(s) of {name} to {clean(output)}")
    return EXIT_OK


def add_restore_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        metavar="[PATH] REF",
        nargs="+",
        help="the layout (a directory or a .tar; or --input) and REGISTRY/REPOSITORY"
        "[:TAG[,TAG…]] (every tag of the layout without one)",
    )
    parser.add_argument(
        "-i", "--input", metavar="PATH", help="the OCI image layout to restore from (ORAS's flag)"
    )
    parser.add_argument(
        "--exclude-referrers",
        action="store_true",
        help="restore the artifacts without their referrers",
    )
    add_remote_arguments(parser)


@handled
def run_restore(args: argparse.Namespace) -> int:
    paths = list(args.paths)
    if args.input is not None:
        paths.insert(0, args.input)
    if len(paths) != 2:
        raise UsageError("restore takes the layout (PATH or --input PATH) and REF")
    source, target = paths
    if not os.path.exists(source):
        raise UsageError(f"{source}: no such layout (a directory or a .tar)")
    reference = remote_reference(target.split(",")[0])
    with registry_client(args, reference.registry) as client:
        done = restore(source, client, target, referrers=not args.exclude_referrers)
    for tag, root in done.tags:
        print(f"Restored {clean(tag)}: {root.digest}")
    print(f"Restored {len(done.tags)} tag(s) to {done.destination}")
    return EXIT_OK
