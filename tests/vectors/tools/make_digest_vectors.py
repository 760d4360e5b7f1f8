"""Regenerates tests/vectors/digests.json.

The digests come from oracles independent of ocikit: hashlib (OpenSSL) for sha256 and sha512,
and for blake3 the plain-Python transcription in blake3_reference.py, which must first agree
with every official BLAKE3 test vector (ocikit itself uses the `blake3` crate).

Run: python3 tests/vectors/tools/make_digest_vectors.py
"""

import hashlib
import json
import pathlib

import blake3_reference

OUT = pathlib.Path(__file__).resolve().parent.parent / "digests.json"


def materialize(spec):
    if "text" in spec:
        return spec["text"].encode()
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    rep = spec["repeat"]
    return bytes.fromhex(rep["hex"]) * rep["count"]


INPUTS = [
    ("empty", {"text": ""}),
    ("empty JSON object (the OCI empty descriptor)", {"text": "{}"}),
    ("abc (FIPS 180-2 example)", {"text": "abc"}),
    ("448-bit message (FIPS 180-2)", {"text": "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"}),
    ("896-bit message (FIPS 180-2)", {"text": "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"}),
    ("one million a", {"repeat": {"hex": "61", "count": 1000000}}),
    ("single zero byte", {"hex": "00"}),
    ("all byte values", {"hex": bytes(range(256)).hex()}),
    ("55 bytes (last single-block sha256 length)", {"repeat": {"hex": "78", "count": 55}}),
    ("56 bytes (padding spills into a second block)", {"repeat": {"hex": "78", "count": 56}}),
    ("63 bytes", {"repeat": {"hex": "78", "count": 63}}),
    ("64 bytes (one sha256 block)", {"repeat": {"hex": "78", "count": 64}}),
    ("65 bytes", {"repeat": {"hex": "78", "count": 65}}),
    ("111 bytes (last single-block sha512 length)", {"repeat": {"hex": "79", "count": 111}}),
    ("112 bytes", {"repeat": {"hex": "79", "count": 112}}),
    ("128 bytes (one sha512 block)", {"repeat": {"hex": "79", "count": 128}}),
    ("UTF-8 text", {"text": "Grüße, 世界 — ocikit ✓"}),
    ("markdown layer", {"text": "# Overview\n\nThis artifact holds docs in markdown.\n"}),
    ("1 MiB + 1 of 0xff", {"repeat": {"hex": "ff", "count": 1048577}}),
    ("JSON with newline", {"text": "{\"schemaVersion\":2}\n"}),
    # BLAKE3's chunk (1 KiB) and tree boundaries, with the inputs of its official test vectors.
    ("1023 bytes of 0..250 (one blake3 chunk less a byte)", {"hex": blake3_reference.official_input(1023).hex()}),
    ("1024 bytes of 0..250 (one blake3 chunk)", {"hex": blake3_reference.official_input(1024).hex()}),
    ("1025 bytes of 0..250 (two blake3 chunks)", {"hex": blake3_reference.official_input(1025).hex()}),
    ("2049 bytes of 0..250 (three chunks, a deeper tree)", {"hex": blake3_reference.official_input(2049).hex()}),
    ("8193 bytes of 0..250 (nine chunks)", {"hex": blake3_reference.official_input(8193).hex()}),
]

blake3_reference.check()
OFFICIAL_BLAKE3 = dict(blake3_reference.OFFICIAL)

compute = []
for name, spec in INPUTS:
    data = materialize(spec)
    b3 = blake3_reference.blake3(data)
    if len(data) in OFFICIAL_BLAKE3 and data == blake3_reference.official_input(len(data)):
        assert b3 == OFFICIAL_BLAKE3[len(data)], name
    compute.append({
        "name": name,
        "input": spec,
        "size": len(data),
        "sha256": "sha256:" + hashlib.sha256(data).hexdigest(),
        "sha512": "sha512:" + hashlib.sha512(data).hexdigest(),
        "blake3": "blake3:" + b3,
    })

H = hashlib.sha256(b"abc").hexdigest()
H512 = hashlib.sha512(b"abc").hexdigest()
B3 = blake3_reference.blake3(b"abc")
S384 = hashlib.sha384(b"abc").hexdigest()
parse = [
    {"name": "sha256", "input": "sha256:" + H, "algorithm": "sha256", "encoded": H, "supported": True},
    {"name": "sha512", "input": "sha512:" + H512, "algorithm": "sha512", "encoded": H512, "supported": True},
    {"name": "empty descriptor digest", "input": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "algorithm": "sha256", "encoded": "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "supported": True},
    {"name": "blake3 (registered on the image-spec's main branch)", "input": "blake3:" + B3, "algorithm": "blake3", "encoded": B3, "supported": True},
    {"name": "blake3 of the empty input", "input": "blake3:" + blake3_reference.blake3(b""), "algorithm": "blake3", "encoded": blake3_reference.blake3(b""), "supported": True},
    {"name": "multihash-style algorithm with + separator", "input": "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "algorithm": "multihash+base58", "encoded": "QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", "supported": False},
    {"name": "algorithm with . separator", "input": "sha256.short:abc", "algorithm": "sha256.short", "encoded": "abc", "supported": False},
    {"name": "algorithm with _ and - separators", "input": "a_b-c:x", "algorithm": "a_b-c", "encoded": "x", "supported": False},
    {"name": "encoded with = _ - and uppercase for unregistered", "input": "base64url:QUJD_-==", "algorithm": "base64url", "encoded": "QUJD_-==", "supported": False},
    {"name": "digits-only algorithm", "input": "256:abc", "algorithm": "256", "encoded": "abc", "supported": False},
    {"name": "sha384 is grammar-valid but unsupported", "input": "sha384:" + hashlib.sha384(b"").hexdigest(), "algorithm": "sha384", "encoded": hashlib.sha384(b"").hexdigest(), "supported": False},
    {"name": "empty", "input": "", "error": "DIGEST_INVALID"},
    {"name": "no colon", "input": "sha256" + H, "error": "DIGEST_INVALID"},
    {"name": "only colon", "input": ":", "error": "DIGEST_INVALID"},
    {"name": "empty algorithm", "input": ":" + H, "error": "DIGEST_INVALID"},
    {"name": "empty encoded", "input": "sha256:", "error": "DIGEST_INVALID"},
    {"name": "unregistered with empty encoded", "input": "sha384:", "error": "DIGEST_INVALID"},
    {"name": "blake3 with empty encoded", "input": "blake3:", "error": "DIGEST_INVALID"},
    {"name": "blake3 too short", "input": "blake3:" + B3[:-1], "error": "DIGEST_INVALID"},
    {"name": "blake3 too long", "input": "blake3:" + B3 + "0", "error": "DIGEST_INVALID"},
    {"name": "blake3 with a sha512 length", "input": "blake3:" + H512, "error": "DIGEST_INVALID"},
    {"name": "blake3 uppercase hex", "input": "blake3:" + B3.upper(), "error": "DIGEST_INVALID"},
    {"name": "blake3 one uppercase letter", "input": "blake3:" + B3[:-1] + "A", "error": "DIGEST_INVALID"},
    {"name": "blake3 non-hex letter", "input": "blake3:" + B3[:-1] + "g", "error": "DIGEST_INVALID"},
    {"name": "blake3 base64 encoded", "input": "blake3:" + "QUJD" * 16, "error": "DIGEST_INVALID"},
    {"name": "uppercase BLAKE3 algorithm", "input": "BLAKE3:" + B3, "error": "DIGEST_INVALID"},
    {"name": "sha256 uppercase hex", "input": "sha256:" + H.upper(), "error": "DIGEST_INVALID"},
    {"name": "sha256 one uppercase letter", "input": "sha256:" + H[:-1] + "D", "error": "DIGEST_INVALID"},
    {"name": "sha256 too short", "input": "sha256:" + H[:-1], "error": "DIGEST_INVALID"},
    {"name": "sha256 too long", "input": "sha256:" + H + "0", "error": "DIGEST_INVALID"},
    {"name": "sha256 with a sha512 length", "input": "sha256:" + H512, "error": "DIGEST_INVALID"},
    {"name": "sha512 with a sha256 length", "input": "sha512:" + H, "error": "DIGEST_INVALID"},
    {"name": "sha256 non-hex letter", "input": "sha256:" + H[:-1] + "g", "error": "DIGEST_INVALID"},
    {"name": "uppercase algorithm", "input": "SHA256:" + H, "error": "DIGEST_INVALID"},
    {"name": "leading separator", "input": "+sha256:" + H, "error": "DIGEST_INVALID"},
    {"name": "trailing separator", "input": "sha256+:" + H, "error": "DIGEST_INVALID"},
    {"name": "double separator", "input": "a..b:abc", "error": "DIGEST_INVALID"},
    {"name": "space in algorithm", "input": "sha 256:" + H, "error": "DIGEST_INVALID"},
    {"name": "second colon", "input": "sha256:" + H[:32] + ":" + H[33:], "error": "DIGEST_INVALID"},
    {"name": "unregistered encoded with '+'", "input": "sha384:ab+cd", "error": "DIGEST_INVALID"},
    {"name": "unregistered encoded with '/'", "input": "sha384:ab/cd", "error": "DIGEST_INVALID"},
    {"name": "trailing newline", "input": "sha256:" + H + "\n", "error": "DIGEST_INVALID"},
    {"name": "leading space", "input": " sha256:" + H, "error": "DIGEST_INVALID"},
    {"name": "non-ASCII in encoded", "input": "sha384:abc\u00e9", "error": "DIGEST_INVALID"},
    {"name": "non-ASCII in algorithm", "input": "sh\u00e42:abc", "error": "DIGEST_INVALID"},
]

ABC256 = "sha256:" + H
ABC512 = "sha512:" + H512
ABCB3 = "blake3:" + B3
verify = [
    {"name": "matching sha256 and size", "input": {"text": "abc"}, "digest": ABC256, "size": 3, "error": None},
    {"name": "matching sha256, no size", "input": {"text": "abc"}, "digest": ABC256, "size": None, "error": None},
    {"name": "matching sha512", "input": {"text": "abc"}, "digest": ABC512, "size": 3, "error": None},
    {"name": "wrong content", "input": {"text": "abd"}, "digest": ABC256, "size": 3, "error": "DIGEST_MISMATCH"},
    {"name": "wrong size is reported before the digest", "input": {"text": "abcd"}, "digest": ABC256, "size": 3, "error": "SIZE_MISMATCH"},
    {"name": "right content, wrong size", "input": {"text": "abc"}, "digest": ABC256, "size": 4, "error": "SIZE_MISMATCH"},
    {"name": "empty content against the empty-config digest", "input": {"text": ""}, "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 0, "error": "DIGEST_MISMATCH"},
    {"name": "empty object against the empty-config digest", "input": {"text": "{}"}, "digest": "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", "size": 2, "error": None},
    {"name": "matching blake3", "input": {"text": "abc"}, "digest": ABCB3, "size": 3, "error": None},
    {"name": "matching blake3, no size", "input": {"text": "abc"}, "digest": ABCB3, "size": None, "error": None},
    {"name": "blake3, wrong content", "input": {"text": "abd"}, "digest": ABCB3, "size": 3, "error": "DIGEST_MISMATCH"},
    {"name": "blake3, wrong size", "input": {"text": "abc"}, "digest": ABCB3, "size": 4, "error": "SIZE_MISMATCH"},
    {"name": "blake3 digest of another content's sha256", "input": {"text": "abc"}, "digest": "blake3:" + H, "size": 3, "error": "DIGEST_MISMATCH"},
    {"name": "unsupported algorithm cannot be verified", "input": {"text": "abc"}, "digest": "sha384:" + S384, "size": 3, "error": "DIGEST_UNSUPPORTED"},
    {"name": "unsupported algorithm, wrong size still SIZE_MISMATCH", "input": {"text": "abc"}, "digest": "sha384:" + S384, "size": 9, "error": "SIZE_MISMATCH"},
]

algorithms = [
    {"name": "sha256", "supported": True},
    {"name": "sha512", "supported": True},
    {"name": "blake3", "supported": True},
    {"name": "sha384", "error": "DIGEST_UNSUPPORTED"},
    {"name": "SHA256", "error": "DIGEST_INVALID"},
    {"name": "", "error": "DIGEST_INVALID"},
    {"name": "sha-", "error": "DIGEST_INVALID"},
    {"name": "md 5", "error": "DIGEST_INVALID"},
]

doc = {
    "description": "Digest computation, parsing and verification. Each 'compute' case is fed whole and in pieces and gives the digest of every algorithm ocikit computes (sha256, sha512, blake3); 'input' is {text} (UTF-8), {hex}, or {repeat:{hex,count}}. Oracles: hashlib for sha256/sha512; for blake3 a plain-Python transcription of the algorithm checked against every official BLAKE3 test vector (tools/blake3_reference.py). 'algorithms' are the names a Digester accepts.",
    "compute": compute,
    "parse": parse,
    "verify": verify,
    "algorithms": algorithms,
}
OUT.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
print(f"{OUT}: {len(compute)} compute, {len(parse)} parse, {len(verify)} verify, {len(algorithms)} algorithm cases")
