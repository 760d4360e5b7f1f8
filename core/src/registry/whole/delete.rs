//! Delete a manifest whole — by tag or digest, with the referrers-tag upkeep of a registry
//! without the referrers API — and find the tags that point at a digest.

use super::super::engine::{
    Action, Ctx, Operation, Output, Runner, Sessions, Single, Stages, TaskId,
};
use super::super::operations::{
    DeleteManifest, GetManifest, ListTags, RemoveReferrer, ResolveManifest, referrers_tag,
};
use super::super::session::Input;
use super::super::walk::Successors;
use super::document_type;
use crate::{Descriptor, Digest, Error, Reference};

/// What a [`Delete`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteOutcome {
    /// The manifest deleted (served media type, digest, size).
    pub descriptor: Descriptor,
    /// Its subject, if it had one.
    pub subject: Option<Descriptor>,
    /// The subject's referrers tag when the delete kept it current, and the digest of the
    /// index written there (`None`: it did not list the manifest).
    pub referrers_tag: Option<(String, Option<Digest>)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    Fetch,
    Delete,
    Referrers,
}

/// Delete the manifest `reference` names, whole: GET it (a tag resolves to its digest, and
/// the bytes tell its subject), DELETE it by digest (registries delete by digest; every tag
/// pointing at it goes with it — find them first with [`TagsOf`]), and when it has a subject
/// and the registry is not known to serve the referrers API, remove it from the subject's
/// referrers tag, so that discover and copy no longer list a manifest that is gone.
#[derive(Debug, Clone)]
pub struct Delete {
    runner: Runner<()>,
    stages: DeleteStages,
}

#[derive(Debug, Clone)]
struct DeleteStages {
    reference: Reference,
    stage: Stage,
    descriptor: Option<Descriptor>,
    subject: Option<Descriptor>,
    referrers_tag: Option<(String, Option<Digest>)>,
}

impl Delete {
    /// Deletes what `reference` names.
    pub fn new(reference: &Reference) -> Self {
        Self {
            runner: Runner::new(reference.registry()),
            stages: DeleteStages {
                reference: reference.clone(),
                stage: Stage::Start,
                descriptor: None,
                subject: None,
                referrers_tag: None,
            },
        }
    }
}

impl Operation for Delete {
    type Output = DeleteOutcome;

    fn poll(
        &mut self,
        sessions: &mut Sessions,
        now_ms: u64,
    ) -> Result<Action<DeleteOutcome>, Error> {
        self.runner.poll(&mut self.stages, sessions, now_ms)
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.runner.provide(task, input)
    }
}

impl Stages for DeleteStages {
    type Purpose = ();
    type Output = DeleteOutcome;

    fn done(&mut self, _: &mut Ctx<'_, ()>, (): (), output: Output, _: bool) -> Result<(), Error> {
        match output {
            Output::Manifest(fetched) => {
                let successors = Successors::read(&fetched.media_type, &fetched.bytes)?;
                let media_type = document_type(&fetched.media_type, &successors);
                self.descriptor = Some(Descriptor::new(
                    media_type,
                    fetched.digest,
                    fetched.bytes.len() as u64,
                ));
                self.subject = successors.subject;
            }
            Output::ReferrersIndex(index) => {
                if let Some(subject) = &self.subject {
                    self.referrers_tag = Some((referrers_tag(&subject.digest), index));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, ()>) -> Result<Option<DeleteOutcome>, Error> {
        let registry = self.reference.registry().to_owned();
        let session = ctx.session(&registry)?;
        match self.stage {
            Stage::Start => {
                self.stage = Stage::Fetch;
                let get = GetManifest::new(session, &self.reference);
                ctx.start(&registry, Single::GetManifest(get), (), None);
                Ok(None)
            }
            Stage::Fetch => {
                self.stage = Stage::Delete;
                let digest = self
                    .descriptor
                    .as_ref()
                    .map(|d| d.digest.clone())
                    .ok_or_else(|| super::super::engine::misuse("delete without its manifest"))?;
                let delete = DeleteManifest::new(session, &self.reference, &digest);
                ctx.start(&registry, Single::Delete(delete), (), None);
                Ok(None)
            }
            Stage::Delete => {
                self.stage = Stage::Referrers;
                if let (Some(subject), Some(descriptor)) = (&self.subject, &self.descriptor) {
                    if session.referrers_api() != Some(true) {
                        let remove = RemoveReferrer::new(
                            session,
                            &self.reference,
                            &subject.digest,
                            &descriptor.digest,
                        );
                        ctx.start(&registry, Single::RemoveReferrer(remove), (), None);
                        return Ok(None);
                    }
                }
                self.idle(ctx)
            }
            Stage::Referrers => Ok(Some(DeleteOutcome {
                descriptor: self
                    .descriptor
                    .clone()
                    .ok_or_else(|| super::super::engine::misuse("delete without its manifest"))?,
                subject: self.subject.clone(),
                referrers_tag: self.referrers_tag.clone(),
            })),
        }
    }
}

/// What a [`TagsOf`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagsOfOutcome {
    /// The tags that resolve to the digest, in the listing's order.
    pub tags: Vec<String>,
    /// How many tags of the repository were not resolved (over [`TagsOf::new`]'s `max`).
    pub unchecked: u64,
}

/// The tags of a repository that point at a digest (for "these other tags go too" before a
/// delete): list the tags (within the session's listing limits), then resolve at most `max` of
/// them with HEAD, all at once.
#[derive(Debug, Clone)]
pub struct TagsOf {
    runner: Runner<Option<usize>>,
    stages: TagsOfStages,
}

#[derive(Debug, Clone)]
struct TagsOfStages {
    reference: Reference,
    digest: Digest,
    max: u64,
    started: bool,
    listed: Vec<String>,
    matches: Vec<bool>,
    unchecked: u64,
}

impl TagsOf {
    /// The tags of `reference`'s repository that resolve to `digest`, resolving at most `max`
    /// tags (the first ones listed).
    pub fn new(reference: &Reference, digest: &Digest, max: u64) -> Self {
        Self {
            runner: Runner::new(reference.registry()),
            stages: TagsOfStages {
                reference: reference.with_target(None, None),
                digest: digest.clone(),
                max,
                started: false,
                listed: Vec::new(),
                matches: Vec::new(),
                unchecked: 0,
            },
        }
    }
}

impl Operation for TagsOf {
    type Output = TagsOfOutcome;

    fn poll(
        &mut self,
        sessions: &mut Sessions,
        now_ms: u64,
    ) -> Result<Action<TagsOfOutcome>, Error> {
        self.runner.poll(&mut self.stages, sessions, now_ms)
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.runner.provide(task, input)
    }
}

impl Stages for TagsOfStages {
    type Purpose = Option<usize>;
    type Output = TagsOfOutcome;

    fn done(
        &mut self,
        ctx: &mut Ctx<'_, Option<usize>>,
        purpose: Option<usize>,
        output: Output,
        _: bool,
    ) -> Result<(), Error> {
        match (purpose, output) {
            (None, Output::Tags(tags)) => {
                let registry = self.reference.registry().to_owned();
                let max = usize::try_from(self.max).unwrap_or(usize::MAX);
                self.unchecked = tags.len().saturating_sub(max) as u64;
                self.listed = tags.into_iter().take(max).collect();
                self.matches = vec![false; self.listed.len()];
                for (at, tag) in self.listed.iter().enumerate() {
                    let target = self.reference.with_target(Some(tag), None);
                    let resolve = ResolveManifest::new(ctx.session(&registry)?, &target);
                    ctx.start(&registry, Single::Resolve(resolve), Some(at), None);
                }
            }
            (Some(at), Output::Resolved(resolved)) => {
                self.matches[at] = resolved.digest == self.digest;
            }
            _ => {}
        }
        Ok(())
    }

    fn failed(
        &mut self,
        _: &mut Ctx<'_, Option<usize>>,
        purpose: Option<usize>,
        error: Error,
    ) -> Result<(), Error> {
        // A tag deleted between the listing and its HEAD points nowhere: not at the digest.
        match (purpose, error.code()) {
            (Some(_), "MANIFEST_UNKNOWN") => Ok(()),
            _ => Err(error),
        }
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, Option<usize>>) -> Result<Option<TagsOfOutcome>, Error> {
        if !self.started {
            self.started = true;
            let registry = self.reference.registry().to_owned();
            let list = ListTags::new(ctx.session(&registry)?, &self.reference, None);
            ctx.start(&registry, Single::ListTags(list), None, None);
            return Ok(None);
        }
        Ok(Some(TagsOfOutcome {
            tags: self
                .listed
                .iter()
                .zip(&self.matches)
                .filter(|(_, m)| **m)
                .map(|(t, _)| t.clone())
                .collect(),
            unchecked: self.unchecked,
        }))
    }
}
