// The registry doctor in the core (issue 15 item 3) through the JS Client: probeRegistry (and
// doctor) against Debian's docker-registry (distribution 2.8: no referrers API, n ignored), the
// same decisions as `ocikit doctor` (tests/registry/test_doctor.py), and with a fetch that
// answers as a registry with the referrers API would.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { Client, OciError, ProbeRegistry, RegistrySession, pack } from "ocikit";
import * as manual from "ocikit/manual";
import { startRegistry } from "./registry-server.mjs";

const TYPE = "application/vnd.example.notes.v1+json";
const INDEX = "application/vnd.oci.image.index.v1+json";

/** @type {{ address: string, stop: () => Promise<void> }} */
let registry;

before(async () => {
  registry = await startRegistry();
});

after(async () => {
  await registry?.stop();
});

test("docker-registry: no referrers API (404 for a digest that exists), n ignored", async () => {
  const client = new Client({ registry: registry.address, plainHttp: true });
  const artifact = pack({ artifactType: TYPE, files: [{ name: "notes.txt", data: new TextEncoder().encode("notes\n") }] });
  await client.push("doctor/probe:v1", artifact);
  await client.push("doctor/probe:v2", artifact);
  const report = await client.probeRegistry("doctor/probe:v1", { profile: "distribution" });
  assert.equal(report.profile, "distribution");
  assert.equal(report.v2.status, 200);
  assert.equal(report.v2.auth, "ok");
  assert.equal(report.v2.apiVersion, "registry/2.0");
  assert.equal(report.referrersApi.digest, artifact.digest);
  assert.equal(report.referrersApi.status, 404);
  assert.equal(report.referrersApi.supported, false);
  assert.equal(report.tagList.tags, 2);
  assert.equal(report.tagList.nHonoured, false);
  assert.deepEqual(Object.keys(report.notProbed), ["delete", "chunked-upload"]);
  // Without a reference: /v2/ only; the profile of the host (none: generic).
  const bare = await client.doctor();
  assert.equal(bare.profile, "generic");
  assert.equal(bare.tagList, null);
  assert.equal(bare.referrersApi.supported, null);
  // A client made with a registryProfile reports it when none is named (Python's Client.doctor too).
  const named = new Client({ registry: registry.address, plainHttp: true, registryProfile: "harbor" });
  assert.equal((await named.doctor()).profile, "harbor");
  assert.equal((await named.doctor(undefined, { profile: "zot" })).profile, "zot");
});

test("a registry with the referrers API, and what an HTML page proves", async () => {
  const digest = "sha256:6dae69d96e4b7a290834ecd9c7a8eb212ae006f004f073a24e47bc3cd1a08e06";
  for (const [answer, supported] of [
    [{ body: JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: [] }), type: INDEX }, true],
    [{ body: "<html>sign in</html>", type: "text/html" }, null],
  ]) {
    /** @param {string | URL | Request} input */
    const fetch = async (input) => {
      const path = new URL(String(input)).pathname;
      if (path === "/v2/") return new Response("{}", { status: 200 });
      if (path.endsWith("/manifests/v1")) {
        return new Response(null, { status: 200, headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json", "Docker-Content-Digest": digest, "Content-Length": "669" } });
      }
      if (path.includes("/referrers/")) return new Response(answer.body, { status: 200, headers: { "Content-Type": answer.type } });
      if (path.endsWith("/tags/list")) return new Response(JSON.stringify({ name: "app", tags: ["v1"] }), { status: 200 });
      return new Response(null, { status: 404 });
    };
    const client = new Client({ registry: "127.0.0.1:5000", plainHttp: true, fetch });
    const report = await client.probeRegistry("app:v1");
    assert.equal(report.referrersApi.supported, supported, answer.type);
    assert.equal(report.referrersApi.note === null, supported !== null);
    assert.equal(report.tagList.nHonoured, null, "one tag cannot tell");
  }
  const client = new Client({ registry: "127.0.0.1:5000", plainHttp: true, fetch: async () => new Response(null) });
  await assert.rejects(client.probeRegistry(undefined, { profile: "nope" }), (/** @type {any} */ e) => e instanceof OciError && e.code === "OPTIONS_INVALID");
});

test("ProbeRegistry is exported (ocikit, ocikit/manual) and drives on a RegistrySession of its own", async () => {
  const wasmFile = new URL("./wasm/ocikit_wasm_bg.wasm", `file://${createRequire(import.meta.url).resolve("ocikit/manual")}`);
  await manual.init({ wasm: readFileSync(wasmFile) });
  assert.equal(typeof manual.ProbeRegistry, "function");
  const client = new Client({ registry: registry.address, plainHttp: true });
  const artifact = pack({ artifactType: TYPE, files: [{ name: "n.txt", data: new TextEncoder().encode("n\n") }] });
  await client.push("doctor/export:v1", artifact);
  for (const Probe of [ProbeRegistry, manual.ProbeRegistry]) {
    const session = new (Probe === ProbeRegistry ? RegistrySession : manual.RegistrySession)(registry.address, { plainHttp: true });
    const op = new Probe(registry.address, { reference: `${registry.address}/doctor/export:v1` });
    /** @type {any} */
    let report;
    const asked = [];
    for (;;) {
      const action = op.poll(session, Date.now());
      if (action.kind === "done") {
        report = action.value;
        break;
      }
      assert.equal(action.kind, "send", "a serial driver: one request at a time");
      const { request } = action;
      asked.push(`${request.method} ${new URL(request.url).pathname}`);
      const response = await fetch(request.url, { method: request.method, headers: request.headers, redirect: "manual" });
      const body = new Uint8Array(await response.arrayBuffer());
      op.provide(action.task, { type: "response", status: response.status, headers: [...response.headers], body });
    }
    assert.ok(asked.every((line) => line.startsWith("GET ") || line.startsWith("HEAD ")), asked.join("\n"));
    assert.equal(report.v2.status, 200);
    assert.equal(report.profile, "generic");
    assert.equal(report.referrersApi.digest, artifact.digest);
    assert.equal(report.referrersApi.supported, false);
    assert.equal(report.tagList.tags, 1);
  }
  assert.throws(() => new ProbeRegistry(registry.address, { profile: "nope" }), (/** @type {any} */ e) => e.code === "OPTIONS_INVALID");
});
