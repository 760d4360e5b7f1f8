// Loading a wasm module in a browser, shared by "ocikit/manual" (the full module) and
// "ocikit/lite" (the lite one): where it comes from, one load at a time, and functions that throw
// a clear Error until it is there.
import { typeName } from "./api.js";

/** A compiled module from a URL, a string, a Response, a BufferSource or a WebAssembly.Module. */
async function compiled(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === "string" || source instanceof URL) source = await fetch(source);
  if (typeof Response === "function" && source instanceof Response) {
    if (!source.ok) throw new Error(`ocikit: fetching the wasm module failed: HTTP ${source.status} ${source.url}`);
    // Streaming compilation needs the right MIME type; a server without it still works.
    if (source.headers.get("content-type")?.split(";")[0].trim() === "application/wasm") {
      return WebAssembly.compileStreaming(source);
    }
    return WebAssembly.compile(await source.arrayBuffer());
  }
  if (ArrayBuffer.isView(source) || source instanceof ArrayBuffer) return WebAssembly.compile(/** @type {BufferSource} */ (source));
  throw new TypeError(
    `options.wasm must be a URL, a string, a Response, a BufferSource or a WebAssembly.Module, not ${typeName(source)}`,
  );
}

/**
 * An idempotent `init(options)`: the first call compiles `options.wasm` (by default
 * `defaultSource`) and hands the module to `start`; later calls return the first call's promise
 * and ignore their options. A failed load can be retried (another URL, the network back).
 * `already()` true means there is nothing to load.
 * @param {URL} defaultSource
 * @param {(module: WebAssembly.Module) => Promise<void>} start
 * @param {() => boolean} [already]
 */
export function loader(defaultSource, start, already = () => false) {
  /** @type {Promise<void> | null} */
  let loading = null;
  /** @param {import("./index.js").InitOptions} [options] */
  return function init(options = undefined) {
    if (loading !== null) return loading;
    if (options !== undefined && (options === null || typeof options !== "object")) {
      return Promise.reject(new TypeError(`options must be an object, not ${typeName(options)}`));
    }
    for (const key of Object.keys(options ?? {})) {
      if (key !== "wasm") {
        return Promise.reject(new TypeError(`options has no option ${JSON.stringify(key)} (expected wasm)`));
      }
    }
    if (already()) return (loading = Promise.resolve());
    const source = options?.wasm ?? defaultSource;
    const started = (async () => start(await compiled(source)))();
    loading = started;
    started.catch(() => {
      loading = null;
    });
    return started;
  };
}

/**
 * `guarded(name, fn)` and `guardedClass(name, Base)`: `fn` and `Base` under the same name, each
 * calling `ensureReady(name)` first.
 */
export function guards(ensureReady) {
  function guarded(name, fn) {
    return {
      [name](...args) {
        ensureReady(name);
        return fn(...args);
      },
    }[name];
  }
  function guardedClass(name, Base) {
    return {
      [name]: class extends Base {
        constructor(...args) {
          ensureReady(`new ${name}()`);
          super(...args);
        }
      },
    }[name];
  }
  return { guarded, guardedClass };
}
