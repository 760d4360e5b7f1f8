// The demo with directory layers (issue 11 item 8), in headless Chromium against docker-registry
// with CORS: a chosen folder becomes one directory layer (the npm package's packDirectory: the
// core's reproducible tar+gzip, as the ORAS CLI pushes a directory), is pushed, and browsing
// offers the layer's tar and its entries one by one (unpackDirectory, each entry checked); the
// Python CLI pulls and unpacks what the page pushed, byte for byte.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launch, openDemo, origin, screenshot, unexpected } from "./browser.mjs";
import { startRegistry } from "./registry.mjs";

const root = new URL("../../", import.meta.url).pathname;
const OCIKIT_CLI = join(root, ".venv/bin/ocikit");
const DIRECTORY = "application/vnd.oci.image.layer.v1.tar+gzip";
const files = {
  "handbook/overview.md": "# Overview\n",
  "handbook/guide/install.md": "# Install\n\n`pip install ocikit`\n",
};

let browser;
let registry;
let work;

before(async () => {
  browser = await launch();
  registry = await startRegistry({ origin });
  work = mkdtempSync(join(tmpdir(), "ocikit-browser-dir-"));
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

async function download(page, click) {
  const [saved] = await Promise.all([page.waitForEvent("download", { timeout: 30_000 }), click()]);
  return { name: saved.suggestedFilename(), bytes: readFileSync(await saved.path()) };
}

test("a folder becomes one directory layer; browsing gives its tar and its entries", async () => {
  const { page, problems } = await openDemo(browser, { allowed: [registry.url] });
  await page.fill("#registry-url", registry.url);
  await page.check("#pack-folder-layer");
  await page.setInputFiles("#pack-folder", join(work, "handbook"));
  await page.waitForFunction(() => /^sha256:/.test(document.querySelector("oci-artifact-form").shadowRoot.querySelector("#pack-digest").textContent));
  const names = await page.$$eval("#pack-files td.name", (cells) => cells.map((c) => c.textContent));
  assert.deepEqual(names, ["handbook"]);
  const manifest = JSON.parse(await page.textContent("#pack-manifest"));
  assert.equal(manifest.layers.length, 1);
  const [layer] = manifest.layers;
  assert.equal(layer.mediaType, DIRECTORY);
  assert.equal(layer.annotations["org.opencontainers.image.title"], "handbook");
  assert.equal(layer.annotations["io.deis.oras.content.unpack"], "true");
  assert.match(layer.annotations["io.deis.oras.content.digest"], /^sha256:[0-9a-f]{64}$/);
  // The same tree gives the same layer in Python (reproducible: fixed modes, mtimes and order).
  const python = execFileSync(
    join(root, ".venv/bin/python"),
    ["-c", "import sys, ocikit; print(ocikit.File.from_directory(sys.argv[1]).digest)", join(work, "handbook")],
    { encoding: "utf8" },
  ).trim();
  assert.equal(layer.digest, python);

  await page.fill("#push-repo", "docs/folder");
  await page.fill("#push-tag", "v1");
  await page.click("#push-button");
  await page.waitForSelector("#push-result:not([hidden])", { timeout: 30_000 });

  // The Python CLI pulls it and unpacks the folder, byte for byte.
  const pulled = join(work, "pulled");
  execFileSync(OCIKIT_CLI, ["pull", `${registry.address}/docs/folder:v1`, "-o", pulled, "--plain-http"]);
  for (const [name, text] of Object.entries(files)) assert.equal(readFileSync(join(pulled, name), "utf8"), text);

  // Browse: the layer's entries, one by one, each file downloadable.
  await page.fill("#browse-repo", "docs/folder");
  await page.click("#browse-list");
  await page.waitForSelector('#browse-tags button:text-is("v1")');
  await page.click('#browse-tags button:text-is("v1")');
  await page.waitForSelector("#artifact:not([hidden])");
  assert.equal(await page.isHidden("#artifact-entries-block"), true);
  await page.click('button[aria-label="Browse the entries of handbook"]');
  await page.waitForSelector("#artifact-entries-block:not([hidden])");
  const rows = await page.$$eval("#artifact-entries tr", (trs) => trs.map((tr) => [...tr.cells].slice(0, 2).map((c) => c.textContent)));
  const paths = Object.fromEntries(rows);
  assert.equal(paths["handbook/overview.md"], "file");
  assert.equal(paths["handbook/guide/install.md"], "file");
  assert.equal(paths["handbook/guide/"] ?? paths["handbook/guide"], "directory");
  const one = await download(page, () => page.click('button[aria-label="Download handbook/guide/install.md"]'));
  assert.equal(one.name, "install.md");
  assert.equal(one.bytes.toString(), files["handbook/guide/install.md"]);

  // The layer as its tar (gunzipped, checked first): the system tar lists the same entries.
  const tar = await download(page, () => page.click('button[aria-label="Download handbook as a tar"]'));
  assert.equal(tar.name, "handbook.tar");
  const tarFile = join(work, "handbook.tar");
  writeFileSync(tarFile, tar.bytes);
  const listed = execFileSync("tar", ["-tf", tarFile], { encoding: "utf8" }).trim().split("\n");
  for (const name of Object.keys(files)) assert.ok(listed.includes(name), `${name} in ${listed}`);
  await screenshot(page, "registry-directory.png");
  assert.deepEqual(unexpected(problems, { referrersProbe: true }), []);
  await page.context().close();
});
