// Where the JS host decided differently from the Python host (review of session 5): each test
// runs against a real local server (node:http, or docker-registry with its token server) and
// checks that the JS Client now does what ocikit for Python does.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import { once } from "node:events";
import { gzipSync } from "node:zlib";
import { after, before, describe, test } from "node:test";
import { Client, OciError, OciLayout, copy, digest, pack } from "ocikit";
import { OPENSSL_BIN, startRegistry } from "./registry-server.mjs";

const text = (s) => new TextEncoder().encode(s);
const INDEX = "application/vnd.oci.image.index.v1+json";

/** A node:http server on a loopback port: `handle(request, response)`; resolves to `{ address, close }`. */
async function serve(handle) {
  const server = createServer(handle);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return {
    address: `127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

describe("a network error on the first referrers request (item 1)", () => {
  test("in Node it is retried, not taken for a browser's CORS-blocked 404", async () => {
    const subject = `sha256:${"a".repeat(64)}`;
    const referrer = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: `sha256:${"b".repeat(64)}`, size: 10, artifactType: "application/vnd.test" };
    const body = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [referrer] });
    const seen = [];
    let resets = 0;
    const server = await serve((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      if (request.url?.includes("/referrers/")) {
        // The first listing's connection is reset before any answer (ECONNRESET at the client).
        if (resets++ === 0) {
          request.socket.destroy();
          return;
        }
        response.writeHead(200, { "Content-Type": INDEX }).end(body);
        return;
      }
      response.writeHead(404).end();
    });
    try {
      const client = new Client({ registry: server.address, plainHttp: true, retry: { baseDelayMs: 10 } });
      const found = await client.referrers(`${server.address}/x@${subject}`);
      // Python's Client retries it through the engine and lists the one referrer.
      assert.deepEqual(found.map((d) => d.digest), [referrer.digest]);
      // The session did not conclude that the registry lacks the API (an attach would then
      // write a referrers tag), and no referrers tag was read.
      assert.equal(client.referrersApi, true);
      assert.ok(!seen.some((line) => line.includes("/manifests/sha256-")), seen.join("\n"));
    } finally {
      await server.close();
    }
  });
});

describe("a copy from an OciLayout to a registry behind Bearer tokens (item 2)", () => {
  const skip = existsSync(OPENSSL_BIN) ? false : `${OPENSSL_BIN} is missing (apt-get install openssl)`;
  let secured;
  before(async () => {
    if (!skip) secured = await startRegistry({ users: { alice: "s3cret" }, bearer: true });
  });
  after(async () => {
    await secured?.stop();
  });

  test("the token requests go to the token server, not to the layout", { skip }, async () => {
    const layout = new OciLayout();
    const packed = pack({ files: [{ name: "a.txt", data: text("hi from a layout\n") }], artifactType: "application/vnd.test+type" });
    await layout.push("v1", packed);
    const client = new Client({ registry: secured.address, plainHttp: true, credentials: { username: "alice", password: "s3cret" } });
    const before = secured.tokenServer.requests.length;
    // Was UNSUPPORTED (the layout's 404 for the token realm's URL).
    const copied = await copy(layout, "v1", client, `${secured.address}/from-layout:v1`);
    assert.equal(copied.descriptor.digest, packed.digest);
    assert.ok(secured.tokenServer.requests.length > before);
    assert.deepEqual((await client.pull("from-layout:v1")).bytes, packed.manifest);
  });
});

describe("Accept-Encoding (item 3)", () => {
  test("every request asks for identity, so a server that gzips on request sends the blob as stored", async () => {
    const blob = text("hello world ".repeat(50));
    const blobDigest = digest(blob);
    const asked = [];
    const server = await serve((request, response) => {
      const accept = request.headers["accept-encoding"] ?? "";
      asked.push(accept);
      // As a registry behind a compressing proxy: gzip when the client accepts it.
      if (/gzip/.test(accept)) {
        const gz = gzipSync(blob);
        response.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Encoding": "gzip", "Content-Length": gz.length }).end(gz);
      } else {
        response.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": blob.length }).end(blob);
      }
    });
    try {
      const client = new Client({ registry: server.address, plainHttp: true });
      // Was SIZE_MISMATCH (fetch asked for gzip and handed over the decoded bytes).
      const got = await client.fetchBlob(`${server.address}/x`, { mediaType: "application/octet-stream", digest: blobDigest, size: blob.length });
      assert.deepEqual(new Uint8Array(got), blob);
      assert.deepEqual(asked, ["identity"]);
    } finally {
      await server.close();
    }
  });
});

describe("options out of range are OPTIONS_INVALID, as in Python (item 6)", () => {
  test("a tags page size n and a negative depth", async () => {
    // No request is made: the options are refused first (the registry does not exist).
    const client = new Client({ registry: "127.0.0.1:9", plainHttp: true });
    for (const n of [0, -1, 1.5, 2 ** 32]) {
      await assert.rejects(client.listTagsPage("x", { n }), (e) => {
        assert.ok(e instanceof OciError, String(e));
        assert.equal(e.code, "OPTIONS_INVALID");
        // Python's text: f"n must be from 1 to 2^32 - 1, not {n!r}".
        assert.equal(e.message, `n must be from 1 to 2^32 - 1, not ${n}`);
        assert.equal(e.details.reason, e.message);
        return true;
      });
    }
    // Python's texts (ocikit._calls.check_depth).
    for (const [depth, message] of [
      [-1, "depth must be a non-negative integer, not -1"],
      [0.5, "depth must be a non-negative integer, not 0.5"],
      [2 ** 32, "depth must be at most 2^32 - 1, not 4294967296"],
    ]) {
      await assert.rejects(client.discover(`x@sha256:${"a".repeat(64)}`, { depth }), (e) => {
        assert.ok(e instanceof OciError, String(e));
        assert.equal(e.code, "OPTIONS_INVALID");
        assert.equal(e.message, message);
        return true;
      });
    }
  });
});

describe("a stalled upload (item 4)", () => {
  /**
   * A registry that takes an upload session and then, for the PUT of its bytes, `put(request,
   * response)`; HEAD of a blob is 404 (not there yet).
   */
  async function uploads(put) {
    const seen = [];
    const server = await serve((request, response) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers });
      if (request.method === "HEAD") return void response.writeHead(404).end();
      if (request.method === "POST") return void response.writeHead(202, { Location: "/v2/x/blobs/uploads/u1", "Content-Length": 0 }).end();
      if (request.method === "PUT") return put(request, response);
      response.writeHead(405).end();
    });
    return { ...server, seen };
  }
  const big = new Uint8Array(32 * 1024 * 1024).fill(7);
  const descriptor = { mediaType: "application/octet-stream", digest: digest(big), size: big.byteLength };

  test("a registry that stops reading a large upload ends it at the stall timeout, not the deadline", async () => {
    // The PUT's body is never read (the socket's buffers fill), and nothing is answered.
    const server = await uploads((request) => request.pause());
    try {
      const client = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 500, deadlineMs: 20_000 }, retry: { maxRetries: 0 } });
      const started = Date.now();
      const error = await client.pushBlob(`${server.address}/x`, descriptor, big).then(() => assert.fail("the stalled upload succeeded"), (e) => e);
      const ms = Date.now() - started;
      assert.ok(error instanceof OciError, String(error));
      assert.equal(error.code, "TIMEOUT");
      // Was the deadline (limit "deadlineMs", after 20 s): the stall timer was off for any body
      // over 1 MiB.
      assert.equal(error.details.limit, "stallTimeoutMs");
      assert.equal(error.details.method, "PUT");
      assert.ok(ms < 10_000, `${ms} ms`);
    } finally {
      await server.close();
    }
  });

  test("a large upload the registry reads goes whole, with its Content-Length", async () => {
    const server = await uploads(async (request, response) => {
      let received = 0;
      for await (const chunk of request) received += chunk.length;
      response.writeHead(received === big.byteLength ? 201 : 400, { "Docker-Content-Digest": descriptor.digest, "Content-Length": 0 }).end();
    });
    try {
      const client = new Client({ registry: server.address, plainHttp: true, limits: { stallTimeoutMs: 2_000 }, retry: { maxRetries: 0 } });
      assert.equal(await client.pushBlob(`${server.address}/x`, descriptor, big), true);
      const put = server.seen.find((r) => r.method === "PUT");
      assert.equal(put?.headers["content-length"], String(big.byteLength));
      assert.equal(put?.headers["transfer-encoding"], undefined);
    } finally {
      await server.close();
    }
  });
});

describe("an OciLayout's reference for a tag or digest (item 5)", () => {
  test("a skopeo-style ref.name (example.com/app:1.0) is reached by its entry's digest, as in Python", async () => {
    const written = new OciLayout();
    const packed = pack({ files: [{ name: "a.txt", data: text("hi") }], artifactType: "application/vnd.test+type" });
    await written.push("v1", packed);
    // image-layout.md allows '/' and ':' in a ref.name; skopeo writes the whole reference.
    const files = written.files;
    const index = JSON.parse(new TextDecoder().decode(files.get("index.json")));
    index.manifests[0].annotations["org.opencontainers.image.ref.name"] = "example.com/app:1.0";
    files.set("index.json", text(JSON.stringify(index)));
    const layout = OciLayout.fromFiles(files);
    // Was `…/layout@example.com/app:1.0`, a DIGEST_INVALID.
    assert.equal(layout.ref("example.com/app:1.0"), `${layout.host}/layout@${packed.digest}`);
    assert.equal((await layout.resolve("example.com/app:1.0")).digest, packed.digest);
    assert.equal(layout.ref("v1"), `${layout.host}/layout:v1`);
    assert.equal(layout.ref(packed.digest), `${layout.host}/layout@${packed.digest}`);
    // Neither a tag, a digest nor an entry: the reference grammar refuses it.
    await assert.rejects(layout.resolve("other.com/app:2"), (e) => e instanceof OciError && e.code === "REFERENCE_INVALID");
  });
});
