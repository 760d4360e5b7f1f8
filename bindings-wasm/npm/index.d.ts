// Types of the npm package ocikit (hand-written; every entry point shares them).

/** Where {@link init} loads the WebAssembly module from. */
export interface InitOptions {
  /**
   * A URL (or URL text) to fetch, a fetch `Response`, the module's bytes, or a compiled
   * `WebAssembly.Module`; by default the package's own `wasm/ocikit_wasm_bg.wasm`.
   */
  // `& object`: lib.dom's WebAssembly.Module has no members, so alone it would admit a number.
  wasm?: URL | string | Response | BufferSource | (WebAssembly.Module & object);
}

/**
 * Loads the WebAssembly module. In browsers, `ocikit` calls it on import (top-level await);
 * `ocikit/manual` does not, and every function and constructor of that entry throws an `Error`
 * until the promise resolves. Idempotent: later calls return the first call's promise and ignore
 * their options (a failed call may be retried). In Node the module is loaded on import and this
 * resolves at once.
 */
export function init(options?: InitOptions): Promise<void>;

/** The digest algorithms ocikit computes. */
export type DigestAlgorithm = "sha256" | "sha512" | "blake3";

/** Bytes as ocikit accepts them: a Uint8Array (a Node Buffer is one), ArrayBuffer or view. */
export type BytesLike = Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

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
  | "PULL_COMMAND_INVALID"
  | "OPTIONS_INVALID"
  | "REFERENCE_INVALID"
  | "LIMIT_EXCEEDED"
  | "PATH_UNSAFE"
  | "ARCHIVE_UNSAFE"
  | "ARCHIVE_INVALID"
  | "OPERATION_MISUSE"
  // Raised by ocikit for Python only, for a str argument holding a lone surrogate (a JS
  // string's lone surrogates reach the engine as U+FFFD).
  | "TEXT_INVALID"
  | RegistryErrorCode
  | ClientErrorCode
  | (string & {});

/**
 * The codes of registry operations: ocikit's own, and the distribution spec's error codes, which
 * pass through unchanged (a code the spec does not define is REGISTRY_ERROR, with the registry's
 * own in `details.registryCode`).
 */
export type RegistryErrorCode =
  | "AUTH_INVALID"
  | "AUTH_REALM_REFUSED"
  | "PROTOCOL_ERROR"
  | "LOCATION_REFUSED"
  | "REGISTRY_ERROR"
  | "NOT_FOUND"
  | "BLOB_UNKNOWN"
  | "BLOB_UPLOAD_INVALID"
  | "BLOB_UPLOAD_UNKNOWN"
  | "DIGEST_INVALID"
  | "MANIFEST_BLOB_UNKNOWN"
  | "MANIFEST_INVALID"
  | "MANIFEST_UNKNOWN"
  | "NAME_INVALID"
  | "NAME_UNKNOWN"
  | "SIZE_INVALID"
  | "UNAUTHORIZED"
  | "DENIED"
  | "UNSUPPORTED"
  | "TOOMANYREQUESTS";

/**
 * The codes of transport failures. The engine raises NETWORK_ERROR, TLS_ERROR and TIMEOUT, with
 * `host`, `reason`, and the request's `method` and `url` (without its query, which may hold a
 * presigned URL's signature) in `details`, for the failures a host feeds it (`{ type:
 * "failure", kind, message }`) once it will not retry them, and TIMEOUT for an operation past
 * its deadline (with `method` and `url` when a request was under way). The {@link Client}
 * feeds it every failure of `fetch` itself (no connection, DNS, TLS, CORS, a stall timeout or
 * deadline it enforces) and adds `phase` (`"request"` or
 * `"body"`) and, for its own timers, `limit` (`"stallTimeoutMs"` or `"deadlineMs"`) to
 * `details`, with fetch's error as `cause`; a redirect a browser hid is its NETWORK_ERROR.
 * STREAM_NOT_REWINDABLE: an upload from a stream would need bytes already sent.
 */
export type ClientErrorCode = "NETWORK_ERROR" | "TIMEOUT" | "TLS_ERROR" | "STREAM_NOT_REWINDABLE";

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
  | "ENV_ENTRY_INVALID"
  | "SET_ENTRY_NOT_EMPTY"
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
  /** sha256 (default), sha512 or blake3. */
  algorithm?: DigestAlgorithm;
  /** Bytes read and hashed at a time; 4 MiB by default. */
  chunkSize?: number;
  /** Called after each chunk, and once for an empty blob; the last call has done === total. */
  onProgress?: (bytesDone: number, total: number) => void;
  /** Aborts reading; the promise then rejects with `signal.reason` (and a worker is terminated). */
  signal?: AbortSignal;
  /**
   * Browsers: where to hash. `true`: in a Web Worker (a module worker that loads its own wasm
   * instance), so that the page keeps drawing frames; `false`: on the calling thread; `"auto"`
   * (the default): in a worker from 8 MiB on, and on the calling thread when the runtime has no
   * `Worker` or the worker cannot start. `onProgress` is called on the calling thread either way.
   * Node hashes with node:crypto on the calling thread and ignores this option.
   */
  worker?: boolean | "auto";
}

/** Digests a Blob or File in chunks, without reading it into memory whole. */
export function digestBlob(blob: Blob, options?: DigestBlobOptions): Promise<string>;

/** The parts of a parsed digest. */
export interface DigestParts {
  /** e.g. `"sha256"`; any grammar-valid name parses. */
  algorithm: string;
  /** The part after the colon. */
  encoded: string;
  /** Whether ocikit can compute and verify it (sha256, sha512, blake3). */
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

/** The kinds of document `validate` knows; `"layout"` is the `oci-layout` file. */
export type Kind = "manifest" | "index" | "descriptor" | "config" | "layout";

/** What `validate` found. `valid` is false iff a finding is an error. */
export interface Report {
  valid: boolean;
  /** The kind given, or the kind detected; null when it could not be told. */
  kind: Kind | null;
  /** Every finding, in document order. */
  findings: Finding[];
}

/**
 * Validates a manifest, index, descriptor, image config or `oci-layout` file against every rule
 * of the image-spec ocikit knows, reporting all findings at once. Text is validated as its UTF-8
 * encoding. Never throws for a string or bytes: problems are findings.
 * @throws {TypeError} for a `kind` that is not a {@link Kind}, or a document that is neither
 *   text nor bytes.
 */
export function validate(document: string | BytesLike, kind?: Kind): Report;

/** Annotations: string keys to string values. */
export type Annotations = Record<string, string>;

/** A platform (`platform` of an index entry), with JSON field names. */
export interface Platform {
  architecture: string;
  os: string;
  "os.version"?: string;
  "os.features"?: string[];
  variant?: string;
  /** Fields the spec does not define are kept. */
  [field: string]: unknown;
}

/**
 * A content descriptor as a plain object with JSON field names. `data` is base64 text, as in a
 * document. Sizes are numbers up to Number.MAX_SAFE_INTEGER.
 */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Annotations;
  data?: string;
  platform?: Platform;
  artifactType?: string;
  /** Fields the spec does not define are kept. */
  [field: string]: unknown;
}

/** An image manifest as a plain object with JSON field names (unknown fields kept). */
export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Annotations;
  [field: string]: unknown;
}

/** An image index as a plain object with JSON field names (unknown fields kept). */
export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Annotations;
  [field: string]: unknown;
}

/** A document read by {@link parseManifest}: the object, and digest, size and copy of the bytes. */
export interface ParsedManifest {
  /** The typed manifest as the core reads it, in Go field order, unknown fields after. */
  manifest: Manifest;
  /** sha256 of exactly the bytes given (never of a re-serialization). */
  digest: string;
  size: number;
  bytes: Uint8Array;
}

/** A document read by {@link parseIndex}. */
export interface ParsedIndex {
  index: Index;
  digest: string;
  size: number;
  bytes: Uint8Array;
}

/**
 * Reads an image manifest, keeping the bytes and their digest.
 * @throws {OciError} the first rule broken (JSON_INVALID, FIELD_MISSING, SCHEMA_VERSION_INVALID,
 *   MEDIA_TYPE_MISMATCH, DIGEST_INVALID, SIZE_INVALID, DATA_INVALID, …); use {@link validate}
 *   for every finding at once.
 * @throws {RangeError} for a size or an integer beyond Number.MAX_SAFE_INTEGER, which a number
 *   cannot hold exactly.
 */
export function parseManifest(bytes: BytesLike): ParsedManifest;

/** Reads an image index, keeping the bytes and their digest. Throws as {@link parseManifest}. */
export function parseIndex(bytes: BytesLike): ParsedIndex;

/**
 * The canonical bytes of a manifest: image-spec Go field order, compact, sorted map keys, Go's
 * escaping — what ORAS and other Go tools write for the same manifest.
 * @throws {OciError} as {@link parseManifest} for content the core rejects; SIZE_INVALID (for a
 *   `size`) or JSON_INVALID (elsewhere) for a number JSON cannot hold exactly (non-finite, or an
 *   integer beyond Number.MAX_SAFE_INTEGER).
 * @throws {TypeError} for values of a type JSON cannot hold (a BigInt, a Map, bytes where base64
 *   text belongs).
 */
export function encodeManifest(manifest: Manifest): Uint8Array;

/** The canonical bytes of an index. Throws as {@link encodeManifest}. */
export function encodeIndex(index: Index): Uint8Array;

/** Which image-spec version's conventions to pack with. */
export type ImageSpec = "v1.1" | "v1.0";

/** Content as bytes, or as the digest and size of bytes the caller uploads itself. */
export type Content =
  | { data: BytesLike; digest?: undefined; size?: undefined }
  | { data?: undefined; digest: string; size: number };

/** A file to pack as a layer; its name goes to `org.opencontainers.image.title`. */
export type PackFile = Content & {
  /** A portable relative path (no `..`, no absolute path, nothing Windows rejects). */
  name: string;
  /** The layer media type; `application/vnd.oci.image.layer.v1.tar` (ORAS's default) if unset. */
  mediaType?: string;
  /** Layer annotations; a title here overrides `name`. */
  annotations?: Annotations;
};

/** A config blob instead of the empty one. */
export type PackConfig = Content & { mediaType: string };

/** Options of {@link pack}. */
export interface PackOptions {
  files?: PackFile[];
  /** v1.1: `artifactType`; v1.0: the config media type. Required in v1.1 with the empty config. */
  artifactType?: string;
  config?: PackConfig;
  /** Annotations of the config descriptor (ORAS's `$config`). */
  configAnnotations?: Annotations;
  /** Manifest annotations (ORAS's `$manifest`). */
  annotations?: Annotations;
  /** The manifest this artifact refers to (signatures, SBOMs); v1.1 only. */
  subject?: Descriptor;
  /** `"v1.1"` by default. */
  imageSpec?: ImageSpec;
  /**
   * `org.opencontainers.image.created`: RFC 3339 text, or a Date written in UTC to the second
   * (as ORAS does). None by default: packing is deterministic.
   */
  created?: string | Date;
  /** Embeds blobs of at most this many bytes in their descriptors' `data`. */
  embedDataUpTo?: number;
  /** The ORAS CLI's default artifact type `application/vnd.unknown.artifact.v1` when none is given. */
  cliDefaults?: boolean;
}

/** A blob the packed manifest references, with its bytes unless the caller gave a digest. */
export interface PackedBlob {
  descriptor: Descriptor;
  data?: Uint8Array;
}

/** The result of {@link pack} and {@link packIndex}. */
export interface Packed {
  /** The exact bytes to upload. */
  manifest: Uint8Array;
  /** The digest of `manifest`. */
  digest: string;
  size: number;
  /** `application/vnd.oci.image.manifest.v1+json` or `application/vnd.oci.image.index.v1+json`. */
  mediaType: string;
  /** A descriptor of the manifest, with its artifactType: for a subject, an index, a layout. */
  descriptor: Descriptor;
  /** Every blob to upload, config first, each once (none for an index). */
  blobs: PackedBlob[];
}

/**
 * Packs files into an artifact manifest the way ORAS does, byte for byte.
 * @throws {OciError} ARTIFACT_TYPE_REQUIRED, ANNOTATION_INVALID (a file title that is not
 *   portable, a `created` that is not RFC 3339), OPTIONS_INVALID (a subject or a config with an
 *   artifact type in v1.0), MEDIA_TYPE_INVALID, DIGEST_INVALID, SIZE_INVALID, …
 * @throws {TypeError} for options of the wrong JavaScript type, or an unknown option.
 */
export function pack(options: PackOptions): Packed;

/** Options of {@link packIndex}. */
export interface PackIndexOptions {
  /** Descriptors of the manifests (e.g. `packed.descriptor`), with `platform` when given. */
  manifests?: Descriptor[];
  artifactType?: string;
  annotations?: Annotations;
  subject?: Descriptor;
}

/** Builds an image index: an artifact collection or a multi-platform image. */
export function packIndex(options: PackIndexOptions): Packed;

/** `application/vnd.oci.image.layer.v1.tar+gzip`: the media type of a directory layer. */
export const DIRECTORY_MEDIA_TYPE: "application/vnd.oci.image.layer.v1.tar+gzip";

/** One entry of a folder given as data: a file (`data`), a directory or a symbolic link. */
export interface DirectoryEntryInput {
  /** Relative to the folder, `/`-separated. */
  path: string;
  /** `"file"` by default. */
  kind?: "file" | "directory" | "symlink";
  /** A file's bytes. */
  data?: Uint8Array | ArrayBuffer | ArrayBufferView | Blob;
  /** Permission bits (0644 for files, 0755 for directories by default). */
  mode?: number;
  /** Seconds since the Unix epoch (used with `mtime: "real"`). */
  mtime?: number;
  /** A symbolic link's target: relative, inside the folder. */
  target?: string;
}

/** Options of {@link packDirectory}. */
export interface PackDirectoryOptions {
  /** The layer's title and the archive's top directory; default: the folder's name. */
  name?: string;
  /** Seconds for every entry (0 by default: reproducible), or `"real"` for each file's own. */
  mtime?: number | "real";
  /** Keep permission bits instead of normalising them to 0644 / 0755. */
  keepModes?: boolean;
  /** Added to the layer's annotations. */
  annotations?: Annotations;
}

/** A packed folder: `file` goes into `pack({ files })`. */
export interface PackedDirectory {
  file: PackFile & { mediaType: "application/vnd.oci.image.layer.v1.tar+gzip"; data: Uint8Array };
  /** The layer, with its title, `io.deis.oras.content.digest` and `io.deis.oras.content.unpack`. */
  descriptor: Descriptor;
  /** The digest of the uncompressed tar. */
  contentDigest: string;
  /** The size of the uncompressed tar. */
  contentSize: number;
}

/**
 * A folder as one reproducible tar+gzip layer, as the ORAS CLI pushes a directory (the same
 * bytes as Python's `File.from_directory` for the same tree): a `FileSystemDirectoryHandle`, the
 * `File`s of `<input type="file" webkitdirectory>`, or entries with `options.name`.
 * Throws an OciError: ARCHIVE_UNSAFE (a link leading out), ARCHIVE_INVALID (a bad path or name).
 */
export function packDirectory(
  source: FileSystemDirectoryHandle | ReadonlyArray<File | DirectoryEntryInput>,
  options?: PackDirectoryOptions,
): Promise<PackedDirectory>;

/** One entry of an unpacked directory layer, its path under the title (`mydir/a.txt`). */
export interface DirectoryEntry {
  path: string;
  type: "file" | "directory" | "symlink" | "hardlink";
  /** Permission bits (at most 0o777; no setuid, setgid or sticky bit). */
  mode: number;
  /** A file's bytes. */
  data?: Uint8Array;
  /** A link's target (a hard link's: an earlier file's path). */
  target?: string;
}

/** Bounds of {@link unpackDirectory} (the core's defaults: 8 GiB, 100,000 entries, ratio 250). */
export interface UnpackLimits {
  maxSize?: number;
  maxEntries?: number;
  maxRatio?: number;
}

/**
 * The entries of a directory layer, each checked by the core, the content digest verified.
 * Throws an OciError: ARCHIVE_UNSAFE, ARCHIVE_INVALID, LIMIT_EXCEEDED, DIGEST_MISMATCH,
 * PATH_UNSAFE (a `.git` component).
 */
export function unpackDirectory(
  layer: Uint8Array | ArrayBuffer | ArrayBufferView | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  descriptor: Descriptor,
  /** `allowGit`: allow entries with a `.git` component (else PATH_UNSAFE, as pulled titles). */
  options?: { limits?: UnpackLimits; allowGit?: boolean },
): Promise<{ entries: DirectoryEntry[]; contentDigest: string; contentSize: number }>;

/** Whether a pulled layer is a directory to unpack (ORAS's unpack annotation, or oras-py's convention). */
export function shouldUnpack(descriptor: Descriptor): boolean;

/** An artifact type and how to show it. */
export interface ArtifactTypeDefinition {
  artifactType: string;
  aliases: string[];
  /** A short name, e.g. "Helm chart". */
  displayName: string;
  description: string;
  layerMediaTypes: string[];
  url?: string;
  /** An SVG logo, checked safe to show in a page. */
  logo?: string;
  /** The logo for a dark background (`logo` serves both when absent). */
  darkLogo?: string;
  /** Commands that fetch an artifact of the type, with `{reference}`, `{registry}`, `{repository}`, `{tag}`, `{digest}`. */
  pullCommands?: string[];
}

/** A definition to register: only `artifactType` and `displayName` are required. */
export interface ArtifactTypeDefinitionInput {
  artifactType: string;
  displayName: string;
  aliases?: string[];
  description?: string;
  layerMediaTypes?: string[];
  url?: string;
  logo?: string;
  darkLogo?: string;
  pullCommands?: string[];
}

/** The catalog's definitions: built-in ones first, then registered ones in order. */
export function artifactTypes(): ArtifactTypeDefinition[];

/**
 * Checks a definition and adds it to this module's catalog (shared by the package's entries),
 * replacing one with the same artifact type; it wins over built-in ones sharing an alias.
 * @throws {OciError} JSON_INVALID, FIELD_MISSING, MEDIA_TYPE_INVALID, DISPLAY_NAME_INVALID,
 *   LOGO_INVALID, LOGO_UNSAFE, LOGO_TOO_LARGE, PULL_COMMAND_INVALID.
 */
export function registerArtifactType(definition: ArtifactTypeDefinitionInput | string): ArtifactTypeDefinition;

/** What an artifact is, by {@link describe}. */
export interface Description {
  /** `artifactType`, else `config.mediaType`; for `layers`, the type the layers belong to. */
  artifactType: string;
  /** `layers`: an image manifest whose layers are all of one other type (cosign's tag-schema signatures, attestations, SBOMs). */
  source: "artifactType" | "config.mediaType" | "layers";
  /** The catalog's definition, or null for a type it does not know. */
  definition: ArtifactTypeDefinition | null;
}

/** What a manifest (its bytes or a manifest object) is. @throws {OciError} as {@link parseManifest}. */
export function describe(manifest: BytesLike | Manifest): Description;

/** @throws {OciError} LOGO_INVALID, LOGO_UNSAFE or LOGO_TOO_LARGE unless the SVG is safe to show. */
export function checkLogo(svg: string): void;

/** The catalog's definition for an artifact type or one of its aliases (registered ones first), or null. */
export function lookupArtifactType(mediaType: string): ArtifactTypeDefinition | null;

/** What a tag is for, by its name. */
export interface TagClass {
  /** `referrers`: a referrers tag schema index (`sha256-<hex>`); `signature`/`attestation`/`sbom`: cosign's `sha256-<hex>.sig`/`.att`/`.sbom`. */
  kind: "tag" | "referrers" | "signature" | "attestation" | "sbom";
  /** The digest the name spells (sha256 only), or null. */
  subject: string | null;
}

/** Classifies a tag by its name. */
export function classifyTag(tag: string): TagClass;

/** A registry-quirk rule code, `"RQ001"`…`"RQ029"` (see {@link registryRules}). */
export type RegistryRuleCode =
  | "RQ001" | "RQ002" | "RQ003" | "RQ004" | "RQ005" | "RQ006" | "RQ007" | "RQ008" | "RQ009"
  | "RQ010" | "RQ011" | "RQ012" | "RQ013" | "RQ014" | "RQ015" | "RQ016" | "RQ017" | "RQ018"
  | "RQ019" | "RQ020" | "RQ021" | "RQ022" | "RQ023" | "RQ024" | "RQ025" | "RQ026" | "RQ027"
  | "RQ028" | "RQ029";

/** A public source a registry fact or rule rests on (the research note's `S1`…`S51`). */
export interface RegistrySource {
  tag: string;
  /** Where it is: repository and path at a commit, an issue, a documentation page. */
  cite: string;
  /** The date of the source (not of a live test). */
  date: string;
}

/** A finding of {@link lintForRegistry}: a registry rule's code, and `"info"` besides errors and warnings. */
export interface RegistryFinding {
  code: RegistryRuleCode;
  severity: "error" | "warning" | "info";
  /** JSON pointer to the offending value; `""` for the reference or the whole document. */
  path: string;
  /** What the registry does, the fix, and the source tags (`"… [S35, S36, S30]"`). */
  message: string;
  /** The rule's label with its source tags, e.g. `"RQ001 zero-byte-blob [S35,S36,S30]"`. */
  rule: string;
}

/** The result of {@link lintForRegistry}. */
export interface RegistryLint {
  /** True iff no finding is an error (the registry is not known to refuse the push). */
  ok: boolean;
  /** The profile checked against: `"ghcr"`, `"harbor"`, `"generic"`, … */
  profile: string;
  /** The registry host checked. */
  host: string;
  /** By rule code. */
  findings: RegistryFinding[];
  /** The sources the findings cite, in tag order. */
  sources: RegistrySource[];
}

/**
 * Checks a manifest or index against what is known of a registry before anything is sent: the
 * static rules RQ001… (zero-byte blobs, media types with parameters, GitLab's media-type list,
 * manifest size, blob limits, name depth and characters, `:443`, Docker types on zot, index
 * children, a missing `mediaType`, gcr.io being read-only, …); a `null` document checks the
 * target alone (before the document exists). `target` is a reference (whose
 * name is checked too) or a registry host; `profile` a profile name (`"harbor"`, `"zot"`,
 * `"distribution"`, `"quay"`, `"gitlab"`, or a hosted one's such as `"ghcr"`) overriding the
 * one the host selects; an unknown host gets `"generic"`.
 * @throws {OciError} JSON_INVALID (not a JSON object), REFERENCE_INVALID (a bad target),
 *   OPTIONS_INVALID (an unknown profile).
 * @throws {TypeError} for a document that is neither text, bytes nor a packed artifact.
 */
export function lintForRegistry(
  document: string | BytesLike | Packed | null,
  target: string,
  profile?: string,
): RegistryLint;

/** One known behaviour of a registry, with its sources. */
export interface RegistryFact {
  /** `"referrers-api"`, `"oci-subject"`, `"manifest-max"`, `"blob-max"`, `"media-types"`, … */
  topic: string;
  text: string;
  sources: RegistrySource[];
  /** The date the sources give. */
  asOf: string;
  confidence: "high" | "medium" | "low";
}

/** What is known about one registry (or self-hosted product). */
export interface RegistryProfile {
  name: string;
  title: string;
  /** Host patterns selecting it (`*` is part of one DNS label); empty for a self-hosted product. */
  hosts: string[];
  /** `null` when unknown: probe it. */
  referrersApi: boolean | null;
  ociSubject: boolean | null;
  manifestMax: number | null;
  blobMax: number | null;
  facts: RegistryFact[];
}

/** A registry profile by name or registry host (an unknown host gets `generic`). */
export function registryProfile(nameOrHost: string): RegistryProfile;
/** The profile names. */
export function registryProfile(): string[];

/** One registry-quirk rule. */
export interface RegistryRule {
  code: RegistryRuleCode;
  name: string;
  /** Run by {@link lintForRegistry}; the others need a probe or a transfer plan. */
  static: boolean;
  /** The worst severity it has on any registry. */
  severity: "error" | "warning" | "info";
  trigger: string;
  sources: RegistrySource[];
  confidence: "high" | "medium" | "low";
}

/** Every registry-quirk rule, RQ001…RQ029. */
export function registryRules(): RegistryRule[];

/**
 * The commands that fetch `reference`: the type's `pullCommands` filled in (those needing a tag
 * or digest the reference lacks left out), or `oras pull <reference>`.
 * @throws {OciError} REFERENCE_INVALID.
 */
export function pullCommands(reference: string, artifactType?: string | null): string[];

/** The parts of `registry/repository[:tag][@digest]`. */
export interface ReferenceParts {
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
}

/**
 * With `registry` (`host[:port]`), `reference` may be relative to it, as a client of that
 * registry reads it: `docs/app:v1` is `registry/docs/app:v1` (a first component names a
 * registry only when it has a `.` or `:`, is `localhost`, or is `registry` itself).
 * @throws {OciError} REFERENCE_INVALID or DIGEST_INVALID.
 */
export function parseReference(reference: string, registry?: string): ReferenceParts;

/**
 * A blob for a layout: its bytes, named by `descriptor.digest` (or `digest`), checked against
 * it and its size; by their sha256 when no digest is given. A {@link PackedBlob} is one.
 */
export interface LayoutBlob {
  data?: BytesLike;
  descriptor?: { digest: string; size?: number };
  digest?: string;
  size?: number;
}

/**
 * A manifest (or index) for a layout, e.g. a {@link Packed} result: `{ ...packed, tag: "v1" }`.
 * Without a `descriptor`, `manifest` must be an image manifest.
 */
export interface LayoutManifest {
  manifest: BytesLike;
  descriptor?: Descriptor;
  /** A tag (`org.opencontainers.image.ref.name` in `index.json`). */
  tag?: string;
  /** Its blobs; those without `data` (streamed files) are left out. */
  blobs?: LayoutBlob[];
  digest?: string;
  size?: number;
  mediaType?: string;
}

/** Several manifests, and blobs they need besides their own (e.g. streamed files' bytes). */
export interface LayoutContents {
  manifests: LayoutManifest[];
  /** Each must have `data`. */
  blobs?: LayoutBlob[];
}

/**
 * An OCI image layout as a tar archive (for a download): `oci-layout`, `index.json` with the
 * tags, `blobs/sha256/…`. Deterministic: owner 0, modes 0644/0755, time 0.
 * @throws {OciError} REFERENCE_INVALID (a tag), DIGEST_MISMATCH or SIZE_MISMATCH (bytes that
 *   are not what their descriptor says), or what {@link parseManifest} throws.
 */
export function layoutTar(contents: LayoutManifest | LayoutContents): Uint8Array;

/** An OCI image layout read from a tar archive. */
export interface LayoutRead {
  tags: string[];
  /** The entries of `index.json`. */
  manifests: Descriptor[];
  /** Every `blobs/<algorithm>/<encoded>` file by the digest its name states. */
  blobs: Map<string, Uint8Array>;
  /**
   * The core's verification of the whole layout: missing files (BLOB_MISSING), wrong sizes and
   * digests, invalid documents. Paths are `file#pointer`. A damaged or truncated archive shows
   * here as missing files.
   */
  report: Report;
}

/** Reads and verifies an OCI image layout from the bytes of a tar archive. */
export function readLayoutTar(bytes: BytesLike): LayoutRead;

/** Credentials for a registry: a user name and password (or personal access token), an OAuth2
 * refresh token ("identity token" in Docker's config.json), or an access token sent as is. */
export type RegistryCredentials =
  | { username: string; password: string }
  | { refreshToken: string }
  | { accessToken: string };

/** Retries of 408, 429 and 5xx answers with exponential backoff and `Retry-After`. */
export interface RetryPolicy {
  /** Attempts after the first; 4 by default. */
  maxRetries?: number;
  /** The first wait; each later one doubles. 250 ms by default. */
  baseDelayMs?: number;
  /** No wait is longer, whatever `Retry-After` says. 30 s by default. */
  maxDelayMs?: number;
}

/**
 * The bounds the engine puts on every operation (DESIGN.md "Security policy"); each absent
 * field keeps its default. Times are milliseconds.
 */
export interface RegistryLimits {
  /** No byte moving for this long ends a request with TIMEOUT; 30 s by default (0: none). */
  stallTimeoutMs?: number;
  /** A body read whole (a manifest, a token, a tag page, an error) must arrive within this; 60 s by default (0: only the deadline). */
  requestTimeoutMs?: number;
  /** One operation (a manifest, a blob, a listing) ends with TIMEOUT this long after it started; 1 hour by default (0: none). */
  deadlineMs?: number;
  /** A `Retry-After` asking for a longer wait fails at once with TOOMANYREQUESTS; 60 s by default. */
  retryAfterMaxMs?: number;
  /** More entries (tags, referrers) over all the pages of one listing is LIMIT_EXCEEDED; 100 000 by default. */
  listEntriesMax?: number;
  /** More bytes over all the pages of one listing is LIMIT_EXCEEDED; 32 MiB by default. */
  listBytesMax?: number;
}

/** Options of {@link RegistrySession}. */
export interface RegistrySessionOptions {
  /** Plain HTTP instead of HTTPS (loopback test registries). */
  plainHttp?: boolean;
  credentials?: RegistryCredentials;
  retry?: RetryPolicy;
  limits?: RegistryLimits;
  /**
   * A registry profile's name (`"ghcr"`, `"ecr"`, `"quay"`, …) the engine adapts to: chunks
   * within the registry's limits, one PUT where chunking is broken, the tag page size capped.
   * An unknown name throws OPTIONS_INVALID.
   */
  profile?: string;
  /**
   * Headers of the user's (ORAS's `-H`): a plain object of strings or `[name, value]` pairs,
   * sent after the engine's own with every request to the registry's origin and to the token
   * realm it names, never to another origin (a storage backend a blob download is redirected
   * to): like credentials, they may carry secrets. A name that is not an HTTP token, a value
   * that is not printable ASCII, or Host/Content-Length/Transfer-Encoding/Connection throws
   * OPTIONS_INVALID. (Browsers drop the headers `fetch` forbids.)
   */
  headers?: Record<string, string> | Array<[string, string]>;
}

/**
 * A registry, its credentials and the tokens it issues (cached by scope until they expire):
 * shared by every operation on that registry.
 * @throws {OciError} REFERENCE_INVALID for a registry that is not `host[:port]` (e.g. a URL).
 * @throws {TypeError} for options of the wrong type, or credentials of no known shape.
 */
export class RegistrySession {
  constructor(registry: string, options?: RegistrySessionOptions);
  /** `scheme://host[:port]`. */
  readonly base: string;
  /** The limits in force, every field filled in. */
  readonly limits: Required<RegistryLimits>;
  /** Whether the registry serves the referrers API: `null` until an operation finds out. */
  readonly referrersApi: boolean | null;
  /** Records whether the registry serves the referrers API (referrer lists learn it themselves). */
  setReferrersApi(supported: boolean): void;
}

export type HttpMethod = "GET" | "HEAD" | "PUT" | "POST" | "PATCH" | "DELETE";

/** A request the engine asks the host to send, without following redirects. */
export interface RegistryRequest {
  method: HttpMethod;
  /** Absolute. */
  url: string;
  /** In order, names in canonical case. */
  headers: [name: string, value: string][];
  /** Nothing, these bytes, or `length` bytes of the blob being uploaded from `offset`. */
  body: null | Uint8Array | { blob: { offset: number; length: number } };
  /**
   * `{ capture: max }`: read the body (at most `max` bytes; more is an error the engine reports
   * when given max + 1) and feed it back as `body`. `{ stream: max }`: on 2xx, stream the body
   * to its destination hashing it with the blob digest's algorithm, reading at most `max + 1`
   * bytes (`max` is what is still expected; the engine answers SIZE_MISMATCH for more and never
   * retries it), and feed back `streamed`; other answers are captured.
   */
  responseBody: { capture: number } | { stream: number };
  /** The stall timeout: when no byte moves for this long, stop and feed a `timeout` failure; 0 = none. */
  timeoutMs: number;
  /** The absolute time (Unix ms, the clock of `nowMs`) by which the exchange must be over, or null. */
  deadlineMs: number | null;
}

/** What the engine asks next. */
export type RegistryStep<T> =
  | { type: "send"; request: RegistryRequest }
  | { type: "wait"; ms: number }
  | { type: "done"; value: T };

/** Response headers: `[...response.headers]`, a `Headers` object, or an object of strings. */
export type RegistryHeaders = [name: string, value: string][] | Headers | Record<string, string>;

/** What the host feeds the engine. */
export type RegistryInput =
  | { type: "start" }
  | { type: "resume" }
  | {
      type: "response";
      status: number;
      headers?: RegistryHeaders;
      /** The captured body. */
      body?: BytesLike;
      /** For a streamed body: its digest and size (of the whole blob, after a 206). */
      streamed?: { digest: string; size: number };
    }
  | {
      /**
       * The transport failed: `network` (refused, reset, unreachable, not HTTP), `tls`, or
       * `timeout` (the request's `timeoutMs` or `deadlineMs` passed). The engine answers with
       * NETWORK_ERROR, TLS_ERROR or TIMEOUT naming the host, or retries what is safe to repeat
       * (a `wait` step, then the request again); a blob push resumes a cut upload. A cut
       * download (`network`) is continued after the backoff with `Range: bytes=<received>-`
       * (on 206 the sink appends, on 200 it starts over), or from the start when `received` is
       * absent or 0 (the sink is emptied when the blob is asked for without `Range`); a
       * `timeout` (stall) is continued so only when new bytes arrived before it. `blocked` is
       * a network failure of a browser's fetch, which hides an answer without CORS headers the
       * same way: the engine takes it for a network failure, but for the first referrers
       * listing of a session on its registry, which it takes for the 404 of a registry without
       * the referrers API (it reads the referrers tag instead).
       */
      type: "failure";
      kind: "network" | "tls" | "timeout" | "blocked";
      message: string;
      /**
       * For a download (a streamed body): how many bytes of the blob the host's sink holds after
       * the cut, counted from its first byte (what it held before a `Range` request plus what
       * arrived).
       */
      received?: number | null;
    };

/** One page of a listing driven with {@link RegistryOperation.nextPage}. */
export interface ListingPage<T> {
  items: T[];
  /** Whether this is the last page; if not, call `nextPage` again with `{ type: "start" }`. */
  last: boolean;
  /**
   * For a page of names (tags, repositories) that is not the last: the `last` that asks for the
   * page after it (its last entry), for a caller that lists a page at a time across requests;
   * `null` after the last page, for an empty page, and for referrers (their pages follow the
   * registry's `Link` alone).
   */
  next: string | null;
}

/**
 * A registry operation in progress. Start with `{ type: "start" }`; feed each response (or
 * `{ type: "resume" }` after a wait) until a step is `done`. Made by {@link getManifest} and its
 * siblings, never with `new`.
 */
export class RegistryOperation<T> {
  private constructor();
  /**
   * The next step. `nowMs` is the Unix time in milliseconds (`Date.now()`), for token expiry
   * and `Retry-After` dates.
   * @throws {OciError} the operation's error (the registry's code, DIGEST_MISMATCH, …); after
   *   it, or after done, the operation is finished and `next` throws PROTOCOL_ERROR.
   */
  next(session: RegistrySession, input: RegistryInput, nowMs: number): RegistryStep<T>;
  /**
   * For {@link listTags}, {@link listRepositories} and {@link listReferrers}: the next step, done with each page (the
   * host holds one page at a time); the operation is finished after the last page.
   * @throws {TypeError} for other operations.
   * @throws {OciError} as `next` (LIMIT_EXCEEDED past the session's listing limits).
   */
  nextPage(
    session: RegistrySession,
    input: RegistryInput,
    nowMs: number,
  ): RegistryStep<ListingPage<T extends (infer U)[] ? U : never>>;
  /** For blob pushes: the newest upload URL, to continue with {@link resumeBlobPush}; else null. */
  readonly uploadUrl: string | null;
  /** Whether the operation is over (done or failed). */
  readonly finished: boolean;
}

/** A manifest as fetched: the exact bytes, their digest (verified), the served type. */
export interface FetchedManifest {
  mediaType: string;
  digest: string;
  bytes: Uint8Array;
}

/** A manifest resolved by HEAD (or GET): enough for its descriptor. */
export interface ResolvedManifest {
  mediaType: string;
  digest: string;
  size: number;
}

/** The result of a manifest PUT. */
export interface PutManifestResult {
  digest: string;
  /** Whether the registry said (`OCI-Subject`) it indexed the manifest's subject for referrers. */
  subjectProcessed: boolean;
}

/** GETs a manifest by tag or digest (4 MiB at most unless `maxSize` says otherwise). */
export function getManifest(
  session: RegistrySession,
  reference: string,
  options?: { maxSize?: number },
): RegistryOperation<FetchedManifest>;

/** PUTs a manifest's exact bytes under the reference's tag, or its digest. */
export function putManifest(
  session: RegistrySession,
  reference: string,
  mediaType: string,
  bytes: BytesLike,
): RegistryOperation<PutManifestResult>;

/** HEADs a blob: its size, or null when the repository does not have it. */
export function blobExists(session: RegistrySession, reference: string, digest: string): RegistryOperation<number | null>;

/**
 * Uploads a blob unless the repository has it (then done with false); `mountFrom` tries a
 * cross-repository mount first; `chunkSize` uploads in PATCHed chunks, else in one PUT.
 */
export function pushBlob(
  session: RegistrySession,
  reference: string,
  descriptor: Descriptor,
  options?: { mountFrom?: string; chunkSize?: number },
): RegistryOperation<boolean>;

/** Continues an interrupted upload at `uploadUrl` (an operation's `uploadUrl`). */
export function resumeBlobPush(
  session: RegistrySession,
  reference: string,
  descriptor: Descriptor,
  uploadUrl: string,
  chunkSize: number,
): RegistryOperation<boolean>;

/** GETs a blob the host streams; `have` bytes already held asks for the rest with `Range`. */
export function getBlob(
  session: RegistrySession,
  reference: string,
  descriptor: Descriptor,
  options?: { have?: number },
): RegistryOperation<null>;

/** Resolves a tag or digest with HEAD (GET when the registry sends no digest). */
export function resolveManifest(session: RegistrySession, reference: string): RegistryOperation<ResolvedManifest>;

/** `GET /v2/` with the session's credentials, as `docker login` checks them. */
export function checkAuth(session: RegistrySession): RegistryOperation<null>;

/** DELETEs a manifest by digest. */
export function deleteManifest(session: RegistrySession, reference: string, digest: string): RegistryOperation<null>;

/** DELETEs a blob by digest (`oras blob delete`). */
export function deleteBlob(session: RegistrySession, reference: string, digest: string): RegistryOperation<null>;

/**
 * Lists the registry's repositories (`GET /v2/_catalog`), following `Link` pages on the same
 * origin: all at once with `next`, or page by page with `nextPage`, within the session's
 * listing limits. Its token has the catalog's own scope, `registry:catalog:*`.
 */
export function listRepositories(session: RegistrySession, options?: { pageSize?: number }): RegistryOperation<string[]>;

/**
 * Lists every tag of the reference's repository, following `Link` pages on the same origin: all
 * at once with `next`, or page by page with `nextPage`, within the session's listing limits.
 */
export function listTags(
  session: RegistrySession,
  reference: string,
  /** `last`: start after this tag (distribution-spec's `last` query parameter). */
  options?: { pageSize?: number; last?: string },
): RegistryOperation<string[]>;

/**
 * Lists the referrers of `subject` (a digest): the referrers API, or the tag schema on 404;
 * all at once with `next`, or page by page with `nextPage`, within the session's limits.
 */
export function listReferrers(
  session: RegistrySession,
  reference: string,
  subject: string,
  options?: { artifactType?: string },
): RegistryOperation<Descriptor[]>;

/**
 * Adds `referrer` to the referrers tag of `subject` (for registries without the referrers API),
 * with `If-Match` and retries on a lost update: the new index's digest, or null when listed.
 */
export function addReferrer(
  session: RegistrySession,
  reference: string,
  subject: string,
  referrer: Descriptor,
): RegistryOperation<string | null>;

/** What {@link Client.probeRegistry} found: probes next to the profile's name. */
export interface RegistryReport {
  registry: string;
  /** The profile named, else the host's, else `"generic"`. */
  profile: string;
  /** The anonymous `GET /v2/`, and the credentials checked (`auth`: `"ok"` or an error code). */
  v2: { status: number; challenge: string | null; apiVersion: string | null; auth: string; error: string | null };
  /**
   * `supported`: true for a 200 with an OCI index, false for a 404 for a digest that exists,
   * null when nothing was proved (`note` says why).
   */
  referrersApi: { supported: boolean | null; digest: string | null; status: number | null; contentType: string | null; note: string | null };
  /** The tag list asked with `n=1` and in full; null without a reference. */
  tagList: { tags: number; firstPage: number; link: boolean; nHonoured: boolean | null; error: string | null; note: string | null } | null;
  /** What is not probed (`delete`, `chunked-upload`), and why. */
  notProbed: Record<string, string>;
}

/** Options of {@link Client}. */
export interface ClientOptions {
  /** `host[:port]`, e.g. `"ghcr.io"` or `"127.0.0.1:5000"`. */
  registry: string;
  plainHttp?: boolean;
  credentials?: RegistryCredentials;
  /** The transport; `globalThis.fetch` by default. Called with `redirect: "manual"`. */
  fetch?: typeof fetch;
  /**
   * At most this many requests at once. By default as many as the engine hands out: it decides
   * from what they move and the round trip it measures (up to 32, of which 4 move 4 MiB or
   * more, or 8 once the shortest round trip to the registry is 50 ms or more).
   */
  concurrency?: number;
  retry?: RetryPolicy;
  /** Timeouts, the deadline of each operation, the Retry-After cap and listing bounds. */
  limits?: RegistryLimits;
  /**
   * The registry profile the engine adapts to (`"ghcr"`, `"ecr"`, `"quay"`, …, as
   * `--registry-profile`): chunks within the registry's limits, one PUT where chunking is
   * broken, the tag page size capped. Without one the core picks the profile of the host
   * (`ghcr.io`, ECR hosts, …). An unknown name throws OPTIONS_INVALID.
   */
  registryProfile?: string;
  /**
   * Headers of the user's (ORAS's `-H`): a plain object of strings or `[name, value]` pairs,
   * sent after the engine's own with every request to the registry's origin and to the token
   * realm it names, never to another origin (a storage backend a blob download is redirected
   * to): like credentials, they may carry secrets. A name that is not an HTTP token, a value
   * that is not printable ASCII, or Host/Content-Length/Transfer-Encoding/Connection throws
   * OPTIONS_INVALID. (Browsers drop the headers `fetch` forbids.)
   */
  headers?: Record<string, string> | Array<[string, string]>;
}

/** Options every Client call takes. */
export interface CallOptions {
  /** Aborts the call; it then rejects with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * `done` of `total` bytes; the last call has done === total. A push's `total` is every blob's
 * size from the first call on (blobs the repository has count as done at the end); a copy's
 * counts each blob's download and upload, and a blob mounted or already there as done.
 */
export type ProgressCallback = (done: number, total: number) => void;

/**
 * Blob content to upload: bytes, a Blob/File (read a chunk at a time), or a stream of bytes
 * (a `ReadableStream`, or an async iterable such as a Node `fs.ReadStream`). A stream is read
 * once, in order, and checked against the descriptor's digest and size as it is read; an
 * upload from a stream cannot resume from before the last piece it read (STREAM_NOT_REWINDABLE).
 */
export type BlobSource = BytesLike | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** A blob to push: a descriptor and the content. */
export interface PushableBlob {
  descriptor: Descriptor;
  /**
   * The content, for an upload: blobs packed by digest get theirs here. Without it the
   * repository must have the blob already (else the push fails with BLOB_UNKNOWN).
   */
  data?: BlobSource;
}

/** One node of a {@link Client.discover} tree: an artifact referring to its parent, and what refers to it. */
export interface Referrer {
  descriptor: Descriptor;
  referrers: Referrer[];
}

/** What {@link Client.push} uploads: a {@link Packed}, or the same shape. */
export interface Pushable {
  manifest: BytesLike;
  /** The image manifest type by default. */
  mediaType?: string;
  descriptor?: Descriptor;
  blobs: PushableBlob[];
}

/** A file of {@link Client.pull}: a titled layer, its checked path, and its bytes (verified). */
export interface PulledFileBytes {
  path: string;
  descriptor: Descriptor;
  bytes: Uint8Array;
}

/** An artifact pulled by {@link Client.pull}. */
export interface Pulled {
  /** The manifest's descriptor (served media type, digest, size). */
  descriptor: Descriptor;
  digest: string;
  mediaType: string;
  /** The manifest's exact bytes. */
  bytes: Uint8Array;
  /** The manifest, parsed (for a collection, the index). */
  manifest: Manifest | Index;
  /**
   * The titled layers, in the manifest's order (the core's pull plan: every title checked); for
   * a collection (an index), child by child, each path under its child's folder.
   */
  files: PulledFileBytes[];
  /**
   * For a collection: each child read, with its folder as `path` (its title in the index, else
   * `<algorithm>-<hex>` of its digest); empty for a manifest.
   */
  children: PulledFile[];
}

/** Options of {@link Client.createIndex}. */
export interface CreateIndexOptions extends CallOptions {
  /** The index's `artifactType` (e.g. `application/vnd.cnab.manifest.v1`). */
  artifactType?: string;
  annotations?: Annotations;
  /** More tags for the index. */
  tags?: string[];
  /** `false`: build the index only, push nothing. */
  push?: boolean;
}

/** Options of {@link Client.updateIndex}. */
export interface UpdateIndexOptions extends CallOptions {
  /** Tags or digests of manifests (or indexes) to append. */
  add?: string[];
  /** Digests of entries to remove (each must be listed: DIGEST_INVALID). */
  remove?: string[];
  /** Tags or digests of indexes whose entries are appended as they are. */
  merge?: string[];
  /** A new `artifactType`; `null` or `""` removes it; absent keeps it. */
  artifactType?: string | null;
  annotations?: Annotations;
  tags?: string[];
  push?: boolean;
}

/** What {@link Client.copy} did: {@link CopyOutcome}. */
export type Copied = CopyOutcome;

/** Options of {@link Client.push}. */
export interface PushOptions extends CallOptions {
  onProgress?: ProgressCallback;
  chunkSize?: number;
  /** Try a cross-repository mount of each missing blob from this repository first. */
  mountFrom?: string;
  /** More tags besides the reference's. */
  tags?: string[];
  /** Resolve to the plan (`planned`) without calling fetch at all. */
  dryRun?: boolean;
}

/**
 * A registry client over `fetch`. References are `repository[:tag][@digest]` on the client's
 * registry, or full references starting with it. Every decision is the core engine's (the
 * whole operations {@link Push}, {@link Pull}, {@link Discover}, {@link Delete},
 * {@link CopyArtifact}, and the single-request ones); the client moves bytes, at most
 * `concurrency` requests at once. Every failure but an abort (which rejects with the signal's
 * reason) is an {@link OciError} whose message names the reference or host it concerns.
 * @throws {OciError} NETWORK_ERROR (or TLS_ERROR) when `fetch` fails, naming the host in
 *   `details.host`; TIMEOUT past a request's stall timeout or an operation's deadline
 *   ({@link RegistryLimits}); AUTH_REALM_REFUSED, LOCATION_REFUSED where credentials or a body
 *   would leave the registry's origin; LIMIT_EXCEEDED for a listing over its bounds or a blob
 *   too large for one Uint8Array; SIZE_INVALID for a size from the registry beyond
 *   Number.MAX_SAFE_INTEGER; UNAUTHORIZED (saying whether credentials were sent) and the
 *   registry's other codes for its answers.
 */
export class Client {
  /** @throws {OciError} REFERENCE_INVALID for a registry that is not `host[:port]`. */
  constructor(options: ClientOptions);
  readonly registry: string;
  /** Whether the registry serves the referrers API: `null` until a call finds out. */
  readonly referrersApi: boolean | null;
  /**
   * Tells the client whether its registry serves the referrers API instead of it asking
   * (ORAS's `--distribution-spec`): with false, attach and discover use the referrers tag at once.
   */
  setReferrersApi(supported: boolean): void;
  /** GET /v2/ with the challenge answered: resolves when the credentials work, else rejects (UNAUTHORIZED). */
  checkAuth(options?: CallOptions): Promise<void>;
  resolve(ref: string, options?: CallOptions): Promise<ResolvedManifest>;
  /** The exact bytes of the manifest or index `ref` names, verified. */
  fetch(ref: string, options?: CallOptions & { maxSize?: number }): Promise<FetchedManifest>;
  /** The image manifest `ref` names, parsed (MEDIA_TYPE_MISMATCH for an index). */
  fetchManifest(ref: string, options?: CallOptions & { maxSize?: number }): Promise<Manifest>;
  /** The image index `ref` names, parsed (MEDIA_TYPE_MISMATCH for a manifest). */
  fetchIndex(ref: string, options?: CallOptions & { maxSize?: number }): Promise<Index>;
  /**
   * Uploads a manifest's or an index's exact bytes (its blobs must be there already); with a
   * subject on a registry without the referrers API, the subject's referrers tag is updated.
   */
  pushManifest(ref: string, bytes: BytesLike, mediaType: string, options?: CallOptions): Promise<Descriptor>;
  /** The size of a blob in the repository, or null when it has none with that digest. */
  blobSize(ref: string, digest: string, options?: CallOptions): Promise<number | null>;
  /** Whether the repository has a blob with that digest. */
  blobExists(ref: string, digest: string, options?: CallOptions): Promise<boolean>;
  /** A blob's bytes, hashed as they stream in and verified; a cut download resumes with Range. */
  fetchBlob(ref: string, descriptor: Descriptor, options?: CallOptions & { onProgress?: ProgressCallback }): Promise<Uint8Array>;
  /**
   * Uploads a blob unless present: true when uploaded, false when the repository had it.
   * `chunkSize` sends PATCHed chunks (raised to the registry's minimum), else one PUT; fetch
   * reports no upload progress, so `onProgress` is called as each request completes.
   * @throws {OciError} SIZE_MISMATCH when `source` is not `descriptor.size` bytes; DIGEST_MISMATCH
   * when a stream's bytes do not have `descriptor.digest` (checked before the last piece is
   * sent); STREAM_NOT_REWINDABLE when resuming would need stream bytes already sent.
   */
  pushBlob(
    ref: string,
    descriptor: Descriptor,
    source: BlobSource,
    options?: CallOptions & { onProgress?: ProgressCallback; chunkSize?: number; mountFrom?: string },
  ): Promise<boolean>;
  /**
   * Every tag, over all pages, within `limits.listEntriesMax` and `limits.listBytesMax` (else
   * LIMIT_EXCEEDED). A `pageSize` that is not an integer from 1 to 2^32 − 1 is OPTIONS_INVALID,
   * here and in every listing of the client.
   */
  listTags(ref: string, options?: CallOptions & { pageSize?: number }): Promise<string[]>;
  /**
   * The tags a page at a time (`pageSize` asks the registry for that many): the next page is
   * fetched when the previous one has been consumed, and none after the loop stops early. Only
   * one page is held; the listing's bounds apply over all pages.
   */
  iterTags(ref: string, options?: CallOptions & { pageSize?: number }): AsyncIterableIterator<string>;
  /**
   * One page of tags after `last`: `next` is the `last` of the following page, or null after
   * the last page (a page of `n` tags without a `Link` counts as not the last). An `n` that is
   * not an integer from 1 to 2^32 − 1 is OPTIONS_INVALID.
   */
  listTagsPage(ref: string, options?: CallOptions & { n?: number; last?: string }): Promise<{ tags: string[]; next: string | null }>;
  /**
   * Every repository of the client's registry (`GET /v2/_catalog`, `oras repo ls`), over all
   * pages, within the listing limits (else LIMIT_EXCEEDED).
   */
  listRepositories(options?: CallOptions & { pageSize?: number }): Promise<string[]>;
  /** The repositories a page at a time, as {@link iterTags} pages through tags. */
  iterRepositories(options?: CallOptions & { pageSize?: number }): AsyncIterableIterator<string>;
  /**
   * Deletes the blob `digest` from `ref`'s repository (`oras blob delete`); UNSUPPORTED where
   * the registry does not allow deletes, BLOB_UNKNOWN for a blob it does not have.
   */
  deleteBlob(ref: string, digest: string, options?: CallOptions): Promise<void>;
  /** What refers to the manifest `ref` names. */
  referrers(ref: string, options?: CallOptions & { artifactType?: string }): Promise<Descriptor[]>;
  /** What refers to `subject` (a digest or descriptor in `ref`'s repository). */
  referrers(ref: string, subject?: string | { digest: string }, options?: CallOptions & { artifactType?: string }): Promise<Descriptor[]>;
  /**
   * The tree of referrers of the manifest `ref` names, `depth` levels down (all by default),
   * each level filtered by `artifactType` when given (the core's Discover: each digest once).
   * A `depth` that is not a non-negative integer is OPTIONS_INVALID.
   */
  discover(ref: string, options?: CallOptions & { artifactType?: string; depth?: number; limits?: WalkLimits }): Promise<Referrer[]>;
  /**
   * The registry doctor (reads only): `/v2/` and the credentials; with `ref` (a manifest that
   * exists) the referrers API asked about its digest and the tag list's pagination. The core
   * decides what each answer proves. `profile` names the profile to report (else the client's
   * `registryProfile`, else the host's).
   */
  probeRegistry(ref?: string, options?: CallOptions & { profile?: string }): Promise<RegistryReport>;
  /** {@link Client.probeRegistry}, by `ocikit doctor`'s name. */
  doctor(ref?: string, options?: CallOptions & { profile?: string }): Promise<RegistryReport>;
  /**
   * Pushes an artifact packed with a subject into the repository of `ref` (the subject's
   * reference) by digest, updating the subject's referrers tag as `push` does.
   * @throws {TypeError} when the artifact has no subject.
   */
  attach(ref: string, packed: Pushable, options?: Omit<PushOptions, "tags">): Promise<PushOutcome>;
  /**
   * Deletes the manifest `ref` names (or the one of `digest` in its repository); a referrer is
   * also removed from its subject's referrers tag where the registry lacks the referrers API.
   */
  deleteManifest(ref: string, digest?: string, options?: CallOptions): Promise<DeleteOutcome>;
  /** Tags the manifest `ref` names as `newTag` too. */
  tag(ref: string, newTag: string, options?: CallOptions): Promise<ResolvedManifest>;
  /**
   * The core's Push: checks each blob, uploads the missing ones (bounded concurrency), puts the
   * manifest under the reference's tag and `tags`; with a subject and no referrers API, updates
   * the subject's referrers tag. `dryRun`: the plan, and fetch is never called.
   */
  push(ref: string, packed: Pushable, options?: PushOptions): Promise<PushOutcome>;
  /**
   * The core's Pull: the manifest and its titled layers (every title checked), each verified, in
   * memory; of an index, each child's files under the child's folder.
   */
  pull(ref: string, options?: CallOptions & { onProgress?: ProgressCallback; allowGit?: boolean }): Promise<Pulled>;
  /**
   * ORAS 1.3's `manifest index create`: an index over `sources` (tags or digests of manifests or
   * indexes in `ref`'s repository), each entry with its `artifactType` and, for an image whose
   * config says it, its `platform`; pushed under `ref`'s tag (by digest without one) and `tags`.
   * MEDIA_TYPE_MISMATCH for a source that is not a manifest or an index.
   */
  createIndex(ref: string, sources: string[], options?: CreateIndexOptions): Promise<Packed>;
  /**
   * ORAS 1.3's `manifest index update`: removes by digest, keeps the order, appends `add`, sets
   * the artifact type and annotations; pushed under `ref`'s tag (by digest when `ref` is a
   * digest) and `tags`. MEDIA_TYPE_MISMATCH when `ref` is not an index.
   */
  updateIndex(ref: string, options?: UpdateIndexOptions): Promise<Packed>;
  /**
   * The core's CopyArtifact: `source` and what it references (with `referrers`, what refers to
   * it) to `destination`, on this registry or on the one of `to`. `dryRun`: the plan after
   * reading the source only.
   */
  copy(
    source: string,
    destination: string,
    options?: CallOptions & {
      referrers?: boolean;
      dryRun?: boolean;
      tags?: string[];
      chunkSize?: number;
      limits?: WalkLimits;
      /** Another registry's client, or a layout (`destination` is then a tag or digest of it). */
      to?: Client | OciLayout;
      onProgress?: ProgressCallback;
    },
  ): Promise<Copied>;
}

/** The options of a copy ({@link copy}, {@link Client.copy}, {@link OciLayout.copy}). */
export interface CopyOptions extends CallOptions {
  referrers?: boolean;
  dryRun?: boolean;
  tags?: string[];
  chunkSize?: number;
  limits?: WalkLimits;
  onProgress?: ProgressCallback;
}

/**
 * An OCI image layout in memory (a Map of path → bytes), a target of the same whole operations
 * as a registry: the core's {@link LayoutServer} answers the requests of the layout's pseudo
 * host ({@link OciLayout.host}) and the layout carries out its file steps on the Map; nothing is
 * decided in JS. References are a tag or a digest of the layout. Python's `ocikit.OciLayout`
 * has the same methods (on a directory or a `.tar`).
 *
 * ```js
 * const layout = new OciLayout();                          // or OciLayout.fromTar(bytes)
 * await client.copy("docs/app:v1", "v1", { to: layout, referrers: true });
 * const tar = layout.toTar();                              // what `oras … --oci-layout x.tar:v1` reads
 * await copy(OciLayout.fromTar(tar), "v1", client, "docs/restored:v1", { referrers: true });
 * ```
 */
export class OciLayout {
  /** The core's empty layout: `oci-layout` and an `index.json` with no manifests. */
  constructor();
  /**
   * The layout a tar archive holds, read by the core without trust.
   * @throws {OciError} ARCHIVE_UNSAFE for a symbolic or hard link, a device, a FIFO, an absolute
   *   name, a `..` component or a file twice; ARCHIVE_INVALID for a corrupt or cut archive;
   *   LIMIT_EXCEEDED past `entriesMax` entries (100 000).
   */
  static fromTar(bytes: BytesLike, options?: { entriesMax?: number }): OciLayout;
  /** The layout whose files are these (`[path, bytes]`), as they are. */
  static fromFiles(files: Map<string, BytesLike> | Iterable<[string, BytesLike]>): OciLayout;
  /**
   * The layout as a tar archive, the core's (`oci-layout`, `index.json`, then the blobs by path;
   * owner 0, modes 0644/0755, time 0): the bytes of {@link layoutTar} and of Python's
   * `OciLayout("x.tar")` for the same files.
   * @throws {OciError} ARCHIVE_UNSAFE for a path of {@link fromFiles} with `..` or `/` first.
   */
  toTar(): Uint8Array;
  /** A copy of the layout's files. */
  readonly files: Map<string, Uint8Array>;
  /** The layout's pseudo registry host, `layout-<n>.oci-layout.invalid`. */
  readonly host: string;
  /** The Client whose operations run against the layout. */
  readonly client: Client;
  /** The client's reference for a tag or digest of the layout (`<host>/layout` for none). */
  ref(reference?: string): string;
  /** Every tag, sorted. */
  tags(options?: CallOptions): Promise<string[]>;
  /**
   * The manifest or index a tag or digest names: its `index.json` entry (with its tag annotation
   * and artifact type), or for a digest without an entry the manifest or index the layout holds
   * under it (as Python's `OciLayout.resolve`).
   */
  resolve(ref: string, options?: CallOptions): Promise<Descriptor>;
  fetch(ref: string, options?: CallOptions & { maxSize?: number }): Promise<FetchedManifest>;
  fetchManifest(ref: string, options?: CallOptions & { maxSize?: number }): Promise<Manifest>;
  fetchIndex(ref: string, options?: CallOptions & { maxSize?: number }): Promise<Index>;
  /** Pushes what `pack()` made under `tag` (by digest, untagged, for null). */
  push(tag: string | null, packed: Pushable, options?: PushOptions): Promise<PushOutcome>;
  /** Records an artifact packed with a subject as an untagged entry: a referrer of its subject. */
  attach(packed: Pushable, options?: Omit<PushOptions, "tags">): Promise<PushOutcome>;
  pull(ref: string, options?: CallOptions & { onProgress?: ProgressCallback; allowGit?: boolean }): Promise<Pulled>;
  discover(ref: string, options?: CallOptions & { artifactType?: string; depth?: number; limits?: WalkLimits }): Promise<Referrer[]>;
  referrers(ref: string, options?: CallOptions & { artifactType?: string }): Promise<Descriptor[]>;
  tag(ref: string, newTag: string, options?: CallOptions): Promise<ResolvedManifest>;
  pushManifest(tag: string, bytes: BytesLike, mediaType: string, options?: CallOptions): Promise<Descriptor>;
  deleteManifest(ref: string, options?: CallOptions): Promise<DeleteOutcome>;
  blobSize(digest: string, options?: CallOptions): Promise<number | null>;
  blobExists(digest: string, options?: CallOptions): Promise<boolean>;
  fetchBlob(descriptor: Descriptor, options?: CallOptions & { onProgress?: ProgressCallback }): Promise<Uint8Array>;
  pushBlob(descriptor: Descriptor, source: BlobSource, options?: CallOptions & { onProgress?: ProgressCallback }): Promise<boolean>;
  /**
   * Creates an index over `sources` (tags or digests of this layout), written under `tag`
   * (untagged, by digest, for null) and `options.tags`: {@link Client.createIndex} on the layout.
   */
  createIndex(tag: string | null, sources: string[], options?: CreateIndexOptions): Promise<Packed>;
  /** Updates the index a tag or digest of this layout names: {@link Client.updateIndex} on the layout. */
  updateIndex(ref: string, options?: UpdateIndexOptions): Promise<Packed>;
  /** Copies what a tag or digest of this layout names to `dst` on `to` (a registry's client or a layout; this layout by default). */
  copy(src: string, dst: string, options?: CopyOptions & { to?: Client | OciLayout }): Promise<Copied>;
}

/**
 * Copies the manifest or index `srcRef` names, and everything it references (with
 * `referrers`, what refers to it too), from a registry or a layout to a registry or a layout:
 * Python's `ocikit.copy(source, src_ref, destination, dst_ref)`, the core's CopyArtifact. A
 * Client's references are `registry/repository[:tag][@digest]` (or relative to its registry),
 * a layout's a tag or a digest; `dstRef` may be left out for a layout (the source's tag, else
 * by digest).
 */
export function copy(
  source: Client | OciLayout,
  srcRef: string,
  destination: Client | OciLayout,
  dstRef?: string,
  options?: CopyOptions,
): Promise<Copied>;

// Backup and restore -------------------------------------------------------------------------

/** Options of {@link backup} and {@link restore}. */
export interface BackupOptions {
  /**
   * Copy what refers to each artifact too, recursively (default true): ORAS's
   * `--include-referrers` for a backup, the opposite of its `--exclude-referrers` for a restore.
   */
  referrers?: boolean;
  /** Aborts the listing and the copies (an AbortError). */
  signal?: AbortSignal;
}

/** What {@link backup} copied: the layout, and each tag with its root's descriptor. */
export interface BackedUp {
  /** The new in-memory layout; `layout.toTar()` is the layout tar Python's `ocikit.backup` writes. */
  layout: OciLayout;
  /** Each tag, in the order copied, with the descriptor of the manifest or index it names. */
  tags: Array<[string, Descriptor]>;
}

/** What {@link restore} pushed: each tag with its root's descriptor, checked at the destination. */
export interface Restored {
  /** Each tag, in the order copied, with the descriptor of the manifest or index it names. */
  tags: Array<[string, Descriptor]>;
  /** The repository restored to, `registry/repository`. */
  destination: string;
}

/**
 * Backs up artifacts of a registry into a new in-memory OCI layout: `oras backup`, Python's
 * `ocikit.backup(client, ref, output)`. `ref` is `registry/repository:tag[,tag…]`, or
 * `registry/repository` for every tag of the repository but the referrers tag schema's
 * (`sha256-<hex>`, which travel with the referrers they list). Each tag's manifest or index is
 * copied with everything it references (a collection's children too) and, unless
 * `referrers: false`, what refers to them; the layout records each under its tag. Which tags is
 * the core's choice, the same as Python's.
 *
 * @example
 * const { layout, tags } = await backup(client, "registry.example/docs/app:v1,v2");
 * await writeFile("backup.tar", layout.toTar());
 *
 * @throws {OciError} REFERENCE_INVALID for a digest (a layout records tags), an empty tag
 *   after a comma or a bad reference, before anything is copied; MANIFEST_UNKNOWN for a tag the
 *   repository lacks or a repository with no tag to back up; and the copy's errors.
 */
export function backup(client: Client, ref: string, options?: BackupOptions): Promise<BackedUp>;

/**
 * Restores artifacts from an OCI layout to a registry: `oras restore`, Python's
 * `ocikit.restore(input, client, ref)`. `ref` is `registry/repository[:tag[,tag…]]` (every tag
 * of the layout when it names none). The layout is verified first: nothing is pushed from a
 * damaged layout. Each tag's manifest or index is copied with everything it references and,
 * unless `referrers: false`, what refers to them; then each tag is resolved at the destination
 * and checked to name the layout's digest.
 *
 * @example
 * const restored = await restore(OciLayout.fromTar(bytes), client, "registry.example/docs/copy");
 *
 * @throws {OciError} the code of the layout's first error finding (DIGEST_MISMATCH,
 *   SIZE_MISMATCH, BLOB_MISSING, …) for a damaged layout, with `details.path`; REFERENCE_INVALID
 *   for an empty tag after a comma or a bad reference; MANIFEST_UNKNOWN for a tag the layout
 *   lacks or a layout with no tag; DIGEST_MISMATCH when the destination does not serve what was
 *   restored; and the copy's errors.
 */
export function restore(layout: OciLayout, client: Client, ref: string, options?: BackupOptions): Promise<Restored>;

// Graph walks ------------------------------------------------------------------------------

/**
 * Bounds of a walk; going over one throws an OciError LIMIT_EXCEEDED whose details name the
 * limit and the setting (`WalkLimits.max_depth`, …) that raises it.
 */
export interface WalkLimits {
  /** Levels of manifests, indexes and referrers below the root (default 32). */
  maxDepth?: number;
  /** Distinct digests a walk may reach (default 10 000). */
  maxNodes?: number;
  /** Bytes of documents a copy's walk holds (default 256 MiB). */
  maxBytes?: number;
}

/** What a {@link GraphWalk} asks: fetch a document, or list what refers to it. */
export interface WalkStep {
  kind: "fetch" | "referrers";
  descriptor: Descriptor;
}

/** A manifest or index of a {@link CopyPlan}: its descriptor, exact bytes and subject. */
export interface PlannedDocument {
  descriptor: Descriptor;
  bytes: Uint8Array;
  subject: Descriptor | null;
}

/** What a finished {@link GraphWalk} found, in the order to write it. */
export interface CopyPlan {
  roots: Descriptor[];
  /** Every blob, each once; independent of each other. */
  blobs: Descriptor[];
  /** The documents in waves: an index after its manifests, a referrer after its subject. */
  manifests: PlannedDocument[][];
}

/**
 * The walk of a copy: from `roots`, every document and blob, each digest once, with
 * `referrers` what refers to each document too, within `limits`. The host performs each batch
 * (concurrently if it likes) and provides the results; a failed walk throws the same error on
 * every later call.
 */
export class GraphWalk {
  constructor(roots: Descriptor | Descriptor[], options?: { referrers?: boolean; limits?: WalkLimits });
  /**
   * A walk from a root already fetched (a GET by tag), provided at once: `served` is its
   * Content-Type as served, `digest` what `bytes` must hash to.
   */
  static fromFetched(served: string, digest: string, bytes: BytesLike, options?: { referrers?: boolean; limits?: WalkLimits }): GraphWalk;
  /** The steps to perform next; empty when none is left. */
  nextBatch(): WalkStep[];
  provideDocument(digest: string, bytes: BytesLike): void;
  provideReferrers(subject: string, referrers: Descriptor[]): void;
  /** A document asked for that the host does not have (a partial graph): left out of the plan. */
  provideMissing(digest: string): void;
  /** Whether every step was provided and none is left. */
  readonly isDone: boolean;
  finish(): CopyPlan;
}

/**
 * The walk of a discover from `subject` (a digest): each digest once, `depth` levels down (all
 * by default), within `limits`.
 */
export class ReferrerWalk {
  constructor(subject: string, options?: { depth?: number; limits?: WalkLimits });
  /** The digests whose referrers to list next; empty when none is left. */
  nextBatch(): string[];
  provide(subject: string, referrers: Descriptor[]): void;
  readonly isDone: boolean;
  finish(): Referrer[];
}

/** Whether `mediaType` is an index (OCI image index, Docker manifest list). */
export function isIndexType(mediaType: string): boolean;
/** Whether `mediaType` is a manifest or index type ocikit reads (OCI and Docker). */
export function isManifestType(mediaType: string): boolean;

// ---- Whole operations (bindings-wasm/src/operation.rs, npm/operation.js): push, pull, copy,
// discover, delete and the tags of a digest, decided by the core. Each is driven the same way:
// `poll(session, nowMs)` gives the next action; every request handed out may run at once (the
// tasks in flight are independent); `provide(task, input)` gives each answer back. Errors are
// OciErrors and sticky; a caller's misuse is OPERATION_MISUSE.

/** What a whole operation asks of the host. */
export type Action<T> =
  | {
      kind: "send";
      /** The task to provide the answer for. */
      task: number;
      request: RegistryRequest;
      /**
       * The blob whose bytes the request moves: from its source for a `{ blob }` body, into its
       * sink for a `{ stream }` response body (a sink starts over when the blob is asked again).
       */
      blob: Descriptor | null;
      /**
       * The registry of the session the request is for (`host[:port]`, a key of the sessions
       * polled): send it with that registry's fetch and credentials, also when its URL names
       * another host (a token realm, a redirect's target). A copy between two registries, or a
       * layout and a registry, hands out requests of both.
       */
      registry: string;
    }
  | { kind: "wait"; task: number; ms: number }
  /** Nothing to start until a request in flight is answered. */
  | { kind: "pending" }
  | { kind: "done"; value: T };

/** An answer for a task: a response, a transport failure, or the end of a wait. */
export type OperationInput = Exclude<RegistryInput, { type: "start" }>;

/** What every whole operation shares. */
export interface WholeOperation<T> {
  /** The next action (every ready request is handed out before "pending"). */
  poll(session: RegistrySession, nowMs: number): Action<T>;
  /** The answer for `task`. */
  provide(task: number, input: OperationInput): void;
}

/** A request a dry run would make. */
export interface PlannedRequest {
  method: HttpMethod;
  url: string;
  /** When and why. */
  note: string;
}

/** A blob of a push or copy and what happened to it. */
export interface BlobOutcome {
  descriptor: Descriptor;
  status: "uploaded" | "existed" | "mounted" | "planned";
}

/** A referrers tag an operation kept current, and the digest of the index written (null: nothing to change). */
export interface ReferrersTagUpdate {
  tag: string;
  index: string | null;
}

export interface PushOutcome {
  descriptor: Descriptor;
  tags: string[];
  blobs: BlobOutcome[];
  referrersTag: ReferrersTagUpdate | null;
  /** A dry run: the requests it would make (nothing was sent). */
  planned: PlannedRequest[];
}

/** Push (attach, with a subject) the exact `manifest` bytes and their blobs; titles pull would refuse throw ANNOTATION_INVALID here. */
export class Push implements WholeOperation<PushOutcome> {
  constructor(
    reference: string,
    mediaType: string,
    manifest: BytesLike,
    options?: {
      tags?: string[];
      mountFrom?: string;
      chunkSize?: number;
      dryRun?: boolean;
      /** Only the manifest: the PUT and the referrers-tag upkeep, no blob checked (Client.pushManifest). */
      manifestOnly?: boolean;
    },
  );
  poll(session: RegistrySession, nowMs: number): Action<PushOutcome>;
  provide(task: number, input: OperationInput): void;
}

export interface PulledFile {
  descriptor: Descriptor;
  /** The checked relative path (the layer's title). */
  path: string;
}

export interface PullOutcome {
  descriptor: Descriptor;
  manifest: Uint8Array;
  files: PulledFile[];
  /** The blobs downloaded into their sinks, each digest once. */
  downloads: Descriptor[];
  /** For a collection: each child read, its folder as `path`. */
  children: PulledFile[];
}

/** Pull: the manifest, the pull plan (every title checked), one download per digest. */
export class Pull implements WholeOperation<PullOutcome> {
  constructor(reference: string, options?: { allowGit?: boolean });
  poll(session: RegistrySession, nowMs: number): Action<PullOutcome>;
  provide(task: number, input: OperationInput): void;
}

export interface DiscoverOutcome {
  subject: Descriptor;
  referrers: Referrer[];
}

/** Discover the tree of referrers, each digest once, a level at a time. */
export class Discover implements WholeOperation<DiscoverOutcome> {
  constructor(reference: string, options?: { artifactType?: string; depth?: number; limits?: WalkLimits });
  poll(session: RegistrySession, nowMs: number): Action<DiscoverOutcome>;
  provide(task: number, input: OperationInput): void;
}

export interface DeleteOutcome {
  descriptor: Descriptor;
  subject: Descriptor | null;
  referrersTag: ReferrersTagUpdate | null;
}

/** Delete a manifest whole: tag → digest, DELETE by digest, a referrer removed from its subject's referrers tag. */
export class Delete implements WholeOperation<DeleteOutcome> {
  constructor(reference: string);
  poll(session: RegistrySession, nowMs: number): Action<DeleteOutcome>;
  provide(task: number, input: OperationInput): void;
}

export interface TagsOfOutcome {
  tags: string[];
  /** Tags not resolved (over `max`). */
  unchecked: number;
}

/** The tags of a repository that point at `digest` (at most `max`, default 1000, resolved). */
export class TagsOf implements WholeOperation<TagsOfOutcome> {
  constructor(reference: string, digest: string, options?: { max?: number });
  poll(session: RegistrySession, nowMs: number): Action<TagsOfOutcome>;
  provide(task: number, input: OperationInput): void;
}

export interface CopyOutcome {
  descriptor: Descriptor;
  tags: string[];
  blobs: BlobOutcome[];
  /** In the order written: children first, referrers after their subject. */
  manifests: Descriptor[];
  referrersTags: ReferrersTagUpdate[];
  planned: PlannedRequest[];
}

/** Copy `source` and what it references (with its referrers) to `destination`. */
export class CopyArtifact implements WholeOperation<CopyOutcome> {
  constructor(
    source: string,
    destination: string,
    options?: { referrers?: boolean; limits?: WalkLimits; tags?: string[]; chunkSize?: number; dryRun?: boolean },
  );
  /** Within one registry. */
  poll(session: RegistrySession, nowMs: number): Action<CopyOutcome>;
  /** Between two registries (two different sessions). */
  pollBetween(source: RegistrySession, destination: RegistrySession, nowMs: number): Action<CopyOutcome>;
  provide(task: number, input: OperationInput): void;
}

/**
 * The registry doctor as a whole operation (reads only): `/v2/` and the credentials; with a
 * `reference` that exists there, the referrers API and the tag list's pagination.
 * {@link Client.probeRegistry} drives it.
 */
export class ProbeRegistry implements WholeOperation<RegistryReport> {
  constructor(registry: string, options?: { reference?: string; profile?: string });
  poll(session: RegistrySession, nowMs: number): Action<RegistryReport>;
  provide(task: number, input: OperationInput): void;
}

/**
 * The pull plan's title rule (push applies it too): ANNOTATION_INVALID for a refused title, two
 * titles for one file, a file/directory clash; PATH_UNSAFE for `.git`; LIMIT_EXCEEDED when the
 * titled files add up to more than 250 times their distinct blobs' bytes and 64 MiB.
 */
export function planFiles(layers: Descriptor[], options?: { allowGit?: boolean }): PulledFile[];

// Layouts as registries ------------------------------------------------------------------------

/**
 * The pseudo registry host of the layout numbered `id`: `layout-<id>.oci-layout.invalid` (the
 * `.invalid` top-level domain is reserved by RFC 2606: no real registry has such a name). Give
 * each open layout its own number, make its references with that host
 * (`${layoutHost(1)}/any:v1`; the repository name is ignored: a layout is one repository) and
 * route the requests of that host to its {@link LayoutServer}.
 */
export function layoutHost(id: number): string;

/** Whether `registry` (`host[:port]`) is a layout's pseudo host. */
export function isLayoutHost(registry: string): boolean;

/**
 * A file step of a {@link LayoutExchange}. Paths are relative to the layout's root,
 * `/`-separated: only `oci-layout`, `index.json` or `blobs/<algorithm>/<encoded>`.
 * - `read`: the whole file, at most `max + 1` bytes → `read(bytes | null)`.
 * - `stat`: its size → `stat(size | null)`.
 * - `write`: replace the file with `data` (atomically where the store allows) → `written()`.
 * - `receive`: the request's `{ blob: { offset, length } }` body, from the host's source for
 *   the action's blob, into the file, hashed with `digest`'s algorithm (at most `size + 1`
 *   bytes); keep it only when it is `size` bytes of `digest` → `received(digest, size)` with
 *   what was seen.
 * - `remove`: delete the file (absent is fine) → `written()`.
 * - `respond`: the exchange is over; `response` is the registry's answer, in the shape
 *   `provide()` takes. With `file`, it is a streamed blob (a 2xx answer to a `{ stream: max }`
 *   request): stream `length` bytes of the file from `offset` into the sink for the action's
 *   blob, as a transport streams a body (206: append to what the sink holds; 200: start it
 *   over; read at most `max + 1` bytes), and add `streamed: { digest, size }` of what the sink
 *   holds before providing it.
 */
export type LayoutStep =
  | { kind: "read"; path: string; max: number }
  | { kind: "stat"; path: string }
  | { kind: "write"; path: string; data: Uint8Array }
  | { kind: "receive"; path: string; digest: string; size: number }
  | { kind: "remove"; path: string }
  | {
      kind: "respond";
      response: { type: "response"; status: number; headers: [name: string, value: string][]; body: Uint8Array };
      file: { path: string; offset: number; length: number } | null;
    };

/**
 * An OCI image layout served as a registry (the core's `LayoutServer`): it answers the requests
 * every whole operation ({@link Push}, {@link Pull}, {@link CopyArtifact} with a layout on
 * either side or both, {@link Discover}, {@link Delete}, {@link TagsOf}) and the single
 * requests make for its {@link layoutHost}, as a conformant registry with the referrers API
 * would (manifests by tag or digest, blobs with `Range`, monolithic uploads and mounts,
 * deletes, paged tags, referrers with the `artifactType` filter; a chunked PATCH is answered
 * UNSUPPORTED: drive layouts without `chunkSize`). The host only carries out file steps:
 *
 * ```js
 * const server = new LayoutServer();                   // one per layout
 * // for each { kind: "send", task, request, blob, registry } whose registry isLayoutHost():
 * const exchange = server.exchange(request);
 * let step = exchange.start();
 * while (step.kind !== "respond") {
 *   if (step.kind === "read") step = exchange.read(files.get(step.path) ?? null);
 *   else if (step.kind === "stat") step = exchange.stat(files.get(step.path)?.length ?? null);
 *   else if (step.kind === "write") { files.set(step.path, step.data); step = exchange.written(); }
 *   else if (step.kind === "remove") { files.delete(step.path); step = exchange.written(); }
 *   else { const [d, n] = await receive(step, request.body.blob, blob); step = exchange.received(d, n); }
 * }
 * const input = step.file ? { ...step.response, streamed: await stream(step.file, blob) } : step.response;
 * op.provide(task, input);
 * ```
 *
 * The layout's {@link RegistrySession} (`new RegistrySession(layoutHost(n))`) should be told
 * `setReferrersApi(true)`: the layout serves the referrers API, so no referrers-tag request is
 * planned (dry runs) or made (Delete's upkeep); the server's `OCI-Subject` answer spares Push
 * and CopyArtifact one either way.
 *
 * It keeps `index.json` in memory once read (at most `indexMax` bytes, 4 MiB by default:
 * LIMIT_EXCEEDED past it) and plans a `write` of the whole new index for each change, applied
 * in memory once `written()` confirms it; JS runs one step at a time, so concurrent exchanges of
 * one server lose no update. The referrers API reads each document `index.json` lists once per
 * server. Failures throw the coded {@link OciError}: `index.json` over the limit or invalid, a
 * stored document over 4 MiB (LIMIT_EXCEEDED) or not matching its digest (DIGEST_MISMATCH),
 * OPERATION_MISUSE for a result that does not answer the last step. A host that fails a step
 * itself (an I/O error) drops the exchange: nothing changed in the server.
 */
export class LayoutServer {
  constructor(options?: { indexMax?: number });
  /** Forgets `index.json` (read again by the next exchange that needs it). */
  reload(): void;
  /** The exchange that answers `request` (an engine request for this layout's host). */
  exchange(request: RegistryRequest): LayoutExchange;
}

/** One request's answer, step by step (see {@link LayoutServer}). */
export class LayoutExchange {
  private constructor();
  /** The first step. */
  start(): LayoutStep;
  /** After "read": the bytes (at most `max + 1`), or null when the file is absent. */
  read(data: BytesLike | null): LayoutStep;
  /** After "stat": the size, or null when the file is absent. */
  stat(size: number | null): LayoutStep;
  /** After "write" or "remove". */
  written(): LayoutStep;
  /** After "receive": the digest and size of the body received. */
  received(digest: string, size: number): LayoutStep;
}
