"""``ocikit copy``: copy an artifact between repositories, registries and layouts."""

from __future__ import annotations

import argparse
import contextlib
from typing import Optional, cast

from ocikit import Client, OciLayout, copy
from ocikit._progress import ProgressLine
from ocikit.cli._common import EXIT_OK, UsageError, handled, print_plan, split_tags
from ocikit.cli._registry_lint import RegistryLinter
from ocikit.cli._registry_lint import add_arguments as add_registry_lint_arguments
from ocikit.cli._places import (
    add_remote_arguments,
    open_layout,
    registry_client,
    remote_reference,
    transfer_client,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", metavar="SRC", help="the artifact to copy")
    parser.add_argument("destination", metavar="DST", help="where to copy it")
    parser.add_argument(
        "-r",
        "--recursive",
        action="store_true",
        help="copy its referrers too, recursively",
    )
    parser.add_argument(
        "--from-oci-layout",
        action="store_true",
        help="copy from an OCI image layout directory: SRC is DIR:TAG or DIR@DIGEST",
    )
    parser.add_argument(
        "--to-oci-layout",
        action="store_true",
        help="copy to an OCI image layout directory (created if missing): DST is DIR[:TAG|@DIGEST]",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="read the source and print the plan (blobs, manifests, requests); write nothing",
    )
    add_remote_arguments(parser, transfers=True)
    add_registry_lint_arguments(parser)


@handled
def run(args: argparse.Namespace) -> int:
    # ORAS's DST:TAG1,TAG2: copied under the first tag, then tagged with the others.
    destination_text, extra_tags = split_tags(args.destination, "DST[:TAG[,TAG…]]")
    # The registry profile's lint of a registry destination: its reference now, the root
    # manifest once read from the source (its referrers and an index's children are not linted).
    lint = (
        None if args.to_oci_layout else RegistryLinter(args, destination_text, dry_run=args.dry_run)
    )
    with contextlib.ExitStack() as stack:
        progress: ProgressLine | None = None
        source: Client | OciLayout
        destination: Client | OciLayout
        if args.from_oci_layout:
            source, src_ref = open_layout(args.source, create=False)
            if not src_ref:
                raise UsageError(
                    f"{args.source!r} names no tag or digest: give DIR:TAG or DIR@DIGEST"
                )
        else:
            src = remote_reference(args.source)
            source = stack.enter_context(transfer_client(args, src.registry, "Copying"))
            progress = cast(Optional[ProgressLine], source.on_progress)
            src_ref = args.source
        dst_ref: str | None
        if args.to_oci_layout:
            destination, dst_ref = open_layout(destination_text, create=True)
            dst_ref = dst_ref or None
        else:
            dst = remote_reference(destination_text)
            dst_ref = destination_text
            if isinstance(source, Client) and source.registry == dst.registry:
                destination = source
            elif isinstance(source, Client):
                destination = stack.enter_context(registry_client(args, dst.registry, progress))
            else:
                destination = stack.enter_context(transfer_client(args, dst.registry, "Copying"))
        if lint is not None:
            lint.document(source.fetch(src_ref).data)
        if args.dry_run:
            if not isinstance(source, Client) or not isinstance(destination, Client):
                raise UsageError("--dry-run plans a copy between registries, not with a layout")
            assert dst_ref is not None
            plan = source.copy(
                src_ref, dst_ref, referrers=args.recursive, destination=destination,
                dry_run=True,
            )  # fmt: skip
            manifests = [
                (d, plan.tags if d.digest == plan.descriptor.digest else ()) for d in plan.manifests
            ]
            print_plan(args, plan.blobs, manifests, plan.planned, lint.json() if lint else None)
            if lint is not None:
                lint.finish_dry_run(args)
            return EXIT_OK
        copied = copy(source, src_ref, destination, dst_ref, referrers=args.recursive)
        for tag in extra_tags:
            if isinstance(destination, Client):
                destination.tag(f"{dst.registry}/{dst.repository}@{copied.digest}", tag)
            else:
                destination.tag(copied.digest, tag)
    kinds = [
        "oci-layout" if layout else "registry"
        for layout in (args.from_oci_layout, args.to_oci_layout)
    ]
    print(f"Copied [{kinds[0]}] {args.source} => [{kinds[1]}] {destination_text}")
    for tag in extra_tags:
        print(f"Tagged {tag}")
    print(f"Digest: {copied.digest}")
    return EXIT_OK
