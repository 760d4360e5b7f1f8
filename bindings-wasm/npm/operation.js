// Whole operations: push, pull, copy, discover, delete and the tags of a digest, decided by the
// core (the engine's Operation trait, bindings-wasm/src/operation.rs); the host moves bytes.
// Each class is driven the same way:
//
//   const op = new Pull(reference, { allowGit: false });
//   for (;;) {
//     const action = op.poll(session, Date.now());
//     if (action.kind === "send") start(action);          // later: op.provide(action.task, input)
//     else if (action.kind === "wait") setTimeout(() => op.provide(action.task, { type: "resume" }), action.ms);
//     else if (action.kind === "pending") await anyAnswer; // resolves after some provide()
//     else return action.value;                            // "done"
//   }
//
// An action is { kind: "send", task, request, blob } (blob: the descriptor whose bytes the
// request moves, or null), { kind: "wait", task, ms }, { kind: "pending" } or
// { kind: "done", value }; an input is { type: "response", status, headers, body?, streamed? },
// { type: "failure", kind, message } or { type: "resume" }. Errors are OciErrors and sticky; a
// caller's misuse is OPERATION_MISUSE.
import * as wasm from "./wasm/ocikit_wasm.js";
import { bytesOf, preparedInput, sessionOf } from "./api.js";
import { converted } from "./errors.js";

function core(call) {
  try {
    return call();
  } catch (thrown) {
    throw converted(thrown);
  }
}

/** What every whole operation shares: poll and provide. */
class WholeOperation {
  #inner;

  constructor(inner) {
    this.#inner = inner;
  }

  /** The next action, with the session of the operation's registry. */
  poll(session, nowMs) {
    const inner = sessionOf(session);
    return core(() => this.#inner.poll(inner, nowMs));
  }

  /** The answer for `task`: a response, a failure, or `{ type: "resume" }` after a wait. */
  provide(task, input) {
    const prepared = preparedInput(input);
    core(() => this.#inner.provide(task, prepared));
  }

}

/** Push (attach, with a subject) the exact `manifest` bytes of `mediaType` and their blobs. */
export class Push extends WholeOperation {
  constructor(reference, mediaType, manifest, options = undefined) {
    const bytes = bytesOf(manifest, "manifest");
    super(core(() => new wasm.Push(reference, mediaType, bytes, options)));
  }
}

/** Pull: the manifest, the pull plan (every title checked), one download per digest. */
export class Pull extends WholeOperation {
  constructor(reference, options = undefined) {
    super(core(() => new wasm.Pull(reference, options)));
  }
}

/** Discover the tree of referrers of `reference`, each digest once, a level at a time. */
export class Discover extends WholeOperation {
  constructor(reference, options = undefined) {
    super(core(() => new wasm.Discover(reference, options)));
  }
}

/** Delete a manifest whole: tag → digest, DELETE, the referrers tag kept. */
export class Delete extends WholeOperation {
  constructor(reference) {
    super(core(() => new wasm.Delete(reference)));
  }
}

/** The tags of `reference`'s repository that point at `digest`. */
export class TagsOf extends WholeOperation {
  constructor(reference, digest, options = undefined) {
    super(core(() => new wasm.TagsOf(reference, digest, options)));
  }
}

/** Copy `source` and what it references (with its referrers) to `destination`. */
export class CopyArtifact extends WholeOperation {
  #copy;

  constructor(source, destination, options = undefined) {
    const inner = core(() => new wasm.CopyArtifact(source, destination, options));
    super(inner);
    this.#copy = inner;
  }

  /** The next action of a copy between two registries: their two sessions. */
  pollBetween(source, destination, nowMs) {
    const from = sessionOf(source);
    const to = sessionOf(destination);
    if (from === to) {
      throw new TypeError("pollBetween needs two sessions; a copy within one registry uses poll(session, nowMs)");
    }
    return core(() => this.#copy.pollBetween(from, to, nowMs));
  }
}

/** The pull plan's title rule (push applies it too): `[{ descriptor, path }]`. */
export function planFiles(layers, options = undefined) {
  if (!Array.isArray(layers)) throw new TypeError("layers must be an array of descriptors");
  const text = JSON.stringify(layers);
  return core(() => wasm.planFiles(text, options));
}
