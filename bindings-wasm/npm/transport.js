// The fetch transport of the Client: one exchange as the engine describes it (never following a
// redirect), within the request's stall timeout and deadline, with the body read as the engine
// asks (captured to its limit, or streamed into a sink); a failure of fetch becomes the engine's
// failure input. No decision about what to send is taken here.
import { OciError } from "./errors.js";

// How much of an error body is read when the engine asked for a blob body to be streamed (the
// engine's own limit for the error bodies it captures).
const ERROR_BODY_MAX = 64 * 1024;
// fetch reports no upload progress. In Node (no CORS) a request body larger than this goes as a
// ReadableStream fetch pulls as the connection takes its bytes: each pull restarts the stall
// timer, so a registry that stops reading an upload ends it at the stall timeout, as in Python.
// Browsers send a stream body only over HTTP/2 (and only some browsers): there a body larger
// than this may take longer to send than the stall timeout, so only the deadline bounds the wait
// for its answer (1 MiB goes out within a 30 s stall timeout on any link faster than 35 KB/s).
const STALL_BODY_MAX = 1024 * 1024;
// The piece of a watched request body handed to fetch at a time.
const UPLOAD_PIECE = 64 * 1024;
// Whether fetch is bound by CORS (a browser, a worker): not in a server runtime (Node, Deno,
// Bun), where a network error is never a response the browser hid.
const CORS = globalThis.process?.versions?.node === undefined && globalThis.Deno === undefined;

/**
 * Sends one request with `fetch` as the engine describes it and reads the response as it asks, within the
 * request's stall timeout and deadline.
 */
export async function exchange(fetch, request, context) {
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
    // A StreamSource reads its piece (a promise); bytes and a Blob slice at once.
    body = await source.slice(offset, offset + length);
  }
  const watched = !CORS && bodySize(body) > STALL_BODY_MAX;
  const watch = new TransferWatch(request, signal, watched ? 0 : bodySize(body));
  /** @type {RequestInit & { duplex?: "half" }} */
  const init = {
    method: request.method,
    headers,
    body,
    // The engine follows redirects itself, so that credentials never go to another origin.
    redirect: "manual",
    signal: watch.signal,
  };
  if (watched) {
    // The length of the body as it was (a stream has none), and fetch's flag for a stream body.
    headers.set("Content-Length", String(bodySize(body)));
    init.body = pulledBody(/** @type {Uint8Array | Blob} */ (body), watch);
    init.duplex = "half";
  }
  try {
    let response;
    try {
      response = await fetch(request.url, init);
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

/**
 * The engine's input for a failure of fetch itself (not an HTTP answer): TIMEOUT when the stall
 * timeout or the deadline passed, TLS for a certificate or handshake failure Node names, else
 * NETWORK (BLOCKED for a request a browser's fetch failed); the engine answers with the coded
 * error naming the host, or retries a request that is safe to repeat. The caller's own abort is
 * not a failure: its reason is thrown as is.
 * `context.failure` keeps what the engine's error lacks (the phase, the timer, the cause).
 */
function failureInput(request, phase, error, signal, watch, context) {
  if (signal?.aborted) throw signal.reason;
  const timeout = watch.timeout;
  const reason = [error?.message, error?.cause?.message ?? error?.cause?.code].filter(Boolean).join(": ") || String(error);
  // An abort that is neither the caller's nor this watch's is a timeout of the transport's own
  // (a fetch wrapper with AbortSignal.timeout, say).
  const aborted = error?.name === "TimeoutError" || error?.name === "AbortError";
  let kind = timeout !== null || aborted ? "timeout" : isTlsFailure(error) ? "tls" : "network";
  // Where fetch is bound by CORS, a network error may be an answer the browser hid from the
  // page (the CORS-less 404 of a registry without the referrers API): "blocked" tells the
  // engine so, and it decides (the first referrers listing of a session falls back to the
  // referrers tag; any other request is a network failure). In Node, Deno or Bun a network
  // error is one (a reset connection), which the engine retries like any other.
  if (kind === "network" && phase === "request" && CORS) kind = "blocked";
  context.failure = { method: request.method, url: request.url, phase, cause: error, limit: timeout?.limit };
  const failure = { type: "failure", kind, message: timeout !== null ? timeout.reason : reason };
  // A cut download: what the sink holds of the blob (from its first byte), for the engine to
  // ask for the rest with Range (it appends on 206 and starts over on 200).
  if (context.held !== undefined && "stream" in request.responseBody) failure.received = context.held();
  return failure;
}

/** Whether fetch failed in TLS (Node's undici names the OpenSSL error in the cause). */
function isTlsFailure(error) {
  const cause = error?.cause;
  const text = `${cause?.code ?? ""} ${cause?.message ?? ""}`;
  return /CERT|SSL|TLS|SIGNATURE|self[- ]signed|certificate/i.test(text);
}

/** The engine's error for a failure input, with the host's side of it in details and as cause. */
export function withTransport(error, failure) {
  if (!(error instanceof OciError) || failure === undefined) return error;
  // The engine's details name the request (`method`, and `url` without its query, where a
  // storage redirect's presigned URL holds its signature); the phase and the timer are the
  // host's to add.
  const { phase, limit, cause } = failure;
  const details = { ...error.details, phase, ...(limit === undefined ? {} : { limit }) };
  return new OciError(error.code, error.message, details, { cause });
}

/** `host[:port]` of a URL (the whole text if it is no URL). */
export function hostOf(url) {
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
  // The engine checks the size and digest of the bytes the registry stored, so a body must come
  // as it is: no gzip or deflate of fetch's own (Node's fetch asks for them by default and
  // decodes the answer, which then is not the blob), as the Python host asks. Browsers drop
  // Accept-Encoding silently (a forbidden header name) and pick the encoding themselves. Node's
  // fetch decodes a gzip answer even then (it cannot be told not to): a server that encodes a
  // blob it was asked for as identity still fails the size or digest check.
  if (!headers.has("Accept-Encoding")) headers.set("Accept-Encoding", "identity");
  return headers;
}

/**
 * Runs a call into the engine (or a parse of what a registry sent) and turns a RangeError about
 * a number JS cannot hold exactly (a size beyond Number.MAX_SAFE_INTEGER) into SIZE_INVALID: the
 * number came from the registry, so it is the registry's error, not the caller's.
 */
export function fromRegistry(call, registry) {
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
 * The clock of one exchange: an AbortSignal for fetch and its body that aborts when the caller's
 * signal does, when the request's stall timeout (`timeoutMs`: no byte for this long) passes, or
 * when the operation's deadline (`deadlineMs`, Unix ms) does; `timeout` then says which. fetch
 * reports no upload progress: a request body of more than STALL_BODY_MAX bytes restarts the
 * stall timer as fetch pulls it (pulledBody), or in a browser, which sends it whole, the stall
 * timer is off while it is sent (only the deadline counts) and starts again with the answer.
 */
class TransferWatch {
  #controller = new AbortController();
  #request;
  #outer;
  #forward;
  #stallMs;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #stall = undefined;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #deadline = undefined;
  /** `{ limit, reason }` once the stall timeout or the deadline passed. @type {{ limit: string, reason: string } | null} */
  timeout = null;

  constructor(request, outer, unwatchedBytes) {
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
    if (unwatchedBytes <= STALL_BODY_MAX) this.touch();
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

/**
 * A request body as a stream fetch pulls a piece at a time as the connection takes the bytes
 * (nothing is read ahead): each pull restarts the watch's stall timer.
 * @param {Uint8Array | Blob} body
 * @param {TransferWatch} watch
 */
function pulledBody(body, watch) {
  let offset = 0;
  /** @type {ReadableStreamDefaultReader<Uint8Array> | undefined} */
  let reader;
  return new ReadableStream(
    {
      async pull(controller) {
        watch.touch();
        if (body instanceof Uint8Array) {
          if (offset >= body.byteLength) {
            controller.close();
            return;
          }
          const end = Math.min(offset + UPLOAD_PIECE, body.byteLength);
          controller.enqueue(body.subarray(offset, end));
          offset = end;
          return;
        }
        reader ??= body.stream().getReader();
        const next = await reader.read();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
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
export async function eachChunk(response, watch, take) {
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
export function sleep(ms, signal) {
  return new Promise((/** @type {(value: void) => void} */ resolve, reject) => {
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
