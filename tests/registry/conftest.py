"""Real registries for the client and CLI tests: Debian's docker-registry (CNCF distribution
2.8.2) on free loopback ports, in three modes — open, htpasswd Basic auth, and Bearer tokens
from the test token server in token_server.py.

A missing tool is a failure, never a skip (as in tests/interop), so that CI cannot pass without
having run these tests: `make test-registry` installs them first.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from ocikit import cli

sys.path.insert(0, str(Path(__file__).parent))
from fault_proxy import FaultProxy  # noqa: E402
from token_server import ISSUER, SERVICE, SigningKey, TokenServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".cache" / "tools" / "bin"
USER, PASSWORD = "alice", "s3cret-p4ss"
REFRESH_TOKEN = "refresh-alice-0123456789"
MODES = ("open", "basic", "bearer")
PASSWORD_WARNING = "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n"


def tool(name: str) -> str:
    for candidate in (TOOLS / name, shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(f"{name} is not installed: run scripts/tools.sh (make test-registry does)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Registry:
    """A running registry: its address, auth mode, and the CLI flags that log in to it."""

    mode: str
    address: str
    root: Path
    config: Path
    process: subprocess.Popen[bytes] | None = None
    token_server: TokenServer | None = None
    log: Any = field(default=None, repr=False)

    @property
    def auth(self) -> list[str]:
        return [] if self.mode == "open" else ["-u", USER, "-p", PASSWORD]

    @property
    def credentials(self) -> tuple[str, str] | None:
        return None if self.mode == "open" else (USER, PASSWORD)

    def start(self) -> None:
        self.log = open(self.root / "registry.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [tool("docker-registry"), "serve", str(self.config)],
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://{self.address}/v2/", timeout=1):
                    return
            except urllib.error.HTTPError as error:
                if error.code == 401:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"docker-registry did not start: {(self.root / 'registry.log').read_text()}"
                )
            time.sleep(0.05)

    def kill(self) -> None:
        """Stops the registry at once (SIGKILL), as a crash would; :meth:`start` brings it back
        on the same port with the same storage."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        self.process = None
        self.log.close()
        self.log = None

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


def _start(mode: str, root: Path) -> Registry:
    port = _free_port()
    auth = ""
    server = None
    if mode == "basic":
        htpasswd = subprocess.run(
            ["htpasswd", "-Bbn", USER, PASSWORD], check=True, capture_output=True, text=True
        ).stdout
        (root / "htpasswd").write_text(htpasswd)
        auth = f"auth:\n  htpasswd:\n    realm: ocikit-test\n    path: {root / 'htpasswd'}\n"
    elif mode == "bearer":
        key = SigningKey(root)
        server = TokenServer(key, {USER: PASSWORD}, {REFRESH_TOKEN: USER})
        auth = (
            "auth:\n  token:\n"
            f"    realm: {server.realm}\n    service: {SERVICE}\n    issuer: {ISSUER}\n"
            f"    rootcertbundle: {key.cert}\n"
        )
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n  delete:\n    enabled: true\n"
        # A fixed secret: the state in upload URLs stays valid across a restart (it is random
        # per start otherwise), so an upload interrupted by one can be resumed.
        f"http:\n  addr: 127.0.0.1:{port}\n  secret: ocikit-test-upload-state\n" + auth
    )
    registry = Registry(mode, f"127.0.0.1:{port}", root, config, token_server=server)
    registry.start()
    return registry


@pytest.fixture(scope="session")
def registries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Registry]]:
    """One registry per mode, started once for the session."""
    started: dict[str, Registry] = {}
    try:
        for mode in MODES:
            started[mode] = _start(mode, tmp_path_factory.mktemp(f"registry-{mode}"))
        yield started
    finally:
        for registry in started.values():
            registry.stop()
            if registry.token_server is not None:
                registry.token_server.close()


@pytest.fixture(params=MODES)
def registry(request: pytest.FixtureRequest, registries: dict[str, Registry]) -> Registry:
    """Each test that takes this runs once per mode: open, basic, bearer."""
    return registries[request.param]


@pytest.fixture(autouse=True)
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Docker config directory per test, so no test sees the user's credentials."""
    directory = tmp_path / "docker-config"
    directory.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(directory))
    return directory


@dataclass
class Run:
    status: int
    out: str
    err: str


@pytest.fixture
def ocikit(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Runs the ``ocikit`` command in this process: ``ocikit(*argv, stdin=None) -> Run``."""

    def run(
        *argv: str, stdin: str | None = None, check: bool = True, password_warning: bool = False
    ) -> Run:
        capsys.readouterr()
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
        status = cli.main(list(argv))
        captured = capsys.readouterr()
        err = captured.err
        if not password_warning:
            # Registry.auth passes -p, which ORAS's warning follows (tested in test_cli_oras.py).
            err = err.replace(PASSWORD_WARNING, "", 1)
        result = Run(status, captured.out, err)
        if check and status != 0:
            pytest.fail(f"ocikit {' '.join(argv)} exited {status}\n{captured.out}\n{captured.err}")
        return result

    return run


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


@pytest.fixture
def proxy(registries: dict[str, Registry]) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the open registry (fault_proxy.py)."""
    with FaultProxy(registries["open"].address) as running:
        yield running


@dataclass
class ReferrersRegistry:
    """go-containerregistry's in-memory registry with the referrers API, behind a proxy that
    adds the ``OCI-Subject`` header it leaves out (see ``FaultProxy``)."""

    address: str
    proxy: FaultProxy


@pytest.fixture(scope="session")
def referrers_registry(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ReferrersRegistry]:
    log = tmp_path_factory.mktemp("referrers-registry") / "registry.log"
    with open(log, "wb") as log_file:
        process = subprocess.Popen(
            [tool("referrers-registry"), f"127.0.0.1:{_free_port()}"],
            stdout=subprocess.PIPE, stderr=log_file, text=True,
        )  # fmt: skip
    try:
        assert process.stdout is not None
        # It prints this line once it listens.
        line = process.stdout.readline()
        if not line.startswith("serving http://"):
            raise RuntimeError(f"referrers-registry did not start: {line}{log.read_text()}")
        upstream = line.strip().removeprefix("serving http://").rstrip("/")
        with FaultProxy(upstream, oci_subject=True) as front:
            yield ReferrersRegistry(front.address, front)
    finally:
        process.kill()
        process.wait()
