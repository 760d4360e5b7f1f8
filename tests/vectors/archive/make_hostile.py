"""Writes the hostile directory archives of hostile.json into hostile/ (run from anywhere:
``python3 tests/vectors/archive/make_hostile.py``). The archives are built with Python's
``tarfile`` from headers alone (no device node or FIFO is made on this machine), gzip'd with
mtime 0, so that running the script again gives the same bytes.

Each archive's entries are for the title ``d``; every one must end in the code hostile.json
gives it, in every language, with nothing written outside the output directory.
"""

from __future__ import annotations

import gzip
import io
import pathlib
import tarfile

HERE = pathlib.Path(__file__).resolve().parent
OUT = HERE / "hostile"


def entry(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", mode: int = 0o644, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mtime = 0
    return info, data


def tar_bytes(entries: list[tuple[tarfile.TarInfo, bytes]], form: int = tarfile.PAX_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=form) as archive:
        for info, data in entries:
            archive.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
    return buffer.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


DIR = entry("d", tarfile.DIRTYPE, mode=0o755)

CASES: dict[str, bytes] = {
    "escaping-symlink": gz(tar_bytes([DIR, entry("d/evil", tarfile.SYMTYPE, link="../../etc")])),
    "absolute-symlink": gz(tar_bytes([DIR, entry("d/evil", tarfile.SYMTYPE, link="/etc/passwd")])),
    "write-through-symlink": gz(
        tar_bytes([DIR, entry("d/l", tarfile.SYMTYPE, link="."), entry("d/l/x", data=b"through a link\n")])
    ),
    "case-folded-symlink": gz(
        tar_bytes([DIR, entry("d/L", tarfile.SYMTYPE, link="."), entry("d/l/x", data=b"on macOS, through L\n")])
    ),
    "symlink-through-symlink": gz(
        tar_bytes(
            [
                DIR,
                entry("d/a/b/up", tarfile.SYMTYPE, link="../.."),
                entry("d/p", tarfile.SYMTYPE, link="a/b/up/.."),
            ]
        )
    ),
    "escaping-hardlink": gz(tar_bytes([DIR, entry("d/h", tarfile.LNKTYPE, link="etc/passwd")])),
    "dotdot-hardlink": gz(tar_bytes([DIR, entry("d/h", tarfile.LNKTYPE, link="d/../../x")])),
    "dangling-hardlink": gz(tar_bytes([DIR, entry("d/h", tarfile.LNKTYPE, link="d/missing")])),
    "absolute-path": gz(tar_bytes([DIR, entry("/tmp/ocikit-hostile-absolute", data=b"absolute\n")])),
    "dotdot-path": gz(tar_bytes([DIR, entry("d/../../ocikit-hostile-dotdot", data=b"dotdot\n")])),
    "outside-title": gz(tar_bytes([DIR, entry("other/x", data=b"not under d\n")])),
    "char-device": gz(tar_bytes([DIR, entry("d/null", tarfile.CHRTYPE)])),
    "block-device": gz(tar_bytes([DIR, entry("d/sda", tarfile.BLKTYPE)])),
    "fifo": gz(tar_bytes([DIR, entry("d/pipe", tarfile.FIFOTYPE)])),
    "setuid": gz(tar_bytes([DIR, entry("d/su", data=b"#!/bin/sh\n", mode=0o4755)])),
    "setgid-directory": gz(tar_bytes([DIR, entry("d/g", tarfile.DIRTYPE, mode=0o2755)])),
    "duplicate-file": gz(tar_bytes([DIR, entry("d/x", data=b"first\n"), entry("d/x", data=b"second\n")])),
    "git-config": gz(tar_bytes([DIR, entry("d/.git/config", data=b"[core]\n\tfsmonitor = touch /tmp/pwned\n")])),
    "root-not-a-directory": gz(tar_bytes([entry("d", data=b"a file named like the directory\n")])),
    # 64 MiB of zeros in about 64 KiB: a ratio near 1,000.
    "bomb": gz(tar_bytes([DIR, entry("d/zeros", data=bytes(64 << 20))])),
    "not-gzip": tar_bytes([DIR, entry("d/x", data=b"plain tar\n")]),
    "not-tar": gz(b"this is gzip but not a tar archive" * 40),
    "cut-short": gz(tar_bytes([DIR, entry("d/x", data=bytes(range(256)) * 64)]))[:200],
    "digest-mismatch": gz(tar_bytes([DIR, entry("d/x", data=b"content\n")])),
}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for name, data in CASES.items():
        (OUT / f"{name}.tar.gz").write_bytes(data)


if __name__ == "__main__":
    main()
