//! Registry operations as state machines, a module per concern: [`manifests`], [`blobs`],
//! [`listings`], [`referrers`], [`check_auth`]. Each one is driven the same way:
//!
//! ```text
//! let mut input = Input::Start;
//! loop {
//!     match operation.next(&mut session, input, now_ms)? {
//!         Event::Send(request) => input = Input::Response(host_send(request)),
//!         Event::Wait(ms) => { host_sleep(ms); input = Input::Resume }
//!         Event::Done(output) => break output,
//!     }
//! }
//! ```

use super::auth::{Action, Scope};
use super::http::{Body, Method, Request, ResponseBody, encode_query, origin};
use super::limits::Deadline;
use super::link::next_link;
use super::session::{
    Event, Exchange, Input, Session, Step, capture, registry_error, resolve_location,
};
use crate::media_type::{docker, oci};
use crate::{Descriptor, Digest, Error, MediaType, Reference};

/// Manifests larger than this are refused unless the caller raises the limit (distribution's
/// own limit is 4 MiB).
pub const MANIFEST_SIZE_MAX: u64 = 4 * 1024 * 1024;

/// The largest page of tags read (tens of thousands of tags).
pub const TAG_LIST_MAX: u64 = 16 * 1024 * 1024;

/// The manifest types ocikit asks for, OCI first.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

fn repository_path(reference: &Reference, kind: &str, target: &str) -> String {
    format!("/v2/{}/{kind}/{target}", reference.repository())
}

/// A GET of a JSON document (a manifest, an index, a tag list) of at most `max` bytes, asking
/// for `accept`, with a token for `actions` on `reference`'s repository.
fn get_document(
    url: String,
    reference: &Reference,
    accept: &str,
    max: u64,
    actions: &[Action],
) -> Exchange {
    let mut request = Request::new(Method::Get, url).header("Accept", accept);
    request.response_body = capture(max);
    Exchange::new(request, Scope::repository(reference.repository(), actions))
}

/// A registry's error with the request it answered: the method, the URL without its query
/// (which may hold a signature) — the host, the repository, the tag or digest — and, for 401
/// and 403, whether the request carried credentials ("log in" in one case, "these credentials
/// are refused" in the other). Other errors are returned as they are.
pub(crate) fn in_context(err: Error, exchange: &Exchange) -> Error {
    let Error::Registry { status, mut errors } = err else {
        return err;
    };
    let url = exchange.url();
    let path = url.split(['?', '#']).next().unwrap_or_default();
    let mut context = format!("{} {path}", exchange.method());
    if matches!(status, 401 | 403) {
        context.push_str(match exchange.credentials_sent() {
            true => ", credentials were sent",
            false => ", no credentials were sent",
        });
    }
    if let Some(first) = errors.first_mut() {
        first.message = match first.message.is_empty() {
            true => context,
            false => format!("{} ({context})", first.message),
        };
    }
    Error::Registry { status, errors }
}

/// Drives an operation's exchange (`$op.exchange`, within `$op.deadline`) until it yields a
/// response, or returns the event for the host or the error. With `interrupted`, a transport
/// failure goes to the operation's `interrupted(session, &failure, error, now)` (the blob
/// operations resume cut transfers) instead of ending it.
macro_rules! exchange {
    ($op:expr, $session:expr, $input:expr, $now:expr) => {
        exchange!(@step $op, $session, $input, $now, |_failure, error| Err(error))
    };
    ($op:expr, $session:expr, $input:expr, $now:expr, interrupted) => {
        exchange!(@step $op, $session, $input, $now, |failure, error| {
            $op.interrupted($session, &failure, error, $now)
        })
    };
    (@step $op:expr, $session:expr, $input:expr, $now:expr, |$failure:pat_param, $error:ident| $failed:expr) => {
        match $op
            .exchange
            .step($session, $input, $now, &mut $op.deadline)
            .map_err(|err| in_context(err, &$op.exchange))?
        {
            Step::Event(Event::Send(request)) => return Ok(Event::Send(request)),
            Step::Event(Event::Wait(ms)) => return Ok(Event::Wait(ms)),
            Step::Event(Event::Done(())) => unreachable!("exchanges never finish an operation"),
            Step::Failed($failure, $error) => return $failed,
            Step::Response(response) => response,
        }
    };
}

/// The DELETE of a manifest or a blob by digest (distribution-spec "Deleting Manifests" and
/// "Deleting Blobs": `DELETE /v2/<name>/<manifests|blobs>/<digest>`, "a `202 Accepted`"; `200`
/// and `204` are read as done too; a registry that does not delete answers `405 UNSUPPORTED`):
/// what [`DeleteManifest`] and [`DeleteBlob`] both are.
#[derive(Debug, Clone)]
struct Deletion {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
}

impl Deletion {
    /// Deletes `digest` of `kind` (`manifests` or `blobs`) from `reference`'s repository.
    fn new(session: &Session, reference: &Reference, kind: &str, digest: &Digest) -> Self {
        let url = session.url(&repository_path(reference, kind, &digest.to_string()));
        Self {
            deadline: Deadline::default(),
            exchange: Exchange::new(
                Request::new(Method::Delete, url),
                Scope::repository(reference.repository(), &[Action::Delete]),
            ),
        }
    }

    fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        let response = exchange!(self, session, input, now_ms);
        match response.status {
            200 | 202 | 204 => Ok(Event::Done(())),
            _ => Err(in_context(registry_error(&response), &self.exchange)),
        }
    }
}

pub mod blobs;
pub mod check_auth;
pub mod listings;
pub mod manifests;
mod paging;
pub mod probe;
pub mod referrers;

pub use blobs::{BlobExists, DeleteBlob, GetBlob, PushBlob, PushOptions};
pub use check_auth::CheckAuth;
pub use listings::{ListRepositories, ListTags, Page};
pub use manifests::{
    DeleteManifest, FetchedManifest, GetManifest, PutManifest, ResolveManifest, Resolved,
    is_manifest_type,
};
pub use probe::Look;
pub use referrers::{AddReferrer, ListReferrers, ProbeReferrers, RemoveReferrer, referrers_tag};
