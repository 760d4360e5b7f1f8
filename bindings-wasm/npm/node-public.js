// The public functions every Node entry shares: everything but digests and the Client, which
// each entry makes with its own Digester (node:crypto in "ocikit", wasm in "ocikit/wasm").
import "./node-init.js";

export { init } from "./node-init.js";

export {
  GraphWalk,
  OciError,
  ReferrerWalk,
  RegistryOperation,
  RegistrySession,
  addReferrer,
  artifactTypes,
  blobExists,
  checkLogo,
  checkAuth,
  classifyTag,
  deleteBlob,
  deleteManifest,
  describe,
  encodeIndex,
  encodeManifest,
  getBlob,
  getManifest,
  isIndexType,
  isManifestType,
  layoutTar,
  lintForRegistry,
  lintMediaType,
  listReferrers,
  listRepositories,
  listTags,
  lookupArtifactType,
  pack,
  packIndex,
  parseDigest,
  parseIndex,
  parseManifest,
  parseMediaType,
  parseReference,
  pullCommands,
  pushBlob,
  putManifest,
  readLayoutTar,
  registerArtifactType,
  registryProfile,
  registryRules,
  resolveManifest,
  resumeBlobPush,
  validate,
} from "./api.js";

// Directories as layers: a folder in, its entries out (the core packs and checks them).
export { DIRECTORY_MEDIA_TYPE, packDirectory, shouldUnpack, unpackDirectory } from "./directory.js";

// Whole operations (push, pull, copy, discover, delete, the tags of a digest): the core decides.
export {
  CopyArtifact,
  Delete,
  Discover,
  LayoutServer,
  ProbeRegistry,
  Pull,
  Push,
  TagsOf,
  isLayoutHost,
  layoutHost,
  planFiles,
} from "./operation.js";
