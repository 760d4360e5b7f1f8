//! Whole-operation scenarios (push, attach, pull, discover, delete, tags of a digest, copy):
//! the transcripts of tests/vectors/registry/scenarios/ replayed through the engine, by the
//! rule their README states, plus the properties each scenario is there to show.
//!
//! The transcripts are recorded by this file against `Fake`, a registry that answers as CNCF
//! distribution 2.8.2 does (and, when asked, serves the referrers API): run
//! `OCIKIT_RECORD_SCENARIOS=1 cargo test -p ocikit-core --test scenarios` to write them again.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use ocikit_core::pack::{File, Pack};
use ocikit_core::profiles::Profile;
use ocikit_core::registry::{
    Action, Body, CopyArtifact, CopyOptions, Credentials, Delete, Discover, DiscoverOptions, Event,
    Failure, FailureKind, Input, Limits, Method, Operation, Pull, PullOptions, Push,
    PushArtifactOptions, Request, Response, ResponseBody, Session, Sessions, TagsOf, TaskId,
    WalkLimits,
};
use ocikit_core::{Descriptor, Digest, Error, MediaType, Reference};
use serde_json::{Map, Value, json};

const R: &str = "127.0.0.1:5000";
const R2: &str = "127.0.0.1:5001";
const OCI: &str = "application/vnd.oci.image.manifest.v1+json";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/registry/scenarios")
}

fn sha(bytes: &[u8]) -> String {
    ocikit_core::digest::sha256(bytes).to_string()
}

// ---------------------------------------------------------------------------------------------
// The operations, driven alike.

#[allow(clippy::large_enum_variant)] // a test harness: boxing would buy nothing
enum Whole {
    Push(Push),
    Pull(Pull),
    Discover(Discover),
    Delete(Delete),
    TagsOf(TagsOf),
    CopyArtifact(CopyArtifact),
}

fn map<T>(action: Action<T>, f: impl FnOnce(T) -> Value) -> Action<Value> {
    match action {
        Action::Send {
            task,
            request,
            blob,
            registry,
        } => Action::Send {
            task,
            request,
            blob,
            registry,
        },
        Action::Wait { task, ms } => Action::Wait { task, ms },
        Action::Pending => Action::Pending,
        Action::Done(v) => Action::Done(f(v)),
    }
}

fn digests(descriptors: &[Descriptor]) -> Vec<String> {
    descriptors.iter().map(|d| d.digest.to_string()).collect()
}

fn tag_json(tag: &Option<(String, Option<Digest>)>) -> Value {
    match tag {
        None => Value::Null,
        Some((tag, index)) => json!([tag, index.as_ref().map(ToString::to_string)]),
    }
}

fn planned_json(planned: &[ocikit_core::registry::PlannedRequest]) -> Value {
    planned
        .iter()
        .map(|p| json!([p.method.as_str(), p.url]))
        .collect()
}

impl Whole {
    fn poll(&mut self, sessions: &mut Sessions, now: u64) -> Result<Action<Value>, Error> {
        Ok(match self {
            Self::Push(op) => map(op.poll(sessions, now)?, |o| {
                json!({
                    "digest": o.descriptor.digest.to_string(),
                    "artifactType": o.descriptor.artifact_type.as_ref().map(ToString::to_string),
                    "tags": o.tags,
                    "blobs": o.blobs.iter().map(|b| json!([b.descriptor.digest.to_string(), b.status.as_str()])).collect::<Vec<_>>(),
                    "referrersTag": tag_json(&o.referrers_tag),
                    "planned": planned_json(&o.planned),
                })
            }),
            Self::Pull(op) => map(op.poll(sessions, now)?, |o| {
                json!({
                    "digest": o.descriptor.digest.to_string(),
                    "files": o.files.iter().map(|f| json!([f.path, f.descriptor.digest.to_string()])).collect::<Vec<_>>(),
                    "downloads": digests(&o.downloads),
                })
            }),
            Self::Discover(op) => map(op.poll(sessions, now)?, |o| {
                json!({
                    "subject": o.subject.digest.to_string(),
                    "tree": o.tree.nodes.iter().map(|n| json!([n.descriptor.digest.to_string(), n.parent, n.depth])).collect::<Vec<_>>(),
                })
            }),
            Self::Delete(op) => map(op.poll(sessions, now)?, |o| {
                json!({
                    "digest": o.descriptor.digest.to_string(),
                    "subject": o.subject.map(|s| s.digest.to_string()),
                    "referrersTag": tag_json(&o.referrers_tag),
                })
            }),
            Self::TagsOf(op) => map(
                op.poll(sessions, now)?,
                |o| json!({"tags": o.tags, "unchecked": o.unchecked}),
            ),
            Self::CopyArtifact(op) => map(op.poll(sessions, now)?, |o| {
                json!({
                    "digest": o.descriptor.digest.to_string(),
                    "tags": o.tags,
                    "blobs": o.blobs.iter().map(|b| json!([b.descriptor.digest.to_string(), b.status.as_str()])).collect::<Vec<_>>(),
                    "manifests": digests(&o.manifests),
                    "referrersTags": o.referrers_tags.iter().map(|t| tag_json(&Some(t.clone()))).collect::<Vec<_>>(),
                    "planned": planned_json(&o.planned),
                })
            }),
        })
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        match self {
            Self::Push(op) => op.provide(task, input),
            Self::Pull(op) => op.provide(task, input),
            Self::Discover(op) => op.provide(task, input),
            Self::Delete(op) => op.provide(task, input),
            Self::TagsOf(op) => op.provide(task, input),
            Self::CopyArtifact(op) => op.provide(task, input),
        }
    }
}

fn text(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {value}"))
        .to_owned()
}

fn reference(value: &Value, key: &str) -> Reference {
    Reference::parse(&text(value, key)).expect("reference")
}

fn walk_limits(spec: &Value) -> WalkLimits {
    let mut limits = WalkLimits::default();
    if let Some(l) = spec.get("limits") {
        if let Some(v) = l["maxDepth"].as_u64() {
            limits.max_depth = v as u32;
        }
        if let Some(v) = l["maxNodes"].as_u64() {
            limits.max_nodes = v;
        }
        if let Some(v) = l["maxBytes"].as_u64() {
            limits.max_bytes = v;
        }
    }
    limits
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().expect("str").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The operation a transcript's `operation` names.
fn operation(spec: &Value) -> Result<Whole, Error> {
    Ok(match text(spec, "op").as_str() {
        "push" => Whole::Push(Push::new(
            &reference(spec, "reference"),
            &text(spec, "mediaType"),
            text(spec, "manifest").into_bytes(),
            PushArtifactOptions {
                tags: strings(&spec["tags"]),
                mount_from: spec["mountFrom"].as_str().map(str::to_owned),
                chunk_size: spec["chunkSize"].as_u64(),
                dry_run: spec["dryRun"].as_bool().unwrap_or(false),
            },
        )?),
        "pull" => Whole::Pull(Pull::new(
            &reference(spec, "reference"),
            PullOptions {
                allow_git: spec["allowGit"].as_bool().unwrap_or(false),
            },
        )),
        "discover" => Whole::Discover(Discover::new(
            &reference(spec, "reference"),
            DiscoverOptions {
                artifact_type: spec["artifactType"].as_str().map(str::to_owned),
                depth: spec["depth"].as_u64().map(|d| d as u32),
                limits: walk_limits(spec),
            },
        )),
        "delete" => Whole::Delete(Delete::new(&reference(spec, "reference"))),
        "tagsOf" => Whole::TagsOf(TagsOf::new(
            &reference(spec, "reference"),
            &Digest::parse(&text(spec, "digest")).expect("digest"),
            spec["max"].as_u64().unwrap_or(1000),
        )),
        "copy" => Whole::CopyArtifact(CopyArtifact::new(
            &reference(spec, "source"),
            &reference(spec, "destination"),
            CopyOptions {
                referrers: spec["referrers"].as_bool().unwrap_or(false),
                limits: walk_limits(spec),
                tags: strings(&spec["tags"]),
                chunk_size: spec["chunkSize"].as_u64(),
                dry_run: spec["dryRun"].as_bool().unwrap_or(false),
            },
        )?),
        other => panic!("unknown op {other}"),
    })
}

fn sessions(specs: &Value) -> Sessions {
    let mut sessions = Sessions::new();
    for spec in specs.as_array().expect("sessions") {
        let credentials = match &spec["credentials"] {
            Value::Null => None,
            c => Some(Credentials::Basic {
                username: text(c, "username"),
                password: text(c, "password"),
            }),
        };
        let mut session = Session::new(&text(spec, "registry"), true, credentials);
        if let Some(name) = spec["profile"].as_str() {
            session = session.with_profile(Profile::named(name).expect("a profile"));
        }
        if let Some(given) = spec.get("limits") {
            let mut limits = Limits::default();
            for (key, field) in [
                ("deadlineMs", &mut limits.deadline_ms),
                ("listEntriesMax", &mut limits.list_entries_max),
            ] {
                if let Some(value) = given.get(key) {
                    *field = value.as_u64().expect("a limit");
                }
            }
            session = session.with_limits(limits);
        }
        sessions.insert(session);
    }
    sessions
}

// ---------------------------------------------------------------------------------------------
// Requests and answers as JSON.

fn request_json(request: &Request, blob: Option<&Descriptor>) -> Value {
    let mut headers = Map::new();
    for (name, value) in &request.headers {
        headers.insert(name.clone(), Value::String(value.clone()));
    }
    let mut out = json!({
        "method": request.method.as_str(),
        "url": request.url,
        "headers": headers,
    });
    match &request.body {
        Body::Empty => {}
        Body::Bytes(bytes) => {
            out["body"] = Value::String(String::from_utf8(bytes.clone()).expect("utf-8 body"));
        }
        Body::Blob { offset, length } => {
            out["bodyBlob"] = json!({"offset": offset, "length": length});
        }
    }
    if let ResponseBody::Stream { max } = request.response_body {
        out["responseBody"] = json!({ "stream": max });
    }
    if let Some(blob) = blob {
        out["blob"] = Value::String(blob.digest.to_string());
    }
    out
}

enum Answer {
    Response(Response),
    Failure(Failure),
}

fn answer_json(answer: &Answer) -> (&'static str, Value) {
    match answer {
        Answer::Failure(f) => {
            let mut out = json!({"kind": f.kind.as_str(), "message": f.message});
            if let Some(received) = f.received {
                out["received"] = json!(received);
            }
            ("failure", out)
        }
        Answer::Response(r) => {
            let mut headers = Map::new();
            for (name, value) in &r.headers {
                headers.insert(name.clone(), Value::String(value.clone()));
            }
            let mut out = json!({
                "status": r.status,
                "headers": headers,
                "body": String::from_utf8(r.body.clone()).expect("utf-8"),
            });
            if let Some((digest, size)) = &r.streamed {
                out["streamed"] = json!({"digest": digest.to_string(), "size": size});
            }
            ("response", out)
        }
    }
}

fn answer_from(exchange: &Value) -> Input {
    if let Some(f) = exchange.get("failure") {
        return Input::Failure(Failure {
            kind: FailureKind::parse(&text(f, "kind")).expect("kind"),
            message: text(f, "message"),
            received: f.get("received").map(|n| n.as_u64().expect("received")),
        });
    }
    let r = &exchange["response"];
    Input::Response(Response {
        status: r["status"].as_u64().expect("status") as u16,
        headers: r["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("str").to_owned()))
            .collect(),
        body: text(r, "body").into_bytes(),
        streamed: r.get("streamed").map(|s| {
            (
                Digest::parse(&text(s, "digest")).expect("digest"),
                s["size"].as_u64().expect("size"),
            )
        }),
    })
}

// ---------------------------------------------------------------------------------------------
// The replay rule (README.md): poll until Pending or Done; the actions come out in order and
// each must be the next exchange of the transcript; on Pending, answer the oldest action not
// yet answered (a Wait moves the clock by its ms and is answered with Resume), then poll
// again.

/// Drives `op`, getting each answer from `answer` (the fake when recording, the transcript
/// when replaying); returns the exchanges in order and the result.
fn drive(
    op: &mut Whole,
    sessions: &mut Sessions,
    now: u64,
    mut answer: impl FnMut(usize, &Request) -> Answer,
) -> (Vec<Value>, Result<Value, String>) {
    let mut now = now;
    let mut exchanges = Vec::new();
    let mut outstanding: std::collections::VecDeque<(TaskId, Option<Request>, u64)> =
        std::collections::VecDeque::new();
    loop {
        let action = match op.poll(sessions, now) {
            Ok(action) => action,
            Err(err) => return (exchanges, Err(err.code().to_owned())),
        };
        match action {
            Action::Send {
                task,
                request,
                blob,
                ..
            } => {
                exchanges.push(
                    json!({"task": task.0, "request": request_json(&request, blob.as_ref())}),
                );
                outstanding.push_back((task, Some(request), 0));
            }
            Action::Wait { task, ms } => {
                exchanges.push(json!({"task": task.0, "wait": ms}));
                outstanding.push_back((task, None, ms));
            }
            Action::Done(result) => return (exchanges, Ok(result)),
            Action::Pending => {
                let (task, request, ms) =
                    outstanding.pop_front().expect("pending with nothing out");
                let at = exchanges
                    .iter()
                    .rposition(|e| e["task"] == task.0)
                    .expect("the exchange");
                let input = match request {
                    None => {
                        now += ms;
                        Input::Resume
                    }
                    Some(request) => {
                        let answer = answer(at, &request);
                        let (key, value) = answer_json(&answer);
                        exchanges[at][key] = value;
                        match answer {
                            Answer::Response(r) => Input::Response(r),
                            Answer::Failure(f) => Input::Failure(f),
                        }
                    }
                };
                if let Err(err) = op.provide(task, input) {
                    return (exchanges, Err(err.code().to_owned()));
                }
            }
        }
    }
}

fn replay(doc: &Value) -> (Vec<Value>, Result<Value, String>) {
    let name = text(doc, "name");
    let mut sessions = sessions(&doc["sessions"]);
    // The operations before run on the same sessions, each as its transcript says.
    for (i, step) in doc["before"].as_array().into_iter().flatten().enumerate() {
        let (exchanges, result) = replay_one(&name, step, &mut sessions, 0);
        assert_eq!(
            Value::Array(exchanges),
            step["exchanges"],
            "{name}: the requests of operation {i} before differ"
        );
        assert_eq!(
            result.ok().as_ref(),
            step.get("result"),
            "{name}: before {i}"
        );
    }
    let now = doc["now"].as_u64().unwrap_or(0);
    replay_one(&name, doc, &mut sessions, now)
}

/// Replays the `operation` of `doc` with its `exchanges` on `sessions`.
fn replay_one(
    name: &str,
    doc: &Value,
    sessions: &mut Sessions,
    now: u64,
) -> (Vec<Value>, Result<Value, String>) {
    let mut op = match operation(&doc["operation"]) {
        Ok(op) => op,
        Err(err) => return (Vec::new(), Err(err.code().to_owned())),
    };
    let recorded = doc["exchanges"].as_array().expect("exchanges").clone();
    drive(&mut op, sessions, now, |at, _| {
        let exchange = recorded
            .get(at)
            .unwrap_or_else(|| panic!("{name}: more requests than the transcript has"));
        match answer_from(exchange) {
            Input::Failure(f) => Answer::Failure(f),
            Input::Response(r) => Answer::Response(r),
            _ => unreachable!(),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// The fake registry the transcripts are recorded against.

#[derive(Default, Clone)]
struct Repo {
    blobs: BTreeMap<String, u64>,
    /// digest → (media type, bytes), in the order pushed.
    manifests: Vec<(String, String, Vec<u8>)>,
    tags: BTreeMap<String, String>,
}

#[derive(Clone)]
struct Fault {
    method: &'static str,
    contains: String,
    nth: u32,
    what: FaultKind,
}

#[derive(Clone)]
enum FaultKind {
    /// The connection cut before anything arrived; the host reports no `received`.
    Cut,
    /// A download cut after this many bytes of its body arrived: the host reports what its
    /// sink holds (what it held before a `Range` request, plus these).
    CutAfter(u64),
    /// A download stalled after this many bytes of its body arrived (TIMEOUT).
    StallAfter(u64),
    Status(u16),
    Corrupt,
}

#[derive(Clone)]
struct Fake {
    host: String,
    repos: BTreeMap<String, Repo>,
    referrers_api: bool,
    bearer: bool,
    uploads: BTreeMap<String, (String, u64, u32)>,
    next_upload: u32,
    faults: Vec<Fault>,
    seen: HashMap<(String, String), u32>,
    /// Referrers listings a lying registry invents: subject digest → descriptors.
    invented: BTreeMap<String, Vec<Value>>,
    /// Whether a blob GET with `Range` is answered 206 with the rest (else 200, whole).
    ranges: bool,
    /// Quay: the referrers API is served, but a PUT never says `OCI-Subject`.
    no_oci_subject: bool,
    /// GitLab: a `sha256-<hex>` tag resolves to the manifest `sha256:<hex>`.
    digest_tags: bool,
    /// Quay, go-containerregistry: a `POST ?digest=` with the blob is a whole upload (201).
    single_post: bool,
}

fn res(status: u16, headers: &[(&str, String)], body: impl Into<Vec<u8>>) -> Response {
    Response {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
        body: body.into(),
        streamed: None,
    }
}

/// N of a request's `Range: bytes=N-`, 0 without one.
fn range_start(request: &Request) -> u64 {
    request
        .header_value("Range")
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn error_body(code: &str, message: &str) -> Vec<u8> {
    json!({"errors": [{"code": code, "message": message}]})
        .to_string()
        .into_bytes()
}

impl Fake {
    fn new(host: &str) -> Self {
        Self {
            host: host.to_owned(),
            repos: BTreeMap::new(),
            referrers_api: false,
            bearer: false,
            uploads: BTreeMap::new(),
            next_upload: 0,
            faults: Vec::new(),
            seen: HashMap::new(),
            invented: BTreeMap::new(),
            ranges: true,
            no_oci_subject: false,
            digest_tags: false,
            single_post: false,
        }
    }

    /// As Quay and go-containerregistry's registry: single-request uploads are taken.
    fn single_post(mut self) -> Self {
        self.single_post = true;
        self
    }

    /// As Quay: the referrers API without `OCI-Subject`.
    fn quay_like(mut self) -> Self {
        self.referrers_api = true;
        self.no_oci_subject = true;
        self
    }

    /// As GitLab: no referrers API, and `sha256-<hex>` read as the digest `sha256:<hex>`.
    fn gitlab_like(mut self) -> Self {
        self.digest_tags = true;
        self
    }

    fn with_api(mut self) -> Self {
        self.referrers_api = true;
        self
    }

    fn fault(mut self, method: &'static str, contains: &str, nth: u32, what: FaultKind) -> Self {
        self.faults.push(Fault {
            method,
            contains: contains.to_owned(),
            nth,
            what,
        });
        self
    }

    fn repo(&mut self, name: &str) -> &mut Repo {
        self.repos.entry(name.to_owned()).or_default()
    }

    fn blob(mut self, repo: &str, content: &[u8]) -> Self {
        self.repo(repo)
            .blobs
            .insert(sha(content), content.len() as u64);
        self
    }

    /// Stores a manifest (and its blobs when `with_blobs`), tagged when `tag` is given.
    fn manifest(mut self, repo: &str, media_type: &str, bytes: &[u8], tag: Option<&str>) -> Self {
        let digest = sha(bytes);
        let r = self.repo(repo);
        r.manifests.retain(|(d, _, _)| *d != digest);
        r.manifests
            .push((digest.clone(), media_type.to_owned(), bytes.to_vec()));
        if let Some(tag) = tag {
            r.tags.insert(tag.to_owned(), digest);
        }
        self
    }

    fn base(&self) -> String {
        format!("http://{}", self.host)
    }

    fn answer(&mut self, request: &Request) -> Answer {
        let method = request.method.as_str();
        let path = request
            .url
            .strip_prefix(&self.base())
            .unwrap_or_else(|| panic!("a request for another registry: {}", request.url))
            .to_owned();
        let mut keys: Vec<String> = self
            .faults
            .iter()
            .filter(|f| f.method == method && path.contains(&f.contains))
            .map(|f| f.contains.clone())
            .collect();
        keys.dedup();
        for key in keys {
            *self.seen.entry((method.to_owned(), key)).or_default() += 1;
        }
        for fault in &self.faults {
            if fault.method == method && path.contains(&fault.contains) {
                let seen = self.seen[&(method.to_owned(), fault.contains.clone())];
                if seen == fault.nth {
                    match fault.what {
                        FaultKind::Cut => {
                            if let Body::Blob { length, .. } = request.body {
                                // The registry got half the chunk before the cut.
                                if let Some(upload) = self
                                    .uploads
                                    .values_mut()
                                    .find(|u| path.contains(&format!("/uploads/u{}", u.2)))
                                {
                                    if method == "PATCH" {
                                        upload.1 += length / 2;
                                    }
                                }
                            }
                            return Answer::Failure(Failure::new(
                                FailureKind::Network,
                                "ConnectionResetError: [Errno 104] Connection reset by peer",
                            ));
                        }
                        FaultKind::CutAfter(n) => {
                            return Answer::Failure(
                                Failure::new(
                                    FailureKind::Network,
                                    "IncompleteRead: the connection was closed mid-body",
                                )
                                .with_received(range_start(request) + n),
                            );
                        }
                        FaultKind::StallAfter(n) => {
                            return Answer::Failure(
                                Failure::new(FailureKind::Timeout, "no byte for 30000 ms")
                                    .with_received(range_start(request) + n),
                            );
                        }
                        FaultKind::Status(404) => {
                            // Gone between a listing and this request.
                            let body = match request.method {
                                Method::Head => Vec::new(),
                                _ => error_body("MANIFEST_UNKNOWN", "manifest unknown"),
                            };
                            return Answer::Response(res(404, &[], body));
                        }
                        FaultKind::Status(status) => {
                            return Answer::Response(res(
                                status,
                                &[],
                                error_body("UNAVAILABLE", "try again"),
                            ));
                        }
                        FaultKind::Corrupt => {
                            let size = match request.response_body {
                                ResponseBody::Stream { max } => max,
                                ResponseBody::Capture { .. } => 0,
                            };
                            let mut r = res(200, &[], Vec::new());
                            r.streamed = Some((ocikit_core::digest::sha256(b"corrupt"), size));
                            return Answer::Response(r);
                        }
                    }
                }
            }
        }
        Answer::Response(self.serve(request, &path))
    }

    fn serve(&mut self, request: &Request, path: &str) -> Response {
        if path.starts_with("/token") {
            return res(200, &[], r#"{"token":"tok","expires_in":3600}"#);
        }
        if self.bearer && request.header_value("Authorization") != Some("Bearer tok") {
            let realm = format!(
                r#"Bearer realm="{}/token",service="fake",scope="repository:docs:pull,push""#,
                self.base()
            );
            return res(
                401,
                &[("WWW-Authenticate", realm)],
                error_body("UNAUTHORIZED", "authentication required"),
            );
        }
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let query: BTreeMap<String, String> = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.replace("%3A", ":").replace("%2F", "/")))
            .collect();
        let rest = path.strip_prefix("/v2/").expect("a /v2/ path");
        let split = |marker: &str| {
            rest.find(marker)
                .map(|at| (rest[..at].to_owned(), rest[at + marker.len()..].to_owned()))
        };
        let method = request.method;
        if let Some((repo, upload)) = split("/blobs/uploads/") {
            return self.upload(request, &repo, &upload, &query);
        }
        if let Some((repo, digest)) = split("/blobs/") {
            let size = self
                .repos
                .get(&repo)
                .and_then(|r| r.blobs.get(&digest).copied());
            return match (size, method) {
                (Some(size), Method::Head) => res(
                    200,
                    &[
                        ("Content-Length", size.to_string()),
                        ("Docker-Content-Digest", digest),
                    ],
                    Vec::new(),
                ),
                (Some(size), _) => {
                    let from = range_start(request);
                    let mut r = match from > 0 && self.ranges {
                        true => res(
                            206,
                            &[
                                ("Content-Length", (size - from).to_string()),
                                ("Content-Range", format!("bytes {from}-{}/{size}", size - 1)),
                            ],
                            Vec::new(),
                        ),
                        false => res(200, &[("Content-Length", size.to_string())], Vec::new()),
                    };
                    // The host hashes the whole blob: what it held and what came (206), or the
                    // whole body (200).
                    r.streamed = Some((Digest::parse(&digest).expect("digest"), size));
                    r
                }
                (None, Method::Head) => res(404, &[], Vec::new()),
                (None, _) => res(
                    404,
                    &[],
                    error_body("BLOB_UNKNOWN", "blob unknown to registry"),
                ),
            };
        }
        if let Some((repo, target)) = split("/manifests/") {
            return self.manifests(request, &repo, &target);
        }
        if let Some((repo, subject)) = split("/referrers/") {
            if !self.referrers_api {
                return res(
                    404,
                    &[("Content-Type", "text/plain".into())],
                    "404 page not found\n",
                );
            }
            return self.referrers(&repo, &subject, query.get("artifactType"));
        }
        if let Some((repo, _)) = split("/tags/list") {
            let tags: Vec<String> = self
                .repos
                .get(&repo)
                .map(|r| r.tags.keys().cloned().collect())
                .unwrap_or_default();
            return res(
                200,
                &[("Content-Type", "application/json".into())],
                json!({"name": repo, "tags": tags}).to_string(),
            );
        }
        panic!("the fake does not serve {} {path}", request.method)
    }

    fn upload(
        &mut self,
        request: &Request,
        repo: &str,
        upload: &str,
        query: &BTreeMap<String, String>,
    ) -> Response {
        if request.method == Method::Post {
            if let (Some(digest), Some(from)) = (query.get("mount"), query.get("from")) {
                if let Some(size) = self
                    .repos
                    .get(from)
                    .and_then(|r| r.blobs.get(digest).copied())
                {
                    self.repo(repo).blobs.insert(digest.clone(), size);
                    return res(
                        201,
                        &[
                            ("Location", format!("/v2/{repo}/blobs/{digest}")),
                            ("Docker-Content-Digest", digest.clone()),
                        ],
                        Vec::new(),
                    );
                }
            }
            if let (true, Some(digest), Body::Blob { length, .. }) =
                (self.single_post, query.get("digest"), &request.body)
            {
                self.repo(repo).blobs.insert(digest.clone(), *length);
                return res(
                    201,
                    &[
                        ("Location", format!("/v2/{repo}/blobs/{digest}")),
                        ("Docker-Content-Digest", digest.clone()),
                    ],
                    Vec::new(),
                );
            }
            // distribution 2.8.2 ignores a `digest` and the body: an upload session.
            self.next_upload += 1;
            let id = format!("u{}", self.next_upload);
            self.uploads
                .insert(id.clone(), (repo.to_owned(), 0, self.next_upload));
            return res(
                202,
                &[
                    (
                        "Location",
                        format!("/v2/{repo}/blobs/uploads/{id}?_state=0"),
                    ),
                    ("Range", "0-0".into()),
                ],
                Vec::new(),
            );
        }
        let id = upload.to_owned();
        let Some((_, received, _)) = self.uploads.get(&id).cloned() else {
            return res(
                404,
                &[],
                error_body("BLOB_UPLOAD_UNKNOWN", "blob upload unknown"),
            );
        };
        let state = query
            .get("_state")
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0)
            + 1;
        let location = format!("/v2/{repo}/blobs/uploads/{id}?_state={state}");
        let range = |n: u64| format!("0-{}", n.saturating_sub(1));
        let length = match request.body {
            Body::Blob { length, .. } => length,
            _ => 0,
        };
        match request.method {
            Method::Patch => {
                let total = received + length;
                self.uploads.get_mut(&id).expect("upload").1 = total;
                res(
                    202,
                    &[("Location", location), ("Range", range(total))],
                    Vec::new(),
                )
            }
            Method::Get => res(
                204,
                &[("Location", location), ("Range", range(received))],
                Vec::new(),
            ),
            Method::Put => {
                let digest = query.get("digest").cloned().expect("digest");
                self.uploads.remove(&id);
                self.repo(repo)
                    .blobs
                    .insert(digest.clone(), received + length);
                res(
                    201,
                    &[
                        ("Location", format!("/v2/{repo}/blobs/{digest}")),
                        ("Docker-Content-Digest", digest),
                    ],
                    Vec::new(),
                )
            }
            other => panic!("the fake does not serve {other} on an upload"),
        }
    }

    fn manifests(&mut self, request: &Request, repo: &str, target: &str) -> Response {
        let found = {
            let r = self.repos.get(repo);
            let digest = match target.starts_with("sha256:") {
                true => Some(target.to_owned()),
                false => r.and_then(|r| r.tags.get(target).cloned()).or_else(|| {
                    // GitLab reads an unknown `sha256-<hex>` tag as the digest.
                    target
                        .strip_prefix("sha256-")
                        .filter(|_| self.digest_tags)
                        .map(|hex| format!("sha256:{hex}"))
                }),
            };
            digest
                .and_then(|d| r.and_then(|r| r.manifests.iter().find(|(m, _, _)| *m == d).cloned()))
        };
        match request.method {
            Method::Get | Method::Head => match found {
                Some((digest, media_type, bytes)) => {
                    let headers = [
                        ("Content-Type", media_type),
                        ("Docker-Content-Digest", digest.clone()),
                        ("Content-Length", bytes.len().to_string()),
                        ("Etag", format!("\"{digest}\"")),
                    ];
                    let body = if request.method == Method::Head {
                        Vec::new()
                    } else {
                        bytes
                    };
                    res(200, &headers, body)
                }
                None if request.method == Method::Head => res(404, &[], Vec::new()),
                None => res(404, &[], error_body("MANIFEST_UNKNOWN", "manifest unknown")),
            },
            Method::Put => {
                let Body::Bytes(bytes) = &request.body else {
                    panic!("a manifest PUT without bytes")
                };
                let media_type = request
                    .header_value("Content-Type")
                    .expect("type")
                    .to_owned();
                let value: Value = serde_json::from_slice(bytes).expect("json");
                let digest = sha(bytes);
                let tag = (!target.starts_with("sha256:")).then_some(target);
                let api = self.referrers_api;
                *self =
                    std::mem::replace(self, Fake::new("")).manifest(repo, &media_type, bytes, tag);
                let mut headers = vec![
                    ("Location", format!("/v2/{repo}/manifests/{digest}")),
                    ("Docker-Content-Digest", digest),
                ];
                let api = api && !self.no_oci_subject;
                if let (true, Some(subject)) = (api, value["subject"]["digest"].as_str()) {
                    headers.push(("OCI-Subject", subject.to_owned()));
                }
                res(201, &headers, Vec::new())
            }
            Method::Delete => match found {
                Some((digest, _, _)) if target.starts_with("sha256:") => {
                    let r = self.repo(repo);
                    r.manifests.retain(|(d, _, _)| *d != digest);
                    r.tags.retain(|_, d| *d != digest);
                    res(202, &[], Vec::new())
                }
                Some(_) => res(400, &[], error_body("UNSUPPORTED", "delete by tag")),
                None => res(404, &[], error_body("MANIFEST_UNKNOWN", "manifest unknown")),
            },
            other => panic!("the fake does not serve {other} on a manifest"),
        }
    }

    fn referrers(&self, repo: &str, subject: &str, artifact_type: Option<&String>) -> Response {
        let mut listed: Vec<Value> = match self.invented.get(subject) {
            Some(invented) => invented.clone(),
            None => self
                .repos
                .get(repo)
                .map(|r| {
                    r.manifests
                        .iter()
                        .filter_map(|(digest, media_type, bytes)| {
                            let value: Value = serde_json::from_slice(bytes).ok()?;
                            (value["subject"]["digest"].as_str() == Some(subject)).then(|| {
                                let d =
                                    ocikit_core::registry::referrer_descriptor(media_type, bytes)
                                        .expect("referrer");
                                assert_eq!(d.digest.to_string(), *digest);
                                serde_json::from_slice(&d.to_json()).expect("json")
                            })
                        })
                        .collect()
                })
                .unwrap_or_default(),
        };
        let mut headers = vec![("Content-Type", INDEX.to_owned())];
        if let Some(wanted) = artifact_type {
            listed.retain(|d| d["artifactType"].as_str() == Some(wanted.as_str()));
            headers.push(("OCI-Filters-Applied", "artifactType".to_owned()));
        }
        let body = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": listed});
        res(200, &headers, body.to_string())
    }
}

// ---------------------------------------------------------------------------------------------
// Artifacts.

fn artifact(files: &[(&str, &[u8])], subject: Option<Descriptor>) -> (Vec<u8>, Vec<Descriptor>) {
    let mut pack = Pack::new().artifact_type(
        MediaType::parse("application/vnd.example.docs.config.v1+json").expect("mt"),
    );
    for (name, bytes) in files {
        pack = pack.file(
            File::from_bytes(*name, bytes.to_vec())
                .with_media_type(MediaType::parse("text/markdown").expect("mt")),
        );
    }
    if let Some(subject) = subject {
        pack = pack.subject(subject);
    }
    let packed = pack.build().expect("pack");
    (
        packed.manifest.bytes().to_vec(),
        packed.blobs.iter().map(|b| b.descriptor.clone()).collect(),
    )
}

fn signature(subject: &Descriptor, note: &str) -> Vec<u8> {
    let packed = Pack::new()
        .artifact_type(MediaType::parse("application/vnd.example.signature.v1+json").expect("mt"))
        .file(File::from_bytes("sig.txt", note.as_bytes().to_vec()))
        .subject(subject.clone())
        .build()
        .expect("pack");
    packed.manifest.bytes().to_vec()
}

fn descriptor(media_type: &str, bytes: &[u8]) -> Descriptor {
    Descriptor::for_content(MediaType::parse(media_type).expect("mt"), bytes)
}

fn index_of(manifests: &[Descriptor], subject: Option<Descriptor>) -> Vec<u8> {
    ocikit_core::pack::index(
        manifests.to_vec(),
        Some(MediaType::parse("application/vnd.example.bundle.v1").expect("mt")),
        Default::default(),
        subject,
    )
    .expect("index")
    .bytes()
    .to_vec()
}

const EMPTY: &[u8] = b"{}";
const BIG: &[u8] = b"0123456789abcdefghij";

/// A fake stocked with a docs artifact (`docs:v1`, files a.md and b.md) and its blobs.
fn stocked(fake: Fake, repo: &str) -> (Fake, Vec<u8>) {
    let (manifest, _) = artifact(&[("a.md", b"# A\n"), ("b.md", b"# B\n")], None);
    let fake = fake
        .blob(repo, EMPTY)
        .blob(repo, b"# A\n")
        .blob(repo, b"# B\n")
        .manifest(repo, OCI, &manifest, Some("v1"));
    (fake, manifest)
}

struct Scenario {
    name: &'static str,
    description: &'static str,
    fakes: Vec<Fake>,
    sessions: Value,
    /// Operations run first on the same sessions (what the session learns from them changes
    /// the plan of `operation`), each recorded with its exchanges and result.
    before: Vec<Value>,
    operation: Value,
}

fn session(registry: &str) -> Value {
    json!({"registry": registry, "plainHttp": true, "credentials": null})
}

fn push_op(manifest: &[u8], extra: Value) -> Value {
    let mut op = json!({
        "op": "push",
        "reference": format!("{R}/docs:v1"),
        "mediaType": OCI,
        "manifest": String::from_utf8(manifest.to_vec()).expect("utf-8"),
    });
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            op[k] = v;
        }
    }
    op
}

fn one(name: &'static str, description: &'static str, fake: Fake, operation: Value) -> Scenario {
    Scenario {
        name,
        description,
        fakes: vec![fake],
        sessions: json!([session(R)]),
        before: Vec::new(),
        operation,
    }
}

#[allow(clippy::too_many_lines)] // the list of scenarios
fn scenarios() -> Vec<Scenario> {
    let (docs, _) = artifact(&[("a.md", b"# A\n"), ("b.md", b"# B\n")], None);
    let docs_d = descriptor(OCI, &docs);
    let (shared, _) = artifact(&[("a.md", b"same\n"), ("copy/a.md", b"same\n")], None);
    let (dup, _) = artifact(&[("a.md", b"# A\n"), ("a.md", b"# A2\n")], None);
    let (dup_case, _) = artifact(&[("Notes.md", b"1\n"), ("notes.MD", b"2\n")], None);
    let (clash, _) = artifact(&[("a", b"file\n"), ("a/b.md", b"inside\n")], None);
    let (git, _) = artifact(
        &[("hooks/x.md", b"1\n"), (".git/config", b"[core]\n")],
        None,
    );
    let (big, _) = artifact(&[("big.bin", BIG)], None);
    let many_files: Vec<(String, Vec<u8>)> = (0..12)
        .map(|i| (format!("f{i:02}.md"), format!("# {i}\n").into_bytes()))
        .collect();
    let (many, _) = artifact(
        &many_files
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect::<Vec<_>>(),
        None,
    );
    let huge_bytes = vec![b'x'; 4 * 1024 * 1024 + 8];
    let (huge, _) = artifact(&[("huge.bin", &huge_bytes)], None);
    let sig = signature(&docs_d, "signed\n");
    let sig_d = descriptor(OCI, &sig);
    let sig2 = signature(&docs_d, "second\n");
    let sig_of_sig = signature(&sig_d, "counter\n");
    let bundle = index_of(std::slice::from_ref(&docs_d), None);
    let bundle_d = descriptor(INDEX, &bundle);
    let sig_of_bundle = signature(&bundle_d, "bundle signed\n");
    let index_referrer = index_of(std::slice::from_ref(&sig_d), Some(docs_d.clone()));
    let (other, _) = artifact(&[("a.md", b"same\n"), ("c.md", b"# C\n")], None);
    let other_d = descriptor(OCI, &other);
    let two = index_of(&[descriptor(OCI, &shared), other_d.clone()], None);
    let signed = |fake: Fake| {
        let (fake, _) = stocked(fake, "docs");
        fake.blob("docs", b"signed\n")
            .manifest("docs", OCI, &sig, None)
    };
    let tag_index = |entries: &[Descriptor]| index_of(entries, None);
    let tag_of = |d: &Descriptor| format!("sha256-{}", d.digest.encoded());
    let empty = || Fake::new(R);
    // The 20-byte file of `big`, tagged docs:v1 with its config.
    let big_blob = format!("/blobs/{}", sha(BIG));
    let big_fake = |fake: Fake| {
        fake.blob("docs", EMPTY)
            .blob("docs", BIG)
            .manifest("docs", OCI, &big, Some("v1"))
    };

    vec![
        // ---- push
        one(
            "push-new-blobs",
            "push to an empty repository: each blob checked (HEAD), uploaded in one PUT, then the manifest",
            empty(),
            push_op(&docs, json!({})),
        ),
        one(
            "push-existing-blobs",
            "push where the repository has every blob: HEADs only, then the manifest",
            stocked(empty(), "docs").0,
            push_op(&docs, json!({})),
        ),
        one(
            "push-some-existing",
            "the config exists, the files do not: only they are uploaded",
            empty().blob("docs", EMPTY),
            push_op(&docs, json!({})),
        ),
        one(
            "push-shared-digest-once",
            "two titles with the same content: one blob, checked and uploaded once",
            empty(),
            push_op(&shared, json!({})),
        ),
        one(
            "push-duplicate-title-refused",
            "push a.md a.md: refused before any request by the pull plan's rule (pull would refuse it)",
            empty(),
            push_op(&dup, json!({})),
        ),
        one(
            "push-duplicate-title-case-refused",
            "Notes.md and notes.MD are one file on Windows and macOS: refused",
            empty(),
            push_op(&dup_case, json!({})),
        ),
        one(
            "push-file-directory-clash-refused",
            "a file 'a' and a file 'a/b.md' cannot both be pulled: refused",
            empty(),
            push_op(&clash, json!({})),
        ),
        one(
            "push-git-title-allowed",
            "push does not refuse .git titles (pull does, unless allowed)",
            empty(),
            push_op(&git, json!({})),
        ),
        one(
            "push-with-tags",
            "the manifest under its tag, then under each other tag",
            stocked(empty(), "docs").0,
            push_op(&docs, json!({"tags": ["latest", "stable", "v1"]})),
        ),
        one(
            "push-chunked",
            "chunks of 8 bytes PATCHed to the newest Location, closed by a PUT",
            empty().blob("docs", EMPTY),
            push_op(&big, json!({"chunkSize": 8})),
        ),
        Scenario {
            name: "push-chunked-ghcr-profile",
            before: Vec::new(),
            description: "the ghcr profile caps chunks at 4 MiB (GHCR answers 416 to a larger PATCH): 8 MiB asked, a 4 MiB + 8 byte blob goes as a 4 MiB PATCH, an 8 byte PATCH and the closing PUT",
            fakes: vec![empty().blob("docs", EMPTY)],
            sessions: json!([{"registry": R, "plainHttp": true, "credentials": null, "profile": "ghcr"}]),
            operation: push_op(&huge, json!({"chunkSize": 8 * 1024 * 1024})),
        },
        Scenario {
            name: "push-chunked-ecr-profile",
            before: Vec::new(),
            description: "the ecr profile uploads each blob in one PUT (ECR drops later chunks): chunks of 8 bytes asked, none sent",
            fakes: vec![empty().blob("docs", EMPTY)],
            sessions: json!([{"registry": R, "plainHttp": true, "credentials": null, "profile": "ecr"}]),
            operation: push_op(&big, json!({"chunkSize": 8})),
        },
        one(
            "push-chunk-cut-resumed",
            "a chunk cut by the network: after the backoff the engine asks where the upload is and sends the rest",
            empty()
                .blob("docs", EMPTY)
                .fault("PATCH", "/blobs/uploads/", 2, FaultKind::Cut),
            push_op(&big, json!({"chunkSize": 8})),
        ),
        one(
            "push-put-cut-resumed",
            "a monolithic PUT cut: the engine asks the upload's status and sends it again",
            empty()
                .blob("docs", EMPTY)
                .fault("PUT", "/blobs/uploads/", 1, FaultKind::Cut),
            push_op(&big, json!({})),
        ),
        one(
            "push-cut-gives-up",
            "an upload cut again and again: resumed 3 times with backoff, then NETWORK_ERROR",
            empty()
                .blob("docs", EMPTY)
                .fault("PUT", "/blobs/uploads/", 1, FaultKind::Cut)
                .fault("PUT", "/blobs/uploads/", 2, FaultKind::Cut)
                .fault("PUT", "/blobs/uploads/", 3, FaultKind::Cut)
                .fault("PUT", "/blobs/uploads/", 4, FaultKind::Cut),
            push_op(&big, json!({})),
        ),
        one(
            "push-manifest-503-retried",
            "a 503 on the manifest PUT is retried after the backoff",
            stocked(empty(), "docs")
                .0
                .fault("PUT", "/manifests/v1", 1, FaultKind::Status(503)),
            push_op(&docs, json!({})),
        ),
        one(
            "push-mount",
            "blobs mounted from another repository of the registry, without a HEAD first (small blobs: a mount answers 201 whether or not the repository had them)",
            {
                let (fake, _) = stocked(empty(), "base");
                fake
            },
            push_op(&docs, json!({"mountFrom": "base"})),
        ),
        one(
            "push-mount-answered-202",
            "a mount the registry answers 202 (the source lacks the blob, or the registry does not mount): the upload goes on in the session it opened, no request lost",
            empty(),
            push_op(&docs, json!({"mountFrom": "base"})),
        ),
        one(
            "push-mount-refused-falls-back",
            "a mount refused outright (403 DENIED: no pull on the source, or mounts off): the blob goes up in a plain upload session instead; the other blobs are mounted",
            stocked(empty(), "base")
                .0
                .fault("POST", "mount=", 1, FaultKind::Status(403)),
            push_op(&docs, json!({"mountFrom": "base"})),
        ),
        one(
            "push-new-artifact-small-layers",
            "a new artifact of 12 small layers: the config and the first 8 layers are checked, none is there, and the other 4 are uploaded without a HEAD",
            empty(),
            push_op(&many, json!({})),
        ),
        one(
            "push-small-layer-uploaded-unchecked-existed",
            "a new artifact whose last small layer the repository had: uploaded again without a HEAD (harmless: the registry takes the same bytes again)",
            empty().blob("docs", &many_files[11].1),
            push_op(&many, json!({})),
        ),
        one(
            "push-probe-found-checks-every-layer",
            "one of the first 8 small layers is there: not a new artifact, every layer is checked",
            empty().blob("docs", &many_files[0].1),
            push_op(&many, json!({})),
        ),
        Scenario {
            name: "push-single-post-taken",
            before: vec![push_op(&docs, json!({}))],
            description: "a registry that takes single-request uploads (Quay, go-containerregistry): the session's first push probed with its first blob (POST ?digest= with the body, 201; the other blobs, handed out before the answer, went POST then PUT); this push on the same session sends each of its 12 new layers in one POST, 8 of them after the new artifact's HEAD",
            fakes: vec![empty().single_post()],
            sessions: json!([session(R)]),
            operation: push_op(&many, json!({"reference": format!("{R}/docs:v2")})),
        },
        Scenario {
            name: "push-single-post-refused",
            before: vec![push_op(&docs, json!({}))],
            description: "distribution 2.8.2 does not take single-request uploads: the session's first push probed with its first blob (POST ?digest= with the body, answered 202 with an upload session the blob was then PUT into: its bytes sent twice, once); this push on the same session does not probe again: POST then PUT for each new layer",
            fakes: vec![empty()],
            sessions: json!([session(R)]),
            operation: push_op(&many, json!({"reference": format!("{R}/docs:v2")})),
        },
        Scenario {
            name: "push-known-blobs-skipped",
            before: vec![push_op(&docs, json!({}))],
            description: "a push after a push of the same blobs on the session: no blob request at all, only the manifest",
            fakes: vec![empty()],
            sessions: json!([session(R)]),
            operation: push_op(&docs, json!({"reference": format!("{R}/docs:v2")})),
        },
        Scenario {
            name: "push-mount-from-repository-seen",
            before: vec![json!({"op": "pull", "reference": format!("{R}/base:v1")})],
            description: "a push of blobs the session pulled from another repository: the two layers are mounted from there (201) without a HEAD; the config, which the pull did not download, is checked and uploaded",
            fakes: vec![stocked(empty(), "base").0],
            sessions: json!([session(R)]),
            operation: push_op(&docs, json!({})),
        },
        one(
            "push-dry-run",
            "a dry run: the plan (every blob, the manifest, the requests) and no request at all",
            empty(),
            push_op(&docs, json!({"dryRun": true, "tags": ["latest"]})),
        ),
        Scenario {
            name: "push-bearer-token",
            before: Vec::new(),
            description: "a registry asking for a Bearer token: one token request, then every task carries the token",
            fakes: vec![{
                let mut f = empty();
                f.bearer = true;
                f
            }],
            sessions: json!([session(R)]),
            operation: push_op(&docs, json!({})),
        },
        // ---- attach
        one(
            "attach-referrers-api",
            "attach to a registry with the referrers API (OCI-Subject): no referrers tag",
            signed(empty().with_api()).blob("docs", b"second\n"),
            push_op(&sig2, json!({"reference": format!("{R}/docs")})),
        ),
        one(
            "attach-no-referrers-api",
            "attach without the referrers API: the subject's referrers tag is created with the manifest",
            stocked(empty(), "docs").0,
            push_op(&sig, json!({"reference": format!("{R}/docs")})),
        ),
        one(
            "attach-no-oci-subject-probed",
            "attach to a registry that serves the referrers API but sends no OCI-Subject (Quay): the engine asks GET /referrers/<subject> once, a 200 with an index proves the API, and no fallback tag is written",
            stocked(empty().quay_like(), "docs").0,
            push_op(&sig, json!({"reference": format!("{R}/docs")})),
        ),
        one(
            "attach-fallback-read-is-the-subject",
            "attach to a registry that resolves sha256-<hex> to the digest (GitLab): the probe's 404 proves nothing, the fallback read returns the subject itself, which is ignored: a new referrers index is written without If-Match",
            stocked(empty().gitlab_like(), "docs").0,
            push_op(&sig, json!({"reference": format!("{R}/docs")})),
        ),
        one(
            "attach-no-referrers-api-existing-index",
            "a referrers tag listing one signature gets the second added (If-Match on its ETag)",
            signed(empty()).manifest(
                "docs",
                INDEX,
                &tag_index(&[ocikit_core::registry::referrer_descriptor(OCI, &sig).expect("d")]),
                Some(&tag_of(&docs_d)),
            ),
            push_op(&sig2, json!({"reference": format!("{R}/docs")})),
        ),
        one(
            "attach-to-index-subject",
            "an index as the subject, no referrers API: its referrers tag is kept like a manifest's",
            stocked(empty(), "docs")
                .0
                .manifest("docs", INDEX, &bundle, Some("bundle")),
            push_op(&sig_of_bundle, json!({"reference": format!("{R}/docs")})),
        ),
        one(
            "attach-index-referrer",
            "an index with a subject pushed without the referrers API: the tag lists it with its artifactType",
            signed(empty()),
            json!({
                "op": "push", "reference": format!("{R}/docs"), "mediaType": INDEX, "manifest": String::from_utf8(index_referrer.clone()).expect("utf-8"),
            }),
        ),
        // ---- pull
        one(
            "pull-files",
            "pull: the manifest, the plan, one GET per titled layer streamed to its sink",
            stocked(empty(), "docs").0,
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-same-digest-once",
            "two titles with one digest: downloaded once, written twice",
            empty()
                .blob("docs", b"same\n")
                .blob("docs", EMPTY)
                .manifest("docs", OCI, &shared, Some("v1")),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-git-title-refused",
            "a .git title: PATH_UNSAFE after the manifest, before any download",
            empty().manifest("docs", OCI, &git, Some("v1")),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-git-title-allowed",
            "allow_git: the .git title is pulled",
            empty()
                .blob("docs", b"1\n")
                .blob("docs", b"[core]\n")
                .manifest("docs", OCI, &git, Some("v1")),
            json!({"op": "pull", "reference": format!("{R}/docs:v1"), "allowGit": true}),
        ),
        one(
            "pull-duplicate-title-refused",
            "two layers titled a.md (pushed by another tool): refused before any download",
            empty().manifest("docs", OCI, &dup, Some("v1")),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-cut-restarted",
            "a download cut by the network starts over after the backoff",
            stocked(empty(), "docs")
                .0
                .fault("GET", "/blobs/", 1, FaultKind::Cut),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-cut-gives-up",
            "a download cut every time: retried per the retry policy (4), then NETWORK_ERROR",
            {
                let mut f = stocked(empty(), "docs").0;
                for n in 1..=5 {
                    f = f.fault(
                        "GET",
                        &format!("/blobs/{}", sha(b"# A\n")),
                        n,
                        FaultKind::Cut,
                    );
                }
                f
            },
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-cut-resumed-with-range",
            "a download cut after 8 of its 20 bytes: after the backoff the rest is asked for with Range: bytes=8- and the host appends the 206",
            big_fake(empty()).fault("GET", &big_blob, 1, FaultKind::CutAfter(8)),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-cut-twice",
            "cut after 8 bytes, then the resumed body cut after 6 more: Range bytes=8-, then bytes=14- after a longer backoff",
            big_fake(empty())
                .fault("GET", &big_blob, 1, FaultKind::CutAfter(8))
                .fault("GET", &big_blob, 2, FaultKind::CutAfter(6)),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-range-ignored",
            "a registry that ignores Range answers 200 with the whole blob: the host starts over and reports the whole blob's digest and size",
            {
                let mut f = big_fake(empty()).fault("GET", &big_blob, 1, FaultKind::CutAfter(8));
                f.ranges = false;
                f
            },
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-range-not-satisfiable",
            "a 416 to the Range of a resumed download: the whole blob is asked for at once (no Range), the host starts over",
            big_fake(empty())
                .fault("GET", &big_blob, 1, FaultKind::CutAfter(8))
                .fault("GET", &big_blob, 2, FaultKind::Status(416)),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-cut-nothing-received",
            "a download cut before any byte of its body arrived (received 0): started over without Range after the backoff",
            big_fake(empty()).fault("GET", &big_blob, 1, FaultKind::CutAfter(0)),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-resume-gives-up",
            "a download cut every time after 3 more bytes: continued with Range 4 times (the retry policy's max), with backoff, then NETWORK_ERROR",
            {
                let mut f = big_fake(empty());
                for n in 1..=5 {
                    f = f.fault("GET", &big_blob, n, FaultKind::CutAfter(3));
                }
                f
            },
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-stall-without-bytes",
            "a download that stalls before any byte of its body (TIMEOUT, nothing received) is not sent again: another attempt would cost the stall timeout again",
            big_fake(empty()).fault("GET", &big_blob, 1, FaultKind::StallAfter(0)),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "pull-download-stall-after-bytes-resumed",
            "a download that stalls after 8 new bytes (the registry answers): continued with Range: bytes=8- after the backoff",
            big_fake(empty()).fault("GET", &big_blob, 1, FaultKind::StallAfter(8)),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        Scenario {
            name: "copy-download-cut-resumed-with-range",
            before: Vec::new(),
            description: "a copy between registries whose download to the spool is cut after 8 bytes: continued with Range, then uploaded whole from the spool",
            fakes: vec![
                big_fake(empty()).fault("GET", &big_blob, 1, FaultKind::CutAfter(8)),
                Fake::new(R2).blob("docs", EMPTY),
            ],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs:v1")}),
        },
        one(
            "pull-corrupt-blob",
            "a blob whose bytes do not hash to its digest: DIGEST_MISMATCH, not retried",
            stocked(empty(), "docs")
                .0
                .fault("GET", "/blobs/", 1, FaultKind::Corrupt),
            json!({"op": "pull", "reference": format!("{R}/docs:v1")}),
        ),
        // ---- discover
        one(
            "discover-tree-api",
            "discover with the referrers API: two signatures, one countersigned; a level at a time",
            signed(empty().with_api())
                .manifest("docs", OCI, &sig2, None)
                .manifest("docs", OCI, &sig_of_sig, None),
            json!({"op": "discover", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "discover-tag-schema",
            "discover without the referrers API: the referrers tag schema, learnt once per session",
            signed(empty()).manifest(
                "docs",
                INDEX,
                &tag_index(&[ocikit_core::registry::referrer_descriptor(OCI, &sig).expect("d")]),
                Some(&tag_of(&docs_d)),
            ),
            json!({"op": "discover", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "discover-fallback-read-is-the-subject",
            "discover on a registry that resolves sha256-<hex> to the digest (GitLab): the fallback read returns the subject itself, which lists nothing",
            stocked(empty().gitlab_like(), "docs").0,
            json!({"op": "discover", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "discover-invented-cycle",
            "a registry claims the subject and the signature refer to each other: each digest once, no loop",
            {
                let mut f = signed(empty().with_api());
                let sig_value: Value = serde_json::from_slice(
                    &ocikit_core::registry::referrer_descriptor(OCI, &sig)
                        .expect("d")
                        .to_json(),
                )
                .expect("json");
                let docs_value: Value = serde_json::from_slice(&docs_d.to_json()).expect("json");
                f.invented
                    .insert(sig_d.digest.to_string(), vec![docs_value, sig_value]);
                f
            },
            json!({"op": "discover", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "discover-depth-1",
            "depth 1: the subject's referrers only",
            signed(empty().with_api()).manifest("docs", OCI, &sig_of_sig, None),
            json!({"op": "discover", "reference": format!("{R}/docs:v1"), "depth": 1}),
        ),
        one(
            "discover-node-limit",
            "more referrers than WalkLimits.max_nodes: LIMIT_EXCEEDED",
            signed(empty().with_api()).manifest("docs", OCI, &sig2, None),
            json!({"op": "discover", "reference": format!("{R}/docs:v1"), "limits": {"maxNodes": 1}}),
        ),
        one(
            "discover-depth-limit",
            "a countersignature two levels down with WalkLimits.max_depth 1: LIMIT_EXCEEDED",
            signed(empty().with_api()).manifest("docs", OCI, &sig_of_sig, None),
            json!({"op": "discover", "reference": format!("{R}/docs:v1"), "limits": {"maxDepth": 1}}),
        ),
        one(
            "discover-artifact-type",
            "only referrers of one artifactType (the registry filters)",
            signed(empty().with_api()).manifest("docs", INDEX, &index_referrer, None),
            json!({"op": "discover", "reference": format!("{R}/docs:v1"), "artifactType": "application/vnd.example.signature.v1+json"}),
        ),
        // ---- delete
        one(
            "delete-by-tag",
            "delete by tag: GET resolves it to its digest, DELETE by digest",
            stocked(empty(), "docs").0,
            json!({"op": "delete", "reference": format!("{R}/docs:v1")}),
        ),
        one(
            "delete-referrer-updates-tag-index",
            "deleting a referrer on a registry without the referrers API removes it from the subject's referrers tag",
            signed(empty()).manifest("docs", OCI, &sig2, None).manifest(
                "docs",
                INDEX,
                &tag_index(&[
                    ocikit_core::registry::referrer_descriptor(OCI, &sig).expect("d"),
                    ocikit_core::registry::referrer_descriptor(OCI, &sig2).expect("d"),
                ]),
                Some(&tag_of(&docs_d)),
            ),
            json!({"op": "delete", "reference": format!("{R}/docs@{}", sig_d.digest)}),
        ),
        one(
            "delete-referrer-not-in-index",
            "a referrer the referrers tag does not list: nothing to write",
            signed(empty()),
            json!({"op": "delete", "reference": format!("{R}/docs@{}", sig_d.digest)}),
        ),
        one(
            "delete-unknown",
            "a tag that does not exist: MANIFEST_UNKNOWN, nothing deleted",
            empty(),
            json!({"op": "delete", "reference": format!("{R}/docs:v9")}),
        ),
        one(
            "tags-of-digest",
            "the tags pointing at a digest: list, then HEAD each",
            {
                let (f, m) = stocked(empty(), "docs");
                f.manifest("docs", OCI, &m, Some("latest"))
                    .manifest("docs", OCI, &sig, Some("sig"))
            },
            json!({"op": "tagsOf", "reference": format!("{R}/docs"), "digest": docs_d.digest.to_string()}),
        ),
        one(
            "tags-of-bounded",
            "at most max tags are resolved; the rest are counted as unchecked",
            {
                let (f, m) = stocked(empty(), "docs");
                f.manifest("docs", OCI, &m, Some("latest")).manifest(
                    "docs",
                    OCI,
                    &m,
                    Some("stable"),
                )
            },
            json!({"op": "tagsOf", "reference": format!("{R}/docs"), "digest": docs_d.digest.to_string(), "max": 2}),
        ),
        one(
            "tags-of-tag-deleted-meanwhile",
            "a tag listed but deleted before its HEAD points nowhere: not an error",
            {
                let (f, m) = stocked(empty(), "docs");
                f.manifest("docs", OCI, &m, Some("latest"))
                    .fault("HEAD", "/manifests/latest", 1, FaultKind::Status(404))
                    .fault("GET", "/manifests/latest", 1, FaultKind::Status(404))
            },
            json!({"op": "tagsOf", "reference": format!("{R}/docs"), "digest": docs_d.digest.to_string()}),
        ),
        Scenario {
            name: "tags-of-listing-limit",
            before: Vec::new(),
            description: "a tag listing over Limits.list_entries_max: LIMIT_EXCEEDED",
            fakes: vec![{
                let (f, m) = stocked(empty(), "docs");
                f.manifest("docs", OCI, &m, Some("latest")).manifest(
                    "docs",
                    OCI,
                    &m,
                    Some("stable"),
                )
            }],
            sessions: json!([{"registry": R, "plainHttp": true, "credentials": null, "limits": {"listEntriesMax": 2}}]),
            operation: json!({"op": "tagsOf", "reference": format!("{R}/docs"), "digest": docs_d.digest.to_string()}),
        },
        // ---- copy
        one(
            "copy-same-registry-mount",
            "a copy within one registry: blobs mounted, the manifest written under the tag",
            stocked(empty(), "docs").0,
            json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R}/mirror:v1")}),
        ),
        Scenario {
            name: "copy-cross-registry",
            before: Vec::new(),
            description: "a copy between registries: HEAD at the destination, GET to the spool, upload from it",
            fakes: vec![
                stocked(empty(), "docs").0,
                Fake::new(R2).blob("docs", EMPTY),
            ],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs")}),
        },
        Scenario {
            name: "copy-shared-children",
            before: Vec::new(),
            description: "an index of two manifests sharing a layer: each digest fetched and copied once, children before the index",
            fakes: vec![
                empty()
                    .blob("docs", EMPTY)
                    .blob("docs", b"same\n")
                    .blob("docs", b"# C\n")
                    .manifest("docs", OCI, &shared, None)
                    .manifest("docs", OCI, &other, None)
                    .manifest("docs", INDEX, &two, Some("all")),
                Fake::new(R2),
            ],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:all"), "destination": format!("{R2}/docs:all")}),
        },
        Scenario {
            name: "copy-with-referrers",
            before: Vec::new(),
            description: "copy -r from a registry with the referrers API to one without: the signature after its subject, with the referrers tag at the destination",
            fakes: vec![signed(empty().with_api()), Fake::new(R2)],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs:v1"), "referrers": true}),
        },
        Scenario {
            name: "copy-with-referrers-no-oci-subject",
            before: Vec::new(),
            description: "copy -r to a registry that serves the referrers API without OCI-Subject (Quay): one probe of the API at the destination proves it, and no referrers tag is written",
            fakes: vec![signed(empty().with_api()), Fake::new(R2).quay_like()],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs:v1"), "referrers": true}),
        },
        Scenario {
            name: "copy-dry-run",
            before: Vec::new(),
            description: "a dry run: only the source is read (the walk); the plan lists what would be written",
            fakes: vec![signed(empty().with_api()), Fake::new(R2)],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs:v1"), "referrers": true, "dryRun": true}),
        },
        Scenario {
            name: "copy-existing-at-destination",
            before: Vec::new(),
            description: "blobs the destination has are neither downloaded nor uploaded",
            fakes: vec![stocked(empty(), "docs").0, stocked(Fake::new(R2), "docs").0],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs:v2")}),
        },
        Scenario {
            name: "copy-node-limit",
            before: Vec::new(),
            description: "a graph over WalkLimits.max_nodes: LIMIT_EXCEEDED before anything is written",
            fakes: vec![stocked(empty(), "docs").0, Fake::new(R2)],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs:v1"), "limits": {"maxNodes": 2}}),
        },
        Scenario {
            name: "copy-bytes-limit",
            before: Vec::new(),
            description: "documents over WalkLimits.max_bytes held by the walk: LIMIT_EXCEEDED before anything is written",
            fakes: vec![signed(empty().with_api()), Fake::new(R2)],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:v1"), "destination": format!("{R2}/docs:v1"), "referrers": true, "limits": {"maxBytes": 700}}),
        },
        Scenario {
            name: "copy-index-referrer-of-index",
            before: Vec::new(),
            description: "copy -r of an index whose referrer is a signature: the index after its manifest, the signature after the index, its referrers tag kept",
            fakes: vec![
                stocked(empty().with_api(), "docs")
                    .0
                    .blob("docs", b"bundle signed\n")
                    .manifest("docs", INDEX, &bundle, Some("bundle"))
                    .manifest("docs", OCI, &sig_of_bundle, None),
                Fake::new(R2),
            ],
            sessions: json!([session(R), session(R2)]),
            operation: json!({"op": "copy", "source": format!("{R}/docs:bundle"), "destination": format!("{R2}/docs:bundle"), "referrers": true}),
        },
        Scenario {
            name: "push-deadline-passes",
            before: Vec::new(),
            description: "a retry wait that would pass the operation's deadline (Limits.deadline_ms): TIMEOUT",
            fakes: vec![
                stocked(empty(), "docs")
                    .0
                    .fault("PUT", "/manifests/v1", 1, FaultKind::Status(503))
                    .fault("PUT", "/manifests/v1", 2, FaultKind::Status(503)),
            ],
            sessions: json!([{"registry": R, "plainHttp": true, "credentials": null, "limits": {"deadlineMs": 600}}]),
            operation: push_op(&docs, json!({})),
        },
    ]
}

fn record(scenario: &Scenario) -> Value {
    let mut fakes = scenario.fakes.clone();
    let mut sessions = sessions(&scenario.sessions);
    let mut run = |spec: &Value, sessions: &mut Sessions| {
        let (exchanges, result) = match operation(spec) {
            Err(err) => (Vec::new(), Err(err.code().to_owned())),
            Ok(mut op) => drive(&mut op, sessions, 0, |_, request| {
                let fake = fakes
                    .iter_mut()
                    .find(|f| request.url.starts_with(&f.base()))
                    .unwrap_or_else(|| panic!("no fake for {}", request.url));
                fake.answer(request)
            }),
        };
        let mut doc = json!({"operation": spec, "exchanges": exchanges});
        match result {
            Ok(result) => doc["result"] = result,
            Err(code) => doc["error"] = Value::String(code),
        }
        doc
    };
    let before: Vec<Value> = scenario
        .before
        .iter()
        .map(|spec| run(spec, &mut sessions))
        .collect();
    let main = run(&scenario.operation, &mut sessions);
    let mut doc = json!({
        "name": scenario.name,
        "description": scenario.description,
        "sessions": scenario.sessions,
    });
    if !before.is_empty() {
        doc["before"] = Value::Array(before);
    }
    doc["operation"] = main["operation"].clone();
    doc["now"] = json!(0);
    doc["exchanges"] = main["exchanges"].clone();
    for key in ["result", "error"] {
        if let Some(value) = main.get(key) {
            doc[key] = value.clone();
        }
    }
    doc
}

fn load() -> Vec<Value> {
    let mut docs: Vec<(String, Value)> = std::fs::read_dir(dir())
        .expect("scenarios")
        .filter_map(|e| {
            let path = e.expect("entry").path();
            (path.extension().is_some_and(|x| x == "json")).then(|| {
                let doc: Value =
                    serde_json::from_str(&std::fs::read_to_string(&path).expect("read"))
                        .expect("json");
                (path.display().to_string(), doc)
            })
        })
        .collect();
    docs.sort_by(|a, b| a.0.cmp(&b.0));
    docs.into_iter().map(|(_, d)| d).collect()
}

#[test]
fn scenarios_record_or_replay() {
    if std::env::var_os("OCIKIT_RECORD_SCENARIOS").is_some() {
        std::fs::create_dir_all(dir()).expect("dir");
        for scenario in scenarios() {
            let doc = record(&scenario);
            let text = serde_json::to_string_pretty(&doc).expect("json") + "\n";
            std::fs::write(dir().join(format!("{}.json", scenario.name)), text).expect("write");
        }
    }
    let docs = load();
    assert!(docs.len() >= 30, "only {} scenarios", docs.len());
    let listed: Vec<String> = scenarios().iter().map(|s| s.name.to_owned()).collect();
    for doc in &docs {
        let name = text(doc, "name");
        assert!(listed.contains(&name), "{name} is not made by scenarios()");
        let (exchanges, result) = replay(doc);
        assert_eq!(
            Value::Array(exchanges),
            doc["exchanges"],
            "{name}: the requests differ from the transcript"
        );
        match (result, doc.get("error").and_then(Value::as_str)) {
            (Ok(result), None) => assert_eq!(result, doc["result"], "{name}: result"),
            (Err(code), Some(expected)) => assert_eq!(code, expected, "{name}: error"),
            (got, want) => panic!("{name}: got {got:?}, expected error {want:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the scenarios show.

fn scenario(name: &str) -> Value {
    load()
        .into_iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no scenario {name}"))
}

fn requests(doc: &Value) -> Vec<(String, String)> {
    doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e.get("request"))
        .map(|r| (text(r, "method"), text(r, "url")))
        .collect()
}

fn count(doc: &Value, method: &str, contains: &str) -> usize {
    requests(doc)
        .iter()
        .filter(|(m, u)| m == method && u.contains(contains))
        .count()
}

#[test]
fn each_digest_is_checked_and_sent_once() {
    for doc in load() {
        let name = text(&doc, "name");
        let mut heads: BTreeMap<String, u32> = BTreeMap::new();
        let mut downloads: BTreeMap<String, u32> = BTreeMap::new();
        for exchange in doc["exchanges"].as_array().expect("exchanges") {
            let Some(request) = exchange.get("request") else {
                continue;
            };
            let (method, url) = (text(request, "method"), text(request, "url"));
            // A 401 asks for a token: the check is the request sent again with it.
            if exchange["response"]["status"] == 401 {
                continue;
            }
            if method == "HEAD" && url.contains("/blobs/") {
                *heads.entry(url.clone()).or_default() += 1;
            }
            if method == "GET" && url.contains("/blobs/sha256:") {
                *downloads.entry(url).or_default() += 1;
            }
        }
        assert!(
            heads.values().all(|&n| n == 1),
            "{name}: a blob checked twice: {heads:?}"
        );
        let cut = doc["exchanges"]
            .as_array()
            .expect("exchanges")
            .iter()
            .any(|e| e.get("failure").is_some());
        if !cut {
            assert!(
                downloads.values().all(|&n| n == 1),
                "{name}: a blob downloaded twice"
            );
        }
    }
}

#[test]
fn push_refuses_duplicate_titles_without_a_request() {
    for name in [
        "push-duplicate-title-refused",
        "push-duplicate-title-case-refused",
        "push-file-directory-clash-refused",
    ] {
        let doc = scenario(name);
        assert_eq!(doc["error"], "ANNOTATION_INVALID", "{name}");
        assert!(
            requests(&doc).is_empty(),
            "{name}: no request before the refusal"
        );
    }
    // The pull of the same manifest refuses it by the same rule.
    assert_eq!(
        scenario("pull-duplicate-title-refused")["error"],
        "ANNOTATION_INVALID"
    );
    assert_eq!(
        count(&scenario("pull-duplicate-title-refused"), "GET", "/blobs/"),
        0
    );
}

#[test]
fn push_sends_each_shared_blob_once_and_mounts() {
    let doc = scenario("push-shared-digest-once");
    assert_eq!(count(&doc, "PUT", "/blobs/uploads/"), 2); // the config and the one file
    let doc = scenario("push-mount");
    let blobs = doc["result"]["blobs"].as_array().expect("blobs").clone();
    assert!(blobs.iter().all(|b| b[1] == "mounted"), "{blobs:?}");
    assert_eq!(count(&doc, "PUT", "/blobs/uploads/"), 0);
    assert_eq!(
        count(&doc, "HEAD", "/blobs/"),
        0,
        "small blobs are mounted unchecked"
    );
}

#[test]
fn referrers_tag_upkeep_for_manifest_and_index_subjects() {
    for name in [
        "attach-no-referrers-api",
        "attach-to-index-subject",
        "attach-index-referrer",
        "attach-no-referrers-api-existing-index",
    ] {
        let doc = scenario(name);
        let tag = doc["result"]["referrersTag"].clone();
        assert!(
            tag[0].as_str().is_some_and(|t| t.starts_with("sha256-")),
            "{name}: {tag}"
        );
        assert!(tag[1].is_string(), "{name}: an index was written");
        assert_eq!(
            count(
                &doc,
                "PUT",
                &format!("/manifests/{}", tag[0].as_str().expect("tag"))
            ),
            1,
            "{name}"
        );
    }
    // The index referrer is listed with its artifactType, as an index.
    let doc = scenario("attach-index-referrer");
    let put = doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e.get("request"))
        .find(|r| {
            r["method"] == "PUT"
                && r["url"]
                    .as_str()
                    .is_some_and(|u| u.contains("/manifests/sha256-"))
        })
        .expect("the tag PUT")
        .clone();
    let index: Value = serde_json::from_str(&text(&put, "body")).expect("json");
    assert_eq!(index["manifests"][0]["mediaType"], INDEX);
    assert_eq!(
        index["manifests"][0]["artifactType"],
        "application/vnd.example.bundle.v1"
    );
    // With the referrers API, no tag is written.
    let doc = scenario("attach-referrers-api");
    assert_eq!(doc["result"]["referrersTag"], Value::Null);
    assert_eq!(count(&doc, "GET", "/manifests/sha256-"), 0);
}

#[test]
fn delete_of_a_referrer_updates_the_tag_index() {
    let doc = scenario("delete-referrer-updates-tag-index");
    let put = doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e.get("request"))
        .find(|r| r["method"] == "PUT")
        .expect("the index PUT")
        .clone();
    let index: Value = serde_json::from_str(&text(&put, "body")).expect("json");
    let deleted = doc["result"]["digest"].clone();
    let listed = index["manifests"].as_array().expect("manifests");
    assert_eq!(listed.len(), 1);
    assert_ne!(listed[0]["digest"], deleted);
    assert!(
        put["headers"]["If-Match"].is_string(),
        "the update is conditional"
    );
    // DELETE comes before the index update, by digest.
    let order = requests(&doc);
    let delete = order
        .iter()
        .position(|(m, _)| m == "DELETE")
        .expect("DELETE");
    assert!(order[delete].1.ends_with(deleted.as_str().expect("digest")));
    assert!(delete < order.iter().position(|(m, _)| m == "PUT").expect("PUT"));
}

#[test]
fn bounds_are_enforced() {
    for (name, code) in [
        ("discover-node-limit", "LIMIT_EXCEEDED"),
        ("copy-node-limit", "LIMIT_EXCEEDED"),
        ("copy-bytes-limit", "LIMIT_EXCEEDED"),
        ("discover-depth-limit", "LIMIT_EXCEEDED"),
        ("tags-of-listing-limit", "LIMIT_EXCEEDED"),
        ("push-cut-gives-up", "NETWORK_ERROR"),
        ("pull-download-cut-gives-up", "NETWORK_ERROR"),
        ("push-deadline-passes", "TIMEOUT"),
        ("pull-corrupt-blob", "DIGEST_MISMATCH"),
        ("pull-git-title-refused", "PATH_UNSAFE"),
    ] {
        assert_eq!(scenario(name)["error"], code, "{name}");
    }
    // Nothing is written when the walk is over its bounds.
    assert_eq!(count(&scenario("copy-node-limit"), "PUT", ""), 0);
    // Resumes are bounded (3 for an upload) and paced by the backoff.
    let doc = scenario("push-cut-gives-up");
    let waits: Vec<u64> = doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e["wait"].as_u64())
        .collect();
    assert_eq!(waits, [250, 500, 1000]);
    let doc = scenario("tags-of-bounded");
    assert_eq!(doc["result"]["unchecked"], 1);
    assert_eq!(count(&doc, "HEAD", "/manifests/"), 2);
}

/// The `(Range header, answer)` of each GET of a blob in a scenario, in order: the answer is
/// the status, or `cut N` / `stall N` with the bytes the host's sink held after a failure.
fn blob_gets(doc: &Value) -> Vec<(Option<String>, String)> {
    doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter(|e| {
            e["request"]["method"] == "GET"
                && e["request"]["url"]
                    .as_str()
                    .is_some_and(|u| u.contains("/blobs/sha256:"))
        })
        .map(|e| {
            let range = e["request"]["headers"]["Range"].as_str().map(str::to_owned);
            let answer = match e.get("failure") {
                Some(f) => format!(
                    "{} {}",
                    if f["kind"] == "network" {
                        "cut"
                    } else {
                        "stall"
                    },
                    f["received"]
                ),
                None => e["response"]["status"].to_string(),
            };
            (range, answer)
        })
        .collect()
}

#[test]
fn cut_downloads_continue_with_range_from_what_the_host_holds() {
    let range = |n: u64| Some(format!("bytes={n}-"));
    let gets = |name: &str| blob_gets(&scenario(name));
    assert_eq!(
        gets("pull-download-cut-resumed-with-range"),
        [(None, "cut 8".into()), (range(8), "206".into())]
    );
    assert_eq!(
        gets("pull-download-cut-twice"),
        [
            (None, "cut 8".into()),
            (range(8), "cut 14".into()),
            (range(14), "206".into())
        ]
    );
    // A registry that ignores Range: its 200 is the whole blob, and the pull succeeds.
    assert_eq!(
        gets("pull-download-range-ignored"),
        [(None, "cut 8".into()), (range(8), "200".into())]
    );
    // 416: the whole blob at once, without Range.
    assert_eq!(
        gets("pull-download-range-not-satisfiable"),
        [
            (None, "cut 8".into()),
            (range(8), "416".into()),
            (None, "200".into())
        ]
    );
    // Nothing kept: started over, without Range.
    assert_eq!(
        gets("pull-download-cut-nothing-received"),
        [(None, "cut 0".into()), (None, "200".into())]
    );
    assert_eq!(
        gets("copy-download-cut-resumed-with-range"),
        [(None, "cut 8".into()), (range(8), "206".into())]
    );
    // A stall with no new byte is not sent again; one after new bytes is continued.
    let doc = scenario("pull-download-stall-without-bytes");
    assert_eq!(doc["error"], "TIMEOUT");
    assert_eq!(blob_gets(&doc), [(None, "stall 0".into())]);
    assert_eq!(
        gets("pull-download-stall-after-bytes-resumed"),
        [(None, "stall 8".into()), (range(8), "206".into())]
    );
    // Bounded by the retry policy (4 continuations), paced by its backoff.
    let doc = scenario("pull-download-resume-gives-up");
    assert_eq!(doc["error"], "NETWORK_ERROR");
    let ranges: Vec<Option<String>> = blob_gets(&doc).into_iter().map(|(r, _)| r).collect();
    assert_eq!(ranges, [None, range(3), range(6), range(9), range(12)]);
    let waits: Vec<u64> = doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e["wait"].as_u64())
        .collect();
    assert_eq!(waits, [250, 500, 1000, 2000]);
    // Each resumed request streams only the rest of the blob.
    for e in scenario("pull-download-cut-twice")["exchanges"]
        .as_array()
        .expect("exchanges")
    {
        if let Some(from) = e["request"]["headers"]["Range"].as_str() {
            let from: u64 = from
                .trim_start_matches("bytes=")
                .trim_end_matches('-')
                .parse()
                .expect("n");
            assert_eq!(e["request"]["responseBody"]["stream"], 20 - from);
        }
    }
}

#[test]
fn copy_is_children_first_and_referrers_after_their_subject() {
    let doc = scenario("copy-shared-children");
    let manifests = doc["result"]["manifests"]
        .as_array()
        .expect("manifests")
        .clone();
    assert_eq!(manifests.last(), Some(&doc["result"]["digest"]));
    assert_eq!(count(&doc, "GET", "/blobs/sha256:"), 3); // "same", "# C", the empty config
    let doc = scenario("copy-with-referrers");
    let manifests = doc["result"]["manifests"]
        .as_array()
        .expect("manifests")
        .clone();
    assert_eq!(manifests[0], doc["result"]["digest"]);
    assert_eq!(
        doc["result"]["referrersTags"].as_array().map(Vec::len),
        Some(1)
    );
    let doc = scenario("copy-dry-run");
    assert!(
        requests(&doc)
            .iter()
            .all(|(m, u)| m == "GET" || m == "HEAD" && u.contains(R))
    );
    assert!(
        requests(&doc).iter().all(|(_, u)| u.contains(R)),
        "only the source is read"
    );
    assert!(
        !doc["result"]["planned"]
            .as_array()
            .expect("planned")
            .is_empty()
    );
    let doc = scenario("push-dry-run");
    assert!(requests(&doc).is_empty(), "a dry push opens no connection");
}

#[test]
fn errors_are_sticky_and_misuse_is_its_own_code() {
    let (manifest, _) = artifact(&[("a.md", b"# A\n")], None);
    let reference = Reference::parse(&format!("{R}/docs:v1")).expect("reference");
    let mut sessions = Sessions::from(Session::new(R, true, None));
    let mut push =
        Push::new(&reference, OCI, manifest, PushArtifactOptions::default()).expect("push");
    let Action::Send { task, .. } = push.poll(&mut sessions, 0).expect("a request") else {
        panic!("a request first")
    };
    // A resume for a task waiting for a response is the caller's bug.
    let err = push.provide(task, Input::Resume).expect_err("misuse");
    assert_eq!(err.code(), "OPERATION_MISUSE");
    // Sticky: every later call says the same.
    assert_eq!(push.poll(&mut sessions, 0).expect_err("sticky"), err);
    assert_eq!(
        push.provide(TaskId(99), Input::Resume).expect_err("sticky"),
        err
    );

    // A registry fault is not a misuse, and stays.
    let mut pull = Pull::new(&reference, PullOptions::default());
    let Action::Send { task, .. } = pull.poll(&mut sessions, 0).expect("a request") else {
        panic!("a request first")
    };
    pull.provide(
        task,
        Input::Response(res(
            404,
            &[],
            error_body("MANIFEST_UNKNOWN", "manifest unknown"),
        )),
    )
    .expect("accepted");
    let err = pull.poll(&mut sessions, 0).expect_err("unknown");
    assert_eq!(err.code(), "MANIFEST_UNKNOWN");
    assert_eq!(pull.poll(&mut sessions, 0).expect_err("sticky"), err);

    // Unknown task, missing session, poll after Done.
    let mut pull = Pull::new(&reference, PullOptions::default());
    assert_eq!(
        pull.provide(TaskId(7), Input::Resume)
            .expect_err("unknown task")
            .code(),
        "OPERATION_MISUSE"
    );
    let mut other = Pull::new(&reference, PullOptions::default());
    assert_eq!(
        other
            .poll(&mut Sessions::new(), 0)
            .expect_err("no session")
            .code(),
        "OPERATION_MISUSE"
    );
    let mut dry = Push::new(
        &reference,
        OCI,
        artifact(&[("a.md", b"1")], None).0,
        PushArtifactOptions {
            dry_run: true,
            ..Default::default()
        },
    )
    .expect("push");
    assert!(matches!(dry.poll(&mut sessions, 0), Ok(Action::Done(_))));
    assert_eq!(
        dry.poll(&mut sessions, 0).expect_err("after Done").code(),
        "OPERATION_MISUSE"
    );
}

#[test]
fn tasks_in_flight_are_independent_and_all_handed_out_before_pending() {
    let doc = scenario("push-new-blobs");
    let exchanges = doc["exchanges"].as_array().expect("exchanges");
    // The three HEADs are handed out first, each its own task.
    let tasks: Vec<u64> = exchanges[..3]
        .iter()
        .map(|e| e["task"].as_u64().expect("task"))
        .collect();
    assert_eq!(tasks, [1, 2, 3]);
    assert!(
        exchanges[..3]
            .iter()
            .all(|e| e["request"]["method"] == "HEAD")
    );
    // Blob requests name their blob; manifest requests none.
    for e in exchanges {
        let r = &e["request"];
        let moves = r.get("bodyBlob").is_some() || r.get("responseBody").is_some();
        assert_eq!(r.get("blob").is_some(), moves, "{r}");
    }
}

/// Drives `op` answering every request with `answer`, to its end.
fn answer_all(
    op: &mut Pull,
    sessions: &mut Sessions,
    mut answer: impl FnMut(&Request) -> Response,
) -> Result<(), Error> {
    loop {
        match op.poll(sessions, 0)? {
            Action::Send { task, request, .. } => {
                op.provide(task, Input::Response(answer(&request)))?;
            }
            Action::Wait { task, .. } => op.provide(task, Input::Resume)?,
            Action::Pending => panic!("every request is answered at once"),
            Action::Done(_) => return Ok(()),
        }
    }
}

#[test]
fn errors_name_the_request_and_whether_credentials_were_sent() {
    let unknown = Reference::parse(&format!("{R}/docs:v9")).expect("reference");
    let mut sessions = Sessions::from(Session::new(R, true, None));
    let err = answer_all(
        &mut Pull::new(&unknown, PullOptions::default()),
        &mut sessions,
        |_| res(404, &[], error_body("MANIFEST_UNKNOWN", "manifest unknown")),
    )
    .expect_err("unknown");
    assert_eq!(err.code(), "MANIFEST_UNKNOWN");
    let text = err.to_string();
    assert!(
        text.contains(&format!("GET http://{R}/v2/docs/manifests/v9")),
        "{text}"
    );

    // 401 without credentials: "log in".
    let err = answer_all(
        &mut Pull::new(&unknown, PullOptions::default()),
        &mut sessions,
        |_| {
            res(
                401,
                &[],
                error_body("UNAUTHORIZED", "authentication required"),
            )
        },
    )
    .expect_err("401");
    assert!(
        err.to_string().contains("no credentials were sent"),
        "{err}"
    );

    // 401 to Basic credentials: "refused".
    let basic = Credentials::Basic {
        username: "alice".into(),
        password: "wrong".into(),
    };
    let mut sessions = Sessions::from(Session::new(R, true, Some(basic)));
    let challenge = [("WWW-Authenticate", r#"Basic realm="r""#.to_owned())];
    let err = answer_all(
        &mut Pull::new(&unknown, PullOptions::default()),
        &mut sessions,
        |_| {
            res(
                401,
                &challenge,
                error_body("UNAUTHORIZED", "authentication required"),
            )
        },
    )
    .expect_err("401");
    let text = err.to_string();
    assert!(text.contains(", credentials were sent"), "{text}");
    assert!(!text.contains("no credentials"), "{text}");
}

#[test]
fn push_manifest_uploads_a_document_as_it_is_with_the_referrers_tag_upkeep() {
    // A referrer whose two layers share a title: a pull refuses it, `Push::new` too, but
    // `Push::manifest` (a client's push_manifest, as `oras manifest push`) uploads it as it is
    // and keeps the subject's referrers tag on a registry without the referrers API.
    let (docs, _) = artifact(&[("a.md", b"# A\n"), ("b.md", b"# B\n")], None);
    let docs_d = descriptor(OCI, &docs);
    let (dup, _) = artifact(&[("a.md", b"# A\n"), ("a.md", b"# A2\n")], Some(docs_d));
    let reference = Reference::parse(&format!("{R}/docs")).expect("reference");
    let err = Push::new(&reference, OCI, dup.clone(), PushArtifactOptions::default())
        .expect_err("the title rule of push");
    assert_eq!(err.code(), "ANNOTATION_INVALID");

    let mut fake = stocked(Fake::new(R), "docs").0.blob("docs", b"# A2\n");
    let mut sessions = Sessions::from(Session::new(R, true, None));
    let mut op = Whole::Push(
        Push::manifest(&reference, OCI, dup.clone(), PushArtifactOptions::default())
            .expect("no title rule"),
    );
    let (exchanges, result) = drive(&mut op, &mut sessions, 0, |_, request| fake.answer(request));
    let result = result.expect("pushed");
    let doc = json!({ "exchanges": exchanges });
    assert_eq!(result["digest"], sha(&dup));
    assert_eq!(count(&doc, "HEAD", "/blobs/"), 0, "no blob is checked");
    assert_eq!(count(&doc, "PUT", &format!("/manifests/{}", sha(&dup))), 1);
    let tag = result["referrersTag"].clone();
    assert!(
        tag[0].as_str().is_some_and(|t| t.starts_with("sha256-")),
        "{tag}"
    );
    assert!(tag[1].is_string(), "an index was written: {tag}");
    assert_eq!(
        count(
            &doc,
            "PUT",
            &format!("/manifests/{}", tag[0].as_str().expect("tag"))
        ),
        1
    );
}

/// The message of a pull of `docs:v9` from a registry that asks for a Bearer token (issued by
/// `/token` when `token_status` is 200) and refuses every request with a 401.
fn bearer_refusal(credentials: Option<Credentials>, token_status: u16) -> String {
    let unknown = Reference::parse(&format!("{R}/docs:v9")).expect("reference");
    let mut sessions = Sessions::from(Session::new(R, true, credentials));
    let challenge = [(
        "WWW-Authenticate",
        format!(r#"Bearer realm="http://{R}/token",service="{R}""#),
    )];
    let err = answer_all(
        &mut Pull::new(&unknown, PullOptions::default()),
        &mut sessions,
        |request| match request.url.contains("/token") {
            true if token_status == 200 => res(200, &[], r#"{"token":"t0k"}"#),
            true => res(
                token_status,
                &[],
                error_body("UNAUTHORIZED", "bad credentials"),
            ),
            false => res(
                401,
                &challenge,
                error_body("UNAUTHORIZED", "authentication required"),
            ),
        },
    )
    .expect_err("401");
    assert_eq!(err.code(), "UNAUTHORIZED", "{err}");
    err.to_string()
}

#[test]
fn a_401_says_truthfully_whether_the_users_credentials_were_sent() {
    let basic = || {
        Some(Credentials::Basic {
            username: "alice".into(),
            password: "wrong".into(),
        })
    };
    // An anonymous token is no credentials: "log in".
    let text = bearer_refusal(None, 200);
    assert!(text.contains("no credentials were sent"), "{text}");
    // A token obtained with the user's Basic credentials, or a refresh token, refused.
    for credentials in [basic(), Some(Credentials::RefreshToken("r3fresh".into()))] {
        let text = bearer_refusal(credentials, 200);
        assert!(text.contains(", credentials were sent"), "{text}");
        assert!(!text.contains("no credentials"), "{text}");
    }
    // The token endpoint refused the user's credentials: they were sent.
    let text = bearer_refusal(basic(), 401);
    assert!(text.contains(", credentials were sent"), "{text}");
    // The user's own access token, refused.
    let text = bearer_refusal(Some(Credentials::AccessToken("acc3ss".into())), 200);
    assert!(text.contains(", credentials were sent"), "{text}");
}

#[test]
fn the_engine_adapts_to_what_a_probe_or_a_profile_says() {
    // Quay: the PUT has no OCI-Subject, the probe proves the API, no fallback tag.
    for name in [
        "attach-no-oci-subject-probed",
        "copy-with-referrers-no-oci-subject",
    ] {
        let doc = scenario(name);
        assert_eq!(count(&doc, "GET", "/manifests/sha256-"), 0, "{name}");
        assert_eq!(count(&doc, "PUT", "/manifests/sha256-"), 0, "{name}");
        assert_eq!(
            requests(&doc)
                .iter()
                .filter(
                    |(m, u)| m == "GET" && u.contains("127.0.0.1:5001/v2/docs/referrers/")
                        || name.starts_with("attach") && m == "GET" && u.contains("/referrers/")
                )
                .count(),
            1,
            "{name}: one probe"
        );
    }
    assert_eq!(
        scenario("attach-no-oci-subject-probed")["result"]["referrersTag"],
        Value::Null
    );
    assert_eq!(
        scenario("copy-with-referrers-no-oci-subject")["result"]["referrersTags"],
        json!([])
    );
    // Without the API the probe (a 404) proves nothing: the tag is written, as before.
    let doc = scenario("attach-no-referrers-api");
    assert_eq!(count(&doc, "GET", "/referrers/"), 1);
    assert_eq!(count(&doc, "PUT", "/manifests/sha256-"), 1);
    // GitLab: the fallback read returns the subject; it is ignored (a fresh index, no
    // If-Match on the subject's ETag; discover lists nothing).
    let doc = scenario("attach-fallback-read-is-the-subject");
    let put = doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e.get("request"))
        .find(|r| r["method"] == "PUT" && text(r, "url").contains("/manifests/sha256-"))
        .expect("the referrers index PUT")
        .clone();
    assert!(put["headers"].get("If-Match").is_none());
    let index: Value = serde_json::from_str(&text(&put, "body")).expect("json");
    assert_eq!(index["manifests"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        scenario("discover-fallback-read-is-the-subject")["result"]["tree"],
        json!([])
    );
    // GHCR: no PATCH body over 4 MiB; ECR: no PATCH at all.
    let doc = scenario("push-chunked-ghcr-profile");
    let patches: Vec<u64> = doc["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .filter_map(|e| e.get("request"))
        .filter(|r| r["method"] == "PATCH")
        .map(|r| r["bodyBlob"]["length"].as_u64().expect("length"))
        .collect();
    assert_eq!(patches, [4 * 1024 * 1024, 8]);
    assert_eq!(
        count(&scenario("push-chunked-ecr-profile"), "PATCH", "/"),
        0
    );
}

#[test]
fn a_session_adapts_chunks_and_pages_to_its_profile() {
    let plain = Session::new(R, true, None);
    assert_eq!(plain.chunk_size(Some(64 << 20)), Some(64 << 20));
    assert_eq!(plain.tag_page_size(5000), 5000);
    let ghcr = Session::new(R, true, None).with_profile(Profile::named("ghcr").expect("ghcr"));
    assert_eq!(ghcr.chunk_size(Some(64 << 20)), Some(4 << 20));
    assert_eq!(ghcr.chunk_size(Some(1 << 20)), Some(1 << 20));
    assert_eq!(ghcr.chunk_size(None), None);
    let ecr = Session::new(R, true, None).with_profile(Profile::named("ecr").expect("ecr"));
    assert_eq!(ecr.chunk_size(Some(8)), None, "a monolithic PUT on ECR");
    assert_eq!(ecr.tag_page_size(5000), 1000);
    assert_eq!(ecr.profile().map(|p| p.name), Some("ecr"));
    // A tag listing asks ECR for at most 1000 a page (it errors above).
    let reference = Reference::parse(&format!("{R}/docs")).expect("reference");
    for (session, n) in [(plain, "n=5000"), (ecr, "n=1000")] {
        let mut session = session;
        let mut list = ocikit_core::registry::ListTags::new(&session, &reference, Some(5000));
        let Event::Send(request) = list.next(&mut session, Input::Start, 0).expect("send") else {
            panic!("a request first")
        };
        assert!(
            request.url.ends_with(&format!("/tags/list?{n}")),
            "{}",
            request.url
        );
    }
}

#[test]
fn a_referrers_probe_proves_the_api_only_with_an_index() {
    use ocikit_core::registry::operations::ProbeReferrers;
    let subject = Digest::parse(&sha(b"subject")).expect("digest");
    let reference = Reference::parse(&format!("{R}/docs")).expect("reference");
    let index = json!({"schemaVersion": 2, "mediaType": INDEX, "manifests": []}).to_string();
    for (status, content_type, body, proved) in [
        (200, INDEX, index.as_str(), true),
        (
            404,
            "application/json",
            r#"{"errors":[{"code":"NAME_UNKNOWN"}]}"#,
            false,
        ),
        (200, "text/html", "<html><body>Sign in</body></html>", false),
        (200, "application/json", r#"{"manifests":[]}"#, false),
        (500, "text/plain", "oops", false),
    ] {
        let mut session =
            Session::new(R, true, None).with_retry_policy(ocikit_core::registry::RetryPolicy {
                max_retries: 0,
                ..Default::default()
            });
        assert!(session.referrers_probe_due());
        let mut probe = ProbeReferrers::new(&session, &reference, &subject);
        let Event::Send(request) = probe.next(&mut session, Input::Start, 0).expect("send") else {
            panic!("a request first")
        };
        assert!(
            request
                .url
                .ends_with(&format!("/v2/docs/referrers/{subject}"))
        );
        let response = res(status, &[("Content-Type", content_type.into())], body);
        let done = probe.next(&mut session, Input::Response(response), 0);
        assert_eq!(
            done.expect("no error"),
            Event::Done(proved),
            "{status} {body}"
        );
        assert_eq!(session.referrers_api(), proved.then_some(true), "{body}");
        assert!(!session.referrers_probe_due(), "asked once per session");
    }
}

#[test]
fn single_request_uploads_are_probed_once_and_remembered() {
    let singles = |exchanges: &Value| {
        exchanges
            .as_array()
            .expect("exchanges")
            .iter()
            .filter_map(|e| Some((e.get("request")?, e.get("response")?)))
            .filter(|(r, _)| r["method"] == "POST" && text(r, "url").contains("?digest="))
            .map(|(r, a)| {
                (
                    r["bodyBlob"]["length"].as_u64().expect("length"),
                    a["status"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let taken = scenario("push-single-post-taken");
    let refused = scenario("push-single-post-refused");
    // The first push of each session probes once, with a small blob.
    for (doc, status) in [(&taken, 201), (&refused, 202)] {
        let probes = singles(&doc["before"][0]["exchanges"]);
        assert_eq!(probes.len(), 1, "{probes:?}");
        assert_eq!(probes[0].1, status);
        assert!(probes[0].0 <= ocikit_core::registry::SINGLE_POST_PROBE_MAX);
    }
    // Then: each new layer in one POST where taken; POST and PUT, no probe, where refused.
    assert_eq!(singles(&taken["exchanges"]).len(), 12);
    assert_eq!(count(&taken, "PUT", "/blobs/uploads/"), 0);
    assert!(singles(&refused["exchanges"]).is_empty());
    assert_eq!(count(&refused, "PUT", "/blobs/uploads/"), 12);
    let requests = |doc: &Value| requests(doc).len();
    assert_eq!(requests(&refused) - requests(&taken), 12);
}
