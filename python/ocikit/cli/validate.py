"""``ocikit validate``: validate a document; the exit status is the verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ocikit import OciError, RegistryLint, Report, lint_for_registry, validate
from ocikit.cli._common import (
    EXIT_NOT_VALID,
    EXIT_USAGE,
    EXIT_VALID,
    add_format,
    clean,
    os_error,
    print_json,
    print_error,
)
from ocikit.cli._registry_lint import add_arguments as add_registry_lint_arguments
from ocikit.cli._registry_lint import print_lint


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help="the document to validate; - is stdin; an image layout directory or .tar is "
        "checked whole",
    )
    parser.add_argument(
        "--kind",
        choices=("manifest", "index", "descriptor", "config", "layout"),
        help="what the document is (default: tell from its content)",
    )
    parser.add_argument(
        "--registry",
        metavar="HOST|REF",
        help="also check a manifest or index against what is known of this registry (a host, "
        "or the reference it would be pushed to): its quirks RQ001…, with their sources; "
        "an error makes the document invalid for it",
    )
    add_registry_lint_arguments(parser, force=False)
    add_format(parser)


def _layout_report(path: Path) -> Report | None:
    """The findings of the image layout (a directory or a ``.tar``) at ``path``; ``None`` when
    ``path`` is neither."""
    if not (path.is_dir() and (path / "oci-layout").exists()) and not (
        path.name.lower().endswith(".tar") and path.is_file()
    ):
        return None
    from ocikit import OciLayout

    with OciLayout(path, create=False) as layout:
        return layout.verify()


def run(args: argparse.Namespace) -> int:
    if args.file != "-" and args.kind in (None, "layout"):
        try:
            layout_report = _layout_report(Path(args.file))
        except OciError as error:  # a layout tar refused: ARCHIVE_UNSAFE, ARCHIVE_INVALID, …
            print_error(error)
            return EXIT_NOT_VALID
        if layout_report is not None:
            if args.format == "json":
                print_json({"file": args.file, **layout_report.to_dict()})
            else:
                _print_report(args.file, layout_report)
            return EXIT_VALID if layout_report.valid else EXIT_NOT_VALID
    try:
        document = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except IsADirectoryError:
        index = Path(args.file, "index.json")
        example = f" (this one looks like an image layout: {index})" if index.is_file() else ""
        print(
            f"error: {clean(args.file)} is a directory: validate reads one document, a manifest, "
            f"index, descriptor, config or oci-layout file{clean(example)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OSError as error:
        print(f"error: {os_error(error)}", file=sys.stderr)
        return EXIT_USAGE
    report = validate(document, args.kind)
    lint: RegistryLint | None = None
    if args.registry_profile and not args.registry:
        print("error: --registry-profile needs --registry HOST|REF", file=sys.stderr)
        return EXIT_USAGE
    if args.registry and report.kind in ("manifest", "index"):
        try:
            lint = lint_for_registry(document, args.registry, args.registry_profile)
        except OciError as error:
            print_error(error)
            return EXIT_USAGE
    if args.format == "json":
        extra = {"registryLint": lint.to_dict()} if lint is not None else {}
        print_json({"file": args.file, **report.to_dict(), **extra})
    else:
        _print_report(args.file, report)
        if lint is not None:
            print_lint(lint, sys.stdout, header=True)
        elif args.registry:
            print(
                f"{args.file}: no registry lint (a {report.kind or 'document'}, not a manifest or index)"
            )
    lint_ok = lint is None or lint.ok
    return EXIT_VALID if report.valid and lint_ok else EXIT_NOT_VALID


def _print_report(name: str, report: Report) -> None:
    for finding in report.findings:
        print(
            f"{finding.severity} {finding.code} {clean(finding.path or '(document)')}: "
            f"{clean(finding.message)} ({finding.rule})"
        )
    errors = sum(finding.severity == "error" for finding in report.findings)
    warnings = len(report.findings) - errors
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    verdict = "valid" if report.valid else "invalid"
    print(f"{name}: {verdict} {report.kind or 'document'} ({counts})")
