"""``ocikit attach``: push an artifact that refers to another."""

from __future__ import annotations

import argparse
from pathlib import Path

from ocikit import Repository, UploadInterruptedError
from ocikit._pack import Packed
from ocikit.cli._common import (
    EXIT_OK,
    UsageError,
    add_format,
    descriptor_json,
    handled,
    interrupted,
    plain,
    print_json,
    print_plan,
)
from ocikit.cli._packing import (
    add_pack_arguments,
    interrupted_file,
    pack_arguments,
    push_as_given,
)
from ocikit.cli._registry_lint import RegistryLinter
from ocikit.cli._registry_lint import add_arguments as add_registry_lint_arguments
from ocikit.cli._places import (
    add_distribution_spec_flag,
    add_layout_flag,
    add_remote_arguments,
    open_place,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "subject", metavar="REF", help="the artifact to attach to (with --oci-layout DIR:TAG "
        "or DIR@DIGEST)"
    )  # fmt: skip
    add_pack_arguments(parser)
    add_layout_flag(parser, "attach in")
    add_distribution_spec_flag(parser)
    add_remote_arguments(parser, transfers=True)
    add_registry_lint_arguments(parser)
    add_format(parser)


@handled
def run(args: argparse.Namespace) -> int:
    if args.artifact_type is None:
        raise UsageError("attach needs --artifact-type")
    packed: Packed | None = None
    # The registry profile's lint: the subject's reference now, the referrer once packed.
    lint = None if args.oci_layout else RegistryLinter(args, args.subject, dry_run=args.dry_run)
    try:
        with open_place(args, args.subject, layout=args.oci_layout, verb="Uploading") as place:
            subject = plain(place.target.resolve(place.need(args.subject)))
            packed = pack_arguments(args, "v1.1", subject=subject)
            if lint is not None:
                lint.document(packed)
            if args.dry_run:
                if not isinstance(place.target, Repository):
                    raise UsageError("--dry-run plans an attach in a registry, not in a layout")
                # Only the subject was read; the plan sends nothing.
                plan = place.target.client.attach(
                    place.target.reference(packed.digest), packed, dry_run=True
                )
                extra = lint.json() if lint is not None else None
                print_plan(args, plan.blobs, [(plan.descriptor, plan.tags)], plan.planned, extra)
                if lint is not None:
                    lint.finish_dry_run(args)
                return EXIT_OK
            if args.disable_path_validation:
                push_as_given(place.target, packed, None)
            else:
                place.target.attach(packed)
    except UploadInterruptedError as error:
        return interrupted(args, error, interrupted_file(packed, error) if packed else "FILE")
    if args.export_manifest:
        Path(args.export_manifest).write_bytes(packed.manifest.to_json())
    if args.format == "json":
        print_json(
            {
                "reference": f"{place.name}@{packed.digest}",
                "mediaType": packed.manifest.media_type,
                "digest": packed.digest,
                "size": packed.size,
                "artifactType": packed.manifest.artifact_type,
                "subject": descriptor_json(subject),
            }
        )
        return EXIT_OK
    print(f"Attached to [{place.kind}] {place.name}@{subject.digest}")
    print(f"Digest: {packed.digest}")
    return EXIT_OK
