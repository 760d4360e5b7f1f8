// Debian's docker-registry (CNCF distribution 2.8.2) on a free loopback port, for the client
// tests: an open registry with deletes enabled, or one behind htpasswd Basic auth.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";

export const REGISTRY_BIN = process.env.OCIKIT_DOCKER_REGISTRY ?? "/usr/bin/docker-registry";
export const HTPASSWD_BIN = "/usr/bin/htpasswd";

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
 * Starts a registry; resolves to `{ address, stop }` once `GET /v2/` answers (200, or 401 with
 * auth). `users` (`{ name: password }`) puts it behind htpasswd Basic auth.
 */
export async function startRegistry({ users } = {}) {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(
      `${REGISTRY_BIN} is missing: the client tests need Debian's docker-registry (scripts/tools.sh or apt-get install docker-registry)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "ocikit-registry-"));
  const port = await freePort();
  let auth = "";
  if (users !== undefined) {
    const lines = Object.entries(users).map(([name, password]) =>
      execFileSync(HTPASSWD_BIN, ["-Bbn", name, password], { encoding: "utf8" }).trim(),
    );
    writeFileSync(join(dir, "htpasswd"), `${lines.join("\n")}\n`);
    auth = `auth:\n  htpasswd:\n    realm: ocikit-test\n    path: ${join(dir, "htpasswd")}\n`;
  }
  const config = join(dir, "config.yml");
  writeFileSync(
    config,
    [
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
      auth,
    ].join("\n"),
  );
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
  return { address, stop };
}
