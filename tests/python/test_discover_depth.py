"""``discover``'s ``depth`` out of range is ``OPTIONS_INVALID`` with ``details.reason``, in JS's
client's words (bindings-wasm/npm/client.js ``discover``; tests/js/host-decisions.test.mjs), for
``Client``, ``AsyncClient`` and ``OciLayout``, before any request: the registry here does not
exist (port 9 on loopback), so a request would be a ``NetworkError``, not this error."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import ocikit

SUBJECT = f"x@sha256:{'a' * 64}"
CASES = [
    (-1, "depth must be a non-negative integer, not -1"),
    (0.5, "depth must be a non-negative integer, not 0.5"),
    ("1", 'depth must be a non-negative integer, not "1"'),
    (True, "depth must be a non-negative integer, not true"),
    (2**32, "depth must be at most 2^32 - 1, not 4294967296"),
]


def _refused(call: Any, expected: str) -> None:
    with pytest.raises(ocikit.ValidationError) as refused:
        call()
    assert refused.value.code == "OPTIONS_INVALID"
    assert str(refused.value) == expected
    assert refused.value.details["reason"] == expected


@pytest.mark.parametrize(("depth", "expected"), CASES)
def test_client(depth: Any, expected: str) -> None:
    client = ocikit.Client("127.0.0.1:9", plain_http=True)
    _refused(lambda: client.discover(SUBJECT, depth=depth), expected)


@pytest.mark.parametrize(("depth", "expected"), CASES[:2])
def test_async_client(depth: Any, expected: str) -> None:
    pytest.importorskip("httpx")

    async def discover() -> None:
        async with ocikit.AsyncClient("127.0.0.1:9", plain_http=True) as client:
            await client.discover(SUBJECT, depth=depth)

    _refused(lambda: asyncio.run(discover()), expected)


def test_layout(tmp_path: Path) -> None:
    layout = ocikit.OciLayout(tmp_path / "layout")
    packed = ocikit.pack([ocikit.File("a.txt", b"hi")], artifact_type="application/vnd.test+type")
    layout.write(packed, "v1")
    _refused(lambda: layout.discover("v1", depth=-1), CASES[0][1])
    # In range: the walk runs (nothing refers to it).
    assert layout.discover("v1", depth=0) == []
    assert layout.discover("v1", depth=2**32 - 1) == []
