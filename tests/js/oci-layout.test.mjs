// OciLayout: an OCI image layout in memory as a target of the Client's operations (the core's
// LayoutServer answers its pseudo host; this package carries the steps out on a Map), read from
// and written to tar bytes by the core. The layout tar vectors (tests/vectors/layout-tar/) are
// the contract with Python; copies registry → layout tar → registry run against docker-registry
// (registry-server.mjs), and the tar is read back by Python's OciLayout and by the ORAS CLI.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { Client, OciError, OciLayout, copy, layoutTar, pack } from "ocikit";
import { startRegistry } from "./registry-server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const CASES = JSON.parse(readFileSync(join(ROOT, "tests", "vectors", "layout-tar", "cases.json"), "utf8"));
const PYTHON = join(ROOT, ".venv", "bin", "python");
const ORAS = join(ROOT, ".cache", "tools", "bin", "oras");
const DOCS = "application/vnd.example.docs.config.v1+json";
const SIGNATURE = "application/vnd.example.signature.config.v1+json";
const text = (s) => new TextEncoder().encode(s);
const b64 = (s) => new Uint8Array(Buffer.from(s, "base64"));
const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

function docs(files, extra = {}) {
  return pack({
    artifactType: DOCS,
    files: Object.entries(files).map(([name, data]) => ({ name, mediaType: "text/plain", data: text(data) })),
    ...extra,
  });
}

describe("layout tar vectors", () => {
  for (const c of CASES.written) {
    test(`written: ${c.name}`, () => {
      const files = c.files.map((f) => [f.path, b64(f.data)]);
      const expected = OciLayout.fromFiles(files).toTar();
      assert.equal(sha256(expected), c.digest);
      assert.equal(expected.byteLength, c.size);
      assert.deepEqual(OciLayout.fromFiles(new Map([...files].reverse())).toTar(), expected); // any order
      assert.deepEqual(OciLayout.fromTar(expected).toTar(), expected);
      const back = OciLayout.fromTar(expected).files;
      assert.deepEqual([...back.keys()].sort(), files.map(([p]) => p).sort());
      for (const [path, data] of files) assert.deepEqual(back.get(path), data);
    });
  }

  for (const c of CASES.artifacts) {
    test(`artifact: ${c.name} (layoutTar and OciLayout.push give Python's bytes)`, async () => {
      const manifest = b64(c.manifest);
      const blobs = c.blobs.map((data) => ({ data: b64(data) }));
      const tar = layoutTar({ manifest, blobs, tag: c.tag });
      assert.equal(sha256(tar), c.digest);
      const layout = new OciLayout();
      for (const { data } of blobs) await layout.pushBlob({ mediaType: "application/octet-stream", digest: sha256(data), size: data.byteLength }, data);
      await layout.pushManifest(c.tag, manifest, "application/vnd.oci.image.manifest.v1+json");
      assert.equal(sha256(layout.toTar()), c.digest);
    });
  }

  for (const c of CASES.refused) {
    test(`refused: ${c.name}`, () => {
      const options = c.entriesMax === undefined ? undefined : { entriesMax: c.entriesMax };
      assert.throws(() => OciLayout.fromTar(b64(c.tar), options), (error) => error instanceof OciError && error.code === c.code);
    });
  }
});

describe("OciLayout", () => {
  test("a new layout is the core's empty layout; push, resolve, fetch, tags, pull, attach, discover", async () => {
    const layout = new OciLayout();
    assert.deepEqual([...layout.files.keys()].sort(), ["index.json", "oci-layout"]);
    const packed = docs({ "a.txt": "hello" });
    const pushed = await layout.push("v1", packed);
    assert.equal(pushed.descriptor.digest, packed.digest);
    assert.deepEqual(await layout.tags(), ["v1"]);
    assert.equal((await layout.resolve("v1")).digest, packed.digest);
    assert.deepEqual((await layout.fetch("v1")).bytes, packed.manifest);
    await layout.tag("v1", "v2");
    assert.deepEqual(await layout.tags(), ["v1", "v2"]);
    const pulled = await layout.pull("v2");
    assert.deepEqual(pulled.files.map((f) => [f.path, new TextDecoder().decode(f.bytes)]), [["a.txt", "hello"]]);
    const sig = pack({ artifactType: SIGNATURE, files: [{ name: "sig", mediaType: "text/plain", data: text("s") }], subject: pushed.descriptor });
    await layout.attach(sig);
    const tree = await layout.discover("v1");
    assert.deepEqual(tree.map((n) => n.descriptor.digest), [sig.digest]);
    // The same bytes as layoutTar for the same content (one artifact, one tag).
    const plain = new OciLayout();
    await plain.push("v1", packed);
    assert.deepEqual(plain.toTar(), layoutTar({ ...packed, tag: "v1" }));
    // Round trip through tar bytes.
    const back = OciLayout.fromTar(layout.toTar());
    assert.deepEqual(await back.tags(), ["v1", "v2"]);
    assert.deepEqual((await back.discover("v1")).map((n) => n.descriptor.digest), [sig.digest]);
    await assert.rejects(back.resolve("nope"), (error) => error instanceof OciError && error.code === "MANIFEST_UNKNOWN");
  });

  test("copy between layouts, either form", async () => {
    const a = new OciLayout();
    const packed = docs({ "a.txt": "a" });
    const pushed = await a.push("v1", packed);
    const sig = pack({ artifactType: SIGNATURE, files: [{ name: "s", mediaType: "text/plain", data: text("s") }], subject: pushed.descriptor });
    await a.attach(sig);
    const b = new OciLayout();
    await copy(a, "v1", b, "v2", { referrers: true });
    assert.deepEqual(await b.tags(), ["v2"]);
    assert.equal((await b.discover("v2")).length, 1);
    const c = new OciLayout();
    await a.copy("v1", "v3", { to: c });
    assert.deepEqual(await c.tags(), ["v3"]);
    assert.equal((await c.discover("v3")).length, 0); // without referrers
    // @ts-expect-error: not a Client or an OciLayout
    assert.throws(() => copy(a, "v1", {}, "x"), TypeError);
  });
});

describe("OciLayout and a registry", () => {
  let registry;
  let client;
  let dir;
  before(async () => {
    registry = await startRegistry();
    client = new Client({ registry: registry.address, plainHttp: true });
    dir = mkdtempSync(join(tmpdir(), "ocikit-layout-tar-"));
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("OciLayout.createIndex and updateIndex: Python's create_index gives the same index, ORAS reads it", async () => {
    const BUNDLE = "application/vnd.cnab.manifest.v1";
    const layout = new OciLayout();
    const a = await layout.push("a", docs({ "a.md": "# a\n" }));
    const b = await layout.push("b", docs({ "b.md": "# b\n" }));
    const index = await layout.createIndex("both", ["a", b.descriptor.digest], { artifactType: BUNDLE, tags: ["stable"] });
    const fetched = await layout.fetchIndex("stable");
    assert.deepEqual(fetched.manifests.map((m) => m.digest), [a.descriptor.digest, b.descriptor.digest]);
    assert.equal(fetched.artifactType, BUNDLE);
    assert.equal((await layout.resolve("both")).digest, index.digest);
    // The index a registry gets from Client.createIndex over the same children: the same bytes.
    await client.push("js/index:a", docs({ "a.md": "# a\n" }));
    await client.push("js/index:b", docs({ "b.md": "# b\n" }));
    const pushed = await client.createIndex("js/index:both", ["a", "b"], { artifactType: BUNDLE });
    assert.equal(pushed.digest, index.digest);
    // Untagged: by digest only.
    const single = await layout.createIndex(null, ["a"]);
    assert.deepEqual(await layout.tags(), ["a", "b", "both", "stable"]);
    assert.equal((await layout.resolve(single.digest)).digest, single.digest);

    const updated = await layout.updateIndex("both", { remove: [a.descriptor.digest], artifactType: null });
    const after = await layout.fetchIndex("both");
    assert.deepEqual(after.manifests.map((m) => m.digest), [b.descriptor.digest]);
    assert.equal(after.artifactType, undefined);
    assert.equal((await layout.resolve("both")).digest, updated.digest);
    assert.equal((await layout.resolve("stable")).digest, index.digest, "the other tag keeps the first index");

    const path = join(dir, "index.tar");
    writeFileSync(path, layout.toTar());
    if (existsSync(PYTHON)) {
      const script = [
        "import sys, ocikit",
        "layout = ocikit.OciLayout(sys.argv[1], create=False)",
        "print(ocikit.create_index(layout, None, ['a', 'b'], artifact_type=sys.argv[2], push=False).digest)",
      ].join("\n");
      assert.equal(execFileSync(PYTHON, ["-c", script, path, BUNDLE], { encoding: "utf8" }).trim(), index.digest);
    }
    if (existsSync(ORAS)) {
      const served = JSON.parse(execFileSync(ORAS, ["manifest", "fetch", "--oci-layout", `${path}:both`], { encoding: "utf8" }));
      assert.deepEqual(served.manifests.map((m) => m.digest), [b.descriptor.digest]);
    }
  });

  test("OciLayout.resolve gives what Python's does: the index.json entry, else the manifest found", async () => {
    const BUNDLE = "application/vnd.cnab.manifest.v1";
    // An index copied from a registry: its entry is the layout's, its children are blobs only.
    const a = docs({ "a.md": "# a\n" });
    await client.push("js/resolve:a", a);
    await client.push("js/resolve:b", docs({ "b.md": "# b\n" }));
    const index = await client.createIndex("js/resolve:both", ["a", "b"], { artifactType: BUNDLE });
    const layout = new OciLayout();
    await copy(client, "js/resolve:both", layout, "both");
    const tagged = await layout.push("t", docs({ "t.md": "# t\n" }));
    const untagged = await layout.push(null, docs({ "u.md": "# u\n" }));
    const refs = ["both", index.digest, a.digest, "t", tagged.descriptor.digest, untagged.descriptor.digest];
    const resolved = [];
    for (const ref of refs) resolved.push(await layout.resolve(ref));
    const tag = (name) => ({ "org.opencontainers.image.ref.name": name });
    // An entry, by tag or digest: with its tag and artifact type.
    for (const found of resolved.slice(0, 2)) {
      assert.deepEqual(found, { mediaType: "application/vnd.oci.image.index.v1+json", digest: index.digest, size: found.size, annotations: tag("both"), artifactType: BUNDLE });
    }
    for (const found of resolved.slice(3, 5)) assert.deepEqual(found, { ...tagged.descriptor, annotations: tag("t") });
    assert.deepEqual(resolved[5], untagged.descriptor);
    // A child without an entry: what the layout's server found in the manifest itself.
    assert.deepEqual(resolved[2], a.descriptor);
    if (existsSync(PYTHON)) {
      const path = join(dir, "resolve.tar");
      writeFileSync(path, layout.toTar());
      const script = [
        "import json, sys, ocikit",
        "layout = ocikit.OciLayout(sys.argv[1], create=False)",
        "print(json.dumps([json.loads(layout.resolve(ref).to_json()) for ref in sys.argv[2:]]))",
      ].join("\n");
      const python = JSON.parse(execFileSync(PYTHON, ["-c", script, path, ...refs], { encoding: "utf8" }));
      assert.deepEqual(resolved, python);
    }
  });

  test("registry → layout tar → registry, with referrers; Python and ORAS read the tar", async () => {
    const packed = docs({ "readme.md": "# hello\n" });
    const pushed = await client.push("js/layout:v1", packed);
    const sig = pack({ artifactType: SIGNATURE, files: [{ name: "sig.txt", mediaType: "text/plain", data: text("signed\n") }], subject: pushed.descriptor });
    await client.attach("js/layout:v1", sig);

    // registry → layout (client.copy with a layout as `to`)
    const layout = new OciLayout();
    const copied = await client.copy("js/layout:v1", "v1", { to: layout, referrers: true });
    assert.equal(copied.descriptor.digest, packed.digest);
    const tar = layout.toTar();
    const path = join(dir, "js.tar");
    writeFileSync(path, tar);

    // layout tar → another repository (the free copy)
    const back = OciLayout.fromTar(readFileSync(path));
    await copy(back, "v1", client, "js/restored:v1", { referrers: true });
    assert.equal((await client.resolve("js/restored:v1")).digest, packed.digest);
    const tree = await client.discover("js/restored:v1");
    assert.deepEqual(tree.map((n) => n.descriptor.digest), [sig.digest]);

    // Python's OciLayout reads it, and copying it into a new tar there gives the same bytes.
    if (existsSync(PYTHON)) {
      const script = [
        "import sys, ocikit",
        "src = ocikit.OciLayout(sys.argv[1], create=False)",
        "print(src.resolve('v1').digest, [r.descriptor.digest for r in src.discover('v1')][0])",
        "ocikit.copy(src, 'v1', ocikit.OciLayout(sys.argv[2]), 'v1', referrers=True)",
      ].join("\n");
      const out = execFileSync(PYTHON, ["-c", script, path, join(dir, "py.tar")], { encoding: "utf8" });
      assert.equal(out.trim(), `${packed.digest} ${sig.digest}`);
      assert.deepEqual(readFileSync(join(dir, "py.tar")), Buffer.from(tar));
    }
    // The ORAS CLI reads it.
    if (existsSync(ORAS)) {
      const found = JSON.parse(execFileSync(ORAS, ["discover", "--oci-layout", `${path}:v1`, "--format", "json"], { encoding: "utf8" }));
      assert.deepEqual(found.referrers.map((r) => r.digest), [sig.digest]);
      execFileSync(ORAS, ["pull", "--oci-layout", `${path}:v1`, "-o", join(dir, "oras-out")], { stdio: "ignore" });
      assert.equal(readFileSync(join(dir, "oras-out", "readme.md"), "utf8"), "# hello\n");
    }
  });
});
