"""Directories both ways between ocikit and its peers, against docker-registry.

A directory pushed by ocikit (CLI and Python) unpacks identically — file bytes, executable bits,
symbolic links, empty directories — with the ORAS CLI and with oras-py; a directory pushed by the
ORAS CLI and by oras-py unpacks identically with ocikit (CLI and Python). ocikit's layer is
also the same bytes twice and from the CLI and the Python API (reproducible).
"""

from __future__ import annotations

import json
import os
import pathlib
import stat
import subprocess
import sys

import pytest

from conftest import run

import ocikit


def make_tree(root: pathlib.Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "a.txt").write_text("hello\n")
    (root / "sub" / "deeper" / "x.bin").write_bytes(bytes(range(256)) * 40)
    script = root / "run.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    script.chmod(0o755)
    (root / "grüße.md").write_text("# ünïcödé\n")
    (root / "sub" / "up").symlink_to("../a.txt")


def snapshot(root: pathlib.Path) -> dict[str, tuple]:
    """What must survive a round trip: each path's kind, bytes, executable bit, link target."""
    seen: dict[str, tuple] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            seen[relative] = ("link", os.readlink(path))
        elif path.is_dir():
            seen[relative] = ("dir",)
        else:
            executable = bool(path.stat().st_mode & stat.S_IXUSR)
            seen[relative] = ("file", path.read_bytes(), executable)
    return seen


@pytest.fixture()
def work(tmp_path: pathlib.Path) -> pathlib.Path:
    make_tree(tmp_path / "mydir")
    return tmp_path


def oras_py(registry: str, script: str, cwd: pathlib.Path) -> None:
    """Runs oras-py (PyPI `oras`) in a child process, as its own program would."""
    code = f"import oras.client\nclient = oras.client.OrasClient(hostname={registry!r}, insecure=True)\n{script}"
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        pytest.fail(f"oras-py failed:\n{result.stdout}\n{result.stderr}")


def layer_of(oras: str, reference: str) -> dict:
    manifest = json.loads(run(oras, "manifest", "fetch", "--plain-http", reference).stdout)
    assert len(manifest["layers"]) == 1
    return manifest["layers"][0]


def test_ocikit_directories_unpack_identically_with_oras_and_oras_py(
    work: pathlib.Path, registry: str, oras: str, ocikit_cli: str
) -> None:
    reference = f"{registry}/interop/dir:ocikit"
    run(ocikit_cli, "push", "--plain-http", reference, "mydir", cwd=work)
    layer = layer_of(oras, reference)
    assert layer["mediaType"] == "application/vnd.oci.image.layer.v1.tar+gzip"
    assert layer["annotations"]["org.opencontainers.image.title"] == "mydir"
    assert layer["annotations"]["io.deis.oras.content.unpack"] == "true"
    # Reproducible: the Python API and a second push give the same layer.
    file = ocikit.File.from_directory(work / "mydir")
    assert (file.digest, dict(file.annotations)["io.deis.oras.content.digest"]) == (
        layer["digest"],
        layer["annotations"]["io.deis.oras.content.digest"],
    )
    expected = snapshot(work / "mydir")

    run(oras, "pull", "--plain-http", reference, "-o", str(work / "by-oras"))
    assert snapshot(work / "by-oras" / "mydir") == expected

    oras_py(registry, f"client.pull(target={reference!r}, outdir='by-oras-py')", work)
    assert snapshot(work / "by-oras-py" / "mydir") == expected


def test_oras_cli_directories_unpack_identically_with_ocikit(
    work: pathlib.Path, registry: str, oras: str, ocikit_cli: str
) -> None:
    reference = f"{registry}/interop/dir:oras"
    run(oras, "push", "--plain-http", reference, "mydir", cwd=work)
    expected = snapshot(work / "mydir")

    run(ocikit_cli, "pull", "--plain-http", reference, "-o", str(work / "by-cli"))
    assert snapshot(work / "by-cli" / "mydir") == expected
    assert sorted(p.name for p in (work / "by-cli").iterdir()) == ["mydir"]

    with ocikit.Client(registry, plain_http=True) as client:
        client.pull(reference.split("/", 1)[1], work / "by-python")
    assert snapshot(work / "by-python" / "mydir") == expected


def test_oras_py_directories_unpack_identically_with_ocikit(
    work: pathlib.Path, registry: str, ocikit_cli: str
) -> None:
    reference = f"{registry}/interop/dir:oras-py"
    oras_py(registry, f"client.push(target={reference!r}, files=['mydir'])", work)
    expected = snapshot(work / "mydir")

    run(ocikit_cli, "pull", "--plain-http", reference, "-o", str(work / "by-cli"))
    assert snapshot(work / "by-cli" / "mydir") == expected

    with ocikit.Client(registry, plain_http=True) as client:
        client.pull(reference.split("/", 1)[1], work / "by-python")
    assert snapshot(work / "by-python" / "mydir") == expected


HOSTILE = json.loads((pathlib.Path(__file__).resolve().parents[1] / "vectors" / "archive" / "hostile.json").read_text())


@pytest.mark.parametrize("case", HOSTILE["cases"], ids=[c["file"].split("/")[-1] for c in HOSTILE["cases"]])
def test_ocikit_pull_refuses_a_hostile_directory_and_writes_nothing(
    tmp_path: pathlib.Path, registry: str, ocikit_cli: str, case: dict
) -> None:
    """Each hostile layer of hostile.json, pushed as a directory layer, ends `ocikit pull` in
    its code, with nothing written in the output directory or beside it."""
    archive = pathlib.Path(__file__).resolve().parents[1] / "vectors" / "archive" / case["file"]
    annotations = {"io.deis.oras.content.unpack": "true"}
    if "contentDigest" in case:
        annotations["io.deis.oras.content.digest"] = case["contentDigest"]
    layer = ocikit.File.from_path(
        archive, media_type="application/vnd.oci.image.layer.v1.tar+gzip", name=case["title"], annotations=annotations
    )
    tag = case["file"].split("/")[-1].removesuffix(".tar.gz")
    with ocikit.Client(registry, plain_http=True) as client:
        client.push(f"interop/hostile:{tag}", ocikit.pack([layer], artifact_type="application/vnd.example.dir.v1"))
    out = tmp_path / "out"
    out.mkdir()
    result = subprocess.run(
        [ocikit_cli, "pull", "--plain-http", f"{registry}/interop/hostile:{tag}", "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0, result.stdout
    assert f"error[{case['code']}]" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert list(out.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert not pathlib.Path("/tmp/ocikit-hostile-absolute").exists()
