// ocikit/wasm in Node: the browser's implementation, everything in WebAssembly. For comparing
// against the default Node entry and for measuring the wasm path; applications want "ocikit".
import "./node-init.js";

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
