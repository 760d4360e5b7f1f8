// The Validate card: a broken manifest's findings, each marked at its place in the pasted text.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launch, openDemo, screenshot } from "./browser.mjs";

let browser;
let page;
let problems;

before(async () => {
  browser = await launch();
  ({ page, problems } = await openDemo(browser));
});

after(async () => {
  await browser?.close();
});

/** Each finding of the list with the text marked for it in the source view. */
function findingsWithPlaces() {
  return page.evaluate(() =>
    [...document.querySelectorAll("#validate-findings > li")].map((item, i) => {
      const marks = [...document.querySelectorAll("#validate-source mark")].filter((m) => m.dataset.findings.split(" ").includes(String(i + 1)));
      const text = marks.map((m) => [...m.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("")).join("");
      return { code: item.querySelector("code").textContent, path: item.querySelector(".path").textContent, severity: item.className, marked: text, absent: item.textContent.includes("absent") };
    }),
  );
}

test("a broken manifest: every finding listed with its rule and marked where it is", async () => {
  await page.click("#validate-example");
  assert.equal(await page.textContent("#validate-verdict"), "Not a valid manifest: 6 errors.");
  const found = await findingsWithPlaces();
  const byPath = Object.fromEntries(found.map((f) => [`${f.code} ${f.path}`, f]));
  assert.deepEqual(Object.keys(byPath).sort(), [
    "ANNOTATION_INVALID /annotations/org.opencontainers.image.created",
    "ARTIFACT_TYPE_REQUIRED /artifactType",
    "DIGEST_INVALID /layers/0/digest",
    "FIELD_MISSING /layers/1/digest",
    "MEDIA_TYPE_INVALID /layers/1/mediaType",
    "SIZE_INVALID /layers/0/size",
  ]);
  assert.ok(found.every((f) => f.severity === "error"));
  // Present fields: the key and its value are marked.
  assert.equal(byPath["DIGEST_INVALID /layers/0/digest"].marked, '"digest": "sha256:0D9D4998292BD14F5283B4AE048F723E9B79D41AE6E05F54599B0873C26F0243"');
  assert.equal(byPath["SIZE_INVALID /layers/0/size"].marked, '"size": -30');
  assert.equal(byPath["MEDIA_TYPE_INVALID /layers/1/mediaType"].marked, '"mediaType": "text plain"');
  assert.equal(byPath["ANNOTATION_INVALID /annotations/org.opencontainers.image.created"].marked, '"org.opencontainers.image.created": "last Tuesday"');
  // Absent fields: marked at the nearest present parent (the layer's brace, the document's).
  assert.equal(byPath["FIELD_MISSING /layers/1/digest"].absent, true);
  assert.equal(byPath["FIELD_MISSING /layers/1/digest"].marked, "{");
  assert.equal(byPath["ARTIFACT_TYPE_REQUIRED /artifactType"].marked, "{");

  // "Show" selects the finding's text in the text area.
  const size = found.findIndex((f) => f.code === "SIZE_INVALID");
  await page.click(`button[aria-label="Show finding ${size + 1} in the document"]`);
  const selected = await page.evaluate(() => {
    const input = document.getElementById("validate-input");
    return { focused: document.activeElement === input, text: input.value.slice(input.selectionStart, input.selectionEnd) };
  });
  assert.deepEqual(selected, { focused: true, text: '"size": -30' });
  assert.equal(await page.$$eval("#validate-source mark.current", (marks) => marks.length), 1);
  await screenshot(page, "validate.png");
});

test("syntax errors and duplicate keys are marked at the line and column the core names", async () => {
  await page.fill("#validate-input", '{\n  "schemaVersion": 2,\n  "mediaType": "application/vnd.oci.image.index.v1+json",\n  "manifests": [}\n');
  let [finding] = await findingsWithPlaces();
  assert.equal(finding.code, "JSON_INVALID");
  assert.equal(finding.marked, "}");
  await page.fill("#validate-input", '{"schemaVersion": 2, "schemaVersion": 2}');
  [finding] = await findingsWithPlaces();
  assert.equal(finding.code, "JSON_INVALID");
  assert.match(await page.textContent("#validate-findings"), /duplicate key "schemaVersion"/);
  assert.ok(finding.marked.length > 0);
});

test("an index is valid, and the kind can be forced", async () => {
  const index = JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] }, null, 2);
  await page.fill("#validate-input", index);
  assert.match(await page.textContent("#validate-verdict"), /^A valid index/);
  await page.selectOption("#validate-kind", "manifest");
  assert.match(await page.textContent("#validate-verdict"), /^Not a valid manifest/);
  await page.selectOption("#validate-kind", "");
  await page.fill("#validate-input", "");
  assert.equal(await page.textContent("#validate-verdict"), "Paste a document to check it.");
  assert.deepEqual(problems, []);
});
