// Collections (ORAS 1.3's `manifest index create|update`) from JS against docker-registry
// (registry-server.mjs): Client.createIndex / updateIndex over children fetched by tag or
// digest (the core decides each entry, what may be a child and how an update removes and adds),
// and Client.pull of an index giving each child's files under its folder; the index is read
// back with the ORAS CLI.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { Client, OciError, pack, packIndex } from "ocikit";
import { startRegistry } from "./registry-server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ORAS = join(ROOT, ".cache", "tools", "bin", "oras");
const DOCS = "application/vnd.example.docs.v1";
const BUNDLE = "application/vnd.cnab.manifest.v1";
const text = (s) => new TextEncoder().encode(s);

function docs(name, data) {
  return pack({ artifactType: DOCS, files: [{ name, mediaType: "text/markdown", data: text(data) }] });
}

describe("collections against docker-registry", () => {
  let registry;
  let client;
  before(async () => {
    registry = await startRegistry();
    client = new Client({ registry: registry.address, plainHttp: true });
  });
  after(() => registry?.stop());

  test("createIndex and updateIndex, read back with oras", async () => {
    const repo = `${registry.address}/js/collection`;
    const a = await client.push(`${repo}:a`, docs("a.md", "# a"));
    const image = pack({
      config: { mediaType: "application/vnd.oci.image.config.v1+json", data: text('{"architecture":"amd64","os":"linux"}') },
      files: [{ name: "layer.tar", data: text("layer") }],
    });
    const img = await client.push(`${repo}:img`, image);
    const index = await client.createIndex(`${repo}:v1`, ["a", img.descriptor.digest], {
      artifactType: BUNDLE,
      annotations: { "org.example.k": "v" },
      tags: ["stable"],
    });
    const served = JSON.parse(execFileSync(ORAS, ["manifest", "fetch", `${repo}:stable`, "--plain-http"], { encoding: "utf8" }));
    assert.equal(served.artifactType, BUNDLE);
    assert.deepEqual(served.manifests.map((m) => m.digest), [a.descriptor.digest, img.descriptor.digest]);
    assert.equal(served.manifests[0].artifactType, DOCS);
    assert.deepEqual(served.manifests[1].platform, { architecture: "amd64", os: "linux" });
    assert.equal((await client.resolve(`${repo}:v1`)).digest, index.digest);

    const b = await client.push(`${repo}:b`, docs("b.md", "# b"));
    // An `undefined` option is an absent one: the artifact type stays (it was removed).
    const kept = await client.updateIndex(`${repo}:v1`, { artifactType: undefined, push: false });
    assert.equal(JSON.parse(new TextDecoder().decode(kept.manifest)).artifactType, BUNDLE);
    assert.equal(kept.digest, index.digest, "nothing else changed either");
    const updated = await client.updateIndex(`${repo}:v1`, { remove: [a.descriptor.digest], add: ["b"], artifactType: null });
    const fetched = await client.fetchIndex(`${repo}:v1`);
    assert.deepEqual(fetched.manifests.map((m) => m.digest), [img.descriptor.digest, b.descriptor.digest]);
    assert.equal(fetched.artifactType, undefined);
    assert.equal((await client.resolve(`${repo}:v1`)).digest, updated.digest);
    assert.equal((await client.resolve(`${repo}:stable`)).digest, index.digest);
    // merge: another index's entries, as they are.
    await client.createIndex(`${repo}:extra`, ["a"]);
    const merged = await client.updateIndex(`${repo}:v1`, { merge: ["extra"], push: false });
    assert.deepEqual(JSON.parse(new TextDecoder().decode(merged.manifest)).manifests.map((m) => m.digest), [
      img.descriptor.digest, b.descriptor.digest, a.descriptor.digest,
    ]);
    assert.equal((await client.resolve(`${repo}:v1`)).digest, updated.digest, "push: false writes nothing");
  });

  test("refusals have stable codes, nothing pushed", async () => {
    const repo = `${registry.address}/js/refused`;
    const a = await client.push(`${repo}:a`, docs("a.md", "# a"));
    await client.createIndex(`${repo}:v1`, ["a"]);
    const code = async (promise) => {
      try {
        await promise;
      } catch (error) {
        assert.ok(error instanceof OciError, String(error));
        return error.code;
      }
      assert.fail("no error");
    };
    assert.equal(await code(client.updateIndex(`${repo}:a`, { add: ["a"] })), "MEDIA_TYPE_MISMATCH");
    const other = await client.push(`${repo}:other`, docs("o.md", "# o"));
    assert.equal(await code(client.updateIndex(`${repo}:v1`, { remove: [other.descriptor.digest] })), "DIGEST_INVALID");
    assert.equal(await code(client.createIndex(`${repo}:v2`, ["missing"])), "MANIFEST_UNKNOWN");
    assert.deepEqual((await client.fetchIndex(`${repo}:v1`)).manifests.map((m) => m.digest), [a.descriptor.digest]);
  });

  test("pull of an index gives each child's files under its folder", async () => {
    const repo = `${registry.address}/js/pull`;
    const one = await client.push(`${repo}:one`, docs("readme.md", "# one"));
    const two = await client.push(`${repo}:two`, docs("readme.md", "# two"));
    const titled = { ...one.descriptor, annotations: { "org.opencontainers.image.title": "one" } };
    const bundle = packIndex({ manifests: [titled, two.descriptor], artifactType: BUNDLE });
    await client.pushManifest(`${repo}:v1`, bundle.manifest, bundle.mediaType);
    const pulled = await client.pull(`${repo}:v1`);
    const folder = `sha256-${two.descriptor.digest.slice("sha256:".length)}`;
    assert.deepEqual(pulled.files.map((f) => f.path), ["one/readme.md", `${folder}/readme.md`]);
    assert.deepEqual(pulled.files.map((f) => new TextDecoder().decode(f.bytes)), ["# one", "# two"]);
    assert.deepEqual(pulled.children.map((c) => c.path), ["one", folder]);
    assert.equal(pulled.manifest.artifactType, BUNDLE);
  });
});
