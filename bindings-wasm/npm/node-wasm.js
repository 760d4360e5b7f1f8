// ocikit/wasm in Node: the browser's implementation, everything in WebAssembly. For comparing
// against the default Node entry and for measuring the wasm path; applications want "ocikit".
import "./node-init.js";
import { Digester } from "./api.js";
import { clientClass } from "./client.js";

export * from "./node-public.js";
export { Digester, digest, digestBlob, verify } from "./api.js";

/** The registry client over fetch, hashing blobs with this entry's Digester. */
export const Client = clientClass(Digester);
