"""A listing's page size out of range is ``OPTIONS_INVALID`` with ``details.reason``, in JS's
client's words (bindings-wasm/npm/client.js ``pageSize``; tests/js/client-catalog.test.mjs),
for ``Client`` and ``AsyncClient``: ``page_size`` of ``iter_tags`` and ``iter_repositories``,
``n`` of ``list_tags_page``. Before, a ``page_size`` of 0 asked the registry for pages of 0 and
gave an empty catalog (distribution answers ``n=0`` with nothing and no ``Link``), and the
others were OverflowError or TypeError. No request is made: the registry here does not exist
(port 9 on loopback), so a request would be a ``NetworkError``, not this error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import ocikit

CASES = [
    (0, "must be from 1 to 2^32 - 1, not 0"),
    (-1, "must be from 1 to 2^32 - 1, not -1"),
    (2**32, "must be from 1 to 2^32 - 1, not 4294967296"),
    (1.5, "must be from 1 to 2^32 - 1, not 1.5"),
    ("5", 'must be from 1 to 2^32 - 1, not "5"'),
    (True, "must be from 1 to 2^32 - 1, not true"),
]


def _refused(call: Any, expected: str) -> None:
    with pytest.raises(ocikit.ValidationError) as refused:
        call()
    assert refused.value.code == "OPTIONS_INVALID"
    assert str(refused.value) == expected
    assert refused.value.details["reason"] == expected


@pytest.mark.parametrize(("size", "expected"), CASES)
def test_client(size: Any, expected: str) -> None:
    with ocikit.Client("127.0.0.1:9", plain_http=True) as client:
        _refused(lambda: next(client.iter_repositories(page_size=size)), f"page_size {expected}")
        _refused(lambda: next(client.iter_tags("x", page_size=size)), f"page_size {expected}")
        _refused(lambda: client.list_tags_page("x", n=size), f"n {expected}")


@pytest.mark.parametrize(("size", "expected"), CASES[:2])
def test_async_client(size: Any, expected: str) -> None:
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
