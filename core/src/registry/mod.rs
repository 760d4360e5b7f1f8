//! The registry protocol (OCI distribution-spec) as sans-IO state machines.
//!
//! The engine never touches the network and never reads the clock: the host sends the
//! [`Request`]s an operation asks for, feeds back each
//! [`Response`], sleeps when asked, and passes the current time in. Authentication
//! (Basic, Bearer tokens with scopes), retries of 408/429/5xx with backoff and `Retry-After`,
//! and redirects (credentials never follow to another origin) are handled for every operation
//! by one [`Session`], within its [`Limits`]: each request carries the stall timeout and the
//! deadline the host enforces ([`Request::timeout_ms`], [`Request::deadline_ms`]), a transport
//! failure goes back as [`Input::Failure`], and the engine answers `TIMEOUT` once an
//! operation's deadline has passed. Token realms and upload `Location`s get the registry's
//! credentials and content only where DESIGN.md's security policy allows
//! ([`auth::realm_refusal`]).
//!
//! ```
//! use ocikit_core::Reference;
//! use ocikit_core::registry::{Event, GetManifest, Input, Response, Session};
//!
//! let reference = Reference::parse("127.0.0.1:5000/docs:v1").unwrap();
//! let mut session = Session::new(reference.registry(), true, None);
//! let mut get = GetManifest::new(&session, &reference);
//!
//! // The host: here canned answers; in ocikit's clients, urllib, fetch or httpx.
//! let send = |request: ocikit_core::registry::Request| {
//!     assert_eq!(request.url, "http://127.0.0.1:5000/v2/docs/manifests/v1");
//!     Response { status: 200, body: b"{}".to_vec(), ..Response::default() }
//! };
//! let mut input = Input::Start;
//! let manifest = loop {
//!     match get.next(&mut session, input, 0).unwrap() {
//!         Event::Send(request) => input = Input::Response(send(request)),
//!         Event::Wait(_ms) => input = Input::Resume, // the host sleeps first
//!         Event::Done(manifest) => break manifest,
//!     }
//! };
//! assert_eq!(manifest.digest, ocikit_core::digest::sha256(b"{}"));
//! ```
//!
//! Whole operations — [`Push`] (and attach), [`Pull`], [`CopyArtifact`], [`Discover`], [`Delete`],
//! [`TagsOf`] — compose these into one [`Operation`]: the host polls it for [`Action`]s, runs
//! every request it hands out (concurrently: the tasks in flight are independent), provides
//! each answer for its task, and gets the outcome in [`Action::Done`]. Transport failures are
//! inputs too ([`Input::Failure`]); the engine decides retries, resumes and when to give up.
//!
//! ```text
//!   let mut op = Pull::new(&reference, PullOptions::default());
//!   loop {
//!       match op.poll(&mut sessions, now_ms)? {
//!           Action::Send { task, request, blob, registry } => start it (with `registry`'s
//!                    transport); when it ends:
//!                    op.provide(task, Input::Response(response) | Input::Failure(failure))?
//!           Action::Wait { task, ms } => after ms: op.provide(task, Input::Resume)?
//!           Action::Pending => block until any task in flight ends; provide it
//!           Action::Done(outcome) => break outcome,
//!       }
//!   }
//! ```
//!
//! ```
//! use ocikit_core::Reference;
//! use ocikit_core::registry::{
//!     Action, Input, Operation, Pull, PullOptions, Response, Session, Sessions,
//! };
//!
//! let layer = br#"{"mediaType":"text/plain","digest":"sha256:8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4","size":2,"annotations":{"org.opencontainers.image.title":"hi.txt"}}"#;
//! let manifest = format!(
//!     r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2}},"layers":[{}]}}"#,
//!     std::str::from_utf8(layer).unwrap()
//! );
//! let reference = Reference::parse("127.0.0.1:5000/docs:v1").unwrap();
//! let mut sessions = Sessions::from(Session::new("127.0.0.1:5000", true, None));
//! let mut pull = Pull::new(&reference, PullOptions::default());
//! let mut in_flight = Vec::new();
//! let outcome = loop {
//!     match pull.poll(&mut sessions, 0).unwrap() {
//!         Action::Send { task, request, blob, .. } => in_flight.push((task, request, blob)),
//!         Action::Wait { task, .. } => pull.provide(task, Input::Resume).unwrap(),
//!         Action::Pending => {
//!             // The host: here canned answers; in ocikit's clients, threads or promises.
//!             let (task, request, blob) = in_flight.remove(0);
//!             let response = match blob {
//!                 // Streamed into the sink for that blob, hashed on the way.
//!                 Some(_blob) => Response {
//!                     status: 200,
//!                     streamed: Some((ocikit_core::digest::sha256(b"hi"), 2)),
//!                     ..Response::default()
//!                 },
//!                 None => Response {
//!                     status: 200,
//!                     body: manifest.clone().into_bytes(),
//!                     ..Response::default()
//!                 },
//!             };
//!             assert!(request.url.starts_with("http://127.0.0.1:5000/v2/docs/"));
//!             pull.provide(task, Input::Response(response)).unwrap();
//!         }
//!         Action::Done(outcome) => break outcome,
//!     }
//! };
//! assert_eq!(outcome.files[0].path, "hi.txt");
//! ```

pub mod auth;
pub mod engine;
pub mod errors;
pub mod http;
pub mod limits;
pub mod link;
pub mod operations;
pub mod session;
pub mod walk;
pub mod whole;

pub use engine::{
    Action, Concurrency, InterruptedUpload, LARGE_TRANSFER, Operation, PlannedRequest, Sessions,
    TaskId,
};
pub use errors::{RegistryError, RetryPolicy};
pub use http::{Body, Method, Request, Response, ResponseBody};
pub use limits::Limits;
pub use operations::{
    AddReferrer, BlobExists, CheckAuth, DeleteBlob, DeleteManifest, FetchedManifest, GetBlob,
    GetManifest, ListReferrers, ListRepositories, ListTags, Page, PushBlob, PushOptions,
    PutManifest, RemoveReferrer, ResolveManifest, Resolved,
};
pub use session::{
    Credentials, Event, Failure, FailureKind, Input, KNOWN_BLOBS_MAX, SINGLE_POST_PROBE_MAX,
    Session,
};
pub use walk::{
    CopyPlan, GraphWalk, GraphWalkOptions, PlannedDocument, ReferrerNode, ReferrerTree,
    ReferrerWalk, WalkLimits, WalkStep,
};
pub use whole::copy::{CopyArtifact, CopyOptions, CopyOutcome};
pub use whole::delete::{Delete, DeleteOutcome, TagsOf, TagsOfOutcome};
pub use whole::discover::{Discover, DiscoverOptions, DiscoverOutcome};
pub use whole::doctor::{ProbeRegistry, ReferrersProbe, RegistryReport, TagListProbe, V2Probe};
pub use whole::pull::{Pull, PullOptions, PullOutcome, PulledFile, plan_collection, plan_files};
pub use whole::push::{
    BlobOutcome, BlobStatus, NEW_ARTIFACT_PROBES, Push, PushArtifactOptions, PushOutcome,
    SMALL_BLOB_MAX,
};
pub use whole::referrer_descriptor;
