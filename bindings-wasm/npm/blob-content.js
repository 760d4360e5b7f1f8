// Blob content of the Client: the sources uploads read from (bytes, a Blob, a stream checked as
// it is read) and the in-memory sinks downloads stream into (hashed as they arrive), with the
// progress over an operation's blobs. Which blob moves when is the engine's decision.
import { OciError } from "./errors.js";
import { bytesOf, parseDigest, record, typeName } from "./api.js";
import { eachChunk } from "./transport.js";

/** Upload content for `descriptor`, of its size (a stream is checked as it is read). */
export function uploadContent(value, name, descriptor, Digester) {
  const content = blobSource(value, name, descriptor, Digester);
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
export class UploadSources {
  #given;
  #Digester;
  #open = new Map();

  /** `given`: digest → `{ descriptor, data }`. */
  constructor(given, Digester) {
    this.#given = given;
    this.#Digester = Digester;
  }

  get(blob) {
    let content = this.#open.get(blob.digest);
    if (content === undefined) {
      const given = this.#given.get(blob.digest);
      if (given === undefined) return undefined;
      content = uploadContent(given.data, `the data of blob ${blob.digest}`, given.descriptor, this.#Digester);
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
export class MemorySink {
  #size;
  #digest;
  #algorithm;
  #Digester;
  #digester;
  #onProgress;
  bytes;
  received = 0;

  constructor(descriptor, reference, onProgress, Digester) {
    this.#size = descriptor.size;
    this.#digest = descriptor.digest;
    this.#algorithm = parseDigest(descriptor.digest).algorithm;
    this.bytes = blobBuffer(descriptor.size, reference, descriptor.digest);
    this.#Digester = Digester;
    this.#digester = new Digester(this.#algorithm);
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
      this.#digester = new this.#Digester(this.#algorithm);
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
export class MemorySinks {
  #reference;
  #Digester;
  #sinks = new Map();

  constructor(reference, Digester) {
    this.#reference = reference;
    this.#Digester = Digester;
  }

  open(blob, _request, onProgress) {
    let sink = this.#sinks.get(blob.digest);
    if (sink === undefined) {
      sink = new MemorySink(blob, this.#reference, onProgress, this.#Digester);
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

/**
 * `onProgress(done, total)` over the blobs an operation moves, each digest counted once per
 * direction (a copy between registries downloads a blob, then uploads it: twice its size).
 */
export class Progress {
  #callback;
  #sizes = new Map();
  #moved = new Map();

  constructor(callback) {
    this.#callback = callback;
  }

  /** `way`: "up" (an upload) or "down" (a download). */
  total(blob, way = "up") {
    const key = `${way} ${blob.digest}`;
    if (!this.#sizes.has(key)) this.#sizes.set(key, blob.size);
  }

  moved(blob, done, way = "up") {
    this.total(blob, way);
    this.#moved.set(`${way} ${blob.digest}`, done);
    this.#report();
  }

  /** Every blob done (uploaded, downloaded, or there already). */
  finish() {
    for (const [key, size] of this.#sizes) this.#moved.set(key, size);
    this.#report();
  }

  #report() {
    if (this.#callback === undefined) return;
    let done = 0;
    let all = 0;
    for (const [key, size] of this.#sizes) {
      all += size;
      done += Math.min(this.#moved.get(key) ?? 0, size);
    }
    this.#callback(done, all);
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
export function checkSource(value, name) {
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
  /** @type {Uint8Array | null} */
  #pending = null; // bytes read from the stream but not yet part of a piece
  #position = 0; // bytes handed out as pieces
  /** @type {{ offset: number, bytes: Uint8Array } | null} */
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

