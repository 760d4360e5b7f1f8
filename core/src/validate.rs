//! Validation of OCI documents: every finding at once, each with a code, a severity, a JSON
//! pointer and the rule it comes from.
//!
//! Where the image-spec prose and its JSON schemas differ, ocikit follows the prose:
//! an empty `layers` is a warning (the schemas accept it, the prose discourages it), `null` for
//! optional image-config fields is accepted (Go writes it), unregistered digest algorithms are
//! a warning, and sha256/sha512 lengths and hex case, negative or fractional sizes, `data`
//! (padded base64 that matches digest and size), the top-level `mediaType`, `artifactType`
//! with the empty config, `created` as RFC 3339 and duplicate JSON keys are errors — rules the
//! schemas cannot express or leave out.
//!
//! An image config is type-checked field by field as `config.md` types it, the execution
//! parameters under `config` included (`Env`, `Cmd`, `Labels` under the annotation rules, the
//! reserved `Memory`, `MemorySwap`, `CpuShares` and `Healthcheck`, …); fields the spec does not
//! define are ignored, as it requires.

use std::fmt;

use crate::descriptor::join;
use crate::media_type::oci;
use crate::{Digest, Error, Finding, MediaType, Severity};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

mod clean;
mod tree;

use tree::{Node, Object};

/// What kind of document to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An image manifest.
    Manifest,
    /// An image index.
    Index,
    /// A content descriptor on its own.
    Descriptor,
    /// An image configuration.
    Config,
    /// The `oci-layout` file of an image layout.
    Layout,
}

impl Kind {
    /// `"manifest"`, `"index"`, `"descriptor"`, `"config"` or `"layout"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manifest => "manifest",
            Self::Index => "index",
            Self::Descriptor => "descriptor",
            Self::Config => "config",
            Self::Layout => "layout",
        }
    }

    /// Parses a kind name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "manifest" => Self::Manifest,
            "index" => Self::Index,
            "descriptor" => Self::Descriptor,
            "config" => Self::Config,
            "layout" => Self::Layout,
            _ => return None,
        })
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of [`validate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// True iff no finding is an error.
    pub valid: bool,
    /// The kind validated against (given, or detected); `None` when the input is not JSON or
    /// its kind cannot be told.
    pub kind: Option<Kind>,
    /// Everything found, in document order.
    pub findings: Vec<Finding>,
}

const DESCRIPTOR: &str = "descriptor.md#properties";
const DIGESTS: &str = "descriptor.md#digests";
const DATA: &str = "descriptor.md#embedded-content";
const MANIFEST: &str = "manifest.md#image-manifest-property-descriptions";
const INDEX: &str = "image-index.md#image-index-property-descriptions";
const CONFIG: &str = "config.md#properties";
const LAYOUT: &str = "image-layout.md#oci-layout-file";
const ANNOTATIONS: &str = "annotations.md#rules";
const PREDEFINED: &str = "annotations.md#pre-defined-annotation-keys";
const JSON_RULE: &str = "RFC 8259; considerations.md#json";

/// Validates `bytes` as a document of `kind` (or of the kind detected from its content).
pub fn validate(bytes: &[u8], kind: Option<Kind>) -> Report {
    // Most documents are manifests without a finding: those are told in one read.
    if let Some(kind) = clean::clean_kind(bytes, kind) {
        return Report {
            valid: true,
            kind: Some(kind),
            findings: Vec::new(),
        };
    }
    validate_fully(bytes, kind)
}

/// The full validator: the document as a tree, every rule, every finding with its path.
fn validate_fully(bytes: &[u8], kind: Option<Kind>) -> Report {
    let mut v = Validator::default();
    let value = match tree::parse(bytes) {
        Ok(value) => value,
        Err(err) => {
            v.error("JSON_INVALID", "", JSON_RULE, err.to_string());
            return v.report(kind);
        }
    };
    let kind = kind.or_else(|| detect(&value));
    match kind {
        Some(Kind::Manifest) => v.manifest(&value),
        Some(Kind::Index) => v.index(&value),
        Some(Kind::Descriptor) => v.descriptor(&value, ""),
        Some(Kind::Config) => v.config(&value),
        Some(Kind::Layout) => v.layout(&value),
        None => v.error(
            "KIND_UNKNOWN",
            "",
            MANIFEST,
            "cannot tell what kind of document this is: give the kind, or a mediaType".into(),
        ),
    }
    v.report(kind)
}

/// Tells the kind of a document from its `mediaType`, else from its fields.
fn detect(value: &Node<'_>) -> Option<Kind> {
    let object = value.as_object()?;
    match object.get("mediaType").and_then(Node::as_str) {
        Some(oci::IMAGE_MANIFEST) if object.contains_key("schemaVersion") => {
            return Some(Kind::Manifest);
        }
        Some(oci::IMAGE_INDEX) if object.contains_key("schemaVersion") => return Some(Kind::Index),
        _ => {}
    }
    // An image config has a `config` field too, so `rootfs` and `architecture` are looked at
    // before `config`.
    if object.contains_key("imageLayoutVersion") {
        Some(Kind::Layout)
    } else if object.contains_key("manifests") {
        Some(Kind::Index)
    } else if object.contains_key("layers") {
        Some(Kind::Manifest)
    } else if object.contains_key("rootfs") || object.contains_key("architecture") {
        Some(Kind::Config)
    } else if object.contains_key("config") {
        Some(Kind::Manifest)
    } else if object.contains_key("digest") {
        Some(Kind::Descriptor)
    } else {
        None
    }
}

#[derive(Default)]
struct Validator {
    findings: Vec<Finding>,
}

impl Validator {
    fn report(self, kind: Option<Kind>) -> Report {
        Report {
            valid: !self.findings.iter().any(|f| f.severity == Severity::Error),
            kind,
            findings: self.findings,
        }
    }

    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        path: &str,
        rule: &'static str,
        message: String,
    ) {
        self.findings.push(Finding {
            code,
            severity,
            path: path.to_owned(),
            message,
            rule,
        });
    }

    fn error(&mut self, code: &'static str, path: &str, rule: &'static str, message: String) {
        self.push(Severity::Error, code, path, rule, message);
    }

    fn warning(&mut self, code: &'static str, path: &str, rule: &'static str, message: String) {
        self.push(Severity::Warning, code, path, rule, message);
    }

    fn error_from(&mut self, err: &Error, path: &str, rule: &'static str) {
        self.error(err.code(), path, rule, err.to_string());
    }

    fn wrong_type(&mut self, path: &str, expected: &str, found: &Node<'_>, rule: &'static str) {
        self.error(
            "JSON_INVALID",
            path,
            rule,
            format!(
                "{} must be {expected}, found {}",
                display(path),
                found.type_name()
            ),
        );
    }

    /// The object at `path`, or an error finding.
    fn object<'a>(
        &mut self,
        value: &'a Node<'a>,
        path: &str,
        rule: &'static str,
    ) -> Option<&'a Object<'a>> {
        let object = value.as_object();
        if object.is_none() {
            self.wrong_type(path, "an object", value, rule);
        }
        object
    }

    /// A required field, or a FIELD_MISSING finding.
    fn required<'a>(
        &mut self,
        object: &'a Object<'a>,
        path: &str,
        key: &str,
        rule: &'static str,
    ) -> Option<&'a Node<'a>> {
        let value = object.get(key);
        if value.is_none() {
            self.error(
                "FIELD_MISSING",
                &join(path, key),
                rule,
                format!("required field {key:?} is missing"),
            );
        }
        value
    }

    fn string<'a>(
        &mut self,
        value: &'a Node<'a>,
        path: &str,
        rule: &'static str,
    ) -> Option<&'a str> {
        let text = value.as_str();
        if text.is_none() {
            self.wrong_type(path, "a string", value, rule);
        }
        text
    }

    fn strings(&mut self, value: &Node<'_>, path: &str, rule: &'static str) -> Vec<String> {
        let Some(items) = value.as_array() else {
            self.wrong_type(path, "an array of strings", value, rule);
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                self.string(item, &format!("{path}/{i}"), rule)
                    .map(str::to_owned)
            })
            .collect()
    }

    fn media_type(
        &mut self,
        value: &Node<'_>,
        path: &str,
        rule: &'static str,
    ) -> Option<MediaType> {
        let text = self.string(value, path, rule)?;
        match MediaType::parse(text) {
            Ok(media_type) => Some(media_type),
            Err(err) => {
                self.error_from(&err, path, "descriptor.md#properties (RFC 6838 §4.2)");
                None
            }
        }
    }

    fn digest(&mut self, value: &Node<'_>, path: &str) -> Option<Digest> {
        let text = self.string(value, path, DIGESTS)?;
        match Digest::parse(text) {
            Ok(digest) => {
                if !digest.is_supported() {
                    self.warning(
                        "DIGEST_UNSUPPORTED",
                        path,
                        "descriptor.md#registered-algorithms",
                        format!(
                            "{} is not a registered algorithm: ocikit cannot verify this content",
                            digest.algorithm()
                        ),
                    );
                }
                Some(digest)
            }
            Err(err) => {
                self.error_from(&err, path, DIGESTS);
                None
            }
        }
    }

    fn size(&mut self, value: &Node<'_>, path: &str) -> Option<u64> {
        // A non-negative int64, as descriptor.md types `size`.
        match value.as_u64().filter(|&n| i64::try_from(n).is_ok()) {
            Some(size) => Some(size),
            None => {
                self.error(
                    "SIZE_INVALID",
                    path,
                    DESCRIPTOR,
                    format!("size must be a non-negative int64 integer, found {value}"),
                );
                None
            }
        }
    }

    fn descriptor(&mut self, value: &Node<'_>, path: &str) {
        let Some(object) = self.object(value, path, DESCRIPTOR) else {
            return;
        };
        if let Some(v) = self.required(object, path, "mediaType", DESCRIPTOR) {
            self.media_type(v, &join(path, "mediaType"), DESCRIPTOR);
        }
        let digest = self
            .required(object, path, "digest", DESCRIPTOR)
            .and_then(|v| self.digest(v, &join(path, "digest")));
        let size = self
            .required(object, path, "size", DESCRIPTOR)
            .and_then(|v| self.size(v, &join(path, "size")));
        if let Some(urls) = object.get("urls") {
            let here = join(path, "urls");
            for (i, url) in self.strings(urls, &here, DESCRIPTOR).iter().enumerate() {
                if !is_uri(url) {
                    self.error(
                        "URL_INVALID",
                        &format!("{here}/{i}"),
                        "descriptor.md#properties (RFC 3986)",
                        format!("{url:?} is not an RFC 3986 URI"),
                    );
                }
            }
        }
        if let Some(annotations) = object.get("annotations") {
            self.annotations(annotations, &join(path, "annotations"));
        }
        if let Some(data) = object.get("data") {
            self.data(data, &join(path, "data"), digest.as_ref(), size);
        }
        if let Some(platform) = object.get("platform") {
            self.platform(platform, &join(path, "platform"));
        }
        if let Some(artifact_type) = object.get("artifactType") {
            self.media_type(artifact_type, &join(path, "artifactType"), DESCRIPTOR);
        }
    }

    fn data(&mut self, value: &Node<'_>, path: &str, digest: Option<&Digest>, size: Option<u64>) {
        let Some(text) = self.string(value, path, DATA) else {
            return;
        };
        let data = match BASE64.decode(text) {
            Ok(data) => data,
            Err(err) => {
                self.error(
                    "DATA_INVALID",
                    path,
                    DATA,
                    format!("data must be padded standard base64 (RFC 4648 §4): {err}"),
                );
                return;
            }
        };
        if let Some(size) = size {
            if data.len() as u64 != size {
                self.error(
                    "DATA_INVALID",
                    path,
                    DATA,
                    format!("data holds {} bytes but size is {size}", data.len()),
                );
                return;
            }
        }
        if let Some(digest) = digest.filter(|d| d.is_supported()) {
            if crate::verify(&data, digest, None).is_err() {
                self.error(
                    "DATA_INVALID",
                    path,
                    DATA,
                    format!("data does not hash to {digest}"),
                );
            }
        }
    }

    fn platform(&mut self, value: &Node<'_>, path: &str) {
        const RULE: &str = "image-index.md#image-index-property-descriptions (platform)";
        let Some(object) = self.object(value, path, RULE) else {
            return;
        };
        for key in ["architecture", "os"] {
            if let Some(v) = self.required(object, path, key, RULE) {
                self.string(v, &join(path, key), RULE);
            }
        }
        for key in ["os.version", "variant"] {
            if let Some(v) = object.get(key) {
                self.string(v, &join(path, key), RULE);
            }
        }
        if let Some(v) = object.get("os.features") {
            self.strings(v, &join(path, "os.features"), RULE);
        }
    }

    fn annotations(&mut self, value: &Node<'_>, path: &str) {
        let Some(object) = self.object(value, path, ANNOTATIONS) else {
            return;
        };
        for (key, value) in object.iter() {
            let here = join(path, key);
            let Some(text) = self.string(value, &here, ANNOTATIONS) else {
                continue;
            };
            self.annotation(key, text, &here);
        }
    }

    fn annotation(&mut self, key: &str, value: &str, path: &str) {
        let Some(problem) = annotation_problem(key, value) else {
            return;
        };
        match problem {
            AnnotationProblem::NotRfc3339 => self.error(
                "ANNOTATION_INVALID",
                path,
                PREDEFINED,
                format!("{key} must be an RFC 3339 date-time, found {value:?}"),
            ),
            AnnotationProblem::NotUrl => self.warning(
                "ANNOTATION_INVALID",
                path,
                PREDEFINED,
                format!("{key} should be a URL, found {value:?}"),
            ),
            AnnotationProblem::NotDigest => self.warning(
                "ANNOTATION_INVALID",
                path,
                PREDEFINED,
                format!("{key} should be a digest, found {value:?}"),
            ),
            AnnotationProblem::NotRefName => self.warning(
                "ANNOTATION_INVALID",
                path,
                PREDEFINED,
                format!("{key} {value:?} does not match the reference grammar (alphanum components joined by -._:@+ or --, separated by /)"),
            ),
            AnnotationProblem::Reserved => self.warning(
                "ANNOTATION_KEY_RESERVED",
                path,
                ANNOTATIONS,
                format!("{key:?} is not defined by the image-spec, which reserves the org.opencontainers.image namespace"),
            ),
            AnnotationProblem::NotNamespaced => self.warning(
                "ANNOTATION_KEY_NOT_NAMESPACED",
                path,
                ANNOTATIONS,
                format!("{key:?} should be namespaced in reverse domain notation, e.g. com.example.{key}"),
            ),
        }
    }

    /// `schemaVersion` and `mediaType`, common to manifests and indexes.
    fn header(&mut self, object: &Object<'_>, expected: &'static str, rule: &'static str) {
        if let Some(version) = self.required(object, "", "schemaVersion", rule) {
            if version.as_u64() != Some(2) {
                self.error(
                    "SCHEMA_VERSION_INVALID",
                    "/schemaVersion",
                    rule,
                    format!("schemaVersion must be the integer 2, found {version}"),
                );
            }
        }
        match object.get("mediaType") {
            None => self.warning("MEDIA_TYPE_MISSING", "/mediaType", rule, format!("mediaType should be set to {expected:?}; registries use it to tell documents apart")),
            Some(value) => {
                if let Some(found) = self.media_type(value, "/mediaType", rule) {
                    if found.as_str() != expected {
                        self.error("MEDIA_TYPE_MISMATCH", "/mediaType", rule, format!("mediaType must be {expected:?}, found {:?}", found.as_str()));
                    }
                }
            }
        }
    }

    fn manifest(&mut self, value: &Node<'_>) {
        let Some(object) = self.object(value, "", MANIFEST) else {
            return;
        };
        self.header(object, oci::IMAGE_MANIFEST, MANIFEST);
        let artifact_type = object.get("artifactType");
        if let Some(v) = artifact_type {
            self.media_type(v, "/artifactType", MANIFEST);
        }
        if let Some(config) = self.required(object, "", "config", MANIFEST) {
            self.descriptor(config, "/config");
            let config_type = config.get("mediaType").and_then(Node::as_str);
            if config_type == Some(oci::EMPTY) && artifact_type.is_none() {
                self.error(
                    "ARTIFACT_TYPE_REQUIRED",
                    "/artifactType",
                    "manifest.md#guidelines-for-artifact-usage",
                    "artifactType must be set when config.mediaType is application/vnd.oci.empty.v1+json".into(),
                );
            }
        }
        if let Some(layers) = self.required(object, "", "layers", MANIFEST) {
            match layers.as_array() {
                None => self.wrong_type("/layers", "an array", layers, MANIFEST),
                Some([]) => self.warning(
                    "LAYERS_EMPTY",
                    "/layers",
                    MANIFEST,
                    "layers is empty; for an artifact without content, use the empty descriptor as the single layer".into(),
                ),
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.descriptor(item, &format!("/layers/{i}"));
                    }
                }
            }
        }
        self.trailer(object, MANIFEST);
    }

    fn index(&mut self, value: &Node<'_>) {
        let Some(object) = self.object(value, "", INDEX) else {
            return;
        };
        self.header(object, oci::IMAGE_INDEX, INDEX);
        if let Some(v) = object.get("artifactType") {
            self.media_type(v, "/artifactType", INDEX);
        }
        if let Some(manifests) = self.required(object, "", "manifests", INDEX) {
            match manifests.as_array() {
                None => self.wrong_type("/manifests", "an array", manifests, INDEX),
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.descriptor(item, &format!("/manifests/{i}"));
                    }
                }
            }
        }
        self.trailer(object, INDEX);
    }

    /// `subject` and `annotations`, common to manifests and indexes.
    fn trailer(&mut self, object: &Object<'_>, _rule: &'static str) {
        if let Some(subject) = object.get("subject") {
            self.descriptor(subject, "/subject");
        }
        if let Some(annotations) = object.get("annotations") {
            self.annotations(annotations, "/annotations");
        }
    }

    fn config(&mut self, value: &Node<'_>) {
        let Some(object) = self.object(value, "", CONFIG) else {
            return;
        };
        // Optional fields may be null: Go's encoder writes null for nil pointers and maps.
        let optional = |key: &str| object.get(key).filter(|v| !v.is_null());
        if let Some(created) = optional("created") {
            if let Some(text) = self.string(created, "/created", CONFIG) {
                if !crate::time::is_rfc3339(text) {
                    self.error(
                        "VALUE_INVALID",
                        "/created",
                        CONFIG,
                        format!("created must be an RFC 3339 date-time, found {text:?}"),
                    );
                }
            }
        }
        for key in ["author", "os.version", "variant"] {
            if let Some(v) = optional(key) {
                self.string(v, &join("", key), CONFIG);
            }
        }
        for key in ["architecture", "os"] {
            if let Some(v) = self.required(object, "", key, CONFIG) {
                self.string(v, &join("", key), CONFIG);
            }
        }
        if let Some(v) = optional("os.features") {
            self.strings(v, "/os.features", CONFIG);
        }
        if let Some(v) = optional("config") {
            if let Some(execution) = self.object(v, "/config", CONFIG) {
                self.execution(execution);
            }
        }
        if let Some(rootfs) = self.required(object, "", "rootfs", CONFIG) {
            if let Some(rootfs) = self.object(rootfs, "/rootfs", CONFIG) {
                if let Some(kind) = self.required(rootfs, "/rootfs", "type", CONFIG) {
                    if let Some(text) = self.string(kind, "/rootfs/type", CONFIG) {
                        if text != "layers" {
                            self.error(
                                "VALUE_INVALID",
                                "/rootfs/type",
                                CONFIG,
                                format!("rootfs.type must be \"layers\", found {text:?}"),
                            );
                        }
                    }
                }
                if let Some(ids) = self.required(rootfs, "/rootfs", "diff_ids", CONFIG) {
                    match ids.as_array() {
                        None => self.wrong_type("/rootfs/diff_ids", "an array", ids, CONFIG),
                        Some(items) => {
                            for (i, item) in items.iter().enumerate() {
                                self.digest(item, &format!("/rootfs/diff_ids/{i}"));
                            }
                        }
                    }
                }
            }
        }
        if let Some(history) = optional("history") {
            match history.as_array() {
                None => self.wrong_type("/history", "an array", history, CONFIG),
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.history(item, &format!("/history/{i}"));
                    }
                }
            }
        }
    }

    /// The execution parameters of an image config (`config.md`, the `config` object). Each is
    /// OPTIONAL, so null is accepted; keys the spec does not define are left alone.
    fn execution(&mut self, object: &Object<'_>) {
        const RULE: &str = "config.md#properties (config)";
        for (key, value) in object.iter().filter(|(_, v)| !v.is_null()) {
            let here = join("/config", key);
            match key {
                "User" | "WorkingDir" | "StopSignal" => {
                    self.string(value, &here, RULE);
                }
                "Entrypoint" | "Cmd" => {
                    self.strings(value, &here, RULE);
                }
                "Env" => self.env(value, &here),
                // Go's map[string]struct{}: each key maps to an empty object.
                "ExposedPorts" | "Volumes" => self.set(value, &here),
                // "This property MUST use the annotation rules."
                "Labels" => self.annotations(value, &here),
                "ArgsEscaped" if !value.is_boolean() => {
                    self.wrong_type(&here, "a boolean", value, RULE);
                }
                // Reserved by config.md "to maintain compatibility", typed integer (Go int64).
                "Memory" | "MemorySwap" | "CpuShares" if value.as_i64().is_none() => {
                    self.wrong_type(&here, "an integer", value, RULE);
                }
                // Reserved by config.md, typed object.
                "Healthcheck" => {
                    self.object(value, &here, RULE);
                }
                _ => {}
            }
        }
    }

    /// `Env`: an array of strings, each `VARNAME=value` (an entry without `=` is a warning:
    /// runtimes drop it or unset the variable, so it is most likely a mistake).
    fn env(&mut self, value: &Node<'_>, path: &str) {
        const RULE: &str = "config.md#properties (config.Env: VARNAME=\"var value\")";
        let Some(items) = value.as_array() else {
            self.wrong_type(path, "an array of strings", value, RULE);
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let here = format!("{path}/{i}");
            let Some(entry) = self.string(item, &here, RULE) else {
                continue;
            };
            if entry
                .split_once('=')
                .is_none_or(|(name, _)| name.is_empty())
            {
                self.warning(
                    "ENV_ENTRY_INVALID",
                    &here,
                    RULE,
                    format!("Env entries are VARNAME=value, found {entry:?}"),
                );
            }
        }
    }

    /// `ExposedPorts` and `Volumes`: sets written as objects whose values are empty objects.
    fn set(&mut self, value: &Node<'_>, path: &str) {
        const RULE: &str = "config.md#properties (config.ExposedPorts, config.Volumes)";
        let Some(object) = self.object(value, path, RULE) else {
            return;
        };
        for (key, item) in object.iter() {
            let here = join(path, key);
            match item.as_object() {
                None => self.wrong_type(&here, "an object ({})", item, RULE),
                Some(map) if !map.is_empty() => self.warning(
                    "SET_ENTRY_NOT_EMPTY",
                    &here,
                    RULE,
                    format!("{key:?} should map to the empty object {{}}; its fields are ignored"),
                ),
                Some(_) => {}
            }
        }
    }

    fn history(&mut self, value: &Node<'_>, path: &str) {
        let Some(object) = self.object(value, path, CONFIG) else {
            return;
        };
        for (key, value) in object.iter().filter(|(_, v)| !v.is_null()) {
            let here = join(path, key);
            match key {
                "created" => {
                    if let Some(text) = self.string(value, &here, CONFIG) {
                        if !crate::time::is_rfc3339(text) {
                            self.error(
                                "VALUE_INVALID",
                                &here,
                                CONFIG,
                                format!("created must be an RFC 3339 date-time, found {text:?}"),
                            );
                        }
                    }
                }
                "author" | "created_by" | "comment" => {
                    self.string(value, &here, CONFIG);
                }
                "empty_layer" if !value.is_boolean() => {
                    self.wrong_type(&here, "a boolean", value, CONFIG)
                }
                _ => {}
            }
        }
    }

    fn layout(&mut self, value: &Node<'_>) {
        let Some(object) = self.object(value, "", LAYOUT) else {
            return;
        };
        if let Some(version) = self.required(object, "", "imageLayoutVersion", LAYOUT) {
            if let Some(text) = self.string(version, "/imageLayoutVersion", LAYOUT) {
                if text != "1.0.0" {
                    self.error(
                        "VALUE_INVALID",
                        "/imageLayoutVersion",
                        LAYOUT,
                        format!("imageLayoutVersion must be \"1.0.0\", found {text:?}"),
                    );
                }
            }
        }
    }
}

/// What `annotations.md` finds wrong with one annotation (each becomes one finding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AnnotationProblem {
    /// `created` is not an RFC 3339 date-time (an error).
    NotRfc3339,
    /// `url`, `documentation` or `source` is not a URL.
    NotUrl,
    /// `base.digest` is not a digest.
    NotDigest,
    /// `ref.name` breaks the reference grammar.
    NotRefName,
    /// An undefined key in the reserved `org.opencontainers.image` namespace.
    Reserved,
    /// A key without a dot: not in reverse domain notation.
    NotNamespaced,
}

/// The rule an annotation breaks, if any: the pre-defined keys' formats, then the key rules.
fn annotation_problem(key: &str, value: &str) -> Option<AnnotationProblem> {
    // Every pre-defined key is in the reserved namespace: other keys are only asked for a dot.
    let Some(name) = key.strip_prefix(RESERVED_PREFIX) else {
        return (!key.contains('.')).then_some(AnnotationProblem::NotNamespaced);
    };
    // The names of `annotations::*` after the prefix (short to compare; a test checks them).
    match name {
        "created" if !crate::time::is_rfc3339(value) => Some(AnnotationProblem::NotRfc3339),
        "url" | "documentation" | "source" if !is_uri(value) => Some(AnnotationProblem::NotUrl),
        "base.digest" if Digest::parse(value).is_err() => Some(AnnotationProblem::NotDigest),
        "ref.name" if !is_ref_name(value) => Some(AnnotationProblem::NotRefName),
        "created" | "url" | "documentation" | "source" | "base.digest" | "ref.name" | "authors"
        | "version" | "revision" | "vendor" | "licenses" | "title" | "description"
        | "base.name" => None,
        _ => Some(AnnotationProblem::Reserved),
    }
}

/// The namespace `annotations.md` reserves (`org.opencontainers.image.*`).
const RESERVED_PREFIX: &str = "org.opencontainers.image.";

fn display(path: &str) -> &str {
    if path.is_empty() {
        "the document"
    } else {
        path
    }
}

/// RFC 3986 `URI`: a scheme, `:`, then only characters a URI may hold (percent-encodings well
/// formed). Relative references are not URIs.
pub(crate) fn is_uri(text: &str) -> bool {
    let Some((scheme, rest)) = text.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.bytes();
    if !scheme_chars.next().is_some_and(|b| b.is_ascii_alphabetic())
        || !scheme_chars.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                if !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
                {
                    return false;
                }
                i += 3;
                continue;
            }
            b if b.is_ascii_alphanumeric() => {}
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'#' | b'[' | b']' | b'@' | b'!'
            | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => {}
            _ => return false,
        }
        i += 1;
    }
    true
}

/// image-layout's `ref.name` grammar: `ref ::= component ("/" component)*`,
/// `component ::= alphanum (separator alphanum)*`, `separator ::= [-._:@+] | "--"`.
pub(crate) fn is_ref_name(text: &str) -> bool {
    !text.is_empty()
        && text.split('/').all(|component| {
            let bytes = component.as_bytes();
            if !bytes.first().is_some_and(u8::is_ascii_alphanumeric)
                || !bytes.last().is_some_and(u8::is_ascii_alphanumeric)
            {
                return false;
            }
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i].is_ascii_alphanumeric() {
                    i += 1;
                } else if bytes[i..].starts_with(b"--")
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_alphanumeric)
                {
                    i += 2;
                } else if matches!(bytes[i], b'-' | b'.' | b'_' | b':' | b'@' | b'+')
                    && bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
                {
                    i += 1;
                } else {
                    return false;
                }
            }
            true
        })
}
