// The user's own headers (`new Client({ headers })`, Python's `Client(headers=…)`, ORAS's
// `-H`): the core sends them with every request to the registry's origin and to the token
// realm it names, never to another origin (a storage backend a blob download is redirected
// to), since they may carry credentials. Real node:http servers on loopback.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client, OciError, digest } from "ocikit";
import { listen } from "./hostile-server.mjs";

const BLOB = new TextEncoder().encode("hello");
const SECRET = "Bearer user-secret-from-H";

describe("user headers", () => {
  /** @type {Awaited<ReturnType<typeof listen>>} */
  let registry;
  /** @type {Awaited<ReturnType<typeof listen>>} */
  let storage;
  let descriptor;

  before(async () => {
    descriptor = { mediaType: "application/octet-stream", digest: await digest(BLOB), size: BLOB.length };
    storage = await listen((request, response) => {
      response.writeHead(200, { "Content-Length": String(BLOB.length) });
      response.end(BLOB);
    });
    registry = await listen((request, response, recorded, self) => {
      if (request.url?.startsWith("/token")) {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end('{"token":"t0k"}');
      } else if (request.headers.authorization?.split(", ")[0] !== "Bearer t0k") {
        response.writeHead(401, { "WWW-Authenticate": `Bearer realm="${self.origin}/token",service="test"`, "Content-Length": "0" });
        response.end();
      } else if (request.url?.includes("/blobs/")) {
        // Another origin: localhost, not 127.0.0.1.
        response.writeHead(307, { Location: `http://localhost:${storage.port}/blob?sig=1`, "Content-Length": "0" });
        response.end();
      } else {
        response.writeHead(404, { "Content-Length": "0" });
        response.end();
      }
    });
  });

  after(async () => {
    await registry.close();
    await storage.close();
  });

  for (const [shape, headers] of [
    ["a plain object", { "X-Trace": "abc 1", Authorization: SECRET }],
    ["[name, value] pairs", [["X-Trace", "abc 1"], ["Authorization", SECRET]]],
  ]) {
    test(`given as ${shape}: to the registry and its realm, not to a redirect's origin`, async () => {
      registry.requests.length = 0;
      storage.requests.length = 0;
      const client = new Client({ registry: registry.address, plainHttp: true, headers });
      const bytes = await client.fetchBlob(`${registry.address}/app@${descriptor.digest}`, descriptor);
      assert.deepEqual(bytes, BLOB);
      const seen = JSON.stringify([...registry.requests, ...storage.requests].map((r) => r.url));
      assert.ok(registry.requests.length >= 3 && storage.requests.length === 1, seen);
      assert.ok(registry.requests.some((r) => r.url.startsWith("/token")), seen);
      for (const { headers: got } of registry.requests) {
        assert.equal(got["x-trace"], "abc 1");
        // Node joins repeated headers with ", ": the engine's token first, then the user's.
        assert.ok(got.authorization?.endsWith(SECRET), got.authorization);
      }
      for (const { headers: got } of storage.requests) {
        assert.equal(got["x-trace"], undefined);
        assert.equal(got.authorization, undefined);
      }
    });
  }

  test("headers that would break the exchange are OPTIONS_INVALID when the client is made", () => {
    for (const headers of [{ "Bad Name": "v" }, { "X-Trace": "a\r\nInjected: yes" }, { "X-Trace": "caf\u00e9" }, { "Content-Length": "5" }, [["Host", "elsewhere.example"]]]) {
      assert.throws(
        () => new Client({ registry: "registry.example", headers }),
        (error) => error instanceof OciError && error.code === "OPTIONS_INVALID",
        JSON.stringify(headers),
      );
    }
    for (const headers of ["X-A: 1", [["X-A"]], { "X-A": 1 }, new Map([["X-A", "1"]])]) {
      assert.throws(() => new Client({ registry: "registry.example", headers }), TypeError, String(headers));
    }
  });
});
