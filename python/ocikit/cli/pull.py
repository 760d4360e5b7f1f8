"""``ocikit pull``: write an artifact's files to a directory."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ocikit import Manifest, PolicyError, check_title
from ocikit.cli._common import EXIT_OK, clean, handled, positive
from ocikit.cli._places import add_layout_flag, add_remote_arguments, open_place

if TYPE_CHECKING:
    from ocikit import UnpackLimits

_SIZE_UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}


def size(text: str) -> int:
    """Bytes (at least 1): a whole number, or one with ``KiB``, ``MiB``, ``GiB`` or ``TiB``
    (powers of 1024, in any case), as ``--unpack-max-size`` takes them."""
    found = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]*)\s*", text)
    unit = _SIZE_UNITS.get(found.group(2).lower()) if found else None
    if found is None or unit is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: give bytes, or a whole number with KiB, MiB, GiB or TiB "
            "(as 20GiB)"
        )
    value = int(found.group(1)) * unit
    if not 1 <= value < 2**64:
        raise argparse.ArgumentTypeError(f"{text!r} must be from 1 byte to 2**64 - 1 bytes")
    return value


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
        "--unpack-max-size",
        type=size,
        metavar="SIZE",
        help="the most bytes a directory layer may unpack to (its uncompressed tar; default "
        "8GiB): bytes, or with KiB, MiB, GiB or TiB, as 20GiB",
    )
    parser.add_argument(
        "--unpack-max-entries",
        type=positive,
        metavar="N",
        help="the most entries (files, directories, links) a directory layer may have "
        "(default 100000)",
    )
    parser.add_argument(
        "--unpack-max-ratio",
        type=positive,
        metavar="N",
        help="the largest compression ratio of a directory layer, checked past 16 MiB "
        "uncompressed (default 250; a gzip bomb's is about 1000)",
    )
    parser.add_argument(
        "--include-subject",
        action="store_true",
        help="pull the artifact's subject too (and the subject's, recursively), into the same "
        "directory",
    )
    parser.add_argument(
        "--config",
        metavar="PATH[:TYPE]",
        help="also write the manifest's config blob to PATH, relative to --output (ORAS's "
        "--config); with :TYPE, only when the config has that media type",
    )
    add_remote_arguments(parser, transfers=True, uploads=False)


def _unpack_limits(args: argparse.Namespace) -> UnpackLimits | None:
    """The ``UnpackLimits`` the ``--unpack-max-*`` flags give, or ``None`` (the defaults)."""
    bounds = {
        "max_size": args.unpack_max_size,
        "max_entries": args.unpack_max_entries,
        "max_ratio": args.unpack_max_ratio,
    }
    if all(value is None for value in bounds.values()):
        return None
    from ocikit import UnpackLimits  # here: only these flags need it by name (start-up time)

    return UnpackLimits(**bounds)


@handled
def run(args: argparse.Namespace) -> int:
    output = Path(args.output).resolve()
    unpack_limits = _unpack_limits(args)
    config_path, config_type = None, ""
    if args.config:
        # Here, not at the top: only --config needs push's packing module (start-up time).
        from ocikit.cli._packing import _split_file_reference

        config_path, config_type = _split_file_reference(args.config)
        # The path is checked as a pulled title is (relative, no '..', no .git): ORAS's file
        # store refuses the same paths without --allow-path-traversal.
        check_title(Path(config_path).as_posix(), allow_git=args.allow_git_paths)
        where = output / config_path
        if not where.resolve().is_relative_to(output):
            raise PolicyError(
                f"{config_path!r} would be written outside {output}",
                code="PATH_UNSAFE",
                details={
                    "path": str(where),
                    "reason": "the path leads out of the output directory",
                },
            )
        if args.keep_old_files and os.path.lexists(where):
            raise PolicyError(
                f"{where} exists; --keep-old-files keeps it, so nothing was pulled",
                code="PATH_UNSAFE",
                details={"path": str(where), "reason": "exists (keep_old_files)"},
            )
    with open_place(args, args.source, layout=args.oci_layout, verb="Downloading") as place:
        reference: str | None = place.need(args.source)
        first = None
        while reference is not None:
            pulled = place.target.pull(
                reference,
                args.output,
                keep_old_files=args.keep_old_files,
                allow_git=args.allow_git_paths,
                unpack_limits=unpack_limits,
            )
            if first is None and config_path is not None and isinstance(pulled.manifest, Manifest):
                # An index has no config; a config of another type than asked is skipped (ORAS).
                config = pulled.manifest.config
                if not config_type or config_type == config.media_type:
                    destination = output / config_path
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    place.target.fetch_blob(config, destination)
                    print(f"Pulled config {clean(config_path, newlines=False)}")
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
