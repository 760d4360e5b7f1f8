"""``ocikit.restore``'s two checks are the core's (``registry::whole::backup::restorable`` and
``restored``), not written out in Python: the refusal of a damaged layout before any request,
with its verification's first error finding's code, and the check that a restored tag names the
layout's digest at the destination. The same texts are asserted for JS in
tests/js/backup-restore.test.mjs; the restore against a destination that moves the tag is in
tests/registry/test_collections.py."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import ocikit as oci
from ocikit._ocikit import _restorable, _restored

DOCS = "application/vnd.example.docs.v1"


def _layout(tmp_path: Path) -> tuple[oci.OciLayout, oci.Packed]:
    packed = oci.pack([oci.File("a.md", b"# A\n")], artifact_type=DOCS)
    layout = oci.OciLayout(tmp_path / "layout")
    layout.write(packed, "v1")
    return layout, packed


def _blob(layout: oci.OciLayout, digest: str) -> Path:
    return layout.path / oci.Layout.blob_path(digest)


def _unused_address() -> str:
    """A loopback address nothing listens on: a request to it would fail with NETWORK_ERROR."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


def _restore_refused(layout: oci.OciLayout) -> oci.OciError:
    address = _unused_address()
    with oci.Client(address, plain_http=True) as client:
        with pytest.raises(oci.OciError) as raised:
            oci.restore(layout.path, client, f"{address}/restored")
    return raised.value


def test_a_damaged_layout_is_refused_with_the_core_s_code_and_text(tmp_path: Path) -> None:
    layout, packed = _layout(tmp_path)
    layer = packed.manifest.layers[0]
    _blob(layout, layer.digest).write_bytes(b"# B\n")  # the same size, other bytes
    finding = layout.verify().findings[0]
    path = f"{oci.Layout.blob_path(layer.digest)}#"
    assert (finding.code, finding.path) == ("DIGEST_MISMATCH", path)
    text = (
        f"{layout.path} is not an intact OCI layout: {finding.message} (at {path}); "
        "nothing was restored"
    )

    # Refused before any request: the registry's address has nothing listening.
    err = _restore_refused(layout)
    # The core's error, raised through the binding's one mapping of codes to classes.
    assert type(err) is oci.DigestMismatchError
    assert (err.code, str(err), err.details) == ("DIGEST_MISMATCH", text, {"path": path})
    # The one text: the core's, for this report and this name.
    with pytest.raises(oci.DigestMismatchError) as core:
        _restorable(layout.verify(), str(layout.path))
    assert (core.value.code, str(core.value), core.value.details) == (
        err.code,
        str(err),
        err.details,
    )


def test_each_damage_keeps_its_code(tmp_path: Path) -> None:
    layout, packed = _layout(tmp_path)
    blob = _blob(layout, packed.manifest.layers[0].digest)
    blob.write_bytes(b"# A")  # shorter
    err = _restore_refused(layout)
    assert (type(err), err.code) == (oci.DigestMismatchError, "SIZE_MISMATCH")
    blob.unlink()
    err = _restore_refused(layout)
    assert (type(err), err.code) == (oci.OciError, "BLOB_MISSING")
    assert str(err).startswith(f"{layout.path} is not an intact OCI layout: ")
    assert err.details == {"path": f"{oci.Layout.blob_path(packed.manifest.layers[0].digest)}#"}


def test_an_intact_layout_passes_the_check(tmp_path: Path) -> None:
    layout, _ = _layout(tmp_path)
    report = layout.verify()
    assert report.valid
    assert _restorable(report, str(layout.path)) is None
    (layout.path / "index.json").write_bytes(b"{")
    with pytest.raises(oci.ValidationError) as raised:  # JSON_INVALID's class
        _restorable(layout.verify(), "the layout")
    assert (raised.value.code, raised.value.details) == ("JSON_INVALID", {"path": "index.json#"})


def test_a_restored_tag_must_name_the_layout_s_digest() -> None:
    layout = oci.digest(b"layout")
    other = oci.digest(b"other")
    reference = "127.0.0.1:5000/restored:v1"
    assert _restored(reference, layout, layout) is None
    assert _restored(reference, oci.Digest.parse(layout), layout) is None
    with pytest.raises(oci.DigestMismatchError) as raised:
        _restored(reference, layout, other)
    err = raised.value
    assert err.code == "DIGEST_MISMATCH"
    assert str(err) == f"{reference} names {other} after the restore, not the layout's {layout}"
    assert err.details == {"expected": str(layout), "actual": str(other)}
    with pytest.raises(oci.ValidationError) as bad:
        _restored(reference, layout, "sha256:nope")
    assert bad.value.code == "DIGEST_INVALID"
