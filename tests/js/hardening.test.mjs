// The JS Client against registries that misbehave on purpose (issue 9): every failure is an
// OciError with a code, every exchange ends at its stall timeout or its operation's deadline,
// bodies and listings are bounded, and credentials stay with the registry's origin. The
// registry listens on 127.0.0.1 and the "attacker" on 127.0.0.2: another host to the client.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Client, OciError, digest } from "ocikit";
import { hostileRegistry, json, listen, pause, sawCredentials } from "./hostile-server.mjs";

const MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const EMPTY_CONFIG =
  '{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}';
const CREDENTIALS = { username: "user", password: "registry-secret" };
const text = (s) => new TextEncoder().encode(s);

/** @type {(() => Promise<void>)[]} */
const cleanups = [];
after(async () => {
  for (const close of cleanups) await close();
});

/** A registry from routes, closed after the tests. */
async function registry(routes, host = "127.0.0.1") {
  const server = await hostileRegistry(routes, host);
  cleanups.push(server.close);
  return server;
}

/**
 * A listener that records what reaches it and answers with `handler` (404 by default): on
 * 127.0.0.2 (another host), or on another port of 127.0.0.1 (the same host, another origin).
 */
async function attacker(handler = (_q, response) => json(response, 404, { errors: [] }), host = "127.0.0.2") {
  const server = await listen(handler, host);
  cleanups.push(server.close);
  return server;
}

/**
 * An image manifest with one layer of `size` (a literal, so that sizes JSON numbers cannot hold
 * exactly fit), titled: pull downloads the titled layers (the core's pull plan).
 */
function manifestWithLayer(size) {
  const layer = `{"mediaType":"application/octet-stream","digest":"${digest(text("layer"))}","size":${size},"annotations":{"org.opencontainers.image.title":"layer.bin"}}`;
  return `{"schemaVersion":2,"mediaType":"${MANIFEST}","artifactType":"application/vnd.test.artifact","config":${EMPTY_CONFIG},"layers":[${layer}]}`;
}

/** What was thrown, for a failure message. */
function describeError(thrown) {
  return thrown instanceof Error ? `${thrown.constructor.name}: ${thrown.message}` : String(thrown);
}

/** Runs `call`, which must reject with an OciError of `code`; resolves to the error and the time it took. */
async function rejectsWith(call, code) {
  const start = performance.now();
  let caught;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  const ms = performance.now() - start;
  assert.ok(caught !== undefined, `expected ${code}, but the call succeeded`);
  assert.ok(caught instanceof OciError, `expected an OciError ${code}, got ${describeError(caught)}`);
  assert.equal(caught.code, code, caught.message);
  return { error: caught, ms };
}

describe("every failure is an OciError with a code (issue 9 item 12)", () => {
  test("a refused connection is NETWORK_ERROR naming the host", async () => {
    const server = await listen(() => {});
    await server.close();
    const client = new Client({ registry: server.address, plainHttp: true });
    const { error } = await rejectsWith(() => client.fetchManifest("docs:v1"), "NETWORK_ERROR");
    assert.equal(error.details.host, server.address);
    assert.match(error.message, new RegExp(server.address.replaceAll(".", "\\.")));
  });

  test("a transport's own timeout (an AbortSignal.timeout inside a fetch wrapper) is TIMEOUT", async () => {
    const fetch = async () => {
      throw new DOMException("The operation was aborted due to timeout", "TimeoutError");
    };
    const client = new Client({ registry: "registry.test:5000", plainHttp: true, fetch, retry: { maxRetries: 0 } });
    const { error } = await rejectsWith(() => client.fetchManifest("docs:v1"), "TIMEOUT");
    assert.equal(error.details.host, "registry.test:5000");
    assert.ok(error.cause instanceof DOMException);
  });

  for (const [label, token] of [
    ["CR and LF", "abc\r\nX-Injected: 1"],
    ["a character beyond Latin-1", "abc\u0100def"],
  ]) {
    test(`a token with ${label} from the registry's token server is AUTH_INVALID, not a TypeError`, async () => {
      const server = await registry([
        ["GET", "/token", (_q, response) => json(response, 200, { token, expires_in: 300 })],
        [
          "GET",
          "/v2/docs/manifests/v1",
          (_q, response, _r, self) =>
            json(response, 401, { errors: [{ code: "UNAUTHORIZED", message: "token needed" }] }, {
              "WWW-Authenticate": `Bearer realm="${self.origin}/token",service="test",scope="repository:docs:pull"`,
            }),
        ],
      ]);
      const client = new Client({ registry: server.address, plainHttp: true, credentials: CREDENTIALS });
      await rejectsWith(() => client.fetchManifest("docs:v1"), "AUTH_INVALID");
      // Nothing carrying the token was sent.
      assert.ok(server.requests.every((r) => !String(r.headers.authorization ?? "").startsWith("Bearer")));
    });
  }

  test("a layer of 2^40 bytes in a pulled manifest is a coded error, not a RangeError", async () => {
    const manifest = manifestWithLayer(2 ** 40);
    const server = await registry([
      ["GET", "/v2/docs/manifests/v1", (_q, response) => json(response, 200, manifest, { "Content-Type": MANIFEST })],
      ["GET", /^\/v2\/docs\/blobs\//, (_q, response) => response.end("layer")],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true });
    // Node holds at most about 4 GiB in one Uint8Array: LIMIT_EXCEEDED before any request.
    const { error } = await rejectsWith(() => client.pull("docs:v1"), "LIMIT_EXCEEDED");
    assert.equal(error.details.value, 2 ** 40);
    // fetchBlob with the same descriptor: the same.
    await rejectsWith(
      () => client.fetchBlob("docs", { mediaType: "application/octet-stream", digest: digest(text("layer")), size: 2 ** 40 }),
      "LIMIT_EXCEEDED",
    );
  });

  test("a size beyond Number.MAX_SAFE_INTEGER from the registry is SIZE_INVALID, not a RangeError", async () => {
    const manifest = manifestWithLayer("9007199254740993");
    const subject = digest(text("subject"));
    const referrer = `{"mediaType":"${MANIFEST}","digest":"${digest(text("referrer"))}","size":9007199254740993,"artifactType":"application/vnd.test.sig"}`;
    const server = await registry([
      ["GET", "/v2/docs/manifests/v1", (_q, response) => json(response, 200, manifest, { "Content-Type": MANIFEST })],
      [
        "GET",
        `/v2/docs/referrers/${subject}`,
        (_q, response) =>
          json(response, 200, `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[${referrer}]}`, {
            "Content-Type": "application/vnd.oci.image.index.v1+json",
          }),
      ],
      [
        "HEAD",
        /^\/v2\/docs\/blobs\//,
        (_q, response) => {
          response.writeHead(200, { "Content-Length": "1152921504606846976", "Content-Type": "application/octet-stream" });
          response.end();
        },
      ],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true });
    await rejectsWith(() => client.pull("docs:v1"), "SIZE_INVALID");
    await rejectsWith(() => client.blobExists("docs", digest(text("layer"))), "SIZE_INVALID");
    await rejectsWith(() => client.referrers("docs", subject), "SIZE_INVALID");
  });

  test("a certificate the runtime does not trust is TLS_ERROR naming the host", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ocikit-tls-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      { stdio: "ignore" },
    );
    const server = createHttpsServer({ key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) }, (_q, response) =>
      json(response, 200, {}),
    );
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve(undefined))));
    const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
    const client = new Client({ registry: `127.0.0.1:${port}`, retry: { maxRetries: 0 } });
    const { error } = await rejectsWith(() => client.fetchManifest("docs:v1"), "TLS_ERROR");
    assert.equal(error.details.host, `127.0.0.1:${port}`);
  });

  test("tag lists, referrer indexes and manifests of odd shapes are coded errors", async () => {
    const subject = digest(text("subject"));
    const server = await registry([
      ["GET", "/v2/a/tags/list", (_q, response) => json(response, 200, { name: "a", tags: "latest" })],
      ["GET", "/v2/b/tags/list", (_q, response) => json(response, 200, { name: "b", tags: [1, 2] })],
      ["GET", "/v2/c/tags/list", (_q, response) => json(response, 200, "{not json")],
      [
        "GET",
        `/v2/a/referrers/${subject}`,
        (_q, response) => json(response, 200, { schemaVersion: 2, manifests: 5 }, { "Content-Type": "application/vnd.oci.image.index.v1+json" }),
      ],
      [
        "GET",
        `/v2/b/referrers/${subject}`,
        (_q, response) =>
          json(response, 200, { schemaVersion: 2, manifests: [{ digest: 7, size: "x" }] }, { "Content-Type": "application/vnd.oci.image.index.v1+json" }),
      ],
      ["GET", "/v2/a/manifests/v1", (_q, response) => json(response, 200, "[]", { "Content-Type": MANIFEST })],
      ["GET", "/v2/b/manifests/v1", (_q, response) => json(response, 200, '{"schemaVersion":2,"layers":{}}', { "Content-Type": MANIFEST })],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true });
    const calls = [
      () => client.listTags("a"),
      () => client.listTags("b"),
      () => client.listTags("c"),
      () => client.referrers("a", subject),
      () => client.referrers("b", subject),
      () => client.pull("a:v1"),
      () => client.pull("b:v1"),
    ];
    for (const call of calls) {
      await assert.rejects(call(), (e) => {
        assert.ok(e instanceof OciError, describeError(e));
        assert.match(e.code, /^[A-Z_]+$/);
        return true;
      });
    }
  });
});

describe("every exchange ends at its stall timeout or its deadline (issue 9 item 9)", () => {
  test("a registry that never answers ends at the stall timeout", async () => {
    const server = await registry([["GET", "/v2/docs/manifests/v1", () => {}]]);
    // Without retries: the engine retries a GET that timed out like any repeatable request.
    const client = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 400 }, retry: { maxRetries: 0 } });
    const { error, ms } = await rejectsWith(() => client.fetchManifest("docs:v1"), "TIMEOUT");
    assert.ok(ms >= 350 && ms < 3000, `${ms} ms`);
    assert.equal(error.details.host, server.address);
    assert.equal(error.details.limit, "stallTimeoutMs");
    assert.equal(server.requests.length, 1);
    // With retries allowed, a request that timed out is TIMEOUT at once: the core does not send
    // it again (another attempt would cost the stall timeout again; core commit 195701c).
    const retrying = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 200 }, retry: { maxRetries: 2, baseDelayMs: 10 } });
    const again = await rejectsWith(() => retrying.fetchManifest("docs:v1"), "TIMEOUT");
    assert.ok(again.ms < 3000, `${again.ms} ms`);
    assert.equal(server.requests.length, 2);
  });

  test("a blob sent one byte at a time ends at the operation's deadline", async () => {
    const blob = new Uint8Array(1000).fill(7);
    const descriptor = { mediaType: "application/octet-stream", digest: digest(blob), size: blob.length };
    const server = await registry([
      [
        "GET",
        `/v2/docs/blobs/${descriptor.digest}`,
        async (_q, response) => {
          response.writeHead(200, { "Content-Length": blob.length, "Content-Type": "application/octet-stream" });
          for (let i = 0; i < blob.length && !response.destroyed; i += 1) {
            response.write(blob.subarray(i, i + 1));
            await pause(100);
          }
          response.end();
        },
      ],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 1000, deadlineMs: 1500 } });
    const { ms } = await rejectsWith(() => client.fetchBlob("docs", descriptor), "TIMEOUT");
    assert.ok(ms >= 1300 && ms < 6000, `${ms} ms`);
  });

  test("a manifest PUT that is never answered ends at the stall timeout too", async () => {
    const server = await registry([["PUT", "/v2/docs/manifests/v1", () => {}]]);
    const client = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 400 }, retry: { maxRetries: 0 } });
    const manifest = text(manifestWithLayer(5));
    const { ms } = await rejectsWith(() => client.pushManifest("docs:v1", manifest, MANIFEST), "TIMEOUT");
    assert.ok(ms >= 350 && ms < 3000, `${ms} ms`);
  });

  test("a blob download that stalls half-way continues from the bytes held (Range)", async () => {
    const blob = new Uint8Array(4096).map((_, i) => i % 251);
    const descriptor = { mediaType: "application/octet-stream", digest: digest(blob), size: blob.length };
    const server = await registry([
      [
        "GET",
        `/v2/docs/blobs/${descriptor.digest}`,
        (request, response) => {
          const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
          if (range === null) {
            // Half the blob, then nothing more: the stall timeout ends this request.
            response.writeHead(200, { "Content-Length": blob.length, "Content-Type": "application/octet-stream" });
            response.write(blob.subarray(0, 2048));
            return;
          }
          const start = Number(range[1]);
          response.writeHead(206, { "Content-Range": `bytes ${start}-${blob.length - 1}/${blob.length}`, "Content-Length": blob.length - start });
          response.end(blob.subarray(start));
        },
      ],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 300 } });
    assert.deepEqual(await client.fetchBlob("docs", descriptor), blob);
    assert.deepEqual(server.requests.map((r) => r.headers.range), [undefined, "bytes=2048-"]);
  });

  test("a Retry-After over the cap fails at once with TOOMANYREQUESTS", async () => {
    const server = await registry([
      [
        "GET",
        "/v2/docs/manifests/v1",
        (_q, response) => json(response, 429, { errors: [{ code: "TOOMANYREQUESTS", message: "slow down" }] }, { "Retry-After": "100000" }),
      ],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true, limits: { retryAfterMaxMs: 1000 } });
    const { ms } = await rejectsWith(() => client.fetchManifest("docs:v1"), "TOOMANYREQUESTS");
    assert.ok(ms < 1000, `${ms} ms`);
    assert.equal(server.requests.length, 1);
  });

  test("a retry wait that would pass the operation's deadline ends it at once with TIMEOUT", async () => {
    const server = await registry([
      [
        "GET",
        "/v2/docs/manifests/v1",
        (_q, response) => json(response, 503, { errors: [{ code: "UNAVAILABLE", message: "later" }] }, { "Retry-After": "5" }),
      ],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true, limits: { deadlineMs: 1000 } });
    const { ms } = await rejectsWith(() => client.fetchManifest("docs:v1"), "TIMEOUT");
    assert.ok(ms < 1000, `${ms} ms`);
    assert.equal(server.requests.length, 1);
  });

  test("the caller's own signal still wins, with its own reason", async () => {
    const server = await registry([["GET", "/v2/docs/manifests/v1", () => {}]]);
    const client = new Client({ registry: server.address, plainHttp: true });
    const reason = new Error("stop");
    const controller = new AbortController();
    setTimeout(() => controller.abort(reason), 100);
    await assert.rejects(client.fetchManifest("docs:v1", { signal: controller.signal }), (e) => e === reason);
  });
});

describe("bodies and listings are bounded (issue 9 items 5 and 6)", () => {
  test("a blob body longer than its descriptor stops being read at size + 1, and is not retried", async () => {
    const blob = text("ten bytes!");
    const descriptor = { mediaType: "application/octet-stream", digest: digest(blob), size: blob.length };
    let written = 0;
    const server = await registry([
      [
        "GET",
        `/v2/docs/blobs/${descriptor.digest}`,
        async (_q, response) => {
          response.writeHead(200, { "Content-Type": "application/octet-stream" });
          const chunk = new Uint8Array(64 * 1024);
          const closed = once(response, "close");
          // Endless: only the client closing the connection stops it.
          while (!response.destroyed && written < 1024 ** 3) {
            written += chunk.length;
            if (!response.write(chunk)) await Promise.race([once(response, "drain"), closed]);
          }
        },
      ],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true });
    const { ms } = await rejectsWith(() => client.fetchBlob("docs", descriptor), "SIZE_MISMATCH");
    assert.ok(ms < 5000, `${ms} ms`);
    assert.equal(server.requests.length, 1, "a body that was too long is not asked for again");
    await pause(100);
    // What the sockets buffered, not the gigabyte the server would have sent.
    assert.ok(written < 64 * 1024 ** 2, `${written} bytes written`);
  });

  /** A registry with `count` tags named t000…, `pageSize` per page with Link headers. */
  async function tagRegistry(count, pageSize) {
    const tags = Array.from({ length: count }, (_, i) => `t${String(i).padStart(3, "0")}`);
    return registry([
      [
        "GET",
        "/v2/docs/tags/list",
        (request, response) => {
          const url = new URL(request.url ?? "", "http://x");
          const last = url.searchParams.get("last");
          const start = last === null ? 0 : tags.indexOf(last) + 1;
          const page = tags.slice(start, start + pageSize);
          const headers = {};
          if (start + pageSize < tags.length) headers.Link = `</v2/docs/tags/list?n=${pageSize}&last=${page[page.length - 1]}>; rel="next"`;
          json(response, 200, { name: "docs", tags: page }, headers);
        },
      ],
    ]);
  }

  test("iterTags yields tags a page at a time, asking for the next page only when needed", async () => {
    const server = await tagRegistry(7, 3);
    const client = new Client({ registry: server.address, plainHttp: true });
    const seen = [];
    const requestsAtFirst = [];
    for await (const tag of client.iterTags("docs")) {
      if (seen.length === 0) requestsAtFirst.push(server.requests.length);
      seen.push(tag);
    }
    assert.deepEqual(seen, ["t000", "t001", "t002", "t003", "t004", "t005", "t006"]);
    assert.deepEqual(requestsAtFirst, [1]);
    assert.equal(server.requests.length, 3);
  });

  test("iterTags stopped early asks for no more pages", async () => {
    const server = await tagRegistry(7, 3);
    const client = new Client({ registry: server.address, plainHttp: true });
    for await (const tag of client.iterTags("docs")) if (tag === "t001") break;
    assert.equal(server.requests.length, 1);
  });

  test("listTags over limits.listEntriesMax is LIMIT_EXCEEDED", async () => {
    const server = await tagRegistry(12, 5);
    const client = new Client({ registry: server.address, plainHttp: true, limits: { listEntriesMax: 10 } });
    const { error } = await rejectsWith(() => client.listTags("docs"), "LIMIT_EXCEEDED");
    assert.match(error.message, /listEntriesMax|list_entries_max|entries/);
    assert.deepEqual((await new Client({ registry: server.address, plainHttp: true }).listTags("docs")).length, 12);
  });

  test("listTags over limits.listBytesMax is LIMIT_EXCEEDED", async () => {
    const long = Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(4, "0")}${"x".repeat(1000)}`);
    const server = await registry([["GET", "/v2/docs/tags/list", (_q, response) => json(response, 200, { name: "docs", tags: long })]]);
    const client = new Client({ registry: server.address, plainHttp: true, limits: { listBytesMax: 1024 * 1024 } });
    await rejectsWith(() => client.listTags("docs"), "LIMIT_EXCEEDED");
  });
});

describe("credentials stay with the registry's origin (issue 9 items 1–3)", () => {
  /** A registry answering every manifest GET with a Bearer challenge naming `realm`. */
  function challenging(realm) {
    return registry([
      [
        "GET",
        "/v2/docs/manifests/v1",
        (_q, response) =>
          json(response, 401, { errors: [{ code: "UNAUTHORIZED", message: "token needed" }] }, {
            "WWW-Authenticate": `Bearer realm="${realm}",service="test",scope="repository:docs:pull"`,
          }),
      ],
    ]);
  }

  test("a token realm on another loopback address is refused (AUTH_REALM_REFUSED), and gets nothing", async () => {
    const evil = await attacker((_q, response) => json(response, 200, { token: "stolen" }));
    const server = await challenging(`${evil.origin}/token`);
    const client = new Client({ registry: server.address, plainHttp: true, credentials: CREDENTIALS });
    await rejectsWith(() => client.fetchManifest("docs:v1"), "AUTH_REALM_REFUSED");
    assert.deepEqual(evil.requests, []);
  });

  for (const realm of ["file:///etc/passwd", "ftp://127.0.0.1/token", "gopher://127.0.0.1:70/token"]) {
    test(`a token realm ${realm} is refused (AUTH_REALM_REFUSED)`, async () => {
      const server = await challenging(realm);
      const client = new Client({ registry: server.address, plainHttp: true, credentials: CREDENTIALS });
      await rejectsWith(() => client.fetchManifest("docs:v1"), "AUTH_REALM_REFUSED");
    });
  }

  for (const scheme of ["Basic", "Bearer"]) {
    test(`a blob redirected to another origin that answers 401 (${scheme}) gets no registry credentials`, async () => {
      const blob = text("redirected blob");
      const descriptor = { mediaType: "application/octet-stream", digest: digest(blob), size: blob.length };
      // The same host on another port: a realm there passed the old plain-HTTP realm check.
      const evil = await attacker((request, response, _r, self) => {
        if ((request.url ?? "").startsWith("/token")) return json(response, 200, { token: "evil-token" });
        const challenge = scheme === "Basic" ? 'Basic realm="storage"' : `Bearer realm="${self.origin}/token",service="evil",scope="repository:docs:pull"`;
        return json(response, 401, { errors: [{ code: "UNAUTHORIZED", message: "who are you" }] }, { "WWW-Authenticate": challenge });
      }, "127.0.0.1");
      // The registry asks for its Basic credentials first, so the session holds them when the
      // redirect's target challenges too.
      const server = await registry([
        [
          "GET",
          `/v2/docs/blobs/${descriptor.digest}`,
          (request, response) => {
            if (request.headers.authorization === undefined) {
              return json(response, 401, { errors: [{ code: "UNAUTHORIZED", message: "log in" }] }, { "WWW-Authenticate": 'Basic realm="registry"' });
            }
            response.writeHead(307, { Location: `${evil.origin}/storage/blob?sig=1` });
            response.end();
          },
        ],
      ]);
      const client = new Client({ registry: server.address, plainHttp: true, credentials: CREDENTIALS });
      await assert.rejects(client.fetchBlob("docs", descriptor), (e) => {
        assert.ok(e instanceof OciError, describeError(e));
        return true;
      });
      assert.ok(sawCredentials(server.requests), "the registry got its credentials");
      assert.ok(evil.requests.length >= 1, "the redirect was followed");
      assert.ok(!sawCredentials(evil.requests), JSON.stringify(evil.requests.map((r) => [r.method, r.url, r.headers.authorization])));
    });
  }

  test("an upload Location on another origin is refused (LOCATION_REFUSED), and no body goes there", async () => {
    const blob = text("blob for the wrong place");
    const descriptor = { mediaType: "application/octet-stream", digest: digest(blob), size: blob.length };
    const evil = await attacker((_q, response) => {
      response.writeHead(201, { "Docker-Content-Digest": descriptor.digest });
      response.end();
    });
    const server = await registry([
      ["HEAD", `/v2/docs/blobs/${descriptor.digest}`, (_q, response) => json(response, 404, "")],
      [
        "POST",
        "/v2/docs/blobs/uploads/",
        (_q, response) => {
          response.writeHead(202, { Location: `${evil.origin}/upload/1`, "Content-Length": 0 });
          response.end();
        },
      ],
    ]);
    const client = new Client({ registry: server.address, plainHttp: true, credentials: CREDENTIALS });
    await rejectsWith(() => client.pushBlob("docs", descriptor, blob), "LOCATION_REFUSED");
    assert.deepEqual(evil.requests, []);
  });
});
