// <oci-file-list reference="registry/repo:tag">: the files of a manifest (.manifest: object,
// text or bytes) by title, media type and size, each with a download that is verified against
// its digest before it is saved, and "all as an OCI layout tar"; or the children of an index
// with their platform or type, BuildKit attestation manifests folded under the image they
// describe. Blobs come from .fetchBlob(descriptor) → bytes (by default .client.fetchBlob).
// Events: oci-open { descriptor } (an index child), oci-download { descriptor, name, bytes }
// (cancelable: cancel it to save the bytes yourself).
import { OciElement, define, digestOf, formatSize, h, shortDigest, escapeBidi, stripBidi } from "./base.js";
import { manifestObject } from "./types.js";
import "./type-badge.js";

/** @typedef {import("../index.js").Client} Client */
/** @typedef {import("../index.js").Descriptor} Descriptor */

const TITLE = "org.opencontainers.image.title";
const REF_TYPE = "vnd.docker.reference.type";
const REF_DIGEST = "vnd.docker.reference.digest";

export class OciFileList extends OciElement {
  static observedAttributes = ["reference", "theme"];
  static strings = {
    label: "Files",
    children: "Manifests of the index",
    name: "Name",
    type: "Type",
    size: "Size",
    platform: "Platform",
    download: "Download",
    downloadLabel: (name) => `Download ${name}`,
    all: "Download all as an OCI layout (tar)",
    open: (what) => `Open ${what}`,
    attestations: (n) => (n === 1 ? "1 attestation" : `${n} attestations`),
    verifying: (name) => `Downloading and verifying ${name}…`,
    verified: (name) => `${name}: digest verified.`,
    mismatch: (name) => `${name}: the download does not match its digest; nothing was saved.`,
    failed: (name, message) => `${name}: ${message}`,
    untitled: "(untitled)",
    none: "No files.",
  };
  static css = `table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3em .5em;border-bottom:1px solid var(--_border)}th{color:var(--_muted);font-weight:600}
details{margin:.2em 0 0 1em}summary{cursor:pointer;color:var(--_muted)}.foot{margin-top:.6em}`;
  /** @type {Record<string, any> | null} */
  #manifest = null;
  /** @type {Client | null} */
  #client = null;
  #status = "";
  #statusClass = "muted";
  /** @type {((descriptor: Descriptor) => Promise<Uint8Array | ArrayBuffer | Blob | Response>) | null} */
  fetchBlob = null;

  /** @type {Uint8Array | null} */
  #raw = null;

  /** @param {object | string | Uint8Array | null} value */
  set manifest(value) {
    this.#manifest = manifestObject(value);
    this.#raw = typeof value === "string" ? new TextEncoder().encode(value) : value instanceof Uint8Array ? value : null;
    this.update();
  }
  get manifest() {
    return this.#manifest;
  }
  set client(value) {
    this.#client = value ?? null;
    this.update();
  }
  get client() {
    return this.#client;
  }

  async #bytes(descriptor) {
    if (typeof this.fetchBlob === "function") {
      const got = await this.fetchBlob(descriptor);
      if (got instanceof Uint8Array) return got;
      if (got instanceof ArrayBuffer) return new Uint8Array(got);
      return new Uint8Array(await (got instanceof Response ? got.arrayBuffer() : new Response(got).arrayBuffer()));
    }
    return /** @type {Client} */ (this.#client).fetchBlob(/** @type {string} */ (this.getAttribute("reference")), descriptor); // no client or no reference: the TypeError is shown
  }

  #say(text, cls = "muted") {
    this.#status = text;
    this.#statusClass = cls;
    this.update();
  }

  /** Downloads one layer, checks its digest and size, and saves it (unless the oci-download event is cancelled). */
  async download(descriptor) {
    const name = descriptor.annotations?.[TITLE] ?? shortDigest(descriptor.digest);
    const shown = escapeBidi(name);
    this.#say(this.t("verifying", shown));
    try {
      const bytes = await this.#bytes(descriptor);
      // sha256 and sha512 are checked here (WebCrypto); another algorithm cannot be, and is refused.
      const ok = bytes.length === descriptor.size && (await digestOf(bytes, descriptor.digest.split(":")[0])) === descriptor.digest;
      if (!ok) return this.#say(this.t("mismatch", shown), "error");
      this.#say(this.t("verified", shown), "ok");
      // The event has the title as the registry wrote it; the file is saved without its bidi characters.
      if (this.emit("oci-download", { descriptor, name, bytes }, true)) save(bytes, stripBidi(name.split("/").pop()), descriptor.mediaType);
    } catch (error) {
      this.#say(this.t("failed", shown, /** @type {Error} */ (error).message ?? String(error)), "error");
    }
  }

  /** Downloads every blob of the manifest and saves an OCI image layout tar (needs the wasm: layoutTar). */
  async downloadAll() {
    const m = /** @type {Record<string, any>} */ (this.#manifest); // none: the TypeError below is shown
    const name = `${/** @type {string} */ ((this.getAttribute("reference") ?? "artifact").split("/").pop()).replace(/[:@]/g, "_")}.tar`;
    this.#say(this.t("verifying", name));
    try {
      const { layoutTar } = await import("../browser.js");
      const descriptors = [m.config, ...(m.layers ?? [])].filter((d) => d && !d.data);
      const blobs = [];
      for (const d of descriptors) blobs.push({ descriptor: d, data: await this.#bytes(d) });
      const manifest = this.#raw ?? new TextEncoder().encode(JSON.stringify(m));
      const tag = this.getAttribute("reference")?.match(/:([A-Za-z0-9_][A-Za-z0-9._-]*)$/)?.[1];
      const tar = layoutTar({ manifests: [{ manifest, tag }], blobs });
      this.#say(this.t("verified", name), "ok");
      if (this.emit("oci-download", { descriptor: null, name, bytes: tar }, true)) save(tar, name, "application/x-tar");
    } catch (error) {
      this.#say(this.t("failed", name, /** @type {Error} */ (error).message ?? String(error)), "error");
    }
  }

  #files(m) {
    const layers = m.layers ?? [];
    if (layers.length === 0) return h("p", { class: "muted" }, this.t("none"));
    return h("table", { part: "table", "aria-label": this.t("label") },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, this.t("name")), h("th", { scope: "col" }, this.t("type")), h("th", { scope: "col" }, this.t("size")), h("th", { scope: "col" }, h("span", { class: "sr" }, this.t("download"))))),
      h("tbody", {}, layers.map((d) => {
        const name = d.annotations?.[TITLE];
        return h("tr", { "data-digest": d.digest },
          h("th", { scope: "row" }, name ? h("code", {}, escapeBidi(name)) : h("span", { class: "muted" }, this.t("untitled"))),
          h("td", {}, h("code", {}, d.mediaType)),
          h("td", {}, formatSize(d.size)),
          h("td", {}, h("button", { type: "button", "aria-label": this.t("downloadLabel", name ? escapeBidi(name) : shortDigest(d.digest)), onclick: () => this.download(d) }, this.t("download"))));
      })));
  }

  #children(m) {
    const manifests = m.manifests ?? [];
    const attestations = new Map();
    for (const d of manifests) {
      if (d.annotations?.[REF_TYPE] === "attestation-manifest") attestations.set(d.annotations[REF_DIGEST], [...(attestations.get(d.annotations[REF_DIGEST]) ?? []), d]);
    }
    const theme = this.getAttribute("theme");
    const row = (d) => {
      const p = d.platform;
      const what = p ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : null;
      return h("div", { class: "child" },
        p ? h("code", {}, what) : h("oci-type-badge", { type: d.artifactType ?? d.mediaType, theme }),
        " ", h("code", { class: "muted", title: d.digest }, shortDigest(d.digest)), " ", h("span", { class: "muted" }, formatSize(d.size)), " ",
        h("button", { type: "button", "aria-label": this.t("open", `${what ?? d.artifactType ?? d.mediaType} ${shortDigest(d.digest)}`), onclick: () => this.emit("oci-open", { descriptor: d }) }, this.t("open", "").trim()));
    };
    return h("ul", { role: "list", "aria-label": this.t("children"), part: "children" },
      manifests.filter((d) => d.annotations?.[REF_TYPE] !== "attestation-manifest").map((d) => {
        const folded = attestations.get(d.digest) ?? [];
        return h("li", { "data-digest": d.digest }, row(d), folded.length > 0 && h("details", {}, h("summary", {}, this.t("attestations", folded.length)), h("ul", { role: "list" }, folded.map((a) => h("li", {}, row(a))))));
      }));
  }

  paint() {
    const m = this.#manifest;
    if (!m) return this.show();
    const isIndex = Array.isArray(m.manifests);
    this.show(
      h("section", { "aria-label": this.getAttribute("aria-label") ?? (isIndex ? this.t("children") : this.t("label")), part: "files" },
        isIndex ? this.#children(m) : this.#files(m),
        !isIndex && (m.layers ?? []).length > 0 && h("div", { class: "foot" }, h("button", { type: "button", onclick: () => this.downloadAll(), part: "download-all" }, this.t("all"))),
        h("p", { class: this.#statusClass, role: "status", part: "status" }, this.#status)));
  }
}

/** Saves bytes as a file through a temporary object URL. */
function save(bytes, name, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type: type || "application/octet-stream" }));
  const a = h("a", { href: url, download: name || "download" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

define("oci-file-list", OciFileList);
