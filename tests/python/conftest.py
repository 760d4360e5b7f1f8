"""Shared fixtures: the cross-language vectors of tests/vectors/ and the installed CLI."""

from __future__ import annotations

import json
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
