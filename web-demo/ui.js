// Small DOM helpers shared by the page's parts.
import { OciError } from "ocikit";

export const $ = (id) => document.getElementById(id);

const numberFormat = new Intl.NumberFormat("en");

/** `1,234 bytes`: exact, for sizes a person compares with a registry's. */
export const bytesText = (n) => `${numberFormat.format(n)} bytes`;

/** `12.3 MiB`: short, for tables. */
export function sizeText(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** `sha256:0d9d4998…` for narrow places; the full digest goes in the title. */
export function shortDigest(digest) {
  const colon = digest.indexOf(":");
  return `${digest.slice(0, colon + 1)}${digest.slice(colon + 1, colon + 13)}…`;
}

/** An element with attributes (`text` sets textContent, `class` className) and children. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** The text of an error for a person: an OciError's code first. */
export function errorText(error) {
  if (error instanceof OciError) return `${error.code}: ${error.message}`;
  if (error?.name === "AbortError") return "Cancelled.";
  return String(error?.message ?? error);
}

/** Lets the browser save `data` (a Blob or bytes) as `name`. */
export function saveAs(data, name, type = "application/octet-stream") {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** One validation or lint finding as a list item. */
export function findingItem(finding, { withPath = false } = {}) {
  const item = el("li", { class: finding.severity });
  item.append(el("code", { text: finding.code }), " ");
  if (withPath && finding.path !== undefined) item.append(el("span", { class: "mono path", text: finding.path || "(document)" }), " ");
  item.append(finding.message, " ", el("span", { class: "rule", text: finding.rule }));
  return item;
}

/** Makes a drop zone of `zone`: files dragged over it go to `take(dataTransfer)`. */
export function dropZone(zone, take) {
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer) take(event.dataTransfer);
  });
}
