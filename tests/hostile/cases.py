"""The hostile cases: what each one sends, what every surface must answer, and its bounds.

``expect`` lists the outcomes a surface may give: an error code, or ``OK`` for success
(``INVALID`` for a layout tar read whose report says invalid). Bounds are checked on every
surface: wall time, peak RSS above the surface's idle process, requests to the registry,
bytes the registry had to send, the sandbox's peak disk use, and — always — that no secret of
the registry reached the attacker and nothing was written outside the output directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hostile_server import DECLARED

OK = "OK"
INVALID = "INVALID"
ALL = ("cli", "python", "js")
NO_JS = ("cli", "python")
MIB = 1 << 20


@dataclass(frozen=True)
class Case:
    id: str
    item: int  # the numbered defect of issue 9
    op: str
    expect: tuple[str, ...]
    what: str  # one line for SECURITY.md
    repo: str = ""  # the hostile repository (default: the id)
    surfaces: tuple[str, ...] = ALL
    registry: str = "plain"  # plain | tls | tls-untrusted | tls-on-plain | refused | unresolvable
    seconds: float = 15.0  # wall-time bound
    rss_mb: float = 100.0  # peak RSS bound above the surface's idle process
    limits: dict[str, int] = field(default_factory=dict)
    max_requests: int | None = None  # requests to the registry for this repository
    max_bodies: int | None = None  # blob bodies the registry streamed (retries of a bad body)
    max_sent: int | None = None  # bytes the registry sent in bodies
    max_received: int | None = None  # bytes of request bodies the registry received
    max_disk: int = 8 * MIB  # peak disk use of the sandbox
    max_threads: int | None = None  # peak threads of the process (copy)
    attacker_requests: int = 0  # requests the attacker may get (never with a secret)
    hint: str | None = None  # text the CLI's error must contain
    layout: str | None = None  # the hostile layout to build (layout cases)
    keep_old_files: bool = False
    chunk_size: int | None = None
    expect_by_surface: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def repository(self) -> str:
        return self.repo or self.id

    def expected(self, surface: str) -> tuple[str, ...]:
        return self.expect_by_surface.get(surface, self.expect)


REALM = ("AUTH_REALM_REFUSED",)
STALL = {"stall_timeout_ms": 2000}
# A request that timed out is TIMEOUT at once (another attempt would cost the stall again).
STALL_BOUND = 2 + 5
STALL_DEADLINE = {"stall_timeout_ms": 2000, "deadline_ms": 4000}
DEADLINE = {"deadline_ms": 3000}

CASES: list[Case] = [
    # 1. Credentials only to realms that may have them -------------------------------------
    Case(
        "realm-plain-http",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="HTTPS registry, token realm plain http on the same host (another port)",
    ),
    Case(
        "realm-loopback-other",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="realm https on 127.0.0.2, a loopback literal that is not the registry's host",
    ),
    Case("realm-ipv6-loopback", 1, "fetch", REALM, registry="tls", what="realm https://[::1]"),
    Case(
        "realm-link-local",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="realm https://169.254.169.254 (cloud metadata address)",
    ),
    Case("realm-private-10", 1, "fetch", REALM, registry="tls", what="realm https://10.0.0.1"),
    Case(
        "realm-private-192",
        1,
        "fetch",
        REALM,
        what="realm https://192.168.1.1 from plain-http loopback",
    ),
    Case("realm-file", 1, "fetch", REALM, what="realm file:///etc/passwd"),
    Case("realm-ftp", 1, "fetch", REALM, what="realm ftp://"),
    Case("realm-gopher", 1, "fetch", REALM, what="realm gopher://"),
    Case(
        "realm-hex-loopback",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="realm https://0x7f000002 (127.0.0.2 written in hex)",
    ),
    Case(
        "realm-short-loopback",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="realm https://127.2 (short form)",
    ),
    Case(
        "realm-v4-mapped",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="realm https://[::ffff:127.0.0.2]",
    ),
    Case(
        "realm-localhost",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="realm https://localhost (another host name)",
    ),
    Case(
        "realm-userinfo", 1, "fetch", REALM, registry="tls", what="realm with userinfo (user@host)"
    ),
    Case(
        "realm-shared-nat",
        1,
        "fetch",
        REALM,
        registry="tls",
        what="realm https://100.64.0.1 (shared address space)",
    ),
    Case(
        "realm-own-origin",
        1,
        "fetch",
        (OK,),
        what="control: realm on the plain-http loopback registry's own origin works",
    ),
    Case(
        "realm-own-origin-tls",
        1,
        "pull",
        (OK,),
        repo="realm-own-origin",
        registry="tls",
        what="control: HTTPS registry with its own token realm (the test CA trusted)",
    ),
    Case(
        "realm-own-origin-pull",
        1,
        "pull",
        (OK,),
        repo="realm-own-origin",
        what="control: pull through the registry's own token realm",
    ),
    # 2. Redirects -------------------------------------------------------------------------
    Case(
        "redirect-401-realm",
        2,
        "pull",
        ("UNAUTHORIZED", "AUTH_REALM_REFUSED"),
        attacker_requests=4,
        what="blob GET redirected to another origin that answers 401 with its own Bearer realm",
    ),
    Case(
        "redirect-401-realm-blob",
        2,
        "blob-fetch",
        ("UNAUTHORIZED", "AUTH_REALM_REFUSED"),
        repo="redirect-401-realm",
        attacker_requests=4,
        what="blob fetch redirected to another origin, 401 with its own realm",
    ),
    Case(
        "redirect-401-basic",
        2,
        "pull",
        ("UNAUTHORIZED",),
        attacker_requests=4,
        what="blob GET redirected to another origin that answers 401 Basic",
    ),
    Case(
        "redirect-401-tls-realm",
        2,
        "pull",
        ("UNAUTHORIZED", "AUTH_REALM_REFUSED"),
        attacker_requests=4,
        registry="tls",
        what="HTTPS: redirect to another HTTPS origin, 401 with its own realm",
    ),
    Case(
        "redirect-manifest-401",
        2,
        "fetch",
        ("UNAUTHORIZED", "AUTH_REALM_REFUSED"),
        attacker_requests=4,
        what="manifest GET redirected to another origin that challenges",
    ),
    Case(
        "redirect-cross-origin-ok",
        2,
        "pull",
        (OK,),
        attacker_requests=3,
        what="control: a blob GET redirected to storage on another origin works (no credentials "
        "there)",
    ),
    Case(
        "redirect-file-scheme",
        2,
        "pull",
        ("LOCATION_REFUSED",),
        what="a blob GET redirected to file:///etc/passwd",
    ),
    Case(
        "redirect-location-space",
        12,
        "pull",
        ("LOCATION_REFUSED",),
        what="a redirect Location with spaces",
    ),
    Case(
        "redirect-backslash",
        2,
        "pull",
        ("LOCATION_REFUSED",),
        what="a blob GET redirected to http://attacker\\@registry/… (a browser's or Node's URL "
        "parser ends the host at the backslash: credentials went to the attacker from JS)",
    ),
    Case(
        "redirect-userinfo",
        2,
        "pull",
        ("LOCATION_REFUSED",),
        what="a blob GET redirected to http://registry@attacker/… (userinfo, which no registry "
        "sends)",
    ),
    Case(
        "redirect-downgrade",
        2,
        "pull",
        ("LOCATION_REFUSED",),
        registry="tls",
        what="HTTPS registry redirects a blob GET to plain http",
    ),
    Case(
        "redirect-loop",
        2,
        "fetch",
        ("PROTOCOL_ERROR",),
        max_requests=40,
        what="a redirect to itself, forever",
    ),
    # 3. Upload Locations ------------------------------------------------------------------
    Case(
        "upload-other-origin",
        3,
        "push",
        ("LOCATION_REFUSED",),
        what="upload Location on another host: refused, no body sent there",
    ),
    Case(
        "upload-other-port",
        3,
        "push",
        ("LOCATION_REFUSED",),
        what="upload Location on the same host, another port (another origin)",
    ),
    Case(
        "upload-patch-other-origin",
        3,
        "push-chunked",
        ("LOCATION_REFUSED",),
        chunk_size=4,
        what="chunked upload: the first PATCH answers a Location on another origin",
    ),
    Case(
        "upload-scheme-relative",
        3,
        "push",
        ("LOCATION_REFUSED",),
        what="upload Location //other-host/… (scheme-relative: another origin)",
    ),
    Case(
        "upload-backslash",
        3,
        "push",
        ("LOCATION_REFUSED",),
        what="upload Location http://attacker\\@registry/… (JS sent the blob and credentials "
        "to the attacker)",
    ),
    Case(
        "upload-other-origin-tls",
        3,
        "push",
        ("LOCATION_REFUSED",),
        repo="upload-other-port",
        registry="tls",
        what="HTTPS registry, upload Location plain http on another port",
    ),
    # 4. Control characters ----------------------------------------------------------------
    Case(
        "ansi-message",
        4,
        "fetch",
        ("MANIFEST_UNKNOWN",),
        what="escape sequences in an error's message and detail",
    ),
    Case("ansi-code", 4, "fetch", ("REGISTRY_ERROR",), what="escape sequences in an error's code"),
    Case(
        "ansi-text-body",
        4,
        "fetch",
        ("REGISTRY_ERROR", "NOT_FOUND"),
        what="a text/plain error body with escape sequences",
    ),
    Case(
        "ansi-realm",
        4,
        "fetch",
        ("AUTH_REALM_REFUSED", "AUTH_INVALID", "NETWORK_ERROR"),
        what="escape sequences inside a token realm",
    ),
    Case(
        "ansi-tags",
        4,
        "tags",
        (OK, "PROTOCOL_ERROR", "REFERENCE_INVALID"),
        what="tag names with escape sequences and a bidi override (the CLI prints none raw)",
    ),
    # 5. Blob bodies -----------------------------------------------------------------------
    Case(
        "endless-blob",
        5,
        "pull",
        ("SIZE_MISMATCH",),
        max_bodies=1,
        max_sent=64 * MIB,
        what=f"endless chunked blob body for a {DECLARED}-byte descriptor (pull)",
    ),
    Case(
        "endless-blob-file",
        5,
        "blob-fetch",
        ("SIZE_MISMATCH",),
        repo="endless-blob",
        max_bodies=1,
        max_sent=64 * MIB,
        what="endless blob body (blob fetch to a file)",
    ),
    Case(
        "endless-blob-memory",
        5,
        "blob-fetch-memory",
        ("SIZE_MISMATCH",),
        repo="endless-blob",
        max_bodies=1,
        max_sent=64 * MIB,
        what="endless blob body (blob fetch to stdout / memory)",
    ),
    Case(
        "oversized-blob",
        5,
        "pull",
        ("SIZE_MISMATCH",),
        max_bodies=1,
        max_sent=64 * MIB,
        what="Content-Length 512 MiB for a 1 KiB descriptor",
    ),
    Case(
        "huge-declared-size",
        12,
        "pull",
        ("SIZE_MISMATCH", "LIMIT_EXCEEDED", "SIZE_INVALID"),
        what="a layer declaring 2^41 bytes (JS RangeError before)",
    ),
    Case(
        "many-titles",
        12,
        "pull",
        ("LIMIT_EXCEEDED",),
        what="one 2 MiB blob under 500 titles (Python wrote 1000 MiB to disk from a 2 MiB "
        "download)",
    ),
    Case(
        "wide-collection",
        12,
        "pull",
        ("LIMIT_EXCEEDED",),
        seconds=10,
        rss_mb=150,  # 27,000 descriptors parsed, as a 16 MiB tag page's names
        what="an index of 27,000 children under the 4 MiB manifest limit (the plan was "
        "quadratic before the children limit: 19 s in Python, 56 s in JS)",
    ),
    # 6. Listings --------------------------------------------------------------------------
    Case(
        "tags-huge-page",
        6,
        "tags",
        ("LIMIT_EXCEEDED",),
        rss_mb=150,
        seconds=30,
        what="one 16 MiB tag page (1,050,000 tags)",
    ),
    Case(
        "tags-iterate",
        6,
        "tags-iterate",
        (OK,),
        repo="tags-many-pages",
        surfaces=("python", "js"),
        max_requests=6,
        rss_mb=60,
        what="iterating endless tag pages, a caller stops after 2,500 tags: three pages asked",
    ),
    Case(
        "tags-padded-page",
        6,
        "tags",
        ("LIMIT_EXCEEDED",),
        rss_mb=150,
        seconds=30,
        what="one 40 MiB tag page (whitespace)",
    ),
    Case(
        "tags-many-pages",
        6,
        "tags",
        ("LIMIT_EXCEEDED",),
        max_requests=110,
        seconds=40,
        what="tag pages of 1,000 without end (Link next)",
    ),
    Case(
        "tags-link-loop",
        6,
        "tags",
        ("PROTOCOL_ERROR",),
        # The challenge, the first page, then the page it links to, which links to itself:
        # refused there (a link to a page already read), not after 100 pages at the listing's
        # limits.
        max_requests=3,
        seconds=10,
        what="a Link next to the same page",
    ),
    Case(
        "tags-link-other-origin",
        6,
        "tags",
        ("PROTOCOL_ERROR",),
        attacker_requests=0,
        what="a Link next on another origin",
    ),
    Case(
        "tags-link-backslash",
        6,
        "tags",
        ("PROTOCOL_ERROR",),
        attacker_requests=0,
        what="a Link next to http://attacker\\@registry/… (JS followed it with credentials)",
    ),
    Case(
        "referrers-too-large",
        6,
        "discover",
        ("LIMIT_EXCEEDED",),
        rss_mb=100,
        seconds=30,
        what="a referrers index of 150,000 entries (14 MiB)",
    ),
    Case(
        "referrers-padded",
        6,
        "discover",
        ("LIMIT_EXCEEDED",),
        rss_mb=100,
        seconds=30,
        what="a referrers index of 40 MiB",
    ),
    # 7. Copy graphs -----------------------------------------------------------------------
    Case(
        "dup-index-10",
        7,
        "copy",
        (OK,),
        surfaces=ALL,
        max_requests=80,
        max_threads=12,
        what="copy of an index listing the same child twice, depth 10 (linear requests)",
    ),
    Case(
        "dup-index-40",
        7,
        "copy",
        ("LIMIT_EXCEEDED",),
        surfaces=ALL,
        max_requests=120,
        max_threads=12,
        what="the same, depth 40 (over the walk's 32 levels)",
    ),
    Case(
        "index-chain-3000",
        12,
        "copy",
        ("LIMIT_EXCEEDED",),
        surfaces=ALL,
        max_requests=120,
        max_threads=12,
        what="a 3,000-level index chain (RecursionError before)",
    ),
    # 8. Invented referrers ----------------------------------------------------------------
    Case(
        "referrers-endless",
        8,
        "discover",
        ("LIMIT_EXCEEDED",),
        seconds=60,
        max_requests=20000,
        what="discover without depth, each referrer has a new referrer",
    ),
    Case(
        "referrers-wide",
        8,
        "discover",
        ("LIMIT_EXCEEDED",),
        seconds=60,
        max_requests=20000,
        what="discover without depth, eight new referrers per node",
    ),
    # 9. Time ------------------------------------------------------------------------------
    Case(
        "slow-manifest",
        9,
        "fetch",
        ("TIMEOUT",),
        limits=DEADLINE,
        seconds=8,
        what="manifest body at 1 byte/s, deadline 3 s",
    ),
    Case(
        "slow-blob",
        9,
        "pull",
        ("TIMEOUT",),
        limits=DEADLINE,
        seconds=8,
        what="blob body at 1 byte/s, deadline 3 s",
    ),
    Case(
        "never-manifest",
        9,
        "fetch",
        ("TIMEOUT",),
        limits=STALL,
        seconds=STALL_BOUND,
        what="no answer to a manifest GET, stall timeout 2 s",
    ),
    Case(
        "never-blob",
        9,
        "pull",
        ("TIMEOUT",),
        limits=STALL,
        seconds=STALL_BOUND,
        what="no answer to a blob GET, stall timeout 2 s",
    ),
    Case(
        "stall-manifest",
        9,
        "fetch",
        ("TIMEOUT",),
        limits=STALL,
        seconds=STALL_BOUND,
        what="headers, then no byte of the manifest, stall timeout 2 s",
    ),
    Case(
        "stall-blob",
        9,
        "pull",
        ("TIMEOUT",),
        limits=STALL,
        seconds=STALL_BOUND,
        what="headers, then no byte of the blob, stall timeout 2 s",
    ),
    Case(
        "never-manifest-deadline",
        9,
        "fetch",
        ("TIMEOUT",),
        repo="never-manifest",
        limits=STALL_DEADLINE,
        seconds=7,
        what="no answer to a manifest GET, stall 2 s and deadline 4 s: TIMEOUT by 4 s",
    ),
    Case(
        "never-blob-deadline",
        9,
        "pull",
        ("TIMEOUT",),
        repo="never-blob",
        limits=STALL_DEADLINE,
        seconds=7,
        what="no answer to a blob GET, stall 2 s and deadline 4 s",
    ),
    Case(
        "retry-after-huge",
        9,
        "fetch",
        ("TOOMANYREQUESTS",),
        seconds=5,
        max_requests=3,
        what="429 Retry-After: 100000 fails at once",
    ),
    Case(
        "retry-after-date",
        9,
        "fetch",
        ("TOOMANYREQUESTS",),
        seconds=5,
        max_requests=3,
        what="429 Retry-After: a date in 2099",
    ),
    Case(
        "retry-after-503",
        9,
        "fetch",
        ("TOOMANYREQUESTS", "UNAVAILABLE", "REGISTRY_ERROR"),
        seconds=5,
        max_requests=3,
        what="503 Retry-After: 100000 fails at once",
    ),
    # 10. Untrusted layouts (CLI and Python read layout directories) -----------------------
    Case(
        "layout-index-devzero",
        10,
        "layout-pull",
        ("PATH_UNSAFE", "LIMIT_EXCEEDED"),
        surfaces=NO_JS,
        layout="index-devzero",
        what="index.json is a symlink to /dev/zero",
    ),
    Case(
        "layout-blob-devzero",
        10,
        "layout-pull",
        ("PATH_UNSAFE",),
        surfaces=NO_JS,
        layout="blob-devzero",
        what="a layer blob is a symlink to /dev/zero",
    ),
    Case(
        "layout-verify-devzero",
        10,
        "layout-verify",
        ("PATH_UNSAFE", INVALID),
        surfaces=("python",),
        layout="blob-devzero",
        what="OciLayout.verify() with a blob linked to /dev/zero",
    ),
    Case(
        "layout-blob-fifo",
        10,
        "layout-pull",
        ("PATH_UNSAFE",),
        surfaces=NO_JS,
        layout="blob-fifo",
        what="a layer blob is a FIFO",
    ),
    Case(
        "layout-index-fifo",
        10,
        "layout-pull",
        ("PATH_UNSAFE",),
        surfaces=NO_JS,
        layout="index-fifo",
        what="index.json is a FIFO",
    ),
    Case(
        "layout-blob-sparse",
        10,
        "layout-pull",
        ("SIZE_MISMATCH",),
        surfaces=NO_JS,
        layout="blob-sparse",
        what="a layer declared as 6 bytes is a 2 GiB sparse file",
    ),
    Case(
        "layout-copy-sparse",
        10,
        "layout-copy",
        ("SIZE_MISMATCH", OK),
        surfaces=NO_JS,
        layout="blob-sparse",
        repo="sink",
        max_received=1 * MIB,
        what="copy to a registry of a 6-byte layer that is a 2 GiB file (at most its 6 bytes sent)",
    ),
    Case(
        "layout-symlink-out",
        10,
        "layout-pull",
        ("PATH_UNSAFE",),
        surfaces=NO_JS,
        layout="blob-symlink-out",
        what="a blob is a symlink to a file outside the layout",
    ),
    Case(
        "layout-blobs-dir-symlink",
        10,
        "layout-pull",
        ("PATH_UNSAFE",),
        surfaces=NO_JS,
        layout="blobs-dir-symlink",
        what="blobs/sha256 is a symlink to a directory outside",
    ),
    Case(
        "layout-blob-directory",
        10,
        "layout-pull",
        ("PATH_UNSAFE",),
        surfaces=NO_JS,
        layout="blob-directory",
        what="a layer blob is a directory",
    ),
    Case(
        "layout-index-huge",
        10,
        "layout-pull",
        ("LIMIT_EXCEEDED",),
        surfaces=NO_JS,
        layout="index-huge",
        max_disk=80 * MIB,
        what="index.json of 64 MiB",
    ),
    Case(
        "layout-nested-json",
        12,
        "layout-pull",
        ("JSON_INVALID",),
        surfaces=NO_JS,
        layout="nested-json",
        what="a manifest nested 3,000 levels deep in a layout",
    ),
    Case(
        "layout-index-nested",
        12,
        "layout-pull",
        ("JSON_INVALID",),
        surfaces=NO_JS,
        layout="index-nested",
        what="index.json nested 3,000 levels deep",
    ),
    Case(
        "layout-tar-symlink",
        10,
        "layout-tar",
        ("PATH_UNSAFE", INVALID, "FIELD_MISSING"),
        surfaces=("js",),
        layout="tar-symlink",
        what="a layout tar whose index.json is a symlink",
    ),
    Case(
        "layout-tar-dotdot",
        10,
        "layout-tar",
        ("PATH_UNSAFE", INVALID, OK),
        surfaces=("js",),
        layout="tar-dotdot",
        what="a layout tar with a ../ entry (read in memory: refused or ignored)",
    ),
    Case(
        "layout-tar-size",
        10,
        "layout-tar",
        ("SIZE_MISMATCH", INVALID),
        surfaces=("js",),
        layout="tar-size",
        what="a layout tar whose 6-byte blob holds 4 MiB",
    ),
    # 11. Pulled titles --------------------------------------------------------------------
    Case(
        "title-git-config",
        11,
        "pull",
        ("PATH_UNSAFE",),
        surfaces=ALL,
        what="title .git/config: refused, nothing written",
    ),
    Case(
        "title-git-nested",
        11,
        "pull",
        ("PATH_UNSAFE",),
        surfaces=ALL,
        what="title docs/.git/hooks/pre-commit",
    ),
    Case(
        "title-dotdot",
        11,
        "pull",
        ("PATH_UNSAFE", "ANNOTATION_INVALID"),
        surfaces=ALL,
        what="title ../escaped.txt",
    ),
    Case(
        "title-absolute",
        11,
        "pull",
        ("PATH_UNSAFE", "ANNOTATION_INVALID"),
        surfaces=ALL,
        what="an absolute title",
    ),
    Case(
        "title-deep",
        12,
        "pull",
        ("PATH_UNSAFE", "ANNOTATION_INVALID", "LIMIT_EXCEEDED"),
        surfaces=ALL,
        # JS pulls into memory: a long name is the caller's filesystem's to refuse
        expect_by_surface={"js": ("PATH_UNSAFE", "ANNOTATION_INVALID", "LIMIT_EXCEEDED", OK)},
        what="a title of 2,000 directories",
    ),
    Case(
        "keep-old-files",
        11,
        "pull",
        ("PATH_UNSAFE", "FILE_EXISTS", "ALREADY_EXISTS"),
        repo="title-plain",
        surfaces=NO_JS,
        keep_old_files=True,
        what="-k/keep_old_files: an existing file is kept",
    ),
    Case(
        "title-plain-overwrite",
        11,
        "pull",
        (OK,),
        repo="title-plain",
        surfaces=NO_JS,
        what="control: without -k an existing file is replaced",
    ),
    # 12. Foreign inputs become coded errors -----------------------------------------------
    Case(
        "realm-space",
        12,
        "fetch",
        ("AUTH_REALM_REFUSED", "AUTH_INVALID"),
        what="a space in the realm",
    ),
    Case(
        "realm-obsfold",
        12,
        "fetch",
        ("AUTH_REALM_REFUSED", "AUTH_INVALID"),
        what="a realm folded over two header lines (CR LF)",
    ),
    Case(
        "upload-location-space",
        12,
        "push",
        ("LOCATION_REFUSED",),
        what="a space in an upload Location",
    ),
    Case(
        "upload-location-nonascii",
        12,
        "push",
        ("LOCATION_REFUSED",),
        what="non-ASCII in an upload Location",
    ),
    Case(
        "token-nested",
        12,
        "fetch",
        ("AUTH_INVALID",),
        what="a token response nested 3,000 levels deep",
    ),
    Case(
        "nested-error-body",
        12,
        "fetch",
        ("NOT_FOUND", "REGISTRY_ERROR", "MANIFEST_UNKNOWN"),
        what="a 404 whose error body is nested 3,000 levels deep",
    ),
    Case("token-crlf", 12, "fetch", ("AUTH_INVALID",), what="CR LF inside a token"),
    Case(
        "token-nonascii", 12, "fetch", ("AUTH_INVALID",), what="a token with non-ASCII characters"
    ),
    Case("token-nul", 12, "fetch", ("AUTH_INVALID",), what="a NUL inside a token"),
    Case("token-not-json", 12, "fetch", ("AUTH_INVALID",), what="a token response that is HTML"),
    Case(
        "long-header",
        12,
        "fetch",
        ("NETWORK_ERROR",),
        what="a response header over 64 KiB",
        # httpx (h11) reads a longer header line: then the manifest is the empty body, as served
        expect_by_surface={"python-async": ("NETWORK_ERROR", "JSON_INVALID", OK)},
    ),
    Case(
        "many-headers",
        12,
        "fetch",
        ("NETWORK_ERROR",),
        what="150 response headers",
        # fetch (undici) and httpx take any number of headers: then the empty body is served
        expect_by_surface={
            "js": ("NETWORK_ERROR", "JSON_INVALID", OK),
            "python-async": ("NETWORK_ERROR", "JSON_INVALID", OK),
        },
    ),
    Case("bad-status-line", 12, "fetch", ("NETWORK_ERROR",), what="HTTP/1.1 abc"),
    Case("garbage-response", 12, "fetch", ("NETWORK_ERROR",), what="an SSH banner instead of HTTP"),
    Case(
        "empty-response",
        12,
        "fetch",
        ("NETWORK_ERROR",),
        what="the connection closes without a response",
    ),
    Case(
        "reset-connection", 12, "fetch", ("NETWORK_ERROR",), what="TCP reset instead of a response"
    ),
    Case(
        "nested-json",
        12,
        "fetch",
        ("JSON_INVALID", OK),
        what="fetch of a manifest nested 3,000 levels deep (exact bytes: returned or refused)",
    ),
    Case(
        "nested-json-pull",
        12,
        "pull",
        ("JSON_INVALID",),
        repo="nested-json",
        what="pull of a manifest nested 3,000 levels deep",
    ),
    Case(
        "nested-json-push",
        12,
        "push-manifest",
        ("JSON_INVALID",),
        repo="sink",
        expect_by_surface={"js": ("JSON_INVALID", OK)},  # JS sends exact bytes of a given type
        what="push_manifest of a document nested 3,000 levels deep",
    ),
    Case(
        "nested-json-copy",
        12,
        "copy",
        ("JSON_INVALID",),
        repo="nested-json",
        surfaces=ALL,
        what="copy of a manifest nested 3,000 levels deep",
    ),
    Case(
        "malformed-copy",
        12,
        "copy",
        ("JSON_INVALID", "FIELD_MISSING", "MANIFEST_INVALID"),
        repo="malformed-manifest",
        surfaces=ALL,
        what="copy of a manifest with mistyped fields",
    ),
    Case(
        "malformed-pull",
        12,
        "pull",
        ("JSON_INVALID", "FIELD_MISSING", "MANIFEST_INVALID"),
        repo="malformed-manifest",
        what="pull of a manifest with mistyped fields",
    ),
    Case(
        "connection-refused",
        12,
        "fetch",
        ("NETWORK_ERROR",),
        registry="refused",
        what="nothing listens on the port",
    ),
    Case(
        "unresolvable-host",
        12,
        "fetch",
        ("NETWORK_ERROR",),
        registry="unresolvable",
        seconds=25,
        what="a host name that does not resolve (.invalid)",
    ),
    Case(
        "tls-on-plain-port",
        12,
        "fetch",
        ("TLS_ERROR",),
        registry="tls-on-plain",
        hint="--plain-http",
        what="HTTPS to a plain-http registry: TLS_ERROR with the --plain-http hint",
    ),
    Case(
        "tls-untrusted",
        12,
        "fetch",
        ("TLS_ERROR",),
        registry="tls-untrusted",
        what="a certificate no trusted CA signed",
    ),
]

assert len({case.id for case in CASES}) == len(CASES), "case ids must be unique"
