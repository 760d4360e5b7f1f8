"""The generated references cover what they document: every public name of ``ocikit``, every
export of the npm package's index.d.ts, every command of the ``ocikit`` parser has its entry in
the built site (docs/site, built by `make docs` before `make test-docs` runs this).

mkdocs --strict catches broken links; these catch an entry a generator left out without a
warning (an alias mkdocstrings could not resolve, an export typedoc skipped, a command module
the CLI reference did not load). The docstrings' doctest examples, which the Python reference
shows, run here too.
"""

from __future__ import annotations

import argparse
import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import ocikit
from ocikit.cli import _parser

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "docs" / "site"


def page(path: str) -> str:
    file = SITE / path
    if not file.exists():
        pytest.fail(f"{file} is missing: run make docs")
    return file.read_text(encoding="utf-8")


def ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def test_python_reference_has_every_public_name() -> None:
    documented = ids(page("reference/python.html"))
    missing = [
        name
        for name in ocikit.__all__
        if name != "__version__" and f"ocikit.{name}" not in documented
    ]
    assert not missing, f"reference/python.md does not document {missing}"


def test_javascript_reference_has_every_export() -> None:
    declarations = (REPO / "bindings-wasm/npm/index.d.ts").read_text(encoding="utf-8")
    exported = set(re.findall(r"^export (?:declare )?(?:function|class|interface|type|const|enum) (\w+)", declarations, re.MULTILINE))
    assert len(exported) > 50, "index.d.ts exports the package's API"
    documented = {anchor.lower() for anchor in ids(page("reference/javascript/index.html"))}
    missing = sorted(name for name in exported if name.lower() not in documented)
    assert not missing, f"typedoc left out {missing}"


def test_cli_reference_has_every_command() -> None:
    documented = ids(page("reference/cli.html"))

    def commands(parser: argparse.ArgumentParser, path: list[str]) -> list[str]:
        found = []
        for action in parser._actions:  # noqa: SLF001
            if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
                for choice in action._choices_actions:  # noqa: SLF001 - primary names, no aliases
                    found.append("-".join([*path, choice.dest]))
                    found += commands(action.choices[choice.dest], [*path, choice.dest])
        return found

    expected = commands(_parser(), ["ocikit"])
    assert len(expected) > 15
    missing = [anchor for anchor in expected if anchor not in documented]
    assert not missing, f"reference/cli.md has no section for {missing}"


def test_docstring_examples_run() -> None:
    """The doctest examples the Python reference shows (from the modules' docstrings) run."""
    examples = 0
    for info in pkgutil.walk_packages(ocikit.__path__, "ocikit."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, f"{info.name}: {result.failed} docstring examples failed"
        examples += result.attempted
    result = doctest.testmod(ocikit, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert examples + result.attempted > 0, "the docstrings have examples"
