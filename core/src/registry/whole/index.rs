//! Collections: an image index whose children are artifacts (the authoring guide's "Collections
//! of Artifacts using the OCI Index", as CNAB bundles do), built and updated the way ORAS 1.3's
//! `manifest index create` and `manifest index update` do, from children the host resolved.
//!
//! The host fetches each source (a tag or digest in the index's repository) and, for an image
//! manifest, the config [`platform_config`] names; the decisions are here:
//!
//! - a child must be a manifest or an index (`MEDIA_TYPE_MISMATCH` otherwise, before anything
//!   is pushed);
//! - its descriptor in the index is plain (media type, digest, size) with the `artifactType` of
//!   the child and, for an image manifest whose config says it, the `platform`
//!   ([`child_descriptor`]);
//! - an update removes by digest (each digest given must be listed: `DIGEST_INVALID`), then
//!   appends what is added, keeping the order of the rest and the index's other fields.
//!
//! ```
//! use ocikit_core::registry::whole::index::{ResolvedChild, create_index};
//! use ocikit_core::pack::{File, Pack};
//! use ocikit_core::MediaType;
//!
//! let docs = Pack::new()
//!     .artifact_type(MediaType::parse("application/vnd.example.docs.v1").unwrap())
//!     .file(File::from_bytes("readme.md", b"# Hi\n".to_vec()))
//!     .build()
//!     .unwrap();
//! let child = ResolvedChild::new(
//!     "application/vnd.oci.image.manifest.v1+json",
//!     docs.manifest.bytes().to_vec(),
//! )
//! .unwrap();
//! let bundle = create_index(
//!     &[child],
//!     Some(MediaType::parse("application/vnd.cnab.manifest.v1").unwrap()),
//!     Default::default(),
//! )
//! .unwrap();
//! let entry = &bundle.value().manifests[0];
//! assert_eq!(entry.digest, *docs.manifest.digest());
//! assert_eq!(entry.artifact_type.as_ref().unwrap().as_str(), "application/vnd.example.docs.v1");
//! ```

use serde_json::Value;

use super::super::operations::is_manifest_type;
use super::super::walk::Successors;
use crate::annotations::Annotations;
use crate::descriptor::Platform;
use crate::manifest::Document;
use crate::media_type::{docker, oci};
use crate::{Descriptor, Digest, Error, Index, MediaType};

/// The largest config read for a platform (ORAS's limit: 4 MiB).
pub const CONFIG_READ_MAX: u64 = 4 * 1024 * 1024;

/// A source of a collection as the host fetched it: the document's media type as served, its
/// exact bytes, and the bytes of the config [`platform_config`] named (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedChild {
    /// The media type the document was served with.
    pub media_type: String,
    /// The document's exact bytes.
    pub bytes: Vec<u8>,
    /// The bytes of the config [`platform_config`] named; `None` when it named none or the
    /// host did not read it.
    pub config: Option<Vec<u8>>,
}

impl ResolvedChild {
    /// A fetched document, refused unless it is a manifest or an index.
    ///
    /// # Errors
    /// `MEDIA_TYPE_MISMATCH` for a document served as anything but a manifest or an index
    /// type, or the errors of reading it as one.
    pub fn new(media_type: &str, bytes: Vec<u8>) -> Result<Self, Error> {
        if !is_manifest_type(media_type) {
            return Err(not_a_manifest(media_type));
        }
        Successors::read(media_type, &bytes)?;
        Ok(Self {
            media_type: media_type.to_owned(),
            bytes,
            config: None,
        })
    }

    /// With the config's bytes (see [`platform_config`]).
    #[must_use]
    pub fn with_config(mut self, config: Vec<u8>) -> Self {
        self.config = Some(config);
        self
    }
}

fn not_a_manifest(found: &str) -> Error {
    Error::MediaTypeMismatch {
        expected: format!(
            "a manifest or an index ({} or {})",
            oci::IMAGE_MANIFEST,
            oci::IMAGE_INDEX
        ),
        found: found.to_owned(),
    }
}

/// The config a host reads for a child's platform: an image manifest's config of at most
/// [`CONFIG_READ_MAX`] bytes, unless it is the empty descriptor (an artifact's config says
/// nothing about a platform). `None` for an index.
///
/// # Errors
/// `MEDIA_TYPE_MISMATCH` for a document that is not a manifest or an index, or the errors of
/// reading it.
pub fn platform_config(media_type: &str, bytes: &[u8]) -> Result<Option<Descriptor>, Error> {
    if !is_manifest_type(media_type) {
        return Err(not_a_manifest(media_type));
    }
    let successors = Successors::read(media_type, bytes)?;
    if successors.is_index {
        return Ok(None);
    }
    Ok(successors
        .children
        .into_iter()
        .next()
        .filter(|c| c.size <= CONFIG_READ_MAX && c.media_type.as_str() != oci::EMPTY))
}

/// The platform a config says (`architecture`, `os`, `os.version`, `os.features`,
/// `variant`), as ORAS reads it: nothing when it is not JSON or names neither an
/// architecture nor an OS.
pub fn config_platform(config: &[u8]) -> Option<Platform> {
    let value: Value = serde_json::from_slice(config).ok()?;
    let object = value.as_object()?;
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let architecture = text("architecture").unwrap_or_default();
    let os = text("os").unwrap_or_default();
    if architecture.is_empty() && os.is_empty() {
        return None;
    }
    let os_features = object
        .get("os.features")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(Platform {
        architecture,
        os,
        os_version: text("os.version"),
        os_features,
        variant: text("variant"),
        extra: serde_json::Map::new(),
    })
}

/// A child's descriptor in a collection: media type (the served one, else what the bytes say),
/// digest and size of its exact bytes, its `artifactType` (a manifest's own, else — for an
/// image-spec v1.0 artifact — nothing: ORAS copies only the field), and its platform when it
/// is an image manifest whose config says one.
///
/// # Errors
/// `MEDIA_TYPE_MISMATCH` for a document that is not a manifest or an index, or the errors of
/// reading it.
pub fn child_descriptor(child: &ResolvedChild) -> Result<Descriptor, Error> {
    if !is_manifest_type(&child.media_type) {
        return Err(not_a_manifest(&child.media_type));
    }
    let successors = Successors::read(&child.media_type, &child.bytes)?;
    let mut descriptor = Descriptor::for_content(successors.media_type.clone(), &child.bytes);
    let value = crate::json::parse_strict(&child.bytes)?;
    descriptor.artifact_type = value
        .get("artifactType")
        .and_then(Value::as_str)
        .map(MediaType::parse)
        .transpose()?;
    let image = matches!(
        successors.media_type.as_str(),
        oci::IMAGE_MANIFEST | docker::MANIFEST
    );
    if image {
        descriptor.platform = child.config.as_deref().and_then(config_platform);
    }
    Ok(descriptor)
}

/// A new collection over `children`, in their order (`oras manifest index create`): the
/// index's `artifactType` and annotations as given.
///
/// # Errors
/// What [`child_descriptor`] refuses; `ANNOTATION_INVALID` for a `created` annotation that is
/// not RFC 3339.
pub fn create_index(
    children: &[ResolvedChild],
    artifact_type: Option<MediaType>,
    annotations: Annotations,
) -> Result<Document<Index>, Error> {
    let manifests = children
        .iter()
        .map(child_descriptor)
        .collect::<Result<Vec<_>, _>>()?;
    crate::pack::index(manifests, artifact_type, annotations, None)
}

/// What [`update_index`] changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexUpdate {
    /// Children to append, in this order.
    pub add: Vec<ResolvedChild>,
    /// Digests to remove; each must be listed by the index.
    pub remove: Vec<Digest>,
    /// Indexes whose entries are appended as they are, after `add` (ORAS's `--merge`).
    pub merge: Vec<ResolvedChild>,
    /// A new `artifactType`: `Some(None)` removes it, `None` keeps it.
    pub artifact_type: Option<Option<MediaType>>,
    /// Annotations to set on the index (added, or replacing a value of the same key).
    pub annotations: Annotations,
}

/// An index updated as `oras manifest index update` does: every entry listing a digest of
/// `remove` goes (a digest listed by no entry is an error), the others keep their order and
/// their fields, the children of `add` are appended, then the entries of each index of
/// `merge` as they are, then the artifact type and annotations change as asked. The index's
/// other fields (`subject`, unknown ones) are kept.
///
/// # Errors
/// `MEDIA_TYPE_MISMATCH` when `media_type`/`bytes` is not an index (a manifest cannot be
/// updated so) or a document to merge is not one, `DIGEST_INVALID` for a digest to remove
/// that the index does not list, what
/// [`child_descriptor`] refuses, `ANNOTATION_INVALID` for a `created` annotation that is not
/// RFC 3339, the errors of reading the index.
pub fn update_index(
    media_type: &str,
    bytes: &[u8],
    update: &IndexUpdate,
) -> Result<Document<Index>, Error> {
    if !is_manifest_type(media_type) || !Successors::read(media_type, bytes)?.is_index {
        return Err(Error::MediaTypeMismatch {
            expected: format!("an index ({})", oci::IMAGE_INDEX),
            found: media_type.to_owned(),
        });
    }
    let (mut index, _) = Index::from_json(bytes.to_vec())?.into_parts();
    for digest in &update.remove {
        if !index.manifests.iter().any(|m| &m.digest == digest) {
            return Err(Error::DigestInvalid {
                value: digest.to_string(),
                reason: "the index does not list it, so it cannot be removed",
            });
        }
    }
    index
        .manifests
        .retain(|m| !update.remove.iter().any(|d| d == &m.digest));
    for child in &update.add {
        index.manifests.push(child_descriptor(child)?);
    }
    for merged in &update.merge {
        let successors = Successors::read(&merged.media_type, &merged.bytes)?;
        if !is_manifest_type(&merged.media_type) || !successors.is_index {
            return Err(Error::MediaTypeMismatch {
                expected: format!("an index to merge ({})", oci::IMAGE_INDEX),
                found: merged.media_type.clone(),
            });
        }
        index.manifests.extend(successors.children);
    }
    if let Some(artifact_type) = &update.artifact_type {
        index.artifact_type = artifact_type.clone();
    }
    for (key, value) in &update.annotations {
        index.annotations.insert(key.clone(), value.clone());
    }
    crate::pack::index(
        index.manifests,
        index.artifact_type,
        index.annotations,
        index.subject,
    )
    .map(|document| {
        let (mut value, _) = document.into_parts();
        value.extra = index.extra;
        value.media_type = index.media_type;
        value.into_document()
    })
}
