#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from tests/vectors/ (run by scripts/fuzz.sh).

Usage: seeds.py VECTORS_DIR OUT_DIR — writes OUT_DIR/<target>/<sha1 of the seed> for every
target in fuzz/src/targets.rs and `layout_tar`. The input formats are documented there; the
engine's is mirrored by `engine_seed` below. Standard library only.
"""

import base64
import glob
import hashlib
import io
import json
import os
import sys
import tarfile

KINDS = [None, "manifest", "index", "descriptor", "config", "layout"]
SEPARATOR = b"\n--8<--\n"

# Must match the tables of fuzz/src/targets.rs.
STATUSES = [200, 201, 202, 204, 206, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 408,
            412, 416, 429, 500, 501, 502, 503, 504, 505, 599, 0, 100, 999]
OPERATIONS = {
    "getManifest": 0, "putManifest": 1, "blobExists": 2, "pushBlob": 3, "resumeBlob": 3,
    "getBlob": 4, "listTags": 5, "resolveManifest": 6, "deleteManifest": 7,
    "listReferrers": 8, "addReferrer": 9, "checkAuth": 10,
}
FAILURES = {"network": 0, "tls": 1, "timeout": 2}


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def case_bytes(case):
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    if "text" in case:
        return case["text"].encode()
    return compact(case["document"])


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def short_string(data):
    """A Reader::string: a length byte (255: two more), then the bytes."""
    data = data[:65535]
    if len(data) < 255:
        return bytes([len(data)]) + data
    return bytes([255]) + len(data).to_bytes(2, "big") + data


def picked(data):
    """A Reader::pick that takes no table entry (index 255 never is one)."""
    return bytes([255]) + short_string(data)


def response_seed(response, streamed_ok):
    if "failure" in response:
        failure = response["failure"]
        return (bytes([252, FAILURES.get(failure.get("kind"), 0)])
                + short_string(failure.get("message", "").encode()))
    status = response["status"]
    out = bytearray()
    if status in STATUSES:
        out.append(STATUSES.index(status))
    else:
        out += bytes([255]) + status.to_bytes(2, "big")
    headers = list(response.get("headers", {}).items())[:7]
    out.append(len(headers))
    for name, value in headers:
        out += picked(name.encode()) + picked(str(value).encode())
    body = response.get("body", "")
    body = body.encode() if isinstance(body, str) else compact(body)
    if not body:
        out.append(0)
    elif len(body) < 254:
        out += bytes([len(body)]) + body
    else:
        body = body[:65535]
        out += bytes([255]) + len(body).to_bytes(2, "big") + body
    out.append(1 if streamed_ok else 0)
    return bytes(out)


def engine_seed(transcript):
    """The engine target's input closest to a recorded transcript."""
    session = transcript["session"]
    credentials = session.get("credentials") or {}
    kind = 0
    if "username" in credentials:
        kind = 1
    elif "refreshToken" in credentials:
        kind = 2
    elif "accessToken" in credentials:
        kind = 3
    steps = transcript["steps"][:2]
    first = steps[0]["operation"]
    flags = (1 if session.get("plainHttp") else 0) | (kind << 1)
    if "@" in first.get("reference", ""):
        flags |= 32
    size = min(int(first.get("size", 10) or 0), 255)
    selectors = [OPERATIONS.get(s["operation"]["op"], 0) for s in steps]
    selectors += selectors[:1] if len(selectors) == 1 else []
    out = bytearray([flags, size] + selectors)
    for i, step in enumerate(steps):
        op = step["operation"]
        choice, extra = 0, b""
        if op["op"] == "pushBlob":
            choice = 4 if op.get("mountFrom") else 0
            extra = bytes([min(int(op.get("chunkSize") or 0), 255)])
        elif op["op"] == "resumeBlob":
            choice, extra = 1, bytes([min(max(int(op.get("chunkSize") or 1), 1), 255)])
        elif op["op"] == "getBlob" and op.get("have"):
            choice = 1 | (min(int(op["have"]), 127) << 1)
        elif op["op"] in ("listTags",) and op.get("pageSize"):
            choice = 1 | (min(int(op["pageSize"]), 127) << 1)
        elif op["op"] == "listReferrers" and op.get("artifactType"):
            choice = 1
        if i == 0:
            out += bytes([choice]) + extra
        responses = bytearray()
        for exchange in step["exchanges"]:
            if "response" in exchange:
                responses += response_seed(exchange["response"], True)
            elif "failure" in exchange:
                responses += response_seed(exchange, False)
        out += responses
    return bytes(out)


def tar_of(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def main():
    vectors, out = sys.argv[1], sys.argv[2]
    seeds = {}

    def add(target, data):
        seeds.setdefault(target, set()).add(bytes(data))

    documents = []
    for path in sorted(glob.glob(os.path.join(vectors, "manifests", "*.json"))):
        for case in load(path)["cases"]:
            data = case_bytes(case)
            kind = case.get("kind")
            add("validate", bytes([KINDS.index(kind) if kind in KINDS else 0]) + data)
            add("documents", data)
            documents.append(data)

    digests = load(os.path.join(vectors, "digests.json"))
    for case in digests.get("parse", []) + digests.get("verify", []):
        for key in ("input", "digest", "expected"):
            if isinstance(case.get(key), str):
                add("digest", case[key].encode())
    for case in digests.get("compute", []):
        for name in ("sha256", "sha512", "blake3"):
            if name in case:
                add("digest", case[name].encode())
    for case in load(os.path.join(vectors, "media-types.json"))["cases"]:
        add("media_type", case["input"].encode())
    for case in load(os.path.join(vectors, "references.json"))["cases"]:
        add("reference", case["input"].encode())

    packed = []
    for path in sorted(glob.glob(os.path.join(vectors, "pack", "*.json"))):
        case = load(path)
        manifest = case.get("manifest")
        if isinstance(manifest, str):
            manifest = manifest.encode()
            add("documents", manifest)
            add("validate", bytes([1]) + manifest)
            blobs = [f["text"].encode() for f in case.get("files", []) if "text" in f]
            packed.append((manifest, blobs))
        files = case.get("files", [])[:4]
        seed = bytearray([1 if case.get("imageSpec") == "v1.0" else 0])
        seed += picked(str(case.get("artifactType") or "").encode())
        seed.append(len(files))
        for f in files:
            seed += picked(f.get("name", "").encode()) + short_string(f.get("text", "").encode())
            seed += picked(str(f.get("mediaType") or "").encode()) + bytes([0])
        annotations = list((case.get("annotations") or {}).items())[:3]
        seed.append(len(annotations))
        for key, value in annotations:
            seed += picked(key.encode()) + short_string(str(value).encode())
        created = case.get("created")
        seed += bytes([1]) + short_string(created.encode()) if created else bytes([0])
        add("pack", seed)

    for path in sorted(glob.glob(os.path.join(vectors, "registry", "*.json"))):
        transcript = load(path)
        add("engine", engine_seed(transcript))
        for step in transcript["steps"]:
            previous = None
            for exchange in step["exchanges"]:
                response = exchange.get("response")
                if response is None:
                    continue
                headers = {k.lower(): str(v) for k, v in response.get("headers", {}).items()}
                if "www-authenticate" in headers:
                    add("www_authenticate", headers["www-authenticate"].encode())
                if "link" in headers:
                    add("link", headers["link"].encode())
                body = response.get("body", "")
                body = body.encode() if isinstance(body, str) else compact(body)
                status = int(response.get("status", 0))
                if status >= 300:
                    add("error_body", status.to_bytes(2, "big") + body)
                for name in ("retry-after", "location"):
                    if name in headers:
                        add("error_body", (200).to_bytes(2, "big") + headers[name].encode())
                if previous == 401 and status == 200:
                    for flags in (1, 2, 4, 3):
                        add("token", bytes([flags]) + body)
                previous = status

    # Layouts: a packed manifest in an index, with its blobs.
    layout_marker = b'{"imageLayoutVersion":"1.0.0"}'
    for manifest, blobs in packed:
        entry = {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + hashlib.sha256(manifest).hexdigest(),
            "size": len(manifest),
            "annotations": {"org.opencontainers.image.ref.name": "v1"},
        }
        index = compact({"schemaVersion": 2,
                         "mediaType": "application/vnd.oci.image.index.v1+json",
                         "manifests": [entry]})
        add("layout", SEPARATOR.join([layout_marker, index, manifest, b"{}"] + blobs))
        files = [("oci-layout", layout_marker), ("index.json", index)]
        for blob in [manifest, b"{}"] + blobs:
            files.append(("blobs/sha256/" + hashlib.sha256(blob).hexdigest(), blob))
        add("layout_tar", tar_of(files))
        add("layout_tar", tar_of([("./" + n, d) for n, d in files]))
        for seed in (0, 7, 200):
            add("layout_tar_stream", bytes([seed]) + tar_of(files))
    for data in documents[:40]:
        add("layout", SEPARATOR.join([layout_marker, data]))

    # Layout tars the readers refuse (tests/vectors/layout-tar), read in pieces.
    with open(os.path.join(vectors, "layout-tar", "cases.json")) as f:
        for case in json.load(f)["refused"]:
            add("layout_tar_stream", bytes([len(case["name"])]) + base64.b64decode(case["tar"]))

    # Directory layers: each hostile archive as a tar (flags 0: gzip'd by the target) and as
    # the gzip it is (flags 1).
    import gzip as _gzip
    for path in sorted(glob.glob(os.path.join(vectors, "archive", "hostile", "*.tar.gz"))):
        with open(path, "rb") as f:
            layer = f.read()
        add("archive", bytes([1]) + layer)
        try:
            add("archive", bytes([0]) + _gzip.decompress(layer)[: 1 << 16])
        except (OSError, EOFError):
            pass

    # Walks: an index over a packed manifest, and a referrer of that manifest.
    for manifest, _ in packed:
        described = {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + hashlib.sha256(manifest).hexdigest(),
            "size": len(manifest),
        }
        index = compact({"schemaVersion": 2,
                         "mediaType": "application/vnd.oci.image.index.v1+json",
                         "manifests": [described]})
        referrer = compact({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": "application/vnd.example.sig.v1",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json",
                       "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(), "size": 2},
            "layers": [],
            "subject": described,
        })
        for flags in (0, 1, 3, 5, 9, 33):
            add("walk", bytes([flags]) + SEPARATOR.join([index, manifest, referrer]))
            add("walk", bytes([flags]) + SEPARATOR.join([manifest, referrer]))

    for target, found in seeds.items():
        directory = os.path.join(out, target)
        os.makedirs(directory, exist_ok=True)
        for data in found:
            name = hashlib.sha1(data).hexdigest()
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)
    for target in sorted(seeds):
        print(f"{target}: {len(seeds[target])} seeds")


if __name__ == "__main__":
    main()
