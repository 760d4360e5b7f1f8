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
import { wasm } from "./glue.js";
import { bytesOf, preparedInput, sessionOf } from "./api.js";
import { core } from "./errors.js";

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
  /** @param {object} [options] checked by the core */
  constructor(reference, mediaType, manifest, options = undefined) {
    const bytes = bytesOf(manifest, "manifest");
    super(core(() => new wasm.Push(reference, mediaType, bytes, options)));
  }
}

/** Pull: the manifest, the pull plan (every title checked), one download per digest. */
export class Pull extends WholeOperation {
  /** @param {object} [options] checked by the core */
  constructor(reference, options = undefined) {
    super(core(() => new wasm.Pull(reference, options)));
  }
}

/** Discover the tree of referrers of `reference`, each digest once, a level at a time. */
export class Discover extends WholeOperation {
  /** @param {object} [options] checked by the core */
  constructor(reference, options = undefined) {
    super(core(() => new wasm.Discover(reference, options)));
  }
}

/**
 * The registry doctor: `/v2/` and the credentials, and with `{ reference }` (a manifest that
 * exists) the referrers API and the tag list's pagination; the core decides what each answer
 * proves. Done with `{ registry, profile, v2, referrersApi, tagList, notProbed }`.
 */
export class ProbeRegistry extends WholeOperation {
  /** @param {object} [options] checked by the core */
  constructor(registry, options = undefined) {
    super(core(() => new wasm.ProbeRegistry(registry, options)));
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
  /** @param {object} [options] checked by the core */
  constructor(reference, digest, options = undefined) {
    super(core(() => new wasm.TagsOf(reference, digest, options)));
  }
}

/** Copy `source` and what it references (with its referrers) to `destination`. */
export class CopyArtifact extends WholeOperation {
  #copy;

  /** @param {object} [options] checked by the core */
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

/** The pull plan's title rule (push applies it too): `[{ descriptor, path }]`. @param {object} [options] */
export function planFiles(layers, options = undefined) {
  if (!Array.isArray(layers)) throw new TypeError("layers must be an array of descriptors");
  const text = JSON.stringify(layers);
  return core(() => wasm.planFiles(text, options));
}

// Layouts as registries: the core's LayoutServer answers the requests the operations above make
// for a layout's pseudo host (layoutHost(n)), as file steps the host carries out on the layout
// (a tar in memory, a directory). See index.d.ts (LayoutServer) for the host loop.

/**
 * A layout served as a registry. `{ indexMax }` bounds the read of `index.json` (4 MiB by
 * default; LIMIT_EXCEEDED past it).
 */
export class LayoutServer {
  #inner;

  /** @param {{ indexMax?: number } | null} [options] */
  constructor(options = undefined) {
    let indexMax;
    if (options !== undefined && options !== null) {
      if (typeof options !== "object" || Array.isArray(options)) throw new TypeError("options must be an object");
      for (const key of Object.keys(options)) {
        if (key !== "indexMax") throw new TypeError(`unknown option ${JSON.stringify(key)} (indexMax)`);
      }
      indexMax = options.indexMax;
    }
    this.#inner = core(() => new wasm.LayoutServer(indexMax));
  }

  /** Forgets `index.json`: the next exchange that needs it reads it again. */
  reload() {
    this.#inner.reload();
  }

  /** The exchange that answers `request` (an engine request for this layout's host). */
  exchange(request) {
    const inner = this.#inner;
    return new LayoutExchange(EXCHANGE, inner, core(() => inner.exchange(request)));
  }
}

const EXCHANGE = Symbol("LayoutExchange");

/**
 * One request's answer, step by step: `start()`, then after each step the method that reports
 * its result (`read`, `stat`, `written`, `received`), until a step of kind "respond".
 */
export class LayoutExchange {
  #server;
  #inner;

  constructor(token, server, inner) {
    if (token !== EXCHANGE) throw new TypeError("a LayoutExchange is made by LayoutServer.exchange(request)");
    this.#server = server;
    this.#inner = inner;
  }

  /** The first step. */
  start() {
    return core(() => this.#inner.start(this.#server));
  }

  /** After "read": the file's bytes (at most `max + 1`), or null when absent. */
  read(data) {
    const bytes = data === undefined || data === null ? null : bytesOf(data, "data");
    return core(() => this.#inner.read(this.#server, bytes));
  }

  /** After "stat": the file's size, or null when absent. */
  stat(size) {
    return core(() => this.#inner.stat(this.#server, size));
  }

  /** After "write" or "remove". */
  written() {
    return core(() => this.#inner.written(this.#server));
  }

  /** After "receive": the digest and size of the body received. */
  received(digest, size) {
    return core(() => this.#inner.received(this.#server, digest, size));
  }
}

/** The pseudo registry host of the layout numbered `id`: `layout-<id>.oci-layout.invalid`. */
export function layoutHost(id) {
  return core(() => wasm.layoutHost(id));
}

/** Whether `registry` (`host[:port]`) is a layout's pseudo host. */
export function isLayoutHost(registry) {
  if (typeof registry !== "string") throw new TypeError("registry must be a string");
  return wasm.isLayoutHost(registry);
}
