"""Regenerates tests/vectors/manifests/*.json: documents with their expected validation verdicts.

Every expectation here is written by hand from the image-spec prose (and DESIGN.md's decisions
where prose and schemas differ); nothing is computed by ocikit. Each case has either `document`
(a JSON value, serialized compactly), `text` (exact text, for what JSON values cannot carry:
broken JSON, duplicate keys) or `hex` (exact bytes, for invalid UTF-8), the `kind` given to validate (null: detect), the kind expected in
the report, `valid`, and `findings` as sorted [code, severity, path] triples.

Run: python3 tests/vectors/tools/make_manifest_vectors.py
"""

import base64
import copy
import hashlib
import json
import pathlib

import blake3_reference

OUT = pathlib.Path(__file__).resolve().parent.parent / "manifests"

EMPTY = {"mediaType": "application/vnd.oci.empty.v1+json",
         "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
         "size": 2, "data": "e30="}
MD = b"# Overview\n"
MD_DIGEST = "sha256:" + hashlib.sha256(MD).hexdigest()
LAYER = {"mediaType": "application/vnd.example.docs.layer.v1+md", "digest": MD_DIGEST, "size": len(MD),
         "annotations": {"org.opencontainers.image.title": "overview.md"}}
H = hashlib.sha256(b"x").hexdigest()
H512 = hashlib.sha512(b"x").hexdigest()
H384 = hashlib.sha384(b"x").hexdigest()
B3 = blake3_reference.blake3(b"x")

ARTIFACT = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": "application/vnd.example.docs.config.v1+json",
            "config": EMPTY, "layers": [LAYER]}
IMAGE = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + H, "size": 7023},
         "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + H, "size": 32654},
                    {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha512:" + H512, "size": 16724}],
         "annotations": {"com.example.key1": "value1", "com.example.key2": "value2"}}
INDEX = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [
             {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + H, "size": 7143,
              "platform": {"architecture": "ppc64le", "os": "linux"}},
             {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + H, "size": 7682,
              "platform": {"architecture": "arm64", "os": "linux", "variant": "v8", "os.features": ["sse4"], "os.version": "10.0.14393.1066"}}],
         "annotations": {"com.example.key1": "value1"}}
COLLECTION = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
              "artifactType": "application/vnd.cnab.bundle.config.v1+json",
              "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + H, "size": 100,
                             "artifactType": "application/vnd.cnab.invocation.config.v1+json"}]}
DESCRIPTOR = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + H, "size": 7682}
CONFIG = {"created": "2015-10-31T22:22:56.015925234Z", "author": "Alyssa P. Hacker <alyspdev@example.com>",
          "architecture": "amd64", "os": "linux",
          "config": {"User": "alice", "Env": ["PATH=/usr/bin"], "Cmd": ["/bin/sh"]},
          "rootfs": {"diff_ids": ["sha256:" + H], "type": "layers"},
          "history": [{"created": "2015-10-31T22:22:54.690851953Z", "created_by": "/bin/sh -c #(nop) ADD file in /"},
                      {"created": "2015-10-31T22:22:55.613815829Z", "created_by": "/bin/sh -c #(nop) CMD [\"sh\"]", "empty_layer": True}]}
LAYOUT = {"imageLayoutVersion": "1.0.0"}

E, W = "error", "warning"
cases = {}


def add(group, name, doc=None, *, text=None, hex=None, kind=None, detect=None, findings=()):
    findings = sorted([list(f) for f in findings])
    case = {"name": name}
    if hex is not None:
        case["hex"] = hex
    elif text is not None:
        case["text"] = text
    else:
        case["document"] = doc
    case["kind"] = kind
    case["expectKind"] = detect if detect is not None else kind
    case["valid"] = not any(f[1] == E for f in findings)
    case["findings"] = findings
    cases.setdefault(group, []).append(case)


def mutate(base, path, value, delete=False):
    doc = copy.deepcopy(base)
    target = doc
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


# --- manifests -------------------------------------------------------------------------------
G = "manifest"
add(G, "artifact manifest (v1.1, empty config)", ARTIFACT, kind="manifest")
add(G, "artifact manifest, kind detected", ARTIFACT, detect="manifest")
add(G, "image manifest from the spec", IMAGE, kind="manifest")
add(G, "image manifest, kind detected", IMAGE, detect="manifest")
add(G, "v1.0 artifact: type in config.mediaType",
    mutate(mutate(ARTIFACT, ["artifactType"], None, delete=True), ["config"],
           {"mediaType": "application/vnd.example.docs.config.v1+json", "digest": EMPTY["digest"], "size": 2}), kind="manifest")
add(G, "with subject", mutate(ARTIFACT, ["subject"], DESCRIPTOR), kind="manifest")
add(G, "with annotations", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.created": "2024-01-01T00:00:00Z", "com.example.a": ""}), kind="manifest")
add(G, "empty annotations map", mutate(ARTIFACT, ["annotations"], {}), kind="manifest")
add(G, "unknown top-level field is allowed", mutate(ARTIFACT, ["com.example.extra"], {"x": 1}), kind="manifest")
add(G, "schemaVersion missing", mutate(ARTIFACT, ["schemaVersion"], None, delete=True), kind="manifest",
    findings=[("FIELD_MISSING", E, "/schemaVersion")])
for bad in [1, 3, "2", 2.5, None, True, -2]:
    add(G, f"schemaVersion {json.dumps(bad)}", mutate(ARTIFACT, ["schemaVersion"], bad), kind="manifest",
        findings=[("SCHEMA_VERSION_INVALID", E, "/schemaVersion")])
add(G, "schemaVersion 2.0 (a float)", text=json.dumps(ARTIFACT, separators=(",", ":")).replace('"schemaVersion":2', '"schemaVersion":2.0'),
    kind="manifest", findings=[("SCHEMA_VERSION_INVALID", E, "/schemaVersion")])
add(G, "mediaType missing (a SHOULD)", mutate(ARTIFACT, ["mediaType"], None, delete=True), kind="manifest",
    findings=[("MEDIA_TYPE_MISSING", W, "/mediaType")])
add(G, "mediaType of an index", mutate(ARTIFACT, ["mediaType"], "application/vnd.oci.image.index.v1+json"), kind="manifest",
    findings=[("MEDIA_TYPE_MISMATCH", E, "/mediaType")])
add(G, "Docker mediaType", mutate(IMAGE, ["mediaType"], "application/vnd.docker.distribution.manifest.v2+json"), kind="manifest",
    findings=[("MEDIA_TYPE_MISMATCH", E, "/mediaType")])
add(G, "mediaType not a media type", mutate(ARTIFACT, ["mediaType"], "manifest"), kind="manifest",
    findings=[("MEDIA_TYPE_INVALID", E, "/mediaType")])
add(G, "mediaType a number", mutate(ARTIFACT, ["mediaType"], 5), kind="manifest",
    findings=[("JSON_INVALID", E, "/mediaType")])
add(G, "artifactType invalid", mutate(ARTIFACT, ["artifactType"], "docs"), kind="manifest",
    findings=[("MEDIA_TYPE_INVALID", E, "/artifactType")])
add(G, "artifactType with parameters", mutate(ARTIFACT, ["artifactType"], "application/vnd.example.docs.config.v1+json; v=1"), kind="manifest",
    findings=[("MEDIA_TYPE_INVALID", E, "/artifactType")])
add(G, "artifactType missing with the empty config", mutate(ARTIFACT, ["artifactType"], None, delete=True), kind="manifest",
    findings=[("ARTIFACT_TYPE_REQUIRED", E, "/artifactType")])
add(G, "artifactType null", mutate(ARTIFACT, ["artifactType"], None), kind="manifest",
    findings=[("JSON_INVALID", E, "/artifactType")])
add(G, "config missing", mutate(ARTIFACT, ["config"], None, delete=True), kind="manifest",
    findings=[("FIELD_MISSING", E, "/config")])
add(G, "config an array", mutate(ARTIFACT, ["config"], []), kind="manifest",
    findings=[("JSON_INVALID", E, "/config")])
add(G, "layers missing", mutate(ARTIFACT, ["layers"], None, delete=True), kind="manifest",
    findings=[("FIELD_MISSING", E, "/layers")])
add(G, "layers empty (prose: warning; schema: allowed)", mutate(ARTIFACT, ["layers"], []), kind="manifest",
    findings=[("LAYERS_EMPTY", W, "/layers")])
add(G, "layers null", mutate(ARTIFACT, ["layers"], None), kind="manifest",
    findings=[("JSON_INVALID", E, "/layers")])
add(G, "layers an object", mutate(ARTIFACT, ["layers"], LAYER), kind="manifest",
    findings=[("JSON_INVALID", E, "/layers")])
add(G, "empty layer as the single layer", mutate(ARTIFACT, ["layers"], [EMPTY]), kind="manifest")
add(G, "layer not an object", mutate(ARTIFACT, ["layers"], ["sha256:" + H]), kind="manifest",
    findings=[("JSON_INVALID", E, "/layers/0")])
add(G, "second layer broken", mutate(ARTIFACT, ["layers"], [LAYER, mutate(LAYER, ["size"], -1)]), kind="manifest",
    findings=[("SIZE_INVALID", E, "/layers/1/size")])
add(G, "subject broken", mutate(ARTIFACT, ["subject"], {"mediaType": "application/vnd.oci.image.manifest.v1+json"}), kind="manifest",
    findings=[("FIELD_MISSING", E, "/subject/digest"), ("FIELD_MISSING", E, "/subject/size")])
add(G, "annotations not a map", mutate(ARTIFACT, ["annotations"], ["a=b"]), kind="manifest",
    findings=[("JSON_INVALID", E, "/annotations")])
add(G, "annotation value a number", mutate(ARTIFACT, ["annotations"], {"com.example.n": 1}), kind="manifest",
    findings=[("JSON_INVALID", E, "/annotations/com.example.n")])
add(G, "annotation value null", mutate(ARTIFACT, ["annotations"], {"com.example.n": None}), kind="manifest",
    findings=[("JSON_INVALID", E, "/annotations/com.example.n")])
add(G, "created not RFC 3339", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.created": "2024-01-01 00:00:00"}), kind="manifest",
    findings=[("ANNOTATION_INVALID", E, "/annotations/org.opencontainers.image.created")])
add(G, "created an impossible date", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.created": "2023-02-29T00:00:00Z"}), kind="manifest",
    findings=[("ANNOTATION_INVALID", E, "/annotations/org.opencontainers.image.created")])
add(G, "created with offset and fraction", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.created": "2024-02-29T23:59:59.5+05:30"}), kind="manifest")
add(G, "source not a URL", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.source": "github.com/x/y"}), kind="manifest",
    findings=[("ANNOTATION_INVALID", W, "/annotations/org.opencontainers.image.source")])
add(G, "url and documentation URLs", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.url": "https://example.com/a?b=c&d=%20", "org.opencontainers.image.documentation": "https://example.com/docs#x"}), kind="manifest")
add(G, "documentation with a space", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.documentation": "https://example.com/my docs"}), kind="manifest",
    findings=[("ANNOTATION_INVALID", W, "/annotations/org.opencontainers.image.documentation")])
add(G, "base.digest not a digest", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.base.digest": "latest"}), kind="manifest",
    findings=[("ANNOTATION_INVALID", W, "/annotations/org.opencontainers.image.base.digest")])
add(G, "base.digest and base.name", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.base.digest": "sha256:" + H, "org.opencontainers.image.base.name": "docker.io/library/alpine:3"}), kind="manifest")
add(G, "unknown org.opencontainers.image key", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.colour": "blue"}), kind="manifest",
    findings=[("ANNOTATION_KEY_RESERVED", W, "/annotations/org.opencontainers.image.colour")])
add(G, "key without namespace", mutate(ARTIFACT, ["annotations"], {"colour": "blue"}), kind="manifest",
    findings=[("ANNOTATION_KEY_NOT_NAMESPACED", W, "/annotations/colour")])
add(G, "key with a slash is escaped in the pointer", mutate(ARTIFACT, ["annotations"], {"a/b~c": "x"}), kind="manifest",
    findings=[("ANNOTATION_KEY_NOT_NAMESPACED", W, "/annotations/a~1b~0c")])
add(G, "all predefined keys", mutate(ARTIFACT, ["annotations"], {
    "org.opencontainers.image.created": "2024-01-01T00:00:00Z", "org.opencontainers.image.authors": "a",
    "org.opencontainers.image.url": "https://a.example", "org.opencontainers.image.documentation": "https://a.example/d",
    "org.opencontainers.image.source": "git+https://a.example/r.git", "org.opencontainers.image.version": "1.0",
    "org.opencontainers.image.revision": "abc", "org.opencontainers.image.vendor": "A", "org.opencontainers.image.licenses": "MIT OR Apache-2.0",
    "org.opencontainers.image.ref.name": "v1.0", "org.opencontainers.image.title": "t", "org.opencontainers.image.description": "d"}), kind="manifest")
add(G, "ref.name breaking the grammar", mutate(ARTIFACT, ["annotations"], {"org.opencontainers.image.ref.name": "-bad"}), kind="manifest",
    findings=[("ANNOTATION_INVALID", W, "/annotations/org.opencontainers.image.ref.name")])
add(G, "several errors at once", {"schemaVersion": 1, "mediaType": "text/plain", "config": {"mediaType": "x", "digest": "sha256:00", "size": -1}, "layers": []},
    kind="manifest", findings=[("SCHEMA_VERSION_INVALID", E, "/schemaVersion"), ("MEDIA_TYPE_MISMATCH", E, "/mediaType"),
                               ("MEDIA_TYPE_INVALID", E, "/config/mediaType"), ("DIGEST_INVALID", E, "/config/digest"),
                               ("SIZE_INVALID", E, "/config/size"), ("LAYERS_EMPTY", W, "/layers")])
add(G, "a JSON array", [ARTIFACT], kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "a JSON string", "manifest", kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "not JSON", text="{not json", kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "empty input", text="", kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "trailing garbage", text=json.dumps(ARTIFACT) + " x", kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "two documents", text=json.dumps(ARTIFACT) + json.dumps(ARTIFACT), kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "duplicate top-level key", text='{"schemaVersion":2,"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":' + json.dumps(EMPTY) + ',"layers":[],"artifactType":"application/vnd.x.y.config.v1+json"}',
    kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "duplicate key inside a layer", text=json.dumps(ARTIFACT).replace('"size": 11', '"size": 11, "size": 12'), kind="manifest",
    findings=[("JSON_INVALID", E, "")])
add(G, "duplicate annotation key", text=json.dumps(mutate(ARTIFACT, ["annotations"], {"com.example.a": "1"})).replace('"com.example.a": "1"', '"com.example.a": "1", "com.example.a": "2"'),
    kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "pretty-printed with trailing newline is fine", text=json.dumps(ARTIFACT, indent=3) + "\n", kind="manifest")
add(G, "invalid UTF-8 in a string", hex=(json.dumps(ARTIFACT)[:-1].encode() + b', "annotations": {"com.example.a": "\xff"}}').hex(),
    kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "UTF-8 BOM", text="\ufeff" + json.dumps(ARTIFACT), kind="manifest", findings=[("JSON_INVALID", E, "")])
add(G, "deeply nested unknown field", text='{"x":' + "[" * 300 + "]" * 300 + "}", kind="manifest", findings=[("JSON_INVALID", E, "")])

# --- descriptors (validated inside a manifest's config, and alone) --------------------------
G = "descriptor"
add(G, "minimal descriptor", DESCRIPTOR, kind="descriptor")
add(G, "descriptor detected", DESCRIPTOR, detect="descriptor")
add(G, "descriptor with everything", {**DESCRIPTOR, "urls": ["https://example.com/blob"], "annotations": {"com.example.a": "b"},
                                      "platform": {"architecture": "amd64", "os": "linux"}, "artifactType": "application/vnd.example.sbom.v1+json"}, kind="descriptor")
add(G, "empty descriptor with data", EMPTY, kind="descriptor")
for field in ["mediaType", "digest", "size"]:
    add(G, f"{field} missing", mutate(DESCRIPTOR, [field], None, delete=True), kind="descriptor", findings=[("FIELD_MISSING", E, "/" + field)])
digest_cases = [
    ("sha256 uppercase", "sha256:" + H.upper(), "DIGEST_INVALID"),
    ("sha256 63 chars", "sha256:" + H[:-1], "DIGEST_INVALID"),
    ("sha256 65 chars", "sha256:" + H + "a", "DIGEST_INVALID"),
    ("sha512 short", "sha512:" + H, "DIGEST_INVALID"),
    ("sha512 valid", "sha512:" + H512, None),
    ("no algorithm", H, "DIGEST_INVALID"),
    ("empty", "", "DIGEST_INVALID"),
    ("uppercase algorithm", "SHA256:" + H, "DIGEST_INVALID"),
    ("bad separator", "sha256/x:" + H, "DIGEST_INVALID"),
    ("non-hex", "sha256:" + "z" * 64, "DIGEST_INVALID"),
    ("unregistered algorithm", "sha384:" + H384, "DIGEST_UNSUPPORTED"),
    ("unregistered with base64url encoded", "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "DIGEST_UNSUPPORTED"),
    ("unregistered with bad encoded", "sha384:a+b", "DIGEST_INVALID"),
    ("blake3 valid", "blake3:" + B3, None),
    ("blake3 uppercase", "blake3:" + B3.upper(), "DIGEST_INVALID"),
    ("blake3 63 chars", "blake3:" + B3[:-1], "DIGEST_INVALID"),
    ("blake3 with a sha512 length", "blake3:" + H512, "DIGEST_INVALID"),
]
for name, digest, code in digest_cases:
    sev = W if code == "DIGEST_UNSUPPORTED" else E
    add(G, f"digest {name}", mutate(DESCRIPTOR, ["digest"], digest), kind="descriptor",
        findings=[(code, sev, "/digest")] if code else [])
add(G, "digest a number", mutate(DESCRIPTOR, ["digest"], 256), kind="descriptor", findings=[("JSON_INVALID", E, "/digest")])
for name, size, ok in [("zero", 0, True), ("int64 max", 2**63 - 1, True), ("negative", -1, False), ("fraction", 1.5, False),
                       ("string", "10", False), ("null", None, False), ("above int64", 2**63, False), ("boolean", True, False)]:
    add(G, f"size {name}", mutate(DESCRIPTOR, ["size"], size), kind="descriptor", findings=[] if ok else [("SIZE_INVALID", E, "/size")])
add(G, "size 1e3 (exponent form)", text=json.dumps(DESCRIPTOR).replace('"size": 7682', '"size": 1e3'), kind="descriptor",
    findings=[("SIZE_INVALID", E, "/size")])
for name, mt in [("empty", ""), ("no subtype", "application"), ("wildcard", "application/*"), ("space", "application/vnd x"),
                 ("too long", "application/" + "x" * 128), ("non-ASCII", "application/vnd.é")]:
    add(G, f"mediaType {name}", mutate(DESCRIPTOR, ["mediaType"], mt), kind="descriptor", findings=[("MEDIA_TYPE_INVALID", E, "/mediaType")])
add(G, "mediaType uppercase is valid", mutate(DESCRIPTOR, ["mediaType"], "Application/Vnd.Example+JSON"), kind="descriptor")
add(G, "mediaType standard tree is valid", mutate(DESCRIPTOR, ["mediaType"], "text/markdown"), kind="descriptor")
for name, urls, bad in [("relative", ["/blobs/x"], [0]), ("two good", ["https://a.example/x", "http://b.example:8080/y?z"], []),
                        ("space", ["https://a.example/x y"], [0]), ("bad percent", ["https://a.example/%zz"], [0]),
                        ("second bad", ["https://a.example/x", "not a url"], [1]), ("urn", ["urn:isbn:0451450523"], []),
                        ("empty string", [""], [0]), ("scheme only", ["https:"], [])]:
    add(G, f"urls {name}", mutate(DESCRIPTOR, ["urls"], urls), kind="descriptor", findings=[("URL_INVALID", E, f"/urls/{i}") for i in bad])
add(G, "urls a string", mutate(DESCRIPTOR, ["urls"], "https://a.example"), kind="descriptor", findings=[("JSON_INVALID", E, "/urls")])
add(G, "urls with a number", mutate(DESCRIPTOR, ["urls"], [1]), kind="descriptor", findings=[("JSON_INVALID", E, "/urls/0")])
add(G, "urls empty array", mutate(DESCRIPTOR, ["urls"], []), kind="descriptor")

def with_data(content, **over):
    d = {"mediaType": "application/vnd.example.blob.v1", "digest": "sha256:" + hashlib.sha256(content).hexdigest(),
         "size": len(content), "data": base64.b64encode(content).decode()}
    d.update(over)
    return d

add(G, "data matches", with_data(b"hello world"), kind="descriptor")
add(G, "data of 1 byte (== padding)", with_data(b"h"), kind="descriptor")
add(G, "data of 2 bytes (= padding)", with_data(b"hi"), kind="descriptor")
add(G, "data empty with size 0", with_data(b""), kind="descriptor")
add(G, "data wrong content", with_data(b"hello world", data=base64.b64encode(b"hello earth").decode()), kind="descriptor",
    findings=[("DATA_INVALID", E, "/data")])
add(G, "data wrong size", with_data(b"hello world", size=12), kind="descriptor", findings=[("DATA_INVALID", E, "/data")])
add(G, "data unpadded", with_data(b"h", data="aA"), kind="descriptor", findings=[("DATA_INVALID", E, "/data")])
add(G, "data base64url alphabet", with_data(b"\xfb\xff", data="-_8="), kind="descriptor", findings=[("DATA_INVALID", E, "/data")])
add(G, "data with whitespace", with_data(b"hello world", data="aGVsbG8g d29ybGQ="), kind="descriptor", findings=[("DATA_INVALID", E, "/data")])
add(G, "data non-canonical trailing bits", with_data(b"h", data="aB=="), kind="descriptor", findings=[("DATA_INVALID", E, "/data")])
add(G, "data a number", with_data(b"h", data=5), kind="descriptor", findings=[("JSON_INVALID", E, "/data")])
add(G, "data with an unregistered digest is not checked", with_data(b"hi", digest="sha384:" + H384), kind="descriptor",
    findings=[("DIGEST_UNSUPPORTED", W, "/digest")])
add(G, "data with sha512", with_data(b"hi", digest="sha512:" + hashlib.sha512(b"hi").hexdigest()), kind="descriptor")
add(G, "data with blake3", with_data(b"hi", digest="blake3:" + blake3_reference.blake3(b"hi")), kind="descriptor")
add(G, "data not matching its blake3 digest", with_data(b"hi", digest="blake3:" + B3), kind="descriptor",
    findings=[("DATA_INVALID", E, "/data")])
add(G, "data and bad digest: digest reported", with_data(b"hi", digest="sha256:XYZ"), kind="descriptor",
    findings=[("DIGEST_INVALID", E, "/digest")])
add(G, "artifactType invalid", mutate(DESCRIPTOR, ["artifactType"], "sbom"), kind="descriptor", findings=[("MEDIA_TYPE_INVALID", E, "/artifactType")])
add(G, "platform missing os", mutate(DESCRIPTOR, ["platform"], {"architecture": "amd64"}), kind="descriptor", findings=[("FIELD_MISSING", E, "/platform/os")])
add(G, "platform missing both", mutate(DESCRIPTOR, ["platform"], {}), kind="descriptor",
    findings=[("FIELD_MISSING", E, "/platform/architecture"), ("FIELD_MISSING", E, "/platform/os")])
add(G, "platform os.features not an array", mutate(DESCRIPTOR, ["platform"], {"architecture": "amd64", "os": "windows", "os.features": "win32k"}), kind="descriptor",
    findings=[("JSON_INVALID", E, "/platform/os.features")])
add(G, "platform variant a number", mutate(DESCRIPTOR, ["platform"], {"architecture": "arm", "os": "linux", "variant": 7}), kind="descriptor",
    findings=[("JSON_INVALID", E, "/platform/variant")])
add(G, "platform a string", mutate(DESCRIPTOR, ["platform"], "linux/amd64"), kind="descriptor", findings=[("JSON_INVALID", E, "/platform")])
add(G, "descriptor annotations created bad", mutate(DESCRIPTOR, ["annotations"], {"org.opencontainers.image.created": "now"}), kind="descriptor",
    findings=[("ANNOTATION_INVALID", E, "/annotations/org.opencontainers.image.created")])
add(G, "unknown descriptor field allowed", mutate(DESCRIPTOR, ["com.example.x"], True), kind="descriptor")
add(G, "config descriptor errors carry the /config prefix", mutate(ARTIFACT, ["config"], mutate(EMPTY, ["digest"], "sha256:abc")), kind="manifest",
    findings=[("DIGEST_INVALID", E, "/config/digest")])
add(G, "empty config data wrong", mutate(ARTIFACT, ["config"], mutate(EMPTY, ["data"], "e31=")), kind="manifest",
    findings=[("DATA_INVALID", E, "/config/data")])

# --- indexes ------------------------------------------------------------------------------------
G = "index"
add(G, "multi-platform index from the spec", INDEX, kind="index")
add(G, "index detected", INDEX, detect="index")
add(G, "artifact collection (CNAB)", COLLECTION, kind="index")
add(G, "collection detected", COLLECTION, detect="index")
add(G, "empty manifests list", mutate(INDEX, ["manifests"], []), kind="index")
add(G, "index with subject", mutate(INDEX, ["subject"], DESCRIPTOR), kind="index")
add(G, "nested index entry", mutate(INDEX, ["manifests"], [mutate(DESCRIPTOR, ["mediaType"], "application/vnd.oci.image.index.v1+json")]), kind="index")
add(G, "manifests missing", mutate(INDEX, ["manifests"], None, delete=True), kind="index", findings=[("FIELD_MISSING", E, "/manifests")])
add(G, "manifests an object", mutate(INDEX, ["manifests"], {}), kind="index", findings=[("JSON_INVALID", E, "/manifests")])
add(G, "schemaVersion 1", mutate(INDEX, ["schemaVersion"], 1), kind="index", findings=[("SCHEMA_VERSION_INVALID", E, "/schemaVersion")])
add(G, "schemaVersion missing", mutate(INDEX, ["schemaVersion"], None, delete=True), kind="index", findings=[("FIELD_MISSING", E, "/schemaVersion")])
add(G, "mediaType of a manifest", mutate(INDEX, ["mediaType"], "application/vnd.oci.image.manifest.v1+json"), kind="index",
    findings=[("MEDIA_TYPE_MISMATCH", E, "/mediaType")])
add(G, "Docker manifest list type", mutate(INDEX, ["mediaType"], "application/vnd.docker.distribution.manifest.list.v2+json"), kind="index",
    findings=[("MEDIA_TYPE_MISMATCH", E, "/mediaType")])
add(G, "mediaType missing", mutate(INDEX, ["mediaType"], None, delete=True), kind="index", findings=[("MEDIA_TYPE_MISSING", W, "/mediaType")])
add(G, "mediaType missing, detected by manifests", mutate(INDEX, ["mediaType"], None, delete=True), detect="index",
    findings=[("MEDIA_TYPE_MISSING", W, "/mediaType")])
add(G, "entry platform missing architecture", mutate(INDEX, ["manifests", 0, "platform"], {"os": "linux"}), kind="index",
    findings=[("FIELD_MISSING", E, "/manifests/0/platform/architecture")])
add(G, "entry digest invalid", mutate(INDEX, ["manifests", 1, "digest"], "sha256:" + H[:10]), kind="index",
    findings=[("DIGEST_INVALID", E, "/manifests/1/digest")])
add(G, "entry size negative", mutate(INDEX, ["manifests", 1, "size"], -5), kind="index", findings=[("SIZE_INVALID", E, "/manifests/1/size")])
add(G, "entry not an object", mutate(INDEX, ["manifests"], [1]), kind="index", findings=[("JSON_INVALID", E, "/manifests/0")])
add(G, "artifactType invalid", mutate(COLLECTION, ["artifactType"], "cnab"), kind="index", findings=[("MEDIA_TYPE_INVALID", E, "/artifactType")])
add(G, "entry artifactType invalid", mutate(COLLECTION, ["manifests", 0, "artifactType"], "x/"), kind="index",
    findings=[("MEDIA_TYPE_INVALID", E, "/manifests/0/artifactType")])
add(G, "annotation value an object", mutate(INDEX, ["annotations"], {"com.example.key1": {}}), kind="index",
    findings=[("JSON_INVALID", E, "/annotations/com.example.key1")])
add(G, "ref.name in index annotations", mutate(INDEX, ["manifests", 0, "annotations"], {"org.opencontainers.image.ref.name": "stable-release"}), kind="index")
for ref, ok in [("v1.0", True), ("1.0.0-rc.1", True), ("a/b/c", True), ("a--b", True), ("a@b+c:d", True), ("A_Z", True),
                ("-a", False), ("a-", False), ("a//b", False), ("a---b", False), ("", False), ("a b", False), ("é", False)]:
    add(G, f"ref.name {ref!r}", mutate(INDEX, ["manifests", 0, "annotations"], {"org.opencontainers.image.ref.name": ref}), kind="index",
        findings=[] if ok else [("ANNOTATION_INVALID", W, "/manifests/0/annotations/org.opencontainers.image.ref.name")])
add(G, "index given as a manifest", INDEX, kind="manifest",
    findings=[("MEDIA_TYPE_MISMATCH", E, "/mediaType"), ("FIELD_MISSING", E, "/config"), ("FIELD_MISSING", E, "/layers")])
add(G, "manifest given as an index", ARTIFACT, kind="index",
    findings=[("MEDIA_TYPE_MISMATCH", E, "/mediaType"), ("FIELD_MISSING", E, "/manifests")])

# --- image configs ------------------------------------------------------------------------------
G = "config"
add(G, "config from the spec", CONFIG, kind="config")
add(G, "config detected", CONFIG, detect="config")
add(G, "minimal config", {"architecture": "arm64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}}, kind="config")
add(G, "null optional fields (Go writes them)", {**CONFIG, "created": None, "author": None, "config": None, "history": None}, kind="config")
add(G, "os.version, os.features, variant", {**CONFIG, "os.version": "10.0", "os.features": ["win32k"], "variant": "v8"}, kind="config")
for field in ["architecture", "os", "rootfs"]:
    add(G, f"{field} missing", mutate(CONFIG, [field], None, delete=True), kind="config", findings=[("FIELD_MISSING", E, "/" + field)])
add(G, "architecture null", mutate(CONFIG, ["architecture"], None), kind="config", findings=[("JSON_INVALID", E, "/architecture")])
add(G, "rootfs.type not layers", mutate(CONFIG, ["rootfs", "type"], "tar"), kind="config", findings=[("VALUE_INVALID", E, "/rootfs/type")])
add(G, "rootfs.type missing", mutate(CONFIG, ["rootfs", "type"], None, delete=True), kind="config", findings=[("FIELD_MISSING", E, "/rootfs/type")])
add(G, "rootfs.diff_ids missing", mutate(CONFIG, ["rootfs", "diff_ids"], None, delete=True), kind="config", findings=[("FIELD_MISSING", E, "/rootfs/diff_ids")])
add(G, "rootfs.diff_ids bad digest", mutate(CONFIG, ["rootfs", "diff_ids"], ["sha256:" + H, "md5:"]), kind="config",
    findings=[("DIGEST_INVALID", E, "/rootfs/diff_ids/1")])
add(G, "rootfs.diff_ids not an array", mutate(CONFIG, ["rootfs", "diff_ids"], "sha256:" + H), kind="config", findings=[("JSON_INVALID", E, "/rootfs/diff_ids")])
add(G, "rootfs a string", mutate(CONFIG, ["rootfs"], "layers"), kind="config", findings=[("JSON_INVALID", E, "/rootfs")])
add(G, "created not RFC 3339", mutate(CONFIG, ["created"], "yesterday"), kind="config", findings=[("VALUE_INVALID", E, "/created")])
add(G, "created a number", mutate(CONFIG, ["created"], 1700000000), kind="config", findings=[("JSON_INVALID", E, "/created")])
add(G, "config a list", mutate(CONFIG, ["config"], ["User"]), kind="config", findings=[("JSON_INVALID", E, "/config")])
add(G, "history entry created bad", mutate(CONFIG, ["history", 0, "created"], "2015-13-01T00:00:00Z"), kind="config",
    findings=[("VALUE_INVALID", E, "/history/0/created")])
add(G, "history empty_layer a string", mutate(CONFIG, ["history", 1, "empty_layer"], "true"), kind="config",
    findings=[("JSON_INVALID", E, "/history/1/empty_layer")])
add(G, "history not an array", mutate(CONFIG, ["history"], {}), kind="config", findings=[("JSON_INVALID", E, "/history")])
add(G, "os.features not an array", mutate(CONFIG, ["os.features"], "sse4"), kind="config", findings=[("JSON_INVALID", E, "/os.features")])

# config.md types every field of the execution parameters too (`config`); null stands for absent.
EXEC = {"User": "alice", "Memory": 2048, "MemorySwap": -1, "CpuShares": 8, "ExposedPorts": {"8080/tcp": {}, "53/udp": {}},
        "Env": ["PATH=/usr/local/bin:/usr/bin", "FOO=", "BAR=a=b"], "Entrypoint": ["/bin/my-app-binary"],
        "Cmd": ["--foreground", "--config", "/etc/my-app.d/default.cfg"],
        "Volumes": {"/var/job-result-data": {}, "/var/log/my-app-logs": {}}, "WorkingDir": "/home/alice",
        "Labels": {"com.example.project.git.url": "https://example.com/project.git",
                   "org.opencontainers.image.created": "2015-10-31T22:22:56Z"},
        "StopSignal": "SIGRTMIN+3", "ArgsEscaped": False, "Healthcheck": {"Test": ["CMD", "true"]}}
FULL = {**CONFIG, "config": EXEC}
add(G, "every execution parameter", FULL, kind="config")
add(G, "execution parameters null (Go writes them)", mutate(CONFIG, ["config"], {k: None for k in EXEC}), kind="config")
add(G, "execution parameters empty", mutate(CONFIG, ["config"], {}), kind="config")
add(G, "unknown execution parameter ignored", mutate(FULL, ["config", "OnBuild"], 7), kind="config")
for key, value, expected in [
    ("User", 1234, "a string"), ("WorkingDir", ["/"], "a string"), ("StopSignal", 15, "a string"),
    ("Cmd", "x", "an array"), ("Entrypoint", {"0": "/bin/sh"}, "an array"), ("Env", "PATH=/bin", "an array"),
    ("ExposedPorts", ["8080/tcp"], "an object"), ("Volumes", ["/data"], "an object"), ("Labels", ["a=b"], "an object"),
    ("ArgsEscaped", "true", "a boolean"), ("ArgsEscaped", 1, "a boolean"), ("Memory", "2g", "an integer"),
    ("Memory", 1.5, "an integer"), ("MemorySwap", True, "an integer"), ("CpuShares", 2**63, "an integer"),
    ("Healthcheck", "CMD true", "an object"),
]:
    add(G, f"config.{key} {json.dumps(value)} (must be {expected})", mutate(FULL, ["config", key], value), kind="config",
        findings=[("JSON_INVALID", E, "/config/" + key)])
add(G, "config.Cmd with a number", mutate(FULL, ["config", "Cmd"], ["sh", 7]), kind="config", findings=[("JSON_INVALID", E, "/config/Cmd/1")])
add(G, "config.Entrypoint with null", mutate(FULL, ["config", "Entrypoint"], [None]), kind="config",
    findings=[("JSON_INVALID", E, "/config/Entrypoint/0")])
add(G, "config.Env with a number", mutate(FULL, ["config", "Env"], [7353]), kind="config", findings=[("JSON_INVALID", E, "/config/Env/0")])
add(G, "config.Env entries without '='", mutate(FULL, ["config", "Env"], ["PATH=/bin", "DEBUG", "=x", ""]), kind="config",
    findings=[("ENV_ENTRY_INVALID", W, "/config/Env/1"), ("ENV_ENTRY_INVALID", W, "/config/Env/2"), ("ENV_ENTRY_INVALID", W, "/config/Env/3")])
add(G, "config.Labels value a number", mutate(FULL, ["config", "Labels"], {"a": 1}), kind="config",
    findings=[("JSON_INVALID", E, "/config/Labels/a")])
add(G, "config.Labels value null", mutate(FULL, ["config", "Labels"], {"com.example.a": None}), kind="config",
    findings=[("JSON_INVALID", E, "/config/Labels/com.example.a")])
add(G, "config.Labels created not RFC 3339", mutate(FULL, ["config", "Labels"], {"org.opencontainers.image.created": "yesterday"}), kind="config",
    findings=[("ANNOTATION_INVALID", E, "/config/Labels/org.opencontainers.image.created")])
add(G, "config.Labels source not a URL", mutate(FULL, ["config", "Labels"], {"org.opencontainers.image.source": "my repo"}), kind="config",
    findings=[("ANNOTATION_INVALID", W, "/config/Labels/org.opencontainers.image.source")])
add(G, "config.Labels key without namespace (Docker's maintainer)", mutate(FULL, ["config", "Labels"], {"maintainer": "alice"}), kind="config",
    findings=[("ANNOTATION_KEY_NOT_NAMESPACED", W, "/config/Labels/maintainer")])
add(G, "config.Labels unknown org.opencontainers.image key", mutate(FULL, ["config", "Labels"], {"org.opencontainers.image.colour": "red"}), kind="config",
    findings=[("ANNOTATION_KEY_RESERVED", W, "/config/Labels/org.opencontainers.image.colour")])
add(G, "config.Labels duplicate key", text=json.dumps(FULL).replace('"com.example.project.git.url": ', '"com.example.a": "1", "com.example.a": "2", "com.example.project.git.url": '),
    kind="config", findings=[("JSON_INVALID", E, "")])
add(G, "config.ExposedPorts entry a string", mutate(FULL, ["config", "ExposedPorts"], {"8080/tcp": "yes"}), kind="config",
    findings=[("JSON_INVALID", E, "/config/ExposedPorts/8080~1tcp")])
add(G, "config.Volumes entry null", mutate(FULL, ["config", "Volumes"], {"/data": None}), kind="config",
    findings=[("JSON_INVALID", E, "/config/Volumes/~1data")])
add(G, "config.Volumes entry not empty", mutate(FULL, ["config", "Volumes"], {"/data": {"rw": True}}), kind="config",
    findings=[("SET_ENTRY_NOT_EMPTY", W, "/config/Volumes/~1data")])
add(G, "several execution parameters wrong at once",
    mutate(mutate(mutate(FULL, ["config", "User"], 0), ["config", "Cmd"], "x"), ["config", "Labels"], {"a": 1}), kind="config",
    findings=[("JSON_INVALID", E, "/config/User"), ("JSON_INVALID", E, "/config/Cmd"), ("JSON_INVALID", E, "/config/Labels/a")])
add(G, "config detected with wrong execution parameters", mutate(FULL, ["config", "Cmd"], "x"), detect="config",
    findings=[("JSON_INVALID", E, "/config/Cmd")])
for key, value in [("author", 7), ("os.version", 10), ("variant", ["v8"])]:
    add(G, f"{key} {json.dumps(value)}", mutate(CONFIG, [key], value), kind="config", findings=[("JSON_INVALID", E, "/" + key)])
add(G, "os a number", mutate(CONFIG, ["os"], 1), kind="config", findings=[("JSON_INVALID", E, "/os")])
add(G, "os.features with a number", mutate(CONFIG, ["os.features"], ["win32k", 1]), kind="config", findings=[("JSON_INVALID", E, "/os.features/1")])
add(G, "rootfs.type a number", mutate(CONFIG, ["rootfs", "type"], 1), kind="config", findings=[("JSON_INVALID", E, "/rootfs/type")])
add(G, "rootfs.diff_ids uppercase sha256", mutate(CONFIG, ["rootfs", "diff_ids"], ["sha256:" + H.upper()]), kind="config",
    findings=[("DIGEST_INVALID", E, "/rootfs/diff_ids/0")])
add(G, "rootfs.diff_ids a number", mutate(CONFIG, ["rootfs", "diff_ids"], [1]), kind="config", findings=[("JSON_INVALID", E, "/rootfs/diff_ids/0")])
add(G, "rootfs.diff_ids blake3", mutate(CONFIG, ["rootfs", "diff_ids"], ["blake3:" + B3]), kind="config")
add(G, "history entry a string", mutate(CONFIG, ["history"], ["ADD file"]), kind="config", findings=[("JSON_INVALID", E, "/history/0")])
add(G, "history fields of the wrong type", mutate(CONFIG, ["history", 0], {"created": 1, "author": 2, "created_by": ["sh"], "comment": {}, "empty_layer": "no"}),
    kind="config", findings=[("JSON_INVALID", E, "/history/0/" + k) for k in ["created", "author", "created_by", "comment", "empty_layer"]])
add(G, "history fields null", mutate(CONFIG, ["history", 0], {"created": None, "author": None, "created_by": None, "comment": None, "empty_layer": None}),
    kind="config")
add(G, "artifact config {} as config kind", {}, kind="config",
    findings=[("FIELD_MISSING", E, "/architecture"), ("FIELD_MISSING", E, "/os"), ("FIELD_MISSING", E, "/rootfs")])

# --- layouts and detection -------------------------------------------------------------------
G = "layout"
add(G, "oci-layout", LAYOUT, kind="layout")
add(G, "oci-layout detected", LAYOUT, detect="layout")
add(G, "oci-layout 1.1.0", {"imageLayoutVersion": "1.1.0"}, kind="layout", findings=[("VALUE_INVALID", E, "/imageLayoutVersion")])
add(G, "oci-layout number", {"imageLayoutVersion": 1}, kind="layout", findings=[("JSON_INVALID", E, "/imageLayoutVersion")])
add(G, "oci-layout missing version", {}, kind="layout", findings=[("FIELD_MISSING", E, "/imageLayoutVersion")])
add(G, "oci-layout with extra field", {"imageLayoutVersion": "1.0.0", "x": 1}, kind="layout")
add(G, "oci-layout not an object", ["1.0.0"], kind="layout", findings=[("JSON_INVALID", E, "")])
add(G, "nothing to detect from", {"hello": "world"}, findings=[("KIND_UNKNOWN", E, "")])
add(G, "array cannot be detected", [], findings=[("KIND_UNKNOWN", E, "")])
add(G, "broken JSON without kind", text="[", findings=[("JSON_INVALID", E, "")])

total = 0
OUT.mkdir(exist_ok=True)
for group, items in cases.items():
    names = [c["name"] for c in items]
    assert len(names) == len(set(names)), f"duplicate names in {group}"
    (OUT / f"{group}.json").write_text(json.dumps({"description": __doc__.split("\n\n")[1].replace("\n", " "), "cases": items}, indent=1, ensure_ascii=False) + "\n")
    total += len(items)
    print(f"{group}: {len(items)}")
print("total", total)
