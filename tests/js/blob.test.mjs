// digestBlob: chunked digests of Blobs and Files, with progress and abort.
import assert from "node:assert/strict";
import { createHash, randomFillSync } from "node:crypto";
import { describe, test } from "node:test";
import { implementations } from "./vectors.mjs";

const nodeDigest = (algorithm, bytes) => `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("digests a blob in chunks and reports progress after each", async () => {
      const bytes = randomFillSync(new Uint8Array(1_000_003));
      const blob = new Blob([bytes.subarray(0, 500_000), bytes.subarray(500_000)]);
      const progress = [];
      const result = await ocikit.digestBlob(blob, {
        chunkSize: 300_000,
        onProgress: (done, total) => progress.push([done, total]),
      });
      assert.equal(result, nodeDigest("sha256", bytes));
      assert.deepEqual(progress, [
        [300_000, 1_000_003],
        [600_000, 1_000_003],
        [900_000, 1_000_003],
        [1_000_003, 1_000_003],
      ]);
    });

    test("sha512, the default chunk size, a File, and an empty blob", async () => {
      const bytes = new TextEncoder().encode("# docs in markdown\n");
      const file = new File([bytes], "README.md", { type: "text/markdown" });
      assert.equal(await ocikit.digestBlob(file), nodeDigest("sha256", bytes));
      assert.equal(await ocikit.digestBlob(file, { algorithm: "sha512" }), nodeDigest("sha512", bytes));
      const progress = [];
      const empty = await ocikit.digestBlob(new Blob([]), { onProgress: (...p) => progress.push(p) });
      assert.equal(empty, nodeDigest("sha256", new Uint8Array()));
      assert.deepEqual(progress, [[0, 0]]);
    });

    test("rejects bad arguments and stops when aborted", async () => {
      const blob = new Blob([new Uint8Array(10)]);
      // @ts-expect-error: not a Blob, deliberately
      await assert.rejects(ocikit.digestBlob(new Uint8Array(10)), TypeError);
      await assert.rejects(ocikit.digestBlob(blob, { chunkSize: 0 }), RangeError);
      await assert.rejects(ocikit.digestBlob(blob, { chunkSize: 1.5 }), RangeError);
      // @ts-expect-error: not a function, deliberately
      await assert.rejects(ocikit.digestBlob(blob, { onProgress: "yes" }), TypeError);
      // @ts-expect-error: not an algorithm ocikit has, deliberately
      await assert.rejects(ocikit.digestBlob(blob, { algorithm: "md5" }), (e) => e instanceof ocikit.OciError && e.code === "DIGEST_UNSUPPORTED");
      await assert.rejects(ocikit.digestBlob(blob, { signal: AbortSignal.abort() }), { name: "AbortError" });
      const controller = new AbortController();
      const seen = [];
      const aborted = ocikit.digestBlob(blob, {
        chunkSize: 3,
        signal: controller.signal,
        onProgress: (done) => {
          seen.push(done);
          if (done === 6) controller.abort();
        },
      });
      await assert.rejects(aborted, { name: "AbortError" });
      assert.deepEqual(seen, [3, 6]);
    });
  });
}
