// Issue 14's size budget: ocikit/elements' JavaScript and styles (the styles are in the modules),
// without the wasm, at most 30 KB gzip, counted file by file (as a page fetches them, the larger
// figure); measured by bench/elements-size.mjs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BUDGET, measure } from "../../bench/elements-size.mjs";

test("the elements without the wasm stay within 30 KB gzip", () => {
  const { files, total } = measure();
  assert.ok(files.some((f) => f.name === "catalog.js") && files.length >= 11, files.map((f) => f.name).join(", "));
  assert.ok(total.gzipEach <= BUDGET, `${total.gzipEach} B gzip file by file > ${BUDGET}`);
  console.log(`elements: ${total.bytes} B, ${total.gzipEach} B gzip file by file, ${total.gzip} B as one file`);
});
