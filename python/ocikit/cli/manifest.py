"""``ocikit manifest fetch|push|delete``, and ``manifest index create|update`` (cli/index.py)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from ocikit import Manifest, OciError, Repository, verify
from ocikit._ocikit import is_manifest_type
from ocikit.cli._common import (
    BIDI_CONTROLS,
    EXIT_OK,
    UsageError,
    clean,
    descriptor_json,
    escaped,
    plain,
    print_json,
    run_subcommand,
    split_tags,
)
from ocikit.cli._places import add_layout_flag, add_remote_arguments, open_place

# Runs the subcommand chosen (fetch, push…), set by add_arguments.
run = run_subcommand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    fetch = commands.add_parser("fetch", aliases=["get"], help="print a manifest (its exact bytes)")
    fetch.add_argument("target", metavar="REF")
    fetch.add_argument("-o", "--output", metavar="FILE", help="write it here instead; - is stdout")
    fetch.add_argument("--descriptor", action="store_true", help="print its descriptor instead")
    fetch.add_argument(
        "--pretty", action="store_true", help="print the JSON indented (not its exact bytes)"
    )
    fetch.add_argument(
        "--media-type",
        action="append",
        default=[],
        metavar="TYPE",
        help="accept only a manifest of this media type (repeatable): another is "
        "MEDIA_TYPE_MISMATCH",
    )
    add_layout_flag(fetch, "fetch from")
    add_remote_arguments(fetch)
    fetch.set_defaults(subcommand=_fetch)
    config = commands.add_parser(
        "fetch-config", help="print the config of a manifest (its exact bytes)"
    )
    config.add_argument("target", metavar="REF")
    config.add_argument("-o", "--output", metavar="FILE", help="write it here instead; - is stdout")
    config.add_argument(
        "--descriptor", action="store_true", help="print the config's descriptor instead"
    )
    config.add_argument(
        "--pretty", action="store_true", help="print the JSON indented (not its exact bytes)"
    )
    add_layout_flag(config, "fetch from")
    add_remote_arguments(config)
    config.set_defaults(subcommand=_fetch_config)
    push = commands.add_parser("push", help="upload a manifest file (its exact bytes)")
    push.add_argument(
        "target", metavar="REF[,TAG…]", help="REGISTRY/REPOSITORY[:TAG[,TAG…]] or @DIGEST"
    )
    push.add_argument("file", metavar="FILE", help="the manifest; - is stdin")
    push.add_argument("--media-type", metavar="TYPE", help="default: the mediaType inside")
    add_layout_flag(push, "push to")
    add_remote_arguments(push)
    push.set_defaults(subcommand=_push)
    delete = commands.add_parser("delete", aliases=["rm", "remove"], help="delete a manifest")
    delete.add_argument("target", metavar="REF")
    delete.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="never prompt (without it, deleting from a registry asks on a terminal and is "
        "refused when stdin is not one, as ORAS does)",
    )
    delete.add_argument(
        "--descriptor", action="store_true", help="print the deleted manifest's descriptor"
    )
    add_layout_flag(delete, "delete from")
    add_remote_arguments(delete)
    delete.set_defaults(subcommand=_delete)
    from ocikit.cli import index

    index.add_arguments(
        commands.add_parser(
            "index", help="create or update an index of manifests (a collection, ORAS 1.3's)"
        )
    )


def _fetch(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        fetched = place.target.fetch(place.need(args.target))
    if args.media_type and fetched.media_type not in args.media_type:
        raise OciError(
            f"{args.target} is a {fetched.media_type}, not {' or '.join(args.media_type)}",
            code="MEDIA_TYPE_MISMATCH",
            details={"expected": args.media_type, "actual": fetched.media_type},
        )
    if args.descriptor:
        print_json(
            {
                "mediaType": fetched.media_type,
                "digest": fetched.digest,
                "size": len(fetched.data),
            }
        )
    else:
        _write(args, fetched.data)
    return EXIT_OK


def _fetch_config(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        fetched = place.target.fetch(place.need(args.target))
        if not is_manifest_type(fetched.media_type):
            raise OciError(
                f"{args.target} is a {fetched.media_type}, which has no config: fetch the "
                "config of one of its manifests",
                code="MEDIA_TYPE_MISMATCH",
                details={"actual": fetched.media_type},
            )
        config = Manifest.from_json(fetched.data).config
        if args.descriptor:
            print_json(descriptor_json(config))
            return EXIT_OK
        data = place.target.fetch_blob(config)
    assert data is not None
    _write(args, data)
    return EXIT_OK


def _write(args: argparse.Namespace, data: bytes) -> None:
    """A document to ``-o FILE``, else to stdout: its exact bytes, or indented with
    ``--pretty``; on a terminal with control characters escaped."""
    if args.pretty:
        try:
            data = json.dumps(json.loads(data), indent=2, ensure_ascii=False).encode() + b"\n"
        except ValueError as error:
            raise UsageError(f"--pretty: {args.target} is not JSON ({error})") from None
    if args.output and args.output != "-":
        Path(args.output).write_bytes(data)
        return
    if sys.stdout.isatty():
        # The exact bytes go to a file or a pipe; a terminal gets them with control
        # characters escaped (\u001b: a JSON escape, still readable, never acted on).
        text = data.decode("utf-8", "replace")
        data = _TERMINAL_UNSAFE.sub(escaped, text).encode()
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


# What a terminal would act on, in a document shown on it: C0 but tab and line feed, DEL, C1;
# and the bidirectional formatting characters, which reorder what it shows.
_TERMINAL_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


def _push(args: argparse.Namespace) -> int:
    data = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    raw, extra_tags = split_tags(args.target, "REF[:TAG[,TAG…]]")
    with open_place(args, raw, layout=args.oci_layout, create=True) as place:
        reference = place.reference
        tag = None
        if reference is not None and ":" in reference:
            verify(data, reference)  # pushed by digest: the bytes must have it
        else:
            tag = reference
        descriptor = place.target.push_manifest(data, tag, args.media_type)
        for extra in extra_tags:
            place.target.push_manifest(data, extra, args.media_type)
    print(f"Pushed [{place.kind}] {raw}")
    for extra in extra_tags:
        print(f"Tagged {extra}")
    print(f"Digest: {descriptor.digest}")
    return EXIT_OK


def _delete(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        reference = place.need(args.target)
        if isinstance(place.target, Repository) and not args.force:
            _confirm_delete(place.target, reference)
        deleted = place.target.resolve(reference) if args.descriptor else None
        place.target.delete_manifest(reference)
    if deleted is not None:
        print_json(descriptor_json(plain(deleted)))
    else:
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
