// ocikit for browsers (and any ESM runtime with fetch): everything runs in WebAssembly.
import init from "./wasm/ocikit_wasm.js";

await init({ module_or_path: new URL("./wasm/ocikit_wasm_bg.wasm", import.meta.url) });

export {
  Digester,
  OciError,
  artifactTypes,
  checkLogo,
  describe,
  digest,
  digestBlob,
  encodeIndex,
  encodeManifest,
  layoutTar,
  lintMediaType,
  pack,
  packIndex,
  parseDigest,
  parseIndex,
  parseManifest,
  parseMediaType,
  parseReference,
  readLayoutTar,
  registerArtifactType,
  validate,
  verify,
} from "./api.js";
