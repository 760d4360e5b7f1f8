"""``ocikit manifest fetch|push|delete``."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ocikit import OciError, Repository, verify
from ocikit.cli._common import EXIT_OK, clean, print_json, run_subcommand
from ocikit.cli._places import add_layout_flag, add_remote_arguments, open_place

# Runs the subcommand chosen (fetch, push…), set by add_arguments.
run = run_subcommand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    fetch = commands.add_parser("fetch", help="print a manifest (its exact bytes)")
    fetch.add_argument("target", metavar="REF")
    fetch.add_argument("-o", "--output", metavar="FILE", help="write it here instead")
    fetch.add_argument("--descriptor", action="store_true", help="print its descriptor instead")
    add_layout_flag(fetch, "fetch from")
    add_remote_arguments(fetch)
    fetch.set_defaults(subcommand=_fetch)
    push = commands.add_parser("push", help="upload a manifest file (its exact bytes)")
    push.add_argument("target", metavar="REF")
    push.add_argument("file", metavar="FILE", help="the manifest; - is stdin")
    push.add_argument("--media-type", metavar="TYPE", help="default: the mediaType inside")
    add_layout_flag(push, "push to")
    add_remote_arguments(push)
    push.set_defaults(subcommand=_push)
    delete = commands.add_parser("delete", help="delete a manifest")
    delete.add_argument("target", metavar="REF")
    delete.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="never prompt (without it, deleting from a registry asks on a terminal and is "
        "refused when stdin is not one, as ORAS does)",
    )
    add_layout_flag(delete, "delete from")
    add_remote_arguments(delete)
    delete.set_defaults(subcommand=_delete)


def _fetch(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        fetched = place.target.fetch(place.need(args.target))
    if args.descriptor:
        print_json(
            {
                "mediaType": fetched.media_type,
                "digest": fetched.digest,
                "size": len(fetched.data),
            }
        )
    elif args.output:
        Path(args.output).write_bytes(fetched.data)
    else:
        data = fetched.data
        if sys.stdout.isatty():
            # The exact bytes go to a file or a pipe; a terminal gets them with control
            # characters escaped (\u001b: a JSON escape, still readable, never acted on).
            text = data.decode("utf-8", "replace")
            data = _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text).encode()
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return EXIT_OK


# What a terminal would act on, in a document shown on it: C0 but tab and line feed, DEL, C1.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _push(args: argparse.Namespace) -> int:
    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    with open_place(args, args.target, layout=args.oci_layout, create=True) as place:
        reference = place.reference
        tag = None
        if reference is not None and ":" in reference:
            verify(data, reference)  # pushed by digest: the bytes must have it
        else:
            tag = reference
        descriptor = place.target.push_manifest(data, tag, args.media_type)
    print(f"Pushed [{place.kind}] {args.target}")
    print(f"Digest: {descriptor.digest}")
    return EXIT_OK


def _delete(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        if isinstance(place.target, Repository) and not args.force:
            _confirm_delete(place.target, place.need(args.target))
        place.target.delete_manifest(place.need(args.target))
    print(f"Deleted [{place.kind}] {args.target}")
    return EXIT_OK


def _confirm_delete(repository: Repository, reference: str) -> None:
    """ORAS's confirmation of a registry delete: asked on a terminal, naming the other tags
    that point at the manifest (they go with it); refused when stdin is not a terminal."""
    if not sys.stdin.isatty():
        raise OciError(
            "manifest delete asks for confirmation and stdin is not a terminal: pass -f/--force "
            "to delete without it",
            code="OPTIONS_INVALID",
            details={"option": "--force"},
        )
    target = repository.reference(reference)
    digest = repository.client.resolve(target).digest
    tags = repository.client.tags_of(target, digest)
    others = [tag for tag in tags.tags if tag != target.tag]
    name = clean(f"{repository.name}@{digest}")
    if others:
        more = f" and {tags.unchecked} more unchecked" if tags.unchecked else ""
        shown = ", ".join(clean(tag) for tag in others)
        print(
            f"These tags point at the same manifest and go with it: {shown}{more}", file=sys.stderr
        )
    sys.stderr.write(
        f"Are you sure you want to delete the manifest {name} and all tags associated with it? "
        "[y/N] "
    )
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        raise OciError(
            "manifest delete cancelled: nothing was deleted",
            code="OPTIONS_INVALID",
            details={"option": "--force", "reason": "not confirmed"},
        )
