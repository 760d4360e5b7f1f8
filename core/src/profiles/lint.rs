//! The static registry lint: the rules whose trigger is in the document or the reference
//! alone, checked against a [`Profile`] before any request.

use serde_json::{Map, Value};

use super::{GITLAB_MEDIA_TYPES, NameRule, Profile, Rule, Source, Support};
use crate::media_type::{docker, oci};
use crate::{Error, Finding, Reference, Severity, json};

/// The digest of empty content.
const EMPTY_SHA256: &str =
    "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// 4 MiB, the manifest limit almost everywhere.
const FOUR_MIB: u64 = 4 * 1024 * 1024;
/// Above this a manifest is close enough to 4 MiB to warn (3.5 MiB).
const NEAR_LIMIT: u64 = 3_670_016;
/// Distribution-spec implementer note: host + `/` + name at most 255 characters.
const MAX_FULL_NAME: usize = 255;

/// Where a document is going: a registry host (`host[:port]`) or a full reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A registry host alone: only the host and the document are checked.
    Host(String),
    /// A reference: its name is checked too.
    Reference(Reference),
}

impl Target {
    /// Reads `text` as a reference when it has a `/`, else as a registry host.
    ///
    /// # Errors
    /// [`Error::ReferenceInvalid`] (or [`Error::DigestInvalid`]) for text that is neither.
    pub fn parse(text: &str) -> Result<Self, Error> {
        if text.contains('/') {
            return Reference::parse(text).map(Self::Reference);
        }
        // A host is valid when it makes a valid reference.
        match Reference::parse(&format!("{text}/x")) {
            Ok(_) => Ok(Self::Host(text.to_owned())),
            Err(_) => Err(Error::ReferenceInvalid {
                value: text.to_owned(),
                reason: "a registry host is a DNS name, IPv4 or [IPv6] address, with an optional :port",
            }),
        }
    }

    /// The registry host, with its port if it has one.
    pub fn host(&self) -> &str {
        match self {
            Self::Host(host) => host,
            Self::Reference(reference) => reference.registry(),
        }
    }
}

/// The outcome of [`lint_for_registry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryLint {
    /// The profile the document was checked against.
    pub profile: &'static Profile,
    /// The registry host checked (from the target).
    pub host: String,
    /// Everything found, by rule code (document order within a rule). Each finding's `rule` is
    /// the rule's label, `"RQ001 zero-byte-blob [S35,S36,S30]"`.
    pub findings: Vec<Finding>,
}

impl RegistryLint {
    /// True iff no finding is an error: the registry is not known to refuse the push.
    pub fn ok(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The sources the findings cite, each once, in tag order.
    pub fn sources(&self) -> Vec<&'static Source> {
        let mut tags: Vec<&'static str> = self
            .findings
            .iter()
            .filter_map(|f| Rule::get(f.code))
            .flat_map(|r| r.sources.iter().copied())
            .collect();
        tags.sort_by_key(|t| t[1..].parse::<u32>().unwrap_or(u32::MAX));
        tags.dedup();
        tags.into_iter().filter_map(Source::get).collect()
    }
}

/// Checks a manifest or index (`document`, its exact bytes) and where it is going against a
/// registry profile: `profile` by name, else the profile of the target's host, else the
/// `generic` one. Only the static rules run (those the document or reference alone decide);
/// nothing is sent anywhere.
///
/// # Errors
/// [`Error::JsonInvalid`] when `document` is not a JSON object, and
/// [`Error::OptionsInvalid`] for an unknown profile name.
pub fn lint_for_registry(
    document: &[u8],
    target: &Target,
    profile: Option<&str>,
) -> Result<RegistryLint, Error> {
    let profile = choose(target, profile)?;
    let value = json::parse_strict(document)?;
    let Value::Object(doc) = value else {
        return Err(Error::JsonInvalid {
            reason: "a manifest or index is a JSON object".into(),
        });
    };
    let mut lint = Linter {
        profile,
        findings: Vec::new(),
    };
    lint.target(target);
    lint.document(&doc, document.len() as u64);
    Ok(lint.finish(target))
}

/// The rules of [`lint_for_registry`] that the target alone decides (the host, and the name of
/// a reference): what can be checked before the document exists, as a push that uploads blobs
/// while it packs needs.
///
/// # Errors
/// [`Error::OptionsInvalid`] for an unknown profile name.
pub fn lint_target(target: &Target, profile: Option<&str>) -> Result<RegistryLint, Error> {
    let mut lint = Linter {
        profile: choose(target, profile)?,
        findings: Vec::new(),
    };
    lint.target(target);
    Ok(lint.finish(target))
}

/// The profile named, else the target host's, else `generic`.
fn choose(target: &Target, profile: Option<&str>) -> Result<&'static Profile, Error> {
    match profile {
        Some(name) => Profile::named(name).ok_or(Error::OptionsInvalid {
            reason: "unknown registry profile: use one of generic, dockerhub, ghcr, ecr, \
                     ecr-public, acr, gar, gcr, quay.io, gitlab.com, harbor, zot, distribution, \
                     quay, gitlab",
        }),
        None => Ok(Profile::for_host(target.host()).unwrap_or_else(Profile::generic)),
    }
}

struct Linter {
    profile: &'static Profile,
    findings: Vec<Finding>,
}

impl Linter {
    fn finish(self, target: &Target) -> RegistryLint {
        let mut findings = self.findings;
        findings.sort_by_key(|f| f.code);
        RegistryLint {
            profile: self.profile,
            host: target.host().to_owned(),
            findings,
        }
    }

    fn add(&mut self, code: &'static str, severity: Severity, path: &str, message: String) {
        let rule = Rule::get(code);
        let cite = rule.map(|r| r.sources.join(", ")).unwrap_or_default();
        self.findings.push(Finding {
            code,
            severity,
            path: path.to_owned(),
            message: format!("{message} [{cite}]"),
            rule: rule.map_or(code, |r| r.label),
        });
    }

    /// The title of the profile, for messages.
    fn who(&self) -> &'static str {
        self.profile.title
    }

    fn is_generic(&self) -> bool {
        self.profile.name == "generic"
    }

    fn target(&mut self, target: &Target) {
        let host = target.host();
        if self.profile.read_only {
            self.add(
                "RQ027",
                Severity::Error,
                "",
                format!(
                    "{host} accepts no pushes: Container Registry writes are disabled since \
                     2025-03-18. Push to Artifact Registry instead \
                     (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE)."
                ),
            );
        }
        if let Some(bare) = host.strip_suffix(":443") {
            let (severity, why) = if self.profile.refuses_port {
                (Severity::Error, "ACR refuses a port in the login server")
            } else {
                (
                    Severity::Warning,
                    "ACR refuses ports in the login server, and some registries answer with a \
                     Location without the port",
                )
            };
            self.add(
                "RQ015",
                severity,
                "",
                format!(
                    "Remove `:443` from {host}: {why}; https uses port 443 anyway, write `{bare}`."
                ),
            );
        }
        if let Target::Reference(reference) = target {
            self.name(reference);
        }
    }

    fn name(&mut self, reference: &Reference) {
        let host = reference.registry();
        let repository = reference.repository();
        let components: Vec<&str> = repository.split('/').collect();
        let depth = components.len();
        let last = components.last().copied().unwrap_or_default();
        match self.profile.names {
            NameRule::DockerHub => {
                if depth != 2 {
                    let hint = if depth == 1 {
                        format!(
                            " ocikit does not add Docker's `library/`: write `{host}/<namespace>/{repository}`."
                        )
                    } else {
                        String::new()
                    };
                    self.add(
                        "RQ013",
                        Severity::Error,
                        "",
                        format!(
                            "Docker Hub names are exactly `namespace/repo`; `{repository}` has {depth} \
                             component(s). Use your user or organisation name and one repository \
                             name.{hint}"
                        ),
                    );
                }
                if depth == 2 && (last.contains('.') || last.len() < 2) {
                    self.add(
                        "RQ014",
                        Severity::Error,
                        "",
                        format!(
                            "Docker Hub repository names are 2-255 characters of [a-z0-9_-]: \
                             `{last}` is not. Rename it (replace `.` with `-`)."
                        ),
                    );
                }
            }
            NameRule::ArtifactRegistry if depth < 3 => self.add(
                "RQ013",
                Severity::Error,
                "",
                format!(
                    "Artifact Registry names are `PROJECT/REPOSITORY/IMAGE[/...]`; `{repository}` \
                     has {depth} component(s). Add the missing project, repository or image."
                ),
            ),
            NameRule::GitLab if depth >= 5 => self.add(
                "RQ013",
                Severity::Info,
                "",
                format!(
                    "GitLab allows at most two components after the project path, and a deeper \
                     path fails with a misleading `insufficient_scope`: `{repository}` has \
                     {depth} components, so the project must be at least {} deep.",
                    depth - 2
                ),
            ),
            NameRule::Ecr
                if !repository.starts_with(|c: char| c.is_ascii_lowercase())
                    || repository.len() < 2
                    || repository.len() > 256 =>
            {
                self.add(
                    "RQ014",
                    Severity::Error,
                    "",
                    format!(
                        "ECR repository names are 2-256 characters and start with a letter: \
                         `{repository}` does not. Rename it (and create it first: ECR does not \
                         create repositories on push without a template)."
                    ),
                );
            }
            _ => {}
        }
        let full = host.len() + 1 + repository.len();
        if full > MAX_FULL_NAME {
            self.add(
                "RQ014",
                Severity::Warning,
                "",
                format!(
                    "`{host}/{repository}` is {full} characters; keep host, `/` and name within \
                     255 for every registry and client. Shorten the repository path."
                ),
            );
        }
    }

    fn document(&mut self, doc: &Map<String, Value>, size: u64) {
        let media_type = doc.get("mediaType").and_then(Value::as_str);
        let is_index = match media_type {
            Some(t) => t == oci::IMAGE_INDEX || t == docker::MANIFEST_LIST,
            None => doc.get("manifests").is_some() && doc.get("config").is_none(),
        };
        let kind = if is_index { "index" } else { "manifest" };
        if media_type.is_none() {
            self.add(
                "RQ022",
                Severity::Error,
                "/mediaType",
                format!(
                    "The {kind} has no top-level `mediaType`: Docker Hub has misread such an index \
                     as a manifest, ECR requires it, and registries tell documents apart by it. \
                     Set `\"mediaType\": \"{}\"`.",
                    if is_index {
                        oci::IMAGE_INDEX
                    } else {
                        oci::IMAGE_MANIFEST
                    }
                ),
            );
        }
        self.size(size, kind);
        self.media_types(doc, is_index);
        if is_index {
            self.children(doc);
        } else {
            self.blobs(doc);
            self.layers_present(doc);
            self.artifact_type_length(doc);
        }
        self.subject(doc, is_index);
    }

    fn size(&mut self, size: u64, kind: &str) {
        if size > FOUR_MIB {
            let (severity, who) = match self.profile.manifest_max {
                Some(max) if size > max => (
                    Severity::Error,
                    format!("{} refuses manifests over {max} bytes", self.who()),
                ),
                _ => (
                    Severity::Warning,
                    format!(
                        "{} documents no limit, but ACR, ECR, distribution and zot refuse \
                         manifests over 4 MiB",
                        self.who()
                    ),
                ),
            };
            self.add(
                "RQ009",
                severity,
                "",
                format!(
                    "The {kind} is {size} bytes: {who}. Split it into an index of smaller \
                     manifests, or move large annotations into a blob."
                ),
            );
        } else if size > NEAR_LIMIT {
            self.add(
                "RQ009",
                Severity::Warning,
                "",
                format!(
                    "The {kind} is {size} bytes, close to the 4 MiB (4194304-byte) limit of most \
                     registries. Keep manifests small: move large annotations into a blob."
                ),
            );
        }
    }

    /// RQ002 (every media type), RQ003 (GitLab's list), RQ020 (Docker types on zot).
    fn media_types(&mut self, doc: &Map<String, Value>, is_index: bool) {
        let mut fields: Vec<(String, &str)> = Vec::new();
        add_text(&mut fields, "/mediaType".into(), doc.get("mediaType"));
        add_text(&mut fields, "/artifactType".into(), doc.get("artifactType"));
        for (key, list) in [
            ("config", false),
            ("subject", false),
            ("layers", true),
            ("manifests", true),
        ] {
            let entries: Vec<(String, &Value)> = match doc.get(key) {
                Some(Value::Array(items)) if list => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("/{key}/{i}"), v))
                    .collect(),
                Some(value @ Value::Object(_)) if !list => vec![(format!("/{key}"), value)],
                _ => Vec::new(),
            };
            for (path, entry) in entries {
                add_text(
                    &mut fields,
                    format!("{path}/mediaType"),
                    entry.get("mediaType"),
                );
                add_text(
                    &mut fields,
                    format!("{path}/artifactType"),
                    entry.get("artifactType"),
                );
            }
        }
        for (path, text) in &fields {
            if let Some(problem) = schema_problem(text) {
                let (severity, who) = if self.profile.refuses_media_type_parameters {
                    (Severity::Error, format!("{} refuses it", self.who()))
                } else {
                    (
                        Severity::Warning,
                        "zot refuses it, and ECR refused `;` until at least 2024-03".to_owned(),
                    )
                };
                self.add(
                    "RQ002",
                    severity,
                    path,
                    format!(
                        "`{text}` {problem}, which the image-spec JSON schema does not allow: {who}. \
                         Put a version in the subtype instead of a parameter \
                         (`application/vnd.example.bundle.v0.3+json`)."
                    ),
                );
            }
        }
        if self.profile.media_type_allow_list {
            // GitLab looks up an index's mediaType only; a manifest's mediaType, config type
            // and artifactType (layer types are not enforced).
            let checked = |path: &str| {
                path == "/mediaType"
                    || (!is_index && (path == "/artifactType" || path == "/config/mediaType"))
            };
            for (path, text) in fields.iter().filter(|(p, _)| checked(p)) {
                if GITLAB_MEDIA_TYPES.binary_search(text).is_err() {
                    self.add(
                        "RQ003",
                        Severity::Error,
                        path,
                        format!(
                            "{} refuses media types outside its list (400 MANIFEST_INVALID \
                             unknown media type): `{text}` is not on it. Use a listed config \
                             type (`{}` or `application/vnd.oras.config.v1+json`) and drop \
                             `artifactType`, or have the admin set \
                             REGISTRY_FF_DYNAMIC_MEDIA_TYPES=true.",
                            self.who(),
                            oci::EMPTY
                        ),
                    );
                }
            }
        }
        if self.profile.refuses_docker_media_types {
            for (path, text) in &fields {
                let top_or_child = path == "/mediaType" || path.starts_with("/manifests/");
                if top_or_child && (*text == docker::MANIFEST || *text == docker::MANIFEST_LIST) {
                    self.add(
                        "RQ020",
                        Severity::Error,
                        path,
                        format!(
                            "{} accepts Docker media types (`{text}`) only with \
                             `http.compat: [docker2s2]`. Convert to OCI (`{}` / `{}`).",
                            self.who(),
                            oci::IMAGE_MANIFEST,
                            oci::IMAGE_INDEX
                        ),
                    );
                }
            }
        }
    }

    /// RQ001 (zero-byte blobs) and RQ012 (blob size limits) for config and layers.
    fn blobs(&mut self, doc: &Map<String, Value>) {
        let mut blobs: Vec<(String, &Map<String, Value>)> = Vec::new();
        if let Some(Value::Object(config)) = doc.get("config") {
            blobs.push(("/config".into(), config));
        }
        if let Some(Value::Array(layers)) = doc.get("layers") {
            for (i, layer) in layers.iter().enumerate() {
                if let Value::Object(layer) = layer {
                    blobs.push((format!("/layers/{i}"), layer));
                }
            }
        }
        for (path, blob) in blobs {
            let size = blob.get("size").and_then(Value::as_u64);
            let empty_digest = blob.get("digest").and_then(Value::as_str) == Some(EMPTY_SHA256);
            if size == Some(0) || empty_digest {
                let severity = if self.profile.refuses_zero_byte_blobs {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                self.add(
                    "RQ001",
                    severity,
                    &path,
                    format!(
                        "`{path}` is a zero-byte blob: Harbor answers 500 and Artifact Registry \
                         400 to those, and older distribution on S3 fails. Use the OCI empty \
                         descriptor (`{}`, sha256:44136fa3…, size 2) or give the file content.",
                        oci::EMPTY
                    ),
                );
            }
            if let (Some(size), Some((max, text, confidence))) = (size, self.profile.blob_max) {
                if size > max {
                    let severity = if confidence == super::Confidence::Low {
                        Severity::Warning
                    } else {
                        Severity::Error
                    };
                    self.add(
                        "RQ012",
                        severity,
                        &path,
                        format!(
                            "`{path}` is {size} bytes, over {}'s maximum blob size of {text}. \
                             Split the content into several layers.",
                            self.who()
                        ),
                    );
                }
            }
        }
    }

    /// RQ023: a manifest without layers.
    fn layers_present(&mut self, doc: &Map<String, Value>) {
        let empty = match doc.get("layers") {
            None => true,
            Some(Value::Array(layers)) => layers.is_empty(),
            Some(_) => false,
        };
        if empty && (self.profile.refuses_empty_layers || self.is_generic()) {
            self.add(
                "RQ023",
                Severity::Warning,
                "/layers",
                format!(
                    "The manifest has no layers: gcr.io refused `layers: []`, and some older \
                     registries and clients do too. Add one layer, the OCI empty descriptor \
                     (`{}`, size 2), for the widest acceptance.",
                    oci::EMPTY
                ),
            );
        }
    }

    /// RQ028: ECR models artifactType in at most 255 characters.
    fn artifact_type_length(&mut self, doc: &Map<String, Value>) {
        let Some(max) = self.profile.artifact_type_max else {
            return;
        };
        // The referrers API reports artifactType, else config.mediaType.
        let (path, value) = match doc.get("artifactType").and_then(Value::as_str) {
            Some(text) => ("/artifactType", Some(text)),
            None => (
                "/config/mediaType",
                doc.get("config")
                    .and_then(|c| c.get("mediaType"))
                    .and_then(Value::as_str),
            ),
        };
        if let Some(text) = value.filter(|t| t.chars().count() > max) {
            self.add(
                "RQ028",
                Severity::Warning,
                path,
                format!(
                    "The artifact type is {} characters; {} models artifactType in at most {max}. \
                     Use a shorter media type.",
                    text.chars().count(),
                    self.who()
                ),
            );
        }
    }

    /// RQ021: index entries must be manifests or indexes, pushed before the index.
    fn children(&mut self, doc: &Map<String, Value>) {
        let Some(Value::Array(children)) = doc.get("manifests") else {
            return;
        };
        let must_exist = self.profile.index_children_must_exist;
        for (i, child) in children.iter().enumerate() {
            let media_type = child.get("mediaType").and_then(Value::as_str).unwrap_or("");
            let is_document = [
                oci::IMAGE_MANIFEST,
                oci::IMAGE_INDEX,
                docker::MANIFEST,
                docker::MANIFEST_LIST,
            ]
            .contains(&media_type);
            if !is_document {
                self.add(
                    "RQ021",
                    if must_exist {
                        Severity::Error
                    } else {
                        Severity::Warning
                    },
                    &format!("/manifests/{i}"),
                    format!(
                        "Index entry {i} is `{media_type}`, not a manifest or index: distribution, \
                         zot, Quay and GitLab check that every entry is a stored manifest. List \
                         blobs as layers of a manifest, and only manifests in an index."
                    ),
                );
            }
        }
        if must_exist && !children.is_empty() {
            self.add(
                "RQ021",
                Severity::Info,
                "/manifests",
                format!(
                    "{} checks that every manifest an index lists is already stored: push the \
                     {} children to the same repository before the index (ocikit's push and \
                     copy do).",
                    self.who(),
                    children.len()
                ),
            );
        }
    }

    /// RQ004 (subject first), RQ005 (no referrers API), RQ006 (API without OCI-Subject).
    fn subject(&mut self, doc: &Map<String, Value>, is_index: bool) {
        let Some(subject) = doc.get("subject").and_then(Value::as_object) else {
            return;
        };
        let digest = subject.get("digest").and_then(Value::as_str).unwrap_or("");
        if self.profile.subject_must_exist && !is_index {
            self.add(
                "RQ004",
                Severity::Warning,
                "/subject",
                format!(
                    "{} refuses a subject that is not already stored in the same repository \
                     (MANIFEST_BLOB_UNKNOWN): push {digest} to this repository first.",
                    self.who()
                ),
            );
        }
        match (self.profile.referrers_api, self.profile.oci_subject) {
            (Support::No, _) => self.add(
                "RQ005",
                Severity::Warning,
                "/subject",
                format!(
                    "{} has no referrers API: ocikit keeps the referrer in a `{}` index tag, \
                     visible in the registry's UI and not cleaned up when the artifact is \
                     deleted.",
                    self.who(),
                    digest.replacen(':', "-", 1)
                ),
            ),
            (Support::Yes, Support::No) => self.add(
                "RQ006",
                Severity::Info,
                "/subject",
                format!(
                    "{} serves the referrers API but sends no `OCI-Subject` header: a client \
                     that follows the spec writes a needless `{}` fallback tag there.",
                    self.who(),
                    digest.replacen(':', "-", 1)
                ),
            ),
            _ => {}
        }
    }
}

/// Adds the string at `path`, if `value` is one.
fn add_text<'v>(fields: &mut Vec<(String, &'v str)>, path: String, value: Option<&'v Value>) {
    if let Some(text) = value.and_then(Value::as_str) {
        fields.push((path, text));
    }
}

/// Why a media type fails the image-spec v1.1.1 schema's pattern
/// `^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$`, if it does.
fn schema_problem(text: &str) -> Option<&'static str> {
    if text.contains(';') {
        return Some("has parameters");
    }
    if text.chars().any(char::is_whitespace) {
        return Some("has whitespace");
    }
    let Some((kind, subtype)) = text.split_once('/') else {
        return Some("has no `/`");
    };
    let first = |s: &str| s.starts_with(|c: char| c.is_ascii_alphanumeric());
    let rest = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$&^_.+-".contains(c))
    };
    if kind.len() > 127 || subtype.len() > 127 {
        return Some("has a part over 127 characters");
    }
    if !first(kind) || !first(subtype) || !rest(kind) || !rest(subtype) {
        return Some("has characters outside [A-Za-z0-9!#$&^_.+-]");
    }
    None
}
