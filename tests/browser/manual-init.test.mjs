// ocikit/manual in a page: nothing works before init(), init({ wasm }) loads the module from the
// URL the page chose (a copy of the package's wasm under another path of the demo's origin),
// digest() and pack() then give Node's bytes, and digestBlob's Web Worker reuses the module init
// compiled instead of fetching the package's own wasm file.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { base, launch, nodeDigest, origin } from "./browser.mjs";

const pkg = new URL("../../bindings-wasm/pkg/", import.meta.url);
const PAGE = "/manual-init-test/index.html";
const COPY = "/manual-init-test/copy/ocikit.wasm";
const DEFAULT_WASM = "/ocikit/wasm/ocikit_wasm_bg.wasm";
// The page imports ocikit/manual as a page without a bundler does: by its served path.
const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ocikit/manual</title></head><body>
<script type="module">
  import * as ocikit from "/ocikit/manual.js";
  window.ocikit = ocikit;
  document.documentElement.dataset.ready = "true";
</script>
</body></html>`;

let browser;

before(async () => {
  assert.ok(base, "OCIKIT_DEMO_URL is not set: run scripts/test-browser.sh");
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("ocikit/manual: calls before init() throw, init({ wasm }) loads the page's URL, the worker reuses the module", async () => {
  const context = await browser.newContext();
  const problems = [];
  const wasmRequests = [];
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname.endsWith(".wasm")) wasmRequests.push(url.pathname + url.search);
    if (!["data:", "blob:"].includes(url.protocol) && url.origin !== origin) problems.push(`off-origin request: ${url}`);
  });
  // The test page and the wasm copy exist only here, under the demo's origin (so that the page
  // imports /ocikit/manual.js from the demo server). The package's own wasm file is refused: a
  // worker that fetched it instead of reusing init's module would fail.
  await context.route(`${origin}${PAGE}`, (route) =>
    route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", body: html }),
  );
  await context.route(`${origin}${COPY}?from=manual-init`, (route) =>
    route.fulfill({ status: 200, contentType: "application/wasm", body: readFileSync(new URL("wasm/ocikit_wasm_bg.wasm", pkg)) }),
  );
  await context.route(`${origin}${DEFAULT_WASM}*`, (route) => route.abort("blockedbyclient"));
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`page error: ${error.stack ?? error}`));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  const workers = [];
  page.on("worker", (worker) => workers.push(new URL(worker.url()).pathname));

  await page.goto(`${origin}${PAGE}`);
  await page.waitForSelector("html[data-ready=true]", { timeout: 30_000 });

  // Before init(): every function and constructor throws the Error that says to call init().
  const before = await page.evaluate(async () => {
    const { ocikit } = /** @type {any} */ (window);
    const thrown = (fn) => {
      try {
        fn();
        return "returned";
      } catch (error) {
        return `${error.constructor.name}: ${error.message}`;
      }
    };
    let blob = "resolved";
    try {
      await ocikit.digestBlob(new Blob(["x"]), { worker: true });
    } catch (error) {
      blob = `${error.constructor.name}: ${error.message}`;
    }
    return {
      digest: thrown(() => ocikit.digest(new Uint8Array())),
      pack: thrown(() => ocikit.pack({ artifactType: "application/vnd.example.docs.config.v1+json" })),
      Digester: thrown(() => new ocikit.Digester()),
      Client: thrown(() => new ocikit.Client({ registry: "localhost:5000" })),
      digestBlob: blob,
      // Classes that need no wasm stay usable: instanceof checks work before init().
      OciError: typeof ocikit.OciError,
    };
  });
  const message = (name) =>
    `Error: ocikit: ${name} was called before the WebAssembly module was loaded; await init() from "ocikit/manual" first (or import "ocikit", which loads it itself)`;
  assert.deepEqual(before, {
    digest: message("digest"),
    pack: message("pack"),
    Digester: message("new Digester()"),
    Client: message("new Client()"),
    digestBlob: message("digestBlob"),
    OciError: "function",
  });
  assert.deepEqual(wasmRequests, [], "nothing is fetched before init()");

  // init() with a URL under the page's origin; then digest, Digester and pack give Node's bytes.
  const data = [...new TextEncoder().encode("# Overview\nfrom a page that chose its wasm\n")];
  const packOptions = {
    artifactType: "application/vnd.example.docsinmarkdown.config.v1+json",
    files: [{ name: "overview.md", mediaType: "application/vnd.example.docsinmarkdown.overview.layer.v1+md" }],
    annotations: { "org.opencontainers.image.created": "2024-01-01T00:00:00Z" },
  };
  const after = await page.evaluate(
    async ({ data, packOptions, copy }) => {
      const { ocikit } = /** @type {any} */ (window);
      const bytes = new Uint8Array(data);
      const loading = ocikit.init({ wasm: new URL(copy, location.href) });
      const again = ocikit.init({ wasm: "/nowhere.wasm" });
      await loading;
      const packed = ocikit.pack({ ...packOptions, files: packOptions.files.map((f) => ({ ...f, data: bytes })) });
      const blob = new Blob([bytes.subarray(0, 10), bytes.subarray(10)]);
      return {
        samePromise: loading === again,
        sha256: ocikit.digest(bytes),
        sha512: ocikit.digest(bytes, "sha512"),
        streamed: new ocikit.Digester().update(bytes.subarray(0, 5)).update(bytes.subarray(5)).finalize(),
        manifest: [...packed.manifest],
        digest: packed.digest,
        blobs: packed.blobs.map((b) => ({ descriptor: b.descriptor, data: [...b.data] })),
        worker: await ocikit.digestBlob(blob, { worker: true }),
        workerSha512: await ocikit.digestBlob(blob, { worker: true, algorithm: "sha512" }),
      };
    },
    { data, packOptions, copy: `${COPY}?from=manual-init` },
  );
  const node = await import(new URL("node.js", pkg).href);
  const bytes = Uint8Array.from(data);
  const packed = node.pack({ ...packOptions, files: packOptions.files.map((f) => ({ ...f, data: bytes })) });
  assert.equal(after.samePromise, true, "init() is idempotent: later calls return the first promise");
  assert.equal(after.sha256, nodeDigest("sha256", bytes));
  assert.equal(after.sha512, nodeDigest("sha512", bytes));
  assert.equal(after.streamed, nodeDigest("sha256", bytes));
  assert.deepEqual(after.manifest, [...packed.manifest]);
  assert.equal(after.digest, packed.digest);
  assert.equal(after.digest, nodeDigest("sha256", packed.manifest));
  assert.deepEqual(after.blobs, packed.blobs.map((b) => ({ descriptor: b.descriptor, data: [...b.data] })));
  assert.equal(after.worker, nodeDigest("sha256", bytes));
  assert.equal(after.workerSha512, nodeDigest("sha512", bytes));

  // One wasm fetch, of the URL the page gave; the worker ran and fetched no wasm of its own.
  assert.deepEqual(wasmRequests, [`${COPY}?from=manual-init`]);
  assert.ok(workers.includes("/ocikit/digest-worker.js"), `workers: ${workers}`);
  assert.deepEqual(problems, []);
  await context.close();
});
