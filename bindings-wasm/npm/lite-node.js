// ocikit/lite in Node: the lite module instantiated synchronously from the package's own file
// (unless the full one is loaded already), with the same functions as in browsers. Node
// applications want "ocikit": its digests run in node:crypto.
import { readFileSync } from "node:fs";
import * as glue from "./wasm/ocikit_lite.js";
import { useGlue, wasm } from "./glue.js";

if (wasm === null) {
  glue.initSync({ module: readFileSync(new URL("./wasm/ocikit_lite_bg.wasm", import.meta.url)) });
  useGlue(glue, false);
}

export * from "./lite-manual.js";
// Node has no Web Workers: blobs are hashed on this thread.
export { digestBlob } from "./api.js";
