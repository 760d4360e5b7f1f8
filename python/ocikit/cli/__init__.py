"""The ``ocikit`` command: a module per command group (``push``, ``pull``, ``manifest``…).

Each command module has ``add_arguments(parser)`` and ``run(args) -> int``, and is listed in
:data:`_COMMANDS`; adding a command is adding a module and a line there. Only the module of the
command being run is imported (``ocikit digest`` loads none of the registry commands), so the
command starts quickly. Exit status: 0 when everything succeeded, 1 when a file could not be
read or a registry could not be reached (``error[NETWORK_ERROR]``, ``error[TLS_ERROR]``,
``error[TIMEOUT]``), 2 when an input was rejected (printed as ``error[CODE]: message``) or the
command line was wrong — except ``validate``, whose status is the verdict: 0 valid, 1 invalid,
2 a usage or I/O error. No failure prints a traceback: one ocikit did not foresee is
``error[INTERNAL_ERROR]: …`` (status 1).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
import time
from collections.abc import Callable, Container, Sequence
from typing import NamedTuple, NoReturn, cast

from ocikit import OciError, __version__
from ocikit.cli._common import EXIT_IO, clean, print_error

__all__ = ["main", "run"]


class _Command(NamedTuple):
    """A command: its name and one-line help, and the module (of this package) that adds its
    arguments (``add``) and runs it (``run``). (A NamedTuple, not a dataclass: dataclasses
    imports inspect, a few ms of every command's start.)"""

    name: str
    help: str
    module: str
    add: str = "add_arguments"
    run: str = "run"
    aliases: tuple[str, ...] = ()
    # Where ORAS names it differently, or has no such command: said at the end of --help.
    oras: str | None = None


_COMMANDS: list[_Command] = [
    _Command(
        "digest",
        "print the digest and size of files",
        "digest",
        oras="ORAS has no such command (oras blob push --descriptor prints a file's digest as "
        "it uploads it)",
    ),
    _Command(
        "media-type",
        "parse and lint media type names against RFC 6838 and the artifact naming convention",
        "media_type",
        oras="ORAS has no such command",
    ),
    _Command(
        "push",
        "pack files into an artifact and push it to a registry or an OCI image layout "
        "(ORAS's flags)",
        "push",
    ),
    _Command(
        "pull",
        "write the files of an artifact in a registry or an OCI image layout to a directory",
        "pull",
    ),
    _Command("attach", "push an artifact that refers to another (a signature, an SBOM…)", "attach"),
    _Command("discover", "show what refers to an artifact", "discover"),
    _Command("tag", "tag a manifest", "tag"),
    _Command("resolve", "print the digest of a tag", "resolve"),
    _Command(
        "copy",
        "copy an artifact between repositories, registries and layouts",
        "copy",
        aliases=("cp",),
        oras="ORAS: oras cp (ocikit cp is the same command)",
    ),
    _Command("manifest", "fetch, push or delete manifests", "manifest"),
    _Command(
        "backup",
        "back up artifacts with their referrers into an OCI image layout directory or tar",
        "backup",
        "add_backup_arguments",
        "run_backup",
    ),
    _Command(
        "restore",
        "restore artifacts from an OCI image layout directory or tar to a registry",
        "backup",
        "add_restore_arguments",
        "run_restore",
    ),
    _Command("blob", "fetch or push blobs", "blob"),
    _Command("repo", "list a registry's repositories or a repository's tags", "repo"),
    _Command(
        "login",
        "check and save registry credentials",
        "auth",
        "add_login_arguments",
        "run_login",
    ),
    _Command(
        "logout",
        "forget saved registry credentials",
        "auth",
        "add_logout_arguments",
        "run_logout",
    ),
    _Command(
        "validate",
        "validate a manifest, index, descriptor, config or oci-layout file",
        "validate",
        oras="ORAS has no such command",
    ),
    _Command(
        "doctor",
        "probe what a registry can do, next to the quirks its profile knows, with their sources",
        "doctor",
        oras="ORAS has no such command",
    ),
    _Command(
        "types",
        "list the artifact type catalog, or check an artifact type definition",
        "artifact_types",
        oras="ORAS has no such command",
    ),
    _Command("version", "print ocikit's version and platform", "version"),
    _Command(
        "completion",
        "print a shell completion script (bash, zsh or fish)",
        "completion",
    ),
]


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit status."""
    return _main(argv, exiting=False)


def run() -> NoReturn:
    """The ``ocikit`` command (and ``python -m ocikit.cli``): this process's command line, then
    exit with its status."""
    sys.exit(_main(None, exiting=True))


def _main(argv: Sequence[str] | None, *, exiting: bool) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Text a terminal's encoding cannot show is escaped, never an error.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_named(argv)
    # A command line that starts with a known command parses with that command's parser
    # alone (the other commands' parsers, listed by `ocikit --help` and an unknown command's
    # error, would only cost the start-up their building: about 1.7 ms of `ocikit pull`).
    alone = bool(argv) and argv[0] == command and command in _NAMES
    parser = _parser(() if command is None else (command,), only=alone)
    args, extra = parser.parse_known_args(argv)
    if extra:
        # `push` takes files after options too (`push DIR a.txt --artifact-type T b.txt`), as
        # ORAS does; argparse leaves the ones after an option over.
        if not hasattr(args, "files") or any(arg.startswith("-") for arg in extra):
            failed: argparse.ArgumentParser = getattr(args, "command_parser", parser)
            failed.error(f"unrecognized arguments: {' '.join(extra)}")
        args.files.extend(extra)
    if exiting:
        # The process exits after this command. What exists now (modules, classes, functions,
        # the parser: made by the imports, alive to the end) goes out of the cyclic collector's
        # sight, so its collections while the command runs, and the interpreter's at exit, walk
        # only what the command makes (which they still collect): the exit after a pull of 500
        # files takes 7 ms instead of 17. Not in main(): a caller goes on, and what it has now
        # would never be collected.
        gc.freeze()
    try:
        status: int = _within_timeout(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`ocikit … | head`): send the rest of the output nowhere, as the
        # Python documentation recommends, so that the interpreter does not fail at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_IO
    except KeyboardInterrupt:
        return 130
    except OciError as error:
        return print_error(error)
    except Exception as error:  # noqa: BLE001 - the last resort: never a traceback
        return _internal(error)
    return status


def _within_timeout(args: argparse.Namespace) -> int:
    """Runs the command; ``--timeout`` is the deadline of all of its registry work (every
    client, every transfer), not of each request; ``--registry-config`` is the credentials
    file of all of it."""
    with contextlib.ExitStack() as stack:
        registry_config = getattr(args, "registry_config", None)
        if registry_config is not None:
            from ocikit._credentials import CONFIG_FILE

            from pathlib import Path

            stack.callback(CONFIG_FILE.reset, CONFIG_FILE.set(Path(registry_config)))
        seconds = getattr(args, "timeout", None)
        if seconds:
            from ocikit._http import _DEADLINE  # here: commands without a registry skip http

            stack.callback(_DEADLINE.reset, _DEADLINE.set(time.monotonic() + seconds))
        return cast(int, args.run(args))


def _internal(error: BaseException) -> int:
    """Prints a failure ocikit did not foresee as one coded line, without a traceback (set
    ``OCIKIT_TRACEBACK=1`` to see it)."""
    if os.environ.get("OCIKIT_TRACEBACK"):
        import traceback

        traceback.print_exception(error)
    reason = clean(str(error), newlines=False)[:500]
    print(
        f"error[INTERNAL_ERROR]: ocikit failed unexpectedly ({type(error).__name__}: {reason}); "
        "please report it",
        file=sys.stderr,
    )
    return EXIT_IO


def _parser(
    selected: Container[str] | None = None, *, only: bool = False
) -> argparse.ArgumentParser:
    """The command line's parser. Only the commands in ``selected`` (default: all) get their
    arguments, which imports their modules; the others are listed by name and help, or with
    ``only`` left out (for a command line that names its command first: its parse and its
    errors are the same without them)."""
    parser = argparse.ArgumentParser(
        prog="ocikit",
        description="Author OCI registry artifacts: digests, media types, manifests.",
    )
    parser.add_argument("--version", action="version", version=f"ocikit {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        names = (command.name, *command.aliases)
        chosen = selected is None or any(name in selected for name in names)
        if only and not chosen:
            continue
        sub = commands.add_parser(
            command.name,
            aliases=list(command.aliases),
            help=command.help,
            description=command.help,
            epilog=command.oras,
        )
        if chosen:
            module = importlib.import_module(f"ocikit.cli.{command.module}")
            add_arguments = cast(
                Callable[[argparse.ArgumentParser], None], getattr(module, command.add)
            )
            add_arguments(sub)
            sub.set_defaults(run=getattr(module, command.run))
            _know_parser(sub)
    return parser


_NAMES = frozenset(name for command in _COMMANDS for name in (command.name, *command.aliases))


def _know_parser(parser: argparse.ArgumentParser) -> None:
    """Records in each (sub)command's defaults its own parser, so that an error found after
    parsing (an unknown flag) prints that command's usage, not ``ocikit``'s."""
    parser.set_defaults(command_parser=parser)
    for child in subcommands(parser).values():
        _know_parser(child)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommands of ``parser`` by name (aliases included)."""
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # argparse offers no public way to walk a parser
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (``ocikit`` itself
    takes no option with a value)."""
    return next((arg for arg in argv if not arg.startswith("-")), None)
