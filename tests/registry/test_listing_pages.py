"""Listings paged through real registries, following what each one sends:

- Debian's docker-registry (distribution 2.8.2) pages its catalog with its own
  ``Link: </v2/_catalog?last=…&n=…>; rel="next"`` (100 repositories a page when ``n`` is not
  given), and ignores ``n`` and ``last`` on tag lists: every tag in one answer, no ``Link``;
- the referrers-API test registry honours ``n`` and ``last`` on tag lists and sends no ``Link``.

Each request is recorded on its way through the real transport, so the tests see that the URL
of each page is the one the registry's ``Link`` named. A fresh docker-registry holds exactly
the 250 repositories pushed here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

import ocikit
from conftest import ReferrersRegistry, Registry, _start
from ocikit import Client, File, StdlibTransport

TYPE = "application/vnd.example.pages.v1"
REPOSITORIES = [f"pages/r{i:03}" for i in range(250)]
TAGS = [f"t{i:03}" for i in range(250)]


class Recording:
    """The standard transport, noting each request's URL and the answer's status and
    ``Link``."""

    def __init__(self) -> None:
        self.inner = StdlibTransport()
        self.seen: list[tuple[str, int, str | None]] = []

    def send(self, request: Any, *, source: Any = None, sink: Any = None) -> Any:
        response = self.inner.send(request, source=source, sink=sink)
        link = next((v for k, v in response.headers if k.lower() == "link"), None)
        self.seen.append((request.url, response.status, link))
        return response

    def close(self) -> None:
        self.inner.close()

    def asked(self, path: str) -> list[tuple[str, int, str | None]]:
        return [seen for seen in self.seen if f"{path}?" in seen[0] or seen[0].endswith(path)]


def _followed_links(address: str, asked: list[tuple[str, int, str | None]]) -> None:
    """Each page after the first is the one the page before linked to; the last links nowhere."""
    for (_, status, link), (next_url, _, _) in zip(asked, asked[1:]):
        assert status == 200 and link is not None
        target = re.fullmatch(r'<([^>]+)>;\s*rel="next"', link)
        assert target is not None, link
        assert next_url == f"http://{address}{target.group(1)}"
    assert asked[-1][1] == 200 and asked[-1][2] is None


def _packed() -> ocikit.Packed:
    return ocikit.pack([File("page.txt", b"page\n")], artifact_type=TYPE)


@pytest.fixture(scope="module")
def catalog_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A docker-registry of its own holding exactly the 250 repositories."""
    registry = _start("open", tmp_path_factory.mktemp("registry-catalog"))
    try:
        packed = _packed()
        with Client(registry.address, plain_http=True) as client:
            for repository in REPOSITORIES:
                client.push(f"{repository}:v1", packed)
        yield registry
    finally:
        registry.stop()


def _tagged(client: Client, repository: str) -> None:
    client.push(f"{repository}:{TAGS[0]}", _packed())
    for tag in TAGS[1:]:
        client.tag(f"{repository}:{TAGS[0]}", tag)


def test_the_catalog_pages_follow_the_registrys_link(catalog_registry: Registry) -> None:
    address = catalog_registry.address
    recording = Recording()
    with Client(address, plain_http=True, transport=recording) as client:
        paged = list(client.iter_repositories(page_size=100))
    assert paged == REPOSITORIES
    asked = recording.asked("/v2/_catalog")
    assert [url for url, _, _ in asked][0] == f"http://{address}/v2/_catalog?n=100"
    assert len(asked) == 3  # 100, 100, 50: the registry's two links followed
    _followed_links(address, asked)
    assert "last=pages%2Fr099" in asked[1][0] and "last=pages%2Fr199" in asked[2][0]


def test_the_whole_catalog_at_once_follows_the_registrys_default_pages(
    catalog_registry: Registry, ocikit: Any
) -> None:
    address = catalog_registry.address
    recording = Recording()
    with Client(address, plain_http=True, transport=recording) as client:
        every = list(client.iter_repositories())
    assert every == REPOSITORIES
    asked = recording.asked("/v2/_catalog")
    assert asked[0][0] == f"http://{address}/v2/_catalog"
    assert len(asked) == 3  # distribution's own 100 a page, by its links
    _followed_links(address, asked)
    # The command line lists the same.
    assert ocikit("repo", "ls", "--plain-http", address).out.split() == REPOSITORIES


def test_tags_from_a_registry_that_ignores_n(registries: dict[str, Registry]) -> None:
    """distribution 2.8.2 sends all 250 tags for ``n=100``: one page, the whole list, one request
    each way of asking, and no ``Link`` to follow."""
    address = registries["open"].address
    repository = "pages/ignores-n"
    with Client(address, plain_http=True) as client:
        _tagged(client, repository)
    recording = Recording()
    with Client(address, plain_http=True, transport=recording) as client:
        page = client.list_tags_page(repository, n=100)
        assert sorted(page.tags) == TAGS and page.next is None
        assert sorted(client.iter_tags(repository, page_size=100)) == TAGS
        assert sorted(client.list_tags(repository)) == TAGS
    asked = recording.asked(f"/v2/{repository}/tags/list")
    assert [url.partition("?")[2] for url, _, _ in asked] == ["n=100", "n=100", ""]
    assert all(status == 200 and link is None for _, status, link in asked)


def test_tags_from_a_registry_that_pages_without_link(
    referrers_registry: ReferrersRegistry,
) -> None:
    """The referrers-API test registry answers ``n=100`` with 100 tags and no ``Link``: the page
    after a full page is asked with ``last``, by the tag browser's pages and by the iterator
    alike (which stopped after 100 of the 250 tags before)."""
    address = referrers_registry.address
    repository = "pages/no-link"
    with Client(address, plain_http=True) as client:
        _tagged(client, repository)
    recording = Recording()
    with Client(address, plain_http=True, transport=recording) as client:
        pages = [client.list_tags_page(repository, n=100)]
        while pages[-1].next is not None:
            pages.append(client.list_tags_page(repository, n=100, last=pages[-1].next))
        assert [len(p.tags) for p in pages] == [100, 100, 50]
        assert [t for p in pages for t in p.tags] == TAGS
        assert [p.next for p in pages] == ["t099", "t199", None]
        iterated = list(client.iter_tags(repository, page_size=100))
        assert iterated == TAGS
        assert client.list_tags(repository) == TAGS
    asked = [url.partition("?")[2] for url, _, _ in recording.asked(f"/v2/{repository}/tags/list")]
    by_pages = ["n=100", "n=100&last=t099", "n=100&last=t199"]
    # The iterator asks as the pages did; a page of 50 is not full, so nothing after it.
    assert asked == by_pages + by_pages + [""]
