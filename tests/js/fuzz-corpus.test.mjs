// The fuzz corpus and hostile inputs through both Node entries of the npm package.
//
// Every input of tests/vectors/ (the fuzz targets' seeds), every crash regression of
// tests/vectors/fuzz/regressions.json, and hostile values (huge numbers, 10 000 levels of
// nesting, invalid UTF-8, NUL bytes, lone surrogates, sizes of 2^40, 2^53 and 2^64) go through
// validate, the parsers, digests, verification, pack and the layout archive reader. Arguments are
// always of the right JavaScript type, so each call must end in a result or an OciError with a
// listed code: never a wasm RuntimeError (`unreachable`: a Rust panic), a RangeError (stack or
// number), or a bare TypeError.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { implementations, listedCodes, load, validationCases } from "./vectors.mjs";

const codes = listedCodes();
const utf8 = (/** @type {string} */ s) => new TextEncoder().encode(s);
const SHA256_EMPTY = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
const ARTIFACT_TYPE = "application/vnd.example.x.config.v1+json";
const KINDS = [undefined, "manifest", "index", "descriptor", "config", "layout"];

/** Bytes of a base64 string. */
const fromBase64 = (/** @type {string} */ text) => new Uint8Array(Buffer.from(text, "base64"));

/** Bytes repeated: `open` `depth` times, `middle`, `close` `depth` times. */
function nest(open, middle, close, depth) {
  return utf8(open.repeat(depth) + middle + close.repeat(depth));
}

const nested = (/** @type {number} */ depth) => [
  nest("[", "", "]", depth),
  nest('{"a":', "1", "}", depth),
  utf8(`{"schemaVersion":2,"mediaType":"${MANIFEST_TYPE}","annotations":${'{"a":'.repeat(depth)}"x"${"}".repeat(depth)}}`),
  utf8(`{"schemaVersion":2,"manifests":[],"x":${"[".repeat(depth)}${"]".repeat(depth)}}`),
];

const descriptorJson = (/** @type {string} */ size) =>
  `{"mediaType":"application/vnd.example","digest":"${SHA256_EMPTY}","size":${size}}`;

const HOSTILE_DOCUMENTS = [
  ...nested(10_000),
  ...nested(129),
  new Uint8Array(0),
  new Uint8Array([0]),
  new Uint8Array([0xff, 0xfe, 0xfd]),
  new Uint8Array([...utf8('{"mediaType":"'), 0xff, ...utf8('"}')]),
  utf8(`{"schemaVersion":2,"mediaType":"${MANIFEST_TYPE}\u0000"}`),
  utf8('{"a":"\\u0000"}'),
  utf8('{"a":"\\ud800"}'),
  utf8('{"a":"\\udc00\\ud800"}'),
  utf8('{"schemaVersion":1e400}'),
  utf8('{"schemaVersion":18446744073709551616}'),
  utf8('{"schemaVersion":-9223372036854775809}'),
  utf8(descriptorJson("18446744073709551616")),
  utf8(descriptorJson("9007199254740993")),
  utf8(descriptorJson("1099511627776")),
  utf8(descriptorJson("-1")),
  utf8(descriptorJson("1e308")),
  utf8('{"a":1,"a":2}'),
  utf8(" ".repeat(100_000) + "{}"),
  utf8(`"${"x".repeat(1_000_000)}"`),
];

const HOSTILE_TEXTS = [
  "",
  "\u0000",
  `sha256:\u0000${"a".repeat(63)}`,
  `sha256:${"a".repeat(64)}\u0000`,
  "\ud800",
  "sha256:\udc00",
  "application/vnd.\ud800+json",
  "registry.example/repo:\ud800",
  "a".repeat(100_000),
  `sha256:${"a".repeat(100_000)}`,
  `${"x".repeat(10_000)}/${"y".repeat(10_000)}`,
  `[::1]:5000/${"a/".repeat(5_000)}b`,
  `application/${"a".repeat(100_000)}`,
  "é".repeat(1000),
  "\u2028\u2029\ufeff",
  `💥:${"0".repeat(64)}`,
];

const SIZES = [0, 1, 2 ** 31, 2 ** 40, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, 2 ** 200, -1, -(2 ** 63), 1.5, NaN, Infinity, -Infinity, -0];

const regressions = load("fuzz/regressions.json").cases;

/** The vectors' documents, the hostile ones, and the regressions' inputs. */
function documents() {
  const found = validationCases().map((c) => c.input);
  for (const name of ["custom-config-v1.1", "docs-in-markdown", "image-spec-v1.0", "nested-title"]) {
    const manifest = load(`pack/${name}.json`).manifest;
    if (typeof manifest === "string") found.push(utf8(manifest));
  }
  return [...found, ...HOSTILE_DOCUMENTS, ...regressions.map((c) => fromBase64(c.base64))];
}

/** The vectors' strings, the hostile ones, and the text regressions. */
function texts() {
  const digests = load("digests.json");
  const found = [];
  for (const c of [...(digests.parse ?? []), ...(digests.verify ?? [])]) {
    for (const key of ["input", "digest", "expected"]) if (typeof c[key] === "string") found.push(c[key]);
  }
  for (const name of ["media-types.json", "references.json"]) found.push(...load(name).cases.map((c) => c.input));
  for (const c of regressions) {
    if (["digest", "media_type", "reference", "www_authenticate", "link"].includes(c.target)) {
      found.push(new TextDecoder().decode(fromBase64(c.base64)));
    }
  }
  return [...found, ...HOSTILE_TEXTS];
}

/** A short, printable form of an argument for failure messages. */
function show(value) {
  if (value instanceof Uint8Array) return `bytes(${value.length}) ${JSON.stringify(new TextDecoder().decode(value.slice(0, 60)))}`;
  if (typeof value === "string") return JSON.stringify(value.slice(0, 80));
  try {
    return String(JSON.stringify(value)).slice(0, 120);
  } catch {
    return String(value);
  }
}

for (const [label, ocikit] of implementations) {
  const { OciError } = ocikit;

  /**
   * Runs `call`: ["ok", result] or ["error", code]; anything but an OciError with a listed
   * code fails the test, naming the call and its arguments.
   * @template T
   * @param {string} name
   * @param {(...args: any[]) => T} call
   * @param {...any} args
   * @returns {["ok", T] | ["error", string]}
   */
  function outcome(name, call, ...args) {
    try {
      return ["ok", call(...args)];
    } catch (error) {
      if (error instanceof OciError && codes.has(error.code)) return ["error", error.code];
      const kind = error instanceof Error ? `${error.constructor.name}: ${error.message.slice(0, 200)}` : String(error);
      foreign.add(`${name}(${args.map(show).join(", ").slice(0, 200)}) threw ${kind}`);
      return ["error", "FOREIGN"];
    }
  }

  /** What escaped `outcome` in the test that ran: each distinct message once. */
  const foreign = new Set();
  const noneEscaped = () => {
    const found = [...foreign];
    foreign.clear();
    assert.deepEqual(found, [], `${found.length} foreign exceptions`);
  };

  describe(`${label}: fuzz corpus and hostile inputs`, () => {
    afterEach(noneEscaped);

    test("validate takes every document, of every kind, as bytes and as text", () => {
      for (const document of documents()) {
        const text = new TextDecoder().decode(document);
        for (const kind of KINDS) {
          for (const input of [document, text]) {
            const [status, report] = outcome("validate", ocikit.validate, input, /** @type {any} */ (kind));
            assert.equal(status, "ok", "validate reports, it does not throw");
            if (typeof report === "string") continue;
            assert.equal(report.valid, !report.findings.some((f) => f.severity === "error"));
            for (const finding of report.findings) assert.ok(codes.has(finding.code), finding.code);
          }
        }
      }
    });

    test("the document parsers take every document", () => {
      for (const document of documents()) {
        const manifest = outcome("parseManifest", ocikit.parseManifest, document);
        if (manifest[0] === "ok" && typeof manifest[1] !== "string") {
          const again = outcome("encodeManifest", ocikit.encodeManifest, manifest[1].manifest);
          assert.equal(again[0], "ok");
        }
        outcome("parseIndex", ocikit.parseIndex, document);
        outcome("describe", ocikit.describe, document);
        outcome("registerArtifactType", ocikit.registerArtifactType, new TextDecoder().decode(document));
      }
    });

    test("the text parsers take every string", () => {
      for (const text of texts()) {
        const digest = outcome("parseDigest", ocikit.parseDigest, text);
        if (digest[0] === "ok") assert.ok(text.includes(":"));
        outcome("parseMediaType", ocikit.parseMediaType, text);
        for (const role of [undefined, "config", "layer"]) {
          outcome("lintMediaType", ocikit.lintMediaType, text, /** @type {any} */ (role));
        }
        outcome("parseReference", ocikit.parseReference, text);
        outcome("verify", ocikit.verify, new Uint8Array(0), text);
        outcome("Digester", (/** @type {any} */ algorithm) => new ocikit.Digester(algorithm), text);
        outcome("digest", ocikit.digest, new Uint8Array([1]), /** @type {any} */ (text));
        outcome("checkLogo", ocikit.checkLogo, text);
      }
    });

    test("sizes at and past the limits (2^40, 2^53, 2^64) are results or coded errors", () => {
      for (const size of SIZES) {
        outcome("verify", ocikit.verify, new Uint8Array(0), SHA256_EMPTY, size);
        outcome("Digester.verify", (s) => new ocikit.Digester().verify(SHA256_EMPTY, s), size);
        outcome("pack", ocikit.pack, {
          artifactType: ARTIFACT_TYPE,
          files: [{ name: "a.txt", digest: SHA256_EMPTY, size }],
        });
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, files: [{ name: "a", data: utf8("x") }], embedDataUpTo: size });
        outcome("layoutTar", ocikit.layoutTar, {
          manifests: [],
          blobs: [{ data: new Uint8Array(0), digest: SHA256_EMPTY, size }],
        });
        if (Number.isSafeInteger(size)) sizesInDocuments(size);
      }
    });

    /** Descriptors with `size` inside documents given as JS objects. */
    function sizesInDocuments(size) {
      const descriptor = { mediaType: "application/vnd.example", digest: SHA256_EMPTY, size };
      outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, subject: descriptor });
      outcome("encodeManifest", ocikit.encodeManifest, {
        schemaVersion: 2,
        mediaType: MANIFEST_TYPE,
        config: descriptor,
        layers: [descriptor],
      });
    }

    test("sizes beyond Number.MAX_SAFE_INTEGER and non-finite sizes inside documents are coded errors", () => {
      for (const size of SIZES.filter((n) => !Number.isSafeInteger(n))) sizesInDocuments(size);
    });

    test("pack takes hostile names, types and annotations", () => {
      for (const text of [...HOSTILE_TEXTS, "a.md", ".git/config", "../x", "CON", "a\\b"]) {
        const file = { name: "a.md", data: utf8("x") };
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, files: [{ name: text, data: utf8("x") }] });
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, files: [{ ...file, mediaType: text }] });
        outcome("pack", ocikit.pack, { artifactType: text, files: [file] });
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, files: [{ ...file, annotations: { [text]: text } }] });
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, annotations: { [text]: "x", k: text } });
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, created: text });
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, configAnnotations: { [text]: text } });
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, imageSpec: /** @type {any} */ (text) });
      }
      // The pack fuzz regressions: v1.0 with the empty type as artifact (config) type, and a
      // file's created annotation, checked like the manifest's.
      assert.deepEqual(
        outcome("pack", ocikit.pack, { artifactType: "application/vnd.oci.empty.v1+json", imageSpec: "v1.0" }),
        ["error", "ARTIFACT_TYPE_REQUIRED"],
      );
      const created = { "org.opencontainers.image.created": "\u0001yesterday" };
      assert.deepEqual(
        outcome("pack", ocikit.pack, { artifactType: ARTIFACT_TYPE, files: [{ name: "a.md", data: utf8("x"), annotations: created }] }),
        ["error", "ANNOTATION_INVALID"],
      );
    });

    test("digests of hostile bytes agree whole and in pieces", () => {
      for (const data of HOSTILE_DOCUMENTS) {
        for (const algorithm of ["sha256", "sha512", "blake3"]) {
          const [status, value] = outcome("digest", ocikit.digest, data, /** @type {any} */ (algorithm));
          if (status !== "ok") continue;
          const digester = new ocikit.Digester(/** @type {any} */ (algorithm));
          digester.update(data.subarray(0, data.length >> 1)).update(data.subarray(data.length >> 1));
          assert.equal(digester.finalize(), value);
          assert.deepEqual(outcome("verify", ocikit.verify, data, value, data.length), ["ok", undefined]);
        }
      }
    });

    test("readLayoutTar takes damaged archives and arbitrary bytes", () => {
      const packed = ocikit.pack({ artifactType: ARTIFACT_TYPE, files: [{ name: "a.md", data: utf8("# A\n") }] });
      const archive = ocikit.layoutTar({ manifest: packed.manifest, tag: "v1", blobs: packed.blobs });
      assert.equal(ocikit.readLayoutTar(archive).report.valid, true);
      const damaged = [];
      for (let at = 0; at < archive.length; at += 97) {
        const flipped = archive.slice();
        flipped[at] ^= 0xff;
        damaged.push(flipped, archive.slice(0, at));
      }
      // A header claiming a size of 2^40 and one with a size field of garbage.
      const huge = archive.slice();
      huge.set(utf8("20000000000\u0000"), 124);
      const garbage = archive.slice();
      garbage.set(utf8("\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u0000"), 124);
      damaged.push(huge, garbage);
      for (const bytes of [...damaged, ...documents()]) {
        const [status, read] = outcome("readLayoutTar", ocikit.readLayoutTar, bytes);
        assert.equal(status, "ok", "an archive's problems are findings");
        if (typeof read === "string") continue;
        assert.equal(read.report.valid, !read.report.findings.some((f) => f.severity === "error"));
      }
    });
  });
}
