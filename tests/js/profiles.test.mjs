// lintForRegistry, registryProfile and registryRules against the shared vectors of
// tests/vectors/profiles/ (core/tests/profiles.rs and tests/python/test_registry_profiles.py
// read them too), through both Node entries.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { implementations, listedCodes, load } from "./vectors.mjs";

const vectors = load("profiles/lint.json");
const codes = listedCodes();

/**
 * The case's document bytes: the named document with its top-level keys patched, compact,
 * padded with spaces to `size`; `null` (the target alone) for a null one.
 * @param {any} c
 * @returns {string | null}
 */
function documentOf(c) {
  if (typeof c.document_text === "string") return c.document_text;
  if (c.document === null) return null;
  const doc = { ...vectors.documents[c.document] };
  for (const [key, value] of Object.entries(c.patch ?? {})) {
    if (value === null) delete doc[key];
    else doc[key] = value;
  }
  const text = JSON.stringify(doc);
  return c.size ? text.padEnd(c.size, " ") : text;
}

for (const [name, ocikit] of implementations) {
  describe(`registry profiles (${name})`, () => {
    const rules = new Map(ocikit.registryRules().map((r) => [r.code, r]));

    test("every lint vector gives its findings, citing its sources", () => {
      for (const c of vectors.cases) {
        const text = documentOf(c);
        const lint = ocikit.lintForRegistry(text === null ? null : new TextEncoder().encode(text), c.target, c.profile);
        assert.deepEqual(lint.findings.map((f) => [f.code, f.severity, f.path]), c.findings, c.name);
        assert.equal(lint.ok, !c.findings.some((/** @type {string[]} */ f) => f[1] === "error"), c.name);
        const cited = new Set(lint.sources.map((s) => s.tag));
        for (const finding of lint.findings) {
          assert.ok(codes.has(finding.code), `${finding.code} is not in error-codes.json`);
          const rule = rules.get(/** @type {any} */ (finding.code));
          assert.ok(rule, finding.code);
          const tags = rule.sources.map((s) => s.tag);
          assert.equal(finding.rule, `${rule.code} ${rule.name} [${tags.join(",")}]`, c.name);
          assert.ok(finding.message.endsWith(`[${tags.join(", ")}]`), finding.message);
          for (const tag of tags) assert.ok(cited.has(tag), `${c.name}: ${tag}`);
        }
      }
    });

    test("text, bytes and a packed artifact lint alike", () => {
      const packed = ocikit.pack({
        artifactType: "application/vnd.example.docs.v1+json",
        files: [{ name: "empty.txt", data: new Uint8Array() }],
      });
      const byBytes = ocikit.lintForRegistry(packed.manifest, "harbor.example.com", "harbor");
      assert.deepEqual(byBytes.findings.map((f) => f.code), ["RQ001"]);
      assert.equal(byBytes.ok, false);
      assert.deepEqual(ocikit.lintForRegistry(packed, "harbor.example.com", "harbor"), byBytes);
      const text = new TextDecoder().decode(packed.manifest);
      assert.deepEqual(ocikit.lintForRegistry(text, "harbor.example.com", "harbor"), byBytes);
    });

    test("bad inputs raise coded errors", () => {
      for (const c of vectors.errors) {
        assert.throws(
          () => ocikit.lintForRegistry(documentOf(c), c.target, c.profile),
          (/** @type {any} */ err) => err instanceof ocikit.OciError && err.code === c.error,
          c.name,
        );
      }
      // @ts-expect-error: a number is no document
      assert.throws(() => ocikit.lintForRegistry(42, "ghcr.io"), TypeError);
    });

    test("hosts select their profiles", () => {
      for (const c of vectors.profiles) {
        assert.equal(ocikit.registryProfile(c.host).name, c.profile, c.host);
      }
    });

    test("every static rule has a triggering and a clean case", () => {
      const statics = [...rules.values()].filter((r) => r.static).map((r) => r.code);
      assert.deepEqual(statics, vectors.static_rules);
      for (const code of statics) {
        const cases = vectors.cases.filter((/** @type {any} */ c) => c.rule === code);
        assert.ok(cases.some((/** @type {any} */ c) => c.findings.some((/** @type {string[]} */ f) => f[0] === code)), code);
        assert.ok(cases.some((/** @type {any} */ c) => c.findings.length === 0), code);
      }
    });

    test("profiles cite dated sources", () => {
      const names = ocikit.registryProfile();
      for (const wanted of ["harbor", "zot", "distribution", "quay", "gitlab"]) assert.ok(names.includes(wanted), wanted);
      for (const profileName of names) {
        const profile = ocikit.registryProfile(profileName);
        assert.ok(profile.facts.length > 0, profileName);
        for (const fact of profile.facts) {
          assert.ok(fact.asOf && ["high", "medium", "low"].includes(fact.confidence));
          for (const source of fact.sources) assert.ok(source.date && source.cite);
        }
      }
      assert.equal(ocikit.registryProfile("ghcr.io").referrersApi, false);
      assert.equal(ocikit.registryProfile("localhost:5000").referrersApi, null);
    });
  });
}
