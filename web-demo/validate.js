// The Validate card: any manifest, index, descriptor, image config or oci-layout file, with each
// finding numbered, listed, and marked at its place in the text.
import { validate } from "ocikit";
import { findingRange, locate } from "./json-locations.js";
import { $, el } from "./ui.js";

// A manifest with a mistake of each common kind, for the "Load a broken example" button.
const EXAMPLE = `{
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {
    "mediaType": "application/vnd.oci.empty.v1+json",
    "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
    "size": 2
  },
  "layers": [
    {
      "mediaType": "application/vnd.acme.rocket.docs.layer.v1+tar",
      "digest": "sha256:0D9D4998292BD14F5283B4AE048F723E9B79D41AE6E05F54599B0873C26F0243",
      "size": -30,
      "annotations": { "org.opencontainers.image.title": "overview.md" }
    },
    {
      "mediaType": "text plain",
      "size": 12
    }
  ],
  "annotations": {
    "org.opencontainers.image.created": "last Tuesday"
  }
}
`;

let ranges = []; // per finding: { start, end, exact }

function render() {
  const text = $("validate-input").value;
  const list = $("validate-findings");
  const verdict = $("validate-verdict");
  const source = $("validate-source");
  list.replaceChildren();
  ranges = [];
  if (text.trim() === "") {
    verdict.textContent = "Paste a document to check it.";
    verdict.className = "verdict";
    source.replaceChildren();
    return;
  }
  const report = validate(text, $("validate-kind").value || undefined);
  const errors = report.findings.filter((f) => f.severity === "error").length;
  const warnings = report.findings.length - errors;
  verdict.className = `verdict ${report.valid ? "ok" : "error"}`;
  const counts = [errors && `${errors} error${errors === 1 ? "" : "s"}`, warnings && `${warnings} warning${warnings === 1 ? "" : "s"}`].filter(Boolean).join(", ");
  verdict.textContent = report.valid
    ? `A valid ${report.kind}${warnings ? ` (${counts})` : ""}.`
    : `Not a valid ${report.kind ?? "document"}: ${counts}.`;
  const located = locate(text);
  report.findings.forEach((finding, i) => {
    const range = findingRange(text, finding, located);
    ranges.push(range);
    const show = el("button", { type: "button", class: "secondary small", text: "Show", "aria-label": `Show finding ${i + 1} in the document` });
    show.addEventListener("click", () => select(i));
    list.append(
      el(
        "li",
        { class: finding.severity, id: `finding-${i + 1}` },
        el("span", { class: "badge", text: String(i + 1) }),
        el("div", {},
          el("code", { text: finding.code }), " ",
          el("span", { class: "mono path", text: finding.path || "(document)" }),
          range.exact ? null : el("span", { class: "muted", text: " — absent; marked at its parent" }),
          el("div", { text: finding.message }),
          el("span", { class: "rule", text: finding.rule }),
        ),
        show,
      ),
    );
  });
  showSource(text, report.findings);
}

/** The text with a mark over each finding's range, numbered as the list is. */
function showSource(text, findings) {
  const source = $("validate-source");
  source.replaceChildren();
  const cuts = new Set([0, text.length]);
  for (const r of ranges) {
    cuts.add(r.start);
    cuts.add(r.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const started = new Set();
  for (let p = 0; p < points.length - 1; p += 1) {
    const [from, to] = [points[p], points[p + 1]];
    const piece = text.slice(from, to);
    const covering = ranges.map((r, i) => (r.start <= from && to <= r.end ? i : -1)).filter((i) => i >= 0);
    if (covering.length === 0) {
      source.append(piece);
      continue;
    }
    const severe = covering.some((i) => findings[i].severity === "error");
    const mark = el("mark", { class: severe ? "error" : "warning", "data-findings": covering.map((i) => i + 1).join(" ") });
    for (const i of covering) {
      if (started.has(i)) continue;
      started.add(i);
      mark.append(el("sup", { class: "badge", id: `finding-at-${i + 1}`, "aria-hidden": "true", text: String(i + 1) }));
    }
    mark.title = covering.map((i) => `${i + 1}. ${findings[i].code}: ${findings[i].message}`).join("\n");
    mark.append(piece);
    source.append(mark);
  }
}

/** Shows finding `i`: selected in the text area, and flashed in the marked copy. */
function select(i) {
  const { start, end } = ranges[i];
  const input = $("validate-input");
  input.focus();
  input.setSelectionRange(start, end);
  for (const mark of document.querySelectorAll("#validate-source mark.current")) mark.classList.remove("current");
  for (const mark of document.querySelectorAll("#validate-source mark")) {
    if (mark.dataset.findings.split(" ").includes(String(i + 1))) mark.classList.add("current");
  }
  document.getElementById(`finding-at-${i + 1}`)?.scrollIntoView({ block: "nearest" });
}

export function setUpValidate() {
  $("validate-input").addEventListener("input", render);
  $("validate-kind").addEventListener("change", render);
  $("validate-example").addEventListener("click", () => {
    $("validate-input").value = EXAMPLE;
    render();
  });
}
