"""``ocikit manifest index create|update`` (ORAS 1.3's): an image index whose children are
manifests (artifacts, images) of the same repository or layout — a collection, as the authoring
guide's CNAB bundles are. The core decides what a child's entry holds and how an update
removes and adds (:func:`ocikit.create_index`, :func:`ocikit.update_index`); this only reads
the command line and prints."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ocikit import Index, Reference
from ocikit._collections import create_index, update_index
from ocikit.cli._common import EXIT_OK, UsageError, split_tags
from ocikit.cli._places import add_layout_flag, add_remote_arguments, open_place


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = commands.add_parser(
        "create",
        aliases=["pack"],
        help="create and push an index of manifests of one repository (a collection)",
        description="Create an index from SOURCE manifests (tags or digests of the same "
        "repository, or of the layout with --oci-layout), in their order, and push it under "
        "REF's tags (by digest when it has none). Each entry is the child's media type, "
        "digest and size, with its artifactType and, for an image whose config says it, its "
        "platform.",
    )
    create.add_argument(
        "target",
        metavar="REF[,TAG…]",
        help="REGISTRY/REPOSITORY[:TAG[,TAG…]], or DIR[:TAG] with --oci-layout",
    )
    create.add_argument("sources", metavar="SOURCE", nargs="*", help="a tag or a digest")
    _add_common(create)
    create.set_defaults(subcommand=_create)

    update = commands.add_parser(
        "update",
        help="update an index: add and remove manifests, set its artifact type or annotations",
        description="Fetch the index REF names, remove the entries of each --remove digest "
        "(each must be listed), keep the others in their order, append each --add manifest, "
        "and push the new index under REF's tag (by digest when REF is a digest) and each "
        "--tag.",
    )
    update.add_argument(
        "target",
        metavar="REF",
        help="REGISTRY/REPOSITORY:TAG or @DIGEST (DIR:TAG with --oci-layout)",
    )
    update.add_argument(
        "--add", action="append", default=[], metavar="SOURCE", help="a tag or digest to add"
    )
    update.add_argument(
        "--merge",
        action="append",
        default=[],
        metavar="INDEX",
        help="a tag or digest of an index whose entries are appended as they are",
    )
    update.add_argument(
        "--remove",
        action="append",
        default=[],
        metavar="DIGEST",
        help="the digest of an entry to remove",
    )
    update.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="another tag for the new index"
    )
    _add_common(update)
    update.set_defaults(subcommand=_update)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--artifact-type",
        metavar="TYPE",
        default=None,
        help="the index's artifactType (update: an empty value removes it)",
    )
    parser.add_argument(
        "-a",
        "--annotation",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an annotation of the index (repeatable)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the index here (- is stdout) instead of pushing it",
    )
    parser.add_argument("--pretty", action="store_true", help="with --output, the JSON indented")
    add_layout_flag(parser, "use")
    add_remote_arguments(parser)


def _annotations(items: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f'annotation {item!r} is not "key=value"')
        if key in found:
            raise UsageError(f"duplicate annotation key {key!r}")
        found[key] = value
    return found


def _tag_of(text: str) -> str | None:
    """The tag ``text`` gives, or ``None`` (a digest, or none: the index goes by digest)."""
    parsed = Reference.parse(text)
    return None if parsed.digest else parsed.tag


def _emit(args: argparse.Namespace, index: Index) -> None:
    data = index.to_json()
    if args.pretty:
        data = json.dumps(json.loads(data), indent=2).encode() + b"\n"
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        Path(args.output).write_bytes(data)


def _create(args: argparse.Namespace) -> int:
    raw, extra = split_tags(args.target, "REF[:TAG[,TAG…]]")
    annotations = _annotations(args.annotation)
    with open_place(args, raw, layout=args.oci_layout, create=True) as place:
        tag = (place.reference or None) if args.oci_layout else _tag_of(raw)
        if tag is not None and ":" in tag:
            raise UsageError(f"{raw!r}: an index is created under a tag, or by its digest")
        index = create_index(
            place.target,
            tag,
            args.sources,
            artifact_type=args.artifact_type,
            annotations=annotations,
            tags=extra,
            push=args.output is None,
        )
    return _done(args, index, place.kind, raw, [tag, *extra] if tag else extra)


def _update(args: argparse.Namespace) -> int:
    if args.output is not None and args.tag:
        raise UsageError("--tag and --output cannot both be given")
    changes = (
        args.add or args.remove or args.merge or args.annotation or args.artifact_type is not None
    )
    if not changes:
        print("Nothing to update as no change is requested")
        return EXIT_OK
    annotations = _annotations(args.annotation)
    with open_place(args, args.target, layout=args.oci_layout) as place:
        reference = place.need(args.target)
        index = update_index(
            place.target,
            reference,
            add=args.add,
            remove=args.remove,
            merge=args.merge,
            **({} if args.artifact_type is None else {"artifact_type": args.artifact_type}),
            annotations=annotations,
            tags=args.tag,
            push=args.output is None,
        )
    tags = ([] if ":" in reference else [reference]) + list(args.tag)
    return _done(args, index, place.kind, args.target, tags)


def _done(args: argparse.Namespace, index: Index, kind: str, name: str, tags: list[str]) -> int:
    if args.output is not None:
        _emit(args, index)
        if args.output != "-":
            print(f"Digest: {index.digest}")
        return EXIT_OK
    for child in index.manifests:
        kind = f" ({child.artifact_type})" if child.artifact_type else ""
        print(f"Listed {child.digest}{kind}")
    print(f"Pushed [{kind}] {name}" if tags else f"Pushed [{kind}] {name}@{index.digest}")
    for tag in tags[1:]:
        print(f"Tagged {tag}")
    print(f"Digest: {index.digest}")
    return EXIT_OK
