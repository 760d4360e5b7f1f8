"""``ocikit push``: pack files into an artifact and push it to a registry or a layout."""

from __future__ import annotations

import argparse
from pathlib import Path

from ocikit import OciLayout, Repository, UploadInterruptedError
from ocikit._pack import Packed
from ocikit.cli._common import (
    EXIT_OK,
    UsageError,
    add_format,
    handled,
    interrupted,
    print_json,
    print_plan,
    split_reference,
    split_tags,
)
from ocikit.cli._packing import (
    EarlyUploads,
    add_pack_arguments,
    interrupted_file,
    pack_arguments,
    push_as_given,
)
from ocikit.cli._places import (
    add_remote_arguments,
    expect_blobs,
    registry_client,
    remote_reference,
    transfer_client,
)
from ocikit.cli._registry_lint import RegistryLinter
from ocikit.cli._registry_lint import add_arguments as add_registry_lint_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="REF[,TAG…]",
        help="REGISTRY/REPOSITORY[:TAG[,TAG…]], or with --oci-layout DIR[:TAG[,TAG…]] (an image "
        "layout directory, created if missing)",
    )
    add_pack_arguments(parser)
    parser.add_argument(
        "--oci-layout",
        action="store_true",
        help="push to an OCI image layout directory instead of a registry",
    )
    parser.add_argument(
        "--image-spec",
        choices=("v1.1", "v1.0"),
        help="the image-spec version to pack for (default v1.1)",
    )
    add_remote_arguments(parser, transfers=True)
    add_registry_lint_arguments(parser)
    add_format(parser)
    parser.epilog = (
        "Unlike ORAS, ocikit adds no org.opencontainers.image.created annotation by default, "
        "so that pushing the same files twice gives the same digest. Add one with "
        "-a org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ), or set "
        "SOURCE_DATE_EPOCH (Unix seconds) to have it written from that time."
    )


@handled
def run(args: argparse.Namespace) -> int:
    if args.oci_layout and args.dry_run:
        raise UsageError("--dry-run plans a push to a registry, not to a layout")
    if not args.oci_layout:
        return _push_remote(args)
    raw, extra_tags = split_tags(args.target, "DIR[:TAG[,TAG…]]")
    path, tag = split_reference(raw)
    tags = ([tag] if tag else []) + extra_tags
    if not path:
        raise UsageError(f"{args.target!r} is not DIR[:TAG[,TAG…]]")
    packed = pack_arguments(args, args.image_spec)
    layout = OciLayout(path)
    if args.disable_path_validation:
        push_as_given(layout, packed, tags[0] if tags else None)
    else:
        layout.write(packed, tags[0] if tags else None)
    for extra in tags[1:]:
        layout.tag(packed.digest, extra)
    if args.export_manifest:
        Path(args.export_manifest).write_bytes(packed.manifest.to_json())
    _print_pushed(args, raw, path, tags, packed)
    return EXIT_OK


def _push_remote(args: argparse.Namespace) -> int:
    raw, extra_tags = split_tags(args.target, "REGISTRY/REPOSITORY[:TAG[,TAG…]]")
    reference = remote_reference(raw)
    packed: Packed | None = None
    # The registry profile's lint: the reference now, the manifest once packed.
    lint = RegistryLinter(args, raw, dry_run=args.dry_run)
    if args.dry_run:
        # The core's plan: no connection is opened.
        packed = pack_arguments(args, args.image_spec)
        lint.document(packed)
        with registry_client(args, reference.registry) as client:
            plan = client.push(reference, packed, dry_run=True)
        print_plan(args, plan.blobs, [(plan.descriptor, plan.tags)], plan.planned, lint.json())
        lint.finish_dry_run(args)
        return EXIT_OK
    try:
        with transfer_client(args, reference.registry, "Uploading") as client:
            expect_blobs(client, len(args.files) + 1)  # the files and the config
            with EarlyUploads(client, reference) as early:
                packed = pack_arguments(args, args.image_spec, hashed=early.add)
            lint.document(packed)
            if args.disable_path_validation:
                push_as_given(Repository(client, reference), packed, reference.tag)
            else:
                client.push(reference, packed)
            for extra in extra_tags:
                client.push_manifest(
                    f"{reference.registry}/{reference.repository}:{extra}", packed.manifest
                )
    except UploadInterruptedError as error:
        return interrupted(args, error, interrupted_file(packed, error))
    assert packed is not None
    if args.export_manifest:
        Path(args.export_manifest).write_bytes(packed.manifest.to_json())
    name = f"{reference.registry}/{reference.repository}"
    tags = ([reference.tag] if reference.tag else []) + extra_tags
    if args.format == "json":
        _print_pushed(args, raw, name, tags, packed)
        return EXIT_OK
    print(f"Pushed [registry] {raw}")
    for tag in extra_tags:
        print(f"Tagged {tag}")
    if packed.manifest.artifact_type:
        print(f"ArtifactType: {packed.manifest.artifact_type}")
    print(f"Digest: {packed.digest}")
    return EXIT_OK


def _print_pushed(
    args: argparse.Namespace, raw: str, path: str, tags: list[str], packed: Packed
) -> None:
    manifest = packed.manifest
    if args.format == "json":
        print_json(
            {
                "reference": f"{path}@{manifest.digest}",
                "mediaType": manifest.media_type,
                "digest": manifest.digest,
                "size": manifest.size,
                "annotations": manifest.annotations,
                "artifactType": manifest.artifact_type or manifest.config.media_type,
                "referenceAsTags": [f"{path}:{tag}" for tag in tags],
            }
        )
        return
    print(f"Pushed [oci-layout] {raw}")
    for tag in tags[1:]:
        print(f"Tagged {tag}")
    if manifest.artifact_type:
        print(f"ArtifactType: {manifest.artifact_type}")
    print(f"Digest: {manifest.digest}")
