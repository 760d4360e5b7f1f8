// ocikit for Node. SHA-256 and SHA-512 run in node:crypto (OpenSSL, with the CPU's SHA
// extensions: about 4x the speed of any wasm); BLAKE3, which OpenSSL lacks, and everything else,
// including which algorithms exist and every verification rule, is the core's, through wasm. The
// shared test vectors run against this entry and against ocikit/wasm and must give identical
// results.
import "./node-init.js";
import { createHash } from "node:crypto";
import {
  Digester as WasmDigester,
  blobDigester,
  bytesOf,
  digest as wasmDigest,
  parseDigest,
  supportedAlgorithm,
  verifyComputed,
} from "./api.js";
import { useDigester } from "./client.js";

// Everything but digests is the same function in every entry (packing and parsing hash inside
// the core, in wasm).
export * from "./node-public.js";

// The core's answer for each algorithm name already asked about (only supported names are kept).
const algorithms = new Map();

// The algorithms node:crypto hashes; the core's other ones (blake3) are hashed in wasm.
const NATIVE = new Set(["sha256", "sha512"]);

function hashName(algorithm) {
  const key = algorithm ?? "sha256";
  let name = algorithms.get(key);
  if (name === undefined) {
    name = supportedAlgorithm(algorithm);
    algorithms.set(key, name);
  }
  return name;
}

/** The digest string of `data`, e.g. `sha256:44136f…` (sha256 unless `algorithm` says another). @param {string} [algorithm] */
export function digest(data, algorithm = undefined) {
  const bytes = bytesOf(data);
  const name = hashName(algorithm);
  if (!NATIVE.has(name)) return wasmDigest(bytes, name);
  return `${name}:${createHash(name).update(bytes).digest("hex")}`;
}

/** Throws an OciError unless `data` has the `expected` digest and, when given, `size`. */
export function verify(data, expected, size = undefined) {
  const bytes = bytesOf(data);
  const { algorithm, supported } = parseDigest(expected);
  verifyComputed(expected, size, supported ? digest(bytes, algorithm) : null, bytes.byteLength);
}

/** An incremental digest: `update` with bytes as they arrive, `finalize` at any point. */
export class Digester {
  #algorithm;
  #hash;
  #size = 0;

  constructor(algorithm = undefined) {
    this.#algorithm = hashName(algorithm);
    this.#hash = NATIVE.has(this.#algorithm) ? createHash(this.#algorithm) : new WasmDigester(this.#algorithm);
  }

  /** `"sha256"`, `"sha512"` or `"blake3"`. */
  get algorithm() {
    return this.#algorithm;
  }

  /** Bytes fed so far; a RangeError past Number.MAX_SAFE_INTEGER rather than a rounded number. */
  get size() {
    // Adding non-negative numbers never decreases the sum, so once past the limit it stays past.
    if (this.#size > Number.MAX_SAFE_INTEGER) {
      throw new RangeError("size exceeds Number.MAX_SAFE_INTEGER and cannot be represented exactly");
    }
    return this.#size;
  }

  /** Feeds more bytes; returns this digester. */
  update(data) {
    const bytes = bytesOf(data);
    this.#hash.update(bytes);
    this.#size += bytes.byteLength;
    return this;
  }

  /** The digest of everything fed so far; the digester stays usable. */
  finalize() {
    if (this.#hash instanceof WasmDigester) return this.#hash.finalize();
    return `${this.#algorithm}:${this.#hash.copy().digest("hex")}`;
  }

  /** Throws an OciError unless the content fed so far has the `expected` digest (and `size`). */
  verify(expected, size = undefined) {
    verifyComputed(expected, size, this.finalize(), this.size);
  }
}

/** Digests a Blob or File in chunks: `await digestBlob(file, { onProgress })`. */
export const digestBlob = blobDigester(Digester);

// The registry client over fetch hashes the blobs it moves with node:crypto too.
useDigester(Digester);
export { Client } from "./client.js";
export { OciLayout, copy } from "./layout.js";
export { backup, restore } from "./collections.js";
