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

pub use engine::{Action, Operation, PlannedRequest, Sessions, TaskId};
pub use errors::{RegistryError, RetryPolicy};
pub use http::{Body, Method, Request, Response, ResponseBody};
pub use limits::Limits;
pub use operations::{
    AddReferrer, BlobExists, CheckAuth, DeleteManifest, FetchedManifest, GetBlob, GetManifest,
    ListReferrers, ListTags, Page, PushBlob, PushOptions, PutManifest, ResolveManifest, Resolved,
};
pub use session::{Credentials, Event, Failure, FailureKind, Input, Session};
pub use walk::{
    CopyPlan, GraphWalk, GraphWalkOptions, PlannedDocument, ReferrerNode, ReferrerTree,
    ReferrerWalk, WalkLimits, WalkStep,
};
pub use whole::copy::{Copy, CopyOptions, CopyOutcome};
pub use whole::delete::{Delete, DeleteOutcome, TagsOf, TagsOfOutcome};
pub use whole::discover::{Discover, DiscoverOptions, DiscoverOutcome};
pub use whole::pull::{Pull, PullOptions, PullOutcome, PulledFile, plan_files};
pub use whole::push::{BlobOutcome, BlobStatus, Push, PushArtifactOptions, PushOutcome};
pub use whole::referrer_descriptor;
