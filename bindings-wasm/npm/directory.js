// Directories as layers: a folder becomes one reproducible tar+gzip layer (packDirectory), and a
// pulled directory layer gives back its entries (unpackDirectory). The core decides everything
// (order, owners, modes, times, the bytes, what is safe to create); this module only reads the
// files the caller gives and collects what the core says.
import { wasm } from "./glue.js";
import { core } from "./errors.js";
import { bytesOf, checkKeys, record, typeName } from "./api.js";

/** `application/vnd.oci.image.layer.v1.tar+gzip`: the media type of a directory layer. */
export const DIRECTORY_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

const PACK_OPTIONS = ["name", "mtime", "keepModes", "annotations"];
const ENTRY_KEYS = ["path", "kind", "data", "mode", "mtime", "target"];
const UNPACK_OPTIONS = ["limits", "allowGit"];

const isBlob = (value) => typeof Blob === "function" && value instanceof Blob;
const isDirectoryHandle = (value) =>
  value !== null && typeof value === "object" && value.kind === "directory" && typeof value.values === "function";

/** Seconds of a `File`'s `lastModified` (milliseconds). */
const seconds = (file) => Math.max(0, Math.floor((file.lastModified ?? 0) / 1000));

/** The entries of a `FileSystemDirectoryHandle`, walked recursively (it has no links). */
async function handleEntries(handle, prefix, entries) {
  for await (const child of handle.values()) {
    const path = prefix ? `${prefix}/${child.name}` : child.name;
    if (child.kind === "directory") {
      entries.push({ path, kind: "directory", mode: 0o755, mtime: 0 });
      await handleEntries(child, path, entries);
    } else {
      const file = await child.getFile();
      entries.push({ path, kind: "file", mode: 0o644, mtime: seconds(file), size: file.size, content: file });
    }
  }
}

/** `{ name, entries }` of the caller's folder: a directory handle, or a list of files. */
async function listed(source, name) {
  if (isDirectoryHandle(source)) {
    const entries = [];
    await handleEntries(source, "", entries);
    return { name: name ?? source.name, entries };
  }
  if (!Array.isArray(source)) {
    throw new TypeError(`source must be a FileSystemDirectoryHandle or an array of files, not ${typeName(source)}`);
  }
  const entries = [];
  let top = name;
  source.forEach((item, i) => {
    const at = `source[${i}]`;
    if (isBlob(item) && typeof item.webkitRelativePath === "string" && item.webkitRelativePath !== "") {
      // <input type="file" webkitdirectory>: "folder/sub/file.txt", the folder first.
      const [first, ...rest] = item.webkitRelativePath.split("/");
      if (top === undefined) top = first;
      if (first !== top && name === undefined) {
        throw new TypeError(`${at} is in the folder ${JSON.stringify(first)}, not ${JSON.stringify(top)}`);
      }
      entries.push({ path: rest.join("/"), kind: "file", mode: 0o644, mtime: seconds(item), size: item.size, content: item });
      return;
    }
    checkKeys(record(item, at), ENTRY_KEYS, at);
    const kind = item.kind ?? "file";
    const entry = { path: item.path, kind, mode: item.mode ?? (kind === "file" ? 0o644 : 0o755), mtime: item.mtime ?? 0 };
    if (kind === "file") {
      const content = isBlob(item.data) ? item.data : bytesOf(item.data, `${at}.data`);
      entry.size = isBlob(content) ? content.size : content.length;
      entry.content = content;
    } else if (kind === "symlink") {
      entry.target = item.target;
    }
    entries.push(entry);
  });
  if (top === undefined) throw new TypeError("options.name is required when the files have no webkitRelativePath");
  return { name: top, entries };
}

/** Feeds one file's bytes to the packer, in pieces for a Blob. */
async function feed(packer, content, chunks) {
  if (!isBlob(content)) {
    core(() => packer.write(content));
    chunks.push(packer.takeOutput());
    return;
  }
  if (typeof content.stream === "function") {
    const reader = content.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      core(() => packer.write(value));
      chunks.push(packer.takeOutput());
    }
    return;
  }
  const bytes = new Uint8Array(await content.arrayBuffer());
  core(() => packer.write(bytes));
  chunks.push(packer.takeOutput());
}

function concat(chunks) {
  const size = chunks.reduce((sum, c) => sum + c.length, 0);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * A folder as one directory layer, as the ORAS CLI pushes a directory: a reproducible tar+gzip
 * (the same bytes as Python's `File.from_directory` and Rust's for the same tree) titled with
 * the folder's name and annotated `io.deis.oras.content.digest` and
 * `io.deis.oras.content.unpack: "true"`.
 *
 * `source`: a `FileSystemDirectoryHandle`, the `File`s of `<input type="file" webkitdirectory>`
 * (their `webkitRelativePath` names the folder), or entries `{ path, data, kind?, mode?, mtime?,
 * target? }` with `options.name`. Options: `name`, `mtime` (seconds for every entry, 0 by
 * default, or `"real"` for each file's own), `keepModes`, `annotations` (added to the layer's).
 *
 * Returns `{ file, descriptor, contentDigest, contentSize }`: `file` goes into `pack({ files })`.
 */
export async function packDirectory(source, options = {}) {
  checkKeys(record(options, "options"), PACK_OPTIONS, "options");
  const { name, entries } = await listed(source, options.name);
  const mtime = options.mtime === "real" ? undefined : (options.mtime ?? 0);
  const packer = core(
    () =>
      new wasm.DirectoryPacker(
        name,
        entries.map(({ content, ...entry }) => entry),
        mtime,
        Boolean(options.keepModes),
      ),
  );
  const contents = new Map(entries.filter((e) => e.kind === "file").map((e) => [e.path, e.content]));
  const chunks = [];
  for (;;) {
    const next = core(() => packer.nextFile());
    if (next === null) break;
    await feed(packer, contents.get(next.path), chunks);
  }
  const result = core(() => packer.finish());
  chunks.push(result.output);
  const data = concat(chunks);
  const { "org.opencontainers.image.title": title, ...annotations } = result.descriptor.annotations;
  return {
    file: {
      name: title,
      mediaType: DIRECTORY_MEDIA_TYPE,
      data,
      annotations: { ...annotations, ...(options.annotations ?? {}) },
    },
    descriptor: result.descriptor,
    contentDigest: result.contentDigest,
    contentSize: result.contentSize,
  };
}

/** Whether a pulled layer is a directory to unpack (the ORAS unpack annotation, or oras-py's). */
export function shouldUnpack(descriptor) {
  return core(() => wasm.shouldUnpack(JSON.stringify(descriptor)));
}

async function* piecesOf(layer) {
  if (isBlob(layer)) {
    yield new Uint8Array(await layer.arrayBuffer());
  } else if (typeof ReadableStream === "function" && layer instanceof ReadableStream) {
    const reader = layer.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } else if (layer !== null && typeof layer === "object" && Symbol.asyncIterator in layer) {
    for await (const piece of layer) yield bytesOf(piece, "layer piece");
  } else {
    yield bytesOf(layer, "layer");
  }
}

/**
 * The entries of a directory layer, checked by the core (nothing outside the title's directory,
 * no links leading out, no devices, FIFOs, setuid or setgid bits; the size, entry count and
 * compression ratio bounded; `io.deis.oras.content.digest` verified) before any is returned.
 *
 * `layer`: its bytes, a Blob, a ReadableStream or an async iterable of byte chunks;
 * `descriptor`: the layer's descriptor. Options: `limits` `{ maxSize, maxEntries, maxRatio }`;
 * `allowGit` to allow entries with a `.git` component (else PATH_UNSAFE, as pulled titles).
 * Returns `{ entries, contentDigest, contentSize }`, each entry `{ path, type: "file" |
 * "directory" | "symlink" | "hardlink", mode, data? (files), target? (links) }`, paths under the
 * title (`mydir/a.txt`). Throws an OciError: ARCHIVE_UNSAFE, ARCHIVE_INVALID, LIMIT_EXCEEDED,
 * DIGEST_MISMATCH, PATH_UNSAFE.
 */
export async function unpackDirectory(layer, descriptor, options = {}) {
  checkKeys(record(options, "options"), UNPACK_OPTIONS, "options");
  const unpacker = core(
    () => new wasm.Unpacker(JSON.stringify(descriptor), options.limits, Boolean(options.allowGit)),
  );
  const entries = [];
  let current = null;
  let pieces = [];
  /** @type {any} */
  let end = null;
  const closeFile = () => {
    if (current !== null) current.data = concat(pieces);
    current = null;
    pieces = [];
  };
  const apply = (events) => {
    for (const event of events) {
      if (event.type === "data") {
        pieces.push(event.bytes);
        continue;
      }
      closeFile();
      if (event.type === "end") {
        end = event;
        continue;
      }
      const entry = { path: event.path, type: event.type, mode: event.mode };
      if (event.type === "symlink" || event.type === "hardlink") entry.target = event.target;
      entries.push(entry);
      if (event.type === "file") current = entry;
    }
  };
  for await (const piece of piecesOf(layer)) apply(core(() => unpacker.feed(piece)));
  apply(core(() => unpacker.finish()));
  closeFile();
  return { entries, contentDigest: end.contentDigest, contentSize: end.contentSize };
}
