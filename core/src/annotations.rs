//! Annotation keys the image-spec predefines (`annotations.md`).
//!
//! Annotations are a string-to-string map; keys SHOULD be reverse-domain names, and keys under
//! `org.opencontainers` are reserved for the specification.

use std::collections::BTreeMap;

/// An annotation map. Sorted by key, which is also the order canonical JSON writes them in.
pub type Annotations = BTreeMap<String, String>;

/// Date and time the artifact was built (RFC 3339).
pub const CREATED: &str = "org.opencontainers.image.created";
/// Contact details of the people or organisation responsible.
pub const AUTHORS: &str = "org.opencontainers.image.authors";
/// URL to find more information.
pub const URL: &str = "org.opencontainers.image.url";
/// URL to get documentation.
pub const DOCUMENTATION: &str = "org.opencontainers.image.documentation";
/// URL to get the source code.
pub const SOURCE: &str = "org.opencontainers.image.source";
/// Version of the packaged software.
pub const VERSION: &str = "org.opencontainers.image.version";
/// Source control revision.
pub const REVISION: &str = "org.opencontainers.image.revision";
/// Name of the distributing entity.
pub const VENDOR: &str = "org.opencontainers.image.vendor";
/// License(s), as an SPDX License Expression.
pub const LICENSES: &str = "org.opencontainers.image.licenses";
/// Name of the reference for a target (a tag, in an image layout's `index.json`).
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Human-readable title; for a layer, its file name.
pub const TITLE: &str = "org.opencontainers.image.title";
/// Human-readable description.
pub const DESCRIPTION: &str = "org.opencontainers.image.description";
/// Digest of the image this image is based on.
pub const BASE_IMAGE_DIGEST: &str = "org.opencontainers.image.base.digest";
/// Reference of the image this image is based on.
pub const BASE_IMAGE_NAME: &str = "org.opencontainers.image.base.name";
