// The JS Client's catalog and blob deletes, as the Python Client's (iter_repositories,
// delete_blob): Client.listRepositories / iterRepositories (`GET /v2/_catalog`, `oras repo ls`,
// the catalog's own token scope) and Client.deleteBlob (`oras blob delete`), against
// docker-registry (registry-server.mjs) in the open and behind Bearer tokens; what they did is
// read back with the ORAS CLI.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { Client, OciError, RegistrySession, deleteBlob, listRepositories, pack } from "ocikit";
import { startRegistry } from "./registry-server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ORAS = join(ROOT, ".cache", "tools", "bin", "oras");
const text = (s) => new TextEncoder().encode(s);
const note = (name, data) =>
  pack({ artifactType: "application/vnd.example.note.v1", files: [{ name, mediaType: "text/plain", data: text(data) }] });

describe("catalog and blob deletes, open registry", () => {
  let registry;
  let client;
  before(async () => {
    registry = await startRegistry();
    client = new Client({ registry: registry.address, plainHttp: true });
  });
  after(() => registry?.stop());

  test("listRepositories and iterRepositories list what was pushed, as oras repo ls does", async () => {
    for (const repo of ["js/catalog-b", "js/catalog-a", "other/c"]) await client.push(`${registry.address}/${repo}:v1`, note("n.txt", repo));
    const all = await client.listRepositories();
    assert.deepEqual(all, ["js/catalog-a", "js/catalog-b", "other/c"]);
    const oras = execFileSync(ORAS, ["repo", "ls", registry.address, "--plain-http"], { encoding: "utf8" }).trim().split("\n");
    assert.deepEqual(all, oras);

    // A page of one at a time: the same names, in the same order.
    const paged = [];
    for await (const name of client.iterRepositories({ pageSize: 1 })) paged.push(name);
    assert.deepEqual(paged, all);
    // Stopping early asks for no further page.
    for await (const name of client.iterRepositories({ pageSize: 1 })) {
      assert.equal(name, "js/catalog-a");
      break;
    }
    // A page size the client refuses, with Python's code and words (a page of 0 lists nothing).
    const refused = (/** @type {string} */ reason) => (/** @type {any} */ e) => e instanceof OciError && e.code === "OPTIONS_INVALID" && e.message === reason;
    await assert.rejects(client.listRepositories({ pageSize: 0 }), refused("pageSize must be from 1 to 2^32 - 1, not 0"));
    await assert.rejects(client.iterRepositories({ pageSize: 2 ** 32 }).next(), refused("pageSize must be from 1 to 2^32 - 1, not 4294967296"));
    await assert.rejects(client.listTags(`${registry.address}/js/catalog-a`, { pageSize: "5" }), refused('pageSize must be from 1 to 2^32 - 1, not "5"'));
    await assert.rejects(client.iterTags(`${registry.address}/js/catalog-a`, { pageSize: 1.5 }).next(), refused("pageSize must be from 1 to 2^32 - 1, not 1.5"));
    await assert.rejects(client.listTagsPage(`${registry.address}/js/catalog-a`, { n: -1 }), refused("n must be from 1 to 2^32 - 1, not -1"));
    await assert.rejects(
      // an option listRepositories does not take: a TypeError naming it
      client.listRepositories({ last: "x" }),
      (error) => error instanceof TypeError && /last/.test(error.message),
    );
  });

  test("deleteBlob removes a blob (oras blob fetch no longer finds it); an unknown one is BLOB_UNKNOWN", async () => {
    const ref = `${registry.address}/js/blob-delete:v1`;
    await client.push(ref, note("gone.txt", "a blob to delete\n"));
    const layer = (await client.fetchManifest(ref)).layers[0];
    assert.equal(await client.blobExists(ref, layer.digest), true);
    const result = await client.deleteBlob(ref, layer.digest);
    assert.equal(result, undefined);
    assert.equal(await client.blobExists(ref, layer.digest), false);
    assert.throws(
      () => execFileSync(ORAS, ["blob", "fetch", `${registry.address}/js/blob-delete@${layer.digest}`, "--plain-http", "--output", "-"], { stdio: "pipe" }),
      /not found|unknown/i,
    );
    await assert.rejects(client.deleteBlob(ref, layer.digest), (error) => error instanceof OciError && error.code === "BLOB_UNKNOWN");
    await assert.rejects(client.deleteBlob(ref, "sha256:nothex"), (error) => error instanceof OciError && error.code === "DIGEST_INVALID");
  });

  test("listTagsPage: distribution 2.8.2 ignores n and last, so a page of more than n tags is the whole list", async () => {
    const repo = `${registry.address}/js/tag-pages`;
    for (const tag of ["a", "b", "c"]) await client.push(`${repo}:${tag}`, note("t.txt", tag));
    const page = await client.listTagsPage(repo, { n: 2 });
    assert.deepEqual([...page.tags].sort(), ["a", "b", "c"]);
    assert.equal(page.next, null, "asking after its last tag would send the same list again");
    // Exactly n tags without a Link: maybe a capped page, so not taken for the last.
    assert.notEqual((await client.listTagsPage(repo, { n: 3 })).next, null);
  });

  test("setReferrersApi(false): referrers reads the referrers tag without asking the API", async () => {
    const ref = `${registry.address}/js/referrers-told:v1`;
    await client.push(ref, note("s.txt", "subject"));
    const asked = [];
    /** @type {typeof fetch} */
    const logging = (input, init) => {
      asked.push(String(input instanceof Request ? input.url : input));
      return fetch(input, init);
    };
    const left = new Client({ registry: registry.address, plainHttp: true, fetch: logging });
    await left.referrers(ref);
    assert.ok(asked.some((url) => url.includes("/referrers/sha256:")), "left to find out, it asks the API");

    asked.length = 0;
    const told = new Client({ registry: registry.address, plainHttp: true, fetch: logging });
    told.setReferrersApi(false);
    assert.equal(told.referrersApi, false);
    assert.deepEqual(await told.referrers(ref), []);
    assert.ok(!asked.some((url) => url.includes("/referrers/")), asked.join("\n"));
    assert.ok(asked.some((url) => url.includes("/manifests/sha256-")), asked.join("\n"));
    // @ts-expect-error not a boolean
    assert.throws(() => told.setReferrersApi("no"), TypeError);
  });

  test("the low-level operations: deleteBlob and listRepositories on a RegistrySession", async () => {
    const session = new RegistrySession(registry.address, { plainHttp: true });
    const op = listRepositories(session, { pageSize: 2 });
    assert.equal(typeof op.next, "function");
    assert.equal(typeof deleteBlob(session, `${registry.address}/js/x`, `sha256:${"0".repeat(64)}`).next, "function");
    assert.throws(() => listRepositories(session, { pageSize: -1 }), RangeError);
  });
});

describe("catalog behind Bearer tokens", () => {
  let registry;
  before(async () => {
    registry = await startRegistry({ users: { alice: "secret" }, bearer: true });
  });
  after(() => registry?.stop());

  test("after a push in the same session, the catalog asks for its own scope", async () => {
    const client = new Client({ registry: registry.address, plainHttp: true, credentials: { username: "alice", password: "secret" } });
    await client.push(`${registry.address}/js/bearer:v1`, note("b.txt", "bearer"));
    assert.deepEqual(await client.listRepositories(), ["js/bearer"]);
    const asked = registry.tokenServer.requests.map((r) => decodeURIComponent(r.replace(/\+/g, " ")));
    assert.ok(asked.some((r) => r.includes("scope=registry:catalog:*")), `a catalog scope was asked for: ${JSON.stringify(asked)}`);
  });
});
