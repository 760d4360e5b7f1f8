"""Every code sample of the documentation site (docs/src) runs, page by page, in order.

A page's ```python blocks run in one namespace (a later block uses what an earlier one made),
its ```sh blocks run line by line with bash, both in a scratch directory holding a copy of
examples/, against a docker-registry started for the session as tests/registry starts it:
the pages' `localhost:5000` is replaced by its address. A failing command or a raised exception
fails the page. ```js blocks run in tests/js/docs-samples.test.mjs; blocks in other languages
(```text, ```yaml, ```json…) are shown, not run, but a ```json block must parse.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted((REPO / "docs" / "src").rglob("*.md"))
FENCE = re.compile(r"^```([A-Za-z]*)[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
RUN = ("python", "sh")


def _registry_helpers() -> Any:
    """tests/registry/conftest.py, under its own name (it starts docker-registry)."""
    spec = importlib.util.spec_from_file_location("registry_conftest", REPO / "tests/registry/conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def blocks(page: Path) -> list[tuple[str, str]]:
    """(language, code) of each fenced block of ``page``, in order."""
    return [(language, code) for language, code in FENCE.findall(page.read_text(encoding="utf-8"))]


@pytest.fixture(scope="session")
def registry_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    registry = _registry_helpers()._start("open", tmp_path_factory.mktemp("docs-registry"))
    try:
        yield registry.address
    finally:
        registry.stop()


def test_the_guide_has_samples_in_every_language() -> None:
    guide = REPO / "docs/src/guide/author-an-artifact-type.md"
    languages = {language for language, _ in blocks(guide)}
    assert {"python", "sh", "js"} <= languages, languages


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(REPO / "docs/src")))
def test_page_samples_run(page: Path, registry_address: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / ".docker"))  # never the user's credentials
    # The `ocikit` command of the interpreter running the tests comes first on PATH.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    for number, (language, code) in enumerate(blocks(page), start=1):
        where = f"{page.relative_to(REPO)} block {number} ({language})"
        if language == "json":
            json.loads(code)
            continue
        if language not in RUN:
            continue
        code = code.replace("localhost:5000", registry_address)
        if language == "python":
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    exec(compile(code, where, "exec"), namespace)  # noqa: S102
                except Exception as error:  # noqa: BLE001 - reported with the sample
                    pytest.fail(f"{where} raised {error!r}:\n{code}")
        else:
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", code],
                cwd=tmp_path, capture_output=True, text=True, timeout=120,
                env={**os.environ, "PATH": path},
            )  # fmt: skip
            assert result.returncode == 0, f"{where} failed:\n{code}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
