// What every element shares: the theme (CSS custom properties, light / dark / auto), replaceable
// strings, a DOM builder that only ever makes text nodes of data (no innerHTML), logos as
// images (an SVG shown through <img> never runs script), sizes and digests for people.
import { lookupType, conventionName } from "./types.js";

const LIGHT = "--_fg:var(--oci-fg,#1f2328);--_bg:var(--oci-bg,#fff);--_muted:var(--oci-muted,#59636e);--_accent:var(--oci-accent,#0756b8);--_danger:var(--oci-danger,#b3261e);--_ok:var(--oci-ok,#1a7f37);--_border:var(--oci-border,#d1d9e0);--_subtle:var(--oci-subtle,#f6f8fa);--_mark:var(--oci-mark,#fff8c5);";
const DARK = "--_fg:var(--oci-fg,#e6edf3);--_bg:var(--oci-bg,#0d1117);--_muted:var(--oci-muted,#9198a1);--_accent:var(--oci-accent,#58a6ff);--_danger:var(--oci-danger,#ff7b72);--_ok:var(--oci-ok,#3fb950);--_border:var(--oci-border,#3d444d);--_subtle:var(--oci-subtle,#151b23);--_mark:var(--oci-mark,#3d2e00);";

/** The stylesheet every element starts with; theme="light|dark|auto" (auto follows the system). */
export const baseCss = `
:host{${LIGHT}display:block;color:var(--_fg);background:var(--_bg);font:var(--oci-font,14px/1.45 system-ui,sans-serif);border-radius:var(--oci-radius,6px)}
:host([theme=dark]){${DARK}}
@media (prefers-color-scheme:dark){:host(:not([theme=light])){${DARK}}}
:host([hidden]),[hidden]{display:none!important}
*{box-sizing:border-box}
code,.mono{font-family:var(--oci-font-mono,ui-monospace,monospace);font-size:.92em}
button{font:inherit;color:var(--_accent);background:transparent;border:1px solid var(--_border);border-radius:var(--oci-radius,6px);padding:.15em .6em;cursor:pointer}
button.primary{background:var(--_accent);color:var(--_bg);border-color:var(--_accent)}
button.danger{color:var(--_danger)}
button:disabled{opacity:.6;cursor:default}
button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,[tabindex]:focus-visible{outline:2px solid var(--_accent);outline-offset:2px}
input,select,textarea{font:inherit;color:var(--_fg);background:var(--_bg);border:1px solid var(--_muted);border-radius:var(--oci-radius,6px);padding:.25em .4em}
.muted{color:var(--_muted)}
a{color:var(--_accent)}
.error{color:var(--_danger)}
.ok{color:var(--_ok)}
ul{list-style:none;margin:0;padding:0}
.logo{width:var(--oci-logo-size,1.5em);height:var(--oci-logo-size,1.5em);vertical-align:middle;flex:none}
.logo.dark{display:none}
:host([theme=dark]) .logo.light{display:none}:host([theme=dark]) .logo.dark{display:inline}
@media (prefers-color-scheme:dark){:host(:not([theme=light])) .logo.light{display:none}:host(:not([theme=light])) .logo.dark{display:inline}}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

/** `h("button", { class: "x", onclick }, "text", child)`: an element; strings become text nodes. */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key in el && !key.includes("-") && key !== "list" && key !== "form") el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// Unicode's bidirectional formatting characters (Bidi_Control: ALM, LRM, RLM, the embeddings,
// overrides and isolates). In a name a registry sends (a tag, a file's title) they make the page
// show it in another order than it is written, so that it passes for another ("Trojan Source":
// "report\u202efdp.exe" shows as "reportexe.pdf").
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A registry's name as shown: each bidirectional formatting character as `\uXXXX` (as the CLI shows them).
 * @param {string} text */
export const escapeBidi = (text) => String(text).replace(BIDI, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** A registry's name as a file name to save under: without bidirectional formatting characters.
 * @param {string} text */
export const stripBidi = (text) => String(text).replace(BIDI, "");

/** A data: URL for an SVG logo, shown with <img>: scripts in it never run. */
export const logoUrl = (svg) => `data:image/svg+xml,${encodeURIComponent(svg)}`;

/** The catalog's view of a media type: `{ name, description, logo, darkLogo, known }`. */
export function typeInfo(mediaType) {
  const d = lookupType(mediaType);
  if (d) return { name: d.displayName, description: d.description ?? "", logo: d.logo, darkLogo: d.darkLogo ?? d.logo, url: d.url, known: true };
  const unknown = lookupType("application/vnd.unknown.artifact.v1");
  return { name: conventionName(mediaType) ?? (mediaType || "unknown"), description: mediaType ?? "", logo: unknown?.logo, darkLogo: unknown?.darkLogo ?? unknown?.logo, known: false };
}

/** The logo of a type as two images (light and dark backgrounds); `alt` "" when the name is shown beside it. */
export function logoImages(info, alt) {
  if (!info.logo) return [];
  return [
    h("img", { class: "logo light", src: logoUrl(info.logo), alt, part: "logo" }),
    h("img", { class: "logo dark", src: logoUrl(info.darkLogo), alt, part: "logo" }),
  ];
}

const UNITS = ["B", "KB", "MB", "GB", "TB"];
/** 1234567 → "1.2 MB" (decimal units, as registries show them). */
export function formatSize(bytes) {
  if (typeof bytes !== "number" || !Number.isFinite(bytes) || bytes < 0) return "";
  let i = 0;
  let n = bytes;
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${UNITS[i]}`;
}

/** "sha256:0123456789ab…" → "sha256:0123456789ab". */
export const shortDigest = (digest) => (typeof digest === "string" ? digest.replace(/^([a-z0-9]+:[0-9a-f]{12})[0-9a-f]+$/, "$1") : "");

/** The digest of bytes with WebCrypto: "sha256:<hex>" (or sha512); null for another algorithm. */
export async function digestOf(bytes, algorithm = "sha256") {
  const name = { sha256: "SHA-256", sha512: "SHA-512" }[algorithm];
  if (!name) return null;
  const hash = new Uint8Array(await crypto.subtle.digest(name, bytes));
  return `${algorithm}:${Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** sha256 of bytes with WebCrypto: "sha256:<hex>". */
export const sha256 = (bytes) => digestOf(bytes, "sha256");

/** Runs `tasks` (functions returning promises) at most `limit` at once. */
export function limiter(limit) {
  let running = 0;
  const queue = [];
  const next = () => {
    if (running >= limit || queue.length === 0) return;
    running++;
    const { task, resolve, reject } = queue.shift();
    Promise.resolve()
      .then(task)
      .then(resolve, reject)
      .finally(() => {
        running--;
        next();
      });
  };
  return (task) =>
    new Promise((resolve, reject) => {
      queue.push({ task, resolve, reject });
      next();
    });
}

/**
 * The base of every element: an open shadow root with the theme stylesheet and the element's
 * own, `strings` (defaults in `static strings`, each replaceable: `el.strings = { key: "…" }`),
 * and a render batched to a microtask when an attribute or property changes.
 */
// Without a DOM (server rendering, Node) the module still imports: nothing is defined then.
// Without a DOM (Node, tests importing the module) the elements are plain classes.
const Base = /** @type {typeof HTMLElement} */ (globalThis.HTMLElement ?? class {});

export class OciElement extends Base {
  static strings = {};
  static css = "";
  #strings = {};
  #queued = false;

  constructor() {
    super();
    this.attachShadow({ mode: "open" });
  }

  connectedCallback() {
    this.update();
  }

  attributeChangedCallback() {
    this.update();
  }

  /** Replaces some of the element's strings (functions for those with arguments). */
  set strings(value) {
    this.#strings = { ...value };
    this.update();
  }

  get strings() {
    return { .../** @type {typeof OciElement} */ (this.constructor).strings, ...this.#strings };
  }

  /** The string `key`, formatted with `args` when it is a function. */
  t(key, ...args) {
    const value = this.#strings[key] ?? /** @type {typeof OciElement} */ (this.constructor).strings[key];
    return typeof value === "function" ? value(...args) : (value ?? key);
  }

  /** Renders on the next microtask (several changes in a row render once). */
  update() {
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      if (this.isConnected) this.paint();
    });
  }

  /** Replaces the shadow root's content with `nodes`, after the stylesheets. */
  show(...nodes) {
    const style = h("style", {}, baseCss + /** @type {typeof OciElement} */ (this.constructor).css);
    /** @type {ShadowRoot} */ (this.shadowRoot).replaceChildren(style, ...nodes.flat()); // attached by the constructor
  }

  /** Dispatches a composed, bubbling event; returns false when a listener cancelled it. */
  emit(type, detail, cancelable = false) {
    return this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
  }

  paint() {}
}

/** Defines `name` unless a class is defined there already (two copies of the package on a page). */
export function define(name, cls) {
  if (globalThis.customElements && !customElements.get(name)) customElements.define(name, cls);
}
