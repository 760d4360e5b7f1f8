// ocikit/lite without top-level await: the functions that need no registry engine (digests,
// validation, manifests and indexes, media types, artifact types, references, registry
// profiles) on the lite wasm module, less than half the size of the full one. Nothing loads
// until the page calls `await init(options)` (`options.wasm`: where the module comes from, by
// default the package's own `wasm/ocikit_lite_bg.wasm`); every function throws a clear Error
// until then. When the full module is loaded already ("ocikit", "ocikit/manual" or Node's
// entries), init() loads nothing and these functions run on it; "ocikit/lite" is this module
// plus `await init()`.
import * as glue from "./wasm/ocikit_lite.js";
import * as api from "./api.js";
import { useGlue, wasm } from "./glue.js";
import { guards, loader } from "./loader.js";
import { useWorkerModule, workerDigester } from "./worker-digest.js";

export { OciError } from "./api.js";

/**
 * Loads the lite WebAssembly module unless the full one is loaded. Idempotent: later calls
 * return the first call's promise and ignore their options.
 */
export const init = loader(
  new URL("./wasm/ocikit_lite_bg.wasm", import.meta.url),
  async (module) => {
    await glue.default({ module_or_path: module });
    useGlue(glue, false);
    useWorkerModule(module, "lite");
  },
  () => wasm !== null,
);

function ensureReady(name) {
  if (wasm === null) {
    throw new Error(
      `ocikit: ${name} was called before the WebAssembly module was loaded; await init() from "ocikit/lite/manual" first (or import "ocikit/lite", which loads it itself)`,
    );
  }
}

const { guarded, guardedClass } = guards(ensureReady);

export const Digester = guardedClass("Digester", api.Digester);
export const artifactTypes = guarded("artifactTypes", api.artifactTypes);
export const checkLogo = guarded("checkLogo", api.checkLogo);
export const classifyTag = guarded("classifyTag", api.classifyTag);
export const describe = guarded("describe", api.describe);
export const digest = guarded("digest", api.digest);
export const encodeIndex = guarded("encodeIndex", api.encodeIndex);
export const encodeManifest = guarded("encodeManifest", api.encodeManifest);
export const isIndexType = guarded("isIndexType", api.isIndexType);
export const isManifestType = guarded("isManifestType", api.isManifestType);
export const lintForRegistry = guarded("lintForRegistry", api.lintForRegistry);
export const lintMediaType = guarded("lintMediaType", api.lintMediaType);
export const lookupArtifactType = guarded("lookupArtifactType", api.lookupArtifactType);
export const pack = guarded("pack", api.pack);
export const packIndex = guarded("packIndex", api.packIndex);
export const parseDigest = guarded("parseDigest", api.parseDigest);
export const parseIndex = guarded("parseIndex", api.parseIndex);
export const parseManifest = guarded("parseManifest", api.parseManifest);
export const parseMediaType = guarded("parseMediaType", api.parseMediaType);
export const parseReference = guarded("parseReference", api.parseReference);
export const pullCommands = guarded("pullCommands", api.pullCommands);
export const registerArtifactType = guarded("registerArtifactType", api.registerArtifactType);
export const registryProfile = guarded("registryProfile", api.registryProfile);
export const registryRules = guarded("registryRules", api.registryRules);
export const validate = guarded("validate", api.validate);
export const verify = guarded("verify", api.verify);

const digestBlobAnywhere = workerDigester(api.digestBlob);
/**
 * Digests a Blob or File in chunks: `await digestBlob(file, { onProgress, signal })`; large ones
 * (or any, with `worker: true`) in a Web Worker, so that the page never waits on hashing.
 */
export async function digestBlob(blob, options = undefined) {
  ensureReady("digestBlob");
  return digestBlobAnywhere(blob, options);
}
