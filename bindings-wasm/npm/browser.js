// ocikit for browsers (and any ESM runtime with fetch): everything runs in WebAssembly.
import init from "./wasm/ocikit_wasm.js";
import { Digester } from "./api.js";
import { clientClass } from "./client.js";

await init({ module_or_path: new URL("./wasm/ocikit_wasm_bg.wasm", import.meta.url) });

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
