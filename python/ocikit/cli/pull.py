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
    parser.add_argument(
        "--include-subject",
        action="store_true",
        help="pull the artifact's subject too (and the subject's, recursively), into the same "
        "directory",
    )
    add_remote_arguments(parser, transfers=True, uploads=False)


@handled
def run(args: argparse.Namespace) -> int:
    output = Path(args.output).resolve()
    with open_place(args, args.source, layout=args.oci_layout, verb="Downloading") as place:
        reference: str | None = place.need(args.source)
        first = None
        while reference is not None:
            pulled = place.target.pull(
                reference,
                args.output,
                keep_old_files=args.keep_old_files,
                allow_git=args.allow_git_paths,
            )
            first = first or pulled
            for path in pulled.files:
                print(f"Pulled {clean(path.relative_to(output).as_posix(), newlines=False)}")
            subject = pulled.manifest.subject if args.include_subject else None
            reference = None
            if subject is not None:
                print(f"Pulled subject {subject.digest}")
                reference = subject.digest
    assert first is not None
    if not first.files:
        print("Skipped pulling layers without file name in org.opencontainers.image.title")
    print(f"Pulled [{place.kind}] {args.source}")
    print(f"Digest: {first.manifest.digest}")
    return EXIT_OK
