//! Pull: the manifest, the pull plan (where each titled layer goes, every title checked), and
//! one download per digest into the host's sink for it.

use std::collections::HashSet;

use super::super::engine::{
    Action, Ctx, Operation, Output, Runner, Sessions, Single, Stages, TaskId,
};
use super::super::operations::GetManifest;
use super::super::session::Input;
use super::super::walk::Successors;
use crate::annotations::TITLE;
use crate::pack::check_pulled_title;
use crate::{Descriptor, Digest, Error, Reference};

/// A file of a pull: the layer, and the relative path its title names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PulledFile {
    /// The layer as the manifest lists it.
    pub descriptor: Descriptor,
    /// Its title (`org.opencontainers.image.title`): a checked relative path.
    pub path: String,
}

/// The pull plan of a manifest's `layers`: every titled layer with the path it is written to
/// (layers without a title are skipped, as ORAS does). One rule, shared by push (which refuses
/// what pull would refuse) and pull:
///
/// - each title passes [`check_pulled_title`]: relative, no `..`, portable on every OS, and no
///   `.git` component unless `allow_git`;
/// - no two titles name the same file, compared as Windows and macOS compare names (any case,
///   `/` or `\`, `.` components dropped): `a.txt` twice, or `A.txt` and `a.txt`;
/// - no title names a file that another title needs as a directory (`a` and `a/b`).
///
/// # Errors
/// `ANNOTATION_INVALID` (a refused title, a duplicate, a file/directory clash) or
/// `PATH_UNSAFE` (a `.git` component).
pub fn plan_files(layers: &[Descriptor], allow_git: bool) -> Result<Vec<PulledFile>, Error> {
    let mut files = Vec::new();
    let mut names: HashSet<String> = HashSet::new();
    let mut directories: HashSet<String> = HashSet::new();
    for layer in layers {
        let Some(title) = layer.annotations.get(TITLE) else {
            continue;
        };
        check_pulled_title(title, allow_git)?;
        let parts: Vec<String> = title
            .split(['/', '\\'])
            .filter(|c| !c.is_empty() && *c != ".")
            .map(str::to_lowercase)
            .collect();
        let clash = |reason: &str| Error::AnnotationInvalid {
            key: TITLE.to_owned(),
            reason: format!("{title:?} {reason}"),
        };
        if parts.is_empty() {
            return Err(clash("names no file"));
        }
        let key = parts.join("/");
        if !names.insert(key.clone()) {
            return Err(clash("is the title of two layers (duplicate title)"));
        }
        if directories.contains(&key) {
            return Err(clash(
                "names a file that another title needs as a directory",
            ));
        }
        for end in 1..parts.len() {
            let directory = parts[..end].join("/");
            if names.contains(&directory) {
                return Err(clash("needs as a directory the file another title names"));
            }
            directories.insert(directory);
        }
        files.push(PulledFile {
            descriptor: layer.clone(),
            path: title.clone(),
        });
    }
    Ok(files)
}

/// Options of a [`Pull`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PullOptions {
    /// Write titles with a `.git` component (refused by default: git would run what a pulled
    /// `.git/config` or hook says).
    pub allow_git: bool,
}

/// What a [`Pull`] fetched. The host wrote each downloaded blob to its sink (a temporary
/// file); it now puts the sink of each file's digest at each file's path (a digest two titles
/// share was downloaded once) and renames into place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullOutcome {
    /// The manifest's descriptor (served media type, digest, size).
    pub descriptor: Descriptor,
    /// The manifest's exact bytes.
    pub manifest: Vec<u8>,
    /// The files, in the manifest's order.
    pub files: Vec<PulledFile>,
    /// The blobs downloaded, each digest once, in the order asked for.
    pub downloads: Vec<Descriptor>,
}

/// Pull an artifact: GET the manifest, plan its files ([`plan_files`]; nothing is downloaded
/// when a title is refused), then GET each distinct blob, streamed by the host into its sink
/// for that digest and verified.
#[derive(Debug, Clone)]
pub struct Pull {
    runner: Runner<()>,
    stages: PullStages,
}

#[derive(Debug, Clone)]
struct PullStages {
    reference: Reference,
    options: PullOptions,
    started: bool,
    outcome: Option<PullOutcome>,
}

impl Pull {
    /// Pulls what `reference` names (a tag or a digest).
    pub fn new(reference: &Reference, options: PullOptions) -> Self {
        Self {
            runner: Runner::new(reference.registry()),
            stages: PullStages {
                reference: reference.clone(),
                options,
                started: false,
                outcome: None,
            },
        }
    }
}

impl Pull {
    /// The pull plan, once the manifest is read and before any blob is asked for: each file,
    /// its path and layer, in the manifest's order; `None` before (and after `Done`, which
    /// carries it). A host that writes files checks here what only its filesystem can tell (a
    /// name too long, a file that exists) before any download starts.
    pub fn files(&self) -> Option<&[PulledFile]> {
        self.stages.outcome.as_ref().map(|o| o.files.as_slice())
    }
}

impl Operation for Pull {
    type Output = PullOutcome;

    fn poll(&mut self, sessions: &mut Sessions, now_ms: u64) -> Result<Action<PullOutcome>, Error> {
        self.runner.poll(&mut self.stages, sessions, now_ms)
    }

    fn provide(&mut self, task: TaskId, input: Input) -> Result<(), Error> {
        self.runner.provide(task, input)
    }
}

impl Stages for PullStages {
    type Purpose = ();
    type Output = PullOutcome;

    fn done(
        &mut self,
        ctx: &mut Ctx<'_, ()>,
        (): (),
        output: Output,
        _: bool,
    ) -> Result<(), Error> {
        let Output::Manifest(fetched) = output else {
            return Ok(()); // a blob: verified by its task
        };
        let successors = Successors::read(&fetched.media_type, &fetched.bytes)?;
        let layers = if successors.is_index {
            Vec::new()
        } else {
            successors.children.into_iter().skip(1).collect()
        };
        let files = plan_files(&layers, self.options.allow_git)?;
        let mut seen: HashSet<&Digest> = HashSet::new();
        let mut downloads = Vec::new();
        for file in &files {
            if seen.insert(&file.descriptor.digest) {
                downloads.push(file.descriptor.clone());
            }
        }
        for blob in &downloads {
            ctx.download(&self.reference, blob, ())?;
        }
        let media_type = crate::MediaType::parse(&fetched.media_type)
            .unwrap_or_else(|_| crate::MediaType::known(crate::media_type::oci::IMAGE_MANIFEST));
        self.outcome = Some(PullOutcome {
            descriptor: Descriptor::new(media_type, fetched.digest, fetched.bytes.len() as u64),
            manifest: fetched.bytes,
            files,
            downloads,
        });
        Ok(())
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, ()>) -> Result<Option<PullOutcome>, Error> {
        if !self.started {
            self.started = true;
            let get = GetManifest::new(ctx.session(self.reference.registry())?, &self.reference);
            ctx.start(
                self.reference.registry(),
                Single::GetManifest(get),
                (),
                None,
            );
            return Ok(None);
        }
        Ok(self.outcome.take())
    }
}
