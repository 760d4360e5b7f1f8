// Push & browse: a registry connection (the Author card's <oci-artifact-form> pushes through
// it), and browsing a repository (tags, a manifest with its type, files and referrers; downloads of one file or of
// the whole artifact as an OCI layout tar). Every request goes through the package's Client.
import {
  Client,
  OciError,
  OciLayout,
  describe,
  isIndexType,
  lookupArtifactType,
  parseIndex,
  parseManifest,
  shouldUnpack,
  unpackDirectory,
  validate,
} from "ocikit";
import { lookupType, registerType } from "ocikit/elements";
import { startReferrer } from "./author.js";
import { $, el, errorText, saveAs, shortDigest, sizeText } from "./ui.js";

const TITLE = "org.opencontainers.image.title";

// ---- Connection ----------------------------------------------------------------------------

let cached = null; // { key, client, base }

/**
 * The registry's URL as typed: without a scheme, http for a registry on this machine (localhost,
 * 127.0.0.1, [::1]: a local registry rarely has a certificate) and https for any other host.
 */
export function registryUrl(raw) {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return new URL(raw);
  const host = new URL(`http://${raw}`).hostname;
  const local = host === "localhost" || host === "127.0.0.1" || host === "[::1]";
  return new URL(`${local ? "http" : "https"}://${raw}`);
}

/** The Client for the settings in the Registry fieldset (kept while they stay the same). */
export function client() {
  const raw = $("registry-url").value.trim();
  if (raw === "") throw new Error("Enter the registry's URL first, e.g. http://127.0.0.1:5000.");
  let url;
  try {
    url = registryUrl(raw);
  } catch {
    throw new Error(`${raw} is not a URL: write it as http://host:port or https://host.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("The registry URL must start with http:// or https://.");
  if (url.pathname.replace(/\/+$/, "") !== "" && url.pathname.replace(/\/+$/, "") !== "/v2") {
    throw new Error("The registry URL is the registry's origin alone (no path): the API lives at /v2/.");
  }
  const mode = $("auth-mode").value;
  let credentials;
  if (mode === "basic") credentials = { username: $("auth-user").value, password: $("auth-password").value };
  else if (mode === "access") credentials = { accessToken: $("auth-token").value };
  else if (mode === "refresh") credentials = { refreshToken: $("auth-token").value };
  const plainHttp = url.protocol === "http:";
  const key = JSON.stringify([url.host, plainHttp, credentials]);
  if (cached?.key !== key) {
    // One client per settings: it keeps the tokens the registry issues.
    cached = { key, client: new Client({ registry: url.host, plainHttp, credentials }), base: url.host, origin: url.origin };
  }
  return cached.client;
}

/** A request the browser refused to make or finish: unreachable, or blocked by CORS. */
function failedRequest(error) {
  return error instanceof OciError && error.code === "NETWORK_ERROR" && error.details?.phase === "request";
}

/** A person's explanation for a failed registry call (a failed request: see showRegistryError). */
function registryError(error) {
  const text = errorText(error);
  if (failedRequest(error)) return `${text} — checking whether the registry answers…`;
  if (error instanceof OciError && error.code === "UNAUTHORIZED") return `${text} — check the sign-in settings above.`;
  return text;
}

/**
 * Whether anything answers at `origin`. A browser reports a refused connection, a failed TLS
 * handshake and a CORS refusal alike (a TypeError), but a "no-cors" request succeeds (with an
 * opaque answer) from any server that answers at all, whatever its CORS headers.
 */
async function answers(origin) {
  try {
    await fetch(`${origin}/v2/`, { mode: "no-cors", cache: "no-store", credentials: "omit", signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Shows a failed registry call's explanation in `node`. A failed request is told apart: a
 * registry that does not answer is "unreachable"; one that answers refused this page (CORS).
 */
export function showRegistryError(node, error) {
  const first = registryError(error);
  node.textContent = first;
  if (!failedRequest(error) || cached === null) return;
  const { origin } = cached;
  answers(origin).then((answered) => {
    if (node.textContent !== first) return; // something else is shown by now
    const text = errorText(error);
    node.textContent = answered
      ? `${text} — the registry at ${origin} answers, but not to this page: does it allow this page's origin (${location.origin}) with CORS?`
      : `${text} — ${origin} is unreachable: is the registry running there, and is the scheme (http:// or https://) the one it serves?`;
  });
}

function repository(id) {
  const value = $(id).value.trim().replace(/^\/+|\/+$/g, "");
  if (value === "") throw new Error("Enter a repository, e.g. docs/handbook.");
  return value;
}

function showAuthFields() {
  const mode = $("auth-mode").value;
  for (const field of document.querySelectorAll("[data-auth]")) field.hidden = !field.dataset.auth.split(" ").includes(mode);
}

// ---- Browse --------------------------------------------------------------------------------

let shown = null; // { repo, tag, digest, mediaType, bytes, manifest, index }

function browseStatus(text, error = null) {
  $("browse-status").textContent = text;
  $("browse-error").hidden = error === null;
  if (error === null) $("browse-error").textContent = "";
  else showRegistryError($("browse-error"), error);
}

/**
 * Lists the tags of the repository in <oci-tag-list> (ocikit/elements): a page at a time through
 * the client's listTagsPage, the rows in view resolved lazily, referrer and signature tags hidden.
 */
function listTags() {
  const list = $("browse-tags");
  let repo;
  let registryClient;
  try {
    repo = repository("browse-repo");
    registryClient = client();
  } catch (thrown) {
    browseStatus("", thrown);
    return;
  }
  browseStatus(`Listing the tags of ${repo}…`);
  list.loadPage = async ({ last, n }) => {
    try {
      return await registryClient.listTagsPage(repo, last === undefined ? { n } : { n, last });
    } catch (thrown) {
      browseStatus("", thrown);
      throw thrown;
    }
  };
  list.client = registryClient; // resolves the rows in view (their manifests), and reloads
  list.setAttribute("repository", repo);
  list.hidden = false;
}

/** The status line once a page of tags is in: how many, and whether more are to load. */
function tagsListed(event) {
  const list = $("browse-tags");
  const repo = list.getAttribute("repository");
  const count = list.tags.length;
  const s = count === 1 ? "" : "s";
  if (count === 0) browseStatus(`${repo} has no tags.`);
  else if (event.detail.next !== null) browseStatus(`${count} tag${s} of ${repo} loaded, more to load:`);
  else browseStatus(`${count} tag${s} in ${repo}:`);
}

function isDigest(text) {
  return /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(text);
}

/** Opens `ref` (a tag or a digest) of `repo` in the artifact view. */
export async function openManifest(repo, ref) {
  const view = $("artifact");
  $("open-ref").value = ref;
  const reference = isDigest(ref) ? `${repo}@${ref}` : `${repo}:${ref}`;
  browseStatus(`Opening ${reference}…`);
  let fetched;
  try {
    fetched = await client().fetch(reference);
  } catch (thrown) {
    browseStatus("", thrown);
    return;
  }
  browseStatus("");
  const isIndex = isIndexType(fetched.mediaType);
  let parsed;
  let description = null;
  try {
    parsed = isIndex ? parseIndex(fetched.bytes).index : parseManifest(fetched.bytes).manifest;
    if (!isIndex) description = describe(fetched.bytes);
  } catch (thrown) {
    browseStatus("", thrown);
    return;
  }
  shown = { repo, tag: isDigest(ref) ? null : ref, digest: fetched.digest, mediaType: fetched.mediaType, bytes: fetched.bytes, parsed, isIndex };

  // The core's definition of the type (a type registered on this page included) is the card's too.
  const definition = description?.definition ?? (isIndex ? lookupArtifactType(parsed.artifactType ?? "") : null);
  if (definition && !lookupType(definition.artifactType)) registerType(definition);
  const card = $("artifact-card");
  card.setAttribute("reference", `${client().registry}/${reference}`);
  card.descriptor = { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.byteLength };
  card.manifest = fetched.bytes;
  $("artifact-type").textContent = description ? `${description.artifactType} (${description.source})` : parsed.artifactType ?? "—";
  $("artifact-ref").textContent = `${client().registry}/${reference}`;
  $("artifact-media-type").textContent = fetched.mediaType;
  const report = validate(fetched.bytes);
  $("artifact-valid").textContent = report.valid
    ? `valid ${report.kind}${report.findings.length ? ` (${report.findings.map((f) => f.code).join(", ")})` : ""}`
    : `invalid: ${report.findings.filter((f) => f.severity === "error").map((f) => `${f.code} at ${f.path || "/"}`).join("; ")}`;

  const annotationList = $("artifact-annotations");
  annotationList.replaceChildren();
  for (const [key, value] of Object.entries(parsed.annotations ?? {})) {
    annotationList.append(el("dt", { class: "mono", text: key }), el("dd", { text: value }));
  }

  // The files (or an index's manifests) in <oci-file-list>: each download verified against its
  // digest, through the client (which verifies as it streams, with the progress bar below).
  $("artifact-files-heading").textContent = isIndex ? "Manifests in this index" : "Files";
  $("artifact-entries-block").hidden = true;
  $("artifact-entries").replaceChildren();
  const files = $("artifact-files");
  files.setAttribute("reference", `${client().registry}/${reference}`);
  files.fetchBlob = (layer) => fetchWithProgress(repo, fetched.digest, layer);
  files.manifest = fetched.bytes;
  // A directory layer (ORAS's unpack annotation): its tar, or its entries one by one.
  const directories = $("artifact-directories");
  directories.replaceChildren();
  for (const layer of isIndex ? [] : parsed.layers.filter((l) => shouldUnpack(l))) {
    const title = layer.annotations?.[TITLE] ?? layer.digest;
    directories.append(
      el(
        "li",
        {},
        el("code", { class: "mono", text: title }),
        el("button", { type: "button", class: "secondary small", text: "Download tar", "aria-label": `Download ${title} as a tar`, onclick: () => downloadTar(layer) }),
        el("button", { type: "button", class: "secondary small", text: "Browse", "aria-label": `Browse the entries of ${title}`, onclick: () => browseDirectory(layer) }),
      ),
    );
  }
  directories.hidden = directories.childElementCount === 0;
  $("artifact-layout").disabled = isIndex;
  $("artifact-layout").title = isIndex ? "Open one of the index's manifests to download it" : "";
  const manifestView = $("artifact-manifest");
  manifestView.validate = validate;
  manifestView.setAttribute("expected-digest", fetched.digest);
  manifestView.document = fetched.bytes;
  $("artifact-status").textContent = "";
  $("artifact-error").hidden = true;
  showReferrers(repo, fetched.digest);
  view.hidden = false;
  view.focus({ preventScroll: true });
  view.scrollIntoView({ block: "start" });
}

/**
 * What refers to `digest`, in <oci-referrers-tree> (ocikit/elements), a level at a time through
 * the client's referrers. Where the registry has no referrers API (distribution 2.x, whose 404
 * for the API lacks CORS headers and reaches the page as a network error) the client reads the
 * referrers tag schema, and the tree says so.
 */
function showReferrers(repo, digest) {
  const tree = $("referrers");
  $("referrers-error").hidden = true;
  tree.strings = { none: "Nothing refers to this manifest." };
  tree.loadReferrers = async (subject) => {
    const registryClient = client();
    try {
      const referrers = await registryClient.referrers(`${repo}@${subject}`);
      return { referrers, fromTagSchema: registryClient.referrersApi === false };
    } catch (thrown) {
      if (shown?.digest === digest) {
        showRegistryError($("referrers-error"), thrown);
        $("referrers-error").hidden = false;
      }
      throw thrown;
    }
  };
  tree.loadManifest = async (referrer) => (await client().fetch(`${repo}@${referrer}`)).bytes;
  tree.setAttribute("repository", repo);
  tree.setAttribute("subject", digest);
  tree.refresh();
}

/** A blob of the shown manifest through the client (verified as it streams), with progress. */
async function fetchWithProgress(repo, digest, layer) {
  const progress = $("artifact-progress");
  $("artifact-error").hidden = true;
  progress.hidden = false;
  progress.value = 0;
  try {
    return await client().fetchBlob(`${repo}@${digest}`, layer, {
      onProgress: (done, total) => {
        progress.value = total === 0 ? 1 : done / total;
      },
    });
  } catch (thrown) {
    showRegistryError($("artifact-error"), thrown);
    $("artifact-error").hidden = false;
    throw thrown;
  } finally {
    progress.hidden = true;
  }
}

function baseName(path) {
  return path.split("/").filter(Boolean).pop() ?? path;
}

async function withArtifactProgress(label, task) {
  const progress = $("artifact-progress");
  const status = $("artifact-status");
  $("artifact-error").hidden = true;
  progress.hidden = false;
  progress.value = 0;
  status.textContent = label;
  try {
    await task((done, total) => {
      progress.value = total === 0 ? 1 : done / total;
      status.textContent = `${label} ${sizeText(done)} of ${sizeText(total)}`;
    });
    status.textContent = `${label} done.`;
  } catch (thrown) {
    status.textContent = "";
    showRegistryError($("artifact-error"), thrown);
    $("artifact-error").hidden = false;
  } finally {
    progress.hidden = true;
  }
}

/** A directory layer's tar: the layer, verified as it streams in, then gunzipped. */
async function downloadTar(layer) {
  if (shown === null) return;
  const { repo, digest } = shown;
  const title = layer.annotations?.[TITLE] ?? layer.digest.replace(":", "-");
  await withArtifactProgress(`Downloading ${title}:`, async (onProgress) => {
    const bytes = await client().fetchBlob(`${repo}@${digest}`, layer, { onProgress });
    // The entries are checked first (the core's unpacker: no link leading out, no `..`, the
    // content digest of io.deis.oras.content.digest), so only a safe tar is saved.
    await unpackDirectory(bytes, layer);
    const tar = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    saveAs(new Uint8Array(tar), `${baseName(title)}.tar`, "application/x-tar");
  });
}

/** A directory layer's entries, one by one (the core's unpacker checks each), each file downloadable. */
async function browseDirectory(layer) {
  if (shown === null) return;
  const { repo, digest } = shown;
  const title = layer.annotations?.[TITLE] ?? shortDigest(layer.digest);
  await withArtifactProgress(`Opening ${title}:`, async (onProgress) => {
    const bytes = await client().fetchBlob(`${repo}@${digest}`, layer, { onProgress });
    const { entries } = await unpackDirectory(bytes, layer);
    const body = $("artifact-entries");
    body.replaceChildren();
    for (const entry of entries) {
      const size = entry.data?.length;
      const cell = el("td");
      if (entry.type === "file" && entry.data) {
        const data = entry.data;
        cell.append(
          el("button", {
            type: "button",
            class: "secondary small",
            text: "Download",
            "aria-label": `Download ${entry.path}`,
            onclick: () => saveAs(data, baseName(entry.path), "application/octet-stream"),
          }),
        );
      }
      body.append(
        el(
          "tr",
          {},
          el("td", { class: "mono name", text: entry.path }),
          el("td", { text: entry.target ? `${entry.type} → ${entry.target}` : entry.type }),
          el("td", { text: size === undefined ? "" : sizeText(size) }),
          el("td", { class: "mono", text: (entry.mode & 0o777).toString(8).padStart(4, "0") }),
          cell,
        ),
      );
    }
    $("artifact-entries-title").textContent = title;
    $("artifact-entries-block").hidden = false;
  });
}

async function downloadLayout() {
  if (shown === null || shown.isIndex) return;
  const { repo, tag, digest } = shown;
  await withArtifactProgress("Downloading the artifact:", async (onProgress) => {
    // The core's copy into a layout in memory: each blob once, verified as it streams in.
    const layout = new OciLayout();
    await client().copy(`${repo}@${digest}`, tag ?? digest, { to: layout, onProgress });
    const name = `${baseName(repo)}-${tag ?? digest.replace(":", "-").slice(0, 19)}.tar`;
    saveAs(layout.toTar(), name, "application/x-tar");
  });
}

function attach() {
  if (shown === null) return;
  const { repo, digest, mediaType, bytes, parsed } = shown;
  startReferrer(
    { mediaType, digest, size: bytes.byteLength, ...(parsed.artifactType ? { artifactType: parsed.artifactType } : {}) },
    `${client().registry}/${repo}@${shortDigest(digest)}`,
    repo,
  );
  location.hash = "#author";
  $("pack-heading").focus();
}

export function setUpRegistry() {
  $("connection").addEventListener("submit", (event) => event.preventDefault());
  $("auth-mode").addEventListener("change", showAuthFields);
  showAuthFields();
  for (const node of document.querySelectorAll(".page-origin")) node.textContent = location.origin;
  $("browse-form").addEventListener("submit", (event) => {
    event.preventDefault();
    listTags();
  });
  $("open-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const ref = $("open-ref").value.trim();
    try {
      if (ref === "") throw new Error("Enter a tag or a digest to open.");
      openManifest(repository("browse-repo"), ref);
    } catch (thrown) {
      browseStatus("", thrown);
    }
  });
  $("artifact-layout").addEventListener("click", downloadLayout);
  // A manifest the shown document names (an index's child, a subject) opens; blobs are in the file list.
  $("browse-tags").addEventListener("oci-page", tagsListed);
  $("browse-tags").addEventListener("oci-open", (event) => openManifest($("browse-tags").getAttribute("repository"), event.detail.tag));
  // An index's child in the file list, or a referrer in the tree, opens.
  for (const id of ["artifact-files", "referrers"]) {
    $(id).addEventListener("oci-open", (event) => {
      if (shown) openManifest(shown.repo, event.detail.descriptor.digest);
    });
  }
  $("artifact-manifest").addEventListener("oci-open", (event) => {
    const { descriptor } = event.detail;
    if (shown && (isIndexType(descriptor.mediaType) || /\bmanifest\b/.test(descriptor.mediaType))) openManifest(shown.repo, descriptor.digest);
  });
  $("artifact-attach").addEventListener("click", attach);
}
