"""The ``ocikit`` command's ORAS-parity behaviour that needs no registry (issue 13): shell
completion that completes, usage errors that show the command's usage, help texts and messages
that say what to do, and the lazy start (only the chosen command's module is imported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ocikit


def run(cli: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli), *args], capture_output=True, text=True, timeout=60, cwd=cwd, stdin=subprocess.DEVNULL
    )


def _complete(script: str, line: str) -> list[str]:
    """What bash offers for ``line`` (the cursor at its end) with the completion ``script``."""
    program = (
        f"{script}\n"
        'read -ra COMP_WORDS <<<"$LINE"\n'
        '[[ "$LINE" == *" " ]] && COMP_WORDS+=("")\n'
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
        "_ocikit\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["bash", "--norc", "-c", program], env={"LINE": line, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=30, check=True, cwd="/",
    )  # fmt: skip
    return done.stdout.split()


def test_bash_completion_completes_commands_subcommands_and_flags(ocikit_cli: Path) -> None:
    script = run(ocikit_cli, "completion", "bash").stdout
    assert script.rstrip().endswith("complete -o default -F _ocikit ocikit")
    assert _complete(script, "ocikit ma") == ["manifest"]
    assert _complete(script, "ocikit c") == ["copy", "cp", "completion"]
    assert _complete(script, "ocikit manifest ") == [
        "fetch", "get", "fetch-config", "push", "delete", "rm", "remove", "index"
    ]
    assert _complete(script, "ocikit manifest fetch --pr") == ["--pretty"]
    assert _complete(script, "ocikit repo show-tags --ex") == ["--exclude-digest-tags"]
    assert _complete(script, "ocikit pull --plain-http reg/x:v1 --inc") == ["--include-subject"]


def test_zsh_and_fish_completion(ocikit_cli: Path) -> None:
    zsh = run(ocikit_cli, "completion", "zsh").stdout
    assert zsh.splitlines()[1] == "autoload -U +X bashcompinit && bashcompinit"
    assert "complete -o default -F _ocikit ocikit" in zsh
    fish = run(ocikit_cli, "completion", "fish").stdout.splitlines()
    assert (
        "complete -c ocikit -f -n __fish_use_subcommand -a manifest "
        "-d 'fetch, push or delete manifests'"
    ) in fish
    assert (
        "complete -c ocikit -n '__fish_seen_subcommand_from manifest; and "
        "__fish_seen_subcommand_from fetch' -l pretty"
    ) in fish
    bad = run(ocikit_cli, "completion", "tcsh")
    assert bad.returncode == 2 and "invalid choice: 'tcsh'" in bad.stderr


def test_unknown_flag_prints_the_commands_usage(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "manifest", "fetch", "reg.example/a:v1", "--bogus")
    assert result.returncode == 2
    assert result.stderr.startswith("usage: ocikit manifest fetch [-h]")
    assert result.stderr.endswith(
        "ocikit manifest fetch: error: unrecognized arguments: --bogus\n"
    )
    top = run(ocikit_cli, "resolve", "reg.example/a:v1", "--bogus")
    assert top.stderr.startswith("usage: ocikit resolve [-h]")


def test_validate_a_directory_says_what_validate_reads(ocikit_cli: Path, tmp_path: Path) -> None:
    result = run(ocikit_cli, "validate", str(tmp_path))
    assert (result.returncode, result.stderr) == (
        2,
        f"error: {tmp_path} is a directory: validate reads one document, a manifest, index, "
        "descriptor, config or oci-layout file\n",
    )
    (tmp_path / "index.json").write_text('{"schemaVersion": 2, "manifests": []}')
    layout = run(ocikit_cli, "validate", str(tmp_path))
    assert layout.stderr.endswith(
        f"file (this one looks like an image layout: {tmp_path / 'index.json'})\n"
    )


def test_help_texts(ocikit_cli: Path) -> None:
    pull = run(ocikit_cli, "pull", "--help").stdout
    assert "--chunk-size" not in pull  # pull uploads nothing (ORAS's pull has no such flag)
    push = " ".join(run(ocikit_cli, "push", "--help").stdout.split())
    assert (
        "Unlike ORAS, ocikit adds no org.opencontainers.image.created annotation by default"
    ) in push
    assert "-a org.opencontainers.image.created=$(date -u +%Y-%m-%dT%H:%M:%SZ)" in push
    assert "SOURCE_DATE_EPOCH" in push
    copy = run(ocikit_cli, "cp", "--help").stdout
    assert copy.startswith("usage: ocikit copy [-h]")  # cp is an alias of copy
    assert "ORAS: oras cp (ocikit cp is the same command)" in copy
    assert "ORAS has no such command" in run(ocikit_cli, "validate", "--help").stdout


def test_version_command(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "version")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0] == f"Version:        {ocikit.__version__}"


def test_only_the_chosen_command_is_imported() -> None:
    code = (
        "import sys; from ocikit.cli import main; main(['digest', '-']); "
        "print(sorted(m for m in sys.modules if m.startswith('ocikit.cli.')), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input="", capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    assert done.stderr.strip() == "['ocikit.cli._common', 'ocikit.cli.digest']"


def test_an_unknown_host_is_named(ocikit_cli: Path) -> None:
    # .invalid never resolves (RFC 6761): the message names the host the user typed.
    result = run(ocikit_cli, "resolve", "no-such-host.invalid/x/y:v1")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error[NETWORK_ERROR]: network error with no-such-host.invalid: HEAD "
        "https://no-such-host.invalid/v2/x/y/manifests/v1 failed: "
    )
