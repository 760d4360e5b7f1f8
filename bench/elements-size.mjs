// The size of ocikit/elements without the wasm: every module of bindings-wasm/npm/elements/
// (the generated catalog with its logos included; styles live inside the modules), gzip -9
// each and all together. Issue 14's budget: at most 30 KB gzip (30,720 bytes).
//   node bench/elements-size.mjs [--json]
import { readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const BUDGET = 30 * 1024;
const dir = new URL("../bindings-wasm/npm/elements/", import.meta.url);

export function measure() {
  const files = readdirSync(dir).filter((f) => f.endsWith(".js")).sort();
  const rows = files.map((name) => {
    const bytes = readFileSync(new URL(name, dir));
    return { name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  const all = Buffer.concat(files.map((name) => readFileSync(new URL(name, dir))));
  return { files: rows, total: { bytes: all.length, gzip: gzipSync(all, { level: 9 }).length, gzipEach: rows.reduce((s, r) => s + r.gzip, 0) }, budget: BUDGET };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = measure();
  if (process.argv.includes("--json")) console.log(JSON.stringify(result, null, 2));
  else {
    for (const r of result.files) console.log(`${r.name.padEnd(20)} ${String(r.bytes).padStart(7)} B  ${String(r.gzip).padStart(6)} B gzip`);
    console.log(`${"all".padEnd(20)} ${String(result.total.bytes).padStart(7)} B  ${String(result.total.gzip).padStart(6)} B gzip as one file, ${result.total.gzipEach} B gzip file by file (budget ${BUDGET})`);
  }
}
