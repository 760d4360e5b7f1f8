// The module worker behind digestFile (digest-file.js): it initialises its own copy of the wasm
// module and hashes a Blob or File in chunks off the page's main thread, posting progress.
//
// Messages in:  { id, blob, algorithm, chunkSize, module?, moduleName }
//               module: the page's WebAssembly.Module; moduleName: "full" or "lite", which it is
// Messages out: { id, type: "progress", done, total }
//               { id, type: "done", digest }
//               { id, type: "error", error: { name, message, code?, details? } }
//               { id, type: "unavailable", error }   the wasm module could not be loaded here
import { Digester, blobDigester } from "./api.js";
import { OciError } from "./errors.js";
import { useGlue } from "./glue.js";

// The module is instantiated on the first job: from the page's compiled module when it sent one
// (so a page that chose where its wasm comes from is obeyed here too), else from the package's
// own file. Later jobs wait for the same promise.
let ready;
const digestBlob = blobDigester(Digester);

self.addEventListener("message", async (event) => {
  const { id, blob, algorithm, chunkSize, module, moduleName } = event.data;
  ready ??= start(module, moduleName);
  try {
    await ready;
  } catch (error) {
    self.postMessage({ id, type: "unavailable", error: serialized(error) });
    return;
  }
  try {
    const digest = await digestBlob(blob, {
      algorithm,
      chunkSize,
      onProgress: (done, total) => self.postMessage({ id, type: "progress", done, total }),
    });
    self.postMessage({ id, type: "done", digest });
  } catch (error) {
    self.postMessage({ id, type: "error", error: serialized(error) });
  }
});

/** Loads the bindings of the page's module (the lite ones for a lite module) and instantiates it. */
async function start(module, moduleName) {
  const lite = moduleName === "lite" && module !== undefined;
  const glue = await (lite ? import("./wasm/ocikit_lite.js") : import("./wasm/ocikit_wasm.js"));
  await glue.default({ module_or_path: module ?? new URL("./wasm/ocikit_wasm_bg.wasm", import.meta.url) });
  useGlue(glue, !lite);
}

/** An error as plain data: structured cloning keeps neither OciError's class nor its code. */
function serialized(error) {
  if (error instanceof OciError) {
    return { name: "OciError", message: error.message, code: error.code, details: error.details };
  }
  return { name: error?.name ?? "Error", message: String(error?.message ?? error) };
}
