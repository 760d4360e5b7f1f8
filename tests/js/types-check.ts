// Compiled with `tsc --noEmit` by scripts/test-js.sh: every export of ocikit, used as documented.
import {
  Client,
  Digester,
  OciError,
  RegistryOperation,
  RegistrySession,
  addReferrer,
  blobExists,
  checkAuth,
  deleteManifest,
  getBlob,
  getManifest,
  listReferrers,
  listTags,
  pushBlob,
  putManifest,
  resolveManifest,
  resumeBlobPush,
  artifactTypes,
  checkLogo,
  classifyTag,
  describe,
  lookupArtifactType,
  pullCommands,
  digest,
  digestBlob,
  encodeIndex,
  encodeManifest,
  layoutTar,
  lintMediaType,
  pack,
  packIndex,
  parseDigest,
  parseIndex,
  parseManifest,
  parseMediaType,
  parseReference,
  readLayoutTar,
  registerArtifactType,
  validate,
  verify,
  type Annotations,
  type ArtifactMediaTypeParts,
  type ArtifactTypeDefinition,
  type ArtifactTypeDefinitionInput,
  type Description,
  type Descriptor,
  type ImageSpec,
  type Index,
  type Kind,
  type LayoutBlob,
  type LayoutContents,
  type LayoutManifest,
  type LayoutRead,
  type Manifest,
  type PackFile,
  type PackOptions,
  type Packed,
  OciLayout,
  type PackedBlob,
  type ParsedIndex,
  type ParsedManifest,
  type Platform,
  type ReferenceParts,
  type Report,
  type BytesLike,
  type DigestAlgorithm,
  type DigestBlobOptions,
  type DigestParts,
  type ErrorCode,
  type Finding,
  type FindingCode,
  type MediaTypeParts,
  type Role,
  type ClientErrorCode,
  type ClientOptions,
  type FetchedManifest,
  type Pulled,
  type Pushable,
  type PutManifestResult,
  type RegistryCredentials,
  type RegistryErrorCode,
  type RegistryInput,
  type RegistryRequest,
  type RegistryStep,
  type ResolvedManifest,
} from "ocikit";
import * as wasm from "ocikit/wasm";
import * as manual from "ocikit/manual";
import * as lite from "ocikit/lite";
import * as liteManual from "ocikit/lite/manual";
import { init, type BlobSource, type CopyOutcome, type DeleteOutcome, type InitOptions, type PlannedRequest, type PushOutcome, type Referrer } from "ocikit";

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

// Documents.
const report: Report = validate("{}", "manifest");
const kind: Kind | null = validate(bytes).kind;
const parsed: ParsedManifest = parseManifest(bytes);
const manifest: Manifest = parsed.manifest;
const layers: Descriptor[] = manifest.layers;
const unknownField: unknown = manifest["x.custom"];
const canonical: Uint8Array = encodeManifest({ ...manifest, annotations: { a: "b" } });
const platform: Platform = { architecture: "amd64", os: "linux", "os.version": "10" };
const index: Index = { schemaVersion: 2, manifests: [{ ...layers[0]!, platform }] };
const parsedIndex: ParsedIndex = parseIndex(encodeIndex(index));
const indexDigest: string = parsedIndex.digest;

// Packing.
const files: PackFile[] = [
  { name: "a.md", mediaType: "text/markdown", data: bytes, annotations: { "com.example": "x" } },
  { name: "big.bin", digest: a, size: 1 << 30 },
];
const spec: ImageSpec = "v1.0";
const packOptions: PackOptions = {
  files,
  artifactType: "application/vnd.example.docs.config.v1+json",
  config: { mediaType: "application/vnd.example.docs.config.v1+json", data: new ArrayBuffer(2) },
  configAnnotations: {},
  annotations: { "org.opencontainers.image.description": "docs" },
  created: new Date(),
  imageSpec: "v1.1",
  embedDataUpTo: 64,
  cliDefaults: false,
};
const packed: Packed = pack(packOptions);
const blobs: PackedBlob[] = packed.blobs;
const blobData: Uint8Array | undefined = blobs[0]?.data;
const referrer: Packed = pack({ artifactType: "application/vnd.example.sig.v1", subject: packed.descriptor, created: "2024-01-01T00:00:00Z" });
const collection: Packed = packIndex({ manifests: [packed.descriptor, referrer.descriptor], annotations: {} });

// Artifact types and references.
const types: ArtifactTypeDefinition[] = artifactTypes();
const input: ArtifactTypeDefinitionInput = { artifactType: "application/vnd.example.x.config.v1+json", displayName: "X" };
const registered: ArtifactTypeDefinition = registerArtifactType(input);
const fromText: ArtifactTypeDefinition = registerArtifactType(JSON.stringify(input));
const what: Description = describe(packed.manifest);
const source: "artifactType" | "config.mediaType" | "layers" = describe(manifest).source;
const helm: ArtifactTypeDefinition | null = lookupArtifactType("application/vnd.cncf.helm.config.v1+json");
const helmCommands: string[] = [...(helm?.pullCommands ?? []), ...pullCommands("localhost:5000/charts/web:1.2.0", helm?.artifactType)];
const darkLogo: string | undefined = helm?.darkLogo;
const tagClass: { kind: "tag" | "referrers" | "signature" | "attestation" | "sbom"; subject: string | null } = classifyTag("sha256-0.sig");
const logo: string | undefined = what.definition?.logo;
checkLogo(logo ?? "");
const reference: ReferenceParts = parseReference("localhost:5000/docs:v1");
const tag: string | null = reference.tag;

// Layouts.
const extra: LayoutBlob = { data: bytes };
const entry: LayoutManifest = { ...packed, tag: "v1" };
const contents: LayoutContents = { manifests: [entry, collection], blobs: [extra] };
const tar: Uint8Array = layoutTar(entry);
const tar2: Uint8Array = layoutTar(contents);
const layout: LayoutRead = readLayoutTar(tar);
const layoutBlobs: Map<string, Uint8Array> = layout.blobs;
const annotations: Annotations | undefined = layout.manifests[0]?.annotations;

// @ts-expect-error: kinds are a closed set
validate("{}", "image");
// @ts-expect-error: a file has data, or digest and size, not both
pack({ files: [{ name: "a", data: bytes, digest: a, size: 2 }] });
// @ts-expect-error: imageSpec is "v1.1" or "v1.0"
pack({ imageSpec: "1.1" });
// @ts-expect-error: parseManifest takes bytes, not text
parseManifest("{}");

void [report, kind, unknownField, canonical, indexDigest, spec, blobData, types, registered, fromText, source, tag, tar2, layoutBlobs, annotations];
void [supported, tree, suffix, role, subTypes, version, codes, severity, pending, made, sameClass, wasmDigest, used];

// The registry engine, driven by hand.
const credentials: RegistryCredentials = { username: "alice", password: "s3cret" };
const session = new RegistrySession("localhost:5000", { plainHttp: true, credentials, retry: { maxRetries: 2 } });
const base: string = session.base;
const getOp: RegistryOperation<FetchedManifest> = getManifest(session, "localhost:5000/docs:v1", { maxSize: 1 << 20 });
const step: RegistryStep<FetchedManifest> = getOp.next(session, { type: "start" }, Date.now());
if (step.type === "send") {
  const request: RegistryRequest = step.request;
  const header: [string, string] | undefined = request.headers[0];
  const blobRange: number | undefined = request.body !== null && !(request.body instanceof Uint8Array) ? request.body.blob.length : undefined;
  const limit: number | undefined = "stream" in request.responseBody ? undefined : request.responseBody.capture;
  const reply: RegistryInput = { type: "response", status: 200, headers: new Headers({ "Content-Type": "x/y" }), body: bytes };
  void [header, blobRange, limit, reply];
} else if (step.type === "wait") {
  const ms: number = step.ms;
  void ms;
} else {
  const fetchedBytes: Uint8Array = step.value.bytes;
  void fetchedBytes;
}
const streamedInput: RegistryInput = { type: "response", status: 200, headers: [["Content-Length", "2"]], streamed: { digest: a, size: 2 } };
const putOp: RegistryOperation<PutManifestResult> = putManifest(session, "localhost:5000/docs:v1", packed.mediaType, packed.manifest);
const existsOp: RegistryOperation<number | null> = blobExists(session, "localhost:5000/docs", a);
const pushOp: RegistryOperation<boolean> = pushBlob(session, "localhost:5000/docs", packed.descriptor, { chunkSize: 1 << 20, mountFrom: "other" });
const uploadUrl: string | null = pushOp.uploadUrl;
const resumeOp: RegistryOperation<boolean> = resumeBlobPush(session, "localhost:5000/docs", packed.descriptor, "http://x/u", 1 << 20);
const blobOp: RegistryOperation<null> = getBlob(session, "localhost:5000/docs", packed.descriptor, { have: 10 });
const resolveOp: RegistryOperation<ResolvedManifest> = resolveManifest(session, "localhost:5000/docs:v1");
const deleteOp: RegistryOperation<null> = deleteManifest(session, "localhost:5000/docs", a);
const checkOp: RegistryOperation<null> = checkAuth(session);
const knowsReferrersApi: boolean | null = session.referrersApi;
session.setReferrersApi(false);
const tagsOp: RegistryOperation<string[]> = listTags(session, "localhost:5000/docs", { pageSize: 100 });
const referrersOp: RegistryOperation<Descriptor[]> = listReferrers(session, "localhost:5000/docs", a, { artifactType: "x/y" });
const addOp: RegistryOperation<string | null> = addReferrer(session, "localhost:5000/docs", a, referrer.descriptor);
const finished: boolean = addOp.finished;
const registryCode: RegistryErrorCode = "MANIFEST_UNKNOWN";
const clientCode: ClientErrorCode = "NETWORK_ERROR";
const asErrorCode: ErrorCode = registryCode;

// The Client.
async function useClient(): Promise<void> {
  const clientOptions: ClientOptions = { registry: "localhost:5000", plainHttp: true, credentials: { accessToken: "t" }, fetch, concurrency: 2 };
  const client = new Client(clientOptions);
  const signal = new AbortController().signal;
  const onProgress = (done: number, total: number): void => void [done, total];
  const resolved: ResolvedManifest = await client.resolve("docs:v1", { signal });
  await client.checkAuth({ signal });
  const fetched: FetchedManifest = await client.fetch("docs:v1", { maxSize: 1 << 20 });
  const parsed: Manifest = await client.fetchManifest("docs:v1");
  const index: Index = await client.fetchIndex("docs:index");
  const put: Descriptor = await client.pushManifest("docs:v2", fetched.bytes, fetched.mediaType);
  const size: number | null = await client.blobSize("docs", a);
  const present: boolean = await client.blobExists("docs", a);
  const blob: Uint8Array = await client.fetchBlob("docs", packed.descriptor, { onProgress, signal });
  const uploaded: boolean = await client.pushBlob("docs", packed.descriptor, new Blob([new Uint8Array(blob)]), { chunkSize: 1 << 20, onProgress });
  const uploadedBytes: boolean = await client.pushBlob("docs", packed.descriptor, blob);
  const tags: string[] = await client.listTags("docs", { pageSize: 10 });
  const page: { tags: string[]; next: string | null } = await client.listTagsPage("docs", { n: 10, last: "v1" });
  const found: Descriptor[] = await client.referrers("docs:v1", undefined, { artifactType: "x/y" });
  const foundByDescriptor: Descriptor[] = await client.referrers("docs", packed.descriptor);
  const byOptions: Descriptor[] = await client.referrers("docs:v1", { artifactType: "x/y", signal });
  const deleted: DeleteOutcome = await client.deleteManifest("docs:v1");
  await client.deleteManifest("docs", resolved.digest, { signal });
  const tagged: ResolvedManifest = await client.tag("docs:v1", "stable");
  const pushable: Pushable = packed;
  const pushed: PushOutcome = await client.push("docs:v1", pushable, { chunkSize: 1 << 20, onProgress, signal, tags: ["latest"] });
  const plan: PlannedRequest[] = (await client.push("docs:v1", pushable, { dryRun: true })).planned;
  const copied: CopyOutcome = await client.copy("docs:v1", "backup:v1", { referrers: true, dryRun: false, to: client });
  const streamedFile: Pushable = { ...packed, blobs: [{ descriptor: packed.descriptor, data: new Blob([new TextEncoder().encode("{}")]) }] };
  await client.push("docs:v1", streamedFile);
  const pulled: Pulled = await client.pull("docs:v1", { onProgress });
  const layerBytes: Uint8Array | undefined = pulled.files[0]?.bytes;
  const path: string | undefined = pulled.files[0]?.path;
  const registry: string = client.registry;
  void [put, parsed, index, size, present, uploaded, uploadedBytes, tags, found, foundByDescriptor, byOptions, deleted, tagged, pushed, plan, copied, layerBytes, path, registry];
}
const wasmClient: Client = new wasm.Client({ registry: "localhost:5000" });

// init() and ocikit/manual.
async function useInit(bytes: Uint8Array, module: WebAssembly.Module, response: Response): Promise<void> {
  const sources: InitOptions[] = [{}, { wasm: new URL("https://cdn.example/ocikit.wasm") }, { wasm: "/ocikit.wasm" }, { wasm: bytes }, { wasm: module }, { wasm: response }];
  for (const options of sources) {
    const done: void = await manual.init(options);
    void done;
  }
  await init();
  await wasm.init();
  const manualClient: Client = new manual.Client({ registry: "localhost:5000" });
  void manualClient;
  // @ts-expect-error: the wasm comes as a URL, bytes, a Response or a module
  await manual.init({ wasm: 42 });
  // @ts-expect-error: no such option
  await manual.init({ module });
}

// An index in a layout.
async function useLayoutIndex(layout: OciLayout): Promise<void> {
  const created: Packed = await layout.createIndex("both", ["a", "b"], { artifactType: "application/vnd.cnab.manifest.v1", tags: ["stable"] });
  const untagged: Packed = await layout.createIndex(null, ["a"]);
  const updated: Packed = await layout.updateIndex("both", { remove: [created.digest], artifactType: null });
  void [untagged, updated];
}

// ocikit/lite: the functions without the registry engine, typed as in the full entries.
async function useLite(bytes: Uint8Array<ArrayBuffer>, text: string): Promise<void> {
  await liteManual.init({ wasm: "/ocikit_lite_bg.wasm" });
  const digest: string = lite.digest(bytes, "blake3");
  const report: lite.Report = lite.validate(text);
  const packed: Packed = lite.pack({ artifactType: "application/vnd.example.docs.config.v1+json" });
  const blob: string = await lite.digestBlob(new Blob([bytes]));
  const error: boolean = report.valid && new Error() instanceof lite.OciError;
  void [digest, packed, blob, error];
  // @ts-expect-error: the registry client is in "ocikit", not in the lite entry
  void lite.Client;
  // @ts-expect-error: so are layouts
  void lite.layoutTar;
}

// Stream sources, attach and discover.
async function useStreams(client: Client, descriptor: Descriptor, packed: Packed, stream: ReadableStream<Uint8Array>): Promise<void> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield new Uint8Array(1);
  }
  const sources: BlobSource[] = [new Uint8Array(1), new Blob([]), stream, chunks()];
  for (const source of sources) {
    const uploaded: boolean = await client.pushBlob("docs", descriptor, source, { chunkSize: 1 << 20 });
    void uploaded;
  }
  await client.push("docs:v1", { ...packed, blobs: packed.blobs.map((b) => ({ ...b, data: stream })) });
  const attached: PushOutcome = await client.attach("docs:v1", packed, { chunkSize: 1 << 20, dryRun: true });
  const tree: Referrer[] = await client.discover("docs:v1", { artifactType: "application/vnd.example+json", depth: 2 });
  const below: Referrer[] | undefined = tree[0]?.referrers;
  const streamCode: ClientErrorCode = "STREAM_NOT_REWINDABLE";
  // @ts-expect-error: text is not a blob source
  await client.pushBlob("docs", descriptor, "text");
  // @ts-expect-error: depth is a number
  await client.discover("docs:v1", { depth: "all" });
  void [attached, below, streamCode];
}

// @ts-expect-error: operations come from the factory functions
new RegistryOperation();
// @ts-expect-error: credentials have a known shape
new RegistrySession("localhost:5000", { credentials: { user: "a" } });
// @ts-expect-error: the client needs a registry
new Client({ plainHttp: true });

void [base, knowsReferrersApi, streamedInput, putOp, existsOp, uploadUrl, resumeOp, blobOp, resolveOp, deleteOp, checkOp, tagsOp, referrersOp, finished, clientCode, asErrorCode, useClient, wasmClient, useInit, useStreams];
