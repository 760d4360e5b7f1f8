// The demo as a registry tool, end to end in headless Chromium against Debian's docker-registry
// with CORS configured: author → push → browse → download (one file, and the artifact as an
// OCI image layout tar) → referrers; Basic auth through a CORS-answering proxy; and the page
// interoperating with the Python CLI and the ORAS CLI in both directions.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launch, nodeDigest, openDemo, origin, screenshot, unexpected } from "./browser.mjs";
import { corsProxy, startRegistry } from "./registry.mjs";

const root = new URL("../../", import.meta.url).pathname;
const OCIKIT_CLI = join(root, ".venv/bin/ocikit");
const ORAS_CLI = join(root, ".cache/tools/bin/oras");
const DOCS_TYPE = "application/vnd.stevelasker.docsinmarkdown.config.v1+json";
const DOCS_LAYER = "application/vnd.stevelasker.docsinmarkdown.overview.layer.v1+md";

let browser;
let registry;
let work;
const files = {
  "handbook/overview.md": "# Overview\n\nDocs in markdown, pushed from a browser.\n",
  "handbook/guide/install.md": "# Install\n\n`pip install ocikit`\n",
};

before(async () => {
  browser = await launch();
  registry = await startRegistry({ origin });
  work = mkdtempSync(join(tmpdir(), "ocikit-browser-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(work, name, ".."), { recursive: true });
    writeFileSync(join(work, name), text);
  }
});

after(async () => {
  await browser?.close();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The manifest and tags the registry itself holds (over plain HTTP from Node, no browser). */
async function registryManifest(reference) {
  const [repo, tag] = reference.split(":");
  const response = await fetch(`${registry.url}/v2/${repo}/manifests/${tag}`, {
    headers: { Accept: "application/vnd.oci.image.manifest.v1+json" },
  });
  assert.equal(response.status, 200, `GET ${reference}`);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { bytes, digest: nodeDigest("sha256", bytes), manifest: JSON.parse(bytes) };
}

async function download(page, click) {
  const [saved] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), click()]);
  return { name: saved.suggestedFilename(), bytes: readFileSync(await saved.path()) };
}

async function connect(page, url) {
  await page.fill("#registry-url", url);
}

async function openTag(page, repo, tag) {
  await page.fill("#browse-repo", repo);
  await page.click("#browse-list");
  await page.waitForSelector(`#browse-tags button:text-is("${tag}")`);
  const listed = await page.textContent("#browse-status");
  await page.click(`#browse-tags button:text-is("${tag}")`);
  await page.waitForSelector("#artifact:not([hidden])");
  // <oci-referrers-tree> (ocikit/elements): its subject is the opened manifest, and its first level is in.
  await page.waitForFunction(() => {
    const tree = document.querySelector("#referrers");
    const text = tree?.shadowRoot?.textContent ?? "";
    return tree?.getAttribute("subject") === document.querySelector("#artifact-card")?.descriptor?.digest && text !== "" && !text.includes("Loading referrers");
  });
  return listed;
}

let pushedDigest;

test("author a folder, push it, browse it, download a file and the artifact as an OCI layout", async () => {
  const { page, problems } = await openDemo(browser, { allowed: [registry.url] });
  await connect(page, registry.url);

  // A folder: each file's path inside it becomes its title.
  await page.setInputFiles("#pack-folder", join(work, "handbook"));
  await page.waitForFunction(() => document.querySelector("oci-artifact-form").shadowRoot.querySelectorAll("#pack-files tr").length === 2);
  const names = (await page.$$eval("#pack-files td.name", (cells) => cells.map((c) => c.textContent))).sort();
  assert.deepEqual(names, ["handbook/guide/install.md", "handbook/overview.md"]);
  await page.click("#annotation-add");
  await page.fill('input[aria-label="Annotation 1 key"]', "org.opencontainers.image.description");
  await page.fill('input[aria-label="Annotation 1 value"]', "The handbook <in> markdown & more");
  await page.waitForFunction(() => /^sha256:/.test(document.querySelector("oci-artifact-form").shadowRoot.querySelector("#pack-digest").textContent));
  const manifest = JSON.parse(await page.textContent("#pack-manifest"));
  assert.equal(manifest.artifactType, DOCS_TYPE);
  assert.equal(manifest.annotations["org.opencontainers.image.description"], "The handbook <in> markdown & more");
  for (const layer of manifest.layers) {
    const title = layer.annotations["org.opencontainers.image.title"];
    assert.equal(layer.digest, nodeDigest("sha256", Buffer.from(files[title])));
    assert.equal(layer.mediaType, DOCS_LAYER);
  }
  // The exact bytes: what is hashed and pushed, Go's escaping of < > & included.
  await page.check("#pack-exact");
  const exact = await page.textContent("#pack-manifest");
  assert.match(exact, /\\u003cin\\u003e markdown \\u0026 more/);
  const authoredDigest = await page.textContent("#pack-digest");
  assert.equal(nodeDigest("sha256", Buffer.from(exact)), authoredDigest);

  // Push.
  await page.fill("#push-repo", "docs/handbook");
  await page.fill("#push-tag", "v1");
  await page.click("#push-button");
  await page.waitForSelector("#push-result:not([hidden])", { timeout: 30_000 });
  assert.equal(await page.textContent("#push-reference"), `${registry.address}/docs/handbook:v1@${authoredDigest}`);
  const stored = await registryManifest("docs/handbook:v1");
  assert.equal(stored.digest, authoredDigest);
  assert.equal(stored.bytes.toString(), exact);
  pushedDigest = authoredDigest;

  // Browse: the tags, the manifest with its type's name and logo, its files.
  assert.equal(await openTag(page, "docs/handbook", "v1"), "1 tag in docs/handbook:");
  // The artifact in <oci-artifact-card> (ocikit/elements): its type's name and logo, its digest.
  assert.equal(await page.textContent('#artifact-card [part="name"]'), "Docs in Markdown");
  assert.match(await page.getAttribute("#artifact-card img.logo", "src"), /^data:image\/svg\+xml,/);
  assert.equal(await page.isVisible("#artifact-card img.logo"), true);
  assert.equal(await page.textContent('#artifact-card [part="digest"]'), authoredDigest);
  assert.equal(await page.textContent("#artifact-valid"), "valid manifest");
  // The manifest in <oci-manifest-view> (ocikit/elements): its bytes hash to the digest shown, no findings.
  await page.waitForFunction(
    (digest) => /The content has the expected digest (\S+)\..*Valid: no findings/s.exec(document.querySelector("#artifact-manifest")?.shadowRoot?.textContent ?? "")?.[1] === digest,
    authoredDigest,
  ).catch(async (error) => {
    throw new Error(`#artifact-manifest shows: ${await page.evaluate(() => document.querySelector("#artifact-manifest")?.shadowRoot?.textContent.slice(-3000) ?? "no shadow root")}`, { cause: error });
  });
  // The files in <oci-file-list>: title, media type, size.
  const rows = await page.$$eval("#artifact-files tbody tr", (trs) => trs.map((tr) => [...tr.cells].slice(0, 3).map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => r[0]).sort(), Object.keys(files).sort());
  assert.ok(rows.every((r) => r[1] === DOCS_LAYER));
  assert.match(await page.evaluate(() => document.querySelector("#referrers").shadowRoot.textContent), /Nothing refers to this manifest/);
  // Distribution 2.8.2 has no referrers API, and its 404 for that URL lacks the CORS headers.
  assert.equal(await page.isVisible('#referrers [part="note"]'), true);

  // One file, verified as it streams in, saved under its base name.
  const one = await download(page, () => page.click('button[aria-label="Download handbook/guide/install.md"]'));
  assert.equal(one.name, "install.md");
  assert.equal(one.bytes.toString(), files["handbook/guide/install.md"]);

  // The whole artifact as an OCI image layout: the system tar reads it; node:crypto checks it.
  const layout = await download(page, () => page.click("#artifact-layout"));
  assert.equal(layout.name, "handbook-v1.tar");
  const dir = mkdtempSync(join(work, "layout-"));
  writeFileSync(join(dir, "artifact.tar"), layout.bytes);
  execFileSync("tar", ["-xf", join(dir, "artifact.tar"), "-C", dir]);
  assert.equal(readFileSync(join(dir, "oci-layout"), "utf8"), '{"imageLayoutVersion":"1.0.0"}');
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  assert.equal(index.manifests.length, 1);
  assert.equal(index.manifests[0].digest, authoredDigest);
  assert.equal(index.manifests[0].artifactType, DOCS_TYPE);
  assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], "v1");
  const blobs = readdirSync(join(dir, "blobs/sha256"));
  for (const blob of blobs) assert.equal(nodeDigest("sha256", readFileSync(join(dir, "blobs/sha256", blob))), `sha256:${blob}`);
  const inLayout = JSON.parse(readFileSync(join(dir, "blobs/sha256", authoredDigest.slice(7))));
  assert.deepEqual(blobs.sort(), [...new Set([authoredDigest, inLayout.config.digest, ...inLayout.layers.map((l) => l.digest)])].map((d) => d.slice(7)).sort());
  await screenshot(page, "registry-browse.png");
  assert.deepEqual(unexpected(problems, { referrersProbe: true }), []);
  await page.context().close();
});

test("an artifact attached to a pushed one shows in its referrers tree", async () => {
  assert.ok(pushedDigest, "needs the artifact pushed by the previous test");
  const { page, problems } = await openDemo(browser, { allowed: [registry.url] });
  await connect(page, registry.url);
  await openTag(page, "docs/handbook", "v1");
  await page.click("#artifact-attach");
  assert.equal(await page.isVisible("#subject-row"), true);
  assert.match(await page.textContent("#subject-text"), /docs\/handbook@sha256:/);
  assert.equal(await page.inputValue("#push-repo"), "docs/handbook");
  assert.equal(await page.inputValue("#push-tag"), "", "a referrer is pushed by digest");

  await page.check('input[name=artifact-type][value="application/spdx+json"]');
  const sbom = JSON.stringify({ spdxVersion: "SPDX-2.3", name: "handbook" });
  await page.setInputFiles("#pack-file", { name: "handbook.spdx.json", mimeType: "application/json", buffer: Buffer.from(sbom) });
  await page.waitForFunction(() => /^sha256:/.test(document.querySelector("oci-artifact-form").shadowRoot.querySelector("#pack-digest").textContent));
  const manifest = JSON.parse(await page.textContent("#pack-manifest"));
  assert.equal(manifest.subject.digest, pushedDigest);
  assert.equal(manifest.artifactType, "application/spdx+json");
  await page.click("#push-button");
  await page.waitForSelector("#push-result:not([hidden])", { timeout: 30_000 });
  const referrer = await page.textContent("#pack-digest");
  assert.equal(await page.textContent("#push-reference"), `${registry.address}/docs/handbook@${referrer}`);

  // Distribution 2.8.2 has no referrers API: the page kept the subject's referrers tag current,
  // and browsing reads it back.
  await openTag(page, "docs/handbook", "v1");
  await page.waitForSelector('#referrers li[part="item"]');
  const nodes = await page.$$eval('#referrers li[part="item"]', (items) => items.map((n) => n.querySelector("oci-type-badge").shadowRoot.querySelector('[part="name"]').textContent));
  assert.deepEqual(nodes, ["SPDX SBOM"]);
  assert.match(await page.getAttribute("#referrers img.logo", "src"), /^data:image\/svg\+xml,/);
  await page.click(`#referrers li[data-digest="${referrer}"] button:text-is("Open")`);
  await page.waitForFunction((digest) => document.querySelector("#artifact-card")?.shadowRoot?.querySelector('[part="digest"]')?.textContent === digest, referrer);
  assert.equal(await page.textContent('#artifact-card [part="name"]'), "SPDX SBOM");
  await screenshot(page, "registry-referrers.png");
  assert.deepEqual(unexpected(problems, { referrersProbe: true }), []);
  await page.context().close();
});

test("the Python CLI pulls what the page pushed, byte for byte", async () => {
  assert.ok(pushedDigest, "needs the artifact pushed by the first test");
  assert.ok(existsSync(OCIKIT_CLI), `${OCIKIT_CLI} is missing: run make python`);
  const out = mkdtempSync(join(work, "pulled-"));
  execFileSync(OCIKIT_CLI, ["pull", "--plain-http", `${registry.address}/docs/handbook:v1`, "-o", out], { stdio: "pipe" });
  for (const [name, text] of Object.entries(files)) assert.equal(readFileSync(join(out, name), "utf8"), text, name);
});

test("the page browses and downloads what the ORAS CLI pushed", async () => {
  assert.ok(existsSync(ORAS_CLI), `${ORAS_CLI} is missing: run make tools`);
  const dir = mkdtempSync(join(work, "oras-"));
  const chart = Buffer.alloc(300_000);
  for (let i = 0; i < chart.length; i += 1) chart[i] = (i * 31 + (i >> 8)) & 0xff;
  writeFileSync(join(dir, "rocket.tgz"), chart);
  writeFileSync(join(dir, "notes.txt"), "pushed by oras\n");
  execFileSync(
    ORAS_CLI,
    [
      "push", "--plain-http", "--artifact-type", "application/vnd.cncf.helm.config.v1+json",
      "--annotation", "org.opencontainers.image.description=from the ORAS CLI",
      `${registry.address}/charts/rocket:1.0.0`,
      "rocket.tgz:application/vnd.cncf.helm.chart.content.v1.tar+gzip", "notes.txt:text/plain",
    ],
    { cwd: dir, stdio: "pipe" },
  );
  const { digest } = await registryManifest("charts/rocket:1.0.0");

  const { page, problems } = await openDemo(browser, { allowed: [registry.url] });
  await connect(page, registry.url);
  await openTag(page, "charts/rocket", "1.0.0");
  assert.equal(await page.textContent('#artifact-card [part="name"]'), "Helm chart");
  assert.equal(await page.textContent('#artifact-card [part="digest"]'), digest);
  assert.match(await page.textContent("#artifact-annotations"), /from the ORAS CLI/);
  const file = await download(page, () => page.click('button[aria-label="Download rocket.tgz"]'));
  assert.equal(file.name, "rocket.tgz");
  assert.ok(file.bytes.equals(chart));
  const layout = await download(page, () => page.click("#artifact-layout"));
  const out = mkdtempSync(join(work, "oras-layout-"));
  writeFileSync(join(out, "a.tar"), layout.bytes);
  execFileSync("tar", ["-xf", join(out, "a.tar"), "-C", out]);
  assert.equal(JSON.parse(readFileSync(join(out, "index.json"), "utf8")).manifests[0].digest, digest);
  // ORAS reads the layout the page wrote.
  const copied = mkdtempSync(join(work, "oras-pull-"));
  execFileSync(ORAS_CLI, ["pull", "--oci-layout", `${out}:1.0.0`, "-o", copied], { stdio: "pipe" });
  assert.ok(readFileSync(join(copied, "rocket.tgz")).equals(chart));
  assert.deepEqual(unexpected(problems, { referrersProbe: true }), []);
  await page.context().close();
});

test("Basic auth: distribution refuses preflights behind auth; a CORS proxy in front works", async () => {
  const secured = await startRegistry({ origin, users: { alice: "s3cret" } });
  const proxy = await corsProxy(secured.address, origin);
  try {
    // The finding: with auth configured, distribution 2.8.2 answers OPTIONS with 401.
    const preflight = await fetch(`${secured.url}/v2/`, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization" },
    });
    assert.equal(preflight.status, 401);

    const { page, problems } = await openDemo(browser, { allowed: [secured.url, proxy.url] });
    await page.selectOption("#auth-mode", "basic");
    await page.fill("#auth-user", "alice");
    await page.fill("#auth-password", "s3cret");
    await page.fill("#push-repo", "private/notes");

    // Straight to the registry: the browser blocks it (CORS), and the page says what to check.
    await connect(page, secured.url);
    await page.click("#push-button");
    await page.waitForSelector("#push-error:not([hidden])", { timeout: 30_000 });
    assert.match(await page.textContent("#push-error"), /^NETWORK_ERROR: .*CORS\?$/);
    assert.ok(problems.some((p) => /CORS/.test(p)), "Chromium reported the blocked preflight");
    problems.length = 0;

    // Through the proxy: pushed with Basic credentials, and listed.
    await connect(page, proxy.url);
    await page.click("#push-button");
    await page.waitForSelector("#push-result:not([hidden])", { timeout: 30_000 });
    assert.match(await page.textContent("#push-reference"), new RegExp(`^${proxy.address}/private/notes:latest@sha256:`));
    await page.fill("#browse-repo", "private/notes");
    await page.click("#browse-list");
    await page.waitForSelector('#browse-tags button:text-is("latest")');

    // A wrong password is the registry's UNAUTHORIZED, explained.
    await page.fill("#auth-password", "wrong");
    await page.click("#browse-list");
    await page.waitForSelector("#browse-error:not([hidden])");
    assert.match(await page.textContent("#browse-error"), /^UNAUTHORIZED: .*check the sign-in settings/);
    await screenshot(page, "registry-auth.png");
    assert.deepEqual(unexpected(problems, { referrersProbe: true }), []);
    await page.context().close();
  } finally {
    await proxy.stop();
    await secured.stop();
  }
});
