//! Pull: the manifest, the pull plan (where each titled layer goes, every title checked), and
//! one download per digest into the host's sink for it. An index (a collection of artifacts)
//! is pulled child by child, each child's files in a folder of its own ([`plan_collection`]).

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

/// How many levels of indexes below the root a pull goes (an index of indexes of artifacts is
/// two); deeper is `LIMIT_EXCEEDED`.
pub const COLLECTION_DEPTH_MAX: u32 = 8;
/// How many children (manifests and indexes, at every level) a pull of a collection reads.
pub const COLLECTION_CHILDREN_MAX: u64 = 10_000;

/// How many times its distinct blobs' bytes a manifest's titled files may add up to, once past
/// [`DUPLICATE_BYTES_FLOOR`]: a title is written as a file of its own, so one blob under
/// thousands of titles (a 4 MiB manifest holds about 24,000) would make a download of megabytes
/// write gigabytes. The same bound as a directory layer's compression ratio.
pub const DUPLICATE_RATIO_MAX: u64 = 250;

/// What a manifest's titled files may add up to whatever their blobs (copies of small files
/// under many names stay allowed).
pub const DUPLICATE_BYTES_FLOOR: u64 = 64 << 20;

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
/// - no title names a file that another title needs as a directory (`a` and `a/b`);
/// - the titled files add up to at most [`DUPLICATE_RATIO_MAX`] times their distinct blobs'
///   bytes, or [`DUPLICATE_BYTES_FLOOR`] (one blob under thousands of titles).
///
/// # Errors
/// `ANNOTATION_INVALID` (a refused title, a duplicate, a file/directory clash),
/// `PATH_UNSAFE` (a `.git` component) or `LIMIT_EXCEEDED` (titles sharing blobs past the
/// bound).
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
    let mut distinct: HashSet<&Digest> = HashSet::new();
    let (mut unique, mut written) = (0u64, 0u64);
    for file in &files {
        written = written.saturating_add(file.descriptor.size);
        if distinct.insert(&file.descriptor.digest) {
            unique = unique.saturating_add(file.descriptor.size);
        }
    }
    let max = unique
        .saturating_mul(DUPLICATE_RATIO_MAX)
        .max(DUPLICATE_BYTES_FLOOR);
    if written > max {
        return Err(Error::LimitExceeded {
            limit: "bytes of titled files that share blobs (each title is a file of its own)"
                .to_owned(),
            max,
            value: written,
            setting: "DUPLICATE_RATIO_MAX".to_owned(),
        });
    }
    Ok(files)
}

/// The folder of each child of a collection (an index's `manifests`), in the index's order:
/// the child's title (`org.opencontainers.image.title` on its entry in the index), else its
/// digest written `<algorithm>-<hex>` (a `:` is not portable). Folder names are checked as
/// titles are ([`plan_files`]: relative, portable, no `..`, no `.git` unless `allow_git`, no
/// two children in one folder); an entry repeating an earlier entry's digest and folder is
/// pulled once.
///
/// # Errors
/// `ANNOTATION_INVALID` or `PATH_UNSAFE`, as [`plan_files`].
pub fn plan_collection(
    manifests: &[Descriptor],
    allow_git: bool,
) -> Result<Vec<PulledFile>, Error> {
    let mut folders: Vec<Descriptor> = Vec::new();
    let mut children: Vec<Descriptor> = Vec::new();
    // The (folder, digest) pairs seen: a set, not a scan of the earlier entries (an index of
    // tens of thousands of children made that quadratic, before any limit was looked at).
    let mut seen: HashSet<(String, &Digest)> = HashSet::new();
    for child in manifests {
        let folder = child.annotations.get(TITLE).cloned().unwrap_or_else(|| {
            format!(
                "{}-{}",
                child.digest.algorithm().as_str(),
                child.digest.encoded()
            )
        });
        if !seen.insert((folder.clone(), &child.digest)) {
            continue;
        }
        let mut named = child.clone();
        named.annotations.insert(TITLE.to_owned(), folder);
        folders.push(named);
        children.push(child.clone());
    }
    let planned = plan_files(&folders, allow_git)?;
    Ok(planned
        .into_iter()
        .zip(children)
        .map(|(folder, descriptor)| PulledFile {
            descriptor,
            path: folder.path,
        })
        .collect())
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
    /// The files, in the manifest's order (for a collection: child by child in the index's
    /// order, each path under its child's folder).
    pub files: Vec<PulledFile>,
    /// For a collection (an index): each child read, with its folder (`path`, relative to the
    /// output directory; a nested index's children are in folders within its folder), in the
    /// order read; empty for a manifest.
    pub children: Vec<PulledFile>,
    /// The blobs downloaded, each digest once, in the order asked for.
    pub downloads: Vec<Descriptor>,
}

/// Pull an artifact: GET the manifest, plan its files ([`plan_files`]; nothing is downloaded
/// when a title is refused), then GET each distinct blob, streamed by the host into its sink
/// for that digest and verified.
///
/// An index is a collection: each child (by digest, from the index's repository) is read and
/// its files planned under the child's folder ([`plan_collection`]; an index among the children
/// is read the same way, its children in folders within its folder, at most
/// [`COLLECTION_DEPTH_MAX`] levels and [`COLLECTION_CHILDREN_MAX`] children); the whole plan
/// is checked as one before any blob is asked for.
#[derive(Debug, Clone)]
pub struct Pull {
    runner: Runner<Purpose>,
    stages: PullStages,
}

#[derive(Debug, Clone)]
struct PullStages {
    reference: Reference,
    options: PullOptions,
    started: bool,
    outcome: Option<PullOutcome>,
    /// A collection being read: the root and the files planned so far.
    collection: Option<Collection>,
}

#[derive(Debug, Clone)]
struct Collection {
    root: Descriptor,
    bytes: Vec<u8>,
    /// Each child read or asked for: its descriptor, folder, depth and position (its index in
    /// each index on the way down: the order of the outcome, whatever order answers come in).
    children: Vec<(PulledFile, u32, Vec<usize>)>,
    /// The layers planned, each with its child's position and its own index in the manifest,
    /// titled with its path under its child's folder, and the layer as its manifest lists it.
    layers: Vec<((Vec<usize>, usize), Descriptor, Descriptor)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Root,
    Child(usize),
    Blob,
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
                collection: None,
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

impl PullStages {
    /// Plans the downloads of `files`: each distinct digest once.
    fn download(
        &mut self,
        ctx: &mut Ctx<'_, Purpose>,
        descriptor: Descriptor,
        manifest: Vec<u8>,
        files: Vec<PulledFile>,
        children: Vec<PulledFile>,
    ) -> Result<(), Error> {
        let mut seen: HashSet<&Digest> = HashSet::new();
        let mut downloads = Vec::new();
        for file in &files {
            if seen.insert(&file.descriptor.digest) {
                downloads.push(file.descriptor.clone());
            }
        }
        for blob in &downloads {
            ctx.download(&self.reference, blob, Purpose::Blob)?;
        }
        self.outcome = Some(PullOutcome {
            descriptor,
            manifest,
            files,
            children,
            downloads,
        });
        Ok(())
    }

    /// Asks for the children of an index read at `depth` (the root's are at 1), each in a
    /// folder under `folder`.
    fn read_children(
        &mut self,
        ctx: &mut Ctx<'_, Purpose>,
        manifests: &[Descriptor],
        folder: &str,
        depth: u32,
        position: &[usize],
    ) -> Result<(), Error> {
        if depth > COLLECTION_DEPTH_MAX {
            return Err(Error::LimitExceeded {
                limit: "levels of indexes in a pulled collection".to_owned(),
                max: u64::from(COLLECTION_DEPTH_MAX),
                value: u64::from(depth),
                setting: "COLLECTION_DEPTH_MAX".to_owned(),
            });
        }
        let planned = plan_collection(manifests, self.options.allow_git)?;
        let Some(collection) = self.collection.as_mut() else {
            return Err(super::super::engine::misuse(
                "a collection's child without its root",
            ));
        };
        let total = (collection.children.len() + planned.len()) as u64;
        if total > COLLECTION_CHILDREN_MAX {
            return Err(Error::LimitExceeded {
                limit: "children of a pulled collection".to_owned(),
                max: COLLECTION_CHILDREN_MAX,
                value: total,
                setting: "COLLECTION_CHILDREN_MAX".to_owned(),
            });
        }
        let mut starts = Vec::new();
        for (index, mut child) in planned.into_iter().enumerate() {
            if !folder.is_empty() {
                child.path = format!("{folder}/{}", child.path);
            }
            let at = self
                .reference
                .with_target(None, Some(child.descriptor.digest.clone()));
            starts.push((collection.children.len(), at));
            let mut place = position.to_vec();
            place.push(index);
            collection.children.push((child, depth, place));
        }
        for (at, reference) in starts {
            let get = GetManifest::new(ctx.session(self.reference.registry())?, &reference);
            ctx.start(
                self.reference.registry(),
                Single::GetManifest(get),
                Purpose::Child(at),
                None,
            );
        }
        Ok(())
    }
}

impl Stages for PullStages {
    type Purpose = Purpose;
    type Output = PullOutcome;

    fn done(
        &mut self,
        ctx: &mut Ctx<'_, Purpose>,
        purpose: Purpose,
        output: Output,
        _: bool,
    ) -> Result<(), Error> {
        let Output::Manifest(fetched) = output else {
            return Ok(()); // a blob: verified by its task
        };
        let successors = Successors::read(&fetched.media_type, &fetched.bytes)?;
        let media_type = crate::MediaType::parse(&fetched.media_type)
            .unwrap_or_else(|_| crate::MediaType::known(crate::media_type::oci::IMAGE_MANIFEST));
        match purpose {
            Purpose::Root if successors.is_index => {
                let root = Descriptor::new(media_type, fetched.digest, fetched.bytes.len() as u64);
                self.collection = Some(Collection {
                    root,
                    bytes: fetched.bytes,
                    children: Vec::new(),
                    layers: Vec::new(),
                });
                self.read_children(ctx, &successors.children, "", 1, &[])
            }
            Purpose::Root => {
                let layers: Vec<Descriptor> = successors.children.into_iter().skip(1).collect();
                let files = plan_files(&layers, self.options.allow_git)?;
                let descriptor =
                    Descriptor::new(media_type, fetched.digest, fetched.bytes.len() as u64);
                self.download(ctx, descriptor, fetched.bytes, files, Vec::new())
            }
            Purpose::Child(at) => {
                let Some((child, depth, position)) = self
                    .collection
                    .as_ref()
                    .and_then(|c| c.children.get(at))
                    .cloned()
                else {
                    return Err(super::super::engine::misuse("a collection's child unknown"));
                };
                if successors.is_index {
                    return self.read_children(
                        ctx,
                        &successors.children,
                        &child.path,
                        depth + 1,
                        &position,
                    );
                }
                // Each layer's own title is checked alone first (its error names the title
                // as the manifest has it), then under its folder with all the others.
                let layers: Vec<Descriptor> = successors.children.into_iter().skip(1).collect();
                let files = plan_files(&layers, self.options.allow_git)?;
                if let Some(collection) = self.collection.as_mut() {
                    for (index, file) in files.into_iter().enumerate() {
                        let mut placed = file.descriptor.clone();
                        placed
                            .annotations
                            .insert(TITLE.to_owned(), format!("{}/{}", child.path, file.path));
                        collection.layers.push((
                            (position.clone(), index),
                            placed,
                            file.descriptor,
                        ));
                    }
                }
                Ok(())
            }
            Purpose::Blob => Ok(()),
        }
    }

    fn idle(&mut self, ctx: &mut Ctx<'_, Purpose>) -> Result<Option<PullOutcome>, Error> {
        if !self.started {
            self.started = true;
            let get = GetManifest::new(ctx.session(self.reference.registry())?, &self.reference);
            ctx.start(
                self.reference.registry(),
                Single::GetManifest(get),
                Purpose::Root,
                None,
            );
            return Ok(None);
        }
        if let Some(mut collection) = self.collection.take() {
            // Every child is read: the whole plan, checked as one, then the downloads, in the
            // order of the indexes (children answer in any order).
            collection.layers.sort_by(|a, b| a.0.cmp(&b.0));
            collection.children.sort_by(|a, b| a.2.cmp(&b.2));
            let placed: Vec<Descriptor> = collection.layers.iter().map(|l| l.1.clone()).collect();
            let mut files = plan_files(&placed, self.options.allow_git)?;
            for (file, (_, _, layer)) in files.iter_mut().zip(&collection.layers) {
                file.descriptor = layer.clone();
            }
            let children = collection.children.into_iter().map(|c| c.0).collect();
            self.download(ctx, collection.root, collection.bytes, files, children)?;
            if self
                .outcome
                .as_ref()
                .is_some_and(|o| !o.downloads.is_empty())
            {
                return Ok(None);
            }
        }
        Ok(self.outcome.take())
    }
}
