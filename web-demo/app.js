// The demo page: everything it computes comes from the npm package's public API.
import {
  artifactTypes,
  digestBlob,
  layoutTar,
  lintMediaType,
  OciError,
  pack,
  parseMediaType,
  validate,
} from "ocikit";

const $ = (id) => document.getElementById(id);
const bytesFormat = new Intl.NumberFormat("en");

// ---- Digest --------------------------------------------------------------------------------

let current = null; // the AbortController of the digest in progress

/** Digests a Blob (a File, or pasted text wrapped in one), replacing any digest in progress. */
async function showDigest(blob, source) {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const progress = $("progress");
  $("digest-source").textContent = source;
  $("digest-output").textContent = "…";
  $("digest-size").textContent = `${bytesFormat.format(blob.size)} bytes`;
  // A bar only for inputs big enough to take a moment.
  progress.hidden = blob.size < 8 * 1024 * 1024;
  progress.value = 0;
  try {
    const result = await digestBlob(blob, {
      algorithm: $("algorithm").value,
      signal: controller.signal,
      onProgress: (done, total) => {
        progress.value = total === 0 ? 1 : done / total;
      },
    });
    $("digest-output").textContent = result;
  } catch (error) {
    if (controller.signal.aborted) return; // superseded by a newer input
    $("digest-output").textContent = error instanceof OciError ? `${error.code}: ${error.message}` : String(error);
  } finally {
    if (current === controller) progress.hidden = true;
  }
}

let lastInput = () => showDigest(new Blob([$("text").value]), "The text above, as UTF-8:");

$("text").addEventListener("input", () => {
  lastInput = () => showDigest(new Blob([$("text").value]), "The text above, as UTF-8:");
  lastInput();
});

function chooseFile(file) {
  if (!file) return;
  lastInput = () => showDigest(file, `File ${file.name}:`);
  lastInput();
}

$("file").addEventListener("change", () => chooseFile($("file").files[0]));
$("algorithm").addEventListener("change", () => lastInput());

const drop = $("drop");
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  chooseFile(event.dataTransfer?.files[0]);
});

// ---- Media type ----------------------------------------------------------------------------

function row(list, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.className = "mono";
  dd.textContent = value === null || value === "" ? "—" : value;
  list.append(dt, dd);
}

function showMediaType() {
  const text = $("media-type").value.trim();
  const role = $("role").value || undefined;
  const parts = $("parts");
  const findings = $("findings");
  const error = $("media-error");
  parts.replaceChildren();
  findings.replaceChildren();
  error.hidden = true;
  if (text === "") return;
  let parsed;
  try {
    parsed = parseMediaType(text);
  } catch (thrown) {
    if (!(thrown instanceof OciError)) throw thrown;
    error.textContent = `${thrown.code}: ${thrown.message}`;
    error.hidden = false;
    return;
  }
  row(parts, "Type", parsed.type);
  row(parts, "Subtype", parsed.subtype);
  row(parts, "Tree", parsed.tree === "" ? "standards" : parsed.tree);
  row(parts, "Suffix", parsed.suffix);
  if (parsed.specDefined) row(parts, "Defined by", "the OCI or Docker specification");
  const artifact = parsed.artifact;
  if (artifact) {
    row(parts, "Org", artifact.org);
    row(parts, "Object type", artifact.objectType);
    row(parts, "Sub types", artifact.subTypes.join(", "));
    row(parts, "Role", artifact.role);
    row(parts, "Version", artifact.version);
    row(parts, "Format", artifact.format);
  }
  const warnings = lintMediaType(text, role);
  for (const finding of warnings) {
    const item = document.createElement("li");
    item.className = finding.severity;
    const code = document.createElement("code");
    code.textContent = finding.code;
    const rule = document.createElement("span");
    rule.className = "rule";
    rule.textContent = finding.rule;
    item.append(code, " ", finding.message, " ", rule);
    findings.append(item);
  }
  if (warnings.length === 0) {
    const item = document.createElement("li");
    item.className = "ok";
    item.textContent = "No warnings: the name follows RFC 6838 and the artifact naming convention.";
    findings.append(item);
  }
}

$("media-type").addEventListener("input", showMediaType);
$("role").addEventListener("change", showMediaType);

showMediaType();

// ---- Pack ----------------------------------------------------------------------------------

const DEFAULT_TYPE = "application/vnd.stevelasker.docsinmarkdown.config.v1+json";
const packFiles = []; // { name, data: Uint8Array, mediaType }
let packed = null; // the latest pack() result, for the download
const catalog = artifactTypes();

/** The catalog as radio buttons, each with the type's logo (shown as an image: no script runs). */
function showTypes() {
  const grid = $("types");
  for (const definition of catalog) {
    const label = document.createElement("label");
    label.title = definition.description;
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "artifact-type";
    input.value = definition.artifactType;
    input.checked = definition.artifactType === DEFAULT_TYPE;
    input.addEventListener("change", repack);
    const logo = document.createElement("img");
    logo.alt = "";
    if (definition.logo) logo.src = `data:image/svg+xml,${encodeURIComponent(definition.logo)}`;
    label.append(input, logo, definition.displayName);
    grid.append(label);
  }
}

function selectedType() {
  return catalog.find((d) => d.artifactType === document.querySelector("input[name=artifact-type]:checked")?.value);
}

async function addFiles(files) {
  const definition = selectedType();
  for (const file of files) {
    packFiles.push({
      name: file.name,
      data: new Uint8Array(await file.arrayBuffer()),
      // The type's first layer media type as a start; ORAS's default without one.
      mediaType: definition?.layerMediaTypes[0] ?? "",
    });
  }
  showFiles();
  repack();
}

function showFiles() {
  const body = $("pack-files");
  body.replaceChildren();
  packFiles.forEach((file, i) => {
    const row = document.createElement("tr");
    const name = document.createElement("td");
    name.className = "mono";
    name.textContent = file.name;
    const size = document.createElement("td");
    size.textContent = `${bytesFormat.format(file.data.length)} bytes`;
    const type = document.createElement("td");
    const input = document.createElement("input");
    input.type = "text";
    input.value = file.mediaType;
    input.placeholder = "application/vnd.oci.image.layer.v1.tar";
    input.setAttribute("aria-label", `Media type of ${file.name}`);
    input.addEventListener("input", () => {
      file.mediaType = input.value.trim();
      repack();
    });
    type.append(input);
    const remove = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "remove";
    button.textContent = "×";
    button.setAttribute("aria-label", `Remove ${file.name}`);
    button.addEventListener("click", () => {
      packFiles.splice(i, 1);
      showFiles();
      repack();
    });
    remove.append(button);
    row.append(name, size, type, remove);
    body.append(row);
  });
}

function repack() {
  const error = $("pack-error");
  error.hidden = true;
  packed = null;
  try {
    packed = pack({
      artifactType: selectedType()?.artifactType,
      files: packFiles.map((f) => ({ name: f.name, data: f.data, mediaType: f.mediaType || undefined })),
    });
  } catch (thrown) {
    if (!(thrown instanceof OciError)) throw thrown;
    error.textContent = `${thrown.code}: ${thrown.message}`;
    error.hidden = false;
  }
  $("pack-download").disabled = packed === null;
  if (packed === null) {
    $("pack-digest").textContent = "—";
    $("pack-size").textContent = "—";
    $("pack-valid").textContent = "—";
    $("pack-manifest").textContent = "";
    return;
  }
  const report = validate(packed.manifest);
  $("pack-digest").textContent = packed.digest;
  $("pack-size").textContent = `${bytesFormat.format(packed.size)} bytes`;
  $("pack-valid").textContent = report.valid
    ? `valid ${report.kind}${report.findings.length ? ` (${report.findings.map((f) => f.code).join(", ")})` : ""}`
    : report.findings.map((f) => `${f.code} ${f.path}`).join("; ");
  // Indented for reading; the digest is of the compact bytes ocikit wrote.
  $("pack-manifest").textContent = JSON.stringify(JSON.parse(new TextDecoder().decode(packed.manifest)), null, 2);
}

$("pack-download").addEventListener("click", () => {
  if (!packed) return;
  const tar = layoutTar({ ...packed, tag: "latest" });
  const url = URL.createObjectURL(new Blob([tar], { type: "application/x-tar" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = `${packed.digest.replace(":", "-").slice(0, 19)}.tar`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
});

$("pack-file").addEventListener("change", () => addFiles([...$("pack-file").files]));
const packDrop = $("pack-drop");
packDrop.addEventListener("dragover", (event) => {
  event.preventDefault();
  packDrop.classList.add("over");
});
packDrop.addEventListener("dragleave", () => packDrop.classList.remove("over"));
packDrop.addEventListener("drop", (event) => {
  event.preventDefault();
  packDrop.classList.remove("over");
  addFiles([...(event.dataTransfer?.files ?? [])]);
});

showTypes();
repack();
document.documentElement.dataset.ready = "true";
