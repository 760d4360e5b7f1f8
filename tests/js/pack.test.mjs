// pack and packIndex against the ORAS-made golden vectors of tests/vectors/pack/, pack options
// and their errors, and the artifact type catalog, through both entries.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { implementations, listedCodes } from "./vectors.mjs";

const codes = listedCodes();
const utf8 = (s) => new TextEncoder().encode(s);
const text = (bytes) => new TextDecoder().decode(bytes);
const packDir = new URL("../vectors/pack/", import.meta.url);
const goldens = readdirSync(packDir)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, packDir), "utf8")));

const TYPE = "application/vnd.example.docs.config.v1+json";
const LAYER = "application/vnd.example.docs.layer.v1+md";
const EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

/** pack() options for a golden case, as core/tests/pack.rs builds its Pack (CLI defaults on). */
function optionsOf(c) {
  const options = {
    files: c.files.map((f) => ({ name: f.name, mediaType: f.mediaType, data: utf8(f.text), annotations: f.annotations })),
    annotations: c.annotations,
    configAnnotations: c.configAnnotations,
    created: c.created,
    cliDefaults: true,
  };
  if (c.spec) options.imageSpec = c.spec;
  if (c.artifactType) options.artifactType = c.artifactType;
  if (c.config) options.config = { mediaType: c.config.mediaType, data: utf8(c.config.text) };
  return options;
}

function captured(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

/**
 * The OciError with `code` that `fn` throws.
 * @param {typeof import("ocikit")} ocikit
 * @param {() => unknown} fn
 * @param {string} code
 * @returns {import("ocikit").OciError}
 */
function assertCode(ocikit, fn, code, message = code) {
  const error = captured(fn);
  assert.ok(error instanceof ocikit.OciError, `${message}: ${error instanceof Error ? error.stack : error}`);
  assert.equal(error.code, code, `${message}: ${error.message}`);
  assert.ok(codes.has(error.code), `${error.code} is not in error-codes.json`);
  return error;
}

test("the golden pack vectors are there", () => {
  assert.ok(goldens.length >= 10, `${goldens.length} cases`);
});

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("every golden vector gives the bytes and digest the ORAS CLI wrote", () => {
      for (const c of goldens) {
        const packed = ocikit.pack(optionsOf(c));
        assert.equal(text(packed.manifest), c.manifest, c.name);
        assert.equal(packed.digest, c.digest, c.name);
        assert.equal(packed.size, c.size, c.name);
        assert.equal(ocikit.digest(packed.manifest), c.digest, c.name);
        assert.equal(packed.mediaType, "application/vnd.oci.image.manifest.v1+json");
        const manifest = JSON.parse(c.manifest);
        const expectedDescriptor = { mediaType: packed.mediaType, digest: c.digest, size: c.size };
        if (manifest.artifactType) expectedDescriptor.artifactType = manifest.artifactType;
        assert.deepEqual(packed.descriptor, expectedDescriptor, c.name);

        // Every referenced blob once, config first, with bytes that match its descriptor.
        const referenced = [manifest.config, ...manifest.layers];
        assert.deepEqual(packed.blobs[0].descriptor, manifest.config, c.name);
        assert.equal(new Set(packed.blobs.map((b) => b.descriptor.digest)).size, packed.blobs.length);
        for (const descriptor of referenced) {
          const blob = packed.blobs.find((b) => b.descriptor.digest === descriptor.digest);
          assert.ok(blob, `${c.name}: ${descriptor.digest} listed`);
          assert.ok(blob.data instanceof Uint8Array);
          ocikit.verify(blob.data, descriptor.digest, descriptor.size);
        }
        // The manifest parses back to the same bytes and validates.
        const parsed = ocikit.parseManifest(packed.manifest);
        assert.equal(text(ocikit.encodeManifest(parsed.manifest)), c.manifest, c.name);
        assert.ok(ocikit.validate(packed.manifest).valid, c.name);
      }
    });

    test("pack takes any byte buffer, digests for streamed files, and embeds small blobs", () => {
      const bytes = utf8("# A\n");
      const base = { artifactType: TYPE, created: "2024-01-01T00:00:00Z" };
      const reference = ocikit.pack({ ...base, files: [{ name: "a.md", mediaType: LAYER, data: bytes }] });
      for (const data of [bytes.buffer.slice(0), new DataView(bytes.buffer), Buffer.from(bytes), new Int8Array(bytes.buffer)]) {
        assert.deepEqual(ocikit.pack({ ...base, files: [{ name: "a.md", mediaType: LAYER, data }] }), reference);
      }
      // A file the caller hashes and uploads itself: same manifest, a blob without data.
      const streamed = ocikit.pack({
        ...base,
        files: [{ name: "a.md", mediaType: LAYER, digest: ocikit.digest(bytes), size: bytes.length }],
      });
      assert.deepEqual(streamed.manifest, reference.manifest);
      assert.equal(streamed.blobs[1].data, undefined);
      assert.ok(!("data" in streamed.blobs[1]));

      const embedded = ocikit.pack({ ...base, files: [{ name: "a.md", data: bytes }, { name: "b", data: new Uint8Array(5) }], embedDataUpTo: 4 });
      const layers = JSON.parse(text(embedded.manifest)).layers;
      assert.equal(layers[0].data, Buffer.from(bytes).toString("base64"));
      assert.equal(layers[1].data, undefined);
      assert.equal(layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar", "ORAS's default");
      assert.deepEqual(embedded.blobs[1].descriptor, layers[0]);
    });

    test("created: RFC 3339 text or a Date (UTC, whole seconds, as ORAS writes it); none by default", () => {
      const created = (value) => JSON.parse(text(ocikit.pack({ artifactType: TYPE, created: value }).manifest)).annotations;
      assert.deepEqual(created(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))), { "org.opencontainers.image.created": "2024-01-02T03:04:05Z" });
      assert.deepEqual(created(new Date(-1)), { "org.opencontainers.image.created": "1969-12-31T23:59:59Z" });
      assert.deepEqual(created("2024-01-01T00:00:00+01:00"), { "org.opencontainers.image.created": "2024-01-01T00:00:00+01:00" });
      assert.equal(created(undefined), undefined);
      // Deterministic: the same inputs, the same bytes.
      assert.deepEqual(ocikit.pack({ artifactType: TYPE }).manifest, ocikit.pack({ artifactType: TYPE }).manifest);
      assertCode(ocikit, () => created("yesterday"), "ANNOTATION_INVALID");
      assertCode(ocikit, () => created(new Date(8.64e15)), "ANNOTATION_INVALID", "year 275760 is not RFC 3339");
      assert.throws(() => created(new Date(NaN)), TypeError);
      assert.throws(() => created(1700000000), TypeError);
    });

    test("subject, image-spec v1.0 and a custom config", () => {
      const target = ocikit.pack({ artifactType: TYPE });
      const referrer = ocikit.pack({ artifactType: "application/vnd.example.sig.v1", subject: target.descriptor });
      assert.deepEqual(JSON.parse(text(referrer.manifest)).subject, target.descriptor);
      assert.deepEqual(ocikit.parseManifest(referrer.manifest).manifest.subject, target.descriptor);

      const legacy = ocikit.pack({ imageSpec: "v1.0", artifactType: TYPE, files: [{ name: "a", data: utf8("a") }] });
      const manifest = JSON.parse(text(legacy.manifest));
      assert.equal(manifest.config.mediaType, TYPE);
      assert.equal(manifest.artifactType, undefined);
      assert.equal(legacy.descriptor.artifactType, undefined);

      const config = utf8('{"k":"v"}');
      const custom = ocikit.pack({ config: { mediaType: "application/vnd.example.thing.config.v1+json", data: config } });
      assert.deepEqual(custom.blobs[0].data, config);
      assert.equal(custom.blobs[0].descriptor.digest, ocikit.digest(config));
      const digested = ocikit.pack({
        config: { mediaType: "application/vnd.example.thing.config.v1+json", digest: ocikit.digest(config), size: config.length },
      });
      assert.deepEqual(digested.manifest, custom.manifest);
    });

    test("pack errors carry codes", () => {
      assertCode(ocikit, () => ocikit.pack({}), "ARTIFACT_TYPE_REQUIRED");
      assertCode(ocikit, () => ocikit.pack({ config: { mediaType: "application/vnd.oci.empty.v1+json", data: utf8("{}") } }), "ARTIFACT_TYPE_REQUIRED");
      assert.equal(JSON.parse(text(ocikit.pack({ cliDefaults: true }).manifest)).artifactType, "application/vnd.unknown.artifact.v1");
      const target = ocikit.pack({ artifactType: TYPE });
      assertCode(ocikit, () => ocikit.pack({ imageSpec: "v1.0", subject: target.descriptor }), "OPTIONS_INVALID");
      assertCode(
        ocikit,
        () => ocikit.pack({ imageSpec: "v1.0", artifactType: TYPE, config: { mediaType: TYPE, data: utf8("{}") } }),
        "OPTIONS_INVALID",
      );
      for (const name of ["/etc/passwd", "../up", "a/../../b", "C:\\x", "con", "LPT1.txt", "trail.", "x\u0001", "", "q?.md"]) {
        const error = assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, files: [{ name, data: new Uint8Array() }] }), "ANNOTATION_INVALID", name);
        assert.equal(error.details.key, "org.opencontainers.image.title");
      }
      assertCode(ocikit, () => ocikit.pack({ artifactType: "docs" }), "MEDIA_TYPE_INVALID");
      assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, files: [{ name: "a", mediaType: "x", data: utf8("") }] }), "MEDIA_TYPE_INVALID");
      assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, files: [{ name: "a", digest: "sha256:abc", size: 1 }] }), "DIGEST_INVALID");
      assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, files: [{ name: "a", digest: EMPTY_DIGEST, size: -1 }] }), "SIZE_INVALID");
      assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, files: [{ name: "a", digest: EMPTY_DIGEST, size: 2 ** 53 }] }), "SIZE_INVALID");
      assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, embedDataUpTo: -1 }), "SIZE_INVALID");
      // @ts-expect-error: a subject without its digest, on purpose
      assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, subject: { mediaType: TYPE, size: 2 } }), "FIELD_MISSING");
    });

    test("pack arguments of the wrong JavaScript type are TypeErrors", () => {
      const file = { name: "a", data: utf8("a") };
      const wrong = [
        undefined,
        null,
        "options",
        [],
        { fils: [] },
        { artifactType: TYPE, files: "a" },
        { artifactType: TYPE, files: [null] },
        { artifactType: TYPE, files: [{ data: utf8("a") }] },
        { artifactType: TYPE, files: [{ name: "a" }] },
        { artifactType: TYPE, files: [{ name: "a", data: "text" }] },
        { artifactType: TYPE, files: [{ ...file, digest: EMPTY_DIGEST, size: 2 }] },
        { artifactType: TYPE, files: [{ name: "a", digest: EMPTY_DIGEST }] },
        { artifactType: TYPE, files: [{ ...file, annotations: { a: 1 } }] },
        { artifactType: TYPE, files: [{ ...file, annotations: new Map() }] },
        { artifactType: TYPE, files: [{ ...file, titel: "b" }] },
        { artifactType: 1 },
        { artifactType: TYPE, cliDefaults: "yes" },
        { artifactType: TYPE, embedDataUpTo: "16" },
        { artifactType: TYPE, annotations: [["a", "b"]] },
        { artifactType: TYPE, subject: "sha256:abc" },
        { config: { data: utf8("{}") } },
        { config: "application/vnd.example.thing.config.v1+json" },
      ];
      for (const options of wrong) {
        // @ts-expect-error: options of the wrong JavaScript types, on purpose
        assert.throws(() => ocikit.pack(options), TypeError, JSON.stringify(options));
      }
      // A string of another value is a wrong option, not a wrong type: a coded error.
      // @ts-expect-error: an image spec that does not exist, on purpose
      assertCode(ocikit, () => ocikit.pack({ artifactType: TYPE, imageSpec: "v2" }), "OPTIONS_INVALID");
    });

    test("packIndex builds a collection in Go field order", () => {
      const a = ocikit.pack({ artifactType: "application/vnd.cnab.invocation.config.v1+json", files: [{ name: "a", data: utf8("a") }] });
      const platform = { architecture: "amd64", os: "linux" };
      const index = ocikit.packIndex({
        manifests: [{ ...a.descriptor, platform }],
        artifactType: "application/vnd.cnab.config.v1+json",
        annotations: { "io.cnab.name": "hello<world>" },
      });
      assert.equal(
        text(index.manifest),
        `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","artifactType":"application/vnd.cnab.config.v1+json",` +
          `"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${a.digest}","size":${a.size},` +
          `"platform":{"architecture":"amd64","os":"linux"},"artifactType":"application/vnd.cnab.invocation.config.v1+json"}],` +
          `"annotations":{"io.cnab.name":"hello\\u003cworld\\u003e"}}`,
      );
      assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
      assert.deepEqual(index.descriptor, {
        mediaType: index.mediaType,
        digest: ocikit.digest(index.manifest),
        size: index.size,
        artifactType: "application/vnd.cnab.config.v1+json",
      });
      assert.deepEqual(index.blobs, []);
      assert.ok(ocikit.validate(index.manifest).valid);
      assert.deepEqual(ocikit.parseIndex(index.manifest).index.manifests[0].platform, platform);
      // Errors: a bad created annotation, a broken descriptor (with its path), wrong JS types.
      assertCode(ocikit, () => ocikit.packIndex({ annotations: { "org.opencontainers.image.created": "today" } }), "ANNOTATION_INVALID");
      // @ts-expect-error: a descriptor without its mediaType, on purpose
      const missing = assertCode(ocikit, () => ocikit.packIndex({ manifests: [a.descriptor, { digest: a.digest, size: 1 }] }), "FIELD_MISSING");
      assert.equal(missing.details.path, "/manifests/1/mediaType");
      // @ts-expect-error: one descriptor, not a list, on purpose
      assert.throws(() => ocikit.packIndex({ manifests: a.descriptor }), TypeError);
      // @ts-expect-error: a digest string, not a descriptor, on purpose
      assert.throws(() => ocikit.packIndex({ manifests: ["sha256:abc"] }), TypeError);
      // @ts-expect-error: a misspelt option, on purpose
      assert.throws(() => ocikit.packIndex({ manifest: [] }), TypeError);
      assert.deepEqual(ocikit.packIndex({}).blobs, []);
    });

    test("the artifact type catalog: built-in types with logos, describe, and registration", () => {
      // Both entries share one catalog (one wasm module), so each registers a type of its own.
      const NOTHING = `application/vnd.example.${label.includes("wasm") ? "wasmnothing" : "nodenothing"}.config.v1+json`;
      const types = ocikit.artifactTypes();
      assert.ok(types.length >= 12);
      for (const t of types) {
        assert.deepEqual(Object.keys(t).slice(0, 5), ["artifactType", "aliases", "displayName", "description", "layerMediaTypes"]);
        assert.ok(t.logo, `${t.artifactType} has a logo`);
        assert.match(t.logo, /^<svg[\s>]/);
        ocikit.checkLogo(t.logo);
      }
      const helm = types.find((t) => t.displayName === "Helm chart");
      assert.ok(helm);

      const packed = ocikit.pack({ artifactType: helm.artifactType, files: [{ name: "c.tgz", data: utf8("c") }] });
      const described = ocikit.describe(packed.manifest);
      assert.deepEqual(described, { artifactType: helm.artifactType, source: "artifactType", definition: helm });
      assert.deepEqual(ocikit.describe(ocikit.parseManifest(packed.manifest).manifest), described, "an object works too");
      const legacy = ocikit.pack({ imageSpec: "v1.0", artifactType: NOTHING });
      assert.deepEqual(ocikit.describe(legacy.manifest), {
        artifactType: NOTHING,
        source: "config.mediaType",
        definition: null,
      });

      // A registered type is listed, described, and wins over a built-in one for its alias.
      const definition = {
        artifactType: NOTHING,
        aliases: [helm.artifactType],
        displayName: "Nothing",
        logo: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><rect width="8" height="8"/></svg>',
      };
      const registered = ocikit.registerArtifactType(definition);
      assert.deepEqual(registered, { ...definition, description: "", layerMediaTypes: [], aliases: [helm.artifactType] });
      assert.deepEqual(ocikit.artifactTypes().at(-1), registered);
      assert.deepEqual(ocikit.describe(legacy.manifest).definition, registered);
      assert.deepEqual(ocikit.describe(packed.manifest).definition, registered);
      // Registering the same type again replaces it; JSON text is accepted as well.
      ocikit.registerArtifactType(JSON.stringify({ ...definition, aliases: [], displayName: "Nothing v2" }));
      assert.equal(ocikit.artifactTypes().filter((t) => t.artifactType === definition.artifactType).length, 1);
      assert.equal(ocikit.describe(legacy.manifest).definition?.displayName, "Nothing v2");
      assert.deepEqual(ocikit.describe(packed.manifest).definition, helm);

      assertCode(ocikit, () => ocikit.registerArtifactType({ ...definition, displayName: "" }), "DISPLAY_NAME_INVALID");
      assertCode(ocikit, () => ocikit.registerArtifactType({ ...definition, artifactType: "nope" }), "MEDIA_TYPE_INVALID");
      // @ts-expect-error: a definition without its artifactType, on purpose
      assertCode(ocikit, () => ocikit.registerArtifactType({ displayName: "x" }), "FIELD_MISSING");
      assertCode(ocikit, () => ocikit.registerArtifactType("{"), "JSON_INVALID");
      assertCode(ocikit, () => ocikit.registerArtifactType({ ...definition, logo: "<svg/>" }), "LOGO_INVALID");
      for (const value of [undefined, null, 1, [], utf8("{}")]) {
        // @ts-expect-error: not a definition or JSON text, on purpose
        assert.throws(() => ocikit.registerArtifactType(value), TypeError);
      }
      assertCode(ocikit, () => ocikit.describe(ocikit.packIndex({}).manifest), "MEDIA_TYPE_MISMATCH");
      for (const value of [undefined, null, 1, "{}"]) {
        // @ts-expect-error: not a manifest's bytes or object, on purpose
        assert.throws(() => ocikit.describe(value), TypeError);
      }
    });

    test("checkLogo rejects unsafe, invalid and oversized SVG with LOGO_* codes", () => {
      const svg = (body) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">${body}</svg>`;
      assert.equal(ocikit.checkLogo(svg('<rect width="8" height="8" fill="#123"/>')), undefined);
      for (const body of ["<script>alert(1)</script>", '<rect onclick="x()"/>', '<image href="https://example.com/x.png"/>', "<foreignObject/>", '<rect style="fill:url(https://x)"/>']) {
        assertCode(ocikit, () => ocikit.checkLogo(svg(body)), "LOGO_UNSAFE", body);
      }
      assertCode(ocikit, () => ocikit.checkLogo("<svg/>"), "LOGO_INVALID");
      assertCode(ocikit, () => ocikit.checkLogo("not xml"), "LOGO_INVALID");
      const large = assertCode(ocikit, () => ocikit.checkLogo(svg(`<desc>${"x".repeat(20000)}</desc>`)), "LOGO_TOO_LARGE");
      assert.equal(typeof large.details.size, "number");
      assert.equal(large.details.max, 16384);
      // @ts-expect-error: bytes, not the SVG text, on purpose
      assert.throws(() => ocikit.checkLogo(utf8(svg(""))), TypeError);
    });
  });
}

// A lite run (lite.test.mjs) has one entry.
test("registered artifact types are shared by the entries of one process", { skip: implementations.length < 2 }, () => {
  const [[, node], [, wasm]] = implementations;
  const type = "application/vnd.example.shared.config.v1+json";
  node.registerArtifactType({ artifactType: type, displayName: "Shared" });
  assert.equal(wasm.artifactTypes().find((t) => t.artifactType === type)?.displayName, "Shared");
});
