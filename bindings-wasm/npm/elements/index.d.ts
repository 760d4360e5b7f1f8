// Types of ocikit/elements (hand-written, like the package's index.d.ts).
import type { ArtifactTypeDefinition, Client, Descriptor, Packed, PushOutcome, Report, TagClass } from "ocikit";

/** Strings of an element, each replaceable: a text, or a function of the values it shows. */
export type Strings = Record<string, string | ((...args: any[]) => string)>;

/** What every element has: `theme="light|dark|auto"` (attribute), `strings`, and CSS custom properties `--oci-fg`, `--oci-bg`, `--oci-muted`, `--oci-accent`, `--oci-danger`, `--oci-ok`, `--oci-border`, `--oci-subtle`, `--oci-mark`, `--oci-radius`, `--oci-font`, `--oci-font-mono`, `--oci-logo-size`. */
export declare class OciElement extends HTMLElement {
  strings: Strings;
  /** Renders again on the next microtask. */
  update(): void;
}

/** `<oci-type-badge type variant="icon|chip|full">`: a type's logo, name and description, without the wasm. */
export declare class OciTypeBadge extends OciElement {
  descriptor: Descriptor | null;
  manifest: object | string | Uint8Array | null;
  readonly mediaType: string;
}

/** `<oci-artifact-card reference digest>`: one artifact; `slot="actions"` for the host's buttons. Event `oci-copy`. */
export declare class OciArtifactCard extends OciElement {
  manifest: object | string | Uint8Array | null;
  descriptor: Descriptor | null;
  client: Client | null;
}

export interface ReferrersAnswer {
  referrers: Descriptor[];
  /** The list came from the referrers tag schema (no referrers API). */
  fromTagSchema?: boolean;
}

/** `<oci-referrers-tree subject repository depth artifact-type deletable>`. Events `oci-open`, `oci-delete-request` (cancelable). */
export declare class OciReferrersTree extends OciElement {
  client: Client | null;
  loadReferrers: ((digest: string) => Promise<Descriptor[] | ReferrersAnswer>) | null;
  refresh(): void;
}

/** `<oci-manifest-view expected-digest>`: findings at their JSON pointers. Events `oci-open`, `oci-validated`. */
export declare class OciManifestView extends OciElement {
  document: string | Uint8Array | object | null;
  validate: ((bytes: Uint8Array) => Report | Promise<Report>) | null;
  readonly report: Report | null;
}

export interface TagPage {
  tags: string[];
  /** The `last` of the next page, or null after the last page. */
  next: string | null;
}

export interface ResolvedTag {
  digest: string;
  mediaType: string;
  size: number;
  artifactType?: string | null;
}

/** `<oci-tag-list repository page-size concurrency show-referrers>`. Events `oci-open`, `oci-page`. */
export declare class OciTagList extends OciElement {
  client: Client | null;
  loadPage: ((page: { last?: string; n: number }) => Promise<TagPage>) | null;
  resolveTag: ((tag: string) => Promise<ResolvedTag>) | null;
  readonly tags: string[];
  /** How many tags were resolved (manifests fetched). */
  readonly resolvedCount: number;
  loadMore(): Promise<void>;
  reset(): void;
}

/** `<oci-file-list reference>`: files with verified downloads, or an index's children. Events `oci-open`, `oci-download` (cancelable). */
export declare class OciFileList extends OciElement {
  manifest: object | string | Uint8Array | null;
  client: Client | null;
  fetchBlob: ((descriptor: Descriptor) => Promise<Uint8Array | ArrayBuffer | Blob | Response>) | null;
  download(descriptor: Descriptor): Promise<void>;
  downloadAll(): Promise<void>;
}

/** `<oci-artifact-form repository tag>`. Events `oci-pushed` `{ reference, outcome }`, `oci-push-failed`. */
/** A file of the form: `digest` is null until it is hashed. */
export interface ArtifactFormFile {
  name: string;
  size: number;
  mediaType: string;
  digest: string | null;
}

/**
 * Author and push an artifact (attributes `repository`, `tag`, `artifact-type`, `chunk-size`,
 * `folder-layer`, `theme`). Events, in authoring order: `oci-type-change` `{ artifactType,
 * definition }`, `oci-type-registered` `{ definition }`, `oci-files-change` `{ files }`,
 * `oci-packed` `{ packed, report, error }`, `oci-download` `{ kind, name, bytes }` (cancelable),
 * `oci-push-start` `{ reference, packed, total }` (cancelable), `oci-push-progress` `{ reference,
 * done, total }`, `oci-pushed` `{ reference, outcome, packed }`, `oci-push-cancelled`
 * `{ reference }`, `oci-push-failed` `{ error, reference }` (cancelable: the host shows it).
 */
export declare class OciArtifactForm extends OciElement {
  static readonly events: string[];
  /** A Client, or a function returning one (called at each push). */
  client: Client | (() => Client | Promise<Client>) | null;
  types: ArtifactTypeDefinition[] | null;
  folderLayer: boolean;
  subject: Descriptor | null;
  readonly files: ArtifactFormFile[];
  readonly artifactType: string;
  readonly packed: Packed | null;
  readonly report: Report | null;
  addFiles(files: Iterable<File | { file: Blob; name: string }>): void;
  addFolder(files: Iterable<{ file: Blob; name: string }>): Promise<void>;
  setSubject(descriptor: Descriptor | null, label?: string): void;
  startReferrer(descriptor: Descriptor, label?: string): void;
  registerCustomType(): Promise<ArtifactTypeDefinition | null>;
  repack(): Promise<void>;
  authored(): Packed | null;
  pack(): Promise<Packed>;
  downloadManifest(): void;
  downloadLayout(): Promise<void>;
  push(): Promise<PushOutcome | null>;
  cancel(): void;
}

/** The elements' catalog (the core's built-in one, plus {@link registerType}). */
export function types(): ArtifactTypeDefinition[];
export function lookupType(mediaType: string): ArtifactTypeDefinition | null;
export function registerType(definition: Partial<ArtifactTypeDefinition> & { artifactType: string; displayName: string }): void;
export function conventionName(mediaType: string): string | null;
export function describeManifest(manifest: object | string | Uint8Array): { artifactType: string; source: "artifactType" | "config.mediaType" | "layers"; definition: ArtifactTypeDefinition | null };
export function classifyTag(tag: string): TagClass;
export function pullCommands(reference: string, artifactType?: string | null): string[];

declare global {
  interface HTMLElementTagNameMap {
    "oci-type-badge": OciTypeBadge;
    "oci-artifact-card": OciArtifactCard;
    "oci-referrers-tree": OciReferrersTree;
    "oci-manifest-view": OciManifestView;
    "oci-tag-list": OciTagList;
    "oci-file-list": OciFileList;
    "oci-artifact-form": OciArtifactForm;
  }
}
