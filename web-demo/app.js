// The demo page: everything it computes comes from the npm package's public API.
import { digestBlob, lintMediaType, OciError, parseMediaType } from "ocikit";

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
document.documentElement.dataset.ready = "true";
