// A registry UI that gets manifests from its own API only hashes, packs and validates: it imports
// "ocikit/lite" (the lite module) and hashes a file in a Web Worker too.
import { digest, digestBlob, pack, parseMediaType, validate } from "ocikit/lite";

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
  worker: await digestBlob(new Blob([encode("# Overview\n")]), { worker: true }),
};
const output = document.getElementById("result");
output.textContent = JSON.stringify(result);
output.dataset.ready = "true";
