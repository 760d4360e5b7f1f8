"""Options out of range are ``OPTIONS_INVALID`` with ``details.reason``, in JS's client's words
(bindings-wasm/npm/client.js; tests/js/host-decisions.test.mjs, tests/js/client-catalog.test.mjs),
for ``Client``, ``AsyncClient`` and ``OciLayout``, before any request: the registry here does not
exist (port 9 on loopback), so a request would be a ``NetworkError``, not this error.

- ``discover``'s ``depth``;
- a listing's page size: ``page_size`` of ``iter_tags`` and ``iter_repositories``, ``n`` of
  ``list_tags_page``. Before, a ``page_size`` of 0 asked the registry for pages of 0 and gave an
  empty catalog (distribution answers ``n=0`` with nothing and no ``Link``), and the other bad
  values were ``OverflowError`` or ``TypeError``.
"""

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


PAGE_SIZES = [
    (0, "must be from 1 to 2^32 - 1, not 0"),
    (-1, "must be from 1 to 2^32 - 1, not -1"),
    (2**32, "must be from 1 to 2^32 - 1, not 4294967296"),
    (1.5, "must be from 1 to 2^32 - 1, not 1.5"),
    ("5", 'must be from 1 to 2^32 - 1, not "5"'),
    (True, "must be from 1 to 2^32 - 1, not true"),
]


@pytest.mark.parametrize(("size", "expected"), PAGE_SIZES)
def test_client_page_sizes(size: Any, expected: str) -> None:
    with ocikit.Client("127.0.0.1:9", plain_http=True) as client:
        _refused(lambda: next(client.iter_repositories(page_size=size)), f"page_size {expected}")
        _refused(lambda: next(client.iter_tags("x", page_size=size)), f"page_size {expected}")
        _refused(lambda: client.list_tags_page("x", n=size), f"n {expected}")


@pytest.mark.parametrize(("size", "expected"), PAGE_SIZES[:2])
def test_async_client_page_sizes(size: Any, expected: str) -> None:
    pytest.importorskip("httpx")

    async def first(listing: Any) -> Any:
        async for item in listing:
            return item

    async def each(call: str) -> None:
        async with ocikit.AsyncClient("127.0.0.1:9", plain_http=True) as client:
            if call == "repositories":
                await first(client.iter_repositories(page_size=size))
            elif call == "tags":
                await first(client.iter_tags("x", page_size=size))
            else:
                await client.list_tags_page("x", n=size)

    _refused(lambda: asyncio.run(each("repositories")), f"page_size {expected}")
    _refused(lambda: asyncio.run(each("tags")), f"page_size {expected}")
    _refused(lambda: asyncio.run(each("page")), f"n {expected}")
