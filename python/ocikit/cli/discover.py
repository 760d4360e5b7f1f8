"""``ocikit discover``: what refers to an artifact."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ocikit import Referrer
from ocikit.cli._common import (
    EXIT_OK,
    clean,
    descriptor_json,
    handled,
    plain,
    positive,
    print_json,
)
from ocikit.cli._places import (
    add_distribution_spec_flag,
    add_layout_flag,
    add_remote_arguments,
    open_place,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="REF", help="the artifact whose referrers to list")
    parser.add_argument("--artifact-type", metavar="TYPE", help="only referrers of this type")
    parser.add_argument(
        "--depth",
        type=positive,
        metavar="N",
        help="levels of referrers to follow (default all)",
    )
    parser.add_argument(
        "--format",
        choices=("tree", "table", "json"),
        default="tree",
        help="output format (default: tree)",
    )
    add_layout_flag(parser, "discover in")
    add_distribution_spec_flag(parser)
    add_remote_arguments(parser)


@handled
def run(args: argparse.Namespace) -> int:
    with open_place(args, args.target, layout=args.oci_layout) as place:
        root = plain(place.target.resolve(place.need(args.target)))
        tree = place.target.discover(root.digest, args.artifact_type, args.depth)
    name = place.name
    if args.format == "json":
        print_json(
            {
                "reference": f"{name}@{root.digest}",
                **descriptor_json(root),
                "referrers": [_referrer_json(name, node) for node in tree],
            }
        )
    elif args.format == "table":
        rows = [("Digest", "Artifact Type", "Subject")]
        pending = [(node, root.digest) for node in tree]
        while pending:
            node, parent = pending.pop(0)
            artifact_type = clean(node.descriptor.artifact_type or "-", newlines=False)
            rows.append((node.descriptor.digest, artifact_type, parent))
            pending += [(child, node.descriptor.digest) for child in node.referrers]
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        for digest, artifact_type, parent in rows:
            print(f"{digest:<{widths[0]}}  {artifact_type:<{widths[1]}}  {parent}")
    else:
        print(f"{name}@{root.digest}")
        _print_tree(tree, "")
    return EXIT_OK


def _referrer_json(name: str, node: Referrer) -> Any:
    return {
        "reference": f"{name}@{node.descriptor.digest}",
        **descriptor_json(node.descriptor),
        "referrers": [_referrer_json(name, child) for child in node.referrers],
    }


def _print_tree(nodes: Sequence[Referrer], indent: str) -> None:
    """ORAS's tree: referrers grouped by artifact type under their subject."""
    groups: dict[str, list[Referrer]] = {}
    for node in nodes:
        artifact_type = clean(node.descriptor.artifact_type or "<unknown>", newlines=False)
        groups.setdefault(artifact_type, []).append(node)
    for g, (artifact_type, members) in enumerate(groups.items()):
        last_group = g == len(groups) - 1
        print(f"{indent}{'└── ' if last_group else '├── '}{artifact_type}")
        inner = indent + ("    " if last_group else "│   ")
        for m, node in enumerate(members):
            last = m == len(members) - 1
            print(f"{inner}{'└── ' if last else '├── '}{node.descriptor.digest}")
            _print_tree(node.referrers, inner + ("    " if last else "│   "))
