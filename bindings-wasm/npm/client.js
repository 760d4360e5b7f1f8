// Client: the registry protocol over fetch. Every decision (URLs, headers, auth challenges and
// tokens, retries and backoff, redirects, which blobs to check, upload, mount or skip, the pull
// plan, the referrers walk, the referrers-tag upkeep, resume after a cut) is the core engine's
// (operation.js: the whole operations; api.js: the single-request ones). This file only moves
// bytes: one host loop (`#drive`) sends the requests the engine describes with fetch (never
// following a redirect itself), at most `concurrency` at once, streams blob bodies from their
// source or into their sink (hashed as they move), sleeps when told to, and returns what the
// operation ends with.
import { OciError } from "./errors.js";
import {
  Digester as WasmDigester,
  RegistrySession,
  blobExists,
  bytesOf,
  checkAuth,
  getBlob,
  getManifest,
  isIndexType,
  listReferrers,
  listTags,
  parseDigest,
  parseIndex,
  parseManifest,
  parseReference,
  pushBlob,
  putManifest,
  resolveManifest,
  typeName,
} from "./api.js";
import { CopyArtifact, Delete, Discover, Pull, Push } from "./operation.js";

// How much of an error body is read when the engine asked for a blob body to be streamed (the
// engine's own limit for the error bodies it captures).
const ERROR_BODY_MAX = 64 * 1024;
// How often fetchBlob continues an interrupted download with a Range request before giving up:
// the single-blob GetBlob of the engine leaves a cut download to the host that holds its bytes
// (the whole Pull and CopyArtifact start a cut download over themselves).
const DOWNLOAD_RESUMES = 3;
const CLIENT_OPTIONS = ["registry", "plainHttp", "credentials", "fetch", "concurrency", "retry", "limits"];
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
// fetch reports no upload progress: a request body larger than this may take longer to send
// than the stall timeout, so only the deadline bounds the wait for its answer (1 MiB goes out
// within a 30 s stall timeout on any link faster than 35 KB/s).
const STALL_BODY_MAX = 1024 * 1024;

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
  #options;
  #fetch;
  #concurrency;

  constructor(options) {
    if (!loaded) notLoaded();
    const o = record(options, "options");
    checkKeys(o, CLIENT_OPTIONS, "options");
    if (typeof o.registry !== "string") throw new TypeError(`options.registry must be a string, not ${typeName(o.registry)}`);
    const fetch = o.fetch ?? globalThis.fetch;
    if (typeof fetch !== "function") {
      throw new TypeError("options.fetch must be a function (this runtime has no global fetch)");
    }
    const concurrency = o.concurrency ?? 4;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      throw new RangeError("options.concurrency must be a positive integer");
    }
    this.#options = {
      plainHttp: o.plainHttp,
      retry: o.retry,
      // The engine holds the limits and puts them on each request it describes.
      ...(o.limits === undefined ? {} : { limits: o.limits }),
    };
    this.#session = new RegistrySession(o.registry, { ...this.#options, credentials: o.credentials });
    this.#registry = o.registry;
    this.#fetch = fetch;
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

  /** GET /v2/ with the registry's challenge answered: resolves when the credentials are good. */
  async checkAuth(options = undefined) {
    const { signal } = callOptions(options, [], "options");
    await this.#run(checkAuth(this.#session), { signal });
  }

  /** `{ mediaType, digest, size }` of the manifest a tag or digest names. */
  async resolve(ref, options = undefined) {
    const { signal } = callOptions(options, [], "options");
    return this.#run(resolveManifest(this.#session, this.#reference(ref)), { signal });
  }

  /** `{ mediaType, digest, bytes }`: the exact bytes of the manifest or index, verified. */
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
   * size. A download cut short continues where it stopped (a Range request).
   */
  async fetchBlob(ref, descriptor, options = undefined) {
    const { signal, onProgress } = callOptions(options, ["onProgress"], "options");
    const reference = this.#reference(ref);
    let op = getBlob(this.#session, reference, descriptor);
    const sink = new MemorySink(record(descriptor, "descriptor"), reference, onProgress);
    for (let resumes = 0; ; resumes += 1) {
      try {
        await this.#run(op, { signal, sink: sink.receive });
        sink.finish();
        return sink.bytes;
      } catch (error) {
        // The engine does not send a cut download again (the host holds part of it): a body
        // cut by the network or stalled continues from the bytes held; a deadline ends it.
        const cut =
          error instanceof OciError &&
          error.details.phase === "body" &&
          (error.code === "NETWORK_ERROR" || (error.code === "TIMEOUT" && error.details.limit === "stallTimeoutMs"));
        if (!cut || resumes === DOWNLOAD_RESUMES || sink.received === 0 || sink.received >= descriptor.size) throw error;
        op = getBlob(this.#session, reference, descriptor, { have: sink.received });
      }
    }
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
    const content = uploadContent(source, "source", descriptor);
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
   */
  async listTags(ref, options = undefined) {
    const { signal, pageSize } = callOptions(options, ["pageSize"], "options");
    const op = listTags(this.#session, this.#reference(ref), pageSize === undefined ? undefined : { pageSize });
    return this.#run(op, { signal });
  }

  /**
   * The tags of the reference's repository, a page at a time: `for await (const tag of
   * client.iterTags(ref))`. Only the current page is held; the next is asked for once it has
   * been consumed, and none after the loop stops. The listing's limits count every page.
   */
  async *iterTags(ref, options = undefined) {
    const { signal, pageSize } = callOptions(options, ["pageSize"], "options");
    const op = listTags(this.#session, this.#reference(ref), pageSize === undefined ? undefined : { pageSize });
    for (;;) {
      const { items, last } = await this.#run(op, { signal }, true);
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
   * The tree of what refers to the manifest `ref` names, what refers to those, and so on:
   * `[{ descriptor, referrers: [...] }]`, `depth` levels down (all by default), each level
   * filtered by `artifactType` when given. The core walks the tree (each digest once, within
   * `limits`: `{ maxDepth, maxNodes }`, an OciError LIMIT_EXCEEDED past one) and lists a whole
   * level at once; this runs the listings, `concurrency` at a time.
   */
  async discover(ref, options = undefined) {
    const { signal, artifactType, depth, limits } = callOptions(options, ["artifactType", "depth", "limits"], "options");
    if (depth !== undefined && (!Number.isSafeInteger(depth) || depth < 0)) {
      throw new RangeError("options.depth must be a non-negative integer");
    }
    const op = new Discover(this.#reference(ref), { artifactType, depth, limits });
    return (await this.#drive(op, { signal })).referrers;
  }

  /**
   * Pushes what `pack()` made (a manifest or an index and its blobs): the core checks each
   * distinct blob, uploads the missing ones (at most `concurrency` at a time), puts the
   * manifest under the reference's tag (and `tags`), and with a subject on a registry without
   * the referrers API updates the subject's referrers tag. Resolves to the outcome
   * `{ descriptor, tags, blobs: [{ descriptor, status }], referrersTag, planned }`. With
   * `dryRun` it resolves to the plan at once (`planned`: the requests a push would make) and
   * sends nothing. A blob packed by digest needs its content as `data` (a Blob/File).
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
    const sinks = new MemorySinks(reference);
    const progress = new Progress(onProgress);
    const op = new Pull(reference, allowGit === undefined ? undefined : { allowGit });
    const done = await this.#drive(op, { signal, sinks, progress });
    progress.finish();
    const { manifest } = fromRegistry(() => parseManifest(done.manifest), this.#registry);
    return {
      descriptor: done.descriptor,
      digest: done.descriptor.digest,
      mediaType: done.descriptor.mediaType,
      bytes: done.manifest,
      manifest,
      files: done.files.map(({ path, descriptor }) => ({ path, descriptor, bytes: sinks.bytes(descriptor.digest) })),
    };
  }

  /**
   * Copies what `source` names (an image, an index with its manifests) to `destination`,
   * each document and blob once, children first, with `referrers` the artifacts referring to
   * them too (the referrers tag kept at a destination without the referrers API). Both are
   * references of this client's registry, or `destination` is on the registry of
   * `options.to` (another Client: its session and credentials). Blobs between two registries
   * pass through memory. Resolves to `{ descriptor, tags, blobs, manifests, referrersTags,
   * planned }`; with `dryRun`, to the plan after reading the source only.
   */
  async copy(source, destination, options = undefined) {
    const own = ["referrers", "dryRun", "tags", "chunkSize", "limits", "to", "onProgress"];
    const o = callOptions(options, own, "options");
    const from = this.#reference(source);
    let poll;
    let to;
    if (o.to !== undefined) {
      if (!(o.to instanceof Client)) throw new TypeError(`options.to must be a Client, not ${typeName(o.to)}`);
      to = o.to.#reference(destination);
      const other = o.to.#session;
      poll = o.to.#registry === this.#registry ? undefined : (op, now) => op.pollBetween(this.#session, other, now);
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
    const sinks = new MemorySinks(from);
    const progress = new Progress(o.onProgress);
    const done = await this.#drive(op, { signal: o.signal, sinks, sources: sinks, progress, poll });
    progress.finish();
    return done;
  }

  async #push(reference, packed, { signal, onProgress, chunkSize, mountFrom, tags, dryRun }) {
    const p = record(packed, "packed");
    const manifest = bytesOf(p.manifest, "packed.manifest");
    if (!Array.isArray(p.blobs)) throw new TypeError(`packed.blobs must be an array, not ${typeName(p.blobs)}`);
    const sources = new Map();
    p.blobs.forEach((blob, i) => {
      const b = record(blob, `packed.blobs[${i}]`);
      if (b.data === undefined || b.data === null) {
        throw new TypeError(`packed.blobs[${i}] has no data: give its bytes or a Blob/File as data to upload it`);
      }
      const descriptor = record(b.descriptor, `packed.blobs[${i}].descriptor`);
      // Checked here, so that a wrong source fails before anything is sent; a stream is only
      // read when the engine asks for its bytes.
      checkSource(b.data, `packed.blobs[${i}].data`);
      if (!sources.has(descriptor.digest)) sources.set(descriptor.digest, { descriptor, data: b.data });
    });
    const mediaType = typeof p.mediaType === "string" ? p.mediaType : MANIFEST_TYPE;
    const op = new Push(reference, mediaType, manifest, { tags, mountFrom, chunkSize, dryRun });
    const progress = new Progress(onProgress);
    const uploads = new UploadSources(sources);
    const outcome = await this.#drive(op, { signal, sources: uploads, progress });
    if (!dryRun) {
      for (const { descriptor } of outcome.blobs) progress.total(descriptor);
      progress.finish();
    }
    return outcome;
  }

  /**
   * A full reference for this registry: `repository[:tag][@digest]` gets the registry put in
   * front; a reference that already starts with the registry is used as is. A first component
   * that is a host (a '.' or ':' in it, or "localhost") names another registry: an error.
   */
  #reference(ref) {
    if (typeof ref !== "string") throw new TypeError(`reference must be a string, not ${typeName(ref)}`);
    if (ref.startsWith(`${this.#registry}/`)) return ref;
    const slash = ref.indexOf("/");
    const first = slash < 0 ? "" : ref.slice(0, slash);
    if (first.includes(".") || first.includes(":") || first === "localhost") {
      throw new OciError("REFERENCE_INVALID", `invalid reference ${JSON.stringify(ref)}: it names the registry ${first}, but this client talks to ${this.#registry}`, {
        value: ref,
        reason: `the reference names another registry than ${this.#registry}`,
      });
    }
    return `${this.#registry}/${ref}`;
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
   * `send` goes to fetch (at most `concurrency` at once; a blob body from `sources`, a streamed
   * answer into `sinks`), each `wait` is slept, and each answer goes back with `provide` by
   * task, in the order they arrive. The first error (the engine's, or one of this side: the
   * caller's abort, a stream that does not match) ends the operation and aborts what is in
   * flight.
   */
  async #drive(op, { signal, sources, sinks, progress, poll }) {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const forward = () => controller.abort(signal.reason);
    signal?.addEventListener("abort", forward, { once: true });
    const inner = controller.signal;
    const next = poll ?? ((operation, now) => operation.poll(this.#session, now));
    const queued = []; // send actions over the concurrency, started as others end
    const answers = []; // { task, input, failure } in the order they arrived
    const running = new Set();
    let sending = 0;
    let failed = null;
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
      const exchange = (async () => {
        this.#prepare(action, context, sources, sinks, progress);
        const input = await this.#exchange(action.request, context);
        answers.push({ task: action.task, input, failure: context.failure });
      })()
        .catch(fail)
        .finally(() => {
          sending -= 1;
        });
      track(exchange);
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
          track(jittered(ms, inner).then(() => answers.push({ task, input: { type: "resume" } }), fail));
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

  /** The source or sink of the blob an action moves, and the progress it reports. */
  #prepare(action, context, sources, sinks, progress) {
    const { request, blob } = action;
    context.probe = isReferrersListing(request) && new URL(request.url).host === this.#registry && this.#session.referrersApi === null;
    if (blob === null) return;
    if (request.body !== null && !(request.body instanceof Uint8Array)) {
      const source = sources?.get(blob);
      if (source === undefined) {
        throw new OciError(
          "BLOB_UNKNOWN",
          `${request.url}: the repository lacks blob ${blob.digest}, and this call has no content for it (push it first: pushBlob or push)`,
          { digest: blob.digest, url: request.url, reason: "no content to upload" },
        );
      }
      context.source = source;
      progress?.total(blob);
      context.onSent = (offset, length) => progress?.moved(blob, offset + length);
    }
    if ("stream" in request.responseBody) {
      const sink = sinks.open(blob, request, (done) => progress?.moved(blob, done));
      progress?.total(blob);
      context.sink = sink.receive;
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
        await jittered(step.ms, signal);
        input = { type: "resume" };
      } else {
        context.probe = isReferrersListing(step.request) && this.#session.referrersApi === null;
        input = await this.#exchange(step.request, context);
      }
    }
  }

  /**
   * Sends one request as the engine describes it and reads the response as it asks, within the
   * request's stall timeout and deadline.
   */
  async #exchange(request, context) {
    const { signal, source, sink, onSent } = context;
    context.failure = undefined;
    const headers = requestHeaders(request);
    let body;
    const { body: described } = request;
    if (described instanceof Uint8Array) {
      body = described;
    } else if (described !== null) {
      const { offset, length } = described.blob;
      if (source === undefined) throw new TypeError("the engine asked for blob content, but this call has none");
      body = source instanceof StreamSource ? await source.slice(offset, offset + length) : source.slice(offset, offset + length);
    }
    const fetch = this.#fetch;
    const watch = new TransferWatch(request, signal, body);
    try {
      let response;
      try {
        response = await fetch(request.url, {
          method: request.method,
          headers,
          body,
          // The engine follows redirects itself, so that credentials never go to another origin.
          redirect: "manual",
          signal: watch.signal,
        });
      } catch (error) {
        return failureInput(request, "request", error, signal, watch, context);
      }
      if (response?.type === "opaqueredirect") {
        throw new OciError(
          "NETWORK_ERROR",
          `${request.method} ${request.url} was redirected, and browsers hide redirects from fetch (redirect: "manual"): ocikit cannot follow it`,
          { method: request.method, url: request.url, host: hostOf(request.url), phase: "request", reason: "opaque redirect" },
        );
      }
      watch.answered();
      const input = { type: "response", status: response.status, headers: [...response.headers] };
      try {
        if ("stream" in request.responseBody && response.status >= 200 && response.status < 300) {
          if (sink === undefined) throw new TypeError("the engine asked for a blob to be streamed, but this call has no sink");
          input.streamed = await sink(response, watch, request.responseBody.stream);
        } else {
          const max = "stream" in request.responseBody ? ERROR_BODY_MAX : request.responseBody.capture;
          // One byte over the limit lets the engine tell "too large" from "exactly the limit".
          input.body = await readBody(response, max + 1, watch);
        }
      } catch (error) {
        // The consumer's own errors (a progress callback's, a digest of an unknown algorithm)
        // pass through; a failed read, a timeout and the caller's abort do not.
        if (!(error instanceof BodyReadError) && watch.timeout === null && !signal?.aborted) throw error;
        return failureInput(request, "body", error instanceof BodyReadError ? error.cause : error, signal, watch, context);
      }
      if (described !== null && !(described instanceof Uint8Array) && response.status < 300) {
        onSent?.(described.blob.offset, described.blob.length);
      }
      return input;
    } finally {
      watch.close();
    }
  }
}

/** Whether a request lists referrers through the referrers API. */
function isReferrersListing(request) {
  return request.method === "GET" && new URL(request.url).pathname.includes("/referrers/");
}

/**
 * Waits `ms` and up to a tenth more, so that transfers told to back off together do not all
 * come back at the same moment (jitter is the host's part: the core has no randomness).
 */
function jittered(ms, signal) {
  return sleep(ms + Math.floor(Math.random() * ms * 0.1), signal);
}

/** Upload content for `descriptor`, of its size (a stream is checked as it is read). */
function uploadContent(value, name, descriptor) {
  const content = blobSource(value, name, descriptor, EntryDigester);
  if (!(content instanceof StreamSource) && contentSize(content) !== descriptor.size) {
    throw new OciError(
      "SIZE_MISMATCH",
      `${name} is ${contentSize(content)} bytes but ${descriptor.size} bytes were expected`,
      { expected: descriptor.size, actual: contentSize(content) },
    );
  }
  return content;
}

/** The contents of a push by digest, opened (a stream is read once) when the engine asks. */
class UploadSources {
  #given;
  #open = new Map();

  constructor(given) {
    this.#given = given;
  }

  get(blob) {
    let content = this.#open.get(blob.digest);
    if (content === undefined) {
      const given = this.#given.get(blob.digest);
      if (given === undefined) return undefined;
      content = uploadContent(given.data, `the data of blob ${blob.digest}`, given.descriptor);
      this.#open.set(blob.digest, content);
    }
    return content;
  }
}

/**
 * A blob downloaded into memory: the declared size at once, hashed as it arrives. An answer
 * other than 206 is the whole blob from the start (the engine starting over, or a registry
 * that ignored a Range); a 206 continues after the bytes held.
 */
class MemorySink {
  #size;
  #digest;
  #algorithm;
  #digester;
  #onProgress;
  bytes;
  received = 0;

  constructor(descriptor, reference, onProgress) {
    this.#size = descriptor.size;
    this.#digest = descriptor.digest;
    this.#algorithm = parseDigest(descriptor.digest).algorithm;
    this.bytes = blobBuffer(descriptor.size, reference, descriptor.digest);
    this.#digester = new EntryDigester(this.#algorithm);
    this.#onProgress = onProgress;
  }

  /**
   * Reads one answer; `max`: the bytes of this body the engine expects (the rest of the blob
   * after the bytes held). Reading stops one byte past it, so a body that is too long is never
   * read whole.
   */
  receive = async (response, watch, max) => {
    let end = this.received + max;
    if (response.status !== 206) {
      this.#digester = new EntryDigester(this.#algorithm);
      this.received = 0;
    }
    end = Math.min(end, this.#size);
    await eachChunk(response, watch, (chunk) => {
      this.#digester.update(chunk);
      // Bytes beyond the end are counted (the engine then reports SIZE_MISMATCH) but neither
      // kept nor waited for.
      if (this.received + chunk.byteLength <= end) this.bytes.set(chunk, this.received);
      this.received += chunk.byteLength;
      if (this.received > end) return false;
      this.#onProgress?.(this.received, this.#size);
      return true;
    });
    return { digest: this.#digester.finalize(), size: this.received };
  };

  /** An empty blob reports its progress once. */
  finish() {
    if (this.#size === 0) this.#onProgress?.(0, 0);
  }
}

/**
 * The sinks of a whole operation's downloads, one per digest, in memory; a copy between two
 * registries uploads each from its sink (`get`).
 */
class MemorySinks {
  #reference;
  #sinks = new Map();

  constructor(reference) {
    this.#reference = reference;
  }

  open(blob, _request, onProgress) {
    let sink = this.#sinks.get(blob.digest);
    if (sink === undefined) {
      sink = new MemorySink(blob, this.#reference, onProgress);
      this.#sinks.set(blob.digest, sink);
    }
    return sink;
  }

  /** The downloaded bytes of `digest`, as the source of its upload. */
  get(blob) {
    const sink = this.#sinks.get(blob.digest);
    return sink === undefined ? undefined : sink.bytes.subarray(0, sink.received);
  }

  bytes(digest) {
    return this.#sinks.get(digest)?.bytes ?? new Uint8Array(0);
  }
}

/** `onProgress(done, total)` over the blobs an operation moves, each digest counted once. */
class Progress {
  #callback;
  #sizes = new Map();
  #moved = new Map();

  constructor(callback) {
    this.#callback = callback;
  }

  total(blob) {
    if (!this.#sizes.has(blob.digest)) this.#sizes.set(blob.digest, blob.size);
  }

  moved(blob, done) {
    this.total(blob);
    this.#moved.set(blob.digest, done);
    this.#report();
  }

  /** Every blob done (uploaded, downloaded, or there already). */
  finish() {
    for (const [digest, size] of this.#sizes) this.#moved.set(digest, size);
    this.#report();
  }

  #report() {
    if (this.#callback === undefined) return;
    let done = 0;
    let all = 0;
    for (const [digest, size] of this.#sizes) {
      all += size;
      done += Math.min(this.#moved.get(digest) ?? 0, size);
    }
    this.#callback(done, all);
  }
}

/**
 * The engine's input for a failure of fetch itself (not an HTTP answer): TIMEOUT when the stall
 * timeout or the deadline passed, TLS for a certificate or handshake failure Node names, else
 * NETWORK; the engine answers with the coded error naming the host, or retries a request that
 * is safe to repeat. The caller's own abort is not a failure: its reason is thrown as is.
 * `context.failure` keeps what the engine's error lacks (the phase, the timer, the cause).
 */
function failureInput(request, phase, error, signal, watch, context) {
  if (signal?.aborted) throw signal.reason;
  const timeout = watch.timeout;
  const reason = [error?.message, error?.cause?.message ?? error?.cause?.code].filter(Boolean).join(": ") || String(error);
  // An abort that is neither the caller's nor this watch's is a timeout of the transport's own
  // (a fetch wrapper with AbortSignal.timeout, say).
  const aborted = error?.name === "TimeoutError" || error?.name === "AbortError";
  const kind = timeout !== null || aborted ? "timeout" : isTlsFailure(error) ? "tls" : "network";
  if (context.probe && kind === "network" && phase === "request") {
    // A browser reports the CORS-less 404 of a registry without the referrers API as a network
    // error: the engine gets the 404 the registry sent, and reads the referrers tag instead
    // (once per session: it then knows the registry has no such API).
    return { type: "response", status: 404, headers: [], body: new Uint8Array(0) };
  }
  context.failure = { method: request.method, url: request.url, phase, cause: error, limit: timeout?.limit };
  return { type: "failure", kind, message: timeout !== null ? timeout.reason : reason };
}

/** Whether fetch failed in TLS (Node's undici names the OpenSSL error in the cause). */
function isTlsFailure(error) {
  const cause = error?.cause;
  const text = `${cause?.code ?? ""} ${cause?.message ?? ""}`;
  return /CERT|SSL|TLS|SIGNATURE|self[- ]signed|certificate/i.test(text);
}

/** The engine's error for a failure input, with the host's side of it in details and as cause. */
function withTransport(error, failure) {
  if (!(error instanceof OciError) || failure === undefined) return error;
  const { method, url, phase, limit, cause } = failure;
  const details = { ...error.details, method, url, phase, ...(limit === undefined ? {} : { limit }) };
  return new OciError(error.code, error.message, details, { cause });
}

/** `host[:port]` of a URL (the whole text if it is no URL). */
function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/**
 * The request's headers as fetch takes them. A value fetch refuses (a token from the registry
 * with CR, LF or characters beyond Latin-1) is the registry's or the caller's fault, not a
 * TypeError of this code: AUTH_INVALID for credentials, PROTOCOL_ERROR for anything else.
 */
function requestHeaders(request) {
  const headers = new Headers();
  for (const [name, value] of request.headers) {
    // fetch sets Content-Length from the body itself (and browsers forbid setting it).
    if (name.toLowerCase() === "content-length") continue;
    try {
      headers.append(name, value);
    } catch (error) {
      const host = hostOf(request.url);
      const credentials = name.toLowerCase() === "authorization";
      throw new OciError(
        credentials ? "AUTH_INVALID" : "PROTOCOL_ERROR",
        `${request.method} ${request.url}: the ${name} header cannot be sent (${host}): ${credentials ? "the credentials or the token hold" : "its value holds"} characters an HTTP header cannot carry (control characters or beyond Latin-1)`,
        { method: request.method, url: request.url, host, header: name, reason: "invalid header value" },
        { cause: error },
      );
    }
  }
  return headers;
}

/**
 * Runs a call into the engine (or a parse of what a registry sent) and turns a RangeError about
 * a number JS cannot hold exactly (a size beyond Number.MAX_SAFE_INTEGER) into SIZE_INVALID: the
 * number came from the registry, so it is the registry's error, not the caller's.
 */
function fromRegistry(call, registry) {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof RangeError && /MAX_SAFE_INTEGER/.test(error.message))) throw error;
    throw new OciError("SIZE_INVALID", `${registry} sent a number JavaScript cannot hold exactly: ${error.message}`, {
      registry,
      reason: error.message,
    }, { cause: error });
  }
}

/**
 * The buffer of a blob download: the declared size at once (allocated lazily by the runtime,
 * so untouched pages cost nothing). A size the runtime cannot allocate in one Uint8Array (over
 * about 4 GiB in Node, less in browsers) is LIMIT_EXCEEDED rather than a RangeError.
 */
function blobBuffer(size, reference, digest) {
  try {
    return new Uint8Array(size);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new OciError(
      "LIMIT_EXCEEDED",
      `${reference}: blob ${digest} is ${size} bytes, more than this runtime holds in one Uint8Array (fetchBlob keeps the blob in memory)`,
      { reference, digest, limit: "memory", value: size },
      { cause: error },
    );
  }
}

/**
 * The clock of one exchange: an AbortSignal for fetch and its body that aborts when the caller's
 * signal does, when the request's stall timeout (`timeoutMs`: no byte for this long) passes, or
 * when the operation's deadline (`deadlineMs`, Unix ms) does; `timeout` then says which. fetch
 * reports no upload progress, so while a request body of more than STALL_BODY_MAX bytes is
 * sent, only the deadline counts; the stall timer starts again with the answer.
 */
class TransferWatch {
  #controller = new AbortController();
  #request;
  #outer;
  #forward;
  #stallMs;
  #stall = undefined;
  #deadline = undefined;
  /** `{ limit, reason }` once the stall timeout or the deadline passed. */
  timeout = null;

  constructor(request, outer, body) {
    this.#request = request;
    this.#outer = outer;
    this.#forward = () => this.#controller.abort(outer.reason);
    if (outer?.aborted) this.#forward();
    else outer?.addEventListener("abort", this.#forward, { once: true });
    const stallMs = request.timeoutMs;
    this.#stallMs = Number.isSafeInteger(stallMs) && stallMs > 0 ? stallMs : null;
    const deadlineMs = request.deadlineMs;
    if (Number.isSafeInteger(deadlineMs) && deadlineMs > 0) {
      this.#deadline = setTimeout(() => this.#expire("deadline"), Math.max(0, deadlineMs - Date.now()));
    }
    if (bodySize(body) <= STALL_BODY_MAX) this.touch();
  }

  get signal() {
    return this.#controller.signal;
  }

  /** The answer's headers arrived: the stall timer runs again (it may have been off while sending). */
  answered() {
    this.touch();
  }

  /** Bytes moved: the stall timer starts over. */
  touch() {
    if (this.#stallMs === null || this.timeout !== null) return;
    clearTimeout(this.#stall);
    this.#stall = setTimeout(() => this.#expire("stall"), this.#stallMs);
  }

  close() {
    clearTimeout(this.#stall);
    clearTimeout(this.#deadline);
    this.#outer?.removeEventListener("abort", this.#forward);
  }

  #expire(which) {
    if (this.timeout !== null || this.#controller.signal.aborted) return;
    const reason =
      which === "stall"
        ? `nothing arrived for ${this.#stallMs} ms (the stall timeout; limits.stallTimeoutMs changes it)`
        : "the operation's deadline passed (limits.deadlineMs, or limits.requestTimeoutMs for a body read whole, changes it)";
    this.timeout = { limit: which === "stall" ? "stallTimeoutMs" : "deadlineMs", reason };
    this.#controller.abort(new DOMException(reason, "TimeoutError"));
  }
}

function bodySize(body) {
  if (body === undefined || body === null) return 0;
  return body instanceof Uint8Array ? body.byteLength : (body.size ?? 0);
}

/** A failure to read a response body (as opposed to an error of the code consuming it). */
class BodyReadError extends Error {
  constructor(cause) {
    super("reading the response body failed", { cause });
  }
}

/**
 * Feeds each chunk of a response body to `take` until it returns false or the body ends; the
 * rest of the body is cancelled when reading stops early for any reason. Each chunk restarts
 * the watch's stall timer; its signal (the caller's, a timeout) cancels the read.
 */
async function eachChunk(response, watch, take) {
  if (response.body === null || response.body === undefined) return;
  const { signal } = watch;
  const reader = response.body.getReader();
  const cancel = () => reader.cancel(signal.reason).catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  let ended = false;
  try {
    for (;;) {
      let next;
      try {
        next = await reader.read();
      } catch (error) {
        throw new BodyReadError(error);
      }
      // A cancelled read ends quietly: an abort must not look like a short body.
      signal?.throwIfAborted();
      if (next.done) {
        ended = true;
        return;
      }
      watch.touch();
      if (!take(next.value)) return;
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    if (!ended) await reader.cancel().catch(() => {});
  }
}

/** A response body, at most `limit` bytes of it (the rest is not read). */
async function readBody(response, limit, watch) {
  const chunks = [];
  let total = 0;
  await eachChunk(response, watch, (chunk) => {
    chunks.push(chunk);
    total += chunk.byteLength;
    return total < limit;
  });
  const out = new Uint8Array(Math.min(total, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, out.length - offset);
    out.set(part, offset);
    offset += part.byteLength;
    if (offset === out.length) break;
  }
  return out;
}

/** Waits `ms` milliseconds, or rejects with the signal's reason when it aborts first. */
function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    signal?.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Upload content: a Blob (File) as is, bytes as a Uint8Array view, or a ReadableStream or async
 * iterable of bytes as a StreamSource checked against `descriptor`.
 */
function blobSource(value, name, descriptor, Digester) {
  checkSource(value, name);
  if (typeof Blob === "function" && value instanceof Blob) return value;
  if (typeof value?.getReader === "function") {
    const reader = value.getReader();
    const next = async () => {
      const { done, value: chunk } = await reader.read();
      return done ? null : chunk;
    };
    return new StreamSource(next, () => reader.cancel().catch(() => {}), descriptor, Digester, name);
  }
  if (value !== null && typeof value === "object" && typeof value[Symbol.asyncIterator] === "function") {
    const iterator = value[Symbol.asyncIterator]();
    const next = async () => {
      const { done, value: chunk } = await iterator.next();
      return done ? null : chunk;
    };
    return new StreamSource(next, () => iterator.return?.().catch?.(() => {}), descriptor, Digester, name);
  }
  return bytesOf(value, name);
}

/** A TypeError unless `value` is something blobSource takes. */
function checkSource(value, name) {
  if (typeof Blob === "function" && value instanceof Blob) return;
  if (typeof value?.getReader === "function") return;
  if (value !== null && typeof value === "object" && typeof value[Symbol.asyncIterator] === "function") return;
  try {
    bytesOf(value, name);
  } catch {
    throw new TypeError(
      `${name} must be a Uint8Array, an ArrayBuffer, an ArrayBufferView, a Blob, a ReadableStream or an async iterable of bytes, not ${typeName(value)}`,
    );
  }
}

/**
 * A stream as upload content: the engine asks for pieces in order (`slice(offset, end)`), each
 * read from the stream once and hashed. The last piece read is kept, so that a retried request
 * (or a resume within it) sends it again; anything earlier is gone.
 */
class StreamSource {
  #next;
  #cancel;
  #name;
  #digest;
  #size;
  #digester;
  #pending = null; // bytes read from the stream but not yet part of a piece
  #position = 0; // bytes handed out as pieces
  #last = null; // { offset, bytes }

  constructor(next, cancel, descriptor, Digester, name) {
    const { digest, size } = record(descriptor, "descriptor");
    this.#next = next;
    this.#cancel = cancel;
    this.#name = name;
    this.#digest = digest;
    this.#size = size;
    this.#digester = new Digester(parseDigest(digest).algorithm);
  }

  async slice(offset, end) {
    const last = this.#last;
    if (last !== null && offset >= last.offset && end <= last.offset + last.bytes.byteLength) {
      return last.bytes.subarray(offset - last.offset, end - last.offset);
    }
    if (offset !== this.#position) {
      this.#cancel();
      throw new OciError(
        "STREAM_NOT_REWINDABLE",
        `${this.#name} is a stream and was read up to byte ${this.#position}: it cannot be sent again from byte ${offset} (give a Blob or bytes to resume uploads)`,
        { offset, position: this.#position },
      );
    }
    const piece = new Uint8Array(end - offset);
    let filled = 0;
    while (filled < piece.byteLength) {
      const chunk = this.#pending ?? (await this.#chunk());
      this.#pending = null;
      if (chunk === null) {
        throw new OciError(
          "SIZE_MISMATCH",
          `${this.#name} ended after ${offset + filled} bytes but ${this.#size} bytes were expected`,
          { expected: this.#size, actual: offset + filled },
        );
      }
      const taken = Math.min(chunk.byteLength, piece.byteLength - filled);
      piece.set(chunk.subarray(0, taken), filled);
      filled += taken;
      if (taken < chunk.byteLength) this.#pending = chunk.subarray(taken);
    }
    this.#digester.update(piece);
    this.#position = end;
    this.#last = { offset, bytes: piece };
    if (end === this.#size) {
      // The last piece: nothing may follow, and the digest must be the descriptor's, before the
      // request that completes the upload is sent.
      let extra = this.#pending?.byteLength ?? 0;
      for (let chunk; extra === 0 && (chunk = await this.#chunk()) !== null; ) extra += chunk.byteLength;
      if (extra > 0) {
        this.#cancel();
        throw new OciError("SIZE_MISMATCH", `${this.#name} has more than the ${this.#size} bytes expected`, {
          expected: this.#size,
          actual: this.#size + extra,
        });
      }
      this.#digester.verify(this.#digest, this.#size);
    }
    return piece;
  }

  async #chunk() {
    const chunk = await this.#next();
    return chunk === null ? null : bytesOf(chunk, `a chunk of ${this.#name}`);
  }
}

function contentSize(content) {
  return content instanceof Uint8Array ? content.byteLength : content.size;
}

function record(value, name) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, not ${typeName(value)}`);
  }
  return value;
}

function checkKeys(value, allowed, name) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${name} has no option ${JSON.stringify(key)} (expected ${allowed.join(", ")})`);
    }
  }
}

/** The options of one call: `signal`, `onProgress` where allowed, and the call's own. */
function callOptions(options, own, name) {
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
