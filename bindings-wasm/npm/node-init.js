// Instantiates the full wasm module synchronously from the package's own file, so that importing
// ocikit in Node needs no top-level await; and readies the Client for Node (both Node entries,
// "ocikit" and "ocikit/wasm", import this).
import { setMaxListeners } from "node:events";
import { readFileSync } from "node:fs";
import * as glue from "./wasm/ocikit_wasm.js";
import { moduleLoaded, useManyListeners } from "./client.js";
import { useGlue } from "./glue.js";

glue.initSync({ module: readFileSync(new URL("./wasm/ocikit_wasm_bg.wasm", import.meta.url)) });
useGlue(glue, true);
moduleLoaded();
// An operation's signal has a listener per request in flight: no leak warning for it.
useManyListeners((signal) => setMaxListeners(0, signal));

const loaded = Promise.resolve();

/**
 * The module is loaded on import in Node: init() resolves at once (its options are not used), so
 * that code shared with browsers can call it unconditionally.
 */
export function init(options = undefined) {
  return loaded;
}
