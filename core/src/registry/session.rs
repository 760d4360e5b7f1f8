//! A session with one registry: where it is, the credentials for it, the tokens it gave, and
//! what the session has seen of its blobs. Operations borrow the session for each step, so
//! several operations share its tokens and what it knows.
//!
//! # Single-request uploads, probed once
//!
//! The distribution spec lets a client upload a blob in one request, `POST
//! /v2/<name>/blobs/uploads/?digest=<digest>` with the blob as body: `201 Created` when the
//! registry takes it (Quay, go-containerregistry's registry), `202 Accepted` with an upload
//! `Location` when it does not (distribution 2.8.2 ignores the digest and the body and opens an
//! upload session; the client goes on with the PUT as usual). The session remembers which
//! ([`Session::single_post`]): unknown, then taken or refused, for the whole session. While it
//! is unknown, **one** upload at a time probes it, and only with a blob of at most
//! [`SINGLE_POST_PROBE_MAX`] bytes: a refusal costs that blob's bytes sent twice, once per
//! session; the other uploads meanwhile go the usual way (POST, PUT), and those still waiting
//! for their turn when the registry took the probe go in one request
//! ([`PushBlob`](super::PushBlob) has the rest of the rule).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

use super::auth::{
    BearerChallenge, Challenge, Scope, is_header_safe_token, parse_challenges, realm_refusal,
};
use super::errors::{RetryPolicy, parse_error_body, parse_retry_after};
use super::http::{Body, Method, Request, Response, ResponseBody, encode_query, origin, resolve};
use super::limits::{Deadline, Limits};
use crate::profiles::Profile;
use crate::{Digest, Error, FailedRequest};

/// Credentials for a registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A user name and password (or personal access token).
    Basic {
        /// The user name.
        username: String,
        /// The password.
        password: String,
    },
    /// An OAuth2 refresh token ("identity token" in Docker's config.json).
    RefreshToken(String),
    /// A registry access token to send as `Bearer` as is.
    AccessToken(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        match self {
            Self::Basic { username, .. } => write!(f, "Basic({username:?}, ***)"),
            Self::RefreshToken(_) => f.write_str("RefreshToken(***)"),
            Self::AccessToken(_) => f.write_str("AccessToken(***)"),
        }
    }
}

#[derive(Debug, Clone)]
struct CachedToken {
    scopes: Vec<Scope>,
    token: String,
    expires_at_ms: u64,
    /// Whether the token was obtained with the user's credentials (Basic or a refresh
    /// token), not anonymously.
    with_credentials: bool,
}

/// A registry, its credentials, and the tokens it has issued (cached by scope until expiry).
#[derive(Debug, Clone)]
pub struct Session {
    base: String,
    credentials: Option<Credentials>,
    tokens: Vec<CachedToken>,
    /// Set once the registry asked for Basic auth: later requests carry it up front.
    basic: bool,
    /// Whether the registry serves the referrers API, once known.
    referrers_api: Option<bool>,
    /// Whether the referrers API was probed already (a probe that proved nothing is not
    /// repeated in the session).
    referrers_probed: bool,
    /// What is known about the registry: its quirks change the plan (chunk sizes, monolithic
    /// uploads, the tag page size).
    profile: Option<&'static Profile>,
    retry: RetryPolicy,
    limits: Limits,
    /// The repositories the session saw holding each blob (shared by the session's copies,
    /// which the bindings make at each step: copied only when changed).
    blobs: Arc<KnownBlobs>,
    /// The shortest round trip measured on the registry (ms): from a request without blob
    /// bytes handed out to its response, both at the host's `now` ([`Session::round_trip_ms`]).
    round_trip_ms: Option<u64>,
    /// The registry refused a cross-repository mount: none is tried again.
    mounts_refused: bool,
    /// Whether the registry takes single-request uploads, once known
    /// ([`Session::single_post`]).
    single_post: Option<bool>,
    /// The host's `now` when the probe of single-request uploads in flight was handed out.
    single_post_probe: Option<u64>,
    /// The user's own headers ([`Session::with_headers`]): sent to the registry's origin and to
    /// its token realm, never to a redirect's target.
    headers: Arc<[(String, String)]>,
}

/// The largest blob (bytes) that probes single-request uploads on a registry not known to take
/// them ([`Session::single_post`]): a registry that refuses sends it again in a PUT, and one
/// that does not read a POST's body (distribution; Go's `net/http` drains at most 256 KiB of a
/// body its handler left unread, and closes the connection past that, which would cut the
/// probe) must answer it on a connection it keeps.
pub const SINGLE_POST_PROBE_MAX: u64 = 128 << 10;

/// How long a probe of single-request uploads may stay unanswered before another upload may
/// probe (the operation that sent it was dropped, and no answer will come).
const SINGLE_POST_PROBE_ABANDONED_MS: u64 = 60_000;

/// The repositories a session saw holding each blob.
#[derive(Debug, Clone, Default)]
struct KnownBlobs {
    repositories: HashMap<Digest, Vec<String>>,
    /// (blob, repository) pairs in `repositories`.
    count: usize,
}

/// How many (blob, repository) pairs a session remembers; past it, it forgets them all and
/// starts over (a push then checks again, as without the knowledge).
pub const KNOWN_BLOBS_MAX: usize = 100_000;

/// Tokens are renewed this long before they expire, so that a request never carries one that
/// expires in flight.
const TOKEN_MARGIN_MS: u64 = 10_000;
/// The lifetime of a token whose response gave none, and the least lifetime a token is given:
/// the Docker token spec says "a token should never be returned with less than 60 seconds to
/// live", and a shorter one would count as expired (within [`TOKEN_MARGIN_MS`]) the moment it
/// is stored, so a registry issuing such tokens could never be used.
const DEFAULT_TOKEN_SECONDS: u64 = 60;

impl Session {
    /// A session with `registry` (`host[:port]`) over HTTPS, or plain HTTP when `plain_http`,
    /// adapting to the profile its host picks ([`Profile::for_host`]: `ghcr.io`, ECR, …) unless
    /// [`Session::with_profile`] names another.
    pub fn new(registry: &str, plain_http: bool, credentials: Option<Credentials>) -> Self {
        let scheme = if plain_http { "http" } else { "https" };
        Self {
            base: format!("{scheme}://{registry}"),
            credentials,
            tokens: Vec::new(),
            basic: false,
            referrers_api: None,
            referrers_probed: false,
            profile: Profile::for_host(registry),
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            blobs: Arc::default(),
            round_trip_ms: None,
            mounts_refused: false,
            single_post: None,
            single_post_probe: None,
            headers: Arc::new([]),
        }
    }

    /// Headers of the user's to send with every request to the registry's origin and to the
    /// token realm it names (ORAS's `-H`), after the engine's own; a request to another origin
    /// (a storage backend a blob download was redirected to) gets none of them, as it gets no
    /// credentials: they may carry some.
    ///
    /// # Errors
    /// [`Error::OptionsInvalid`] for a name that is not an HTTP token, a value that is not
    /// printable ASCII (a line break would start another header), or a header the exchange's own
    /// framing owns (`Host`, `Content-Length`, `Transfer-Encoding`, `Connection`).
    pub fn with_headers(mut self, headers: Vec<(String, String)>) -> Result<Self, Error> {
        for (name, value) in &headers {
            let token = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            // Printable ASCII (and tabs) in a value: what every host's HTTP stack sends as is
            // (a line break would start another header; fetch and httpx refuse other text).
            let printable = value
                .bytes()
                .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
            if !token || !printable {
                return Err(Error::OptionsInvalid {
                    reason: "a header (-H) needs an HTTP token for a name and printable ASCII \
                             for a value",
                });
            }
            if ["host", "content-length", "transfer-encoding", "connection"]
                .iter()
                .any(|owned| name.eq_ignore_ascii_case(owned))
            {
                return Err(Error::OptionsInvalid {
                    reason: "a header (-H) cannot be Host, Content-Length, Transfer-Encoding \
                             or Connection: the exchange sets those",
                });
            }
        }
        self.headers = headers.into();
        Ok(self)
    }

    /// The user's headers ([`Session::with_headers`]).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Records a round trip of `ms` measured on the registry (a request without blob bytes,
    /// from the `now` it was handed out at to the `now` its response was provided at): the
    /// session keeps the shortest, which queueing or a busy host can only lengthen.
    pub fn note_round_trip(&mut self, ms: u64) {
        self.round_trip_ms = Some(self.round_trip_ms.map_or(ms, |known| known.min(ms)));
    }

    /// The shortest round trip measured on the registry (ms), once one was: it sets how many
    /// large transfers go at once ([`Concurrency::for_round_trip`]).
    ///
    /// [`Concurrency::for_round_trip`]: super::Concurrency::for_round_trip
    pub fn round_trip_ms(&self) -> Option<u64> {
        self.round_trip_ms
    }

    /// How many requests of an operation on this registry go at once: the engine's rule for
    /// the round trip measured so far ([`Concurrency::for_round_trip`]).
    ///
    /// [`Concurrency::for_round_trip`]: super::Concurrency::for_round_trip
    pub fn concurrency(&self) -> super::Concurrency {
        super::Concurrency::for_round_trip(self.round_trip_ms)
    }

    /// Records that the registry refused a cross-repository mount (401, 403, 404, 405: no
    /// pull on the source, mounts off, the source unknown): no later blob of the session is
    /// mounted on the registry, so a refusing registry costs the mounts in flight at the
    /// refusal, not one POST per blob of every push. Remembered for the whole registry: a
    /// refusal for one source usually holds for the others (one token, one configuration), and
    /// a mount not tried costs a plain upload, never a check.
    pub fn note_mount_refused(&mut self) {
        self.mounts_refused = true;
    }

    /// Whether cross-repository mounts are still worth a try on the registry: none was
    /// refused in the session ([`Session::note_mount_refused`]).
    pub fn mounts_allowed(&self) -> bool {
        !self.mounts_refused
    }

    /// Whether the registry takes single-request uploads (`POST ?digest=` with the blob as
    /// body, answered `201`): `None` until a probe found out (see the
    /// [module docs](self#single-request-uploads-probed-once)).
    pub fn single_post(&self) -> Option<bool> {
        self.single_post
    }

    /// Records whether the registry takes single-request uploads (a probe's answer, or a host
    /// that knows better): no probe is made after it in the session.
    pub fn set_single_post(&mut self, supported: bool) {
        self.single_post = Some(supported);
        self.single_post_probe = None;
    }

    /// Takes the probe of single-request uploads for an upload about to start at `now_ms`:
    /// `true` when none is known and no other probe is in flight (or the one in flight was
    /// abandoned: unanswered for a minute), and it is the caller's to send.
    pub(crate) fn claim_single_post_probe(&mut self, now_ms: u64) -> bool {
        let free = self.single_post.is_none()
            && self
                .single_post_probe
                .is_none_or(|since| now_ms.saturating_sub(since) >= SINGLE_POST_PROBE_ABANDONED_MS);
        if free {
            self.single_post_probe = Some(now_ms);
        }
        free
    }

    /// The probe in flight proved nothing (an error about the blob or the repository): the
    /// next upload may probe again.
    pub(crate) fn release_single_post_probe(&mut self) {
        self.single_post_probe = None;
    }

    /// Records that `repository` holds the blob `digest`: the registry said so (a HEAD
    /// answered 200, a blob downloaded and verified) or the session put it there (uploaded,
    /// mounted). A later push to that repository skips the blob, and one to another repository
    /// of the registry mounts it from there ([`Push`](super::Push)).
    pub fn note_blob(&mut self, repository: &str, digest: &Digest) {
        if self.has_blob(repository, digest) {
            return;
        }
        let known = Arc::make_mut(&mut self.blobs);
        if known.count >= KNOWN_BLOBS_MAX {
            *known = KnownBlobs::default();
        }
        known
            .repositories
            .entry(digest.clone())
            .or_default()
            .push(repository.to_owned());
        known.count += 1;
    }

    /// Forgets that `repository` holds `digest` (deleted, or the registry said it lacks it).
    pub fn forget_blob(&mut self, repository: &str, digest: &Digest) {
        if !self.has_blob(repository, digest) {
            return;
        }
        let known = Arc::make_mut(&mut self.blobs);
        if let Some(repositories) = known.repositories.get_mut(digest) {
            repositories.retain(|r| r != repository);
            if repositories.is_empty() {
                known.repositories.remove(digest);
            }
            known.count -= 1;
        }
    }

    /// Whether the session saw `repository` holding the blob `digest`.
    pub fn has_blob(&self, repository: &str, digest: &Digest) -> bool {
        self.blobs
            .repositories
            .get(digest)
            .is_some_and(|repositories| repositories.iter().any(|r| r == repository))
    }

    /// Another repository of the registry the session saw holding the blob `digest` (the one
    /// it saw first), to mount it from; none once the registry refused a mount.
    pub fn blob_elsewhere(&self, repository: &str, digest: &Digest) -> Option<&str> {
        self.blobs
            .repositories
            .get(digest)?
            .iter()
            .find(|r| *r != repository && self.mounts_allowed())
            .map(String::as_str)
    }

    /// Replaces the limits (timeouts, deadline, `Retry-After` cap, listing bounds).
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits every operation on this session keeps to.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Replaces the retry policy.
    #[must_use]
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How requests that may pass are retried.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Whether the registry serves the referrers API: `None` until an operation finds out.
    pub fn referrers_api(&self) -> Option<bool> {
        self.referrers_api
    }

    /// Records whether the registry serves the referrers API. Referrer lists learn it by
    /// themselves; a host sets it when it knows better — a browser, for one, cannot see the
    /// 404 of a registry that answers unknown routes without CORS headers.
    pub fn set_referrers_api(&mut self, supported: bool) {
        self.referrers_api = Some(supported);
    }

    /// Whether the referrers API is still to be probed: unknown, and not asked yet in this
    /// session.
    pub fn referrers_probe_due(&self) -> bool {
        self.referrers_api.is_none() && !self.referrers_probed
    }

    /// Records that the referrers API was probed (whatever the answer proved), so that the
    /// session asks once.
    pub fn set_referrers_probed(&mut self) {
        self.referrers_probed = true;
    }

    /// The session with what a registry profile says about the registry (the profile a host
    /// picks by `--registry-profile` or by [`Profile::for_host`]): the engine adapts its plan
    /// to it — chunk sizes within the registry's limits, a monolithic upload where chunking
    /// is broken, the tag page size capped ([`Session::chunk_size`],
    /// [`Session::tag_page_size`]).
    #[must_use]
    pub fn with_profile(mut self, profile: &'static Profile) -> Self {
        self.profile = Some(profile);
        self
    }

    /// The profile the session adapts to, if the host gave one.
    pub fn profile(&self) -> Option<&'static Profile> {
        self.profile
    }

    /// The chunk size an upload uses when `asked` is the caller's (`None`: one PUT), adapted
    /// to the profile: a monolithic PUT where chunked uploads are broken (ECR drops later
    /// chunks), at most the largest PATCH body the registry takes (GHCR: 4 MiB), at least the
    /// smallest part it takes (ECR: 5 MiB; the last chunk may be shorter).
    pub fn chunk_size(&self, asked: Option<u64>) -> Option<u64> {
        let asked = asked?;
        let Some(profile) = self.profile else {
            return Some(asked);
        };
        if profile.chunked_upload_broken {
            return None;
        }
        let mut size = asked;
        if let Some(max) = profile.chunk_max {
            size = size.min(max);
        }
        if let Some(min) = profile.chunk_min {
            size = size.max(min);
        }
        Some(size.max(1))
    }

    /// The page size a tag listing asks for (`n`), capped where the registry errors above a
    /// value (ECR: 1000).
    pub fn tag_page_size(&self, asked: u64) -> u64 {
        match self.profile.and_then(|p| p.tag_page_max) {
            Some(max) => asked.min(max),
            None => asked,
        }
    }

    /// `scheme://host[:port]` of the registry.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// `host[:port]` of the registry.
    pub fn registry(&self) -> &str {
        self.base.split_once("://").map_or(&self.base, |(_, r)| r)
    }

    /// The URL of an API path (`/v2/...`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The `Authorization` header of a request, and whether it carries the user's credentials
    /// (their Basic credentials, their access token, or a token obtained with their
    /// credentials or refresh token; an anonymous token does not).
    fn authorization(
        &self,
        url: &str,
        scopes: &[Scope],
        now_ms: u64,
    ) -> Result<Option<(String, bool)>, Error> {
        // Credentials and tokens are for the registry's origin only: never for a redirect
        // target such as a storage bucket.
        if !self.is_own_origin(url) {
            return Ok(None);
        }
        if let Some(Credentials::AccessToken(token)) = &self.credentials {
            if !is_header_safe_token(token) {
                return Err(Error::AuthInvalid {
                    reason: format!(
                        "the access token for {} has characters an Authorization header cannot carry",
                        self.registry()
                    ),
                });
            }
            return Ok(Some((format!("Bearer {token}"), true)));
        }
        if let Some(cached) = self
            .tokens
            .iter()
            .find(|t| t.covers(scopes) && t.expires_at_ms > now_ms + TOKEN_MARGIN_MS)
        {
            return Ok(Some((
                format!("Bearer {}", cached.token),
                cached.with_credentials,
            )));
        }
        Ok(match (&self.credentials, self.basic) {
            (Some(Credentials::Basic { username, password }), true) => {
                Some((basic(username, password), true))
            }
            _ => None,
        })
    }

    /// Whether a token request carries the user's credentials (Basic, or a refresh token).
    fn sends_credentials_for_tokens(&self) -> bool {
        matches!(
            self.credentials,
            Some(Credentials::Basic { .. } | Credentials::RefreshToken(_))
        )
    }

    /// Whether `url` is on the registry's origin (scheme, host and port).
    pub fn is_own_origin(&self, url: &str) -> bool {
        origin(url).as_deref() == Some(self.base.as_str())
    }

    /// The token request for a Bearer challenge (the Docker token protocol; OAuth2 with a
    /// refresh token as a POST form).
    fn token_request(
        &self,
        challenge: &BearerChallenge,
        scopes: &[Scope],
    ) -> Result<Request, Error> {
        // The realm receives the credentials (Basic, or the refresh token): it must be one
        // they may go to.
        if let Some(reason) = realm_refusal(&challenge.realm, &self.base) {
            return Err(Error::AuthRealmRefused {
                realm: escape_controls(&challenge.realm),
                registry: self.registry().to_owned(),
                reason,
            });
        }
        let mut scopes: Vec<String> = scopes.iter().map(ToString::to_string).collect();
        for asked in &challenge.scopes {
            if !scopes.contains(asked) {
                scopes.push(asked.clone());
            }
        }
        if let Some(Credentials::RefreshToken(refresh)) = &self.credentials {
            let mut form = format!(
                "grant_type=refresh_token&refresh_token={}&client_id=ocikit",
                encode_query(refresh)
            );
            if let Some(service) = &challenge.service {
                form.push_str(&format!("&service={}", encode_query(service)));
            }
            form.push_str(&format!("&scope={}", encode_query(&scopes.join(" "))));
            let mut request = Request::new(Method::Post, challenge.realm.clone())
                .header("Content-Type", "application/x-www-form-urlencoded");
            request.body = Body::Bytes(form.into_bytes());
            return Ok(request);
        }
        let mut url = challenge.realm.clone();
        let mut separator = if url.contains('?') { '&' } else { '?' };
        if let Some(service) = &challenge.service {
            url.push_str(&format!("{separator}service={}", encode_query(service)));
            separator = '&';
        }
        for scope in &scopes {
            url.push_str(&format!("{separator}scope={}", encode_query(scope)));
            separator = '&';
        }
        let mut request = Request::new(Method::Get, url);
        if let Some(Credentials::Basic { username, password }) = &self.credentials {
            request = request.header("Authorization", basic(username, password));
        }
        Ok(request)
    }

    fn store_token(
        &mut self,
        scopes: &[Scope],
        response: &Response,
        now_ms: u64,
    ) -> Result<(), Error> {
        let value: Value =
            serde_json::from_slice(&response.body).map_err(|e| Error::AuthInvalid {
                reason: format!("the token response is not JSON: {e}"),
            })?;
        let token = ["token", "access_token"]
            .iter()
            .find_map(|k| {
                value
                    .get(*k)
                    .and_then(Value::as_str)
                    .filter(|t| !t.is_empty())
            })
            .ok_or_else(|| Error::AuthInvalid {
                reason: "the token response has neither token nor access_token".into(),
            })?;
        if !is_header_safe_token(token) {
            return Err(Error::AuthInvalid {
                reason: format!(
                    "the token from {} has characters an Authorization header cannot carry",
                    self.registry()
                ),
            });
        }
        let seconds = value
            .get("expires_in")
            .and_then(Value::as_u64)
            .map_or(DEFAULT_TOKEN_SECONDS, |s| s.max(DEFAULT_TOKEN_SECONDS));
        self.tokens.retain(|t| t.scopes != scopes);
        self.tokens.push(CachedToken {
            scopes: scopes.to_vec(),
            token: token.to_owned(),
            expires_at_ms: now_ms.saturating_add(seconds.saturating_mul(1000)),
            with_credentials: self.sends_credentials_for_tokens(),
        });
        Ok(())
    }
}

impl CachedToken {
    fn covers(&self, needed: &[Scope]) -> bool {
        needed
            .iter()
            .all(|n| self.scopes.iter().any(|s| s.covers(n)))
    }
}

fn basic(username: &str, password: &str) -> String {
    format!("Basic {}", BASE64.encode(format!("{username}:{password}")))
}

/// What an operation step asks of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<T> {
    /// Send this request and feed back the response with [`Input::Response`].
    Send(Request),
    /// Wait this many milliseconds (a retry's backoff), then feed [`Input::Resume`].
    Wait(u64),
    /// The operation is over.
    Done(T),
}

/// What the host feeds an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// The first step.
    Start,
    /// The response to the last request.
    Response(Response),
    /// The wait is over.
    Resume,
    /// The host could not complete the last request: its transport failed. The engine answers
    /// with the coded error naming the host (`NETWORK_ERROR`, `TLS_ERROR`, `TIMEOUT`), or
    /// retries: a request that is safe to send again (anything but a blob's body in either
    /// direction) after a network failure, per the retry policy and within the deadline; an
    /// interrupted blob upload (PATCH or PUT of blob bytes, cut by the network or a stall) by
    /// asking the registry where the upload is and sending the rest
    /// ([`PushBlob`](super::PushBlob)); a download ([`ResponseBody::Stream`]) cut by the
    /// network by asking for the rest with `Range: bytes=N-`, where N is
    /// [`Failure::received`] (or for the whole blob again when the host kept nothing), after
    /// the retry policy's backoff, at most its `max_retries` times, within the deadline
    /// ([`GetBlob`](super::GetBlob)); a download that stalled after new bytes arrived is
    /// continued the same way. A timeout of any other request, and a stall that brought no new
    /// byte, is `TIMEOUT` at once (another attempt would cost the stall timeout again), and TLS
    /// failures are never retried.
    Failure(Failure),
}

/// A transport failure the host reports with [`Input::Failure`].
///
/// For a download ([`ResponseBody::Stream`]) the host also says what it kept:
/// [`Failure::received`] is the length of its sink for the blob after the cut — every byte
/// of the blob it holds, counted from the blob's first byte (what it held before a `Range`
/// request it appended to, plus what arrived). The engine asks for the rest with
/// `Range: bytes=<received>-`; `None` or `0` (nothing kept, or a host that does not keep
/// partial downloads) means the next request for the blob has no `Range`, and the host empties
/// the sink when it sends it. See [`ResponseBody::Stream`] for what the host does with the
/// answer (206: append; 200: start over).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// The host's description (an exception's text), for the error message.
    pub message: String,
    /// For a streamed download: the bytes of the blob the host's sink holds after the cut
    /// (from the blob's first byte), to resume from; `None` for any other request, or when
    /// the host keeps nothing.
    pub received: Option<u64>,
}

/// The kinds of transport failure a host maps its exceptions to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The connection was refused, reset or cut; the host is unreachable or unknown; the
    /// answer was not HTTP (bad status line, a header over the host's limits).
    Network,
    /// The TLS handshake or the certificate check failed.
    Tls,
    /// The request's stall timeout or deadline passed ([`Request::timeout_ms`],
    /// [`Request::deadline_ms`]).
    Timeout,
    /// A network failure as a browser's fetch reports it: it says no more, and reports an
    /// answer it hides from the page (one without the CORS headers that let the page read it)
    /// the same way. The engine takes it for a network failure, but for the first referrers
    /// listing of a session on its registry, which it takes for the 404 of a registry without
    /// the referrers API (distribution answers that route with a 404 lacking the CORS headers
    /// its other routes have) and reads the referrers tag schema instead. Only a host whose
    /// fetch is bound by CORS reports it.
    Blocked,
}

impl FailureKind {
    /// `"network"`, `"tls"`, `"timeout"` or `"blocked"`, as the bindings spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Tls => "tls",
            Self::Timeout => "timeout",
            Self::Blocked => "blocked",
        }
    }

    /// The kind a binding names (`"network"`, `"tls"`, `"timeout"`, `"blocked"`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "blocked" => Some(Self::Blocked),
            "network" => Some(Self::Network),
            "tls" => Some(Self::Tls),
            "timeout" => Some(Self::Timeout),
            _ => None,
        }
    }
}

impl Failure {
    /// A failure of `kind` described by `message` (no bytes kept).
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            received: None,
        }
    }

    /// The same failure of a download of which the host's sink holds `received` bytes of the
    /// blob (from its first byte) after the cut ([`Failure::received`]).
    #[must_use]
    pub fn with_received(mut self, received: u64) -> Self {
        self.received = Some(received);
        self
    }

    /// The coded error this failure of `request` stands for, naming the host it was sent to
    /// (the URL's path without its query, which may hold a signature).
    pub(crate) fn to_error(&self, request: &Request) -> Error {
        let host = url_host(&request.url);
        let path = request.url.split(['?', '#']).next().unwrap_or_default();
        let reason = format!(
            "{} {path} failed: {}",
            request.method,
            escape_controls(&self.message)
        );
        let request = Some(FailedRequest::new(request.method.to_string(), &request.url));
        match self.kind {
            FailureKind::Network | FailureKind::Blocked => Error::Network {
                host,
                reason,
                request,
            },
            FailureKind::Tls => Error::Tls {
                host,
                reason,
                request,
            },
            FailureKind::Timeout => Error::Timeout {
                host,
                reason,
                request,
            },
        }
    }
}

/// `host[:port]` of a URL.
fn url_host(url: &str) -> String {
    origin(url)
        .and_then(|o| o.split_once("://").map(|(_, h)| h.to_owned()))
        .unwrap_or_else(|| url.to_owned())
}

/// One logical request with everything around it: authentication (Basic, Bearer tokens),
/// retries of 408/429/5xx, and redirects that never carry credentials to another origin.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    request: Request,
    scopes: Vec<Scope>,
    state: ExchangeState,
    attempts: u32,
    auth_rounds: u32,
    redirects: u32,
    /// Whether the request last sent carried an `Authorization` header.
    authorized: bool,
    /// Whether the request last sent (or the token request in flight) carried the user's
    /// credentials: their Basic credentials, their access token, or a token obtained with
    /// their credentials or refresh token. An anonymous token is no credentials.
    credentials_sent: bool,
    /// The method and URL of the token request in flight (for a failure's message).
    token_request: (Method, String),
    /// The host's `now` when the request was handed out, for its round trip.
    sent_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ExchangeState {
    Ready,
    Sent,
    Token,
    Waiting,
}

/// The most 401s an exchange answers with new credentials before it gives up.
const MAX_AUTH_ROUNDS: u32 = 2;
/// The most redirects an exchange follows.
const MAX_REDIRECTS: u32 = 5;

/// What an exchange step yields to its operation.
pub(crate) enum Step {
    Event(Event<()>),
    Response(Response),
    /// The host reported a failure the exchange does not retry: the coded error, for the
    /// operation to return or to recover from (an upload resumes).
    Failed(Failure, Error),
}

impl Exchange {
    /// The request under way, as a timeout's details name it.
    fn failed_request(&self) -> FailedRequest {
        FailedRequest::new(self.request.method.to_string(), &self.request.url)
    }

    pub(crate) fn new(request: Request, scope: Scope) -> Self {
        Self::with_scopes(request, vec![scope])
    }

    /// An exchange whose token needs several scopes (a mount reads the source repository).
    pub(crate) fn with_scopes(request: Request, scopes: Vec<Scope>) -> Self {
        Self {
            request,
            scopes,
            state: ExchangeState::Ready,
            attempts: 0,
            auth_rounds: 0,
            redirects: 0,
            authorized: false,
            credentials_sent: false,
            token_request: (Method::Get, String::new()),
            sent_ms: 0,
        }
    }

    pub(crate) fn url(&self) -> &str {
        &self.request.url
    }

    /// The method of the request.
    pub(crate) fn method(&self) -> Method {
        self.request.method
    }

    /// Whether the request last sent (or the token request in flight) carried the user's
    /// credentials: their Basic credentials, their access token, or a token obtained with
    /// their credentials or refresh token. An anonymous token is no credentials.
    pub(crate) fn credentials_sent(&self) -> bool {
        self.credentials_sent
    }

    /// Puts the limits the host enforces on a request about to be sent.
    fn stamp(session: &Session, request: &mut Request, deadline: Option<u64>, now_ms: u64) {
        let limits = &session.limits;
        request.timeout_ms = limits.stall_timeout_ms;
        // A captured answer to a request without blob bytes (a manifest, a token, a tag page, a
        // HEAD) has the request time limit too; a blob going up or down only the deadline (and
        // the stall timeout), whatever its size.
        let small = matches!(request.response_body, ResponseBody::Capture { .. })
            && !matches!(request.body, Body::Blob { .. });
        request.deadline_ms = match request.response_body {
            _ if small && limits.request_timeout_ms > 0 => {
                let whole = now_ms.saturating_add(limits.request_timeout_ms);
                Some(deadline.map_or(whole, |d| d.min(whole)))
            }
            _ => deadline,
        };
    }

    fn send(
        &mut self,
        session: &Session,
        now_ms: u64,
        deadline: Option<u64>,
    ) -> Result<Step, Error> {
        let mut request = self.request.clone();
        Self::stamp(session, &mut request, deadline, now_ms);
        let authorization = session.authorization(&request.url, &self.scopes, now_ms)?;
        self.authorized = authorization.is_some();
        self.credentials_sent = authorization.as_ref().is_some_and(|(_, user)| *user);
        if let Some((authorization, _)) = authorization {
            request
                .headers
                .push(("Authorization".to_owned(), authorization));
        }
        // The user's headers, like credentials, are for the registry's origin only.
        if session.is_own_origin(&request.url) {
            request.headers.extend(session.headers.iter().cloned());
        }
        self.state = ExchangeState::Sent;
        self.sent_ms = now_ms;
        Ok(Step::Event(Event::Send(request)))
    }

    /// One step: `deadline` is the operation's, started at its first step.
    pub(crate) fn step(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
        deadline: &mut Deadline,
    ) -> Result<Step, Error> {
        let at = deadline.at(&session.limits, now_ms);
        if let Some(at) = at.filter(|&at| now_ms >= at) {
            return Err(Error::Timeout {
                host: session.registry().to_owned(),
                reason: format!(
                    "the operation's deadline of {} ms passed (Limits.deadline_ms) {} ms ago, at {} {}",
                    session.limits.deadline_ms,
                    now_ms - at,
                    self.request.method,
                    self.request.url.split('?').next().unwrap_or_default()
                ),
                request: Some(self.failed_request()),
            });
        }
        match (&self.state, input) {
            (ExchangeState::Ready | ExchangeState::Waiting, _) => self.send(session, now_ms, at),
            (ExchangeState::Token, Input::Response(response)) => {
                if response.status != 200 {
                    return Err(registry_error(&response));
                }
                session.store_token(&self.scopes, &response, now_ms)?;
                self.send(session, now_ms, at)
            }
            (ExchangeState::Token, Input::Failure(failure)) => {
                let (method, url) = self.token_request.clone();
                Err(failure.to_error(&Request::new(method, url)))
            }
            (ExchangeState::Sent, Input::Response(response)) => {
                // A round trip: a request without blob bytes either way (a blob's time is its
                // size over the bandwidth, not the path's length).
                if !matches!(self.request.body, Body::Blob { .. })
                    && !matches!(self.request.response_body, ResponseBody::Stream { .. })
                {
                    session.note_round_trip(now_ms.saturating_sub(self.sent_ms));
                }
                self.on_response(session, response, now_ms, at)
            }
            (ExchangeState::Sent, Input::Failure(failure)) => {
                self.on_failure(session, failure, now_ms, at)
            }
            (_, input) => Err(Error::ProtocolState {
                reason: format!("unexpected input {input:?} while waiting for a response"),
            }),
        }
    }

    /// Whether sending the request again is harmless and possible: any request but one
    /// carrying blob bytes (the operation resumes those) or streaming a blob (the host holds
    /// part of it), and a POST only without a body (a refused upload session was never made).
    fn repeatable(&self) -> bool {
        match self.request.method {
            Method::Patch => false,
            Method::Post => self.request.body == Body::Empty,
            _ => {
                !matches!(self.request.body, Body::Blob { .. })
                    && !matches!(self.request.response_body, ResponseBody::Stream { .. })
            }
        }
    }

    /// Whether the request is the first referrers listing of the session on its registry (it
    /// does not know yet whether the registry has the referrers API).
    fn referrers_probe(&self, session: &Session) -> bool {
        let path = self
            .request
            .url
            .split(['?', '#'])
            .next()
            .unwrap_or_default();
        self.request.method == Method::Get
            && session.referrers_api().is_none()
            && session.is_own_origin(&self.request.url)
            && path.contains("/v2/")
            && path.contains("/referrers/")
    }

    /// A wait of `delay` ms before the next attempt, unless it would pass the deadline.
    fn wait(
        &mut self,
        session: &Session,
        delay: u64,
        now_ms: u64,
        deadline: Option<u64>,
    ) -> Result<Step, Error> {
        if deadline.is_some_and(|at| now_ms.saturating_add(delay) >= at) {
            return Err(Error::Timeout {
                host: session.registry().to_owned(),
                reason: format!(
                    "waiting {delay} ms to retry {} {} would pass the operation's deadline (Limits.deadline_ms = {} ms)",
                    self.request.method,
                    self.request.url.split('?').next().unwrap_or_default(),
                    session.limits.deadline_ms
                ),
                request: Some(self.failed_request()),
            });
        }
        self.state = ExchangeState::Waiting;
        Ok(Step::Event(Event::Wait(delay)))
    }

    fn on_failure(
        &mut self,
        session: &mut Session,
        failure: Failure,
        now_ms: u64,
        deadline: Option<u64>,
    ) -> Result<Step, Error> {
        if failure.kind == FailureKind::Blocked && self.referrers_probe(session) {
            // The browser hid the answer, most likely the 404 of a registry without the
            // referrers API: the listing reads the referrers tag instead, and the session then
            // knows the registry has no such API (this is asked once per session).
            let hidden = Response {
                status: 404,
                ..Response::default()
            };
            return self.on_response(session, hidden, now_ms, deadline);
        }
        let error = failure.to_error(&self.request);
        // Only a network failure (refused, reset, unreachable) is worth sending again at once:
        // a request that timed out would cost the whole stall timeout again at each attempt
        // (a registry that never answers would hold the caller five times as long), and a
        // certificate does not fix itself.
        let network = matches!(failure.kind, FailureKind::Network | FailureKind::Blocked);
        if !network || !self.repeatable() {
            return Ok(Step::Failed(failure, error));
        }
        self.attempts += 1;
        // A failed transport retries as a 503 would: the same backoff, the same count.
        match session.retry.delay_ms(503, self.attempts, None, now_ms) {
            Some(delay) => self.wait(session, delay, now_ms, deadline),
            None => Err(error),
        }
    }

    fn on_response(
        &mut self,
        session: &mut Session,
        response: Response,
        now_ms: u64,
        deadline: Option<u64>,
    ) -> Result<Step, Error> {
        match response.status {
            // A challenge from another origin (a storage backend a blob GET was redirected to)
            // gets none of the registry's credentials: no token request with them, no Basic.
            401 if !session.is_own_origin(&self.request.url) => {
                Err(foreign_challenge(session, &self.request.url, &response))
            }
            401 if self.auth_rounds < MAX_AUTH_ROUNDS => {
                self.auth_rounds += 1;
                let challenges = response
                    .headers
                    .iter()
                    .filter(|(n, _)| n.eq_ignore_ascii_case("WWW-Authenticate"))
                    .flat_map(|(_, v)| parse_challenges(v))
                    .collect::<Vec<_>>();
                let bearer = challenges.iter().find_map(|c| match c {
                    Challenge::Bearer(b) if !b.realm.is_empty() => Some(b),
                    _ => None,
                });
                if let Some(bearer) = bearer {
                    if matches!(session.credentials, Some(Credentials::AccessToken(_))) {
                        return Err(registry_error(&response));
                    }
                    let mut request = session.token_request(bearer, &self.scopes)?;
                    // The realm passed the check that lets it have the user's credentials.
                    request.headers.extend(session.headers.iter().cloned());
                    Self::stamp(session, &mut request, deadline, now_ms);
                    self.token_request = (request.method, request.url.clone());
                    self.credentials_sent = session.sends_credentials_for_tokens();
                    self.state = ExchangeState::Token;
                    return Ok(Step::Event(Event::Send(request)));
                }
                let basic_offered = challenges
                    .iter()
                    .any(|c| matches!(c, Challenge::Basic { .. }));
                let have_basic = matches!(session.credentials, Some(Credentials::Basic { .. }));
                // Resend with Basic credentials unless this very request carried them: another
                // operation on the session may have learnt that the registry wants Basic while
                // this request was in flight without them.
                if basic_offered && have_basic && !self.authorized {
                    session.basic = true;
                    return self.send(session, now_ms, deadline);
                }
                Err(registry_error(&response))
            }
            // A request carrying a blob's bytes (a PUT, a PATCH, a single-request POST) is
            // never redirected by the engine: the bytes would go where the answer says, which
            // may be another origin. Its operation gets the 3xx answer.
            301 | 302 | 303 | 307 | 308
                if self.request.method != Method::Put
                    && self.request.method != Method::Patch
                    && !matches!(self.request.body, Body::Blob { .. }) =>
            {
                self.redirects += 1;
                let location = response
                    .header("Location")
                    .ok_or_else(|| Error::ProtocolState {
                        reason: format!("HTTP {} without a Location", response.status),
                    })?;
                if self.redirects > MAX_REDIRECTS {
                    return Err(Error::ProtocolState {
                        reason: format!("more than {MAX_REDIRECTS} redirects"),
                    });
                }
                let target = resolve_location(&self.request.url, location)?;
                // HTTPS must not be downgraded to HTTP by a redirect.
                if self.request.url.starts_with("https://") && target.starts_with("http://") {
                    return Err(Error::LocationRefused {
                        location: target,
                        reason: format!(
                            "a redirect from HTTPS ({}) to plain HTTP",
                            self.request.url
                        ),
                    });
                }
                self.request.url = target;
                if response.status == 303 {
                    self.request.method = Method::Get;
                    self.request.body = Body::Empty;
                }
                self.send(session, now_ms, deadline)
            }
            status => {
                self.attempts += 1;
                let retry_after = response.header("Retry-After");
                if RetryPolicy::is_retryable(status) {
                    if let Some(asked) = retry_after.and_then(|v| parse_retry_after(v, now_ms)) {
                        let max = session.limits.retry_after_max_ms;
                        if asked > max {
                            return Err(retry_after_over_cap(session, &response, asked, max));
                        }
                    }
                }
                // Idempotent requests, uploads whose body the host can send again, and POSTs
                // without a body (an upload session that was refused was never created) or with
                // a blob's (a single-request upload that was refused stored nothing) are
                // retried; a PATCH is resumed by its operation instead.
                let repeatable = match self.request.method {
                    Method::Patch => false,
                    Method::Post => matches!(self.request.body, Body::Empty | Body::Blob { .. }),
                    _ => true,
                };
                match session
                    .retry
                    .delay_ms(status, self.attempts, retry_after, now_ms)
                {
                    Some(delay) if repeatable => self.wait(session, delay, now_ms, deadline),
                    _ => Ok(Step::Response(response)),
                }
            }
        }
    }
}

/// `TOOMANYREQUESTS` for a `Retry-After` over [`Limits::retry_after_max_ms`]: failing at once
/// beats holding the caller for as long as the registry asks.
fn retry_after_over_cap(session: &Session, response: &Response, asked: u64, max: u64) -> Error {
    let mut errors = vec![super::errors::RegistryError {
        code: "TOOMANYREQUESTS".into(),
        message: format!(
            "{} asked to wait {asked} ms (Retry-After: {}) before retrying, over the {max} ms ocikit waits (Limits.retry_after_max_ms)",
            session.registry(),
            escape_controls(response.header("Retry-After").unwrap_or_default())
        ),
        detail: Some(format!(
            r#"{{"retryAfterMs":{asked},"retryAfterMaxMs":{max}}}"#
        )),
    }];
    errors.extend(parse_error_body(response.status, &response.body));
    Error::Registry {
        status: response.status,
        errors,
    }
}

/// The error a failed response stands for: the registry's own codes pass through.
pub(crate) fn registry_error(response: &Response) -> Error {
    let errors = parse_error_body(response.status, &response.body);
    Error::Registry {
        status: response.status,
        errors,
    }
}

/// The error for a 401 from another origin than the registry's: the answer, naming the host
/// that asked, whose challenge gets no registry credentials.
fn foreign_challenge(session: &Session, url: &str, response: &Response) -> Error {
    let host = origin(url).unwrap_or_default();
    let mut errors = vec![super::errors::RegistryError {
        code: "UNAUTHORIZED".into(),
        message: format!(
            "{host} asked for credentials after a redirect; the credentials of {} are not sent to another origin",
            session.registry()
        ),
        detail: None,
    }];
    errors.extend(parse_error_body(response.status, &response.body));
    Error::Registry {
        status: response.status,
        errors,
    }
}

/// Resolves a redirect or upload `Location` (or a next-page `Link`) against the URL it
/// answered: refused when it is not a URL a host can send (spaces, control characters, another
/// scheme than http(s)), or one that URL parsers read differently — a backslash (browsers and
/// Node end the host there, Python does not) or userinfo (`user@host`; what comes before `@`
/// is not the host): a registry sends neither, and a host parsing such a URL otherwise than
/// the core would send credentials to another origin than the one the core checked.
pub(crate) fn resolve_location(base: &str, location: &str) -> Result<String, Error> {
    if location.chars().any(|c| !c.is_ascii_graphic()) {
        return Err(Error::LocationRefused {
            location: escape_controls(location),
            reason: "it has spaces, control or non-ASCII characters".into(),
        });
    }
    if location.contains('\\') {
        return Err(Error::LocationRefused {
            location: location.to_owned(),
            reason: "it has a backslash, which URL parsers read differently".into(),
        });
    }
    let authority = location
        .split_once("//")
        .filter(|(before, _)| !before.contains(['/', '?', '#']))
        .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or_default());
    if authority.is_some_and(|a| a.contains('@')) {
        return Err(Error::LocationRefused {
            location: location.to_owned(),
            reason: "it has userinfo (user@host), which URL parsers read differently".into(),
        });
    }
    // A scheme (RFC 3986 §3.1) other than http(s) is never followed; an upper-case HTTP one
    // is read as such.
    let scheme_end = location
        .find(|c: char| !(c.is_ascii_alphanumeric() || "+-.".contains(c)))
        .filter(|&i| i > 0 && location[i..].starts_with(':'));
    let location = match scheme_end {
        Some(end) => {
            let scheme = location[..end].to_ascii_lowercase();
            if scheme != "http" && scheme != "https" {
                return Err(Error::LocationRefused {
                    location: location.to_owned(),
                    reason: format!("its scheme {scheme:?} is not http or https"),
                });
            }
            format!("{scheme}{}", &location[end..])
        }
        None => location.to_owned(),
    };
    let location = location.as_str();
    let target = resolve(base, location).ok_or_else(|| Error::LocationRefused {
        location: location.to_owned(),
        reason: format!("it cannot be resolved against {base}"),
    })?;
    if !(target.starts_with("http://") || target.starts_with("https://")) {
        return Err(Error::LocationRefused {
            location: target,
            reason: "it is not an http or https URL".into(),
        });
    }
    Ok(target)
}

/// Text with its control characters escaped, for messages.
pub(crate) fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Whether a request of this kind captures its body (JSON documents, errors) or streams it.
pub(crate) fn capture(max: u64) -> ResponseBody {
    ResponseBody::Capture { max }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Detail;

    #[test]
    fn locations_that_url_parsers_read_differently_are_refused() {
        let base = "http://registry.test:5000/v2/a/blobs/sha256:x";
        for location in [
            // A WHATWG parser (browsers, Node's fetch) ends the host at the backslash.
            "http://evil.test:1\\@registry.test:5000/v2/a/blobs/b",
            "//evil.test\\@registry.test:5000/b",
            "/v2/a\\b",
            // Userinfo: no registry sends it.
            "http://registry.test:5000@evil.test/b",
            "https://user:pw@registry.test:5000/b",
            "//u@evil.test/b",
        ] {
            let refused = resolve_location(base, location).expect_err(location);
            assert!(
                matches!(refused, Error::LocationRefused { .. }),
                "{location}: {refused}"
            );
        }
        // An `@` in a path or query is no userinfo.
        for location in [
            "/v2/a/blobs/uploads/u@1?x=a@b",
            "u2?next=//x@y",
            "https://s3.test/b?sig=a@b",
        ] {
            assert!(resolve_location(base, location).is_ok(), "{location}");
        }
    }

    #[test]
    fn a_failure_names_its_request_without_the_query() {
        let request = Request::new(
            Method::Get,
            "https://storage.test/b/c?X-Amz-Signature=s3cr3t&X-Amz-Credential=AKIA#f".to_owned(),
        );
        for kind in [
            FailureKind::Network,
            FailureKind::Blocked,
            FailureKind::Tls,
            FailureKind::Timeout,
        ] {
            let error = Failure::new(kind, "reset").to_error(&request);
            let details = error.details();
            let text = |name: &str| {
                details
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, d)| match d {
                        Detail::Text(t) => t.clone(),
                        other => format!("{other:?}"),
                    })
            };
            assert_eq!(text("method").as_deref(), Some("GET"), "{kind:?}");
            assert_eq!(text("url").as_deref(), Some("https://storage.test/b/c"));
            assert_eq!(text("host").as_deref(), Some("storage.test"));
            let all = format!("{error} {details:?}");
            assert!(!all.contains("s3cr3t") && !all.contains("AKIA"), "{all}");
        }
    }
}
