// init(): ocikit/manual loads nothing until init() is called (no top-level await, the wasm from
// wherever the caller says); in Node every entry loads on import and init() resolves at once.
// This file imports ocikit/manual first, before anything has loaded the module in this process
// (node --test runs each file in its own process).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { test } from "node:test";
import * as manual from "ocikit/manual";

const wasmFile = new URL("./wasm/ocikit_wasm_bg.wasm", `file://${createRequire(import.meta.url).resolve("ocikit/manual")}`);
const EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

test("ocikit/manual throws a clear Error before init(), then works with the wasm bytes given", async () => {
  const notLoaded = { name: "Error", message: /called before the WebAssembly module was loaded; await init\(\)/ };
  assert.throws(() => manual.digest(new TextEncoder().encode("{}")), { ...notLoaded, message: /digest was called before/ });
  assert.throws(() => manual.pack({ artifactType: "application/vnd.example.x.config.v1+json" }), notLoaded);
  assert.throws(() => new manual.Digester(), { ...notLoaded, message: /new Digester\(\) was called before/ });
  assert.throws(() => new manual.Client({ registry: "localhost:5000" }), notLoaded);
  assert.throws(() => new manual.RegistrySession("localhost:5000"), notLoaded);
  await assert.rejects(manual.digestBlob(new Blob([])), notLoaded);
  // OciError needs no wasm.
  assert.equal(new manual.OciError("DIGEST_INVALID", "x").code, "DIGEST_INVALID");

  // @ts-expect-error: not a wasm source, deliberately
  await assert.rejects(manual.init({ wasm: 42 }), { name: "TypeError", message: /options.wasm must be a URL/ });
  // @ts-expect-error: no such option, deliberately
  await assert.rejects(manual.init({ module: readFileSync(wasmFile) }), { name: "TypeError", message: /no option "module"/ });
  // A failed init does not stick: the next call loads.
  const first = manual.init({ wasm: readFileSync(wasmFile) });
  assert.equal(manual.init({ wasm: "https://unused.example/never-fetched.wasm" }), first, "later calls return the first call's promise");
  assert.equal(await first, undefined);

  assert.equal(manual.digest(new TextEncoder().encode("{}")), EMPTY_DIGEST);
  assert.equal(new manual.Digester("sha512").update(new Uint8Array(2)).size, 2);
  const packed = manual.pack({ artifactType: "application/vnd.example.x.config.v1+json" });
  assert.equal(manual.validate(packed.manifest).valid, true);
  assert.equal(await manual.digestBlob(new Blob([new TextEncoder().encode("{}")])), EMPTY_DIGEST);
  assert.equal(new manual.Client({ registry: "localhost:5000" }).registry, "localhost:5000");
  assert.throws(() => manual.parseDigest("nope"), (e) => e instanceof manual.OciError && e.code === "DIGEST_INVALID");
});

test("init() accepts a compiled WebAssembly.Module, a Response and an ArrayBuffer too", async () => {
  // A fresh process for each kind of source: a process loads the module once.
  const { execFileSync } = await import("node:child_process");
  const sources = {
    module: `new WebAssembly.Module(readFileSync(file))`,
    response: `new Response(readFileSync(file), { headers: { "content-type": "application/wasm" } })`,
    arrayBuffer: `readFileSync(file).buffer.slice(0)`,
  };
  for (const [kind, expression] of Object.entries(sources)) {
    const code = [
      `import { readFileSync } from "node:fs";`,
      `import { init, digest } from "ocikit/manual";`,
      `const file = new URL(${JSON.stringify(wasmFile.href)});`,
      `await init({ wasm: ${expression} });`,
      `process.stdout.write(digest(new TextEncoder().encode("{}")));`,
    ].join("\n");
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: new URL(".", import.meta.url), encoding: "utf8" });
    assert.equal(out, EMPTY_DIGEST, kind);
  }
});

test("init() of the Node entries resolves at once, every time", async () => {
  const node = await import("ocikit");
  const wasm = await import("ocikit/wasm");
  for (const entry of [node, wasm]) {
    const once = entry.init();
    assert.ok(once instanceof Promise);
    assert.equal(await once, undefined);
    assert.equal(entry.init({ wasm: new URL("https://unused.example/x.wasm") }), once, "idempotent: the same promise");
    // Usable without init(): loaded on import.
    assert.equal(entry.digest(new TextEncoder().encode("{}")), EMPTY_DIGEST);
  }
});
