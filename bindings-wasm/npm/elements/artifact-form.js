// <oci-artifact-form repository="repo" tag="v1">: author an artifact and push it — files (picked
// or dropped), its type (from the catalog, .types, or any media type, linted as you type), title,
// description and more annotations, a preview of the exact manifest, and push with progress.
// Needs .client (an ocikit Client: the host's credentials stay with it); packing and linting
// load the wasm the first time. Events: oci-pushed { reference, outcome }, oci-push-failed { error }.
import { OciElement, define, formatSize, h } from "./base.js";
import { types as catalogTypes } from "./types.js";

const A = "org.opencontainers.image.";

export class OciArtifactForm extends OciElement {
  static observedAttributes = ["repository", "tag", "theme"];
  static strings = {
    label: "New artifact",
    files: "Files",
    drop: "Drop files here, or choose them:",
    remove: (name) => `Remove ${name}`,
    type: "Artifact type",
    other: "Other media type…",
    custom: "Media type",
    title: "Title",
    description: "Description",
    annotations: "More annotations (one key=value a line)",
    tag: "Tag",
    preview: "Preview the manifest",
    push: "Push",
    pushing: (done, total) => `Pushing… ${done} of ${total} bytes`,
    pushed: (reference) => `Pushed ${reference}`,
    failed: (message) => `Push failed: ${message}`,
    noClient: "No registry client: set .client",
    lintOk: "The media type follows the naming convention.",
    badAnnotation: (line) => `Not key=value: ${line}`,
  };
  static css = `form{display:grid;gap:.7em}label{display:grid;gap:.2em}fieldset{border:1px solid var(--_border);border-radius:var(--oci-radius,6px)}
.drop{border:2px dashed var(--_border);padding:.8em;border-radius:var(--oci-radius,6px)}.drop.over{border-color:var(--_accent)}
.files li{display:flex;gap:.6em;align-items:center}pre{max-height:16em;overflow:auto;background:var(--_subtle);padding:.5em;margin:0}
.row{display:flex;gap:.6em;align-items:center;flex-wrap:wrap}progress{width:12em}`;
  #client = null;
  #files = [];
  #built = null;
  #lintTimer = null;
  types = null;

  set client(value) {
    this.#client = value ?? null;
  }
  get client() {
    return this.#client;
  }
  /** The files chosen so far (File objects). */
  get files() {
    return [...this.#files];
  }

  /** Adds files (File or Blob with a name). */
  addFiles(files) {
    for (const f of files) if (!this.#files.some((g) => g.name === f.name)) this.#files.push(f);
    this.#drawFiles();
  }

  get artifactType() {
    const b = this.#built;
    return b.type.value === "" ? b.custom.value.trim() : b.type.value;
  }

  #annotations() {
    const b = this.#built;
    const out = {};
    if (b.title.value.trim()) out[`${A}title`] = b.title.value.trim();
    if (b.description.value.trim()) out[`${A}description`] = b.description.value.trim();
    for (const line of b.more.value.split("\n").map((l) => l.trim()).filter(Boolean)) {
      const eq = line.indexOf("=");
      if (eq <= 0) throw new TypeError(this.t("badAnnotation", line));
      out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
    }
    return out;
  }

  /** Packs the artifact (the exact manifest that push would upload). */
  async pack() {
    const { pack } = await import("../browser.js");
    const files = await Promise.all(this.#files.map(async (f) => ({ name: f.name, data: new Uint8Array(await f.arrayBuffer()) })));
    return pack({ files, artifactType: this.artifactType || undefined, annotations: this.#annotations() });
  }

  async #preview() {
    const b = this.#built;
    try {
      const packed = await this.pack();
      b.preview.textContent = JSON.stringify(JSON.parse(new TextDecoder().decode(packed.manifest)), null, 2);
      b.preview.hidden = false;
      this.#say("");
    } catch (error) {
      this.#say(error.message ?? String(error), "error");
    }
  }

  async push() {
    const b = this.#built;
    if (!this.#client) return this.#say(this.t("noClient"), "error");
    const tag = b.tagInput.value.trim() || "latest";
    const reference = `${this.getAttribute("repository")}:${tag}`;
    b.push.disabled = true;
    try {
      const packed = await this.pack();
      b.progress.hidden = false;
      const outcome = await this.#client.push(reference, packed, {
        onProgress: (done, total) => {
          b.progress.max = total || 1;
          b.progress.value = done;
          b.progress.setAttribute("aria-valuetext", this.t("pushing", done, total));
        },
      });
      this.#say(this.t("pushed", `${reference}@${outcome.descriptor.digest}`), "ok");
      this.emit("oci-pushed", { reference, outcome });
    } catch (error) {
      this.#say(this.t("failed", error.message ?? String(error)), "error");
      this.emit("oci-push-failed", { error });
    } finally {
      b.push.disabled = false;
      b.progress.hidden = true;
    }
  }

  #say(text, cls = "muted") {
    this.#built.status.textContent = text;
    this.#built.status.className = cls;
  }

  #lint() {
    clearTimeout(this.#lintTimer);
    this.#lintTimer = setTimeout(async () => {
      const b = this.#built;
      const value = b.custom.value.trim();
      if (!value) return (b.lint.textContent = "");
      try {
        const { lintMediaType } = await import("../browser.js");
        const findings = lintMediaType(value, "artifactType");
        b.lint.textContent = findings.length ? findings.map((f) => f.message).join(" ") : this.t("lintOk");
        b.lint.className = findings.some((f) => f.severity === "error") ? "error" : "muted";
      } catch (error) {
        b.lint.textContent = error.message ?? String(error);
        b.lint.className = "error";
      }
    }, 200);
  }

  #drawFiles() {
    const b = this.#built;
    if (!b) return;
    b.list.replaceChildren(...this.#files.map((f) => h("li", {}, h("code", {}, f.name), h("span", { class: "muted" }, formatSize(f.size)),
      h("button", { type: "button", "aria-label": this.t("remove", f.name), onclick: () => {
        this.#files = this.#files.filter((g) => g !== f);
        this.#drawFiles();
      } }, "×"))));
  }

  paint() {
    if (this.#built) return;
    const definitions = this.types ?? catalogTypes();
    const picker = h("input", { type: "file", multiple: true, "aria-label": this.t("files"), onchange: (e) => this.addFiles(e.target.files) });
    const drop = h("div", { class: "drop", part: "drop",
      ondragover: (e) => { e.preventDefault(); drop.classList.add("over"); },
      ondragleave: () => drop.classList.remove("over"),
      ondrop: (e) => { e.preventDefault(); drop.classList.remove("over"); this.addFiles(e.dataTransfer.files); } },
      h("span", { class: "muted" }, this.t("drop")), " ", picker);
    const list = h("ul", { role: "list", class: "files", "aria-label": this.t("files") });
    const type = h("select", { onchange: () => { custom.parentElement.hidden = type.value !== ""; } },
      definitions.map((d) => h("option", { value: d.artifactType }, d.displayName)), h("option", { value: "" }, this.t("other")));
    type.value = "application/vnd.unknown.artifact.v1";
    const custom = h("input", { type: "text", spellcheck: false, oninput: () => this.#lint() });
    const lint = h("span", { class: "muted", "aria-live": "polite" });
    const customLabel = h("label", { hidden: true }, this.t("custom"), custom, lint);
    const title = h("input", { type: "text" });
    const description = h("input", { type: "text" });
    const more = h("textarea", { rows: 2, spellcheck: false });
    const tagInput = h("input", { type: "text", value: this.getAttribute("tag") ?? "latest", spellcheck: false });
    const preview = h("pre", { hidden: true, tabindex: "0", "aria-label": this.t("preview"), part: "preview" });
    const progress = h("progress", { hidden: true, "aria-label": this.t("push") });
    const push = h("button", { type: "submit", class: "primary", part: "push" }, this.t("push"));
    const status = h("p", { class: "muted", role: "status", part: "status" });
    this.#built = { type, custom, lint, title, description, more, tagInput, preview, progress, push, status, list };
    this.show(h("form", { "aria-label": this.getAttribute("aria-label") ?? this.t("label"), part: "form", onsubmit: (e) => { e.preventDefault(); this.push(); } },
      h("fieldset", {}, h("legend", {}, this.t("files")), drop, list),
      h("label", {}, this.t("type"), type), customLabel,
      h("label", {}, this.t("title"), title),
      h("label", {}, this.t("description"), description),
      h("label", {}, this.t("annotations"), more),
      h("label", {}, this.t("tag"), tagInput),
      h("div", { class: "row" }, h("button", { type: "button", onclick: () => this.#preview() }, this.t("preview")), push, progress),
      preview, status));
    this.#drawFiles();
  }
}

define("oci-artifact-form", OciArtifactForm);
