// Types of the npm package ocikit (hand-written; every entry point shares them).

/** The digest algorithms ocikit computes. */
export type DigestAlgorithm = "sha256" | "sha512";

/** Bytes as ocikit accepts them: a Uint8Array (a Node Buffer is one), ArrayBuffer or view. */
export type BytesLike = Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * The stable codes an OciError carries, shared with ocikit for Python (see
 * tests/vectors/error-codes.json). Registry error codes of the distribution spec pass through
 * unchanged, hence the open end.
 */
export type ErrorCode =
  | "JSON_INVALID"
  | "FIELD_MISSING"
  | "SCHEMA_VERSION_INVALID"
  | "MEDIA_TYPE_INVALID"
  | "MEDIA_TYPE_MISMATCH"
  | "DIGEST_INVALID"
  | "DIGEST_UNSUPPORTED"
  | "DIGEST_MISMATCH"
  | "SIZE_INVALID"
  | "SIZE_MISMATCH"
  | "DATA_INVALID"
  | "ARTIFACT_TYPE_REQUIRED"
  | "ANNOTATION_INVALID"
  | "URL_INVALID"
  | "DISPLAY_NAME_INVALID"
  | "LOGO_INVALID"
  | "LOGO_UNSAFE"
  | "LOGO_TOO_LARGE"
  | "OPTIONS_INVALID"
  | "REFERENCE_INVALID"
  | (string & {});

/** The codes lint and validation findings carry (besides the raised codes). */
export type FindingCode =
  | "LAYERS_EMPTY"
  | "MEDIA_TYPE_UPPERCASE"
  | "MEDIA_TYPE_TOO_LONG"
  | "MEDIA_TYPE_X_PREFIX"
  | "MEDIA_TYPE_IMAGE_CONFIG"
  | "MEDIA_TYPE_NOT_VENDOR"
  | "MEDIA_TYPE_EMPTY_SEGMENT"
  | "MEDIA_TYPE_NO_ROLE"
  | "MEDIA_TYPE_NO_OBJECT_TYPE"
  | "MEDIA_TYPE_NO_VERSION"
  | "MEDIA_TYPE_CONFIG_NOT_JSON"
  | "MEDIA_TYPE_ROLE_MISMATCH"
  | "KIND_UNKNOWN"
  | "MEDIA_TYPE_MISSING"
  | "VALUE_INVALID"
  | "ANNOTATION_KEY_RESERVED"
  | "ANNOTATION_KEY_NOT_NAMESPACED"
  | "BLOB_MISSING"
  | ErrorCode;

/**
 * An error reported by ocikit: `code` is stable, `details` names the values involved, e.g.
 * `{ expected: 3, actual: 4 }` for SIZE_MISMATCH or `{ value, reason }` for DIGEST_INVALID.
 * Sizes in details are numbers (a BigInt only beyond Number.MAX_SAFE_INTEGER).
 */
export class OciError extends Error {
  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, string | number | bigint>,
    options?: ErrorOptions,
  );
  readonly name: "OciError";
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, string | number | bigint>>;
}

/**
 * The digest string of `data`, e.g. `"sha256:44136fa3…"`.
 * @throws {OciError} DIGEST_INVALID or DIGEST_UNSUPPORTED for a bad `algorithm`.
 * @throws {TypeError} when `data` is not bytes.
 */
export function digest(data: BytesLike, algorithm?: DigestAlgorithm): string;

/**
 * Checks that `data` has the `expected` digest and, when given, `size` (checked first).
 * @throws {OciError} SIZE_MISMATCH, DIGEST_MISMATCH, DIGEST_UNSUPPORTED, DIGEST_INVALID or
 *   SIZE_INVALID (a size that is not a non-negative safe integer).
 */
export function verify(data: BytesLike, expected: string, size?: number): void;

/** An incremental digest over content that arrives in pieces. */
export class Digester {
  /** @throws {OciError} DIGEST_INVALID or DIGEST_UNSUPPORTED. */
  constructor(algorithm?: DigestAlgorithm);
  /** The algorithm this digester computes. */
  readonly algorithm: DigestAlgorithm;
  /** Bytes fed so far. @throws {RangeError} past Number.MAX_SAFE_INTEGER. */
  readonly size: number;
  /** Feeds more bytes; returns this digester. */
  update(data: BytesLike): this;
  /** The digest of everything fed so far; more may follow. */
  finalize(): string;
  /** @throws {OciError} unless the content so far has the `expected` digest (and `size`). */
  verify(expected: string, size?: number): void;
}

/** Options of {@link digestBlob}. */
export interface DigestBlobOptions {
  /** sha256 (default) or sha512. */
  algorithm?: DigestAlgorithm;
  /** Bytes read and hashed at a time; 4 MiB by default. */
  chunkSize?: number;
  /** Called after each chunk, and once for an empty blob; the last call has done === total. */
  onProgress?: (bytesDone: number, total: number) => void;
  /** Aborts reading; the promise then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/** Digests a Blob or File in chunks, without reading it into memory whole. */
export function digestBlob(blob: Blob, options?: DigestBlobOptions): Promise<string>;

/** The parts of a parsed digest. */
export interface DigestParts {
  /** e.g. `"sha256"`; any grammar-valid name parses. */
  algorithm: string;
  /** The part after the colon. */
  encoded: string;
  /** Whether ocikit can compute and verify it (sha256, sha512). */
  supported: boolean;
}

/** @throws {OciError} DIGEST_INVALID. */
export function parseDigest(digest: string): DigestParts;

/** Where a media type is used within an artifact. */
export type Role = "config" | "layer";

/** The parts of a name that follows the artifact naming convention
 * `application/vnd.<org>.<objectType>[.<subType>…].<role>.<version>[+<format>]`. */
export interface ArtifactMediaTypeParts {
  org: string;
  objectType: string;
  subTypes: string[];
  role: Role;
  /** e.g. `"v1"`; null when the name has none. */
  version: string | null;
  /** What follows the version, e.g. `"json"` or `"tar+gzip"`; null when nothing does. */
  format: string | null;
}

/** The parts of a media type name (RFC 6838 §4.2). */
export interface MediaTypeParts {
  type: string;
  subtype: string;
  /** The registration tree's facet: `"vnd"`, `"prs"`, `"x"`, or `""` for the standards tree. */
  tree: "" | "vnd" | "prs" | "x";
  /** The structured syntax suffix, e.g. `"json"`; null without a `+`. */
  suffix: string | null;
  /** Whether an OCI or Docker specification defines this exact type. */
  specDefined: boolean;
  /** The naming-convention parts, or null when the name does not follow the convention. */
  artifact: ArtifactMediaTypeParts | null;
}

/** @throws {OciError} MEDIA_TYPE_INVALID. */
export function parseMediaType(mediaType: string): MediaTypeParts;

/** What a lint or validation found. */
export interface Finding {
  code: FindingCode;
  severity: "error" | "warning";
  /** JSON pointer to the offending value; `""` for the whole input. */
  path: string;
  message: string;
  /** The rule broken, e.g. `"RFC 6838 §4.2"`. */
  rule: string;
}

/**
 * Warnings about a media type name (RFC 6838 SHOULDs and the artifact naming convention).
 * `role` says where the type is used; without it the role is read from the name.
 * @throws {OciError} MEDIA_TYPE_INVALID.
 */
export function lintMediaType(mediaType: string, role?: Role): Finding[];
