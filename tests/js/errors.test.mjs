// OciError, argument checking, the 2^53 limit, and seeded garbage through every function.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { implementations, listedCodes } from "./vectors.mjs";

const codes = listedCodes();
const EMPTY_JSON = new TextEncoder().encode("{}");
const EMPTY_JSON_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

test("both entries share one OciError class", () => {
  const [[, node], [, wasm]] = implementations;
  assert.equal(node.OciError, wasm.OciError);
  assert.deepEqual(Object.keys(node).sort(), Object.keys(wasm).sort());
  assert.deepEqual(Object.keys(node).sort(), [
    "Client", "CopyArtifact", "DIRECTORY_MEDIA_TYPE", "Delete", "Digester", "Discover", "GraphWalk",
    "LayoutServer", "OciError", "OciLayout", "ProbeRegistry", "Pull", "Push", "ReferrerWalk",
    "RegistryOperation", "RegistrySession", "TagsOf", "addReferrer", "artifactTypes", "backup", "blobExists",
    "checkAuth", "checkLogo", "classifyTag", "copy", "deleteBlob", "deleteManifest", "describe",
    "digest", "digestBlob", "encodeIndex", "encodeManifest", "getBlob", "getManifest", "init",
    "isIndexType", "isLayoutHost", "isManifestType", "layoutHost", "layoutTar", "lintForRegistry",
    "lintMediaType", "listReferrers", "listRepositories", "listTags", "lookupArtifactType", "pack",
    "packDirectory", "packIndex", "parseDigest", "parseIndex", "parseManifest", "parseMediaType",
    "parseReference", "planFiles", "pullCommands", "pushBlob", "putManifest", "readLayoutTar",
    "registerArtifactType", "registryProfile", "registryRules", "resolveManifest", "restore", "resumeBlobPush",
    "shouldUnpack", "unpackDirectory", "validate", "verify",
  ]);
  // The engine is one and the same in both entries, and so is the Client: one top-level class
  // (client.js), hashing with node:crypto once "ocikit" is loaded.
  assert.equal(node.RegistrySession, wasm.RegistrySession);
  assert.equal(node.RegistryOperation, wasm.RegistryOperation);
  assert.equal(node.Client, wasm.Client);
  assert.equal(node.Client.name, "Client");
});

for (const [label, ocikit] of implementations) {
  const { OciError } = ocikit;

  describe(label, () => {
    test("a core error is an OciError with code, details and message", () => {
      const error = captured(() => ocikit.parseDigest("sha256:ABC"));
      assert.ok(error instanceof OciError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, "OciError");
      assert.equal(error.code, "DIGEST_INVALID");
      assert.deepEqual(error.details, {
        value: "sha256:ABC",
        reason: "encoded part of a registered algorithm must be lowercase hex",
      });
      assert.match(error.message, /invalid digest "sha256:ABC"/);
      assert.match(String(error), /^OciError: invalid digest/);
      assert.ok(error.stack?.includes("OciError"));
    });

    test("details carry sizes as numbers and digests as strings", () => {
      const size = captured(() => ocikit.verify(EMPTY_JSON, EMPTY_JSON_DIGEST, 3));
      assert.equal(size.code, "SIZE_MISMATCH");
      assert.deepEqual(size.details, { expected: 3, actual: 2 });
      const other = ocikit.digest(new Uint8Array([1]));
      const mismatch = captured(() => ocikit.verify(EMPTY_JSON, other));
      assert.equal(mismatch.code, "DIGEST_MISMATCH");
      assert.deepEqual(mismatch.details, { expected: other, actual: EMPTY_JSON_DIGEST });
      const digester = new ocikit.Digester().update(EMPTY_JSON);
      assert.deepEqual(captured(() => digester.verify(other)).details, mismatch.details);
      // A sha512 digester checked against a sha256 digest: a mismatch, not a crash.
      const sha512 = new ocikit.Digester("sha512").update(EMPTY_JSON);
      assert.equal(captured(() => sha512.verify(EMPTY_JSON_DIGEST)).code, "DIGEST_MISMATCH");
      assert.equal(captured(() => sha512.verify("sha384:abc")).code, "DIGEST_UNSUPPORTED");
    });

    test("arguments of the wrong JavaScript type are TypeErrors", () => {
      const wrongBytes = ["{}", 42, null, undefined, {}, [1, 2], { length: 2, 0: 1, 1: 2 }, new Proxy(new Uint8Array(2), {})];
      // Every call below passes a value its type rejects, to test the runtime check.
      for (const value of wrongBytes) {
        // @ts-expect-error: not bytes, on purpose
        assert.throws(() => ocikit.digest(value), TypeError, show(value));
        // @ts-expect-error: not bytes, on purpose
        assert.throws(() => ocikit.verify(value, EMPTY_JSON_DIGEST), TypeError);
        // @ts-expect-error: not bytes, on purpose
        assert.throws(() => new ocikit.Digester().update(value), TypeError);
      }
      // @ts-expect-error: text, not bytes, on purpose
      assert.throws(() => ocikit.digest("{}"), /encode text first/);
      for (const value of [42, null, undefined, {}, Symbol("x"), 1n, new String("sha256:abc")]) {
        // @ts-expect-error: not a string, on purpose
        assert.throws(() => ocikit.parseDigest(value), TypeError);
        // @ts-expect-error: not a string, on purpose
        assert.throws(() => ocikit.parseMediaType(value), TypeError);
        // @ts-expect-error: not a string, on purpose
        assert.throws(() => ocikit.lintMediaType(value), TypeError);
        // @ts-expect-error: not a string, on purpose
        assert.throws(() => ocikit.verify(EMPTY_JSON, value), TypeError);
      }
      for (const value of [256, {}, Symbol("x"), ["sha256"]]) {
        // @ts-expect-error: not an algorithm name, on purpose
        assert.throws(() => ocikit.digest(EMPTY_JSON, value), TypeError);
        // @ts-expect-error: not an algorithm name, on purpose
        assert.throws(() => new ocikit.Digester(value), TypeError);
      }
      // @ts-expect-error: not a role, on purpose
      assert.throws(() => ocikit.lintMediaType("text/plain", "manifest"), TypeError);
      // @ts-expect-error: not a role, on purpose
      assert.throws(() => ocikit.lintMediaType("text/plain", 1), TypeError);
      for (const value of ["2", 2n, {}, [2]]) {
        // @ts-expect-error: not a number, on purpose
        assert.throws(() => ocikit.verify(EMPTY_JSON, EMPTY_JSON_DIGEST, value), TypeError);
      }
    });

    test("every kind of byte buffer is accepted, without copying semantics changing", () => {
      const backing = new Uint8Array([0xff, 0x7b, 0x7d, 0xff]);
      /** @type {import("ocikit").BytesLike[]} */
      const views = [
        EMPTY_JSON,
        Buffer.from("{}"),
        EMPTY_JSON.buffer.slice(0),
        backing.subarray(1, 3),
        new DataView(backing.buffer, 1, 2),
        new Int8Array(backing.buffer, 1, 2),
        new Uint8ClampedArray(EMPTY_JSON),
      ];
      const shared = new Uint8Array(new SharedArrayBuffer(2));
      shared.set(EMPTY_JSON);
      views.push(shared);
      views.push(shared.buffer);
      for (const bytes of views) {
        assert.equal(ocikit.digest(bytes), EMPTY_JSON_DIGEST, bytes.constructor.name);
        assert.equal(new ocikit.Digester().update(bytes).finalize(), EMPTY_JSON_DIGEST);
        ocikit.verify(bytes, EMPTY_JSON_DIGEST, 2);
      }
      // A view wider than a 256 KiB piece, with an offset, through the piecewise copy.
      const big = new Uint8Array(700_001).map((_, i) => i * 31);
      const inner = big.subarray(3, 600_000);
      assert.equal(ocikit.digest(inner), ocikit.digest(inner.slice()));
    });

    test("sizes beyond Number.MAX_SAFE_INTEGER are refused, never rounded", () => {
      const max = Number.MAX_SAFE_INTEGER;
      // The largest exact size crosses both ways unchanged (out again in the error details).
      const atMax = captured(() => ocikit.verify(EMPTY_JSON, EMPTY_JSON_DIGEST, max));
      assert.equal(atMax.code, "SIZE_MISMATCH");
      assert.equal(atMax.details.expected, max);
      assert.equal(captured(() => new ocikit.Digester().verify(EMPTY_JSON_DIGEST, max)).details.expected, max);
      // 2^53 + 1 would arrive as 2^53: every number past the limit is SIZE_INVALID.
      for (const size of [max + 1, 2 ** 53 + 2, 2 ** 64, Number.MAX_VALUE, Infinity, -1, 1.5, NaN, -Infinity]) {
        const error = captured(() => ocikit.verify(EMPTY_JSON, EMPTY_JSON_DIGEST, size));
        assert.ok(error instanceof OciError, `${size}`);
        assert.equal(error.code, "SIZE_INVALID", `${size}`);
        assert.equal(error.details.value, String(size));
        assert.equal(captured(() => new ocikit.Digester().verify(EMPTY_JSON_DIGEST, size)).code, "SIZE_INVALID");
      }
      // The size getter hands back exact integers (its 2^53 check is unit-tested in Rust).
      const digester = new ocikit.Digester();
      const chunk = new Uint8Array(1 << 20);
      for (let i = 0; i < 9; i++) digester.update(chunk);
      assert.equal(digester.size, 9 << 20);
      assert.ok(Number.isSafeInteger(digester.size));
    });

    test("finalize does not consume the digester", () => {
      const digester = new ocikit.Digester();
      digester.update(EMPTY_JSON.subarray(0, 1));
      const partial = digester.finalize();
      assert.equal(digester.finalize(), partial);
      digester.update(EMPTY_JSON.subarray(1));
      assert.equal(digester.finalize(), EMPTY_JSON_DIGEST);
      assert.equal(digester.size, 2);
    });

    test("seeded garbage never throws anything but OciError or TypeError", () => {
      const random = mulberry32(0x0c1c17);
      const calls = [
        (a, b, c) => ocikit.digest(a, b),
        (a, b, c) => ocikit.verify(a, b, c),
        (a) => ocikit.parseDigest(a),
        (a) => ocikit.parseMediaType(a),
        (a, b) => ocikit.lintMediaType(a, b),
        (a) => new ocikit.Digester(a),
        (a, b, c) => new ocikit.Digester().update(a).verify(b, c),
      ];
      const outcomes = { returned: 0, OciError: 0, TypeError: 0 };
      for (let i = 0; i < 6000; i++) {
        const call = calls[i % calls.length];
        const args = [garbage(random), garbage(random), garbage(random)];
        try {
          call(...args);
          outcomes.returned++;
        } catch (error) {
          if (error instanceof OciError) {
            assert.ok(codes.has(error.code), error.code);
            assert.equal(typeof error.message, "string");
            assert.equal(typeof error.details, "object");
            outcomes.OciError++;
          } else if (error instanceof TypeError) {
            outcomes.TypeError++;
          } else {
            assert.fail(`call ${i % calls.length} with ${args.map(show).join(", ")} threw ${error instanceof Error ? error.stack : error}`);
          }
        }
      }
      // The generator must reach every outcome, or it tests less than it claims.
      for (const [outcome, count] of Object.entries(outcomes)) assert.ok(count >= 50, `${outcome}: ${count}`);
    });
  });
}

test("both entries agree on every seeded garbage string", () => {
  const [[, node], [, wasm]] = implementations;
  const random = mulberry32(42);
  const outcome = (fn) => {
    try {
      return JSON.stringify(fn());
    } catch (caught) {
      const error = /** @type {Error & { code?: string }} */ (caught);
      return `${error.name} ${error.code ?? ""}`;
    }
  };
  for (let i = 0; i < 3000; i++) {
    const text = garbageString(random);
    const bytes = new TextEncoder().encode(text);
    for (const name of ["parseDigest", "parseMediaType", "lintMediaType"]) {
      assert.equal(outcome(() => node[name](text)), outcome(() => wasm[name](text)), `${name}(${text})`);
    }
    assert.equal(outcome(() => node.verify(bytes, text, bytes.length)), outcome(() => wasm.verify(bytes, text, bytes.length)), text);
    // @ts-expect-error: garbage algorithm names, on purpose
    assert.equal(outcome(() => node.digest(bytes, text)), outcome(() => wasm.digest(bytes, text)), text);
  }
});

/**
 * The OciError `fn` throws (anything else it throws fails the test).
 * @param {() => unknown} fn
 * @returns {import("ocikit").OciError}
 */
function captured(fn) {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof implementations[0][1].OciError, `expected an OciError, got ${error}`);
    return error;
  }
  assert.fail("expected an error");
}

/** A small seeded PRNG (mulberry32): the same garbage on every run. */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (random, items) => items[Math.floor(random() * items.length)];

/** Strings near the grammars (digest and media type pieces), with odd characters mixed in. */
function garbageString(random) {
  const pieces = [
    "sha256", "sha512", "blake3", ":", "/", "+", ".", "-", "_", "=", "vnd", "application", "config",
    "layer", "v1", "json", "x-", "prs", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "A", "z", "0", " ", ";", "\u0000", "é", "😀", "\ud800", "a".repeat(130),
  ];
  let text = "";
  const n = Math.floor(random() * 8);
  for (let i = 0; i < n; i++) text += pick(random, pieces);
  return text;
}

function garbage(random) {
  const kind = Math.floor(random() * 14);
  switch (kind) {
    case 0: case 1: case 2: case 3: return garbageString(random);
    case 4: return pick(random, ["sha256", "sha512", "config", "layer", EMPTY_JSON_DIGEST, "text/plain"]);
    case 5: return Uint8Array.from({ length: Math.floor(random() * 300) }, () => random() * 256);
    case 6: return pick(random, [0, 2, -1, 1.5, NaN, Infinity, 2 ** 53, Number.MAX_SAFE_INTEGER, -0]);
    case 7: return pick(random, [undefined, null, true, false]);
    case 8: return pick(random, [1n, Symbol("s"), () => {}, {}, [], [1, 2, 3]]);
    case 9: return new Float64Array(Math.floor(random() * 8));
    case 10: return new ArrayBuffer(Math.floor(random() * 64));
    case 11: return new DataView(new ArrayBuffer(8), Math.floor(random() * 8));
    case 12: return { toString: () => "sha256:abc", valueOf: () => 3 };
    default: return new Proxy(new Uint8Array(4), {});
  }
}

function show(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "symbol") return value.toString();
  if (value === null || value === undefined) return String(value);
  return Object.prototype.toString.call(value);
}
