// OciError, and the one conversion from what the wasm module throws (converted, and core,
// which every module calls the wasm module through).

/**
 * An error reported by ocikit. `code` is one of the stable codes shared with ocikit for Python
 * (`DIGEST_INVALID`, `SIZE_MISMATCH`, …); `details` holds the error's values by name.
 */
export class OciError extends Error {
  /** @param {ErrorOptions} [options] */
  constructor(code, message, details = {}, options = undefined) {
    super(message, options);
    this.name = "OciError";
    this.code = code;
    this.details = details;
  }
}

/**
 * The wasm module throws a core error as a plain `{ code, message, details }` object; this turns
 * it into an OciError and passes anything else (TypeError, RangeError) through unchanged.
 */
export function converted(thrown) {
  if (
    thrown !== null &&
    typeof thrown === "object" &&
    !(thrown instanceof Error) &&
    typeof thrown.code === "string" &&
    typeof thrown.message === "string"
  ) {
    return new OciError(thrown.code, thrown.message, thrown.details);
  }
  return thrown;
}

/**
 * Calls the wasm module, turning a thrown core error into an OciError (every module's way in).
 * @template T
 * @param {() => T} call
 * @returns {T}
 */
export function core(call) {
  try {
    return call();
  } catch (thrown) {
    throw converted(thrown);
  }
}
