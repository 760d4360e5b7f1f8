"""What the Python Client gained to match the JS Client (issue 13): ``list_tags_page(ref, n=,
last=)`` as JS ``listTagsPage`` (sync and async), and ``set_referrers_api`` (the public setter
the CLI's ``--distribution-spec`` uses instead of reaching into the client's sessions), against
docker-registry."""

from __future__ import annotations

import asyncio

import pytest

from conftest import ReferrersRegistry, Registry
from fault_proxy import FaultProxy
from ocikit import AsyncClient, Client, File, TagsPage, ValidationError, pack


@pytest.fixture
def open_registry(registries: dict[str, Registry]) -> Registry:
    return registries["open"]


def _push_tags(client: Client, repo: str, tags: list[str]) -> None:
    packed = pack(
        [File("a.txt", b"a\n", media_type="text/plain")],
        artifact_type="application/vnd.example.parity.v1",
    )
    for tag in tags:
        client.push(f"{repo}:{tag}", packed)


def test_list_tags_page_pages_through_the_tags(referrers_registry: ReferrersRegistry) -> None:
    # go-containerregistry's registry pages tags by n and last (distribution 2.8.2 ignores both).
    address = referrers_registry.address
    client = Client(address, plain_http=True)
    repo = f"{address}/parity/pages"
    _push_tags(client, repo, ["a", "b", "c", "d", "e"])

    first = client.list_tags_page(repo, n=2)
    assert first == TagsPage(tags=["a", "b"], next="b")
    second = client.list_tags_page(repo, n=2, last=first.next)
    assert second == TagsPage(tags=["c", "d"], next="d")
    third = client.list_tags_page(repo, n=2, last=second.next)
    assert third == TagsPage(tags=["e"], next=None)
    assert client.list_tags_page(repo, last="c") == TagsPage(tags=["d", "e"], next=None)
    # A page of exactly n tags is not taken for the last (some registries send no Link).
    assert client.list_tags_page(repo, n=5) == TagsPage(tags=["a", "b", "c", "d", "e"], next="e")
    asked = [e.path for e in referrers_registry.proxy.log if "/parity/pages/tags/list" in e.path]
    assert "/v2/parity/pages/tags/list?n=2&last=b" in asked


def test_list_tags_page_on_distribution(proxy: FaultProxy) -> None:
    # distribution 2.8.2 answers every tag whatever n and last: a page of more than n tags is
    # the whole list; asked after a tag, it sends that tag again, so the core keeps what follows
    # it in the registry's order and ends there (asking after the last tag again would send the
    # same list, forever).
    client = Client(proxy.address, plain_http=True)
    repo = f"{proxy.address}/parity/distribution"
    _push_tags(client, repo, ["a", "b", "c"])
    whole = client.list_tags_page(repo)  # the registry's order, which is not sorted
    assert sorted(whole.tags) == ["a", "b", "c"] and whole.next is None
    page = client.list_tags_page(repo, n=2, last="a")
    assert page == TagsPage(tags=whole.tags[whole.tags.index("a") + 1 :], next=None)
    assert proxy.requests("GET", r"/v2/parity/distribution/tags/list\?n=2&last=a$")
    # Exactly n tags without a Link: maybe capped, so not taken for the last; the page after
    # its last tag is empty and the last (it was the whole list again, and never the last).
    capped = client.list_tags_page(repo, n=3)
    assert capped == TagsPage(tags=whole.tags, next=whole.tags[-1])
    assert client.list_tags_page(repo, n=3, last=capped.next) == TagsPage(tags=[], next=None)


def test_list_tags_page_refuses_bad_arguments(open_registry: Registry) -> None:
    client = Client(open_registry.address, plain_http=True)
    repo = f"{open_registry.address}/parity/bad"
    for n in (0, -1, 2**32, True):
        with pytest.raises(ValidationError) as refused:
            client.list_tags_page(repo, n=n)
        assert refused.value.code == "OPTIONS_INVALID"
    with pytest.raises(ValidationError) as refused:
        client.list_tags_page(repo, last="not a tag!")
    assert refused.value.code == "REFERENCE_INVALID"


def test_async_list_tags_page(referrers_registry: ReferrersRegistry) -> None:
    address = referrers_registry.address
    repo = f"{address}/parity/async-pages"
    _push_tags(Client(address, plain_http=True), repo, ["v1", "v2", "v3"])

    async def pages() -> list[TagsPage]:
        async with AsyncClient(address, plain_http=True) as client:
            first = await client.list_tags_page(repo, n=2)
            return [first, await client.list_tags_page(repo, n=2, last=first.next)]

    assert asyncio.run(pages()) == [
        TagsPage(tags=["v1", "v2"], next="v2"),
        TagsPage(tags=["v3"], next=None),
    ]


def test_set_referrers_api_false_reads_the_referrers_tag_at_once(proxy: FaultProxy) -> None:
    repo = f"{proxy.address}/parity/refs"
    client = Client(proxy.address, plain_http=True)
    _push_tags(client, repo, ["v1"])

    # Left to find out, the client asks the referrers API first.
    client.referrers(f"{repo}:v1")
    assert proxy.requests("GET", r"/v2/parity/refs/referrers/sha256:")

    # Told the registry has none (ORAS's --distribution-spec v1.1-referrers-tag), it goes to
    # the referrers tag without asking.
    told = Client(proxy.address, plain_http=True)
    told.set_referrers_api(False)
    before = len(proxy.log)
    assert told.referrers(f"{repo}:v1") == []
    after = [e.path for e in proxy.log[before:]]
    assert not [p for p in after if "/referrers/" in p], after
    assert [p for p in after if "/manifests/sha256-" in p], after

    # The registry may be named: another registry's session is the one told.
    other = Client("registry.example", plain_http=True)
    other.set_referrers_api(False, proxy.address)
    before = len(proxy.log)
    other.referrers(f"{repo}:v1")
    assert not [e.path for e in proxy.log[before:] if "/referrers/" in e.path]
