// <oci-referrers-tree subject="sha256:…" repository="repo" depth="3" artifact-type="…" deletable>:
// what refers to a manifest, as nested lists with disclosure buttons (the APG disclosure
// pattern: Tab between buttons, Enter or Space opens). Each level is loaded when it is opened,
// by .loadReferrers(digest) → descriptors or { referrers, fromTagSchema } (by default
// .client.referrers(repository, digest)). A referrer listed without its type, or with the empty
// config's type (some registries, go-containerregistry's among them, report the config media
// type instead of artifactType), is described from its manifest when .loadManifest(digest) →
// bytes (by default .client.fetch) is there. Events: oci-open { descriptor }, and
// oci-delete-request { descriptor, subject } (cancelable) when `deletable`.
import { OciElement, define, formatSize, h, limiter, shortDigest, typeInfo } from "./base.js";
import { describeManifest } from "./types.js";

/** @typedef {import("../index.js").Client} Client */
/** @typedef {import("../index.js").Descriptor} Descriptor */
/** @typedef {import("./index.js").ReferrersAnswer} ReferrersAnswer */

const EMPTY = "application/vnd.oci.empty.v1+json";
import "./type-badge.js";

export class OciReferrersTree extends OciElement {
  static observedAttributes = ["subject", "repository", "depth", "artifact-type", "deletable", "theme"];
  static strings = {
    label: "Referrers",
    none: "Nothing refers to this artifact.",
    loading: "Loading referrers…",
    failed: (message) => `Could not list the referrers: ${message}`,
    fromTagSchema: "Listed from the referrers tag: this registry has no referrers API.",
    expand: (name, digest) => `Show what refers to ${name} ${digest}`,
    open: "Open",
    openLabel: (name, digest) => `Open ${name} ${digest}`,
    delete: "Delete",
    deleteLabel: (name, digest) => `Delete ${name} ${digest}`,
    count: (n) => (n === 1 ? "1 referrer" : `${n} referrers`),
  };
  static css = `ul ul{margin-left:1.2em;border-left:1px solid var(--_border);padding-left:.6em}
li{margin:.2em 0}.row{display:flex;align-items:center;gap:.5em;flex-wrap:wrap;min-height:2em}
.toggle{width:1.9em;height:1.9em;padding:0;border:none}.spacer{display:inline-block;width:1.9em}
.note{margin:.3em 0}`;
  /** @type {Client | null} */
  #client = null;
  /** digest → { state: "loading" | "done" | "error", items, fromTagSchema, error } */
  #levels = new Map();
  #open = new Set();
  /** @type {((digest: string) => Promise<Descriptor[] | ReferrersAnswer>) | null} */
  loadReferrers = null;
  /** @type {((digest: string) => Promise<Uint8Array | ArrayBuffer>) | null} a manifest's bytes by digest (default: the client's fetch) */
  loadManifest = null;
  #run = limiter(4);

  set client(value) {
    this.#client = value ?? null;
    this.refresh();
  }
  get client() {
    return this.#client;
  }

  /** Forgets what was loaded and loads the subject's referrers again. */
  refresh() {
    this.#levels.clear();
    this.#open.clear();
    this.update();
  }

  attributeChangedCallback(name) {
    if (name === "subject" || name === "repository" || name === "artifact-type") this.#levels.clear();
    this.update();
  }

  async #fetch(digest) {
    if (typeof this.loadReferrers === "function") return this.loadReferrers(digest);
    if (!this.#client) throw new Error("no loadReferrers callback and no client");
    const items = await this.#client.referrers(/** @type {string} */ (this.getAttribute("repository")), digest); // none: the client's TypeError is shown
    return { referrers: items, fromTagSchema: this.#client.referrersApi === false };
  }

  /** The descriptor with its type read from its manifest when the listing did not give it. */
  async #typed(d) {
    if (d.artifactType && d.artifactType !== EMPTY) return d;
    const load = typeof this.loadManifest === "function"
      ? this.loadManifest
      : this.#client && ((digest) => /** @type {Client} */ (this.#client).fetch(`${this.getAttribute("repository")}@${digest}`).then((f) => f.bytes));
    if (!load) return d;
    try {
      const bytes = await this.#run(() => load(d.digest));
      const described = describeManifest(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes);
      return described.artifactType ? { ...d, artifactType: described.artifactType } : d;
    } catch {
      return d;
    }
  }

  #level(digest) {
    let level = this.#levels.get(digest);
    if (level) return level;
    level = { state: "loading", items: [] };
    this.#levels.set(digest, level);
    this.#fetch(digest).then(
      async (answer) => {
        let items = Array.isArray(answer) ? answer : (answer?.referrers ?? []);
        items = await Promise.all(items.map((d) => this.#typed(d)));
        const filter = this.getAttribute("artifact-type");
        level.items = filter ? items.filter((d) => (d.artifactType ?? d.mediaType) === filter) : items;
        level.fromTagSchema = Boolean(/** @type {ReferrersAnswer} */ (answer)?.fromTagSchema); // an array has none
        level.state = "done";
        this.update();
      },
      (error) => {
        level.state = "error";
        level.error = error;
        this.update();
      },
    );
    return level;
  }

  #list(digest, depth) {
    const level = this.#level(digest);
    if (level.state === "loading") return h("p", { class: "muted", role: "status" }, this.t("loading"));
    if (level.state === "error") return h("p", { class: "error", role: "alert" }, this.t("failed", level.error?.message ?? String(level.error)));
    if (level.items.length === 0) return h("p", { class: "muted" }, this.t("none"));
    const maxDepth = Number(this.getAttribute("depth") ?? 3);
    return h("ul", { role: "list", part: "list" },
      level.items.map((d) => {
        const type = d.artifactType ?? d.mediaType;
        const key = `${digest}>${d.digest}`;
        const open = this.#open.has(key);
        const badge = h("oci-type-badge", { type, theme: this.getAttribute("theme") });
        const label = typeInfo(type).name;
        const canOpen = depth + 1 < maxDepth;
        const toggle = canOpen
          ? h("button", {
              type: "button", class: "toggle", "aria-expanded": String(open), "aria-label": this.t("expand", label, shortDigest(d.digest)),
              onclick: () => {
                if (open) this.#open.delete(key);
                else this.#open.add(key);
                this.update();
              },
              "data-key": key,
              "data-focus": `t ${key}`,
            }, open ? "▾" : "▸")
          : h("span", { class: "spacer" });
        const actions = [
          h("button", { type: "button", "data-focus": `o ${key}`, "aria-label": this.t("openLabel", label, shortDigest(d.digest)), onclick: () => this.emit("oci-open", { descriptor: d, subject: digest }) }, this.t("open")),
          this.hasAttribute("deletable") &&
            h("button", {
              type: "button", class: "danger", "data-focus": `d ${key}`, "aria-label": this.t("deleteLabel", label, shortDigest(d.digest)),
              onclick: () => this.emit("oci-delete-request", { descriptor: d, subject: digest }, true),
            }, this.t("delete")),
        ];
        const created = d.annotations?.["org.opencontainers.image.created"];
        return h("li", { part: "item", "data-digest": d.digest },
          h("div", { class: "row" }, toggle, badge, h("code", { title: d.digest }, shortDigest(d.digest)), h("span", { class: "muted" }, formatSize(d.size)), created && h("time", { class: "muted", datetime: created }, created), actions),
          open && this.#list(d.digest, depth + 1),
        );
      }),
    );
  }

  paint() {
    const subject = this.getAttribute("subject");
    if (!subject) return this.show(h("p", { class: "muted" }, this.t("none")));
    // A render replaces the buttons: the one that had the focus gets it back.
    const focused = /** @type {HTMLElement | null} */ (/** @type {ShadowRoot} */ (this.shadowRoot).activeElement)?.dataset?.focus;
    const top = this.#level(subject);
    const notes = [...this.#levels.values()].some((l) => l.fromTagSchema) ? h("p", { class: "note muted", part: "note" }, this.t("fromTagSchema")) : null;
    this.show(h("section", { "aria-label": this.getAttribute("aria-label") ?? this.t("label"), part: "tree" },
      top.state === "done" && h("p", { class: "sr", "aria-live": "polite" }, this.t("count", top.items.length)),
      notes,
      this.#list(subject, 0),
    ));
    if (focused) /** @type {HTMLElement | null} */ (/** @type {ShadowRoot} */ (this.shadowRoot).querySelector(`[data-focus="${CSS.escape(focused)}"]`))?.focus();
  }
}

define("oci-referrers-tree", OciReferrersTree);
