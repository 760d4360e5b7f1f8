// The package as npm installs it: its files, its exports map, and which entry Node picks.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";

const manifest = JSON.parse(readFileSync(new URL("./node_modules/ocikit/package.json", import.meta.url), "utf8"));

test("the exports map puts types first and has node and default conditions", () => {
  for (const [subpath, conditions] of Object.entries(manifest.exports)) {
    if (typeof conditions === "string") continue;
    const names = Object.keys(conditions);
    assert.equal(names[0], "types", subpath);
    assert.ok(names.includes("node") && names.at(-1) === "default", subpath);
  }
  assert.equal(manifest.type, "module");
});

test("Node resolves ocikit to the node entry and ocikit/wasm to the wasm one", () => {
  assert.match(import.meta.resolve("ocikit"), /\/node_modules\/ocikit\/node\.js$/);
  assert.match(import.meta.resolve("ocikit/wasm"), /\/node_modules\/ocikit\/node-wasm\.js$/);
  // ocikit/manual is the same file everywhere: the caller loads the wasm with init().
  assert.match(import.meta.resolve("ocikit/manual"), /\/node_modules\/ocikit\/manual\.js$/);
  assert.match(import.meta.resolve("ocikit/package.json"), /\/node_modules\/ocikit\/package\.json$/);
});

test("the installed package holds its files and nothing from the build directory besides", () => {
  for (const file of manifest.files) {
    assert.doesNotThrow(() => readFileSync(new URL(`./node_modules/ocikit/${file}`, import.meta.url)), file);
  }
  // wasm-bindgen's own .d.ts files are not shipped: index.d.ts is the one typed surface.
  assert.ok(!existsSync(new URL("./node_modules/ocikit/wasm/ocikit_wasm.d.ts", import.meta.url)));
  const wasm = readFileSync(new URL("./node_modules/ocikit/wasm/ocikit_wasm_bg.wasm", import.meta.url));
  assert.deepEqual([...wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
  assert.ok(WebAssembly.validate(wasm));
});
