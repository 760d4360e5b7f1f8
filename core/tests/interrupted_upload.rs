//! `Operation::interrupted_upload`: after a whole operation failed, the blob upload its error is
//! about (the engine gave up on it after the network cut it), with the upload URL to resume
//! from; `None` when the error is about anything else — also when an upload was cut earlier and
//! then finished (a host once kept "the last upload cut" for the rest of the operation and
//! blamed a later failure of the manifest PUT on that finished upload).

use ocikit_core::registry::{
    Action, Failure, FailureKind, Input, InterruptedUpload, Method, Operation, Push,
    PushArtifactOptions, Request, Response, RetryPolicy, Session, Sessions,
};
use ocikit_core::{Digest, Error, Reference};

const UPLOAD: &str = "/v2/docs/blobs/uploads/u1";

/// A registry that has nothing, opens every upload session at [`UPLOAD`], and answers a
/// session's status with "nothing received yet"; `cut` says which requests the network cuts.
struct Registry<F: FnMut(&Request) -> bool> {
    cut: F,
    log: Vec<String>,
}

impl<F: FnMut(&Request) -> bool> Registry<F> {
    fn answer(&mut self, request: &Request) -> Input {
        let path = request.url.trim_start_matches("http://reg.test").to_owned();
        self.log.push(format!("{:?} {path}", request.method));
        if (self.cut)(request) {
            return Input::Failure(Failure::new(FailureKind::Network, "connection reset"));
        }
        let (status, headers): (u16, Vec<(&str, String)>) = match request.method {
            Method::Head => (404, vec![]),
            Method::Post => (202, vec![("Location", UPLOAD.to_owned())]),
            Method::Get if path.starts_with(UPLOAD) => (
                204,
                vec![("Range", "0-0".to_owned()), ("Location", UPLOAD.to_owned())],
            ),
            Method::Put | Method::Patch if path.starts_with(UPLOAD) => {
                let digest = path.split("digest=").nth(1).unwrap_or_default();
                (
                    201,
                    vec![("Docker-Content-Digest", digest.replace("%3A", ":"))],
                )
            }
            Method::Put => (201, vec![]),
            _ => (404, vec![]),
        };
        Input::Response(Response {
            status,
            headers: headers
                .into_iter()
                .map(|(n, v)| (n.to_owned(), v))
                .collect(),
            ..Response::default()
        })
    }
}

fn push() -> (Push, Digest) {
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.test","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="},"layers":[{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2,"data":"e30="}]}"#;
    let reference = Reference::parse("reg.test/docs:v1").expect("reference");
    let push = Push::new(
        &reference,
        "application/vnd.oci.image.manifest.v1+json",
        manifest.to_vec(),
        PushArtifactOptions::default(),
    )
    .expect("push");
    let empty =
        Digest::parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")
            .expect("digest");
    (push, empty)
}

/// Runs `op` against `registry` one request at a time; its error.
fn fail<F: FnMut(&Request) -> bool>(op: &mut Push, registry: &mut Registry<F>) -> Error {
    let mut sessions = Sessions::new();
    sessions.insert(
        Session::new("reg.test", true, None).with_retry_policy(RetryPolicy {
            max_retries: 1,
            base_delay_ms: 1,
            max_delay_ms: 1,
        }),
    );
    let mut queue = Vec::new();
    loop {
        let action = match op.poll(&mut sessions, 0) {
            Ok(action) => action,
            Err(error) => return error,
        };
        let step = match action {
            Action::Send { task, request, .. } => {
                queue.push((task, request));
                Ok(())
            }
            Action::Wait { task, .. } => op.provide(task, Input::Resume),
            Action::Pending => {
                let (task, request) = queue.remove(0);
                let input = registry.answer(&request);
                op.provide(task, input)
            }
            Action::Done(_) => panic!("the push succeeded: {:?}", registry.log),
        };
        if let Err(error) = step {
            return error;
        }
    }
}

#[test]
fn an_upload_given_up_on_is_named_with_its_url() {
    let (mut op, empty) = push();
    assert_eq!(op.interrupted_upload(), None);
    let mut registry = Registry {
        cut: |r: &Request| r.method == Method::Put && r.url.contains(UPLOAD),
        log: Vec::new(),
    };
    let error = fail(&mut op, &mut registry);
    assert_eq!(error.code(), "NETWORK_ERROR");
    let InterruptedUpload { blob, upload_url } = op.interrupted_upload().expect("the upload");
    assert_eq!((&blob.digest, blob.size), (&empty, 2));
    assert_eq!(upload_url, &format!("http://reg.test{UPLOAD}"));
}

#[test]
fn an_upload_cut_once_and_finished_is_not_blamed_for_a_later_failure() {
    let (mut op, _) = push();
    let mut cuts = 0;
    let mut registry = Registry {
        cut: |r: &Request| {
            // The blob's first PUT is cut (resumed, then finished); every manifest PUT too.
            let first_blob_put = r.method == Method::Put && r.url.contains(UPLOAD) && cuts == 0;
            if first_blob_put {
                cuts += 1;
            }
            first_blob_put || (r.method == Method::Put && r.url.contains("/manifests/"))
        },
        log: Vec::new(),
    };
    let error = fail(&mut op, &mut registry);
    assert_eq!(error.code(), "NETWORK_ERROR");
    assert!(error.to_string().contains("/manifests/"), "{error}");
    let blob_puts = registry
        .log
        .iter()
        .filter(|l| l.starts_with("Put ") && l.contains(UPLOAD))
        .count();
    assert_eq!(blob_puts, 2, "cut once, then finished: {:?}", registry.log);
    assert_eq!(op.interrupted_upload(), None);
}
