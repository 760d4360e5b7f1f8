"""Regenerates tests/vectors/pack/*.json with the ORAS CLI as the oracle.

Each case lists pack inputs; ORAS (`oras push --oci-layout … --export-manifest`) writes the
expected manifest bytes. The Rust, Python and JS suites pack the same inputs and must produce
exactly these bytes.

Run: python3 tests/vectors/tools/make_pack_vectors.py /path/to/oras
"""

import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile

OUT = pathlib.Path(__file__).resolve().parent.parent / "pack"
CREATED = "2024-01-01T00:00:00Z"
DOCS = "application/vnd.stevelasker.docsinmarkdown"

CASES = [
    {
        "name": "docs-in-markdown",
        "description": "the guide's example: two markdown layers with their own types, v1.1",
        "artifactType": f"{DOCS}.config.v1+json",
        "files": [
            {"name": "overview.md", "mediaType": f"{DOCS}.overview.layer.v1+md", "text": "# Overview\n\nDocs in markdown.\n"},
            {"name": "description.md", "mediaType": f"{DOCS}.description.layer.v1+md", "text": "# Description\n"},
        ],
        "annotations": {},
    },
    {
        "name": "escaping-and-unicode",
        "description": "annotation values with <>& and non-ASCII text, keys out of order",
        "artifactType": "application/vnd.example.notes.config.v1+json",
        "files": [{"name": "notes.txt", "mediaType": "application/vnd.example.notes.layer.v1+txt", "text": "grüße 世界\n"}],
        "annotations": {"z.last": "<b>bold</b> & more", "a.first": "ünïcödé “quotes” \u2028 line sep", "m.middle": "tab\there"},
    },
    {
        "name": "default-media-type",
        "description": "a file without a media type gets ORAS's default layer type",
        "artifactType": "application/vnd.example.blob.config.v1+json",
        "files": [{"name": "data.bin", "text": "0123456789"}],
        "annotations": {},
    },
    {
        "name": "no-files",
        "description": "v1.1 without files: the empty descriptor becomes the single layer",
        "artifactType": "application/vnd.example.marker.config.v1+json",
        "files": [],
        "annotations": {"org.opencontainers.image.description": "a marker"},
    },
    {
        "name": "unknown-artifact-type",
        "description": "no artifact type: ORAS's CLI default application/vnd.unknown.artifact.v1",
        "files": [{"name": "a.txt", "mediaType": "text/plain", "text": "a"}],
        "annotations": {},
    },
    {
        "name": "custom-config-v1.1",
        "description": "a config file with its own type and no artifact type, v1.1",
        "config": {"mediaType": "application/vnd.example.thing.config.v1+json", "text": "{\"k\":\"v\"}"},
        "files": [{"name": "thing.bin", "mediaType": "application/vnd.example.thing.layer.v1", "text": "thing"}],
        "annotations": {},
    },
    {
        "name": "image-spec-v1.0",
        "description": "v1.0: the artifact type is the config media type, content {}",
        "spec": "v1.0",
        "artifactType": "application/vnd.example.legacy.config.v1+json",
        "files": [{"name": "legacy.txt", "mediaType": "application/vnd.example.legacy.layer.v1+txt", "text": "legacy\n"}],
        "annotations": {},
    },
    {
        "name": "image-spec-v1.0-no-files",
        "description": "v1.0 without files keeps an empty layers array",
        "spec": "v1.0",
        "artifactType": "application/vnd.example.legacy.config.v1+json",
        "files": [],
        "annotations": {},
    },
    {
        "name": "nested-title",
        "description": "a relative path as the title",
        "artifactType": "application/vnd.example.docs.config.v1+json",
        "files": [{"name": "docs/guide/intro.md", "mediaType": "application/vnd.example.docs.layer.v1+md", "text": "# Intro\n"}],
        "annotations": {"org.opencontainers.image.source": "https://example.com/repo?a=1&b=2"},
    },
    {
        "name": "per-file-annotations",
        "description": "per-file annotations from an annotation file are merged into the layer's",
        "artifactType": "application/vnd.example.docs.config.v1+json",
        "files": [{"name": "a.md", "mediaType": "application/vnd.example.docs.layer.v1+md", "text": "# A\n", "annotations": {"com.example.lang": "en", "com.example.order": "1"}}],
        "annotations": {},
        "configAnnotations": {"com.example.schema": "none"},
    },
]


def run_oras(oras, case, work):
    for f in case["files"]:
        path = work / f["name"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f["text"].encode())
    args = [oras, "push", "--oci-layout", str(work / "layout") + ":t", "--export-manifest", str(work / "manifest.json")]
    if case.get("spec"):
        args += ["--image-spec", case["spec"]]
    if case.get("artifactType"):
        args += ["--artifact-type", case["artifactType"]]
    if case.get("config"):
        (work / "config.json").write_bytes(case["config"]["text"].encode())
        args += ["--config", f"config.json:{case['config']['mediaType']}"]
    annotation_file = {"$manifest": {**case["annotations"], "org.opencontainers.image.created": CREATED}}
    if case.get("configAnnotations"):
        annotation_file["$config"] = case["configAnnotations"]
    for f in case["files"]:
        if f.get("annotations"):
            annotation_file[f["name"]] = f["annotations"]
    (work / "annotations.json").write_text(json.dumps(annotation_file))
    args += ["--annotation-file", "annotations.json"]
    for f in case["files"]:
        args.append(f["name"] + (":" + f["mediaType"] if f.get("mediaType") else ""))
    subprocess.run(args, cwd=work, check=True, capture_output=True)
    return (work / "manifest.json").read_bytes()


def main():
    oras = sys.argv[1] if len(sys.argv) > 1 else "oras"
    version = subprocess.run([oras, "version"], capture_output=True, text=True, check=True).stdout.split("\n")[0]
    OUT.mkdir(exist_ok=True)
    for case in CASES:
        with tempfile.TemporaryDirectory() as tmp:
            manifest = run_oras(oras, case, pathlib.Path(tmp))
        doc = {
            **case,
            "created": CREATED,
            "oracle": f"oras push --oci-layout ({version.strip()})",
            "manifest": manifest.decode(),
            "digest": "sha256:" + hashlib.sha256(manifest).hexdigest(),
            "size": len(manifest),
        }
        (OUT / f"{case['name']}.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        print(f"{case['name']}: {doc['digest']}")


if __name__ == "__main__":
    main()
