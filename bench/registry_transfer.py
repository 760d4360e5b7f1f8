"""Registry transfers: ocikit against oras-py and the ORAS CLI, push and pull, across a network
(latency injected with toxiproxy) and on loopback.

Run: scripts/bench-registry.sh [--strict] [--quick] [--network loopback|region|far] …
(see bench/README.md). By default the network profiles run (about 10 minutes; --quick about 3):

- ``region``: 10 ms each way (20 ms round trips): 500 files of 4 KiB and 1 GiB;
- ``far``: 40 ms each way and 25 MB/s per connection and direction: 256 MiB (8 x 32 MiB, the
  1 GiB artifact's eight files at a quarter of the size);

each through a toxiproxy proxy in front of each registry, with the contenders at their own
defaults (ocikit what its engine hands out: up to 32 small requests and 4 large transfers, 8
over long round trips; the ORAS CLI 3; oras-py one) and in a second table all at concurrency 4
(ocikit and the ORAS CLI run again; oras-py has no setting), and the requests each transfer
of one artifact cost, counted from the registry's request log. Goals (issue 12, at the
defaults): region, 500 small files: push >= 2x and pull >= 1.5x the ORAS CLI, >= 3x oras-py;
far, 256 MiB: >= 1x the ORAS CLI and >= 2x oras-py both ways; ocikit with the fewest requests.

``--network loopback`` is the loopback run below, whose goals include ocikit at >= 0.9x the
http.client ceilings measured in the same run, like against like: the ocikit CLI (a command,
timed from its process's start to its exit) against the ceiling run as a command and timed so;
the API and AsyncClient (timed inside their processes) against the ceiling timed inside its own.

In one run, against a fresh Debian ``docker-registry`` (CNCF distribution 2.8.2, filesystem
storage) and go-containerregistry's in-memory registry (``referrers-registry``, where a client's
own cost shows): a 1 GiB artifact (8 random files of 128 MiB) and 500 random files of 4 KiB are
pushed and pulled by

- ``ocikit CLI``   ``ocikit push --plain-http --concurrency C REF FILES…`` / ``ocikit pull …``
- ``ocikit API``   ``ocikit.Client(...).push(ref, ocikit.pack(File.from_paths(…)))`` / ``.pull``
- ``oras-py``      PyPI ``oras`` 0.2.43: ``OrasClient(insecure=True).push(files=…)`` / ``.pull``
- ``AsyncClient``  ``ocikit.AsyncClient(...).push(…)`` / ``.pull`` (httpx, asyncio)
- ``ORAS CLI``     ``oras push --plain-http --concurrency C …`` / ``oras pull …``

each in its own process (so that its peak RSS and CPU time are its own, read with GNU time),
with the registry storage reset (registry restarted, storage deleted) before every contender's
push, every pushed manifest checked for the expected layers and every pulled file checked
against the source digest. The curl ceiling is measured in the same run: a monolithic upload
(POST, then one PUT) of one 128 MiB blob, of the 8 blobs 4 at once, and GETs of the 8 blobs one
at a time and all 8 at once (to /dev/null). Each figure is the best of N interleaved rounds.

Goals (PASS/MISS): push and pull at least 2x oras-py's and 1x the ORAS CLI's throughput for
1 GiB, at least 3x oras-py's and 1x the ORAS CLI's for 500 small files, and ocikit's peak RSS
under 100 MiB. --strict exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".cache" / "tools" / "bin"
ARTIFACT_TYPE = "application/vnd.ocikit.bench.v1"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
TIME = "/usr/bin/time"  # GNU time (Debian package `time`)
REQUEST_LINE = re.compile(rb"\b(?:GET|HEAD|POST|PUT|PATCH|DELETE) /v2/")
CONTENDERS = ("ocikit CLI", "ocikit API", "AsyncClient", "oras-py", "ORAS CLI")
OCIKIT = ("ocikit CLI", "ocikit API", "AsyncClient")
# What each contender does when not told a concurrency (its default, as users run it). ocikit's
# is the engine's (ocikit_core::registry::Concurrency): 32 requests at once, 4 of them moving
# 4 MiB or more.
DEFAULT_CONCURRENCY = {"ocikit CLI": 32, "ocikit API": 32, "AsyncClient": 32, "oras-py": 1,
                       "ORAS CLI": 3}  # fmt: skip
# Network profiles (toxiproxy between every client and the registry): latency each way in ms,
# and a bandwidth cap per connection and direction in KB/s (toxiproxy's unit: 1000 bytes).
PROFILES = {
    "region": {"latency_ms": 10, "rate_kbps": 0},
    "far": {"latency_ms": 40, "rate_kbps": 25_000},
}


# Workers: one contender's push or pull, run in a process of its own -------------------------


def _worker(argv: list[str]) -> int:
    """``_worker CONTENDER OP ADDRESS REF DIR CONCURRENCY RESULT``: runs one push (files: the
    directory's sorted names, relative to it, the cwd) or pull (into DIR) and writes its time
    in seconds (imports excluded) to RESULT."""
    contender, op, address, ref, directory, concurrency, result = argv
    # CONCURRENCY 0: the client's own default (no setting given).
    options = {"concurrency": int(concurrency)} if int(concurrency) else {}
    if contender == "ocikit API":
        import ocikit

        # Imports excluded: the package imports its client lazily, on first use of the name.
        ocikit.Client, ocikit.pack, ocikit.File  # noqa: B018
        start = time.perf_counter()
        with ocikit.Client(address, plain_http=True, **options) as client:
            if op == "push":
                names = sorted(os.listdir("."))
                packed = ocikit.pack(
                    ocikit.File.from_paths(names),
                    artifact_type=ARTIFACT_TYPE,
                )
                client.push(ref, packed)
            else:
                client.pull(ref, directory)
        seconds = time.perf_counter() - start
    elif contender == "AsyncClient":
        import asyncio

        import ocikit

        async def transfer() -> None:
            async with ocikit.AsyncClient(address, plain_http=True, **options) as client:
                if op == "push":
                    names = sorted(os.listdir("."))
                    packed = ocikit.pack(
                        ocikit.File.from_paths(names), artifact_type=ARTIFACT_TYPE
                    )
                    await client.push(ref, packed)
                else:
                    await client.pull(ref, directory)

        # Imports excluded (as for the ocikit API): the client's modules load on first use.
        ocikit.AsyncClient, ocikit.pack, ocikit.File  # noqa: B018
        start = time.perf_counter()
        asyncio.run(transfer())
        seconds = time.perf_counter() - start
    elif contender == "oras-py":
        import logging

        import oras.client

        logging.getLogger("oras").setLevel(logging.WARNING)
        start = time.perf_counter()
        client = oras.client.OrasClient(hostname=address, insecure=True)
        if op == "push":
            client.push(files=sorted(os.listdir(".")), target=ref, quiet=True)
        else:
            client.pull(target=ref, outdir=directory)
        seconds = time.perf_counter() - start
    else:
        raise SystemExit(f"unknown worker {contender!r}")
    Path(result).write_text(json.dumps({"seconds": seconds}))
    return 0


def _stdlib_transfers(
    op: str, address: str, job: dict[str, Any], directory: str, concurrency: int
) -> float:
    """The ceiling of a Python client on the standard library's ``http.client`` (ocikit's
    default transport): the least work any such client must do, ``concurrency`` blobs at a
    time on keep-alive connections, with no engine, no progress and no manifest.

    ``push`` (the cwd's files, each read whole and hashed): HEAD, POST, PUT per blob. Pulls do
    what ocikit does for every file it pulls: GET each blob into a temporary file in
    ``directory``, hashed (SHA-256) as it is written, renamed into place once its digest
    matches — ``pull-small`` reads each body whole, ``pull-large`` in 1 MiB pieces. ``job``:
    the repository, and for pulls the digests.
    """
    import http.client
    import threading
    from concurrent.futures import ThreadPoolExecutor

    local = threading.local()
    repository = f"/v2/{job['repository']}"

    def connection() -> http.client.HTTPConnection:
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection(address, timeout=60)
        return local.connection

    def exchange(method: str, url: str, body: bytes = b"", **headers: str) -> Any:
        conn = connection()
        conn.request(method, url, body=body, headers=headers)
        response = conn.getresponse()
        return response

    def push(name: str) -> None:
        with open(name, "rb") as file:
            content = file.read()
        digest = "sha256:" + hashlib.sha256(content).hexdigest()
        exchange("HEAD", f"{repository}/blobs/{digest}").read()
        started = exchange("POST", f"{repository}/blobs/uploads/", **{"Content-Length": "0"})
        started.read()
        location = started.getheader("Location")
        location = location.split(address, 1)[-1]  # absolute or relative
        sep = "&" if "?" in location else "?"
        done = exchange("PUT", f"{location}{sep}digest={digest}", content,
                        **{"Content-Type": "application/octet-stream"})  # fmt: skip
        done.read()
        if done.status != 201:
            raise RuntimeError(f"PUT {name}: {done.status}")

    def pull(digest: str, whole: bool) -> None:
        response = exchange("GET", f"{repository}/blobs/{digest}")
        if response.status != 200:
            raise RuntimeError(f"GET {digest}: {response.status}")
        path = os.path.join(directory, digest.split(":")[1])
        temporary = f"{path}.{os.urandom(8).hex()}.part"
        hasher = hashlib.sha256()
        with open(temporary, "xb", buffering=0) as file:
            if whole:
                content = response.read()
                file.write(content)
                hasher.update(content)
            else:
                buffer = memoryview(bytearray(MiB))
                while count := response.readinto(buffer):
                    file.write(buffer[:count])
                    hasher.update(buffer[:count])
        if "sha256:" + hasher.hexdigest() != digest:
            raise RuntimeError(f"GET {digest}: wrong digest")
        os.replace(temporary, path)

    if op == "push":
        jobs = [lambda name=name: push(name) for name in sorted(os.listdir("."))]
    else:
        digests = job["digests"]
        whole = op == "pull-small"
        jobs = [lambda d=d: pull(d, whole) for d in digests]
    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return time.perf_counter() - start


def ceiling_script(directory: Path) -> Path:
    """Writes the http.client ceiling as a command, ``python SCRIPT OP ADDRESS JOB DIR
    CONCURRENCY`` (``_stdlib_transfers``'s own source, unchanged, behind the fewest imports it
    needs), which prints the transfers' seconds as timed inside the process. A command as a user
    would write it: run by the interpreter the ocikit CLI runs on, with the same environment
    and no flags (the CLI's script has none), it pays for the interpreter's start, ``site``, its
    imports (``http.client``, ``hashlib``, ``concurrent.futures``…) and its exit, as the CLI
    does, and for nothing this bench adds (the bench module's own imports and its compilation:
    a script run by path is compiled at every run, so the ceiling is kept small). Written once,
    when the run starts (``main``): the source is read from this file by line numbers, which an
    edit of the file during a run would shift."""
    import inspect

    path = directory / "http_client_ceiling.py"
    if path.exists():
        return path
    path.write_text(
        '"""The http.client ceiling as a command (written by bench/registry_transfer.py)."""\n'
        "from __future__ import annotations\n\n"
        "import hashlib\nimport json\nimport os\nimport sys\nimport time\n\n"
        f"MiB = {MiB}\n\n\n"
        + inspect.getsource(_stdlib_transfers)
        + "\n\nop, address, job_path, directory, concurrency = sys.argv[1:]\n"
        "with open(job_path) as file:\n    job = json.load(file)\n"
        "print(_stdlib_transfers(op, address, job, directory, int(concurrency)))\n"
    )
    return path


# Processes, measured --------------------------------------------------------------------------


@dataclass
class Measured:
    seconds: float  # the operation's wall time (in-process time for the API workers)
    rss_mib: float  # peak RSS of the process
    cpu: float  # user + system CPU seconds of the process


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> Measured:
    """Runs ``cmd`` to its end under GNU time: its wall time, peak RSS and CPU time.

    GNU time, not ``os.wait4`` here: Linux carries a process's peak RSS across ``fork`` and
    ``execve``, so a child of this (large) Python process would report at least our RSS.
    """
    usage = log.with_suffix(".time")
    with open(log, "wb") as out:
        start = time.perf_counter()
        status = subprocess.call(
            [TIME, "-f", "%M %U %S", "-o", str(usage), *cmd],
            cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(
            f"{' '.join(cmd[:4])} … exited {status}:\n{log.read_text()[-3000:]}"
        )
    rss_kib, user, system = usage.read_text().split()[-3:]
    return Measured(seconds, int(rss_kib) / 1024, float(user) + float(system))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tool(name: str) -> str:
    for candidate in (TOOLS / name, shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    raise SystemExit(
        f"{name} is not installed: run scripts/bench-registry.sh (make tools)"
    )


# Registries -----------------------------------------------------------------------------------


class Registry:
    """A loopback registry that can be reset: stopped, its storage deleted, started again (on
    the same port, so that a proxy in front of it stays valid). It logs every request, and
    :meth:`requests_since` counts them."""

    name = ""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.port = 0
        self.address = ""
        # Where clients connect: the registry itself, or a toxiproxy proxy in front of it.
        self.client_address = ""
        self.process: Optional[subprocess.Popen[bytes]] = None
        self.log: Any = None

    def _command(self, port: int) -> list[str]:
        raise NotImplementedError

    @property
    def log_path(self) -> Path:
        return self.work / f"{self.key}.log"

    def log_offset(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def requests_since(self, offset: int) -> int:
        """Requests to /v2/ the registry logged after ``offset`` of its log (docker-registry's
        access log, go-containerregistry's request log: one line per request each)."""
        time.sleep(0.2)  # a request's log line is written as its response ends
        with open(self.log_path, "rb") as log:
            log.seek(offset)
            return len(REQUEST_LINE.findall(log.read()))

    def start(self) -> None:
        self.port = self.port or free_port()
        port = self.port
        self.address = f"127.0.0.1:{port}"
        self.client_address = self.client_address or self.address
        self.log = open(self.work / f"{self.key}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self._command(port), stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://{self.address}/v2/", timeout=1):
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name} did not start, see {self.work / self.key}.log"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def reset(self) -> None:
        self.stop()
        self.start()

    @property
    def key(self) -> str:
        return self.name.split()[0]


class Distribution(Registry):
    name = "docker-registry (distribution 2.8.2, filesystem)"

    def _command(self, port: int) -> list[str]:
        data = self.work / "distribution-data"
        shutil.rmtree(data, ignore_errors=True)
        config = self.work / "distribution.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: false\n"
            f"storage:\n  filesystem:\n    rootdirectory: {data}\n  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{port}\n"
        )
        return [tool("docker-registry"), "serve", str(config)]

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.work / "distribution-data", ignore_errors=True)


class InMemory(Registry):
    name = "in-memory (go-containerregistry)"

    def _command(self, port: int) -> list[str]:
        return [tool("referrers-registry"), f"127.0.0.1:{port}"]


class Toxiproxy:
    """toxiproxy (``.cache/tools/bin/toxiproxy-server``, built by scripts/tools.sh): a proxy per
    registry, with the toxics of a network profile on both directions of every connection.

    ``latency`` delays each piece of data by the profile's milliseconds (so a request and its
    response cost a round trip of twice that); ``bandwidth`` caps each connection and direction
    at the profile's rate. A new connection to the proxy is local (toxics act on data only),
    so connecting costs no round trip: what is measured is requests, not handshakes.
    """

    def __init__(self, work: Path) -> None:
        port = free_port()
        self.api = f"http://127.0.0.1:{port}"
        self.log = open(work / "toxiproxy.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [tool("toxiproxy-server"), "-host", "127.0.0.1", "-port", str(port)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                self._call("GET", "/proxies")
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"toxiproxy did not start, see {work}/toxiproxy.log")
                time.sleep(0.05)

    def _call(self, method: str, path: str, body: Optional[dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.api + path, data=data, method=method,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None

    def front(self, registry: Registry) -> None:
        """A proxy in front of ``registry`` (its port is kept across resets); clients connect
        to ``registry.client_address`` from now on."""
        if not registry.port:
            registry.port = free_port()
        listen = f"127.0.0.1:{free_port()}"
        self._call("POST", "/proxies", {
            "name": registry.key, "listen": listen,
            "upstream": f"127.0.0.1:{registry.port}", "enabled": True,
        })  # fmt: skip
        registry.client_address = listen

    def profile(self, registry: Registry, name: str) -> None:
        """The toxics of profile ``name`` on ``registry``'s proxy (replacing any before)."""
        for toxic in self._call("GET", f"/proxies/{registry.key}/toxics"):
            self._call("DELETE", f"/proxies/{registry.key}/toxics/{toxic['name']}")
        settings = PROFILES[name]
        for stream in ("upstream", "downstream"):
            self._call("POST", f"/proxies/{registry.key}/toxics", {
                "name": f"latency-{stream}", "type": "latency", "stream": stream,
                "attributes": {"latency": settings["latency_ms"], "jitter": 0},
            })  # fmt: skip
            if settings["rate_kbps"]:
                self._call("POST", f"/proxies/{registry.key}/toxics", {
                    "name": f"bandwidth-{stream}", "type": "bandwidth", "stream": stream,
                    "attributes": {"rate": settings["rate_kbps"]},
                })  # fmt: skip

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


# Data sets ------------------------------------------------------------------------------------


@dataclass
class DataSet:
    key: str
    title: str
    directory: Path
    digests: dict[str, str] = field(default_factory=dict)  # name -> sha256:hex
    size: int = 0

    @property
    def names(self) -> list[str]:
        return sorted(self.digests)


def make_data(directory: Path, key: str, title: str, count: int, size: int) -> DataSet:
    directory.mkdir(parents=True)
    data = DataSet(key, title, directory)
    width = len(str(count - 1))
    piece = min(size, 8 * MiB)
    for i in range(count):
        name = f"{key}-{i:0{width}d}.bin"
        digest = hashlib.sha256()
        with open(directory / name, "wb") as file:
            left = size
            while left:
                chunk = os.urandom(min(piece, left))
                digest.update(chunk)
                file.write(chunk)
                left -= len(chunk)
        data.digests[name] = "sha256:" + digest.hexdigest()
        data.size += size
    return data


def check_manifest(address: str, ref: str, data: DataSet) -> None:
    """The manifest pushed under ``ref`` lists exactly the data set's files."""
    repository, tag = ref.split("/", 1)[1].rsplit(":", 1)
    request = urllib.request.Request(
        f"http://{address}/v2/{repository}/manifests/{tag}",
        headers={"Accept": OCI_MANIFEST},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        manifest = json.loads(response.read())
    layers = {
        layer["annotations"]["org.opencontainers.image.title"]: (
            layer["digest"],
            layer["size"],
        )
        for layer in manifest["layers"]
    }
    size = data.size // len(data.digests)
    expected = {name: (digest, size) for name, digest in data.digests.items()}
    if layers != expected:
        raise RuntimeError(
            f"the manifest pushed to {ref} does not list the expected layers"
        )


def check_pulled(directory: Path, data: DataSet) -> None:
    """``directory`` holds exactly the data set's files, byte for byte (by digest)."""
    found = sorted(p.name for p in directory.iterdir())
    if found != data.names:
        raise RuntimeError(
            f"{directory} holds {len(found)} files, not the {len(data.names)}"
        )
    for name, expected in data.digests.items():
        with open(directory / name, "rb") as file:
            actual = "sha256:" + hashlib.file_digest(file, "sha256").hexdigest()
        if actual != expected:
            raise RuntimeError(
                f"{directory / name} has digest {actual}, not {expected}"
            )


# Contenders -----------------------------------------------------------------------------------


@dataclass
class Bench:
    work: Path
    concurrency: int
    env: dict[str, str]
    # (registry key, data key, contender, op) -> measurements over rounds
    results: dict[tuple[str, str, str, str], list[Measured]] = field(
        default_factory=dict
    )
    ceilings: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    # The same keys -> requests the registry logged for each operation (one artifact each).
    requests: dict[tuple[str, str, str, str], list[int]] = field(default_factory=dict)

    def command(
        self, contender: str, op: str, address: str, ref: str, out: Path, result: Path,
        concurrency: Optional[int] = None,
    ) -> tuple[list[str], bool]:  # fmt: skip
        """The command for one operation; whether it reports its own time. ``concurrency``
        0: the contender's default (no setting); None: the run's --concurrency."""
        n = self.concurrency if concurrency is None else concurrency
        flag = ["--concurrency", str(n)] if n else []
        if contender == "ocikit CLI":
            cli = str(Path(sys.executable).parent / "ocikit")
            if op == "push":
                return [cli, "push", "--plain-http", *flag, ref,
                        "--artifact-type", ARTIFACT_TYPE], False  # fmt: skip
            return [cli, "pull", "--plain-http", *flag, ref, "-o", str(out)], False
        if contender == "ORAS CLI":
            oras = tool("oras")
            if op == "push":
                return [oras, "push", "--plain-http", "--no-tty", *flag, ref,
                        "--artifact-type", ARTIFACT_TYPE], False  # fmt: skip
            return [oras, "pull", "--plain-http", "--no-tty", *flag, ref,
                    "-o", str(out)], False  # fmt: skip
        return [sys.executable, str(Path(__file__).resolve()), "_worker", contender, op,
                address, ref, str(out), str(n), str(result)], True  # fmt: skip

    def transfer(
        self, registry: Registry, data: DataSet, contender: str,
        concurrency: Optional[int] = None, table: str = "",
    ) -> None:  # fmt: skip
        """One round for one contender: reset the registry, push, check, pull, check. Clients
        go through ``registry.client_address`` (a toxiproxy proxy in network profiles);
        results are filed under ``table`` (a network profile and setting; "" on loopback)."""
        registry.reset()
        address = registry.client_address
        ref = f"{address}/bench/{data.key}:v1"
        out = self.work / "pulled"
        shutil.rmtree(out, ignore_errors=True)
        result = self.work / "result.json"
        for op in ("push", "pull"):
            cmd, reports = self.command(
                contender, op, address, ref, out, result, concurrency
            )
            if op == "push" and contender not in ("oras-py", "ocikit API", "AsyncClient"):
                cmd += data.names  # CLIs take the files as arguments
            result.unlink(missing_ok=True)
            os.sync()  # no contender pays for the writeback of what came before it
            offset = registry.log_offset()
            measured = run_measured(
                cmd, data.directory, self.env, self.work / "client.log"
            )
            if reports:
                measured.seconds = json.loads(result.read_text())["seconds"]
            key = (f"{table}:{registry.key}" if table else registry.key, data.key, contender, op)
            self.results.setdefault(key, []).append(measured)
            self.requests.setdefault(key, []).append(registry.requests_since(offset))
            if op == "push":
                check_manifest(registry.address, ref, data)
            else:
                check_pulled(out, data)
        shutil.rmtree(out, ignore_errors=True)

    def curl_ceiling(self, registry: Registry, data: DataSet) -> None:
        """curl: monolithic uploads (POST, PUT) and GETs of the large blobs."""
        registry.reset()
        os.sync()
        base = f"http://{registry.address}/v2/bench/curl"
        curl = [tool("curl"), "-sS", "--no-progress-meter", "--fail", "-H", "Expect:"]

        def upload_command(name: str) -> str:
            # POST for the upload URL, then one PUT with the digest, as a shell line.
            digest = data.digests[name]
            return (
                f"loc=$({' '.join(curl)} -X POST -o /dev/null -D - {base}/blobs/uploads/ "
                "| tr -d '\\r' | sed -n 's/^[Ll]ocation: //p'); "
                'case "$loc" in http*) ;; *) loc="http://'
                + registry.address
                + '$loc";; esac; '
                f'sep="?"; case "$loc" in *\\?*) sep="&";; esac; '
                f"{' '.join(curl)} -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' "
                f'-T {data.directory / name} "$loc${{sep}}digest={digest}"'
            )

        def timed_shell(lines: list[str]) -> float:
            start = time.perf_counter()
            processes = [subprocess.Popen(["bash", "-ec", line]) for line in lines]
            for process in processes:
                if process.wait() != 0:
                    raise RuntimeError("a curl upload failed")
            return time.perf_counter() - start

        names = data.names
        one = timed_shell([upload_command(names[0])])
        self.ceilings.setdefault(("put1", registry.key), []).append(
            data.size / len(names) / one
        )
        # The other 7 blobs 4 at once, then the 8 all measured as "8 blobs, 4 at once" by
        # uploading the whole set again into a fresh registry.
        registry.reset()
        base = f"http://{registry.address}/v2/bench/curl"
        groups = [names[i::4] for i in range(4)]
        four = timed_shell(
            ["; ".join(upload_command(n) for n in group) for group in groups]
        )
        self.ceilings.setdefault(("put4", registry.key), []).append(data.size / four)
        urls = [f"{base}/blobs/{data.digests[n]}" for n in names]
        get = list(curl)
        sequential = [*get]
        for url in urls:
            sequential += ["-o", "/dev/null", url]
        start = time.perf_counter()
        subprocess.run(sequential, check=True)
        self.ceilings.setdefault(("get1", registry.key), []).append(
            data.size / (time.perf_counter() - start)
        )
        parallel = [*get, "-Z", "--parallel-max", "8"]
        for url in urls:
            parallel += ["-o", "/dev/null", url]
        start = time.perf_counter()
        subprocess.run(parallel, check=True)
        self.ceilings.setdefault(("get8", registry.key), []).append(
            data.size / (time.perf_counter() - start)
        )

    def network_ceiling(self, registry: Registry, data: DataSet, profile: str) -> None:
        """The standard library's ``http.client`` pushing ``data`` through the proxy (see
        ``_stdlib_transfers``: HEAD, POST, PUT per blob, no manifest) 1 and 8 blobs at a time:
        what the path and the registry allow any client. A registry that takes one upload at a
        time shows the same rate at 8 as at 1."""
        job = self.work / "stdlib-job.json"
        log = self.work / "client.log"
        job.write_text(json.dumps({"repository": "bench/stdlib", "digests": []}))
        script = ceiling_script(self.work)
        for n in (1, 8):
            registry.reset()
            os.sync()
            cmd = [sys.executable, str(script), "push", registry.client_address, str(job),
                   str(self.work), str(n)]  # fmt: skip
            run_measured(cmd, data.directory, self.env, log)
            # The transfers' seconds, timed inside the process (the script's one line out).
            seconds = float(log.read_text().split()[-1])
            key = (f"{profile}-stdlib-push-{data.key}-{n}", registry.key)
            self.ceilings.setdefault(key, []).append(data.size / MiB / seconds)

    def stdlib_ceiling(self, registry: Registry, data: DataSet) -> None:
        """The standard library's ``http.client`` alone (see ``_stdlib_transfers``), run as a
        command of its own (:func:`ceiling_script`): for small files push then pull; for the
        large set the verifying pull of what ``curl_ceiling`` uploaded last (call it right
        after that). Each run is timed two ways: inside the process, the transfers alone (the
        ceiling of the in-process contenders, ocikit API and AsyncClient), and as the ocikit
        CLI is timed, from the process's start to its exit under GNU time (``run_measured``):
        the ceiling of the CLI, which pays for an interpreter's start and its imports too."""
        out = self.work / "pulled"
        job = self.work / "stdlib-job.json"
        log = self.work / "client.log"
        script = ceiling_script(self.work)
        digests = [data.digests[name] for name in data.names]

        def run(op: str, repository: str) -> tuple[float, float]:
            job.write_text(json.dumps({"repository": repository, "digests": digests}))
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            os.sync()
            cmd = [sys.executable, str(script), op, registry.address, str(job), str(out),
                   str(self.concurrency)]  # fmt: skip
            measured = run_measured(cmd, data.directory, self.env, log)
            inside = float(log.read_text().split()[-1])
            shutil.rmtree(out, ignore_errors=True)
            return inside, measured.seconds

        if data.key == "large":
            inside, process = run("pull-large", "bench/curl")
            for key, seconds in (("stdlib-pull-large", inside),
                                 ("stdlib-pull-large-process", process)):  # fmt: skip
                self.ceilings.setdefault((key, registry.key), []).append(data.size / seconds)
            return
        registry.reset()
        for op in ("push", "pull-small"):
            inside, process = run(op, "bench/stdlib")
            name = f"stdlib-{op.split('-')[0]}-small"
            for key, seconds in ((name, inside), (f"{name}-process", process)):
                self.ceilings.setdefault((key, registry.key), []).append(len(digests) / seconds)


# Report ---------------------------------------------------------------------------------------


def best(runs: list[Measured]) -> Measured:
    return min(runs, key=lambda m: m.seconds)


def reachable(
    bench: Bench, registry: Registry, data: DataSet, op: str
) -> tuple[float, str]:
    """The fastest any client of the kind the goal is about could go here (in the data set's
    unit per second), and what measured it: for pushing 1 GiB the registry's own ingest (curl);
    otherwise a client on the standard library's ``http.client`` (ocikit's default transport)
    doing only the transfers themselves (and the hashing a verifying pull needs)."""
    if data.key == "large" and op == "push":
        keys, why = ("put1", "put4"), "the curl ceiling"
    else:
        keys, why = (f"stdlib-{op}-{data.key}",), "the http.client ceiling"
    values = [v for key in keys for v in bench.ceilings.get((key, registry.key), [])]
    if not values:
        return 0.0, why
    return max(values) / (MiB if data.key == "large" else 1), why


def report(
    bench: Bench,
    registries: list[Registry],
    datasets: list[DataSet],
    rounds: dict[str, int],
) -> list[tuple[str, bool]]:
    goals: list[tuple[str, bool]] = []
    c = bench.concurrency
    print()
    print(
        f"Settings: concurrency {c} for ocikit (CLI and API) and the ORAS CLI (push and pull); "
        "oras-py has no concurrency setting (one blob at a time); monolithic uploads for every "
        "client (POST + one PUT per blob; ocikit sends one POST with the blob where the registry "
        "takes single-request uploads, as go-containerregistry's does); figures are the best of "
        "the rounds shown, peak RSS and CPU the largest over the rounds."
    )
    for registry in registries:
        for data in datasets:
            n = rounds[data.key]
            print()
            print(f"== {data.title} -> {registry.name}, best of {n}")
            big = data.key == "large"
            unit = "MiB/s" if big else "files/s"
            header = (
                f"{'client':<12} {'push ' + unit:>13} {'s':>7} {'RSS MiB':>8} {'CPU s':>6}   "
                f"{'pull ' + unit:>13} {'s':>7} {'RSS MiB':>8} {'CPU s':>6}"
            )
            print(header)
            print("-" * len(header))
            rate: dict[tuple[str, str], float] = {}
            for contender in CONTENDERS:
                cells = []
                for op in ("push", "pull"):
                    runs = bench.results.get((registry.key, data.key, contender, op))
                    if not runs:
                        cells.append(f"{'-':>13} {'-':>7} {'-':>8} {'-':>6}")
                        continue
                    m = best(runs)
                    amount = data.size / MiB if big else len(data.digests)
                    rate[(contender, op)] = amount / m.seconds
                    rss = max(r.rss_mib for r in runs)
                    cpu = max(r.cpu for r in runs)
                    cells.append(
                        f"{rate[(contender, op)]:>13.1f} {m.seconds:>7.2f} {rss:>8.1f} {cpu:>6.2f}"
                    )
                print(f"{contender:<12} {cells[0]}   {cells[1]}")
            # The http.client ceilings, each run timed two ways (Bench.stdlib_ceiling): inside
            # its process (the ceiling of ocikit API and AsyncClient, timed inside theirs) and
            # as a process, from start to exit (the ceiling of the ocikit CLI, timed so).
            inside = "ceiling, timed inside its process: the API rows'"
            process = "ceiling, process start to exit: the CLI rows'"
            ceiling_rows = (
                (
                    ("curl PUT 1 blob (128 MiB)", "put1", "ceiling"),
                    ("curl PUT 8 blobs, 4 at once", "put4", "ceiling"),
                    ("curl GET 8 blobs one at a time", "get1", "ceiling"),
                    ("curl GET 8 blobs 8 at once", "get8", "ceiling"),
                    (f"http.client verified pull, {c} at once", "stdlib-pull-large", inside),
                    ("http.client verified pull, as a process", "stdlib-pull-large-process",
                     process),
                )
                if big
                else (
                    (f"http.client HEAD+POST+PUT, {c} at once", "stdlib-push-small", inside),
                    ("http.client HEAD+POST+PUT, as a process", "stdlib-push-small-process",
                     process),
                    (f"http.client verified pull, {c} at once", "stdlib-pull-small", inside),
                    ("http.client verified pull, as a process", "stdlib-pull-small-process",
                     process),
                )
            )  # fmt: skip
            for name, key, note in ceiling_rows:
                values = bench.ceilings.get((key, registry.key))
                if values:
                    amount = max(values) / MiB if big else max(values)
                    print(f"{name:<40} {amount:>8.1f} {unit}  ({note})")
            print()
            factor = 2.0 if big else 3.0
            for contender in OCIKIT:
                for op in ("push", "pull"):
                    ours = rate.get((contender, op))
                    if ours is None:
                        continue
                    for peer, want in (("oras-py", factor), ("ORAS CLI", 1.0)):
                        theirs = rate.get((peer, op))
                        if theirs is None:
                            continue
                        ratio = ours / theirs
                        goal = (
                            f"{data.key:<5} {registry.key:<12} {contender:<10} {op}: "
                            f">= {want:g}x {peer} (is {ratio:.2f}x)"
                        )
                        ceiling, why = reachable(bench, registry, data, op)
                        if ceiling and ceiling / theirs < want:
                            goal += (
                                f"; unreachable here: {why} is only "
                                f"{ceiling / theirs:.2f}x {peer}"
                            )
                        goals.append((goal, ratio >= want))
                    # Issue 12: on loopback, small transfers measure per-request CPU, where the
                    # standard library's http.client (the default transport) is the ceiling.
                    # Like against like: the CLI, timed from its process's start to its exit,
                    # against the ceiling run as a command and timed so; the API and
                    # AsyncClient, timed inside their processes, against the ceiling timed
                    # inside its own.
                    ceiling_key = {
                        ("small", "push"): "stdlib-push-small",
                        ("small", "pull"): "stdlib-pull-small",
                        ("large", "pull"): "stdlib-pull-large",
                    }.get((data.key, op))
                    as_process = contender == "ocikit CLI"
                    if ceiling_key and as_process:
                        ceiling_key += "-process"
                    values = bench.ceilings.get((ceiling_key or "", registry.key))
                    if values:
                        ratio = ours / (max(values) / (MiB if big else 1))
                        which = (
                            "as a process (start to exit)"
                            if as_process
                            else "timed inside its process"
                        )
                        goal = (
                            f"{data.key:<5} {registry.key:<12} {contender:<10} {op}: "
                            f">= 0.9x the http.client ceiling {which} (is {ratio:.2f}x)"
                        )
                        goals.append((goal, ratio >= 0.9))
                if big:
                    runs = [
                        r
                        for op in ("push", "pull")
                        for r in bench.results.get(
                            (registry.key, data.key, contender, op), []
                        )
                    ]
                    if runs:
                        peak = max(r.rss_mib for r in runs)
                        goal = (
                            f"{data.key:<5} {registry.key:<12} {contender:<10} peak RSS "
                            f"< 100 MiB (is {peak:.0f} MiB)"
                        )
                        goals.append((goal, peak < 100))
    print()
    for goal, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {goal}")
    return goals


def report_network(
    bench: Bench,
    profiles: list[str],
    registries: list[Registry],
    workloads: dict[str, list[DataSet]],
    contenders: list[str],
    rounds: int,
) -> list[tuple[str, bool]]:
    """The network profiles' tables (each contender at its defaults, then all at concurrency
    4) with requests per artifact, and the goals of issue 12 (defaults table)."""
    goals: list[tuple[str, bool]] = []
    print()
    print(
        "Network profiles (toxiproxy between every client and the registry): "
        + "; ".join(
            f"{name}: {PROFILES[name]['latency_ms']} ms each way"
            + (f", {PROFILES[name]['rate_kbps'] / 1000:g} MB/s per connection and direction"
               if PROFILES[name]["rate_kbps"] else "")  # fmt: skip
            for name in profiles
        )
        + f". Best of {rounds}; RSS and CPU the largest over the rounds; req: requests the "
        "registry logged for the one artifact. conc: blob transfers at a time (* the "
        "contender's default; oras-py has no setting)."
    )
    for profile in profiles:
        for setting in ("defaults", "concurrency 4"):
            for registry in registries:
                for data in workloads[profile]:
                    big = not data.key.startswith("small")
                    unit = "MiB/s" if big else "files/s"
                    print()
                    print(f"== {profile}, {setting}: {data.title} -> {registry.name}")
                    header = (
                        f"{'client':<12} {'conc':>4}  {'push ' + unit:>13} {'s':>6} {'RSS':>5} "
                        f"{'CPU s':>6} {'req':>5}   {'pull ' + unit:>13} {'s':>6} {'RSS':>5} "
                        f"{'CPU s':>6} {'req':>5}"
                    )
                    print(header)
                    print("-" * len(header))
                    rate: dict[tuple[str, str], float] = {}
                    requests: dict[tuple[str, str], int] = {}
                    for contender in contenders:
                        default = DEFAULT_CONCURRENCY[contender]
                        own = f"{profile} {setting}:{registry.key}"
                        fallback = f"{profile} defaults:{registry.key}"
                        cells = []
                        for op in ("push", "pull"):
                            key = (own, data.key, contender, op)
                            if key not in bench.results:
                                key = (fallback, data.key, contender, op)
                            runs = bench.results.get(key)
                            if not runs:
                                cells.append(f"{'-':>13} {'-':>6} {'-':>5} {'-':>6} {'-':>5}")
                                continue
                            m = best(runs)
                            amount = data.size / MiB if big else len(data.digests)
                            rate[(contender, op)] = amount / m.seconds
                            requests[(contender, op)] = max(bench.requests[key])
                            cells.append(
                                f"{rate[(contender, op)]:>13.1f} {m.seconds:>6.2f} "
                                f"{max(r.rss_mib for r in runs):>5.0f} "
                                f"{max(r.cpu for r in runs):>6.2f} {requests[(contender, op)]:>5}"
                            )
                        conc = (
                            f"{default}*"
                            if setting == "defaults" or contender == "oras-py"
                            else "4" + ("*" if default == 4 else "")
                        )
                        print(f"{contender:<12} {conc:>4}  {cells[0]}   {cells[1]}")
                    if setting != "defaults":
                        continue
                    ceilings = {
                        n: max(bench.ceilings.get((f"{profile}-stdlib-push-{data.key}-{n}",
                                                   registry.key), [0.0]))
                        for n in (1, 8)
                    }  # fmt: skip
                    if big and ceilings[1]:
                        print(
                            f"http.client alone (HEAD, POST, PUT per blob; no manifest) pushes "
                            f"{ceilings[1]:.1f} MiB/s one blob at a time, {ceilings[8]:.1f} "
                            f"MiB/s eight at a time: what this path and registry allow"
                        )
                    # Issue 12's goals, at the contenders' defaults.
                    wanted: dict[str, tuple[float, float]] = {}  # peer -> (push, pull) factor
                    if profile == "region" and not big:
                        wanted = {"ORAS CLI": (2.0, 1.5), "oras-py": (3.0, 3.0)}
                    elif profile == "far" and big:
                        wanted = {"ORAS CLI": (1.0, 1.0), "oras-py": (2.0, 2.0)}
                    where = f"{profile:<6} {data.key:<8} {registry.key:<12}"
                    for contender in OCIKIT:
                        for i, op in enumerate(("push", "pull")):
                            ours = rate.get((contender, op))
                            if ours is None:
                                continue
                            for peer, factors in wanted.items():
                                theirs = rate.get((peer, op))
                                if theirs:
                                    ratio = ours / theirs
                                    bound = ""
                                    if op == "push" and big and ceilings[8]:
                                        best_push = max(ceilings.values())
                                        bound = (f"; {ours / best_push:.2f}x the http.client "
                                                 f"ceiling")  # fmt: skip
                                    goals.append((
                                        f"{where} {contender:<11} {op}: >= {factors[i]:g}x "
                                        f"{peer} (is {ratio:.2f}x{bound})",
                                        ratio >= factors[i],
                                    ))  # fmt: skip
                            others = [
                                requests[(peer, op)]
                                for peer in contenders
                                if peer not in OCIKIT and (peer, op) in requests
                            ]
                            if others:
                                ours_req = requests[(contender, op)]
                                goals.append((
                                    f"{where} {contender:<11} {op}: the fewest requests "
                                    f"(is {ours_req}; others {min(others)} at least)",
                                    ours_req <= min(others),
                                ))  # fmt: skip
    print()
    for goal, met in goals:
        print(f"{'PASS' if met else 'MISS'}  {goal}")
    return goals


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        return _worker(sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 if a goal is missed"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds for 1 GiB (default 3)"
    )
    parser.add_argument(
        "--small-rounds", type=int, default=3, help="rounds for small files"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, help="blob transfers at a time"
    )
    parser.add_argument(
        "--registry", choices=("distribution", "memory"), action="append",
        help="only these registries (repeatable; default both)",
    )  # fmt: skip
    parser.add_argument(
        "--data", choices=("large", "small"), action="append",
        help="only these data sets (repeatable; default both)",
    )  # fmt: skip
    parser.add_argument(
        "--contender", choices=CONTENDERS, action="append",
        help="only these clients (repeatable; default all)",
    )  # fmt: skip
    parser.add_argument(
        "--workdir", type=Path, default=None,
        help="where to put data and registry storage (default: a temporary directory in /tmp)",
    )  # fmt: skip
    parser.add_argument(
        "--network", choices=("loopback", *PROFILES), action="append",
        help="loopback (the registries directly, with the curl and http.client ceilings) or a "
        "network profile through toxiproxy (repeatable; default: region and far)",
    )  # fmt: skip
    parser.add_argument(
        "--network-rounds", type=int, default=1,
        help="rounds in the network profiles (default 1: latency, not noise, decides there)",
    )  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true",
        help="network profiles with smaller workloads: 100 small files in region (no 1 GiB), "
        "64 MiB in far",
    )  # fmt: skip
    args = parser.parse_args()
    contenders = args.contender or list(CONTENDERS)
    networks = args.network or ["region", "far"]
    profiles = [n for n in networks if n != "loopback"]

    for name in ("docker-registry", "referrers-registry", "oras", "curl"):
        tool(name)
    if profiles:
        tool("toxiproxy-server")
    import oras  # noqa: F401 - fail early when oras-py is missing

    started = time.perf_counter()
    # Absolute: the clients run in other directories (a relative --workdir named nothing there).
    work = Path(tempfile.mkdtemp(prefix="ocikit-bench-", dir=args.workdir)).resolve()
    home = work / "home"
    (home / ".docker").mkdir(parents=True)
    env = {
        **os.environ,
        "HOME": str(home),  # no stray ORAS or Docker credentials
        "DOCKER_CONFIG": str(home / ".docker"),
        "PYTHONUNBUFFERED": "1",
    }
    if "loopback" in networks:
        ceiling_script(work)  # now, while this file is as it was when the run started
    registries: list[Registry] = []
    toxiproxy: Optional[Toxiproxy] = None
    made: dict[str, DataSet] = {}
    wanted_data = args.data or ["large", "small"]

    def dataset(key: str) -> DataSet:
        if key not in made:
            print(f"writing test data ({key}) …", file=sys.stderr)
            count, size, title = {
                "large": (8, 128 * MiB, "1 GiB: 8 files of 128 MiB"),
                "large256": (8, 32 * MiB, "256 MiB: 8 files of 32 MiB"),
                "large64": (8, 8 * MiB, "64 MiB: 8 files of 8 MiB"),
                "small": (500, 4 * KiB, "500 files of 4 KiB"),
                "small100": (100, 4 * KiB, "100 files of 4 KiB"),
            }[key]
            made[key] = make_data(work / key, key, title, count, size)
        return made[key]

    goals: list[tuple[str, bool]] = []
    try:
        wanted = args.registry or ["distribution", "memory"]
        if "distribution" in wanted:
            registries.append(Distribution(work))
        if "memory" in wanted:
            registries.append(InMemory(work))
        bench = Bench(work, args.concurrency, env)
        if "loopback" in networks:
            datasets = [dataset(key) for key in ("large", "small") if key in wanted_data]
            rounds = {"large": args.rounds, "small": args.small_rounds}
            for registry in registries:
                for data in datasets:
                    for i in range(rounds[data.key]):
                        print(f"{registry.key} {data.key} round {i + 1}/{rounds[data.key]} "
                              f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)  # fmt: skip
                        if data.key == "large":
                            bench.curl_ceiling(registry, data)
                        bench.stdlib_ceiling(registry, data)
                        for contender in contenders:
                            bench.transfer(registry, data, contender)
                registry.stop()
            goals += report(bench, registries, datasets, rounds)
        if profiles:
            # region: the small files (its goals) and 1 GiB; far: 256 MiB (its goals; 500
            # small files at 80 ms round trips would take oras-py minutes).
            keys = {
                "region": [("small", "small100" if args.quick else "small")]
                + ([] if args.quick else [("large", "large")]),
                "far": [("large", "large64" if args.quick else "large256")],
            }
            workloads = {
                profile: [dataset(key) for kind, key in keys[profile] if kind in wanted_data]
                for profile in profiles
            }
            toxiproxy = Toxiproxy(work)
            for registry in registries:
                toxiproxy.front(registry)
            for profile in profiles:
                for registry in registries:
                    toxiproxy.profile(registry, profile)
                    for data in workloads[profile]:
                        for i in range(args.network_rounds):
                            print(f"{profile} {registry.key} {data.key} round {i + 1}/"
                                  f"{args.network_rounds} ({time.perf_counter() - started:.0f} s)",
                                  file=sys.stderr)  # fmt: skip
                            if profile == "far" and not data.key.startswith("small"):
                                bench.network_ceiling(registry, data, profile)
                            for contender in contenders:
                                bench.transfer(registry, data, contender, 0, f"{profile} defaults")
                                # The second table: all at 4. Contenders whose default is 4
                                # and oras-py (no setting) are the defaults' rows.
                                if DEFAULT_CONCURRENCY[contender] not in (1, 4):
                                    bench.transfer(registry, data, contender, 4,
                                                   f"{profile} concurrency 4")  # fmt: skip
                    registry.stop()
            goals += report_network(bench, profiles, registries, workloads, contenders,
                                    args.network_rounds)  # fmt: skip
        print(f"\n(total {time.perf_counter() - started:.0f} s)")
    finally:
        for registry in registries:
            registry.stop()
        if toxiproxy is not None:
            toxiproxy.stop()
        shutil.rmtree(work, ignore_errors=True)
    return 1 if args.strict and not all(met for _, met in goals) else 0


if __name__ == "__main__":
    sys.exit(main())
