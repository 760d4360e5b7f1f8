// ocikit/wasm in Node: the browser's implementation, everything in WebAssembly. For comparing
// against the default Node entry and for measuring the wasm path; applications want "ocikit".
import "./node-init.js";

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
