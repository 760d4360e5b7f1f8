//! Push (and attach, a push with a subject): check each blob, upload the missing ones (or
//! mount them), PUT the manifest under each tag, and keep the subject's referrers tag current
//! on a registry without the referrers API.

use std::collections::HashSet;

use super::super::engine::{
    Action, Ctx, Operation, Output, PlannedRequest, Runner, Sessions, Single, Stages, TaskId,
};
use super::super::http::Method;
use super::super::operations::{
    AddReferrer, MANIFEST_SIZE_MAX, ProbeReferrers, PushBlob, PushOptions, PutManifest,
    referrers_tag,
};
use super::super::session::{Input, Session};
use super::super::walk::Successors;
use super::pull::plan_files;
use super::{document_type, referrer_descriptor};
use crate::reference::check_tag_text;
use crate::{Descriptor, Digest, Error, MediaType, Reference};

/// Options of a [`Push`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushArtifactOptions {
    /// More tags to put the manifest under, besides the reference's own.
    pub tags: Vec<String>,
    /// Try a cross-repository mount of each missing blob from this repository of the same
    /// registry first.
    pub mount_from: Option<String>,
    /// Upload blobs in chunks of this many bytes; `None`: one PUT each.
    pub chunk_size: Option<u64>,
    /// Plan only: `Done` at the first poll with the plan, no request sent.
    pub dry_run: bool,
}

/// What happened to a blob of a push or a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobStatus {
    /// Uploaded (or copied) to the repository.
    Uploaded,
    /// The repository had it.
    Existed,
    /// Mounted from another repository of the registry.
    Mounted,
    /// A dry run: it would be checked, and uploaded when missing.
    Planned,
}

impl BlobStatus {
    /// `"uploaded"`, `"existed"`, `"mounted"` or `"planned"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Uploaded => "uploaded",
            Self::Existed => "existed",
            Self::Mounted => "mounted",
            Self::Planned => "planned",
        }
    }
}

/// A blob and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobOutcome {
    /// The blob.
    pub descriptor: Descriptor,
    /// What happened to it.
    pub status: BlobStatus,
}

/// What a [`Push`] did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    /// The manifest's descriptor (with its `artifactType` and annotations, as a referrers
    /// listing shows it).
    pub descriptor: Descriptor,
    /// The tags it was put under (empty: by digest only).
    pub tags: Vec<String>,
    /// Each distinct blob, in the manifest's order.
    pub blobs: Vec<BlobOutcome>,
    /// The subject's referrers tag (`<alg>-<hex>`) when the push kept it current, and the
    /// digest of the index written there (`None` when it listed the manifest already).
    pub referrers_tag: Option<(String, Option<Digest>)>,
    /// A dry run: the requests it would make, in order (empty otherwise).
    pub planned: Vec<PlannedRequest>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    Blobs,
    Manifest,
    Tags,
    Probe,
    Referrers,
    Over,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Blob(usize),
    Manifest,
    Tag,
    Probe,
    Referrers,
}

/// Push a manifest (or an index) and its blobs. See the [module docs](self).
///
/// The blobs are the manifest's config and layers (an index's manifests must be in the
/// repository already); each distinct digest is checked once (HEAD) and uploaded when missing,
/// all independently. The host streams each blob's bytes from its source when a request names
/// the blob. The manifest is PUT under the first tag (or its digest), then under the others.
/// When it has a `subject` and the registry did not say it indexed it (`OCI-Subject`), the
/// referrers API is probed once per session ([`ProbeReferrers`]: Quay serves it without the
/// header); unless the probe proved it, the subject's referrers tag gets the manifest added
/// ([`AddReferrer`]), for a manifest and an index alike.
///
/// The session's profile ([`Session::with_profile`]) adapts the uploads: chunks within the
/// registry's limits, or one PUT where chunked uploads are broken ([`Session::chunk_size`]).
#[derive(Debug, Clone)]
pub struct Push {
    runner: Runner<Purpose>,
    stages: PushStages,
}

#[derive(Debug, Clone)]
struct PushStages {
    reference: Reference,
    media_type: MediaType,
    manifest: Vec<u8>,
    options: PushArtifactOptions,
    tags: Vec<String>,
    subject: Option<Descriptor>,
    descriptor: Descriptor,
    blobs: Vec<BlobOutcome>,
    stage: Stage,
    subject_processed: bool,
    digest: Option<Digest>,
    referrers_tag: Option<(String, Option<Digest>)>,
}

impl Push {
    /// Pushes `manifest` (exact bytes, of `media_type`) to `reference`'s repository, under its
    /// tag and `options.tags`.
    ///
    /// # Errors
    /// Before any request: `ANNOTATION_INVALID` / `PATH_UNSAFE`-free title rules of the pull
    /// plan ([`plan_files`]: a title pull would refuse, two layers with one title),
    /// `REFERENCE_INVALID` for a bad tag, `SIZE_INVALID` for a manifest over 4 MiB, the
    /// document errors of bytes that are not a manifest or index.
    pub fn new(
        reference: &Reference,
        media_type: &str,
        manifest: Vec<u8>,
        options: PushArtifactOptions,
    ) -> Result<Self, Error> {
        Self::build(reference, media_type, manifest, options, true)
    }

    /// Only the manifest, as it is (as `oras manifest push`): no blob is checked or uploaded
    /// (the caller knows the repository has them, as a client's `push_manifest` does) and the
    /// pull plan's title rule is not applied (a document is uploaded as it is, whatever its
    /// titles); the PUT under each tag and the referrers-tag upkeep of a subject stay.
    ///
    /// # Errors
    /// `REFERENCE_INVALID` for a bad tag, `SIZE_INVALID` for a manifest over 4 MiB, the
    /// document errors of bytes that are not a manifest or index.
    pub fn manifest(
        reference: &Reference,
        media_type: &str,
        manifest: Vec<u8>,
        options: PushArtifactOptions,
    ) -> Result<Self, Error> {
        let mut push = Self::build(reference, media_type, manifest, options, false)?;
        push.stages.blobs.clear();
        Ok(push)
    }

    fn build(
        reference: &Reference,
        media_type: &str,
        manifest: Vec<u8>,
        options: PushArtifactOptions,
        titles: bool,
    ) -> Result<Self, Error> {
        if manifest.len() as u64 > MANIFEST_SIZE_MAX {
            return Err(Error::SizeInvalid {
                value: format!(
                    "{} bytes: the manifest is over the {MANIFEST_SIZE_MAX} byte limit",
                    manifest.len()
                ),
            });
        }
        let successors = Successors::read(media_type, &manifest)?;
        let media_type = document_type(media_type, &successors);
        let mut blobs: Vec<BlobOutcome> = Vec::new();
        if !successors.is_index {
            // Push refuses what pull would refuse: the same rule, with `.git` left to pull.
            if titles {
                plan_files(&successors.children[1..], true)?;
            }
            let mut seen = HashSet::new();
            for child in &successors.children {
                if seen.insert(child.digest.clone()) {
                    blobs.push(BlobOutcome {
                        descriptor: child.clone(),
                        status: BlobStatus::Planned,
                    });
                }
            }
        }
        let mut tags: Vec<String> = Vec::new();
        for tag in reference
            .tag()
            .into_iter()
            .chain(options.tags.iter().map(String::as_str))
        {
            check_tag_text(tag)?;
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        let descriptor = match &successors.subject {
            Some(_) => referrer_descriptor(media_type.as_str(), &manifest)?,
            None => {
                let mut d = Descriptor::for_content(media_type.clone(), &manifest);
                if let Ok(with_type) = referrer_descriptor(media_type.as_str(), &manifest) {
                    d.artifact_type = with_type.artifact_type;
                    d.annotations = with_type.annotations;
                }
                d
            }
        };
        Ok(Self {
            runner: Runner::new(reference.registry()),
            stages: PushStages {
                reference: reference.clone(),
                media_type,
                manifest,
                options,
                tags,
                subject: successors.subject,
                descriptor,
                blobs,
                stage: Stage::Start,
                subject_processed: false,
                digest: None,
                referrers_tag: None,
            },
        })
    }
}

impl Operation for Push {
    type Output = PushOutcome;

    fn poll(&mut self, sessions: &mut Sessions, now_ms: u64) -> Result<Action<PushOutcome>, Error> {
        self.runner.poll(&mut self.stages, sessions, now_ms)
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.runner.provide(task, input)
    }
}

impl PushStages {
    fn target(&self, tag: Option<&str>) -> Reference {
        match tag {
            Some(tag) => self.reference.with_target(Some(tag), None),
            None => self.reference.with_target(None, None),
        }
    }

    fn put(&self, session: &Session, tag: Option<&str>) -> Single {
        Single::PutManifest(PutManifest::new(
            session,
            &self.target(tag),
            &self.media_type,
            self.manifest.clone(),
        ))
    }

    /// The requests a push would make, for a dry run.
    fn plan(&self, session: &Session) -> Vec<PlannedRequest> {
        let repository = self.reference.repository();
        let mut planned = Vec::new();
        let mut add = |method, path: String, note: &str| {
            planned.push(PlannedRequest {
                method,
                url: session.url(&path),
                note: note.to_owned(),
            });
        };
        for blob in &self.blobs {
            let digest = &blob.descriptor.digest;
            add(
                Method::Head,
                format!("/v2/{repository}/blobs/{digest}"),
                "whether the repository has the blob",
            );
            let upload = format!("/v2/{repository}/blobs/uploads/");
            match &self.options.mount_from {
                Some(from) => add(
                    Method::Post,
                    format!("{upload}?mount={digest}&from={from}"),
                    "if missing: mount it, else upload it",
                ),
                None => add(Method::Post, upload, "if missing: start an upload"),
            }
            add(
                Method::Put,
                format!("/v2/{repository}/blobs/uploads/…?digest={digest}"),
                &format!("if missing: send its {} bytes", blob.descriptor.size),
            );
        }
        let digest = &self.descriptor.digest;
        let targets: Vec<String> = match self.tags.is_empty() {
            true => vec![digest.to_string()],
            false => self.tags.clone(),
        };
        for target in targets {
            add(
                Method::Put,
                format!("/v2/{repository}/manifests/{target}"),
                &format!("the manifest ({} bytes)", self.manifest.len()),
            );
        }
        if let Some(subject) = &self.subject {
            if session.referrers_api() != Some(true) {
                let tag = referrers_tag(&subject.digest);
                if session.referrers_probe_due() {
                    add(
                        Method::Get,
                        format!("/v2/{repository}/referrers/{}", subject.digest),
                        "if the PUT has no OCI-Subject: probe the referrers API (a 200 with an index proves it, and no tag is written)",
                    );
                }
                add(
                    Method::Get,
                    format!("/v2/{repository}/manifests/{tag}"),
                    "if the registry does not index the subject: read its referrers tag",
                );
                add(
                    Method::Put,
                    format!("/v2/{repository}/manifests/{tag}"),
                    "and write it back with this manifest added",
                );
            }
        }
        planned
    }
}

impl Stages for PushStages {
    type Purpose = Purpose;
    type Output = PushOutcome;

    fn done(
        &mut self,
        _: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        output: Output,
        mounted: bool,
    ) -> Result<(), Error> {
        match (purpose, output) {
            (Purpose::Blob(at), Output::Pushed(sent)) => {
                self.blobs[at].status = match (sent, mounted) {
                    (false, _) => BlobStatus::Existed,
                    (true, true) => BlobStatus::Mounted,
                    (true, false) => BlobStatus::Uploaded,
                };
            }
            (
                Purpose::Manifest,
                Output::Put {
                    digest,
                    subject_processed,
                },
            ) => {
                self.subject_processed = subject_processed;
                self.digest = Some(digest);
            }
            (Purpose::Referrers, Output::ReferrersIndex(index)) => {
                if let Some(subject) = &self.subject {
                    self.referrers_tag = Some((referrers_tag(&subject.digest), index));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A probe that failed (a cut connection, a refused token) proved nothing: the referrers
    /// tag is kept, as without the probe.
    fn failed(
        &mut self,
        ctx: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        error: Error,
    ) -> Result<(), Error> {
        match purpose {
            Purpose::Probe => {
                ctx.sessions
                    .session_mut(self.reference.registry())?
                    .set_referrers_probed();
                Ok(())
            }
            _ => Err(error),
        }
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<Option<PushOutcome>, Error> {
        let registry = self.reference.registry().to_owned();
        loop {
            let session = ctx.session(&registry)?;
            match self.stage {
                Stage::Start => {
                    if self.options.dry_run {
                        self.stage = Stage::Over;
                        return Ok(Some(PushOutcome {
                            descriptor: self.descriptor.clone(),
                            tags: self.tags.clone(),
                            blobs: self.blobs.clone(),
                            referrers_tag: None,
                            planned: self.plan(session),
                        }));
                    }
                    self.stage = Stage::Blobs;
                    let options = PushOptions {
                        mount_from: self.options.mount_from.clone(),
                        chunk_size: session.chunk_size(self.options.chunk_size),
                    };
                    let starts: Vec<Single> = self
                        .blobs
                        .iter()
                        .map(|blob| {
                            Single::PushBlob(PushBlob::with_options(
                                session,
                                &self.reference,
                                &blob.descriptor,
                                options.clone(),
                            ))
                        })
                        .collect();
                    let blobs: Vec<Descriptor> =
                        self.blobs.iter().map(|b| b.descriptor.clone()).collect();
                    for (at, (single, blob)) in starts.into_iter().zip(blobs).enumerate() {
                        ctx.start(&registry, single, Purpose::Blob(at), Some(blob));
                    }
                    if !self.blobs.is_empty() {
                        return Ok(None);
                    }
                }
                Stage::Blobs => {
                    self.stage = Stage::Manifest;
                    let put = self.put(session, self.tags.first().map(String::as_str));
                    ctx.start(&registry, put, Purpose::Manifest, None);
                    return Ok(None);
                }
                Stage::Manifest => {
                    self.stage = Stage::Tags;
                    let puts: Vec<Single> = self
                        .tags
                        .iter()
                        .skip(1)
                        .map(|tag| self.put(session, Some(tag)))
                        .collect();
                    let any = !puts.is_empty();
                    for put in puts {
                        ctx.start(&registry, put, Purpose::Tag, None);
                    }
                    if any {
                        return Ok(None);
                    }
                }
                Stage::Tags => {
                    self.stage = Stage::Probe;
                    if let Some(subject) = &self.subject {
                        // No `OCI-Subject`: ask the referrers API before writing a fallback
                        // tag, once per session (Quay serves the API without the header).
                        if !self.subject_processed && session.referrers_probe_due() {
                            let probe =
                                ProbeReferrers::new(session, &self.reference, &subject.digest);
                            ctx.start(
                                &registry,
                                Single::ProbeReferrers(probe),
                                Purpose::Probe,
                                None,
                            );
                            return Ok(None);
                        }
                    }
                }
                Stage::Probe => {
                    self.stage = Stage::Referrers;
                    if let Some(subject) = &self.subject {
                        // The referrers tag is kept when the registry did not index the
                        // subject, or when the host said it has no referrers API (ORAS's
                        // `--distribution-spec v1.1-referrers-tag`), whatever the PUT answered.
                        let tag_schema = session.referrers_api() == Some(false);
                        if tag_schema
                            || (!self.subject_processed && session.referrers_api() != Some(true))
                        {
                            let add = AddReferrer::new(
                                session,
                                &self.reference,
                                &subject.digest,
                                &self.descriptor,
                            );
                            ctx.start(
                                &registry,
                                Single::AddReferrer(add),
                                Purpose::Referrers,
                                None,
                            );
                            return Ok(None);
                        }
                    }
                }
                Stage::Referrers => {
                    self.stage = Stage::Over;
                    if let Some(digest) = &self.digest {
                        self.descriptor.digest = digest.clone();
                    }
                    return Ok(Some(PushOutcome {
                        descriptor: self.descriptor.clone(),
                        tags: self.tags.clone(),
                        blobs: self.blobs.clone(),
                        referrers_tag: self.referrers_tag.clone(),
                        planned: Vec::new(),
                    }));
                }
                Stage::Over => return Ok(None),
            }
        }
    }
}
