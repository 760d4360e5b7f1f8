// <oci-tag-list repository="repo" page-size="100" concurrency="4">: a repository's tags, a page
// at a time (.loadPage({ last, n }) → { tags, next }; by default .client.listTagsPage), filtered
// as you type, with the referrers and signature tags (sha256-…, .sig, .att, .sbom) hidden by
// default and shown as marks on the tag they belong to. Only the rows in view are in the page,
// and only they are resolved (.resolveTag(tag) → { digest, mediaType, size, artifactType }; by
// default .client.fetch), at most `concurrency` at once, after scrolling stops; tags of one
// digest are grouped. Events: oci-open { tag, descriptor }, oci-page { tags, next }.
import { OciElement, define, formatSize, h, limiter, shortDigest, escapeBidi } from "./base.js";
import { classifyTag, describeManifest, manifestObject } from "./types.js";
import "./type-badge.js";

/** @typedef {import("../index.js").Client} Client */
/** @typedef {import("./index.js").TagPage} TagPage */
/** @typedef {import("./index.js").ResolvedTag} ResolvedTag */

const ROW = 36;
const INDEX_TYPES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];

export class OciTagList extends OciElement {
  static observedAttributes = ["repository", "page-size", "show-referrers", "theme"];
  static strings = {
    label: (repository) => `Tags of ${repository}`,
    filter: "Filter tags",
    showReferrers: "Show referrer and signature tags",
    loadMore: "Load more tags",
    loading: "Loading tags…",
    shown: (shown, loaded, more) => `${shown} of ${loaded} tags loaded${more ? ", more to load" : ""}`,
    failed: (message) => `Could not list the tags: ${message}`,
    resolveFailed: "not found",
    index: "Image index",
    sameDigest: (n) => `+${n} more with this digest`,
    signed: "signed",
    attested: "attested",
    sbom: "SBOM",
    open: (tag) => `Open ${tag}`,
    none: "No tags.",
  };
  static css = `.bar{display:flex;gap:1em;align-items:center;flex-wrap:wrap;margin-bottom:.5em}
.scroller{height:var(--oci-tag-list-height,24rem);overflow-y:auto;border:1px solid var(--_border);border-radius:var(--oci-radius,6px);position:relative}
.spacer{position:relative}
li{position:absolute;left:0;right:0;height:${ROW}px;display:flex;align-items:center;gap:.6em;padding:0 .6em;border-bottom:1px solid var(--_border);white-space:nowrap;overflow:hidden}
li .tag{font-weight:600;border:none;padding:0 .2em;color:var(--_accent)}
.chip{border:1px solid var(--_border);border-radius:999px;padding:0 .5em;font-size:.85em}
.foot{display:flex;gap:1em;align-items:center;margin-top:.5em}`;
  /** @type {Client | null} */
  #client = null;
  #tags = [];
  /** @type {string | null | undefined} undefined: no page loaded yet; null: the last page is loaded */
  #next = undefined;
  #pageState = "idle";
  /** @type {unknown} what loading a page threw */
  #error = null;
  #resolved = new Map();
  /** @type {any} the limiter, with the concurrency it was made for as `limit` */
  #run = limiter(4);
  /** @type {Record<string, any> | null} the built elements by name (h() does not type them) */
  #built = null;
  /** @type {any} setTimeout's handle, or null (clearTimeout's types leave null out; it takes it) */
  #timer = null;
  #generation = 0;
  /** @type {((page: { last?: string, n: number }) => Promise<TagPage>) | null} */
  loadPage = null;
  /** @type {((tag: string) => Promise<ResolvedTag>) | null} */
  resolveTag = null;

  set client(value) {
    this.#client = value ?? null;
    this.reset();
  }
  get client() {
    return this.#client;
  }
  /** Every tag loaded so far, hidden ones included. */
  get tags() {
    return [...this.#tags];
  }
  /** How many tags were resolved (or are being resolved): the manifests fetched. */
  get resolvedCount() {
    return this.#resolved.size;
  }

  /** Forgets the loaded tags and loads the first page again. */
  reset() {
    this.#generation++;
    this.#tags = [];
    this.#next = undefined;
    this.#resolved.clear();
    this.#error = null;
    this.#pageState = "idle";
    this.update();
  }

  attributeChangedCallback(name) {
    if (name === "repository") return this.reset();
    if (name === "theme") this.#built = null;
    this.update();
  }

  /** Loads the next page (the first one when none is loaded); resolves when it is shown. */
  async loadMore() {
    if (this.#pageState === "loading" || this.#next === null) return;
    this.#pageState = "loading";
    this.#error = null;
    this.update();
    const n = Number(this.getAttribute("page-size") ?? 100);
    const last = this.#next;
    const generation = this.#generation;
    try {
      const page = typeof this.loadPage === "function"
        ? await this.loadPage({ last, n })
        : await /** @type {Client} */ (this.#client).listTagsPage(/** @type {string} */ (this.getAttribute("repository")), last === undefined ? { n } : { n, last }); // no client or no repository: the TypeError is shown
      if (generation !== this.#generation) return; // reset meanwhile: another repository
      this.#tags.push(...page.tags);
      this.#next = page.next ?? null;
      this.#pageState = "idle";
      this.emit("oci-page", { tags: page.tags, next: this.#next });
    } catch (error) {
      if (generation !== this.#generation) return;
      this.#pageState = "error";
      this.#error = error;
    }
    this.update();
  }

  #visibleTags() {
    const filter = (this.#built?.filter.value ?? "").trim().toLowerCase();
    const showAll = this.hasAttribute("show-referrers");
    return this.#tags.filter((t) => (showAll || classifyTag(t).kind === "tag") && (!filter || t.toLowerCase().includes(filter)));
  }

  async #resolveOne(tag) {
    if (typeof this.resolveTag === "function") return this.resolveTag(tag);
    const fetched = await /** @type {Client} */ (this.#client).fetch(`${this.getAttribute("repository")}:${tag}`);
    const manifest = manifestObject(fetched.bytes);
    const type = INDEX_TYPES.includes(fetched.mediaType) ? (manifest?.artifactType ?? null) : describeManifest(manifest).artifactType;
    return { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length, artifactType: type };
  }

  #resolveVisible() {
    const { scroller } = /** @type {Record<string, any>} */ (this.#built); // built: paint() ran
    const visible = this.#visibleTags();
    const first = Math.floor(scroller.scrollTop / ROW);
    const last = Math.min(visible.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW));
    const limit = Number(this.getAttribute("concurrency") ?? 4);
    if (this.#run.limit !== limit) {
      this.#run = limiter(limit);
      this.#run.limit = limit;
    }
    for (const tag of visible.slice(first, last)) {
      if (this.#resolved.has(tag)) continue;
      const entry = { state: "loading" };
      this.#resolved.set(tag, entry);
      const generation = this.#generation;
      this.#run(() => (generation === this.#generation ? this.#resolveOne(tag) : null)).then(
        (descriptor) => Object.assign(entry, { state: "done", descriptor }),
        (error) => Object.assign(entry, { state: "error", error }),
      ).then(() => this.#rows());
    }
  }

  #build() {
    const filter = h("input", { type: "search", "aria-label": this.t("filter"), placeholder: this.t("filter"), oninput: () => this.#rows(true), part: "filter" });
    const toggle = h("input", { type: "checkbox", id: "show", checked: this.hasAttribute("show-referrers"), onchange: (e) => this.toggleAttribute("show-referrers", e.target.checked) });
    const list = h("ul", { role: "list", part: "list" });
    const spacer = h("div", { class: "spacer" }, list);
    const scroller = h("div", { class: "scroller", tabindex: "0", role: "region", "aria-label": this.t("label", this.getAttribute("repository") ?? ""), part: "rows",
      onscroll: () => {
        this.#rows();
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#resolveVisible(), 120);
      } }, spacer);
    const status = h("span", { class: "muted", role: "status", part: "status" });
    const more = h("button", { type: "button", onclick: () => this.loadMore(), part: "load-more" }, this.t("loadMore"));
    const error = h("p", { class: "error", role: "alert" });
    this.#built = { filter, toggle, list, spacer, scroller, status, more, error };
    this.show(
      h("div", { class: "bar", part: "toolbar" }, filter, h("label", {}, toggle, " ", this.t("showReferrers"))),
      scroller,
      h("div", { class: "foot" }, more, status),
      error,
    );
  }

  /** Draws the rows in view (and `resolve` them again after a filter change). */
  #rows(resolve = false) {
    const b = this.#built;
    if (!b) return;
    const visible = this.#visibleTags();
    b.spacer.style.height = `${visible.length * ROW}px`;
    const first = Math.max(0, Math.floor(b.scroller.scrollTop / ROW) - 2);
    const last = Math.min(visible.length, Math.ceil((b.scroller.scrollTop + (b.scroller.clientHeight || 400)) / ROW) + 2);
    // Marks from the hidden tags: cosign's signature / attestation / SBOM tags by subject digest.
    const marks = new Map();
    const byDigest = new Map();
    for (const t of this.#tags) {
      const c = classifyTag(t);
      if (c.subject && c.kind !== "referrers" && c.kind !== "tag") marks.set(c.subject, [...(marks.get(c.subject) ?? []), c.kind]);
      const r = this.#resolved.get(t);
      if (r?.state === "done") byDigest.set(r.descriptor.digest, [...(byDigest.get(r.descriptor.digest) ?? []), t]);
    }
    const theme = this.getAttribute("theme");
    const rows = [];
    for (let i = first; i < last; i++) {
      const tag = visible[i];
      const r = this.#resolved.get(tag);
      const d = r?.state === "done" ? r.descriptor : null;
      const shown = escapeBidi(tag);
      const cells = [h("button", { type: "button", class: "tag", "aria-label": this.t("open", shown), onclick: () => this.emit("oci-open", { tag, descriptor: d }) }, shown)];
      if (d) {
        cells.push(d.artifactType || !INDEX_TYPES.includes(d.mediaType) ? h("oci-type-badge", { type: d.artifactType ?? d.mediaType, theme }) : h("span", { class: "chip" }, this.t("index")));
        cells.push(h("code", { title: d.digest }, shortDigest(d.digest)), h("span", { class: "muted" }, formatSize(d.size)));
        const group = byDigest.get(d.digest) ?? [];
        if (group.length > 1) cells.push(h("span", { class: "chip", title: group.map(escapeBidi).join(", ") }, this.t("sameDigest", group.length - 1)));
        const names = { signature: "signed", attestation: "attested", sbom: "sbom" };
        for (const kind of new Set(marks.get(d.digest) ?? [])) cells.push(h("span", { class: "chip", part: `mark-${kind}` }, this.t(names[kind])));
      } else if (r?.state === "error") {
        cells.push(h("span", { class: "error" }, this.t("resolveFailed")));
      }
      rows.push(h("li", { style: `top:${i * ROW}px`, "aria-posinset": String(i + 1), "aria-setsize": String(visible.length), "data-tag": tag, part: "row" }, cells));
    }
    b.list.replaceChildren(...rows);
    b.status.textContent = this.#pageState === "loading" ? this.t("loading") : this.t("shown", visible.length, this.#tags.length, Boolean(this.#next));
    b.more.hidden = this.#next === null;
    b.more.disabled = this.#pageState === "loading";
    b.error.textContent = this.#error ? this.t("failed", /** @type {{ message?: string }} */ (this.#error).message ?? String(this.#error)) : "";
    b.error.hidden = !this.#error;
    if (resolve) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#resolveVisible(), 120);
    }
  }

  paint() {
    if (!this.#built) this.#build();
    /** @type {Record<string, any>} */ (this.#built).toggle.checked = this.hasAttribute("show-referrers");
    if (this.#next === undefined && this.#pageState === "idle" && this.#tags.length === 0 && (this.loadPage || this.#client)) {
      this.loadMore();
      return;
    }
    this.#rows(true);
  }
}

define("oci-tag-list", OciTagList);
