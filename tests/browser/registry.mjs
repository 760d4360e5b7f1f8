// Debian's docker-registry (CNCF distribution 2.8.2) on a free loopback port with CORS headers
// for the demo's origin, for the end-to-end tests in the browser.
//
// What distribution 2.8.2 does with `http.headers` (checked by these tests): it adds the headers
// to every response, and without authentication it answers the browser's preflight OPTIONS
// requests with 200 and those headers, so a page can talk to it directly. Behind `auth:`
// (htpasswd) it answers OPTIONS with 401 — preflights carry no credentials — and browsers
// refuse the request. `corsProxy` is the workaround: a small reverse proxy that answers OPTIONS
// itself and forwards everything else unchanged.
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REGISTRY_BIN = process.env.OCIKIT_DOCKER_REGISTRY ?? "/usr/bin/docker-registry";

export const CORS_HEADERS = {
  "Access-Control-Allow-Methods": "GET, HEAD, PUT, POST, PATCH, DELETE, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type, Accept, Range, If-Match, Content-Range",
  "Access-Control-Expose-Headers":
    "Docker-Content-Digest, Location, Range, Link, WWW-Authenticate, OCI-Subject, OCI-Chunk-Min-Length, Content-Range, ETag",
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a registry that allows `origin` (CORS) and resolves to `{ address, url, stop }` once
 * `GET /v2/` answers. `users` (`{ name: password }`) puts it behind htpasswd Basic auth.
 */
export async function startRegistry({ origin, users } = {}) {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(`${REGISTRY_BIN} is missing: install Debian's docker-registry (scripts/tools.sh)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "ocikit-browser-registry-"));
  const port = await freePort();
  const lines = [
    "version: 0.1",
    "log:",
    "  level: error",
    "  accesslog:",
    "    disabled: true",
    "storage:",
    "  filesystem:",
    `    rootdirectory: ${join(dir, "data")}`,
    "  delete:",
    "    enabled: true",
    "http:",
    `  addr: 127.0.0.1:${port}`,
    "  headers:",
    `    Access-Control-Allow-Origin: [${JSON.stringify(origin)}]`,
    ...Object.entries(CORS_HEADERS).map(([name, value]) => `    ${name}: [${JSON.stringify(value)}]`),
  ];
  if (users !== undefined) {
    const entries = Object.entries(users).map(([name, password]) =>
      execFileSync("/usr/bin/htpasswd", ["-Bbn", name, password], { encoding: "utf8" }).trim(),
    );
    writeFileSync(join(dir, "htpasswd"), `${entries.join("\n")}\n`);
    lines.push("auth:", "  htpasswd:", "    realm: ocikit-browser-test", `    path: ${join(dir, "htpasswd")}`);
  }
  const config = join(dir, "config.yml");
  writeFileSync(config, `${lines.join("\n")}\n`);
  // A clean environment: REGISTRY_* variables would override the config.
  const child = spawn(REGISTRY_BIN, ["serve", config], { stdio: ["ignore", "ignore", "pipe"], env: { PATH: process.env.PATH } });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`docker-registry exited with ${child.exitCode}:\n${stderr}`);
    }
    try {
      const response = await fetch(`http://${address}/v2/`);
      if (response.status === (users === undefined ? 200 : 401)) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${address} within 15 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { address, url: `http://${address}`, stop };
}

/**
 * A reverse proxy on a free loopback port in front of `target` (`host:port`) that answers CORS
 * preflights (OPTIONS) itself for `origin`, and passes every other request and response through
 * unchanged (the registry adds the CORS headers to those). Resolves to `{ address, url, stop }`.
 */
export async function corsProxy(target, origin) {
  const [targetHost, targetPort] = target.split(":");
  const server = http.createServer((request, response) => {
    if (request.method === "OPTIONS") {
      response.writeHead(204, { "Access-Control-Allow-Origin": origin, ...CORS_HEADERS, "Access-Control-Max-Age": "600" });
      response.end();
      return;
    }
    const upstream = http.request(
      { host: targetHost, port: Number(targetPort), method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode, answer.rawHeaders);
        answer.pipe(response);
      },
    );
    upstream.on("error", (error) => response.destroy(error));
    request.pipe(upstream);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = `127.0.0.1:${server.address().port}`;
  const stop = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return { address, url: `http://${address}`, stop };
}
