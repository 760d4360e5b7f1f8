// <oci-artifact-form repository="docs/handbook" tag="v1">: author an artifact and push it.
//   - its type: a catalog type (radio buttons with logos), or one of your own — artifact and layer
//     media types linted as you type, a display name, an SVG logo the core checks safe — added to
//     the page's catalog (the core's and the elements');
//   - files picked, dropped or taken from a folder (their paths become titles), or a folder as one
//     directory layer (the core's reproducible tar+gzip, as the ORAS CLI pushes a directory); each
//     hashed as it is added (large ones in a Web Worker), each with its own layer media type;
//   - annotations, and a subject (the artifact then refers to another one: a signature, an SBOM);
//   - the exact manifest packed again and validated on every change, downloadable as its exact
//     bytes or with its blobs as an OCI image layout tar;
//   - a chunked push with progress and a cancel button (a cancelled push is never reported pushed).
// Needs .client (an ocikit Client, or a function returning one, called at push time: the host's
// credentials stay with it). Packing, hashing and linting load the package's wasm on first use.
// Every step is an event (see `static events` below); every string is replaceable (`strings`).
import { OciElement, define, formatSize, h, logoImages, logoUrl, shortDigest } from "./base.js";
import { lookupType, registerType, types as catalogTypes } from "./types.js";

/** @typedef {import("../index.js").ArtifactTypeDefinition} ArtifactTypeDefinition */
/** @typedef {import("../index.js").Client} Client */
/** @typedef {import("../index.js").Descriptor} Descriptor */
/** @typedef {import("../index.js").Packed} Packed */
/** @typedef {import("../index.js").Report} Report */
/**
 * A file of the form (`digest` null until hashed, `error` what reading it threw).
 * @typedef {{ name: string, file: Blob, size: number, mediaType: string, digest: string | null, error: unknown,
 *   annotations?: Record<string, string>, controller: AbortController | null, done: number, total: number, bar?: HTMLElement | null }} FormFile
 */
/** The rendered form's elements by name (made by h(), which does not type them). @typedef {Record<string, any>} Parts */

const TITLE = "org.opencontainers.image.title";
const CUSTOM = "custom";
const UNKNOWN = "application/vnd.unknown.artifact.v1";
/** The annotation keys offered as you type (the image spec's pre-defined keys). */
const KEYS = ["created", "description", "source", "version", "authors", "licenses", "url", "revision", "title"].map((k) => `org.opencontainers.image.${k}`);
let loading = null;
/** The package's browser entry (and its wasm), loaded once, on first use. */
const wasm = () => (loading ??= import("../browser.js"));

/** The text of an error for a person: an OciError's code first. */
function errorText(error) {
  if (error?.name === "AbortError") return error.message || "Cancelled";
  return error?.code ? `${error.code}: ${error.message}` : String(error?.message ?? error);
}

function save(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Files of a drop, folders walked: `{ file, name }` with the path under the drop as the name. */
async function droppedFiles(transfer) {
  // Entries must be taken while the drop event is handled; they are read afterwards.
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...transfer.files].map((file) => ({ file, name: file.name }));
  const found = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) found.push({ file: await new Promise((resolve, reject) => entry.file(resolve, reject)), name: prefix + entry.name });
    else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (let batch; (batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject))).length; ) {
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, "");
  return found;
}

export class OciArtifactForm extends OciElement {
  static observedAttributes = ["repository", "tag", "artifact-type", "chunk-size", "folder-layer", "theme"];
  /** The events, in the order of authoring: each bubbles out of the shadow root. */
  static events = ["oci-type-change", "oci-type-registered", "oci-files-change", "oci-packed", "oci-download", "oci-push-start", "oci-push-progress", "oci-pushed", "oci-push-cancelled", "oci-push-failed"];
  static strings = {
    label: "New artifact",
    type: "Artifact type",
    own: "Your own type…",
    ownHint: "Define an artifact type: its media types, name and logo",
    ownLegend: "Your artifact type",
    ownType: "Artifact type (config media type)",
    ownLayer: "Layer media type for its files",
    ownName: "Display name",
    ownLogo: "Logo (an SVG file, optional)",
    noName: "(no display name)",
    save: "Add to the catalog",
    lintOk: (role) => `Follows the naming convention for a ${role} type.`,
    files: "Files",
    drop: "Drop files or a folder here, or choose files",
    folder: "Choose a folder…",
    folderLayer: "A folder becomes one directory layer (a reproducible tar+gzip, unpacked on pull, as the ORAS CLI pushes a directory)",
    name: "Name",
    size: "Size",
    digest: "Digest",
    mediaType: "Media type",
    mediaTypeOf: (name) => `Media type of ${name}`,
    remove: (name) => `Remove ${name}`,
    hashing: (name, percent, waiting) => `Hashing ${name} (${percent}%)${waiting ? `, ${waiting} more waiting` : ""}…`,
    hashingOne: (name) => `Hashing ${name}`,
    hashed: (count, size) => `${count} file${count === 1 ? "" : "s"}, ${size}, hashed.`,
    unreadable: (name, message) => `${name} could not be read: ${message}`,
    unpackable: (name, message) => `${name} could not be packed: ${message}`,
    annotations: "Annotations",
    annotationAdd: "Add an annotation",
    annotationKey: (i) => `Annotation ${i} key`,
    annotationValue: (i) => `Annotation ${i} value`,
    annotationRemove: (i) => `Remove annotation ${i}`,
    keyPlaceholder: "key, e.g. org.opencontainers.image.description",
    namePlaceholder: "Rocket",
    repositoryPlaceholder: "docs/handbook",
    valuePlaceholder: "value",
    subject: (label) => `Refers to ${label} (a referrer: a signature, an SBOM, docs…)`,
    subjectRemove: "Remove the subject",
    waiting: (n) => `waiting for ${n} file digest${n === 1 ? "" : "s"}…`,
    size_: (bytes) => `${new Intl.NumberFormat("en").format(bytes)} bytes`,
    validation: "Validation",
    valid: (kind, codes) => `valid ${kind}${codes ? ` (${codes})` : ""}`,
    invalid: (n) => `invalid: ${n} error(s)`,
    manifest: "Manifest",
    exact: "exact bytes (what is hashed and pushed)",
    downloadLayout: "Download OCI layout (.tar)",
    downloadManifest: "Download the manifest (exact bytes)",
    repository: "Repository",
    tag: "Tag (empty: by digest only)",
    push: "Push",
    cancel: "Cancel",
    progress: "Upload progress",
    uploading: (blobs, size, where) => `Uploading ${blobs} blob${blobs === 1 ? "" : "s"} (${size}) to ${where}…`,
    uploaded: (done, total) => `Uploaded ${done} of ${total}…`,
    pushed: (reference) => `Pushed ${reference}`,
    cancelled: "Push cancelled: nothing was tagged or reported pushed.",
    failed: (message) => `Push failed: ${message}`,
    noClient: "No registry client: set .client",
    noRepository: "Enter a repository, e.g. docs/handbook.",
    nothing: "Nothing to push yet: the manifest is not valid (see the messages above).",
  };
  static css = `form{display:grid;gap:.8em}fieldset{border:1px solid var(--_border);border-radius:var(--oci-radius,6px);margin:0;padding:.5em .8em .8em;min-width:0}
legend{font-weight:600;padding:0 .3em}label.f{display:grid;gap:.2em}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(13em,1fr));gap:.3em}
.grid label{display:flex;gap:.4em;align-items:center;padding:.25em .4em;border:1px solid var(--_border);border-radius:var(--oci-radius,6px);cursor:pointer}
.grid label:has(:checked){border-color:var(--_accent);background:var(--_subtle)}.grid label:focus-within{outline:2px solid var(--_accent)}
.plus{width:1.5em;text-align:center;font-weight:700}.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(16em,1fr));gap:.8em}
.drop{display:flex;gap:.6em;align-items:center;flex-wrap:wrap;border:2px dashed var(--_border);padding:.7em;border-radius:var(--oci-radius,6px)}.drop.over{border-color:var(--_accent)}
.btn{display:inline-block;color:var(--_accent);border:1px solid var(--_border);border-radius:var(--oci-radius,6px);padding:.15em .6em;cursor:pointer}.btn:focus-within{outline:2px solid var(--_accent);outline-offset:2px}
.vh{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.2em .4em;border-bottom:1px solid var(--_border);vertical-align:middle}td.name{word-break:break-all}
td input{width:100%}.ann{display:grid;grid-template-columns:1fr 1fr auto;gap:.4em;margin-bottom:.4em}
ul.lint li{font-size:.92em}ul.lint li.warning{color:var(--_muted)}pre{max-height:22em;overflow:auto;background:var(--_subtle);padding:.5em;margin:0;white-space:pre-wrap;word-break:break-all}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em .8em;margin:0}dt{font-weight:600}dd{margin:0;word-break:break-all}
.row{display:flex;gap:.6em;align-items:center;flex-wrap:wrap}progress{width:14em}.card{display:flex;gap:.5em;align-items:center}`;

  /** @type {Client | (() => Client | Promise<Client>) | null} */
  #client = null;
  /** @type {ArtifactTypeDefinition[] | null} */
  #types = null;
  #registered = [];
  /** @type {FormFile[]} */
  #files = []; // { name, file, size, mediaType, digest, error, annotations, controller, done, total }
  #annotations = []; // { key, value }
  /** @type {{ descriptor: Descriptor, label: string } | null} */
  #subject = null; // { descriptor, label }
  /** @type {string | null} */
  #selected = null; // an artifactType, or CUSTOM
  #custom = { artifactType: "", layer: "", name: "", logo: null, layerTouched: false, error: "", lint: {} };
  #previousLayer = "";
  #exact = false;
  /** @type {boolean | null} */
  #folderLayer = null;
  /** @type {Packed | null} */
  #packed = null;
  /** @type {Report | null} */
  #report = null;
  #packError = "";
  #packRun = 0;
  /** @type {FormFile | null} */
  #hashing = null;
  /** @type {AbortController | null} */
  #pushing = null;
  /** @type {string | null} */
  #repo = null;
  /** @type {string | null} */
  #tag = null;
  #seen = {};
  #status = { text: "", cls: "muted" };
  /** @type {Parts | null} */
  #b = null;

  /** An ocikit Client, or a function returning one (called at each push: the host's current settings). */
  set client(value) {
    this.#client = value ?? null;
  }
  get client() {
    return this.#client;
  }
  /** The types to choose from (default: the elements' catalog, with registerType's additions). */
  set types(value) {
    this.#types = value ?? null;
    this.update();
  }
  get types() {
    return this.#types;
  }
  #definitions() {
    const list = this.#types ? [...this.#types, ...this.#registered] : catalogTypes();
    return list.filter((d, i) => list.findIndex((e) => e.artifactType === d.artifactType) === i);
  }
  /** The files so far: `{ name, size, mediaType, digest }` (digest null until hashed). */
  get files() {
    return this.#files.map(({ name, size, mediaType, digest }) => ({ name, size, mediaType, digest }));
  }
  /** The artifact type chosen (a custom type's media type as typed). */
  get artifactType() {
    return this.#definition()?.artifactType ?? "";
  }
  /** The latest packed artifact (`pack()`'s result without blob contents), or null. */
  get packed() {
    return this.#packed;
  }
  /** The validation report of the packed manifest, or null. */
  get report() {
    return this.#report;
  }
  /** The subject descriptor the artifact refers to, or null. */
  get subject() {
    return this.#subject?.descriptor ?? null;
  }
  set subject(descriptor) {
    this.setSubject(descriptor);
  }

  #definition() {
    if (this.#selected === CUSTOM) {
      const c = this.#custom;
      return { artifactType: c.artifactType.trim(), displayName: c.name.trim(), layerMediaTypes: c.layer.trim() ? [c.layer.trim()] : [], ...(c.logo ? { logo: c.logo } : {}) };
    }
    return this.#definitions().find((d) => d.artifactType === this.#selected) ?? lookupType(this.#selected);
  }
  #layerType() {
    return this.#definition()?.layerMediaTypes?.[0] ?? "";
  }

  // ---- Files ----------------------------------------------------------------------------------

  /** Adds files: File objects, or `{ file, name }` (a name with slashes: a path, kept as the title). */
  addFiles(list) {
    const mediaType = this.#layerType();
    for (const item of list) {
      const file = item instanceof Blob ? item : item.file;
      const name = item instanceof File ? item.webkitRelativePath || item.name : /** @type {{ name: string }} */ (item).name;
      this.#files.push({ name, file, size: file.size, mediaType, digest: null, error: null, controller: null, done: 0, total: file.size });
    }
    this.#filesChanged();
    this.#hashNext();
  }

  /**
   * Adds the files of a folder (`{ file, name }`, the name its path under the folder's parent).
   * With `folder-layer` (the checkbox), each top folder becomes one directory layer (the package's
   * packDirectory: the core's reproducible tar+gzip); else each file is a layer titled by its path.
   */
  async addFolder(list) {
    if (!this.folderLayer) return this.addFiles(list);
    const loose = [];
    const folders = new Map();
    for (const item of list) {
      const slash = item.name.indexOf("/");
      if (slash < 0) loose.push(item);
      else {
        const top = item.name.slice(0, slash);
        if (!folders.has(top)) folders.set(top, []);
        folders.get(top).push({ path: item.name.slice(slash + 1), data: item.file });
      }
    }
    if (loose.length) this.addFiles(loose);
    const { packDirectory, DIRECTORY_MEDIA_TYPE } = await wasm();
    for (const [name, entries] of folders) {
      try {
        const folder = await packDirectory(entries, { name });
        const data = folder.file.data;
        this.#files.push({ name: folder.file.name, file: new Blob([data], { type: DIRECTORY_MEDIA_TYPE }), size: data.length, mediaType: DIRECTORY_MEDIA_TYPE, annotations: folder.file.annotations, digest: folder.descriptor.digest, error: null, controller: null, done: 0, total: 0 });
      } catch (error) {
        this.#packError = this.t("unpackable", name, errorText(error));
        this.#drawResult();
        return;
      }
    }
    this.#filesChanged();
  }

  /** Whether a chosen folder becomes one directory layer (attribute folder-layer, or the checkbox). */
  get folderLayer() {
    return this.#folderLayer ?? this.hasAttribute("folder-layer");
  }
  set folderLayer(value) {
    this.#folderLayer = Boolean(value);
    if (this.#b) this.#b.folderLayer.checked = this.#folderLayer;
  }

  #filesChanged() {
    this.#drawFiles();
    this.emit("oci-files-change", { files: this.files });
    this.repack();
  }

  /** Hashes the files one at a time, in the order added (large ones in a Web Worker). */
  async #hashNext() {
    if (this.#hashing) return;
    const next = this.#files.find((f) => f.digest === null && f.error === null);
    if (!next) return this.#drawHashStatus();
    this.#hashing = next;
    next.controller = new AbortController();
    this.#drawHashStatus();
    try {
      const { digestBlob } = await wasm();
      next.digest = await digestBlob(next.file, {
        signal: next.controller.signal,
        onProgress: (done, total) => {
          next.done = done;
          next.total = total;
          next.bar?.setAttribute("value", String(total === 0 ? 1 : done / total));
          this.#drawHashStatus();
        },
      });
    } catch (error) {
      if (!next.controller.signal.aborted) next.error = error;
    }
    this.#hashing = null;
    if (this.#files.includes(next)) this.#filesChanged();
    this.#hashNext();
  }

  // ---- Subject --------------------------------------------------------------------------------

  /** Makes the artifact a referrer of `descriptor` (a manifest in the registry); null: none. */
  setSubject(descriptor, label = descriptor?.digest) {
    this.#subject = descriptor ? { descriptor, label } : null;
    this.#drawSubject();
    this.repack();
  }

  /**
   * Starts a new artifact that refers to `descriptor`: a referrer is an artifact of its own (a
   * signature, an SBOM), so no file, annotation or type is carried over; the push goes by digest.
   */
  startReferrer(descriptor, label) {
    for (const f of this.#files) f.controller?.abort();
    this.#files = [];
    this.#annotations = [];
    this.#selected = this.getAttribute("artifact-type") ?? UNKNOWN;
    this.#previousLayer = this.#layerType();
    this.#subject = descriptor ? { descriptor, label: label ?? descriptor.digest } : null;
    this.#tag = "";
    this.#render();
    this.#filesChanged();
  }

  // ---- Types ----------------------------------------------------------------------------------

  #select(value) {
    this.#selected = value;
    if (this.#b) {
      this.#b.own.hidden = value !== CUSTOM;
      const radio = [...this.#b.types.querySelectorAll("input")].find((i) => i.value === value);
      if (radio) radio.checked = true;
    }
    // Files still carrying the previous type's layer media type follow the new type.
    const next = this.#layerType();
    for (const f of this.#files) if (f.mediaType === this.#previousLayer) f.mediaType = next;
    this.#previousLayer = next;
    this.emit("oci-type-change", { artifactType: this.artifactType, definition: this.#definition() ?? null });
    this.#drawFiles();
    this.repack();
  }

  async #lintCustom() {
    const c = this.#custom;
    const b = /** @type {Parts} */ (this.#b); // the form is rendered
    const { parseMediaType, lintMediaType, checkLogo } = await wasm();
    const lint = (text, role, list) => {
      list.replaceChildren();
      if (text === "") return false;
      try {
        parseMediaType(text);
      } catch (error) {
        list.append(h("li", { class: "error" }, errorText(error)));
        return false;
      }
      const findings = lintMediaType(text, role);
      list.append(...findings.map((f) => h("li", { class: f.severity }, h("code", {}, f.code), " ", f.message)));
      if (findings.length === 0) list.append(h("li", { class: "ok" }, this.t("lintOk", role)));
      return !findings.some((f) => f.severity === "error");
    };
    const typeText = c.artifactType.trim();
    const layerText = c.layer.trim();
    const typeOk = lint(typeText, "config", b.ownTypeLint);
    const layerOk = layerText === "" || lint(layerText, "layer", b.ownLayerLint);
    if (layerText === "") b.ownLayerLint.replaceChildren();
    b.ownType.setAttribute("aria-invalid", String(typeText !== "" && !typeOk));
    b.ownLayer.setAttribute("aria-invalid", String(layerText !== "" && !layerOk));
    if (c.logoText !== undefined) {
      c.logo = null;
      c.error = "";
      try {
        if (c.logoText !== null) {
          checkLogo(c.logoText); // the core refuses scripts, external references and oversized logos
          c.logo = c.logoText;
        }
      } catch (error) {
        c.error = errorText(error);
      }
      delete c.logoText;
    }
    b.ownError.textContent = c.error;
    b.ownError.hidden = c.error === "";
    b.ownPreviewName.textContent = c.name.trim() || this.t("noName");
    b.ownPreviewType.textContent = typeText || "—";
    b.ownPreviewLogo.hidden = c.logo === null;
    if (c.logo) b.ownPreviewLogo.src = logoUrl(c.logo);
    b.ownSave.disabled = !(typeOk && layerOk && c.name.trim() !== "");
    if (this.#selected === CUSTOM) this.#select(CUSTOM);
  }

  /**
   * Adds the type of your own to the catalog (the core's, so packing and describe know it, and
   * the elements', so badges show it) and selects it. Resolves to the definition as registered.
   */
  async registerCustomType() {
    const { registerArtifactType } = await wasm();
    const b = /** @type {Parts} */ (this.#b); // the form is rendered
    try {
      const definition = registerArtifactType(this.#definition());
      registerType(definition);
      if (this.#types) this.#registered.push(definition);
      this.#custom = { artifactType: "", layer: "", name: "", logo: null, layerTouched: false, error: "", lint: {} };
      this.#selected = definition.artifactType;
      this.emit("oci-type-registered", { definition });
      this.#render();
      this.#select(definition.artifactType);
      [.../** @type {Parts} */ (this.#b).types.querySelectorAll("input")].find((i) => i.value === definition.artifactType)?.focus();
      return definition;
    } catch (error) {
      b.ownError.textContent = errorText(error);
      b.ownError.hidden = false;
      return null;
    }
  }

  // ---- Packing --------------------------------------------------------------------------------

  /** Packs the artifact again (after each change): the `oci-packed` event follows. */
  async repack() {
    const run = ++this.#packRun;
    this.#packed = null;
    this.#report = null;
    this.#packError = "";
    const failed = this.#files.find((f) => f.error !== null);
    const pending = this.#files.filter((f) => f.digest === null).length;
    if (failed) this.#packError = this.t("unreadable", failed.name, errorText(failed.error));
    else if (pending === 0) {
      const { pack, validate } = await wasm();
      if (run !== this.#packRun) return;
      const given = {};
      for (const a of this.#annotations) if (a.key !== "") given[a.key] = a.value;
      try {
        this.#packed = pack({
          artifactType: this.artifactType || undefined,
          files: this.#files.map((f) => ({ name: f.name, digest: f.digest, size: f.size, mediaType: f.mediaType || undefined, annotations: f.annotations })),
          annotations: Object.keys(given).length ? given : undefined,
          subject: this.#subject?.descriptor,
        });
        this.#report = validate(/** @type {Packed} */ (this.#packed).manifest);
      } catch (error) {
        this.#packError = errorText(error);
      }
    }
    if (run !== this.#packRun) return;
    this.#drawResult();
    this.emit("oci-packed", { packed: this.#packed, report: this.#report, error: this.#packError || null });
  }

  /** What push uploads: the packed manifest and every blob with its content (a Blob or bytes); null when not packable. */
  authored() {
    if (!this.#packed) return null;
    const byDigest = new Map(this.#files.map((f) => [f.digest, f.file]));
    return { ...this.#packed, blobs: this.#packed.blobs.map((b) => ({ descriptor: b.descriptor, data: b.data ?? byDigest.get(b.descriptor.digest) })) };
  }

  /** Packs now and resolves to what push would upload (rejects when the form does not pack). */
  async pack() {
    while (this.#hashing || this.#files.some((f) => f.digest === null && f.error === null)) await new Promise((r) => setTimeout(r, 20));
    await this.repack();
    if (!this.#packed) throw new Error(this.#packError || this.t("nothing"));
    return this.authored();
  }

  /** Saves `bytes` as `name` unless a listener cancels the oci-download event (to save them itself). */
  #offer(kind, name, bytes, type) {
    if (this.emit("oci-download", { kind, name, bytes }, true)) save(bytes, name, type);
  }

  /** The packed manifest's exact bytes (what is hashed and pushed). */
  downloadManifest() {
    const p = this.#packed;
    if (p) this.#offer("manifest", `${p.digest.replace(":", "-").slice(0, 19)}.json`, p.manifest, p.mediaType);
  }

  /** The artifact as an OCI image layout tar (the manifest tagged "latest", every blob). */
  async downloadLayout() {
    const current = this.authored();
    if (!current) return;
    const { layoutTar } = await wasm();
    try {
      const blobs = await Promise.all(current.blobs.map(async (b) => ({ descriptor: b.descriptor, data: b.data instanceof Blob ? new Uint8Array(await b.data.arrayBuffer()) : b.data })));
      const tar = layoutTar({ manifest: current.manifest, descriptor: current.descriptor, tag: "latest", blobs });
      this.#offer("layout", `${current.digest.replace(":", "-").slice(0, 19)}.tar`, tar, "application/x-tar");
    } catch (error) {
      this.#packError = errorText(error);
      this.#drawResult();
    }
  }

  // ---- Push -----------------------------------------------------------------------------------

  /**
   * Pushes the packed artifact to `repository` (`:tag`, or by digest when the tag is empty), in
   * PATCHed chunks of `chunk-size` bytes (8 MiB by default) so that the progress moves; cancel()
   * stops it. Resolves to the push outcome, or null (nothing pushed, or cancelled).
   */
  async push() {
    if (this.#pushing) return null;
    const b = /** @type {Parts} */ (this.#b); // the form is rendered
    const artifact = this.authored();
    const repo = b.repo.value.trim().replace(/^\/+|\/+$/g, "");
    const tag = b.tag.value.trim();
    if (!artifact) return this.#failed(new Error(this.t("nothing")), null);
    if (repo === "") return this.#failed(new Error(this.t("noRepository")), null);
    let client;
    try {
      client = typeof this.#client === "function" ? await this.#client() : this.#client;
      if (!client) throw new Error(this.t("noClient"));
    } catch (error) {
      return this.#failed(error, null);
    }
    const reference = tag === "" ? `${repo}@${artifact.digest}` : `${repo}:${tag}`;
    const total = artifact.blobs.reduce((sum, x) => sum + x.descriptor.size, 0);
    if (!this.emit("oci-push-start", { reference, packed: artifact, total }, true)) return null;
    const controller = new AbortController();
    this.#pushing = controller;
    this.#drawPushing();
    b.progress.value = 0;
    this.#say(this.t("uploading", artifact.blobs.length, formatSize(total), `${client.registry ?? ""}/${repo}`));
    try {
      const chunkSize = Number(this.getAttribute("chunk-size")) || 8 * 1024 * 1024;
      const outcome = await client.push(reference, artifact, {
        signal: controller.signal,
        chunkSize,
        onProgress: (done, all) => {
          if (controller.signal.aborted) return;
          b.progress.value = all === 0 ? 1 : done / all;
          this.#say(this.t("uploaded", formatSize(done), formatSize(all)));
          this.emit("oci-push-progress", { reference, done, total: all });
        },
      });
      // A type of your own is added to the page's catalog, so that browsing shows its name.
      const own = this.#selected === CUSTOM ? this.#definition() : null;
      if (own?.displayName && !lookupType(own.artifactType)) {
        try {
          const { registerArtifactType } = await wasm();
          registerType(registerArtifactType(own));
          this.emit("oci-type-registered", { definition: lookupType(own.artifactType) });
        } catch {
          // The push itself succeeded; an unregistrable definition only stays unnamed.
        }
      }
      this.#say(this.t("pushed", `${client.registry ? `${client.registry}/` : ""}${reference}${tag === "" ? "" : `@${outcome.descriptor.digest}`}`), "ok");
      this.emit("oci-pushed", { reference, outcome, packed: artifact });
      return outcome;
    } catch (error) {
      if (controller.signal.aborted) {
        this.#say(this.t("cancelled"), "error");
        this.emit("oci-push-cancelled", { reference });
        return null;
      }
      return this.#failed(error, reference);
    } finally {
      this.#pushing = null;
      this.#drawPushing();
    }
  }

  /** Stops a push in progress (its blobs may stay in the registry; the manifest is not put). */
  cancel() {
    this.#pushing?.abort(new DOMException("Cancelled", "AbortError"));
  }

  #failed(error, reference) {
    // Cancelled by a listener: the host shows the error itself.
    this.#say(this.emit("oci-push-failed", { error, reference }, true) ? this.t("failed", errorText(error)) : "", "error");
    return null;
  }

  #say(text, cls = "muted") {
    this.#status = { text, cls };
    if (!this.#b) return;
    this.#b.status.textContent = text;
    this.#b.status.className = cls;
  }

  // ---- Drawing --------------------------------------------------------------------------------

  #drawPushing() {
    const b = /** @type {Parts} */ (this.#b); // the form is rendered
    const busy = this.#pushing !== null;
    b.push.disabled = busy;
    b.cancel.hidden = !busy;
    b.progress.hidden = !busy;
  }

  #drawHashStatus() {
    const b = this.#b;
    if (!b) return;
    const waiting = this.#files.filter((f) => f.digest === null && f.error === null).length;
    const f = this.#hashing;
    if (f && waiting > 0) b.hashStatus.textContent = this.t("hashing", f.name, f.total ? Math.floor((f.done / f.total) * 100) : 0, waiting - 1);
    else b.hashStatus.textContent = this.#files.length ? this.t("hashed", this.#files.length, formatSize(this.#files.reduce((s, x) => s + x.size, 0))) : "";
  }

  #drawFiles() {
    const b = this.#b;
    if (!b) return;
    b.files.replaceChildren(...this.#files.map((f) => {
      const type = h("input", { type: "text", spellcheck: false, value: f.mediaType, placeholder: "application/vnd.oci.image.layer.v1.tar", "aria-label": this.t("mediaTypeOf", f.name),
        oninput: () => { f.mediaType = type.value.trim(); this.repack(); } });
      f.bar = null;
      let digest;
      if (f.digest !== null) digest = h("code", { title: f.digest }, shortDigest(f.digest));
      else if (f.error !== null) digest = h("span", { class: "error" }, errorText(f.error));
      else digest = f.bar = h("progress", { max: 1, value: f.total ? f.done / f.total : 0, "aria-label": this.t("hashingOne", f.name) });
      return h("tr", {}, h("td", { class: "name mono" }, f.name), h("td", {}, formatSize(f.size)), h("td", {}, digest), h("td", {}, type),
        h("td", {}, h("button", { type: "button", "aria-label": this.t("remove", f.name), onclick: () => {
          f.controller?.abort();
          this.#files = this.#files.filter((g) => g !== f);
          this.#filesChanged();
          this.#drawHashStatus();
          b.fileInput.focus();
        } }, "×")));
    }));
    b.filesTable.hidden = this.#files.length === 0;
    this.#drawHashStatus();
  }

  #drawAnnotations() {
    const b = /** @type {Parts} */ (this.#b); // the form is rendered
    b.annotations.replaceChildren(...this.#annotations.map((a, i) => h("div", { class: "ann annotation" },
      h("input", { type: "text", list: "keys", spellcheck: false, value: a.key, placeholder: this.t("keyPlaceholder"), "aria-label": this.t("annotationKey", i + 1), oninput: (e) => { a.key = e.target.value.trim(); this.repack(); } }),
      h("input", { type: "text", spellcheck: false, value: a.value, placeholder: this.t("valuePlaceholder"), "aria-label": this.t("annotationValue", i + 1), oninput: (e) => { a.value = e.target.value; this.repack(); } }),
      h("button", { type: "button", "aria-label": this.t("annotationRemove", i + 1), onclick: () => {
        this.#annotations.splice(i, 1);
        this.#drawAnnotations();
        this.repack();
        b.annotationAdd.focus();
      } }, "×"))));
  }

  #drawSubject() {
    const b = this.#b;
    if (!b) return;
    b.subjectRow.hidden = this.#subject === null;
    b.subjectText.textContent = this.#subject ? this.t("subject", this.#subject.label) : "";
  }

  #drawResult() {
    const b = this.#b;
    if (!b) return;
    const p = this.#packed;
    const r = this.#report;
    b.packError.textContent = this.#packError;
    b.packError.hidden = this.#packError === "";
    const pending = this.#files.filter((f) => f.digest === null).length;
    b.digest.textContent = p ? p.digest : pending && !this.#packError ? this.t("waiting", pending) : "—";
    b.size.textContent = p ? this.t("size_", p.size) : "—";
    b.valid.textContent = !r ? "—" : r.valid ? this.t("valid", r.kind, r.findings.map((f) => f.code).join(", ")) : this.t("invalid", r.findings.filter((f) => f.severity === "error").length);
    b.findings.replaceChildren(...(r?.findings ?? []).map((f) => h("li", { class: f.severity }, h("code", {}, f.code), " ", h("code", {}, f.path || "/"), " ", f.message, f.rule ? h("span", { class: "muted" }, ` ${f.rule}`) : null)));
    const text = p ? new TextDecoder().decode(p.manifest) : "";
    // Indented for reading; the digest is of the compact bytes, shown on request.
    b.manifest.textContent = !p ? "" : this.#exact ? text : JSON.stringify(JSON.parse(text), null, 2);
    b.downloadLayout.disabled = b.downloadManifest.disabled = !p;
  }

  #drawTypes() {
    const b = /** @type {Parts} */ (this.#b); // the form is rendered
    const choice = (value, name, d, description) =>
      h("label", { title: description || undefined, class: value === CUSTOM ? "own" : undefined },
        h("input", { type: "radio", name: "artifact-type", value, checked: value === this.#selected, onchange: () => this.#select(value) }),
        d?.logo ? logoImages({ logo: d.logo, darkLogo: d.darkLogo ?? d.logo }, "") : h("span", { class: "plus", "aria-hidden": "true" }, "+"), name);
    b.types.replaceChildren(...this.#definitions().map((d) => choice(d.artifactType, d.displayName, d, d.description)), choice(CUSTOM, this.t("own"), null, this.t("ownHint")));
  }

  paint() {
    // Attributes win over what was typed only when they change.
    const repository = this.getAttribute("repository");
    if (this.#seen.repository !== repository) this.#repo = repository;
    const tag = this.getAttribute("tag");
    if (this.#seen.tag !== tag) this.#tag = tag;
    this.#seen = { ...this.#seen, repository, tag };
    const type = this.getAttribute("artifact-type");
    if (this.#selected === null || (type !== null && this.#seen.type !== type)) this.#selected = type ?? UNKNOWN;
    this.#seen.type = type;
    if (this.#b === null) this.#previousLayer = this.#layerType();
    this.#render();
    if (this.#packRun === 0) this.repack();
  }

  #render() {
    const c = this.#custom;
    const id = (name) => name; // ids are scoped to the shadow root
    // Enter pushes from the push fields (not from a media type or an annotation being typed).
    const pushOnEnter = (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      this.push();
    };
    const input = (props) => h("input", { type: "text", spellcheck: false, autocomplete: "off", ...props });
    const ownType = input({ id: id("custom-artifact-type"), value: c.artifactType, placeholder: "application/vnd.acme.rocket.config.v1+json", "aria-describedby": "custom-artifact-lint",
      oninput: () => {
        c.artifactType = ownType.value;
        // A layer type to start from: the config type's name with ".layer." (ORAS users write these).
        if (!c.layerTouched && /\.config\./.test(ownType.value)) ownLayer.value = c.layer = ownType.value.trim().replace(/\.config\./, ".layer.").replace(/\+json$/, "+tar");
        this.#lintCustom();
      } });
    const ownLayer = input({ id: "custom-layer-type", value: c.layer, placeholder: "application/vnd.acme.rocket.layer.v1+tar", "aria-describedby": "custom-layer-lint",
      oninput: () => { c.layer = ownLayer.value; c.layerTouched = ownLayer.value !== ""; this.#lintCustom(); } });
    const ownName = input({ id: "custom-name", value: c.name, placeholder: this.t("namePlaceholder"), oninput: () => { c.name = ownName.value; this.#lintCustom(); } });
    const ownLogo = h("input", { id: "custom-logo", type: "file", accept: ".svg,image/svg+xml", onchange: async () => {
      const file = ownLogo.files[0];
      c.logoText = file ? await file.text() : null;
      this.#lintCustom();
    } });
    const fileInput = h("input", { id: "pack-file", type: "file", multiple: true, "aria-labelledby": "files-label drop-hint", onchange: () => {
      this.addFiles([...fileInput.files].map((file) => ({ file, name: file.name })));
      fileInput.value = "";
    } });
    const folderInput = h("input", { id: "pack-folder", type: "file", multiple: true, webkitdirectory: true, class: "vh", onchange: () => {
      this.addFolder([...folderInput.files].map((file) => ({ file, name: file.webkitRelativePath || file.name })));
      folderInput.value = "";
    } });
    const drop = h("div", { class: "drop", part: "drop",
      ondragover: (e) => { e.preventDefault(); drop.classList.add("over"); },
      ondragleave: () => drop.classList.remove("over"),
      ondrop: async (e) => {
        e.preventDefault();
        drop.classList.remove("over");
        if (e.dataTransfer) this.addFolder(await droppedFiles(e.dataTransfer));
      } },
    h("label", { for: "pack-file" }, h("span", { id: "drop-hint", class: "muted" }, this.t("drop")), " ", fileInput),
    h("label", { class: "btn", part: "folder" }, folderInput, this.t("folder")));
    const folderLayer = h("input", { id: "pack-folder-layer", type: "checkbox", checked: this.folderLayer, onchange: () => (this.#folderLayer = folderLayer.checked) });
    const b = (this.#b = {
      ownType, ownLayer, fileInput, folderLayer, subjectRow: null, own: null, filesTable: null,
      ownTypeLint: h("ul", { id: "custom-artifact-lint", class: "lint", "aria-live": "polite" }),
      ownLayerLint: h("ul", { id: "custom-layer-lint", class: "lint", "aria-live": "polite" }),
      ownError: h("p", { id: "custom-error", class: "error", hidden: true }),
      ownPreviewLogo: h("img", { id: "custom-preview-logo", class: "logo", alt: "", hidden: true }),
      ownPreviewName: h("strong", { id: "custom-preview-name" }, c.name.trim() || this.t("noName")),
      ownPreviewType: h("code", { id: "custom-preview-type", class: "muted" }, c.artifactType.trim() || "—"),
      ownSave: h("button", { id: "custom-save", type: "button", disabled: true, onclick: () => this.registerCustomType() }, this.t("save")),
      types: h("div", { id: "types", class: "grid" }),
      files: h("tbody", { id: "pack-files" }),
      hashStatus: h("p", { id: "hash-status", class: "muted", "aria-live": "polite" }),
      annotations: h("div", { id: "annotations" }),
      annotationAdd: h("button", { id: "annotation-add", type: "button", onclick: () => {
        this.#annotations.push({ key: "", value: "" });
        this.#drawAnnotations();
        this.repack();
        b.annotations.querySelector(".annotation:last-child input")?.focus();
      } }, this.t("annotationAdd")),
      subjectText: h("span", { id: "subject-text" }),
      packError: h("p", { id: "pack-error", class: "error", hidden: true }),
      digest: h("output", { id: "pack-digest", class: "mono", part: "digest" }, "—"),
      size: h("output", { id: "pack-size" }, "—"),
      valid: h("output", { id: "pack-valid" }, "—"),
      findings: h("ul", { id: "pack-findings", class: "lint" }),
      manifest: h("pre", { id: "pack-manifest", class: "mono", tabindex: "0", "aria-labelledby": "manifest-heading", part: "manifest" }),
      downloadLayout: h("button", { id: "pack-download", type: "button", disabled: true, onclick: () => this.downloadLayout() }, this.t("downloadLayout")),
      downloadManifest: h("button", { id: "pack-download-manifest", type: "button", disabled: true, onclick: () => this.downloadManifest() }, this.t("downloadManifest")),
      repo: input({ id: "push-repo", value: this.#repo ?? "", placeholder: this.t("repositoryPlaceholder"), oninput: (e) => (this.#repo = e.target.value), onkeydown: pushOnEnter }),
      tag: input({ id: "push-tag", value: this.#tag ?? "latest", oninput: (e) => (this.#tag = e.target.value), onkeydown: pushOnEnter }),
      push: h("button", { id: "push-button", type: "button", class: "primary", part: "push", onclick: () => this.push() }, this.t("push")),
      cancel: h("button", { id: "push-cancel", type: "button", hidden: true, onclick: () => this.cancel() }, this.t("cancel")),
      progress: h("progress", { id: "push-progress", max: 1, value: 0, hidden: true, "aria-label": this.t("progress") }),
      status: h("p", { id: "push-status", class: this.#status.cls, role: "status", part: "status" }, this.#status.text),
    });
    b.subjectRow = h("div", { id: "subject-row", class: "row", hidden: true, part: "subject" }, b.subjectText,
      h("button", { id: "subject-clear", type: "button", onclick: () => this.setSubject(null) }, this.t("subjectRemove")));
    b.own = h("fieldset", { id: "custom-type", hidden: this.#selected !== CUSTOM }, h("legend", {}, this.t("ownLegend")),
      h("div", { class: "cols" },
        h("div", {}, h("label", { class: "f", for: "custom-artifact-type" }, this.t("ownType")), ownType, b.ownTypeLint,
          h("label", { class: "f", for: "custom-layer-type" }, this.t("ownLayer")), ownLayer, b.ownLayerLint),
        h("div", {}, h("label", { class: "f", for: "custom-name" }, this.t("ownName")), ownName,
          h("label", { class: "f", for: "custom-logo" }, this.t("ownLogo")), ownLogo,
          h("div", { class: "card", "aria-live": "polite" }, b.ownPreviewLogo, h("div", {}, b.ownPreviewName, " ", b.ownPreviewType)),
          b.ownError, b.ownSave)));
    b.filesTable = h("table", { "aria-labelledby": "files-label", part: "files" },
      h("thead", {}, h("tr", {}, ...["name", "size", "digest", "mediaType"].map((k) => h("th", { scope: "col" }, this.t(k))), h("th", { scope: "col" }, h("span", { class: "sr" }, this.t("remove", ""))))), b.files);
    this.show(h("form", { "aria-label": this.getAttribute("aria-label") ?? this.t("label"), part: "form", onsubmit: (e) => e.preventDefault() },
      h("fieldset", {}, h("legend", {}, this.t("type")), b.types), b.own,
      h("fieldset", {}, h("legend", { id: "files-label" }, this.t("files")), drop,
        h("label", { class: "row" }, folderLayer, this.t("folderLayer")), b.filesTable, b.hashStatus),
      h("fieldset", {}, h("legend", {}, this.t("annotations")), h("datalist", { id: "keys" }, KEYS.map((k) => h("option", { value: k }))), b.annotations, b.annotationAdd),
      b.subjectRow,
      h("div", { "aria-live": "polite" }, b.packError,
        h("dl", {}, h("dt", {}, this.t("digest")), h("dd", {}, b.digest), h("dt", {}, this.t("size")), h("dd", {}, b.size), h("dt", {}, this.t("validation")), h("dd", {}, b.valid)),
        b.findings),
      h("div", { class: "row" }, h("strong", { id: "manifest-heading" }, this.t("manifest")),
        h("label", { class: "row" }, h("input", { id: "pack-exact", type: "checkbox", checked: this.#exact, onchange: (e) => { this.#exact = e.target.checked; this.#drawResult(); } }), this.t("exact"))),
      b.manifest,
      h("div", { class: "row" }, b.downloadLayout, b.downloadManifest),
      h("div", { class: "cols" }, h("label", { class: "f" }, this.t("repository"), b.repo), h("label", { class: "f" }, this.t("tag"), b.tag)),
      h("div", { class: "row" }, b.push, b.cancel, b.progress),
      b.status));
    this.#drawTypes();
    this.#drawFiles();
    this.#drawAnnotations();
    this.#drawSubject();
    this.#drawResult();
    this.#drawPushing();
    if (this.#selected === CUSTOM || c.artifactType || c.name) this.#lintCustom();
  }
}

define("oci-artifact-form", OciArtifactForm);
