"""``ocikit doctor``: what a registry can do, probed, next to what its profile knows.

The probes send only reads: ``GET /v2/`` (its status, challenge and API version header, then
the credentials checked as ``docker login`` does); given a reference to a manifest that exists,
the referrers API asked about that digest (the engine decides, as it does before a push with a
subject: a 404 for an unknown digest, or an HTML page, would prove nothing, so only a digest
that resolved is asked about) and the tag list asked for one tag a page (whether ``n`` is
honoured and ``Link`` sent). DELETE and chunk limits are not probed: that would need writes;
the profile's facts about them are printed with their sources.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
from typing import Any

from ocikit import (
    Client,
    NetworkError,
    OciError,
    OperationTimeoutError,
    Reference,
    registry_profile,
)
from ocikit._http import BlobSink, BlobSource, Transport
from ocikit._ocikit import Request, Response
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


class _Recorder:
    """Sends through ``inner`` and keeps what each exchange answered: method, URL, status,
    headers and (captured bodies only) the body."""

    def __init__(self, inner: Transport) -> None:
        self._inner = inner
        self.exchanges: list[tuple[str, str, int, dict[str, str], bytes]] = []

    def send(
        self,
        request: Request,
        *,
        source: BlobSource | None = None,
        sink: BlobSink | None = None,
    ) -> Response:
        response = self._inner.send(request, source=source, sink=sink)
        headers = {name.lower(): value for name, value in response.headers}
        self.exchanges.append(
            (request.method, request.url, response.status, headers, response.body)
        )
        return response

    def close(self) -> None:
        self._inner.close()

    def answers(self, method: str, path_part: str) -> list[tuple[str, int, dict[str, str], bytes]]:
        return [
            (url, status, headers, body)
            for m, url, status, headers, body in self.exchanges
            if m == method and path_part in urllib.parse.urlsplit(url).path
        ]


@handled
def run(args: argparse.Namespace) -> int:
    host, _, rest = args.target.partition("/")
    reference = Reference.parse(args.target) if rest else None
    if reference is None:
        Reference.parse(f"{host}/x")  # a host that makes a reference, or REFERENCE_INVALID
    profile = registry_profile(args.registry_profile or host)
    recorder = _Recorder(transport(args))
    report: dict[str, Any] = {"registry": host, "profile": profile["name"], "probes": {}}
    probes: dict[str, Any] = report["probes"]
    with Client(
        host,
        plain_http=args.plain_http,
        credentials=credentials(args),
        transport=recorder,
        timeout=args.timeout or None,
        stall_timeout=args.stall_timeout,
    ) as client:
        probes["v2"] = _probe_v2(client, recorder)
        if reference is None:
            note = "not probed: give REGISTRY/REPOSITORY:TAG of a manifest that exists"
            probes["referrers_api"] = {"supported": None, "note": note}
            probes["tag_list"] = {"note": note}
        else:
            probes["referrers_api"] = _probe_referrers(client, recorder, reference)
            probes["tag_list"] = _probe_tags(client, recorder, reference)
    probes["delete"] = {"note": "not probed: doctor sends no DELETE (see the profile's facts)"}
    probes["chunked_upload"] = {"note": "not probed: doctor uploads nothing"}
    known = profile["referrers_api"]
    found = probes["referrers_api"].get("supported")
    if known is not None and found is not None and known != found:
        probes["referrers_api"]["note"] = (
            f"the profile says {'yes' if known else 'no'}: the probe is newer than its sources"
        )
    report["facts"] = profile["facts"]
    if args.format == "json":
        print_json(report)
    else:
        _print(report, profile)
    return EXIT_OK


def _probe_v2(client: Client, recorder: _Recorder) -> dict[str, Any]:
    result: dict[str, Any] = {}
    try:
        client.check_auth()
        result["auth"] = "ok"
    except (NetworkError, OperationTimeoutError):
        raise  # not reached: error[NETWORK_ERROR|TLS_ERROR|TIMEOUT], status 1
    except OciError as error:
        result["auth"] = error.code
        result["error"] = str(error)
    answers = recorder.answers("GET", "/v2/")
    v2 = [a for a in answers if urllib.parse.urlsplit(a[0]).path.rstrip("/") == "/v2"]
    if v2:
        _, status, headers, _ = v2[0]
        result["status"] = status
        result["challenge"] = headers.get("www-authenticate")
        result["api_version"] = headers.get("docker-distribution-api-version")
    return result


def _probe_referrers(client: Client, recorder: _Recorder, reference: Reference) -> dict[str, Any]:
    result: dict[str, Any] = {}
    try:
        digest = client.resolve(str(reference)).digest
    except OciError as error:
        return {"supported": None, "note": f"{reference} did not resolve ({error.code}): "
                "the referrers API is asked about a digest that exists only"}  # fmt: skip
    result["digest"] = digest
    name = f"{reference.registry}/{reference.repository}@{digest}"
    try:
        client.referrers(name)
    except OciError as error:
        result["error"] = f"{error.code}: {error}"
    result["supported"] = client._session(reference.registry).referrers_api
    asked = recorder.answers("GET", f"/referrers/{digest}")
    if asked:
        _, status, headers, _ = asked[0]
        result["status"] = status
        result["content_type"] = headers.get("content-type")
    return result


def _probe_tags(client: Client, recorder: _Recorder, reference: Reference) -> dict[str, Any]:
    repository = f"{reference.registry}/{reference.repository}"
    before = len(recorder.exchanges)
    try:
        tags = list(client.iter_tags(repository, page_size=1))
    except OciError as error:
        return {"error": f"{error.code}: {error}"}
    pages = [
        (url, status, headers, body)
        for method, url, status, headers, body in recorder.exchanges[before:]
        if method == "GET" and urllib.parse.urlsplit(url).path.endswith("/tags/list")
    ]
    try:
        total = len(client.list_tags(repository))  # every tag, without n
    except OciError as error:
        return {"error": f"{error.code}: {error}"}
    result: dict[str, Any] = {"tags": total, "paged_tags": len(tags), "requests": len(pages)}
    if pages:
        first_url, _, first_headers, first_body = pages[0]
        asked_n = "n=1" in urllib.parse.urlsplit(first_url).query
        try:
            first_count = len(json.loads(first_body).get("tags") or [])
        except (ValueError, AttributeError):
            first_count = None
        result["link"] = "link" in first_headers
        if asked_n and first_count is not None and total > 1:
            result["n_honoured"] = first_count <= 1
            if first_count <= 1 and not result["link"]:
                result["note"] = (
                    "n is honoured but no Link is sent: a client following Link sees the "
                    f"first page only ({len(tags)} of {total} tags)"
                )
        else:
            result["n_honoured"] = None
            result["note"] = "a repository with two tags or more tells whether n is honoured"
    return result


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
    if "requests" in tags:
        honoured = {True: "honoured", False: "ignored", None: "not told"}[tags["n_honoured"]]
        print(
            f"Tag list: {tags['tags']} tag(s); paging with n=1 read {tags['paged_tags']} in "
            f"{tags['requests']} request(s); n {honoured}; Link "
            f"{'sent' if tags['link'] else 'not sent'}"
            + (f"; {tags['note']}" if "note" in tags else "")
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
