// Instantiates the wasm module synchronously from the package's own file, so that importing
// ocikit in Node needs no top-level await.
import { readFileSync } from "node:fs";
import { initSync } from "./wasm/ocikit_wasm.js";

initSync({ module: readFileSync(new URL("./wasm/ocikit_wasm_bg.wasm", import.meta.url)) });
