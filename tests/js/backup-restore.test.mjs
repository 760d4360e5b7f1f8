// backup and restore (oras backup / oras restore; Python's ocikit.backup / ocikit.restore)
// against docker-registry (registry-server.mjs: distribution 2.8.2, no referrers API, so a
// referrer is listed under the referrers tag schema's tag `sha256-<hex>`). Which tags are copied
// is the core's choice (registry::whole::backup::select_tags), the same one Python's backup makes:
// the layout tar of a JS backup is byte for byte the tar Python's ocikit.backup writes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { Client, OciError, OciLayout, backup, digest, pack, restore } from "ocikit";
import { startRegistry } from "./registry-server.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PYTHON = join(ROOT, ".venv", "bin", "python");
const DOCS = "application/vnd.example.docs.config.v1+json";
const SIGNATURE = "application/vnd.example.signature.config.v1+json";
const BUNDLE = "application/vnd.cnab.manifest.v1";
const text = (s) => new TextEncoder().encode(s);

function docs(name, data, extra = {}) {
  return pack({ artifactType: DOCS, files: [{ name, mediaType: "text/plain", data: text(data) }], ...extra });
}

/**
 * The core's one text of an error a restore's check raises, through ocikit for Python (the
 * binding of the same core function the npm package calls): `check` is `_restorable` (args: a
 * layout tar's path and the layout's name) or `_restored` (args: reference, expected, served).
 * @param {"_restorable" | "_restored"} check
 * @param {string[]} args
 * @returns {{ code: string, message: string, details: Record<string, unknown> }}
 */
function coreError(check, args) {
  const script = [
    "import json, sys, ocikit",
    "from ocikit._ocikit import _restorable, _restored",
    "try:",
    "    if sys.argv[1] == '_restorable':",
    "        _restorable(ocikit.OciLayout(sys.argv[2], create=False).verify(), sys.argv[3])",
    "    else:",
    "        _restored(*sys.argv[2:])",
    "except ocikit.OciError as err:",
    "    print(json.dumps({'code': err.code, 'message': str(err), 'details': err.details}))",
  ].join("\n");
  const out = execFileSync(PYTHON, ["-c", script, check, ...args], { encoding: "utf8" });
  assert.notEqual(out, "", `${check} raised nothing`);
  return JSON.parse(out);
}

/** @param {string} code */
function coded(code) {
  return (/** @type {unknown} */ err) => {
    assert.ok(err instanceof OciError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  };
}

describe("backup and restore against docker-registry", () => {
  /** @type {{ address: string, stop: () => Promise<void> }} */
  let registry;
  /** @type {Client} */
  let client;
  /** @type {string} */
  let dir;
  /** @type {string} */
  let repo;
  let one;
  let two;
  let sig;
  let bundle;
  const requests = [];

  before(async () => {
    registry = await startRegistry();
    client = new Client({ registry: registry.address, plainHttp: true });
    dir = mkdtempSync(join(tmpdir(), "ocikit-backup-"));
    // one (signed: a referrer, listed under the tag schema's sha256-<hex> tag), two, and a
    // collection over both.
    repo = `${registry.address}/js/backup`;
    one = docs("one.md", "1");
    two = docs("two.md", "2");
    await client.push(`${repo}:one`, one);
    await client.push(`${repo}:two`, two);
    sig = pack({ artifactType: SIGNATURE, files: [{ name: "sig.txt", mediaType: "text/plain", data: text("signed") }], subject: one.descriptor });
    await client.attach(`${repo}:one`, sig);
    bundle = await client.createIndex(`${repo}:bundle`, ["one", "two"], { artifactType: BUNDLE });
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("every tag but the referrers tag schema's, with the referrers; restored elsewhere and resolved", async () => {
    const listed = await client.listTags(repo);
    assert.ok(listed.includes(`sha256-${one.digest.slice("sha256:".length)}`), listed.join(" "));
    const { layout, tags } = await backup(client, repo);
    assert.deepEqual(tags.map(([tag]) => tag), ["bundle", "one", "two"]);
    assert.deepEqual(tags.map(([, d]) => d.digest), [bundle.digest, one.digest, two.digest]);
    assert.deepEqual(await layout.tags(), ["bundle", "one", "two"]);
    const referrers = await layout.referrers("one");
    assert.deepEqual(referrers.map((r) => r.digest), [sig.digest]);

    // The tar goes through bytes, as a file would; restored into another repository.
    const back = OciLayout.fromTar(layout.toTar());
    const dst = `${registry.address}/js/backup-restored`;
    const restored = await restore(back, client, dst);
    assert.equal(restored.destination, dst);
    assert.deepEqual(restored.tags, tags);
    for (const [tag, descriptor] of tags) assert.equal((await client.resolve(`${dst}:${tag}`)).digest, descriptor.digest);
    assert.deepEqual((await client.referrers(`${dst}:one`)).map((r) => r.digest), [sig.digest]);
    // The referrers tag was written by the copy of the referrer, not as a tag of its own.
    assert.deepEqual((await client.listTags(dst)).sort(), [...listed].sort());
  });

  test("named tags in the order given, each once; referrers: false leaves the referrers out", async () => {
    const { layout, tags } = await backup(client, `${repo}:two,one,two`, { referrers: false });
    assert.deepEqual(tags.map(([tag]) => tag), ["two", "one"]);
    assert.deepEqual(await layout.referrers("one"), []);
    const withReferrers = await backup(client, `${repo}:one`);
    assert.deepEqual((await withReferrers.layout.referrers("one")).map((r) => r.digest), [sig.digest]);
    // restore of named tags only, without referrers.
    const dst = `${registry.address}/js/backup-named`;
    const restored = await restore(withReferrers.layout, client, `${dst}:one`, { referrers: false });
    assert.deepEqual(restored.tags.map(([tag]) => tag), ["one"]);
    assert.deepEqual(await client.listTags(dst), ["one"]);
    assert.deepEqual(await client.referrers(`${dst}:one`), []);
  });

  test("the layout tar is byte for byte the one Python's ocikit.backup writes", { skip: !existsSync(PYTHON) && "no .venv Python" }, async () => {
    /** @type {Array<[string, boolean]>} */
    const cases = [[repo, true], [`${repo}:bundle,one`, false]];
    for (const [ref, referrers] of cases) {
      const { layout } = await backup(client, ref, { referrers });
      const path = join(dir, `py-${referrers}.tar`);
      const script = [
        "import sys, ocikit",
        "client = ocikit.Client(sys.argv[1], plain_http=True)",
        "done = ocikit.backup(client, sys.argv[2], sys.argv[3], referrers=sys.argv[4] == 'true')",
        "print(' '.join(tag for tag, _ in done.tags))",
      ].join("\n");
      execFileSync(PYTHON, ["-c", script, registry.address, ref, path, String(referrers)], { encoding: "utf8" });
      assert.deepEqual(new Uint8Array(readFileSync(path)), layout.toTar(), ref);
    }
  });

  test("a damaged layout is refused before anything is pushed", async () => {
    const { layout } = await backup(client, `${repo}:one`);
    const files = layout.files;
    const layer = (await layout.fetchManifest("one")).layers[0].digest;
    const blob = `blobs/sha256/${layer.slice("sha256:".length)}`;
    assert.deepEqual(files.get(blob), text("1"));
    files.set(blob, text("7")); // the same size, other bytes
    /** @type {string[]} */
    const seen = [];
    const counting = new Client({
      registry: registry.address,
      plainHttp: true,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    const damaged = OciLayout.fromFiles(files);
    /** @type {OciError | undefined} */
    let refused;
    await assert.rejects(restore(damaged, counting, `${registry.address}/js/damaged`), (err) => {
      coded("DIGEST_MISMATCH")(err);
      refused = /** @type {OciError} */ (err);
      return true;
    });
    assert.ok(refused);
    const finding =
      `content digest ${digest(text("7"))} does not match expected ${layer} ` +
      `(referenced by blobs/sha256/${one.digest.slice("sha256:".length)}#/layers/0)`;
    assert.equal(refused.message, `the layout is not an intact OCI layout: ${finding} (at ${blob}#); nothing was restored`);
    assert.deepEqual(refused.details, { path: `${blob}#` }); // file#json-pointer
    // Each damage keeps its code: a blob that is not there is BLOB_MISSING.
    const missing = new Map(files);
    missing.delete(blob);
    await assert.rejects(restore(OciLayout.fromFiles(missing), counting, `${registry.address}/js/damaged`), (err) => {
      coded("BLOB_MISSING")(err);
      assert.deepEqual(/** @type {OciError} */ (err).details, { path: `${blob}#` });
      return true;
    });
    assert.deepEqual(seen, [], "no request reached the registry");
    await assert.rejects(client.listTags(`${registry.address}/js/damaged`), coded("NAME_UNKNOWN"));

    // The same code, text and details as the core's for this layout, which Python's restore
    // raises too: one decision (registry::whole::backup::restorable), not one per language.
    if (existsSync(PYTHON)) {
      const tar = join(dir, "damaged.tar");
      writeFileSync(tar, damaged.toTar());
      const core = coreError("_restorable", [tar, "the layout"]);
      assert.deepEqual({ code: refused.code, message: refused.message, details: refused.details }, core);
    }
  });

  test("a tag the destination names another digest for after its copy is DIGEST_MISMATCH", async () => {
    // Another writer pushes `two` under the tag right after the restore's manifest PUT, before
    // the restore resolves it (Python's test_restore_checks_each_tag_at_the_destination does
    // the same to ocikit for Python).
    const { layout } = await backup(client, `${repo}:one`, { referrers: false });
    const dst = `${registry.address}/js/moved`;
    let moved = false;
    const racing = new Client({
      registry: registry.address,
      plainHttp: true,
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        const put = (init?.method ?? "GET") === "PUT" && String(input).endsWith("/v2/js/moved/manifests/one");
        if (put && response.ok && !moved) {
          moved = true;
          await client.push(`${dst}:one`, two);
        }
        return response;
      },
    });
    /** @type {OciError | undefined} */
    let mismatch;
    await assert.rejects(restore(layout, racing, dst), (err) => {
      coded("DIGEST_MISMATCH")(err);
      mismatch = /** @type {OciError} */ (err);
      return true;
    });
    assert.ok(mismatch && moved);
    assert.equal(mismatch.message, `${dst}:one names ${two.digest} after the restore, not the layout's ${one.digest}`);
    assert.deepEqual(mismatch.details, { expected: one.digest, actual: two.digest });
    if (existsSync(PYTHON)) {
      const core = coreError("_restored", [`${dst}:one`, one.digest, two.digest]);
      assert.deepEqual({ code: mismatch.code, message: mismatch.message, details: mismatch.details }, core);
    }
    // Without the other writer, the same restore passes its check.
    const restored = await restore(layout, client, dst);
    assert.deepEqual(restored.tags.map(([tag, d]) => [tag, d.digest]), [["one", one.digest]]);
  });

  test("refusals: a digest, an empty tag, nothing to copy; arguments", async () => {
    await assert.rejects(backup(client, `${repo}@${one.digest}`), (err) => {
      coded("REFERENCE_INVALID")(err);
      assert.equal(/** @type {OciError} */ (err).details.reason, "a digest (a backup takes tags: the layout records each artifact under its tag)");
      return true;
    });
    for (const ref of [`${repo}:v1,`, `${repo}:v1,,v2`]) {
      await assert.rejects(backup(client, ref), (err) => {
        coded("REFERENCE_INVALID")(err);
        assert.equal(/** @type {OciError} */ (err).message, `invalid reference ${JSON.stringify(ref)}: an empty tag after a comma`);
        assert.deepEqual(/** @type {OciError} */ (err).details, { value: ref, reason: "an empty tag after a comma" });
        return true;
      });
      await assert.rejects(restore(new OciLayout(), client, ref), coded("REFERENCE_INVALID"));
    }
    await assert.rejects(backup(client, "no-registry:v1"), coded("REFERENCE_INVALID"));
    // A bad tag after a comma is refused before the first tag is copied.
    const dst = `${registry.address}/js/bad-tag`;
    await assert.rejects(restore((await backup(client, `${repo}:one`)).layout, client, `${dst}:one,bad tag`), coded("REFERENCE_INVALID"));
    await assert.rejects(client.listTags(dst), coded("NAME_UNKNOWN"));
    // A repository whose only tag is a referrers tag: nothing to back up.
    const lone = `${registry.address}/js/only-referrers`;
    const subject = docs("s.md", "s");
    await client.push(`${lone}@${subject.digest}`, subject);
    await client.attach(`${lone}@${subject.digest}`, pack({ artifactType: SIGNATURE, files: [{ name: "x", mediaType: "text/plain", data: text("x") }], subject: subject.descriptor }));
    assert.equal((await client.listTags(lone)).length, 1);
    await assert.rejects(backup(client, lone), (err) => {
      coded("MANIFEST_UNKNOWN")(err);
      assert.deepEqual(/** @type {OciError} */ (err).details, { repository: lone });
      return true;
    });
    // An empty layout: nothing to restore (and nothing pushed).
    await assert.rejects(restore(new OciLayout(), client, `${registry.address}/js/empty`), (err) => {
      coded("MANIFEST_UNKNOWN")(err);
      assert.deepEqual(/** @type {OciError} */ (err).details, { layout: "the layout" });
      return true;
    });
    // A tag the repository lacks: the copy's MANIFEST_UNKNOWN.
    await assert.rejects(backup(client, `${repo}:missing`), coded("MANIFEST_UNKNOWN"));
    // Tags given to a push or a copy are read as backupTags reads a listing: one reading of a
    // string array in the wasm module, naming the item that is not a string.
    // @ts-expect-error: a tag that is not a string
    await assert.rejects(client.push(`${registry.address}/js/tags:v1`, two, { tags: ["v2", 3] }), {
      name: "TypeError",
      message: "options.tags[1] must be a string",
    });
    // @ts-expect-error: tags that are not an array
    await assert.rejects(client.push(`${registry.address}/js/tags:v1`, two, { tags: "v2" }), {
      name: "TypeError",
      message: "options.tags must be an array",
    });
    await assert.rejects(client.listTags(`${registry.address}/js/tags`), coded("NAME_UNKNOWN"));
    // @ts-expect-error: a wrong argument's type
    await assert.rejects(backup("not a client", repo), TypeError);
    // @ts-expect-error: an option that does not exist
    await assert.rejects(backup(client, repo, { refferers: false }), TypeError);
  });
});
