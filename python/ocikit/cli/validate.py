"""``ocikit validate``: validate a document; the exit status is the verdict."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ocikit import Report, validate
from ocikit.cli._common import (
    EXIT_NOT_VALID,
    EXIT_USAGE,
    EXIT_VALID,
    add_format,
    clean,
    os_error,
    print_json,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the document to validate; - is stdin")
    parser.add_argument(
        "--kind",
        choices=("manifest", "index", "descriptor", "config", "layout"),
        help="what the document is (default: tell from its content)",
    )
    add_format(parser)


def run(args: argparse.Namespace) -> int:
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
    if args.format == "json":
        print_json({"file": args.file, **report.to_dict()})
    else:
        _print_report(args.file, report)
    return EXIT_VALID if report.valid else EXIT_NOT_VALID


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
