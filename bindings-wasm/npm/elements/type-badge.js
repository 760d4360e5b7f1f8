// <oci-type-badge type="application/vnd.cncf.helm.config.v1+json" variant="icon|chip|full">, or
// .descriptor (its artifactType, else its mediaType) or .manifest (what describe() says): the
// type's logo, display name and description from the catalog, a name read from the naming
// convention for a type the catalog does not know. No wasm.
import { OciElement, define, h, logoImages, typeInfo } from "./base.js";
import { describeManifest } from "./types.js";

/** @typedef {import("../index.js").Descriptor} Descriptor */

export class OciTypeBadge extends OciElement {
  static observedAttributes = ["type", "variant", "theme"];
  static strings = { unknownType: (mediaType) => `Not in the catalog: ${mediaType}` };
  static css = `:host{display:inline-block;background:transparent}
.badge{display:inline-flex;align-items:center;gap:.4em}
:host([variant=chip]) .badge{border:1px solid var(--_border);border-radius:999px;padding:.05em .6em .05em .2em;background:var(--_subtle)}
.full{display:flex;gap:.6em;align-items:flex-start}.full .logo{--oci-logo-size:2.5em}
.name{font-weight:600}.desc{display:block;color:var(--_muted)}`;
  /** @type {Descriptor | null} */
  #descriptor = null;
  /** @type {object | string | Uint8Array | null} */
  #manifest = null;

  set descriptor(value) {
    this.#descriptor = value ?? null;
    this.update();
  }
  get descriptor() {
    return this.#descriptor;
  }
  set manifest(value) {
    this.#manifest = value ?? null;
    this.update();
  }
  get manifest() {
    return this.#manifest;
  }

  /** The media type shown: the attribute, else the descriptor's, else the manifest's. */
  get mediaType() {
    if (this.hasAttribute("type")) return this.getAttribute("type");
    if (this.#descriptor) return this.#descriptor.artifactType ?? this.#descriptor.mediaType ?? "";
    if (this.#manifest) return describeManifest(this.#manifest).artifactType;
    return "";
  }

  paint() {
    const mediaType = this.mediaType;
    const info = typeInfo(mediaType);
    const variant = this.getAttribute("variant") ?? "chip";
    const title = info.known ? mediaType : this.t("unknownType", mediaType);
    if (variant === "icon") {
      this.show(h("span", { class: "badge", part: "badge", title }, logoImages(info, info.name)));
      return;
    }
    const name = h("span", { class: "name", part: "name" }, info.name);
    if (variant === "full") {
      this.show(
        h("span", { class: "full badge", part: "badge" }, logoImages(info, ""), h("span", {}, name, h("span", { class: "desc", part: "description" }, info.known ? info.description : title))),
      );
      return;
    }
    this.show(h("span", { class: "badge", part: "badge", title }, logoImages(info, ""), name));
  }
}

define("oci-type-badge", OciTypeBadge);
