//! Blobs: whether a repository has one, uploads (monolithic, chunked, mounted, resumed, in one
//! request) and downloads streamed by the host and verified.
//!
//! # Single-request uploads
//!
//! A monolithic upload costs two requests, the POST of an upload session and the PUT of the
//! bytes; a registry that takes single-request uploads (distribution-spec: `POST
//! /v2/<name>/blobs/uploads/?digest=<digest>` with the blob as body, `201 Created`) needs one.
//! The session remembers whether the registry does ([`Session::single_post`]), and
//! [`PushBlob`] follows it:
//!
//! - **Unknown**: one upload at a time, of a blob of at most [`SINGLE_POST_PROBE_MAX`] bytes,
//!   probes (never a large body on a guess). `201`: taken, the blob is in. `202` with a
//!   `Location`: refused (distribution 2.8.2 ignores the digest and the body and opens an upload
//!   session); the session remembers it and the upload goes on with the PUT into that session,
//!   with no other POST: the refusal costs the probe's bytes sent twice, once per session. The
//!   other uploads meanwhile go the usual way (POST, PUT), so that no other body goes twice;
//!   those whose POST is still waiting for its turn when the probe is taken go in one request
//!   (the engine starts them over).
//! - **Taken**: every monolithic upload, small or large, is one POST.
//! - **Refused**: the usual POST and PUT; no probe again in the session.
//!
//! Never in one request: chunked uploads (a chunk size asked, within the profile's limits), a
//! resumed upload (it has its session), a mount (no body; a mount answered `202` goes on in the
//! session it opened). A single POST answered `405`, `413`, `415` or `501` is refused outright
//! (remembered when it was the probe) and the blob goes the usual way; a `400`
//! (`DIGEST_INVALID`: the registry read the body and the digest does not match) and any other
//! error are errors, as for the PUT, and prove nothing (a probe may go again). A single POST the
//! network cut goes the usual way after the retry policy's backoff (a cut probe counts as a
//! refusal: a registry that does not read a POST's body may close the connection on it).

use super::*;
use crate::registry::session::SINGLE_POST_PROBE_MAX;

/// HEAD a blob: its size if the repository has it.
#[derive(Debug, Clone)]
pub struct BlobExists {
    exchange: Exchange,
    repository: String,
    digest: Digest,
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
            repository: reference.repository().to_owned(),
            digest: digest.clone(),
        }
    }

    /// The next step; done with `Some(size)` or `None` (the session remembers the answer:
    /// [`Session::note_blob`]).
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
            200 => {
                session.note_blob(&self.repository, &self.digest);
                Ok(Event::Done(Some(
                    response
                        .header("Content-Length")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or_default(),
                )))
            }
            404 => {
                session.forget_blob(&self.repository, &self.digest);
                Ok(Event::Done(None))
            }
            _ => Err(in_context(registry_error(&response), &self.exchange)),
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
    /// Only the mount from `mount_from`, for a host without the bytes at hand (a copy within a
    /// registry): when the registry does not take it (refuses it, opens an upload session
    /// instead, or refused a mount earlier in the session), the push ends without uploading and
    /// [`PushBlob::mount_declined`] says so; the caller gets the bytes and pushes again.
    pub mount_only: bool,
}

/// Upload a blob: skip it when present, mount it from another repository when asked, else POST
/// for an upload session and send the content — in one PUT with the digest (monolithic), or in
/// PATCHed chunks, always to the newest `Location`, closed by a PUT with the digest. A failed
/// chunk is resumed from the offset the registry reports (`Range`), and an upload interrupted
/// for good can be resumed later with [`PushBlob::resume`]. An upload session the registry lost
/// (404, or 400 `BLOB_UPLOAD_UNKNOWN` / `BLOB_UPLOAD_INVALID`) starts over once in a new
/// session, unless the blob turns out to be there. A monolithic upload goes in one request where
/// the registry takes it, probed once per session (the [module docs](self#single-request-uploads)).
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
    /// The upload session's POST asks for a mount.
    mounting: bool,
    /// The single-request upload in flight is the session's probe of them.
    probing: bool,
    /// The size of the content the host will send, when it said ([`PushBlob::content_size`]).
    content_size: Option<u64>,
    /// The mount of a [`PushOptions::mount_only`] push was not taken.
    declined: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PushPhase {
    Exists,
    Start,
    /// A single-request upload: `POST ?digest=` with the blob.
    Single,
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
        // Chunks within the registry's limits, or one PUT where chunking is broken (the
        // session's profile).
        let options = PushOptions {
            chunk_size: session.chunk_size(options.chunk_size),
            ..options
        };
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
            mounting: false,
            probing: false,
            content_size: None,
            declined: false,
        }
    }

    /// The size of the content the host has for the blob (a buffer's length, a file's size):
    /// content of another size than the descriptor's fails the first step with
    /// [`Error::SizeMismatch`], before any request (a longer one would be cut to the
    /// descriptor's size, a shorter one fail mid-upload).
    #[must_use]
    pub fn content_size(mut self, size: u64) -> Self {
        self.content_size = Some(size);
        self
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
                mount_only: false,
            },
        );
        push.location = upload_url.to_owned();
        push.status_request();
        push
    }

    /// Whether the push ended without uploading because its mount was not taken
    /// ([`PushOptions::mount_only`]); the blob is not in the repository then.
    pub fn mount_declined(&self) -> bool {
        self.declined
    }

    /// The newest upload URL, to resume with after an interruption (empty before the upload
    /// session starts).
    pub fn upload_url(&self) -> &str {
        &self.location
    }

    /// Skips the HEAD that asks whether the repository has the blob (the caller has just
    /// asked): the upload starts with its session (or the mount, or a single request, decided
    /// at the first step).
    #[must_use]
    pub(crate) fn without_check(mut self, session: &Session) -> Self {
        self.start_upload(session, self.options.mount_from.clone());
        self
    }

    fn scope(&self) -> Scope {
        Scope::repository(self.reference.repository(), &[Action::Pull, Action::Push])
    }

    /// POSTs for a new upload session, with a mount attempt when `mount_from` is given and the
    /// registry did not refuse one in the session.
    fn start_upload(&mut self, session: &Session, mount_from: Option<String>) {
        let mount_from = mount_from.filter(|_| session.mounts_allowed());
        if self.options.mount_only && mount_from.is_none() {
            // No mount to ask for: the host has no bytes to upload instead.
            self.declined = true;
            return;
        }
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
        self.mounting = mount_from.is_some();
    }

    /// Turns the POST of a plain upload session about to go into a single-request upload where
    /// the session knows the registry takes one, or into the session's probe of them (the
    /// [module docs](self#single-request-uploads)): only for a monolithic upload that is not a
    /// mount.
    fn try_single_post(&mut self, session: &mut Session, now_ms: u64) {
        if self.phase != PushPhase::Start || self.mounting || self.chunk > 0 {
            return;
        }
        let probing = match session.single_post() {
            Some(true) => false,
            Some(false) => return,
            None if self.descriptor.size <= SINGLE_POST_PROBE_MAX
                && session.claim_single_post_probe(now_ms) =>
            {
                true
            }
            None => return,
        };
        let size = self.descriptor.size;
        let path = format!(
            "/v2/{}/blobs/uploads/?digest={}",
            self.reference.repository(),
            encode_query(&self.descriptor.digest.to_string())
        );
        let request = whole_blob(Method::Post, session.url(&path), size);
        self.exchange = Exchange::new(request, self.scope());
        self.phase = PushPhase::Single;
        self.probing = probing;
    }

    /// Whether the request this upload has ready is out of date with what the session learnt
    /// since it was made (the engine then starts the task over, [`Input::Start`]): a mount when
    /// the registry refused one, a plain upload session's POST when the registry took a
    /// single-request upload.
    pub(crate) fn outdated(&self, session: &Session) -> bool {
        if self.phase != PushPhase::Start {
            return false;
        }
        match self.mounting {
            true => !session.mounts_allowed(),
            false => self.chunk == 0 && session.single_post() == Some(true),
        }
    }

    /// The probe this upload holds, if any, proved `what`: `Some(taken)`, or nothing.
    fn probed(&mut self, session: &mut Session, what: Option<bool>) {
        if std::mem::take(&mut self.probing) {
            match what {
                Some(taken) => session.set_single_post(taken),
                None => session.release_single_post_probe(),
            }
        }
    }

    /// Whether an answer to a chunk PATCH, the status GET or the closing PUT says that the
    /// registry lost the upload session: 404, or 400 with `BLOB_UPLOAD_UNKNOWN` or
    /// `BLOB_UPLOAD_INVALID` (distribution's answer when the upload state it gets back no longer
    /// matches its own, e.g. after a restart). Any other 400 (`DIGEST_INVALID`, `SIZE_INVALID`,
    /// …) is about the content, not the session, and stays an error.
    fn is_session_lost(response: &crate::registry::http::Response) -> bool {
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
    fn session_lost(&mut self, session: &Session, response: &crate::registry::http::Response) {
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
            let url = Self::with_query(&self.location, &digest);
            self.exchange = Exchange::new(whole_blob(Method::Put, url, size), self.scope());
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
        session: &mut Session,
        failure: &crate::registry::session::Failure,
        error: Error,
        now_ms: u64,
    ) -> Result<Event<bool>, Error> {
        let tls = failure.kind == crate::registry::session::FailureKind::Tls;
        let single = self.phase == PushPhase::Single;
        if single {
            // A cut probe counts as a refusal: a registry that does not read a POST's body may
            // close the connection on it, and the usual way works everywhere.
            let refusal = (!tls).then_some(false);
            self.probed(session, refusal);
        }
        let resumable = (single
            || matches!(self.phase, PushPhase::Chunk | PushPhase::Close)
                && !self.location.is_empty())
            && !tls;
        if !resumable || self.recoveries >= MAX_RECOVERIES {
            return Err(error);
        }
        // Going the usual way after a cut single POST is no resume: the upload that follows
        // keeps every resume of its own.
        let attempt = match single {
            true => 1,
            false => {
                self.recoveries += 1;
                self.recoveries
            }
        };
        let Some(delay) = session.retry_policy().delay_ms(503, attempt, None, now_ms) else {
            return Err(error);
        };
        let deadline = self.deadline.at(session.limits(), now_ms);
        if deadline.is_some_and(|at| now_ms.saturating_add(delay) >= at) {
            return Err(error);
        }
        match single {
            // The usual way: an upload session, then the PUT.
            true => self.start_upload(session, None),
            false => self.status_request(),
        }
        Ok(Event::Wait(delay))
    }

    /// The last byte offset of a `Range: 0-<last>` header (inclusive, as registries send it).
    fn range_end(response: &crate::registry::http::Response) -> Option<u64> {
        let range = response.header("Range")?;
        let (start, end) = range.trim_start_matches("bytes=").split_once('-')?;
        (start.trim() == "0")
            .then(|| end.trim().parse::<u64>().ok())
            .flatten()
    }

    /// The next step; done with `true` when the blob was uploaded or mounted, `false` when the
    /// repository had it. Either way the session remembers that the repository holds it
    /// ([`Session::note_blob`]).
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
        if let Some(actual) = self.content_size.filter(|&s| s != self.descriptor.size) {
            return Err(Error::SizeMismatch {
                expected: self.descriptor.size,
                actual,
            });
        }
        let event = match self.step(session, input, now_ms) {
            // A mount the registry refused outright (the token has no pull on the source, or
            // cross-repository mounts are off): a plain upload session instead.
            Err(Error::Registry { status, .. })
                if self.mounting && self.phase == PushPhase::Start && mount_refused(status) =>
            {
                session.note_mount_refused();
                self.start_upload(session, None);
                self.step(session, Input::Start, now_ms)?
            }
            other => other.inspect_err(|_| self.probed(session, None))?,
        };
        if let Event::Done(_) = event {
            if !self.declined {
                session.note_blob(self.reference.repository(), &self.descriptor.digest);
            }
        }
        Ok(event)
    }

    fn step(
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
        if matches!(input, Input::Start)
            && self.mounting
            && self.phase == PushPhase::Start
            && !session.mounts_allowed()
        {
            // The registry refused another mount since this one was planned: not sent.
            self.start_upload(session, None);
        }
        if matches!(input, Input::Start) {
            // A plain upload session's POST about to go: in one request where the session
            // says so (or as its probe).
            self.try_single_post(session, now_ms);
        }
        let mut input = input;
        loop {
            if self.declined {
                return Ok(Event::Done(false));
            }
            let response = exchange!(self, session, input, now_ms, interrupted);
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
                        return Err(in_context(registry_error(&response), &self.exchange));
                    }
                    self.start_upload(session, self.options.mount_from.clone());
                    self.try_single_post(session, now_ms);
                }
                PushPhase::Single => match response.status {
                    201 => {
                        if let Some(served) = response.content_digest() {
                            if served != self.descriptor.digest {
                                self.probed(session, None);
                                return Err(Error::DigestMismatch {
                                    expected: self.descriptor.digest.clone(),
                                    actual: served,
                                });
                            }
                        }
                        self.probed(session, Some(true));
                        return Ok(Event::Done(true));
                    }
                    202 => {
                        // Not taken: an upload session was opened (distribution-spec: the
                        // client goes on with the PUT as usual), into which the blob goes.
                        self.probed(session, Some(false));
                        self.location = upload_location(session, self.exchange.url(), &response)?;
                        self.offset = 0;
                        self.send_rest();
                    }
                    status if single_post_refused(status) => {
                        self.probed(session, Some(false));
                        self.start_upload(session, None);
                    }
                    _ => {
                        self.probed(session, None);
                        return Err(in_context(registry_error(&response), &self.exchange));
                    }
                },
                PushPhase::Start => {
                    if response.status == 201 && self.mounting {
                        return Ok(Event::Done(true)); // mounted
                    }
                    if self.mounting && mount_refused(response.status) {
                        // Refused outright, not answered with an upload session (202): a
                        // plain upload session instead.
                        session.note_mount_refused();
                        self.start_upload(session, None);
                        continue;
                    }
                    if response.status != 202 {
                        return Err(in_context(registry_error(&response), &self.exchange));
                    }
                    if self.mounting && self.options.mount_only {
                        // An upload session instead of the mount, and no bytes to put in it
                        // (the session is left to the registry to expire).
                        self.declined = true;
                        return Ok(Event::Done(false));
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
                            return Err(in_context(registry_error(&response), &self.exchange));
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
                        return Err(in_context(registry_error(&response), &self.exchange));
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
                        return Err(self.lost_upload.take().unwrap_or_else(|| {
                            in_context(registry_error(&response), &self.exchange)
                        }));
                    }
                    // Not there: upload it again from the start, in a new session (no mount:
                    // that was tried, or not asked for).
                    self.restarts += 1;
                    self.lost_upload = None;
                    self.start_upload(session, None);
                }
                PushPhase::Close => {
                    if response.status != 201 {
                        return Err(in_context(registry_error(&response), &self.exchange));
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

/// A request carrying a whole blob of `size` bytes (a single POST or a monolithic PUT).
fn whole_blob(method: Method, url: String, size: u64) -> Request {
    let mut request = Request::new(method, url)
        .header("Content-Type", "application/octet-stream")
        .header("Content-Length", size.to_string());
    request.body = Body::Blob {
        offset: 0,
        length: size,
    };
    request
}

/// Whether a mount's answer refuses the mount itself (401, 403, 404, 405: no pull on the
/// source, mounts off, the source unknown) rather than the upload: the blob goes up in a plain
/// upload session instead. A 400 (a bad digest) and server errors stay errors.
fn mount_refused(status: u16) -> bool {
    matches!(status, 401 | 403 | 404 | 405)
}

/// Whether an answer to a single-request upload refuses the way of uploading rather than the
/// blob (405: not allowed, 413: a body too large for a POST, 415, 501: not implemented; a
/// redirect, which the engine does not follow with a blob's bytes): the blob goes the usual
/// way (POST, PUT). A 400 (`DIGEST_INVALID`), 401, 403, 404 and server errors are what the
/// usual POST or PUT would get too, and stay errors.
fn single_post_refused(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308 | 405 | 413 | 415 | 501)
}

/// The upload URL of a 202: `Location`, resolved, on the registry's origin. An upload
/// Location on another origin is refused, as oras-go does since GHSA-jxpm-75mh-9fp7: the
/// blob's content (and, for a host that does not check origins itself, credentials) would go
/// where the registry's answer says, which a compromised or hostile registry chooses.
fn upload_location(
    session: &Session,
    base: &str,
    response: &crate::registry::http::Response,
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
///
/// A download the network cuts ([`Failure`](crate::registry::Failure) of kind `network`) is
/// continued after the retry policy's backoff, at most its `max_retries` times and within the
/// deadline: with `Range: bytes=N-` when the host's sink holds N > 0 bytes of the blob
/// ([`Failure::received`](crate::registry::Failure::received)), else from the start. A
/// download that stalled (`timeout`) after new bytes arrived is continued the same way (the
/// registry answers, and the rest costs no byte twice); one that stalled with no new byte is
/// `TIMEOUT` at once (another attempt would cost the stall timeout again), as is a passed
/// deadline. A registry that ignores `Range` answers 200 and the host starts over; one that
/// answers 416 (it will not serve that range) is asked for the whole blob at once. A TLS
/// failure is not retried.
#[derive(Debug, Clone)]
pub struct GetBlob {
    descriptor: Descriptor,
    repository: String,
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
    /// The offset asked for with `Range`, 0 for the whole blob.
    from: u64,
    /// The URL and scope of the blob, for the requests that continue a cut download.
    url: String,
    scope: Scope,
    /// How often a cut download was continued.
    cuts: u32,
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
        let scope = Scope::repository(reference.repository(), &[Action::Pull]);
        Self {
            deadline: Deadline::default(),
            descriptor: descriptor.clone(),
            repository: reference.repository().to_owned(),
            exchange: Self::request(&url, &scope, descriptor, 0),
            from: 0,
            url,
            scope,
            cuts: 0,
        }
    }

    /// Continues an interrupted download of which the host already has the first `have` bytes:
    /// asks for `Range: bytes=<have>-`. On 206 the host appends from `have`; on 200 (a registry
    /// that ignores ranges) it starts over. Either way it reports the digest and size of the
    /// whole blob. A `have` of 0, or of the blob's size or more, asks for the whole blob.
    pub fn resume(
        session: &Session,
        reference: &Reference,
        descriptor: &Descriptor,
        have: u64,
    ) -> Self {
        let mut get = Self::new(session, reference, descriptor);
        get.ask_from(have);
        get
    }

    /// The GET of the blob from byte `from` (`Range` when it is more than 0).
    fn request(url: &str, scope: &Scope, descriptor: &Descriptor, from: u64) -> Exchange {
        let mut request = Request::new(Method::Get, url.to_owned());
        if from > 0 {
            request
                .headers
                .push(("Range".to_owned(), format!("bytes={from}-")));
        }
        request.response_body = ResponseBody::Stream {
            max: descriptor.size - from,
        };
        Exchange::new(request, scope.clone())
    }

    /// The next request asks for the blob from byte `have` (from the start when the host holds
    /// nothing, or all of it or more, which a `Range` could not continue).
    fn ask_from(&mut self, have: u64) {
        let from = if have < self.descriptor.size { have } else { 0 };
        self.exchange = Self::request(&self.url, &self.scope, &self.descriptor, from);
        self.from = from;
    }

    /// The transport failed on the GET: a cut by the network, or a stall after new bytes
    /// arrived, is continued after the backoff from what the host kept; anything else (a stall
    /// with no new byte, TLS), or past the retry policy or the deadline, ends the download
    /// with the error.
    fn interrupted(
        &mut self,
        session: &Session,
        failure: &crate::registry::session::Failure,
        error: Error,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        use crate::registry::session::FailureKind;
        let received = failure.received.unwrap_or(0);
        let continued = match failure.kind {
            FailureKind::Network | FailureKind::Blocked => true,
            // New bytes came before the stall: the registry answers.
            FailureKind::Timeout => received > self.from,
            FailureKind::Tls => false,
        };
        if !continued {
            return Err(error);
        }
        self.cuts += 1;
        let Some(delay) = session
            .retry_policy()
            .delay_ms(503, self.cuts, None, now_ms)
        else {
            return Err(error);
        };
        let deadline = self.deadline.at(session.limits(), now_ms);
        if deadline.is_some_and(|at| now_ms.saturating_add(delay) >= at) {
            return Err(error);
        }
        self.ask_from(received);
        Ok(Event::Wait(delay))
    }

    /// The next step.
    ///
    /// # Errors
    /// [`Error::Registry`] (e.g. `BLOB_UNKNOWN`), [`Error::SizeMismatch`],
    /// [`Error::DigestMismatch`], [`Error::Network`] once the retry policy gives up on a
    /// download the network keeps cutting, [`Error::Timeout`] for a stall with no new byte
    /// or a passed deadline, or
    /// [`Error::ProtocolState`] when the host did not report what it streamed or a 206 is not
    /// the range asked for.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        let mut input = input;
        let response = loop {
            let response = exchange!(self, session, input, now_ms, interrupted);
            if response.status == 416 && self.from > 0 {
                // The registry will not serve the rest from there (it may have another idea of
                // the blob's size): ask for the whole blob; the host starts over.
                self.ask_from(0);
                input = Input::Start;
                continue;
            }
            break response;
        };
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
            _ => return Err(in_context(registry_error(&response), &self.exchange)),
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
        session.note_blob(&self.repository, &self.descriptor.digest);
        Ok(Event::Done(()))
    }
}

/// DELETE a blob (distribution-spec "Deleting Blobs": `DELETE /v2/<name>/blobs/<digest>`,
/// `202 Accepted`; a registry may refuse with `405`), as `oras blob delete`.
#[derive(Debug, Clone)]
pub struct DeleteBlob {
    deletion: Deletion,
    repository: String,
    digest: Digest,
}

impl DeleteBlob {
    /// Deletes the blob `digest` from `reference`'s repository.
    pub fn new(session: &Session, reference: &Reference, digest: &Digest) -> Self {
        Self {
            deletion: Deletion::new(session, reference, "blobs", digest),
            repository: reference.repository().to_owned(),
            digest: digest.clone(),
        }
    }

    /// The next step.
    ///
    /// # Errors
    /// [`Error::Registry`] (`BLOB_UNKNOWN`, `UNSUPPORTED` when deletes are disabled).
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<()>, Error> {
        let event = self.deletion.next(session, input, now_ms)?;
        if let Event::Done(()) = event {
            // The session no longer knows the blob to be there (no existence check skipped).
            session.forget_blob(&self.repository, &self.digest);
        }
        Ok(event)
    }
}
