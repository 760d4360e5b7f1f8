//! Push (and attach, a push with a subject): check each blob, upload the missing ones (or
//! mount them), PUT the manifest under each tag, and keep the subject's referrers tag current
//! on a registry without the referrers API.
//!
//! # Round trips a push spares
//!
//! A blob costs HEAD (does the repository have it?), POST (an upload session) and PUT (its
//! bytes). The plan drops the requests whose answer is known or not worth a round trip; no
//! check is given up — the registry still verifies each upload's digest, the PUT of the
//! manifest still fails for a blob the repository lacks, and every answer is still checked:
//!
//! 1. **Known blobs are skipped.** A blob the session saw in the repository (uploaded, mounted,
//!    answered 200 to a HEAD, downloaded and verified: [`Session::note_blob`]) gets no request
//!    at all: the CLI's early uploads of large files, then the push of the artifact, send each
//!    blob once. Should the registry have lost one meanwhile (the manifest PUT answers
//!    `MANIFEST_BLOB_UNKNOWN` or `BLOB_UNKNOWN`), the push forgets what it assumed, checks and
//!    uploads those blobs, and PUTs the manifest again, once.
//! 2. **Blobs seen elsewhere are mounted.** A blob the session saw in another repository of the
//!    registry is mounted from there (`POST ?mount=&from=`), as with
//!    [`PushArtifactOptions::mount_from`]; a registry that answers 202 instead of 201 opened an
//!    upload session, and the blob is uploaded into it, with no extra request. A registry that
//!    refuses a mount (401, 403, 404, 405) gets a plain upload session at once, and the session
//!    remembers it ([`Session::note_mount_refused`]): a mount not handed out yet when the
//!    refusal comes, and every one of later pushes, becomes a plain upload session, so the
//!    refusal costs the mounts already in flight (at most the engine's 32), not one POST per
//!    blob.
//! 3. **Small blobs skip the check in a new artifact.** The config and every blob over
//!    [`SMALL_BLOB_MAX`] are checked first, as are the first [`NEW_ARTIFACT_PROBES`] small
//!    layers; when none of those layers is in the repository (a new artifact), the other small
//!    layers are uploaded without a HEAD (POST, PUT): uploading again a small blob the
//!    repository had costs less than a round trip for each blob that it lacks. When one of them
//!    is there, every layer is checked. A small blob to mount (rule 2, or `mount_from`) is
//!    mounted without a HEAD too: a mount answers 201 whether or not the repository had it.
//! 4. **One request per upload where the registry takes it.** A blob uploaded whole (no chunk
//!    size) goes in one `POST ?digest=` with its bytes, without the PUT, once the session knows
//!    the registry takes single-request uploads ([`Session::single_post`]). The session's first
//!    upload of a small blob probes it, one at a time; a registry that refuses (distribution
//!    2.8.2) answers with an upload session, into which that blob goes on with its PUT, and the
//!    session keeps to POST and PUT from then on: no request more, one small body sent twice.
//!    [`PushBlob`] has the whole rule.
//!
//! The tasks go out as concurrently as the engine allows ([`Concurrency`]).
//!
//! [`Concurrency`]: super::super::engine::Concurrency

use std::collections::HashSet;

use super::super::engine::{
    Action, Ctx, InterruptedUpload, Operation, Output, PlannedRequest, Runner, Sessions, Single,
    Stages, TaskId,
};
use super::super::http::Method;
use super::super::operations::{
    AddReferrer, BlobExists, MANIFEST_SIZE_MAX, ProbeReferrers, PushBlob, PushOptions, PutManifest,
    referrers_tag,
};
use super::super::session::{Input, Session};
use super::super::walk::Successors;
use super::pull::plan_files;
use super::{document_type, referrer_descriptor};
use crate::reference::check_tag_text;
use crate::{Descriptor, Digest, Error, MediaType, Reference};

/// The largest blob (bytes) uploaded without a check in a new artifact, or mounted without one
/// (rule 3 of the [module docs](self)): sending it again costs about as much as the round trip
/// a HEAD costs on a network with some latency.
pub const SMALL_BLOB_MAX: u64 = 1 << 20;

/// How many small layers of a push are checked before the others are uploaded without a check
/// (rule 3 of the [module docs](self)): all absent, the artifact is new.
pub const NEW_ARTIFACT_PROBES: usize = 8;

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

/// How a blob's task starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// HEAD, then POST (or a mount) and PUT when missing.
    Checked,
    /// POST (or a mount) and PUT, without a HEAD (rules 2 and 3).
    Direct,
    /// A HEAD alone first (a probe of rule 3).
    Probe,
    /// After the probes: [`Start::Direct`] when none found its layer, else [`Start::Checked`].
    Later,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Blob(usize),
    /// A HEAD of a small layer: does the repository have it (rule 3)?
    Check(usize),
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
    /// How each blob is uploaded (mount, chunks), from the options and the session.
    upload: PushOptions,
    /// The blobs skipped as known in the repository (rule 1), checked again if the manifest
    /// PUT says one is missing.
    assumed: Vec<usize>,
    /// The small layers checked first whose answer is still to come (rule 3).
    probes: usize,
    /// Whether one of them was in the repository: every layer is checked.
    probe_found: bool,
    /// The small layers waiting for the probes' verdict.
    later: Vec<usize>,
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
                upload: PushOptions::default(),
                assumed: Vec::new(),
                probes: 0,
                probe_found: false,
                later: Vec::new(),
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

    fn interrupted_upload(&self) -> Option<&InterruptedUpload> {
        self.runner.interrupted_upload()
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

    /// How each blob goes, by the rules of the [module docs](self) and what `session` knows:
    /// `None` for a blob known in the repository (rule 1), else how its task starts, or
    /// [`Start::Later`] for a small layer that waits for the probes.
    fn decide(&self, session: &Session) -> Vec<Option<Start>> {
        let repository = self.reference.repository();
        // Once the registry refused a mount in the session, no blob is to mount (rule 2).
        let mounting = |digest: &Digest| {
            self.options
                .mount_from
                .as_deref()
                .is_some_and(|_| session.mounts_allowed())
                || session.blob_elsewhere(repository, digest).is_some()
        };
        // The config (first) is checked and does not vote: one empty config serves every
        // artifact of a repository. Probes only decide for the small layers after them: with
        // no more small layers than probes, each is checked within its upload task.
        let unchecked = |at: usize, blob: &BlobOutcome| {
            at > 0
                && blob.descriptor.size <= SMALL_BLOB_MAX
                && !session.has_blob(repository, &blob.descriptor.digest)
                && !mounting(&blob.descriptor.digest)
        };
        let small_layers = self
            .blobs
            .iter()
            .enumerate()
            .filter(|(at, b)| unchecked(*at, b))
            .count();
        let mut probes = 0;
        self.blobs
            .iter()
            .enumerate()
            .map(|(at, blob)| {
                let digest = &blob.descriptor.digest;
                if session.has_blob(repository, digest) {
                    return None;
                }
                Some(
                    if blob.descriptor.size <= SMALL_BLOB_MAX && mounting(digest) {
                        Start::Direct
                    } else if small_layers > NEW_ARTIFACT_PROBES && unchecked(at, blob) {
                        probes += 1;
                        match probes <= NEW_ARTIFACT_PROBES {
                            true => Start::Probe,
                            false => Start::Later,
                        }
                    } else {
                        Start::Checked
                    },
                )
            })
            .collect()
    }

    /// Starts the blobs' tasks ([`PushStages::decide`]); whether any started.
    fn start_blobs(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<bool, Error> {
        self.upload = PushOptions {
            mount_from: self.options.mount_from.clone(),
            chunk_size: self.options.chunk_size,
            mount_only: false,
        };
        let decided = self.decide(ctx.session(self.reference.registry())?);
        let mut any = false;
        for (at, start) in decided.into_iter().enumerate() {
            match start {
                None => {
                    self.blobs[at].status = BlobStatus::Existed;
                    self.assumed.push(at);
                }
                Some(Start::Later) => self.later.push(at),
                Some(start) => {
                    if start == Start::Probe {
                        self.probes += 1;
                    }
                    self.start_blob(ctx, at, start)?;
                    any = true;
                }
            }
        }
        Ok(any)
    }

    /// Starts the task of blob `at`.
    fn start_blob(&self, ctx: &mut Ctx<'_, Purpose>, at: usize, start: Start) -> Result<(), Error> {
        let registry = self.reference.registry();
        let session = ctx.session(registry)?;
        let descriptor = &self.blobs[at].descriptor;
        let (single, purpose) = match start {
            Start::Probe => (
                Single::BlobExists(BlobExists::new(
                    session,
                    &self.reference,
                    &descriptor.digest,
                )),
                Purpose::Check(at),
            ),
            Start::Checked | Start::Direct | Start::Later => {
                let mut options = self.upload.clone();
                if options.mount_from.is_none() {
                    options.mount_from = session
                        .blob_elsewhere(self.reference.repository(), &descriptor.digest)
                        .map(str::to_owned);
                }
                let push = PushBlob::with_options(session, &self.reference, descriptor, options);
                let push = match start {
                    Start::Direct => push.without_check(session),
                    _ => push,
                };
                (Single::PushBlob(push), Purpose::Blob(at))
            }
        };
        let blob = matches!(purpose, Purpose::Blob(_)).then(|| descriptor.clone());
        ctx.start(registry, single, purpose, blob);
        Ok(())
    }

    /// A probe of rule 3 answered: the layer is there, or it is uploaded; once every probe
    /// answered, the small layers waiting start, checked or not.
    fn probed(&mut self, ctx: &mut Ctx<'_, Purpose>, at: usize, found: bool) -> Result<(), Error> {
        self.probes -= 1;
        if found {
            self.blobs[at].status = BlobStatus::Existed;
            self.probe_found = true;
        } else {
            self.start_blob(ctx, at, Start::Direct)?;
        }
        if self.probes == 0 {
            let start = match self.probe_found {
                true => Start::Checked,
                false => Start::Direct,
            };
            for at in std::mem::take(&mut self.later) {
                self.start_blob(ctx, at, start)?;
            }
        }
        Ok(())
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
        for (blob, start) in self.blobs.iter().zip(self.decide(session)) {
            let digest = &blob.descriptor.digest;
            let Some(start) = start else {
                continue; // rule 1: known in the repository
            };
            let from = self
                .options
                .mount_from
                .as_deref()
                .filter(|_| session.mounts_allowed())
                .or_else(|| session.blob_elsewhere(repository, digest));
            let head = match start {
                Start::Direct => None,
                Start::Checked => Some("whether the repository has the blob"),
                Start::Probe => Some(
                    "whether the repository has the blob (if none of these first layers is there, the artifact is new)",
                ),
                Start::Later => Some(
                    "only if one of the first layers checked was there: whether the repository has the blob",
                ),
            };
            let missing = if head.is_some() { "if missing: " } else { "" };
            if let Some(note) = head {
                add(
                    Method::Head,
                    format!("/v2/{repository}/blobs/{digest}"),
                    note,
                );
            }
            let upload = format!("/v2/{repository}/blobs/uploads/");
            // Rule 4: in one request where the registry takes it (not a mount, not chunks).
            let single = session.single_post() == Some(true)
                && session.chunk_size(self.options.chunk_size).is_none();
            if from.is_none() && single {
                add(
                    Method::Post,
                    format!("{upload}?digest={digest}"),
                    &format!(
                        "{missing}send its {} bytes in one request",
                        blob.descriptor.size
                    ),
                );
                continue;
            }
            match from {
                Some(from) => add(
                    Method::Post,
                    format!("{upload}?mount={digest}&from={from}"),
                    &format!("{missing}mount it (201), else upload it (202)"),
                ),
                None => add(Method::Post, upload, &format!("{missing}start an upload")),
            }
            add(
                Method::Put,
                format!("/v2/{repository}/blobs/uploads/…?digest={digest}"),
                &format!("{missing}send its {} bytes", blob.descriptor.size),
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
        ctx: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        output: Output,
        mounted: bool,
    ) -> Result<(), Error> {
        match (purpose, output) {
            (Purpose::Check(at), Output::Exists(found)) => {
                self.probed(ctx, at, found.is_some())?;
            }
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
            // Rule 1's way back: a blob the session took for present is not; check and upload
            // what it assumed, then PUT the manifest again (once).
            Purpose::Manifest if !self.assumed.is_empty() && blob_unknown(&error) => {
                let session = ctx.sessions.session_mut(self.reference.registry())?;
                let assumed = std::mem::take(&mut self.assumed);
                for &at in &assumed {
                    session.forget_blob(
                        self.reference.repository(),
                        &self.blobs[at].descriptor.digest,
                    );
                }
                for at in assumed {
                    self.blobs[at].status = BlobStatus::Planned;
                    self.start_blob(ctx, at, Start::Checked)?;
                }
                self.stage = Stage::Blobs;
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
                    if self.start_blobs(ctx)? {
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

/// Whether a manifest PUT failed for a blob the repository lacks.
fn blob_unknown(error: &Error) -> bool {
    matches!(error, Error::Registry { errors, .. }
        if errors.iter().any(|e| matches!(e.code.as_str(), "MANIFEST_BLOB_UNKNOWN" | "BLOB_UNKNOWN")))
}
