"""The ``async`` extra carries what ``AsyncClient`` needs at run time: httpx, and sniffio, which
httpcore imports to tell asyncio from trio each time it sets up a lock. Without sniffio that
import fails and is tried again on every request (a search of ``sys.path`` each time)."""

from __future__ import annotations

import asyncio
import importlib.abc
import sys
import tomllib
from typing import Any

import pytest

import ocikit
from conftest import ROOT, Registry
from ocikit import File

pytest.importorskip("httpx")


def test_the_async_extra_lists_httpx_and_sniffio() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {
        spec.split(">")[0].split("=")[0].split("<")[0].strip()
        for spec in project["optional-dependencies"]["async"]
    }
    assert names >= {"httpx", "sniffio"}


class _Lookups(importlib.abc.MetaPathFinder):
    """Counts the searches for a module (a module already imported is not searched for)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname == self.name:
            self.count += 1
        return None


def test_async_requests_do_not_search_for_sniffio_each_time(
    registries: dict[str, Registry],
) -> None:
    registry = registries["open"]
    packed = ocikit.pack(
        [File("a.txt", b"sniffio\n")], artifact_type="application/vnd.example.sniffio.v1"
    )
    lookups = _Lookups("sniffio")

    async def scenario() -> list[list[str]]:
        async with ocikit.AsyncClient(registry.address, plain_http=True) as client:
            await client.push("extra/sniffio:v1", packed)
            return [await client.list_tags("extra/sniffio") for _ in range(5)]

    sys.meta_path.insert(0, lookups)
    try:
        listed = asyncio.run(scenario())
    finally:
        sys.meta_path.remove(lookups)
    assert listed == [["v1"]] * 5
    # Installed, sniffio is imported once (or was already); missing, it is searched for on
    # every request.
    assert lookups.count <= 1, f"sniffio searched for {lookups.count} times"
    import sniffio  # the extra installs it

    assert sniffio.current_async_library is not None
