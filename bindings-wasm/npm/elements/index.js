// ocikit/elements: framework-free custom elements for registry UIs. Importing this module
// defines <oci-type-badge>, <oci-artifact-card>, <oci-referrers-tree>, <oci-manifest-view>,
// <oci-tag-list>, <oci-file-list> and <oci-artifact-form>; the badge, card, tree, tag list and
// file list never load the wasm (the manifest view's validation, the form's packing and the
// layout download load it when first used).
export { OciTypeBadge } from "./type-badge.js";
export { OciArtifactCard } from "./artifact-card.js";
export { OciReferrersTree } from "./referrers-tree.js";
export { OciManifestView } from "./manifest-view.js";
export { OciTagList } from "./tag-list.js";
export { OciFileList } from "./file-list.js";
export { OciArtifactForm } from "./artifact-form.js";
export { classifyTag, conventionName, describeManifest, lookupType, pullCommands, registerType, types } from "./types.js";
