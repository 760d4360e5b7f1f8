//! Registry operations as state machines. Each one is driven the same way:
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

/// Drives an operation's exchange (`$op.exchange`, within `$op.deadline`) until it yields a
/// response, or returns the event for the host or the error.
macro_rules! exchange {
    ($op:expr, $session:expr, $input:expr, $now:expr) => {
        match $op
            .exchange
            .step($session, $input, $now, &mut $op.deadline)?
        {
            Step::Event(Event::Send(request)) => return Ok(Event::Send(request)),
            Step::Event(Event::Wait(ms)) => return Ok(Event::Wait(ms)),
            Step::Event(Event::Done(())) => unreachable!("exchanges never finish an operation"),
            Step::Failed(_, error) => return Err(error),
            Step::Response(response) => response,
        }
    };
}

/// A manifest as fetched: its exact bytes, the digest of those bytes and the served type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedManifest {
    /// `Content-Type` as served.
    pub media_type: String,
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// The digest of the bytes (checked against the reference's digest and
    /// `Docker-Content-Digest`).
    pub digest: Digest,
}

/// GET a manifest by tag or digest.
#[derive(Debug, Clone)]
pub struct GetManifest {
    reference: Reference,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    max: u64,
}

impl GetManifest {
    /// Fetches the manifest `reference` names (digest first, else tag, else `latest`).
    pub fn new(session: &Session, reference: &Reference) -> Self {
        Self::with_limit(session, reference, MANIFEST_SIZE_MAX)
    }

    /// Fetches with another size limit.
    pub fn with_limit(session: &Session, reference: &Reference, max: u64) -> Self {
        let url = session.url(&repository_path(
            reference,
            "manifests",
            &reference.target(),
        ));
        Self {
            deadline: Deadline::default(),
            reference: reference.clone(),
            exchange: get_document(url, reference, MANIFEST_ACCEPT, max, &[Action::Pull]),
            max,
        }
    }

    /// The next step.
    ///
    /// # Errors
    /// [`Error::Registry`] (e.g. `MANIFEST_UNKNOWN`), [`Error::SizeInvalid`] over the limit,
    /// [`Error::DigestMismatch`] when the bytes do not match the requested digest or
    /// `Docker-Content-Digest`.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<FetchedManifest>, Error> {
        let response = exchange!(self, session, input, now_ms);
        if response.status != 200 {
            return Err(registry_error(&response));
        }
        if response.body.len() as u64 > self.max {
            return Err(Error::SizeInvalid {
                value: format!(
                    "{} bytes: the manifest is over the {} byte limit",
                    response.body.len(),
                    self.max
                ),
            });
        }
        let algorithm = self
            .reference
            .digest()
            .map_or(crate::Algorithm::Sha256, |d| d.algorithm().clone());
        let digest = crate::digest::compute(&algorithm, &response.body)?;
        if let Some(expected) = self.reference.digest() {
            crate::digest::check(expected, None, &digest, response.body.len() as u64)?;
        }
        if let Some(served) = response.content_digest() {
            if served.algorithm() == digest.algorithm() && served != digest {
                return Err(Error::DigestMismatch {
                    expected: served,
                    actual: digest,
                });
            }
        }
        let media_type = response.media_type();
        Ok(Event::Done(FetchedManifest {
            media_type,
            bytes: response.body,
            digest,
        }))
    }
}

/// PUT a manifest's exact bytes under a tag or its digest.
#[derive(Debug, Clone)]
pub struct PutManifest {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    digest: Digest,
    subject_processed: bool,
}

impl PutManifest {
    /// Uploads `bytes` as a manifest of `media_type`, tagged with `reference`'s tag (or under
    /// its digest when it has none).
    pub fn new(
        session: &Session,
        reference: &Reference,
        media_type: &MediaType,
        bytes: Vec<u8>,
    ) -> Self {
        let digest = crate::digest::sha256(&bytes);
        let target = reference
            .tag()
            .map_or_else(|| digest.to_string(), str::to_owned);
        let url = session.url(&repository_path(reference, "manifests", &target));
        let mut request =
            Request::new(Method::Put, url).header("Content-Type", media_type.as_str());
        request.body = Body::Bytes(bytes);
        Self {
            deadline: Deadline::default(),
            exchange: Exchange::new(
                request,
                Scope::repository(reference.repository(), &[Action::Pull, Action::Push]),
            ),
            digest,
            subject_processed: false,
        }
    }

    /// After the PUT: whether the registry said (`OCI-Subject`) that it indexed the manifest's
    /// subject for the referrers API. When a manifest with a subject was pushed and this is
    /// false, the host runs [`AddReferrer`] to keep the referrers tag schema current.
    pub fn subject_processed(&self) -> bool {
        self.subject_processed
    }

    /// The next step; done with the manifest's digest.
    ///
    /// # Errors
    /// [`Error::Registry`] (e.g. `MANIFEST_INVALID`, `MANIFEST_BLOB_UNKNOWN`), or
    /// [`Error::DigestMismatch`] when the registry reports another digest.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Digest>, Error> {
        let response = exchange!(self, session, input, now_ms);
        if response.status != 201 && response.status != 200 {
            return Err(registry_error(&response));
        }
        self.subject_processed = response.header("OCI-Subject").is_some();
        if let Some(served) = response.content_digest() {
            if served.algorithm() == self.digest.algorithm() && served != self.digest {
                return Err(Error::DigestMismatch {
                    expected: self.digest.clone(),
                    actual: served,
                });
            }
        }
        Ok(Event::Done(self.digest.clone()))
    }
}

/// HEAD a blob: its size if the repository has it.
#[derive(Debug, Clone)]
pub struct BlobExists {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
}

impl BlobExists {
    /// Asks whether the repository has the blob `digest`.
    pub fn new(session: &Session, reference: &Reference, digest: &Digest) -> Self {
        let url = session.url(&repository_path(reference, "blobs", &digest.to_string()));
        Self {
            deadline: Deadline::default(),
            exchange: Exchange::new(
                Request::new(Method::Head, url),
                Scope::repository(reference.repository(), &[Action::Pull]),
            ),
        }
    }

    /// The next step; done with `Some(size)` or `None`.
    ///
    /// # Errors
    /// [`Error::Registry`] for anything but 200 and 404.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Option<u64>>, Error> {
        let response = exchange!(self, session, input, now_ms);
        match response.status {
            200 => Ok(Event::Done(Some(
                response
                    .header("Content-Length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or_default(),
            ))),
            404 => Ok(Event::Done(None)),
            _ => Err(registry_error(&response)),
        }
    }
}

/// How to upload a blob.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushOptions {
    /// Try a cross-repository mount from this repository of the same registry first.
    pub mount_from: Option<String>,
    /// Upload in chunks of this many bytes (raised to the registry's `OCI-Chunk-Min-Length`);
    /// `None` uploads in one PUT.
    pub chunk_size: Option<u64>,
}

/// Upload a blob: skip it when present, mount it from another repository when asked, else POST
/// for an upload session and send the content — in one PUT with the digest (monolithic), or in
/// PATCHed chunks, always to the newest `Location`, closed by a PUT with the digest. A failed
/// chunk is resumed from the offset the registry reports (`Range`), and an upload interrupted
/// for good can be resumed later with [`PushBlob::resume`]. An upload session the registry lost
/// (404, or 400 `BLOB_UPLOAD_UNKNOWN` / `BLOB_UPLOAD_INVALID`) starts over once in a new
/// session, unless the blob turns out to be there. (distribution 2.8.2 does not take
/// single-POST uploads, so none is attempted.)
#[derive(Debug, Clone)]
pub struct PushBlob {
    reference: Reference,
    descriptor: Descriptor,
    options: PushOptions,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    phase: PushPhase,
    /// The newest upload URL.
    location: String,
    /// Bytes the registry has.
    offset: u64,
    chunk: u64,
    recoveries: u32,
    /// Why the upload session was lost, reported if the blob did not make it either.
    lost_upload: Option<Error>,
    /// How often the upload started over after the registry lost its session.
    restarts: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PushPhase {
    Exists,
    Start,
    Chunk,
    Status,
    /// The upload session is gone: did it complete before the interruption?
    Committed,
    Close,
}

/// How often an upload starts over in a new session after the registry lost the old one
/// (distribution drops a session whose chunk was cut partway).
const MAX_RESTARTS: u32 = 1;

/// How often a failed chunk is resumed from the registry's reported offset.
const MAX_RECOVERIES: u32 = 3;

impl PushBlob {
    /// Uploads the blob `descriptor` describes in one PUT; the host streams its bytes when asked
    /// ([`Body::Blob`]).
    pub fn new(session: &Session, reference: &Reference, descriptor: &Descriptor) -> Self {
        Self::with_options(session, reference, descriptor, PushOptions::default())
    }

    /// Uploads with `options` (mount, chunks).
    pub fn with_options(
        session: &Session,
        reference: &Reference,
        descriptor: &Descriptor,
        options: PushOptions,
    ) -> Self {
        let url = session.url(&repository_path(
            reference,
            "blobs",
            &descriptor.digest.to_string(),
        ));
        let scope = Scope::repository(reference.repository(), &[Action::Pull, Action::Push]);
        Self {
            deadline: Deadline::default(),
            reference: reference.clone(),
            descriptor: descriptor.clone(),
            chunk: options.chunk_size.unwrap_or(0),
            options,
            exchange: Exchange::new(Request::new(Method::Head, url), scope),
            phase: PushPhase::Exists,
            location: String::new(),
            offset: 0,
            recoveries: 0,
            lost_upload: None,
            restarts: 0,
        }
    }

    /// Resumes an interrupted upload at `upload_url` (the last `Location` the registry gave, as
    /// [`PushBlob::upload_url`] reports it): asks the registry how much it has, then sends the
    /// rest in chunks of `chunk_size`.
    pub fn resume(
        session: &Session,
        reference: &Reference,
        descriptor: &Descriptor,
        upload_url: &str,
        chunk_size: u64,
    ) -> Self {
        let mut push = Self::with_options(
            session,
            reference,
            descriptor,
            PushOptions {
                mount_from: None,
                chunk_size: Some(chunk_size),
            },
        );
        push.location = upload_url.to_owned();
        push.status_request();
        push
    }

    /// The newest upload URL, to resume with after an interruption (empty before the upload
    /// session starts).
    pub fn upload_url(&self) -> &str {
        &self.location
    }

    /// Skips the HEAD that asks whether the repository has the blob (the caller has just
    /// asked): the upload starts with its session (or the mount).
    #[must_use]
    pub(crate) fn without_check(mut self, session: &Session) -> Self {
        self.start_upload(session, self.options.mount_from.clone());
        self
    }

    fn scope(&self) -> Scope {
        Scope::repository(self.reference.repository(), &[Action::Pull, Action::Push])
    }

    /// POSTs for a new upload session, with a mount attempt when `mount_from` is given.
    fn start_upload(&mut self, session: &Session, mount_from: Option<String>) {
        let mut path = format!("/v2/{}/blobs/uploads/", self.reference.repository());
        let mut scopes = vec![self.scope()];
        if let Some(from) = &mount_from {
            path.push_str(&format!(
                "?mount={}&from={}",
                encode_query(&self.descriptor.digest.to_string()),
                encode_query(from)
            ));
            // A mount reads the source repository: the token must allow that too.
            scopes.push(Scope::repository(from, &[Action::Pull]));
        }
        let request = Request::new(Method::Post, session.url(&path)).header("Content-Length", "0");
        self.exchange = Exchange::with_scopes(request, scopes);
        self.offset = 0;
        self.phase = PushPhase::Start;
    }

    /// Whether an answer to a chunk PATCH, the status GET or the closing PUT says that the
    /// registry lost the upload session: 404, or 400 with `BLOB_UPLOAD_UNKNOWN` or
    /// `BLOB_UPLOAD_INVALID` (distribution's answer when the upload state it gets back no longer
    /// matches its own, e.g. after a restart). Any other 400 (`DIGEST_INVALID`, `SIZE_INVALID`,
    /// …) is about the content, not the session, and stays an error.
    fn is_session_lost(response: &super::http::Response) -> bool {
        match response.status {
            404 => true,
            400 => matches!(
                registry_error(response).code(),
                "BLOB_UPLOAD_UNKNOWN" | "BLOB_UPLOAD_INVALID"
            ),
            _ => false,
        }
    }

    /// The upload session is gone ([`PushBlob::is_session_lost`]): maybe its closing PUT went
    /// through before an interruption — the blob's presence tells; if it is not there, the
    /// upload starts over.
    fn session_lost(&mut self, session: &Session, response: &super::http::Response) {
        self.lost_upload = Some(registry_error(response));
        let url = session.url(&repository_path(
            &self.reference,
            "blobs",
            &self.descriptor.digest.to_string(),
        ));
        self.exchange = Exchange::new(Request::new(Method::Head, url), self.scope());
        self.phase = PushPhase::Committed;
    }

    fn status_request(&mut self) {
        self.exchange = Exchange::new(
            Request::new(Method::Get, self.location.clone()),
            self.scope(),
        );
        self.phase = PushPhase::Status;
    }

    fn with_query(url: &str, query: &str) -> String {
        let separator = if url.contains('?') { '&' } else { '?' };
        format!("{url}{separator}{query}")
    }

    /// The PATCH of the next chunk, or the closing PUT when everything is there.
    fn send_rest(&mut self) {
        let size = self.descriptor.size;
        let digest = format!(
            "digest={}",
            encode_query(&self.descriptor.digest.to_string())
        );
        if self.chunk == 0 || size == 0 {
            // Monolithic: everything in the closing PUT.
            let mut request = Request::new(Method::Put, Self::with_query(&self.location, &digest))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Length", size.to_string());
            request.body = Body::Blob {
                offset: 0,
                length: size,
            };
            self.exchange = Exchange::new(request, self.scope());
            self.phase = PushPhase::Close;
        } else if self.offset >= size {
            let request = Request::new(Method::Put, Self::with_query(&self.location, &digest))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Length", "0");
            self.exchange = Exchange::new(request, self.scope());
            self.phase = PushPhase::Close;
        } else {
            let length = self.chunk.min(size - self.offset);
            let end = self.offset + length - 1;
            let mut request = Request::new(Method::Patch, self.location.clone())
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", format!("{}-{end}", self.offset))
                .header("Content-Length", length.to_string());
            request.body = Body::Blob {
                offset: self.offset,
                length,
            };
            self.exchange = Exchange::new(request, self.scope());
            self.phase = PushPhase::Chunk;
        }
    }

    /// The host's transport failed on a request the exchange does not send again. A chunk or
    /// the closing PUT cut mid-way is what a resume handles: after the retry policy's backoff,
    /// ask the registry how much it has and send the rest (at most [`MAX_RECOVERIES`] times,
    /// within the deadline). Anything else, and TLS failures, end the upload with the error;
    /// [`PushBlob::upload_url`] still tells where to resume later.
    fn interrupted(
        &mut self,
        session: &Session,
        failure: &super::session::Failure,
        error: Error,
        now_ms: u64,
    ) -> Result<Event<bool>, Error> {
        let resumable = matches!(self.phase, PushPhase::Chunk | PushPhase::Close)
            && !self.location.is_empty()
            && failure.kind != super::session::FailureKind::Tls;
        if !resumable || self.recoveries >= MAX_RECOVERIES {
            return Err(error);
        }
        self.recoveries += 1;
        let Some(delay) = session
            .retry_policy()
            .delay_ms(503, self.recoveries, None, now_ms)
        else {
            return Err(error);
        };
        let deadline = self.deadline.at(session.limits(), now_ms);
        if deadline.is_some_and(|at| now_ms.saturating_add(delay) >= at) {
            return Err(error);
        }
        self.status_request();
        Ok(Event::Wait(delay))
    }

    /// The last byte offset of a `Range: 0-<last>` header (inclusive, as registries send it).
    fn range_end(response: &super::http::Response) -> Option<u64> {
        let range = response.header("Range")?;
        let (start, end) = range.trim_start_matches("bytes=").split_once('-')?;
        (start.trim() == "0")
            .then(|| end.trim().parse::<u64>().ok())
            .flatten()
    }

    /// The next step; done with `true` when the blob was uploaded or mounted, `false` when the
    /// repository had it.
    ///
    /// # Errors
    /// [`Error::Registry`] (for a session the registry keeps losing, the answer that lost it),
    /// [`Error::ProtocolState`] for a 202 without `Location`, or [`Error::DigestMismatch`] when
    /// the registry reports another digest.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<bool>, Error> {
        // An upload URL given to resume with goes to the registry's origin only, as the
        // registry's own Locations do.
        if !self.location.is_empty() && !session.is_own_origin(&self.location) {
            return Err(Error::LocationRefused {
                location: self.location.clone(),
                reason: format!(
                    "an upload URL on another origin than the registry {}",
                    session.base()
                ),
            });
        }
        let mut input = input;
        loop {
            let response = match self
                .exchange
                .step(session, input, now_ms, &mut self.deadline)?
            {
                Step::Event(Event::Send(request)) => return Ok(Event::Send(request)),
                Step::Event(Event::Wait(ms)) => return Ok(Event::Wait(ms)),
                Step::Event(Event::Done(())) => {
                    unreachable!("exchanges never finish an operation")
                }
                Step::Failed(failure, error) => {
                    return self.interrupted(session, &failure, error, now_ms);
                }
                Step::Response(response) => response,
            };
            input = Input::Start;
            let on_upload_url = matches!(
                self.phase,
                PushPhase::Chunk | PushPhase::Status | PushPhase::Close
            );
            if on_upload_url && Self::is_session_lost(&response) {
                self.session_lost(session, &response);
                continue;
            }
            match self.phase {
                PushPhase::Exists => {
                    if response.status == 200 {
                        return Ok(Event::Done(false));
                    }
                    if response.status != 404 {
                        return Err(registry_error(&response));
                    }
                    self.start_upload(session, self.options.mount_from.clone());
                }
                PushPhase::Start => {
                    if response.status == 201 && self.options.mount_from.is_some() {
                        return Ok(Event::Done(true)); // mounted
                    }
                    if response.status != 202 {
                        return Err(registry_error(&response));
                    }
                    self.location = upload_location(session, self.exchange.url(), &response)?;
                    if let Some(min) = response
                        .header("OCI-Chunk-Min-Length")
                        .and_then(|m| m.parse::<u64>().ok())
                    {
                        if self.chunk > 0 {
                            self.chunk = self.chunk.max(min);
                        }
                    }
                    self.offset = 0;
                    self.send_rest();
                }
                PushPhase::Chunk => {
                    if response.status != 202 {
                        if self.recoveries >= MAX_RECOVERIES || response.status < 416 {
                            return Err(registry_error(&response));
                        }
                        // 416 (offset disagreement) or a server error: ask where the upload is.
                        self.recoveries += 1;
                        self.status_request();
                        continue;
                    }
                    self.location = upload_location(session, self.exchange.url(), &response)?;
                    let sent_to = self.offset + self.chunk.min(self.descriptor.size - self.offset);
                    // Trust the registry's Range over our own count when it sends one.
                    self.offset = Self::range_end(&response).map_or(sent_to, |end| end + 1);
                    self.send_rest();
                }
                PushPhase::Status => {
                    if response.status != 204 && response.status != 202 {
                        return Err(registry_error(&response));
                    }
                    if response.header("Location").is_some() {
                        self.location = upload_location(session, self.exchange.url(), &response)?;
                    }
                    // `Range: 0-0` can mean one byte or none; resending one byte is harmless.
                    self.offset = match Self::range_end(&response) {
                        Some(0) | None => 0,
                        Some(end) => end + 1,
                    };
                    self.send_rest();
                }
                PushPhase::Committed => {
                    if response.status == 200 {
                        return Ok(Event::Done(true));
                    }
                    if response.status != 404 || self.restarts >= MAX_RESTARTS {
                        return Err(self
                            .lost_upload
                            .take()
                            .unwrap_or_else(|| registry_error(&response)));
                    }
                    // Not there: upload it again from the start, in a new session (no mount:
                    // that was tried, or not asked for).
                    self.restarts += 1;
                    self.lost_upload = None;
                    self.start_upload(session, None);
                }
                PushPhase::Close => {
                    if response.status != 201 {
                        return Err(registry_error(&response));
                    }
                    if let Some(served) = response.content_digest() {
                        if served != self.descriptor.digest {
                            return Err(Error::DigestMismatch {
                                expected: self.descriptor.digest.clone(),
                                actual: served,
                            });
                        }
                    }
                    return Ok(Event::Done(true));
                }
            }
        }
    }
}

/// The upload URL of a 202: `Location`, resolved, on the registry's origin. An upload
/// Location on another origin is refused, as oras-go does since GHSA-jxpm-75mh-9fp7: the
/// blob's content (and, for a host that does not check origins itself, credentials) would go
/// where the registry's answer says, which a compromised or hostile registry chooses.
fn upload_location(
    session: &Session,
    base: &str,
    response: &super::http::Response,
) -> Result<String, Error> {
    let location = response
        .header("Location")
        .ok_or_else(|| Error::ProtocolState {
            reason: format!("HTTP {} without the upload Location", response.status),
        })?;
    let target = resolve_location(base, location)?;
    if !session.is_own_origin(&target) {
        return Err(Error::LocationRefused {
            location: target,
            reason: format!(
                "an upload Location on another origin than the registry {}",
                session.base()
            ),
        });
    }
    Ok(target)
}

/// GET a blob, streamed by the host to its destination, and verified by digest and size.
#[derive(Debug, Clone)]
pub struct GetBlob {
    descriptor: Descriptor,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    /// The offset asked for with `Range`, 0 for the whole blob.
    from: u64,
}

impl GetBlob {
    /// Fetches the blob `descriptor` describes. The host streams a 2xx body to its destination
    /// (hashing it in the digest's algorithm) and feeds back digest and size.
    pub fn new(session: &Session, reference: &Reference, descriptor: &Descriptor) -> Self {
        let url = session.url(&repository_path(
            reference,
            "blobs",
            &descriptor.digest.to_string(),
        ));
        let mut request = Request::new(Method::Get, url);
        request.response_body = ResponseBody::Stream {
            max: descriptor.size,
        };
        Self {
            deadline: Deadline::default(),
            descriptor: descriptor.clone(),
            exchange: Exchange::new(
                request,
                Scope::repository(reference.repository(), &[Action::Pull]),
            ),
            from: 0,
        }
    }

    /// Continues an interrupted download of which the host already has the first `have` bytes:
    /// asks for `Range: bytes=<have>-`. On 206 the host appends from `have`; on 200 (a registry
    /// that ignores ranges) it starts over. Either way it reports the digest and size of the
    /// whole blob.
    pub fn resume(
        session: &Session,
        reference: &Reference,
        descriptor: &Descriptor,
        have: u64,
    ) -> Self {
        let mut get = Self::new(session, reference, descriptor);
        if have > 0 && have < descriptor.size {
            let mut request = get.exchange.request_template();
            request
                .headers
                .push(("Range".to_owned(), format!("bytes={have}-")));
            request.response_body = ResponseBody::Stream {
                max: descriptor.size - have,
            };
            get.exchange = Exchange::new(
                request,
                Scope::repository(reference.repository(), &[Action::Pull]),
            );
            get.from = have;
        }
        get
    }

    /// The next step.
    ///
    /// # Errors
    /// [`Error::Registry`] (e.g. `BLOB_UNKNOWN`), [`Error::SizeMismatch`],
    /// [`Error::DigestMismatch`], or [`Error::ProtocolState`] when the host did not report
    /// what it streamed.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        let response = exchange!(self, session, input, now_ms);
        match response.status {
            200 => {}
            206 if self.from > 0 => {
                let start = response
                    .header("Content-Range")
                    .and_then(|r| r.trim_start_matches("bytes ").split('-').next())
                    .and_then(|s| s.trim().parse::<u64>().ok());
                if start != Some(self.from) {
                    return Err(Error::ProtocolState {
                        reason: format!(
                            "asked for bytes from {} but the registry sent Content-Range {:?}",
                            self.from,
                            response.header("Content-Range")
                        ),
                    });
                }
            }
            _ => return Err(registry_error(&response)),
        }
        let (digest, size) = response
            .streamed
            .as_ref()
            .ok_or_else(|| Error::ProtocolState {
                reason: "the host did not report the streamed body's digest and size".into(),
            })?;
        crate::digest::check(
            &self.descriptor.digest,
            Some(self.descriptor.size),
            digest,
            *size,
        )?;
        Ok(Event::Done(()))
    }
}

/// One page of a listing driven page by page ([`ListTags::next_page`],
/// [`ListReferrers::next_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The entries of this page.
    pub items: Vec<T>,
    /// Whether this is the last page; if not, step the same operation again (from
    /// [`Input::Start`]) for the next one.
    pub last: bool,
}

/// What one listing has read so far over all its pages, against [`Limits::list_entries_max`]
/// and [`Limits::list_bytes_max`](super::Limits::list_bytes_max).
///
/// [`Limits::list_entries_max`]: super::Limits::list_entries_max
#[derive(Debug, Clone, Copy, Default)]
struct ListingBudget {
    entries: u64,
    bytes: u64,
}

impl ListingBudget {
    /// The most bytes the next page may have: `page_max`, or what is left of the listing's.
    fn page_max(&self, session: &Session, page_max: u64) -> u64 {
        page_max.min(session.limits().list_bytes_max.saturating_sub(self.bytes))
    }

    /// Counts a page of `bytes` (captured with at most `captured_max`) holding `entries`.
    fn count(
        &mut self,
        session: &Session,
        what: &str,
        page_max: u64,
        bytes: u64,
        entries: u64,
    ) -> Result<(), Error> {
        let limits = session.limits();
        self.bytes = self.bytes.saturating_add(bytes);
        if bytes > page_max && self.bytes <= limits.list_bytes_max {
            return Err(Error::LimitExceeded {
                limit: format!("bytes of one page of {what} from {}", session.registry()),
                max: page_max,
                value: bytes,
                setting: "a smaller page size (n)".into(),
            });
        }
        if self.bytes > limits.list_bytes_max {
            return Err(Error::LimitExceeded {
                limit: format!("bytes of all pages of {what} from {}", session.registry()),
                max: limits.list_bytes_max,
                value: self.bytes,
                setting: "Limits.list_bytes_max".into(),
            });
        }
        self.entries = self.entries.saturating_add(entries);
        if self.entries > limits.list_entries_max {
            return Err(Error::LimitExceeded {
                limit: format!("{what} in one listing from {}", session.registry()),
                max: limits.list_entries_max,
                value: self.entries,
                setting: "Limits.list_entries_max".into(),
            });
        }
        Ok(())
    }
}

/// List a repository's tags, following `Link` pagination on the registry's origin, within
/// the session's listing limits; all at once ([`ListTags::next`]) or page by page
/// ([`ListTags::next_page`]).
#[derive(Debug, Clone)]
pub struct ListTags {
    reference: Reference,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    tags: Vec<String>,
    pages: u32,
    max_pages: u32,
    budget: ListingBudget,
    /// The capture limit of the page in flight.
    page_max: u64,
}

impl ListTags {
    /// Lists tags, asking for `page_size` per page when given.
    pub fn new(session: &Session, reference: &Reference, page_size: Option<u32>) -> Self {
        let mut path = format!("/v2/{}/tags/list", reference.repository());
        if let Some(n) = page_size {
            path.push_str(&format!("?n={n}"));
        }
        let budget = ListingBudget::default();
        let page_max = budget.page_max(session, TAG_LIST_MAX);
        Self {
            deadline: Deadline::default(),
            reference: reference.clone(),
            exchange: Self::exchange(session.url(&path), reference, page_max),
            tags: Vec::new(),
            pages: 0,
            max_pages: 10_000,
            budget,
            page_max,
        }
    }

    fn exchange(url: String, reference: &Reference, max: u64) -> Exchange {
        // A registry without pagination (distribution 2.8.2) sends every tag in one page.
        get_document(url, reference, "application/json", max, &[Action::Pull])
    }

    /// The next step; done with every tag.
    ///
    /// # Errors
    /// [`Error::Registry`], [`Error::JsonInvalid`] for a malformed page,
    /// [`Error::LimitExceeded`] past [`Limits::list_entries_max`] or
    /// [`Limits::list_bytes_max`], or [`Error::ProtocolState`] for a link to another origin or
    /// too many pages.
    ///
    /// [`Limits::list_entries_max`]: super::Limits::list_entries_max
    /// [`Limits::list_bytes_max`]: super::Limits::list_bytes_max
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<String>>, Error> {
        let mut input = input;
        loop {
            match self.next_page(session, input, now_ms)? {
                Event::Done(page) if page.last => {
                    let mut tags = std::mem::take(&mut self.tags);
                    tags.extend(page.items);
                    return Ok(Event::Done(tags));
                }
                Event::Done(page) => {
                    self.tags.extend(page.items);
                    input = Input::Start;
                }
                Event::Send(request) => return Ok(Event::Send(request)),
                Event::Wait(ms) => return Ok(Event::Wait(ms)),
            }
        }
    }

    /// The next step, done with each page: the host holds one page at a time (a tag browser
    /// iterates). After a page that is not the last, step again from [`Input::Start`]. The
    /// listing's limits count every page.
    ///
    /// # Errors
    /// As [`ListTags::next`].
    pub fn next_page(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Page<String>>, Error> {
        let response = exchange!(self, session, input, now_ms);
        if response.status != 200 {
            return Err(registry_error(&response));
        }
        let body_len = response.body.len() as u64;
        if body_len > self.page_max {
            self.budget
                .count(session, "tags", self.page_max, body_len, 0)?;
        }
        let page: serde_json::Value = crate::json::parse_strict(&response.body)?;
        let mut items = Vec::new();
        if let Some(tags) = page.get("tags").filter(|t| !t.is_null()) {
            let tags = tags.as_array().ok_or_else(|| Error::JsonInvalid {
                reason: "tags must be an array".into(),
            })?;
            self.budget
                .count(session, "tags", self.page_max, body_len, tags.len() as u64)?;
            items.reserve(tags.len());
            for tag in tags {
                let tag = tag.as_str().ok_or_else(|| Error::JsonInvalid {
                    reason: "tags must be strings".into(),
                })?;
                items.push(tag.to_owned());
            }
        } else {
            self.budget
                .count(session, "tags", self.page_max, body_len, 0)?;
        }
        self.pages += 1;
        let next = next_page(
            session,
            &self.exchange,
            &response,
            self.pages,
            self.max_pages,
        )?;
        let last = next.is_none();
        if let Some(next) = next {
            self.page_max = self.budget.page_max(session, TAG_LIST_MAX);
            self.exchange = Self::exchange(next, &self.reference, self.page_max);
        }
        Ok(Event::Done(Page { items, last }))
    }
}

/// The URL of the next page (`Link: <…>; rel="next"`), if any. Pagination stays on the
/// registry's origin and stops with an error after `max_pages`.
fn next_page(
    session: &Session,
    exchange: &Exchange,
    response: &super::http::Response,
    pages: u32,
    max_pages: u32,
) -> Result<Option<String>, Error> {
    let Some(link) = response.header("Link").and_then(next_link) else {
        return Ok(None);
    };
    let next = resolve_location(exchange.url(), &link).map_err(|e| Error::ProtocolState {
        reason: format!("unusable next-page link: {e}"),
    })?;
    if origin(&next).as_deref() != Some(session.base()) {
        return Err(Error::ProtocolState {
            reason: format!("refusing a next-page link to another origin: {next}"),
        });
    }
    if pages >= max_pages {
        return Err(Error::ProtocolState {
            reason: format!("more than {max_pages} pages"),
        });
    }
    Ok(Some(next))
}

/// The most pages of referrers read.
const MAX_REFERRER_PAGES: u32 = 1000;

/// The manifest media types ocikit reads as manifests and indexes.
pub fn is_manifest_type(media_type: &str) -> bool {
    matches!(
        media_type,
        oci::IMAGE_MANIFEST | oci::IMAGE_INDEX | docker::MANIFEST | docker::MANIFEST_LIST
    )
}

/// What a HEAD (or, failing that, GET) of a manifest tells: enough to build its descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// `Content-Type` as served.
    pub media_type: String,
    /// The manifest's digest.
    pub digest: Digest,
    /// Its size.
    pub size: u64,
}

/// Resolve a tag (or digest) to the manifest's media type, digest and size with HEAD, falling
/// back to GET when the registry does not send `Docker-Content-Digest` on HEAD.
#[derive(Debug, Clone)]
pub struct ResolveManifest {
    reference: Reference,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    fallback: Option<GetManifest>,
}

impl ResolveManifest {
    /// Resolves `reference`.
    pub fn new(session: &Session, reference: &Reference) -> Self {
        let url = session.url(&repository_path(
            reference,
            "manifests",
            &reference.target(),
        ));
        // distribution 2.8.2 answers HEAD with the schema-1 type unless an OCI type is accepted.
        let request = Request::new(Method::Head, url).header("Accept", MANIFEST_ACCEPT);
        Self {
            deadline: Deadline::default(),
            reference: reference.clone(),
            exchange: Exchange::new(
                request,
                Scope::repository(reference.repository(), &[Action::Pull]),
            ),
            fallback: None,
        }
    }

    /// The GET that answers instead of the HEAD, within the same deadline.
    fn get_instead(&self, session: &Session) -> GetManifest {
        let mut get = GetManifest::new(session, &self.reference);
        get.deadline = self.deadline;
        get
    }

    /// The next step.
    ///
    /// # Errors
    /// As [`GetManifest::next`].
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Resolved>, Error> {
        if let Some(get) = &mut self.fallback {
            return Ok(match get.next(session, input, now_ms)? {
                Event::Done(m) => Event::Done(Resolved {
                    media_type: m.media_type,
                    size: m.bytes.len() as u64,
                    digest: m.digest,
                }),
                Event::Send(r) => Event::Send(r),
                Event::Wait(ms) => Event::Wait(ms),
            });
        }
        let response = exchange!(self, session, input, now_ms);
        if response.status == 404 && response.body.is_empty() {
            // HEAD answers carry no error body: a GET tells MANIFEST_UNKNOWN from NAME_UNKNOWN.
            self.fallback = Some(self.get_instead(session));
            return self.next(session, Input::Start, now_ms);
        }
        if response.status != 200 {
            return Err(registry_error(&response));
        }
        let digest = response.content_digest();
        let size = response
            .header("Content-Length")
            .and_then(|l| l.parse::<u64>().ok());
        match (digest, size) {
            (Some(digest), Some(size)) => {
                if let Some(expected) = self.reference.digest() {
                    crate::digest::check(expected, None, &digest, size)?;
                }
                let media_type = response.media_type();
                Ok(Event::Done(Resolved {
                    media_type,
                    digest,
                    size,
                }))
            }
            _ => {
                self.fallback = Some(self.get_instead(session));
                self.next(session, Input::Start, now_ms)
            }
        }
    }
}

/// DELETE a manifest by digest (registries do not delete by tag reliably; distribution 2.8.2
/// not at all).
#[derive(Debug, Clone)]
pub struct DeleteManifest {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
}

impl DeleteManifest {
    /// Deletes the manifest `digest` from `reference`'s repository.
    pub fn new(session: &Session, reference: &Reference, digest: &Digest) -> Self {
        let url = session.url(&repository_path(
            reference,
            "manifests",
            &digest.to_string(),
        ));
        Self {
            deadline: Deadline::default(),
            exchange: Exchange::new(
                Request::new(Method::Delete, url),
                Scope::repository(reference.repository(), &[Action::Delete]),
            ),
        }
    }

    /// The next step.
    ///
    /// # Errors
    /// [`Error::Registry`] (`MANIFEST_UNKNOWN`, `UNSUPPORTED` when deletes are disabled).
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        let response = exchange!(self, session, input, now_ms);
        match response.status {
            200 | 202 | 204 => Ok(Event::Done(())),
            _ => Err(registry_error(&response)),
        }
    }
}

/// The tag the referrers tag schema uses for a subject: `<alg>-<encoded>` (distribution-spec
/// "Referrers Tag Schema"), truncated to the tag grammar's 128 characters.
pub fn referrers_tag(subject: &Digest) -> String {
    let tag = format!("{}-{}", subject.algorithm(), subject.encoded());
    tag.chars().take(128).collect()
}

/// List the referrers of a manifest: the referrers API, or on 404 the referrers tag schema.
/// An `artifactType` filter the registry did not apply (no `OCI-Filters-Applied`) is applied
/// here.
#[derive(Debug, Clone)]
pub struct ListReferrers {
    reference: Reference,
    subject: Digest,
    artifact_type: Option<String>,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    fallback: bool,
    found: Vec<Descriptor>,
    pages: u32,
    budget: ListingBudget,
    /// The capture limit of the page in flight.
    page_max: u64,
}

impl ListReferrers {
    /// Lists what refers to `subject` in `reference`'s repository, optionally only artifacts of
    /// `artifact_type`.
    pub fn new(
        session: &Session,
        reference: &Reference,
        subject: &Digest,
        artifact_type: Option<&str>,
    ) -> Self {
        // A registry already known to lack the referrers API is not asked again.
        let fallback = session.referrers_api() == Some(false);
        let path = if fallback {
            repository_path(reference, "manifests", &referrers_tag(subject))
        } else {
            let mut path = repository_path(reference, "referrers", &subject.to_string());
            if let Some(filter) = artifact_type {
                path.push_str(&format!("?artifactType={}", encode_query(filter)));
            }
            path
        };
        let budget = ListingBudget::default();
        let page_max = budget.page_max(session, MANIFEST_SIZE_MAX);
        Self {
            deadline: Deadline::default(),
            reference: reference.clone(),
            subject: subject.clone(),
            artifact_type: artifact_type.map(str::to_owned),
            exchange: Self::exchange(session.url(&path), reference, page_max),
            fallback,
            found: Vec::new(),
            pages: 0,
            budget,
            page_max,
        }
    }

    fn exchange(url: String, reference: &Reference, max: u64) -> Exchange {
        get_document(url, reference, oci::IMAGE_INDEX, max, &[Action::Pull])
    }

    /// The next step; done with the referrers' descriptors.
    ///
    /// # Errors
    /// [`Error::Registry`], what reading the index reports, or [`Error::LimitExceeded`] past
    /// the session's listing limits.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<Descriptor>>, Error> {
        let mut input = input;
        loop {
            match self.next_page(session, input, now_ms)? {
                Event::Done(page) if page.last => {
                    let mut found = std::mem::take(&mut self.found);
                    found.extend(page.items);
                    return Ok(Event::Done(found));
                }
                Event::Done(page) => {
                    self.found.extend(page.items);
                    input = Input::Start;
                }
                Event::Send(request) => return Ok(Event::Send(request)),
                Event::Wait(ms) => return Ok(Event::Wait(ms)),
            }
        }
    }

    /// The next step, done with each page of referrers (filtered as with
    /// [`ListReferrers::next`]); after a page that is not the last, step again from
    /// [`Input::Start`]. The listing's limits count every page.
    ///
    /// # Errors
    /// As [`ListReferrers::next`].
    pub fn next_page(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Page<Descriptor>>, Error> {
        let response = exchange!(self, session, input, now_ms);
        if response.status == 404 {
            if self.fallback || self.pages > 0 {
                return Ok(Event::Done(Page {
                    items: Vec::new(),
                    last: true,
                }));
            }
            // No referrers API: the tag schema, now and for later lists on this session.
            session.set_referrers_api(false);
            self.fallback = true;
            let path = repository_path(&self.reference, "manifests", &referrers_tag(&self.subject));
            self.exchange = Self::exchange(session.url(&path), &self.reference, self.page_max);
            return self.next_page(session, Input::Start, now_ms);
        }
        if response.status != 200 {
            return Err(registry_error(&response));
        }
        if !self.fallback {
            session.set_referrers_api(true);
        }
        let body_len = response.body.len() as u64;
        if body_len > self.page_max {
            self.budget
                .count(session, "referrers", self.page_max, body_len, 0)?;
        }
        let index = crate::Index::from_json(response.body.clone())?;
        let filtered_by_registry = !self.fallback
            && response
                .header("OCI-Filters-Applied")
                .is_some_and(|f| f.split(',').any(|f| f.trim() == "artifactType"));
        let (index, _) = index.into_parts();
        self.budget.count(
            session,
            "referrers",
            self.page_max,
            body_len,
            index.manifests.len() as u64,
        )?;
        let items: Vec<Descriptor> = index
            .manifests
            .into_iter()
            .filter(|d| {
                filtered_by_registry
                    || self.artifact_type.as_deref().is_none_or(|wanted| {
                        d.artifact_type
                            .as_ref()
                            .is_some_and(|t| t.as_str() == wanted)
                    })
            })
            .collect();
        self.pages += 1;
        // The tag schema's index is one document; only the referrers API pages.
        let next = match self.fallback {
            true => None,
            false => next_page(
                session,
                &self.exchange,
                &response,
                self.pages,
                MAX_REFERRER_PAGES,
            )?,
        };
        let last = next.is_none();
        if let Some(next) = next {
            self.page_max = self.budget.page_max(session, MANIFEST_SIZE_MAX);
            self.exchange = Self::exchange(next, &self.reference, self.page_max);
        }
        Ok(Event::Done(Page { items, last }))
    }
}

/// After pushing a manifest with a subject to a registry without the referrers API (its PUT
/// answered without `OCI-Subject`), add the manifest to the subject's referrers tag: GET the
/// index (or start an empty one), add the descriptor, PUT it back with `If-Match` on the ETag
/// it was read with, and start over when another client won the race (412).
#[derive(Debug, Clone)]
pub struct AddReferrer {
    reference: Reference,
    tag: String,
    referrer: Descriptor,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    putting: bool,
    attempts: u32,
    /// The digest of the index being written.
    written: Option<Digest>,
}

/// How often a lost update of the referrers tag is retried.
const MAX_REFERRER_ATTEMPTS: u32 = 5;

impl AddReferrer {
    /// Adds `referrer` (a manifest's descriptor, with its artifactType and annotations) to the
    /// referrers tag of `subject`.
    pub fn new(
        session: &Session,
        reference: &Reference,
        subject: &Digest,
        referrer: &Descriptor,
    ) -> Self {
        let tag = referrers_tag(subject);
        Self {
            deadline: Deadline::default(),
            exchange: Self::get(session, reference, &tag),
            reference: reference.clone(),
            tag,
            referrer: referrer.clone(),
            putting: false,
            attempts: 0,
            written: None,
        }
    }

    fn get(session: &Session, reference: &Reference, tag: &str) -> Exchange {
        let url = session.url(&repository_path(reference, "manifests", tag));
        get_document(
            url,
            reference,
            oci::IMAGE_INDEX,
            MANIFEST_SIZE_MAX,
            &[Action::Pull, Action::Push],
        )
    }

    /// The next step; done with the new index's digest (or `None` when the referrer was
    /// already listed).
    ///
    /// # Errors
    /// [`Error::Registry`], or [`Error::ProtocolState`] when updates keep losing the race.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Option<Digest>>, Error> {
        let response = exchange!(self, session, input, now_ms);
        if self.putting {
            return match response.status {
                200 | 201 => Ok(Event::Done(self.written.take())),
                412 if self.attempts < MAX_REFERRER_ATTEMPTS => {
                    self.putting = false;
                    self.exchange = Self::get(session, &self.reference, &self.tag);
                    self.next(session, Input::Start, now_ms)
                }
                412 => Err(Error::ProtocolState {
                    reason: format!(
                        "the referrers tag {} kept changing under {MAX_REFERRER_ATTEMPTS} updates",
                        self.tag
                    ),
                }),
                _ => Err(registry_error(&response)),
            };
        }
        self.attempts += 1;
        let (mut index, etag) = match response.status {
            200 => (
                crate::Index::from_json(response.body.clone())?
                    .into_parts()
                    .0,
                response.header("ETag").map(str::to_owned),
            ),
            404 => (crate::Index::new(Vec::new()), None),
            _ => return Err(registry_error(&response)),
        };
        if index
            .manifests
            .iter()
            .any(|d| d.digest == self.referrer.digest)
        {
            return Ok(Event::Done(None));
        }
        index.manifests.push(self.referrer.clone());
        let url = session.url(&repository_path(&self.reference, "manifests", &self.tag));
        let mut request = Request::new(Method::Put, url).header("Content-Type", oci::IMAGE_INDEX);
        if let Some(etag) = etag {
            // RFC 9110 §8.8.3: an entity-tag is visible ASCII (obs-text aside); anything else
            // would be a header the host cannot send, or one it would split.
            if !etag.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(Error::ProtocolState {
                    reason: format!(
                        "the ETag of {} from {} has characters a header cannot carry",
                        self.tag,
                        session.registry()
                    ),
                });
            }
            request = request.header("If-Match", etag);
        }
        let bytes = index.to_json();
        self.written = Some(crate::digest::sha256(&bytes));
        request.body = Body::Bytes(bytes);
        self.exchange = Exchange::new(
            request,
            Scope::repository(self.reference.repository(), &[Action::Pull, Action::Push]),
        );
        self.putting = true;
        self.next(session, Input::Start, now_ms)
    }
}

/// `GET /v2/` with authentication, as `docker login` checks credentials: Basic is answered
/// with the credentials, Bearer with a token request without scope (the token server checks
/// the credentials). An open registry answers 200 at once (nothing to check).
#[derive(Debug, Clone)]
pub struct CheckAuth {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
}

impl CheckAuth {
    /// Checks the session's credentials against its registry.
    pub fn new(session: &Session) -> Self {
        Self {
            deadline: Deadline::default(),
            exchange: Exchange::with_scopes(
                Request::new(Method::Get, session.url("/v2/")),
                Vec::new(),
            ),
        }
    }

    /// The next step; done when the registry accepts the session.
    ///
    /// # Errors
    /// [`Error::Registry`] (`UNAUTHORIZED`, `DENIED`) when it does not, or
    /// [`Error::AuthInvalid`] for a challenge ocikit will not answer.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        let response = exchange!(self, session, input, now_ms);
        match response.status {
            200 => Ok(Event::Done(())),
            _ => Err(registry_error(&response)),
        }
    }
}
