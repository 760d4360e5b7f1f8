// The wasm-bindgen module every function of the package calls: the full module (ocikit_wasm,
// everything) or the lite one (ocikit_lite: no registry engine, layouts, directories or
// collections), set by the entry that loaded it. The full module has every function of the lite
// one, built from the same code, so once it is loaded it serves every entry: a lite entry
// loaded later keeps it, and a full entry loaded after a lite one takes over.

/** The loaded module's generated bindings (`null` until an entry loads one). @type {any} */
export let wasm = null;

let full = false;
/** @type {(() => void)[]} */
const changes = [];

/** Makes `glue` (a wasm-bindgen module, already initialised) the one every function calls. */
export function useGlue(glue, isFull) {
  if (full || wasm === glue) return;
  wasm = glue;
  full = isFull;
  for (const change of changes) change();
}

/** Whether the full module is loaded. */
export function fullLoaded() {
  return full;
}

/** Calls `change` whenever the module changes (for state that points into its memory). */
export function onGlueChange(change) {
  changes.push(change);
}
