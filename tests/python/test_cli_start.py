"""The ``ocikit`` command's start-up cuts (issue 12) change nothing a user sees: a command line
that names a known command first is parsed by that command's parser alone, with the same output
and status as with every command's parser; ``ocikit pull`` loads no packing
or layout module, nor dataclasses or tempfile."""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
from collections.abc import Container
from pathlib import Path

import pytest

import ocikit.cli
from ocikit.cli import _parser, main, subcommands

# Command lines whose parse ends in help, a usage error or a run that needs no registry.
COMMAND_LINES = [
    ["push"],
    ["pull"],
    ["cp"],
    ["copy", "a"],
    ["pull", "--bogus", "x"],
    ["pull", "x", "y"],
    ["push", "-h"],
    ["cp", "--help"],
    ["pull", "-h"],
    ["push", "r", "--bogus"],
    ["push", "r", "-x", "f"],
    ["manifest"],
    ["manifest", "fetch"],
    ["manifest", "zz"],
    ["blob", "fetch", "-h"],
    ["digest", "/nonexistent/file"],
    ["digest"],
    ["media-type", "text/plain"],
    ["version"],
    ["login"],
    ["logout", "--bogus"],
    ["tag"],
    ["repo", "ls"],
    ["validate"],
    ["completion", "bash"],
    # Not a command first: the whole parser, as before.
    ["pul", "x"],
    ["-h"],
    ["--version"],
    ["--bogus", "push"],
    [],
]


def _outcome(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[object, str, str]:
    try:
        status: object = main(list(argv))
    except SystemExit as done:
        status = done.code
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("argv", COMMAND_LINES, ids=" ".join)
def test_one_command_parser_says_what_all_of_them_say(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps usage to the terminal's width
    alone = _outcome(argv, capsys)

    def every_command(
        selected: Container[str] | None = None, *, only: bool = False
    ) -> argparse.ArgumentParser:
        return _parser(selected)  # the parser as it was: every command listed

    monkeypatch.setattr(ocikit.cli, "_parser", every_command)
    assert alone == _outcome(argv, capsys)


def test_a_command_named_first_gets_its_parser_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []

    def recording(
        selected: Container[str] | None = None, *, only: bool = False
    ) -> argparse.ArgumentParser:
        asked.append(only)
        return _parser(selected, only=only)

    monkeypatch.setattr(ocikit.cli, "_parser", recording)
    for argv in (["pull", "-h"], ["cp", "-h"], ["-h"], ["pul"], ["--version", "pull"]):
        with pytest.raises(SystemExit):
            main(argv)
    assert asked == [True, True, False, False, False]
    assert list(subcommands(_parser(("pull",), only=True))) == ["pull"]
    assert list(subcommands(_parser(("cp",), only=True))) == ["copy", "cp"]
    assert len(subcommands(_parser(("pull",)))) == len(subcommands(_parser()))


def modules_after(code: str) -> list[str]:
    """The modules loaded once ``code`` has run in a new interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(sorted(sys.modules), file=sys.stderr)"],
        capture_output=True, text=True, timeout=60, check=True, cwd=Path(__file__).parent,
    )  # fmt: skip
    loaded: list[str] = ast.literal_eval(done.stderr.strip().splitlines()[-1])
    return loaded


def test_pull_loads_no_packing_module() -> None:
    loaded = modules_after(
        "from ocikit.cli import main\ntry:\n    main(['pull', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert "ocikit.cli.pull" in loaded
    assert "ocikit.cli._packing" not in loaded


# What `ocikit pull` starts without: packing and layouts (their dataclasses import inspect, ast
# and dis) and tempfile, which only directories and layouts need: about a tenth of the
# command's start. (argparse imports shutil for the terminal's width whatever the command.)
NOT_FOR_PULL = ["ocikit._pack", "ocikit._layout", "dataclasses", "inspect", "tempfile"]


def test_pull_starts_without_packing_layouts_or_dataclasses() -> None:
    loaded = modules_after("from ocikit.cli import _parser\n_parser(('pull',)).parse_args(['pull', 'r/x:v1'])")
    assert "ocikit.cli.pull" in loaded
    assert [name for name in NOT_FOR_PULL if name in loaded] == []


def test_the_command_freezes_what_its_imports_made_and_main_does_not(tmp_path: Path) -> None:
    """The ``ocikit`` command (``run``) hides what exists before its command runs from the
    cyclic collector, so the collections at exit are short; ``main([...])``, which a caller
    goes on after, hides nothing. The output is the same either way."""
    file = tmp_path / "hello.txt"
    file.write_bytes(b"hello\n")
    show = "import atexit, gc, sys\natexit.register(lambda: print(gc.get_freeze_count(), file=sys.stderr))\n"
    runs = {
        "run": show + f"sys.argv = ['ocikit', 'digest', {str(file)!r}]\nfrom ocikit.cli import run\nrun()",
        "main": show + f"from ocikit.cli import main\nsys.exit(main(['digest', {str(file)!r}]))",
    }  # fmt: skip
    done = {
        name: subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
        for name, code in runs.items()
    }
    expected = f"{ocikit.digest(file.read_bytes())}  6  {file}\n"
    assert done["run"].stdout == done["main"].stdout == expected
    assert int(done["run"].stderr.split()[-1]) > 1000  # the modules, classes and functions
    assert int(done["main"].stderr.split()[-1]) == 0
