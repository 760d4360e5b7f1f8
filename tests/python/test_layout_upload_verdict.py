"""A blob pushed to a layout is checked by the core's layout server, as a registry checks an
upload: the host reports what it actually received (digest and size), and the server's answer
decides. Wrong content is refused with the registry's answer (400 ``DIGEST_INVALID``, the same
error JS's ``OciLayout`` gives), and nothing of it stays in the layout."""

from __future__ import annotations

from pathlib import Path

import pytest

import ocikit

HELLO = b"hello"


def _descriptor(content: bytes) -> ocikit.Descriptor:
    return ocikit.Descriptor(
        media_type="application/octet-stream", digest=ocikit.digest(content), size=len(content)
    )


def _left_files(layout: ocikit.OciLayout) -> list[str]:
    blobs = layout.path / "blobs"
    if not blobs.exists():
        return []
    return sorted(str(p.relative_to(layout.path)) for p in blobs.rglob("*") if p.is_file())


def test_wrong_bytes_of_the_right_size_get_the_registry_answer(tmp_path: Path) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    descriptor = _descriptor(HELLO)
    with pytest.raises(ocikit.RegistryError) as raised:
        layout.push_blob(descriptor, b"HELLO")
    error = raised.value
    assert (error.code, error.status) == ("DIGEST_INVALID", 400)
    # The server's words (core/src/layout/server.rs), the message JS's layout gives too.
    actual = ocikit.digest(b"HELLO")
    assert f"the upload is 5 bytes of {actual}, not 5 bytes of {descriptor.digest}" in str(error)
    assert _left_files(layout) == []  # neither the blob nor a temporary file
    assert layout.blob_size(descriptor.digest) is None


def test_a_file_that_changed_is_refused_and_nothing_is_left(tmp_path: Path) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    source = tmp_path / "blob.bin"
    source.write_bytes(b"HELLO")
    with pytest.raises(ocikit.RegistryError) as raised:
        layout.push_blob(_descriptor(HELLO), source)
    assert (raised.value.code, raised.value.status) == ("DIGEST_INVALID", 400)
    assert _left_files(layout) == []
    # A shorter file: the core refuses content of another size before any request.
    source.write_bytes(HELLO[:4])
    with pytest.raises(ocikit.DigestMismatchError) as mismatch:
        layout.push_blob(_descriptor(HELLO), source)
    assert mismatch.value.code == "SIZE_MISMATCH"
    assert _left_files(layout) == []


def test_the_right_content_is_kept(tmp_path: Path) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    descriptor = _descriptor(HELLO)
    assert layout.push_blob(descriptor, HELLO) is True
    assert _left_files(layout) == [ocikit.Layout.blob_path(descriptor.digest)]
    assert layout.read_blob(descriptor.digest) == HELLO
