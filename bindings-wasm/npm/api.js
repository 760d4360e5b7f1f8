// The public API over the wasm module, shared by every entry point. The entries initialise the
// module first (browser.js asynchronously, node-init.js synchronously) and then re-export these.
import * as wasm from "./wasm/ocikit_wasm.js";
import { OciError, converted } from "./errors.js";

export { OciError };

/**
 * The bytes of `data` as a Uint8Array view (no copy): a Uint8Array (Node's Buffer included), an
 * ArrayBuffer, or any other ArrayBuffer view. Anything else is a TypeError; text is not encoded
 * implicitly, because which bytes a digest covers must be explicit.
 */
export function bytesOf(data, name = "data") {
  // isView checks the internal slot, so a Proxy or a look-alike object cannot pass.
  if (ArrayBuffer.isView(data)) {
    return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  if (isBuffer(data)) return new Uint8Array(data);
  const hint = typeof data === "string" ? " (encode text first, e.g. new TextEncoder().encode(text))" : "";
  throw new TypeError(`${name} must be a Uint8Array, an ArrayBuffer or an ArrayBufferView, not ${describe(data)}${hint}`);
}

// The byteLength getters check the internal slot too (and work across realms).
const bufferBrands = [ArrayBuffer, globalThis.SharedArrayBuffer]
  .filter((type) => typeof type === "function")
  .map((type) => Object.getOwnPropertyDescriptor(type.prototype, "byteLength").get);

function isBuffer(value) {
  return bufferBrands.some((byteLength) => {
    try {
      byteLength.call(value);
      return true;
    } catch {
      return false;
    }
  });
}

function describe(value) {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return typeof value;
}

/** The digest string of `data`, e.g. `sha256:44136f…` (sha256 unless `algorithm` says sha512). */
export function digest(data, algorithm = undefined) {
  const bytes = bytesOf(data);
  try {
    return wasm.digest(bytes, algorithm);
  } catch (thrown) {
    throw converted(thrown);
  }
}

/** Throws an OciError unless `data` has the `expected` digest and, when given, `size`. */
export function verify(data, expected, size = undefined) {
  const bytes = bytesOf(data);
  try {
    wasm.verify(bytes, expected, size);
  } catch (thrown) {
    throw converted(thrown);
  }
}

/** An incremental digest: `update` with bytes as they arrive, `finalize` at any point. */
export class Digester {
  #inner;

  constructor(algorithm = undefined) {
    try {
      this.#inner = new wasm.Digester(algorithm);
    } catch (thrown) {
      throw converted(thrown);
    }
  }

  /** `"sha256"` or `"sha512"`. */
  get algorithm() {
    return this.#inner.algorithm;
  }

  /** Bytes fed so far; a RangeError past Number.MAX_SAFE_INTEGER rather than a rounded number. */
  get size() {
    return this.#inner.size;
  }

  /** Feeds more bytes; returns this digester. */
  update(data) {
    this.#inner.update(bytesOf(data));
    return this;
  }

  /** The digest of everything fed so far; the digester stays usable. */
  finalize() {
    return this.#inner.finalize();
  }

  /** Throws an OciError unless the content fed so far has the `expected` digest (and `size`). */
  verify(expected, size = undefined) {
    try {
      this.#inner.verify(expected, size);
    } catch (thrown) {
      throw converted(thrown);
    }
  }
}

/** `{ algorithm, encoded, supported }` of a digest string; an OciError if it is invalid. */
export function parseDigest(text) {
  try {
    return wasm.parseDigest(text);
  } catch (thrown) {
    throw converted(thrown);
  }
}

/** The parts of a media type, with its artifact naming-convention parts (or `artifact: null`). */
export function parseMediaType(text) {
  try {
    return wasm.parseMediaType(text);
  } catch (thrown) {
    throw converted(thrown);
  }
}

/** Warnings about a media type name; `role` (`"config"` or `"layer"`) says where it is used. */
export function lintMediaType(text, role = undefined) {
  try {
    return wasm.lintMediaType(text, role);
  } catch (thrown) {
    throw converted(thrown);
  }
}

/**
 * The name of an algorithm ocikit computes, for entries that hash natively; an OciError
 * (DIGEST_INVALID, DIGEST_UNSUPPORTED) otherwise.
 */
export function supportedAlgorithm(algorithm) {
  try {
    return wasm.supportedAlgorithm(algorithm);
  } catch (thrown) {
    throw converted(thrown);
  }
}

/** The core's verification rules for a digest computed natively (`actual`, null if unsupported). */
export function verifyComputed(expected, size, actual, actualSize) {
  try {
    wasm.verifyComputed(expected, size, actual, actualSize);
  } catch (thrown) {
    throw converted(thrown);
  }
}

const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

/**
 * `digestBlob(blob, options)` for a Digester class: reads a Blob (or File) in chunks, hashing
 * one chunk while the next is being read, and reports progress after each chunk.
 */
export function blobDigester(DigesterClass) {
  return async function digestBlob(blob, options = {}) {
    if (typeof Blob !== "function" || !(blob instanceof Blob)) {
      throw new TypeError(`blob must be a Blob or a File, not ${describe(blob)}`);
    }
    const { algorithm, chunkSize = DEFAULT_CHUNK_SIZE, onProgress, signal } = options ?? {};
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError("chunkSize must be a positive integer");
    }
    if (onProgress !== undefined && typeof onProgress !== "function") {
      throw new TypeError("onProgress must be a function");
    }
    signal?.throwIfAborted();
    const digester = new DigesterClass(algorithm);
    const total = blob.size;
    const read = (start) => blob.slice(start, Math.min(start + chunkSize, total)).arrayBuffer();
    let offset = 0;
    let pending = read(0);
    try {
      // At least one round, so that an empty blob reports (0, 0) too.
      do {
        const chunk = new Uint8Array(await pending);
        signal?.throwIfAborted();
        const end = Math.min(offset + chunkSize, total);
        pending = end < total ? read(end) : null;
        digester.update(chunk);
        offset = end;
        onProgress?.(offset, total);
      } while (offset < total);
    } finally {
      // A read still in flight after an abort must not become an unhandled rejection.
      pending?.catch(() => {});
    }
    return digester.finalize();
  };
}

/** Digests a Blob or File in chunks: `await digestBlob(file, { onProgress })`. */
export const digestBlob = blobDigester(Digester);
