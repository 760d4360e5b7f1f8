// Hashing in a Web Worker: a 200 MiB file hashed with progress while the page keeps drawing
// frames, cancellation, and digestBlob's worker path checked against node:crypto.
import assert from "node:assert/strict";
import { createHash, randomFillSync } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { expectText, launch, openDemo, screenshot } from "./browser.mjs";

const SIZE = 200 * 1024 * 1024;
// The longest a frame may wait while the worker hashes (60 fps is 16.7 ms between frames).
const MAX_FRAME_GAP_MS = 150;

let browser;
let dir;
let bigFile;
let bigDigest;

before(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), "ocikit-worker-"));
  bigFile = join(dir, "model.safetensors");
  const hash = createHash("sha256");
  const fd = openSync(bigFile, "w");
  const chunk = Buffer.alloc(8 * 1024 * 1024);
  for (let written = 0; written < SIZE; written += chunk.length) {
    randomFillSync(chunk);
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  bigDigest = `sha256:${hash.digest("hex")}`;
});

after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Records a timestamp per frame and the progress bar's value at each, until stopped. */
function recordFrames() {
  window.__frames = [];
  window.__recording = true;
  const tick = (now) => {
    window.__frames.push([now, document.getElementById("progress").hidden ? null : document.getElementById("progress").value]);
    if (window.__recording) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

test("a 200 MiB file is hashed in a Web Worker, with progress, while the page keeps drawing frames", async (t) => {
  const { page, problems } = await openDemo(browser);
  const workers = [];
  page.on("worker", (worker) => workers.push(worker.url()));
  await page.evaluate(recordFrames);
  const started = Date.now();
  await page.setInputFiles("#file", bigFile);
  await page.waitForFunction(() => document.getElementById("progress").value > 0, undefined, { timeout: 30_000 });
  await screenshot(page, "worker-progress.png", { fullPage: false });
  await expectText(page, "#digest-output", bigDigest, 120_000);
  const seconds = (Date.now() - started) / 1000;
  const frames = await page.evaluate(() => {
    window.__recording = false;
    return window.__frames;
  });
  assert.deepEqual(workers.map((url) => new URL(url).pathname), ["/ocikit/digest-worker.js"]);
  // The frames while hashing: from the first progress report to the last.
  const hashing = frames.filter(([, progress]) => progress !== null && progress > 0);
  assert.ok(hashing.length > 10, `frames while hashing: ${hashing.length}`);
  const values = [...new Set(hashing.map(([, progress]) => progress))];
  assert.ok(values.length >= 5, `the progress bar moved: ${values.length} distinct values`);
  assert.ok(values.every((v, i) => i === 0 || v > values[i - 1]), "progress only grows");
  let gap = 0;
  for (let i = 1; i < hashing.length; i += 1) gap = Math.max(gap, hashing[i][0] - hashing[i - 1][0]);
  t.diagnostic(`200 MiB in ${seconds.toFixed(1)} s (${(SIZE / 1e6 / seconds).toFixed(0)} MB/s with reading), ${hashing.length} frames, longest gap ${gap.toFixed(1)} ms`);
  assert.ok(gap < MAX_FRAME_GAP_MS, `longest gap between frames while hashing: ${gap.toFixed(1)} ms`);
  assert.equal(await page.isHidden("#progress"), true);
  assert.deepEqual(problems, []);
  await page.context().close();
});

test("cancelling a hash terminates its worker", async () => {
  const { page, problems } = await openDemo(browser);
  const closed = [];
  page.on("worker", (worker) => worker.on("close", () => closed.push(worker.url())));
  await page.setInputFiles("#file", bigFile);
  await page.waitForFunction(() => document.getElementById("progress").value > 0, undefined, { timeout: 30_000 });
  await page.click("#digest-cancel");
  await expectText(page, "#digest-output", "Cancelled.");
  await page.waitForFunction(() => document.getElementById("digest-cancel").hidden);
  for (let i = 0; i < 50 && closed.length === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(closed.length, 1, "the worker was terminated");
  assert.deepEqual(problems, []);
  await page.context().close();
});

test("digestBlob in a worker: node:crypto's digests, progress, OciErrors and AbortSignal", async () => {
  const { page, problems } = await openDemo(browser);
  // The same bytes made on both sides (sending 5 MiB through the protocol would be slow).
  const pattern = (length) => Uint8Array.from({ length }, (_, i) => (i * 31 + (i >> 9)) & 0xff);
  const data = Buffer.from(pattern(5 * 1024 * 1024 + 3));
  const result = await page.evaluate(async ([length, source]) => {
    const { digestBlob, OciError } = await import("ocikit");
    const blob = new Blob([(0, eval)(source)(length)]);
    const progress = [];
    const sha256 = await digestBlob(blob, { worker: true, chunkSize: 1 << 20, onProgress: (done, total) => progress.push([done, total]) });
    const sha512 = await digestBlob(blob, { worker: true, algorithm: "sha512" });
    const empty = await digestBlob(new Blob([]), { worker: true });
    let unsupported;
    try {
      await digestBlob(blob, { worker: true, algorithm: "md5" });
    } catch (error) {
      unsupported = error instanceof OciError ? error.code : String(error);
    }
    let badOption;
    try {
      await digestBlob(blob, { worker: "yes" });
    } catch (error) {
      badOption = error.name;
    }
    const controller = new AbortController();
    const aborted = digestBlob(new Blob([new Uint8Array(64 << 20)]), { worker: true, signal: controller.signal });
    controller.abort(new Error("stop"));
    let reason;
    try {
      await aborted;
    } catch (error) {
      reason = error.message;
    }
    return { sha256, sha512, empty, progress, unsupported, badOption, reason };
  }, [data.length, pattern.toString()]);
  const expected = (algorithm, bytes) => `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
  assert.equal(result.sha256, expected("sha256", data));
  assert.equal(result.sha512, expected("sha512", data));
  assert.equal(result.empty, expected("sha256", Buffer.alloc(0)));
  assert.equal(result.progress.length, 6);
  assert.deepEqual(result.progress.at(-1), [data.length, data.length]);
  assert.equal(result.unsupported, "DIGEST_UNSUPPORTED");
  assert.equal(result.badOption, "TypeError");
  assert.equal(result.reason, "stop");
  assert.deepEqual(problems, []);
  await page.context().close();
});
