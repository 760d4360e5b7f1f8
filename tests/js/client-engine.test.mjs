// The Client on the core's whole operations (issue 10): each defect the issue lists on the JS
// side, against Debian's docker-registry (CNCF distribution 2.8.2: no referrers API, so every
// referrer goes through the referrers tag), and with a fetch that must never be called.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Client, OciError, pack, packIndex, parseReference } from "ocikit";
import * as wasmEntry from "ocikit/wasm";
import { HTPASSWD_BIN, startRegistry } from "./registry-server.mjs";
import { hostileRegistry, json } from "./hostile-server.mjs";
import { existsSync, readFileSync } from "node:fs";

const ARTIFACT_TYPE = "application/vnd.example.docs.config.v1+json";
const SIGNATURE_TYPE = "application/vnd.example.signature.config.v1+json";
const INDEX_TYPE = "application/vnd.oci.image.index.v1+json";
const text = (/** @type {string} */ s) => new TextEncoder().encode(s);

/** @type {{ address: string, stop: () => Promise<void> }} */
let open;
/** @type {{ address: string, stop: () => Promise<void> }} */
let other;
/** @type {Client} */
let client;

before(async () => {
  [open, other] = await Promise.all([startRegistry(), startRegistry()]);
  client = new Client({ registry: open.address, plainHttp: true });
});

after(async () => {
  await Promise.all([open?.stop(), other?.stop()]);
});

/** @param {Record<string, string>} files @param {object} [extra] */
function packFiles(files, extra = {}) {
  return pack({
    artifactType: ARTIFACT_TYPE,
    files: Object.entries(files).map(([name, data]) => ({ name, data: text(data) })),
    ...extra,
  });
}

/** A fetch that fails the test when called. */
const noFetch = /** @type {typeof fetch} */ (async () => assert.fail("fetch must not be called"));

test("pushManifest of an index with a subject keeps the referrers tag (registry without the referrers API)", async () => {
  const app = packFiles({ "app.md": "# App\n" });
  await client.push("docs/index-subject:v1", app);
  // An index referring to the app: the index of two signatures, say.
  const signature = pack({ artifactType: SIGNATURE_TYPE, subject: app.descriptor });
  await client.push("docs/index-subject", signature);
  const index = packIndex({ manifests: [signature.descriptor], artifactType: "application/vnd.example.bundle.v1", subject: app.descriptor });
  // The old client read an index as a manifest for its referrers descriptor and failed after the PUT.
  const pushed = await client.pushManifest("docs/index-subject:bundle", index.manifest, INDEX_TYPE);
  assert.equal(pushed.digest, index.digest);
  assert.equal(pushed.mediaType, INDEX_TYPE);
  const listed = await client.referrers("docs/index-subject:v1");
  const entry = listed.find((d) => d.digest === index.digest);
  assert.ok(entry, `the index is listed: ${JSON.stringify(listed)}`);
  assert.equal(entry.mediaType, INDEX_TYPE);
  assert.equal(entry.artifactType, "application/vnd.example.bundle.v1");
  assert.equal(client.referrersApi, false);
});

test("push of a packIndex with a subject records it as a referrer too", async () => {
  const app = packFiles({ "one.md": "# One\n" });
  await client.push("docs/index-push:v1", app);
  const index = packIndex({ manifests: [app.descriptor], artifactType: "application/vnd.example.set.v1", subject: app.descriptor });
  const outcome = await client.push("docs/index-push:set", index);
  assert.equal(outcome.descriptor.digest, index.digest);
  assert.deepEqual(outcome.referrersTag?.tag, app.digest.replace(":", "-"));
  assert.deepEqual((await client.referrers("docs/index-push:v1")).map((d) => d.digest), [index.digest]);
});

test("deleteManifest of a referrer removes it from the referrers tag, so discover and copy stop seeing it", async () => {
  const app = packFiles({ "app.md": "# Deleted referrer\n" });
  await client.push("docs/delete-referrer:v1", app);
  const keep = pack({ artifactType: SIGNATURE_TYPE, annotations: { "org.example.n": "1" }, subject: app.descriptor });
  const gone = pack({ artifactType: SIGNATURE_TYPE, annotations: { "org.example.n": "2" }, subject: app.descriptor });
  await client.attach("docs/delete-referrer:v1", keep);
  await client.attach("docs/delete-referrer:v1", gone);
  assert.deepEqual((await client.referrers("docs/delete-referrer:v1")).map((d) => d.digest), [keep.digest, gone.digest]);

  const deleted = await client.deleteManifest(`docs/delete-referrer@${gone.digest}`);
  assert.equal(deleted.descriptor.digest, gone.digest);
  assert.equal(deleted.subject?.digest, app.digest);
  assert.equal(deleted.referrersTag?.tag, app.digest.replace(":", "-"));
  assert.deepEqual((await client.referrers("docs/delete-referrer:v1")).map((d) => d.digest), [keep.digest]);
  assert.deepEqual((await client.discover("docs/delete-referrer:v1")).map((n) => n.descriptor.digest), [keep.digest]);
  // copy -r no longer trips over the deleted referrer (MANIFEST_UNKNOWN before).
  const copied = await client.copy("docs/delete-referrer:v1", "docs/delete-referrer-copy:v1", { referrers: true });
  assert.deepEqual(copied.manifests.map((d) => d.digest).sort(), [app.digest, keep.digest].sort());
});

test("dryRun: push and attach never call fetch; copy only reads its source", async () => {
  const app = packFiles({ "a.md": "# A\n", "b.md": "# B\n" });
  const offline = new Client({ registry: "registry.test:5000", fetch: noFetch });
  const plan = await offline.push("docs/app:v1", app, { dryRun: true, tags: ["latest"] });
  assert.equal(plan.descriptor.digest, app.digest);
  assert.deepEqual(plan.tags, ["v1", "latest"]);
  assert.deepEqual(plan.blobs.map((b) => b.status), ["planned", "planned", "planned"]);
  assert.ok(plan.planned.length > 0);
  assert.ok(plan.planned.every((r) => r.url.startsWith("https://registry.test:5000/v2/docs/app/")), JSON.stringify(plan.planned));
  assert.deepEqual(
    plan.planned.filter((r) => r.method === "PUT" && r.url.includes("/manifests/")).map((r) => r.url.split("/").at(-1)),
    ["v1", "latest"],
  );
  const signature = pack({ artifactType: SIGNATURE_TYPE, subject: app.descriptor });
  const attachPlan = await offline.attach("docs/app:v1", signature, { dryRun: true });
  assert.deepEqual(attachPlan.tags, []);
  assert.ok(attachPlan.planned.some((r) => r.method === "PUT" && r.url.endsWith(`/manifests/${signature.digest}`)));
  // The referrers-tag upkeep is part of the plan: the registry's referrers API is unknown.
  assert.ok(attachPlan.planned.some((r) => r.url.endsWith(`/manifests/${app.digest.replace(":", "-")}`)));

  // copy: the source is read (GET/HEAD), nothing is written.
  await client.push("docs/dry-copy:v1", app);
  /** @type {string[]} */
  const methods = [];
  const watching = new Client({
    registry: open.address,
    plainHttp: true,
    fetch: (url, init) => {
      methods.push(`${init?.method} ${url}`);
      return fetch(url, init);
    },
  });
  const copyPlan = await watching.copy("docs/dry-copy:v1", "docs/dry-copy-target:v1", { dryRun: true });
  assert.equal(copyPlan.descriptor.digest, app.digest);
  assert.ok(copyPlan.planned.length > 0);
  assert.ok(methods.length > 0 && methods.every((m) => /^(GET|HEAD) /.test(m) && m.includes("/v2/docs/dry-copy/")), methods.join("\n"));
  await assert.rejects(client.resolve("docs/dry-copy-target:v1"), (e) => e instanceof OciError && e.code === "MANIFEST_UNKNOWN");
});

test("the vocabulary: fetch is the exact bytes, fetchManifest and fetchIndex parse, blobSize vs blobExists, checkAuth", async () => {
  const app = packFiles({ "v.md": "# Vocabulary\n" });
  await client.push("docs/vocabulary:v1", app);
  const fetched = await client.fetch("docs/vocabulary:v1");
  assert.deepEqual(fetched, { mediaType: app.mediaType, digest: app.digest, bytes: app.manifest });
  const manifest = await client.fetchManifest("docs/vocabulary:v1");
  assert.equal(manifest.schemaVersion, 2);
  assert.equal(manifest.artifactType, ARTIFACT_TYPE);
  assert.ok(!("bytes" in manifest));
  const index = packIndex({ manifests: [app.descriptor] });
  await client.pushManifest("docs/vocabulary:index", index.manifest, INDEX_TYPE);
  assert.deepEqual((await client.fetchIndex("docs/vocabulary:index")).manifests, [app.descriptor]);
  await assert.rejects(client.fetchIndex("docs/vocabulary:v1"), (e) => e instanceof OciError && e.code === "MEDIA_TYPE_MISMATCH");
  await assert.rejects(client.fetchManifest("docs/vocabulary:index"), (e) => e instanceof OciError && e.code === "MEDIA_TYPE_MISMATCH");

  const layer = app.blobs.find((b) => b.descriptor.annotations?.["org.opencontainers.image.title"] === "v.md");
  assert.ok(layer);
  assert.equal(await client.blobSize("docs/vocabulary", layer.descriptor.digest), layer.descriptor.size);
  assert.equal(await client.blobExists("docs/vocabulary", layer.descriptor.digest), true);
  const absent = `sha256:${"0".repeat(64)}`;
  assert.equal(await client.blobSize("docs/vocabulary", absent), null);
  assert.equal(await client.blobExists("docs/vocabulary", absent), false);
  assert.equal(await client.checkAuth(), undefined);
});

test("references relative to the client's registry work in every method", async () => {
  const app = packFiles({ "r.md": "# Relative\n" });
  const full = `${open.address}/docs/relative:v1`;
  const pushed = await client.push("docs/relative:v1", app);
  assert.deepEqual(await client.resolve(full), await client.resolve("docs/relative:v1"));
  assert.equal((await client.pull("docs/relative:v1")).files[0].path, "r.md");
  assert.equal((await client.pull(full)).digest, pushed.descriptor.digest);
  const copied = await client.copy("docs/relative:v1", "docs/relative-copy:v2");
  assert.deepEqual(copied.tags, ["v2"]);
  assert.equal((await client.resolve(`${open.address}/docs/relative-copy:v2`)).digest, app.digest);
  // A reference naming another registry is refused, not sent there.
  await assert.rejects(client.resolve(`${other.address}/docs/relative:v1`), (e) => e instanceof OciError && e.code === "REFERENCE_INVALID");
  // The core's rule (Reference::parse_relative), the one Python's Client uses too.
  assert.deepEqual(parseReference("docs/app:v1", "localhost:5000"), { registry: "localhost:5000", repository: "docs/app", tag: "v1", digest: null });
  assert.equal(parseReference("py/app:v1", "localhost:5000").registry, "localhost:5000");
  assert.equal(parseReference("ghcr.io/app:v1", "localhost:5000").registry, "ghcr.io");
  await assert.rejects(client.resolve("Docs/App:v1"), (e) => e instanceof OciError && e.code === "REFERENCE_INVALID");
});

test("copy between two registries (with referrers), through memory, hashing with either entry", async () => {
  const app = packFiles({ "x.md": "# Across\n", "y.md": "y".repeat(100_000) });
  await client.push("docs/across:v1", app);
  const signature = pack({ artifactType: SIGNATURE_TYPE, files: [{ name: "sig", data: text("sig") }], subject: app.descriptor });
  await client.attach("docs/across:v1", signature);
  /** @type {[string, typeof Client][]} */
  const entries = [["ocikit", Client], ["ocikit/wasm", wasmEntry.Client]];
  for (const [label, Entry] of entries) {
    const target = new Entry({ registry: other.address, plainHttp: true });
    /** @type {[number, number][]} */
    const progress = [];
    const copied = await client.copy("docs/across:v1", `mirror-${label.replace("/", "-")}/across:v1`, {
      referrers: true,
      to: target,
      onProgress: (done, total) => progress.push([done, total]),
    });
    assert.deepEqual(copied.manifests.map((d) => d.digest).sort(), [app.digest, signature.digest].sort(), label);
    const pulled = await target.pull(`mirror-${label.replace("/", "-")}/across:v1`);
    assert.deepEqual(pulled.files.map((f) => [f.path, new TextDecoder().decode(f.bytes).length]), [["x.md", 9], ["y.md", 100_000]]);
    assert.deepEqual(
      (await target.referrers(`mirror-${label.replace("/", "-")}/across:v1`)).map((d) => d.digest),
      [signature.digest],
    );
    assert.ok(progress.length > 0 && progress.at(-1)?.[0] === progress.at(-1)?.[1], JSON.stringify(progress.at(-1)));
    // Each blob is downloaded, then uploaded: both count, and progress only grows.
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0], JSON.stringify(progress));
    const sizes = copied.blobs.reduce((sum, b) => sum + b.descriptor.size, 0);
    assert.equal(progress.at(-1)?.[1], 2 * sizes);
  }
});

test("push refuses two files with one title before any request, as pull would refuse them", async () => {
  const twice = pack({
    artifactType: ARTIFACT_TYPE,
    files: [
      { name: "a.txt", data: text("one") },
      { name: "A.txt", data: text("two") },
    ],
  });
  const offline = new Client({ registry: "registry.test:5000", fetch: noFetch });
  await assert.rejects(offline.push("docs/twice:v1", twice), (e) => e instanceof OciError && e.code === "ANNOTATION_INVALID");
});

test("pull runs at most `concurrency` downloads at once and reports progress over all files", async () => {
  const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.md`, `${i}`.repeat(20_000)]));
  const app = packFiles(files);
  await client.push("docs/pull-concurrency:v1", app);
  let active = 0;
  let peak = 0;
  const counting = new Client({
    registry: open.address,
    plainHttp: true,
    concurrency: 2,
    fetch: async (url, init) => {
      active += 1;
      peak = Math.max(peak, active);
      try {
        const response = await fetch(url, init);
        const body = new Uint8Array(await response.arrayBuffer());
        return new Response(response.status === 204 || response.status === 304 ? null : body, { status: response.status, headers: response.headers });
      } finally {
        active -= 1;
      }
    },
  });
  /** @type {[number, number][]} */
  const progress = [];
  const pulled = await counting.pull("docs/pull-concurrency:v1", { onProgress: (done, total) => progress.push([done, total]) });
  assert.deepEqual(pulled.files.map((f) => f.path), Object.keys(files));
  assert.equal(peak, 2);
  assert.deepEqual(progress.at(-1), [120_000, 120_000]);
});

test("pull: a blob GET that never answers is TIMEOUT at the stall timeout, not sent again", async () => {
  const layer = { mediaType: "application/octet-stream", digest: `sha256:${"1".repeat(64)}`, size: 5, annotations: { "org.opencontainers.image.title": "l.bin" } };
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    artifactType: "application/vnd.test",
    config: { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2, data: "e30=" },
    layers: [layer],
  });
  const server = await hostileRegistry([
    ["GET", "/v2/docs/manifests/v1", (/** @type {any} */ _q, /** @type {any} */ r) => json(r, 200, manifest, { "Content-Type": "application/vnd.oci.image.manifest.v1+json" })],
    ["GET", /^\/v2\/docs\/blobs\//, () => {}],
  ]);
  try {
    const stalled = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 300 } });
    const started = Date.now();
    await assert.rejects(stalled.pull("docs:v1"), (e) => e instanceof OciError && e.code === "TIMEOUT" && e.details.limit === "stallTimeoutMs");
    assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
    assert.equal(server.requests.filter((r) => r.url.includes("/blobs/")).length, 1);
  } finally {
    await server.close();
  }
});

test("errors of the whole operations name the request; a 401 says whether credentials were sent", async () => {
  for (const call of [() => client.pull("docs/named:nope"), () => client.deleteManifest("docs/named:nope"), () => client.discover("docs/named:nope")]) {
    const error = await call().then(() => assert.fail("succeeded"), (e) => e);
    assert.ok(error instanceof OciError && error.code === "MANIFEST_UNKNOWN", String(error));
    assert.ok(error.message.includes(`${open.address}/v2/docs/named/manifests/nope`), error.message);
  }
  if (!existsSync(HTPASSWD_BIN)) return;
  const secured = await startRegistry({ users: { alice: "s3cret" } });
  try {
    const anonymous = await new Client({ registry: secured.address, plainHttp: true }).pull("docs/x:v1").then(() => null, (e) => e);
    const wrong = await new Client({ registry: secured.address, plainHttp: true, credentials: { username: "alice", password: "no" } })
      .push("docs/x:v1", packFiles({ "x.md": "x" }))
      .then(() => null, (e) => e);
    for (const e of [anonymous, wrong]) assert.ok(e instanceof OciError && e.code === "UNAUTHORIZED" && e.message.includes(secured.address), String(e));
    assert.match(anonymous.message, /no credentials were sent/);
    assert.match(wrong.message, /[^o] credentials were sent/);
  } finally {
    await secured.stop();
  }
});

test("errors of the single-request methods name the reference and the credentials too", async () => {
  const error = await client.fetch("docs/named:nope").then(() => assert.fail("fetched"), (e) => e);
  assert.ok(error instanceof OciError && error.code === "MANIFEST_UNKNOWN");
  assert.match(error.message, /docs\/named/);
  if (!existsSync(HTPASSWD_BIN)) return;
  const secured = await startRegistry({ users: { alice: "s3cret" } });
  try {
    const anonymous = await new Client({ registry: secured.address, plainHttp: true }).checkAuth().then(() => null, (e) => e);
    assert.ok(anonymous instanceof OciError && anonymous.code === "UNAUTHORIZED");
    assert.match(anonymous.message, /no credentials were sent/);
  } finally {
    await secured.stop();
  }
});

test("one Client class, plain and top-level in client.js", () => {
  const source = readFileSync(new URL("./node_modules/ocikit/client.js", import.meta.url), "utf8");
  assert.match(source, /^export class Client \{$/m);
  assert.ok(!/INDEX_TYPES|referrerDescriptor|addReferrer/.test(source), "no media-type set or referrers-tag logic in the client");
  assert.equal(Client, wasmEntry.Client);
});
