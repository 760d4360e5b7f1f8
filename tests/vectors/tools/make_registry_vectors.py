"""Regenerates tests/vectors/registry/*.json: request/response transcripts of registry
operations, replayed through the sans-IO engine by the Rust, Python and JS suites.

Each transcript is a session (registry, plain HTTP or not, credentials) and a list of
operations run in turn on that session (so token caching shows); each operation lists the
exchanges the engine must ask for — the request it must send (method, URL, and the headers
given: a value must match, null must be absent) and the response to feed back — or the waits
it must ask for, and its result or error code. The exchanges follow what CNCF distribution
2.8.2 and the Docker token protocol answer.

Run: python3 tests/vectors/tools/make_registry_vectors.py [NAME ...] — writes the named
transcripts and those not there yet (see the end of this file: the JSON files are the source).
"""

import base64
import hashlib
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "registry"
R = "127.0.0.1:5000"
BASE = f"http://{R}"
ACCEPT = ("application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
          "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST = ('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.example.docs.config.v1+json",'
            '"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},'
            '"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}]}')
MD = "sha256:" + hashlib.sha256(MANIFEST.encode()).hexdigest()
BLOB = "sha256:" + hashlib.sha256(b"hello world\n").hexdigest()
OCI = "application/vnd.oci.image.manifest.v1+json"
BASIC = "Basic " + base64.b64encode(b"alice:s3cret").decode()
REALM = f"http://{R.split(':')[0]}:5001/token"
CHALLENGE = f'Bearer realm="{REALM}",service="registry.test",scope="repository:docs:pull"'
TOKEN_URL = f"{REALM}?service=registry.test&scope=repository%3Adocs%3Apull"
UNKNOWN = json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown", "detail": {"Tag": "v9"}}]})


def req(method, url, **headers):
    return {"method": method, "url": url, "headers": {k.replace("_", "-"): v for k, v in headers.items()}}


def res(status, body="", **headers):
    return {"status": status, "headers": {k.replace("_", "-"): v for k, v in headers.items()}, "body": body}


def ex(request, response):
    return {"request": request, "response": response}


def get_manifest(ref, exchanges, result=None, error=None, now=0):
    step = {"operation": {"op": "getManifest", "reference": ref}, "now": now, "exchanges": exchanges}
    step.update({"error": error} if error else {"result": result})
    return step


OK_MANIFEST = {"mediaType": OCI, "digest": MD, "body": MANIFEST}
SERVED = res(200, MANIFEST, Content_Type=OCI, Docker_Content_Digest=MD)

transcripts = {
    "manifest-get-anonymous": {
        "description": "GET a manifest by tag from an open registry: OCI Accept types, no Authorization",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [get_manifest(f"{R}/docs:v1", [ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Accept=ACCEPT, Authorization=None), SERVED)], OK_MANIFEST)],
    },
    "manifest-get-by-digest": {
        "description": "GET by digest: the bytes must hash to the digest asked for",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [get_manifest(f"{R}/docs@{MD}", [ex(req("GET", f"{BASE}/v2/docs/manifests/{MD}"), SERVED)], OK_MANIFEST)],
    },
    "manifest-get-digest-mismatch": {
        "description": "a registry serving other bytes than the digest asked for is caught",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [get_manifest(f"{R}/docs@{BLOB}", [ex(req("GET", f"{BASE}/v2/docs/manifests/{BLOB}"), SERVED)], error="DIGEST_MISMATCH")],
    },
    "manifest-get-wrong-docker-content-digest": {
        "description": "Docker-Content-Digest that disagrees with the bytes is caught",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [get_manifest(f"{R}/docs:v1", [ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(200, MANIFEST, Content_Type=OCI, Docker_Content_Digest=BLOB))], error="DIGEST_MISMATCH")],
    },
    "manifest-get-unknown": {
        "description": "404 with a distribution error body: the registry's code passes through",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [get_manifest(f"{R}/docs:v9", [ex(req("GET", f"{BASE}/v2/docs/manifests/v9"), res(404, UNKNOWN, Content_Type="application/json"))], error="MANIFEST_UNKNOWN")],
    },
    "bearer-anonymous-token-then-cached": {
        "description": "401 with a Bearer challenge: anonymous token request with service and scope, retry with the token; the second operation reuses the cached token",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [
            get_manifest(f"{R}/docs:v1", [
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization=None), res(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', WWW_Authenticate=CHALLENGE)),
                ex(req("GET", TOKEN_URL, Authorization=None), res(200, '{"token":"t1","expires_in":300}')),
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization="Bearer t1"), SERVED),
            ], OK_MANIFEST),
            get_manifest(f"{R}/docs:v1", [ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization="Bearer t1"), SERVED)], OK_MANIFEST, now=100_000),
        ],
    },
    "bearer-token-expires": {
        "description": "a cached token is not used within 10 s of its expiry: the engine asks for a new one",
        "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
        "steps": [
            get_manifest(f"{R}/docs:v1", [
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization=None), res(401, "", WWW_Authenticate=CHALLENGE)),
                ex(req("GET", TOKEN_URL, Authorization=BASIC), res(200, '{"access_token":"t1","expires_in":60}')),
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization="Bearer t1"), SERVED),
            ], OK_MANIFEST),
            get_manifest(f"{R}/docs:v1", [
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization=None), res(401, "", WWW_Authenticate=CHALLENGE)),
                ex(req("GET", TOKEN_URL, Authorization=BASIC), res(200, '{"token":"t2"}')),
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization="Bearer t2"), SERVED),
            ], OK_MANIFEST, now=55_000),
        ],
    },
    "bearer-token-denied": {
        "description": "the token server refuses the credentials: its error passes through",
        "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "wrong"}},
        "steps": [get_manifest(f"{R}/docs:v1", [
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(401, "", WWW_Authenticate=CHALLENGE)),
            ex(req("GET", TOKEN_URL, Authorization="Basic " + base64.b64encode(b"alice:wrong").decode()), res(401, '{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')),
        ], error="UNAUTHORIZED")],
    },
    "bearer-insecure-realm-refused": {
        "description": "credentials are never sent to a plain-HTTP token realm on another host (AUTH_REALM_REFUSED)",
        "session": {"registry": "registry.example", "plainHttp": False, "credentials": {"username": "alice", "password": "s3cret"}},
        "steps": [get_manifest("registry.example/docs:v1", [
            ex(req("GET", "https://registry.example/v2/docs/manifests/v1"), res(401, "", WWW_Authenticate='Bearer realm="http://auth.example/token",service="registry.example"')),
        ], error="AUTH_REALM_REFUSED")],
    },
    "basic-auth": {
        "description": "htpasswd Basic auth: the first 401 sets Basic, which later requests carry up front",
        "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
        "steps": [
            get_manifest(f"{R}/docs:v1", [
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization=None), res(401, "", WWW_Authenticate='Basic realm="Registry Realm"')),
                ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization=BASIC), SERVED),
            ], OK_MANIFEST),
            get_manifest(f"{R}/docs:v1", [ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization=BASIC), SERVED)], OK_MANIFEST),
        ],
    },
    "basic-auth-rejected": {
        "description": "wrong Basic credentials: one retry with them, then UNAUTHORIZED",
        "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
        "steps": [get_manifest(f"{R}/docs:v1", [
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(401, "", WWW_Authenticate='Basic realm="Registry Realm"')),
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Authorization=BASIC), res(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', WWW_Authenticate='Basic realm="Registry Realm"')),
        ], error="UNAUTHORIZED")],
    },
    "retry-429-with-retry-after-then-503": {
        "description": "429 waits Retry-After (2 s, longer than the backoff); 503 waits the doubled backoff; then success",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [get_manifest(f"{R}/docs:v1", [
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(429, '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}', Retry_After="2")),
            {"wait": 2000},
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(503, "busy")),
            {"wait": 500},
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), SERVED),
        ], OK_MANIFEST)],
    },
    "retry-gives-up": {
        "description": "after four retries the 503 is the answer",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [get_manifest(f"{R}/docs:v1", [
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(503, "")), {"wait": 250},
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(503, "")), {"wait": 500},
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(503, "")), {"wait": 1000},
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(503, "")), {"wait": 2000},
            ex(req("GET", f"{BASE}/v2/docs/manifests/v1"), res(503, "")),
        ], error="REGISTRY_ERROR")],
    },
    "put-manifest": {
        "description": "PUT the exact bytes with their Content-Type under a tag",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "putManifest", "reference": f"{R}/docs:v1", "mediaType": OCI, "body": MANIFEST}, "now": 0,
                   "exchanges": [ex({**req("PUT", f"{BASE}/v2/docs/manifests/v1", Content_Type=OCI), "body": MANIFEST}, res(201, "", Location=f"/v2/docs/manifests/{MD}", Docker_Content_Digest=MD))],
                   "result": {"digest": MD}}],
    },
    "push-blob-exists": {
        "description": "a blob the repository has is not uploaded again",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
                   "exchanges": [ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(200, "", Content_Length="12", Docker_Content_Digest=BLOB))],
                   "result": {"uploaded": False}}],
    },
    "push-blob-monolithic": {
        "description": "HEAD 404, POST for an upload session (relative Location), PUT the content with ?digest=",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
                   "exchanges": [
                       ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
                       ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/", Content_Length="0"), res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=abc", Range="0-0", Docker_Upload_UUID="u-1")),
                       ex({**req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=abc&digest={BLOB.replace(':', '%3A')}", Content_Type="application/octet-stream", Content_Length="12"), "bodyBlob": {"offset": 0, "length": 12}},
                          res(201, "", Location=f"/v2/docs/blobs/{BLOB}", Docker_Content_Digest=BLOB)),
                   ],
                   "result": {"uploaded": True}}],
    },
    "get-blob-redirect-drops-credentials": {
        "description": "a blob GET redirected to storage on another origin does not carry Authorization there",
        "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
        "steps": [{"operation": {"op": "getBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
                   "exchanges": [
                       ex(req("GET", f"{BASE}/v2/docs/blobs/{BLOB}", Authorization=None), res(401, "", WWW_Authenticate='Basic realm="r"')),
                       ex(req("GET", f"{BASE}/v2/docs/blobs/{BLOB}", Authorization=BASIC), res(307, "", Location="http://storage.example:9000/bucket/blob?sig=x")),
                       ex(req("GET", "http://storage.example:9000/bucket/blob?sig=x", Authorization=None), {"status": 200, "headers": {}, "streamed": {"digest": BLOB, "size": 12}}),
                   ],
                   "result": {}}],
    },
    "get-blob-corrupt": {
        "description": "a blob whose streamed content does not hash to its digest is caught",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "getBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
                   "exchanges": [ex(req("GET", f"{BASE}/v2/docs/blobs/{BLOB}"), {"status": 200, "headers": {}, "streamed": {"digest": MD, "size": 12}})],
                   "error": "DIGEST_MISMATCH"}],
    },
    "list-tags-paginated": {
        "description": "tags over two pages, following the Link header",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "listTags", "reference": f"{R}/docs", "pageSize": 2}, "now": 0,
                   "exchanges": [
                       ex(req("GET", f"{BASE}/v2/docs/tags/list?n=2"), res(200, '{"name":"docs","tags":["a","b"]}', Link='</v2/docs/tags/list?last=b&n=2>; rel="next"')),
                       ex(req("GET", f"{BASE}/v2/docs/tags/list?last=b&n=2"), res(200, '{"name":"docs","tags":["c"]}')),
                   ],
                   "result": {"tags": ["a", "b", "c"]}}],
    },
    "list-tags-foreign-link-refused": {
        "description": "a next-page link to another origin is refused",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "listTags", "reference": f"{R}/docs"}, "now": 0,
                   "exchanges": [ex(req("GET", f"{BASE}/v2/docs/tags/list"), res(200, '{"name":"docs","tags":["a"]}', Link='<http://evil.example/v2/docs/tags/list?last=a>; rel="next"'))],
                   "error": "PROTOCOL_ERROR"}],
    },
    "list-tags-null": {
        "description": "a repository without tags may answer tags: null",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "listTags", "reference": f"{R}/docs"}, "now": 0,
                   "exchanges": [ex(req("GET", f"{BASE}/v2/docs/tags/list"), res(200, '{"name":"docs","tags":null}'))],
                   "result": {"tags": []}}],
    },
}

SUBJECT = MD
SIG = "sha256:" + hashlib.sha256(b"signature manifest").hexdigest()
SBOM = "sha256:" + hashlib.sha256(b"sbom manifest").hexdigest()
def referrers_index(*entries):
    return json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": OCI, "digest": d, "size": 100, "artifactType": t} for d, t in entries]}, separators=(",", ":"))
TAG = "sha256-" + SUBJECT.split(":")[1]
BIG = "sha256:" + hashlib.sha256(b"x" * 10).hexdigest()
PUT_DIGEST = "digest=" + BIG.replace(":", "%3A")

transcripts.update({
    "push-blob-chunked": {
        "description": "chunks of 4 bytes raised to OCI-Chunk-Min-Length 5: PATCH with Content-Range to the newest Location each time, then PUT with the digest",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 4}, "now": 0,
                   "exchanges": [
                       ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                       ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s0", Range="0-0", OCI_Chunk_Min_Length="5")),
                       ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s0", Content_Range="0-4", Content_Length="5"), "bodyBlob": {"offset": 0, "length": 5}},
                          res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s1", Range="0-4")),
                       ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s1", Content_Range="5-9", Content_Length="5"), "bodyBlob": {"offset": 5, "length": 5}},
                          res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s2", Range="0-9")),
                       ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s2&{PUT_DIGEST}", Content_Length="0"), res(201, "", Docker_Content_Digest=BIG)),
                   ],
                   "result": {"uploaded": True}}],
    },
    "push-blob-chunk-recovers": {
        "description": "a chunk answered 500 is resumed from the offset the registry reports (GET on the upload URL)",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 5}, "now": 0,
                   "exchanges": [
                       ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                       ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s0")),
                       ex(req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s0", Content_Range="0-4"), res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s1", Range="0-4")),
                       ex(req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s1", Content_Range="5-9"), res(500, "")),
                       ex(req("GET", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s1"), res(204, "", Location="/v2/docs/blobs/uploads/u-1?_state=s1b", Range="0-6")),
                       ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s1b", Content_Range="7-9", Content_Length="3"), "bodyBlob": {"offset": 7, "length": 3}},
                          res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s2", Range="0-9")),
                       ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s2&{PUT_DIGEST}"), res(201, "", Docker_Content_Digest=BIG)),
                   ],
                   "result": {"uploaded": True}}],
    },
    "push-blob-resume": {
        "description": "an upload interrupted earlier resumes from its saved URL and the registry's Range",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "resumeBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 8,
                                 "uploadUrl": f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"}, "now": 0,
                   "exchanges": [
                       ex(req("GET", f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"), res(204, "", Location="/v2/docs/blobs/uploads/u-9?_state=new", Range="0-3", Docker_Upload_UUID="u-9")),
                       ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-9?_state=new", Content_Range="4-9", Content_Length="6"), "bodyBlob": {"offset": 4, "length": 6}},
                          res(202, "", Location="/v2/docs/blobs/uploads/u-9?_state=done", Range="0-9")),
                       ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-9?_state=done&{PUT_DIGEST}"), res(201, "", Docker_Content_Digest=BIG)),
                   ],
                   "result": {"uploaded": True}}],
    },
    "push-blob-mount": {
        "description": "a cross-repository mount that the registry performs (201): nothing is uploaded",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/copy", "digest": BLOB, "size": 12, "mountFrom": "docs"}, "now": 0,
                   "exchanges": [
                       ex(req("HEAD", f"{BASE}/v2/copy/blobs/{BLOB}"), res(404, "")),
                       ex(req("POST", f"{BASE}/v2/copy/blobs/uploads/?mount={BLOB.replace(':', '%3A')}&from=docs"), res(201, "", Location=f"/v2/copy/blobs/{BLOB}", Docker_Content_Digest=BLOB)),
                   ],
                   "result": {"uploaded": True}}],
    },
    "push-blob-mount-refused": {
        "description": "a mount the registry declines (202) falls back to an upload in the session it opened",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/copy", "digest": BLOB, "size": 12, "mountFrom": "elsewhere"}, "now": 0,
                   "exchanges": [
                       ex(req("HEAD", f"{BASE}/v2/copy/blobs/{BLOB}"), res(404, "")),
                       ex(req("POST", f"{BASE}/v2/copy/blobs/uploads/?mount={BLOB.replace(':', '%3A')}&from=elsewhere"), res(202, "", Location="/v2/copy/blobs/uploads/u-2")),
                       ex({**req("PUT", f"{BASE}/v2/copy/blobs/uploads/u-2?digest={BLOB.replace(':', '%3A')}"), "bodyBlob": {"offset": 0, "length": 12}}, res(201, "", Docker_Content_Digest=BLOB)),
                   ],
                   "result": {"uploaded": True}}],
    },
    "resolve-head": {
        "description": "HEAD with the OCI Accept types gives media type, digest and size",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "resolveManifest", "reference": f"{R}/docs:v1"}, "now": 0,
                   "exchanges": [ex(req("HEAD", f"{BASE}/v2/docs/manifests/v1", Accept=ACCEPT), res(200, "", Content_Type=OCI, Docker_Content_Digest=MD, Content_Length=str(len(MANIFEST))))],
                   "result": {"mediaType": OCI, "digest": MD, "size": len(MANIFEST)}}],
    },
    "resolve-falls-back-to-get": {
        "description": "a HEAD without Docker-Content-Digest is followed by a GET that hashes the bytes",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "resolveManifest", "reference": f"{R}/docs:v1"}, "now": 0,
                   "exchanges": [
                       ex(req("HEAD", f"{BASE}/v2/docs/manifests/v1"), res(200, "", Content_Type=OCI, Content_Length=str(len(MANIFEST)))),
                       ex(req("GET", f"{BASE}/v2/docs/manifests/v1", Accept=ACCEPT), res(200, MANIFEST, Content_Type=OCI)),
                   ],
                   "result": {"mediaType": OCI, "digest": MD, "size": len(MANIFEST)}}],
    },
    "delete-manifest": {
        "description": "DELETE by digest: 202",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "deleteManifest", "reference": f"{R}/docs", "digest": MD, "size": 0}, "now": 0,
                   "exchanges": [ex(req("DELETE", f"{BASE}/v2/docs/manifests/{MD}"), res(202, ""))],
                   "result": {}}],
    },
    "delete-unsupported": {
        "description": "a registry with deletes disabled answers 405 UNSUPPORTED",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "deleteManifest", "reference": f"{R}/docs", "digest": MD, "size": 0}, "now": 0,
                   "exchanges": [ex(req("DELETE", f"{BASE}/v2/docs/manifests/{MD}"), res(405, '{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}'))],
                   "error": "UNSUPPORTED"}],
    },
    "referrers-api-filtered-by-registry": {
        "description": "the referrers API with an artifactType filter the registry applied (OCI-Filters-Applied)",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT, "artifactType": "application/vnd.example.sig"}, "now": 0,
                   "exchanges": [ex(req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}?artifactType=application%2Fvnd.example.sig", Accept="application/vnd.oci.image.index.v1+json"),
                                    res(200, referrers_index((SIG, "application/vnd.example.sig")), Content_Type="application/vnd.oci.image.index.v1+json", OCI_Filters_Applied="artifactType"))],
                   "result": {"referrers": [SIG]}}],
    },
    "referrers-api-filtered-here": {
        "description": "a registry that ignored the filter: ocikit filters by artifactType itself",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT, "artifactType": "application/vnd.example.sig"}, "now": 0,
                   "exchanges": [ex(req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}?artifactType=application%2Fvnd.example.sig"),
                                    res(200, referrers_index((SIG, "application/vnd.example.sig"), (SBOM, "application/spdx+json")), Content_Type="application/vnd.oci.image.index.v1+json"))],
                   "result": {"referrers": [SIG]}}],
    },
    "referrers-tag-schema-fallback": {
        "description": "no referrers API (404): the sha256-<hex> tag's index lists the referrers",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT}, "now": 0,
                   "exchanges": [
                       ex(req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}"), res(404, '{"errors":[{"code":"NAME_UNKNOWN"}]}')),
                       ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}", Accept="application/vnd.oci.image.index.v1+json"),
                          res(200, referrers_index((SIG, "application/vnd.example.sig"), (SBOM, "application/spdx+json")), Content_Type="application/vnd.oci.image.index.v1+json")),
                   ],
                   "result": {"referrers": [SIG, SBOM]}}],
    },
    "referrers-none": {
        "description": "no referrers API and no referrers tag: no referrers",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT}, "now": 0,
                   "exchanges": [
                       ex(req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}"), res(404, "")),
                       ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), res(404, '{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')),
                   ],
                   "result": {"referrers": []}}],
    },
    "referrers-tag-update-lost-race": {
        "description": "adding a referrer to the tag schema: GET with ETag, PUT with If-Match; a 412 (another client won) starts over",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "addReferrer", "reference": f"{R}/docs", "subject": SUBJECT, "digest": SBOM, "size": 100, "artifactType": "application/spdx+json"}, "now": 0,
                   "exchanges": [
                       ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), res(404, "")),
                       ex({**req("PUT", f"{BASE}/v2/docs/manifests/{TAG}", Content_Type="application/vnd.oci.image.index.v1+json", If_Match=None),
                           "body": referrers_index((SBOM, "application/spdx+json"))}, res(412, "")),
                       ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), res(200, referrers_index((SIG, "application/vnd.example.sig")), ETag='"e1"')),
                       ex({**req("PUT", f"{BASE}/v2/docs/manifests/{TAG}", If_Match='"e1"'),
                           "body": referrers_index((SIG, "application/vnd.example.sig"), (SBOM, "application/spdx+json"))}, res(201, "")),
                   ],
                   "result": {"index": "sha256:" + hashlib.sha256(referrers_index((SIG, "application/vnd.example.sig"), (SBOM, "application/spdx+json")).encode()).hexdigest()}}],
    },
    "referrers-tag-already-listed": {
        "description": "a referrer the tag already lists is not written again",
        "session": {"registry": R, "plainHttp": True, "credentials": None},
        "steps": [{"operation": {"op": "addReferrer", "reference": f"{R}/docs", "subject": SUBJECT, "digest": SIG, "size": 100, "artifactType": "application/vnd.example.sig"}, "now": 0,
                   "exchanges": [ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), res(200, referrers_index((SIG, "application/vnd.example.sig")), ETag='"e1"'))],
                   "result": {"index": None}}],
    },
})

COPY_CHALLENGE = f'Bearer realm="{REALM}",service="registry.test",scope="repository:copy:pull,push"'
transcripts["push-blob-mount-bearer-scopes"] = {
    "description": "with Bearer auth, a mount asks for one token covering push on the target and pull on the source repository",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/copy", "digest": BLOB, "size": 12, "mountFrom": "docs"}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/copy/blobs/{BLOB}"), res(401, "", WWW_Authenticate=COPY_CHALLENGE)),
                   ex(req("GET", f"{REALM}?service=registry.test&scope=repository%3Acopy%3Apull%2Cpush"), res(200, '{"token":"push-copy"}')),
                   ex(req("HEAD", f"{BASE}/v2/copy/blobs/{BLOB}", Authorization="Bearer push-copy"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/copy/blobs/uploads/?mount={BLOB.replace(':', '%3A')}&from=docs", Authorization=None), res(401, "", WWW_Authenticate=COPY_CHALLENGE)),
                   ex(req("GET", f"{REALM}?service=registry.test&scope=repository%3Acopy%3Apull%2Cpush&scope=repository%3Adocs%3Apull"), res(200, '{"token":"mount"}')),
                   ex(req("POST", f"{BASE}/v2/copy/blobs/uploads/?mount={BLOB.replace(':', '%3A')}&from=docs", Authorization="Bearer mount"), res(201, "", Docker_Content_Digest=BLOB)),
               ],
               "result": {"uploaded": True}}],
}

transcripts["get-blob-resumed"] = {
    "description": "a download resumed at byte 5 with Range; 206 with the matching Content-Range",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "getBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12, "have": 5}, "now": 0,
               "exchanges": [ex(req("GET", f"{BASE}/v2/docs/blobs/{BLOB}", Range="bytes=5-"),
                                {"status": 206, "headers": {"Content-Range": "bytes 5-11/12"}, "streamed": {"digest": BLOB, "size": 12}})],
               "result": {}}],
}
transcripts["get-blob-resume-bad-range"] = {
    "description": "a 206 for other bytes than asked for is refused",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "getBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12, "have": 5}, "now": 0,
               "exchanges": [ex(req("GET", f"{BASE}/v2/docs/blobs/{BLOB}", Range="bytes=5-"),
                                {"status": 206, "headers": {"Content-Range": "bytes 0-11/12"}, "streamed": {"digest": BLOB, "size": 12}})],
               "error": "PROTOCOL_ERROR"}],
}

transcripts["push-blob-resume-after-commit"] = {
    "description": "resuming an upload whose closing PUT had gone through: the session is unknown (404), the blob is there",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "resumeBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 8,
                             "uploadUrl": f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"}, "now": 0,
               "exchanges": [
                   ex(req("GET", f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"), res(404, '{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown to registry"}]}')),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(200, "", Content_Length="10", Docker_Content_Digest=BIG)),
               ],
               "result": {"uploaded": True}}],
}
LOST = '{"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"blob upload unknown to registry"}]}'
transcripts["push-blob-resume-lost"] = {
    "description": "resuming an upload the registry forgot, whose blob is not there: the upload starts over in a new session",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "resumeBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 8,
                             "uploadUrl": f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"}, "now": 0,
               "exchanges": [
                   ex(req("GET", f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"), res(404, LOST)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-10?_state=a")),
                   ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-10?_state=a", Content_Range="0-7"), "bodyBlob": {"offset": 0, "length": 8}},
                      res(202, "", Location="/v2/docs/blobs/uploads/u-10?_state=b", Range="0-7")),
                   ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-10?_state=b", Content_Range="8-9"), "bodyBlob": {"offset": 8, "length": 2}},
                      res(202, "", Location="/v2/docs/blobs/uploads/u-10?_state=c", Range="0-9")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-10?_state=c&{PUT_DIGEST}"), res(201, "", Docker_Content_Digest=BIG)),
               ],
               "result": {"uploaded": True}}],
}
transcripts["push-blob-chunk-session-lost-twice"] = {
    "description": "a chunk whose session the registry dropped (distribution cancels a session cut mid-chunk) starts over once; lost again, the error stands",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 5}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1")),
                   ex(req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1", Content_Range="0-4"), res(404, LOST)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-2")),
                   ex(req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-2", Content_Range="0-4"), res(404, LOST)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
               ],
               "error": "BLOB_UPLOAD_UNKNOWN"}],
}
transcripts["push-blob-start-retried"] = {
    "description": "a refused upload start (503) created nothing, so the POST is retried after the backoff",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(503, "")),
                   {"wait": 250},
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-3")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-3?digest={BLOB.replace(':', '%3A')}"), res(201, "", Docker_Content_Digest=BLOB)),
               ],
               "result": {"uploaded": True}}],
}

INVALID = '{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"blob upload invalid"}]}'
transcripts["push-blob-chunk-upload-invalid"] = {
    "description": "a chunk answered 400 BLOB_UPLOAD_INVALID (distribution after a restart, its upload state no longer matching): the session is lost, the blob is not there, the upload starts over",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 5}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s0")),
                   ex(req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s0", Content_Range="0-4"), res(400, INVALID)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-2?_state=a")),
                   ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-2?_state=a", Content_Range="0-4"), "bodyBlob": {"offset": 0, "length": 5}},
                      res(202, "", Location="/v2/docs/blobs/uploads/u-2?_state=b", Range="0-4")),
                   ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-2?_state=b", Content_Range="5-9"), "bodyBlob": {"offset": 5, "length": 5}},
                      res(202, "", Location="/v2/docs/blobs/uploads/u-2?_state=c", Range="0-9")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-2?_state=c&{PUT_DIGEST}"), res(201, "", Docker_Content_Digest=BIG)),
               ],
               "result": {"uploaded": True}}],
}
transcripts["push-blob-status-upload-unknown"] = {
    "description": "resuming an upload whose status GET is answered 400 BLOB_UPLOAD_UNKNOWN: the session is lost, the blob is not there, the upload starts over",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "resumeBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 10,
                             "uploadUrl": f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"}, "now": 0,
               "exchanges": [
                   ex(req("GET", f"{BASE}/v2/docs/blobs/uploads/u-9?_state=old"), res(400, LOST)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-10?_state=a")),
                   ex({**req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-10?_state=a", Content_Range="0-9"), "bodyBlob": {"offset": 0, "length": 10}},
                      res(202, "", Location="/v2/docs/blobs/uploads/u-10?_state=b", Range="0-9")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-10?_state=b&{PUT_DIGEST}"), res(201, "", Docker_Content_Digest=BIG)),
               ],
               "result": {"uploaded": True}}],
}
transcripts["push-blob-close-lost-blob-present"] = {
    "description": "the closing PUT is answered 404 BLOB_UPLOAD_UNKNOWN, but the blob is there (an earlier PUT went through): done",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BIG, "size": 10, "chunkSize": 10}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s0")),
                   ex(req("PATCH", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s0", Content_Range="0-9"), res(202, "", Location="/v2/docs/blobs/uploads/u-1?_state=s1", Range="0-9")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-1?_state=s1&{PUT_DIGEST}"), res(404, LOST)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BIG}"), res(200, "", Content_Length="10", Docker_Content_Digest=BIG)),
               ],
               "result": {"uploaded": True}}],
}
transcripts["push-blob-close-lost-restarts"] = {
    "description": "a monolithic PUT answered 404 BLOB_UPLOAD_UNKNOWN, the blob not there: the upload starts over in a new session",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1")),
                   ex({**req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-1?digest={BLOB.replace(':', '%3A')}", Content_Length="12"), "bodyBlob": {"offset": 0, "length": 12}}, res(404, LOST)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-2")),
                   ex({**req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-2?digest={BLOB.replace(':', '%3A')}", Content_Length="12"), "bodyBlob": {"offset": 0, "length": 12}},
                      res(201, "", Docker_Content_Digest=BLOB)),
               ],
               "result": {"uploaded": True}}],
}
transcripts["push-blob-close-invalid-twice"] = {
    "description": "a closing PUT answered 400 BLOB_UPLOAD_INVALID starts over once; lost again, the error stands with its code",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-1?digest={BLOB.replace(':', '%3A')}"), res(400, INVALID)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-2")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-2?digest={BLOB.replace(':', '%3A')}"), res(400, INVALID)),
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
               ],
               "error": "BLOB_UPLOAD_INVALID"}],
}
transcripts["push-blob-close-digest-invalid"] = {
    "description": "a closing PUT answered 400 DIGEST_INVALID (the content does not hash to the digest) is an error, not a lost session: no restart",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "pushBlob", "reference": f"{R}/docs", "digest": BLOB, "size": 12}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/blobs/{BLOB}"), res(404, "")),
                   ex(req("POST", f"{BASE}/v2/docs/blobs/uploads/"), res(202, "", Location="/v2/docs/blobs/uploads/u-1")),
                   ex(req("PUT", f"{BASE}/v2/docs/blobs/uploads/u-1?digest={BLOB.replace(':', '%3A')}"),
                      res(400, '{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"}]}')),
               ],
               "error": "DIGEST_INVALID"}],
}

transcripts["check-auth-open"] = {
    "description": "an open registry answers GET /v2/ with 200: nothing to check",
    "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
    "steps": [{"operation": {"op": "checkAuth"}, "now": 0,
               "exchanges": [ex(req("GET", f"{BASE}/v2/", Authorization=None), res(200, "{}"))],
               "result": {}}],
}
transcripts["check-auth-basic"] = {
    "description": "docker login against htpasswd: the Basic challenge is answered with the credentials",
    "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
    "steps": [{"operation": {"op": "checkAuth"}, "now": 0,
               "exchanges": [
                   ex(req("GET", f"{BASE}/v2/", Authorization=None), res(401, "", WWW_Authenticate='Basic realm="Registry Realm"')),
                   ex(req("GET", f"{BASE}/v2/", Authorization=BASIC), res(200, "{}")),
               ],
               "result": {}}],
}
transcripts["check-auth-bearer-without-scope"] = {
    "description": "docker login against a token server: a token request without scope checks the credentials",
    "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
    "steps": [{"operation": {"op": "checkAuth"}, "now": 0,
               "exchanges": [
                   ex(req("GET", f"{BASE}/v2/"), res(401, "", WWW_Authenticate=f'Bearer realm="{REALM}",service="registry.test"')),
                   ex(req("GET", f"{REALM}?service=registry.test", Authorization=BASIC), res(200, '{"token":"t0"}')),
                   ex(req("GET", f"{BASE}/v2/", Authorization="Bearer t0"), res(200, "{}")),
               ],
               "result": {}}],
}
transcripts["check-auth-rejected"] = {
    "description": "wrong credentials: UNAUTHORIZED",
    "session": {"registry": R, "plainHttp": True, "credentials": {"username": "alice", "password": "s3cret"}},
    "steps": [{"operation": {"op": "checkAuth"}, "now": 0,
               "exchanges": [
                   ex(req("GET", f"{BASE}/v2/"), res(401, "", WWW_Authenticate='Basic realm="Registry Realm"')),
                   ex(req("GET", f"{BASE}/v2/", Authorization=BASIC), res(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', WWW_Authenticate='Basic realm="Registry Realm"')),
               ],
               "error": "UNAUTHORIZED"}],
}
transcripts["resolve-unknown-asks-get"] = {
    "description": "a HEAD 404 has no error body: a GET gets the registry's code (MANIFEST_UNKNOWN)",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [{"operation": {"op": "resolveManifest", "reference": f"{R}/docs:v9"}, "now": 0,
               "exchanges": [
                   ex(req("HEAD", f"{BASE}/v2/docs/manifests/v9"), res(404, "")),
                   ex(req("GET", f"{BASE}/v2/docs/manifests/v9"), res(404, UNKNOWN, Content_Type="application/json")),
               ],
               "error": "MANIFEST_UNKNOWN"}],
}

transcripts["referrers-fallback-remembered"] = {
    "description": "once the referrers API answered 404, later referrer lists on the session go straight to the tag schema",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [
        {"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT}, "now": 0,
         "exchanges": [
             ex(req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}"), res(404, "")),
             ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), res(404, "")),
         ],
         "result": {"referrers": []}},
        {"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT, "artifactType": "application/vnd.example.sig"}, "now": 0,
         "exchanges": [
             ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"),
                res(200, referrers_index((SIG, "application/vnd.example.sig"), (SBOM, "application/spdx+json")), Content_Type="application/vnd.oci.image.index.v1+json")),
         ],
         "result": {"referrers": [SIG]}},
    ],
}

transcripts["referrers-probe-blocked-falls-back"] = {
    "description": "a browser's fetch reports the first referrers listing of a session as blocked (kind blocked: "
                   "the 404 of a registry without the referrers API lacks CORS headers): the engine takes it for that 404 "
                   "and reads the referrers tag; a later blocked failure is a network failure, retried",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [
        {"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT}, "now": 0,
         "exchanges": [
             {"request": req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}"), "failure": {"kind": "blocked", "message": "TypeError: Failed to fetch"}},
             ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), res(404, "")),
         ],
         "result": {"referrers": []}},
        {"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT}, "now": 0,
         "exchanges": [
             {"request": req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), "failure": {"kind": "blocked", "message": "TypeError: Failed to fetch"}},
             {"wait": 250},
             ex(req("GET", f"{BASE}/v2/docs/manifests/{TAG}"), res(404, "")),
         ],
         "result": {"referrers": []}},
    ],
}

transcripts["referrers-probe-network-failure-retried"] = {
    "description": "a network failure of the first referrers listing (a reset connection) is retried like any other: "
                   "it says nothing about the referrers API, and no referrers tag is read",
    "session": {"registry": R, "plainHttp": True, "credentials": None},
    "steps": [
        {"operation": {"op": "listReferrers", "reference": f"{R}/docs", "subject": SUBJECT}, "now": 0,
         "exchanges": [
             {"request": req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}"), "failure": {"kind": "network", "message": "read ECONNRESET"}},
             {"wait": 250},
             ex(req("GET", f"{BASE}/v2/docs/referrers/{SUBJECT}"),
                res(200, referrers_index((SIG, "application/vnd.example.sig")), Content_Type="application/vnd.oci.image.index.v1+json")),
         ],
         "result": {"referrers": [SIG]}},
    ],
}

# Security and limits (issue 9) --------------------------------------------------------------
# Token realms, foreign challenges and Locations, request limits, deadlines, Retry-After cap,
# transport failures fed as inputs, oversized streams, listing limits and pages. Exchanges may
# carry "now" (the time of the step that asks for them) and a step "nowEnd" (its last step);
# a request may list "timeoutMs", "deadlineMs" and "responseBody"; an exchange may be a
# "failure" ({kind, message}) instead of a response, or a "page" a paged listing is done with
# (with its "next": the `last` that asks for the page after it).

import hashlib as _hashlib  # noqa: E402


def add(name, desc, session, steps):
    transcripts[name] = {"description": desc, "session": session, "steps": steps}


def _req(method, url, headers=None, **kw):
    r = {"method": method, "url": url, "headers": headers or {}}
    r.update(kw)
    return r


def _resp(status, headers=None, body="", **kw):
    r = {"status": status, "headers": headers or {}, "body": body}
    r.update(kw)
    if "streamed" in kw:
        r.pop("body")
    return r


BLOB="sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
https={"registry":"registry.example","plainHttp":False,"credentials":{"username":"alice","password":"s3cret"}}
man_url="https://registry.example/v2/docs/manifests/v1"
def realm_refused(name, desc, realm, session=https, error="AUTH_REALM_REFUSED"):
    add(name, desc, session, [{
        "operation":{"op":"getManifest","reference":"registry.example/docs:v1"},"now":0,
        "exchanges":[{"request":_req("GET",man_url,{"Authorization":None}),
                      "response":_resp(401,{"WWW-Authenticate":f'Bearer realm="{realm}",service="registry.example"'})}],
        "error":error}])
realm_refused("bearer-realm-http-same-host-refused",
 "an HTTPS registry naming a plain-HTTP realm on its own host (another port) gets no credentials sent in clear",
 "http://registry.example:8080/token")
realm_refused("bearer-realm-metadata-ip-refused",
 "a realm on a link-local IP literal (a cloud metadata service) that is not the registry's host is refused",
 "https://169.254.169.254/latest/token")
realm_refused("bearer-realm-loopback-refresh-token-refused",
 "a refresh token is a credential too: never sent to a loopback realm (here 127.1, as inet_aton reads it) that is not the registry",
 "https://127.1:9999/token",
 {"registry":"registry.example","plainHttp":False,"credentials":{"refreshToken":"r3fresh"}})
realm_refused("bearer-realm-mapped-private-ip-refused",
 "an IPv4-mapped IPv6 literal of a private address is refused like the address itself",
 "https://[::ffff:10.0.0.7]/token")
realm_refused("bearer-realm-file-scheme-refused",
 "a realm that is not http(s) (file:, ftp:, gopher:) never becomes a token request",
 "file:///etc/passwd")
realm_refused("bearer-realm-space-refused",
 "a realm with a space is refused by the engine before any host could fail to send it",
 "https://auth.example/to ken")
# http registry same host other port: allowed (loopback test registry) -> existing transcripts; plus refused for another host
add("bearer-realm-http-other-host-refused",
 "a plain-HTTP loopback registry may use a plain-HTTP realm on its own host only, not on another",
 {"registry":"127.0.0.1:5000","plainHttp":True,"credentials":{"username":"alice","password":"s3cret"}},
 [{"operation":{"op":"getManifest","reference":"127.0.0.1:5000/docs:v1"},"now":0,
   "exchanges":[{"request":_req("GET","http://127.0.0.1:5000/v2/docs/manifests/v1",{"Authorization":None}),
                 "response":_resp(401,{"WWW-Authenticate":'Bearer realm="http://localhost:5001/token",service="r"'})}],
   "error":"AUTH_REALM_REFUSED"}])
add("bearer-token-with-crlf-invalid",
 "a token with CR/LF would split the Authorization header: refused as AUTH_INVALID, never sent",
 https,
 [{"operation":{"op":"getManifest","reference":"registry.example/docs:v1"},"now":0,
   "exchanges":[{"request":_req("GET",man_url,{"Authorization":None}),
                 "response":_resp(401,{"WWW-Authenticate":'Bearer realm="https://auth.example/token",service="registry.example"'})},
                {"request":_req("GET","https://auth.example/token?service=registry.example&scope=repository%3Adocs%3Apull",{"Authorization":"Basic YWxpY2U6czNjcmV0"}),
                 "response":_resp(200,{"Content-Type":"application/json"},json.dumps({"token":"abc\r\nX-Evil: 1"}))}],
   "error":"AUTH_INVALID"}])
add("access-token-with-space-invalid",
 "an access token given as credentials that a header cannot carry is refused before the first request",
 {"registry":"registry.example","plainHttp":False,"credentials":{"accessToken":"abc def"}},
 [{"operation":{"op":"getManifest","reference":"registry.example/docs:v1"},"now":0,
   "exchanges":[],"error":"AUTH_INVALID"}])
blob_url="http://127.0.0.1:5000/v2/docs/blobs/"+BLOB
loop={"registry":"127.0.0.1:5000","plainHttp":True,"credentials":{"username":"alice","password":"s3cret"}}
add("get-blob-redirect-foreign-challenge-refused",
 "a blob GET redirected to storage on another origin: when storage answers 401 with a Bearer realm of its own, the registry's credentials are not sent (no token request, no Basic): UNAUTHORIZED naming the storage host",
 loop,
 [{"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":0,
   "exchanges":[
     {"request":_req("GET",blob_url,{"Authorization":None}),
      "response":_resp(401,{"WWW-Authenticate":'Basic realm="r"'})},
     {"request":_req("GET",blob_url,{"Authorization":"Basic YWxpY2U6czNjcmV0"}),
      "response":_resp(307,{"Location":"http://127.0.0.1:9000/bucket/blob?sig=x"})},
     {"request":_req("GET","http://127.0.0.1:9000/bucket/blob?sig=x",{"Authorization":None}),
      "response":_resp(401,{"WWW-Authenticate":'Bearer realm="http://127.0.0.1:9000/token",service="storage"'})}],
   "error":"UNAUTHORIZED"}])
add("get-blob-redirect-https-to-http-refused",
 "a redirect from HTTPS to plain HTTP is refused as LOCATION_REFUSED",
 https,
 [{"operation":{"op":"getBlob","reference":"registry.example/docs","digest":BLOB,"size":12},"now":0,
   "exchanges":[
     {"request":_req("GET","https://registry.example/v2/docs/blobs/"+BLOB,{}),
      "response":_resp(302,{"Location":"http://storage.example/bucket/blob"})}],
   "error":"LOCATION_REFUSED"}])
add("get-blob-redirect-location-with-space-refused",
 "a redirect Location with a space or control characters is refused as LOCATION_REFUSED, never handed to the host",
 loop,
 [{"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":0,
   "exchanges":[
     {"request":_req("GET",blob_url,{}),
      "response":_resp(307,{"Location":"http://127.0.0.1:9000/bucket/a b?sig=x"})}],
   "error":"LOCATION_REFUSED"}])
add("push-blob-foreign-upload-location-refused",
 "an upload Location on another origin than the registry is refused (GHSA-jxpm-75mh-9fp7): the blob is never sent there",
 loop,
 [{"operation":{"op":"pushBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":0,
   "exchanges":[
     {"request":_req("HEAD",blob_url,{}),"response":_resp(404)},
     {"request":_req("POST","http://127.0.0.1:5000/v2/docs/blobs/uploads/",{}),
      "response":_resp(202,{"Location":"http://127.0.0.1:5999/steal?x=1"})}],
   "error":"LOCATION_REFUSED"}])
add("push-blob-chunk-foreign-location-refused",
 "a PATCH answer moving the upload to another origin is refused too",
 loop,
 [{"operation":{"op":"pushBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12,"chunkSize":6},"now":0,
   "exchanges":[
     {"request":_req("HEAD",blob_url,{}),"response":_resp(404)},
     {"request":_req("POST","http://127.0.0.1:5000/v2/docs/blobs/uploads/",{}),
      "response":_resp(202,{"Location":"/v2/docs/blobs/uploads/u1"})},
     {"request":_req("PATCH","http://127.0.0.1:5000/v2/docs/blobs/uploads/u1",{"Content-Range":"0-5"},bodyBlob={"offset":0,"length":6}),
      "response":_resp(202,{"Location":"https://attacker.example/u1","Range":"0-5"})}],
   "error":"LOCATION_REFUSED"}])

BLOB="sha256:a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
B10="sha256:fc11d6f28e59d3cc33c0b14ceb644bf0902ebd63d61218dffe9e7dac7c254542"
loop={"registry":"127.0.0.1:5000","plainHttp":True,"credentials":None}
M="http://127.0.0.1:5000/v2/docs/manifests/v1"
BODY='{"schemaVersion":2}'
MD="sha256:"+_hashlib.sha256(BODY.encode()).hexdigest()
ok={"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":MD,"body":BODY}
okresp=_resp(200,{"Content-Type":"application/vnd.oci.image.manifest.v1+json"},BODY)
gm={"op":"getManifest","reference":"127.0.0.1:5000/docs:v1"}
NOW=1_000_000
add("limits-on-every-request",
 "every request carries the stall timeout and its deadline for the host: a captured body the request time limit (60 s by default) within the operation's deadline (1 hour); a streamed blob the operation's deadline and the bytes still expected",
 loop,
 [{"operation":gm,"now":NOW,"exchanges":[
   {"request":_req("GET",M,{},timeoutMs=30000,deadlineMs=NOW+60000,responseBody={"capture":4194304}),"response":okresp}],
   "result":ok},
  {"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12,"have":5},"now":NOW,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/blobs/"+BLOB,{"Range":"bytes=5-"},timeoutMs=30000,deadlineMs=NOW+3600000,responseBody={"stream":7}),
    "response":_resp(206,{"Content-Range":"bytes 5-11/12"},streamed={"digest":BLOB,"size":12})}],
   "result":{}}])
add("limits-custom",
 "limits set on the session: a short deadline caps a captured body's time limit too; no stall timeout is 0",
 dict(loop,limits={"stallTimeoutMs":0,"requestTimeoutMs":60000,"deadlineMs":10000}),
 [{"operation":gm,"now":NOW,"exchanges":[
   {"request":_req("GET",M,{},timeoutMs=0,deadlineMs=NOW+10000),"response":okresp}],"result":ok},
  {"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":NOW,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/blobs/"+BLOB,{},deadlineMs=NOW+10000,responseBody={"stream":12}),
    "response":_resp(200,{},streamed={"digest":BLOB,"size":12})}],"result":{}}])
add("limits-no-deadline",
 "a deadline of 0 is none: a streamed blob then carries no deadline, a captured body only its own time limit",
 dict(loop,limits={"deadlineMs":0}),
 [{"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":NOW,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/blobs/"+BLOB,{},deadlineMs=None,timeoutMs=30000),
    "response":_resp(200,{},streamed={"digest":BLOB,"size":12})}],"result":{}},
  {"operation":gm,"now":NOW,"exchanges":[
   {"request":_req("GET",M,{},deadlineMs=NOW+60000),"response":okresp}],"result":ok}])
add("get-blob-body-too-long",
 "a streamed body longer than the descriptor (the host stops at max + 1 bytes and reports the size it saw) is SIZE_MISMATCH at once, never retried",
 loop,
 [{"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":0,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/blobs/"+BLOB,{},responseBody={"stream":12}),
    "response":_resp(200,{},streamed={"digest":"sha256:"+"0"*64,"size":13})}],"error":"SIZE_MISMATCH"}])
add("retry-after-over-cap",
 "a Retry-After over Limits.retry_after_max_ms (60 s by default) fails at once with TOOMANYREQUESTS naming the asked wait, instead of holding the caller",
 loop,
 [{"operation":gm,"now":0,"exchanges":[
   {"request":_req("GET",M,{}),"response":_resp(429,{"Retry-After":"100000"})}],"error":"TOOMANYREQUESTS"},
  {"operation":gm,"now":0,"exchanges":[
   {"request":_req("GET",M,{}),"response":_resp(503,{"Retry-After":"3600"},'{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}')}],"error":"TOOMANYREQUESTS"},
  {"operation":gm,"now":0,"exchanges":[
   {"request":_req("GET",M,{}),"response":_resp(429,{"Retry-After":"2"})},
   {"wait":2000},
   {"request":_req("GET",M,{}),"response":okresp}],"result":ok}])
add("deadline-passed",
 "a step at or past the operation's deadline (Limits.deadline_ms from its first step) fails with TIMEOUT",
 dict(loop,limits={"deadlineMs":5000}),
 [{"operation":gm,"now":1000,"exchanges":[
   {"request":_req("GET",M,{},deadlineMs=6000),"response":_resp(503)},
   {"wait":250},
   {"now":5999,"request":_req("GET",M,{},deadlineMs=6000),"response":okresp}],
   "nowEnd":6000,"error":"TIMEOUT"}])
add("deadline-wait-would-pass",
 "a retry wait that would pass the deadline fails at once with TIMEOUT instead of sleeping",
 dict(loop,limits={"deadlineMs":1000}),
 [{"operation":gm,"now":0,"exchanges":[
   {"request":_req("GET",M,{}),"response":_resp(503,{"Retry-After":"2"})}],"error":"TIMEOUT"}])
F=lambda kind,msg: {"kind":kind,"message":msg}
add("failure-network-retried",
 "a network failure of a request that is safe to repeat is retried with the retry policy's backoff",
 loop,
 [{"operation":gm,"now":0,"exchanges":[
   {"request":_req("GET",M,{}),"failure":F("network","ConnectionResetError: [Errno 104] Connection reset by peer")},
   {"wait":250},
   {"request":_req("GET",M,{}),"failure":F("network","RemoteDisconnected: Remote end closed connection without response")},
   {"wait":500},
   {"request":_req("GET",M,{}),"response":okresp}],"result":ok}])
add("failure-timeout-not-retried",
 "a request that timed out (stall timeout or deadline) is TIMEOUT at once: another attempt would cost the stall timeout again",
 loop,
 [{"operation":gm,"now":0,"exchanges":[
   {"request":_req("GET",M,{}),"failure":F("timeout","no byte for 30000 ms")}],
   "error":"TIMEOUT","errorMentions":["127.0.0.1:5000","no byte for 30000 ms"]}])
add("failure-network-gives-up",
 "network failures past the retry policy's attempts end with NETWORK_ERROR naming the host",
 loop,
 [{"operation":gm,"now":0,"exchanges":[
   {"request":_req("GET",M,{}),"failure":F("network","refused")},{"wait":250},
   {"request":_req("GET",M,{}),"failure":F("network","refused")},{"wait":500},
   {"request":_req("GET",M,{}),"failure":F("network","refused")},{"wait":1000},
   {"request":_req("GET",M,{}),"failure":F("network","refused")},{"wait":2000},
   {"request":_req("GET",M,{}),"failure":F("network","refused")}],"error":"NETWORK_ERROR"}])
add("failure-tls-not-retried",
 "a TLS failure is TLS_ERROR at once (a certificate does not fix itself)",
 {"registry":"registry.example","plainHttp":False,"credentials":None},
 [{"operation":{"op":"getManifest","reference":"registry.example/docs:v1"},"now":0,"exchanges":[
   {"request":_req("GET","https://registry.example/v2/docs/manifests/v1",{}),"failure":F("tls","CERTIFICATE_VERIFY_FAILED")}],"error":"TLS_ERROR"}])
add("failure-blob-download-cut",
 "a download cut mid-way is not sent again by the engine (the host holds part of it): TIMEOUT or NETWORK_ERROR, and the host resumes with getBlob from the bytes it has",
 loop,
 [{"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":0,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/blobs/"+BLOB,{}),"failure":F("timeout","no byte for 30000 ms")}],"error":"TIMEOUT"},
  {"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12,"have":4},"now":0,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/blobs/"+BLOB,{"Range":"bytes=4-"},responseBody={"stream":8}),
    "response":_resp(206,{"Content-Range":"bytes 4-11/12"},streamed={"digest":BLOB,"size":12})}],"result":{}}])
U="http://127.0.0.1:5000/v2/docs/blobs/uploads/u-1"
add("failure-push-blob-chunk-resumed",
 "a chunk cut by the network is resumed by the engine: after the backoff it asks the registry how much it has and sends the rest; blob bodies going up have the operation's deadline, not the request time limit of captured bodies",
 loop,
 [{"operation":{"op":"pushBlob","reference":"127.0.0.1:5000/docs","digest":B10,"size":10,"chunkSize":4},"now":0,"exchanges":[
   {"request":_req("HEAD","http://127.0.0.1:5000/v2/docs/blobs/"+B10,{}),"response":_resp(404)},
   {"request":_req("POST","http://127.0.0.1:5000/v2/docs/blobs/uploads/",{},deadlineMs=60000),"response":_resp(202,{"Location":"/v2/docs/blobs/uploads/u-1?_state=s0"})},
   {"request":_req("PATCH",U+"?_state=s0",{"Content-Range":"0-3"},bodyBlob={"offset":0,"length":4},timeoutMs=30000,deadlineMs=3600000),"failure":F("network","BrokenPipeError: [Errno 32] Broken pipe")},
   {"wait":250},
   {"request":_req("GET",U+"?_state=s0",{}),"response":_resp(204,{"Location":"/v2/docs/blobs/uploads/u-1?_state=s1","Range":"0-1"})},
   {"request":_req("PATCH",U+"?_state=s1",{"Content-Range":"2-5"},bodyBlob={"offset":2,"length":4}),"response":_resp(202,{"Location":"/v2/docs/blobs/uploads/u-1?_state=s2","Range":"0-5"})},
   {"request":_req("PATCH",U+"?_state=s2",{"Content-Range":"6-9"},bodyBlob={"offset":6,"length":4}),"response":_resp(202,{"Location":"/v2/docs/blobs/uploads/u-1?_state=s3","Range":"0-9"})},
   {"request":_req("PUT",U+"?_state=s3&digest=sha256%3Afc11d6f28e59d3cc33c0b14ceb644bf0902ebd63d61218dffe9e7dac7c254542",{"Content-Length":"0"},deadlineMs=60000),"response":_resp(201,{"Docker-Content-Digest":B10})}],
   "result":{"uploaded":True}}])

loop={"registry":"127.0.0.1:5000","plainHttp":True,"credentials":None}
T="http://127.0.0.1:5000/v2/docs/tags/list"
def tags(*t): return json.dumps({"name":"docs","tags":list(t)},separators=(',',':'))
link=lambda last: {"Link":f'</v2/docs/tags/list?last={last}&n=2>; rel="next"'}
lt={"op":"listTags","reference":"127.0.0.1:5000/docs","pageSize":2}
add("list-tags-entries-limit",
 "a tag listing over Limits.list_entries_max entries over all its pages is LIMIT_EXCEEDED",
 dict(loop,limits={"listEntriesMax":3}),
 [{"operation":lt,"now":0,"exchanges":[
   {"request":_req("GET",T+"?n=2"),"response":_resp(200,link("b"),tags("a","b"))},
   {"request":_req("GET",T+"?last=b&n=2"),"response":_resp(200,link("d"),tags("c","d"))}],
   "error":"LIMIT_EXCEEDED"}])
p1=tags("a","b")
add("list-tags-bytes-limit",
 "each page may only have what is left of Limits.list_bytes_max (the host reads one byte more and stops): more is LIMIT_EXCEEDED",
 dict(loop,limits={"listBytesMax":60}),
 [{"operation":lt,"now":0,"exchanges":[
   {"request":_req("GET",T+"?n=2",responseBody={"capture":60}),"response":_resp(200,link("b"),p1)},
   {"request":_req("GET",T+"?last=b&n=2",responseBody={"capture":60-len(p1)}),"response":_resp(200,{},tags("ccccccccccccccc","d")[:60-len(p1)+1])}],
   "error":"LIMIT_EXCEEDED"}])
add("list-tags-page-too-large",
 "a single page larger than the capture limit (read up to one byte more) is LIMIT_EXCEEDED, not a JSON error",
 dict(loop,limits={"listBytesMax":10}),
 [{"operation":{"op":"listTags","reference":"127.0.0.1:5000/docs"},"now":0,"exchanges":[
   {"request":_req("GET",T,responseBody={"capture":10}),"response":_resp(200,{},tags("a","b")[:11])}],
   "error":"LIMIT_EXCEEDED"}])
add("list-tags-paged",
 "a tag listing driven page by page: done with each page, whether it is the last, and the `last` that asks for the page after it (next; none after the last page)",
 loop,
 [{"operation":dict(lt,paged=True),"now":0,"exchanges":[
   {"request":_req("GET",T+"?n=2"),"response":_resp(200,link("b"),tags("a","b"))},
   {"page":["a","b"],"next":"b"},
   {"request":_req("GET",T+"?last=b&n=2"),"response":_resp(200,link("d"),tags("c","d"))},
   {"page":["c","d"],"next":"d"},
   {"request":_req("GET",T+"?last=d&n=2"),"response":_resp(200,{},tags("e"))}],
   "result":{"items":["e"],"last":True,"next":None}},
  {"operation":dict(lt,paged=True),"now":0,"exchanges":[
   {"request":_req("GET",T+"?n=2"),"response":_resp(200,{},'{"name":"docs","tags":null}')}],
   "result":{"items":[],"last":True,"next":None}}])
SUB="sha256:5690bde509ad55bfb1c5f8678d4f8d6a32bb6766ccf162dbcb34a540929d8164"
R="http://127.0.0.1:5000/v2/docs/referrers/"+SUB
def idx(*ds):
    return json.dumps({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
        {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":d,"size":100,"artifactType":"application/vnd.example.sig"} for d in ds]},separators=(',',':'))
D1="sha256:"+"1"*64; D2="sha256:"+"2"*64; D3="sha256:"+"3"*64
rl={"op":"listReferrers","reference":"127.0.0.1:5000/docs","subject":SUB}
IH={"Content-Type":"application/vnd.oci.image.index.v1+json"}
add("referrers-entries-limit",
 "referrers over Limits.list_entries_max over all pages are LIMIT_EXCEEDED",
 dict(loop,limits={"listEntriesMax":2}),
 [{"operation":rl,"now":0,"exchanges":[
   {"request":_req("GET",R),"response":_resp(200,dict(IH,Link=f'</v2/docs/referrers/{SUB}?next=2>; rel="next"'),idx(D1,D2))},
   {"request":_req("GET",R+"?next=2"),"response":_resp(200,IH,idx(D3))}],
   "error":"LIMIT_EXCEEDED"}])
add("referrers-paged",
 "referrers driven page by page (their pages follow Link alone: no next); a 404 for a later page ends the listing",
 loop,
 [{"operation":dict(rl,paged=True),"now":0,"exchanges":[
   {"request":_req("GET",R,responseBody={"capture":4194304}),"response":_resp(200,dict(IH,Link=f'</v2/docs/referrers/{SUB}?next=2>; rel="next"'),idx(D1,D2))},
   {"page":[D1,D2],"next":None},
   {"request":_req("GET",R+"?next=2"),"response":_resp(200,dict(IH,Link=f'</v2/docs/referrers/{SUB}?next=3>; rel="next"'),idx(D3))},
   {"page":[D3],"next":None},
   {"request":_req("GET",R+"?next=3"),"response":_resp(404)}],
   "result":{"items":[],"last":True,"next":None}}])
add("failure-token-request",
 "a token server that cannot be reached is NETWORK_ERROR naming its host, not the registry's",
 {"registry":"registry.example","plainHttp":False,"credentials":{"refreshToken":"r3fresh"}},
 [{"operation":{"op":"getManifest","reference":"registry.example/docs:v1"},"now":0,"exchanges":[
   {"request":_req("GET","https://registry.example/v2/docs/manifests/v1",{}),
    "response":_resp(401,{"WWW-Authenticate":'Bearer realm="https://auth.example/token",service="registry.example"'})},
   {"request":_req("POST","https://auth.example/token",{"Content-Type":"application/x-www-form-urlencoded"},deadlineMs=60000),
    "failure":F("network","ConnectionRefusedError: [Errno 111] Connection refused")}],
   "error":"NETWORK_ERROR"}])
add("failure-storage-download-keeps-signature-out",
 "a download from storage (after the registry's redirect) cut by the network: the error names the storage host, never the signed query",
 loop,
 [{"operation":{"op":"getBlob","reference":"127.0.0.1:5000/docs","digest":BLOB,"size":12},"now":0,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/blobs/"+BLOB,{}),
    "response":_resp(307,{"Location":"https://storage.example/bucket/blob?X-Amz-Signature=s3cr3tsig"})},
   {"request":_req("GET","https://storage.example/bucket/blob?X-Amz-Signature=s3cr3tsig",{"Authorization":None}),
    "failure":F("network","ConnectionResetError: [Errno 104] Connection reset by peer")}],
   "error":"NETWORK_ERROR","errorMentions":["storage.example","/bucket/blob"],"errorOmits":["s3cr3tsig"]}])
add("referrers-tag-etag-unsendable",
 "an ETag with characters a header cannot carry (here a space and non-ASCII) is PROTOCOL_ERROR, never an If-Match the host would fail to send",
 loop,
 [{"operation":{"op":"addReferrer","reference":"127.0.0.1:5000/docs","subject":SUB,"digest":D3,"size":100},"now":0,"exchanges":[
   {"request":_req("GET","http://127.0.0.1:5000/v2/docs/manifests/sha256-5690bde509ad55bfb1c5f8678d4f8d6a32bb6766ccf162dbcb34a540929d8164"),
    "response":_resp(200,dict(IH,ETag='"a b\u00e9"'),idx(D1))}],
   "error":"PROTOCOL_ERROR","errorMentions":["ETag"]}])
add("push-blob-resume-foreign-url-refused",
 "an upload URL given to resume with that is on another origin is refused before anything is sent",
 {"registry":"127.0.0.1:5000","plainHttp":True,"credentials":{"username":"alice","password":"s3cret"}},
 [{"operation":{"op":"resumeBlob","reference":"127.0.0.1:5000/docs","digest":B10,"size":10,"chunkSize":4,"uploadUrl":"http://127.0.0.1:6666/v2/docs/blobs/uploads/u-1"},"now":0,"exchanges":[],"error":"LOCATION_REFUSED"}])


# What the error messages of these must name (the host, realm, registry, limit concerned).
MENTIONS = {
    "bearer-realm-http-same-host-refused": ["http://registry.example:8080/token", "registry.example"],
    "bearer-realm-metadata-ip-refused": ["169.254.169.254", "link-local"],
    "bearer-realm-loopback-refresh-token-refused": ["127.1", "loopback"],
    "get-blob-redirect-foreign-challenge-refused": ["127.0.0.1:9000", "127.0.0.1:5000"],
    "push-blob-foreign-upload-location-refused": ["http://127.0.0.1:5999/steal", "another origin"],
    "retry-after-over-cap": ["100000000 ms", "Limits.retry_after_max_ms"],
    "deadline-passed": ["127.0.0.1:5000", "Limits.deadline_ms"],
    "failure-network-gives-up": ["127.0.0.1:5000", "refused"],
    "failure-tls-not-retried": ["registry.example", "CERTIFICATE_VERIFY_FAILED"],
    "failure-token-request": ["auth.example", "Connection refused"],
    "list-tags-entries-limit": ["Limits.list_entries_max", "127.0.0.1:5000"],
    "list-tags-bytes-limit": ["Limits.list_bytes_max"],
    "referrers-entries-limit": ["Limits.list_entries_max"],
}
for name, mentions in MENTIONS.items():
    transcripts[name]["steps"][0]["errorMentions"] = mentions

# The JSON files are the transcripts; this script wrote most of them and keeps their making
# readable. Later ones were written by hand, and some it wrote were changed by hand since (the
# single-request upload probe, the stall timeout): writing over every file would undo that. So
# it writes the transcripts it is asked for by name, and those not there yet; the others that
# differ from what it would write are listed.
import sys  # noqa: E402

asked = set(sys.argv[1:])
unknown = asked - transcripts.keys()
if unknown:
    sys.exit(f"no such transcript here: {', '.join(sorted(unknown))}")
OUT.mkdir(exist_ok=True)
written, differ = [], []
for name, transcript in transcripts.items():
    path = OUT / f"{name}.json"
    text = json.dumps({"name": name, **transcript}, indent=2) + "\n"
    if name in asked or not path.exists():
        path.write_text(text)
        written.append(name)
    elif path.read_text() != text:
        differ.append(name)
print(f"{len(written)} of {len(transcripts)} transcripts written")
if differ:
    print(f"left as they are (changed by hand since; name one to write it): {', '.join(differ)}")
