//! The registry protocol (OCI distribution-spec) as sans-IO state machines.
//!
//! The engine never touches the network and never reads the clock: the host sends the
//! [`Request`](http::Request)s an operation asks for, feeds back each
//! [`Response`](http::Response), sleeps when asked, and passes the current time in. Authentication
//! (Basic, Bearer tokens with scopes), retries of 408/429/5xx with backoff and `Retry-After`,
//! and redirects (credentials never follow to another origin) are handled for every operation
//! by one [`Session`](session::Session).

pub mod auth;
pub mod errors;
pub mod http;
pub mod link;
pub mod operations;
pub mod session;

pub use errors::{RegistryError, RetryPolicy};
pub use http::{Body, Method, Request, Response, ResponseBody};
pub use operations::{
    AddReferrer, BlobExists, DeleteManifest, FetchedManifest, GetBlob, GetManifest, ListReferrers,
    ListTags, PushBlob, PushOptions, PutManifest, ResolveManifest, Resolved,
};
pub use session::{Credentials, Event, Input, Session};
