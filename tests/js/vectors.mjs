// Reads the shared vectors of tests/vectors/ exactly as core/tests/vectors.rs does.
import { readFileSync, readdirSync } from "node:fs";

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
  return new Set([...doc.raised, ...(doc.registry ?? []), ...(doc.client ?? []), ...doc.findings].map((entry) => entry.code));
}

/**
 * The package's entry points under test: the Node entry (node:crypto) and the wasm path; with
 * `OCIKIT_ENTRY=lite` (lite.test.mjs runs the vector suites so), "ocikit/lite" alone, on the lite
 * module, and the process fails if anything loads the full module.
 * @type {[string, typeof import("ocikit")][]} The entries share index.d.ts.
 */
export const implementations =
  process.env.OCIKIT_ENTRY === "lite"
    ? [["ocikit/lite", /** @type {typeof import("ocikit")} */ (/** @type {unknown} */ (await liteOnly()))]]
    : [
        ["ocikit (node entry)", await import("ocikit")],
        ["ocikit/wasm", await import("ocikit/wasm")],
      ];

/** "ocikit/lite", checked to run on the lite module until the process ends. */
async function liteOnly() {
  const lite = await import("ocikit/lite");
  const { fullLoaded, wasm } = await import(new URL("glue.js", import.meta.resolve("ocikit/lite")).href);
  const liteGlue = await import(new URL("wasm/ocikit_lite.js", import.meta.resolve("ocikit/lite")).href);
  if (wasm !== liteGlue || fullLoaded()) throw new Error("ocikit/lite is not on the lite module");
  process.on("exit", () => {
    if (fullLoaded()) {
      console.error("the full module was loaded during a lite run");
      process.exitCode = 1;
    }
  });
  return lite;
}

/**
 * The validation cases of tests/vectors/manifests/, each with the exact bytes the Rust suite
 * validates (core/tests/validate.rs): `hex`, else `text`, else `serde_json::to_vec(document)`.
 *
 * `JSON.stringify(document)` is not those bytes: serde_json (without `preserve_order`) writes
 * object keys sorted, and writes numbers from what it parsed, so `2.0` stays `2.0`, `1e3` becomes
 * `1000.0` and `9223372036854775808` stays exact, where JSON.parse would give 2, 1000 and a
 * rounded 9223372036854775808. So documents are read from the file's raw text with their number
 * lexemes kept, and written the way serde_json writes them (see `serdeJson`).
 */
export function validationCases() {
  const dir = new URL("../vectors/manifests/", import.meta.url);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .flatMap((file) => {
      const raw = parseRaw(readFileSync(new URL(file, dir), "utf8"));
      const plain = JSON.parse(readFileSync(new URL(file, dir), "utf8"));
      return plain.cases.map((c, i) => {
        let input;
        if (typeof c.hex === "string") input = fromHex(c.hex);
        else if (typeof c.text === "string") input = new TextEncoder().encode(c.text);
        else input = new TextEncoder().encode(serdeJson(field(field(field(raw, "cases"), i), "document")));
        return { file, ...c, input };
      });
    });
}

const RAW_NUMBER = Symbol("raw number");

/** JSON.parse, keeping each number's text: objects become arrays of [key, value] entries. */
export function parseRaw(text) {
  let at = 0;
  const space = () => {
    while (/\s/.test(text[at] ?? "")) at++;
  };
  const value = () => {
    space();
    const c = text[at];
    if (c === "{") {
      at++;
      const entries = [];
      space();
      if (text[at] === "}") return at++, { entries };
      for (;;) {
        space();
        const key = string();
        space();
        at++; // ':'
        entries.push([key, value()]);
        space();
        if (text[at++] === "}") return { entries };
      }
    }
    if (c === "[") {
      at++;
      const items = [];
      space();
      if (text[at] === "]") return at++, items;
      for (;;) {
        items.push(value());
        space();
        if (text[at++] === "]") return items;
      }
    }
    if (c === '"') return string();
    const literal = /** @type {RegExpExecArray} */ (/^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(at)))[0];
    at += literal.length;
    if (literal === "true" || literal === "false" || literal === "null") return JSON.parse(literal);
    return { [RAW_NUMBER]: literal };
  };
  const string = () => {
    const end = /** @type {RegExpExecArray} */ (/^"(?:[^"\\]|\\.)*"/.exec(text.slice(at)))[0];
    at += end.length;
    return JSON.parse(end);
  };
  return value();
}

function field(raw, key) {
  if (Array.isArray(raw)) return raw[key];
  return raw.entries.find(([k]) => k === key)[1];
}

const utf8 = (s) => Buffer.from(s, "utf8");

/** Writes a parseRaw value as `serde_json::to_vec` writes the `Value` it parses into. */
export function serdeJson(raw) {
  if (raw === null || typeof raw === "boolean") return JSON.stringify(raw);
  // serde_json escapes strings as JSON.stringify does (", \, control characters as \n or \u00xx).
  if (typeof raw === "string") return JSON.stringify(raw);
  if (Array.isArray(raw)) return `[${raw.map(serdeJson).join(",")}]`;
  if (RAW_NUMBER in raw) return serdeNumber(raw[RAW_NUMBER]);
  // A BTreeMap: keys in the order of their UTF-8 bytes.
  const entries = [...raw.entries].sort(([a], [b]) => Buffer.compare(utf8(a), utf8(b)));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${serdeJson(v)}`).join(",")}}`;
}

/** serde_json's number: u64 or i64 when the integer fits, else an f64 printed by ryu. */
function serdeNumber(lexeme) {
  if (/^-?\d+$/.test(lexeme)) {
    const n = BigInt(lexeme);
    if (!lexeme.startsWith("-") && n < 2n ** 64n) return n.toString();
    // A negative integer that is zero (-0) or below i64 becomes a float.
    if (lexeme.startsWith("-") && n < 0n && n >= -(2n ** 63n)) return n.toString();
  }
  return ryu(Number(lexeme));
}

/** ryu's `format_finite` (what serde_json writes for an f64): shortest digits, ryu's layout. */
function ryu(x) {
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mantissa, exponent] = Math.abs(x).toExponential().split("e");
  const digits = mantissa.replace(".", "");
  const length = digits.length;
  const e = Number(exponent) - (length - 1); // x = digits × 10^e
  const kk = length + e;
  let out;
  if (e >= 0 && kk <= 16) out = `${digits}${"0".repeat(e)}.0`;
  else if (kk > 0 && kk <= 16) out = `${digits.slice(0, kk)}.${digits.slice(kk)}`;
  else if (kk > -5 && kk <= 0) out = `0.${"0".repeat(-kk)}${digits}`;
  else if (length === 1) out = `${digits}e${kk - 1}`;
  else out = `${digits[0]}.${digits.slice(1)}e${kk - 1}`;
  return sign + out;
}
