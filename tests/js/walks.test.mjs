// The graph walks of copy and discover: the scenarios of tests/vectors/walks/ through the
// package's GraphWalk and ReferrerWalk, and Client.discover against a registry on 127.0.0.1
// that serves them. Before the core walked these trees, discover against a registry that
// makes referrers up never stopped (111k requests in 120 s).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { after, describe, test } from "node:test";
import { Client, GraphWalk, OciError, ReferrerWalk, isIndexType, isManifestType } from "ocikit";
import { listen } from "./hostile-server.mjs";

const WALKS = new URL("../vectors/walks/", import.meta.url);
/** @type {Map<string, any>} */
const scenarios = new Map(
  readdirSync(WALKS)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => [name.slice(0, -5), JSON.parse(readFileSync(new URL(name, WALKS), "utf8"))]),
);
const INDEX = "application/vnd.oci.image.index.v1+json";
const text = (/** @type {string} */ s) => new TextEncoder().encode(s);
const sha256 = (/** @type {Uint8Array} */ data) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** A scenario's registry content: documents by digest, listings, and referrers made up on demand. */
class Graph {
  /** @param {any} scenario */
  constructor(scenario) {
    this.scenario = scenario;
    /** @type {Map<string, { mediaType: string, bytes: Uint8Array }>} */
    this.documents = new Map(
      Object.entries(scenario.documents).map(([digest, entry]) => [digest, { mediaType: entry.mediaType, bytes: text(entry.content) }]),
    );
  }

  /** @param {string} subject @returns {any[]} */
  listing(subject) {
    const listed = this.scenario.listings[subject];
    if (listed !== undefined) return listed;
    const invent = this.scenario.invent;
    if (invent === undefined) return [];
    const bytes = text(invent.template.replace("{subject}", subject));
    const digest = sha256(bytes);
    this.documents.set(digest, { mediaType: invent.mediaType, bytes });
    return [{ mediaType: invent.mediaType, digest, size: bytes.length, artifactType: invent.artifactType }];
  }
}

/** @param {any} scenario */
function limits(scenario) {
  const given = scenario.limits ?? {};
  return { maxDepth: given.max_depth, maxNodes: given.max_nodes };
}

/** @param {any[]} nodes @returns {any[]} */
const shape = (nodes) => nodes.map((n) => ({ digest: n.descriptor.digest, referrers: shape(n.referrers) }));
/** @param {any[]} nodes @returns {number} */
const count = (nodes) => nodes.reduce((sum, n) => sum + 1 + count(n.referrers), 0);

describe("walk scenarios through the package", () => {
  for (const [name, scenario] of scenarios) {
    test(name, () => {
      const graph = new Graph(scenario);
      const expect = scenario.expect;
      let fetches = 0;
      let listings = 0;
      try {
        if (scenario.walk === "graph") {
          const walk = new GraphWalk(scenario.root, { referrers: scenario.referrers, limits: limits(scenario) });
          for (let batch = walk.nextBatch(); batch.length > 0; batch = walk.nextBatch()) {
            for (const step of batch) {
              const { digest } = step.descriptor;
              if (step.kind === "fetch") {
                fetches += 1;
                walk.provideDocument(digest, /** @type {{ bytes: Uint8Array }} */ (graph.documents.get(digest)).bytes);
              } else {
                listings += 1;
                walk.provideReferrers(digest, graph.listing(digest));
              }
            }
          }
          assert.equal(walk.isDone, true);
          const plan = walk.finish();
          assert.equal(plan.blobs.length, expect.blobs);
          assert.equal(plan.manifests.length, expect.waves);
          if (expect.order) assert.deepEqual(plan.manifests.map((wave) => wave.map((d) => d.descriptor.digest)), expect.order);
        } else {
          const walk = new ReferrerWalk(scenario.root.digest, { depth: scenario.depth ?? undefined, limits: limits(scenario) });
          for (let batch = walk.nextBatch(); batch.length > 0; batch = walk.nextBatch()) {
            for (const digest of batch) {
              listings += 1;
              walk.provide(digest, graph.listing(digest));
            }
          }
          const tree = walk.finish();
          if (expect.tree) assert.deepEqual(shape(tree), expect.tree);
          if (expect.nodes !== undefined) assert.equal(count(tree), expect.nodes);
        }
        assert.equal(expect.error, null);
      } catch (error) {
        if (!(error instanceof OciError)) throw error;
        assert.equal(error.code, expect.error, error.message);
        if (expect.setting) {
          assert.equal(/** @type {any} */ (error.details).setting, expect.setting);
          assert.match(error.message, new RegExp(expect.setting.replace(".", "\\.")));
        }
      }
      assert.equal(fetches, expect.fetches ?? 0);
      assert.equal(listings, expect.listings);
    });
  }

  test("media type sets come from the core", () => {
    assert.equal(isIndexType(INDEX), true);
    assert.equal(isIndexType("application/vnd.docker.distribution.manifest.list.v2+json"), true);
    assert.equal(isIndexType("application/vnd.oci.image.manifest.v1+json"), false);
    assert.equal(isManifestType("application/vnd.docker.distribution.manifest.v2+json"), true);
    assert.equal(isManifestType("text/plain"), false);
  });

  test("a document the host lacks is left out of the plan (a partial layout)", () => {
    const scenario = scenarios.get("copy-index-with-referrers");
    const graph = new Graph(scenario);
    const [[first, second], [index]] = scenario.expect.order;
    const walk = new GraphWalk(scenario.root);
    for (let batch = walk.nextBatch(); batch.length > 0; batch = walk.nextBatch()) {
      for (const { descriptor } of batch) {
        if (descriptor.digest === first) walk.provideMissing(descriptor.digest);
        else walk.provideDocument(descriptor.digest, /** @type {{ bytes: Uint8Array }} */ (graph.documents.get(descriptor.digest)).bytes);
      }
    }
    const plan = walk.finish();
    assert.deepEqual(plan.manifests.map((wave) => wave.map((d) => d.descriptor.digest)), [[second], [index]]);
    assert.equal(plan.manifests[1][0].subject, null);
    assert.ok(plan.manifests[1][0].bytes instanceof Uint8Array);
  });

  test("a root fetched by tag starts the walk provided", () => {
    const scenario = scenarios.get("index-lists-child-twice-depth-10");
    const root = new Graph(scenario).documents.get(scenario.root.digest);
    const walk = GraphWalk.fromFetched("application/json; charset=utf-8", scenario.root.digest, /** @type {{ bytes: Uint8Array }} */ (root).bytes);
    const [step] = walk.nextBatch();
    assert.equal(step.kind, "fetch");
    assert.notEqual(step.descriptor.digest, scenario.root.digest, "the root is not asked for again");
    const bad = GraphWalk.fromFetched(INDEX, scenario.root.digest, text("{}"));
    assert.throws(() => bad.nextBatch(), (e) => e instanceof OciError && e.code === "DIGEST_MISMATCH");
  });

  test("arguments are checked", () => {
    assert.throws(() => new ReferrerWalk("sha256:nope"), (e) => e instanceof OciError && e.code === "DIGEST_INVALID");
    assert.throws(() => new ReferrerWalk(sha256(text("x")), { limits: { maxDepth: -1 } }), RangeError);
    assert.throws(() => new ReferrerWalk(sha256(text("x")), { deep: 1 }), TypeError);
    const walk = new ReferrerWalk(sha256(text("x")));
    assert.throws(() => walk.provide(sha256(text("y")), []), (e) => e instanceof OciError && e.code === "PROTOCOL_ERROR");
  });
});

/**
 * A registry serving a scenario: manifests by digest, the referrers API; it counts requests
 * and the most in flight at once.
 * @param {any} scenario
 */
async function serve(scenario) {
  const graph = new Graph(scenario);
  const stats = { referrers: 0, manifests: 0, inFlight: 0, peak: 0 };
  const server = await listen(async (request, response) => {
    stats.inFlight += 1;
    stats.peak = Math.max(stats.peak, stats.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    stats.inFlight -= 1;
    const path = (request.url ?? "").split("?")[0];
    const parts = path.split("/");
    const kind = parts.at(-2);
    const target = parts.at(-1) ?? "";
    if (kind === "referrers") {
      stats.referrers += 1;
      const body = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: graph.listing(target) });
      response.writeHead(200, { "Content-Type": INDEX, "Content-Length": Buffer.byteLength(body) });
      response.end(body);
      return;
    }
    const document = graph.documents.get(target);
    if (kind === "manifests" && document !== undefined) {
      stats.manifests += 1;
      response.writeHead(200, { "Content-Type": document.mediaType, "Docker-Content-Digest": target, "Content-Length": document.bytes.length });
      response.end(request.method === "HEAD" ? undefined : document.bytes);
      return;
    }
    const body = JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "unknown" }] });
    response.writeHead(404, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    response.end(body);
  });
  return { server, stats, root: `${server.address}/src@${scenario.root.digest}` };
}

describe("Client.discover against a registry that lies", () => {
  /** @type {{ close: () => Promise<void> }[]} */
  const servers = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  // Before the core walked the tree, this discover never ended: the timeout makes that a failure.
  test("referrers made up without end: LIMIT_EXCEEDED after 33 listings", { timeout: 20_000 }, async () => {
    const { server, stats, root } = await serve(scenarios.get("discover-invented-chain"));
    servers.push(server);
    const client = new Client({ registry: server.address, plainHttp: true, concurrency: 4 });
    const started = performance.now();
    await assert.rejects(client.discover(root), (error) => {
      assert.ok(error instanceof OciError);
      assert.equal(error.code, "LIMIT_EXCEEDED");
      assert.equal(/** @type {any} */ (error.details).setting, "WalkLimits.max_depth");
      return true;
    });
    assert.ok(performance.now() - started < 10_000);
    assert.equal(stats.referrers, 33);
  });

  test("depth and limits", async () => {
    const { server, stats, root } = await serve(scenarios.get("discover-invented-chain-depth-3"));
    servers.push(server);
    const client = new Client({ registry: server.address, plainHttp: true });
    assert.equal(count(await client.discover(root, { depth: 3 })), 3);
    assert.equal(stats.referrers, 3);
    await assert.rejects(client.discover(root, { limits: { maxDepth: 5 } }), (error) => error instanceof OciError && error.code === "LIMIT_EXCEEDED");
  });

  test("a cycle: each digest once", async () => {
    const scenario = scenarios.get("discover-cycle");
    const { server, stats, root } = await serve(scenario);
    servers.push(server);
    const client = new Client({ registry: server.address, plainHttp: true });
    assert.deepEqual(shape(await client.discover(root)), scenario.expect.tree);
    assert.equal(stats.referrers, 3);
  });

  test("a wide level is listed concurrency at a time", async () => {
    // The root has 20 referrers; each has none. The second level's 20 listings run 4 at once.
    const scenario = structuredClone(scenarios.get("discover-over-node-limit"));
    delete scenario.limits;
    const { server, stats, root } = await serve(scenario);
    servers.push(server);
    const client = new Client({ registry: server.address, plainHttp: true, concurrency: 4 });
    const tree = await client.discover(root);
    assert.equal(tree.length, 20);
    assert.equal(stats.referrers, 21);
    assert.ok(stats.peak <= 4, `at most 4 requests at once, saw ${stats.peak}`);
    assert.ok(stats.peak > 1, "the level's listings overlap");
  });
});
