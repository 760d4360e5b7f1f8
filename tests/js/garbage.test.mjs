// Seeded garbage through the document, packing, artifact type and layout functions: mutated
// manifests and archives, random option objects. Nothing may escape but an OciError with a listed
// code, a TypeError (a wrong JS type), or the documented RangeError for a number beyond
// Number.MAX_SAFE_INTEGER. A panic in the wasm module would surface as a RuntimeError.
import assert from "node:assert/strict";
import { inspect } from "node:util";
import { describe, test } from "node:test";
import { implementations, listedCodes } from "./vectors.mjs";

const codes = listedCodes();
const utf8 = (s) => new TextEncoder().encode(s);

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
const KEYS = [
  "schemaVersion", "mediaType", "artifactType", "config", "layers", "manifests", "subject", "annotations",
  "digest", "size", "data", "urls", "platform", "files", "name", "imageSpec", "created", "embedDataUpTo",
  "cliDefaults", "configAnnotations", "displayName", "aliases", "layerMediaTypes", "logo", "manifest",
  "descriptor", "tag", "blobs", "architecture", "os", "org.opencontainers.image.title",
  "org.opencontainers.image.created", "x",
];
const SCALARS = [
  2, 1, 0, -1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, NaN, Infinity, true, false, null, undefined, "", "v1.0", "v1.1",
  "a.md", "../x", "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.empty.v1+json",
  "application/vnd.example.docs.config.v1+json", "text/plain", "not a type",
  "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "sha256:ABC", "md5:00", "e30=", "%%",
  "2024-01-01T00:00:00Z", "yesterday", "<svg/>", "é\u2028<&>", 3n, Symbol("s"),
];

function randomValue(random, depth = 0) {
  const kind = Math.floor(random() * (depth > 3 ? 3 : 8));
  switch (kind) {
    case 0: case 1: return pick(random, SCALARS);
    case 2: return pick(random, [utf8("{}"), new Uint8Array(0), new ArrayBuffer(3), new Date(0), new Date(NaN), new Map(), () => 1]);
    case 3: case 4: case 5: {
      const object = {};
      const n = Math.floor(random() * 6);
      for (let i = 0; i < n; i++) object[pick(random, KEYS)] = randomValue(random, depth + 1);
      return object;
    }
    default: return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  }
}

/** Bytes near a valid document: flipped, dropped, duplicated or inserted pieces. */
function mutate(random, bytes) {
  const out = [...bytes];
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits && out.length > 0; i++) {
    const at = Math.floor(random() * out.length);
    switch (Math.floor(random() * 4)) {
      case 0: out[at] = Math.floor(random() * 256); break;
      case 1: out.splice(at, 1 + Math.floor(random() * 16)); break;
      case 2: out.splice(at, 0, ...utf8(pick(random, ['"', "{", "}", "[", ",", ":", "2", "-1", '"size":1e400', "\\u0000", "null"]))); break;
      default: out.splice(at, 0, ...out.slice(at, at + Math.floor(random() * 64)));
    }
  }
  return Uint8Array.from(out);
}

/** `context` is a function, called only to explain a failure. */
function expectedOutcome(error, context) {
  if (error instanceof implementations[0][1].OciError) {
    assert.ok(codes.has(error.code), `${error.code} is not in error-codes.json (${context()})`);
    assert.equal(typeof error.message, "string");
    return "OciError";
  }
  if (error instanceof TypeError) return "TypeError";
  if (error instanceof RangeError && /MAX_SAFE_INTEGER/.test(error.message)) return "RangeError";
  assert.fail(`${context()} threw ${error?.stack ?? error}`);
}

function run(fn, context, outcomes) {
  try {
    fn();
    outcomes.returned = (outcomes.returned ?? 0) + 1;
  } catch (error) {
    const outcome = expectedOutcome(error, context);
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
}

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    const packed = ocikit.pack({
      artifactType: "application/vnd.example.docs.config.v1+json",
      files: [{ name: "a.md", data: utf8("# A\n") }, { name: "b.md", data: utf8("# B\n") }],
      annotations: { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
    });
    const index = ocikit.packIndex({ manifests: [packed.descriptor] });
    const tar = ocikit.layoutTar({ ...packed, tag: "v1" });

    test("mutated manifests and indexes: validate always reports, the rest throw only OciError", () => {
      const random = mulberry32(0x5eed);
      const outcomes = {};
      for (let i = 0; i < 3000; i++) {
        const bytes = mutate(random, i % 2 ? packed.manifest : index.manifest);
        // validate never throws for text or bytes: everything it finds is in the report.
        const report = ocikit.validate(bytes);
        assert.equal(report.valid, !report.findings.some((f) => f.severity === "error"));
        for (const f of report.findings) assert.ok(codes.has(f.code), f.code);
        ocikit.validate(new TextDecoder().decode(bytes), pick(random, [undefined, "manifest", "index", "descriptor", "config", "layout"]));
        for (const fn of [ocikit.parseManifest, ocikit.parseIndex, ocikit.describe]) {
          run(() => fn(bytes), () => `${fn.name}(${new TextDecoder().decode(bytes)})`, outcomes);
        }
      }
      assert.ok(outcomes.returned >= 100 && outcomes.OciError >= 1000, JSON.stringify(outcomes));
    });

    test("mutated layout archives always give a report", () => {
      const random = mulberry32(0x7a7);
      for (let i = 0; i < 400; i++) {
        const bytes = mutate(random, tar);
        const layout = ocikit.readLayoutTar(bytes);
        assert.ok(Array.isArray(layout.tags) && layout.blobs instanceof Map);
        for (const f of layout.report.findings) assert.ok(codes.has(f.code), f.code);
      }
    });

    test("random documents and options throw only OciError, TypeError or the MAX_SAFE_INTEGER RangeError", () => {
      const random = mulberry32(0xc0ffee);
      const outcomes = {};
      // Each function with a valid argument to break: one field replaced (mostly a field the
      // argument has), or the whole argument replaced by a random value.
      const manifest = JSON.parse(new TextDecoder().decode(packed.manifest));
      const calls = [
        [ocikit.encodeManifest, manifest],
        [ocikit.encodeIndex, { schemaVersion: 2, manifests: [packed.descriptor] }],
        [ocikit.pack, { artifactType: "application/vnd.example.docs.config.v1+json", files: [{ name: "a", data: utf8("a") }] }],
        [ocikit.pack, { config: { mediaType: "application/vnd.example.c.config.v1+json", data: utf8("{}") }, subject: packed.descriptor }],
        [ocikit.packIndex, { manifests: [packed.descriptor], artifactType: "application/vnd.example.i.config.v1+json" }],
        [ocikit.registerArtifactType, { artifactType: "application/vnd.example.g.config.v1+json", displayName: "G" }],
        [ocikit.describe, manifest],
        [ocikit.layoutTar, { ...packed, tag: "v1" }],
        [ocikit.layoutTar, { manifests: [packed], blobs: [{ data: utf8("x") }] }],
      ];
      for (let i = 0; i < 6000; i++) {
        const [fn, base] = calls[i % calls.length];
        const value = randomValue(random);
        const key = random() < 0.8 ? pick(random, Object.keys(base)) : pick(random, KEYS);
        const arg = random() < 0.85 ? { ...base, [key]: value } : value;
        run(() => fn(arg), () => `${fn.name}(${inspect(arg, { depth: 6 })})`, outcomes);
      }
      // The generator must reach every outcome, or it tests less than it claims.
      // (A number JS cannot hold exactly, given in a document, is an OciError, not a RangeError.)
      const minimum = { returned: 300, OciError: 600, TypeError: 600 };
      for (const [outcome, count] of Object.entries(minimum)) {
        assert.ok((outcomes[outcome] ?? 0) >= count, JSON.stringify(outcomes));
      }
    });
  });
}
