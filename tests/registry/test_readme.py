"""The README's registry snippets (```python registry and ```sh registry blocks) run against a
live registry in every auth mode, with `localhost:5000` replaced by its address.

The plain ```python and ```sh blocks run in tests/python (they need no registry).
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    fence = re.compile(rf"^```{language} registry[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
    return fence.findall(README)


def test_readme_python_registry_snippets(registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks("python")
    assert blocks, "README.md has a ```python registry block"
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        code = block.replace("localhost:5000", registry.address)
        # The snippet's client gets this registry's credentials (None when it is open).
        code = code.replace("plain_http=True)", "plain_http=True, credentials=CREDENTIALS)")
        output = io.StringIO()
        namespace: dict[str, Any] = {"__name__": "__readme__", "CREDENTIALS": registry.credentials}
        with contextlib.redirect_stdout(output):
            exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
        assert "application/vnd.example.review.v1" in output.getvalue()


def test_readme_cli_registry_snippets(registry: Registry, tmp_path: Path) -> None:
    commands = [
        line.strip()
        for block in _blocks("sh")
        for line in block.splitlines()
        if line.strip().startswith("ocikit ")
    ]
    assert len(commands) >= 5, "README.md shows registry commands"
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    ocikit = Path(sys.executable).parent / "ocikit"
    for command in commands:
        args = shlex.split(command.replace("localhost:5000", registry.address))[1:]
        result = subprocess.run(
            [str(ocikit), *args, *registry.auth], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    pulled = tmp_path / "pulled" / "examples" / "docsinmarkdown" / "overview.md"
    assert pulled.read_bytes() == (REPO / "examples/docsinmarkdown/overview.md").read_bytes()
