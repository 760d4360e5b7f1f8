// Issue 14's size budget: ocikit/elements' JavaScript and styles (the styles are in the modules),
// without the wasm, at most 30 KB gzip as shipped (the minified dist/elements.js that
// `import "ocikit/elements"` loads); measured by bench/elements-size.mjs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { BUDGET, measure } from "../../bench/elements-size.mjs";

test("the elements without the wasm stay within 30 KB gzip, as shipped", () => {
  const { files, total, pass } = measure();
  assert.deepEqual(files.map((f) => f.name), ["dist/elements.js"]);
  // The shipped module is the whole of ocikit/elements: every element and the catalog, no wasm.
  const shipped = readFileSync(new URL("../../bindings-wasm/pkg/dist/elements.js", import.meta.url), "utf8");
  for (const name of ["oci-type-badge", "oci-artifact-form", "oci-file-list", "application/vnd.cncf.flux.config.v1+json"]) assert.ok(shipped.includes(name), name);
  assert.doesNotMatch(shipped, /ocikit_wasm/, "the wasm glue is not bundled");
  assert.ok(pass && total.gzip <= BUDGET, `${total.gzip} B gzip > ${BUDGET}`);
  console.log(`elements: ${total.bytes} B, ${total.gzip} B gzip`);
});

test("custom-elements.json names every element with its attributes and events", async () => {
  const manifest = JSON.parse(readFileSync(new URL("../../bindings-wasm/npm/elements/custom-elements.json", import.meta.url), "utf8"));
  const elements = await import("../../bindings-wasm/npm/elements/index.js");
  const declared = new Map(manifest.modules.flatMap((m) => m.declarations).map((d) => [d.name, d]));
  const classes = Object.entries(elements).filter(([name]) => name.startsWith("Oci"));
  assert.equal(classes.length, 7);
  for (const [name, cls] of classes) {
    const d = declared.get(name);
    assert.ok(d, `${name} is not in custom-elements.json`);
    const attributes = d.attributes.map((a) => a.name);
    for (const a of cls.observedAttributes) assert.ok(attributes.includes(a), `${name}: ${a} is not in custom-elements.json`);
    assert.ok(d.events.length > 0 || name === "OciTypeBadge", name);
  }
});
