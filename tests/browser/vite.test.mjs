// The npm package through a bundler: tests/vite is a Vite app that imports "ocikit" by name (the
// package installed as npm installs it), and a second page of it "ocikit/lite"; it is built with
// Vite and opened in Chromium, and what each page computes must equal what the package's Node
// entry computes. The lite page fetches the lite module only, its Web Worker included.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { launch, nodeDigest } from "./browser.mjs";

const app = fileURLToPath(new URL("../vite/", import.meta.url));
const dist = join(app, "dist");
const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
let server;
let url;

before(async () => {
  const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" };
  execFileSync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, env, stdio: "inherit" });
  execFileSync(join(app, "node_modules/.bin/vite"), ["build", "--logLevel", "warn"], { cwd: app, env, stdio: "inherit" });
  server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, "http://x").pathname));
    const file = join(dist, path === "/" ? "index.html" : path);
    if (!file.startsWith(dist)) return response.writeHead(403).end();
    try {
      const body = await readFile(file);
      response.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${server.address().port}/`;
});

after(() => server?.close());

/** Opens `path` of the built app; what it computed, and the wasm files it fetched. */
async function run(path) {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    const wasm = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    page.on("request", (request) => request.url().endsWith(".wasm") && wasm.push(new URL(request.url()).pathname));
    await page.goto(new URL(path, url).href);
    await page.waitForSelector("#result[data-ready=true]", { timeout: 30_000 });
    const result = JSON.parse(await page.textContent("#result"));
    assert.deepEqual(errors, []);
    return { result, wasm };
  } finally {
    await browser.close();
  }
}

const encode = (text) => new TextEncoder().encode(text);

async function expected() {
  const ocikit = await import(new URL("../../bindings-wasm/pkg/node.js", import.meta.url));
  const packed = ocikit.pack({
    artifactType: "application/vnd.example.docsinmarkdown.config.v1+json",
    files: [{ name: "overview.md", data: encode("# Overview\n"), mediaType: "application/vnd.example.docsinmarkdown.overview.layer.v1+md" }],
  });
  return { digest: nodeDigest("sha256", encode("{}")), objectType: "docsinmarkdown", manifestDigest: packed.digest, valid: true };
}

test("a Vite build of an app using ocikit runs in Chromium and agrees with Node", async () => {
  const built = await readFile(join(dist, "index.html"), "utf8");
  assert.match(built, /<script type="module"/);
  const { result, wasm } = await run("/");
  assert.deepEqual(result, await expected());
  assert.equal(wasm.length, 1);
  assert.match(wasm[0], /\/ocikit_wasm_bg-[^/]*\.wasm$/);
});

test("the app's ocikit/lite page fetches the lite module only and agrees with Node", async () => {
  const { result, wasm } = await run("/lite.html");
  assert.deepEqual(result, { ...(await expected()), worker: nodeDigest("sha256", encode("# Overview\n")) });
  // Once: the worker got the page's compiled module.
  assert.equal(wasm.length, 1, wasm.join(", "));
  assert.match(wasm[0], /\/ocikit_lite_bg-[^/]*\.wasm$/);
});
