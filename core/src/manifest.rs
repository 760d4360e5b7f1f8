//! Image manifests and image indexes (image-spec `manifest.md`, `image-index.md`).

use serde_json::{Map, Value};

use crate::annotations::Annotations;
use crate::descriptor::{
    Descriptor, annotations_value, as_array, as_object, join, media_type_field, missing,
    write_annotations, write_extra,
};
use crate::json::{self, ObjectWriter};
use crate::media_type::oci;
use crate::{Digest, Error, MediaType};

/// An image manifest: a config and layers, optionally an artifact type and a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `mediaType`; ocikit always writes `application/vnd.oci.image.manifest.v1+json`.
    pub media_type: Option<MediaType>,
    /// The type of an artifact (image-spec v1.1).
    pub artifact_type: Option<MediaType>,
    /// The configuration blob. REQUIRED.
    pub config: Descriptor,
    /// The layers. REQUIRED (an empty list is allowed but discouraged).
    pub layers: Vec<Descriptor>,
    /// The manifest this one refers to (signatures, SBOMs, attestations).
    pub subject: Option<Descriptor>,
    /// Arbitrary metadata.
    pub annotations: Annotations,
    /// Fields the spec does not define, kept as they were read.
    pub extra: Map<String, Value>,
}

/// An image index: a list of manifests, for several platforms or as a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// `mediaType`; ocikit always writes `application/vnd.oci.image.index.v1+json`.
    pub media_type: Option<MediaType>,
    /// The type of an artifact collection (image-spec v1.1).
    pub artifact_type: Option<MediaType>,
    /// The manifests. REQUIRED.
    pub manifests: Vec<Descriptor>,
    /// The manifest this index refers to.
    pub subject: Option<Descriptor>,
    /// Arbitrary metadata.
    pub annotations: Annotations,
    /// Fields the spec does not define, kept as they were read.
    pub extra: Map<String, Value>,
}

/// A document together with the exact bytes it was read from or written as.
///
/// Its digest is always the digest of those bytes: ocikit never re-serializes a document
/// before hashing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document<T> {
    value: T,
    bytes: Vec<u8>,
    digest: Digest,
}

impl<T> Document<T> {
    fn new(value: T, bytes: Vec<u8>) -> Self {
        let digest = crate::digest::sha256(&bytes);
        Self {
            value,
            bytes,
            digest,
        }
    }

    /// The typed document.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The exact bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The sha256 digest of [`bytes`](Self::bytes).
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// The size of [`bytes`](Self::bytes).
    pub fn size(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Takes the typed document and the bytes apart.
    pub fn into_parts(self) -> (T, Vec<u8>) {
        (self.value, self.bytes)
    }
}

impl Document<Manifest> {
    /// A descriptor of this manifest, with its artifact type, as an index or the referrers API
    /// lists it.
    pub fn descriptor(&self) -> Descriptor {
        let mut descriptor = Descriptor::new(
            MediaType::known(oci::IMAGE_MANIFEST),
            self.digest.clone(),
            self.size(),
        );
        descriptor.artifact_type = self.value.artifact_type.clone();
        descriptor
    }

    /// The descriptor of this manifest as a referrers list shows it (distribution-spec
    /// "Listing Referrers"): its `artifactType`, or its config's media type when it has none,
    /// and its annotations.
    pub fn referrer_descriptor(&self) -> Descriptor {
        let mut descriptor = self.descriptor();
        descriptor.artifact_type = Some(
            self.value
                .artifact_type
                .clone()
                .unwrap_or_else(|| self.value.config.media_type.clone()),
        );
        descriptor.annotations = self.value.annotations.clone();
        descriptor
    }
}

impl Document<Index> {
    /// A descriptor of this index.
    pub fn descriptor(&self) -> Descriptor {
        let mut descriptor = Descriptor::new(
            MediaType::known(oci::IMAGE_INDEX),
            self.digest.clone(),
            self.size(),
        );
        descriptor.artifact_type = self.value.artifact_type.clone();
        descriptor
    }

    /// The descriptor of this index as a referrers list shows it: its `artifactType` and its
    /// annotations (an index has no config to fall back on).
    pub fn referrer_descriptor(&self) -> Descriptor {
        let mut descriptor = self.descriptor();
        descriptor.annotations = self.value.annotations.clone();
        descriptor
    }
}

fn write_header(
    object: &mut ObjectWriter<'_>,
    media_type: Option<&MediaType>,
    artifact_type: Option<&MediaType>,
) {
    object.key("schemaVersion").push('2');
    if let Some(media_type) = media_type {
        object.string("mediaType", media_type.as_str());
    }
    if let Some(artifact_type) = artifact_type {
        object.string("artifactType", artifact_type.as_str());
    }
}

fn write_descriptors(out: &mut String, descriptors: &[Descriptor]) {
    out.push('[');
    for (i, descriptor) in descriptors.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        descriptor.write_json(out);
    }
    out.push(']');
}

fn write_trailer(
    object: &mut ObjectWriter<'_>,
    subject: Option<&Descriptor>,
    annotations: &Annotations,
) {
    if let Some(subject) = subject {
        subject.write_json(object.key("subject"));
    }
    if !annotations.is_empty() {
        write_annotations(object.key("annotations"), annotations);
    }
}

impl Manifest {
    /// A manifest with the given config and layers and the OCI manifest media type.
    pub fn new(config: Descriptor, layers: Vec<Descriptor>) -> Self {
        Self {
            media_type: Some(MediaType::known(oci::IMAGE_MANIFEST)),
            artifact_type: None,
            config,
            layers,
            subject: None,
            annotations: Annotations::new(),
            extra: Map::new(),
        }
    }

    /// The canonical bytes of this manifest: Go image-spec field order (schemaVersion,
    /// mediaType, artifactType, config, layers, subject, annotations), compact, keys of maps
    /// sorted, Go's escaping.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::with_capacity(256 + 200 * self.layers.len());
        let mut object = ObjectWriter::new(&mut out);
        write_header(
            &mut object,
            self.media_type.as_ref(),
            self.artifact_type.as_ref(),
        );
        self.config.write_json(object.key("config"));
        write_descriptors(object.key("layers"), &self.layers);
        write_trailer(&mut object, self.subject.as_ref(), &self.annotations);
        write_extra(&mut object, &self.extra);
        object.finish();
        out.into_bytes()
    }

    /// Encodes this manifest canonically and keeps the bytes with it.
    pub fn into_document(self) -> Document<Self> {
        let bytes = self.to_json();
        Document::new(self, bytes)
    }

    /// Reads a manifest, keeping `bytes` as they are.
    ///
    /// # Errors
    /// The first rule the document breaks (strict JSON, required fields, field types and
    /// grammars, `schemaVersion` 2, the manifest media type). [`validate()`](crate::validate())-style reports
    /// of every finding come with the validator.
    pub fn from_json(bytes: Vec<u8>) -> Result<Document<Self>, Error> {
        let value = json::parse_strict(&bytes)?;
        let object = as_object(&value, "")?;
        let media_type = check_header(object, oci::IMAGE_MANIFEST)?;
        let mut manifest = Self {
            media_type,
            artifact_type: media_type_field(object, "", "artifactType")?,
            config: Descriptor::from_value(
                object.get("config").ok_or_else(|| missing("", "config"))?,
                "/config",
            )?,
            layers: descriptors(object, "layers")?,
            subject: optional_descriptor(object, "subject")?,
            annotations: optional_annotations(object)?,
            extra: Map::new(),
        };
        manifest.extra = unknown(
            object,
            &[
                "schemaVersion",
                "mediaType",
                "artifactType",
                "config",
                "layers",
                "subject",
                "annotations",
            ],
        );
        Ok(Document::new(manifest, bytes))
    }
}

impl Index {
    /// An index of the given manifests with the OCI index media type.
    pub fn new(manifests: Vec<Descriptor>) -> Self {
        Self {
            media_type: Some(MediaType::known(oci::IMAGE_INDEX)),
            artifact_type: None,
            manifests,
            subject: None,
            annotations: Annotations::new(),
            extra: Map::new(),
        }
    }

    /// The canonical bytes of this index (Go image-spec field order: schemaVersion, mediaType,
    /// artifactType, manifests, subject, annotations).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::with_capacity(256 + 200 * self.manifests.len());
        let mut object = ObjectWriter::new(&mut out);
        write_header(
            &mut object,
            self.media_type.as_ref(),
            self.artifact_type.as_ref(),
        );
        write_descriptors(object.key("manifests"), &self.manifests);
        write_trailer(&mut object, self.subject.as_ref(), &self.annotations);
        write_extra(&mut object, &self.extra);
        object.finish();
        out.into_bytes()
    }

    /// Encodes this index canonically and keeps the bytes with it.
    pub fn into_document(self) -> Document<Self> {
        let bytes = self.to_json();
        Document::new(self, bytes)
    }

    /// Reads an index, keeping `bytes` as they are.
    ///
    /// # Errors
    /// The first rule the document breaks, as for [`Manifest::from_json`].
    pub fn from_json(bytes: Vec<u8>) -> Result<Document<Self>, Error> {
        let value = json::parse_strict(&bytes)?;
        let object = as_object(&value, "")?;
        let media_type = check_header(object, oci::IMAGE_INDEX)?;
        let mut index = Self {
            media_type,
            artifact_type: media_type_field(object, "", "artifactType")?,
            manifests: descriptors(object, "manifests")?,
            subject: optional_descriptor(object, "subject")?,
            annotations: optional_annotations(object)?,
            extra: Map::new(),
        };
        index.extra = unknown(
            object,
            &[
                "schemaVersion",
                "mediaType",
                "artifactType",
                "manifests",
                "subject",
                "annotations",
            ],
        );
        Ok(Document::new(index, bytes))
    }
}

/// `schemaVersion` MUST be 2; `mediaType` SHOULD be present and MUST then be the kind's type.
fn check_header(object: &Map<String, Value>, expected: &str) -> Result<Option<MediaType>, Error> {
    match object.get("schemaVersion") {
        None => return Err(missing("", "schemaVersion")),
        Some(v) if v.as_u64() == Some(2) => {}
        Some(v) => {
            return Err(Error::SchemaVersionInvalid {
                found: v.to_string(),
            });
        }
    }
    let media_type = media_type_field(object, "", "mediaType")?;
    if let Some(found) = &media_type {
        if found.as_str() != expected {
            return Err(Error::MediaTypeMismatch {
                expected: expected.to_owned(),
                found: found.to_string(),
            });
        }
    }
    Ok(media_type)
}

fn descriptors(object: &Map<String, Value>, key: &str) -> Result<Vec<Descriptor>, Error> {
    let path = join("", key);
    let items = as_array(object.get(key).ok_or_else(|| missing("", key))?, &path)?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| Descriptor::from_value(item, &format!("{path}/{i}")))
        .collect()
}

fn optional_descriptor(
    object: &Map<String, Value>,
    key: &str,
) -> Result<Option<Descriptor>, Error> {
    object
        .get(key)
        .map(|v| Descriptor::from_value(v, &join("", key)))
        .transpose()
}

fn optional_annotations(object: &Map<String, Value>) -> Result<Annotations, Error> {
    object
        .get("annotations")
        .map(|v| annotations_value(v, "/annotations"))
        .transpose()
        .map(Option::unwrap_or_default)
}

fn unknown(object: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    object
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}
