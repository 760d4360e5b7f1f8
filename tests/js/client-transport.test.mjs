// The Client's transport with a scripted fetch: what it hands fetch, how it reads answers, and
// what it does with redirects, waits, failures of fetch itself, cut downloads and bounded
// concurrency — things a well-behaved loopback registry never shows.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "node:test";
import { implementations } from "./vectors.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const REGISTRY = "registry.test:5000";
const BASE = `http://${REGISTRY}`;
const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const text = (s) => new TextEncoder().encode(s);

/**
 * A fetch that answers from `routes` (`[method, url or RegExp, (request, init) => Response]`,
 * each used once, in order) and records every call.
 */
function scripted(routes) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init, headers: Object.fromEntries(init.headers) });
    const index = routes.findIndex(([method, match]) => method === init.method && (match instanceof RegExp ? match.test(url) : match === url));
    assert.ok(index >= 0, `unexpected ${init.method} ${url}`);
    const [[, , answer]] = routes.splice(index, 1);
    return answer(url, init);
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
  const { Client, OciError, digest } = ocikit;
  const blob = text("hello blob, in several pieces");
  const descriptor = { mediaType: "application/octet-stream", digest: digest(blob), size: blob.length };
  const blobUrl = `${BASE}/v2/docs/blobs/${descriptor.digest}`;

  describe(label, () => {
    test("requests go to fetch as the engine describes them, with redirect: manual", async () => {
      const manifest = text('{"schemaVersion":2}');
      const { fetch, calls } = scripted([
        ["GET", `${BASE}/v2/docs/manifests/v1`, () => new Response(manifest, { headers: { "Content-Type": `${MANIFEST}; charset=utf-8` } })],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      const fetched = await client.fetch("docs:v1");
      assert.deepEqual(fetched, { mediaType: MANIFEST, digest: digest(manifest), bytes: manifest });
      assert.equal(calls[0].init.redirect, "manual");
      assert.match(calls[0].headers.accept, /application\/vnd\.oci\.image\.manifest\.v1\+json/);
      assert.equal(calls[0].init.body, undefined);
    });

    test("a redirect is followed by the engine, and credentials stay on the registry's origin", async () => {
      const { fetch, calls } = scripted([
        ["GET", blobUrl, () => new Response(null, { status: 307, headers: { Location: "https://storage.test/b?sig=1" } })],
        ["GET", "https://storage.test/b?sig=1", () => new Response(blob)],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, credentials: { accessToken: "secret" } });
      assert.deepEqual(await client.fetchBlob("docs", descriptor), blob);
      assert.equal(calls[0].headers.authorization, "Bearer secret");
      assert.equal(calls[1].headers.authorization, undefined);
    });

    test("a failure at a presigned redirect names its URL without the query that holds the signature", async () => {
      const presigned = "https://storage.test/b?X-Amz-Signature=s3cr3t&X-Amz-Credential=AKIA";
      const { fetch } = scripted([
        ["GET", blobUrl, () => new Response(null, { status: 307, headers: { Location: presigned } })],
        ["GET", presigned, () => { throw new TypeError("fetch failed"); }],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, retry: { maxRetries: 0 } });
      await assert.rejects(client.fetchBlob("docs", descriptor), (e) => {
        assert.ok(e instanceof OciError);
        assert.equal(e.code, "NETWORK_ERROR");
        assert.equal(e.details.url, "https://storage.test/b");
        assert.equal(e.details.method, "GET");
        assert.doesNotMatch(`${e.message} ${JSON.stringify(e.details)}`, /s3cr3t|AKIA/);
        return true;
      });
    });

    test("a redirect a browser hides (opaqueredirect) is a NETWORK_ERROR that says so", async () => {
      const fetch = async () => ({ type: "opaqueredirect", status: 0, headers: new Headers(), body: null });
      // @ts-expect-error: a stand-in for the opaqueredirect Response only a browser's fetch makes
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      await assert.rejects(client.fetchBlob("docs", descriptor), (e) => {
        assert.ok(e instanceof OciError);
        assert.equal(e.code, "NETWORK_ERROR");
        assert.match(e.message, /browsers hide redirects/);
        assert.equal(e.details.url, blobUrl);
        return true;
      });
    });

    test("a referrers API the page cannot reach (CORS-less 404) falls back to the referrers tag, once per session", () => {
      // Only where fetch is bound by CORS (a browser): a child Node that imports the package
      // with no `process` global, as a page does (tests/browser run it in Chromium against
      // distribution 2.8.2, whose 404 for the referrers API lacks the CORS headers).
      const subject = `sha256:${"a".repeat(64)}`;
      const tag = `sha256-${"a".repeat(64)}`;
      const script = `
        const saved = globalThis.process;
        delete globalThis.process;
        const { Client } = await import(${JSON.stringify(label.split(" ")[0])});
        globalThis.process = saved;
        const calls = [];
        const fetch = async (url) => {
          calls.push(url);
          if (url.includes("/referrers/")) throw new TypeError("Failed to fetch");
          return new Response("", { status: 404 });
        };
        const client = new Client({ registry: ${JSON.stringify(REGISTRY)}, plainHttp: true, fetch });
        const before = client.referrersApi;
        const first = await client.referrers("docs@${subject}");
        const after = client.referrersApi;
        const second = await client.referrers("docs@${subject}");
        console.log(JSON.stringify({ before, first, after, second, calls }));
      `;
      const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: HERE, encoding: "utf8" }));
      assert.deepEqual(out, {
        before: null,
        first: [],
        after: false,
        second: [],
        calls: [`${BASE}/v2/docs/referrers/${subject}`, `${BASE}/v2/docs/manifests/${tag}`, `${BASE}/v2/docs/manifests/${tag}`],
      });
    });

    test("in Node (no CORS) a network error on the first referrers request is retried, not a 404", async () => {
      const subject = `sha256:${"a".repeat(64)}`;
      const calls = [];
      const fetch = async (url) => {
        calls.push(url);
        throw new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });
      };
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, retry: { maxRetries: 1, baseDelayMs: 1 } });
      await assert.rejects(client.referrers(`docs@${subject}`), (e) => e instanceof OciError && e.code === "NETWORK_ERROR");
      assert.equal(client.referrersApi, null);
      assert.deepEqual(calls, [`${BASE}/v2/docs/referrers/${subject}`, `${BASE}/v2/docs/referrers/${subject}`]);
    });

    test("once the referrers API is known to work, a network error is just an error", async () => {
      const subject = `sha256:${"b".repeat(64)}`;
      const index = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] });
      let fail = false;
      const fetch = async () => {
        if (fail) throw new TypeError("Failed to fetch");
        return new Response(index, { status: 200, headers: { "Content-Type": "application/vnd.oci.image.index.v1+json" } });
      };
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      assert.deepEqual(await client.referrers(`docs@${subject}`), []);
      assert.equal(client.referrersApi, true);
      fail = true;
      await assert.rejects(client.referrers(`docs@${subject}`), (e) => e instanceof OciError && e.code === "NETWORK_ERROR");
    });

    test("a failure of fetch itself is a NETWORK_ERROR with the cause", async () => {
      const cause = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
      // The engine retries a failed HEAD (it is safe to repeat): no retries here.
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch: async () => Promise.reject(cause), retry: { maxRetries: 0 } });
      const error = await client.resolve("docs:v1").then(() => assert.fail("resolved"), (e) => e);
      assert.ok(error instanceof OciError);
      assert.equal(error.code, "NETWORK_ERROR");
      assert.equal(error.cause, cause);
      assert.deepEqual(error.details, {
        method: "HEAD",
        url: `${BASE}/v2/docs/manifests/v1`,
        host: REGISTRY,
        phase: "request",
        reason: `HEAD ${BASE}/v2/docs/manifests/v1 failed: fetch failed: connect ECONNREFUSED`,
      });
      assert.match(error.message, /registry\.test:5000/);
    });

    test("a real refused connection is a NETWORK_ERROR too", async () => {
      // Port 9 (discard) is not served on loopback here.
      const client = new Client({ registry: "127.0.0.1:9", plainHttp: true });
      await assert.rejects(client.listTags("docs"), (e) => e instanceof OciError && e.code === "NETWORK_ERROR" && e.details.phase === "request");
    });

    test("429 with Retry-After: the engine's wait is slept, then the request is sent again", async () => {
      const started = Date.now();
      const { fetch, calls } = scripted([
        ["HEAD", `${BASE}/v2/docs/manifests/v1`, () => new Response(null, { status: 429, headers: { "Retry-After": "0" } })],
        [
          "HEAD",
          `${BASE}/v2/docs/manifests/v1`,
          () => new Response(null, { headers: { "Content-Type": MANIFEST, "Docker-Content-Digest": descriptor.digest, "Content-Length": "29" } }),
        ],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, retry: { baseDelayMs: 40 } });
      assert.deepEqual(await client.resolve("docs:v1"), { mediaType: MANIFEST, digest: descriptor.digest, size: 29 });
      assert.equal(calls.length, 2);
      assert.ok(Date.now() - started >= 35, "the backoff was waited");
    });

    test("aborting during a wait rejects at once with the signal's reason", async () => {
      const fetch = async () => new Response(null, { status: 503 });
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, retry: { baseDelayMs: 60_000 } });
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(), 20);
      await assert.rejects(client.resolve("docs:v1", { signal: controller.signal }), { name: "AbortError" });
      assert.ok(Date.now() - started < 5_000);
    });

    test("a manifest over the size limit is refused without reading the whole body", async () => {
      let pulled = 0;
      const endless = new ReadableStream({
        pull(controller) {
          pulled += 1;
          controller.enqueue(new Uint8Array(64 * 1024));
        },
      });
      const fetch = async () => new Response(endless, { headers: { "Content-Type": MANIFEST } });
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      await assert.rejects(client.fetchManifest("docs:v1", { maxSize: 100_000 }), (e) => e instanceof OciError && e.code === "SIZE_INVALID");
      assert.ok(pulled < 10, `read ${pulled} chunks of an endless body`);
    });

    test("a download cut short continues with Range from where it stopped", async () => {
      const { fetch, calls } = scripted([
        ["GET", blobUrl, () => new Response(cutBody(blob.subarray(0, 10)))],
        [
          "GET",
          blobUrl,
          () => new Response(blob.subarray(10), { status: 206, headers: { "Content-Range": `bytes 10-${blob.length - 1}/${blob.length}` } }),
        ],
      ]);
      const progress = [];
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      assert.deepEqual(await client.fetchBlob("docs", descriptor, { onProgress: (done) => progress.push(done) }), blob);
      assert.equal(calls[1].headers.range, "bytes=10-");
      assert.deepEqual(progress, [10, blob.length]);
    });

    test("an error of the caller's progress callback passes through as is, without a resume", async () => {
      const boom = new Error("boom");
      const { fetch, calls } = scripted([["GET", blobUrl, () => new Response(blob)]]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      const onProgress = () => {
        throw boom;
      };
      await assert.rejects(client.fetchBlob("docs", descriptor, { onProgress }), (e) => e === boom);
      assert.equal(calls.length, 1);
    });

    test("a registry that ignores the Range is read again from the start", async () => {
      const { fetch } = scripted([
        ["GET", blobUrl, () => new Response(cutBody(text("garbage!!!")))],
        ["GET", blobUrl, () => new Response(blob)],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      assert.deepEqual(await client.fetchBlob("docs", descriptor), blob);
    });

    test("a blob with other content is DIGEST_MISMATCH; a longer one SIZE_MISMATCH", async () => {
      const other = text("HELLO BLOB, IN SEVERAL PIECES");
      const longer = new Uint8Array(blob.length * 1000);
      /** @type {[Uint8Array<ArrayBuffer>, string][]} */
      const cases = [[other, "DIGEST_MISMATCH"], [longer, "SIZE_MISMATCH"]];
      for (const [body, code] of cases) {
        const client = new Client({ registry: REGISTRY, plainHttp: true, fetch: async () => new Response(body) });
        await assert.rejects(client.fetchBlob("docs", descriptor), (e) => e instanceof OciError && e.code === code, code);
      }
    });

    test("chunks are slices of the source, sent to the newest Location", async () => {
      const uploads = `${BASE}/v2/docs/blobs/uploads/`;
      const bodies = [];
      const keep = async (url, init) => {
        bodies.push(new Uint8Array(await new Response(init.body).arrayBuffer()));
      };
      const { fetch, calls } = scripted([
        ["HEAD", blobUrl, () => new Response(null, { status: 404 })],
        ["POST", uploads, () => new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=0" } })],
        ["PATCH", /\/u\?s=0$/, async (u, i) => (await keep(u, i), new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=1", Range: "0-11" } }))],
        ["PATCH", /\/u\?s=1$/, async (u, i) => (await keep(u, i), new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=2", Range: "0-23" } }))],
        ["PATCH", /\/u\?s=2$/, async (u, i) => (await keep(u, i), new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=3", Range: `0-${blob.length - 1}` } }))],
        ["PUT", /\/u\?s=3&digest=/, () => new Response(null, { status: 201, headers: { "Docker-Content-Digest": descriptor.digest } })],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      const progress = [];
      const source = new Blob([blob]);
      assert.equal(await client.pushBlob("docs", descriptor, source, { chunkSize: 12, onProgress: (done) => progress.push(done) }), true);
      assert.deepEqual(bodies, [blob.subarray(0, 12), blob.subarray(12, 24), blob.subarray(24)]);
      assert.deepEqual(progress, [12, 24, blob.length, blob.length]);
      const patches = calls.filter((c) => c.init.method === "PATCH");
      assert.deepEqual(patches.map((c) => c.headers["content-range"]), ["0-11", "12-23", `24-${blob.length - 1}`]);
      // fetch sets Content-Length from the body itself (browsers refuse it as a header).
      assert.ok(calls.every((c) => !("content-length" in c.headers)));
      assert.ok(patches.every((c) => c.headers["content-type"] === "application/octet-stream"));
    });

    test("a chunked upload cut by the network resumes from the registry's offset", async () => {
      const bodies = [];
      const keep = async (init) => bodies.push(new Uint8Array(await new Response(init.body).arrayBuffer()));
      const { fetch, calls, routes } = scripted([
        ["HEAD", blobUrl, () => new Response(null, { status: 404 })],
        ["POST", `${BASE}/v2/docs/blobs/uploads/`, () => new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=0" } })],
        ["PATCH", /\/u\?s=0$/, async (u, i) => (await keep(i), new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=1", Range: "0-11" } }))],
        ["PATCH", /\/u\?s=1$/, () => Promise.reject(new TypeError("fetch failed", { cause: new Error("socket hang up") }))],
        ["GET", /\/u\?s=1$/, () => new Response(null, { status: 204, headers: { Location: "/v2/docs/blobs/uploads/u?s=2", Range: "0-11" } })],
        ["PATCH", /\/u\?s=2$/, async (u, i) => (await keep(i), new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=3", Range: "0-23" } }))],
        ["PATCH", /\/u\?s=3$/, async (u, i) => (await keep(i), new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u?s=4", Range: `0-${blob.length - 1}` } }))],
        ["PUT", /\/u\?s=4&digest=/, () => new Response(null, { status: 201, headers: { "Docker-Content-Digest": descriptor.digest } })],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch });
      assert.equal(await client.pushBlob("docs", descriptor, blob, { chunkSize: 12 }), true);
      assert.deepEqual(routes, [], "every scripted answer was used");
      assert.deepEqual(bodies, [blob.subarray(0, 12), blob.subarray(12, 24), blob.subarray(24)]);
      assert.equal(calls.filter((c) => c.init.method === "PATCH").length, 4);
    });

    test("an upload in one PUT cut by the network is the engine's to retry; when it keeps failing, the network error is the answer", async () => {
      const { fetch, routes } = scripted([
        ["HEAD", blobUrl, () => new Response(null, { status: 404 })],
        // The session's probe of single-request uploads, refused as distribution does: the
        // 202 opens the upload session the blob goes on in.
        ["POST", /\/v2\/docs\/blobs\/uploads\/\?digest=/, () => new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u" } })],
        ["PUT", /\/u\?digest=/, () => Promise.reject(new TypeError("fetch failed"))],
        // The engine asks what the registry has before sending the blob again.
        ["GET", /\/u$/, () => new Response(null, { status: 204, headers: { Location: "/v2/docs/blobs/uploads/u", Range: "0-0" } })],
        ["PUT", /\/u\?digest=/, () => Promise.reject(new TypeError("fetch failed"))],
      ]);
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, retry: { maxRetries: 1, baseDelayMs: 1 } });
      await assert.rejects(client.pushBlob("docs", descriptor, blob), (e) => e instanceof OciError && e.code === "NETWORK_ERROR" && e.details.method === "PUT");
      assert.deepEqual(routes, [], "every scripted answer was used");
    });

    test("push runs at most `concurrency` blob uploads at once, and the manifest last", async () => {
      const packed = ocikit.pack({
        artifactType: "application/vnd.example.docs.config.v1+json",
        files: Array.from({ length: 7 }, (_, i) => ({ name: `f${i}`, data: text(`file ${i}`) })),
      });
      let active = 0;
      let peak = 0;
      const order = [];
      const fetch = async (url, init) => {
        order.push(`${init.method} ${new URL(url).pathname.split("/")[3]}`);
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active -= 1;
        if (init.method === "HEAD") return new Response(null, { status: 200 }); // every blob is there
        return new Response(null, { status: 201 });
      };
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, concurrency: 3 });
      const pushed = await client.push("docs:v1", packed);
      assert.equal(pushed.descriptor.digest, packed.digest);
      assert.deepEqual(pushed.blobs.map((b) => b.status), packed.blobs.map(() => "existed"));
      assert.equal(peak, 3);
      assert.equal(order.filter((o) => o === "HEAD blobs").length, packed.blobs.length);
      assert.equal(order.at(-1), "PUT manifests");
    });

    test("the first failed blob stops the others and is what push rejects with", async () => {
      const packed = ocikit.pack({
        artifactType: "application/vnd.example.docs.config.v1+json",
        files: Array.from({ length: 6 }, (_, i) => ({ name: `f${i}`, data: text(`file ${i}`) })),
      });
      let heads = 0;
      const fetch = async (url, init) => {
        if (init.method === "PUT") assert.fail("the manifest must not be pushed");
        heads += 1;
        if (heads === 2) return new Response('{"errors":[{"code":"DENIED","message":"no"}]}', { status: 403 });
        await new Promise((resolve, reject) => {
          const timer = setTimeout(resolve, 50);
          init.signal.addEventListener("abort", () => (clearTimeout(timer), reject(init.signal.reason)));
        });
        return new Response(null, { status: 200 });
      };
      const client = new Client({ registry: REGISTRY, plainHttp: true, fetch, concurrency: 2 });
      await assert.rejects(client.push("docs:v1", packed), (e) => e instanceof OciError && e.code === "DENIED" && e.details.status === 403);
      assert.ok(heads < packed.blobs.length, "the remaining blobs were not started");
    });

    test("arguments are checked: TypeError for shapes, OciError for what the core rejects", async () => {
      // The calls marked @ts-expect-error pass what their types reject, to test the runtime checks.
      // @ts-expect-error: no options, on purpose
      assert.throws(() => new Client(), TypeError);
      // @ts-expect-error: an unknown option, on purpose
      assert.throws(() => new Client({ registry: REGISTRY, colour: "blue" }), /no option "colour"/);
      // @ts-expect-error: a number, not a registry, on purpose
      assert.throws(() => new Client({ registry: 5000 }), TypeError);
      assert.throws(() => new Client({ registry: REGISTRY, concurrency: 0 }), RangeError);
      // @ts-expect-error: a string, not a function, on purpose
      assert.throws(() => new Client({ registry: REGISTRY, fetch: "fetch" }), TypeError);
      assert.throws(() => new Client({ registry: "http://registry.test" }), (e) => e instanceof OciError && e.code === "REFERENCE_INVALID");
      // @ts-expect-error: a username without its password, on purpose
      assert.throws(() => new Client({ registry: REGISTRY, credentials: { username: "a" } }), TypeError);
      assert.throws(() => new Client({ registry: REGISTRY, credentials: { username: "a", password: "b", accessToken: "c" } }), TypeError);
      const client = new Client({ registry: REGISTRY, fetch: async () => assert.fail("nothing is sent") });
      await assert.rejects(client.resolve("ghcr.io/other/repo:v1"), (e) => e instanceof OciError && e.code === "REFERENCE_INVALID" && /another registry/.test(String(e.details.reason)));
      await assert.rejects(client.resolve("Docs:v1"), (e) => e instanceof OciError && e.code === "REFERENCE_INVALID");
      // @ts-expect-error: a number, not a reference, on purpose
      await assert.rejects(client.resolve(42), TypeError);
      // @ts-expect-error: a string, not an AbortSignal, on purpose
      await assert.rejects(client.resolve("docs:v1", { signal: "stop" }), TypeError);
      // Bytes are not an object of options or a descriptor (every module reads them with api.js's record()).
      // @ts-expect-error: bytes, not options, on purpose
      await assert.rejects(client.resolve("docs:v1", new Uint8Array(2)), /options must be an object, not Uint8Array/);
      // @ts-expect-error: bytes, not a descriptor, on purpose
      await assert.rejects(client.fetchBlob("docs", new Uint8Array(2)), /descriptor must be an object, not Uint8Array/);
      // @ts-expect-error: bytes, not options, on purpose
      await assert.rejects(ocikit.packDirectory([], new Uint8Array(1)), /options must be an object, not Uint8Array/);
      // @ts-expect-error: a number, not a callback, on purpose
      await assert.rejects(client.fetchBlob("docs", descriptor, { onProgress: 1 }), TypeError);
      // @ts-expect-error: text, not bytes or a blob source, on purpose
      await assert.rejects(client.pushBlob("docs", descriptor, "text"), TypeError);
      await assert.rejects(client.pushBlob("docs", descriptor, blob.subarray(1)), (e) => e instanceof OciError && e.code === "SIZE_MISMATCH" && e.details.expected === blob.length);
      await assert.rejects(client.fetchBlob("docs", { ...descriptor, size: -1 }), (e) => e instanceof OciError && e.code === "SIZE_INVALID");
      await assert.rejects(client.pushBlob("docs", descriptor, blob, { chunkSize: 0 }), RangeError);
    });

    test("a blob packed by digest without data: pushed when the repository has it, BLOB_UNKNOWN when it lacks it", async () => {
      const packed = ocikit.pack({ files: [{ name: "x", digest: descriptor.digest, size: descriptor.size }], artifactType: "application/vnd.example.x.config.v1+json" });
      const answering = (/** @type {boolean} */ present) => {
        /** @type {string[]} */
        const sent = [];
        const respond = /** @type {typeof globalThis.fetch} */ (async (url, init) => {
          sent.push(`${init?.method} ${new URL(String(url)).pathname}`);
          if (init?.method === "HEAD") return new Response(null, { status: present || !String(url).includes(descriptor.digest) ? 200 : 404 });
          // The upload session starts (the engine knows which blob only when bytes move).
          if (init?.method === "POST") return new Response(null, { status: 202, headers: { Location: "/v2/docs/blobs/uploads/u1" } });
          return new Response(null, { status: 201, headers: { "Docker-Content-Digest": packed.digest } });
        });
        return { fetch: respond, sent };
      };
      const there = answering(true);
      const pushed = await new Client({ registry: REGISTRY, plainHttp: true, fetch: there.fetch }).push("docs:v1", packed);
      assert.deepEqual(pushed.blobs.map((b) => b.status), ["existed", "existed"]);
      assert.equal(there.sent.at(-1), "PUT /v2/docs/manifests/v1");
      const missing = answering(false);
      await assert.rejects(
        new Client({ registry: REGISTRY, plainHttp: true, fetch: missing.fetch }).push("docs:v1", packed),
        (e) => e instanceof OciError && e.code === "BLOB_UNKNOWN" && /has no data/.test(e.message) && e.details.digest === descriptor.digest,
      );
      assert.ok(!missing.sent.some((r) => r.includes("/manifests/") || r.startsWith("PUT")), missing.sent.join("\n"));
    });
  });
}

describe("the engine through the binding", () => {
  const [[, ocikit]] = implementations;
  const { RegistrySession, RegistryOperation, getManifest, pushBlob, OciError } = ocikit;

  test("operations come from the factory functions and refuse other sessions and inputs", () => {
    // @ts-expect-error: the constructor is private, on purpose
    assert.throws(() => new RegistryOperation(), TypeError);
    const session = new RegistrySession("localhost:5000", { plainHttp: true });
    assert.equal(session.base, "http://localhost:5000");
    assert.equal(new RegistrySession("localhost:5000").base, "https://localhost:5000");
    // @ts-expect-error: not a session, on purpose
    assert.throws(() => getManifest({}, "localhost:5000/docs:v1"), TypeError);
    const op = getManifest(session, "localhost:5000/docs:v1");
    // @ts-expect-error: not a session, on purpose
    assert.throws(() => op.next({}, { type: "start" }, 0), TypeError);
    // @ts-expect-error: an unknown input type, on purpose
    assert.throws(() => op.next(session, { type: "begin" }, 0), TypeError);
    // @ts-expect-error: an unknown field, on purpose
    assert.throws(() => op.next(session, { type: "start", extra: 1 }, 0), /no option "extra"/);
    assert.throws(() => op.next(session, { type: "start" }, -1), RangeError);
    // @ts-expect-error: text, not a number of milliseconds, on purpose
    assert.throws(() => op.next(session, { type: "start" }, "now"), TypeError);
    assert.equal(op.next(session, { type: "start" }, 0).type, "send");
    for (const bad of [{ status: "200" }, { status: 200.5 }, { status: 200, headers: [["a"]] }, { status: 200, headers: [[1, "x"]] }, { status: 200, headers: new Map() }, { status: 200, body: "{}" }]) {
      // @ts-expect-error: responses of the wrong JavaScript types, on purpose
      assert.throws(() => op.next(session, { type: "response", ...bad }, 0), TypeError, JSON.stringify(bad));
    }
    assert.throws(
      () => op.next(session, { type: "response", status: 200, streamed: { digest: "sha256:abc", size: 1 } }, 0),
      (e) => e instanceof OciError && e.code === "DIGEST_INVALID",
    );
    assert.equal(op.finished, false, "bad input leaves the operation as it was");
    const manifest = text("{}");
    const done = op.next(session, { type: "response", status: 200, headers: new Headers({ "Content-Type": MANIFEST }), body: manifest.buffer }, 0);
    assert.equal(done.type, "done");
    assert.deepEqual(done.value.bytes, manifest);
    assert.equal(op.finished, true);
    assert.throws(() => op.next(session, { type: "start" }, 0), (e) => e instanceof OciError && e.code === "PROTOCOL_ERROR");
  });

  test("a blob push reports its upload URL for a later resume", () => {
    const session = new RegistrySession("localhost:5000", { plainHttp: true });
    const op = pushBlob(session, "localhost:5000/docs", { mediaType: "application/octet-stream", digest: ocikit.digest(text("x")), size: 1 }, { chunkSize: 1 });
    assert.equal(op.uploadUrl, null);
    assert.equal(sent(op.next(session, { type: "start" }, 0)).method, "HEAD");
    const patch = sent(op.next(session, { type: "response", status: 404 }, 0));
    assert.equal(patch.method, "POST");
    const chunk = sent(op.next(session, { type: "response", status: 202, headers: { Location: "/v2/docs/blobs/uploads/u1" } }, 0));
    assert.deepEqual(chunk.body, { blob: { offset: 0, length: 1 } });
    assert.equal(op.uploadUrl, "http://localhost:5000/v2/docs/blobs/uploads/u1");
    assert.throws(() => op.next(session, { type: "response", status: 400 }, 0), (e) => e instanceof OciError && e.code === "REGISTRY_ERROR" && e.details.status === 400);
    assert.equal(op.uploadUrl, "http://localhost:5000/v2/docs/blobs/uploads/u1", "kept past the failure");
  });
});

/**
 * The request of a step that must be a "send" one.
 * @param {import("ocikit").RegistryStep<unknown>} step
 */
function sent(step) {
  assert.ok(step.type === "send", `a send step, not ${step.type}`);
  return step.request;
}
