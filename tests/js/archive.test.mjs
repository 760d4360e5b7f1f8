// Directory layers in JS: the reproducibility vectors of tests/vectors/archive/trees.json (the
// digests Rust and Python get), folders given as Files with webkitRelativePath, the hostile
// archives of hostile.json refused with their codes, through both Node entries.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, test } from "node:test";
import { implementations, listedCodes, load } from "./vectors.mjs";

const codes = listedCodes();
const trees = load("archive/trees.json");
const hostile = load("archive/hostile.json");
const utf8 = (s) => new TextEncoder().encode(s);
const sha256 = (bytes) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

function content(entry) {
  if (typeof entry.content === "string") return utf8(entry.content);
  return utf8(entry.repeat.text.repeat(entry.repeat.times));
}

function entriesOf(c) {
  return c.entries.map((e) => {
    const entry = { path: e.path, kind: e.kind, mode: e.mode, mtime: e.mtime };
    if (e.kind === "file") entry.data = content(e);
    if (e.kind === "symlink") entry.target = e.target;
    return entry;
  });
}

function optionsOf(c) {
  return { name: c.directory, mtime: c.options?.mtimes ?? 0, keepModes: c.options?.keepModes ?? false };
}

async function rejectsWith(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.equal(error.name, "OciError", String(error));
    assert.equal(error.code, code, error.message);
    assert.ok(codes.has(error.code));
    return true;
  });
}

for (const [entry, ocikit] of implementations) {
  describe(`directories (${entry})`, () => {
    for (const c of trees.cases) {
      test(`trees.json: ${c.name}`, async () => {
        const packed = await ocikit.packDirectory(entriesOf(c), optionsOf(c));
        const data = packed.file.data;
        assert.deepEqual({ digest: packed.contentDigest, size: packed.contentSize }, c.tar);
        assert.deepEqual({ digest: sha256(data), size: data.length }, c.gzip);
        assert.equal(sha256(gunzipSync(data)), c.tar.digest, "node:zlib reads the same tar");
        assert.deepEqual(packed.descriptor.annotations, {
          "io.deis.oras.content.digest": c.tar.digest,
          "io.deis.oras.content.unpack": "true",
          "org.opencontainers.image.title": c.directory,
        });
        assert.equal(ocikit.shouldUnpack(packed.descriptor), true);
        // The packed file is a layer pack() takes as it is.
        const artifact = ocikit.pack({ artifactType: "application/vnd.example.dir.v1", files: [packed.file] });
        assert.deepEqual(artifact.manifest ? JSON.parse(new TextDecoder().decode(artifact.manifest)).layers[0] : null, packed.descriptor);
        // And unpacks to the same entries, fed in small pieces.
        const pieces = (async function* () {
          for (let i = 0; i < data.length; i += 97) yield data.subarray(i, i + 97);
        })();
        const unpacked = await ocikit.unpackDirectory(pieces, packed.descriptor);
        assert.equal(unpacked.contentDigest, c.tar.digest);
        for (const e of c.entries.filter((x) => x.kind === "file")) {
          const found = unpacked.entries.find((x) => x.path === `${c.directory}/${e.path}`);
          assert.deepEqual(found.data, content(e), e.path);
        }
        for (const e of c.entries.filter((x) => x.kind === "symlink")) {
          const found = unpacked.entries.find((x) => x.path === `${c.directory}/${e.path}`);
          assert.equal(found.type, "symlink");
          assert.equal(found.target, e.target);
        }
      });
    }

    for (const c of trees.refused) {
      test(`trees.json refused: ${c.name}`, async () => {
        await rejectsWith(ocikit.packDirectory(entriesOf(c), optionsOf(c)), c.code);
      });
    }

    test("Files with webkitRelativePath are the folder they name", async () => {
      const c = trees.cases[0];
      const files = c.entries
        .filter((e) => e.kind === "file")
        .map((e) => {
          const file = new File([content(e)], e.path.split("/").pop(), { lastModified: e.mtime * 1000 });
          Object.defineProperty(file, "webkitRelativePath", { value: `${c.directory}/${e.path}` });
          return file;
        });
      const packed = await ocikit.packDirectory(files);
      assert.equal(packed.file.name, "mydir");
      // Without links, modes or the empty directory it is another tree: the same one as
      // the equivalent entries give.
      const same = await ocikit.packDirectory(
        c.entries.filter((e) => e.kind === "file").map((e) => ({ path: e.path, data: content(e) })),
        { name: "mydir" },
      );
      assert.deepEqual(packed.file.data, same.file.data);
      assert.equal((await ocikit.packDirectory(files, { mtime: "real" })).contentDigest === packed.contentDigest, false);
    });

    test("a FileSystemDirectoryHandle is walked as the folder it is", async () => {
      // The File System Access API's shape (browsers only): kind, name, values(), getFile().
      const fileHandle = (name, text, lastModified) => ({
        kind: "file",
        name,
        getFile: async () => new File([utf8(text)], name, { lastModified }),
      });
      const directoryHandle = (name, children) => ({
        kind: "directory",
        name,
        async *values() {
          yield* children;
        },
      });
      const handle = directoryHandle("site", [
        fileHandle("index.html", "<h1>hello</h1>\n", 5000),
        directoryHandle("css", [fileHandle("main.css", "h1 {}\n", 6000)]),
        directoryHandle("empty", []),
      ]);
      const packed = await ocikit.packDirectory(handle);
      const same = await ocikit.packDirectory(
        [
          { path: "index.html", data: utf8("<h1>hello</h1>\n") },
          { path: "css/main.css", data: utf8("h1 {}\n") },
          { path: "empty", kind: "directory" },
        ],
        { name: "site" },
      );
      assert.equal(packed.file.name, "site");
      assert.deepEqual(packed.file.data, same.file.data);
      const { entries } = await ocikit.unpackDirectory(packed.file.data, packed.descriptor);
      assert.deepEqual(
        entries.map((e) => `${e.type} ${e.path}`),
        ["directory site", "directory site/css", "file site/css/main.css", "directory site/empty", "file site/index.html"],
      );
    });

    test("a .git component is refused unless allowed", async () => {
      const layer = new Uint8Array(readFileSync(new URL("../vectors/archive/hostile/git-config.tar.gz", import.meta.url)));
      const descriptor = {
        mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
        digest: sha256(layer),
        size: layer.length,
        annotations: { "org.opencontainers.image.title": "d", "io.deis.oras.content.unpack": "true" },
      };
      await rejectsWith(ocikit.unpackDirectory(layer, descriptor), "PATH_UNSAFE");
      const { entries } = await ocikit.unpackDirectory(layer, descriptor, { allowGit: true });
      assert.ok(entries.some((e) => e.path === "d/.git/config"));
    });

    for (const h of hostile.cases) {
      test(`hostile.json: ${h.name}`, async () => {
        const layer = new Uint8Array(readFileSync(new URL(`../vectors/archive/${h.file}`, import.meta.url)));
        const annotations = { "org.opencontainers.image.title": h.title, "io.deis.oras.content.unpack": "true" };
        if (h.contentDigest) annotations["io.deis.oras.content.digest"] = h.contentDigest;
        const descriptor = {
          mediaType: "application/vnd.oci.image.layer.v1.tar+gzip",
          digest: sha256(layer),
          size: layer.length,
          annotations,
        };
        await rejectsWith(ocikit.unpackDirectory(layer, descriptor), h.code);
      });
    }
  });
}
