// <oci-artifact-card reference="registry/repo:tag">: one artifact — its type, the title,
// description and source annotations, the digest (with a copy button), size, created time, the
// commands that pull it, and a slot for the host's actions (<button slot="actions">). The title is
// a heading of level `heading-level` (3 by default), to fit the host page's outline.
// Data: .manifest (object, JSON text or bytes) with `digest` (attribute) or .descriptor; or
// .client (an ocikit Client) and `reference`, from which it fetches the manifest itself.
import { OciElement, define, formatSize, h, sha256 } from "./base.js";
import { describeManifest, manifestObject, pullCommands } from "./types.js";
import "./type-badge.js";

/** @typedef {import("../index.js").Client} Client */
/** @typedef {import("../index.js").Descriptor} Descriptor */

const A = "org.opencontainers.image.";

export class OciArtifactCard extends OciElement {
  static observedAttributes = ["reference", "digest", "heading-level", "theme"];

  attributeChangedCallback(name, before, after) {
    // Another reference for a card that loads its manifest: load that one.
    if (name === "reference" && before !== after && this.#client && this.#loading !== null) {
      this.#manifest = null;
      this.#loading = null;
      this.#error = null;
    }
    this.update();
  }
  static strings = {
    digest: "Digest",
    size: "Size",
    created: "Created",
    source: "Source",
    pull: "Pull with",
    copy: "Copy",
    copied: "Copied",
    copyDigest: "Copy the digest",
    loading: "Loading…",
    failed: (message) => `Could not load the artifact: ${message}`,
  };
  static css = `:host{border:1px solid var(--_border);padding:.8em 1em}
.title{margin:.6em 0 .2em;font-size:1.1em;font-weight:600}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;margin:.6em 0}dt{color:var(--_muted)}dd{margin:0;overflow-wrap:anywhere}
pre{margin:.2em 0;padding:.3em .5em;background:var(--_subtle);border-radius:var(--oci-radius,6px);overflow-x:auto}
.actions{display:flex;gap:.5em;flex-wrap:wrap;margin-top:.6em}`;
  /** @type {Record<string, any> | null} */
  #manifest = null;
  /** @type {Descriptor | null} */
  #descriptor = null;
  /** @type {Client | null} */
  #client = null;
  /** @type {string | null} */
  #digest = null;
  /** @type {unknown} what fetching the manifest threw */
  #error = null;
  #copied = false;
  /** @type {string | null} */
  #loading = null;

  /** @param {object | string | Uint8Array | null} value */
  set manifest(value) {
    this.#manifest = manifestObject(value);
    this.#digest = null;
    if (value instanceof Uint8Array || typeof value === "string") {
      const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
      sha256(bytes).then((d) => {
        this.#digest = d;
        this.update();
      });
    }
    this.update();
  }
  get manifest() {
    return this.#manifest;
  }
  set descriptor(value) {
    this.#descriptor = value ?? null;
    this.update();
  }
  get descriptor() {
    return this.#descriptor;
  }
  set client(value) {
    this.#client = value ?? null;
    this.#loading = null;
    this.update();
  }
  get client() {
    return this.#client;
  }

  #load(reference) {
    if (this.#loading === reference) return;
    this.#loading = reference;
    this.#error = null;
    /** @type {Client} */ (this.#client).fetch(reference).then( // paint() loads only with a client
      (fetched) => {
        this.#digest = fetched.digest;
        this.#manifest = manifestObject(fetched.bytes);
        this.#descriptor = { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length };
        this.update();
      },
      (error) => {
        this.#error = error;
        this.update();
      },
    );
  }

  paint() {
    const reference = this.getAttribute("reference");
    if (!this.#manifest && this.#client && reference && !this.#error) this.#load(reference);
    if (this.#error) return this.show(h("p", { class: "error", role: "alert" }, this.t("failed", /** @type {Error} */ (this.#error).message)));
    if (!this.#manifest) return this.show(h("p", { class: "muted", role: "status" }, this.t("loading")));
    const m = this.#manifest;
    const annotations = m.annotations ?? {};
    // An index has no config: its artifactType, else its media type, names it.
    const description = Array.isArray(m.manifests)
      ? { artifactType: m.artifactType ?? m.mediaType ?? "application/vnd.oci.image.index.v1+json" }
      : describeManifest(m);
    const digest = this.getAttribute("digest") ?? this.#descriptor?.digest ?? this.#digest;
    const size = [m.config, ...(m.layers ?? []), ...(m.manifests ?? [])].reduce((sum, d) => sum + (d?.size ?? 0), 0);
    const badge = h("oci-type-badge", { variant: "full", type: description.artifactType, theme: this.getAttribute("theme") });
    const rows = [];
    const row = (label, ...value) => rows.push(h("dt", {}, label), h("dd", {}, ...value));
    if (digest) {
      row(
        this.t("digest"),
        h("code", { part: "digest" }, digest),
        " ",
        h("button", { type: "button", "aria-label": this.t("copyDigest"), onclick: () => this.#copy(digest) }, this.#copied ? this.t("copied") : this.t("copy")),
      );
    }
    row(this.t("size"), formatSize(size));
    if (annotations[`${A}created`]) row(this.t("created"), h("time", { datetime: annotations[`${A}created`] }, annotations[`${A}created`]));
    if (annotations[`${A}source`]) row(this.t("source"), h("code", {}, annotations[`${A}source`]));
    const commands = reference ? pullCommands(reference, description.artifactType) : [];
    this.show(
      h("article", { part: "card", "aria-label": annotations[`${A}title`] ?? reference ?? description.artifactType },
        badge,
        annotations[`${A}title`] && h("div", { role: "heading", "aria-level": this.getAttribute("heading-level") ?? "3", class: "title", part: "title" }, annotations[`${A}title`]),
        annotations[`${A}description`] && h("p", { part: "description" }, annotations[`${A}description`]),
        h("dl", {}, rows),
        commands.length > 0 && h("div", { part: "pull" }, h("span", { class: "muted" }, this.t("pull")), commands.map((c) => h("pre", { tabindex: "0", "aria-label": c }, h("code", {}, c)))),
        h("div", { class: "actions", part: "actions" }, h("slot", { name: "actions" })),
      ),
    );
  }

  async #copy(text) {
    try {
      await navigator.clipboard.writeText(text);
      this.#copied = true;
    } catch {
      this.#copied = false;
    }
    this.emit("oci-copy", { text, copied: this.#copied });
    this.update();
  }
}

define("oci-artifact-card", OciArtifactCard);
