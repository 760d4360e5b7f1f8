"""``ocikit blob fetch|push``."""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile

from ocikit import Descriptor, OciError, Repository
from ocikit._files import _digest_path
from ocikit.cli._common import (
    EXIT_OK,
    UsageError,
    clean,
    confirm,
    descriptor_json,
    print_json,
    run_subcommand,
)
from ocikit.cli._places import (
    add_layout_flag,
    add_remote_arguments,
    open_place,
    registry_client,
    remote_reference,
)

# Runs the subcommand chosen (fetch, push…), set by add_arguments.
run = run_subcommand


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    fetch = commands.add_parser("fetch", help="download a blob")
    fetch.add_argument("target", metavar="REF@DIGEST")
    fetch.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write it; - is stdout (one of --output and --descriptor is needed)",
    )
    fetch.add_argument(
        "--descriptor",
        action="store_true",
        help="print the blob's descriptor (with --output, after writing the blob)",
    )
    add_layout_flag(fetch, "fetch from")
    add_remote_arguments(fetch, progress=True)
    fetch.set_defaults(subcommand=_fetch)
    push = commands.add_parser("push", help="upload a file as a blob")
    push.add_argument(
        "target", metavar="REF", help="REGISTRY/REPOSITORY[@DIGEST], or with --oci-layout "
        "DIR[@DIGEST]"
    )  # fmt: skip
    push.add_argument("file", metavar="FILE", help="the file; - is stdin (with --size)")
    push.add_argument(
        "--size",
        type=int,
        metavar="BYTES",
        help="the size of what stdin holds (needed with -, as in ORAS; checked)",
    )
    push.add_argument(
        "--media-type",
        default="application/octet-stream",
        metavar="TYPE",
        help="the media type of the printed descriptor (default application/octet-stream)",
    )
    push.add_argument("--descriptor", action="store_true", help="print the descriptor")
    push.add_argument(
        "--upload-url",
        metavar="URL",
        help="resume the interrupted upload at URL (what the failed command printed) instead "
        "of starting one",
    )
    add_layout_flag(push, "push to")
    add_remote_arguments(push, transfers=True)
    push.set_defaults(subcommand=_push)
    delete = commands.add_parser(
        "delete", aliases=["rm", "remove"], help="delete a blob from a registry repository"
    )
    delete.add_argument("target", metavar="REF@DIGEST")
    delete.add_argument(
        "-f",
        "--force",
        action="store_true",
        help="never prompt (without it, the delete asks on a terminal and is refused when "
        "stdin is not one, as ORAS does)",
    )
    delete.add_argument(
        "--descriptor", action="store_true", help="print the deleted blob's descriptor"
    )
    add_remote_arguments(delete)
    delete.set_defaults(subcommand=_delete)


def _fetch(args: argparse.Namespace) -> int:
    if args.output is None and not args.descriptor:
        raise UsageError("blob fetch needs -o/--output FILE (- for stdout) or --descriptor")
    with open_place(args, args.target, layout=args.oci_layout, verb="Downloading") as place:
        digest = place.reference
        if digest is None or ":" not in digest:
            raise UsageError(f"{args.target!r} names no blob: give REF@DIGEST")
        size = place.target.blob_size(digest)
        if size is None:
            raise OciError(
                f"{args.target} is not in the {'layout' if args.oci_layout else 'repository'}",
                code="BLOB_UNKNOWN",
                details={"digest": digest},
            )
        descriptor = Descriptor(media_type="application/octet-stream", digest=digest, size=size)
        if args.output is None:
            pass  # only the descriptor: nothing to download
        elif args.output == "-":
            # Through a temporary file, verified, then copied: memory stays bounded however
            # large the blob, and nothing unverified reaches stdout.
            with tempfile.TemporaryDirectory(prefix="ocikit-") as directory:
                spool = os.path.join(directory, "blob")
                place.target.fetch_blob(descriptor, spool)
                sys.stdout.flush()
                with open(spool, "rb") as file:
                    while piece := file.read(1 << 20):
                        sys.stdout.buffer.write(piece)
                sys.stdout.buffer.flush()
        else:
            place.target.fetch_blob(descriptor, args.output)
    if args.descriptor:
        print_json(descriptor_json(descriptor))
    return EXIT_OK


def _push(args: argparse.Namespace) -> int:
    if args.upload_url is not None and args.oci_layout:
        raise UsageError("--upload-url resumes an upload to a registry, not to a layout")
    with contextlib.ExitStack() as stack:
        path = args.file
        if path == "-":
            if args.size is None:
                raise UsageError("blob push - reads the blob from stdin: give its --size too")
            # Spooled to a temporary file: hashed, then uploaded, in bounded memory.
            path = os.path.join(stack.enter_context(tempfile.TemporaryDirectory()), "stdin")
            with open(path, "wb") as spool:
                shutil.copyfileobj(sys.stdin.buffer, spool, 1 << 20)
        return _push_file(args, path)


def _push_file(args: argparse.Namespace, path: str) -> int:
    digester = _digest_path(path, "sha256")
    digest = digester.finalize()
    if args.size is not None and digester.size != args.size:
        raise OciError(
            f"{args.file} has {digester.size} bytes, not the {args.size} of --size",
            code="SIZE_MISMATCH",
            details={"expected": args.size, "actual": digester.size},
        )
    with open_place(
        args, args.target, layout=args.oci_layout, create=True, verb="Uploading"
    ) as place:
        named = place.reference
        if named is not None and ":" in named and named != digest:
            raise OciError(
                f"{args.file} has the digest {digest}, not {named}",
                code="DIGEST_MISMATCH",
                details={"expected": named, "actual": digest},
            )
        descriptor = Descriptor(media_type=args.media_type, digest=digest, size=digester.size)
        if isinstance(place.target, Repository):
            place.target.client.push_blob(place.name, descriptor, path, upload_url=args.upload_url)
        else:
            place.target.push_blob(descriptor, path)
    if args.descriptor:
        print_json(descriptor_json(descriptor))
    else:
        print(f"Pushed [{place.kind}] {place.name}@{digest}")
        print(f"Digest: {digest}")
    return EXIT_OK


def _delete(args: argparse.Namespace) -> int:
    reference = remote_reference(args.target)
    if reference.digest is None:
        raise UsageError(f"{args.target!r} names no blob: give REF@DIGEST")
    name = f"{reference.registry}/{reference.repository}"
    with registry_client(args, reference.registry) as client:
        size = client.blob_size(name, reference.digest)
        if size is None:
            raise OciError(
                f"{args.target} is not in the repository",
                code="BLOB_UNKNOWN",
                details={"digest": reference.digest},
            )
        if not args.force:
            confirm(f"the blob {clean(args.target)}", "blob delete")
        client.delete_blob(name, reference.digest)
    if args.descriptor:
        descriptor = Descriptor(
            media_type="application/octet-stream", digest=reference.digest, size=size
        )
        print_json(descriptor_json(descriptor))
    else:
        print(f"Deleted [registry] {args.target}")
    return EXIT_OK
