// tests/vectors/bidi-controls.json: the browser elements show a registry's names (tags, file
// titles) as the CLI does (tests/python/test_hardening.py reads the same cases), and save a
// download under the name without the characters.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { escapeBidi, stripBidi } from "ocikit/elements/base.js";

const vector = JSON.parse(readFileSync(new URL("../vectors/bidi-controls.json", import.meta.url), "utf8"));

for (const { name, text, shown, saved } of vector.cases) {
  test(`a name shown and saved: ${name}`, () => {
    assert.equal(escapeBidi(text), shown);
    assert.equal(stripBidi(text), saved);
  });
}

test("the vector has a case for each of Unicode's twelve Bidi_Control characters", () => {
  const controls = new Set(vector.cases.flatMap(({ text }) => [...text].filter((c) => /\p{Bidi_Control}/u.test(c))));
  assert.equal(controls.size, 12);
  // And the elements escape exactly those: every other character is shown as it is.
  for (let code = 0; code < 0x10000; code++) {
    const c = String.fromCharCode(code);
    if (code >= 0xd800 && code < 0xe000) continue;
    assert.equal(escapeBidi(c) !== c, /\p{Bidi_Control}/u.test(c), `U+${code.toString(16)}`);
  }
});
