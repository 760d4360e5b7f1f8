// What a web registry UI built with Vite does with ocikit: import it by name, hash, pack, validate.
import { digest, pack, parseMediaType, validate } from "ocikit";

const encode = (text) => new TextEncoder().encode(text);
const packed = pack({
  artifactType: "application/vnd.example.docsinmarkdown.config.v1+json",
  files: [{ name: "overview.md", data: encode("# Overview\n"), mediaType: "application/vnd.example.docsinmarkdown.overview.layer.v1+md" }],
});
const result = {
  digest: digest(encode("{}")),
  objectType: parseMediaType("application/vnd.example.docsinmarkdown.config.v1+json").artifact.objectType,
  manifestDigest: packed.digest,
  valid: validate(packed.manifest).valid,
};
const output = document.getElementById("result");
output.textContent = JSON.stringify(result);
output.dataset.ready = "true";
