"""The ``ocikit`` console script, run as users run it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import ocikit

HELM = "application/vnd.cncf.helm.chart.config.v1+json"


def run(cli: Path, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli), *args], input=stdin.decode(), capture_output=True, text=True, timeout=60
    )


def test_version(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"ocikit {ocikit.__version__}"


def test_no_command_is_a_usage_error(ocikit_cli: Path) -> None:
    result = run(ocikit_cli)
    assert result.returncode == 2
    assert "usage: ocikit" in result.stderr


def test_help_lists_commands(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "--help")
    assert result.returncode == 0
    assert "digest" in result.stdout and "media-type" in result.stdout


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    paths = [tmp_path / "a.md", tmp_path / "empty"]
    paths[0].write_bytes(b"# Overview\n")
    paths[1].write_bytes(b"")
    return paths


def test_digest_text(ocikit_cli: Path, files: list[Path]) -> None:
    result = run(ocikit_cli, "digest", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{ocikit.digest(b'# Overview' + bytes([10]))}  11  {files[0]}",
        f"{ocikit.digest(b'')}  0  {files[1]}",
    ]
    assert result.stderr == ""


def test_digest_json_sha512(ocikit_cli: Path, files: list[Path]) -> None:
    result = run(ocikit_cli, "digest", "--algorithm", "sha512", "--format", "json", str(files[0]))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "path": str(files[0]),
            "digest": ocikit.digest(files[0].read_bytes(), "sha512"),
            "size": 11,
        }
    ]


def test_digest_stdin(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "digest", "-", stdin=b"{}")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{ocikit.digest(b'{}')}  2  -\n"


def test_digest_missing_file(ocikit_cli: Path, files: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = run(ocikit_cli, "digest", str(missing), str(files[0]))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {missing}: ")
    # The other files are still hashed.
    assert result.stdout.startswith(ocikit.digest(files[0].read_bytes()))


def test_digest_unknown_algorithm_is_a_usage_error(ocikit_cli: Path, files: list[Path]) -> None:
    result = run(ocikit_cli, "digest", "--algorithm", "md5", str(files[0]))
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_media_type_text(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", HELM, "text/plain")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith(HELM + "\n")
    for line in (
        "tree:       vnd",
        "org:        cncf",
        "objectType: helm",
        "subTypes:   chart",
        "role:       config",
        "version:    v1",
        "format:     json",
    ):
        assert f"  {line}\n" in out
    assert "\n\ntext/plain\n" in out
    assert "warning[MEDIA_TYPE_NOT_VENDOR]: " in out


def test_media_type_role(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "--role", "layer", HELM)
    assert result.returncode == 0
    assert "warning[MEDIA_TYPE_ROLE_MISMATCH]: " in result.stdout


def test_media_type_json(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "--format", "json", "--role", "config", HELM)
    assert result.returncode == 0, result.stderr
    [report] = json.loads(result.stdout)
    assert report == {
        "mediaType": HELM,
        "type": "application",
        "subtype": HELM.split("/")[1],
        "tree": "vnd",
        "suffix": "json",
        "specDefined": False,
        "artifact": {
            "org": "cncf",
            "objectType": "helm",
            "subTypes": ["chart"],
            "role": "config",
            "version": "v1",
            "format": "json",
        },
        "findings": [],
    }


def test_media_type_json_findings(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "--format", "json", "text/plain")
    [report] = json.loads(result.stdout)
    assert report["artifact"] is None
    assert [f["code"] for f in report["findings"]] == ["MEDIA_TYPE_NOT_VENDOR"]
    assert report["findings"][0]["severity"] == "warning"


def test_media_type_invalid(ocikit_cli: Path) -> None:
    result = run(ocikit_cli, "media-type", "text/plain; charset=utf-8", HELM)
    assert result.returncode == 2
    assert result.stderr.startswith("error[MEDIA_TYPE_INVALID]: ")
    assert "parameters are not allowed" in result.stderr
    assert result.stdout.startswith(HELM)  # the valid one is still reported


def test_main_is_callable_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    from ocikit.cli import main

    assert main(["media-type", "application/vnd.oci.empty.v1+json"]) == 0
    out = capsys.readouterr().out
    assert "defined by:" in out
