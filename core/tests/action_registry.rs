//! Each request an operation hands out names the session it is for (`Action::Send::registry`),
//! so a host sends it with that registry's transport without comparing host names: a copy's
//! token requests to the destination's token realm are the destination's, though their URL names
//! neither registry.

use ocikit_core::Reference;
use ocikit_core::registry::{
    Action, CopyArtifact, CopyOptions, Input, Method, Operation, Response, Session, Sessions,
};

const SOURCE: &str = "src.test";
const DESTINATION: &str = "dst.test";
const REALM: &str = "https://auth.test/token";

fn host(url: &str) -> &str {
    url.split('/').nth(2).expect("a URL with a host")
}

fn header(name: &str, value: &str) -> (String, String) {
    (name.to_owned(), value.to_owned())
}

#[test]
fn a_copy_s_token_requests_are_the_destination_s() {
    let empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.test","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{empty}","size":2}},"layers":[{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{empty}","size":2}}]}}"#
    );
    let mut sessions = Sessions::from(Session::new(SOURCE, false, None));
    sessions.insert(Session::new(DESTINATION, false, None));
    let mut copy = CopyArtifact::new(
        &Reference::parse(&format!("{SOURCE}/a:v1")).expect("a reference"),
        &Reference::parse(&format!("{DESTINATION}/b:v1")).expect("a reference"),
        CopyOptions::default(),
    )
    .expect("a copy");
    let mut queue = Vec::new();
    let mut seen = Vec::new();
    for _ in 0..1000 {
        match copy.poll(&mut sessions, 0).expect("poll") {
            Action::Send {
                task,
                request,
                registry,
                ..
            } => queue.push((task, request, registry)),
            Action::Wait { task, .. } => copy.provide(task, Input::Resume).expect("resume"),
            Action::Pending => {
                let (task, request, registry) = queue.remove(0);
                let at = host(&request.url).to_owned();
                seen.push((at.clone(), registry.clone()));
                let authorized = request
                    .headers
                    .iter()
                    .any(|(n, v)| n.eq_ignore_ascii_case("authorization") && v == "Bearer t");
                let response = if at == "auth.test" {
                    Response {
                        status: 200,
                        headers: vec![header("Content-Type", "application/json")],
                        body: br#"{"token":"t"}"#.to_vec(),
                        ..Response::default()
                    }
                } else if at == DESTINATION && !authorized {
                    let challenge = format!(
                        r#"Bearer realm="{REALM}",service="{DESTINATION}",scope="repository:b:pull,push""#
                    );
                    Response {
                        status: 401,
                        headers: vec![header("WWW-Authenticate", &challenge)],
                        ..Response::default()
                    }
                } else if at == SOURCE {
                    Response {
                        status: 200,
                        headers: vec![header(
                            "Content-Type",
                            "application/vnd.oci.image.manifest.v1+json",
                        )],
                        body: manifest.clone().into_bytes(),
                        ..Response::default()
                    }
                } else if request.method == Method::Head {
                    // The destination has the blob already.
                    Response {
                        status: 200,
                        headers: vec![
                            header("Content-Length", "2"),
                            header("Docker-Content-Digest", empty),
                        ],
                        ..Response::default()
                    }
                } else {
                    Response {
                        status: 201,
                        ..Response::default()
                    }
                };
                copy.provide(task, Input::Response(response))
                    .expect("provide");
            }
            Action::Done(_) => {
                // Requests to each registry are that registry's; the token realm's, the
                // destination's (it challenged for them).
                assert!(seen.iter().any(|(at, _)| at == "auth.test"), "{seen:?}");
                for (at, registry) in &seen {
                    let expected = if at == SOURCE { SOURCE } else { DESTINATION };
                    assert_eq!(registry, expected, "{seen:?}");
                }
                return;
            }
        }
    }
    panic!("the copy did not end: {seen:?}");
}
