// The pull command templates of tests/vectors/artifact-types.json (pullCommandTemplates), read by
// registerArtifactType in both Node entries: a bad template is PULL_COMMAND_INVALID with the
// template's JSON pointer, a template that is not a string JSON_INVALID. A file of its own: the
// valid cases register a type, which would change the catalog artifact-types.test.mjs compares.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { implementations, listedCodes, load } from "./vectors.mjs";

const cases = load("artifact-types.json").pullCommandTemplates;
const codes = listedCodes();

for (const [label, ocikit] of implementations) {
  describe(label, () => {
    test("pull command templates are checked, with their own code", () => {
      assert.ok(cases.length >= 10);
      for (const c of cases) {
        const definition = {
          artifactType: "application/vnd.example.templates.v1+json",
          displayName: "Templates",
          pullCommands: c.pullCommands,
        };
        if (c.code === null) {
          assert.deepEqual(ocikit.registerArtifactType(definition).pullCommands, c.pullCommands, c.name);
          continue;
        }
        assert.throws(
          () => ocikit.registerArtifactType(definition),
          (error) => {
            assert.ok(error instanceof ocikit.OciError, c.name);
            assert.equal(error.code, c.code, `${c.name}: ${error.message}`);
            assert.ok(codes.has(error.code), `${error.code} is not in error-codes.json`);
            assert.equal(error.details?.path ?? null, c.path, c.name);
            return true;
          },
          c.name,
        );
      }
    });
  });
}
