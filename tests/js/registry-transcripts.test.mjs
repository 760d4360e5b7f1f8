// Replays the registry transcripts of tests/vectors/registry/ through the engine's JS binding,
// exactly as core/tests/registry.rs does: each operation must ask for the recorded requests
// (method, URL, the listed headers — null meaning absent — and body) and waits, and end with the
// recorded result or error code.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { implementations } from "./vectors.mjs";

const dir = new URL("../vectors/registry/", import.meta.url);
const transcripts = readdirSync(dir)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, dir), "utf8")));
const encode = (text) => new TextEncoder().encode(text);
const decode = (bytes) => new TextDecoder().decode(bytes);

test("the transcripts are all there", () => {
  assert.ok(transcripts.length >= 39, `only ${transcripts.length} transcripts`);
});

/** The session of a transcript, as core/tests/registry.rs builds it. */
function session(ocikit, spec) {
  return new ocikit.RegistrySession(spec.registry, {
    plainHttp: spec.plainHttp ?? false,
    credentials: spec.credentials ?? undefined,
    limits: spec.limits,
  });
}

/** The operation of a step, and how its result reads as the transcript writes it. */
function operation(ocikit, s, spec) {
  const blob = () => ({ mediaType: "application/octet-stream", digest: spec.digest, size: spec.size });
  switch (spec.op) {
    case "checkAuth":
      return [ocikit.checkAuth(s), () => ({})];
    case "getManifest":
      return [ocikit.getManifest(s, spec.reference), (m) => ({ mediaType: m.mediaType, digest: m.digest, body: decode(m.bytes) })];
    case "putManifest":
      return [ocikit.putManifest(s, spec.reference, spec.mediaType, encode(spec.body)), (put) => ({ digest: put.digest })];
    case "blobExists":
      return [ocikit.blobExists(s, spec.reference, spec.digest), (size) => ({ size })];
    case "pushBlob":
      return [
        ocikit.pushBlob(s, spec.reference, blob(), { mountFrom: spec.mountFrom, chunkSize: spec.chunkSize }),
        (uploaded) => ({ uploaded }),
      ];
    case "resumeBlob":
      return [ocikit.resumeBlobPush(s, spec.reference, blob(), spec.uploadUrl, spec.chunkSize), (uploaded) => ({ uploaded })];
    case "resolveManifest":
      return [ocikit.resolveManifest(s, spec.reference), (r) => ({ mediaType: r.mediaType, digest: r.digest, size: r.size })];
    case "deleteManifest":
      return [ocikit.deleteManifest(s, spec.reference, spec.digest), () => ({})];
    case "listReferrers":
      if (spec.paged) {
        return [
          ocikit.listReferrers(s, spec.reference, spec.subject, { artifactType: spec.artifactType }),
          (page) => ({ items: page.items.map((d) => d.digest), last: page.last, next: page.next }),
        ];
      }
      return [
        ocikit.listReferrers(s, spec.reference, spec.subject, { artifactType: spec.artifactType }),
        (found) => ({ referrers: found.map((d) => d.digest) }),
      ];
    case "addReferrer": {
      /** @type {import("ocikit").Descriptor} */
      const referrer = { ...blob(), mediaType: "application/vnd.oci.image.manifest.v1+json" };
      if (spec.artifactType !== undefined) referrer.artifactType = spec.artifactType;
      return [ocikit.addReferrer(s, spec.reference, spec.subject, referrer), (index) => ({ index })];
    }
    case "getBlob":
      return [ocikit.getBlob(s, spec.reference, blob(), { have: spec.have ?? 0 }), () => ({})];
    case "listTags":
      if (spec.paged) return [ocikit.listTags(s, spec.reference, { pageSize: spec.pageSize }), (page) => page];
      return [ocikit.listTags(s, spec.reference, { pageSize: spec.pageSize }), (tags) => ({ tags })];
    case "listRepositories":
      if (spec.paged) return [ocikit.listRepositories(s, { pageSize: spec.pageSize }), (page) => page];
      return [ocikit.listRepositories(s, { pageSize: spec.pageSize }), (repositories) => ({ repositories })];
    default:
      throw new Error(`unknown op ${spec.op}`);
  }
}

/** A header of a request, compared case-insensitively (the first, if repeated), trimmed. */
function header(request, name) {
  const found = request.headers.find(([n]) => n.toLowerCase() === name.toLowerCase());
  return found === undefined ? null : found[1].trim();
}

function checkRequest(name, request, expected) {
  assert.equal(request.method, expected.method, `${name}: method of ${request.url}`);
  assert.equal(request.url, expected.url, `${name}: url`);
  for (const [key, value] of Object.entries(expected.headers)) {
    assert.equal(header(request, key), value, `${name}: header ${key} of ${request.method} ${request.url}`);
  }
  if ("body" in expected) {
    assert.ok(request.body instanceof Uint8Array, `${name}: body is bytes`);
    assert.equal(decode(request.body), expected.body, `${name}: body`);
  }
  if ("timeoutMs" in expected) assert.equal(request.timeoutMs, expected.timeoutMs, `${name}: timeoutMs`);
  if ("deadlineMs" in expected) assert.equal(request.deadlineMs, expected.deadlineMs, `${name}: deadlineMs`);
  if ("responseBody" in expected) assert.deepEqual(request.responseBody, expected.responseBody, `${name}: responseBody`);
  if ("bodyBlob" in expected) {
    assert.deepEqual(request.body, { blob: expected.bodyBlob }, `${name}: blob body`);
  }
}

/** The recorded failure or response as an input. Headers go in both accepted shapes, alternately. */
function input(exchange, asPairs) {
  if (exchange.failure !== undefined) return { type: "failure", ...exchange.failure };
  return response(exchange.response, asPairs);
}

function response(spec, asPairs) {
  const input = { type: "response", status: spec.status, headers: asPairs ? Object.entries(spec.headers ?? {}) : spec.headers ?? {} };
  input.body = encode(spec.body ?? "");
  if (spec.streamed !== undefined) input.streamed = spec.streamed;
  return input;
}

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    for (const doc of transcripts) {
      test(doc.name, () => {
        const s = session(ocikit, doc.session);
        let exchanges = 0;
        for (const step of doc.steps) {
          const now = step.now ?? 0;
          const [op, result] = operation(ocikit, s, step.operation);
          // A listing driven page by page steps with nextPage.
          const advance = step.operation.paged ? op.nextPage.bind(op) : op.next.bind(op);
          let fed = { type: "start" };
          for (const exchange of step.exchanges) {
            let event;
            try {
              event = advance(s, fed, exchange.now ?? now);
            } catch (error) {
              assert.fail(`${doc.name}: failed early with ${/** @type {{ code: string }} */ (error).code}: ${/** @type {Error} */ (error).message}`);
            }
            if ("page" in exchange) {
              assert.equal(event.type, "done", `${doc.name}: expected a page, got ${JSON.stringify(event)}`);
              assert.deepEqual(result(event.value), { items: exchange.page, last: false, next: exchange.next }, doc.name);
              assert.ok(!op.finished, `${doc.name}: a listing goes on after a page that is not the last`);
              fed = { type: "start" };
              continue;
            }
            if ("wait" in exchange) {
              assert.deepEqual(event, { type: "wait", ms: exchange.wait }, doc.name);
              fed = { type: "resume" };
              continue;
            }
            assert.equal(event.type, "send", `${doc.name}: expected a request, got ${JSON.stringify(event)}`);
            assert.deepEqual(Object.keys(event.request), ["method", "url", "headers", "body", "responseBody", "timeoutMs", "deadlineMs"]);
            checkRequest(doc.name, event.request, exchange.request);
            fed = input(exchange, exchanges++ % 2 === 0);
          }
          let outcome;
          try {
            const event = advance(s, fed, step.nowEnd ?? now);
            assert.equal(event.type, "done", `${doc.name}: expected the end, got ${JSON.stringify(event)}`);
            outcome = { result: result(event.value) };
          } catch (error) {
            if (!(error instanceof ocikit.OciError)) throw error;
            outcome = { error: error.code };
            for (const secret of step.errorOmits ?? []) {
              assert.ok(!error.message.includes(secret), `${doc.name}: ${error.message} shows ${secret}`);
              assert.ok(!JSON.stringify(error.details).includes(secret), `${doc.name}: details show ${secret}`);
            }
            for (const mention of step.errorMentions ?? []) {
              assert.ok(error.message.includes(mention), `${doc.name}: ${error.message} does not name ${mention}`);
            }
          }
          assert.ok(op.finished, `${doc.name}: the operation is finished`);
          if (step.error !== undefined) assert.deepEqual(outcome, { error: step.error }, doc.name);
          else assert.deepEqual(outcome, { result: step.result }, doc.name);
        }
      });
    }
  });
}

for (const [label, ocikit] of implementations) {
  describe(`${label}: limits, failures and pages`, () => {
    test("limits: defaults, options, and bad values refused", () => {
      const defaults = new ocikit.RegistrySession("127.0.0.1:5000", { plainHttp: true }).limits;
      assert.deepEqual(defaults, {
        stallTimeoutMs: 30000,
        requestTimeoutMs: 60000,
        deadlineMs: 3600000,
        retryAfterMaxMs: 60000,
        listEntriesMax: 100000,
        listBytesMax: 32 * 1024 * 1024,
      });
      const s = new ocikit.RegistrySession("127.0.0.1:5000", { plainHttp: true, limits: { deadlineMs: 0, stallTimeoutMs: 5 } });
      assert.equal(s.limits.deadlineMs, 0);
      const step = ocikit.getManifest(s, "127.0.0.1:5000/docs:v1").next(s, { type: "start" }, 1000);
      assert.equal(step.type, "send");
      assert.equal(step.request.timeoutMs, 5);
      assert.equal(step.request.deadlineMs, 61000);
      assert.throws(() => new ocikit.RegistrySession("r.example", { limits: { deadlineMs: -1 } }), RangeError);
      // @ts-expect-error: a string is refused
      assert.throws(() => new ocikit.RegistrySession("r.example", { limits: { deadlineMs: "1" } }), TypeError);
      // @ts-expect-error: an unknown limit is refused
      assert.throws(() => new ocikit.RegistrySession("r.example", { limits: { deadline: 1 } }), TypeError);
    });

    test("failures: coded errors naming the host; a bad kind is a TypeError", () => {
      const s = new ocikit.RegistrySession("registry.example");
      const op = ocikit.getManifest(s, "registry.example/docs:v1");
      op.next(s, { type: "start" }, 0);
      // @ts-expect-error: an unknown kind is refused
      assert.throws(() => op.next(s, { type: "failure", kind: "dns", message: "x" }, 0), TypeError);
      const tls = ocikit.getManifest(s, "registry.example/docs:v1");
      tls.next(s, { type: "start" }, 0);
      assert.throws(
        () => tls.next(s, { type: "failure", kind: "tls", message: "certificate has expired" }, 0),
        (e) => e instanceof ocikit.OciError && e.code === "TLS_ERROR" && e.details.host === "registry.example" && /certificate has expired/.test(e.message),
      );
      assert.ok(tls.finished);
    });

    test("nextPage: listings only; a listing is finished after its last page", () => {
      const s = new ocikit.RegistrySession("127.0.0.1:5000", { plainHttp: true });
      const get = ocikit.getManifest(s, "127.0.0.1:5000/docs:v1");
      assert.throws(() => get.nextPage(s, { type: "start" }, 0), TypeError);
      const op = ocikit.listTags(s, "127.0.0.1:5000/docs", { pageSize: 1 });
      op.nextPage(s, { type: "start" }, 0);
      const link = { Link: '</v2/docs/tags/list?last=a&n=1>; rel="next"' };
      const first = op.nextPage(s, { type: "response", status: 200, headers: link, body: encode('{"tags":["a"]}') }, 0);
      assert.deepEqual(first, { type: "done", value: { items: ["a"], last: false, next: "a" } });
      assert.ok(!op.finished);
      const next = op.nextPage(s, { type: "start" }, 0);
      assert.ok(next.type === "send");
      assert.match(next.request.url, /\?last=a&n=1$/);
      const second = op.nextPage(s, { type: "response", status: 200, body: encode('{"tags":["b"]}') }, 0);
      assert.deepEqual(second, { type: "done", value: { items: ["b"], last: true, next: null } });
      assert.ok(op.finished);
    });
  });
}
