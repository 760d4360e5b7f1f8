// The shipped build of ocikit/elements: esbuild bundles the readable sources of
// bindings-wasm/npm/elements/ (index.js and what it imports: the elements, their shared base, the
// generated catalog) into one minified ES module, dist/elements.js of the npm package, which the
// package's "./elements" export names for browsers and bundlers. The sources ship too
// (ocikit/elements/<name>.js), readable, for the node condition and for anyone reading them.
// The package's browser entries stay out of the bundle: the elements import "../browser.js" (and
// with it the full wasm) or "../lite.js" (the lite wasm: the manifest view's validation) only when
// a feature needs it, so the badge, card, tree, tag list and file list still never load the wasm. bench/elements-size.mjs measures this file.
//   node scripts/elements-build/build.mjs <package dir>     (scripts/build-wasm.sh: bindings-wasm/pkg)
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const OUTPUT = "dist/elements.js";

/** Bundles `<pkg>/elements/index.js`; resolves to the bytes of the minified module. */
export async function bundle(pkg) {
  const result = await build({
    entryPoints: [join(pkg, "elements/index.js")],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    write: false,
    legalComments: "none",
    logLevel: "warning",
    plugins: [
      {
        // dist/ sits beside elements/ in the package, so "../browser.js" and "../lite.js" mean the
        // same files from both.
        name: "browser-entry-external",
        setup(b) {
          b.onResolve({ filter: /^\.\.\/(browser|lite)\.js$/ }, (args) => ({ path: args.path, external: true }));
        },
      },
    ],
  });
  return result.outputFiles[0].contents;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pkg = resolve(process.argv[2] ?? "bindings-wasm/pkg");
  const bytes = await bundle(pkg);
  mkdirSync(join(pkg, "dist"), { recursive: true });
  const header = new TextEncoder().encode("// ocikit/elements, minified (the readable sources: ocikit/elements/*.js). Apache-2.0.\n");
  writeFileSync(join(pkg, OUTPUT), Buffer.concat([header, bytes]));
  console.log(`${join(pkg, OUTPUT)}: ${header.length + bytes.length} bytes`);
}
