// Reads the shared vectors of tests/vectors/ exactly as core/tests/vectors.rs does.
import { readFileSync } from "node:fs";

export function load(name) {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}`, import.meta.url), "utf8"));
}

export function fromHex(hex) {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** The bytes a case's `input` names: {text} (UTF-8), {hex}, or {repeat: {hex, count}}. */
export function inputBytes(spec) {
  if (typeof spec.text === "string") return new TextEncoder().encode(spec.text);
  if (typeof spec.hex === "string") return fromHex(spec.hex);
  const unit = fromHex(spec.repeat.hex);
  const out = new Uint8Array(unit.length * spec.repeat.count);
  for (let i = 0; i < out.length; i += unit.length) out.set(unit, i);
  return out;
}

/** Every stable code, raised and findings alike. */
export function listedCodes() {
  const doc = load("error-codes.json");
  return new Set([...doc.raised, ...doc.findings].map((entry) => entry.code));
}

/** The package's entry points under test: the Node entry (node:crypto) and the wasm path. */
export const implementations = [
  ["ocikit (node entry)", await import("ocikit")],
  ["ocikit/wasm", await import("ocikit/wasm")],
];
