// The core's LayoutServer through the package: whole operations (Push, Pull, Discover) run
// against a layout held in a Map by a host that only carries out the server's file steps.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Digester, Discover, LayoutServer, Pull, Push, RegistrySession, isLayoutHost, layoutHost, pack } from "ocikit";

function sha256(bytes) {
  const digester = new Digester("sha256");
  digester.update(bytes);
  return digester.finalize();
}

/** A layout in a Map, and the host loop of a whole operation against it. */
function layoutHostLoop() {
  const host = layoutHost(1);
  const server = new LayoutServer();
  const files = new Map();
  const sources = new Map();
  const sinks = new Map();
  const session = new RegistrySession(host);
  function answer(request, blob) {
    const exchange = server.exchange(request);
    let step = exchange.start();
    while (step.kind !== "respond") {
      if (step.kind === "read") step = exchange.read(files.get(step.path) ?? null);
      else if (step.kind === "stat") step = exchange.stat(files.get(step.path)?.length ?? null);
      else if (step.kind === "write") {
        files.set(step.path, step.data);
        step = exchange.written();
      } else if (step.kind === "remove") {
        files.delete(step.path);
        step = exchange.written();
      } else {
        const { offset, length } = request.body.blob;
        const bytes = sources.get(blob.digest).slice(offset, offset + length);
        const seen = sha256(bytes);
        if (seen === step.digest && bytes.length === step.size) files.set(step.path, bytes);
        step = exchange.received(seen, bytes.length);
      }
    }
    if (!step.file) return step.response;
    const { path, offset, length } = step.file;
    const data = files.get(path).slice(offset, offset + length);
    sinks.set(blob.digest, data);
    return { ...step.response, streamed: { digest: sha256(data), size: data.length } };
  }
  function drive(op) {
    const queue = [];
    for (;;) {
      const action = op.poll(session, Date.now());
      if (action.kind === "send") queue.push(action);
      else if (action.kind === "pending") {
        const next = queue.shift();
        op.provide(next.task, answer(next.request, next.blob));
      } else if (action.kind === "wait") op.provide(action.task, { type: "resume" });
      else return action.value;
    }
  }
  function push(reference, packed) {
    for (const blob of packed.blobs) sources.set(blob.descriptor.digest, blob.data);
    return drive(new Push(reference, packed.mediaType, packed.manifest));
  }
  return { host, server, files, sinks, drive, push };
}

test("layout hosts are made and recognised", () => {
  assert.equal(layoutHost(7), "layout-7.oci-layout.invalid");
  assert.equal(isLayoutHost("layout-7.oci-layout.invalid"), true);
  assert.equal(isLayoutHost("registry.example"), false);
});

test("push, attach, pull and discover run against a layout in memory", () => {
  const layout = layoutHostLoop();
  const text = (s) => new TextEncoder().encode(s);
  const root = layout.push(`${layout.host}/any:v1`, pack({ files: [{ name: "a.txt", data: text("hi") }], artifactType: "application/vnd.x" }));
  const subject = root.descriptor;
  const referrer = pack({ files: [{ name: "sig", data: text("sig") }], artifactType: "application/vnd.sig", subject });
  const attached = layout.push(`${layout.host}/any@${referrer.digest}`, referrer);
  assert.equal(attached.referrersTag, null, "no referrers tag in a layout: the server indexes the subject");
  const index = JSON.parse(new TextDecoder().decode(layout.files.get("index.json")));
  assert.deepEqual(
    index.manifests.map((m) => [m.digest, m.annotations?.["org.opencontainers.image.ref.name"] ?? null]),
    [
      [subject.digest, "v1"],
      [referrer.digest, null],
    ],
  );
  const pulled = layout.drive(new Pull(`${layout.host}/x:v1`));
  assert.deepEqual(pulled.files.map((f) => f.path), ["a.txt"]);
  assert.equal(new TextDecoder().decode(layout.sinks.get(pulled.files[0].descriptor.digest)), "hi");
  const found = layout.drive(new Discover(`${layout.host}/x:v1`, { artifactType: "application/vnd.sig" }));
  assert.deepEqual(found.referrers.map((r) => r.descriptor.digest), [referrer.digest]);
});

test("a step answered wrongly is OPERATION_MISUSE, a too big index LIMIT_EXCEEDED", () => {
  /** @type {import("ocikit").RegistryRequest} */
  const request = {
    method: "GET",
    url: `https://${layoutHost(2)}/v2/x/tags/list`,
    headers: [],
    body: null,
    responseBody: { capture: 65536 },
    timeoutMs: 0,
    deadlineMs: null,
  };
  const server = new LayoutServer({ indexMax: 8 });
  const exchange = server.exchange(request);
  assert.deepEqual(exchange.start(), { kind: "read", path: "index.json", max: 8 });
  assert.throws(() => exchange.written(), { code: "OPERATION_MISUSE" });
  const again = server.exchange(request);
  again.start();
  assert.throws(() => again.read(new Uint8Array(9)), { code: "LIMIT_EXCEEDED" });
  // @ts-expect-error: a misspelt option is a TypeError
  assert.throws(() => new LayoutServer({ indexmax: 8 }), TypeError);
});
