// What the elements know about artifact types without the wasm: the core's catalog (generated
// into catalog.js) and small twins of the core's lookup, describe, tag classifier and pull
// commands. tests/js/artifact-types.test.mjs runs these twins over the same vectors as the core
// (tests/vectors/artifact-types.json), so the two cannot drift apart unnoticed.
import builtin from "./catalog.js";

const registered = [];
const IMAGE_CONFIGS = ["application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"];

/** Adds a definition (as `registerArtifactType` takes it) for the elements; it wins over built-in ones. */
export function registerType(definition) {
  if (!definition || typeof definition.artifactType !== "string" || typeof definition.displayName !== "string") {
    throw new TypeError("a definition needs artifactType and displayName strings");
  }
  const i = registered.findIndex((d) => d.artifactType === definition.artifactType);
  if (i >= 0) registered.splice(i, 1);
  registered.push({ aliases: [], description: "", layerMediaTypes: [], pullCommands: [], ...definition });
}

/** Every definition: built-in first, then registered ones. */
export function types() {
  return [...builtin, ...registered];
}

const matches = (d, mediaType) => d.artifactType === mediaType || (d.aliases ?? []).includes(mediaType);

/** The definition for an artifact type or an alias, the latest registered first; or null. */
export function lookupType(mediaType) {
  if (typeof mediaType !== "string") return null;
  const all = types();
  for (let i = all.length - 1; i >= 0; i--) if (matches(all[i], mediaType)) return all[i];
  return null;
}

/**
 * A name from the artifact naming convention (`application/vnd.<org>.<type>[.<sub>…].config.<v>+json`,
 * `…layer.<v>…`, or an artifactType `application/vnd.<org>.<type>….v1`): "acme rocket"; null otherwise.
 */
export function conventionName(mediaType) {
  const m = /^application\/vnd\.([a-z0-9-]+(?:\.[a-z0-9-]+)*)(?:\+[a-z0-9.-]+)?$/i.exec(mediaType ?? "");
  if (!m) return null;
  const words = m[1].split(".").filter((w) => !/^(config|layer|manifest|artifact|content)$/i.test(w) && !/^v\d/i.test(w));
  return words.length ? words.join(" ") : null;
}

/** The manifest as an object: from an object, JSON text or bytes; null when it is not JSON. */
export function manifestObject(manifest) {
  try {
    if (manifest instanceof Uint8Array || manifest instanceof ArrayBuffer) manifest = new TextDecoder().decode(manifest);
    if (typeof manifest === "string") manifest = JSON.parse(manifest);
  } catch {
    return null;
  }
  return manifest && typeof manifest === "object" ? manifest : null;
}

/**
 * What a manifest is, as the core's `describe` tells it: `{ artifactType, source, definition }`
 * (source `artifactType`, `config.mediaType`, or `layers` for an image whose layers all belong to
 * one other type: cosign's tag-schema signatures, attestations and SBOMs).
 */
export function describeManifest(manifest) {
  const m = manifestObject(manifest) ?? {};
  const own = typeof m.artifactType === "string";
  const artifactType = own ? m.artifactType : (m.config?.mediaType ?? "");
  const layers = Array.isArray(m.layers) ? m.layers : [];
  if (!own && IMAGE_CONFIGS.includes(artifactType) && layers.length > 0) {
    const found = types().find(
      (d) => !IMAGE_CONFIGS.includes(d.artifactType) && layers.every((l) => (d.layerMediaTypes ?? []).includes(l?.mediaType)),
    );
    if (found) return { artifactType: found.artifactType, source: "layers", definition: found };
  }
  return { artifactType, source: own ? "artifactType" : "config.mediaType", definition: lookupType(artifactType) };
}

/** The core's tag classifier: `{ kind, subject }` (tag, referrers, signature, attestation, sbom). */
export function classifyTag(tag) {
  const ordinary = { kind: "tag", subject: null };
  if (typeof tag !== "string") return ordinary;
  let name = tag;
  let kind = "referrers";
  const dot = tag.lastIndexOf(".");
  if (dot >= 0) {
    kind = { sig: "signature", att: "attestation", sbom: "sbom" }[tag.slice(dot + 1)];
    if (!kind) return ordinary;
    name = tag.slice(0, dot);
  }
  const m = /^([a-z0-9]{1,32})-([0-9a-f]{64})$/.exec(name);
  if (!m || (kind !== "referrers" && m[1] !== "sha256")) return ordinary;
  return { kind, subject: m[1] === "sha256" ? `sha256:${m[2]}` : null };
}

/** `{ registry, repository, tag, digest }` of `registry/repository[:tag][@digest]` (no checks). */
export function splitReference(reference) {
  const [rest, digest = null] = String(reference).split("@");
  const slash = rest.indexOf("/");
  const path = rest.slice(slash + 1);
  const colon = path.lastIndexOf(":");
  return {
    registry: rest.slice(0, slash),
    repository: colon >= 0 ? path.slice(0, colon) : path,
    tag: colon >= 0 ? path.slice(colon + 1) : null,
    digest,
  };
}

/** The core's pull commands: the type's templates filled from `reference`, else `oras pull`. */
export function pullCommands(reference, artifactType = null) {
  const definition = artifactType ? lookupType(artifactType) : null;
  const templates = definition?.pullCommands?.length ? definition.pullCommands : ["oras pull {reference}"];
  const parts = { ...splitReference(reference), reference };
  const out = [];
  for (const template of templates) {
    let missing = false;
    const command = template.replace(/\{(\w+)\}/g, (_, name) => {
      const value = parts[name];
      if (value === null || value === undefined) missing = true;
      return value ?? "";
    });
    if (!missing) out.push(command);
  }
  return out;
}
