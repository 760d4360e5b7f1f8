// The shared vectors (tests/vectors/) against the installed package, through both entries.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { implementations, inputBytes, listedCodes, load } from "./vectors.mjs";

const digests = load("digests.json");
const mediaTypes = load("media-types.json");
const codes = listedCodes();

/**
 * Runs `fn`, which must throw an OciError with `code` (itself listed in error-codes.json).
 * @param {typeof import("ocikit")} ocikit @param {() => unknown} fn @param {string} code @param {string} message
 */
function assertCode(ocikit, fn, code, message) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof ocikit.OciError, `${message}: ${error} is not an OciError`);
    assert.equal(error.code, code, message);
    assert.ok(codes.has(error.code), `${error.code} is not in error-codes.json`);
    return true;
  });
}

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("digest compute vectors, whole and in pieces", () => {
      assert.ok(digests.compute.length >= 15);
      for (const c of digests.compute) {
        const data = inputBytes(c.input);
        assert.equal(data.length, c.size, c.name);
        for (const algorithm of /** @type {const} */ (["sha256", "sha512", "blake3"])) {
          const expected = c[algorithm];
          assert.equal(ocikit.digest(data, algorithm), expected, c.name);
          ocikit.verify(data, expected, c.size);
          // The same content fed in uneven pieces, across block boundaries.
          for (const piece of [1, 7, 63, 64, 65, 1000, 65536]) {
            const digester = new ocikit.Digester(algorithm);
            for (let i = 0; i < data.length; i += piece) digester.update(data.subarray(i, i + piece));
            assert.equal(digester.size, data.length);
            assert.equal(digester.algorithm, algorithm);
            assert.equal(digester.finalize(), expected, `${c.name} in ${piece}s`);
            digester.verify(expected, data.length);
          }
        }
        assert.equal(ocikit.digest(data), c.sha256, `${c.name}: sha256 by default`);
      }
    });

    test("digest parse vectors", () => {
      for (const c of digests.parse) {
        if (c.error) {
          assertCode(ocikit, () => ocikit.parseDigest(c.input), c.error, c.name);
          continue;
        }
        const parts = ocikit.parseDigest(c.input);
        assert.deepEqual(parts, { algorithm: c.algorithm, encoded: c.encoded, supported: c.supported }, c.name);
        assert.equal(`${parts.algorithm}:${parts.encoded}`, c.input, `${c.name} round-trips`);
      }
    });

    test("digest verify vectors", () => {
      for (const c of digests.verify) {
        const data = inputBytes(c.input);
        if (c.error) {
          assertCode(ocikit, () => ocikit.verify(data, c.digest, c.size), c.error, c.name);
        } else {
          assert.equal(ocikit.verify(data, c.digest, c.size), undefined, c.name);
        }
      }
    });

    test("digest algorithm vectors", () => {
      for (const c of digests.algorithms) {
        if (c.error) {
          assertCode(ocikit, () => new ocikit.Digester(c.name), c.error, c.name);
          assertCode(ocikit, () => ocikit.digest(new Uint8Array(), c.name), c.error, c.name);
        } else {
          assert.equal(new ocikit.Digester(c.name).algorithm, c.name);
        }
      }
    });

    test("media type vectors", () => {
      for (const c of mediaTypes.cases) {
        if (c.error) {
          assertCode(ocikit, () => ocikit.parseMediaType(c.input), c.error, c.name);
          assertCode(ocikit, () => ocikit.lintMediaType(c.input, c.role), c.error, c.name);
          continue;
        }
        const parts = ocikit.parseMediaType(c.input);
        assert.equal(parts.type, c.type, c.name);
        assert.equal(parts.subtype, c.subtype, c.name);
        assert.equal(parts.tree, c.tree, c.name);
        assert.equal(parts.suffix, c.suffix, c.name);
        assert.equal(typeof parts.specDefined, "boolean", c.name);
        assert.deepEqual(parts.artifact, c.artifact, c.name);
        const findings = ocikit.lintMediaType(c.input, c.role);
        assert.ok(findings.every((f) => f.severity === "warning"), `${c.name}: lint only warns`);
        for (const f of findings) {
          assert.deepEqual(Object.keys(f), ["code", "severity", "path", "message", "rule"]);
          assert.ok(f.message.length > 0 && f.rule.length > 0, c.name);
        }
        assert.deepEqual(findings.map((f) => f.code).sort(), c.lint, c.name);
      }
    });

    test("blake3 through digestBlob and an incremental Digester (wasm under Node too)", async () => {
      // The BLAKE3 team's 102400-byte test input (bytes 0..250 repeating) and its official hash.
      const official = Uint8Array.from({ length: 102400 }, (_, i) => i % 251);
      const expected = "blake3:bc3e3d41a1146b069abffad3c0d44860cf664390afce4d9661f7902e7943e085";
      const blob = new Blob([official]);
      assert.equal(await ocikit.digestBlob(blob, { algorithm: "blake3", chunkSize: 4096 }), expected);
      const digester = new ocikit.Digester("blake3").update(official.subarray(0, 50000));
      const half = digester.finalize();
      digester.update(official.buffer.slice(50000));
      assert.equal(digester.finalize(), expected);
      assert.equal(half, ocikit.digest(official.subarray(0, 50000), "blake3"));
      assert.equal(digester.size, 102400);
      digester.verify(expected, 102400);
      assertCode(ocikit, () => digester.verify(expected, 3), "SIZE_MISMATCH", "size first");
      assertCode(ocikit, () => ocikit.verify(official, "blake3:" + expected.slice(7).toUpperCase()), "DIGEST_INVALID", "uppercase hex");
      assertCode(ocikit, () => new ocikit.Digester("sha256").update(official).verify(expected), "DIGEST_MISMATCH", "sha256");
    });
  });
}

test("every lint code in the media-type vectors is listed in error-codes.json", () => {
  for (const c of mediaTypes.cases) for (const code of c.lint ?? []) assert.ok(codes.has(code), code);
});

test("the TypeScript code unions list exactly the codes of error-codes.json", async () => {
  const { readFile } = await import("node:fs/promises");
  const types = await readFile(new URL("./node_modules/ocikit/index.d.ts", import.meta.url), "utf8");
  const union = (name) => {
    const body = types.match(new RegExp(`export type ${name} =([^;]*);`))?.[1];
    assert.ok(body, `${name} is declared`);
    return [...body.matchAll(/"([A-Z0-9_]+)"/g)].map((m) => m[1]);
  };
  const doc = load("error-codes.json");
  assert.deepEqual(union("ErrorCode").sort(), doc.raised.map((e) => e.code).sort());
  // Two distribution-spec codes share their names with ocikit's own raised codes, so
  // error-codes.json lists them once, under raised; the TypeScript union has them both ways.
  const shared = ["DIGEST_INVALID", "SIZE_INVALID"];
  assert.ok(shared.every((code) => doc.raised.some((e) => e.code === code)));
  assert.deepEqual(union("RegistryErrorCode").sort(), [...doc.registry.map((e) => e.code), ...shared].sort());
  // The registry-quirk rules (RQ…) are findings of lintForRegistry, typed apart from validate's.
  const rule = (code) => /^RQ[0-9]{3}$/.test(code);
  const findings = doc.findings.map((e) => e.code);
  assert.deepEqual(union("FindingCode").sort(), findings.filter((code) => !rule(code)).sort());
  assert.deepEqual(union("RegistryRuleCode").sort(), findings.filter(rule).sort());
  assert.match(types, /export type ErrorCode =[^;]*\| RegistryErrorCode\s*\| ClientErrorCode\s*\| \(string & \{\}\);/);
});

test("the client's transport codes are exactly the 'client' codes of error-codes.json", async () => {
  const { readFile } = await import("node:fs/promises");
  const types = await readFile(new URL("./node_modules/ocikit/index.d.ts", import.meta.url), "utf8");
  const body = types.match(/export type ClientErrorCode =([^;]*);/)?.[1] ?? "";
  const doc = load("error-codes.json");
  assert.deepEqual([...body.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]).sort(), doc.client.map((e) => e.code).sort());
});
