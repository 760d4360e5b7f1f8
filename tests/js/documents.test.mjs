// validate, parseManifest / parseIndex / encodeManifest / encodeIndex and parseReference against
// the shared vectors, through both entries.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { implementations, listedCodes, load, validationCases } from "./vectors.mjs";

const codes = listedCodes();
const cases = validationCases();
const references = load("references.json");
// ignoreBOM keeps a leading U+FEFF: one vector is about exactly that.
const text = (bytes) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
const utf8 = (s) => new TextEncoder().encode(s);

/** Findings as the vectors list them: sorted [code, severity, path] triples. */
const triples = (report) => report.findings.map((f) => [f.code, f.severity, f.path]).sort(compare);
const compare = (a, b) => (a.join("\0") < b.join("\0") ? -1 : a.join("\0") > b.join("\0") ? 1 : 0);

/** @type {import("ocikit").Manifest} */
const MANIFEST = {
  schemaVersion: 2,
  mediaType: "application/vnd.oci.image.manifest.v1+json",
  artifactType: "application/vnd.example.docs.config.v1+json",
  config: {
    mediaType: "application/vnd.oci.empty.v1+json",
    digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    size: 2,
    data: "e30=",
  },
  layers: [
    {
      mediaType: "application/vnd.example.docs.layer.v1+md",
      digest: "sha256:875dce0e99707525fd7cb06b8691ff5d783ef8e115ebd47164885edb2e40c905",
      size: 11,
      annotations: { "org.opencontainers.image.title": "overview.md" },
    },
  ],
};

test("the validation vectors are all read, with exact bytes", () => {
  assert.ok(cases.length >= 200, `${cases.length} cases`);
  // Numbers JSON.parse would change survive in the bytes validated.
  const find = (name) => text(cases.find((c) => c.name === name).input);
  assert.match(find("size above int64"), /"size":9223372036854775808}/);
  assert.match(find("size int64 max"), /"size":9223372036854775807}/);
});

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("every validation vector: valid, kind and findings", () => {
      const failures = [];
      for (const c of cases) {
        // Half the cases as bytes, half as text (when the bytes are UTF-8): both must agree.
        const input = c.hex === undefined && cases.indexOf(c) % 2 ? text(c.input) : c.input;
        const report = ocikit.validate(input, c.kind ?? undefined);
        const found = triples(report);
        if (report.valid !== c.valid || report.kind !== c.expectKind || JSON.stringify(found) !== JSON.stringify(c.findings)) {
          failures.push(`${c.file}: ${c.name}\n  expected ${JSON.stringify(c.findings)} kind ${c.expectKind}\n  found    ${JSON.stringify(found)} kind ${report.kind}`);
        }
        assert.equal(report.valid, !report.findings.some((f) => f.severity === "error"));
        for (const f of report.findings) {
          assert.deepEqual(Object.keys(f), ["code", "severity", "path", "message", "rule"]);
          assert.ok(codes.has(f.code), `${f.code} is not in error-codes.json`);
          assert.ok(f.message.length > 0 && f.rule.length > 0, c.name);
        }
      }
      assert.deepEqual(failures, [], `${failures.length} of ${cases.length} cases failed`);
    });

    test("validate takes text or any byte buffer; a bad kind or input type is a TypeError", () => {
      const bytes = ocikit.encodeManifest(MANIFEST);
      const expected = { valid: true, kind: "manifest", findings: [] };
      // The buffer of the bytes ocikit returns is an ArrayBuffer (index.d.ts says ArrayBufferLike).
      const buffer = /** @type {ArrayBuffer} */ (bytes.buffer);
      for (const input of [bytes, text(bytes), buffer.slice(0), new DataView(buffer), Buffer.from(bytes)]) {
        assert.deepEqual(ocikit.validate(input), expected);
        assert.deepEqual(ocikit.validate(input, "manifest"), expected);
      }
      assert.equal(ocikit.validate(bytes, "index").valid, false);
      for (const kind of ["Manifest", "image", "", 1, {}]) {
        // @ts-expect-error: not a kind, on purpose
        assert.throws(() => ocikit.validate(bytes, kind), TypeError, String(kind));
      }
      for (const input of [undefined, null, 42, {}, [], MANIFEST]) {
        // @ts-expect-error: neither text nor bytes, on purpose
        assert.throws(() => ocikit.validate(input), TypeError);
      }
      assert.deepEqual(ocikit.validate("not json").findings.map((f) => f.code), ["JSON_INVALID"]);
      assert.equal(ocikit.validate("{}").kind, null);
    });

    test("parseManifest keeps the given bytes and their digest; encodeManifest is canonical", () => {
      // Not canonical: spaces, a different key order, an unknown field with a nested value.
      const given = utf8(
        `{ "layers": ${JSON.stringify(MANIFEST.layers)}, "config": ${JSON.stringify(MANIFEST.config)},` +
          ` "schemaVersion": 2, "x.unknown": {"b": [1, 2.5, null], "a": "<&>"},` +
          ` "mediaType": "${MANIFEST.mediaType}", "artifactType": "${MANIFEST.artifactType}" }`,
      );
      const parsed = ocikit.parseManifest(given);
      assert.deepEqual(Object.keys(parsed), ["manifest", "digest", "size", "bytes"]);
      assert.deepEqual(parsed.bytes, given);
      assert.notEqual(parsed.bytes, given, "a copy, not the caller's buffer");
      assert.equal(parsed.digest, ocikit.digest(given));
      assert.equal(parsed.size, given.length);
      // The object: JSON field names in Go order, the unknown field kept after the known ones.
      assert.deepEqual(Object.keys(parsed.manifest), ["schemaVersion", "mediaType", "artifactType", "config", "layers", "x.unknown"]);
      assert.deepEqual(parsed.manifest, { ...MANIFEST, "x.unknown": { b: [1, 2.5, null], a: "<&>" } });

      const canonical = ocikit.encodeManifest(parsed.manifest);
      assert.ok(canonical instanceof Uint8Array);
      assert.equal(
        text(canonical),
        `{"schemaVersion":2,"mediaType":"${MANIFEST.mediaType}","artifactType":"${MANIFEST.artifactType}",` +
          `"config":${JSON.stringify(MANIFEST.config)},"layers":${JSON.stringify(MANIFEST.layers)},` +
          `"x.unknown":{"a":"\\u003c\\u0026\\u003e","b":[1,2.5,null]}}`,
      );
      // Canonical bytes are a fixed point, and parse → encode round-trips them exactly.
      const again = ocikit.parseManifest(canonical);
      assert.deepEqual(ocikit.encodeManifest(again.manifest), canonical);
      assert.deepEqual(JSON.parse(text(canonical)), again.manifest);
      assert.equal(again.digest, ocikit.digest(canonical));
      assert.notEqual(again.digest, parsed.digest);
    });

    test("every valid manifest and index vector round-trips through parse and encode", () => {
      let count = 0;
      for (const c of cases.filter((c) => c.valid && (c.expectKind === "manifest" || c.expectKind === "index"))) {
        const [parse, encode, key] =
          c.expectKind === "manifest" ? [ocikit.parseManifest, ocikit.encodeManifest, "manifest"] : [ocikit.parseIndex, ocikit.encodeIndex, "index"];
        const parsed = parse(c.input);
        assert.equal(parsed.digest, ocikit.digest(c.input), c.name);
        const canonical = encode(parsed[key]);
        assert.deepEqual(parse(canonical)[key], parsed[key], c.name);
        assert.deepEqual(encode(parse(canonical)[key]), canonical, `${c.name}: canonical is a fixed point`);
        assert.ok(ocikit.validate(canonical, c.expectKind).valid, c.name);
        count++;
      }
      assert.ok(count >= 40, `${count} documents`);
    });

    test("parseIndex and encodeIndex, with platforms and unknown fields", () => {
      /** @type {import("ocikit").Index} */
      const index = {
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [
          {
            mediaType: "application/vnd.oci.image.manifest.v1+json",
            digest: "sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881",
            size: 7143,
            platform: { architecture: "arm64", os: "linux", variant: "v8", "os.features": ["x"], extra: true },
          },
        ],
        annotations: { "com.example.b": "2", "com.example.a": "1" },
      };
      const bytes = ocikit.encodeIndex(index);
      assert.equal(
        text(bytes),
        '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",' +
          '"digest":"sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","size":7143,' +
          '"platform":{"architecture":"arm64","os":"linux","os.features":["x"],"variant":"v8","extra":true}}],' +
          '"annotations":{"com.example.a":"1","com.example.b":"2"}}',
      );
      const parsed = ocikit.parseIndex(bytes);
      assert.deepEqual(Object.keys(parsed), ["index", "digest", "size", "bytes"]);
      assert.deepEqual(parsed.index.manifests[0].platform, index.manifests[0].platform);
      assert.equal(parsed.digest, ocikit.digest(bytes));
      // A manifest is not an index, and the other way round.
      assert.equal(captured(() => ocikit.parseIndex(ocikit.encodeManifest(MANIFEST))).code, "MEDIA_TYPE_MISMATCH");
      assert.equal(captured(() => ocikit.parseManifest(bytes)).code, "MEDIA_TYPE_MISMATCH");
    });

    test("documents the core rejects are OciErrors with codes", () => {
      // Some of these are not Manifests by their type either, on purpose.
      /** @type {[import("ocikit").Manifest, import("ocikit").ErrorCode][]} */
      const expectations = [
        // @ts-expect-error: schemaVersion 1, on purpose
        [{ ...MANIFEST, schemaVersion: 1 }, "SCHEMA_VERSION_INVALID"],
        // @ts-expect-error: no config, on purpose
        [{ ...MANIFEST, config: undefined }, "FIELD_MISSING"],
        [{ ...MANIFEST, config: { ...MANIFEST.config, digest: "sha256:ABC" } }, "DIGEST_INVALID"],
        [{ ...MANIFEST, config: { ...MANIFEST.config, size: -1 } }, "SIZE_INVALID"],
        [{ ...MANIFEST, config: { ...MANIFEST.config, size: 1.5 } }, "SIZE_INVALID"],
        [{ ...MANIFEST, config: { ...MANIFEST.config, data: "e30" } }, "DATA_INVALID"],
        [{ ...MANIFEST, artifactType: "not a type" }, "MEDIA_TYPE_INVALID"],
        // @ts-expect-error: layers not a list, on purpose
        [{ ...MANIFEST, layers: "none" }, "JSON_INVALID"],
        // @ts-expect-error: an annotation that is not a string, on purpose
        [{ ...MANIFEST, annotations: { a: 1 } }, "JSON_INVALID"],
      ];
      for (const [manifest, code] of expectations) {
        const error = captured(() => ocikit.encodeManifest(manifest));
        assert.ok(error instanceof ocikit.OciError, `${code}: ${error}`);
        assert.equal(error.code, code);
        assert.ok(codes.has(error.code));
      }
      for (const bytes of [utf8("{"), utf8('{"a":1,"a":2}'), Uint8Array.of(0xff)]) {
        assert.equal(captured(() => ocikit.parseManifest(bytes)).code, "JSON_INVALID");
      }
    });

    test("numbers that a JS number cannot hold exactly never cross silently", () => {
      // Into JS: a size or an unknown integer beyond 2^53 - 1 is a RangeError, not a rounded number.
      const big = text(ocikit.encodeManifest(MANIFEST)).replace('"size":11', '"size":9007199254740993');
      assert.throws(() => ocikit.parseManifest(utf8(big)), (e) => e instanceof RangeError && /\/layers\/0\/size/.test(e.message));
      assert.equal(ocikit.validate(big).valid, true, "validation has no such limit");
      const unknown = text(ocikit.encodeManifest(MANIFEST)).replace(/}$/, ',"x":{"n":[-9007199254740993]}}');
      assert.throws(() => ocikit.parseManifest(utf8(unknown)), (e) => e instanceof RangeError && /\/x\/n\/0/.test(e.message));
      const safe = text(ocikit.encodeManifest(MANIFEST)).replace(/}$/, ',"x":[9007199254740991,-9007199254740991,1e300]}');
      assert.deepEqual(ocikit.parseManifest(utf8(safe)).manifest.x, [9007199254740991, -9007199254740991, 1e300]);
      // Out of JS: unsafe integers and non-finite numbers are wrong values (SIZE_INVALID for a
      // size, JSON_INVALID elsewhere); BigInts, Maps and bytes are wrong types.
      const withSize = (size) => ({ ...MANIFEST, config: { ...MANIFEST.config, size } });
      const coded = (code) => (/** @type {any} */ e) => e instanceof ocikit.OciError && e.code === code;
      assert.throws(() => ocikit.encodeManifest(withSize(2 ** 53)), coded("SIZE_INVALID"));
      assert.throws(() => ocikit.encodeManifest(withSize(NaN)), coded("SIZE_INVALID"));
      assert.throws(() => ocikit.encodeManifest(withSize(Infinity)), coded("SIZE_INVALID"));
      assert.throws(() => ocikit.encodeManifest({ ...MANIFEST, x: 2 ** 60 }), coded("JSON_INVALID"));
      assert.throws(() => ocikit.encodeManifest(withSize(2n)), TypeError);
      // @ts-expect-error: a Map, not a plain object, on purpose
      assert.throws(() => ocikit.encodeManifest({ ...MANIFEST, annotations: new Map([["a", "b"]]) }), TypeError);
      // @ts-expect-error: bytes, not base64 text, on purpose
      assert.throws(() => ocikit.encodeManifest({ ...MANIFEST, config: { ...MANIFEST.config, data: utf8("{}") } }), TypeError);
      for (const value of [undefined, null, "{}", 1, [], utf8("{}")]) {
        // @ts-expect-error: not a manifest object, on purpose
        assert.throws(() => ocikit.encodeManifest(value), TypeError);
        // @ts-expect-error: not an index object, on purpose
        assert.throws(() => ocikit.encodeIndex(value), TypeError);
      }
      for (const value of [undefined, null, "{}", 1, {}, []]) {
        // @ts-expect-error: not bytes, on purpose
        assert.throws(() => ocikit.parseManifest(value), TypeError);
        // @ts-expect-error: not bytes, on purpose
        assert.throws(() => ocikit.parseIndex(value), TypeError);
      }
    });

    test("reference vectors", () => {
      assert.ok(references.cases.length >= 40);
      for (const c of references.cases) {
        if (c.error) {
          const error = captured(() => ocikit.parseReference(c.input));
          assert.ok(error instanceof ocikit.OciError, c.name);
          assert.equal(error.code, c.error, c.name);
          continue;
        }
        assert.deepEqual(
          ocikit.parseReference(c.input),
          { registry: c.registry, repository: c.repository, tag: c.tag, digest: c.digest },
          c.name,
        );
      }
      for (const value of [undefined, null, 1, {}]) {
        // @ts-expect-error: not a string, on purpose
        assert.throws(() => ocikit.parseReference(value), TypeError);
      }
    });
  });
}

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
