//! Manifests: GET, PUT, resolve (HEAD, else GET) and DELETE, with digest and size checks.

use super::*;

/// A manifest as fetched: its exact bytes, the digest of those bytes and its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedManifest {
    /// The media type: `Content-Type` as served, else (a registry that sends none) the
    /// document's own `mediaType`, else the type its shape gives (an index with `manifests`,
    /// else an image manifest); empty only for bytes that are not a JSON object.
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
            return Err(in_context(registry_error(&response), &self.exchange));
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
        let media_type = document_media_type(&response.media_type(), &response.body);
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
            return Err(in_context(registry_error(&response), &self.exchange));
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

/// The manifest media types ocikit reads as manifests and indexes.
pub fn is_manifest_type(media_type: &str) -> bool {
    matches!(
        media_type,
        oci::IMAGE_MANIFEST | oci::IMAGE_INDEX | docker::MANIFEST | docker::MANIFEST_LIST
    )
}

/// A manifest's media type as the hosts report it: `served` (the `Content-Type` of the
/// answer, parameters dropped) when the registry sent one; else the document's top-level
/// `mediaType` string (image-spec: "This property SHOULD be used"; registries that send no
/// `Content-Type` still serve it); else, for a JSON object that names no type (the field is
/// not REQUIRED), the type its shape gives: an index when it has a `manifests` array, an image
/// manifest otherwise. Empty when the bytes are not a JSON object: nothing says what they are.
fn document_media_type(served: &str, document: &[u8]) -> String {
    if !served.is_empty() {
        return served.to_owned();
    }
    let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(document) else {
        return String::new();
    };
    match fields.get("mediaType") {
        Some(serde_json::Value::String(named)) if !named.is_empty() => named.clone(),
        _ if fields
            .get("manifests")
            .is_some_and(serde_json::Value::is_array) =>
        {
            oci::IMAGE_INDEX.to_owned()
        }
        _ => oci::IMAGE_MANIFEST.to_owned(),
    }
}

/// What a HEAD (or, failing that, GET) of a manifest tells: enough to build its descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The media type: `Content-Type` as served to the HEAD; when the HEAD's answer has none,
    /// the GET's [`FetchedManifest::media_type`] (a HEAD cannot see the document's own
    /// `mediaType`).
    pub media_type: String,
    /// The manifest's digest.
    pub digest: Digest,
    /// Its size.
    pub size: u64,
}

/// Resolve a tag (or digest) to the manifest's media type, digest and size with HEAD, falling
/// back to GET when the registry's HEAD answer lacks `Docker-Content-Digest`, `Content-Length`
/// or `Content-Type`.
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
            return Err(in_context(registry_error(&response), &self.exchange));
        }
        let digest = response.content_digest();
        let size = response
            .header("Content-Length")
            .and_then(|l| l.parse::<u64>().ok());
        let media_type = response.media_type();
        match (digest, size) {
            (Some(digest), Some(size)) if !media_type.is_empty() => {
                if let Some(expected) = self.reference.digest() {
                    crate::digest::check(expected, None, &digest, size)?;
                }
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
pub struct DeleteManifest(Deletion);

impl DeleteManifest {
    /// Deletes the manifest `digest` from `reference`'s repository.
    pub fn new(session: &Session, reference: &Reference, digest: &Digest) -> Self {
        Self(Deletion::new(session, reference, "manifests", digest))
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
        self.0.next(session, input, now_ms)
    }
}
