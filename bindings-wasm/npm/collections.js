// backup and restore (ORAS 1.3's `oras backup` / `oras restore`, Python's ocikit.backup and
// ocikit.restore): artifacts of a registry, with their referrers and their collections'
// children, into an in-memory OciLayout, and back. Which tags are copied is the core's choice
// (wasm backupTags: registry::whole::backup::select_tags); each copy is the core's CopyArtifact
// (copy in layout.js); a restore's refusal of a damaged layout and its check of each tag at the
// destination are the core's too (wasm restorable and restored: backup::restorable and
// backup::restored, the checks Python's restore calls). This file only lists, copies and
// resolves.
import { wasm } from "./glue.js";
import { typeName } from "./api.js";
import { Client, callOptions } from "./client.js";
import { core } from "./errors.js";
import { OciLayout, copy } from "./layout.js";

/** @typedef {import("./index.js").Descriptor} Descriptor */

/** How a restore names its layout in an error (an in-memory layout has no path). */
const LAYOUT_NAME = "the layout";

/**
 * The core's choice of tags for `ref`: `tags` is null when the repository must be listed first.
 * @param {string} ref
 * @param {string[] | null} listed
 * @param {string | null} layout
 * @returns {{ repository: string, tags: string[] | null }}
 */
function backupTags(ref, listed, layout) {
  return core(() => wasm.backupTags(ref, listed, layout));
}

/**
 * `{ referrers, signal }` of a backup's or restore's options (an unknown option is a TypeError).
 * @param {unknown} options
 * @returns {{ referrers: boolean, signal: AbortSignal | undefined }}
 */
function optionsOf(options) {
  const { referrers = true, signal } = callOptions(options, ["referrers"], "options");
  if (typeof referrers !== "boolean") throw new TypeError(`options.referrers must be a boolean, not ${typeName(referrers)}`);
  return { referrers, signal };
}

/**
 * Backs up artifacts of a registry into a new in-memory OCI layout (`oras backup`, Python's
 * `ocikit.backup`): `ref` is `registry/repository:tag[,tag…]`, or `registry/repository` for
 * every tag but the referrers tag schema's (`sha256-<hex>`). Each tag's manifest or index is
 * copied with everything it references and, unless `referrers: false`, what refers to them; the
 * layout records each under its tag. `layout.toTar()` is the layout tar Python writes.
 * @param {Client} client
 * @param {string} ref
 * @param {{ referrers?: boolean, signal?: AbortSignal }} [options]
 * @returns {Promise<{ layout: OciLayout, tags: Array<[string, Descriptor]> }>}
 */
export async function backup(client, ref, options = undefined) {
  if (!(client instanceof Client)) throw new TypeError("client must be a Client");
  if (typeof ref !== "string") throw new TypeError("ref must be a string");
  const { referrers, signal } = optionsOf(options);
  let { repository, tags } = backupTags(ref, null, null);
  if (tags === null) ({ repository, tags } = backupTags(ref, await client.listTags(repository, { signal }), null));
  const layout = new OciLayout();
  /** @type {Array<[string, Descriptor]>} */
  const done = [];
  // Given a listing, the core answers with tags (or throws).
  for (const tag of tags ?? []) {
    const copied = await copy(client, `${repository}:${tag}`, layout, tag, { referrers, signal });
    done.push([tag, copied.descriptor]);
  }
  return { layout, tags: done };
}

/**
 * Restores artifacts from an OCI layout to a registry (`oras restore`, Python's
 * `ocikit.restore`): `ref` is `registry/repository[:tag[,tag…]]` (every tag of the layout when
 * it names none). The layout is verified first (nothing is pushed from a damaged layout: its
 * first error finding's code, `details.path`); each tag is copied with everything it references and, unless
 * `referrers: false`, what refers to them; then each tag is resolved at the destination and
 * must name the layout's digest (DIGEST_MISMATCH otherwise).
 * @param {OciLayout} layout
 * @param {Client} client
 * @param {string} ref
 * @param {{ referrers?: boolean, signal?: AbortSignal }} [options]
 * @returns {Promise<{ tags: Array<[string, Descriptor]>, destination: string }>}
 */
export async function restore(layout, client, ref, options = undefined) {
  if (!(layout instanceof OciLayout)) throw new TypeError("layout must be an OciLayout");
  if (!(client instanceof Client)) throw new TypeError("client must be a Client");
  if (typeof ref !== "string") throw new TypeError("ref must be a string");
  const { referrers, signal } = optionsOf(options);
  // Nothing is pushed from a damaged layout: the core verifies it and refuses it.
  core(() => wasm.restorable(layout.files, LAYOUT_NAME));
  const { repository, tags } = backupTags(ref, await layout.tags({ signal }), LAYOUT_NAME);
  /** @type {Array<[string, Descriptor]>} */
  const done = [];
  for (const tag of tags ?? []) {
    const copied = await copy(layout, tag, client, `${repository}:${tag}`, { referrers, signal });
    const root = copied.descriptor;
    const served = await client.resolve(`${repository}:${tag}`, { signal });
    core(() => wasm.restored(`${repository}:${tag}`, root.digest, served.digest));
    done.push([tag, root]);
  }
  return { tags: done, destination: repository };
}
