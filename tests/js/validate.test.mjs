// validate's fast path (issue 12): documents up to 64 KiB go through the wasm module's reused
// input buffer (text encoded straight into it), and a document without findings comes back from
// wasm as its kind's name alone, made into the report here. Larger documents take a buffer of
// their own, the path every document took before: both must give the same reports, byte for
// byte, in both entries.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { implementations, validationCases } from "./vectors.mjs";

const cases = validationCases();
const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: one vector is about exactly that.
const decode = (bytes) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
const manifest = readFileSync(new URL("../../bench/manifest-1.3k.json", import.meta.url), "utf8").trim();
const clean = { valid: true, kind: "manifest", findings: [] };
// Past the 64 KiB that go through the reused buffer.
const PADDING = " ".repeat(70 * 1024);

/** The bench manifest with a description of `text` (as it is: no quotes or backslashes). */
const described = (text) => manifest.replace("Markdown documentation of ocikit, packed for the validation benchmark", text);

/** The same JSON text after more than 64 KiB of trailing whitespace (the unbuffered path). */
function padded(input) {
  if (typeof input === "string") return input + PADDING;
  const out = new Uint8Array(input.length + PADDING.length);
  out.set(input);
  out.set(utf8.encode(PADDING), input.length);
  return out;
}

/** A JSON syntax error's message names a line and column, which trailing whitespace can move. */
const syntaxError = (report) => report.findings.some((f) => f.code === "JSON_INVALID" && f.path === "");

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("every validation vector: the same report through the reused buffer as through a buffer of its own", () => {
      let compared = 0;
      for (const c of cases) {
        for (const input of c.hex === undefined ? [c.input, decode(c.input)] : [c.input]) {
          const buffered = ocikit.validate(input, c.kind ?? undefined);
          const unbuffered = ocikit.validate(padded(input), c.kind ?? undefined);
          if (syntaxError(buffered) || syntaxError(unbuffered)) continue;
          assert.deepEqual(buffered, unbuffered, c.name);
          assert.deepEqual(Object.keys(buffered), ["valid", "kind", "findings"]);
          compared += 1;
        }
      }
      assert.ok(compared >= 300, `${compared} compared`);
    });

    test("a document without findings: the full report, a new object each call", () => {
      const first = ocikit.validate(manifest);
      assert.deepEqual(first, clean);
      assert.deepEqual(Object.keys(first), ["valid", "kind", "findings"]);
      first.findings.push("changed");
      first.valid = false;
      const second = ocikit.validate(utf8.encode(manifest));
      assert.deepEqual(second, clean);
      assert.notEqual(first, second);
      assert.deepEqual(ocikit.validate(manifest, "manifest"), clean);
      // As another kind it has findings: the full report.
      assert.equal(ocikit.validate(manifest, "index").valid, false);
      assert.throws(() => ocikit.validate(manifest, "image"), TypeError);
    });

    test("text of any script and length through the reused buffer, as its UTF-8 bytes", () => {
      // "€" is three UTF-8 bytes per UTF-16 unit (the most), "😀" four per two units; a lone
      // surrogate becomes U+FFFD, as TextEncoder.encode makes it; lengths around the buffer's
      // sizes (4 KiB, 64 KiB of units) and the 64 KiB limit of the buffered path.
      const texts = [
        "",
        "é",
        "€".repeat(1000),
        "€".repeat(1400),
        "😀".repeat(700),
        "lone \ud800 surrogate",
        "€".repeat(21000),
        "x".repeat(64 * 1024 - manifest.length - 10),
        "€".repeat(64 * 1024 - manifest.length),
        "€".repeat(64 * 1024 + 1),
        "x".repeat(3000),
      ];
      for (const description of texts) {
        const text = described(description);
        const report = ocikit.validate(text);
        assert.deepEqual(report, clean, `${description.length} units`);
        assert.deepEqual(ocikit.validate(utf8.encode(text)), report);
      }
      // A description that breaks nothing, and a `created` that breaks a rule, after each other
      // in one buffer: nothing of a longer document is left over to read.
      const bad = manifest.replace("2026-12-04T17:00:00Z", "yesterday");
      assert.deepEqual(
        ocikit.validate(bad).findings.map((f) => f.code),
        ["ANNOTATION_INVALID"],
      );
      assert.deepEqual(ocikit.validate(described("€".repeat(5000))), clean);
      assert.deepEqual(
        ocikit.validate(bad).findings.map((f) => [f.code, f.path]),
        [["ANNOTATION_INVALID", "/annotations/org.opencontainers.image.created"]],
      );
    });

    test("the module's memory growing between calls (a view of its old buffer is empty)", () => {
      assert.deepEqual(ocikit.validate(manifest), clean);
      // Some 8 MiB of layers: the module's memory grows, which detaches the ArrayBuffer the
      // entry's view of the input buffer was made on.
      const layer = '{"mediaType":"text/markdown","digest":"sha256:6974b36c6e41347d3ebf1d2e617657b304652721e45b4634a2e429dd7a4d9e8f","size":280}';
      const big = manifest.replace('"layers":[', `"layers":[${Array(60000).fill(layer).join(",")},`);
      assert.deepEqual(ocikit.validate(big), clean);
      for (const input of [manifest, utf8.encode(manifest), described("€".repeat(3000))]) {
        assert.deepEqual(ocikit.validate(input), clean);
      }
    });
  });
}
