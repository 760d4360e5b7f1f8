// Replays the whole-operation scenarios of tests/vectors/registry/scenarios/ through the npm
// package's Push, Pull, Discover, Delete, TagsOf and CopyArtifact, by the replay rule of that
// directory's README: the same requests in the same order as core/tests/scenarios.rs, and the
// same outcome. Then the host loop of a JS client: promises settling in any order.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { test } from "node:test";
import {
  CopyArtifact,
  Delete,
  Discover,
  OciError,
  Pull,
  Push,
  RegistrySession,
  TagsOf,
  planFiles,
} from "ocikit";

const DIR = new URL("../vectors/registry/scenarios/", import.meta.url);
const scenarios = readdirSync(DIR)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, DIR), "utf8")));
const encode = (/** @type {string} */ text) => new TextEncoder().encode(text);
const decode = (/** @type {Uint8Array} */ bytes) => new TextDecoder().decode(bytes);

test("there are at least 30 scenarios", () => {
  assert.ok(scenarios.length >= 30, `only ${scenarios.length}`);
});

/** @param {any} spec */
function sessions(spec) {
  return spec.map(
    (/** @type {any} */ s) =>
      new RegistrySession(s.registry, {
        plainHttp: s.plainHttp ?? false,
        limits: s.limits ?? undefined,
        profile: s.profile ?? undefined,
      }),
  );
}

/** @param {any} spec */
function operation(spec) {
  switch (spec.op) {
    case "push":
      return new Push(spec.reference, spec.mediaType, encode(spec.manifest), {
        tags: spec.tags,
        mountFrom: spec.mountFrom,
        chunkSize: spec.chunkSize,
        dryRun: spec.dryRun,
      });
    case "pull":
      return new Pull(spec.reference, { allowGit: spec.allowGit });
    case "discover":
      return new Discover(spec.reference, { artifactType: spec.artifactType, depth: spec.depth, limits: spec.limits });
    case "delete":
      return new Delete(spec.reference);
    case "tagsOf":
      return new TagsOf(spec.reference, spec.digest, { max: spec.max });
    default:
      assert.equal(spec.op, "copy");
      return new CopyArtifact(spec.source, spec.destination, {
        referrers: spec.referrers,
        limits: spec.limits,
        tags: spec.tags,
        chunkSize: spec.chunkSize,
        dryRun: spec.dryRun,
      });
  }
}

/** The request of an action, as the transcripts write it. @param {any} action */
function request(action) {
  const r = action.request;
  /** @type {any} */
  const out = { method: r.method, url: r.url, headers: Object.fromEntries(r.headers) };
  if (r.body instanceof Uint8Array) out.body = decode(r.body);
  else if (r.body !== null) out.bodyBlob = { offset: r.body.blob.offset, length: r.body.blob.length };
  if (r.responseBody.stream !== undefined) out.responseBody = { stream: r.responseBody.stream };
  if (action.blob !== null) out.blob = action.blob.digest;
  return out;
}

/** The input for a recorded exchange. @param {any} exchange */
function answer(exchange) {
  if (exchange.failure) return { type: "failure", ...exchange.failure };
  const r = exchange.response;
  return { type: "response", status: r.status, headers: r.headers, body: encode(r.body), streamed: r.streamed };
}

const tag = (/** @type {any} */ t) => (t === null ? null : [t.tag, t.index]);
const planned = (/** @type {any[]} */ list) => list.map((p) => [p.method, p.url]);
const blobs = (/** @type {any[]} */ list) => list.map((b) => [b.descriptor.digest, b.status]);

/** The outcome as core/tests/scenarios.rs writes it. @param {string} op @param {any} o */
function outcome(op, o) {
  switch (op) {
    case "push":
      return {
        digest: o.descriptor.digest,
        artifactType: o.descriptor.artifactType ?? null,
        tags: o.tags,
        blobs: blobs(o.blobs),
        referrersTag: tag(o.referrersTag),
        planned: planned(o.planned),
      };
    case "pull":
      return {
        digest: o.descriptor.digest,
        files: o.files.map((/** @type {any} */ f) => [f.path, f.descriptor.digest]),
        downloads: o.downloads.map((/** @type {any} */ d) => d.digest),
      };
    case "discover": {
      /** @type {any[]} */
      const tree = [];
      const level = o.referrers.map((/** @type {any} */ node) => [node, null, 1]);
      while (level.length > 0) {
        const [node, parent, depth] = level.shift();
        tree.push([node.descriptor.digest, parent, depth]);
        const at = tree.length - 1;
        for (const child of node.referrers) level.push([child, at, depth + 1]);
      }
      return { subject: o.subject.digest, tree };
    }
    case "delete":
      return { digest: o.descriptor.digest, subject: o.subject?.digest ?? null, referrersTag: tag(o.referrersTag) };
    case "tagsOf":
      return { tags: o.tags, unchecked: o.unchecked };
    default:
      return {
        digest: o.descriptor.digest,
        tags: o.tags,
        blobs: blobs(o.blobs),
        manifests: o.manifests.map((/** @type {any} */ d) => d.digest),
        referrersTags: o.referrersTags.map(tag),
        planned: planned(o.planned),
      };
  }
}

/**
 * The replay rule: poll until pending; answer the oldest action; poll again. The operations
 * `before` run first on the same sessions (what they teach the sessions changes the plan), each
 * checked against its own transcript.
 * @param {any} doc
 */
function replay(doc) {
  const given = sessions(doc.sessions);
  for (const [at, step] of (doc.before ?? []).entries()) {
    const got = replayOne(doc.name, step, given);
    assert.deepEqual(got.exchanges, step.exchanges, `${doc.name}: before ${at}: the requests differ`);
    assert.deepEqual(got.result, step.result, `${doc.name}: before ${at}`);
  }
  return replayOne(doc.name, doc, given);
}

/** @param {string} name @param {any} doc @param {any[]} given */
function replayOne(name, doc, given) {
  /** @type {any[]} */
  const exchanges = [];
  let op;
  try {
    op = operation(doc.operation);
  } catch (err) {
    if (err instanceof OciError) return { exchanges, error: err.code };
    throw err;
  }
  const [first, second] = given;
  const poll = (/** @type {number} */ now) =>
    second === undefined ? op.poll(first, now) : /** @type {any} */ (op).pollBetween(first, second, now);
  /** @type {[number, number][]} */
  const outstanding = [];
  let now = doc.now ?? 0;
  try {
    for (;;) {
      const action = poll(now);
      if (action.kind === "send") {
        exchanges.push({ task: action.task, request: request(action) });
        outstanding.push([action.task, exchanges.length - 1]);
      } else if (action.kind === "wait") {
        exchanges.push({ task: action.task, wait: action.ms });
        outstanding.push([action.task, exchanges.length - 1]);
      } else if (action.kind === "pending") {
        const [task, at] = /** @type {[number, number]} */ (outstanding.shift());
        if ("wait" in exchanges[at]) {
          now += exchanges[at].wait;
          op.provide(task, { type: "resume" });
          continue;
        }
        const recorded = doc.exchanges[at];
        assert.ok(recorded, `${name}: more requests than recorded`);
        for (const key of ["response", "failure"]) if (key in recorded) exchanges[at][key] = recorded[key];
        op.provide(task, answer(recorded));
      } else {
        return { exchanges, result: outcome(doc.operation.op, action.value) };
      }
    }
  } catch (err) {
    if (err instanceof OciError) return { exchanges, error: err.code };
    throw err;
  }
}

for (const doc of scenarios) {
  test(`scenario ${doc.name}`, () => {
    const got = replay(doc);
    assert.deepEqual(got.exchanges, doc.exchanges, `${doc.name}: the requests differ`);
    if (doc.error !== undefined) assert.equal(got.error, doc.error, doc.name);
    else assert.deepEqual(got.result, doc.result, doc.name);
  });
}

for (const name of ["discover-tree-api", "pull-files", "tags-of-digest"]) {
  test(`a promise host (${name}): requests settle in any order, answers go back by task`, async () => {
    const doc = scenarios.find((d) => d.name === name);
    const byRequest = new Map(
      doc.exchanges
        .filter((/** @type {any} */ e) => e.request)
        .map((/** @type {any} */ e) => [`${e.request.method} ${e.request.url}`, e]),
    );
    const op = operation(doc.operation);
    const [session] = sessions(doc.sessions);
    /** @type {Set<Promise<void>>} */
    const inFlight = new Set();
    const track = (/** @type {Promise<void>} */ settled) => {
      inFlight.add(settled);
      settled.then(() => inFlight.delete(settled), () => inFlight.delete(settled));
    };
    let turn = 0;
    let value;
    for (;;) {
      const action = op.poll(session, Date.now());
      if (action.kind === "send") {
        const exchange = byRequest.get(`${action.request.method} ${action.request.url}`);
        const ms = (turn = (turn + 1) % 2) === 1 ? 5 : 0; // the later request settles first
        track(new Promise((resolve) => setTimeout(resolve, ms)).then(() => op.provide(action.task, answer(exchange))));
      } else if (action.kind === "wait") {
        track(new Promise((resolve) => setTimeout(resolve, action.ms)).then(() => op.provide(action.task, { type: "resume" })));
      } else if (action.kind === "pending") {
        await Promise.race(inFlight);
      } else {
        value = action.value;
        break;
      }
    }
    const result = outcome(doc.operation.op, value);
    if (name === "discover-tree-api") {
      // The tree's order follows the answers' order; its content does not.
      assert.deepEqual(new Set(result.tree.map((/** @type {any} */ n) => n[0])), new Set(doc.result.tree.map((/** @type {any} */ n) => n[0])));
    } else {
      assert.deepEqual(result, doc.result);
    }
  });
}

test("misuse is OPERATION_MISUSE and errors are sticky", () => {
  const doc = scenarios.find((d) => d.name === "push-new-blobs");
  const op = operation(doc.operation);
  const [session] = sessions(doc.sessions);
  const action = op.poll(session, 0);
  assert.equal(action.kind, "send");
  assert.throws(() => op.provide(action.task, { type: "resume" }), (err) => err instanceof OciError && err.code === "OPERATION_MISUSE");
  assert.throws(() => op.poll(session, 0), (err) => err instanceof OciError && err.code === "OPERATION_MISUSE");
  assert.throws(() => new Pull("127.0.0.1:5000/docs:v1", { allowGits: true }), TypeError);
});

test("planFiles is the push and pull title rule", () => {
  const layer = (/** @type {string} */ title) => ({
    mediaType: "text/plain",
    digest: `sha256:${"a".repeat(64)}`,
    size: 1,
    annotations: { "org.opencontainers.image.title": title },
  });
  assert.deepEqual(
    planFiles([layer("a.md"), layer("b/c.md")]).map((f) => f.path),
    ["a.md", "b/c.md"],
  );
  for (const titles of [["a.md", "a.md"], ["A.md", "a.md"], ["a", "a/b"]]) {
    assert.throws(() => planFiles(titles.map(layer)), (err) => err instanceof OciError && err.code === "ANNOTATION_INVALID");
  }
  assert.throws(() => planFiles([layer(".git/config")]), (err) => err instanceof OciError && err.code === "PATH_UNSAFE");
  assert.equal(planFiles([layer(".git/config")], { allowGit: true })[0].path, ".git/config");
  // One blob under many titles is written once per title: at most 250 times the distinct
  // blobs' bytes, or 64 MiB (2 MiB under 500 titles would write 1000 MiB).
  const big = (/** @type {string} */ title) => ({ ...layer(title), size: 2 << 20 });
  assert.equal(planFiles(Array.from({ length: 32 }, (_, i) => big(`f${i}`))).length, 32);
  assert.throws(
    () => planFiles(Array.from({ length: 500 }, (_, i) => big(`f${i}`))),
    (err) => err instanceof OciError && err.code === "LIMIT_EXCEEDED" && err.details.value === 500 * (2 << 20),
  );
});
