// The public API over the wasm module, shared by every entry point. The entries initialise the
// module first (browser.js asynchronously, node-init.js synchronously) and then re-export these.
import { onGlueChange, wasm } from "./glue.js";
import { OciError, converted, core } from "./errors.js";

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
  throw new TypeError(`${name} must be a Uint8Array, an ArrayBuffer or an ArrayBufferView, not ${typeName(data)}${hint}`);
}

// The byteLength getters check the internal slot too (and work across realms).
const bufferBrands = [ArrayBuffer, globalThis.SharedArrayBuffer]
  .filter((type) => typeof type === "function")
  .map((type) => /** @type {PropertyDescriptor & { get: () => number }} */ (Object.getOwnPropertyDescriptor(type.prototype, "byteLength")).get);

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

export function typeName(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return typeof value;
}

/** The digest string of `data`, e.g. `sha256:44136f…` (sha256 unless `algorithm` says another). */
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

  /** `"sha256"`, `"sha512"` or `"blake3"`. */
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

/**
 * `{ algorithm, encoded, supported }` of a digest string; an OciError if it is invalid.
 * @returns {{ algorithm: string, encoded: string, supported: boolean }}
 */
export function parseDigest(text) {
  try {
    return /** @type {any} */ (wasm.parseDigest(text));
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
      throw new TypeError(`blob must be a Blob or a File, not ${typeName(blob)}`);
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
    /** @type {Promise<ArrayBuffer> | null} */
    let pending = read(0);
    try {
      // At least one round, so that an empty blob reports (0, 0) too.
      do {
        const chunk = new Uint8Array(await /** @type {Promise<ArrayBuffer>} */ (pending)); // set while offset < total
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

// Documents, packing, artifact types, references and layouts. The wasm module checks the
// arguments it reads; this layer turns byte buffers into Uint8Arrays and JS objects that are
// documents (manifests, descriptors, definitions) into JSON text for the core to read.

function isBytes(value) {
  return ArrayBuffer.isView(value) || isBuffer(value);
}

function isAbsent(value) {
  return value === undefined || value === null;
}

/** A plain object argument (not null, an array, bytes or a function), or a TypeError. */
export function record(value, name) {
  if (value === null || typeof value !== "object" || Array.isArray(value) || isBytes(value)) {
    throw new TypeError(`${name} must be an object, not ${typeName(value)}`);
  }
  return value;
}

function list(value, name) {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, not ${typeName(value)}`);
  return value;
}

/** A TypeError naming the first of `value`'s keys that is not one of `allowed`. */
export function checkKeys(value, allowed, name) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${name} has no option ${JSON.stringify(key)} (expected ${allowed.join(", ")})`);
    }
  }
}

/**
 * The JSON text of a document given as a JS value, for the core to read with its strict parser.
 * JSON.stringify would silently write some values as something else; those are refused:
 * numbers that are not finite (written as null) and integers beyond Number.MAX_SAFE_INTEGER (a
 * number that large may already be rounded) are wrong values, an OciError (SIZE_INVALID for a
 * `size`, JSON_INVALID elsewhere); a BigInt, a Map or Set (written as {}) and bytes (written as
 * an object of indexes: in a document, `data` is base64 text) are wrong types, a TypeError.
 * `undefined` fields are left out, which is how an optional field is absent.
 */
function jsonText(value, name) {
  return JSON.stringify(value, function replacer(key, item) {
    const where = key === "" ? name : `${name}: field ${JSON.stringify(key)}`;
    if (typeof item === "number") {
      let reason = null;
      if (!Number.isFinite(item)) reason = `${where} is ${item}, which JSON cannot hold`;
      else if (Number.isInteger(item) && !Number.isSafeInteger(item)) {
        reason = `${where} is ${item}, beyond Number.MAX_SAFE_INTEGER: a number that large is not exact`;
      }
      if (reason !== null) {
        throw key === "size"
          ? new OciError("SIZE_INVALID", `invalid size ${item}: ${reason}`, { value: String(item) })
          : new OciError("JSON_INVALID", `invalid JSON: ${reason}`, { reason });
      }
    } else if (typeof item === "bigint") {
      throw new TypeError(`${where} is a BigInt; sizes are numbers up to Number.MAX_SAFE_INTEGER`);
    } else if (item instanceof Map || item instanceof Set) {
      throw new TypeError(`${where} is a ${item.constructor.name}; use a plain object or array`);
    } else if (isBytes(item)) {
      throw new TypeError(`${where} is bytes; in a document, data is base64 text`);
    }
    return item;
  });
}

/** JSON text of a document argument that must be a plain object. */
function documentText(value, name) {
  return jsonText(record(value, name), name);
}

/**
 * Validates a manifest, index, descriptor, image config or oci-layout file: every finding, each
 * with code, severity, JSON pointer and rule. `document` is text or its bytes; `kind` is
 * detected when absent. An unknown `kind` is a TypeError.
 */
export function validate(document, kind = undefined) {
  let report;
  if (typeof document === "string") {
    // Text is validated as its UTF-8 bytes, encoded (natively) straight into the module's input
    // buffer: at most three bytes per UTF-16 code unit.
    if (document.length > BUFFERED) {
      report = core(() => wasm.validate(utf8.encode(document), kind));
    } else {
      const length = utf8.encodeInto(document, validationInput(document.length * 3)).written;
      report = core(() => wasm.validateBuffer(length, kind));
    }
  } else {
    if (!isBytes(document)) {
      throw new TypeError(`document must be a string or bytes (a Uint8Array, ArrayBuffer or ArrayBufferView), not ${typeName(document)}`);
    }
    const bytes = bytesOf(document, "document");
    if (bytes.length > BUFFERED) {
      report = core(() => wasm.validate(bytes, kind));
    } else {
      validationInput(bytes.length).set(bytes);
      report = core(() => wasm.validateBuffer(bytes.length, kind));
    }
  }
  // A document with no finding comes back as its kind's name (bindings-wasm/src/validate.rs).
  return typeof report === "string" ? { valid: true, kind: report, findings: [] } : report;
}

// Documents up to this size go through the module's input buffer, which stays allocated (three
// times this at most); larger ones are passed as a buffer of their own.
const BUFFERED = 64 * 1024;
let inputView = new Uint8Array(0);
// A view into another module's memory would write where this module never reads.
onGlueChange(() => {
  inputView = new Uint8Array(0);
});

/**
 * A view of the module's input buffer of at least `size` bytes. Made again when the buffer grows
 * and when the module's memory has grown (a view of its old ArrayBuffer is then empty).
 */
function validationInput(size) {
  if (inputView.length < size) {
    const address = wasm.validationBuffer(size);
    inputView = new Uint8Array(wasm.wasmMemory().buffer, address, wasm.validationBufferSize());
  }
  return inputView;
}

const utf8 = new TextEncoder();

/** The descriptor under which the referrers API lists a manifest (internal to the Client). */
export function referrerDescriptor(bytes) {
  const data = bytesOf(bytes, "bytes");
  return core(() => wasm.referrerDescriptor(data));
}

/** Reads an image manifest: `{ manifest, digest, size, bytes }`, the digest of exactly `bytes`. */
export function parseManifest(bytes) {
  const data = bytesOf(bytes, "bytes");
  return core(() => wasm.parseManifest(data));
}

/** Reads an image index: `{ index, digest, size, bytes }`, the digest of exactly `bytes`. */
export function parseIndex(bytes) {
  const data = bytesOf(bytes, "bytes");
  return core(() => wasm.parseIndex(data));
}

/** The canonical bytes of a manifest object (Go field order and escaping, as ORAS writes). */
export function encodeManifest(manifest) {
  const text = documentText(manifest, "manifest");
  return core(() => wasm.encodeManifest(text));
}

/** The canonical bytes of an index object. */
export function encodeIndex(index) {
  const text = documentText(index, "index");
  return core(() => wasm.encodeIndex(text));
}

/** A file or config of `pack` options with its `data` as a Uint8Array. */
function withBytes(value, name) {
  const item = record(value, name);
  return isAbsent(item.data) ? item : { ...item, data: bytesOf(item.data, `${name}.data`) };
}

/**
 * Packs files into an artifact manifest, as ORAS does: `{ manifest, digest, size, mediaType,
 * descriptor, blobs }`, where `manifest` holds the exact bytes to upload.
 */
export function pack(options) {
  const o = record(options, "options");
  const args = { ...o };
  if (!isAbsent(o.files)) args.files = list(o.files, "options.files").map((f, i) => withBytes(f, `options.files[${i}]`));
  if (!isAbsent(o.config)) args.config = withBytes(o.config, "options.config");
  if (!isAbsent(o.subject)) args.subject = documentText(o.subject, "options.subject");
  return core(() => wasm.pack(args));
}

/** Builds an image index over manifest descriptors (a collection or a multi-platform image). */
export function packIndex(options) {
  const o = record(options, "options");
  const args = { ...o };
  if (!isAbsent(o.manifests)) {
    list(o.manifests, "options.manifests").forEach((d, i) => record(d, `options.manifests[${i}]`));
    args.manifests = jsonText(o.manifests, "options.manifests");
  }
  if (!isAbsent(o.subject)) args.subject = documentText(o.subject, "options.subject");
  return core(() => wasm.packIndex(args));
}

/**
 * The config to read for a collection child's platform (an image manifest's, at most 4 MiB, not
 * the empty one): its descriptor, or `null`. MEDIA_TYPE_MISMATCH for a document that is not a
 * manifest or an index.
 */
export function indexPlatformConfig(mediaType, bytes) {
  if (typeof mediaType !== "string") throw new TypeError(`mediaType must be a string, not ${typeName(mediaType)}`);
  const data = bytesOf(bytes, "bytes");
  return core(() => wasm.indexPlatformConfig(mediaType, data));
}

/** A collection over fetched children `[{ mediaType, bytes, config? }]` (the `packIndex` shape). @param {object} [options] */
export function indexCreate(children, options = undefined) {
  return core(() => wasm.indexCreate(children, options ?? {}));
}

/** An index's exact bytes updated: `{ add, remove, artifactType, annotations }` (the `packIndex` shape). @param {object} [options] */
export function indexUpdate(mediaType, bytes, options = undefined) {
  if (typeof mediaType !== "string") throw new TypeError(`mediaType must be a string, not ${typeName(mediaType)}`);
  const data = bytesOf(bytes, "bytes");
  return core(() => wasm.indexUpdate(mediaType, data, options ?? {}));
}

/** The artifact types ocikit knows: built-in ones first, then those registered. */
export function artifactTypes() {
  return core(() => wasm.artifactTypes());
}

/** Checks an artifact type definition (an object or JSON text) and adds it to the catalog. */
export function registerArtifactType(definition) {
  const text = typeof definition === "string" ? definition : documentText(definition, "definition");
  const registered = core(() => wasm.registerArtifactType(text));
  registrations.push(text);
  return registered;
}

// The definitions registered so far, in order. The catalog lives in the module, so a module
// loaded later (the full one after the lite one) gets them again, in the same order: its catalog
// is then the one the page had.
const registrations = [];
onGlueChange(() => {
  for (const text of registrations) wasm.registerArtifactType(text);
});

/** What a manifest (bytes or object) is: `{ artifactType, source, definition }`. */
export function describe(manifest) {
  const input = isBytes(manifest) ? bytesOf(manifest, "manifest") : documentText(manifest, "manifest");
  return core(() => wasm.describe(input));
}

/** The catalog's definition for an artifact type or one of its aliases, or `null`. */
export function lookupArtifactType(mediaType) {
  return core(() => wasm.lookupArtifactType(mediaType));
}

/**
 * Checks a manifest or index against what is known of a registry, before anything is sent:
 * the static registry-quirk rules RQ001… (`{ ok, profile, host, findings, sources }`).
 * `document` is its text, its bytes, or a packed artifact (its `manifest` bytes), or null to
 * check the target alone (before the document exists); `target` a
 * reference or a registry host; `profile` a profile name that overrides the host's.
 */
export function lintForRegistry(document, target, profile = undefined) {
  let input = document;
  if (isAbsent(document)) {
    input = null;
  } else if (typeof document !== "string") {
    if (typeof document === "object" && !isBytes(document) && isBytes(document.manifest)) {
      input = bytesOf(document.manifest, "document.manifest");
    } else if (isBytes(document)) {
      input = bytesOf(document, "document");
    } else {
      throw new TypeError(`document must be a string, bytes or a packed artifact, not ${typeName(document)}`);
    }
  }
  return core(() => wasm.lintForRegistry(input, target, profile));
}

/** A registry profile by name or host, with its facts and their sources; no argument: the names. */
export function registryProfile(nameOrHost = undefined) {
  return core(() => wasm.registryProfile(nameOrHost));
}

/** Every registry-quirk rule RQ001…RQ029 with its trigger and sources. */
export function registryRules() {
  return core(() => wasm.registryRules());
}

/** What a tag is for by its name: `{ kind, subject }` (`tag`, `referrers`, `signature`, `attestation`, `sbom`). */
export function classifyTag(tag) {
  return core(() => wasm.classifyTag(tag));
}

/** The commands that fetch `reference`, for its artifact type: `["helm pull oci://…", …]`. */
export function pullCommands(reference, artifactType = undefined) {
  return core(() => wasm.pullCommands(reference, artifactType));
}

/** Throws an OciError (LOGO_INVALID, LOGO_UNSAFE, LOGO_TOO_LARGE) unless the SVG is safe to show. */
export function checkLogo(svg) {
  core(() => wasm.checkLogo(svg));
}

/**
 * `{ registry, repository, tag, digest }` of `registry/repository[:tag][@digest]`; with
 * `registry`, a reference relative to it (`docs/app:v1`) is read as a client of it reads one.
 */
export function parseReference(reference, registry = undefined) {
  return core(() => wasm.parseReference(reference, registry));
}

const LAYOUT_ENTRY_KEYS = ["manifest", "descriptor", "tag", "blobs", "digest", "size", "mediaType"];

/** A blob for a layout: its bytes (if the caller has them) and the digest and size they must have. */
function layoutBlob(value, name) {
  const blob = record(value, name);
  const described = isAbsent(blob.descriptor) ? blob : record(blob.descriptor, `${name}.descriptor`);
  return {
    data: isAbsent(blob.data) ? undefined : bytesOf(blob.data, `${name}.data`),
    digest: described.digest,
    size: described.size,
  };
}

function layoutEntry(value, name) {
  const entry = record(value, name);
  checkKeys(entry, LAYOUT_ENTRY_KEYS, name);
  return {
    manifest: bytesOf(entry.manifest, `${name}.manifest`),
    descriptor: isAbsent(entry.descriptor) ? undefined : documentText(entry.descriptor, `${name}.descriptor`),
    tag: entry.tag,
    blobs: isAbsent(entry.blobs) ? [] : list(entry.blobs, `${name}.blobs`).map((b, i) => layoutBlob(b, `${name}.blobs[${i}]`)),
  };
}

/**
 * An OCI image layout as the bytes of a tar archive: `layoutTar({ ...packed, tag })` for one
 * artifact, `layoutTar({ manifests: [...], blobs })` for several.
 */
export function layoutTar(contents) {
  const c = record(contents, "contents");
  let manifests;
  let blobs = [];
  if (isAbsent(c.manifests)) {
    manifests = [layoutEntry(c, "contents")];
  } else {
    checkKeys(c, ["manifests", "blobs"], "contents");
    manifests = list(c.manifests, "contents.manifests").map((e, i) => layoutEntry(e, `contents.manifests[${i}]`));
    if (!isAbsent(c.blobs)) blobs = list(c.blobs, "contents.blobs").map((b, i) => layoutBlob(b, `contents.blobs[${i}]`));
  }
  return core(() => wasm.layoutTar(manifests, blobs));
}

/** Reads an OCI image layout from a tar archive: `{ tags, manifests, blobs, report }`. */
export function readLayoutTar(bytes) {
  const data = bytesOf(bytes, "bytes");
  return core(() => wasm.readLayoutTar(data));
}

// The registry engine: a session, and operations driven by the host one step at a time. The
// wasm module checks every argument it reads; this layer unwraps sessions, turns byte buffers
// into Uint8Arrays and descriptors into JSON text, and converts thrown core errors.

// The wasm session behind each RegistrySession (module-private, so that only this module can
// hand it to the engine).
const sessions = new WeakMap();

export function sessionOf(session) {
  const inner = sessions.get(session);
  if (inner === undefined) throw new TypeError(`session must be a RegistrySession, not ${typeName(session)}`);
  return inner;
}

/**
 * A registry (`host[:port]`), its credentials, and the tokens it issues: shared by every
 * operation on that registry. `{ plainHttp, credentials, retry }` are optional.
 */
export class RegistrySession {
  /** @param {import("./index.js").RegistrySessionOptions} [options] */
  constructor(registry, options = undefined) {
    sessions.set(this, core(() => new wasm.RegistrySession(registry, options)));
  }

  /** `scheme://host[:port]` of the registry. */
  get base() {
    return sessionOf(this).base;
  }

  /** The limits in force (timeouts, deadline, Retry-After cap, listing bounds), all filled in. */
  get limits() {
    return sessionOf(this).limits;
  }

  /** Whether the registry serves the referrers API: true, false, or null until known. */
  get referrersApi() {
    return sessionOf(this).referrersApi;
  }

  /** Records whether the registry serves the referrers API. */
  setReferrersApi(supported) {
    if (typeof supported !== "boolean") throw new TypeError(`supported must be a boolean, not ${typeName(supported)}`);
    sessionOf(this).setReferrersApi(supported);
  }
}

const OPERATION = Symbol("RegistryOperation");
const INPUT_KEYS = ["type", "status", "headers", "body", "streamed", "kind", "message", "received"];

/**
 * An operation in progress (made by getManifest, pushBlob, …): call `next(session, input,
 * nowMs)` with `{ type: "start" }`, then with each response or `{ type: "resume" }` after a
 * wait, until it returns `{ type: "done", value }`.
 */
export class RegistryOperation {
  #inner;

  constructor(token, inner) {
    if (token !== OPERATION) {
      throw new TypeError("a RegistryOperation is made by getManifest, putManifest, pushBlob, … not by new");
    }
    this.#inner = inner;
  }

  /** The next step: `{ type: "send", request }`, `{ type: "wait", ms }` or `{ type: "done", value }`. */
  next(session, input, nowMs) {
    const inner = sessionOf(session);
    const prepared = preparedInput(input);
    return core(() => this.#inner.next(inner, prepared, nowMs));
  }

  /**
   * For listTags, listRepositories and listReferrers, a page at a time: as `next`, but done with each page,
   * `{ items, last }`; after a page that is not the last, go on with `{ type: "start" }`.
   */
  nextPage(session, input, nowMs) {
    const inner = sessionOf(session);
    const prepared = preparedInput(input);
    return core(() => this.#inner.nextPage(inner, prepared, nowMs));
  }

  /** For blob pushes: the newest upload URL (for resumeBlobPush), or null. */
  get uploadUrl() {
    return this.#inner.uploadUrl;
  }

  /** Whether the operation is over: done, or failed. */
  get finished() {
    return this.#inner.finished;
  }
}

/** An input for the engine: bytes as a Uint8Array, Headers as pairs. */
export function preparedInput(input) {
  const given = record(input, "input");
  checkKeys(given, INPUT_KEYS, "input");
  const prepared = { ...given };
  if (!isAbsent(given.body)) prepared.body = bytesOf(given.body, "input.body");
  if (typeof Headers === "function" && given.headers instanceof Headers) prepared.headers = [...given.headers];
  return prepared;
}

function operation(call) {
  return new RegistryOperation(OPERATION, core(call));
}

/** GET a manifest by tag or digest; done with `{ mediaType, digest, bytes }`, verified. @param {{ maxSize?: number }} [options] */
export function getManifest(session, reference, options = undefined) {
  const s = sessionOf(session);
  return operation(() => wasm.getManifest(s, reference, options));
}

/** PUT a manifest's exact bytes; done with `{ digest, subjectProcessed }`. */
export function putManifest(session, reference, mediaType, bytes) {
  const s = sessionOf(session);
  const data = bytesOf(bytes, "bytes");
  return operation(() => wasm.putManifest(s, reference, mediaType, data));
}

/** HEAD a blob; done with its size, or null when the repository does not have it. */
export function blobExists(session, reference, digest) {
  const s = sessionOf(session);
  return operation(() => wasm.blobExists(s, reference, digest));
}

/** Uploads a blob (skipped when present); done with true when uploaded or mounted. @param {{ mountFrom?: string, chunkSize?: number }} [options] */
export function pushBlob(session, reference, descriptor, options = undefined) {
  const s = sessionOf(session);
  const text = documentText(descriptor, "descriptor");
  return operation(() => wasm.pushBlob(s, reference, text, options));
}

/** Continues an interrupted upload at `uploadUrl` from what the registry has. */
export function resumeBlobPush(session, reference, descriptor, uploadUrl, chunkSize) {
  const s = sessionOf(session);
  const text = documentText(descriptor, "descriptor");
  return operation(() => wasm.resumeBlobPush(s, reference, text, uploadUrl, chunkSize));
}

/** GETs a blob the host streams and hashes (`have` bytes already held: a ranged resume). @param {{ have?: number }} [options] */
export function getBlob(session, reference, descriptor, options = undefined) {
  const s = sessionOf(session);
  const text = documentText(descriptor, "descriptor");
  return operation(() => wasm.getBlob(s, reference, text, options));
}

/** Resolves a tag or digest; done with `{ mediaType, digest, size }`. */
export function resolveManifest(session, reference) {
  const s = sessionOf(session);
  return operation(() => wasm.resolveManifest(s, reference));
}

/** `GET /v2/` with the session's credentials, as `docker login` checks them; done with null. */
export function checkAuth(session) {
  const s = sessionOf(session);
  return operation(() => wasm.checkAuth(s));
}

/** DELETEs a manifest by digest; done with null. */
export function deleteManifest(session, reference, digest) {
  const s = sessionOf(session);
  return operation(() => wasm.deleteManifest(s, reference, digest));
}

/** DELETEs a blob by digest (`oras blob delete`); done with null. */
export function deleteBlob(session, reference, digest) {
  const s = sessionOf(session);
  return operation(() => wasm.deleteBlob(s, reference, digest));
}

/** Lists the registry's repositories (the catalog) across pages; done with every name. @param {{ pageSize?: number }} [options] */
export function listRepositories(session, options = undefined) {
  const s = sessionOf(session);
  return operation(() => wasm.listRepositories(s, options));
}

/** Lists a repository's tags across pages; done with every tag. @param {{ pageSize?: number, last?: string }} [options] */
export function listTags(session, reference, options = undefined) {
  const s = sessionOf(session);
  return operation(() => wasm.listTags(s, reference, options));
}

/** Lists the referrers of `subject` (a digest): the referrers API, or the tag schema. @param {{ artifactType?: string }} [options] */
export function listReferrers(session, reference, subject, options = undefined) {
  const s = sessionOf(session);
  return operation(() => wasm.listReferrers(s, reference, subject, options));
}

/** Adds `referrer` (a descriptor) to the referrers tag of `subject`; done with the index digest or null. */
export function addReferrer(session, reference, subject, referrer) {
  const s = sessionOf(session);
  const text = documentText(referrer, "referrer");
  return operation(() => wasm.addReferrer(s, reference, subject, text));
}

// Graph walks: the core decides what a copy or a discover visits (each digest once, within
// depth, node and byte limits); the host fetches what each batch names.

const FETCHED = Symbol("GraphWalk.fromFetched");

function descriptorsText(value, name) {
  const items = Array.isArray(value) ? value : [record(value, name)];
  return jsonText(items.map((item, i) => record(item, `${name}[${i}]`)), name);
}

/**
 * The walk of a copy from `roots` (a descriptor or an array of them), with `{ referrers?,
 * limits?: { maxDepth?, maxNodes?, maxBytes? } }`. `nextBatch()` gives
 * `[{ kind: "fetch" | "referrers", descriptor }]` (independent steps; empty when none is left);
 * answer each with `provideDocument(digest, bytes)` or `provideReferrers(subject, descriptors)`;
 * `finish()` gives `{ roots, blobs, manifests }`, the manifests in waves of
 * `{ descriptor, bytes, subject }` (an index after its manifests, a referrer after its subject).
 */
export class GraphWalk {
  #inner;

  constructor(roots, options = undefined) {
    if (roots === FETCHED) {
      this.#inner = options;
      return;
    }
    const text = descriptorsText(roots, "roots");
    this.#inner = core(() => new wasm.GraphWalk(text, options));
  }

  /**
   * A walk from a root already fetched (a GET by tag), provided at once: `served` is its
   * Content-Type as served (a type that is not a manifest type gives way to what the document
   * says it is), `digest` what `bytes` must hash to.
   */
  static fromFetched(served, digest, bytes, options = undefined) {
    const data = bytesOf(bytes, "bytes");
    return new GraphWalk(FETCHED, core(() => wasm.GraphWalk.fromFetched(served, digest, data, options)));
  }

  nextBatch() {
    return core(() => this.#inner.nextBatch());
  }

  provideDocument(digest, bytes) {
    const data = bytesOf(bytes, "bytes");
    core(() => this.#inner.provideDocument(digest, data));
  }

  provideReferrers(subject, referrers) {
    const text = descriptorsText(list(referrers, "referrers"), "referrers");
    core(() => this.#inner.provideReferrers(subject, text));
  }

  /** A document asked for that the host does not have (a partial graph): left out of the plan. */
  provideMissing(digest) {
    core(() => this.#inner.provideMissing(digest));
  }

  get isDone() {
    return this.#inner.isDone;
  }

  finish() {
    return core(() => this.#inner.finish());
  }
}

/**
 * The walk of a discover from `subject` (a digest), with `{ depth?, limits? }`: `nextBatch()`
 * gives the digests whose referrers to list; `provide(digest, descriptors)` each listing;
 * `finish()` gives the tree `[{ descriptor, referrers: [...] }]`, each digest once.
 */
export class ReferrerWalk {
  #inner;

  constructor(subject, options = undefined) {
    this.#inner = core(() => new wasm.ReferrerWalk(subject, options));
  }

  nextBatch() {
    return core(() => this.#inner.nextBatch());
  }

  provide(subject, referrers) {
    const text = descriptorsText(list(referrers, "referrers"), "referrers");
    core(() => this.#inner.provide(subject, text));
  }

  get isDone() {
    return this.#inner.isDone;
  }

  finish() {
    return core(() => this.#inner.finish());
  }
}

/** Whether `mediaType` is an index (OCI image index, Docker manifest list). */
export function isIndexType(mediaType) {
  return core(() => wasm.isIndexType(mediaType));
}

/** Whether `mediaType` is a manifest or index type ocikit reads (OCI and Docker). */
export function isManifestType(mediaType) {
  return core(() => wasm.isManifestType(mediaType));
}
