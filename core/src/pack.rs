//! Packing an artifact: files, a type, an optional config and annotations into an image
//! manifest, the way ORAS's `PackManifest` does, byte for byte.
//!
//! ```
//! use ocikit_core::pack::{File, Pack};
//! use ocikit_core::MediaType;
//!
//! let overview = File::from_bytes("overview.md", b"# Overview\n".to_vec())
//!     .with_media_type(MediaType::parse("application/vnd.example.docs.layer.v1+md").unwrap());
//! let packed = Pack::new()
//!     .artifact_type(MediaType::parse("application/vnd.example.docs.config.v1+json").unwrap())
//!     .file(overview)
//!     .build()
//!     .unwrap();
//! assert_eq!(packed.manifest.value().layers[0].annotations["org.opencontainers.image.title"], "overview.md");
//! // The empty config is a blob the host uploads along with the files.
//! assert_eq!(packed.blobs.len(), 2);
//! ```

use crate::annotations::{self, Annotations};
use crate::descriptor::{Descriptor, EMPTY_JSON};
use crate::manifest::{Document, Manifest};
use crate::media_type::oci;
use crate::{Digest, Error, MediaType};

/// The media type ORAS gives files pushed without one.
pub const DEFAULT_FILE_MEDIA_TYPE: &str = oci::IMAGE_LAYER;
/// The artifact type ORAS uses when none is given (image-spec v1.1).
pub const UNKNOWN_ARTIFACT_TYPE: &str = "application/vnd.unknown.artifact.v1";
/// The config media type ORAS uses when none is given (image-spec v1.0).
pub const UNKNOWN_CONFIG_TYPE: &str = "application/vnd.unknown.config.v1+json";

/// Which image-spec version's conventions to pack with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ImageSpec {
    /// v1.1 (default): `artifactType` names the type; the config is the empty descriptor
    /// unless given; an artifact without files gets one empty layer.
    #[default]
    V1_1,
    /// v1.0: the config's media type names the type (its content is `{}` unless given);
    /// no `artifactType`, no `subject`.
    V1_0,
}

/// A blob's content, or the digest and size of content the host streams itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// The bytes.
    Bytes(Vec<u8>),
    /// Only the digest and size (the host hashed and will upload a large file itself).
    Digested {
        /// The content's digest.
        digest: Digest,
        /// The content's size.
        size: u64,
    },
}

/// A file to pack as a layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// The file's name, written to `org.opencontainers.image.title`; `ocikit pull` writes the
    /// file back under it, so it must be a portable relative path.
    pub name: String,
    /// The layer media type; ORAS's default (`application/vnd.oci.image.layer.v1.tar`) if unset.
    pub media_type: Option<MediaType>,
    /// The content.
    pub content: Content,
    /// Annotations for this layer (a `title` here overrides `name`, as in ORAS).
    pub annotations: Annotations,
}

impl File {
    /// A file with its bytes.
    pub fn from_bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            name: name.into(),
            media_type: None,
            content: Content::Bytes(bytes),
            annotations: Annotations::new(),
        }
    }

    /// A file the host hashed itself.
    pub fn from_digest(name: impl Into<String>, digest: Digest, size: u64) -> Self {
        Self {
            name: name.into(),
            media_type: None,
            content: Content::Digested { digest, size },
            annotations: Annotations::new(),
        }
    }

    /// Sets the layer media type.
    #[must_use]
    pub fn with_media_type(mut self, media_type: MediaType) -> Self {
        self.media_type = Some(media_type);
        self
    }
}

/// A config blob given by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The config media type.
    pub media_type: MediaType,
    /// The content.
    pub content: Content,
}

/// A blob the host has to upload for the packed manifest, with its bytes where ocikit has them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// The blob's descriptor, as it appears in the manifest.
    pub descriptor: Descriptor,
    /// The bytes, unless the caller gave only a digest and size.
    pub bytes: Option<Vec<u8>>,
}

/// The result of packing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    /// The manifest and its exact bytes.
    pub manifest: Document<Manifest>,
    /// Every blob the manifest references, config first, each once.
    pub blobs: Vec<Blob>,
}

/// A builder for an artifact manifest.
#[derive(Debug, Clone, Default)]
pub struct Pack {
    spec: ImageSpec,
    artifact_type: Option<MediaType>,
    config: Option<Config>,
    config_annotations: Annotations,
    files: Vec<File>,
    annotations: Annotations,
    subject: Option<Descriptor>,
    created: Option<String>,
    embed_max: Option<u64>,
    /// Titles are written as given, unchecked (ORAS's `--disable-path-validation`).
    titles_unchecked: bool,
}

impl Pack {
    /// An empty builder (image-spec v1.1).
    pub fn new() -> Self {
        Self::default()
    }

    /// The image-spec conventions to follow.
    #[must_use]
    pub fn spec(mut self, spec: ImageSpec) -> Self {
        self.spec = spec;
        self
    }

    /// The artifact type (v1.1: `artifactType`; v1.0: the config media type).
    #[must_use]
    pub fn artifact_type(mut self, artifact_type: MediaType) -> Self {
        self.artifact_type = Some(artifact_type);
        self
    }

    /// A config blob instead of the empty one.
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Annotations of the config descriptor (ORAS's `$config` section).
    #[must_use]
    pub fn config_annotations(mut self, annotations: Annotations) -> Self {
        self.config_annotations = annotations;
        self
    }

    /// Adds a file as the next layer.
    #[must_use]
    pub fn file(mut self, file: File) -> Self {
        self.files.push(file);
        self
    }

    /// Manifest annotations (ORAS's `$manifest` section).
    #[must_use]
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.annotations = annotations;
        self
    }

    /// The manifest this artifact refers to (v1.1 only).
    #[must_use]
    pub fn subject(mut self, subject: Descriptor) -> Self {
        self.subject = Some(subject);
        self
    }

    /// Sets `org.opencontainers.image.created` (RFC 3339). Without it, and without that
    /// annotation, the manifest has no creation time and packing is deterministic.
    #[must_use]
    pub fn created(mut self, created: impl Into<String>) -> Self {
        self.created = Some(created.into());
        self
    }

    /// Embeds blobs of at most `max` bytes in their descriptors' `data` field.
    #[must_use]
    pub fn embed_data_up_to(mut self, max: u64) -> Self {
        self.embed_max = Some(max);
        self
    }

    /// Writes file titles as given, without [`check_title`]: an absolute path or one with
    /// `..` (ORAS's `push --disable-path-validation`). A pull refuses such titles, ORAS's
    /// without `--allow-path-traversal`, ocikit's always.
    #[must_use]
    pub fn disable_path_validation(mut self) -> Self {
        self.titles_unchecked = true;
        self
    }

    /// Applies the ORAS CLI's default: with image-spec v1.1, no config and no artifact type,
    /// the artifact type is `application/vnd.unknown.artifact.v1`. (The library itself asks
    /// for an artifact type instead: [`Error::ArtifactTypeRequired`].)
    #[must_use]
    pub fn with_cli_defaults(mut self) -> Self {
        if self.spec == ImageSpec::V1_1 && self.config.is_none() && self.artifact_type.is_none() {
            self.artifact_type = Some(MediaType::known(UNKNOWN_ARTIFACT_TYPE));
        }
        self
    }

    /// Builds the manifest.
    ///
    /// # Errors
    /// [`Error::ArtifactTypeRequired`] (v1.1 with the empty config and no artifact type),
    /// [`Error::AnnotationInvalid`] for a non-portable file title or a `created` value that is
    /// not RFC 3339, [`Error::OptionsInvalid`] for a subject with v1.0 or a v1.0 config given
    /// together with an artifact type.
    pub fn build(self) -> Result<Packed, Error> {
        let mut blobs: Vec<Blob> = Vec::new();
        let embed = |descriptor: &mut Descriptor, bytes: Option<&Vec<u8>>| {
            if let (Some(max), Some(bytes)) = (self.embed_max, bytes) {
                if bytes.len() as u64 <= max {
                    descriptor.data = Some(bytes.clone());
                }
            }
        };

        let config_is_empty = self
            .config
            .as_ref()
            .is_none_or(|c| c.media_type.as_str() == oci::EMPTY);
        match self.spec {
            // image-spec manifest.md: artifactType MUST be set when the config is the empty one.
            ImageSpec::V1_1 if config_is_empty && self.artifact_type.is_none() => {
                return Err(Error::ArtifactTypeRequired);
            }
            ImageSpec::V1_0 if self.config.is_some() && self.artifact_type.is_some() => {
                return Err(Error::OptionsInvalid {
                    reason: "with image-spec v1.0 the config media type is the artifact type: give a config or an artifact type, not both",
                });
            }
            // v1.0 has no artifactType field: a config of the empty type would leave the
            // artifact without one, which manifest.md forbids (validate: ARTIFACT_TYPE_REQUIRED).
            ImageSpec::V1_0
                if self
                    .config
                    .as_ref()
                    .map(|c| &c.media_type)
                    .or(self.artifact_type.as_ref())
                    .is_some_and(|t| t.as_str() == oci::EMPTY) =>
            {
                return Err(Error::ArtifactTypeRequired);
            }
            _ => {}
        }
        let config = match (&self.config, self.spec) {
            (Some(config), _) => {
                let (mut descriptor, bytes) = describe(config.media_type.clone(), &config.content);
                embed(&mut descriptor, bytes.as_ref());
                descriptor.annotations = self.config_annotations.clone();
                Blob { descriptor, bytes }
            }
            (None, ImageSpec::V1_1) => {
                let mut descriptor = Descriptor::empty();
                descriptor.annotations = self.config_annotations.clone();
                Blob {
                    descriptor,
                    bytes: Some(EMPTY_JSON.to_vec()),
                }
            }
            (None, ImageSpec::V1_0) => {
                let media_type = self
                    .artifact_type
                    .clone()
                    .unwrap_or_else(|| MediaType::known(UNKNOWN_CONFIG_TYPE));
                let mut descriptor = Descriptor::for_content(media_type, EMPTY_JSON);
                embed(&mut descriptor, Some(&EMPTY_JSON.to_vec()));
                descriptor.annotations = self.config_annotations.clone();
                Blob {
                    descriptor,
                    bytes: Some(EMPTY_JSON.to_vec()),
                }
            }
        };
        blobs.push(config.clone());

        let mut layers = Vec::with_capacity(self.files.len().max(1));
        for file in &self.files {
            let media_type = file
                .media_type
                .clone()
                .unwrap_or_else(|| MediaType::known(DEFAULT_FILE_MEDIA_TYPE));
            let (mut descriptor, bytes) = describe(media_type, &file.content);
            embed(&mut descriptor, bytes.as_ref());
            descriptor
                .annotations
                .insert(annotations::TITLE.to_owned(), file.name.clone());
            descriptor.annotations.extend(file.annotations.clone());
            if !self.titles_unchecked {
                check_title(&descriptor.annotations[annotations::TITLE])?;
            }
            push_unique(
                &mut blobs,
                Blob {
                    descriptor: descriptor.clone(),
                    bytes,
                },
            );
            layers.push(descriptor);
        }
        if layers.is_empty() && self.spec == ImageSpec::V1_1 {
            // image-spec: an artifact without content SHOULD have the empty descriptor as its
            // single layer, because some registries reject an empty `layers`.
            let descriptor = Descriptor::empty();
            push_unique(
                &mut blobs,
                Blob {
                    descriptor: descriptor.clone(),
                    bytes: Some(EMPTY_JSON.to_vec()),
                },
            );
            layers.push(descriptor);
        }

        let mut manifest_annotations = self.annotations.clone();
        if let Some(created) = &self.created {
            manifest_annotations.insert(annotations::CREATED.to_owned(), created.clone());
        }
        // annotations.md: `created` is an RFC 3339 date-time wherever it is set — on the
        // manifest, the config or a file (validate refuses it anywhere else).
        check_created(&manifest_annotations)?;
        check_created(&config.descriptor.annotations)?;
        for layer in &layers {
            check_created(&layer.annotations)?;
        }

        let mut manifest = Manifest::new(config.descriptor, layers);
        manifest.annotations = manifest_annotations;
        match self.spec {
            ImageSpec::V1_1 => {
                manifest.artifact_type = self.artifact_type;
                manifest.subject = self.subject;
            }
            ImageSpec::V1_0 => {
                if self.subject.is_some() {
                    return Err(Error::OptionsInvalid {
                        reason: "image-spec v1.0 manifests cannot have a subject; pack with v1.1",
                    });
                }
            }
        }
        Ok(Packed {
            manifest: manifest.into_document(),
            blobs,
        })
    }
}

fn describe(media_type: MediaType, content: &Content) -> (Descriptor, Option<Vec<u8>>) {
    match content {
        Content::Bytes(bytes) => (
            Descriptor::for_content(media_type, bytes),
            Some(bytes.clone()),
        ),
        Content::Digested { digest, size } => {
            (Descriptor::new(media_type, digest.clone(), *size), None)
        }
    }
}

fn push_unique(blobs: &mut Vec<Blob>, blob: Blob) {
    if !blobs
        .iter()
        .any(|b| b.descriptor.digest == blob.descriptor.digest)
    {
        blobs.push(blob);
    }
}

/// `org.opencontainers.image.created`, when present, must be an RFC 3339 date-time.
fn check_created(annotations: &Annotations) -> Result<(), Error> {
    match annotations.get(annotations::CREATED) {
        Some(created) if !crate::time::is_rfc3339(created) => Err(Error::AnnotationInvalid {
            key: annotations::CREATED.to_owned(),
            reason: format!("{created:?} is not an RFC 3339 date-time"),
        }),
        _ => Ok(()),
    }
}

/// A title is written back to disk by pull: it must be a relative path that stays inside the
/// target directory and that every OS can create.
pub fn check_title(title: &str) -> Result<(), Error> {
    let invalid = |reason: &str| {
        Err(Error::AnnotationInvalid {
            key: annotations::TITLE.to_owned(),
            reason: format!("{title:?} {reason}"),
        })
    };
    if title.is_empty() {
        return invalid("is empty");
    }
    if title.starts_with('/') || title.starts_with('\\') || title.as_bytes().get(1) == Some(&b':') {
        return invalid("is an absolute path; file titles must be relative");
    }
    for component in title.split(['/', '\\']) {
        if component == ".." {
            return invalid("climbs out of the directory with '..'");
        }
        if let Some(c) = component
            .chars()
            .find(|c| matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*') || c.is_control())
        {
            return invalid(&format!(
                "contains {c:?}, which Windows does not allow in file names"
            ));
        }
        if component.ends_with(['.', ' ']) && component != "." {
            return invalid("has a path component ending in '.' or ' ', which Windows drops");
        }
        let stem = component
            .split('.')
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || (stem.len() == 4
                && (stem.starts_with("COM") || stem.starts_with("LPT"))
                && stem.as_bytes()[3].is_ascii_digit());
        if reserved {
            return invalid(&format!(
                "uses the reserved Windows device name {component:?}"
            ));
        }
    }
    Ok(())
}

/// A title that a pull will write: [`check_title`], and unless `allow_git`, no `.git` path
/// component (compared as Windows and macOS compare names: any case, and `git~1`, the 8.3
/// short name Windows may give `.git`). A pulled `.git/config` or `.git/hooks/…` would make
/// the next `git` command in that directory run what the artifact says (CVE-2014-9390 is the
/// same attack through a checkout).
///
/// # Errors
/// What [`check_title`] returns, or [`Error::PathUnsafe`] for a `.git` component.
pub fn check_pulled_title(title: &str, allow_git: bool) -> Result<(), Error> {
    check_title(title)?;
    if !allow_git
        && title
            .split(['/', '\\'])
            .any(|c| c.eq_ignore_ascii_case(".git") || c.eq_ignore_ascii_case("git~1"))
    {
        return Err(Error::PathUnsafe {
            path: title.to_owned(),
            reason: "a pulled file may not be written into a .git directory, where git would \
                     run what it says (allow .git paths explicitly to pull them)"
                .to_owned(),
        });
    }
    Ok(())
}

/// Builds an image index over manifests: a multi-platform image (entries with `platform`) or an
/// artifact collection (an `artifactType` naming what the collection is, as CNAB bundles do).
///
/// # Errors
/// [`Error::AnnotationInvalid`] when `annotations` has a `created` that is not RFC 3339.
pub fn index(
    manifests: Vec<Descriptor>,
    artifact_type: Option<MediaType>,
    annotations: Annotations,
    subject: Option<Descriptor>,
) -> Result<Document<crate::Index>, Error> {
    check_created(&annotations)?;
    let mut index = crate::Index::new(manifests);
    index.artifact_type = artifact_type;
    index.annotations = annotations;
    index.subject = subject;
    Ok(index.into_document())
}
