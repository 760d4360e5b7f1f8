"""ocikit.copy refuses a registry destination without a reference, before any request."""

from pathlib import Path

import pytest

import ocikit


def test_a_registry_destination_needs_dst_ref(tmp_path: Path) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    # Port 9 (discard) on loopback: nothing is asked of it, the refusal comes first.
    with pytest.raises(ValueError, match="copying to a registry needs dst_ref"):
        ocikit.copy(layout, "v1", ocikit.Client("127.0.0.1:9", plain_http=True), None)
