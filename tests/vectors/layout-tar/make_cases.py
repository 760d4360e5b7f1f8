"""Writes cases.json: the layout tar contract between Rust, Python and JS.

``written``: a layout's files and the digest of the tar the core writes for them (JS's
``layoutTar`` and ``OciLayout.toTar()``, Python's ``OciLayout("x.tar")``) — whatever order
they are given in. ``artifacts``: a manifest, its blobs and a tag, and the digest of the layout
tar that holds them (``layoutTar({manifest, blobs, tag})``, a push to an empty ``OciLayout``).
``refused``: hostile or broken tars and the code reading them ends in.

Run from the repository root with the built package: ``.venv/bin/python
tests/vectors/layout-tar/make_cases.py``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path

import ocikit
from ocikit._ocikit import write_layout_tar

HERE = Path(__file__).parent
OCI_LAYOUT = b'{"imageLayoutVersion":"1.0.0"}'
EMPTY_INDEX = ocikit.Layout().index_json()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def blob(data: bytes, algorithm: str = "sha256") -> tuple[str, bytes]:
    return f"blobs/{algorithm}/{hashlib.new(algorithm, data).hexdigest()}", data


def written(name: str, files: list[tuple[str, bytes]]) -> dict:
    tar = write_layout_tar(files)
    return {
        "name": name,
        "files": [{"path": path, "data": b64(data)} for path, data in files],
        "digest": "sha256:" + hashlib.sha256(tar).hexdigest(),
        "size": len(tar),
    }


def artifact(name: str, packed: ocikit.Packed, tag: str) -> dict:
    with ocikit.OciLayout(HERE / "_tmp.tar") as layout:
        layout.write(packed, tag)
    tar = (HERE / "_tmp.tar").read_bytes()
    (HERE / "_tmp.tar").unlink()
    return {
        "name": name,
        "manifest": b64(packed.manifest.to_json()),
        "blobs": [b64(b.data) for b in packed.blobs if b.data is not None],
        "tag": tag,
        "digest": "sha256:" + hashlib.sha256(tar).hexdigest(),
        "size": len(tar),
    }


def tar_of(*members: tuple[tarfile.TarInfo, bytes | None]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    # tarfile pads to 10 KiB records; two zero blocks end an archive.
    data = out.getvalue().rstrip(b"\0")
    return data + bytes(-len(data) % 512 + 1024)


def member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", link: str = "") -> tuple:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data if kind == tarfile.REGTYPE else None


def main() -> None:
    base = [("oci-layout", OCI_LAYOUT), ("index.json", EMPTY_INDEX)]
    hello = blob(b"hello")
    long_name = blob(b"a blob named by sha512: its path is longer than ustar's 100 bytes", "sha512")
    cases = {
        "written": [
            written("empty layout", base),
            written("blobs given before the layout files", [hello, blob(b"")] + base[::-1]),
            written("a path longer than 100 bytes (ustar prefix)", base + [long_name]),
        ],
        "artifacts": [
            artifact(
                "one file, tagged",
                ocikit.pack(
                    [ocikit.File("a.txt", b"hello")],
                    artifact_type="application/vnd.example.docs.config.v1+json",
                ),
                "v1",
            ),
        ],
        "refused": [],
    }
    good = write_layout_tar(base + [hello])
    layout_file = member("oci-layout", data=OCI_LAYOUT)
    refused = [
        ("a symbolic link",
         tar_of(layout_file, member("index.json", tarfile.SYMTYPE, link="/etc/passwd")),
         "ARCHIVE_UNSAFE"),
        ("a hard link",
         tar_of(layout_file, member("index.json", tarfile.LNKTYPE, link="oci-layout")),
         "ARCHIVE_UNSAFE"),
        ("an absolute name", tar_of(member("/etc/cron.d/x", data=b"x")), "ARCHIVE_UNSAFE"),
        ("a '..' component", tar_of(member("blobs/../../x", data=b"x")), "ARCHIVE_UNSAFE"),
        ("a character device", tar_of(member("blobs/sha256/dev", tarfile.CHRTYPE)),
         "ARCHIVE_UNSAFE"),
        ("a FIFO", tar_of(member("index.json", tarfile.FIFOTYPE)), "ARCHIVE_UNSAFE"),
        ("a file twice",
         tar_of(member("index.json", data=b"{}"), member("./index.json", data=b"[]")),
         "ARCHIVE_UNSAFE"),
        ("a file under another file",
         tar_of(member("blobs", data=b"x"), member("blobs/sha256/x", data=b"y")),
         "ARCHIVE_UNSAFE"),
        ("a wrong header checksum", good[:148] + b"0000000\0" + good[156:], "ARCHIVE_INVALID"),
        ("cut in a file's content", good[: 512 * 5 + 3], "ARCHIVE_INVALID"),
        ("not a tar", b"PK\x03\x04 a zip file, not a tar" + bytes(600), "ARCHIVE_INVALID"),
    ]  # fmt: skip
    for name, data, code in refused:
        cases["refused"].append({"name": name, "tar": b64(data), "code": code})
    cases["refused"].append(
        {
            "name": "more entries than entriesMax",
            "tar": b64(good),
            "entriesMax": 3,
            "code": "LIMIT_EXCEEDED",
        }
    )
    (HERE / "cases.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main()
