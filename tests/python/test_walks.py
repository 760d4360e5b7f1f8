"""The graph walks of copy and discover: the scenarios of tests/vectors/walks/ through the
binding's ``GraphWalk`` / ``ReferrerWalk``, and the real ``Client`` (and ``ocikit.copy`` to a
layout) against a small hostile registry on 127.0.0.1 that serves them.

Before the core walked these graphs, a copy of an index listing the same child twice made
2^(depth+1) - 1 requests with a thread per child, and a discover against a registry that makes
referrers up died of RecursionError after 975 requests."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import VECTORS

import ocikit
from ocikit.errors import LimitExceededError, OciError

SCENARIOS = {
    path.stem: json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((VECTORS / "walks").glob("*.json"))
}
INDEX = "application/vnd.oci.image.index.v1+json"


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Graph:
    """A scenario's registry content: documents, blobs, referrer listings, and referrers made
    up on demand (``invent``)."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.scenario = scenario
        self.documents = {
            digest: (entry["mediaType"], entry["content"].encode())
            for digest, entry in scenario["documents"].items()
        }
        self.blobs = {digest: text.encode() for digest, text in scenario["blobs"].items()}
        self.lock = threading.Lock()

    def listing(self, subject: str) -> list[dict[str, Any]]:
        listed = self.scenario["listings"].get(subject)
        if listed is not None:
            return list(listed)
        invent = self.scenario.get("invent")
        if invent is None:
            return []
        data = invent["template"].replace("{subject}", subject).encode()
        digest = _sha256(data)
        with self.lock:
            self.documents[digest] = (invent["mediaType"], data)
        return [
            {
                "mediaType": invent["mediaType"],
                "digest": digest,
                "size": len(data),
                "artifactType": invent["artifactType"],
            }
        ]


def _descriptor(value: dict[str, Any]) -> ocikit.Descriptor:
    return ocikit.Descriptor.from_json(json.dumps(value))


def _limits(scenario: dict[str, Any]) -> ocikit.WalkLimits:
    return ocikit.WalkLimits(**scenario.get("limits", {}))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenarios_through_the_binding(name: str) -> None:
    scenario = SCENARIOS[name]
    expect = scenario["expect"]
    graph = Graph(scenario)
    counts: Counter[str] = Counter()

    def fetch(digest: str) -> bytes:
        counts["fetches"] += 1
        return graph.documents[digest][1]

    def listing(digest: str) -> list[ocikit.Descriptor]:
        counts["listings"] += 1
        return [_descriptor(d) for d in graph.listing(digest)]

    root = _descriptor(scenario["root"])
    try:
        if scenario["walk"] == "graph":
            walk = ocikit.GraphWalk(root, referrers=scenario["referrers"], limits=_limits(scenario))
            while batch := walk.next_batch():
                for step in batch:
                    digest = step.descriptor.digest
                    if step.kind == "fetch":
                        walk.provide_document(digest, fetch(digest))
                    else:
                        walk.provide_referrers(digest, listing(digest))
            plan = walk.finish()
            assert len(plan.blobs) == expect["blobs"]
            assert len(plan.manifests) == expect["waves"]
            if "order" in expect:
                got = [[d.descriptor.digest for d in wave] for wave in plan.manifests]
                assert got == expect["order"]
        else:
            referrer_walk = ocikit.ReferrerWalk(
                root.digest, depth=scenario["depth"], limits=_limits(scenario)
            )
            while subjects := referrer_walk.next_batch():
                for subject in subjects:
                    referrer_walk.provide(subject, listing(subject))
            tree = referrer_walk.finish()
            if "tree" in expect:
                assert _shape(tree) == expect["tree"]
            if "nodes" in expect:
                assert _count(tree) == expect["nodes"]
        assert expect["error"] is None
    except OciError as error:
        assert error.code == expect["error"], error
        if "setting" in expect:
            assert error.details["setting"] == expect["setting"]
            assert expect["setting"] in str(error)
    assert counts["fetches"] == expect.get("fetches", 0)
    assert counts["listings"] == expect["listings"]


def test_a_document_the_host_lacks_is_left_out_of_the_plan() -> None:
    scenario = SCENARIOS["copy-index-with-referrers"]
    graph = Graph(scenario)
    [[first, second], [index, _]] = scenario["expect"]["order"]
    walk = ocikit.GraphWalk([_descriptor(scenario["root"])])
    while batch := walk.next_batch():
        for step in batch:
            digest = step.descriptor.digest
            if digest == first:
                walk.provide_missing(digest)
            else:
                walk.provide_document(digest, graph.documents[digest][1])
    plan = walk.finish()
    assert [[d.descriptor.digest for d in wave] for wave in plan.manifests] == [[second], [index]]
    with pytest.raises(OciError) as raised:
        walk.finish()
    assert raised.value.code == "PROTOCOL_ERROR"


def _shape(nodes: Any) -> list[dict[str, Any]]:
    return [{"digest": n.descriptor.digest, "referrers": _shape(n.referrers)} for n in nodes]


def _count(nodes: Any) -> int:
    return sum(1 + _count(n.referrers) for n in nodes)


# A hostile registry ------------------------------------------------------------------------


class Registry:
    """Serves a scenario's graph from every repository; records requests and the most that
    were in flight at once."""

    def __init__(self, scenario: dict[str, Any]) -> None:
        self.graph = Graph(scenario)
        self.requests: Counter[str] = Counter()
        self.in_flight = 0
        self.peak = 0
        self.lock = threading.Lock()
        registry = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go in two writes: without this, Nagle's algorithm and the
                # client's delayed ACK hold each answer for 40 ms.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                registry.handle(self)

            do_HEAD = do_PUT = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(0.002)  # long enough for concurrent requests to overlap
            self.answer(request)
        finally:
            with self.lock:
                self.in_flight -= 1

    def answer(self, request: BaseHTTPRequestHandler) -> None:
        method, path = request.command, request.path.split("?")[0]
        parts = path.split("/")
        body = b""
        if method == "PUT":
            body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        kind = parts[-2] if len(parts) >= 4 else "base"
        key = f"{method} {kind}"
        with self.lock:
            self.requests[key] += 1
        graph = self.graph
        if kind == "base":
            return self.send(request, 200, b"{}", "application/json")
        target = parts[-1]
        if kind == "manifests" and method == "PUT":
            headers = {"Docker-Content-Digest": _sha256(body)}
            subject = json.loads(body).get("subject")
            if subject is not None:  # a registry with the referrers API says it indexed it
                headers["OCI-Subject"] = subject["digest"]
            return self.send(request, 201, b"", None, headers)
        if kind == "manifests" and target in graph.documents:
            media_type, data = graph.documents[target]
            return self.send(request, 200, data, media_type, {"Docker-Content-Digest": target})
        if kind == "blobs" and target in graph.blobs:
            data = graph.blobs[target]
            return self.send(
                request, 200, data, "application/octet-stream", {"Docker-Content-Digest": target}
            )
        if kind == "referrers":
            index = {"schemaVersion": 2, "mediaType": INDEX, "manifests": graph.listing(target)}
            return self.send(request, 200, json.dumps(index).encode(), INDEX)
        error = {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "unknown"}]}
        return self.send(request, 404, json.dumps(error).encode(), "application/json")

    @staticmethod
    def send(
        request: BaseHTTPRequestHandler,
        status: int,
        data: bytes,
        media_type: str | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        request.send_response(status)
        if media_type is not None:
            request.send_header("Content-Type", media_type)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        if request.command != "HEAD":
            request.wfile.write(data)


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[Registry] = []

    def start(name: str) -> Registry:
        registry = Registry(SCENARIOS[name])
        started.append(registry)
        return registry

    yield start
    for registry in started:
        registry.close()


def _root(registry: Registry, repository: str = "src") -> str:
    return f"{registry.host}/{repository}@{registry.graph.scenario['root']['digest']}"


CONCURRENCY = 4


def _client(registry: Registry) -> ocikit.Client:
    return ocikit.Client(registry.host, plain_http=True, concurrency=CONCURRENCY)


def test_copy_of_an_index_listing_a_child_twice_fetches_each_digest_once(serve: Any) -> None:
    registry = serve("index-lists-child-twice-depth-10")
    start = time.monotonic()
    with _client(registry) as client:
        copied = client.copy(_root(registry), f"{registry.host}/dst:v1").descriptor
    assert copied.digest == registry.graph.scenario["root"]["digest"]
    assert time.monotonic() - start < 10
    # 11 documents: each fetched once and put once (2,047 GETs before); both blobs checked.
    assert registry.requests["GET manifests"] == 11
    assert registry.requests["PUT manifests"] == 11
    assert registry.requests["HEAD blobs"] == 2
    assert registry.peak <= CONCURRENCY


def test_copy_past_the_depth_limit_is_limit_exceeded(serve: Any) -> None:
    registry = serve("index-chain-over-depth-limit")
    start = time.monotonic()
    with _client(registry) as client, pytest.raises(LimitExceededError) as raised:
        client.copy(_root(registry), f"{registry.host}/dst:v1")
    assert time.monotonic() - start < 10
    assert raised.value.code == "LIMIT_EXCEEDED"
    assert raised.value.details["setting"] == "WalkLimits.max_depth"
    assert raised.value.details["max"] == 32
    assert registry.requests["GET manifests"] == 33
    assert registry.requests["PUT manifests"] == 0  # nothing is written before the plan holds
    assert registry.peak <= CONCURRENCY


def test_copy_depth_40_within_raised_limits(serve: Any) -> None:
    registry = serve("index-lists-child-twice-depth-40")
    with _client(registry) as client:
        client.copy(
            _root(registry), f"{registry.host}/dst:v1", limits=ocikit.WalkLimits(max_depth=64)
        )
    assert registry.requests["GET manifests"] == 41
    assert registry.requests["PUT manifests"] == 41


def test_copy_with_referrers_stops_on_an_invented_chain(serve: Any) -> None:
    registry = serve("copy-invented-referrer-chain")
    start = time.monotonic()
    with _client(registry) as client, pytest.raises(LimitExceededError):
        client.copy(_root(registry), f"{registry.host}/dst:v1", referrers=True)
    assert time.monotonic() - start < 10
    assert registry.requests["GET manifests"] == 33
    assert registry.requests["GET referrers"] == 33


def test_copy_with_referrers_refuses_a_cycle_a_registry_claims(serve: Any) -> None:
    registry = serve("copy-referrers-cycle")
    with _client(registry) as client, pytest.raises(OciError) as raised:
        client.copy(_root(registry), f"{registry.host}/dst:v1", referrers=True)
    assert raised.value.code == "PROTOCOL_ERROR"
    assert registry.requests["GET manifests"] == 2
    assert registry.requests["PUT manifests"] == 0


def test_copy_with_referrers_writes_children_and_subjects_first(serve: Any) -> None:
    registry = serve("copy-index-with-referrers")
    order: list[str] = []
    original = registry.answer

    def recording(request: BaseHTTPRequestHandler) -> None:
        if request.command == "PUT":
            with registry.lock:
                order.append(request.path.rsplit("/", 1)[1])
        original(request)

    registry.answer = recording  # type: ignore[method-assign]
    with _client(registry) as client:
        client.copy(_root(registry), f"{registry.host}/dst:v1", referrers=True)
    expected = registry.graph.scenario["expect"]["order"]
    # Each wave in any order; waves in order; the root under its tag.
    root = registry.graph.scenario["root"]["digest"]
    written = [name if name != "v1" else root for name in order]
    assert sorted(written[:2]) == sorted(expected[0])
    assert sorted(written[2:]) == sorted(expected[1])


def test_discover_of_an_invented_chain_is_limit_exceeded(serve: Any) -> None:
    registry = serve("discover-invented-chain")
    start = time.monotonic()
    with _client(registry) as client, pytest.raises(LimitExceededError) as raised:
        client.discover(_root(registry))
    assert time.monotonic() - start < 10
    assert raised.value.details["setting"] == "WalkLimits.max_depth"
    assert registry.requests["GET referrers"] == 33


def test_discover_with_depth_and_limits(serve: Any) -> None:
    registry = serve("discover-invented-chain-depth-3")
    with _client(registry) as client:
        tree = client.discover(_root(registry), depth=3)
        assert _count(tree) == 3
        assert registry.requests["GET referrers"] == 3
        with pytest.raises(LimitExceededError) as raised:
            client.discover(_root(registry), limits=ocikit.WalkLimits(max_depth=5))
        with pytest.raises(ValueError):
            client.discover(_root(registry), depth=-1)
    assert raised.value.details["max"] == 5


def test_discover_of_a_cycle_lists_each_digest_once(serve: Any) -> None:
    registry = serve("discover-cycle")
    with _client(registry) as client:
        tree = client.discover(_root(registry))
    assert _shape(tree) == registry.graph.scenario["expect"]["tree"]
    assert isinstance(tree[0], ocikit.Referrer)
    assert registry.requests["GET referrers"] == 3


def test_copy_to_a_layout_and_discover_there(serve: Any, tmp_path: Path) -> None:
    registry = serve("copy-index-with-referrers")
    layout = ocikit.OciLayout(tmp_path / "layout")
    with _client(registry) as client:
        copied = ocikit.copy(client, _root(registry), layout, "v1", referrers=True)
    scenario = registry.graph.scenario
    assert copied.digest == scenario["root"]["digest"]
    assert registry.requests["GET manifests"] == 4
    assert registry.requests["GET blobs"] == 6  # each blob once, though two manifests share one
    assert layout.verify().valid
    first = scenario["expect"]["order"][0][0]
    signature = scenario["expect"]["order"][1][1]
    tree = layout.discover(first)
    assert [node.descriptor.digest for node in tree] == [signature]
    # As a referrers listing shows it: the artifact type, read by the core from the document.
    assert tree[0].descriptor.artifact_type == "application/vnd.example.signature.v1"
    with pytest.raises(LimitExceededError):
        layout.discover(first, limits=ocikit.WalkLimits(max_nodes=0))


def test_copy_from_a_layout_walks_with_the_core(serve: Any, tmp_path: Path) -> None:
    registry = serve("index-lists-child-twice-depth-10")
    source = ocikit.OciLayout(tmp_path / "src")
    with _client(registry) as client:
        ocikit.copy(client, _root(registry), source, "v1")
    destination = ocikit.OciLayout(tmp_path / "dst")
    copied = ocikit.copy(source, "v1", destination, "v2")
    assert copied.digest == registry.graph.scenario["root"]["digest"]
    assert destination.resolve("v2").digest == copied.digest
    assert destination.verify().valid
    with pytest.raises(LimitExceededError):
        ocikit.copy(source, "v1", destination, "v3", limits=ocikit.WalkLimits(max_depth=3))
