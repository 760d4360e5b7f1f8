"""Every ```python block of README.md runs (STYLE.md: every README snippet runs in CI)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from conftest import REPO

README = REPO / "README.md"
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[str]:
    if not README.exists():
        return []
    return FENCE.findall(README.read_text(encoding="utf-8"))


def test_readme_has_python_examples() -> None:
    if not README.exists():
        pytest.skip("README.md does not exist yet")
    assert _blocks(), "README.md has no ```python block"


@pytest.mark.parametrize("block", _blocks(), ids=lambda block: block.strip().splitlines()[-1][:40])
def test_readme_block_runs(block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # snippets may name files of the repository, e.g. examples/
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(block, str(README), "exec"), {"__name__": "__readme__"})  # noqa: S102
