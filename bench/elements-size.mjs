// The size of ocikit/elements without the wasm, as a page loads it: the shipped build
// (dist/elements.js of the npm package, one minified ES module bundled by
// scripts/elements-build/build.mjs from the readable sources in bindings-wasm/npm/elements/,
// the generated catalog with its logos included; the styles live inside the modules), gzip -9.
// The wasm and the package's browser entry are not in it: the elements import them only when a
// feature needs them (packing, validation, a Client). Issue 14's budget: at most 30 KB gzip
// (30,720 bytes). The readable sources are listed too, for comparison (a page importing them
// one by one would load those bytes).
//   make wasm; node bench/elements-size.mjs [--json]      exit 1 when the shipped file misses the budget
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const BUDGET = 30 * 1024;
const pkg = new URL("../bindings-wasm/pkg/", import.meta.url);
const sources = new URL("../bindings-wasm/npm/elements/", import.meta.url);
/** What `import "ocikit/elements"` loads in a browser: the package's "./elements" export. */
export const SHIPPED = ["dist/elements.js"];

const row = (name, bytes) => ({ name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });

export function measure() {
  const missing = SHIPPED.filter((name) => !existsSync(new URL(name, pkg)));
  if (missing.length) throw new Error(`bindings-wasm/pkg/${missing.join(", ")} is missing: run make wasm`);
  const exported = JSON.parse(readFileSync(new URL("package.json", pkg), "utf8")).exports["./elements"].default;
  if (!SHIPPED.includes(exported.replace(/^\.\//, ""))) throw new Error(`ocikit/elements exports ${exported}, not the measured ${SHIPPED}`);
  const files = SHIPPED.map((name) => row(name, readFileSync(new URL(name, pkg))));
  const gzip = files.reduce((s, r) => s + r.gzip, 0);
  const readable = readdirSync(sources).filter((f) => f.endsWith(".js")).sort().map((name) => row(`elements/${name}`, readFileSync(new URL(name, sources))));
  return {
    files,
    total: { bytes: files.reduce((s, r) => s + r.bytes, 0), gzip },
    pass: gzip <= BUDGET,
    budget: BUDGET,
    sources: { files: readable, gzipEach: readable.reduce((s, r) => s + r.gzip, 0) },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = measure();
  if (process.argv.includes("--json")) console.log(JSON.stringify(result, null, 2));
  else {
    const line = (r) => `${r.name.padEnd(28)} ${String(r.bytes).padStart(7)} B  ${String(r.gzip).padStart(6)} B gzip`;
    console.log("readable sources (not what a page loads):");
    for (const r of result.sources.files) console.log(`  ${line(r)}`);
    console.log(`  ${"all, file by file".padEnd(28)} ${" ".repeat(9)}  ${String(result.sources.gzipEach).padStart(6)} B gzip`);
    console.log("shipped (what import \"ocikit/elements\" loads):");
    for (const r of result.files) console.log(`  ${line(r)}`);
    console.log(`${result.pass ? "PASS" : "MISS"}: ${result.total.gzip} B gzip of ${result.budget} B (${(result.total.gzip / 1024).toFixed(2)} KB of 30 KB)`);
  }
  if (!result.pass) process.exitCode = 1;
}
