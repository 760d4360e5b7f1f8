// Client: the registry protocol over fetch. Every decision (URLs, headers, auth challenges and
// tokens, retries and backoff, redirects, which blobs to check, upload, mount or skip, the pull
// plan, the referrers walk, the referrers-tag upkeep, resume after a cut) is the core engine's
// (operation.js: the whole operations; api.js: the single-request ones). This file only moves
// bytes: one host loop (`#drive`) sends the requests the engine describes with fetch (never
// following a redirect itself), as many at once as the engine hands out (at most `concurrency`
// when given), streams blob bodies from their
// source or into their sink (hashed as they move), sleeps when told to, and returns what the
// operation ends with.
import { OciError } from "./errors.js";
import {
  Digester as WasmDigester,
  RegistrySession,
  blobExists,
  bytesOf,
  checkAuth,
  checkKeys,
  deleteBlob,
  getBlob,
  getManifest,
  indexCreate,
  indexPlatformConfig,
  indexUpdate,
  isIndexType,
  listReferrers,
  listRepositories,
  listTags,
  parseIndex,
  parseManifest,
  parseReference,
  pushBlob,
  putManifest,
  record,
  resolveManifest,
  typeName,
} from "./api.js";
import { CopyArtifact, Delete, Discover, ProbeRegistry, Pull, Push } from "./operation.js";
import { MemorySink, MemorySinks, Progress, UploadSources, checkSource, uploadContent } from "./blob-content.js";
import { exchange, fromRegistry, sleep, withTransport } from "./transport.js";

// A layout's client (layout.js) answers its pseudo host's requests with the layout instead of
// fetch: the option under LAYOUT_SERVE is `(request, context) => input`; a target with a STORE
// method (an OciLayout) gives `{ client, ref }` for copy's `to`.
export const LAYOUT_SERVE = Symbol("ocikit.layoutServe");
export const STORE = Symbol("ocikit.store");

/** @typedef {import("./index.js").CallOptions} CallOptions */
/** @typedef {import("./index.js").ProgressCallback} ProgressCallback */

const CLIENT_OPTIONS = ["registry", "plainHttp", "credentials", "fetch", "concurrency", "retry", "limits", "registryProfile", "headers"];
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

// What the entry points set: the Digester blobs are hashed with as they move (node:crypto in
// "ocikit" under Node, wasm elsewhere: the same results, checked by the shared vectors), and
// whether the wasm module is loaded (the Node entries load it on import; "ocikit/manual" when
// init() resolves, and `new Client()` before then throws its clear Error).
let EntryDigester = WasmDigester;
let loaded = false;
let notLoaded = () => {};

/** For the entry points: the Digester the Client hashes with. */
export function useDigester(Digester) {
  EntryDigester = Digester;
}

// For the Node entries: marks an AbortSignal that rightly has many listeners at once (the
// operation's own signal: one per request in flight, up to the engine's 32), so that Node does
// not print a MaxListenersExceededWarning ("possible EventTarget memory leak") on every push of
// more than ten blobs. Browsers do not count listeners.
let manyListeners = (/** @type {AbortSignal} */ _signal) => {};

/** For the Node entries: how to mark a signal that has a listener per request in flight. */
export function useManyListeners(mark) {
  manyListeners = mark;
}

/** For the entry points: the wasm module is loaded. */
export function moduleLoaded() {
  loaded = true;
}

/** For "ocikit/manual": what `new Client()` does before the module is loaded (throws). */
export function useLoadedCheck(check) {
  notLoaded = check;
}

/**
 * A registry client over fetch. References are full (`host/repository:tag`) or relative to the
 * client's registry (`repository[:tag][@digest]`).
 */
export class Client {
  #registry;
  #session;
  #fetch;
  #concurrency;
  #serve;
  /** @type {string | undefined} */
  #registryProfile;

  constructor(options) {
    if (!loaded) notLoaded();
    const o = record(options, "options");
    checkKeys(o, CLIENT_OPTIONS, "options");
    if (typeof o.registry !== "string") throw new TypeError(`options.registry must be a string, not ${typeName(o.registry)}`);
    const fetch = o.fetch ?? globalThis.fetch;
    if (typeof fetch !== "function") {
      throw new TypeError("options.fetch must be a function (this runtime has no global fetch)");
    }
    // The engine decides how many requests go at once from what they move and the round trip
    // it measures (the core's Concurrency: up to 32, 4 of them large transfers, 8 once the
    // shortest round trip is 50 ms or more); `concurrency` only caps that.
    const concurrency = o.concurrency ?? Infinity;
    if (o.concurrency !== undefined && (!Number.isSafeInteger(concurrency) || concurrency < 1)) {
      throw new RangeError("options.concurrency must be a positive integer");
    }
    this.#session = new RegistrySession(o.registry, {
      plainHttp: o.plainHttp,
      credentials: o.credentials,
      retry: o.retry,
      // The engine holds the limits and puts them on each request it describes.
      ...(o.limits === undefined ? {} : { limits: o.limits }),
      // The registry profile the engine adapts to (chunk sizes, one PUT where chunking is
      // broken, the tag page size); without one the core picks it by host.
      ...(o.registryProfile === undefined ? {} : { profile: o.registryProfile }),
      // The user's own headers: the core sends them to the registry's origin and its token
      // realm only, never to a redirect's target (they may carry credentials).
      ...(o.headers === undefined ? {} : { headers: o.headers }),
    });
    this.#registry = o.registry;
    this.#registryProfile = o.registryProfile;
    this.#fetch = fetch;
    this.#serve = o[LAYOUT_SERVE] ?? null;
    // A layout serves the referrers API: no referrers tag is planned for it.
    if (this.#serve !== null) this.#session.setReferrersApi(true);
    this.#concurrency = concurrency;
  }

  /** The registry this client talks to, `host[:port]`. */
  get registry() {
    return this.#registry;
  }

  /** Whether the registry serves the referrers API: true, false, or null until a call finds out. */
  get referrersApi() {
    return this.#session.referrersApi;
  }

  /**
   * Tells the client whether its registry serves the referrers API, instead of it finding out
   * by asking (ORAS's `--distribution-spec v1.1-referrers-api` or `v1.1-referrers-tag`): with
   * false, attach and discover use the referrers tag schema at once. Python's
   * `set_referrers_api`.
   */
  setReferrersApi(supported) {
    if (typeof supported !== "boolean") throw new TypeError(`supported must be a boolean, not ${typeName(supported)}`);
    this.#session.setReferrersApi(supported);
  }

  /** GET /v2/ with the registry's challenge answered: resolves when the credentials are good. */
  async checkAuth(options = undefined) {
    const { signal } = callOptions(options, [], "options");
    await this.#run(checkAuth(this.#session), { signal });
  }

  /** `{ mediaType, digest, size }` of the manifest a tag or digest names. @param {CallOptions} [options] */
  async resolve(ref, options = undefined) {
    const { signal } = callOptions(options, [], "options");
    return this.#run(resolveManifest(this.#session, this.#reference(ref)), { signal });
  }

  /** `{ mediaType, digest, bytes }`: the exact bytes of the manifest or index, verified. @param {CallOptions & { maxSize?: number }} [options] */
  async fetch(ref, options = undefined) {
    const { signal, maxSize } = callOptions(options, ["maxSize"], "options");
    const op = getManifest(this.#session, this.#reference(ref), maxSize === undefined ? undefined : { maxSize });
    return this.#run(op, { signal });
  }

  /** The image manifest `ref` names, parsed (MEDIA_TYPE_MISMATCH for an index: fetchIndex). */
  async fetchManifest(ref, options = undefined) {
    const fetched = await this.fetch(ref, options);
    return fromRegistry(() => parseManifest(fetched.bytes), this.#registry).manifest;
  }

  /** The image index `ref` names, parsed (MEDIA_TYPE_MISMATCH for a manifest: fetchManifest). */
  async fetchIndex(ref, options = undefined) {
    const fetched = await this.fetch(ref, options);
    return fromRegistry(() => parseIndex(fetched.bytes), this.#registry).index;
  }

  /**
   * Uploads a manifest's (or an index's) exact bytes under the reference's tag (or by digest):
   * the blobs it lists must be in the repository already. With a subject on a registry without
   * the referrers API, the subject's referrers tag is updated. Resolves to its descriptor.
   * @param {CallOptions} [options]
   */
  async pushManifest(ref, bytes, mediaType, options = undefined) {
    const { signal } = callOptions(options, [], "options");
    if (typeof mediaType !== "string") throw new TypeError(`mediaType must be a string, not ${typeName(mediaType)}`);
    const op = new Push(this.#reference(ref), mediaType, bytesOf(bytes, "bytes"), { manifestOnly: true });
    return (await this.#drive(op, { signal })).descriptor;
  }

  /** Tags the manifest `ref` names as `newTag` too: `{ mediaType, digest, size }`. */
  async tag(ref, newTag, options = undefined) {
    const { signal } = callOptions(options, [], "options");
    const reference = this.#reference(ref);
    if (typeof newTag !== "string") throw new TypeError(`newTag must be a string, not ${typeName(newTag)}`);
    const { registry, repository } = parseReference(reference);
    const fetched = await this.#run(getManifest(this.#session, reference), { signal });
    const target = `${registry}/${repository}:${newTag}`;
    await this.#run(putManifest(this.#session, target, fetched.mediaType, fetched.bytes), { signal });
    return { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.byteLength };
  }

  /**
   * Deletes the manifest `ref` names (a tag is resolved: the manifest goes under every tag
   * pointing at it), or the one of `digest` in its repository. A referrer is also removed from
   * its subject's referrers tag where the registry lacks the referrers API. Resolves to
   * `{ descriptor, subject, referrersTag }`.
   */
  async deleteManifest(ref, digest = undefined, options = undefined) {
    const { signal } = callOptions(options, [], "options");
    let reference = this.#reference(ref);
    if (digest !== undefined && digest !== null) {
      if (typeof digest !== "string") throw new TypeError(`digest must be a string, not ${typeName(digest)}`);
      const { registry, repository } = parseReference(reference);
      reference = `${registry}/${repository}@${digest}`;
    }
    return this.#drive(new Delete(reference), { signal });
  }

  /**
   * Deletes the blob `digest` from `ref`'s repository (`oras blob delete`); a manifest that
   * still names it is left broken, so delete manifests first. A registry that does not allow
   * deletes answers UNSUPPORTED; a blob it does not have, BLOB_UNKNOWN.
   */
  async deleteBlob(ref, digest, options = undefined) {
    const { signal } = callOptions(options, [], "options");
    await this.#run(deleteBlob(this.#session, this.#reference(ref), digest), { signal });
  }

  /** The size of a blob in the repository, or null when it has none with that digest. */
  async blobSize(ref, digest, options = undefined) {
    const { signal } = callOptions(options, [], "options");
    return this.#run(blobExists(this.#session, this.#reference(ref), digest), { signal });
  }

  /** Whether the repository has a blob with that digest. */
  async blobExists(ref, digest, options = undefined) {
    return (await this.blobSize(ref, digest, options)) !== null;
  }

  /**
   * A blob's bytes, hashed as they arrive and verified against the descriptor's digest and
   * size. A download the network cuts is continued by the engine where it stopped (a Range
   * request from the bytes held, after the retry policy's backoff).
   * @param {CallOptions & { onProgress?: ProgressCallback }} [options]
   */
  async fetchBlob(ref, descriptor, options = undefined) {
    const { signal, onProgress } = callOptions(options, ["onProgress"], "options");
    const reference = this.#reference(ref);
    const op = getBlob(this.#session, reference, descriptor);
    const sink = new MemorySink(record(descriptor, "descriptor"), reference, onProgress, EntryDigester);
    await this.#run(op, { signal, sink: sink.receive, held: () => sink.received });
    sink.finish();
    return sink.bytes;
  }

  /**
   * Uploads a blob from a Uint8Array (or other bytes), a Blob/File, a ReadableStream or an
   * async iterable of bytes, unless the repository has it: true when uploaded (or mounted
   * with `mountFrom`), false when it was there (a stream is then not read). `chunkSize`
   * uploads in PATCHed chunks of that many bytes (raised to the registry's minimum), and a
   * chunked upload cut by the network resumes from what the registry has; without it, in one
   * PUT (a stream is then read whole into memory first). A stream is read once, in order, and
   * hashed as it is read: its digest and size are checked against the descriptor before the
   * last piece is sent, and a resume that needs bytes before the last piece read fails with
   * STREAM_NOT_REWINDABLE. `onProgress(sent, total)` follows each request.
   */
  async pushBlob(ref, descriptor, source, options = undefined) {
    const { signal, onProgress, chunkSize, mountFrom } = callOptions(
      options,
      ["onProgress", "chunkSize", "mountFrom"],
      "options",
    );
    const reference = this.#reference(ref);
    const op = pushBlob(this.#session, reference, descriptor, { chunkSize, mountFrom });
    const total = descriptor.size;
    const content = uploadContent(source, "source", descriptor, EntryDigester);
    // A chunked upload cut by the network is resumed by the engine, from what the registry has.
    const context = { signal, source: content, onSent: (offset, length) => onProgress?.(offset + length, total) };
    const uploaded = await this.#run(op, context);
    onProgress?.(total, total);
    return uploaded;
  }

  /**
   * Every tag of the reference's repository (its tag or digest is ignored), over all pages,
   * within the session's listing limits (LIMIT_EXCEEDED past `listEntriesMax` entries or
   * `listBytesMax` bytes).
   * @param {CallOptions & { pageSize?: number }} [options]
   */
  async listTags(ref, options = undefined) {
    const o = callOptions(options, ["pageSize"], "options");
    const op = listTags(this.#session, this.#reference(ref), { pageSize: pageSize(o.pageSize, "pageSize") });
    return this.#run(op, { signal: o.signal });
  }

  /**
   * One page of the repository's tags, for a tag browser: `await client.listTagsPage(ref, { n:
   * 100, last })` → `{ tags, next }`, where `next` is the `last` that asks for the following page
   * (the page's last tag), or `null` after the last page. The core decides which page is the
   * last: not after a `Link` to another, nor after a full page of `n` from a registry that sends
   * no `Link`; a page of more than `n` is the whole list from a registry that ignores `n`.
   */
  async listTagsPage(ref, options = undefined) {
    const { signal, n, last } = callOptions(options, ["n", "last"], "options");
    const op = listTags(this.#session, this.#reference(ref), { pageSize: pageSize(n, "n"), last });
    const page = await this.#run(op, { signal }, true);
    return { tags: page.items, next: page.next }; // next: the core's, the `last` of the following page
  }

  /**
   * The tags of the reference's repository, a page at a time: `for await (const tag of
   * client.iterTags(ref))`. Only the current page is held; the next is asked for once it has
   * been consumed, and none after the loop stops. The listing's limits count every page.
   */
  async *iterTags(ref, options = undefined) {
    const o = callOptions(options, ["pageSize"], "options");
    const op = listTags(this.#session, this.#reference(ref), { pageSize: pageSize(o.pageSize, "pageSize") });
    for (;;) {
      const { items, last } = await this.#run(op, { signal: o.signal }, true);
      yield* items;
      if (last) return;
    }
  }

  /**
   * Every repository of the client's registry (`GET /v2/_catalog`, `oras repo ls`), over all
   * pages, within the session's listing limits. Registries that do not serve the catalog answer
   * UNSUPPORTED, NOT_FOUND or DENIED.
   */
  async listRepositories(options = undefined) {
    const o = callOptions(options, ["pageSize"], "options");
    const op = listRepositories(this.#session, { pageSize: pageSize(o.pageSize, "pageSize") });
    return this.#run(op, { signal: o.signal });
  }

  /**
   * The repositories of the client's registry a page at a time, as `iterTags` pages through
   * tags: `for await (const name of client.iterRepositories())`.
   */
  async *iterRepositories(options = undefined) {
    const o = callOptions(options, ["pageSize"], "options");
    const op = listRepositories(this.#session, { pageSize: pageSize(o.pageSize, "pageSize") });
    for (;;) {
      const { items, last } = await this.#run(op, { signal: o.signal }, true);
      yield* items;
      if (last) return;
    }
  }

  /**
   * The descriptors of what refers to the manifest `ref` names (or to `subject`, a digest or a
   * descriptor, in `ref`'s repository): the referrers API, or the referrers tag schema where
   * the registry has no such API. `referrers(ref, { artifactType })` filters.
   */
  async referrers(ref, subject = undefined, options = undefined) {
    if (options === undefined && subject !== null && typeof subject === "object" && !("digest" in subject)) {
      [subject, options] = [undefined, subject];
    }
    const { signal, artifactType } = callOptions(options, ["artifactType"], "options");
    const reference = this.#reference(ref);
    const digest = await this.#digestOf(reference, subject, "subject", signal);
    const op = listReferrers(this.#session, reference, digest, artifactType === undefined ? undefined : { artifactType });
    return this.#run(op, { signal });
  }

  /**
   * The registry doctor (reads only): `/v2/` (status, challenge, API version) and the
   * credentials; with `ref` (a manifest that exists) the referrers API asked about its digest
   * and the tag list's pagination. The core decides what each answer proves: `{ registry,
   * profile, v2, referrersApi, tagList, notProbed }`. `profile` names the profile to report
   * (else the client's `registryProfile`, else the host's), as Python's `Client.doctor`.
   */
  async probeRegistry(ref = undefined, options = undefined) {
    const { signal, profile } = callOptions(options, ["profile"], "options");
    const reference = ref === undefined || ref === null ? undefined : this.#reference(ref);
    const op = new ProbeRegistry(this.#registry, { reference, profile: profile ?? this.#registryProfile });
    return this.#drive(op, { signal });
  }

  /** {@link Client.probeRegistry}, by `ocikit doctor`'s name. */
  async doctor(ref = undefined, options = undefined) {
    return this.probeRegistry(ref, options);
  }

  /**
   * The tree of what refers to the manifest `ref` names, what refers to those, and so on:
   * `[{ descriptor, referrers: [...] }]`, `depth` levels down (all by default), each level
   * filtered by `artifactType` when given. The core walks the tree (each digest once, within
   * `limits`: `{ maxDepth, maxNodes }`, an OciError LIMIT_EXCEEDED past one) and lists a whole
   * level at once; this runs the listings as the engine hands them out.
   */
  async discover(ref, options = undefined) {
    const { signal, artifactType, depth, limits } = callOptions(options, ["artifactType", "depth", "limits"], "options");
    if (depth !== undefined && (!Number.isSafeInteger(depth) || depth < 0)) {
      throw optionsInvalid(`depth must be a non-negative integer, not ${typeof depth === "string" ? JSON.stringify(depth) : String(depth)}`);
    }
    if (depth !== undefined && depth > 2 ** 32 - 1) throw optionsInvalid(`depth must be at most 2^32 - 1, not ${depth}`);
    const op = new Discover(this.#reference(ref), { artifactType, depth, limits });
    return (await this.#drive(op, { signal })).referrers;
  }

  /**
   * Pushes what `pack()` made (a manifest or an index and its blobs): the core checks each
   * distinct blob, uploads the missing ones (as many at once as the engine hands out, at most
   * `concurrency`; blobs this client's session saw in the repository are skipped, ones it saw
   * in another repository mounted, a new artifact's small layers uploaded without a HEAD), puts the
   * manifest under the reference's tag (and `tags`), and with a subject on a registry without
   * the referrers API updates the subject's referrers tag. Resolves to the outcome
   * `{ descriptor, tags, blobs: [{ descriptor, status }], referrersTag, planned }`. With
   * `dryRun` it resolves to the plan at once (`planned`: the requests a push would make) and
   * sends nothing. A blob packed by digest without `data` must be in the repository already
   * (else BLOB_UNKNOWN, before the manifest is sent).
   */
  async push(ref, packed, options = undefined) {
    const own = ["onProgress", "chunkSize", "mountFrom", "tags", "dryRun"];
    const { signal, onProgress, chunkSize, mountFrom, tags, dryRun } = callOptions(options, own, "options");
    return this.#push(this.#reference(ref), packed, { signal, onProgress, chunkSize, mountFrom, tags, dryRun });
  }

  /**
   * Pushes an artifact packed with a subject into the repository of `ref` (the subject's
   * reference; its tag or digest is not used), by digest rather than under a tag, and records
   * it as a referrer of its subject as `push` does. Resolves to push's outcome (`dryRun`: the
   * plan, nothing sent).
   */
  async attach(ref, packed, options = undefined) {
    const { signal, onProgress, chunkSize, mountFrom, dryRun } = callOptions(
      options,
      ["onProgress", "chunkSize", "mountFrom", "dryRun"],
      "options",
    );
    const p = record(packed, "packed");
    const manifest = bytesOf(p.manifest, "packed.manifest");
    const mediaType = typeof p.mediaType === "string" ? p.mediaType : MANIFEST_TYPE;
    const document = isIndexType(mediaType) ? parseIndex(manifest) : parseManifest(manifest);
    if (!(document.index ?? document.manifest).subject) {
      throw new TypeError("attach() needs an artifact packed with a subject (pack({ subject, … }))");
    }
    const { registry, repository } = parseReference(this.#reference(ref));
    const target = `${registry}/${repository}@${document.digest}`;
    return this.#push(target, p, { signal, onProgress, chunkSize, mountFrom, dryRun });
  }

  /**
   * Pulls the files of an artifact: the manifest, then each titled layer (the core's pull plan:
   * every title checked, each digest downloaded once, at most `concurrency` at a time), each
   * verified, into memory. Resolves to `{ descriptor, digest, mediaType, bytes, manifest,
   * files: [{ path, descriptor, bytes }] }` (`bytes`: the manifest's exact bytes; `manifest`:
   * it parsed).
   */
  async pull(ref, options = undefined) {
    const { signal, onProgress, allowGit } = callOptions(options, ["onProgress", "allowGit"], "options");
    const reference = this.#reference(ref);
    const sinks = new MemorySinks(reference, EntryDigester);
    const progress = new Progress(onProgress);
    const op = new Pull(reference, allowGit === undefined ? undefined : { allowGit });
    const done = await this.#drive(op, { signal, sinks, progress });
    progress.finish();
    const collection = isIndexType(done.descriptor.mediaType);
    const parsed = fromRegistry(
      () => (collection ? parseIndex(done.manifest) : parseManifest(done.manifest)),
      this.#registry,
    );
    return {
      descriptor: done.descriptor,
      digest: done.descriptor.digest,
      mediaType: done.descriptor.mediaType,
      bytes: done.manifest,
      manifest: collection ? parsed.index : parsed.manifest,
      files: done.files.map(({ path, descriptor }) => ({ path, descriptor, bytes: sinks.bytes(descriptor.digest) })),
      children: done.children,
    };
  }

  /** A source of a collection as the core takes it: media type, bytes, and the config it names. */
  async #child(repository, source, signal) {
    const fetched = await this.fetch(atRepository(repository, source), { signal });
    const config = indexPlatformConfig(fetched.mediaType, fetched.bytes);
    const child = { mediaType: fetched.mediaType, bytes: fetched.bytes };
    if (config !== null) child.config = await this.fetchBlob(atRepository(repository, source), config, { signal });
    return child;
  }

  /**
   * Creates an index over `sources` (tags or digests of manifests or indexes in `ref`'s
   * repository), in their order, and pushes it under `ref`'s tag (by digest without one) and
   * `tags` — ORAS 1.3's `manifest index create`. Each entry has the child's `artifactType` and,
   * for an image whose config says it, its `platform`. With `push: false` nothing is written.
   * Resolves to the `packIndex` shape. MEDIA_TYPE_MISMATCH for a source that is not a manifest
   * or an index.
   */
  async createIndex(ref, sources, options = undefined) {
    const { signal, artifactType, annotations, tags, push } = callOptions(
      options, ["artifactType", "annotations", "tags", "push"], "options");
    const reference = this.#reference(ref);
    const { registry, repository, tag } = parseReference(reference);
    const children = [];
    for (const source of list(sources, "sources")) children.push(await this.#child(`${registry}/${repository}`, source, signal));
    const index = indexCreate(children, { artifactType, annotations });
    if (push !== false) await this.#pushIndex(`${registry}/${repository}`, index, tag, tags, signal);
    return index;
  }

  /**
   * Updates the index `ref` names — ORAS 1.3's `manifest index update`: the entries of each
   * digest in `remove` go (one the index does not list is DIGEST_INVALID), the others keep their
   * order, each of `add` (tags or digests) is appended, then the entries of each `merge` index
   * as they are, `artifactType` replaces the index's
   * (`null` or `""` removes it), `annotations` are set; pushed under `ref`'s tag (by digest
   * when `ref` is a digest) and `tags`. MEDIA_TYPE_MISMATCH when `ref` is not an index.
   */
  async updateIndex(ref, options = undefined) {
    const o = callOptions(options, ["add", "remove", "merge", "artifactType", "annotations", "tags", "push"], "options");
    const reference = this.#reference(ref);
    const { registry, repository, tag, digest } = parseReference(reference);
    const fetched = await this.fetch(reference, { signal: o.signal });
    const add = [];
    for (const source of list(o.add ?? [], "options.add")) add.push(await this.#child(`${registry}/${repository}`, source, o.signal));
    const merge = [];
    for (const source of list(o.merge ?? [], "options.merge")) {
      const document = await this.fetch(atRepository(`${registry}/${repository}`, source), { signal: o.signal });
      merge.push({ mediaType: document.mediaType, bytes: document.bytes });
    }
    const update = { add, remove: o.remove ?? [], merge, artifactType: o.artifactType, annotations: o.annotations };
    const index = indexUpdate(fetched.mediaType, fetched.bytes, update);
    if (o.push !== false) await this.#pushIndex(`${registry}/${repository}`, index, digest ? undefined : tag, o.tags, o.signal);
    return index;
  }

  async #pushIndex(repository, index, tag, tags, signal) {
    await this.pushManifest(atRepository(repository, tag ?? index.digest), index.manifest, index.mediaType, { signal });
    for (const extra of list(tags ?? [], "options.tags")) {
      await this.pushManifest(atRepository(repository, extra), index.manifest, index.mediaType, { signal });
    }
  }

  /**
   * Copies what `source` names (an image, an index with its manifests) to `destination`,
   * each document and blob once, children first, with `referrers` the artifacts referring to
   * them too (the referrers tag kept at a destination without the referrers API). Both are
   * references of this client's registry, or `destination` is on the registry of
   * `options.to` (another Client: its session and credentials). Blobs between two registries
   * pass through memory. Resolves to `{ descriptor, tags, blobs, manifests, referrersTags,
   * planned }`; with `dryRun`, to the plan after reading the source only.
   * @param {object} [options]
   */
  async copy(source, destination, options = undefined) {
    const own = ["referrers", "dryRun", "tags", "chunkSize", "limits", "to", "onProgress"];
    const o = callOptions(options, own, "options");
    const from = this.#reference(source);
    let poll;
    let to;
    let peer;
    if (o.to !== undefined) {
      let target = o.to;
      if (typeof target?.[STORE] === "function") {
        // An OciLayout: `destination` is a tag or digest of it.
        const store = target[STORE]();
        target = store.client;
        destination = store.ref(destination);
      }
      if (!(target instanceof Client)) throw new TypeError(`options.to must be a Client or an OciLayout, not ${typeName(o.to)}`);
      to = target.#reference(destination);
      const other = target.#session;
      peer = target.#registry === this.#registry ? undefined : target;
      poll = peer === undefined ? undefined : (op, now) => op.pollBetween(this.#session, other, now);
    } else {
      to = this.#reference(destination);
    }
    const op = new CopyArtifact(from, to, {
      referrers: o.referrers,
      dryRun: o.dryRun,
      tags: o.tags,
      chunkSize: o.chunkSize,
      limits: o.limits,
    });
    // Between two registries a blob is downloaded into its sink, then uploaded from it.
    const sinks = new MemorySinks(from, EntryDigester);
    const progress = new Progress(o.onProgress);
    const done = await this.#drive(op, { signal: o.signal, sinks, sources: sinks, progress, poll, peer });
    // Blobs mounted or already there moved nothing: they count as done (as Python reports
    // them), not as absent.
    if (!o.dryRun) for (const { descriptor } of done.blobs) progress.total(descriptor);
    progress.finish();
    return done;
  }

  /**
   * @param {any} reference
   * @param {any} packed
   * @param {{ signal?: AbortSignal, onProgress?: any, chunkSize?: number, mountFrom?: any, tags?: string[], dryRun?: boolean }} options
   */
  async #push(reference, packed, { signal, onProgress, chunkSize, mountFrom, tags, dryRun }) {
    const p = record(packed, "packed");
    const manifest = bytesOf(p.manifest, "packed.manifest");
    if (!Array.isArray(p.blobs)) throw new TypeError(`packed.blobs must be an array, not ${typeName(p.blobs)}`);
    const sources = new Map();
    p.blobs.forEach((blob, i) => {
      const b = record(blob, `packed.blobs[${i}]`);
      const descriptor = record(b.descriptor, `packed.blobs[${i}].descriptor`);
      // A blob without data (packed by digest) is fine as long as the repository has it.
      if (b.data === undefined || b.data === null) return;
      // Checked here, so that a wrong source fails before anything is sent; a stream is only
      // read when the engine asks for its bytes.
      checkSource(b.data, `packed.blobs[${i}].data`);
      if (!sources.has(descriptor.digest)) sources.set(descriptor.digest, { descriptor, data: b.data });
    });
    const mediaType = typeof p.mediaType === "string" ? p.mediaType : MANIFEST_TYPE;
    const op = new Push(reference, mediaType, manifest, { tags, mountFrom, chunkSize, dryRun });
    const progress = new Progress(onProgress);
    // Every blob counts from the start (those the repository has as done at the end), so the
    // total never changes and no report says 100% before the end (as Python announces them).
    if (!dryRun) for (const blob of p.blobs) progress.total(blob.descriptor);
    const uploads = new UploadSources(sources, EntryDigester);
    const outcome = await this.#drive(op, { signal, sources: uploads, progress });
    if (!dryRun) {
      for (const { descriptor } of outcome.blobs) progress.total(descriptor);
      progress.finish();
    }
    return outcome;
  }

  /**
   * A full reference for this registry: one relative to it (`repository[:tag][@digest]`) gets
   * the registry put in front, by the core's rule (`parseReference(ref, registry)`); one naming
   * another registry is an error (this client has no session for it).
   */
  #reference(ref) {
    if (typeof ref !== "string") throw new TypeError(`reference must be a string, not ${typeName(ref)}`);
    const { registry } = parseReference(ref, this.#registry);
    if (registry !== this.#registry) {
      throw new OciError("REFERENCE_INVALID", `invalid reference ${JSON.stringify(ref)}: it names the registry ${registry}, but this client talks to ${this.#registry}`, {
        value: ref,
        reason: `the reference names another registry than ${this.#registry}`,
      });
    }
    return ref.startsWith(`${this.#registry}/`) ? ref : `${this.#registry}/${ref}`;
  }

  /** A digest given (as text or in a descriptor), else the reference's, else resolved. */
  async #digestOf(reference, given, name, signal) {
    if (given !== undefined && given !== null) {
      if (typeof given === "string") return given;
      return record(given, name).digest;
    }
    const { digest } = parseReference(reference);
    if (digest !== null) return digest;
    return (await this.#run(resolveManifest(this.#session, reference), { signal })).digest;
  }

  /**
   * The host loop of a whole operation (operation.js): poll until the operation is done; each
   * `send` goes to fetch (as the engine hands them out, at most `concurrency` at once; a blob body from `sources`, a streamed
   * answer into `sinks`), each `wait` is slept, and each answer goes back with `provide` by
   * task, in the order they arrive. The first error (the engine's, or one of this side: the
   * caller's abort, a stream that does not match) ends the operation and aborts what is in
   * flight.
   * @param {any} op
   * @param {{ signal?: AbortSignal, sources?: any, sinks?: any, progress?: any, poll?: any, peer?: any }} options
   */
  async #drive(op, { signal, sources, sinks, progress, poll, peer }) {
    signal?.throwIfAborted();
    const controller = new AbortController();
    manyListeners(controller.signal);
    const forward = () => controller.abort(/** @type {AbortSignal} */ (signal).reason); // added only with a signal
    signal?.addEventListener("abort", forward, { once: true });
    const inner = controller.signal;
    const next = poll ?? ((operation, now) => operation.poll(this.#session, now));
    const queued = []; // send actions over the concurrency, started as others end
    const answers = []; // { task, input, failure } in the order they arrived
    const running = new Set();
    let sending = 0;
    // Set by fail(), from callbacks (a cast: else tsc takes it for null everywhere below).
    let failed = /** @type {{ error: unknown } | null} */ (null);
    let wake = null;
    const fail = (error) => {
      if (failed === null) {
        failed = { error };
        controller.abort(error);
      }
    };
    const track = (promise) => {
      running.add(promise);
      promise.finally(() => {
        running.delete(promise);
        wake?.();
      });
    };
    const start = (action) => {
      sending += 1;
      const context = { signal: inner };
      const sent = (async () => {
        this.#prepare(action, context, sources, sinks, progress);
        const input = await this.#send(action.request, context, peer, action.registry);
        answers.push({ task: action.task, input, failure: context.failure });
      })()
        .catch(fail)
        .finally(() => {
          sending -= 1;
        });
      track(sent);
    };
    let failure;
    try {
      for (;;) {
        if (failed !== null) throw failed.error;
        while (answers.length > 0) {
          const answer = answers.shift();
          failure = answer.input.type === "failure" ? answer.failure : undefined;
          try {
            op.provide(answer.task, answer.input);
          } catch (error) {
            throw withTransport(error, failure);
          }
        }
        while (queued.length > 0 && sending < this.#concurrency) start(queued.shift());
        let action;
        try {
          action = fromRegistry(() => next(op, Date.now()), this.#registry);
        } catch (error) {
          throw withTransport(error, failure);
        }
        if (action.kind === "done") return action.value;
        if (action.kind === "send") {
          if (sending < this.#concurrency) start(action);
          else queued.push(action);
        } else if (action.kind === "wait") {
          const { task, ms } = action;
          track(sleep(ms, inner).then(() => answers.push({ task, input: { type: "resume" } }), fail));
        } else if (answers.length === 0 && failed === null) {
          // Pending: nothing to start until an answer arrives.
          if (running.size === 0) throw new OciError("OPERATION_MISUSE", "the operation waits for an answer, but nothing is in flight", {});
          await new Promise((resolve) => {
            wake = resolve;
          });
          wake = null;
        }
      }
    } finally {
      signal?.removeEventListener("abort", forward);
      if (running.size > 0) {
        if (!inner.aborted) controller.abort(new DOMException("the operation is over", "AbortError"));
        await Promise.allSettled([...running]);
      }
    }
  }

  /**
   * One request with the client of the session the engine says it is for (`registry`, the
   * action's): the copy's other client (`peer`) for that client's registry, else this one —
   * also when the URL names another host (a token realm, a redirect's target). A layout's
   * client answers from its layout, any other sends it with its fetch.
   * @param {Client} [peer]
   * @param {string} [registry]
   */
  #send(request, context, peer = undefined, registry = undefined) {
    const owner = peer !== undefined && registry === peer.#registry ? peer : this;
    return owner.#serve !== null ? owner.#serve(request, context) : exchange(owner.#fetch, request, context);
  }

  /** The source or sink of the blob an action moves, and the progress it reports. */
  #prepare(action, context, sources, sinks, progress) {
    const { request, blob } = action;
    if (blob === null) return;
    if (request.body !== null && !(request.body instanceof Uint8Array)) {
      const source = sources?.get(blob);
      if (source === undefined) {
        throw new OciError(
          "BLOB_UNKNOWN",
          `${blob.digest} has no data to upload and the repository lacks it (${request.url}): give its bytes or a Blob/File as data, or push it first (pushBlob)`,
          { digest: blob.digest, url: request.url, reason: "no content to upload" },
        );
      }
      context.source = source;
      progress?.total(blob);
      context.onSent = (offset, length) => progress?.moved(blob, offset + length);
    }
    if ("stream" in request.responseBody) {
      const sink = sinks.open(blob, request, (done) => progress?.moved(blob, done, "down"));
      progress?.total(blob, "down");
      context.sink = sink.receive;
      context.held = () => sink.received;
    }
  }

  /**
   * The host loop of a single-request operation: runs it to its end, or with `page` (listings)
   * to the end of its next page.
   */
  async #run(op, context, page = false) {
    const { signal } = context;
    let input = { type: "start" };
    for (;;) {
      signal?.throwIfAborted();
      let step;
      try {
        const current = input;
        step = fromRegistry(
          () => (page ? op.nextPage(this.#session, current, Date.now()) : op.next(this.#session, current, Date.now())),
          this.#registry,
        );
      } catch (error) {
        throw input.type === "failure" ? withTransport(error, context.failure) : error;
      }
      if (step.type === "done") return step.value;
      if (step.type === "wait") {
        await sleep(step.ms, signal);
        input = { type: "resume" };
      } else {
        input = await this.#send(step.request, context);
      }
    }
  }
}

/** The options of one call: `signal`, `onProgress` where allowed, and the call's own. */
export function callOptions(options, own, name) {
  if (options === undefined || options === null) return {};
  const o = record(options, name);
  checkKeys(o, ["signal", ...own], name);
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(`${name}.signal must be an AbortSignal, not ${typeName(o.signal)}`);
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== "function") {
    throw new TypeError(`${name}.onProgress must be a function, not ${typeName(o.onProgress)}`);
  }
  return o;
}

/** OPTIONS_INVALID for an option out of its range (Python's ValidationError of that code). */
function optionsInvalid(reason) {
  return new OciError("OPTIONS_INVALID", reason, { reason });
}

/**
 * A listing's page size (undefined: the registry's choice), or OPTIONS_INVALID when it is not a
 * whole number from 1 to 2^32 - 1: Python's client refuses the same values with the same text.
 */
function pageSize(value, name) {
  if (value === undefined || value === null) return undefined;
  if (Number.isInteger(value) && value > 0 && value < 2 ** 32) return value;
  throw optionsInvalid(`${name} must be from 1 to 2^32 - 1, not ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
}

/** `registry/repository` at a tag or a digest. */
function atRepository(repository, target) {
  if (typeof target !== "string" || target === "") throw new TypeError(`a tag or digest must be a non-empty string, not ${typeName(target)}`);
  return target.includes(":") ? `${repository}@${target}` : `${repository}:${target}`;
}

/** An array argument (sources, tags). */
function list(value, name) {
  if (!Array.isArray(value)) throw new TypeError(`${name} must be an array, not ${typeName(value)}`);
  return value;
}
