// Client: the registry protocol over fetch. Every protocol decision (URLs, headers, auth
// challenges and tokens, retries, redirects, upload plans, digest and size checks) is the core
// engine's; this file only moves bytes. It sends the requests the engine describes (never
// following a redirect itself), streams and hashes blob bodies, sleeps when told to, and runs
// several blob transfers at once.
import { OciError } from "./errors.js";
import {
  ReferrerWalk,
  RegistrySession,
  addReferrer,
  blobExists,
  bytesOf,
  deleteManifest,
  getBlob,
  getManifest,
  listReferrers,
  listTags,
  parseDigest,
  parseIndex,
  parseManifest,
  referrerDescriptor,
  parseReference,
  pushBlob,
  putManifest,
  resolveManifest,
  typeName,
} from "./api.js";

const INDEX_TYPES = new Set([
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
]);
// How much of an error body is read when the engine asked for a blob body to be streamed (the
// engine's own limit for the error bodies it captures).
const ERROR_BODY_MAX = 64 * 1024;
// How often an interrupted blob download continues with a Range request before giving up (the
// engine does not send a cut download again: the host holds what arrived).
const DOWNLOAD_RESUMES = 3;
const CLIENT_OPTIONS = ["registry", "plainHttp", "credentials", "fetch", "concurrency", "retry", "limits"];
const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
// fetch reports no upload progress: a request body larger than this may take longer to send
// than the stall timeout, so only the deadline bounds the wait for its answer (1 MiB goes out
// within a 30 s stall timeout on any link faster than 35 KB/s).
const STALL_BODY_MAX = 1024 * 1024;

/** The Client class of an entry point, hashing with that entry's Digester. */
export function clientClass(Digester) {
  return class Client {
    #registry;
    #session;
    #fetch;
    #concurrency;

    constructor(options) {
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
      this.#session = new RegistrySession(o.registry, {
        plainHttp: o.plainHttp,
        credentials: o.credentials,
        retry: o.retry,
        // The engine holds the limits and puts them on each request it describes.
        ...(o.limits === undefined ? {} : { limits: o.limits }),
      });
      this.#registry = o.registry;
      this.#fetch = fetch;
      this.#concurrency = concurrency;
    }

    /** The registry this client talks to, `host[:port]`. */
    get registry() {
      return this.#registry;
    }

    /** `{ mediaType, digest, size }` of the manifest a tag or digest names. */
    async resolve(ref, options = undefined) {
      const { signal } = callOptions(options, [], "options");
      return this.#run(resolveManifest(this.#session, this.#reference(ref)), { signal });
    }

    /** `{ mediaType, digest, bytes }`: the manifest's exact bytes, verified. */
    async fetchManifest(ref, options = undefined) {
      const { signal, maxSize } = callOptions(options, ["maxSize"], "options");
      const op = getManifest(this.#session, this.#reference(ref), maxSize === undefined ? undefined : { maxSize });
      return this.#run(op, { signal });
    }

    /**
     * Uploads a manifest's exact bytes under the reference's tag (or its digest):
     * `{ digest, subjectProcessed }`. The referrers tag is not updated here; `push` does that.
     */
    async pushManifest(ref, bytes, mediaType, options = undefined) {
      const { signal } = callOptions(options, [], "options");
      return this.#run(putManifest(this.#session, this.#reference(ref), mediaType, bytes), { signal });
    }

    /** The size of a blob in the repository, or null when it has none with that digest. */
    async blobExists(ref, digest, options = undefined) {
      const { signal } = callOptions(options, [], "options");
      return this.#run(blobExists(this.#session, this.#reference(ref), digest), { signal });
    }

    /**
     * A blob's bytes, hashed as they arrive and verified against the descriptor's digest and
     * size. A download cut short continues where it stopped (a Range request).
     */
    async fetchBlob(ref, descriptor, options = undefined) {
      const { signal, onProgress } = callOptions(options, ["onProgress"], "options");
      const reference = this.#reference(ref);
      let op = getBlob(this.#session, reference, descriptor);
      const { size, digest } = descriptor;
      const { algorithm } = parseDigest(digest);
      const bytes = blobBuffer(size, reference, digest);
      // Survives a resume: the bytes already held are hashed once.
      let digester = new Digester(algorithm);
      let received = 0;
      // `max`: the bytes of this body the engine expects (the rest of the blob after the bytes
      // held); reading stops one byte past it, so a body that is too long is never read whole.
      const sink = async (response, watch, max) => {
        // A 206 continues after the bytes held; anything else is the whole blob, from the start
        // (also when a registry ignored the Range), which may be as long as those bytes and `max`.
        let end = received + max;
        if (response.status !== 206) {
          digester = new Digester(algorithm);
          received = 0;
        }
        end = Math.min(end, size);
        await eachChunk(response, watch, (chunk) => {
          digester.update(chunk);
          // Bytes beyond the end are counted (the engine then reports SIZE_MISMATCH) but neither
          // kept nor waited for.
          if (received + chunk.byteLength <= end) bytes.set(chunk, received);
          received += chunk.byteLength;
          if (received > end) return false;
          onProgress?.(received, size);
          return true;
        });
        return { digest: digester.finalize(), size: received };
      };
      for (let resumes = 0; ; resumes += 1) {
        try {
          await this.#run(op, { signal, sink });
          if (size === 0) onProgress?.(0, 0);
          return bytes;
        } catch (error) {
          // The engine does not send a cut download again (the host holds part of it): a body
          // cut by the network or stalled continues from the bytes held; a deadline ends it.
          const cut =
            error instanceof OciError &&
            error.details.phase === "body" &&
            (error.code === "NETWORK_ERROR" || (error.code === "TIMEOUT" && error.details.limit === "stallTimeoutMs"));
          if (!cut || resumes === DOWNLOAD_RESUMES || received === 0 || received >= size) throw error;
          op = getBlob(this.#session, reference, descriptor, { have: received });
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
      const content = blobSource(source, "source", descriptor, Digester);
      if (!(content instanceof StreamSource) && contentSize(content) !== total) {
        throw new OciError(
          "SIZE_MISMATCH",
          `content is ${contentSize(content)} bytes but ${total} bytes were expected`,
          { expected: total, actual: contentSize(content) },
        );
      }
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
     * The descriptors of what refers to `subject` (a digest or a descriptor; by default the
     * manifest `ref` names): the referrers API, or the referrers tag schema where the registry
     * has no such API.
     */
    async referrers(ref, subject = undefined, options = undefined) {
      const { signal, artifactType } = callOptions(options, ["artifactType"], "options");
      const reference = this.#reference(ref);
      const digest = await this.#digestOf(reference, subject, "subject", signal);
      const list = () => listReferrers(this.#session, reference, digest, artifactType === undefined ? undefined : { artifactType });
      const probing = this.#session.referrersApi === null;
      try {
        return await this.#run(list(), { signal, probe: probing });
      } catch (error) {
        // Registries without the referrers API (distribution 2.x) answer its URL with a 404 that
        // lacks their CORS headers, which a browser reports as a network error: take that as
        // "no referrers API" and read the referrers tag, once.
        if (!(probing && error instanceof OciError && error.code === "NETWORK_ERROR")) throw error;
        this.#session.setReferrersApi(false);
        return this.#run(list(), { signal });
      }
    }

    /**
     * The tree of what refers to the manifest `ref` names, what refers to those, and so on:
     * `[{ descriptor, referrers: [...] }]`, `depth` levels down (all by default), each level
     * filtered by `artifactType` when given. The core walks the tree (each digest once, within
     * `limits`: `{ maxDepth, maxNodes }`, an OciError LIMIT_EXCEEDED past one); this lists the
     * referrers of each level it asks for, `concurrency` at a time.
     */
    async discover(ref, options = undefined) {
      const { signal, artifactType, depth, limits } = callOptions(options, ["artifactType", "depth", "limits"], "options");
      if (depth !== undefined && (!Number.isSafeInteger(depth) || depth < 0)) {
        throw new RangeError("options.depth must be a non-negative integer");
      }
      const reference = this.#reference(ref);
      const { registry, repository } = parseReference(reference);
      const root = await this.#digestOf(reference, undefined, "ref", signal);
      const walk = new ReferrerWalk(root, { depth, limits });
      for (let batch = walk.nextBatch(); batch.length > 0; batch = walk.nextBatch()) {
        const listed = new Array(batch.length);
        await this.#each(batch.map((digest, at) => ({ digest, at })), signal, async ({ digest, at }, inner) => {
          listed[at] = await this.referrers(`${registry}/${repository}@${digest}`, digest, { signal: inner, artifactType });
        });
        batch.forEach((digest, at) => walk.provide(digest, listed[at]));
      }
      return walk.finish();
    }

    /**
     * Pushes an artifact packed with a subject into the repository of `ref` (the subject's
     * reference; its tag or digest is not used), by digest rather than under a tag, and records
     * it as a referrer of its subject as `push` does. Resolves to its descriptor.
     */
    async attach(ref, packed, options = undefined) {
      const p = record(packed, "packed");
      const manifest = bytesOf(p.manifest, "packed.manifest");
      const mediaType = typeof p.mediaType === "string" ? p.mediaType : MANIFEST_TYPE;
      const document = INDEX_TYPES.has(mediaType) ? parseIndex(manifest) : parseManifest(manifest);
      if (!(document.index ?? document.manifest).subject) {
        throw new TypeError("attach() needs an artifact packed with a subject (pack({ subject, … }))");
      }
      const { registry, repository } = parseReference(this.#reference(ref));
      return this.push(`${registry}/${repository}@${document.digest}`, p, options);
    }

    /** Whether the registry serves the referrers API: true, false, or null until a call finds out. */
    get referrersApi() {
      return this.#session.referrersApi;
    }

    /** Deletes a manifest by digest (by default the one `ref` names, resolved if a tag). */
    async deleteManifest(ref, digest = undefined, options = undefined) {
      const { signal } = callOptions(options, [], "options");
      const reference = this.#reference(ref);
      const target = await this.#digestOf(reference, digest, "digest", signal);
      await this.#run(deleteManifest(this.#session, reference, target), { signal });
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
     * Pushes what `pack()` made: its blobs (at most `concurrency` at a time), then the manifest
     * under the reference's tag. When the manifest has a subject and the registry did not say it
     * indexed it (no referrers API), the subject's referrers tag is updated. Resolves to the
     * manifest's descriptor. A blob packed by digest needs its content as `data` (a Blob/File).
     */
    async push(ref, packed, options = undefined) {
      const { signal, onProgress, chunkSize } = callOptions(options, ["onProgress", "chunkSize"], "options");
      const reference = this.#reference(ref);
      const p = record(packed, "packed");
      const manifest = bytesOf(p.manifest, "packed.manifest");
      if (!Array.isArray(p.blobs)) throw new TypeError(`packed.blobs must be an array, not ${typeName(p.blobs)}`);
      const blobs = p.blobs.map((blob, i) => {
        const b = record(blob, `packed.blobs[${i}]`);
        if (b.data === undefined || b.data === null) {
          throw new TypeError(`packed.blobs[${i}] has no data: give its bytes or a Blob/File as data to upload it`);
        }
        const descriptor = record(b.descriptor, `packed.blobs[${i}].descriptor`);
        // Checked here, so that a wrong source fails before anything is uploaded (a stream is
        // only opened by pushBlob).
        checkSource(b.data, `packed.blobs[${i}].data`);
        return { descriptor, data: b.data };
      });
      const total = blobs.reduce((sum, b) => sum + b.descriptor.size, 0);
      const sent = new Map();
      const report = () => onProgress?.([...sent.values()].reduce((a, b) => a + b, 0), total);
      await this.#each(blobs, signal, (blob, inner) =>
        this.pushBlob(reference, blob.descriptor, blob.data, {
          signal: inner,
          chunkSize,
          onProgress: (done) => {
            sent.set(blob, done);
            report();
          },
        }),
      );
      const mediaType = typeof p.mediaType === "string" ? p.mediaType : MANIFEST_TYPE;
      const put = await this.#run(putManifest(this.#session, reference, mediaType, manifest), { signal });
      const document = INDEX_TYPES.has(mediaType) ? parseIndex(manifest).index : parseManifest(manifest).manifest;
      const descriptor = { ...(p.descriptor ?? {}), mediaType, digest: put.digest, size: manifest.byteLength };
      if (document.subject && !put.subjectProcessed) {
        // No referrers API: keep the subject's referrers tag current.
        const referrer = referrerDescriptor(manifest);
        await this.#run(addReferrer(this.#session, reference, document.subject.digest, referrer), { signal });
      }
      return descriptor;
    }

    /**
     * Pulls an image manifest and its config and layers (at most `concurrency` at a time), each
     * verified: `{ manifest, digest, mediaType, bytes, blobs }`, where `blobs` maps each digest
     * to its bytes. Blobs embedded in their descriptors (`data`) are not fetched.
     */
    async pull(ref, options = undefined) {
      const { signal, onProgress } = callOptions(options, ["onProgress"], "options");
      const reference = this.#reference(ref);
      const fetched = await this.#run(getManifest(this.#session, reference), { signal });
      const { manifest } = fromRegistry(() => parseManifest(fetched.bytes), this.#registry);
      const unique = new Map();
      for (const d of [manifest.config, ...manifest.layers]) if (!unique.has(d.digest)) unique.set(d.digest, d);
      const descriptors = [...unique.values()];
      const total = descriptors.reduce((sum, d) => sum + d.size, 0);
      const received = new Map();
      const report = () => onProgress?.([...received.values()].reduce((a, b) => a + b, 0), total);
      const blobs = new Map();
      await this.#each(descriptors, signal, async (descriptor, inner) => {
        let bytes;
        if (typeof descriptor.data === "string") {
          // parseManifest has checked that data matches the digest and size (DATA_INVALID).
          bytes = Uint8Array.from(atob(descriptor.data), (c) => c.charCodeAt(0));
        } else {
          bytes = await this.fetchBlob(reference, descriptor, {
            signal: inner,
            onProgress: (done) => {
              received.set(descriptor.digest, done);
              report();
            },
          });
        }
        received.set(descriptor.digest, descriptor.size);
        report();
        blobs.set(descriptor.digest, bytes);
      });
      // In manifest order, whatever order the transfers finished in.
      const ordered = new Map(descriptors.map((d) => [d.digest, blobs.get(d.digest)]));
      return { manifest, digest: fetched.digest, mediaType: fetched.mediaType, bytes: fetched.bytes, blobs: ordered };
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

    /** Runs `task(item, signal)` over `items`, `concurrency` at a time; the first failure stops the rest. */
    async #each(items, signal, task) {
      signal?.throwIfAborted();
      const controller = new AbortController();
      const forward = () => controller.abort(signal.reason);
      signal?.addEventListener("abort", forward, { once: true });
      let next = 0;
      let failure;
      const worker = async () => {
        while (failure === undefined && next < items.length) {
          const item = items[next++];
          try {
            await task(item, controller.signal);
          } catch (error) {
            if (failure === undefined) {
              failure = { error };
              controller.abort(error);
            }
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: Math.min(this.#concurrency, items.length) }, worker));
      } finally {
        signal?.removeEventListener("abort", forward);
      }
      if (failure !== undefined) throw failure.error;
    }

    /**
     * The host loop: runs an operation to its end, or with `page` (listings) to the end of its
     * next page.
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
          // Up to a tenth more than asked, so that transfers told to back off together do not
          // all come back at the same moment (jitter is the host's part: the core has no
          // randomness).
          await sleep(step.ms + Math.floor(Math.random() * step.ms * 0.1), signal);
          input = { type: "resume" };
        } else {
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
  };
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
  if (context.probe && kind === "network" && phase === "request" && new URL(request.url).pathname.includes("/referrers/")) {
    // A browser reports the CORS-less 404 of a registry without the referrers API as a network
    // error; retrying cannot change it, so the caller learns at once (and reads the tag).
    const host = hostOf(request.url);
    throw new OciError("NETWORK_ERROR", `network error with ${host}: ${request.method} ${request.url} failed: ${reason}`, {
      host,
      reason,
      method: request.method,
      url: request.url,
      phase,
    }, { cause: error });
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
