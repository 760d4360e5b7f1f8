"""``ocikit pull --config PATH[:TYPE]`` (ORAS's ``pull --config``, issue 13): the manifest's
config blob is written to PATH under the output directory, as ORAS writes it, only when its media
type is the one asked for; unsafe paths and -k on an existing file are refused before anything
is downloaded."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry, chdir, tool

CONFIG_TYPE = "application/vnd.example.thing.config.v1+json"
CONFIG = b'{"name": "thing", "version": 1}\n'


@pytest.fixture
def open_registry(registries: dict[str, Registry]) -> Registry:
    return registries["open"]


def _push_with_config(ocikit: Any, registry: Registry, tmp_path: Path, ref: str) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.txt").write_text("a\n")
    (source / "config.json").write_bytes(CONFIG)
    with chdir(source):
        ocikit("push", ref, "a.txt:text/plain", "--config", f"config.json:{CONFIG_TYPE}",
               "--plain-http")  # fmt: skip


def test_pull_config_writes_the_config_blob(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    ref = f"{open_registry.address}/cli/pull-config:v1"
    _push_with_config(ocikit, open_registry, tmp_path, ref)

    out = tmp_path / "out"
    run = ocikit("pull", ref, "-o", str(out), "--plain-http", "--config", "meta/config.json")
    assert (out / "meta" / "config.json").read_bytes() == CONFIG
    assert (out / "a.txt").read_text() == "a\n"
    assert "Pulled config meta/config.json" in run.out.splitlines()

    # The same file as ORAS's pull --config writes.
    oras_out = tmp_path / "oras"
    oras_out.mkdir()
    subprocess.run(
        [tool("oras"), "pull", ref, "--plain-http", "-o", str(oras_out), "--config",
         "meta/config.json"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert (oras_out / "meta" / "config.json").read_bytes() == CONFIG

    # Without --config, no config file.
    plain = tmp_path / "plain"
    ocikit("pull", ref, "-o", str(plain), "--plain-http")
    assert sorted(p.name for p in plain.iterdir()) == ["a.txt"]


def test_pull_config_with_a_media_type(
    ocikit: Any, open_registry: Registry, tmp_path: Path
) -> None:
    ref = f"{open_registry.address}/cli/pull-config-type:v1"
    _push_with_config(ocikit, open_registry, tmp_path, ref)

    same = tmp_path / "same"
    ocikit("pull", ref, "-o", str(same), "--plain-http", "--config", f"c.json:{CONFIG_TYPE}")
    assert json.loads((same / "c.json").read_bytes()) == {"name": "thing", "version": 1}

    # Another media type than the config's: the config is not written (as in ORAS).
    other = tmp_path / "other"
    run = ocikit("pull", ref, "-o", str(other), "--plain-http", "--config", "c.json:text/plain")
    assert sorted(p.name for p in other.iterdir()) == ["a.txt"]
    assert not any(line.startswith("Pulled config") for line in run.out.splitlines())


@pytest.mark.parametrize("path", ["../outside.json", "/tmp/abs-config.json"])
def test_pull_config_path_leaving_the_output_is_refused(
    ocikit: Any, open_registry: Registry, tmp_path: Path, path: str
) -> None:
    ref = f"{open_registry.address}/cli/pull-config-unsafe:v1"
    _push_with_config(ocikit, open_registry, tmp_path, ref)
    out = tmp_path / "out"
    run = ocikit("pull", ref, "-o", str(out), "--plain-http", "--config", path, check=False)
    assert run.status != 0
    assert run.err.startswith("error[")
    assert not out.exists()  # refused before anything was downloaded
    assert not (tmp_path / "outside.json").exists()


def test_pull_config_keep_old_files(ocikit: Any, open_registry: Registry, tmp_path: Path) -> None:
    ref = f"{open_registry.address}/cli/pull-config-keep:v1"
    _push_with_config(ocikit, open_registry, tmp_path, ref)
    out = tmp_path / "out"
    out.mkdir()
    (out / "config.json").write_text("mine\n")
    run = ocikit(
        "pull", ref, "-o", str(out), "--plain-http", "--config", "config.json", "-k",
        check=False,
    )  # fmt: skip
    assert run.status != 0
    assert run.err.startswith("error[PATH_UNSAFE]")
    assert (out / "config.json").read_text() == "mine\n"
    assert not (out / "a.txt").exists()
    # Without -k the config replaces the file, as a pulled file would.
    ocikit("pull", ref, "-o", str(out), "--plain-http", "--config", "config.json")
    assert (out / "config.json").read_bytes() == CONFIG
