"""Every `ocikit …` line of README.md's ```sh blocks runs and succeeds, in order.

They run in a scratch directory holding a copy of examples/, so they can create files there.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO

SH = re.compile(r"^```sh[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def _commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [line.strip() for block in SH.findall(text) for line in block.splitlines() if line.strip().startswith("ocikit ")]


def test_readme_cli_lines_run(tmp_path: Path) -> None:
    commands = _commands()
    assert len(commands) >= 5, "README.md shows the ocikit command"
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    ocikit = Path(sys.executable).parent / "ocikit"
    for command in commands:
        args = shlex.split(command)
        result = subprocess.run([str(ocikit), *args[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    assert (tmp_path / "pulled" / "examples" / "docsinmarkdown" / "overview.md").read_bytes() == (
        REPO / "examples/docsinmarkdown/overview.md"
    ).read_bytes()
