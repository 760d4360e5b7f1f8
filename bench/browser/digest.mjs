// SHA-256 of a 256 MiB File in headless Chromium (Debian's): the npm package ocikit hashing in
// a Web Worker and on the main thread, hash-wasm, and crypto.subtle.digest; then ocikit's and
// hash-wasm's BLAKE3 next to them, and the lite module's Digester against the full module's.
// Prints MB/s, ratios, the longest wait between frames, and PASS/MISS per goal.
// `scripts/bench-browser.sh`.
//
//   node digest.mjs [--rounds N] [--size-mib N] [--strict] [--baseline DIR]
//
// --baseline DIR: another build of the npm package (say bindings-wasm/pkg of an earlier commit)
// hashes too, in the same run, with a goal of ocikit at most 3% slower than it.
import { createHash, randomFillSync } from "node:crypto";
import { createReadStream, closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createBLAKE3 } from "hash-wasm";
import { chromium } from "playwright-core";

const { values: args } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    "size-mib": { type: "string", default: "256" },
    strict: { type: "boolean", default: false },
    baseline: { type: "string" },
  },
});
const rounds = Number(args.rounds);
const size = Number(args["size-mib"]) * 1024 * 1024;
const here = new URL(".", import.meta.url).pathname;
const roots = {
  "/ocikit/": join(here, "../../bindings-wasm/pkg"),
  "/hash-wasm/": join(here, "node_modules/hash-wasm/dist"),
};
if (args.baseline) roots["/baseline/"] = resolve(args.baseline);
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html; charset=utf-8" };

// A static server on loopback: the page, the built package, hash-wasm's ESM build.
const server = http.createServer((request, response) => {
  const path = new URL(request.url, "http://x").pathname;
  let file = path === "/" ? join(here, "page.html") : null;
  for (const [prefix, dir] of Object.entries(roots)) {
    if (path.startsWith(prefix)) file = join(dir, normalize(path.slice(prefix.length)).replace(/^(\.\.[/\\])+/, ""));
  }
  if (file === null) {
    response.writeHead(404).end();
    return;
  }
  const stream = createReadStream(file);
  stream.on("error", () => response.writeHead(404).end());
  stream.on("open", () => {
    response.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream", "Cache-Control": "no-store" });
    stream.pipe(response);
  });
});
server.listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

// The input: random bytes in a temporary file, so that the page hashes a real disk-backed File.
const dir = mkdtempSync(join(tmpdir(), "ocikit-bench-browser-"));
const path = join(dir, "input.bin");
const hash = createHash("sha256");
const blake3 = await createBLAKE3();
const fd = openSync(path, "w");
const chunk = Buffer.alloc(8 * 1024 * 1024);
for (let written = 0; written < size; written += chunk.length) {
  const part = chunk.subarray(0, Math.min(chunk.length, size - written));
  randomFillSync(part);
  hash.update(part);
  blake3.update(part);
  writeSync(fd, part);
}
closeSync(fd);
// The digest each contender must compute, by algorithm (node:crypto's, hash-wasm's in Node).
const expected = { sha256: `sha256:${hash.digest("hex")}`, blake3: `blake3:${blake3.digest("hex")}` };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const page = await browser.newPage();
  await page.goto(args.baseline ? `${url}?baseline` : url);
  await page.waitForSelector("html[data-ready=true]");
  await page.setInputFiles("#file", path);
  const names = await page.evaluate(() => Object.keys(window.contenders));
  const results = Object.fromEntries(names.map((n) => [n, []]));
  // Interleaved rounds (so that noise hits all alike), after one warm-up run each.
  for (const name of names) await page.evaluate((n) => window.run(n), name);
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names) {
      const result = await page.evaluate((n) => window.run(n), name);
      const want = expected[result.digest.split(":")[0]];
      if (result.digest !== want) throw new Error(`${name} computed ${result.digest}, not ${want}`);
      results[name].push(result);
    }
  }
  const best = Object.fromEntries(names.map((n) => [n, results[n].reduce((a, b) => (b.ms < a.ms ? b : a))]));
  const mbps = (r) => size / 1e6 / (r.ms / 1000);
  const worstGap = (n) => Math.max(...results[n].map((r) => r.longestGapMs));
  const reference = mbps(best["hash-wasm 4.13.0"]);
  const version = await browser.version();
  console.log(`SHA-256 (and BLAKE3) of a ${args["size-mib"]} MiB File in headless Chromium ${version}; best of ${rounds} rounds (MB/s = 10^6 bytes/s)\n`);
  console.log(`${"contender".padEnd(24)} ${"MB/s".padStart(7)} ${"÷ hash-wasm".padStart(12)} ${"time".padStart(9)} ${"longest frame gap".padStart(19)}`);
  console.log("-".repeat(75));
  for (const name of names) {
    const r = best[name];
    console.log(
      `${name.padEnd(24)} ${mbps(r).toFixed(0).padStart(7)} ${`${(mbps(r) / reference).toFixed(2)}×`.padStart(12)} ${`${(r.ms / 1000).toFixed(2)} s`.padStart(9)} ${`${worstGap(name).toFixed(0)} ms`.padStart(19)}`,
    );
  }
  const goals = [
    [`ocikit (Web Worker) >= 1.0× hash-wasm`, mbps(best["ocikit (Web Worker)"]) / reference >= 1.0, `${(mbps(best["ocikit (Web Worker)"]) / reference).toFixed(2)}×`],
    [`ocikit (main thread) >= 1.0× hash-wasm`, mbps(best["ocikit (main thread)"]) / reference >= 1.0, `${(mbps(best["ocikit (main thread)"]) / reference).toFixed(2)}×`],
    [`a frame at least every 100 ms while ocikit hashes in the worker`, worstGap("ocikit (Web Worker)") <= 100, `longest gap ${worstGap("ocikit (Web Worker)").toFixed(0)} ms`],
  ];
  const lite = mbps(best["lite module Digester"]) / mbps(best["full module Digester"]);
  goals.push([`the lite module >= 0.97× the full one (main thread)`, lite >= 0.97, `${lite.toFixed(3)}×`]);
  if (args.baseline) {
    for (const where of ["Web Worker", "main thread"]) {
      const r = mbps(best[`ocikit (${where})`]) / mbps(best[`baseline (${where})`]);
      goals.push([`ocikit (${where}) >= 0.97× the baseline build`, r >= 0.97, `${r.toFixed(3)}×`]);
    }
  }
  console.log("");
  for (const [goal, ok, is] of goals) console.log(`${ok ? "PASS" : "MISS"}  ${goal} (is ${is})`);
  if (args.strict && goals.some(([, ok]) => !ok)) process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}
