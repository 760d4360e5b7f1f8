// SHA-256 throughput of ocikit's digest() — the Node entry (node:crypto) and the wasm path
// (ocikit/wasm, what browsers run) — against hash-wasm, @noble/hashes and node:crypto itself,
// measured in the same run, interleaved, best of several rounds. A second table puts ocikit's
// BLAKE3 (wasm in both entries: node:crypto has none) next to its SHA-256 and to hash-wasm's and
// @noble/hashes' BLAKE3. Then the size of both wasm modules, raw and gzipped, against the goal:
// the full one ("ocikit") and the lite one ("ocikit/lite": no registry engine, layouts or
// directories), whose SHA-256 is measured here too, against the full module's same call.
// `node digest.mjs [--quick] [--baseline DIR]`: DIR, another build of the npm package (say the
// bindings-wasm/pkg of an earlier commit), adds its wasm path as a contender measured in the same
// run, with a goal of at most 3% slower than it (for changes of the wasm build).
import { createHash, randomFillSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { resolve } from "node:path";
import { blake3 as nobleBlake3 } from "@noble/hashes/blake3.js";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { createBLAKE3, createSHA256 } from "hash-wasm";
import * as ocikit from "ocikit";
import * as ocikitWasm from "ocikit/wasm";

// The two modules' own digest functions side by side (the package's functions run on one module
// per process: the full one once "ocikit" is loaded), the lite one instantiated here.
const pkgDir = new URL(".", import.meta.resolve("ocikit/package.json"));
const fullGlue = await import(new URL("wasm/ocikit_wasm.js", pkgDir).href);
const liteGlue = await import(new URL("wasm/ocikit_lite.js", pkgDir).href);
liteGlue.initSync({ module: readFileSync(new URL("wasm/ocikit_lite_bg.wasm", pkgDir)) });

const quick = process.argv.includes("--quick");
const baselineAt = process.argv.indexOf("--baseline");
const baselineDir = baselineAt > 0 ? resolve(process.argv[baselineAt + 1]) : null;
const baseline = baselineDir ? await import(pathToFileURL(`${baselineDir}/node-wasm.js`).href) : null;
const SIZES = [
  ["1 KiB", 1024],
  ["64 KiB", 64 * 1024],
  ["1 MiB", 1024 * 1024],
  ["16 MiB", 16 * 1024 * 1024],
];
const ROUNDS = quick ? 3 : 7;
const ROUND_SECONDS = quick ? 0.1 : 0.25;

// hash-wasm's one-shot sha256() is async; its synchronous hasher is the fair comparison (and
// what its README recommends for repeated hashing): one instance, init/update/digest.
const hashWasm = await createSHA256();
const hashWasmBlake3 = await createBLAKE3();

const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
const contenders = [
  ["ocikit (node entry)", (data) => ocikit.digest(data)],
  ["ocikit/wasm", (data) => ocikitWasm.digest(data)],
  ["hash-wasm", (data) => "sha256:" + hashWasm.init().update(data).digest("hex")],
  ["@noble/hashes", (data) => "sha256:" + hex(nobleSha256(data))],
  ["node:crypto", (data) => "sha256:" + createHash("sha256").update(data).digest("hex")],
];
if (baseline) contenders.splice(2, 0, ["ocikit/wasm baseline", (data) => baseline.digest(data)]);
contenders.splice(2, 0, ["full module digest()", (data) => fullGlue.digest(data, undefined)]);
contenders.splice(3, 0, ["lite module digest()", (data) => liteGlue.digest(data, undefined)]);

/** Seconds per call, from as many calls as fill one round. */
function timeRound(fn, data, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(data);
  return Number(process.hrtime.bigint() - start) / 1e9 / calls;
}

// Independent digests to check every contender against, by algorithm.
const reference = {
  sha256: (data) => "sha256:" + createHash("sha256").update(data).digest("hex"),
  blake3: (data) => "blake3:" + hashWasmBlake3.init().update(data).digest("hex"),
};

/** name -> size label -> MB/s for each contender, each checked against `reference` first. */
function measure(contenders) {
  const results = new Map();
  for (const [label, size] of SIZES) {
    const data = randomFillSync(new Uint8Array(size));
    const calls = new Map();
    for (const [name, fn] of contenders) {
      const digest = fn(data);
      if (digest !== reference[digest.split(":")[0]]?.(data)) {
        throw new Error(`${name} computes a different digest`);
      }
      // Calibrate: enough calls for one round to last about ROUND_SECONDS.
      const once = timeRound(fn, data, 1);
      calls.set(name, Math.max(1, Math.round(ROUND_SECONDS / Math.max(once, 1e-7))));
      timeRound(fn, data, calls.get(name)); // warm-up
    }
    const best = new Map(contenders.map(([name]) => [name, Infinity]));
    for (let round = 0; round < ROUNDS; round++) {
      // Interleaved, so that clock drift and noise hit every contender alike.
      for (const [name, fn] of contenders) {
        best.set(name, Math.min(best.get(name), timeRound(fn, data, calls.get(name))));
      }
    }
    for (const [name] of contenders) {
      if (!results.has(name)) results.set(name, new Map());
      results.get(name).set(label, size / best.get(name) / 1e6);
    }
  }
  return results;
}

const results = measure(contenders);

const pad = (text, width) => String(text).padStart(width);
const first = 22;
const col = 10;
console.log(`SHA-256 throughput, MB/s (10^6 bytes/s), best of ${ROUNDS} rounds — Node ${process.versions.node}`);
console.log(pad("", first) + SIZES.map(([label]) => pad(label, col)).join(""));
for (const [name] of contenders) {
  console.log(name.padEnd(first) + SIZES.map(([label]) => pad(results.get(name).get(label).toFixed(0), col)).join(""));
}
const ratio = (a, b, label) => results.get(a).get(label) / results.get(b).get(label);
console.log("");
const ratios = [
  ["ocikit/wasm ÷ hash-wasm", "ocikit/wasm", "hash-wasm"],
  ["ocikit/wasm ÷ @noble", "ocikit/wasm", "@noble/hashes"],
  ["node entry ÷ node:crypto", "ocikit (node entry)", "node:crypto"],
  ["node entry ÷ ocikit/wasm", "ocikit (node entry)", "ocikit/wasm"],
];
ratios.push(["lite ÷ full module", "lite module digest()", "full module digest()"]);
if (baseline) ratios.push(["ocikit/wasm ÷ baseline", "ocikit/wasm", "ocikit/wasm baseline"]);
for (const [title, a, b] of ratios) {
  console.log(title.padEnd(first) + SIZES.map(([label]) => pad(ratio(a, b, label).toFixed(2) + "×", col)).join(""));
}

// Goals: the wasm path at least 1.15× hash-wasm from 64 KiB up, and at least 2× @noble/hashes.
console.log("");
let missed = 0;
const goal = (text, pass) => {
  missed += pass ? 0 : 1;
  console.log(`${pass ? "PASS" : "MISS"}  ${text}`);
};
for (const [label, size] of SIZES) {
  if (size >= 64 * 1024) {
    const r = ratio("ocikit/wasm", "hash-wasm", label);
    goal(`ocikit/wasm ≥ 1.15× hash-wasm at ${label}: ${r.toFixed(2)}×`, r >= 1.15);
  }
}
for (const [label] of SIZES) {
  const r = ratio("ocikit/wasm", "@noble/hashes", label);
  goal(`ocikit/wasm ≥ 2× @noble/hashes at ${label}: ${r.toFixed(2)}×`, r >= 2);
}
for (const [label] of SIZES) {
  const r = ratio("lite module digest()", "full module digest()", label);
  goal(`the lite module ≥ 0.97× the full one at ${label}: ${r.toFixed(3)}×`, r >= 0.97);
}
if (baseline) {
  for (const [label] of SIZES) {
    const r = ratio("ocikit/wasm", "ocikit/wasm baseline", label);
    goal(`ocikit/wasm ≥ 0.97× the baseline build at ${label}: ${r.toFixed(3)}×`, r >= 0.97);
  }
}

// BLAKE3 next to SHA-256: no goal, only figures.
const blake3Contenders = [
  ["ocikit sha256 (node)", (data) => ocikit.digest(data)],
  ["ocikit sha256 (wasm)", (data) => ocikitWasm.digest(data)],
  ["ocikit blake3 (node)", (data) => ocikit.digest(data, "blake3")],
  ["ocikit/wasm blake3", (data) => ocikitWasm.digest(data, "blake3")],
  ["hash-wasm blake3", (data) => "blake3:" + hashWasmBlake3.init().update(data).digest("hex")],
  ["@noble blake3", (data) => "blake3:" + hex(nobleBlake3(data))],
];
const blake3Results = measure(blake3Contenders);
console.log("");
console.log(`BLAKE3 next to SHA-256, MB/s (10^6 bytes/s), best of ${ROUNDS} rounds`);
console.log(pad("", first) + SIZES.map(([label]) => pad(label, col)).join(""));
for (const [name] of blake3Contenders) {
  console.log(name.padEnd(first) + SIZES.map(([label]) => pad(blake3Results.get(name).get(label).toFixed(0), col)).join(""));
}

// The modules a browser downloads: their sizes, and gzipped (level 9), against the goal of
// issue 12. A page on "ocikit/lite" downloads the lite module only; "ocikit" the full one.
const moduleSize = (path) => {
  const bytes = readFileSync(path);
  return [bytes.length, gzipSync(bytes, { level: 9 }).length];
};
const kb = (n) => `${(n / 1000).toFixed(0)} KB`;
console.log("");
const sizes = {};
for (const [name, file] of [["full", "ocikit_wasm_bg.wasm"], ["lite", "ocikit_lite_bg.wasm"]]) {
  const [raw, gzipped] = moduleSize(fileURLToPath(new URL(`wasm/${file}`, pkgDir)));
  sizes[name] = gzipped;
  console.log(`${name} wasm module: ${kb(raw)} (${raw} bytes), gzip -9 ${kb(gzipped)} (${gzipped} bytes)`);
}
if (baselineDir) {
  const [baseRaw, baseGzipped] = moduleSize(`${baselineDir}/wasm/ocikit_wasm_bg.wasm`);
  console.log(`baseline (full): ${kb(baseRaw)} (${baseRaw} bytes), gzip -9 ${kb(baseGzipped)} (${baseGzipped} bytes)`);
}
goal(`lite wasm module ("ocikit/lite") ≤ 200 KB gzipped: ${kb(sizes.lite)}`, sizes.lite <= 200_000);
goal(`full wasm module ("ocikit", with the registry engine) ≤ 200 KB gzipped: ${kb(sizes.full)}`, sizes.full <= 200_000);
console.log(missed ? `${missed} goal(s) missed` : "all goals met");
