// digestBlob for browsers: large blobs are hashed in a Web Worker (digest-worker.js), so that
// hashing a file of any size never blocks the page. The worker loads its own instance of the
// wasm module; a worker that finished is kept for a while, so that a page hashing many files
// pays for start-up once.
import { OciError } from "./errors.js";
import { supportedAlgorithm, typeName } from "./api.js";

const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
// From this size on, `worker: "auto"` (the default) hashes in a worker. Below it the whole hash
// takes under about 25 ms on this thread (wasm SHA-256 runs at 300–400 MB/s), less than starting
// a worker would.
const WORKER_FROM = 8 * 1024 * 1024;
// Workers kept after a job, and for how long: several files hashed at once get one worker each;
// only a couple stay warm afterwards.
const IDLE_WORKERS = 2;
const IDLE_MS = 20_000;

const idle = []; // { worker, timer }
let jobs = 0;
// The WebAssembly.Module the page loaded (ocikit/manual's init): sent with each job, so that a
// worker instantiates the same module without fetching or compiling it again. Without one the
// worker loads the package's own wasm file.
let pageModule;
// Which module that is: "full" (ocikit_wasm) or "lite" (ocikit_lite); the worker loads its
// bindings to match.
let pageModuleName = "full";

/** Gives workers the page's compiled module (called by init()); a lite one never replaces the full one. */
export function useWorkerModule(module, name) {
  if (pageModule !== undefined && pageModuleName === "full") return;
  pageModule = module;
  pageModuleName = name;
}

function startWorker() {
  // This exact form (a literal URL relative to import.meta.url, type "module") is the one
  // bundlers such as Vite and webpack recognise, to bundle the worker with its imports.
  return new Worker(new URL("./digest-worker.js", import.meta.url), { type: "module", name: "ocikit digest" });
}

function takeWorker() {
  const entry = idle.pop();
  if (entry === undefined) return startWorker();
  clearTimeout(entry.timer);
  return entry.worker;
}

function keepWorker(worker) {
  if (idle.length >= IDLE_WORKERS) {
    worker.terminate();
    return;
  }
  const entry = { worker, timer: /** @type {ReturnType<typeof setTimeout> | number} */ (0) };
  entry.timer = setTimeout(() => {
    const at = idle.indexOf(entry);
    if (at >= 0) idle.splice(at, 1);
    worker.terminate();
  }, IDLE_MS);
  idle.push(entry);
}

/** An error the worker posted as data, with its class (and an OciError's code and details) back. */
function revived(error) {
  if (error.name === "OciError") return new OciError(error.code, error.message, error.details);
  const Type = { TypeError, RangeError }[error.name] ?? Error;
  return new Type(error.message);
}

/** The worker could not run the job at all (no module, no wasm); `auto` then hashes here. */
class WorkerUnavailable extends Error {
  name = "WorkerUnavailable";
}

/** One job in a worker: resolves to the digest; aborting `signal` terminates the worker. */
function inWorker(blob, { algorithm, chunkSize, onProgress, signal }) {
  const id = ++jobs;
  const worker = takeWorker();
  return new Promise((resolve, reject) => {
    const finish = (keep) => {
      worker.removeEventListener("message", onMessage);
      worker.removeEventListener("error", onError);
      worker.removeEventListener("messageerror", onError);
      signal?.removeEventListener("abort", onAbort);
      if (keep) keepWorker(worker);
      else worker.terminate();
    };
    const onMessage = (event) => {
      const message = event.data;
      if (message?.id !== id) return;
      if (message.type === "progress") {
        try {
          onProgress?.(message.done, message.total);
        } catch (error) {
          // A throwing callback ends the call, as it does on this thread.
          finish(false);
          reject(error);
        }
      } else if (message.type === "done") {
        finish(true);
        resolve(message.digest);
      } else if (message.type === "error") {
        finish(true);
        reject(revived(message.error));
      } else if (message.type === "unavailable") {
        finish(false);
        reject(new WorkerUnavailable(`the ocikit digest worker could not load its wasm module: ${message.error.message}`));
      }
    };
    const onError = (event) => {
      // A module that failed to load (a blocked or missing script): nothing more will come.
      event.preventDefault?.();
      finish(false);
      const reason = event.message ? `: ${event.message}` : " (its module could not be loaded)";
      reject(new WorkerUnavailable(`the ocikit digest worker did not start${reason}`));
    };
    const onAbort = () => {
      finish(false);
      reject(signal.reason);
    };
    worker.addEventListener("message", onMessage);
    worker.addEventListener("error", onError);
    worker.addEventListener("messageerror", onError);
    signal?.addEventListener("abort", onAbort, { once: true });
    // A Blob or File is cloned by reference: its bytes are not copied to the worker; a
    // WebAssembly.Module is shared, not recompiled.
    worker.postMessage({ id, blob, algorithm, chunkSize, module: pageModule, moduleName: pageModuleName });
  });
}

/**
 * digestBlob(blob, options) over `digestHere` (the same function on this thread), with the
 * option `worker`: true hashes in a Web Worker, false on this thread, "auto" (the default) in a
 * worker from 8 MiB on, and on this thread when the runtime has no Worker or it cannot start.
 */
export function workerDigester(digestHere) {
  /** @param {Record<string, any> | undefined} [options] */
  return async function digestBlob(blob, options = {}) {
    const { worker: mode = "auto", ...rest } = options ?? {};
    if (mode !== true && mode !== false && mode !== "auto") {
      throw new TypeError(`worker must be true, false or "auto", not ${JSON.stringify(mode) ?? typeName(mode)}`);
    }
    if (mode === false || typeof Worker !== "function" || !(blob instanceof Blob)) return digestHere(blob, rest);
    if (mode === "auto" && blob.size < WORKER_FROM) return digestHere(blob, rest);
    const { algorithm, chunkSize = DEFAULT_CHUNK_SIZE, onProgress, signal } = rest;
    // The same checks as on this thread, before a worker starts: a bad call fails at once.
    if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
      throw new RangeError("chunkSize must be a positive integer");
    }
    if (onProgress !== undefined && typeof onProgress !== "function") {
      throw new TypeError("onProgress must be a function");
    }
    signal?.throwIfAborted();
    supportedAlgorithm(algorithm); // DIGEST_INVALID or DIGEST_UNSUPPORTED, as the core says
    try {
      return await inWorker(blob, { algorithm, chunkSize, onProgress, signal });
    } catch (error) {
      if (!(error instanceof WorkerUnavailable) || mode === true) throw error;
      return digestHere(blob, rest);
    }
  };
}
