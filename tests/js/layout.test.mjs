// layoutTar and readLayoutTar: OCI image layouts as tar archives, checked against the system's
// tar (and skopeo, when installed), through both entries.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { implementations, listedCodes } from "./vectors.mjs";

const codes = listedCodes();
const utf8 = (s) => new TextEncoder().encode(s);
const text = (bytes) => new TextDecoder().decode(bytes);
const TYPE = "application/vnd.example.docs.config.v1+json";
const LAYER = "application/vnd.example.docs.layer.v1+md";
const has = (command) => {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
};

function docs(ocikit, extra = {}) {
  return ocikit.pack({
    artifactType: TYPE,
    files: [
      { name: "overview.md", mediaType: LAYER, data: utf8("# Overview\n") },
      { name: "guide/intro.md", mediaType: LAYER, data: utf8("# Intro\n") },
    ],
    created: "2024-01-01T00:00:00Z",
    ...extra,
  });
}

function withDir(fn) {
  const dir = mkdtempSync(join(tmpdir(), "ocikit-layout-"));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function files(dir, prefix = "") {
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, join(prefix, e.name)) : [join(prefix, e.name)]))
    .sort();
}

function captured(fn) {
  try {
    fn();
  } catch (error) {
    return error;
  }
  assert.fail("expected an error");
}

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("a packed artifact goes into a tar archive and back, verified", () => {
      const packed = docs(ocikit);
      const tar = ocikit.layoutTar({ ...packed, tag: "v1" });
      assert.ok(tar instanceof Uint8Array);
      assert.equal(tar.length % 512, 0);
      assert.deepEqual(ocikit.layoutTar({ ...packed, tag: "v1" }), tar, "deterministic");

      const layout = ocikit.readLayoutTar(tar);
      assert.deepEqual(Object.keys(layout), ["tags", "manifests", "blobs", "report"]);
      assert.deepEqual(layout.report, { valid: true, kind: "layout", findings: [] });
      assert.deepEqual(layout.tags, ["v1"]);
      assert.deepEqual(layout.manifests, [
        { ...packed.descriptor, annotations: { "org.opencontainers.image.ref.name": "v1" } },
      ]);
      assert.ok(layout.blobs instanceof Map);
      assert.deepEqual([...layout.blobs.keys()].sort(), [packed.digest, ...packed.blobs.map((b) => b.descriptor.digest)].sort());
      assert.deepEqual(layout.blobs.get(packed.digest), packed.manifest);
      for (const blob of packed.blobs) assert.deepEqual(layout.blobs.get(blob.descriptor.digest), blob.data);
      // The manifest read back is the one packed, byte for byte.
      const manifestBytes = layout.blobs.get(layout.manifests[0].digest);
      assert.ok(manifestBytes);
      assert.equal(ocikit.parseManifest(manifestBytes).digest, packed.digest);
    });

    test("the system tar extracts the archive into a valid layout directory", () => {
      const packed = docs(ocikit);
      const tar = ocikit.layoutTar({ ...packed, tag: "v1" });
      withDir((dir) => {
        writeFileSync(join(dir, "layout.tar"), tar);
        const listing = execFileSync("tar", ["-tvf", join(dir, "layout.tar")], { encoding: "utf8" });
        assert.match(listing, /^drwxr-xr-x 0\/0 .* blobs\/$/m);
        assert.match(listing, /^-rw-r--r-- 0\/0 .* oci-layout$/m);
        const out = join(dir, "out");
        execFileSync("mkdir", [out]);
        execFileSync("tar", ["-xf", join(dir, "layout.tar"), "-C", out]);
        const expected = ["index.json", "oci-layout", ...[packed.digest, ...packed.blobs.map((b) => b.descriptor.digest)].map((d) => `blobs/sha256/${d.slice(7)}`)];
        assert.deepEqual(files(out), expected.sort());
        assert.equal(readFileSync(join(out, "oci-layout"), "utf8"), '{"imageLayoutVersion":"1.0.0"}');
        const index = JSON.parse(readFileSync(join(out, "index.json"), "utf8"));
        assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], "v1");
        assert.equal(index.manifests[0].digest, packed.digest);
        assert.ok(ocikit.validate(readFileSync(join(out, "index.json")), "index").valid);
        assert.deepEqual(new Uint8Array(readFileSync(join(out, "blobs/sha256", packed.digest.slice(7)))), packed.manifest);
        for (const blob of packed.blobs) {
          ocikit.verify(readFileSync(join(out, "blobs/sha256", blob.descriptor.digest.slice(7))), blob.descriptor.digest, blob.descriptor.size);
        }
        // And an archive the system tar made of that directory reads back the same.
        execFileSync("tar", ["-cf", join(dir, "system.tar"), "-C", out, "."]);
        const reread = ocikit.readLayoutTar(readFileSync(join(dir, "system.tar")));
        assert.deepEqual(reread.report.findings, []);
        assert.deepEqual(reread.tags, ["v1"]);
        assert.equal(reread.blobs.size, 1 + packed.blobs.length);
      });
    });

    test("skopeo reads the archive as an oci-archive", { skip: !has("skopeo") && "skopeo is not installed" }, () => {
      const packed = docs(ocikit);
      withDir((dir) => {
        const file = join(dir, "layout.tar");
        writeFileSync(file, ocikit.layoutTar({ ...packed, tag: "v1" }));
        const raw = execFileSync("skopeo", ["inspect", "--raw", `oci-archive:${file}:v1`], { timeout: 30_000 });
        assert.deepEqual(new Uint8Array(raw), packed.manifest);
      });
    });

    test("several manifests, an index, a streamed file and extra blobs", () => {
      const a = docs(ocikit);
      const big = new Uint8Array(3000).fill(7);
      const b = ocikit.pack({
        artifactType: TYPE,
        files: [{ name: "big.bin", digest: ocikit.digest(big), size: big.length }],
        subject: a.descriptor,
      });
      assert.equal(b.blobs[1].data, undefined, "the streamed file has no data in the pack result");
      const index = ocikit.packIndex({ manifests: [a.descriptor, b.descriptor], artifactType: "application/vnd.example.set.config.v1+json" });
      const tar = ocikit.layoutTar({
        manifests: [{ ...a, tag: "a" }, b, { ...index, tag: "set" }],
        blobs: [{ data: big }],
      });
      const layout = ocikit.readLayoutTar(tar);
      assert.deepEqual(layout.report.findings, []);
      assert.deepEqual(layout.tags, ["a", "set"]);
      assert.deepEqual(layout.manifests.map((d) => d.digest), [a.digest, b.digest, index.digest]);
      assert.equal(layout.manifests[2].mediaType, "application/vnd.oci.image.index.v1+json");
      assert.deepEqual(layout.blobs.get(ocikit.digest(big)), big);

      // Without the streamed file's bytes the layout is incomplete, and the report says so.
      const incomplete = ocikit.readLayoutTar(ocikit.layoutTar({ manifests: [a, b] }));
      assert.equal(incomplete.report.valid, false);
      assert.deepEqual(
        incomplete.report.findings.map((f) => [f.code, f.path]),
        [["BLOB_MISSING", `blobs/sha256/${ocikit.digest(big).slice(7)}#`]],
      );
      // A manifest given as bytes alone is read for its descriptor.
      const bare = ocikit.readLayoutTar(ocikit.layoutTar({ manifest: a.manifest, blobs: a.blobs, tag: "bare" }));
      assert.deepEqual(bare.manifests, [{ ...a.descriptor, annotations: { "org.opencontainers.image.ref.name": "bare" } }]);
      assert.ok(bare.report.valid);
    });

    test("damage to an archive shows in the report", () => {
      const packed = docs(ocikit);
      const tar = ocikit.layoutTar({ ...packed, tag: "v1" });
      // Flip one byte of the first layer's content, found by its text.
      const at = Buffer.from(tar).indexOf("# Overview");
      const damaged = tar.slice();
      damaged[at] = "!".charCodeAt(0);
      const report = ocikit.readLayoutTar(damaged).report;
      assert.equal(report.valid, false);
      assert.deepEqual(report.findings.map((f) => f.code), ["DIGEST_MISMATCH"]);
      assert.match(report.findings[0].path, /^blobs\/sha256\/[0-9a-f]{64}#$/);
      // Cut short, empty, or not a tar archive at all: what is missing is reported.
      for (const bytes of [tar.subarray(0, 1536), new Uint8Array(), utf8("not a tar archive").slice(), new Uint8Array(1024).fill(0x41)]) {
        const cut = ocikit.readLayoutTar(bytes);
        assert.equal(cut.report.valid, false);
        assert.ok(cut.report.findings.every((f) => codes.has(f.code) && f.severity === "error"));
        assert.ok(cut.report.findings.some((f) => f.code === "BLOB_MISSING"));
      }
      assert.deepEqual(ocikit.readLayoutTar(new Uint8Array()).report.findings.map((f) => f.path), ["oci-layout#", "index.json#"]);
    });

    test("layoutTar errors: codes for content, TypeErrors for argument types", () => {
      const packed = docs(ocikit);
      const code = (fn) => {
        const error = captured(fn);
        assert.ok(error instanceof ocikit.OciError, String(error));
        assert.ok(codes.has(error.code));
        return error.code;
      };
      assert.equal(code(() => ocikit.layoutTar({ ...packed, tag: "a b" })), "REFERENCE_INVALID");
      assert.equal(code(() => ocikit.layoutTar({ ...packed, manifest: utf8("{}") })), "SIZE_MISMATCH");
      assert.equal(code(() => ocikit.layoutTar({ ...packed, manifest: packed.manifest.map((x) => (x === 0x32 ? 0x33 : x)) })), "DIGEST_MISMATCH");
      assert.equal(code(() => ocikit.layoutTar({ manifest: utf8("{}") })), "FIELD_MISSING");
      const bad = { descriptor: packed.blobs[1].descriptor, data: utf8("other") };
      assert.equal(code(() => ocikit.layoutTar({ ...packed, blobs: [bad] })), "SIZE_MISMATCH");
      assert.equal(code(() => ocikit.layoutTar({ manifests: [packed], blobs: [{ digest: "sha256:abc", data: utf8("") }] })), "DIGEST_INVALID");
      for (const contents of [
        undefined,
        null,
        packed.manifest,
        [packed],
        {},
        { ...packed, manifest: text(packed.manifest) },
        { ...packed, tags: ["v1"] },
        { ...packed, blobs: "none" },
        { manifests: packed },
        { manifests: [packed], tag: "v1" },
        { manifests: [packed], blobs: [{ digest: packed.digest }] },
        { ...packed, tag: 1 },
      ]) {
        assert.throws(() => ocikit.layoutTar(contents), TypeError);
      }
      // @ts-expect-error: not bytes, deliberately
      for (const value of [undefined, null, "tar", {}]) assert.throws(() => ocikit.readLayoutTar(value), TypeError);
    });
  });
}
