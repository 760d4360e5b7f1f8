// Every ```js block of the project README (and of the npm package's README) runs as an ES module
// that imports ocikit by name, the way a reader would paste it.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const readmes = [
  ["README.md", new URL("../../README.md", import.meta.url)],
  ["bindings-wasm/npm/README.md", new URL("../../bindings-wasm/npm/README.md", import.meta.url)],
];

// ```js registry blocks need a live registry: client.test.mjs runs them against the one it starts.
function jsBlocks(markdown) {
  return [...markdown.matchAll(/^```(?:js|javascript|mjs)[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => m[1]);
}

for (const [name, url] of readmes) {
  test(`${name}: every js block runs`, () => {
    const blocks = jsBlocks(readFileSync(url, "utf8"));
    assert.ok(blocks.length > 0, `${name} has no \`\`\`js blocks to run`);
    // Written next to node_modules, so that "ocikit" resolves to the installed package.
    const dir = mkdtempSync(join(new URL(".", import.meta.url).pathname, ".readme-"));
    try {
      blocks.forEach((code, i) => {
        const file = join(dir, `block-${i + 1}.mjs`);
        writeFileSync(file, code);
        try {
          execFileSync(process.execPath, [file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
        } catch (error) {
          assert.fail(`${name} block ${i + 1} failed:\n${code}\n--- stderr ---\n${/** @type {{ stderr: string }} */ (error).stderr}`);
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
