"""Shared fixtures: the cross-language vectors of tests/vectors/, the installed CLI, and a
self-signed certificate for TLS servers on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"


def load_vectors(name: str) -> Any:
    """One file of tests/vectors/, parsed."""
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def input_bytes(spec: dict[str, Any]) -> bytes:
    """The bytes a vector's ``input`` describes: ``{text}``, ``{hex}`` or ``{repeat}``."""
    if "text" in spec:
        return spec["text"].encode("utf-8")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    repeat = spec["repeat"]
    return bytes.fromhex(repeat["hex"]) * repeat["count"]


def case_id(case: dict[str, Any]) -> str:
    return str(case["name"])


@pytest.fixture(scope="session")
def ocikit_cli() -> Path:
    """The ``ocikit`` console script installed next to the interpreter running the tests."""
    path = Path(sys.executable).parent / "ocikit"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make python` to install ocikit into .venv")
    return path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for 127.0.0.1 (``cert.pem``, ``key.pem``)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    directory = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    return directory
