// "ocikit/lite": the lite wasm module (no registry engine, layouts, directories or collections)
// behind the functions that need none. The shared vector suites run against it alone, in
// processes that never load the full module; its exports are the ones lite.d.ts declares; the
// module has none of the engine's exports and stays within the 200 KB gzip goal of issue 12
// (measured by bench/node/digest.mjs); loading "ocikit" after it moves every function to the
// full module, and a process that has the full module never instantiates the lite one.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { gzipSync } from "node:zlib";

const pkg = new URL(".", import.meta.resolve("ocikit/package.json"));
const here = new URL(".", import.meta.url);
// The suites whose functions are all in the lite entry.
const SUITES = [
  "vectors.test.mjs",
  "validate.test.mjs",
  "documents.test.mjs",
  "pack.test.mjs",
  "profiles.test.mjs",
  "artifact-types.test.mjs",
  "pull-command-templates.test.mjs",
];

/** Runs `code` (an ES module) in a new Node process from this directory; its stdout, status and stderr. */
function node(code, env = {}) {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
    cwd: here,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("the shared vector suites pass on the lite module alone", () => {
  // Without NODE_TEST_CONTEXT, which would make the inner runner report to this one, not print.
  const { NODE_TEST_CONTEXT, ...env } = process.env;
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=tap", ...SUITES], {
    cwd: here,
    env: { ...env, OCIKIT_ENTRY: "lite" },
    encoding: "utf8",
  });
  const count = (name) => Number(run.stdout.match(new RegExp(`^# ${name} (\\d+)$`, "m"))?.[1]);
  assert.equal(run.status, 0, run.stdout.split("\n").filter((line) => /not ok|Error/.test(line)).join("\n") + run.stderr);
  assert.equal(count("fail"), 0);
  // Every suite ran its "ocikit/lite" tests (one top-level test is skipped: it needs two entries).
  assert.ok(count("pass") >= 45, `${count("pass")} tests passed`);
  assert.equal((run.stdout.match(/^# Subtest: ocikit\/lite/gm) ?? []).length >= 4, true, "the lite entry's suites ran");
});

test("a lite run fails when anything loads the full module", () => {
  const run = node(
    `await import("./vectors.mjs"); await import("ocikit"); console.log("loaded");`,
    { OCIKIT_ENTRY: "lite" },
  );
  assert.equal(run.stdout.trim(), "loaded");
  assert.equal(run.status, 1);
  assert.match(run.stderr, /the full module was loaded during a lite run/);
});

test("ocikit/lite exports what lite.d.ts declares, each the full entry's function", async () => {
  const names = readFileSync(new URL("lite.d.ts", pkg), "utf8").match(/export \{([^}]*)\}/)?.[1] ?? "";
  const declared = names
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean)
    .sort();
  assert.ok(declared.length > 20, "lite.d.ts names the entry's exports");
  const run = node(`const lite = await import("ocikit/lite"); console.log(JSON.stringify(Object.keys(lite).sort()));`);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), declared);
  const full = await import("ocikit");
  for (const name of declared) assert.equal(typeof full[name], "function", `${name} is in "ocikit" too`);
});

test("the lite module has none of the engine's exports and is at most 200 KB gzipped", async () => {
  const liteGlue = await import(new URL("wasm/ocikit_lite.js", pkg).href);
  const fullGlue = await import(new URL("wasm/ocikit_wasm.js", pkg).href);
  for (const name of ["RegistrySession", "Push", "Pull", "LayoutServer", "DirectoryPacker", "GraphWalk", "layoutTar", "indexCreate"]) {
    assert.equal(name in liteGlue, false, `${name} is not in the lite module`);
    assert.equal(name in fullGlue, true, `${name} is in the full module`);
  }
  // Every export of the lite module is in the full one.
  for (const name of Object.keys(liteGlue)) assert.ok(name in fullGlue, `${name} of the lite module is in the full one`);
  const gzipped = (file) => gzipSync(readFileSync(new URL(`wasm/${file}`, pkg)), { level: 9 }).length;
  const lite = gzipped("ocikit_lite_bg.wasm");
  assert.ok(lite <= 200_000, `lite module: ${lite} B gzip > 200,000`);
  assert.ok(lite < gzipped("ocikit_wasm_bg.wasm") / 2, "the lite module is less than half the full one");
});

test("loading ocikit after ocikit/lite moves every function to the full module; with the full module first, the lite one is never instantiated", () => {
  const manifest = readFileSync(new URL("../../bench/manifest-1.3k.json", import.meta.url), "utf8");
  const after = node(`
    const lite = await import("ocikit/lite");
    const glue = await import(new URL("glue.js", import.meta.resolve("ocikit/lite")).href);
    const onLite = !glue.fullLoaded();
    const manifest = ${JSON.stringify(manifest)};
    const before = [lite.validate(manifest).valid, lite.validate("{}").valid];
    // A type registered on the lite module is in the full module's catalog too.
    lite.registerArtifactType({ artifactType: "application/vnd.example.lite.config.v1+json", displayName: "Lite first" });
    const full = await import("ocikit");
    console.log(JSON.stringify({
      onLite,
      onFull: glue.fullLoaded(),
      before,
      after: [lite.validate("{}"), lite.validate(manifest), full.validate("{}")],
      registered: full.lookupArtifactType("application/vnd.example.lite.config.v1+json")?.displayName,
      types: [full.artifactTypes().length, lite.artifactTypes().length],
    }));
  `);
  assert.equal(after.status, 0, after.stderr);
  const result = JSON.parse(after.stdout);
  const expected = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", `
    const full = await import("ocikit");
    console.log(JSON.stringify([full.validate("{}"), full.validate(${JSON.stringify(manifest)}), full.artifactTypes().length]));
  `], { cwd: here, encoding: "utf8" }));
  assert.equal(result.onLite, true);
  assert.equal(result.onFull, true);
  assert.deepEqual(result.before, [true, false]);
  assert.deepEqual(result.after, [expected[0], expected[1], expected[0]]);
  assert.equal(result.registered, "Lite first");
  assert.equal(result.types[0], result.types[1]);
  assert.equal(result.types[0], expected[2] + 1, "the built-in types and the registered one");

  const first = node(`
    await import("ocikit");
    const lite = await import("ocikit/lite");
    const liteGlue = await import(new URL("wasm/ocikit_lite.js", import.meta.resolve("ocikit/lite")).href);
    let instantiated = true;
    try { liteGlue.digest(new Uint8Array(), undefined); } catch { instantiated = false; }
    console.log(JSON.stringify({ instantiated, valid: lite.validate(${JSON.stringify(manifest)}).valid }));
  `);
  assert.equal(first.status, 0, first.stderr);
  assert.deepEqual(JSON.parse(first.stdout), { instantiated: false, valid: true });
});
