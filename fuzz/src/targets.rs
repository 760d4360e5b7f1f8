//! The bodies of the fuzz targets, free of libFuzzer so that the crash regressions in
//! `tests/vectors/fuzz/` replay them under `cargo test` (`core/tests/fuzz_regressions.rs`
//! includes this file). Each target feeds its input to ocikit-core and panics when an invariant
//! breaks; a panic is what libFuzzer reports as a crash.
//!
//! Input formats (scripts/fuzz_seeds.py writes seeds in them from `tests/vectors/`):
//! - `validate`: one byte choosing the kind (0 detect, 1 manifest, 2 index, 3 descriptor,
//!   4 config, 5 layout; taken modulo 6), then the document.
//! - `digest`, `media_type`, `reference`, `www_authenticate`, `link`: the text (lossy UTF-8).
//! - `documents`: a JSON document, read as a descriptor, a manifest, an index and a layout index.
//! - `error_body`: two bytes of status (big-endian), then the body; the body as text also goes
//!   through `Retry-After`, HTTP-date, RFC 3339 and `Location` resolution.
//! - `token`: one byte of flags (credentials, plain HTTP), then a token response body.
//! - `layout`: files separated by `SEPARATOR`: `oci-layout`, `index.json`, then blobs (each
//!   stored under its sha256).
//! - `pack`: a [`Reader`] stream (see [`pack`]).
//! - `engine`: a [`Reader`] stream (see [`engine`]).
//! - `walk`: one byte of flags, then documents separated by `SEPARATOR` (see [`walk`]).
//! - `layout_tar_stream`: one byte seeding the sizes of the pieces, then a layout tar (see
//!   [`layout_tar_stream`]).

use std::collections::HashMap;

use base64::Engine as _;

use ocikit_core::layout::{INDEX_FILE, LayoutSource, OCI_LAYOUT_FILE, blob_path};
use ocikit_core::media_type::Role;
use ocikit_core::pack::{File, ImageSpec, Pack};
use ocikit_core::registry::http::{origin, resolve};
use ocikit_core::registry::{
    AddReferrer, BlobExists, CheckAuth, Credentials, DeleteManifest, Event, Failure, FailureKind,
    FetchedManifest, GetBlob, GetManifest, Input, ListReferrers, ListTags, PushBlob, PushOptions,
    PutManifest, Request, ResolveManifest, Resolved, Response, Session,
};
use ocikit_core::validate::Kind;
use ocikit_core::{
    Algorithm, Descriptor, Digest, Digester, Error, Index, Manifest, MediaType, Reference, Severity,
};

/// A target's body: panics when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target whose body is here, by name.
pub const TARGETS: &[(&str, Target)] = &[
    ("validate", validate),
    ("digest", digest),
    ("media_type", media_type),
    ("reference", reference),
    ("documents", documents),
    ("pack", pack),
    ("www_authenticate", www_authenticate),
    ("link", link),
    ("error_body", error_body),
    ("token", token),
    ("layout", layout),
    ("engine", engine),
    ("walk", walk),
    ("archive", archive),
    ("layout_tar_stream", layout_tar_stream),
];

/// The body of target `name`, if it is one of [`TARGETS`].
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// A stable error code: `UPPER_SNAKE_CASE`.
fn is_code(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn assert_coded(err: &Error) {
    assert!(is_code(err.code()), "error without a stable code: {err:?}");
}

const KINDS: [Option<Kind>; 6] = [
    None,
    Some(Kind::Manifest),
    Some(Kind::Index),
    Some(Kind::Descriptor),
    Some(Kind::Config),
    Some(Kind::Layout),
];

/// `validate` never panics, `valid` iff no finding is an error, the kind given is the kind
/// reported, every finding has a code and a JSON pointer, a valid document reads with the typed
/// parser of its kind, and the report is deterministic.
pub fn validate(data: &[u8]) {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let kind = KINDS[usize::from(selector) % KINDS.len()];
    let report = ocikit_core::validate(bytes, kind);
    let errors = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    assert_eq!(report.valid, !errors, "valid iff no error: {report:?}");
    if kind.is_some() {
        assert_eq!(report.kind, kind);
    }
    for finding in &report.findings {
        assert!(is_code(finding.code), "{finding:?}");
        assert!(
            finding.path.is_empty() || finding.path.starts_with('/'),
            "a JSON pointer: {finding:?}"
        );
    }
    if report.valid {
        match report.kind {
            Some(Kind::Manifest) => {
                let document = Manifest::from_json(bytes.to_vec());
                assert!(document.is_ok(), "valid manifest, typed: {document:?}");
            }
            Some(Kind::Index) => {
                let document = Index::from_json(bytes.to_vec());
                assert!(document.is_ok(), "valid index, typed: {document:?}");
            }
            Some(Kind::Descriptor) => {
                let descriptor = Descriptor::from_json(bytes);
                assert!(
                    descriptor.is_ok(),
                    "valid descriptor, typed: {descriptor:?}"
                );
            }
            _ => {}
        }
    }
    assert_eq!(ocikit_core::validate(bytes, kind), report, "deterministic");
}

/// A digest that parses prints back to the same text; hashing in one piece or two gives the
/// same digest and size, and verifies.
pub fn digest(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Digest::parse(&text) {
        Ok(digest) => {
            assert_eq!(digest.to_string(), text, "a digest prints as parsed");
            assert_eq!(Digest::parse(&digest.to_string()).as_ref(), Ok(&digest));
            if digest.is_supported() {
                assert!(Digester::new(digest.algorithm()).is_ok());
            }
        }
        Err(err) => assert_coded(&err),
    }
    if let Err(err) = Algorithm::parse(&text) {
        assert_coded(&err);
    }
    let split = data.first().map_or(0, |&b| usize::from(b)).min(data.len());
    for name in ["sha256", "sha512", "blake3"] {
        let Ok(algorithm) = Algorithm::parse(name) else {
            continue;
        };
        let Ok(mut digester) = Digester::new(&algorithm) else {
            continue;
        };
        digester.update(&data[..split]);
        digester.update(&data[split..]);
        let whole = ocikit_core::digest::compute(&algorithm, data).expect("computes");
        assert_eq!(digester.finalize(), whole);
        assert_eq!(digester.size(), data.len() as u64);
        assert!(ocikit_core::verify(data, &whole, Some(data.len() as u64)).is_ok());
        assert_eq!(
            ocikit_core::verify(data, &whole, Some(data.len() as u64 + 1)).map_err(|e| e.code()),
            Err("SIZE_MISMATCH")
        );
    }
}

/// A media type that parses keeps its text and reparses equal; lints are warnings only.
pub fn media_type(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let media_type = match MediaType::parse(&text) {
        Ok(media_type) => media_type,
        Err(err) => return assert_coded(&err),
    };
    assert_eq!(media_type.as_str(), text);
    assert_eq!(
        MediaType::parse(media_type.as_str()).as_ref(),
        Ok(&media_type)
    );
    assert_eq!(media_type.to_string(), text);
    let _ = (
        media_type.tree(),
        media_type.suffix(),
        media_type.artifact(),
    );
    for role in [None, Some(Role::Config), Some(Role::Layer)] {
        for finding in media_type.lint(role) {
            assert_eq!(finding.severity, Severity::Warning, "{finding:?}");
            assert!(is_code(finding.code));
        }
    }
}

/// A reference that parses prints as text that parses back to it, and rebuilds from its parts.
pub fn reference(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let reference = match Reference::parse(&text) {
        Ok(reference) => reference,
        Err(err) => return assert_coded(&err),
    };
    let printed = reference.to_string();
    assert_eq!(
        Reference::parse(&printed).as_ref(),
        Ok(&reference),
        "{printed}"
    );
    let rebuilt = Reference::new(
        reference.registry(),
        reference.repository(),
        reference.tag(),
        reference.digest().cloned(),
    );
    assert_eq!(rebuilt.as_ref(), Ok(&reference));
    assert!(!reference.target().is_empty());
}

/// The typed readers keep the exact bytes and their digest, and their canonical JSON reads back
/// to the same value.
pub fn documents(data: &[u8]) {
    match Descriptor::from_json(data) {
        Ok(descriptor) => {
            let again = Descriptor::from_json(&descriptor.to_json());
            assert_eq!(again.as_ref(), Ok(&descriptor), "descriptor round trip");
        }
        Err(err) => assert_coded(&err),
    }
    match Manifest::from_json(data.to_vec()) {
        Ok(document) => {
            assert_eq!(document.bytes(), data);
            assert_eq!(document.digest(), &ocikit_core::digest::sha256(data));
            assert_eq!(document.size(), data.len() as u64);
            let canonical = document.value().to_json();
            let again = Manifest::from_json(canonical).map(|d| d.value().clone());
            assert_eq!(again.as_ref(), Ok(document.value()), "manifest round trip");
            let descriptor = document.descriptor();
            assert_eq!(&descriptor.digest, document.digest());
        }
        Err(err) => assert_coded(&err),
    }
    match Index::from_json(data.to_vec()) {
        Ok(document) => {
            assert_eq!(document.bytes(), data);
            assert_eq!(document.digest(), &ocikit_core::digest::sha256(data));
            let canonical = document.value().to_json();
            let again = Index::from_json(canonical).map(|d| d.value().clone());
            assert_eq!(again.as_ref(), Ok(document.value()), "index round trip");
        }
        Err(err) => assert_coded(&err),
    }
    match ocikit_core::layout::Layout::from_index_json(data) {
        Ok(layout) => {
            let again = ocikit_core::layout::Layout::from_index_json(&layout.index_json());
            assert_eq!(again.as_ref(), Ok(&layout), "layout index round trip");
            let _ = layout.tags();
        }
        Err(err) => assert_coded(&err),
    }
}

/// Challenges parse without panicking, never more of them than there are bytes.
pub fn www_authenticate(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let challenges = ocikit_core::registry::auth::parse_challenges(&text);
    assert!(challenges.len() <= text.len());
    assert_eq!(
        ocikit_core::registry::auth::parse_challenges(&text),
        challenges
    );
}

/// The next link, when found, is the text between `<` and `>` of the header.
pub fn link(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Some(target) = ocikit_core::registry::link::next_link(&text) {
        assert!(text.contains(&format!("<{target}>")), "{target:?}");
    }
}

/// Error bodies of any shape give at least one coded entry; header values of time and location
/// never panic.
pub fn error_body(data: &[u8]) {
    let status = match data {
        [a, b, ..] => u16::from_be_bytes([*a, *b]),
        _ => 500,
    };
    let body = data.get(2..).unwrap_or_default();
    let errors = ocikit_core::registry::errors::parse_error_body(status, body);
    assert!(!errors.is_empty());
    for error in &errors {
        assert!(!error.code.is_empty());
    }
    let text = String::from_utf8_lossy(body);
    let now = 1_700_000_000_000;
    let _ = ocikit_core::registry::errors::parse_retry_after(&text, now);
    let _ =
        ocikit_core::registry::errors::RetryPolicy::default().delay_ms(status, 1, Some(&text), now);
    let _ = ocikit_core::time::parse_http_date(&text);
    let _ = ocikit_core::time::is_rfc3339(&text);
    for base in [
        "http://127.0.0.1:5000/v2/fuzz/repo/blobs/uploads/",
        "https://registry.example/v2/",
    ] {
        if let Some(url) = resolve(base, &text) {
            assert!(origin(&url).is_some(), "{url:?}");
        }
    }
}

/// A session answers a 401 Bearer challenge with a token request, and the token response,
/// whatever it holds, gives either a coded error or the retried request carrying exactly the
/// token, in a header without CR, LF or NUL.
pub fn token(data: &[u8]) {
    let Some((&flags, body)) = data.split_first() else {
        return;
    };
    let plain_http = flags & 1 != 0;
    let registry = if plain_http {
        "127.0.0.1:5000"
    } else {
        "registry.example"
    };
    // No access token: a session that has one answers a Bearer challenge with an error.
    let credentials = credentials((flags >> 1) % 3);
    let mut session = Session::new(registry, plain_http, credentials);
    let reference = Reference::parse(&format!("{registry}/fuzz/repo:v1")).expect("reference");
    let mut get = GetManifest::new(&session, &reference);
    let now = 1_700_000_000_000;
    let Ok(Event::Send(_)) = get.next(&mut session, Input::Start, now) else {
        panic!("the GET goes out first");
    };
    let challenge = Response {
        status: 401,
        headers: vec![(
            "WWW-Authenticate".into(),
            format!(
                "Bearer realm=\"{}/token\",service=\"registry\"",
                session.base()
            ),
        )],
        ..Response::default()
    };
    let token_request = match get.next(&mut session, Input::Response(challenge), now) {
        Ok(Event::Send(request)) => request,
        other => panic!("a token request follows a Bearer challenge: {other:?}"),
    };
    check_request(&token_request);
    let answer = Response {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.to_vec(),
        streamed: None,
    };
    match get.next(&mut session, Input::Response(answer), now) {
        Ok(Event::Send(request)) => {
            check_request(&request);
            let authorization = request.header_value("Authorization").unwrap_or_default();
            if let Some(token) = token_of(body) {
                assert_eq!(authorization, format!("Bearer {token}"));
            }
        }
        Ok(other) => panic!("after a token, the GET again: {other:?}"),
        Err(err) => assert_coded(&err),
    }
}

/// The token a token response body holds, as the Docker token protocol reads it.
fn token_of(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["token", "access_token"].iter().find_map(|key| {
        value
            .get(*key)
            .and_then(|v| v.as_str())
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
    })
}

fn credentials(selector: u8) -> Option<Credentials> {
    match selector % 4 {
        0 => None,
        1 => Some(Credentials::Basic {
            username: USERNAME.into(),
            password: PASSWORD.into(),
        }),
        2 => Some(Credentials::RefreshToken(REFRESH_TOKEN.into())),
        _ => Some(Credentials::AccessToken(ACCESS_TOKEN.into())),
    }
}

const USERNAME: &str = "fuzz-user";
const PASSWORD: &str = "fuzz-secret-password";
const REFRESH_TOKEN: &str = "fuzz-secret-refresh";
const ACCESS_TOKEN: &str = "fuzz-secret-access";

/// What separates the files of a `layout` input.
pub const SEPARATOR: &[u8] = b"\n--8<--\n";

/// A layout in memory, as a host's directory or archive would serve it.
#[derive(Debug, Default)]
pub struct MapSource(pub HashMap<String, Vec<u8>>);

impl LayoutSource for MapSource {
    fn read(&mut self, path: &str) -> Option<Vec<u8>> {
        self.0.get(path).cloned()
    }

    fn digest(&mut self, path: &str, algorithm: &Algorithm) -> Option<(Digest, u64)> {
        let bytes = self.0.get(path)?;
        let mut digester = Digester::new(algorithm).ok()?;
        digester.update(bytes);
        Some((digester.finalize(), digester.size()))
    }
}

/// Checks a layout verification report: `valid` iff no error, every finding names its file.
pub fn check_layout_report(report: &ocikit_core::Report) {
    let errors = report
        .findings
        .iter()
        .any(|f| f.severity == Severity::Error);
    assert_eq!(report.valid, !errors, "{report:?}");
    assert_eq!(report.kind, Some(Kind::Layout));
    for finding in &report.findings {
        assert!(is_code(finding.code), "{finding:?}");
        assert!(finding.path.contains('#'), "file#pointer: {finding:?}");
    }
}

/// A whole layout verifies without panicking, whatever its files hold.
pub fn layout(data: &[u8]) {
    let mut parts = split(data, SEPARATOR);
    let mut files = HashMap::new();
    if let Some(marker) = parts.next() {
        files.insert(OCI_LAYOUT_FILE.to_owned(), marker.to_vec());
    }
    if let Some(index) = parts.next() {
        files.insert(INDEX_FILE.to_owned(), index.to_vec());
    }
    for blob in parts {
        files.insert(blob_path(&ocikit_core::digest::sha256(blob)), blob.to_vec());
    }
    let report = ocikit_core::layout::verify(&mut MapSource(files));
    check_layout_report(&report);
}

fn split<'a>(data: &'a [u8], separator: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let current = rest?;
        match current
            .windows(separator.len())
            .position(|w| w == separator)
        {
            Some(at) => {
                rest = Some(&current[at + separator.len()..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// Reads a fuzz input as a stream of small choices; past the end it yields zeros.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, at: 0 }
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.at >= self.data.len()
    }

    /// The next byte, or 0.
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    /// The next `n` bytes (fewer at the end).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.at.min(self.data.len());
        let end = self.at.saturating_add(n).min(self.data.len());
        self.at = self.at.saturating_add(n);
        &self.data[start..end]
    }

    /// A string of a length given by the next byte (255: by the next two).
    pub fn string(&mut self) -> String {
        let n = match self.byte() {
            255 => usize::from(u16::from_be_bytes([self.byte(), self.byte()])),
            n => usize::from(n),
        };
        String::from_utf8_lossy(self.bytes(n)).into_owned()
    }

    /// One of `choices` when the next byte indexes one, else a string read as [`Reader::string`].
    pub fn pick(&mut self, choices: &[&str]) -> String {
        let b = self.byte();
        match choices.get(usize::from(b)) {
            Some(choice) => (*choice).to_owned(),
            None => self.string(),
        }
    }
}

/// Packing arbitrary files, titles, annotations and types: either a coded error or a manifest
/// that `validate` finds valid, with blobs whose bytes match their descriptors.
///
/// Input: spec byte (odd: v1.0), artifact type (a [`Reader::pick`] of known types), file count
/// (modulo 5), per file a name, content and an optional media type; then up to 3 manifest
/// annotations, an optional `created` and an optional subject.
pub fn pack(data: &[u8]) {
    const TYPES: &[&str] = &[
        "",
        "application/vnd.example.docs.config.v1+json",
        "application/vnd.oci.empty.v1+json",
        "application/vnd.oci.image.config.v1+json",
        "text/markdown",
    ];
    const NAMES: &[&str] = &[
        "a.md",
        "dir/b.txt",
        "../x",
        "/abs",
        "CON",
        "a:b",
        "",
        ".git/config",
        "é.md",
    ];
    const KEYS: &[&str] = &[
        "org.opencontainers.image.title",
        "org.opencontainers.image.created",
        "org.opencontainers.image.ref.name",
        "org.opencontainers.image.base.digest",
        "",
        "com.example.key",
    ];
    let mut r = Reader::new(data);
    let v1_0 = r.byte() & 1 == 1;
    let mut pack = Pack::new().spec(if v1_0 {
        ImageSpec::V1_0
    } else {
        ImageSpec::V1_1
    });
    let artifact_type = r.pick(TYPES);
    if !artifact_type.is_empty() {
        match MediaType::parse(&artifact_type) {
            Ok(media_type) => pack = pack.artifact_type(media_type),
            Err(err) => return assert_coded(&err),
        }
    }
    for _ in 0..r.byte() % 5 {
        let name = r.pick(NAMES);
        let content = r.string().into_bytes();
        let mut file = File::from_bytes(name, content);
        let media_type = r.pick(TYPES);
        if !media_type.is_empty() {
            match MediaType::parse(&media_type) {
                Ok(media_type) => file = file.with_media_type(media_type),
                Err(err) => return assert_coded(&err),
            }
        }
        for _ in 0..r.byte() % 3 {
            let key = r.pick(KEYS);
            let value = r.string();
            file.annotations.insert(key, value);
        }
        pack = pack.file(file);
    }
    let mut annotations = ocikit_core::annotations::Annotations::new();
    for _ in 0..r.byte() % 4 {
        let key = r.pick(KEYS);
        let value = r.string();
        annotations.insert(key, value);
    }
    pack = pack.annotations(annotations);
    if r.byte() & 1 == 1 {
        pack = pack.created(r.string());
    }
    if r.byte() & 1 == 1 {
        pack = pack.subject(Descriptor::for_content(
            MediaType::parse("application/vnd.oci.image.manifest.v1+json").expect("type"),
            b"subject",
        ));
    }
    if r.byte() & 1 == 1 {
        pack = pack.embed_data_up_to(u64::from(r.byte()));
    }
    let packed = match pack.build() {
        Ok(packed) => packed,
        Err(err) => return assert_coded(&err),
    };
    let report = ocikit_core::validate(packed.manifest.bytes(), Some(Kind::Manifest));
    assert!(
        report.valid,
        "pack built a manifest validate refuses: {:?}\n{}",
        report.findings,
        String::from_utf8_lossy(packed.manifest.bytes())
    );
    for blob in &packed.blobs {
        if let Some(bytes) = &blob.bytes {
            assert!(
                ocikit_core::verify(bytes, &blob.descriptor.digest, Some(blob.descriptor.size))
                    .is_ok()
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The engine fed arbitrary responses.

const STATUSES: &[u16] = &[
    200, 201, 202, 204, 206, 301, 302, 303, 307, 308, 400, 401, 403, 404, 405, 408, 412, 416, 429,
    500, 501, 502, 503, 504, 505, 599, 0, 100, 999,
];

const HEADER_NAMES: &[&str] = &[
    "WWW-Authenticate",
    "Location",
    "Link",
    "Docker-Content-Digest",
    "Content-Length",
    "Content-Type",
    "Range",
    "Content-Range",
    "Retry-After",
    "OCI-Chunk-Min-Length",
    "OCI-Subject",
    "OCI-Filters-Applied",
    "ETag",
];

/// Header values; `{base}`, `{digest}`, `{manifest}` and `{subject}` are replaced with the
/// registry's base URL, the blob's, the pushed manifest's and the subject's digests.
const HEADER_VALUES: &[&str] = &[
    "Bearer realm=\"{base}/token\",service=\"registry\",scope=\"repository:fuzz/repo:pull\"",
    "Bearer realm=\"https://auth.example/token\",service=\"registry\"",
    "Bearer realm=\"http://127.0.0.1:9999/token\"",
    "Bearer realm=\"http://attacker.example/token\"",
    "Bearer realm=\"file:///etc/passwd\"",
    "Bearer realm=\"https://169.254.169.254/token\"",
    "Bearer realm=\"https://[::1]/token\"",
    "Basic realm=\"registry\"",
    "Bearer error=\"invalid_token\"",
    "/v2/fuzz/repo/blobs/uploads/u1?_state=a",
    "{base}/v2/fuzz/repo/blobs/uploads/u2",
    "https://storage.example/blob?sig=1",
    "http://storage.example/blob",
    "//cdn.example/x",
    "u3",
    "</v2/fuzz/repo/tags/list?n=1&last=a>; rel=\"next\"",
    "<https://other.example/v2/x>; rel=\"next\"",
    "</v2/fuzz/repo/referrers/{subject}?page=2>; rel=\"next\"",
    "{digest}",
    "{manifest}",
    "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    "0",
    "1",
    "5",
    "10",
    "18446744073709551615",
    "-1",
    "100000",
    "0-0",
    "0-4",
    "bytes=0-9",
    "0-18446744073709551615",
    "0-18446744073709551614",
    "5-9",
    "bytes 5-9/10",
    "bytes 0-9/10",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "artifactType",
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "W/\"etag\"",
    "{base}/v2/fuzz/repo/blobs/{digest}",
];

/// Bodies; the same placeholders as [`HEADER_VALUES`].
const BODIES: &[&str] = &[
    "{\"token\":\"t1\",\"expires_in\":300}",
    "{\"access_token\":\"t2\"}",
    "{\"token\":\"\"}",
    "{\"token\":\"a\\r\\nX-Injected: 1\"}",
    "{\"token\":\"t3\",\"expires_in\":18446744073709551615}",
    "{\"tags\":[\"a\",\"b\"]}",
    "{\"tags\":null}",
    "{\"name\":\"x\",\"tags\":[1]}",
    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{manifest}\",\"size\":2,\"artifactType\":\"application/vnd.example.sig.v1\"}]}",
    "{\"errors\":[{\"code\":\"BLOB_UPLOAD_UNKNOWN\"}]}",
    "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"x\",\"detail\":{}}]}",
    "{}",
];

/// The manifest `PutManifest` pushes (its digest is `{manifest}`).
const MANIFEST: &[u8] = b"{}";

/// Everything the engine run needs to know to check what it sees.
#[derive(Debug)]
struct Context {
    base: String,
    plain_http: bool,
    blob: Descriptor,
    manifest: Digest,
    subject: Digest,
    secrets: Vec<String>,
}

impl Context {
    fn fill(&self, template: &str) -> String {
        template
            .replace("{base}", &self.base)
            .replace("{digest}", &self.blob.digest.to_string())
            .replace("{manifest}", &self.manifest.to_string())
            .replace("{subject}", &self.subject.to_string())
    }
}

/// The operations the engine target drives.
#[derive(Debug)]
enum Operation {
    GetManifest(GetManifest),
    PutManifest(PutManifest),
    BlobExists(BlobExists),
    PushBlob(PushBlob),
    GetBlob(GetBlob),
    ListTags(ListTags),
    ResolveManifest(ResolveManifest),
    DeleteManifest(DeleteManifest),
    ListReferrers(ListReferrers),
    AddReferrer(AddReferrer),
    CheckAuth(CheckAuth),
}

/// What an operation finished with.
#[derive(Debug)]
enum Done {
    Manifest(FetchedManifest),
    Resolved(Resolved),
    Blob,
    Other,
}

fn lift<T>(
    result: Result<Event<T>, Error>,
    done: impl FnOnce(T) -> Done,
) -> Result<Event<Done>, Error> {
    result.map(|event| match event {
        Event::Send(request) => Event::Send(request),
        Event::Wait(ms) => Event::Wait(ms),
        Event::Done(value) => Event::Done(done(value)),
    })
}

impl Operation {
    fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now: u64,
    ) -> Result<Event<Done>, Error> {
        match self {
            Self::GetManifest(op) => lift(op.next(session, input, now), Done::Manifest),
            Self::PutManifest(op) => lift(op.next(session, input, now), |_| Done::Other),
            Self::BlobExists(op) => lift(op.next(session, input, now), |_| Done::Other),
            Self::PushBlob(op) => lift(op.next(session, input, now), |_| Done::Other),
            Self::GetBlob(op) => lift(op.next(session, input, now), |()| Done::Blob),
            Self::ListTags(op) => lift(op.next(session, input, now), |_| Done::Other),
            Self::ResolveManifest(op) => lift(op.next(session, input, now), Done::Resolved),
            Self::DeleteManifest(op) => lift(op.next(session, input, now), |()| Done::Other),
            Self::ListReferrers(op) => lift(op.next(session, input, now), |_| Done::Other),
            Self::AddReferrer(op) => lift(op.next(session, input, now), |_| Done::Other),
            Self::CheckAuth(op) => lift(op.next(session, input, now), |()| Done::Other),
        }
    }

    /// The most requests a correct run of this operation can ask for: listings follow up to
    /// 10 000 pages, everything else is a handful of exchanges (each with its retries, redirects
    /// and auth rounds).
    fn max_steps(&self) -> usize {
        match self {
            Self::ListTags(_) | Self::ListReferrers(_) => 200_000,
            _ => 20_000,
        }
    }
}

/// Builds operation `selector` (modulo 11) from a few more choices.
fn operation(
    selector: u8,
    r: &mut Reader<'_>,
    session: &Session,
    reference: &Reference,
    context: &Context,
) -> Operation {
    let choice = r.byte();
    match selector % 11 {
        0 => Operation::GetManifest(GetManifest::new(session, reference)),
        1 => Operation::PutManifest(PutManifest::new(
            session,
            reference,
            &MediaType::parse("application/vnd.oci.image.manifest.v1+json").expect("type"),
            MANIFEST.to_vec(),
        )),
        2 => Operation::BlobExists(BlobExists::new(session, reference, &context.blob.digest)),
        3 => {
            let chunk = r.byte();
            match choice % 3 {
                0 => Operation::PushBlob(PushBlob::with_options(
                    session,
                    reference,
                    &context.blob,
                    PushOptions {
                        mount_from: (choice & 4 != 0).then(|| "fuzz/other".to_owned()),
                        chunk_size: (chunk > 0).then_some(u64::from(chunk)),
                        mount_only: false,
                    },
                )),
                1 => Operation::PushBlob(PushBlob::resume(
                    session,
                    reference,
                    &context.blob,
                    &context.fill("{base}/v2/fuzz/repo/blobs/uploads/r1"),
                    u64::from(chunk.max(1)),
                )),
                _ => Operation::PushBlob(PushBlob::new(session, reference, &context.blob)),
            }
        }
        4 => Operation::GetBlob(if choice & 1 == 0 {
            GetBlob::new(session, reference, &context.blob)
        } else {
            GetBlob::resume(session, reference, &context.blob, u64::from(choice >> 1))
        }),
        5 => Operation::ListTags(ListTags::new(
            session,
            reference,
            (choice & 1 == 1).then_some(u32::from(choice >> 1)),
        )),
        6 => Operation::ResolveManifest(ResolveManifest::new(session, reference)),
        7 => Operation::DeleteManifest(DeleteManifest::new(session, reference, &context.manifest)),
        8 => Operation::ListReferrers(ListReferrers::new(
            session,
            reference,
            &context.subject,
            (choice & 1 == 1).then_some("application/vnd.example.sig.v1"),
        )),
        9 => Operation::AddReferrer(AddReferrer::new(
            session,
            reference,
            &context.subject,
            &Descriptor::for_content(
                MediaType::parse("application/vnd.oci.image.manifest.v1+json").expect("type"),
                MANIFEST,
            ),
        )),
        _ => Operation::CheckAuth(CheckAuth::new(session)),
    }
}

/// What the engine target feeds next.
fn next_input(r: &mut Reader<'_>, context: &Context) -> Input {
    let status = match r.byte() {
        252 => {
            let kind = match r.byte() % 3 {
                0 => FailureKind::Network,
                1 => FailureKind::Tls,
                _ => FailureKind::Timeout,
            };
            let message = r.string();
            // A download's cut says how much of the blob the host kept: any amount.
            let received = (r.byte() % 2 == 1).then(|| u64::from(r.byte()));
            return Input::Failure(Failure {
                kind,
                message,
                received,
            });
        }
        253 => return Input::Start,
        254 => return Input::Resume,
        255 => u16::from_be_bytes([r.byte(), r.byte()]),
        s => STATUSES[usize::from(s) % STATUSES.len()],
    };
    let mut headers = Vec::new();
    for _ in 0..r.byte() % 8 {
        let name = r.pick(HEADER_NAMES);
        let value = context.fill(&r.pick(HEADER_VALUES));
        headers.push((name, value));
    }
    let body = match r.byte() {
        0 => Vec::new(),
        254 => {
            let i = usize::from(r.byte()) % BODIES.len();
            context.fill(BODIES[i]).into_bytes()
        }
        255 => {
            let n = usize::from(u16::from_be_bytes([r.byte(), r.byte()]));
            r.bytes(n).to_vec()
        }
        n => r.bytes(usize::from(n)).to_vec(),
    };
    let size = context.blob.size;
    let streamed = match r.byte() % 6 {
        1 | 2 => Some((context.blob.digest.clone(), size)),
        3 => Some((ocikit_core::digest::sha256(b""), 0)),
        4 => Some((context.blob.digest.clone(), size + 1)),
        _ => None,
    };
    Input::Response(Response {
        status,
        headers,
        body,
        streamed,
    })
}

/// A URL's host as a WHATWG URL parser (fetch) reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Ip(std::net::IpAddr),
    Name(String),
}

/// The host of an origin as the URL standard reads it: an IP address (IPv4 in the decimal,
/// octal, hexadecimal and shortened forms it accepts) or a lowercase name; `None` for a host
/// no URL parser accepts, which no client can connect to. Written here independently of the
/// engine's own reading, which it checks.
fn url_host(origin: &str) -> Option<Host> {
    let authority = origin.split_once("://").map_or(origin, |(_, a)| a);
    if let Some(v6) = authority.strip_prefix('[') {
        let address: std::net::Ipv6Addr = v6.split(']').next()?.parse().ok()?;
        return Some(Host::Ip(address.into()));
    }
    let host = authority
        .rsplit_once(':')
        .map_or(authority, |(h, _)| h)
        .to_ascii_lowercase();
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.len() > 1 && parts.last() == Some(&"") {
        parts.pop();
    }
    let last = *parts.last()?;
    let ends_in_number =
        (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())) || hex(last).is_some();
    if !ends_in_number {
        return (!host.is_empty()).then(|| Host::Name(parts.join(".")));
    }
    if parts.len() > 4 {
        return None;
    }
    let mut numbers = Vec::new();
    for part in &parts {
        let value = match hex(part) {
            Some("") => 0,
            Some(digits) => u64::from_str_radix(digits, 16).ok()?,
            None if part.len() > 1 && part.starts_with('0') => {
                u64::from_str_radix(&part[1..], 8).ok()?
            }
            None => part.parse::<u64>().ok()?, // an empty part fails here
        };
        numbers.push(value);
    }
    let (last, init) = numbers.split_last()?;
    let mut address: u64 = 0;
    for (i, n) in init.iter().enumerate() {
        if *n > 255 {
            return None;
        }
        address |= n << (8 * (3 - i));
    }
    if *last >= 1u64 << (8 * (4 - init.len())) {
        return None;
    }
    let address = u32::try_from(address | last).ok()?;
    Some(Host::Ip(std::net::Ipv4Addr::from(address).into()))
}

/// The digits of a `0x` number of the URL standard's IPv4 parser.
fn hex(part: &str) -> Option<&str> {
    part.strip_prefix("0x")
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// An address no token realm of another host may have: loopback, private, link-local,
/// unspecified.
fn is_internal(host: &Host) -> bool {
    match host {
        Host::Ip(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Host::Ip(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
                || ip
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_internal(&Host::Ip(v4.into())))
        }
        Host::Name(name) => name == "localhost" || name.ends_with(".localhost"),
    }
}

/// Every request is absolute HTTP(S) with clean headers.
fn check_request(request: &Request) {
    // Schemes compare case-insensitively (RFC 3986 §3.1): the hosts' URL parsers lowercase them.
    let scheme = request
        .url
        .split_once("://")
        .map(|(s, _)| s.to_ascii_lowercase());
    assert!(
        matches!(scheme.as_deref(), Some("http" | "https")),
        "a request to {:?}",
        request.url
    );
    for (name, value) in &request.headers {
        assert!(
            !name.contains(['\r', '\n', '\0']) && !value.contains(['\r', '\n', '\0']),
            "a header with CR, LF or NUL: {name}: {value:?}"
        );
    }
}

/// The security policy (SECURITY.md, DESIGN.md "Security policy") on one request: secrets go to
/// the registry's origin, or to a token realm that may receive them — HTTPS (plain HTTP only
/// for a plain-HTTP registry on the same host), not an internal IP literal other than the
/// registry's own host, and only in answer to a challenge from the registry's origin. Blob
/// bodies go to the registry's origin only.
fn check_policy(request: &Request, previous_url: Option<&str>, context: &Context) {
    check_request(request);
    let request_origin = origin(&request.url).unwrap_or_default();
    if request_origin == context.base {
        return;
    }
    assert!(
        !matches!(request.body, ocikit_core::registry::Body::Blob { .. }),
        "blob content sent to another origin: {}",
        request.url
    );
    let in_headers = request
        .headers
        .iter()
        .any(|(_, v)| context.secrets.iter().any(|s| v.contains(s.as_str())));
    let in_body = match &request.body {
        ocikit_core::registry::Body::Bytes(bytes) => {
            let text = String::from_utf8_lossy(bytes);
            context.secrets.iter().any(|s| text.contains(s.as_str()))
        }
        _ => false,
    };
    if let Some(authorization) = request.header_value("Authorization") {
        assert!(
            context
                .secrets
                .iter()
                .any(|s| authorization.contains(s.as_str())),
            "a token sent to another origin: {} {authorization}",
            request.url
        );
    }
    if !in_headers && !in_body {
        return;
    }
    // A host no URL parser accepts cannot be connected to: nothing can leak there.
    let Some(host) = url_host(&request_origin) else {
        return;
    };
    let same_host = url_host(&context.base).as_ref() == Some(&host);
    let scheme_ok = request_origin.starts_with("https://") || (context.plain_http && same_host);
    assert!(
        scheme_ok,
        "credentials to a token realm over plain HTTP: {}",
        request.url
    );
    assert!(
        same_host || !is_internal(&host),
        "credentials to an internal address: {}",
        request.url
    );
    let challenged_by = previous_url.and_then(origin).unwrap_or_default();
    assert_eq!(
        challenged_by, context.base,
        "credentials sent in answer to a challenge from another origin ({}): {}",
        challenged_by, request.url
    );
}

/// The engine fed arbitrary responses: each registry operation, driven with statuses, headers
/// and bodies from the input, finishes (done or a coded error) within a bounded number of
/// requests, never panics, and keeps to the security policy in every request it asks for.
///
/// Input: flags (bit 0 plain HTTP, bits 1–2 credentials, bit 3 referrers API known, bit 4 its
/// value, bit 5 reference by digest, bit 6 tiny limits), blob size, two operation bytes (run one after the other on
/// one session), then responses until the end — each a status byte (an index into `STATUSES`;
/// 255: two raw bytes follow; 252 feeds an `Input::Failure` of the kind the next byte chooses
/// and a message, 253 `Input::Start`, 254 `Input::Resume`), a header count
/// (modulo 8) with [`Reader::pick`]ed names and values, a body (0 empty, 254 one of `BODIES`,
/// 255 a two-byte length, else that many bytes) and what the host streamed. Once the responses
/// run out they are fed again from the first, as a registry that keeps answering the same way.
pub fn engine(data: &[u8]) {
    let mut r = Reader::new(data);
    let flags = r.byte();
    let plain_http = flags & 1 == 1;
    let registry = if plain_http {
        "127.0.0.1:5000"
    } else {
        "registry.example"
    };
    let credentials = credentials(flags >> 1);
    let mut session = Session::new(registry, plain_http, credentials);
    if flags & 8 != 0 {
        session.set_referrers_api(flags & 16 != 0);
    }
    if flags & 64 != 0 {
        // Tiny limits, so that a few responses reach them.
        session = session.with_limits(ocikit_core::registry::Limits {
            list_entries_max: 3,
            list_bytes_max: 256,
            deadline_ms: 20_000,
            retry_after_max_ms: 1_000,
            ..ocikit_core::registry::Limits::default()
        });
    }
    let size = u64::from(r.byte());
    let content = vec![b'x'; usize::try_from(size).unwrap_or_default()];
    let blob = Descriptor::for_content(
        MediaType::parse("application/octet-stream").expect("type"),
        &content,
    );
    let manifest = ocikit_core::digest::sha256(MANIFEST);
    let subject = ocikit_core::digest::sha256(b"subject");
    let context = Context {
        base: session.base().to_owned(),
        plain_http,
        blob,
        manifest: manifest.clone(),
        subject,
        secrets: vec![
            PASSWORD.to_owned(),
            REFRESH_TOKEN.to_owned(),
            ACCESS_TOKEN.to_owned(),
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{PASSWORD}"))
            ),
        ],
    };
    let reference_text = if flags & 32 != 0 {
        format!("{registry}/fuzz/repo@{manifest}")
    } else {
        format!("{registry}/fuzz/repo:v1")
    };
    let reference = Reference::parse(&reference_text).expect("reference");
    let selectors = [r.byte(), r.byte()];
    let responses_start = r.at;
    let mut now: u64 = 1_700_000_000_000;
    for selector in selectors {
        let mut op = operation(selector, &mut r, &session, &reference, &context);
        let mut input = Input::Start;
        let mut last_url: Option<String> = None;
        let mut last_streamed = None;
        let max_steps = op.max_steps();
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(
                steps <= max_steps,
                "{op:?} still asking after {max_steps} steps"
            );
            match op.next(&mut session, input, now) {
                Ok(Event::Send(request)) => {
                    check_policy(&request, last_url.as_deref(), &context);
                    last_url = Some(request.url.clone());
                    if r.is_empty() {
                        r.at = responses_start;
                    }
                    input = if responses_start >= data.len() {
                        Input::Response(Response {
                            status: 404,
                            ..Response::default()
                        })
                    } else {
                        next_input(&mut r, &context)
                    };
                    if let Input::Response(response) = &input {
                        last_streamed.clone_from(&response.streamed);
                    }
                }
                Ok(Event::Wait(ms)) => {
                    assert!(ms <= 60_000, "a wait of {ms} ms");
                    now += ms;
                    input = Input::Resume;
                }
                Ok(Event::Done(done)) => {
                    check_done(&done, &reference, &context, last_streamed.as_ref());
                    break;
                }
                Err(err) => {
                    assert_coded(&err);
                    break;
                }
            }
            now += 1;
        }
    }
}

fn check_done(
    done: &Done,
    reference: &Reference,
    context: &Context,
    streamed: Option<&(Digest, u64)>,
) {
    match done {
        Done::Manifest(fetched) => {
            let algorithm = reference
                .digest()
                .map_or(Algorithm::Sha256, |d| d.algorithm().clone());
            let digest = ocikit_core::digest::compute(&algorithm, &fetched.bytes).expect("digest");
            assert_eq!(fetched.digest, digest);
            if let Some(expected) = reference.digest() {
                assert_eq!(&fetched.digest, expected);
            }
        }
        Done::Resolved(resolved) => {
            if let Some(expected) = reference.digest() {
                assert_eq!(&resolved.digest, expected);
            }
        }
        Done::Blob => {
            assert_eq!(
                streamed,
                Some(&(context.blob.digest.clone(), context.blob.size)),
                "a blob done without its digest and size"
            );
        }
        Done::Other => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Graph walks fed arbitrary documents and referrer listings.

/// The media type a walk target gives a stored document: its own `mediaType` when it is a
/// manifest or index type, else by shape (`manifests`: an index).
fn document_type(bytes: &[u8]) -> &'static str {
    const INDEX: &str = "application/vnd.oci.image.index.v1+json";
    const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    let value: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_default();
    match value.get("mediaType").and_then(|m| m.as_str()) {
        Some("application/vnd.oci.image.index.v1+json") => INDEX,
        Some("application/vnd.docker.distribution.manifest.list.v2+json") => {
            "application/vnd.docker.distribution.manifest.list.v2+json"
        }
        Some("application/vnd.docker.distribution.manifest.v2+json") => {
            "application/vnd.docker.distribution.manifest.v2+json"
        }
        _ if value.get("manifests").is_some() => INDEX,
        _ => MANIFEST,
    }
}

/// The copy walk and the discover walk over a graph the input makes up: every reachable
/// document is one of the input's parts (stored by sha256, as a registry would serve it), and a
/// listing of referrers names the parts whose `subject` is the digest asked for — or, when the
/// flags say the registry lies, every part and some invented digests besides. Each walk ends
/// (a plan, a tree, or a coded error) within its node bound, never asks for a digest twice, and
/// a plan holds each document once, with bytes that match it.
///
/// Flags: bit 0 referrers (copy `--recursive`), bit 1 a lying registry, bit 2 tiny limits
/// (depth 3, 20 nodes), bit 3 a discover depth of 2 (else unbounded), bit 4 size mismatches
/// (descriptors claim one byte more).
pub fn walk(data: &[u8]) {
    use ocikit_core::registry::walk::{
        GraphWalk, GraphWalkOptions, ReferrerWalk, WalkLimits, WalkStep,
    };

    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let parts: Vec<&[u8]> = split(rest, SEPARATOR).collect();
    let store: HashMap<Digest, &[u8]> = parts
        .iter()
        .map(|p| (ocikit_core::digest::sha256(p), *p))
        .collect();
    let describe = |bytes: &[u8]| {
        let mut descriptor =
            Descriptor::for_content(MediaType::parse(document_type(bytes)).expect("type"), bytes);
        if flags & 16 != 0 {
            descriptor.size += 1;
        }
        descriptor
    };
    let lying = flags & 2 != 0;
    let referrers_of = |subject: &Digest, round: usize| -> Vec<Descriptor> {
        let mut listed: Vec<Descriptor> = parts
            .iter()
            .filter(|p| {
                lying
                    || serde_json::from_slice::<serde_json::Value>(p)
                        .ok()
                        .and_then(|v| v.pointer("/subject/digest")?.as_str().map(str::to_owned))
                        .is_some_and(|d| d == subject.to_string())
            })
            .map(|p| describe(p))
            .collect();
        if lying {
            // A registry that invents a new referrer for everything it is asked about.
            let invented = format!("{subject}/{round}");
            listed.push(describe(invented.as_bytes()));
        }
        listed
    };
    let limits = if flags & 4 != 0 {
        WalkLimits {
            max_depth: 3,
            max_nodes: 20,
            ..WalkLimits::default()
        }
    } else {
        WalkLimits {
            max_nodes: 2_000,
            ..WalkLimits::default()
        }
    };
    let bound = usize::try_from(limits.max_nodes).unwrap_or(usize::MAX) * 4 + 16;

    // The copy walk.
    let root = describe(parts.first().copied().unwrap_or_default());
    let mut copy = GraphWalk::new(
        vec![root],
        GraphWalkOptions {
            referrers: flags & 1 != 0,
            limits,
        },
    );
    let mut fetched = std::collections::HashSet::new();
    let mut listed = std::collections::HashSet::new();
    let mut steps = 0;
    let outcome = loop {
        let batch = match copy.next_batch() {
            Ok(batch) => batch,
            Err(err) => break Err(err),
        };
        if batch.is_empty() {
            break copy.finish();
        }
        let mut failed = None;
        for step in batch {
            steps += 1;
            assert!(
                steps <= bound,
                "a copy walk still asking after {bound} steps"
            );
            let provided = match step {
                WalkStep::Fetch(d) => {
                    assert!(
                        fetched.insert(d.digest.clone()),
                        "{} fetched twice",
                        d.digest
                    );
                    match store.get(&d.digest) {
                        Some(bytes) => copy.provide_document(&d.digest, bytes.to_vec()),
                        None if flags & 32 != 0 => copy.provide_missing(&d.digest),
                        None => copy.provide_document(&d.digest, b"{}".to_vec()),
                    }
                }
                WalkStep::Referrers(d) => {
                    assert!(listed.insert(d.digest.clone()), "{} listed twice", d.digest);
                    copy.provide_referrers(&d.digest, referrers_of(&d.digest, steps))
                }
            };
            if let Err(err) = provided {
                failed = Some(err);
                break;
            }
        }
        if let Some(err) = failed {
            // Errors are sticky.
            assert_eq!(copy.next_batch().as_ref().err(), Some(&err));
            break Err(err);
        }
    };
    match outcome {
        Ok(plan) => {
            let mut seen = std::collections::HashSet::new();
            for document in plan.manifests.iter().flatten() {
                assert!(
                    seen.insert(document.descriptor.digest.clone()),
                    "planned twice"
                );
                assert!(
                    ocikit_core::verify(
                        &document.bytes,
                        &document.descriptor.digest,
                        Some(document.descriptor.size)
                    )
                    .is_ok(),
                    "planned bytes are the descriptor's"
                );
            }
            let mut blobs = std::collections::HashSet::new();
            for blob in &plan.blobs {
                assert!(blobs.insert(blob.digest.clone()), "blob planned twice");
            }
        }
        Err(err) => assert_coded(&err),
    }

    // The discover walk from the first part's digest.
    let subject = ocikit_core::digest::sha256(parts.first().copied().unwrap_or_default());
    let depth = (flags & 8 != 0).then_some(2);
    let mut discover = ReferrerWalk::new(subject, depth, limits);
    let mut asked = std::collections::HashSet::new();
    let mut steps = 0;
    let outcome = loop {
        let batch = match discover.next_batch() {
            Ok(batch) => batch,
            Err(err) => break Err(err),
        };
        if batch.is_empty() {
            break discover.finish();
        }
        let mut failed = None;
        for digest in batch {
            steps += 1;
            assert!(
                steps <= bound,
                "a discover walk still asking after {bound} steps"
            );
            assert!(asked.insert(digest.clone()), "{digest} listed twice");
            if let Err(err) = discover.provide(&digest, referrers_of(&digest, steps)) {
                failed = Some(err);
                break;
            }
        }
        if let Some(err) = failed {
            break Err(err);
        }
    };
    match outcome {
        Ok(tree) => {
            for (i, node) in tree.nodes.iter().enumerate() {
                assert!(node.parent.is_none_or(|p| p < i), "a parent comes first");
                assert!(depth.is_none_or(|d| node.depth <= d));
                assert!(node.depth <= limits.max_depth.max(1));
            }
            assert!(tree.nodes.len() as u64 <= limits.max_nodes);
        }
        Err(err) => assert_coded(&err),
    }
}

/// `archive`: the core's directory-layer `Unpacker` fed hostile bytes.
///
/// Input: a flags byte, then the layer. Flags bit 0 set: the rest is the layer as it is (any
/// bytes as gzip); clear: the rest is a tar, gzip'd here first so that the tar reader is what
/// gets fuzzed. Bits 1–7 pick the size of the pieces fed. Never a panic; a refusal is a coded
/// error of the archive kind; what is accepted keeps every promise the host relies on: paths
/// under the title without `.`, `..` or empty components, modes without setuid/setgid bits,
/// file data only after a file entry and exactly its size, links after every other entry, and
/// `End` last, once.
pub fn archive(data: &[u8]) {
    use ocikit_core::archive::{EntryData, UnpackEvent, UnpackLimits, Unpacker};
    use std::io::Write as _;

    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let layer = if flags & 1 == 1 {
        rest.to_vec()
    } else {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(rest).expect("gzip into memory");
        encoder.finish().expect("gzip into memory")
    };
    let piece = usize::from(flags >> 1).max(1) * 37;
    let limits = UnpackLimits {
        max_size: 64 << 20,
        max_entries: 10_000,
        max_ratio: 250,
    };
    let mut unpacker = Unpacker::new("d", None, limits).expect("a valid title");
    let mut events = Vec::new();
    let mut failed = None;
    for chunk in layer.chunks(piece) {
        match unpacker.feed(chunk) {
            Ok(more) => events.extend(more),
            Err(error) => {
                failed = Some(error);
                break;
            }
        }
    }
    if failed.is_none() {
        match unpacker.finish() {
            Ok(more) => events.extend(more),
            Err(error) => failed = Some(error),
        }
    }
    if let Some(error) = failed {
        assert!(
            matches!(
                error.code(),
                "ARCHIVE_UNSAFE"
                    | "ARCHIVE_INVALID"
                    | "LIMIT_EXCEEDED"
                    | "DIGEST_MISMATCH"
                    | "PATH_UNSAFE"
            ),
            "{error:?}"
        );
        // Sticky.
        assert_eq!(unpacker.feed(b"x").err(), Some(error));
        return;
    }
    let mut remaining: Option<u64> = None;
    let mut links_started = false;
    for (i, event) in events.iter().enumerate() {
        match event {
            UnpackEvent::Entry(entry) => {
                assert_eq!(
                    remaining.unwrap_or(0),
                    0,
                    "a file got fewer bytes than its size"
                );
                remaining = None;
                assert!(
                    entry.path == "d" || entry.path.starts_with("d/"),
                    "{}",
                    entry.path
                );
                for part in entry.path.split('/') {
                    assert!(
                        !part.is_empty() && part != "." && part != "..",
                        "{}",
                        entry.path
                    );
                    assert!(!part.contains(['\0', '\\']), "{}", entry.path);
                    assert!(!part.eq_ignore_ascii_case(".git"), "{}", entry.path);
                }
                assert_eq!(entry.mode & !0o777, 0, "mode {:o}", entry.mode);
                match &entry.data {
                    EntryData::File { size } => {
                        assert!(!links_started);
                        remaining = Some(*size);
                    }
                    EntryData::Symlink { target } => {
                        links_started = true;
                        assert!(!target.starts_with('/') && !target.is_empty(), "{target}");
                    }
                    EntryData::HardLink { target } => {
                        assert!(!links_started);
                        assert!(target.starts_with("d/"), "{target}");
                    }
                    EntryData::Directory => {
                        assert!(!links_started);
                        assert_eq!(entry.mode & 0o700, 0o700);
                    }
                }
            }
            UnpackEvent::Data(bytes) => {
                let left = remaining.as_mut().expect("data after a file entry");
                *left = left
                    .checked_sub(bytes.len() as u64)
                    .expect("no more than its size");
            }
            UnpackEvent::End(_) => assert_eq!(i, events.len() - 1, "End comes last"),
        }
    }
    assert!(matches!(events.last(), Some(UnpackEvent::End(_))));
}

/// A layout tar read in pieces by `LayoutTarReader` (the sizes drawn from 1 to 1,100 bytes by
/// a generator seeded with the first byte) gives what `read_layout_tar` gives reading it
/// whole: the same files with the same bytes, or the same error. Each `Data` range lies in its
/// piece, each file gets exactly its size, paths are safe, and errors are sticky.
pub fn layout_tar_stream(data: &[u8]) {
    use ocikit_core::layout::{LayoutTarEvent, LayoutTarReader, read_layout_tar};
    use std::collections::BTreeMap;

    let Some((&seed, archive)) = data.split_first() else {
        return;
    };
    const ENTRIES_MAX: u64 = 64;
    let whole = read_layout_tar(archive, ENTRIES_MAX).map(|files| {
        files
            .into_iter()
            .map(|(path, range)| (path, archive[range].to_vec()))
            .collect::<BTreeMap<_, _>>()
    });

    let mut reader = LayoutTarReader::new(ENTRIES_MAX);
    let mut files = BTreeMap::new();
    let mut current: Option<(String, u64, Vec<u8>)> = None;
    let mut state = u32::from(seed) | 0x100;
    let mut at = 0;
    let mut streamed = Ok(());
    while at < archive.len() && streamed.is_ok() {
        // xorshift32: piece sizes that vary within one input.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let size = (state % 1100 + 1) as usize;
        let piece = &archive[at..archive.len().min(at + size)];
        at += piece.len();
        match reader.feed(piece) {
            Ok(events) => {
                for event in events {
                    match event {
                        LayoutTarEvent::File { path, size } => {
                            assert!(current.is_none(), "{path}: a file began inside another");
                            assert!(!path.starts_with('/') && !path.starts_with("./"), "{path}");
                            assert!(
                                path.split('/')
                                    .all(|part| !part.is_empty() && part != "." && part != ".."),
                                "{path}"
                            );
                            current = Some((path, size, Vec::new()));
                        }
                        LayoutTarEvent::Data(range) => {
                            assert!(
                                range.end <= piece.len(),
                                "{range:?} past a piece of {}",
                                piece.len()
                            );
                            let (_, _, bytes) = current.as_mut().expect("data inside a file");
                            bytes.extend_from_slice(&piece[range]);
                        }
                        LayoutTarEvent::FileEnd => {
                            let (path, size, bytes) = current.take().expect("the end of a file");
                            assert_eq!(bytes.len() as u64, size, "{path}: its size");
                            assert!(files.insert(path.clone(), bytes).is_none(), "{path} twice");
                        }
                    }
                }
            }
            Err(error) => streamed = Err(error),
        }
    }
    let streamed = streamed.and_then(|()| reader.finish());
    match (&whole, &streamed) {
        (Ok(expected), Ok(())) => {
            assert!(current.is_none(), "a file left open at the end");
            assert_eq!(&files, expected, "the files streamed");
        }
        (Err(expected), Err(error)) => {
            assert_eq!(error, expected, "the error streamed");
            assert!(
                matches!(
                    error.code(),
                    "ARCHIVE_UNSAFE" | "ARCHIVE_INVALID" | "LIMIT_EXCEEDED"
                ),
                "{error:?}"
            );
            // Sticky.
            assert_eq!(reader.feed(b"x").err().as_ref(), Some(error));
        }
        _ => panic!("whole: {whole:?}, streamed: {streamed:?}"),
    }
}
