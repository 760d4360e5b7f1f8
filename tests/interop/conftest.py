"""Fixtures for the interoperability tests: real peer tools and a real registry.

`make test-interop` installs the tools first (scripts/tools.sh); a missing tool is a failure,
never a skip, so that CI cannot pass without having run these tests.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".cache" / "tools" / "bin"


def _tool(name: str) -> str:
    for candidate in (TOOLS / name, shutil.which(name)):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    pytest.fail(f"{name} is not installed: run scripts/tools.sh (make test-interop does)")


@pytest.fixture(scope="session")
def oras() -> str:
    return _tool("oras")


@pytest.fixture(scope="session")
def skopeo() -> str:
    return _tool("skopeo")


@pytest.fixture(scope="session")
def ocikit_cli() -> str:
    path = pathlib.Path(sys.executable).parent / "ocikit"
    if not path.exists():
        pytest.fail("the ocikit command is not installed in this environment: run make python")
    return str(path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A Debian docker-registry (CNCF distribution 2.8.2) on a free loopback port: host:port."""
    binary = _tool("docker-registry")
    root = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: 127.0.0.1:{port}\n"
    )
    log = open(root / "registry.log", "wb")
    process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://{address}/v2/", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"docker-registry did not start: {(root / 'registry.log').read_text()}")
                time.sleep(0.1)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def run(*args: str, cwd: pathlib.Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Runs a command, failing the test with its output if it exits non-zero."""
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result
