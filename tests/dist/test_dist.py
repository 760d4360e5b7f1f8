"""What a release publishes (dist/, built by `make dist`) installs and works away from the source
tree: each wheel and the sdist go into a clean virtual environment, the npm tarball into a
scratch npm project, each in a temporary directory, and the README's examples run there — the
same blocks tests/python/test_readme.py, tests/python/test_readme_cli.py, tests/registry/
test_readme.py and tests/js (readme.test.mjs, client.test.mjs) run against the development
build: every ```python and ```js block (the `registry` ones against a docker-registry started
here, `localhost:5000` replaced by its address), and every `ocikit …` line of the ```sh blocks.

Installs use no network: pip with --no-index from dist/ and .cache/dist-wheels (maturin for the
sdist's build, httpx for ocikit[async]; scripts/dist.sh fills it), npm with --offline. The
examples run with the venv's interpreter and `ocikit` command, from the temporary directory
(holding a copy of examples/), without PYTHONPATH; each checks that ocikit was imported from
the venv. The sdist's install compiles the Rust extension from the sdist alone (about a
minute on two cores, CARGO_NET_OFFLINE with the crates cargo already fetched).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DIST = REPO / "dist"
WHEEL_CACHE = REPO / ".cache" / "dist-wheels"
README = (REPO / "README.md").read_text(encoding="utf-8")
NPM_README = (REPO / "bindings-wasm" / "npm" / "README.md").read_text(encoding="utf-8")
VERSION = re.search(r'^version = "([^"]+)"', (REPO / "Cargo.toml").read_text(), re.MULTILINE)[1]  # type: ignore[index]


def fenced(markdown: str, language: str) -> list[str]:
    """The ```LANGUAGE and ```LANGUAGE registry blocks, in order (as the README tests read them)."""
    fence = re.compile(rf"^```{language}(?:[ \t]+registry)?[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
    return fence.findall(markdown)


def one(pattern: str) -> Path:
    found = sorted(DIST.glob(pattern))
    assert len(found) == 1, f"dist/ should hold one {pattern} (make dist builds it): {found}"
    return found[0]


def find_python(version: str) -> str | None:
    """``pythonX.Y`` on PATH, or one pyenv installed (as scripts/dist.sh finds them)."""
    if version == f"{sys.version_info.major}.{sys.version_info.minor}":
        return sys.executable  # (a venv's python makes venvs of its base interpreter)
    name = f"python{version}"
    found = shutil.which(name)
    if found and subprocess.run([found, "-c", ""], capture_output=True).returncode == 0:
        return found
    root = subprocess.run(["pyenv", "root"], capture_output=True, text=True) if shutil.which("pyenv") else None
    if root and root.returncode == 0:
        for candidate in sorted(Path(root.stdout.strip(), "versions").glob(f"{version}.*/bin/{name}")):
            return str(candidate)
    return None


@pytest.fixture
def registry_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh open docker-registry on a free loopback port, configured as tests/registry's
    open one. Started here rather than through tests/registry/conftest.py, which imports the
    development build of ocikit: this test needs nothing of the source tree's package."""
    root = tmp_path_factory.mktemp("dist-registry")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{s.getsockname()[1]}"
    (root / "config.yml").write_text(
        "version: 0.1\nlog:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n  delete:\n    enabled: true\n"
        f"http:\n  addr: {address}\n"
    )
    binary = shutil.which("docker-registry", path=f"{REPO / '.cache/tools/bin'}{os.pathsep}{os.environ['PATH']}")
    assert binary is not None, "docker-registry is not installed: run scripts/tools.sh (make test-dist does)"
    with open(root / "registry.log", "wb") as log:
        process = subprocess.Popen([binary, "serve", str(root / "config.yml")], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://{address}/v2/", timeout=1):
                    break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, (root / "registry.log").read_text()
                time.sleep(0.05)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


def clean_env(home: Path, path: list[Path | str]) -> dict[str, str]:
    """No PYTHONPATH, no user config: the PATH given, then the system's."""
    return {
        "PATH": os.pathsep.join([*map(str, path), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(home),
        "DOCKER_CONFIG": str(home / ".docker"),
        "LANG": "C.UTF-8",
    }


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: int = 120) -> str:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{shlex.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def scratch(tmp_path: Path) -> Path:
    """The directory the examples run in: a copy of examples/, nothing else of the repository."""
    work = tmp_path / "work"
    shutil.copytree(REPO / "examples", work / "examples")
    return work


def install_python(tmp_path: Path, python: str, artifact: Path, path: list[Path | str] = (), extra: dict[str, str] | None = None) -> Path:  # type: ignore[assignment]
    """A clean venv with ``artifact`` (a wheel or the sdist) and httpx installed offline."""
    venv = tmp_path / "venv"
    subprocess.run([python, "-m", "venv", str(venv)], check=True, cwd=tmp_path)
    env = {**clean_env(tmp_path, [venv / "bin", *path]), **(extra or {})}
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
           "--no-index", "--find-links", str(WHEEL_CACHE), "--find-links", str(DIST)]  # fmt: skip
    run([*pip, str(artifact), "httpx"], cwd=tmp_path, env=env, timeout=900)
    return venv


def run_readme_python(venv: Path, tmp_path: Path, registry: str) -> None:
    work = scratch(tmp_path)
    env = clean_env(tmp_path, [venv / "bin"])
    python = str(venv / "bin" / "python")
    where = run([python, "-c", "import ocikit; print(ocikit.__file__)"], cwd=work, env=env).strip()
    assert Path(where).is_relative_to(venv), f"ocikit imported from {where}, not from the clean venv"
    blocks = fenced(README, "python")
    assert len(blocks) >= 4, "README.md has its ```python blocks"
    output = ""
    for number, block in enumerate(blocks, start=1):
        script = work / f"readme_{number}.py"
        script.write_text(block.replace("localhost:5000", registry), encoding="utf-8")
        output += run([python, str(script)], cwd=work, env=env)
    assert "application/vnd.example.review.v1" in output  # the registry example's referrer
    commands = [line.strip() for block in fenced(README, "sh") for line in block.splitlines() if line.strip().startswith("ocikit ")]
    assert len(commands) >= 10, "README.md shows the ocikit command"
    for command in commands:
        args = shlex.split(command.replace("localhost:5000", registry))
        run([str(venv / "bin" / "ocikit"), *args[1:]], cwd=work, env=env)
    pulled = work / "pulled" / "examples" / "docsinmarkdown" / "overview.md"
    assert pulled.read_bytes() == (REPO / "examples/docsinmarkdown/overview.md").read_bytes()


def wheel_pythons() -> list[Any]:
    """The wheels to test, each on an interpreter: the abi3 wheel on 3.11 and on the newest
    CPython found, each per-version wheel in dist/ on its own version."""
    abi3 = "ocikit-*-cp311-abi3-*.whl"
    cases = [pytest.param(abi3, "3.11", id="abi3-py3.11")]
    newest = next((v for v in ("3.14", "3.13", "3.12") if find_python(v)), None)
    if newest:
        cases.append(pytest.param(abi3, newest, id=f"abi3-py{newest}"))
    for wheel in sorted(DIST.glob("ocikit-*-cp3*-cp3*-*.whl")):
        tag = wheel.name.split("-")[2]  # cp39, cp310
        cases.append(pytest.param(wheel.name, f"3.{tag[3:]}", id=f"{tag}-py3.{tag[3:]}"))
    return cases


def test_sdist_holds_the_crates_it_compiles() -> None:
    sdist = one(f"ocikit-{VERSION}.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
        root = f"ocikit-{VERSION}"
        workspace = archive.extractfile(f"{root}/Cargo.toml")
        assert workspace is not None
        manifest = workspace.read().decode()
    for needed in ("pyproject.toml", "Cargo.toml", "Cargo.lock", "README.md", "core/Cargo.toml", "core/src/lib.rs",
                   "bindings-python/Cargo.toml", "bindings-python/src/lib.rs", "python/ocikit/__init__.py",
                   "python/ocikit/_ocikit.pyi", "python/ocikit/py.typed", "python/ocikit/cli/__init__.py"):  # fmt: skip
        assert needed in names, f"the sdist lacks {needed}"
    assert any(name.startswith("core/catalog/") for name in names), "the sdist lacks core/catalog (include_str!)"
    # The workspace as maturin rewrote it: the crates the extension needs, not bindings-wasm.
    assert re.search(r'members = \["core", "bindings-python"\]', manifest), manifest[:300]
    assert not any(name.startswith(("bindings-wasm/", "tests/", "web-demo/", "target/")) for name in names)


def test_abi3_wheel_holds_the_package() -> None:
    wheel = one(f"ocikit-{VERSION}-cp311-abi3-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(f"ocikit-{VERSION}.dist-info/entry_points.txt").decode()
        metadata = archive.read(f"ocikit-{VERSION}.dist-info/METADATA").decode()
    assert "ocikit/_ocikit.abi3.so" in names, sorted(names)
    assert {"ocikit/_ocikit.pyi", "ocikit/py.typed", "ocikit/cli/__init__.py"} <= names
    assert re.search(r"^ocikit ?= ?ocikit\.cli:run$", entry_points, re.MULTILINE), entry_points
    assert "Provides-Extra: async" in metadata and "# ocikit" in metadata  # the README is the description


@pytest.mark.parametrize(("pattern", "version"), wheel_pythons())
def test_wheel_installs_and_runs_the_readme(pattern: str, version: str, tmp_path: Path, registry_address: str) -> None:
    python = find_python(version)
    assert python is not None, f"python{version} vanished"
    venv = install_python(tmp_path, python, one(pattern))
    run_readme_python(venv, tmp_path, registry_address)


def test_sdist_builds_from_itself_and_runs_the_readme(tmp_path: Path, registry_address: str) -> None:
    python = find_python("3.11")
    assert python is not None
    # pip builds in its own temporary tree (its own cargo target directory: nothing of the
    # repository's target/), with the toolchain and the crates cargo already fetched, offline.
    cargo = shutil.which("cargo")
    assert cargo is not None, "cargo is required"
    toolchain = {
        "CARGO_NET_OFFLINE": "true",
        "CARGO_HOME": os.environ.get("CARGO_HOME", str(Path.home() / ".cargo")),
        "RUSTUP_HOME": os.environ.get("RUSTUP_HOME", str(Path.home() / ".rustup")),
    }
    venv = install_python(tmp_path, python, one(f"ocikit-{VERSION}.tar.gz"), [Path(cargo).parent], toolchain)
    built = list((venv / "lib").glob("python3.*/site-packages/ocikit/_ocikit.*.so"))
    assert built, "pip install of the sdist did not build the extension"
    run_readme_python(venv, tmp_path, registry_address)


def test_npm_tarball_installs_and_runs_the_readmes(tmp_path: Path, registry_address: str) -> None:
    tarball = one(f"ocikit-{VERSION}.tgz")
    node = shutil.which("node")
    assert node is not None, "node is required"
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text(json.dumps({"name": "scratch", "private": True, "type": "module"}))
    env = clean_env(tmp_path, [Path(node).parent])
    run(["npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", str(tarball)], cwd=project, env=env)
    installed = json.loads((project / "node_modules" / "ocikit" / "package.json").read_text())
    assert installed["version"] == VERSION
    # The npm README as published (the tarball's) and the project README.
    shipped = (project / "node_modules" / "ocikit" / "README.md").read_text(encoding="utf-8")
    assert shipped == NPM_README
    blocks = [*fenced(README, "js"), *fenced(shipped, "js")]
    assert len(blocks) >= 4, "the READMEs have their ```js blocks"
    for number, block in enumerate(blocks, start=1):
        script = project / f"readme_{number}.mjs"
        script.write_text(block.replace("localhost:5000", registry_address), encoding="utf-8")
        run([node, str(script)], cwd=project, env=env)
    resolved = run([node, "--input-type=module", "-e", "console.log(import.meta.resolve('ocikit'))"], cwd=project, env=env)
    assert str(project / "node_modules" / "ocikit") in resolved, resolved
