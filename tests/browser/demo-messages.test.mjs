// The registry card's messages and the "Attach an artifact to this one…" form (issue 13, web
// demo), in headless Chromium against Debian's docker-registry: a URL without a scheme is http on
// this machine; a registry that does not answer is "unreachable" (not blamed on CORS), one that
// answers without allowing this page is a CORS refusal; and a referrer starts from an empty form,
// not with the previous artifact's annotations, files and layer media type.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { launch, openDemo, origin, unexpected } from "./browser.mjs";
import { startRegistry } from "./registry.mjs";

const DOCS_LAYER = "application/vnd.stevelasker.docsinmarkdown.overview.layer.v1+md";
const SPDX_TYPE = "application/spdx+json";

let browser;
let registry;

before(async () => {
  browser = await launch();
  registry = await startRegistry({ origin });
});

after(async () => {
  await browser?.close();
  await registry?.stop();
});

/** A loopback port nothing listens on (taken, then closed). */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function pushFile(page, repo, tag, name, text) {
  await page.setInputFiles("#pack-file", { name, mimeType: "text/markdown", buffer: Buffer.from(text) });
  await page.waitForFunction(() => /^sha256:/.test(document.querySelector("oci-artifact-form").shadowRoot.querySelector("#pack-digest").textContent));
  await page.fill("#push-repo", repo);
  await page.fill("#push-tag", tag);
  await page.click("#push-button");
  await page.waitForSelector("#push-result:not([hidden])", { timeout: 30_000 });
  return page.textContent("#pack-digest");
}

async function listTags(page, repo) {
  await page.fill("#browse-repo", repo);
  await page.click("#browse-list");
  await page.waitForFunction(
    // The tags are in <oci-tag-list> (ocikit/elements): its rows are in its shadow root.
    () => document.querySelector("#browse-tags")?.shadowRoot?.querySelector("button.tag") || /tag|unreachable|CORS/.test(document.querySelector("#browse-error")?.textContent ?? ""),
    undefined,
    { timeout: 15_000 },
  );
}

test("a registry URL without a scheme is http for 127.0.0.1 (https elsewhere)", async () => {
  const { page, problems } = await openDemo(browser, { allowed: [registry.url] });
  // registry.address is 127.0.0.1:<port>, no scheme: the page must not try https there.
  await page.fill("#registry-url", registry.address);
  const digest = await pushFile(page, "messages/scheme", "v1", "note.md", "# Note\n");
  assert.equal(await page.textContent("#push-reference"), `${registry.address}/messages/scheme:v1@${digest}`);
  await listTags(page, "messages/scheme");
  assert.equal(await page.textContent("#browse-status"), "1 tag in messages/scheme:");
  assert.deepEqual(unexpected(problems), []);

  // The rule itself: http for this machine's names, https for any other host; a scheme given wins.
  const urls = await page.evaluate(async () => {
    const { registryUrl } = await import("./registry.js");
    return ["localhost:5000", "127.0.0.1:5000", "[::1]:5000", "registry.example:5000", "ghcr.io", "https://127.0.0.1:5000"]
      .map((raw) => registryUrl(raw).origin);
  });
  assert.deepEqual(urls, [
    "http://localhost:5000", "http://127.0.0.1:5000", "http://[::1]:5000", "https://registry.example:5000",
    "https://ghcr.io", "https://127.0.0.1:5000",
  ]);
  await page.context().close();
});

test("a registry that does not answer is unreachable, not a CORS problem", async () => {
  const port = await closedPort();
  const url = `http://127.0.0.1:${port}`;
  const { page } = await openDemo(browser, { allowed: [url] });
  await page.fill("#registry-url", url);
  await page.fill("#browse-repo", "messages/none");
  await page.click("#browse-list");
  await page.waitForFunction(() => /unreachable|CORS/.test(document.querySelector("#browse-error").textContent), undefined, { timeout: 15_000 });
  const text = await page.textContent("#browse-error");
  assert.match(text, new RegExp(`— ${url} is unreachable: is the registry running there, and is the scheme \\(http:// or https://\\) the one it serves\\?$`));
  assert.doesNotMatch(text, /CORS/);
  assert.equal(await page.isVisible("#browse-error"), true);
  await page.context().close();
});

test("a registry that answers but does not allow this page is a CORS refusal", async () => {
  const other = await startRegistry({ origin: "http://elsewhere.example" });
  try {
    const { page } = await openDemo(browser, { allowed: [other.url] });
    await page.fill("#registry-url", other.url);
    await page.fill("#browse-repo", "messages/cors");
    await page.click("#browse-list");
    await page.waitForFunction(() => /unreachable|CORS/.test(document.querySelector("#browse-error").textContent), undefined, { timeout: 15_000 });
    const text = await page.textContent("#browse-error");
    assert.match(text, new RegExp(`— the registry at ${other.url} answers, but not to this page: does it allow this page's origin \\(${origin}\\) with CORS\\?$`));
    assert.doesNotMatch(text, /unreachable/);
    await page.context().close();
  } finally {
    await other.stop();
  }
});

test("attaching to an artifact starts a new form: no annotations, files or layer type carried over", async () => {
  const { page, problems } = await openDemo(browser, { allowed: [registry.url] });
  await page.fill("#registry-url", registry.url);
  // An artifact of the default (docs) type, with an annotation and a layer media type of its own.
  await page.click("#annotation-add");
  await page.fill('input[aria-label="Annotation 1 key"]', "org.opencontainers.image.description");
  await page.fill('input[aria-label="Annotation 1 value"]', "the subject's description");
  await page.setInputFiles("#pack-file", { name: "guide.md", mimeType: "text/markdown", buffer: Buffer.from("# Guide\n") });
  await page.waitForFunction(() => /^sha256:/.test(document.querySelector("oci-artifact-form").shadowRoot.querySelector("#pack-digest").textContent));
  assert.equal(await page.inputValue('input[aria-label="Media type of guide.md"]'), DOCS_LAYER);
  await page.fill('input[aria-label="Media type of guide.md"]', "application/vnd.example.guide.layer.v1+md");
  const subject = await pushFile(page, "messages/attach", "v1", "more.md", "# More\n");

  await listTags(page, "messages/attach");
  await page.click('#browse-tags button:text-is("v1")');
  await page.waitForSelector("#artifact:not([hidden])");
  await page.click("#artifact-attach");
  assert.equal(await page.isVisible("#subject-row"), true);
  assert.equal(await page.$$eval("#annotations .annotation", (rows) => rows.length), 0, "no annotation carried over");
  assert.equal(await page.$$eval("#pack-files tr", (rows) => rows.length), 0, "no file carried over");

  // The referrer's own type and file: its layer gets that type's layer media type.
  await page.check(`input[name=artifact-type][value="${SPDX_TYPE}"]`);
  const sbom = JSON.stringify({ spdxVersion: "SPDX-2.3", name: "attach" });
  await page.setInputFiles("#pack-file", { name: "attach.spdx.json", mimeType: "application/json", buffer: Buffer.from(sbom) });
  await page.waitForFunction(() => /^sha256:/.test(document.querySelector("oci-artifact-form").shadowRoot.querySelector("#pack-digest").textContent));
  const manifest = JSON.parse(await page.textContent("#pack-manifest"));
  assert.equal(manifest.subject.digest, subject);
  assert.equal(manifest.artifactType, SPDX_TYPE);
  assert.equal(manifest.annotations?.["org.opencontainers.image.description"], undefined);
  assert.deepEqual(manifest.layers.map((l) => l.annotations["org.opencontainers.image.title"]), ["attach.spdx.json"]);
  const spdxLayer = await page.evaluate(async (type) => (await import("ocikit")).artifactTypes().find((d) => d.artifactType === type).layerMediaTypes[0] ?? "", SPDX_TYPE);
  assert.equal(manifest.layers[0].mediaType, spdxLayer || "application/vnd.oci.image.layer.v1.tar");
  assert.notEqual(manifest.layers[0].mediaType, DOCS_LAYER);
  assert.deepEqual(unexpected(problems, { referrersProbe: true }), []);
  await page.context().close();
});
