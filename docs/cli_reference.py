"""Prints the command-line reference (Markdown) from the ``ocikit`` command's own argument parser,
so that the page lists exactly the commands and flags the installed CLI takes.

    .venv/bin/python docs/cli_reference.py > reference/cli.md

scripts/docs.sh runs it while staging the site. Each command and subcommand gets a section
(``## ocikit push``, ``### ocikit manifest fetch``) with its usage line, its description, its
positional arguments and its options (flags, value, choices, default, help) as argparse knows
them; options hidden with ``argparse.SUPPRESS`` stay hidden.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

os.environ["COLUMNS"] = "100"  # argparse wraps usage lines to the terminal: the same width everywhere

from ocikit import __version__  # noqa: E402
from ocikit.cli import _parser  # noqa: E402

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>|#])")


def escape(text: str) -> str:
    """``text`` as literal Markdown (one line: table cells cannot hold newlines)."""
    return _MARKDOWN.sub(r"\\\1", " ".join(text.split()))


def help_text(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    # argparse's own expansion of %(default)s, %(choices)s… in the help string.
    formatter = parser._get_formatter()  # noqa: SLF001 - argparse has no public form of it
    return formatter._expand_help(action) if action.help else ""  # noqa: SLF001


def argument_row(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    if action.option_strings:
        name = ", ".join(f"`{option}`" for option in action.option_strings)
        if action.nargs != 0:
            name += f" `{parser._get_formatter()._format_args(action, action.dest.upper())}`"  # noqa: SLF001
    else:
        name = f"`{action.metavar or action.dest}`"
    details = [escape(help_text(parser, action))]
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
        details.append("one of " + ", ".join(f"`{choice}`" for choice in action.choices))
    if action.required and action.option_strings:
        details.append("required")
    return f"| {name} | {'; '.join(d for d in details if d)} |"


def section(parser: argparse.ArgumentParser, path: list[str], level: int, out: list[str]) -> None:
    title = " ".join(path)
    out += [f"{'#' * level} {title}", ""]
    if parser.description:
        out += [escape(parser.description), ""]
    usage = parser.format_usage().strip().removeprefix("usage: ")
    out += ["```text", usage, "```", ""]
    actions = [a for a in parser._actions if a.help != argparse.SUPPRESS]  # noqa: SLF001
    subcommands = [a for a in actions if isinstance(a, argparse._SubParsersAction)]  # noqa: SLF001
    positionals = [a for a in actions if not a.option_strings and a not in subcommands]
    options = [a for a in actions if a.option_strings and not isinstance(a, argparse._HelpAction)]  # noqa: SLF001
    if positionals:
        out += ["| argument | meaning |", "| --- | --- |"]
        out += [argument_row(parser, a) for a in positionals]
        out.append("")
    if options:
        out += ["| option | meaning |", "| --- | --- |"]
        out += [argument_row(parser, a) for a in options]
        out.append("")
    for group in subcommands:
        # A command's aliases (ORAS's `cp`, `manifest get`…) name the same parser: one section.
        helps = {choice.dest: choice.help for choice in group._choices_actions}  # noqa: SLF001
        names: dict[int, list[str]] = {}
        for name, sub in group.choices.items():
            names.setdefault(id(sub), []).append(name)
        out += ["| command | what it does |", "| --- | --- |"]
        for name, *aliases in names.values():
            anchor = "-".join([*path, name]).replace(" ", "-")
            also = f" (alias {', '.join(f'`{alias}`' for alias in aliases)})" if aliases else ""
            out.append(f"| [`{name}`](#{anchor}){also} | {escape(helps.get(name) or '')} |")
        out.append("")
        for name, *_aliases in names.values():
            section(group.choices[name], [*path, name], min(level + 1, 4), out)


def main() -> None:
    out = [
        "# Command line",
        "",
        f"The `ocikit` command (version {__version__}), generated from its argument parser by",
        "`docs/cli_reference.py`. It takes ORAS's commands and flags; `ocikit COMMAND --help` prints",
        "the same text. Exit status: 0 success, 1 a registry could not be reached or a file not",
        "read, 2 an input was rejected (`error[CODE]: message`) or the command line was wrong;",
        "`validate`'s status is its verdict (0 valid, 1 invalid, 2 unreadable).",
        "",
    ]
    section(_parser(), ["ocikit"], 2, out)
    sys.stdout.write("\n".join(out).rstrip("\n") + "\n")


if __name__ == "__main__":
    main()
