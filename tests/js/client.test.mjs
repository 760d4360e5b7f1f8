// The Client against a real registry: Debian's docker-registry (CNCF distribution 2.8.2) on
// 127.0.0.1, open, behind htpasswd Basic auth, and behind Bearer tokens from the test token
// server (registry-server.mjs). distribution 2.8.2 has no referrers API and no
// tag pagination, so referrers go through the tag-schema fallback here (the API path is covered
// by the transcripts).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Client, OciError, digest, pack } from "ocikit";
import * as wasmEntry from "ocikit/wasm";
import { HTPASSWD_BIN, OPENSSL_BIN, startRegistry } from "./registry-server.mjs";

const ARTIFACT_TYPE = "application/vnd.example.docs.config.v1+json";
const SIGNATURE_TYPE = "application/vnd.example.signature.config.v1+json";
const text = (s) => new TextEncoder().encode(s);

let open;
let client;

before(async () => {
  open = await startRegistry();
  client = new Client({ registry: open.address, plainHttp: true });
});

after(async () => {
  await open?.stop();
});

/** Packs `files` ({ name: bytes }) as a docs artifact. */
function packFiles(files, extra = {}) {
  return pack({
    artifactType: ARTIFACT_TYPE,
    files: Object.entries(files).map(([name, data]) => ({ name, mediaType: "application/vnd.example.docs.layer.v1+md", data })),
    ...extra,
  });
}

test("pack, push (one file uploaded in chunks), pull back byte for byte", async () => {
  const files = {
    "readme.md": text("# Docs\n\nThe first page.\n"),
    "big.bin": randomBytes(3 * 256 * 1024 + 1234), // over three chunks
    "empty.txt": new Uint8Array(0),
  };
  const packed = packFiles(files, { annotations: { "org.example.purpose": "round trip" } });
  const progress = [];
  const pushed = await client.push("docs/round-trip:v1", packed, {
    chunkSize: 256 * 1024,
    onProgress: (done, total) => progress.push([done, total]),
  });
  assert.equal(pushed.descriptor.digest, packed.digest);
  assert.equal(pushed.descriptor.size, packed.size);
  assert.equal(pushed.descriptor.artifactType, ARTIFACT_TYPE);
  assert.deepEqual(pushed.tags, ["v1"]);
  // The empty file and the config's empty JSON are distinct blobs; each was uploaded once.
  assert.deepEqual(pushed.blobs.map((b) => [b.descriptor.digest, b.status]), [...new Set(packed.blobs.map((b) => b.descriptor.digest))].map((d) => [d, "uploaded"]));
  const total = packed.blobs.reduce((sum, b) => sum + b.descriptor.size, 0);
  assert.deepEqual(progress.at(-1), [total, total]);
  // The total is every blob's from the first report: no report says done before the end.
  assert.deepEqual([...new Set(progress.map(([, all]) => all))], [total], JSON.stringify(progress.slice(0, 3)));
  assert.ok(progress.some(([done]) => done > 0 && done < total), "progress is reported between chunks");
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i][0] >= progress[i - 1][0], "progress only grows");

  // Pulled with the other entry: wasm hashing instead of node:crypto.
  const other = new wasmEntry.Client({ registry: open.address, plainHttp: true });
  for (const puller of [client, other]) {
    const pulled = await puller.pull(`${open.address}/docs/round-trip:v1`);
    assert.equal(pulled.digest, packed.digest);
    assert.equal(pulled.mediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.deepEqual(pulled.bytes, packed.manifest);
    assert.deepEqual(pulled.manifest.annotations, { "org.example.purpose": "round trip" });
    const byTitle = new Map(pulled.files.map((file) => [file.path, file.bytes]));
    for (const [name, data] of Object.entries(files)) assert.deepEqual(byTitle.get(name), new Uint8Array(data), name);
    // The files in the manifest's order, each with its layer.
    assert.deepEqual(pulled.files.map((f) => f.descriptor), pulled.manifest.layers);
  }
});

test("pushBlob from a Blob in chunks, then blobSize, blobExists and fetchBlob with progress", async () => {
  const data = randomBytes(700_000);
  const descriptor = { mediaType: "application/octet-stream", digest: digest(data), size: data.length };
  const sent = [];
  assert.equal(
    await client.pushBlob("docs/blobs", descriptor, new Blob([data]), { chunkSize: 200_000, onProgress: (done) => sent.push(done) }),
    true,
  );
  assert.deepEqual(sent, [200_000, 400_000, 600_000, 700_000, 700_000]);
  assert.equal(await client.pushBlob("docs/blobs", descriptor, data), false, "a blob the repository has is skipped");
  assert.equal(await client.blobSize("docs/blobs", descriptor.digest), data.length);
  assert.equal(await client.blobSize("docs/blobs", digest(text("absent"))), null);
  assert.equal(await client.blobExists("docs/blobs", descriptor.digest), true);
  assert.equal(await client.blobExists("docs/blobs", digest(text("absent"))), false);

  const received = [];
  const fetched = await client.fetchBlob("docs/blobs", descriptor, { onProgress: (done, total) => received.push([done, total]) });
  assert.deepEqual(fetched, new Uint8Array(data));
  assert.deepEqual(received.at(-1), [data.length, data.length]);

  // The registry serves the blob to anyone asking in that repository, but checks it is the one asked for.
  const wrong = { ...descriptor, size: descriptor.size + 1 };
  await assert.rejects(client.fetchBlob("docs/blobs", wrong), (e) => e instanceof OciError && e.code === "SIZE_MISMATCH");
  await assert.rejects(
    client.pushBlob("docs/blobs", descriptor, data.subarray(1)),
    (e) => e instanceof OciError && e.code === "SIZE_MISMATCH",
  );
});

test("resolve, tag and listTags", async () => {
  const packed = packFiles({ "a.md": text("# A\n") });
  await client.push("docs/tags:v1", packed);
  const resolved = await client.resolve("docs/tags:v1");
  assert.deepEqual(resolved, { mediaType: packed.mediaType, digest: packed.digest, size: packed.size });
  assert.deepEqual(await client.resolve(`docs/tags@${packed.digest}`), resolved);

  assert.deepEqual(await client.tag("docs/tags:v1", "latest"), resolved);
  assert.deepEqual(await client.tag(`docs/tags@${packed.digest}`, "stable"), resolved);
  assert.deepEqual(await client.resolve("docs/tags:stable"), resolved);
  // distribution 2.8.2 ignores n and sends everything in one page: listing still works.
  assert.deepEqual((await client.listTags("docs/tags")).sort(), ["latest", "stable", "v1"]);
  assert.deepEqual((await client.listTags("docs/tags", { pageSize: 1 })).sort(), ["latest", "stable", "v1"]);

  // fetch: the exact bytes; fetchManifest: the manifest parsed.
  const fetched = await client.fetch("docs/tags:stable");
  assert.deepEqual(fetched, { mediaType: packed.mediaType, digest: packed.digest, bytes: packed.manifest });
  const manifest = await client.fetchManifest("docs/tags:stable");
  assert.equal(manifest.artifactType, ARTIFACT_TYPE);
  assert.equal(manifest.layers[0].annotations["org.opencontainers.image.title"], "a.md");
});

test("push with a subject updates the referrers tag; referrers() lists and filters", async () => {
  const subject = packFiles({ "doc.md": text("# Signed\n") });
  await client.push("docs/referred:v1", subject);
  const signature = pack({
    artifactType: SIGNATURE_TYPE,
    files: [{ name: "sig.txt", data: text("signature bytes") }],
    annotations: { "org.example.signer": "alice" },
    subject: subject.descriptor,
  });
  await client.push("docs/referred", signature);
  const sbom = pack({
    artifactType: "application/vnd.example.sbom.config.v1+json",
    files: [{ name: "sbom.json", data: text("{}") }],
    subject: subject.descriptor,
  });
  await client.push("docs/referred", sbom);

  const listed = await client.referrers("docs/referred:v1");
  assert.deepEqual(
    listed.map((d) => d.digest),
    [signature.digest, sbom.digest],
  );
  assert.deepEqual(listed[0], {
    mediaType: "application/vnd.oci.image.manifest.v1+json",
    digest: signature.digest,
    size: signature.size,
    annotations: { "org.example.signer": "alice" },
    artifactType: SIGNATURE_TYPE,
  });
  assert.deepEqual(
    (await client.referrers("docs/referred", subject.digest, { artifactType: SIGNATURE_TYPE })).map((d) => d.digest),
    [signature.digest],
  );
  // The vocabulary's form: referrers(ref, { artifactType }).
  assert.deepEqual(
    (await client.referrers("docs/referred:v1", { artifactType: SIGNATURE_TYPE })).map((d) => d.digest),
    [signature.digest],
  );
  assert.deepEqual(await client.referrers("docs/referred", subject.descriptor, { artifactType: "application/vnd.example.none.config.v1+json" }), []);
  // The tag schema: the subject's digest as a tag, holding an index of the referrers.
  const tag = subject.digest.replace(":", "-");
  assert.ok((await client.listTags("docs/referred")).includes(tag));
  const index = await client.fetch(`docs/referred:${tag}`);
  assert.equal(index.mediaType, "application/vnd.oci.image.index.v1+json");
  assert.deepEqual((await client.fetchIndex(`docs/referred:${tag}`)).manifests.map((d) => d.digest), [signature.digest, sbom.digest]);
  await assert.rejects(client.fetchManifest(`docs/referred:${tag}`), (e) => e instanceof OciError && e.code === "MEDIA_TYPE_MISMATCH");
  // Pushing the same referrer again leaves the index as it is.
  await client.push("docs/referred", signature);
  assert.equal((await client.resolve(`docs/referred:${tag}`)).digest, index.digest);
  // Nothing refers to the signature.
  assert.deepEqual(await client.referrers(`docs/referred@${signature.digest}`), []);
});

test("attach pushes by digest with the referrers tag; discover walks the tree", async () => {
  const subject = packFiles({ "doc.md": text("# Discovered\n") });
  await client.push("docs/discover:v1", subject);
  const signature = pack({ artifactType: SIGNATURE_TYPE, files: [{ name: "sig", data: text("sig") }], subject: subject.descriptor });
  const sbom = pack({ artifactType: "application/vnd.example.sbom.config.v1+json", subject: subject.descriptor });
  const counter = pack({ artifactType: SIGNATURE_TYPE, files: [{ name: "sig", data: text("counter") }], subject: signature.descriptor });

  const attached = await client.attach("docs/discover:v1", signature);
  assert.deepEqual(attached.descriptor, signature.descriptor);
  assert.deepEqual(attached.tags, []);
  assert.equal(attached.referrersTag?.tag, subject.digest.replace(":", "-"));
  await client.attach(`docs/discover@${subject.digest}`, sbom);
  await client.attach("docs/discover", counter);
  // By digest: no tag but the referrers tags of the two subjects.
  const tags = (await client.listTags("docs/discover")).sort();
  assert.deepEqual(tags, [subject.digest.replace(":", "-"), signature.digest.replace(":", "-"), "v1"].sort());
  assert.deepEqual(await client.resolve(`docs/discover@${signature.digest}`), { mediaType: signature.mediaType, digest: signature.digest, size: signature.size });

  const tree = await client.discover("docs/discover:v1");
  assert.deepEqual(
    tree.map((node) => [node.descriptor.digest, node.referrers.map((below) => [below.descriptor.digest, below.referrers])]),
    [
      [signature.digest, [[counter.digest, []]]],
      [sbom.digest, []],
    ],
  );
  assert.equal(tree[0].descriptor.artifactType, SIGNATURE_TYPE);
  assert.deepEqual(
    (await client.discover("docs/discover:v1", { depth: 1 })).map((node) => [node.descriptor.digest, node.referrers]),
    [
      [signature.digest, []],
      [sbom.digest, []],
    ],
  );
  const signatures = await client.discover(`docs/discover@${subject.digest}`, { artifactType: SIGNATURE_TYPE });
  assert.deepEqual(signatures.map((node) => [node.descriptor.digest, node.referrers.map((below) => below.descriptor.digest)]), [
    [signature.digest, [counter.digest]],
  ]);
  assert.deepEqual(await client.discover("docs/discover:v1", { depth: 0 }), []);
  assert.deepEqual(await client.discover(`docs/discover@${counter.digest}`), []);

  await assert.rejects(client.discover("docs/discover:v1", { depth: -1 }), (e) => e instanceof OciError && e.code === "OPTIONS_INVALID");
  await assert.rejects(client.attach("docs/discover:v1", packFiles({ "x.md": text("x") })), {
    name: "TypeError",
    message: /attach\(\) needs an artifact packed with a subject/,
  });
});

/** A ReadableStream of `data` in pieces of `size` bytes (the last one shorter). */
function streamOf(data, size) {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) {
        controller.close();
        return;
      }
      controller.enqueue(data.subarray(at, at + size));
      at += size;
    },
  });
}

/** An async generator of `data` in pieces of varying size. */
async function* piecesOf(data) {
  for (let at = 0, size = 1; at < data.length; at += size, size = size * 3 + 7) yield data.subarray(at, at + size);
}

test("pushBlob and push from a ReadableStream or an async iterable, checked as read", async () => {
  const data = randomBytes(700_000);
  const descriptor = { mediaType: "application/octet-stream", digest: digest(data), size: data.length };
  const sent = [];
  assert.equal(
    await client.pushBlob("docs/streams", descriptor, streamOf(data, 65_536), { chunkSize: 200_000, onProgress: (done) => sent.push(done) }),
    true,
  );
  assert.deepEqual(sent, [200_000, 400_000, 600_000, 700_000, 700_000], "chunks read from the stream in order");
  assert.deepEqual(await client.fetchBlob("docs/streams", descriptor), new Uint8Array(data));

  // In one PUT from an async iterable (a Node fs.ReadStream is one), in another repository.
  assert.equal(await client.pushBlob("docs/streams-put", descriptor, piecesOf(data)), true);
  assert.deepEqual(await client.fetchBlob("docs/streams-put", descriptor), new Uint8Array(data));
  // Present already: the stream is not read.
  let pulled = false;
  // highWaterMark 0: the stream pulls only when read.
  const untouched = new ReadableStream({ pull: () => { pulled = true; } }, { highWaterMark: 0 });
  assert.equal(await client.pushBlob("docs/streams", descriptor, untouched), false);
  assert.equal(pulled, false);

  // Wrong content never completes an upload: checked before the last piece is sent.
  const other = randomBytes(data.length);
  const fresh = { mediaType: "application/octet-stream", digest: digest(other), size: other.length };
  const tampered = Buffer.from(other);
  tampered[tampered.length - 1] ^= 1;
  await assert.rejects(client.pushBlob("docs/streams", fresh, streamOf(tampered, 100_000), { chunkSize: 200_000 }), (e) => e instanceof OciError && e.code === "DIGEST_MISMATCH");
  await assert.rejects(client.pushBlob("docs/streams", fresh, streamOf(other.subarray(1), 100_000)), (e) => e instanceof OciError && e.code === "SIZE_MISMATCH" && e.details.actual === other.length - 1);
  await assert.rejects(client.pushBlob("docs/streams", fresh, piecesOf(Buffer.concat([other, text("!")]))), (e) => e instanceof OciError && e.code === "SIZE_MISMATCH" && Number(e.details.actual) > other.length);
  assert.equal(await client.blobExists("docs/streams", fresh.digest), false, "no wrong blob was committed");
  await assert.rejects(client.pushBlob("docs/streams", fresh, "text"), { name: "TypeError", message: /a ReadableStream or an async iterable of bytes/ });

  // push: files packed by digest, their content given as streams.
  const readme = text("# Streamed\n");
  const packed = pack({
    artifactType: ARTIFACT_TYPE,
    files: [
      { name: "big.bin", digest: fresh.digest, size: fresh.size },
      { name: "readme.md", digest: digest(readme), size: readme.length },
    ],
  });
  const sources = { "big.bin": streamOf(other, 50_000), "readme.md": piecesOf(readme) };
  const blobs = packed.blobs.map((blob) => {
    const title = blob.descriptor.annotations?.["org.opencontainers.image.title"];
    return title === undefined ? blob : { ...blob, data: sources[title] };
  });
  await client.push("docs/streams:v1", { ...packed, blobs }, { chunkSize: 256 * 1024 });
  const back = await client.pull("docs/streams:v1");
  assert.deepEqual(back.bytes, packed.manifest);
  assert.deepEqual(back.files.map((f) => [f.path, f.bytes]), [
    ["big.bin", new Uint8Array(other)],
    ["readme.md", readme],
  ]);
});

test("a chunked upload from a stream resumes within the last piece read, and says so when it cannot", async () => {
  /**
   * A fetch whose third PATCH fails before reaching the registry; `claimed` (when given) is the
   * offset it then makes the upload status claim, as a registry that lost committed bytes would.
   */
  const flaky = (claimed) => {
    let patches = 0;
    let cut = false;
    return async (url, init) => {
      if (init.method === "PATCH" && ++patches === 3) {
        cut = true;
        throw new TypeError("fetch failed", { cause: new Error("connection reset") });
      }
      const response = await fetch(url, init);
      if (cut && init.method === "GET" && claimed !== undefined && response.headers.has("range")) {
        const headers = new Headers(response.headers);
        headers.set("range", `0-${claimed - 1}`);
        return new Response(null, { status: response.status, headers });
      }
      return response;
    };
  };
  const data = randomBytes(900_000);
  const descriptor = { mediaType: "application/octet-stream", digest: digest(data), size: data.length };
  const resumed = new Client({ registry: open.address, plainHttp: true, fetch: flaky() });
  assert.equal(await resumed.pushBlob("docs/stream-resume", descriptor, streamOf(data, 30_000), { chunkSize: 200_000 }), true);
  assert.deepEqual(await client.fetchBlob("docs/stream-resume", descriptor), new Uint8Array(data));

  const again = randomBytes(900_000);
  const lost = { mediaType: "application/octet-stream", digest: digest(again), size: again.length };
  const rewinding = new Client({ registry: open.address, plainHttp: true, fetch: flaky(200_000) });
  const error = await rewinding.pushBlob("docs/stream-resume", lost, streamOf(again, 30_000), { chunkSize: 200_000 }).then(
    () => assert.fail("resumed a stream from bytes it no longer has"),
    (e) => e,
  );
  assert.ok(error instanceof OciError);
  assert.equal(error.code, "STREAM_NOT_REWINDABLE");
  assert.deepEqual(error.details, { offset: 200_000, position: 600_000 });
  assert.match(error.message, /give a Blob or bytes to resume uploads/);
  // The same failure from a Blob resumes: it can be read again.
  assert.equal(await rewinding.pushBlob("docs/stream-resume", lost, new Blob([again]), { chunkSize: 200_000 }), true);
});

test("deleteManifest by tag and by digest", async () => {
  const first = packFiles({ "one.md": text("# One\n") });
  const second = packFiles({ "two.md": text("# Two\n") });
  await client.push("docs/deleted:one", first);
  await client.push("docs/deleted:two", second);
  const deleted = await client.deleteManifest("docs/deleted:one");
  assert.deepEqual(deleted, { descriptor: { mediaType: first.mediaType, digest: first.digest, size: first.size }, subject: null, referrersTag: null });
  await client.deleteManifest("docs/deleted", second.digest);
  for (const gone of [`docs/deleted@${first.digest}`, `docs/deleted@${second.digest}`, "docs/deleted:one"]) {
    await assert.rejects(client.fetchManifest(gone), (e) => e instanceof OciError && e.code === "MANIFEST_UNKNOWN", gone);
  }
});

test("an unknown manifest is MANIFEST_UNKNOWN with the registry's details", async () => {
  await client.push("docs/known:v1", packFiles({ "k.md": text("# K\n") }));
  const error = await client.fetch("docs/known:nope").then(
    () => assert.fail("fetched a manifest that is not there"),
    (e) => e,
  );
  assert.ok(error instanceof OciError);
  assert.equal(error.code, "MANIFEST_UNKNOWN");
  assert.equal(error.details.status, 404);
  assert.equal(error.details.registryCode, "MANIFEST_UNKNOWN");
  // The registry's message, with the request it answered (the core names it).
  assert.match(String(error.details.message), /^manifest unknown \(GET http:\/\/.*\/v2\/docs\/known\/manifests\/nope\)$/);
  // HEAD answers carry no error body; resolve asks with GET for the registry's code.
  await assert.rejects(client.resolve("docs/known:nope"), (e) => e instanceof OciError && e.code === "MANIFEST_UNKNOWN" && e.details.status === 404);
  // distribution answers a repository it has never seen with NAME_UNKNOWN.
  await assert.rejects(client.listTags("docs/never-pushed"), (e) => e instanceof OciError && e.code === "NAME_UNKNOWN");
});

test("a pull aborted mid-transfer rejects with the signal's reason", async () => {
  const packed = packFiles({ "large.bin": randomBytes(4 * 1024 * 1024) });
  await client.push("docs/aborted:v1", packed);
  const controller = new AbortController();
  const reason = new Error("stop now");
  await assert.rejects(
    client.pull("docs/aborted:v1", { signal: controller.signal, onProgress: (done) => done > 0 && controller.abort(reason) }),
    (e) => e === reason,
  );
  await assert.rejects(client.resolve("docs/aborted:v1", { signal: AbortSignal.abort() }), { name: "AbortError" });
});

describe("htpasswd Basic auth", () => {
  const haveHtpasswd = existsSync(HTPASSWD_BIN);
  let secured;

  before(async () => {
    if (haveHtpasswd) secured = await startRegistry({ users: { alice: "s3cret" } });
  });

  after(async () => {
    await secured?.stop();
  });

  test("right credentials push and pull; wrong or none are UNAUTHORIZED", { skip: haveHtpasswd ? false : `${HTPASSWD_BIN} is missing (apt-get install apache2-utils)` }, async () => {
    const packed = packFiles({ "private.md": text("# Private\n") });
    const alice = new Client({ registry: secured.address, plainHttp: true, credentials: { username: "alice", password: "s3cret" } });
    await alice.push("private/docs:v1", packed);
    const pulled = await alice.pull("private/docs:v1");
    assert.deepEqual(pulled.bytes, packed.manifest);

    const wrong = new Client({ registry: secured.address, plainHttp: true, credentials: { username: "alice", password: "nope" } });
    const anonymous = new Client({ registry: secured.address, plainHttp: true });
    for (const intruder of [wrong, anonymous]) {
      const error = await intruder.resolve("private/docs:v1").then(() => assert.fail("resolved without the right credentials"), (e) => e);
      assert.ok(error instanceof OciError);
      assert.equal(error.code, "UNAUTHORIZED");
      assert.equal(error.details.status, 401);
      await assert.rejects(intruder.push("private/docs:v2", packed), (e) => e instanceof OciError && e.code === "UNAUTHORIZED");
    }
  });
});

describe("Bearer tokens from a token server", () => {
  const haveOpenssl = existsSync(OPENSSL_BIN);
  const REFRESH_TOKEN = "refresh-alice-0123456789";
  let secured;

  before(async () => {
    if (haveOpenssl) secured = await startRegistry({ users: { alice: "s3cret" }, bearer: true, refreshTokens: { [REFRESH_TOKEN]: "alice" } });
  });

  after(async () => {
    await secured?.stop();
  });

  const skip = haveOpenssl ? false : `${OPENSSL_BIN} is missing (apt-get install openssl)`;

  test("a password gets tokens: push, pull, attach, referrers; wrong or none are UNAUTHORIZED", { skip }, async () => {
    const alice = new Client({ registry: secured.address, plainHttp: true, credentials: { username: "alice", password: "s3cret" } });
    const packed = packFiles({ "private.md": text("# Behind a token\n"), "big.bin": randomBytes(300_000) });
    await alice.push("private/docs:v1", packed, { chunkSize: 128 * 1024 });
    const pulled = await alice.pull("private/docs:v1");
    assert.deepEqual(pulled.bytes, packed.manifest);
    const signature = pack({ artifactType: SIGNATURE_TYPE, subject: packed.descriptor });
    await alice.attach("private/docs:v1", signature);
    assert.deepEqual((await alice.referrers("private/docs:v1")).map((d) => d.digest), [signature.digest]);
    // The Docker token protocol: GET with Basic credentials, a scope per repository action set.
    assert.ok(secured.tokenServer.requests.some((r) => r.startsWith("GET /token?service=ocikit-test-registry&scope=repository%3Aprivate%2Fdocs%3Apull%2Cpush")));

    const wrong = new Client({ registry: secured.address, plainHttp: true, credentials: { username: "alice", password: "nope" } });
    const anonymous = new Client({ registry: secured.address, plainHttp: true });
    for (const intruder of [wrong, anonymous]) {
      const error = await intruder.resolve("private/docs:v1").then(() => assert.fail("resolved without the right credentials"), (e) => e);
      assert.ok(error instanceof OciError);
      assert.equal(error.code, "UNAUTHORIZED");
      await assert.rejects(intruder.push("private/docs:v2", packed), (e) => e instanceof OciError && e.code === "UNAUTHORIZED");
    }
  });

  test("a refresh token gets access tokens by OAuth2 POST; an unknown one is UNAUTHORIZED", { skip }, async () => {
    const packed = packFiles({ "refreshed.md": text("# Refreshed\n") });
    const refreshed = new Client({ registry: secured.address, plainHttp: true, credentials: { refreshToken: REFRESH_TOKEN } });
    const before = secured.tokenServer.requests.length;
    await refreshed.push("private/refreshed:v1", packed);
    assert.deepEqual((await refreshed.pull("private/refreshed:v1")).bytes, packed.manifest);
    // (The log is shared: requests of the previous test's aborted uploads may still land in it.)
    const posts = secured.tokenServer.requests.slice(before).filter((r) => r.startsWith("POST /token "));
    assert.ok(posts.length > 0 && posts.every((r) => r.includes("grant_type") && r.includes("refresh_token")), posts.join("\n"));

    const stale = new Client({ registry: secured.address, plainHttp: true, credentials: { refreshToken: "refresh-nobody" } });
    await assert.rejects(stale.resolve("private/refreshed:v1"), (e) => e instanceof OciError && e.code === "UNAUTHORIZED");
  });
});

test("the READMEs' registry snippets run against the registry", () => {
  // ```js registry blocks are left out of readme.test.mjs (they need a registry) and run here,
  // with the README's localhost:5000 replaced by this test's registry.
  const readmes = [new URL("./node_modules/ocikit/README.md", import.meta.url), new URL("../../README.md", import.meta.url)];
  const blocks = readmes.flatMap((url) => {
    const found = [...readFileSync(url, "utf8").matchAll(/^```js registry[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)].map((m) => m[1]);
    assert.ok(found.length > 0, `${url.pathname} has a \`\`\`js registry block`);
    return found;
  });
  const dir = mkdtempSync(join(new URL(".", import.meta.url).pathname, ".readme-registry-"));
  try {
    blocks.forEach((code, i) => {
      const file = join(dir, `block-${i + 1}.mjs`);
      writeFileSync(file, code.replaceAll("localhost:5000", open.address));
      try {
        execFileSync(process.execPath, [file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
      } catch (error) {
        assert.fail(`README registry block ${i + 1} failed:\n${code}\n--- stderr ---\n${/** @type {{ stderr: string }} */ (error).stderr}`);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
