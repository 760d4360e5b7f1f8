// Debian's docker-registry (CNCF distribution 2.8.2) on a free loopback port, for the client
// tests: an open registry with deletes enabled, one behind htpasswd Basic auth, or one taking
// Bearer tokens from the token server below (the Node twin of tests/registry/token_server.py).
import { spawn, execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey, randomBytes, sign } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";

export const REGISTRY_BIN = process.env.OCIKIT_DOCKER_REGISTRY ?? "/usr/bin/docker-registry";
export const HTPASSWD_BIN = "/usr/bin/htpasswd";
export const OPENSSL_BIN = "/usr/bin/openssl";
export const TOKEN_ISSUER = "ocikit-test-issuer";
export const TOKEN_SERVICE = "ocikit-test-registry";

const base64url = (data) => Buffer.from(data).toString("base64url");

/**
 * The Docker token server distribution 2.8.2's `auth.token` verifies: RS256 JWTs with the
 * signing key's self-signed certificate in `x5c` (the registry trusts it as `rootcertbundle`),
 * `iss`, `aud` (the service), `exp`/`nbf`, and the `access` claim granting repository actions.
 * `GET /token?service=…&scope=…` with Basic credentials (the Docker token protocol; anonymous
 * requests get a token granting nothing, wrong credentials 401), or `POST /token` with
 * `grant_type=refresh_token` (OAuth2). The key and certificate are made with openssl in `dir`.
 * Resolves to `{ realm, certificate, requests, close }`; `requests` logs what was asked.
 */
/** @param {string} dir @param {{ users?: Record<string, string>, refreshTokens?: Record<string, string> }} [options] */
export async function startTokenServer(dir, { users = {}, refreshTokens = {} } = {}) {
  const keyFile = join(dir, "token.key");
  const certificate = join(dir, "token.crt");
  // The arguments go straight to openssl: no shell.
  execFileSync(
    OPENSSL_BIN,
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=ocikit test token issuer", "-keyout", keyFile, "-out", certificate],
    { stdio: "ignore" },
  );
  const key = createPrivateKey(readFileSync(keyFile));
  const x5c = new X509Certificate(readFileSync(certificate)).raw.toString("base64");
  const token = (subject, access, seconds) => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: "JWT", alg: "RS256", x5c: [x5c] };
    const claims = { iss: TOKEN_ISSUER, sub: subject, aud: TOKEN_SERVICE, exp: now + seconds, nbf: now - 10, iat: now, jti: randomBytes(8).toString("hex"), access };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    // RSASSA-PKCS1-v1_5 with SHA-256: RS256 (RFC 7518 §3.3).
    return `${input}.${base64url(sign("sha256", Buffer.from(input), key))}`;
  };
  // `repository:name:pull,push` scopes (space-separated, possibly repeated) as `access`.
  const access = (scopes) =>
    scopes.flatMap((scope) => scope.split(" ")).flatMap((item) => {
      const kind = item.slice(0, item.indexOf(":"));
      const rest = item.slice(item.indexOf(":") + 1);
      const name = rest.slice(0, rest.lastIndexOf(":"));
      return kind && name ? [{ type: kind, name, actions: rest.slice(rest.lastIndexOf(":") + 1).split(",") }] : [];
    });
  const requests = [];
  const server = createHttpServer(async (request, response) => {
    const answer = (status, body) => {
      response.writeHead(status, { "Content-Type": "application/json" });
      response.end(JSON.stringify(body));
    };
    const url = new URL(request.url ?? "/", "http://token");
    if (request.method === "GET") {
      requests.push(`GET ${url.pathname}${url.search}`);
      let subject = "anonymous";
      const authorization = request.headers.authorization ?? "";
      if (authorization.startsWith("Basic ")) {
        const decoded = Buffer.from(authorization.slice(6), "base64").toString();
        const user = decoded.slice(0, decoded.indexOf(":"));
        if (!Object.hasOwn(users, user) || users[user] !== decoded.slice(decoded.indexOf(":") + 1)) {
          answer(401, { errors: [{ code: "UNAUTHORIZED", message: "bad credentials" }] });
          return;
        }
        subject = user;
      }
      if (url.searchParams.get("service") !== TOKEN_SERVICE) {
        answer(400, { errors: [{ code: "DENIED", message: "unknown service" }] });
        return;
      }
      const issued = token(subject, subject === "anonymous" ? [] : access(url.searchParams.getAll("scope")), 300);
      answer(200, { token: issued, access_token: issued, expires_in: 300 });
    } else if (request.method === "POST") {
      let body = "";
      for await (const chunk of request) body += chunk;
      const form = new URLSearchParams(body);
      requests.push(`POST ${url.pathname} ${[...new Set(form.keys())].sort().join(",")}`);
      const refresh = form.get("refresh_token") ?? "";
      const subject = Object.hasOwn(refreshTokens, refresh) ? refreshTokens[refresh] : undefined;
      if (form.get("grant_type") !== "refresh_token" || subject === undefined) {
        answer(401, { error: "invalid_grant" });
        return;
      }
      answer(200, { access_token: token(subject, access(form.getAll("scope")), 300), expires_in: 300 });
    } else {
      answer(405, { error: "method not allowed" });
    }
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  const realm = `http://127.0.0.1:${port}/token`;
  /** @type {() => Promise<void>} */
  const close = () => new Promise((resolve) => server.close(() => resolve()));
  return { realm, certificate, requests, close };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a registry; resolves to `{ address, stop, tokenServer }` once `GET /v2/` answers (200,
 * or 401 with auth). `users` (`{ name: password }`) puts it behind htpasswd Basic auth, or with
 * `bearer: true` behind Bearer tokens from a token server knowing those users and
 * `refreshTokens` (`{ token: user }`).
 */
/** @param {{ users?: Record<string, string>, bearer?: boolean, refreshTokens?: Record<string, string> }} [options] */
export async function startRegistry({ users, bearer = false, refreshTokens = {} } = {}) {
  if (!existsSync(REGISTRY_BIN)) {
    throw new Error(
      `${REGISTRY_BIN} is missing: the client tests need Debian's docker-registry (scripts/tools.sh or apt-get install docker-registry)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "ocikit-registry-"));
  const port = await freePort();
  let auth = "";
  let tokenServer = null;
  if (bearer) {
    tokenServer = await startTokenServer(dir, { users, refreshTokens });
    auth = [
      "auth:",
      "  token:",
      `    realm: ${tokenServer.realm}`,
      `    service: ${TOKEN_SERVICE}`,
      `    issuer: ${TOKEN_ISSUER}`,
      `    rootcertbundle: ${tokenServer.certificate}`,
      "",
    ].join("\n");
  } else if (users !== undefined) {
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
    await tokenServer?.close();
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
      if (response.status === (users === undefined && !bearer ? 200 : 401)) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`docker-registry did not answer on ${address} within 15 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { address, stop, tokenServer };
}
