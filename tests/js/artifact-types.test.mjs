// tests/vectors/artifact-types.json through the package (lookupArtifactType, describe,
// classifyTag, pullCommands) and through the elements' wasm-free twins (ocikit/elements/types.js),
// which must also carry exactly the core's catalog (elements/catalog.js is generated from it).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import builtin from "ocikit/elements/catalog.js";
import * as twins from "ocikit/elements/types.js";
import { implementations, load } from "./vectors.mjs";

const vectors = load("artifact-types.json");

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("lookupArtifactType finds a definition by its type or an alias", () => {
      for (const c of vectors.lookup) {
        const found = ocikit.lookupArtifactType(c.mediaType);
        assert.equal(found?.artifactType ?? null, c.artifactType, c.mediaType);
        assert.equal(found?.displayName ?? null, c.displayName, c.mediaType);
      }
    });

    test("describe reads artifactType, then the config, then the layers (cosign's tag schema)", () => {
      for (const c of vectors.describe) {
        const d = ocikit.describe(c.manifest);
        assert.deepEqual([d.artifactType, d.source, d.definition?.displayName ?? null], [c.artifactType, c.source, c.displayName], c.name);
      }
    });

    test("classifyTag tells referrers, signature, attestation and SBOM tags by name", () => {
      for (const c of vectors.tags) assert.deepEqual(ocikit.classifyTag(c.tag), { kind: c.kind, subject: c.subject }, c.tag);
    });

    test("pullCommands fills the type's templates from the reference", () => {
      for (const c of vectors.pullCommands) assert.deepEqual(ocikit.pullCommands(c.reference, c.artifactType), c.commands, c.reference);
      assert.throws(() => ocikit.pullCommands("no-registry"), (e) => e.code === "REFERENCE_INVALID");
    });

    test("the elements' catalog module is the core's catalog", () => {
      assert.deepEqual(builtin, ocikit.artifactTypes().slice(0, builtin.length));
      assert.equal(builtin.length, ocikit.artifactTypes().length);
    });
  });
}

describe("the elements' twins (no wasm)", () => {
  test("lookupType", () => {
    for (const c of vectors.lookup) {
      const found = twins.lookupType(c.mediaType);
      assert.equal(found?.artifactType ?? null, c.artifactType, c.mediaType);
    }
  });
  test("describeManifest, from an object, text and bytes", () => {
    for (const c of vectors.describe) {
      const text = JSON.stringify(c.manifest);
      for (const input of [c.manifest, text, new TextEncoder().encode(text)]) {
        const d = twins.describeManifest(input);
        assert.deepEqual([d.artifactType, d.source, d.definition?.displayName ?? null], [c.artifactType, c.source, c.displayName], c.name);
      }
    }
  });
  test("classifyTag", () => {
    for (const c of vectors.tags) assert.deepEqual(twins.classifyTag(c.tag), { kind: c.kind, subject: c.subject }, c.tag);
  });
  test("pullCommands", () => {
    for (const c of vectors.pullCommands) assert.deepEqual(twins.pullCommands(c.reference, c.artifactType), c.commands, c.reference);
  });
  test("conventionName reads the naming convention, and nothing else", () => {
    assert.equal(twins.conventionName("application/vnd.acme.rocket.config.v1+json"), "acme rocket");
    assert.equal(twins.conventionName("application/vnd.acme.rocket.docs.layer.v1+tar"), "acme rocket docs");
    assert.equal(twins.conventionName("application/vnd.acme.rocket.v1"), "acme rocket");
    assert.equal(twins.conventionName("text/plain"), null);
    assert.equal(twins.conventionName(undefined), null);
  });
  test("registerType wins over the built-in definition of an alias", () => {
    twins.registerType({ artifactType: "application/vnd.acme.rocket.v1", displayName: "Rocket", aliases: ["application/sarif+json"] });
    assert.equal(twins.lookupType("application/sarif+json").displayName, "Rocket");
    assert.throws(() => twins.registerType({ artifactType: 1 }), TypeError);
  });
});
