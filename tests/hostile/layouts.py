"""The hostile OCI layouts of item 10 of issue 9: directories for the CLI and the Python API
(links to /dev/zero and out of the layout, FIFOs, a 2 GiB sparse blob declared as 6 bytes, a
huge or deeply nested index.json) and tars for the JS Client's readLayoutTar."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
from pathlib import Path

from hostile_server import EMPTY_CONFIG, OCI_MANIFEST, encode, layer_descriptor, manifest
from sandbox import Sandbox

LAYOUT_LAYER = b"hello\n"  # 6 bytes, as the "declared as 6 bytes"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _layout_documents(layer: bytes = LAYOUT_LAYER, manifest_bytes: bytes | None = None):
    manifest_doc = manifest_bytes or manifest([layer_descriptor(layer, "hello.txt")])
    index_doc = encode(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {
                    "mediaType": OCI_MANIFEST,
                    "digest": "sha256:" + _sha(manifest_doc),
                    "size": len(manifest_doc),
                    "annotations": {"org.opencontainers.image.ref.name": "latest"},
                }
            ],
        }
    )
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
        manifest_bytes = (
            b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","x":'
            + b"[" * 3000
            + b"]" * 3000
            + b"}"
        )
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
        (root / "index.json").write_bytes(
            b'{"schemaVersion":2,"manifests":' + b"[" * 3000 + b"]" * 3000 + b"}"
        )
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
