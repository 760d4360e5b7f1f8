// The round trips the core's push plan spares and the requests the engine keeps in flight, as
// the JS Client sends them to a real registry (Debian's docker-registry, CNCF distribution
// 2.8.2), counted by a logging fetch: a new artifact's small layers go without a HEAD, a second
// push on the client sends only the manifest, a push to another repository mounts what the
// client saw, and the client runs as many requests at once as the engine hands out (32; a
// given `concurrency` caps it).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Client, pack } from "ocikit";
import { startRegistry } from "./registry-server.mjs";

const TYPE = "application/vnd.example.round-trips.v1";
const text = (/** @type {string} */ s) => new TextEncoder().encode(s);

/** @type {any} */
let registry;

before(async () => {
  registry = await startRegistry();
});

after(async () => {
  await registry?.stop();
});

/** `count` files of 4 KiB each, distinct per `tag`. @param {string} tag @param {number} count */
function files(tag, count) {
  return pack({
    artifactType: TYPE,
    files: Array.from({ length: count }, (_, i) => ({
      name: `f${String(i).padStart(3, "0")}.txt`,
      data: text(`${tag} ${i}\n`.repeat(4096)).slice(0, 4096),
    })),
  });
}

/** A client whose fetch logs each request (`METHOD path?query status`) and counts how many are in flight. */
function logged(options = {}) {
  const log = /** @type {string[]} */ ([]);
  const state = { now: 0, most: 0 };
  /** @type {typeof fetch} */
  const fetching = async (input, init) => {
    state.now += 1;
    state.most = Math.max(state.most, state.now);
    try {
      await new Promise((resolve) => setTimeout(resolve, 10)); // a round trip's worth of holding
      const response = await fetch(input, init);
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      log.push(`${init?.method ?? "GET"} ${url.pathname}${url.search} ${response.status}`);
      return response;
    } finally {
      state.now -= 1;
    }
  };
  const client = new Client({ registry: registry.address, plainHttp: true, fetch: fetching, ...options });
  return { client, log, state };
}

const count = (/** @type {string[]} */ log, /** @type {string} */ method, /** @type {string} */ part = "") =>
  log.filter((l) => l.startsWith(`${method} `) && l.includes(part)).length;

test("a new artifact of 40 small files: 9 HEADs (the config and 8 probes), the rest uploaded at once, 32 in flight", async () => {
  const { client, log, state } = logged();
  const pushed = await client.push("trips/new:v1", files("new", 40));
  assert.ok(pushed.blobs.every((/** @type {any} */ b) => b.status === "uploaded"));
  assert.equal(count(log, "HEAD", "/blobs/"), 9);
  assert.equal(count(log, "POST", "/blobs/uploads/"), 41);
  assert.equal(log.length, 9 + 2 * 41 + 1); // 92, where 3 requests a blob make 124
  assert.equal(state.most, 32);
});

test("a second push of the same blobs on the client sends only the manifest; another repository mounts them", async () => {
  const { client, log } = logged();
  const artifact = files("again", 3);
  await client.push("trips/again:v1", artifact);
  const first = log.length;
  const second = await client.push("trips/again:v2", artifact);
  assert.deepEqual(log.slice(first), ["PUT /v2/trips/again/manifests/v2 201"]);
  assert.ok(second.blobs.every((/** @type {any} */ b) => b.status === "existed"));
  const before = log.length;
  const mounted = await client.push("trips/elsewhere:v1", artifact);
  const sent = log.slice(before);
  assert.equal(count(sent, "HEAD"), 0, sent.join("\n"));
  assert.equal(sent.filter((l) => l.startsWith("POST ") && l.includes("mount=") && l.endsWith(" 201")).length, 4, sent.join("\n"));
  assert.ok(mounted.blobs.every((/** @type {any} */ b) => b.status === "mounted"));
});

test("progress: a push counts every blob from its first report, a copy counts mounted blobs as done", async () => {
  const { client } = logged();
  const artifact = files("progress", 3);
  const total = artifact.blobs.reduce((/** @type {number} */ sum, /** @type {any} */ b) => sum + b.descriptor.size, 0);
  /** @type {[number, number][]} */
  const pushed = [];
  await client.push("trips/progress:v1", artifact, { onProgress: (done, all) => pushed.push([done, all]) });
  assert.deepEqual([...new Set(pushed.map(([, all]) => all))], [total], JSON.stringify(pushed));
  assert.deepEqual(pushed.at(-1), [total, total]);
  // Within the registry every blob is mounted: nothing moves, and all of it is done.
  /** @type {[number, number][]} */
  const copied = [];
  const outcome = await client.copy("trips/progress:v1", "trips/progress-copy:v1", { onProgress: (done, all) => copied.push([done, all]) });
  assert.ok(outcome.blobs.every((/** @type {any} */ b) => b.status === "mounted"), JSON.stringify(outcome.blobs));
  assert.deepEqual(copied.at(-1), [total, total], JSON.stringify(copied));
});

test("a given concurrency caps the requests in flight", async () => {
  const { client, state } = logged({ concurrency: 3 });
  await client.push("trips/capped:v1", files("capped", 12));
  assert.equal(state.most, 3);
});

test("a push and a pull of 40 blobs at the engine's concurrency print no MaxListenersExceededWarning", async () => {
  // Each request in flight listens to the operation's own abort signal (up to 32 at once);
  // Node warned "possible EventTarget memory leak" past ten listeners, on every such push.
  const warnings = /** @type {Error[]} */ ([]);
  const onWarning = (/** @type {Error} */ warning) => warnings.push(warning);
  process.on("warning", onWarning);
  try {
    const client = new Client({ registry: registry.address, plainHttp: true });
    const packed = files("listeners", 40);
    await client.push("round-trips/listeners:v1", packed);
    const pulled = await client.pull("round-trips/listeners:v1");
    assert.equal(pulled.files.length, 40);
    // Warnings are emitted on a later tick.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off("warning", onWarning);
  }
  assert.deepEqual(
    warnings.map((w) => `${w.name}: ${w.message}`),
    [],
  );
});
