// The Author card is <oci-artifact-form> (ocikit/elements): the type (a catalog type, or your own
// with its media types, display name and logo), files, folders (or a folder as one directory
// layer), per-file layer media types, annotations, a subject, the exact manifest validated on
// every change, its downloads, and the chunked push with progress and cancel. The page gives it
// the client of the "Push & browse" settings, explains a failed push as the rest of the page
// does (unreachable, or CORS), and offers to browse what was pushed.
import { $ } from "./ui.js";

// Uploads go in PATCHed chunks of this size, so that the progress bar moves for large files
// (fetch reports no upload progress within one request).
const CHUNK_SIZE = 8 * 1024 * 1024;

const form = () => $("author-form");

/**
 * Starts a new artifact that refers to `descriptor` ("Attach an artifact to this one…"), pushed
 * into `repository` by digest: nothing of the previous artifact is carried over.
 */
export function startReferrer(descriptor, label, repository) {
  form().setAttribute("repository", repository);
  form().startReferrer(descriptor, label);
}

/**
 * `client()` returns the registry client of the page's settings (it throws with an explanation
 * when they are incomplete); `explain(node, error)` shows a failed call in `node`; `browse(repo,
 * ref)` opens what was pushed.
 */
export function setUpAuthor({ client, explain, browse }) {
  const author = form();
  author.setAttribute("chunk-size", String(CHUNK_SIZE));
  author.client = client; // called at each push: the settings as they are then
  author.addEventListener("oci-push-start", () => {
    $("push-error").hidden = true;
    $("push-result").hidden = true;
  });
  author.addEventListener("oci-push-failed", (event) => {
    event.preventDefault(); // the page explains it (unreachable, or CORS) below the form
    explain($("push-error"), event.detail.error);
    $("push-error").hidden = false;
  });
  author.addEventListener("oci-pushed", (event) => {
    const { reference, outcome } = event.detail;
    const registry = client().registry;
    const byDigest = reference.includes("@");
    $("push-reference").textContent = `${registry}/${reference}${byDigest ? "" : `@${outcome.descriptor.digest}`}`;
    $("push-result").hidden = false;
    const repo = reference.replace(/[@:][^/]*$/, "");
    $("push-open").onclick = () => browse(repo, byDigest ? outcome.descriptor.digest : reference.slice(repo.length + 1));
  });
}
