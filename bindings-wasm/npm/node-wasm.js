// ocikit/wasm in Node: the browser's implementation, everything in WebAssembly. For comparing
// against the default Node entry and for measuring the wasm path; applications want "ocikit".
import "./node-init.js";

export * from "./node-public.js";
export { Digester, digest, digestBlob, verify } from "./api.js";
// The one Client class (client.js); it hashes with node:crypto once "ocikit" is loaded too.
export { Client } from "./client.js";
export { OciLayout, copy } from "./layout.js";
export { backup, restore } from "./collections.js";
