//! The registry doctor in the core (issue 15 item 3): `ProbeRegistry` asks `/v2/`, checks the
//! credentials, and with a reference probes the referrers API about the digest that resolved
//! and the tag list's pagination; what each answer proves is decided here, for every host.

use std::collections::VecDeque;

// The doctor is re-exported beside the other whole operations (issue 15 gap).
use ocikit_core::registry::{
    Action, Failure, FailureKind, Input, Operation, ProbeRegistry, RegistryReport, Request,
    Response, Session, Sessions, TaskId,
};
use ocikit_core::{Error, Reference};

const R: &str = "127.0.0.1:5000";
const DIGEST: &str = "sha256:6dae69d96e4b7a290834ecd9c7a8eb212ae006f004f073a24e47bc3cd1a08e06";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";

fn res(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
    Response {
        status,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: body.as_bytes().to_vec(),
        streamed: None,
    }
}

/// Drives `op`, answering the oldest request first with `answer`; returns the report (or
/// error) and the requests in the order they were sent.
fn drive(
    mut op: ProbeRegistry,
    mut answer: impl FnMut(&Request) -> Result<Response, Failure>,
) -> (Result<RegistryReport, Error>, Vec<String>) {
    let mut sessions = Sessions::from(Session::new(R, true, None));
    let mut queue: VecDeque<(TaskId, Request)> = VecDeque::new();
    let mut sent = Vec::new();
    loop {
        match op.poll(&mut sessions, 0) {
            Err(err) => return (Err(err), sent),
            Ok(Action::Done(report)) => return (Ok(report), sent),
            Ok(Action::Send { task, request, .. }) => {
                sent.push(format!(
                    "{} {}",
                    request.method,
                    request.url.trim_start_matches("http://127.0.0.1:5000")
                ));
                queue.push_back((task, request));
            }
            Ok(Action::Wait { task, .. }) => op.provide(task, Input::Resume).expect("resume"),
            Ok(Action::Pending) => {
                let (task, request) = queue.pop_front().expect("a request in flight");
                let input = match answer(&request) {
                    Ok(response) => Input::Response(response),
                    Err(failure) => Input::Failure(failure),
                };
                if let Err(err) = op.provide(task, input) {
                    return (Err(err), sent);
                }
            }
        }
    }
}

/// A registry: `/v2/` open, `docs:v1` resolving to DIGEST, tags v1 and v2 (n ignored unless
/// `n_honoured`), and the referrers answer given.
fn registry(
    referrers: Response,
    n_honoured: bool,
) -> impl FnMut(&Request) -> Result<Response, Failure> {
    move |request| {
        let path = request.url.trim_start_matches("http://127.0.0.1:5000");
        Ok(match path {
            "/v2/" => res(
                200,
                &[("Docker-Distribution-API-Version", "registry/2.0")],
                "{}",
            ),
            "/v2/docs/manifests/v1" => res(
                200,
                &[
                    ("Content-Type", "application/vnd.oci.image.manifest.v1+json"),
                    ("Docker-Content-Digest", DIGEST),
                    ("Content-Length", "669"),
                ],
                "",
            ),
            "/v2/docs/tags/list?n=1" if n_honoured => res(
                200,
                &[("Link", "</v2/docs/tags/list?n=1&last=v1>; rel=\"next\"")],
                r#"{"name":"docs","tags":["v1"]}"#,
            ),
            "/v2/docs/tags/list?n=1" | "/v2/docs/tags/list" => {
                res(200, &[], r#"{"name":"docs","tags":["v1","v2"]}"#)
            }
            p if p == format!("/v2/docs/referrers/{DIGEST}") => referrers.clone(),
            other => panic!("not served: {other}"),
        })
    }
}

fn reference() -> Reference {
    Reference::parse(&format!("{R}/docs:v1")).expect("reference")
}

#[test]
fn a_registry_without_the_referrers_api_and_n_ignored() {
    let op = ProbeRegistry::new(R, Some(&reference()), Some("distribution")).expect("op");
    let not_found = res(
        404,
        &[("Content-Type", "text/plain")],
        "404 page not found\n",
    );
    let (report, sent) = drive(op, registry(not_found, false));
    let report = report.expect("report");
    assert_eq!(report.profile.name, "distribution");
    assert_eq!(report.v2.status, 200);
    assert_eq!(report.v2.auth, "ok");
    assert_eq!(report.v2.api_version.as_deref(), Some("registry/2.0"));
    assert_eq!(
        report.referrers.digest.map(|d| d.to_string()).as_deref(),
        Some(DIGEST)
    );
    assert_eq!(report.referrers.status, Some(404));
    assert_eq!(
        report.referrers.supported,
        Some(false),
        "a 404 for a digest that exists"
    );
    let tags = report.tag_list.expect("tags");
    assert_eq!((tags.tags, tags.first_page, tags.link), (2, 2, false));
    assert_eq!(tags.n_honoured, Some(false));
    assert!(
        sent.iter()
            .all(|r| r.starts_with("GET ") || r.starts_with("HEAD ")),
        "{sent:?}"
    );
    assert_eq!(
        report
            .not_probed
            .iter()
            .map(|(t, _)| *t)
            .collect::<Vec<_>>(),
        ["delete", "chunked-upload"]
    );
}

#[test]
fn only_an_oci_index_proves_the_referrers_api() {
    let index = format!(r#"{{"schemaVersion":2,"mediaType":"{INDEX}","manifests":[]}}"#);
    for (answer, supported) in [
        (res(200, &[("Content-Type", INDEX)], &index), Some(true)),
        (
            res(200, &[("Content-Type", "text/html")], "<html>portal</html>"),
            None,
        ),
        (res(500, &[], "oops"), None),
    ] {
        let op = ProbeRegistry::new(R, Some(&reference()), Some("quay")).expect("op");
        let (report, _) = drive(op, registry(answer.clone(), true));
        let report = report.expect("report");
        assert_eq!(report.referrers.supported, supported, "{}", answer.status);
        assert_eq!(
            report.referrers.supported.is_none(),
            report.referrers.note.is_some()
        );
        let tags = report.tag_list.expect("tags");
        assert_eq!((tags.n_honoured, tags.link), (Some(true), true));
    }
}

#[test]
fn without_a_reference_only_v2_is_asked() {
    let op = ProbeRegistry::new(R, None, None).expect("op");
    let (report, sent) = drive(op, registry(res(404, &[], ""), false));
    let report = report.expect("report");
    assert_eq!(sent, ["GET /v2/", "GET /v2/"]);
    assert_eq!(report.profile.name, "generic");
    assert!(report.referrers.digest.is_none() && report.referrers.note.is_some());
    assert!(report.tag_list.is_none());
}

#[test]
fn a_refused_login_is_reported_and_an_unreachable_registry_is_the_error() {
    let op = ProbeRegistry::new(R, None, None).expect("op");
    let mut asked = 0;
    let (report, _) = drive(op, |_| {
        asked += 1;
        Ok(res(
            401,
            &[("WWW-Authenticate", "Basic realm=\"r\"")],
            r#"{"errors":[{"code":"UNAUTHORIZED","message":"login"}]}"#,
        ))
    });
    let report = report.expect("report");
    assert_eq!(report.v2.status, 401);
    assert_eq!(report.v2.challenge.as_deref(), Some("Basic realm=\"r\""));
    assert_eq!(report.v2.auth, "UNAUTHORIZED");
    let op = ProbeRegistry::new(R, None, None).expect("op");
    let (report, _) = drive(op, |_| Err(Failure::new(FailureKind::Network, "refused")));
    assert_eq!(report.expect_err("unreachable").code(), "NETWORK_ERROR");
    let misuse = ProbeRegistry::new("other:1", Some(&reference()), None).expect_err("misuse");
    assert_eq!(misuse.code(), "OPERATION_MISUSE");
    let unknown = ProbeRegistry::new(R, None, Some("nope")).expect_err("unknown");
    assert_eq!(unknown.code(), "OPTIONS_INVALID");
}
