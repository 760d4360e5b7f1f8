// Every ```js block of the documentation site (docs/src) runs: a page's blocks in order, each as
// an ES module that imports ocikit by name (written next to node_modules, so that "ocikit" is
// the installed package), with the pages' localhost:5000 replaced by a docker-registry started
// for this file. The ```python and ```sh blocks run in tests/docs/test_samples.py.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, test } from "node:test";
import { startRegistry } from "./registry-server.mjs";

const docs = new URL("../../docs/src/", import.meta.url).pathname;

/** @param {string} dir @returns {string[]} the Markdown files under dir, sorted */
function pages(dir) {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => join(dir, name));
}

/** @param {string} markdown */
const jsBlocks = (markdown) => [...markdown.matchAll(/^```(?:js|javascript|mjs)(?:[ \t][^\n]*)?\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => m[1]);

/** @type {{ address: string, stop: () => Promise<void> } | undefined} */
let registry;
before(async () => {
  registry = await startRegistry();
});
after(async () => {
  await registry?.stop();
});

test("the guide has js samples", () => {
  assert.ok(jsBlocks(readFileSync(join(docs, "guide/author-an-artifact-type.md"), "utf8")).length > 0);
});

for (const page of pages(docs)) {
  const blocks = jsBlocks(readFileSync(page, "utf8"));
  if (blocks.length === 0) continue;
  const name = relative(docs, page);
  test(`docs/src/${name}: every js block runs`, () => {
    assert.ok(registry);
    const dir = mkdtempSync(join(new URL(".", import.meta.url).pathname, ".docs-"));
    try {
      blocks.forEach((code, i) => {
        const file = join(dir, `block-${i + 1}.mjs`);
        writeFileSync(file, code.replaceAll("localhost:5000", registry?.address ?? ""));
        try {
          execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
        } catch (error) {
          assert.fail(`docs/src/${name} js block ${i + 1} failed:\n${code}\n--- stderr ---\n${/** @type {{ stderr: string }} */ (error).stderr}`);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
