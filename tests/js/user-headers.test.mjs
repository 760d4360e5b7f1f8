// The user's own headers (`new Client({ headers })`, Python's `Client(headers=…)`, ORAS's
// `-H`): the core sends them with every request to the registry's origin and to the token
// realm it names, never to another origin (a storage backend a blob download is redirected
// to), since they may carry credentials. Real node:http servers on loopback.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { Client, OciError, digest } from "ocikit";

const BLOB = new TextEncoder().encode("hello");
const SECRET = "Bearer user-secret-from-H";

async function serve(handle) {
  const server = createServer(handle);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return {
    port: typeof address === "object" && address !== null ? address.port : 0,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, "close");
    },
  };
}

describe("user headers", () => {
  const seen = [];
  let registry;
  let storage;
  let descriptor;

  before(async () => {
    descriptor = { mediaType: "application/octet-stream", digest: await digest(BLOB), size: BLOB.length };
    storage = await serve((request, response) => {
      seen.push({ role: "storage", url: request.url, headers: request.headers });
      response.writeHead(200, { "Content-Length": String(BLOB.length) });
      response.end(BLOB);
    });
    registry = await serve((request, response) => {
      seen.push({ role: "registry", url: request.url, headers: request.headers });
      const port = registry.port;
      if (request.url.startsWith("/token")) {
        response.writeHead(200, { "Content-Type": "application/json" });
        response.end('{"token":"t0k"}');
      } else if (request.headers.authorization?.split(", ")[0] !== "Bearer t0k") {
        response.writeHead(401, { "WWW-Authenticate": `Bearer realm="http://127.0.0.1:${port}/token",service="test"`, "Content-Length": "0" });
        response.end();
      } else if (request.url.includes("/blobs/")) {
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
      seen.length = 0;
      const host = `127.0.0.1:${registry.port}`;
      const client = new Client({ registry: host, plainHttp: true, headers });
      const bytes = await client.fetchBlob(`${host}/app@${descriptor.digest}`, descriptor);
      assert.deepEqual(bytes, BLOB);
      const registrySeen = seen.filter((s) => s.role === "registry");
      const storageSeen = seen.filter((s) => s.role === "storage");
      assert.ok(registrySeen.length >= 3 && storageSeen.length === 1, JSON.stringify(seen.map((s) => [s.role, s.url])));
      assert.ok(registrySeen.some((s) => s.url.startsWith("/token")));
      for (const { headers: got } of registrySeen) {
        assert.equal(got["x-trace"], "abc 1");
        // Node joins repeated headers with ", ": the engine's token first, then the user's.
        assert.ok(got.authorization.endsWith(SECRET), got.authorization);
      }
      for (const { headers: got } of storageSeen) {
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
