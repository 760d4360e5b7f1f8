// ocikit/lite for browsers (and any ESM runtime with fetch): the lite module, loaded from the
// package's own file with top-level await. See lite-manual.js for what it has.
import { init } from "./lite-manual.js";

await init();

export * from "./lite-manual.js";
