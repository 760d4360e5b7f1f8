// <oci-manifest-view expected-digest="sha256:…">: a manifest or index (.document: text, bytes or
// an object) as indented JSON, each finding of validate() marked at its JSON pointer and listed
// with a link to its line, the digest of the exact bytes checked against expected-digest, and
// every descriptor's digest a button (oci-open { descriptor, pointer }). .validate(bytes) →
// report (by default ocikit's validate, which loads the wasm the first time).
import { OciElement, define, h, sha256 } from "./base.js";

/** @typedef {import("../index.js").Report} Report */

const esc = (key) => String(key).replaceAll("~", "~0").replaceAll("/", "~1");

/** Lines of indented JSON, each with the JSON pointer of the value it starts. */
function lines(value, pointer = "", indent = "", key = null, last = true, out = []) {
  const prefix = indent + (key === null ? "" : `${JSON.stringify(key)}: `);
  const comma = last ? "" : ",";
  if (value && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0) {
      out.push({ pointer, text: `${prefix}${open}${close}${comma}`, value });
      return out;
    }
    out.push({ pointer, text: `${prefix}${open}`, value });
    entries.forEach(([k, v], i) => lines(v, `${pointer}/${esc(k)}`, `${indent}  `, Array.isArray(value) ? null : k, i === entries.length - 1, out));
    out.push({ pointer: null, text: `${indent}${close}${comma}` });
  } else {
    out.push({ pointer, text: `${prefix}${JSON.stringify(value)}${comma}`, value });
  }
  return out;
}

export class OciManifestView extends OciElement {
  static observedAttributes = ["expected-digest", "theme"];
  static strings = {
    label: "Manifest",
    digestOk: (digest) => `The content has the expected digest ${digest}.`,
    digestBad: (expected, actual) => `Digest mismatch: expected ${expected}, the content hashes to ${actual}.`,
    digest: (digest) => `Digest ${digest}`,
    valid: "Valid: no findings.",
    findings: (n) => (n === 1 ? "1 finding" : `${n} findings`),
    invalidJson: (message) => `Not JSON: ${message}`,
    open: (digest) => `Open ${digest}`,
    error: "error",
    warning: "warning",
    validating: "Validating…",
    notValidated: (message) => `Could not validate: ${message}`,
  };
  static css = `pre{margin:0;padding:.5em 0;background:var(--_subtle);border-radius:var(--oci-radius,6px);overflow-x:auto}
.line{display:block;padding:0 .8em;white-space:pre}.line.flag{background:var(--_mark)}
.line:target,.line:focus{outline:2px solid var(--_accent)}
.digest button{font-family:inherit;padding:0 .2em}
ol{padding-left:1.4em;margin:.4em 0}.sev-error{color:var(--_danger);font-weight:600}.sev-warning{color:var(--_fg);font-weight:600}
.status{margin:.3em 0}`;
  /** @type {Uint8Array | null} */
  #bytes = null;
  /** @type {Report | null} */
  #report = null;
  /** @type {string | null} */
  #actual = null;
  /** @type {unknown} why validating failed (the module could not load) */
  #failed = null;
  /** @type {((bytes: Uint8Array) => Report | Promise<Report>) | null} */
  validate = null;

  /** @param {string | Uint8Array | object | null} value */
  set document(value) {
    if (value && typeof value === "object" && !(value instanceof Uint8Array)) value = JSON.stringify(value);
    this.#bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
    this.#report = null;
    this.#actual = null;
    this.#failed = null;
    if (this.#bytes) {
      const bytes = this.#bytes;
      sha256(bytes).then((d) => {
        if (bytes !== this.#bytes) return;
        this.#actual = d;
        this.update();
      });
      this.#check(bytes);
    }
    this.update();
  }
  get document() {
    return this.#bytes;
  }
  /** The validation report shown, once there is one. */
  get report() {
    return this.#report;
  }

  async #check(bytes) {
    let report;
    try {
      // The lite module is enough to validate (or the full one, when the page has it already).
      const validate = this.validate ?? (await import("../lite.js")).validate;
      report = await validate(bytes);
    } catch (error) {
      // No validation (the module could not load): the document is shown, and why not checked.
      if (bytes !== this.#bytes) return;
      this.#failed = error;
      this.update();
      return;
    }
    if (bytes !== this.#bytes) return;
    this.#report = report;
    this.update();
    this.emit("oci-validated", { report });
  }

  paint() {
    if (!this.#bytes) return this.show();
    let value;
    try {
      value = JSON.parse(new TextDecoder().decode(this.#bytes));
    } catch (error) {
      return this.show(h("p", { class: "error", role: "alert" }, this.t("invalidJson", /** @type {Error} */ (error).message)));
    }
    const findings = this.#report?.findings ?? [];
    const byPointer = new Map();
    for (const f of findings) {
      // A finding points at the value or, for a missing field, at its object.
      byPointer.set(f.path ?? "", [...(byPointer.get(f.path ?? "") ?? []), f]);
    }
    const id = (i) => `l${i}`;
    const all = lines(value);
    const pointerLine = new Map(all.map((l, i) => /** @type {[string, number]} */ ([l.pointer, i])).filter(([p]) => p !== null).reverse());
    const lineOf = (pointer) => {
      for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
        if (pointerLine.has(p)) return pointerLine.get(p);
        if (p === "") return 0;
      }
    };
    const flagged = new Set(findings.map((f) => lineOf(f.path ?? "")));
    const rendered = all.map((l, i) => {
      const parts = [l.text];
      // A descriptor's digest: a button that asks the host to open it.
      const parentPointer = l.pointer?.slice(0, l.pointer.lastIndexOf("/"));
      if (l.pointer?.endsWith("/digest") && typeof l.value === "string") {
        const parent = all.find((x) => x.pointer === parentPointer)?.value;
        if (parent && typeof parent.mediaType === "string" && parentPointer !== "") {
          const at = l.text.lastIndexOf(JSON.stringify(l.value));
          parts.splice(0, 1, l.text.slice(0, at), h("span", { class: "digest" }, h("button", { type: "button", "aria-label": this.t("open", l.value), onclick: () => this.emit("oci-open", { descriptor: parent, pointer: parentPointer }) }, JSON.stringify(l.value))), l.text.slice(at + JSON.stringify(l.value).length));
        }
      }
      return h("span", { class: flagged.has(i) ? "line flag" : "line", id: id(i), tabindex: flagged.has(i) ? "-1" : null, "data-pointer": l.pointer ?? "" }, parts);
    });
    const expected = this.getAttribute("expected-digest");
    let digestStatus = null;
    if (this.#actual) {
      if (!expected) digestStatus = h("p", { class: "status" }, this.t("digest", this.#actual));
      else if (expected === this.#actual) digestStatus = h("p", { class: "status ok", part: "digest-status" }, this.t("digestOk", expected));
      else digestStatus = h("p", { class: "status error", role: "alert", part: "digest-status" }, this.t("digestBad", expected, this.#actual));
    }
    const summary = this.#report
      ? findings.length === 0
        ? h("p", { class: "status ok", role: "status" }, this.t("valid"))
        : h("div", { part: "findings" },
            h("p", { class: "status", role: "status" }, this.t("findings", findings.length)),
            h("ol", {}, findings.map((f) => h("li", { "data-code": f.code },
              h("span", { class: `sev-${f.severity}` }, this.t(f.severity)), " ",
              h("code", {}, f.code), " ",
              h("a", { href: `#${id(lineOf(f.path ?? ""))}`, onclick: (e) => {
                e.preventDefault();
                /** @type {ShadowRoot} */ (this.shadowRoot).getElementById(id(lineOf(f.path ?? "")))?.focus();
              } }, f.path || "/"),
              ": ", f.message))))
      : this.#failed
        ? h("p", { class: "status error", role: "alert" }, this.t("notValidated", /** @type {Error} */ (this.#failed).message ?? String(this.#failed)))
        : h("p", { class: "status muted", role: "status" }, this.t("validating"));
    this.show(h("section", { "aria-label": this.getAttribute("aria-label") ?? this.t("label"), part: "view" }, digestStatus, summary, h("pre", { part: "document", tabindex: "0", "aria-label": this.t("label") }, h("code", {}, rendered))));
  }
}

define("oci-manifest-view", OciManifestView);
