//! Artifact types and their "bling": the display name, description and logo a registry shows
//! for an artifact type, a built-in catalog of well-known types, and "what is this manifest".
//!
//! A definition is JSON:
//!
//! ```json
//! {
//!   "artifactType": "application/vnd.example.docsinmarkdown.config.v1+json",
//!   "aliases": [],
//!   "displayName": "Docs in Markdown",
//!   "description": "Documentation as markdown files.",
//!   "layerMediaTypes": ["application/vnd.example.docsinmarkdown.layer.v1+md"],
//!   "url": "https://example.com/docs-in-markdown",
//!   "logo": "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\">…</svg>",
//!   "darkLogo": "<svg …>…</svg>",
//!   "pullCommands": ["oras pull {reference}"]
//! }
//! ```
//!
//! `darkLogo` is the logo to show on a dark background (optional; `logo` serves both when it is
//! absent). `pullCommands` are the commands that fetch an artifact of the type, with the
//! placeholders `{reference}`, `{registry}`, `{repository}`, `{tag}` and `{digest}` that
//! [`pull_commands`] fills from a reference.
//!
//! Logos are shown inside registry pages, so they are checked: well-formed SVG with a
//! `viewBox`, at most [`MAX_LOGO_BYTES`], and nothing that runs or loads — no scripts, event
//! handlers, animation, foreign objects, links, or references outside the document.

use serde_json::Value;

use crate::descriptor::{as_array, as_object, as_str, join, missing};
use crate::manifest::Manifest;
use crate::{Digest, Error, MediaType, Reference, json};

/// The largest logo accepted, in bytes of SVG text.
pub const MAX_LOGO_BYTES: usize = 16 * 1024;
/// The longest display name accepted, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;
/// The longest pull command template accepted, in characters.
pub const MAX_PULL_COMMAND_CHARS: usize = 256;
/// The placeholders a pull command template may use.
pub const PULL_COMMAND_PLACEHOLDERS: &[&str] =
    &["reference", "registry", "repository", "tag", "digest"];

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// The config media types of runnable images (OCI and Docker).
const IMAGE_CONFIG_TYPES: &[&str] = &[
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
];

/// An artifact type and how to present it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactTypeDefinition {
    /// The media type that identifies the type (`artifactType`, or `config.mediaType` in
    /// image-spec v1.0 artifacts).
    pub artifact_type: MediaType,
    /// Other media types that identify the same type (older or alternative names).
    pub aliases: Vec<MediaType>,
    /// A short name for people, e.g. "Helm chart".
    pub display_name: String,
    /// A sentence about what the artifact is.
    pub description: String,
    /// The layer media types the type uses.
    pub layer_media_types: Vec<MediaType>,
    /// Where to read more.
    pub url: Option<String>,
    /// An SVG logo, checked safe to show in a page.
    pub logo: Option<String>,
    /// The logo for a dark background, checked like `logo`.
    pub dark_logo: Option<String>,
    /// Commands that fetch an artifact of the type, as templates (see [`pull_commands`]).
    pub pull_commands: Vec<String>,
}

impl ArtifactTypeDefinition {
    /// Reads a definition.
    ///
    /// # Errors
    /// The first problem: [`Error::JsonInvalid`], [`Error::FieldMissing`],
    /// [`Error::MediaTypeInvalid`], [`Error::DisplayNameInvalid`], a logo error
    /// ([`Error::LogoInvalid`], [`Error::LogoUnsafe`], [`Error::LogoTooLarge`]), or
    /// [`Error::PullCommandInvalid`] for a pull command template that is not one line of at
    /// most 256 characters with known placeholders.
    pub fn from_json(bytes: &[u8]) -> Result<Self, Error> {
        let value = json::parse_strict(bytes)?;
        let object = as_object(&value, "")?;
        let text = |key: &str| -> Result<Option<&str>, Error> {
            object
                .get(key)
                .map(|v| as_str(v, &join("", key)))
                .transpose()
        };
        let media_types = |key: &str| -> Result<Vec<MediaType>, Error> {
            let Some(value) = object.get(key) else {
                return Ok(Vec::new());
            };
            as_array(value, &join("", key))?
                .iter()
                .enumerate()
                .map(|(i, v)| MediaType::parse(as_str(v, &format!("/{key}/{i}"))?))
                .collect()
        };
        let display_name = text("displayName")?.ok_or_else(|| missing("", "displayName"))?;
        check_display_name(display_name)?;
        let logo = text("logo")?;
        if let Some(logo) = logo {
            check_logo(logo)?;
        }
        let dark_logo = text("darkLogo")?;
        if let Some(logo) = dark_logo {
            check_logo(logo)?;
        }
        let pull_commands = match object.get("pullCommands") {
            None => Vec::new(),
            Some(value) => as_array(value, "/pullCommands")?
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let path = format!("/pullCommands/{i}");
                    let command = as_str(v, &path)?;
                    check_pull_command(command)
                        .map_err(|reason| Error::PullCommandInvalid { path, reason })?;
                    Ok(command.to_owned())
                })
                .collect::<Result<_, Error>>()?,
        };
        Ok(Self {
            artifact_type: MediaType::parse(
                text("artifactType")?.ok_or_else(|| missing("", "artifactType"))?,
            )?,
            aliases: media_types("aliases")?,
            display_name: display_name.to_owned(),
            description: text("description")?.unwrap_or_default().to_owned(),
            layer_media_types: media_types("layerMediaTypes")?,
            url: text("url")?.map(str::to_owned),
            logo: logo.map(str::to_owned),
            dark_logo: dark_logo.map(str::to_owned),
            pull_commands,
        })
    }

    /// The definition as JSON (keys in the order of the format above; Go-style escaping).
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::new();
        let mut object = json::ObjectWriter::new(&mut out);
        object.string("artifactType", self.artifact_type.as_str());
        write_media_types(object.key("aliases"), &self.aliases);
        object.string("displayName", &self.display_name);
        object.string("description", &self.description);
        write_media_types(object.key("layerMediaTypes"), &self.layer_media_types);
        if let Some(url) = &self.url {
            object.string("url", url);
        }
        if let Some(logo) = &self.logo {
            object.string("logo", logo);
        }
        if let Some(logo) = &self.dark_logo {
            object.string("darkLogo", logo);
        }
        if !self.pull_commands.is_empty() {
            let out = object.key("pullCommands");
            out.push('[');
            for (i, command) in self.pull_commands.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_string(out, command);
            }
            out.push(']');
        }
        object.finish();
        out.into_bytes()
    }

    /// Whether `media_type` names this type (its artifact type or an alias).
    pub fn matches(&self, media_type: &str) -> bool {
        self.artifact_type.as_str() == media_type
            || self.aliases.iter().any(|a| a.as_str() == media_type)
    }
}

fn write_media_types(out: &mut String, media_types: &[MediaType]) {
    out.push('[');
    for (i, media_type) in media_types.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        json::write_string(out, media_type.as_str());
    }
    out.push(']');
}

/// A pull command template: one line of at most 256 characters whose `{…}` placeholders are
/// in [`PULL_COMMAND_PLACEHOLDERS`].
fn check_pull_command(command: &str) -> Result<(), String> {
    if command.trim().is_empty() {
        return Err("a pull command is empty".into());
    }
    if command.chars().count() > MAX_PULL_COMMAND_CHARS {
        return Err("a pull command is longer than 256 characters".into());
    }
    if command.chars().any(char::is_control) {
        return Err("a pull command contains control characters".into());
    }
    let mut rest = command;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("{command:?} has an unclosed {{"));
        };
        let name = &rest[open + 1..open + close];
        if !PULL_COMMAND_PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "{command:?} uses {{{name}}}; the placeholders are {{reference}}, {{registry}}, {{repository}}, {{tag}} and {{digest}}"
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
}

/// The commands that fetch the artifact `reference` names: the definition's pull command
/// templates filled from the reference, leaving out those that need a part the reference lacks
/// (`{tag}` without a tag, `{digest}` without a digest), or `oras pull {reference}` when the
/// definition has no command (or there is no definition): ORAS fetches any artifact.
pub fn pull_commands(
    definition: Option<&ArtifactTypeDefinition>,
    reference: &Reference,
) -> Vec<String> {
    const DEFAULT: &str = "oras pull {reference}";
    let templates: Vec<&str> = match definition {
        Some(d) if !d.pull_commands.is_empty() => {
            d.pull_commands.iter().map(String::as_str).collect()
        }
        _ => vec![DEFAULT],
    };
    let whole = reference.to_string();
    let digest = reference.digest().map(Digest::to_string);
    templates
        .into_iter()
        .filter_map(|template| {
            let mut out = String::new();
            let mut rest = template;
            while let Some(open) = rest.find('{') {
                out.push_str(&rest[..open]);
                let close = rest[open..].find('}')? + open;
                let value = match &rest[open + 1..close] {
                    "reference" => whole.as_str(),
                    "registry" => reference.registry(),
                    "repository" => reference.repository(),
                    "tag" => reference.tag()?,
                    "digest" => digest.as_deref()?,
                    _ => return None,
                };
                out.push_str(value);
                rest = &rest[close + 1..];
            }
            out.push_str(rest);
            Some(out)
        })
        .collect()
}

/// What a tag is for, by the names tools give the tags they make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TagKind {
    /// An ordinary tag.
    Tag,
    /// A referrers tag (`<alg>-<hex>`): the image index of the referrers tag schema
    /// (image-spec v1.1 "Referrers Tag Schema") listing what refers to a manifest.
    Referrers,
    /// A cosign signature in its tag schema (`sha256-<hex>.sig`).
    Signature,
    /// A cosign attestation in its tag schema (`sha256-<hex>.att`).
    Attestation,
    /// An SBOM attached by `cosign attach sbom` (`sha256-<hex>.sbom`).
    Sbom,
}

impl TagKind {
    /// The kind's name: `tag`, `referrers`, `signature`, `attestation` or `sbom`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tag => "tag",
            Self::Referrers => "referrers",
            Self::Signature => "signature",
            Self::Attestation => "attestation",
            Self::Sbom => "sbom",
        }
    }
}

/// A tag's kind and, for the tags made for another manifest, that manifest's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagClass {
    /// What the tag is for.
    pub kind: TagKind,
    /// The manifest the tag was made for, when its name spells out a whole sha256 digest (a
    /// referrers tag of a longer digest is truncated to 64 characters and names no digest).
    pub subject: Option<Digest>,
}

/// Classifies a tag by its name: a referrers tag of the image-spec v1.1 tag schema
/// (`<alg>-<ref>`: the digest with `:` as `-`, algorithm at most 32 and encoded part at most 64
/// characters), cosign's tag-schema signature, attestation and SBOM tags (`sha256-<hex>.sig`,
/// `.att`, `.sbom`), or an ordinary tag. Only names are read: a tag named like a signature is
/// classified as one whatever it points at.
pub fn classify_tag(tag: &str) -> TagClass {
    let ordinary = TagClass {
        kind: TagKind::Tag,
        subject: None,
    };
    let (name, kind) = match tag.rsplit_once('.') {
        Some((name, "sig")) => (name, TagKind::Signature),
        Some((name, "att")) => (name, TagKind::Attestation),
        Some((name, "sbom")) => (name, TagKind::Sbom),
        Some(_) => return ordinary,
        None => (tag, TagKind::Referrers),
    };
    let Some((algorithm, encoded)) = name.split_once('-') else {
        return ordinary;
    };
    let algorithm_ok = (1..=32).contains(&algorithm.len())
        && algorithm
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let encoded_ok = encoded.len() == 64
        && encoded
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    // cosign names its tags after sha256 digests only.
    if !algorithm_ok || !encoded_ok || (kind != TagKind::Referrers && algorithm != "sha256") {
        return ordinary;
    }
    let subject = if algorithm == "sha256" {
        Digest::parse(&format!("sha256:{encoded}")).ok()
    } else {
        None
    };
    TagClass { kind, subject }
}

/// A display name: 1–64 characters, no control characters, not only whitespace.
///
/// # Errors
/// [`Error::DisplayNameInvalid`].
pub fn check_display_name(name: &str) -> Result<(), Error> {
    let reason = if name.trim().is_empty() {
        "is empty"
    } else if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        "is longer than 64 characters"
    } else if name.chars().any(char::is_control) {
        "contains control characters"
    } else {
        return Ok(());
    };
    Err(Error::DisplayNameInvalid {
        reason: format!("{name:?} {reason}"),
    })
}

/// Checks that `svg` is a logo safe to show inside a page.
///
/// # Errors
/// [`Error::LogoTooLarge`], [`Error::LogoInvalid`] (not well-formed, not an `<svg>` root, no
/// `viewBox`, a DTD), or [`Error::LogoUnsafe`] (anything that can run code or load content).
pub fn check_logo(svg: &str) -> Result<(), Error> {
    if svg.len() > MAX_LOGO_BYTES {
        return Err(Error::LogoTooLarge {
            size: svg.len() as u64,
            max: MAX_LOGO_BYTES as u64,
        });
    }
    let invalid = |reason: String| Error::LogoInvalid { reason };
    let unsafe_ = |reason: String| Error::LogoUnsafe { reason };
    // roxmltree rejects DTDs by default, which also rules out entity expansion attacks.
    let doc = roxmltree::Document::parse(svg)
        .map_err(|e| invalid(format!("not well-formed XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err(invalid(format!(
            "the root element must be <svg xmlns=\"{SVG_NS}\">"
        )));
    }
    if root.attribute("viewBox").is_none() {
        return Err(invalid(
            "the <svg> element needs a viewBox so that it can be scaled".into(),
        ));
    }
    for node in doc.descendants() {
        if let Some(pi) = node.pi() {
            return Err(unsafe_(format!(
                "processing instruction <?{}?> is not allowed",
                pi.target
            )));
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name();
        if node.tag_name().namespace() != Some(SVG_NS) {
            return Err(unsafe_(format!("element <{name}> is not an SVG element")));
        }
        const FORBIDDEN: &[&str] = &[
            "script",
            "foreignObject",
            "iframe",
            "embed",
            "object",
            "image",
            "a",
            "animate",
            "animateMotion",
            "animateTransform",
            "animateColor",
            "set",
            "handler",
            "listener",
            "audio",
            "video",
            "canvas",
            "feImage",
            "discard",
        ];
        if FORBIDDEN.contains(&name) {
            return Err(unsafe_(format!(
                "element <{name}> is not allowed in a logo"
            )));
        }
        if name == "style" {
            let css: String = node.children().filter_map(|c| c.text()).collect();
            check_css(&css).map_err(|r| unsafe_(format!("<style>: {r}")))?;
        }
        for attribute in node.attributes() {
            let attr = attribute.name();
            let value = attribute.value();
            if attr.len() > 2 && attr[..2].eq_ignore_ascii_case("on") {
                return Err(unsafe_(format!(
                    "event handler attribute {attr}=… is not allowed"
                )));
            }
            if attr == "href" && !value.trim_start().starts_with('#') {
                return Err(unsafe_(format!(
                    "<{name}> links outside the logo ({value:?}); only #fragment references are allowed"
                )));
            }
            check_css(value).map_err(|r| unsafe_(format!("attribute {attr}: {r}")))?;
        }
    }
    Ok(())
}

/// CSS (and attribute values) may only reference fragments of the document itself.
fn check_css(text: &str) -> Result<(), String> {
    let lower: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    for needle in [
        "@import",
        "expression(",
        "javascript:",
        "vbscript:",
        "data:",
        "-moz-binding",
        "behavior:",
    ] {
        if lower.contains(needle) {
            return Err(format!("{needle:?} is not allowed"));
        }
    }
    let mut rest = lower.as_str();
    while let Some(at) = rest.find("url(") {
        rest = &rest[at + 4..];
        if !rest.trim_start_matches(['"', '\'']).starts_with('#') {
            return Err("url(…) may only reference #fragments of the logo".into());
        }
    }
    Ok(())
}

/// A set of artifact type definitions: the built-in ones plus any registered at run time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    definitions: Vec<ArtifactTypeDefinition>,
}

/// What an artifact is, as [`Catalog::describe`] tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description<'a> {
    /// The media type that identifies the artifact.
    pub artifact_type: &'a str,
    /// Where it came from: `artifactType`, `config.mediaType`, or `layers` for an image
    /// manifest whose layers are all of one other type (cosign's tag-schema signatures,
    /// attestations and SBOMs are images by their config).
    pub source: &'static str,
    /// The matching definition, if the catalog knows the type.
    pub definition: Option<&'a ArtifactTypeDefinition>,
}

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../catalog/", $name, ".json")), include_str!(concat!("../catalog/", $name, ".svg")))),*]
    };
}

/// The built-in definitions and logos (core/catalog/), drawn for ocikit; the sources of their
/// media types are in core/catalog/SOURCES.md.
const BUILTIN: &[(&str, &str, &str)] = builtin!(
    "oci-image",
    "helm-chart",
    "singularity-sif",
    "cnab-bundle",
    "wasm-module",
    "cosign-signature",
    "notary-signature",
    "sigstore-bundle",
    "spdx-sbom",
    "cyclonedx-sbom",
    "in-toto-attestation",
    "docs-in-markdown",
    "flux-artifact",
    "modelpack-model",
    "kitops-modelkit",
    "harbor-sbom",
    "docker-volume",
    "sarif-report",
    "trivy-report",
    "unknown-artifact",
);

/// Logos for a dark background, for the built-in types whose logo would not read on one.
const BUILTIN_DARK: &[(&str, &str)] = &[
    ("oci-image", include_str!("../catalog/oci-image.dark.svg")),
    ("helm-chart", include_str!("../catalog/helm-chart.dark.svg")),
    (
        "singularity-sif",
        include_str!("../catalog/singularity-sif.dark.svg"),
    ),
    (
        "cosign-signature",
        include_str!("../catalog/cosign-signature.dark.svg"),
    ),
];

impl Catalog {
    /// An empty catalog.
    pub fn empty() -> Self {
        Self {
            definitions: Vec::new(),
        }
    }

    /// The built-in catalog of well-known artifact types.
    pub fn builtin() -> Self {
        let definitions = BUILTIN
            .iter()
            .filter_map(|(name, definition, logo)| {
                // from_slice, as everywhere else in the core: from_str would add a second copy of
                // serde_json's parser to the wasm module (8 KB).
                let mut value: Value = serde_json::from_slice(definition.as_bytes()).ok()?;
                let object = value.as_object_mut()?;
                object.insert("logo".into(), Value::String((*logo).trim_end().to_owned()));
                if let Some((_, dark)) = BUILTIN_DARK.iter().find(|(n, _)| n == name) {
                    object.insert("darkLogo".into(), Value::String(dark.trim_end().to_owned()));
                }
                let bytes = serde_json::to_vec(&value).ok()?;
                // Built-in definitions are checked like any other; the tests make sure all load.
                ArtifactTypeDefinition::from_json(&bytes).ok()
            })
            .collect();
        Self { definitions }
    }

    /// Adds a definition, replacing one with the same artifact type.
    pub fn register(&mut self, definition: ArtifactTypeDefinition) {
        self.definitions
            .retain(|d| d.artifact_type != definition.artifact_type);
        self.definitions.push(definition);
    }

    /// All definitions, built-in first, in registration order.
    pub fn definitions(&self) -> &[ArtifactTypeDefinition] {
        &self.definitions
    }

    /// The definition for a media type (its artifact type or an alias). Definitions registered
    /// later win over earlier ones.
    pub fn get(&self, media_type: &str) -> Option<&ArtifactTypeDefinition> {
        self.definitions
            .iter()
            .rev()
            .find(|d| d.matches(media_type))
    }

    /// What `manifest` is: its `artifactType`, else its `config.mediaType` (image-spec
    /// v1.0 artifacts and images), with the catalog's definition.
    ///
    /// A manifest without `artifactType` whose config is an image config
    /// (`application/vnd.oci.image.config.v1+json` or Docker's) but whose layers all belong to
    /// one other type — cosign's tag-schema signatures (simple-signing layers), attestations
    /// (DSSE envelopes) and SBOMs (`cosign attach sbom`) — is that type, with source `layers`:
    /// the image-spec v1.0 way of typing artifacts by config says "image" for these, and a
    /// listing would show them as runnable images.
    pub fn describe<'a>(&'a self, manifest: &'a Manifest) -> Description<'a> {
        let (artifact_type, source) = match &manifest.artifact_type {
            Some(artifact_type) => (artifact_type.as_str(), "artifactType"),
            None => (manifest.config.media_type.as_str(), "config.mediaType"),
        };
        let by_layers =
            if manifest.artifact_type.is_none() && IMAGE_CONFIG_TYPES.contains(&artifact_type) {
                self.by_layers(manifest)
            } else {
                None
            };
        if let Some(definition) = by_layers {
            return Description {
                artifact_type: definition.artifact_type.as_str(),
                source: "layers",
                definition: Some(definition),
            };
        }
        Description {
            artifact_type,
            source,
            definition: self.get(artifact_type),
        }
    }

    /// The first definition (in catalog order) other than an image's that claims every layer
    /// of `manifest`, if the manifest has layers.
    fn by_layers(&self, manifest: &Manifest) -> Option<&ArtifactTypeDefinition> {
        if manifest.layers.is_empty() {
            return None;
        }
        self.definitions.iter().find(|d| {
            !IMAGE_CONFIG_TYPES.contains(&d.artifact_type.as_str())
                && manifest.layers.iter().all(|layer| {
                    d.layer_media_types
                        .iter()
                        .any(|t| t.as_str() == layer.media_type.as_str())
                })
        })
    }
}

impl Default for Catalog {
    fn default() -> Self {
        Self::builtin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_definition_loads() {
        let catalog = Catalog::builtin();
        assert_eq!(catalog.definitions().len(), BUILTIN.len());
        assert!(catalog.definitions().len() >= 12);
        for definition in catalog.definitions() {
            assert!(definition.logo.is_some(), "{}", definition.display_name);
            let reread =
                ArtifactTypeDefinition::from_json(&definition.to_json()).expect("round trip");
            assert_eq!(&reread, definition);
        }
    }

    fn svg(body: &str) -> String {
        format!(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8">{body}</svg>"#)
    }

    #[test]
    fn safe_logos_pass() {
        for body in [
            "",
            r##"<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="8" height="8" fill="url(#g)"/>"##,
            r##"<use href="#r"/><rect id="r" width="1" height="1" style="fill: url('#g')"/>"##,
            "<style>rect { fill: red }</style><title>logo</title><text x=\"1\" y=\"6\">A</text>",
        ] {
            check_logo(&svg(body)).unwrap_or_else(|e| panic!("{body}: {e}"));
        }
    }

    #[test]
    fn unsafe_logos_fail_with_codes() {
        let cases = [
            (svg("<script>alert(1)</script>"), "LOGO_UNSAFE"),
            (svg(r#"<rect onclick="alert(1)" width="1" height="1"/>"#), "LOGO_UNSAFE"),
            (svg(r#"<rect ONLOAD="x" width="1" height="1"/>"#), "LOGO_UNSAFE"),
            (svg(r#"<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>"#), "LOGO_UNSAFE"),
            (svg(r#"<image href="https://evil.example/x.png"/>"#), "LOGO_UNSAFE"),
            (svg(r#"<use href="https://evil.example/s.svg#x"/>"#), "LOGO_UNSAFE"),
            (svg(r#"<use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="data:image/svg+xml,x"/>"#), "LOGO_UNSAFE"),
            (svg(r#"<a href="javascript:alert(1)"><rect width="1" height="1"/></a>"#), "LOGO_UNSAFE"),
            (svg(r#"<rect width="1" height="1" fill="url(https://evil.example/p)"/>"#), "LOGO_UNSAFE"),
            (svg("<style>@import url(https://evil.example/x.css);</style>"), "LOGO_UNSAFE"),
            (svg(r#"<rect style="background:url( 'https://x.example' )" width="1" height="1"/>"#), "LOGO_UNSAFE"),
            (svg(r#"<set attributeName="href" to="javascript:alert(1)"/>"#), "LOGO_UNSAFE"),
            (svg(r#"<animate attributeName="x" values="0;1"/>"#), "LOGO_UNSAFE"),
            (format!("<?xml-stylesheet href=\"https://x.example/a.css\"?>{}", svg("")), "LOGO_UNSAFE"),
            (svg(r#"<x:thing xmlns:x="urn:x"/>"#), "LOGO_UNSAFE"),
            ("<!DOCTYPE svg [<!ENTITY a \"aaaa\">]><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\">&a;</svg>".to_owned(), "LOGO_INVALID"),
            ("<svg viewBox=\"0 0 1 1\"/>".to_owned(), "LOGO_INVALID"),
            ("<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_owned(), "LOGO_INVALID"),
            ("<html xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"/>".to_owned(), "LOGO_INVALID"),
            ("<svg".to_owned(), "LOGO_INVALID"),
            ("not xml".to_owned(), "LOGO_INVALID"),
            (svg(&"<g/>".repeat(5000)), "LOGO_TOO_LARGE"),
        ];
        for (logo, code) in cases {
            let err = check_logo(&logo).expect_err(&logo);
            assert_eq!(err.code(), code, "{logo}: {err}");
        }
    }

    #[test]
    fn describe_uses_artifact_type_then_config() {
        let catalog = Catalog::builtin();
        let empty = crate::Descriptor::empty();
        let mut manifest = Manifest::new(empty.clone(), vec![empty]);
        manifest.artifact_type =
            Some(MediaType::parse("application/vnd.cncf.helm.config.v1+json").expect("mt"));
        let description = catalog.describe(&manifest);
        assert_eq!(description.source, "artifactType");
        assert_eq!(
            description.definition.map(|d| d.display_name.as_str()),
            Some("Helm chart")
        );

        manifest.artifact_type = None;
        manifest.config.media_type =
            MediaType::parse("application/vnd.deislabs.cnab.config.v1+json").expect("mt");
        let description = catalog.describe(&manifest);
        assert_eq!(description.source, "config.mediaType");
        assert_eq!(
            description.definition.map(|d| d.display_name.as_str()),
            Some("CNAB bundle")
        );

        manifest.config.media_type =
            MediaType::parse("application/vnd.acme.rocket.config.v1+json").expect("mt");
        assert_eq!(catalog.describe(&manifest).definition, None);
    }

    #[test]
    fn registered_definitions_win() {
        let mut catalog = Catalog::builtin();
        let definition = ArtifactTypeDefinition::from_json(
            br#"{"artifactType":"application/vnd.acme.rocket.config.v1+json","displayName":"Rocket","aliases":["application/vnd.cncf.helm.config.v1+json"]}"#,
        )
        .expect("definition");
        catalog.register(definition.clone());
        assert_eq!(
            catalog.get("application/vnd.acme.rocket.config.v1+json"),
            Some(&definition)
        );
        assert_eq!(
            catalog.get("application/vnd.cncf.helm.config.v1+json"),
            Some(&definition)
        );
        let mut replaced = definition.clone();
        replaced.display_name = "Rocket 2".into();
        catalog.register(replaced);
        assert_eq!(
            catalog
                .definitions()
                .iter()
                .filter(|d| d.display_name.starts_with("Rocket"))
                .count(),
            1
        );
    }

    #[test]
    fn definition_errors_have_codes() {
        for (json, code) in [
            (&br#"{"displayName":"X"}"#[..], "FIELD_MISSING"),
            (
                br#"{"artifactType":"application/x","displayName":""}"#,
                "DISPLAY_NAME_INVALID",
            ),
            (
                br#"{"artifactType":"application/x","displayName":"a\u0007"}"#,
                "DISPLAY_NAME_INVALID",
            ),
            (
                br#"{"artifactType":"nope","displayName":"X"}"#,
                "MEDIA_TYPE_INVALID",
            ),
            (
                br#"{"artifactType":"application/x","displayName":"X","logo":"<svg/>"}"#,
                "LOGO_INVALID",
            ),
            (
                br#"{"artifactType":"application/x","displayName":"X","layerMediaTypes":"a/b"}"#,
                "JSON_INVALID",
            ),
            (
                br#"{"artifactType":"application/x","displayName":"X","displayName":"Y"}"#,
                "JSON_INVALID",
            ),
        ] {
            let err = ArtifactTypeDefinition::from_json(json).expect_err(code);
            assert_eq!(err.code(), code, "{err}");
        }
    }
}
