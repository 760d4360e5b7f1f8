// The Author card: an artifact type (from the catalog, or your own), files (hashed as they are
// added, large ones in a Web Worker), annotations and an optional subject become a manifest that
// is packed again, and validated, on every change.
import {
  OciError,
  artifactTypes,
  checkLogo,
  digestBlob,
  layoutTar,
  DIRECTORY_MEDIA_TYPE,
  lintMediaType,
  pack,
  packDirectory,
  parseMediaType,
  registerArtifactType,
  validate,
} from "ocikit";
import { $, bytesText, dropZone, el, errorText, findingItem, logoSource, saveAs, shortDigest, sizeText } from "./ui.js";

const DEFAULT_TYPE = "application/vnd.stevelasker.docsinmarkdown.config.v1+json";
const CUSTOM = "custom";

// { name, file, size, mediaType, digest (null until hashed), error, progress (a <progress>),
//   digestCell, controller }
const files = [];
const annotations = []; // { key, value }
let subject = null; // { descriptor, label }
let packed = null; // the latest pack() result
let hashing = null; // the file being hashed
const listeners = new Set();

// ---- Artifact types ------------------------------------------------------------------------

/** The custom type as typed so far (it is registered only on "Add to the catalog"). */
function customDefinition() {
  const artifactType = $("custom-artifact-type").value.trim();
  const layer = $("custom-layer-type").value.trim();
  return {
    artifactType,
    displayName: $("custom-name").value.trim(),
    layerMediaTypes: layer === "" ? [] : [layer],
    logo: customLogo ?? undefined,
  };
}

let customLogo = null; // SVG text of the chosen logo, once checked safe

function selectedType() {
  const value = document.querySelector("input[name=artifact-type]:checked")?.value;
  if (value === CUSTOM) return customDefinition();
  return artifactTypes().find((d) => d.artifactType === value);
}

/** The catalog as radio buttons, each with its logo, and a last one for a type of your own. */
function showTypes(selected) {
  const grid = $("types");
  grid.replaceChildren();
  const choice = (value, name, logo, description) => {
    const input = el("input", { type: "radio", name: "artifact-type", value });
    input.checked = value === selected;
    input.addEventListener("change", typeChanged);
    const image = logo ? el("img", { alt: "", src: logoSource(logo) }) : el("span", { class: "plus", "aria-hidden": "true", text: "+" });
    return el("label", { title: description }, input, image, name);
  };
  for (const d of artifactTypes()) grid.append(choice(d.artifactType, d.displayName, d.logo, d.description));
  const own = choice(CUSTOM, "Your own type…", null, "Define an artifact type: its media types, name and logo");
  own.classList.add("own");
  grid.append(own);
}

let previousDefault = "";

function typeChanged() {
  const definition = selectedType();
  $("custom-type").hidden = document.querySelector("input[name=artifact-type]:checked")?.value !== CUSTOM;
  // Files still carrying the previous type's layer media type follow the new type.
  const next = definition?.layerMediaTypes[0] ?? "";
  for (const f of files) if (f.mediaType === previousDefault) f.mediaType = next;
  previousDefault = next;
  showFiles();
  repack();
}

function lintInto(list, text, role) {
  list.replaceChildren();
  if (text === "") return false;
  try {
    parseMediaType(text);
  } catch (error) {
    if (!(error instanceof OciError)) throw error;
    list.append(el("li", { class: "error" }, el("code", { text: error.code }), " ", error.message));
    return false;
  }
  const findings = lintMediaType(text, role);
  list.append(...findings.map((f) => findingItem(f)));
  if (findings.length === 0) list.append(el("li", { class: "ok", text: `Follows the naming convention for a ${role} type.` }));
  return true;
}

let layerTouched = false;

function customChanged() {
  const typeInput = $("custom-artifact-type");
  const text = typeInput.value.trim();
  // A layer type to start from: the config type's name with ".layer." (ORAS users write these).
  if (!layerTouched && /\.config\./.test(text)) {
    $("custom-layer-type").value = text.replace(/\.config\./, ".layer.").replace(/\+json$/, "+tar");
  }
  const typeOk = lintInto($("custom-artifact-lint"), text, "config");
  const layerText = $("custom-layer-type").value.trim();
  const layerOk = layerText === "" || lintInto($("custom-layer-lint"), layerText, "layer");
  if (layerText === "") $("custom-layer-lint").replaceChildren();
  typeInput.setAttribute("aria-invalid", String(text !== "" && !typeOk));
  const d = customDefinition();
  $("custom-preview-name").textContent = d.displayName || "(no display name)";
  $("custom-preview-type").textContent = d.artifactType || "—";
  const logo = $("custom-preview-logo");
  logo.hidden = customLogo === null;
  if (customLogo !== null) logo.src = logoSource(customLogo);
  $("custom-save").disabled = !(typeOk && layerOk && d.displayName !== "");
  // New files start with the layer type; files that had the old one follow it.
  const next = d.layerMediaTypes[0] ?? "";
  if (document.querySelector("input[name=artifact-type]:checked")?.value === CUSTOM) {
    for (const f of files) if (f.mediaType === previousDefault) f.mediaType = next;
    previousDefault = next;
    showFiles();
    repack();
  }
}

async function logoChosen() {
  const file = $("custom-logo").files[0];
  const error = $("custom-error");
  error.hidden = true;
  customLogo = null;
  if (file) {
    const svg = await file.text();
    try {
      checkLogo(svg); // the core refuses scripts, external references and oversized logos
      customLogo = svg;
    } catch (thrown) {
      error.textContent = errorText(thrown);
      error.hidden = false;
    }
  }
  customChanged();
}

function saveCustomType() {
  const error = $("custom-error");
  try {
    const definition = registerArtifactType(customDefinition());
    error.hidden = true;
    showTypes(definition.artifactType);
    typeChanged();
    document.querySelector(`input[name=artifact-type][value="${CSS.escape(definition.artifactType)}"]`)?.focus();
  } catch (thrown) {
    error.textContent = errorText(thrown);
    error.hidden = false;
  }
}

// ---- Files ---------------------------------------------------------------------------------

/** Files of a drop, folders walked (their paths become the files' titles). */
async function droppedFiles(transfer) {
  // Entries must be taken while the drop event is being handled; they are read afterwards.
  const entries = [...transfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  if (entries.length === 0) return [...transfer.files].map((file) => ({ file, name: file.name }));
  const found = [];
  const walk = async (entry, prefix) => {
    if (entry.isFile) {
      found.push({ file: await new Promise((resolve, reject) => entry.file(resolve, reject)), name: prefix + entry.name });
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
      }
    }
  };
  for (const entry of entries) await walk(entry, "");
  return found;
}

function addFiles(list) {
  const mediaType = selectedType()?.layerMediaTypes[0] ?? "";
  for (const { file, name } of list) {
    files.push({ name, file, size: file.size, mediaType, digest: null, error: null, progress: null, digestCell: null, controller: null });
  }
  showFiles();
  repack();
  hashNext();
}

/**
 * Files of a chosen or dropped folder (`name`: the path under the folder's parent): with "A
 * folder becomes one directory layer", each top folder is packed into one reproducible
 * tar+gzip layer (the package's packDirectory: the core's archive, as the ORAS CLI and
 * Python's File.from_directory write it), and loose files stay files; else every file is a
 * layer titled with its path.
 */
async function addFolderFiles(list) {
  if (!$("pack-folder-layer").checked) {
    addFiles(list);
    return;
  }
  const loose = [];
  const folders = new Map();
  for (const item of list) {
    const slash = item.name.indexOf("/");
    if (slash < 0) {
      loose.push(item);
      continue;
    }
    const top = item.name.slice(0, slash);
    if (!folders.has(top)) folders.set(top, []);
    folders.get(top).push({ path: item.name.slice(slash + 1), data: item.file });
  }
  addFiles(loose);
  const error = $("pack-error");
  for (const [name, entries] of folders) {
    try {
      const packedFolder = await packDirectory(entries, { name });
      const data = packedFolder.file.data;
      files.push({
        name: packedFolder.file.name,
        file: new Blob([data], { type: DIRECTORY_MEDIA_TYPE }),
        size: data.length,
        mediaType: DIRECTORY_MEDIA_TYPE,
        annotations: packedFolder.file.annotations,
        digest: packedFolder.descriptor.digest,
        error: null,
        progress: null,
        digestCell: null,
        controller: null,
      });
    } catch (thrown) {
      if (!(thrown instanceof OciError)) throw thrown;
      error.textContent = `${name} could not be packed: ${errorText(thrown)}`;
      error.hidden = false;
      return;
    }
  }
  showFiles();
  repack();
}

/** Hashes the files one at a time, in the order added; large ones go to a Web Worker. */
async function hashNext() {
  if (hashing !== null) return;
  const next = files.find((f) => f.digest === null && f.error === null);
  if (next === undefined) {
    showHashStatus();
    return;
  }
  hashing = next;
  next.controller = new AbortController();
  showHashStatus();
  try {
    next.digest = await digestBlob(next.file, {
      signal: next.controller.signal,
      onProgress: (done, total) => {
        if (next.progress) next.progress.value = total === 0 ? 1 : done / total;
        showHashStatus(done, total);
      },
    });
  } catch (error) {
    if (!next.controller.signal.aborted) next.error = error;
  }
  hashing = null;
  if (files.includes(next)) showDigestCell(next);
  repack();
  hashNext();
}

function showHashStatus(done = 0, total = 0) {
  const waiting = files.filter((f) => f.digest === null && f.error === null).length;
  const status = $("hash-status");
  if (hashing === null || waiting === 0) {
    const bytes = files.reduce((sum, f) => sum + f.size, 0);
    status.textContent = files.length === 0 ? "" : `${files.length} file${files.length === 1 ? "" : "s"}, ${bytesText(bytes)}, hashed.`;
    return;
  }
  const percent = total === 0 ? 0 : Math.floor((done / total) * 100);
  status.textContent = `Hashing ${hashing.name} (${percent}%)${waiting > 1 ? `, ${waiting - 1} more waiting` : ""}…`;
}

function showDigestCell(f) {
  const cell = f.digestCell;
  cell.replaceChildren();
  if (f.digest !== null) {
    cell.append(el("code", { class: "mono", title: f.digest, text: shortDigest(f.digest) }));
  } else if (f.error !== null) {
    cell.append(el("span", { class: "error", text: errorText(f.error) }));
  } else {
    f.progress = el("progress", { max: "1", value: "0", "aria-label": `Hashing ${f.name}` });
    cell.append(f.progress);
  }
}

function showFiles() {
  const body = $("pack-files");
  body.replaceChildren();
  files.forEach((f, i) => {
    const type = el("input", {
      type: "text",
      spellcheck: "false",
      placeholder: "application/vnd.oci.image.layer.v1.tar",
      "aria-label": `Media type of ${f.name}`,
    });
    type.value = f.mediaType;
    type.addEventListener("input", () => {
      f.mediaType = type.value.trim();
      repack();
    });
    const remove = el("button", { type: "button", class: "remove", "aria-label": `Remove ${f.name}`, text: "×" });
    remove.addEventListener("click", () => {
      f.controller?.abort();
      files.splice(i, 1);
      showFiles();
      repack();
      showHashStatus();
    });
    f.digestCell = el("td");
    showDigestCell(f);
    body.append(
      el("tr", {}, el("td", { class: "mono name", text: f.name }), el("td", { title: bytesText(f.size), text: sizeText(f.size) }), f.digestCell, el("td", {}, type), el("td", {}, remove)),
    );
  });
}

// ---- Annotations ---------------------------------------------------------------------------

function showAnnotations() {
  const box = $("annotations");
  box.replaceChildren();
  annotations.forEach((a, i) => {
    const key = el("input", { type: "text", list: "annotation-keys", spellcheck: "false", placeholder: "key, e.g. org.opencontainers.image.description", "aria-label": `Annotation ${i + 1} key` });
    key.value = a.key;
    key.addEventListener("input", () => {
      a.key = key.value.trim();
      repack();
    });
    const value = el("input", { type: "text", spellcheck: "false", placeholder: "value", "aria-label": `Annotation ${i + 1} value` });
    value.value = a.value;
    value.addEventListener("input", () => {
      a.value = value.value;
      repack();
    });
    const remove = el("button", { type: "button", class: "remove", "aria-label": `Remove annotation ${i + 1}`, text: "×" });
    remove.addEventListener("click", () => {
      annotations.splice(i, 1);
      showAnnotations();
      repack();
      $("annotation-add").focus();
    });
    box.append(el("div", { class: "annotation" }, key, value, remove));
  });
}

function addAnnotation() {
  annotations.push({ key: "", value: "" });
  showAnnotations();
  repack();
  $("annotations").querySelector(".annotation:last-child input")?.focus();
}

// ---- Packing -------------------------------------------------------------------------------

function repack() {
  const error = $("pack-error");
  error.hidden = true;
  packed = null;
  const pending = files.filter((f) => f.digest === null).length;
  const failed = files.find((f) => f.error !== null);
  if (failed) {
    error.textContent = `${failed.name} could not be read: ${errorText(failed.error)}`;
    error.hidden = false;
  } else if (pending === 0) {
    const given = {};
    for (const a of annotations) if (a.key !== "") given[a.key] = a.value;
    try {
      packed = pack({
        artifactType: selectedType()?.artifactType || undefined,
        files: files.map((f) => ({
          name: f.name,
          digest: f.digest,
          size: f.size,
          mediaType: f.mediaType || undefined,
          annotations: f.annotations,
        })),
        annotations: Object.keys(given).length ? given : undefined,
        subject: subject?.descriptor,
      });
    } catch (thrown) {
      if (!(thrown instanceof OciError)) throw thrown;
      error.textContent = errorText(thrown);
      error.hidden = false;
    }
  }
  $("pack-download").disabled = packed === null;
  const findings = $("pack-findings");
  findings.replaceChildren();
  if (packed === null) {
    $("pack-digest").textContent = pending > 0 && !failed ? `waiting for ${pending} file digest${pending === 1 ? "" : "s"}…` : "—";
    $("pack-size").textContent = "—";
    $("pack-valid").textContent = "—";
    $("pack-manifest").textContent = "";
  } else {
    const report = validate(packed.manifest);
    $("pack-digest").textContent = packed.digest;
    $("pack-size").textContent = bytesText(packed.size);
    $("pack-valid").textContent = report.valid
      ? `valid ${report.kind}${report.findings.length ? ` (${report.findings.map((f) => f.code).join(", ")})` : ""}`
      : `invalid: ${report.findings.filter((f) => f.severity === "error").length} error(s)`;
    findings.append(...report.findings.map((f) => findingItem(f, { withPath: true })));
    showManifest();
  }
  for (const listener of listeners) listener(packed);
}

function showManifest() {
  if (packed === null) return;
  const text = new TextDecoder().decode(packed.manifest);
  // Indented for reading; the digest is of the compact bytes ocikit wrote, shown on request.
  $("pack-manifest").textContent = $("pack-exact").checked ? text : JSON.stringify(JSON.parse(text), null, 2);
}

async function downloadLayout() {
  if (!packed) return;
  const current = packed;
  const button = $("pack-download");
  button.disabled = true;
  try {
    const bytes = new Map();
    for (const f of files) if (!bytes.has(f.digest)) bytes.set(f.digest, new Uint8Array(await f.file.arrayBuffer()));
    const blobs = current.blobs.map((b) => ({ descriptor: b.descriptor, data: b.data ?? bytes.get(b.descriptor.digest) }));
    const tar = layoutTar({ manifest: current.manifest, descriptor: current.descriptor, tag: "latest", blobs });
    saveAs(tar, `${current.digest.replace(":", "-").slice(0, 19)}.tar`, "application/x-tar");
  } catch (error) {
    $("pack-error").textContent = errorText(error);
    $("pack-error").hidden = false;
  } finally {
    button.disabled = packed === null;
  }
}

// ---- For the Push card ---------------------------------------------------------------------

/** What to push: the packed manifest and every blob with its content (a File or bytes), or null. */
export function authored() {
  if (packed === null) return null;
  const byDigest = new Map(files.map((f) => [f.digest, f.file]));
  return {
    ...packed,
    blobs: packed.blobs.map((b) => ({ descriptor: b.descriptor, data: b.data ?? byDigest.get(b.descriptor.digest) })),
  };
}

/** The custom type being authored when it is not in the catalog yet (to register on push). */
export function unregisteredType() {
  const d = selectedType();
  if (!d || artifactTypes().some((t) => t.artifactType === d.artifactType)) return null;
  return d.displayName ? d : null;
}

/** Calls `listener(packed)` after each repack. */
export function onAuthoredChange(listener) {
  listeners.add(listener);
}

/** Makes the authored artifact a referrer of `descriptor` (a manifest in the registry). */
export function setSubject(descriptor, label) {
  subject = descriptor === null ? null : { descriptor, label };
  $("subject-row").hidden = subject === null;
  $("subject-text").textContent = subject?.label ?? "";
  repack();
}

/**
 * Starts a new artifact that refers to `descriptor` ("Attach an artifact to this one…"): a
 * referrer is an artifact of its own (a signature, an SBOM), so the previous artifact's files,
 * annotations and type (the layer media type its files got) are not carried over; the form starts
 * as a fresh page's, with the subject set.
 */
export function startReferrer(descriptor, label) {
  for (const f of files) f.controller?.abort();
  files.length = 0;
  annotations.length = 0;
  showTypes(DEFAULT_TYPE);
  $("custom-type").hidden = true;
  previousDefault = selectedType()?.layerMediaTypes[0] ?? "";
  showFiles();
  showAnnotations();
  showHashStatus();
  setSubject(descriptor, label);
}

export function setUpAuthor() {
  showTypes(DEFAULT_TYPE);
  previousDefault = selectedType()?.layerMediaTypes[0] ?? "";
  $("pack-file").addEventListener("change", () => {
    addFiles([...$("pack-file").files].map((file) => ({ file, name: file.name })));
    $("pack-file").value = "";
  });
  $("pack-folder").addEventListener("change", () => {
    addFolderFiles([...$("pack-folder").files].map((file) => ({ file, name: file.webkitRelativePath || file.name })));
    $("pack-folder").value = "";
  });
  dropZone($("pack-drop"), async (transfer) => addFolderFiles(await droppedFiles(transfer)));
  $("annotation-add").addEventListener("click", addAnnotation);
  $("pack-exact").addEventListener("change", showManifest);
  $("pack-download").addEventListener("click", downloadLayout);
  $("subject-clear").addEventListener("click", () => setSubject(null));
  for (const id of ["custom-artifact-type", "custom-name"]) $(id).addEventListener("input", customChanged);
  $("custom-layer-type").addEventListener("input", () => {
    layerTouched = $("custom-layer-type").value !== "";
    customChanged();
  });
  $("custom-logo").addEventListener("change", logoChosen);
  $("custom-save").addEventListener("click", saveCustomType);
  repack();
}
