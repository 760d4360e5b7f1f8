"""Regenerates tests/vectors/registry/*.json: request/response transcripts of registry
operations, replayed through the sans-IO engine by the Rust, Python and JS suites.

Each transcript is a session (registry, plain HTTP or not, credentials) and a list of
operations run in turn on that session (so token caching shows); each operation lists the
exchanges the engine must ask for — the request it must send (method, URL, and the headers
given: a value must match, null must be absent) and the response to feed back — or the waits
it must ask for, and its result or error code. The exchanges follow what CNCF distribution
2.8.2 and the Docker token protocol answer.

Run: python3 tests/vectors/tools/make_registry_vectors.py
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
        "description": "credentials are never sent to a plain-HTTP token realm on another host",
        "session": {"registry": "registry.example", "plainHttp": False, "credentials": {"username": "alice", "password": "s3cret"}},
        "steps": [get_manifest("registry.example/docs:v1", [
            ex(req("GET", "https://registry.example/v2/docs/manifests/v1"), res(401, "", WWW_Authenticate='Bearer realm="http://auth.example/token",service="registry.example"')),
        ], error="AUTH_INVALID")],
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

OUT.mkdir(exist_ok=True)
for name, transcript in transcripts.items():
    (OUT / f"{name}.json").write_text(json.dumps({"name": name, **transcript}, indent=2) + "\n")
print(len(transcripts), "transcripts")
