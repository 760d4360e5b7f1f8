// ocikit/wasm in Node: the browser's implementation, everything in WebAssembly. For comparing
// against the default Node entry and for measuring the wasm path; applications want "ocikit".
import "./node-init.js";
import { setMaxListeners } from "node:events";
import { moduleLoaded, useManyListeners } from "./client.js";

moduleLoaded();
// An operation's signal has a listener per request in flight: no leak warning for it.
useManyListeners((signal) => setMaxListeners(0, signal));

export * from "./node-public.js";
export { Digester, digest, digestBlob, verify } from "./api.js";
// The one Client class (client.js); it hashes with node:crypto once "ocikit" is loaded too.
export { Client } from "./client.js";
export { OciLayout, copy } from "./layout.js";
