// ocikit for browsers (and any ESM runtime with fetch): everything runs in WebAssembly, loaded
// from the package's own file with top-level await. A page that must choose where the module
// comes from (a CDN, bytes it already has, a precompiled module) imports "ocikit/manual" and
// calls init() itself; both are the same module instance, so mixing them is fine.
import { init } from "./manual.js";

await init();

export * from "./manual.js";
