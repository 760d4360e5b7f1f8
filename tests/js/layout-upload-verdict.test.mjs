// A blob pushed to an OciLayout is checked by the core's layout server, as a registry checks an
// upload: the host reports what it received, the server answers. Wrong content is refused with
// the registry's answer (400 DIGEST_INVALID) and nothing of it stays in the layout — the same
// error, with the same words, as Python's OciLayout.push_blob (tests/python/
// test_layout_upload_verdict.py).
import assert from "node:assert/strict";
import { test } from "node:test";
import { OciError, OciLayout, digest } from "ocikit";

const text = (s) => new TextEncoder().encode(s);
const descriptor = (content) => ({ mediaType: "application/octet-stream", digest: digest(content), size: content.byteLength });
const blobs = (layout) => [...layout.files.keys()].filter((path) => path.startsWith("blobs/")).sort();

test("wrong bytes of the right size get the registry's answer, and nothing is kept", async () => {
  const layout = new OciLayout();
  const hello = descriptor(text("hello"));
  await assert.rejects(layout.pushBlob(hello, text("HELLO")), (error) => {
    assert.ok(error instanceof OciError);
    assert.equal(error.code, "DIGEST_INVALID");
    assert.equal(error.details.status, 400);
    assert.ok(error.message.includes(`the upload is 5 bytes of ${digest(text("HELLO"))}, not 5 bytes of ${hello.digest}`), error.message);
    return true;
  });
  assert.deepEqual(blobs(layout), []);
  assert.equal(await layout.blobExists(hello.digest), false);
});

test("the right content is kept", async () => {
  const layout = new OciLayout();
  const hello = descriptor(text("hello"));
  assert.equal(await layout.pushBlob(hello, text("hello")), true);
  assert.deepEqual(blobs(layout), [`blobs/sha256/${hello.digest.slice("sha256:".length)}`]);
});
