"""The three surfaces a hostile case runs through — the CLI, the Python API and the JS Client —
each in a process of its own, measured from outside: wall time, peak RSS (``ru_maxrss`` of that
process, from ``wait4``), peak thread count and peak disk use of the case's sandbox (sampled
every 50 ms), with a hard time limit after which the process is killed (a hang is a finding,
never a stuck suite).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
CLI = ROOT / ".venv" / "bin" / "ocikit"
NODE = "node"

SURFACES = ("cli", "python", "python-async", "js")
# The operations the asyncio client (ocikit.AsyncClient) runs: every registry operation but copy.
ASYNC_OPS = {
    "fetch",
    "pull",
    "blob-fetch",
    "blob-fetch-memory",
    "push",
    "push-chunked",
    "push-manifest",
    "tags",
    "tags-iterate",
    "discover",
}

# How each surface takes the core's Limits (registry::Limits field names, in milliseconds and
# counts). A surface that has no way to set a limit makes its timed cases fail (reported).
CLI_LIMIT_FLAGS = {  # seconds on the command line
    "stall_timeout_ms": "--stall-timeout",
    "deadline_ms": "--timeout",
}
# Python: ocikit.Limits(**limits) as Client(limits=...). JS: Client({ limits: { … } }).
JS_LIMIT_OPTIONS = {
    "stall_timeout_ms": "stallTimeoutMs",
    "request_timeout_ms": "requestTimeoutMs",
    "deadline_ms": "deadlineMs",
    "retry_after_max_ms": "retryAfterMaxMs",
    "list_entries_max": "listEntriesMax",
    "list_bytes_max": "listBytesMax",
}


@dataclass
class Measured:
    """What one run of a surface did."""

    argv: list[str]
    returncode: int
    stdout: bytes
    stderr: bytes
    seconds: float
    rss_mb: float
    threads_peak: int
    disk_peak: int
    killed: bool
    outcome: dict[str, Any] = field(default_factory=dict)


def _threads(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def walk(
    root: Path | str, skip: Callable[[str], bool] = lambda path: False
) -> Iterator[os.DirEntry[str]]:
    """Every entry under ``root``, links not followed, without recursion (a hostile pull may
    have made directories thousands deep); ``skip(path)`` prunes a directory."""
    stack = [str(root)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            yield entry
            if entry.is_dir(follow_symlinks=False) and not skip(entry.path):
                stack.append(entry.path)


def disk_bytes(root: Path) -> int:
    """Bytes the files under ``root`` occupy on disk (allocated blocks: a sparse file counts
    what was written, not what it claims)."""
    total = 0
    for entry in walk(root):
        try:
            if not entry.is_dir(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            pass
    return total


def _vm_hwm(pid: int) -> float:
    """The process's RSS high-water mark so far, MiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status", "rb") as status:
            for line in status:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_measured(
    argv: list[str],
    *,
    env: dict[str, str],
    cwd: Path,
    hard_limit: float,
    watch: Path,
    stdout_path: Path,
) -> Measured:
    """Runs ``argv`` through measure.py (its own ru_maxrss), sampling its threads and the disk
    use of ``watch`` every 50 ms; kills its process group after ``hard_limit`` seconds."""
    start = time.monotonic()
    result = stdout_path.with_suffix(".rusage")
    launcher = [sys.executable, "-I", "-S", str(HERE / "measure.py"), str(result), *argv]
    with open(stdout_path, "wb") as out, open(stdout_path.with_suffix(".err"), "wb") as err:
        process = subprocess.Popen(
            launcher,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        threads_peak = disk_peak = 0
        hwm = 0.0
        child = 0
        killed = False
        while process.poll() is None:
            if not child:
                with contextlib.suppress(OSError, ValueError, IndexError):
                    child = int(result.read_text().split()[0])
            if child:
                threads_peak = max(threads_peak, _threads(child))
                hwm = max(hwm, _vm_hwm(child))
            disk_peak = max(disk_peak, disk_bytes(watch))
            if time.monotonic() - start > hard_limit:
                killed = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 9)
                process.wait()
                break
            time.sleep(0.05)
    seconds = time.monotonic() - start
    disk_peak = max(disk_peak, disk_bytes(watch))
    returncode = -9
    lines = result.read_text().splitlines() if result.exists() else []
    if len(lines) >= 2:
        maxrss_kib, status = lines[1].split()
        hwm = max(hwm, int(maxrss_kib) / 1024)
        returncode = int(status)
    with open(stdout_path, "rb") as out:
        stdout = out.read(4 << 20)
    stderr = stdout_path.with_suffix(".err").read_bytes()[: 4 << 20]
    return Measured(argv, returncode, stdout, stderr, seconds, hwm, threads_peak, disk_peak, killed)


# Jobs ----------------------------------------------------------------------------------------


@dataclass
class Job:
    """One case on one surface, with everything resolved to addresses and paths."""

    op: str
    registry: str
    ref: str | None
    plain_http: bool
    out: Path
    sandbox: Path
    credentials: tuple[str, str] | None = None
    ca_file: str | None = None
    digest: str | None = None
    size: int | None = None
    layout: Path | None = None
    tar: Path | None = None
    limits: dict[str, int] = field(default_factory=dict)
    chunk_size: int | None = None
    keep_old_files: bool = False
    data: str = "hello hostile push\n"


def cli_argv(job: Job, env: dict[str, str]) -> list[str]:
    remote = ["--plain-http"] if job.plain_http else []
    if job.credentials:
        remote += ["-u", job.credentials[0], "-p", job.credentials[1]]
    if job.ca_file and cli_has("--ca-file", env):
        remote += ["--ca-file", job.ca_file]
    for name, value in job.limits.items():
        flag = CLI_LIMIT_FLAGS[name]
        remote += [flag, str(value / 1000 if name.endswith("_ms") else value)]
    keep = ["-k"] if job.keep_old_files else []
    op, ref, out = job.op, job.ref or "", str(job.out)
    if op == "fetch":
        return ["manifest", "fetch", ref, *remote]
    if op == "pull":
        return ["pull", ref, "-o", out, "--no-progress", *keep, *remote]
    if op == "blob-fetch":
        return [
            "blob",
            "fetch",
            f"{ref}@{job.digest}",
            "-o",
            f"{out}/blob.bin",
            "--no-progress",
            *remote,
        ]
    if op == "blob-fetch-memory":
        return ["blob", "fetch", f"{ref}@{job.digest}", "-o", "-", "--no-progress", *remote]
    if op == "push":
        return [
            "push",
            ref,
            "in/hello.txt",
            "--artifact-type",
            "application/vnd.hostile.test.config.v1+json",
            "--no-progress",
            *remote,
        ]
    if op == "push-chunked":
        return [
            "push",
            ref,
            "in/hello.txt",
            "--artifact-type",
            "application/vnd.hostile.test.config.v1+json",
            "--chunk-size",
            str(job.chunk_size),
            "--no-progress",
            *remote,
        ]
    if op == "push-manifest":
        return ["manifest", "push", ref, "in/manifest.json", *remote]
    if op == "tags":
        return ["repo", "tags", ref, *remote]
    if op == "discover":
        return ["discover", ref, "--format", "json", *remote]
    if op == "copy":
        return ["copy", ref, f"{out}/layout:latest", "--to-oci-layout", "--no-progress", *remote]
    if op == "layout-pull":
        return ["pull", "--oci-layout", f"{job.layout}:latest", "-o", out, "--no-progress", *keep]
    if op == "layout-fetch":
        return ["manifest", "fetch", "--oci-layout", f"{job.layout}:latest"]
    if op == "layout-verify":
        return ["validate", "--kind", "layout", str(job.layout)]
    if op == "layout-copy":
        return ["copy", "--from-oci-layout", f"{job.layout}:latest", ref, "--no-progress", *remote]
    raise ValueError(f"no CLI form for {op}")


_CLI_HELP: dict[str, str] = {}


def cli_has(flag: str, env: dict[str, str]) -> bool:
    """Whether the CLI knows ``flag`` (options land while the suite is written)."""
    key = env.get("PYTHONPATH", "")
    if key not in _CLI_HELP:
        _CLI_HELP[key] = subprocess.run(
            [str(CLI), "pull", "--help"], capture_output=True, text=True, env=env
        ).stdout
    return flag in _CLI_HELP[key]


def job_json(job: Job, surface: str) -> str:
    data: dict[str, Any] = {
        "op": job.op,
        "registry": job.registry,
        "ref": job.ref,
        "plain_http": job.plain_http,
        "out": str(job.out),
        "work": str(job.sandbox / "work"),
        "credentials": list(job.credentials) if job.credentials else None,
        "ca_file": job.ca_file,
        "digest": job.digest,
        "size": job.size,
        "layout": str(job.layout) if job.layout else None,
        "tar": str(job.tar) if job.tar else None,
        "chunk_size": job.chunk_size,
        "keep_old_files": job.keep_old_files,
        "data": job.data,
    }
    if surface.startswith("python"):
        data["limits"] = job.limits
        data["asyncio"] = surface == "python-async"
    else:
        limits = {JS_LIMIT_OPTIONS[k]: v for k, v in job.limits.items()}
        data["client_options"] = {"limits": limits} if limits else {}
    return json.dumps(data)


CODE = re.compile(rb"error\[([A-Z0-9_]+)\]")


def run_surface(surface: str, job: Job, *, env: dict[str, str], hard_limit: float) -> Measured:
    """Runs ``job`` on ``surface`` and reads its outcome: ``{"ok": true}``, ``{"code": C}`` or
    ``{"foreign": what}``."""
    env = dict(env)
    if surface == "cli":
        if job.ca_file and not cli_has("--ca-file", env):
            env["SSL_CERT_FILE"] = job.ca_file  # the CLI has no --ca-file: OpenSSL's variable
        argv = [str(CLI), *cli_argv(job, env)]
    elif surface.startswith("python"):
        argv = [str(PYTHON), str(HERE / "py_driver.py"), job_json(job, surface)]
    else:
        if job.ca_file:
            env["NODE_EXTRA_CA_CERTS"] = job.ca_file
        argv = [NODE, str(HERE / "js_driver.mjs"), job_json(job, surface)]
    measured = run_measured(
        argv,
        env=env,
        cwd=job.sandbox / "work",
        hard_limit=hard_limit,
        watch=job.sandbox,
        stdout_path=job.sandbox / f"{surface}.out",
    )
    measured.outcome = read_outcome(surface, measured)
    return measured


def read_outcome(surface: str, measured: Measured) -> dict[str, Any]:
    if measured.killed:
        return {"foreign": "KILLED", "message": f"still running after {measured.seconds:.1f} s"}
    if surface == "cli":
        stderr = measured.stderr
        if b"Traceback (most recent call last)" in stderr:
            tail = stderr.decode("utf-8", "replace")[-1500:]
            return {"foreign": "Traceback", "message": tail}
        if measured.returncode == 0:
            return {"ok": True}
        found = CODE.findall(stderr)
        # Exit 1 (cannot reach, file) or 2 (input rejected) with a code; INTERNAL_ERROR is the
        # CLI's name for a failure it did not foresee: as foreign as a traceback.
        if found and measured.returncode in (1, 2) and found[-1] != b"INTERNAL_ERROR":
            return {
                "code": found[-1].decode(),
                "message": stderr.decode("utf-8", "replace")[-2000:],
            }
        return {
            "foreign": f"exit {measured.returncode}",
            "message": stderr.decode("utf-8", "replace")[-1500:],
        }
    lines = [line for line in measured.stdout.splitlines() if line.startswith(b"{")]
    if not lines:
        return {
            "foreign": f"no outcome (exit {measured.returncode})",
            "message": measured.stderr.decode("utf-8", "replace")[-1500:],
        }
    return json.loads(lines[-1])


def python_executable() -> str:
    return sys.executable
