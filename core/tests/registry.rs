//! Replays the registry transcripts of tests/vectors/registry/ through the sans-IO engine.

use std::path::PathBuf;

use ocikit_core::registry::session::{Credentials, Event, Input, Session};
use ocikit_core::registry::{
    AddReferrer, BlobExists, Body, CheckAuth, DeleteManifest, Failure, FailureKind, GetBlob,
    GetManifest, Limits, ListReferrers, ListRepositories, ListTags, Page, PushBlob, PushOptions,
    PutManifest, Request, ResolveManifest, Response, ResponseBody,
};
use ocikit_core::{Descriptor, Digest, Error, MediaType, Reference};
use serde_json::{Value, json};

/// One operation of any kind, so the replay loop can drive them alike.
#[allow(clippy::large_enum_variant)] // a test harness: boxing would buy nothing
enum Operation {
    GetManifest(GetManifest),
    PutManifest(PutManifest),
    BlobExists(BlobExists),
    PushBlob(PushBlob),
    GetBlob(GetBlob),
    ListTags(ListTags),
    ListRepositories(ListRepositories),
    Resolve(ResolveManifest),
    Delete(DeleteManifest),
    ListReferrers(ListReferrers),
    AddReferrer(AddReferrer),
    CheckAuth(CheckAuth),
    /// A listing driven page by page (`"paged": true`).
    TagPages(ListTags),
    RepositoryPages(ListRepositories),
    ReferrerPages(ListReferrers),
}

impl Operation {
    fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now: u64,
    ) -> Result<Event<Value>, Error> {
        fn map<T>(event: Event<T>, f: impl FnOnce(T) -> Value) -> Event<Value> {
            match event {
                Event::Send(r) => Event::Send(r),
                Event::Wait(ms) => Event::Wait(ms),
                Event::Done(v) => Event::Done(f(v)),
            }
        }
        Ok(match self {
            Self::GetManifest(op) => map(
                op.next(session, input, now)?,
                |m| json!({"mediaType": m.media_type, "digest": m.digest.to_string(), "body": String::from_utf8_lossy(&m.bytes)}),
            ),
            Self::PutManifest(op) => map(
                op.next(session, input, now)?,
                |d| json!({"digest": d.to_string()}),
            ),
            Self::BlobExists(op) => map(op.next(session, input, now)?, |s| json!({"size": s})),
            Self::PushBlob(op) => map(op.next(session, input, now)?, |u| json!({"uploaded": u})),
            Self::GetBlob(op) => map(op.next(session, input, now)?, |()| json!({})),
            Self::ListTags(op) => map(op.next(session, input, now)?, |t| json!({"tags": t})),
            Self::ListRepositories(op) => map(
                op.next(session, input, now)?,
                |r| json!({"repositories": r}),
            ),
            Self::Resolve(op) => map(
                op.next(session, input, now)?,
                |r| json!({"mediaType": r.media_type, "digest": r.digest.to_string(), "size": r.size}),
            ),
            Self::Delete(op) => map(op.next(session, input, now)?, |()| json!({})),
            Self::ListReferrers(op) => map(
                op.next(session, input, now)?,
                |found| json!({"referrers": found.iter().map(|d| d.digest.to_string()).collect::<Vec<_>>()}),
            ),
            Self::CheckAuth(op) => map(op.next(session, input, now)?, |()| json!({})),
            Self::TagPages(op) => map(
                op.next_page(session, input, now)?,
                |page| json!({"items": page.items, "last": page.last, "next": page.next()}),
            ),
            Self::RepositoryPages(op) => map(
                op.next_page(session, input, now)?,
                |page| json!({"items": page.items, "last": page.last, "next": page.next()}),
            ),
            Self::ReferrerPages(op) => map(
                op.next_page(session, input, now)?,
                |page| json!({"items": page.items.iter().map(|d| d.digest.to_string()).collect::<Vec<_>>(), "last": page.last, "next": null}),
            ),
            Self::AddReferrer(op) => map(
                op.next(session, input, now)?,
                |index| json!({"index": index.map(|d| d.to_string())}),
            ),
        })
    }
}

fn text(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {value}"))
        .to_owned()
}

fn operation(session: &Session, spec: &Value) -> Operation {
    if spec["op"] == "checkAuth" {
        return Operation::CheckAuth(CheckAuth::new(session));
    }
    if spec["op"] == "listRepositories" {
        let op = ListRepositories::new(session, spec["pageSize"].as_u64().map(|n| n as u32));
        return match spec["paged"].as_bool() {
            Some(true) => Operation::RepositoryPages(op),
            _ => Operation::ListRepositories(op),
        };
    }
    let reference = Reference::parse(&text(spec, "reference")).expect("reference");
    let blob = || {
        let digest = Digest::parse(&text(spec, "digest")).expect("digest");
        Descriptor::new(
            MediaType::parse("application/octet-stream").expect("mt"),
            digest,
            spec["size"].as_u64().expect("size"),
        )
    };
    match text(spec, "op").as_str() {
        "getManifest" => Operation::GetManifest(GetManifest::new(session, &reference)),
        "putManifest" => Operation::PutManifest(PutManifest::new(
            session,
            &reference,
            &MediaType::parse(&text(spec, "mediaType")).expect("mt"),
            text(spec, "body").into_bytes(),
        )),
        "blobExists" => Operation::BlobExists(BlobExists::new(session, &reference, &blob().digest)),
        "pushBlob" => Operation::PushBlob(PushBlob::with_options(
            session,
            &reference,
            &blob(),
            PushOptions {
                mount_from: spec["mountFrom"].as_str().map(str::to_owned),
                chunk_size: spec["chunkSize"].as_u64(),
                mount_only: false,
            },
        )),
        "resumeBlob" => Operation::PushBlob(PushBlob::resume(
            session,
            &reference,
            &blob(),
            &text(spec, "uploadUrl"),
            spec["chunkSize"].as_u64().expect("chunkSize"),
        )),
        "resolveManifest" => Operation::Resolve(ResolveManifest::new(session, &reference)),
        "deleteManifest" => {
            Operation::Delete(DeleteManifest::new(session, &reference, &blob().digest))
        }
        "listReferrers" => {
            let op = ListReferrers::new(
                session,
                &reference,
                &Digest::parse(&text(spec, "subject")).expect("subject"),
                spec["artifactType"].as_str(),
            );
            match spec["paged"].as_bool() {
                Some(true) => Operation::ReferrerPages(op),
                _ => Operation::ListReferrers(op),
            }
        }
        "addReferrer" => {
            let mut referrer = blob();
            referrer.media_type =
                MediaType::parse("application/vnd.oci.image.manifest.v1+json").expect("mt");
            referrer.artifact_type = spec["artifactType"]
                .as_str()
                .map(|t| MediaType::parse(t).expect("mt"));
            Operation::AddReferrer(AddReferrer::new(
                session,
                &reference,
                &Digest::parse(&text(spec, "subject")).expect("subject"),
                &referrer,
            ))
        }
        "getBlob" => Operation::GetBlob(GetBlob::resume(
            session,
            &reference,
            &blob(),
            spec["have"].as_u64().unwrap_or_default(),
        )),
        "listTags" => {
            let op = ListTags::new(
                session,
                &reference,
                spec["pageSize"].as_u64().map(|n| n as u32),
            );
            match spec["paged"].as_bool() {
                Some(true) => Operation::TagPages(op),
                _ => Operation::ListTags(op),
            }
        }
        other => panic!("unknown op {other}"),
    }
}

fn session(spec: &Value) -> Session {
    let credentials = match &spec["credentials"] {
        Value::Null => None,
        c if c.get("username").is_some() => Some(Credentials::Basic {
            username: text(c, "username"),
            password: text(c, "password"),
        }),
        c if c.get("refreshToken").is_some() => {
            Some(Credentials::RefreshToken(text(c, "refreshToken")))
        }
        c => Some(Credentials::AccessToken(text(c, "accessToken"))),
    };
    let session = Session::new(
        &text(spec, "registry"),
        spec["plainHttp"].as_bool().unwrap_or(false),
        credentials,
    );
    match spec.get("limits") {
        None => session,
        Some(given) => {
            let mut limits = Limits::default();
            for (key, field) in [
                ("stallTimeoutMs", &mut limits.stall_timeout_ms),
                ("requestTimeoutMs", &mut limits.request_timeout_ms),
                ("deadlineMs", &mut limits.deadline_ms),
                ("retryAfterMaxMs", &mut limits.retry_after_max_ms),
                ("listEntriesMax", &mut limits.list_entries_max),
                ("listBytesMax", &mut limits.list_bytes_max),
            ] {
                if let Some(value) = given.get(key) {
                    *field = value.as_u64().expect("a limit");
                }
            }
            session.with_limits(limits)
        }
    }
}

fn check_request(name: &str, request: &Request, expected: &Value) {
    assert_eq!(
        request.method.as_str(),
        text(expected, "method"),
        "{name}: method of {}",
        request.url
    );
    assert_eq!(request.url, text(expected, "url"), "{name}: url");
    for (header, value) in expected["headers"].as_object().expect("headers") {
        assert_eq!(
            request.header_value(header),
            value.as_str(),
            "{name}: header {header} of {} {}",
            request.method,
            request.url
        );
    }
    if let Some(body) = expected.get("body") {
        assert_eq!(
            request.body,
            Body::Bytes(text(&json!({"b": body}), "b").into_bytes()),
            "{name}: body"
        );
    }
    if let Some(ms) = expected.get("timeoutMs") {
        assert_eq!(Some(request.timeout_ms), ms.as_u64(), "{name}: timeoutMs");
    }
    if let Some(ms) = expected.get("deadlineMs") {
        assert_eq!(request.deadline_ms, ms.as_u64(), "{name}: deadlineMs");
    }
    if let Some(body) = expected.get("responseBody") {
        let want = match (body.get("capture"), body.get("stream")) {
            (Some(max), None) => ResponseBody::Capture {
                max: max.as_u64().expect("max"),
            },
            (None, Some(max)) => ResponseBody::Stream {
                max: max.as_u64().expect("max"),
            },
            _ => panic!("{name}: responseBody is {{capture}} or {{stream}}"),
        };
        assert_eq!(request.response_body, want, "{name}: responseBody");
    }
    if let Some(blob) = expected.get("bodyBlob") {
        let want = Body::Blob {
            offset: blob["offset"].as_u64().expect("offset"),
            length: blob["length"].as_u64().expect("length"),
        };
        assert_eq!(request.body, want, "{name}: blob body");
    }
}

/// What the host feeds back for an exchange: its response, or its transport failure.
fn input(exchange: &Value) -> Input {
    if let Some(failure) = exchange.get("failure") {
        return Input::Failure(Failure {
            kind: FailureKind::parse(&text(failure, "kind")).expect("kind"),
            message: text(failure, "message"),
            received: failure
                .get("received")
                .map(|n| n.as_u64().expect("received")),
        });
    }
    Input::Response(response(&exchange["response"]))
}

fn response(spec: &Value) -> Response {
    Response {
        status: spec["status"].as_u64().expect("status") as u16,
        headers: spec["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().expect("str").to_owned()))
                    .collect()
            })
            .unwrap_or_default(),
        body: spec
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .as_bytes()
            .to_vec(),
        streamed: spec.get("streamed").map(|s| {
            (
                Digest::parse(&text(s, "digest")).expect("digest"),
                s["size"].as_u64().expect("size"),
            )
        }),
    }
}

#[test]
fn registry_transcripts_replay() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/registry");
    let codes: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("../error-codes.json")).expect("error-codes.json"),
    )
    .expect("json");
    let listed: Vec<&str> = ["raised", "registry", "client"]
        .iter()
        .flat_map(|k| codes[*k].as_array().expect("list"))
        .filter_map(|e| e["code"].as_str())
        .collect();
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("registry vectors") {
        let path = entry.expect("entry").path();
        // Whole-operation scenarios live in a directory of their own (core/tests/scenarios.rs).
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        let name = text(&doc, "name");
        let mut session = session(&doc["session"]);
        for step in doc["steps"].as_array().expect("steps") {
            count += 1;
            let now = step["now"].as_u64().unwrap_or_default();
            let mut op = operation(&session, &step["operation"]);
            let mut input = Input::Start;
            for exchange in step["exchanges"].as_array().expect("exchanges") {
                let now = exchange["now"].as_u64().unwrap_or(now);
                let event = match op.next(&mut session, input, now) {
                    Ok(event) => event,
                    Err(err) => panic!("{name}: failed early with {}: {err}", err.code()),
                };
                if let Some(page) = exchange.get("page") {
                    let want = json!({"items": page, "last": false, "next": exchange["next"]});
                    assert_eq!(event, Event::Done(want), "{name}: a page");
                    input = Input::Start;
                    continue;
                }
                if let Some(wait) = exchange.get("wait") {
                    assert_eq!(event, Event::Wait(wait.as_u64().expect("ms")), "{name}");
                    input = Input::Resume;
                    continue;
                }
                let Event::Send(request) = event else {
                    panic!("{name}: expected a request, got {event:?}")
                };
                check_request(&name, &request, &exchange["request"]);
                input = self::input(exchange);
            }
            let now = step["nowEnd"].as_u64().unwrap_or(now);
            let outcome = match op.next(&mut session, input, now) {
                Ok(Event::Done(result)) => Ok(result),
                Ok(other) => panic!("{name}: expected the end, got {other:?}"),
                Err(err) => Err((err.code(), err.to_string())),
            };
            match (outcome, step.get("error").and_then(Value::as_str)) {
                (Ok(result), None) => assert_eq!(result, step["result"], "{name}"),
                (Err((code, message)), Some(expected)) => {
                    assert_eq!(code, expected, "{name}");
                    for secret in step["errorOmits"].as_array().into_iter().flatten() {
                        let secret = secret.as_str().expect("text");
                        assert!(
                            !message.contains(secret),
                            "{name}: {message:?} shows {secret:?}"
                        );
                    }
                    for mention in step["errorMentions"].as_array().into_iter().flatten() {
                        let mention = mention.as_str().expect("text");
                        assert!(
                            message.contains(mention),
                            "{name}: {message:?} does not name {mention:?}"
                        );
                    }
                    assert!(
                        listed.contains(&code),
                        "{name}: {code} is not in error-codes.json"
                    );
                }
                (got, want) => panic!("{name}: got {got:?}, expected error {want:?}"),
            }
        }
    }
    assert!(count >= 20, "only {count} operations replayed");
}

/// The codes of the security and limits work are listed where the bindings look for them, and
/// each error names what it concerns.
#[test]
fn security_and_limit_codes_are_listed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let codes: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("error-codes.json")).expect("error-codes.json"),
    )
    .expect("json");
    let listed = |list: &str| -> Vec<String> {
        codes[list]
            .as_array()
            .expect("list")
            .iter()
            .map(|e| text(e, "code"))
            .collect()
    };
    let host = || "registry.example".to_owned();
    let samples = [
        (
            "registry",
            Error::AuthRealmRefused {
                realm: "http://registry.example:8080/token".into(),
                registry: host(),
                reason: "plain HTTP".into(),
            },
        ),
        (
            "registry",
            Error::LocationRefused {
                location: "https://elsewhere.example/u".into(),
                reason: "another origin".into(),
            },
        ),
        (
            "raised",
            Error::LimitExceeded {
                limit: "tags in one listing".into(),
                max: 3,
                value: 4,
                setting: "Limits.list_entries_max".into(),
            },
        ),
        (
            "client",
            Error::Timeout {
                host: host(),
                reason: "deadline".into(),
                request: None,
            },
        ),
        (
            "client",
            Error::Network {
                host: host(),
                reason: "reset".into(),
                request: None,
            },
        ),
        (
            "client",
            Error::Tls {
                host: host(),
                reason: "certificate".into(),
                request: None,
            },
        ),
    ];
    for (list, error) in samples {
        assert!(
            listed(list).iter().any(|c| c == error.code()),
            "{} is not in the {list} codes",
            error.code()
        );
        let message = error.to_string();
        let named = error.details().iter().any(|(_, d)| match d {
            ocikit_core::Detail::Text(t) => message.contains(t.as_str()),
            ocikit_core::Detail::Size(_) => false,
        });
        assert!(named, "{message} names what it concerns");
    }
}

/// The user's headers (`Session::with_headers`, ORAS's `-H`) go with every request to the
/// registry's origin and to the token realm it names, after the engine's own headers, and
/// never to the origin a blob download is redirected to: they may carry credentials.
#[test]
fn user_headers_go_to_the_registry_and_its_realm_not_to_a_redirect() {
    let session = Session::new("registry.example", false, None);
    let mut session = session
        .with_headers(vec![
            ("X-Trace".into(), "abc 1".into()),
            ("Authorization".into(), "Bearer from-the-user".into()),
        ])
        .expect("valid headers");
    let reference = Reference::parse("registry.example/app:v1").expect("reference");
    let blob = b"hello";
    let descriptor = Descriptor::new(
        MediaType::parse("application/octet-stream").expect("media type"),
        ocikit_core::digest::sha256(blob),
        blob.len() as u64,
    );
    let mut op = GetBlob::new(&session, &reference, &descriptor);
    let users = |request: &Request| -> Vec<(String, String)> {
        request
            .headers
            .iter()
            .filter(|(name, _)| name == "X-Trace" || name == "Authorization")
            .cloned()
            .collect()
    };
    let sent = |event: Event<()>| match event {
        Event::Send(request) => request,
        other => panic!("expected a request, got {other:?}"),
    };
    let first = sent(op.next(&mut session, Input::Start, 0).expect("first step"));
    assert!(
        first
            .url
            .starts_with("https://registry.example/v2/app/blobs/")
    );
    assert_eq!(
        users(&first),
        [
            ("X-Trace".to_owned(), "abc 1".to_owned()),
            (
                "Authorization".to_owned(),
                "Bearer from-the-user".to_owned()
            )
        ]
    );
    // A challenge: the token request to the realm carries them too.
    let challenge = Response {
        status: 401,
        headers: vec![(
            "WWW-Authenticate".into(),
            r#"Bearer realm="https://registry.example/token",service="registry.example""#.into(),
        )],
        body: Vec::new(),
        streamed: None,
    };
    let token = sent(
        op.next(&mut session, Input::Response(challenge), 1)
            .expect("token request"),
    );
    assert!(
        token.url.starts_with("https://registry.example/token"),
        "{}",
        token.url
    );
    assert_eq!(users(&token).len(), 2);
    let issued = Response {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: br#"{"token":"t0k","expires_in":300}"#.to_vec(),
        streamed: None,
    };
    let again = sent(
        op.next(&mut session, Input::Response(issued), 2)
            .expect("the request again"),
    );
    assert!(users(&again).contains(&("X-Trace".to_owned(), "abc 1".to_owned())));
    // Redirected to a storage backend: none of the user's headers (nor the engine's token).
    let redirect = Response {
        status: 307,
        headers: vec![(
            "Location".into(),
            "https://storage.example/blob?sig=1".into(),
        )],
        body: Vec::new(),
        streamed: None,
    };
    let storage = sent(
        op.next(&mut session, Input::Response(redirect), 3)
            .expect("the redirect's request"),
    );
    assert_eq!(storage.url, "https://storage.example/blob?sig=1");
    assert_eq!(users(&storage), []);
}

#[test]
fn user_headers_that_would_break_the_exchange_are_refused() {
    let session = || Session::new("registry.example", false, None);
    for (name, value) in [
        ("X-Trace", "a\r\nInjected: yes"),
        ("X-Trace", "nul\0"),
        ("X-Trace", "caf\u{e9}"),
        ("Bad Name", "v"),
        ("", "v"),
        ("Bad:Name", "v"),
        ("Content-Length", "5"),
        ("host", "elsewhere.example"),
        ("Transfer-Encoding", "chunked"),
        ("Connection", "close"),
    ] {
        let refused = session().with_headers(vec![(name.into(), value.into())]);
        let err = refused.expect_err(name);
        assert_eq!(err.code(), "OPTIONS_INVALID", "{name}: {err}");
    }
    // A tab inside a value is a header's own whitespace, and every token character is fine.
    let kept = session()
        .with_headers(vec![("X-A!#$%&'*+-.^_`|~9".into(), "a\tb".into())])
        .expect("valid");
    assert_eq!(kept.headers().len(), 1);
}

/// `PushBlob::content_size`: content of another size than the descriptor's fails the first
/// step, before any request; content of its size goes on as without it.
#[test]
fn push_blob_refuses_content_of_another_size_before_any_request() {
    let mut session = Session::new("registry.example", false, None);
    let reference = Reference::parse("registry.example/app:v1").expect("reference");
    let descriptor = Descriptor::new(
        MediaType::parse("application/octet-stream").expect("media type"),
        ocikit_core::digest::sha256(b"hello"),
        5,
    );
    for actual in [0, 4, 11] {
        let mut push = PushBlob::new(&session, &reference, &descriptor).content_size(actual);
        let err = push
            .next(&mut session, Input::Start, 0)
            .expect_err("another size");
        assert_eq!(err.code(), "SIZE_MISMATCH");
        assert_eq!(
            err.to_string(),
            format!("content is {actual} bytes but 5 bytes were expected")
        );
    }
    let mut push = PushBlob::new(&session, &reference, &descriptor).content_size(5);
    match push.next(&mut session, Input::Start, 0).expect("its size") {
        Event::Send(request) => assert!(request.url.ends_with(&descriptor.digest.to_string())),
        other => panic!("expected the existence check, got {other:?}"),
    }
}

/// A page of names names the page after it by its last entry (the `last` a tag browser asks
/// for next), and no page after the last one, or after an empty one it cannot go on from.
#[test]
fn a_page_of_names_gives_the_last_of_the_next() {
    let page = |items: &[&str], last| Page {
        items: items.iter().map(|name| (*name).to_owned()).collect(),
        last,
    };
    assert_eq!(page(&["a", "b"], false).next(), Some("b"));
    assert_eq!(page(&["a", "b"], true).next(), None);
    assert_eq!(page(&[], false).next(), None);
    assert_eq!(page(&[], true).next(), None);
}
