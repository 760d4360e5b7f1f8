// The web demo in headless Chromium, served by web-demo/serve.py (scripts/test-browser.sh starts
// it and passes its URL in OCIKIT_DEMO_URL): the page works as a user sees it, and the shared
// vectors pass through the package's browser entry (the wasm path) inside the page.
import assert from "node:assert/strict";
import { createHash, randomFillSync } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const base = process.env.OCIKIT_DEMO_URL;
const origin = base && new URL(base).origin;
const screenshots = new URL("./screenshots/", import.meta.url);
const vectors = (name) => JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));
const nodeDigest = (algorithm, bytes) => `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;

let browser;
let page;
const problems = []; // console errors, page errors, failed or off-origin requests

before(async () => {
  assert.ok(base, "OCIKIT_DEMO_URL is not set: run scripts/test-browser.sh");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.stack ?? error}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin !== origin && url.protocol !== "data:" && url.protocol !== "blob:") problems.push(`off-origin request: ${url}`);
  });
  await page.goto(base);
  await page.waitForSelector("html[data-ready=true]", { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
});

test("the page loads from this origin alone, without console errors", async () => {
  assert.equal(await page.title(), "ocikit in the browser — author, push and browse OCI artifacts");
  const wasm = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.endsWith(".wasm")),
  );
  assert.deepEqual(wasm, [`${origin}/ocikit/wasm/ocikit_wasm_bg.wasm`]);
  assert.deepEqual(problems, []);
});

test("pasted text shows its exact digest and size", async () => {
  const text = '{"mediaType":"application/vnd.oci.image.manifest.v1+json"} — ünïcödé ✓\n';
  const bytes = new TextEncoder().encode(text);
  await page.fill("#text", text);
  await expectText("#digest-output", nodeDigest("sha256", bytes));
  await expectText("#digest-size", `${bytes.length} bytes`);
  await page.selectOption("#algorithm", "sha512");
  await expectText("#digest-output", nodeDigest("sha512", bytes));
  await page.selectOption("#algorithm", "sha256");
  await page.fill("#text", "{}");
  await expectText("#digest-output", "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  await expectText("#digest-size", "2 bytes");
});

test("a chosen file shows its digest and size", async () => {
  const bytes = randomFillSync(Buffer.alloc(9 * 1024 * 1024 + 7));
  await page.setInputFiles("#file", { name: "layer.tar", mimeType: "application/x-tar", buffer: bytes });
  await expectText("#digest-output", nodeDigest("sha256", bytes), 60_000);
  await expectText("#digest-size", `${new Intl.NumberFormat("en").format(bytes.length)} bytes`);
  assert.match(await page.textContent("#digest-source"), /layer\.tar/);
  assert.equal(await page.isHidden("#progress"), true, "the progress bar is put away when done");
});

test("the media-type box shows the parts, and lint codes as you type", async () => {
  const parts = async () => Object.fromEntries(
    await page.$$eval("#parts dt", (dts) => dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent])),
  );
  // Prefilled.
  assert.deepEqual(await parts(), {
    Type: "application",
    Subtype: "vnd.example.docsinmarkdown.config.v1+json",
    Tree: "vnd",
    Suffix: "json",
    Org: "example",
    "Object type": "docsinmarkdown",
    "Sub types": "—",
    Role: "config",
    Version: "v1",
    Format: "json",
  });
  assert.match(await page.textContent("#findings"), /No warnings/);

  await page.fill("#media-type", "application/vnd.cncf.helm.chart.layer.v1.tar+gzip");
  const helm = await parts();
  assert.equal(helm["Sub types"], "chart");
  assert.equal(helm.Role, "layer");
  assert.equal(helm.Format, "tar+gzip");
  await page.selectOption("#role", "config");
  assert.deepEqual(await codes(), ["MEDIA_TYPE_CONFIG_NOT_JSON", "MEDIA_TYPE_ROLE_MISMATCH"]);
  await page.selectOption("#role", "");

  await page.fill("#media-type", "text/markdown");
  assert.deepEqual(await codes(), ["MEDIA_TYPE_NOT_VENDOR"]);
  assert.equal((await parts()).Tree, "standards");
  await screenshot("demo-lint.png");

  await page.fill("#media-type", "text/markdown; charset=utf-8");
  assert.match(await page.textContent("#media-error"), /^MEDIA_TYPE_INVALID: /);
  assert.deepEqual(await codes(), []);

  await page.fill("#media-type", "application/vnd.example.docsinmarkdown.config.v1+json");
  await screenshot("demo.png");
  assert.deepEqual(problems, []);
});

test("the pack card packs files into a manifest and downloads an OCI layout", async () => {
  // The catalog as radio buttons with logos, the docs-in-markdown type chosen to start with.
  const types = await page.$$eval("#types label:not(.own)", (labels) =>
    labels.map((l) => ({ name: l.textContent, logo: l.querySelector("img").src, checked: l.querySelector("input").checked })),
  );
  assert.ok(types.length >= 12);
  assert.ok(types.every((t) => t.logo.startsWith("data:image/svg+xml,")));
  assert.deepEqual(types.filter((t) => t.checked).map((t) => t.name), ["Docs in Markdown"]);
  const empty = JSON.parse(await page.textContent("#pack-manifest"));
  assert.equal(empty.artifactType, "application/vnd.stevelasker.docsinmarkdown.config.v1+json");
  assert.equal(empty.layers[0].mediaType, "application/vnd.oci.empty.v1+json", "no files: one empty layer");

  const overview = "# Overview\n\nDocs in markdown.\n";
  await page.setInputFiles("#pack-file", [
    { name: "overview.md", mimeType: "text/markdown", buffer: Buffer.from(overview) },
    { name: "description.md", mimeType: "text/markdown", buffer: Buffer.from("# Description\n") },
  ]);
  await page.waitForFunction(() => document.querySelector("oci-artifact-form").shadowRoot.querySelectorAll("#pack-files tr").length === 2);
  const typeOf = (name) => `input[aria-label="Media type of ${name}"]`;
  assert.equal(await page.inputValue(typeOf("overview.md")), "application/vnd.stevelasker.docsinmarkdown.overview.layer.v1+md");
  await page.fill(typeOf("description.md"), "not a type");
  assert.match(await page.textContent("#pack-error"), /^MEDIA_TYPE_INVALID: /);
  assert.equal(await page.isDisabled("#pack-download"), true);
  await page.fill(typeOf("description.md"), "application/vnd.stevelasker.docsinmarkdown.description.layer.v1+md");
  assert.equal(await page.isHidden("#pack-error"), true);

  const manifest = JSON.parse(await page.textContent("#pack-manifest"));
  assert.deepEqual(manifest.layers.map((l) => l.annotations["org.opencontainers.image.title"]), ["overview.md", "description.md"]);
  assert.equal(manifest.layers[0].digest, nodeDigest("sha256", Buffer.from(overview)));
  assert.equal(await page.textContent("#pack-valid"), "valid manifest");
  const digest = await page.textContent("#pack-digest");
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  await screenshot("demo-pack.png");

  // The download is an OCI layout that the system tar extracts, tagged "latest".
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#pack-download")]);
  const dir = mkdtempSync(join(tmpdir(), "ocikit-demo-"));
  try {
    execFileSync("tar", ["-xf", await download.path(), "-C", dir]);
    const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
    assert.equal(index.manifests[0].digest, digest);
    assert.equal(index.manifests[0].annotations["org.opencontainers.image.ref.name"], "latest");
    const bytes = readFileSync(join(dir, "blobs/sha256", digest.slice(7)));
    assert.equal(nodeDigest("sha256", bytes), digest);
    assert.deepEqual(JSON.parse(bytes.toString("utf8")), manifest);
    for (const layer of manifest.layers) {
      assert.equal(nodeDigest("sha256", readFileSync(join(dir, "blobs/sha256", layer.digest.slice(7)))), layer.digest);
    }
    assert.equal(readFileSync(join(dir, "oci-layout"), "utf8"), '{"imageLayoutVersion":"1.0.0"}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(problems, []);
});

test("the shared vectors pass through the browser entry inside the page", async () => {
  const failures = await page.evaluate(checkVectorsInPage, {
    digests: vectors("digests.json"),
    mediaTypes: vectors("media-types.json"),
  });
  assert.deepEqual(failures, []);
  assert.deepEqual(problems, []);
});

async function codes() {
  return (await page.$$eval("#findings li code", (items) => items.map((c) => c.textContent))).sort();
}

async function expectText(selector, expected, timeout = 10_000) {
  try {
    await page.waitForFunction(
      ([s, text]) => document.querySelector(s)?.textContent === text,
      [selector, expected],
      { timeout },
    );
  } catch {
    assert.equal(await page.textContent(selector), expected, selector);
  }
}

async function screenshot(name) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: new URL(name, screenshots).pathname, fullPage: true });
}

/** Runs in the page: the checks of tests/js/vectors.test.mjs through `import("ocikit")`. */
async function checkVectorsInPage({ digests, mediaTypes }) {
  const ocikit = await import("ocikit");
  const failures = [];
  const check = (ok, what) => ok || failures.push(what);
  const fromHex = (hex) => Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
  const inputBytes = (spec) => {
    if (typeof spec.text === "string") return new TextEncoder().encode(spec.text);
    if (typeof spec.hex === "string") return fromHex(spec.hex);
    const unit = fromHex(spec.repeat.hex);
    const out = new Uint8Array(unit.length * spec.repeat.count);
    for (let i = 0; i < out.length; i += unit.length) out.set(unit, i);
    return out;
  };
  const code = (fn) => {
    try {
      fn();
      return null;
    } catch (error) {
      return error instanceof ocikit.OciError ? error.code : `not an OciError: ${error}`;
    }
  };
  for (const c of digests.compute) {
    const data = inputBytes(c.input);
    for (const algorithm of ["sha256", "sha512"]) {
      check(ocikit.digest(data, algorithm) === c[algorithm], `digest ${c.name} ${algorithm}`);
      check(code(() => ocikit.verify(data, c[algorithm], c.size)) === null, `verify ${c.name} ${algorithm}`);
      for (const piece of [1, 7, 63, 64, 65, 1000, 65536]) {
        const digester = new ocikit.Digester(algorithm);
        for (let i = 0; i < data.length; i += piece) digester.update(data.subarray(i, i + piece));
        check(digester.size === data.length && digester.finalize() === c[algorithm], `${c.name} ${algorithm} in ${piece}s`);
      }
      const blob = await ocikit.digestBlob(new Blob([data]), { algorithm, chunkSize: 100_000 });
      check(blob === c[algorithm], `digestBlob ${c.name} ${algorithm}`);
    }
  }
  for (const c of digests.parse) {
    if (c.error) {
      check(code(() => ocikit.parseDigest(c.input)) === c.error, `parse ${c.name}`);
    } else {
      const p = ocikit.parseDigest(c.input);
      check(p.algorithm === c.algorithm && p.encoded === c.encoded && p.supported === c.supported, `parse ${c.name}`);
    }
  }
  for (const c of digests.verify) {
    check(code(() => ocikit.verify(inputBytes(c.input), c.digest, c.size)) === (c.error ?? null), `verify ${c.name}`);
  }
  for (const c of digests.algorithms) {
    check(code(() => new ocikit.Digester(c.name)) === (c.error ?? null), `algorithm ${c.name}`);
  }
  for (const c of mediaTypes.cases) {
    if (c.error) {
      check(code(() => ocikit.parseMediaType(c.input)) === c.error, `media type ${c.name}`);
      continue;
    }
    const p = ocikit.parseMediaType(c.input);
    check(
      p.type === c.type && p.subtype === c.subtype && p.tree === c.tree && p.suffix === c.suffix &&
        JSON.stringify(p.artifact) === JSON.stringify(c.artifact),
      `media type ${c.name}`,
    );
    const lint = ocikit.lintMediaType(c.input, c.role).map((f) => f.code).sort();
    check(JSON.stringify(lint) === JSON.stringify(c.lint), `lint ${c.name}: ${lint}`);
  }
  return failures;
}
