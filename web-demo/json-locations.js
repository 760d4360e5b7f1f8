// Where each JSON pointer of a document is in its text, so that a finding can be shown at its
// place. A small tolerant reader: it records the location of every value (and of its key) and
// stops at the first syntax error, keeping what it found before it.

/** The JSON pointer token for an object key (RFC 6901: "~" as "~0", "/" as "~1"). */
function token(key) {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

const ESCAPES = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const LITERAL = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

class SyntaxStop extends Error {}

/**
 * `{ values, duplicates }`: for each pointer, `{ start, end, keyStart, keyEnd }` offsets into
 * `text` (key offsets for object members only). A key seen twice in one object is in
 * `duplicates` at its second place.
 */
export function locate(text) {
  const values = new Map();
  const duplicates = new Map();
  let i = 0;
  const space = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i += 1;
  };
  const stop = () => {
    throw new SyntaxStop();
  };
  const string = () => {
    const start = i;
    let value = "";
    i += 1;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i += 1;
        return { value, start, end: i };
      }
      if (c === "\\") {
        const next = text[i + 1];
        if (next === "u") {
          value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          value += ESCAPES[next] ?? "";
          i += 2;
        }
        continue;
      }
      value += c;
      i += 1;
    }
    return stop();
  };
  const value = (pointer, key) => {
    space();
    const start = i;
    const c = text[i];
    if (c === "{") {
      i += 1;
      space();
      if (text[i] === "}") i += 1;
      else {
        for (;;) {
          space();
          if (text[i] !== '"') stop();
          const member = string();
          space();
          if (text[i] !== ":") stop();
          i += 1;
          value(`${pointer}/${token(member.value)}`, member);
          space();
          if (text[i] === ",") i += 1;
          else if (text[i] === "}") {
            i += 1;
            break;
          } else stop();
        }
      }
    } else if (c === "[") {
      i += 1;
      space();
      if (text[i] === "]") i += 1;
      else {
        for (let n = 0; ; n += 1) {
          value(`${pointer}/${n}`, undefined);
          space();
          if (text[i] === ",") i += 1;
          else if (text[i] === "]") {
            i += 1;
            break;
          } else stop();
        }
      }
    } else if (c === '"') {
      string();
    } else {
      LITERAL.lastIndex = i;
      const match = LITERAL.exec(text);
      if (match === null) stop();
      i += match[0].length;
    }
    const location = { start, end: i, keyStart: key?.start, keyEnd: key?.end };
    if (values.has(pointer)) duplicates.set(pointer, location);
    else values.set(pointer, location);
  };
  try {
    value("", undefined);
  } catch (error) {
    if (!(error instanceof SyntaxStop)) throw error;
  }
  return { values, duplicates };
}

/** The offset of a 1-based line and column (as the core's JSON messages give them). */
export function offsetOf(text, line, column) {
  let offset = 0;
  for (let l = 1; l < line; l += 1) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(offset + Math.max(column - 1, 0), text.length);
}

/**
 * Where a finding belongs: `{ start, end, exact }`. `exact` is false when the pointer names
 * something absent (a missing field): the range is then its nearest present ancestor's key.
 */
export function findingRange(text, finding, located) {
  // Syntax errors and duplicate keys name a line and column in the message (path "").
  const at = /line (\d+) column (\d+)/.exec(finding.message);
  if (finding.code === "JSON_INVALID" && at) {
    const offset = Math.min(offsetOf(text, Number(at[1]), Number(at[2])), Math.max(text.length - 1, 0));
    // Highlight the character there, or the last one when the text ended too early.
    const start = Math.max(0, text[offset] === undefined || text[offset] === "\n" ? offset - 1 : offset);
    return { start, end: Math.min(start + 1, text.length), exact: true };
  }
  let pointer = finding.path;
  let exact = true;
  while (!located.values.has(pointer) && pointer !== "") {
    pointer = pointer.slice(0, pointer.lastIndexOf("/"));
    exact = false;
  }
  const place = located.duplicates.get(pointer) ?? located.values.get(pointer);
  if (place === undefined) return { start: 0, end: Math.min(1, text.length), exact: false };
  const opens = "{[".includes(text[place.start]);
  if (!exact || (opens && text.slice(place.start, place.end).includes("\n"))) {
    // An object or array over several lines: its key (or its opening bracket) stands for it.
    if (place.keyStart !== undefined) return { start: place.keyStart, end: place.keyEnd, exact };
    return { start: place.start, end: place.start + 1, exact };
  }
  return { start: place.keyStart ?? place.start, end: place.end, exact };
}
