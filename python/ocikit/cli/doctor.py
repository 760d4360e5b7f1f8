"""``ocikit doctor``: what a registry can do, probed, next to what its profile knows.

The probes and what they prove are the core's (``ProbeRegistry``, run by
:meth:`ocikit.Client.probe_registry`, the one path the API and this command share): only
reads — ``GET /v2/`` (its status, challenge and API version header, then the credentials
checked as ``docker login`` does); given a reference to a manifest that exists, the referrers
API asked about the digest that resolved (a 404 for an unknown digest, or an HTML page, would
prove nothing) and the tag list asked for one tag a page (whether ``n`` is honoured and
``Link`` sent). DELETE and chunk limits are not probed: that would need writes; the profile's
facts about them are printed with their sources. This module prints the report.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ocikit import Client, Reference, registry_profile
from ocikit.cli._common import EXIT_OK, add_format, clean, handled, print_json
from ocikit.cli._places import add_remote_arguments, credentials, transport
from ocikit.cli._registry_lint import add_arguments as add_registry_lint_arguments


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="REGISTRY[/REPOSITORY[:TAG|@DIGEST]]",
        help="the registry; with a reference to a manifest that exists, the referrers API and "
        "tag-list pagination are probed too",
    )
    add_remote_arguments(parser)
    add_registry_lint_arguments(parser, force=False)
    add_format(parser)


@handled
def run(args: argparse.Namespace) -> int:
    host, _, rest = args.target.partition("/")
    # A reference read whole (its first component is the registry, as for every command), not
    # relative to the client's registry.
    ref = Reference.parse(args.target) if rest else None
    with Client(
        host,
        plain_http=args.plain_http,
        credentials=credentials(args),
        transport=transport(args),
        timeout=args.timeout or None,
        stall_timeout=args.stall_timeout,
    ) as client:
        report = client.probe_registry(ref, profile=args.registry_profile)
    if args.format == "json":
        print_json(report)
    else:
        _print(report, registry_profile(report["profile"]))
    return EXIT_OK


def _print(report: dict[str, Any], profile: dict[str, Any]) -> None:
    probes = report["probes"]
    print(f"Registry: {clean(report['registry'])} (profile {profile['name']}: {profile['title']})")
    v2 = probes["v2"]
    print(
        f"GET /v2/: {v2.get('status', '?')}, challenge: {clean(v2.get('challenge') or 'none')}, "
        f"API version: {clean(v2.get('api_version') or 'none')}, credentials: {v2['auth']}"
    )
    referrers = probes["referrers_api"]
    supported = {True: "yes", False: "no", None: "unknown"}[referrers.get("supported")]
    detail = f" (GET …/referrers/{referrers['digest']}: {referrers.get('status', '?')})" if (
        "digest" in referrers
    ) else ""  # fmt: skip
    print(f"Referrers API: {supported}{detail}" + (
        f"; {clean(referrers['note'])}" if "note" in referrers else ""))  # fmt: skip
    tags = probes["tag_list"]
    if "first_page" in tags:
        honoured = {True: "honoured", False: "ignored", None: "not told"}[tags["n_honoured"]]
        print(
            f"Tag list: {tags['tags']} tag(s); the first page asked with n=1 had "
            f"{tags['first_page']}; n {honoured}; Link "
            f"{'sent' if tags['link'] else 'not sent'}"
            + (f"; {clean(tags['note'])}" if "note" in tags else "")
        )
    else:
        print(f"Tag list: {clean(tags.get('note') or tags.get('error', ''))}")
    print(f"DELETE: {probes['delete']['note']}")
    print(f"Chunked uploads: {probes['chunked_upload']['note']}")
    if report["facts"]:
        print("Known quirks (from the profile; dates are the sources'):")
    for fact in report["facts"]:
        tags_text = ", ".join(f"{s['tag']} {s['date']}" for s in fact["sources"])
        print(f"  {fact['topic']}: {fact['text']} [{tags_text}; {fact['confidence']}]")
    sys.stdout.flush()
