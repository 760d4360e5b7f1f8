"""Fixtures of the hostile suite: the hostile registry and the attacker (one set for the whole
session, with a self-signed certificate made by openssl for its HTTPS side), the hostile OCI
layouts, and a sandbox per case (HOME, TMPDIR, working and output directories) whose every path
outside the output directory is compared before and after the run.

Missing pieces (the Python package, the npm package, node, openssl) are failures, never skips:
`make test-hostile` builds what the suite needs first.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import ssl
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any, Iterator

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from drivers import CLI, NODE, PYTHON, ROOT, run_measured, walk  # noqa: E402
from hostile_server import HostileRegistry  # noqa: E402

RESULTS = ROOT / ".cache" / "hostile-results.json"
_results: list[dict[str, Any]] = []


def record_result(result: dict[str, Any]) -> None:
    _results.append(result)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _results:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(_results, indent=1))


# The registry ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A self-signed certificate for 127.0.0.1, 127.0.0.2, ::1 and localhost (its own CA)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is not installed (apt-get install openssl)")
    directory = tmp_path_factory.mktemp("tls")
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem"),
         "-subj", "/CN=hostile-registry",
         "-addext", "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:::1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:TRUE"],
        check=True, capture_output=True,
    )  # fmt: skip
    return directory


@pytest.fixture(scope="session")
def hostile(certificate: Path) -> Iterator[HostileRegistry]:
    for needed, how in ((PYTHON, "make python"), (CLI, "make python"),
                        (ROOT / "bindings-wasm" / "pkg" / "node.js", "make wasm")):  # fmt: skip
        if not needed.exists():
            pytest.fail(f"{needed} is missing: run {how} (make test-hostile does)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    registry = HostileRegistry(context).start()
    registry.ca_file = str(certificate / "cert.pem")  # type: ignore[attr-defined]
    yield registry
    registry.stop()


@pytest.fixture(scope="session")
def baselines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """Peak RSS (MiB) of each surface's process doing nothing: the bound of a case is above it."""
    directory = tmp_path_factory.mktemp("baseline")
    node_import = (
        "import('" + (ROOT / "bindings-wasm" / "pkg" / "node.js").as_uri() + "').then(() => 0)"
    )
    argv = {
        "cli": [str(CLI), "--version"],
        "python": [str(PYTHON), "-c", "import ocikit, json, ssl"],
        "js": [NODE, "-e", node_import],
    }
    result = {}
    for surface, command in argv.items():
        measured = run_measured(command, env=dict(os.environ), cwd=directory, hard_limit=60,
                                watch=directory, stdout_path=directory / f"{surface}.out")  # fmt: skip
        result[surface] = measured.rss_mb
    return result


# Sandboxes ---------------------------------------------------------------------------------


class Sandbox:
    """One case's directories: ``home``, ``tmp``, ``work`` (the working directory, with ``in``
    holding input files) and ``work/out`` (the only place a run may write), plus ``outside``
    (files a hostile layout links to)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.work = root / "work"
        self.out = self.work / "out"
        self.outside = root / "outside"
        for directory in (self.home, self.tmp, self.work / "in", self.out, self.outside):
            directory.mkdir(parents=True)
        (self.work / "in" / "hello.txt").write_bytes(b"hello hostile push\n")

    def env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "TMPDIR": str(self.tmp),
            "DOCKER_CONFIG": str(self.home / ".docker"),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "NO_COLOR": "1",
        }
        # A development aid: another copy of the Python package (e.g. while the shared tree
        # is mid-edit); unset in `make test-hostile`.
        if os.environ.get("HOSTILE_PYTHONPATH"):
            env["PYTHONPATH"] = os.environ["HOSTILE_PYTHONPATH"]
        return env

    def snapshot(self) -> dict[str, tuple[int, int, str]]:
        """Every path outside ``work/out`` (and the captured output): type, size, mtime."""
        found: dict[str, tuple[int, int, str]] = {}
        out = str(self.out)
        for entry in walk(self.root, skip=lambda path: path == out):
            relative = os.path.relpath(entry.path, self.root)
            if entry.path == out or ("/" not in relative and relative.endswith((".out", ".err", ".rusage"))):
                continue
            st = entry.stat(follow_symlinks=False)
            if entry.is_dir(follow_symlinks=False):
                found[relative] = (0, 0, "dir")
            else:
                found[relative] = (st.st_size, st.st_mtime_ns, "file")
        return found

    def output_files(self) -> list[str]:
        return sorted(
            os.path.relpath(entry.path, self.out)
            for entry in walk(self.out)
            if not entry.is_dir(follow_symlinks=False)
        )

    def remove(self) -> None:
        """Deletes the sandbox (``rm -rf``: shutil and pytest recurse, and a hostile pull may
        have made directories thousands deep)."""
        subprocess.run(["rm", "-rf", "--", str(self.root)], check=False)


@pytest.fixture()
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    box = Sandbox(tmp_path / "case")
    yield box
    box.remove()


# Hostile layouts -----------------------------------------------------------------------------

LAYOUT_LAYER = b"hello\n"  # 6 bytes, as the "declared as 6 bytes"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _layout_documents(layer: bytes = LAYOUT_LAYER, manifest_bytes: bytes | None = None):
    from hostile_server import EMPTY_CONFIG, OCI_MANIFEST, encode, layer_descriptor, manifest

    manifest_doc = manifest_bytes or manifest([layer_descriptor(layer, "hello.txt")])
    index_doc = encode({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": OCI_MANIFEST, "digest": "sha256:" + _sha(manifest_doc),
            "size": len(manifest_doc),
            "annotations": {"org.opencontainers.image.ref.name": "latest"},
        }],
    })  # fmt: skip
    blobs = {_sha(b"{}"): b"{}", _sha(layer): layer, _sha(manifest_doc): manifest_doc}
    assert EMPTY_CONFIG["digest"] == "sha256:" + _sha(b"{}")
    return index_doc, blobs


def build_layout(kind: str, sandbox: Sandbox) -> Path:
    """A layout directory (or a tar for the JS cases) that is hostile in the way ``kind`` says."""
    if kind.startswith("tar-"):
        return _build_tar(kind, sandbox)
    root = sandbox.work / "layout"
    blobs_dir = root / "blobs" / "sha256"
    blobs_dir.mkdir(parents=True)
    manifest_bytes = None
    if kind == "nested-json":
        manifest_bytes = (b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":'
                          + b"[" * 3000 + b"]" * 3000 + b"}")  # fmt: skip
    index_doc, blobs = _layout_documents(manifest_bytes=manifest_bytes)
    (root / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (root / "index.json").write_bytes(index_doc)
    for digest, data in blobs.items():
        (blobs_dir / digest).write_bytes(data)
    layer = blobs_dir / _sha(LAYOUT_LAYER)
    if kind == "index-devzero":
        (root / "index.json").unlink()
        (root / "index.json").symlink_to("/dev/zero")
    elif kind == "index-fifo":
        (root / "index.json").unlink()
        os.mkfifo(root / "index.json")
    elif kind == "index-huge":
        with open(root / "index.json", "wb") as f:
            f.write(index_doc[:-1])
            f.write(b" " * (64 << 20))
            f.write(b"}")
    elif kind == "index-nested":
        (root / "index.json").write_bytes(b'{"schemaVersion":2,"manifests":' + b"[" * 3000 + b"]" * 3000 + b"}")
    elif kind == "blob-devzero":
        layer.unlink()
        layer.symlink_to("/dev/zero")
    elif kind == "blob-fifo":
        layer.unlink()
        os.mkfifo(layer)
    elif kind == "blob-sparse":
        with open(layer, "r+b") as f:
            f.truncate(2 << 30)
    elif kind == "blob-symlink-out":
        target = sandbox.outside / "layer"
        target.write_bytes(LAYOUT_LAYER)
        layer.unlink()
        layer.symlink_to(target)
    elif kind == "blobs-dir-symlink":
        shutil.move(str(blobs_dir), str(sandbox.outside / "sha256"))
        blobs_dir.symlink_to(sandbox.outside / "sha256", target_is_directory=True)
    elif kind == "blob-directory":
        layer.unlink()
        layer.mkdir()
        (layer / "x").write_bytes(LAYOUT_LAYER)
    elif kind != "nested-json":
        raise ValueError(kind)
    return root


def _build_tar(kind: str, sandbox: Sandbox) -> Path:
    layer = LAYOUT_LAYER
    index_doc, blobs = _layout_documents(layer)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:

        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        add("oci-layout", b'{"imageLayoutVersion":"1.0.0"}')
        if kind == "tar-symlink":
            info = tarfile.TarInfo("index.json")
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            tar.addfile(info)
        else:
            add("index.json", index_doc)
        for digest, data in blobs.items():
            if kind == "tar-size" and data == layer:
                data = b"\0" * (4 << 20)
            add(f"blobs/sha256/{digest}", data)
        if kind == "tar-dotdot":
            add("../evil.txt", b"escaped\n")
    path = sandbox.work / "in" / "layout.tar"
    path.write_bytes(buffer.getvalue())
    return path
