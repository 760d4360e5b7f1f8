"""Fixtures of the hostile suite: the hostile registry and the attacker (one set for the whole
session, with a self-signed certificate made by openssl for its HTTPS side), the idle size of
each surface's process, and a sandbox per case (sandbox.py).

Missing pieces (the Python package, the npm package, node, openssl) are failures, never skips:
`make test-hostile` builds what the suite needs first.
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from drivers import CLI, NODE, PYTHON, ROOT, run_measured  # noqa: E402
from hostile_server import HostileRegistry  # noqa: E402
from sandbox import Sandbox, write_results  # noqa: E402


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    write_results()


# The registry ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for 127.0.0.1, 127.0.0.2, ::1 and localhost (its own CA)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is not installed (apt-get install openssl)")
    directory = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
            "-subj",
            "/CN=hostile-registry",
            "-addext",
            "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:::1,DNS:localhost",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
    )
    return directory


@pytest.fixture(scope="session")
def hostile(certificate: Path) -> Iterator[HostileRegistry]:
    for needed, how in (
        (PYTHON, "make python"),
        (CLI, "make python"),
        (ROOT / "bindings-wasm" / "pkg" / "node.js", "make wasm"),
    ):
        if not needed.exists():
            pytest.fail(f"{needed} is missing: run {how} (make test-hostile does)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    registry = HostileRegistry(context).start()
    registry.ca_file = str(certificate / "cert.pem")  # type: ignore[attr-defined]
    yield registry
    registry.stop()


@pytest.fixture(scope="session")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """Peak RSS (MiB) of each surface's process doing nothing: the bound of a case is above it."""
    directory = tmp_path_factory.mktemp("baseline")
    node_import = (
        "import('" + (ROOT / "bindings-wasm" / "pkg" / "node.js").as_uri() + "').then(() => 0)"
    )
    argv = {
        "cli": [str(CLI), "--version"],
        "python": [str(PYTHON), "-c", "import ocikit, json, ssl"],
        "python-async": [str(PYTHON), "-c", "import ocikit, json, ssl, asyncio, httpx"],
        "js": [NODE, "-e", node_import],
    }
    result = {}
    for surface, command in argv.items():
        measured = run_measured(
            command,
            env=dict(os.environ),
            cwd=directory,
            hard_limit=60,
            watch=directory,
            stdout_path=directory / f"{surface}.out",
        )
        result[surface] = measured.rss_mb
    return result


# Sandboxes ---------------------------------------------------------------------------------


@pytest.fixture()
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path / "case")
    yield box
    box.remove()
