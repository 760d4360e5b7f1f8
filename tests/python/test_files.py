"""digest_file: the host reads, the core hashes."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ocikit
from ocikit import _files


def test_file_larger_than_one_buffer(tmp_path: Path) -> None:
    data = os.urandom(_files.CHUNK_SIZE * 2 + 12345)
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert ocikit.digest_file(path) == "sha256:" + hashlib.sha256(data).hexdigest()
    assert ocikit.digest_file(str(path), "sha512") == "sha512:" + hashlib.sha512(data).hexdigest()
    assert ocikit.digest_file(os.fsencode(path)) == ocikit.digest(data)  # type: ignore[arg-type]


def test_file_of_exactly_one_buffer(tmp_path: Path) -> None:
    data = b"\x01" * _files.CHUNK_SIZE
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert ocikit.digest_file(path) == ocikit.digest(data)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty"
    path.touch()
    assert ocikit.digest_file(path) == ocikit.digest(b"")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ocikit.digest_file(tmp_path / "missing")
    with pytest.raises(OSError):
        ocikit.digest_file(tmp_path)  # a directory


def test_bad_algorithm_is_reported_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ocikit.ValidationError) as raised:
        ocikit.digest_file(tmp_path / "missing", "md5")
    assert raised.value.code == "DIGEST_UNSUPPORTED"


def test_wrong_path_type() -> None:
    with pytest.raises(TypeError):
        ocikit.digest_file(3.5)  # type: ignore[arg-type]


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux only")
def test_memory_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "large"
    with open(path, "wb") as file:
        file.truncate(96 << 20)  # sparse: reads as zeros without using the disk
    probe = textwrap.dedent(
        f"""
        import resource, ocikit
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(ocikit.digest_file({str(path)!r}))
        print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
        """
    )
    digest, growth = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert digest == ocikit.digest(bytes(96 << 20))
    assert int(growth) < 8 << 20, f"peak RSS grew by {growth} bytes for a 96 MiB file"
