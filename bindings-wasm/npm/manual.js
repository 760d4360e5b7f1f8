// ocikit/manual: the browser entry without top-level await. Nothing loads until the page calls
// `await init(options)`, which decides where the WebAssembly module comes from (a URL, a fetch
// Response, the bytes, or a compiled WebAssembly.Module); every function and constructor throws
// a clear Error until then. "ocikit" in a browser is this module plus `await init()`.
import * as glue from "./wasm/ocikit_wasm.js";
import * as api from "./api.js";
import * as operation from "./operation.js";
import * as directory from "./directory.js";
import { moduleLoaded, useLoadedCheck } from "./client.js";
import { useGlue } from "./glue.js";
import { guards, loader } from "./loader.js";
import { useWorkerModule, workerDigester } from "./worker-digest.js";

export { OciError, RegistryOperation } from "./api.js";

let ready = false;

/**
 * Loads the WebAssembly module: `options.wasm` is where from (by default the package's own
 * `wasm/ocikit_wasm_bg.wasm`, next to this file). Idempotent: later calls return the first
 * call's promise and ignore their options. The compiled module is also what digest workers use,
 * so they never fetch it again. A page that loaded "ocikit/lite" before gets the full module
 * for it too from then on.
 */
export const init = loader(new URL("./wasm/ocikit_wasm_bg.wasm", import.meta.url), async (module) => {
  await glue.default({ module_or_path: module });
  useGlue(glue, true);
  useWorkerModule(module, "full");
  ready = true;
  moduleLoaded();
});

function ensureReady(name) {
  if (!ready) {
    throw new Error(
      `ocikit: ${name} was called before the WebAssembly module was loaded; await init() from "ocikit/manual" first (or import "ocikit", which loads it itself)`,
    );
  }
}

const { guarded, guardedClass } = guards(ensureReady);

export const Digester = guardedClass("Digester", api.Digester);
export const RegistrySession = guardedClass("RegistrySession", api.RegistrySession);
export const GraphWalk = guardedClass("GraphWalk", api.GraphWalk);
export const ReferrerWalk = guardedClass("ReferrerWalk", api.ReferrerWalk);
export const Push = guardedClass("Push", operation.Push);
export const Pull = guardedClass("Pull", operation.Pull);
export const Discover = guardedClass("Discover", operation.Discover);
export const Delete = guardedClass("Delete", operation.Delete);
export const TagsOf = guardedClass("TagsOf", operation.TagsOf);
export const CopyArtifact = guardedClass("CopyArtifact", operation.CopyArtifact);
export const ProbeRegistry = guardedClass("ProbeRegistry", operation.ProbeRegistry);
export const planFiles = guarded("planFiles", operation.planFiles);
export const LayoutServer = guardedClass("LayoutServer", operation.LayoutServer);
export const layoutHost = guarded("layoutHost", operation.layoutHost);
export const isLayoutHost = guarded("isLayoutHost", operation.isLayoutHost);
// The registry client over fetch (client.js), hashing with wasm; `new Client()` throws until
// init() has loaded the module.
useLoadedCheck(() => ensureReady("new Client()"));
export { Client } from "./client.js";
export { OciLayout, copy } from "./layout.js";
export { backup, restore } from "./collections.js";

export const addReferrer = guarded("addReferrer", api.addReferrer);
export const artifactTypes = guarded("artifactTypes", api.artifactTypes);
export const blobExists = guarded("blobExists", api.blobExists);
export const checkLogo = guarded("checkLogo", api.checkLogo);
export const checkAuth = guarded("checkAuth", api.checkAuth);
export const classifyTag = guarded("classifyTag", api.classifyTag);
export const deleteBlob = guarded("deleteBlob", api.deleteBlob);
export const deleteManifest = guarded("deleteManifest", api.deleteManifest);
export const describe = guarded("describe", api.describe);
export const digest = guarded("digest", api.digest);
export const encodeIndex = guarded("encodeIndex", api.encodeIndex);
export const encodeManifest = guarded("encodeManifest", api.encodeManifest);
export const getBlob = guarded("getBlob", api.getBlob);
export const getManifest = guarded("getManifest", api.getManifest);
export const isIndexType = guarded("isIndexType", api.isIndexType);
export const isManifestType = guarded("isManifestType", api.isManifestType);
export const layoutTar = guarded("layoutTar", api.layoutTar);
export const lintForRegistry = guarded("lintForRegistry", api.lintForRegistry);
export const lintMediaType = guarded("lintMediaType", api.lintMediaType);
export const listReferrers = guarded("listReferrers", api.listReferrers);
export const listRepositories = guarded("listRepositories", api.listRepositories);
export const listTags = guarded("listTags", api.listTags);
export const lookupArtifactType = guarded("lookupArtifactType", api.lookupArtifactType);
export const pack = guarded("pack", api.pack);
export const packDirectory = guarded("packDirectory", directory.packDirectory);
export const unpackDirectory = guarded("unpackDirectory", directory.unpackDirectory);
export const shouldUnpack = guarded("shouldUnpack", directory.shouldUnpack);
export { DIRECTORY_MEDIA_TYPE } from "./directory.js";
export const packIndex = guarded("packIndex", api.packIndex);
export const parseDigest = guarded("parseDigest", api.parseDigest);
export const parseIndex = guarded("parseIndex", api.parseIndex);
export const parseManifest = guarded("parseManifest", api.parseManifest);
export const parseMediaType = guarded("parseMediaType", api.parseMediaType);
export const parseReference = guarded("parseReference", api.parseReference);
export const pullCommands = guarded("pullCommands", api.pullCommands);
export const pushBlob = guarded("pushBlob", api.pushBlob);
export const putManifest = guarded("putManifest", api.putManifest);
export const readLayoutTar = guarded("readLayoutTar", api.readLayoutTar);
export const registerArtifactType = guarded("registerArtifactType", api.registerArtifactType);
export const registryProfile = guarded("registryProfile", api.registryProfile);
export const registryRules = guarded("registryRules", api.registryRules);
export const resolveManifest = guarded("resolveManifest", api.resolveManifest);
export const resumeBlobPush = guarded("resumeBlobPush", api.resumeBlobPush);
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
