"""``ocikit pull``: write an artifact's files to a directory."""

from __future__ import annotations

import argparse
from pathlib import Path

from ocikit.cli._common import EXIT_OK, clean, handled
from ocikit.cli._places import add_layout_flag, add_remote_arguments, open_place


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        metavar="REF",
        help="REGISTRY/REPOSITORY:TAG or @DIGEST, or with --oci-layout DIR:TAG or DIR@DIGEST",
    )
    add_layout_flag(parser, "pull from")
    parser.add_argument(
        "-o",
        "--output",
        default=".",
        metavar="DIR",
        help="where to write the files (default: the current directory)",
    )
    parser.add_argument(
        "-k",
        "--keep-old-files",
        action="store_true",
        help="do not replace existing files: an existing file is an error, found before "
        "anything is written (as in ORAS)",
    )
    parser.add_argument(
        "--allow-git-paths",
        action="store_true",
        help="write titles with a .git path component too (refused by default: git would run "
        "what a pulled .git/config says)",
    )
    add_remote_arguments(parser, transfers=True)


@handled
def run(args: argparse.Namespace) -> int:
    with open_place(args, args.source, layout=args.oci_layout, verb="Downloading") as place:
        pulled = place.target.pull(
            place.need(args.source),
            args.output,
            keep_old_files=args.keep_old_files,
            allow_git=args.allow_git_paths,
        )
    output = Path(args.output).resolve()
    for path in pulled.files:
        print(f"Pulled {clean(path.relative_to(output).as_posix(), newlines=False)}")
    if not pulled.files:
        print("Skipped pulling layers without file name in org.opencontainers.image.title")
    print(f"Pulled [{place.kind}] {args.source}")
    print(f"Digest: {pulled.manifest.digest}")
    return EXIT_OK
