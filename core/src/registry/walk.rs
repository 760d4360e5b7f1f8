//! Graph walks over manifests, indexes and referrers, fed by the host (sans-IO).
//!
//! A copy needs every document and blob a manifest or index reaches (and, with referrers, what
//! refers to each of them); a discover needs the tree of referrers of a subject. Both walk a
//! graph whose edges a registry (or a layout) supplies, so both are bounded here, once, for
//! every host: each digest is visited once, the walk stops at a depth and at a number of nodes
//! ([`WalkLimits`]), and it is a loop over a queue, never a recursion.
//!
//! The walks do no I/O. The host asks for a batch of steps, performs them (concurrently, as
//! many at once as it likes: the steps of a batch do not depend on each other), and provides
//! each result:
//!
//! ```text
//!   host                                         GraphWalk
//!   ────                                         ─────────
//!   walk = GraphWalk::new(roots, options)
//!   loop { batch = walk.next_batch()?       ◀──  [Fetch(d), Referrers(d), …]  (empty: over)
//!          for each step, concurrently:
//!            Fetch(d)     → GET the document ──▶ provide_document(&d.digest, bytes)?
//!            Referrers(d) → list referrers   ──▶ provide_referrers(&d.digest, list)? }
//!   plan = walk.finish()?                   ◀──  CopyPlan { blobs, manifests (in waves) }
//! ```
//!
//! An error is sticky: after a walk fails, every later call returns the same error.
//!
//! ```
//! use ocikit_core::registry::walk::{GraphWalk, GraphWalkOptions, WalkStep};
//! use ocikit_core::{Descriptor, Manifest, MediaType};
//!
//! let layer = Descriptor::for_content(MediaType::parse("text/plain").unwrap(), b"hi");
//! let manifest = Manifest::new(Descriptor::empty(), vec![layer]).into_document();
//! let mut walk = GraphWalk::new(vec![manifest.descriptor()], GraphWalkOptions::default());
//! loop {
//!     let batch = walk.next_batch().unwrap();
//!     if batch.is_empty() {
//!         break;
//!     }
//!     for step in batch {
//!         match step {
//!             // The host would GET it; here the one document there is.
//!             WalkStep::Fetch(d) => walk.provide_document(&d.digest, manifest.bytes().to_vec()).unwrap(),
//!             WalkStep::Referrers(d) => walk.provide_referrers(&d.digest, Vec::new()).unwrap(),
//!         }
//!     }
//! }
//! let plan = walk.finish().unwrap();
//! assert_eq!(plan.blobs.len(), 2); // the empty config and the layer
//! assert_eq!(plan.manifests.len(), 1);
//! ```

use std::collections::{HashMap, HashSet, VecDeque};

use serde_json::Value;

use crate::descriptor::{as_array, as_object, missing};
use crate::media_type::{docker, oci};
use crate::{Descriptor, Digest, Error, MediaType};

/// The manifest media types ocikit reads as manifests and indexes (OCI and Docker).
pub use super::operations::is_manifest_type;

/// Whether `media_type` is an index (a list of manifests): OCI's image index or Docker's
/// manifest list. Every other manifest type lists a config and layers.
pub fn is_index_type(media_type: &str) -> bool {
    matches!(media_type, oci::IMAGE_INDEX | docker::MANIFEST_LIST)
}

/// Bounds of a walk. A registry or a layout decides the graph; these keep a lying one from
/// making a walk endless or huge. Exceeding one fails the walk with `LIMIT_EXCEEDED`, naming
/// the limit and the setting that raises it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalkLimits {
    /// How many levels of manifests, indexes and referrers below the root a walk may go:
    /// the root's children (an index's manifests, a manifest's referrers) are level 1.
    /// Default 32 (real graphs are a handful of levels deep; ORAS and containerd walk no
    /// deeper in practice).
    pub max_depth: u32,
    /// How many distinct digests (documents, blobs and referrers) a walk may reach. Default
    /// 10 000.
    pub max_nodes: u64,
    /// How many bytes of documents a [`GraphWalk`] may hold until its plan is carried out
    /// (each document is at most 4 MiB). Default 256 MiB.
    pub max_bytes: u64,
}

impl Default for WalkLimits {
    fn default() -> Self {
        Self {
            max_depth: 32,
            max_nodes: 10_000,
            max_bytes: 256 * 1024 * 1024,
        }
    }
}

impl WalkLimits {
    fn depth_exceeded(&self, depth: u64) -> Error {
        Error::LimitExceeded {
            limit: "depth of a graph walk".to_owned(),
            max: u64::from(self.max_depth),
            value: depth,
            setting: "WalkLimits.max_depth".to_owned(),
        }
    }

    fn nodes_exceeded(&self, nodes: u64) -> Error {
        Error::LimitExceeded {
            limit: "nodes of a graph walk".to_owned(),
            max: self.max_nodes,
            value: nodes,
            setting: "WalkLimits.max_nodes".to_owned(),
        }
    }
}

/// What a [`GraphWalk`] asks of the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkStep {
    /// Fetch this manifest or index (by its digest) and give its bytes to
    /// [`GraphWalk::provide_document`].
    Fetch(Descriptor),
    /// List what refers to this manifest or index (the referrers API, the referrers tag
    /// schema, or a layout's subjects) and give the descriptors to
    /// [`GraphWalk::provide_referrers`].
    Referrers(Descriptor),
}

/// Options of a [`GraphWalk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GraphWalkOptions {
    /// Also walk what refers to each manifest and index reached (`copy --recursive`).
    pub referrers: bool,
    /// The bounds.
    pub limits: WalkLimits,
}

/// A manifest or index of a [`CopyPlan`], with the exact bytes to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDocument {
    /// Its descriptor as reached (from the root, an index entry or a referrers listing): the
    /// media type to write it with, digest and size.
    pub descriptor: Descriptor,
    /// Its exact bytes (verified against the descriptor).
    pub bytes: Vec<u8>,
    /// The `subject` the document names, if any (a registry without the referrers API needs
    /// the referrers tag of the subject updated).
    pub subject: Option<Descriptor>,
}

impl PlannedDocument {
    /// This document's entry in a referrers listing of its subject (distribution-spec
    /// "Listing Referrers"): the media type, digest and size it was reached with, its
    /// `artifactType` (for a manifest without one, its config's media type) and annotations.
    ///
    /// # Errors
    /// What [`Manifest::from_json`](crate::Manifest::from_json) or
    /// [`Index::from_json`](crate::Index::from_json) reports for a document that is not an
    /// OCI manifest or index.
    pub fn referrer_descriptor(&self) -> Result<Descriptor, Error> {
        let listed = if is_index_type(self.descriptor.media_type.as_str()) {
            crate::Index::from_json(self.bytes.clone())?.referrer_descriptor()
        } else {
            crate::Manifest::from_json(self.bytes.clone())?.referrer_descriptor()
        };
        let mut descriptor = Descriptor::new(
            self.descriptor.media_type.clone(),
            self.descriptor.digest.clone(),
            self.descriptor.size,
        );
        descriptor.artifact_type = listed.artifact_type;
        descriptor.annotations = listed.annotations;
        Ok(descriptor)
    }
}

/// What a finished [`GraphWalk`] found, in the order to write it: a registry accepts a
/// manifest only once what it references is there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CopyPlan {
    /// The roots the walk started from, as given.
    pub roots: Vec<Descriptor>,
    /// Every blob (configs, layers, and entries of an index that are not manifests), each
    /// once, in the order reached. They do not depend on each other.
    pub blobs: Vec<Descriptor>,
    /// The manifests and indexes, each once, in waves: the documents of a wave may be written
    /// in any order (concurrently) once every earlier wave is written. An index comes after
    /// its manifests, a referrer after its subject.
    pub manifests: Vec<Vec<PlannedDocument>>,
}

#[derive(Debug)]
enum Node {
    Blob,
    Document(Box<DocumentNode>),
}

#[derive(Debug, Default)]
struct DocumentNode {
    depth: u32,
    /// Provided and parsed.
    bytes: Option<Vec<u8>>,
    subject: Option<Descriptor>,
    /// Documents that must be written first.
    after: Vec<usize>,
    /// Subjects a listing claimed this document refers to (checked against its bytes).
    claimed: Vec<usize>,
    /// The host does not have it (a layout may hold part of a graph): left out of the plan.
    missing: bool,
}

/// A walk of the graph below one or more manifests or indexes, for a copy: every document and
/// blob, each digest once, bounded by [`WalkLimits`]. See the [module docs](self) for the
/// host loop.
#[derive(Debug)]
pub struct GraphWalk {
    options: GraphWalkOptions,
    descriptors: Vec<Descriptor>,
    nodes: Vec<Node>,
    by_digest: HashMap<Digest, usize>,
    roots: Vec<usize>,
    ready: VecDeque<(usize, bool)>,
    /// Handed out and not yet provided: (node, is a listing).
    asked: HashSet<(usize, bool)>,
    held: u64,
    failed: Option<Error>,
    finished: bool,
}

impl GraphWalk {
    /// A walk from `roots` (manifests or indexes, e.g. the descriptor a tag resolves to).
    pub fn new(roots: Vec<Descriptor>, options: GraphWalkOptions) -> Self {
        let mut walk = Self {
            options,
            descriptors: Vec::new(),
            nodes: Vec::new(),
            by_digest: HashMap::new(),
            roots: Vec::new(),
            ready: VecDeque::new(),
            asked: HashSet::new(),
            held: 0,
            failed: None,
            finished: false,
        };
        for root in roots {
            let at = match walk.by_digest.get(&root.digest) {
                Some(&at) => at,
                None => match walk.add_document(root, 0) {
                    Ok(at) => at,
                    Err(err) => {
                        walk.failed = Some(err);
                        break;
                    }
                },
            };
            walk.roots.push(at);
        }
        walk
    }

    /// A walk from a root the host has already fetched (a GET by tag): `served` is the
    /// `Content-Type` it came with (any text: parameters are read past, and a type that is not
    /// a manifest type gives way to what the document says it is, see
    /// [`Successors::media_type`]); `digest` is what the bytes must hash to. The root is
    /// provided at once, so the first batch already asks for what it references.
    pub fn from_fetched(
        served: &str,
        digest: Digest,
        bytes: Vec<u8>,
        options: GraphWalkOptions,
    ) -> Self {
        let essence = served.split(';').next().unwrap_or_default().trim();
        let media_type = MediaType::parse(essence)
            .ok()
            .filter(|t| is_manifest_type(t.as_str()))
            // Any valid name: the document decides when it is read.
            .unwrap_or_else(|| MediaType::known("application/octet-stream"));
        let root = Descriptor::new(media_type, digest.clone(), bytes.len() as u64);
        let mut walk = Self::new(vec![root], options);
        if walk.next_batch().is_ok() {
            // Errors are sticky: a bad root fails the walk's first call.
            let _ = walk.provide_document(&digest, bytes);
        }
        walk
    }

    /// The steps to perform next: every fetch and listing not yet handed out. They are
    /// independent of each other. Empty when nothing is left to ask (once every step handed
    /// out was provided, the walk is over: call [`finish`](Self::finish)).
    ///
    /// # Errors
    /// The error the walk failed with, if it did.
    pub fn next_batch(&mut self) -> Result<Vec<WalkStep>, Error> {
        self.check()?;
        let mut batch = Vec::with_capacity(self.ready.len());
        while let Some((at, listing)) = self.ready.pop_front() {
            self.asked.insert((at, listing));
            let descriptor = self.descriptors[at].clone();
            batch.push(if listing {
                WalkStep::Referrers(descriptor)
            } else {
                WalkStep::Fetch(descriptor)
            });
        }
        Ok(batch)
    }

    /// Whether every step handed out was provided and none is left: [`finish`](Self::finish)
    /// may be called.
    pub fn is_done(&self) -> bool {
        self.ready.is_empty() && self.asked.is_empty()
    }

    /// The bytes of a document asked for with [`WalkStep::Fetch`].
    ///
    /// # Errors
    /// `DIGEST_MISMATCH` / `SIZE_MISMATCH` when the bytes are not the descriptor's;
    /// `JSON_INVALID`, `FIELD_MISSING` and the other descriptor errors for a document that is
    /// not a manifest or index; `PROTOCOL_ERROR` for a referrer whose `subject` is not the
    /// manifest it was listed for, or a digest that was not asked for; `LIMIT_EXCEEDED` when
    /// the walk goes over a [`WalkLimits`] bound. The walk has then failed.
    pub fn provide_document(&mut self, digest: &Digest, bytes: Vec<u8>) -> Result<(), Error> {
        self.check()?;
        let result = self.document(digest, bytes);
        self.fail_on(result)
    }

    /// A document asked for with [`WalkStep::Fetch`] that the host does not have, where a
    /// partial graph is expected (an OCI layout may hold referrers without their subjects, or
    /// part of an index): the walk goes on without it, and the plan leaves it out. A copy has
    /// no use for this; it fails on what it cannot fetch.
    ///
    /// # Errors
    /// `PROTOCOL_ERROR` for a digest that was not asked for.
    pub fn provide_missing(&mut self, digest: &Digest) -> Result<(), Error> {
        self.check()?;
        let result = self
            .answered(digest, false)
            .and_then(|at| self.document_mut(at).map(|node| node.missing = true));
        self.fail_on(result)
    }

    /// The referrers of a document asked for with [`WalkStep::Referrers`], as listed.
    ///
    /// # Errors
    /// `LIMIT_EXCEEDED` or `PROTOCOL_ERROR` as for [`provide_document`](Self::provide_document).
    pub fn provide_referrers(
        &mut self,
        subject: &Digest,
        referrers: Vec<Descriptor>,
    ) -> Result<(), Error> {
        self.check()?;
        let result = self.listing(subject, referrers);
        self.fail_on(result)
    }

    /// The plan of a walk that is over: every blob, then the documents in waves, children
    /// before the indexes that list them and subjects before their referrers.
    ///
    /// # Errors
    /// The walk's error; `PROTOCOL_ERROR` when steps are still to be asked or provided, or
    /// after the plan was taken.
    pub fn finish(&mut self) -> Result<CopyPlan, Error> {
        self.check()?;
        if !self.is_done() {
            return Err(misuse("the walk is not over: steps remain to be provided"));
        }
        if self.finished {
            return Err(misuse("the walk's plan was already taken"));
        }
        self.finished = true;
        let result = self.plan();
        self.fail_on(result)
    }

    fn check(&self) -> Result<(), Error> {
        match &self.failed {
            Some(err) => Err(err.clone()),
            None => Ok(()),
        }
    }

    fn fail_on<T>(&mut self, result: Result<T, Error>) -> Result<T, Error> {
        if let Err(err) = &result {
            self.failed = Some(err.clone());
        }
        result
    }

    fn add_node(&mut self, descriptor: Descriptor, node: Node) -> Result<usize, Error> {
        let count = self.nodes.len() as u64 + 1;
        if count > self.options.limits.max_nodes {
            return Err(self.options.limits.nodes_exceeded(count));
        }
        let at = self.nodes.len();
        self.by_digest.insert(descriptor.digest.clone(), at);
        self.descriptors.push(descriptor);
        self.nodes.push(node);
        Ok(at)
    }

    fn add_document(&mut self, descriptor: Descriptor, depth: u32) -> Result<usize, Error> {
        if depth > self.options.limits.max_depth {
            return Err(self.options.limits.depth_exceeded(u64::from(depth)));
        }
        let at = self.add_node(
            descriptor,
            Node::Document(Box::new(DocumentNode {
                depth,
                ..DocumentNode::default()
            })),
        )?;
        self.ready.push_back((at, false));
        Ok(at)
    }

    /// The document node `at`. Only documents are asked for, listed or ordered, so a blob here
    /// would be a bug of this file: an error, not a panic.
    fn document_mut(&mut self, at: usize) -> Result<&mut DocumentNode, Error> {
        match self.nodes.get_mut(at) {
            Some(Node::Document(document)) => Ok(document.as_mut()),
            _ => Err(misuse("a walk step named a blob")),
        }
    }

    fn answered(&mut self, digest: &Digest, listing: bool) -> Result<usize, Error> {
        let at = self
            .by_digest
            .get(digest)
            .copied()
            .filter(|&at| self.asked.remove(&(at, listing)))
            .ok_or_else(|| {
                misuse(&format!(
                    "{} of {digest} was not asked for (or was already provided)",
                    if listing {
                        "a referrers listing"
                    } else {
                        "a document"
                    }
                ))
            })?;
        Ok(at)
    }

    fn document(&mut self, digest: &Digest, bytes: Vec<u8>) -> Result<(), Error> {
        let at = self.answered(digest, false)?;
        let descriptor = self.descriptors[at].clone();
        crate::verify(&bytes, &descriptor.digest, Some(descriptor.size))?;
        self.held += bytes.len() as u64;
        if self.held > self.options.limits.max_bytes {
            return Err(Error::LimitExceeded {
                limit: "document bytes a graph walk holds".to_owned(),
                max: self.options.limits.max_bytes,
                value: self.held,
                setting: "WalkLimits.max_bytes".to_owned(),
            });
        }
        let parsed = Successors::read(descriptor.media_type.as_str(), &bytes)?;
        if parsed.media_type != descriptor.media_type {
            // Served or listed as something else (`application/json`): written as what it is.
            self.descriptors[at].media_type = parsed.media_type.clone();
        }
        let depth = {
            let node = self.document_mut(at)?;
            node.bytes = Some(bytes);
            node.subject = parsed.subject;
            node.depth
        };
        let claimed = std::mem::take(&mut self.document_mut(at)?.claimed);
        for subject in claimed {
            self.check_claim(at, subject)?;
        }
        for child in parsed.children {
            match self.by_digest.get(&child.digest).copied() {
                Some(seen) => {
                    if matches!(self.nodes[seen], Node::Document(_)) && seen != at {
                        self.document_mut(at)?.after.push(seen);
                    }
                }
                None if parsed.is_index && is_manifest_type(child.media_type.as_str()) => {
                    let child_at = self.add_document(child, depth + 1)?;
                    self.document_mut(at)?.after.push(child_at);
                }
                None => {
                    self.add_node(child, Node::Blob)?;
                }
            }
        }
        if self.options.referrers {
            self.ready.push_back((at, true));
        }
        Ok(())
    }

    fn listing(&mut self, subject: &Digest, referrers: Vec<Descriptor>) -> Result<(), Error> {
        let at = self.answered(subject, true)?;
        let depth = self.document_mut(at)?.depth;
        for referrer in referrers {
            let referrer_at = match self.by_digest.get(&referrer.digest).copied() {
                Some(seen) => seen,
                None => self.add_document(referrer, depth + 1)?,
            };
            if referrer_at == at {
                return Err(invented(&self.descriptors[at].digest, subject, None));
            }
            if !matches!(self.nodes[referrer_at], Node::Document(_)) {
                return Err(invented(
                    &self.descriptors[referrer_at].digest,
                    subject,
                    None,
                ));
            }
            if self.document_mut(referrer_at)?.bytes.is_some() {
                self.check_claim(referrer_at, at)?;
            } else {
                self.document_mut(referrer_at)?.claimed.push(at);
            }
        }
        Ok(())
    }

    /// A listing said `referrer` refers to `subject`: its bytes must say so too (a registry
    /// can list anything; a document's subject is in the bytes its digest covers, so the
    /// order built from checked claims has no cycle).
    fn check_claim(&mut self, referrer: usize, subject: usize) -> Result<(), Error> {
        let subject_digest = self.descriptors[subject].digest.clone();
        let actual = self.document_mut(referrer)?.subject.clone();
        if actual.as_ref().map(|d| &d.digest) != Some(&subject_digest) {
            return Err(invented(
                &self.descriptors[referrer].digest,
                &subject_digest,
                actual.as_ref().map(|d| &d.digest),
            ));
        }
        self.document_mut(referrer)?.after.push(subject);
        Ok(())
    }

    fn plan(&mut self) -> Result<CopyPlan, Error> {
        let mut blobs = Vec::new();
        // Kahn's algorithm over the documents, wave by wave, in the order reached.
        let mut waiting: HashMap<usize, usize> = HashMap::new();
        let mut dependents: HashMap<usize, Vec<usize>> = HashMap::new();
        let mut wave = Vec::new();
        let missing: HashSet<usize> = (0..self.nodes.len())
            .filter(|&at| matches!(&self.nodes[at], Node::Document(d) if d.missing))
            .collect();
        for (at, node) in self.nodes.iter_mut().enumerate() {
            match node {
                Node::Blob => blobs.push(self.descriptors[at].clone()),
                Node::Document(document) if document.missing => {}
                Node::Document(document) => {
                    document.after.retain(|before| !missing.contains(before));
                    document.after.sort_unstable();
                    document.after.dedup();
                    if document.after.is_empty() {
                        wave.push(at);
                    } else {
                        waiting.insert(at, document.after.len());
                        for &before in &document.after {
                            dependents.entry(before).or_default().push(at);
                        }
                    }
                }
            }
        }
        let mut manifests = Vec::new();
        let mut placed = 0;
        while !wave.is_empty() {
            let mut next = Vec::new();
            let mut documents = Vec::with_capacity(wave.len());
            for &at in &wave {
                for &dependent in dependents.get(&at).map_or(&[][..], Vec::as_slice) {
                    if let Some(count) = waiting.get_mut(&dependent) {
                        *count -= 1;
                        if *count == 0 {
                            waiting.remove(&dependent);
                            next.push(dependent);
                        }
                    }
                }
                let descriptor = self.descriptors[at].clone();
                let node = self.document_mut(at)?;
                documents.push(PlannedDocument {
                    descriptor,
                    bytes: std::mem::take(&mut node.bytes).unwrap_or_default(),
                    subject: node.subject.take(),
                });
            }
            placed += documents.len();
            manifests.push(documents);
            next.sort_unstable();
            wave = next;
        }
        if !waiting.is_empty() {
            // Claims are checked against hashed bytes, so no cycle can form; if one did, say so
            // rather than write a partial graph.
            return Err(Error::ProtocolState {
                reason: format!(
                    "the graph has a cycle: {} of {} documents cannot be ordered",
                    waiting.len(),
                    placed + waiting.len()
                ),
            });
        }
        self.held = 0;
        Ok(CopyPlan {
            roots: self
                .roots
                .iter()
                .map(|&at| self.descriptors[at].clone())
                .collect(),
            blobs,
            manifests,
        })
    }
}

fn misuse(reason: &str) -> Error {
    Error::ProtocolState {
        reason: format!("walk misuse by the host: {reason}"),
    }
}

fn invented(referrer: &Digest, subject: &Digest, actual: Option<&Digest>) -> Error {
    Error::ProtocolState {
        reason: match actual {
            Some(actual) => format!(
                "{referrer} was listed as a referrer of {subject}, but its subject is {actual}"
            ),
            None => format!(
                "{referrer} was listed as a referrer of {subject}, but it does not refer to it"
            ),
        },
    }
}

/// What a manifest or index references, read from its bytes: for an index its manifests,
/// for a manifest its config and layers (what must be in a repository before the document),
/// and its subject (which need not be). Docker's manifest and manifest list read the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Successors {
    /// The manifest type the document is: the type it was served as when that is one, else
    /// its own `mediaType` when that is one, else an OCI index when it lists `manifests`, else
    /// an OCI manifest. A registry may serve a manifest as `application/json`.
    pub media_type: MediaType,
    /// Whether the document is an index.
    pub is_index: bool,
    /// An index's `manifests`, or a manifest's `config` then `layers`.
    pub children: Vec<Descriptor>,
    /// The `subject`, if any.
    pub subject: Option<Descriptor>,
}

impl Successors {
    /// Reads the references of a document served as `media_type` (when that is not a manifest
    /// type, the document's own `mediaType` decides, then the presence of `manifests`; see
    /// [`Successors::media_type`]).
    ///
    /// # Errors
    /// `JSON_INVALID` for malformed JSON or a field of the wrong type, `FIELD_MISSING` for a
    /// missing `manifests`, `config` or `layers`, and the descriptor errors of an entry.
    pub fn read(media_type: &str, bytes: &[u8]) -> Result<Self, Error> {
        let value = crate::json::parse_strict(bytes)?;
        let object = as_object(&value, "")?;
        let declared = object
            .get("mediaType")
            .and_then(Value::as_str)
            .filter(|t| is_manifest_type(t));
        let resolved = if is_manifest_type(media_type) {
            media_type
        } else if let Some(declared) = declared {
            declared
        } else if object.contains_key("manifests") {
            oci::IMAGE_INDEX
        } else {
            oci::IMAGE_MANIFEST
        };
        let is_index = is_index_type(resolved);
        let list = |key: &str| -> Result<Vec<Descriptor>, Error> {
            let path = format!("/{key}");
            let items = as_array(object.get(key).ok_or_else(|| missing("", key))?, &path)?;
            items
                .iter()
                .enumerate()
                .map(|(i, item)| Descriptor::from_value(item, &format!("{path}/{i}")))
                .collect()
        };
        let children = if is_index {
            list("manifests")?
        } else {
            let config = object.get("config").ok_or_else(|| missing("", "config"))?;
            let mut children = vec![Descriptor::from_value(config, "/config")?];
            children.extend(list("layers")?);
            children
        };
        let subject = object
            .get("subject")
            .map(|s| Descriptor::from_value(s, "/subject"))
            .transpose()?;
        Ok(Self {
            media_type: MediaType::parse(resolved)?,
            is_index,
            children,
            subject,
        })
    }
}

/// One node of a [`ReferrerTree`]: a descriptor as its subject's referrers listing gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerNode {
    /// The referrer, as listed.
    pub descriptor: Descriptor,
    /// The node it refers to (its index in [`ReferrerTree::nodes`]), or `None` for a referrer
    /// of the walk's subject.
    pub parent: Option<usize>,
    /// 1 for a referrer of the subject, 2 for a referrer of one of those, …
    pub depth: u32,
}

/// The referrers of a subject, of those, and so on, each digest once: a flat list in which a
/// parent always comes before its children (nothing is nested, so no depth costs stack).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReferrerTree {
    /// The nodes, level by level, each parent's referrers in the order listed.
    pub nodes: Vec<ReferrerNode>,
}

impl ReferrerTree {
    /// The referrers of `parent` (`None`: of the subject), with their indexes.
    pub fn children(&self, parent: Option<usize>) -> impl Iterator<Item = (usize, &ReferrerNode)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, node)| node.parent == parent)
    }
}

/// The discover walk: the tree of what refers to a subject, each digest once, `depth` levels
/// down (all when `None`), bounded by [`WalkLimits`]. The host lists the referrers of each
/// digest [`next_batch`](Self::next_batch) names (concurrently if it likes) and provides them.
///
/// ```
/// use ocikit_core::registry::walk::{ReferrerWalk, WalkLimits};
/// use ocikit_core::{Descriptor, MediaType};
///
/// let subject = ocikit_core::digest::sha256(b"subject");
/// let signature = Descriptor::for_content(MediaType::parse("application/vnd.oci.image.manifest.v1+json").unwrap(), b"sig");
/// let mut walk = ReferrerWalk::new(subject.clone(), None, WalkLimits::default());
/// loop {
///     let batch = walk.next_batch().unwrap();
///     if batch.is_empty() { break; }
///     for digest in batch {
///         let listed = if digest == subject { vec![signature.clone()] } else { Vec::new() };
///         walk.provide(&digest, listed).unwrap();
///     }
/// }
/// let tree = walk.finish().unwrap();
/// assert_eq!(tree.nodes.len(), 1);
/// assert_eq!(tree.children(None).count(), 1);
/// ```
#[derive(Debug)]
pub struct ReferrerWalk {
    depth: Option<u32>,
    limits: WalkLimits,
    nodes: Vec<ReferrerNode>,
    seen: HashMap<Digest, Option<usize>>,
    ready: VecDeque<(Digest, Option<usize>)>,
    asked: HashMap<Digest, Option<usize>>,
    failed: Option<Error>,
    finished: bool,
}

impl ReferrerWalk {
    /// A walk from `subject`, `depth` levels down (`Some(0)` lists nothing; `None`: until no
    /// referrer is new, within `limits`).
    pub fn new(subject: Digest, depth: Option<u32>, limits: WalkLimits) -> Self {
        let mut ready = VecDeque::new();
        if depth != Some(0) {
            ready.push_back((subject.clone(), None));
        }
        Self {
            depth,
            limits,
            nodes: Vec::new(),
            seen: HashMap::from([(subject, None)]),
            ready,
            asked: HashMap::new(),
            failed: None,
            finished: false,
        }
    }

    /// The digests whose referrers to list next (independent of each other). Empty when none
    /// is left to ask.
    ///
    /// # Errors
    /// The error the walk failed with, if it did.
    pub fn next_batch(&mut self) -> Result<Vec<Digest>, Error> {
        self.check()?;
        let mut batch = Vec::with_capacity(self.ready.len());
        while let Some((digest, node)) = self.ready.pop_front() {
            self.asked.insert(digest.clone(), node);
            batch.push(digest);
        }
        Ok(batch)
    }

    /// Whether every listing handed out was provided and none is left.
    pub fn is_done(&self) -> bool {
        self.ready.is_empty() && self.asked.is_empty()
    }

    /// The referrers of `subject` (a digest [`next_batch`](Self::next_batch) named), as listed.
    /// Digests already in the tree (or the subject itself: a registry can claim a cycle) are
    /// skipped.
    ///
    /// # Errors
    /// `LIMIT_EXCEEDED` past [`WalkLimits::max_depth`] or [`WalkLimits::max_nodes`];
    /// `PROTOCOL_ERROR` for a digest that was not asked for. The walk has then failed.
    pub fn provide(&mut self, subject: &Digest, referrers: Vec<Descriptor>) -> Result<(), Error> {
        self.check()?;
        let result = self.listing(subject, referrers);
        if let Err(err) = &result {
            self.failed = Some(err.clone());
        }
        result
    }

    /// The tree of a walk that is over.
    ///
    /// # Errors
    /// The walk's error; `PROTOCOL_ERROR` when listings are still to be asked or provided, or
    /// after the tree was taken.
    pub fn finish(&mut self) -> Result<ReferrerTree, Error> {
        self.check()?;
        if !self.is_done() {
            return Err(misuse(
                "the walk is not over: listings remain to be provided",
            ));
        }
        if self.finished {
            return Err(misuse("the walk's tree was already taken"));
        }
        self.finished = true;
        Ok(ReferrerTree {
            nodes: std::mem::take(&mut self.nodes),
        })
    }

    fn check(&self) -> Result<(), Error> {
        match &self.failed {
            Some(err) => Err(err.clone()),
            None => Ok(()),
        }
    }

    fn listing(&mut self, subject: &Digest, referrers: Vec<Descriptor>) -> Result<(), Error> {
        let parent = self.asked.remove(subject).ok_or_else(|| {
            misuse(&format!(
                "the referrers of {subject} were not asked for (or were already provided)"
            ))
        })?;
        let depth = parent.map_or(0, |at| self.nodes[at].depth) + 1;
        for referrer in referrers {
            if self.seen.contains_key(&referrer.digest) {
                continue; // a digest cannot make a cycle, but a registry's listing can claim one
            }
            if depth > self.limits.max_depth {
                return Err(self.limits.depth_exceeded(u64::from(depth)));
            }
            let count = self.nodes.len() as u64 + 1;
            if count > self.limits.max_nodes {
                return Err(self.limits.nodes_exceeded(count));
            }
            let at = self.nodes.len();
            self.seen.insert(referrer.digest.clone(), Some(at));
            if self.depth.is_none_or(|limit| depth < limit) {
                self.ready.push_back((referrer.digest.clone(), Some(at)));
            }
            self.nodes.push(ReferrerNode {
                descriptor: referrer,
                parent,
                depth,
            });
        }
        Ok(())
    }
}
