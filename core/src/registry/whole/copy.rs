//! Copy registry → registry: walk the source's graph ([`GraphWalk`]: each digest once,
//! bounded; with referrers if asked), copy each blob the destination lacks (mounted within one
//! registry, else downloaded to the host's spool and uploaded from it), then write the
//! manifests children first, each referrer after its subject with the referrers-tag upkeep.
//!
//! A manifest of the first wave (one that references blobs only) is written as soon as its own
//! blobs are in, while the others' blobs still move: a collection's artifacts go up one by one
//! as they are complete, and only the last one waits for the last blob.

use std::collections::{HashMap, HashSet, VecDeque};

use super::super::engine::{
    Action, Ctx, InterruptedUpload, Operation, Output, PlannedRequest, Runner, Sessions, Single,
    Stages, TaskId,
};
use super::super::http::Method;
use super::super::operations::{
    AddReferrer, BlobExists, GetManifest, ListReferrers, ProbeReferrers, PushBlob, PushOptions,
    PutManifest, referrers_tag,
};
use super::super::session::{Input, Session};
use super::super::walk::{
    GraphWalk, GraphWalkOptions, PlannedDocument, Successors, WalkLimits, WalkStep,
};
use super::push::{BlobOutcome, BlobStatus};
use super::{document_type, referrer_descriptor};
use crate::reference::check_tag_text;
use crate::{Descriptor, Digest, Error, Reference};

/// Options of a [`CopyArtifact`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyOptions {
    /// Also copy what refers to each manifest and index copied, recursively.
    pub referrers: bool,
    /// The walk's bounds (depth, nodes, bytes held).
    pub limits: WalkLimits,
    /// More tags for the root at the destination.
    pub tags: Vec<String>,
    /// Upload blobs in chunks of this many bytes; `None`: one PUT each.
    pub chunk_size: Option<u64>,
    /// Plan only: read the source, then `Done` with the plan; nothing is written.
    pub dry_run: bool,
}

/// What a [`CopyArtifact`] did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOutcome {
    /// The root as copied (media type, digest, size).
    pub descriptor: Descriptor,
    /// The tags it was put under at the destination (empty: by digest).
    pub tags: Vec<String>,
    /// Each blob, once, in the order the walk reached it.
    pub blobs: Vec<BlobOutcome>,
    /// The manifests and indexes, in the order written (children first, referrers after
    /// their subject).
    pub manifests: Vec<Descriptor>,
    /// The referrers tags kept current at the destination, with the index written (`None`:
    /// it listed the referrer already).
    pub referrers_tags: Vec<(String, Option<Digest>)>,
    /// A dry run: the requests it would make at the destination (empty otherwise).
    pub planned: Vec<PlannedRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Root,
    Fetch(Digest),
    Referrers(Digest),
    Exists(usize),
    Download(usize),
    Upload(usize),
    /// The PUT of document `.1` of wave `.0`.
    Put(usize, usize),
    Tag,
    AddReferrer,
    Probe,
}

/// A document of the first wave: written with its wave, or as soon as its blobs are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Early {
    /// With its wave (not a manifest of blobs the copy moves).
    No,
    /// When this many more of its blobs are in.
    Waiting(usize),
    /// Its PUT started.
    Started,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    Walk,
    Blobs,
    /// Writing wave `n`.
    Wave(usize),
    /// Extra tags of the root.
    Tags,
    Over,
}

/// Copy what `source` names, and everything it references, to `destination`. See the
/// [module docs](self).
#[derive(Debug)]
pub struct CopyArtifact {
    runner: Runner<Purpose>,
    stages: CopyStages,
}

#[derive(Debug)]
struct CopyStages {
    source: Reference,
    destination: Reference,
    options: CopyOptions,
    tags: Vec<String>,
    stage: Stage,
    root: Option<Descriptor>,
    walk: Option<GraphWalk>,
    waves: Vec<Vec<PlannedDocument>>,
    blobs: Vec<BlobOutcome>,
    written: Vec<Descriptor>,
    /// Referrers to add to their subject's tag, one at a time.
    adds: VecDeque<(Digest, Descriptor)>,
    /// For each document of the first wave, whether it is written as soon as its blobs are in.
    waiting: Vec<Early>,
    /// For each blob, the documents of the first wave that reference it.
    users: Vec<Vec<usize>>,
    referrers_tags: Vec<(String, Option<Digest>)>,
}

impl CopyArtifact {
    /// Copies `source` to `destination` (tagged with its tag, else the source's tag, else by
    /// digest; and `options.tags`).
    ///
    /// # Errors
    /// `REFERENCE_INVALID` for a bad tag.
    pub fn new(
        source: &Reference,
        destination: &Reference,
        options: CopyOptions,
    ) -> Result<Self, Error> {
        let mut tags: Vec<String> = Vec::new();
        let first = destination.tag().or(if destination.digest().is_some() {
            None
        } else {
            source.tag()
        });
        for tag in first
            .into_iter()
            .chain(options.tags.iter().map(String::as_str))
        {
            check_tag_text(tag)?;
            if !tags.iter().any(|t| t == tag) {
                tags.push(tag.to_owned());
            }
        }
        Ok(Self {
            runner: Runner::new(source.registry()),
            stages: CopyStages {
                source: source.clone(),
                destination: destination.with_target(None, None),
                options,
                tags,
                stage: Stage::Start,
                root: None,
                walk: None,
                waves: Vec::new(),
                blobs: Vec::new(),
                written: Vec::new(),
                adds: VecDeque::new(),
                waiting: Vec::new(),
                users: Vec::new(),
                referrers_tags: Vec::new(),
            },
        })
    }
}

impl Operation for CopyArtifact {
    type Output = CopyOutcome;

    fn poll(&mut self, sessions: &mut Sessions, now_ms: u64) -> Result<Action<CopyOutcome>, Error> {
        self.runner.poll(&mut self.stages, sessions, now_ms)
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.runner.provide(task, input)
    }

    fn interrupted_upload(&self) -> Option<&InterruptedUpload> {
        self.runner.interrupted_upload()
    }
}

impl CopyStages {
    fn same_registry(&self) -> bool {
        self.source.registry() == self.destination.registry()
    }

    /// How blobs are uploaded to the destination: mounted within one registry, in chunks of
    /// the asked size adapted to the destination's profile ([`Session::chunk_size`]).
    /// How a blob goes up: within one registry, only mounted from the source repository (the
    /// bytes are not at hand: a mount not taken ends the push, and the blob is downloaded, then
    /// pushed with `mount` false); between registries, uploaded from what was downloaded.
    fn push_options(&self, destination: &Session, mount: bool) -> PushOptions {
        let mount = mount && self.same_registry();
        PushOptions {
            mount_from: (mount && self.source.repository() != self.destination.repository())
                .then(|| self.source.repository().to_owned()),
            chunk_size: destination.chunk_size(self.options.chunk_size),
            mount_only: mount,
        }
    }

    /// Starts the walk's next steps.
    fn walk_on(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<(), Error> {
        let Some(walk) = self.walk.as_mut() else {
            return Ok(());
        };
        let registry = self.source.registry();
        for step in walk.next_batch()? {
            match step {
                WalkStep::Fetch(d) => {
                    let at = self.source.with_target(None, Some(d.digest.clone()));
                    let get = GetManifest::new(ctx.session(registry)?, &at);
                    ctx.start(
                        registry,
                        Single::GetManifest(get),
                        Purpose::Fetch(d.digest),
                        None,
                    );
                }
                WalkStep::Referrers(d) => {
                    let list =
                        ListReferrers::new(ctx.session(registry)?, &self.source, &d.digest, None);
                    ctx.start(
                        registry,
                        Single::ListReferrers(list),
                        Purpose::Referrers(d.digest),
                        None,
                    );
                }
            }
        }
        Ok(())
    }

    fn is_root(&self, digest: &Digest) -> bool {
        self.root.as_ref().is_some_and(|r| &r.digest == digest)
    }

    /// Starts the PUTs of wave `wave` not started yet; whether there is such a wave.
    fn start_wave(&mut self, ctx: &mut Ctx<'_, Purpose>, wave: usize) -> Result<bool, Error> {
        let Some(documents) = self.waves.get(wave) else {
            return Ok(false);
        };
        for at in 0..documents.len() {
            let early = wave == 0 && self.waiting.get(at) == Some(&Early::Started);
            if !early {
                self.start_put(ctx, wave, at)?;
            }
        }
        Ok(true)
    }

    /// Starts the PUT of document `at` of wave `wave`.
    fn start_put(&self, ctx: &mut Ctx<'_, Purpose>, wave: usize, at: usize) -> Result<(), Error> {
        let registry = self.destination.registry();
        let document = &self.waves[wave][at];
        let digest = &document.descriptor.digest;
        let target = match self.tags.first() {
            Some(tag) if self.is_root(digest) => self.destination.with_target(Some(tag), None),
            _ => self.destination.with_target(None, Some(digest.clone())),
        };
        let put = PutManifest::new(
            ctx.session(registry)?,
            &target,
            &document.descriptor.media_type,
            document.bytes.clone(),
        );
        ctx.start(
            registry,
            Single::PutManifest(put),
            Purpose::Put(wave, at),
            None,
        );
        Ok(())
    }

    /// Which documents of the first wave wait for which blobs (documents that are not a
    /// manifest of blobs wait for the wave).
    fn plan_early_puts(&mut self) {
        let first = self.waves.first().map_or(0, Vec::len);
        let mut users = vec![Vec::new(); self.blobs.len()];
        let mut waiting = vec![Early::No; first];
        // Each blob's place by digest, looked up once per child: a scan of the blob list per
        // child made a hostile walk (hundreds of manifests listing the same thousands of
        // layers) quadratic, minutes of CPU before any deadline is looked at.
        let place: HashMap<&Digest, usize> = self
            .blobs
            .iter()
            .enumerate()
            .map(|(at, b)| (&b.descriptor.digest, at))
            .collect();
        for (at, document) in self.waves.first().into_iter().flatten().enumerate() {
            let Ok(successors) =
                Successors::read(document.descriptor.media_type.as_str(), &document.bytes)
            else {
                continue;
            };
            if successors.is_index {
                continue;
            }
            let mut blobs: Vec<usize> = Vec::new();
            let mut seen = HashSet::new();
            for child in &successors.children {
                match place.get(&child.digest) {
                    Some(&blob) => {
                        if seen.insert(blob) {
                            blobs.push(blob);
                        }
                    }
                    None => {
                        blobs.clear();
                        break; // a child the plan does not copy: wait for the wave
                    }
                }
            }
            if blobs.is_empty() {
                continue;
            }
            waiting[at] = Early::Waiting(blobs.len());
            for blob in blobs {
                users[blob].push(at);
            }
        }
        self.users = users;
        self.waiting = waiting;
    }

    /// Blob `blob` is in the destination: the documents of the first wave whose blobs are all
    /// in are written now.
    fn blob_in(&mut self, ctx: &mut Ctx<'_, Purpose>, blob: usize) -> Result<(), Error> {
        let users = self.users.get(blob).cloned().unwrap_or_default();
        for at in users {
            if let Some(Early::Waiting(left)) = self.waiting.get_mut(at) {
                *left -= 1;
                if *left == 0 {
                    self.waiting[at] = Early::Started;
                    self.start_put(ctx, 0, at)?;
                }
            }
        }
        Ok(())
    }

    fn planned(&self, ctx: &Ctx<'_, Purpose>) -> Result<Vec<PlannedRequest>, Error> {
        let session = ctx.session(self.destination.registry())?;
        let repository = self.destination.repository();
        let mut planned = Vec::new();
        for blob in &self.blobs {
            let digest = &blob.descriptor.digest;
            planned.push(PlannedRequest {
                method: Method::Head,
                url: session.url(&format!("/v2/{repository}/blobs/{digest}")),
                note: "whether the destination has the blob".into(),
            });
            planned.push(PlannedRequest {
                method: Method::Put,
                url: session.url(&format!("/v2/{repository}/blobs/uploads/…?digest={digest}")),
                note: match self.same_registry() {
                    true => format!(
                        "if missing: mount it from {}, else upload it",
                        self.source.repository()
                    ),
                    false => format!(
                        "if missing: download its {} bytes and upload them",
                        blob.descriptor.size
                    ),
                },
            });
        }
        for document in self.waves.iter().flatten() {
            let digest = &document.descriptor.digest;
            let target = match self.tags.first() {
                Some(tag) if self.is_root(digest) => tag.clone(),
                _ => digest.to_string(),
            };
            planned.push(PlannedRequest {
                method: Method::Put,
                url: session.url(&format!("/v2/{repository}/manifests/{target}")),
                note: format!(
                    "{} ({} bytes)",
                    document.descriptor.media_type,
                    document.bytes.len()
                ),
            });
            if let Some(subject) = &document.subject {
                if session.referrers_api() != Some(true) {
                    planned.push(PlannedRequest {
                        method: Method::Put,
                        url: session.url(&format!(
                            "/v2/{repository}/manifests/{}",
                            referrers_tag(&subject.digest)
                        )),
                        note: "if the registry does not index the subject: its referrers tag with this manifest added".into(),
                    });
                }
            }
        }
        for tag in self.tags.iter().skip(1) {
            planned.push(PlannedRequest {
                method: Method::Put,
                url: session.url(&format!("/v2/{repository}/manifests/{tag}")),
                note: "the root under another tag".into(),
            });
        }
        Ok(planned)
    }

    fn outcome(&self, planned: Vec<PlannedRequest>) -> Result<CopyOutcome, Error> {
        Ok(CopyOutcome {
            descriptor: self
                .root
                .clone()
                .ok_or_else(|| super::super::engine::misuse("copy without its root"))?,
            tags: self.tags.clone(),
            blobs: self.blobs.clone(),
            manifests: match planned.is_empty() {
                true => self.written.clone(),
                false => self
                    .waves
                    .iter()
                    .flatten()
                    .map(|d| d.descriptor.clone())
                    .collect(),
            },
            referrers_tags: self.referrers_tags.clone(),
            planned,
        })
    }
}

impl Stages for CopyStages {
    type Purpose = Purpose;
    type Output = CopyOutcome;

    /// A probe of the referrers API that failed proved nothing: the referrers tags are kept.
    fn failed(
        &mut self,
        ctx: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        error: Error,
    ) -> Result<(), Error> {
        match purpose {
            Purpose::Probe => {
                ctx.sessions
                    .session_mut(self.destination.registry())?
                    .set_referrers_probed();
                Ok(())
            }
            _ => Err(error),
        }
    }

    fn done(
        &mut self,
        ctx: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        output: Output,
        mounted: bool,
    ) -> Result<(), Error> {
        let destination = self.destination.registry().to_owned();
        match (purpose, output) {
            (Purpose::Root, Output::Manifest(fetched)) => {
                let successors =
                    super::super::walk::Successors::read(&fetched.media_type, &fetched.bytes)?;
                let root = Descriptor::new(
                    document_type(&fetched.media_type, &successors),
                    fetched.digest.clone(),
                    fetched.bytes.len() as u64,
                );
                self.root = Some(root.clone());
                let mut walk = GraphWalk::new(
                    vec![root],
                    GraphWalkOptions {
                        referrers: self.options.referrers,
                        limits: self.options.limits,
                    },
                );
                // The root's bytes are here already: its fetch is answered at once.
                for step in walk.next_batch()? {
                    if let WalkStep::Fetch(d) = step {
                        walk.provide_document(&d.digest, fetched.bytes.clone())?;
                    }
                }
                self.walk = Some(walk);
                self.walk_on(ctx)?;
            }
            (Purpose::Fetch(digest), Output::Manifest(fetched)) => {
                if let Some(walk) = self.walk.as_mut() {
                    walk.provide_document(&digest, fetched.bytes)?;
                }
                self.walk_on(ctx)?;
            }
            (Purpose::Referrers(digest), Output::Referrers(found)) => {
                if let Some(walk) = self.walk.as_mut() {
                    walk.provide_referrers(&digest, found)?;
                }
                self.walk_on(ctx)?;
            }
            (Purpose::Exists(at), Output::Exists(size)) => match size {
                Some(_) => {
                    self.blobs[at].status = BlobStatus::Existed;
                    self.blob_in(ctx, at)?;
                }
                None => {
                    let descriptor = self.blobs[at].descriptor.clone();
                    ctx.download(&self.source, &descriptor, Purpose::Download(at))?;
                }
            },
            (Purpose::Download(at), Output::Fetched) => {
                let descriptor = self.blobs[at].descriptor.clone();
                let push = PushBlob::with_options(
                    ctx.session(&destination)?,
                    &self.destination,
                    &descriptor,
                    self.push_options(ctx.session(&destination)?, false),
                )
                .without_check(ctx.session(&destination)?);
                ctx.start(
                    &destination,
                    Single::PushBlob(push),
                    Purpose::Upload(at),
                    Some(descriptor),
                );
            }
            (Purpose::Upload(at), Output::MountDeclined) => {
                // Within one registry, the mount was not taken: the bytes come from the source
                // repository, then go up (Purpose::Download).
                let descriptor = self.blobs[at].descriptor.clone();
                ctx.download(&self.source, &descriptor, Purpose::Download(at))?;
            }
            (Purpose::Upload(at), Output::Pushed(sent)) => {
                self.blobs[at].status = match (sent, mounted) {
                    (false, _) => BlobStatus::Existed,
                    (true, true) => BlobStatus::Mounted,
                    (true, false) => BlobStatus::Uploaded,
                };
                self.blob_in(ctx, at)?;
            }
            (
                Purpose::Put(wave, at),
                Output::Put {
                    subject_processed, ..
                },
            ) => {
                let document = &self.waves[wave][at];
                self.written.push(document.descriptor.clone());
                if let Some(subject) = &document.subject {
                    let known = ctx.session(&destination)?.referrers_api() == Some(true);
                    if !subject_processed && !known {
                        let referrer = referrer_descriptor(
                            document.descriptor.media_type.as_str(),
                            &document.bytes,
                        )?;
                        self.adds.push_back((subject.digest.clone(), referrer));
                    }
                }
            }
            (Purpose::AddReferrer, Output::ReferrersIndex(index)) => {
                if let Some(tag) = self.referrers_tags.last_mut() {
                    tag.1 = index;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<Option<CopyOutcome>, Error> {
        let destination = self.destination.registry().to_owned();
        loop {
            match self.stage {
                Stage::Start => {
                    self.stage = Stage::Walk;
                    let get = GetManifest::new(ctx.session(self.source.registry())?, &self.source);
                    ctx.start(
                        self.source.registry(),
                        Single::GetManifest(get),
                        Purpose::Root,
                        None,
                    );
                    return Ok(None);
                }
                Stage::Walk => {
                    let plan = match self.walk.as_mut() {
                        Some(walk) => walk.finish()?,
                        None => return Err(super::super::engine::misuse("copy without its walk")),
                    };
                    self.walk = None;
                    self.blobs = plan
                        .blobs
                        .into_iter()
                        .map(|descriptor| BlobOutcome {
                            descriptor,
                            status: BlobStatus::Planned,
                        })
                        .collect();
                    self.waves = plan.manifests;
                    if self.options.dry_run {
                        self.stage = Stage::Over;
                        let planned = self.planned(ctx)?;
                        return Ok(Some(self.outcome(planned)?));
                    }
                    self.stage = Stage::Blobs;
                    self.plan_early_puts();
                    let session = ctx.session(&destination)?;
                    let mut starts = Vec::new();
                    for (at, blob) in self.blobs.iter().enumerate() {
                        let single = match self.same_registry() {
                            true => Single::PushBlob(PushBlob::with_options(
                                session,
                                &self.destination,
                                &blob.descriptor,
                                self.push_options(session, true),
                            )),
                            false => Single::BlobExists(BlobExists::new(
                                session,
                                &self.destination,
                                &blob.descriptor.digest,
                            )),
                        };
                        let purpose = match self.same_registry() {
                            true => Purpose::Upload(at),
                            false => Purpose::Exists(at),
                        };
                        starts.push((single, purpose, blob.descriptor.clone()));
                    }
                    let any = !starts.is_empty();
                    for (single, purpose, blob) in starts {
                        ctx.start(&destination, single, purpose, Some(blob));
                    }
                    if any {
                        return Ok(None);
                    }
                }
                Stage::Blobs => {
                    self.stage = Stage::Wave(0);
                    if !self.start_wave(ctx, 0)? {
                        self.stage = Stage::Tags;
                    } else if !ctx.idle() {
                        return Ok(None);
                    }
                    // Every document of the first wave was written early: on to its referrers
                    // tags and the next wave.
                }
                Stage::Wave(wave) => {
                    // The referrers tags of this wave's referrers, one at a time (two
                    // referrers of one subject write the same tag).
                    // No `OCI-Subject` on a referrer's PUT: the referrers API is probed once
                    // per session before a fallback tag is written (Quay serves the API without
                    // the header); once proved, no tag is written.
                    if let Some((subject, _)) = self.adds.front() {
                        let session = ctx.session(&destination)?;
                        if session.referrers_probe_due() {
                            let probe = ProbeReferrers::new(session, &self.destination, subject);
                            ctx.start(
                                &destination,
                                Single::ProbeReferrers(probe),
                                Purpose::Probe,
                                None,
                            );
                            return Ok(None);
                        }
                        if session.referrers_api() == Some(true) {
                            self.adds.clear();
                        }
                    }
                    if let Some((subject, referrer)) = self.adds.pop_front() {
                        let session = ctx.session(&destination)?;
                        let add = AddReferrer::new(session, &self.destination, &subject, &referrer);
                        self.referrers_tags.push((referrers_tag(&subject), None));
                        ctx.start(
                            &destination,
                            Single::AddReferrer(add),
                            Purpose::AddReferrer,
                            None,
                        );
                        return Ok(None);
                    }
                    self.stage = Stage::Wave(wave + 1);
                    if self.start_wave(ctx, wave + 1)? {
                        return Ok(None);
                    }
                    self.stage = Stage::Tags;
                }
                Stage::Tags => {
                    self.stage = Stage::Over;
                    let Some(root) = self
                        .waves
                        .iter()
                        .flatten()
                        .find(|d| self.is_root(&d.descriptor.digest))
                    else {
                        return Err(super::super::engine::misuse("copy without its root"));
                    };
                    let session = ctx.session(&destination)?;
                    let puts: Vec<PutManifest> = self
                        .tags
                        .iter()
                        .skip(1)
                        .map(|tag| {
                            PutManifest::new(
                                session,
                                &self.destination.with_target(Some(tag), None),
                                &root.descriptor.media_type,
                                root.bytes.clone(),
                            )
                        })
                        .collect();
                    let any = !puts.is_empty();
                    for put in puts {
                        ctx.start(&destination, Single::PutManifest(put), Purpose::Tag, None);
                    }
                    if any {
                        return Ok(None);
                    }
                }
                Stage::Over => return Ok(Some(self.outcome(Vec::new())?)),
            }
        }
    }
}
