// Step 6 of the documentation's guide "Author your own artifact type" (docs/src/guide), as a
// reader does it: an artifact of a type of their own is pushed with the ocikit CLI, the type is
// defined in the demo's "Your own type…" (media types, display name, SVG logo) and added to the
// page's catalog, and browsing the repository shows the artifact under that display name and
// logo. Headless Chromium against Debian's docker-registry with CORS configured.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launch, openDemo, origin, screenshot, unexpected } from "./browser.mjs";
import { startRegistry } from "./registry.mjs";

const root = new URL("../../", import.meta.url).pathname;
const ARTIFACT_TYPE = "application/vnd.acme.docsinmarkdown.config.v1+json";
const OVERVIEW = "application/vnd.acme.docsinmarkdown.overview.layer.v1+md";
const DESCRIPTION = "application/vnd.acme.docsinmarkdown.description.layer.v1+md";
const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect x="8" y="8" width="48" height="48" rx="8" fill="#2b6cb0"/></svg>';

let browser;
let registry;
let work;

before(async () => {
  browser = await launch();
  registry = await startRegistry({ origin });
  work = mkdtempSync(join(tmpdir(), "ocikit-guide-"));
});

after(async () => {
  await browser?.close();
  await registry?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("the guide's step 6: a type of your own shows with its display name and logo", async () => {
  // Step 5 of the guide: the CLI pushes the two files under the reader's own type.
  execFileSync(
    join(root, ".venv/bin/ocikit"),
    ["push", "--plain-http", `${registry.address}/acme/docs:v1`, "--artifact-type", ARTIFACT_TYPE, `overview.md:${OVERVIEW}`, `description.md:${DESCRIPTION}`],
    { cwd: join(root, "examples/docsinmarkdown"), stdio: "pipe" },
  );

  const { page, problems } = await openDemo(browser, { allowed: [registry.url] });
  await page.fill("#registry-url", registry.url);

  // Author an artifact → Your own type…: media types, display name, logo; Add to the catalog.
  await page.check('input[name=artifact-type][value="custom"]');
  await page.fill("#custom-artifact-type", ARTIFACT_TYPE);
  await page.fill("#custom-layer-type", OVERVIEW);
  await page.fill("#custom-name", "Acme docs");
  writeFileSync(join(work, "acme-docs.svg"), LOGO);
  await page.setInputFiles("#custom-logo", join(work, "acme-docs.svg"));
  await page.waitForFunction(() => !document.querySelector("oci-artifact-form").shadowRoot.querySelector("#custom-preview-logo").hidden);
  assert.equal(await page.textContent("#custom-preview-name"), "Acme docs");
  await page.waitForFunction(() => !document.querySelector("oci-artifact-form").shadowRoot.querySelector("#custom-save").disabled);
  await page.click("#custom-save");
  assert.equal(await page.isVisible("#custom-error"), false);

  // Push & browse → Browse a repository: acme/docs, List tags, v1.
  await page.fill("#browse-repo", "acme/docs");
  await page.click("#browse-list");
  await page.waitForSelector('#browse-tags button:text-is("v1")');
  await page.click('#browse-tags button:text-is("v1")');
  await page.waitForSelector("#artifact:not([hidden])");
  // The artifact in <oci-artifact-card> (ocikit/elements), with the type registered on this page.
  assert.equal(await page.textContent('#artifact-card [part="name"]'), "Acme docs");
  assert.equal(await page.isVisible("#artifact-card img.logo"), true);
  const src = await page.getAttribute("#artifact-card img.logo", "src");
  assert.ok(src?.startsWith("data:image/svg+xml,"), src ?? "no logo");
  assert.ok(decodeURIComponent(src.slice(src.indexOf(",") + 1)).includes('fill="#2b6cb0"'), "the chosen logo");
  // The files in <oci-file-list>: title, media type, size.
  const rows = await page.$$eval("#artifact-files tbody tr", (trs) => trs.map((tr) => [...tr.cells].slice(0, 3).map((c) => c.textContent)));
  assert.deepEqual(rows.map((r) => [r[0], r[1]]).sort(), [["description.md", DESCRIPTION], ["overview.md", OVERVIEW]]);
  await screenshot(page, "guide-own-type.png");
  assert.deepEqual(unexpected(problems, { referrersProbe: true }), []);
  await page.context().close();
});
