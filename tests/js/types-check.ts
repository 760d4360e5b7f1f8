// Compiled with `tsc --noEmit` by scripts/test-js.sh: every export of ocikit, used as documented.
import {
  Digester,
  OciError,
  digest,
  digestBlob,
  lintMediaType,
  parseDigest,
  parseMediaType,
  verify,
  type ArtifactMediaTypeParts,
  type BytesLike,
  type DigestAlgorithm,
  type DigestBlobOptions,
  type DigestParts,
  type ErrorCode,
  type Finding,
  type FindingCode,
  type MediaTypeParts,
  type Role,
} from "ocikit";
import * as wasm from "ocikit/wasm";

const bytes: BytesLike = new TextEncoder().encode("{}");
const algorithm: DigestAlgorithm = "sha512";
const a: string = digest(bytes);
const b: string = digest(new ArrayBuffer(2), algorithm);
verify(bytes, a);
verify(new DataView(new ArrayBuffer(2)), b, 2);

const digester: Digester = new Digester().update(bytes).update(new Uint8Array(1));
const size: number = digester.size;
const used: DigestAlgorithm = digester.algorithm;
const final: string = digester.finalize();
digester.verify(final, size);

const parts: DigestParts = parseDigest(a);
const supported: boolean = parts.supported;

const mediaType: MediaTypeParts = parseMediaType("application/vnd.example.docsinmarkdown.config.v1+json");
const tree: "" | "vnd" | "prs" | "x" = mediaType.tree;
const suffix: string | null = mediaType.suffix;
const artifact: ArtifactMediaTypeParts | null = mediaType.artifact;
const role: Role | undefined = artifact?.role;
const subTypes: string[] | undefined = artifact?.subTypes;
const version: string | null | undefined = artifact?.version;

const findings: Finding[] = lintMediaType("text/markdown", "layer");
const codes: FindingCode[] = findings.map((f) => f.code);
const severity: "error" | "warning" | undefined = findings[0]?.severity;

const options: DigestBlobOptions = {
  algorithm: "sha256",
  chunkSize: 1 << 20,
  onProgress: (done: number, total: number) => void [done, total],
  signal: new AbortController().signal,
};
const pending: Promise<string> = digestBlob(new Blob([new TextEncoder().encode("{}")]), options);

try {
  verify(bytes, a, 3);
} catch (error) {
  if (error instanceof OciError) {
    const code: ErrorCode = error.code;
    const name: "OciError" = error.name;
    const expected = error.details.expected;
    void [code, name, expected];
  }
}
const made = new OciError("SIZE_MISMATCH", "sizes differ", { expected: 3, actual: 2 }, { cause: "test" });
const sameClass: typeof OciError = wasm.OciError;
const wasmDigest: string = wasm.digest(bytes, "sha256");

// Misuse the types must reject.
// @ts-expect-error: text is not bytes
digest("{}");
// @ts-expect-error: md5 is not a DigestAlgorithm
new Digester("md5");
// @ts-expect-error: size is read-only
digester.size = 3;
// @ts-expect-error: role is "config" or "layer"
lintMediaType("text/plain", "manifest");

void [supported, tree, suffix, role, subTypes, version, codes, severity, pending, made, sameClass, wasmDigest, used];
