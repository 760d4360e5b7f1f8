"""Every hostile case on every surface it applies to (issue 9): the coded outcome, the time, the
peak RSS, the requests and bytes the registry saw, that no registry secret reached the
attacker, and that nothing was written outside the output directory.

Each check that fails is listed with the others, so that one run shows everything a case got
wrong; the results also go to .cache/hostile-results.json, from which SECURITY.md's table is
made (tests/hostile/report.py).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path
from typing import Any

import pytest

from cases import CASES, INVALID, OK, Case
from drivers import ASYNC_OPS, Job, Measured, run_surface
from hostile_server import DECLARED, LAYER, PASSWORD, SECRETS, USER, HostileRegistry, sha256
from layouts import build_layout
from sandbox import Sandbox, record_result


def _surfaces(case: Case) -> list[str]:
    """The case's surfaces, with the asyncio client wherever the Python API runs a registry
    operation it has."""
    surfaces = list(case.surfaces)
    if "python" in surfaces and case.op in ASYNC_OPS:
        surfaces.insert(surfaces.index("python") + 1, "python-async")
    return surfaces


PARAMS = [
    pytest.param(case, surface, id=f"{surface}-{case.id}")
    for case in CASES
    for surface in _surfaces(case)
]
# Bytes a terminal would act on: C0 controls but tab and newline, DEL, C1, and the
# bidirectional formatting characters, which reorder what it shows (as UTF-8).
CONTROL = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]"
    rb"|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
)
PULL_OPS = {"pull", "blob-fetch", "layout-pull"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def make_job(case: Case, hostile: HostileRegistry, sandbox: Sandbox) -> Job:
    plain_http, ca_file = True, None
    if case.registry == "plain":
        registry = hostile.plain.address
    elif case.registry == "tls":
        registry, plain_http, ca_file = hostile.secure.address, False, hostile.ca_file  # type: ignore[attr-defined]
    elif case.registry == "tls-untrusted":
        registry, plain_http = hostile.secure.address, False
    elif case.registry == "tls-on-plain":
        registry, plain_http = hostile.plain.address, False
    elif case.registry == "refused":
        registry = f"127.0.0.1:{_closed_port()}"
    elif case.registry == "unresolvable":
        registry = "hostile-registry.invalid:5000"
    else:
        raise ValueError(case.registry)
    repository = case.repository
    ref = (
        f"{registry}/{repository}"
        if case.op.startswith("tags")
        else f"{registry}/{repository}:latest"
    )
    job = Job(
        op=case.op,
        registry=registry,
        ref=ref,
        plain_http=plain_http,
        out=sandbox.out,
        sandbox=sandbox.root,
        credentials=(USER, PASSWORD),
        ca_file=ca_file,
        digest=sha256(b"\0" * DECLARED),
        size=DECLARED,
        limits=dict(case.limits),
        chunk_size=case.chunk_size,
        keep_old_files=case.keep_old_files,
    )
    if case.op == "push-manifest":  # a manifest nested 3,000 levels deep, to upload
        nested = (
            b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":'
            + b"[" * 3000
            + b"]" * 3000
            + b"}"
        )
        (sandbox.work / "in" / "manifest.json").write_bytes(nested)
    if case.layout is not None:
        built = build_layout(case.layout, sandbox)
        if case.layout.startswith("tar-"):
            job.tar = built
        else:
            job.layout = built
    return job


def outcome_name(measured: Measured) -> str:
    outcome = measured.outcome
    if "code" in outcome:
        return str(outcome["code"])
    if outcome.get("ok"):
        return (
            INVALID
            if outcome.get("value") == '{"valid":false}' or outcome.get("value") == "False"
            else OK
        )
    return f"foreign:{outcome.get('foreign')}"


def check(
    case: Case,
    surface: str,
    measured: Measured,
    hostile: HostileRegistry,
    sandbox: Sandbox,
    before: dict[str, Any],
    baselines: dict[str, float],
) -> list[str]:
    problems: list[str] = []
    outcome = measured.outcome
    name = outcome_name(measured)
    if name not in case.expected(surface):
        detail = outcome.get("message", "")
        problems.append(
            f"outcome {name}, expected {'|'.join(case.expected(surface))}: {detail[:600]}"
        )
    if surface.startswith("python") and "classes" in outcome:
        classes = outcome["classes"]
        if outcome["code"] == "TIMEOUT" and "TimeoutError" not in classes:
            problems.append(f"TIMEOUT is not a TimeoutError in Python: {classes}")
        if outcome["code"] in ("NETWORK_ERROR", "TLS_ERROR") and "ConnectionError" not in classes:
            problems.append(f"{outcome['code']} is not a ConnectionError in Python: {classes}")
    if measured.seconds > case.seconds:
        problems.append(f"took {measured.seconds:.1f} s, bound {case.seconds:.0f} s")
    rss_bound = baselines[surface] + case.rss_mb
    if measured.rss_mb > rss_bound:
        problems.append(f"peak RSS {measured.rss_mb:.0f} MiB, bound {rss_bound:.0f} MiB")
    # The attacker: never a secret, and no more requests than the case allows.
    attacker = hostile.journal.of("attacker")
    leaked = [r for r in attacker if any(secret in r.text() for secret in SECRETS)]
    if leaked:
        problems.append(
            "CREDENTIALS LEAKED to the attacker: "
            + "; ".join(f"{r.listener} {r.method} {r.path}" for r in leaked[:5])
        )
    if len(attacker) > case.attacker_requests:
        problems.append(
            f"{len(attacker)} requests reached the attacker (allowed {case.attacker_requests}): "
            + "; ".join(f"{r.listener} {r.method} {r.path[:80]}" for r in attacker[:5])
        )
    registry_records = [
        r for r in hostile.journal.of("registry") if r.repository() == case.repository
    ]
    if case.max_requests is not None and len(registry_records) > case.max_requests:
        problems.append(
            f"{len(registry_records)} requests to the registry, bound {case.max_requests}"
        )
    bodies = [
        r for r in registry_records if "/blobs/" in r.path and r.status in (200, 206) and r.sent > 0
    ]
    if case.max_bodies is not None and len(bodies) > case.max_bodies:
        problems.append(f"the blob body was sent {len(bodies)} times (a retry of a body too long)")
    sent = sum(r.sent for r in registry_records)
    if case.max_sent is not None and sent > case.max_sent:
        problems.append(
            f"the registry had to send {sent >> 20} MiB (bound {case.max_sent >> 20} MiB)"
        )
    received = sum(r.received for r in registry_records)
    if case.max_received is not None and received > case.max_received:
        problems.append(
            f"the registry received {received} bytes of bodies (bound {case.max_received})"
        )
    if measured.disk_peak > case.max_disk:
        problems.append(
            f"peak disk use {measured.disk_peak >> 20} MiB (bound {case.max_disk >> 20} MiB)"
        )
    # Threads of the Python processes (Node's are its own runtime's, not the client's).
    if (
        case.max_threads is not None
        and surface != "js"
        and measured.threads_peak > case.max_threads
    ):
        problems.append(f"peak {measured.threads_peak} threads, bound {case.max_threads}")
    # Nothing written outside the output directory; nothing left in it after a failed pull.
    after = sandbox.snapshot()
    changed = sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p))
    if changed:
        problems.append(f"written outside the output directory: {changed[:8]}")
    if Path("/tmp/ocikit-hostile-absolute.txt").exists():
        problems.append("the absolute title /tmp/ocikit-hostile-absolute.txt was written")
    files = sandbox.output_files()
    if name != OK and case.op in PULL_OPS and case.keep_old_files is False and files:
        problems.append(f"a failed {case.op} left files in the output directory: {files[:5]}")
    kept = sandbox.out / "kept.txt"
    if case.keep_old_files and kept.read_bytes() != b"original\n":
        problems.append("-k/keep_old_files: the existing file was replaced")
    if case.id == "title-plain-overwrite" and name == OK and kept.read_bytes() != LAYER:
        problems.append("without -k the existing file was not replaced by the pulled one")
    if surface == "cli":
        code = outcome.get("code")
        if code is not None:
            documented = 1 if code in ("NETWORK_ERROR", "TLS_ERROR", "TIMEOUT") else 2
            if measured.returncode != documented:
                problems.append(
                    f"exit status {measured.returncode} for {code}; the CLI documents {documented}"
                )
        if CONTROL.search(measured.stdout) or CONTROL.search(measured.stderr):
            found = CONTROL.search(measured.stderr) or CONTROL.search(measured.stdout)
            problems.append(f"control characters on the terminal: {found.group()!r}")  # type: ignore[union-attr]
        if case.hint and case.hint.encode() not in measured.stderr:
            problems.append(f"the CLI's message lacks the hint {case.hint!r}")
    return problems


@pytest.mark.parametrize(("case", "surface"), PARAMS)
def test_hostile(
    case: Case,
    surface: str,
    hostile: HostileRegistry,
    sandbox: Sandbox,
    baselines: dict[str, float],
) -> None:
    hostile.journal.reset()
    job = make_job(case, hostile, sandbox)
    if case.repository == "title-plain":
        (sandbox.out / "kept.txt").write_bytes(b"original\n")
    before = sandbox.snapshot()
    measured = run_surface(surface, job, env=sandbox.env(), hard_limit=case.seconds + 5)
    problems = check(case, surface, measured, hostile, sandbox, before, baselines)
    record_result(
        {
            "case": case.id,
            "surface": surface,
            "item": case.item,
            "what": case.what,
            "expected": list(case.expected(surface)),
            "outcome": outcome_name(measured),
            "seconds": round(measured.seconds, 2),
            "rss_mb": round(measured.rss_mb, 1),
            "problems": problems,
        }
    )
    assert not problems, f"{surface} {case.id}:\n  " + "\n  ".join(problems)
