// The Digest and Media type cards.
import { OciError, digestBlob, lintMediaType, parseMediaType } from "ocikit";
import { $, bytesText, dropZone, el, errorText, findingItem } from "./ui.js";

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
  $("digest-size").textContent = bytesText(blob.size);
  // A bar and a cancel button only for inputs big enough to take a moment.
  const large = blob.size >= 8 * 1024 * 1024;
  progress.hidden = !large;
  $("digest-cancel").hidden = !large;
  progress.value = 0;
  try {
    // From 8 MiB on, digestBlob hashes in a Web Worker: the page keeps drawing.
    const result = await digestBlob(blob, {
      algorithm: $("algorithm").value,
      signal: controller.signal,
      onProgress: (done, total) => {
        progress.value = total === 0 ? 1 : done / total;
      },
    });
    $("digest-output").textContent = result;
  } catch (error) {
    if (controller.signal.aborted && current !== controller) return; // superseded by a newer input
    $("digest-output").textContent = errorText(error);
  } finally {
    if (current === controller) {
      progress.hidden = true;
      $("digest-cancel").hidden = true;
    }
  }
}

let lastInput = () => showDigest(new Blob([$("text").value]), "The text above, as UTF-8:");

function chooseFile(file) {
  if (!file) return;
  lastInput = () => showDigest(file, `File ${file.name}:`);
  lastInput();
}

// ---- Media type ----------------------------------------------------------------------------

function row(list, term, value) {
  list.append(el("dt", { text: term }), el("dd", { class: "mono", text: value === null || value === "" ? "—" : value }));
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
    error.textContent = errorText(thrown);
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
  findings.append(...warnings.map((finding) => findingItem(finding)));
  if (warnings.length === 0) {
    findings.append(el("li", { class: "ok", text: "No warnings: the name follows RFC 6838 and the artifact naming convention." }));
  }
}

export function setUpTools() {
  $("text").addEventListener("input", () => {
    lastInput = () => showDigest(new Blob([$("text").value]), "The text above, as UTF-8:");
    lastInput();
  });
  $("file").addEventListener("change", () => chooseFile($("file").files[0]));
  $("algorithm").addEventListener("change", () => lastInput());
  $("digest-cancel").addEventListener("click", () => current?.abort(new DOMException("Cancelled", "AbortError")));
  dropZone($("drop"), (transfer) => chooseFile(transfer.files[0]));

  $("media-type").addEventListener("input", showMediaType);
  $("role").addEventListener("change", showMediaType);
  showMediaType();
}
