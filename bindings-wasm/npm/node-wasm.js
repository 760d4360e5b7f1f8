// ocikit/wasm in Node: the browser's implementation, everything in WebAssembly. For comparing
// against the default Node entry and for measuring the wasm path; applications want "ocikit".
import "./node-init.js";
import { Digester } from "./api.js";
import { clientClass } from "./client.js";

export { init } from "./node-init.js";

export {
  Digester,
  OciError,
  RegistryOperation,
  RegistrySession,
  addReferrer,
  artifactTypes,
  blobExists,
  checkLogo,
  checkAuth,
  deleteManifest,
  describe,
  digest,
  digestBlob,
  encodeIndex,
  encodeManifest,
  getBlob,
  getManifest,
  layoutTar,
  lintMediaType,
  listReferrers,
  listTags,
  pack,
  packIndex,
  parseDigest,
  parseIndex,
  parseManifest,
  parseMediaType,
  parseReference,
  pushBlob,
  putManifest,
  readLayoutTar,
  registerArtifactType,
  resolveManifest,
  resumeBlobPush,
  validate,
  verify,
} from "./api.js";

/** The registry client over fetch, hashing blobs with this entry's Digester. */
export const Client = clientClass(Digester);
