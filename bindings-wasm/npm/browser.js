// ocikit for browsers (and any ESM runtime with fetch): everything runs in WebAssembly.
import init from "./wasm/ocikit_wasm.js";
import { Digester, digestBlob as digestBlobHere } from "./api.js";
import { clientClass } from "./client.js";
import { workerDigester } from "./worker-digest.js";

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

/**
 * Digests a Blob or File in chunks: `await digestBlob(file, { onProgress, signal })`; large ones
 * (or any, with `worker: true`) in a Web Worker, so that the page never waits on hashing.
 */
export const digestBlob = workerDigester(digestBlobHere);
