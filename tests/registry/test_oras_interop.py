"""Interop with the ORAS CLI through a real registry, both ways: what ocikit pushes, ORAS pulls
byte for byte (and discovers what ocikit attached); what ORAS pushes, ocikit pulls."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import Registry, chdir, tool

TYPE = "application/vnd.example.interop.config.v1+json"
SIGNATURE = "application/vnd.example.signature.config.v1+json"


def _oras(registry: Registry, *args: str, cwd: Path) -> str:
    auth = ["-u", registry.auth[1], "-p", registry.auth[3]] if registry.auth else []
    result = subprocess.run(
        [tool("oras"), *args, "--plain-http", *auth],
        cwd=cwd, capture_output=True, text=True, timeout=120,
        env={**os.environ, "HOME": str(cwd)},  # no stray ORAS credentials
    )  # fmt: skip
    assert result.returncode == 0, f"oras {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(params=["open", "basic"])
def interop_registry(request: pytest.FixtureRequest, registries: dict[str, Registry]) -> Registry:
    return registries[request.param]


def test_ocikit_push_then_oras_pull_and_discover(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "guide.md").write_text("# guide\n")
    (work / "blob.bin").write_bytes(os.urandom(3 << 20))
    ref = f"{registry.address}/interop/from-ocikit:v1"
    remote = ("--plain-http", *registry.auth)
    with chdir(work):
        ocikit("push", ref, "docs/guide.md:text/markdown", "blob.bin", "--artifact-type", TYPE,
               "--chunk-size", str(1 << 20), *remote)  # fmt: skip
        attached = ocikit("attach", ref, "docs/guide.md", "--artifact-type", SIGNATURE, *remote)
    out = tmp_path / "oras-out"
    out.mkdir()
    _oras(registry, "pull", ref, "-o", str(out), cwd=tmp_path)
    assert (out / "docs" / "guide.md").read_bytes() == (work / "docs" / "guide.md").read_bytes()
    assert (out / "blob.bin").read_bytes() == (work / "blob.bin").read_bytes()
    discovered = _oras(registry, "discover", ref, "--format", "tree", cwd=tmp_path)
    assert attached.out.splitlines()[-1].removeprefix("Digest: ") in discovered
    assert SIGNATURE in discovered


def test_oras_push_then_ocikit_pull_and_discover(
    ocikit: Any, interop_registry: Registry, tmp_path: Path
) -> None:
    registry = interop_registry
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("from oras\n")
    (work / "big.bin").write_bytes(os.urandom(2 << 20))
    (work / "sig.txt").write_text("signed by oras\n")
    ref = f"{registry.address}/interop/from-oras:v1"
    _oras(
        registry, "push", ref, "notes.txt:text/plain", "big.bin", "--artifact-type", TYPE, cwd=work
    )
    _oras(registry, "attach", ref, "sig.txt", "--artifact-type", SIGNATURE, cwd=work)
    out = tmp_path / "ocikit-out"
    remote = ("--plain-http", *registry.auth)
    ocikit("pull", ref, "-o", str(out), *remote)
    for name in ("notes.txt", "big.bin"):
        assert (out / name).read_bytes() == (work / name).read_bytes()
    tree = ocikit("discover", ref, *remote).out
    assert f"└── {SIGNATURE}" in tree
