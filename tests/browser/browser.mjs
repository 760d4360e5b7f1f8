// Headless Debian Chromium for the browser tests (playwright-core never downloads a browser), a
// page of the demo that records every console error, page error, failed request and request to
// an origin the test did not allow, and small helpers the test files share.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";

export const base = process.env.OCIKIT_DEMO_URL;
export const origin = base && new URL(base).origin;
const screenshots = new URL("./screenshots/", import.meta.url);

export const nodeDigest = (algorithm, bytes) => `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;

export async function launch() {
  assert.ok(base, "OCIKIT_DEMO_URL is not set: run scripts/test-browser.sh");
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

/**
 * A page of the demo, ready; `problems` collects what should never happen. `allowed` lists
 * origins besides the demo's the page may talk to (the test registries).
 */
export async function openDemo(browser, { allowed = [], viewport = { width: 1366, height: 900 } } = {}) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.stack ?? error}`));
  page.on("requestfailed", (request) => {
    // A download the page saves itself goes through a blob: URL; aborted blob reads are not failures.
    if (!request.url().startsWith("blob:")) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
  });
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (["data:", "blob:"].includes(url.protocol)) return;
    if (url.origin !== origin && !allowed.includes(url.origin)) problems.push(`off-origin request: ${url}`);
  });
  await page.goto(base);
  await page.waitForSelector("html[data-ready=true]", { timeout: 30_000 });
  return { page, problems, context };
}

/**
 * `problems` without what the registry protocol makes normal, which Chromium still logs as console
 * errors: a 404 (a blob not uploaded yet, a tag that does not exist) or a 401 (an auth challenge).
 * With `referrersProbe`, also the probe of the referrers API on a registry without one
 * (distribution 2.8.2 answers that URL with a 404 lacking its CORS headers: a CORS failure).
 */
export function unexpected(problems, { referrersProbe = false } = {}) {
  return problems.filter((p) => {
    if (/^console error: Failed to load resource: the server responded with a status of 40[14] /.test(p)) return false;
    if (referrersProbe && (/\/referrers\/sha256:/.test(p) || p === "console error: Failed to load resource: net::ERR_FAILED")) return false;
    return true;
  });
}

export async function expectText(page, selector, expected, timeout = 10_000) {
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

export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: new URL(name, screenshots).pathname, fullPage });
}
