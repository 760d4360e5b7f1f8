// Writes every ```js block of the project README and the npm package's README (registry blocks
// included) to readme-examples/, so that tsc -p tsconfig.checkjs.json type-checks them as
// JavaScript against the package's types. readme.test.mjs and client.test.mjs run them.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const readmes = [
  ["readme", new URL("../../README.md", import.meta.url)],
  ["npm-readme", new URL("../../bindings-wasm/npm/README.md", import.meta.url)],
  // The documentation site's guide (docs-samples.test.mjs runs its blocks).
  ["docs-guide", new URL("../../docs/src/guide/author-an-artifact-type.md", import.meta.url)],
];
const out = new URL("./readme-examples/", import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
let count = 0;
for (const [name, url] of readmes) {
  const blocks = [...readFileSync(url, "utf8").matchAll(/^```(?:js|javascript|mjs)(?:[ \t]+registry)?[ \t]*\n([\s\S]*?)^```[ \t]*$/gm)];
  blocks.forEach((match, i) => {
    writeFileSync(new URL(`${name}-${i + 1}.mjs`, out), match[1]);
    count += 1;
  });
}
console.log(`wrote ${count} README examples to ${out.pathname}`);
