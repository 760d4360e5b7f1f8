// OciLayout: an OCI image layout held in memory (a Map of path → bytes), read from and written
// to a tar archive by the core, and a target of the Client's whole operations. Its client talks
// to the layout's pseudo host (layout-<n>.oci-layout.invalid); the Client routes that host's
// requests here instead of to fetch, and the core's LayoutServer answers them with file steps
// this file carries out on the Map. Nothing is decided here: no walk, no referrers logic, no
// media types (the core's LayoutServer and operations decide; see index.d.ts, LayoutServer).
import { wasm } from "./glue.js";
import { Digester, bytesOf, typeName } from "./api.js";
import { Client, LAYOUT_SERVE, STORE } from "./client.js";
import { core } from "./errors.js";
import { LayoutServer, layoutHost } from "./operation.js";

// The repository name a layout's references carry (a layout is one repository: the server
// ignores it), as Python's OciLayout names it.
const REPOSITORY = "layout";
const ENTRIES_MAX = 100_000;

let numbers = 0;

/**
 * An OCI image layout in memory: `new OciLayout()` (empty), `OciLayout.fromTar(bytes)` (an
 * untrusted layout tar, read by the core: regular files only), `toTar()` (the core's layout tar:
 * the same bytes as `layoutTar` and Python's `OciLayout("x.tar")` for the same files). It
 * answers what a `Client` answers for a repository, with references that are a tag or a digest
 * of the layout, through the core's `LayoutServer`; `copy(source, srcRef, destination, dstRef)`
 * and `client.copy(src, dst, { to: layout })` copy between layouts and registries.
 */
export class OciLayout {
  #files = new Map();
  #server = new LayoutServer();
  #host;
  #client;

  constructor() {
    this.#host = core(() => layoutHost(++numbers));
    // The empty layout's oci-layout and index.json, as the core writes them.
    this.#files = core(() => wasm.readLayoutTarFiles(wasm.layoutTar([], []), ENTRIES_MAX));
    this.#client = new Client({ registry: this.#host, plainHttp: true, [LAYOUT_SERVE]: this.#serve });
  }

  /**
   * The layout a tar archive holds. Its members are read by the core without trust: symbolic
   * and hard links, devices, absolute names and `..` are ARCHIVE_UNSAFE, a corrupt archive
   * ARCHIVE_INVALID, more than `entriesMax` entries (100,000) LIMIT_EXCEEDED.
   * @param {{ entriesMax?: number }} [options]
   */
  static fromTar(bytes, options = undefined) {
    const entriesMax = options?.entriesMax ?? ENTRIES_MAX;
    if (!Number.isSafeInteger(entriesMax) || entriesMax < 0) throw new RangeError("options.entriesMax must be a non-negative integer");
    const data = bytesOf(bytes, "bytes");
    const files = core(() => wasm.readLayoutTarFiles(data, entriesMax));
    const layout = new OciLayout();
    layout.#files = files;
    return layout;
  }

  /**
   * The layout whose files are `files` (a Map or an iterable of `[path, bytes]`), as they are:
   * what they hold is checked when read (`verify` through the operations), their paths when the
   * tar is written (ARCHIVE_UNSAFE for `..`, an absolute path).
   */
  static fromFiles(files) {
    if (files === null || typeof files !== "object" || typeof files[Symbol.iterator] !== "function") {
      throw new TypeError(`files must be a Map or an iterable of [path, bytes], not ${typeName(files)}`);
    }
    const map = new Map();
    for (const entry of files) {
      if (!Array.isArray(entry) || typeof entry[0] !== "string") throw new TypeError("each file must be [path, bytes] with a string path");
      map.set(entry[0], bytesOf(entry[1], entry[0]));
    }
    const layout = new OciLayout();
    layout.#files = map;
    return layout;
  }

  /** The layout as a tar archive (the core's order and headers: reproducible). */
  toTar() {
    return core(() => wasm.writeLayoutTarFiles(this.#files));
  }

  /** The layout's files: a copy of the Map of path → bytes. */
  get files() {
    return new Map(this.#files);
  }

  /** The layout's pseudo registry host (`layout-<n>.oci-layout.invalid`). */
  get host() {
    return this.#host;
  }

  /** The Client whose operations run against this layout (on its pseudo host). */
  get client() {
    return this.#client;
  }

  /** The engine's reference for a tag or digest of the layout (`<host>/layout:<tag>`, `…@<digest>`; `<host>/layout` for none). @param {string | null} [reference] */
  ref(reference = undefined) {
    const base = `${this.#host}/${REPOSITORY}`;
    if (reference === undefined || reference === null) return base;
    if (typeof reference !== "string") throw new TypeError(`reference must be a string, not ${typeName(reference)}`);
    // The core's layout_reference, as Python's OciLayout.reference: a tag, a digest, or the
    // digest of the entry whose ref.name is `reference` (skopeo's `example.com/app:1.0`).
    return core(() => wasm.layoutReference(base, reference, this.#files));
  }

  /** For Client.copy's `to`: this layout's client and references. */
  [STORE]() {
    return { client: this.#client, ref: (reference) => this.ref(reference) };
  }

  /** Every tag of the layout, sorted. @param {import("./index.js").CallOptions} [options] */
  tags(options = undefined) {
    return this.#client.listTags(this.ref(), options);
  }

  /**
   * The descriptor of the manifest or index a tag or digest names: its `index.json` entry (with
   * its tag annotation and artifact type), or for a digest without an entry the manifest or
   * index the layout holds under it — the core's rule, as Python's `OciLayout.resolve`.
   * @param {string} ref @param {import("./index.js").CallOptions} [options]
   */
  async resolve(ref, options = undefined) {
    const found = await this.#client.resolve(this.ref(ref), options);
    return core(() => wasm.layoutResolved(ref, JSON.stringify(found), this.#files));
  }

  fetch(ref, options = undefined) {
    return this.#client.fetch(this.ref(ref), options);
  }

  fetchManifest(ref, options = undefined) {
    return this.#client.fetchManifest(this.ref(ref), options);
  }

  fetchIndex(ref, options = undefined) {
    return this.#client.fetchIndex(this.ref(ref), options);
  }

  /** Pushes what `pack()` made under `tag` (or by digest when `tag` is null/undefined). */
  push(tag, packed, options = undefined) {
    return this.#client.push(tag === undefined || tag === null ? this.ref(digestOf(packed)) : this.ref(tag), packed, options);
  }

  /** Records an artifact packed with a subject as an untagged entry (a referrer of its subject). */
  attach(packed, options = undefined) {
    return this.#client.attach(this.ref(), packed, options);
  }

  pull(ref, options = undefined) {
    return this.#client.pull(this.ref(ref), options);
  }

  discover(ref, options = undefined) {
    return this.#client.discover(this.ref(ref), options);
  }

  referrers(ref, options = undefined) {
    return this.#client.referrers(this.ref(ref), undefined, options);
  }

  tag(ref, newTag, options = undefined) {
    return this.#client.tag(this.ref(ref), newTag, options);
  }

  pushManifest(tag, bytes, mediaType, options = undefined) {
    return this.#client.pushManifest(this.ref(tag), bytes, mediaType, options);
  }

  deleteManifest(ref, options = undefined) {
    return this.#client.deleteManifest(this.ref(ref), undefined, options);
  }

  blobSize(digest, options = undefined) {
    return this.#client.blobSize(this.ref(), digest, options);
  }

  blobExists(digest, options = undefined) {
    return this.#client.blobExists(this.ref(), digest, options);
  }

  fetchBlob(descriptor, options = undefined) {
    return this.#client.fetchBlob(this.ref(), descriptor, options);
  }

  pushBlob(descriptor, source, options = undefined) {
    return this.#client.pushBlob(this.ref(), descriptor, source, options);
  }

  /**
   * Creates an index over `sources` (tags or digests of this layout) and writes it under `tag`
   * (untagged, by digest, for null) and `options.tags`: Client.createIndex on the layout.
   */
  createIndex(tag, sources, options = undefined) {
    return this.#client.createIndex(tag === undefined || tag === null ? this.ref() : this.ref(tag), sources, options);
  }

  /** Updates the index a tag or digest of this layout names: Client.updateIndex on the layout. */
  updateIndex(ref, options = undefined) {
    return this.#client.updateIndex(this.ref(ref), options);
  }

  /** Copies what a tag or digest of this layout names to `dst` of `options.to` (a Client or an OciLayout; this layout by default). @param {{ to?: unknown }} [options] */
  copy(src, dst, options = undefined) {
    const target = options?.to;
    if (target === undefined || target === null) return this.#client.copy(this.ref(src), this.ref(dst), options);
    return this.#client.copy(this.ref(src), dst, options);
  }

  /**
   * Answers one engine request for this layout (the Client's router calls it): the request's
   * upload body is read first, then the exchange runs its steps on the Map at once, so that no
   * other exchange interleaves (the server's rule for index.json writes).
   */
  #serve = async (request, context) => {
    let body = request.body instanceof Uint8Array ? request.body : null;
    if (request.body !== null && body === null) {
      const { offset, length } = request.body.blob;
      if (context.source === undefined) throw new TypeError("the engine asked for blob content, but this call has none");
      body = await bytesFrom(await context.source.slice(offset, offset + length));
    }
    const exchange = this.#server.exchange(request);
    let step = exchange.start();
    while (step.kind !== "respond") {
      if (step.kind === "read") {
        step = exchange.read(this.#files.get(step.path)?.subarray(0, step.max + 1) ?? null);
      } else if (step.kind === "stat") {
        step = exchange.stat(this.#files.get(step.path)?.byteLength ?? null);
      } else if (step.kind === "write") {
        this.#files.set(step.path, step.data);
        step = exchange.written();
      } else if (step.kind === "remove") {
        this.#files.delete(step.path);
        step = exchange.written();
      } else {
        // receive: hashed with the digest's algorithm; the core compares what was received with
        // what the upload declared, and the blob is kept only when it answers that it was stored.
        const data = body.subarray(0, step.size + 1);
        const digester = new Digester(step.digest.slice(0, step.digest.indexOf(":")));
        digester.update(data);
        const path = step.path;
        step = exchange.received(digester.finalize(), data.byteLength);
        if (step.kind === "respond" && step.response.status === 201) this.#files.set(path, data.slice());
        // Sent, as the fetch transport reports an upload's bytes once answered.
        if (request.body !== null && !(request.body instanceof Uint8Array)) context.onSent?.(request.body.blob.offset, request.body.blob.length);
      }
    }
    const { response, file } = step;
    if (file === null) return response;
    if (context.sink === undefined) throw new TypeError("the engine asked for a blob to be streamed, but this call has no sink");
    const bytes = this.#files.get(file.path)?.subarray(file.offset, file.offset + file.length) ?? new Uint8Array(0);
    const streamed = await context.sink(
      new Response(bytes, { status: response.status, headers: response.headers }),
      { signal: context.signal, touch() {} },
      request.responseBody.stream,
    );
    return { type: "response", status: response.status, headers: response.headers, streamed };
  };
}

/**
 * Copies the manifest or index `srcRef` names, and everything it references (with
 * `{ referrers: true }` the artifacts referring to it too), from a registry or a layout to a
 * registry or a layout — Python's `ocikit.copy(source, src_ref, destination, dst_ref)`. A
 * Client's references are `registry/repository[:tag][@digest]` (or relative to it), a layout's
 * a tag or a digest (`dstRef` may be omitted for a layout: the source's tag, else by digest).
 * The core's CopyArtifact decides everything; resolves to its outcome.
 * @param {string | null} [dstRef]
 * @param {object} [options]
 */
export function copy(source, srcRef, destination, dstRef = undefined, options = undefined) {
  const from = storeOf(source, "source");
  const to = storeOf(destination, "destination");
  if (!(destination instanceof OciLayout) && (dstRef === undefined || dstRef === null)) {
    throw new TypeError("copying to a registry needs dstRef");
  }
  const own = options ?? {};
  if (typeof own !== "object" || Array.isArray(own)) throw new TypeError("options must be an object");
  const same = from.client === to.client;
  return from.client.copy(from.ref(srcRef), to.ref(dstRef), same ? own : { ...own, to: to.client });
}

function storeOf(value, name) {
  if (value instanceof OciLayout) return value[STORE]();
  if (value instanceof Client) return { client: value, ref: (reference) => reference };
  throw new TypeError(`${name} must be a Client or an OciLayout, not ${typeName(value)}`);
}

function digestOf(packed) {
  if (packed === null || typeof packed !== "object" || typeof packed.digest !== "string") {
    throw new TypeError("packed must be what pack() returns (with its digest)");
  }
  return packed.digest;
}

async function bytesFrom(piece) {
  if (piece instanceof Uint8Array) return piece;
  if (typeof piece?.arrayBuffer === "function") return new Uint8Array(await piece.arrayBuffer());
  return bytesOf(piece, "blob content");
}
