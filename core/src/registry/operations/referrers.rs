//! Referrers: the referrers API with the referrers tag schema as its fallback, and the upkeep
//! of a subject's referrers tag when a referrer is pushed or deleted.

use super::super::http::Response;
use super::paging::{Listing, Paged, Read};
use super::*;

/// The tag the referrers tag schema uses for a subject: `<alg>-<encoded>` (distribution-spec
/// "Referrers Tag Schema"), truncated to the tag grammar's 128 characters.
pub fn referrers_tag(subject: &Digest) -> String {
    let tag = format!("{}-{}", subject.algorithm(), subject.encoded());
    tag.chars().take(128).collect()
}

/// The referrers of a subject, as [`ListReferrers`] pages through them: the referrers API's
/// pages, or the one index of the referrers tag schema.
#[derive(Debug, Clone)]
struct Referrers {
    reference: Reference,
    subject: Digest,
    artifact_type: Option<String>,
    /// Reading the referrers tag schema.
    fallback: bool,
}

impl Listing for Referrers {
    type Item = Descriptor;
    const WHAT: &'static str = "referrers";
    const PAGE_MAX: u64 = MANIFEST_SIZE_MAX;
    const MAX_PAGES: u32 = 1000;

    fn exchange(&self, url: String, max: u64) -> Exchange {
        get_document(url, &self.reference, oci::IMAGE_INDEX, max, &[Action::Pull])
    }

    fn read(
        &mut self,
        session: &mut Session,
        response: &Response,
        first: bool,
    ) -> Result<Read<Descriptor>, Error> {
        if response.status == 404 {
            if self.fallback || !first {
                return Ok(Read::End);
            }
            // No referrers API: the tag schema, now and for later lists on this session.
            session.set_referrers_api(false);
            self.fallback = true;
            let tag = referrers_tag(&self.subject);
            return Ok(Read::Ask(session.url(&repository_path(
                &self.reference,
                "manifests",
                &tag,
            ))));
        }
        if response.status != 200 {
            return Ok(Read::Refused);
        }
        if !self.fallback {
            session.set_referrers_api(true);
        } else if is_the_subject(response, &self.subject) {
            // GitLab resolves a `sha256-<hex>` tag to the manifest `sha256:<hex>`: the
            // subject itself, not a referrers index (RQ008). Nothing lists it.
            return Ok(Read::End);
        }
        let index = crate::Index::from_json(response.body.clone())?;
        let filtered_by_registry = !self.fallback
            && response
                .header("OCI-Filters-Applied")
                .is_some_and(|f| f.split(',').any(|f| f.trim() == "artifactType"));
        let (index, _) = index.into_parts();
        let entries = index.manifests.len() as u64;
        let items = index
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
        // The tag schema's index is one document; only the referrers API pages.
        Ok(Read::Page {
            entries,
            items,
            linked: !self.fallback,
        })
    }
}

/// List the referrers of a manifest: the referrers API, or on 404 the referrers tag schema.
/// An `artifactType` filter the registry did not apply (no `OCI-Filters-Applied`) is applied
/// here.
#[derive(Debug, Clone)]
pub struct ListReferrers(Paged<Referrers>);

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
        let referrers = Referrers {
            reference: reference.clone(),
            subject: subject.clone(),
            artifact_type: artifact_type.map(str::to_owned),
            fallback,
        };
        Self(Paged::new(session, referrers, session.url(&path)))
    }

    /// The next step; done with the referrers' descriptors.
    ///
    /// # Errors
    /// [`Error::Registry`], what reading the index reports, [`Error::LimitExceeded`] past
    /// the session's listing limits, or [`Error::ProtocolState`] for a next-page link as
    /// [`ListTags::next`](super::ListTags::next) refuses it.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Vec<Descriptor>>, Error> {
        self.0.next(session, input, now_ms)
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
        self.0.next_page(session, input, now_ms)
    }
}

/// Whether a document read at a subject's referrers tag is the subject itself: a registry
/// that resolves `sha256-<hex>` to the digest `sha256:<hex>` (GitLab) answers with it.
fn is_the_subject(response: &Response, subject: &Digest) -> bool {
    let said = response.header("Docker-Content-Digest");
    said == Some(subject.to_string().as_str())
        || (matches!(subject.algorithm(), crate::digest::Algorithm::Sha256)
            && crate::digest::sha256(&response.body) == *subject)
}

/// Probe whether the registry serves the referrers API, for a referrer pushed where the PUT
/// answered without `OCI-Subject` (Quay serves the API but never sends the header, RQ006):
/// `GET /v2/<name>/referrers/<subject>` once per session, before a fallback tag is written.
///
/// Only a 200 whose body is an OCI image index (its `mediaType` says so) proves the API:
/// the session then knows it ([`Session::referrers_api`] is `Some(true)`) and no fallback tag
/// is written. Anything else proves nothing — a 404 may be a registry that does not know the
/// subject yet (Quay answers 404 for an unknown subject) or a proxy's; an HTML page is a
/// portal's or a web UI's; an error or a cut connection is just that — and the referrers tag
/// is kept as the spec says, which is harmless where the API exists after all. The session
/// records that it asked ([`Session::referrers_probe_due`]), so it asks once.
#[derive(Debug, Clone)]
pub struct ProbeReferrers {
    exchange: Exchange,
    /// The operation's deadline, from its first step.
    deadline: Deadline,
}

impl ProbeReferrers {
    /// Asks about `subject` (a manifest known to be in `reference`'s repository).
    pub fn new(session: &Session, reference: &Reference, subject: &Digest) -> Self {
        let url = session.url(&repository_path(
            reference,
            "referrers",
            &subject.to_string(),
        ));
        Self {
            exchange: get_document(
                url,
                reference,
                oci::IMAGE_INDEX,
                MANIFEST_SIZE_MAX,
                &[Action::Pull],
            ),
            deadline: Deadline::default(),
        }
    }

    /// The next step; done with whether the answer proved the referrers API.
    ///
    /// # Errors
    /// A transport failure's error, the token errors of the exchange; an answer of any status
    /// is not an error.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<bool>, Error> {
        let response = exchange!(self, session, input, now_ms);
        session.set_referrers_probed();
        let proved = response.status == 200 && is_oci_index(&response.body);
        if proved {
            session.set_referrers_api(true);
        }
        Ok(Event::Done(proved))
    }
}

/// Whether `body` is an OCI image index that says so (`mediaType`), as a referrers API
/// answers.
fn is_oci_index(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| {
        v.get("mediaType").and_then(serde_json::Value::as_str) == Some(oci::IMAGE_INDEX)
            && v.get("manifests").is_some_and(serde_json::Value::is_array)
    }) && crate::Index::from_json(body.to_vec()).is_ok()
}

/// How a referrers tag changes.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per update; a Box would only add an allocation
enum Change {
    /// List this referrer.
    Add(Descriptor),
    /// List this digest no more.
    Remove(Digest),
}

/// The read-modify-write of a subject's referrers tag (distribution-spec "Referrers Tag
/// Schema"): GET the index (none: an empty one), change it, PUT it back with `If-Match` on the
/// ETag it was read with, and start over when another client won the race (412).
#[derive(Debug, Clone)]
struct TagUpdate {
    reference: Reference,
    subject: Digest,
    tag: String,
    change: Change,
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

impl TagUpdate {
    fn new(session: &Session, reference: &Reference, subject: &Digest, change: Change) -> Self {
        let tag = referrers_tag(subject);
        Self {
            deadline: Deadline::default(),
            exchange: Self::get(session, reference, &tag),
            reference: reference.clone(),
            subject: subject.clone(),
            tag,
            change,
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

    fn next(
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
                _ => Err(in_context(registry_error(&response), &self.exchange)),
            };
        }
        self.attempts += 1;
        let (mut index, etag) = match response.status {
            // The subject itself (GitLab resolves `sha256-<hex>` to that digest, RQ008): no
            // referrers tag yet. The new one is written without `If-Match`, as after a 404.
            200 if is_the_subject(&response, &self.subject) => match self.change {
                Change::Remove(_) => return Ok(Event::Done(None)),
                Change::Add(_) => (crate::Index::new(Vec::new()), None),
            },
            200 => (
                crate::Index::from_json(response.body.clone())?
                    .into_parts()
                    .0,
                response.header("ETag").map(str::to_owned),
            ),
            // No tag: nothing lists the subject yet, and nothing is to be removed.
            404 if matches!(self.change, Change::Remove(_)) => return Ok(Event::Done(None)),
            404 => (crate::Index::new(Vec::new()), None),
            _ => return Err(in_context(registry_error(&response), &self.exchange)),
        };
        match &self.change {
            Change::Add(referrer) => {
                if index.manifests.iter().any(|d| d.digest == referrer.digest) {
                    return Ok(Event::Done(None));
                }
                index.manifests.push(referrer.clone());
            }
            Change::Remove(digest) => {
                let before = index.manifests.len();
                index.manifests.retain(|d| d.digest != *digest);
                if index.manifests.len() == before {
                    return Ok(Event::Done(None));
                }
            }
        }
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

/// After pushing a manifest with a subject to a registry without the referrers API (its PUT
/// answered without `OCI-Subject`), add the manifest to the subject's referrers tag: GET the
/// index (or start an empty one), add the descriptor, PUT it back with `If-Match` on the ETag
/// it was read with, and start over when another client won the race (412).
#[derive(Debug, Clone)]
pub struct AddReferrer(TagUpdate);

impl AddReferrer {
    /// Adds `referrer` (a manifest's or an index's descriptor as a referrers list shows it,
    /// with its artifactType and annotations) to the referrers tag of `subject`.
    pub fn new(
        session: &Session,
        reference: &Reference,
        subject: &Digest,
        referrer: &Descriptor,
    ) -> Self {
        Self(TagUpdate::new(
            session,
            reference,
            subject,
            Change::Add(referrer.clone()),
        ))
    }

    /// The next step; done with the new index's digest (or `None` when the referrer was
    /// already listed).
    ///
    /// # Errors
    /// [`Error::Registry`], or [`Error::ProtocolState`] when updates keep losing the race or
    /// the ETag cannot be sent back.
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Option<Digest>>, Error> {
        self.0.next(session, input, now_ms)
    }
}

/// After deleting a referrer from a registry without the referrers API, remove it from its
/// subject's referrers tag (as oras-go does), so that listings no longer name a manifest that
/// is gone: GET the index, drop the entry, PUT it back with `If-Match` (again on 412). An
/// index emptied this way is written empty: deleting it needs delete rights a registry may not
/// grant, and an empty index lists nothing, as no index would.
#[derive(Debug, Clone)]
pub struct RemoveReferrer(TagUpdate);

impl RemoveReferrer {
    /// Removes `referrer` (a digest) from the referrers tag of `subject`.
    pub fn new(
        session: &Session,
        reference: &Reference,
        subject: &Digest,
        referrer: &Digest,
    ) -> Self {
        Self(TagUpdate::new(
            session,
            reference,
            subject,
            Change::Remove(referrer.clone()),
        ))
    }

    /// The next step; done with the new index's digest (or `None` when the tag did not list
    /// the referrer, or does not exist).
    ///
    /// # Errors
    /// As [`AddReferrer::next`].
    pub fn next(
        &mut self,
        session: &mut Session,
        input: Input,
        now_ms: u64,
    ) -> Result<Event<Option<Digest>>, Error> {
        self.0.next(session, input, now_ms)
    }
}
