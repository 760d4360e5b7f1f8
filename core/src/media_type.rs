//! Media types (RFC 6838 §4.2) and the artifact naming convention.
//!
//! Every OCI descriptor names its content with a media type, and an OCI artifact is identified
//! by its `artifactType` (or, in image-spec v1.0 style, its `config.mediaType`). The authoring
//! guide ocikit grew from fixes a convention for those names:
//!
//! ```text
//! application/vnd.<org>.<objectType>[.<subType>…].config.<version>+json
//! application/vnd.<org>.<objectType>[.<subType>…].layer.<version>[+<format>]
//! ```
//!
//! [`MediaType::parse`] enforces the RFC grammar (an error when broken);
//! [`MediaType::artifact`] reads the convention; [`MediaType::lint`] reports, as warnings only,
//! where a name strays from the convention or from the RFC's SHOULDs.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Finding};

/// Media types the image-spec defines.
pub mod oci {
    /// An image manifest.
    pub const IMAGE_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// An image index.
    pub const IMAGE_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// An image configuration.
    pub const IMAGE_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
    /// The empty descriptor's content, `{}`.
    pub const EMPTY: &str = "application/vnd.oci.empty.v1+json";
    /// An uncompressed layer tar.
    pub const IMAGE_LAYER: &str = "application/vnd.oci.image.layer.v1.tar";
    /// A gzip-compressed layer tar.
    pub const IMAGE_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
    /// A zstd-compressed layer tar.
    pub const IMAGE_LAYER_ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
    /// The `oci-layout` file of an image layout.
    pub const LAYOUT_HEADER: &str = "application/vnd.oci.layout.header.v1+json";
}

/// Media types of the Docker image format, which registries still serve widely.
pub mod docker {
    /// A Docker image manifest, schema 2.
    pub const MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
    /// A Docker manifest list.
    pub const MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    /// A Docker container image configuration.
    pub const IMAGE_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
    /// A Docker gzip-compressed layer tar.
    pub const LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
}

/// Types defined by the OCI and Docker specifications: they follow their own naming, so the
/// artifact convention is not linted on them.
const SPEC_DEFINED: &[&str] = &[
    oci::IMAGE_MANIFEST,
    oci::IMAGE_INDEX,
    oci::IMAGE_CONFIG,
    oci::EMPTY,
    oci::IMAGE_LAYER,
    oci::IMAGE_LAYER_GZIP,
    oci::IMAGE_LAYER_ZSTD,
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
    oci::LAYOUT_HEADER,
    docker::MANIFEST,
    docker::MANIFEST_LIST,
    docker::IMAGE_CONFIG,
    docker::LAYER_GZIP,
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
];

/// Configuration types of runnable images: using one for an artifact makes container runtimes
/// try to run it.
const IMAGE_CONFIG_TYPES: &[&str] = &[oci::IMAGE_CONFIG, docker::IMAGE_CONFIG];

/// RFC 6838 §4.2: type and subtype names MUST be at most 127 characters…
const MAX_NAME_LEN: usize = 127;
/// …and SHOULD be at most 64.
const RECOMMENDED_NAME_LEN: usize = 64;

/// The registration tree of a subtype (RFC 6838 §3), given by its facet prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tree {
    /// No facet: the IETF standards tree.
    Standards,
    /// `vnd.`: the vendor tree, where artifact types belong.
    Vendor,
    /// `prs.`: the personal or vanity tree.
    Personal,
    /// `x.`: the unregistered tree.
    Unregistered,
}

impl Tree {
    /// The facet prefix without its dot (`"vnd"`, `"prs"`, `"x"`), or `""` for the standards tree.
    pub fn facet(self) -> &'static str {
        match self {
            Self::Standards => "",
            Self::Vendor => "vnd",
            Self::Personal => "prs",
            Self::Unregistered => "x",
        }
    }
}

/// What a media type names within an artifact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The artifact's configuration (`manifest.config`), whose type identifies the artifact.
    Config,
    /// One of the artifact's layers (`manifest.layers[]`).
    Layer,
}

impl Role {
    /// `"config"` or `"layer"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Config => "config",
            Self::Layer => "layer",
        }
    }

    /// Parses `"config"` or `"layer"`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "config" => Some(Self::Config),
            "layer" => Some(Self::Layer),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A media type name that satisfies RFC 6838 §4.2, such as
/// `application/vnd.oci.image.manifest.v1+json`.
///
/// Parameters (`; charset=…`) are not part of a name, and OCI `mediaType` fields do not carry
/// them, so they are rejected.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MediaType {
    text: String,
    slash: usize,
}

/// The parts of a name that follows the artifact naming convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactMediaType {
    /// The organisation that owns the name, e.g. `cncf`.
    pub org: String,
    /// What kind of thing the artifact is, e.g. `helm`.
    pub object_type: String,
    /// Narrower kinds, e.g. `["chart"]` in `vnd.cncf.helm.chart.config.v1+json`.
    pub sub_types: Vec<String>,
    /// `config` or `layer`.
    pub role: Role,
    /// The version segment, e.g. `v1`; `None` when the name has none.
    pub version: Option<String>,
    /// What follows the version: `json` for `…v1+json`, `tar+gzip` for `…v1.tar+gzip`.
    pub format: Option<String>,
}

impl MediaType {
    /// Parses a media type name.
    ///
    /// # Errors
    /// [`Error::MediaTypeInvalid`] when `text` breaks RFC 6838 §4.2:
    /// `restricted-name "/" restricted-name`, each 1–127 characters, starting with a letter or
    /// digit, then letters, digits and `! # $ & - ^ _ . +`.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let invalid = |reason| Error::MediaTypeInvalid {
            value: text.to_owned(),
            reason,
        };
        let slash = text
            .find('/')
            .ok_or_else(|| invalid("missing '/' between type and subtype"))?;
        check_restricted_name(&text[..slash], "type").map_err(invalid)?;
        check_restricted_name(&text[slash + 1..], "subtype").map_err(invalid)?;
        Ok(Self {
            text: text.to_owned(),
            slash,
        })
    }

    /// A media type from a constant this crate knows to be valid (the `oci` and `docker` ones).
    pub(crate) fn known(text: &'static str) -> Self {
        debug_assert!(Self::parse(text).is_ok(), "{text}");
        Self {
            text: text.to_owned(),
            slash: text.find('/').unwrap_or_default(),
        }
    }

    /// The whole name.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The top-level type, e.g. `application`.
    pub fn type_name(&self) -> &str {
        &self.text[..self.slash]
    }

    /// The subtype, e.g. `vnd.oci.image.manifest.v1+json`.
    pub fn subtype(&self) -> &str {
        &self.text[self.slash + 1..]
    }

    /// The registration tree, from the subtype's facet (compared case-insensitively).
    pub fn tree(&self) -> Tree {
        let facet = self.subtype().split('.').next().unwrap_or_default();
        // A facet needs something after its dot: a subtype of just "vnd" is in the standards tree.
        if facet.len() == self.subtype().len() {
            return Tree::Standards;
        }
        match facet.to_ascii_lowercase().as_str() {
            "vnd" => Tree::Vendor,
            "prs" => Tree::Personal,
            "x" => Tree::Unregistered,
            _ => Tree::Standards,
        }
    }

    /// The structured syntax suffix (RFC 6838 §4.2.8), e.g. `json` for `…+json`.
    pub fn suffix(&self) -> Option<&str> {
        let subtype = self.subtype();
        subtype.rfind('+').map(|plus| &subtype[plus + 1..])
    }

    /// Whether an OCI or Docker specification defines this type.
    pub fn is_spec_defined(&self) -> bool {
        SPEC_DEFINED.contains(&self.text.as_str())
    }

    /// Reads the artifact naming convention; `None` when the name does not follow it (then
    /// [`lint`](Self::lint) says why).
    pub fn artifact(&self) -> Option<ArtifactMediaType> {
        let parts = self.artifact_parts().ok()?;
        Some(parts)
    }

    fn artifact_parts(&self) -> Result<ArtifactMediaType, ConventionBreak> {
        if self.tree() != Tree::Vendor {
            return Err(ConventionBreak::NotVendor);
        }
        let subtype = self.subtype();
        let name = &subtype["vnd.".len()..];
        let (dotted, suffix) = match name.rfind('+') {
            Some(plus) => (&name[..plus], Some(&name[plus + 1..])),
            None => (name, None),
        };
        let segments: Vec<&str> = dotted.split('.').collect();
        if segments.iter().any(|s| s.is_empty()) {
            return Err(ConventionBreak::EmptySegment);
        }
        let is_role = |s: &&str| Role::parse(&s.to_ascii_lowercase()).is_some();
        // The role is the last config/layer segment that has a version after it, else the last
        // one at all; this reads `…layer.v1.tar+gzip` and names like `vnd.acme.layer.config.v1`.
        let role_at = (0..segments.len())
            .rev()
            .find(|&i| is_role(&segments[i]) && segments.get(i + 1).is_some_and(|s| is_version(s)))
            .or_else(|| (0..segments.len()).rev().find(|&i| is_role(&segments[i])))
            .ok_or(ConventionBreak::NoRole)?;
        if role_at < 2 {
            return Err(ConventionBreak::NoObjectType);
        }
        let role =
            Role::parse(&segments[role_at].to_ascii_lowercase()).ok_or(ConventionBreak::NoRole)?;
        let version = segments
            .get(role_at + 1)
            .filter(|s| is_version(s))
            .map(|s| (*s).to_owned());
        let rest_from = role_at + 1 + usize::from(version.is_some());
        let mut format: Vec<String> = Vec::new();
        if rest_from < segments.len() {
            format.push(segments[rest_from..].join("."));
        }
        if let Some(suffix) = suffix {
            format.push(suffix.to_owned());
        }
        Ok(ArtifactMediaType {
            org: segments[0].to_owned(),
            object_type: segments[1].to_owned(),
            sub_types: segments[2..role_at]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            role,
            version,
            format: (!format.is_empty()).then(|| format.join("+")),
        })
    }

    /// Lints the name against RFC 6838's SHOULDs and the artifact naming convention.
    ///
    /// `role` says where the type is used; `None` takes the role from the name. Every finding is
    /// a warning: a name that parsed is a valid media type. Types the OCI and Docker specs
    /// define are only checked for what applies to them (an image config used as an artifact
    /// config).
    pub fn lint(&self, role: Option<Role>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let text = self.as_str();
        const RFC: &str = "RFC 6838 §4.2";
        const GUIDE: &str = "artifact media type convention";

        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            findings.push(Finding::warning(
                "MEDIA_TYPE_UPPERCASE",
                RFC,
                format!("{text:?} has uppercase letters; media types compare case-insensitively but registries and clients match them byte for byte, so write them in lowercase"),
            ));
        }
        for (part, name) in [("type", self.type_name()), ("subtype", self.subtype())] {
            if name.len() > RECOMMENDED_NAME_LEN {
                findings.push(Finding::warning(
                    "MEDIA_TYPE_TOO_LONG",
                    RFC,
                    format!("the {part} name is {} characters; RFC 6838 says names SHOULD be at most {RECOMMENDED_NAME_LEN}", name.len()),
                ));
            }
        }
        if self.subtype().len() > 2 && self.subtype()[..2].eq_ignore_ascii_case("x-") {
            findings.push(Finding::warning(
                "MEDIA_TYPE_X_PREFIX",
                "RFC 6838 §3.4",
                format!(
                    "the \"x-\" prefix of {text:?} is deprecated (RFC 6648); use the vnd. tree"
                ),
            ));
        }

        if role == Some(Role::Config) && IMAGE_CONFIG_TYPES.contains(&text) {
            findings.push(Finding::warning(
                "MEDIA_TYPE_IMAGE_CONFIG",
                GUIDE,
                format!("{text:?} is a runnable image's config type; an artifact needs its own type (or the empty config with an artifactType), or container runtimes will try to run it"),
            ));
        }
        if self.is_spec_defined() {
            return findings;
        }

        match self.artifact_parts() {
            Ok(parts) => {
                if let Some(expected) = role {
                    if expected != parts.role {
                        findings.push(Finding::warning(
                            "MEDIA_TYPE_ROLE_MISMATCH",
                            GUIDE,
                            format!("{text:?} names a {} but is used as a {expected}", parts.role),
                        ));
                    }
                }
                if parts.version.is_none() {
                    findings.push(Finding::warning(
                        "MEDIA_TYPE_NO_VERSION",
                        GUIDE,
                        format!("{text:?} has no version (such as v1) after .{}", parts.role),
                    ));
                }
                if role.unwrap_or(parts.role) == Role::Config
                    && !self.suffix().is_some_and(|s| s.eq_ignore_ascii_case("json"))
                {
                    findings.push(Finding::warning(
                        "MEDIA_TYPE_CONFIG_NOT_JSON",
                        GUIDE,
                        format!("config type {text:?} should end in +json, so that registries can parse the config"),
                    ));
                }
            }
            Err(ConventionBreak::NotVendor) => findings.push(Finding::warning(
                "MEDIA_TYPE_NOT_VENDOR",
                GUIDE,
                format!("{text:?} is not in the vnd. tree; artifact types are named application/vnd.<org>.<type>…"),
            )),
            Err(ConventionBreak::EmptySegment) => findings.push(Finding::warning(
                "MEDIA_TYPE_EMPTY_SEGMENT",
                GUIDE,
                format!("{text:?} has an empty dot-separated segment"),
            )),
            Err(ConventionBreak::NoRole) => findings.push(Finding::warning(
                "MEDIA_TYPE_NO_ROLE",
                GUIDE,
                format!("{text:?} says neither .config. nor .layer.; the convention is application/vnd.<org>.<type>.config.<version>+json or …layer.<version>[+<format>]"),
            )),
            Err(ConventionBreak::NoObjectType) => findings.push(Finding::warning(
                "MEDIA_TYPE_NO_OBJECT_TYPE",
                GUIDE,
                format!("{text:?} needs both an organisation and an object type before .config/.layer (vnd.<org>.<type>.…)"),
            )),
        }
        findings
    }
}

/// Why a vendor name does not follow the artifact convention.
enum ConventionBreak {
    NotVendor,
    EmptySegment,
    NoRole,
    NoObjectType,
}

/// `v` and digits, optionally followed by a pre-release word: `v1`, `v2`, `v1alpha1`.
fn is_version(segment: &str) -> bool {
    let Some(rest) = segment.strip_prefix(['v', 'V']) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest[digits..].bytes().all(|b| b.is_ascii_alphanumeric())
}

fn check_restricted_name(name: &str, part: &'static str) -> Result<(), &'static str> {
    let Some(&first) = name.as_bytes().first() else {
        return Err(if part == "type" {
            "type is empty"
        } else {
            "subtype is empty"
        });
    };
    if name.len() > MAX_NAME_LEN {
        return Err(if part == "type" {
            "type is longer than 127 characters"
        } else {
            "subtype is longer than 127 characters"
        });
    }
    if !first.is_ascii_alphanumeric() {
        return Err(if part == "type" {
            "type must start with a letter or digit"
        } else {
            "subtype must start with a letter or digit"
        });
    }
    if let Some(bad) = name.bytes().find(|&b| !is_restricted_name_char(b)) {
        return Err(match bad {
            b';' => "parameters are not allowed in a media type name",
            b'/' => "only one '/' is allowed",
            b' ' | b'\t' => "whitespace is not allowed",
            _ if part == "type" => "type has a character outside [A-Za-z0-9!#$&^_.+-]",
            _ => "subtype has a character outside [A-Za-z0-9!#$&^_.+-]",
        });
    }
    Ok(())
}

fn is_restricted_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#' | b'$' | b'&' | b'-' | b'^' | b'_' | b'.' | b'+'
        )
}

impl fmt::Display for MediaType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for MediaType {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self, Error> {
        Self::parse(text)
    }
}
