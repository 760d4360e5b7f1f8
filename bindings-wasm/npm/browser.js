// ocikit for browsers (and any ESM runtime with fetch): everything runs in WebAssembly.
import init from "./wasm/ocikit_wasm.js";

await init({ module_or_path: new URL("./wasm/ocikit_wasm_bg.wasm", import.meta.url) });

export {
  Digester,
  OciError,
  digest,
  digestBlob,
  lintMediaType,
  parseDigest,
  parseMediaType,
  verify,
} from "./api.js";
