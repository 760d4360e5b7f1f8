// The demo page: everything it computes comes from the npm package's public API ("ocikit") and
// its elements ("ocikit/elements").
import "ocikit/elements";
import { setUpAuthor } from "./author.js";
import { client, openManifest, setUpRegistry, showRegistryError } from "./registry.js";
import { $ } from "./ui.js";
import { setUpTools } from "./tools.js";
import { setUpValidate } from "./validate.js";

await customElements.whenDefined("oci-artifact-form");
setUpAuthor({
  client,
  explain: showRegistryError,
  browse: (repo, ref) => {
    $("browse-repo").value = repo;
    openManifest(repo, ref);
  },
});
setUpRegistry();
setUpValidate();
setUpTools();
// Ready once the form has packed its first manifest (the wasm loaded).
const author = $("author-form");
if (!author.packed) await new Promise((resolve) => author.addEventListener("oci-packed", resolve, { once: true }));
document.documentElement.dataset.ready = "true";
