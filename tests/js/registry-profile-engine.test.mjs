// The engine adapts to a registry profile (issue 15): the JS Client's `registryProfile`, or the
// profile its host picks, reaches the core's session: the tag page size is capped where the
// registry errors above it (ECR, 1000), chunks stay within 4 MiB on GHCR. Fetch is a recorder
// that answers as a registry would (no network).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Client, OciError, RegistrySession } from "ocikit";

/** A fetch that records each request and answers a tag list, or an upload session. */
function recorder() {
  /** @type {{ method: string, url: string, size: number }[]} */
  const seen = [];
  let offset = 0;
  /** @param {string | URL | Request} input @param {RequestInit} [init] */
  const fetch = async (input, init = {}) => {
    const url = String(input);
    const method = init.method ?? "GET";
    const body = init.body;
    let size = body instanceof Uint8Array ? body.byteLength : body instanceof ArrayBuffer ? body.byteLength : body instanceof Blob ? body.size : 0;
    // A body over 1 MiB comes as a stream fetch pulls (the stall timer counts its pulls).
    if (body instanceof ReadableStream) for await (const chunk of body) size += chunk.byteLength;
    seen.push({ method, url, size });
    const path = new URL(url).pathname;
    if (path.endsWith("/tags/list")) {
      return new Response(JSON.stringify({ name: "app", tags: ["v1"] }), { headers: { "Content-Type": "application/json" } });
    }
    if (method === "HEAD") return new Response(null, { status: 404 });
    if (method === "POST") return new Response(null, { status: 202, headers: { Location: "/v2/app/blobs/uploads/u1", Range: "0-0" } });
    if (method === "PATCH") {
      offset += size;
      return new Response(null, { status: 202, headers: { Location: "/v2/app/blobs/uploads/u1", Range: `0-${offset - 1}` } });
    }
    if (method === "PUT") return new Response(null, { status: 201, headers: { Location: "/v2/app/blobs/x" } });
    return new Response(null, { status: 404 });
  };
  return { fetch, seen };
}

test("the tag page size is capped at 1000 on ECR, by name or by host", async () => {
  for (const [registry, registryProfile, n] of [
    ["127.0.0.1:5000", undefined, "5000"],
    ["127.0.0.1:5000", "ecr", "1000"],
    ["123456789012.dkr.ecr.eu-west-1.amazonaws.com", undefined, "1000"],
  ]) {
    const { fetch, seen } = recorder();
    const client = new Client({ registry, plainHttp: true, fetch, ...(registryProfile ? { registryProfile } : {}) });
    await client.listTagsPage("app", { n: 5000 });
    assert.equal(new URL(seen[0].url).searchParams.get("n"), n, `${registry} ${registryProfile}`);
  }
});

test("chunks stay within 4 MiB with the ghcr profile", async () => {
  const data = new Uint8Array(9 * 1024 * 1024 + 7).fill(7);
  const { createHash } = await import("node:crypto");
  const digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
  const descriptor = { mediaType: "application/octet-stream", digest, size: data.byteLength };
  const { fetch, seen } = recorder();
  const client = new Client({ registry: "127.0.0.1:5000", plainHttp: true, fetch, registryProfile: "ghcr" });
  await client.pushBlob("app", descriptor, data, { chunkSize: 8 * 1024 * 1024 });
  const patches = seen.filter((r) => r.method === "PATCH").map((r) => r.size);
  assert.deepEqual(patches, [4 * 1024 * 1024, 4 * 1024 * 1024, 1024 * 1024 + 7]);
});

test("an unknown profile is OPTIONS_INVALID naming the profiles", () => {
  for (const make of [
    () => new Client({ registry: "127.0.0.1:5000", registryProfile: "nope" }),
    () => new RegistrySession("127.0.0.1:5000", { profile: "nope" }),
  ]) {
    assert.throws(make, (/** @type {any} */ e) => e instanceof OciError && e.code === "OPTIONS_INVALID" && /ghcr, ecr/.test(e.message));
  }
  assert.ok(new RegistrySession("127.0.0.1:5000", { profile: "quay" }));
});
