//! Discover: the tree of what refers to a manifest, each digest once, bounded.

use super::super::engine::{
    Action, Ctx, Operation, Output, Runner, Sessions, Single, Stages, TaskId,
};
use super::super::operations::{ListReferrers, ResolveManifest};
use super::super::session::Input;
use super::super::walk::{ReferrerTree, ReferrerWalk, WalkLimits};
use crate::{Descriptor, Digest, Error, MediaType, Reference};

/// Options of a [`Discover`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// Only referrers of this `artifactType`, at every level.
    pub artifact_type: Option<String>,
    /// How many levels (`Some(1)`: the subject's referrers only; `None`: all, within
    /// `limits`).
    pub depth: Option<u32>,
    /// The walk's bounds (depth, nodes).
    pub limits: WalkLimits,
}

/// What a [`Discover`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverOutcome {
    /// The subject, resolved (media type, digest, size).
    pub subject: Descriptor,
    /// Its referrers, theirs, and so on, each digest once, parents first.
    pub tree: ReferrerTree,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Subject,
    Listing(Digest),
}

/// Discover the referrers of what `reference` names: resolve it, then list referrers level by
/// level with a [`ReferrerWalk`] (each digest once, within [`WalkLimits`]), every listing of a
/// level at once ([`ListReferrers`]: the referrers API, or the referrers tag schema).
#[derive(Debug)]
pub struct Discover {
    runner: Runner<Purpose>,
    stages: DiscoverStages,
}

#[derive(Debug)]
struct DiscoverStages {
    reference: Reference,
    options: DiscoverOptions,
    started: bool,
    subject: Option<Descriptor>,
    walk: Option<ReferrerWalk>,
}

impl Discover {
    /// Discovers what refers to `reference` (a tag or digest).
    pub fn new(reference: &Reference, options: DiscoverOptions) -> Self {
        Self {
            runner: Runner::new(reference.registry()),
            stages: DiscoverStages {
                reference: reference.clone(),
                options,
                started: false,
                subject: None,
                walk: None,
            },
        }
    }
}

impl Operation for Discover {
    type Output = DiscoverOutcome;

    fn poll(
        &mut self,
        sessions: &mut Sessions,
        now_ms: u64,
    ) -> Result<Action<DiscoverOutcome>, Error> {
        self.runner.poll(&mut self.stages, sessions, now_ms)
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.runner.provide(task, input)
    }
}

impl DiscoverStages {
    fn list(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<(), Error> {
        let Some(walk) = self.walk.as_mut() else {
            return Ok(());
        };
        let registry = self.reference.registry();
        for digest in walk.next_batch()? {
            let list = ListReferrers::new(
                ctx.session(registry)?,
                &self.reference,
                &digest,
                self.options.artifact_type.as_deref(),
            );
            ctx.start(
                registry,
                Single::ListReferrers(list),
                Purpose::Listing(digest),
                None,
            );
        }
        Ok(())
    }
}

impl Stages for DiscoverStages {
    type Purpose = Purpose;
    type Output = DiscoverOutcome;

    fn done(
        &mut self,
        ctx: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        output: Output,
        _: bool,
    ) -> Result<(), Error> {
        match (purpose, output) {
            (Purpose::Subject, Output::Resolved(resolved)) => {
                let media_type = MediaType::parse(&resolved.media_type)
                    .unwrap_or_else(|_| MediaType::known(crate::media_type::oci::IMAGE_MANIFEST));
                self.subject = Some(Descriptor::new(
                    media_type,
                    resolved.digest.clone(),
                    resolved.size,
                ));
                self.walk = Some(ReferrerWalk::new(
                    resolved.digest,
                    self.options.depth,
                    self.options.limits,
                ));
            }
            (Purpose::Listing(digest), Output::Referrers(found)) => {
                if let Some(walk) = self.walk.as_mut() {
                    walk.provide(&digest, found)?;
                }
            }
            _ => return Ok(()),
        }
        self.list(ctx)
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<Option<DiscoverOutcome>, Error> {
        if !self.started {
            self.started = true;
            let registry = self.reference.registry();
            let resolve = ResolveManifest::new(ctx.session(registry)?, &self.reference);
            ctx.start(registry, Single::Resolve(resolve), Purpose::Subject, None);
            return Ok(None);
        }
        let (Some(walk), Some(subject)) = (self.walk.as_mut(), self.subject.clone()) else {
            return Err(super::super::engine::misuse(
                "discover ended without its subject",
            ));
        };
        Ok(Some(DiscoverOutcome {
            subject,
            tree: walk.finish()?,
        }))
    }
}
