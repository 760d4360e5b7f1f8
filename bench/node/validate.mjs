// ocikit's validate against ajv with the official image-spec schemas (draft-04, through
// ajv-draft-04), on bench/manifest-1.3k.json, in one run. Like for like, both start from the
// JSON text and end with a verdict: the goal compares ocikit validate(string) with
// "ajv (official schemas)", which is JSON.parse and then ajv's compiled check. JSON.parse alone
// is the floor of any validator that starts from text; ajv on an already parsed object (no
// JSON.parse) is printed too, not a goal: ocikit cannot be handed a parsed object. A document
// with a finding takes ocikit's full validator (findings with paths and messages, where ajv,
// run with allErrors: false, stops at its first error): one prose case, which ajv accepts, is
// timed for both to show that path's cost. Then every document of bench/prose-cases.json, which
// the schemas accept and the spec's prose rejects: ocikit must reject each with its code.
// Best of several interleaved rounds; PASS/MISS for ocikit at least 1× ajv.
// `node validate.mjs [--quick] [--baseline DIR]` (scripts/bench-validate.sh installs the pinned
// packages first). DIR, another build of the npm package (say the bindings-wasm/pkg of an earlier
// commit), adds its validate as a contender measured in the same run.
import { readFileSync, readdirSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import Ajv from "ajv-draft-04";
import * as ocikit from "ocikit";

const quick = process.argv.includes("--quick");
const baselineAt = process.argv.indexOf("--baseline");
const baseline = baselineAt > 0 ? await import(pathToFileURL(`${resolve(process.argv[baselineAt + 1])}/node.js`).href) : null;
const ROUNDS = quick ? 3 : 7;
const ROUND_SECONDS = quick ? 0.1 : 0.25;
const bench = new URL("../", import.meta.url);
const schemas = new URL("../../../shared/oci-schemas/", import.meta.url);

// The schemas' relative $refs ("content-descriptor.json", "defs.json#/…") name files, but
// resolve against their (nested) ids, which name none: the ids are dropped and each file is
// added under its own name, so every $ref finds its file. `format` is an annotation in draft-04
// (as jsonschema runs it in bench/validate_pack.py); those rules are ocikit's alone.
const ajv = new Ajv({ allErrors: false, strict: false, validateFormats: false });
const withoutIds = (node) => {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).filter(([k, v]) => !(k === "id" && typeof v === "string")).map(([k, v]) => [k, withoutIds(v)]));
};
for (const name of readdirSync(schemas).filter((n) => n.endsWith(".json"))) {
  ajv.addSchema(withoutIds(JSON.parse(readFileSync(new URL(name, schemas), "utf8"))), `https://opencontainers.org/schema/${name}`);
}
const schemaValidate = ajv.getSchema("https://opencontainers.org/schema/image-manifest-schema.json");

const text = readFileSync(new URL("manifest-1.3k.json", bench), "utf8");
const bytes = new TextEncoder().encode(text);
if (!ocikit.validate(text).valid || !schemaValidate(JSON.parse(text))) {
  throw new Error("manifest-1.3k.json must be valid to ocikit and to the schema");
}

const parsed = JSON.parse(text);
const { cases } = JSON.parse(readFileSync(new URL("prose-cases.json", bench), "utf8"));
const prose = cases[0].document;

const contenders = [
  ["ocikit validate(string)", () => ocikit.validate(text)],
  ["ocikit validate(bytes)", () => ocikit.validate(bytes)],
  ...(baseline ? [["ocikit baseline (string)", () => baseline.validate(text)]] : []),
  ["JSON.parse alone", () => JSON.parse(text)],
  ["ajv (official schemas)", () => schemaValidate(JSON.parse(text))],
  ["ajv, parsed object given", () => schemaValidate(parsed)],
  ["ocikit, a prose case", () => ocikit.validate(prose)],
  ["ajv, the same prose case", () => schemaValidate(JSON.parse(prose))],
];

function timeRound(fn, calls) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn();
  return Number(process.hrtime.bigint() - start) / 1e9 / calls;
}
const calls = new Map();
for (const [name, fn] of contenders) {
  timeRound(fn, 100); // warm-up (JIT)
  calls.set(name, Math.max(1, Math.round(ROUND_SECONDS / Math.max(timeRound(fn, 100), 1e-8))));
}
const best = new Map(contenders.map(([name]) => [name, Infinity]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of contenders) best.set(name, Math.min(best.get(name), timeRound(fn, calls.get(name))));
}

const ours = 1 / best.get("ocikit validate(string)");
console.log(`validate: manifest-1.3k.json (${bytes.length} bytes), best of ${ROUNDS} rounds — Node ${process.versions.node}`);
console.log(`${"".padEnd(28)} ${"per second".padStart(11)} ${"µs per call".padStart(12)} ${"ocikit ÷ it".padStart(12)}`);
for (const [name] of contenders) {
  const rate = 1 / best.get(name);
  console.log(
    `${name.padEnd(28)} ${Math.round(rate).toLocaleString("en").padStart(11)} ${(1e6 / rate).toFixed(2).padStart(12)} ${`${(ours / rate).toFixed(2)}×`.padStart(12)}`,
  );
}

const goals = [];
const ratio = ours / (1 / best.get("ajv (official schemas)"));
goals.push([`ocikit validate(string) ≥ 1× ajv with JSON.parse, both from the text (is ${ratio.toFixed(2)}×)`, ratio >= 1]);
const parsedRatio = ours / (1 / best.get("ajv, parsed object given"));
console.log(`\n(not a goal: ${parsedRatio.toFixed(2)}× ajv handed an already parsed object; the prose case, ocikit's full validator, ${(best.get("ajv, the same prose case") / best.get("ocikit, a prose case")).toFixed(2)}× ajv)`);
let caught = 0;
for (const { rule, document, code } of cases) {
  const schemaAccepts = schemaValidate(JSON.parse(document));
  const report = ocikit.validate(document);
  const codes = report.findings.filter((f) => f.severity === "error").map((f) => f.code);
  if (schemaAccepts && !report.valid && codes.includes(code)) caught += 1;
  else console.log(`  unexpected: ${rule}: ajv accepts ${schemaAccepts}, ocikit ${codes}`);
}
goals.push([`ocikit validate rejects the ${cases.length} prose-rule violations ajv accepts (rejects ${caught})`, caught === cases.length]);
console.log("");
for (const [goal, met] of goals) console.log(`${met ? "PASS" : "MISS"}  ${goal}`);
if (process.argv.includes("--strict") && goals.some(([, met]) => !met)) process.exitCode = 1;
