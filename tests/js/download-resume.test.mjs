// A download cut mid-body is continued by the core engine with Range from the bytes the Client's
// sink holds (the failure input's `received`), for a whole pull as for fetchBlob: the Client
// keeps no resume loop of its own. Before the engine resumed, a cut pull started over from byte 0
// (no Range).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { implementations } from "./vectors.mjs";

const REGISTRY = "registry.test:5000";
const BASE = `http://${REGISTRY}`;
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const text = (s) => new TextEncoder().encode(s);

/** A fetch answering from `routes` (`[method, url, (init) => Response]`, each once, in order). */
function scripted(routes) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, method: init.method, headers: Object.fromEntries(init.headers) });
    const index = routes.findIndex(([method, match]) => method === init.method && match === url);
    assert.ok(index >= 0, `unexpected ${init.method} ${url}`);
    const [[, , answer]] = routes.splice(index, 1);
    return answer(init);
  };
  return { fetch, calls, routes };
}

/** A body that sends `first`, then fails as a dropped connection would. */
function cutBody(first) {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(first);
    },
    pull(controller) {
      controller.error(new TypeError("terminated", { cause: new Error("other side closed") }));
    },
  });
}

for (const [label, ocikit] of implementations) {
  const { Client, digest } = ocikit;
  const blob = text("0123456789abcdefghijklmnopqrstuvwxyz");
  const layer = { mediaType: "text/plain", digest: digest(blob), size: blob.length };
  const manifest = text(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: "application/vnd.oci.empty.v1+json", digest: digest(text("{}")), size: 2 },
      layers: [{ ...layer, annotations: { "org.opencontainers.image.title": "abc.txt" } }],
    }),
  );
  const manifestRoute = [
    "GET",
    `${BASE}/v2/docs/manifests/v1`,
    () => new Response(manifest, { headers: { "Content-Type": MANIFEST, "Docker-Content-Digest": digest(manifest) } }),
  ];
  const blobUrl = `${BASE}/v2/docs/blobs/${layer.digest}`;
  const rest = (from) => () =>
    new Response(blob.subarray(from), { status: 206, headers: { "Content-Range": `bytes ${from}-${blob.length - 1}/${blob.length}` } });
  const client = (fetch) => new Client({ registry: REGISTRY, plainHttp: true, fetch, retry: { baseDelayMs: 1 } });
  const blobRanges = (calls) => calls.filter((c) => c.url === blobUrl).map((c) => c.headers.range);

  describe(`${label}: a cut download continues with Range`, () => {
    test("a pull cut after 10 bytes asks for bytes=10- and appends the 206", async () => {
      const { fetch, calls } = scripted([manifestRoute, ["GET", blobUrl, () => new Response(cutBody(blob.subarray(0, 10)))], ["GET", blobUrl, rest(10)]]);
      const pulled = await client(fetch).pull("docs:v1");
      assert.deepEqual(pulled.files[0].bytes, blob);
      assert.deepEqual(blobRanges(calls), [undefined, "bytes=10-"]);
    });

    test("cut twice: bytes=10-, then bytes=20- from everything held", async () => {
      const { fetch, calls } = scripted([
        manifestRoute,
        ["GET", blobUrl, () => new Response(cutBody(blob.subarray(0, 10)))],
        [
          "GET",
          blobUrl,
          () => new Response(cutBody(blob.subarray(10, 20)), { status: 206, headers: { "Content-Range": `bytes 10-${blob.length - 1}/${blob.length}` } }),
        ],
        ["GET", blobUrl, rest(20)],
      ]);
      const pulled = await client(fetch).pull("docs:v1");
      assert.deepEqual(pulled.files[0].bytes, blob);
      assert.deepEqual(blobRanges(calls), [undefined, "bytes=10-", "bytes=20-"]);
    });

    test("a registry that ignores Range answers 200: the sink starts over and the pull is whole", async () => {
      const { fetch, calls } = scripted([
        manifestRoute,
        ["GET", blobUrl, () => new Response(cutBody(blob.subarray(0, 10)))],
        ["GET", blobUrl, () => new Response(blob)],
      ]);
      const pulled = await client(fetch).pull("docs:v1");
      assert.deepEqual(pulled.files[0].bytes, blob);
      assert.deepEqual(blobRanges(calls), [undefined, "bytes=10-"]);
    });

    test("fetchBlob: a 416 to the Range is followed by the whole blob, without Range", async () => {
      const { fetch, calls } = scripted([
        ["GET", blobUrl, () => new Response(cutBody(blob.subarray(0, 10)))],
        ["GET", blobUrl, () => new Response(null, { status: 416, headers: { "Content-Range": `bytes */${blob.length}` } })],
        ["GET", blobUrl, () => new Response(blob)],
      ]);
      assert.deepEqual(await client(fetch).fetchBlob("docs", layer), blob);
      assert.deepEqual(blobRanges(calls), [undefined, "bytes=10-", undefined]);
    });

    test("a download cut every time gives up after the retry policy's max retries", async () => {
      const routes = [manifestRoute];
      for (let i = 0; i < 3; i += 1) routes.push(["GET", blobUrl, () => new Response(cutBody(blob.subarray(0, 1)))]);
      const { fetch, calls } = scripted(routes);
      const limited = new Client({ registry: REGISTRY, plainHttp: true, fetch, retry: { baseDelayMs: 1, maxRetries: 2 } });
      await assert.rejects(limited.pull("docs:v1"), (e) => e.code === "NETWORK_ERROR");
      assert.equal(blobRanges(calls).length, 3);
    });
  });
}
