// ocikit/lite in a page: the lite wasm module alone is fetched (the full one is refused), its
// digests, packing and validation give Node's results, digestBlob's Web Worker runs on the lite
// module; a page that loads "ocikit" afterwards moves every function to the full module, and a
// page that has the full module fetches no lite one.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { base, launch, nodeDigest, origin } from "./browser.mjs";

const pkg = new URL("../../bindings-wasm/pkg/", import.meta.url);
const PAGE = "/lite-test/index.html";
const LITE_WASM = "/ocikit/wasm/ocikit_lite_bg.wasm";
const FULL_WASM = "/ocikit/wasm/ocikit_wasm_bg.wasm";
const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ocikit/lite</title></head><body></body></html>`;

const ARTIFACT_TYPE = "application/vnd.example.docsinmarkdown.config.v1+json";
const LAYER_TYPE = "application/vnd.example.docsinmarkdown.overview.layer.v1+md";
const CREATED = { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" };

let browser;

before(async () => {
  assert.ok(base, "OCIKIT_DEMO_URL is not set: run scripts/test-browser.sh");
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A page of the demo's origin, with the wasm files it fetches, its workers and its problems. */
async function openPage({ refuse }) {
  const context = await browser.newContext();
  const problems = [];
  const wasmRequests = [];
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith(".wasm")) wasmRequests.push(url.pathname);
    if (!["data:", "blob:"].includes(url.protocol) && url.origin !== origin) problems.push(`off-origin request: ${url}`);
  });
  await context.route(`${origin}${PAGE}`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
  );
  if (refuse) await context.route(`${origin}${refuse}`, (route) => route.abort("blockedbyclient"));
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.stack ?? error}`));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  const workers = [];
  page.on("worker", (worker) => workers.push(new URL(worker.url()).pathname));
  await page.goto(`${origin}${PAGE}`);
  return { context, page, problems, wasmRequests, workers };
}

test("ocikit/lite: only the lite module is fetched, and it gives Node's digests, manifests and findings", async () => {
  const { context, page, problems, wasmRequests, workers } = await openPage({ refuse: FULL_WASM });
  const data = [...new TextEncoder().encode("# Overview\nfrom a page with the lite module\n")];
  const result = await page.evaluate(
    async ({ data, ARTIFACT_TYPE, LAYER_TYPE, CREATED }) => {
      const lite = await import("/ocikit/lite-manual.js");
      let before;
      try {
        lite.digest(new Uint8Array());
        before = "returned";
      } catch (error) {
        before = `${error.constructor.name}: ${error.message}`;
      }
      await lite.init();
      const bytes = new Uint8Array(data);
      const packed = lite.pack({
        artifactType: ARTIFACT_TYPE,
        files: [{ name: "overview.md", mediaType: LAYER_TYPE, data: bytes }],
        annotations: CREATED,
      });
      const blob = new Blob([bytes.subarray(0, 10), bytes.subarray(10)]);
      return {
        before,
        names: Object.keys(lite).sort(),
        sha256: lite.digest(bytes),
        blake3: lite.digest(bytes, "blake3"),
        manifest: [...packed.manifest],
        digest: packed.digest,
        valid: lite.validate(packed.manifest),
        broken: lite.validate('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}'),
        described: lite.describe(packed.manifest),
        reference: lite.parseReference("registry.example/docs/app:v1"),
        worker: await lite.digestBlob(blob, { worker: true }),
      };
    },
    { data, ARTIFACT_TYPE, LAYER_TYPE, CREATED },
  );
  const node = await import(new URL("node.js", pkg).href);
  const bytes = Uint8Array.from(data);
  const packed = node.pack({ artifactType: ARTIFACT_TYPE, files: [{ name: "overview.md", mediaType: LAYER_TYPE, data: bytes }], annotations: CREATED });
  assert.equal(
    result.before,
    'Error: ocikit: digest was called before the WebAssembly module was loaded; await init() from "ocikit/lite/manual" first (or import "ocikit/lite", which loads it itself)',
  );
  // No registry engine in the lite entry: no Client, sessions, operations, layouts or directories.
  for (const name of ["Client", "RegistrySession", "Push", "Pull", "OciLayout", "layoutTar", "packDirectory"]) {
    assert.ok(!result.names.includes(name), `${name} is not in ocikit/lite`);
  }
  for (const name of result.names) assert.ok(name in node, `${name} of ocikit/lite is in the full entry too`);
  assert.equal(result.sha256, nodeDigest("sha256", bytes));
  assert.equal(result.blake3, node.digest(bytes, "blake3"));
  assert.deepEqual(result.manifest, [...packed.manifest]);
  assert.equal(result.digest, packed.digest);
  assert.deepEqual(result.valid, node.validate(packed.manifest));
  assert.equal(result.valid.valid, true);
  const broken = node.validate('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}');
  assert.equal(broken.valid, false);
  assert.deepEqual(result.broken, broken);
  assert.deepEqual(result.described, node.describe(packed.manifest));
  assert.deepEqual(result.reference, node.parseReference("registry.example/docs/app:v1"));
  assert.equal(result.worker, nodeDigest("sha256", bytes));
  // The lite module once, shared with the worker; the full one never asked for.
  assert.deepEqual(wasmRequests, [LITE_WASM]);
  assert.ok(workers.includes("/ocikit/digest-worker.js"), `workers: ${workers}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("ocikit after ocikit/lite: the full module serves both entries; with the full module first, no lite module is fetched", async () => {
  // A valid manifest (the validate benchmark's) and a broken one.
  const manifest = readFileSync(new URL("../../bench/manifest-1.3k.json", import.meta.url), "utf8");
  const broken = '{"schemaVersion":1}';
  const first = await openPage({});
  const upgraded = await first.page.evaluate(
    async ({ manifest, broken }) => {
      const lite = await import("/ocikit/lite.js");
      const before = [lite.validate(manifest).valid, lite.validate(broken).valid];
      const full = await import("/ocikit/browser.js");
      // The lite entry's functions now run on the full module: validation's input buffer
      // is the full module's (a stale view into the lite module's memory would read nothing).
      return {
        before,
        after: [lite.validate(broken), lite.validate(manifest), full.validate(broken)],
        client: typeof new full.Client({ registry: "127.0.0.1:1" }).push,
      };
    },
    { manifest, broken },
  );
  const node = await import(new URL("node.js", pkg).href);
  assert.deepEqual(upgraded.before, [true, false]);
  assert.deepEqual(upgraded.after, [node.validate(broken), node.validate(manifest), node.validate(broken)]);
  assert.equal(upgraded.client, "function");
  assert.deepEqual(first.wasmRequests, [LITE_WASM, FULL_WASM]);
  assert.deepEqual(first.problems, []);
  await first.context.close();

  const second = await openPage({ refuse: LITE_WASM });
  const valid = await second.page.evaluate(async (manifest) => {
    await import("/ocikit/browser.js");
    const lite = await import("/ocikit/lite.js");
    return lite.validate(manifest).valid;
  }, manifest);
  assert.equal(valid, true);
  assert.deepEqual(second.wasmRequests, [FULL_WASM]);
  assert.deepEqual(second.problems, []);
  await second.context.close();
});
