//! Content descriptors (image-spec `descriptor.md`) and platforms.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};

use crate::annotations::Annotations;
use crate::json::{self, ObjectWriter};
use crate::{Digest, Error, MediaType};

/// A reference to content: its type, digest and size, with optional extras.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Descriptor {
    /// The media type of the referenced content. REQUIRED.
    pub media_type: MediaType,
    /// The digest of the referenced content. REQUIRED.
    pub digest: Digest,
    /// The size in bytes of the referenced content. REQUIRED (an int64 in the spec).
    pub size: u64,
    /// URLs the content MAY be downloaded from.
    pub urls: Vec<String>,
    /// Arbitrary metadata.
    pub annotations: Annotations,
    /// The content itself, embedded; it MUST match `digest` and `size`.
    pub data: Option<Vec<u8>>,
    /// The platform of a manifest in an index.
    pub platform: Option<Platform>,
    /// The type of an artifact when the descriptor points to one.
    pub artifact_type: Option<MediaType>,
    /// Fields the spec does not define, kept as they were read.
    pub extra: Map<String, Value>,
}

/// The platform an image runs on (`platform` of an index entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// CPU architecture, as Go's `GOARCH` (e.g. `amd64`). REQUIRED.
    pub architecture: String,
    /// Operating system, as Go's `GOOS` (e.g. `linux`). REQUIRED.
    pub os: String,
    /// Version of the operating system (`os.version`).
    pub os_version: Option<String>,
    /// Required OS features (`os.features`).
    pub os_features: Vec<String>,
    /// CPU variant (e.g. `v8`).
    pub variant: Option<String>,
    /// Fields the spec does not define, kept as they were read.
    pub extra: Map<String, Value>,
}

impl Descriptor {
    /// A descriptor with just the required fields.
    pub fn new(media_type: MediaType, digest: Digest, size: u64) -> Self {
        Self {
            media_type,
            digest,
            size,
            urls: Vec::new(),
            annotations: Annotations::new(),
            data: None,
            platform: None,
            artifact_type: None,
            extra: Map::new(),
        }
    }

    /// The descriptor of `content`, hashed with sha256.
    pub fn for_content(media_type: MediaType, content: &[u8]) -> Self {
        Self::new(
            media_type,
            crate::digest::sha256(content),
            content.len() as u64,
        )
    }

    /// The image-spec's empty descriptor: `{}` as `application/vnd.oci.empty.v1+json`, with
    /// the content embedded in `data`.
    pub fn empty() -> Self {
        let mut descriptor =
            Self::for_content(MediaType::known(crate::media_type::oci::EMPTY), EMPTY_JSON);
        descriptor.data = Some(EMPTY_JSON.to_vec());
        descriptor
    }

    /// Whether this is the empty descriptor's type (`application/vnd.oci.empty.v1+json`).
    pub fn is_empty_type(&self) -> bool {
        self.media_type.as_str() == crate::media_type::oci::EMPTY
    }

    /// The canonical bytes of this descriptor: Go image-spec field order (mediaType, digest,
    /// size, urls, annotations, data, platform, artifactType), compact, Go's escaping.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::with_capacity(160);
        self.write_json(&mut out);
        out.into_bytes()
    }

    /// Reads a descriptor on its own (strict JSON; the first rule broken is the error).
    ///
    /// # Errors
    /// As [`Descriptor::from_value`], and [`Error::JsonInvalid`] for malformed JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        Self::from_value(&json::parse_strict(bytes)?, "")
    }

    /// Appends the canonical JSON of this descriptor (Go image-spec field order).
    pub(crate) fn write_json(&self, out: &mut String) {
        let mut object = ObjectWriter::new(out);
        object.string("mediaType", self.media_type.as_str());
        object.string("digest", &self.digest.to_string());
        object.key("size").push_str(&self.size.to_string());
        if !self.urls.is_empty() {
            let out = object.key("urls");
            out.push('[');
            for (i, url) in self.urls.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_string(out, url);
            }
            out.push(']');
        }
        if !self.annotations.is_empty() {
            write_annotations(object.key("annotations"), &self.annotations);
        }
        if let Some(data) = self.data.as_deref().filter(|d| !d.is_empty()) {
            object.string("data", &BASE64.encode(data));
        }
        if let Some(platform) = &self.platform {
            platform.write_json(object.key("platform"));
        }
        if let Some(artifact_type) = &self.artifact_type {
            object.string("artifactType", artifact_type.as_str());
        }
        write_extra(&mut object, &self.extra);
        object.finish();
    }

    /// Reads a descriptor from a parsed JSON value; `path` is its JSON pointer, for errors.
    ///
    /// # Errors
    /// The first rule the value breaks: [`Error::FieldMissing`], [`Error::JsonInvalid`] for a
    /// wrong JSON type, [`Error::MediaTypeInvalid`], [`Error::DigestInvalid`],
    /// [`Error::SizeInvalid`], [`Error::DataInvalid`].
    pub fn from_value(value: &Value, path: &str) -> Result<Self, Error> {
        let object = as_object(value, path)?;
        let mut descriptor = Self::new(
            media_type_field(object, path, "mediaType")?
                .ok_or_else(|| missing(path, "mediaType"))?,
            match object.get("digest") {
                None => return Err(missing(path, "digest")),
                Some(v) => Digest::parse(as_str(v, &join(path, "digest"))?)?,
            },
            match object.get("size") {
                None => return Err(missing(path, "size")),
                Some(v) => size_value(v)?,
            },
        );
        for (key, value) in object {
            let here = join(path, key);
            match key.as_str() {
                "mediaType" | "digest" | "size" => {}
                "urls" => {
                    descriptor.urls = as_array(value, &here)?
                        .iter()
                        .enumerate()
                        .map(|(i, u)| as_str(u, &format!("{here}/{i}")).map(str::to_owned))
                        .collect::<Result<_, _>>()?;
                }
                "annotations" => descriptor.annotations = annotations_value(value, &here)?,
                "data" => {
                    let text = as_str(value, &here)?;
                    let data = BASE64.decode(text).map_err(|e| Error::DataInvalid {
                        reason: format!("{here} is not padded standard base64: {e}"),
                    })?;
                    check_data(&data, &descriptor.digest, descriptor.size, &here)?;
                    // `"data": ""` is no embedded content, as Go's `omitempty` writes it: read
                    // as absent, so that the canonical JSON reads back to the same value.
                    descriptor.data = (!data.is_empty()).then_some(data);
                }
                "platform" => descriptor.platform = Some(Platform::from_value(value, &here)?),
                "artifactType" => {
                    descriptor.artifact_type = media_type_field(object, path, "artifactType")?;
                }
                _ => {
                    descriptor.extra.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(descriptor)
    }
}

/// The content of the empty descriptor.
pub const EMPTY_JSON: &[u8] = b"{}";

/// Checks embedded `data` against its descriptor's digest and size.
fn check_data(data: &[u8], digest: &Digest, size: u64, path: &str) -> Result<(), Error> {
    if data.len() as u64 != size {
        return Err(Error::DataInvalid {
            reason: format!("{path} holds {} bytes but size is {size}", data.len()),
        });
    }
    match crate::verify(data, digest, None) {
        Ok(()) => Ok(()),
        // Content in an algorithm ocikit cannot compute cannot be checked; not an error here.
        Err(Error::DigestUnsupported { .. }) => Ok(()),
        Err(_) => Err(Error::DataInvalid {
            reason: format!("{path} does not hash to {digest}"),
        }),
    }
}

impl Platform {
    /// The canonical bytes of this platform (Go image-spec field order: architecture, os,
    /// os.version, os.features, variant).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::with_capacity(64);
        self.write_json(&mut out);
        out.into_bytes()
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        let mut object = ObjectWriter::new(out);
        object.string("architecture", &self.architecture);
        object.string("os", &self.os);
        if let Some(version) = self.os_version.as_deref().filter(|v| !v.is_empty()) {
            object.string("os.version", version);
        }
        if !self.os_features.is_empty() {
            let out = object.key("os.features");
            out.push('[');
            for (i, feature) in self.os_features.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_string(out, feature);
            }
            out.push(']');
        }
        if let Some(variant) = self.variant.as_deref().filter(|v| !v.is_empty()) {
            object.string("variant", variant);
        }
        write_extra(&mut object, &self.extra);
        object.finish();
    }

    /// Reads a platform from a parsed JSON value.
    ///
    /// # Errors
    /// [`Error::FieldMissing`] or [`Error::JsonInvalid`].
    pub fn from_value(value: &Value, path: &str) -> Result<Self, Error> {
        let object = as_object(value, path)?;
        let required = |key: &str| -> Result<String, Error> {
            let v = object.get(key).ok_or_else(|| missing(path, key))?;
            as_str(v, &join(path, key)).map(str::to_owned)
        };
        let mut platform = Self {
            architecture: required("architecture")?,
            os: required("os")?,
            os_version: None,
            os_features: Vec::new(),
            variant: None,
            extra: Map::new(),
        };
        for (key, value) in object {
            let here = join(path, key);
            match key.as_str() {
                "architecture" | "os" => {}
                // Empty reads as absent: the canonical form omits both (Go's `omitempty`), so a
                // platform's value survives its own round trip.
                "os.version" => platform.os_version = non_empty(as_str(value, &here)?),
                "variant" => platform.variant = non_empty(as_str(value, &here)?),
                "os.features" => {
                    platform.os_features = as_array(value, &here)?
                        .iter()
                        .enumerate()
                        .map(|(i, f)| as_str(f, &format!("{here}/{i}")).map(str::to_owned))
                        .collect::<Result<_, _>>()?;
                }
                _ => {
                    platform.extra.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(platform)
    }
}

fn non_empty(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_owned())
}

pub(crate) fn write_annotations(out: &mut String, annotations: &Annotations) {
    let mut object = ObjectWriter::new(out);
    for (key, value) in annotations {
        object.string(key, value);
    }
    object.finish();
}

/// Writes unknown fields after the known ones, sorted by key. (Go's structs drop unknown fields;
/// ocikit keeps what it read, but never has any in what it builds itself.)
pub(crate) fn write_extra(object: &mut ObjectWriter<'_>, extra: &Map<String, Value>) {
    let mut keys: Vec<&String> = extra.keys().collect();
    keys.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for key in keys {
        json::write_value(object.key(key), &extra[key]);
    }
}

// Typed access to parsed JSON, with JSON pointers in the errors.

/// Appends `key` to a JSON pointer, escaping `~` and `/` (RFC 6901).
pub(crate) fn join(path: &str, key: &str) -> String {
    // RFC 6901 §3: `~` is written `~0` and `/` is written `~1` in a reference token. One
    // allocation, no formatting: validation joins a path for every field it looks at.
    let mut out = String::with_capacity(path.len() + 1 + key.len());
    out.push_str(path);
    out.push('/');
    let mut start = 0;
    for (at, byte) in key.bytes().enumerate() {
        let escaped = match byte {
            b'~' => "~0",
            b'/' => "~1",
            _ => continue,
        };
        // ASCII bytes, so `at` is on a character boundary.
        out.push_str(&key[start..at]);
        out.push_str(escaped);
        start = at + 1;
    }
    out.push_str(&key[start..]);
    out
}

pub(crate) fn missing(path: &str, key: &str) -> Error {
    Error::FieldMissing {
        path: join(path, key),
    }
}

/// "a string", "an object", … for messages about a JSON value of the wrong type.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(path: &str, expected: &str, found: &Value) -> Error {
    let found = type_name(found);
    let at = if path.is_empty() {
        "the document"
    } else {
        path
    };
    Error::JsonInvalid {
        reason: format!("{at} must be {expected}, found {found}"),
    }
}

pub(crate) fn as_object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Error> {
    value
        .as_object()
        .ok_or_else(|| wrong_type(path, "an object", value))
}

pub(crate) fn as_array<'a>(value: &'a Value, path: &str) -> Result<&'a Vec<Value>, Error> {
    value
        .as_array()
        .ok_or_else(|| wrong_type(path, "an array", value))
}

pub(crate) fn as_str<'a>(value: &'a Value, path: &str) -> Result<&'a str, Error> {
    value
        .as_str()
        .ok_or_else(|| wrong_type(path, "a string", value))
}

/// `size`: a non-negative integer that fits the spec's int64.
pub(crate) fn size_value(value: &Value) -> Result<u64, Error> {
    value
        .as_u64()
        .filter(|&n| i64::try_from(n).is_ok())
        .ok_or_else(|| Error::SizeInvalid {
            value: value.to_string(),
        })
}

pub(crate) fn media_type_field(
    object: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Result<Option<MediaType>, Error> {
    object
        .get(key)
        .map(|v| MediaType::parse(as_str(v, &join(path, key))?))
        .transpose()
}

pub(crate) fn annotations_value(value: &Value, path: &str) -> Result<Annotations, Error> {
    as_object(value, path)?
        .iter()
        .map(|(k, v)| Ok((k.clone(), as_str(v, &join(path, k))?.to_owned())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn join_escapes_reference_tokens_as_rfc_6901_does() {
        assert_eq!(join("/a", "x~y/z"), "/a/x~0y~1z");
        assert_eq!(join("", "é/~"), "/é~1~0");
        assert_eq!(join("/b", "plain.key"), "/b/plain.key");
        assert_eq!(join("", ""), "/");
    }
}
