// Runs one hostile case through the npm package's Client (the built package in
// bindings-wasm/pkg, as a user installs it) and prints the outcome as one JSON line:
// {"ok": true}, {"code": …} for an OciError, or {"foreign": …} for anything else.
// Usage: node js_driver.mjs '<json job>' (the job is built by drivers.py).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const job = JSON.parse(process.argv[2]);
const text = (s) => new TextEncoder().encode(s);

function print(outcome) {
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
}

let ocikit;
try {
  ocikit = await import(pathToFileURL(join(root, "bindings-wasm", "pkg", "node.js")).href);
} catch (error) {
  print({ foreign: error?.constructor?.name ?? typeof error, message: String(error?.message ?? error) });
  process.exit(0);
}
const { Client, OciError, pack, readLayoutTar } = ocikit;

async function run() {
  const { op, ref } = job;
  if (op === "layout-tar") {
    const read = readLayoutTar(readFileSync(job.tar));
    return { valid: read.report?.valid ?? null };
  }
  const options = { registry: job.registry, plainHttp: job.plain_http, ...(job.client_options ?? {}) };
  if (job.credentials) options.credentials = { username: job.credentials[0], password: job.credentials[1] };
  const client = new Client(options);
  const call = job.call_options ?? {};
  switch (op) {
    case "fetch":
      return (await client.fetch(ref, call)).digest;
    case "pull": {
      const pulled = await client.pull(ref, call);
      return (pulled.files ?? []).length;
    }
    case "blob-fetch":
    case "blob-fetch-memory":
      return (await client.fetchBlob(ref, { mediaType: "application/octet-stream", digest: job.digest, size: job.size }, call)).length;
    case "push":
    case "push-chunked": {
      const packed = pack({
        artifactType: "application/vnd.hostile.test.config.v1+json",
        files: [{ name: "hello.txt", mediaType: "text/plain", data: text(job.data) }],
      });
      const extra = op === "push-chunked" ? { chunkSize: job.chunk_size } : {};
      return (await client.push(ref, packed, { ...call, ...extra })).descriptor.digest;
    }
    case "push-manifest": {
      const bytes = readFileSync(join(job.work, "in", "manifest.json"));
      return (await client.pushManifest(ref, bytes, "application/vnd.oci.image.manifest.v1+json", call)).digest;
    }
    case "copy": {
      // The JS Client copies between repositories (no layouts): to another repository here.
      const copied = await client.copy(ref, `${job.registry}/sink:latest`, call);
      return copied.descriptor?.digest ?? null;
    }
    case "tags-iterate": {
      let taken = 0;
      for await (const _tag of client.iterTags(ref, call)) {
        if (++taken === 2500) break;
      }
      return taken;
    }
    case "tags":
      return (await client.listTags(ref, call)).length;
    case "discover":
      return (await client.discover(ref, call)).length;
    default:
      throw new Error(`unknown op ${op}`);
  }
}

try {
  const value = await run();
  print({ ok: true, value: JSON.stringify(value ?? null).slice(0, 200) });
} catch (error) {
  if (error instanceof OciError) {
    print({ code: error.code, message: String(error.message).slice(0, 2000), classes: ["OciError"] });
  } else {
    print({
      foreign: error?.constructor?.name ?? typeof error,
      message: String(error?.message ?? error).slice(0, 2000),
      traceback: String(error?.stack ?? "").slice(0, 4000),
    });
  }
}
// Sockets a hostile server keeps open must not keep the process alive after the outcome.
process.exit(0);
