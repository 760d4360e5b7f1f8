"""Registry profiles in the CLI: the lint of ``push``, ``attach`` and ``copy`` before they
send what a registry is known to refuse, and ``validate --registry``.

Each command lints its target (the host, and the name of the reference) before any request,
and the document (the packed manifest, or the root manifest a copy reads) before the manifest
is pushed; findings go to stderr, each ``severity[RQ…] where: message [sources]``, followed by
the sources they cite with their dates. An error stops the command with ``error[RQ…]`` (status
2) unless ``--force``. ``--registry-profile NAME`` picks the profile of a self-hosted registry
(``harbor``, ``zot``, ``distribution``, ``quay``, ``gitlab``) instead of the one its host
selects. A dry run prints the findings with its plan (``registryLint`` in its JSON) and stops
on errors as the command would.

A push that packs large files uploads them while it hashes the rest (``EarlyUploads``), so the
document's rules run after those uploads and before any other blob or the manifest is sent.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO, Union

from ocikit import Index, Manifest, OciError, RegistryLint, lint_for_registry, registry_profile
from ocikit._pack import Packed
from ocikit.cli._common import clean

# Union, not `|`: this runs at import, and ocikit supports Python 3.9 (requires-python).
Document = Union[bytes, Manifest, Index, Packed]


def add_arguments(parser: argparse.ArgumentParser, *, force: bool = True) -> None:
    """``--registry-profile NAME`` and (for commands that push) ``--force``."""
    group = parser.add_argument_group("registry profile")
    names = registry_profile()
    group.add_argument(
        "--registry-profile",
        metavar="NAME",
        choices=names,
        help="check against this registry's known quirks instead of those its host selects: "
        "harbor, zot, distribution, quay, gitlab for self-hosted registries (all: "
        f"{', '.join(names)})",
    )
    if force:
        group.add_argument(
            "--force",
            action="store_true",
            help="push even where the registry profile says the registry will refuse it "
            "(registry lint errors RQ…)",
        )


class RegistryLinter:
    """The registry lint of one command against one target (a reference or a host).

    Creating it lints the target alone and reports it; :meth:`document` lints a document
    against the same target and reports what is new. With ``dry_run`` nothing is printed or
    raised until :meth:`finish_dry_run`, which prints the findings after the plan."""

    def __init__(self, args: argparse.Namespace, target: str, *, dry_run: bool = False) -> None:
        self._profile: str | None = getattr(args, "registry_profile", None)
        self._force: bool = bool(getattr(args, "force", False))
        self._target = target
        self._dry_run = dry_run
        self._shown: set[tuple[str, str, str]] = set()
        self.lint: RegistryLint = lint_for_registry(None, target, self._profile)
        if not dry_run:
            self._report(self.lint)

    def document(self, document: Document) -> RegistryLint:
        """Lints ``document`` against the target; reports and stops as the target lint does."""
        self.lint = lint_for_registry(document, self._target, self._profile)
        if not self._dry_run:
            self._report(self.lint)
        return self.lint

    def json(self) -> dict[str, Any]:
        """What a dry run's JSON plan carries: ``{"registryLint": {...}}``."""
        return {"registryLint": self.lint.to_dict()}

    def finish_dry_run(self, args: argparse.Namespace) -> None:
        """After a dry run's plan: the findings (text format; the JSON plan has them), then
        the stop the command would make."""
        if getattr(args, "format", None) != "json":
            print_lint(self.lint, sys.stdout, header=True)
        self._stop(self.lint)

    def _report(self, lint: RegistryLint) -> None:
        new = [f for f in lint.findings if (f.code, f.path, f.message) not in self._shown]
        self._shown.update((f.code, f.path, f.message) for f in new)
        if new:
            print_lint(lint, sys.stderr, only=new)
        self._stop(lint)

    def _stop(self, lint: RegistryLint) -> None:
        errors = [f for f in lint.findings if f.severity == "error"]
        if errors and not self._force:
            first = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise OciError(
                f"{lint.host} (registry profile {lint.profile}) will refuse this: "
                f"{first.message}{more}. Fix it, or go ahead anyway with --force",
                code=first.code,
                details={"profile": lint.profile, "host": lint.host},
            )


def print_lint(
    lint: RegistryLint,
    out: TextIO,
    *,
    only: list[Any] | None = None,
    header: bool = False,
) -> None:
    """The findings, one a line, then the sources they cite with their dates."""
    findings = lint.findings if only is None else only
    if header:
        print(f"Registry lint: {clean(lint.host)} (profile {lint.profile})", file=out)
        if not findings:
            print("  no known quirk applies", file=out)
    for finding in findings:
        where = f" {clean(finding.path)}" if finding.path else ""
        print(f"{finding.severity}[{finding.code}]{where}: {clean(finding.message)}", file=out)
    cited = {tag for f in findings for tag in _tags(f.rule)}
    for source in lint.sources:
        if source["tag"] in cited:
            print(f"  [{source['tag']}] {source['cite']}, {source['date']}", file=out)
    if header:
        counts = ", ".join(
            f"{sum(f.severity == severity for f in findings)} {severity}"
            for severity in ("error", "warning", "info")
        )
        verdict = "no known refusal" if lint.ok else "the registry will refuse it"
        print(f"{clean(lint.host)}: {verdict} ({counts})", file=out)


def _tags(rule: str) -> list[str]:
    """The source tags of a rule label, ``"RQ001 zero-byte-blob [S35,S36,S30]"``."""
    inside = rule.rpartition("[")[2].rstrip("]")
    return [tag for tag in inside.split(",") if tag]
