//! The registry doctor: probes what a profile cannot know, with reads only, and decides what
//! each answer proves — the core of `ocikit doctor` (hosts print the [`RegistryReport`]).
//!
//! 1. `GET /v2/` without credentials: its status, challenge and API version header; then the
//!    session's credentials checked as `docker login` does ([`CheckAuth`]).
//! 2. Given a reference: it is resolved, and the referrers API asked about the digest that
//!    resolved. Only a digest known to exist is asked about: a 404 for an unknown digest (Quay
//!    answers so) or an HTML page proves nothing. A 200 with an OCI image index proves the
//!    API; a 404 for that existing digest proves its absence (the distribution-spec: a registry
//!    with the API MUST NOT answer 404 for a repository that exists); anything else is unknown.
//! 3. Given a reference: the tag list asked for one tag (`n=1`), then in full: whether `n` is
//!    honoured and `Link` sent.
//!
//! DELETE and chunk limits are not probed: the only harmless chunk probe (an upload session
//! opened with a PATCH over the limit, then cancelled with DELETE) still writes, and many
//! registries (GHCR, DELETE 405) could not cancel it; the profile's facts are reported instead.

use super::super::engine::{
    Action, Ctx, Operation, Output, Runner, Sessions, Single, Stages, TaskId,
};
use super::super::http::Response;
use super::super::operations::{CheckAuth, ListTags, Look, ResolveManifest};
use super::super::session::Input;
use crate::media_type::oci;
use crate::profiles::Profile;
use crate::{Digest, Error, Reference};

/// What `GET /v2/` answered, and whether the credentials were accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V2Probe {
    /// The status of the anonymous `GET /v2/`.
    pub status: u16,
    /// Its `WWW-Authenticate` challenge, if any.
    pub challenge: Option<String>,
    /// Its `Docker-Distribution-API-Version`, if any.
    pub api_version: Option<String>,
    /// `"ok"`, or the error code of the credentials check (`UNAUTHORIZED`, …).
    pub auth: String,
    /// The error's message when the check failed.
    pub error: Option<String>,
}

/// What the referrers API probe proved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReferrersProbe {
    /// The digest asked about (the reference's, resolved); `None`: not probed.
    pub digest: Option<Digest>,
    /// The status answered.
    pub status: Option<u16>,
    /// Its `Content-Type`.
    pub content_type: Option<String>,
    /// `Some(true)`: a 200 with an OCI index; `Some(false)`: a 404 for a digest that exists;
    /// `None`: nothing proved.
    pub supported: Option<bool>,
    /// Why nothing was proved, or how the probe differs from the profile.
    pub note: Option<String>,
}

/// What the tag list probe found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagListProbe {
    /// Tags on the first page asked with `n=1`.
    pub first_page: u64,
    /// Whether that page had a `Link` to the next.
    pub link: bool,
    /// Every tag (the list without `n`).
    pub tags: u64,
    /// Whether `n` was honoured (`None`: a repository with fewer than two tags cannot tell).
    pub n_honoured: Option<bool>,
    /// The error of the listing, if it failed.
    pub error: Option<String>,
    /// What the answers mean for a client (`n` honoured without `Link`, too few tags).
    pub note: Option<String>,
}

/// The capability report of a registry: probes next to the profile's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryReport {
    /// `host[:port]`.
    pub registry: String,
    /// The profile (named by the host, else by the registry's host pattern, else generic).
    pub profile: &'static Profile,
    /// `GET /v2/` and the credentials.
    pub v2: V2Probe,
    /// The referrers API (`None` without a reference).
    pub referrers: ReferrersProbe,
    /// The tag list (`None` without a reference).
    pub tag_list: Option<TagListProbe>,
    /// What is not probed, and why: `(topic, note)`.
    pub not_probed: Vec<(&'static str, &'static str)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    V2,
    Auth,
    Resolve,
    Referrers,
    FirstPage,
    AllTags,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    V2,
    Resolve,
    Probes,
    Over,
}

/// Probe a registry (and, given a reference to a manifest that exists, its referrers API and
/// tag-list pagination). See the [module docs](self).
#[derive(Debug, Clone)]
pub struct ProbeRegistry {
    runner: Runner<Purpose>,
    stages: DoctorStages,
}

#[derive(Debug, Clone)]
struct DoctorStages {
    registry: String,
    reference: Option<Reference>,
    profile: &'static Profile,
    stage: Stage,
    v2: V2Probe,
    referrers: ReferrersProbe,
    tag_list: Option<TagListProbe>,
}

impl ProbeRegistry {
    /// Probes `registry` (`host[:port]`), and with `reference` (a manifest in one of its
    /// repositories) its referrers API and tag list; `profile` names the profile to report
    /// (else the host's, else generic).
    ///
    /// # Errors
    /// `OPTIONS_INVALID` for an unknown profile name; `OPERATION_MISUSE` for a reference on
    /// another registry.
    pub fn new(
        registry: &str,
        reference: Option<&Reference>,
        profile: Option<&str>,
    ) -> Result<Self, Error> {
        let profile = match profile {
            Some(name) => Profile::by_name(name)?,
            None => Profile::for_host(registry).unwrap_or_else(Profile::generic),
        };
        if let Some(reference) = reference.filter(|r| r.registry() != registry) {
            return Err(super::super::engine::misuse(format!(
                "the reference {reference} is not on the registry {registry}"
            )));
        }
        Ok(Self {
            runner: Runner::new(registry),
            stages: DoctorStages {
                registry: registry.to_owned(),
                reference: reference.cloned(),
                profile,
                stage: Stage::Start,
                v2: V2Probe {
                    status: 0,
                    challenge: None,
                    api_version: None,
                    auth: "ok".into(),
                    error: None,
                },
                referrers: ReferrersProbe {
                    note: reference.is_none().then(|| {
                        "not probed: give REGISTRY/REPOSITORY:TAG of a manifest that exists".into()
                    }),
                    ..ReferrersProbe::default()
                },
                tag_list: None,
            },
        })
    }
}

impl Operation for ProbeRegistry {
    type Output = RegistryReport;

    fn poll(
        &mut self,
        sessions: &mut Sessions,
        now_ms: u64,
    ) -> Result<Action<RegistryReport>, Error> {
        self.runner.poll(&mut self.stages, sessions, now_ms)
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.runner.provide(task, input)
    }
}

fn header(response: &Response, name: &str) -> Option<String> {
    response
        .header(name)
        .map(crate::registry::session::escape_controls)
}

/// Whether `body` is an OCI image index that says so, as the referrers API answers.
fn is_oci_index(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body).is_ok_and(|v| {
        v.get("mediaType").and_then(serde_json::Value::as_str) == Some(oci::IMAGE_INDEX)
            && v.get("manifests").is_some_and(serde_json::Value::is_array)
    })
}

impl DoctorStages {
    fn referrers_answer(&mut self, response: &Response) {
        self.referrers.status = Some(response.status);
        self.referrers.content_type = header(response, "Content-Type");
        self.referrers.supported = match response.status {
            200 if is_oci_index(&response.body) => Some(true),
            200 => {
                self.referrers.note =
                    Some("a 200 that is no OCI image index (an HTML page?) proves nothing".into());
                None
            }
            404 => Some(false),
            status => {
                self.referrers.note = Some(format!("HTTP {status} proves nothing"));
                None
            }
        };
        let known = match self.profile.referrers_api {
            crate::profiles::Support::Yes => Some(true),
            crate::profiles::Support::No => Some(false),
            crate::profiles::Support::Unknown => None,
        };
        if let (Some(known), Some(found)) = (known, self.referrers.supported) {
            if known != found {
                self.referrers.note = Some(format!(
                    "the profile says {}: the probe is newer than its sources",
                    if known { "yes" } else { "no" }
                ));
            }
        }
    }

    fn first_page(&mut self, response: &Response) {
        let probe = self.tag_list.get_or_insert_with(TagListProbe::default);
        if response.status != 200 {
            probe.error = Some(format!("HTTP {} for the tag list", response.status));
            return;
        }
        probe.link = response.header("Link").is_some();
        probe.first_page = serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|v| v.get("tags").and_then(|t| t.as_array().map(Vec::len)))
            .unwrap_or(0) as u64;
    }
}

impl Stages for DoctorStages {
    type Purpose = Purpose;
    type Output = RegistryReport;

    fn done(
        &mut self,
        _: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        output: Output,
        _: bool,
    ) -> Result<(), Error> {
        match (purpose, output) {
            (Purpose::V2, Output::Answer(response)) => {
                self.v2.status = response.status;
                self.v2.challenge = header(&response, "WWW-Authenticate");
                self.v2.api_version = header(&response, "Docker-Distribution-API-Version");
            }
            (Purpose::Resolve, Output::Resolved(resolved)) => {
                self.referrers.digest = Some(resolved.digest);
            }
            (Purpose::Referrers, Output::Answer(response)) => self.referrers_answer(&response),
            (Purpose::FirstPage, Output::Answer(response)) => self.first_page(&response),
            (Purpose::AllTags, Output::Tags(tags)) => {
                let probe = self.tag_list.get_or_insert_with(TagListProbe::default);
                probe.tags = tags.len() as u64;
            }
            _ => {}
        }
        Ok(())
    }

    /// A failed probe is reported, not fatal — but for the transport: a registry that cannot
    /// be reached is the error (`NETWORK_ERROR`, `TLS_ERROR`, `TIMEOUT`).
    fn failed(
        &mut self,
        _: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        error: Error,
    ) -> Result<(), Error> {
        if matches!(
            error,
            Error::Network { .. } | Error::Tls { .. } | Error::Timeout { .. }
        ) {
            return Err(error);
        }
        let text = format!("{}: {error}", error.code());
        match purpose {
            Purpose::V2 => return Err(error),
            Purpose::Auth => {
                self.v2.auth = error.code().to_owned();
                self.v2.error = Some(error.to_string());
            }
            Purpose::Resolve => {
                self.referrers.note = Some(format!(
                    "the reference did not resolve ({}): the referrers API is asked about a digest that exists only",
                    error.code()
                ));
            }
            Purpose::Referrers => self.referrers.note = Some(text),
            Purpose::FirstPage | Purpose::AllTags => {
                self.tag_list
                    .get_or_insert_with(TagListProbe::default)
                    .error = Some(text);
            }
        }
        Ok(())
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<Option<RegistryReport>, Error> {
        let registry = self.registry.clone();
        loop {
            let session = ctx.sessions.session(&registry)?;
            match self.stage {
                Stage::Start => {
                    self.stage = Stage::V2;
                    let look = Look::anonymous(session, "/v2/");
                    let check = CheckAuth::new(session);
                    ctx.start(&registry, Single::Look(look), Purpose::V2, None);
                    ctx.start(&registry, Single::CheckAuth(check), Purpose::Auth, None);
                    return Ok(None);
                }
                Stage::V2 => {
                    self.stage = Stage::Resolve;
                    if let Some(reference) = &self.reference {
                        let resolve = ResolveManifest::new(session, reference);
                        ctx.start(&registry, Single::Resolve(resolve), Purpose::Resolve, None);
                        return Ok(None);
                    }
                }
                Stage::Resolve => {
                    self.stage = Stage::Probes;
                    if let Some(reference) = &self.reference {
                        let repository = reference.repository();
                        let mut starts = Vec::new();
                        if let Some(digest) = &self.referrers.digest {
                            let path = format!("/v2/{repository}/referrers/{digest}");
                            let look =
                                Look::new(session, reference, &path, oci::IMAGE_INDEX, 4 << 20);
                            starts.push((Single::Look(look), Purpose::Referrers));
                        }
                        let path = format!("/v2/{repository}/tags/list?n=1");
                        let look =
                            Look::new(session, reference, &path, "application/json", 16 << 20);
                        starts.push((Single::Look(look), Purpose::FirstPage));
                        let all = ListTags::new(session, reference, None);
                        starts.push((Single::ListTags(all), Purpose::AllTags));
                        for (single, purpose) in starts {
                            ctx.start(&registry, single, purpose, None);
                        }
                        return Ok(None);
                    }
                }
                Stage::Probes => {
                    self.stage = Stage::Over;
                    if let Some(probe) = &mut self.tag_list {
                        if probe.error.is_none() && probe.tags > 1 {
                            probe.n_honoured = Some(probe.first_page <= 1);
                            if probe.first_page <= 1 && !probe.link {
                                probe.note = Some(format!(
                                    "n is honoured but no Link is sent: a client following Link sees the first page only ({} of {} tags)",
                                    probe.first_page, probe.tags
                                ));
                            }
                        } else if probe.error.is_none() {
                            probe.note = Some(
                                "a repository with two tags or more tells whether n is honoured"
                                    .into(),
                            );
                        }
                    }
                    return Ok(Some(RegistryReport {
                        registry: self.registry.clone(),
                        profile: self.profile,
                        v2: self.v2.clone(),
                        referrers: self.referrers.clone(),
                        tag_list: self.tag_list.clone(),
                        not_probed: vec![
                            (
                                "delete",
                                "not probed: doctor sends no DELETE (see the profile's facts)",
                            ),
                            (
                                "chunked-upload",
                                "not probed: the only probe of a chunk limit opens an upload and cannot always cancel it (GHCR answers DELETE with 405); see the profile's facts",
                            ),
                        ],
                    }));
                }
                Stage::Over => return Ok(None),
            }
        }
    }
}
