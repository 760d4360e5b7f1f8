// Listings paged through real registries by the JS Client, as tests/registry/test_listing_pages.py
// does for Python: Debian's docker-registry (distribution 2.8.2) pages its catalog with its own
// `Link: </v2/_catalog?last=…&n=…>; rel="next"` and ignores n and last on tag lists (every tag at
// once, no Link); the referrers-API test registry honours n and last on tag lists without a Link.
// Each request goes through the real fetch and is noted, so the tests see that each page's URL is
// the one the registry's Link named. A fresh docker-registry holds exactly 250 repositories.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { Client, pack } from "ocikit";
import { startRegistry } from "./registry-server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const REFERRERS_REGISTRY = join(ROOT, ".cache", "tools", "bin", "referrers-registry");
const REPOSITORIES = Array.from({ length: 250 }, (_, i) => `pages/r${String(i).padStart(3, "0")}`);
const TAGS = Array.from({ length: 250 }, (_, i) => `t${String(i).padStart(3, "0")}`);
const packed = () =>
  pack({ artifactType: "application/vnd.example.pages.v1", files: [{ name: "page.txt", mediaType: "text/plain", data: new TextEncoder().encode("page\n") }] });

/** The real fetch, noting each request's URL and the answer's status and Link. */
function recording() {
  const seen = [];
  const fetcher = async (input, init) => {
    const response = await fetch(input, init);
    seen.push({ url: typeof input === "string" ? input : input.url, status: response.status, link: response.headers.get("link") });
    return response;
  };
  const asked = (path) => seen.filter(({ url }) => new URL(url).pathname === path);
  return { fetch: fetcher, asked };
}

/** Each page after the first is the one the page before linked to; the last links nowhere. */
function followedLinks(address, asked) {
  for (let i = 0; i + 1 < asked.length; i++) {
    assert.equal(asked[i].status, 200);
    const target = /^<([^>]+)>;\s*rel="next"$/.exec(asked[i].link ?? "");
    assert.ok(target, `page ${i} has a Link: ${asked[i].link}`);
    assert.equal(asked[i + 1].url, `http://${address}${target[1]}`);
  }
  assert.equal(asked.at(-1).status, 200);
  assert.equal(asked.at(-1).link, null);
}

async function tagged(client, address, repository) {
  await client.push(`${address}/${repository}:${TAGS[0]}`, packed());
  for (const tag of TAGS.slice(1)) await client.tag(`${address}/${repository}:${TAGS[0]}`, tag);
}

const query = (url) => new URL(url).search.slice(1);

describe("docker-registry: the catalog by its Link, tags all at once", () => {
  let registry;
  before(async () => {
    registry = await startRegistry();
    const client = new Client({ registry: registry.address, plainHttp: true });
    const artifact = packed();
    for (const repository of REPOSITORIES) await client.push(`${registry.address}/${repository}:v1`, artifact);
  });
  after(() => registry?.stop());

  test("iterRepositories({ pageSize: 100 }) follows the registry's two links", async () => {
    const { fetch, asked } = recording();
    const client = new Client({ registry: registry.address, plainHttp: true, fetch });
    const names = [];
    for await (const name of client.iterRepositories({ pageSize: 100 })) names.push(name);
    assert.deepEqual(names, REPOSITORIES);
    const pages = asked("/v2/_catalog");
    assert.deepEqual(pages.map(({ url }) => query(url)), ["n=100", "last=pages%2Fr099&n=100", "last=pages%2Fr199&n=100"]);
    followedLinks(registry.address, pages);
  });

  test("listRepositories() at once follows the registry's own pages of 100", async () => {
    const { fetch, asked } = recording();
    const client = new Client({ registry: registry.address, plainHttp: true, fetch });
    assert.deepEqual(await client.listRepositories(), REPOSITORIES);
    const pages = asked("/v2/_catalog");
    assert.equal(pages.length, 3);
    assert.equal(query(pages[0].url), "");
    followedLinks(registry.address, pages);
    assert.deepEqual(await client.listRepositories({ pageSize: 100 }), REPOSITORIES);
  });

  test("tags: n ignored, the whole list in one answer without a Link", async () => {
    const repository = "pages/ignores-n";
    await tagged(new Client({ registry: registry.address, plainHttp: true }), registry.address, repository);
    const { fetch, asked } = recording();
    const client = new Client({ registry: registry.address, plainHttp: true, fetch });
    const page = await client.listTagsPage(`${registry.address}/${repository}`, { n: 100 });
    assert.deepEqual([page.tags.slice().sort(), page.next], [TAGS, null]);
    const iterated = [];
    for await (const tag of client.iterTags(`${registry.address}/${repository}`, { pageSize: 100 })) iterated.push(tag);
    assert.deepEqual(iterated.slice().sort(), TAGS);
    assert.deepEqual((await client.listTags(`${registry.address}/${repository}`)).slice().sort(), TAGS);
    const lists = asked(`/v2/${repository}/tags/list`);
    assert.deepEqual(lists.map(({ url }) => query(url)), ["n=100", "n=100", ""]);
    assert.ok(lists.every(({ status, link }) => status === 200 && link === null));
  });
});

describe("referrers-registry: tags n at a time without a Link", () => {
  let child;
  let address;
  before(async () => {
    child = spawn(REFERRERS_REGISTRY, ["127.0.0.1:0"], { stdio: ["ignore", "pipe", "ignore"] });
    const [line] = await once(createInterface({ input: child.stdout }), "line");
    assert.match(line, /^serving http:\/\//);
    address = line.trim().replace(/^serving http:\/\//, "").replace(/\/$/, "");
  });
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill();
      await once(child, "exit");
    }
  });

  test("listTagsPage pages with last, and iterTags reads all 250 (it stopped at 100)", async () => {
    const repository = "pages/no-link";
    await tagged(new Client({ registry: address, plainHttp: true }), address, repository);
    const { fetch, asked } = recording();
    const client = new Client({ registry: address, plainHttp: true, fetch });
    const ref = `${address}/${repository}`;
    const pages = [await client.listTagsPage(ref, { n: 100 })];
    for (let next = pages[0].next; next !== null; next = pages[pages.length - 1].next) {
      pages.push(await client.listTagsPage(ref, { n: 100, last: next }));
    }
    assert.deepEqual(pages.map((p) => p.tags.length), [100, 100, 50]);
    assert.deepEqual(pages.flatMap((p) => p.tags), TAGS);
    const iterated = [];
    for await (const tag of client.iterTags(ref, { pageSize: 100 })) iterated.push(tag);
    assert.deepEqual(iterated, TAGS);
    assert.deepEqual(await client.listTags(ref, { pageSize: 100 }), TAGS);
    const byPages = ["n=100", "n=100&last=t099", "n=100&last=t199"];
    assert.deepEqual(asked(`/v2/${repository}/tags/list`).map(({ url }) => query(url)), [...byPages, ...byPages, ...byPages]);
  });
});
