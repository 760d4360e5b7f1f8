// Small HTTP servers on loopback addresses for the hardening tests: a registry that misbehaves
// on purpose (each test gives its handler) and an "attacker" that records whatever reaches it.
// Both record every request, with its headers and how many body bytes arrived.
import { createServer } from "node:http";
import { once } from "node:events";

/**
 * @typedef {{ method: string, url: string, headers: import("node:http").IncomingHttpHeaders, bodyBytes: number }} Recorded
 * @typedef {(request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse, recorded: Recorded, server: Listening) => void | Promise<void>} Handler
 * @typedef {{ host: string, port: number, address: string, origin: string, requests: Recorded[], close: () => Promise<void> }} Listening
 */

/**
 * Listens on `host` (any loopback address: 127.0.0.2 is another host than 127.0.0.1 to the
 * client). Each request's body is read (and counted) before `handler` answers it; a handler
 * that never answers leaves the client waiting.
 * @param {Handler} handler
 * @param {string} [host]
 * @returns {Promise<Listening>}
 */
export async function listen(handler, host = "127.0.0.1") {
  /** @type {Recorded[]} */
  const requests = [];
  /** @type {Listening} */
  let listening;
  const server = createServer(async (request, response) => {
    /** @type {Recorded} */
    const recorded = { method: request.method ?? "", url: request.url ?? "", headers: request.headers, bodyBytes: 0 };
    requests.push(recorded);
    try {
      for await (const chunk of request) recorded.bodyBytes += chunk.length;
      await handler(request, response, recorded, listening);
    } catch {
      // The client went away mid-answer: what the tests look at is already recorded.
      response.destroy();
    }
  });
  server.listen(0, host);
  await once(server, "listening");
  const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
  const address = `${host}:${port}`;
  listening = {
    host,
    port,
    address,
    origin: `http://${address}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return listening;
}

/**
 * A registry that answers from `routes`: `[method, path or RegExp, handler]`, the first match
 * wins (a path is compared without the query); anything else is a 404 with a registry error.
 * @param {[string, string | RegExp, Handler][]} routes
 * @param {string} [host]
 */
export function hostileRegistry(routes, host = "127.0.0.1") {
  return listen(async (request, response, recorded, server) => {
    const path = (request.url ?? "").split("?")[0];
    for (const [method, match, handler] of routes) {
      if (method !== request.method) continue;
      if (match instanceof RegExp ? !match.test(path) : match !== path) continue;
      await handler(request, response, recorded, server);
      return;
    }
    json(response, 404, { errors: [{ code: "NAME_UNKNOWN", message: "no such route" }] });
  }, host);
}

/** Answers with a JSON body. */
export function json(response, status, body, headers = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Whether any recorded request carried credentials: an Authorization header, or a user in the URL. */
export function sawCredentials(requests) {
  return requests.some((r) => r.headers.authorization !== undefined || /\/\/[^/]*@/.test(r.url));
}

/** Resolves after `ms` milliseconds. */
export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
