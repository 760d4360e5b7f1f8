// The npm package through a bundler: tests/vite is a Vite app that imports "ocikit" by name (the
// package installed as npm installs it); it is built with Vite and opened in Chromium, and what
// it computes must equal what the package's Node entry computes.
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

test("a Vite build of an app using ocikit runs in Chromium and agrees with Node", async () => {
  const built = await readFile(join(dist, "index.html"), "utf8");
  assert.match(built, /<script type="module"/);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
    await page.goto(url);
    await page.waitForSelector("#result[data-ready=true]", { timeout: 30_000 });
    const result = JSON.parse(await page.textContent("#result"));
    assert.deepEqual(errors, []);
    const ocikit = await import(new URL("../../bindings-wasm/pkg/node.js", import.meta.url));
    const encode = (text) => new TextEncoder().encode(text);
    const expected = ocikit.pack({
      artifactType: "application/vnd.example.docsinmarkdown.config.v1+json",
      files: [{ name: "overview.md", data: encode("# Overview\n"), mediaType: "application/vnd.example.docsinmarkdown.overview.layer.v1+md" }],
    });
    assert.deepEqual(result, {
      digest: nodeDigest("sha256", encode("{}")),
      objectType: "docsinmarkdown",
      manifestDigest: expected.digest,
      valid: true,
    });
  } finally {
    await browser.close();
  }
});
