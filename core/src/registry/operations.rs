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
use super::http::{Body, Method, Request, ResponseBody, encode_query, origin, resolve};
use super::link::next_link;
use super::session::{Event, Exchange, Input, Session, Step, capture, registry_error};
use crate::media_type::{docker, oci};
use crate::{Descriptor, Digest, Error, MediaType, Reference};

/// Manifests larger than this are refused unless the caller raises the limit (distribution's
/// own limit is 4 MiB).
pub const MANIFEST_SIZE_MAX: u64 = 4 * 1024 * 1024;

/// The manifest types ocikit asks for, OCI first.
pub const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

fn repository_path(reference: &Reference, kind: &str, target: &str) -> String {
    format!("/v2/{}/{kind}/{target}", reference.repository())
}

/// Drives an exchange until it yields a response or an event for the host.
macro_rules! exchange {
    ($exchange:expr, $session:expr, $input:expr, $now:expr) => {
        match $exchange.step($session, $input, $now)? {
            Step::Event(Event::Send(request)) => return Ok(Event::Send(request)),
            Step::Event(Event::Wait(ms)) => return Ok(Event::Wait(ms)),
            Step::Event(Event::Done(())) => unreachable!("exchanges never finish an operation"),
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
        let mut request = Request::new(Method::Get, url).header("Accept", MANIFEST_ACCEPT);
        request.response_body = capture(max);
        Self {
            reference: reference.clone(),
            exchange: Exchange::new(
                request,
                Scope::repository(reference.repository(), &[Action::Pull]),
            ),
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
        let response = exchange!(self.exchange, session, input, now_ms);
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
        if let Some(served) = response
            .header("Docker-Content-Digest")
            .and_then(|d| Digest::parse(d).ok())
        {
            if served.algorithm() == digest.algorithm() && served != digest {
                return Err(Error::DigestMismatch {
                    expected: served,
                    actual: digest,
                });
            }
        }
        let media_type = response
            .header("Content-Type")
            .map(|t| t.split(';').next().unwrap_or_default().trim().to_owned())
            .unwrap_or_default();
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
    digest: Digest,
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
            exchange: Exchange::new(
                request,
                Scope::repository(reference.repository(), &[Action::Pull, Action::Push]),
            ),
            digest,
        }
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
        let response = exchange!(self.exchange, session, input, now_ms);
        if response.status != 201 && response.status != 200 {
            return Err(registry_error(&response));
        }
        if let Some(served) = response
            .header("Docker-Content-Digest")
            .and_then(|d| Digest::parse(d).ok())
        {
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
}

impl BlobExists {
    /// Asks whether the repository has the blob `digest`.
    pub fn new(session: &Session, reference: &Reference, digest: &Digest) -> Self {
        let url = session.url(&repository_path(reference, "blobs", &digest.to_string()));
        Self {
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
        let response = exchange!(self.exchange, session, input, now_ms);
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

/// Upload a blob: skip it when present, else POST for a session and PUT the content with its
/// digest in one request (monolithic upload; distribution 2.8.2 does not take single-POST
/// uploads, so none is attempted).
#[derive(Debug, Clone)]
pub struct PushBlob {
    reference: Reference,
    descriptor: Descriptor,
    exchange: Exchange,
    phase: PushPhase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PushPhase {
    Exists,
    Start,
    Put,
}

impl PushBlob {
    /// Uploads the blob `descriptor` describes; the host streams its bytes when asked
    /// ([`Body::Blob`]).
    pub fn new(session: &Session, reference: &Reference, descriptor: &Descriptor) -> Self {
        let url = session.url(&repository_path(
            reference,
            "blobs",
            &descriptor.digest.to_string(),
        ));
        Self {
            reference: reference.clone(),
            descriptor: descriptor.clone(),
            exchange: Exchange::new(
                Request::new(Method::Head, url),
                Scope::repository(reference.repository(), &[Action::Pull, Action::Push]),
            ),
            phase: PushPhase::Exists,
        }
    }

    fn scope(&self) -> Scope {
        Scope::repository(self.reference.repository(), &[Action::Pull, Action::Push])
    }

    /// The next step; done with `true` when the blob was uploaded, `false` when it was there.
    ///
    /// # Errors
    /// [`Error::Registry`], [`Error::ProtocolState`] for a 202 without `Location`, or
    /// [`Error::DigestMismatch`] when the registry reports another digest.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<bool>, Error> {
        let mut input = input;
        loop {
            let response = exchange!(self.exchange, session, input, now_ms);
            match self.phase {
                PushPhase::Exists => {
                    if response.status == 200 {
                        return Ok(Event::Done(false));
                    }
                    if response.status != 404 {
                        return Err(registry_error(&response));
                    }
                    let url = session.url(&format!(
                        "/v2/{}/blobs/uploads/",
                        self.reference.repository()
                    ));
                    let request = Request::new(Method::Post, url).header("Content-Length", "0");
                    self.exchange = Exchange::new(request, self.scope());
                    self.phase = PushPhase::Start;
                }
                PushPhase::Start => {
                    if response.status != 202 {
                        return Err(registry_error(&response));
                    }
                    let location = upload_location(self.exchange.url(), &response)?;
                    let separator = if location.contains('?') { '&' } else { '?' };
                    let url = format!(
                        "{location}{separator}digest={}",
                        encode_query(&self.descriptor.digest.to_string())
                    );
                    let mut request = Request::new(Method::Put, url)
                        .header("Content-Type", "application/octet-stream")
                        .header("Content-Length", self.descriptor.size.to_string());
                    request.body = Body::Blob {
                        offset: 0,
                        length: self.descriptor.size,
                    };
                    self.exchange = Exchange::new(request, self.scope());
                    self.phase = PushPhase::Put;
                }
                PushPhase::Put => {
                    if response.status != 201 {
                        return Err(registry_error(&response));
                    }
                    if let Some(served) = response
                        .header("Docker-Content-Digest")
                        .and_then(|d| Digest::parse(d).ok())
                    {
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
            input = Input::Start;
        }
    }
}

/// The upload URL of a 202: `Location`, resolved, on the registry's origin or another the
/// registry chose (uploads to a storage backend are allowed; credentials stay behind).
fn upload_location(base: &str, response: &super::http::Response) -> Result<String, Error> {
    let location = response
        .header("Location")
        .ok_or_else(|| Error::ProtocolState {
            reason: format!("HTTP {} without the upload Location", response.status),
        })?;
    resolve(base, location).ok_or_else(|| Error::ProtocolState {
        reason: format!("cannot resolve the upload Location {location:?}"),
    })
}

/// GET a blob, streamed by the host to its destination, and verified by digest and size.
#[derive(Debug, Clone)]
pub struct GetBlob {
    descriptor: Descriptor,
    exchange: Exchange,
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
        request.response_body = ResponseBody::Stream;
        Self {
            descriptor: descriptor.clone(),
            exchange: Exchange::new(
                request,
                Scope::repository(reference.repository(), &[Action::Pull]),
            ),
        }
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
        let response = exchange!(self.exchange, session, input, now_ms);
        if response.status != 200 {
            return Err(registry_error(&response));
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

/// List a repository's tags, following `Link` pagination on the registry's origin.
#[derive(Debug, Clone)]
pub struct ListTags {
    reference: Reference,
    exchange: Exchange,
    tags: Vec<String>,
    pages: u32,
    max_pages: u32,
}

impl ListTags {
    /// Lists tags, asking for `page_size` per page when given.
    pub fn new(session: &Session, reference: &Reference, page_size: Option<u32>) -> Self {
        let mut path = format!("/v2/{}/tags/list", reference.repository());
        if let Some(n) = page_size {
            path.push_str(&format!("?n={n}"));
        }
        Self {
            reference: reference.clone(),
            exchange: Self::exchange(session.url(&path), reference),
            tags: Vec::new(),
            pages: 0,
            max_pages: 10_000,
        }
    }

    fn exchange(url: String, reference: &Reference) -> Exchange {
        Exchange::new(
            Request::new(Method::Get, url).header("Accept", "application/json"),
            Scope::repository(reference.repository(), &[Action::Pull]),
        )
    }

    /// The next step; done with every tag.
    ///
    /// # Errors
    /// [`Error::Registry`], [`Error::JsonInvalid`] for a malformed page, or
    /// [`Error::ProtocolState`] for a link to another origin or too many pages.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<String>>, Error> {
        let response = exchange!(self.exchange, session, input, now_ms);
        if response.status != 200 {
            return Err(registry_error(&response));
        }
        let page: serde_json::Value = crate::json::parse_strict(&response.body)?;
        let tags = page.get("tags").filter(|t| !t.is_null());
        if let Some(tags) = tags {
            let tags = tags.as_array().ok_or_else(|| Error::JsonInvalid {
                reason: "tags must be an array".into(),
            })?;
            for tag in tags {
                let tag = tag.as_str().ok_or_else(|| Error::JsonInvalid {
                    reason: "tags must be strings".into(),
                })?;
                self.tags.push(tag.to_owned());
            }
        }
        self.pages += 1;
        let Some(link) = response.header("Link").and_then(next_link) else {
            return Ok(Event::Done(std::mem::take(&mut self.tags)));
        };
        let next = resolve(self.exchange.url(), &link).ok_or_else(|| Error::ProtocolState {
            reason: format!("cannot resolve the next-page link {link:?}"),
        })?;
        if origin(&next).as_deref() != Some(session.base()) {
            return Err(Error::ProtocolState {
                reason: format!("refusing a next-page link to another origin: {next}"),
            });
        }
        if self.pages >= self.max_pages {
            return Err(Error::ProtocolState {
                reason: format!("more than {} pages of tags", self.max_pages),
            });
        }
        self.exchange = Self::exchange(next, &self.reference);
        self.next(session, Input::Start, now_ms)
    }
}

/// The manifest media types ocikit reads as manifests and indexes.
pub fn is_manifest_type(media_type: &str) -> bool {
    matches!(
        media_type,
        oci::IMAGE_MANIFEST | oci::IMAGE_INDEX | docker::MANIFEST | docker::MANIFEST_LIST
    )
}
